/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-worker"

#include "svd-worker.h"
#include "core/svd-error.h"
#include "core/svd-priority.h"

typedef struct {
  guint64           serial;
  guint             coalesce;
  SvdWorkerJobFunc  func;
  gpointer          data;
  GDestroyNotify    data_free;
  GDestroyNotify    result_free;
  SvdWorkerDoneFunc done;
  gpointer          done_data;
  GCancellable     *cancellable;
} Job;

/* State shared with callbacks queued on the client's context. Those may run
 * after svd_worker_free(), so they hold a reference to this, not to the
 * worker, and do nothing once it is closed. */
typedef struct {
  gint                   ref_count;
  GMutex                 lock;
  guint64                valid_from;
  gboolean               closed;
  SvdWorkerProgressFunc  progress_func;
  gpointer               progress_data;
  gboolean               progress_pending;
  double                 progress_fraction;
  char                  *progress_text;
} Shared;

struct _SvdWorker {
  char              *name;
  GThread           *thread;
  GMainContext      *context;
  Shared            *shared;

  GMutex             lock;
  GCond              cond;
  GQueue             queue;
  guint              max_queued;
  gboolean           quit;
  Job               *running;
  guint64            next_serial;

  SvdWorkerInitFunc  init;
  gpointer           init_data;
  GDestroyNotify     fini;
  gpointer           state;
  gboolean           init_done;
  GError            *init_error;
};

typedef struct {
  Shared            *shared;
  guint64            serial;
  gpointer           result;
  GError            *error;
  GDestroyNotify     result_free;
  SvdWorkerDoneFunc  done;
  gpointer           done_data;
} Delivery;

static Shared *
shared_ref (Shared *s)
{
  g_atomic_int_inc (&s->ref_count);
  return s;
}

static void
shared_unref (Shared *s)
{
  if (!g_atomic_int_dec_and_test (&s->ref_count))
    return;
  g_mutex_clear (&s->lock);
  g_free (s->progress_text);
  g_free (s);
}

static gboolean
shared_is_current (Shared  *s,
                   guint64  serial)
{
  gboolean current;

  g_mutex_lock (&s->lock);
  current = !s->closed && serial >= s->valid_from;
  g_mutex_unlock (&s->lock);
  return current;
}

