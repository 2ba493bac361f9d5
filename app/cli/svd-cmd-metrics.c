/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "core/svd-fault.h"
#include "core/svd-png.h"
#include "engine/svd-color.h"
#include "engine/svd-engine.h"
#include "media/svd-session-source.h"
#include "metrics/svd-metrics-runner.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Runs DIST through the chain, when there is one. The engine runs the
 * CPU reference itself with --device cpu-ref. */
typedef struct {
  SvdChain    *steps;
  SvdEngine   *engine;
} Chain;

static void
chain_clear (Chain *chain)
{
  g_clear_pointer (&chain->engine, svd_engine_free);
  g_clear_pointer (&chain->steps, svd_chain_free);
}

static gboolean
chain_init (Chain              *chain,
            const char         *spec,
            const SvdSettings  *settings,
            GError            **error)
{
  chain->steps = svd_cli_load_chain (spec, error);
  if (chain->steps == NULL)
    return FALSE;
  chain->engine = svd_engine_new (settings, error);
  return chain->engine != NULL && svd_engine_set_chain (chain->engine, chain->steps, error);
}

static SvdImage *
chain_run (Chain           *chain,
           const SvdImage  *input,
           GCancellable    *cancellable,
           GError         **error)
{
  SvdImage *output = NULL;

  if (chain->engine == NULL)
    return svd_image_ref ((SvdImage *) input);
  if (!svd_engine_process (chain->engine, input, SVD_PIXEL_FORMAT_RGB_F32, &output, NULL, cancellable, error))
    return NULL;
  return output;
}

static gboolean
is_image_path (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".png");
}

/* Frames from the reader are YUV; metrics and models take RGB, converted
 * by the kernels on the metrics' device as the app converts them (packed
 * RGB from PNGs goes to the metrics as it is). */
static SvdImage *
to_rgb (SvdFrameConverter  *frames,
        SvdImage           *frame,
        GError            **error)
{
  SvdImage *rgb = NULL;

  if (frame->format == SVD_PIXEL_FORMAT_RGB_F32 || frame->format == SVD_PIXEL_FORMAT_RGB8 ||
      frame->format == SVD_PIXEL_FORMAT_RGBA8)
    return svd_image_ref (frame);
  if (!svd_frame_converter_convert (frames, frame, &rgb, NULL, error))
    return NULL;
  return rgb;
}

static void
format_psnr (char   *buf,
             gsize   size,
             double  v)
{
  if (isinf (v))
    g_strlcpy (buf, "inf (identical)", size);
  else if (isnan (v))
    g_strlcpy (buf, "n/a", size);
  else
    g_snprintf (buf, size, "%.4f dB", v);
}

static void
csv_write_frame (FILE                  *csv,
                 const SvdMetricsFrame *f,
                 gint64                 ref_index,
                 gint64                 pts)
{
  char num[7][G_ASCII_DTOSTR_BUF_SIZE];

  /* Locale-independent numbers: a comma decimal separator would break the
   * CSV. */
  g_ascii_formatd (num[0], sizeof num[0], "%.6f", f->psnr_rgb);
  g_ascii_formatd (num[1], sizeof num[1], "%.6f", f->psnr_y);
  g_ascii_formatd (num[2], sizeof num[2], "%.8f", f->ssim_y);
  g_ascii_formatd (num[3], sizeof num[3], "%.8f", f->dists);
  g_ascii_formatd (num[4], sizeof num[4], "%.6f", f->mse_rgb);
  g_ascii_formatd (num[5], sizeof num[5], "%.6f", f->mse_y);
  fprintf (csv, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%s,%s,%s,%s,%s,%s,%s\n",
           f->frame_index, ref_index,
           pts == G_MININT64 ? "" : (g_snprintf (num[6], sizeof num[6], "%" G_GINT64_FORMAT, pts), num[6]),
           num[0], num[1], f->has_ssim ? num[2] : "", f->has_dists ? num[3] : "", num[4], num[5]);
}

typedef struct {
  SvdMetricsAccumulator *acc;
  GArray                *frames;   /* SvdMetricsFrame */
  GArray                *pts;      /* gint64 */
  GArray                *ref_index;
  FILE                  *csv;
} Results;

static void
results_add (Results               *r,
             const SvdMetricsFrame *f,
             gint64                 ref_index,
             gint64                 pts)
{
  svd_metrics_accumulator_add (r->acc, f);
  g_array_append_val (r->frames, *f);
  g_array_append_val (r->pts, pts);
  g_array_append_val (r->ref_index, ref_index);
  if (r->csv != NULL)
    csv_write_frame (r->csv, f, ref_index, pts);
}

