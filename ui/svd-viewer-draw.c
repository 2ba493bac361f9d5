/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-viewer"

#include "svd-config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "svd-viewer-private.h"

/* SvdViewer's drawing: the views, their surround, the divider and the
 * labels, from textures only (see the comment in svd-viewer.c). */

static void
image_bytes_free (gpointer data)
{
  svd_image_unref (data);
}

/* Wraps an RGBA8 image in a texture without copying its pixels. Every
 * image here is opaque (alpha 255: frames and the heat-map overlays), so
 * it is declared premultiplied, which is the same bytes: GTK 4.8's GL
 * renderer uploads premultiplied RGBA as is, but converts a straight-alpha
 * texture pixel by pixel on the main thread first (for a 720p frame, a
 * stall of several ms per texture during playback). */
static GdkTexture *
texture_for_part (SvdImage *image,
                  int       x,
                  int       y,
                  int       w,
                  int       h)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size = image->stride[0] * (gsize) (h - 1) + (gsize) w * 4;

  bytes = g_bytes_new_with_free_func (image->data[0] + image->stride[0] * (gsize) y + (gsize) x * 4, size,
                                      image_bytes_free, svd_image_ref (image));

  return gdk_memory_texture_new (w, h, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, image->stride[0]);
}

GdkTexture *
svd_viewer_texture_for_image (SvdImage *image)
{
  return texture_for_part (image, 0, 0, image->width, image->height);
}

/* A texture of the given part of the layer's image, kept while the views
 * keep showing that part, so a still frame is not uploaded again. */
static GdkTexture *
layer_get_part (Layer *layer,
                int    x,
                int    y,
                int    w,
                int    h)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (layer->parts); i++)
    if (layer->parts[i].texture != NULL && layer->parts[i].x == x && layer->parts[i].y == y
        && layer->parts[i].w == w && layer->parts[i].h == h)
      return layer->parts[i].texture;

  i = layer->next_part;
  layer->next_part = (i + 1) % G_N_ELEMENTS (layer->parts);
  g_clear_object (&layer->parts[i].texture);
  layer->parts[i].texture = texture_for_part (layer->image, x, y, w, h);
  layer->parts[i].x = x;
  layer->parts[i].y = y;
  layer->parts[i].w = w;
  layer->parts[i].h = h;

  return layer->parts[i].texture;
}

void
svd_viewer_append_label (SvdViewer   *self,
              GtkSnapshot *snapshot,
              const char  *text,
              double       x,
              double       y,
              gboolean     align_right)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GdkRGBA bg = { 0, 0, 0, 0.6 };
  GdkRGBA fg = { 1, 1, 1, 1 };
  int tw, th;
  GskRoundedRect pill;
  double pad_x = 10, pad_y = 4;

  pango_layout_get_pixel_size (layout, &tw, &th);
  if (align_right)
    x -= tw + 2 * pad_x;

  gsk_rounded_rect_init_from_rect (&pill, &GRAPHENE_RECT_INIT (x, y, tw + 2 * pad_x, th + 2 * pad_y),
                                   (th + 2 * pad_y) / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &pill);
  gtk_snapshot_append_color (snapshot, &bg, &pill.bounds);
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + pad_x, y + pad_y));
  gtk_snapshot_append_layout (snapshot, layout, &fg);
  gtk_snapshot_restore (snapshot);
}

/* Images are judged against a neutral dark surround, in light mode too. It
 * is drawn here around the image instead of as a CSS background under it:
 * every frame then fills each pixel once, which matters on software GL. */
