/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/svd-image.h"

G_BEGIN_DECLS

/* Visualisations for the viewer's overlays. Plain C on RGBA8 images, meant
 * to run on a worker thread; no GTK here. */

SvdImage *svd_heatmap_resize_bilinear (const SvdImage *image,
                                       int             width,
                                       int             height,
                                       GError        **error);
SvdImage *svd_heatmap_difference      (const SvdImage *image,
                                       const SvdImage *reference,
                                       int             gain,
                                       GError        **error);
SvdImage *svd_heatmap_ssim            (const SvdImage *image,
                                       const SvdImage *reference,
                                       double         *mean_ssim,
                                       GError        **error);

G_END_DECLS
