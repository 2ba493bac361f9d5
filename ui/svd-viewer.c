/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-viewer"

#include "svd-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "session/svd-heatmap.h"
#include "svd-viewer-private.h"
#include "svd-ui-enums.h"

/*
 * SvdViewer draws the compared frames with textures only: an RGBA8
 * #SvdImage becomes a GdkMemoryTexture that borrows the image's pixels
 * (the GBytes holds a reference to the image), so setting a frame costs no
 * copy and no per-pixel work on the main thread. A view that shows only
 * part of an image (each half of the slider, a zoomed view) draws a texture
 * of just that part, over the same pixels (append_image_part ()).
 *
 * Nearest-neighbour magnification. GTK 4.8 has no way to choose the scaling
 * filter of a texture node: gtk_snapshot_append_scaled_texture() and
 * GskTextureScaleNode (with GskScalingFilter) arrived in GTK 4.10, and
 * GskGLShaderNode renders its children to offscreens at the node's own size,
 * i.e. already filtered. So above 100 % the viewer asks a worker thread for
 * a "tile": the visible part of the image (plus a margin) blown up by the
 * integer factor k = ceil (scale) with nearest-neighbour, and draws it in
 * place of the linearly scaled texture. The renderer then only shrinks
 * the tile by scale / k (between 0.5 and 1), so pixel edges stay sharp to
 * within one screen pixel (exact at integer zooms). Until the tile arrives
 * the linear version shows, so zooming never waits. The tile's size is
 * bounded by a few viewports whatever the zoom.
 */

#define ZOOM_STEP 1.25
#define DIVIDER_GRAB_DISTANCE 16.0

G_DEFINE_FINAL_TYPE (SvdViewer, svd_viewer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VIEW_MODE,
  PROP_ZOOM,
  PROP_DIVIDER,
  PROP_LEFT_SLOT,
  PROP_RIGHT_SLOT,
  PROP_SHOWN_SLOT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void svd_viewer_queue_tiles (SvdViewer *self);

/**
 * svd_viewer_slot_get_label:
 * @slot: a slot
 *
 * Returns: (transfer none): the translated name of @slot
 */
const char *
svd_viewer_slot_get_label (SvdViewerSlot slot)
{
  switch (slot)
    {
    case SVD_VIEWER_SLOT_REFERENCE:
      return _("Reference");
    case SVD_VIEWER_SLOT_SOURCE:
      return _("Source");
    case SVD_VIEWER_SLOT_CHAIN_1:
      return _("Chain 1");
    case SVD_VIEWER_SLOT_CHAIN_2:
      return _("Chain 2");
    case SVD_VIEWER_SLOT_CHAIN_3:
      return _("Chain 3");
    case SVD_VIEWER_SLOT_CHAIN_4:
      return _("Chain 4");
    default:
      g_return_val_if_reached ("");
    }
}

static void
layer_clear_tile (Layer *layer)
{
  g_clear_object (&layer->tile);
  g_clear_pointer (&layer->tile_source, svd_image_unref);
  layer->tile_region.factor = 0;
}

static void
layer_clear (Layer *layer)
{
  layer_clear_tile (layer);
  for (guint i = 0; i < G_N_ELEMENTS (layer->parts); i++)
    g_clear_object (&layer->parts[i].texture);
  g_clear_object (&layer->texture);
  g_clear_pointer (&layer->image, svd_image_unref);
  g_clear_pointer (&layer->map, svd_image_unref);
  layer->serial = 0;
}

static gboolean
layer_set (Layer     *layer,
           guint64    serial,
           SvdImage  *image)
{
  if (image == layer->image)
    {
      layer->serial = serial;
      return TRUE;
    }

  layer_clear (layer);
  if (image == NULL)
    return TRUE;

  layer->image = svd_image_ref (image);
  layer->texture = svd_viewer_texture_for_image (image);
  layer->serial = serial;

  return TRUE;
}

/* The size everything is laid out in: the largest image present, so a
 * smaller source is shown stretched to the reference's size, as a player
 * would show it. */
gboolean
svd_viewer_get_content_size (SvdViewer *self,
                             double    *width,
                             double    *height)
{
  int best = -1;

  for (int i = 0; i < SVD_VIEWER_N_SLOTS; i++)
    if (self->layers[i].image != NULL
        && (best < 0 || self->layers[i].image->width > self->layers[best].image->width))
      best = i;

  if (best < 0)
    return FALSE;

  *width = self->layers[best].image->width;
  *height = self->layers[best].image->height;

  return TRUE;
}

double
svd_viewer_scale_for_area (SvdViewer             *self,
                           const graphene_rect_t *area)
{
  SvdViewRect a = svd_view_rect_from_graphene (area);
  double cw, ch;

  if (self->zoom > 0)
    return self->zoom;
  if (!svd_viewer_get_content_size (self, &cw, &ch))
    return 1.0;

  return svd_viewport_fit_scale (&a, cw, ch);
}

/* Where the content lands in @area, in widget coordinates. */
void
svd_viewer_content_rect (SvdViewer             *self,
                         const graphene_rect_t *area,
                         graphene_rect_t       *out)
{
  double cw = 1, ch = 1;
  double s = svd_viewer_scale_for_area (self, area);
  SvdViewRect a = svd_view_rect_from_graphene (area);
  SvdViewRect r;

  svd_viewer_get_content_size (self, &cw, &ch);
  svd_viewport_place (&a, cw, ch, s,
                      self->zoom > 0 ? self->center_x : cw / 2,
                      self->zoom > 0 ? self->center_y : ch / 2, &r);
  graphene_rect_init (out, r.x, r.y, r.width, r.height);
}

static SvdViewerSlot
svd_viewer_compared_slot (SvdViewer *self)
{
  /* Overlays compare against the reference; show the right-hand image's,
   * unless the right-hand image is the reference itself. */
  if (self->right_slot != SVD_VIEWER_SLOT_REFERENCE)
    return self->right_slot;

  return self->left_slot;
}

int
svd_viewer_get_views (SvdViewer *self,
                      View       views[2])
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  SvdViewerSlot slot;
  int overlay;

  switch (self->mode)
    {
    case SVD_VIEW_MODE_SLIDER:
      /* Right image underneath, left image on top, clipped at the divider. */
      /* Each image is clipped to its side of the divider, so no pixel is
       * drawn twice (software renderers pay for every one). */
      views[0] = (View) { &self->layers[self->right_slot], GRAPHENE_RECT_INIT (0, 0, w, h),
                          GRAPHENE_RECT_INIT (round (w * self->divider), 0, w - round (w * self->divider), h),
                          self->right_slot, -1 };
      views[1] = (View) { &self->layers[self->left_slot], GRAPHENE_RECT_INIT (0, 0, w, h),
                          GRAPHENE_RECT_INIT (0, 0, round (w * self->divider), h), self->left_slot, -1 };
      return 2;

    case SVD_VIEW_MODE_SIDE_BY_SIDE:
      views[0] = (View) { &self->layers[self->left_slot], GRAPHENE_RECT_INIT (0, 0, floor (w / 2), h),
                          GRAPHENE_RECT_INIT (0, 0, floor (w / 2), h), self->left_slot, -1 };
      views[1] = (View) { &self->layers[self->right_slot], GRAPHENE_RECT_INIT (floor (w / 2), 0, w - floor (w / 2), h),
                          GRAPHENE_RECT_INIT (floor (w / 2), 0, w - floor (w / 2), h), self->right_slot, -1 };
      return 2;

    case SVD_VIEW_MODE_TOGGLE:
      views[0] = (View) { &self->layers[self->shown_slot], GRAPHENE_RECT_INIT (0, 0, w, h),
                          GRAPHENE_RECT_INIT (0, 0, w, h), self->shown_slot, -1 };
      return 1;

    case SVD_VIEW_MODE_DIFFERENCE:
    case SVD_VIEW_MODE_SSIM:
    default:
      overlay = self->mode == SVD_VIEW_MODE_SSIM ? SVD_VIEWER_OVERLAY_SSIM : SVD_VIEWER_OVERLAY_DIFFERENCE;
      slot = svd_viewer_compared_slot (self);
      views[0] = (View) { &self->overlays[overlay][slot], GRAPHENE_RECT_INIT (0, 0, w, h),
                          GRAPHENE_RECT_INIT (0, 0, w, h), slot, overlay };
      return 1;
    }
}

