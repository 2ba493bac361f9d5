/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-viewer"

#include "svd-config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "session/svd-heatmap.h"
#include "svd-viewer-private.h"

/* What video-compare's users reach for first, on top of SvdViewer's
 * views: the slider's divider following the pointer, a loupe showing the
 * pixels under the pointer magnified with their coordinates and values,
 * and a colour bar for the Difference (with its amplification) and SSIM
 * views. */

/* The loupe shows LOUPE_PIXELS × LOUPE_PIXELS image pixels, each
 * LOUPE_ZOOM screen pixels wide. */
#define LOUPE_PIXELS 15
#define LOUPE_ZOOM 10
#define LOUPE_SIZE (LOUPE_PIXELS * LOUPE_ZOOM)

static void
svd_viewer_tools_changed (SvdViewer *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * svd_viewer_get_follow_mouse:
 * @self: a #SvdViewer
 *
 * Returns: whether the slider's divider follows the pointer
 */
gboolean
svd_viewer_get_follow_mouse (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);

  return self->follow_mouse;
}

/**
 * svd_viewer_set_follow_mouse:
 * @self: a #SvdViewer
 * @follow: whether the divider follows the pointer (key V)
 *
 * With @follow, moving the pointer over the slider view moves the divider
 * to it, as in video-compare; dragging then pans a zoomed image.
 */
void
svd_viewer_set_follow_mouse (SvdViewer *self,
                             gboolean   follow)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  follow = !!follow;
  if (self->follow_mouse == follow)
    return;
  self->follow_mouse = follow;
  if (follow && self->pointer_inside && self->mode == SVD_VIEW_MODE_SLIDER)
    svd_viewer_set_divider (self, self->pointer_x / MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1));
  svd_viewer_tools_changed (self);
}

gboolean
svd_viewer_get_loupe (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);

  return self->loupe;
}

/**
 * svd_viewer_set_loupe:
 * @self: a #SvdViewer
 * @loupe: whether to show the loupe (key P)
 *
 * The loupe follows the pointer: the pixels around it magnified, their
 * coordinates in the image and the RGB values of the one under it.
 */
void
svd_viewer_set_loupe (SvdViewer *self,
                      gboolean   loupe)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  loupe = !!loupe;
  if (self->loupe == loupe)
    return;
  self->loupe = loupe;
  svd_viewer_tools_changed (self);
}

int
svd_viewer_get_amplification (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), SVD_VIEWER_DEFAULT_GAIN);

  return self->amplification;
}

/**
 * svd_viewer_set_amplification:
 * @self: a #SvdViewer
 * @amplification: 1, 2, 4 or 8: how much the Difference view amplifies
 *   the difference (key A cycles)
 */
void
svd_viewer_set_amplification (SvdViewer *self,
                              int        amplification)
{
  g_return_if_fail (SVD_IS_VIEWER (self));
  g_return_if_fail (amplification == 1 || amplification == 2 || amplification == 4 || amplification == 8);

  if (self->amplification == amplification)
    return;
  self->amplification = amplification;
  svd_viewer_amplify_overlays (self);
  svd_viewer_tools_changed (self);
}

/* The view under a widget point, and where in its image the point falls. */
static gboolean
view_at (SvdViewer  *self,
         const View *views,
         int         n_views,
         double      x,
         double      y,
         int        *index,
         double     *ix,
         double     *iy)
{
  for (int i = n_views - 1; i >= 0; i--)
    {
      const View *v = &views[i];
      graphene_rect_t content;

      if (v->layer->image == NULL || !graphene_rect_contains_point (&v->clip, &GRAPHENE_POINT_INIT (x, y)))
        continue;
      svd_viewer_content_rect (self, &v->area, &content);
      if (content.size.width <= 0 || content.size.height <= 0)
        return FALSE;
      *ix = (x - content.origin.x) / content.size.width * v->layer->image->width;
      *iy = (y - content.origin.y) / content.size.height * v->layer->image->height;
      *index = i;
      return *ix >= 0 && *iy >= 0 && *ix < v->layer->image->width && *iy < v->layer->image->height;
    }
  return FALSE;
}

/**
 * svd_viewer_pick:
 * @self: a #SvdViewer
 * @x: a point in the widget
 * @y: a point in the widget
 * @slot: (out) (optional): the image shown there
 * @px: (out) (optional): the pixel's column in that image
 * @py: (out) (optional): the pixel's row
 * @rgb: (out) (optional) (array fixed-size=3): its 8-bit RGB values (of
 *   the overlay in the Difference and SSIM views, the Difference at the
 *   viewer's amplification)
 *
 * What the loupe reads: the image pixel shown at (@x, @y).
 *
 * Returns: %FALSE if no image is shown there
 */