static void
append_surround (GtkSnapshot           *snapshot,
                 const graphene_rect_t *area,
                 const graphene_rect_t *hole)
{
  static const GdkRGBA surround = { 0x1e / 255.0, 0x1e / 255.0, 0x1e / 255.0, 1 };
  double ax = area->origin.x, ay = area->origin.y;
  double ax1 = ax + area->size.width, ay1 = ay + area->size.height;
  double hx, hy, hx1, hy1;

  if (hole == NULL)
    {
      gtk_snapshot_append_color (snapshot, &surround, area);
      return;
    }
  hx = hole->origin.x, hy = hole->origin.y;
  hx1 = hx + hole->size.width, hy1 = hy + hole->size.height;
  if (hy > ay)
    gtk_snapshot_append_color (snapshot, &surround, &GRAPHENE_RECT_INIT (ax, ay, ax1 - ax, hy - ay));
  if (ay1 > hy1)
    gtk_snapshot_append_color (snapshot, &surround, &GRAPHENE_RECT_INIT (ax, hy1, ax1 - ax, ay1 - hy1));
  if (hx > ax)
    gtk_snapshot_append_color (snapshot, &surround, &GRAPHENE_RECT_INIT (ax, hy, hx - ax, hy1 - hy));
  if (ax1 > hx1)
    gtk_snapshot_append_color (snapshot, &surround, &GRAPHENE_RECT_INIT (hx1, hy, ax1 - hx1, hy1 - hy));
}

/* Draws what @visible shows of the layer's image, laid out in @content.
 * Only that part is uploaded and drawn: in slider mode each view shows
 * half of its image, and zoomed in a small part of it, and drawing the
 * whole texture under a clip costs the (software) renderer every pixel of
 * it all the same, plus the clip test per pixel. With one texel of margin
 * each side, linear filtering at the part's edges reads the same texels as
 * the whole texture's, so the picture is the same. */
static void
append_image_part (GtkSnapshot           *snapshot,
                   Layer                 *layer,
                   const graphene_rect_t *content,
                   const graphene_rect_t *visible)
{
  SvdImage *image = layer->image;
  SvdViewRect c = svd_view_rect_from_graphene (content);
  SvdViewRect v = svd_view_rect_from_graphene (visible);
  double sx = content->size.width / image->width;
  double sy = content->size.height / image->height;
  SvdViewRegion part;

  if (!svd_viewport_drawn_part (&c, &v, image->width, image->height, &part))
    return;
  if (part.x == 0 && part.y == 0 && part.width == image->width && part.height == image->height)
    {
      gtk_snapshot_append_texture (snapshot, layer->texture, content);
      return;
    }
  gtk_snapshot_append_texture (snapshot, layer_get_part (layer, part.x, part.y, part.width, part.height),
                               &GRAPHENE_RECT_INIT (content->origin.x + part.x * sx, content->origin.y + part.y * sy,
                                                    part.width * sx, part.height * sy));
}

static void
snapshot_view (SvdViewer   *self,
               GtkSnapshot *snapshot,
               const View  *view)
{
  Layer *layer = view->layer;
  graphene_rect_t content, image;
  double sx, sy;

  if (layer->texture == NULL)
    {
      append_surround (snapshot, &view->clip, NULL);
      return;
    }

  svd_viewer_content_rect (self, &view->area, &content);

  /* The surround only where the (opaque) image does not cover the view. */
  if (!graphene_rect_intersection (&content, &view->clip, &image))
    {
      append_surround (snapshot, &view->clip, NULL);
      return;
    }
  append_surround (snapshot, &view->clip, &image);
  sx = content.size.width / layer->image->width;
  sy = content.size.height / layer->image->height;

  gtk_snapshot_push_clip (snapshot, &view->clip);
  if (layer->tile != NULL && layer->tile_source == layer->image)
    {
      const SvdViewRegion *r = &layer->tile_region;
      graphene_rect_t tile = GRAPHENE_RECT_INIT (content.origin.x + r->x * sx, content.origin.y + r->y * sy,
                                                 r->width * sx, r->height * sy);

      /* The linear version only where the tile does not reach (the tile
       * covers the view unless it is being replaced). */
      if (!graphene_rect_contains_rect (&tile, &image))
        append_image_part (snapshot, layer, &content, &image);
      gtk_snapshot_append_texture (snapshot, layer->tile, &tile);
    }
  else
    append_image_part (snapshot, layer, &content, &image);
  gtk_snapshot_pop (snapshot);
}

