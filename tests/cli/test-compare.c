/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `svd compare` from the outside: the session's numbers for each frame
 * equal `svd metrics REF DIST --chain C` for that frame, in every
 * reference mode, on a clip FFmpeg makes here and (when ../shared is
 * there) on the Big Buck Bunny clip with a seed model and DISTS. */
#define G_LOG_DOMAIN "test-compare"

#include "svd-test-utils.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static char *svd;
static char *work;     /* a temporary directory, also XDG_CACHE_HOME */
static char *clean;    /* a clip drawn by FFmpeg here */
static char *model_2x; /* the project's own 2x model */

/* Runs svd with the NULL-terminated arguments; returns the exit status and
 * stdout (stderr goes to the log). */
static int
run_svd (char **out,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *a;
  va_list ap;

  g_ptr_array_add (args, svd);
  va_start (ap, out);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  /* The degraded inputs of Synthesize are cached per user: here, per run. */
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", work, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, &err, &error));
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("stderr: %s", err);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static JsonObject *
parse (JsonParser *parser,
       const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("no JSON (%s):\n%s", error->message, text);
  return json_node_get_object (json_parser_get_root (parser));
}

static double
member_or_nan (JsonObject *o,
               const char *name)
{
  if (!json_object_has_member (o, name) || json_object_get_null_member (o, name))
    return NAN;
  return json_object_get_double_member (o, name);
}

/* Chain @slot of a compare output against `svd metrics` with the same
 * chain for the same frames: the same numbers, to the last bit the JSON
 * carries (both use one converter, engine and runner on one device). */
static void
check_against_metrics (JsonObject *compare,
                       guint       slot,
                       const char *chain,
                       const char *dists)
{
  JsonArray *chains = json_object_get_array_member (compare, "chains");
  JsonObject *c = json_array_get_object_element (chains, slot);
  JsonArray *frames = json_object_get_array_member (c, "frames");
  const char *input = json_object_get_string_member (compare, "input");
  const char *reference = json_object_get_string_member (compare, "reference");
  g_autofree char *n = g_strdup_printf ("%u", json_array_get_length (frames));
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *m;
  JsonArray *mframes;
  int status;

  g_assert_cmpstr (json_object_get_string_member (c, "chain"), ==, chain);
  if (dists != NULL)
    status = run_svd (&out, "metrics", reference, input, "--chain", chain, "--max-frames", n, "--json",
                      "--dists", dists, NULL);
  else
    status = run_svd (&out, "metrics", reference, input, "--chain", chain, "--max-frames", n, "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  m = parse (parser, out);
  mframes = json_object_get_array_member (m, "frames");
  g_assert_cmpuint (json_array_get_length (mframes), ==, json_array_get_length (frames));
  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *a = json_array_get_object_element (frames, i);
      JsonObject *b = json_array_get_object_element (mframes, i);
      static const char *names[] = { "psnr_rgb", "psnr_y", "ssim_y", "mse_rgb", "mse_y" };

      g_assert_cmpint (json_object_get_int_member (a, "index"), ==, json_object_get_int_member (b, "index"));
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          double va = member_or_nan (a, names[k]), vb = member_or_nan (b, names[k]);

          g_test_message ("chain %u frame %u %s: compare %.10g metrics %.10g", slot + 1, i, names[k], va, vb);
          g_assert_true (isfinite (va));
          g_assert_cmpfloat_with_epsilon (va, vb, 1e-9 * MAX (1.0, fabs (vb)));
        }
      if (dists != NULL)
        g_assert_cmpfloat_with_epsilon (member_or_nan (a, "dists"), member_or_nan (b, "dists"), 1e-6);
      g_assert_cmpfloat (json_object_get_double_member (a, "chain_ms"), >, 0);
      /* The output reached the metrics on the device whenever there is
       * one (the metrics say which device they ran on). */
      if (g_strcmp0 (json_object_get_string_member (compare, "device"), "cpu-ref") != 0)
        g_assert_cmpstr (json_object_get_string_member (a, "metrics_input"), ==, "device");
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (a, "stage_ms")), >=, 1);
    }
}