/* ---- Nearest-neighbour tiles (see the comment at the top) ---- */

typedef struct {
  SvdImage      *image;
  SvdViewRegion  region;
  int            slot;
  int            overlay;
} TileJob;

static void
tile_job_free (TileJob *job)
{
  g_clear_pointer (&job->image, svd_image_unref);
  g_free (job);
}

static void
tile_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TileJob *job = task_data;
  GError *error = NULL;
  SvdImage *tile = svd_image_magnify_nearest (job->image, &job->region, cancellable, &error);

  if (tile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tile, (GDestroyNotify) svd_image_unref);
}

static Layer *
svd_viewer_layer_for (SvdViewer *self,
                      int        slot,
                      int        overlay)
{
  return overlay < 0 ? &self->layers[slot] : &self->overlays[overlay][slot];
}

static void
tile_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SvdViewer *self = SVD_VIEWER (object);
  TileJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  SvdImage *tile = g_task_propagate_pointer (G_TASK (result), &error);
  Layer *layer = svd_viewer_layer_for (self, job->slot, job->overlay);

  layer->tile_pending = FALSE;
  if (tile == NULL)
    {
      /* Not fatal: the linearly scaled texture is still drawn. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not magnify the view: %s", error->message);
      return;
    }

  /* A tile for an image that has since been replaced is stale. */
  if (layer->image == job->image)
    {
      layer_clear_tile (layer);
      layer->tile_source = svd_image_ref (job->image);
      layer->tile = svd_viewer_texture_for_image (tile);
      layer->tile_region = job->region;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  svd_viewer_queue_tiles (self);
  svd_image_unref (tile);
}

/* Which part of the view's image is visible, in image pixels, and at what
 * image-pixel scale. FALSE when nothing needs magnifying. */
static gboolean
svd_viewer_view_visible_region (SvdViewer     *self,
                                const View    *view,
                                double         margin,
                                SvdViewRegion *region)
{
  graphene_rect_t content;
  SvdViewRect c, clip = svd_view_rect_from_graphene (&view->clip);
  SvdImage *image = view->layer->image;

  if (image == NULL)
    return FALSE;

  svd_viewer_content_rect (self, &view->area, &content);
  c = svd_view_rect_from_graphene (&content);

  return svd_viewport_visible_region (&c, &clip, image->width, image->height, margin, region);
}

static gboolean
svd_viewer_update_tiles_cb (gpointer user_data)
{
  SvdViewer *self = user_data;
  View views[2];
  int n_views;

  self->tiles_idle_id = 0;
  n_views = svd_viewer_get_views (self, views);

  for (int i = 0; i < n_views; i++)
    {
      Layer *layer = views[i].layer;
      SvdViewRegion visible;
      g_autoptr(GTask) task = NULL;
      TileJob *job;

      if (layer->tile_pending)
        continue;
      if (!svd_viewer_view_visible_region (self, &views[i], 0, &visible))
        {
          layer_clear_tile (layer);
          continue;
        }

      /* Keep a tile that still covers what is visible at the right factor. */
      if (layer->tile != NULL && layer->tile_source == layer->image
          && svd_view_region_covers (&layer->tile_region, &visible))
        continue;

      /* A margin of an eighth of the view lets small pans reuse the tile
       * while bounding it: the tile has (k / scale)² ≤ 4 times the pixels
       * of the region it covers on screen, so at most ~6 times the view's. */
      job = g_new0 (TileJob, 1);
      svd_viewer_view_visible_region (self, &views[i],
                                      MAX (views[i].clip.size.width, views[i].clip.size.height) / 8,
                                      &job->region);
      job->image = svd_image_ref (layer->image);
      job->slot = views[i].slot;
      job->overlay = views[i].overlay;
      layer->tile_pending = TRUE;

      task = g_task_new (self, self->cancellable, tile_done_cb, NULL);
      g_task_set_source_tag (task, svd_viewer_update_tiles_cb);
      g_task_set_task_data (task, job, (GDestroyNotify) tile_job_free);
      g_task_run_in_thread (task, tile_thread);
    }

  return G_SOURCE_REMOVE;
}

static void
svd_viewer_queue_tiles (SvdViewer *self)
{
  if (self->tiles_idle_id == 0 && gtk_widget_get_realized (GTK_WIDGET (self)))
    self->tiles_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, svd_viewer_update_tiles_cb, self, NULL);
}

