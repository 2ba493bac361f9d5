/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-writer"

#include "svd-writer.h"
#include "svd-media-compat.h"
#include "svd-stream-copy.h"
#include "core/svd-fault.h"
#include "core/svd-output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* How far ahead of the video the copied audio may run before the writer
 * waits for more video. av_interleaved_write_frame() sorts within this. */
#define COPY_LEAD_US (500 * 1000)

struct _SvdWriter {
  SvdWriterOptions  options;
  char             *path;
  char             *temp_path;
  char             *encoder_name;
  char             *copy_from;
  char             *preset;
  char             *pix_fmt;

  AVFormatContext  *oc;
  const AVCodec    *codec;
  AVCodecContext   *enc;
  AVStream         *vst;
  AVFrame          *frame;      /* conversion target, when converting */
  AVPacket         *pkt;
  struct SwsContext *sws;
  gboolean          header_written;
  gboolean          finished;
  gboolean          bake_rotation; /* the container cannot store it */

  AVFormatContext  *copy_in;
  int              *copy_map;   /* input stream index -> output index, or -1 */
  AVPacket         *copy_pkt;
  gboolean          copy_pending;
  gboolean          copy_eof;

  gint64            n_frames;
  gint64            last_pts;
  gint64            start_time;
  gint64            last_progress;
};

static const struct {
  const char *alias;
  const char *name;
} encoder_aliases[] = {
  { "x264", "libx264" },
  { "h264", "libx264" },
  { "avc", "libx264" },
  { "x265", "libx265" },
  { "hevc", "libx265" },
  { "h265", "libx265" },
  { "av1", "libsvtav1" },
  { "svtav1", "libsvtav1" },
  { "svt-av1", "libsvtav1" },
  { "aom", "libaom-av1" },
  { "vp9", "libvpx-vp9" },
  { "vpx-vp9", "libvpx-vp9" },
  { "ffv1", "ffv1" },
};

/* Frame size limits of the encoders, per side (besides FFmpeg's own
 * (w+128)*(h+128) limit, checked with av_image_check_size2()). */
static const struct {
  const char *name;
  int         max_width;
  int         max_height;
} encoder_limits[] = {
  { "libx264", 16384, 16384 },
  { "libx265", 16384, 16384 },
  { "libsvtav1", 16384, 8704 },
  { "libvpx-vp9", 16384, 16384 },
  { "libaom-av1", 65536, 65536 },
};

static const char *
resolve_encoder (const char *encoder,
                 const char *path)
{
  const char *name = encoder;

  if (name == NULL)
    name = g_str_has_suffix (path, ".webm") ? "libvpx-vp9" : "libx264";
  for (gsize i = 0; i < G_N_ELEMENTS (encoder_aliases); i++)
    if (g_ascii_strcasecmp (name, encoder_aliases[i].alias) == 0)
      return encoder_aliases[i].name;
  return name;
}

/**
 * svd_writer_check_size:
 * @options: the writer options the output will be written with
 * @path: the output file (its extension picks the default encoder)
 * @width: the frame width the output will have
 * @height: the frame height
 * @what: (nullable): what makes that size, for the message (e.g. "the 2x
 *   chain"), or %NULL
 * @error: return location for an error
 *
 * Checks, before any decoding, that the encoder can take frames of
 * @width x @height: its own limits and FFmpeg's, so a clip too large for
 * it fails at once with the numbers instead of after minutes of work.
 *
 * Returns: %TRUE if it can; %FALSE with @error set.
 */
gboolean
svd_writer_check_size (const SvdWriterOptions  *options,
                       const char              *path,
                       int                      width,
                       int                      height,
                       const char              *what,
                       GError                 **error)
{
  const char *name = resolve_encoder (options->encoder, path);
  g_autofree char *lead = what != NULL ? g_strdup_printf ("%s would write", what)
                                       : g_strdup ("The output would be");

  for (gsize i = 0; i < G_N_ELEMENTS (encoder_limits); i++)
    if (strcmp (name, encoder_limits[i].name) == 0 &&
        (width > encoder_limits[i].max_width || height > encoder_limits[i].max_height))
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                     "%s %dx%d frames, above %s's limit of %dx%d; nothing was decoded",
                     lead, width, height, name, encoder_limits[i].max_width, encoder_limits[i].max_height);
        return FALSE;
      }
  if (width <= 0 || height <= 0 || av_image_check_size2 (width, height, INT64_MAX, AV_PIX_FMT_NONE, 0, NULL) < 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "%s %dx%d frames, above FFmpeg's frame size limit ((width+128)x(height+128) below %d) "
                   "for %s; nothing was decoded", lead, width, height, INT_MAX / 8, name);
      return FALSE;
    }
  return TRUE;
}

void
svd_writer_options_init (SvdWriterOptions *options)
{
  memset (options, 0, sizeof *options);
  options->crf = -1;
  options->copy_audio = TRUE;
  options->copy_subtitles = TRUE;
  options->start_us = G_MININT64;
  options->end_us = G_MAXINT64;
  options->fps_num = 25;
  options->fps_den = 1;
}

