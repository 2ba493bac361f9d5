/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SVD_TYPE_PREFERENCES (svd_preferences_get_type ())

G_DECLARE_FINAL_TYPE (SvdPreferences, svd_preferences, SVD, PREFERENCES, AdwPreferencesWindow)

SvdPreferences *svd_preferences_new              (GtkWindow      *parent,
                                                  GSettings      *settings);
void            svd_preferences_bind_choice      (GSettings          *settings,
                                                  const char         *key,
                                                  gpointer            object,
                                                  const char         *property,
                                                  const char * const *nicks);

G_END_DECLS
