/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DISTS on the device: the short256 resize, input normalisation, L2
 * pooling and the per-channel statistics. VGG16's 3x3 conv + ReLU runs on
 * the engine's conv kernels (opencl/conv.cl, opencl/winograd.cl, the
 * per-layer choice). Plain-C twins in app/metrics/svd-dists.c
 * (svd_dists_resize_ref, svd_dists_conv3x3_relu_ref, svd_dists_l2pool_ref,
 * svd_dists_channel_stats_ref); tests/metrics/test-cl-dists.c compares
 * them.
 *
 * Feature maps are padded planes in the engine's layout: pixel (x, y) of
 * channel c is at c * plane + (y + 1) * pitch + x + 1; the one-pixel
 * border and the slack right of and below the image are zero. */

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#else
typedef float acc_t;
#endif

#define STATS_GROUP 64

/* One axis of the antialiased bilinear resize, with precomputed taps:
 * first[i], count[i] and weights[i * max_taps + k]. Horizontal: src is
 * (in_w x h) planes, dst (out_w x h). */
__kernel void
dists_resize_h (__global const float *src,
                int                   in_w,
                int                   h,
                __global float       *dst,
                int                   out_w,
                __global const int   *first,
                __global const int   *count,
                __global const float *weights,
                int                   max_taps)
{
  int i = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  __global const float *row;
  float s = 0.0f;

  if (i >= out_w || y >= h)
    return;
  row = src + (c * h + y) * in_w + first[i];
  for (int k = 0; k < count[i]; k++)
    s += weights[i * max_taps + k] * row[k];
  dst[(c * h + y) * out_w + i] = s;
}

/* The vertical pass fused with the input fill: tmp (w x in_h tight planes)
 * → the raw padded input (the first DISTS feature set) and its
 * ImageNet-normalised copy (VGG's input), as dists_fill_input writes them. */
__kernel void
dists_resize_v_fill (__global const float *src,
                     int                   w,
                     int                   in_h,
                     int                   out_h,
                     __global const int   *first,
                     __global const int   *count,
                     __global const float *weights,
                     int                   max_taps,
                     __global float       *raw,
                     __global float       *norm,
                     int                   pitch,
                     int                   plane)
{
  int x = get_global_id (0), j = get_global_id (1), c = get_global_id (2);
  const float mean[3] = { 0.485f, 0.456f, 0.406f };
  const float std[3] = { 0.229f, 0.224f, 0.225f };
  float s = 0.0f;
  int o;

  if (x >= w || j >= out_h)
    return;
  for (int k = 0; k < count[j]; k++)
    s += weights[j * max_taps + k] * src[(c * in_h + first[j] + k) * w + x];
  o = c * plane + (j + 1) * pitch + x + 1;
  raw[o] = s;
  norm[o] = (s - mean[c]) / std[c];
}

/* Zeroes the border and slack of padded planes for a w x h image
 * (everything but the interior): buffers are reused across frames and
 * stages, the kernels write only the interior, and the convs read the
 * border and slack as zero padding. Global size (rows of the plane,
 * channels from @first): one row per work-item, whole above and below the
 * image, its left border and right slack beside it. */
__kernel void
dists_clear_border (__global float *buf,
                    int             w,
                    int             h,
                    int             pitch,
                    int             plane,
                    int             first)
{
  int r = get_global_id (0), c = first + get_global_id (1);
  __global float *row = buf + (size_t) c * plane + (size_t) r * pitch;

  if (r >= plane / pitch)
    return;
  if (r == 0 || r > h)
    for (int x = 0; x < pitch; x++)
      row[x] = 0.0f;
  else
    {
      row[0] = 0.0f;
      for (int x = w + 1; x < pitch; x++)
        row[x] = 0.0f;
    }
}

/* Tight RGB planes in [0, 1] → the raw padded input (the first DISTS
 * feature set) and its ImageNet-normalised copy (VGG's input). */
