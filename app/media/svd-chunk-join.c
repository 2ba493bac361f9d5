/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-chunk-join"

#include "media/svd-chunk-join.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "core/svd-output.h"
#include "media/svd-media-compat.h"
#include "media/svd-stream-copy.h"
#include "media/svd-writer.h"

/* The join of a chunked restore (app/session/svd-chunk-job.c): the video
 * packets of the chunks, in order, by stream copy (no decoding, no
 * encoding), with the source's audio, subtitles, chapters and global
 * metadata, into one file that appears only when it is complete.
 *
 * The chunks are NUT files: NUT keeps the stream's time base exactly
 * (Matroska rounds to milliseconds, MP4 rewrites the start through edit
 * lists), so each packet's pts and dts come back as the encoder made
 * them, up to the one shift a muxer applies to a file whose first dts is
 * negative (an encoder with B-frames). That shift is undone with the
 * first frame's known time. The output then gets the packets an
 * unchunked restore would have written, and its muxer treats them alike.
 */

#define COPY_LEAD_US (500 * 1000)

typedef struct {
  const SvdChunkJoinOptions *options;
  char            *temp_path;
  AVFormatContext *oc;
  AVStream        *vst;
  AVRational       tb;            /* the source's time base */
  AVFormatContext *copy_in;
  int             *copy_map;
  AVPacket        *copy_pkt;
  gboolean         copy_pending;
  gboolean         copy_eof;
  gint64           last_dts;
  gint64           frames;
} Join;

static void
join_clear (Join *self)
{
  if (self->oc != NULL)
    {
      if (self->oc->pb != NULL)
        avio_closep (&self->oc->pb);
      avformat_free_context (self->oc);
      self->oc = NULL;
    }
  if (self->temp_path != NULL)
    {
      g_unlink (self->temp_path);
      g_clear_pointer (&self->temp_path, g_free);
    }
  avformat_close_input (&self->copy_in);
  av_packet_free (&self->copy_pkt);
  g_clear_pointer (&self->copy_map, g_free);
}

static gboolean
open_chunk (const char       *path,
            guint             index,
            AVFormatContext **ic,
            GError          **error)
{
  int ret;

  if (!svd_av_open_input (ic, path, FALSE, error))
    {
      g_prefix_error (error, "Chunk %u: ", index);
      return FALSE;
    }
  ret = avformat_find_stream_info (*ic, NULL);
  if (ret < 0 || (*ic)->nb_streams != 1 || (*ic)->streams[0]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Chunk %u (“%s”) is not a video-only chunk file; restore it again", index, path);
      return FALSE;
    }
  return TRUE;
}

/* Chunks are joined by stream copy, so they must be one stream: the same
 * codec, size, pixel format and codec configuration (H.264's SPS and
 * PPS, FFV1's configuration record). */
static gboolean
same_stream (const AVCodecParameters  *a,
             const AVCodecParameters  *b,
             guint                     index,
             GError                  **error)
{
  if (a->codec_id != b->codec_id || a->width != b->width || a->height != b->height || a->format != b->format ||
      a->extradata_size != b->extradata_size ||
      (a->extradata_size > 0 && memcmp (a->extradata, b->extradata, a->extradata_size) != 0))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Chunk %u was encoded differently from chunk 0 (%s %dx%d against %s %dx%d, or another "
                   "codec configuration); the chunks cannot be joined by stream copy. Restore it again",
                   index, avcodec_get_name (b->codec_id), b->width, b->height,
                   avcodec_get_name (a->codec_id), a->width, a->height);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_copy_streams (Join    *self,
                  GError **error)
{
  const SvdChunkJoinOptions *o = self->options;

  if (!svd_stream_copy_open (&self->copy_in, o->source->path, o->allow_playlists, error))
    return FALSE;
  /* What a restore keeps besides the picture: the title, tags and
   * chapters of the source. */
  av_dict_copy (&self->oc->metadata, self->copy_in->metadata, 0);
  if (self->copy_in->nb_chapters > 0 && !(self->oc->oformat->flags & AVFMT_NOTIMESTAMPS))
    {
      self->oc->chapters = av_calloc (self->copy_in->nb_chapters, sizeof (AVChapter *));
      if (self->oc->chapters == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory copying the chapters");
          return FALSE;
        }
      for (unsigned i = 0; i < self->copy_in->nb_chapters; i++)
        {
          const AVChapter *in = self->copy_in->chapters[i];
          AVChapter *out = av_mallocz (sizeof (AVChapter));

          if (out == NULL)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory copying the chapters");
              return FALSE;
            }
          out->id = in->id;
          out->time_base = in->time_base;
          out->start = in->start;
          out->end = in->end;
          av_dict_copy (&out->metadata, in->metadata, 0);
          self->oc->chapters[self->oc->nb_chapters++] = out;
        }
    }

  self->copy_map = g_new (int, self->copy_in->nb_streams);
  for (unsigned i = 0; i < self->copy_in->nb_streams; i++)
    {
      AVStream *in = self->copy_in->streams[i];
      enum AVMediaType type = in->codecpar->codec_type;

      self->copy_map[i] = -1;
      if (!((type == AVMEDIA_TYPE_AUDIO && o->copy_audio) || (type == AVMEDIA_TYPE_SUBTITLE && o->copy_subtitles)))
        {
          in->discard = AVDISCARD_ALL;
          continue;
        }
      if (!svd_stream_copy_add (self->oc, in, i, o->source->path, &self->copy_map[i], error))
        return FALSE;
    }
  self->copy_pkt = av_packet_alloc ();
  return TRUE;
}

