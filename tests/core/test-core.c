/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-core"

#include "svd-test-utils.h"

#include <string.h>

static void
test_image_geometry (void)
{
  struct { SvdPixelFormat f; int w, h; int cw, ch; gsize row0; } cases[] = {
    { SVD_PIXEL_FORMAT_YUV420P8, 37, 53, 19, 27, 37 },
    { SVD_PIXEL_FORMAT_YUV422P8, 37, 53, 19, 53, 37 },
    { SVD_PIXEL_FORMAT_YUV444P8, 37, 53, 37, 53, 37 },
    { SVD_PIXEL_FORMAT_YUV420P10, 1, 1, 1, 1, 2 },
    { SVD_PIXEL_FORMAT_RGB8, 5, 3, 0, 0, 15 },
    { SVD_PIXEL_FORMAT_RGBA8, 5, 3, 0, 0, 20 },
    { SVD_PIXEL_FORMAT_RGB_F32, 7, 2, 7, 2, 28 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdImage) img = svd_image_new (cases[i].f, cases[i].w, cases[i].h, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (svd_image_get_row_bytes (img, 0), ==, cases[i].row0);
      for (int p = 0; p < img->n_planes; p++)
        {
          g_assert_cmpuint (img->stride[p] % SVD_IMAGE_ALIGN, ==, 0);
          g_assert_cmpuint ((guintptr) img->data[p] % SVD_IMAGE_ALIGN, ==, 0);
          g_assert_cmpuint (img->stride[p], >=, svd_image_get_row_bytes (img, p));
        }
      if (img->n_planes == 3)
        {
          g_assert_cmpint (img->plane_width[1], ==, cases[i].cw);
          g_assert_cmpint (img->plane_height[2], ==, cases[i].ch);
        }
      else
        g_assert_cmpint (img->n_planes, ==, 1);
    }
}

static void
test_image_bad_size (void)
{
  g_autoptr(GError) error = NULL;
  SvdImage *img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 0, 10, &error);

  g_assert_null (img);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 1 << 20, 10, &error);
  g_assert_null (img);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
}

static int destroyed;

static void
count_destroy (gpointer data)
{
  destroyed++;
  g_free (data);
}

static void
test_image_wrap_and_ref (void)
{
  guint8 *buf = g_malloc0 (16 * 4);
  guint8 *planes[1] = { buf };
  gsize strides[1] = { 16 };
  g_autoptr(GError) error = NULL;
  SvdImage *img, *copy;

  destroyed = 0;
  img = svd_image_new_for_data (SVD_PIXEL_FORMAT_RGBA8, 4, 4, planes, strides, count_destroy, buf, &error);
  g_assert_no_error (error);
  g_assert_true (svd_image_is_writable (img));
  buf[5] = 42;
  svd_image_ref (img);
  g_assert_false (svd_image_is_writable (img));
  copy = svd_image_copy (img, &error);
  g_assert_no_error (error);
  g_assert_cmpint (copy->data[0][5], ==, 42);
  g_assert_true (copy->data[0] != img->data[0]);
  svd_image_unref (img);
  g_assert_cmpint (destroyed, ==, 0);
  svd_image_unref (img);
  g_assert_cmpint (destroyed, ==, 1);
  svd_image_unref (copy);

  /* A stride shorter than a row is refused, and the buffer is released. */
  buf = g_malloc0 (8);
  planes[0] = buf;
  strides[0] = 8;
  img = svd_image_new_for_data (SVD_PIXEL_FORMAT_RGBA8, 4, 1, planes, strides, count_destroy, buf, &error);
  g_assert_null (img);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (destroyed, ==, 2);
}

static void
test_color_defaults (void)
{
  SvdColorInfo info;

  svd_color_info_init_default (&info, SVD_PIXEL_FORMAT_YUV420P8, 480);
  g_assert_cmpint (info.matrix, ==, SVD_COLOR_MATRIX_BT601);
  g_assert_cmpint (info.range, ==, SVD_COLOR_RANGE_LIMITED);
  svd_color_info_init_default (&info, SVD_PIXEL_FORMAT_YUV420P10, 1080);
  g_assert_cmpint (info.matrix, ==, SVD_COLOR_MATRIX_BT709);
  svd_color_info_init_default (&info, SVD_PIXEL_FORMAT_RGBA8, 1080);
  g_assert_cmpint (info.range, ==, SVD_COLOR_RANGE_FULL);
}

