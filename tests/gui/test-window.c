/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "svd-config.h"

#include <string.h>

#include "svd-application.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"

/* Drives the real application and window through their actions under Xvfb:
 * window state from GSettings, the help overlay, the About window, a
 * screenshot that is checked for size and content, and state saved on quit. */

typedef struct {
  SvdApplication *app;
  gboolean        done;
} Fixture;

static gboolean
window_closed (gpointer data)
{
  GType type = GPOINTER_TO_SIZE (data);

  return svd_gui_test_find_window (NULL, type) == NULL;
}

static gboolean
has_dialog (gpointer data)
{
  return svd_gui_test_find_window (NULL, ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static void
check_screenshot (const char *path,
                  int         width,
                  int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) png = gdk_texture_new_from_filename (path, &error);
  guint n_colors = 0;
  double stddev;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (png), ==, width);
  g_assert_cmpint (gdk_texture_get_height (png), ==, height);
  stddev = svd_gui_test_texture_stddev (png, &n_colors);
  g_test_message ("%s: %dx%d, luma stddev %.1f, %u colours", path, width, height, stddev, n_colors);
  /* A blank or single-colour window has stddev ~0 and a handful of colours;
   * text, a header bar and buttons give far more. */
  g_assert_cmpfloat (stddev, >, 4.0);
  g_assert_cmpuint (n_colors, >, 16);
}

static void
shoot_window (GtkWidget  *window,
              const char *name)
{
  g_autofree char *path = NULL;

  svd_gui_test_wait_frames (window, 3);
  path = svd_gui_test_save_screenshot (window, name);
  check_screenshot (path, gtk_widget_get_width (window), gtk_widget_get_height (window));
}

static gboolean
run_script_cb (gpointer user_data)
{
  Fixture *fx = user_data;
  GtkWindow *window;
  GtkWindow *overlay;
  GtkWindow *about;
  GtkWindow *dialog;
  GSettings *settings;
  g_auto(GStrv) recent = NULL;
  g_autoptr(GFile) file = NULL;
  int width, height;

  window = gtk_application_get_active_window (GTK_APPLICATION (fx->app));
  g_assert_true (SVD_IS_WINDOW (window));
  settings = svd_application_get_settings (fx->app);
  g_assert_nonnull (settings);

  /* The size comes from GSettings (set before the app started). */
  gtk_window_get_default_size (window, &width, &height);
  g_assert_cmpint (width, ==, 1000);
  g_assert_cmpint (height, ==, 700);
  svd_gui_test_wait_frames (GTK_WIDGET (window), 3);
  /* The default size counts the client-side decoration's border, the
   * widget's allocation does not; they differ by a few pixels at most. */
  g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (window)) - 1000), <=, 32);
  g_assert_cmpint (ABS (gtk_widget_get_height (GTK_WIDGET (window)) - 700), <=, 32);

  /* The header bar's menu is the app's; its actions resolve. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fx->app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fx->app), "quit"));

  shoot_window (GTK_WIDGET (window), "window");

  /* Help overlay, loaded automatically from gtk/help-overlay.ui. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  overlay = svd_gui_test_find_window (GTK_APPLICATION (fx->app), GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (overlay);
  shoot_window (GTK_WIDGET (overlay), "help-overlay");
  gtk_window_close (overlay);
  svd_gui_test_wait_until (window_closed, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW));

  /* About window. */
  g_action_group_activate_action (G_ACTION_GROUP (fx->app), "about", NULL);
  about = svd_gui_test_find_window (GTK_APPLICATION (fx->app), ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, SVD_VERSION);
  shoot_window (GTK_WIDGET (about), "about");
  gtk_window_close (about);
  svd_gui_test_wait_until (window_closed, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW));

  /* A file that cannot be opened blocks what the user asked for: a dialog
   * that says so, not a crash; it still lands in recent files. */
  file = g_file_new_for_path ("/nonexistent/clip.mp4");
  svd_window_open_file (SVD_WINDOW (window), file);
  svd_gui_test_wait_until (has_dialog, NULL);
  dialog = svd_gui_test_find_window (NULL, ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "clip.mp4"));
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "window-open-error"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_close (dialog);
  svd_gui_test_wait_until (window_closed, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG));
  recent = g_settings_get_strv (settings, "recent-files");
  g_assert_cmpuint (g_strv_length (recent), >=, 1);
  g_assert_cmpstr (recent[0], ==, "file:///nonexistent/clip.mp4");

  /* A new size is saved when app.quit closes the window. */
  gtk_window_set_default_size (window, 900, 650);
  svd_gui_test_wait_frames (GTK_WIDGET (window), 3);
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
test_window_actions (void)
{
  Fixture fx = { 0 };
  g_autoptr(GSettings) settings = NULL;
  int status;

  /* GSETTINGS_BACKEND=memory: these values live only in this process. */
  settings = g_settings_new (SVD_APP_ID);
  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 700);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  fx.app = svd_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (fx.app, "activate", G_CALLBACK (activate_cb), &fx);
  status = g_application_run (G_APPLICATION (fx.app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (fx.done);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_object_unref (fx.app);
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

  g_test_add_func ("/gui/window/actions", test_window_actions);

  return g_test_run ();
}
