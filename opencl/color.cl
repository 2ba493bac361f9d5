/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Frame conversion on the device: decoded YUV (8/10-bit, 4:2:0/4:2:2/4:4:4)
 * and packed RGB to the engine's planar float RGB, and back to packed RGB
 * and YUV. The engine's float images have a one-pixel zero border: pixel
 * (x, y) of plane c is at c * plane + (y + 1) * pitch + x + 1.
 * The plain-C twins are in app/engine/svd-color.c and follow the same
 * operations in the same order; the matrix and range arrive as
 * coefficients computed once on the host (svd_color_coeffs_init()).
 * Chroma is upsampled by replication (the sample covering the pixel) and
 * downsampled by averaging the pixels a chroma sample covers. */

#pragma OPENCL FP_CONTRACT OFF

static inline float
sample (__global const uchar *io,
        int                   off,
        int                   pitch,
        int                   bytes,
        int                   x,
        int                   y)
{
  if (bytes == 2)
    return (float) ((__global const ushort *) (io + off))[y * pitch + x];
  return (float) io[off + y * pitch + x];
}

__kernel void
yuv_to_rgbf32 (__global const uchar *io,
               int4                  off,      /* byte offsets of Y, U, V */
               int4                  pitch,    /* samples per row of Y, U, V */
               int                   bytes,
               int                   width,
               int                   height,
               int                   shift_x,
               int                   shift_y,
               float4                yuv_off,  /* y offset, y scale, c offset, c scale */
               float4                mat,      /* cr→r, cb→g, cr→g, cb→b */
               __global float       *dst,
               int                   dst_pitch,
               int                   dst_plane)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  float Y, U, V, yf, cb, cr, r, g, b;
  size_t o;

  if (x >= width || y >= height)
    return;
  Y = sample (io, off.x, pitch.x, bytes, x, y);
  U = sample (io, off.y, pitch.y, bytes, x >> shift_x, y >> shift_y);
  V = sample (io, off.z, pitch.z, bytes, x >> shift_x, y >> shift_y);
  yf = (Y - yuv_off.x) * yuv_off.y;
  cb = (U - yuv_off.z) * yuv_off.w;
  cr = (V - yuv_off.z) * yuv_off.w;
  r = yf + mat.x * cr;
  g = yf + mat.y * cb + mat.z * cr;
  b = yf + mat.w * cb;
  o = (size_t) (y + 1) * dst_pitch + x + 1;
  dst[o] = clamp (r, 0.0f, 1.0f);
  dst[o + dst_plane] = clamp (g, 0.0f, 1.0f);
  dst[o + 2 * (size_t) dst_plane] = clamp (b, 0.0f, 1.0f);
}

/* yuv_to_rgbf32() for 8-bit samples, the decoders' usual output, 16
 * pixels of a row per work-item as float16 vectors: the same operations
 * in the same order on each pixel (so the same floats), at a fraction of
 * the cost on a CPU device, where the per-pixel kernel does not
 * vectorise. Chroma is read as the pixels' samples (x >> shift_x). */
static inline float16
yuv8_chroma16 (__global const uchar *row,
               int                   x0,
               int                   shift_x)
{
  if (shift_x == 1)
    {
      uchar8 c = vload8 (0, row + (x0 >> 1));

      return convert_float16 ((uchar16) (c.s0, c.s0, c.s1, c.s1, c.s2, c.s2, c.s3, c.s3,
                                         c.s4, c.s4, c.s5, c.s5, c.s6, c.s6, c.s7, c.s7));
    }
  return convert_float16 (vload16 (0, row + x0));
}

__kernel void
yuv8_to_rgbf32 (__global const uchar *io,
                int4                  off,      /* byte offsets of Y, U, V */
                int4                  pitch,    /* samples per row of Y, U, V */
                int                   width,
                int                   height,
                int                   shift_x,
                int                   shift_y,
                float4                yuv_off,  /* y offset, y scale, c offset, c scale */
                float4                mat,      /* cr→r, cb→g, cr→g, cb→b */
                __global float       *dst,
                int                   dst_pitch,
                int                   dst_plane)
{
  int x0 = get_global_id (0) * 16;
  int y = get_global_id (1);
  size_t o;

  if (x0 >= width || y >= height)
    return;
  o = (size_t) (y + 1) * dst_pitch + x0 + 1;
  if (x0 + 16 <= width && shift_x <= 1)
    {
      float16 Y = convert_float16 (vload16 (0, io + off.x + y * pitch.x + x0));
      float16 U = yuv8_chroma16 (io + off.y + (y >> shift_y) * pitch.y, x0, shift_x);
      float16 V = yuv8_chroma16 (io + off.z + (y >> shift_y) * pitch.z, x0, shift_x);
      float16 yf = (Y - yuv_off.x) * yuv_off.y;
      float16 cb = (U - yuv_off.z) * yuv_off.w;
      float16 cr = (V - yuv_off.z) * yuv_off.w;
      float16 r = yf + mat.x * cr;
      float16 g = yf + mat.y * cb + mat.z * cr;
      float16 b = yf + mat.w * cb;

      vstore16 (clamp (r, 0.0f, 1.0f), 0, dst + o);
      vstore16 (clamp (g, 0.0f, 1.0f), 0, dst + o + dst_plane);
      vstore16 (clamp (b, 0.0f, 1.0f), 0, dst + o + 2 * (size_t) dst_plane);
      return;
    }
  /* The row's last pixels. */
  for (int x = x0; x < width && x < x0 + 16; x++, o++)
    {
      float Y = (float) io[off.x + y * pitch.x + x];
      float U = (float) io[off.y + (y >> shift_y) * pitch.y + (x >> shift_x)];
      float V = (float) io[off.z + (y >> shift_y) * pitch.z + (x >> shift_x)];
      float yf = (Y - yuv_off.x) * yuv_off.y;
      float cb = (U - yuv_off.z) * yuv_off.w;
      float cr = (V - yuv_off.z) * yuv_off.w;
      float r = yf + mat.x * cr;
      float g = yf + mat.y * cb + mat.z * cr;
      float b = yf + mat.w * cb;

      dst[o] = clamp (r, 0.0f, 1.0f);
      dst[o + dst_plane] = clamp (g, 0.0f, 1.0f);
      dst[o + 2 * (size_t) dst_plane] = clamp (b, 0.0f, 1.0f);
    }
}

