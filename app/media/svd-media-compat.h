/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * svd-media-compat.h: the one place that knows FFmpeg's types and version
 * differences. Everything under app/media includes this instead of the
 * libav* headers directly, so a new FFmpeg release means editing one file.
 *
 * It provides g_autoptr() cleanups for FFmpeg types (FFmpeg's free
 * functions take `T **`, GLib's cleanups take `T *`, hence the small
 * wrappers) and svd_av_set_error(), which turns an AVERROR into a GError
 * carrying the failing call and av_strerror()'s text.
 *
 * Private to libsvd: never include from ui/ or a public header.
 */
#pragma once

#include <glib.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "core/svd-error.h"
#include "core/svd-image.h"

G_BEGIN_DECLS

/* Debian 12 ships FFmpeg 5.1 (libavcodec 59.37, libavformat 59.27). */
#if LIBAVCODEC_VERSION_MAJOR < 59
#error "SVD Studio needs FFmpeg 5.0 or newer (libavcodec 59)"
#endif

/* AVFrame.duration replaced pkt_duration in libavutil 57.30 (FFmpeg 6.0). */
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (57, 30, 100)
#define SVD_AV_FRAME_DURATION(f) ((f)->duration)
#else
#define SVD_AV_FRAME_DURATION(f) ((f)->pkt_duration)
#endif

/* AV_FRAME_FLAG_KEY replaced AVFrame.key_frame in libavutil 58.7 (FFmpeg 6.1). */
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (58, 7, 100)
#define SVD_AV_FRAME_IS_KEY(f) (((f)->flags & AV_FRAME_FLAG_KEY) != 0)
#else
#define SVD_AV_FRAME_IS_KEY(f) ((f)->key_frame != 0)
#endif

/* Stream side data moved to AVCodecParameters.coded_side_data in
 * libavformat 60.15 (FFmpeg 6.1); before that it hangs off the stream. */
static inline const int32_t *
svd_av_stream_display_matrix (const AVStream *st)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT (60, 15, 100)
  const AVPacketSideData *sd =
    av_packet_side_data_get (st->codecpar->coded_side_data,
                             st->codecpar->nb_coded_side_data,
                             AV_PKT_DATA_DISPLAYMATRIX);
  return (sd != NULL && sd->size >= 9 * 4) ? (const int32_t *) sd->data : NULL;
#else
  size_t size = 0;
  const uint8_t *data = av_stream_get_side_data (st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  return (data != NULL && size >= 9 * 4) ? (const int32_t *) data : NULL;
#endif
}

/* Channel count: AVChannelLayout arrived in libavcodec 59.24 (FFmpeg 5.1). */
static inline int
svd_av_codecpar_channels (const AVCodecParameters *par)
{
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT (59, 24, 100)
  return par->ch_layout.nb_channels;
#else
  return par->channels;
#endif
}

/* Cleanups. FFmpeg's destructors take a pointer to the pointer. */
static inline void svd_av_frame_free (AVFrame *f) { av_frame_free (&f); }
static inline void svd_av_packet_free (AVPacket *p) { av_packet_free (&p); }
static inline void svd_av_codec_context_free (AVCodecContext *c) { avcodec_free_context (&c); }
static inline void svd_av_dict_free (AVDictionary *d) { av_dict_free (&d); }
static inline void svd_swr_free (SwrContext *s) { swr_free (&s); }

/* An input AVFormatContext is closed with avformat_close_input(); an output
 * one is freed differently (svd-writer.c does that by hand), so only the
 * input kind gets an autoptr, under its own name. */
typedef AVFormatContext SvdAvInput;
typedef struct SwsContext SvdSwsContext;
static inline void svd_av_input_close (SvdAvInput *s) { avformat_close_input (&s); }

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVFrame, svd_av_frame_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVPacket, svd_av_packet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVCodecContext, svd_av_codec_context_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVDictionary, svd_av_dict_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwrContext, svd_swr_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdAvInput, svd_av_input_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdSwsContext, sws_freeContext)

void     svd_av_set_error        (GError     **error,
                                  SvdError     code,
                                  int          averror,
                                  const char  *call,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (5, 6);
char    *svd_av_error_string     (int          averror);
gboolean svd_av_error_is_disk_full (int        averror);
void     svd_av_init_logging     (void);
gboolean svd_av_open_input       (AVFormatContext **fmt,
                                  const char       *path,
                                  gboolean          allow_playlists,
                                  GError          **error);

/* Colour metadata and pixel formats between FFmpeg and SvdImage. */
gboolean svd_color_info_from_av  (SvdColorInfo                   *info,
                                  SvdPixelFormat                  format,
                                  int                             height,
                                  enum AVColorSpace               space,
                                  enum AVColorRange               range,
                                  enum AVColorPrimaries           primaries,
                                  enum AVColorTransferCharacteristic trc);
void     svd_color_info_to_av    (const SvdColorInfo             *info,
                                  enum AVColorSpace              *space,
                                  enum AVColorRange              *range,
                                  enum AVColorPrimaries          *primaries,
                                  enum AVColorTransferCharacteristic *trc);
gboolean svd_pixel_format_from_av (enum AVPixelFormat             av_format,
                                   SvdPixelFormat                *format);
enum AVPixelFormat svd_pixel_format_to_av (SvdPixelFormat         format);
SvdPixelFormat svd_pixel_format_nearest_av (enum AVPixelFormat   av_format);

G_END_DECLS
