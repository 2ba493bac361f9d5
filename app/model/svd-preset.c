/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-preset"

#include "svd-config.h"

#include "svd-preset.h"
#include "svd-chain-private.h"
#include "core/svd-error.h"
#include "core/svd-file.h"
#include "core/svd-json-depth.h"
#include "core/svd-limits.h"

#include <json-glib/json-glib.h>

#include <math.h>
#include <string.h>

/**
 * svd_preset_to_data:
 * @chain: a chain
 * @base_dir: (nullable): the folder the preset will be saved in; model
 *   paths are written relative to it
 * @length: (out) (optional): the length
 *
 * Serialises with a fixed key order and formatting, so writing a preset that
 * was read gives the same bytes.
 *
 * Returns: (transfer full): the JSON text, ending in a newline
 */
char *
svd_preset_to_data (const SvdChain *chain,
                    const char     *base_dir,
                    gsize          *length)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  char *out;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, SVD_PRESET_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, SVD_PRESET_VERSION);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, chain->name);
  json_builder_set_member_name (b, "created_by");
  json_builder_add_string_value (b, chain->created_by);
  json_builder_set_member_name (b, "precision");
  json_builder_add_string_value (b, chain->precision);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *s = g_ptr_array_index (chain->steps, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      if (s->type == SVD_CHAIN_STEP_MODEL)
        {
          g_autofree char *path = NULL;

          if (s->abs_path != NULL)
            path = svd_chain_relative_path (s->abs_path, base_dir);
          else
            path = g_strdup (s->path != NULL ? s->path : "");
          json_builder_add_string_value (b, "model");
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, s->name);
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, path);
          json_builder_set_member_name (b, "sha256");
          json_builder_add_string_value (b, s->sha256 != NULL ? s->sha256 : "");
          json_builder_set_member_name (b, "nf");
          json_builder_add_int_value (b, s->nf);
          json_builder_set_member_name (b, "num_conv");
          json_builder_add_int_value (b, s->num_conv);
          json_builder_set_member_name (b, "scale");
          json_builder_add_int_value (b, s->scale);
        }
      else
        {
          json_builder_add_string_value (b, "resize");
          json_builder_set_member_name (b, "filter");
          json_builder_add_string_value (b, svd_resize_filter_name (s->filter));
          json_builder_set_member_name (b, "scale");
          json_builder_add_double_value (b, s->resize_scale);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (chain->has_target)
    {
      json_builder_set_member_name (b, "target");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "device");
      json_builder_add_string_value (b, chain->target_device != NULL ? chain->target_device : "");
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, chain->target_width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, chain->target_height);
      json_builder_set_member_name (b, "fps");
      json_builder_add_double_value (b, chain->target_fps);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, NULL);
  out = g_strconcat (text, "\n", NULL);
  if (length != NULL)
    *length = strlen (out);
  return out;
}

gboolean
svd_preset_save (const SvdChain  *chain,
                 const char      *path,
                 GError         **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  g_autoptr(GError) local = NULL;
  gsize len;

  for (guint i = 0; i < chain->steps->len; i++)
    {
      const SvdChainStep *s = g_ptr_array_index (chain->steps, i);

      if (s->type == SVD_CHAIN_STEP_MODEL && s->abs_path == NULL && s->path == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Step %u of chain “%s” (%s) has no model file for the preset to name", i + 1,
                       chain->name, s->name);
          return FALSE;
        }
    }
  data = svd_preset_to_data (chain, dir, &len);
  if (!g_file_set_contents (path, data, len, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write the preset “%s”: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

/* Strict member access: every problem names the step and the member. */
static gboolean
check_members (JsonObject   *o,
               const char   *where,
               const char  **allowed,
               GError      **error)
{
  g_autoptr(GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                     "Preset %s: unknown member “%s” (this SVD Studio reads preset version %d)",
                     where, (const char *) l->data, SVD_PRESET_VERSION);
        return FALSE;
      }
  return TRUE;
}

static const char *
get_string (JsonObject  *o,
            const char  *member,
            const char  *where,
            GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset %s: “%s” must be a string", where, member);
      return NULL;
    }
  /* The file is checked to be UTF-8, but json-glib decodes an unpaired
   * surrogate escape ("\ud800") into bytes that are not: such a name
   * would be written back (presets, animejanai.conf) as invalid text. */
  if (!g_utf8_validate (json_node_get_string (n), -1, NULL))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset %s: “%s” is not valid UTF-8 text (an unpaired \\u surrogate escape?)", where, member);
      return NULL;
    }
  return json_node_get_string (n);
}

