/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cl"

#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static SvdClContext *ctx;

static void
test_convert_matches_twin (void)
{
  const int sizes[][2] = { { 1, 1 }, { 37, 53 }, { 97, 3 }, { 7, 131 }, { 640, 360 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      int w = sizes[i][0], h = sizes[i][1];
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdClConverter) conv = svd_cl_converter_new (ctx, &error);
      g_autoptr(SvdImage) rgb = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
      g_autoptr(SvdImage) cl_rgba = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, w, h, &error);
      g_autoptr(SvdImage) ref_rgba = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, w, h, &error);
      g_autoptr(SvdImage) cl_back = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
      g_autoptr(SvdImage) ref_back = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
      int clamped = 0;

      g_assert_no_error (error);
      svd_test_fill_random_rgb (rgb, 1234 + i);
      /* Exact halves between two 8-bit codes are where rounding differs. */
      ((float *) rgb->data[0])[0] = 0.5f / 255.0f;

      g_assert_true (svd_cl_converter_run (conv, rgb, cl_rgba, &error));
      g_assert_no_error (error);
      g_assert_true (svd_convert_rgbf32_to_rgba8_ref (rgb, ref_rgba, &error));
      for (int y = 0; y < h; y++)
        {
          const guint8 *a = cl_rgba->data[0] + y * cl_rgba->stride[0];
          const guint8 *b = ref_rgba->data[0] + y * ref_rgba->stride[0];

          if (memcmp (a, b, (gsize) w * 4) != 0)
            g_error ("%dx%d: row %d of rgbf32→rgba8 differs between OpenCL and C", w, h, y);
          for (int x = 0; x < w; x++)
            clamped += a[4 * x] == 0 || a[4 * x] == 255;
        }
      /* The random fill goes outside [0,1]: clamping must have happened. */
      if (w * h > 100)
        g_assert_cmpint (clamped, >, 0);

      g_assert_true (svd_cl_converter_run (conv, cl_rgba, cl_back, &error));
      g_assert_no_error (error);
      g_assert_true (svd_convert_rgba8_to_rgbf32_ref (ref_rgba, ref_back, &error));
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
          {
            const float *a = (const float *) (cl_back->data[c] + y * cl_back->stride[c]);
            const float *b = (const float *) (ref_back->data[c] + y * ref_back->stride[c]);

            for (int x = 0; x < w; x++)
              if (fabsf (a[x] - b[x]) > 1e-7f)
                g_error ("%dx%d: rgba8→rgbf32 differs at %d,%d,%d: %g vs %g", w, h, c, x, y, a[x], b[x]);
          }
    }
}

static void
test_program_cache (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-cache-XXXXXX", NULL);
  g_auto(SvdSettings) settings;
  g_autoptr(SvdClContext) c = NULL;
  g_autoptr(GError) error = NULL;
  const char *src[] = { "__kernel void k (__global float *x) { x[get_global_id (0)] *= 2.0f; }", NULL };
  SvdClBuildInfo info;
  cl_program p;

  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  g_free (settings.kernel_cache_dir);
  settings.kernel_cache_dir = g_strdup (dir);
  c = svd_cl_context_new (&settings, &error);
  g_assert_no_error (error);

  p = svd_cl_context_build_program (c, src, "-DFOO=1", &info, &error);
  g_assert_no_error (error);
  g_assert_false (info.from_cache);
  g_assert_nonnull (info.cache_path);
  g_assert_true (g_file_test (info.cache_path, G_FILE_TEST_EXISTS));
  clReleaseProgram (p);
  g_free (info.cache_path);

  p = svd_cl_context_build_program (c, src, "-DFOO=1", &info, &error);
  g_assert_no_error (error);
  g_assert_true (info.from_cache);
  clReleaseProgram (p);

  /* Other options make another key. */
  {
    SvdClBuildInfo info2;

    p = svd_cl_context_build_program (c, src, "-DFOO=2", &info2, &error);
    g_assert_no_error (error);
    g_assert_false (info2.from_cache);
    g_assert_cmpstr (info2.cache_path, !=, info.cache_path);
    clReleaseProgram (p);
    g_free (info2.cache_path);
  }

  /* A corrupt cached binary is deleted and rebuilt. */
  g_assert_true (g_file_set_contents (info.cache_path, "garbage", 7, NULL));
  g_free (info.cache_path);
  p = svd_cl_context_build_program (c, src, "-DFOO=1", &info, &error);
  g_assert_no_error (error);
  g_assert_false (info.from_cache);
  g_assert_true (info.rebuilt_bad_cache);
  clReleaseProgram (p);
  {
    gsize len = 0;
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (info.cache_path, &contents, &len, NULL));
    g_assert_cmpuint (len, >, 7);
  }
  g_free (info.cache_path);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
  }
  g_rmdir (dir);
}

