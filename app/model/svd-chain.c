/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-chain"

#include "svd-config.h"

#include "svd-chain.h"
#include "svd-chain-private.h"
#include "svd-preset.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

static void
chain_step_free (SvdChainStep *step)
{
  if (step == NULL)
    return;
  g_clear_pointer (&step->model, svd_model_unref);
  g_free (step->path);
  g_free (step->abs_path);
  g_free (step->sha256);
  g_free (step->name);
  g_free (step);
}

static SvdChainStep *
chain_step_copy (const SvdChainStep *step)
{
  SvdChainStep *copy = g_new0 (SvdChainStep, 1);

  *copy = *step;
  copy->model = step->model != NULL ? svd_model_ref (step->model) : NULL;
  copy->path = g_strdup (step->path);
  copy->abs_path = g_strdup (step->abs_path);
  copy->sha256 = g_strdup (step->sha256);
  copy->name = g_strdup (step->name);
  return copy;
}

/**
 * svd_chain_new:
 * @name: (nullable): the chain's name
 *
 * Returns: (transfer full): an empty fp32 chain
 */
SvdChain *
svd_chain_new (const char *name)
{
  SvdChain *self = g_new0 (SvdChain, 1);

  self->name = g_strdup (name != NULL ? name : "chain");
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) chain_step_free);
  self->precision = g_strdup ("fp32");
  self->created_by = g_strdup ("SVD Studio " SVD_VERSION);
  return self;
}

/**
 * svd_chain_copy:
 * @self: a chain
 *
 * A deep copy that shares the (immutable) models, so a chain can be handed
 * to another thread.
 *
 * Returns: (transfer full): the copy
 */
SvdChain *
svd_chain_copy (const SvdChain *self)
{
  SvdChain *copy = svd_chain_new (self->name);

  for (guint i = 0; i < self->steps->len; i++)
    g_ptr_array_add (copy->steps, chain_step_copy (g_ptr_array_index (self->steps, i)));
  g_free (copy->precision);
  copy->precision = g_strdup (self->precision);
  g_free (copy->created_by);
  copy->created_by = g_strdup (self->created_by);
  copy->has_target = self->has_target;
  copy->target_device = g_strdup (self->target_device);
  copy->target_width = self->target_width;
  copy->target_height = self->target_height;
  copy->target_fps = self->target_fps;
  return copy;
}

void
svd_chain_free (SvdChain *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_ptr_array_unref (self->steps);
  g_free (self->precision);
  g_free (self->target_device);
  g_free (self->created_by);
  g_free (self);
}

/**
 * svd_file_sha256:
 * @path: a file
 * @error: return location for an error
 *
 * Returns: (transfer full): the lowercase hex SHA-256 of the file
 */
char *
svd_file_sha256 (const char  *path,
                 GError     **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GError) local = NULL;

  map = g_mapped_file_new (path, FALSE, &local);
  if (map == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”: %s", path, local->message);
      return NULL;
    }
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                      (const guchar *) g_mapped_file_get_contents (map),
                                      g_mapped_file_get_length (map));
}

/**
 * svd_chain_add_model:
 * @self: a chain
 * @model: a model; the chain takes a reference
 * @error: return location for an error
 *
 * Appends a model step. When the model came from a file, the file's
 * SHA-256 is recorded so a preset can tell when the file changed.
 */
gboolean
svd_chain_add_model (SvdChain  *self,
                     SvdModel  *model,
                     GError   **error)
{
  SvdChainStep *step;

  g_return_val_if_fail (self != NULL && model != NULL, FALSE);
  step = g_new0 (SvdChainStep, 1);
  step->type = SVD_CHAIN_STEP_MODEL;
  step->model = svd_model_ref (model);
  step->name = g_strdup (model->name != NULL ? model->name : "model");
  step->nf = model->nf;
  step->num_conv = model->num_conv;
  step->scale = model->scale;
  if (model->path != NULL)
    {
      step->path = g_strdup (model->path);
      step->abs_path = g_canonicalize_filename (model->path, NULL);
      step->sha256 = svd_file_sha256 (step->abs_path, error);
      if (step->sha256 == NULL)
        {
          chain_step_free (step);
          return FALSE;
        }
    }
  g_ptr_array_add (self->steps, step);
  return TRUE;
}

