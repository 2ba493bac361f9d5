/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-settings.h"
#include "metrics/svd-dists.h"
#include "metrics/svd-metrics.h"
#include "engine/svd-cl.h"

G_BEGIN_DECLS

/**
 * SvdMetricsRunner:
 *
 * What the CLI and the app use to compare frames: PSNR, SSIM (and maps) on
 * the OpenCL device the settings choose, or on the CPU reference with
 * `device = "cpu-ref"` or when no OpenCL device exists; DISTS when asked
 * and its weights are found. Belongs to the thread that created it.
 */
typedef struct _SvdMetricsRunner SvdMetricsRunner;

SvdMetricsRunner      *svd_metrics_runner_new           (const SvdSettings  *settings,
                                                         gboolean            want_dists,
                                                         SvdDistsMode        dists_mode,
                                                         GError            **error);
SvdMetricsRunner      *svd_metrics_runner_new_for_context (SvdClContext *context,
                                                         const SvdSettings  *settings,
                                                         gboolean            want_dists,
                                                         SvdDistsMode        dists_mode,
                                                         GError            **error);
void                   svd_metrics_runner_free          (SvdMetricsRunner   *self);
const char            *svd_metrics_runner_get_device    (SvdMetricsRunner   *self);
gboolean               svd_metrics_runner_is_opencl     (SvdMetricsRunner   *self);
SvdClContext          *svd_metrics_runner_get_context   (SvdMetricsRunner   *self);
const GError          *svd_metrics_runner_get_dists_error (SvdMetricsRunner *self);
const SvdDistsWeights *svd_metrics_runner_get_dists_weights (SvdMetricsRunner *self);
SvdDistsMode           svd_metrics_runner_get_dists_mode (SvdMetricsRunner  *self);
gboolean               svd_metrics_runner_compute       (SvdMetricsRunner   *self,
                                                         const SvdImage     *ref,
                                                         const SvdImage     *dist,
                                                         SvdMetricsFrame    *frame,
                                                         SvdImage          **ssim_map,
                                                         SvdImage          **diff_map,
                                                         GError            **error);
gboolean               svd_metrics_runner_compute_planes (SvdMetricsRunner *self,
                                                         const SvdImage     *ref,
                                                         const SvdClPlanes  *dist,
                                                         gint64              frame_index,
                                                         SvdMetricsFrame    *frame,
                                                         SvdImage          **ssim_map,
                                                         SvdImage          **diff_map,
                                                         GError            **error);
gboolean               svd_metrics_runner_compute_device (SvdMetricsRunner *self,
                                                         const SvdClPlanes  *ref,
                                                         const SvdClPlanes  *dist,
                                                         gint64              frame_index,
                                                         SvdMetricsFrame    *frame,
                                                         SvdImage          **ssim_map,
                                                         SvdImage          **diff_map,
                                                         GError            **error);
gboolean               svd_metrics_runner_compute_dists (SvdMetricsRunner   *self,
                                                         const SvdImage     *ref,
                                                         const SvdImage     *dist,
                                                         double             *score,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
gboolean               svd_metrics_runner_compute_dists_shared (SvdMetricsRunner *self,
                                                         const SvdImage     *ref,
                                                         gint64              ref_index,
                                                         const SvdImage     *dist,
                                                         double             *score,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
void                   svd_metrics_runner_drop_dists_reference (SvdMetricsRunner *self);
guint                  svd_metrics_runner_get_dists_feature_passes (SvdMetricsRunner *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdMetricsRunner, svd_metrics_runner_free)

G_END_DECLS
