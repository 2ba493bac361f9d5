/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "svd-preferences.h"

G_BEGIN_DECLS

/* Only the tests use these. */
gboolean        svd_preferences_devices_listed   (SvdPreferences *self);
guint           svd_preferences_get_n_devices    (SvdPreferences *self);
void            svd_preferences_select_device    (SvdPreferences *self,
                                                  guint           position);
gboolean        svd_preferences_fp16_available   (SvdPreferences *self);
const char     *svd_preferences_get_fp16_reason  (SvdPreferences *self);
guint           svd_preferences_get_n_folders    (SvdPreferences *self);
AdwComboRow    *svd_preferences_get_choice_row   (SvdPreferences *self,
                                                  const char     *key);

G_END_DECLS
