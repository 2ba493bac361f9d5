/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-jobs"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "session/svd-chunk-job.h"
#include "session/svd-job-queue.h"

#include "svd-application.h"
#include "svd-jobs-row.h"
#include "svd-jobs-window.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* The GUI's job queue (issue #25), across a quit. A 300-frame clip made
 * here (64x48 at 5 fps: 60 s, so six chunks of the default ten seconds)
 * is added as a restore job with the project's own 1x model and ffv1.
 * The app quits in the middle of chunk 3 (the worker is held there by
 * SVD_FAULT_INJECT=queue-hold-in-chunk:3 until the quit stops it: no
 * timer, no race). Started again, the app resumes the job on its own
 * ("resumed with 3 of 6 chunks done"), restores only the other three,
 * and the output is frame for frame (framemd5) that of an uninterrupted
 * one-shot `svd restore --no-chunks`. Then a second job is cancelled from
 * its row: the app asks first, and the job folder is gone after. */

#define CLIP_FRAMES 300
#define HOLD_CHUNK 3

typedef struct {
  char *dir;
  char *clip;
  char *out;
  char *model;
  guint n_chunks;
} Fixture;

static Fixture fx;
static SvdQueueJob *the_job;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (SVD_WINDOW (data)) != NULL;
}

static gboolean
chain_shown (gpointer data)
{
  return svd_window_get_readout (SVD_WINDOW (data), 0) != NULL && !svd_window_is_busy (SVD_WINDOW (data));
}

static gboolean
job_held (gpointer data)
{
  SvdQueueJobState s = svd_queue_job_get_state (the_job);

  g_autofree char *held = g_strdup_printf ("held in chunk %u (SVD_FAULT_INJECT)", GPOINTER_TO_UINT (data));

  /* The worker is inside the chunk, the chunks before it done. */
  return s == SVD_QUEUE_JOB_RUNNING && svd_queue_job_get_chunks_done (the_job) == GPOINTER_TO_UINT (data) &&
         g_strcmp0 (svd_queue_job_get_message (the_job), held) == 0;
}

static gboolean
job_stopped (gpointer data)
{
  SvdQueueJobState s = svd_queue_job_get_state (the_job);

  return s != SVD_QUEUE_JOB_QUEUED && s != SVD_QUEUE_JOB_RUNNING && s != SVD_QUEUE_JOB_PAUSING;
}

static guint
count_done (const char *job_dir)
{
  g_autofree char *chunks = g_build_filename (job_dir, "chunks", NULL);
  g_autoptr(GDir) d = g_dir_open (chunks, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_suffix (name, ".done");
  return n;
}

static SvdJobsWindow *
open_jobs (SvdApplication *app)
{
  GtkWindow *w;

  g_action_group_activate_action (G_ACTION_GROUP (app), "jobs", NULL);
  w = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_JOBS_WINDOW);
  g_assert_nonnull (w);
  return SVD_JOBS_WINDOW (w);
}

static const char *
row_status (SvdJobsWindow *jobs,
            guint          index)
{
  GtkWidget *row = svd_jobs_window_get_row (jobs, index);

  g_assert_true (SVD_IS_JOBS_ROW (row));
  return svd_jobs_row_get_status (SVD_JOBS_ROW (row));
}

/* First run: add the job, quit in the middle of chunk 3. */
static void
script_quit (SvdApplication *app)
{
  SvdWindow *window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  const char *paths[] = { fx.model, NULL };
  g_autofree char *expect = NULL;
  g_autoptr(GError) error = NULL;
  SvdSessionSetup setup = { 0 };
  SvdJobsWindow *jobs;

  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = fx.clip;
  svd_window_start_session (window, &setup);
  svd_gui_test_wait_until (session_open, window);
  svd_window_set_chain_paths (window, 0, paths);
  svd_gui_test_wait_until (chain_shown, window);

  g_setenv ("SVD_FAULT_INJECT", "queue-hold-in-chunk:3", TRUE);
  the_job = svd_jobs_add_current_clip (window, fx.out, "ffv1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (the_job);
  g_object_ref (the_job);
  jobs = open_jobs (app);
  svd_gui_test_wait_until (job_held, GUINT_TO_POINTER (HOLD_CHUNK));
  g_unsetenv ("SVD_FAULT_INJECT");
  fx.n_chunks = svd_queue_job_get_n_chunks (the_job);
  g_test_message ("%u chunks; held in chunk %d: %s", fx.n_chunks, HOLD_CHUNK, row_status (jobs, 0));
  g_assert_cmpuint (fx.n_chunks, ==, 6);
  expect = g_strdup_printf ("%d of %u chunks done", HOLD_CHUNK, fx.n_chunks);
  svd_gui_test_wait_frames (GTK_WIDGET (jobs), 3);
  g_assert_nonnull (strstr (row_status (jobs, 0), expect));
  g_assert_nonnull (strstr (row_status (jobs, 0), "Restoring"));
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (jobs), "jobs-running"));
  g_clear_object (&the_job);
  /* svd_gui_test_run_app() quits now (app.quit, Ctrl+Q) while chunk 3 is
   * half done. */
}

