/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the GUI tests look at inside the export dialog; nothing in the
 * app uses these. */

#include "svd-export.h"

G_BEGIN_DECLS

SvdExportState   svd_export_dialog_get_state  (SvdExportDialog    *self);
const char      *svd_export_dialog_get_message (SvdExportDialog   *self);
gint64           svd_export_dialog_get_frames_written (SvdExportDialog *self);
const char      *svd_export_dialog_get_chain_text (SvdExportDialog *self);
guint            svd_export_dialog_get_chain_number (SvdExportDialog *self);

G_END_DECLS
