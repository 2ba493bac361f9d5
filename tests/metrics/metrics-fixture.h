/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A metrics fixture the tests draw themselves, so a clone without
 * ../shared still checks PSNR and SSIM against an independent
 * implementation. The two RGB8 images (an odd 67 × 45, so no SIMD width
 * divides it) are
 *
 *   ref[y][x][c]  = (7x + 13y + 50c + 5 · ((x · y) mod 17)) mod 256
 *   dist[y][x][c] = clamp (ref[y][x][c] + ((31x + 17y + 11c) mod 21) − 10, 0, 255)
 *
 * and the expected values were computed once with scikit-image 0.19.3
 * (Debian 12 python3-skimage), on the same formulas:
 *
 *   /usr/bin/python3 (Debian's, where apt put python3-skimage):
 *   import numpy as np
 *   from skimage.color import rgb2ycbcr
 *   from skimage.metrics import peak_signal_noise_ratio as psnr, structural_similarity as ssim
 *   W, H = 67, 45
 *   y, x, c = np.meshgrid(np.arange(H), np.arange(W), np.arange(3), indexing='ij')
 *   ref = (7*x + 13*y + 50*c + 5*((x*y) % 17)) % 256
 *   dist = np.clip(ref + (31*x + 17*y + 11*c) % 21 - 10, 0, 255)
 *   ref, dist = ref.astype(np.uint8), dist.astype(np.uint8)
 *   yr, yd = rgb2ycbcr(ref)[..., 0], rgb2ycbcr(dist)[..., 0]    # BT.601, 16..235, float
 *   print(psnr(ref, dist, data_range=255), psnr(yr, yd, data_range=255),
 *         ssim(yr, yd, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255))
 *
 * (SSIM: the 11-tap Gaussian of σ 1.5, the mean over the positions where
 * the window fits, as libsvd documents.) */
#pragma once

#include "core/svd-image.h"

#define FIXTURE_W 67
#define FIXTURE_H 45

/* What the scikit-image run above printed (with numpy 1.24.2). */
#define FIXTURE_PSNR_RGB 32.592268416
#define FIXTURE_PSNR_Y   39.869263778
#define FIXTURE_SSIM_Y   0.9958216677

static inline guint8
fixture_ref_value (int x, int y, int c)
{
  return (guint8) ((7 * x + 13 * y + 50 * c + 5 * ((x * y) % 17)) % 256);
}

static inline guint8
fixture_dist_value (int x, int y, int c)
{
  int v = fixture_ref_value (x, y, c) + (31 * x + 17 * y + 11 * c) % 21 - 10;

  return (guint8) CLAMP (v, 0, 255);
}

/* The fixture as RGB8 (@distorted: the second image). */
static inline SvdImage *
fixture_image (gboolean distorted)
{
  SvdImage *image = svd_image_new (SVD_PIXEL_FORMAT_RGB8, FIXTURE_W, FIXTURE_H, NULL);

  g_assert_nonnull (image);
  for (int y = 0; y < FIXTURE_H; y++)
    for (int x = 0; x < FIXTURE_W; x++)
      for (int c = 0; c < 3; c++)
        image->data[0][y * image->stride[0] + 3 * x + c] = distorted ? fixture_dist_value (x, y, c)
                                                                     : fixture_ref_value (x, y, c);
  return image;
}
