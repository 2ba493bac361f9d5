/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/svd-image.h"

G_BEGIN_DECLS

typedef enum {
  SVD_STREAM_VIDEO,
  SVD_STREAM_AUDIO,
  SVD_STREAM_SUBTITLE,
  SVD_STREAM_OTHER,
} SvdStreamType;

/**
 * SvdStreamInfo:
 * @index: the stream's index in the container
 * @type: video, audio, subtitle or other (data, attachment)
 * @codec: the codec's short name ("h264", "aac"), never %NULL
 * @codec_long: the codec's descriptive name
 * @language: (nullable): ISO 639 language tag, when the container has one
 *   and it is not "und"
 * @title: (nullable): the stream's title tag
 * @width: video: coded picture width
 * @height: video: coded picture height
 * @sample_rate: audio: samples per second
 * @channels: audio: channel count
 * @start_us: first timestamp in microseconds, or %G_MININT64 if unknown
 * @duration_us: duration in microseconds, or -1 if unknown
 */
typedef struct {
  int            index;
  SvdStreamType  type;
  char          *codec;
  char          *codec_long;
  char          *language;
  char          *title;
  int            width;
  int            height;
  int            sample_rate;
  int            channels;
  gint64         start_us;
  gint64         duration_us;
} SvdStreamInfo;

/**
 * SvdVideoInfo:
 * @path: the file that was opened
 * @container: the demuxer's short name ("mov,mp4,m4a,3gp,3g2,mj2")
 * @stream_index: index of the video stream used
 * @codec: the video codec's short name
 * @width: frame width in pixels as decoded (before any rotation)
 * @height: frame height in pixels
 * @source_pix_fmt: FFmpeg's name of the decoded pixel format
 * @format: the #SvdPixelFormat the reader outputs. Planar YUV 8/10-bit is
 *   passed through without a copy; anything else is converted (see
 *   svd_reader_read())
 * @converted: %TRUE when @format differs from the decoded format, i.e. the
 *   reader runs swscale on every frame
 * @bit_depth: bits per sample of the decoded format
 * @color: colour metadata of the stream; unspecified fields hold
 *   svd_color_info_init_default()'s guess
 * @color_guessed: %TRUE if the stream did not state its matrix or range
 * @time_base_num: numerator of the stream time base
 * @time_base_den: denominator of the stream time base
 * @avg_fps_num: average frame rate (AVStream.avg_frame_rate), or 0/0
 * @avg_fps_den: see @avg_fps_num
 * @r_fps_num: the base frame rate (AVStream.r_frame_rate), or 0/0
 * @r_fps_den: see @r_fps_num
 * @fps: frames per second: the average, or the base rate when no average
 *   is known, or frames/duration as a last resort
 * @n_frames: number of frames, counted from the packet index (not taken
 *   from the header, which may be absent or wrong)
 * @first_pts_us: presentation time of frame 0 in microseconds, on the
 *   container's timeline (it need not be 0; audio may start earlier)
 * @duration_us: from the first frame's start to the last frame's end
 * @vfr: %TRUE when frame durations vary by more than timestamp rounding
 * @rotation: degrees (0, 90, 180 or 270) by which the decoded frame must
 *   be rotated counter-clockwise for display, from the display-matrix side
 *   data (what ffprobe prints as "rotation")
 * @hflip: %TRUE if the display matrix also mirrors the picture
 * @damaged: %TRUE if reading stopped early on a read error (a truncated
 *   file); the frames before that point are indexed and usable
 * @streams: (element-type SvdStreamInfo): every stream in the container
 */
typedef struct {
  char          *path;
  char          *container;
  int            stream_index;
  char          *codec;
  int            width;
  int            height;
  char          *source_pix_fmt;
  SvdPixelFormat format;
  gboolean       converted;
  int            bit_depth;
  SvdColorInfo   color;
  gboolean       color_guessed;
  int            time_base_num;
  int            time_base_den;
  int            avg_fps_num;
  int            avg_fps_den;
  int            r_fps_num;
  int            r_fps_den;
  double         fps;
  gint64         n_frames;
  gint64         first_pts_us;
  gint64         duration_us;
  gboolean       vfr;
  int            rotation;
  gboolean       hflip;
  gboolean       damaged;
  GPtrArray     *streams;
  gboolean       interlaced;
} SvdVideoInfo;

/**
 * SvdReaderOptions:
 * @threads: decoder threads; 0 picks one per core
 * @stream_index: the video stream to decode, or -1 for the best one
 * @allow_playlists: open playlists and scripts (HLS, concat, DASH…) that
 *   make FFmpeg read the other files they name; %FALSE refuses them
 */
typedef struct {
  int      threads;
  int      stream_index;
  gboolean allow_playlists;
} SvdReaderOptions;

/**
 * SvdReader:
 *
 * Decodes one video stream of a file with exact, frame-accurate seeking.
 * Not thread-safe: use a reader from one thread at a time (the session
 * worker). The images it returns may cross threads freely.
 */
typedef struct _SvdReader SvdReader;

/* The largest frame the reader decodes, in pixels: 8192x8192 (8K DCI is
 * 8192x4320). One such frame is 100 MB of 8-bit YUV and 800 MB as the
 * engine's float RGB; larger frames from a small file (a 751 KB H.264
 * clip can declare 16000x16000) would take gigabytes before anything
 * could fail, so they are refused when the file is opened. */
#define SVD_READER_MAX_PIXELS ((gint64) 8192 * 8192)

void                svd_reader_options_init   (SvdReaderOptions *options);
char               *svd_video_info_describe_losses (const SvdVideoInfo *info);

SvdReader          *svd_reader_open           (const char              *path,
                                               const SvdReaderOptions  *options,
                                               GError                 **error);
void                svd_reader_free           (SvdReader               *self);
const SvdVideoInfo *svd_reader_get_info       (SvdReader               *self);

gboolean            svd_reader_read           (SvdReader               *self,
                                               SvdImage               **out_image,
                                               GError                 **error);
SvdImage           *svd_reader_seek_frame     (SvdReader               *self,
                                               gint64                   index,
                                               GError                 **error);
SvdImage           *svd_reader_seek_time      (SvdReader               *self,
                                               gint64                   time_us,
                                               GError                 **error);
gint64              svd_reader_frame_pts_us   (SvdReader               *self,
                                               gint64                   index);
gint64              svd_reader_frame_at_time  (SvdReader               *self,
                                               gint64                   time_us);
gint64              svd_reader_frame_duration_us (SvdReader            *self,
                                               gint64                   index);
gint64              svd_reader_get_n_decoded  (SvdReader               *self);
gint64              svd_reader_get_n_errors   (SvdReader               *self);

const char         *svd_stream_type_name      (SvdStreamType            type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdReader, svd_reader_free)

G_END_DECLS
