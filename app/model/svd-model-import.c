/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-model-import"

/* From a state dict to an SvdModel, and svd_model_load(), which picks the
 * reader by magic.
 *
 * SRVGGNetCompact's state dict (chaiNNer spandrel's detection rules):
 *   body.0.weight            [nf, in_ch, 3, 3]   first conv
 *   body.1.weight            [nf]                its PReLU
 *   body.{2k}.weight         [nf, nf, 3, 3]      body conv k (k = 1..num_conv)
 *   body.{2k+1}.weight       [nf]                its PReLU
 *   body.{2·num_conv+2}      [out_ch·s², nf, 3, 3] the last conv
 * so num_conv = (highest index − 2) / 2. The network's activation may be
 * ReLU or LeakyReLU, which have no weights: then the odd indices are absent
 * and the convs sit at body.0, body.2, … all the same; we read them as ReLU
 * (LeakyReLU cannot be told apart from ReLU in a state dict and its slope is
 * not stored, so such files need the ONNX export). Scale: the last conv has
 * out_ch·scale² outputs; out_ch is tried as in_ch, 3, 4, then 1, and the
 * first whose quotient is a perfect square 1–16 wins. */

#include "svd-model-private.h"
#include "svd-state-dict.h"
#include "core/svd-error.h"
#include "core/svd-file.h"
#include "core/svd-limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int
find_scale (gint64 last_out,
            int    out_ch)
{
  if (out_ch <= 0 || last_out % out_ch != 0)
    return 0;
  for (int s = 1; s <= 4; s++)
    if ((gint64) s * s * out_ch == last_out)
      return s;
  return 0;
}

static gboolean
copy_conv (SvdConvLayer     *layer,
           const SvdTensor  *w,
           const SvdTensor  *b)
{
  memcpy (layer->weight, w->data, sizeof (float) * (gsize) layer->out_ch * layer->in_ch * 9);
  memcpy (layer->bias, b->data, sizeof (float) * (gsize) layer->out_ch);
  return TRUE;
}

/**
 * svd_model_from_state_dict:
 * @dict: a state dict with `body.N.weight`/`body.N.bias` keys
 * @error: return location for an error
 *
 * Detects an SRVGGNetCompact network (see the comment at the top of this
 * file) and copies its weights. Keys other than `body.*` are ignored.
 *
 * Returns: (transfer full) (nullable): the model; %SVD_ERROR_MODEL_INVALID
 *   names the key whose shape disagrees
 */
SvdModel *
svd_model_from_state_dict (const SvdStateDict  *dict,
                           GError             **error)
{
  g_autoptr(SvdModel) model = NULL;
  const SvdTensor *w0, *t;
  int highest = -1, in_ch, nf, num_conv, out_ch = 0, scale = 0;
  gboolean prelu;
  gint64 last_out;
  char key[64];

  /* The highest body index, over weights and biases. */
  for (guint i = 0; i < svd_state_dict_get_n_tensors (dict); i++)
    {
      const char *name = svd_state_dict_get_nth (dict, i)->name;
      char *end;
      long idx;

      if (!g_str_has_prefix (name, "body."))
        continue;
      idx = strtol (name + 5, &end, 10);
      if (end == name + 5 || (strcmp (end, ".weight") != 0 && strcmp (end, ".bias") != 0))
        continue;
      if (idx < 0 || idx > 1000)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                       "Key “%s” has an implausible body index", name);
          return NULL;
        }
      highest = MAX (highest, (int) idx);
    }
  if (highest < 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "Not an SRVGGNetCompact state dict: no “body.N.weight” keys "
                   "(SVD Studio runs Real-ESRGAN Compact models)");
      return NULL;
    }

  if ((w0 = svd_state_dict_require (dict, "body.0.weight", 4, (gint64[]) { -1, -1, 3, 3 }, error)) == NULL)
    return NULL;
  nf = (int) w0->shape[0];
  in_ch = (int) w0->shape[1];

  /* PReLU weights sit at the odd indices; without them the net used a
   * weightless activation (ReLU). */
  prelu = svd_state_dict_lookup (dict, "body.1.weight") != NULL;
  if (prelu)
    {
      if (highest < 2 || highest % 2 != 0)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                       "The highest body index is %d; an SRVGGNetCompact with PReLU ends on an "
                       "even index ≥ 2 (its last conv)", highest);
          return NULL;
        }
      num_conv = (highest - 2) / 2;
    }
  else
    {
      /* ReLU: convs at body.0, body.2, … are not renumbered by torch
       * because the ReLU modules still occupy the odd indices. */
      if (highest < 2 || highest % 2 != 0)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                       "The highest body index is %d; expected the last conv at an even index ≥ 2",
                       highest);
          return NULL;
        }
      num_conv = (highest - 2) / 2;
    }

  g_snprintf (key, sizeof key, "body.%d.weight", highest);
  if ((t = svd_state_dict_require (dict, key, 4, (gint64[]) { -1, nf, 3, 3 }, error)) == NULL)
    return NULL;
  last_out = t->shape[0];
  {
    const int tries[] = { in_ch, 3, 4, 1 };

    for (gsize i = 0; i < G_N_ELEMENTS (tries) && scale == 0; i++)
      if ((scale = find_scale (last_out, tries[i])) != 0)
        out_ch = tries[i];
  }
  if (scale == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "“%s” has %" G_GINT64_FORMAT " output channels, which is not out_ch·scale² for "
                   "out_ch %d, 3, 4 or 1 and scale 1–4", key, last_out, in_ch);
      return NULL;
    }

  model = svd_model_new (in_ch, out_ch, nf, num_conv, scale, error);
  if (model == NULL)
    return NULL;
  model->activation = prelu ? SVD_ACTIVATION_PRELU : SVD_ACTIVATION_RELU;

  for (int l = 0; l < model->n_layers; l++)
    {
      SvdConvLayer *layer = &model->layers[l];
      int idx = 2 * l;
      const SvdTensor *w, *b;

      g_snprintf (key, sizeof key, "body.%d.weight", idx);
      if ((w = svd_state_dict_require (dict, key, 4,
                                       (gint64[]) { layer->out_ch, layer->in_ch, 3, 3 }, error)) == NULL)
        return NULL;
      g_snprintf (key, sizeof key, "body.%d.bias", idx);
      if ((b = svd_state_dict_require (dict, key, 1, (gint64[]) { layer->out_ch }, error)) == NULL)
        return NULL;
      copy_conv (layer, w, b);

      if (layer->slope != NULL)
        {
          g_snprintf (key, sizeof key, "body.%d.weight", idx + 1);
          if (prelu)
            {
              const SvdTensor *a = svd_state_dict_lookup (dict, key);

              /* nn.PReLU(num_parameters=nf) stores [nf]; a shared PReLU()
               * stores [1], which we broadcast. */
              if (a != NULL && a->ndim == 1 && a->shape[0] == 1)
                {
                  for (int c = 0; c < layer->out_ch; c++)
                    layer->slope[c] = a->data[0];
                  continue;
                }
              if ((a = svd_state_dict_require (dict, key, 1, (gint64[]) { layer->out_ch }, error)) == NULL)
                return NULL;
              memcpy (layer->slope, a->data, sizeof (float) * layer->out_ch);
            }
          else if (svd_state_dict_lookup (dict, key) != NULL)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                           "“%s” is present but “body.1.weight” is not: the activations disagree", key);
              return NULL;
            }
        }
    }

  if (g_hash_table_size (svd_state_dict_get_metadata (dict)) > 0)
    {
      GHashTableIter it;
      gpointer k, v;

      model->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&it, svd_state_dict_get_metadata (dict));
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (model->metadata, g_strdup (k), g_strdup (v));
    }
  model->stored_precision = w0->dtype;
  model->source_format = svd_state_dict_get_format (dict);
  if (!svd_model_validate (model, error))
    return NULL;
  return g_steal_pointer (&model);
}

