/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/svd-image.h"
#include "media/svd-session-source.h"

G_BEGIN_DECLS

/* The session's decode thread (private to app/session): decodes the next
 * frame (and its reference) while the worker runs the chains on this one;
 * a queue of one frame. The worker calls svd_decode_ahead_take() before
 * it touches the source's readers itself, so they are used by one thread
 * at a time. */
typedef struct _SvdDecodeAhead SvdDecodeAhead;

void            svd_decode_ahead_read_now (SvdSessionSource  *source,
                                           gint64             index,
                                           SvdImage         **input,
                                           SvdImage         **ref,
                                           GError           **error);
SvdDecodeAhead *svd_decode_ahead_new      (SvdSessionSource  *source);
void            svd_decode_ahead_free     (SvdDecodeAhead    *self);
gboolean        svd_decode_ahead_take     (SvdDecodeAhead    *self,
                                           gint64             index,
                                           SvdImage         **input,
                                           SvdImage         **ref);
void            svd_decode_ahead_start    (SvdDecodeAhead    *self,
                                           gint64             index);

G_END_DECLS
