/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"

G_BEGIN_DECLS

/**
 * SvdDemoFrames:
 * @reference: the clean frame, drawn by the project (RGBA8)
 * @source: @reference degraded: downscaled, block-quantized (RGBA8, smaller)
 * @difference: |source stretched − reference| (RGB_F32, gain 1; the
 *   viewer amplifies it)
 * @ssim: local SSIM heat map of the stretched source against @reference
 * @mean_ssim: mean of the 8x8 SSIM map
 *
 * The built-in demo: a frame the app can always show, without ../shared,
 * network or a decoder.
 */
typedef struct {
  SvdImage *reference;
  SvdImage *source;
  SvdImage *difference;
  SvdImage *ssim;
  double    mean_ssim;
} SvdDemoFrames;

void           svd_demo_frames_free   (SvdDemoFrames        *frames);
void           svd_demo_render_async  (int                   width,
                                       int                   height,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
SvdDemoFrames *svd_demo_render_finish (GAsyncResult         *result,
                                       GError              **error);
SvdImage      *svd_demo_draw_reference (int                  width,
                                        int                  height,
                                        GError             **error);
SvdImage      *svd_demo_draw_reference_at (int               width,
                                           int               height,
                                           double            t,
                                           GError          **error);
void           svd_demo_clip_async     (int                  width,
                                        int                  height,
                                        int                  n_frames,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char          *svd_demo_clip_finish    (GAsyncResult        *result,
                                        GError             **error);
SvdImage      *svd_demo_degrade        (const SvdImage      *reference,
                                        int                  factor,
                                        GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdDemoFrames, svd_demo_frames_free)

G_END_DECLS
