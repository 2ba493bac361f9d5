/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Frame conversion between the engine's planar float RGB and packed 8-bit
 * RGBA. Planar float RGB on the device: plane c starts at c * plane_stride
 * floats; rows are `pitch` floats apart. Plain-C twins live in
 * app/engine/svd-convert.c and must stay bit-identical. */

/* Contraction of x * 255 + 0.5 into an fma would change the rounding of
 * exact halves and break bit-exactness with the C twin. */
#pragma OPENCL FP_CONTRACT OFF

static inline uchar
unorm_to_u8 (float x)
{
  return (uchar) (clamp (x, 0.0f, 1.0f) * 255.0f + 0.5f);
}

__kernel void
rgbf32_to_rgba8 (__global const float *src,
                 int                   pitch,
                 int                   plane_stride,
                 int                   width,
                 int                   height,
                 __global uchar4      *dst,
                 int                   dst_pitch)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  int i;

  if (x >= width || y >= height)
    return;
  i = y * pitch + x;
  dst[y * dst_pitch + x] = (uchar4) (unorm_to_u8 (src[i]),
                                     unorm_to_u8 (src[i + plane_stride]),
                                     unorm_to_u8 (src[i + 2 * plane_stride]),
                                     (uchar) 255);
}

__kernel void
rgba8_to_rgbf32 (__global const uchar4 *src,
                 int                    src_pitch,
                 int                    width,
                 int                    height,
                 __global float        *dst,
                 int                    pitch,
                 int                    plane_stride)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  uchar4 p;
  int i;

  if (x >= width || y >= height)
    return;
  p = src[y * src_pitch + x];
  i = y * pitch + x;
  dst[i] = p.x / 255.0f;
  dst[i + plane_stride] = p.y / 255.0f;
  dst[i + 2 * plane_stride] = p.z / 255.0f;
}
