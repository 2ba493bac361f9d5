/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export-audio"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "media/svd-reader.h"

#include "svd-application.h"
#include "svd-export-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* The export dialog keeps the clip's audio: a tiny clip with an AAC track
 * (made here with ffmpeg from lavfi's testsrc and sine, 64x48, 10 frames,
 * so the chain is quick on the CPU device) is exported through the window
 * in Synthesize mode (the app's default, where the session restores a
 * degraded copy without audio) and with no reference; each export must
 * hold every frame and the source's audio packets, byte for byte. The
 * project's own models are used, so no ../shared is needed. */

#define CLIP_FRAMES 10

static SvdWindow *the_window;
static SvdExportDialog *the_dialog;
static char *tmp_dir;

static gboolean
session_open (gpointer data)
{
  const SvdSessionInfo *info = svd_window_get_session_info (the_window);

  return info != NULL && (int) info->mode == GPOINTER_TO_INT (data);
}

static gboolean
chain_shown (gpointer data)
{
  return svd_window_get_readout (the_window, 0) != NULL && !svd_window_is_busy (the_window);
}

static gboolean
export_finished (gpointer data)
{
  return svd_export_dialog_get_state (the_dialog) != SVD_EXPORT_RUNNING;
}

static void
export_and_check (const char *clip,
                  const char *name)
{
  g_autofree char *out = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (out);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdReader) reader = NULL;
  GtkWindow *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.export", NULL));
  dialog = svd_gui_test_find_window (gtk_window_get_application (GTK_WINDOW (the_window)), SVD_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (dialog);
  the_dialog = g_object_ref (SVD_EXPORT_DIALOG (dialog));
  svd_export_dialog_set_output (the_dialog, file);
  svd_export_dialog_set_encoder (the_dialog, "libx264", 30);
  g_assert_true (svd_export_dialog_start (the_dialog));
  svd_gui_test_wait_until (export_finished, NULL);
  g_test_message ("%s: %s", name, svd_export_dialog_get_message (the_dialog));
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_DONE);
  g_assert_cmpint (svd_export_dialog_get_frames_written (the_dialog), ==, CLIP_FRAMES);
  g_clear_object (&the_dialog);

  reader = svd_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_reader_get_info (reader)->n_frames, ==, CLIP_FRAMES);
  g_assert_cmpint (svd_reader_get_info (reader)->width, ==, 64);
  g_assert_cmpint (svd_reader_get_info (reader)->height, ==, 48);
  svd_test_assert_same_audio (clip, out);
  g_unlink (out);
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = g_build_filename (tmp_dir, "tone.mp4", NULL);
  g_autofree char *model_1x = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-1x.safetensors", NULL);
  g_autofree char *model_2x = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-2x.safetensors", NULL);
  const char *chain_2x[] = { model_2x, NULL };
  const char *chain_1x[] = { model_1x, NULL };
  SvdSessionSetup setup = { 0 };

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  svd_test_make_tone_clip (clip, 64, 48, CLIP_FRAMES);

  /* Synthesize: the chain restores the half-size degraded copy, which the
   * session made without audio; the export still carries the clip's. */
  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, GINT_TO_POINTER (SVD_REFERENCE_SYNTHESIZE));
  svd_window_set_chain_paths (the_window, 0, chain_2x);
  svd_gui_test_wait_until (chain_shown, NULL);
  export_and_check (clip, "synthesize.mkv");

  /* No reference: the clip itself is restored. */
  setup.mode = SVD_REFERENCE_NONE;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, GINT_TO_POINTER (SVD_REFERENCE_NONE));
  svd_window_set_chain_paths (the_window, 0, chain_1x);
  svd_gui_test_wait_until (chain_shown, NULL);
  export_and_check (clip, "none.mp4");

  g_unlink (clip);
}

static void
test_export_audio (void)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("svd-export-audio-XXXXXX", &error);
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

  g_test_add_func ("/gui/export/keeps-audio", test_export_audio);

  return g_test_run ();
}
