/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-animejanai"

#include "svd-animejanai.h"
#include "export/svd-onnx-export.h"
#include "model/svd-graph.h"
#include "core/svd-error.h"
#include "core/svd-output.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Key names follow animejanai_config.py of mpv-upscale-2x_animejanai:
 * profile_name, chain_N_{min,max}_resolution (WxH), chain_N_{min,max}_fps,
 * chain_N_model_M_resize_height_before_upscale,
 * chain_N_model_M_resize_factor_before_upscale (percent),
 * chain_N_model_M_name (an ONNX basename in animejanai/onnx/), chain_N_rife.
 *
 * The player reads the file with Python's configparser: a line break in a
 * value would start a new key or `[section]`, a value's outer whitespace
 * is dropped and `%` starts an interpolation. So the profile name loses
 * control characters and doubles `%`, and model names are reduced to a
 * safe file-name alphabet (no `/`, no leading `.`).
 */

void
svd_animejanai_slot_clear (SvdAnimeJaNaiSlot *slot)
{
  g_clear_pointer (&slot->profile_name, g_free);
  for (int i = 0; i < SVD_ANIMEJANAI_MAX_MODELS; i++)
    g_clear_pointer (&slot->model_names[i], g_free);
  slot->n_models = 0;
}

static char *
fmt_num (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.9g", v));
}

/**
 * svd_animejanai_slot_to_data:
 * Returns: (transfer full): the `[slot_N]` section text
 */
/* The profile name as a configparser value that reads back as itself
 * (less control characters and outer spaces). */
