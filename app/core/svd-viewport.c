/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-viewport"

#include "svd-viewport.h"

#include <math.h>
#include <string.h>

#include "svd-error.h"

/**
 * svd_viewport_fit_scale:
 * @area: the view
 * @content_width: width of the content, in content pixels
 * @content_height: height of the content
 *
 * Returns: the scale that fits the whole content in @area (at least
 *   %SVD_VIEWPORT_MIN_ZOOM), or 1 for empty content
 */
double
svd_viewport_fit_scale (const SvdViewRect *area,
                        double             content_width,
                        double             content_height)
{
  if (!(content_width > 0) || !(content_height > 0))
    return 1.0;

  return MAX (SVD_VIEWPORT_MIN_ZOOM, MIN (area->width / content_width, area->height / content_height));
}

/**
 * svd_viewport_place:
 * @area: the view
 * @content_width: width of the content
 * @content_height: height of the content
 * @scale: view pixels per content pixel
 * @center_x: the content point shown in the middle of @area
 * @center_y: its y coordinate
 * @out: (out): where the content lands, in the coordinates of @area
 */
void
svd_viewport_place (const SvdViewRect *area,
                    double             content_width,
                    double             content_height,
                    double             scale,
                    double             center_x,
                    double             center_y,
                    SvdViewRect       *out)
{
  out->x = area->x + area->width / 2 - center_x * scale;
  out->y = area->y + area->height / 2 - center_y * scale;
  out->width = content_width * scale;
  out->height = content_height * scale;
}

/**
 * svd_viewport_zoom_about:
 * @area: the view
 * @content: where the content lands in @area now
 * @scale: the scale in effect now
 * @zoom: the new scale
 * @px: the view point to keep fixed
 * @py: its y coordinate
 * @center_x: (out): the centre that keeps the content point under
 *   (@px, @py) where it is at @zoom
 * @center_y: (out): its y coordinate
 */
void
svd_viewport_zoom_about (const SvdViewRect *area,
                         const SvdViewRect *content,
                         double             scale,
                         double             zoom,
                         double             px,
                         double             py,
                         double            *center_x,
                         double            *center_y)
{
  double ix = (px - content->x) / scale;
  double iy = (py - content->y) / scale;

  *center_x = ix - (px - (area->x + area->width / 2)) / zoom;
  *center_y = iy - (py - (area->y + area->height / 2)) / zoom;
}

/**
 * svd_viewport_visible_region:
 * @content: where an image lands, in view coordinates
 * @clip: the part of the view that is visible
 * @image_width: the image's width in pixels
 * @image_height: its height
 * @margin: view pixels to add on each side
 * @out: (out): the visible image pixels, clamped to the image, and the
 *   nearest-neighbour factor (ceil of the scale, at most
 *   %SVD_VIEWPORT_MAX_FACTOR) that magnifies them
 *
 * Returns: %TRUE when part of the image is visible above 100 %, i.e. when
 *   there is something to magnify
 */
gboolean
svd_viewport_visible_region (const SvdViewRect *content,
                             const SvdViewRect *clip,
                             int                image_width,
                             int                image_height,
                             double             margin,
                             SvdViewRegion     *out)
{
  double sx, sy, s, x0, y0, x1, y1;

  if (image_width <= 0 || image_height <= 0 || clip->width <= 0 || clip->height <= 0)
    return FALSE;

  sx = content->width / image_width;
  sy = content->height / image_height;
  s = MAX (sx, sy);
  if (!(s > 1.0 + 1e-6))
    return FALSE;

  x0 = (clip->x - content->x) / sx - margin / sx;
  y0 = (clip->y - content->y) / sy - margin / sy;
  x1 = (clip->x + clip->width - content->x) / sx + margin / sx;
  y1 = (clip->y + clip->height - content->y) / sy + margin / sy;

  /* Clamped in double first: far outside the image, (int) would overflow. */
  out->x = (int) CLAMP (floor (x0), 0, image_width);
  out->y = (int) CLAMP (floor (y0), 0, image_height);
  out->width = (int) CLAMP (ceil (x1), 0, image_width) - out->x;
  out->height = (int) CLAMP (ceil (y1), 0, image_height) - out->y;
  out->factor = (int) MIN (ceil (s - 1e-6), SVD_VIEWPORT_MAX_FACTOR);

  return out->width > 0 && out->height > 0;
}

