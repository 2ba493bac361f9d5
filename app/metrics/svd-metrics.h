/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/svd-image.h"
#include "core/svd-settings.h"

G_BEGIN_DECLS

/*
 * Full-reference quality metrics with the exact definitions of
 * ../shared/reference/README.md (the literature's, and scikit-image's and
 * FFmpeg's where they are the de-facto reference):
 *
 * - Inputs are two images of one size, each %SVD_PIXEL_FORMAT_RGB_F32,
 *   %SVD_PIXEL_FORMAT_RGB8 or %SVD_PIXEL_FORMAT_RGBA8 (alpha ignored).
 *   Every sample is put on the 8-bit scale s ∈ [0, 255]: 8-bit samples as
 *   they are; float samples as round(clamp(v, 0, 1) · 255), the code the
 *   frame is stored with (so an 8-bit PNG loaded as v/255 gives exactly its
 *   codes back). With SvdMetricsOptions.float_exact, float samples are used
 *   unrounded as v · 255 instead.
 * - PSNR = 10 · log10(255² / MSE). "RGB" takes the MSE over all R, G and B
 *   samples; "Y" over BT.601 luma Y = 16 + (65.481 R + 128.553 G +
 *   24.966 B) / 255, kept as a float (not rounded). Identical images give
 *   +infinity.
 * - SSIM (Wang et al. 2004) on that Y: Gaussian window σ = 1.5 truncated to
 *   11x11 (radius 5, normalised), K1 = 0.01, K2 = 0.03, L = 255,
 *   population statistics, averaged over the positions where the window
 *   lies wholly inside the image, as scikit-image 0.19's
 *   structural_similarity(gaussian_weights=True, sigma=1.5,
 *   use_sample_covariance=False, data_range=255). Images narrower or
 *   shorter than 11 pixels have no SSIM.
 */

#define SVD_SSIM_RADIUS 5
#define SVD_SSIM_WINDOW (2 * SVD_SSIM_RADIUS + 1)

/**
 * SvdMetricsOptions:
 * @threads: CPU threads (0: one per core)
 * @float_exact: use float samples unrounded (v · 255) instead of their
 *   8-bit codes
 *
 * Options of the CPU reference. Zero-initialised means the defaults.
 */
typedef struct {
  int      threads;
  gboolean float_exact;
} SvdMetricsOptions;

/**
 * SvdMetricsFrame:
 * @width: image width
 * @height: image height
 * @frame_index: the distorted frame's index, or -1
 * @mse_rgb: mean squared error over R, G, B samples on the 8-bit scale
 * @mse_y: the same on BT.601 Y
 * @psnr_rgb: PSNR in dB from @mse_rgb (+inf when identical)
 * @psnr_y: PSNR in dB from @mse_y
 * @has_ssim: %FALSE when the image is smaller than the SSIM window
 * @ssim_y: mean SSIM on Y over the valid window positions
 * @has_dists: a DISTS value was computed (see svd-dists.h)
 * @dists: the DISTS score (0 = same, larger = more different)
 *
 * Metric values of one frame pair.
 */
typedef struct {
  int      width;
  int      height;
  gint64   frame_index;
  double   mse_rgb;
  double   mse_y;
  double   psnr_rgb;
  double   psnr_y;
  gboolean has_ssim;
  double   ssim_y;
  gboolean has_dists;
  double   dists;
} SvdMetricsFrame;

double    svd_metrics_psnr_from_mse   (double                    mse);
gboolean  svd_metrics_check_pair      (const SvdImage           *ref,
                                       const SvdImage           *dist,
                                       GError                  **error);
void      svd_metrics_frame_init      (SvdMetricsFrame          *frame);
gboolean  svd_metrics_compute         (const SvdImage           *ref,
                                       const SvdImage           *dist,
                                       const SvdMetricsOptions  *options,
                                       SvdMetricsFrame          *frame,
                                       SvdImage                **ssim_map,
                                       SvdImage                **diff_map,
                                       GError                  **error);
void      svd_metrics_ssim_weights    (double                    weights[SVD_SSIM_WINDOW]);
SvdImage *svd_metrics_new_grey_map    (int                       width,
                                       int                       height,
                                       GError                  **error);

/**
 * SvdMetricsSummary:
 * @n_frames: frames added
 * @psnr_rgb_mean: arithmetic mean of the per-frame RGB PSNR values (+inf
 *   when any frame was identical)
 * @psnr_y_mean: the same for Y
 * @psnr_rgb_of_mean_mse: 10 · log10(255² / mean of per-frame RGB MSE),
 *   what FFmpeg's psnr filter prints as "average"
 * @psnr_y_of_mean_mse: the same for Y
 * @n_ssim: frames that had an SSIM value
 * @ssim_y_mean: mean of the per-frame SSIM values
 * @n_dists: frames that had a DISTS value
 * @dists_mean: mean of the per-frame DISTS values
 *
 * Clip aggregates. Both PSNR aggregates are given because tools disagree
 * on which one "average PSNR" means; every output labels which is which.
 */
typedef struct {
  guint  n_frames;
  double psnr_rgb_mean;
  double psnr_y_mean;
  double psnr_rgb_of_mean_mse;
  double psnr_y_of_mean_mse;
  guint  n_ssim;
  double ssim_y_mean;
  guint  n_dists;
  double dists_mean;
} SvdMetricsSummary;

typedef struct _SvdMetricsAccumulator SvdMetricsAccumulator;

SvdMetricsAccumulator *svd_metrics_accumulator_new  (void);
void                   svd_metrics_accumulator_free (SvdMetricsAccumulator *self);
void                   svd_metrics_accumulator_add  (SvdMetricsAccumulator *self,
                                                     const SvdMetricsFrame *frame);
void                   svd_metrics_accumulator_get  (SvdMetricsAccumulator *self,
                                                     SvdMetricsSummary     *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdMetricsAccumulator, svd_metrics_accumulator_free)

/* A tiny parallel-for over [0, n) used by the CPU references of this
 * area: @func runs on up to @threads threads, each call gets a contiguous
 * chunk [begin, end). */
typedef void (*SvdMetricsRangeFunc) (int      begin,
                                     int      end,
                                     gpointer user_data);

void      svd_metrics_parallel_for    (int                       n,
                                       int                       threads,
                                       int                       grain,
                                       SvdMetricsRangeFunc       func,
                                       gpointer                  user_data);

G_END_DECLS