static void
test_build_error_has_log (void)
{
  g_autoptr(GError) error = NULL;
  const char *src[] = { "__kernel void broken (__global float *x) { x[0] = undeclared_thing; }", NULL };
  cl_program p = svd_cl_context_build_program (ctx, src, NULL, NULL, &error);

  g_assert_null (p);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_KERNEL_BUILD);
  g_assert_nonnull (strstr (error->message, "undeclared_thing"));
}

static void
test_choose_device (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = svd_cl_list_devices (&error);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_assert_no_error (error);
  g_assert_nonnull (svd_cl_choose_device (devices, "auto", &error));
  g_assert_nonnull (svd_cl_choose_device (devices, "0", &error));
  g_assert_null (svd_cl_choose_device (devices, "999", &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE);
  g_clear_error (&error);
  g_assert_null (svd_cl_choose_device (devices, "no-such-device-xyz", &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE);
  g_clear_error (&error);
  g_assert_null (svd_cl_choose_device (none, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE);
}

static void
test_error_names (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (svd_cl_error_name (CL_OUT_OF_RESOURCES), ==, "CL_OUT_OF_RESOURCES");
  svd_cl_set_error (&error, SVD_ERROR_OPENCL, CL_MEM_OBJECT_ALLOCATION_FAILURE, "clCreateBuffer");
  g_assert_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY);
  g_assert_nonnull (strstr (error->message, "CL_MEM_OBJECT_ALLOCATION_FAILURE"));
}

/* The kernel folder is a setting: a context made with one reads its
 * kernels there, one made without reads the embedded copies even when
 * SVD_KERNEL_DIR is in the environment (only svd_settings_apply_env()
 * reads that). */
static void
test_kernel_dir_setting (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-kernel-dir-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "convert.cl", NULL);
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdClContext) with_dir = NULL;
  g_autoptr(SvdClContext) without = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (g_file_set_contents (file, "/* edited */\n", -1, NULL));
  svd_settings_init (&settings);
  settings.kernel_dir = g_strdup (dir);
  with_dir = svd_cl_context_new (&settings, &error);
  g_assert_no_error (error);
  a = svd_cl_context_load_source (with_dir, "convert.cl", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "/* edited */\n");

  g_clear_pointer (&settings.kernel_dir, g_free);
  g_setenv ("SVD_KERNEL_DIR", dir, TRUE);
  without = svd_cl_context_new (&settings, &error);
  g_unsetenv ("SVD_KERNEL_DIR");
  g_assert_no_error (error);
  b = svd_cl_context_load_source (without, "convert.cl", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b, !=, "/* edited */\n");
  g_assert_nonnull (strstr (b, "__kernel"));
  svd_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  ctx = svd_test_cl_context ();
  g_test_message ("device: %s (%s)", svd_cl_context_get_info (ctx)->name,
                  svd_cl_context_get_info (ctx)->platform_name);
  g_test_add_func ("/engine/cl/convert-matches-twin", test_convert_matches_twin);
  g_test_add_func ("/engine/cl/program-cache", test_program_cache);
  g_test_add_func ("/engine/cl/build-error-has-log", test_build_error_has_log);
  g_test_add_func ("/engine/cl/choose-device", test_choose_device);
  g_test_add_func ("/engine/cl/error-names", test_error_names);
  g_test_add_func ("/engine/cl/kernel-dir-setting", test_kernel_dir_setting);
  ret = g_test_run ();
  svd_cl_context_unref (ctx);
  return ret;
}
