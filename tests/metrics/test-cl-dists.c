/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cl-dists"

#include "svd-test-utils.h"
#include "core/svd-png.h"
#include "metrics/svd-cl-dists.h"
#include "metrics/svd-dists.h"
#include "metrics/svd-metrics.h"
#include "metrics/svd-metrics-runner.h"
#include "metrics-expected.h"

#include <math.h>
#include <string.h>

static GPtrArray *pairs;
static SvdClContext *ctx;
static SvdDistsWeights *weights;
static SvdClDists *runner;

static int
pitch_for (int w)
{
  return (w + 15) / 16 * 16 + 2;
}

/* Random padded planes with a zero border, as the layout requires. */
static float *
random_planes (int      channels,
               int      w,
               int      h,
               GRand   *rand,
               gboolean positive)
{
  int pitch = pitch_for (w);
  float *p = g_new0 (float, (gsize) channels * (h + 2) * pitch);

  for (int c = 0; c < channels; c++)
    for (int y = 1; y <= h; y++)
      for (int x = 1; x <= w; x++)
        p[(gsize) c * (h + 2) * pitch + y * pitch + x] =
          positive ? (float) g_rand_double (rand) : (float) g_rand_double_range (rand, -1.0, 1.0);
  return p;
}

static void
test_conv_twin (void)
{
  const int cases[][4] = { { 3, 64, 37, 19 }, { 24, 16, 16, 1 }, { 64, 16, 1, 5 }, { 17, 32, 45, 33 } };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int ci = cases[i][0], co = cases[i][1], w = cases[i][2], h = cases[i][3], pitch = pitch_for (w);
      gsize plane = (gsize) (h + 2) * pitch;
      g_autofree float *in = random_planes (ci, w, h, rand, FALSE);
      g_autofree float *wt = g_new (float, (gsize) co * ci * 9);
      g_autofree float *bias = g_new (float, co);
      g_autofree float *a = g_new0 (float, co * plane);
      g_autofree float *b = g_new0 (float, co * plane);
      g_autoptr(GError) error = NULL;
      double worst = 0.0;
      int positives = 0;

      for (gsize k = 0; k < (gsize) co * ci * 9; k++)
        wt[k] = (float) g_rand_double_range (rand, -0.3, 0.3);
      for (int k = 0; k < co; k++)
        bias[k] = (float) g_rand_double_range (rand, -0.1, 0.1);
      svd_dists_conv3x3_relu_ref (in, ci, a, co, w, h, pitch, wt, bias, 2);
      g_assert_true (svd_cl_dists_run_conv (runner, in, ci, b, co, w, h, pitch, wt, bias, &error));
      g_assert_no_error (error);
      for (gsize k = 0; k < co * plane; k++)
        {
          worst = MAX (worst, fabs (a[k] - b[k]));
          positives += a[k] > 0;
        }
      /* The border must stay zero on both sides. */
      for (int c = 0; c < co; c++)
        for (int x = 0; x < pitch; x++)
          g_assert_true (b[c * plane + x] == 0.0f && b[c * plane + (gsize) (h + 1) * pitch + x] == 0.0f);
      g_test_message ("conv %d→%d %dx%d: worst |OpenCL − C| %.2e", ci, co, w, h, worst);
      g_assert_cmpint (positives, >, 0);
      g_assert_cmpfloat (worst, <=, 1e-5);
    }
}

/* The engine's Winograd F(2x2) and F(4x4) layers on VGG16's shapes
 * (forced, whatever auto would pick at these sizes), held to the C twin:
 * the widening 64 → 128 layer too, and sizes that are no multiple of a
 * tile. */