static char *
name_from_path (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

/**
 * svd_chain_add_model_path:
 * @self: a chain
 * @path: a model file
 * @base_dir: (nullable): the folder a relative @path starts from (the
 *   current folder when %NULL)
 *
 * Appends a model step by file only; svd_chain_load_models() opens it.
 */
void
svd_chain_add_model_path (SvdChain   *self,
                          const char *path,
                          const char *base_dir)
{
  SvdChainStep *step = g_new0 (SvdChainStep, 1);
  g_autofree char *base = base_dir != NULL ? g_canonicalize_filename (base_dir, NULL) : NULL;

  step->type = SVD_CHAIN_STEP_MODEL;
  step->path = g_strdup (path);
  step->abs_path = g_canonicalize_filename (path, base);
  step->name = name_from_path (path);
  g_ptr_array_add (self->steps, step);
}

void
svd_chain_add_resize (SvdChain        *self,
                      SvdResizeFilter  filter,
                      double           scale)
{
  SvdChainStep *step = g_new0 (SvdChainStep, 1);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  step->type = SVD_CHAIN_STEP_RESIZE;
  step->filter = filter;
  step->resize_scale = scale;
  step->name = g_strdup_printf ("%s %sx", svd_resize_filter_name (filter),
                                g_ascii_formatd (buf, sizeof buf, "%g", scale));
  g_ptr_array_add (self->steps, step);
}

/**
 * svd_chain_new_from_models:
 * Returns: (transfer full) (nullable): a chain of the models, in order
 */
SvdChain *
svd_chain_new_from_models (const char      *name,
                           SvdModel *const *models,
                           guint            n_models,
                           GError         **error)
{
  g_autoptr(SvdChain) chain = svd_chain_new (name);

  for (guint i = 0; i < n_models; i++)
    if (!svd_chain_add_model (chain, models[i], error))
      return NULL;
  return g_steal_pointer (&chain);
}

/**
 * svd_chain_equal:
 *
 * Returns: whether @a and @b run the same steps: the same model files (or
 *   the same loaded models, for steps without a file) and the same resizes
 */
gboolean
svd_chain_equal (const SvdChain *a,
                 const SvdChain *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL || a->steps->len != b->steps->len)
    return FALSE;
  for (guint i = 0; i < a->steps->len; i++)
    {
      const SvdChainStep *x = g_ptr_array_index (a->steps, i);
      const SvdChainStep *y = g_ptr_array_index (b->steps, i);

      if (x->type != y->type)
        return FALSE;
      if (x->type == SVD_CHAIN_STEP_RESIZE && (x->filter != y->filter || x->resize_scale != y->resize_scale))
        return FALSE;
      if (x->type == SVD_CHAIN_STEP_MODEL &&
          (x->abs_path != NULL || y->abs_path != NULL ? g_strcmp0 (x->abs_path, y->abs_path) != 0
                                                      : x->model != y->model))
        return FALSE;
    }
  return TRUE;
}

static const char *const filter_names[] = { "nearest", "bilinear", "bicubic", "lanczos" };

const char *
svd_resize_filter_name (SvdResizeFilter filter)
{
  return (guint) filter < G_N_ELEMENTS (filter_names) ? filter_names[filter] : "unknown";
}