static void
print_text (SvdMetricsRunner *runner,
            Results          *r,
            gboolean          clip)
{
  SvdMetricsSummary s;
  const GError *derr = svd_metrics_runner_get_dists_error (runner);
  const SvdDistsWeights *dw = svd_metrics_runner_get_dists_weights (runner);
  char a[64], b[64];

  svd_metrics_accumulator_get (r->acc, &s);
  printf ("Device:         %s\n", svd_metrics_runner_get_device (runner));
  if (clip)
    printf ("Frames:         %u\n", s.n_frames);
  if (clip)
    {
      format_psnr (a, sizeof a, s.psnr_rgb_mean);
      format_psnr (b, sizeof b, s.psnr_rgb_of_mean_mse);
      printf ("PSNR RGB:       %s (mean of frames), %s (of the mean MSE, FFmpeg's average)\n", a, b);
      format_psnr (a, sizeof a, s.psnr_y_mean);
      format_psnr (b, sizeof b, s.psnr_y_of_mean_mse);
      printf ("PSNR Y:         %s (mean of frames), %s (of the mean MSE) — BT.601 luma\n", a, b);
    }
  else
    {
      format_psnr (a, sizeof a, s.psnr_rgb_mean);
      printf ("PSNR RGB:       %s\n", a);
      format_psnr (a, sizeof a, s.psnr_y_mean);
      printf ("PSNR Y:         %s (BT.601 luma)\n", a);
    }
  if (s.n_ssim > 0)
    printf ("SSIM Y:         %.6f%s (Gaussian σ 1.5, 11x11, valid windows)\n", s.ssim_y_mean,
            clip ? " mean of frames" : "");
  else
    printf ("SSIM Y:         n/a (image smaller than the 11x11 window)\n");
  if (dw != NULL && s.n_dists > 0)
    printf ("DISTS %-8s  %.6f%s\n                VGG16 %s\n                α/β   %s\n",
            svd_dists_mode_name (svd_metrics_runner_get_dists_mode (runner)), s.dists_mean,
            clip ? " mean of frames" : "", dw->vgg16_path, dw->dists_path);
  else if (derr != NULL)
    printf ("DISTS:          unavailable\n%s\n", derr->message);
}