/* Whether every visible view shown above 100 % has its nearest-neighbour
 * tile for the current image and factor; @any says whether there is one. */
static gboolean
svd_viewer_tiles_ready (SvdViewer *self,
                        gboolean  *any)
{
  View views[2];
  int n_views = svd_viewer_get_views (self, views);

  *any = FALSE;
  for (int i = 0; i < n_views; i++)
    {
      Layer *layer = views[i].layer;
      SvdViewRegion visible;

      if (!svd_viewer_view_visible_region (self, &views[i], 0, &visible))
        continue;
      *any = TRUE;
      if (layer->tile == NULL || layer->tile_source != layer->image
          || layer->tile_region.factor != visible.factor)
        return FALSE;
    }

  return TRUE;
}

/**
 * svd_viewer_get_magnified:
 * @self: a #SvdViewer
 *
 * Returns: %TRUE when every visible view that is shown above 100 % has its
 *   nearest-neighbour tile ready (and %FALSE when none is above 100 %)
 */
gboolean
svd_viewer_get_magnified (SvdViewer *self)
{
  gboolean any;

  return svd_viewer_tiles_ready (self, &any) && any;
}

/**
 * svd_viewer_get_settled:
 * @self: a #SvdViewer
 *
 * Until a view's nearest-neighbour tile arrives from its thread, the view
 * shows the linearly filtered image; the picture changes when it lands.
 *
 * Returns: %TRUE when no tile is queued or being made and every view
 *   shows what it will keep showing (its tile, where it is magnified)
 */
gboolean
svd_viewer_get_settled (SvdViewer *self)
{
  gboolean any;

  if (self->tiles_idle_id != 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (self->layers); i++)
    if (self->layers[i].tile_pending)
      return FALSE;
  for (guint o = 0; o < G_N_ELEMENTS (self->overlays); o++)
    for (guint i = 0; i < G_N_ELEMENTS (self->overlays[o]); i++)
      if (self->overlays[o][i].tile_pending)
        return FALSE;

  return svd_viewer_tiles_ready (self, &any);
}

/* ---- Zoom and pan ---- */

static void
svd_viewer_set_zoom_at (SvdViewer *self,
                        double     zoom,
                        double     px,
                        double     py)
{
  View views[2];
  graphene_rect_t content;
  const graphene_rect_t *area;
  SvdViewRect a, c;

  zoom = CLAMP (zoom, SVD_VIEWPORT_MIN_ZOOM, SVD_VIEWPORT_MAX_ZOOM);
  svd_viewer_get_views (self, views);
  area = &views[0].area;
  if (self->mode == SVD_VIEW_MODE_SIDE_BY_SIDE && px >= views[1].area.origin.x)
    area = &views[1].area;

  /* Keep the content point under (px, py) where it is. */
  svd_viewer_content_rect (self, area, &content);
  a = svd_view_rect_from_graphene (area);
  c = svd_view_rect_from_graphene (&content);
  svd_viewport_zoom_about (&a, &c, svd_viewer_scale_for_area (self, area), zoom, px, py,
                           &self->center_x, &self->center_y);

  if (self->zoom != zoom)
    {
      self->zoom = zoom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

/**
 * svd_viewer_get_zoom:
 * @self: a #SvdViewer
 *
 * Returns: the zoom factor, or 0 when the images are fitted to the view
 */
double
svd_viewer_get_zoom (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), 0);

  return self->zoom;
}

/**
 * svd_viewer_set_zoom:
 * @self: a #SvdViewer
 * @zoom: screen pixels per image pixel, or 0 to fit
 *
 * Zooms about the centre of the view. All views share the zoom and pan.
 */
