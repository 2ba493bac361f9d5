/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Winograd F(m x m, 3x3) convolutions (m = 2 or 4), the plain-C twin of
 * opencl/winograd.cl: the weight transform used on upload, and a scalar
 * convolution (input transform, element-wise products summed over input
 * channels, output transform with bias and PReLU) the kernels are tested
 * against.
 *
 * Tiles are (m + 2) x (m + 2) input pixels giving m x m output pixels;
 * the element-wise products run over the (m + 2)² transformed positions.
 */

/* The transformed tile size for F(m, 3): m + 2. */
#define SVD_WINOGRAD_TILE(m) ((m) + 2)

gboolean svd_winograd_supported          (int          m);
void     svd_winograd_transform_weights  (int          m,
                                          const float *weight,
                                          int          ic,
                                          int          oc,
                                          int          ocb,
                                          float       *out);
void     svd_winograd_conv_ref           (int          m,
                                          const float *src,
                                          int          ic,
                                          int          oc,
                                          int          width,
                                          int          height,
                                          const float *weight,
                                          const float *bias,
                                          const float *slope,
                                          float       *dst);
void     svd_direct_conv_ref             (const float *src,
                                          int          ic,
                                          int          oc,
                                          int          width,
                                          int          height,
                                          const float *weight,
                                          const float *bias,
                                          const float *slope,
                                          float       *dst);

G_END_DECLS
