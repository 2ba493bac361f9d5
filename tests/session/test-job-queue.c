/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-job-queue"

#include <glib/gstdio.h>
#include <string.h>

#include "svd-test-utils.h"
#include "media/svd-reader.h"
#include "session/svd-chunk-job.h"
#include "session/svd-job-queue.h"

/* The job queue behind the GUI's Jobs window (issue #25), without a
 * display: the queue file survives a reload and a damaged one is moved
 * aside with a clear message; jobs run on the worker thread through the
 * chunked restore, pause between chunks, cancel keeping nothing, and a
 * queue shut down mid-chunk (the app quitting) resumes from its finished
 * chunks when it starts again. The moments are set with the
 * SVD_FAULT_INJECT=queue-hold-in-chunk:K hook, never with a timer. */

#define CLIP_FRAMES 40
#define CHUNK_FRAMES 10

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("svd-job-queue-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static char *
model_path (void)
{
  return g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-1x.safetensors", NULL);
}

static void
fill_spec (SvdQueueJobSpec *spec,
           const char      *input,
           const char      *output,
           const char      *chain)
{
  svd_queue_job_spec_init (spec);
  spec->input = input;
  spec->output = output;
  spec->chain = chain;
  spec->encoder = "ffv1";
  spec->chunk_frames = CHUNK_FRAMES;
}

static void
test_persist (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "state", "jobs.json", NULL);
  g_autofree char *in = g_build_filename (dir, "a.mp4", NULL);
  g_autofree char *out1 = g_build_filename (dir, "a-restored.mkv", NULL);
  g_autofree char *out2 = g_build_filename (dir, "b-restored.mkv", NULL);
  g_autoptr(SvdJobQueue) queue = svd_job_queue_new (path);
  g_autoptr(SvdJobQueue) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdQueueJob) first = NULL;
  SvdQueueJobSpec spec;
  SvdQueueJob *job;

  g_assert_true (svd_job_queue_load (queue, &error));   /* no file: empty */
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);

  fill_spec (&spec, in, out1, "bicubic:2");
  spec.crf = 12;
  spec.precision = SVD_PRECISION_FP16;
  job = svd_job_queue_add (queue, &spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  fill_spec (&spec, in, out2, "bicubic:2");
  spec.copy_audio = FALSE;
  job = svd_job_queue_add (queue, &spec, &error);
  g_assert_no_error (error);
  svd_job_queue_pause (queue, job);
  g_assert_cmpint (svd_queue_job_get_state (job), ==, SVD_QUEUE_JOB_PAUSED);

  /* Refused: the same output twice, the input as output. */
  fill_spec (&spec, in, out1, "bicubic:2");
  g_assert_null (svd_job_queue_add (queue, &spec, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  fill_spec (&spec, in, in, "bicubic:2");
  g_assert_null (svd_job_queue_add (queue, &spec, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Read back by another queue (the app started again). */
  g_clear_object (&queue);
  again = svd_job_queue_new (path);
  g_assert_true (svd_job_queue_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (again), 0);
  g_assert_cmpstr (svd_queue_job_get_input (first), ==, in);
  g_assert_cmpstr (svd_queue_job_get_output (first), ==, out1);
  g_assert_cmpstr (svd_queue_job_get_chain (first), ==, "bicubic:2");
  g_assert_cmpstr (svd_queue_job_get_encoder (first), ==, "ffv1");
  g_assert_true (g_str_has_suffix (svd_queue_job_get_job_dir (first), "a-restored.mkv.svdjob"));
  g_assert_cmpint (svd_queue_job_get_state (first), ==, SVD_QUEUE_JOB_QUEUED);
  job = svd_job_queue_find (again, svd_queue_job_get_id (first) + 1);
  g_assert_nonnull (job);
  g_assert_cmpint (svd_queue_job_get_state (job), ==, SVD_QUEUE_JOB_PAUSED);
  /* A new job gets a new id. */
  fill_spec (&spec, in, g_build_filename (dir, "c.mkv", NULL), "bicubic:2");
  job = svd_job_queue_add (again, &spec, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (svd_queue_job_get_id (job), ==, svd_queue_job_get_id (first) + 2);
  g_free ((char *) spec.output);

  /* Removed jobs stay removed. */
  g_assert_true (svd_job_queue_remove (again, first, &error));
  g_assert_no_error (error);
  g_assert_false (svd_job_queue_is_read_only (again));

  /* One process at a time: another one (here another queue on the same
   * file, whose lock is another open file) reads the jobs but cannot
   * change or run them. */
  queue = svd_job_queue_new (path);
  g_assert_true (svd_job_queue_load (queue, &error));
  g_assert_no_error (error);
  g_assert_true (svd_job_queue_is_read_only (queue));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 2);
  fill_spec (&spec, in, out1, "bicubic:2");
  g_assert_null (svd_job_queue_add (queue, &spec, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "in use by another process"));
  g_clear_error (&error);
  g_clear_object (&queue);

  /* Once the holder is gone, the next one takes it. */
  g_clear_object (&again);
  queue = svd_job_queue_new (path);
  g_assert_true (svd_job_queue_load (queue, &error));
  g_assert_false (svd_job_queue_is_read_only (queue));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 2);

  svd_test_remove_tree (dir);
}

/* Returns the message of loading @text as the queue file; checks that the
 * damaged file was moved aside unchanged and the queue is empty. */
static char *
load_damaged (const char *text,
              gssize      length)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "jobs.json", NULL);
  g_autoptr(SvdJobQueue) queue = svd_job_queue_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  gboolean kept = FALSE;
  char *message;

  g_assert_true (g_file_set_contents (path, text, length, NULL));
  g_assert_false (svd_job_queue_load (queue, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "is damaged"));
  g_assert_nonnull (strstr (error->message, "it was kept as"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "jobs.json.damaged-"))
      {
        g_autofree char *aside = g_build_filename (dir, name, NULL);
        g_autofree char *contents = NULL;
        gsize len;

        g_assert_true (g_file_get_contents (aside, &contents, &len, NULL));
        g_assert_cmpuint (len, ==, length < 0 ? strlen (text) : (gsize) length);
        g_assert_nonnull (strstr (error->message, name));
        kept = TRUE;
      }
  g_assert_true (kept);
  /* The queue works on: a new file is written. */
  g_assert_true (svd_job_queue_save (queue, NULL));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  message = g_strdup (error->message);
  g_test_message ("%s", message);
  svd_test_remove_tree (dir);
  return message;
}

static void
test_damaged (void)
{
  g_autofree char *deep = NULL;
  g_autoptr(GString) nested = g_string_new ("{\"format\": \"svd-job-queue\", \"version\": 1, \"jobs\": ");
  static const char job_elsewhere[] =
    "{\"format\": \"svd-job-queue\", \"version\": 1, \"jobs\": [{\"id\": 1, \"input\": \"/a.mp4\", "
    "\"output\": \"/b.mkv\", \"chain\": \"bicubic:2\", \"job_dir\": \"/home\", \"state\": \"queued\", "
    "\"message\": null, \"settings\": {\"encoder\": null, \"crf\": -1, \"preset\": null, \"pix_fmt\": null, "
    "\"precision\": \"fp32\", \"chunk_frames\": 0, \"copy_audio\": true, \"copy_subtitles\": true}, "
    "\"frames_done\": 0, \"frames_total\": 0, \"chunks_done\": 0, \"n_chunks\": 0}]}";
  char *m;

  m = load_damaged ("{\"format\": \"svd-job-queue\", \"version\": 1, \"jobs\": [", -1);
  g_free (m);
  m = load_damaged ("\0\0\0\0garbage", 11);
  g_free (m);
  m = load_damaged ("{\"format\": \"svd-job-queue\", \"version\": 7, \"jobs\": []}", -1);
  g_assert_nonnull (strstr (m, "version"));
  g_free (m);
  /* A job whose folder is not beside its output: cancelling it would
   * delete something else. */
  m = load_damaged (job_elsewhere, -1);
  g_assert_nonnull (strstr (m, "job_dir"));
  g_free (m);
  /* An unpaired surrogate escape: json-glib decodes it into bytes that are
   * not UTF-8. In a path the job is damaged (the path could not be shown
   * or opened as written); before a closing quote it is json-glib's parse
   * error, which quotes those bytes: the message is made text. */
  {
    static const char good[] =
      "{\"format\": \"svd-job-queue\", \"version\": 1, \"jobs\": [{\"id\": 1, \"input\": \"/a%s.mp4\", "
      "\"output\": \"/b.mkv\", \"chain\": \"bicubic:2\", \"job_dir\": \"/b.mkv.svdjob\", \"state\": \"queued\", "
      "\"message\": null, \"settings\": {\"encoder\": null, \"crf\": -1, \"preset\": null, \"pix_fmt\": null, "
      "\"precision\": \"fp32\", \"chunk_frames\": 0, \"copy_audio\": true, \"copy_subtitles\": true}, "
      "\"frames_done\": 0, \"frames_total\": 0, \"chunks_done\": 0, \"n_chunks\": 0}]}";
    g_autofree char *dir = tmp_dir ();
    g_autofree char *path = g_build_filename (dir, "jobs.json", NULL);
    g_autofree char *plain = g_strdup_printf (good, "");
    g_autofree char *escaped = g_strdup_printf (good, "\\udc00");

    /* The same job with a plain path loads, so the escape is what is refused. */
    {
      g_autoptr(SvdJobQueue) queue = svd_job_queue_new (path);

      g_assert_true (g_file_set_contents (path, plain, -1, NULL));
      g_assert_true (svd_job_queue_load (queue, NULL));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 1);
    }
    svd_test_remove_tree (dir);
    m = load_damaged (escaped, -1);
    g_assert_nonnull (strstr (m, "input"));
    g_assert_true (g_utf8_validate (m, -1, NULL));
    g_free (m);
    m = load_damaged ("{\"format\": \"svd-job-queue\", \"x\": \"a\\ud800\", \"version\": 1, \"jobs\": []}", -1);
    g_assert_nonnull (strstr (m, "string constant"));
    g_assert_true (g_utf8_validate (m, -1, NULL));
    g_free (m);
  }
  /* Nesting deep enough to overflow json-glib's recursive parser. */
  for (int i = 0; i < 200000; i++)
    g_string_append_c (nested, '[');
  deep = g_string_free (g_steal_pointer (&nested), FALSE);
  m = load_damaged (deep, -1);
  g_free (m);
}

