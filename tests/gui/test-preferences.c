/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-preferences"

#include "svd-config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "media/svd-degrade.h"
#include "svd-application.h"
#include "svd-preferences-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Preferences through the app action: the OpenCL devices are listed off the
 * main thread (Automatic, CPU reference and every real device), choosing
 * a real device offers fp16, choosing the CPU reference writes "cpu-ref"
 * and makes the fp16 switch insensitive with the reason, and the model folder list follows GSettings. */

static gboolean
listed (gpointer data)
{
  return svd_preferences_devices_listed (SVD_PREFERENCES (data));
}

static void
run_script (SvdApplication *app)
{
  GSettings *settings = svd_application_get_settings (app);
  const char *folders[] = { "/usr/share/svd-studio/models", "/tmp/more-models", NULL };
  g_autofree char *device = NULL;
  SvdPreferences *prefs;

  g_assert_nonnull (settings);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = SVD_PREFERENCES (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_PREFERENCES));
  g_assert_nonnull (prefs);
  svd_gui_test_wait_until (listed, prefs);
  g_test_message ("%u device entries", svd_preferences_get_n_devices (prefs));
  /* Automatic, CPU reference, then the devices (PoCL here). */
  g_assert_cmpuint (svd_preferences_get_n_devices (prefs), >=, 2);
  svd_gui_test_wait_frames (GTK_WIDGET (prefs), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (prefs), "preferences"));

  /* Every OpenCL device has the fp16 path (half storage, fp32 math). */
  if (svd_preferences_get_n_devices (prefs) > 2)
    {
      svd_preferences_select_device (prefs, 2);
      g_assert_true (svd_preferences_fp16_available (prefs));
    }
  svd_preferences_select_device (prefs, 1);
  device = g_settings_get_string (settings, "device");
  g_assert_cmpstr (device, ==, "cpu-ref");
  g_assert_false (svd_preferences_fp16_available (prefs));
  g_assert_nonnull (strstr (svd_preferences_get_fp16_reason (prefs), "CPU reference"));

  g_settings_set_strv (settings, "model-folders", folders);
  g_assert_cmpuint (svd_preferences_get_n_folders (prefs), ==, 2);
  svd_gui_test_wait_frames (GTK_WIDGET (prefs), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (prefs), "preferences-cpu-folders"));
  g_settings_set_strv (settings, "model-folders", folders + 1);
  g_assert_cmpuint (svd_preferences_get_n_folders (prefs), ==, 1);

  g_settings_reset (settings, "device");
  g_settings_reset (settings, "model-folders");
  gtk_window_close (GTK_WINDOW (prefs));
}

static void
test_preferences (void)
{
  svd_gui_test_run_app (run_script);
}

/* ---- Metric variants --------------------------------------------------- */

/* The plot's metric chooser beside the plot. */
static GtkDropDown *
find_drop_down (GtkWidget *widget)
{
  if (GTK_IS_DROP_DOWN (widget))
    return GTK_DROP_DOWN (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropDown *found = find_drop_down (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The rows in Preferences write the keys, the keys move the rows, and the
 * window takes the DISTS variant it asks sessions for from the key. */
static void
run_rows_script (SvdApplication *app)
{
  GSettings *settings = svd_application_get_settings (app);
  SvdWindow *window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  GtkDropDown *plot_chooser = find_drop_down (GTK_WIDGET (window));
  SvdPreferences *prefs;
  AdwComboRow *dists, *psnr, *plot;
  g_autofree char *value = NULL;

  /* The defaults are what the window did before there was a choice. */
  g_assert_cmpint (svd_window_get_dists_mode (window), ==, SVD_DISTS_SHORT256);
  g_assert_nonnull (plot_chooser);
  g_assert_cmpuint (gtk_drop_down_get_selected (plot_chooser), ==, 0);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = SVD_PREFERENCES (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_PREFERENCES));
  g_assert_nonnull (prefs);
  dists = svd_preferences_get_choice_row (prefs, "dists-variant");
  psnr = svd_preferences_get_choice_row (prefs, "psnr-average");
  plot = svd_preferences_get_choice_row (prefs, "plot-metric");
  g_assert_nonnull (dists);
  g_assert_nonnull (psnr);
  g_assert_nonnull (plot);
  g_assert_true (gtk_widget_get_ancestor (GTK_WIDGET (dists), SVD_TYPE_PREFERENCES) == GTK_WIDGET (prefs));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (dists)), ==, "DISTS Variant");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (psnr)), ==, "Clip PSNR");
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (dists)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (psnr)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (plot)), ==, 2);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dists)), "scaled to 256"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (psnr)), "mean of the frames"));

  /* Choosing full resolution: the key, the subtitle and the window. */
  adw_combo_row_set_selected (dists, 1);
  value = g_settings_get_string (settings, "dists-variant");
  g_assert_cmpstr (value, ==, "full");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dists)), "Full resolution"));
  g_assert_cmpint (svd_window_get_dists_mode (window), ==, SVD_DISTS_FULL);
  /* The key moves the row and the window back. */
  g_settings_set_string (settings, "dists-variant", "short256");
  g_assert_cmpuint (adw_combo_row_get_selected (dists), ==, 0);
  g_assert_cmpint (svd_window_get_dists_mode (window), ==, SVD_DISTS_SHORT256);

  adw_combo_row_set_selected (psnr, 1);
  g_clear_pointer (&value, g_free);
  value = g_settings_get_string (settings, "psnr-average");
  g_assert_cmpstr (value, ==, "mse");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (psnr)), "FFmpeg"));

  /* The plot's chooser and the row share the key. */
  adw_combo_row_set_selected (plot, 1);
  g_clear_pointer (&value, g_free);
  value = g_settings_get_string (settings, "plot-metric");
  g_assert_cmpstr (value, ==, "ssim-y");
  g_assert_cmpuint (gtk_drop_down_get_selected (plot_chooser), ==, 1);
  gtk_drop_down_set_selected (plot_chooser, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (plot), ==, 0);

  /* Tall enough for the screenshot to show the group at the bottom. */
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 1000);
  svd_gui_test_wait_frames (GTK_WIDGET (prefs), 5);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (prefs), "preferences-metrics"));
  g_settings_reset (settings, "dists-variant");
  g_settings_reset (settings, "psnr-average");
  g_settings_reset (settings, "plot-metric");
  gtk_window_close (GTK_WINDOW (prefs));
}

