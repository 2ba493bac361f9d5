/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-writer"

#include "media-test-utils.h"
#include "media/svd-writer.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

/* libx265 (3.5, Debian 12) leaks one block per 10-bit encoder it opens;
 * not ours. Read by LeakSanitizer in sanitizer builds, unused otherwise. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:x265_malloc\n";
}

static void
writer_options_for (SvdWriterOptions   *wo,
                    const SvdVideoInfo *info)
{
  svd_writer_options_init (wo);
  wo->fps_num = info->avg_fps_num;
  wo->fps_den = info->avg_fps_den;
  wo->time_base_num = info->time_base_num;
  wo->time_base_den = info->time_base_den;
  wo->copy_from = info->path;
  wo->frames_total = info->n_frames;
}

/* Frame timestamps (decoded frames, stream time base) as ffprobe sees them. */
static char *
frame_pts_list (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = media_test_run (&error, "ffprobe", "-v", "error", "-select_streams", "v:0",
                                         "-show_entries", "frame=best_effort_timestamp", "-of", "csv=p=0",
                                         path, NULL);
  g_auto(GStrv) lines = NULL;
  GString *s = g_string_new (NULL);

  g_assert_no_error (error);
  /* Frames with side data print extra fields and an empty line; keep the
   * timestamp of each frame only. */
  lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      char *comma = strchr (lines[i], ',');

      if (comma)
        *comma = '\0';
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        g_string_append_printf (s, "%s\n", lines[i]);
    }
  return g_string_free (s, FALSE);
}

/* Per-packet checksums of the first audio stream, with timestamps. */
static char *
audio_packets (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = media_test_run (&error, "ffmpeg", "-nostdin", "-v", "error", "-i", path,
                                         "-map", "0:a:0", "-c", "copy", "-f", "framemd5", "-", NULL);
  GString *s = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i]; i++)
    if (lines[i][0] != '#' && lines[i][0] != '\0')
      g_string_append_printf (s, "%s\n", lines[i]);
  return g_string_free (s, FALSE);
}

