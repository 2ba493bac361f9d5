/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "media/svd-reader.h"
#include "media/svd-writer.h"

#include "svd-application.h"
#include "svd-export-private.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-window-private.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* The export dialog, driven through the window: a small clip made here
 * (320x180, so the run is short), chain 1 = a shared 1x model, an export of
 * frames 2 to 7 that must hold exactly 6 frames, and a cancelled export that
 * must leave no file at all (not even the writer's temporary file).
 * Issue #24: the dialog is not modal and steps aside while the export runs
 * (progress and Cancel in the window, the comparison goes on), its default
 * file is named after the clip and the chain beside the clip, any chain can
 * be chosen, and the done toast opens the file or shows it in its folder. */

#define CLIP_FRAMES 150

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

static gint64 want_frame;

static gboolean
frame_shown (gpointer data)
{
  return svd_window_get_shown_frame (the_window) == want_frame && !svd_window_is_busy (the_window);
}

static gboolean
export_finished (gpointer data)
{
  return svd_export_dialog_get_state (the_dialog) != SVD_EXPORT_RUNNING;
}

static gboolean
export_progressing (gpointer data)
{
  GtkWidget *w = data;

  return svd_export_dialog_get_state (the_dialog) != SVD_EXPORT_RUNNING ||
         gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (w)) > 0;
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A moving gradient with a square, so the encoder has something to do. */
static void
make_clip (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdWriter) writer = NULL;
  SvdWriterOptions wo;

  svd_writer_options_init (&wo);
  wo.encoder = "libx264";
  wo.preset = "ultrafast";
  wo.crf = 23;
  wo.fps_num = 25;
  wo.fps_den = 1;
  writer = svd_writer_new (path, &wo, &error);
  g_assert_no_error (error);
  for (int i = 0; i < CLIP_FRAMES; i++)
    {
      g_autoptr(SvdImage) image = svd_image_new (SVD_PIXEL_FORMAT_YUV420P8, 320, 180, &error);

      g_assert_no_error (error);
      for (int y = 0; y < 180; y++)
        for (int x = 0; x < 320; x++)
          {
            gboolean square = x >= 40 + i && x < 100 + i && y >= 60 && y < 120;

            image->data[0][y * image->stride[0] + x] = square ? 235 : 16 + (x + 2 * y + 3 * i) % 200;
          }
      for (int p = 1; p < 3; p++)
        for (int y = 0; y < 90; y++)
          memset (image->data[p] + y * image->stride[p], p == 1 ? 100 + y : 160 - y / 2, 160);
      image->pts = (gint64) i * G_USEC_PER_SEC / 25;
      image->frame_index = i;
      g_assert_true (svd_writer_write (writer, image, &error));
      g_assert_no_error (error);
    }
  g_assert_true (svd_writer_finish (writer, &error));
  g_assert_no_error (error);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static gboolean
chain_2_shown (gpointer viewer)
{
  return svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_2);
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

static gboolean
run_script_cb (gpointer user_data)
{
  Fixture *fx = user_data;
  g_autofree char *clip = g_build_filename (fx->dir, "small.mp4", NULL);
  g_autofree char *out = g_build_filename (fx->dir, "out", "restored.mkv", NULL);
  g_autofree char *out_dir = g_build_filename (fx->dir, "out", NULL);
  g_autofree char *cancelled = g_build_filename (fx->dir, "out", "cancelled.mkv", NULL);
  g_autofree char *model = svd_test_shared_path ("models", "seed", "1x_super_34_10_fp32.onnx", NULL);
  const char *paths[] = { model, NULL };
  SvdSessionSetup setup = { 0 };
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdReader) reader = NULL;
  GtkWidget *bar;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fx->app)));
  make_clip (clip);
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);

  /* Nothing to export yet: the action explains instead of opening. */
  g_assert_null (svd_window_export (the_window));

  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = clip;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  g_assert_null (svd_window_export (the_window));  /* no chain 1 yet */
  svd_window_set_chain_paths (the_window, 0, paths);
  svd_gui_test_wait_until (chain_shown, NULL);

  /* Frames 2 to 7 into a file in out/. */
  the_dialog = open_export ();
  svd_gui_test_wait_frames (GTK_WIDGET (the_dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_dialog), "export-dialog"));
  /* Not modal; by default beside the clip, named after it and the chain
   * (not a cache name, not in the home folder). */
  g_assert_false (gtk_window_get_modal (GTK_WINDOW (the_dialog)));
  {
    g_autofree char *suggested = g_file_get_path (svd_export_dialog_get_output (the_dialog));
    g_autofree char *folder = g_path_get_dirname (suggested);
    g_autofree char *name = g_path_get_basename (suggested);

    g_test_message ("default output: %s", suggested);
    g_assert_cmpstr (folder, ==, fx->dir);
    g_assert_cmpstr (name, ==, "small-restored-1x_super_34_10_fp32.mkv");
  }
  file = g_file_new_for_path (out);
  svd_export_dialog_set_output (the_dialog, file);
  svd_export_dialog_set_encoder (the_dialog, "libx264", 30);
  svd_export_dialog_set_range (the_dialog, 2, 7);
  g_assert_true (svd_export_dialog_start (the_dialog));
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_RUNNING);
  /* The dialog steps aside; the window shows the export. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (the_dialog)));
  g_assert_true (svd_window_is_exporting (the_window));
  g_assert_true (gtk_revealer_get_reveal_child (the_window->export_revealer));
  svd_gui_test_wait_until (export_finished, NULL);
  g_test_message ("export: %s", svd_export_dialog_get_message (the_dialog));
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_DONE);
  g_assert_cmpint (svd_export_dialog_get_frames_written (the_dialog), ==, 6);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (the_dialog)));  /* closed on success */
  g_clear_object (&the_dialog);
  reader = svd_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_reader_get_info (reader)->n_frames, ==, 6);
  g_assert_cmpint (svd_reader_get_info (reader)->width, ==, 320);
  g_assert_cmpuint (count_files (out_dir), ==, 1);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "export-done-toast"));
  /* The toast opens the file ("Open") or shows it in its folder. */
  {
    AdwToast *toast = svd_window_get_export_toast (the_window);
    g_autofree char *uri = g_filename_to_uri (out, NULL, NULL);
    GtkWidget *folder;

    g_assert_nonnull (toast);
    g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Open");
    g_assert_cmpstr (adw_toast_get_action_name (toast), ==, "win.open-export");
    g_assert_cmpstr (g_variant_get_string (adw_toast_get_action_target_value (toast), NULL), ==, uri);
    folder = find_type (adw_toast_get_custom_title (toast), GTK_TYPE_BUTTON);
    g_assert_nonnull (folder);
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (folder)), ==, "win.show-export");
    g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (folder)), NULL),
                     ==, uri);
  }

  /* The whole clip, cancelled once frames flow: no file is left. */
  g_clear_object (&file);
  the_dialog = open_export ();
  /* Suggested where the last export went. */
  {
    g_autofree char *suggested = g_file_get_path (svd_export_dialog_get_output (the_dialog));
    g_autofree char *folder = g_path_get_dirname (suggested);

    g_assert_cmpstr (folder, ==, out_dir);
  }
  file = g_file_new_for_path (cancelled);
  svd_export_dialog_set_output (the_dialog, file);
  g_assert_true (svd_export_dialog_start (the_dialog));
  bar = find_type (GTK_WIDGET (the_dialog), GTK_TYPE_PROGRESS_BAR);
  g_assert_nonnull (bar);
  svd_gui_test_wait_until (export_progressing, bar);
  /* Comparing goes on while it runs: another frame is shown. */
  want_frame = 9;
  svd_window_go_to_frame (the_window, want_frame);
  svd_gui_test_wait_until (frame_shown, NULL);
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_RUNNING);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "export-running"));
  /* Cancel, in the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.cancel-export", NULL));
  svd_gui_test_wait_until (export_finished, NULL);
  g_test_message ("cancel: %s", svd_export_dialog_get_message (the_dialog));
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_CANCELLED);
  g_assert_false (g_file_test (cancelled, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (out_dir), ==, 1);
  g_assert_false (svd_window_is_exporting (the_window));
  g_clear_object (&the_dialog);

  /* With two chains, the export takes the one the viewer shows. */
  {
    const char *baseline[] = { "bicubic:2", NULL };
    SvdViewer *viewer = svd_window_get_viewer (the_window);

    the_dialog = open_export ();
    g_assert_nonnull (strstr (svd_export_dialog_get_chain_text (the_dialog), "1x_super_34_10"));
    g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (
                       find_type (GTK_WIDGET (the_dialog), ADW_TYPE_PREFERENCES_GROUP))), ==, "Chain 1");
    gtk_window_close (GTK_WINDOW (the_dialog));
    g_clear_object (&the_dialog);
    svd_window_set_chain_paths (the_window, 1, baseline);
    svd_gui_test_wait_until (chain_2_shown, viewer);
    /* Either chain can be chosen in the dialog. */
    the_dialog = open_export ();
    g_assert_cmpuint (svd_export_dialog_get_chain_number (the_dialog), ==, 1);
    svd_export_dialog_select_chain (the_dialog, 2);
    g_assert_cmpuint (svd_export_dialog_get_chain_number (the_dialog), ==, 2);
    g_assert_nonnull (strstr (svd_export_dialog_get_chain_text (the_dialog), "2×"));
    g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (
                       find_type (GTK_WIDGET (the_dialog), ADW_TYPE_PREFERENCES_GROUP))), ==, "Chain 2");
    svd_gui_test_wait_frames (GTK_WIDGET (the_dialog), 3);
    g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_dialog), "export-dialog-chain-2"));
    gtk_window_close (GTK_WINDOW (the_dialog));
    g_clear_object (&the_dialog);

    svd_viewer_set_view_mode (viewer, SVD_VIEW_MODE_TOGGLE);
    svd_viewer_select_slot (viewer, SVD_VIEWER_SLOT_CHAIN_2);
    g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_CHAIN_2);
    the_dialog = open_export ();
    g_test_message ("export with chain 2 shown: %s", svd_export_dialog_get_chain_text (the_dialog));
    g_assert_nonnull (strstr (svd_export_dialog_get_chain_text (the_dialog), "2×"));
    g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (
                       find_type (GTK_WIDGET (the_dialog), ADW_TYPE_PREFERENCES_GROUP))), ==, "Chain 2");
    gtk_window_close (GTK_WINDOW (the_dialog));
    g_clear_object (&the_dialog);
    svd_window_set_chain_paths (the_window, 1, NULL);
    svd_viewer_set_view_mode (viewer, SVD_VIEW_MODE_SLIDER);
  }

  /* The export runs on the device Preferences choose, not on the
   * environment's (svd_app_settings_get()): one that does not exist makes
   * it fail, and the message names it. */
  g_settings_set_string (svd_application_get_settings (fx->app), "device", "no-such-device-svd-test");
  g_clear_object (&file);
  the_dialog = open_export ();
  file = g_file_new_for_path (cancelled);
  svd_export_dialog_set_output (the_dialog, file);
  svd_export_dialog_set_range (the_dialog, 0, 2);
  g_assert_true (svd_export_dialog_start (the_dialog));
  svd_gui_test_wait_until (export_finished, NULL);
  g_test_message ("export on a device Preferences name: %s", svd_export_dialog_get_message (the_dialog));
  g_assert_cmpint (svd_export_dialog_get_state (the_dialog), ==, SVD_EXPORT_FAILED);
  g_assert_nonnull (strstr (svd_export_dialog_get_message (the_dialog), "no-such-device-svd-test"));
  /* A failure brings the dialog back, to try again. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (the_dialog)));
  g_assert_false (g_file_test (cancelled, G_FILE_TEST_EXISTS));
  gtk_window_close (GTK_WINDOW (the_dialog));
  g_clear_object (&the_dialog);
  g_settings_reset (svd_application_get_settings (fx->app), "device");

  /* Preferences switch the device: the session rebuilds its engine on the
   * worker and shows the frame again, here on the CPU reference path. */
  g_settings_set_string (svd_application_get_settings (fx->app), "device", "cpu-ref");
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 2);
  svd_gui_test_wait_until (chain_shown, NULL);
  g_test_message ("after switching to the CPU reference: %s", svd_window_get_readout (the_window, 0));
  g_assert_null (strstr (svd_window_get_readout (the_window, 0), "failed"));
  g_settings_reset (svd_application_get_settings (fx->app), "device");

  g_unlink (out);
  g_rmdir (out_dir);
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
test_export (void)
{
  Fixture fx = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *clip = NULL;
  int status;

  fx.dir = g_dir_make_tmp ("svd-export-XXXXXX", &error);
  g_assert_no_error (error);
  fx.app = svd_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (fx.app, "activate", G_CALLBACK (activate_cb), &fx);
  status = g_application_run (G_APPLICATION (fx.app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (fx.done);
  g_object_unref (fx.app);
  clip = g_build_filename (fx.dir, "small.mp4", NULL);
  g_unlink (clip);
  g_rmdir (fx.dir);
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
  svd_test_require_shared ();

  g_test_add_func ("/gui/export/range-and-cancel", test_export);

  return g_test_run ();
}