/* Second run: the job resumed by itself; then cancel another. */
static void
script_resume (SvdApplication *app)
{
  SvdJobQueue *queue = svd_application_get_job_queue (app);
  g_autofree char *expect = NULL;
  g_autofree char *out2 = g_build_filename (fx.dir, "cancelled.mkv", NULL);
  g_autofree char *job_dir2 = svd_chunk_job_dir_for_output (out2);
  g_autoptr(GError) error = NULL;
  SvdJobsWindow *jobs;
  SvdWindow *window;
  GtkWindow *dialog;
  const char *paths[] = { fx.model, NULL };
  SvdSessionSetup setup = { 0 };

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);
  the_job = g_list_model_get_item (G_LIST_MODEL (queue), 0);
  /* Resumed at startup, without a click. */
  g_assert_cmpint (svd_queue_job_get_state (the_job), ==, SVD_QUEUE_JOB_RUNNING);
  jobs = open_jobs (app);
  svd_gui_test_wait_until (job_stopped, NULL);
  g_test_message ("resumed: %s", row_status (jobs, 0));
  g_assert_cmpint (svd_queue_job_get_state (the_job), ==, SVD_QUEUE_JOB_DONE);
  g_assert_cmpuint (svd_queue_job_get_chunks_done_before (the_job), ==, HOLD_CHUNK);
  g_assert_cmpuint (svd_queue_job_get_chunks_restored (the_job), ==, fx.n_chunks - HOLD_CHUNK);
  g_assert_cmpint (svd_queue_job_get_frames_done (the_job), ==, CLIP_FRAMES);
  expect = g_strdup_printf ("resumed with %d of %u chunks done", HOLD_CHUNK, fx.n_chunks);
  g_assert_nonnull (strstr (row_status (jobs, 0), expect));
  g_assert_nonnull (strstr (row_status (jobs, 0), "Done: 300 frames"));
  g_assert_false (g_file_test (svd_queue_job_get_job_dir (the_job), G_FILE_TEST_EXISTS));
  svd_gui_test_wait_frames (GTK_WIDGET (jobs), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (jobs), "jobs-resumed"));
  g_clear_object (&the_job);

  /* Cancel asks first, then keeps nothing. */
  window = SVD_WINDOW (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_WINDOW));
  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = fx.clip;
  svd_window_start_session (window, &setup);
  svd_gui_test_wait_until (session_open, window);
  svd_window_set_chain_paths (window, 0, paths);
  svd_gui_test_wait_until (chain_shown, window);
  g_setenv ("SVD_FAULT_INJECT", "queue-hold-in-chunk:1", TRUE);
  the_job = g_object_ref (svd_jobs_add_current_clip (window, out2, "ffv1", &error));
  g_assert_no_error (error);
  svd_gui_test_wait_until (job_held, GUINT_TO_POINTER (1));
  g_unsetenv ("SVD_FAULT_INJECT");
  svd_gui_test_wait_frames (GTK_WIDGET (jobs), 2);
  g_assert_true (gtk_widget_activate_action (svd_jobs_window_get_row (jobs, 1), "job.cancel", NULL));
  dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "jobs-cancel-asks"));
  /* Nothing happens until the user confirms. */
  g_assert_cmpint (svd_queue_job_get_state (the_job), ==, SVD_QUEUE_JOB_RUNNING);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  svd_gui_test_wait_until (job_stopped, NULL);
  g_assert_cmpint (svd_queue_job_get_state (the_job), ==, SVD_QUEUE_JOB_CANCELLED);
  g_assert_false (g_file_test (job_dir2, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
  g_assert_true (gtk_widget_activate_action (svd_jobs_window_get_row (jobs, 1), "job.remove", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);
  g_clear_object (&the_job);

  /* Several clips with one chain (what the + button's chooser adds):
   * each written beside it, named after it. Cancelled at once. */
  {
    g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
    g_autoptr(GFile) clip = g_file_new_for_path (fx.clip);
    g_autofree char *expected = g_build_filename (fx.dir, "clip-restored.mkv", NULL);

    g_list_store_append (files, clip);
    g_assert_cmpuint (svd_jobs_add_clips (window, G_LIST_MODEL (files), "ffv1", &error), ==, 1);
    g_assert_no_error (error);
    the_job = g_list_model_get_item (G_LIST_MODEL (queue), 1);
    g_assert_cmpstr (svd_queue_job_get_output (the_job), ==, expected);
    g_assert_cmpstr (svd_queue_job_get_encoder (the_job), ==, "ffv1");
    svd_job_queue_cancel (queue, the_job);
    svd_gui_test_wait_until (job_stopped, NULL);
    g_assert_cmpint (svd_queue_job_get_state (the_job), ==, SVD_QUEUE_JOB_CANCELLED);
    g_assert_true (svd_job_queue_remove (queue, the_job, &error));
    g_clear_object (&the_job);
  }
}

static char *
framemd5 (const char *path)
{
  const char *argv[] = { "ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) frames = g_string_new (NULL);
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '#' && lines[i][0] != '\0')
      g_string_append_printf (frames, "%s\n", lines[i]);
  return g_string_free (g_steal_pointer (&frames), FALSE);
}

static void
make_clip (const char *path)
{
  g_autofree char *frames = g_strdup_printf ("%d", CLIP_FRAMES);
  const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5",
                         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-frames:v", frames,
                         "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                         "-c:a", "aac", "-b:a", "64k", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_jobs_resume_after_quit (void)
{
  g_autofree char *svd = g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
  g_autofree char *ref = NULL;
  g_autofree char *queue_file = svd_job_queue_default_path ();
  g_autofree char *job_dir = NULL;
  g_autofree char *md5_ref = NULL, *md5_out = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  svd_test_require_ffmpeg_cli ();
  fx.dir = g_dir_make_tmp ("svd-jobs-XXXXXX", &error);
  g_assert_no_error (error);
  fx.clip = g_build_filename (fx.dir, "clip.mp4", NULL);
  fx.out = g_build_filename (fx.dir, "restored.mkv", NULL);
  fx.model = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-1x.safetensors", NULL);
  ref = g_build_filename (fx.dir, "one-shot.mkv", NULL);
  job_dir = svd_chunk_job_dir_for_output (fx.out);
  make_clip (fx.clip);

  /* The reference: an uninterrupted one-shot restore. */
  {
    const char *argv[] = { svd, "restore", fx.clip, ref, "--chain", fx.model, "-c", "ffv1", "--no-chunks", "-q",
                           NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  svd_gui_test_run_app (script_quit);
  /* Quit mid-chunk: the finished chunks are kept, the job is queued. */
  g_assert_cmpuint (count_done (job_dir), ==, HOLD_CHUNK);
  g_assert_false (g_file_test (fx.out, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (queue_file, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"state\" : \"queued\""));

  svd_gui_test_run_app (script_resume);
  md5_ref = framemd5 (ref);
  md5_out = framemd5 (fx.out);
  g_assert_cmpuint (strlen (md5_out), >, 0);
  g_assert_cmpstr (md5_out, ==, md5_ref);
  svd_test_assert_same_audio (fx.clip, fx.out);

  svd_test_remove_tree (fx.dir);
  g_free (fx.dir);
  g_free (fx.clip);
  g_free (fx.out);
  g_free (fx.model);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = NULL;

  /* The queue file lives in the state folder: a fresh one for this test
   * (set before GLib reads and caches it). */
  state = g_dir_make_tmp ("svd-jobs-state-XXXXXX", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  svd_gui_test_init (&argc, &argv);
  g_test_add_func ("/gui/jobs/resume-after-quit", test_jobs_resume_after_quit);
  {
    int ret = g_test_run ();

    svd_test_remove_tree (state);
    return ret;
  }
}
