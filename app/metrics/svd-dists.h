/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/svd-image.h"
#include "core/svd-settings.h"

G_BEGIN_DECLS

/*
 * DISTS (Ding et al. 2020), as the official DISTS_pytorch computes it:
 * VGG16 features of the ImageNet-normalised input (relu1_2, relu2_2,
 * relu3_3, relu4_3, relu5_3) plus the raw RGB input; the four max-pools
 * replaced by L2 pooling (3x3 Hann [0.5, 1, 0.5]², normalised, stride 2,
 * padding 1, sqrt(conv(x²) + 1e-12)); per channel
 * S1 = (2 μx μy + c1) / (μx² + μy² + c1),
 * S2 = (2 σxy + c2) / (σx² + σy² + c2), c1 = c2 = 1e-6;
 * score = 1 − Σ (α S1 + β S2) with α, β divided by their joint sum.
 *
 * The weights are the user's: torchvision's VGG16 (`vgg16-397923af.pth`,
 * only `features.N` of the 13 convs are read) and DISTS' α/β (`weights.pt`
 * of DISTS_pytorch, or pyiqa's `DISTS_weights-*.pth`). Neither ships with
 * SVD Studio; without them DISTS is unavailable, never guessed.
 */

#define SVD_DISTS_N_CONVS 13
#define SVD_DISTS_N_STAGES 6
#define SVD_DISTS_N_CHANNELS 1475   /* 3 + 64 + 128 + 256 + 512 + 512 */
#define SVD_DISTS_SHORT_SIDE 256
#define SVD_VGG16_FILENAME "vgg16-397923af.pth"

/**
 * SvdDistsMode:
 * @SVD_DISTS_FULL: the whole image at its own size
 * @SVD_DISTS_SHORT256: the official preprocessing: shorter side resized
 *   to 256 with antialiased bilinear (images whose shorter side is already
 *   ≤ 256 are left alone)
 */
typedef enum {
  SVD_DISTS_FULL,
  SVD_DISTS_SHORT256,
} SvdDistsMode;

const char *svd_dists_mode_name       (SvdDistsMode       mode);
gboolean    svd_dists_mode_from_name  (const char        *name,
                                       SvdDistsMode      *mode);

/**
 * SvdDistsWeights:
 * @conv_in: input channels of each conv
 * @conv_out: output channels of each conv
 * @weight: OIHW 3x3 weights of each conv (owned)
 * @bias: biases of each conv (owned)
 * @alpha: the 1475 α, already divided by Σα + Σβ (owned)
 * @beta: the 1475 β, likewise (owned)
 * @vgg16_path: the file the convs came from
 * @dists_path: the file α/β came from
 *
 * Everything DISTS needs, validated. Immutable once loaded, so one set may
 * serve several threads.
 */
typedef struct {
  int     conv_in[SVD_DISTS_N_CONVS];
  int     conv_out[SVD_DISTS_N_CONVS];
  float  *weight[SVD_DISTS_N_CONVS];
  float  *bias[SVD_DISTS_N_CONVS];
  double  alpha[SVD_DISTS_N_CHANNELS];
  double  beta[SVD_DISTS_N_CHANNELS];
  char   *vgg16_path;
  char   *dists_path;
  /* (nullable): the VGG16 state dict weight and bias point into, when it
   * holds little else (a conv-only file: 59 MB less to copy on every
   * start); %NULL when they are copies (torchvision's file also holds the
   * 490 MB classifier, not kept). */
  gpointer vgg16_dict;
} SvdDistsWeights;

/* The torchvision `features.N` index of each of the 13 convs. */
extern const int svd_dists_vgg16_conv_index[SVD_DISTS_N_CONVS];
/* The channel count of each of the six feature sets. */
extern const int svd_dists_stage_channels[SVD_DISTS_N_STAGES];

gboolean         svd_dists_locate        (const SvdSettings  *settings,
                                          char              **dists_path,
                                          char              **vgg16_path,
                                          GError            **error);
SvdDistsWeights *svd_dists_weights_load  (const char         *dists_path,
                                          const char         *vgg16_path,
                                          GError            **error);
SvdDistsWeights *svd_dists_weights_find  (const SvdSettings  *settings,
                                          GError            **error);
void             svd_dists_weights_free  (SvdDistsWeights    *self);

void             svd_dists_short256_size (int                 width,
                                          int                 height,
                                          int                *out_width,
                                          int                *out_height);
SvdImage        *svd_dists_resize_ref    (const SvdImage     *src,
                                          int                 out_width,
                                          int                 out_height,
                                          GError            **error);
SvdImage        *svd_dists_prepare_input (const SvdImage     *src,
                                          SvdDistsMode        mode,
                                          GError            **error);
double           svd_dists_score_from_stats (const SvdDistsWeights *weights,
                                             const double          *stats);
gboolean         svd_dists_compute_ref   (const SvdDistsWeights *weights,
                                          const SvdImage        *ref,
                                          const SvdImage        *dist,
                                          SvdDistsMode           mode,
                                          int                    threads,
                                          double                *score,
                                          GError               **error);

/* Plain-C twins of the kernels in opencl/dists.cl. Feature maps are planar
 * C x (H + 2) x pitch floats with a zero border of one pixel (row 0, row
 * H + 1, column 0 and columns ≥ W + 1 are zero), pitch ≥ W + 2. */
void svd_dists_conv3x3_relu_ref (const float *in,
                                 int          c_in,
                                 float       *out,
                                 int          c_out,
                                 int          width,
                                 int          height,
                                 int          pitch,
                                 const float *weight,
                                 const float *bias,
                                 int          threads);
void svd_dists_l2pool_ref       (const float *in,
                                 int          channels,
                                 int          width,
                                 int          height,
                                 int          pitch,
                                 float       *out,
                                 int          out_width,
                                 int          out_height,
                                 int          out_pitch);
void svd_dists_channel_stats_ref (const float *x,
                                  const float *y,
                                  int          channels,
                                  int          width,
                                  int          height,
                                  int          pitch,
                                  double      *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdDistsWeights, svd_dists_weights_free)

G_END_DECLS