__kernel void
dists_fill_input (__global const float *src,
                  int                   w,
                  int                   h,
                  __global float       *raw,
                  __global float       *norm,
                  int                   pitch,
                  int                   plane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  const float mean[3] = { 0.485f, 0.456f, 0.406f };
  const float std[3] = { 0.229f, 0.224f, 0.225f };
  float v;
  int o;

  if (x >= w || y >= h)
    return;
  v = src[(c * h + y) * w + x];
  o = c * plane + (y + 1) * pitch + x + 1;
  raw[o] = v;
  norm[o] = (v - mean[c]) / std[c];
}

/* L2 pooling: sqrt(Σ g x² + 1e-12), g = [0.5, 1, 0.5]² / 4, stride 2,
 * zero padding 1. Global size (out_w, out_h, channels). */
__kernel void
dists_l2pool (__global const float *in,
              int                   w,
              int                   h,
              int                   pitch,
              int                   plane,
              __global float       *out,
              int                   out_w,
              int                   out_h,
              int                   out_pitch,
              int                   out_plane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  const float g[3] = { 0.5f, 1.0f, 0.5f };
  __global const float *p;
  float s = 0.0f;

  if (x >= out_w || y >= out_h)
    return;
  p = in + c * plane + 2 * y * pitch + 2 * x;
  for (int ky = 0; ky < 3; ky++)
    for (int kx = 0; kx < 3; kx++)
      {
        float v = p[ky * pitch + kx];

        s += (g[ky] * g[kx] * 0.25f) * (v * v);
      }
  out[c * out_plane + (y + 1) * out_pitch + x + 1] = sqrt (s + 1e-12f);
}

/* Per-channel μx, μy, σx², σy², σxy, two-pass, one work-group per channel.
 * Sums are in double where the device has it; each result is written as a
 * float pair (hi, lo) so the host recovers more than float precision, at
 * channel @first + c of @stats (every stage's channels in one buffer, read
 * back once). */
static inline void
reduce_local (__local acc_t *scratch,
              int            lid)
{
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int s = STATS_GROUP / 2; s > 0; s >>= 1)
    {
      if (lid < s)
        scratch[lid] += scratch[lid + s];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
}

static inline void
write_pair (__global float *out,
            acc_t          v)
{
  float hi = (float) v;

  out[0] = hi;
  out[1] = (float) (v - (acc_t) hi);
}

__kernel __attribute__ ((reqd_work_group_size (STATS_GROUP, 1, 1))) void
dists_stats (__global const float *x,
             __global const float *y,
             int                   w,
             int                   h,
             int                   pitch,
             int                   plane,
             __global float       *stats,
             int                   first)
{
  __local acc_t sa[STATS_GROUP];
  __local acc_t sb[STATS_GROUP];
  __local acc_t sc[STATS_GROUP];
  int lid = get_local_id (0), c = get_group_id (1);
  int n = w * h;
  __global const float *px = x + c * plane;
  __global const float *py = y + c * plane;
  acc_t ax = 0, ay = 0, mx, my, vx = 0, vy = 0, cxy = 0;

  for (int r = 1; r <= h; r++)
    for (int i = lid + 1; i <= w; i += STATS_GROUP)
      {
        ax += px[r * pitch + i];
        ay += py[r * pitch + i];
      }
  sa[lid] = ax;
  sb[lid] = ay;
  reduce_local (sa, lid);
  reduce_local (sb, lid);
  mx = sa[0] / n;
  my = sb[0] / n;
  barrier (CLK_LOCAL_MEM_FENCE);

  for (int r = 1; r <= h; r++)
    for (int i = lid + 1; i <= w; i += STATS_GROUP)
      {
        acc_t dx = px[r * pitch + i] - mx, dy = py[r * pitch + i] - my;

        vx += dx * dx;
        vy += dy * dy;
        cxy += dx * dy;
      }
  sa[lid] = vx;
  sb[lid] = vy;
  sc[lid] = cxy;
  reduce_local (sa, lid);
  reduce_local (sb, lid);
  reduce_local (sc, lid);
  if (lid == 0)
    {
      __global float *o = stats + (first + c) * 10;

      write_pair (o + 0, mx);
      write_pair (o + 2, my);
      write_pair (o + 4, sa[0] / n);
      write_pair (o + 6, sb[0] / n);
      write_pair (o + 8, sc[0] / n);
    }
}