/**
 * svd_viewport_drawn_part:
 * @content: where an image lands, in view coordinates
 * @visible: the part of the view that is visible
 * @image_width: the image's width in pixels
 * @image_height: its height
 * @out: (out): the image pixels to draw for @visible, with one pixel of
 *   margin each side (so linear filtering at the part's edges reads the
 *   same pixels as when the whole image is drawn); @out->factor is 1
 *
 * Returns: %TRUE when some of the image is visible
 */
gboolean
svd_viewport_drawn_part (const SvdViewRect *content,
                         const SvdViewRect *visible,
                         int                image_width,
                         int                image_height,
                         SvdViewRegion     *out)
{
  double sx = content->width / image_width;
  double sy = content->height / image_height;
  int x0, y0, x1, y1;

  if (image_width <= 0 || image_height <= 0)
    return FALSE;

  x0 = (int) CLAMP (floor ((visible->x - content->x) / sx) - 1, 0, image_width);
  y0 = (int) CLAMP (floor ((visible->y - content->y) / sy) - 1, 0, image_height);
  x1 = (int) CLAMP (ceil ((visible->x + visible->width - content->x) / sx) + 1, 0, image_width);
  y1 = (int) CLAMP (ceil ((visible->y + visible->height - content->y) / sy) + 1, 0, image_height);

  *out = (SvdViewRegion) { x0, y0, x1 - x0, y1 - y0, 1 };

  return x1 > x0 && y1 > y0;
}

/**
 * svd_view_region_covers:
 * @outer: a region (a tile already made)
 * @inner: another (what is visible now)
 *
 * Returns: %TRUE when @outer contains @inner at the same factor, so a tile
 *   made for @outer can be shown for @inner
 */
gboolean
svd_view_region_covers (const SvdViewRegion *outer,
                        const SvdViewRegion *inner)
{
  return outer->factor == inner->factor
         && outer->x <= inner->x && outer->y <= inner->y
         && (gint64) outer->x + outer->width >= (gint64) inner->x + inner->width
         && (gint64) outer->y + outer->height >= (gint64) inner->y + inner->height;
}

/**
 * svd_image_magnify_nearest:
 * @image: an RGBA8 image
 * @region: the part of @image to magnify, and the integer factor
 * @cancellable: (nullable): checked between rows
 * @error: return location for an error
 *
 * Blows up @region of @image by @region->factor in both directions with
 * nearest-neighbour sampling: every source pixel becomes a factor × factor
 * block of the same value.
 *
 * Returns: (transfer full) (nullable): the magnified RGBA8 image, or %NULL
 *   with @error set: %SVD_ERROR_INVALID_ARGUMENT for a region outside the
 *   image or a factor below 1, %G_IO_ERROR_CANCELLED when cancelled, or
 *   svd_image_new()'s errors when the result is too large
 */
SvdImage *
svd_image_magnify_nearest (const SvdImage      *image,
                           const SvdViewRegion *region,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_autoptr(SvdImage) tile = NULL;
  int k = region->factor;
  int tw, th;

  g_return_val_if_fail (image != NULL && region != NULL, NULL);

  if (image->format != SVD_PIXEL_FORMAT_RGBA8
      || region->x < 0 || region->y < 0 || region->width <= 0 || region->height <= 0
      || region->x > image->width - region->width || region->y > image->height - region->height
      || k < 1 || k > SVD_VIEWPORT_MAX_FACTOR)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Cannot magnify %dx%d+%d+%d by %d of a %dx%d image",
                   region->width, region->height, region->x, region->y, k, image->width, image->height);
      return NULL;
    }
  if ((gint64) region->width * k > G_MAXINT || (gint64) region->height * k > G_MAXINT)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "A %dx%d region magnified by %d is too large", region->width, region->height, k);
      return NULL;
    }
  tw = region->width * k;
  th = region->height * k;

  tile = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, tw, th, error);
  if (tile == NULL)
    return NULL;

  for (int y = 0; y < region->height; y++)
    {
      const guint32 *src = (const guint32 *) (image->data[0] + (gsize) (region->y + y) * image->stride[0]) + region->x;
      guint32 *row = (guint32 *) (tile->data[0] + (gsize) y * k * tile->stride[0]);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      for (int x = 0; x < region->width; x++)
        for (int i = 0; i < k; i++)
          row[x * k + i] = src[x];
      for (int i = 1; i < k; i++)
        memcpy (tile->data[0] + (gsize) (y * k + i) * tile->stride[0], row, (gsize) tw * 4);
    }

  return g_steal_pointer (&tile);
}
