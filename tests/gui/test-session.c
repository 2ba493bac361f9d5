/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-session"
#define _GNU_SOURCE  /* RUSAGE_THREAD */

#include "svd-config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "svd-application.h"
#include "svd-export.h"
#include "svd-ui-enums.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Drives a whole comparison session through the window under Xvfb: a shared
 * clip opened in Synthesize mode (scale 4), a 2-stage chain of shared
 * models, every view mode, five steps and a seek, the readouts checked
 * against `svd metrics --json` for the shown frame, and playback with the
 * longest main-loop stall measured. */

static SvdWindow *the_window;

static const char *
play_icon (void)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (the_window), SVD_TYPE_WINDOW, "play_button");

  return gtk_button_get_icon_name (GTK_BUTTON (button));
}

static gint64 want_frame;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

/* DISTS of the shown frame itself (not an older one) is in the readout. */
static gboolean
dists_ready (gpointer data)
{
  return svd_gui_test_dists_ready (the_window, want_frame, "short256");
}

static gboolean
readout_ready (gpointer data)
{
  return svd_gui_test_readout_ready (the_window, want_frame);
}

static gboolean
idle_window (gpointer data)
{
  return !svd_window_is_busy (the_window);
}

static void
shoot (const char *name)
{
  g_autofree char *path = NULL;

  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  path = svd_gui_test_save_screenshot (GTK_WIDGET (the_window), name);
  g_test_message ("screenshot %s", path);
}

/* The CLI's values for input frame @index, formatted as the window does. */
static void
cli_metrics (const SvdSessionInfo *info,
             const char           *chain,
             gint64                index,
             char                 *psnr_rgb,
             char                 *psnr_y,
             char                 *ssim,
             char                 *dists)
{
  g_autoptr(JsonParser) parser = svd_gui_test_cli_metrics (info->reference_path, info->input_path, chain,
                                                           "short256", (int) index + 1);

  g_snprintf (psnr_rgb, 64, "PSNR-RGB %.2f dB", svd_gui_test_cli_frame_value (parser, index, "psnr_rgb"));
  g_snprintf (psnr_y, 64, "PSNR-Y (BT.601) %.2f dB", svd_gui_test_cli_frame_value (parser, index, "psnr_y"));
  g_snprintf (ssim, 64, "SSIM-Y (Gaussian σ 1.5) %.4f", svd_gui_test_cli_frame_value (parser, index, "ssim_y"));
  g_snprintf (dists, 64, "DISTS (short256) %.4f", svd_gui_test_cli_frame_value (parser, index, "dists"));
}

/* `svd compare`'s line for input frame @index, on the pair the session
 * made, with the window's chain and DISTS variant: the same session,
 * without a window. */
static char *
cli_compare_line (const SvdSessionInfo *info,
                  const char           *chain,
                  gint64                index)
{
  g_autofree char *svd = g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
  g_autofree char *frames = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, index, index + 1);
  g_autofree char *prefix = g_strdup_printf ("  frame %" G_GINT64_FORMAT ": ", index + 1);
  const char *argv[] = { svd, "compare", "-q", info->input_path, "--reference", info->reference_path,
                         "--chain", chain, "--frames", frames, "--dists", "short256", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (status != 0)
    g_test_message ("svd compare: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  g_error ("svd compare printed no line for frame %" G_GINT64_FORMAT ":\n%s", index + 1, out);
  return NULL;
}

static gint64
thread_cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_THREAD, &ru);
  return (gint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec +
         (gint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
}

/* Nanoseconds this thread has waited on a run queue, runnable but not
 * running (Linux schedstat's second field), or -1 where that is not known. */
static gint64
thread_wait_ns (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%ld/schedstat", (long) gettid ());
  g_autofree char *text = NULL;
  unsigned long long run = 0, wait = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL) || sscanf (text, "%llu %llu", &run, &wait) != 2)
    return -1;
  return (gint64) wait;
}

/* Microseconds the hypervisor ran something else on this virtual machine's
 * CPUs (the steal column of /proc/stat's "cpu" line, summed over all CPUs),
 * or -1 where that is not known.  A virtual CPU the host takes away stops
 * the main loop whatever the app does; the report says how much of a
 * stall that was. */