/* Source packets before @until_us (all for G_MAXINT64), as the writer of
 * an unchunked restore interleaves them. */
static gboolean
pump_copy (Join     *self,
           gint64    until_us,
           GError  **error)
{
  if (self->copy_in == NULL || self->copy_pkt == NULL)
    return TRUE;
  for (;;)
    {
      AVPacket *pkt = svd_stream_copy_peek (self->copy_in, self->copy_map, self->copy_pkt,
                                            &self->copy_pending, &self->copy_eof);
      AVStream *in, *out;
      gint64 t;

      if (pkt == NULL)
        return TRUE;
      t = svd_stream_copy_time_us (self->copy_in, pkt);
      if (t != G_MININT64 && until_us != G_MAXINT64 && t > until_us)
        return TRUE;
      self->copy_pending = FALSE;
      in = self->copy_in->streams[pkt->stream_index];
      out = self->oc->streams[self->copy_map[pkt->stream_index]];
      if (!svd_stream_copy_write (self->oc, in, out, pkt, self->options->output, error))
        return FALSE;
    }
}

static gboolean
cancelled (Join    *self,
           GError **error)
{
  if (self->options->cancellable != NULL && g_cancellable_is_cancelled (self->options->cancellable))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Joining the chunks was cancelled; nothing was written");
      return TRUE;
    }
  return FALSE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The first pass over a chunk: its presentation times in the source's
 * time base, shifted back where the chunk's muxer shifted them, and
 * sorted; and how far decoding runs ahead of presentation (the
 * reordering delay of B-frames). NUT stores no decode times, so the
 * join makes them as an encoder does: the sorted presentation times,
 * moved back by one delay for the whole stream. */
static gboolean
scan_chunk (Join     *self,
            guint     index,
            GArray   *pts,
            gint64   *shift,
            gint64   *delay,
            GError  **error)
{
  const SvdChunkJoinOptions *o = self->options;
  g_autoptr(SvdAvInput) ic = NULL;
  g_autoptr(AVPacket) pkt = av_packet_alloc ();
  g_autoptr(GArray) sorted = NULL;
  gint64 expected, min = G_MAXINT64;
  AVRational ctb;
  int ret;

  if (!open_chunk (o->chunk_paths[index], index, &ic, error))
    return FALSE;
  if (!same_stream (self->vst->codecpar, ic->streams[0]->codecpar, index, error))
    return FALSE;
  ctb = ic->streams[0]->time_base;
  while ((ret = av_read_frame (ic, pkt)) >= 0)
    {
      gint64 t;

      if (pkt->pts == AV_NOPTS_VALUE)
        {
          av_packet_unref (pkt);
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Chunk %u has a packet without a timestamp; restore it again", index);
          return FALSE;
        }
      if (pts->len == 0 && !(pkt->flags & AV_PKT_FLAG_KEY))
        {
          av_packet_unref (pkt);
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Chunk %u does not start with a key frame; restore it again", index);
          return FALSE;
        }
      t = av_rescale_q (pkt->pts, ctb, self->tb);
      g_array_append_val (pts, t);
      min = MIN (min, t);
      av_packet_unref (pkt);
    }
  if (ret != AVERROR_EOF)
    {
      svd_av_set_error (error, SVD_ERROR_INVALID_INPUT, ret, "av_read_frame",
                        "Chunk %u (“%s”) is damaged; restore it again", index, o->chunk_paths[index]);
      return FALSE;
    }
  if ((gint64) pts->len != o->n_frames[index])
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Chunk %u holds %u frames instead of %" G_GINT64_FORMAT "; restore it again",
                   index, pts->len, o->n_frames[index]);
      return FALSE;
    }
  expected = av_rescale_q (o->first_pts_us[index], AV_TIME_BASE_Q, self->tb);
  *shift = min - expected;
  sorted = g_array_sized_new (FALSE, FALSE, sizeof (gint64), pts->len);
  for (guint i = 0; i < pts->len; i++)
    {
      g_array_index (pts, gint64, i) -= *shift;
      g_array_append_val (sorted, g_array_index (pts, gint64, i));
    }
  g_array_sort (sorted, compare_gint64);
  *delay = 0;
  for (guint i = 0; i < pts->len; i++)
    *delay = MAX (*delay, g_array_index (sorted, gint64, i) - g_array_index (pts, gint64, i));
  return TRUE;
}

