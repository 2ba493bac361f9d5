/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The cells of one chain's readout, in the order they are shown. */
typedef enum {
  SVD_READOUT_TITLE,
  SVD_READOUT_PSNR_RGB,
  SVD_READOUT_PSNR_Y,
  SVD_READOUT_SSIM,
  SVD_READOUT_DISTS,
  SVD_READOUT_MEAN,
  SVD_READOUT_MEAN_DISTS,
  SVD_READOUT_TIME,
  SVD_READOUT_N_CELLS
} SvdReadoutCell;

#define SVD_TYPE_READOUT (svd_readout_get_type ())

G_DECLARE_FINAL_TYPE (SvdReadout, svd_readout, SVD, READOUT, GtkWidget)

GtkWidget  *svd_readout_new            (void);
void        svd_readout_set_cell_width (SvdReadout     *self,
                                        SvdReadoutCell  cell,
                                        const char     *widest);
void        svd_readout_set_cell       (SvdReadout     *self,
                                        SvdReadoutCell  cell,
                                        const char     *text);
void        svd_readout_set_message    (SvdReadout     *self,
                                        const char     *message);
const char *svd_readout_get_text       (SvdReadout     *self);

G_END_DECLS
