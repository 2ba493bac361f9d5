/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-scheduler"

#include "svd-scheduler.h"
#include "svd-slurm.h"
#include "core/svd-error.h"

#include <string.h>

G_DEFINE_INTERFACE (SvdScheduler, svd_scheduler, G_TYPE_OBJECT)

static void
svd_scheduler_default_init (SvdSchedulerInterface *iface)
{
}

void
svd_scheduler_submission_clear (SvdSchedulerSubmission *submission)
{
  g_clear_pointer (&submission->array_id, g_free);
  g_clear_pointer (&submission->join_id, g_free);
}

void
svd_scheduler_entry_free (SvdSchedulerEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->job_id);
  g_free (entry->state);
  g_free (entry->reason);
  g_free (entry);
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "a job needs a name");
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p) || *p == ',')
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                     "a job name is printable ASCII without spaces or commas, not “%s”", name);
        return FALSE;
      }
  return TRUE;
}

/**
 * svd_scheduler_list_names:
 *
 * Returns: (transfer none): the names svd_scheduler_new() knows,
 *   %NULL-terminated
 */
const char *const *
svd_scheduler_list_names (void)
{
  static const char *const names[] = { "slurm", NULL };

  return names;
}

/**
 * svd_scheduler_new:
 * @name: a name from svd_scheduler_list_names()
 * @error: set when the name is unknown
 *
 * Creates the scheduler; nothing is run until it is used
 * (svd_scheduler_check() says whether its commands are there).
 *
 * Returns: (transfer full): the scheduler, or %NULL with @error set
 */
SvdScheduler *
svd_scheduler_new (const char  *name,
                   GError     **error)
{
  if (g_strcmp0 (name, "slurm") == 0)
    return SVD_SCHEDULER (svd_slurm_new ());
  {
    g_autofree char *known = g_strjoinv (", ", (char **) svd_scheduler_list_names ());

    g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                 "unknown scheduler “%s” (known: %s)", name ? name : "", known);
  }
  return NULL;
}

const char *
svd_scheduler_get_name (SvdScheduler *self)
{
  g_return_val_if_fail (SVD_IS_SCHEDULER (self), NULL);
  return SVD_SCHEDULER_GET_IFACE (self)->get_name (self);
}

/**
 * svd_scheduler_check:
 * @self: the scheduler
 * @error: says what is missing
 *
 * Whether this machine can talk to the scheduler: its commands are
 * installed. Does not contact the cluster.
 *
 * Returns: %TRUE when they are
 */
gboolean
svd_scheduler_check (SvdScheduler  *self,
                     GError       **error)
{
  g_return_val_if_fail (SVD_IS_SCHEDULER (self), FALSE);
  return SVD_SCHEDULER_GET_IFACE (self)->check (self, error);
}

/**
 * svd_scheduler_submit:
 * @self: the scheduler
 * @request: what to submit
 * @submission: (out caller-allocates): the ids, filled on success;
 *   clear it with svd_scheduler_submission_clear()
 * @cancellable: (nullable): stops waiting for the scheduler's commands
 * @error: on failure, the scheduler's own message
 *
 * Submits the task array, then the join job depending on it. With no
 * task (@request's n_tasks is 0) only the join job is submitted, to run at
 * once. All or nothing: when the join is refused, the array is cancelled again, so a
 * failed submission leaves nothing queued.
 *
 * Returns: %TRUE when both are queued
 */
gboolean
svd_scheduler_submit (SvdScheduler              *self,
                      const SvdSchedulerRequest *request,
                      SvdSchedulerSubmission    *submission,
                      GCancellable              *cancellable,
                      GError                   **error)
{
  g_return_val_if_fail (SVD_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (request != NULL && submission != NULL, FALSE);

  memset (submission, 0, sizeof *submission);
  if ((request->n_tasks > 0 && (request->tasks == NULL || request->task_argv == NULL ||
                                 request->task_argv[0] == NULL)) ||
      (request->n_tasks == 0 && (request->join_argv == NULL || request->join_argv[0] == NULL)) ||
      request->name == NULL || request->work_dir == NULL || !g_path_is_absolute (request->work_dir))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "a submission needs a name, an absolute work folder, and tasks or a join job");
      return FALSE;
    }
  for (gsize i = 1; i < request->n_tasks; i++)
    if (request->tasks[i] <= request->tasks[i - 1])
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                     "the task indices are not ascending (%u after %u)",
                     request->tasks[i], request->tasks[i - 1]);
        return FALSE;
      }
  if (!check_name (request->name, error))
    return FALSE;
  return SVD_SCHEDULER_GET_IFACE (self)->submit (self, request, submission, cancellable, error);
}

/**
 * svd_scheduler_query:
 * @self: the scheduler
 * @name: the name a submission was made under
 * @cancellable: (nullable): stops waiting
 * @error: set when the scheduler cannot be asked
 *
 * What of that submission (its tasks and its join) is still queued or
 * running; finished jobs are simply absent.
 *
 * Returns: (transfer full) (element-type SvdSchedulerEntry): the entries,
 *   or %NULL with @error set
 */
GPtrArray *
svd_scheduler_query (SvdScheduler  *self,
                     const char    *name,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (SVD_IS_SCHEDULER (self), NULL);
  if (!check_name (name, error))
    return NULL;
  return SVD_SCHEDULER_GET_IFACE (self)->query (self, name, cancellable, error);
}

/**
 * svd_scheduler_cancel:
 * @self: the scheduler
 * @name: the name a submission was made under
 * @cancellable: (nullable): stops waiting
 * @error: the scheduler's message
 *
 * Cancels every queued or running job of that name, and its join.
 *
 * Returns: %TRUE when the scheduler accepted the cancellation (or nothing
 *   was queued)
 */
gboolean
svd_scheduler_cancel (SvdScheduler  *self,
                      const char    *name,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (SVD_IS_SCHEDULER (self), FALSE);
  if (!check_name (name, error))
    return FALSE;
  return SVD_SCHEDULER_GET_IFACE (self)->cancel (self, name, cancellable, error);
}

/**
 * svd_scheduler_format_ranges:
 * @values: ascending values
 * @n_values: how many
 *
 * Formats indices the way array specifications write them: runs of
 * consecutive values as "A-B", the rest as single numbers, comma-separated
 * ("0-2,5,7-9").
 *
 * Returns: (transfer full): the text ("" for none)
 */
char *
svd_scheduler_format_ranges (const guint *values,
                             gsize        n_values)
{
  GString *s = g_string_new (NULL);
  gsize i = 0;

  while (i < n_values)
    {
      gsize j = i;

      while (j + 1 < n_values && values[j] != G_MAXUINT && values[j + 1] == values[j] + 1)
        j++;
      if (s->len > 0)
        g_string_append_c (s, ',');
      if (j == i)
        g_string_append_printf (s, "%u", values[i]);
      else
        g_string_append_printf (s, "%u-%u", values[i], values[j]);
      i = j + 1;
    }
  return g_string_free (s, FALSE);
}
