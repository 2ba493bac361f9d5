/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-preferences"

#include "svd-config.h"

#include <string.h>

#include "svd-application.h"
#include "svd-preferences.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"

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

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/preferences/device-fp16-folders", test_preferences);

  return g_test_run ();
}
