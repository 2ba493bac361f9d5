/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SvdOutputFlags:
 * @SVD_OUTPUT_NONE: refuse to replace an existing file
 * @SVD_OUTPUT_FORCE: an existing regular file may be replaced (`--force`)
 * @SVD_OUTPUT_APPEND: the file is appended to, not replaced (`--stats`);
 *   an existing file still needs @SVD_OUTPUT_FORCE
 *
 * How svd_output_check() treats a file that already exists.
 */
typedef enum {
  SVD_OUTPUT_NONE   = 0,
  SVD_OUTPUT_FORCE  = 1 << 0,
  SVD_OUTPUT_APPEND = 1 << 1,
} SvdOutputFlags;

gboolean  svd_output_check              (const char         *output,
                                         const char *const  *inputs,
                                         SvdOutputFlags      flags,
                                         GError            **error);
char     *svd_output_temp_template      (const char         *output);
guint     svd_output_remove_stale_parts (const char         *output);
gboolean  svd_output_replace            (const char         *temp_path,
                                         const char         *output,
                                         GError            **error);

G_END_DECLS
