/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The comparison session without a window: a clip FFmpeg makes here, opened
 * in each reference mode, two chains (a built-in resize and the project's
 * own model); the worker shares one OpenCL context between the chains and
 * the metrics, and the overlays are the metrics' own SSIM and difference
 * maps, so what the SSIM overlay shows is the SSIM the readout gives. */
#define G_LOG_DOMAIN "test-session"

#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "engine/svd-cl.h"
#include "engine/svd-color.h"
#include "metrics/svd-metrics-runner.h"
#include "metrics/svd-metrics.h"
#include "session/svd-heatmap.h"
#include "model/svd-chain.h"
#include "session/svd-session.h"

static char *work;
static char *clean;
static char *long_clip;
static char *model_2x;

typedef struct {
  GMainLoop       *loop;
  SvdSessionInfo   info;
  gboolean         opened;
  char            *error;
  SvdSessionFrame *frame;
  SvdSessionDists *dists;
} Run;

static void
opened_cb (const SvdSessionInfo *info,
           const GError         *error,
           gpointer              user_data)
{
  Run *run = user_data;

  if (info == NULL)
    {
      run->error = g_strdup (error->message);
      g_main_loop_quit (run->loop);
      return;
    }
  run->opened = TRUE;
  run->info = *info;
  run->info.input_path = g_strdup (info->input_path);
  run->info.reference_path = g_strdup (info->reference_path);
  run->info.codec = run->info.summary = run->info.metrics_device = run->info.dists_unavailable = NULL;
  g_main_loop_quit (run->loop);
}

static void
frame_cb (SvdSessionFrame *frame,
          const GError    *error,
          gpointer         user_data)
{
  Run *run = user_data;

  if (frame == NULL)
    run->error = g_strdup (error->message);
  else
    run->frame = frame;
  g_main_loop_quit (run->loop);
}

static void
dists_cb (SvdSessionDists *dists,
          gpointer         user_data)
{
  Run *run = user_data;

  if (dists->index < 0)
    {
      svd_session_dists_free (dists);
      return;
    }
  run->dists = dists;
  g_main_loop_quit (run->loop);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->dists, svd_session_dists_free);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->info.input_path, g_free);
  g_clear_pointer (&run->info.reference_path, g_free);
  g_clear_pointer (&run->error, g_free);
  g_clear_pointer (&run->frame, svd_session_frame_free);
}

/* Opens @setup with the two chains and returns frame @index with
 * overlays. */
static SvdSession *
open_and_run (const SvdSessionSetup *setup,
              Run                   *run,
              gint64                 index)
{
  g_auto(SvdSettings) settings = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) bicubic = svd_chain_new (NULL);
  g_autoptr(SvdChain) super = svd_chain_parse (model_2x, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  SvdSession *session;

  g_assert_no_error (error);
  svd_chain_add_resize (bicubic, SVD_RESIZE_BICUBIC, 2);
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  run->loop = g_main_loop_new (NULL, FALSE);
  session = svd_session_new (&settings, setup, opened_cb, frame_cb, NULL, run);
  svd_session_set_chain (session, 0, bicubic);
  svd_session_set_chain (session, 1, super);
  g_main_loop_run (run->loop);
  g_assert_null (run->error);
  g_assert_true (run->opened);
  svd_session_request (session, index, 1, TRUE, TRUE);
  g_main_loop_run (run->loop);
  g_assert_null (run->error);
  g_assert_nonnull (run->frame);
  g_assert_cmpint (run->frame->index, ==, index);
  return session;
}

static void request_and_wait (SvdSession *session,
                              Run        *run,
                              gint64      index,
                              gboolean    want_overlays);

static gboolean
have_opencl (void)
{
  g_autoptr(GPtrArray) devices = svd_cl_list_devices (NULL);

  return devices != NULL && devices->len > 0;
}

/* How many RGBA8 pixels differ by more than @tolerance in a colour channel. */
static gsize
count_differing (const SvdImage *a,
                 const SvdImage *b,
                 int             tolerance)
{
  gsize n = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width; x++)
      for (int c = 0; c < 3; c++)
        if (abs (a->data[0][(gsize) y * a->stride[0] + x * 4 + c] - b->data[0][(gsize) y * b->stride[0] + x * 4 + c]) >
            tolerance)
          {
            n++;
            break;
          }
  return n;
}

