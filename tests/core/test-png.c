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

/* The PNG CRC (ISO 3309), for the hand-made chunks below. */
static guint32
png_crc (const guint8 *p,
         gsize         n)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & -(c & 1u));
    }
  return c ^ 0xffffffffu;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void
assert_same_image (const SvdImage *a,
                   const SvdImage *b)
{
  g_assert_cmpint (a->format, ==, b->format);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int p = 0; p < a->n_planes; p++)
    for (int y = 0; y < a->plane_height[p]; y++)
      g_assert_cmpmem (a->data[p] + y * a->stride[p], svd_image_get_row_bytes (a, p),
                       b->data[p] + y * b->stride[p], svd_image_get_row_bytes (b, p));
}

/* svd_png_load_data() is the file reader's decoder on memory: the same
 * pixels in every format, the same verdict on every truncation, and the
 * same limits (an IHDR over SVD_LIMIT_PNG_PIXELS, refused from the header
 * before the image is allocated). fuzz-png fuzzes this entry point. */
static void
test_load_data (void)
{
  static const SvdPixelFormat formats[] = {
    SVD_PIXEL_FORMAT_RGB_F32, SVD_PIXEL_FORMAT_RGB8, SVD_PIXEL_FORMAT_RGBA8,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 29, 17, &error);
  g_autofree char *good = g_build_filename (tmpdir, "data.png", NULL);
  g_autofree char *cut = g_build_filename (tmpdir, "data-cut.png", NULL);
  g_autofree char *big = g_build_filename (tmpdir, "data-big.png", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  svd_test_fill_random_rgb (img, 11);
  for (int depth = 8; depth <= 16; depth += 8)
    {
      g_assert_true (svd_png_save (img, good, depth, &error));
      g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
      for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
        {
          int d1 = 0, d2 = 0;
          g_autoptr(SvdImage) a = svd_png_load_as (good, formats[i], &d1, &error);
          g_autoptr(SvdImage) b = NULL;

          g_assert_no_error (error);
          b = svd_png_load_data ((const guint8 *) contents, len, formats[i], &d2, &error);
          g_assert_no_error (error);
          g_assert_cmpint (d1, ==, depth);
          g_assert_cmpint (d2, ==, depth);
          assert_same_image (a, b);
          g_assert_cmpint (b->color.range, ==, SVD_COLOR_RANGE_FULL);
          g_assert_cmpint (b->color.transfer, ==, SVD_COLOR_TRANSFER_SRGB);
        }
      g_clear_pointer (&contents, g_free);
    }

  /* Every truncation: the memory reader decides as the file reader does. */
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  for (gsize n = 0; n < len; n += 1 + n / 16)
    {
      g_autoptr(GError) file_error = NULL;
      g_autoptr(SvdImage) a = NULL;
      g_autoptr(SvdImage) b = NULL;

      g_assert_true (g_file_set_contents (cut, contents, n, NULL));
      a = svd_png_load_as (cut, SVD_PIXEL_FORMAT_RGB8, NULL, &file_error);
      b = svd_png_load_data ((const guint8 *) contents, n, SVD_PIXEL_FORMAT_RGB8, NULL, &error);
      g_assert_true ((a == NULL) == (b == NULL));
      if (b == NULL)
        {
          g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
          g_assert_error (file_error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
          g_assert_nonnull (strstr (error->message, "PNG data"));
          g_clear_error (&error);
        }
      else
        assert_same_image (a, b);
    }
  g_assert_null (svd_png_load_data (NULL, 0, SVD_PIXEL_FORMAT_RGB8, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (svd_png_load_data ((const guint8 *) contents, len, SVD_PIXEL_FORMAT_YUV420P8, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* The signature, an IHDR of 8192x8193 (one row over 8192²) and the
   * start of an IDAT (where libpng stops reading the header), then
   * nothing: refused from the header by both readers. */
  {
    guint8 png[8 + 25 + 8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    guint8 *ihdr = png + 8;

    put_be32 (ihdr, 13);
    memcpy (ihdr + 4, "IHDR", 4);
    put_be32 (ihdr + 8, 8192);
    put_be32 (ihdr + 12, 8193);
    ihdr[16] = 8;  /* bit depth */
    ihdr[17] = 2;  /* RGB */
    put_be32 (ihdr + 21, png_crc (ihdr + 4, 17));
    memcpy (ihdr + 25 + 4, "IDAT", 4);
    g_assert_true (g_file_set_contents (big, (const char *) png, sizeof png, NULL));
    for (int i = 0; i < 2; i++)
      {
        g_autoptr(SvdImage) r = i == 0 ? svd_png_load_as (big, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error)
                                       : svd_png_load_data (png, sizeof png, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);

        g_assert_null (r);
        g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
        g_assert_nonnull (strstr (error->message, "8192x8193, 67117056 pixels, above the limit of 67108864"));
        g_clear_error (&error);
      }
    /* One row fewer is within the limit: the header passes, and the
     * missing data is what fails. */
    put_be32 (ihdr + 12, 8192);
    put_be32 (ihdr + 21, png_crc (ihdr + 4, 17));
    g_assert_null (svd_png_load_data (png, sizeof png, SVD_PIXEL_FORMAT_RGB8, NULL, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
    g_assert_null (strstr (error->message, "above the limit"));
  }
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
  g_test_add_func ("/core/png/load-data", test_load_data);
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
