/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint64  svd_memory_host_headroom (const char **limit);
char    *svd_memory_format        (guint64      bytes);

G_END_DECLS