static void
test_synthesize (void)
{
  SvdSessionSetup setup = { 0 };
  Run run = { 0 };
  SvdSession *session;
  guint live_before = svd_cl_context_get_n_live ();

  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clean;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  setup.degrade.crf = 28;
  session = open_and_run (&setup, &run, 2);
  g_assert_cmpint (run.info.width, ==, 64);
  g_assert_cmpint (run.info.ref_width, ==, 128);
  g_assert_nonnull (run.frame->reference);

  /* One OpenCL context for both chains' engines, the frame converter and
   * the metrics runner (the DISTS thread, not started here, has its
   * own). */
  if (have_opencl ())
    g_assert_cmpuint (svd_cl_context_get_n_live () - live_before, ==, 1);
  else
    g_assert_cmpuint (svd_cl_context_get_n_live () - live_before, ==, 0);

  for (guint i = 0; i < 2; i++)
    {
      SvdSessionChainFrame *c = &run.frame->chains[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdImage) ssim_map = NULL, diff_map = NULL;
      g_autoptr(SvdImage) want_ssim = NULL, want_diff = NULL;
      SvdMetricsFrame m;
      gsize n = (gsize) c->display->width * c->display->height;
      gsize bad_ssim, bad_diff;

      g_assert_null (c->error);
      g_assert_true (c->has_metrics);
      /* On a device, the chain's output went to the metrics there. */
      g_assert_cmpint (c->metrics_on_device, ==, have_opencl ());
      g_assert_nonnull (c->display);
      g_assert_nonnull (c->ssim_map);
      g_assert_nonnull (c->difference);
      g_assert_cmpint (c->display->width, ==, 128);

      /* The CPU reference on the shown images: the same Gaussian SSIM the
       * readout gives (the display is the output's 8-bit code, which is
       * what the metrics read). */
      g_assert_true (svd_metrics_compute (run.frame->reference, c->display, NULL, &m, &ssim_map, &diff_map, &error));
      g_assert_no_error (error);
      g_test_message ("chain %u: session SSIM-Y %.6f, CPU reference on the shown frames %.6f", i + 1,
                      c->metrics.ssim_y, m.ssim_y);
      g_assert_cmpfloat_with_epsilon (c->metrics.ssim_y, m.ssim_y, 1e-4);
      g_assert_cmpfloat_with_epsilon (c->metrics.psnr_y, m.psnr_y, 1e-3);

      want_ssim = svd_heatmap_ssim (ssim_map, run.frame->reference, &error);
      g_assert_no_error (error);
      want_diff = svd_heatmap_difference (diff_map, 4, &error);
      g_assert_no_error (error);
      /* Device floats against float64: a code or two apart at most. A box
       * SSIM map (what the overlay was before) differs almost everywhere. */
      bad_ssim = count_differing (c->ssim_map, want_ssim, 2);
      /* The session hands the difference as a float map at gain 1; the
       * viewer draws it at its amplification, here ×4. */
      g_assert_cmpint (c->difference->format, ==, SVD_PIXEL_FORMAT_RGB_F32);
      {
        g_autoptr(SvdImage) drawn = svd_heatmap_difference (c->difference, 4, &error);

        g_assert_no_error (error);
        bad_diff = count_differing (drawn, want_diff, 4);
      }
      g_test_message ("chain %u: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " SSIM overlay pixels and %"
                      G_GSIZE_FORMAT " difference pixels off the metrics' maps", i + 1, bad_ssim, n, bad_diff);
      g_assert_cmpuint (bad_ssim, <=, n / 1000);
      g_assert_cmpuint (bad_diff, <=, n / 1000);
    }

  svd_session_free (session);
  g_assert_cmpuint (svd_cl_context_get_n_live (), ==, live_before);
  run_clear (&run);
}