static guint
count_lines (const char *s)
{
  guint n = 0;

  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void
assert_dir_empty (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_error ("“%s” left behind in %s", name, dir);
}

static char *
fresh_dir (const char *name)
{
  char *dir = media_test_work_path (name);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;

  while (d != NULL && (n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_unlink (p);
    }
  g_mkdir_with_parents (dir, 0755);
  return dir;
}

/* The whole 720p H.264 clip re-encoded: same frame count and timestamps,
 * audio packets identical, decodes without an error. */
static void
test_transcode (void)
{
  g_autofree char *src = media_test_clip_path ("bbb_720p_5s_h264_aac.mp4");
  g_autofree char *out = media_test_work_path ("transcode.mp4");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pts_in = NULL, *pts_out = NULL, *a_in = NULL, *a_out = NULL, *decode_log = NULL;
  g_autofree char *rate = NULL, *space = NULL, *range = NULL;
  SvdWriterOptions wo;
  SvdImage *image = NULL;

  g_unlink (out);
  reader = svd_reader_open (src, NULL, &error);
  g_assert_no_error (error);
  writer_options_for (&wo, svd_reader_get_info (reader));
  wo.encoder = "x264";
  wo.preset = "ultrafast";
  wo.crf = 28;
  writer = svd_writer_new (out, &wo, &error);
  g_assert_no_error (error);
  /* Nothing appears under the final name until the end. */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (svd_writer_get_temp_path (writer), G_FILE_TEST_EXISTS));
  while (svd_reader_read (reader, &image, &error) && image != NULL)
    {
      g_assert_true (svd_writer_write (writer, image, &error));
      g_assert_no_error (error);
      svd_image_unref (image);
    }
  g_assert_no_error (error);
  g_assert_true (svd_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (svd_writer_get_temp_path (writer), G_FILE_TEST_EXISTS));

  pts_in = frame_pts_list (src);
  pts_out = frame_pts_list (out);
  g_assert_cmpuint (count_lines (pts_out), ==, 132);
  g_assert_cmpstr (pts_out, ==, pts_in);
  rate = media_test_ffprobe_value (out, "v:0", "stream=avg_frame_rate");
  g_assert_cmpstr (rate, ==, "25/1");
  /* Untagged 720p input is BT.709 limited; the output says so explicitly. */
  space = media_test_ffprobe_value (out, "v:0", "stream=color_space");
  range = media_test_ffprobe_value (out, "v:0", "stream=color_range");
  g_assert_cmpstr (space, ==, "bt709");
  g_assert_cmpstr (range, ==, "tv");

  a_in = audio_packets (src);
  a_out = audio_packets (out);
  g_test_message ("audio packets: %u in, %u out", count_lines (a_in), count_lines (a_out));
  g_assert_cmpuint (count_lines (a_in), ==, 249);
  g_assert_cmpstr (a_out, ==, a_in);

  decode_log = media_test_run (&error, "ffmpeg", "-nostdin", "-v", "error", "-i", out, "-f", "null", "-", NULL);
  g_assert_no_error (error);
}

/* An excerpt: frames 30 to 59 start where the source starts, the audio
 * is cut to them and shifted the same way. */
static void
test_excerpt (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *out = media_test_work_path ("excerpt.mkv");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pts_out = NULL;
  g_autofree char *a_start = NULL;
  g_auto(GStrv) lines = NULL;
  const SvdVideoInfo *info;
  SvdWriterOptions wo;

  reader = svd_reader_open (src, NULL, &error);
  g_assert_no_error (error);
  info = svd_reader_get_info (reader);
  writer_options_for (&wo, info);
  wo.encoder = "ffv1";
  wo.start_us = svd_reader_frame_pts_us (reader, 30);
  wo.end_us = svd_reader_frame_pts_us (reader, 60);
  wo.offset_us = wo.start_us - info->first_pts_us;
  writer = svd_writer_new (out, &wo, &error);
  g_assert_no_error (error);
  for (int i = 30; i < 60; i++)
    {
      g_autoptr(SvdImage) image = i == 30 ? svd_reader_seek_frame (reader, 30, &error) : NULL;

      if (image == NULL)
        g_assert_true (svd_reader_read (reader, &image, &error));
      g_assert_no_error (error);
      g_assert_cmpint (image->frame_index, ==, i);
      g_assert_true (svd_writer_write (writer, image, &error));
    }
  g_assert_true (svd_writer_finish (writer, &error));
  g_assert_no_error (error);

  pts_out = frame_pts_list (out);
  lines = g_strsplit (g_strstrip (pts_out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 30);
  /* Matroska counts in milliseconds: frame k of the excerpt is at k/24 s. */
  for (int k = 0; k < 30; k++)
    g_assert_cmpint (g_ascii_strtoll (lines[k], NULL, 10), ==, (k * 1000 + 12) / 24);
  a_start = media_test_ffprobe_value (out, "a:0", "stream=start_time");
  g_test_message ("excerpt audio starts at %s s", a_start);
  g_assert_cmpfloat (g_ascii_strtod (a_start, NULL), <, 0.05);
  g_assert_cmpfloat (g_ascii_strtod (a_start, NULL), >, -0.05);
  {
    g_autofree char *packets = audio_packets (out);

    /* 1.25 s of 44.1 kHz MP3 (1152 samples a packet): about 48 packets. */
    g_test_message ("excerpt audio packets: %u", count_lines (packets));
    g_assert_cmpuint (count_lines (packets), >=, 46);
    g_assert_cmpuint (count_lines (packets), <=, 50);
  }
}

/* ffv1 is lossless: what the writer encodes decodes back bit for bit,
 * 8-bit and odd-sized. Other encoders produce what was asked. */
static void
test_encoders (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *small = media_test_work_path ("small.mkv");
  g_autofree char *odd = media_test_work_path ("odd37.mkv");
  static const struct { const char *enc, *ext, *pix, *codec, *want_pix; int crf; } cases[] = {
    { "ffv1", "mkv", NULL, "ffv1", "yuv420p", -1 },
    { "x265", "mp4", "yuv420p10le", "hevc", "yuv420p10le", 30 },
    { "vp9", "webm", NULL, "vp9", "yuv420p", 40 },
    { "svtav1", "mkv", NULL, "av1", "yuv420p", 45 },
    { "x264", "mov", "yuv444p", "h264", "yuv444p", 30 },
  };

  media_test_ffmpeg ("-i", src, "-frames:v", "8", "-vf", "scale=160:90", "-c:v", "ffv1", "-c:a", "copy", small, NULL);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *name = g_strdup_printf ("enc-%s.%s", cases[c].enc, cases[c].ext);
      g_autofree char *out = media_test_work_path (name);
      g_autoptr(SvdReader) reader = svd_reader_open (small, NULL, NULL);
      g_autoptr(SvdWriter) writer = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *codec = NULL, *pix = NULL;
      SvdWriterOptions wo;
      SvdImage *image = NULL;

      g_autofree char *have = svd_writer_list_encoders ();

      if (g_strcmp0 (cases[c].enc, "svtav1") == 0 && !strstr (have, "libsvtav1"))
        {
          g_test_message ("no libsvtav1 in this FFmpeg; skipping that case");
          continue;
        }
      writer_options_for (&wo, svd_reader_get_info (reader));
      wo.encoder = cases[c].enc;
      wo.pix_fmt = cases[c].pix;
      wo.crf = cases[c].crf;
      /* VP9 in WebM cannot hold the source's MP3. */
      wo.copy_audio = g_strcmp0 (cases[c].ext, "webm") != 0;
      writer = svd_writer_new (out, &wo, &error);
      g_assert_no_error (error);
      while (svd_reader_read (reader, &image, &error) && image != NULL)
        {
          g_ptr_array_add (digests, media_test_image_digest (image));
          g_assert_true (svd_writer_write (writer, image, &error));
          g_assert_no_error (error);
          svd_image_unref (image);
        }
      g_assert_true (svd_writer_finish (writer, &error));
      g_assert_no_error (error);
      codec = media_test_ffprobe_value (out, "v:0", "stream=codec_name");
      pix = media_test_ffprobe_value (out, "v:0", "stream=pix_fmt");
      g_test_message ("%s → %s %s", cases[c].enc, codec, pix);
      g_assert_cmpstr (codec, ==, cases[c].codec);
      g_assert_cmpstr (pix, ==, cases[c].want_pix);
      {
        g_autoptr(SvdReader) back = svd_reader_open (out, NULL, &error);

        g_assert_no_error (error);
        g_assert_cmpint (svd_reader_get_info (back)->n_frames, ==, 8);
        if (g_strcmp0 (cases[c].enc, "ffv1") == 0)
          for (guint i = 0; i < digests->len; i++)
            {
              g_autoptr(SvdImage) f = svd_reader_seek_frame (back, i, &error);
              g_autofree char *d = media_test_image_digest (f);

              g_assert_cmpstr (d, ==, g_ptr_array_index (digests, i));
            }
      }
    }

  /* Odd size: x264 4:2:0 refuses with a clear message, ffv1 takes it. */
  media_test_ffmpeg ("-i", src, "-frames:v", "3", "-an", "-vf", "scale=37:53", "-c:v", "ffv1", odd, NULL);
  {
    g_autoptr(SvdReader) reader = svd_reader_open (odd, NULL, NULL);
    g_autoptr(SvdImage) image = svd_reader_seek_frame (reader, 0, NULL);
    g_autofree char *out = media_test_work_path ("odd-x264.mp4");
    g_autoptr(SvdWriter) writer = NULL;
    g_autoptr(GError) error = NULL;
    SvdWriterOptions wo;

    writer_options_for (&wo, svd_reader_get_info (reader));
    wo.encoder = "x264";
    writer = svd_writer_new (out, &wo, &error);
    g_assert_no_error (error);
    g_assert_false (svd_writer_write (writer, image, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
    g_test_message ("%s", error->message);
    g_assert_false (g_file_test (svd_writer_get_temp_path (writer), G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
}

/* RGB input is the documented fallback: converted with the output's
 * matrix (BT.601 limited for this small frame). */
static void
test_rgb_fallback (void)
{
  g_autofree char *out = media_test_work_path ("rgb.mkv");
  g_autoptr(SvdImage) rgb = svd_image_new (SVD_PIXEL_FORMAT_RGB8, 64, 32, NULL);
  g_autoptr(SvdWriter) writer = NULL;
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdImage) back = NULL;
  g_autoptr(GError) error = NULL;
  SvdWriterOptions wo;
  double max_err = 0;

  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 64; x++)
      {
        guint8 *p = rgb->data[0] + y * rgb->stride[0] + x * 3;

        p[0] = x * 4;
        p[1] = y * 8;
        p[2] = 255 - x * 2;
      }
  svd_color_info_init_default (&rgb->color, SVD_PIXEL_FORMAT_YUV420P8, 32);
  rgb->pts = 0;
  svd_writer_options_init (&wo);
  wo.encoder = "ffv1";
  wo.pix_fmt = "yuv444p";
  writer = svd_writer_new (out, &wo, &error);
  g_assert_no_error (error);
  g_assert_true (svd_writer_write (writer, rgb, &error));
  g_assert_true (svd_writer_finish (writer, &error));
  g_assert_no_error (error);
  reader = svd_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  back = svd_reader_seek_frame (reader, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->format, ==, SVD_PIXEL_FORMAT_YUV444P8);
  g_assert_cmpint (back->color.matrix, ==, SVD_COLOR_MATRIX_BT601);
  g_assert_true (!svd_reader_get_info (reader)->color_guessed);
  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 64; x++)
      {
        guint8 *p = rgb->data[0] + y * rgb->stride[0] + x * 3;
        double luma = 16 + 219 * (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255.0;

        max_err = MAX (max_err, ABS (luma - back->data[0][y * back->stride[0] + x]));
      }
  g_test_message ("RGB → BT.601 limited Y: max error %.2f", max_err);
  g_assert_cmpfloat (max_err, <=, 1.0);
}

typedef struct {
  GCancellable *cancellable;
  gint64        cancel_at;
  gint64        calls;
} CancelData;

static void
cancel_progress_cb (const SvdWriterProgress *p,
                    gpointer                 data)
{
  CancelData *cd = data;

  cd->calls++;
  g_assert_cmpint (p->frames_total, ==, 40);
  g_assert_cmpfloat (p->fps, >=, 0);
  if (p->frames_done >= cd->cancel_at)
    g_cancellable_cancel (cd->cancellable);
}

/* Cancelling at random points leaves no file at all. */
static void
test_cancel (void)
{
  g_autofree char *src = media_test_clip_path ("bbb_360p_10s_hevc_aac.mp4");
  g_autofree char *dir = fresh_dir ("cancel");

  for (int round = 0; round < 4; round++)
    {
      g_autofree char *out = g_build_filename (dir, "cancelled.mp4", NULL);
      g_autoptr(SvdReader) reader = svd_reader_open (src, NULL, NULL);
      g_autoptr(SvdWriter) writer = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      CancelData cd = { cancellable, g_test_rand_int_range (1, 40), 0 };
      SvdWriterOptions wo;
      gboolean ok = TRUE;
      gint64 written = 0;

      writer_options_for (&wo, svd_reader_get_info (reader));
      wo.encoder = "x264";
      wo.preset = "ultrafast";
      wo.frames_total = 40;
      wo.cancellable = cancellable;
      wo.progress = cancel_progress_cb;
      wo.progress_data = &cd;
      writer = svd_writer_new (out, &wo, &error);
      g_assert_no_error (error);
      if (round == 3)
        cd.cancel_at = 40; /* cancelled right before finishing */
      for (int i = 0; i < 40 && ok; i++)
        {
          g_autoptr(SvdImage) image = NULL;

          g_assert_true (svd_reader_read (reader, &image, &error));
          /* Progress reports are rate-limited, so also cancel here. */
          if (i >= cd.cancel_at)
            g_cancellable_cancel (cancellable);
          ok = svd_writer_write (writer, image, &error);
          written += ok;
        }
      if (ok)
        {
          g_cancellable_cancel (cancellable);
          ok = svd_writer_finish (writer, &error);
        }
      g_test_message ("round %d: cancelled after %" G_GINT64_FORMAT " frames", round, written);
      g_assert_false (ok);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_pointer (&writer, svd_writer_free);
      assert_dir_empty (dir);
    }
}

/* A full disk (here: a file size limit) gives a clear error and no file. */
static void
test_disk_full (void)
{
  g_autofree char *dir = fresh_dir ("diskfull");

  if (g_test_subprocess ())
    {
      g_autofree char *src = media_test_clip_path ("bbb_720p_5s_h264_aac.mp4");
      g_autofree char *out = g_build_filename (dir, "full.mkv", NULL);
      g_autoptr(SvdReader) reader = svd_reader_open (src, NULL, NULL);
      g_autoptr(SvdWriter) writer = NULL;
      g_autoptr(GError) error = NULL;
      struct rlimit lim = { 300 * 1024, 300 * 1024 };
      SvdWriterOptions wo;
      gboolean ok = TRUE;
      SvdImage *image = NULL;

      /* Past the limit write() fails with EFBIG instead of killing us. */
      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &lim), ==, 0);
      writer_options_for (&wo, svd_reader_get_info (reader));
      wo.encoder = "ffv1"; /* lossless: about 1 MB a frame */
      writer = svd_writer_new (out, &wo, &error);
      g_assert_no_error (error);
      while (ok && svd_reader_read (reader, &image, &error) && image != NULL)
        {
          ok = svd_writer_write (writer, image, &error);
          svd_image_unref (image);
        }
      if (ok)
        ok = svd_writer_finish (writer, &error);
      g_assert_false (ok);
      g_printerr ("error: %s\n", error->message);
      g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "disk is full"));
      g_clear_pointer (&writer, svd_writer_free);
      assert_dir_empty (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*disk is full*");
  assert_dir_empty (dir);
}

/* Wrong settings and paths give clear errors and leave nothing. */
static void
test_errors (void)
{
  g_autofree char *src = media_test_clip_path ("bbb_720p_5s_h264_aac.mp4");
  g_autofree char *dir = fresh_dir ("errors");
  g_autoptr(SvdReader) reader = svd_reader_open (src, NULL, NULL);
  g_autoptr(SvdImage) image = svd_reader_seek_frame (reader, 3, NULL);
  g_autoptr(GError) error = NULL;
  SvdWriterOptions wo;
  SvdWriter *w;

  writer_options_for (&wo, svd_reader_get_info (reader));

  {
    g_autofree char *p = g_build_filename (dir, "out.xyz", NULL);
    w = svd_writer_new (p, &wo, &error);
    g_assert_null (w);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  {
    g_autofree char *p = g_build_filename (dir, "no-such-folder", "out.mp4", NULL);
    w = svd_writer_new (p, &wo, &error);
    g_assert_null (w);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }
  {
    g_autofree char *p = g_build_filename (dir, "out.mp4", NULL);
    SvdWriterOptions o = wo;

    o.encoder = "realmedia9000";
    w = svd_writer_new (p, &o, &error);
    g_assert_null (w);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "libx264"));
    g_clear_error (&error);
  }
  {
    /* AAC cannot go into WebM: said before anything is encoded. */
    g_autofree char *p = g_build_filename (dir, "out.webm", NULL);
    SvdWriterOptions o = wo;

    o.encoder = "vp9";
    w = svd_writer_new (p, &o, &error);
    g_assert_no_error (error);
    g_assert_false (svd_writer_write (w, image, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "aac"));
    g_clear_error (&error);
    svd_writer_free (w);
  }
  {
    g_autofree char *p = g_build_filename (dir, "out.mkv", NULL);
    SvdWriterOptions o = wo;

    o.encoder = "x264";
    o.preset = "warp-speed";
    w = svd_writer_new (p, &o, &error);
    g_assert_no_error (error);
    g_assert_false (svd_writer_write (w, image, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    svd_writer_free (w);
  }
  {
    /* No frame: no file; frames out of order: an error. */
    g_autofree char *p = g_build_filename (dir, "out.mkv", NULL);

    w = svd_writer_new (p, &wo, &error);
    g_assert_no_error (error);
    g_assert_false (svd_writer_finish (w, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    svd_writer_free (w);

    w = svd_writer_new (p, &wo, &error);
    g_assert_true (svd_writer_write (w, image, &error));
    g_assert_false (svd_writer_write (w, image, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    svd_writer_free (w);
  }
  assert_dir_empty (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  media_test_require_ffmpeg ();

  g_test_add_func ("/media/writer/transcode", test_transcode);
  g_test_add_func ("/media/writer/excerpt", test_excerpt);
  g_test_add_func ("/media/writer/encoders", test_encoders);
  g_test_add_func ("/media/writer/rgb-fallback", test_rgb_fallback);
  g_test_add_func ("/media/writer/cancel", test_cancel);
  g_test_add_func ("/media/writer/disk-full", test_disk_full);
  g_test_add_func ("/media/writer/errors", test_errors);
  return g_test_run ();
}