/* ---- Loading by magic ------------------------------------------------- */

static gboolean
looks_like_onnx (const guint8 *data,
                 gsize         len)
{
  /* A ModelProto starts with field 1 (ir_version, varint: 0x08) in every
   * exporter we know; some put producer_name (0x12) or opset_import (0x42)
   * first. */
  return len >= 2 && (data[0] == 0x08 || data[0] == 0x12 || data[0] == 0x3a || data[0] == 0x42);
}

static SvdModel *
load_data (const guint8  *data,
           gsize          len,
           GError       **error)
{
  g_autoptr(SvdStateDict) dict = NULL;

  if ((len >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4) ||
      (len >= 3 && data[0] == 0x80 && data[2] == 0x8a) ||
      (len >= 9 && data[8] == '{'))
    {
      dict = svd_state_dict_load_from_data (data, len, SVD_STATE_DICT_DEFAULT, error);
      if (dict == NULL)
        return NULL;
      return svd_model_from_state_dict (dict, error);
    }
  if (looks_like_onnx (data, len))
    return svd_onnx_parse (data, len, error);
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "Unknown model format: expected ONNX, a PyTorch .pth or .safetensors");
  return NULL;
}

static char *
display_name (const char *name)
{
  g_autofree char *base = g_path_get_basename (name);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_strdup (base);
}

/**
 * svd_model_load_from_bytes:
 * @bytes: the file's contents
 * @name: (nullable): a display name or file name
 * @error: return location for an error
 *
 * Reads an ONNX, `.pth` (zip or legacy) or `.safetensors` model, chosen by
 * its magic bytes.
 *
 * Returns: (transfer full) (nullable): the model
 */
SvdModel *
svd_model_load_from_bytes (GBytes      *bytes,
                           const char  *name,
                           GError     **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  SvdModel *model = load_data (data, len, error);

  if (model == NULL)
    return NULL;
  g_free (model->name);
  model->name = display_name (name != NULL ? name : "model");
  return model;
}

/**
 * svd_model_load:
 * @path: a model file
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the model; the error message starts
 *   with the file's basename
 */
SvdModel *
svd_model_load (const char  *path,
                GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  SvdModel *model;
  gsize len = 0;
  const guint8 *data;

  /* Only regular files: a FIFO or a symlink to /dev/zero named like a
   * model is refused at once (the model library reads whatever the user's
   * folders hold). */
  bytes = svd_file_map_regular (path, SVD_LIMIT_MODEL_FILE_BYTES, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  model = load_data (data, len, &local);
  if (model == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);

      g_set_error (error, SVD_ERROR, local->code, "%s: %s", base, local->message);
      return NULL;
    }
  g_free (model->name);
  model->name = display_name (path);
  model->path = g_strdup (path);
  return model;
}
