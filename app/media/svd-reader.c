/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-reader"

#include "svd-reader.h"
#include "svd-media-compat.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/*
 * Exact seeking.
 *
 * On open the reader demuxes every packet of the video stream once (no
 * decoding: a few milliseconds per second of video) and keeps two lists:
 *
 *   - the presentation timestamps of all frames, sorted: frame N is the
 *     N-th smallest pts. That is the frame numbering sequential decoding
 *     gives, B-frames or not, and it does not depend on the header's frame
 *     count (absent in WebM, wrong in some files).
 *   - the key packets in decode order, with their pts and dts.
 *
 * To reach frame N with pts P, the reader picks the last key packet whose
 * pts is ≤ P, seeks the demuxer backward to it, flushes the decoder, skips
 * packets until a key packet, and decodes forward, dropping frames until
 * the one whose pts is P. With an open GOP the leading pictures of that key
 * (pts < its pts) may come out broken; they are dropped because they come
 * before P. If a frame with a pts above P comes out first (a demuxer that
 * landed on a later key, or a stream whose key flags lie), the reader
 * retries from the key before, and in the end from the start of the file,
 * where the result is by definition what sequential decoding gives.
 *
 * Files whose packets lack timestamps (raw elementary streams) are
 * numbered by decode order instead, and seeking there restarts from the
 * beginning of the file: slow, but exact.
 */

typedef struct {
  gint64 pts;
  gint64 dts;
} KeyEntry;

struct _SvdReader {
  SvdVideoInfo      info;
  SvdReaderOptions  options;

  AVFormatContext  *fmt;
  AVCodecContext   *dec;
  AVStream         *st;
  AVPacket         *pkt;
  AVFrame          *frame;

  GArray           *pts;         /* gint64, sorted, stream time base */
  GArray           *keys;        /* KeyEntry, decode order */
  gboolean          have_pts;

  gboolean          demux_eof;   /* av_read_frame said EOF */
  gboolean          drained;     /* the decoder returned EOF */
  gboolean          need_key;    /* skip packets until a key packet */
  gint64            last_pts;    /* pts of the last frame decoded, or G_MININT64 */
  gint64            seq_index;   /* frames decoded since the last seek to the start */
  gint64            n_decoded;
  gint64            n_errors;

  struct SwsContext *sws;
  int               sws_w;
  int               sws_h;
  int               sws_fmt;
};

const char *
svd_stream_type_name (SvdStreamType type)
{
  switch (type)
    {
    case SVD_STREAM_VIDEO: return "video";
    case SVD_STREAM_AUDIO: return "audio";
    case SVD_STREAM_SUBTITLE: return "subtitle";
    case SVD_STREAM_OTHER:
    default: return "other";
    }
}

void
svd_reader_options_init (SvdReaderOptions *options)
{
  memset (options, 0, sizeof *options);
  options->threads = 0;
  options->stream_index = -1;
}

static void
stream_info_free (gpointer data)
{
  SvdStreamInfo *s = data;

  g_free (s->codec);
  g_free (s->codec_long);
  g_free (s->language);
  g_free (s->title);
  g_free (s);
}

static gint64
ts_to_us (gint64     ts,
          AVRational tb)
{
  if (ts == AV_NOPTS_VALUE)
    return G_MININT64;
  return av_rescale_q (ts, tb, AV_TIME_BASE_Q);
}

void
svd_reader_free (SvdReader *self)
{
  if (self == NULL)
    return;
  g_free (self->info.path);
  g_free (self->info.container);
  g_free (self->info.codec);
  g_free (self->info.source_pix_fmt);
  g_clear_pointer (&self->info.streams, g_ptr_array_unref);
  g_clear_pointer (&self->pts, g_array_unref);
  g_clear_pointer (&self->keys, g_array_unref);
  av_frame_free (&self->frame);
  av_packet_free (&self->pkt);
  avcodec_free_context (&self->dec);
  avformat_close_input (&self->fmt);
  g_clear_pointer (&self->sws, sws_freeContext);
  g_free (self);
}