static void
test_metric_rows (void)
{
  svd_gui_test_run_app (run_rows_script);
}

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

/* The shown frame's own DISTS (not an older frame's) in the variant @data. */
static gboolean
dists_ready (gpointer data)
{
  return svd_gui_test_dists_ready (the_window, want_frame, data);
}

/* Why DISTS is off is said once, in the window's banner (issue #24), and
 * the readout has no DISTS any more. */
static gboolean
dists_failed (gpointer data)
{
  const char *text = svd_window_get_readout (the_window, 0);
  const char *banner = svd_window_get_banner_text (the_window);

  return text != NULL && strstr (text, "DISTS (") == NULL && banner != NULL &&
         strstr (banner, "DISTS unavailable: ") != NULL && strstr (banner, "DISTS_weights.pt") != NULL;
}

/* `svd metrics --json` on the session's first @n_frames frames through
 * @model, with DISTS in @variant unless it is %NULL. */
static JsonParser *
cli_metrics (const SvdSessionInfo *info,
             const char           *model,
             const char           *variant,
             int                   n_frames)
{
  return svd_gui_test_cli_metrics (info->reference_path, info->input_path, model, variant, n_frames);
}

static void
assert_readout_has (const char *want)
{
  const char *text = svd_window_get_readout (the_window, 0);

  g_test_message ("want \"%s\" in: %s", want, text);
  g_assert_nonnull (strstr (text, want));
}

/* A session on a shared clip (Synthesize, scale 2, one shared 2x model:
 * 640x360 frames) run with the variants chosen in Preferences: the
 * readouts equal `svd metrics` in those variants, and changing them while
 * the session is open changes what the following values are. */