static void
test_settings (void)
{
  g_auto(SvdSettings) s;
  g_auto(SvdSettings) copy;

  svd_settings_init (&s);
  g_assert_null (s.device);
  g_assert_cmpint (s.precision, ==, SVD_PRECISION_FP32);
  g_assert_true (s.use_kernel_cache);
  g_assert_cmpint (svd_settings_get_threads (&s), >=, 1);

  g_setenv ("SVD_DEVICE", "pocl", TRUE);
  g_setenv ("SVD_PRECISION", "fp16", TRUE);
  svd_settings_apply_env (&s);
  g_unsetenv ("SVD_DEVICE");
  g_unsetenv ("SVD_PRECISION");
  g_assert_cmpstr (s.device, ==, "pocl");
  g_assert_cmpint (s.precision, ==, SVD_PRECISION_FP16);

  svd_settings_copy (&copy, &s);
  g_assert_cmpstr (copy.device, ==, "pocl");
  g_assert_true (copy.device != s.device);
}

static void
test_error_names (void)
{
  g_assert_cmpstr (svd_error_code_name (SVD_ERROR_UNSAFE), ==, "unsafe");
  g_assert_cmpstr (svd_error_code_name (SVD_ERROR_UNAVAILABLE), ==, "unavailable");
  g_assert_cmpstr (svd_error_code_name (999), ==, "unknown");
}

/* The engine's tuning knobs are settings fields, filled from the
 * environment for the CLI; a block shape the kernels cannot run is refused
 * instead of reaching them. */
static void
test_settings_tuning (void)
{
  g_auto(SvdSettings) s = { 0 };

  svd_settings_init (&s);
  g_assert_cmpint (s.conv_variant, ==, SVD_CONV_VARIANT_AUTO);
  g_assert_cmpint (s.conv_vw, ==, 0);
  g_assert_false (s.profile_layers);
  g_setenv ("SVD_CONV_VARIANT", "pixel", TRUE);
  g_setenv ("SVD_CONV_BLOCK", "8,3,24,8", TRUE);
  g_setenv ("SVD_PROFILE_LAYERS", "1", TRUE);
  g_setenv ("SVD_KERNEL_DIR", "/tmp/kernels", TRUE);
  svd_settings_apply_env (&s);
  g_unsetenv ("SVD_KERNEL_DIR");
  g_assert_cmpstr (s.kernel_dir, ==, "/tmp/kernels");
  g_unsetenv ("SVD_CONV_VARIANT");
  g_unsetenv ("SVD_CONV_BLOCK");
  g_unsetenv ("SVD_PROFILE_LAYERS");
  g_assert_cmpint (s.conv_variant, ==, SVD_CONV_VARIANT_PIXEL);
  g_assert_cmpint (s.conv_vw, ==, 8);
  g_assert_cmpint (s.conv_rx, ==, 3);
  g_assert_cmpint (s.conv_acc, ==, 24);
  g_assert_cmpint (s.conv_ocb, ==, 8);
  g_assert_true (s.profile_layers);
  /* A zero vector width, a huge block or trailing junk leave it alone. */
  g_assert_false (svd_settings_set_conv_block (&s, "0,3,24,8"));
  g_assert_false (svd_settings_set_conv_block (&s, "3,3,24,8"));
  g_assert_false (svd_settings_set_conv_block (&s, "8,3,24,100000"));
  g_assert_false (svd_settings_set_conv_block (&s, "8,-1,24,8"));
  g_assert_false (svd_settings_set_conv_block (&s, "8,3,24,8x"));
  g_assert_false (svd_settings_set_conv_block (&s, "8,3"));
  g_assert_cmpint (s.conv_vw, ==, 8);
  g_assert_true (svd_settings_set_conv_block (&s, "4,2,16,4"));
  g_assert_cmpint (s.conv_vw, ==, 4);
  g_assert_cmpint (s.conv_ocb, ==, 4);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/image/geometry", test_image_geometry);
  g_test_add_func ("/core/image/bad-size", test_image_bad_size);
  g_test_add_func ("/core/image/wrap-and-ref", test_image_wrap_and_ref);
  g_test_add_func ("/core/image/color-defaults", test_color_defaults);
  g_test_add_func ("/core/settings", test_settings);
  g_test_add_func ("/core/settings/tuning", test_settings_tuning);
  g_test_add_func ("/core/error-names", test_error_names);
  return g_test_run ();
}