static void
snapshot_divider (SvdViewer   *self,
                  GtkSnapshot *snapshot)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double x = round (w * self->divider);
  GdkRGBA line = { 1, 1, 1, 0.9 };
  GdkRGBA shade = { 0, 0, 0, 0.35 };
  GdkRGBA knob_fg = { 0.2, 0.2, 0.2, 1 };
  GskRoundedRect knob;
  double r = 14;

  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (x - 2, 0, 4, h));
  gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x - 1, 0, 2, h));

  gsk_rounded_rect_init_from_rect (&knob, &GRAPHENE_RECT_INIT (x - r, h / 2 - r, 2 * r, 2 * r), r);
  gtk_snapshot_append_outset_shadow (snapshot, &knob, &shade, 0, 1, 0, 4);
  gtk_snapshot_push_rounded_clip (snapshot, &knob);
  gtk_snapshot_append_color (snapshot, &line, &knob.bounds);
  gtk_snapshot_pop (snapshot);
  /* Two small bars say "drag me sideways". */
  gtk_snapshot_append_color (snapshot, &knob_fg, &GRAPHENE_RECT_INIT (x - 5, h / 2 - 6, 2, 12));
  gtk_snapshot_append_color (snapshot, &knob_fg, &GRAPHENE_RECT_INIT (x + 3, h / 2 - 6, 2, 12));
}

static char *
svd_viewer_view_title (SvdViewer  *self,
                       const View *view)
{
  const char *name = svd_viewer_slot_get_label (view->slot);

  if (view->overlay == SVD_VIEWER_OVERLAY_DIFFERENCE)
    /* Translators: %s is an image's name, e.g. "Chain 1" */
    return g_strdup_printf (_("Difference: %s vs Reference"), name);
  if (view->overlay == SVD_VIEWER_OVERLAY_SSIM)
    /* Translators: SSIM is the structural similarity index; %s is an image's name */
    return g_strdup_printf (_("SSIM map: %s vs Reference"), name);

  return g_strdup (name);
}

void
svd_viewer_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  SvdViewer *self = SVD_VIEWER (widget);
  View views[2];
  int n_views;
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  double s;
  g_autofree char *zoom_text = NULL;

  n_views = svd_viewer_get_views (self, views);
  for (int i = 0; i < n_views; i++)
    snapshot_view (self, snapshot, &views[i]);

  if (self->mode == SVD_VIEW_MODE_SLIDER)
    snapshot_divider (self, snapshot);
  else if (self->mode == SVD_VIEW_MODE_SIDE_BY_SIDE)
    {
      GdkRGBA sep = { 0, 0, 0, 1 };
      gtk_snapshot_append_color (snapshot, &sep, &GRAPHENE_RECT_INIT (floor (w / 2) - 1, 0, 2, h));
    }

  /* Names: left view top left, right view top right. */
  for (int i = 0; i < n_views; i++)
    {
      g_autofree char *title = NULL;
      gboolean right;

      if (views[i].layer->texture == NULL)
        continue;
      title = svd_viewer_view_title (self, &views[i]);
      if (n_views == 1)
        right = FALSE;
      else if (self->mode == SVD_VIEW_MODE_SLIDER)
        right = views[i].slot == self->right_slot && i == 0;
      else
        right = i == 1;
      if (right)
        svd_viewer_append_label (self, snapshot, title, w - 12, 12, TRUE);
      else
        svd_viewer_append_label (self, snapshot, title, 12, 12, FALSE);
    }

  if (n_views > 0 && views[0].layer->texture == NULL
      && svd_viewer_get_content_size (self, &(double) { 0 }, &(double) { 0 }))
    {
      const char *msg = views[0].overlay >= 0 ? _("Computing…") : _("No image");

      svd_viewer_append_label (self, snapshot, msg, w / 2 - 40, h / 2 - 12, FALSE);
    }

  s = svd_viewer_scale_for_area (self, &views[0].area);
  if (self->zoom > 0)
    /* Translators: the zoom level; "%.0f %%" is a percentage like "200 %" */
    zoom_text = g_strdup_printf (_("%.0f %%"), s * 100);
  else
    /* Translators: "Fit" means the image is scaled to fit the view */
    zoom_text = g_strdup_printf (_("Fit (%.0f %%)"), s * 100);
  svd_viewer_append_label (self, snapshot, zoom_text, 12, h - 40, FALSE);

  svd_viewer_tools_snapshot (self, snapshot, views, n_views);
}