static char *
escape_value (const char *v)
{
  g_autofree char *valid = g_utf8_make_valid (v != NULL ? v : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_c (out, ' ');
      else if (*p == '%')
        g_string_append (out, "%%");
      else
        g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}

static gboolean
is_precision_token (const char *t,
                    gsize       len)
{
  static const char *const tokens[] = { "fp16", "fp32", "f16", "f32", "half", "float16", "float32" };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    if (len == strlen (tokens[i]) && g_ascii_strncasecmp (t, tokens[i], len) == 0)
      return TRUE;
  return FALSE;
}

/**
 * svd_animejanai_file_name:
 * @name: a step's name
 * @fp16: the precision the file is written in
 *
 * The ONNX basename (without `.onnx`) for a model: only `A-Z a-z 0-9 . _ +
 * -`, no leading `.`, and a precision tag true to @fp16: a tag already in
 * the name (`fp16`, `fp32`, `f16`… between `_` or `-`) is replaced, else
 * `_fp16` or `_fp32` is appended.
 *
 * Returns: (transfer full): the basename
 */
char *
svd_animejanai_file_name (const char *name,
                          gboolean    fp16)
{
  const char *tag = fp16 ? "fp16" : "fp32";
  GString *out = g_string_new (NULL);
  gboolean tagged = FALSE;
  const char *p = name != NULL ? name : "";

  while (TRUE)
    {
      gsize len = strcspn (p, "_-");

      if (is_precision_token (p, len))
        {
          g_string_append (out, tag);
          tagged = TRUE;
        }
      else
        for (gsize i = 0; i < len; i++)
          g_string_append_c (out, g_ascii_isalnum (p[i]) || p[i] == '.' || p[i] == '+' ? p[i] : '_');
      if (p[len] == '\0')
        break;
      g_string_append_c (out, p[len]);
      p += len + 1;
    }
  if (out->len == 0)
    g_string_append (out, "model");
  if (out->str[0] == '.')
    out->str[0] = '_';
  if (!tagged)
    g_string_append_printf (out, "_%s", tag);
  return g_string_free (out, FALSE);
}

char *
svd_animejanai_slot_to_data (const SvdAnimeJaNaiSlot *s)
{
  GString *out = g_string_new (NULL);
  g_autofree char *minf = fmt_num (s->min_fps);
  g_autofree char *maxf = fmt_num (s->max_fps);
  g_autofree char *profile = escape_value (s->profile_name);

  g_string_append_printf (out, "[slot_%d]\nprofile_name=%s\n", s->slot, profile);
  g_string_append_printf (out, "chain_1_min_resolution=%dx%d\n", s->min_width, s->min_height);
  g_string_append_printf (out, "chain_1_max_resolution=%dx%d\n", s->max_width, s->max_height);
  g_string_append_printf (out, "chain_1_min_fps=%s\nchain_1_max_fps=%s\n", minf, maxf);
  for (int m = 0; m < s->n_models; m++)
    {
      g_autofree char *f = fmt_num (s->resize_factor[m]);

      g_string_append_printf (out, "chain_1_model_%d_resize_height_before_upscale=%d\n", m + 1, s->resize_height[m]);
      g_string_append_printf (out, "chain_1_model_%d_resize_factor_before_upscale=%s\n", m + 1, f);
      g_string_append_printf (out, "chain_1_model_%d_name=%s\n", m + 1, s->model_names[m]);
    }
  g_string_append (out, "chain_1_rife=no\n");
  return g_string_free (out, FALSE);
}

static gboolean
parse_res (const char *v,
           int        *w,
           int        *h)
{
  char *end;
  long a, b;

  if (*v == '\0')
    {
      *w = *h = 0;
      return TRUE;
    }
  a = strtol (v, &end, 10);
  if (end == v || *end != 'x' || a < 0 || a > 65536)
    return FALSE;
  v = end + 1;
  b = strtol (v, &end, 10);
  if (end == v || *end != '\0' || b < 0 || b > 65536)
    return FALSE;
  *w = (int) a;
  *h = (int) b;
  return TRUE;
}

static gboolean
parse_num (const char *v,
           double     *out)
{
  char *end;

  *out = g_ascii_strtod (v, &end);
  return end != v && *end == '\0' && isfinite (*out) && *out >= 0;
}

/**
 * svd_animejanai_slot_parse:
 * @data: text holding exactly one `[slot_N]` section with one chain
 * @length: its length or -1
 * @slot: (out caller-allocates): the section; clear it with
 *   svd_animejanai_slot_clear() (also after a failure)
 * @error: return location for an error
 *
 * A strict reader for what svd_animejanai_export() writes: unknown keys,
 * duplicate keys, bad numbers and gaps in the model numbering are errors.
 */
gboolean
svd_animejanai_slot_parse (const char         *data,
                           gssize              length,
                           SvdAnimeJaNaiSlot  *slot,
                           GError            **error)
{
  g_autofree char *text = g_strndup (data, length < 0 ? strlen (data) : (gsize) length);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean have_section = FALSE;
  guint seen_model_keys[SVD_ANIMEJANAI_MAX_MODELS] = { 0 };

  memset (slot, 0, sizeof *slot);
  for (int i = 0; i < SVD_ANIMEJANAI_MAX_MODELS; i++)
    slot->resize_factor[i] = 100;
  for (guint ln = 0; lines[ln] != NULL; ln++)
    {
      char *line = g_strstrip (lines[ln]);
      char *eq, *key, *val;
      int m;

      if (*line == '\0' || *line == '#' || *line == ';')
        continue;
      if (*line == '[')
        {
          char *end;
          long n;

          if (have_section || !g_str_has_prefix (line, "[slot_"))
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           "Line %u: expected exactly one [slot_N] section, got “%s”", ln + 1, line);
              return FALSE;
            }
          n = strtol (line + 6, &end, 10);
          if (end == line + 6 || strcmp (end, "]") != 0 || n < SVD_ANIMEJANAI_MIN_SLOT || n > SVD_ANIMEJANAI_MAX_SLOT)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Line %u: bad section header “%s”", ln + 1, line);
              return FALSE;
            }
          slot->slot = (int) n;
          have_section = TRUE;
          continue;
        }
      if (!have_section || (eq = strchr (line, '=')) == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Line %u: expected key=value inside a [slot_N] section", ln + 1);
          return FALSE;
        }
      *eq = '\0';
      key = g_strstrip (line);
      val = g_strstrip (eq + 1);
      if (!g_hash_table_add (seen, g_strdup (key)))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Line %u: “%s” appears twice", ln + 1, key);
          return FALSE;
        }
      if (strcmp (key, "profile_name") == 0)
        {
          GString *name = g_string_new (NULL);

          /* configparser's interpolation: "%%" is "%"; a lone "%" fails. */
          for (const char *p = val; *p != '\0'; p++)
            {
              if (*p == '%' && p[1] != '%')
                {
                  g_string_free (name, TRUE);
                  goto bad_value;
                }
              g_string_append_c (name, *p);
              if (*p == '%')
                p++;
            }
          slot->profile_name = g_string_free (name, FALSE);
        }
      else if (strcmp (key, "chain_1_min_resolution") == 0 || strcmp (key, "chain_1_max_resolution") == 0)
        {
          gboolean is_min = key[8] == 'i';

          if (!parse_res (val, is_min ? &slot->min_width : &slot->max_width,
                          is_min ? &slot->min_height : &slot->max_height))
            goto bad_value;
        }
      else if (strcmp (key, "chain_1_min_fps") == 0)
        {
          if (!parse_num (val, &slot->min_fps))
            goto bad_value;
        }
      else if (strcmp (key, "chain_1_max_fps") == 0)
        {
          if (!parse_num (val, &slot->max_fps))
            goto bad_value;
        }
      else if (strcmp (key, "chain_1_rife") == 0)
        {
          if (strcmp (val, "no") != 0 && strcmp (val, "yes") != 0)
            goto bad_value;
        }
      else if (sscanf (key, "chain_1_model_%d_", &m) == 1 && m >= 1 && m <= SVD_ANIMEJANAI_MAX_MODELS)
        {
          g_autofree char *prefix = g_strdup_printf ("chain_1_model_%d_", m);
          const char *rest = key + strlen (prefix);

          if (!g_str_has_prefix (key, prefix))
            goto bad_key;
          if (strcmp (rest, "name") == 0)
            {
              if (*val == '\0' || *val == '.' || strspn (val, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                                "0123456789._+-") != strlen (val))
                goto bad_value;
              slot->model_names[m - 1] = g_strdup (val);
              seen_model_keys[m - 1] |= 1;
            }
          else if (strcmp (rest, "resize_factor_before_upscale") == 0)
            {
              if (!parse_num (val, &slot->resize_factor[m - 1]) || slot->resize_factor[m - 1] <= 0)
                goto bad_value;
              seen_model_keys[m - 1] |= 2;
            }
          else if (strcmp (rest, "resize_height_before_upscale") == 0)
            {
              double h;

              if (!parse_num (val, &h) || h != floor (h) || h > 65536)
                goto bad_value;
              slot->resize_height[m - 1] = (int) h;
              seen_model_keys[m - 1] |= 4;
            }
          else
            goto bad_key;
          slot->n_models = MAX (slot->n_models, m);
        }
      else
        goto bad_key;
      continue;

