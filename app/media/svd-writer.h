/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"
#include "media/svd-reader.h"

G_BEGIN_DECLS

/**
 * SvdWriterProgress:
 * @frames_done: frames encoded so far
 * @frames_total: frames expected, or 0 when unknown
 * @fps: average encoding speed so far, frames per second
 * @elapsed_s: seconds since the first frame
 * @eta_s: estimated seconds left, or -1 when unknown
 */
typedef struct {
  gint64 frames_done;
  gint64 frames_total;
  double fps;
  double elapsed_s;
  double eta_s;
} SvdWriterProgress;

typedef void (*SvdWriterProgressFunc) (const SvdWriterProgress *progress,
                                       gpointer                 user_data);

/**
 * SvdWriterOptions:
 * @encoder: (nullable): an FFmpeg encoder name ("libx264", "libx265",
 *   "libsvtav1", "libvpx-vp9", "ffv1", …) or a short alias ("x264", "h264",
 *   "x265", "hevc", "av1", "svtav1", "vp9"); %NULL picks libvpx-vp9 for
 *   WebM and libx264 otherwise
 * @crf: constant rate factor, or -1 for the encoder's default. Ignored by
 *   lossless encoders (ffv1)
 * @preset: (nullable): the encoder's speed preset ("medium", "slow"; a
 *   number for SVT-AV1; for VP9 a number sets cpu-used)
 * @pix_fmt: (nullable): output pixel format (FFmpeg name, e.g.
 *   "yuv420p10le"); %NULL keeps the frames' format when the encoder takes it
 * @fps_num: nominal frame rate numerator (needed; from the source clip)
 * @fps_den: nominal frame rate denominator
 * @time_base_num: time base of the output video stream, 0 for 1/fps. Pass
 *   the source's to keep its timestamps exactly.
 * @time_base_den: see @time_base_num
 * @rotation: display rotation (degrees counter-clockwise, as
 *   SvdVideoInfo.rotation) to store in the output
 * @hflip: store a mirrored display matrix (as SvdVideoInfo.hflip)
 * @copy_from: (nullable): a file whose audio and subtitle streams are
 *   copied into the output without re-encoding
 * @copy_audio: copy audio streams from @copy_from
 * @copy_subtitles: copy subtitle streams from @copy_from
 * @start_us: only copied packets from this time on (container timeline of
 *   @copy_from), %G_MININT64 for all
 * @end_us: only copied packets before this time, %G_MAXINT64 for all
 * @offset_us: subtracted from every timestamp, video and copied, so an
 *   excerpt can start at the source's start
 * @frames_total: frames that will be written, for the ETA; 0 if unknown
 * @threads: encoder threads, 0 for automatic
 * @progress: (nullable): called after each frame, on the writing thread
 * @progress_data: data for @progress
 * @cancellable: (nullable): cancels between frames
 * @allow_playlists: let @copy_from be a playlist or script (HLS, concat…)
 *   that names other files; %FALSE refuses it (see svd_reader_open())
 */
typedef struct {
  const char            *encoder;
  int                    crf;
  const char            *preset;
  const char            *pix_fmt;
  int                    fps_num;
  int                    fps_den;
  int                    time_base_num;
  int                    time_base_den;
  int                    rotation;
  gboolean               hflip;
  const char            *copy_from;
  gboolean               copy_audio;
  gboolean               copy_subtitles;
  gint64                 start_us;
  gint64                 end_us;
  gint64                 offset_us;
  gint64                 frames_total;
  int                    threads;
  SvdWriterProgressFunc  progress;
  gpointer               progress_data;
  GCancellable          *cancellable;
  gboolean               allow_playlists;
} SvdWriterOptions;

/**
 * SvdWriter:
 *
 * Encodes frames into a new file, copying audio and subtitles from the
 * source. Everything goes to a hidden temporary file in the output's
 * folder, renamed over the output by svd_writer_finish(); cancelling,
 * failing or freeing an unfinished writer deletes it, so a broken half
 * file is never left behind. Use from one thread.
 */
typedef struct _SvdWriter SvdWriter;

void        svd_writer_options_init  (SvdWriterOptions        *options);
void        svd_writer_options_init_for_video (SvdWriterOptions *options,
                                      const SvdVideoInfo      *source);
SvdWriter  *svd_writer_new           (const char              *path,
                                      const SvdWriterOptions  *options,
                                      GError                 **error);
gboolean    svd_writer_write         (SvdWriter               *self,
                                      SvdImage                *image,
                                      GError                 **error);
gboolean    svd_writer_finish        (SvdWriter               *self,
                                      GError                 **error);
void        svd_writer_free          (SvdWriter               *self);
const char *svd_writer_get_temp_path (SvdWriter               *self);
gint64      svd_writer_get_n_frames  (SvdWriter               *self);
const char *svd_writer_get_encoder   (SvdWriter               *self);
const char *svd_writer_get_pix_fmt   (SvdWriter               *self);
char       *svd_writer_list_encoders (void);
gboolean    svd_writer_check_size    (const SvdWriterOptions  *options,
                                      const char              *path,
                                      int                      width,
                                      int                      height,
                                      const char              *what,
                                      GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdWriter, svd_writer_free)

G_END_DECLS
