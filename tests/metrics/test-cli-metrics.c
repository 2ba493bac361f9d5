/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `svd metrics` from the outside: JSON values against expected.json,
 * DISTS with explicit weights and its unavailable path, clips, the
 * per-frame CSV and --chain. */
#define G_LOG_DOMAIN "test-cli-metrics"

#include "svd-test-utils.h"
#include "metrics-expected.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static GPtrArray *pairs;
static char *svd;

/* Runs svd with @argv (NULL-terminated, after "svd"), in @env_home as HOME
 * when given; returns the exit status and stdout. */
static int
run_svd (const char  *env_home,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *a;
  va_list ap;

  g_ptr_array_add (args, svd);
  va_start (ap, err);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  if (env_home != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "HOME", env_home, TRUE);
      g_subprocess_launcher_unsetenv (launcher, "TORCH_HOME");
      g_subprocess_launcher_unsetenv (launcher, "XDG_CACHE_HOME");
      g_subprocess_launcher_unsetenv (launcher, "VIRTUAL_ENV");
      g_subprocess_launcher_setenv (launcher, "PYTHONPATH", env_home, TRUE);
      g_subprocess_launcher_unsetenv (launcher, "SVD_DISTS_WEIGHTS");
      g_subprocess_launcher_unsetenv (launcher, "SVD_VGG16_WEIGHTS");
    }
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static JsonObject *
parse (JsonParser *parser,
       const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("svd metrics --json printed no JSON (%s):\n%s", error->message, text);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_images_json (void)
{
  g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);

  for (guint i = 0; i < pairs->len; i++)
    {
      ExpectedPair *p = g_ptr_array_index (pairs, i);
      g_autofree char *ref = svd_test_shared_path ("reference", "metrics", p->reference, NULL);
      g_autofree char *dist = svd_test_shared_path ("reference", "metrics", p->distorted, NULL);
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      gboolean small = p->width * p->height < 300 * 300;
      JsonObject *o, *s, *d;
      int status;

      /* DISTS (short256 on the CPU reference takes seconds) only on the
       * small pair; the library tests cover the others. */
      if (small)
        status = run_svd (NULL, &out, &err, "metrics", ref, dist, "--json", "--dists", "full",
                          "--dists-weights", ab, "--vgg16-weights", vgg, NULL);
      else
        status = run_svd (NULL, &out, &err, "metrics", ref, dist, "--json", NULL);
      g_assert_cmpint (status, ==, 0);
      o = parse (parser, out);
      g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "image");
      g_assert_cmpint (json_object_get_int_member (o, "width"), ==, p->width);
      s = json_object_get_object_member (o, "summary");
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "psnr_rgb_mean_of_frames"), p->psnr_rgb, 1e-3);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "psnr_rgb_of_mean_mse"), p->psnr_rgb, 1e-3);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "psnr_y_mean_of_frames"), p->psnr_y, 1e-3);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "ssim_y_mean_of_frames"), p->ssim_y, 1e-5);
      d = json_object_get_object_member (o, "dists");
      if (small)
        {
          g_assert_true (json_object_get_boolean_member (d, "available"));
          g_assert_cmpstr (json_object_get_string_member (d, "vgg16_weights"), ==, vgg);
          g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "dists_mean_of_frames"),
                                          p->dists_full, 1e-5);
        }
      else
        g_assert_true (json_object_get_null_member (s, "dists_mean_of_frames"));
    }
}

/* No weights anywhere: PSNR/SSIM still printed, DISTS "unavailable" with
 * the reason, exit status 3, never a number. */
static void
test_dists_unavailable (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 2);
  g_autofree char *ref = svd_test_shared_path ("reference", "metrics", p->reference, NULL);
  g_autofree char *dist = svd_test_shared_path ("reference", "metrics", p->distorted, NULL);
  g_autofree char *home = g_dir_make_tmp ("svd-home-XXXXXX", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *d, *s;

  g_assert_cmpint (run_svd (home, &out, &err, "metrics", ref, dist, "--json", "--dists", "short256", NULL), ==, 3);
  o = parse (parser, out);
  d = json_object_get_object_member (o, "dists");
  s = json_object_get_object_member (o, "summary");
  g_assert_false (json_object_get_boolean_member (d, "available"));
  g_assert_cmpstr (json_object_get_string_member (d, "error"), ==, "unavailable");
  g_assert_nonnull (strstr (json_object_get_string_member (d, "reason"), "vgg16-397923af.pth"));
  g_assert_nonnull (strstr (json_object_get_string_member (d, "reason"), home));
  g_assert_true (json_object_get_null_member (s, "dists_mean_of_frames"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "psnr_rgb_mean_of_frames"), p->psnr_rgb, 1e-3);

  g_assert_cmpint (run_svd (home, &out2, &err2, "metrics", ref, dist, "--dists", "short256", NULL), ==, 3);
  g_assert_nonnull (strstr (out2, "unavailable"));
  g_assert_nonnull (strstr (out2, "--dists-weights"));
  g_rmdir (home);
}

/* Two clips: a clip against itself is identical (PSNR null/inf, SSIM 1);
 * the CSV has a header and one line per frame. */