static void
print_json (SvdMetricsRunner *runner,
            Results          *r,
            const char       *ref_path,
            const char       *dist_path,
            const char       *chain,
            gboolean          clip)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SvdMetricsSummary s;
  const GError *derr = svd_metrics_runner_get_dists_error (runner);
  const SvdDistsWeights *dw = svd_metrics_runner_get_dists_weights (runner);

  svd_metrics_accumulator_get (r->acc, &s);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reference");
  json_builder_add_string_value (b, ref_path);
  json_builder_set_member_name (b, "distorted");
  json_builder_add_string_value (b, dist_path);
  json_builder_set_member_name (b, "chain");
  if (chain != NULL)
    json_builder_add_string_value (b, chain);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, clip ? "clip" : "image");
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, svd_metrics_runner_get_device (runner));
  json_builder_set_member_name (b, "n_frames");
  json_builder_add_int_value (b, s.n_frames);
  if (r->frames->len > 0)
    {
      const SvdMetricsFrame *f0 = &g_array_index (r->frames, SvdMetricsFrame, 0);

      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, f0->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, f0->height);
    }

  json_builder_set_member_name (b, "definitions");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "psnr_rgb");
  json_builder_add_string_value (b, "10·log10(255²/MSE) over R, G, B samples on the 8-bit scale");
  json_builder_set_member_name (b, "psnr_y");
  json_builder_add_string_value (b, "the same on BT.601 luma Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255, unrounded");
  json_builder_set_member_name (b, "ssim_y");
  json_builder_add_string_value (b, "SSIM on that Y, Gaussian σ 1.5 11x11, K1 0.01, K2 0.03, L 255, population statistics, "
                                    "mean over windows wholly inside the image");
  json_builder_set_member_name (b, "psnr_null");
  json_builder_add_string_value (b, "null PSNR means infinite (identical images)");
  json_builder_end_object (b);

  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  svd_cli_json_add_double (b, "psnr_rgb_mean_of_frames", s.psnr_rgb_mean);
  svd_cli_json_add_double (b, "psnr_rgb_of_mean_mse", s.psnr_rgb_of_mean_mse);
  svd_cli_json_add_double (b, "psnr_y_mean_of_frames", s.psnr_y_mean);
  svd_cli_json_add_double (b, "psnr_y_of_mean_mse", s.psnr_y_of_mean_mse);
  svd_cli_json_add_double (b, "ssim_y_mean_of_frames", s.ssim_y_mean);
  svd_cli_json_add_double (b, "dists_mean_of_frames", s.dists_mean);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "dists");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, svd_dists_mode_name (svd_metrics_runner_get_dists_mode (runner)));
  json_builder_set_member_name (b, "available");
  json_builder_add_boolean_value (b, dw != NULL);
  if (dw != NULL)
    {
      json_builder_set_member_name (b, "vgg16_weights");
      json_builder_add_string_value (b, dw->vgg16_path);
      json_builder_set_member_name (b, "dists_weights");
      json_builder_add_string_value (b, dw->dists_path);
    }
  else if (derr != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, derr->message);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, svd_error_code_name (derr->code));
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "frames");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->frames->len; i++)
    {
      const SvdMetricsFrame *f = &g_array_index (r->frames, SvdMetricsFrame, i);
      gint64 pts = g_array_index (r->pts, gint64, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, f->frame_index);
      json_builder_set_member_name (b, "reference_index");
      json_builder_add_int_value (b, g_array_index (r->ref_index, gint64, i));
      json_builder_set_member_name (b, "pts_us");
      if (pts != G_MININT64)
        json_builder_add_int_value (b, pts);
      else
        json_builder_add_null_value (b);
      svd_cli_json_add_double (b, "psnr_rgb", f->psnr_rgb);
      svd_cli_json_add_double (b, "psnr_y", f->psnr_y);
      svd_cli_json_add_double (b, "mse_rgb", f->mse_rgb);
      svd_cli_json_add_double (b, "mse_y", f->mse_y);
      svd_cli_json_add_double (b, "ssim_y", f->has_ssim ? f->ssim_y : NAN);
      svd_cli_json_add_double (b, "dists", f->has_dists ? f->dists : NAN);
      json_builder_set_member_name (b, "identical");
      json_builder_add_boolean_value (b, f->mse_rgb == 0.0);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  svd_cli_print_json (b);
}

static gboolean
run_images (SvdMetricsRunner  *runner,
            Chain             *chain,
            const char        *ref_path,
            const char        *dist_path,
            Results           *results,
            GCancellable      *cancellable,
            GError           **error)
{
  g_autoptr(SvdImage) ref = svd_png_load_as (ref_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, error);
  g_autoptr(SvdImage) dist_in = NULL;
  g_autoptr(SvdImage) dist = NULL;
  SvdMetricsFrame f;

  if (ref == NULL)
    return FALSE;
  dist_in = svd_png_load_as (dist_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, error);
  if (dist_in == NULL)
    return FALSE;
  dist = chain_run (chain, dist_in, cancellable, error);
  if (dist == NULL)
    return FALSE;
  if (!svd_metrics_runner_compute (runner, ref, dist, &f, NULL, NULL, error))
    return FALSE;
  f.frame_index = 0;
  results_add (results, &f, 0, G_MININT64);
  return TRUE;
}

