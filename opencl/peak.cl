/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The device's practical fp32 FMA peak: NCHAIN independent vector FMA
 * chains per work-item, so issue throughput, not latency, is the limit.
 * `svd bench` reports the conv kernels' GFLOP/s as a fraction of this.
 * The plain-C twin is fma_peak_ref() in app/engine/svd-peak.c. */

__kernel void
fma_peak (__global float *out,
          int             iters,
          float           a,
          float           b)
{
  float16 acc[NCHAIN];

  #pragma unroll
  for (int i = 0; i < NCHAIN; i++)
    acc[i] = (float16) (get_global_id (0) + i);
  for (int it = 0; it < iters; it++)
    {
      #pragma unroll
      for (int i = 0; i < NCHAIN; i++)
        acc[i] = fma (acc[i], (float16) a, (float16) b);
    }
  #pragma unroll
  for (int i = 1; i < NCHAIN; i++)
    acc[0] += acc[i];
  out[get_global_id (0)] = acc[0].s0 + acc[0].s5 + acc[0].sa + acc[0].sf;
}
