/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-job-queue"

#include "session/svd-job-queue.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/svd-error.h"
#include "core/svd-file.h"
#include "core/svd-json-depth.h"
#include "core/svd-limits.h"
#include "media/svd-reader.h"
#include "model/svd-chain.h"
#include "session/svd-chunk-job.h"
#include "session/svd-job-json.h"
#include "session/svd-restore-job.h"

/* The queue of restore jobs behind the GUI's Jobs window (issue #25).
 *
 * Each job is a chunked, resumable restore (svd-chunk-job.c), the same
 * job `svd restore` runs: its chunks and their ledger live in the job
 * folder OUT.svdjob beside the output. The queue only adds what a list of
 * such jobs needs: a file in the user's state folder naming each job's
 * input, output, chain text, settings and job folder (written atomically
 * after every change, so it survives a quit, a crash or a power cut), and
 * one worker thread that runs one job at a time.
 *
 * Threads: the queue and its SvdQueueJob objects belong to the thread
 * whose main context was the thread default when the queue was made (the
 * GTK main thread in the app). The worker thread never touches them: it
 * works on a Run (a copy of the job's settings plus live counters under a
 * mutex) and posts coalesced updates to that main context.
 *
 * Stopping: Pause lets the chunk in progress finish and stops before the
 * next one, so nothing computed is thrown away; Cancel stops at once and
 * deletes the job folder; quitting (svd_job_queue_shutdown()) stops at
 * once too, keeping every finished chunk, and leaves the job queued so it
 * resumes the next time the queue starts. */

#define QUEUE_FORMAT "svd-job-queue"
#define QUEUE_VERSION 1

typedef enum {
  STOP_NONE,
  STOP_PAUSE,
  STOP_CANCEL,
  STOP_SHUTDOWN,
} StopReason;

typedef enum {
  OUTCOME_DONE,
  OUTCOME_STOPPED,
  OUTCOME_CANCELLED,
  OUTCOME_FAILED,
} Outcome;

struct _SvdQueueJob
{
  GObject           parent_instance;

  guint             id;
  char             *input;
  char             *output;
  char             *chain;
  char             *encoder;
  int               crf;
  char             *preset;
  char             *pix_fmt;
  SvdPrecision      precision;
  gint64            chunk_frames;
  gboolean          copy_audio;
  gboolean          copy_subtitles;
  char             *job_dir;

  SvdQueueJobState  state;
  char             *message;
  gint64            frames_done;
  gint64            frames_total;
  gint64            frames_reused;
  guint             chunks_done;
  guint             n_chunks;
  guint             chunks_done_before;
  guint             chunks_restored;
};

G_DEFINE_FINAL_TYPE (SvdQueueJob, svd_queue_job, G_TYPE_OBJECT)

enum {
  JOB_PROP_0,
  JOB_PROP_STATE,
  JOB_PROP_MESSAGE,
  JOB_PROP_PROGRESS,
  N_JOB_PROPS
};

static GParamSpec *job_props[N_JOB_PROPS];

/* One job on the worker thread. Reference-counted: the queue, the thread
 * and each pending idle callback hold one. */
typedef struct {
  gint                     ref_count;
  SvdJobQueue             *queue;      /* main thread only; NULL once the queue let go */
  GMainContext            *context;
  guint                    job_id;

  /* The job, copied (immutable) */
  char                    *input;
  char                    *output;
  char                    *chain;
  char                    *encoder;
  int                      crf;
  char                    *preset;
  char                    *pix_fmt;
  SvdPrecision             precision;
  gint64                   chunk_frames;
  gboolean                 copy_audio;
  gboolean                 copy_subtitles;
  SvdJobQueueSettingsFunc  settings_func;
  gpointer                 settings_data;

  GCancellable            *cancellable;
  GThread                 *thread;

  /* Under lock */
  GMutex                   lock;
  GCond                    cond;
  StopReason               stop;
  gboolean                 pause_requested;
  gboolean                 update_pending;
  gint64                   frames_done;
  gint64                   frames_total;
  gint64                   frames_reused;
  guint                    chunks_done;
  guint                    n_chunks;
  guint                    chunks_done_before;
  guint                    chunks_restored;
  char                    *notice;
  Outcome                  outcome;
  GError                  *error;

  /* Worker thread only */
  gint64                   chunk_frames_before;   /* frames of the chunks done before this one */
  gint64                   reused_before;         /* frames reused by the chunks before */
  gint64                   chunk_length;
  gint64                   hold_chunk;            /* test hook, -1 when off */
  guint                    chunk_index;
  gboolean                 held;
} Run;

struct _SvdJobQueue
{
  GObject                  parent_instance;

  char                    *path;
  GMainContext            *context;
  GPtrArray               *jobs;          /* SvdQueueJob */
  guint                    next_id;
  SvdJobQueueSettingsFunc  settings_func;
  gpointer                 settings_data;
  Run                     *run;
  SvdQueueJob             *running;
  gboolean                 started;
  gboolean                 shutting_down;
  int                      lock_fd;       /* flock()ed jobs.json.lock; -1 when not held */
  gboolean                 read_only;     /* another process holds the lock */
};

static void svd_job_queue_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SvdJobQueue, svd_job_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, svd_job_queue_list_model_init))

enum {
  SIGNAL_JOB_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void     maybe_start_next (SvdJobQueue  *self);
static gboolean check_writable   (SvdJobQueue  *self,
                                  GError      **error);

/* ------------------------------------------------------------------ */
/* SvdQueueJob */

static void
svd_queue_job_finalize (GObject *object)
{
  SvdQueueJob *self = SVD_QUEUE_JOB (object);

  g_free (self->input);
  g_free (self->output);
  g_free (self->chain);
  g_free (self->encoder);
  g_free (self->preset);
  g_free (self->pix_fmt);
  g_free (self->job_dir);
  g_free (self->message);
  G_OBJECT_CLASS (svd_queue_job_parent_class)->finalize (object);
}

static void
svd_queue_job_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SvdQueueJob *self = SVD_QUEUE_JOB (object);

