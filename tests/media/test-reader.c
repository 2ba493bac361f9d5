/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-reader"

#include "media-test-utils.h"

#include <stdio.h>
#include <string.h>

static gint64
tb_to_us (gint64 ts,
          int    num,
          int    den)
{
  /* Round to nearest, as av_rescale_q does; computed here without FFmpeg. */
  __int128 n = (__int128) ts * num * 1000000;
  __int128 r = n >= 0 ? (n + den / 2) / den : -((-n + den / 2) / den);

  return (gint64) r;
}

static SvdReader *
open_clip (const char *name)
{
  g_autofree char *path = media_test_clip_path (name);
  g_autoptr(GError) error = NULL;
  SvdReader *reader = svd_reader_open (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reader);
  return reader;
}

/* Frame counts, timestamps, size, rates and streams against ffprobe. */
static void
test_probe (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = media_test_clip_path (name);
  g_autoptr(SvdReader) reader = open_clip (name);
  const SvdVideoInfo *info = svd_reader_get_info (reader);
  g_autoptr(GArray) pts = NULL;
  g_autofree char *w = media_test_ffprobe_value (path, "v:0", "stream=width");
  g_autofree char *h = media_test_ffprobe_value (path, "v:0", "stream=height");
  g_autofree char *avg = media_test_ffprobe_value (path, "v:0", "stream=avg_frame_rate");
  g_autofree char *rfr = media_test_ffprobe_value (path, "v:0", "stream=r_frame_rate");
  g_autofree char *codec = media_test_ffprobe_value (path, "v:0", "stream=codec_name");
  g_autofree char *pixfmt = media_test_ffprobe_value (path, "v:0", "stream=pix_fmt");
  g_autofree char *avg_ours = g_strdup_printf ("%d/%d", info->avg_fps_num, info->avg_fps_den);
  g_autofree char *r_ours = g_strdup_printf ("%d/%d", info->r_fps_num, info->r_fps_den);
  g_autofree char *types = NULL;
  g_autoptr(GError) error = NULL;
  int num = 0, den = 0;

  g_assert_cmpint (info->width, ==, atoi (w));
  g_assert_cmpint (info->height, ==, atoi (h));
  g_assert_cmpstr (avg_ours, ==, avg);
  g_assert_cmpstr (r_ours, ==, rfr);
  g_assert_cmpstr (info->codec, ==, codec);
  g_assert_cmpstr (info->source_pix_fmt, ==, pixfmt);
  g_assert_false (info->converted);
  g_assert_cmpint (info->format, ==, SVD_PIXEL_FORMAT_YUV420P8);
  g_assert_false (info->vfr);
  g_assert_cmpint (info->rotation, ==, 0);

  pts = media_test_ffprobe_frame_pts (path, &num, &den);
  g_test_message ("%s: %u frames (ffprobe decoded %u), %.3f fps", name,
                  (guint) info->n_frames, pts->len, info->fps);
  g_assert_cmpint (info->n_frames, ==, pts->len);
  g_assert_cmpint (info->time_base_num, ==, num);
  g_assert_cmpint (info->time_base_den, ==, den);
  for (guint i = 0; i < pts->len; i++)
    g_assert_cmpint (svd_reader_frame_pts_us (reader, i), ==,
                     tb_to_us (g_array_index (pts, gint64, i), num, den));
  g_assert_cmpint (info->first_pts_us, ==, tb_to_us (g_array_index (pts, gint64, 0), num, den));
  g_assert_cmpfloat_with_epsilon (info->fps, (double) atoi (avg) / atoi (strchr (avg, '/') + 1), 1e-9);

  /* Every stream, with the codec and type ffprobe names. */
  types = media_test_run (&error, "ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_type,codec_name", "-of", "csv=p=0", path, NULL);
  g_assert_no_error (error);
  {
    g_auto(GStrv) lines = g_strsplit (g_strstrip (types), "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, info->streams->len);
    for (guint i = 0; i < info->streams->len; i++)
      {
        SvdStreamInfo *s = g_ptr_array_index (info->streams, i);
        g_autofree char *ours = g_strdup_printf ("%s,%s", s->codec, svd_stream_type_name (s->type));

        g_assert_cmpstr (ours, ==, lines[i]);
      }
  }

  /* Sequential decoding yields exactly the indexed frames, in order, with
   * the indexed timestamps; frame 60 (or the last) matches ffmpeg's own
   * decode byte for byte. */
  {
    gint64 check = MIN (60, info->n_frames - 1);
    gint64 n = 0;
    SvdImage *image = NULL;

    while (svd_reader_read (reader, &image, &error) && image != NULL)
      {
        g_assert_cmpint (image->frame_index, ==, n);
        g_assert_cmpint (image->pts, ==, svd_reader_frame_pts_us (reader, n));
        g_assert_cmpint (image->width, ==, info->width);
        g_assert_cmpint (image->format, ==, SVD_PIXEL_FORMAT_YUV420P8);
        if (n == check)
          {
            g_autoptr(GBytes) ours = media_test_image_bytes (image);
            g_autoptr(GBytes) theirs = media_test_ffmpeg_raw_frame (path, check, "yuv420p");

            g_assert_true (g_bytes_equal (ours, theirs));
          }
        svd_image_unref (image);
        n++;
        /* The WebM clip is 30 s; 200 frames are plenty for this check. */
        if (n >= 200)
          break;
      }
    g_assert_no_error (error);
    g_assert_cmpint (n, ==, MIN (200, info->n_frames));
  }
}

/* Seeking to frame N, by index or by time, gives exactly the frame N of a
 * sequential decode: same pixels, pts and index. */
static void
test_seek (gconstpointer data)
{
  const char *name = data;
  g_autoptr(SvdReader) seq = open_clip (name);
  g_autoptr(SvdReader) reader = open_clip (name);
  const SvdVideoInfo *info = svd_reader_get_info (seq);
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  SvdImage *image = NULL;
  gint64 n = info->n_frames;

  while (svd_reader_read (seq, &image, &error) && image != NULL)
    {
      g_assert_cmpint (image->frame_index, ==, digests->len);
      g_ptr_array_add (digests, media_test_image_digest (image));
      svd_image_unref (image);
    }
  g_assert_no_error (error);
  g_assert_cmpint (digests->len, ==, n);

  {
    gint64 fixed[] = { n - 1, 0, n / 2, n - 2, 1 };

    for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
      g_array_append_val (targets, fixed[i]);
    for (int i = 0; i < 8; i++)
      {
        gint64 t = g_test_rand_int_range (0, (gint32) n);
        g_array_append_val (targets, t);
      }
  }

  for (guint i = 0; i < targets->len; i++)
    {
      gint64 t = g_array_index (targets, gint64, i);
      g_autoptr(SvdImage) by_index = svd_reader_seek_frame (reader, t, &error);
      g_autofree char *d1 = NULL;
      g_autoptr(SvdImage) next = NULL;

      g_assert_no_error (error);
      d1 = media_test_image_digest (by_index);
      g_test_message ("%s: frame %" G_GINT64_FORMAT " by index", name, t);
      g_assert_cmpint (by_index->frame_index, ==, t);
      g_assert_cmpint (by_index->pts, ==, svd_reader_frame_pts_us (reader, t));
      g_assert_cmpstr (d1, ==, g_ptr_array_index (digests, t));

      /* Reading on continues with the next frame. */
      g_assert_true (svd_reader_read (reader, &next, &error));
      g_assert_no_error (error);
      if (t + 1 < n)
        {
          g_autofree char *d2 = media_test_image_digest (next);

          g_assert_cmpint (next->frame_index, ==, t + 1);
          g_assert_cmpstr (d2, ==, g_ptr_array_index (digests, t + 1));
        }
      else
        g_assert_null (next);
    }

  /* By time: the exact pts, and a time inside the frame's interval. */
  for (guint i = 0; i < targets->len; i++)
    {
      gint64 t = g_array_index (targets, gint64, i);
      gint64 us = svd_reader_frame_pts_us (reader, t);
      gint64 mid = us + svd_reader_frame_duration_us (reader, t) / 2;
      g_autoptr(SvdImage) a = svd_reader_seek_time (reader, i % 2 ? mid : us, &error);
      g_autofree char *d = NULL;

      g_assert_no_error (error);
      d = media_test_image_digest (a);
      g_assert_cmpint (a->frame_index, ==, t);
      g_assert_cmpstr (d, ==, g_ptr_array_index (digests, t));
    }

  g_assert_null (svd_reader_seek_frame (reader, n, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
}

/* Open GOPs and B-pyramids: x264 open-gop (non-IDR key frames whose
 * leading B-frames reference the previous GOP) and x265 CRA pictures with
 * RASL leading pictures, both with short GOPs so seeks land on them. */
static void
seek_open_gop_case (const char *name,
                    const char *codec,
                    const char *params_opt,
                    const char *params)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *clip = media_test_work_path (name);
  g_autoptr(SvdReader) seq = NULL;
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  SvdImage *image = NULL;

  media_test_ffmpeg ("-i", src, "-frames:v", "72", "-an", "-vf", "scale=320:180",
                     "-c:v", codec, "-preset", "ultrafast", params_opt, params, clip, NULL);
  seq = svd_reader_open (clip, NULL, &error);
  g_assert_no_error (error);
  reader = svd_reader_open (clip, NULL, &error);
  g_assert_no_error (error);
  while (svd_reader_read (seq, &image, &error) && image != NULL)
    {
      g_ptr_array_add (digests, media_test_image_digest (image));
      svd_image_unref (image);
    }
  g_assert_cmpint (digests->len, ==, svd_reader_get_info (seq)->n_frames);
  g_assert_cmpint (digests->len, ==, 72);
  for (int i = 0; i < 30; i++)
    {
      gint64 t = i == 0 ? (gint64) digests->len - 1 : g_test_rand_int_range (0, (gint32) digests->len);
      g_autoptr(SvdImage) a = svd_reader_seek_frame (reader, t, &error);
      g_autofree char *d = NULL;

      g_assert_no_error (error);
      d = media_test_image_digest (a);
      g_assert_cmpstr (d, ==, g_ptr_array_index (digests, t));
    }
  /* Every frame in backward order: each seek lands on a key frame. */
  for (gint64 t = digests->len - 1; t >= 0; t -= 5)
    {
      g_autoptr(SvdImage) a = svd_reader_seek_frame (reader, t, &error);
      g_autofree char *d = NULL;

      g_assert_no_error (error);
      d = media_test_image_digest (a);
      g_assert_cmpstr (d, ==, g_ptr_array_index (digests, t));
    }
}

static void
test_seek_open_gop (void)
{
  seek_open_gop_case ("open-gop-h264.mkv", "libx264", "-x264-params",
                      "open-gop=1:keyint=12:min-keyint=12:scenecut=0:bframes=3:b-pyramid=normal:log-level=none");
  seek_open_gop_case ("open-gop-hevc.mkv", "libx265", "-x265-params",
                      "open-gop=1:keyint=12:min-keyint=12:scenecut=0:bframes=4:log-level=none");
}

/* A 10-bit clip is read as 10-bit planes without conversion, and its
 * pixels equal ffmpeg's decode. */
static void
test_10bit (void)
{
  g_autofree char *src = media_test_clip_path ("bbb_720p_5s_h264_aac.mp4");
  g_autofree char *clip = media_test_work_path ("tenbit.mkv");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdImage) image = NULL;
  g_autoptr(GBytes) ours = NULL, theirs = NULL;
  g_autoptr(GError) error = NULL;

  media_test_ffmpeg ("-i", src, "-frames:v", "10", "-an", "-vf", "scale=320:180",
                     "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none",
                     "-pix_fmt", "yuv420p10le", "-color_primaries", "bt2020", "-color_trc", "smpte2084",
                     "-colorspace", "bt2020nc", "-color_range", "tv", clip, NULL);
  reader = svd_reader_open (clip, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_reader_get_info (reader)->format, ==, SVD_PIXEL_FORMAT_YUV420P10);
  g_assert_cmpint (svd_reader_get_info (reader)->bit_depth, ==, 10);
  g_assert_false (svd_reader_get_info (reader)->converted);
  image = svd_reader_seek_frame (reader, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->format, ==, SVD_PIXEL_FORMAT_YUV420P10);
  g_assert_cmpint (image->color.matrix, ==, SVD_COLOR_MATRIX_BT2020_NCL);
  g_assert_cmpint (image->color.primaries, ==, SVD_COLOR_PRIMARIES_BT2020);
  g_assert_cmpint (image->color.transfer, ==, SVD_COLOR_TRANSFER_PQ);
  g_assert_cmpint (image->color.range, ==, SVD_COLOR_RANGE_LIMITED);
  ours = media_test_image_bytes (image);
  theirs = media_test_ffmpeg_raw_frame (clip, 7, "yuv420p10le");
  g_assert_true (g_bytes_equal (ours, theirs));
}

/* Odd sizes: chroma rounds up; full range is carried. */
static void
test_odd_size (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *clip = media_test_work_path ("odd.mkv");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdImage) image = NULL;
  g_autoptr(GBytes) ours = NULL, theirs = NULL;
  g_autoptr(GError) error = NULL;

  media_test_ffmpeg ("-i", src, "-frames:v", "6", "-an", "-vf", "scale=37:53",
                     "-c:v", "ffv1", "-pix_fmt", "yuv420p", "-color_range", "pc", clip, NULL);
  reader = svd_reader_open (clip, NULL, &error);
  g_assert_no_error (error);
  image = svd_reader_seek_frame (reader, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 37);
  g_assert_cmpint (image->height, ==, 53);
  g_assert_cmpint (image->plane_width[1], ==, 19);
  g_assert_cmpint (image->plane_height[1], ==, 27);
  g_assert_cmpint (image->color.range, ==, SVD_COLOR_RANGE_FULL);
  /* Untagged matrix on small video: BT.601, as players guess. */
  g_assert_true (svd_reader_get_info (reader)->color_guessed);
  g_assert_cmpint (image->color.matrix, ==, SVD_COLOR_MATRIX_BT601);
  ours = media_test_image_bytes (image);
  theirs = media_test_ffmpeg_raw_frame (clip, 4, "yuv420p");
  g_assert_true (g_bytes_equal (ours, theirs));
}