/**
 * svd_writer_options_init_for_video:
 * @options: (out caller-allocates): options to fill
 * @source: the clip being restored or re-encoded
 *
 * Defaults that keep @source's frame rate, time base (so timestamps come
 * out exactly), rotation and mirroring, copy its audio and subtitles, and
 * expect all its frames (for the ETA). The caller still picks the encoder,
 * CRF, preset and pixel format, and sets a range for excerpts.
 */
void
svd_writer_options_init_for_video (SvdWriterOptions   *options,
                                   const SvdVideoInfo *source)
{
  svd_writer_options_init (options);
  options->fps_num = source->avg_fps_num > 0 ? source->avg_fps_num : source->r_fps_num;
  options->fps_den = source->avg_fps_num > 0 ? source->avg_fps_den : source->r_fps_den;
  if (options->fps_num <= 0 || options->fps_den <= 0)
    {
      options->fps_num = (int) (source->fps * 1000 + 0.5);
      options->fps_den = 1000;
    }
  options->time_base_num = source->time_base_num;
  options->time_base_den = source->time_base_den;
  options->rotation = source->rotation;
  options->hflip = source->hflip;
  options->copy_from = source->path;
  options->frames_total = source->n_frames;
}

/**
 * svd_writer_list_encoders:
 *
 * Returns: (transfer full): the video encoders this FFmpeg build has among
 *   those SVD Studio knows, comma-separated, for error messages and --help.
 */
char *
svd_writer_list_encoders (void)
{
  static const char *known[] = { "libx264", "libx265", "libsvtav1", "libaom-av1", "libvpx-vp9", "ffv1" };
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (avcodec_find_encoder_by_name (known[i]) != NULL)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", known[i]);
  return g_string_free (s, FALSE);
}

static void
writer_abort (SvdWriter *self)
{
  if (self->oc != NULL && self->oc->pb != NULL)
    avio_closep (&self->oc->pb);
  if (self->temp_path != NULL && !self->finished)
    g_unlink (self->temp_path);
}

void
svd_writer_free (SvdWriter *self)
{
  if (self == NULL)
    return;
  writer_abort (self);
  avcodec_free_context (&self->enc);
  av_frame_free (&self->frame);
  av_packet_free (&self->pkt);
  av_packet_free (&self->copy_pkt);
  g_clear_pointer (&self->sws, sws_freeContext);
  avformat_close_input (&self->copy_in);
  if (self->oc != NULL)
    avformat_free_context (self->oc);
  g_free (self->copy_map);
  g_free (self->path);
  g_free (self->temp_path);
  g_free (self->encoder_name);
  g_free (self->copy_from);
  g_free (self->preset);
  g_free (self->pix_fmt);
  g_free (self);
}

const char *
svd_writer_get_temp_path (SvdWriter *self)
{
  return self->temp_path;
}

gint64
svd_writer_get_n_frames (SvdWriter *self)
{
  return self->n_frames;
}

const char *
svd_writer_get_encoder (SvdWriter *self)
{
  return self->encoder_name;
}

const char *
svd_writer_get_pix_fmt (SvdWriter *self)
{
  return self->enc ? av_get_pix_fmt_name (self->enc->pix_fmt) : NULL;
}

/* Fails the writer: deletes the temp file at once so nothing is left even
 * if the caller forgets to free. */
static gboolean
fail (SvdWriter *self)
{
  writer_abort (self);
  return FALSE;
}

static gboolean
add_copy_streams (SvdWriter  *self,
                  GError    **error)
{
  g_autoptr(GString) dropped = g_string_new (NULL);
  int n_video = 0;

  if (self->copy_from == NULL || (!self->options.copy_audio && !self->options.copy_subtitles))
    return TRUE;

  if (!svd_stream_copy_open (&self->copy_in, self->copy_from, self->options.allow_playlists, error))
    return FALSE;

  self->copy_map = g_new (int, self->copy_in->nb_streams);
  for (unsigned i = 0; i < self->copy_in->nb_streams; i++)
    {
      AVStream *in = self->copy_in->streams[i];
      enum AVMediaType type = in->codecpar->codec_type;

      self->copy_map[i] = -1;
      if (!((type == AVMEDIA_TYPE_AUDIO && self->options.copy_audio) ||
            (type == AVMEDIA_TYPE_SUBTITLE && self->options.copy_subtitles)))
        {
          /* Say what is left out that the user did not ask to leave out:
           * attachments (fonts), data streams, cover pictures and every
           * video stream but the first (the one re-encoded). */
          if (type == AVMEDIA_TYPE_ATTACHMENT || type == AVMEDIA_TYPE_DATA ||
              (type == AVMEDIA_TYPE_VIDEO && (n_video++ > 0 || (in->disposition & AV_DISPOSITION_ATTACHED_PIC))))
            {
              AVDictionaryEntry *fn = av_dict_get (in->metadata, "filename", NULL, 0);

              g_string_append_printf (dropped, "%sstream %u (%s%s%s%s%s)", dropped->len ? ", " : "", i,
                                      (in->disposition & AV_DISPOSITION_ATTACHED_PIC) ? "cover picture"
                                        : av_get_media_type_string (type) ? av_get_media_type_string (type) : "unknown",
                                      fn ? " “" : "", fn ? fn->value : "", fn ? "”" : "",
                                      type == AVMEDIA_TYPE_VIDEO ? ", not the video that is encoded" : "");
            }
          in->discard = AVDISCARD_ALL;
          continue;
        }
      if (!svd_stream_copy_add (self->oc, in, i, self->copy_from, &self->copy_map[i], error))
        return FALSE;
    }
  if (dropped->len > 0)
    g_warning ("Not copied from “%s” (SVD Studio copies audio and subtitles and encodes one video "
               "stream): %s", self->copy_from, dropped->str);
  self->copy_pkt = av_packet_alloc ();
  return TRUE;
}

