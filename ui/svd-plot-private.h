/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "svd-plot.h"

G_BEGIN_DECLS

/* Only the tests use these. */
guint          svd_plot_get_n_points (SvdPlot      *self,
                                      guint         series);
double         svd_plot_get_mean    (SvdPlot       *self,
                                     guint          series);
gint64         svd_plot_get_last_frame_number (SvdPlot *self);

G_END_DECLS