gboolean
svd_viewer_pick (SvdViewer     *self,
                 double         x,
                 double         y,
                 SvdViewerSlot *slot,
                 int           *px,
                 int           *py,
                 guint8         rgb[3])
{
  View views[2];
  int n_views, i;
  double ix, iy;
  const SvdImage *image;
  const guint8 *p;

  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);

  n_views = svd_viewer_get_views (self, views);
  if (!view_at (self, views, n_views, x, y, &i, &ix, &iy))
    return FALSE;
  image = views[i].layer->image;
  if (slot != NULL)
    *slot = views[i].slot;
  if (px != NULL)
    *px = (int) floor (ix);
  if (py != NULL)
    *py = (int) floor (iy);
  if (rgb != NULL)
    {
      p = image->data[0] + image->stride[0] * (gsize) floor (iy) + (gsize) floor (ix) * 4;
      rgb[0] = p[0], rgb[1] = p[1], rgb[2] = p[2];
    }
  return TRUE;
}

/* The pixels around (cx, cy) blown up with nearest-neighbour (the texture
 * is drawn 1:1, so no filtering softens them); outside the image, the
 * viewer's dark surround. */
static GdkTexture *
loupe_texture (const SvdImage *image,
               int             cx,
               int             cy)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *buf = g_malloc ((gsize) LOUPE_SIZE * LOUPE_SIZE * 4);

  for (int y = 0; y < LOUPE_SIZE; y++)
    {
      int sy = cy - LOUPE_PIXELS / 2 + y / LOUPE_ZOOM;
      guint8 *dst = buf + (gsize) y * LOUPE_SIZE * 4;

      for (int x = 0; x < LOUPE_SIZE; x++)
        {
          int sx = cx - LOUPE_PIXELS / 2 + x / LOUPE_ZOOM;

          if (sx < 0 || sy < 0 || sx >= image->width || sy >= image->height)
            {
              dst[x * 4] = dst[x * 4 + 1] = dst[x * 4 + 2] = 0x1e;
            }
          else
            {
              const guint8 *p = image->data[0] + image->stride[0] * (gsize) sy + (gsize) sx * 4;

              for (int c = 0; c < 3; c++)
                dst[x * 4 + c] = p[c];
            }
          dst[x * 4 + 3] = 255;
        }
    }
  bytes = g_bytes_new_take (buf, (gsize) LOUPE_SIZE * LOUPE_SIZE * 4);
  return gdk_memory_texture_new (LOUPE_SIZE, LOUPE_SIZE, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes,
                                 LOUPE_SIZE * 4);
}

static void
snapshot_loupe (SvdViewer   *self,
                GtkSnapshot *snapshot,
                const View  *views,
                int          n_views)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  GdkRGBA frame = { 1, 1, 1, 0.9 };
  GdkRGBA mark = { 1, 0.3, 0.1, 1 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *text = NULL;
  const SvdImage *image;
  const guint8 *p;
  double ix, iy, lx, ly;
  int i, px, py, mx;

  if (!view_at (self, views, n_views, self->pointer_x, self->pointer_y, &i, &ix, &iy))
    return;
  image = views[i].layer->image;
  px = (int) floor (ix), py = (int) floor (iy);
  texture = loupe_texture (image, px, py);

  /* Beside the pointer, on the side where it fits. */
  lx = self->pointer_x + 24, ly = self->pointer_y + 24;
  if (lx + LOUPE_SIZE > w - 4)
    lx = self->pointer_x - 24 - LOUPE_SIZE;
  if (ly + LOUPE_SIZE + 36 > h - 4)
    ly = self->pointer_y - 24 - LOUPE_SIZE - 36;
  lx = round (MAX (lx, 4)), ly = round (MAX (ly, 4));

  gtk_snapshot_append_color (snapshot, &frame, &GRAPHENE_RECT_INIT (lx - 2, ly - 2, LOUPE_SIZE + 4, LOUPE_SIZE + 4));
  gtk_snapshot_append_texture (snapshot, texture, &GRAPHENE_RECT_INIT (lx, ly, LOUPE_SIZE, LOUPE_SIZE));
  /* The pixel under the pointer, outlined. */
  mx = LOUPE_PIXELS / 2 * LOUPE_ZOOM;
  gtk_snapshot_append_color (snapshot, &mark, &GRAPHENE_RECT_INIT (lx + mx, ly + mx, LOUPE_ZOOM, 1));
  gtk_snapshot_append_color (snapshot, &mark, &GRAPHENE_RECT_INIT (lx + mx, ly + mx + LOUPE_ZOOM - 1, LOUPE_ZOOM, 1));
  gtk_snapshot_append_color (snapshot, &mark, &GRAPHENE_RECT_INIT (lx + mx, ly + mx, 1, LOUPE_ZOOM));
  gtk_snapshot_append_color (snapshot, &mark, &GRAPHENE_RECT_INIT (lx + mx + LOUPE_ZOOM - 1, ly + mx, 1, LOUPE_ZOOM));

  p = image->data[0] + image->stride[0] * (gsize) py + (gsize) px * 4;
  /* Translators: the loupe's readout: the pixel's column and row in the
   * image, then its red, green and blue values (0–255) */
  text = g_strdup_printf (_("x %d  y %d   R %u  G %u  B %u"), px, py, p[0], p[1], p[2]);
  svd_viewer_append_label (self, snapshot, text, lx, ly + LOUPE_SIZE + 6, FALSE);
}