void
svd_viewer_set_zoom (SvdViewer *self,
                     double     zoom)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  if (zoom <= 0)
    {
      if (self->zoom == 0)
        return;
      self->zoom = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      svd_viewer_queue_tiles (self);
      return;
    }

  {
    View views[2];
    svd_viewer_get_views (self, views);
    svd_viewer_set_zoom_at (self, zoom,
                            views[0].area.origin.x + views[0].area.size.width / 2,
                            views[0].area.origin.y + views[0].area.size.height / 2);
  }
}

/**
 * svd_viewer_get_scale:
 * @self: a #SvdViewer
 *
 * Returns: the scale in effect (the fitted one when zoom is 0)
 */
double
svd_viewer_get_scale (SvdViewer *self)
{
  View views[2];

  g_return_val_if_fail (SVD_IS_VIEWER (self), 1.0);

  svd_viewer_get_views (self, views);

  return svd_viewer_scale_for_area (self, &views[0].area);
}

void
svd_viewer_zoom_in (SvdViewer *self)
{
  svd_viewer_set_zoom (self, svd_viewer_get_scale (self) * ZOOM_STEP);
}

void
svd_viewer_zoom_out (SvdViewer *self)
{
  svd_viewer_set_zoom (self, svd_viewer_get_scale (self) / ZOOM_STEP);
}

/**
 * svd_viewer_set_center:
 * @self: a #SvdViewer
 * @x: content x coordinate to show in the middle of each view
 * @y: content y coordinate
 *
 * Centres every view on the same content point (the views stay in sync).
 * Switches from "fit" to the fitted scale, since "fit" is always centred.
 */
void
svd_viewer_set_center (SvdViewer *self,
                       double     x,
                       double     y)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  if (self->zoom == 0)
    svd_viewer_set_zoom (self, svd_viewer_get_scale (self));
  self->center_x = x;
  self->center_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

/**
 * svd_viewer_content_to_widget:
 * @self: a #SvdViewer
 * @x: content x coordinate
 * @y: content y coordinate
 * @out: (out): where that point is drawn, in widget coordinates (in the
 *   first view, i.e. the left one side by side)
 */
void
svd_viewer_content_to_widget (SvdViewer        *self,
                              double            x,
                              double            y,
                              graphene_point_t *out)
{
  View views[2];
  graphene_rect_t content;
  double cw = 1, ch = 1;

  g_return_if_fail (SVD_IS_VIEWER (self));

  svd_viewer_get_views (self, views);
  svd_viewer_content_rect (self, &views[0].area, &content);
  svd_viewer_get_content_size (self, &cw, &ch);
  out->x = content.origin.x + x * content.size.width / cw;
  out->y = content.origin.y + y * content.size.height / ch;
}

/**
 * svd_viewer_pan:
 * @self: a #SvdViewer
 * @dx: screen pixels to move the image right
 * @dy: screen pixels to move the image down
 */
void
svd_viewer_pan (SvdViewer *self,
                double     dx,
                double     dy)
{
  double s;

  g_return_if_fail (SVD_IS_VIEWER (self));

  if (self->zoom == 0)
    svd_viewer_set_zoom (self, svd_viewer_get_scale (self));
  s = self->zoom;
  self->center_x -= dx / s;
  self->center_y -= dy / s;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           SvdViewer                *self)
{
  if (dy == 0)
    return FALSE;

  svd_viewer_set_zoom_at (self, svd_viewer_get_scale (self) * pow (ZOOM_STEP, -dy),
                          self->pointer_x, self->pointer_y);

  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SvdViewer                *self)
{
  gboolean near;

  self->pointer_x = x;
  self->pointer_y = y;

  near = self->mode == SVD_VIEW_MODE_SLIDER
         && fabs (x - gtk_widget_get_width (GTK_WIDGET (self)) * self->divider) < DIVIDER_GRAB_DISTANCE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), near ? "col-resize" : "grab");
  svd_viewer_tools_motion (self, x, y);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               SvdViewer      *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->dragging_divider = self->mode == SVD_VIEW_MODE_SLIDER
                           && fabs (x - w * self->divider) < DIVIDER_GRAB_DISTANCE;
  self->drag_start_divider = self->divider;
  if (!self->dragging_divider && self->zoom == 0)
    svd_viewer_set_zoom (self, svd_viewer_get_scale (self));
  self->drag_start_center_x = self->center_x;
  self->drag_start_center_y = self->center_y;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                SvdViewer      *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));

  if (self->dragging_divider)
    {
      svd_viewer_set_divider (self, self->drag_start_divider + dx / MAX (w, 1));
      return;
    }

  self->center_x = self->drag_start_center_x - dx / self->zoom;
  self->center_y = self->drag_start_center_y - dy / self->zoom;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

/* ---- Frames ---- */

/**
 * svd_viewer_begin_frame:
 * @self: a #SvdViewer
 * @serial: the serial of the frame now wanted, larger than any before
 *
 * Starts a new frame (after a seek or a step). Images already shown stay
 * until the new frame's arrive, so nothing flickers; images that arrive
 * later with an older serial are dropped as stale.
 */
void
svd_viewer_begin_frame (SvdViewer *self,
                        guint64    serial)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  self->serial = MAX (self->serial, serial);
}

guint64
svd_viewer_get_serial (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), 0);

  return self->serial;
}