static gboolean
copy_chunk (Join         *self,
            guint         index,
            const GArray *pts,
            gint64        delay,
            GError      **error)
{
  const SvdChunkJoinOptions *o = self->options;
  g_autoptr(SvdAvInput) ic = NULL;
  g_autoptr(AVPacket) pkt = av_packet_alloc ();
  g_autoptr(GArray) sorted = g_array_copy ((GArray *) pts);
  AVRational ctb;
  guint i = 0;
  int ret;

  g_array_sort (sorted, compare_gint64);
  if (!open_chunk (o->chunk_paths[index], index, &ic, error))
    return FALSE;
  ctb = ic->streams[0]->time_base;
  while ((ret = av_read_frame (ic, pkt)) >= 0)
    {
      gint64 t;

      if (cancelled (self, error))
        return FALSE;
      if (i >= pts->len)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Chunk %u changed while it was joined", index);
          return FALSE;
        }
      pkt->pts = g_array_index (pts, gint64, i);
      pkt->dts = g_array_index (sorted, gint64, i) - delay;
      pkt->duration = av_rescale_q (pkt->duration, ctb, self->tb);
      i++;
      if (self->frames > 0 && pkt->dts <= self->last_dts)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Chunk %u overlaps the chunk before it (decode time %" G_GINT64_FORMAT " after %"
                       G_GINT64_FORMAT "); the chunks do not belong together", index, pkt->dts, self->last_dts);
          return FALSE;
        }
      self->last_dts = pkt->dts;
      t = av_rescale_q (pkt->dts, self->tb, AV_TIME_BASE_Q) + COPY_LEAD_US;
      if (!pump_copy (self, t, error))
        return FALSE;
      av_packet_rescale_ts (pkt, self->tb, self->vst->time_base);
      pkt->stream_index = self->vst->index;
      pkt->pos = -1;
      ret = av_interleaved_write_frame (self->oc, pkt);
      av_packet_unref (pkt);
      if (ret < 0)
        {
          svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "av_interleaved_write_frame",
                            "Writing chunk %u into “%s”", index, o->output);
          return FALSE;
        }
      self->frames++;
    }
  if (ret != AVERROR_EOF || i != pts->len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Chunk %u changed while it was joined", index);
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_output (Join    *self,
              GError **error)
{
  const SvdChunkJoinOptions *options = self->options;
  int ret, fd;

  svd_output_remove_stale_parts (options->output);
  self->temp_path = svd_output_temp_template (options->output);
  fd = g_mkstemp_full (self->temp_path, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *dir = g_path_get_dirname (options->output);

      g_clear_pointer (&self->temp_path, g_free);
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write into the folder “%s”: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  ret = avio_open (&self->oc->pb, self->temp_path, AVIO_FLAG_WRITE);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_IO, ret, "avio_open", "Cannot write “%s”", self->temp_path);
      return FALSE;
    }
  ret = avformat_write_header (self->oc, NULL);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avformat_write_header", "Could not start writing “%s”",
                        options->output);
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_chunk_join_check_streams:
 * @source: the clip whose audio and subtitles the join will copy
 * @output: the output the join will write
 * @copy_audio: whether audio is copied
 * @copy_subtitles: whether subtitles are copied
 * @allow_playlists: see #SvdReaderOptions
 * @error: return location for an error
 *
 * Checks, before any chunk is restored, that @output's container can
 * hold the source's audio and subtitle streams, so a join cannot fail on
 * them after hours of work.
 *
 * Returns: %TRUE when it can
 */
