/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "model/svd-chain.h"

G_BEGIN_DECLS

typedef enum {
  SVD_EXPORT_IDLE,
  SVD_EXPORT_RUNNING,
  SVD_EXPORT_DONE,
  SVD_EXPORT_FAILED,
  SVD_EXPORT_CANCELLED,
} SvdExportState;

#define SVD_TYPE_EXPORT_DIALOG (svd_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SvdExportDialog, svd_export_dialog, SVD, EXPORT_DIALOG, AdwWindow)

SvdExportDialog *svd_export_dialog_new        (GtkWindow          *parent,
                                               const char         *input_path,
                                               gint64              n_frames,
                                               guint               chain_number,
                                               const SvdChain     *chain);
void             svd_export_dialog_set_output (SvdExportDialog    *self,
                                               GFile              *file);
GFile           *svd_export_dialog_get_output (SvdExportDialog    *self);
void             svd_export_dialog_set_range  (SvdExportDialog    *self,
                                               gint64              first,
                                               gint64              last);
void             svd_export_dialog_set_audio_source (SvdExportDialog *self,
                                                     const char      *path);
void             svd_export_dialog_set_encoder (SvdExportDialog   *self,
                                                const char        *encoder,
                                                int                crf);
void             svd_export_dialog_add_chain  (SvdExportDialog    *self,
                                               guint               chain_number,
                                               const SvdChain     *chain);
void             svd_export_dialog_select_chain (SvdExportDialog  *self,
                                                 guint             chain_number);
void             svd_export_dialog_set_clip   (SvdExportDialog    *self,
                                               const char         *clip_path);
gboolean         svd_export_dialog_start      (SvdExportDialog    *self);
void             svd_export_dialog_cancel     (SvdExportDialog    *self);

G_END_DECLS
