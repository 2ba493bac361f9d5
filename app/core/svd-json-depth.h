/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A guard run before json-glib, whose parser recurses once per nested
 * array or object and so overflows the stack on deeply nested text. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean svd_json_check_depth (const char  *text,
                               gssize       length,
                               guint        max_depth,
                               const char  *what,
                               GError     **error);
char    *svd_json_error_text  (const GError *parse_error);

G_END_DECLS
