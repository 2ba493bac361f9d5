/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "engine/svd-cl.h"
#include "metrics/svd-metrics.h"

G_BEGIN_DECLS

/**
 * SvdClMetrics:
 *
 * PSNR, SSIM and the maps on an OpenCL device (opencl/metrics.cl), with
 * the definitions of svd-metrics.h. Float32 on the device with float64
 * final sums; agrees with the CPU reference svd_metrics_compute() within
 * 1e-4 dB PSNR, 1e-6 mean SSIM and 3e-4 per SSIM-map pixel (see
 * tests/metrics/test-cl-metrics.c). Holds its own kernels and buffers
 * (kept between calls while the frame size stays), so it belongs to the
 * thread that created it.
 */
typedef struct _SvdClMetrics SvdClMetrics;

SvdClMetrics *svd_cl_metrics_new     (SvdClContext             *context,
                                      const SvdMetricsOptions  *options,
                                      GError                  **error);
void          svd_cl_metrics_free    (SvdClMetrics             *self);
gboolean      svd_cl_metrics_compute (SvdClMetrics             *self,
                                      const SvdImage           *ref,
                                      const SvdImage           *dist,
                                      SvdMetricsFrame          *frame,
                                      SvdImage                **ssim_map,
                                      SvdImage                **diff_map,
                                      GError                  **error);

gboolean      svd_cl_metrics_compute_planes (SvdClMetrics       *self,
                                             const SvdImage     *ref,
                                             const SvdClPlanes  *dist,
                                             gint64              frame_index,
                                             SvdMetricsFrame    *frame,
                                             SvdImage          **ssim_map,
                                             SvdImage          **diff_map,
                                             GError            **error);

gboolean      svd_cl_metrics_compute_device (SvdClMetrics       *self,
                                             const SvdClPlanes  *ref,
                                             const SvdClPlanes  *dist,
                                             gint64              frame_index,
                                             SvdMetricsFrame    *frame,
                                             SvdImage          **ssim_map,
                                             SvdImage          **diff_map,
                                             GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdClMetrics, svd_cl_metrics_free)

G_END_DECLS
