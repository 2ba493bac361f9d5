/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-screenshots"

#include "svd-config.h"

#include <glib/gstdio.h>

#include "svd-application.h"
#include "svd-viewer-private.h"
#include "svd-window-private.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Issue #24's screenshots of the main window: at its minimum size, at
 * 1100 × 720 with four chains, and at full HD, each in light and dark
 * mode, written to $SVD_SCREENSHOT_DIR (build/tests/gui/screenshots,
 * never committed). The clip is ../shared's Big Buck Bunny when there is
 * one, else a test pattern made here. Each shot also logs how much of
 * the window the picture gets. */

#define CLIP_FRAMES 30

static SvdWindow *the_window;
static char *tmp_dir;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
chains_shown (gpointer data)
{
  SvdViewer *viewer = svd_window_get_viewer (the_window);
  int n = GPOINTER_TO_INT (data);

  for (int i = 0; i < n; i++)
    if (!svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1 + i))
      return FALSE;
  return !svd_window_is_busy (the_window) && svd_viewer_get_settled (viewer);
}

static void
shoot (const char *name,
       int         width,
       int         height)
{
  GtkWidget *window = GTK_WIDGET (the_window);
  GtkWidget *viewer = GTK_WIDGET (svd_window_get_viewer (the_window));
  static const struct { AdwColorScheme scheme; const char *suffix; } schemes[] = {
    { ADW_COLOR_SCHEME_FORCE_LIGHT, "light" }, { ADW_COLOR_SCHEME_FORCE_DARK, "dark" },
  };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  for (guint s = 0; s < G_N_ELEMENTS (schemes); s++)
    {
      g_autofree char *file = g_strdup_printf ("window-%s-%s", name, schemes[s].suffix);
      g_autofree char *path = NULL;

      adw_style_manager_set_color_scheme (adw_style_manager_get_default (), schemes[s].scheme);
      svd_gui_test_wait_frames (window, 10);
      svd_gui_test_wait_until (chains_shown, GINT_TO_POINTER (0));
      path = svd_gui_test_save_screenshot (window, file);
      g_test_message ("%s: window %d × %d, picture %d × %d (%.0f %% of the window's area)", path,
                      gtk_widget_get_width (window), gtk_widget_get_height (window), gtk_widget_get_width (viewer),
                      gtk_widget_get_height (viewer),
                      100.0 * gtk_widget_get_width (viewer) * gtk_widget_get_height (viewer)
                      / MAX (1, gtk_widget_get_width (window) * gtk_widget_get_height (window)));
      g_assert_cmpint (gtk_widget_get_width (viewer), >, 0);
      if (gtk_widget_get_visible (the_window->readout_pane))
        {
          GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (the_window->readout_pane));

          g_test_message ("%s: readouts pane %d px high, its content %.0f px (page %.0f)", file,
                          gtk_widget_get_height (the_window->readout_pane), gtk_adjustment_get_upper (v),
                          gtk_adjustment_get_page_size (v));
          /* Issue #24: at 1100 × 720 the four chains' readouts and the
           * plot fit their pane without scrolling, and the picture keeps
           * its share of the window (59 % before the readouts were made
           * compact). */
          if (g_str_equal (name, "4-chains-1100x720"))
            {
              g_assert_cmpfloat (gtk_adjustment_get_upper (v), <=, gtk_adjustment_get_page_size (v));
              g_assert_cmpfloat (100.0 * gtk_widget_get_width (viewer) * gtk_widget_get_height (viewer)
                                 / (gtk_widget_get_width (window) * gtk_widget_get_height (window)), >=, 58.5);
            }
        }
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static void
script (SvdApplication *app)
{
  g_autofree char *made = g_build_filename (tmp_dir, "pattern.mp4", NULL);
  g_autofree char *bbb = g_build_filename (g_getenv ("SVD_SHARED_DIR"), "clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *models = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", NULL);
  g_autofree char *super1 = g_build_filename (models, "svd-super-1x.safetensors", NULL);
  g_autofree char *super2 = g_build_filename (models, "svd-super-2x.safetensors", NULL);
  const char *chains[4][3] = {
    { super1, super2, NULL }, { super2, NULL }, { "bicubic:2", NULL }, { super1, "bicubic:2", NULL },
  };
  SvdSessionSetup setup = { 0 };
  const char *clip;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  if (g_file_test (bbb, G_FILE_TEST_EXISTS))
    clip = bbb;
  else
    {
      svd_test_make_tone_clip (made, 320, 180, CLIP_FRAMES);
      clip = made;
    }
  g_test_message ("clip %s", clip);

  /* The demo's first screen, before any clip, at the minimum size. */
  shoot ("start-minimum", 1, 1);

  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = (char *) clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  for (guint i = 0; i < 4; i++)
    svd_window_set_chain_paths (the_window, i, chains[i]);
  svd_gui_test_wait_until (chains_shown, GINT_TO_POINTER (4));
  svd_window_go_to_frame (the_window, 12);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);
  svd_gui_test_wait_until (chains_shown, GINT_TO_POINTER (4));
  svd_viewer_select_slot (svd_window_get_viewer (the_window), SVD_VIEWER_SLOT_CHAIN_1);

  shoot ("4-chains-minimum", 1, 1);
  shoot ("4-chains-1100x720", 1100, 720);
  shoot ("4-chains-1920x1080", 1920, 1080);
  g_unlink (made);
}

static void
test_screenshots (void)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("svd-screenshots-XXXXXX", &error);
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

  g_test_add_func ("/gui/window/screenshots", test_screenshots);

  return g_test_run ();
}
