/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the GUI tests look at inside the Benchmark Matrix window; nothing
 * in the app uses these. */

#include "svd-matrix-window.h"
#include "svd-model-picker.h"

G_BEGIN_DECLS

/* The window's state, shared by svd-matrix-window.c (form, run, table,
 * export) and svd-matrix-window-extra.c (slots remembered in GSettings,
 * recommending for a chosen GPU, Use in Viewer). */
struct _SvdMatrixWindow
{
  AdwWindow         parent_instance;

  char             *clip_path;
  double            clip_fps;
  GPtrArray        *slots;        /* of GPtrArray of SvdModel (NULL = skip) */
  GHashTable       *models;       /* name -> SvdModel */
  int               width, height;
  int               warmup, frames;
  double            target_fps;
  char             *results_base; /* as set; the files used carry the quality settings */
  char             *results_path;
  char             *csv_path;
  char             *error;

  /* Quality: the span of input frames scored, the degrade step that makes
   * the input from the clip, and the metric that ranks chains. */
  int               q_first, q_frames, q_scale, q_crf;
  SvdQualityMetric  metric;

  /* The model library (project models/, the user's folder, Preferences). */
  GStrv             folders;
  GPtrArray        *library;      /* of SvdModelEntry */
  GCancellable     *scan_cancellable;
  gboolean          scan_started;
  gboolean          library_loading;

  GPtrArray        *rows;
  GArray           *pareto;
  int               recommended;
  GCancellable     *cancellable;
  gint64            started;
  gboolean          running;
  gboolean          disposed;  /* widgets gone; a late run result is dropped */

  GtkLabel         *slot_labels[SVD_MATRIX_N_SLOTS];
  SvdModelPicker   *pickers[SVD_MATRIX_N_SLOTS];
  GtkSpinButton    *first_spin;
  GtkSpinButton    *frames_spin;
  GtkDropDown      *shrink_drop;
  GtkSpinButton    *crf_spin;
  GtkDropDown      *metric_drop;
  GtkDropDown      *size_drop;
  GtkSpinButton    *target_spin;
  GtkDropDown      *output_drop;
  GtkProgressBar   *progress;
  GtkButton        *run_button;
  GtkButton        *cancel_button;
  GtkLabel         *quality_note;
  GtkLabel         *banner;
  GtkLabel         *stale_note;
  GtkWidget        *slot_grid;
  GListStore       *store;
  GtkSortListModel *sorted;
  GtkColumnView    *table;
  GtkWidget        *plot;
  GtkDropDown      *format_drop;
  GtkDropDown      *gpu_drop;      /* this device, or a GPU of the estimate table */
  GtkWidget        *export_button;
  GtkWidget        *use_button;
  gboolean          restoring_slots;
  AdwToastOverlay  *toasts;

  /* What Preferences choose now (svd_app_settings_load()): runs use it,
   * and saved rows measured otherwise are stale. */
  GSettings        *gsettings;
  SvdSettings       engine_settings;
  char             *device_name;
};

/* svd-matrix-window-extra.c */
void             svd_matrix_window_save_slots      (SvdMatrixWindow  *self);
void             svd_matrix_window_restore_slots   (SvdMatrixWindow  *self);
gboolean         svd_matrix_window_check_scale     (SvdMatrixWindow  *self,
                                                    guint             slot,
                                                    const SvdModel   *model,
                                                    GError          **error);
int              svd_matrix_window_recommend_for_gpu (SvdMatrixWindow *self,
                                                    GPtrArray        *at_size,
                                                    int               out_width,
                                                    int               out_height,
                                                    const char      **gpu_name);
void             svd_matrix_window_fill_gpu_drop   (SvdMatrixWindow  *self);
gboolean         svd_matrix_window_use_in_viewer   (SvdMatrixWindow  *self,
                                                    int               row,
                                                    GError          **error);
int              svd_matrix_window_chosen_row      (SvdMatrixWindow  *self);
int              svd_matrix_window_selected_row    (SvdMatrixWindow  *self);
void             svd_matrix_window_select_row      (SvdMatrixWindow  *self,
                                                    int               row);

/* For tests. */
GtkDropDown     *svd_matrix_window_get_gpu_drop    (SvdMatrixWindow  *self);
GtkWidget       *svd_matrix_window_get_export_button (SvdMatrixWindow *self);
GtkWidget       *svd_matrix_window_get_use_button  (SvdMatrixWindow  *self);

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