gboolean
svd_resize_filter_from_name (const char      *name,
                             SvdResizeFilter *filter)
{
  for (guint i = 0; i < G_N_ELEMENTS (filter_names); i++)
    if (g_strcmp0 (name, filter_names[i]) == 0)
      {
        *filter = (SvdResizeFilter) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * svd_chain_step_parse_resize:
 * @text: a built-in step, FILTER:SCALE ("bicubic:2", "lanczos:0.5")
 * @filter: (out) (optional): the filter
 * @scale: (out) (optional): the factor, 0.125 to 8
 *
 * Returns: whether @text names a built-in resize step
 */
gboolean
svd_chain_step_parse_resize (const char      *text,
                             SvdResizeFilter *filter,
                             double          *scale)
{
  const char *colon;
  g_autofree char *name = NULL;
  SvdResizeFilter f;
  char *end = NULL;
  double s;

  if (text == NULL || (colon = strchr (text, ':')) == NULL)
    return FALSE;
  name = g_strndup (text, colon - text);
  if (!svd_resize_filter_from_name (name, &f) || colon[1] == '\0')
    return FALSE;
  s = g_ascii_strtod (colon + 1, &end);
  if (end == NULL || *end != '\0' || !isfinite (s) || s < 0.125 || s > 8)
    return FALSE;
  if (filter != NULL)
    *filter = f;
  if (scale != NULL)
    *scale = s;
  return TRUE;
}

/**
 * svd_chain_step_resize_spec:
 *
 * Returns: (transfer full): the text of a built-in step ("bicubic:2"),
 *   which svd_chain_step_parse_resize() reads back
 */
char *
svd_chain_step_resize_spec (SvdResizeFilter filter,
                            double          scale)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf ("%s:%s", svd_resize_filter_name (filter), g_ascii_formatd (buf, sizeof buf, "%g", scale));
}

/* Whether @path is an ONNX file holding a whole fused chain of two or more
 * steps; *@fused then holds its steps. */
static gboolean
load_fused (const char  *path,
            SvdChain   **fused)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);

  *fused = NULL;
  /* Opening a FIFO would wait for a writer: regular files only. */
  if (!g_str_has_suffix (lower, ".onnx") || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  map = g_mapped_file_new (path, FALSE, NULL);
  if (map == NULL)
    return FALSE;
  bytes = g_mapped_file_get_bytes (map);
  chain = svd_chain_load_onnx (bytes, NULL, NULL);
  if (chain == NULL || chain->steps->len < 2)
    return FALSE;
  *fused = g_steal_pointer (&chain);
  return TRUE;
}

/* The steps one file entry stands for: a preset's steps, a fused chain
 * ONNX's steps, or one model. @path is as written, @abs its absolute
 * path. */