/* DISTS runs on its own thread with its own queue, on the frame worker's
 * OpenCL context: still one context for the whole session. With the
 * weights ../shared carries, its value is there too. */
static void
test_dists (void)
{
  g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
  g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);
  gboolean weights = g_file_test (ab, G_FILE_TEST_IS_REGULAR) && g_file_test (vgg, G_FILE_TEST_IS_REGULAR);
  SvdSessionSetup setup = { 0 };
  Run run = { 0 };
  SvdSession *session;
  guint live_before = svd_cl_context_get_n_live ();

  if (weights)
    {
      g_setenv ("SVD_DISTS_WEIGHTS", ab, TRUE);
      g_setenv ("SVD_VGG16_WEIGHTS", vgg, TRUE);
    }
  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clean;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  setup.degrade.crf = 28;
  session = open_and_run (&setup, &run, 1);
  /* The float outputs stay on the device until a DISTS function is set:
   * asking for the frame again makes them (the chains run again, since
   * the cached frame has none). */
  svd_session_set_dists_func (session, dists_cb);
  request_and_wait (session, &run, 1, TRUE);
  g_assert_true (svd_session_request_dists (session));
  g_main_loop_run (run.loop);
  g_assert_nonnull (run.dists);
  g_assert_cmpint (run.dists->index, ==, 1);
  g_test_message ("DISTS: %s %.6f %.6f", run.dists->error != NULL ? run.dists->error : "ok",
                  run.dists->dists[0], run.dists->dists[1]);
  if (weights)
    {
      g_assert_null (run.dists->error);
      g_assert_true (run.dists->has_dists[0] && run.dists->has_dists[1]);
    }
  if (have_opencl ())
    g_assert_cmpuint (svd_cl_context_get_n_live () - live_before, ==, 1);
  svd_session_free (session);
  g_assert_cmpuint (svd_cl_context_get_n_live (), ==, live_before);
  run_clear (&run);
  g_unsetenv ("SVD_DISTS_WEIGHTS");
  g_unsetenv ("SVD_VGG16_WEIGHTS");
}

/* A clip without reference is a session in "none" mode: frames and
 * chains, no metrics and no overlays. */
static void
test_none (void)
{
  SvdSessionSetup setup = { 0 };
  Run run = { 0 };
  SvdSession *session;

  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = clean;
  session = open_and_run (&setup, &run, 5);
  g_assert_null (run.info.reference_path);
  g_assert_cmpint (run.info.width, ==, 128);
  g_assert_cmpint (run.info.n_frames, ==, 8);
  g_assert_nonnull (run.frame->source);
  g_assert_null (run.frame->reference);
  g_assert_cmpint (run.frame->source->frame_index, ==, 5);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_nonnull (run.frame->chains[i].display);
      g_assert_cmpint (run.frame->chains[i].display->width, ==, 256);
      g_assert_false (run.frame->chains[i].has_metrics);
      g_assert_null (run.frame->chains[i].ssim_map);
    }
  svd_session_free (session);
  run_clear (&run);
}

static void
request_and_wait (SvdSession *session,
                  Run        *run,
                  gint64      index,
                  gboolean    want_overlays)
{
  g_clear_pointer (&run->frame, svd_session_frame_free);
  svd_session_request (session, index, (guint64) index + 1, TRUE, want_overlays);
  g_main_loop_run (run->loop);
  g_assert_null (run->error);
  g_assert_nonnull (run->frame);
  g_assert_cmpint (run->frame->index, ==, index);
}

/* Issue #24: the frame cache. Stepping back 10 frames and forward again
 * with two chains runs no chain; switching the view to the overlays
 * (Difference, SSIM map) and back runs no chain. Counted by the session,
 * not timed. */
