/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-media"

#include "svd-media-compat.h"

#include <errno.h>
#include <string.h>

/**
 * svd_av_error_string:
 * @averror: a negative AVERROR code
 *
 * Returns: (transfer full): av_strerror()'s text for @averror.
 */
char *
svd_av_error_string (int averror)
{
  char buf[AV_ERROR_MAX_STRING_SIZE] = { 0 };

  if (av_strerror (averror, buf, sizeof buf) < 0)
    g_snprintf (buf, sizeof buf, "unknown FFmpeg error %d", averror);
  return g_strdup (buf);
}

/**
 * svd_av_error_is_disk_full:
 * @averror: an AVERROR code
 *
 * Returns: %TRUE for "no space left" and "file too large" (the latter is
 *   what a file size limit, RLIMIT_FSIZE, gives), so callers can say
 *   "disk full" instead of FFmpeg's generic text.
 */
gboolean
svd_av_error_is_disk_full (int averror)
{
  return averror == AVERROR (ENOSPC) || averror == AVERROR (EFBIG) || averror == AVERROR (EDQUOT);
}

/**
 * svd_av_set_error:
 * @error: return location for an error, or %NULL
 * @code: the #SvdError code
 * @averror: the AVERROR the call returned
 * @call: (nullable): the FFmpeg function that failed, e.g. "avcodec_open2"
 * @format: printf-style context: what was being done, to what file
 *
 * Sets @error to "CONTEXT: CALL failed: STRERROR". A disk-full condition
 * becomes %SVD_ERROR_IO with advice, whatever @code said, because that is
 * what the user can act on.
 */
void
svd_av_set_error (GError     **error,
                  SvdError     code,
                  int          averror,
                  const char  *call,
                  const char  *format,
                  ...)
{
  g_autofree char *context = NULL;
  g_autofree char *reason = svd_av_error_string (averror);
  va_list args;

  va_start (args, format);
  context = g_strdup_vprintf (format, args);
  va_end (args);

  if (svd_av_error_is_disk_full (averror))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO,
                   "%s: the disk is full or the file size limit was reached (%s%s%s). "
                   "Free some space or write to another disk.",
                   context, call ? call : "", call ? ": " : "", reason);
      return;
    }
  if (averror == AVERROR (ENOMEM))
    code = SVD_ERROR_OUT_OF_MEMORY;
  if (call != NULL)
    g_set_error (error, SVD_ERROR, code, "%s: %s failed: %s", context, call, reason);
  else
    g_set_error (error, SVD_ERROR, code, "%s: %s", context, reason);
}

static void
av_log_cb (void       *avcl,
           int         level,
           const char *fmt,
           va_list     vl)
{
  /* Per thread: decode and encode threads may log at the same time. */
  static _Thread_local int print_prefix = 1;
  char line[1024];

  if (level > av_log_get_level ())
    return;
  av_log_format_line (avcl, level, fmt, vl, line, sizeof line, &print_prefix);
  g_strchomp (line);
  if (line[0] == '\0')
    return;
  /* Debug level: the errors that matter reach the user through GError. */
  g_debug ("ffmpeg: %s", line);
}

/**
 * svd_av_init_logging:
 *
 * Routes FFmpeg's log through GLib's (debug level: the errors that matter
 * come back as GErrors), so FFmpeg never prints to a terminal the CLI or
 * GUI owns. Safe to call more than once, from any thread.
 */
void
svd_av_init_logging (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      av_log_set_level (AV_LOG_ERROR);
      av_log_set_callback (av_log_cb);
      g_once_init_leave (&once, 1);
    }
}

/**
 * svd_color_info_from_av:
 * @info: (out caller-allocates): the colour info to fill
 * @format: the #SvdPixelFormat the pixels are in
 * @height: frame height, for the default guess
 * @space: FFmpeg's matrix coefficients
 * @range: FFmpeg's range
 * @primaries: FFmpeg's primaries
 * @trc: FFmpeg's transfer characteristics
 *
 * Maps FFmpeg's colour tags to #SvdColorInfo. Unspecified or unknown
 * fields keep svd_color_info_init_default()'s guess (BT.709 for HD,
 * BT.601 below, limited range), as players do.
 *
 * Returns: %TRUE if the matrix or the range had to be guessed.
 */
