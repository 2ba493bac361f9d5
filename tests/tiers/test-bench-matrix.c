/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-bench-matrix"

#include "svd.h"
#include "tiers/svd-bench-matrix.h"
#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static SvdModel *
random_model (const char *name,
              int         nf,
              int         num_conv,
              int         scale,
              guint32     seed)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_new (3, 3, nf, num_conv, scale, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  g_assert_no_error (error);
  for (int l = 0; l < m->n_layers; l++)
    {
      SvdConvLayer *L = &m->layers[l];

      for (int i = 0; i < L->out_ch * L->in_ch * 9; i++)
        L->weight[i] = (float) g_rand_double_range (rand, -0.05, 0.05);
      for (int i = 0; i < L->out_ch; i++)
        {
          L->bias[i] = (float) g_rand_double_range (rand, -0.01, 0.01);
          if (L->slope != NULL)
            L->slope[i] = 0.1f;
        }
    }
  g_free (m->name);
  m->name = g_strdup (name);
  return m;
}

static int progress_calls;

static void
progress_cb (int                      done,
             int                      total,
             const SvdBenchMatrixRow *row,
             gpointer                 user_data)
{
  g_assert_cmpint (done, <=, total);
  progress_calls++;
}

static int measured_rows;

/* Counts the rows measured, not resumed (a resumed row comes as NULL). */
static void
count_measured_cb (int                      done,
                   int                      total,
                   const SvdBenchMatrixRow *row,
                   gpointer                 user_data)
{
  if (row != NULL)
    measured_rows++;
}

/* Two tiny models on PoCL at small sizes: every combination of
 * {A, B} × {none, B} at two sizes has a row with every column. Quality comes
 * from a pair of the same clip (so the 1x chains have a reference of their
 * size), and a rerun resumes without measuring anything. */
static void
test_matrix (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) a = random_model ("tinyA1x", 4, 1, 1, 1);
  g_autoptr(SvdModel) b = random_model ("tinyB2x", 4, 1, 2, 2);
  g_autoptr(GPtrArray) slot1 = g_ptr_array_new ();
  g_autoptr(GPtrArray) slot2 = g_ptr_array_new ();
  g_autoptr(GPtrArray) slots = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(SvdSessionSource) source = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *dir = g_dir_make_tmp ("svd-matrix-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "m.json", NULL);
  g_autofree char *csv = g_build_filename (dir, "m.csv", NULL);
  g_autofree char *csv_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(SvdSettings) settings = { 0 };
  SvdBenchMatrixOptions o;
  gint64 t0;

  {
    /* Inside a subtest: skip just this one, not the whole TAP plan. */
    g_autofree char *models = svd_test_shared_path ("models", NULL);

    if (!g_file_test (models, G_FILE_TEST_IS_DIR))
      {
        g_test_skip ("../shared is missing");
        g_rmdir (dir);
        return;
      }
  }
  svd_cl_context_unref (svd_test_cl_context ()); /* only checks that a device exists */
  clip = svd_test_shared_path ("clips", "bbb_360p_10s_hevc_aac.mp4", NULL);
  if (!g_file_test (clip, G_FILE_TEST_EXISTS))
    {
      g_free (clip);
      clip = NULL;
    }
  g_ptr_array_add (slot1, a);
  g_ptr_array_add (slot1, b);
  g_ptr_array_add (slot2, NULL);
  g_ptr_array_add (slot2, b);
  g_ptr_array_add (slots, slot1);
  g_ptr_array_add (slots, slot2);
  svd_bench_matrix_options_init (&o);
  o.slots = slots;
  o.n_sizes = 2;
  o.widths[0] = 64, o.heights[0] = 48;
  o.widths[1] = 32, o.heights[1] = 24;
  o.warmup = 1;
  o.frames = 3;
  o.results_path = json;
  o.csv_path = csv;
  if (clip != NULL)
    {
      source = svd_session_source_new_pair (clip, clip, 0, &error);
      g_assert_no_error (error);
      o.source = source;
      o.first_frame = 10;
      o.n_quality_frames = 2;
    }
  svd_settings_init (&settings);
  g_assert_cmpint (svd_bench_matrix_count (&o), ==, 8);

  t0 = g_get_monotonic_time ();
  rows = svd_bench_matrix_run (&o, &settings, progress_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("matrix of %u rows ran in %.2f s", rows->len, (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpint (progress_calls, ==, 8);
  g_assert_cmpuint (rows->len, ==, 8);
  for (guint i = 0; i < rows->len; i++)
    {
      SvdBenchMatrixRow *r = rows->pdata[i];
      int scale = strstr (r->chain, "tinyB2x + tinyB2x") ? 4 : strstr (r->chain, "tinyB2x") ? 2 : 1;

      g_test_message ("%s %dx%d → %dx%d: %.3f ms, %.1f fps, quality %s %.2f dB", r->chain, r->in_width,
                      r->in_height, r->out_width, r->out_height, r->total_ms, r->fps,
                      r->has_quality ? "yes" : "no", r->psnr_y);
      g_assert_cmpint (r->out_width, ==, r->in_width * scale);
      g_assert_cmpint (r->out_height, ==, r->in_height * scale);
      g_assert_cmpint (r->n_stages, ==, scale == 4 || strstr (r->chain, " + ") ? 2 : 1);
      g_assert_cmpfloat (r->total_ms, >, 0);
      g_assert_cmpfloat (r->fps, >, 0);
      g_assert_cmpfloat (r->gflop, >, 0);
      for (int k = 0; k < r->n_stages; k++)
        g_assert_cmpfloat (r->stage_ms[k], >, 0);
      g_assert_nonnull (r->key);
      /* A same-clip pair: only 1x chains have a reference of their size. */
      if (clip != NULL)
        {
          g_assert_cmpint (r->has_quality, ==, scale == 1);
          if (r->has_quality)
            {
              g_assert_cmpfloat (r->psnr_y, >, 20);
              g_assert_cmpfloat (r->ssim_y, >, 0.5);
            }
        }
    }

  /* CSV: a header and one line per row, every line with all 15 columns. */
  g_assert_true (g_file_get_contents (csv, &csv_text, NULL, NULL));
  lines = g_strsplit (csv_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 8 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "device,chain,in_width"));

  /* Resume: everything is found in the JSON, nothing is measured. */
  loaded = svd_bench_matrix_load (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 8);
  progress_calls = 0;
  again = svd_bench_matrix_run (&o, &settings, progress_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      SvdBenchMatrixRow *x = rows->pdata[i], *y = again->pdata[i];

      g_assert_cmpstr (x->key, ==, y->key);
      g_assert_cmpfloat (fabs (x->total_ms - y->total_ms), <, 1e-9 * MAX (1, x->total_ms));
    }

  /* Other scored frames: the quality differs, so nothing is resumed (the
   * rows would otherwise keep the other frames' scores). */
  if (clip != NULL)
    {
      g_autoptr(GPtrArray) rescored = NULL;

      o.first_frame = 20;
      measured_rows = 0;
      rescored = svd_bench_matrix_run (&o, &settings, count_measured_cb, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rescored->len, ==, 8);
      g_assert_cmpint (measured_rows, ==, 8);
      for (guint i = 0; i < 8; i++)
        g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[i])->key, !=,
                         ((SvdBenchMatrixRow *) rescored->pdata[i])->key);
    }
  g_unlink (json);
  g_unlink (csv);
  g_rmdir (dir);
}

