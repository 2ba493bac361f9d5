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
gboolean         svd_matrix_window_export          (SvdMatrixWindow  *self,
                                                    int               row,
                                                    SvdChainExportFormat format,
                                                    const char       *path,
                                                    GError          **error);
gboolean         svd_matrix_window_export_chosen   (SvdMatrixWindow  *self,
                                                    const char       *path);
void             svd_matrix_window_add_none        (SvdMatrixWindow  *self,
                                                    guint             slot);
void             svd_matrix_window_clear_slot      (SvdMatrixWindow  *self,
                                                    guint             slot);
void             svd_matrix_window_set_library_folders (SvdMatrixWindow   *self,
                                                    const char *const *folders);
void             svd_matrix_window_set_quality     (SvdMatrixWindow  *self,
                                                    int               first_frame,
                                                    int               n_frames,
                                                    int               shrink,
                                                    int               crf);

G_END_DECLS