static void
test_cache (void)
{
  SvdSessionSetup setup = { 0 };
  Run run = { 0 };
  SvdSession *session;
  guint runs;

  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = long_clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  setup.degrade.crf = 28;
  session = open_and_run (&setup, &run, 0);
  svd_session_set_reuse (session, FALSE);
  g_assert_cmpuint (svd_session_get_cache_limit (session), ==, SVD_SESSION_CACHE_DEFAULT_BYTES);
  for (gint64 i = 1; i <= 11; i++)
    {
      request_and_wait (session, &run, i, FALSE);
      g_assert_false (run.frame->cached);
    }
  runs = svd_session_get_n_chain_runs (session);
  g_test_message ("12 frames, 2 chains: %u chain runs", runs);
  g_assert_cmpuint (runs, ==, 24);

  /* Back 10 frames and forward again. */
  for (gint64 i = 10; i >= 1; i--)
    {
      request_and_wait (session, &run, i, FALSE);
      g_assert_true (run.frame->cached);
      g_assert_nonnull (run.frame->chains[0].display);
      g_assert_nonnull (run.frame->chains[1].display);
      g_assert_true (run.frame->chains[1].has_metrics);
    }
  for (gint64 i = 2; i <= 11; i++)
    request_and_wait (session, &run, i, FALSE);
  g_test_message ("back 10 frames and forward again: %u chain runs", svd_session_get_n_chain_runs (session));
  g_assert_cmpuint (svd_session_get_n_chain_runs (session), ==, runs);

  /* View modes: Difference / SSIM map need the overlays, side by side
   * and the slider do not. */
  request_and_wait (session, &run, 11, TRUE);
  for (guint c = 0; c < 2; c++)
    {
      g_assert_nonnull (run.frame->chains[c].difference);
      g_assert_nonnull (run.frame->chains[c].ssim_map);
    }
  request_and_wait (session, &run, 11, FALSE);
  request_and_wait (session, &run, 11, TRUE);
  g_assert_nonnull (run.frame->chains[1].ssim_map);
  g_test_message ("view mode switches: %u chain runs", svd_session_get_n_chain_runs (session));
  g_assert_cmpuint (svd_session_get_n_chain_runs (session), ==, runs);

  /* The bound: a cache of no bytes keeps nothing, so the frame runs. */
  svd_session_set_cache_limit (session, 0);
  request_and_wait (session, &run, 10, FALSE);
  g_assert_false (run.frame->cached);
  g_assert_cmpuint (svd_session_get_n_chain_runs (session), ==, runs + 2);

  svd_session_free (session);
  run_clear (&run);
}

/* Issue #24: the first frame's compute time is not the kernels' build.
 * Building and the first run of each new engine are the warm-up, reported
 * apart; the stages of a chain add up within its time, and are not 0 on
 * the CPU reference. */
static void
test_warmup_and_stages (void)
{
  const char *devices[] = { "auto", "cpu-ref" };

  for (guint d = 0; d < G_N_ELEMENTS (devices); d++)
    {
      g_auto(SvdSettings) settings = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdChain) bicubic = svd_chain_new (NULL);
      g_autoptr(SvdChain) super = svd_chain_parse (model_2x, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
      gboolean device = d == 0 && have_opencl ();
      SvdSessionSetup setup = { 0 };
      Run run = { 0 };
      SvdSession *session;

      g_assert_no_error (error);
      svd_chain_add_resize (bicubic, SVD_RESIZE_BICUBIC, 2);
      svd_chain_add_resize (bicubic, SVD_RESIZE_BILINEAR, 1);
      svd_settings_init (&settings);
      g_free (settings.device);
      settings.device = g_strdup (devices[d]);
      setup.mode = SVD_REFERENCE_NONE;
      setup.input_path = clean;
      run.loop = g_main_loop_new (NULL, FALSE);
      session = svd_session_new (&settings, &setup, opened_cb, frame_cb, NULL, &run);
      svd_session_set_chain (session, 0, super);
      svd_session_set_chain (session, 1, bicubic);
      g_assert_cmpint (svd_session_get_state (session), ==, SVD_SESSION_STATE_IDLE);
      g_main_loop_run (run.loop);
      g_assert_null (run.error);

      request_and_wait (session, &run, 0, FALSE);
      g_assert_cmpuint (svd_session_get_n_warmups (session), ==, 2);
      g_test_message ("%s: first frame %.1f ms, warm-up %.1f ms apart", devices[d], run.frame->compute_ms,
                      run.frame->warmup_ms);
      g_assert_cmpfloat (run.frame->warmup_ms, >, 0.0);
      g_assert_cmpfloat (run.frame->compute_ms, >, 0.0);
      request_and_wait (session, &run, 1, FALSE);
      g_assert_cmpfloat (run.frame->warmup_ms, ==, 0.0);
      g_assert_cmpuint (svd_session_get_n_warmups (session), ==, 2);
      for (guint c = 0; c < 2; c++)
        {
          const SvdEngineTimings *t = &run.frame->chains[c].timings;
          double sum = t->upload_ms + t->download_ms;

          g_assert_null (run.frame->chains[c].error);
          g_assert_cmpint (t->n_stages, ==, c == 0 ? 1 : 2);
          for (int s = 0; s < t->n_stages; s++)
            {
              g_test_message ("%s chain %u stage %d: %.3f ms", devices[d], c + 1, s + 1, t->stage_ms[s]);
              g_assert_cmpfloat (t->stage_ms[s], >, 0.0);
              sum += t->stage_ms[s];
            }
          g_test_message ("%s chain %u: stages and transfers %.3f ms of %.3f ms", devices[d], c + 1, sum,
                          run.frame->chains[c].wall_ms);
          /* Device or host times of parts of the run: within its wall time. */
          g_assert_cmpfloat (sum, <=, run.frame->chains[c].wall_ms + 0.001);
        }
      g_assert_cmpint (run.frame->chains[0].timings.n_stages, ==, 1);
      (void) device;
      svd_session_free (session);
      run_clear (&run);
    }
}