static void
job_free (Job *job)
{
  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static gboolean
deliver_cb (gpointer user_data)
{
  Delivery *d = user_data;

  if (d->done != NULL && shared_is_current (d->shared, d->serial))
    {
      d->done (d->serial, g_steal_pointer (&d->result), d->error, d->done_data);
    }
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer user_data)
{
  Delivery *d = user_data;

  if (d->result != NULL && d->result_free != NULL)
    d->result_free (d->result);
  g_clear_error (&d->error);
  shared_unref (d->shared);
  g_free (d);
}

static void
deliver (SvdWorker *self,
         Job       *job,
         gpointer   result,
         GError    *error)
{
  Delivery *d;
  GSource *source;

  if (!shared_is_current (self->shared, job->serial) || job->done == NULL)
    {
      if (result != NULL && job->result_free != NULL)
        job->result_free (result);
      g_clear_error (&error);
      return;
    }

  d = g_new0 (Delivery, 1);
  d->shared = shared_ref (self->shared);
  d->serial = job->serial;
  d->result = result;
  d->error = error;
  d->result_free = job->result_free;
  d->done = job->done;
  d->done_data = job->done_data;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, d, delivery_free);
  g_source_set_static_name (source, "[svd] worker result");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static gpointer
worker_thread (gpointer user_data)
{
  SvdWorker *self = user_data;
  GError *init_error = NULL;
  gpointer state = NULL;

  /* Before init: threads it starts (FFmpeg's) inherit the priority. */
  svd_priority_apply_to_thread ();
  if (self->init != NULL)
    state = self->init (self->init_data, &init_error);

  g_mutex_lock (&self->lock);
  self->state = state;
  self->init_error = init_error;
  self->init_done = TRUE;
  g_cond_broadcast (&self->cond);

  for (;;)
    {
      Job *job;
      gpointer result = NULL;
      GError *error = NULL;

      while (g_queue_is_empty (&self->queue) && !self->quit)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        break;

      job = g_queue_pop_head (&self->queue);
      self->running = job;
      g_mutex_unlock (&self->lock);

      if (shared_is_current (self->shared, job->serial))
        {
          if (self->init_error != NULL)
            error = g_error_copy (self->init_error);
          else
            result = job->func (self, self->state, job->data, job->cancellable, &error);
          if (result != NULL && error != NULL)
            {
              g_warning ("Job %" G_GUINT64_FORMAT " returned a result and an error: %s",
                         job->serial, error->message);
              g_clear_error (&error);
            }
          if (result == NULL && error == NULL)
            g_set_error (&error, SVD_ERROR, SVD_ERROR_FAILED, "Job returned nothing");
          deliver (self, job, result, error);
        }

      g_mutex_lock (&self->lock);
      self->running = NULL;
      job_free (job);
      g_cond_broadcast (&self->cond);
    }

  /* Jobs never started are dropped without a callback: the client is gone. */
  while (!g_queue_is_empty (&self->queue))
    job_free (g_queue_pop_head (&self->queue));
  g_mutex_unlock (&self->lock);

  if (self->fini != NULL && self->state != NULL)
    self->fini (self->state);
  return NULL;
}

/**
 * svd_worker_new:
 * @name: a thread name for debuggers
 * @context: (nullable): where results and progress are delivered; %NULL
 *   for the thread-default context of the caller
 * @max_queued: the most jobs waiting at once (at least 1)
 * @init: (nullable): runs first on the worker thread and makes its state
 * @init_data: data for @init
 * @fini: (nullable): frees the state, on the worker thread, at the end
 *
 * Starts the thread. If @init fails, every job fails with its error; see
 * svd_worker_get_init_error().
 *
 * Returns: (transfer full): the worker
 */
SvdWorker *
svd_worker_new (const char        *name,
                GMainContext      *context,
                guint              max_queued,
                SvdWorkerInitFunc  init,
                gpointer           init_data,
                GDestroyNotify     fini)
{
  SvdWorker *self = g_new0 (SvdWorker, 1);

  self->name = g_strdup (name);
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->shared = g_new0 (Shared, 1);
  self->shared->ref_count = 1;
  g_mutex_init (&self->shared->lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  self->max_queued = MAX (1, max_queued);
  self->next_serial = 1;
  self->init = init;
  self->init_data = init_data;
  self->fini = fini;
  self->thread = g_thread_new (name, worker_thread, self);
  return self;
}

/**
 * svd_worker_free:
 * @self: a worker
 *
 * Cancels the running job, drops queued ones, waits for the thread to end
 * and frees the worker. Results still queued on the client's context are
 * discarded, never delivered.
 */
void
svd_worker_free (SvdWorker *self)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->shared->lock);
  self->shared->closed = TRUE;
  g_mutex_unlock (&self->shared->lock);

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  if (self->running != NULL)
    g_cancellable_cancel (self->running->cancellable);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_join (self->thread);

  g_clear_error (&self->init_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  shared_unref (self->shared);
  g_main_context_unref (self->context);
  g_free (self->name);
  g_free (self);
}

/**
 * svd_worker_submit:
 * @self: a worker
 * @coalesce: 0, or a key: a queued job with the same key is replaced
 * @func: the job
 * @job_data: (transfer full): the job's data
 * @job_data_free: (nullable): frees @job_data when the job is done or dropped
 * @result_free: (nullable): frees a result that is never delivered
 * @done: (nullable): called on the client's context with the result
 * @done_data: data for @done
 * @error: return location for an error
 *
 * Returns: the job's serial (never 0), or 0 with @error set when the queue
 *   is full of jobs that cannot be dropped; @job_data is freed then
 */
guint64
svd_worker_submit (SvdWorker          *self,
                   guint               coalesce,
                   SvdWorkerJobFunc    func,
                   gpointer            job_data,
                   GDestroyNotify      job_data_free,
                   GDestroyNotify      result_free,
                   SvdWorkerDoneFunc   done,
                   gpointer            done_data,
                   GError            **error)
{
  Job *job = g_new0 (Job, 1);
  Job *dropped = NULL;
  guint64 serial;

  job->coalesce = coalesce;
  job->func = func;
  job->data = job_data;
  job->data_free = job_data_free;
  job->result_free = result_free;
  job->done = done;
  job->done_data = done_data;
  job->cancellable = g_cancellable_new ();

  g_mutex_lock (&self->lock);

  if (coalesce != 0)
    {
      for (GList *l = self->queue.head; l != NULL; l = l->next)
        {
          Job *queued = l->data;

          if (queued->coalesce == coalesce)
            {
              dropped = queued;
              g_queue_delete_link (&self->queue, l);
              break;
            }
        }
    }

  if (dropped == NULL && g_queue_get_length (&self->queue) >= self->max_queued)
    {
      for (GList *l = self->queue.head; l != NULL; l = l->next)
        {
          Job *queued = l->data;

          if (queued->coalesce != 0)
            {
              dropped = queued;
              g_queue_delete_link (&self->queue, l);
              break;
            }
        }
      if (dropped == NULL)
        {
          g_mutex_unlock (&self->lock);
          g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED,
                       "The %s worker is busy: %u jobs are already waiting", self->name, self->max_queued);
          job_free (job);
          return 0;
        }
    }

  serial = job->serial = self->next_serial++;
  g_queue_push_tail (&self->queue, job);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (dropped != NULL)
    job_free (dropped);
  return serial;
}