static SvdBenchMatrixRow *
row (const char *chain,
     double      fps,
     double      psnr,
     int         out_w)
{
  SvdBenchMatrixRow *r = g_new0 (SvdBenchMatrixRow, 1);

  r->chain = g_strdup (chain);
  r->device = g_strdup ("x");
  r->key = g_strdup (chain);
  r->fps = fps;
  r->has_quality = psnr > 0;
  r->psnr_y = psnr;
  r->out_width = out_w;
  r->out_height = out_w * 9 / 16;
  return r;
}

/* A hand-checked table:
 *   0 A 100 fps 30 dB   front (fastest)
 *   1 B  80 fps 32 dB   front
 *   2 C  80 fps 31 dB   dominated by B
 *   3 D  50 fps 35 dB   front
 *   4 E  40 fps 34 dB   dominated by D
 *   5 F  20 fps 36 dB   front (best)
 *   6 G  90 fps  --     no quality: never on the front
 *   7 H  10 fps 40 dB   other output size (front: the front is global)
 */
static void
test_pareto_recommend (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_bench_matrix_row_free);
  g_autoptr(GArray) front = NULL;
  const guint want[] = { 0, 1, 3, 5, 7 };

  g_ptr_array_add (rows, row ("A", 100, 30, 1280));
  g_ptr_array_add (rows, row ("B", 80, 32, 1280));
  g_ptr_array_add (rows, row ("C", 80, 31, 1280));
  g_ptr_array_add (rows, row ("D", 50, 35, 1280));
  g_ptr_array_add (rows, row ("E", 40, 34, 1280));
  g_ptr_array_add (rows, row ("F", 20, 36, 1280));
  g_ptr_array_add (rows, row ("G", 90, 0, 1280));
  g_ptr_array_add (rows, row ("H", 10, 40, 640));
  front = svd_bench_matrix_pareto (rows, SVD_QUALITY_PSNR_Y);
  g_assert_cmpuint (front->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < front->len; i++)
    g_assert_cmpuint (g_array_index (front, guint, i), ==, want[i]);

  /* 24 fps × 1.1 at 1280 wide: D (35 dB at 50 fps) beats B, A; F is too slow. */
  g_assert_cmpint (svd_bench_matrix_recommend (rows, SVD_QUALITY_PSNR_Y, 24 * 1.1, 1280, 720), ==, 3);
  g_assert_cmpint (svd_bench_matrix_recommend (rows, SVD_QUALITY_PSNR_Y, 60, 1280, 720), ==, 1);
  g_assert_cmpint (svd_bench_matrix_recommend (rows, SVD_QUALITY_PSNR_Y, 10, 1280, 720), ==, 5);
  g_assert_cmpint (svd_bench_matrix_recommend (rows, SVD_QUALITY_PSNR_Y, 150, 1280, 720), ==, -1);
  g_assert_cmpint (svd_bench_matrix_recommend (rows, SVD_QUALITY_PSNR_Y, 10, 0, 0), ==, 7);
}