  switch (prop_id)
    {
    case JOB_PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case JOB_PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case JOB_PROP_PROGRESS:
      g_value_set_double (value, self->frames_total > 0 ? (double) self->frames_done / self->frames_total : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
svd_queue_job_class_init (SvdQueueJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = svd_queue_job_finalize;
  object_class->get_property = svd_queue_job_get_property;

  /**
   * SvdQueueJob:state: (type SvdQueueJobState)
   */
  job_props[JOB_PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, SVD_QUEUE_JOB_QUEUED, SVD_QUEUE_JOB_CANCELLED, SVD_QUEUE_JOB_QUEUED,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  job_props[JOB_PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SvdQueueJob:progress:
   *
   * The fraction of frames done; notified whenever any of the counters
   * (frames, chunks, reused frames) changes.
   */
  job_props[JOB_PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_JOB_PROPS, job_props);
}

static void
svd_queue_job_init (SvdQueueJob *self)
{
  self->crf = -1;
}

static void
job_set_state (SvdQueueJob      *self,
               SvdQueueJobState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), job_props[JOB_PROP_STATE]);
}

static void
job_set_message (SvdQueueJob *self,
                 const char  *message)
{
  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), job_props[JOB_PROP_MESSAGE]);
}

/**
 * svd_queue_job_spec_init:
 * @spec: (out caller-allocates): a spec to fill
 *
 * Defaults: the encoder's defaults, fp32, chunks of about ten seconds,
 * audio and subtitles copied.
 */
void
svd_queue_job_spec_init (SvdQueueJobSpec *spec)
{
  *spec = (SvdQueueJobSpec) { 0 };
  spec->crf = -1;
  spec->precision = SVD_PRECISION_FP32;
  spec->copy_audio = TRUE;
  spec->copy_subtitles = TRUE;
}

guint svd_queue_job_get_id (SvdQueueJob *self) { return self->id; }
const char *svd_queue_job_get_input (SvdQueueJob *self) { return self->input; }
const char *svd_queue_job_get_output (SvdQueueJob *self) { return self->output; }
const char *svd_queue_job_get_chain (SvdQueueJob *self) { return self->chain; }
const char *svd_queue_job_get_encoder (SvdQueueJob *self) { return self->encoder; }
const char *svd_queue_job_get_job_dir (SvdQueueJob *self) { return self->job_dir; }
SvdQueueJobState svd_queue_job_get_state (SvdQueueJob *self) { return self->state; }
const char *svd_queue_job_get_message (SvdQueueJob *self) { return self->message; }
gint64 svd_queue_job_get_frames_done (SvdQueueJob *self) { return self->frames_done; }
gint64 svd_queue_job_get_frames_total (SvdQueueJob *self) { return self->frames_total; }
gint64 svd_queue_job_get_frames_reused (SvdQueueJob *self) { return self->frames_reused; }
guint svd_queue_job_get_chunks_done (SvdQueueJob *self) { return self->chunks_done; }
guint svd_queue_job_get_n_chunks (SvdQueueJob *self) { return self->n_chunks; }

/**
 * svd_queue_job_get_chunks_done_before:
 * @self: a job
 *
 * Returns: the chunks that were already done (verified) when the job last
 *   started: more than 0 when it resumed
 */
guint svd_queue_job_get_chunks_done_before (SvdQueueJob *self) { return self->chunks_done_before; }

/**
 * svd_queue_job_get_chunks_restored:
 * @self: a job
 *
 * Returns: the chunks restored since the job last started
 */
guint svd_queue_job_get_chunks_restored (SvdQueueJob *self) { return self->chunks_restored; }

static const char *state_names[] = { "queued", "running", "pausing", "paused", "done", "failed", "cancelled" };

/**
 * svd_queue_job_state_to_string:
 * @state: a state
 *
 * Returns: its name in the queue file and `svd queue list` ("queued",
 *   "running"…); not translated
 */
const char *
svd_queue_job_state_to_string (SvdQueueJobState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : "unknown";
}

/* ------------------------------------------------------------------ */
/* Run: one job on the worker thread */

static Run *
run_ref (Run *run)
{
  g_atomic_int_inc (&run->ref_count);
  return run;
}

static void
run_unref (gpointer data)
{
  Run *run = data;

  if (!g_atomic_int_dec_and_test (&run->ref_count))
    return;
  g_free (run->input);
  g_free (run->output);
  g_free (run->chain);
  g_free (run->encoder);
  g_free (run->preset);
  g_free (run->pix_fmt);
  g_free (run->notice);
  g_clear_error (&run->error);
  g_clear_object (&run->cancellable);
  g_main_context_unref (run->context);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
  g_free (run);
}

/* Main thread: copies the live counters into the job object. */
static gboolean
run_update_cb (gpointer data)
{
  Run *run = data;
  SvdQueueJob *job;
  g_autofree char *notice = NULL;

  if (run->queue == NULL || run->queue->running == NULL || run->queue->run != run)
    return G_SOURCE_REMOVE;
  job = run->queue->running;
  g_mutex_lock (&run->lock);
  run->update_pending = FALSE;
  job->frames_done = run->frames_done;
  job->frames_total = run->frames_total;
  job->frames_reused = run->frames_reused;
  job->chunks_done = run->chunks_done;
  job->n_chunks = run->n_chunks;
  job->chunks_done_before = run->chunks_done_before;
  job->chunks_restored = run->chunks_restored;
  notice = g_steal_pointer (&run->notice);
  g_mutex_unlock (&run->lock);
  if (notice != NULL)
    job_set_message (job, notice);
  g_object_notify_by_pspec (G_OBJECT (job), job_props[JOB_PROP_PROGRESS]);
  return G_SOURCE_REMOVE;
}

/* Any thread, with run->lock held: at most one update waits in the main
 * context, however fast the frames come. */
static void
run_post_update_locked (Run *run)
{
  GSource *source;

  if (run->update_pending)
    return;
  run->update_pending = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, run_update_cb, run_ref (run), run_unref);
  g_source_set_static_name (source, "svd-job-queue update");
  g_source_attach (source, run->context);
  g_source_unref (source);
}

static void
run_progress_cb (const SvdWriterProgress *p,
                 gpointer                 data)
{
  Run *run = data;

  g_mutex_lock (&run->lock);
  run->frames_done = run->chunk_frames_before + p->frames_done;
  run_post_update_locked (run);
  g_mutex_unlock (&run->lock);
}

static void
run_reused_cb (gint64   reused,
               gpointer data)
{
  Run *run = data;

  g_mutex_lock (&run->lock);
  run->frames_reused = run->reused_before + reused;
  g_mutex_unlock (&run->lock);
}

static void
run_notice_cb (const char *message,
               gpointer    data)
{
  Run *run = data;

  g_mutex_lock (&run->lock);
  g_free (run->notice);
  run->notice = g_strdup (message);
  run_post_update_locked (run);
  g_mutex_unlock (&run->lock);
}

/* Test hook, in SVD_FAULT_INJECT: queue-hold-in-chunk:K holds the worker
 * halfway through chunk K (its temporary chunk file open, K chunks done)
 * until the job is asked to stop: quit, cancel, or pause (which then lets
 * the chunk finish); the job's message says "held in chunk K" meanwhile.
 * A test that waits for that message can then
 * quit the app, pause or cancel in the middle of a chunk without a timer
 * or a race (tests/gui/test-jobs.c, tests/session/test-job-queue.c). */
static gint64
fault_hold_chunk (void)
{
  const char *f = g_getenv ("SVD_FAULT_INJECT");
  const char *prefix = "queue-hold-in-chunk:";

  if (f == NULL || !g_str_has_prefix (f, prefix))
    return -1;
  return g_ascii_strtoll (f + strlen (prefix), NULL, 10);
}