/* A colour bar at the bottom right: what the overlay's colours mean. */
static void
snapshot_legend (SvdViewer   *self,
                 GtkSnapshot *snapshot,
                 int          overlay)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  const int bar_w = 160, bar_h = 12, steps = 32;
  double x0, y0;
  g_autofree char *title = NULL;
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;
  GdkRGBA border = { 1, 1, 1, 0.9 };

  if (w < bar_w + 200 || h < 120)
    return;
  x0 = w - 12 - bar_w, y0 = h - 28 - bar_h;

  if (overlay == SVD_VIEWER_OVERLAY_DIFFERENCE)
    {
      /* Translators: the Difference view's colour bar title; %d is the
       * amplification (1, 2, 4 or 8), A the key that changes it */
      title = g_strdup_printf (_("|difference| ×%d (A)"), self->amplification);
      lo = g_strdup ("0");
      /* Translators: white means a difference of at least this many
       * 8-bit levels */
      hi = g_strdup_printf (_("≥ %d"), (int) ceil (255.0 / self->amplification));
    }
  else
    {
      /* Translators: the SSIM map's colour bar title */
      title = g_strdup (_("local SSIM"));
      lo = g_strdup ("1.0");
      hi = g_strdup_printf (_("≤ %s"), "0.5");
    }

  gtk_snapshot_append_color (snapshot, &border, &GRAPHENE_RECT_INIT (x0 - 1, y0 - 1, bar_w + 2, bar_h + 2));
  for (int i = 0; i < steps; i++)
    {
      double t = (i + 0.5) / steps;
      GdkRGBA c = { t, t, t, 1 };

      if (overlay == SVD_VIEWER_OVERLAY_SSIM)
        {
          guint8 rgb[3];

          /* As svd_heatmap_ssim () draws it, over a black reference. */
          svd_heatmap_ramp (t, rgb);
          c = (GdkRGBA) { rgb[0] * 0.8 / 255, rgb[1] * 0.8 / 255, rgb[2] * 0.8 / 255, 1 };
        }
      gtk_snapshot_append_color (snapshot, &c,
                                 &GRAPHENE_RECT_INIT (x0 + floor (i * bar_w / (double) steps), y0,
                                                      ceil (bar_w / (double) steps) + 1, bar_h));
    }
  svd_viewer_append_label (self, snapshot, title, x0 - 8, y0 - 32, FALSE);
  svd_viewer_append_label (self, snapshot, lo, x0 - 8, y0 + bar_h + 2, FALSE);
  svd_viewer_append_label (self, snapshot, hi, x0 + bar_w + 8, y0 + bar_h + 2, TRUE);
}

void
svd_viewer_tools_snapshot (SvdViewer   *self,
                           GtkSnapshot *snapshot,
                           const View  *views,
                           int          n_views)
{
  if (n_views == 1 && views[0].overlay >= 0 && views[0].layer->texture != NULL)
    snapshot_legend (self, snapshot, views[0].overlay);
  if (self->loupe && self->pointer_inside)
    snapshot_loupe (self, snapshot, views, n_views);
}

void
svd_viewer_tools_motion (SvdViewer *self,
                         double     x,
                         double     y)
{
  self->pointer_inside = TRUE;
  if (self->follow_mouse && self->mode == SVD_VIEW_MODE_SLIDER && !self->dragging_divider)
    svd_viewer_set_divider (self, x / MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1));
  if (self->loupe)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          SvdViewer                *self)
{
  self->pointer_inside = FALSE;
  if (self->loupe)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
enter_cb (GtkEventControllerMotion *controller,
          double                    x,
          double                    y,
          SvdViewer                *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  svd_viewer_tools_motion (self, x, y);
}

static void
follow_mouse_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SvdViewer *self = SVD_VIEWER (widget);

  svd_viewer_set_follow_mouse (self, !self->follow_mouse);
}

static void
loupe_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SvdViewer *self = SVD_VIEWER (widget);

  svd_viewer_set_loupe (self, !self->loupe);
}

/* i: 1, 2, 4 or 8; 0 goes to the next of them (8 wraps to 1). */
static void
amplify_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SvdViewer *self = SVD_VIEWER (widget);
  int a = g_variant_get_int32 (parameter);

  if (a == 0)
    a = self->amplification >= 8 ? 1 : self->amplification * 2;
  if (a == 1 || a == 2 || a == 4 || a == 8)
    svd_viewer_set_amplification (self, a);
}

void
svd_viewer_tools_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "viewer.follow-mouse", NULL, follow_mouse_action);
  gtk_widget_class_install_action (widget_class, "viewer.loupe", NULL, loupe_action);
  gtk_widget_class_install_action (widget_class, "viewer.amplify", "i", amplify_action);
}

void
svd_viewer_tools_init (SvdViewer *self)
{
  GtkEventController *controller = gtk_event_controller_motion_new ();

  g_signal_connect (controller, "enter", G_CALLBACK (enter_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
