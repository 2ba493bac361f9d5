/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/svd-image.h"

G_BEGIN_DECLS

/**
 * SvdFrameReuse:
 *
 * Remembers the last input frame that went through a chain and its
 * output, so that a following input equal to it (anime drawn on twos and
 * threes, a still title card) reuses that output instead of running the
 * chain again: a chain's output depends only on its input, so an
 * identical input gives a bit-identical output.
 *
 * An input is identical when its format, size, colour tags, a 64-bit hash
 * of its visible plane bytes and, to rule out a hash collision, the bytes
 * themselves match the kept input. With a near-duplicate threshold, an
 * input whose PSNR-Y against the kept input is above it is reused too
 * (YUV frames only): the kept input is always the last one that was
 * computed, so errors never accumulate over a run of reused frames.
 *
 * Not thread-safe; use from one thread.
 */
typedef struct _SvdFrameReuse SvdFrameReuse;

SvdFrameReuse *svd_frame_reuse_new            (double               similar_db);
void           svd_frame_reuse_free           (SvdFrameReuse       *self);
gboolean       svd_frame_reuse_lookup         (SvdFrameReuse       *self,
                                               const SvdImage      *input,
                                               SvdImage           **reused,
                                               GError             **error);
void           svd_frame_reuse_store          (SvdFrameReuse       *self,
                                               SvdImage            *input,
                                               SvdImage            *output);
gboolean       svd_frame_reuse_match          (SvdFrameReuse       *self,
                                               const SvdImage      *input);
gint64         svd_frame_reuse_get_n_reused   (const SvdFrameReuse *self);
gint64         svd_frame_reuse_get_n_similar  (const SvdFrameReuse *self);
double         svd_frame_reuse_get_worst_psnr (const SvdFrameReuse *self);

guint64        svd_image_hash_planes          (const SvdImage      *image);
double         svd_image_psnr_y               (const SvdImage      *a,
                                               const SvdImage      *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdFrameReuse, svd_frame_reuse_free)

G_END_DECLS
