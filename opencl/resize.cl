/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built-in, non-learned upscaling steps that can stand in a chain as
 * baselines: nearest, bilinear, bicubic (Keys, a = -0.5) and Lanczos-3, by
 * an integer factor, half-pixel centres, edge pixels repeated, weights
 * normalised to sum 1. Images are the engine's zero-bordered planar float
 * RGB (see conv.cl). The plain-C twin is svd_resize_ref() in
 * app/engine/svd-resize.c and follows the same operations in order.
 * FILTER: 0 nearest, 1 bilinear, 2 bicubic, 3 lanczos; SUPPORT its radius. */

#pragma OPENCL FP_CONTRACT OFF

static float
weight (float t)
{
  t = fabs (t);
#if FILTER == 1
  return t < 1.0f ? 1.0f - t : 0.0f;
#elif FILTER == 2
  if (t < 1.0f)
    return ((1.5f * t - 2.5f) * t) * t + 1.0f;
  if (t < 2.0f)
    return ((-0.5f * t + 2.5f) * t - 4.0f) * t + 2.0f;
  return 0.0f;
#else
  if (t < 1e-6f)
    return 1.0f;
  if (t >= 3.0f)
    return 0.0f;
  {
    float px = 3.14159265358979f * t;

    return 3.0f * sin (px) * sin (px / 3.0f) / (px * px);
  }
#endif
}

__kernel void
resize_rgb (__global const float *src,
            int                   src_pitch,
            int                   src_plane,
            int                   src_w,
            int                   src_h,
            __global float       *dst,
            int                   dst_pitch,
            int                   dst_plane,
            int                   scale)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  int dw = src_w * scale, dh = src_h * scale;

  if (x >= dw || y >= dh)
    return;
#if FILTER == 0
  for (int c = 0; c < 3; c++)
    dst[(size_t) c * dst_plane + (size_t) (y + 1) * dst_pitch + x + 1] =
      src[(size_t) c * src_plane + (size_t) (y / scale + 1) * src_pitch + x / scale + 1];
#else
  {
    float cx = (x + 0.5f) / scale - 0.5f, cy = (y + 0.5f) / scale - 0.5f;
    int x0 = (int) floor (cx) - SUPPORT + 1, y0 = (int) floor (cy) - SUPPORT + 1;
    float wx[2 * SUPPORT], wy[2 * SUPPORT], sx = 0.0f, sy = 0.0f;
    float acc[3] = { 0.0f, 0.0f, 0.0f };

    for (int i = 0; i < 2 * SUPPORT; i++)
      {
        wx[i] = weight ((x0 + i) - cx);
        sx += wx[i];
        wy[i] = weight ((y0 + i) - cy);
        sy += wy[i];
      }
    for (int j = 0; j < 2 * SUPPORT; j++)
      {
        int yy = clamp (y0 + j, 0, src_h - 1);

        for (int i = 0; i < 2 * SUPPORT; i++)
          {
            int xx = clamp (x0 + i, 0, src_w - 1);
            float w = (wx[i] / sx) * (wy[j] / sy);
            size_t o = (size_t) (yy + 1) * src_pitch + xx + 1;

            for (int c = 0; c < 3; c++)
              acc[c] = acc[c] + w * src[(size_t) c * src_plane + o];
          }
      }
    for (int c = 0; c < 3; c++)
      dst[(size_t) c * dst_plane + (size_t) (y + 1) * dst_pitch + x + 1] = acc[c];
  }
#endif
}