/* The calibrated estimate reproduces the seed's published fps it was
 * fitted on within the fit's error (Super 1x + Super 2x at 360p on the RTX
 * 3090: 423.25 fps; Ultra + Ultra at 720p: 42.68 fps). */
static void
test_estimate (void)
{
  guint n;
  const SvdGpuInfo *t = svd_gpu_table (&n);
  const SvdGpuInfo *g3090 = NULL;
  double super = 2.0 * (27 * 24 + 72 * 24 * 24 + 9 * 24 * 3) + 2.0 * (27 * 24 + 72 * 24 * 24 + 9 * 24 * 12);
  double ultra = 2.0 * (27 * 64 + 72 * 64 * 64 + 9 * 64 * 3) + 2.0 * (27 * 64 + 72 * 64 * 64 + 9 * 64 * 12);
  SvdGpuEstimate e;

  g_assert_cmpuint (n, >=, 4);
  for (guint i = 0; i < n; i++)
    if (strstr (t[i].name, "3090"))
      g3090 = &t[i];
  g_assert_nonnull (g3090);
  e = svd_gpu_estimate (g3090, super * 640 * 360 / 1e9, 640, 360);
  g_assert_cmpstr (e.label, ==, "estimate");
  g_test_message ("RTX 3090 Super+Super 360p: estimate %.1f fps, published 423.25", e.fps);
  g_assert_cmpfloat (fabs (e.fps / 423.25 - 1), <, 0.2);
  e = svd_gpu_estimate (g3090, ultra * 1280 * 720 / 1e9, 1280, 720);
  g_test_message ("RTX 3090 Ultra+Ultra 720p: estimate %.1f fps, published 42.68", e.fps);
  g_assert_cmpfloat (fabs (e.fps / 42.68 - 1), <, 0.2);
}

/* Rows record the precision next to the device, through JSON and CSV;
 * a row is stale when either differs from what the settings choose. Runs
 * the project's own model on the CPU reference, so it needs no ../shared. */