/* Issue #26: a client without a view (`svd compare` without
 * --save-frames, the worst-frame scan) gets the same metrics without a
 * single RGBA8 image: on a device nothing but the metrics' sums comes
 * back (no source, reference or chain display is read back), on the CPU
 * reference nothing is converted for a view. Counted by the session, not
 * timed; the values are the very same doubles. A request with overlays
 * still gets the displays they are drawn over. */
static void
test_headless (void)
{
  const char *devices[] = { "auto", "cpu-ref" };

  for (guint d = 0; d < G_N_ELEMENTS (devices); d++)
    {
      SvdMetricsFrame seen[3][2];
      guint per_view_frame = 0;

      for (int headless = 0; headless <= 1; headless++)
        {
          g_auto(SvdSettings) settings = { 0 };
          g_autoptr(GError) error = NULL;
          g_autoptr(SvdChain) bicubic = svd_chain_new (NULL);
          g_autoptr(SvdChain) super = svd_chain_parse (model_2x, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
          SvdSessionSetup setup = { 0 };
          Run run = { 0 };
          SvdSession *session;

          g_assert_no_error (error);
          svd_chain_add_resize (bicubic, SVD_RESIZE_BICUBIC, 2);
          svd_settings_init (&settings);
          g_free (settings.device);
          settings.device = g_strdup (devices[d]);
          setup.mode = SVD_REFERENCE_SYNTHESIZE;
          setup.input_path = clean;
          svd_degrade_params_init (&setup.degrade);
          setup.degrade.scale = 2;
          setup.degrade.crf = 28;
          run.loop = g_main_loop_new (NULL, FALSE);
          session = svd_session_new (&settings, &setup, opened_cb, frame_cb, NULL, &run);
          svd_session_set_chain (session, 0, bicubic);
          svd_session_set_chain (session, 1, super);
          svd_session_set_cache_limit (session, 0);
          if (headless)
            svd_session_set_displays (session, FALSE);
          g_main_loop_run (run.loop);
          g_assert_null (run.error);

          for (gint64 i = 0; i < 3; i++)
            {
              request_and_wait (session, &run, i, FALSE);
              g_assert_cmpint (run.frame->chains[0].display == NULL, ==, headless);
              g_assert_cmpint (run.frame->source == NULL, ==, headless);
              g_assert_cmpint (run.frame->reference == NULL, ==, headless);
              for (guint c = 0; c < 2; c++)
                {
                  SvdSessionChainFrame *cf = &run.frame->chains[c];

                  g_assert_null (cf->error);
                  g_assert_true (cf->has_metrics);
                  g_assert_cmpint (cf->display == NULL, ==, headless);
                  g_assert_cmpint (cf->metrics_on_device, ==, d == 0 && have_opencl ());
                  if (!headless)
                    seen[i][c] = cf->metrics;
                  else
                    {
                      g_test_message ("%s frame %" G_GINT64_FORMAT " chain %u: PSNR-Y %.12g / %.12g, SSIM-Y "
                                      "%.12g / %.12g (view / headless)", devices[d], i, c + 1, seen[i][c].psnr_y,
                                      cf->metrics.psnr_y, seen[i][c].ssim_y, cf->metrics.ssim_y);
                      g_assert_true (cf->metrics.psnr_y == seen[i][c].psnr_y);
                      g_assert_true (cf->metrics.psnr_rgb == seen[i][c].psnr_rgb);
                      g_assert_true (cf->metrics.ssim_y == seen[i][c].ssim_y);
                      g_assert_true (cf->metrics.mse_y == seen[i][c].mse_y);
                    }
                }
            }
          g_test_message ("%s, %s: %u display images for 3 frames, 2 chains", devices[d],
                          headless ? "headless" : "with a view", svd_session_get_n_displays (session));
          if (!headless)
            {
              /* Source, reference and each chain's output, every frame. */
              per_view_frame = svd_session_get_n_displays (session) / 3;
              g_assert_cmpuint (svd_session_get_n_displays (session), ==, 3 * 4);
            }
          else
            {
              g_assert_cmpuint (svd_session_get_n_displays (session), ==, 0);
              /* Overlays are drawn over the displays: they come along. */
              request_and_wait (session, &run, 2, TRUE);
              g_assert_nonnull (run.frame->reference);
              g_assert_nonnull (run.frame->chains[1].display);
              g_assert_nonnull (run.frame->chains[1].ssim_map);
              g_assert_cmpuint (svd_session_get_n_displays (session), ==, per_view_frame);
            }
          svd_session_free (session);
          run_clear (&run);
        }
    }
}

/* A clip paired with itself: each frame decoded and converted once, the
 * source's display is the reference's; the metrics are those of the same
 * clip under another name. */
static void
test_self_pair (void)
{
  g_autofree char *copy = g_build_filename (work, "clean-copy.mp4", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  SvdMetricsFrame seen[3];

  g_assert_true (g_file_get_contents (clean, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy, contents, length, NULL));
  for (int self_pair = 0; self_pair <= 1; self_pair++)
    {
      g_auto(SvdSettings) settings = { 0 };
      SvdSessionSetup setup = { 0 };
      Run run = { 0 };
      SvdSession *session;

      svd_settings_init (&settings);
      svd_settings_apply_env (&settings);
      setup.mode = SVD_REFERENCE_PAIR;
      setup.input_path = clean;
      setup.reference_path = self_pair ? clean : copy;
      run.loop = g_main_loop_new (NULL, FALSE);
      session = svd_session_new (&settings, &setup, opened_cb, frame_cb, NULL, &run);
      /* A 1x chain: the output is the reference's size. */
      {
        g_autoptr(SvdChain) down = svd_chain_new (NULL);

        svd_chain_add_resize (down, SVD_RESIZE_BILINEAR, 1);
        svd_session_set_chain (session, 0, down);
      }
      svd_session_set_cache_limit (session, 0);
      g_main_loop_run (run.loop);
      g_assert_null (run.error);
      for (gint64 i = 0; i < 3; i++)
        {
          SvdSessionChainFrame *c;

          request_and_wait (session, &run, i, FALSE);
          c = &run.frame->chains[0];
          g_assert_null (c->error);
          g_assert_true (c->has_metrics);
          g_assert_nonnull (run.frame->reference);
          if (self_pair)
            {
              g_assert_true (run.frame->reference == run.frame->source);
              g_assert_true (c->metrics.mse_rgb == seen[i].mse_rgb);
              g_assert_true (c->metrics.ssim_y == seen[i].ssim_y);
            }
          else
            seen[i] = c->metrics;
        }
      /* The source and the chain's display a frame; the reference's is
       * the source's when the clip is its own reference. */
      g_assert_cmpuint (svd_session_get_n_displays (session), ==, 3 * (self_pair ? 2 : 3));
      svd_session_free (session);
      run_clear (&run);
    }
}

/* The session's device path reads a frame and a chain output where they
 * lie on the device (padded planes, issue #26: no copies first): the
 * metrics are the very doubles of the same floats handed from the host,
 * at sizes with a ragged right edge and odd heights. */
static void
test_metrics_in_place (void)
{
  g_auto(SvdSettings) settings = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdClContext) context = NULL;
  g_autoptr(SvdMetricsRunner) runner = NULL;
  g_autoptr(SvdFrameConverter) ref_up = NULL, dist_up = NULL;
  const int sizes[][2] = { { 37, 53 }, { 75, 41 }, { 128, 72 }, { 11, 11 } };

  if (!have_opencl ())
    {
      g_test_skip ("no OpenCL device");
      return;
    }
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  context = svd_cl_context_new (&settings, &error);
  g_assert_no_error (error);
  runner = svd_metrics_runner_new_for_context (context, &settings, FALSE, SVD_DISTS_SHORT256, &error);
  g_assert_no_error (error);
  ref_up = svd_frame_converter_new (context, &error);
  g_assert_no_error (error);
  dist_up = svd_frame_converter_new (context, &error);
  g_assert_no_error (error);
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int w = sizes[s][0], h = sizes[s][1];
      g_autoptr(SvdImage) ref = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
      g_autoptr(SvdImage) dist = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
      g_autoptr(SvdImage) smap_dev = NULL, dmap_dev = NULL, smap_host = NULL, dmap_host = NULL;
      SvdClPlanes rp, dp;
      SvdMetricsFrame on_device, from_host;

      for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++)
            {
              float v = (float) ((x * 7 + y * 13 + c * 29) % 97) / 96.0f;

              ((float *) (ref->data[c] + (gsize) y * ref->stride[c]))[x] = v;
              ((float *) (dist->data[c] + (gsize) y * dist->stride[c]))[x] =
                CLAMP (v + 0.02f * (float) (((x * 3 + y * 5 + c) % 7) - 3), 0.0f, 1.0f);
            }
      g_assert_true (svd_frame_converter_upload (ref_up, ref, NULL, &rp, &error));
      g_assert_true (svd_frame_converter_upload (dist_up, dist, NULL, &dp, &error));
      g_assert_no_error (error);
      g_assert_nonnull (rp.mem);
      g_assert_nonnull (dp.mem);
      g_assert_true (svd_metrics_runner_compute_device (runner, &rp, &dp, 0, &on_device, &smap_dev, &dmap_dev,
                                                        &error));
      g_assert_no_error (error);
      g_assert_true (svd_metrics_runner_compute (runner, ref, dist, &from_host, &smap_host, &dmap_host, &error));
      g_assert_no_error (error);
      g_test_message ("%dx%d: PSNR-Y %.12g / %.12g, SSIM-Y %.12g / %.12g (in place / from the host)", w, h,
                      on_device.psnr_y, from_host.psnr_y, on_device.ssim_y, from_host.ssim_y);
      g_assert_true (on_device.mse_rgb == from_host.mse_rgb);
      g_assert_true (on_device.mse_y == from_host.mse_y);
      g_assert_true (on_device.has_ssim == from_host.has_ssim);
      if (on_device.has_ssim)
        g_assert_true (on_device.ssim_y == from_host.ssim_y);
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
          g_assert_cmpint (memcmp (dmap_dev->data[c] + (gsize) y * dmap_dev->stride[c],
                                   dmap_host->data[c] + (gsize) y * dmap_host->stride[c], (gsize) w * sizeof (float)),
                           ==, 0);
      for (int y = 0; y < h; y++)
        g_assert_cmpint (memcmp (smap_dev->data[0] + (gsize) y * smap_dev->stride[0],
                                 smap_host->data[0] + (gsize) y * smap_host->stride[0], (gsize) w * sizeof (float)),
                         ==, 0);
    }
}