/**
 * svd_viewer_set_image:
 * @self: a #SvdViewer
 * @slot: which image this is
 * @serial: the frame serial the image belongs to
 * @image: (nullable): an RGBA8 #SvdImage, or %NULL to clear @slot
 *
 * Shows @image in @slot. The viewer keeps a reference and draws the pixels
 * in place, so @image must not be written to afterwards.
 *
 * Returns: %FALSE if @serial is stale and the image was dropped
 */
gboolean
svd_viewer_set_image (SvdViewer     *self,
                      SvdViewerSlot  slot,
                      guint64        serial,
                      SvdImage      *image)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (slot < SVD_VIEWER_N_SLOTS, FALSE);
  g_return_val_if_fail (image == NULL || image->format == SVD_PIXEL_FORMAT_RGBA8, FALSE);

  if (serial < self->serial)
    return FALSE;
  self->serial = serial;

  layer_set (&self->layers[slot], serial, image);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);

  return TRUE;
}

/* The Difference overlay of @map at the viewer's amplification (the
 * session hands the difference at gain 1, in float, so no amplification
 * clips what another would show). */
static void
layer_set_difference (SvdViewer *self,
                      Layer     *layer,
                      guint64    serial,
                      SvdImage  *map)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) image = NULL;

  if (map == layer->map && map != NULL)
    {
      layer->serial = serial;
      return;
    }
  if (map == NULL)
    {
      layer_clear (layer);
      return;
    }
  map = svd_image_ref (map);
  image = svd_heatmap_difference (map, self->amplification, &error);
  if (image == NULL)
    g_warning ("No difference overlay: %s", error->message);
  layer_set (layer, serial, image);
  layer->map = map;
}

/* After a change of amplification: every Difference overlay again, from
 * its map. */
void
svd_viewer_amplify_overlays (SvdViewer *self)
{
  for (int i = 0; i < SVD_VIEWER_N_SLOTS; i++)
    {
      Layer *layer = &self->overlays[SVD_VIEWER_OVERLAY_DIFFERENCE][i];
      g_autoptr(SvdImage) map = layer->map != NULL ? svd_image_ref (layer->map) : NULL;

      if (map != NULL)
        {
          guint64 serial = layer->serial;

          layer_clear (layer);
          layer_set_difference (self, layer, serial, map);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

/**
 * svd_viewer_set_overlay:
 * @self: a #SvdViewer
 * @overlay: the kind of overlay
 * @slot: the image compared with the reference
 * @serial: the frame serial it belongs to
 * @image: (nullable): for %SVD_VIEWER_OVERLAY_DIFFERENCE, |reference −
 *   image| per sample on the [0, 1] scale (RGB_F32, as the session makes
 *   it), which the viewer amplifies; for the others an RGBA8
 *   visualisation, computed off the main thread
 *
 * Returns: %FALSE if @serial is stale and the image was dropped
 */
gboolean
svd_viewer_set_overlay (SvdViewer        *self,
                        SvdViewerOverlay  overlay,
                        SvdViewerSlot     slot,
                        guint64           serial,
                        SvdImage         *image)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (overlay < SVD_VIEWER_N_OVERLAYS, FALSE);
  g_return_val_if_fail (slot < SVD_VIEWER_N_SLOTS, FALSE);
  g_return_val_if_fail (image == NULL || image->format == (overlay == SVD_VIEWER_OVERLAY_DIFFERENCE
                                                           ? SVD_PIXEL_FORMAT_RGB_F32 : SVD_PIXEL_FORMAT_RGBA8),
                        FALSE);

  if (serial < self->serial)
    return FALSE;
  self->serial = serial;

  if (overlay == SVD_VIEWER_OVERLAY_DIFFERENCE)
    layer_set_difference (self, &self->overlays[overlay][slot], serial, image);
  else
    layer_set (&self->overlays[overlay][slot], serial, image);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);

  return TRUE;
}

gboolean
svd_viewer_has_image (SvdViewer     *self,
                      SvdViewerSlot  slot)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (slot < SVD_VIEWER_N_SLOTS, FALSE);

  return self->layers[slot].image != NULL;
}

/**
 * svd_viewer_get_image:
 * @self: a #SvdViewer
 * @slot: a slot
 *
 * Returns: (transfer none) (nullable): the image shown in @slot
 */
SvdImage *
svd_viewer_get_image (SvdViewer     *self,
                      SvdViewerSlot  slot)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), NULL);
  g_return_val_if_fail (slot < SVD_VIEWER_N_SLOTS, NULL);

  return self->layers[slot].image;
}

/**
 * svd_viewer_clear:
 * @self: a #SvdViewer
 *
 * Drops every image and overlay, e.g. when a session closes.
 */
void
svd_viewer_clear (SvdViewer *self)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  for (int i = 0; i < SVD_VIEWER_N_SLOTS; i++)
    {
      layer_clear (&self->layers[i]);
      for (int o = 0; o < SVD_VIEWER_N_OVERLAYS; o++)
        layer_clear (&self->overlays[o][i]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- Modes and slots ---- */

SvdViewMode
svd_viewer_get_view_mode (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), SVD_VIEW_MODE_SLIDER);

  return self->mode;
}

void
svd_viewer_set_view_mode (SvdViewer   *self,
                          SvdViewMode  mode)
{
  g_return_if_fail (SVD_IS_VIEWER (self));
  g_return_if_fail (mode <= SVD_VIEW_MODE_SSIM);

  if (self->mode == mode)
    return;

  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_MODE]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

SvdViewerSlot
svd_viewer_get_left_slot (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), 0);

  return self->left_slot;
}

