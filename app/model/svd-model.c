/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-model"

#include "svd-model.h"
#include "core/svd-error.h"
#include "model/svd-graph.h"

#include <math.h>

G_DEFINE_BOXED_TYPE (SvdModel, svd_model, svd_model_ref, svd_model_unref)

/* Limits that keep a hostile file from asking for absurd allocations while
 * leaving room for every compact model users run. */
#define SVD_MODEL_MAX_CH 16
#define SVD_MODEL_MAX_NF 512
#define SVD_MODEL_MAX_CONV 64

/**
 * svd_model_new:
 * @in_ch: input channels (1 to 16)
 * @out_ch: output channels (1 to 16)
 * @nf: features (1 to 512)
 * @num_conv: body convs (0 to 64)
 * @scale: 1 to 4
 * @error: return location for an error
 *
 * Allocates a model with zeroed weights and zero slopes (ReLU). Importers
 * fill the layers in.
 *
 * Returns: (transfer full) (nullable): the model
 */
SvdModel *
svd_model_new (int      in_ch,
               int      out_ch,
               int      nf,
               int      num_conv,
               int      scale,
               GError **error)
{
  SvdModel *self;

  if (in_ch < 1 || in_ch > SVD_MODEL_MAX_CH || out_ch < 1 || out_ch > SVD_MODEL_MAX_CH ||
      nf < 1 || nf > SVD_MODEL_MAX_NF || num_conv < 0 || num_conv > SVD_MODEL_MAX_CONV ||
      scale < 1 || scale > 4)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "Unsupported model shape: in %d, out %d, nf %d, %d body convs, scale %d "
                   "(supported: channels 1–%d, nf 1–%d, convs 0–%d, scale 1–4)",
                   in_ch, out_ch, nf, num_conv, scale,
                   SVD_MODEL_MAX_CH, SVD_MODEL_MAX_NF, SVD_MODEL_MAX_CONV);
      return NULL;
    }

  self = g_new0 (SvdModel, 1);
  self->ref_count = 1;
  self->in_ch = in_ch;
  self->out_ch = out_ch;
  self->nf = nf;
  self->num_conv = num_conv;
  self->scale = scale;
  self->activation = SVD_ACTIVATION_PRELU;
  self->n_layers = num_conv + 2;
  self->layers = g_new0 (SvdConvLayer, self->n_layers);
  self->source_format = SVD_MODEL_FORMAT_BUILTIN;
  self->stored_precision = SVD_STORAGE_FP32;
  self->name = g_strdup ("model");

  for (int i = 0; i < self->n_layers; i++)
    {
      SvdConvLayer *l = &self->layers[i];
      gboolean last = i == self->n_layers - 1;

      l->in_ch = i == 0 ? in_ch : nf;
      l->out_ch = last ? out_ch * scale * scale : nf;
      l->weight = g_new0 (float, (gsize) l->out_ch * l->in_ch * 9);
      l->bias = g_new0 (float, l->out_ch);
      l->slope = last ? NULL : g_new0 (float, l->out_ch);
    }
  return self;
}

SvdModel *
svd_model_ref (SvdModel *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
svd_model_unref (SvdModel *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  for (int i = 0; i < self->n_layers; i++)
    {
      g_free (self->layers[i].weight);
      g_free (self->layers[i].bias);
      g_free (self->layers[i].slope);
    }
  g_free (self->layers);
  g_free (self->name);
  g_free (self->path);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_clear_pointer (&self->graph, svd_graph_source_free);
  g_free (self);
}

/**
 * svd_model_validate:
 * @self: a model
 * @error: return location for an error
 *
 * Checks that the layer shapes chain (in → nf → … → out·scale²), that the
 * output can take the residual add (out_ch == in_ch) and that every weight
 * is finite.
 */
gboolean
svd_model_validate (const SvdModel  *self,
                    GError         **error)
{
  if (self->graph != NULL)
    return svd_graph_source_validate (self->graph, error);
  if (self->out_ch != self->in_ch)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "Output channels (%d) differ from input channels (%d): the upsampled input "
                   "cannot be added", self->out_ch, self->in_ch);
      return FALSE;
    }
  if (self->n_layers != self->num_conv + 2)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "Model has %d layers for %d body convs", self->n_layers, self->num_conv);
      return FALSE;
    }
  for (int i = 0; i < self->n_layers; i++)
    {
      const SvdConvLayer *l = &self->layers[i];
      gboolean last = i == self->n_layers - 1;
      int want_in = i == 0 ? self->in_ch : self->nf;
      int want_out = last ? self->out_ch * self->scale * self->scale : self->nf;
      gsize n = (gsize) l->out_ch * l->in_ch * 9;

      if (l->in_ch != want_in || l->out_ch != want_out || l->weight == NULL || l->bias == NULL ||
          (last != (l->slope == NULL)))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                       "Layer %d is %d→%d channels; expected %d→%d", i, l->in_ch, l->out_ch,
                       want_in, want_out);
          return FALSE;
        }
      for (gsize k = 0; k < n; k++)
        if (!isfinite (l->weight[k]))
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                         "Layer %d has a non-finite weight", i);
            return FALSE;
          }
      for (int k = 0; k < l->out_ch; k++)
        if (!isfinite (l->bias[k]) || (l->slope != NULL && !isfinite (l->slope[k])))
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                         "Layer %d has a non-finite bias or slope", i);
            return FALSE;
          }
    }
  return TRUE;
}