static void
run_frame_cb (SvdEngine *engine,
              gint64     frames,
              gpointer   data)
{
  Run *run = data;

  if (run->hold_chunk < 0 || run->held || run->chunk_index != run->hold_chunk ||
      frames < MAX (1, run->chunk_length / 2))
    return;
  run->held = TRUE;
  g_mutex_lock (&run->lock);
  /* What the tests wait for: the worker is inside the chunk now. */
  g_free (run->notice);
  run->notice = g_strdup_printf ("held in chunk %u (SVD_FAULT_INJECT)", run->chunk_index);
  run_post_update_locked (run);
  while (run->stop == STOP_NONE)
    g_cond_wait (&run->cond, &run->lock);
  g_mutex_unlock (&run->lock);
}

static StopReason
run_get_stop (Run *run)
{
  StopReason stop;

  g_mutex_lock (&run->lock);
  stop = run->stop;
  g_mutex_unlock (&run->lock);
  return stop;
}

static Outcome
run_job (Run     *run,
         GError **error)
{
  g_auto(SvdSettings) settings = { 0 };
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdChunkJob) planned = NULL;
  g_autoptr(GArray) todo = NULL;
  g_auto(SvdChunkJobResult) cres = { 0 };
  g_auto(SvdRestoreJobResult) sum = { 0 };
  SvdChunkJobOptions co;
  SvdReaderOptions ro;
  SvdRestoreJob rj;
  const SvdVideoInfo *info;
  gint64 frames_done = 0, frames = 0;

  if (run->settings_func != NULL)
    run->settings_func (&settings, run->settings_data);
  else
    svd_settings_init (&settings);
  settings.precision = run->precision;

  chain = svd_chain_parse (run->chain, NULL, SVD_CHAIN_LOAD_DEFAULT, error);
  if (chain == NULL)
    return OUTCOME_FAILED;
  svd_reader_options_init (&ro);
  reader = svd_reader_open (run->input, &ro, error);
  if (reader == NULL)
    return OUTCOME_FAILED;
  info = svd_reader_get_info (reader);
  /* Chunks are NUT files, which carry no display matrix (see `svd restore`). */
  if ((info->rotation % 360 != 0 || info->hflip) &&
      !g_str_has_suffix (run->output, ".mkv") && !g_str_has_suffix (run->output, ".webm"))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "“%s” is rotated or mirrored, which a chunked restore keeps only in a .mkv or .webm output",
                   run->input);
      return OUTCOME_FAILED;
    }

  svd_restore_job_init (&rj);
  rj.input_path = run->input;
  rj.reader = reader;
  rj.output_path = run->output;
  rj.chain = chain;
  rj.encoder = run->encoder;
  rj.crf = run->crf;
  rj.preset = run->preset;
  rj.pix_fmt = run->pix_fmt;
  rj.copy_audio = run->copy_audio;
  rj.copy_subtitles = run->copy_subtitles;
  rj.settings = &settings;
  rj.cancellable = run->cancellable;
  rj.progress = run_progress_cb;
  rj.frame_done = run_frame_cb;
  rj.notice = run_notice_cb;
  rj.frame_reused = run_reused_cb;
  rj.user_data = run;

  /* Plan the job folder, or check and verify the one an earlier run left:
   * the job `svd restore` runs, stopped before the chunks so that the
   * queue can stop between them. */
  svd_chunk_job_options_init (&co);
  co.chunk_frames = run->chunk_frames;
  co.plan_only = TRUE;
  co.notice = run_notice_cb;
  co.user_data = run;
  if (!svd_chunk_job_restore (&rj, &co, &planned, &cres, error))
    return g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? OUTCOME_STOPPED : OUTCOME_FAILED;
  if (planned == NULL)
    {
      g_autofree char *dir = svd_chunk_job_dir_for_output (run->output);

      planned = svd_chunk_job_open (dir, error);
      if (planned == NULL)
        return OUTCOME_FAILED;
    }
  todo = svd_chunk_job_missing_chunks (planned, SVD_CHUNK_VERIFY_CHECKSUM);
  for (guint i = 0; i < svd_chunk_job_get_n_chunks (planned); i++)
    {
      const SvdChunk *c = svd_chunk_job_get_chunk (planned, i);
      gboolean missing = FALSE;

      for (guint k = 0; k < todo->len && !missing; k++)
        missing = g_array_index (todo, guint, k) == i;
      if (!missing)
        frames_done += c->end - c->first;
    }
  g_mutex_lock (&run->lock);
  run->n_chunks = svd_chunk_job_get_n_chunks (planned);
  run->chunks_done = run->n_chunks - todo->len;
  run->chunks_done_before = run->chunks_done;
  run->chunks_restored = 0;
  run->frames_total = svd_chunk_job_get_n_frames (planned);
  run->frames_done = frames_done;
  if (run->chunks_done_before > 0)
    {
      g_free (run->notice);
      run->notice = g_strdup_printf ("resuming: %u of %u chunks done", run->chunks_done_before, run->n_chunks);
    }
  run_post_update_locked (run);
  g_mutex_unlock (&run->lock);

  sum.reuse_worst_psnr_y = INFINITY;
  sum.first_damaged_frame = -1;
  for (guint k = 0; k < todo->len; k++)
    {
      guint i = g_array_index (todo, guint, k);
      const SvdChunk *c = svd_chunk_job_get_chunk (planned, i);

      /* Pause stops here, between chunks; cancel and quit cancelled the
       * chunk in progress. */
      if (run_get_stop (run) != STOP_NONE)
        return OUTCOME_STOPPED;
      run->chunk_index = i;
      run->chunk_length = c->end - c->first;
      run->chunk_frames_before = frames_done;
      run->reused_before = sum.frames_reused;
      if (!svd_chunk_job_run_chunk (planned, i, &rj, &sum, error))
        return g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? OUTCOME_STOPPED : OUTCOME_FAILED;
      frames_done += c->end - c->first;
      g_mutex_lock (&run->lock);
      run->chunks_done++;
      run->chunks_restored++;
      run->frames_done = frames_done;
      run->frames_reused = sum.frames_reused;
      run_post_update_locked (run);
      g_mutex_unlock (&run->lock);
    }
  if (!svd_chunk_job_join (planned, run->cancellable, &frames, error))
    return g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? OUTCOME_STOPPED : OUTCOME_FAILED;
  g_mutex_lock (&run->lock);
  run->frames_done = frames;
  g_mutex_unlock (&run->lock);
  return OUTCOME_DONE;
}

static gboolean run_finished_cb (gpointer data);

