/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-viewport"

#include "svd-test-utils.h"

#include "core/svd-viewport.h"

/* The zoomable view's geometry (app/core/svd-viewport.c), which the GUI
 * viewer draws with: fitting, placing, zooming about a point, the visible
 * part of an image and its nearest-neighbour magnification. */

static void
test_fit_and_place (void)
{
  SvdViewRect area = { 0, 0, 1280, 720 };
  SvdViewRect half = { 640, 0, 640, 720 };
  SvdViewRect out;

  g_assert_cmpfloat (svd_viewport_fit_scale (&area, 640, 360), ==, 2.0);
  /* Limited by the tighter side. */
  g_assert_cmpfloat (svd_viewport_fit_scale (&area, 1280, 1440), ==, 0.5);
  /* Never below the smallest zoom; empty content is shown at 1. */
  g_assert_cmpfloat (svd_viewport_fit_scale (&area, 1e6, 1e6), ==, SVD_VIEWPORT_MIN_ZOOM);
  g_assert_cmpfloat (svd_viewport_fit_scale (&area, 0, 360), ==, 1.0);

  /* Centred: the content centre lands at the area centre. */
  svd_viewport_place (&half, 640, 360, 1.0, 320, 180, &out);
  g_assert_cmpfloat (out.x, ==, 640);
  g_assert_cmpfloat (out.y, ==, 180);
  g_assert_cmpfloat (out.width, ==, 640);
  g_assert_cmpfloat (out.height, ==, 360);

  /* At 4x centred on (100, 50): that point is the middle of the area. */
  svd_viewport_place (&area, 640, 360, 4.0, 100, 50, &out);
  g_assert_cmpfloat (out.x + 100 * 4, ==, 640);
  g_assert_cmpfloat (out.y + 50 * 4, ==, 360);
}

static void
test_zoom_about (void)
{
  SvdViewRect area = { 0, 0, 1000, 600 };
  SvdViewRect content, after;
  double s = svd_viewport_fit_scale (&area, 500, 300);  /* 2 */
  double cx, cy;
  double px = 130, py = 470;

  svd_viewport_place (&area, 500, 300, s, 250, 150, &content);
  svd_viewport_zoom_about (&area, &content, s, 8.0, px, py, &cx, &cy);
  svd_viewport_place (&area, 500, 300, 8.0, cx, cy, &after);

  /* The content point under the pointer stays under it. */
  g_assert_cmpfloat_with_epsilon ((px - content.x) / s, (px - after.x) / 8.0, 1e-9);
  g_assert_cmpfloat_with_epsilon ((py - content.y) / s, (py - after.y) / 8.0, 1e-9);
  /* Zooming about the centre keeps the centre. */
  svd_viewport_zoom_about (&area, &content, s, 3.0, 500, 300, &cx, &cy);
  g_assert_cmpfloat_with_epsilon (cx, 250, 1e-9);
  g_assert_cmpfloat_with_epsilon (cy, 150, 1e-9);
}

