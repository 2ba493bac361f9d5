/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dists"

#include "svd-test-utils.h"
#include "core/svd-png.h"
#include "metrics/svd-dists.h"
#include "metrics/svd-metrics.h"
#include "metrics-expected.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static GPtrArray *pairs;
static SvdDistsWeights *weights;

static SvdDistsWeights *
load_reference_weights (void)
{
  g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
  g_autoptr(GError) error = NULL;
  SvdDistsWeights *w = svd_dists_weights_load (ab, vgg, &error);

  g_assert_no_error (error);
  return w;
}

static void
check_pair (ExpectedPair *p,
            SvdDistsMode  mode)
{
  g_autoptr(SvdImage) ref = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(SvdImage) dist = expected_load_image (p->distorted, SVD_PIXEL_FORMAT_RGB8);
  g_autoptr(GError) error = NULL;
  double expected = mode == SVD_DISTS_FULL ? p->dists_full : p->dists_short256;
  double score = NAN;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_true (svd_dists_compute_ref (weights, ref, dist, mode, 0, &score, &error));
  g_assert_no_error (error);
  g_test_message ("%s vs %s, %s: DISTS %.9f, expected %.9f (diff %.2e), CPU %.1f s",
                  p->reference, p->distorted, svd_dists_mode_name (mode), score, expected,
                  fabs (score - expected), (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpfloat_with_epsilon (score, expected, 1e-5);
}

/* The CPU reference: full resolution on the small pair (VGG16 on 720p is
 * for OpenCL), short256 on every pair. */
static void
test_cpu_full_small (void)
{
  for (guint i = 0; i < pairs->len; i++)
    {
      ExpectedPair *p = g_ptr_array_index (pairs, i);

      if (p->width * p->height <= 300 * 300)
        check_pair (p, SVD_DISTS_FULL);
    }
}

static void
test_cpu_short256 (void)
{
  for (guint i = 0; i < pairs->len; i++)
    check_pair (g_ptr_array_index (pairs, i), SVD_DISTS_SHORT256);
}

static void
test_short256_size (void)
{
  int w, h;

  svd_dists_short256_size (1280, 720, &w, &h);
  g_assert_cmpint (w, ==, 455);
  g_assert_cmpint (h, ==, 256);
  svd_dists_short256_size (720, 1280, &w, &h);
  g_assert_cmpint (w, ==, 256);
  g_assert_cmpint (h, ==, 455);
  svd_dists_short256_size (854, 480, &w, &h);
  g_assert_cmpint (w, ==, 455);
  svd_dists_short256_size (257, 131, &w, &h);
  g_assert_cmpint (w, ==, 257);
  g_assert_cmpint (h, ==, 131);
  svd_dists_short256_size (300, 256, &w, &h);
  g_assert_cmpint (w, ==, 300);
}

/* The resize against a direct evaluation of the README's formula (taps,
 * triangle weights, normalisation) at sampled output pixels, and its
 * basic properties: a constant stays constant. */
static void
test_resize_formula (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 1);
  g_autoptr(SvdImage) src = expected_load_image (p->reference, SVD_PIXEL_FORMAT_RGB_F32);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) out = NULL;
  int ow, oh;

  svd_dists_short256_size (src->width, src->height, &ow, &oh);
  out = svd_dists_resize_ref (src, ow, oh, &error);
  g_assert_no_error (error);
  for (int oy = 0; oy < oh; oy += 17)
    for (int ox = 0; ox < ow; ox += 13)
      {
        double sx = (double) src->width / ow, sy = (double) src->height / oh;
        double cx = sx * (ox + 0.5), cy = sy * (oy + 0.5);
        double supx = MAX (sx, 1.0), supy = MAX (sy, 1.0);
        int x0 = MAX ((int) floor (cx - supx + 0.5), 0), x1 = MIN ((int) floor (cx + supx + 0.5), src->width);
        int y0 = MAX ((int) floor (cy - supy + 0.5), 0), y1 = MIN ((int) floor (cy + supy + 0.5), src->height);
        double wxs = 0, wys = 0, acc = 0;

        for (int x = x0; x < x1; x++)
          wxs += MAX (0.0, 1.0 - fabs ((x - cx + 0.5) / supx));
        for (int y = y0; y < y1; y++)
          wys += MAX (0.0, 1.0 - fabs ((y - cy + 0.5) / supy));
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            {
              double wx = MAX (0.0, 1.0 - fabs ((x - cx + 0.5) / supx)) / wxs;
              double wy = MAX (0.0, 1.0 - fabs ((y - cy + 0.5) / supy)) / wys;

              acc += wx * wy * ((const float *) (src->data[1] + y * src->stride[1]))[x];
            }
        g_assert_cmpfloat_with_epsilon (((const float *) (out->data[1] + oy * out->stride[1]))[ox], acc, 1e-6);
      }
}

/* Discovery order with files placed in a temporary HOME, TORCH_HOME and
 * PYTHONPATH; and the unavailable path. */
static void
touch (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "x", 1, NULL));
}