static gint64
host_steal_us (void)
{
  g_autofree char *text = NULL;
  unsigned long long f[8];
  long hz = sysconf (_SC_CLK_TCK);

  if (hz <= 0 || !g_file_get_contents ("/proc/stat", &text, NULL, NULL) ||
      sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
              &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]) != 8)
    return -1;
  return (gint64) (f[7] * G_USEC_PER_SEC / (unsigned long long) hz);
}

typedef struct {
  gint64 last_us;
  gint64 last_cpu_us;
  gint64 max_late_cpu_us;
  gint64 max_late_us;
  gint64 last_frame_time;
  gint64 max_frame_gap_us;
  gint64 refresh_us;
  gint64 last_tick_cpu_us;
  gint64 max_tick_cpu_us;
  gint64 last_tick_wait_ns;
  gint64 max_gap_cpu_us;    /* in the longest gap: the main thread on CPU */
  gint64 max_gap_wait_us;   /* and waiting for a CPU */
  gint64 max_gap_steal_us;  /* and the host's steal time over all CPUs */
  gint64 last_tick_steal_us;
  gint64 playback_steal_us; /* over the whole playback */
  guint  n_stalls, n_stalls_without_steal;
  gint64 first_frame_time;
  gint64 max_gap_at_us;     /* when the longest gap ended, after the first frame */
  GString *stall_times;     /* when each stall of 20 ms or more ended */
  guint  n_frames;
  gint64 max_dists_lag;
  GArray *gaps;     /* gint64 µs between consecutive frame-clock frames */
} Stall;

static gboolean
stall_timeout_cb (gpointer data)
{
  Stall *st = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  /* Due every 1 ms: anything later is time the main loop was busy, or the
   * main thread was not scheduled at all; the thread's CPU time over the
   * same interval tells which. */
  if (st->last_us > 0 && now - st->last_us - 1000 > st->max_late_us)
    {
      st->max_late_us = now - st->last_us - 1000;
      st->max_late_cpu_us = cpu - st->last_cpu_us;
    }
  st->last_us = now;
  st->last_cpu_us = cpu;
  return G_SOURCE_CONTINUE;
}

