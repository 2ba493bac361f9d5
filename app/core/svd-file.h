/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening files for parsing: only regular files, never more than a stated
 * size. A FIFO, a device (a symlink to /dev/zero), a directory or a socket
 * named like a model or preset is refused at once with a clear error,
 * before a byte is read and without blocking. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

gboolean  svd_file_read_regular (const char  *path,
                                 gsize        max_bytes,
                                 char       **contents,
                                 gsize       *length,
                                 GError     **error);
GBytes   *svd_file_map_regular  (const char  *path,
                                 gsize        max_bytes,
                                 GError     **error);

FILE     *svd_file_fopen_regular (const char  *path,
                                 GError     **error);

const char *svd_file_kind         (unsigned int  mode);

G_END_DECLS
