/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "svd.h"
#include "tiers/svd-bench-matrix.h"

G_BEGIN_DECLS

#define SVD_TYPE_MATRIX_WINDOW (svd_matrix_window_get_type ())
G_DECLARE_FINAL_TYPE (SvdMatrixWindow, svd_matrix_window, SVD, MATRIX_WINDOW, AdwWindow)

#define SVD_MATRIX_N_SLOTS 3

SvdMatrixWindow *svd_matrix_window_new             (GtkWindow        *parent,
                                                    const char       *clip_path,
                                                    double            clip_fps);
gboolean         svd_matrix_window_add_model       (SvdMatrixWindow  *self,
                                                    guint             slot,
                                                    const char       *path,
                                                    GError          **error);
void             svd_matrix_window_set_size        (SvdMatrixWindow  *self,
                                                    int               width,
                                                    int               height);
void             svd_matrix_window_set_results_path (SvdMatrixWindow *self,
                                                    const char       *path);
void             svd_matrix_window_set_runs        (SvdMatrixWindow  *self,
                                                    int               warmup,
                                                    int               frames);
void             svd_matrix_window_set_target_fps  (SvdMatrixWindow  *self,
                                                    double            fps);
void             svd_matrix_window_run             (SvdMatrixWindow  *self);
void             svd_matrix_window_cancel          (SvdMatrixWindow  *self);
gboolean         svd_matrix_window_is_running      (SvdMatrixWindow  *self);
const char      *svd_matrix_window_get_error       (SvdMatrixWindow  *self);
GPtrArray       *svd_matrix_window_get_rows        (SvdMatrixWindow  *self);
GtkColumnView   *svd_matrix_window_get_table       (SvdMatrixWindow  *self);
GListModel      *svd_matrix_window_get_sorted      (SvdMatrixWindow  *self);
GtkWidget       *svd_matrix_window_get_plot        (SvdMatrixWindow  *self);
GtkWidget       *svd_matrix_window_get_banner      (SvdMatrixWindow  *self);
GArray          *svd_matrix_window_get_pareto      (SvdMatrixWindow  *self);
int              svd_matrix_window_get_recommended (SvdMatrixWindow  *self);
double           svd_matrix_window_get_target_fps  (SvdMatrixWindow  *self);
const SvdBenchMatrixRow *svd_matrix_row_object_get_row (GObject *item);
gboolean         svd_matrix_window_export          (SvdMatrixWindow  *self,
                                                    int               row,
                                                    SvdChainExportFormat format,
                                                    const char       *path,
                                                    GError          **error);

gboolean         svd_matrix_window_export_chosen   (SvdMatrixWindow  *self,
                                                    const char       *path);
GtkDropDown     *svd_matrix_window_get_format_drop (SvdMatrixWindow  *self);

void             svd_matrix_window_add_none        (SvdMatrixWindow  *self,
                                                    guint             slot);
void             svd_matrix_window_clear_slot      (SvdMatrixWindow  *self,
                                                    guint             slot);
GPtrArray       *svd_matrix_window_get_slot        (SvdMatrixWindow  *self,
                                                    guint             slot);
void             svd_matrix_window_set_library_folders (SvdMatrixWindow   *self,
                                                    const char *const *folders);
gboolean         svd_matrix_window_is_library_loading (SvdMatrixWindow *self);
GtkListBox      *svd_matrix_window_get_library_list (SvdMatrixWindow *self,
                                                    guint             slot);
GtkMenuButton   *svd_matrix_window_get_library_button (SvdMatrixWindow *self,
                                                    guint             slot);
void             svd_matrix_window_set_quality     (SvdMatrixWindow  *self,
                                                    int               first_frame,
                                                    int               n_frames,
                                                    int               shrink,
                                                    int               crf);
const char      *svd_matrix_window_get_results_file (SvdMatrixWindow *self);
const char      *svd_matrix_window_get_csv_file    (SvdMatrixWindow  *self);
GtkDropDown     *svd_matrix_window_get_metric_drop (SvdMatrixWindow  *self);
GtkDropDown     *svd_matrix_window_get_output_drop (SvdMatrixWindow  *self);
SvdQualityMetric svd_matrix_window_get_metric      (SvdMatrixWindow  *self);
GtkWidget       *svd_matrix_window_get_quality_note (SvdMatrixWindow *self);
GtkWidget       *svd_matrix_window_get_stale_note  (SvdMatrixWindow  *self);

G_END_DECLS
