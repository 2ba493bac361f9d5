/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The readout's text without a display: each cell for a frame with and
 * without metrics, DISTS of the shown frame and of an older one, the clip
 * means (each frame counted once), the widest texts and the speed line. */
#define G_LOG_DOMAIN "test-readout-format"

#include "svd-test-utils.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "session/svd-readout-format.h"

static SvdSessionChainFrame
chain_frame (gint64 index,
             double psnr_rgb,
             double psnr_y,
             double ssim_y)
{
  SvdSessionChainFrame c = { 0 };

  c.active = TRUE;
  c.has_metrics = TRUE;
  svd_metrics_frame_init (&c.metrics);
  c.metrics.frame_index = index;
  c.metrics.psnr_rgb = psnr_rgb;
  c.metrics.psnr_y = psnr_y;
  c.metrics.mse_rgb = 255.0 * 255.0 / pow (10, psnr_rgb / 10);
  c.metrics.mse_y = 255.0 * 255.0 / pow (10, psnr_y / 10);
  c.metrics.ssim_y = ssim_y;
  c.metrics.has_ssim = TRUE;
  c.wall_ms = 12.34;
  c.timings.n_stages = 2;
  c.timings.stage_ms[0] = 5.0;
  c.timings.stage_ms[1] = 6.25;
  return c;
}

static void
test_frame (void)
{
  SvdSessionChainFrame c = chain_frame (9, 31.234, 33.006, 0.91234);
  SvdChainStats stats = { 0 };
  SvdReadoutOptions options = { SVD_DISTS_SHORT256, FALSE, NULL, NULL };
  SvdReadoutText t;

  svd_chain_stats_reset (&stats);
  g_assert_true (svd_chain_stats_add_frame (&stats, &c.metrics));
  svd_readout_format_chain (1, &c, &stats, &options, &t);
  g_assert_cmpstr (t.cells[SVD_READOUT_TITLE], ==, "Chain 2");
  g_assert_cmpstr (t.cells[SVD_READOUT_PSNR_RGB], ==, "PSNR-RGB 31.23 dB");
  g_assert_cmpstr (t.cells[SVD_READOUT_PSNR_Y], ==, "PSNR-Y (BT.601) 33.01 dB");
  g_assert_cmpstr (t.cells[SVD_READOUT_SSIM], ==, "SSIM-Y (Gaussian σ 1.5) 0.9123");
  g_assert_cmpstr (t.cells[SVD_READOUT_DISTS], ==, "DISTS (short256) computing…");
  /* Issue #24: one frame is not "1 frames", nor a mean. */
  g_assert_cmpstr (t.cells[SVD_READOUT_MEAN], ==, "clip so far, 1 frame: PSNR-Y 33.01 dB, SSIM-Y 0.9123");
  g_assert_null (t.cells[SVD_READOUT_MEAN_DISTS]);
  /* The stages and the rest add up to the chain's time (issue #24). */
  g_assert_cmpstr (t.cells[SVD_READOUT_TIME], ==, "12.3 ms, stage 1 5.0 ms, stage 2 6.2 ms, other 1.1 ms");
  /* The same cells as bare values, for the readouts table (issue #24:
   * one line per chain under column headers). */
  g_assert_cmpstr (t.values[SVD_READOUT_TITLE], ==, "Chain 2");
  g_assert_cmpstr (t.values[SVD_READOUT_PSNR_RGB], ==, "31.23 dB");
  g_assert_cmpstr (t.values[SVD_READOUT_PSNR_Y], ==, "33.01 dB");
  g_assert_cmpstr (t.values[SVD_READOUT_SSIM], ==, "0.9123");
  g_assert_cmpstr (t.values[SVD_READOUT_DISTS], ==, "computing…");
  g_assert_cmpstr (t.values[SVD_READOUT_MEAN], ==, "33.01 dB · 0.9123");
  g_assert_null (t.values[SVD_READOUT_MEAN_DISTS]);
  g_assert_cmpstr (t.values[SVD_READOUT_TIME], ==, "12.3 ms");
  {
    g_autofree char *h = svd_readout_format_header (SVD_READOUT_DISTS, &options);
    g_autofree char *m = svd_readout_format_header (SVD_READOUT_MEAN, &options);

    g_assert_cmpstr (h, ==, "DISTS (short256)");
    g_assert_cmpstr (m, ==, "clip mean PSNR-Y · SSIM-Y");
  }
  g_assert_null (t.message);
  svd_readout_text_clear (&t);

  /* DISTS of this frame, then of an older one during playback. */
  svd_chain_stats_add_dists (&stats, 9, 0.12345);
  svd_readout_format_chain (1, &c, &stats, &options, &t);
  g_assert_cmpstr (t.cells[SVD_READOUT_DISTS], ==, "DISTS (short256) 0.1235");
  g_assert_cmpstr (t.cells[SVD_READOUT_MEAN_DISTS], ==, "mean DISTS 0.1235 over 1 frame");
  svd_readout_text_clear (&t);
  c.metrics.frame_index = 12;
  options.dists_mode = SVD_DISTS_FULL;
  svd_readout_format_chain (1, &c, &stats, &options, &t);
  g_assert_cmpstr (t.cells[SVD_READOUT_DISTS], ==, "DISTS (full, frame 10, 3 behind) 0.1235");
  svd_readout_text_clear (&t);

  /* Why there is no DISTS replaces the cell by a message. */
  options.dists_unavailable = "no VGG16 weights";
  svd_readout_format_chain (1, &c, &stats, &options, &t);
  g_assert_null (t.cells[SVD_READOUT_DISTS]);
  g_assert_cmpstr (t.message, ==, "DISTS unavailable: no VGG16 weights");
  svd_readout_text_clear (&t);
  /* Said once for every chain elsewhere (the window's banner): neither. */
  options.dists_elsewhere = TRUE;
  svd_readout_format_chain (1, &c, &stats, &options, &t);
  g_assert_null (t.cells[SVD_READOUT_DISTS]);
  g_assert_null (t.message);
  svd_readout_text_clear (&t);
  svd_chain_stats_clear (&stats);
}

