/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A cluster scheduler, as `svd farm` needs one: submit an array of tasks
 * and a join job that runs once they all succeeded, ask what is still
 * queued, cancel. One implementation (Slurm, svd-slurm.h); the interface
 * leaves room for another. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SVD_TYPE_SCHEDULER (svd_scheduler_get_type ())
G_DECLARE_INTERFACE (SvdScheduler, svd_scheduler, SVD, SCHEDULER, GObject)

/**
 * SvdSchedulerRequest:
 * @name: the job's name in the queue, which svd_scheduler_query() and
 *   svd_scheduler_cancel() find it by: unique to the work (printable
 *   ASCII without spaces or commas); the join job is named "@name-join"
 * @work_dir: an absolute folder every node sees: the tasks run there and
 *   the scheduler's scripts and logs are written there, as files (no
 *   subfolder), named after the scheduler (slurm-task.sh, slurm-join.sh,
 *   slurm-task-ARRAY_INDEX.log, slurm-join-ID.log)
 * @partition: (nullable): the partition (queue) to run in; %NULL for the
 *   scheduler's default
 * @task_args: (nullable): extra options for the scheduler, given verbatim
 *   to the array's submission (for Slurm, sbatch options such as
 *   `--gres=gpu:1`), %NULL-terminated
 * @join_args: (nullable): the same for the join job
 * @tasks: the array's task indices, ascending, none repeated
 * @n_tasks: how many; 0 submits only the join job (every task is done)
 * @task_argv: the program every task runs, %NULL-terminated; the task's
 *   index is appended as its last argument. Every element is passed as one
 *   argument, whatever characters it holds.
 * @join_argv: (nullable): the program of the join job, which starts when
 *   every task of the array succeeded; %NULL for no join job
 *
 * One submission. The caller owns everything.
 */
typedef struct {
  const char        *name;
  const char        *work_dir;
  const char        *partition;
  const char *const *task_args;
  const char *const *join_args;
  const guint       *tasks;
  gsize              n_tasks;
  const char *const *task_argv;
  const char *const *join_argv;
} SvdSchedulerRequest;

/**
 * SvdSchedulerSubmission:
 * @array_id: (nullable): the scheduler's id of the task array; %NULL when
 *   there was no task
 * @join_id: (nullable): the id of the join job; %NULL when none was asked
 *
 * What svd_scheduler_submit() queued. Free the strings with
 * svd_scheduler_submission_clear().
 */
typedef struct {
  char *array_id;
  char *join_id;
} SvdSchedulerSubmission;

void svd_scheduler_submission_clear (SvdSchedulerSubmission *submission);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SvdSchedulerSubmission, svd_scheduler_submission_clear)

/**
 * SvdSchedulerEntry:
 * @job_id: the id the job was submitted under (an array's id for its tasks)
 * @task: the array index, or -1 for a job that is not an array
 * @join: %TRUE for the join job
 * @state: the scheduler's word for its state (Slurm: PENDING, RUNNING,
 *   COMPLETING…)
 * @reason: (nullable): why it waits, in the scheduler's words
 *   (Slurm: Dependency, DependencyNeverSatisfied, Resources…)
 *
 * One job or array task that is still in the queue.
 */
typedef struct {
  char     *job_id;
  gint64    task;
  gboolean  join;
  char     *state;
  char   *reason;
} SvdSchedulerEntry;

void svd_scheduler_entry_free (SvdSchedulerEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdSchedulerEntry, svd_scheduler_entry_free)

struct _SvdSchedulerInterface
{
  GTypeInterface parent_iface;

  const char *(*get_name)     (SvdScheduler              *self);
  gboolean    (*check)        (SvdScheduler              *self,
                               GError                   **error);
  gboolean    (*submit)       (SvdScheduler              *self,
                               const SvdSchedulerRequest *request,
                               SvdSchedulerSubmission    *submission,
                               GCancellable              *cancellable,
                               GError                   **error);
  GPtrArray  *(*query)        (SvdScheduler              *self,
                               const char                *name,
                               GCancellable              *cancellable,
                               GError                   **error);
  gboolean    (*cancel)       (SvdScheduler              *self,
                               const char                *name,
                               GCancellable              *cancellable,
                               GError                   **error);
};

const char *const *svd_scheduler_list_names  (void);
SvdScheduler      *svd_scheduler_new         (const char                *name,
                                              GError                   **error);
const char        *svd_scheduler_get_name    (SvdScheduler              *self);
gboolean           svd_scheduler_check       (SvdScheduler              *self,
                                              GError                   **error);
gboolean           svd_scheduler_submit      (SvdScheduler              *self,
                                              const SvdSchedulerRequest *request,
                                              SvdSchedulerSubmission    *submission,
                                              GCancellable              *cancellable,
                                              GError                   **error);
GPtrArray         *svd_scheduler_query       (SvdScheduler              *self,
                                              const char                *name,
                                              GCancellable              *cancellable,
                                              GError                   **error);
gboolean           svd_scheduler_cancel      (SvdScheduler              *self,
                                              const char                *name,
                                              GCancellable              *cancellable,
                                              GError                   **error);

char              *svd_scheduler_format_ranges (const guint             *values,
                                                gsize                    n_values);

G_END_DECLS
