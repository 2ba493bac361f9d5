/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-graph-chain"

#include "svd-config.h"

#include <string.h>

#include "svd-application.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Issue #27: a mixed chain, compact Ultra 1x → AnimeJaNai SPANF3 2x (a
 * graph-IR model) → bicubic 2x, runs in the window on a shared clip in
 * Synthesize mode (scale 4) with live metrics; the screenshot shows it. */

#define SPAN "2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16.onnx"

static SvdWindow *the_window;
static gint64 want_frame;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
readout_ready (gpointer data)
{
  return svd_gui_test_readout_ready (the_window, want_frame);
}

/* The SPAN stage is heavy for a CPU device shared with other jobs: wait
 * longer than the helpers do, and say what the readout held. */
static void
wait_readout (void)
{
  gint64 deadline = g_get_monotonic_time () + 500 * G_USEC_PER_SEC;

  while (!readout_ready (NULL))
    {
      g_main_context_iteration (NULL, FALSE);
      if (g_get_monotonic_time () > deadline)
        g_error ("no readout for frame %" G_GINT64_FORMAT "; it shows: %s", want_frame,
                 svd_window_get_readout (the_window, 0));
      g_usleep (1000);
    }
}

static void
run_script (SvdApplication *app)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *ultra = svd_test_shared_path ("models", "seed", "1x_ultra_34_10.pth", NULL);
  g_autofree char *span = svd_test_shared_path ("models", "other", SPAN, NULL);
  /* The setup's default is Synthesize at scale 4: 1x → 2x → bicubic 2x
   * gives back the reference's size. */
  const char *paths[] = { ultra, span, "bicubic:2", NULL };
  g_autoptr(GFile) file = NULL;
  g_autofree char *shot = NULL;
  GtkWindow *dialog;
  SvdViewer *viewer;
  const char *text;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  viewer = svd_window_get_viewer (the_window);
  file = g_file_new_for_path (clip);
  svd_window_set_up_session (the_window, file);
  dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_signal_emit_by_name (svd_gui_test_find_suggested (GTK_WIDGET (dialog)), "clicked");
  svd_gui_test_wait_until (session_open, NULL);

  g_test_message ("session open");
  svd_window_set_chain_paths (the_window, 0, paths);
  want_frame = 0;
  wait_readout ();
  text = svd_window_get_readout (the_window, 0);
  g_test_message ("frame 0: %s", text);
  g_assert_null (strstr (text, "failed"));
  g_assert_nonnull (strstr (text, "PSNR"));
  g_assert_true (svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1));
  /* 320x180 (the 720p clip at scale 4) × 1 × 2 × 2. */
  g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1)->width, ==, 1280);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.next-frame", NULL));
  want_frame = 1;
  wait_readout ();
  text = svd_window_get_readout (the_window, 0);
  g_test_message ("frame 1: %s", text);
  g_assert_nonnull (strstr (text, "PSNR"));
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  shot = svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "graph-mixed-chain");
  g_test_message ("screenshot %s", shot);
}

static void
test_mixed_chain (void)
{
  svd_gui_test_run_app (run_script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();
  g_test_add_func ("/gui/graph/mixed-chain", test_mixed_chain);
  return g_test_run ();
}
