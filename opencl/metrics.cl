/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PSNR, SSIM and the metric maps. The plain-C twin is svd_metrics_compute()
 * in app/metrics/svd-metrics.c (float64); tests/metrics/test-cl-metrics.c
 * compares them. Definitions: app/metrics/svd-metrics.h.
 *
 * Build-time defines: SSIM_W0 … SSIM_W5 (the Gaussian taps, centre first),
 * FLOAT_EXACT (0/1: use float samples unrounded), BAND (rows per
 * work-item).
 *
 * Shaped for CPU devices (PoCL) first: a work-item owns 16 pixels of BAND
 * rows and works on float16 vectors; there are no barriers and no local
 * memory, and each work-item writes its own partial sums, which the host
 * adds in float64.
 *
 * Layouts: input planar float RGB (plane c at c * width * height, rows
 * `width` apart) or packed 8-bit RGB/RGBA; the maps are planes of the same
 * shape. Luma is kept in a padded plane: pixel x of row y at
 * y * ypitch + x + PADX, with the PADX columns either side holding the
 * mirrored pixels, so the horizontal Gaussian needs no edge cases. */

#define PADX 8

#define RADIUS 5

/* Luma is stored minus 128: the SSIM moments E[x²] − E[x]² are formed in
 * float here, and centring the values shrinks the squares (≤ 112² instead
 * of 235²) and so the cancellation error. */
#define Y_OFFSET 128.0f

__constant float ssim_w[11] = {
  SSIM_W5, SSIM_W4, SSIM_W3, SSIM_W2, SSIM_W1, SSIM_W0, SSIM_W1, SSIM_W2, SSIM_W3, SSIM_W4, SSIM_W5
};

static inline float
to_8bit_scale (float v)
{
#if FLOAT_EXACT
  return v * 255.0f;
#else
  return rint (clamp (v, 0.0f, 1.0f) * 255.0f);
#endif
}

static inline float
luma_centred (float3 s)
{
  return 16.0f - Y_OFFSET + (65.481f * s.x + 128.553f * s.y + 24.966f * s.z) / 255.0f;
}

static inline int
reflect_index (int i,
               int n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}


static inline int
luma_pitch (int width)
{
  return (width + 15) / 16 * 16 + 2 * PADX + 16;
}

static inline float3
load_sample_f32 (__global const float *img,
                 int                   i,
                 int                   plane)
{
  return (float3) (to_8bit_scale (img[i]), to_8bit_scale (img[i + plane]), to_8bit_scale (img[i + 2 * plane]));
}

static inline float3
load_sample_u8 (__global const uchar *img,
                int                   i,
                int                   step)
{
  return (float3) (img[i * step], img[i * step + 1], img[i * step + 2]);
}

static inline float16
to_8bit_scale16 (float16 v)
{
#if FLOAT_EXACT
  return v * 255.0f;
#else
  return rint (clamp (v, 0.0f, 1.0f) * 255.0f);
#endif
}

static inline float16
luma_centred16 (float16 r,
                float16 g,
                float16 b)
{
  return 16.0f - Y_OFFSET + (65.481f * r + 128.553f * g + 24.966f * b) / 255.0f;
}

/* Loads 16 RGBA8 pixels and splits the channels. */
static inline void
load_rgba16 (__global const uchar *p,
             float16              *r,
             float16              *g,
             float16              *b)
{
  uchar16 q0 = vload16 (0, p), q1 = vload16 (1, p), q2 = vload16 (2, p), q3 = vload16 (3, p);

  *r = (float16) (convert_float4 (q0.s048c), convert_float4 (q1.s048c),
                  convert_float4 (q2.s048c), convert_float4 (q3.s048c));
  *g = (float16) (convert_float4 (q0.s159d), convert_float4 (q1.s159d),
                  convert_float4 (q2.s159d), convert_float4 (q3.s159d));
  *b = (float16) (convert_float4 (q0.s26ae), convert_float4 (q1.s26ae),
                  convert_float4 (q2.s26ae), convert_float4 (q3.s26ae));
}

