/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The graph IR's ops (app/model/svd-graph.h) for SPAN-family networks.
 * The plain-C twin of every kernel is app/engine/svd-graph-ref.c.
 *
 * Tensors have the engine's feature-map layout (see conv.cl): value
 * (c, y, x) is at c · plane + (y + 1) · pitch + x + 1, with a border and
 * slack that stay zero, so 3x3 convs with zero padding 1 can run on
 * conv.cl's tuned kernels; these kernels check bounds and write only the
 * image itself. With HALF
 * defined, tensors are stored as IEEE half (vload_half / vstore_half, in
 * every OpenCL 1.2) and all arithmetic is fp32, as on the compact path.
 *
 * The conv kernel is built per kernel size (KH, KW) and output-channel
 * block (OCB): one work-item computes 8 pixels of a row for OCB output
 * channels, from weights laid out as [OC / OCB][IC][KH][KW][OCB]. Bias,
 * the activation and an element-wise tail are fused into its store:
 *   v = act (conv + bias);  tail 1: v + A;  2: v · A;  3: v · (A + B)
 * (SPAN's gate is tail 3: (x + c3) · tanh (conv1x1 (c3))). */

#ifdef HALF
typedef half store_t;
#define LD(p, i) vload_half ((i), (p))
#define ST(v, p, i) vstore_half ((v), (i), (p))
#else
typedef float store_t;
#define LD(p, i) ((p)[i])
#define ST(v, p, i) ((p)[i] = (v))
#endif

/* Activations (SvdGraphAct). */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_PRELU 2
#define ACT_LEAKY 3
#define ACT_SILU 4
#define ACT_SIGMOID 5
#define ACT_TANH 6
#define ACT_CLAMP 7

inline float
act (int act, float v, float slope, float alpha, float beta)
{
  switch (act)
    {
    case ACT_RELU: return fmax (v, 0.0f);
    case ACT_PRELU: return v >= 0.0f ? v : v * slope;
    case ACT_LEAKY: return v >= 0.0f ? v : v * alpha;
    case ACT_SILU: return v / (1.0f + exp (-v));
    case ACT_SIGMOID: return 1.0f / (1.0f + exp (-v));
    case ACT_TANH: return tanh (v);
    case ACT_CLAMP: return fmin (fmax (v, alpha), beta);
    default: return v;
    }
}

#define AT(c, y, x, pitch, plane) ((size_t) (c) * (plane) + (size_t) ((y) + 1) * (pitch) + (x) + 1)

#ifdef KH

#define PX 8

__kernel void
conv (__global const store_t *src,
      int                     ic_n,
      int                     w,
      int                     h,
      int                     pitch,
      int                     plane,
      int                     pad_t,
      int                     pad_l,
      __global store_t       *dst,
      int                     ow,
      int                     oh,
      int                     opitch,
      int                     oplane,
      __global const float   *weight,
      __global const float   *bias,
      __global const float   *slope,
      int                     act_type,
      float                   alpha,
      float                   beta,
      int                     tail,
      __global const store_t *ta,
      __global const store_t *tb)
{
  int x0 = get_global_id (0) * PX;
  int y = get_global_id (1);
  int ob = get_global_id (2);
  float8 acc[OCB];

  if (y >= oh || x0 >= ow)
    return;
  for (int o = 0; o < OCB; o++)
    acc[o] = (float8) (bias[ob * OCB + o]);
  for (int ic = 0; ic < ic_n; ic++)
    {
      __global const store_t *p = src + (size_t) ic * plane;
      __global const float *wp = weight + ((size_t) ob * ic_n + ic) * KH * KW * OCB;

      for (int ky = 0; ky < KH; ky++)
        {
          int yy = y + ky - pad_t;
          float r[PX + KW - 1];

          if (yy < 0 || yy >= h)
            continue;
          for (int i = 0; i < PX + KW - 1; i++)
            {
              int xx = x0 + i - pad_l;

              r[i] = xx >= 0 && xx < w ? LD (p, (size_t) (yy + 1) * pitch + xx + 1) : 0.0f;
            }
          for (int kx = 0; kx < KW; kx++)
            {
              float8 xv = (float8) (r[kx], r[kx + 1], r[kx + 2], r[kx + 3], r[kx + 4], r[kx + 5], r[kx + 6],
                                    r[kx + 7]);
              __global const float *wk = wp + (ky * KW + kx) * OCB;

              for (int o = 0; o < OCB; o++)
                acc[o] = mad ((float8) (wk[o]), xv, acc[o]);
            }
        }
    }
  for (int o = 0; o < OCB; o++)
    {
      int oc = ob * OCB + o;
      float s = act_type == ACT_PRELU ? slope[oc] : 0.0f;
      float v[PX];

      vstore8 (acc[o], 0, v);
      for (int i = 0; i < PX; i++)
        {
          int x = x0 + i;
          size_t at = AT (oc, y, x, opitch, oplane);
          float r;

          if (x >= ow)
            break;
          r = act (act_type, v[i], s, alpha, beta);
          if (tail == 1)
            r += LD (ta, at);
          else if (tail == 2)
            r *= LD (ta, at);
          else if (tail == 3)
            r *= LD (ta, at) + LD (tb, at);
          ST (r, dst, at);
        }
    }
}

/* 1x1 convs (pad 0): 16 pixels of a row per work-item with vector loads;
 * the rows' slack (whole tiles, see conv.cl) makes the loads in bounds and
 * stays zero, since only pixels inside the image are stored. */
#ifdef HALF
#define LD16(p, i) vload_half16 (0, (p) + (i))
#define ST16(v, p, i) vstore_half16 ((v), 0, (p) + (i))
#else
#define LD16(p, i) vload16 (0, (p) + (i))
#define ST16(v, p, i) vstore16 ((v), 0, (p) + (i))
#endif

inline float16
act16 (int act, float16 v, float slope, float alpha, float beta)
{
  switch (act)
    {
    case ACT_RELU: return fmax (v, (float16) 0.0f);
    case ACT_PRELU: return select (v * slope, v, isgreaterequal (v, (float16) 0.0f));
    case ACT_LEAKY: return select (v * alpha, v, isgreaterequal (v, (float16) 0.0f));
    case ACT_SILU: return v / (1.0f + exp (-v));
    case ACT_SIGMOID: return 1.0f / (1.0f + exp (-v));
    case ACT_TANH:
      /* 1 - 2 / (e^2v + 1): exp vectorises where PoCL's tanh does not
       * (SPAN's five gates spent most of their time in it); the absolute
       * error stays near fp32 rounding, e^2v saturating to 0 or inf at
       * the ends gives -1 and 1. */
      return 1.0f - 2.0f / (exp (2.0f * v) + 1.0f);
    case ACT_CLAMP: return fmin (fmax (v, (float16) alpha), (float16) beta);
    default: return v;
    }
}

__kernel void
conv1x1 (__global const store_t *src0,
         __global const store_t *src1,
         __global const store_t *src2,
         __global const store_t *src3,
         int                     n0,
         int                     n1,
         int                     n2,
         int                     n3,
         int                     n_ob,
         int                     w,
         int                     h,
         int                     pitch,
         int                     plane,
         __global store_t       *dst,
         int                     opitch,
         int                     oplane,
         __global const float   *weight,
         __global const float   *bias,
         __global const float   *slope,
         int                     act_type,
         float                   alpha,
         float                   beta,
         int                     tail,
         __global const store_t *ta,
         __global const store_t *tb)
{
  int y = get_global_id (1);
  int ic_n = n0 + n1 + n2 + n3;

  if (y >= h)
    return;
  /* A GPU runs one item per 16 pixels and channel block; a CPU one per
   * row (few, big work-items), every channel block of 16 pixels in turn
   * while their inputs are in its L1 cache. */
  for (int x0 = get_global_id (0) * 16; x0 < w; x0 += get_global_size (0) * 16)
    for (int ob = get_global_id (2); ob < n_ob; ob += get_global_size (2))
    {
      float16 acc[OCB];
      size_t row = (size_t) (y + 1) * pitch + x0 + 1;
      __global const float *wk = weight + (size_t) ob * ic_n * OCB;

      #pragma unroll
      for (int o = 0; o < OCB; o++)
        acc[o] = (float16) (bias[ob * OCB + o]);
      /* Up to four sources: a concat on channels read in place. */
      for (int part = 0; part < 4; part++)
        {
          __global const store_t *p = part == 0 ? src0 : part == 1 ? src1 : part == 2 ? src2 : src3;
          int n = part == 0 ? n0 : part == 1 ? n1 : part == 2 ? n2 : n3;

          p += row;
          #pragma unroll 4
          for (int ic = 0; ic < n; ic++)
            {
              float16 xv = LD16 (p, (size_t) ic * plane);

              #pragma unroll
              for (int o = 0; o < OCB; o++)
                acc[o] = mad ((float16) (wk[o]), xv, acc[o]);
              wk += OCB;
            }
        }
      /* A vector epilogue: columns past the image are stored as zeros,
       * which keeps the slack zero for the next 3x3 conv. */
      #pragma unroll
      for (int o = 0; o < OCB; o++)
        {
          int oc = ob * OCB + o;
          size_t at = (size_t) oc * oplane + (size_t) (y + 1) * opitch + x0 + 1;
          float16 r = act16 (act_type, acc[o], act_type == ACT_PRELU ? slope[oc] : 0.0f, alpha, beta);

          if (tail == 1)
            r += LD16 (ta, at);
          else if (tail == 2)
            r *= LD16 (ta, at);
          else if (tail == 3)
            r *= LD16 (ta, at) + LD16 (tb, at);
          if (x0 + 16 > w)
            {
              float t[16];

              vstore16 (r, 0, t);
              for (int i = w - x0; i < 16; i++)
                t[i] = 0.0f;
              r = vload16 (0, t);
            }
          ST16 (r, dst, at);
        }
    }
}

#ifdef N0
/* 1x1 convs on a CPU (PoCL): the channel counts of up to four sources (a
 * concat read in place) are compile-time constants N0..N3; one work-item
 * computes RX vectors of 16 pixels of a row for every output channel
 * block in turn, so its inputs stay in the L1 cache, each loaded vector
 * serves OCB channels and each broadcast weight RX vectors (as conv.cl's
 * block variant). Loads and stores past the image stay in the rows'
 * slack; stores there are zeros. */
#define IC_N (N0 + N1 + N2 + N3)
#define PART(p, N)                                                         \
  for (int ic = 0; ic < (N); ic++)                                         \
    {                                                                      \
      float16 xv[RX];                                                      \
                                                                           \
      _Pragma ("unroll")                                                   \
      for (int v = 0; v < RX; v++)                                         \
        xv[v] = LD16 ((p), (size_t) ic * plane + row + v * 16);            \
      _Pragma ("unroll")                                                   \
      for (int o = 0; o < OCB; o++)                                        \
        {                                                                  \
          float16 k = (float16) (wk[o]);                                   \
                                                                           \
          _Pragma ("unroll")                                               \
          for (int v = 0; v < RX; v++)                                     \
            acc[o][v] = fma (xv[v], k, acc[o][v]);                         \
        }                                                                  \
      wk += OCB;                                                           \
    }

__kernel void
conv1x1_block (__global const store_t *restrict src0,
               __global const store_t *restrict src1,
               __global const store_t *restrict src2,
               __global const store_t *restrict src3,
               int                              n_ob,
               int                              w,
               int                              h,
               int                              pitch,
               int                              plane,
               __global store_t *restrict       dst,
               int                              opitch,
               int                              oplane,
               __global const float *restrict   weight,
               __global const float *restrict   bias,
               __global const float *restrict   slope,
               int                              act_type,
               float                            alpha,
               float                            beta,
               int                              tail,
               __global const store_t *restrict ta,
               __global const store_t *restrict tb)
{
  int x0 = get_global_id (0) * 16 * RX;
  int y = get_global_id (1);
  size_t row = (size_t) (y + 1) * pitch + x0 + 1;

  if (y >= h || x0 >= w)
    return;
  for (int ob = 0; ob < n_ob; ob++)
    {
      float16 acc[OCB][RX];
      __global const float *wk = weight + (size_t) ob * IC_N * OCB;

      #pragma unroll
      for (int o = 0; o < OCB; o++)
        #pragma unroll
        for (int v = 0; v < RX; v++)
          acc[o][v] = (float16) (bias[ob * OCB + o]);
      PART (src0, N0)
      PART (src1, N1)
      PART (src2, N2)
      PART (src3, N3)
      #pragma unroll
      for (int o = 0; o < OCB; o++)
        {
          int oc = ob * OCB + o;
          float sl = act_type == ACT_PRELU ? slope[oc] : 0.0f;

          #pragma unroll
          for (int v = 0; v < RX; v++)
            {
              int xs = x0 + v * 16;
              size_t at = (size_t) oc * oplane + (size_t) (y + 1) * opitch + xs + 1;
              float16 r = act16 (act_type, acc[o][v], sl, alpha, beta);

              if (tail == 1)
                r += LD16 (ta, at);
              else if (tail == 2)
                r *= LD16 (ta, at);
              else if (tail == 3)
                r *= LD16 (ta, at) + LD16 (tb, at);
              if (xs >= w)
                r = (float16) 0.0f;
              else if (xs + 16 > w)
                {
                  float t[16];

                  vstore16 (r, 0, t);
                  for (int i = w - xs; i < 16; i++)
                    t[i] = 0.0f;
                  r = vload16 (0, t);
                }
              ST16 (r, dst, at);
            }
        }
    }
}
#endif

#else

/* Element-wise activation. */
__kernel void
activate (__global const store_t *src,
          __global store_t       *dst,
          int                     w,
          int                     h,
          int                     pitch,
          int                     plane,
          __global const float   *slope,
          int                     act_type,
          float                   alpha,
          float                   beta)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  size_t at = AT (c, y, x, pitch, plane);

  if (x >= w || y >= h)
    return;
  ST (act (act_type, LD (src, at), act_type == ACT_PRELU ? slope[c] : 0.0f, alpha, beta), dst, at);
}