static void
collect_streams (SvdReader *self)
{
  self->info.streams = g_ptr_array_new_with_free_func (stream_info_free);
  for (unsigned i = 0; i < self->fmt->nb_streams; i++)
    {
      AVStream *st = self->fmt->streams[i];
      const AVCodecDescriptor *desc = avcodec_descriptor_get (st->codecpar->codec_id);
      AVDictionaryEntry *lang = av_dict_get (st->metadata, "language", NULL, 0);
      AVDictionaryEntry *title = av_dict_get (st->metadata, "title", NULL, 0);
      SvdStreamInfo *s = g_new0 (SvdStreamInfo, 1);

      s->index = (int) i;
      switch (st->codecpar->codec_type)
        {
        case AVMEDIA_TYPE_VIDEO: s->type = SVD_STREAM_VIDEO; break;
        case AVMEDIA_TYPE_AUDIO: s->type = SVD_STREAM_AUDIO; break;
        case AVMEDIA_TYPE_SUBTITLE: s->type = SVD_STREAM_SUBTITLE; break;
        default: s->type = SVD_STREAM_OTHER; break;
        }
      s->codec = g_strdup (desc ? desc->name : avcodec_get_name (st->codecpar->codec_id));
      s->codec_long = g_strdup (desc && desc->long_name ? desc->long_name : s->codec);
      if (lang != NULL && lang->value[0] != '\0' && g_strcmp0 (lang->value, "und") != 0)
        s->language = g_strdup (lang->value);
      if (title != NULL && title->value[0] != '\0')
        s->title = g_strdup (title->value);
      s->width = st->codecpar->width;
      s->height = st->codecpar->height;
      s->sample_rate = st->codecpar->sample_rate;
      s->channels = svd_av_codecpar_channels (st->codecpar);
      s->start_us = ts_to_us (st->start_time, st->time_base);
      s->duration_us = st->duration != AV_NOPTS_VALUE ? ts_to_us (st->duration, st->time_base) : -1;
      g_ptr_array_add (self->info.streams, s);
    }
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Reads every packet of the video stream once, without decoding. Other
 * streams are set to AVDISCARD_ALL meanwhile, so most demuxers skip their
 * payload cheaply. */
static gboolean
build_index (SvdReader  *self,
             GError    **error)
{
  g_autoptr(AVPacket) pkt = av_packet_alloc ();
  int *saved = g_new (int, self->fmt->nb_streams);
  int ret;

  for (unsigned i = 0; i < self->fmt->nb_streams; i++)
    {
      saved[i] = self->fmt->streams[i]->discard;
      if ((int) i != self->st->index)
        self->fmt->streams[i]->discard = AVDISCARD_ALL;
    }

  self->pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->keys = g_array_new (FALSE, FALSE, sizeof (KeyEntry));
  self->have_pts = TRUE;

  while ((ret = av_read_frame (self->fmt, pkt)) >= 0)
    {
      if (pkt->stream_index == self->st->index && !(pkt->flags & AV_PKT_FLAG_DISCARD))
        {
          if (pkt->pts == AV_NOPTS_VALUE)
            self->have_pts = FALSE;
          g_array_append_val (self->pts, pkt->pts);
          if (pkt->flags & AV_PKT_FLAG_KEY)
            {
              KeyEntry k = { pkt->pts, pkt->dts };
              g_array_append_val (self->keys, k);
            }
        }
      av_packet_unref (pkt);
    }

  for (unsigned i = 0; i < self->fmt->nb_streams; i++)
    self->fmt->streams[i]->discard = saved[i];
  g_free (saved);

  if (ret != AVERROR_EOF)
    {
      /* A read error part-way (a truncated file) still leaves the frames
       * before it usable, as players treat it. */
      g_autofree char *why = svd_av_error_string (ret);

      if (self->pts->len == 0)
        {
          svd_av_set_error (error, SVD_ERROR_DECODE, ret, "av_read_frame",
                            "Could not read any video packet from “%s”", self->info.path);
          return FALSE;
        }
      g_debug ("“%s”: stopped reading at packet %u: %s; the clip is probably truncated",
               self->info.path, self->pts->len, why);
      self->info.damaged = TRUE;
    }

  if (self->pts->len == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” has a video stream without any frame", self->info.path);
      return FALSE;
    }

  if (self->have_pts)
    g_array_sort (self->pts, cmp_gint64);
  return TRUE;
}

/* Fills fps, duration, VFR from the index. */
static void
compute_timing (SvdReader *self)
{
  SvdVideoInfo *info = &self->info;
  AVRational tb = self->st->time_base;
  AVRational avg = self->st->avg_frame_rate;
  AVRational r = self->st->r_frame_rate;
  guint n = self->pts->len;
  const gint64 *pts = (const gint64 *) self->pts->data;

  info->time_base_num = tb.num;
  info->time_base_den = tb.den;
  info->avg_fps_num = avg.num;
  info->avg_fps_den = avg.den;
  info->r_fps_num = r.num;
  info->r_fps_den = r.den;
  info->n_frames = n;

  if (avg.num > 0 && avg.den > 0)
    info->fps = av_q2d (avg);
  else if (r.num > 0 && r.den > 0)
    info->fps = av_q2d (r);

  if (!self->have_pts)
    {
      info->first_pts_us = 0;
      if (info->fps <= 0)
        info->fps = 25.0;
      info->duration_us = (gint64) llround (n * 1e6 / info->fps);
      return;
    }

  info->first_pts_us = ts_to_us (pts[0], tb);
  if (n >= 2)
    {
      double mean = (double) (pts[n - 1] - pts[0]) / (n - 1);
      /* Timestamps are rounded to the time base: a 24 fps WebM (1 ms ticks)
       * alternates 41 and 42 ms. Anything beyond one tick plus 2 % of a
       * frame is a real change of frame duration. */
      double tol = 1.0 + 0.02 * mean;

      if (info->fps <= 0)
        info->fps = 1.0 / (mean * av_q2d (tb));
      info->vfr = FALSE;
      for (guint i = 1; i < n; i++)
        {
          if (fabs ((double) (pts[i] - pts[i - 1]) - mean) > tol)
            {
              info->vfr = TRUE;
              break;
            }
        }
      info->duration_us = ts_to_us (pts[n - 1] - pts[0], tb) + svd_reader_frame_duration_us (self, n - 1);
    }
  else
    {
      if (info->fps <= 0)
        info->fps = 25.0;
      info->duration_us = (gint64) llround (1e6 / info->fps);
    }
}

static void
compute_rotation (SvdReader *self)
{
  const int32_t *m = svd_av_stream_display_matrix (self->st);
  double deg;

  if (m == NULL)
    return;
  deg = av_display_rotation_get (m);
  if (isnan (deg))
    return;
  /* A mirrored matrix has a negative determinant. */
  self->info.hflip = ((gint64) m[0] * m[4] - (gint64) m[1] * m[3]) < 0;
  self->info.rotation = ((int) lround (deg / 90.0) * 90 % 360 + 360) % 360;
}

static gboolean
open_decoder (SvdReader  *self,
              GError    **error)
{
  const AVCodec *codec = avcodec_find_decoder (self->st->codecpar->codec_id);
  int ret;

  if (codec == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "“%s”: no decoder for the %s video codec in this FFmpeg build",
                   self->info.path, avcodec_get_name (self->st->codecpar->codec_id));
      return FALSE;
    }
  self->dec = avcodec_alloc_context3 (codec);
  if (self->dec == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory creating a decoder");
      return FALSE;
    }
  ret = avcodec_parameters_to_context (self->dec, self->st->codecpar);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_DECODE, ret, "avcodec_parameters_to_context",
                        "“%s”: bad video codec parameters", self->info.path);
      return FALSE;
    }
  self->dec->pkt_timebase = self->st->time_base;
  /* Frame threading decodes several frames at once; it only adds latency,
   * which exact seeking does not mind. Output is the same bit for bit. */
  self->dec->thread_count = self->options.threads;
  self->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  /* A stream may change its size mid-file; the decoder refuses frames
   * above the limit checked at open. */
  self->dec->max_pixels = SVD_READER_MAX_PIXELS;
  ret = avcodec_open2 (self->dec, codec, NULL);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_DECODE, ret, "avcodec_open2",
                        "“%s”: could not open the %s decoder", self->info.path, codec->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