/* Copies source packets whose time is before @until_us (all of them for
 * G_MAXINT64), within [start_us, end_us), shifted by offset_us. */
static gboolean
pump_copy (SvdWriter  *self,
           gint64      until_us,
           GError    **error)
{
  if (self->copy_in == NULL || self->copy_pkt == NULL)
    return TRUE;

  for (;;)
    {
      AVPacket *pkt = svd_stream_copy_peek (self->copy_in, self->copy_map, self->copy_pkt,
                                            &self->copy_pending, &self->copy_eof);
      AVStream *in, *out;
      gint64 t, pts_us;

      if (pkt == NULL)
        return TRUE;
      t = svd_stream_copy_time_us (self->copy_in, pkt);
      if (t != G_MININT64 && until_us != G_MAXINT64 && t > until_us)
        return TRUE;
      self->copy_pending = FALSE;

      in = self->copy_in->streams[pkt->stream_index];
      out = self->oc->streams[self->copy_map[pkt->stream_index]];
      pts_us = pkt->pts != AV_NOPTS_VALUE ? av_rescale_q (pkt->pts, in->time_base, AV_TIME_BASE_Q) : t;
      if (pts_us != G_MININT64 && (pts_us < self->options.start_us || pts_us >= self->options.end_us))
        {
          av_packet_unref (pkt);
          continue;
        }
      if (self->options.offset_us != 0)
        {
          gint64 shift = av_rescale_q (self->options.offset_us, AV_TIME_BASE_Q, in->time_base);

          if (pkt->pts != AV_NOPTS_VALUE)
            pkt->pts -= shift;
          if (pkt->dts != AV_NOPTS_VALUE)
            pkt->dts -= shift;
        }
      if (!svd_stream_copy_write (self->oc, in, out, pkt, self->path, error))
        return FALSE;
    }
}

/**
 * svd_writer_new:
 * @path: the output file; its extension picks the container
 * @options: the encoding options (see #SvdWriterOptions)
 * @error: return location for an error
 *
 * Checks the options and creates the temporary file next to @path. The
 * encoder opens with the first frame, whose size and format it takes.
 *
 * Returns: (transfer full) (nullable): a writer, or %NULL with @error set
 *   (unknown extension or encoder, unwritable folder…).
 */