/* a ∘ b, b a tensor (n_konst 0) or per-channel constants; konst_first
 * swaps the operands (c - x). op: 0 add, 1 sub, 2 mul. */
__kernel void
binary (__global const store_t *a,
        __global const store_t *b,
        __global const float   *konst,
        int                     n_konst,
        int                     konst_first,
        int                     op,
        __global store_t       *dst,
        int                     w,
        int                     h,
        int                     pitch,
        int                     plane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  size_t at = AT (c, y, x, pitch, plane);
  float u, v, r;

  if (x >= w || y >= h)
    return;
  u = LD (a, at);
  v = n_konst == 0 ? LD (b, at) : konst[n_konst == 1 ? 0 : c];
  if (konst_first)
    {
      float t = u;

      u = v;
      v = t;
    }
  r = op == 0 ? u + v : op == 1 ? u - v : u * v;
  ST (r, dst, at);
}

/* Channels [c0, c0 + n) of src to channels [d0, d0 + n) of dst (concat,
 * split, slice); both of one size and geometry. */
__kernel void
copy_channels (__global const store_t *src,
               int                     c0,
               __global store_t       *dst,
               int                     d0,
               int                     w,
               int                     h,
               int                     pitch,
               int                     plane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);

  if (x >= w || y >= h)
    return;
  ST (LD (src, AT (c0 + c, y, x, pitch, plane)), dst, AT (d0 + c, y, x, pitch, plane));
}