static void
test_conv_winograd_twin (void)
{
  const int cases[][4] = { { 64, 64, 37, 19 }, { 64, 128, 23, 13 }, { 128, 256, 9, 7 }, { 256, 256, 5, 6 } };
  const char *modes[] = { "wino2", "wino4" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(SvdClDists) wino = NULL;
      g_autoptr(GError) error = NULL;

      g_setenv ("SVD_CONV", modes[m], TRUE);
      wino = svd_cl_dists_new (ctx, NULL, &error);
      g_unsetenv ("SVD_CONV");
      g_assert_no_error (error);
      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          int ci = cases[i][0], co = cases[i][1], w = cases[i][2], h = cases[i][3], pitch = pitch_for (w);
          gsize plane = (gsize) (h + 2) * pitch;
          g_autofree float *in = random_planes (ci, w, h, rand, TRUE);
          g_autofree float *wt = g_new (float, (gsize) co * ci * 9);
          g_autofree float *bias = g_new (float, co);
          g_autofree float *a = g_new0 (float, co * plane);
          g_autofree float *b = g_new0 (float, co * plane);
          double worst = 0.0, scale = 0.0;

          for (gsize k = 0; k < (gsize) co * ci * 9; k++)
            wt[k] = (float) g_rand_double_range (rand, -0.1, 0.1);
          for (int k = 0; k < co; k++)
            bias[k] = (float) g_rand_double_range (rand, -0.1, 0.1);
          svd_dists_conv3x3_relu_ref (in, ci, a, co, w, h, pitch, wt, bias, 2);
          g_assert_true (svd_cl_dists_run_conv (wino, in, ci, b, co, w, h, pitch, wt, bias, &error));
          g_assert_no_error (error);
          for (gsize k = 0; k < co * plane; k++)
            {
              worst = MAX (worst, fabs (a[k] - b[k]));
              scale = MAX (scale, fabs (a[k]));
            }
          for (int c = 0; c < co; c++)
            for (int x = 0; x < pitch; x++)
              g_assert_true (b[c * plane + x] == 0.0f && b[c * plane + (gsize) (h + 1) * pitch + x] == 0.0f);
          g_test_message ("%s conv %d→%d %dx%d: worst |OpenCL − C| %.2e (largest value %.2f)", modes[m], ci, co,
                          w, h, worst, scale);
          g_assert_cmpfloat (scale, >, 0.1);
          g_assert_cmpfloat (worst, <=, 1e-5 * scale);
        }
    }
}

static void
test_l2pool_twin (void)
{
  const int sizes[][2] = { { 1, 1 }, { 2, 3 }, { 37, 19 }, { 64, 64 } };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      int w = sizes[i][0], h = sizes[i][1], ow = (w - 1) / 2 + 1, oh = (h - 1) / 2 + 1;
      int op = pitch_for (ow);
      gsize osize = (gsize) 5 * (oh + 2) * op;
      g_autofree float *in = random_planes (5, w, h, rand, FALSE);
      g_autofree float *a = g_new0 (float, osize);
      g_autofree float *b = g_new0 (float, osize);
      g_autoptr(GError) error = NULL;

      svd_dists_l2pool_ref (in, 5, w, h, pitch_for (w), a, ow, oh, op);
      g_assert_true (svd_cl_dists_run_l2pool (runner, in, 5, w, h, pitch_for (w), b, ow, oh, op, &error));
      g_assert_no_error (error);
      for (gsize k = 0; k < osize; k++)
        g_assert_cmpfloat_with_epsilon (a[k], b[k], 1e-6);
    }
}

static void
test_stats_twin (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  int w = 83, h = 41, c = 6;
  g_autofree float *x = random_planes (c, w, h, rand, TRUE);
  g_autofree float *y = random_planes (c, w, h, rand, TRUE);
  double a[30], b[30];
  g_autoptr(GError) error = NULL;

  /* A large mean beside a small spread: where one-pass formulas fail. */
  for (gsize k = 0; k < (gsize) c * (h + 2) * pitch_for (w); k++)
    if (x[k] != 0.0f)
      x[k] += 1000.0f;
  svd_dists_channel_stats_ref (x, y, c, w, h, pitch_for (w), a);
  g_assert_true (svd_cl_dists_run_stats (runner, x, y, c, w, h, pitch_for (w), b, &error));
  g_assert_no_error (error);
  for (int k = 0; k < 30; k++)
    g_assert_cmpfloat_with_epsilon (a[k], b[k], 1e-6 * MAX (1.0, fabs (a[k])));
}

static void
test_resize_twin (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 1);
  g_autoptr(SvdImage) src = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGBA8);
  const int sizes[][2] = { { 455, 256 }, { 300, 97 }, { 1000, 600 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdImage) a = svd_dists_resize_ref (src, sizes[i][0], sizes[i][1], &error);
      g_autoptr(SvdImage) b = svd_cl_dists_run_resize (runner, src, sizes[i][0], sizes[i][1], &error);
      double worst = 0.0;

      g_assert_no_error (error);
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < a->height; y++)
          for (int x = 0; x < a->width; x++)
            worst = MAX (worst, fabs (((float *) (a->data[c] + y * a->stride[c]))[x] -
                                      ((float *) (b->data[c] + y * b->stride[c]))[x]));
      g_test_message ("resize to %dx%d: worst |OpenCL − C| %.2e", sizes[i][0], sizes[i][1], worst);
      g_assert_cmpfloat (worst, <=, 1e-6);
    }
}

