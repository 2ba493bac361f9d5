/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pipeline"

#include "media-test-utils.h"
#include "media/svd-media-pipeline.h"

#include <string.h>

#include <glib/gstdio.h>

typedef struct {
  GThread      *thread;
  gint64        calls;
  gint64        cancel_at;
  GCancellable *cancellable;
} ProcessData;

/* A stand-in compute stage: inverts luma (so the output differs from the
 * input), on the caller's thread as the engine will. */
static SvdImage *
invert_luma (SvdImage      *frame,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  ProcessData *pd = user_data;
  SvdImage *out = svd_image_copy (frame, error);

  g_assert_true (g_thread_self () == pd->thread);
  if (out == NULL)
    return NULL;
  for (int y = 0; y < out->height; y++)
    for (int x = 0; x < out->width; x++)
      out->data[0][y * out->stride[0] + x] = 255 - out->data[0][y * out->stride[0] + x];
  if (++pd->calls == pd->cancel_at)
    g_cancellable_cancel (pd->cancellable);
  return out;
}

static void
test_pipeline (void)
{
  g_autofree char *src = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *out = media_test_work_path ("pipeline.mkv");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdReader) check = NULL;
  g_autoptr(SvdReader) back = NULL;
  g_autoptr(SvdWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  ProcessData pd = { g_thread_self (), 0, -1, NULL };
  SvdPipelineConfig pc = { 0 };
  SvdPipelineStats stats;
  SvdWriterOptions wo;
  const SvdVideoInfo *info;

  reader = svd_reader_open (src, NULL, &error);
  g_assert_no_error (error);
  info = svd_reader_get_info (reader);
  svd_writer_options_init (&wo);
  wo.encoder = "ffv1";
  wo.fps_num = info->avg_fps_num;
  wo.fps_den = info->avg_fps_den;
  wo.time_base_num = info->time_base_num;
  wo.time_base_den = info->time_base_den;
  wo.copy_from = src;
  wo.start_us = svd_reader_frame_pts_us (reader, 20);
  wo.end_us = svd_reader_frame_pts_us (reader, 50);
  wo.offset_us = wo.start_us;
  writer = svd_writer_new (out, &wo, &error);
  g_assert_no_error (error);
  pc.reader = reader;
  pc.first = 20;
  pc.end = 50;
  pc.process = invert_luma;
  pc.process_data = &pd;
  pc.writer = writer;
  pc.queue_depth = 2;
  g_assert_true (svd_media_pipeline_run (&pc, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("%" G_GINT64_FORMAT " frames in %.2f s: decode %.2f s, process %.2f s, encode %.2f s",
                  stats.frames, stats.seconds, stats.decode_s, stats.process_s, stats.encode_s);
  g_assert_cmpint (stats.frames, ==, 30);
  g_assert_cmpint (pd.calls, ==, 30);

  /* Lossless: frame k of the output is the inverted source frame 20 + k. */
  check = svd_reader_open (src, NULL, NULL);
  back = svd_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_reader_get_info (back)->n_frames, ==, 30);
  for (int k = 0; k < 30; k += 7)
    {
      g_autoptr(SvdImage) a = svd_reader_seek_frame (check, 20 + k, NULL);
      g_autoptr(SvdImage) inv = invert_luma (a, &pd, NULL, NULL);
      g_autoptr(SvdImage) b = svd_reader_seek_frame (back, k, &error);
      g_autofree char *d1 = media_test_image_digest (inv);
      g_autofree char *d2 = media_test_image_digest (b);

      g_assert_no_error (error);
      g_assert_cmpstr (d1, ==, d2);
      /* Matroska stores milliseconds. */
      g_assert_cmpint (ABS (b->pts - (a->pts - wo.offset_us)), <=, 500);
    }
}

static void
test_pipeline_cancel (void)
{
  g_autofree char *src = media_test_clip_path ("bbb_360p_10s_hevc_aac.mp4");
  g_autofree char *dir = media_test_work_path ("pipeline-cancel");
  g_autofree char *out = NULL;
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ProcessData pd = { g_thread_self (), 0, g_test_rand_int_range (1, 60), cancellable };
  SvdPipelineConfig pc = { 0 };
  SvdWriterOptions wo;
  SvdWriter *writer;
  const SvdVideoInfo *info;

  g_mkdir_with_parents (dir, 0755);
  out = g_build_filename (dir, "cancelled.mkv", NULL);
  g_unlink (out);
  reader = svd_reader_open (src, NULL, &error);
  g_assert_no_error (error);
  info = svd_reader_get_info (reader);
  svd_writer_options_init (&wo);
  wo.encoder = "x264";
  wo.preset = "ultrafast";
  wo.fps_num = info->avg_fps_num;
  wo.fps_den = info->avg_fps_den;
  wo.copy_from = src;
  writer = svd_writer_new (out, &wo, &error);
  g_assert_no_error (error);
  pc.reader = reader;
  pc.end = -1;
  pc.process = invert_luma;
  pc.process_data = &pd;
  pc.writer = writer;
  pc.cancellable = cancellable;
  g_assert_false (svd_media_pipeline_run (&pc, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("cancelled after %" G_GINT64_FORMAT " frames", pd.calls);
  svd_writer_free (writer);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);

    g_assert_null (g_dir_read_name (d));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  media_test_require_ffmpeg ();
  g_test_add_func ("/media/pipeline/process", test_pipeline);
  g_test_add_func ("/media/pipeline/cancel", test_pipeline_cancel);
  return g_test_run ();
}