rewind_to_start (SvdReader  *self,
                 GError    **error)
{
  gint64 ts = self->st->start_time != AV_NOPTS_VALUE ? self->st->start_time : 0;
  int ret;

  if (self->keys != NULL && self->keys->len > 0)
    {
      const KeyEntry *k = &g_array_index (self->keys, KeyEntry, 0);

      if (k->pts != AV_NOPTS_VALUE)
        ts = k->dts != AV_NOPTS_VALUE ? MIN (k->dts, k->pts) : k->pts;
    }
  ret = av_seek_frame (self->fmt, self->st->index, ts, AVSEEK_FLAG_BACKWARD);
  if (ret < 0)
    ret = av_seek_frame (self->fmt, -1, 0, AVSEEK_FLAG_BYTE | AVSEEK_FLAG_BACKWARD);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_DECODE, ret, "av_seek_frame",
                        "“%s”: could not go back to the start", self->info.path);
      return FALSE;
    }
  avcodec_flush_buffers (self->dec);
  self->demux_eof = FALSE;
  self->drained = FALSE;
  /* From the start every packet goes to the decoder, as in any player:
   * that is what "sequential decoding" means (and streams with intra
   * refresh have no key packet at all). */
  self->need_key = FALSE;
  self->last_pts = G_MININT64;
  self->seq_index = 0;
  return TRUE;
}

/**
 * svd_reader_open:
 * @path: a media file
 * @options: (nullable): options, or %NULL for the defaults
 * @error: return location for an error
 *
 * Opens @path, picks its video stream, opens a threaded decoder and builds
 * the frame index (one demuxing pass without decoding).
 *
 * Returns: (transfer full) (nullable): a reader, or %NULL with @error set:
 *   %SVD_ERROR_IO when the file cannot be read, %SVD_ERROR_INVALID_INPUT
 *   when it is not media or has no video stream, %SVD_ERROR_UNSUPPORTED
 *   when FFmpeg has no decoder for it.
 */
/**
 * svd_video_info_describe_losses:
 * @info: a clip's description
 *
 * Returns: (transfer full) (nullable): what of @info's video SVD Studio
 *   does not keep, as a phrase for a warning ("the alpha channel of its
 *   yuva420p frames; 12-bit precision (processed as 10-bit)"), or %NULL
 *   when nothing is lost.
 */
char *
svd_video_info_describe_losses (const SvdVideoInfo *info)
{
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (av_get_pix_fmt (info->source_pix_fmt));
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (info->format);
  GString *s = g_string_new (NULL);

  if (d != NULL && (d->flags & AV_PIX_FMT_FLAG_ALPHA))
    g_string_append_printf (s, "the alpha channel of its %s frames", info->source_pix_fmt);
  if (info->bit_depth > fi->bit_depth)
    g_string_append_printf (s, "%s%d-bit precision (processed as %d-bit)", s->len ? "; " : "",
                            info->bit_depth, fi->bit_depth);
  if (s->len == 0)
    return (g_string_free (s, TRUE), NULL);
  return g_string_free (s, FALSE);
}