static void
check_expected (SvdDistsMode mode)
{
  for (guint i = 0; i < pairs->len; i++)
    {
      ExpectedPair *p = g_ptr_array_index (pairs, i);
      g_autoptr(SvdImage) ref = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGBA8);
      g_autoptr(SvdImage) dist = expected_load_image (p->distorted, SVD_PIXEL_FORMAT_RGB_F32);
      g_autoptr(GError) error = NULL;
      double expected = mode == SVD_DISTS_FULL ? p->dists_full : p->dists_short256;
      double score = NAN;
      gint64 t0 = g_get_monotonic_time ();

      g_assert_true (svd_cl_dists_compute (runner, ref, dist, mode, &score, NULL, &error));
      g_assert_no_error (error);
      g_test_message ("%s vs %s, %s: OpenCL DISTS %.9f, expected %.9f (diff %.2e), %.1f s",
                      p->reference, p->distorted, svd_dists_mode_name (mode), score, expected,
                      fabs (score - expected), (g_get_monotonic_time () - t0) / 1e6);
      g_assert_cmpfloat_with_epsilon (score, expected, 1e-5);
    }
}

static void
test_expected_short256 (void)
{
  check_expected (SVD_DISTS_SHORT256);
}

/* A cancelled DISTS stops with G_IO_ERROR_CANCELLED; with a cancellable
 * that does not fire (the queue is then drained per layer) the score is
 * the same as without. */