static void
run_session_script (SvdApplication *app)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_360p_10s_hevc_aac.mp4", NULL);
  g_autofree char *model = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  const char *paths[] = { model, NULL };
  GSettings *settings = svd_application_get_settings (app);
  SvdSessionSetup setup = { 0 };
  const SvdSessionInfo *info;
  g_autoptr(JsonParser) full = NULL, short256 = NULL, frames = NULL;
  char want[128], of_mse[64], of_frames[64];

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_settings_set_string (settings, "dists-variant", "full");
  g_settings_set_string (settings, "psnr-average", "mse");
  g_assert_cmpint (svd_window_get_dists_mode (the_window), ==, SVD_DISTS_FULL);

  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  info = svd_window_get_session_info (the_window);
  g_assert_nonnull (info->reference_path);
  svd_window_set_chain_paths (the_window, 0, paths);

  /* Frame 0: DISTS at full resolution, as `svd metrics --dists full`. */
  want_frame = 0;
  svd_gui_test_wait_until (readout_ready, NULL);
  svd_gui_test_wait_until (dists_ready, (gpointer) "full");
  full = cli_metrics (info, model, "full", 1);
  g_snprintf (want, sizeof want, "DISTS (full) %.4f", svd_gui_test_cli_frame_value (full, 0, "dists"));
  assert_readout_has (want);

  /* Switched during the session: the shown frame's DISTS comes again, in
   * the new variant and equal to the CLI's; the full-resolution value is
   * not averaged with it. */
  g_settings_set_string (settings, "dists-variant", "short256");
  g_assert_cmpint (svd_window_get_dists_mode (the_window), ==, SVD_DISTS_SHORT256);
  g_assert_null (strstr (svd_window_get_readout (the_window, 0), "(full"));
  svd_gui_test_wait_until (dists_ready, (gpointer) "short256");
  short256 = cli_metrics (info, model, "short256", 1);
  g_snprintf (want, sizeof want, "DISTS (short256) %.4f", svd_gui_test_cli_frame_value (short256, 0, "dists"));
  assert_readout_has (want);
  g_snprintf (want, sizeof want, "mean DISTS %.4f over 1 frame", svd_gui_test_cli_frame_value (short256, 0, "dists"));
  assert_readout_has (want);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "preferences-metrics-session"));

  /* A DISTS weight file chosen in Preferences reaches the open session: a
   * missing one turns DISTS off with the reason, and the default (here the
   * environment's file) brings the CLI's value back. */
  g_settings_set_string (settings, "dists-weights-path", "/nonexistent/DISTS_weights.pt");
  svd_gui_test_wait_until (dists_failed, NULL);
  g_test_message ("with a missing DISTS weight file: %s; banner: %s", svd_window_get_readout (the_window, 0),
                  svd_window_get_banner_text (the_window));
  g_settings_reset (settings, "dists-weights-path");
  svd_gui_test_wait_until (dists_ready, (gpointer) "short256");
  g_snprintf (want, sizeof want, "DISTS (short256) %.4f", svd_gui_test_cli_frame_value (short256, 0, "dists"));
  assert_readout_has (want);

  /* The clip PSNR over frames 0 and 110, whose PSNR differ enough for the
   * two aggregates to differ in the readout: each computed here as
   * svd-metrics.h defines it, from the CLI's per-frame values. */
  want_frame = 110;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.go-to-frame", "x", want_frame));
  svd_gui_test_wait_until (readout_ready, NULL);
  frames = cli_metrics (info, model, NULL, 111);
  g_snprintf (of_mse, sizeof of_mse, "%.2f dB",
              10.0 * log10 (255.0 * 255.0 / ((svd_gui_test_cli_frame_value (frames, 0, "mse_y") +
                                              svd_gui_test_cli_frame_value (frames, 110, "mse_y")) / 2)));
  g_snprintf (of_frames, sizeof of_frames, "%.2f dB",
              (svd_gui_test_cli_frame_value (frames, 0, "psnr_y") + svd_gui_test_cli_frame_value (frames, 110, "psnr_y")) / 2);
  g_assert_cmpstr (of_mse, !=, of_frames);
  g_snprintf (want, sizeof want, "clip of 2 frames: PSNR-Y of the mean MSE %s", of_mse);
  assert_readout_has (want);
  /* The other aggregate at once, from the same frames. */
  g_settings_set_string (settings, "psnr-average", "mean-of-frames");
  g_snprintf (want, sizeof want, "clip mean of 2 frames: PSNR-Y %s", of_frames);
  assert_readout_has (want);

  g_settings_reset (settings, "dists-variant");
  g_settings_reset (settings, "psnr-average");
}

static void
test_metric_session (void)
{
  g_autofree char *models = svd_test_shared_path ("models", NULL);

  if (!g_file_test (models, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared is missing: the session needs its clips, models and DISTS weights");
      return;
    }
  svd_gui_test_run_app (run_session_script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  {
    /* The shared DISTS α/β and the seeded VGG16: the CLI, spawned with
     * this environment, uses the same files. */
    g_autofree char *ab = svd_test_shared_path ("reference", "DISTS_weights.pt", NULL);
    g_autofree char *vgg = svd_test_shared_path ("reference", "dists_vgg16_random_seed20261121.pth", NULL);

    g_setenv ("SVD_DISTS_WEIGHTS", ab, TRUE);
    g_setenv ("SVD_VGG16_WEIGHTS", vgg, TRUE);
  }

  g_test_add_func ("/gui/preferences/device-fp16-folders", test_preferences);
  g_test_add_func ("/gui/preferences/metric-variants", test_metric_rows);
  g_test_add_func ("/gui/preferences/metric-variants-session", test_metric_session);

  return g_test_run ();
}