static gpointer
run_thread (gpointer data)
{
  Run *run = data;
  g_autoptr(GError) error = NULL;
  Outcome outcome;
  GSource *source;

  outcome = run_job (run, &error);
  g_mutex_lock (&run->lock);
  /* Cancel keeps nothing: the job folder goes, here off the main thread. */
  if (run->stop == STOP_CANCEL && outcome != OUTCOME_DONE)
    {
      g_autofree char *dir = svd_chunk_job_dir_for_output (run->output);
      g_autoptr(GError) local = NULL;

      if (!svd_chunk_job_remove_dir (dir, &local))
        g_warning ("%s", local->message);
      outcome = OUTCOME_CANCELLED;
    }
  else if (outcome == OUTCOME_FAILED && run->stop != STOP_NONE &&
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    outcome = OUTCOME_STOPPED;
  run->outcome = outcome;
  run->error = g_steal_pointer (&error);
  g_mutex_unlock (&run->lock);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_finished_cb, run_ref (run), run_unref);
  g_source_set_static_name (source, "svd-job-queue finished");
  g_source_attach (source, run->context);
  g_source_unref (source);
  run_unref (run);   /* the thread's own reference */
  return NULL;
}

static void
run_request_stop (Run        *run,
                  StopReason  reason)
{
  g_mutex_lock (&run->lock);
  /* A stronger request wins: cancel or quit over pause. */
  if (reason > run->stop)
    run->stop = reason;
  if (reason == STOP_PAUSE)
    run->pause_requested = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
  if (reason != STOP_PAUSE)
    g_cancellable_cancel (run->cancellable);
}

/* ------------------------------------------------------------------ */
/* The queue file */

/**
 * svd_job_queue_default_path:
 *
 * Returns: (transfer full): $XDG_STATE_HOME/svd-studio/jobs.json (state,
 *   not configuration or data: it is what the app was doing)
 */
char *
svd_job_queue_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "svd-studio", SVD_JOB_QUEUE_FILE_NAME, NULL);
}

/* What is written for a state: a job that runs now is queued for the next
 * start; one that is pausing stays paused. */
static SvdQueueJobState
saved_state (SvdQueueJobState state)
{
  switch (state)
    {
    case SVD_QUEUE_JOB_RUNNING:
      return SVD_QUEUE_JOB_QUEUED;
    case SVD_QUEUE_JOB_PAUSING:
      return SVD_QUEUE_JOB_PAUSED;
    default:
      return state;
    }
}

/**
 * svd_job_queue_save:
 * @self: a queue
 * @error: return location for an error
 *
 * Writes the queue file atomically (a temporary file, synced and renamed):
 * after a crash or a power cut it holds the old queue or the new one.
 * The queue saves itself after every change; this is for callers that
 * want to know it worked.
 *
 * Returns: %TRUE when written
 */