SvdWriter *
svd_writer_new (const char              *path,
                const SvdWriterOptions  *options,
                GError                 **error)
{
  g_autoptr(SvdWriter) self = g_new0 (SvdWriter, 1);
  g_autofree char *dir = NULL;
  const char *name;
  int ret, fd;

  g_return_val_if_fail (path != NULL && options != NULL, NULL);

  svd_av_init_logging ();
  self->options = *options;
  self->path = g_strdup (path);
  self->copy_from = g_strdup (options->copy_from);
  self->options.copy_from = self->copy_from;
  /* Copies of the caller's strings, needed when the first frame comes. */
  self->preset = g_strdup (options->preset);
  self->pix_fmt = g_strdup (options->pix_fmt);
  self->options.encoder = NULL;
  self->options.preset = self->preset;
  self->options.pix_fmt = self->pix_fmt;
  self->last_pts = G_MININT64;

  if (options->fps_num <= 0 || options->fps_den <= 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Frame rate %d/%d is not valid", options->fps_num, options->fps_den);
      return NULL;
    }

  ret = avformat_alloc_output_context2 (&self->oc, NULL, NULL, path);
  if (ret < 0 || self->oc == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Cannot tell the container format from the name “%s”; "
                   "use an extension such as .mp4, .mkv, .webm or .mov", path);
      return NULL;
    }

  name = options->encoder;
  if (name == NULL)
    name = g_str_has_prefix (self->oc->oformat->name, "webm") ? "libvpx-vp9" : "libx264";
  name = resolve_encoder (name, path);
  self->codec = avcodec_find_encoder_by_name (name);
  if (self->codec == NULL || self->codec->type != AVMEDIA_TYPE_VIDEO)
    {
      g_autofree char *have = svd_writer_list_encoders ();

      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "This FFmpeg build has no video encoder “%s”. Available: %s", name, have);
      return NULL;
    }
  self->encoder_name = g_strdup (self->codec->name);
  if (avformat_query_codec (self->oc->oformat, self->codec->id, FF_COMPLIANCE_NORMAL) == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "A %s file cannot hold %s video; choose another encoder or extension "
                   "(.mkv takes every encoder)", self->oc->oformat->name, avcodec_get_name (self->codec->id));
      return NULL;
    }
  /* An out-of-range CRF is refused with the encoder's range, not clamped
   * or ignored (-1 means the encoder's default). */
  if (options->crf != -1 && self->codec->id != AV_CODEC_ID_FFV1)
    {
      const AVClass *pc = self->codec->priv_class;
      const AVOption *o = pc != NULL ? av_opt_find (&pc, "crf", NULL, 0, AV_OPT_SEARCH_FAKE_OBJ) : NULL;

      if (o == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "The %s encoder has no CRF setting; leave --crf out", self->codec->name);
          return NULL;
        }
      /* libx264 and libx265 declare an open float range and clamp to 51
       * themselves; the AV1 and VP9 encoders declare 0 to 63. */
      int max = (strcmp (self->codec->name, "libx264") == 0 || strcmp (self->codec->name, "libx265") == 0)
                ? 51 : (int) MIN (o->max, 63.0);

      if (options->crf < 0 || options->crf > max)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "CRF %d is out of range: %s takes 0 to %d", options->crf, self->codec->name, max);
          return NULL;
        }
    }
  if (options->pix_fmt != NULL && av_get_pix_fmt (options->pix_fmt) == AV_PIX_FMT_NONE)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Unknown pixel format “%s” (try yuv420p, yuv420p10le, yuv444p)", options->pix_fmt);
      return NULL;
    }

  /* Never the source itself, never a folder; the CLI has checked this
   * (and --force) before any work, this guards every other caller. */
  {
    const char *inputs[] = { options->copy_from, NULL };

    if (!svd_output_check (path, inputs, SVD_OUTPUT_FORCE, error))
      return NULL;
  }

  /* The temporary file: hidden, in the same folder, so the final rename is
   * atomic and on the same file system, and named after this process, so
   * the ones a killed run left behind are recognised and removed here. */
  svd_output_remove_stale_parts (path);
  dir = g_path_get_dirname (path);
  self->temp_path = svd_output_temp_template (path);
  fd = g_mkstemp_full (self->temp_path, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write into the folder “%s”: %s",
                   dir, g_strerror (saved));
      g_clear_pointer (&self->temp_path, g_free);
      return NULL;
    }
  close (fd);
  ret = avio_open (&self->oc->pb, self->temp_path, AVIO_FLAG_WRITE);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_IO, ret, "avio_open", "Cannot write “%s”", self->temp_path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* Containers whose muxer stores a display matrix (FFmpeg 5.1's Matroska
 * and WebM muxers drop it). */
