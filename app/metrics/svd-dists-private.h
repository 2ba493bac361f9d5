/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internals shared by the CPU and OpenCL DISTS paths. */
#pragma once

#include "svd-dists.h"

G_BEGIN_DECLS

/* Output channels per block and pixels per vector of the conv (both paths
 * use the same weight layout [c_out / 16][c_in][3][3][16]). 16 x 16 beat
 * 8 x 16 and 8 x 2 rows x 16 on AVX-512 (about 60 against 42 and 22
 * GFLOP/s per core for a 128 → 128 layer). */
#define SVD_DISTS_CONV_OB 16
#define SVD_DISTS_CONV_XT 16

/* One axis of the short256 resize: output i reads count[i] taps from
 * first[i] with weights[i * max_taps + k]. */
typedef struct {
  int     out;
  int    *first;
  int    *count;
  int     max_taps;
  double *weights;
} SvdDistsAxis;

extern const int svd_dists_stage_last_conv[SVD_DISTS_N_STAGES];

void   svd_dists_axis_init     (SvdDistsAxis   *a,
                                int             in,
                                int             out);
void   svd_dists_axis_clear    (SvdDistsAxis   *a);
int    svd_dists_pitch         (int             width);
float *svd_dists_pack_weights  (const float    *weight,
                                int             c_in,
                                int             c_out);
void   svd_dists_read_plane01  (const SvdImage *src,
                                int             c,
                                float          *out);

G_END_DECLS