typedef struct {
  SvdQueueJob *job;
  guint        chunks;
} Wait;

static gboolean
job_reached (gpointer data)
{
  Wait *w = data;
  SvdQueueJobState s = svd_queue_job_get_state (w->job);

  return (s == SVD_QUEUE_JOB_RUNNING || s == SVD_QUEUE_JOB_PAUSING) &&
         svd_queue_job_get_chunks_done (w->job) >= w->chunks &&
         g_strcmp0 (svd_queue_job_get_message (w->job), "held in chunk 1 (SVD_FAULT_INJECT)") == 0;
}

static gboolean
job_stopped (gpointer data)
{
  Wait *w = data;
  SvdQueueJobState s = svd_queue_job_get_state (w->job);

  return s != SVD_QUEUE_JOB_QUEUED && s != SVD_QUEUE_JOB_RUNNING && s != SVD_QUEUE_JOB_PAUSING;
}

static void
iterate_until (gboolean (*predicate) (gpointer),
               gpointer   data)
{
  while (!predicate (data))
    g_main_context_iteration (NULL, TRUE);
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

static gint64
count_frames (const char *path)
{
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  reader = svd_reader_open (path, NULL, &error);
  g_assert_no_error (error);
  return svd_reader_get_info (reader)->n_frames;
}

static void
test_run (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "jobs.json", NULL);
  g_autofree char *clip = g_build_filename (dir, "clip.mp4", NULL);
  g_autofree char *out1 = g_build_filename (dir, "paused.mkv", NULL);
  g_autofree char *out2 = g_build_filename (dir, "cancelled.mkv", NULL);
  g_autofree char *out3 = g_build_filename (dir, "quit.mkv", NULL);
  g_autofree char *model = model_path ();
  g_autoptr(SvdJobQueue) queue = svd_job_queue_new (path);
  g_autoptr(GError) error = NULL;
  SvdQueueJobSpec spec;
  Wait w = { 0 };
  guint n_chunks, id3;

  svd_test_require_ffmpeg_cli ();
  svd_test_make_tone_clip (clip, 64, 48, CLIP_FRAMES);
  g_assert_true (svd_job_queue_load (queue, &error));
  svd_job_queue_start (queue);

  /* Pause while chunk 1 runs: the chunk finishes, the job stops with 2
   * chunks done; resumed, it does only the rest. */
  g_setenv ("SVD_FAULT_INJECT", "queue-hold-in-chunk:1", TRUE);
  fill_spec (&spec, clip, out1, model);
  w.job = svd_job_queue_add (queue, &spec, &error);
  g_assert_no_error (error);
  w.chunks = 1;
  iterate_until (job_reached, &w);
  g_unsetenv ("SVD_FAULT_INJECT");
  svd_job_queue_pause (queue, w.job);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_PAUSING);
  iterate_until (job_stopped, &w);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_PAUSED);
  n_chunks = svd_queue_job_get_n_chunks (w.job);
  g_test_message ("%u chunks", n_chunks);
  g_assert_cmpuint (n_chunks, >=, 3);
  g_assert_cmpuint (svd_queue_job_get_chunks_done (w.job), ==, 2);
  g_assert_cmpuint (count_done (svd_queue_job_get_job_dir (w.job)), ==, 2);
  g_assert_false (g_file_test (out1, G_FILE_TEST_EXISTS));
  svd_job_queue_resume (queue, w.job);
  iterate_until (job_stopped, &w);
  g_assert_cmpstr (svd_queue_job_get_message (w.job), ==, NULL);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_DONE);
  g_assert_cmpuint (svd_queue_job_get_chunks_done_before (w.job), ==, 2);
  g_assert_cmpuint (svd_queue_job_get_chunks_restored (w.job), ==, n_chunks - 2);
  g_assert_cmpint (svd_queue_job_get_frames_done (w.job), ==, CLIP_FRAMES);
  g_assert_cmpint (count_frames (out1), ==, CLIP_FRAMES);
  g_assert_false (g_file_test (svd_queue_job_get_job_dir (w.job), G_FILE_TEST_EXISTS));

  /* Cancel in the middle of chunk 1: nothing is kept. */
  g_setenv ("SVD_FAULT_INJECT", "queue-hold-in-chunk:1", TRUE);
  fill_spec (&spec, clip, out2, model);
  w.job = svd_job_queue_add (queue, &spec, &error);
  g_assert_no_error (error);
  iterate_until (job_reached, &w);
  g_unsetenv ("SVD_FAULT_INJECT");
  g_assert_cmpuint (count_done (svd_queue_job_get_job_dir (w.job)), ==, 1);
  svd_job_queue_cancel (queue, w.job);
  iterate_until (job_stopped, &w);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_CANCELLED);
  g_assert_false (g_file_test (svd_queue_job_get_job_dir (w.job), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
  g_assert_true (svd_job_queue_remove (queue, w.job, &error));

  /* Quit in the middle of chunk 1; the next queue resumes it. */
  g_setenv ("SVD_FAULT_INJECT", "queue-hold-in-chunk:1", TRUE);
  fill_spec (&spec, clip, out3, model);
  w.job = svd_job_queue_add (queue, &spec, &error);
  g_assert_no_error (error);
  id3 = svd_queue_job_get_id (w.job);
  iterate_until (job_reached, &w);
  g_unsetenv ("SVD_FAULT_INJECT");
  svd_job_queue_shutdown (queue);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_QUEUED);
  g_assert_cmpuint (count_done (svd_queue_job_get_job_dir (w.job)), ==, 1);
  g_assert_false (g_file_test (out3, G_FILE_TEST_EXISTS));
  g_clear_object (&queue);

  queue = svd_job_queue_new (path);
  g_assert_true (svd_job_queue_load (queue, &error));
  g_assert_no_error (error);
  w.job = svd_job_queue_find (queue, id3);
  g_assert_nonnull (w.job);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_QUEUED);
  g_assert_cmpuint (svd_queue_job_get_chunks_done (w.job), ==, 1);   /* as last saved */
  svd_job_queue_start (queue);
  iterate_until (job_stopped, &w);
  g_assert_cmpint (svd_queue_job_get_state (w.job), ==, SVD_QUEUE_JOB_DONE);
  g_assert_cmpuint (svd_queue_job_get_chunks_done_before (w.job), ==, 1);
  g_assert_cmpuint (svd_queue_job_get_chunks_restored (w.job), ==, n_chunks - 1);
  g_assert_cmpint (count_frames (out3), ==, CLIP_FRAMES);
  g_clear_object (&queue);

  svd_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session/job-queue/persist", test_persist);
  g_test_add_func ("/session/job-queue/damaged", test_damaged);
  g_test_add_func ("/session/job-queue/run", test_run);
  return g_test_run ();
}
