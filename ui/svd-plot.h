/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  SVD_PLOT_PSNR_Y,
  SVD_PLOT_SSIM_Y,
} SvdPlotMetric;

#define SVD_PLOT_MAX_SERIES 4

#define SVD_TYPE_PLOT (svd_plot_get_type ())

G_DECLARE_FINAL_TYPE (SvdPlot, svd_plot, SVD, PLOT, GtkWidget)

GtkWidget     *svd_plot_new         (void);
void           svd_plot_set_n_frames (SvdPlot       *self,
                                      gint64         n_frames);
void           svd_plot_set_current (SvdPlot       *self,
                                     gint64         index);
void           svd_plot_add         (SvdPlot       *self,
                                     guint          series,
                                     gint64         index,
                                     double         psnr_y,
                                     double         ssim_y);
void           svd_plot_clear       (SvdPlot       *self,
                                     guint          series);
void           svd_plot_set_metric  (SvdPlot       *self,
                                     SvdPlotMetric  metric);
SvdPlotMetric  svd_plot_get_metric  (SvdPlot       *self);
gint64         svd_plot_get_worst   (SvdPlot       *self,
                                     guint          series,
                                     SvdPlotMetric  metric);
gint64         svd_plot_frame_at    (SvdPlot       *self,
                                     double         x);

G_END_DECLS
