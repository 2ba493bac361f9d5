/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"
#include "media/svd-reader.h"

G_BEGIN_DECLS

/**
 * SvdSceneCutOptions:
 * @threshold: a frame starts a new scene when its luma histogram differs
 *   from the previous frame's by more than this (half the L1 distance of
 *   the normalised histograms, 0 to 1) and its coarse luma picture by
 *   more than @sad_threshold
 * @sad_threshold: mean absolute difference of the 16x16-block luma means
 *   against the previous frame, in 8-bit levels, each picture's mean
 *   taken out (so a fade, which moves every block alike, is no cut)
 * @min_gap: cuts closer than this many frames to the previous cut are
 *   ignored (flashes, strobes)
 */
typedef struct {
  double threshold;
  double sad_threshold;
  gint64 min_gap;
} SvdSceneCutOptions;

/**
 * SvdSceneCut:
 *
 * A cheap scene-cut detector fed decoded frames in order: a luma
 * histogram plus the mean absolute difference of a coarse luma picture.
 * Both must jump for a cut, so a fade or fast motion (the picture moves,
 * the histogram stays) is not taken for one.
 */
typedef struct _SvdSceneCut SvdSceneCut;

/**
 * SvdSceneCutProgressFunc:
 * @done: frames analysed so far
 * @total: frames to analyse
 * @user_data: the caller's data
 */
typedef void (*SvdSceneCutProgressFunc) (gint64   done,
                                         gint64   total,
                                         gpointer user_data);

void         svd_scene_cut_options_init (SvdSceneCutOptions       *options);
SvdSceneCut *svd_scene_cut_new          (const SvdSceneCutOptions *options);
void         svd_scene_cut_free         (SvdSceneCut              *self);
gboolean     svd_scene_cut_push         (SvdSceneCut              *self,
                                         const SvdImage           *frame,
                                         double                   *score);
GArray      *svd_scene_cut_detect       (SvdReader                *reader,
                                         const SvdSceneCutOptions *options,
                                         SvdSceneCutProgressFunc   progress,
                                         gpointer                  user_data,
                                         GCancellable             *cancellable,
                                         GError                  **error);
GArray      *svd_scene_cut_split        (gint64                    n_frames,
                                         const GArray             *cuts,
                                         gint64                    max_frames,
                                         gint64                    min_frames);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdSceneCut, svd_scene_cut_free)

G_END_DECLS