static gboolean
get_int (JsonObject  *o,
         const char  *member,
         const char  *where,
         gint64       lo,
         gint64       hi,
         int         *out,
         GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);
  gint64 v;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset %s: “%s” must be an integer", where, member);
      return FALSE;
    }
  v = json_node_get_int (n);
  if (v < lo || v > hi)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset %s: “%s” is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT " to %"
                   G_GINT64_FORMAT, where, member, v, lo, hi);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

static gboolean
get_number (JsonObject  *o,
            const char  *member,
            const char  *where,
            double      *out,
            GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);
  GType t = n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;

  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset %s: “%s” must be a number", where, member);
      return FALSE;
    }
  *out = t == G_TYPE_INT64 ? (double) json_node_get_int (n) : json_node_get_double (n);
  if (!isfinite (*out))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Preset %s: “%s” is not finite", where, member);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_model_step (JsonObject         *o,
                  const char         *where,
                  const char         *base_dir,
                  SvdChainLoadFlags  flags,
                  SvdChainStep       *s,
                  GError            **error)
{
  static const char *allowed[] = { "type", "name", "path", "sha256", "nf", "num_conv", "scale", NULL };
  const char *name, *path, *sha;

  if (!check_members (o, where, allowed, error) ||
      (name = get_string (o, "name", where, error)) == NULL ||
      (path = get_string (o, "path", where, error)) == NULL ||
      (sha = get_string (o, "sha256", where, error)) == NULL ||
      /* nf 0: a graph-IR model (SPAN…), which has no single width. */
      !get_int (o, "nf", where, 0, 1024, &s->nf, error) ||
      !get_int (o, "num_conv", where, 0, 64, &s->num_conv, error) ||
      !get_int (o, "scale", where, 1, 4, &s->scale, error))
    return FALSE;
  if (*path == '\0')
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Preset %s: the model path is empty", where);
      return FALSE;
    }
  if (*sha != '\0' && (strlen (sha) != 64 || strspn (sha, "0123456789abcdef") != 64))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset %s: “sha256” must be 64 lowercase hex digits or empty", where);
      return FALSE;
    }
  s->name = g_strdup (name);
  s->path = g_strdup (path);
  s->sha256 = g_strdup (sha);
  s->abs_path = g_canonicalize_filename (path, base_dir);
  {
    /* "." or "a/.." names the preset's own folder: written back relative
     * to that folder it would be the empty path (found by fuzz-preset). */
    g_autofree char *folder = base_dir != NULL ? g_canonicalize_filename (base_dir, NULL) : NULL;

    if (folder != NULL && strcmp (s->abs_path, folder) == 0)
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                     "Preset %s: the model path “%s” names the preset's own folder, not a model file", where,
                     path);
        return FALSE;
      }
  }

  if (flags & SVD_CHAIN_LOAD_NO_MODELS)
    return TRUE;
  if (!g_file_test (s->abs_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO,
                   "Preset %s: the model file “%s” (%s) does not exist; put it back or edit the "
                   "preset's path", where, path, s->abs_path);
      return FALSE;
    }
  if (*sha != '\0')
    {
      g_autofree char *actual = svd_file_sha256 (s->abs_path, error);

      if (actual == NULL)
        return FALSE;
      if (strcmp (actual, sha) != 0)
        {
          if (!(flags & SVD_CHAIN_LOAD_IGNORE_HASH))
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                           "Preset %s: the model file “%s” changed since the preset was made (SHA-256 %s, "
                           "the preset says %s); re-export the preset or restore the file",
                           where, path, actual, sha);
              return FALSE;
            }
          g_warning ("Preset %s: the model file “%s” changed since the preset was made (SHA-256 %s, "
                     "the preset says %s)", where, path, actual, sha);
        }
    }
  s->model = svd_model_load (s->abs_path, error);
  if (s->model == NULL)
    return FALSE;
  if (s->model->nf != s->nf || s->model->num_conv != s->num_conv || s->model->scale != s->scale)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "Preset %s: the model “%s” has nf %d, %d body convs, scale %d; the preset expects "
                   "nf %d, %d, scale %d", where, path, s->model->nf, s->model->num_conv, s->model->scale,
                   s->nf, s->num_conv, s->scale);
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_preset_parse:
 * @data: the preset's JSON text
 * @length: its length, or -1 when NUL-terminated
 * @base_dir: (nullable): the folder relative model paths start from
 * @flags: what to check and load
 * @error: return location for an error
 *
 * Reads a preset strictly: unknown members, versions or step types are
 * errors, so a preset from a newer release is never half-understood.
 *
 * Returns: (transfer full) (nullable): the chain
 */