/* A frame shown twice counts once in the clip means, as does its DISTS;
 * the PSNR of the mean MSE is the other aggregate `svd metrics` prints. */
static void
test_means (void)
{
  SvdSessionChainFrame a = chain_frame (0, 30, 30, 0.9);
  SvdSessionChainFrame b = chain_frame (1, 40, 40, 0.8);
  SvdChainStats stats = { 0 };
  SvdReadoutOptions options = { SVD_DISTS_SHORT256, FALSE, NULL, NULL };
  SvdReadoutText t;

  svd_chain_stats_reset (&stats);
  g_assert_true (svd_chain_stats_add_frame (&stats, &a.metrics));
  g_assert_true (svd_chain_stats_add_frame (&stats, &b.metrics));
  g_assert_false (svd_chain_stats_add_frame (&stats, &a.metrics));
  svd_chain_stats_add_dists (&stats, 0, 0.2);
  svd_chain_stats_add_dists (&stats, 0, 0.2);
  svd_chain_stats_add_dists (&stats, 1, 0.4);
  svd_readout_format_chain (0, &b, &stats, &options, &t);
  g_assert_cmpstr (t.cells[SVD_READOUT_MEAN], ==, "clip mean of 2 frames: PSNR-Y 35.00 dB, SSIM-Y 0.8500");
  g_assert_cmpstr (t.cells[SVD_READOUT_MEAN_DISTS], ==, "mean DISTS 0.3000 over 2 frames");
  svd_readout_text_clear (&t);
  options.psnr_of_mean_mse = TRUE;
  svd_readout_format_chain (0, &b, &stats, &options, &t);
  /* MSE 65.025 and 6.5025: their mean 35.76375 gives 32.60 dB. */
  g_assert_cmpstr (t.cells[SVD_READOUT_MEAN], ==,
                   "clip of 2 frames: PSNR-Y of the mean MSE 32.60 dB, mean SSIM-Y 0.8500");
  svd_readout_text_clear (&t);

  svd_chain_stats_forget_dists (&stats);
  svd_readout_format_chain (0, &b, &stats, &options, &t);
  g_assert_cmpstr (t.cells[SVD_READOUT_DISTS], ==, "DISTS (short256) computing…");
  g_assert_null (t.cells[SVD_READOUT_MEAN_DISTS]);
  svd_readout_text_clear (&t);
  svd_chain_stats_clear (&stats);
}