/* The vector body of a prepare work-item for one full row of 16 pixels. */
static inline void
prepare16 (float16          r0,
           float16          g0,
           float16          b0,
           float16          r1,
           float16          g1,
           float16          b1,
           int              i,
           int              yo,
           int              plane,
           __global float  *y_ref,
           __global float  *y_dist,
           __global float  *diff,
           int              want_diff,
           float16         *sse_rgb,
           float16         *sse_y)
{
  float16 dr = r0 - r1, dg = g0 - g1, db = b0 - b1;
  float16 ya = luma_centred16 (r0, g0, b0), yb = luma_centred16 (r1, g1, b1);
  float16 dy = ya - yb;

  vstore16 (ya, 0, y_ref + yo);
  vstore16 (yb, 0, y_dist + yo);
  *sse_rgb += dr * dr + dg * dg + db * db;
  *sse_y += dy * dy;
  if (want_diff)
    {
      vstore16 (fabs (dr) / 255.0f, 0, diff + i);
      vstore16 (fabs (dg) / 255.0f, 0, diff + i + plane);
      vstore16 (fabs (db) / 255.0f, 0, diff + i + 2 * plane);
    }
}

static inline float
hsum16 (float16 v)
{
  float8 h8 = v.lo + v.hi;
  float4 h4 = h8.lo + h8.hi;
  float2 h2 = h4.lo + h4.hi;

  return h2.x + h2.y;
}

/* One work-item: pixels x0 … x0 + 15 of rows y0 … y0 + BAND − 1. Writes
 * both luma planes (with the mirrored pad columns at the row ends), the
 * |a − b| map when asked, and its sums of squared differences (RGB, Y).
 * Whole 16-pixel rows go through VECTOR_ROW when the format has one; the
 * ragged right edge goes pixel by pixel. */
#define PREPARE_BODY(LOAD, A, B, ARG, ARG_B, IDX_A, IDX_B, VECTOR_OK, VECTOR_ROW) \
  int tx = get_global_id (0), band = get_global_id (1);                         \
  int x0 = tx * 16, y0 = band * BAND;                                           \
  int plane = width * height, yp = luma_pitch (width);                          \
  float sse_rgb = 0.0f, sse_y = 0.0f;                                           \
  float16 vsse_rgb = (float16) (0.0f), vsse_y = (float16) (0.0f);               \
                                                                                \
  if (x0 >= width || y0 >= height)                                              \
    {                                                                           \
      partial[band * get_global_size (0) + tx] = (float2) (0.0f, 0.0f);         \
      return;                                                                   \
    }                                                                           \
  for (int y = y0; y < min (y0 + BAND, height); y++)                            \
    {                                                                           \
      if ((VECTOR_OK) && x0 + 16 <= width)                                      \
        {                                                                       \
          VECTOR_ROW;                                                           \
        }                                                                       \
      else                                                                      \
        for (int k = 0; k < 16 && x0 + k < width; k++)                          \
          {                                                                     \
            int i = y * width + x0 + k;                                         \
            float3 a = LOAD (A, IDX_A (y, x0 + k), ARG);                        \
            float3 b = LOAD (B, IDX_B (y, x0 + k), ARG_B);                      \
            float3 d = a - b;                                                   \
            float ya = luma_centred (a), yb = luma_centred (b);                 \
                                                                                \
            y_ref[y * yp + PADX + x0 + k] = ya;                                 \
            y_dist[y * yp + PADX + x0 + k] = yb;                                \
            sse_rgb += d.x * d.x + d.y * d.y + d.z * d.z;                       \
            sse_y += (ya - yb) * (ya - yb);                                     \
            if (want_diff)                                                      \
              {                                                                 \
                diff[i] = fabs (d.x) / 255.0f;                                  \
                diff[i + plane] = fabs (d.y) / 255.0f;                          \
                diff[i + 2 * plane] = fabs (d.z) / 255.0f;                      \
              }                                                                 \
          }                                                                     \
      /* The mirrored pad columns, recomputed from their source pixels. */      \
      if (tx == 0 || x0 + 16 >= width)                                          \
        for (int p = 0; p < RADIUS; p++)                                        \
          {                                                                     \
            int col = tx == 0 ? -1 - p : width + p;                             \
            int x = reflect_index (col, width);                                 \
                                                                                \
            y_ref[y * yp + PADX + col] = luma_centred (LOAD (A, IDX_A (y, x), ARG)); \
            y_dist[y * yp + PADX + col] = luma_centred (LOAD (B, IDX_B (y, x), ARG_B)); \
            if (tx == 0 && x0 + 16 >= width)                                    \
              {                                                                 \
                col = width + p;                                                \
                x = reflect_index (col, width);                                 \
                y_ref[y * yp + PADX + col] = luma_centred (LOAD (A, IDX_A (y, x), ARG)); \
                y_dist[y * yp + PADX + col] = luma_centred (LOAD (B, IDX_B (y, x), ARG_B)); \
              }                                                                 \
          }                                                                     \
    }                                                                           \
  partial[band * get_global_size (0) + tx] =                                    \
    (float2) (sse_rgb + hsum16 (vsse_rgb), sse_y + hsum16 (vsse_y));

