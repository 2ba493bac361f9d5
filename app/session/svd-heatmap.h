/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/svd-image.h"

G_BEGIN_DECLS

/* Visualisations for the viewer's overlays, drawn from the maps the
 * metrics runner computes (so the overlay shows the SSIM the readout
 * gives). Plain C, meant to run on a worker thread. */

SvdImage *svd_heatmap_resize_bilinear (const SvdImage *image,
                                       int             width,
                                       int             height,
                                       GError        **error);
SvdImage *svd_heatmap_difference      (const SvdImage *diff_map,
                                       int             gain,
                                       GError        **error);
SvdImage *svd_heatmap_ssim            (const SvdImage *ssim_map,
                                       const SvdImage *reference,
                                       GError        **error);
void      svd_heatmap_ramp            (double          t,
                                       guint8         *rgb);

G_END_DECLS