static void
test_no_metrics (void)
{
  SvdSessionChainFrame c = chain_frame (0, 0, 0, 0);
  SvdReadoutOptions options = { SVD_DISTS_SHORT256, FALSE, NULL, NULL };
  SvdReadoutText t;

  c.has_metrics = FALSE;
  svd_readout_format_chain (0, &c, NULL, &options, &t);
  g_assert_null (t.cells[SVD_READOUT_PSNR_Y]);
  g_assert_cmpstr (t.message, ==, "no metrics without a reference");
  g_assert_nonnull (t.cells[SVD_READOUT_TIME]);
  svd_readout_text_clear (&t);

  c.metrics_problem = (char *) "256×144 ≠ 128×72";
  svd_readout_format_chain (0, &c, NULL, &options, &t);
  g_assert_cmpstr (t.message, ==, "no metrics: 256×144 ≠ 128×72");
  svd_readout_text_clear (&t);

  c.error = (char *) "out of memory";
  svd_readout_format_chain (0, &c, NULL, &options, &t);
  g_assert_cmpstr (t.message, ==, "failed: out of memory");
  g_assert_null (t.cells[SVD_READOUT_TIME]);
  svd_readout_text_clear (&t);

  /* Identical frames: infinite PSNR. */
  c = chain_frame (0, INFINITY, INFINITY, 1.0);
  svd_readout_format_chain (0, &c, NULL, &options, &t);
  g_assert_cmpstr (t.cells[SVD_READOUT_PSNR_Y], ==, "PSNR-Y (BT.601) ∞ (identical)");
  svd_readout_text_clear (&t);
}

/* Each widest text is at least as long as any value's text. */
static void
test_widest (void)
{
  SvdSessionChainFrame c = chain_frame (99998, 99.99, 99.99, -0.5);
  SvdChainStats stats = { 0 };
  SvdReadoutOptions options = { SVD_DISTS_FULL, TRUE, NULL, NULL };
  SvdReadoutText w, t;

  svd_chain_stats_reset (&stats);
  svd_chain_stats_add_frame (&stats, &c.metrics);
  svd_chain_stats_add_dists (&stats, 1, 1.5);
  svd_readout_format_widest (3, 99999, 2, &w);
  svd_readout_format_chain (3, &c, &stats, &options, &t);
  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    {
      g_assert_nonnull (w.cells[i]);
      if (t.cells[i] != NULL)
        g_assert_cmpint (g_utf8_strlen (w.cells[i], -1), >=, g_utf8_strlen (t.cells[i], -1));
    }
  svd_readout_text_clear (&w);
  svd_readout_text_clear (&t);
  svd_chain_stats_clear (&stats);
}

static void
test_speed (void)
{
  g_autofree char *a = svd_readout_format_speed (TRUE, 24.9, 25.0, 0);
  g_autofree char *b = svd_readout_format_speed (TRUE, 10.0, 25.0, 0);
  g_autofree char *c = svd_readout_format_speed (FALSE, 0, 25.0, 80.4);

  g_assert_cmpstr (a, ==, "24.9 of 25.00 fps — real time");
  g_assert_cmpstr (b, ==, "10.0 of 25.00 fps — slower than real time");
  g_assert_cmpstr (c, ==, "compute 80 ms per frame (real time needs 40 ms)");
}

int
main (int    argc,
      char **argv)
{
  /* The English texts: no catalogue, the C locale's numbers. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/readout-format/frame", test_frame);
  g_test_add_func ("/readout-format/means", test_means);
  g_test_add_func ("/readout-format/no-metrics", test_no_metrics);
  g_test_add_func ("/readout-format/widest", test_widest);
  g_test_add_func ("/readout-format/speed", test_speed);
  return g_test_run ();
}