/* Rotation from the display matrix, as ffprobe reports it. */
static void
test_rotation (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *plain = media_test_work_path ("rot-plain.mp4");
  g_autofree char *clip = media_test_work_path ("rot.mp4");
  g_autofree char *rot = NULL;
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  media_test_ffmpeg ("-i", src, "-frames:v", "5", "-an", "-c:v", "libx264", "-preset", "ultrafast",
                     plain, NULL);
  /* FFmpeg 5.1 has no -display_rotation; the mp4 muxer turns the rotate
   * tag into a display matrix when stream-copying. */
  media_test_ffmpeg ("-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", clip, NULL);
  rot = media_test_ffprobe_value (clip, "v:0", "stream_side_data=rotation");
  reader = svd_reader_open (clip, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("ffprobe rotation %s, ours %d", rot, svd_reader_get_info (reader)->rotation);
  g_assert_cmpint (svd_reader_get_info (reader)->rotation, ==, ((atoi (rot) % 360) + 360) % 360);
  g_assert_cmpint (svd_reader_get_info (reader)->rotation, !=, 0);
  g_assert_false (svd_reader_get_info (reader)->hflip);
}

/* Formats the engine cannot take are converted once: nv12 to yuv420p is
 * lossless, so it must equal ffmpeg's own yuv420p output; rgb24 becomes
 * 10-bit 4:4:4 full range. */
static void
test_converted_formats (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *nv12 = media_test_work_path ("nv12.nut");
  g_autofree char *rgb = media_test_work_path ("rgb.nut");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdImage) image = NULL;
  g_autoptr(GBytes) ours = NULL, theirs = NULL;
  g_autoptr(GError) error = NULL;

  media_test_ffmpeg ("-i", src, "-frames:v", "4", "-an", "-vf", "scale=64:36",
                     "-c:v", "rawvideo", "-pix_fmt", "nv12", nv12, NULL);
  reader = svd_reader_open (nv12, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (svd_reader_get_info (reader)->converted);
  g_assert_cmpint (svd_reader_get_info (reader)->format, ==, SVD_PIXEL_FORMAT_YUV420P8);
  image = svd_reader_seek_frame (reader, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->format, ==, SVD_PIXEL_FORMAT_YUV420P8);
  ours = media_test_image_bytes (image);
  theirs = media_test_ffmpeg_raw_frame (nv12, 2, "yuv420p");
  g_assert_true (g_bytes_equal (ours, theirs));
  g_clear_pointer (&image, svd_image_unref);
  g_clear_pointer (&reader, svd_reader_free);

  media_test_ffmpeg ("-i", src, "-frames:v", "2", "-an", "-vf", "scale=64:36",
                     "-c:v", "rawvideo", "-pix_fmt", "rgb24", rgb, NULL);
  reader = svd_reader_open (rgb, NULL, &error);
  g_assert_no_error (error);
  image = svd_reader_seek_frame (reader, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->format, ==, SVD_PIXEL_FORMAT_YUV444P10);
  g_assert_cmpint (image->color.range, ==, SVD_COLOR_RANGE_FULL);
  g_assert_cmpint (image->color.matrix, ==, SVD_COLOR_MATRIX_BT709);
  {
    /* Check the matrix: Y of a pixel equals BT.709 luma of ffmpeg's RGB. */
    g_autoptr(GBytes) rgbbytes = media_test_ffmpeg_raw_frame (rgb, 1, "rgb24");
    const guint8 *px = g_bytes_get_data (rgbbytes, NULL);
    double max_err = 0;

    for (int y = 0; y < 36; y++)
      for (int x = 0; x < 64; x++)
        {
          const guint8 *c = px + (y * 64 + x) * 3;
          double luma = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255.0 * 1023.0;
          guint16 v = ((guint16 *) (image->data[0] + y * image->stride[0]))[x];

          max_err = MAX (max_err, ABS (luma - v));
        }
    g_test_message ("rgb24 -> yuv444p10 full BT.709: max luma error %.2f (10-bit codes)", max_err);
    g_assert_cmpfloat (max_err, <, 2.0);
  }
}

/* Variable frame rate: detected, and timestamps and seeks follow the
 * real times (ffprobe as the oracle). */
static void
test_vfr (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *clip = media_test_work_path ("vfr.mkv");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdReader) seq = NULL;
  g_autoptr(GArray) pts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
  SvdImage *image = NULL;
  int num = 0, den = 0;

  /* Timestamps rewritten so frame durations vary. */
  media_test_ffmpeg ("-i", src, "-frames:v", "20", "-an", "-vf",
                     "scale=160:90,setpts='if(lt(N,10),N/25,0.4+(N-10)/10)/TB'",
                     "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", clip, NULL);
  reader = svd_reader_open (clip, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (svd_reader_get_info (reader)->vfr);
  pts = media_test_ffprobe_frame_pts (clip, &num, &den);
  g_assert_cmpint (svd_reader_get_info (reader)->n_frames, ==, pts->len);
  for (guint i = 0; i < pts->len; i++)
    g_assert_cmpint (svd_reader_frame_pts_us (reader, i), ==, tb_to_us (g_array_index (pts, gint64, i), num, den));
  seq = svd_reader_open (clip, NULL, &error);
  while (svd_reader_read (seq, &image, &error) && image != NULL)
    {
      g_ptr_array_add (digests, media_test_image_digest (image));
      svd_image_unref (image);
    }
  /* A time between frames shows the frame before it; the expected index
   * comes from ffprobe's timestamps. */
  for (gint64 t = 0; t < 1300000; t += 37000)
    {
      gint64 at = t + svd_reader_get_info (reader)->first_pts_us;
      gint64 want = -1;
      g_autoptr(SvdImage) a = NULL;
      g_autofree char *da = NULL;

      for (guint i = 0; i < pts->len; i++)
        if (tb_to_us (g_array_index (pts, gint64, i), num, den) <= at)
          want = i;
      a = svd_reader_seek_time (reader, at, &error);
      g_assert_no_error (error);
      da = media_test_image_digest (a);
      g_assert_cmpint (a->frame_index, ==, MAX (want, 0));
      g_assert_cmpstr (da, ==, g_ptr_array_index (digests, a->frame_index));
    }
}

/* Broken or wrong files give clear errors, never a crash. */
static void
test_bad_input (void)
{
  g_autofree char *src = media_test_clip_path ("bbb_720p_5s_h264_aac.mp4");
  g_autofree char *empty = media_test_work_path ("empty.mp4");
  g_autofree char *text = media_test_work_path ("notes.mp4");
  g_autofree char *audio = media_test_work_path ("audio-only.m4a");
  g_autofree char *truncated = media_test_work_path ("truncated.mp4");
  g_autofree char *faststart = media_test_work_path ("faststart.mp4");
  g_autofree char *missing = media_test_work_path ("does-not-exist.mp4");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  SvdReader *r;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (text, "This is a shopping list, not a video.\n", -1, NULL));
  media_test_ffmpeg ("-i", src, "-vn", "-c:a", "copy", audio, NULL);
  /* moov first, so the truncated file still has its index. */
  media_test_ffmpeg ("-i", src, "-c", "copy", "-movflags", "+faststart", faststart, NULL);
  g_assert_true (g_file_get_contents (faststart, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, len / 3, NULL));

  r = svd_reader_open (empty, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  r = svd_reader_open (text, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "not a media file"));
  g_clear_error (&error);

  r = svd_reader_open (audio, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "no video stream"));
  g_clear_error (&error);

  r = svd_reader_open (missing, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
  g_clear_error (&error);

  /* A truncated MP4 (moov first, the media data cut): either a clear
   * error, or the frames that are there; seeking to the end must not crash. */
  r = svd_reader_open (truncated, NULL, &error);
  if (r == NULL)
    {
      g_test_message ("truncated: %s", error->message);
      g_assert_true (error->domain == SVD_ERROR);
      g_clear_error (&error);
    }
  else
    {
      gint64 n = svd_reader_get_info (r)->n_frames;
      SvdImage *image = svd_reader_seek_frame (r, n - 1, &error);

      g_test_message ("truncated: %" G_GINT64_FORMAT " frames indexed; last: %s", n,
                      image ? "decoded" : error->message);
      g_assert_true (image != NULL || error != NULL);
      g_clear_pointer (&image, svd_image_unref);
      g_clear_error (&error);
      svd_reader_free (r);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  media_test_require_ffmpeg ();

  for (int i = 0; media_test_clips[i] != NULL; i++)
    {
      g_autofree char *probe = g_strdup_printf ("/media/reader/probe/%s", media_test_clips[i]);
      g_autofree char *seek = g_strdup_printf ("/media/reader/seek/%s", media_test_clips[i]);

      g_test_add_data_func (probe, media_test_clips[i], test_probe);
      g_test_add_data_func (seek, media_test_clips[i], test_seek);
    }
  g_test_add_func ("/media/reader/seek-open-gop", test_seek_open_gop);
  g_test_add_func ("/media/reader/10bit", test_10bit);
  g_test_add_func ("/media/reader/odd-size", test_odd_size);
  g_test_add_func ("/media/reader/rotation", test_rotation);
  g_test_add_func ("/media/reader/converted-formats", test_converted_formats);
  g_test_add_func ("/media/reader/vfr", test_vfr);
  g_test_add_func ("/media/reader/bad-input", test_bad_input);
  return g_test_run ();
}