static gboolean
container_keeps_rotation (const AVOutputFormat *ofmt)
{
  static const char *const keep[] = { "mov", "mp4", "ipod", "3gp", "3g2", "psp", "ismv", "f4v" };

  for (gsize i = 0; i < G_N_ELEMENTS (keep); i++)
    if (strcmp (ofmt->name, keep[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Applies the display transform to the pixels, for containers that cannot
 * store it: mirrored first (when @hflip), then turned by @rotation degrees
 * counter-clockwise as SvdVideoInfo.rotation. NULL (with no error) for a
 * layout that cannot be turned by 90 degrees in place (4:2:2 chroma). */
static SvdImage *
rotate_image (const SvdImage  *src,
              int              rotation,
              gboolean         hflip,
              GError         **error)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (src->format);
  gboolean quarter = rotation == 90 || rotation == 270;
  gsize es = (gsize) fi->bytes_per_sample * (fi->n_planes == 1 ? fi->samples_per_pixel : 1);
  SvdImage *dst;

  if (quarter && fi->chroma_shift_x != fi->chroma_shift_y)
    return NULL;
  dst = svd_image_new (src->format, quarter ? src->height : src->width, quarter ? src->width : src->height, error);
  if (dst == NULL)
    return NULL;
  dst->pts = src->pts;
  dst->frame_index = src->frame_index;
  dst->color = src->color;
  for (int p = 0; p < src->n_planes; p++)
    {
      int sw = src->plane_width[p], sh = src->plane_height[p];

      for (int y = 0; y < dst->plane_height[p]; y++)
        {
          guint8 *d = dst->data[p] + (gsize) y * dst->stride[p];

          for (int x = 0; x < dst->plane_width[p]; x++, d += es)
            {
              int sx, sy;

              /* Counter-clockwise turns: 90 takes the source's last column
               * as the first row. */
              switch (rotation)
                {
                case 90: sx = sw - 1 - y; sy = x; break;
                case 180: sx = sw - 1 - x; sy = sh - 1 - y; break;
                case 270: sx = y; sy = sh - 1 - x; break;
                default: sx = x; sy = y; break;
                }
              if (hflip)
                sx = sw - 1 - sx;
              memcpy (d, src->data[p] + (gsize) sy * src->stride[p] + (gsize) sx * es, es);
            }
        }
    }
  return dst;
}

static gboolean
pix_fmt_supported (const AVCodec      *codec,
                   enum AVPixelFormat  fmt)
{
  if (codec->pix_fmts == NULL)
    return TRUE;
  for (const enum AVPixelFormat *p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
    if (*p == fmt)
      return TRUE;
  return FALSE;
}

static gboolean
set_encoder_options (SvdWriter  *self,
                     GError    **error)
{
  void *priv = self->enc->priv_data;
  const char *name = self->codec->name;
  int ret;

  if (self->options.crf >= 0 && self->codec->id != AV_CODEC_ID_FFV1)
    {
      ret = priv ? av_opt_set_int (priv, "crf", self->options.crf, 0) : AVERROR_OPTION_NOT_FOUND;
      if (ret < 0)
        {
          svd_av_set_error (error, SVD_ERROR_INVALID_ARGUMENT, ret, "av_opt_set",
                            "Could not set CRF %d on the %s encoder", self->options.crf, name);
          return FALSE;
        }
      /* libvpx only does constant quality with no bitrate target. */
      if (g_str_has_prefix (name, "libvpx"))
        self->enc->bit_rate = 0;
    }

  if (self->options.preset != NULL)
    {
      ret = priv ? av_opt_set (priv, "preset", self->options.preset, 0) : AVERROR_OPTION_NOT_FOUND;
      if (ret == AVERROR_OPTION_NOT_FOUND && g_str_has_prefix (name, "libvpx"))
        {
          /* VP9 has no presets: a number is cpu-used, a word a deadline. */
          if (g_ascii_isdigit (self->options.preset[0]) || self->options.preset[0] == '-')
            ret = av_opt_set (priv, "cpu-used", self->options.preset, 0);
          else
            ret = av_opt_set (priv, "deadline", self->options.preset, 0);
        }
      if (ret < 0)
        {
          svd_av_set_error (error, SVD_ERROR_INVALID_ARGUMENT, ret, "av_opt_set",
                            "The %s encoder does not take the preset “%s”", name, self->options.preset);
          return FALSE;
        }
    }
  else if (g_str_has_prefix (name, "libvpx"))
    {
      /* libvpx's default (good, cpu-used 1) is very slow; 4 is the usual
       * trade-off for good quality at a usable speed. */
      av_opt_set (priv, "cpu-used", "4", 0);
    }

  if (g_str_has_prefix (name, "libvpx"))
    av_opt_set (priv, "row-mt", "1", 0);
  /* x265 prints to stderr by itself unless told not to. */
  if (g_strcmp0 (name, "libx265") == 0)
    av_opt_set (priv, "x265-params", "log-level=error", 0);
  return TRUE;
}

/* Opens the encoder and the output streams for frames like @image, and
 * writes the header. */
static gboolean
open_output (SvdWriter  *self,
             SvdImage   *image,
             GError    **error)
{
  enum AVPixelFormat src_fmt = svd_pixel_format_to_av (image->format);
  enum AVPixelFormat fmt;
  AVRational fps = { self->options.fps_num, self->options.fps_den };
  int ret;

  if (self->options.pix_fmt != NULL)
    {
      fmt = av_get_pix_fmt (self->options.pix_fmt);
      if (!pix_fmt_supported (self->codec, fmt))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "The %s encoder cannot take %s pixels", self->codec->name, self->options.pix_fmt);
          return FALSE;
        }
    }
  else
    {
      const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (image->format);

      fmt = src_fmt;
      /* RGB (the documented fallback) becomes 4:2:0 YUV like most video. */
      if (fmt == AV_PIX_FMT_NONE || !fi->is_yuv)
        fmt = fi->bit_depth > 8 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
      if (!pix_fmt_supported (self->codec, fmt))
        fmt = avcodec_find_best_pix_fmt_of_list (self->codec->pix_fmts, fmt, 0, NULL);
    }
  {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (fmt);

    if ((d->log2_chroma_w && (image->width & 1)) || (d->log2_chroma_h && (image->height & 1)))
      {
        if (self->codec->id == AV_CODEC_ID_H264 || self->codec->id == AV_CODEC_ID_HEVC ||
            self->codec->id == AV_CODEC_ID_AV1 || self->codec->id == AV_CODEC_ID_VP9)
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                         "%s cannot encode %dx%d in %s: subsampled chroma needs even sizes. "
                         "Use a 4:4:4 pixel format (yuv444p) or ffv1.",
                         self->codec->name, image->width, image->height, av_get_pix_fmt_name (fmt));
            return FALSE;
          }
      }
  }

  self->enc = avcodec_alloc_context3 (self->codec);
  if (self->enc == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory creating an encoder");
      return FALSE;
    }
  self->enc->width = image->width;
  self->enc->height = image->height;
  self->enc->pix_fmt = fmt;
  self->enc->framerate = fps;
  self->enc->sample_aspect_ratio = (AVRational) { 1, 1 };
  if (self->options.time_base_num > 0 && self->options.time_base_den > 0)
    self->enc->time_base = (AVRational) { self->options.time_base_num, self->options.time_base_den };
  else
    self->enc->time_base = av_inv_q (fps);
  self->enc->thread_count = self->options.threads;
  svd_color_info_to_av (&image->color, &self->enc->colorspace, &self->enc->color_range,
                        &self->enc->color_primaries, &self->enc->color_trc);
  /* RGB output (ffv1 gbrp, bgr0…) has no YUV matrix and is full range:
   * tagged bt709/tv it would be decoded as YUV-range RGB by players. */
  if (av_pix_fmt_desc_get (fmt)->flags & AV_PIX_FMT_FLAG_RGB)
    {
      self->enc->colorspace = AVCOL_SPC_RGB;
      self->enc->color_range = AVCOL_RANGE_JPEG;
    }
  if (self->oc->oformat->flags & AVFMT_GLOBALHEADER)
    self->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (!set_encoder_options (self, error))
    return FALSE;

  ret = avcodec_open2 (self->enc, self->codec, NULL);
  if (ret < 0)
    {
      /* Encoders check presets and CRF only here; EINVAL means a setting. */
      svd_av_set_error (error, ret == AVERROR (EINVAL) ? SVD_ERROR_INVALID_ARGUMENT : SVD_ERROR_ENCODE,
                        ret, "avcodec_open2",
                        "Could not open the %s encoder for %dx%d %s (preset %s, CRF %d); check the "
                        "preset, CRF and pixel format", self->codec->name,
                        image->width, image->height, av_get_pix_fmt_name (fmt),
                        self->options.preset ? self->options.preset : "default", self->options.crf);
      return FALSE;
    }

  self->vst = avformat_new_stream (self->oc, NULL);
  if (self->vst == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory adding a stream");
      return FALSE;
    }
  ret = avcodec_parameters_from_context (self->vst->codecpar, self->enc);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avcodec_parameters_from_context", "Setting up the video stream");
      return FALSE;
    }
  self->vst->time_base = self->enc->time_base;
  self->vst->avg_frame_rate = fps;
  self->vst->r_frame_rate = fps;
  if ((self->options.rotation % 360 != 0 || self->options.hflip) && !self->bake_rotation)
    {
      uint8_t *m = av_stream_new_side_data (self->vst, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof (int32_t));

      /* av_display_rotation_set() takes a clockwise angle while
       * av_display_rotation_get() (our rotation) reports counter-clockwise. */
      if (m != NULL)
        {
          av_display_rotation_set ((int32_t *) m, -(double) self->options.rotation);
          if (self->options.hflip)
            av_display_matrix_flip ((int32_t *) m, 1, 0);
        }
    }

  if (!add_copy_streams (self, error))
    return FALSE;

  ret = avformat_write_header (self->oc, NULL);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avformat_write_header",
                        "Could not start writing “%s”", self->path);
      return FALSE;
    }
  self->header_written = TRUE;

  self->pkt = av_packet_alloc ();
  if (fmt != src_fmt)
    {
      self->frame = av_frame_alloc ();
      if (self->frame == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory");
          return FALSE;
        }
      self->frame->format = fmt;
      self->frame->width = image->width;
      self->frame->height = image->height;
    }
  self->start_time = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
