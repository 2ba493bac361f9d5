/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Making text from files safe to print on a terminal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *svd_str_escape_control (const char *text,
                              gboolean    keep_newlines);
char *svd_json_escape_control (const char *json);

G_END_DECLS