static void
test_precision_and_stale (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SVD_DATA_DIR"), "models", "svd-super-1x.safetensors", NULL);
  g_autofree char *dir = g_dir_make_tmp ("svd-bench-precision-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "m.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) model = svd_model_load (path, &error);
  g_autoptr(GPtrArray) slot = g_ptr_array_new ();
  g_autoptr(GPtrArray) slots = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *cpu_ref = NULL;
  g_auto(SvdSettings) settings;
  SvdBenchMatrixOptions o;
  const SvdBenchMatrixRow *r;

  g_assert_no_error (error);
  g_ptr_array_add (slot, model);
  g_ptr_array_add (slots, slot);
  svd_bench_matrix_options_init (&o);
  o.slots = slots;
  o.n_sizes = 1;
  o.widths[0] = 16;
  o.heights[0] = 8;
  o.warmup = 0;
  o.frames = 1;
  o.results_path = json;
  svd_settings_init (&settings);
  g_free (settings.device);
  settings.device = g_strdup ("cpu-ref");
  settings.precision = SVD_PRECISION_FP16;
  rows = svd_bench_matrix_run (&o, &settings, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = rows->pdata[0];
  cpu_ref = svd_bench_matrix_device_name (&settings);
  g_assert_cmpstr (r->device, ==, cpu_ref);
  g_assert_cmpint (r->precision, ==, SVD_PRECISION_FP16);
  g_assert_nonnull (strstr (r->key, "/fp16|"));

  loaded = svd_bench_matrix_load (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((SvdBenchMatrixRow *) loaded->pdata[0])->precision, ==, SVD_PRECISION_FP16);
  csv = svd_bench_matrix_to_csv (loaded);
  g_assert_true (g_str_has_suffix (csv, ",fp16\n"));

  g_assert_false (svd_bench_matrix_row_is_stale (r, cpu_ref, SVD_PRECISION_FP16));
  g_assert_true (svd_bench_matrix_row_is_stale (r, cpu_ref, SVD_PRECISION_FP32));
  g_assert_true (svd_bench_matrix_row_is_stale (r, "some other device (platform)", SVD_PRECISION_FP16));
  svd_test_remove_tree (dir);
}

/* Results files are read back (the matrix window, bench-matrix): one that
 * was edited or replaced must not crash the app or hang it (issue #22). */
static void
test_hostile_results (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-matrix-XXXXXX", NULL);
  g_autofree char *deep_path = g_build_filename (dir, "deep.json", NULL);
  g_autofree char *types_path = g_build_filename (dir, "types.json", NULL);
  g_autofree char *fifo_path = g_build_filename (dir, "fifo.json", NULL);
  g_autoptr(GString) deep = g_string_new ("{\"format\": \"svd-studio-bench-matrix\", \"measured\": ");
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  const SvdBenchMatrixRow *r;

  /* 100,000 nested arrays: json-glib recursed once per level and
   * overflowed the stack (SIGSEGV); refused by the depth check now. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_assert_true (g_file_set_contents (deep_path, deep->str, -1, NULL));
  rows = svd_bench_matrix_load (deep_path, &error);
  g_assert_null (rows);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "nest"));
  g_clear_error (&error);

  /* "measured" that is not an array: a critical from json-glib before. */
  g_assert_true (g_file_set_contents (types_path, "{\"format\": \"svd-studio-bench-matrix\", \"measured\": 5}",
                                      -1, NULL));
  rows = svd_bench_matrix_load (types_path, &error);
  g_assert_null (rows);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Members of the wrong type read as missing: a number as the device
   * name gave a NULL string that the CSV writer dereferenced. */
  g_assert_true (g_file_set_contents (types_path,
    "{\"format\": \"svd-studio-bench-matrix\", \"measured\": [5, {\"device\": 5, \"chain\": [], "
    "\"key\": {}, \"in_width\": \"480\", \"out_width\": -7, \"stage_ms\": [\"a\", [], 2.5], \"psnr_y\": 1}]}",
    -1, NULL));
  rows = svd_bench_matrix_load (types_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = rows->pdata[0];
  g_assert_cmpstr (r->device, ==, "");
  g_assert_cmpstr (r->chain, ==, "");
  g_assert_cmpstr (r->key, ==, "");
  g_assert_cmpint (r->in_width, ==, 0);
  g_assert_cmpint (r->out_width, ==, 0);
  g_assert_cmpint (r->n_stages, ==, 3);
  g_assert_cmpfloat (r->stage_ms[2], ==, 2.5);
  csv = svd_bench_matrix_to_csv (rows);
  g_assert_nonnull (strstr (csv, "\"\",\"\",0,0,0,0,"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Strings json-glib decodes into bytes that are not UTF-8 (unpaired
   * surrogate escapes) read as missing: they were shown in the matrix and
   * written into the CSV as they were. A high one before the closing quote
   * is json-glib's parse error, which quotes those bytes: the message is
   * made text. */
  g_assert_true (g_file_set_contents (types_path,
    "{\"format\": \"svd-studio-bench-matrix\", \"measured\": [{\"device\": \"GPU \\udfff1\", "
    "\"chain\": \"a\\udc00b\", \"key\": \"k\"}]}", -1, NULL));
  rows = svd_bench_matrix_load (types_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  r = rows->pdata[0];
  g_assert_cmpstr (r->device, ==, "");
  g_assert_cmpstr (r->chain, ==, "");
  g_assert_cmpstr (r->key, ==, "k");
  g_clear_pointer (&csv, g_free);
  csv = svd_bench_matrix_to_csv (rows);
  g_assert_true (g_utf8_validate (csv, -1, NULL));
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_true (g_file_set_contents (types_path,
    "{\"format\": \"svd-studio-bench-matrix\", \"measured\": [{\"device\": \"GPU \\ud800\", \"chain\": \"c\"}]}",
    -1, NULL));
  rows = svd_bench_matrix_load (types_path, &error);
  g_assert_null (rows);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "string constant"));
  g_clear_error (&error);

  /* A FIFO named like the results: opening it blocked forever. */
  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);
  rows = svd_bench_matrix_load (fifo_path, &error);
  g_assert_null (rows);
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_unlink (fifo_path);
  g_unlink (types_path);
  g_unlink (deep_path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bench-matrix/pareto-recommend", test_pareto_recommend);
  g_test_add_func ("/bench-matrix/estimate", test_estimate);
  g_test_add_func ("/bench-matrix/matrix", test_matrix);
  g_test_add_func ("/bench-matrix/precision-and-stale", test_precision_and_stale);
  g_test_add_func ("/bench-matrix/hostile-results", test_hostile_results);
  return g_test_run ();
}