static gboolean
check_frame_size (const char  *path,
                  int          width,
                  int          height,
                  GError     **error)
{
  if ((gint64) width * height <= SVD_READER_MAX_PIXELS)
    return TRUE;
  g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
               "“%s” has %dx%d frames (%.1f megapixels), above the limit of 8192x8192 (%.1f megapixels) "
               "that SVD Studio decodes", path, width, height, (double) width * height / 1e6,
               SVD_READER_MAX_PIXELS / 1e6);
  return FALSE;
}

SvdReader *
svd_reader_open (const char              *path,
                 const SvdReaderOptions  *options,
                 GError                 **error)
{
  g_autoptr(SvdReader) self = g_new0 (SvdReader, 1);
  const AVCodec *codec = NULL;
  enum AVPixelFormat pix;
  int ret;

  g_return_val_if_fail (path != NULL, NULL);

  svd_av_init_logging ();
  if (options != NULL)
    self->options = *options;
  else
    svd_reader_options_init (&self->options);
  self->info.path = g_strdup (path);
  self->last_pts = G_MININT64;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "“%s” does not exist", path);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "“%s” is a folder, not a video file", path);
      return NULL;
    }

  if (!svd_av_open_input (&self->fmt, path, self->options.allow_playlists, error))
    return NULL;
  /* The sizes the container declares are checked before
   * avformat_find_stream_info() decodes a first frame of each stream; the
   * decoders it opens get the same limit for streams that declare none. */
  for (unsigned i = 0; i < self->fmt->nb_streams; i++)
    {
      const AVCodecParameters *par = self->fmt->streams[i]->codecpar;

      if (par->codec_type == AVMEDIA_TYPE_VIDEO && !check_frame_size (path, par->width, par->height, error))
        return NULL;
    }
  {
    AVDictionary **opts = g_new0 (AVDictionary *, MAX (self->fmt->nb_streams, 1));

    for (unsigned i = 0; i < self->fmt->nb_streams; i++)
      av_dict_set_int (&opts[i], "max_pixels", SVD_READER_MAX_PIXELS, 0);
    ret = avformat_find_stream_info (self->fmt, opts);
    for (unsigned i = 0; i < self->fmt->nb_streams; i++)
      av_dict_free (&opts[i]);
    g_free (opts);
  }
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_INVALID_INPUT, ret, "avformat_find_stream_info",
                        "Could not read the streams of “%s”", path);
      return NULL;
    }

  ret = av_find_best_stream (self->fmt, AVMEDIA_TYPE_VIDEO, self->options.stream_index, -1, &codec, 0);
  if (ret == AVERROR_DECODER_NOT_FOUND)
    {
      int si = av_find_best_stream (self->fmt, AVMEDIA_TYPE_VIDEO, self->options.stream_index, -1, NULL, 0);

      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "“%s”: this FFmpeg build cannot decode its %s video", path,
                   si >= 0 ? avcodec_get_name (self->fmt->streams[si]->codecpar->codec_id) : "unknown");
      return NULL;
    }
  if (ret < 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” has no video stream%s", path,
                   self->options.stream_index >= 0 ? " with that index" : "");
      return NULL;
    }
  self->st = self->fmt->streams[ret];
  if (self->st->disposition & AV_DISPOSITION_ATTACHED_PIC)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” has no video stream, only a cover picture", path);
      return NULL;
    }

  self->info.stream_index = self->st->index;
  self->info.container = g_strdup (self->fmt->iformat->name);
  self->info.codec = g_strdup (avcodec_get_name (self->st->codecpar->codec_id));
  self->info.width = self->st->codecpar->width;
  self->info.height = self->st->codecpar->height;
  collect_streams (self);

  if (!check_frame_size (path, self->info.width, self->info.height, error))
    return NULL;
  if (!open_decoder (self, error))
    return NULL;
  if (self->info.width <= 0 || self->info.height <= 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s”: the video stream has no frame size; the file is probably damaged", path);
      return NULL;
    }

  if (!build_index (self, error))
    return NULL;
  compute_timing (self);
  compute_rotation (self);
  self->info.interlaced = self->st->codecpar->field_order != AV_FIELD_UNKNOWN &&
                          self->st->codecpar->field_order != AV_FIELD_PROGRESSIVE;

  pix = self->st->codecpar->format;
  self->info.source_pix_fmt = g_strdup (pix != AV_PIX_FMT_NONE ? av_get_pix_fmt_name (pix) : "unknown");
  if (svd_pixel_format_from_av (pix, &self->info.format))
    self->info.converted = FALSE;
  else
    {
      self->info.format = svd_pixel_format_nearest_av (pix);
      self->info.converted = TRUE;
    }
  {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (pix);

    self->info.bit_depth = d ? d->comp[0].depth : 8;
  }
  self->info.color_guessed =
    svd_color_info_from_av (&self->info.color, self->info.format, self->info.height,
                            self->st->codecpar->color_space,
                            (pix == AV_PIX_FMT_YUVJ420P || pix == AV_PIX_FMT_YUVJ422P || pix == AV_PIX_FMT_YUVJ444P)
                              ? AVCOL_RANGE_JPEG : self->st->codecpar->color_range,
                            self->st->codecpar->color_primaries,
                            self->st->codecpar->color_trc);

  self->pkt = av_packet_alloc ();
  self->frame = av_frame_alloc ();
  if (self->pkt == NULL || self->frame == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory opening “%s”", path);
      return NULL;
    }
  if (!rewind_to_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const SvdVideoInfo *
svd_reader_get_info (SvdReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->info;
}

/**
 * svd_reader_get_n_decoded:
 *
 * Returns: how many frames the decoder produced since the reader was
 *   opened, including frames decoded and dropped while seeking (for
 *   benchmarks and for tests that check seeking does not restart needlessly).
 */
gint64
svd_reader_get_n_decoded (SvdReader *self)
{
  return self->n_decoded;
}

/**
 * svd_reader_get_n_errors:
 *
 * Returns: how many packets or frames failed to decode and were skipped
 *   (damaged data; players skip them too), plus the frames that decoded
 *   with damage concealed
 */
gint64
svd_reader_get_n_errors (SvdReader *self)
{
  return self->n_errors;
}

/**
 * svd_reader_frame_pts_us:
 * @index: a frame index
 *
 * Returns: the presentation time of frame @index in microseconds on the
 *   container's timeline, or %G_MININT64 if @index is out of range.
 */
gint64
svd_reader_frame_pts_us (SvdReader *self,
                         gint64     index)
{
  if (index < 0 || index >= (gint64) self->pts->len)
    return G_MININT64;
  if (!self->have_pts)
    return (gint64) llround (index * 1e6 / self->info.fps);
  return ts_to_us (g_array_index (self->pts, gint64, index), self->st->time_base);
}

/**
 * svd_reader_frame_duration_us:
 *
 * Returns: how long frame @index is shown: up to the next frame, and for
 *   the last frame the previous frame's duration (or 1/fps).
 */
gint64
svd_reader_frame_duration_us (SvdReader *self,
                              gint64     index)
{
  gint64 n = self->pts->len;

  if (index < 0 || index >= n)
    return 0;
  if (self->have_pts && index + 1 < n)
    return svd_reader_frame_pts_us (self, index + 1) - svd_reader_frame_pts_us (self, index);
  if (self->have_pts && n >= 2)
    return svd_reader_frame_pts_us (self, n - 1) - svd_reader_frame_pts_us (self, n - 2);
  return (gint64) llround (1e6 / (self->info.fps > 0 ? self->info.fps : 25.0));
}

/* Index of the last frame whose pts is ≤ @ts (stream time base), or -1. */
static gint64
index_at_or_before (SvdReader *self,
                    gint64     ts)
{
  const gint64 *pts = (const gint64 *) self->pts->data;
  gint64 lo = 0, hi = self->pts->len; /* first index with pts > ts */

  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;

      if (pts[mid] <= ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo - 1;
}

/**
 * svd_reader_frame_at_time:
 * @time_us: a time on the container's timeline, in microseconds
 *
 * Returns: the index of the frame on screen at @time_us (the last frame
 *   that starts at or before it), 0 before the first frame, and the last
 *   frame after the end.
 */
gint64
svd_reader_frame_at_time (SvdReader *self,
                          gint64     time_us)
{
  gint64 i;

  if (!self->have_pts)
    i = (gint64) floor ((double) time_us * self->info.fps / 1e6 + 1e-6);
  else
    {
      /* Round up to the stream tick so a time taken from a frame's own
       * (rounded) pts_us maps back to that frame. */
      AVRational tb = self->st->time_base;
      gint64 ts = av_rescale_q_rnd (time_us, AV_TIME_BASE_Q, tb, AV_ROUND_NEAR_INF);

      i = index_at_or_before (self, ts);
    }
  return CLAMP (i, 0, (gint64) self->pts->len - 1);
}

static void
frame_destroy (gpointer data)
{
  AVFrame *f = data;

  av_frame_free (&f);
}

/* Wraps or converts self->frame into an SvdImage. Consumes the frame's
 * buffers (the image holds them until its last reference goes). */
static SvdImage *
frame_to_image (SvdReader  *self,
                gint64      index,
                GError    **error)
{
  AVFrame *f = self->frame;
  SvdPixelFormat fmt;
  SvdImage *image;
  gboolean full_hint = f->format == AV_PIX_FMT_YUVJ420P || f->format == AV_PIX_FMT_YUVJ422P ||
                       f->format == AV_PIX_FMT_YUVJ444P;
  enum AVColorSpace space = f->colorspace != AVCOL_SPC_UNSPECIFIED ? f->colorspace : self->st->codecpar->color_space;
  enum AVColorRange range = f->color_range != AVCOL_RANGE_UNSPECIFIED ? f->color_range : self->st->codecpar->color_range;
  enum AVColorPrimaries prim = f->color_primaries != AVCOL_PRI_UNSPECIFIED ? f->color_primaries : self->st->codecpar->color_primaries;
  enum AVColorTransferCharacteristic trc = f->color_trc != AVCOL_TRC_UNSPECIFIED ? f->color_trc : self->st->codecpar->color_trc;
  gint64 pts = f->best_effort_timestamp;

  if (range == AVCOL_RANGE_UNSPECIFIED && full_hint)
    range = AVCOL_RANGE_JPEG;

  if (svd_pixel_format_from_av (f->format, &fmt) && f->linesize[0] > 0 && f->linesize[1] > 0 && f->linesize[2] > 0)
    {
      AVFrame *owned = av_frame_alloc ();
      guint8 *data[3];
      gsize stride[3];

      if (owned == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory wrapping a frame");
          return NULL;
        }
      av_frame_move_ref (owned, f);
      for (int p = 0; p < 3; p++)
        {
          data[p] = owned->data[p];
          stride[p] = (gsize) owned->linesize[p];
        }
      image = svd_image_new_for_data (fmt, owned->width, owned->height, data, stride,
                                      frame_destroy, owned, error);
      if (image == NULL)
        return NULL;
    }
  else
    {
      /* The one CPU pixel conversion in the reader: formats the engine has
       * no upload path for (nv12, rgb24, pal8, 12-bit, …) go through
       * swscale to the nearest planar YUV, with the matrix and range set
       * explicitly on both sides so nothing is guessed twice. */
      SvdColorInfo ci;
      const int *src_coef, *dst_coef;
      int src_full, dst_full;
      const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (f->format);
      gboolean src_rgb = d != NULL && (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) != 0;
      guint8 *dst[4] = { NULL };
      int dst_stride[4] = { 0 };

      fmt = svd_pixel_format_nearest_av (f->format);
      image = svd_image_new (fmt, f->width, f->height, error);
      if (image == NULL)
        return NULL;
      self->sws = sws_getCachedContext (self->sws, f->width, f->height, f->format,
                                        f->width, f->height, svd_pixel_format_to_av (fmt),
                                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP,
                                        NULL, NULL, NULL);
      if (self->sws == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "“%s”: cannot convert %s frames", self->info.path,
                       av_get_pix_fmt_name (f->format) ? av_get_pix_fmt_name (f->format) : "unknown");
          svd_image_unref (image);
          return NULL;
        }
      svd_color_info_from_av (&ci, fmt, f->height, space, range, prim, trc);
      if (src_rgb)
        {
          /* RGB becomes full-range BT.709 YUV 4:4:4 10-bit. */
          ci.matrix = SVD_COLOR_MATRIX_BT709;
          ci.range = SVD_COLOR_RANGE_FULL;
          if (ci.primaries == SVD_COLOR_PRIMARIES_UNSPECIFIED || prim == AVCOL_PRI_UNSPECIFIED)
            ci.primaries = SVD_COLOR_PRIMARIES_BT709;
          if (trc == AVCOL_TRC_UNSPECIFIED)
            ci.transfer = SVD_COLOR_TRANSFER_SRGB;
        }
      {
        int cs = ci.matrix == SVD_COLOR_MATRIX_BT709 ? SWS_CS_ITU709 :
                 ci.matrix == SVD_COLOR_MATRIX_BT2020_NCL ? SWS_CS_BT2020 : SWS_CS_ITU601;

        src_coef = sws_getCoefficients (cs);
        dst_coef = sws_getCoefficients (cs);
        src_full = src_rgb ? 1 : (ci.range == SVD_COLOR_RANGE_FULL);
        dst_full = ci.range == SVD_COLOR_RANGE_FULL;
        sws_setColorspaceDetails (self->sws, src_coef, src_full, dst_coef, dst_full, 0, 1 << 16, 1 << 16);
      }
      for (int p = 0; p < image->n_planes; p++)
        {
          dst[p] = image->data[p];
          dst_stride[p] = (int) image->stride[p];
        }
      sws_scale (self->sws, (const uint8_t *const *) f->data, f->linesize, 0, f->height, dst, dst_stride);
      av_frame_unref (f);
      image->color = ci;
      image->pts = (pts != AV_NOPTS_VALUE && self->have_pts) ? ts_to_us (pts, self->st->time_base)
                                                              : svd_reader_frame_pts_us (self, index);
      image->frame_index = index;
      return image;
    }

  svd_color_info_from_av (&image->color, fmt, image->height, space, range, prim, trc);
  image->pts = (pts != AV_NOPTS_VALUE && self->have_pts) ? ts_to_us (pts, self->st->time_base)
                                                          : svd_reader_frame_pts_us (self, index);
  image->frame_index = index;
  return image;
}

/* Decodes the next frame in presentation order into self->frame.
 * Returns 1 for a frame, 0 at the end of the stream, -1 on error. */
static int
decode_next (SvdReader  *self,
             GError    **error)
{
  int ret;

  for (;;)
    {
      ret = avcodec_receive_frame (self->dec, self->frame);
      if (ret >= 0)
        {
          self->n_decoded++;
          /* Decoders such as H.264 conceal damaged slices and still return
           * the frame; it counts as a decode error all the same, so that
           * exports can report it (or stop on it). */
          if (self->frame->decode_error_flags != 0 || (self->frame->flags & AV_FRAME_FLAG_CORRUPT))
            {
              g_debug ("“%s”: a frame decoded with errors concealed (flags 0x%x)", self->info.path,
                       (unsigned) self->frame->decode_error_flags);
              self->n_errors++;
            }
          return 1;
        }
      if (ret == AVERROR_EOF)
        {
          self->drained = TRUE;
          return 0;
        }
      if (ret != AVERROR (EAGAIN))
        {
          /* A damaged frame: players show the next one; so do we. */
          g_autofree char *why = svd_av_error_string (ret);

          g_debug ("“%s”: skipping a frame that failed to decode: %s", self->info.path, why);
          self->n_errors++;
          continue;
        }

      if (self->demux_eof)
        {
          /* EAGAIN after the drain packet cannot happen; be safe. */
          return 0;
        }

      ret = av_read_frame (self->fmt, self->pkt);
      if (ret < 0)
        {
          if (ret != AVERROR_EOF)
            {
              g_autofree char *why = svd_av_error_string (ret);

              g_debug ("“%s”: read stopped: %s", self->info.path, why);
            }
          self->demux_eof = TRUE;
          ret = avcodec_send_packet (self->dec, NULL);
          if (ret < 0 && ret != AVERROR_EOF)
            {
              svd_av_set_error (error, SVD_ERROR_DECODE, ret, "avcodec_send_packet",
                                "“%s”: could not drain the decoder", self->info.path);
              return -1;
            }
          continue;
        }
      if (self->pkt->stream_index != self->st->index)
        {
          av_packet_unref (self->pkt);
          continue;
        }
      if (self->need_key)
        {
          if (!(self->pkt->flags & AV_PKT_FLAG_KEY))
            {
              av_packet_unref (self->pkt);
              continue;
            }
          self->need_key = FALSE;
        }
      ret = avcodec_send_packet (self->dec, self->pkt);
      av_packet_unref (self->pkt);
      if (ret < 0 && ret != AVERROR (EAGAIN))
        {
          if (ret == AVERROR (ENOMEM))
            {
              svd_av_set_error (error, SVD_ERROR_OUT_OF_MEMORY, ret, "avcodec_send_packet",
                                "“%s”: decoding", self->info.path);
              return -1;
            }
          {
            g_autofree char *why = svd_av_error_string (ret);

            g_debug ("“%s”: skipping a damaged packet: %s", self->info.path, why);
            self->n_errors++;
          }
        }
    }
}

/* The index of the frame just decoded. */
static gint64
decoded_index (SvdReader *self)
{
  gint64 pts = self->frame->best_effort_timestamp;

  if (!self->have_pts || pts == AV_NOPTS_VALUE)
    return self->seq_index;
  return MAX (index_at_or_before (self, pts), 0);
}

/**
 * svd_reader_read:
 * @out_image: (out) (transfer full) (optional): the next frame, or %NULL
 *   at the end of the stream
 *
 * Decodes the next frame in presentation order: frame 0 after open, the
 * frame after the last one returned after a seek. Planar YUV (4:2:0,
 * 4:2:2, 4:4:4; 8 or 10-bit) comes out without a copy: the image wraps the
 * decoder's buffers and releases them when its last reference goes. Other
 * formats are converted once with swscale (see svd_pixel_format_nearest_av()).
 * The image carries the frame's pts (µs), its index and its colour info.
 *
 * Returns: %FALSE with @error set on failure; %TRUE otherwise, also at the
 *   end (then *@out_image is %NULL).
 */
gboolean
svd_reader_read (SvdReader  *self,
                 SvdImage  **out_image,
                 GError    **error)
{
  int got;
  gint64 index;
  SvdImage *image;

  if (out_image != NULL)
    *out_image = NULL;
  if (self->drained)
    return TRUE;
  got = decode_next (self, error);
  if (got < 0)
    return FALSE;
  if (got == 0)
    return TRUE;
  index = decoded_index (self);
  self->seq_index++;
  self->last_pts = self->frame->best_effort_timestamp;
  image = frame_to_image (self, index, error);
  if (image == NULL)
    return FALSE;
  if (out_image != NULL)
    *out_image = image;
  else
    svd_image_unref (image);
  return TRUE;
}

static gboolean
seek_to_key (SvdReader  *self,
             guint       key,
             GError    **error)
{
  const KeyEntry *k = &g_array_index (self->keys, KeyEntry, key);
  gint64 ts = k->dts != AV_NOPTS_VALUE ? MIN (k->dts, k->pts) : k->pts;
  int ret;

  ret = av_seek_frame (self->fmt, self->st->index, ts, AVSEEK_FLAG_BACKWARD);
  if (ret < 0)
    ret = avformat_seek_file (self->fmt, self->st->index, INT64_MIN, ts, ts, 0);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_DECODE, ret, "av_seek_frame",
                        "“%s”: seeking failed", self->info.path);
      return FALSE;
    }
  avcodec_flush_buffers (self->dec);
  self->demux_eof = FALSE;
  self->drained = FALSE;
  self->need_key = TRUE;
  self->last_pts = G_MININT64;
  return TRUE;
}

