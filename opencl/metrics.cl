/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PSNR, SSIM and the metric maps. The plain-C twin is svd_metrics_compute()
 * in app/metrics/svd-metrics.c (float64); tests/metrics/test-cl-metrics.c
 * compares them. Definitions: app/metrics/svd-metrics.h.
 *
 * Build-time defines: SSIM_W0 … SSIM_W5 (the Gaussian taps, centre first),
 * FLOAT_EXACT (0/1: use float samples unrounded), GROUP (the work-group
 * width of the reducing kernels, a power of two).
 *
 * Layout: planar float RGB, plane c at c * plane floats, rows `width` apart;
 * luma and the SSIM planes likewise, one plane each. */

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

/* Shared tail of the two prepare kernels: luma, the |a − b| map and the
 * per-work-group sums of squared differences. */
static inline void
prepare_pixel (float3            a,
               float3            b,
               int               x,
               int               y,
               int               width,
               int               height,
               __global float   *y_ref,
               __global float   *y_dist,
               __global float   *diff,
               int               want_diff,
               __global float2  *partial,
               __local float2   *scratch)
{
  int lid = get_local_id (0);
  float2 sse = (float2) (0.0f, 0.0f);

  if (x < width && y < height)
    {
      int i = y * width + x;
      int plane = width * height;
      float3 d = a - b;
      float ya = luma_centred (a), yb = luma_centred (b);
      float dy = ya - yb;

      y_ref[i] = ya;
      y_dist[i] = yb;
      sse = (float2) (d.x * d.x + d.y * d.y + d.z * d.z, dy * dy);
      if (want_diff)
        {
          diff[i] = fabs (d.x) / 255.0f;
          diff[i + plane] = fabs (d.y) / 255.0f;
          diff[i + 2 * plane] = fabs (d.z) / 255.0f;
        }
    }
  scratch[lid] = sse;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int s = GROUP / 2; s > 0; s >>= 1)
    {
      if (lid < s)
        scratch[lid] += scratch[lid + s];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  if (lid == 0)
    partial[get_group_id (1) * get_num_groups (0) + get_group_id (0)] = scratch[0];
}

__kernel __attribute__ ((reqd_work_group_size (GROUP, 1, 1))) void
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
  __local float2 scratch[GROUP];
  int x = get_global_id (0), y = get_global_id (1);
  float3 a = (float3) (0.0f), b = (float3) (0.0f);

  if (x < width && y < height)
    {
      int i = y * width + x, plane = width * height;

      a = (float3) (to_8bit_scale (ref[i]), to_8bit_scale (ref[i + plane]), to_8bit_scale (ref[i + 2 * plane]));
      b = (float3) (to_8bit_scale (dist[i]), to_8bit_scale (dist[i + plane]), to_8bit_scale (dist[i + 2 * plane]));
    }
  prepare_pixel (a, b, x, y, width, height, y_ref, y_dist, diff, want_diff, partial, scratch);
}

/* 8-bit input, packed with @step bytes per pixel (3: RGB, 4: RGBA). */
__kernel __attribute__ ((reqd_work_group_size (GROUP, 1, 1))) void
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
  __local float2 scratch[GROUP];
  int x = get_global_id (0), y = get_global_id (1);
  float3 a = (float3) (0.0f), b = (float3) (0.0f);

  if (x < width && y < height)
    {
      int o = (y * width + x) * step;

      a = (float3) (ref[o], ref[o + 1], ref[o + 2]);
      b = (float3) (dist[o], dist[o + 1], dist[o + 2]);
    }
  prepare_pixel (a, b, x, y, width, height, y_ref, y_dist, diff, want_diff, partial, scratch);
}

/* Horizontal Gaussian of x, y, x², y², xy (mirrored at the edges). */
__kernel void
ssim_horizontal (__global const float *y_ref,
                 __global const float *y_dist,
                 int                   width,
                 int                   height,
                 __global float       *h)
{
  int x = get_global_id (0), y = get_global_id (1);
  int plane = width * height;
  float sa = 0.0f, sb = 0.0f, saa = 0.0f, sbb = 0.0f, sab = 0.0f;
  int row = y * width;

  if (x >= width || y >= height)
    return;
  if (x >= RADIUS && x + RADIUS < width)
    {
      for (int k = 0; k < 11; k++)
        {
          float a = y_ref[row + x + k - RADIUS], b = y_dist[row + x + k - RADIUS];
          float w = ssim_w[k];

          sa += w * a;
          sb += w * b;
          saa += w * (a * a);
          sbb += w * (b * b);
          sab += w * (a * b);
        }
    }
  else
    {
      for (int k = 0; k < 11; k++)
        {
          int sx = reflect_index (x + k - RADIUS, width);
          float a = y_ref[row + sx], b = y_dist[row + sx];
          float w = ssim_w[k];

          sa += w * a;
          sb += w * b;
          saa += w * (a * a);
          sbb += w * (b * b);
          sab += w * (a * b);
        }
    }
  h[row + x] = sa;
  h[row + x + plane] = sb;
  h[row + x + 2 * plane] = saa;
  h[row + x + 3 * plane] = sbb;
  h[row + x + 4 * plane] = sab;
}

/* Vertical Gaussian, the SSIM formula, the map, and per-work-group sums of
 * SSIM over the positions whose window lies inside the image. */
__kernel __attribute__ ((reqd_work_group_size (GROUP, 1, 1))) void
ssim_vertical (__global const float *h,
               int                   width,
               int                   height,
               __global float       *map,
               int                   want_map,
               __global float       *partial)
{
  __local float scratch[GROUP];
  int x = get_global_id (0), y = get_global_id (1), lid = get_local_id (0);
  int plane = width * height;
  float contribution = 0.0f;

  if (x < width && y < height)
    {
      float ux = 0.0f, uy = 0.0f, uxx = 0.0f, uyy = 0.0f, uxy = 0.0f;
      const float c1 = (0.01f * 255.0f) * (0.01f * 255.0f);
      const float c2 = (0.03f * 255.0f) * (0.03f * 255.0f);
      float vx, vy, vxy, mx, my, s;

      for (int k = 0; k < 11; k++)
        {
          int i = reflect_index (y + k - RADIUS, height) * width + x;
          float w = ssim_w[k];

          ux += w * h[i];
          uy += w * h[i + plane];
          uxx += w * h[i + 2 * plane];
          uyy += w * h[i + 3 * plane];
          uxy += w * h[i + 4 * plane];
        }
      vx = uxx - ux * ux;
      vy = uyy - uy * uy;
      vxy = uxy - ux * uy;
      mx = ux + Y_OFFSET;
      my = uy + Y_OFFSET;
      s = ((2.0f * mx * my + c1) * (2.0f * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      if (want_map)
        map[y * width + x] = s;
      if (x >= RADIUS && x < width - RADIUS && y >= RADIUS && y < height - RADIUS)
        contribution = s;
    }
  scratch[lid] = contribution;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int s = GROUP / 2; s > 0; s >>= 1)
    {
      if (lid < s)
        scratch[lid] += scratch[lid + s];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  if (lid == 0)
    partial[get_group_id (1) * get_num_groups (0) + get_group_id (0)] = scratch[0];
}
