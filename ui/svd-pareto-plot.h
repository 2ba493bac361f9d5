/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tiers/svd-bench-matrix.h"

G_BEGIN_DECLS

#define SVD_TYPE_PARETO_PLOT (svd_pareto_plot_get_type ())
G_DECLARE_FINAL_TYPE (SvdParetoPlot, svd_pareto_plot, SVD, PARETO_PLOT, GtkDrawingArea)

GtkWidget *svd_pareto_plot_new         (void);
void       svd_pareto_plot_set_results (SvdParetoPlot    *self,
                                        GPtrArray        *rows,
                                        GArray           *pareto,
                                        int               recommended,
                                        SvdQualityMetric  metric,
                                        double            target_fps);
void       svd_pareto_plot_set_selected (SvdParetoPlot  *self,
                                         int             row);
int        svd_pareto_plot_row_at      (SvdParetoPlot    *self,
                                        double            x,
                                        double            y);
gboolean   svd_pareto_plot_get_point   (SvdParetoPlot    *self,
                                        int               row,
                                        double           *x,
                                        double           *y);
char      *svd_pareto_plot_get_tooltip (SvdParetoPlot    *self,
                                        double            x,
                                        double            y);
GStrv      svd_pareto_plot_get_x_labels (SvdParetoPlot   *self);
const char *svd_quality_metric_label   (SvdQualityMetric  metric);

G_END_DECLS
