/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Speed of the metrics: `meson test -C BUILD --benchmark --suite metrics`
 * or run directly: bench-metrics [--frames N] [--dists] [--dists-full]
 * [--dists-only [--dists-frames N]].
 * Frames are the BBB 720p reference pair of ../shared, also resized to
 * 1920x1080. Prints milliseconds per frame; never fails on speed. */
#define G_LOG_DOMAIN "bench-metrics"

#include "svd-test-utils.h"
#include "core/svd-png.h"
#include "metrics/svd-cl-metrics.h"
#include "metrics/svd-dists.h"
#include "metrics/svd-cl-dists.h"
#include "metrics/svd-metrics.h"

#include <stdio.h>
#include <sys/resource.h>

static int n_frames = 10;
static gboolean do_dists = FALSE;
static gboolean do_dists_full = FALSE;
static gboolean dists_only = FALSE;
static int n_dists = 3;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Process CPU time (all threads, PoCL's included): on a shared machine it
 * says what the work costs when wall time mostly says how busy the
 * neighbours are. */
static double
cpu_ms (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

typedef struct {
  double wall;
  double cpu;
} Clock;

static Clock
clock_start (void)
{
  return (Clock) { now_ms (), cpu_ms () };
}

static void
clock_print (Clock       c,
             int         n,
             const char *fmt,
             ...) G_GNUC_PRINTF (3, 4);

static void
clock_print (Clock       c,
             int         n,
             const char *fmt,
             ...)
{
  double wall = (now_ms () - c.wall) / n, cpu = (cpu_ms () - c.cpu) / n;
  g_autofree char *label = NULL;
  va_list ap;

  va_start (ap, fmt);
  label = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  printf ("%-58s %9.1f ms/frame wall  %9.1f ms CPU\n", label, wall, cpu);
  fflush (stdout);
}

static void
bench_size (SvdClContext   *ctx,
            const SvdImage *ref,
            const SvdImage *dist,
            const char     *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdClMetrics) m = svd_cl_metrics_new (ctx, NULL, &error);
  SvdMetricsFrame f;

  g_assert_no_error (error);
  /* Warm-up: buffers, first-run costs. */
  g_assert_true (svd_cl_metrics_compute (m, ref, dist, &f, NULL, NULL, &error));
  const char *fmt = svd_pixel_format_get_info (ref->format)->name;
  int n_ref = MAX (1, n_frames / 2);
  Clock c;

  c = clock_start ();
  for (int i = 0; i < n_frames; i++)
    g_assert_true (svd_cl_metrics_compute (m, ref, dist, &f, NULL, NULL, &error));
  clock_print (c, n_frames, "%s %dx%d %s OpenCL PSNR+SSIM", label, ref->width, ref->height, fmt);
  c = clock_start ();
  for (int i = 0; i < n_frames; i++)
    {
      g_autoptr(SvdImage) smap = NULL, dmap = NULL;

      g_assert_true (svd_cl_metrics_compute (m, ref, dist, &f, &smap, &dmap, &error));
    }
  clock_print (c, n_frames, "%s %dx%d %s OpenCL PSNR+SSIM+maps", label, ref->width, ref->height, fmt);
  c = clock_start ();
  for (int i = 0; i < n_ref; i++)
    g_assert_true (svd_metrics_compute (ref, dist, NULL, &f, NULL, NULL, &error));
  clock_print (c, n_ref, "%s %dx%d %s CPU ref PSNR+SSIM", label, ref->width, ref->height, fmt);
  c = clock_start ();
  for (int i = 0; i < n_ref; i++)
    {
      g_autoptr(SvdImage) smap = NULL, dmap = NULL;

      g_assert_true (svd_metrics_compute (ref, dist, NULL, &f, &smap, &dmap, &error));
    }
  clock_print (c, n_ref, "%s %dx%d %s CPU ref PSNR+SSIM+maps", label, ref->width, ref->height, fmt);
}

static void
bench_dists (SvdClContext   *ctx,
             const SvdImage *ref,
             const SvdImage *dist,
             SvdDistsMode    mode)
{
  g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
  g_autoptr(GError) error = NULL;
  Clock c0 = clock_start (), c;
  g_autoptr(SvdDistsWeights) w = svd_dists_weights_load (ab, vgg, &error);
  g_autoptr(SvdClDists) d = NULL;
  double score;

  g_assert_no_error (error);
  clock_print (c0, 1, "DISTS weights load");
  c = clock_start ();
  d = svd_cl_dists_new (ctx, w, &error);
  g_assert_no_error (error);
  clock_print (c, 1, "DISTS runner setup (kernels, VGG16 layers)");
  c = clock_start ();
  g_assert_true (svd_cl_dists_compute (d, ref, dist, mode, &score, NULL, &error));
  g_assert_no_error (error);
  clock_print (c, 1, "DISTS %s first pair (variants made on first need)", svd_dists_mode_name (mode));
  c = clock_start ();
  for (int i = 0; i < n_dists; i++)
    g_assert_true (svd_cl_dists_compute (d, ref, dist, mode, &score, NULL, &error));
  clock_print (c, n_dists, "DISTS %s %dx%d OpenCL (score %.6f)", svd_dists_mode_name (mode),
               ref->width, ref->height, score);
  {
    /* What a chain's output costs once the reference's features are shared. */
    g_autoptr(SvdClDistsFeatures) fr = svd_cl_dists_features_new (d, ref, mode, NULL, &error);

    g_assert_no_error (error);
    c = clock_start ();
    for (int i = 0; i < n_dists; i++)
      {
        g_autoptr(SvdClDistsFeatures) fd = svd_cl_dists_features_new (d, dist, mode, NULL, &error);

        g_assert_no_error (error);
        g_assert_true (svd_cl_dists_score (d, fr, fd, &score, &error));
      }
    clock_print (c, n_dists, "DISTS %s %dx%d OpenCL, reference features shared", svd_dists_mode_name (mode),
                 ref->width, ref->height);
    {
      g_autoptr(SvdClDistsFeatures) fd = svd_cl_dists_features_new (d, dist, mode, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (svd_cl_dists_score (d, fr, fd, &score, &error));
      c = clock_start ();
      for (int i = 0; i < n_dists; i++)
        g_assert_true (svd_cl_dists_score (d, fr, fd, &score, &error));
      clock_print (c, n_dists, "DISTS %s %dx%d OpenCL, statistics and score alone", svd_dists_mode_name (mode),
                   ref->width, ref->height);
    }
  }
  if (mode == SVD_DISTS_SHORT256 && !dists_only)
    {
      c = clock_start ();
      g_assert_true (svd_dists_compute_ref (w, ref, dist, mode, 0, &score, &error));
      clock_print (c, 1, "DISTS %s %dx%d CPU ref (score %.6f)", svd_dists_mode_name (mode),
                   ref->width, ref->height, score);
    }
}

int
main (int    argc,
      char **argv)
{
  GOptionEntry entries[] = {
    { "frames", 0, 0, G_OPTION_ARG_INT, &n_frames, "Frames per measurement", "N" },
    { "dists", 0, 0, G_OPTION_ARG_NONE, &do_dists, "Also DISTS short256", NULL },
    { "dists-full", 0, 0, G_OPTION_ARG_NONE, &do_dists_full, "Also DISTS full at 720p (slow)", NULL },
    { "dists-only", 0, 0, G_OPTION_ARG_NONE, &dists_only, "DISTS short256 only, no PSNR/SSIM", NULL },
    { "dists-frames", 0, 0, G_OPTION_ARG_INT, &n_dists, "Pairs per DISTS measurement (3)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("- metrics speed");
  g_autoptr(SvdClContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rp = NULL, *dp = NULL;
  g_autoptr(SvdImage) ref = NULL, dist = NULL, ref8 = NULL, dist8 = NULL, ref_hd = NULL, dist_hd = NULL;
  g_autoptr(SvdImage) ref8_hd = NULL, dist8_hd = NULL;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  svd_test_require_shared ();
  ctx = svd_test_cl_context ();
  {
    g_autofree char *load = NULL;

    if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
      printf ("load average: %s", load);
    printf ("CPUs: %u\n", g_get_num_processors ());
  }
  printf ("device: %s (%s)\n", svd_cl_context_get_info (ctx)->name, svd_cl_context_get_info (ctx)->platform_name);
  rp = svd_test_shared_path ("reference", "metrics", "bbb720_f60_ref.png", NULL);
  dp = svd_test_shared_path ("reference", "metrics", "bbb720_f60_crf34.png", NULL);
  ref = svd_png_load_as (rp, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  dist = svd_png_load_as (dp, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  ref8 = svd_png_load_as (rp, SVD_PIXEL_FORMAT_RGBA8, NULL, &error);
  dist8 = svd_png_load_as (dp, SVD_PIXEL_FORMAT_RGBA8, NULL, &error);
  ref_hd = svd_dists_resize_ref (ref, 1920, 1080, &error);
  dist_hd = svd_dists_resize_ref (dist, 1920, 1080, &error);
  g_assert_no_error (error);
  /* What a player hands over: 8-bit RGBA frames. */
  ref8_hd = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, 1920, 1080, &error);
  dist8_hd = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, 1920, 1080, &error);
  g_assert_no_error (error);
  g_assert_true (svd_convert_rgbf32_to_rgba8_ref (ref_hd, ref8_hd, &error));
  g_assert_true (svd_convert_rgbf32_to_rgba8_ref (dist_hd, dist8_hd, &error));

  if (dists_only)
    {
      bench_dists (ctx, ref, dist, SVD_DISTS_SHORT256);
      return 0;
    }
  bench_size (ctx, ref, dist, "720p");
  bench_size (ctx, ref8, dist8, "720p");
  bench_size (ctx, ref_hd, dist_hd, "1080p");
  bench_size (ctx, ref8_hd, dist8_hd, "1080p");
  if (do_dists)
    bench_dists (ctx, ref, dist, SVD_DISTS_SHORT256);
  if (do_dists_full)
    bench_dists (ctx, ref, dist, SVD_DISTS_FULL);
  return 0;
}
