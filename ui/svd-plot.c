/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-plot"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "svd-plot-private.h"

/* The per-frame plot: one line per chain of the chosen metric over the
 * frames computed so far (kept sorted by frame), the shown frame marked,
 * and each chain's mean so far in the legend. Drawn with cairo in
 * snapshot(); the data are a few doubles per frame, so this stays cheap. */

typedef struct {
  gint64 index;
  double value[2];
} Point;

struct _SvdPlot
{
  GtkWidget      parent_instance;

  GArray        *series[SVD_PLOT_MAX_SERIES];
  gint64         n_frames;
  gint64         current;
  SvdPlotMetric  metric;
};

G_DEFINE_FINAL_TYPE (SvdPlot, svd_plot, GTK_TYPE_WIDGET)

/* Adwaita's blue, green, orange and purple, as the chain badges. */
static const double colors[SVD_PLOT_MAX_SERIES][3] = {
  { 0x35 / 255.0, 0x84 / 255.0, 0xe4 / 255.0 },
  { 0x2e / 255.0, 0xc2 / 255.0, 0x7e / 255.0 },
  { 0xff / 255.0, 0x78 / 255.0, 0x00 / 255.0 },
  { 0x91 / 255.0, 0x41 / 255.0, 0xac / 255.0 },
};

static double
point_value (const Point   *p,
             SvdPlotMetric  metric)
{
  return p->value[metric == SVD_PLOT_SSIM_Y ? 1 : 0];
}

double
svd_plot_get_mean (SvdPlot *self,
                   guint    series)
{
  GArray *a;
  double sum = 0;
  guint n = 0;

  g_return_val_if_fail (SVD_IS_PLOT (self) && series < SVD_PLOT_MAX_SERIES, NAN);

  a = self->series[series];
  for (guint i = 0; i < a->len; i++)
    {
      double v = point_value (&g_array_index (a, Point, i), self->metric);

      if (isfinite (v))
        {
          sum += v;
          n++;
        }
    }
  return n > 0 ? sum / n : NAN;
}

/**
 * svd_plot_get_last_frame_number:
 * @self: a #SvdPlot
 *
 * Returns: the number the frame axis ends at: the clip's last frame,
 *   counted from 1 as the transport and the export count
 */
gint64
svd_plot_get_last_frame_number (SvdPlot *self)
{
  g_return_val_if_fail (SVD_IS_PLOT (self), 0);

  return MAX (self->n_frames, 2);
}

/* The plot area's left and right edges, as svd_plot_snapshot () draws. */
#define PLOT_LEFT 48.0
#define PLOT_RIGHT_MARGIN 8.0

/**
 * svd_plot_frame_at:
 * @self: a plot
 * @x: a point in the widget
 *
 * Returns: the frame drawn at @x, or -1 without frames
 */
gint64
svd_plot_frame_at (SvdPlot *self,
                   double   x)
{
  double right = gtk_widget_get_width (GTK_WIDGET (self)) - PLOT_RIGHT_MARGIN;
  gint64 n = self->n_frames;

  g_return_val_if_fail (SVD_IS_PLOT (self), -1);

  if (n <= 0 || right <= PLOT_LEFT)
    return -1;
  if (n == 1)
    return 0;
  return CLAMP ((gint64) llround ((x - PLOT_LEFT) / (right - PLOT_LEFT) * (double) (n - 1)), 0, n - 1);
}

/**
 * svd_plot_get_worst:
 * @self: a plot
 * @series: the chain, 0 to 3
 * @metric: the metric
 *
 * Returns: the frame with the lowest value of @metric among those measured
 *   for @series (the first of equals), or -1 when none is
 */
gint64
svd_plot_get_worst (SvdPlot       *self,
                    guint          series,
                    SvdPlotMetric  metric)
{
  GArray *a;
  gint64 worst = -1;
  double lo = INFINITY;

  g_return_val_if_fail (SVD_IS_PLOT (self) && series < SVD_PLOT_MAX_SERIES, -1);

  a = self->series[series];
  for (guint i = 0; i < a->len; i++)
    {
      const Point *p = &g_array_index (a, Point, i);
      double v = point_value (p, metric);

      if (isfinite (v) && v < lo)
        {
          lo = v;
          worst = p->index;
        }
    }
  return worst;
}

SvdPlotMetric
svd_plot_get_metric (SvdPlot *self)
{
  g_return_val_if_fail (SVD_IS_PLOT (self), SVD_PLOT_PSNR_Y);

  return self->metric;
}

/* A click seeks to the frame under it; the secondary button offers the
 * worst frame of each chain by PSNR-Y or SSIM-Y. */