gboolean
svd_job_queue_save (SvdJobQueue  *self,
                    GError      **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GError) local = NULL;

  if (!check_writable (self, error))
    return FALSE;
  json_builder_begin_object (b);
  svd_job_json_add_string (b, "format", QUEUE_FORMAT);
  svd_job_json_add_int (b, "version", QUEUE_VERSION);
  json_builder_set_member_name (b, "jobs");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      SvdQueueJob *job = g_ptr_array_index (self->jobs, i);

      json_builder_begin_object (b);
      svd_job_json_add_int (b, "id", job->id);
      svd_job_json_add_string (b, "input", job->input);
      svd_job_json_add_string (b, "output", job->output);
      svd_job_json_add_string (b, "chain", job->chain);
      svd_job_json_add_string (b, "job_dir", job->job_dir);
      json_builder_set_member_name (b, "settings");
      json_builder_begin_object (b);
      svd_job_json_add_string (b, "encoder", job->encoder);
      svd_job_json_add_int (b, "crf", job->crf);
      svd_job_json_add_string (b, "preset", job->preset);
      svd_job_json_add_string (b, "pix_fmt", job->pix_fmt);
      svd_job_json_add_string (b, "precision", job->precision == SVD_PRECISION_FP16 ? "fp16" : "fp32");
      svd_job_json_add_int (b, "chunk_frames", job->chunk_frames);
      svd_job_json_add_bool (b, "copy_audio", job->copy_audio);
      svd_job_json_add_bool (b, "copy_subtitles", job->copy_subtitles);
      json_builder_end_object (b);
      svd_job_json_add_string (b, "state", svd_queue_job_state_to_string (saved_state (job->state)));
      svd_job_json_add_string (b, "message", job->message);
      /* The last progress seen, shown until the job runs again (the
       * ledger in the job folder is what counts). */
      svd_job_json_add_int (b, "frames_done", job->frames_done);
      svd_job_json_add_int (b, "frames_total", job->frames_total);
      svd_job_json_add_int (b, "chunks_done", job->chunks_done);
      svd_job_json_add_int (b, "n_chunks", job->n_chunks);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int err = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create “%s”: %s", dir, g_strerror (err));
      return FALSE;
    }
  if (!g_file_set_contents_full (self->path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write the job queue “%s”: %s", self->path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

static void
save_or_warn (SvdJobQueue *self)
{
  g_autoptr(GError) error = NULL;

  if (!svd_job_queue_save (self, &error))
    g_warning ("%s", error->message);
}

static gboolean
bad (GError    **error,
     guint       index,
     const char *member)
{
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "job %u: “%s” is missing or has the wrong type or value", index + 1, member);
  return FALSE;
}

static gboolean
read_string (JsonObject  *o,
             const char  *member,
             gboolean     nullable,
             char       **out,
             guint        index,
             GError     **error)
{
  const char *s;

  if (nullable && svd_job_json_is_null (o, member))
    return TRUE;
  if ((s = svd_job_json_get_string (o, member)) == NULL || (!nullable && *s == '\0'))
    return bad (error, index, member);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
read_int (JsonObject  *o,
          const char  *member,
          gint64       min,
          gint64       max,
          gint64      *out,
          guint        index,
          GError     **error)
{
  if (!svd_job_json_get_int (o, member, min, max, out))
    return bad (error, index, member);
  return TRUE;
}

static gboolean
read_bool (JsonObject  *o,
           const char  *member,
           gboolean    *out,
           guint        index,
           GError     **error)
{
  if (!svd_job_json_get_bool (o, member, out))
    return bad (error, index, member);
  return TRUE;
}

static SvdQueueJob *
read_job (JsonNode  *node,
          guint      index,
          GError   **error)
{
  g_autoptr(SvdQueueJob) job = g_object_new (SVD_TYPE_QUEUE_JOB, NULL);
  g_autofree char *state = NULL, *precision = NULL, *expected_dir = NULL;
  JsonObject *o, *s;
  JsonNode *sn;
  gint64 v;
  gsize k;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      bad (error, index, "job");
      return NULL;
    }
  o = json_node_get_object (node);
  if (!read_int (o, "id", 1, G_MAXUINT32, &v, index, error))
    return NULL;
  job->id = (guint) v;
  if (!read_string (o, "input", FALSE, &job->input, index, error) ||
      !read_string (o, "output", FALSE, &job->output, index, error) ||
      !read_string (o, "chain", FALSE, &job->chain, index, error) ||
      !read_string (o, "job_dir", FALSE, &job->job_dir, index, error) ||
      !read_string (o, "state", FALSE, &state, index, error) ||
      !read_string (o, "message", TRUE, &job->message, index, error))
    return NULL;
  /* The chunk job's folder is always beside its output; a queue file that
   * says otherwise was not written by us, and deleting "its" folder on
   * cancel must never delete anything else. */
  expected_dir = svd_chunk_job_dir_for_output (job->output);
  if (strcmp (expected_dir, job->job_dir) != 0 || !g_path_is_absolute (job->output) ||
      !g_path_is_absolute (job->input))
    {
      bad (error, index, "job_dir");
      return NULL;
    }
  sn = json_object_get_member (o, "settings");
  if (sn == NULL || !JSON_NODE_HOLDS_OBJECT (sn))
    {
      bad (error, index, "settings");
      return NULL;
    }
  s = json_node_get_object (sn);
  if (!read_string (s, "encoder", TRUE, &job->encoder, index, error) ||
      !read_string (s, "preset", TRUE, &job->preset, index, error) ||
      !read_string (s, "pix_fmt", TRUE, &job->pix_fmt, index, error) ||
      !read_string (s, "precision", FALSE, &precision, index, error) ||
      !read_bool (s, "copy_audio", &job->copy_audio, index, error) ||
      !read_bool (s, "copy_subtitles", &job->copy_subtitles, index, error))
    return NULL;
  if (!read_int (s, "crf", -1, 63, &v, index, error))
    return NULL;
  job->crf = (int) v;
  if (!read_int (s, "chunk_frames", 0, G_MAXINT32, &job->chunk_frames, index, error))
    return NULL;
  if (strcmp (precision, "fp32") == 0)
    job->precision = SVD_PRECISION_FP32;
  else if (strcmp (precision, "fp16") == 0)
    job->precision = SVD_PRECISION_FP16;
  else
    {
      bad (error, index, "precision");
      return NULL;
    }
  for (k = 0; k < G_N_ELEMENTS (state_names); k++)
    if (strcmp (state, state_names[k]) == 0)
      break;
  if (k == G_N_ELEMENTS (state_names))
    {
      bad (error, index, "state");
      return NULL;
    }
  job->state = saved_state ((SvdQueueJobState) k);
  if (!read_int (o, "frames_done", 0, G_MAXINT64, &job->frames_done, index, error) ||
      !read_int (o, "frames_total", 0, G_MAXINT64, &job->frames_total, index, error))
    return NULL;
  if (!read_int (o, "chunks_done", 0, G_MAXUINT32, &v, index, error))
    return NULL;
  job->chunks_done = (guint) v;
  if (!read_int (o, "n_chunks", 0, G_MAXUINT32, &v, index, error))
    return NULL;
  job->n_chunks = (guint) v;
  if (job->chunks_done > job->n_chunks || job->frames_done > job->frames_total)
    {
      bad (error, index, "chunks_done");
      return NULL;
    }
  return g_steal_pointer (&job);
}

static GPtrArray *
parse_queue (const char  *path,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;
  JsonNode *n;
  JsonArray *array;
  gsize len = 0;

  if (!svd_file_read_regular (path, SVD_LIMIT_JOB_QUEUE_BYTES, &text, &len, error))
    return NULL;
  if (!svd_json_check_depth (text, len, SVD_LIMIT_JSON_DEPTH, path, error))
    return NULL;
  if (!json_parser_load_from_data (parser, text, len, &local))
    {
      g_autofree char *shown = svd_json_error_text (local);

      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%s", shown);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "not a JSON object");
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  n = json_object_get_member (root, "format");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
      strcmp (json_node_get_string (n), QUEUE_FORMAT) != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "not a job queue (no \"format\": \"%s\")",
                   QUEUE_FORMAT);
      return NULL;
    }
  n = json_object_get_member (root, "version");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      json_node_get_int (n) != QUEUE_VERSION)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "version %s of the queue format is not supported",
                   n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64
                   ? "other than 1" : "(missing)");
      return NULL;
    }
  n = json_object_get_member (root, "jobs");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "“jobs” is missing or not a list");
      return NULL;
    }
  array = json_node_get_array (n);
  if (json_array_get_length (array) > SVD_LIMIT_JOB_QUEUE_JOBS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%u jobs, more than the %u a queue holds",
                   json_array_get_length (array), (guint) SVD_LIMIT_JOB_QUEUE_JOBS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      SvdQueueJob *job = read_job (json_array_get_element (array, i), i, error);

      if (job == NULL)
        return NULL;
      g_ptr_array_add (jobs, job);
      if (!g_hash_table_add (ids, GUINT_TO_POINTER (job->id)))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "job %u: id %u is used twice", i + 1, job->id);
          return NULL;
        }
    }
  return g_steal_pointer (&jobs);
}

/* One process at a time runs and writes a queue (the app, or `svd queue
 * run`): it holds an exclusive flock() on jobs.json.lock while its queue
 * is loaded. Another process sees the queue read-only: it can list the
 * jobs but not change or run them, so two processes never restore the
 * same job folder or overwrite each other's queue file. */
static void
take_lock (SvdJobQueue *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *lock = g_strconcat (self->path, ".lock", NULL);
  int fd;

  if (self->lock_fd >= 0)
    return;
  self->read_only = TRUE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return;
  fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return;
    }
  self->lock_fd = fd;
  self->read_only = FALSE;
}

static void
release_lock (SvdJobQueue *self)
{
  if (self->lock_fd < 0)
    return;
  close (self->lock_fd);
  self->lock_fd = -1;
  self->read_only = TRUE;
}

static gboolean
check_writable (SvdJobQueue  *self,
                GError      **error)
{
  if (!self->read_only)
    return TRUE;
  g_set_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
               "The job queue “%s” is in use by another process (SVD Studio or `svd queue run`); "
               "it can be changed or run only there until that process ends", self->path);
  return FALSE;
}

/**
 * svd_job_queue_is_read_only:
 * @self: a queue
 *
 * Returns: %TRUE when another process holds the queue (see
 *   svd_job_queue_load()): its jobs can be listed, not changed or run
 */
gboolean
svd_job_queue_is_read_only (SvdJobQueue *self)
{
  g_return_val_if_fail (SVD_IS_JOB_QUEUE (self), TRUE);
  return self->read_only;
}

/**
 * svd_job_queue_load:
 * @self: a queue, empty and not started
 * @error: return location for an error
 *
 * Takes the queue for this process and reads the queue file. A missing
 * file is an empty queue. A damaged one (not JSON, nested or sized past
 * the limits, a job without its input…) is moved aside to
 * "jobs.json.damaged-DATE" (kept for the user; nothing is deleted) and
 * the queue starts empty; the error names both files. When another
 * process holds the queue, its jobs are read but the queue is read-only
 * (svd_job_queue_is_read_only()) and a damaged file is left alone.
 *
 * Returns: %TRUE when the file was read or did not exist
 */