SvdViewerSlot
svd_viewer_get_right_slot (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), 0);

  return self->right_slot;
}

SvdViewerSlot
svd_viewer_get_shown_slot (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), 0);

  return self->shown_slot;
}

static void
set_slot (SvdViewer     *self,
          SvdViewerSlot *field,
          SvdViewerSlot  slot,
          int            prop)
{
  if (*field == slot)
    return;
  *field = slot;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/**
 * svd_viewer_select_slot:
 * @self: a #SvdViewer
 * @slot: the image picked (keys 1–4, R, S)
 *
 * Shows @slot in toggle mode. In the two-image modes the reference and
 * the source go to the left side and the chains to the right side, so
 * "S then 1" compares the input with chain 1.
 *
 * Returns: %FALSE if @slot has no image (nothing changes)
 */
gboolean
svd_viewer_select_slot (SvdViewer     *self,
                        SvdViewerSlot  slot)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (slot < SVD_VIEWER_N_SLOTS, FALSE);

  if (self->layers[slot].image == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return FALSE;
    }

  set_slot (self, &self->shown_slot, slot, PROP_SHOWN_SLOT);
  if (slot >= SVD_VIEWER_SLOT_CHAIN_1)
    set_slot (self, &self->right_slot, slot, PROP_RIGHT_SLOT);
  else
    set_slot (self, &self->left_slot, slot, PROP_LEFT_SLOT);

  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);

  return TRUE;
}

/**
 * svd_viewer_clear_slot:
 * @self: a #SvdViewer
 * @slot: a chain's slot
 *
 * Drops @slot's image and overlays, e.g. when its chain is removed; a
 * side that showed it shows another chain, or the source when none is
 * left, so no removed picture or label stays on screen.
 */
void
svd_viewer_clear_slot (SvdViewer     *self,
                       SvdViewerSlot  slot)
{
  SvdViewerSlot other = SVD_VIEWER_SLOT_SOURCE;

  g_return_if_fail (SVD_IS_VIEWER (self));
  g_return_if_fail (slot < SVD_VIEWER_N_SLOTS);

  layer_clear (&self->layers[slot]);
  for (int o = 0; o < SVD_VIEWER_N_OVERLAYS; o++)
    layer_clear (&self->overlays[o][slot]);
  for (int i = SVD_VIEWER_SLOT_CHAIN_1; i < SVD_VIEWER_N_SLOTS; i++)
    if (self->layers[i].image != NULL)
      {
        other = i;
        break;
      }
  if (self->shown_slot == slot)
    set_slot (self, &self->shown_slot, other, PROP_SHOWN_SLOT);
  if (self->right_slot == slot)
    set_slot (self, &self->right_slot, other, PROP_RIGHT_SLOT);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

double
svd_viewer_get_divider (SvdViewer *self)
{
  g_return_val_if_fail (SVD_IS_VIEWER (self), 0.5);

  return self->divider;
}

/**
 * svd_viewer_set_divider:
 * @self: a #SvdViewer
 * @position: where the slider's divider is, 0 (left edge) to 1 (right)
 */
void
svd_viewer_set_divider (SvdViewer *self,
                        double     position)
{
  g_return_if_fail (SVD_IS_VIEWER (self));

  position = CLAMP (position, 0.0, 1.0);
  if (self->divider == position)
    return;

  self->divider = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIVIDER]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  svd_viewer_queue_tiles (self);
}

/* ---- Actions ---- */

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  svd_viewer_zoom_in (SVD_VIEWER (widget));
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  svd_viewer_zoom_out (SVD_VIEWER (widget));
}

static void
zoom_original_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  svd_viewer_set_zoom (SVD_VIEWER (widget), 1.0);
}

static void
zoom_fit_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  svd_viewer_set_zoom (SVD_VIEWER (widget), 0);
}

static void
select_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  int slot = g_variant_get_int32 (parameter);

  if (slot >= 0 && slot < SVD_VIEWER_N_SLOTS)
    svd_viewer_select_slot (SVD_VIEWER (widget), slot);
}

/* (ii): a direction; one step moves the image an eighth of the view. */
static void
pan_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  int dx, dy;

  g_variant_get (parameter, "(ii)", &dx, &dy);
  svd_viewer_pan (SVD_VIEWER (widget), dx * gtk_widget_get_width (widget) / 8.0,
                  dy * gtk_widget_get_height (widget) / 8.0);
}

/* i: moves the slider's divider by that many 20ths of the image. */
static void
divider_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SvdViewer *self = SVD_VIEWER (widget);

  svd_viewer_set_divider (self, self->divider + g_variant_get_int32 (parameter) / 20.0);
}

static void
mode_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SvdViewer *self = SVD_VIEWER (widget);
  int mode = g_variant_get_int32 (parameter);

  /* -1 cycles through the modes. */
  if (mode < 0)
    mode = (self->mode + 1) % (SVD_VIEW_MODE_SSIM + 1);
  /* Toggle's own key, pressed again, flips between the two pictures, as
   * in video-compare. */
  if (mode == SVD_VIEW_MODE_TOGGLE && self->mode == SVD_VIEW_MODE_TOGGLE)
    {
      SvdViewerSlot other = self->shown_slot == self->left_slot ? self->right_slot : self->left_slot;

      if (self->layers[other].image == NULL)
        gtk_widget_error_bell (widget);
      else
        {
          set_slot (self, &self->shown_slot, other, PROP_SHOWN_SLOT);
          gtk_widget_queue_draw (widget);
          svd_viewer_queue_tiles (self);
        }
      return;
    }
  if (mode <= SVD_VIEW_MODE_SSIM)
    svd_viewer_set_view_mode (self, mode);
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  keyval,
              GdkModifierType        mods,
              const char            *action,
              GVariant              *args)
{
  GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (keyval, mods),
                                            gtk_named_action_new (action));

  if (args != NULL)
    gtk_shortcut_set_arguments (shortcut, args);
  gtk_shortcut_controller_add_shortcut (controller, shortcut);
}