gboolean
svd_color_info_from_av (SvdColorInfo                       *info,
                        SvdPixelFormat                      format,
                        int                                 height,
                        enum AVColorSpace                   space,
                        enum AVColorRange                   range,
                        enum AVColorPrimaries               primaries,
                        enum AVColorTransferCharacteristic  trc)
{
  gboolean guessed = FALSE;

  svd_color_info_init_default (info, format, height);

  switch (space)
    {
    case AVCOL_SPC_BT709:
      info->matrix = SVD_COLOR_MATRIX_BT709;
      break;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
    case AVCOL_SPC_FCC:
      info->matrix = SVD_COLOR_MATRIX_BT601;
      break;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL:
      info->matrix = SVD_COLOR_MATRIX_BT2020_NCL;
      break;
    default:
      guessed = TRUE;
      break;
    }

  switch (range)
    {
    case AVCOL_RANGE_MPEG:
      info->range = SVD_COLOR_RANGE_LIMITED;
      break;
    case AVCOL_RANGE_JPEG:
      info->range = SVD_COLOR_RANGE_FULL;
      break;
    default:
      guessed = TRUE;
      break;
    }

  switch (primaries)
    {
    case AVCOL_PRI_BT709: info->primaries = SVD_COLOR_PRIMARIES_BT709; break;
    case AVCOL_PRI_SMPTE170M:
    case AVCOL_PRI_SMPTE240M: info->primaries = SVD_COLOR_PRIMARIES_BT601_525; break;
    case AVCOL_PRI_BT470BG: info->primaries = SVD_COLOR_PRIMARIES_BT601_625; break;
    case AVCOL_PRI_BT2020: info->primaries = SVD_COLOR_PRIMARIES_BT2020; break;
    default: break;
    }

  switch (trc)
    {
    case AVCOL_TRC_BT709:
    case AVCOL_TRC_SMPTE170M:
    case AVCOL_TRC_BT2020_10:
    case AVCOL_TRC_BT2020_12: info->transfer = SVD_COLOR_TRANSFER_BT709; break;
    case AVCOL_TRC_IEC61966_2_1: info->transfer = SVD_COLOR_TRANSFER_SRGB; break;
    case AVCOL_TRC_SMPTEST2084: info->transfer = SVD_COLOR_TRANSFER_PQ; break;
    case AVCOL_TRC_ARIB_STD_B67: info->transfer = SVD_COLOR_TRANSFER_HLG; break;
    default: break;
    }
  return guessed;
}

/**
 * svd_color_info_to_av:
 *
 * The inverse of svd_color_info_from_av(), for tagging encoded output.
 * Unspecified primaries/transfer stay unspecified.
 */
void
svd_color_info_to_av (const SvdColorInfo                  *info,
                      enum AVColorSpace                   *space,
                      enum AVColorRange                   *range,
                      enum AVColorPrimaries               *primaries,
                      enum AVColorTransferCharacteristic  *trc)
{
  switch (info->matrix)
    {
    case SVD_COLOR_MATRIX_BT601: *space = AVCOL_SPC_SMPTE170M; break;
    case SVD_COLOR_MATRIX_BT2020_NCL: *space = AVCOL_SPC_BT2020_NCL; break;
    case SVD_COLOR_MATRIX_BT709:
    default: *space = AVCOL_SPC_BT709; break;
    }
  *range = info->range == SVD_COLOR_RANGE_FULL ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  switch (info->primaries)
    {
    case SVD_COLOR_PRIMARIES_BT709: *primaries = AVCOL_PRI_BT709; break;
    case SVD_COLOR_PRIMARIES_BT601_525: *primaries = AVCOL_PRI_SMPTE170M; break;
    case SVD_COLOR_PRIMARIES_BT601_625: *primaries = AVCOL_PRI_BT470BG; break;
    case SVD_COLOR_PRIMARIES_BT2020: *primaries = AVCOL_PRI_BT2020; break;
    case SVD_COLOR_PRIMARIES_UNSPECIFIED:
    default: *primaries = AVCOL_PRI_UNSPECIFIED; break;
    }
  switch (info->transfer)
    {
    case SVD_COLOR_TRANSFER_BT709: *trc = AVCOL_TRC_BT709; break;
    case SVD_COLOR_TRANSFER_SRGB: *trc = AVCOL_TRC_IEC61966_2_1; break;
    case SVD_COLOR_TRANSFER_PQ: *trc = AVCOL_TRC_SMPTEST2084; break;
    case SVD_COLOR_TRANSFER_HLG: *trc = AVCOL_TRC_ARIB_STD_B67; break;
    case SVD_COLOR_TRANSFER_UNSPECIFIED:
    default: *trc = AVCOL_TRC_UNSPECIFIED; break;
    }
}