gboolean
svd_chunk_join_check_streams (const char  *source,
                              const char  *output,
                              gboolean     copy_audio,
                              gboolean     copy_subtitles,
                              gboolean     allow_playlists,
                              GError     **error)
{
  g_autoptr(SvdAvInput) ic = NULL;
  const AVOutputFormat *ofmt = av_guess_format (NULL, output, NULL);

  if (ofmt == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Cannot tell the container format from the name “%s”", output);
      return FALSE;
    }
  if (!copy_audio && !copy_subtitles)
    return TRUE;
  if (!svd_av_open_input (&ic, source, allow_playlists, error))
    return FALSE;
  for (unsigned i = 0; i < ic->nb_streams; i++)
    {
      const AVCodecParameters *par = ic->streams[i]->codecpar;

      if (!((par->codec_type == AVMEDIA_TYPE_AUDIO && copy_audio) ||
            (par->codec_type == AVMEDIA_TYPE_SUBTITLE && copy_subtitles)))
        continue;
      if (avformat_query_codec (ofmt, par->codec_id, FF_COMPLIANCE_NORMAL) == 0)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "The %s stream %u (%s) of “%s” cannot be stored in a %s file. "
                       "Choose another container or leave the %s out.",
                       av_get_media_type_string (par->codec_type), i, avcodec_get_name (par->codec_id),
                       source, ofmt->name, par->codec_type == AVMEDIA_TYPE_AUDIO ? "audio" : "subtitles");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * svd_chunk_join:
 * @options: what to join
 * @frames_written: (out) (optional): video frames in the output
 * @error: return location for an error
 *
 * Concatenates the chunks' video by stream copy and muxes the source's
 * audio, subtitles, chapters and metadata with it. The output appears
 * only when everything was written; on failure or cancellation neither
 * it nor a temporary file is left, and the chunks are untouched.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_chunk_join (const SvdChunkJoinOptions  *options,
                gint64                     *frames_written,
                GError                    **error)
{
  Join self = { 0 };
  g_autoptr(SvdAvInput) first = NULL;
  SvdWriterOptions wo;
  int ret;

  g_return_val_if_fail (options != NULL && options->n_chunks > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  svd_av_init_logging ();
  self.options = options;
  self.last_dts = G_MININT64;
  /* The output's frame rate and time base, as an unchunked restore's
   * writer takes them from the source. */
  svd_writer_options_init_for_video (&wo, options->source);
  if (wo.time_base_num > 0 && wo.time_base_den > 0)
    self.tb = (AVRational) { wo.time_base_num, wo.time_base_den };
  else
    self.tb = (AVRational) { wo.fps_den, wo.fps_num };

  if (!open_chunk (options->chunk_paths[0], 0, &first, error))
    return FALSE;
  ret = avformat_alloc_output_context2 (&self.oc, NULL, NULL, options->output);
  if (ret < 0 || self.oc == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Cannot tell the container format from the name “%s”", options->output);
      return FALSE;
    }
  self.vst = avformat_new_stream (self.oc, NULL);
  if (self.vst == NULL || avcodec_parameters_copy (self.vst->codecpar, first->streams[0]->codecpar) < 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory adding a stream");
      join_clear (&self);
      return FALSE;
    }
  self.vst->codecpar->codec_tag = 0;
  self.vst->time_base = self.tb;
  self.vst->avg_frame_rate = (AVRational) { wo.fps_num, wo.fps_den };
  self.vst->r_frame_rate = self.vst->avg_frame_rate;
  if (avformat_query_codec (self.oc->oformat, self.vst->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "A %s file cannot hold %s video",
                   self.oc->oformat->name, avcodec_get_name (self.vst->codecpar->codec_id));
      join_clear (&self);
      return FALSE;
    }
  /* Also for the chapters and metadata when no stream is copied. */
  if (!add_copy_streams (&self, error))
    {
      join_clear (&self);
      return FALSE;
    }

  /* Every chunk is checked before the output is started: its frame
   * count, its key frame, its codec configuration. */
  {
    g_autoptr(GPtrArray) all_pts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
    gint64 delay = 0;

    for (guint i = 0; i < options->n_chunks; i++)
      {
        GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));
        gint64 shift = 0, d = 0;

        g_ptr_array_add (all_pts, pts);
        if (cancelled (&self, error) || !scan_chunk (&self, i, pts, &shift, &d, error))
          {
            join_clear (&self);
            return FALSE;
          }
        delay = MAX (delay, d);
      }
    if (!start_output (&self, error))
      {
        join_clear (&self);
        return FALSE;
      }
    for (guint i = 0; i < options->n_chunks; i++)
      if (cancelled (&self, error) || !copy_chunk (&self, i, g_ptr_array_index (all_pts, i), delay, error))
        {
          join_clear (&self);
          return FALSE;
        }
  }
  if (!pump_copy (&self, G_MAXINT64, error))
    {
      join_clear (&self);
      return FALSE;
    }
  ret = av_write_trailer (self.oc);
  if (ret >= 0 && self.oc->pb->error < 0)
    ret = self.oc->pb->error;
  if (ret >= 0)
    ret = avio_closep (&self.oc->pb);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_IO, ret, "av_write_trailer", "Finishing “%s”", options->output);
      join_clear (&self);
      return FALSE;
    }
  if (!svd_output_replace (self.temp_path, options->output, error))
    {
      join_clear (&self);
      return FALSE;
    }
  g_clear_pointer (&self.temp_path, g_free);
  if (frames_written != NULL)
    *frames_written = self.frames;
  join_clear (&self);
  return TRUE;
}
