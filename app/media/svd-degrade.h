/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "media/svd-writer.h"

G_BEGIN_DECLS

/**
 * SvdScaleFilter:
 * @SVD_SCALE_FILTER_AREA: box average (swscale "area")
 * @SVD_SCALE_FILTER_BILINEAR: bilinear
 * @SVD_SCALE_FILTER_BICUBIC: bicubic
 * @SVD_SCALE_FILTER_LANCZOS: Lanczos
 * @SVD_SCALE_FILTER_NEAREST: nearest neighbour (swscale "point")
 *
 * The downscaling filters of Synthesize mode, as the seed project's
 * dataset used them (FFmpeg's swscale).
 */
typedef enum {
  SVD_SCALE_FILTER_AREA,
  SVD_SCALE_FILTER_BILINEAR,
  SVD_SCALE_FILTER_BICUBIC,
  SVD_SCALE_FILTER_LANCZOS,
  SVD_SCALE_FILTER_NEAREST,
} SvdScaleFilter;

/**
 * SvdDegradeParams:
 * @scale: the clean clip is shrunk by this factor: 1, 2 or 4
 * @filter: the downscaling filter
 * @crf: libx264 CRF, 10 to 51
 * @preset: (nullable): libx264 preset; %NULL is "medium"
 * @keep_audio: copy the clean clip's audio and subtitles into the result
 *   (the session cache leaves them out: it only needs the pictures)
 */
typedef struct {
  int             scale;
  SvdScaleFilter  filter;
  int             crf;
  const char     *preset;
  gboolean        keep_audio;
} SvdDegradeParams;

void        svd_degrade_params_init     (SvdDegradeParams        *params);
gboolean    svd_degrade_params_check    (const SvdDegradeParams  *params,
                                         GError                 **error);
gboolean    svd_scale_filter_from_name  (const char              *name,
                                         SvdScaleFilter          *filter);
const char *svd_scale_filter_name       (SvdScaleFilter           filter);

gboolean    svd_degrade_clip            (const char              *clean_path,
                                         const char              *out_path,
                                         const SvdDegradeParams  *params,
                                         SvdWriterProgressFunc    progress,
                                         gpointer                 progress_data,
                                         GCancellable            *cancellable,
                                         GError                 **error);
char       *svd_degrade_cache_path      (const char              *clean_path,
                                         const SvdDegradeParams  *params,
                                         GError                 **error);
char       *svd_degrade_cached          (const char              *clean_path,
                                         const SvdDegradeParams  *params,
                                         SvdWriterProgressFunc    progress,
                                         gpointer                 progress_data,
                                         GCancellable            *cancellable,
                                         GError                 **error);

G_END_DECLS
