/* SPDX-License-Identifier: GPL-3.0-or-later */
/* 3x3 convolutions of SRVGGNetCompact, fused with bias and PReLU, and the
 * last conv fused with PixelShuffle and the nearest-upsampled residual add.
 * The plain-C twin is the CPU reference, app/engine/svd-model-ref.c.
 *
 * Feature maps on the device are channel planes with a zero border: pixel
 * (x, y) of channel c is at  c * PLANE + (y + 1) * pitch + (x + 1), where
 * pitch and PLANE leave room for whole tiles, so no load needs a bounds
 * check. Writes past the image are masked to zero, which keeps the border
 * (and the slack right of and below the image) zero for the next layer.
 *
 * Compile-time constants (-D): IC, OC (channels), OCB (output channels per
 * work-item, divides OC), VW (pixels per vector: 16, 8, 4 or 1), RX
 * (vectors along x per work-item), RY (rows per work-item), SCALE (last
 * layer only), LAST (defined for the last layer).
 *
 * Weights are re-laid out on upload as [OC / OCB][IC][3][3][OCB], so the
 * OCB weights one tap needs are adjacent.
 *
 * The fp16 path (SRC_HALF: the input is a half feature map; DST_HALF: the
 * output is one) stores feature maps as IEEE half and converts on load and
 * store with vload_half / vstore_half, which OpenCL 1.2 has on every
 * device, cl_khr_fp16 or not. Arithmetic and accumulators stay fp32, so
 * the error is that of rounding each stored activation (see the engine's
 * stated fp16 tolerance); the gain is half the memory and bandwidth. */

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

#define TW (VW * RX)

#ifdef SRC_HALF
#define SRC_T half
#if VW == 16
#define LOAD_SRC vload_half16
#elif VW == 8
#define LOAD_SRC vload_half8
#elif VW == 4
#define LOAD_SRC vload_half4
#else
#define LOAD_SRC vload_half
#endif
#define LOAD1_SRC vload_half
#else
#define SRC_T float
#define LOAD_SRC VLOAD
#define LOAD1_SRC(o, p) (*(p))
#endif

#ifdef DST_HALF
#define DST_T half
#if VW == 16
#define STORE_DST vstore_half16
#elif VW == 8
#define STORE_DST vstore_half8
#elif VW == 4
#define STORE_DST vstore_half4
#else
#define STORE_DST vstore_half
#endif
#define STORE1_DST vstore_half
#else
#define DST_T float
#define STORE_DST VSTORE
#define STORE1_DST(v, o, p) (*(p) = (v))
#endif

/* Exports that end in Clip: the bounds come as IEEE bit patterns
 * (CLAMP_MIN_BITS, CLAMP_MAX_BITS), exact and locale-independent. */
#ifdef CLAMP_MIN_BITS
#define clamp_out(v) clamp ((v), as_float (CLAMP_MIN_BITS), as_float (CLAMP_MAX_BITS))
#else
#define clamp_out(v) (v)
#endif

/* Throughput variant for CPUs (PoCL) and SIMD-wide devices: one work-item
 * computes RY rows x RX vectors of VW pixels x OCB output channels, all
 * held in registers; each input vector loaded is used OCB times and each
 * broadcast weight RY * RX times. */