#define F32_ROW                                                                 \
  int i = y * width + x0;                                                       \
  prepare16 (to_8bit_scale16 (vload16 (0, ref + i)),                            \
             to_8bit_scale16 (vload16 (0, ref + i + plane)),                    \
             to_8bit_scale16 (vload16 (0, ref + i + 2 * plane)),                \
             to_8bit_scale16 (vload16 (0, dist + i)),                           \
             to_8bit_scale16 (vload16 (0, dist + i + plane)),                   \
             to_8bit_scale16 (vload16 (0, dist + i + 2 * plane)),               \
             i, y * yp + PADX + x0, plane, y_ref, y_dist, diff, want_diff,      \
             &vsse_rgb, &vsse_y)

/* Both images in the engine's padded planes (offset, pitch and plane in
 * floats, each its own): what a session's frame and chain output are on
 * the device, read where they lie instead of copied first. */
#define PLANES_ROW                                                              \
  int i = y * width + x0;                                                       \
  int ia = ref_offset + y * ref_pitch + x0, ib = dist_offset + y * dist_pitch + x0; \
  prepare16 (to_8bit_scale16 (vload16 (0, ref + ia)),                           \
             to_8bit_scale16 (vload16 (0, ref + ia + ref_plane)),               \
             to_8bit_scale16 (vload16 (0, ref + ia + 2 * ref_plane)),           \
             to_8bit_scale16 (vload16 (0, dist + ib)),                          \
             to_8bit_scale16 (vload16 (0, dist + ib + dist_plane)),             \
             to_8bit_scale16 (vload16 (0, dist + ib + 2 * dist_plane)),         \
             i, y * yp + PADX + x0, plane, y_ref, y_dist, diff, want_diff,      \
             &vsse_rgb, &vsse_y)

#define DENSE_INDEX(y, x) ((y) * width + (x))
#define REF_INDEX(y, x) (ref_offset + (y) * ref_pitch + (x))
#define DIST_INDEX(y, x) (dist_offset + (y) * dist_pitch + (x))

#define RGBA_ROW                                                                \
  int i = y * width + x0;                                                       \
  float16 r0, g0, b0, r1, g1, b1;                                               \
                                                                                \
  load_rgba16 (ref + 4 * i, &r0, &g0, &b0);                                     \
  load_rgba16 (dist + 4 * i, &r1, &g1, &b1);                                    \
  prepare16 (r0, g0, b0, r1, g1, b1, i, y * yp + PADX + x0, plane, y_ref,       \
             y_dist, diff, want_diff, &vsse_rgb, &vsse_y)

__kernel void
metrics_prepare_f32 (__global const float *ref,
                     __global const float *dist,
                     int                   width,
                     int                   height,
                     __global float       *y_ref,
                     __global float       *y_dist,
                     __global float       *diff,
                     int                   want_diff,
                     __global float2      *partial)
{
  PREPARE_BODY (load_sample_f32, ref, dist, plane, plane, DENSE_INDEX, DENSE_INDEX, 1, F32_ROW)
}

/* metrics_prepare_f32() on images in padded planes (see PLANES_ROW): the
 * same values, without copying them into dense planes first. */
__kernel void
metrics_prepare_planes (__global const float *ref,
                        int                   ref_offset,
                        int                   ref_pitch,
                        int                   ref_plane,
                        __global const float *dist,
                        int                   dist_offset,
                        int                   dist_pitch,
                        int                   dist_plane,
                        int                   width,
                        int                   height,
                        __global float       *y_ref,
                        __global float       *y_dist,
                        __global float       *diff,
                        int                   want_diff,
                        __global float2      *partial)
{
  PREPARE_BODY (load_sample_f32, ref, dist, ref_plane, dist_plane, REF_INDEX, DIST_INDEX, 1, PLANES_ROW)
}

/* 8-bit input, packed with @step bytes per pixel (3: RGB, 4: RGBA; only
 * RGBA has the vector path). */
