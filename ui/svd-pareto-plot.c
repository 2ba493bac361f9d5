/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-pareto-plot"

#include "svd-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "core/svd-ticks.h"
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
  int               selected;
  GStrv             x_labels;  /* as last drawn, for tests */
};

enum {
  ROW_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* The plot area inside the widget and the axes' ranges, shared by the
 * drawing, the hit test and the tooltips. */
typedef struct {
  double ml, mr, mt, mb;
  double pw, ph;
  double fmin, fmax, qmin, qmax;
  guint  n;
} Geometry;

static gboolean
plot_geometry (SvdParetoPlot *self,
               int            width,
               int            height,
               Geometry      *g)
{
  const gboolean ssim = self->metric == SVD_QUALITY_SSIM_Y;
  const double min_range = ssim ? 0.005 : 0.5;
  double fpad, qpad;

  *g = (Geometry) { 64, 16, 12, 40, 0, 0, INFINITY, -INFINITY, INFINITY, -INFINITY, 0 };
  g->pw = width - g->ml - g->mr;
  g->ph = height - g->mt - g->mb;
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, self->metric);

      if (isnan (q))
        continue;
      g->fmin = MIN (g->fmin, r->fps), g->fmax = MAX (g->fmax, r->fps);
      g->qmin = MIN (g->qmin, q), g->qmax = MAX (g->qmax, q);
      g->n++;
    }
  if (g->n == 0 || g->pw < 20 || g->ph < 20)
    return FALSE;
  /* The target fps stays on the axis when it is near the points. */
  if (self->target_fps > 0 && self->target_fps < g->fmax * 2)
    g->fmin = MIN (g->fmin, self->target_fps), g->fmax = MAX (g->fmax, self->target_fps);
  if (g->fmax - g->fmin < 1e-9)
    g->fmin -= MAX (0.05 * g->fmin, 0.1), g->fmax += MAX (0.05 * g->fmax, 0.1);
  /* Chains that differ by hundredths of a dB (or thousandths of SSIM) are
   * not drawn a plot apart. */
  if (g->qmax - g->qmin < min_range)
    {
      double mid = (g->qmax + g->qmin) / 2;

      g->qmin = mid - min_range / 2, g->qmax = mid + min_range / 2;
    }
  /* A margin so no point sits on the frame. */
  fpad = (g->fmax - g->fmin) * 0.06, qpad = (g->qmax - g->qmin) * 0.08;
  g->fmin -= fpad, g->fmax += fpad, g->qmin -= qpad, g->qmax += qpad;
  if (g->fmin < 0 && g->fmin + fpad >= 0)
    g->fmin = 0;
  return TRUE;
}

static double
geometry_x (const Geometry *g,
            double          fps)
{
  return g->ml + (fps - g->fmin) / (g->fmax - g->fmin) * g->pw;
}

static double
geometry_y (const Geometry *g,
            double          q)
{
  return g->mt + g->ph - (q - g->qmin) / (g->qmax - g->qmin) * g->ph;
}

/**
 * svd_pareto_plot_get_point:
 * @self: a #SvdParetoPlot
 * @row: an index into the rows
 * @x: (out): where its point is drawn
 * @y: (out): where its point is drawn
 *
 * Returns: %FALSE if @row has no point (no quality measured)
 */
gboolean
svd_pareto_plot_get_point (SvdParetoPlot *self,
                           int            row,
                           double        *x,
                           double        *y)
{
  Geometry g;
  const SvdBenchMatrixRow *r;
  double q;

  g_return_val_if_fail (SVD_IS_PARETO_PLOT (self), FALSE);

  if (self->rows == NULL || row < 0 || (guint) row >= self->rows->len
      || !plot_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)), &g))
    return FALSE;
  r = self->rows->pdata[row];
  q = svd_bench_matrix_row_quality (r, self->metric);
  if (isnan (q))
    return FALSE;
  *x = geometry_x (&g, r->fps);
  *y = geometry_y (&g, q);
  return TRUE;
}

/**
 * svd_pareto_plot_row_at:
 * @self: a #SvdParetoPlot
 * @x: a point in the widget
 * @y: a point in the widget
 *
 * Returns: the row whose point is nearest (@x, @y), within 10 pixels, or -1
 */
int
svd_pareto_plot_row_at (SvdParetoPlot *self,
                        double         x,
                        double         y)
{
  int best = -1;
  double best_d = 10 * 10;

  g_return_val_if_fail (SVD_IS_PARETO_PLOT (self), -1);

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      double px, py, d;

      if (!svd_pareto_plot_get_point (self, (int) i, &px, &py))
        continue;
      d = (px - x) * (px - x) + (py - y) * (py - y);
      if (d <= best_d)
        best = (int) i, best_d = d;
    }
  return best;
}

/**
 * svd_pareto_plot_get_x_labels:
 * @self: a #SvdParetoPlot
 *
 * Returns: (transfer full): the fps axis' tick labels as last drawn
 */
GStrv
svd_pareto_plot_get_x_labels (SvdParetoPlot *self)
{
  g_return_val_if_fail (SVD_IS_PARETO_PLOT (self), NULL);

  return g_strdupv (self->x_labels);
}