SvdChain *
svd_preset_parse (const char          *data,
                  gssize               length,
                  const char          *base_dir,
                  SvdChainLoadFlags   flags,
                  GError             **error)
{
  static const char *allowed[] = { "format", "version", "name", "created_by", "precision", "steps",
                                   "target", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(SvdChain) chain = NULL;
  /* g_canonicalize_filename() needs an absolute folder to start from. */
  g_autofree char *base = base_dir != NULL ? g_canonicalize_filename (base_dir, NULL) : NULL;
  JsonNode *root, *n;
  JsonObject *o;
  JsonArray *steps;
  const char *s;
  int version;

  if (!svd_json_check_depth (data, length, SVD_LIMIT_JSON_DEPTH, "The preset", error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, length, &local))
    {
      g_autofree char *shown = svd_json_error_text (local);

      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The preset is not valid JSON: %s", shown);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The preset must be a JSON object");
      return NULL;
    }
  o = json_node_get_object (root);
  if ((s = get_string (o, "format", "header", error)) == NULL)
    return NULL;
  if (strcmp (s, SVD_PRESET_FORMAT) != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "This is not an SVD Studio chain preset (format “%s”, expected “%s”)", s, SVD_PRESET_FORMAT);
      return NULL;
    }
  if (!get_int (o, "version", "header", 1, G_MAXINT, &version, error))
    return NULL;
  if (version != SVD_PRESET_VERSION)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The preset is version %d; this SVD Studio reads version %d. Update SVD Studio to read it",
                   version, SVD_PRESET_VERSION);
      return NULL;
    }
  if (!check_members (o, "header", allowed, error) || (s = get_string (o, "name", "header", error)) == NULL)
    return NULL;
  chain = svd_chain_new (s);
  if ((s = get_string (o, "created_by", "header", error)) == NULL)
    return NULL;
  g_free (chain->created_by);
  chain->created_by = g_strdup (s);
  if ((s = get_string (o, "precision", "header", error)) == NULL)
    return NULL;
  if (strcmp (s, "fp32") != 0 && strcmp (s, "fp16") != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset header: “precision” is “%s”, expected “fp32” or “fp16”", s);
      return NULL;
    }
  g_free (chain->precision);
  chain->precision = g_strdup (s);

  n = json_object_get_member (o, "steps");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n) || json_array_get_length (json_node_get_array (n)) == 0 ||
      json_array_get_length (json_node_get_array (n)) > SVD_CHAIN_MAX_STEPS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Preset: “steps” must be an array of 1 to %d steps", SVD_CHAIN_MAX_STEPS);
      return NULL;
    }
  steps = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonNode *sn = json_array_get_element (steps, i);
      g_autofree char *where = g_strdup_printf ("step %u", i + 1);
      SvdChainStep *step;
      JsonObject *so;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (sn))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Preset %s: must be an object", where);
          return NULL;
        }
      so = json_node_get_object (sn);
      if ((type = get_string (so, "type", where, error)) == NULL)
        return NULL;
      step = g_new0 (SvdChainStep, 1);
      g_ptr_array_add (chain->steps, step);
      if (strcmp (type, "model") == 0)
        {
          step->type = SVD_CHAIN_STEP_MODEL;
          if (!parse_model_step (so, where, base, flags, step, error))
            return NULL;
        }
      else if (strcmp (type, "resize") == 0)
        {
          static const char *rallowed[] = { "type", "filter", "scale", NULL };
          const char *f;

          step->type = SVD_CHAIN_STEP_RESIZE;
          if (!check_members (so, where, rallowed, error) ||
              (f = get_string (so, "filter", where, error)) == NULL ||
              !get_number (so, "scale", where, &step->resize_scale, error))
            return NULL;
          if (!svd_resize_filter_from_name (f, &step->filter))
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           "Preset %s: unknown filter “%s” (nearest, bilinear, bicubic or lanczos)", where, f);
              return NULL;
            }
          if (!(step->resize_scale >= 0.125 && step->resize_scale <= 8))
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           "Preset %s: resize scale %g is outside 0.125 to 8", where, step->resize_scale);
              return NULL;
            }
          step->name = g_strdup_printf ("%s %gx", f, step->resize_scale);
        }
      else
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Preset %s: unknown step type “%s” (model or resize)", where, type);
          return NULL;
        }
    }

  n = json_object_get_member (o, "target");
  if (n != NULL)
    {
      static const char *tallowed[] = { "device", "width", "height", "fps", NULL };
      JsonObject *t;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Preset: “target” must be an object");
          return NULL;
        }
      t = json_node_get_object (n);
      if (!check_members (t, "target", tallowed, error) ||
          (s = get_string (t, "device", "target", error)) == NULL ||
          !get_int (t, "width", "target", 1, 65536, &chain->target_width, error) ||
          !get_int (t, "height", "target", 1, 65536, &chain->target_height, error) ||
          !get_number (t, "fps", "target", &chain->target_fps, error))
        return NULL;
      chain->has_target = TRUE;
      chain->target_device = g_strdup (s);
    }
  return g_steal_pointer (&chain);
}