static gboolean
run_clips (SvdMetricsRunner  *runner,
           Chain             *chain,
           const char        *ref_path,
           const char        *dist_path,
           gint64             offset,
           gint64             max_frames,
           gboolean           quiet,
           Results           *results,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autoptr(SvdSessionSource) src = svd_session_source_new_pair (dist_path, ref_path, offset, error);
  g_autoptr(SvdFrameConverter) frames = NULL;
  const SvdPairReport *report;

  if (src == NULL)
    return FALSE;
  frames = svd_frame_converter_new_or_cpu (svd_metrics_runner_get_context (runner));
  report = svd_session_source_get_report (src);
  if (!quiet && report->summary != NULL)
    fprintf (stderr, "%s\n", report->summary);
  if (report->n_paired <= 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "No frame of “%s” has a matching frame in “%s”%s%s", dist_path, ref_path,
                   report->summary != NULL ? ": " : "", report->summary != NULL ? report->summary : "");
      return FALSE;
    }
  for (gint64 i = report->first_paired; i <= report->last_paired; i++)
    {
      g_autoptr(SvdImage) in_frame = NULL, ref_frame = NULL, in_rgb = NULL, ref_rgb = NULL, out = NULL;
      gint64 ref_index = svd_session_source_reference_index (src, i);
      SvdMetricsFrame f;

      if (max_frames > 0 && (gint64) results->frames->len >= max_frames)
        break;
      svd_fault_cancel_point (cancellable);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (ref_index < 0)
        continue;
      in_frame = svd_session_source_read_input (src, i, error);
      if (in_frame == NULL)
        return FALSE;
      ref_frame = svd_session_source_read_reference (src, i, error);
      if (ref_frame == NULL)
        return FALSE;
      in_rgb = to_rgb (frames, in_frame, error);
      if (in_rgb == NULL)
        return FALSE;
      ref_rgb = to_rgb (frames, ref_frame, error);
      if (ref_rgb == NULL)
        return FALSE;
      out = chain_run (chain, in_rgb, cancellable, error);
      if (out == NULL)
        return FALSE;
      if (!svd_metrics_runner_compute (runner, ref_rgb, out, &f, NULL, NULL, error))
        {
          g_prefix_error (error, "Frame %" G_GINT64_FORMAT ": ", i);
          return FALSE;
        }
      f.frame_index = i;
      results_add (results, &f, ref_index, in_frame->pts);
      if (!quiet && isatty (fileno (stderr)))
        fprintf (stderr, "\rframe %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, i, report->last_paired);
    }
  if (!quiet && isatty (fileno (stderr)))
    fprintf (stderr, "\n");
  return TRUE;
}