/* out (c, y, x) = in (table[(c·s + y % s)·s + x % s], y / s, x / s): one
 * work-item per input pixel and output channel writes its s × s block, so
 * the reads run along rows and no index is divided. */
__kernel void
depth_to_space (__global const store_t *src,
                int                     w,
                int                     h,
                int                     pitch,
                int                     plane,
                __global const int     *table,
                int                     s,
                __global store_t       *dst,
                int                     opitch,
                int                     oplane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);

  if (x >= w || y >= h)
    return;
  for (int i = 0; i < s; i++)
    for (int j = 0; j < s; j++)
      ST (LD (src, AT (table[(c * s + i) * s + j], y, x, pitch, plane)), dst,
          AT (c, y * s + i, x * s + j, opitch, oplane));
}

/* out (k, y, x) = in (c, y·s + i, x·s + j), table[k] = (c·s + i)·s + j */
__kernel void
space_to_depth (__global const store_t *src,
                int                     w,
                int                     h,
                int                     pitch,
                int                     plane,
                __global const int     *table,
                int                     s,
                __global store_t       *dst,
                int                     opitch,
                int                     oplane)
{
  int x = get_global_id (0), y = get_global_id (1), k = get_global_id (2), ow = w / s, oh = h / s;
  int code = table[k], c = code / (s * s), i = code / s % s, j = code % s;

  if (x >= ow || y >= oh)
    return;
  ST (LD (src, AT (c, y * s + i, x * s + j, pitch, plane)), dst, AT (k, y, x, opitch, oplane));
}

