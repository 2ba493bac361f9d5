/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-pareto-plot"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "svd-pareto-plot.h"

/* The Benchmark Matrix's plot: quality against measured fps for every row
 * that has a quality score, the Pareto front as a line (fastest first),
 * the recommended row ringed and the target fps as a dashed line. Drawn
 * with cairo (GTK 4.8 has no path stroking). */

struct _SvdParetoPlot
{
  GtkDrawingArea    parent_instance;

  GPtrArray        *rows;    /* of SvdBenchMatrixRow, borrowed from the caller's ref */
  GArray           *pareto;  /* of guint indices into rows */
  int               recommended;
  SvdQualityMetric  metric;
  double            target_fps;
};

G_DEFINE_FINAL_TYPE (SvdParetoPlot, svd_pareto_plot, GTK_TYPE_DRAWING_AREA)

/* What the metric drop-downs offer, in SvdQualityMetric order. */
static const char *const metric_names[] = { N_("PSNR-Y"), N_("PSNR-RGB"), N_("SSIM-Y") };

/**
 * svd_quality_metric_label:
 * @metric: a metric
 *
 * Returns: the metric's translated name, e.g. "PSNR-Y"
 */
const char *
svd_quality_metric_label (SvdQualityMetric metric)
{
  if ((guint) metric >= G_N_ELEMENTS (metric_names))
    metric = SVD_QUALITY_PSNR_Y;
  return _(metric_names[metric]);
}

static void
plot_draw (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        data)
{
  SvdParetoPlot *self = SVD_PARETO_PLOT (area);
  double fmin = INFINITY, fmax = -INFINITY, qmin = INFINITY, qmax = -INFINITY;
  const double ml = 56, mr = 16, mt = 16, mb = 40;
  const gboolean ssim = self->metric == SVD_QUALITY_SSIM_Y;
  const double min_range = ssim ? 0.005 : 0.5;
  double pw = width - ml - mr, ph = height - mt - mb;
  guint n = 0;
  char buf[64];

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, ml, mt, pw, ph);
  cairo_stroke (cr);
  cairo_set_font_size (cr, 11);
  cairo_move_to (cr, ml + pw / 2 - 20, height - 8);
  cairo_show_text (cr, _("fps (measured)"));
  cairo_move_to (cr, 4, mt + 10);
  cairo_show_text (cr, svd_quality_metric_label (self->metric));
  if (self->rows == NULL)
    return;
  for (guint i = 0; i < self->rows->len; i++)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, self->metric);

      if (isnan (q))
        continue;
      fmin = MIN (fmin, r->fps), fmax = MAX (fmax, r->fps);
      qmin = MIN (qmin, q), qmax = MAX (qmax, q);
      n++;
    }
  if (n == 0)
    {
      cairo_move_to (cr, ml + 10, mt + ph / 2);
      cairo_show_text (cr, _("No quality measured: open a clip to plot quality against fps"));
      return;
    }
  if (fmax - fmin < 1e-9)
    fmin -= 1, fmax += 1;
  /* Chains that differ by hundredths of a dB (or thousandths of SSIM) are
   * not drawn a plot apart. */
  if (qmax - qmin < min_range)
    {
      double mid = (qmax + qmin) / 2;

      qmin = mid - min_range / 2, qmax = mid + min_range / 2;
    }
#define PX(f) (ml + ((f) - fmin) / (fmax - fmin) * pw * 0.9 + pw * 0.05)
#define PY(q) (mt + ph - ((q) - qmin) / (qmax - qmin) * ph * 0.9 - ph * 0.05)
  g_snprintf (buf, sizeof buf, "%.1f", fmin);
  cairo_move_to (cr, ml, mt + ph + 14);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, "%.1f", fmax);
  cairo_move_to (cr, ml + pw - 30, mt + ph + 14);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, ssim ? "%.4f" : "%.2f", qmax);
  cairo_move_to (cr, 4, mt + 26);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, ssim ? "%.4f" : "%.2f", qmin);
  cairo_move_to (cr, 4, mt + ph);
  cairo_show_text (cr, buf);
  /* The Pareto front as a line, fastest first. */
  if (self->pareto != NULL && self->pareto->len > 0)
    {
      cairo_set_source_rgb (cr, 0.85, 0.3, 0.1);
      cairo_set_line_width (cr, 2);
      for (guint k = 0; k < self->pareto->len; k++)
        {
          const SvdBenchMatrixRow *r = self->rows->pdata[g_array_index (self->pareto, guint, k)];
          double q = svd_bench_matrix_row_quality (r, self->metric);

          if (k == 0)
            cairo_move_to (cr, PX (r->fps), PY (q));
          else
            cairo_line_to (cr, PX (r->fps), PY (q));
        }
      cairo_stroke (cr);
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, self->metric);

      if (isnan (q))
        continue;
      cairo_set_source_rgb (cr, 0.1, 0.4, 0.8);
      cairo_arc (cr, PX (r->fps), PY (q), 4, 0, 2 * G_PI);
      cairo_fill (cr);
      if ((int) i == self->recommended)
        {
          cairo_set_source_rgb (cr, 0.1, 0.7, 0.2);
          cairo_set_line_width (cr, 3);
          cairo_arc (cr, PX (r->fps), PY (q), 9, 0, 2 * G_PI);
          cairo_stroke (cr);
        }
    }
  /* The target fps as a dashed vertical line. */
  if (self->target_fps >= fmin && self->target_fps <= fmax)
    {
      double dash = 4;

      cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, &dash, 1, 0);
      cairo_move_to (cr, PX (self->target_fps), mt);
      cairo_line_to (cr, PX (self->target_fps), mt + ph);
      cairo_stroke (cr);
    }
#undef PX
#undef PY
}

static void
svd_pareto_plot_finalize (GObject *object)
{
  SvdParetoPlot *self = SVD_PARETO_PLOT (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->pareto, g_array_unref);
  G_OBJECT_CLASS (svd_pareto_plot_parent_class)->finalize (object);
}

static void
svd_pareto_plot_class_init (SvdParetoPlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = svd_pareto_plot_finalize;
}

static void
svd_pareto_plot_init (SvdParetoPlot *self)
{
  self->recommended = -1;
  gtk_widget_set_size_request (GTK_WIDGET (self), -1, 170);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), plot_draw, NULL, NULL);
}

GtkWidget *
svd_pareto_plot_new (void)
{
  return g_object_new (SVD_TYPE_PARETO_PLOT, NULL);
}

/**
 * svd_pareto_plot_set_results:
 * @self: a #SvdParetoPlot
 * @rows: (nullable) (element-type SvdBenchMatrixRow): the matrix rows
 * @pareto: (nullable) (element-type guint): indices into @rows on the front
 * @recommended: index of the recommended row, or -1
 * @metric: the metric on the vertical axis
 * @target_fps: where the dashed line goes
 *
 * Shows @rows; the plot keeps a reference to @rows and @pareto.
 */
void
svd_pareto_plot_set_results (SvdParetoPlot    *self,
                             GPtrArray        *rows,
                             GArray           *pareto,
                             int               recommended,
                             SvdQualityMetric  metric,
                             double            target_fps)
{
  g_return_if_fail (SVD_IS_PARETO_PLOT (self));
  if (rows != NULL)
    g_ptr_array_ref (rows);
  if (pareto != NULL)
    g_array_ref (pareto);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->pareto, g_array_unref);
  self->rows = rows;
  self->pareto = pareto;
  self->recommended = recommended;
  self->metric = metric;
  self->target_fps = target_fps;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