static void
test_cancel (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 0);
  g_autoptr(SvdImage) ref = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGBA8);
  g_autoptr(SvdImage) dist = expected_load_image (p->distorted, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  double score = NAN;

  g_assert_true (svd_cl_dists_compute (runner, ref, dist, SVD_DISTS_SHORT256, &score, cancellable, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (score, p->dists_short256, 1e-5);
  g_cancellable_cancel (cancellable);
  score = NAN;
  g_assert_false (svd_cl_dists_compute (runner, ref, dist, SVD_DISTS_SHORT256, &score, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (isnan (score));
}

static void
test_expected_full (void)
{
  check_expected (SVD_DISTS_FULL);
}

/* A blend of @a and @b (RGB_F32): one "chain output" per weight. */
static SvdImage *
blend (const SvdImage *a,
       const SvdImage *b,
       float           t)
{
  SvdImage *o = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, a->width, a->height, NULL);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < a->height; y++)
      {
        const float *pa = (const float *) (a->data[c] + (gsize) y * a->stride[c]);
        const float *pb = (const float *) (b->data[c] + (gsize) y * b->stride[c]);
        float *po = (float *) (o->data[c] + (gsize) y * o->stride[c]);

        for (int x = 0; x < a->width; x++)
          po[x] = (1.0f - t) * pa[x] + t * pb[x];
      }
  return o;
}

/* Four chains scored against one reference frame run one reference
 * feature pass (the runner keeps its features on the device), and score
 * exactly what a separate DISTS per chain scores. */
static void
test_shared_reference (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 0);
  g_autoptr(SvdImage) ref = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) dist = expected_load_image (p->distorted, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdMetricsRunner) mr = NULL;
  g_autoptr(GError) error = NULL;
  SvdImage *chains[4];
  double separate[4];
  SvdSettings settings;
  guint passes;

  svd_settings_init (&settings);
  settings.dists_weights = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  settings.vgg16_weights = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
  mr = svd_metrics_runner_new_for_context (ctx, &settings, TRUE, SVD_DISTS_SHORT256, &error);
  svd_settings_clear (&settings);
  g_assert_no_error (error);
  g_assert_null (svd_metrics_runner_get_dists_error (mr));
  for (int i = 0; i < 4; i++)
    {
      chains[i] = blend (dist, ref, 0.2f * i);
      g_assert_true (svd_metrics_runner_compute_dists (mr, ref, chains[i], &separate[i], NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpfloat_with_epsilon (separate[0], p->dists_short256, 1e-5);
  /* Separately: two passes per chain. */
  g_assert_cmpuint (svd_metrics_runner_get_dists_feature_passes (mr), ==, 8);

  for (int frame = 0; frame < 2; frame++)
    {
      passes = svd_metrics_runner_get_dists_feature_passes (mr);
      for (int i = 0; i < 4; i++)
        {
          double score = NAN;

          g_assert_true (svd_metrics_runner_compute_dists_shared (mr, ref, 10 + frame, chains[i], &score, NULL,
                                                                  &error));
          g_assert_no_error (error);
          g_test_message ("frame %d chain %d: shared %.12f, separate %.12f", frame, i, score, separate[i]);
          g_assert_cmpfloat_with_epsilon (score, separate[i], 1e-12);
        }
      /* One reference pass for the frame, one per chain. */
      g_assert_cmpuint (svd_metrics_runner_get_dists_feature_passes (mr) - passes, ==, 1 + 4);
    }
  /* The same frame again reuses the kept reference; dropped, it is
   * computed again. */
  passes = svd_metrics_runner_get_dists_feature_passes (mr);
  {
    double score = NAN;

    g_assert_true (svd_metrics_runner_compute_dists_shared (mr, ref, 11, chains[1], &score, NULL, &error));
    g_assert_cmpuint (svd_metrics_runner_get_dists_feature_passes (mr) - passes, ==, 1);
    svd_metrics_runner_drop_dists_reference (mr);
    g_assert_true (svd_metrics_runner_compute_dists_shared (mr, ref, 11, chains[1], &score, NULL, &error));
    g_assert_cmpuint (svd_metrics_runner_get_dists_feature_passes (mr) - passes, ==, 3);
    g_assert_cmpfloat_with_epsilon (score, separate[1], 1e-12);
  }
  for (int i = 0; i < 4; i++)
    svd_image_unref (chains[i]);
}

/* A runner keeps its buffers from pass to pass (and those of freed
 * features) and only zeroes their padding when the size changes: a 720p
 * pair scored after a 257x131 one (other buffer geometry, stale pixels
 * where the padding now lies), and the small pair again after it, must
 * give a fresh runner's bits. */
static void
test_reuse (void)
{
  ExpectedPair *big = g_ptr_array_index (pairs, 0), *small = g_ptr_array_index (pairs, 2);
  g_autoptr(SvdImage) bref = expected_load_image (big->reference, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) bdist = expected_load_image (big->distorted, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) sref = expected_load_image (small->reference, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) sdist = expected_load_image (small->distorted, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(GError) error = NULL;
  double fresh_big, fresh_small, s1, s2, s3;

  g_assert_cmpint (sref->width, ==, 257);
  {
    g_autoptr(SvdClDists) fresh = svd_cl_dists_new (ctx, weights, &error);

    g_assert_no_error (error);
    g_assert_true (svd_cl_dists_compute (fresh, bref, bdist, SVD_DISTS_SHORT256, &fresh_big, NULL, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(SvdClDists) fresh = svd_cl_dists_new (ctx, weights, &error);

    g_assert_no_error (error);
    g_assert_true (svd_cl_dists_compute (fresh, sref, sdist, SVD_DISTS_FULL, &fresh_small, NULL, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(SvdClDists) d = svd_cl_dists_new (ctx, weights, &error);

    g_assert_no_error (error);
    g_assert_true (svd_cl_dists_compute (d, sref, sdist, SVD_DISTS_FULL, &s1, NULL, &error));
    g_assert_true (svd_cl_dists_compute (d, bref, bdist, SVD_DISTS_SHORT256, &s2, NULL, &error));
    g_assert_true (svd_cl_dists_compute (d, sref, sdist, SVD_DISTS_FULL, &s3, NULL, &error));
    g_assert_no_error (error);
  }
  g_test_message ("fresh %.12g %.12g, reused %.12g %.12g %.12g", fresh_small, fresh_big, s1, s2, s3);
  g_assert_cmpfloat (s1, ==, fresh_small);
  g_assert_cmpfloat (s2, ==, fresh_big);
  g_assert_cmpfloat (s3, ==, fresh_small);
  g_assert_cmpfloat_with_epsilon (s2, big->dists_short256, 1e-5);
  g_assert_cmpfloat_with_epsilon (s3, small->dists_full, 1e-5);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *ab = NULL, *vgg = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  svd_test_require_shared ();
  ctx = svd_test_cl_context ();
  pairs = expected_pairs_load ();
  ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
  weights = svd_dists_weights_load (ab, vgg, &error);
  g_assert_no_error (error);
  runner = svd_cl_dists_new (ctx, weights, &error);
  g_assert_no_error (error);
  g_test_add_func ("/cl-dists/conv-twin", test_conv_twin);
  g_test_add_func ("/cl-dists/conv-winograd-twin", test_conv_winograd_twin);
  g_test_add_func ("/cl-dists/l2pool-twin", test_l2pool_twin);
  g_test_add_func ("/cl-dists/stats-twin", test_stats_twin);
  g_test_add_func ("/cl-dists/resize-twin", test_resize_twin);
  g_test_add_func ("/cl-dists/expected-short256", test_expected_short256);
  g_test_add_func ("/cl-dists/expected-full", test_expected_full);
  g_test_add_func ("/cl-dists/cancel", test_cancel);
  g_test_add_func ("/cl-dists/shared-reference", test_shared_reference);
  g_test_add_func ("/cl-dists/reuse", test_reuse);
  ret = g_test_run ();
  svd_cl_dists_free (runner);
  svd_dists_weights_free (weights);
  g_ptr_array_unref (pairs);
  svd_cl_context_unref (ctx);
  return ret;
}
