/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Winograd F(WM x WM, 3x3) convolutions (WM = 2 or 4) for the body convs
 * of SRVGGNetCompact, fused with bias and PReLU. The plain-C twin is
 * app/engine/svd-winograd.c (svd_winograd_conv_ref()); the weights come
 * already transformed (U = G g Gᵀ) by svd_winograd_transform_weights(), laid
 * out as [WT²][OC / OCB][IC][OCB].
 *
 * Feature maps are the padded planes of conv.cl: pixel (x, y) of channel c
 * at c * PLANE + (y + 1) * pitch + (x + 1), with a zero border and zero
 * slack right of and below the image, so tile loads need no bounds check
 * beyond the allocated rows.
 *
 * Work layout (CPU-shaped, for PoCL): each work-item is persistent and
 * walks blocks of TB = VW * RX horizontally adjacent tiles of one tile row,
 * over the nblocks blocks of the tile rows from ty0 (a band of the layer:
 * the engine enqueues a big layer in bands, with a cancellation point
 * after each).
 * Vector lanes run along tiles. Per block it
 *   1. transforms the input of its tiles for every input channel into its
 *      own slice of `scratch` (V: [WT²][IC][TB] with padded rows, a few
 *      hundred KiB that stay in the core's cache);
 *   2. per block of OCB output channels and per transformed position e,
 *      sums U[e] x V[e] over input channels into OCB x RX vector
 *      accumulators (the GEMM-like part, register-blocked like
 *      conv3x3_block: each V vector loaded is used OCB times, each
 *      broadcast weight RX times), and parks the result M in scratch;
 *   3. transforms M back (Y = Aᵀ M A), adds the bias, applies PReLU and
 *      stores the WM x WM pixels of each tile that lie in the image.
 *
 * Compile-time constants (-D): WM, IC, OC, OCB (divides OC), VW (16, 8, 4
 * or 1), RX, and SRC_HALF / DST_HALF for the fp16 storage path (feature
 * maps stored as half, arithmetic in fp32, as in conv.cl). */

#define WT (WM + 2)
#define NE (WT * WT)
#define TB (VW * RX)
#define NOB (OC / OCB)
/* Strides of the transformed positions in scratch, padded by a cache line:
 * unpadded, the WT² stores (and loads) of one tile column would all fall
 * in the same L1 set (a power-of-two stride) and evict each other. */
#define VSTRIDE (IC * TB + 16)
#define MSTRIDE (OCB * TB + 16)

#if VW == 16
typedef float16 floatv;
#define VLOAD vload16
#define VSTORE vstore16
#elif VW == 8
typedef float8 floatv;
#define VLOAD vload8
#define VSTORE vstore8
#elif VW == 4
typedef float4 floatv;
#define VLOAD vload4
#define VSTORE vstore4
#else
typedef float floatv;
#define VLOAD(o, p) (*(p))
#define VSTORE(v, o, p) (*(p) = (v))
#endif

#ifdef SRC_HALF
#define SRC_T half
#define LOAD1_SRC(p) vload_half (0, (p))
#else
#define SRC_T float
#define LOAD1_SRC(p) (*(p))
#endif

#ifdef DST_HALF
#define DST_T half
#define STORE1_DST(v, p) vstore_half ((v), 0, (p))
#else
#define DST_T float
#define STORE1_DST(v, p) (*(p) = (v))
#endif

/* The transforms of Lavin and Gray (the matrices are written out in the C
 * twin, app/engine/svd-winograd.c), as macros over vectors of tiles. */
#if WM != 2 && WM != 4
#error "WM must be 2 or 4"
#endif

#if WM == 2
/* The 1-D transforms of F(2x2,3x3) written out: summing over the
 * matrices' entries started from +0.0, which the compiler may not drop.
 * r = Bᵀ d = (d0 - d2, d1 + d2, d2 - d1, d1 - d3); y = Aᵀ m = (m0 + m1 +
 * m2, m1 - m2 - m3). */
#define BT4(d0, d1, d2, d3, r)                                                 \
  do {                                                                         \
    (r)[0] = (d0) - (d2);                                                      \
    (r)[1] = (d1) + (d2);                                                      \
    (r)[2] = (d2) - (d1);                                                      \
    (r)[3] = (d1) - (d3);                                                      \
  } while (0)
#define AT4(m0, m1, m2, m3, y)                                                 \
  do {                                                                         \
    (y)[0] = (m0) + (m1) + (m2);                                               \
    (y)[1] = (m1) - (m2) - (m3);                                               \
  } while (0)
#define BT_ROW(d, r) BT4 ((d)[0], (d)[1], (d)[2], (d)[3], r)
#define BT_COL(h, b, r) BT4 ((h)[0][b], (h)[1][b], (h)[2][b], (h)[3][b], r)
#define AT_COL(m, y) AT4 ((m)[0], (m)[1], (m)[2], (m)[3], y)
#define AT_ROW(u, y) AT4 ((u)[0], (u)[1], (u)[2], (u)[3], y)
#endif

#if WM == 4
/* The 1-D transforms of F(4x4,3x3) with their shared terms spelt out (the
 * compiler may not reassociate floats): Bᵀ d in 12 operations instead of
 * 20, Aᵀ m in 10 instead of 16. r = Bᵀ (d0 … d5):
 *   r0 = 4 d0 - 5 d2 + d4           r5 = 4 d1 - 5 d3 + d5
 *   r1, r2 = (d4 - 4 d2) ± (d3 - 4 d1)
 *   r3, r4 = (d4 - d2) ± 2 (d3 - d1)
 * y = Aᵀ (m0 … m5), with a, b = m1 ± m2 and c, e = m3 ± m4:
 *   y0 = m0 + a + c   y1 = b + 2 e   y2 = a + 4 c   y3 = b + 8 e + m5 */
#define BT6(d0, d1, d2, d3, d4, d5, r)                                         \
  do {                                                                         \
    floatv s1_ = fma ((d2), (floatv) -4.0f, (d4));                             \
    floatv s2_ = fma ((d1), (floatv) -4.0f, (d3));                             \
    floatv s3_ = (d4) - (d2), s4_ = ((d3) - (d1)) * 2.0f;                      \
    (r)[0] = fma ((d0), (floatv) 4.0f, fma ((d2), (floatv) -5.0f, (d4)));      \
    (r)[1] = s1_ + s2_;                                                        \
    (r)[2] = s1_ - s2_;                                                        \
    (r)[3] = s3_ + s4_;                                                        \
    (r)[4] = s3_ - s4_;                                                        \
    (r)[5] = fma ((d1), (floatv) 4.0f, fma ((d3), (floatv) -5.0f, (d5)));      \
  } while (0)
#define AT6(m0, m1, m2, m3, m4, m5, y)                                         \
  do {                                                                         \
    floatv a_ = (m1) + (m2), b_ = (m1) - (m2), c_ = (m3) + (m4), e_ = (m3) - (m4); \
    (y)[0] = (m0) + a_ + c_;                                                   \
    (y)[1] = fma (e_, (floatv) 2.0f, b_);                                      \
    (y)[2] = fma (c_, (floatv) 4.0f, a_);                                      \
    (y)[3] = fma (e_, (floatv) 8.0f, b_) + (m5);                               \
  } while (0)
#define BT_ROW(d, r) BT6 ((d)[0], (d)[1], (d)[2], (d)[3], (d)[4], (d)[5], r)
#define BT_COL(h, b, r) BT6 ((h)[0][b], (h)[1][b], (h)[2][b], (h)[3][b], (h)[4][b], (h)[5][b], r)
#define AT_COL(m, y) AT6 ((m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5], y)
#define AT_ROW(u, y) AT6 ((u)[0], (u)[1], (u)[2], (u)[3], (u)[4], (u)[5], y)
#endif

#if VW == 16
/* The WT input columns of 16 tiles along one row, from contiguous loads
 * and lane shuffles instead of 16 x WT scalar loads: d[k] lane i is
 * p[i * WM + k]. Reads p[0] to p[16 * WM + 1]. */
#ifdef SRC_HALF
#define LOAD16(p) vload_half16 (0, (p))
#else
#define LOAD16(p) vload16 (0, (p))
#endif
/* Lane shuffles with constant masks. Clang (PoCL, most GPU compilers)
 * gets __builtin_shufflevector, which maps to one permute instruction;
 * PoCL's shuffle2() takes the mask as a run-time vector, and LLVM turned
 * the gather built from it into dozens of 8-byte loads and inserts. */
#ifdef __clang__
#define SHUF2(a, b, ...) __builtin_shufflevector ((a), (b), __VA_ARGS__)
#else
#define SHUF2(a, b, ...) shuffle2 ((a), (b), (uint16) (__VA_ARGS__))
#endif
#define SHIFT1(v, next) SHUF2 ((v), (float16) (next), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)

inline void
gather16 (__global const SRC_T *p,
          float16               d[WT])
{
#if WM == 2
  float16 a0 = LOAD16 (p), a1 = LOAD16 (p + 16);

  d[0] = SHUF2 (a0, a1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  d[1] = SHUF2 (a0, a1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  d[2] = SHIFT1 (d[0], LOAD1_SRC (p + 32));
  d[3] = SHIFT1 (d[1], LOAD1_SRC (p + 33));
#else
  float16 a0 = LOAD16 (p), a1 = LOAD16 (p + 16), a2 = LOAD16 (p + 32), a3 = LOAD16 (p + 48);
  /* Lane i of d[k] is p[4 i + k]: pick every fourth value from each pair
   * of loads, then join the halves. */
#define PICK4(k) \
  SHUF2 (SHUF2 (a0, a1, k, k + 4, k + 8, k + 12, k + 16, k + 20, k + 24, k + 28, \
                k, k + 4, k + 8, k + 12, k + 16, k + 20, k + 24, k + 28), \
         SHUF2 (a2, a3, k, k + 4, k + 8, k + 12, k + 16, k + 20, k + 24, k + 28, \
                k, k + 4, k + 8, k + 12, k + 16, k + 20, k + 24, k + 28), \
         0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
  d[0] = PICK4 (0);
  d[1] = PICK4 (1);
  d[2] = PICK4 (2);
  d[3] = PICK4 (3);
#undef PICK4
  d[4] = SHIFT1 (d[0], LOAD1_SRC (p + 64));
  d[5] = SHIFT1 (d[1], LOAD1_SRC (p + 65));
#endif
}

/* The inverse for the output: WM vectors (column q, lane i = tile) to
 * 16 * WM consecutive pixels, stored whole. */
#ifdef DST_HALF
#define STORE16(v, p) vstore_half16 ((v), 0, (p))
#else
#define STORE16(v, p) vstore16 ((v), 0, (p))
#endif
#define ILV_LO 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define ILV_HI 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31

inline void
scatter16 (__global DST_T *p,
           float16         y[WM])
{
#if WM == 2
  STORE16 (SHUF2 (y[0], y[1], ILV_LO), p);
  STORE16 (SHUF2 (y[0], y[1], ILV_HI), p + 16);
#else
  float16 lo01 = SHUF2 (y[0], y[1], ILV_LO), hi01 = SHUF2 (y[0], y[1], ILV_HI);
  float16 lo23 = SHUF2 (y[2], y[3], ILV_LO), hi23 = SHUF2 (y[2], y[3], ILV_HI);

  STORE16 (SHUF2 (lo01, lo23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), p);
  STORE16 (SHUF2 (lo01, lo23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), p + 16);
  STORE16 (SHUF2 (hi01, hi23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), p + 32);
  STORE16 (SHUF2 (hi01, hi23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), p + 48);
#endif
}
#endif

__kernel void
wino_conv (__global const SRC_T *restrict src,
           int                            src_pitch,
           int                            src_plane,
           __global DST_T *restrict       dst,
           int                            dst_pitch,
           int                            dst_plane,
           __global const float *restrict weight,
           __global const float *restrict bias,
           __global const float *restrict slope,
           __global float *restrict       scratch,
           int                            width,
           int                            height,
           int                            ntx,
           int                            nbx,
           int                            nblocks,
           int                            ty0)
{
  const int gid = get_global_id (0);
  const int ng = get_global_size (0);
  __global float *V = scratch + (size_t) gid * NE * (VSTRIDE + MSTRIDE);
  __global float *M = V + NE * VSTRIDE;

  /* A contiguous run of blocks per work-item: left to right, then the
   * next tile row, so the many input rows read stream sequentially (and
   * the two rows tile rows share are still cached). */
  const int blk_end = (int) (((long) (gid + 1) * nblocks) / ng);

  for (int blk = (int) (((long) gid * nblocks) / ng); blk < blk_end; blk++)
    {
      const int ty = ty0 + blk / nbx;
      const int tx0 = (blk % nbx) * TB;
      /* Tiles of this block inside the image; lanes past it repeat the
       * last one's input (valid memory) and are not stored. */
      const int lanes = min (TB, ntx - tx0);
      const int last_px = lanes * WM + 1;
#if VW == 16
      /* Whole-vector loads may run past the image but not past the row. */
      const bool fast_in = (tx0 + TB) * WM + 2 <= src_pitch;
#endif

      /* 1. Input transform, V = Bᵀ d B, rows first. */
      for (int c = 0; c < IC; c++)
        {
          __global const SRC_T *s = src + (size_t) c * src_plane + (size_t) (ty * WM) * src_pitch + tx0 * WM;

          #pragma unroll
          for (int v = 0; v < RX; v++)
            {
              floatv h[WT][WT];

              #pragma unroll
              for (int r = 0; r < WT; r++)
                {
                  floatv d[WT];

#if VW == 16
                  if (fast_in)
                    gather16 (s + r * src_pitch + v * VW * WM, d);
                  else
#endif
                  #pragma unroll
                  for (int k = 0; k < WT; k++)
                    {
                      float tmp[VW];

                      for (int i = 0; i < VW; i++)
                        {
                          int px = min ((v * VW + i) * WM + k, last_px);

                          tmp[i] = LOAD1_SRC (s + r * src_pitch + px);
                        }
                      d[k] = VLOAD (0, tmp);
                    }
                  /* h[r][b] = sum_k d[r][k] B[k][b] = sum_k d[k] BT[b][k] */
                  BT_ROW (d, h[r]);
                }
              #pragma unroll
              for (int b = 0; b < WT; b++)
                {
                  floatv col[WT];

                  BT_COL (h, b, col);
                  #pragma unroll
                  for (int a = 0; a < WT; a++)
                    VSTORE (col[a], 0, V + (size_t) (a * WT + b) * VSTRIDE + c * TB + v * VW);
                }
            }
        }

      for (int ob = 0; ob < NOB; ob++)
        {
          /* 2. M[e] = sum over ic of U[e] V[e], OCB x RX vectors at once. */
          for (int e = 0; e < NE; e++)
            {
              __global const float *w = weight + (size_t) (e * NOB + ob) * IC * OCB;
              __global const float *vin = V + (size_t) e * VSTRIDE;
              floatv acc[OCB][RX];

              #pragma unroll
              for (int o = 0; o < OCB; o++)
                #pragma unroll
                for (int v = 0; v < RX; v++)
                  acc[o][v] = (floatv) 0.0f;
              for (int c = 0; c < IC; c++)
                {
                  floatv in[RX];

                  #pragma unroll
                  for (int v = 0; v < RX; v++)
                    in[v] = VLOAD (0, vin + c * TB + v * VW);
                  #pragma unroll
                  for (int o = 0; o < OCB; o++)
                    {
                      floatv k = (floatv) w[c * OCB + o];

                      #pragma unroll
                      for (int v = 0; v < RX; v++)
                        acc[o][v] = fma (in[v], k, acc[o][v]);
                    }
                }
              #pragma unroll
              for (int o = 0; o < OCB; o++)
                #pragma unroll
                for (int v = 0; v < RX; v++)
                  VSTORE (acc[o][v], 0, M + (size_t) e * MSTRIDE + o * TB + v * VW);
            }

          /* 3. Y = Aᵀ M A + bias, PReLU, store. */
          for (int o = 0; o < OCB; o++)
            {
              const int oc = ob * OCB + o;
              const float b0 = bias[oc];
              const float a0 = slope[oc];
              __global DST_T *d = dst + (size_t) oc * dst_plane;

              #pragma unroll
              for (int v = 0; v < RX; v++)
                {
                  /* u[p][b] = sum_a AT[p][a] M[a][b], a column at a time;
                   * then each output row p from u[p][*] as it is stored. */
                  floatv u[WM][WT];

                  #pragma unroll
                  for (int b = 0; b < WT; b++)
                    {
                      floatv mc[WT], r[WM];

                      #pragma unroll
                      for (int a = 0; a < WT; a++)
                        mc[a] = VLOAD (0, M + (size_t) (a * WT + b) * MSTRIDE + o * TB + v * VW);
                      AT_COL (mc, r);
                      #pragma unroll
                      for (int p = 0; p < WM; p++)
                        u[p][b] = r[p];
                    }
                  #pragma unroll
                  for (int p = 0; p < WM; p++)
                    {
                      const int y = ty * WM + p;
                      const int x0 = (tx0 + v * VW) * WM;
                      floatv yv[WM];
                      float buf[WM][VW];
                      int n;

                      AT_ROW (u[p], yv);
                      #pragma unroll
                      for (int q = 0; q < WM; q++)
                        {
                          floatv acc = yv[q] + b0;

                          yv[q] = select (acc * a0, acc, isgreaterequal (acc, (floatv) 0.0f));
                        }
                      if (y >= height || x0 >= width)
                        continue;
                      n = min (VW * WM, width - x0);
#if VW == 16
                      if (n == VW * WM)
                        {
                          scatter16 (d + (size_t) (y + 1) * dst_pitch + x0 + 1, yv);
                          continue;
                        }
#endif
                      #pragma unroll
                      for (int q = 0; q < WM; q++)
                        VSTORE (yv[q], 0, &buf[q][0]);
                      for (int j = 0; j < n; j++)
                        STORE1_DST (buf[j % WM][j / WM], d + (size_t) (y + 1) * dst_pitch + x0 + j + 1);
                    }
                }
            }
        }
    }
}

/* The weight transform U = G g Gᵀ on the device, into wino_conv's layout
 * [WT²][NOB][IC][OCB]; global size (OCB, IC, NOB), one (output, input)
 * channel pair per work-item. The C twin is svd_winograd_transform_weights():
 * with doubles (cl_khr_fp64) the same operations in the same order, no
 * contraction, rounded once, so the same bits; without them in float,
 * within a float rounding or two of it. Made once per layer as the engine
 * uploads it, in parallel, without a host-side copy of the (up to 4x
 * larger) transformed weights. */
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double wacc_t;
#else
typedef float wacc_t;
#endif
#define WQ(n, d) ((wacc_t) (n) / (wacc_t) (d))

#if WM == 2
__constant wacc_t WG[WT][3] = {
  { 1, 0, 0 },
  { WQ (1, 2), WQ (1, 2), WQ (1, 2) },
  { WQ (1, 2), WQ (-1, 2), WQ (1, 2) },
  { 0, 0, 1 },
};
#else
__constant wacc_t WG[WT][3] = {
  { WQ (1, 4), 0, 0 },
  { WQ (-1, 6), WQ (-1, 6), WQ (-1, 6) },
  { WQ (-1, 6), WQ (1, 6), WQ (-1, 6) },
  { WQ (1, 24), WQ (1, 12), WQ (1, 6) },
  { WQ (1, 24), WQ (-1, 12), WQ (1, 6) },
  { 0, 0, 1 },
};
#endif

__kernel void
wino_weights (__global const float *restrict weight,
              __global float *restrict       u)
{
#pragma OPENCL FP_CONTRACT OFF
  const int oo = get_global_id (0), i = get_global_id (1), ob = get_global_id (2);
  __global const float *k = weight + ((size_t) (ob * OCB + oo) * IC + i) * 9;
  wacc_t tmp[WT][3];

  #pragma unroll
  for (int a = 0; a < WT; a++)
    #pragma unroll
    for (int c = 0; c < 3; c++)
      tmp[a][c] = WG[a][0] * (wacc_t) k[c] + WG[a][1] * (wacc_t) k[3 + c] + WG[a][2] * (wacc_t) k[6 + c];
  #pragma unroll
  for (int a = 0; a < WT; a++)
    #pragma unroll
    for (int b = 0; b < WT; b++)
      u[(((size_t) (a * WT + b) * NOB + ob) * IC + i) * OCB + oo] =
        (float) (tmp[a][0] * WG[b][0] + tmp[a][1] * WG[b][1] + tmp[a][2] * WG[b][2]);
}

/* ---- The GPU-shaped variant: three passes over a chunk of tiles ----
 *
 * GPUs want many light work-items and loads shared through __local
 * memory, not a few persistent ones full of explicit SIMD; this is the
 * standard three-pass design (as in ncnn's Vulkan and MNN's OpenCL
 * backends). The layer (app/engine/svd-winograd-cl.c) splits the band of
 * tile rows it is asked for into chunks of at most a fixed number of tiles
 * (so the scratch does not depend on the frame size) and per chunk
 * enqueues
 *   1. wino_gpu_input: one work-item per (tile, input channel): V = Bᵀ d B
 *      into scratch as [NE][IC][TP];
 *   2. wino_gpu_gemm: M[e] = U[e] V[e] for every position e, a batched
 *      GEMM: each work-item a register block of OCB output channels x 4
 *      tiles, the work-group's V and U loads shared through __local tiles;
 *      M into scratch as [NE][OC][TP];
 *   3. wino_gpu_output: one work-item per (tile, output channel): Y = Aᵀ M
 *      A + bias, PReLU, and the WM x WM pixels that lie in the image.
 * Tiles are numbered along the rows of the frame, t = ty * ntx + tx; a
 * chunk is tiles t0 … t0 + nt - 1, TP = nt rounded up to a multiple of 4.
 *
 * Built with VW = 1, so floatv is float and the transform macros above
 * are scalar: the same operations in the same order as wino_conv. The
 * weights are wino_weights' layout [NE][NOB][IC][OCB] with OCB at most 4.
 * GLY (output-channel blocks per work-group, dividing NOB) and
 * GTQ = 64 / GLY (quads of tiles per work-group) shape the GEMM's
 * work-groups. */

#if VW == 1

#ifndef GLY
#define GLY 1
#endif
#define GTQ (64 / GLY)
/* Input channels per step of the GEMM's __local tiles. */
#define GKC 8

/* Input pixel (col, row) of the padded plane @p, zero past the right and
 * bottom borders: a tile at the image's edge reads no further than the
 * border, whatever slack the plane has (the C twin's zero padding). */
#define LOAD_TILE_PX(p, col, row) \
  (((col) <= width + 1 && (row) <= height + 1) ? LOAD1_SRC ((p) + (size_t) (row) * src_pitch + (col)) : 0.0f)

__kernel void
wino_gpu_input (__global const SRC_T *restrict src,
                int                            src_pitch,
                int                            src_plane,
                __global float *restrict       V,
                int                            width,
                int                            height,
                int                            ntx,
                int                            t0,
                int                            nt,
                int                            tp)
{
  const int t = get_global_id (0), c = get_global_id (1);
  __global float *v = V + (size_t) c * tp + t;

  if (t >= tp || c >= IC)
    return;
  if (t >= nt)
    {
      /* The padding of the last quad: zeros, so the GEMM reads no
       * uninitialised memory (its products there are never stored). */
      for (int e = 0; e < NE; e++)
        v[(size_t) e * IC * tp] = 0.0f;
      return;
    }
  {
    const int ty = (t0 + t) / ntx, tx = (t0 + t) % ntx;
    const int x0 = tx * WM, y0 = ty * WM;
    __global const SRC_T *s = src + (size_t) c * src_plane;
    float h[WT][WT];

    #pragma unroll
    for (int r = 0; r < WT; r++)
      {
        float d[WT];

        #pragma unroll
        for (int k = 0; k < WT; k++)
          d[k] = LOAD_TILE_PX (s, x0 + k, y0 + r);
        BT_ROW (d, h[r]);
      }
    #pragma unroll
    for (int b = 0; b < WT; b++)
      {
        float col[WT];

        BT_COL (h, b, col);
        #pragma unroll
        for (int a = 0; a < WT; a++)
          v[(size_t) (a * WT + b) * IC * tp] = col[a];
      }
  }
}

/* Global size (GTQ-multiple >= TP / 4, GLY-multiple >= NOB, NE), local
 * (GTQ, GLY, 1). M and V lie in one scratch buffer, M from @m_off. */
__kernel __attribute__ ((reqd_work_group_size (GTQ, GLY, 1))) void
wino_gpu_gemm (__global float *restrict       scratch,
               int                            m_off,
               __global const float *restrict weight,
               int                            tp)
{
  const int lx = get_local_id (0), ly = get_local_id (1);
  const int lid = ly * GTQ + lx;
  const int q = get_global_id (0), ob = get_global_id (1), e = get_global_id (2);
  const int q0 = get_group_id (0) * GTQ, ob0 = get_group_id (1) * GLY;
  const int nq = tp / 4;
  __global const float *ve = scratch + (size_t) e * IC * tp;
  __global const float *ue = weight + (size_t) e * NOB * IC * OCB;
  __local float4 vt[GKC][GTQ];
  __local float ut[GKC][GLY * OCB];
  float4 acc[OCB];

  #pragma unroll
  for (int o = 0; o < OCB; o++)
    acc[o] = (float4) 0.0f;
  for (int c0 = 0; c0 < IC; c0 += GKC)
    {
      /* The work-group's V (GKC channels x GTQ quads of tiles) and U
       * (GKC channels x GLY * OCB output channels), zero past the ends. */
      for (int i = lid; i < GKC * GTQ; i += GTQ * GLY)
        {
          const int kc = i / GTQ, qq = i % GTQ;

          vt[kc][qq] = c0 + kc < IC && q0 + qq < nq ? vload4 (0, ve + (size_t) (c0 + kc) * tp + (q0 + qq) * 4)
                                                    : (float4) 0.0f;
        }
      for (int i = lid; i < GKC * GLY * OCB; i += GTQ * GLY)
        {
          const int kc = i / (GLY * OCB), j = i % (GLY * OCB);

          ut[kc][j] = c0 + kc < IC && ob0 + j / OCB < NOB
                        ? ue[((size_t) (ob0 + j / OCB) * IC + c0 + kc) * OCB + j % OCB] : 0.0f;
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      /* In input-channel order, one fma each: wino_conv's sums. */
      #pragma unroll
      for (int kc = 0; kc < GKC; kc++)
        {
          const float4 v = vt[kc][lx];

          #pragma unroll
          for (int o = 0; o < OCB; o++)
            acc[o] = fma (v, (float4) ut[kc][ly * OCB + o], acc[o]);
        }
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  if (q < nq && ob < NOB)
    {
      __global float *M = scratch + m_off + (size_t) e * OC * tp + q * 4;

      #pragma unroll
      for (int o = 0; o < OCB; o++)
        vstore4 (acc[o], 0, M + (size_t) (ob * OCB + o) * tp);
    }
}

__kernel void
wino_gpu_output (__global const float *restrict scratch,
                 int                            m_off,
                 __global DST_T *restrict       dst,
                 int                            dst_pitch,
                 int                            dst_plane,
                 __global const float *restrict bias,
                 __global const float *restrict slope,
                 int                            width,
                 int                            height,
                 int                            ntx,
                 int                            t0,
                 int                            nt,
                 int                            tp)
{
  const int t = get_global_id (0), oc = get_global_id (1);

  if (t >= nt || oc >= OC)
    return;
  {
    __global const float *m = scratch + m_off + (size_t) oc * tp + t;
    const int ty = (t0 + t) / ntx, tx = (t0 + t) % ntx;
    const float b0 = bias[oc], a0 = slope[oc];
    __global DST_T *d = dst + (size_t) oc * dst_plane;
    float u[WM][WT];

    /* u[p][b] = sum_a AT[p][a] M[a][b], a column at a time; then each
     * output row p from u[p][*]. */
    #pragma unroll
    for (int b = 0; b < WT; b++)
      {
        float mc[WT], r[WM];

        #pragma unroll
        for (int a = 0; a < WT; a++)
          mc[a] = m[(size_t) (a * WT + b) * OC * tp];
        AT_COL (mc, r);
        #pragma unroll
        for (int p = 0; p < WM; p++)
          u[p][b] = r[p];
      }
    #pragma unroll
    for (int p = 0; p < WM; p++)
      {
        const int y = ty * WM + p;
        float yv[WM];

        AT_ROW (u[p], yv);
        if (y >= height)
          break;
        #pragma unroll
        for (int q = 0; q < WM; q++)
          {
            const int x = tx * WM + q;
            const float acc = yv[q] + b0;

            if (x < width)
              STORE1_DST (acc >= 0.0f ? acc : acc * a0, d + (size_t) (y + 1) * dst_pitch + x + 1);
          }
      }
  }
}

#endif /* VW == 1 */