static SvdChain *
load_file_entry (const char         *path,
                 const char         *abs,
                 SvdChainLoadFlags   flags,
                 gboolean           *is_preset,
                 GError            **error)
{
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdModel) model = NULL;
  g_autoptr(GError) local = NULL;
  SvdChainStep *step;

  if (!g_file_test (abs, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO,
                   "The chain entry “%s” is neither a file nor a built-in step (nearest, bilinear, bicubic or "
                   "lanczos, then “:” and a factor, e.g. bicubic:2)", path);
      return NULL;
    }
  /* A folder, FIFO or device is no chain file (and opening a FIFO would
   * wait for a writer). */
  if (!g_file_test (abs, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The chain entry “%s” is not a regular file", path);
      return NULL;
    }
  if (svd_preset_is_preset_file (abs))
    {
      *is_preset = TRUE;
      return svd_preset_load (abs, flags, error);
    }
  chain = svd_chain_new (NULL);
  if (flags & SVD_CHAIN_LOAD_NO_MODELS)
    {
      svd_chain_add_model_path (chain, path, NULL);
      step = g_ptr_array_index (chain->steps, 0);
      g_free (step->abs_path);
      step->abs_path = g_strdup (abs);
      return g_steal_pointer (&chain);
    }
  model = svd_model_load (abs, &local);
  if (model == NULL)
    {
      SvdChain *fused = NULL;

      /* Our own fused export is not one model: run it as the chain it
       * came from. */
      if (load_fused (abs, &fused))
        return fused;
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (!svd_chain_add_model (chain, model, error))
    return NULL;
  step = g_ptr_array_index (chain->steps, 0);
  g_free (step->path);
  step->path = g_strdup (path);
  g_free (step->abs_path);
  step->abs_path = g_strdup (abs);
  return g_steal_pointer (&chain);
}

/* "bicubic:…": a known filter and a colon, whatever follows. */
static gboolean
looks_like_resize (const char *entry)
{
  const char *colon = strchr (entry, ':');
  g_autofree char *name = colon != NULL ? g_strndup (entry, colon - entry) : NULL;
  SvdResizeFilter filter;

  return name != NULL && svd_resize_filter_from_name (name, &filter);
}

static void
append_steps (SvdChain *self,
              SvdChain *from)
{
  while (from->steps->len > 0)
    g_ptr_array_add (self->steps, g_ptr_array_steal_index (from->steps, 0));
}

/**
 * svd_chain_check:
 * @self: a chain
 * @error: return location for an error
 *
 * Returns: whether the chain has 1 to %SVD_CHAIN_MAX_STEPS steps
 */
gboolean
svd_chain_check (const SvdChain  *self,
                 GError         **error)
{
  if (self->steps->len < 1 || self->steps->len > SVD_CHAIN_MAX_STEPS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "A chain needs 1 to %d steps (models or built-in resizes such as bicubic:2, separated by "
                   "commas); got %u", SVD_CHAIN_MAX_STEPS, self->steps->len);
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_chain_parse:
 * @spec: entries separated by commas, each one of: a built-in resize
 *   FILTER:SCALE ("bicubic:2"; filters nearest, bilinear, bicubic,
 *   lanczos), a model file (.onnx, .pth, .safetensors), a chain preset
 *   (models/PRESET.md) or a fused chain ONNX; the last two stand for their
 *   steps
 * @base_dir: (nullable): the folder relative paths start from; the current
 *   folder when %NULL
 * @flags: whether to open the model files
 * @error: return location for an error
 *
 * A spec that is one preset gives the preset's chain with its name,
 * precision and target; otherwise the chain is named after its steps.
 * Entries are trimmed; a built-in step wins over a file of the same name.
 *
 * Returns: (transfer full) (nullable): the chain, with 1 to
 *   %SVD_CHAIN_MAX_STEPS steps
 */
SvdChain *
svd_chain_parse (const char         *spec,
                 const char         *base_dir,
                 SvdChainLoadFlags   flags,
                 GError            **error)
{
  g_auto(GStrv) parts = g_strsplit (spec != NULL ? spec : "", ",", -1);

  return svd_chain_parse_entries ((const char * const *) parts, base_dir, flags, error);
}

/**
 * svd_chain_parse_entries:
 * @entries: (array zero-terminated=1): the entries of svd_chain_parse(),
 *   one per element (so a path may hold a comma)
 * @base_dir: (nullable): as for svd_chain_parse()
 * @flags: as for svd_chain_parse()
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the chain
 */
SvdChain *
svd_chain_parse_entries (const char * const *entries,
                         const char         *base_dir,
                         SvdChainLoadFlags   flags,
                         GError            **error)
{
  g_autofree char *base = base_dir != NULL ? g_canonicalize_filename (base_dir, NULL) : NULL;
  g_autoptr(SvdChain) chain = svd_chain_new (NULL);
  g_autoptr(SvdChain) preset = NULL;
  guint n_entries = 0;

  for (int i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      g_autofree char *entry = g_strstrip (g_strdup (entries[i]));
      SvdResizeFilter filter;
      double scale;
      g_autofree char *abs = NULL;
      g_autoptr(SvdChain) sub = NULL;
      gboolean is_preset = FALSE;

      if (*entry == '\0')
        continue;
      n_entries++;
      if (svd_chain_step_parse_resize (entry, &filter, &scale))
        {
          svd_chain_add_resize (chain, filter, scale);
          continue;
        }
      abs = g_canonicalize_filename (entry, base);
      if (!g_file_test (abs, G_FILE_TEST_EXISTS) && looks_like_resize (entry))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "The built-in step “%s” needs a factor from 0.125 to 8, e.g. bicubic:2", entry);
          return NULL;
        }
      sub = load_file_entry (entry, abs, flags, &is_preset, error);
      if (sub == NULL)
        return NULL;
      if (chain->steps->len + sub->steps->len > SVD_CHAIN_MAX_STEPS)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "The chain has more than %d steps", SVD_CHAIN_MAX_STEPS);
          return NULL;
        }
      append_steps (chain, sub);
      if (is_preset && n_entries == 1)
        preset = g_steal_pointer (&sub);
    }
  /* One preset: the chain is the preset, with its name and target. */
  if (n_entries == 1 && preset != NULL)
    {
      append_steps (preset, chain);
      return g_steal_pointer (&preset);
    }
  g_free (chain->name);
  chain->name = svd_chain_get_label (chain);
  if (!svd_chain_check (chain, error))
    return NULL;
  return g_steal_pointer (&chain);
}

