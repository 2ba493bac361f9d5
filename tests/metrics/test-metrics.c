/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-metrics"

#include "svd-test-utils.h"
#include "core/svd-png.h"
#include "metrics/svd-metrics.h"
#include "metrics-expected.h"
#include "metrics-fixture.h"

#include <math.h>

static GPtrArray *pairs;

/* PSNR and SSIM of every reference pair, from RGB8 and from RGB_F32
 * (v/255) inputs, against expected.json (README tolerances). */
static void
test_expected_values (void)
{
  for (guint i = 0; i < pairs->len; i++)
    {
      ExpectedPair *p = g_ptr_array_index (pairs, i);
      SvdPixelFormat formats[] = { SVD_PIXEL_FORMAT_RGB8, SVD_PIXEL_FORMAT_RGB_F32 };

      for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
        {
          g_autoptr(SvdImage) ref = expected_load_image (p->reference, formats[f]);
          g_autoptr(SvdImage) dist = expected_load_image (p->distorted, formats[f]);
          g_autoptr(GError) error = NULL;
          SvdMetricsFrame frame;

          g_assert_cmpint (ref->width, ==, p->width);
          g_assert_cmpint (ref->height, ==, p->height);
          g_assert_true (svd_metrics_compute (ref, dist, NULL, &frame, NULL, NULL, &error));
          g_assert_no_error (error);
          g_test_message ("%s vs %s (%s): PSNR RGB %.6f (exp %.6f), Y %.6f (exp %.6f), SSIM %.8f (exp %.8f)",
                          p->reference, p->distorted, svd_pixel_format_get_info (formats[f])->name,
                          frame.psnr_rgb, p->psnr_rgb, frame.psnr_y, p->psnr_y, frame.ssim_y, p->ssim_y);
          g_assert_cmpfloat_with_epsilon (frame.psnr_rgb, p->psnr_rgb, 1e-3);
          g_assert_cmpfloat_with_epsilon (frame.psnr_y, p->psnr_y, 1e-3);
          g_assert_true (frame.has_ssim);
          g_assert_cmpfloat_with_epsilon (frame.ssim_y, p->ssim_y, 1e-5);
        }
    }
}

/* The maps: the SSIM map's mean over the valid positions is the SSIM, the
 * difference map is |ref − dist|, and the thread count does not change a
 * single bit of the result. */
static void
test_maps_and_threads (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 2);   /* the odd 257x131 crop */
  g_autoptr(SvdImage) ref = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) dist = expected_load_image (p->distorted, SVD_PIXEL_FORMAT_RGBA8);
  g_autoptr(SvdImage) dist_f = expected_load_image (p->distorted, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) smap = NULL;
  g_autoptr(SvdImage) dmap = NULL;
  g_autoptr(GError) error = NULL;
  SvdMetricsOptions one = { .threads = 1 }, many = { .threads = 5 };
  SvdMetricsFrame a, b;
  double sum = 0.0;
  int w = ref->width, h = ref->height;

  g_assert_true (svd_metrics_compute (ref, dist, &one, &a, &smap, &dmap, &error));
  g_assert_no_error (error);
  g_assert_true (svd_metrics_compute (ref, dist, &many, &b, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (a.psnr_rgb == b.psnr_rgb && a.psnr_y == b.psnr_y && a.ssim_y == b.ssim_y);

  g_assert_true (smap->data[0] == smap->data[1] && smap->data[1] == smap->data[2]);
  for (int y = SVD_SSIM_RADIUS; y < h - SVD_SSIM_RADIUS; y++)
    for (int x = SVD_SSIM_RADIUS; x < w - SVD_SSIM_RADIUS; x++)
      sum += ((const float *) (smap->data[0] + y * smap->stride[0]))[x];
  g_assert_cmpfloat_with_epsilon (sum / ((w - 10.0) * (h - 10.0)), a.ssim_y, 1e-6);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          float d = ((const float *) (dmap->data[c] + y * dmap->stride[c]))[x];
          float r = ((const float *) (ref->data[c] + y * ref->stride[c]))[x];
          float e = ((const float *) (dist_f->data[c] + y * dist_f->stride[c]))[x];

          g_assert_cmpfloat_with_epsilon (d, fabsf (r - e), 1e-6);
        }
}

