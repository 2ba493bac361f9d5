/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SVD_TYPE_PREFERENCES (svd_preferences_get_type ())

G_DECLARE_FINAL_TYPE (SvdPreferences, svd_preferences, SVD, PREFERENCES, AdwPreferencesWindow)

SvdPreferences *svd_preferences_new              (GtkWindow      *parent,
                                                  GSettings      *settings);
gboolean        svd_preferences_devices_listed   (SvdPreferences *self);
guint           svd_preferences_get_n_devices    (SvdPreferences *self);
void            svd_preferences_select_device    (SvdPreferences *self,
                                                  guint           position);
gboolean        svd_preferences_fp16_available   (SvdPreferences *self);
const char     *svd_preferences_get_fp16_reason  (SvdPreferences *self);
guint           svd_preferences_get_n_folders    (SvdPreferences *self);
AdwComboRow    *svd_preferences_get_choice_row   (SvdPreferences *self,
                                                  const char     *key);
void            svd_preferences_bind_choice      (GSettings          *settings,
                                                  const char         *key,
                                                  gpointer            object,
                                                  const char         *property,
                                                  const char * const *nicks);

G_END_DECLS