/**
 * svd_pixel_format_from_av:
 * @av_format: a decoded pixel format
 * @format: (out): the #SvdPixelFormat with the same memory layout
 *
 * Returns: %TRUE if @av_format's planes can be wrapped as an #SvdImage
 *   without conversion (planar YUV 4:2:0/4:2:2/4:4:4, 8 or 10-bit LE;
 *   the JPEG "yuvj" variants too: their range goes in the colour info).
 */
gboolean
svd_pixel_format_from_av (enum AVPixelFormat  av_format,
                          SvdPixelFormat     *format)
{
  switch (av_format)
    {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P: *format = SVD_PIXEL_FORMAT_YUV420P8; return TRUE;
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P: *format = SVD_PIXEL_FORMAT_YUV422P8; return TRUE;
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P: *format = SVD_PIXEL_FORMAT_YUV444P8; return TRUE;
    case AV_PIX_FMT_YUV420P10LE: *format = SVD_PIXEL_FORMAT_YUV420P10; return TRUE;
    case AV_PIX_FMT_YUV422P10LE: *format = SVD_PIXEL_FORMAT_YUV422P10; return TRUE;
    case AV_PIX_FMT_YUV444P10LE: *format = SVD_PIXEL_FORMAT_YUV444P10; return TRUE;
    default: return FALSE;
    }
}

/**
 * svd_pixel_format_to_av:
 *
 * Returns: FFmpeg's pixel format with @format's layout, or
 *   %AV_PIX_FMT_NONE for RGB_F32 (FFmpeg has only a float RGB *with*
 *   a different plane order, GBRPF32, which we do not pass around).
 */
enum AVPixelFormat
svd_pixel_format_to_av (SvdPixelFormat format)
{
  switch (format)
    {
    case SVD_PIXEL_FORMAT_YUV420P8: return AV_PIX_FMT_YUV420P;
    case SVD_PIXEL_FORMAT_YUV422P8: return AV_PIX_FMT_YUV422P;
    case SVD_PIXEL_FORMAT_YUV444P8: return AV_PIX_FMT_YUV444P;
    case SVD_PIXEL_FORMAT_YUV420P10: return AV_PIX_FMT_YUV420P10LE;
    case SVD_PIXEL_FORMAT_YUV422P10: return AV_PIX_FMT_YUV422P10LE;
    case SVD_PIXEL_FORMAT_YUV444P10: return AV_PIX_FMT_YUV444P10LE;
    case SVD_PIXEL_FORMAT_RGB8: return AV_PIX_FMT_RGB24;
    case SVD_PIXEL_FORMAT_RGBA8: return AV_PIX_FMT_RGBA;
    case SVD_PIXEL_FORMAT_RGB_F32:
    case SVD_PIXEL_FORMAT_N_FORMATS:
    default: return AV_PIX_FMT_NONE;
    }
}

/**
 * svd_pixel_format_nearest_av:
 * @av_format: a decoded pixel format the engine cannot take as it is
 *
 * The YUV format a frame in @av_format is converted to: same chroma
 * subsampling where we have it (4:2:0, 4:2:2, else 4:4:4), 10-bit when the
 * source has more than 8 bits. RGB, palette and other packed formats go to
 * 4:4:4 10-bit, which holds 8-bit RGB without visible loss; grey goes to
 * 4:2:0 with neutral chroma.
 */
SvdPixelFormat
svd_pixel_format_nearest_av (enum AVPixelFormat av_format)
{
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (av_format);
  gboolean deep;

  if (d == NULL)
    return SVD_PIXEL_FORMAT_YUV420P8;
  deep = d->comp[0].depth > 8;
  if ((d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) != 0)
    return SVD_PIXEL_FORMAT_YUV444P10;
  if (d->nb_components <= 2) /* grey, grey + alpha */
    return deep ? SVD_PIXEL_FORMAT_YUV420P10 : SVD_PIXEL_FORMAT_YUV420P8;
  if (d->log2_chroma_w == 1 && d->log2_chroma_h == 1)
    return deep ? SVD_PIXEL_FORMAT_YUV420P10 : SVD_PIXEL_FORMAT_YUV420P8;
  if (d->log2_chroma_w == 1 && d->log2_chroma_h == 0)
    return deep ? SVD_PIXEL_FORMAT_YUV422P10 : SVD_PIXEL_FORMAT_YUV422P8;
  return deep ? SVD_PIXEL_FORMAT_YUV444P10 : SVD_PIXEL_FORMAT_YUV444P8;
}