static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            SvdPlot         *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  if (button == GDK_BUTTON_SECONDARY)
    {
      g_autoptr(GMenu) menu = g_menu_new ();
      GtkWidget *popover;

      for (guint s = 0; s < SVD_PLOT_MAX_SERIES; s++)
        {
          g_autofree char *psnr = NULL;
          g_autofree char *ssim = NULL;
          g_autofree char *scan = NULL;

          if (self->series[s]->len == 0)
            continue;
          /* Translators: %u is a chain's number */
          psnr = g_strdup_printf (_("Worst Frame of Chain %u by PSNR-Y"), s + 1);
          /* Translators: %u is a chain's number */
          ssim = g_strdup_printf (_("Worst Frame of Chain %u by SSIM-Y"), s + 1);
          /* Translators: measure every frame of the clip through a chain,
           * so that its worst frame is the clip's; %u is its number */
          scan = g_strdup_printf (_("Measure Every Frame of Chain %u"), s + 1);
          {
            g_autoptr(GMenuItem) a = g_menu_item_new (psnr, NULL);
            g_autoptr(GMenuItem) b = g_menu_item_new (ssim, NULL);
            g_autoptr(GMenuItem) c = g_menu_item_new (scan, NULL);

            g_menu_item_set_action_and_target_value (a, "win.worst-frame", g_variant_new ("(ii)", s, SVD_PLOT_PSNR_Y));
            g_menu_item_set_action_and_target_value (b, "win.worst-frame", g_variant_new ("(ii)", s, SVD_PLOT_SSIM_Y));
            g_menu_item_set_action_and_target_value (c, "win.scan-clip", g_variant_new_int32 ((gint32) s));
            g_menu_append_item (menu, a);
            g_menu_append_item (menu, b);
            g_menu_append_item (menu, c);
          }
        }
      if (g_menu_model_get_n_items (G_MENU_MODEL (menu)) == 0)
        return;
      popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
      gtk_widget_set_parent (popover, GTK_WIDGET (self));
      gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
      g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
      gtk_popover_popup (GTK_POPOVER (popover));
      return;
    }
  {
    gint64 frame = svd_plot_frame_at (self, x);

    if (frame >= 0)
      gtk_widget_activate_action (GTK_WIDGET (self), "win.go-to-frame", "x", frame);
  }
}

static void
svd_plot_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  SvdPlot *self = SVD_PLOT (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  double lo = INFINITY, hi = -INFINITY, left = PLOT_LEFT, right = width - PLOT_RIGHT_MARGIN, top = 8, bottom = height - 18;
  gint64 n = MAX (self->n_frames, 2);
  GdkRGBA fg;
  cairo_t *cr;
  char buf[64];
  double legend_x;

  if (width < 80 || height < 40)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  for (guint s = 0; s < SVD_PLOT_MAX_SERIES; s++)
    for (guint i = 0; i < self->series[s]->len; i++)
      {
        double v = point_value (&g_array_index (self->series[s], Point, i), self->metric);

        if (isfinite (v))
          {
            lo = MIN (lo, v);
            hi = MAX (hi, v);
          }
      }
  if (!isfinite (lo))
    {
      lo = self->metric == SVD_PLOT_SSIM_Y ? 0.8 : 20;
      hi = self->metric == SVD_PLOT_SSIM_Y ? 1.0 : 40;
    }
  if (hi - lo < (self->metric == SVD_PLOT_SSIM_Y ? 0.01 : 1.0))
    {
      double mid = (hi + lo) / 2, half = self->metric == SVD_PLOT_SSIM_Y ? 0.005 : 0.5;

      lo = mid - half;
      hi = mid + half;
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
  cairo_rectangle (cr, left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  cairo_stroke (cr);

  /* Axis labels: the range of the values and of the frames. */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 10);
  g_snprintf (buf, sizeof buf, self->metric == SVD_PLOT_SSIM_Y ? "%.3f" : "%.1f", hi);
  cairo_move_to (cr, 2, top + 9);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, self->metric == SVD_PLOT_SSIM_Y ? "%.3f" : "%.1f", lo);
  cairo_move_to (cr, 2, bottom);
  cairo_show_text (cr, buf);
  /* Frames are numbered from 1, as in the transport and the export. */
  cairo_move_to (cr, left, height - 4);
  cairo_show_text (cr, "1");
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, svd_plot_get_last_frame_number (self));
  cairo_move_to (cr, right - 6 * strlen (buf), height - 4);
  cairo_show_text (cr, buf);

  /* The shown frame. */
  if (self->current >= 0)
    {
      double x = left + (right - left) * self->current / (double) (n - 1);

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.35);
      cairo_move_to (cr, floor (x) + 0.5, top);
      cairo_line_to (cr, floor (x) + 0.5, bottom);
      cairo_stroke (cr);
    }

  cairo_set_line_width (cr, 1.5);
  legend_x = left + 6;
  for (guint s = 0; s < SVD_PLOT_MAX_SERIES; s++)
    {
      GArray *a = self->series[s];
      gboolean started = FALSE;
      gint64 prev = -2;
      double mean;

      if (a->len == 0)
        continue;
      cairo_set_source_rgb (cr, colors[s][0], colors[s][1], colors[s][2]);
      for (guint i = 0; i < a->len; i++)
        {
          const Point *p = &g_array_index (a, Point, i);
          double v = point_value (p, self->metric);
          double x = left + (right - left) * p->index / (double) (n - 1);
          double y = bottom - (bottom - top) * (v - lo) / (hi - lo);

          if (!isfinite (v))
            {
              started = FALSE;
              continue;
            }
          /* A gap in the frames seen is a gap in the line, not a ramp. */
          if (started && p->index == prev + 1)
            cairo_line_to (cr, x, y);
          else
            {
              cairo_stroke (cr);
              cairo_arc (cr, x, y, 1.5, 0, 2 * M_PI);
              cairo_fill (cr);
              cairo_move_to (cr, x, y);
            }
          started = TRUE;
          prev = p->index;
        }
      cairo_stroke (cr);

      mean = svd_plot_get_mean (self, s);
      /* Translators: the plot legend; %u is the chain, %s its mean so far */
      g_snprintf (buf, sizeof buf, self->metric == SVD_PLOT_SSIM_Y ? "%.4f" : "%.2f dB", mean);
      {
        g_autofree char *label = g_strdup_printf (_("Chain %u mean %s"), s + 1, buf);
        cairo_text_extents_t ext;

        cairo_text_extents (cr, label, &ext);
        cairo_move_to (cr, legend_x, top + 12);
        cairo_show_text (cr, label);
        legend_x += ext.x_advance + 14;
      }
    }
  cairo_destroy (cr);
}

