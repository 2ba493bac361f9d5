/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Estimated fps of a chain on GPUs the user does not have, from GFLOP per
 * frame and constants fitted on the seed project's published results (see
 * svd-gpu-table.c). Estimates, never measurements.
 */

/**
 * SvdGpuInfo:
 * @name: marketing name
 * @tflops: fp32 peak TFLOP/s (boost clock)
 * @efficiency: effective compute rate as a fraction of @tflops (fitted)
 * @overhead_ms_per_mpix: per-frame cost per input megapixel that does not
 *   scale with the model (transfers, conversions; fitted)
 * @calibrated_from: the seed-results machine the two constants were fitted
 *   on, or the GPU whose constants were borrowed
 */
typedef struct {
  const char *name;
  double      tflops;
  double      efficiency;
  double      overhead_ms_per_mpix;
  const char *calibrated_from;
} SvdGpuInfo;

/**
 * SvdGpuEstimate:
 * An ESTIMATE, never a measurement: @label is always "estimate".
 */
typedef struct {
  const SvdGpuInfo *gpu;
  const char       *label;
  double            fps;
} SvdGpuEstimate;

const SvdGpuInfo *svd_gpu_table         (guint          *n);
SvdGpuEstimate    svd_gpu_estimate      (const SvdGpuInfo *gpu,
                                         double            gflop,
                                         int               in_width,
                                         int               in_height);

G_END_DECLS
