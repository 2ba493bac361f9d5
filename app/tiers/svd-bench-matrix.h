/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "engine/svd-engine.h"
#include "media/svd-session-source.h"
#include "model/svd-model.h"
#include "tiers/svd-gpu-table.h"

G_BEGIN_DECLS

/*
 * The benchmark matrix: every combination of one model per slot (a slot
 * may offer "none"), at each input size, timed on one device, with quality
 * from the metrics on a span of a clip. Rows are saved incrementally so an
 * interrupted run resumes; estimates for other GPUs live in their own type
 * (SvdGpuEstimate) and are never stored as rows.
 */

#define SVD_BENCH_MATRIX_MAX_SIZES 16

/**
 * SvdBenchMatrixRow:
 * @device: the device the row was measured on
 * @precision: the precision of the engine's feature maps when measured
 * @chain: display names joined with " + " (for display only)
 * @spec: (nullable): the chain as svd_chain_parse() reads it (model files
 *   in order); %NULL for rows of models without a file, or from results
 *   files written before it was recorded
 * @key: device | size | weight hashes: what resume matches on
 * @in_width: @in_height: input size
 * @out_width: @out_height: output size
 * @gflop: GFLOP per frame of the chain at this size
 * @n_stages: stages
 * @stage_ms: median device time per stage
 * @total_ms: median device time per frame (upload to read-back)
 * @fps: 1000 / @total_ms
 * @has_quality: whether the quality fields are set
 * @quality_frames: frames the quality was averaged over
 * @psnr_rgb: @psnr_y: @ssim_y: mean metrics against the reference
 */
typedef struct {
  char   *device;
  SvdPrecision precision;
  char   *chain;
  char   *spec;
  char   *key;
  int     in_width;
  int     in_height;
  int     out_width;
  int     out_height;
  double  gflop;
  int     n_stages;
  double  stage_ms[SVD_ENGINE_MAX_STAGES];
  double  total_ms;
  double  fps;
  gboolean has_quality;
  int     quality_frames;
  double  psnr_rgb;
  double  psnr_y;
  double  ssim_y;
} SvdBenchMatrixRow;

typedef enum {
  SVD_QUALITY_PSNR_Y,
  SVD_QUALITY_PSNR_RGB,
  SVD_QUALITY_SSIM_Y,
} SvdQualityMetric;

/**
 * SvdBenchMatrixOptions:
 * @slots: (element-type GPtrArray): per slot, a GPtrArray of SvdModel, where
 *   a %NULL element means "skip this slot"
 * @n_sizes: @widths: @heights: input sizes to time
 * @warmup: untimed runs per combination and size (default 2)
 * @frames: timed runs; the median counts (default 5)
 * @source: (nullable): where quality comes from (pair or synthesize)
 * @first_frame: @n_quality_frames: the span of input frames for quality
 * @results_path: (nullable): JSON file updated after every row; rows in it
 *   with the same key are not measured again (resume)
 * @csv_path: (nullable): CSV written after every row
 */
typedef struct {
  GPtrArray        *slots;
  int               n_sizes;
  int               widths[SVD_BENCH_MATRIX_MAX_SIZES];
  int               heights[SVD_BENCH_MATRIX_MAX_SIZES];
  int               warmup;
  int               frames;
  SvdSessionSource *source;
  gint64            first_frame;
  int               n_quality_frames;
  const char       *results_path;
  const char       *csv_path;
} SvdBenchMatrixOptions;

/* Called after each combination; @row is %NULL for a skipped (resumed) one. */
typedef void (*SvdBenchMatrixProgress) (int                      done,
                                        int                      total,
                                        const SvdBenchMatrixRow *row,
                                        gpointer                 user_data);

void       svd_bench_matrix_options_init (SvdBenchMatrixOptions *options);
GPtrArray *svd_bench_matrix_run       (const SvdBenchMatrixOptions *options,
                                       const SvdSettings           *settings,
                                       SvdBenchMatrixProgress       progress,
                                       gpointer                     user_data,
                                       GCancellable                *cancellable,
                                       GError                     **error);
int        svd_bench_matrix_count     (const SvdBenchMatrixOptions *options);
void       svd_bench_matrix_row_free  (SvdBenchMatrixRow           *row);
GPtrArray *svd_bench_matrix_parse     (const char                  *data,
                                       gssize                       length,
                                       const char                  *path,
                                       GError                     **error);
GPtrArray *svd_bench_matrix_load      (const char                  *path,
                                       GError                     **error);
gboolean   svd_bench_matrix_save_json (GPtrArray                   *rows,
                                       const char                  *path,
                                       GError                     **error);
gboolean   svd_bench_matrix_save_csv  (GPtrArray                   *rows,
                                       const char                  *path,
                                       GError                     **error);
char      *svd_bench_matrix_to_csv    (GPtrArray                   *rows);
double     svd_bench_matrix_row_quality (const SvdBenchMatrixRow   *row,
                                         SvdQualityMetric           metric);
GArray    *svd_bench_matrix_pareto    (GPtrArray                   *rows,
                                       SvdQualityMetric             metric);
int        svd_bench_matrix_recommend (GPtrArray                   *rows,
                                       SvdQualityMetric             metric,
                                       double                       target_fps,
                                       int                          out_width,
                                       int                          out_height);
char      *svd_model_weights_sha256   (const SvdModel              *model);
char      *svd_bench_matrix_device_name (const SvdSettings         *settings);
gboolean   svd_bench_matrix_row_is_stale (const SvdBenchMatrixRow  *row,
                                          const char               *device_name,
                                          SvdPrecision              precision);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdBenchMatrixRow, svd_bench_matrix_row_free)

G_END_DECLS
