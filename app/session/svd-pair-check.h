/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Below this PSNR-Y over the first frames, two clips of a pair are most
 * likely not the same video (a degraded copy of a clip scores well above
 * 20 dB against it; unrelated pictures score around 10 dB). */
#define SVD_PAIR_CHECK_UNRELATED_DB 15.0

/**
 * SvdPairCheck:
 * @input_fps: the input's frame rate
 * @reference_fps: the reference's
 * @input_width: the input's size
 * @input_height: see @input_width
 * @reference_width: the reference's size
 * @reference_height: see @reference_width
 * @scale: reference size / input size the pairing found (1, 2 or 4)
 * @n_input: frames in the input
 * @n_reference: frames in the reference
 * @n_compared: paired frames the similarity was measured on
 * @psnr_y: PSNR-Y of the input against the reference shrunk to its size
 *   (box filter), over the first @n_compared paired frames; NAN when none
 *
 * What a Pair session compares, checked before the user trusts its numbers.
 */
typedef struct {
  double input_fps;
  double reference_fps;
  int    input_width;
  int    input_height;
  int    reference_width;
  int    reference_height;
  int    scale;
  gint64 n_input;
  gint64 n_reference;
  guint  n_compared;
  double psnr_y;
} SvdPairCheck;

gboolean svd_pair_check_run      (const char         *input_path,
                                  const char         *reference_path,
                                  gint64              offset,
                                  guint               n_frames,
                                  SvdPairCheck       *check,
                                  GCancellable       *cancellable,
                                  GError            **error);
char    *svd_pair_check_describe (const SvdPairCheck *check);

G_END_DECLS
