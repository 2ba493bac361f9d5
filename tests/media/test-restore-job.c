/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-restore-job"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "svd-test-utils.h"
#include "model/svd-chain.h"
#include "session/svd-restore-job.h"

/* The restore job that `svd restore`, `svd transcode` and the GUI export
 * share, through its library API: a tiny clip with an AAC track made here
 * with ffmpeg (64x48, 10 frames), restored with the project's own 2x model
 * on whatever device there is (the CPU reference without one). The output
 * has every frame at twice the size and the source's audio packets byte
 * for byte; a cancelled job, wherever it is cancelled, fails with
 * G_IO_ERROR_CANCELLED and leaves no file at all (not even the writer's
 * temporary one). */

#define CLIP_FRAMES 10

static char *work_dir;
static char *clip;
static char *model_path;

typedef struct {
  SvdChain *chain;
} Chain;

static void
chain_init (Chain *c)
{
  g_autoptr(GError) error = NULL;

  c->chain = svd_chain_parse (model_path, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
chain_clear (Chain *c)
{
  g_clear_pointer (&c->chain, svd_chain_free);
}

static char *
fresh_dir (const char *name)
{
  char *dir = g_build_filename (work_dir, name, NULL);

  svd_test_remove_tree (dir);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return dir;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
assert_video (const char *path,
              gint64      n_frames,
              int         width,
              int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdReader) reader = svd_reader_open (path, NULL, &error);
  const SvdVideoInfo *info;

  g_assert_no_error (error);
  info = svd_reader_get_info (reader);
  g_assert_cmpint (info->n_frames, ==, n_frames);
  g_assert_cmpint (info->width, ==, width);
  g_assert_cmpint (info->height, ==, height);
}

typedef struct {
  gint64 last_done;
  gint64 progress_calls;
  gint64 engine_frames;
} Seen;

static void
seen_progress_cb (const SvdWriterProgress *progress,
                  gpointer                 user_data)
{
  Seen *seen = user_data;

  g_assert_cmpint (progress->frames_total, ==, CLIP_FRAMES);
  g_assert_cmpint (progress->frames_done, >=, seen->last_done);
  seen->last_done = progress->frames_done;
  seen->progress_calls++;
}

static void
seen_frame_cb (SvdEngine *engine,
               gint64     frames,
               gpointer   user_data)
{
  Seen *seen = user_data;

  g_assert_nonnull (engine);
  g_assert_cmpint (frames, ==, seen->engine_frames + 1);
  seen->engine_frames = frames;
}

static void
test_restore (void)
{
  g_autofree char *dir = fresh_dir ("restore");
  g_autofree char *out = g_build_filename (dir, "restored.mkv", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(SvdRestoreJobResult) result = { 0 };
  g_auto(SvdSettings) settings = { 0 };
  Chain c = { 0 };
  Seen seen = { 0 };
  SvdRestoreJob job;

  chain_init (&c);
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  svd_restore_job_init (&job);
  job.input_path = clip;
  job.output_path = out;
  job.chain = c.chain;
  job.encoder = "libx264";
  job.preset = "ultrafast";
  job.settings = &settings;
  job.progress = seen_progress_cb;
  job.frame_done = seen_frame_cb;
  job.user_data = &seen;
  g_assert_true (svd_restore_job_run (&job, &result, &error));
  g_assert_no_error (error);
  g_test_message ("restored %" G_GINT64_FORMAT " frames on %s with %s %s", result.frames,
                  result.device_name, result.encoder, result.pix_fmt);

  g_assert_cmpint (result.frames, ==, CLIP_FRAMES);
  g_assert_cmpint (result.frames_expected, ==, CLIP_FRAMES);
  g_assert_cmpint (result.engine_frames, ==, CLIP_FRAMES);
  g_assert_cmpint (result.decode_errors, ==, 0);
  g_assert_cmpstr (result.encoder, ==, "libx264");
  g_assert_nonnull (result.device_name);
  g_assert_cmpint (seen.engine_frames, ==, CLIP_FRAMES);
  g_assert_cmpint (seen.last_done, ==, CLIP_FRAMES);
  g_assert_cmpint (seen.progress_calls, >, 0);
  assert_video (out, CLIP_FRAMES, 128, 96);
  svd_test_assert_same_audio (clip, out);
  g_assert_cmpuint (count_files (dir), ==, 1);
  chain_clear (&c);
}

/* No chain is `svd transcode`; --no-audio leaves the audio out. */
static void
test_transcode_excerpt (void)
{
  g_autofree char *dir = fresh_dir ("transcode");
  g_autofree char *out = g_build_filename (dir, "excerpt.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(SvdRestoreJobResult) result = { 0 };
  g_auto(GStrv) audio = NULL;
  SvdRestoreJob job;

  svd_restore_job_init (&job);
  job.input_path = clip;
  job.output_path = out;
  job.first = 2;
  job.end = 7;
  job.encoder = "x264";
  job.preset = "ultrafast";
  job.copy_audio = FALSE;
  g_assert_true (svd_restore_job_run (&job, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.frames, ==, 5);
  g_assert_cmpint (result.engine_frames, ==, 0);
  g_assert_null (result.device_name);
  assert_video (out, 5, 64, 48);
  audio = svd_test_audio_packets (out);
  g_assert_cmpuint (g_strv_length (audio), ==, 0);
}

static void
test_empty_range (void)
{
  g_autofree char *dir = fresh_dir ("empty-range");
  g_autofree char *out = g_build_filename (dir, "none.mkv", NULL);
  g_autoptr(GError) error = NULL;
  SvdRestoreJob job;

  svd_restore_job_init (&job);
  job.input_path = clip;
  job.output_path = out;
  job.first = CLIP_FRAMES;
  g_assert_false (svd_restore_job_run (&job, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (count_files (dir), ==, 0);
}

/* Cancelled by the caller before the start, from the encode thread's
 * progress report after frame N, or from the compute stage after frame N:
 * always the one cancellation code, and no file. Deterministic: the
 * callbacks cancel at a frame count, not after a delay. */
typedef enum {
  CANCEL_BEFORE,
  CANCEL_IN_PROGRESS,
  CANCEL_IN_COMPUTE,
} CancelAt;

typedef struct {
  GCancellable *cancellable;
  gint64        at;
} Canceller;

static void
cancel_progress_cb (const SvdWriterProgress *progress,
                    gpointer                 user_data)
{
  Canceller *c = user_data;

  if (progress->frames_done >= c->at)
    g_cancellable_cancel (c->cancellable);
}

static void
cancel_frame_cb (SvdEngine *engine,
                 gint64     frames,
                 gpointer   user_data)
{
  Canceller *c = user_data;

  if (frames >= c->at)
    g_cancellable_cancel (c->cancellable);
}

static void
test_cancel (gconstpointer data)
{
  CancelAt where = GPOINTER_TO_INT (data);
  g_autofree char *dir = fresh_dir ("cancel");
  g_autofree char *out = g_build_filename (dir, "cancelled.mkv", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Canceller canceller = { cancellable, 3 };
  Chain c = { 0 };
  SvdRestoreJob job;

  chain_init (&c);
  svd_restore_job_init (&job);
  job.input_path = clip;
  job.output_path = out;
  job.chain = c.chain;
  job.encoder = "ffv1";
  job.cancellable = cancellable;
  job.user_data = &canceller;
  switch (where)
    {
    case CANCEL_BEFORE:
      g_cancellable_cancel (cancellable);
      break;
    case CANCEL_IN_PROGRESS:
      /* The writer reports at most ten times a second, but always after
       * the first frame. */
      canceller.at = 1;
      job.progress = cancel_progress_cb;
      break;
    case CANCEL_IN_COMPUTE:
      job.frame_done = cancel_frame_cb;
      break;
    }
  g_assert_false (svd_restore_job_run (&job, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir), ==, 0);
  chain_clear (&c);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  svd_test_require_ffmpeg_cli ();

  model_path = g_build_filename (g_getenv ("SVD_SOURCE_ROOT") != NULL ? g_getenv ("SVD_SOURCE_ROOT") : ".",
                                 "models", "svd-super-2x.safetensors", NULL);
  work_dir = g_dir_make_tmp ("svd-restore-job-XXXXXX", &error);
  g_assert_no_error (error);
  clip = g_build_filename (work_dir, "tone.mp4", NULL);
  svd_test_make_tone_clip (clip, 64, 48, CLIP_FRAMES);

  g_test_add_func ("/restore-job/restore-keeps-audio", test_restore);
  g_test_add_func ("/restore-job/transcode-excerpt", test_transcode_excerpt);
  g_test_add_func ("/restore-job/empty-range", test_empty_range);
  g_test_add_data_func ("/restore-job/cancel/before", GINT_TO_POINTER (CANCEL_BEFORE), test_cancel);
  g_test_add_data_func ("/restore-job/cancel/in-progress", GINT_TO_POINTER (CANCEL_IN_PROGRESS), test_cancel);
  g_test_add_data_func ("/restore-job/cancel/in-compute", GINT_TO_POINTER (CANCEL_IN_COMPUTE), test_cancel);

  status = g_test_run ();
  svd_test_remove_tree (work_dir);
  g_free (work_dir);
  g_free (clip);
  g_free (model_path);
  return status;
}