static void
test_discovery (void)
{
  g_autofree char *root = g_dir_make_tmp ("svd-dists-XXXXXX", NULL);
  g_autofree char *home = g_build_filename (root, "home", NULL);
  g_autofree char *site = g_build_filename (root, "site", NULL);
  g_autofree char *torch = g_build_filename (root, "torch", NULL);
  g_autofree char *user_site = g_build_filename (home, ".local", "lib", "python3.11", "site-packages",
                                                 "DISTS_pytorch", "weights.pt", NULL);
  g_autofree char *pp_site = g_build_filename (site, "DISTS_pytorch", "weights.pt", NULL);
  g_autofree char *pyiqa = g_build_filename (home, ".cache", "torch", "hub", "pyiqa",
                                             "DISTS_weights-f5e65c96.pth", NULL);
  g_autofree char *vgg_home = g_build_filename (home, ".cache", "torch", "hub", "checkpoints",
                                                SVD_VGG16_FILENAME, NULL);
  g_autofree char *vgg_torch = g_build_filename (torch, "hub", "checkpoints", SVD_VGG16_FILENAME, NULL);
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  char *ab = NULL, *vgg = NULL;

  svd_settings_init (&settings);
  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("TORCH_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("VIRTUAL_ENV");
  g_setenv ("PYTHONPATH", site, TRUE);

  /* Nothing anywhere: unavailable, saying where it looked and what to do. */
  g_assert_false (svd_dists_locate (&settings, &ab, &vgg, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, SVD_VGG16_FILENAME));
  g_assert_nonnull (strstr (error->message, "--vgg16-weights"));
  g_assert_nonnull (strstr (error->message, "--dists-weights"));
  g_assert_nonnull (strstr (error->message, "DISTS_pytorch"));
  g_assert_nonnull (strstr (error->message, home));
  g_clear_error (&error);
  g_assert_null (svd_dists_weights_find (&settings, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* pyiqa only, VGG in ~/.cache. */
  touch (pyiqa);
  touch (vgg_home);
  g_assert_true (svd_dists_locate (&settings, &ab, &vgg, &error));
  g_assert_cmpstr (ab, ==, pyiqa);
  g_assert_cmpstr (vgg, ==, vgg_home);
  g_clear_pointer (&ab, g_free);
  g_clear_pointer (&vgg, g_free);

  /* DISTS_pytorch in the user site beats pyiqa; TORCH_HOME beats ~/.cache. */
  touch (user_site);
  touch (vgg_torch);
  g_setenv ("TORCH_HOME", torch, TRUE);
  g_assert_true (svd_dists_locate (&settings, &ab, &vgg, &error));
  g_assert_cmpstr (ab, ==, user_site);
  g_assert_cmpstr (vgg, ==, vgg_torch);
  g_clear_pointer (&ab, g_free);
  g_clear_pointer (&vgg, g_free);

  /* PYTHONPATH beats the user site. */
  touch (pp_site);
  g_assert_true (svd_dists_locate (&settings, &ab, &vgg, &error));
  g_assert_cmpstr (ab, ==, pp_site);
  g_clear_pointer (&ab, g_free);
  g_clear_pointer (&vgg, g_free);

  /* Explicit paths beat everything; a missing explicit file is an error,
   * not a silent fallback. */
  settings.vgg16_weights = g_strdup (vgg_home);
  settings.dists_weights = g_strdup (pyiqa);
  g_assert_true (svd_dists_locate (&settings, &ab, &vgg, &error));
  g_assert_cmpstr (ab, ==, pyiqa);
  g_assert_cmpstr (vgg, ==, vgg_home);
  g_clear_pointer (&ab, g_free);
  g_clear_pointer (&vgg, g_free);
  g_free (settings.vgg16_weights);
  settings.vgg16_weights = g_build_filename (root, "nope.pth", NULL);
  g_assert_false (svd_dists_locate (&settings, &ab, &vgg, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "nope.pth"));
  g_clear_error (&error);

  /* Found files that are not weights: a clear error, no number. */
  g_clear_pointer (&settings.vgg16_weights, g_free);
  g_clear_pointer (&settings.dists_weights, g_free);
  g_assert_null (svd_dists_weights_find (&settings, &error));
  g_assert_nonnull (error);
  g_test_message ("bad weights file: %s", error->message);
  g_clear_error (&error);

  /* The real layout: the reference α/β copied as pyiqa's name. */
  {
    g_autofree char *src = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
    g_autofree char *vsrc = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
    g_autofree char *bytes = NULL;
    gsize len;
    g_autoptr(SvdDistsWeights) w = NULL;

    g_assert_true (g_file_get_contents (src, &bytes, &len, NULL));
    g_assert_true (g_file_set_contents (pp_site, bytes, len, NULL));
    settings.vgg16_weights = g_strdup (vsrc);
    w = svd_dists_weights_find (&settings, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (w->dists_path, ==, pp_site);
    g_assert_cmpfloat_with_epsilon (w->alpha[0], weights->alpha[0], 1e-15);
  }

  g_remove (pp_site);
  g_remove (user_site);
  g_remove (pyiqa);
  g_remove (vgg_home);
  g_remove (vgg_torch);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  svd_test_require_shared ();
  pairs = expected_pairs_load ();
  weights = load_reference_weights ();
  g_test_add_func ("/dists/short256-size", test_short256_size);
  g_test_add_func ("/dists/resize-formula", test_resize_formula);
  g_test_add_func ("/dists/discovery", test_discovery);
  g_test_add_func ("/dists/cpu-full-small", test_cpu_full_small);
  g_test_add_func ("/dists/cpu-short256", test_cpu_short256);
  ret = g_test_run ();
  svd_dists_weights_free (weights);
  g_ptr_array_unref (pairs);
  return ret;
}