__kernel void
packed_to_rgbf32 (__global const uchar *io,
                  int                   pitch,     /* bytes per row */
                  int                   channels,  /* 3 or 4 */
                  int                   width,
                  int                   height,
                  __global float       *dst,
                  int                   dst_pitch,
                  int                   dst_plane)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  __global const uchar *p;
  size_t o;

  if (x >= width || y >= height)
    return;
  p = io + (size_t) y * pitch + (size_t) x * channels;
  o = (size_t) (y + 1) * dst_pitch + x + 1;
  dst[o] = p[0] / 255.0f;
  dst[o + dst_plane] = p[1] / 255.0f;
  dst[o + 2 * (size_t) dst_plane] = p[2] / 255.0f;
}

static inline uchar
unorm_to_u8 (float x)
{
  return (uchar) (clamp (x, 0.0f, 1.0f) * 255.0f + 0.5f);
}

__kernel void
rgbf32_to_packed (__global const float *src,
                  int                   src_pitch,
                  int                   src_plane,
                  int                   width,
                  int                   height,
                  __global uchar       *io,
                  int                   pitch,
                  int                   channels)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  __global uchar *p;
  size_t i;

  if (x >= width || y >= height)
    return;
  i = (size_t) (y + 1) * src_pitch + x + 1;
  p = io + (size_t) y * pitch + (size_t) x * channels;
  p[0] = unorm_to_u8 (src[i]);
  p[1] = unorm_to_u8 (src[i + src_plane]);
  p[2] = unorm_to_u8 (src[i + 2 * (size_t) src_plane]);
  if (channels == 4)
    p[3] = 255;
}

static inline void
store_code (__global uchar *io,
            int             off,
            int             pitch,
            int             bytes,
            int             x,
            int             y,
            float           v,
            float           maxv)
{
  float c = clamp (v + 0.5f, 0.0f, maxv);

  if (bytes == 2)
    ((__global ushort *) (io + off))[y * pitch + x] = (ushort) c;
  else
    io[off + y * pitch + x] = (uchar) c;
}

/* kyuv: Kr, Kg, Kb, max code; enc: y offset, y range, c offset, c range;
 * cdiv: 1 / (2 (1 - Kb)), 1 / (2 (1 - Kr)). One work-item per chroma
 * sample writes it and the luma of the pixels it covers. */
__kernel void
rgbf32_to_yuv (__global const float *src,
               int                   src_pitch,
               int                   src_plane,
               int                   width,
               int                   height,
               int                   shift_x,
               int                   shift_y,
               __global uchar       *io,
               int4                  off,
               int4                  pitch,
               int                   bytes,
               float4                kyuv,
               float4                enc,
               float2                cdiv)
{
  int cx = get_global_id (0);
  int cy = get_global_id (1);
  int cw = (width + (1 << shift_x) - 1) >> shift_x;
  int ch = (height + (1 << shift_y) - 1) >> shift_y;
  float sum_cb = 0.0f, sum_cr = 0.0f;
  int n = 0;

  if (cx >= cw || cy >= ch)
    return;
  for (int dy = 0; dy < (1 << shift_y); dy++)
    for (int dx = 0; dx < (1 << shift_x); dx++)
      {
        int x = (cx << shift_x) + dx, y = (cy << shift_y) + dy;
        size_t i;
        float r, g, b, yl;

        if (x >= width || y >= height)
          continue;
        i = (size_t) (y + 1) * src_pitch + x + 1;
        r = clamp (src[i], 0.0f, 1.0f);
        g = clamp (src[i + src_plane], 0.0f, 1.0f);
        b = clamp (src[i + 2 * (size_t) src_plane], 0.0f, 1.0f);
        yl = kyuv.x * r + kyuv.y * g + kyuv.z * b;
        store_code (io, off.x, pitch.x, bytes, x, y, enc.x + enc.y * yl, kyuv.w);
        sum_cb += (b - yl) * cdiv.x;
        sum_cr += (r - yl) * cdiv.y;
        n++;
      }
  store_code (io, off.y, pitch.y, bytes, cx, cy, enc.z + enc.w * (sum_cb / n), kyuv.w);
  store_code (io, off.z, pitch.z, bytes, cx, cy, enc.z + enc.w * (sum_cr / n), kyuv.w);
}
