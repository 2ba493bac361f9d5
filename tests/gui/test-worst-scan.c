/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-worst-scan"

#include "svd-config.h"

#include <glib/gstdio.h>

#include "svd-application.h"
#include "svd-viewer-private.h"
#include "svd-window-private.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Issue #24: "Jump to worst frame" (J) looked only at the frames seen so
 * far. A pair made here is alike everywhere but in one frame (blacked out
 * in the input); with only the first frame seen, J finds frame 1 and says
 * of how few frames it is the worst. After the window's scan of the whole
 * clip (the session measures every frame of the chain in the background;
 * the test waits on the window's "scanning" property, no sleeps), J lands
 * on the spoiled frame, and the plot and the clip mean cover every
 * frame. */

#define CLIP_FRAMES 20
#define SPOILED 14

static SvdWindow *the_window;
static char *tmp_dir;

static void
ffmpeg (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static gboolean
session_open (gpointer data)
{
  const SvdSessionInfo *info = svd_window_get_session_info (the_window);

  return info != NULL && info->n_frames == CLIP_FRAMES;
}

static gboolean
frame_shown (gpointer data)
{
  return svd_window_get_shown_frame (the_window) == GPOINTER_TO_INT (data)
         && svd_viewer_has_image (svd_window_get_viewer (the_window), SVD_VIEWER_SLOT_CHAIN_1)
         && !svd_window_is_busy (the_window);
}

static gboolean
scan_over (gpointer data)
{
  gboolean scanning = TRUE;

  g_object_get (the_window, "scanning", &scanning, NULL);
  return !scanning;
}

static void
script (SvdApplication *app)
{
  g_autofree char *ref = g_build_filename (tmp_dir, "reference.mkv", NULL);
  g_autofree char *in = g_build_filename (tmp_dir, "input.mkv", NULL);
  g_autofree char *frames = g_strdup_printf ("%d", CLIP_FRAMES);
  g_autofree char *spoil = g_strdup_printf ("scale=48:32,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='eq(n\\,%d)'",
                                            SPOILED);
  const char *make_ref[] = { "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=25",
                             "-frames:v", frames, "-c:v", "ffv1", ref, NULL };
  const char *make_in[] = { "ffmpeg", "-v", "error", "-y", "-i", ref, "-vf", spoil, "-c:v", "ffv1", in, NULL };
  const char *chain[] = { "bicubic:2", NULL };
  SvdSessionSetup setup = { 0 };
  SvdSession *session;
  gint64 worst;
  guint runs_before;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  ffmpeg (make_ref);
  ffmpeg (make_in);
  setup.mode = SVD_REFERENCE_PAIR;
  setup.input_path = in;
  setup.reference_path = ref;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  svd_window_set_chain_paths (the_window, 0, chain);
  svd_gui_test_wait_until (frame_shown, GINT_TO_POINTER (0));
  session = svd_window_get_session (the_window);

  /* One frame seen: the worst is that one, of 1 frame measured. */
  g_assert_cmpint (svd_session_get_n_measured (session, 0), ==, 1);
  worst = svd_window_worst_frame (the_window, 0, SVD_PLOT_PSNR_Y);
  g_test_message ("before the scan: worst frame %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " measured",
                  worst + 1, svd_session_get_n_measured (session, 0));
  g_assert_cmpint (worst, ==, 0);
  svd_gui_test_wait_until (frame_shown, GINT_TO_POINTER (0));

  /* The whole clip, in the background. */
  runs_before = svd_session_get_n_chain_runs (session);
  g_assert_true (svd_window_scan_clip (the_window, 0));
  g_assert_true (svd_window_is_scanning (the_window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (the_window->scan_revealer)));
  svd_gui_test_wait_until (scan_over, NULL);
  g_test_message ("the scan ran the chain on %u frames; %" G_GINT64_FORMAT " of %d measured",
                  svd_session_get_n_chain_runs (session) - runs_before, svd_session_get_n_measured (session, 0),
                  CLIP_FRAMES);
  g_assert_cmpint (svd_session_get_n_measured (session, 0), ==, CLIP_FRAMES);
  /* Frame 1 was measured already: not run again. */
  g_assert_cmpuint (svd_session_get_n_chain_runs (session) - runs_before, ==, CLIP_FRAMES - 1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (the_window->scan_revealer)));
  /* The plot and the clip mean cover every frame now. */
  g_assert_nonnull (strstr (svd_window_get_readout (the_window, 0), "20 frames"));

  /* J (the key's action) lands on the spoiled frame. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.worst-frame", "(ii)", 0, -1));
  svd_gui_test_wait_until (frame_shown, GINT_TO_POINTER (SPOILED));
  g_test_message ("after the scan: J goes to frame %" G_GINT64_FORMAT, svd_window_get_shown_frame (the_window) + 1);
  g_assert_cmpint (svd_session_get_worst (session, 0, SVD_SESSION_METRIC_PSNR_Y, NULL), ==, SPOILED);
  g_assert_cmpint (svd_plot_get_worst (svd_window_get_plot (the_window), 0, SVD_PLOT_PSNR_Y), ==, SPOILED);
  g_assert_cmpint (svd_session_get_worst (session, 0, SVD_SESSION_METRIC_SSIM_Y, NULL), ==, SPOILED);

  /* A scan cancelled at once keeps what it measured and ends. */
  svd_window_set_chain_paths (the_window, 0, chain);
  svd_gui_test_wait_until (frame_shown, GINT_TO_POINTER (SPOILED));
  g_assert_true (svd_window_scan_clip (the_window, 0));
  svd_window_cancel_scan (the_window);
  g_assert_false (svd_window_is_scanning (the_window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (the_window->scan_revealer)));

  g_unlink (ref);
  g_unlink (in);
}

static void
test_worst_scan (void)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("svd-worst-scan-XXXXXX", &error);
  g_assert_no_error (error);
  svd_gui_test_run_app (script);
  g_assert_cmpint (g_rmdir (tmp_dir), ==, 0);
  g_clear_pointer (&tmp_dir, g_free);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_ffmpeg_cli ();

  g_test_add_func ("/gui/window/worst-frame-scan", test_worst_scan);

  return g_test_run ();
}