gboolean
svd_job_queue_load (SvdJobQueue  *self,
                    GError      **error)
{
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GError) local = NULL;
  guint old_len;

  g_return_val_if_fail (SVD_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (self->run == NULL, FALSE);

  take_lock (self);
  if (!g_file_test (self->path, G_FILE_TEST_EXISTS) && !g_file_test (self->path, G_FILE_TEST_IS_SYMLINK))
    return TRUE;
  jobs = parse_queue (self->path, &local);
  if (jobs == NULL && self->read_only)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The job queue “%s” is damaged (%s)", self->path,
                   local->message);
      return FALSE;
    }
  if (jobs == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
      g_autofree char *aside = g_strdup_printf ("%s.damaged-%s", self->path, stamp);

      for (guint n = 2; g_file_test (aside, G_FILE_TEST_EXISTS) && n < 1000; n++)
        {
          g_free (aside);
          aside = g_strdup_printf ("%s.damaged-%s-%u", self->path, stamp, n);
        }
      if (g_rename (self->path, aside) != 0)
        {
          int err = errno;

          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "The job queue “%s” is damaged (%s), and it could not be moved aside (%s); the "
                       "queue starts empty", self->path, local->message, g_strerror (err));
          return FALSE;
        }
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The job queue “%s” is damaged (%s); it was kept as “%s” and the queue starts empty",
                   self->path, local->message, aside);
      return FALSE;
    }
  old_len = self->jobs->len;
  for (guint i = 0; i < jobs->len; i++)
    {
      SvdQueueJob *job = g_ptr_array_index (jobs, i);

      self->next_id = MAX (self->next_id, job->id + 1);
      g_ptr_array_add (self->jobs, g_object_ref (job));
    }
  g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, jobs->len);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Running */

static void
finish_run (SvdJobQueue *self)
{
  Run *run = self->run;
  SvdQueueJob *job = self->running;
  g_autoptr(GError) error = NULL;
  SvdQueueJobState state;
  gboolean pause;
  StopReason stop;
  Outcome outcome;

  g_thread_join (run->thread);
  run->thread = NULL;
  g_mutex_lock (&run->lock);
  outcome = run->outcome;
  error = g_steal_pointer (&run->error);
  stop = run->stop;
  pause = run->pause_requested;
  g_mutex_unlock (&run->lock);
  run_update_cb (run);
  run->queue = NULL;
  self->run = NULL;
  self->running = NULL;

  switch (outcome)
    {
    case OUTCOME_DONE:
      state = SVD_QUEUE_JOB_DONE;
      job_set_message (job, NULL);
      break;
    case OUTCOME_CANCELLED:
      state = SVD_QUEUE_JOB_CANCELLED;
      job->chunks_done = 0;
      job->frames_done = 0;
      job->frames_reused = 0;
      job_set_message (job, NULL);
      break;
    case OUTCOME_STOPPED:
      /* Quitting leaves the job queued (it resumes), unless the user
       * had asked it to pause. */
      state = pause || stop == STOP_PAUSE ? SVD_QUEUE_JOB_PAUSED : SVD_QUEUE_JOB_QUEUED;
      break;
    case OUTCOME_FAILED:
    default:
      state = SVD_QUEUE_JOB_FAILED;
      job_set_message (job, error != NULL ? error->message : "failed");
      break;
    }
  job_set_state (job, state);
  g_object_notify_by_pspec (G_OBJECT (job), job_props[JOB_PROP_PROGRESS]);
  save_or_warn (self);
  run_unref (run);
  /* The next job starts before the signal, so its handlers see whether
   * the queue still runs. */
  maybe_start_next (self);
  g_signal_emit (self, signals[SIGNAL_JOB_FINISHED], 0, job);
  g_object_unref (job);
}

static gboolean
run_finished_cb (gpointer data)
{
  Run *run = data;
  SvdJobQueue *self = run->queue;

  if (self == NULL || self->run != run)
    return G_SOURCE_REMOVE;
  g_object_ref (self);
  finish_run (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
maybe_start_next (SvdJobQueue *self)
{
  SvdQueueJob *job = NULL;
  Run *run;
  g_autoptr(GError) error = NULL;

  if (self->run != NULL || !self->started || self->shutting_down)
    return;
  for (guint i = 0; i < self->jobs->len && job == NULL; i++)
    {
      SvdQueueJob *j = g_ptr_array_index (self->jobs, i);

      if (j->state == SVD_QUEUE_JOB_QUEUED)
        job = j;
    }
  if (job == NULL)
    return;

  run = g_new0 (Run, 1);
  run->ref_count = 1;
  run->queue = self;
  run->context = g_main_context_ref (self->context);
  run->job_id = job->id;
  run->input = g_strdup (job->input);
  run->output = g_strdup (job->output);
  run->chain = g_strdup (job->chain);
  run->encoder = g_strdup (job->encoder);
  run->crf = job->crf;
  run->preset = g_strdup (job->preset);
  run->pix_fmt = g_strdup (job->pix_fmt);
  run->precision = job->precision;
  run->chunk_frames = job->chunk_frames;
  run->copy_audio = job->copy_audio;
  run->copy_subtitles = job->copy_subtitles;
  run->settings_func = self->settings_func;
  run->settings_data = self->settings_data;
  run->cancellable = g_cancellable_new ();
  run->hold_chunk = fault_hold_chunk ();
  run->frames_done = job->frames_done;
  run->frames_total = job->frames_total;
  run->chunks_done = job->chunks_done;
  run->n_chunks = job->n_chunks;
  g_mutex_init (&run->lock);
  g_cond_init (&run->cond);

  self->run = run;
  self->running = g_object_ref (job);
  job->chunks_done_before = 0;
  job->chunks_restored = 0;
  job_set_message (job, NULL);
  job_set_state (job, SVD_QUEUE_JOB_RUNNING);
  save_or_warn (self);
  run->thread = g_thread_try_new ("svd-job-queue", run_thread, run_ref (run), &error);
  if (run->thread == NULL)
    {
      run_unref (run);   /* the thread's */
      run->queue = NULL;
      run_unref (run);
      self->run = NULL;
      self->running = NULL;
      job_set_message (job, error->message);
      job_set_state (job, SVD_QUEUE_JOB_FAILED);
      save_or_warn (self);
      g_object_unref (job);
    }
}

/* ------------------------------------------------------------------ */
/* GListModel */

static GType
svd_job_queue_get_item_type (GListModel *list)
{
  return SVD_TYPE_QUEUE_JOB;
}

static guint
svd_job_queue_get_n_items (GListModel *list)
{
  return SVD_JOB_QUEUE (list)->jobs->len;
}

static gpointer
svd_job_queue_get_item (GListModel *list,
                        guint       position)
{
  SvdJobQueue *self = SVD_JOB_QUEUE (list);

  if (position >= self->jobs->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->jobs, position));
}

static void
svd_job_queue_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = svd_job_queue_get_item_type;
  iface->get_n_items = svd_job_queue_get_n_items;
  iface->get_item = svd_job_queue_get_item;
}

