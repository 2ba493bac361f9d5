/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-winograd"

#include "svd-winograd.h"

#include <string.h>

/* The matrices of Lavin and Gray, "Fast Algorithms for Convolutional
 * Neural Networks" (2015): Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A. opencl/winograd.cl
 * holds the same numbers. */
static const double BT2[4][4] = {
  { 1,  0, -1,  0 },
  { 0,  1,  1,  0 },
  { 0, -1,  1,  0 },
  { 0,  1,  0, -1 },
};
static const double G2[4][3] = {
  { 1,    0,   0   },
  { 0.5,  0.5, 0.5 },
  { 0.5, -0.5, 0.5 },
  { 0,    0,   1   },
};
static const double AT2[2][4] = {
  { 1, 1,  1,  0 },
  { 0, 1, -1, -1 },
};

static const double BT4[6][6] = {
  { 4,  0, -5,  0, 1, 0 },
  { 0, -4, -4,  1, 1, 0 },
  { 0,  4, -4, -1, 1, 0 },
  { 0, -2, -1,  2, 1, 0 },
  { 0,  2, -1, -2, 1, 0 },
  { 0,  4,  0, -5, 0, 1 },
};
static const double G4[6][3] = {
  {  1.0 / 4,   0,          0        },
  { -1.0 / 6,  -1.0 / 6,   -1.0 / 6  },
  { -1.0 / 6,   1.0 / 6,   -1.0 / 6  },
  {  1.0 / 24,  1.0 / 12,   1.0 / 6  },
  {  1.0 / 24, -1.0 / 12,   1.0 / 6  },
  {  0,         0,          1        },
};
static const double AT4[4][6] = {
  { 1, 1,  1, 1,  1, 0 },
  { 0, 1, -1, 2, -2, 0 },
  { 0, 1,  1, 4,  4, 0 },
  { 0, 1, -1, 8, -8, 1 },
};

#define TMAX 6

static const double *
mat_bt (int m)
{
  return m == 2 ? &BT2[0][0] : &BT4[0][0];
}

static const double *
mat_g (int m)
{
  return m == 2 ? &G2[0][0] : &G4[0][0];
}

static const double *
mat_at (int m)
{
  return m == 2 ? &AT2[0][0] : &AT4[0][0];
}

/**
 * svd_winograd_supported:
 * @m: output tile size
 *
 * Returns: whether F(@m x @m, 3x3) is implemented (2 and 4)
 */
gboolean
svd_winograd_supported (int m)
{
  return m == 2 || m == 4;
}

/**
 * svd_winograd_transform_weights:
 * @m: 2 or 4
 * @weight: OIHW 3x3 weights, @oc x @ic x 9
 * @ic: input channels
 * @oc: output channels
 * @ocb: output channels per block (divides @oc)
 * @out: (m + 2)² x @oc x @ic floats, written as
 *   [(m + 2)²][@oc / @ocb][@ic][@ocb]: the @ocb weights one element-wise
 *   product needs are adjacent, as in the direct kernels' layout
 *
 * U = G g Gᵀ per (output, input) channel pair, computed in double and
 * rounded once.
 */
void
svd_winograd_transform_weights (int          m,
                                const float *weight,
                                int          ic,
                                int          oc,
                                int          ocb,
                                float       *out)
{
  int t = SVD_WINOGRAD_TILE (m), nob = oc / ocb;
  const double *g = mat_g (m);

  g_return_if_fail (svd_winograd_supported (m) && ocb > 0 && oc % ocb == 0);
  for (int o = 0; o < oc; o++)
    for (int i = 0; i < ic; i++)
      {
        const float *k = weight + ((gsize) o * ic + i) * 9;
        double tmp[TMAX][3];

        /* G g, then (G g) Gᵀ. */
        for (int a = 0; a < t; a++)
          for (int c = 0; c < 3; c++)
            tmp[a][c] = g[a * 3] * k[c] + g[a * 3 + 1] * k[3 + c] + g[a * 3 + 2] * k[6 + c];
        for (int a = 0; a < t; a++)
          for (int b = 0; b < t; b++)
            {
              double u = tmp[a][0] * g[b * 3] + tmp[a][1] * g[b * 3 + 1] + tmp[a][2] * g[b * 3 + 2];
              gsize e = (gsize) a * t + b;

              out[((e * nob + o / ocb) * ic + i) * ocb + o % ocb] = (float) u;
            }
      }
}