/* Decodes forward from the current position until the frame with pts
 * @target. Returns 1 when self->frame holds it, 0 when a later frame (or
 * the end) came first, -1 on error. */
static int
decode_until (SvdReader  *self,
              gint64      target,
              GError    **error)
{
  for (;;)
    {
      int got = decode_next (self, error);
      gint64 pts;

      if (got <= 0)
        return got;
      pts = self->frame->best_effort_timestamp;
      self->last_pts = pts;
      if (pts == target)
        return 1;
      av_frame_unref (self->frame);
      if (pts != AV_NOPTS_VALUE && pts > target)
        return 0;
    }
}

static SvdImage *
seek_sequential (SvdReader  *self,
                 gint64      index,
                 GError    **error)
{
  /* No timestamps: restart and count, unless the frame is ahead. */
  if (index < self->seq_index || self->drained)
    {
      if (!rewind_to_start (self, error))
        return NULL;
    }
  while (self->seq_index <= index)
    {
      int got = decode_next (self, error);

      if (got < 0)
        return NULL;
      if (got == 0)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_DECODE,
                       "“%s”: frame %" G_GINT64_FORMAT " could not be decoded (the stream ended at %" G_GINT64_FORMAT ")",
                       self->info.path, index, self->seq_index);
          return NULL;
        }
      self->seq_index++;
      if (self->seq_index <= index)
        av_frame_unref (self->frame);
    }
  return frame_to_image (self, index, error);
}