static void
test_generated_synthesize (void)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *s;
  JsonArray *chains;

  g_assert_cmpint (run_svd (&out, "compare", clean, "--synthesize", "2,bicubic,28",
                            "--chain", "bicubic:2", "--chain", model_2x, "--frames", "1:4", "--json", NULL), ==, 0);
  o = parse (parser, out);
  g_assert_cmpstr (json_object_get_string_member (o, "mode"), ==, "synthesize");
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 64);
  chains = json_object_get_array_member (o, "chains");
  g_assert_cmpuint (json_array_get_length (chains), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonArray *frames = json_object_get_array_member (json_array_get_object_element (chains, i), "frames");

      g_assert_cmpuint (json_array_get_length (frames), ==, 3);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (frames, 0), "index"), ==, 1);
    }
  s = json_object_get_object_member (o, "summary");
  g_assert_cmpint (json_object_get_int_member (s, "n_frames"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (s, "fps"), >, 0);
  /* `svd metrics --chain` takes models only: the model chain. A frame
   * range that does not start at 0 pairs the same frames: check it by
   * asking svd metrics for frames 0..3 and comparing 1..3. */
  {
    JsonObject *c = json_array_get_object_element (chains, 1);
    JsonArray *frames = json_object_get_array_member (c, "frames");
    g_autofree char *mout = NULL;
    g_autoptr(JsonParser) mp = json_parser_new ();
    JsonArray *mframes;

    g_assert_cmpint (run_svd (&mout, "metrics", clean, json_object_get_string_member (o, "input"),
                              "--chain", model_2x, "--max-frames", "4", "--json", NULL), ==, 0);
    mframes = json_object_get_array_member (parse (mp, mout), "frames");
    for (guint i = 0; i < 3; i++)
      {
        JsonObject *a = json_array_get_object_element (frames, i);
        JsonObject *b = json_array_get_object_element (mframes, i + 1);

        g_assert_cmpint (json_object_get_int_member (a, "index"), ==, json_object_get_int_member (b, "index"));
        g_assert_cmpfloat_with_epsilon (json_object_get_double_member (a, "psnr_y"),
                                        json_object_get_double_member (b, "psnr_y"), 1e-9);
        g_assert_cmpfloat_with_epsilon (json_object_get_double_member (a, "ssim_y"),
                                        json_object_get_double_member (b, "ssim_y"), 1e-9);
      }
  }
}

/* --reference on the pair Synthesize made gives the same numbers as
 * --synthesize did, and as svd metrics. */
static void
test_generated_pair (void)
{
  g_autofree char *out = NULL, *out2 = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  JsonObject *syn, *pair;
  const char *input;

  g_assert_cmpint (run_svd (&out, "compare", clean, "--synthesize", "2,bicubic,28",
                            "--chain", model_2x, "--frames", "0:3", "--json", NULL), ==, 0);
  syn = parse (parser, out);
  input = json_object_get_string_member (syn, "input");
  g_assert_cmpint (run_svd (&out2, "compare", input, "--reference", clean,
                            "--chain", model_2x, "--chain", "bilinear:2", "--frames", "0:3", "--json", NULL), ==, 0);
  pair = parse (parser2, out2);
  g_assert_cmpstr (json_object_get_string_member (pair, "mode"), ==, "pair");
  check_against_metrics (syn, 0, model_2x, NULL);
  check_against_metrics (pair, 0, model_2x, NULL);
}