/**
 * svd_winograd_conv_ref:
 * @m: 2 or 4
 * @src: @ic planes of @width x @height floats
 * @weight: OIHW 3x3 weights
 * @bias: @oc biases
 * @slope: (nullable): @oc PReLU slopes, or %NULL for no activation
 * @dst: @oc planes of @width x @height floats
 *
 * A 3x3 convolution with zero padding by F(@m x @m, 3x3), scalar and in
 * float like the kernels.
 */
void
svd_winograd_conv_ref (int          m,
                       const float *src,
                       int          ic,
                       int          oc,
                       int          width,
                       int          height,
                       const float *weight,
                       const float *bias,
                       const float *slope,
                       float       *dst)
{
  int t = SVD_WINOGRAD_TILE (m), tt = t * t;
  int ntx = (width + m - 1) / m, nty = (height + m - 1) / m;
  const double *bt = mat_bt (m), *at = mat_at (m);
  g_autofree float *u = g_new (float, (gsize) tt * oc * ic);
  g_autofree float *v = g_new (float, (gsize) tt * ic);
  gsize plane = (gsize) width * height;

  g_return_if_fail (svd_winograd_supported (m));
  svd_winograd_transform_weights (m, weight, ic, oc, 1, u);
  for (int ty = 0; ty < nty; ty++)
    for (int tx = 0; tx < ntx; tx++)
      {
        /* Input transform: V = Bᵀ d B for every input channel. */
        for (int c = 0; c < ic; c++)
          {
            float d[TMAX][TMAX], tmp[TMAX][TMAX];

            for (int r = 0; r < t; r++)
              for (int k = 0; k < t; k++)
                {
                  int x = tx * m + k - 1, y = ty * m + r - 1;

                  d[r][k] = x >= 0 && y >= 0 && x < width && y < height ?
                            src[c * plane + (gsize) y * width + x] : 0.0f;
                }
            for (int a = 0; a < t; a++)
              for (int k = 0; k < t; k++)
                {
                  float s = 0.0f;

                  for (int r = 0; r < t; r++)
                    s += (float) bt[a * t + r] * d[r][k];
                  tmp[a][k] = s;
                }
            for (int a = 0; a < t; a++)
              for (int b = 0; b < t; b++)
                {
                  float s = 0.0f;

                  for (int k = 0; k < t; k++)
                    s += tmp[a][k] * (float) bt[b * t + k];
                  v[((gsize) a * t + b) * ic + c] = s;
                }
          }
        /* Products summed over input channels, then Y = Aᵀ M A. */
        for (int o = 0; o < oc; o++)
          {
            float mm[TMAX][TMAX], tmp[TMAX][4];

            for (int e = 0; e < tt; e++)
              {
                float s = 0.0f;

                for (int c = 0; c < ic; c++)
                  s += u[((gsize) e * oc + o) * ic + c] * v[(gsize) e * ic + c];
                mm[e / t][e % t] = s;
              }
            for (int a = 0; a < t; a++)
              for (int q = 0; q < m; q++)
                {
                  float s = 0.0f;

                  for (int b = 0; b < t; b++)
                    s += mm[a][b] * (float) at[q * t + b];
                  tmp[a][q] = s;
                }
            for (int p = 0; p < m; p++)
              for (int q = 0; q < m; q++)
                {
                  int x = tx * m + q, y = ty * m + p;
                  float s = bias[o];

                  for (int a = 0; a < t; a++)
                    s += (float) at[p * t + a] * tmp[a][q];
                  if (slope != NULL && s < 0.0f)
                    s *= slope[o];
                  if (x < width && y < height)
                    dst[o * plane + (gsize) y * width + x] = s;
                }
          }
      }
}

/**
 * svd_direct_conv_ref:
 *
 * The same convolution computed directly in double, the oracle for both
 * svd_winograd_conv_ref() and the kernels. Arguments as there.
 */
void
svd_direct_conv_ref (const float *src,
                     int          ic,
                     int          oc,
                     int          width,
                     int          height,
                     const float *weight,
                     const float *bias,
                     const float *slope,
                     float       *dst)
{
  gsize plane = (gsize) width * height;

  for (int o = 0; o < oc; o++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        {
          double s = bias[o];

          for (int c = 0; c < ic; c++)
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++)
                {
                  int sx = x + kx - 1, sy = y + ky - 1;

                  if (sx >= 0 && sy >= 0 && sx < width && sy < height)
                    s += (double) weight[((gsize) o * ic + c) * 9 + ky * 3 + kx] *
                         src[c * plane + (gsize) sy * width + sx];
                }
          if (slope != NULL && s < 0.0)
            s *= slope[o];
          dst[o * plane + (gsize) y * width + x] = (float) s;
        }
}