/* The path to write for @abs relative to @base_dir: a plain relative path
 * when the model lies under the folder or near it, so a folder of presets
 * and models can be moved as a whole. */
char *
svd_chain_relative_path (const char *abs,
                         const char *base_dir)
{
  g_autofree char *base = NULL;
  g_auto(GStrv) a = NULL;
  g_auto(GStrv) b = NULL;
  GString *out;
  guint i = 0;

  if (base_dir == NULL)
    return g_strdup (abs);
  base = g_canonicalize_filename (base_dir, NULL);
  a = g_strsplit (abs, G_DIR_SEPARATOR_S, -1);
  b = g_strsplit (base, G_DIR_SEPARATOR_S, -1);
  while (a[i] != NULL && b[i] != NULL && strcmp (a[i], b[i]) == 0)
    i++;
  /* Only the root in common: an absolute path is clearer. */
  if (i <= 1)
    return g_strdup (abs);
  out = g_string_new (NULL);
  for (guint j = i; b[j] != NULL; j++)
    if (b[j][0] != '\0')
      g_string_append (out, "../");
  for (guint j = i; a[j] != NULL; j++)
    {
      g_string_append (out, a[j]);
      if (a[j + 1] != NULL)
        g_string_append_c (out, '/');
    }
  return g_string_free (out, FALSE);
}

/**
 * svd_chain_to_string:
 * @self: a chain
 * @base_dir: (nullable): write model paths relative to this folder; when
 *   %NULL, absolute
 * @error: return location for an error
 *
 * Prints the chain as the comma list svd_chain_parse() reads: model files
 * and built-in steps ("a.onnx,bicubic:2"). Fails for a model step without
 * a file of its own (a step read from a fused ONNX) or whose path holds a
 * comma.
 *
 * Returns: (transfer full) (nullable): the comma list
 */