static void
svd_plot_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 60;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 400 : 90;
}

static void
svd_plot_finalize (GObject *object)
{
  SvdPlot *self = SVD_PLOT (object);

  for (guint s = 0; s < SVD_PLOT_MAX_SERIES; s++)
    g_array_unref (self->series[s]);

  G_OBJECT_CLASS (svd_plot_parent_class)->finalize (object);
}

static void
svd_plot_class_init (SvdPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = svd_plot_finalize;
  widget_class->snapshot = svd_plot_snapshot;
  widget_class->measure = svd_plot_measure;
  gtk_widget_class_set_css_name (widget_class, "svdplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
svd_plot_init (SvdPlot *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  for (guint s = 0; s < SVD_PLOT_MAX_SERIES; s++)
    self->series[s] = g_array_new (FALSE, FALSE, sizeof (Point));
  self->current = -1;
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Click to go to a frame; right-click for the worst frames"));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
}

GtkWidget *
svd_plot_new (void)
{
  return g_object_new (SVD_TYPE_PLOT, NULL);
}

void
svd_plot_set_n_frames (SvdPlot *self,
                       gint64   n_frames)
{
  g_return_if_fail (SVD_IS_PLOT (self));

  self->n_frames = n_frames;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
svd_plot_set_current (SvdPlot *self,
                      gint64   index)
{
  g_return_if_fail (SVD_IS_PLOT (self));

  self->current = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * svd_plot_add:
 * @self: a plot
 * @series: the chain, 0 to 3
 * @index: the frame
 * @psnr_y: its PSNR-Y in dB
 * @ssim_y: its SSIM-Y
 *
 * Adds or replaces the values of a frame.
 */
void
svd_plot_add (SvdPlot *self,
              guint    series,
              gint64   index,
              double   psnr_y,
              double   ssim_y)
{
  GArray *a;
  guint lo = 0, hi;
  Point p = { index, { psnr_y, ssim_y } };

  g_return_if_fail (SVD_IS_PLOT (self));
  g_return_if_fail (series < SVD_PLOT_MAX_SERIES);

  a = self->series[series];
  hi = a->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (a, Point, mid).index < index)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < a->len && g_array_index (a, Point, lo).index == index)
    g_array_index (a, Point, lo) = p;
  else
    g_array_insert_val (a, lo, p);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
svd_plot_clear (SvdPlot *self,
                guint    series)
{
  g_return_if_fail (SVD_IS_PLOT (self));
  g_return_if_fail (series < SVD_PLOT_MAX_SERIES);

  g_array_set_size (self->series[series], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
svd_plot_set_metric (SvdPlot       *self,
                     SvdPlotMetric  metric)
{
  g_return_if_fail (SVD_IS_PLOT (self));

  self->metric = metric;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
svd_plot_get_n_points (SvdPlot *self,
                       guint    series)
{
  g_return_val_if_fail (SVD_IS_PLOT (self) && series < SVD_PLOT_MAX_SERIES, 0);

  return self->series[series]->len;
}