static void
test_visible_region (void)
{
  SvdViewRect clip = { 0, 0, 400, 300 };
  SvdViewRect content;
  SvdViewRegion r, tile;

  /* At or below 100 % there is nothing to magnify. */
  content = (SvdViewRect) { 0, 0, 400, 300 };
  g_assert_false (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));
  content = (SvdViewRect) { 0, 0, 200, 150 };
  g_assert_false (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));

  /* 4x, image origin 100 view pixels left of and above the view. */
  content = (SvdViewRect) { -100, -100, 1600, 1200 };
  g_assert_true (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));
  g_assert_cmpint (r.x, ==, 25);
  g_assert_cmpint (r.y, ==, 25);
  g_assert_cmpint (r.width, ==, 100);
  g_assert_cmpint (r.height, ==, 75);
  g_assert_cmpint (r.factor, ==, 4);

  /* A margin widens it, clamped to the image. */
  g_assert_true (svd_viewport_visible_region (&content, &clip, 400, 300, 200, &tile));
  g_assert_cmpint (tile.x, ==, 0);
  g_assert_cmpint (tile.y, ==, 0);
  g_assert_cmpint (tile.width, ==, 175);
  g_assert_cmpint (tile.height, ==, 150);
  g_assert_true (svd_view_region_covers (&tile, &r));
  g_assert_false (svd_view_region_covers (&r, &tile));
  /* Another factor is another tile. */
  tile.factor = 3;
  g_assert_false (svd_view_region_covers (&tile, &r));

  /* A non-integer zoom rounds the factor up; huge zooms are capped. */
  content = (SvdViewRect) { 0, 0, 400 * 2.5, 300 * 2.5 };
  g_assert_true (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));
  g_assert_cmpint (r.factor, ==, 3);
  content = (SvdViewRect) { 0, 0, 400 * 100.0, 300 * 100.0 };
  g_assert_true (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));
  g_assert_cmpint (r.factor, ==, SVD_VIEWPORT_MAX_FACTOR);

  /* Far off the image: nothing visible, and no integer overflow. */
  content = (SvdViewRect) { -1e15, -1e15, 400 * 32.0, 300 * 32.0 };
  g_assert_false (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));
  content = (SvdViewRect) { 1e15, 1e15, 400 * 32.0, 300 * 32.0 };
  g_assert_false (svd_viewport_visible_region (&content, &clip, 400, 300, 0, &r));
}

static void
test_drawn_part (void)
{
  SvdViewRect content = { 0, 0, 800, 600 };  /* a 400x300 image at 2x */
  SvdViewRect visible = { 400, 0, 400, 600 };
  SvdViewRegion r;

  /* The right half, with one pixel of margin on the inner side. */
  g_assert_true (svd_viewport_drawn_part (&content, &visible, 400, 300, &r));
  g_assert_cmpint (r.x, ==, 199);
  g_assert_cmpint (r.y, ==, 0);
  g_assert_cmpint (r.width, ==, 201);
  g_assert_cmpint (r.height, ==, 300);

  visible = (SvdViewRect) { 900, 0, 100, 600 };
  g_assert_false (svd_viewport_drawn_part (&content, &visible, 400, 300, &r));
}

static void
test_magnify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) image = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, 5, 4, &error);
  g_autoptr(SvdImage) tile = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SvdViewRegion region = { 1, 2, 3, 2, 3 };
  SvdViewRegion bad;

  g_assert_no_error (error);
  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      ((guint32 *) (image->data[0] + y * image->stride[0]))[x] = 0xff000000u | (guint32) (y * 16 + x);

  tile = svd_image_magnify_nearest (image, &region, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tile);
  g_assert_cmpint (tile->width, ==, 9);
  g_assert_cmpint (tile->height, ==, 6);
  for (int y = 0; y < tile->height; y++)
    for (int x = 0; x < tile->width; x++)
      g_assert_cmphex (((guint32 *) (tile->data[0] + y * tile->stride[0]))[x], ==,
                       0xff000000u | (guint32) ((region.y + y / 3) * 16 + region.x + x / 3));

  /* Outside the image, or a factor out of range: an error, no crash. */
  bad = (SvdViewRegion) { 3, 0, 3, 1, 2 };
  g_assert_null (svd_image_magnify_nearest (image, &bad, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = (SvdViewRegion) { 0, 0, 1, 1, 0 };
  g_assert_null (svd_image_magnify_nearest (image, &bad, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = (SvdViewRegion) { -1, 0, 2, 1, 2 };
  g_assert_null (svd_image_magnify_nearest (image, &bad, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Cancelled: the one cancellation code. */
  g_cancellable_cancel (cancellable);
  g_assert_null (svd_image_magnify_nearest (image, &region, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/viewport/fit-and-place", test_fit_and_place);
  g_test_add_func ("/core/viewport/zoom-about", test_zoom_about);
  g_test_add_func ("/core/viewport/visible-region", test_visible_region);
  g_test_add_func ("/core/viewport/drawn-part", test_drawn_part);
  g_test_add_func ("/core/viewport/magnify", test_magnify);

  return g_test_run ();
}