/**
 * svd_model_get_n_params:
 * @self: a model
 *
 * Returns: learned parameters: conv weights, biases and PReLU slopes (ReLU
 *   and LeakyReLU add none)
 */
guint64
svd_model_get_n_params (const SvdModel *self)
{
  guint64 n = 0;

  if (self->graph != NULL)
    return svd_graph_get_n_params (svd_graph_source_get_probe (self->graph));
  for (int i = 0; i < self->n_layers; i++)
    {
      const SvdConvLayer *l = &self->layers[i];

      n += (guint64) l->out_ch * l->in_ch * 9 + l->out_ch;
      if (l->slope != NULL && self->activation == SVD_ACTIVATION_PRELU)
        n += l->out_ch;
    }
  return n;
}

/**
 * svd_model_get_macs_per_pixel:
 * @self: a model
 *
 * Returns: multiply-accumulates of the convolutions per input pixel (the
 *   convs all run at input resolution)
 */
guint64
svd_model_get_macs_per_pixel (const SvdModel *self)
{
  guint64 n = 0;

  if (self->graph != NULL)
    {
      /* Convs of a graph run at several resolutions: the average over the
       * probe instance's input pixels. */
      const SvdGraph *g = svd_graph_source_get_probe (self->graph);
      const SvdGraphTensor *in = svd_graph_tensor (g, g->input);

      return svd_graph_get_macs (g) / ((guint64) in->h * in->w);
    }
  for (int i = 0; i < self->n_layers; i++)
    n += (guint64) self->layers[i].out_ch * self->layers[i].in_ch * 9;
  return n;
}

/**
 * svd_model_get_gflop:
 * @self: a model
 * @width: input width
 * @height: input height
 *
 * Returns: GFLOP per frame, counting a MAC as 2 FLOP (as PEERS.md does)
 */
double
svd_model_get_gflop (const SvdModel *self,
                     int             width,
                     int             height)
{
  if (self->graph != NULL)
    {
      /* Exact at this size when the graph takes it (padding and crops
       * depend on the size), else the per-pixel average. */
      g_autoptr(SvdGraph) g = svd_model_graph_at (self, width, height, NULL);

      if (g != NULL)
        return 2.0 * svd_graph_get_macs (g) / 1e9;
    }
  return 2.0 * svd_model_get_macs_per_pixel (self) * (double) width * height / 1e9;
}

/**
 * svd_model_get_tier_name:
 * @self: a model
 *
 * The seed project and the community name the same shapes differently:
 * nf 24 with 8 convs is the seed's Super and the community's
 * SuperUltraCompact; nf 64 with 8 convs is Ultra and UltraCompact. Both
 * names are given.
 *
 * Returns: the tier name, "Compact" for nf 64 with 16 convs, or "Custom"
 */
const char *
svd_model_get_tier_name (const SvdModel *self)
{
  if (self->graph != NULL)
    return svd_graph_source_get_family (self->graph);
  if (self->num_conv == 8)
    {
      switch (self->nf)
        {
        case 24: return "Super (SuperUltraCompact)";
        case 35: return "Mega";
        case 64: return "Ultra (UltraCompact)";
        default: break;
        }
    }
  if (self->num_conv == 16 && self->nf == 64)
    return "Compact";
  return "Custom";
}

const char *
svd_model_format_name (SvdModelFormat format)
{
  switch (format)
    {
    case SVD_MODEL_FORMAT_BUILTIN: return "built-in";
    case SVD_MODEL_FORMAT_ONNX: return "ONNX";
    case SVD_MODEL_FORMAT_PTH: return "PyTorch (zip)";
    case SVD_MODEL_FORMAT_PTH_LEGACY: return "PyTorch (legacy)";
    case SVD_MODEL_FORMAT_SAFETENSORS: return "safetensors";
    default: return "unknown";
    }
}

const char *
svd_storage_precision_name (SvdStoragePrecision precision)
{
  switch (precision)
    {
    case SVD_STORAGE_FP32: return "fp32";
    case SVD_STORAGE_FP16: return "fp16";
    case SVD_STORAGE_BF16: return "bf16";
    default: return "unknown";
    }
}
