/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "media/svd-degrade.h"
#include "media/svd-reader.h"

G_BEGIN_DECLS

/**
 * SvdReferenceMode:
 * @SVD_REFERENCE_NONE: the input alone; metrics that need a reference are
 *   unavailable and say so
 * @SVD_REFERENCE_PAIR: a degraded clip and a reference clip, frames matched
 *   by timestamp plus a user frame offset
 * @SVD_REFERENCE_SYNTHESIZE: the input is made from a clean clip (shrunk,
 *   re-encoded with libx264, cached); the clean clip is the reference
 */
typedef enum {
  SVD_REFERENCE_NONE,
  SVD_REFERENCE_PAIR,
  SVD_REFERENCE_SYNTHESIZE,
} SvdReferenceMode;

/**
 * SvdPairReport:
 * @n_input: frames in the input
 * @n_reference: frames in the reference
 * @n_paired: input frames that have a reference frame
 * @first_paired: first input frame with a reference, or -1
 * @last_paired: last input frame with a reference, or -1
 * @offset: the user's frame offset (reference index = matched index + offset)
 * @scale: reference size / input size: 1, 2 or 4
 * @crop_x: reference columns beyond input width × @scale (ignored by metrics)
 * @crop_y: reference rows beyond input height × @scale
 * @lengths_differ: %TRUE when the two clips do not pair one to one
 * @summary: one human-readable line saying all that
 */
typedef struct {
  gint64  n_input;
  gint64  n_reference;
  gint64  n_paired;
  gint64  first_paired;
  gint64  last_paired;
  gint64  offset;
  int     scale;
  int     crop_x;
  int     crop_y;
  gboolean lengths_differ;
  char   *summary;
} SvdPairReport;

/**
 * SvdSessionSource:
 *
 * What a session compares: an input clip and, depending on the mode, a
 * reference clip paired with it frame by frame. Owns one reader per clip;
 * use it from one thread (the session worker).
 */
typedef struct _SvdSessionSource SvdSessionSource;

SvdSessionSource    *svd_session_source_new_none        (const char              *input_path,
                                                         GError                 **error);
SvdSessionSource    *svd_session_source_new_pair        (const char              *input_path,
                                                         const char              *reference_path,
                                                         gint64                   frame_offset,
                                                         GError                 **error);
SvdSessionSource    *svd_session_source_new_synthesize  (const char              *clean_path,
                                                         const SvdDegradeParams  *params,
                                                         SvdWriterProgressFunc    progress,
                                                         gpointer                 progress_data,
                                                         GCancellable            *cancellable,
                                                         GError                 **error);
void                 svd_session_source_free            (SvdSessionSource        *self);

SvdReferenceMode     svd_session_source_get_mode        (SvdSessionSource        *self);
const char          *svd_session_source_get_input_path  (SvdSessionSource        *self);
const char          *svd_session_source_get_reference_path (SvdSessionSource     *self);
SvdReader           *svd_session_source_get_input       (SvdSessionSource        *self);
SvdReader           *svd_session_source_get_reference   (SvdSessionSource        *self);
const SvdPairReport *svd_session_source_get_report      (SvdSessionSource        *self);
gint64               svd_session_source_reference_index (SvdSessionSource        *self,
                                                         gint64                   input_index);
SvdImage            *svd_session_source_read_input      (SvdSessionSource        *self,
                                                         gint64                   input_index,
                                                         GError                 **error);
SvdImage            *svd_session_source_read_reference  (SvdSessionSource        *self,
                                                         gint64                   input_index,
                                                         GError                 **error);

guint64              svd_session_source_get_n_decoded   (SvdSessionSource        *self);

const char          *svd_reference_mode_name            (SvdReferenceMode         mode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdSessionSource, svd_session_source_free)

G_END_DECLS