inline int
reflect (int i, int n)
{
  if (n == 1)
    return 0;
  while (i < 0 || i >= n)
    i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

/* mode: 0 constant, 1 reflect, 2 edge; also a crop (mode 3: the window
 * at (pad_l, pad_t) = (x0, y0)). */
__kernel void
pad (__global const store_t *src,
     int                     w,
     int                     h,
     int                     pitch,
     int                     plane,
     int                     pad_t,
     int                     pad_l,
     int                     mode,
     float                   value,
     __global store_t       *dst,
     int                     ow,
     int                     oh,
     int                     opitch,
     int                     oplane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  int sy, sx;
  float v;

  if (x >= ow || y >= oh)
    return;
  if (mode == 3)
    {
      sy = y + pad_t;
      sx = x + pad_l;
    }
  else
    {
      sy = y - pad_t;
      sx = x - pad_l;
    }
  if (mode == 0 && (sy < 0 || sy >= h || sx < 0 || sx >= w))
    v = value;
  else
    {
      if (mode == 1)
        {
          sy = reflect (sy, h);
          sx = reflect (sx, w);
        }
      else if (mode == 2)
        {
          sy = clamp (sy, 0, h - 1);
          sx = clamp (sx, 0, w - 1);
        }
      v = LD (src, AT (c, sy, sx, pitch, plane));
    }
  ST (v, dst, AT (c, y, x, opitch, oplane));
}

/* SvdGraphCoord / SvdGraphRound as in the C twin. */
inline float
resize_coord (int coord, int o, int in_len, int out_len)
{
  float scale = (float) out_len / (float) in_len;

  switch (coord)
    {
    case 0: return (o + 0.5f) / scale - 0.5f;
    case 1: return out_len > 1 ? (o + 0.5f) / scale - 0.5f : 0.0f;
    case 2: return o / scale;
    default: return out_len > 1 ? (float) o * (in_len - 1) / (out_len - 1) : 0.0f;
    }
}

inline int
resize_nearest (int round, float x, int in_len)
{
  float r;

  switch (round)
    {
    case 0: r = x - floor (x) == 0.5f ? floor (x) : floor (x + 0.5f); break;
    case 1: r = floor (x + 0.5f); break;
    case 2: r = floor (x); break;
    default: r = ceil (x); break;
    }
  return clamp ((int) r, 0, in_len - 1);
}

__kernel void
resize (__global const store_t *src,
        int                     w,
        int                     h,
        int                     pitch,
        int                     plane,
        int                     linear,
        int                     coord,
        int                     round,
        __global store_t       *dst,
        int                     ow,
        int                     oh,
        int                     opitch,
        int                     oplane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  float fy, fx, v;
  __global const store_t *p = src + (size_t) c * plane + pitch + 1;

  if (x >= ow || y >= oh)
    return;
  fy = resize_coord (coord, y, h, oh);
  fx = resize_coord (coord, x, w, ow);
  if (!linear)
    v = LD (p, (size_t) resize_nearest (round, fy, h) * pitch + resize_nearest (round, fx, w));
  else
    {
      int y0, x0, y1, x1;
      float wy, wx;

      fy = clamp (fy, 0.0f, (float) (h - 1));
      fx = clamp (fx, 0.0f, (float) (w - 1));
      y0 = (int) fy;
      x0 = (int) fx;
      y1 = min (y0 + 1, h - 1);
      x1 = min (x0 + 1, w - 1);
      wy = fy - y0;
      wx = fx - x0;
      v = (LD (p, (size_t) y0 * pitch + x0) * (1 - wx) + LD (p, (size_t) y0 * pitch + x1) * wx) * (1 - wy) +
          (LD (p, (size_t) y1 * pitch + x0) * (1 - wx) + LD (p, (size_t) y1 * pitch + x1) * wx) * wy;
    }
  ST (v, dst, AT (c, y, x, opitch, oplane));
}

/* The engine's RGB images (float planes with a one-pixel border, see
 * conv.cl) to and from a tensor. */
__kernel void
import_rgb (__global const float *rgb,
            int                   pitch,
            int                   plane,
            __global store_t     *dst,
            int                   w,
            int                   h,
            int                   opitch,
            int                   oplane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);

  if (x >= w || y >= h)
    return;
  ST (rgb[AT (c, y, x, pitch, plane)], dst, AT (c, y, x, opitch, oplane));
}

/* The last pixel shuffle straight into the RGB image (as depth_to_space,
 * stored as float in the image's layout). */
__kernel void
depth_to_space_rgb (__global const store_t *src,
                    int                     w,
                    int                     h,
                    int                     pitch,
                    int                     plane,
                    __global const int     *table,
                    int                     s,
                    __global float         *rgb,
                    int                     opitch,
                    int                     oplane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);

  if (x >= w || y >= h)
    return;
  for (int i = 0; i < s; i++)
    for (int j = 0; j < s; j++)
      rgb[AT (c, y * s + i, x * s + j, opitch, oplane)] = LD (src, AT (table[(c * s + i) * s + j], y, x, pitch, plane));
}

__kernel void
export_rgb (__global const store_t *src,
            int                     w,
            int                     h,
            int                     pitch,
            int                     plane,
            __global float         *rgb,
            int                     opitch,
            int                     oplane)
{
  int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);

  if (x >= w || y >= h)
    return;
  rgb[AT (c, y, x, opitch, oplane)] = LD (src, AT (c, y, x, pitch, plane));
}

#endif