/* No reference: the chains run and are timed, there are no metrics. */
static void
test_generated_none (void)
{
  g_autofree char *out = NULL, *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *f;

  g_assert_cmpint (run_svd (&out, "compare", clean, "--no-reference", "--chain", "bicubic:2",
                            "--frames", "0:2", "--json", NULL), ==, 0);
  o = parse (parser, out);
  g_assert_cmpstr (json_object_get_string_member (o, "mode"), ==, "none");
  g_assert_true (json_object_get_null_member (o, "reference"));
  f = json_array_get_object_element (json_object_get_array_member (
        json_array_get_object_element (json_object_get_array_member (o, "chains"), 0), "frames"), 0);
  g_assert_true (json_object_get_null_member (f, "psnr_y"));
  g_assert_cmpfloat (json_object_get_double_member (f, "chain_ms"), >, 0);

  /* The text is the readout's. */
  g_assert_cmpint (run_svd (&text, "compare", clean, "--no-reference", "--chain", "bicubic:2",
                            "--frames", "0:1", NULL), ==, 0);
  g_assert_nonnull (strstr (text, "frame 1: "));
  g_assert_nonnull (strstr (text, "no metrics without a reference"));
  g_assert_nonnull (strstr (text, "pipeline"));
}

/* Issue #26: without --save-frames nothing is shown, so the session makes
 * no RGBA8 image (no read-back of the source, the reference or the chain
 * output); the numbers are those of a run that saves them, bit for bit. */
static void
test_generated_headless (void)
{
  g_autofree char *dir = g_build_filename (work, "headless-frames", NULL);
  g_autofree char *out = NULL, *saved = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  JsonObject *a, *b;
  JsonArray *fa, *fb;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (run_svd (&out, "compare", clean, "--synthesize", "2,bicubic,28", "--chain", "bicubic:2",
                            "--frames", "0:3", "--json", NULL), ==, 0);
  g_assert_cmpint (run_svd (&saved, "compare", clean, "--synthesize", "2,bicubic,28", "--chain", "bicubic:2",
                            "--frames", "0:3", "--json", "--save-frames", dir, "-y", NULL), ==, 0);
  a = parse (parser, out);
  b = parse (parser2, saved);
  g_test_message ("display images: %" G_GINT64_FORMAT " without a view, %" G_GINT64_FORMAT " with --save-frames",
                  json_object_get_int_member (json_object_get_object_member (a, "summary"), "display_images"),
                  json_object_get_int_member (json_object_get_object_member (b, "summary"), "display_images"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (a, "summary"), "display_images"),
                   ==, 0);
  /* Source, reference and the chain's output, for each of 3 frames. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (b, "summary"), "display_images"),
                   ==, 9);
  fa = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (a, "chains"), 0),
                                     "frames");
  fb = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (b, "chains"), 0),
                                     "frames");
  g_assert_cmpuint (json_array_get_length (fa), ==, 3);
  g_assert_cmpuint (json_array_get_length (fb), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      static const char *names[] = { "psnr_rgb", "psnr_y", "ssim_y", "mse_rgb", "mse_y" };

      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          double va = member_or_nan (json_array_get_object_element (fa, i), names[k]);
          double vb = member_or_nan (json_array_get_object_element (fb, i), names[k]);

          g_assert_true (isfinite (va));
          g_assert_cmpfloat (va, ==, vb);
        }
    }
}

static void
test_usage (void)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  g_assert_cmpint (run_svd (&a, "compare", clean, "--no-reference", "--reference", clean,
                            "--chain", "bicubic:2", NULL), ==, 2);
  g_assert_cmpint (run_svd (&b, "compare", clean, "--no-reference", NULL), ==, 2);
  g_assert_cmpint (run_svd (&c, "compare", clean, "--chain", "bicubic:2", "--frames", "5:2", NULL), ==, 2);
  g_assert_cmpint (run_svd (&d, "compare", clean, "--chain", "bicubic:2", "--synthesize", "2,nope,28", NULL), ==, 2);
}

static void
test_bad_input (void)
{
  g_autofree char *empty = g_build_filename (work, "empty.mp4", NULL);
  g_autofree char *a = NULL, *b = NULL;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_cmpint (run_svd (&a, "compare", empty, "--chain", "bicubic:2", NULL), ==, 1);
  g_assert_cmpint (run_svd (&b, "compare", clean, "--chain", empty, NULL), ==, 1);
}

/* The brief's check: Big Buck Bunny, the project's model and a seed
 * model, a few frames (the CPU device is slow at 720p). */
static void
test_bbb_two_chains (void)
{
  g_autofree char *bbb = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *seed = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!g_file_test (bbb, G_FILE_TEST_IS_REGULAR) || !g_file_test (seed, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("../shared is missing");
      return;
    }
  g_assert_cmpint (run_svd (&out, "compare", bbb, "--synthesize", "2,bicubic,28",
                            "--chain", model_2x, "--chain", seed, "--frames", "0:2", "--json", NULL), ==, 0);
  o = parse (parser, out);
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 640);
  check_against_metrics (o, 0, model_2x, NULL);
  check_against_metrics (o, 1, seed, NULL);
}