bad_key:
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Line %u: unknown key “%s”", ln + 1, key);
      return FALSE;
bad_value:
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Line %u: bad value “%s” for “%s”", ln + 1, val, key);
      return FALSE;
    }
  if (!have_section)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "No [slot_N] section");
      return FALSE;
    }
  if (slot->n_models == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Slot %d has no chain_1_model_1_name", slot->slot);
      return FALSE;
    }
  for (int m = 0; m < slot->n_models; m++)
    if (slot->model_names[m] == NULL)
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                     "Slot %d: chain_1_model_%d_name is missing (models must be numbered from 1 without gaps)",
                     slot->slot, m + 1);
        return FALSE;
      }
  return TRUE;
}

/**
 * svd_animejanai_planned_files:
 * @chain: the chain (its models need not be loaded)
 * @ranges: the slot; its fp32 flag picks the file names
 * @out_dir: the export folder
 * @error: return location for an error
 *
 * Every file svd_animejanai_export() would write for @chain, in the order
 * it writes them: `onnx/NAME.onnx` per model, then `animejanai.conf`.
 * Two different models whose file names would be the same are refused:
 * the second would replace the first, and the conf would name one file
 * twice.
 *
 * Returns: (transfer full) (element-type utf8): the paths, or %NULL with
 *   @error set
 */
GPtrArray *
svd_animejanai_planned_files (const SvdChain           *chain,
                              const SvdAnimeJaNaiSlot  *ranges,
                              const char               *out_dir,
                              GError                  **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < chain->steps->len; i++)
    {
      const SvdChainStep *st = g_ptr_array_index (chain->steps, i);
      g_autofree char *base = NULL;
      g_autofree char *file = NULL;
      char *path;
      const char *source, *seen;

      if (st->type == SVD_CHAIN_STEP_RESIZE)
        continue;
      base = svd_animejanai_file_name (st->name, !ranges->fp32);
      file = g_strconcat (base, ".onnx", NULL);
      path = g_build_filename (out_dir, "onnx", file, NULL);
      source = st->abs_path != NULL ? st->abs_path : st->name;
      seen = g_hash_table_lookup (sources, path);
      if (seen != NULL)
        {
          if (g_strcmp0 (seen, source) != 0)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                           "Two models of the chain (“%s” and “%s”) would both be written as “%s”; "
                           "rename one of them", seen, source, path);
              g_free (path);
              return NULL;
            }
          g_free (path);
          continue;
        }
      g_hash_table_insert (sources, g_strdup (path), g_strdup (source));
      g_ptr_array_add (files, path);
    }
  g_ptr_array_add (files, g_build_filename (out_dir, "animejanai.conf", NULL));
  return g_steal_pointer (&files);
}

/* Refuses, before anything is written, an export file that is one of the
 * chain's model files (device and inode, through links): re-exporting
 * from an earlier export's onnx/ folder into the same folder would
 * replace the model being read. Whether existing files may be replaced is
 * the caller's question (the CLI asks for --force). */
