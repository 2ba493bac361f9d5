/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SvdWorker:
 *
 * One thread that runs jobs for a client (the GUI window, an export) and
 * posts their results back to the client's #GMainContext.
 *
 * - The thread owns its state: @init runs on it before any job and @fini
 *   after the last, so FFmpeg contexts and OpenCL queues and kernels are
 *   created, used and freed on one thread only.
 * - The queue is bounded. A job submitted with a non-zero @coalesce key
 *   replaces a queued job with the same key (only the newest seek matters);
 *   when the queue is full, the oldest coalescable job is dropped, else the
 *   submission fails.
 * - Every job gets a serial. svd_worker_invalidate() marks everything
 *   submitted so far stale: running jobs see their cancellable fire, and
 *   their results are dropped instead of delivered. After a seek the client
 *   calls it, so no frame of the old position reaches the screen.
 * - Progress reports are coalesced: at most one is pending on the client's
 *   context at a time, and it carries the newest values.
 * - svd_worker_free() cancels, wakes, joins and then runs @fini.
 */
typedef struct _SvdWorker SvdWorker;

/**
 * SvdWorkerJobFunc:
 * @worker: the worker
 * @state: what @init returned
 * @job_data: the job's data
 * @cancellable: fires when the job is cancelled or made stale
 * @error: return location for an error
 *
 * Runs on the worker thread.
 *
 * Returns: (transfer full) (nullable): the result, handed to the done
 *   callback; %NULL with @error set on failure
 */
typedef gpointer (*SvdWorkerJobFunc)   (SvdWorker    *worker,
                                        gpointer      state,
                                        gpointer      job_data,
                                        GCancellable *cancellable,
                                        GError      **error);

/**
 * SvdWorkerDoneFunc:
 * @serial: the job's serial
 * @result: (transfer full) (nullable): the result, or %NULL on error
 * @error: (nullable): the error, or %NULL on success
 * @user_data: the callback's data
 *
 * Runs on the client's context, only for jobs that are still current.
 */
typedef void     (*SvdWorkerDoneFunc)  (guint64       serial,
                                        gpointer      result,
                                        const GError *error,
                                        gpointer      user_data);

typedef void     (*SvdWorkerProgressFunc) (double      fraction,
                                           const char *text,
                                           gpointer    user_data);

typedef gpointer (*SvdWorkerInitFunc)  (gpointer      init_data,
                                        GError      **error);

SvdWorker *svd_worker_new            (const char            *name,
                                      GMainContext          *context,
                                      guint                  max_queued,
                                      SvdWorkerInitFunc      init,
                                      gpointer               init_data,
                                      GDestroyNotify         fini);
void       svd_worker_free           (SvdWorker             *self);
guint64    svd_worker_submit         (SvdWorker             *self,
                                      guint                  coalesce,
                                      SvdWorkerJobFunc       func,
                                      gpointer               job_data,
                                      GDestroyNotify         job_data_free,
                                      GDestroyNotify         result_free,
                                      SvdWorkerDoneFunc      done,
                                      gpointer               done_data,
                                      GError               **error);
void       svd_worker_invalidate     (SvdWorker             *self);
gboolean   svd_worker_is_current     (SvdWorker             *self,
                                      guint64                serial);
void       svd_worker_set_progress_func (SvdWorker            *self,
                                         SvdWorkerProgressFunc func,
                                         gpointer              user_data);
void       svd_worker_report_progress (SvdWorker            *self,
                                       double                fraction,
                                       const char           *text);
guint      svd_worker_get_n_queued   (SvdWorker             *self);
gboolean   svd_worker_wait_idle      (SvdWorker             *self,
                                      gint64                 timeout_us);
gboolean   svd_worker_get_init_error (SvdWorker             *self,
                                      GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdWorker, svd_worker_free)

G_END_DECLS
