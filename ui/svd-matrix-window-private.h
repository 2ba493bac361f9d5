/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the GUI tests look at inside the Benchmark Matrix window; nothing
 * in the app uses these. */

#include "svd-matrix-window.h"

G_BEGIN_DECLS

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
GtkDropDown     *svd_matrix_window_get_format_drop (SvdMatrixWindow  *self);
GPtrArray       *svd_matrix_window_get_slot        (SvdMatrixWindow  *self,
                                                    guint             slot);
gboolean         svd_matrix_window_is_library_loading (SvdMatrixWindow *self);
GtkListBox      *svd_matrix_window_get_library_list (SvdMatrixWindow *self,
                                                    guint             slot);
GtkMenuButton   *svd_matrix_window_get_library_button (SvdMatrixWindow *self,
                                                    guint             slot);
const char      *svd_matrix_window_get_results_file (SvdMatrixWindow *self);
const char      *svd_matrix_window_get_csv_file    (SvdMatrixWindow  *self);
GtkDropDown     *svd_matrix_window_get_metric_drop (SvdMatrixWindow  *self);
GtkDropDown     *svd_matrix_window_get_output_drop (SvdMatrixWindow  *self);
SvdQualityMetric svd_matrix_window_get_metric      (SvdMatrixWindow  *self);
GtkWidget       *svd_matrix_window_get_quality_note (SvdMatrixWindow *self);
GtkWidget       *svd_matrix_window_get_stale_note  (SvdMatrixWindow  *self);

G_END_DECLS
