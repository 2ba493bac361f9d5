/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "svd.h"

G_BEGIN_DECLS

/* Exit status meson reads as "skipped". */
#define SVD_TEST_SKIP 77

void          svd_test_skip_all         (const char *reason) G_GNUC_NORETURN;
const char   *svd_test_shared_dir       (void);
char         *svd_test_shared_path      (const char *first, ...) G_GNUC_NULL_TERMINATED;
void          svd_test_require_shared   (void);
SvdClContext *svd_test_cl_context       (void);
void          svd_test_fill_random_rgb  (SvdImage   *image,
                                         guint32     seed);
void          svd_test_require_ffmpeg_cli (void);
void          svd_test_make_tone_clip   (const char *path,
                                         int         width,
                                         int         height,
                                         int         n_frames);
GStrv         svd_test_audio_packets    (const char *path);
void          svd_test_assert_same_audio (const char *source,
                                          const char *copy);

G_END_DECLS

G_BEGIN_DECLS

SvdModel     *svd_test_load_shared_model (const char *dir,
                                         const char *file);
SvdImage     *svd_test_load_npy         (const char *path,
                                         GError    **error);
double        svd_test_max_abs_diff     (const SvdImage *a,
                                         const SvdImage *b);
void          svd_test_remove_tree      (const char *path);
gboolean      svd_test_engine_set_models (SvdEngine       *engine,
                                         SvdModel *const *models,
                                         guint            n_models,
                                         GError         **error);
gboolean      svd_test_glsl_compile     (const char *shader,
                                         const char *dir,
                                         guint      *n_passes);

G_END_DECLS
