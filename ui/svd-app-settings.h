/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-settings.h"

G_BEGIN_DECLS

void svd_app_settings_load (SvdSettings *self,
                            GSettings   *gsettings);
void svd_app_settings_get   (SvdSettings *self);
void svd_app_settings_track (GSettings   *gsettings);

G_END_DECLS
