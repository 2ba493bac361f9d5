/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-png"

#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

static void
test_roundtrip (gconstpointer data)
{
  int depth = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 37, 53, &error);
  g_autoptr(SvdImage) back = NULL;
  g_autofree char *path = g_build_filename (tmpdir, depth == 8 ? "rt8.png" : "rt16.png", NULL);
  double maxv = depth == 8 ? 255.0 : 65535.0;
  int file_depth = 0;

  svd_test_fill_random_rgb (img, 99);
  g_assert_true (svd_png_save (img, path, depth, &error));
  g_assert_no_error (error);
  back = svd_png_load_as (path, SVD_PIXEL_FORMAT_RGB_F32, &file_depth, &error);
  g_assert_no_error (error);
  g_assert_cmpint (file_depth, ==, depth);
  g_assert_cmpint (back->width, ==, 37);
  g_assert_cmpint (back->height, ==, 53);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 53; y++)
      for (int x = 0; x < 37; x++)
        {
          float v = ((float *) (img->data[c] + y * img->stride[c]))[x];
          float w = ((float *) (back->data[c] + y * back->stride[c]))[x];
          double want = (guint) (CLAMP (v, 0.0f, 1.0f) * (float) maxv + 0.5f) / maxv;

          g_assert_cmpfloat_with_epsilon (w, want, 1e-7);
        }

  /* No temporary file is left next to the output. */
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_null (strstr (name, ".png."));
  }
}

static void
test_8bit_exact (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) rgb = svd_image_new (SVD_PIXEL_FORMAT_RGB8, 256, 1, &error);
  g_autoptr(SvdImage) f = NULL;
  g_autoptr(SvdImage) rgba = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "ramp.png", NULL);

  for (int x = 0; x < 256; x++)
    for (int c = 0; c < 3; c++)
      rgb->data[0][3 * x + c] = (guint8) (c == 1 ? 255 - x : x);
  g_assert_true (svd_png_save (rgb, path, 8, &error));
  f = svd_png_load (path, &error);
  g_assert_no_error (error);
  rgba = svd_png_load_as (path, SVD_PIXEL_FORMAT_RGBA8, NULL, &error);
  g_assert_no_error (error);
  for (int x = 0; x < 256; x++)
    {
      g_assert_cmpfloat (((float *) f->data[0])[x], ==, x / 255.0f);
      g_assert_cmpfloat (((float *) f->data[1])[x], ==, (255 - x) / 255.0f);
      g_assert_cmpint (rgba->data[0][4 * x], ==, x);
      g_assert_cmpint (rgba->data[0][4 * x + 3], ==, 255);
    }
}

static void
test_bad_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *notpng = g_build_filename (tmpdir, "not.png", NULL);
  g_autofree char *good = g_build_filename (tmpdir, "good.png", NULL);
  g_autofree char *cut = g_build_filename (tmpdir, "cut.png", NULL);
  g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 64, 64, &error);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_set_contents (notpng, "GIF89a....", 10, NULL));
  g_assert_null (svd_png_load (notpng, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_null (svd_png_load ("/nonexistent/x.png", &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
  g_clear_error (&error);

  svd_test_fill_random_rgb (img, 7);
  g_assert_true (svd_png_save (img, good, 8, &error));
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  /* Every truncation fails cleanly (or, for a cut only in the trailing
   * chunk, still yields the whole image). */
  for (gsize n = 0; n < len; n += 1 + n / 16)
    {
      SvdImage *r;

      g_assert_true (g_file_set_contents (cut, contents, n, NULL));
      r = svd_png_load (cut, &error);
      if (r == NULL)
        {
          g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
          g_clear_error (&error);
        }
      else
        svd_image_unref (r);
    }

  /* Writing into a missing directory fails and leaves nothing. */
  g_assert_false (svd_png_save (img, "/nonexistent/dir/out.png", 8, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
}

static void
test_shared_pngs (void)
{
  g_autofree char *path = svd_test_shared_path ("reference", "metrics", "bbb_crop257x131_ref.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) img = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("../shared is missing");
      return;
    }
  img = svd_png_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->width, ==, 257);
  g_assert_cmpint (img->height, ==, 131);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("svd-png-XXXXXX", NULL);
  g_test_add_data_func ("/core/png/roundtrip-8", GINT_TO_POINTER (8), test_roundtrip);
  g_test_add_data_func ("/core/png/roundtrip-16", GINT_TO_POINTER (16), test_roundtrip);
  g_test_add_func ("/core/png/8bit-exact", test_8bit_exact);
  g_test_add_func ("/core/png/bad-files", test_bad_files);
  g_test_add_func ("/core/png/shared", test_shared_pngs);
  ret = g_test_run ();
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (tmpdir);
  return ret;
}
