/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "svd-test-utils.h"
#include "media/svd-reader.h"

G_BEGIN_DECLS

/* The four shared clips every media test runs on. */
extern const char *const media_test_clips[];

void        media_test_require_ffmpeg  (void);
char       *media_test_clip_path       (const char *name);
const char *media_test_work_dir        (void);
char       *media_test_work_path       (const char *name);
char       *media_test_run             (GError    **error,
                                        const char *first,
                                        ...) G_GNUC_NULL_TERMINATED;
void        media_test_ffmpeg          (const char *first,
                                        ...) G_GNUC_NULL_TERMINATED;
char       *media_test_image_digest    (const SvdImage *image);
GBytes     *media_test_image_bytes     (const SvdImage *image);
GBytes     *media_test_ffmpeg_raw_frame (const char *path,
                                         gint64      index,
                                         const char *pix_fmt);
GArray     *media_test_ffprobe_frame_pts (const char *path,
                                          int        *tb_num,
                                          int        *tb_den);
char       *media_test_ffprobe_value   (const char *path,
                                        const char *select,
                                        const char *entries);

G_END_DECLS