/* Demuxers that read other files or URLs the file names (playlists,
 * concatenation scripts, manifests, session descriptions): a clip from
 * the internet could otherwise pull any local video into an export. */
static const char *const playlist_demuxers[] = {
  "hls", "applehttp", "concat", "ffconcat", "dash", "webm_dash_manifest", "imf", "sdp", "rtsp", "rtp",
};

static const char *
playlist_demuxer (const AVInputFormat *ifmt)
{
  g_auto(GStrv) names = g_strsplit (ifmt->name, ",", -1);

  for (int i = 0; names[i] != NULL; i++)
    for (gsize j = 0; j < G_N_ELEMENTS (playlist_demuxers); j++)
      if (strcmp (names[i], playlist_demuxers[j]) == 0)
        return playlist_demuxers[j];
  return NULL;
}

/**
 * svd_av_open_input:
 * @fmt: (out): receives the opened demuxer context
 * @path: a local media file
 * @allow_playlists: let playlist and redirect demuxers (HLS, concat, DASH,
 *   SDP…) read the other files and URLs they name
 * @error: return location for an error
 *
 * avformat_open_input() sandboxed: @path is read through FFmpeg's `file`
 * protocol only (no network, no `subfile:`, `data:` or other protocols),
 * and its format is probed first, so a playlist is refused before its
 * demuxer opens anything it names, unless @allow_playlists.
 *
 * Returns: %TRUE with *@fmt set; %FALSE with @error set: %SVD_ERROR_UNSAFE
 *   for a refused playlist, %SVD_ERROR_IO when the file cannot be read,
 *   %SVD_ERROR_INVALID_INPUT when FFmpeg cannot tell what it is.
 */
gboolean
svd_av_open_input (AVFormatContext **fmt,
                   const char       *path,
                   gboolean          allow_playlists,
                   GError          **error)
{
  AVDictionary *opts = NULL;
  AVIOContext *pb = NULL;
  const AVInputFormat *ifmt = NULL;
  const char *playlist;
  int ret;

  av_dict_set (&opts, "protocol_whitelist", "file", 0);
  ret = avio_open2 (&pb, path, AVIO_FLAG_READ, NULL, &opts);
  av_dict_free (&opts);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_IO, ret, "avio_open2", "Could not open “%s” as a local file", path);
      return FALSE;
    }
  ret = av_probe_input_buffer2 (pb, &ifmt, path, NULL, 0, 0);
  avio_closep (&pb);
  if (ret < 0 || ifmt == NULL)
    {
      svd_av_set_error (error, SVD_ERROR_INVALID_INPUT, ret, NULL,
                        "“%s” is not a media file FFmpeg can read (empty, truncated or another kind of file)",
                        path);
      return FALSE;
    }
  playlist = playlist_demuxer (ifmt);
  if (playlist != NULL && !allow_playlists)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSAFE,
                   "“%s” is a %s playlist or script, not a video: it would make FFmpeg read the other "
                   "files or addresses it names, so it is refused. Pass --allow-playlists if you trust it",
                   path, playlist);
      return FALSE;
    }
  if (!allow_playlists)
    av_dict_set (&opts, "protocol_whitelist", "file", 0);
  ret = avformat_open_input (fmt, path, ifmt, &opts);
  av_dict_free (&opts);
  if (ret < 0)
    {
      if (ret == AVERROR (EACCES) || ret == AVERROR (ENOENT) || ret == AVERROR (EIO))
        svd_av_set_error (error, SVD_ERROR_IO, ret, "avformat_open_input", "Could not open “%s”", path);
      else
        svd_av_set_error (error, SVD_ERROR_INVALID_INPUT, ret, NULL,
                          "“%s” is not a media file FFmpeg can read (empty, truncated or another kind of file)",
                          path);
      return FALSE;
    }
  return TRUE;
}