static void
test_clips_and_csv (void)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_360p_10s_hevc_aac.mp4", NULL);
  g_autofree char *dir = g_dir_make_tmp ("svd-csv-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "frames.csv", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) lines = NULL;
  JsonObject *o, *s;
  JsonArray *frames;

  g_assert_cmpint (run_svd (NULL, &out, &err, "metrics", clip, clip, "--json", "--max-frames", "3",
                            "--per-frame", csv, NULL), ==, 0);
  o = parse (parser, out);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "clip");
  g_assert_cmpint (json_object_get_int_member (o, "n_frames"), ==, 3);
  s = json_object_get_object_member (o, "summary");
  g_assert_true (json_object_get_null_member (s, "psnr_rgb_of_mean_mse"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "ssim_y_mean_of_frames"), 1.0, 1e-9);
  frames = json_object_get_array_member (o, "frames");
  g_assert_cmpuint (json_array_get_length (frames), ==, 3);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (frames, 2), "identical"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (frames, 2), "index"), ==, 2);

  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "frame,reference_frame,pts_us,psnr_rgb,psnr_y,ssim_y"));
  g_assert_true (g_str_has_prefix (lines[3], "2,2,"));
  g_remove (csv);
  g_rmdir (dir);
}

/* Two different clips of one size pair: frame 0 of the 5 s BBB against
 * the 30 s one is not identical, and both PSNR aggregates are there. */
static void
test_clips_differ_offset (void)
{
  g_autofree char *a = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *s;
  JsonArray *frames;

  /* The same clip shifted by one frame: consecutive frames differ. */
  g_assert_cmpint (run_svd (NULL, &out, &err, "metrics", a, a, "--json", "--max-frames", "2",
                            "--offset", "1", NULL), ==, 0);
  o = parse (parser, out);
  s = json_object_get_object_member (o, "summary");
  frames = json_object_get_array_member (o, "frames");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (frames, 0), "reference_index"), ==,
                   json_object_get_int_member (json_array_get_object_element (frames, 0), "index") + 1);
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (frames, 0), "identical"));
  g_assert_cmpfloat (json_object_get_double_member (s, "psnr_rgb_of_mean_mse"), >, 10.0);
  g_assert_cmpfloat (json_object_get_double_member (s, "psnr_rgb_of_mean_mse"), <=,
                     json_object_get_double_member (s, "psnr_rgb_mean_of_frames") + 1e-9);
  g_assert_cmpfloat (json_object_get_double_member (s, "ssim_y_mean_of_frames"), <, 1.0);
}

/* --chain: the 1x model on the distorted crop changes the numbers (it
 * is run), and they equal a direct run of the library reference. */
static void
test_chain (void)
{
  ExpectedPair *p = g_ptr_array_index (pairs, 2);
  g_autofree char *ref = svd_test_shared_path ("reference", "metrics", p->reference, NULL);
  g_autofree char *dist = svd_test_shared_path ("reference", "metrics", p->distorted, NULL);
  g_autofree char *model = svd_test_shared_path ("models", "seed", "1x_super_34_10_fp32.onnx", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  JsonObject *s, *s2;
  double a, b;
  int status;

  status = run_svd (NULL, &out, &err, "metrics", ref, dist, "--json", "--chain", model, NULL);
  if (status != 0)
    g_error ("svd metrics --chain failed (%d): %s", status, err);
  s = json_object_get_object_member (parse (parser, out), "summary");
  a = json_object_get_double_member (s, "psnr_rgb_mean_of_frames");
  g_assert_cmpfloat (fabs (a - p->psnr_rgb), >, 0.01);
  status = run_svd (NULL, &out2, &err2, "metrics", ref, dist, "--json", "--chain", model, "--device", "cpu-ref", NULL);
  g_assert_cmpint (status, ==, 0);
  s2 = json_object_get_object_member (parse (parser2, out2), "summary");
  b = json_object_get_double_member (s2, "psnr_rgb_mean_of_frames");
  g_test_message ("chain 1x super on the crop: PSNR RGB %.4f (OpenCL) %.4f (CPU reference), %.4f without",
                  a, b, p->psnr_rgb);
  /* The engine and the reference agree within 1e-4 per sample; after
   * rounding to 8-bit codes a handful may flip by one. */
  g_assert_cmpfloat_with_epsilon (a, b, 0.02);
}

static void
test_usage (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

  g_assert_cmpint (run_svd (NULL, &out, &err, "metrics", "only-one.png", NULL), ==, 2);
  g_assert_cmpint (run_svd (NULL, &out2, &err2, "metrics", "a.png", "b.png", "--dists", "half", NULL), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  svd_test_require_shared ();
  svd = g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
  pairs = expected_pairs_load ();
  g_test_add_func ("/cli-metrics/usage", test_usage);
  g_test_add_func ("/cli-metrics/images-json", test_images_json);
  g_test_add_func ("/cli-metrics/dists-unavailable", test_dists_unavailable);
  g_test_add_func ("/cli-metrics/clips-csv", test_clips_and_csv);
  g_test_add_func ("/cli-metrics/clips-offset", test_clips_differ_offset);
  g_test_add_func ("/cli-metrics/chain", test_chain);
  ret = g_test_run ();
  g_ptr_array_unref (pairs);
  g_free (svd);
  return ret;
}
