/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cl-metrics"

#include "svd-test-utils.h"
#include "core/svd-png.h"
#include "metrics/svd-cl-metrics.h"
#include "metrics/svd-metrics.h"
#include "metrics-expected.h"
#include "metrics-fixture.h"

#include <math.h>

static GPtrArray *pairs;
static SvdClContext *ctx;

/* Tolerances of the float32 device path against the float64 C twin. */
#define TOL_PSNR 1e-4
#define TOL_SSIM_MEAN 1e-6
#define TOL_SSIM_PIXEL 3e-4
#define TOL_DIFF 1e-6

static float
pixel (const SvdImage *img,
       int             c,
       int             x,
       int             y)
{
  return ((const float *) (img->data[c] + (gsize) y * img->stride[c]))[x];
}

static void
compare_with_twin (const SvdImage *ref,
                   const SvdImage *dist,
                   SvdClMetrics   *m,
                   const char     *what)
{
  g_autoptr(SvdImage) cl_smap = NULL, cl_dmap = NULL, c_smap = NULL, c_dmap = NULL;
  g_autoptr(GError) error = NULL;
  SvdMetricsFrame a, b;
  double worst_ssim = 0.0, worst_diff = 0.0;

  g_assert_true (svd_cl_metrics_compute (m, ref, dist, &a, &cl_smap, &cl_dmap, &error));
  g_assert_no_error (error);
  g_assert_true (svd_metrics_compute (ref, dist, NULL, &b, &c_smap, &c_dmap, &error));
  g_assert_no_error (error);
  for (int y = 0; y < ref->height; y++)
    for (int x = 0; x < ref->width; x++)
      {
        worst_ssim = MAX (worst_ssim, fabs (pixel (cl_smap, 0, x, y) - pixel (c_smap, 0, x, y)));
        for (int c = 0; c < 3; c++)
          worst_diff = MAX (worst_diff, fabs (pixel (cl_dmap, c, x, y) - pixel (c_dmap, c, x, y)));
      }
  g_test_message ("%s %dx%d: PSNR RGB %.6f/%.6f, Y %.6f/%.6f, SSIM %.8f/%.8f (OpenCL/C); "
                  "map worst |Δ| SSIM %.2e, diff %.2e",
                  what, ref->width, ref->height, a.psnr_rgb, b.psnr_rgb, a.psnr_y, b.psnr_y,
                  a.ssim_y, b.ssim_y, worst_ssim, worst_diff);
  if (isinf (b.psnr_rgb))
    g_assert_true (isinf (a.psnr_rgb));
  else
    g_assert_cmpfloat_with_epsilon (a.psnr_rgb, b.psnr_rgb, TOL_PSNR);
  if (!isinf (b.psnr_y))
    g_assert_cmpfloat_with_epsilon (a.psnr_y, b.psnr_y, TOL_PSNR);
  g_assert_cmpint (a.has_ssim, ==, b.has_ssim);
  if (b.has_ssim)
    g_assert_cmpfloat_with_epsilon (a.ssim_y, b.ssim_y, TOL_SSIM_MEAN);
  g_assert_cmpfloat (worst_ssim, <=, TOL_SSIM_PIXEL);
  g_assert_cmpfloat (worst_diff, <=, TOL_DIFF);
}

/* Every reference pair on the device: against expected.json with the
 * README's tolerances, and against the C twin (maps included), from
 * 8-bit and from float input. */