int
svd_cmd_metrics (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("REF DIST - compare two images or two clips");
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdMetricsRunner) runner = NULL;
  g_auto(SvdSettings) settings = { 0 };
  g_autofree char *chain_spec = NULL;
  g_autofree char *per_frame = NULL;
  g_autofree char *dists_weights = NULL;
  g_autofree char *vgg16_weights = NULL;
  g_autofree char *dists_name = NULL;
  g_autofree char *csv_temp = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SvdCliInterrupt) interrupt = { 0 };
  gint64 offset = 0, max_frames = 0;
  g_auto(SvdCliCommon) common = { 0 };
  GOptionEntry entries[] = {
    { "chain", 0, 0, G_OPTION_ARG_STRING, &chain_spec, "Run DIST through this chain first (models, bicubic:2, presets; comma-separated)", "CHAIN" },
    { "per-frame", 0, 0, G_OPTION_ARG_FILENAME, &per_frame, "Write per-frame values to this CSV file", "FILE" },
    { "dists", 0, 0, G_OPTION_ARG_STRING, &dists_name, "Also compute DISTS: full or short256 (off by default)", "MODE" },
    { "dists-weights", 0, 0, G_OPTION_ARG_FILENAME, &dists_weights, "DISTS α/β file (env SVD_DISTS_WEIGHTS)", "FILE" },
    { "vgg16-weights", 0, 0, G_OPTION_ARG_FILENAME, &vgg16_weights, "torchvision VGG16 weights (env SVD_VGG16_WEIGHTS)", "FILE" },
    { "offset", 0, 0, G_OPTION_ARG_INT64, &offset, "Clips: reference frame = matched frame + N", "N" },
    { "max-frames", 0, 0, G_OPTION_ARG_INT64, &max_frames, "Clips: compare at most N frames", "N" },
    { NULL }
  };
  Chain chain = { 0 };
  Results results = { 0 };
  SvdDistsMode dists_mode = SVD_DISTS_SHORT256;
  gboolean clip, ok;
  int status = 0;

  g_option_context_set_description (context,
    "Full-reference metrics of DIST against REF: PSNR on RGB and on BT.601 luma, SSIM on luma\n"
    "(scikit-image's Gaussian definition) and, with --dists, DISTS. REF and DIST are two PNG\n"
    "images or two clips (frames paired by timestamp, then --offset). Clips give each frame's\n"
    "values (--per-frame) and two PSNR aggregates, labelled: the mean of per-frame PSNR and\n"
    "the PSNR of the mean MSE (what FFmpeg prints as \"average\").\n\n"
    "DISTS needs torchvision's vgg16-397923af.pth and DISTS' α/β (DISTS_pytorch weights.pt or\n"
    "pyiqa DISTS_weights-*.pth); they are searched where those tools keep them. When they\n"
    "are missing DISTS is reported unavailable with where to put them, and the exit status\n"
    "is 3; the other metrics are still printed.\n\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 DISTS asked for but unavailable.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 3)
    return svd_cli_usage_error (context, "Need REF and DIST");
  if (dists_name != NULL && !svd_dists_mode_from_name (dists_name, &dists_mode))
    return svd_cli_usage_error (context, "--dists takes full or short256");
  svd_cli_settings (&common, &settings);
  if (dists_weights != NULL)
    {
      g_free (settings.dists_weights);
      settings.dists_weights = g_strdup (dists_weights);
    }
  if (vgg16_weights != NULL)
    {
      g_free (settings.vgg16_weights);
      settings.vgg16_weights = g_strdup (vgg16_weights);
    }

  clip = !is_image_path (argv[1]) || !is_image_path (argv[2]);
  if (clip && (is_image_path (argv[1]) || is_image_path (argv[2])))
    return svd_cli_usage_error (context, "REF and DIST must both be images or both be clips");

  /* --per-frame is checked before any work: never the reference or the
   * distorted clip (it used to truncate REF before reading it). */
  if (per_frame != NULL &&
      !svd_cli_check_output (&common, per_frame, (const char *const *) argv + 1, 2, chain_spec, 0, &error))
    return svd_cli_fail (argv[0], error);
  runner = svd_metrics_runner_new (&settings, dists_name != NULL, dists_mode, &error);
  if (runner == NULL)
    return svd_cli_fail (argv[0], error);
  if (chain_spec != NULL && !chain_init (&chain, chain_spec, &settings, &error))
    {
      chain_clear (&chain);
      return svd_cli_fail (argv[0], error);
    }

  results.acc = svd_metrics_accumulator_new ();
  results.frames = g_array_new (FALSE, FALSE, sizeof (SvdMetricsFrame));
  results.pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  results.ref_index = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* Before the temporary file exists, so an interrupt can never orphan
   * it: Ctrl-C, SIGTERM and SIGHUP cancel between frames and inside the
   * chain, the temporary CSV is removed, and the status says which signal
   * it was (130, 143, 129). */
  svd_cli_interrupt_start (&interrupt, cancellable);
  if (per_frame != NULL)
    {
      int fd;

      /* Written under a hidden temporary name beside it and renamed when
       * complete, as every other output: an interrupted or failed run
       * leaves no half CSV, and an existing one (--force) stays whole
       * until then. */
      csv_temp = svd_output_temp_template (per_frame);
      svd_output_remove_stale_parts (per_frame);
      fd = g_mkstemp_full (csv_temp, O_RDWR | O_CLOEXEC, 0644);
      if (fd < 0 || (results.csv = fdopen (fd, "w")) == NULL)
        {
          int saved = errno;

          if (fd >= 0)
            {
              close (fd);
              g_unlink (csv_temp);
            }
          g_clear_pointer (&csv_temp, g_free);
          g_set_error (&error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", per_frame, g_strerror (saved));
          status = svd_cli_fail (argv[0], error);
          goto out;
        }
      fprintf (results.csv, "frame,reference_frame,pts_us,psnr_rgb,psnr_y,ssim_y,dists,mse_rgb,mse_y\n");
    }

  if (clip)
    ok = run_clips (runner, &chain, argv[1], argv[2], offset, max_frames, common.quiet || common.json,
                    &results, cancellable, &error);
  else
    ok = run_images (runner, &chain, argv[1], argv[2], &results, cancellable, &error);
  if (results.csv != NULL && fclose (results.csv) != 0 && ok)
    {
      int saved = errno;

      g_set_error (&error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", per_frame, g_strerror (saved));
      ok = FALSE;
    }
  results.csv = NULL;
  if (ok && csv_temp != NULL)
    {
      ok = svd_output_replace (csv_temp, per_frame, &error);
      if (ok)
        g_clear_pointer (&csv_temp, g_free);
    }
  if (!ok)
    {
      status = svd_cli_fail_interrupted (argv[0], &interrupt, error);
      goto out;
    }

  if (common.json)
    print_json (runner, &results, argv[1], argv[2], chain_spec, clip);
  else
    print_text (runner, &results, clip);
  if (dists_name != NULL && svd_metrics_runner_get_dists_error (runner) != NULL)
    status = 3;

out:
  if (results.csv != NULL)
    fclose (results.csv);
  if (csv_temp != NULL)
    g_unlink (csv_temp);
  chain_clear (&chain);
  g_clear_pointer (&results.acc, svd_metrics_accumulator_free);
  g_clear_pointer (&results.frames, g_array_unref);
  g_clear_pointer (&results.pts, g_array_unref);
  g_clear_pointer (&results.ref_index, g_array_unref);
  return status;
}