char *
svd_chain_to_string (const SvdChain  *self,
                     const char      *base_dir,
                     GError         **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < self->steps->len; i++)
    {
      const SvdChainStep *s = g_ptr_array_index (self->steps, i);
      g_autofree char *text = NULL;

      if (s->type == SVD_CHAIN_STEP_RESIZE)
        text = svd_chain_step_resize_spec (s->filter, s->resize_scale);
      else if (s->abs_path != NULL)
        text = svd_chain_relative_path (s->abs_path, base_dir);
      if (text == NULL || strchr (text, ',') != NULL || svd_chain_step_parse_resize (text, NULL, NULL) !=
          (s->type == SVD_CHAIN_STEP_RESIZE))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Step %u of chain “%s” (%s) cannot be written as a comma list entry: %s", i + 1,
                       self->name, s->name, text == NULL ? "it has no model file of its own" :
                       "its path holds a comma or reads as a built-in step");
          return NULL;
        }
      g_string_append_printf (out, "%s%s", i ? "," : "", text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * svd_chain_load_models:
 * @self: a chain read with %SVD_CHAIN_LOAD_NO_MODELS (or built by
 *   svd_chain_add_model_path())
 * @error: return location for an error
 *
 * Opens every model step that has no model yet; a step whose file is a
 * fused chain ONNX becomes that chain's steps. Steps already loaded are
 * kept.
 */
gboolean
svd_chain_load_models (SvdChain  *self,
                       GError   **error)
{
  for (guint i = 0; i < self->steps->len; i++)
    {
      SvdChainStep *s = g_ptr_array_index (self->steps, i);
      g_autoptr(SvdChain) sub = NULL;
      gboolean is_preset = FALSE;

      if (s->type != SVD_CHAIN_STEP_MODEL || s->model != NULL)
        continue;
      if (s->abs_path == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "Step %u of chain “%s” (%s) has no model file", i + 1, self->name, s->name);
          return FALSE;
        }
      sub = load_file_entry (s->path != NULL ? s->path : s->abs_path, s->abs_path, SVD_CHAIN_LOAD_DEFAULT,
                             &is_preset, error);
      if (sub == NULL)
        return FALSE;
      if (self->steps->len - 1 + sub->steps->len > SVD_CHAIN_MAX_STEPS)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "The chain has more than %d steps", SVD_CHAIN_MAX_STEPS);
          return FALSE;
        }
      g_ptr_array_remove_index (self->steps, i);
      for (guint k = 0; sub->steps->len > 0; k++)
        g_ptr_array_insert (self->steps, i + k, g_ptr_array_steal_index (sub->steps, 0));
    }
  return TRUE;
}

/**
 * svd_chain_get_label:
 *
 * Returns: (transfer full): the steps' names joined by " + ", for display
 *   only (svd_chain_to_string() gives text that reads back)
 */
char *
svd_chain_get_label (const SvdChain *self)
{
  g_autoptr(GString) label = g_string_new (NULL);

  for (guint i = 0; i < self->steps->len; i++)
    {
      const SvdChainStep *s = g_ptr_array_index (self->steps, i);

      g_string_append_printf (label, "%s%s", i ? " + " : "", s->name);
    }
  return g_string_free (g_steal_pointer (&label), FALSE);
}

/**
 * svd_chain_get_scale:
 *
 * Returns: the product of the steps' factors (model steps count with
 *   their recorded scale, loaded or not)
 */
double
svd_chain_get_scale (const SvdChain *self)
{
  double scale = 1;

  for (guint i = 0; i < self->steps->len; i++)
    {
      const SvdChainStep *s = g_ptr_array_index (self->steps, i);

      if (s->type == SVD_CHAIN_STEP_RESIZE)
        scale *= s->resize_scale;
      else
        scale *= s->model != NULL ? s->model->scale : MAX (s->scale, 1);
    }
  return scale;
}

/**
 * svd_chain_get_gflop:
 *
 * Returns: the learned steps' GFLOP per frame of @width × @height (models
 *   not loaded count 0)
 */
double
svd_chain_get_gflop (const SvdChain *self,
                     int             width,
                     int             height)
{
  double gflop = 0, w = width, h = height;

  for (guint i = 0; i < self->steps->len; i++)
    {
      const SvdChainStep *s = g_ptr_array_index (self->steps, i);
      double f;

      if (s->type == SVD_CHAIN_STEP_RESIZE)
        f = s->resize_scale;
      else
        {
          if (s->model != NULL)
            gflop += svd_model_get_gflop (s->model, (int) w, (int) h);
          f = s->model != NULL ? s->model->scale : MAX (s->scale, 1);
        }
      w *= f;
      h *= f;
    }
  return gflop;
}
