/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SvdActivation:
 * @SVD_ACTIVATION_PRELU: per-channel PReLU (the SRVGGNetCompact default)
 * @SVD_ACTIVATION_RELU: ReLU (stored as PReLU slopes of 0)
 * @SVD_ACTIVATION_LEAKY_RELU: LeakyReLU (stored as PReLU slopes all equal
 *   to #SvdModel.leaky_slope)
 *
 * Whatever the file said, every activation is stored as per-channel slopes,
 * so the CPU reference and the kernels have one code path.
 */
typedef enum {
  SVD_ACTIVATION_PRELU,
  SVD_ACTIVATION_RELU,
  SVD_ACTIVATION_LEAKY_RELU,
} SvdActivation;

typedef enum {
  SVD_MODEL_FORMAT_BUILTIN,
  SVD_MODEL_FORMAT_ONNX,
  SVD_MODEL_FORMAT_PTH,
  SVD_MODEL_FORMAT_PTH_LEGACY,
  SVD_MODEL_FORMAT_SAFETENSORS,
} SvdModelFormat;

typedef enum {
  SVD_STORAGE_FP32,
  SVD_STORAGE_FP16,
  SVD_STORAGE_BF16,
} SvdStoragePrecision;

/**
 * SvdConvLayer:
 * @in_ch: input channels
 * @out_ch: output channels
 * @weight: `out_ch * in_ch * 3 * 3` floats in PyTorch's OIHW order
 * @bias: @out_ch floats
 * @slope: @out_ch PReLU slopes applied after this conv, or %NULL for the
 *   last layer (which has no activation)
 *
 * One 3x3 convolution with zero padding 1 and stride 1.
 */
typedef struct {
  int    in_ch;
  int    out_ch;
  float *weight;
  float *bias;
  float *slope;
} SvdConvLayer;

/**
 * SvdModel:
 * @in_ch: input channels (3 for RGB)
 * @out_ch: output channels; equal to @in_ch, since the nearest-upsampled
 *   input is added to the output
 * @nf: features per body conv (24 Super, 35 Mega, 64 Ultra/Compact)
 * @num_conv: body convs between the first and the last conv (SRVGGNetCompact's
 *   `num_conv`: 8 for the seed tiers, 16 for Compact)
 * @scale: upscale factor, 1 to 4
 * @activation: what the file used (see #SvdActivation)
 * @leaky_slope: the LeakyReLU slope when @activation is LeakyReLU
 * @n_layers: `num_conv + 2`
 * @layers: conv 0 (in_ch → nf), @num_conv convs (nf → nf), and the last
 *   conv (nf → out_ch · scale²). The last conv's output channels are in
 *   PyTorch's PixelShuffle order: channel `c·s² + i·s + j` becomes output
 *   pixel (y·s + i, x·s + j) of colour c. Importers of ONNX DepthToSpace in
 *   DCR mode reorder the weights into this order.
 * @source_format: the file format read
 * @stored_precision: the precision of the weights in the file; they are
 *   always held here as fp32
 * @name: a display name (the file's basename without extension)
 * @path: (nullable): the file it came from
 * @metadata: (nullable): string metadata from the file (safetensors
 *   `__metadata__`, ONNX `metadata_props`)
 * @clamp_output: whether the file clamps the final output (some ONNX
 *   exports, e.g. AnimeJaNai, end in `Clip(0, 1)` after the residual add);
 *   runners apply `clamp(out, clamp_min, clamp_max)` last when set
 * @clamp_min: lower clamp bound when @clamp_output is set
 * @clamp_max: upper clamp bound when @clamp_output is set
 *
 * @graph: (nullable): set for a network that is not SRVGGNetCompact (SPAN
 *   and other conv + element-wise graphs): it runs through the graph IR
 *   (model/svd-graph.h, instantiated per input size with
 *   svd_model_graph_at()); such a model has no @layers (@n_layers 0, @nf 0)
 *   and its @scale is the graph's
 *
 * The one description of an SRVGGNetCompact network: every importer makes
 * this, and the CPU reference and the OpenCL engine run it. Output =
 * PixelShuffle(last conv) + nearest-upsampled input. Immutable once loaded;
 * reference-counted, so it can be shared across threads.
 */
typedef struct _SvdGraphSource SvdGraphSource;

typedef struct _SvdModel SvdModel;
struct _SvdModel {
  int                 in_ch;
  int                 out_ch;
  int                 nf;
  int                 num_conv;
  int                 scale;
  SvdActivation       activation;
  float               leaky_slope;
  int                 n_layers;
  SvdConvLayer       *layers;
  SvdModelFormat      source_format;
  SvdStoragePrecision stored_precision;
  char               *name;
  char               *path;
  GHashTable         *metadata;
  gboolean            clamp_output;
  float               clamp_min;
  float               clamp_max;
  SvdGraphSource     *graph;

  /*< private >*/
  gint                ref_count;
};

#define SVD_TYPE_MODEL (svd_model_get_type ())

GType       svd_model_get_type           (void) G_GNUC_CONST;
SvdModel   *svd_model_new                (int              in_ch,
                                          int              out_ch,
                                          int              nf,
                                          int              num_conv,
                                          int              scale,
                                          GError         **error);
SvdModel   *svd_model_ref                (SvdModel        *self);
void        svd_model_unref              (SvdModel        *self);
gboolean    svd_model_validate           (const SvdModel  *self,
                                          GError         **error);

guint64     svd_model_get_n_params       (const SvdModel  *self);
guint64     svd_model_get_macs_per_pixel (const SvdModel  *self);
double      svd_model_get_gflop          (const SvdModel  *self,
                                          int              width,
                                          int              height);
const char *svd_model_get_tier_name      (const SvdModel  *self);
const char *svd_model_format_name        (SvdModelFormat   format);
const char *svd_storage_precision_name   (SvdStoragePrecision precision);

/* Implemented by the importers in app/model/. */
SvdModel   *svd_model_load               (const char      *path,
                                          GError         **error);
SvdModel   *svd_model_load_from_bytes    (GBytes          *bytes,
                                          const char      *name,
                                          GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdModel, svd_model_unref)

G_END_DECLS