/**
 * svd_preset_load:
 * @path: a preset file
 * @flags: what to check and load
 * @error: return location for an error; the message names the file
 *
 * Returns: (transfer full) (nullable): the chain, with its models loaded
 *   unless %SVD_CHAIN_LOAD_NO_MODELS
 */
SvdChain *
svd_preset_load (const char          *path,
                 SvdChainLoadFlags   flags,
                 GError             **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *abs = NULL;
  g_autoptr(GError) local = NULL;
  gsize len;
  SvdChain *chain;

  if (!svd_file_read_regular (path, SVD_LIMIT_JSON_FILE_BYTES, &data, &len, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read the preset: %s", local->message);
      return NULL;
    }
  /* A preset given relatively ("presets/x.json") names its models
   * relative to its own folder, wherever the current folder is. */
  abs = g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (abs);
  chain = svd_preset_parse (data, (gssize) len, dir, flags, &local);
  if (chain == NULL)
    {
      g_set_error (error, SVD_ERROR, local->code, "%s: %s", base, local->message);
      return NULL;
    }
  return chain;
}

/**
 * svd_preset_is_preset_file:
 *
 * Returns: whether @path names a chain preset: a `.json` file, or a file
 *   whose first bytes are a JSON object naming the preset format
 */
gboolean
svd_preset_is_preset_file (const char *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  char head[256] = { 0 };
  gssize got;

  if (g_str_has_suffix (path, ".json") || g_str_has_suffix (path, ".JSON"))
    return TRUE;
  /* Sniffing a FIFO would wait for a writer: only regular files. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, NULL);
  if (in == NULL)
    return FALSE;
  got = g_input_stream_read (G_INPUT_STREAM (in), head, sizeof head - 1, NULL, NULL);
  if (got <= 0)
    return FALSE;
  return g_strstr_len (head, got, SVD_PRESET_FORMAT) != NULL && head[strspn (head, " \t\r\n")] == '{';
}