/* ---- GObject ---- */

static void
svd_viewer_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  svd_viewer_queue_tiles (SVD_VIEWER (widget));
}

static void
svd_viewer_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  *minimum = 64;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 960 : 540;
}

static void
svd_viewer_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SvdViewer *self = SVD_VIEWER (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_DIVIDER:
      g_value_set_double (value, self->divider);
      break;
    case PROP_LEFT_SLOT:
      g_value_set_enum (value, self->left_slot);
      break;
    case PROP_RIGHT_SLOT:
      g_value_set_enum (value, self->right_slot);
      break;
    case PROP_SHOWN_SLOT:
      g_value_set_enum (value, self->shown_slot);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
svd_viewer_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SvdViewer *self = SVD_VIEWER (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      svd_viewer_set_view_mode (self, g_value_get_enum (value));
      break;
    case PROP_ZOOM:
      svd_viewer_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_DIVIDER:
      svd_viewer_set_divider (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
svd_viewer_dispose (GObject *object)
{
  SvdViewer *self = SVD_VIEWER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tiles_idle_id, g_source_remove);
  for (int i = 0; i < SVD_VIEWER_N_SLOTS; i++)
    {
      layer_clear (&self->layers[i]);
      for (int o = 0; o < SVD_VIEWER_N_OVERLAYS; o++)
        layer_clear (&self->overlays[o][i]);
    }

  G_OBJECT_CLASS (svd_viewer_parent_class)->dispose (object);
}

static void
svd_viewer_finalize (GObject *object)
{
  SvdViewer *self = SVD_VIEWER (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (svd_viewer_parent_class)->finalize (object);
}

static void
svd_viewer_class_init (SvdViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = svd_viewer_get_property;
  object_class->set_property = svd_viewer_set_property;
  object_class->dispose = svd_viewer_dispose;
  object_class->finalize = svd_viewer_finalize;

  widget_class->snapshot = svd_viewer_snapshot;
  widget_class->measure = svd_viewer_measure;
  widget_class->size_allocate = svd_viewer_size_allocate;

  properties[PROP_VIEW_MODE] =
    g_param_spec_enum ("view-mode", NULL, NULL,
                       SVD_TYPE_VIEW_MODE, SVD_VIEW_MODE_SLIDER,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL,
                         0, SVD_VIEWPORT_MAX_ZOOM, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DIVIDER] =
    g_param_spec_double ("divider", NULL, NULL,
                         0, 1, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LEFT_SLOT] =
    g_param_spec_enum ("left-slot", NULL, NULL,
                       SVD_TYPE_VIEWER_SLOT, SVD_VIEWER_SLOT_SOURCE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RIGHT_SLOT] =
    g_param_spec_enum ("right-slot", NULL, NULL,
                       SVD_TYPE_VIEWER_SLOT, SVD_VIEWER_SLOT_REFERENCE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOWN_SLOT] =
    g_param_spec_enum ("shown-slot", NULL, NULL,
                       SVD_TYPE_VIEWER_SLOT, SVD_VIEWER_SLOT_SOURCE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "viewer.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-original", NULL, zoom_original_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "viewer.select", "i", select_action);
  gtk_widget_class_install_action (widget_class, "viewer.mode", "i", mode_action);
  gtk_widget_class_install_action (widget_class, "viewer.pan", "(ii)", pan_action);
  gtk_widget_class_install_action (widget_class, "viewer.divider", "i", divider_action);

  svd_viewer_tools_class_init (widget_class);

  gtk_widget_class_set_css_name (widget_class, "svd-viewer");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
svd_viewer_init (SvdViewer *self)
{
  GtkEventController *controller;
  GtkGesture *drag;
  GtkShortcutController *shortcuts;

  self->cancellable = g_cancellable_new ();
  self->mode = SVD_VIEW_MODE_SLIDER;
  self->left_slot = SVD_VIEWER_SLOT_SOURCE;
  self->right_slot = SVD_VIEWER_SLOT_REFERENCE;
  self->shown_slot = SVD_VIEWER_SLOT_SOURCE;
  self->divider = 0.5;
  self->amplification = SVD_VIEWER_DEFAULT_GAIN;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  /* Managed scope: the keys work whenever the viewer is on screen, not only
   * when it has the focus, as in video-compare. */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_set_scope (shortcuts, GTK_SHORTCUT_SCOPE_MANAGED);
  for (int i = 0; i < 4; i++)
    {
      add_shortcut (shortcuts, GDK_KEY_1 + i, 0, "viewer.select", g_variant_new_int32 (SVD_VIEWER_SLOT_CHAIN_1 + i));
      add_shortcut (shortcuts, GDK_KEY_KP_1 + i, 0, "viewer.select", g_variant_new_int32 (SVD_VIEWER_SLOT_CHAIN_1 + i));
    }
  add_shortcut (shortcuts, GDK_KEY_r, 0, "viewer.select", g_variant_new_int32 (SVD_VIEWER_SLOT_REFERENCE));
  add_shortcut (shortcuts, GDK_KEY_s, 0, "viewer.select", g_variant_new_int32 (SVD_VIEWER_SLOT_SOURCE));
  add_shortcut (shortcuts, GDK_KEY_m, 0, "viewer.mode", g_variant_new_int32 (-1));
  add_shortcut (shortcuts, GDK_KEY_w, 0, "viewer.mode", g_variant_new_int32 (SVD_VIEW_MODE_SLIDER));
  add_shortcut (shortcuts, GDK_KEY_b, 0, "viewer.mode", g_variant_new_int32 (SVD_VIEW_MODE_SIDE_BY_SIDE));
  add_shortcut (shortcuts, GDK_KEY_t, 0, "viewer.mode", g_variant_new_int32 (SVD_VIEW_MODE_TOGGLE));
  add_shortcut (shortcuts, GDK_KEY_d, 0, "viewer.mode", g_variant_new_int32 (SVD_VIEW_MODE_DIFFERENCE));
  add_shortcut (shortcuts, GDK_KEY_h, 0, "viewer.mode", g_variant_new_int32 (SVD_VIEW_MODE_SSIM));
  add_shortcut (shortcuts, GDK_KEY_plus, 0, "viewer.zoom-in", NULL);
  add_shortcut (shortcuts, GDK_KEY_equal, 0, "viewer.zoom-in", NULL);
  add_shortcut (shortcuts, GDK_KEY_KP_Add, 0, "viewer.zoom-in", NULL);
  add_shortcut (shortcuts, GDK_KEY_minus, 0, "viewer.zoom-out", NULL);
  add_shortcut (shortcuts, GDK_KEY_KP_Subtract, 0, "viewer.zoom-out", NULL);
  add_shortcut (shortcuts, GDK_KEY_0, 0, "viewer.zoom-original", NULL);
  add_shortcut (shortcuts, GDK_KEY_KP_0, 0, "viewer.zoom-original", NULL);
  add_shortcut (shortcuts, GDK_KEY_f, 0, "viewer.zoom-fit", NULL);
  add_shortcut (shortcuts, GDK_KEY_bracketleft, 0, "viewer.divider", g_variant_new_int32 (-1));
  add_shortcut (shortcuts, GDK_KEY_bracketright, 0, "viewer.divider", g_variant_new_int32 (1));
  add_shortcut (shortcuts, GDK_KEY_v, 0, "viewer.follow-mouse", NULL);
  /* P for the pixel readout: L is the window's loop. */
  add_shortcut (shortcuts, GDK_KEY_p, 0, "viewer.loupe", NULL);
  add_shortcut (shortcuts, GDK_KEY_a, 0, "viewer.amplify", g_variant_new_int32 (0));
  /* Frame navigation belongs to whoever feeds the viewer (the window):
   * first and last frame, ten frames back and forward, go to a frame, the
   * worst frame measured so far of the compared chain. */
  add_shortcut (shortcuts, GDK_KEY_Home, 0, "win.go-to-frame", g_variant_new_int64 (0));
  add_shortcut (shortcuts, GDK_KEY_End, 0, "win.last-frame", NULL);
  add_shortcut (shortcuts, GDK_KEY_Page_Up, 0, "win.step-frames", g_variant_new_int32 (-10));
  add_shortcut (shortcuts, GDK_KEY_Page_Down, 0, "win.step-frames", g_variant_new_int32 (10));
  add_shortcut (shortcuts, GDK_KEY_g, GDK_CONTROL_MASK, "win.go-to-frame-dialog", NULL);
  add_shortcut (shortcuts, GDK_KEY_j, 0, "win.worst-frame", g_variant_new ("(ii)", -1, -1));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));

  /* The arrows step frames, but only while the viewer has the focus: the
   * window binds them to focus navigation, which must keep working for the
   * buttons. Stepping belongs to whoever feeds the viewer (the window); the
   * named actions resolve up the widget tree. */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_set_scope (shortcuts, GTK_SHORTCUT_SCOPE_LOCAL);
  add_shortcut (shortcuts, GDK_KEY_Right, 0, "win.next-frame", NULL);
  add_shortcut (shortcuts, GDK_KEY_Left, 0, "win.previous-frame", NULL);
  add_shortcut (shortcuts, GDK_KEY_KP_Right, 0, "win.next-frame", NULL);
  add_shortcut (shortcuts, GDK_KEY_KP_Left, 0, "win.previous-frame", NULL);
  /* With Shift they pan a zoomed image, as a drag does. */
  add_shortcut (shortcuts, GDK_KEY_Left, GDK_SHIFT_MASK, "viewer.pan", g_variant_new ("(ii)", 1, 0));
  add_shortcut (shortcuts, GDK_KEY_Right, GDK_SHIFT_MASK, "viewer.pan", g_variant_new ("(ii)", -1, 0));
  add_shortcut (shortcuts, GDK_KEY_Up, GDK_SHIFT_MASK, "viewer.pan", g_variant_new ("(ii)", 0, 1));
  add_shortcut (shortcuts, GDK_KEY_Down, GDK_SHIFT_MASK, "viewer.pan", g_variant_new ("(ii)", 0, -1));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));

  svd_viewer_tools_init (self);
}

/**
 * svd_viewer_new:
 *
 * Returns: (transfer floating): a new, empty viewer
 */
GtkWidget *
svd_viewer_new (void)
{
  return g_object_new (SVD_TYPE_VIEWER, NULL);
}