drain_packets (SvdWriter  *self,
               GError    **error)
{
  int ret;

  for (;;)
    {
      ret = avcodec_receive_packet (self->enc, self->pkt);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TRUE;
      if (ret < 0)
        {
          svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avcodec_receive_packet",
                            "The %s encoder failed", self->codec->name);
          return FALSE;
        }
      av_packet_rescale_ts (self->pkt, self->enc->time_base, self->vst->time_base);
      self->pkt->stream_index = self->vst->index;
      {
        gint64 t = self->pkt->dts != AV_NOPTS_VALUE ? self->pkt->dts : self->pkt->pts;
        gint64 until = av_rescale_q (t, self->vst->time_base, AV_TIME_BASE_Q)
                       + self->options.offset_us + COPY_LEAD_US;

        if (!pump_copy (self, until, error))
          {
            av_packet_unref (self->pkt);
            return FALSE;
          }
      }
      ret = av_interleaved_write_frame (self->oc, self->pkt);
      av_packet_unref (self->pkt);
      if (ret < 0)
        {
          svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "av_interleaved_write_frame",
                            "Writing video to “%s”", self->path);
          return FALSE;
        }
    }
}

static gboolean
check_cancel (SvdWriter  *self,
              GError    **error)
{
  if (self->options.cancellable != NULL && g_cancellable_is_cancelled (self->options.cancellable))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   "Writing “%s” was cancelled; nothing was written", self->path);
      return FALSE;
    }
  return TRUE;
}