static gboolean
check_not_inputs (const SvdChain *chain,
                  GPtrArray      *files,
                  GError        **error)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();

  for (guint i = 0; i < chain->steps->len; i++)
    {
      const SvdChainStep *st = g_ptr_array_index (chain->steps, i);

      if (st->abs_path != NULL)
        g_ptr_array_add (inputs, st->abs_path);
    }
  g_ptr_array_add (inputs, NULL);
  for (guint i = 0; i < files->len; i++)
    if (g_file_test (g_ptr_array_index (files, i), G_FILE_TEST_EXISTS) &&
        !svd_output_check (g_ptr_array_index (files, i), (const char *const *) inputs->pdata,
                           SVD_OUTPUT_FORCE, error))
      return FALSE;
  return TRUE;
}

/**
 * svd_animejanai_export:
 * @chain: the chain; model steps need their models
 * @ranges: the slot number, profile name and source ranges to write
 * @out_dir: the folder: writes `animejanai.conf` (the slot section, to
 *   merge into the user's file) and `onnx/NAME.onnx` per model, fp16
 *   unless @ranges->fp32 (see svd_animejanai_file_name())
 * @written: (out caller-allocates) (optional): what was written
 * @error: return location for an error
 *
 * A resize step before a model becomes that model's
 * `resize_factor_before_upscale`; AnimeJaNai picks its own resampler, so
 * the filter is not kept, and a resize after the last model cannot be
 * expressed.
 */
gboolean
svd_animejanai_export (const SvdChain          *chain,
                       const SvdAnimeJaNaiSlot *ranges,
                       const char              *out_dir,
                       SvdAnimeJaNaiSlot       *written,
                       GError                 **error)
{
  SvdAnimeJaNaiSlot s = *ranges;
  g_autofree char *onnx_dir = g_build_filename (out_dir, "onnx", NULL);
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = g_build_filename (out_dir, "animejanai.conf", NULL);
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) planned = NULL;
  double pending = 100;

  s.profile_name = g_strdup (ranges->profile_name != NULL ? ranges->profile_name : chain->name);
  s.n_models = 0;
  memset (s.model_names, 0, sizeof s.model_names);
  if (s.slot < SVD_ANIMEJANAI_MIN_SLOT || s.slot > SVD_ANIMEJANAI_MAX_SLOT)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "AnimeJaNai slot %d is out of range: use %d to %d (the player's keys); slots 1001-1003 and "
                   "1010-1012 hold its built-in profiles (Quality, Balanced, Performance…), which an export "
                   "never replaces", s.slot, SVD_ANIMEJANAI_MIN_SLOT, SVD_ANIMEJANAI_MAX_SLOT);
      goto fail;
    }
  planned = svd_animejanai_planned_files (chain, ranges, out_dir, error);
  if (planned == NULL || !check_not_inputs (chain, planned, error))
    goto fail;
  if (g_mkdir_with_parents (onnx_dir, 0755) != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create “%s”: %s", onnx_dir, g_strerror (errno));
      goto fail;
    }
  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *st = g_ptr_array_index (chain->steps, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;

      if (st->type == SVD_CHAIN_STEP_RESIZE)
        {
          pending *= st->resize_scale;
          continue;
        }
      if (s.n_models == SVD_ANIMEJANAI_MAX_MODELS || st->model == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       st->model == NULL ? "Step %u has no loaded model" : "Too many models (step %u)", i + 1);
          goto fail;
        }
      /* A graph model (SPAN…) goes as the ONNX file it came from, which
       * AnimeJaNai runs as is. */
      if (st->model->graph != NULL)
        bytes = g_bytes_ref (svd_graph_source_get_bytes (st->model->graph));
      else
        bytes = svd_onnx_export_model_precision (st->model, !s.fp32, error);
      if (bytes == NULL)
        goto fail;
      s.model_names[s.n_models] = svd_animejanai_file_name (st->name, st->model->graph != NULL ?
                                                            st->model->stored_precision != SVD_STORAGE_FP32 :
                                                            !s.fp32);
      file = g_strconcat (s.model_names[s.n_models], ".onnx", NULL);
      path = g_build_filename (onnx_dir, file, NULL);
      if (!svd_onnx_save (bytes, path, error))
        goto fail;
      s.resize_factor[s.n_models] = pending;
      s.resize_height[s.n_models] = 0;
      s.n_models++;
      pending = 100;
    }
  if (pending != 100 || s.n_models == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   s.n_models == 0 ? "The chain has no models" :
                   "AnimeJaNai resizes only before a model; remove the resize after the last model");
      goto fail;
    }
  conf = svd_animejanai_slot_to_data (&s);
  if (!g_file_set_contents (conf_path, conf, -1, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", conf_path, local->message);
      goto fail;
    }
  if (written != NULL)
    *written = s;
  else
    svd_animejanai_slot_clear (&s);
  return TRUE;

fail:
  svd_animejanai_slot_clear (&s);
  return FALSE;
}
