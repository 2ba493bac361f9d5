/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "svd-settings.h"

G_BEGIN_DECLS

void        svd_log_init        (SvdLogLevel level);
void        svd_log_set_level   (SvdLogLevel level);
SvdLogLevel svd_log_get_level   (void);

G_END_DECLS