static void
test_expected_and_twin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdClMetrics) m = svd_cl_metrics_new (ctx, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < pairs->len; i++)
    {
      ExpectedPair *p = g_ptr_array_index (pairs, i);
      SvdPixelFormat formats[] = { SVD_PIXEL_FORMAT_RGBA8, SVD_PIXEL_FORMAT_RGB_F32 };

      for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
        {
          g_autoptr(SvdImage) ref = expected_load_image (p->reference, formats[f]);
          g_autoptr(SvdImage) dist = expected_load_image (p->distorted, formats[f]);
          SvdMetricsFrame frame;

          g_assert_true (svd_cl_metrics_compute (m, ref, dist, &frame, NULL, NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpfloat_with_epsilon (frame.psnr_rgb, p->psnr_rgb, 1e-3);
          g_assert_cmpfloat_with_epsilon (frame.psnr_y, p->psnr_y, 1e-3);
          g_assert_cmpfloat_with_epsilon (frame.ssim_y, p->ssim_y, 1e-5);
          compare_with_twin (ref, dist, m, p->distorted);
        }
    }
}

/* Odd and tiny sizes with random content (including out-of-range floats,
 * which both sides clamp), and RGB8. */
static void
test_odd_sizes (void)
{
  const int sizes[][2] = { { 1, 1 }, { 11, 11 }, { 12, 37 }, { 97, 13 }, { 131, 257 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdClMetrics) m = svd_cl_metrics_new (ctx, NULL, &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(SvdImage) a = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, sizes[i][0], sizes[i][1], &error);
      g_autoptr(SvdImage) b = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, sizes[i][0], sizes[i][1], &error);
      g_autoptr(SvdImage) a8 = svd_image_new (SVD_PIXEL_FORMAT_RGB8, sizes[i][0], sizes[i][1], &error);
      g_autoptr(SvdImage) b8 = svd_image_new (SVD_PIXEL_FORMAT_RGB8, sizes[i][0], sizes[i][1], &error);

      svd_test_fill_random_rgb (a, 100 + i);
      svd_test_fill_random_rgb (b, 200 + i);
      compare_with_twin (a, b, m, "random f32");
      compare_with_twin (a, a, m, "identical f32");
      for (int y = 0; y < a->height; y++)
        for (int x = 0; x < 3 * a->width; x++)
          {
            a8->data[0][y * a8->stride[0] + x] = (guint8) g_random_int_range (0, 256);
            b8->data[0][y * b8->stride[0] + x] = (guint8) g_random_int_range (0, 256);
          }
      compare_with_twin (a8, b8, m, "random rgb8");
    }
}

/* The drawn fixture on the device against scikit-image
 * (metrics-fixture.h) and against the C twin: needs no ../shared. */
static void
test_drawn_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdClMetrics) m = svd_cl_metrics_new (ctx, NULL, &error);
  g_autoptr(SvdImage) ref = fixture_image (FALSE);
  g_autoptr(SvdImage) dist = fixture_image (TRUE);
  SvdMetricsFrame frame;

  g_assert_no_error (error);
  g_assert_true (svd_cl_metrics_compute (m, ref, dist, &frame, NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("drawn fixture on the device: PSNR RGB %.6f (skimage %.6f), Y %.6f (%.6f), SSIM %.8f (%.8f)",
                  frame.psnr_rgb, FIXTURE_PSNR_RGB, frame.psnr_y, FIXTURE_PSNR_Y, frame.ssim_y, FIXTURE_SSIM_Y);
  g_assert_cmpfloat_with_epsilon (frame.psnr_rgb, FIXTURE_PSNR_RGB, 1e-3);
  g_assert_cmpfloat_with_epsilon (frame.psnr_y, FIXTURE_PSNR_Y, 1e-3);
  g_assert_cmpfloat_with_epsilon (frame.ssim_y, FIXTURE_SSIM_Y, 1e-5);
  compare_with_twin (ref, dist, m, "drawn fixture");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_autofree char *shared_models = NULL;

  g_test_init (&argc, &argv, NULL);
  ctx = svd_test_cl_context ();
  g_test_add_func ("/cl-metrics/drawn-fixture", test_drawn_fixture);
  g_test_add_func ("/cl-metrics/odd-sizes", test_odd_sizes);
  /* The reference pairs live in ../shared; without it the drawn fixture
   * still checks the values. */
  shared_models = svd_test_shared_path ("models", NULL);
  if (g_file_test (shared_models, G_FILE_TEST_IS_DIR))
    {
      pairs = expected_pairs_load ();
      g_test_add_func ("/cl-metrics/expected-and-twin", test_expected_and_twin);
    }
  ret = g_test_run ();
  g_clear_pointer (&pairs, g_ptr_array_unref);
  svd_cl_context_unref (ctx);
  return ret;
}
