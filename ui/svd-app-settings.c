/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-app-settings"

#include "svd-config.h"

#include "svd-app-settings.h"
#include "svd-application.h"

/* The one place the app turns Preferences (GSettings) into the engine's
 * SvdSettings. The live session, the export dialog, the Benchmark Matrix
 * and DISTS all take their settings from here, so a job never runs on
 * another device or precision than the one Preferences show. */

/**
 * svd_app_settings_load:
 * @self: (out caller-allocates): settings to fill; clear them with
 *   svd_settings_clear()
 * @gsettings: (nullable): the app's settings
 *
 * Fills @self with the defaults, then the environment (`SVD_DEVICE`,
 * `SVD_PRECISION`…, as the CLI reads it: tests and scripts set it), then
 * what Preferences chose: a device other than "auto", a precision other
 * than "auto", the DISTS and VGG16 weight files when set.
 */
void
svd_app_settings_load (SvdSettings *self,
                       GSettings   *gsettings)
{
  g_autofree char *device = NULL;
  g_autofree char *dists = NULL;
  g_autofree char *vgg = NULL;
  int precision;

  svd_settings_init (self);
  svd_settings_apply_env (self);
  if (gsettings == NULL)
    return;
  device = g_settings_get_string (gsettings, "device");
  dists = g_settings_get_string (gsettings, "dists-weights-path");
  vgg = g_settings_get_string (gsettings, "vgg16-weights-path");
  precision = g_settings_get_enum (gsettings, "precision");
  if (device != NULL && *device != '\0' && g_ascii_strcasecmp (device, "auto") != 0)
    {
      g_free (self->device);
      self->device = g_steal_pointer (&device);
    }
  /* 0 is "auto": the environment's choice, else fp32, stays. */
  if (precision == 1)
    self->precision = SVD_PRECISION_FP32;
  else if (precision == 2)
    self->precision = SVD_PRECISION_FP16;
  if (dists != NULL && *dists != '\0')
    {
      g_free (self->dists_weights);
      self->dists_weights = g_steal_pointer (&dists);
    }
  if (vgg != NULL && *vgg != '\0')
    {
      g_free (self->vgg16_weights);
      self->vgg16_weights = g_steal_pointer (&vgg);
    }
}

/* What svd_app_settings_get() hands to workers: the Preferences as the
 * main thread last read them. GSettings itself is read on the main thread
 * only (its backends are not documented as safe to read from another
 * thread while the main thread writes). */
static GMutex snapshot_lock;
static SvdSettings snapshot;
static gboolean snapshot_valid;

static void
refresh_snapshot (GSettings *gsettings)
{
  g_auto(SvdSettings) fresh = { 0 };

  svd_app_settings_load (&fresh, gsettings);
  g_mutex_lock (&snapshot_lock);
  if (snapshot_valid)
    svd_settings_clear (&snapshot);
  svd_settings_copy (&snapshot, &fresh);
  snapshot_valid = TRUE;
  g_mutex_unlock (&snapshot_lock);
}

static void
changed_cb (GSettings  *gsettings,
            const char *key,
            gpointer    data)
{
  refresh_snapshot (gsettings);
}

/**
 * svd_app_settings_track:
 * @gsettings: (nullable): the app's settings
 *
 * Called once by the application on the main thread: from now on
 * svd_app_settings_get() follows @gsettings.
 */
void
svd_app_settings_track (GSettings *gsettings)
{
  if (gsettings != NULL)
    g_signal_connect (gsettings, "changed", G_CALLBACK (changed_cb), NULL);
  refresh_snapshot (gsettings);
}

/**
 * svd_app_settings_get:
 * @self: (out caller-allocates): settings to fill; clear them with
 *   svd_settings_clear()
 *
 * The settings Preferences choose now, for any thread: on the main thread
 * read from the running SvdApplication's GSettings, elsewhere the copy the
 * main thread made when they last changed. Without an application (or
 * before it started) only the defaults and the environment.
 */
void
svd_app_settings_get (SvdSettings *self)
{
  GApplication *app = g_application_get_default ();
  gboolean have;

  if (g_main_context_is_owner (g_main_context_default ()))
    {
      GSettings *gsettings = NULL;

      if (app != NULL && SVD_IS_APPLICATION (app))
        gsettings = svd_application_get_settings (SVD_APPLICATION (app));
      svd_app_settings_load (self, gsettings);
      return;
    }
  g_mutex_lock (&snapshot_lock);
  have = snapshot_valid;
  if (have)
    svd_settings_copy (self, &snapshot);
  g_mutex_unlock (&snapshot_lock);
  if (!have)
    svd_app_settings_load (self, NULL);
}
