/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     svd_priority_set_background_compute (int nice_increment);
int      svd_priority_get_background_compute (void);
gboolean svd_priority_apply_to_thread        (void);

G_END_DECLS
