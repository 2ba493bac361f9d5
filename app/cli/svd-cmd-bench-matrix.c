/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "tiers/svd-bench-matrix.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

static gboolean
parse_size (const char *s,
            int        *w,
            int        *h)
{
  static const struct { const char *name; int w, h; } named[] = {
    { "360p", 640, 360 }, { "480p", 854, 480 }, { "576p", 1024, 576 }, { "720p", 1280, 720 }, { "1080p", 1920, 1080 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    if (g_ascii_strcasecmp (s, named[i].name) == 0)
      {
        *w = named[i].w;
        *h = named[i].h;
        return TRUE;
      }
  return sscanf (s, "%dx%d", w, h) == 2 && *w > 0 && *h > 0 && *w <= 16384 && *h <= 16384;
}

static void
add_size (JsonBuilder *b,
          int          w,
          int          h)
{
  g_autofree char *s = g_strdup_printf ("%dx%d", w, h);

  json_builder_add_string_value (b, s);
}

static void
progress_cb (int                      done,
             int                      total,
             const SvdBenchMatrixRow *row,
             gpointer                 user_data)
{
  gboolean quiet = GPOINTER_TO_INT (user_data);

  if (quiet)
    return;
  if (row == NULL)
    fprintf (stderr, "[%d/%d] skipped (already measured or empty)\n", done, total);
  else
    fprintf (stderr, "[%d/%d] %s %dx%d: %.2f fps%s\n", done, total, row->chain, row->in_width, row->in_height,
             row->fps, row->has_quality ? "" : " (no quality)");
}

int
svd_cmd_bench_matrix (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- time and score every chain combination");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) slot_specs = NULL;
  g_autofree char *sizes = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *frames = NULL;
  g_autofree char *out = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *target_size = NULL;
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) front = NULL;
  g_autoptr(SvdSessionSource) source = NULL;
  g_autoptr(GHashTable) loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) svd_model_unref);
  g_auto(SvdSettings) settings = { 0 };
  g_auto(SvdCliCommon) common = { 0 };
  SvdBenchMatrixOptions o;
  gboolean resume = FALSE;
  double target_fps = 0, clip_fps = 0;
  int crf = 34, scale = 2, warmup = 2, runs = 5, tw = 0, th = 0, best;
  gint64 t0;
  GOptionEntry entries[] = {
    { "slot", 0, 0, G_OPTION_ARG_STRING_ARRAY, &slot_specs, "Models for one slot, comma-separated; “none” skips the slot (repeat per slot)", "M1,M2|none" },
    { "size", 's', 0, G_OPTION_ARG_STRING, &sizes, "Input sizes, comma-separated (WxH or 360p/480p/576p/720p/1080p; default: the clip's input size, else 480p)", "SIZES" },
    { "clip", 0, 0, G_OPTION_ARG_FILENAME, &clip, "Clip for quality: the clean clip (degraded with --crf/--scale), or the input when --reference is given", "CLIP" },
    { "reference", 0, 0, G_OPTION_ARG_FILENAME, &reference, "Reference clip to pair with --clip", "REF" },
    { "frames", 0, 0, G_OPTION_ARG_STRING, &frames, "Input frames A:B (end exclusive) scored for quality (default 0:5)", "A:B" },
    { "crf", 0, 0, G_OPTION_ARG_INT, &crf, "x264 CRF of the synthesized input (default 34)", "CRF" },
    { "scale", 0, 0, G_OPTION_ARG_INT, &scale, "Shrink factor of the synthesized input (default 2)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed runs per combination (default 2)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs per combination; the median counts (default 5)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Results JSON, updated after every combination", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Results CSV, updated after every combination", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Keep rows already in --out and measure only the rest", NULL },
    { "target-fps", 0, 0, G_OPTION_ARG_DOUBLE, &target_fps, "fps the recommendation must reach (default: the clip's fps × 1.1, else 33)", "FPS" },
    { "target-size", 0, 0, G_OPTION_ARG_STRING, &target_size, "Output size the recommendation must have (default: any)", "WxH" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (slot_specs == NULL || argc != 1)
    return svd_cli_usage_error (context, "Give at least one --slot");
  if (out != NULL && !resume && g_file_test (out, G_FILE_TEST_EXISTS) && g_unlink (out) != 0)
    return svd_cli_usage_error (context, "Cannot replace --out; use --resume to keep it");
  svd_bench_matrix_options_init (&o);
  o.warmup = MAX (warmup, 0);
  o.frames = MAX (runs, 1);
  for (int s = 0; slot_specs[s] != NULL; s++)
    {
      g_auto(GStrv) parts = g_strsplit (slot_specs[s], ",", -1);
      GPtrArray *slot = g_ptr_array_new ();

      g_ptr_array_add (slots, slot);
      for (int k = 0; parts[k] != NULL; k++)
        {
          const char *p = g_strstrip (parts[k]);
          SvdModel *m;

          if (*p == '\0')
            continue;
          if (g_ascii_strcasecmp (p, "none") == 0)
            {
              g_ptr_array_add (slot, NULL);
              continue;
            }
          m = g_hash_table_lookup (loaded, p);
          if (m == NULL)
            {
              m = svd_model_load (p, &error);
              if (m == NULL)
                return svd_cli_fail ("bench-matrix", error);
              g_hash_table_insert (loaded, g_strdup (p), m);
            }
          g_ptr_array_add (slot, m);
        }
    }
  o.slots = slots;

  if (clip != NULL)
    {
      gint64 a = 0, b = 5;

      if (reference != NULL)
        source = svd_session_source_new_pair (clip, reference, 0, &error);
      else
        {
          SvdDegradeParams params;

          svd_degrade_params_init (&params);
          params.crf = crf;
          params.scale = scale;
          params.keep_audio = FALSE;
          source = svd_session_source_new_synthesize (clip, &params, NULL, NULL, NULL, &error);
        }
      if (source == NULL)
        return svd_cli_fail ("bench-matrix", error);
      if (frames != NULL && (sscanf (frames, "%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, &a, &b) != 2 || a < 0 || b <= a))
        return svd_cli_usage_error (context, "--frames is A:B with 0 <= A < B");
      o.source = source;
      o.first_frame = a;
      o.n_quality_frames = (int) MIN (b - a, 10000);
      {
        const SvdVideoInfo *info = svd_reader_get_info (svd_session_source_get_input (source));

        clip_fps = info->fps;
        if (sizes == NULL)
          {
            o.widths[0] = info->width;
            o.heights[0] = info->height;
            o.n_sizes = 1;
          }
      }
    }
  if (sizes != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (sizes, ",", -1);

      for (int k = 0; parts[k] != NULL; k++)
        {
          if (o.n_sizes == SVD_BENCH_MATRIX_MAX_SIZES ||
              !parse_size (g_strstrip (parts[k]), &o.widths[o.n_sizes], &o.heights[o.n_sizes]))
            return svd_cli_usage_error (context, "--size is up to 16 sizes, WxH or 360p/480p/576p/720p/1080p");
          o.n_sizes++;
        }
    }
  if (o.n_sizes == 0)
    {
      o.widths[0] = 854;
      o.heights[0] = 480;
      o.n_sizes = 1;
    }
  if (target_size != NULL && !parse_size (target_size, &tw, &th))
    return svd_cli_usage_error (context, "--target-size is WxH");
  if (target_fps <= 0)
    target_fps = (clip_fps > 0 ? clip_fps : 30) * 1.1;
  o.results_path = out;
  o.csv_path = csv;

  svd_cli_settings (&common, &settings);
  t0 = g_get_monotonic_time ();
  rows = svd_bench_matrix_run (&o, &settings, progress_cb, GINT_TO_POINTER (common.quiet || common.json), NULL,
                               &error);
  if (rows == NULL)
    return svd_cli_fail ("bench-matrix", error);
  front = svd_bench_matrix_pareto (rows, SVD_QUALITY_PSNR_Y);
  best = svd_bench_matrix_recommend (rows, SVD_QUALITY_PSNR_Y, target_fps, tw, th);

  if (common.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      guint n_gpu;
      const SvdGpuInfo *gpus = svd_gpu_table (&n_gpu);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "measured");
      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          SvdBenchMatrixRow *r = rows->pdata[i];
          gboolean on_front = FALSE;

          for (guint k = 0; k < front->len; k++)
            on_front |= g_array_index (front, guint, k) == i;
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "device");
          json_builder_add_string_value (b, r->device);
          json_builder_set_member_name (b, "chain");
          json_builder_add_string_value (b, r->chain);
          json_builder_set_member_name (b, "in_size");
          add_size (b, r->in_width, r->in_height);
          json_builder_set_member_name (b, "out_size");
          add_size (b, r->out_width, r->out_height);
          json_builder_set_member_name (b, "gflop");
          json_builder_add_double_value (b, r->gflop);
          json_builder_set_member_name (b, "stage_ms");
          json_builder_begin_array (b);
          for (int k = 0; k < r->n_stages; k++)
            json_builder_add_double_value (b, r->stage_ms[k]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "total_ms");
          json_builder_add_double_value (b, r->total_ms);
          json_builder_set_member_name (b, "fps");
          json_builder_add_double_value (b, r->fps);
          if (r->has_quality)
            {
              json_builder_set_member_name (b, "psnr_y");
              json_builder_add_double_value (b, r->psnr_y);
              json_builder_set_member_name (b, "psnr_rgb");
              json_builder_add_double_value (b, r->psnr_rgb);
              json_builder_set_member_name (b, "ssim_y");
              json_builder_add_double_value (b, r->ssim_y);
            }
          json_builder_set_member_name (b, "pareto");
          json_builder_add_boolean_value (b, on_front);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "target_fps");
      json_builder_add_double_value (b, target_fps);
      json_builder_set_member_name (b, "recommended");
      if (best >= 0)
        json_builder_add_string_value (b, ((SvdBenchMatrixRow *) rows->pdata[best])->chain);
      else
        json_builder_add_null_value (b);
      /* Estimates are kept apart from measurements and labelled. */
      json_builder_set_member_name (b, "estimates");
      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        for (guint g = 0; g < n_gpu; g++)
          {
            SvdBenchMatrixRow *r = rows->pdata[i];
            SvdGpuEstimate e = svd_gpu_estimate (&gpus[g], r->gflop, r->in_width, r->in_height);

            json_builder_begin_object (b);
            json_builder_set_member_name (b, "kind");
            json_builder_add_string_value (b, e.label);
            json_builder_set_member_name (b, "gpu");
            json_builder_add_string_value (b, gpus[g].name);
            json_builder_set_member_name (b, "chain");
            json_builder_add_string_value (b, r->chain);
            json_builder_set_member_name (b, "in_size");
            add_size (b, r->in_width, r->in_height);
            json_builder_set_member_name (b, "fps");
            json_builder_add_double_value (b, e.fps);
            json_builder_end_object (b);
          }
      json_builder_end_array (b);
      json_builder_end_object (b);
      svd_cli_print_json (b);
      return 0;
    }

  printf ("%-40s %11s %11s %8s %9s %9s %8s %s\n", "chain", "input", "output", "GFLOP", "ms", "fps", "PSNR-Y", "SSIM-Y");
  for (guint i = 0; i < rows->len; i++)
    {
      SvdBenchMatrixRow *r = rows->pdata[i];
      g_autofree char *in = g_strdup_printf ("%dx%d", r->in_width, r->in_height);
      g_autofree char *os = g_strdup_printf ("%dx%d", r->out_width, r->out_height);
      gboolean on_front = FALSE;

      for (guint k = 0; k < front->len; k++)
        on_front |= g_array_index (front, guint, k) == i;
      printf ("%-40s %11s %11s %8.2f %9.3f %9.2f", r->chain, in, os, r->gflop, r->total_ms, r->fps);
      if (r->has_quality)
        printf (" %8.3f %.5f%s\n", r->psnr_y, r->ssim_y, on_front ? "  pareto" : "");
      else
        printf ("        -       -\n");
    }
  printf ("\nMeasured on %s in %.1f s.\n", rows->len ? ((SvdBenchMatrixRow *) rows->pdata[0])->device : "-",
          (g_get_monotonic_time () - t0) / 1e6);
  if (best >= 0)
    printf ("Recommended (best PSNR-Y with ≥ %.2f fps): %s\n", target_fps, ((SvdBenchMatrixRow *) rows->pdata[best])->chain);
  else
    printf ("No chain with quality reaches %.2f fps%s.\n", target_fps, o.source == NULL ? " (no --clip: no quality)" : "");
  {
    guint n_gpu;
    const SvdGpuInfo *gpus = svd_gpu_table (&n_gpu);

    printf ("\nESTIMATES for other GPUs (not measured; fitted to the seed project's published fps):\n");
    for (guint i = 0; i < rows->len; i++)
      {
        SvdBenchMatrixRow *r = rows->pdata[i];

        printf ("  %s %dx%d:", r->chain, r->in_width, r->in_height);
        for (guint g = 0; g < n_gpu; g++)
          printf ("  %s ~%.0f fps (estimate)", gpus[g].name + (g_str_has_prefix (gpus[g].name, "NVIDIA GeForce ") ? 15 : 0),
                  svd_gpu_estimate (&gpus[g], r->gflop, r->in_width, r->in_height).fps);
        printf ("\n");
      }
  }
  return 0;
}
