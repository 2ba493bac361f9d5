/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "test-session-source"

#include "media-test-utils.h"
#include "media/svd-session-source.h"

#include <string.h>

#include <glib/gstdio.h>

/* Synthesize at scale 2, CRF 34: a half-size H.264 clip, encoded with the
 * CRF asked (x264 writes its settings into the stream), that pairs 1:1
 * with the clean clip; the second call reuses the cached file. */
static void
test_synthesize (void)
{
  g_autofree char *clean = media_test_clip_path ("bbb_720p_5s_h264_aac.mp4");
  g_autoptr(SvdSessionSource) src = NULL;
  g_autoptr(SvdSessionSource) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *codec = NULL, *w = NULL, *h = NULL, *nb = NULL, *streams = NULL;
  const SvdPairReport *r;
  const char *degraded;
  SvdDegradeParams params;
  GStatBuf st1, st2;
  gsize len = 0;

  svd_degrade_params_init (&params);
  params.scale = 2;
  params.filter = SVD_SCALE_FILTER_BICUBIC;
  params.crf = 34;
  params.preset = "veryfast";
  {
    /* Start from an empty cache so this run really encodes. */
    SvdDegradeParams p = params;
    g_autofree char *old = NULL;

    p.keep_audio = FALSE;
    old = svd_degrade_cache_path (clean, &p, &error);
    g_assert_no_error (error);
    g_unlink (old);
  }
  src = svd_session_source_new_synthesize (clean, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_session_source_get_mode (src), ==, SVD_REFERENCE_SYNTHESIZE);
  degraded = svd_session_source_get_input_path (src);
  g_test_message ("degraded clip: %s", degraded);
  g_assert_true (g_str_has_prefix (degraded, g_get_user_cache_dir ()));
  g_assert_cmpstr (svd_session_source_get_reference_path (src), ==, clean);

  /* Checked with ffprobe, not our reader. */
  codec = media_test_ffprobe_value (degraded, "v:0", "stream=codec_name");
  w = media_test_ffprobe_value (degraded, "v:0", "stream=width");
  h = media_test_ffprobe_value (degraded, "v:0", "stream=height");
  g_assert_cmpstr (codec, ==, "h264");
  g_assert_cmpstr (w, ==, "640");
  g_assert_cmpstr (h, ==, "360");
  streams = media_test_run (&error, "ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                            "-of", "csv=p=0", degraded, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (g_strstrip (streams), ==, "video");
  g_assert_true (g_file_get_contents (degraded, &contents, &len, NULL));
  /* x264 stores its settings, "crf=34.0" among them, in an SEI message. */
  g_assert_nonnull (memmem (contents, len, "crf=34.0", 8));

  r = svd_session_source_get_report (src);
  g_test_message ("%s", r->summary);
  g_assert_cmpint (r->scale, ==, 2);
  g_assert_cmpint (r->n_input, ==, 132);
  g_assert_cmpint (r->n_reference, ==, 132);
  g_assert_cmpint (r->n_paired, ==, 132);
  g_assert_false (r->lengths_differ);
  for (gint64 i = 0; i < r->n_input; i++)
    g_assert_cmpint (svd_session_source_reference_index (src, i), ==, i);
  {
    g_autoptr(SvdImage) in = svd_session_source_read_input (src, 77, &error);
    g_autoptr(SvdImage) ref = svd_session_source_read_reference (src, 77, &error);
    g_autoptr(SvdReader) direct = svd_reader_open (clean, NULL, NULL);
    g_autoptr(SvdImage) want = svd_reader_seek_frame (direct, 77, NULL);
    g_autofree char *d1 = NULL, *d2 = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (in->width * 2, ==, ref->width);
    g_assert_cmpint (in->pts, ==, ref->pts);
    d1 = media_test_image_digest (ref);
    d2 = media_test_image_digest (want);
    g_assert_cmpstr (d1, ==, d2);
  }

  g_assert_cmpint (g_stat (degraded, &st1), ==, 0);
  again = svd_session_source_new_synthesize (clean, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (svd_session_source_get_input_path (again), ==, degraded);
  g_assert_cmpint (g_stat (degraded, &st2), ==, 0);
  g_assert_cmpint (st1.st_mtime, ==, st2.st_mtime);
  g_assert_cmpint (st1.st_ino, ==, st2.st_ino);

  /* Other parameters, another cache file; bad ones, a clear error. */
  {
    SvdDegradeParams p2 = params;
    g_autofree char *a = svd_degrade_cache_path (clean, &params, NULL);

    g_autofree char *b = NULL;

    p2.crf = 35;
    b = svd_degrade_cache_path (clean, &p2, NULL);
    g_assert_cmpstr (a, !=, b);
    p2.crf = 60;
    g_assert_null (svd_session_source_new_synthesize (clean, &p2, NULL, NULL, NULL, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    p2.crf = 34;
    p2.scale = 3;
    g_assert_null (svd_session_source_new_synthesize (clean, &p2, NULL, NULL, NULL, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  }
  (void) nb;
}

/* Pair: sizes 1x/2x/4x, timestamps matched across different start times,
 * offsets and different lengths reported. */
static void
test_pair (void)
{
  g_autofree char *sintel = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autofree char *hevc = media_test_clip_path ("bbb_360p_10s_hevc_aac.mp4");
  g_autofree char *short_in = media_test_work_path ("pair-short.mkv");
  g_autofree char *half = media_test_work_path ("pair-half.mkv");
  g_autofree char *quarter = media_test_work_path ("pair-quarter.mkv");
  g_autofree char *odd = media_test_work_path ("pair-wrong.mkv");
  g_autofree char *hevc_small = media_test_work_path ("pair-hevc-small.mkv");
  g_autoptr(GError) error = NULL;

  media_test_ffmpeg ("-i", sintel, "-frames:v", "60", "-an", "-c:v", "libx264", "-preset", "ultrafast", short_in, NULL);
  media_test_ffmpeg ("-i", sintel, "-frames:v", "24", "-an", "-vf", "scale=427:240", "-c:v", "ffv1", half, NULL);
  media_test_ffmpeg ("-i", sintel, "-frames:v", "24", "-an", "-vf", "scale=213:120", "-c:v", "ffv1", quarter, NULL);
  media_test_ffmpeg ("-i", sintel, "-frames:v", "4", "-an", "-vf", "scale=300:200", "-c:v", "ffv1", odd, NULL);
  /* The HEVC clip's video starts at 2.235 s; ffmpeg's re-encode starts at 0. */
  media_test_ffmpeg ("-i", hevc, "-an", "-vf", "scale=320:180", "-c:v", "ffv1", hevc_small, NULL);

  {
    g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (short_in, sintel, 0, &error);
    const SvdPairReport *r;

    g_assert_no_error (error);
    r = svd_session_source_get_report (s);
    g_test_message ("%s", r->summary);
    g_assert_cmpint (r->scale, ==, 1);
    g_assert_cmpint (r->n_input, ==, 60);
    g_assert_cmpint (r->n_reference, ==, 120);
    g_assert_cmpint (r->n_paired, ==, 60);
    g_assert_true (r->lengths_differ);
    g_assert_nonnull (strstr (r->summary, "lengths differ"));
  }
  {
    /* Offset 70: input frames 50 and on would need reference 120 and on. */
    g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (short_in, sintel, 70, &error);
    const SvdPairReport *r = svd_session_source_get_report (s);
    g_autoptr(SvdImage) ref = NULL;
    g_autoptr(SvdImage) none = NULL;

    g_assert_no_error (error);
    g_test_message ("%s", r->summary);
    g_assert_cmpint (r->n_paired, ==, 50);
    g_assert_cmpint (r->first_paired, ==, 0);
    g_assert_cmpint (r->last_paired, ==, 49);
    g_assert_cmpint (svd_session_source_reference_index (s, 10), ==, 80);
    ref = svd_session_source_read_reference (s, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ref->frame_index, ==, 80);
    none = svd_session_source_read_reference (s, 55, &error);
    g_assert_null (none);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE);
    g_clear_error (&error);
  }
  {
    g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (half, sintel, 0, &error);
    const SvdPairReport *r = svd_session_source_get_report (s);

    g_assert_no_error (error);
    g_assert_cmpint (r->scale, ==, 2);
    g_assert_cmpint (r->crop_x, ==, 0);
    g_assert_cmpint (r->n_paired, ==, 24);
  }
  {
    g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (quarter, sintel, 0, &error);
    const SvdPairReport *r = svd_session_source_get_report (s);

    g_assert_no_error (error);
    g_assert_cmpint (r->scale, ==, 4);
    g_assert_cmpint (r->crop_x, ==, 2);
    g_assert_cmpint (r->crop_y, ==, 0);
  }
  {
    g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (odd, sintel, 0, &error);

    g_assert_null (s);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "1×, 2× or 4×"));
    g_clear_error (&error);
  }
  {
    g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (hevc_small, hevc, 0, &error);
    const SvdPairReport *r = svd_session_source_get_report (s);

    g_assert_no_error (error);
    g_test_message ("%s", r->summary);
    g_assert_cmpint (r->scale, ==, 2);
    g_assert_cmpint (r->n_paired, ==, 234);
    for (gint64 i = 0; i < 234; i++)
      g_assert_cmpint (svd_session_source_reference_index (s, i), ==, i);
  }
}

/* Issue #26: a clip paired with itself (`svd compare CLIP --reference
 * CLIP`, a 1x model's check) decodes each frame once, for both sides; the
 * same clip under another name, or shifted by an offset, is decoded for
 * each side as before. Counted, not timed. */
static void
test_self_pair (void)
{
  g_autofree char *clip = media_test_work_path ("self-pair.mkv");
  g_autofree char *copy = media_test_work_path ("self-pair-copy.mkv");
  g_autoptr(GError) error = NULL;
  const struct { const char *ref; gint64 offset; guint64 per_frame; } cases[] = {
    { clip, 0, 1 }, { copy, 0, 2 }, { clip, 1, 2 },
  };

  media_test_ffmpeg ("-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-frames:v", "8", "-c:v", "ffv1", clip,
                     NULL);
  media_test_ffmpeg ("-i", clip, "-c", "copy", copy, NULL);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(SvdSessionSource) s = svd_session_source_new_pair (clip, cases[c].ref, cases[c].offset, &error);

      g_assert_no_error (error);
      for (gint64 i = 0; i < 4; i++)
        {
          g_autoptr(SvdImage) in = svd_session_source_read_input (s, i, &error);
          g_autoptr(SvdImage) ref = NULL;
          g_autoptr(GBytes) a = NULL, b = NULL;
          g_autoptr(SvdImage) want = NULL;

          g_assert_no_error (error);
          ref = svd_session_source_read_reference (s, i, &error);
          g_assert_no_error (error);
          g_assert_cmpint (ref->frame_index, ==, i + cases[c].offset);
          /* The reference frame, whoever decoded it. */
          want = svd_reader_seek_frame (svd_session_source_get_reference (s), i + cases[c].offset, &error);
          g_assert_no_error (error);
          a = media_test_image_bytes (ref);
          b = media_test_image_bytes (want);
          g_assert_true (g_bytes_equal (a, b));
        }
      g_test_message ("reference %s, offset %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT " decodes for 4 frames",
                      cases[c].ref == clip ? "the clip itself" : "a copy", cases[c].offset,
                      svd_session_source_get_n_decoded (s));
      g_assert_cmpuint (svd_session_source_get_n_decoded (s), ==, 4 * cases[c].per_frame);
    }
}

static void
test_none (void)
{
  g_autofree char *clip = media_test_clip_path ("sintel_480p_5s_h264_mp3.mp4");
  g_autoptr(SvdSessionSource) s = svd_session_source_new_none (clip, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) in = svd_session_source_read_input (s, 5, &error);
  g_autoptr(SvdImage) ref = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (in->frame_index, ==, 5);
  g_assert_cmpint (svd_session_source_get_mode (s), ==, SVD_REFERENCE_NONE);
  g_assert_null (svd_session_source_get_reference (s));
  ref = svd_session_source_read_reference (s, 5, &error);
  g_assert_null (ref);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "no reference"));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache = NULL;

  g_test_init (&argc, &argv, NULL);
  media_test_require_ffmpeg ();
  /* Keep the degrade cache inside the build dir, not the user's. */
  cache = media_test_work_path ("cache");
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  g_test_add_func ("/media/session-source/synthesize", test_synthesize);
  g_test_add_func ("/media/session-source/pair", test_pair);
  g_test_add_func ("/media/session-source/none", test_none);
  g_test_add_func ("/media/session-source/self-pair", test_self_pair);
  return g_test_run ();
}