static void
report_progress (SvdWriter *self,
                 gboolean   force)
{
  SvdWriterProgress p = { 0 };
  gint64 now = g_get_monotonic_time ();

  if (self->options.progress == NULL)
    return;
  /* At most ten reports a second, plus the last. */
  if (!force && now - self->last_progress < 100 * 1000)
    return;
  self->last_progress = now;
  p.frames_done = self->n_frames;
  p.frames_total = self->options.frames_total;
  p.elapsed_s = (now - self->start_time) / 1e6;
  p.fps = p.elapsed_s > 0 ? self->n_frames / p.elapsed_s : 0;
  p.eta_s = (p.frames_total > 0 && p.fps > 0) ? MAX (0, p.frames_total - p.frames_done) / p.fps : -1;
  self->options.progress (&p, self->options.progress_data);
}

/* Test hook (tests/reliability): SVD_FAULT_INJECT=encode-fail-at:N makes
 * the encoder refuse frame N (0-based) as a failing encoder or hardware
 * session would mid-export, so the tests can check that the error reaches
 * the user and that no output or temp file is left behind. */
static gboolean
fault_encode (SvdWriter *self)
{
  static gint64 fail_at = -1;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *f = g_getenv ("SVD_FAULT_INJECT");

      if (f != NULL && g_str_has_prefix (f, "encode-fail-at:"))
        fail_at = g_ascii_strtoll (f + strlen ("encode-fail-at:"), NULL, 10);
      g_once_init_leave (&once, 1);
    }
  return fail_at >= 0 && self->n_frames == fail_at;
}

/**
 * svd_writer_write:
 * @image: a frame, planar YUV as the engine produces; RGB images are
 *   accepted too and converted with swscale (the documented fallback until
 *   the engine produces YUV itself). Its pts (µs) is kept, minus
 *   @offset_us; frames without a pts are spaced at the nominal rate.
 *
 * Encodes one frame. All frames must have the size of the first.
 *
 * Returns: %FALSE with @error set on failure or cancellation; the temp file
 *   is then already deleted.
 */