/* The heat maps from known maps: exact colours. */
static void
test_heatmap (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) smap = svd_metrics_new_grey_map (4, 2, &error);
  g_autoptr(SvdImage) dmap = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 4, 2, &error);
  g_autoptr(SvdImage) s = NULL, d = NULL, bad = NULL;

  g_assert_no_error (error);
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 4; x++)
      {
        ((float *) (smap->data[0] + y * smap->stride[0]))[x] = x < 2 ? 1.0f : 0.0f;
        for (int c = 0; c < 3; c++)
          ((float *) (dmap->data[c] + y * dmap->stride[c]))[x] = (float) (x * 10 + c) / 255.0f;
      }
  s = svd_heatmap_ssim (smap, NULL, &error);
  g_assert_no_error (error);
  /* SSIM 1: the ramp's dark end (0, 0, 4) × 0.8; SSIM 0: its bright end. */
  g_assert_cmpint (s->data[0][0], ==, 0);
  g_assert_cmpint (s->data[0][2], ==, 3);
  g_assert_cmpint (s->data[0][3 * 4 + 0], ==, 202);
  g_assert_cmpint (s->data[0][3 * 4 + 1], ==, 204);
  d = svd_heatmap_difference (dmap, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->data[0][1 * 4 + 0], ==, 40);
  g_assert_cmpint (d->data[0][1 * 4 + 2], ==, 48);
  g_assert_cmpint (d->data[0][3 * 4 + 0], ==, 120);
  g_assert_cmpint (d->data[0][3 * 4 + 3], ==, 255);
  /* A map over a reference of another size is an error, not a crash. */
  {
    g_autoptr(SvdImage) ref = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, 5, 2, NULL);

    bad = svd_heatmap_ssim (smap, ref, &error);
    g_assert_null (bad);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int    argc,
      char **argv)
{
  const char *source = g_getenv ("SVD_SOURCE_ROOT");
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  int status;

  g_test_init (&argc, &argv, NULL);
  if (source == NULL)
    svd_test_skip_all ("SVD_SOURCE_ROOT is not set (run through meson test)");
  if (ffmpeg == NULL)
    svd_test_skip_all ("ffmpeg is not installed");
  model_2x = g_build_filename (source, "models", "svd-super-2x.safetensors", NULL);
  work = g_dir_make_tmp ("svd-session-XXXXXX", NULL);
  /* Synthesize caches its degraded input per user: here, per run. */
  g_setenv ("XDG_CACHE_HOME", work, TRUE);
  clean = g_build_filename (work, "clean.mp4", NULL);
  {
    const char *args[] = { ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=128x72:rate=25",
                           "-frames:v", "8", "-c:v", "libx264", "-pix_fmt", "yuv420p", clean, NULL };
    int wait_status = 0;

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &wait_status, NULL) ||
        !g_spawn_check_wait_status (wait_status, NULL))
      svd_test_skip_all ("ffmpeg could not make the test clip (no libx264?)");
  }
  long_clip = g_build_filename (work, "long.mp4", NULL);
  {
    const char *args[] = { ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=128x72:rate=25",
                           "-frames:v", "16", "-c:v", "libx264", "-pix_fmt", "yuv420p", long_clip, NULL };
    int wait_status = 0;

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &wait_status, NULL) ||
        !g_spawn_check_wait_status (wait_status, NULL))
      svd_test_skip_all ("ffmpeg could not make the test clip (no libx264?)");
  }

  g_test_add_func ("/session/heatmap", test_heatmap);
  g_test_add_func ("/session/synthesize", test_synthesize);
  g_test_add_func ("/session/none", test_none);
  g_test_add_func ("/session/dists", test_dists);
  g_test_add_func ("/session/cache", test_cache);
  g_test_add_func ("/session/warmup-and-stages", test_warmup_and_stages);
  g_test_add_func ("/session/headless", test_headless);
  g_test_add_func ("/session/self-pair", test_self_pair);
  g_test_add_func ("/session/metrics-in-place", test_metrics_in_place);
  status = g_test_run ();
  svd_test_remove_tree (work);
  return status;
}