/* DISTS per frame, with the reference weights ../shared carries, equals
 * `svd metrics --dists` for that frame. */
static void
test_generated_dists (void)
{
  g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!g_file_test (ab, G_FILE_TEST_IS_REGULAR) || !g_file_test (vgg, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("../shared is missing (no DISTS weights)");
      return;
    }
  g_setenv ("SVD_DISTS_WEIGHTS", ab, TRUE);
  g_setenv ("SVD_VGG16_WEIGHTS", vgg, TRUE);
  g_assert_cmpint (run_svd (&out, "compare", clean, "--synthesize", "2,bicubic,28",
                            "--chain", model_2x, "--frames", "0:2", "--dists", "short256", "--json", NULL), ==, 0);
  o = parse (parser, out);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (o, "dists"), "available"));
  check_against_metrics (o, 0, model_2x, "short256");
  g_unsetenv ("SVD_DISTS_WEIGHTS");
  g_unsetenv ("SVD_VGG16_WEIGHTS");
}

int
main (int    argc,
      char **argv)
{
  const char *build = g_getenv ("SVD_BUILD_ROOT");
  const char *source = g_getenv ("SVD_SOURCE_ROOT");
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  int status;

  g_test_init (&argc, &argv, NULL);
  if (build == NULL || source == NULL)
    svd_test_skip_all ("SVD_BUILD_ROOT and SVD_SOURCE_ROOT are not set (run through meson test)");
  if (ffmpeg == NULL)
    svd_test_skip_all ("ffmpeg is not installed");
  svd = g_build_filename (build, "app", "cli", "svd", NULL);
  model_2x = g_build_filename (source, "models", "svd-super-2x.safetensors", NULL);
  work = g_dir_make_tmp ("svd-compare-XXXXXX", NULL);
  clean = g_build_filename (work, "clean.mp4", NULL);
  {
    /* A small moving pattern with colour, 8 frames: FFmpeg's own source,
     * not a file from ../shared. */
    const char *args[] = { ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=128x72:rate=25",
                           "-frames:v", "8", "-c:v", "libx264", "-pix_fmt", "yuv420p", clean, NULL };
    int wait_status = 0;
    g_autoptr(GError) error = NULL;

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &wait_status, &error) ||
        !g_spawn_check_wait_status (wait_status, NULL))
      svd_test_skip_all ("ffmpeg could not make the test clip (no libx264?)");
  }

  g_test_add_func ("/compare/usage", test_usage);
  g_test_add_func ("/compare/bad-input", test_bad_input);
  g_test_add_func ("/compare/generated/synthesize", test_generated_synthesize);
  g_test_add_func ("/compare/generated/pair", test_generated_pair);
  g_test_add_func ("/compare/generated/none", test_generated_none);
  g_test_add_func ("/compare/generated/headless", test_generated_headless);
  g_test_add_func ("/compare/generated/dists", test_generated_dists);
  g_test_add_func ("/compare/bbb/two-chains", test_bbb_two_chains);
  status = g_test_run ();
  svd_test_remove_tree (work);
  return status;
}