static gboolean
stall_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       data)
{
  Stall *st = data;
  gint64 t = gdk_frame_clock_get_frame_time (clock);

  gint64 cpu = thread_cpu_us ();
  gint64 wait = thread_wait_ns ();
  gint64 steal = host_steal_us ();
  gint64 refresh = 0;
  const char *text = svd_window_get_readout (the_window, 0);
  const char *behind = text != NULL ? strstr (text, " behind)") : NULL;

  /* The frame clock asks for a frame every refresh interval while this
   * tick callback runs; a gap longer than that is time the main loop could
   * not draw (busy, or not scheduled). */
  gdk_frame_clock_get_refresh_info (clock, t, &refresh, NULL);
  if (refresh > 0)
    st->refresh_us = refresh;
  if (st->last_frame_time > 0)
    {
      gint64 gap = t - st->last_frame_time;
      gint64 gap_steal = steal >= 0 && st->last_tick_steal_us >= 0 ? steal - st->last_tick_steal_us : -1;

      if (gap > st->max_frame_gap_us)
        {
          /* The rest of the gap the main thread was off CPU: waiting for
           * the GL driver, the X server, a lock or the next frame. */
          st->max_gap_cpu_us = cpu - st->last_tick_cpu_us;
          st->max_gap_wait_us = wait >= 0 && st->last_tick_wait_ns >= 0 ? (wait - st->last_tick_wait_ns) / 1000 : -1;
          st->max_gap_steal_us = gap_steal;
          st->max_gap_at_us = t - st->first_frame_time;
        }
      /* The same test as report_gaps (). */
      if (st->refresh_us > 0 && gap - st->refresh_us >= 20000)
        {
          g_string_append_printf (st->stall_times, "%s%.0f ms (frame %u, host steal %.0f ms)",
                                  st->stall_times->len > 0 ? ", " : "",
                                  (t - st->first_frame_time) / 1000.0, st->n_frames, gap_steal / 1000.0);
          st->n_stalls++;
          if (gap_steal == 0)
            st->n_stalls_without_steal++;
        }
      if (gap_steal > 0)
        st->playback_steal_us += gap_steal;
      st->max_frame_gap_us = MAX (st->max_frame_gap_us, gap);
      g_array_append_val (st->gaps, gap);
    }
  else
    {
      st->first_frame_time = t;
      /* CLOCK_MONOTONIC, to find the playback in a system trace
       * (perf record -k CLOCK_MONOTONIC -e sched:sched_switch …). */
      g_test_message ("playback start: first frame at %" G_GINT64_FORMAT " µs of the monotonic clock", t);
    }
  /* The main thread's own CPU time from one frame to the next: its work,
   * without the time other processes on the machine held the cores. */
  if (st->last_tick_cpu_us > 0)
    st->max_tick_cpu_us = MAX (st->max_tick_cpu_us, cpu - st->last_tick_cpu_us);
  st->last_tick_cpu_us = cpu;
  st->last_tick_wait_ns = wait;
  st->last_tick_steal_us = steal;
  st->last_frame_time = t;
  st->n_frames++;
  /* "DISTS (short256, frame N, K behind)": the largest K seen. */
  if (behind != NULL)
    {
      const char *k = behind;

      while (k > text && g_ascii_isdigit (k[-1]))
        k--;
      st->max_dists_lag = MAX (st->max_dists_lag, g_ascii_strtoll (k, NULL, 10));
    }
  return G_SOURCE_CONTINUE;
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The distribution of frame-clock gaps: one long stall and steady slowness
 * need different fixes, so both are logged. */
static void
report_gaps (GArray *gaps,
             gint64  refresh_us)
{
  guint n = gaps->len, over20 = 0;
  gint64 *g = (gint64 *) (void *) gaps->data;

  if (n == 0)
    return;
  g_array_sort (gaps, cmp_gint64);
  for (guint i = 0; i < n; i++)
    over20 += g[i] - refresh_us >= 20000;
  g_test_message ("frame-clock gaps over %u frames: median %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; "
                  "%u stalls of 20 ms or more over the %.1f ms refresh",
                  n, g[n / 2] / 1000.0, g[MIN (n - 1, n * 95 / 100)] / 1000.0, g[MIN (n - 1, n * 99 / 100)] / 1000.0,
                  g[n - 1] / 1000.0, over20, refresh_us / 1000.0);
}

static void
run_script (SvdApplication *app)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *m1 = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  g_autofree char *m2 = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32_optimized.onnx", NULL);
  g_autofree char *chain = g_strdup_printf ("%s,%s", m1, m2);
  const char *paths[] = { m1, m2, NULL };
  const char *modes[] = { "slider", "side-by-side", "toggle", "difference", "ssim" };
  g_autoptr(GFile) file = NULL;
  GtkWindow *dialog;
  const SvdSessionInfo *info;
  SvdViewer *viewer;
  char a[64], b[64], c[64], d[64];
  GtkWindow *export_dialog;
  const char *text;
  Stall st = { 0 };
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint timeout_id, tick_id;
  gint64 start;
  guint runs;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  viewer = svd_window_get_viewer (the_window);

  /* The setup dialog's defaults are Synthesize at scale 4; Start it. */
  file = g_file_new_for_path (clip);
  svd_window_set_up_session (the_window, file);
  dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "session-setup"));
  g_signal_emit_by_name (svd_gui_test_find_suggested (GTK_WIDGET (dialog)), "clicked");
  svd_gui_test_wait_until (session_open, NULL);
  info = svd_window_get_session_info (the_window);
  g_assert_cmpint (info->width, ==, 320);
  g_assert_cmpint (info->height, ==, 180);
  g_assert_nonnull (info->reference_path);

  svd_window_set_chain_paths (the_window, 0, paths);
  want_frame = 0;
  svd_gui_test_wait_until (readout_ready, NULL);
  text = svd_window_get_readout (the_window, 0);
  g_test_message ("frame 0: %s", text);
  g_assert_null (strstr (text, "failed"));
  g_assert_true (svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1));
  g_assert_cmpint (svd_viewer_get_right_slot (viewer), ==, SVD_VIEWER_SLOT_CHAIN_1);
  g_assert_cmpint (svd_viewer_get_left_slot (viewer), ==, SVD_VIEWER_SLOT_REFERENCE);
  g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1)->width, ==, 1280);

  runs = svd_session_get_n_chain_runs (svd_window_get_session (the_window));
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *name = g_strdup_printf ("session-%s", modes[i]);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.view-mode", "s", modes[i]));
      g_assert_cmpstr (g_enum_get_value (g_type_class_peek (SVD_TYPE_VIEW_MODE),
                                         svd_viewer_get_view_mode (viewer))->value_nick, ==, modes[i]);
      /* Difference and SSIM ask for the frame again, with overlays. */
      svd_gui_test_wait_until (idle_window, NULL);
      shoot (name);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.view-mode", "s", "slider"));
  svd_gui_test_wait_until (idle_window, NULL);
  /* Issue #24: the view modes take the frame from the session's cache and
   * the overlays from the device; no chain ran again. */
  g_test_message ("chain runs: %u before the view modes, %u after", runs,
                  svd_session_get_n_chain_runs (svd_window_get_session (the_window)));
  g_assert_cmpuint (svd_session_get_n_chain_runs (svd_window_get_session (the_window)), ==, runs);

  /* Five steps; only the last one has to arrive. */
  for (int i = 0; i < 5; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.next-frame", NULL));
  want_frame = 5;
  svd_gui_test_wait_until (readout_ready, NULL);
  text = svd_window_get_readout (the_window, 0);
  g_test_message ("frame 5: %s", text);
  /* DISTS follows PSNR/SSIM, computed on the worker once the frame shows. */
  start = g_get_monotonic_time ();
  svd_gui_test_wait_until (dists_ready, NULL);
  text = svd_window_get_readout (the_window, 0);
  g_test_message ("frame 5 with DISTS %.0f ms after PSNR/SSIM: %s", (g_get_monotonic_time () - start) / 1000.0, text);
  cli_metrics (info, chain, 5, a, b, c, d);
  g_test_message ("svd metrics frame 5: %s, %s, %s, %s", a, b, c, d);
  g_assert_nonnull (strstr (text, a));
  g_assert_nonnull (strstr (text, b));
  g_assert_nonnull (strstr (text, c));
  g_assert_nonnull (strstr (text, d));
  g_assert_nonnull (strstr (text, "mean DISTS "));
  {
    /* `svd compare` shows the frame as the readout does: every metric
     * cell (all but the timings) is in the readout word for word. */
    g_autofree char *line = cli_compare_line (info, chain, 5);
    g_auto(GStrv) cells = g_strsplit (line, " · ", -1);
    guint n_checked = 0;

    g_test_message ("svd compare frame 5: %s", line);
    for (guint i = 0; cells[i] != NULL; i++)
      {
        if (g_str_has_suffix (cells[i], " ms"))
          continue;
        g_assert_nonnull (strstr (text, cells[i]));
        n_checked++;
      }
    g_assert_cmpuint (n_checked, ==, 4);
    g_assert_nonnull (strstr (line, a));
    g_assert_nonnull (strstr (line, d));
  }
  shoot ("session-frame-5");

  /* The export dialog opens on chain 1 of the session. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.export", NULL));
  export_dialog = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (export_dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (export_dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (export_dialog), "session-export"));
  gtk_window_destroy (export_dialog);
  g_assert_null (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_EXPORT_DIALOG));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.go-to-frame", "x", (gint64) 60));
  want_frame = 60;
  svd_gui_test_wait_until (readout_ready, NULL);
  g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1)->frame_index, ==, 60);
  shoot ("session-frame-60");

  /* Playback: the worker computes, the main loop only swaps textures. */
  svd_window_get_longest_update (the_window, TRUE);
  st.gaps = gaps;
  st.stall_times = g_string_new (NULL);
  timeout_id = g_timeout_add (1, stall_timeout_cb, &st);
  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (the_window), stall_tick_cb, &st, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.play", NULL));
  g_assert_true (svd_window_get_playing (the_window));
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < 8 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  /* Playback keeps the clip's rate (dropping late frames), so it may have
   * reached the last frame and stopped by itself; Play would start it
   * again from the first. */
  if (svd_window_get_playing (the_window))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.play", NULL));
  g_source_remove (timeout_id);
  gtk_widget_remove_tick_callback (GTK_WIDGET (the_window), tick_id);
  g_test_message ("playback: shown frame %" G_GINT64_FORMAT " after 8 s from 60; longest main-loop stall "
                  "(frame clock) %.1f ms: longest gap between frame-clock frames %.1f ms over %u frames, "
                  "refresh interval %.1f ms; most main-thread CPU time between two frames %.1f ms; longest 1 ms timeout lateness %.1f ms (main thread on CPU %.1f ms of it); "
                  "longest frame hand-over on the main thread %.1f ms; DISTS at most %" G_GINT64_FORMAT " frames behind",
                  svd_window_get_shown_frame (the_window),
                  MAX (0, st.max_frame_gap_us - st.refresh_us) / 1000.0, st.max_frame_gap_us / 1000.0, st.n_frames,
                  st.refresh_us / 1000.0, st.max_tick_cpu_us / 1000.0, st.max_late_us / 1000.0, st.max_late_cpu_us / 1000.0,
                  svd_window_get_longest_update (the_window, FALSE), st.max_dists_lag);
  g_test_message ("longest gap: ended %.0f ms after the first playback frame; main thread on CPU %.1f ms, "
                  "runnable but waiting for a CPU %.1f ms, "
                  "off CPU (waiting for the GL driver, the X server or the next frame) %.1f ms; "
                  "host steal time in it (all CPUs, 10 ms resolution) %.0f ms; "
                  "stalls of 20 ms or more ended at: %s",
                  st.max_gap_at_us / 1000.0, st.max_gap_cpu_us / 1000.0, st.max_gap_wait_us / 1000.0,
                  (st.max_frame_gap_us - st.max_gap_cpu_us - MAX (0, st.max_gap_wait_us)) / 1000.0,
                  st.max_gap_steal_us / 1000.0,
                  st.stall_times->len > 0 ? st.stall_times->str : "none");
  g_test_message ("host steal time over the playback: %.0f ms of the %d CPUs' %.0f ms; "
                  "stalls of 20 ms or more: %u, %u of them with no steal time",
                  st.playback_steal_us / 1000.0, g_get_num_processors (),
                  (st.last_frame_time - st.first_frame_time) * g_get_num_processors () / 1000.0,
                  st.n_stalls, st.n_stalls_without_steal);
  g_string_free (st.stall_times, TRUE);
  report_gaps (gaps, st.refresh_us);
  g_assert_cmpint (svd_window_get_shown_frame (the_window), >, 60);
  shoot ("session-playback");
  g_assert_cmpstr (play_icon (), ==, "media-playback-start-symbolic");

  /* A step stops playback, and the play button says so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.play", NULL));
  g_assert_true (svd_window_get_playing (the_window));
  g_assert_cmpstr (play_icon (), ==, "media-playback-pause-symbolic");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.next-frame", NULL));
  g_assert_false (svd_window_get_playing (the_window));
  g_assert_cmpstr (play_icon (), ==, "media-playback-start-symbolic");

  /* Paused, DISTS catches up to the shown frame (a frame asked for before
   * the pause may still arrive first). */
  svd_gui_test_wait_until (idle_window, NULL);
  want_frame = svd_window_get_shown_frame (the_window);
  start = g_get_monotonic_time ();
  svd_gui_test_wait_until (dists_ready, NULL);
  g_test_message ("paused at frame %" G_GINT64_FORMAT ", DISTS caught up in %.0f ms: %s", want_frame,
                  (g_get_monotonic_time () - start) / 1000.0, svd_window_get_readout (the_window, 0));
  shoot ("session-paused-dists");

}

static void
test_session (void)
{
  svd_gui_test_run_app (run_script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();
  {
    /* The shared DISTS α/β and the seeded VGG16: the CLI, spawned with
     * this environment, uses the same files. */
    g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
    g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);

    g_setenv ("SVD_DISTS_WEIGHTS", ab, TRUE);
    g_setenv ("SVD_VGG16_WEIGHTS", vgg, TRUE);
  }

  g_test_add_func ("/gui/session/synthesize-chain-metrics", test_session);

  return g_test_run ();
}
