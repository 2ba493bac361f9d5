/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/svd-viewport.h"
#include "svd-viewer.h"

G_BEGIN_DECLS

/* Shared by svd-viewer.c (state, zoom, input, tiles) and
 * svd-viewer-draw.c (snapshot), and the getters only tests use. */

typedef struct {
  SvdImage   *image;
  GdkTexture *texture;
  guint64     serial;
  /* The Difference overlay's |reference − image| map (RGB_F32, gain 1)
   * that @image was made from at the viewer's amplification. */
  SvdImage   *map;

  /* Nearest-neighbour magnification of part of @image. */
  SvdImage   *tile_source;   /* the image the tile was cut from */
  GdkTexture *tile;
  SvdViewRegion tile_region;
  gboolean    tile_pending;

  /* The parts of @image the views last showed, when not all of it: two,
   * for a layer shown in both views. */
  struct {
    GdkTexture *texture;
    int         x, y, w, h;
  } parts[2];
  guint       next_part;
} Layer;

typedef struct {
  Layer           *layer;
  graphene_rect_t  area;     /* where the view is drawn, widget coords */
  graphene_rect_t  clip;     /* what of it is visible */
  SvdViewerSlot    slot;
  int              overlay;  /* -1, or the SvdViewerOverlay shown */
} View;

struct _SvdViewer
{
  GtkWidget      parent_instance;

  Layer          layers[SVD_VIEWER_N_SLOTS];
  Layer          overlays[SVD_VIEWER_N_OVERLAYS][SVD_VIEWER_N_SLOTS];
  guint64        serial;

  SvdViewMode    mode;
  SvdViewerSlot  left_slot;
  SvdViewerSlot  right_slot;
  SvdViewerSlot  shown_slot;
  double         divider;

  /* zoom == 0 means "fit"; otherwise screen pixels per content pixel. The
   * centre is the content point shown in the middle of each view. */
  double         zoom;
  double         center_x;
  double         center_y;

  double         pointer_x;
  double         pointer_y;
  gboolean       dragging_divider;
  double         drag_start_center_x;
  double         drag_start_center_y;
  double         drag_start_divider;

  guint          tiles_idle_id;
  GCancellable  *cancellable;

  /* video-compare's habits (svd-viewer-tools.c): the slider's divider
   * follows the pointer, a loupe with the pixel under it, and the gain of
   * the difference view. */
  gboolean       follow_mouse;
  gboolean       loupe;
  gboolean       pointer_inside;
  int            amplification;
};

/* svd-viewer.c */
gboolean     svd_viewer_get_content_size  (SvdViewer             *self,
                                           double                *width,
                                           double                *height);
double       svd_viewer_scale_for_area    (SvdViewer             *self,
                                           const graphene_rect_t *area);
void         svd_viewer_content_rect      (SvdViewer             *self,
                                           const graphene_rect_t *area,
                                           graphene_rect_t       *out);
int          svd_viewer_get_views         (SvdViewer             *self,
                                           View                   views[2]);

/* svd-viewer-tools.c */
void         svd_viewer_tools_class_init  (GtkWidgetClass        *widget_class);
void         svd_viewer_tools_init        (SvdViewer             *self);
void         svd_viewer_tools_motion      (SvdViewer             *self,
                                           double                 x,
                                           double                 y);
void         svd_viewer_tools_snapshot    (SvdViewer             *self,
                                           GtkSnapshot           *snapshot,
                                           const View            *views,
                                           int                    n_views);

/* The Difference view's amplification when the viewer opens. */
#define SVD_VIEWER_DEFAULT_GAIN 4

void         svd_viewer_amplify_overlays  (SvdViewer             *self);

/* svd-viewer-draw.c */
void         svd_viewer_append_label      (SvdViewer             *self,
                                           GtkSnapshot           *snapshot,
                                           const char            *text,
                                           double                 x,
                                           double                 y,
                                           gboolean               align_right);
GdkTexture  *svd_viewer_texture_for_image (SvdImage              *image);
void         svd_viewer_snapshot          (GtkWidget             *widget,
                                           GtkSnapshot           *snapshot);

static inline SvdViewRect
svd_view_rect_from_graphene (const graphene_rect_t *r)
{
  return (SvdViewRect) { r->origin.x, r->origin.y, r->size.width, r->size.height };
}

/* For tests. */
gboolean     svd_viewer_has_image         (SvdViewer             *self,
                                           SvdViewerSlot          slot);
SvdImage    *svd_viewer_get_image         (SvdViewer             *self,
                                           SvdViewerSlot          slot);
void         svd_viewer_content_to_widget (SvdViewer             *self,
                                           double                 x,
                                           double                 y,
                                           graphene_point_t      *out);
gboolean     svd_viewer_get_magnified     (SvdViewer             *self);
gboolean     svd_viewer_get_settled       (SvdViewer             *self);

G_END_DECLS
