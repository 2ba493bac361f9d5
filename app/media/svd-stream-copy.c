/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-media"

#include "media/svd-stream-copy.h"

/**
 * svd_stream_copy_open:
 * @copy_in: (out): the opened source
 * @source: the source's path
 * @allow_playlists: as #SvdWriterOptions
 * @error: return location for an error
 *
 * Opens the source whose streams are copied, sandboxed as the reader
 * opens it: a playlist named as the source must not pull another file's
 * audio into the output.
 *
 * Returns: %TRUE when open, its streams read
 */
gboolean
svd_stream_copy_open (AVFormatContext **copy_in,
                      const char       *source,
                      gboolean          allow_playlists,
                      GError          **error)
{
  int ret;

  if (!svd_av_open_input (copy_in, source, allow_playlists, error))
    {
      g_prefix_error (error, "Copying the audio and subtitles: ");
      return FALSE;
    }
  ret = avformat_find_stream_info (*copy_in, NULL);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_INVALID_INPUT, ret, "avformat_find_stream_info",
                        "Could not read the streams of “%s”", source);
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_stream_copy_add:
 * @oc: the output
 * @in: a stream of the source to copy (audio or subtitles)
 * @index: @in's index (messages)
 * @source: the source's path (messages)
 * @out_index: (out): the new output stream's index
 * @error: return location for an error
 *
 * Adds a stream to @oc that takes @in's packets as they are.
 *
 * Returns: %FALSE with @error set when @oc's container cannot hold the
 *   codec (the user is told to pick another or leave the stream out)
 */
gboolean
svd_stream_copy_add (AVFormatContext  *oc,
                     AVStream         *in,
                     unsigned          index,
                     const char       *source,
                     int              *out_index,
                     GError          **error)
{
  enum AVMediaType type = in->codecpar->codec_type;
  AVStream *out;
  int ret;

  if (avformat_query_codec (oc->oformat, in->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The %s stream %u (%s) of “%s” cannot be stored in a %s file. "
                   "Choose another container or leave the %s out.",
                   av_get_media_type_string (type), index, avcodec_get_name (in->codecpar->codec_id),
                   source, oc->oformat->name,
                   type == AVMEDIA_TYPE_AUDIO ? "audio" : "subtitles");
      return FALSE;
    }
  out = avformat_new_stream (oc, NULL);
  if (out == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory adding a stream");
      return FALSE;
    }
  ret = avcodec_parameters_copy (out->codecpar, in->codecpar);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avcodec_parameters_copy",
                        "Could not copy stream %u of “%s”", index, source);
      return FALSE;
    }
  /* The source container's codec tag may mean nothing in the new one. */
  out->codecpar->codec_tag = 0;
  out->time_base = in->time_base;
  out->disposition = in->disposition;
  av_dict_copy (&out->metadata, in->metadata, 0);
  *out_index = out->index;
  return TRUE;
}

/**
 * svd_stream_copy_peek:
 * @copy_in: the source
 * @copy_map: @copy_in's stream index → output index, or -1 (not copied)
 * @pkt: where the packet is read and held
 * @pending: whether @pkt holds a packet not yet written
 * @eof: whether @copy_in is spent
 *
 * The next packet to copy, held in @pkt until the caller writes or drops
 * it (and clears *@pending). Packets of streams not copied are skipped. A
 * read error counts as the end: a damaged tail still gets the video
 * written.
 *
 * Returns: (nullable): @pkt, or %NULL at the end
 */
AVPacket *
svd_stream_copy_peek (AVFormatContext  *copy_in,
                      const int        *copy_map,
                      AVPacket         *pkt,
                      gboolean         *pending,
                      gboolean         *eof)
{
  while (!*pending)
    {
      if (*eof)
        return NULL;
      if (av_read_frame (copy_in, pkt) < 0)
        {
          *eof = TRUE;
          return NULL;
        }
      if (copy_map[pkt->stream_index] < 0)
        {
          av_packet_unref (pkt);
          continue;
        }
      *pending = TRUE;
    }
  return pkt;
}

/* @pkt's time in microseconds (its decode time, else its presentation
 * time), or G_MININT64 when it has neither. */
gint64
svd_stream_copy_time_us (AVFormatContext *copy_in,
                         const AVPacket  *pkt)
{
  AVStream *in = copy_in->streams[pkt->stream_index];
  gint64 ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;

  if (ts == AV_NOPTS_VALUE)
    return G_MININT64;
  return av_rescale_q (ts, in->time_base, AV_TIME_BASE_Q);
}

/**
 * svd_stream_copy_write:
 * @oc: the output
 * @in: @pkt's source stream
 * @out: the stream it is copied to
 * @pkt: the packet, in @in's time base; unreferenced on return
 * @output: the output's path (messages)
 * @error: return location for an error
 *
 * Returns: %TRUE when written
 */
gboolean
svd_stream_copy_write (AVFormatContext  *oc,
                       AVStream         *in,
                       AVStream         *out,
                       AVPacket         *pkt,
                       const char       *output,
                       GError          **error)
{
  int ret;

  av_packet_rescale_ts (pkt, in->time_base, out->time_base);
  pkt->stream_index = out->index;
  pkt->pos = -1;
  ret = av_interleaved_write_frame (oc, pkt);
  av_packet_unref (pkt);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "av_interleaved_write_frame",
                        "Writing a copied %s packet to “%s”",
                        av_get_media_type_string (in->codecpar->codec_type), output);
      return FALSE;
    }
  return TRUE;
}