/**
 * svd_worker_invalidate:
 * @self: a worker
 *
 * Makes every job submitted so far stale: queued ones are dropped, the
 * running one is cancelled, and no result of theirs is delivered, even one
 * already on its way to the client's context. Call after a seek.
 */
void
svd_worker_invalidate (SvdWorker *self)
{
  GQueue dropped = G_QUEUE_INIT;

  g_mutex_lock (&self->lock);
  g_mutex_lock (&self->shared->lock);
  self->shared->valid_from = self->next_serial;
  g_mutex_unlock (&self->shared->lock);
  if (self->running != NULL)
    g_cancellable_cancel (self->running->cancellable);
  dropped = self->queue;
  g_queue_init (&self->queue);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  while (!g_queue_is_empty (&dropped))
    job_free (g_queue_pop_head (&dropped));
}

/**
 * svd_worker_is_current:
 * @self: a worker
 * @serial: a job's serial
 *
 * Returns: %TRUE if @serial was submitted after the last invalidation
 */
gboolean
svd_worker_is_current (SvdWorker *self,
                       guint64    serial)
{
  return shared_is_current (self->shared, serial);
}

void
svd_worker_set_progress_func (SvdWorker             *self,
                              SvdWorkerProgressFunc  func,
                              gpointer               user_data)
{
  g_mutex_lock (&self->shared->lock);
  self->shared->progress_func = func;
  self->shared->progress_data = user_data;
  g_mutex_unlock (&self->shared->lock);
}

static gboolean
progress_cb (gpointer user_data)
{
  Shared *s = user_data;
  SvdWorkerProgressFunc func;
  gpointer data;
  double fraction;
  g_autofree char *text = NULL;
  gboolean closed;

  g_mutex_lock (&s->lock);
  s->progress_pending = FALSE;
  func = s->progress_func;
  data = s->progress_data;
  fraction = s->progress_fraction;
  text = g_steal_pointer (&s->progress_text);
  closed = s->closed;
  g_mutex_unlock (&s->lock);

  if (!closed && func != NULL)
    func (fraction, text, data);
  return G_SOURCE_REMOVE;
}

/**
 * svd_worker_report_progress:
 * @self: a worker
 * @fraction: 0 to 1, or negative when unknown
 * @text: (nullable): a short status text
 *
 * Called from a job. Reports are coalesced: if one is still pending on the
 * client's context it is updated instead of queueing another, so a fast job
 * cannot flood the main loop.
 */
void
svd_worker_report_progress (SvdWorker  *self,
                            double      fraction,
                            const char *text)
{
  Shared *s = self->shared;
  gboolean schedule;

  g_mutex_lock (&s->lock);
  s->progress_fraction = fraction;
  g_free (s->progress_text);
  s->progress_text = g_strdup (text);
  schedule = !s->progress_pending && s->progress_func != NULL && !s->closed;
  if (schedule)
    s->progress_pending = TRUE;
  g_mutex_unlock (&s->lock);

  if (schedule)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_callback (source, progress_cb, shared_ref (s), (GDestroyNotify) shared_unref);
      g_source_set_static_name (source, "[svd] worker progress");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

guint
svd_worker_get_n_queued (SvdWorker *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = g_queue_get_length (&self->queue);
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * svd_worker_wait_idle:
 * @self: a worker
 * @timeout_us: how long to wait, in microseconds (negative: forever)
 *
 * Blocks until no job is queued or running. For the CLI and tests; the GUI
 * never blocks on the worker.
 *
 * Returns: %TRUE if idle, %FALSE on timeout
 */
gboolean
svd_worker_wait_idle (SvdWorker *self,
                      gint64     timeout_us)
{
  gint64 end = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_us;
  gboolean idle;

  g_mutex_lock (&self->lock);
  while (!(idle = self->init_done && self->running == NULL && g_queue_is_empty (&self->queue)))
    {
      if (!g_cond_wait_until (&self->cond, &self->lock, end))
        {
          idle = self->init_done && self->running == NULL && g_queue_is_empty (&self->queue);
          break;
        }
    }
  g_mutex_unlock (&self->lock);
  return idle;
}

/**
 * svd_worker_get_init_error:
 * @self: a worker
 * @error: return location for the init function's error
 *
 * Waits for the init function to finish.
 *
 * Returns: %TRUE if it succeeded
 */
gboolean
svd_worker_get_init_error (SvdWorker  *self,
                           GError    **error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  while (!self->init_done)
    g_cond_wait (&self->cond, &self->lock);
  ok = self->init_error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (self->init_error));
  g_mutex_unlock (&self->lock);
  return ok;
}
