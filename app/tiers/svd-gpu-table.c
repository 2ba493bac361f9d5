/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-gpu-table"

#include "svd-gpu-table.h"

/* ---- Other GPUs: estimates ----
 *
 * Model: frame time (ms) = GFLOP / (efficiency · fp32 TFLOP/s) + overhead ·
 * input megapixels. The second term is the per-frame cost that does not
 * scale with the model (host transfers and conversions in the player); the
 * seed's fps barely change between Super and Ultra at one size on the
 * Thunderbolt RTX 3080, which a FLOP-only model cannot fit.
 *
 * Derivation: from ../shared/reference/seed-results/SVDBenchmark-All2XCombinations.csv
 * (9 chains 1x→2x × 4 input sizes 640x360, 854x480, 1024x576, 1280x720 per
 * machine), GFLOP per frame = 2 · (MACs/pixel of the 1x + of the 2x model)
 * · input pixels, MACs/pixel = 27·nf + 72·nf² + 9·nf·3·s² (Super nf 24,
 * Mega 35, Ultra 64). A least-squares fit of 1000/fps = a·GFLOP + c·Mpix
 * per machine gave a (ms/GFLOP) and c (ms/Mpix):
 *   DT_2060 a 0.03418 c 25.53 (median |error| of the fit 14 %)
 *   NT_3080 a 0.00454 c 21.19 (9 %)
 *   DT_3090 a 0.01108 c  9.95 (11 %)
 *   DT_4060 a 0.01475 c 29.43 (17 %; one outlier: Mega+Mega 720p 10.77 fps)
 * efficiency = 1 / (a · TFLOP/s). It is above 1 on every machine: the
 * seed's TensorRT engines ran on tensor cores (reduced precision), so the
 * effective rate exceeds the fp32 peak; the factor is "effective rate per
 * fp32 peak", not a utilisation. The 3080 figure is the eGPU over
 * Thunderbolt 3 and holds for that setup only.
 */
static const SvdGpuInfo gpu_table[] = {
  { "NVIDIA GeForce RTX 2060", 6.451, 4.535, 25.53, "seed DT_2060" },
  { "NVIDIA GeForce RTX 3080 (eGPU, Thunderbolt 3)", 29.77, 7.393, 21.19, "seed NT_3080" },
  { "NVIDIA GeForce RTX 3090", 35.58, 2.536, 9.95, "seed DT_3090" },
  { "NVIDIA GeForce RTX 4060", 15.11, 4.486, 29.43, "seed DT_4060" },
};

const SvdGpuInfo *
svd_gpu_table (guint *n)
{
  *n = G_N_ELEMENTS (gpu_table);
  return gpu_table;
}

/**
 * svd_gpu_estimate:
 * Returns: an estimate (label "estimate"), never to be shown as measured
 */
SvdGpuEstimate
svd_gpu_estimate (const SvdGpuInfo *gpu,
                  double            gflop,
                  int               in_width,
                  int               in_height)
{
  SvdGpuEstimate e = { gpu, "estimate", 0 };
  double ms = gflop / (gpu->efficiency * gpu->tflops) + gpu->overhead_ms_per_mpix * in_width * (double) in_height / 1e6;

  e.fps = ms > 0 ? 1000.0 / ms : 0;
  return e;
}