/* ------------------------------------------------------------------ */
/* SvdJobQueue */

static void
svd_job_queue_dispose (GObject *object)
{
  SvdJobQueue *self = SVD_JOB_QUEUE (object);

  svd_job_queue_shutdown (self);
  G_OBJECT_CLASS (svd_job_queue_parent_class)->dispose (object);
}

static void
svd_job_queue_finalize (GObject *object)
{
  SvdJobQueue *self = SVD_JOB_QUEUE (object);

  release_lock (self);
  g_ptr_array_unref (self->jobs);
  g_main_context_unref (self->context);
  g_free (self->path);
  G_OBJECT_CLASS (svd_job_queue_parent_class)->finalize (object);
}

static void
svd_job_queue_class_init (SvdJobQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = svd_job_queue_dispose;
  object_class->finalize = svd_job_queue_finalize;

  /**
   * SvdJobQueue::job-finished:
   * @self: the queue
   * @job: the job that stopped: done, failed, cancelled, paused, or
   *   queued again (the queue shut down)
   */
  signals[SIGNAL_JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SVD_TYPE_QUEUE_JOB);
}

static void
svd_job_queue_init (SvdJobQueue *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->next_id = 1;
  self->lock_fd = -1;
  self->read_only = TRUE;
  self->context = g_main_context_ref_thread_default ();
}

/**
 * svd_job_queue_new:
 * @path: (nullable): the queue file; %NULL for
 *   svd_job_queue_default_path()
 *
 * Makes an empty, read-only queue; svd_job_queue_load() takes it for this
 * process and reads the file, and
 * svd_job_queue_start() runs its jobs. The queue belongs to the calling
 * thread's default main context, where it posts progress.
 *
 * Returns: (transfer full): the queue
 */
SvdJobQueue *
svd_job_queue_new (const char *path)
{
  SvdJobQueue *self = g_object_new (SVD_TYPE_JOB_QUEUE, NULL);

  self->path = path != NULL ? g_strdup (path) : svd_job_queue_default_path ();
  return self;
}

const char *
svd_job_queue_get_path (SvdJobQueue *self)
{
  g_return_val_if_fail (SVD_IS_JOB_QUEUE (self), NULL);
  return self->path;
}

/**
 * svd_job_queue_set_settings_func:
 * @self: a queue
 * @func: (nullable): gives the engine settings when a job starts, on the
 *   worker thread; %NULL for svd_settings_init()'s defaults
 * @user_data: data for @func
 */
void
svd_job_queue_set_settings_func (SvdJobQueue             *self,
                                 SvdJobQueueSettingsFunc  func,
                                 gpointer                 user_data)
{
  g_return_if_fail (SVD_IS_JOB_QUEUE (self));
  self->settings_func = func;
  self->settings_data = user_data;
}

static char *
absolute (const char *path)
{
  g_autofree char *cwd = g_get_current_dir ();

  return g_canonicalize_filename (path, cwd);
}

static gboolean
job_is_finished (SvdQueueJob *job)
{
  return job->state == SVD_QUEUE_JOB_DONE || job->state == SVD_QUEUE_JOB_CANCELLED;
}

/**
 * svd_job_queue_add:
 * @self: a queue
 * @spec: the restore
 * @error: return location for an error
 *
 * Adds a job at the end of the queue and saves the queue; a started queue
 * runs it when its turn comes. Refused: an output that is the input, or
 * that an unfinished job of the queue writes already.
 *
 * Returns: (transfer none): the job, or %NULL with @error set
 */
SvdQueueJob *
svd_job_queue_add (SvdJobQueue            *self,
                   const SvdQueueJobSpec  *spec,
                   GError                **error)
{
  g_autoptr(SvdQueueJob) job = NULL;
  g_autofree char *input = NULL, *output = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (SVD_IS_JOB_QUEUE (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  if (!check_writable (self, error))
    return NULL;
  if (spec->input == NULL || *spec->input == '\0' || spec->output == NULL || *spec->output == '\0' ||
      spec->chain == NULL || *spec->chain == '\0')
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "A job needs an input, an output and a chain");
      return NULL;
    }
  if (spec->crf < -1 || spec->crf > 63 || spec->chunk_frames < 0 || spec->chunk_frames > G_MAXINT32)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "CRF %d or chunk length %" G_GINT64_FORMAT
                   " is out of range", spec->crf, spec->chunk_frames);
      return NULL;
    }
  if (self->jobs->len >= SVD_LIMIT_JOB_QUEUE_JOBS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "The queue holds %u jobs already; remove "
                   "finished ones first", self->jobs->len);
      return NULL;
    }
  input = absolute (spec->input);
  output = absolute (spec->output);
  if (strcmp (input, output) == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "The output “%s” is the input", output);
      return NULL;
    }
  for (guint i = 0; i < self->jobs->len; i++)
    {
      SvdQueueJob *other = g_ptr_array_index (self->jobs, i);

      if (!job_is_finished (other) && strcmp (other->output, output) == 0)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "Job %u writes “%s” already", other->id, output);
          return NULL;
        }
    }

  job = g_object_new (SVD_TYPE_QUEUE_JOB, NULL);
  job->id = self->next_id;
  job->input = g_steal_pointer (&input);
  job->output = g_steal_pointer (&output);
  job->chain = g_strdup (spec->chain);
  job->encoder = g_strdup (spec->encoder);
  job->crf = spec->crf;
  job->preset = g_strdup (spec->preset);
  job->pix_fmt = g_strdup (spec->pix_fmt);
  job->precision = spec->precision;
  job->chunk_frames = spec->chunk_frames;
  job->copy_audio = spec->copy_audio;
  job->copy_subtitles = spec->copy_subtitles;
  job->job_dir = svd_chunk_job_dir_for_output (job->output);
  job->state = SVD_QUEUE_JOB_QUEUED;

  g_ptr_array_add (self->jobs, g_object_ref (job));
  if (!svd_job_queue_save (self, error))
    {
      g_ptr_array_remove_index (self->jobs, self->jobs->len - 1);
      return NULL;
    }
  self->next_id++;
  g_list_model_items_changed (G_LIST_MODEL (self), self->jobs->len - 1, 0, 1);
  maybe_start_next (self);
  return job;
}

/**
 * svd_job_queue_find:
 * @self: a queue
 * @id: a job's id
 *
 * Returns: (transfer none) (nullable): the job
 */
SvdQueueJob *
svd_job_queue_find (SvdJobQueue *self,
                    guint        id)
{
  for (guint i = 0; i < self->jobs->len; i++)
    if (SVD_QUEUE_JOB (g_ptr_array_index (self->jobs, i))->id == id)
      return g_ptr_array_index (self->jobs, i);
  return NULL;
}

