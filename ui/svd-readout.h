/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "session/svd-readout-format.h"

G_BEGIN_DECLS

#define SVD_TYPE_READOUT (svd_readout_get_type ())

G_DECLARE_FINAL_TYPE (SvdReadout, svd_readout, SVD, READOUT, GtkWidget)

GtkWidget  *svd_readout_new            (void);
void        svd_readout_set_cell_width (SvdReadout     *self,
                                        SvdReadoutCell  cell,
                                        const char     *widest);
void        svd_readout_set_cell       (SvdReadout     *self,
                                        SvdReadoutCell  cell,
                                        const char     *value,
                                        const char     *full);
void        svd_readout_set_header     (SvdReadout     *self);
gboolean    svd_readout_get_cell_visible (SvdReadout   *self,
                                          SvdReadoutCell cell);
void        svd_readout_set_message    (SvdReadout     *self,
                                        const char     *message);
const char *svd_readout_get_text       (SvdReadout     *self);
void        svd_readout_add_to_size_group (SvdReadout   *self,
                                           SvdReadoutCell cell,
                                           GtkSizeGroup *group);
GtkWidget  *svd_readout_get_cell_widget (SvdReadout    *self,
                                         SvdReadoutCell cell);

G_END_DECLS