__kernel void
conv3x3_block (__global const SRC_T *restrict src,
               int                            src_pitch,
               int                            src_plane,
               __global DST_T *restrict       dst,
               int                            dst_pitch,
               int                            dst_plane,
               __global const float *restrict weight,
               __global const float *restrict bias,
               __global const float *restrict slope,
               __global const float *restrict residual,
               int                            width,
               int                            height)
{
  const int x0 = get_global_id (0) * TW;
  const int y0 = get_global_id (1) * RY;
  const int ob = get_global_id (2);
  floatv acc[OCB][RY][RX];
  __global const float *w = weight + (size_t) ob * IC * 9 * OCB;

  #pragma unroll
  for (int o = 0; o < OCB; o++)
    #pragma unroll
    for (int r = 0; r < RY; r++)
      #pragma unroll
      for (int v = 0; v < RX; v++)
        acc[o][r][v] = (floatv) bias[ob * OCB + o];

  for (int ic = 0; ic < IC; ic++)
    {
      /* Padded (x0, y0) is image (x0 - 1, y0 - 1): the tap at ky = kx = 0. */
      __global const SRC_T *s = src + (size_t) ic * src_plane + (size_t) y0 * src_pitch + x0;

      #pragma unroll
      for (int ky = 0; ky < 3; ky++)
        #pragma unroll
        for (int kx = 0; kx < 3; kx++)
          {
            floatv in[RY][RX];

            #pragma unroll
            for (int r = 0; r < RY; r++)
              #pragma unroll
              for (int v = 0; v < RX; v++)
                in[r][v] = LOAD_SRC (0, s + (r + ky) * src_pitch + kx + v * VW);
            #pragma unroll
            for (int o = 0; o < OCB; o++)
              {
                floatv k = (floatv) w[(ky * 3 + kx) * OCB + o];

                #pragma unroll
                for (int r = 0; r < RY; r++)
                  #pragma unroll
                  for (int v = 0; v < RX; v++)
                    acc[o][r][v] = fma (in[r][v], k, acc[o][r][v]);
              }
          }
      w += 9 * OCB;
    }

#ifndef LAST
  #pragma unroll
  for (int o = 0; o < OCB; o++)
    {
      float a = slope[ob * OCB + o];
      __global DST_T *d = dst + (size_t) (ob * OCB + o) * dst_plane;

      #pragma unroll
      for (int r = 0; r < RY; r++)
        {
          int y = y0 + r;

          #pragma unroll
          for (int v = 0; v < RX; v++)
            {
              floatv t = acc[o][r][v];
              floatv val = select (t * a, t, isgreaterequal (t, (floatv) 0.0f));
#if VW > 1
              /* Mask columns past the image so the zero border survives. */
              int xs = x0 + v * VW;
              if (y >= height || xs >= width)
                val = (floatv) 0.0f;
              else if (xs + VW > width)
                {
                  float tmp[VW];

                  VSTORE (val, 0, tmp);
                  for (int i = width - xs; i < VW; i++)
                    tmp[i] = 0.0f;
                  val = VLOAD (0, tmp);
                }
#else
              if (y >= height || x0 + v >= width)
                val = 0.0f;
#endif
              STORE_DST (val, 0, d + (size_t) (y + 1) * dst_pitch + x0 + v * VW + 1);
            }
        }
    }
#else
  /* Last layer: output channel oc = c * S² + i * S + j is output pixel
   * (y * S + i, x * S + j) of colour c; add the input pixel (x, y) of
   * colour c (nearest upsampling). dst is a padded 3-channel image at the
   * output resolution; residual the padded input image. */
#if SCALE == 1 && VW > 1
  /* 1x: the output is laid out like a feature map (channel c = colour c),
   * so store whole vectors, masked like the body layers; scalar stores
   * made this layer cost a third of a body layer for a tenth of its FLOPs. */
  #pragma unroll
  for (int o = 0; o < OCB; o++)
    {
      int c = ob * OCB + o;
      __global float *d = dst + (size_t) c * dst_plane;
      __global const float *res = residual + (size_t) c * src_plane;

      #pragma unroll
      for (int r = 0; r < RY; r++)
        {
          int y = y0 + r;

          #pragma unroll
          for (int v = 0; v < RX; v++)
            {
              int xs = x0 + v * VW;
              size_t off_in = (size_t) (y + 1) * src_pitch + xs + 1;
              floatv val = clamp_out (acc[o][r][v] + VLOAD (0, res + off_in));

              if (y >= height || xs >= width)
                val = (floatv) 0.0f;
              else if (xs + VW > width)
                {
                  float tmp[VW];

                  VSTORE (val, 0, tmp);
                  for (int i = width - xs; i < VW; i++)
                    tmp[i] = 0.0f;
                  val = VLOAD (0, tmp);
                }
              VSTORE (val, 0, d + (size_t) (y + 1) * dst_pitch + xs + 1);
            }
        }
    }
#elif SCALE == 2 && VW == 16 && OCB % 2 == 0
  /* 2x: channels j = 0 and j = 1 of one (c, i) are adjacent; interleave
   * their vectors into 32 consecutive output pixels and store them whole
   * instead of scattering single floats. */
  #pragma unroll
  for (int o = 0; o < OCB; o += 2)
    {
      int oc = ob * OCB + o;
      int c = oc / 4, i = (oc / 2) % 2;
      __global float *d = dst + (size_t) c * dst_plane;
      __global const float *res = residual + (size_t) c * src_plane;

      #pragma unroll
      for (int r = 0; r < RY; r++)
        {
          int y = y0 + r;

          if (y >= height)
            continue;
          #pragma unroll
          for (int v = 0; v < RX; v++)
            {
              int xs = x0 + v * VW;
              floatv in, a, b, lo, hi;
              __global float *out;

              if (xs >= width)
                continue;
              in = VLOAD (0, res + (size_t) (y + 1) * src_pitch + xs + 1);
              a = clamp_out (acc[o][r][v] + in);
              b = clamp_out (acc[o + 1][r][v] + in);
              /* Clang's builtin is one permute; PoCL's shuffle2() takes
               * the mask at run time and LLVM made a long chain of
               * extracts and inserts of it (see winograd.cl). */
#ifdef __clang__
              lo = __builtin_shufflevector (a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
              hi = __builtin_shufflevector (a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
#else
              lo = shuffle2 (a, b, (uint16) (0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
              hi = shuffle2 (a, b, (uint16) (8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
#endif
              out = d + (size_t) (y * 2 + i + 1) * dst_pitch + 1 + (size_t) xs * 2;
              if (xs + VW <= width)
                {
                  vstore16 (lo, 0, out);
                  vstore16 (hi, 0, out + 16);
                }
              else
                {
                  float tmp[2 * VW];

                  vstore16 (lo, 0, tmp);
                  vstore16 (hi, 0, tmp + 16);
                  for (int l = 0; l < 2 * (width - xs); l++)
                    out[l] = tmp[l];
                }
            }
        }
    }
#else
  #pragma unroll
  for (int o = 0; o < OCB; o++)
    {
      int oc = ob * OCB + o;
      int c = oc / (SCALE * SCALE), i = (oc / SCALE) % SCALE, j = oc % SCALE;
      __global float *d = dst + (size_t) c * dst_plane;
      __global const float *res = residual + (size_t) c * src_plane;

      #pragma unroll
      for (int r = 0; r < RY; r++)
        {
          int y = y0 + r;

          if (y >= height)
            continue;
          #pragma unroll
          for (int v = 0; v < RX; v++)
            {
              int xs = x0 + v * VW;
              size_t row_in = (size_t) (y + 1) * src_pitch + xs + 1;
              size_t row_out = (size_t) (y * SCALE + i + 1) * dst_pitch + 1;
#if VW > 1
              float tmp[VW];

              if (xs >= width)
                continue;
              VSTORE (clamp_out (acc[o][r][v] + VLOAD (0, res + row_in)), 0, tmp);
              for (int l = 0; l < VW && xs + l < width; l++)
                d[row_out + (size_t) (xs + l) * SCALE + j] = tmp[l];
#else
              if (xs < width)
                d[row_out + (size_t) xs * SCALE + j] = clamp_out (acc[o][r][v] + res[row_in]);
#endif
            }
        }
    }
#endif /* SCALE == 2 */
#endif
}

/* Latency variant for GPUs: one output pixel per work-item, OCB channels,
 * work-groups of 2D pixel tiles so neighbours share cached input rows. */
__kernel void
conv3x3_pixel (__global const SRC_T *restrict src,
               int                            src_pitch,
               int                            src_plane,
               __global DST_T *restrict       dst,
               int                            dst_pitch,
               int                            dst_plane,
               __global const float *restrict weight,
               __global const float *restrict bias,
               __global const float *restrict slope,
               __global const float *restrict residual,
               int                            width,
               int                            height)
{
  const int x = get_global_id (0);
  const int y = get_global_id (1);
  const int ob = get_global_id (2);
  float acc[OCB];
  __global const float *w = weight + (size_t) ob * IC * 9 * OCB;

  if (x >= width || y >= height)
    return;
  #pragma unroll
  for (int o = 0; o < OCB; o++)
    acc[o] = bias[ob * OCB + o];
  for (int ic = 0; ic < IC; ic++)
    {
      __global const SRC_T *s = src + (size_t) ic * src_plane + (size_t) y * src_pitch + x;

      #pragma unroll
      for (int ky = 0; ky < 3; ky++)
        #pragma unroll
        for (int kx = 0; kx < 3; kx++)
          {
            float in = LOAD1_SRC (0, s + ky * src_pitch + kx);

            #pragma unroll
            for (int o = 0; o < OCB; o++)
              acc[o] = fma (in, w[(ky * 3 + kx) * OCB + o], acc[o]);
          }
      w += 9 * OCB;
    }
  #pragma unroll
  for (int o = 0; o < OCB; o++)
    {
      int oc = ob * OCB + o;
#ifndef LAST
      float t = acc[o];

      STORE1_DST (t >= 0.0f ? t : t * slope[oc], 0, dst + (size_t) oc * dst_plane + (size_t) (y + 1) * dst_pitch + x + 1);
#else
      int c = oc / (SCALE * SCALE), i = (oc / SCALE) % SCALE, j = oc % SCALE;

      dst[(size_t) c * dst_plane + (size_t) (y * SCALE + i + 1) * dst_pitch + x * SCALE + j + 1] =
        clamp_out (acc[o] + residual[(size_t) c * src_plane + (size_t) (y + 1) * src_pitch + x + 1]);
#endif
    }
}