/**
 * svd_reader_seek_frame:
 * @index: frame index, 0 to n_frames - 1
 *
 * Returns exactly frame @index, bit-identical to what sequential decoding
 * from the start gives, and leaves the reader so that svd_reader_read()
 * continues with frame @index + 1. Seeking forward by a little decodes
 * forward without touching the demuxer.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL with @error set.
 */
SvdImage *
svd_reader_seek_frame (SvdReader  *self,
                       gint64      index,
                       GError    **error)
{
  gint64 target;
  gint key = -1;

  g_return_val_if_fail (self != NULL, NULL);

  if (index < 0 || index >= (gint64) self->pts->len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Frame %" G_GINT64_FORMAT " is outside the clip (0 to %u)",
                   index, self->pts->len - 1);
      return NULL;
    }
  if (!self->have_pts)
    return seek_sequential (self, index, error);

  target = g_array_index (self->pts, gint64, index);
  for (guint k = 0; k < self->keys->len; k++)
    {
      const KeyEntry *e = &g_array_index (self->keys, KeyEntry, k);

      if (e->pts != AV_NOPTS_VALUE && e->pts <= target)
        key = (gint) k;
    }
  if (key < 0)
    key = 0;

  /* Decoding on from where we are is exact too; it is the cheaper way when
   * no key frame lies between here and the target, or the target is close. */
  if (!self->drained && self->last_pts != G_MININT64 && self->last_pts < target)
    {
      const KeyEntry *e = &g_array_index (self->keys, KeyEntry, key);
      gint64 here = index_at_or_before (self, self->last_pts);

      if (e->pts <= self->last_pts || index - here <= 16)
        {
          int got = decode_until (self, target, error);

          if (got < 0)
            return NULL;
          if (got == 1)
            {
              self->seq_index = index + 1;
              return frame_to_image (self, index, error);
            }
        }
    }

  for (; key >= -1; key--)
    {
      int got;

      if (key >= 0)
        {
          if (!seek_to_key (self, (guint) key, error))
            return NULL;
        }
      else if (!rewind_to_start (self, error))
        return NULL;

      got = decode_until (self, target, error);
      if (got < 0)
        return NULL;
      if (got == 1)
        {
          self->seq_index = index + 1;
          return frame_to_image (self, index, error);
        }
      g_debug ("“%s”: frame %" G_GINT64_FORMAT " not reached from key %d; trying earlier",
               self->info.path, index, key);
    }

  g_set_error (error, SVD_ERROR, SVD_ERROR_DECODE,
               "“%s”: frame %" G_GINT64_FORMAT " could not be decoded even from the start of the file; "
               "the file is probably damaged",
               self->info.path, index);
  return NULL;
}

/**
 * svd_reader_seek_time:
 * @time_us: a time on the container's timeline, in microseconds
 *
 * Returns the frame on screen at @time_us (see svd_reader_frame_at_time()),
 * exactly, as svd_reader_seek_frame() does.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL with @error set.
 */
SvdImage *
svd_reader_seek_time (SvdReader  *self,
                      gint64      time_us,
                      GError    **error)
{
  return svd_reader_seek_frame (self, svd_reader_frame_at_time (self, time_us), error);
}