static void
set_rgba (cairo_t       *cr,
          const GdkRGBA *c,
          double         alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

static void
show_text_at (cairo_t    *cr,
              const char *text,
              double      x,
              double      y,
              double      align)
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  cairo_move_to (cr, x - ext.x_advance * align, y);
  cairo_show_text (cr, text);
}

static void
plot_draw (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        data)
{
  SvdParetoPlot *self = SVD_PARETO_PLOT (area);
  const gboolean ssim = self->metric == SVD_QUALITY_SSIM_Y;
  AdwStyleManager *style = adw_style_manager_get_default ();
  const gboolean dark = adw_style_manager_get_dark (style);
  /* Adwaita's blue, orange and green, lighter on a dark background. */
  const GdkRGBA point = dark ? (GdkRGBA) { 0.47, 0.68, 0.93, 1 } : (GdkRGBA) { 0.11, 0.44, 0.85, 1 };
  const GdkRGBA front = dark ? (GdkRGBA) { 1.0, 0.64, 0.28, 1 } : (GdkRGBA) { 0.90, 0.38, 0.0, 1 };
  const GdkRGBA ring = dark ? (GdkRGBA) { 0.34, 0.89, 0.54, 1 } : (GdkRGBA) { 0.15, 0.64, 0.41, 1 };
  GdkRGBA fg;
  Geometry g;
  SvdTicks ticks;

  /* The theme's text colour for the frame, ticks and labels: the plot
   * follows dark mode and draws no background of its own. */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  g_clear_pointer (&self->x_labels, g_strfreev);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  cairo_set_line_width (cr, 1);

  if (!plot_geometry (self, width, height, &g))
    {
      set_rgba (cr, &fg, 0.6);
      if (self->rows != NULL && self->rows->len > 0)
        show_text_at (cr, _("No quality measured: open a clip to plot quality against fps"), width / 2.0,
                      height / 2.0, 0.5);
      else
        show_text_at (cr, _("Run the matrix to plot quality against fps"), width / 2.0, height / 2.0, 0.5);
      return;
    }

  set_rgba (cr, &fg, 0.35);
  cairo_rectangle (cr, g.ml + 0.5, g.mt + 0.5, g.pw - 1, g.ph - 1);
  cairo_stroke (cr);

  /* Ticks, with faint grid lines. */
  if (svd_ticks_compute (g.fmin, g.fmax, MAX (2, MIN (8, (guint) (g.pw / 70))), &ticks))
    {
      GPtrArray *labels = g_ptr_array_new ();

      for (guint i = 0; i < ticks.n; i++)
        {
          double x = round (geometry_x (&g, svd_ticks_value (&ticks, i))) + 0.5;
          char *label = svd_ticks_label (&ticks, i);

          set_rgba (cr, &fg, 0.1);
          cairo_move_to (cr, x, g.mt);
          cairo_line_to (cr, x, g.mt + g.ph);
          cairo_stroke (cr);
          set_rgba (cr, &fg, 0.75);
          show_text_at (cr, label, x, g.mt + g.ph + 14, 0.5);
          g_ptr_array_add (labels, label);
        }
      g_ptr_array_add (labels, NULL);
      self->x_labels = (GStrv) g_ptr_array_free (labels, FALSE);
    }
  if (svd_ticks_compute (g.qmin, g.qmax, MAX (2, MIN (6, (guint) (g.ph / 30))), &ticks))
    for (guint i = 0; i < ticks.n; i++)
      {
        double y = round (geometry_y (&g, svd_ticks_value (&ticks, i))) + 0.5;
        g_autofree char *label = svd_ticks_label (&ticks, i);

        set_rgba (cr, &fg, 0.1);
        cairo_move_to (cr, g.ml, y);
        cairo_line_to (cr, g.ml + g.pw, y);
        cairo_stroke (cr);
        set_rgba (cr, &fg, 0.75);
        show_text_at (cr, label, g.ml - 6, y + 4, 1);
      }
  set_rgba (cr, &fg, 0.9);
  show_text_at (cr, _("fps (measured)"), g.ml + g.pw / 2, height - 6, 0.5);
  cairo_save (cr);
  cairo_translate (cr, 12, g.mt + g.ph / 2);
  cairo_rotate (cr, -G_PI / 2);
  show_text_at (cr, svd_quality_metric_label (self->metric), 0, 0, 0.5);
  cairo_restore (cr);

  cairo_save (cr);
  cairo_rectangle (cr, g.ml, g.mt, g.pw, g.ph);
  cairo_clip (cr);
  /* The target fps as a dashed vertical line. */
  if (self->target_fps >= g.fmin && self->target_fps <= g.fmax)
    {
      double dash = 4;

      set_rgba (cr, &fg, 0.5);
      cairo_set_dash (cr, &dash, 1, 0);
      cairo_move_to (cr, round (geometry_x (&g, self->target_fps)) + 0.5, g.mt);
      cairo_line_to (cr, round (geometry_x (&g, self->target_fps)) + 0.5, g.mt + g.ph);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  /* The Pareto front as a line, fastest first. */
  if (self->pareto != NULL && self->pareto->len > 0)
    {
      set_rgba (cr, &front, 1);
      cairo_set_line_width (cr, 2);
      for (guint k = 0; k < self->pareto->len; k++)
        {
          const SvdBenchMatrixRow *r = self->rows->pdata[g_array_index (self->pareto, guint, k)];
          double x = geometry_x (&g, r->fps), y = geometry_y (&g, svd_bench_matrix_row_quality (r, self->metric));

          if (k == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, self->metric);
      double x, y;

      if (isnan (q))
        continue;
      x = geometry_x (&g, r->fps), y = geometry_y (&g, q);
      set_rgba (cr, &point, 1);
      cairo_arc (cr, x, y, 4, 0, 2 * G_PI);
      cairo_fill (cr);
      if ((int) i == self->recommended)
        {
          set_rgba (cr, &ring, 1);
          cairo_set_line_width (cr, 3);
          cairo_arc (cr, x, y, 9, 0, 2 * G_PI);
          cairo_stroke (cr);
        }
      if ((int) i == self->selected)
        {
          set_rgba (cr, &fg, 1);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, x - 7, y - 7, 14, 14);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
  /* The recommended and the selected points carry their chain's name. */
  for (int k = 0; k < 2; k++)
    {
      int i = k == 0 ? self->recommended : self->selected;
      double x, y;
      const SvdBenchMatrixRow *r;

      if (i < 0 || (k == 1 && i == self->recommended) || !svd_pareto_plot_get_point (self, i, &x, &y))
        continue;
      r = self->rows->pdata[i];
      set_rgba (cr, &fg, 0.95);
      show_text_at (cr, r->chain, x < g.ml + g.pw / 2 ? x + 12 : x - 12, y > g.mt + 20 ? y - 10 : y + 20,
                    x < g.ml + g.pw / 2 ? 0 : 1);
    }
  (void) ssim;
}

static gboolean
query_tooltip_cb (GtkWidget     *widget,
                  int            x,
                  int            y,
                  gboolean       keyboard,
                  GtkTooltip    *tooltip,
                  SvdParetoPlot *self)
{
  g_autofree char *text = svd_pareto_plot_get_tooltip (self, x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/**
 * svd_pareto_plot_get_tooltip:
 * @self: a #SvdParetoPlot
 * @x: a point in the widget
 * @y: a point in the widget
 *
 * Returns: (transfer full) (nullable): the tooltip of the point at
 *   (@x, @y): chain, fps, quality, sizes
 */
char *
svd_pareto_plot_get_tooltip (SvdParetoPlot *self,
                             double         x,
                             double         y)
{
  int i = svd_pareto_plot_row_at (self, x, y);
  const SvdBenchMatrixRow *r;
  double q;

  if (i < 0)
    return NULL;
  r = self->rows->pdata[i];
  q = svd_bench_matrix_row_quality (r, self->metric);
  /* Translators: a point's tooltip in the matrix plot: chain; measured
   * fps; quality value and metric; input and output sizes; a note */
  return g_strdup_printf (_("%s\n%.2f fps (measured), %s %.*f\n%d × %d → %d × %d%s"), r->chain, r->fps,
                          svd_quality_metric_label (self->metric), self->metric == SVD_QUALITY_SSIM_Y ? 4 : 2, q,
                          r->in_width, r->in_height, r->out_width, r->out_height,
                          i == self->recommended ? _("\nRecommended") : "");
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            SvdParetoPlot   *self)
{
  int i = svd_pareto_plot_row_at (self, x, y);

  if (i >= 0)
    g_signal_emit (self, signals[ROW_ACTIVATED], 0, i);
}

/**
 * svd_pareto_plot_set_selected:
 * @self: a #SvdParetoPlot
 * @row: the row selected in the table, or -1
 */
void
svd_pareto_plot_set_selected (SvdParetoPlot *self,
                              int            row)
{
  g_return_if_fail (SVD_IS_PARETO_PLOT (self));

  if (self->selected == row)
    return;
  self->selected = row;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
svd_pareto_plot_finalize (GObject *object)
{
  SvdParetoPlot *self = SVD_PARETO_PLOT (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->pareto, g_array_unref);
  g_clear_pointer (&self->x_labels, g_strfreev);
  G_OBJECT_CLASS (svd_pareto_plot_parent_class)->finalize (object);
}

static void
svd_pareto_plot_class_init (SvdParetoPlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = svd_pareto_plot_finalize;

  /**
   * SvdParetoPlot::row-activated:
   * @row: the index of the row whose point was clicked
   */
  signals[ROW_ACTIVATED] = g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
svd_pareto_plot_init (SvdParetoPlot *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->recommended = -1;
  self->selected = -1;
  gtk_widget_set_size_request (GTK_WIDGET (self), -1, 170);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), plot_draw, NULL, NULL);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  /* Redrawn in the new colours when dark mode comes or goes. */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (gtk_widget_queue_draw),
                           self, G_CONNECT_SWAPPED);
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
