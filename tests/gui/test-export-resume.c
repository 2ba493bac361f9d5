/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export-resume"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "media/svd-reader.h"
#include "session/svd-chunk-job.h"

#include "svd-application.h"
#include "svd-export-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* The export dialog runs the chunked, resumable restore job (issue #25):
 * a 12 s clip made here (longer than one chunk of about 10 s, so two
 * chunks) exported with the project's own 1x model is cancelled halfway
 * through its second chunk (SVD_FAULT_INJECT=cancel-in-chunk:1, not a
 * timer); the first chunk stays in OUT.svdjob/ and no output appears.
 * Exporting the same again resumes (the message says 1 of 2 chunks were
 * done) and writes every frame, with the source's audio. */

#define CLIP_FRAMES 300

typedef struct {
  SvdApplication *app;
  char           *dir;
  gboolean        done;
} Fixture;

static SvdWindow *the_window;
static SvdExportDialog *the_dialog;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
chain_shown (gpointer data)
{
  const char *text = svd_window_get_readout (the_window, 0);

  return text != NULL && !svd_window_is_busy (the_window);
}

static gboolean
export_finished (gpointer data)
{
  return svd_export_dialog_get_state (the_dialog) != SVD_EXPORT_RUNNING;
}

static SvdExportDialog *
open_export (void)
{
  GtkWindow *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.export", NULL));
  dialog = svd_gui_test_find_window (gtk_window_get_application (GTK_WINDOW (the_window)), SVD_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (dialog);
  return g_object_ref (SVD_EXPORT_DIALOG (dialog));
}

static void
run_export (const char *out)
{
  g_autoptr(GFile) file = g_file_new_for_path (out);

  the_dialog = open_export ();
  svd_export_dialog_set_output (the_dialog, file);
  svd_export_dialog_set_encoder (the_dialog, "ffv1", -1);
  g_assert_true (svd_export_dialog_start (the_dialog));
  svd_gui_test_wait_until (export_finished, NULL);
  g_test_message ("export: %s", svd_export_dialog_get_message (the_dialog));
}

static gboolean
run_script_cb (gpointer user_data)
{
  Fixture *fx = user_data;
  g_autofree char *clip = g_build_filename (fx->dir, "tone.mp4", NULL);
  g_autofree char *out = g_build_filename (fx->dir, "resumed.mkv", NULL);
  g_autofree char *job_dir = svd_chunk_job_dir_for_output (out);
  g_autofree char *chunk0 = g_build_filename (job_dir, "chunks", "0000.done", NULL);
  g_autofree char *chunk1 = g_build_filename (job_dir, "chunks", "0001.done", NULL);
  g_autofree char *model = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-1x.safetensors", NULL);
  const char *paths[] = { model, NULL };
  SvdSessionSetup setup = { 0 };
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fx->app)));
  svd_test_make_tone_clip (clip, 64, 48, CLIP_FRAMES);
  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = clip;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  svd_window_set_chain_paths (the_window, 0, paths);
  svd_gui_test_wait_until (chain_shown, NULL);

  /* Cancelled halfway through the second chunk. */
  g_setenv ("SVD_FAULT_INJECT", "cancel-in-chunk:1", TRUE);
  run_export (out);
  g_unsetenv ("SVD_FAULT_INJECT");
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_CANCELLED);
  g_assert_nonnull (strstr (svd_export_dialog_get_message (the_dialog), "finished chunks are kept"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (chunk0, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (chunk1, G_FILE_TEST_EXISTS));
  /* The export dialog steps aside while it runs (issue #24: comparing
   * goes on); the window's export bar says what happened. */
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "export-resume-cancelled"));
  gtk_window_close (GTK_WINDOW (the_dialog));
  g_clear_object (&the_dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 2);

  /* The same export again: it resumes and finishes. */
  run_export (out);
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_DONE);
  g_assert_nonnull (strstr (svd_export_dialog_get_message (the_dialog), "resumed: 1 of 2 chunks"));
  g_assert_cmpint (svd_export_dialog_get_frames_written (the_dialog), ==, CLIP_FRAMES);
  g_assert_false (g_file_test (job_dir, G_FILE_TEST_EXISTS));
  reader = svd_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_reader_get_info (reader)->n_frames, ==, CLIP_FRAMES);
  svd_test_assert_same_audio (clip, out);
  g_clear_object (&the_dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 2);

  g_unlink (out);
  g_unlink (clip);
  g_action_group_activate_action (G_ACTION_GROUP (fx->app), "quit", NULL);
  fx->done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *app,
             gpointer      user_data)
{
  g_idle_add (run_script_cb, user_data);
}

static void
test_export_resume (void)
{
  Fixture fx = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  svd_test_require_ffmpeg_cli ();
  fx.dir = g_dir_make_tmp ("svd-export-resume-XXXXXX", &error);
  g_assert_no_error (error);
  fx.app = svd_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (fx.app, "activate", G_CALLBACK (activate_cb), &fx);
  status = g_application_run (G_APPLICATION (fx.app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (fx.done);
  g_object_unref (fx.app);
  svd_test_remove_tree (fx.dir);
  g_free (fx.dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display; run under xvfb-run");
      return 77;
    }
  g_test_add_func ("/gui/export/resume", test_export_resume);
  return g_test_run ();
}
