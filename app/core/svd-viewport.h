/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "svd-image.h"

G_BEGIN_DECLS

/* The geometry of a zoomable image view, without a toolkit: where the
 * content lands in a view, which part of an image is visible, how zooming
 * about a point moves the centre, and the nearest-neighbour magnification
 * of part of an image. The GUI viewer draws with these; a headless user
 * (a renderer of zoomed crops, a test) gets the same numbers. */

#define SVD_VIEWPORT_MIN_ZOOM 0.05
#define SVD_VIEWPORT_MAX_ZOOM 32.0
#define SVD_VIEWPORT_MAX_FACTOR 32

typedef struct {
  double x, y, width, height;
} SvdViewRect;

/* A part of an image in image pixels, and for a magnification tile its
 * integer nearest-neighbour factor. */
typedef struct {
  int x, y, width, height;
  int factor;
} SvdViewRegion;

double     svd_viewport_fit_scale      (const SvdViewRect   *area,
                                        double               content_width,
                                        double               content_height);
void       svd_viewport_place          (const SvdViewRect   *area,
                                        double               content_width,
                                        double               content_height,
                                        double               scale,
                                        double               center_x,
                                        double               center_y,
                                        SvdViewRect         *out);
void       svd_viewport_zoom_about     (const SvdViewRect   *area,
                                        const SvdViewRect   *content,
                                        double               scale,
                                        double               zoom,
                                        double               px,
                                        double               py,
                                        double              *center_x,
                                        double              *center_y);
gboolean   svd_viewport_visible_region (const SvdViewRect   *content,
                                        const SvdViewRect   *clip,
                                        int                  image_width,
                                        int                  image_height,
                                        double               margin,
                                        SvdViewRegion       *out);
gboolean   svd_viewport_drawn_part     (const SvdViewRect   *content,
                                        const SvdViewRect   *visible,
                                        int                  image_width,
                                        int                  image_height,
                                        SvdViewRegion       *out);
gboolean   svd_view_region_covers      (const SvdViewRegion *outer,
                                        const SvdViewRegion *inner);
SvdImage  *svd_image_magnify_nearest   (const SvdImage      *image,
                                        const SvdViewRegion *region,
                                        GCancellable        *cancellable,
                                        GError             **error);

G_END_DECLS