static void
test_identical_and_small (void)
{
  g_autoptr(SvdImage) a = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 10, 40, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) c = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 11, 40, NULL);
  SvdMetricsFrame f;

  svd_test_fill_random_rgb (a, 7);
  g_assert_true (svd_metrics_compute (a, a, NULL, &f, NULL, NULL, &error));
  g_assert_true (isinf (f.psnr_rgb) && f.psnr_rgb > 0 && isinf (f.psnr_y));
  g_assert_false (f.has_ssim);       /* 10 wide: no window fits */
  g_assert_true (isnan (f.ssim_y));

  g_assert_false (svd_metrics_compute (a, c, NULL, &f, NULL, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
}

/* Aggregates: mean of per-frame PSNR vs PSNR of the mean MSE, by hand. */
static void
test_accumulator (void)
{
  g_autoptr(SvdMetricsAccumulator) acc = svd_metrics_accumulator_new ();
  SvdMetricsFrame f1, f2;
  SvdMetricsSummary s;

  svd_metrics_frame_init (&f1);
  svd_metrics_frame_init (&f2);
  f1.mse_rgb = 10.0; f1.mse_y = 4.0;
  f2.mse_rgb = 1000.0; f2.mse_y = 400.0;
  f1.psnr_rgb = svd_metrics_psnr_from_mse (f1.mse_rgb);
  f2.psnr_rgb = svd_metrics_psnr_from_mse (f2.mse_rgb);
  f1.psnr_y = svd_metrics_psnr_from_mse (f1.mse_y);
  f2.psnr_y = svd_metrics_psnr_from_mse (f2.mse_y);
  f1.has_ssim = TRUE; f1.ssim_y = 0.5;
  svd_metrics_accumulator_add (acc, &f1);
  svd_metrics_accumulator_add (acc, &f2);
  svd_metrics_accumulator_get (acc, &s);
  g_assert_cmpuint (s.n_frames, ==, 2);
  g_assert_cmpfloat_with_epsilon (s.psnr_rgb_mean, (f1.psnr_rgb + f2.psnr_rgb) / 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.psnr_rgb_of_mean_mse, 10 * log10 (65025.0 / 505.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (s.psnr_y_of_mean_mse, 10 * log10 (65025.0 / 202.0), 1e-12);
  g_assert_cmpuint (s.n_ssim, ==, 1);
  g_assert_cmpfloat (s.ssim_y_mean, ==, 0.5);
  g_assert_cmpuint (s.n_dists, ==, 0);
  g_assert_true (isnan (s.dists_mean));
}

/* The drawn fixture against scikit-image (metrics-fixture.h), from RGB8
 * and from RGB_F32: needs nothing from ../shared. */
static void
test_drawn_fixture (void)
{
  g_autoptr(SvdImage) ref = fixture_image (FALSE);
  g_autoptr(SvdImage) dist = fixture_image (TRUE);
  g_autoptr(SvdImage) ref_f = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, FIXTURE_W, FIXTURE_H, NULL);
  g_autoptr(SvdImage) dist_f = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, FIXTURE_W, FIXTURE_H, NULL);
  g_autoptr(GError) error = NULL;
  SvdMetricsFrame frame;

  /* The float images hold v/255 in planes, as the engine gives them. */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < FIXTURE_H; y++)
      for (int x = 0; x < FIXTURE_W; x++)
        {
          ((float *) (ref_f->data[c] + y * ref_f->stride[c]))[x] = fixture_ref_value (x, y, c) / 255.0f;
          ((float *) (dist_f->data[c] + y * dist_f->stride[c]))[x] = fixture_dist_value (x, y, c) / 255.0f;
        }
  for (int f = 0; f < 2; f++)
    {
      g_assert_true (svd_metrics_compute (f == 0 ? ref : ref_f, f == 0 ? dist : dist_f, NULL, &frame, NULL, NULL,
                                          &error));
      g_assert_no_error (error);
      g_test_message ("drawn fixture (%s): PSNR RGB %.6f (skimage %.6f), Y %.6f (%.6f), SSIM %.8f (%.8f)",
                      f == 0 ? "rgb8" : "f32", frame.psnr_rgb, FIXTURE_PSNR_RGB, frame.psnr_y, FIXTURE_PSNR_Y,
                      frame.ssim_y, FIXTURE_SSIM_Y);
      g_assert_cmpfloat_with_epsilon (frame.psnr_rgb, FIXTURE_PSNR_RGB, 1e-4);
      g_assert_cmpfloat_with_epsilon (frame.psnr_y, FIXTURE_PSNR_Y, 1e-4);
      g_assert_true (frame.has_ssim);
      g_assert_cmpfloat_with_epsilon (frame.ssim_y, FIXTURE_SSIM_Y, 1e-6);
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_autofree char *shared_models = NULL;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/drawn-fixture", test_drawn_fixture);
  g_test_add_func ("/metrics/identical-and-small", test_identical_and_small);
  g_test_add_func ("/metrics/accumulator", test_accumulator);
  /* The reference pairs live in ../shared; without it the drawn fixture
   * still checks the values. */
  shared_models = svd_test_shared_path ("models", NULL);
  if (g_file_test (shared_models, G_FILE_TEST_IS_DIR))
    {
      pairs = expected_pairs_load ();
      g_test_add_func ("/metrics/expected-values", test_expected_values);
      g_test_add_func ("/metrics/maps-and-threads", test_maps_and_threads);
    }
  else
    g_test_message ("../shared is missing: only the drawn fixture and the synthetic checks run");
  ret = g_test_run ();
  g_clear_pointer (&pairs, g_ptr_array_unref);
  return ret;
}