__kernel void
metrics_prepare_u8 (__global const uchar *ref,
                    __global const uchar *dist,
                    int                   step,
                    int                   width,
                    int                   height,
                    __global float       *y_ref,
                    __global float       *y_dist,
                    __global float       *diff,
                    int                   want_diff,
                    __global float2      *partial)
{
  PREPARE_BODY (load_sample_u8, ref, dist, step, step, DENSE_INDEX, DENSE_INDEX, step == 4, RGBA_ROW)
}

/* SSIM for pixels x0 … x0 + 15 of rows y0 … y0 + BAND − 1: the horizontal
 * Gaussian of x, y, x², y², xy for each needed row goes into a ring of 11
 * rows; each output row is the vertical Gaussian over the ring. Rows are
 * mirrored at the top and bottom like the columns. Writes the map when
 * asked and the sum of SSIM over the valid positions it owns. */
__kernel void
ssim_fused (__global const float *y_ref,
            __global const float *y_dist,
            int                   width,
            int                   height,
            __global float       *map,
            int                   want_map,
            __global float       *partial)
{
  int tx = get_global_id (0), band = get_global_id (1);
  int x0 = tx * 16, y0 = band * BAND, y1 = min (y0 + BAND, height);
  int yp = luma_pitch (width);
  const float c1 = (0.01f * 255.0f) * (0.01f * 255.0f);
  const float c2 = (0.03f * 255.0f) * (0.03f * 255.0f);
  float16 ring[11][5];
  float16 lane = (float16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + (float) x0;
  int16 valid_x = isgreaterequal (lane, (float16) (RADIUS)) & isless (lane, (float16) (width - RADIUS));
  float16 acc = (float16) (0.0f);

  if (x0 >= width || y0 >= height)
    {
      partial[band * get_global_size (0) + tx] = 0.0f;
      return;
    }
  for (int r = y0 - RADIUS; r < y1 + RADIUS; r++)
    {
      int sy = reflect_index (r, height);
      __global const float *pa = y_ref + sy * yp + PADX + x0 - RADIUS;
      __global const float *pb = y_dist + sy * yp + PADX + x0 - RADIUS;
      float16 sa = (float16) (0.0f), sb = sa, saa = sa, sbb = sa, sab = sa;
      int slot = (r - y0 + RADIUS) % 11;

      for (int k = 0; k < 11; k++)
        {
          float16 a = vload16 (0, pa + k), b = vload16 (0, pb + k);
          float w = ssim_w[k];

          sa = mad (a, w, sa);
          sb = mad (b, w, sb);
          saa = mad (a * a, w, saa);
          sbb = mad (b * b, w, sbb);
          sab = mad (a * b, w, sab);
        }
      ring[slot][0] = sa;
      ring[slot][1] = sb;
      ring[slot][2] = saa;
      ring[slot][3] = sbb;
      ring[slot][4] = sab;

      if (r >= y0 + RADIUS)
        {
          int y = r - RADIUS;
          float16 ux = (float16) (0.0f), uy = ux, uxx = ux, uyy = ux, uxy = ux;
          float16 mx, my, s;

          /* Row y − 5 + k sits in slot (y − y0 + k) % 11. */
          for (int k = 0; k < 11; k++)
            {
              int sl = (y - y0 + k) % 11;
              float w = ssim_w[k];

              ux = mad (ring[sl][0], w, ux);
              uy = mad (ring[sl][1], w, uy);
              uxx = mad (ring[sl][2], w, uxx);
              uyy = mad (ring[sl][3], w, uyy);
              uxy = mad (ring[sl][4], w, uxy);
            }
          mx = ux + Y_OFFSET;
          my = uy + Y_OFFSET;
          s = ((2.0f * mx * my + c1) * (2.0f * (uxy - ux * uy) + c2)) /
              ((mx * mx + my * my + c1) * ((uxx - ux * ux) + (uyy - uy * uy) + c2));
          if (y >= RADIUS && y < height - RADIUS)
            acc += select ((float16) (0.0f), s, valid_x);
          if (want_map)
            {
              if (x0 + 16 <= width)
                vstore16 (s, 0, map + y * width + x0);
              else
                {
                  float tmp[16];

                  vstore16 (s, 0, tmp);
                  for (int k = 0; k < width - x0; k++)
                    map[y * width + x0 + k] = tmp[k];
                }
            }
        }
    }
  partial[band * get_global_size (0) + tx] = hsum16 (acc);
}