/**
 * svd_job_queue_start:
 * @self: a queue
 *
 * Runs the queued jobs, one at a time, in order: those added since, and
 * those that were queued or running when the queue was last saved (the
 * app quit mid-job), which resume from their finished chunks. Paused
 * jobs wait for svd_job_queue_resume().
 */
void
svd_job_queue_start (SvdJobQueue *self)
{
  g_return_if_fail (SVD_IS_JOB_QUEUE (self));
  if (self->shutting_down || self->read_only)
    return;
  self->started = TRUE;
  maybe_start_next (self);
}

/**
 * svd_job_queue_is_running:
 * @self: a queue
 *
 * Returns: whether a job runs now
 */
gboolean
svd_job_queue_is_running (SvdJobQueue *self)
{
  return self->run != NULL;
}

/**
 * svd_job_queue_count_unfinished:
 * @self: a queue
 *
 * Returns: the jobs queued, running or paused
 */
guint
svd_job_queue_count_unfinished (SvdJobQueue *self)
{
  guint n = 0;

  for (guint i = 0; i < self->jobs->len; i++)
    {
      SvdQueueJob *job = g_ptr_array_index (self->jobs, i);

      n += job->state == SVD_QUEUE_JOB_QUEUED || job->state == SVD_QUEUE_JOB_RUNNING ||
           job->state == SVD_QUEUE_JOB_PAUSING || job->state == SVD_QUEUE_JOB_PAUSED;
    }
  return n;
}

/**
 * svd_job_queue_pause:
 * @self: a queue
 * @job: a queued or running job
 *
 * A running job finishes the chunk in progress and stops (pausing, then
 * paused); a queued one is skipped until resumed. Finished chunks stay.
 */
void
svd_job_queue_pause (SvdJobQueue *self,
                     SvdQueueJob *job)
{
  g_return_if_fail (SVD_IS_JOB_QUEUE (self) && SVD_IS_QUEUE_JOB (job));
  if (self->read_only)
    return;

  if (job == self->running && job->state == SVD_QUEUE_JOB_RUNNING)
    {
      run_request_stop (self->run, STOP_PAUSE);
      job_set_state (job, SVD_QUEUE_JOB_PAUSING);
    }
  else if (job->state == SVD_QUEUE_JOB_QUEUED)
    job_set_state (job, SVD_QUEUE_JOB_PAUSED);
  else
    return;
  save_or_warn (self);
}

/**
 * svd_job_queue_resume:
 * @self: a queue
 * @job: a paused, pausing, failed or cancelled job
 *
 * Queues the job again: it resumes from its finished chunks (a cancelled
 * one starts over). A pausing job just keeps running.
 */
void
svd_job_queue_resume (SvdJobQueue *self,
                      SvdQueueJob *job)
{
  g_return_if_fail (SVD_IS_JOB_QUEUE (self) && SVD_IS_QUEUE_JOB (job));
  if (self->read_only)
    return;

  if (job->state == SVD_QUEUE_JOB_PAUSING && job == self->running)
    {
      Run *run = self->run;

      g_mutex_lock (&run->lock);
      if (run->stop == STOP_PAUSE)
        run->stop = STOP_NONE;
      run->pause_requested = FALSE;
      g_mutex_unlock (&run->lock);
      job_set_state (job, SVD_QUEUE_JOB_RUNNING);
    }
  else if (job->state == SVD_QUEUE_JOB_PAUSED || job->state == SVD_QUEUE_JOB_FAILED ||
           job->state == SVD_QUEUE_JOB_CANCELLED)
    {
      job_set_message (job, NULL);
      job_set_state (job, SVD_QUEUE_JOB_QUEUED);
    }
  else
    return;
  save_or_warn (self);
  maybe_start_next (self);
}

/**
 * svd_job_queue_cancel:
 * @self: a queue
 * @job: a job that is not done
 *
 * Stops the job at once (a running one cancels the chunk in progress) and
 * deletes its job folder with every finished chunk: nothing is kept. The
 * GUI asks first. The job stays in the list, cancelled, until removed.
 */
void
svd_job_queue_cancel (SvdJobQueue *self,
                      SvdQueueJob *job)
{
  g_return_if_fail (SVD_IS_JOB_QUEUE (self) && SVD_IS_QUEUE_JOB (job));
  if (self->read_only)
    return;

  if (job_is_finished (job))
    return;
  if (job == self->running)
    {
      /* The worker deletes the folder once the chunk has stopped. */
      run_request_stop (self->run, STOP_CANCEL);
      return;
    }
  {
    g_autoptr(GError) error = NULL;

    if (!svd_chunk_job_remove_dir (job->job_dir, &error))
      g_warning ("%s", error->message);
  }
  job->chunks_done = 0;
  job->frames_done = 0;
  job->frames_reused = 0;
  job_set_message (job, NULL);
  job_set_state (job, SVD_QUEUE_JOB_CANCELLED);
  g_object_notify_by_pspec (G_OBJECT (job), job_props[JOB_PROP_PROGRESS]);
  save_or_warn (self);
}

/**
 * svd_job_queue_remove:
 * @self: a queue
 * @job: a job that does not run
 * @error: return location for an error
 *
 * Removes the job from the queue. Its job folder, if it still has one
 * (paused, failed), is deleted: a job that is not in the queue would
 * never be resumed. Cancel a running job first.
 *
 * Returns: %TRUE when removed
 */
gboolean
svd_job_queue_remove (SvdJobQueue  *self,
                      SvdQueueJob  *job,
                      GError      **error)
{
  guint index;

  g_return_val_if_fail (SVD_IS_JOB_QUEUE (self) && SVD_IS_QUEUE_JOB (job), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  if (job == self->running)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Job %u is running; cancel it first", job->id);
      return FALSE;
    }
  if (!g_ptr_array_find (self->jobs, job, &index))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Job %u is not in the queue", job->id);
      return FALSE;
    }
  if (job->state != SVD_QUEUE_JOB_DONE && g_file_test (job->job_dir, G_FILE_TEST_IS_DIR) &&
      !svd_chunk_job_remove_dir (job->job_dir, error))
    return FALSE;
  g_ptr_array_remove_index (self->jobs, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  save_or_warn (self);
  return TRUE;
}

/**
 * svd_job_queue_shutdown:
 * @self: a queue
 *
 * What quitting does: stops the running job at once (the chunk in
 * progress is dropped, every finished one kept), waits for the worker
 * thread, saves the job as queued so that it resumes at the next start,
 * and runs nothing more. Called by dispose too.
 */
void
svd_job_queue_shutdown (SvdJobQueue *self)
{
  g_return_if_fail (SVD_IS_JOB_QUEUE (self));

  self->shutting_down = TRUE;
  if (self->run != NULL)
    {
      run_request_stop (self->run, STOP_SHUTDOWN);
      finish_run (self);
    }
  /* Saved: the next process may take the queue. */
  release_lock (self);
}