gboolean
svd_writer_write (SvdWriter  *self,
                  SvdImage   *image,
                  GError    **error)
{
  g_autoptr(AVFrame) frame = NULL;
  g_autoptr(SvdImage) rotated = NULL;
  gint64 pts_us, pts;
  int ret;

  g_return_val_if_fail (self != NULL && image != NULL, FALSE);

  if (self->finished || self->temp_path == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "The writer is closed");
      return FALSE;
    }
  svd_fault_cancel_point (self->options.cancellable);
  if (!check_cancel (self, error))
    return fail (self);
  if (self->enc == NULL)
    {
      int r = ((self->options.rotation % 360) + 360) % 360;

      /* Matroska and WebM (as FFmpeg 5.1 writes them) lose the display
       * matrix, so the rotation goes into the pixels instead. */
      if ((r != 0 || self->options.hflip) && !container_keeps_rotation (self->oc->oformat))
        {
          g_autoptr(SvdImage) probe = rotate_image (image, r, self->options.hflip, error);

          if (probe == NULL && error != NULL && *error != NULL)
            return fail (self);
          self->bake_rotation = probe != NULL;
          if (probe == NULL)
            g_warning ("A %s file cannot store the clip's %d° rotation, and %s frames cannot be turned; "
                       "the output will play unrotated (use .mp4 or .mov to keep it)",
                       self->oc->oformat->name, r, svd_pixel_format_get_info (image->format)->name);
        }
    }
  if (self->bake_rotation)
    {
      rotated = rotate_image (image, ((self->options.rotation % 360) + 360) % 360, self->options.hflip, error);
      if (rotated == NULL)
        return fail (self);
      image = rotated;
    }
  if (self->enc == NULL && !open_output (self, image, error))
    return fail (self);
  if (image->width != self->enc->width || image->height != self->enc->height)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Frame %" G_GINT64_FORMAT " is %dx%d; the video is %dx%d",
                   self->n_frames, image->width, image->height, self->enc->width, self->enc->height);
      return fail (self);
    }

  frame = av_frame_alloc ();
  if (frame == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory");
      return fail (self);
    }
  frame->width = image->width;
  frame->height = image->height;
  frame->format = self->enc->pix_fmt;

  if (self->frame == NULL)
    {
      /* Same layout: hand the image's planes to the encoder. The frame is
       * not reference-counted, so libavcodec copies what it keeps. */
      for (int p = 0; p < image->n_planes; p++)
        {
          frame->data[p] = image->data[p];
          frame->linesize[p] = (int) image->stride[p];
        }
    }
  else
    {
      const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (image->format);
      const uint8_t *src[4] = { NULL };
      int src_stride[4] = { 0 };
      enum AVPixelFormat src_fmt = svd_pixel_format_to_av (image->format);
      int cs, src_full, dst_full;

      if (image->format == SVD_PIXEL_FORMAT_RGB_F32)
        {
          /* FFmpeg's planar float RGB stores G, B, R. */
          src_fmt = AV_PIX_FMT_GBRPF32LE;
          src[0] = image->data[1];
          src[1] = image->data[2];
          src[2] = image->data[0];
          src_stride[0] = (int) image->stride[1];
          src_stride[1] = (int) image->stride[2];
          src_stride[2] = (int) image->stride[0];
        }
      else
        for (int p = 0; p < image->n_planes; p++)
          {
            src[p] = image->data[p];
            src_stride[p] = (int) image->stride[p];
          }

      self->sws = sws_getCachedContext (self->sws, image->width, image->height, src_fmt,
                                        image->width, image->height, self->enc->pix_fmt,
                                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP,
                                        NULL, NULL, NULL);
      if (self->sws == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "Cannot convert %s frames to %s",
                       fi->name, av_get_pix_fmt_name (self->enc->pix_fmt));
          return fail (self);
        }
      /* Explicit matrix and range: YUV keeps its own; RGB is encoded with
       * the matrix and range the output is tagged with. */
      cs = image->color.matrix == SVD_COLOR_MATRIX_BT709 ? SWS_CS_ITU709 :
           image->color.matrix == SVD_COLOR_MATRIX_BT2020_NCL ? SWS_CS_BT2020 : SWS_CS_ITU601;
      src_full = fi->is_yuv ? image->color.range == SVD_COLOR_RANGE_FULL : 1;
      dst_full = self->enc->color_range == AVCOL_RANGE_JPEG;
      sws_setColorspaceDetails (self->sws, sws_getCoefficients (cs), src_full,
                                sws_getCoefficients (cs), dst_full, 0, 1 << 16, 1 << 16);
      ret = av_frame_get_buffer (frame, 0);
      if (ret < 0)
        {
          svd_av_set_error (error, SVD_ERROR_OUT_OF_MEMORY, ret, "av_frame_get_buffer", "Converting a frame");
          return fail (self);
        }
      sws_scale (self->sws, src, src_stride, 0, image->height, frame->data, frame->linesize);
    }

  frame->colorspace = self->enc->colorspace;
  frame->color_range = self->enc->color_range;
  frame->color_primaries = self->enc->color_primaries;
  frame->color_trc = self->enc->color_trc;

  if (image->pts != G_MININT64)
    pts_us = image->pts - self->options.offset_us;
  else
    pts_us = av_rescale (self->n_frames, (gint64) self->options.fps_den * 1000000, self->options.fps_num);
  pts = av_rescale_q (pts_us, AV_TIME_BASE_Q, self->enc->time_base);
  if (self->last_pts != G_MININT64 && pts <= self->last_pts)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Frame %" G_GINT64_FORMAT " has timestamp %" G_GINT64_FORMAT " µs, not after the "
                   "previous frame's; frames must come in presentation order",
                   self->n_frames, image->pts);
      return fail (self);
    }
  self->last_pts = pts;
  frame->pts = pts;

  ret = fault_encode (self) ? AVERROR_EXTERNAL : avcodec_send_frame (self->enc, frame);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avcodec_send_frame",
                        "The %s encoder refused frame %" G_GINT64_FORMAT, self->codec->name, self->n_frames);
      return fail (self);
    }
  if (!drain_packets (self, error))
    return fail (self);
  self->n_frames++;
  report_progress (self, FALSE);
  return TRUE;
}

/**
 * svd_writer_finish:
 *
 * Flushes the encoder, copies the rest of the audio and subtitles, writes
 * the trailer and renames the temporary file over the output.
 *
 * Returns: %FALSE with @error set on failure (the temp file is deleted and
 *   no output appears).
 */
gboolean
svd_writer_finish (SvdWriter  *self,
                   GError    **error)
{
  int ret;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->finished || self->temp_path == NULL || !g_file_test (self->temp_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "The writer is already closed");
      return FALSE;
    }
  if (!check_cancel (self, error))
    return fail (self);
  if (self->enc == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "No frame was written, so “%s” was not created", self->path);
      return fail (self);
    }

  ret = avcodec_send_frame (self->enc, NULL);
  if (ret < 0 && ret != AVERROR_EOF)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "avcodec_send_frame", "Flushing the %s encoder", self->codec->name);
      return fail (self);
    }
  if (!drain_packets (self, error))
    return fail (self);
  if (!pump_copy (self, G_MAXINT64, error))
    return fail (self);

  ret = av_write_trailer (self->oc);
  if (ret >= 0 && self->oc->pb->error < 0)
    ret = self->oc->pb->error;
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_ENCODE, ret, "av_write_trailer", "Finishing “%s”", self->path);
      return fail (self);
    }
  avio_flush (self->oc->pb);
  ret = self->oc->pb->error;
  if (ret >= 0)
    ret = avio_closep (&self->oc->pb);
  if (ret < 0)
    {
      svd_av_set_error (error, SVD_ERROR_IO, ret, "avio_close", "Writing “%s”", self->path);
      return fail (self);
    }
  if (!svd_output_replace (self->temp_path, self->path, error))
    return fail (self);
  self->finished = TRUE;
  report_progress (self, TRUE);
  return TRUE;
}
