/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SvdSlurm on a real one-node Slurm cluster (with-cluster.sh starts it and
 * sets SLURM_CONF): an array and its join run with arguments that a shell
 * would mangle, held tasks show in the queue and cancel, a refused
 * submission carries Slurm's message, and a refused join cancels its
 * array again. */
#include "svd-test-utils.h"
#include "farm/svd-scheduler.h"
#include "farm/svd-slurm.h"

#include <glib/gstdio.h>
#include <string.h>

/* Folder names with everything a shell or Slurm's file patterns would act
 * on: spaces, both quotes, $, backquotes, % and a newline; and the same
 * with a backslash, which Slurm's --output cannot name. */
#define HOSTILE_NAME "farm dir 'q' \"d\" $HOME `id` %A %a %%\nline"
#define HOSTILE_BACKSLASH_NAME "farm \\ dir 'q' \\\\ %A\nline"

/* Polls the queue until none of @ids is in it: a bounded number of
 * attempts (a slow machine is not a failure; a task that never ends is). */
static void
wait_for_queue_empty (SvdScheduler *scheduler,
                      const char   *name)
{
  for (int attempt = 0; attempt < 3000; attempt++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = svd_scheduler_query (scheduler, name, NULL, &error);

      g_assert_no_error (error);
      if (entries->len == 0)
        return;
      g_usleep (100 * 1000);
    }
  g_error ("the jobs did not leave the queue");
}

static char *
make_work_dir_named (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("svd-farm-XXXXXX", &error);
  char *dir;

  g_assert_no_error (error);
  dir = g_build_filename (base, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return dir;
}

static char *
make_work_dir (void)
{
  return make_work_dir_named (HOSTILE_NAME);
}

static void
remove_work_dir (const char *dir)
{
  g_autofree char *base = g_path_get_dirname (dir);

  svd_test_remove_tree (base);
}

static void
test_format_ranges (void)
{
  const guint a[] = { 0, 1, 2, 5, 7, 8, 9, 11 };
  const guint b[] = { 4 };
  g_autofree char *s = svd_scheduler_format_ranges (a, G_N_ELEMENTS (a));
  g_autofree char *t = svd_scheduler_format_ranges (b, 1);
  g_autofree char *u = svd_scheduler_format_ranges (NULL, 0);

  g_assert_cmpstr (s, ==, "0-2,5,7-9,11");
  g_assert_cmpstr (t, ==, "4");
  g_assert_cmpstr (u, ==, "");
}

static void
test_unknown_scheduler (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) s = svd_scheduler_new ("pbs", &error);

  g_assert_null (s);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "slurm"));
}

/* Each task writes its arguments, one per line, to a file in the hostile
 * folder; the join lists which task files existed when it ran. */
static void
test_array_and_join (gconstpointer data)
{
  static int serial;
  g_autofree char *dir = make_work_dir_named (data);
  g_autofree char *name = g_strdup_printf ("svd-test-%d", serial++);
  g_autofree char *work = g_build_filename (dir, "farm", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = svd_scheduler_new ("slurm", &error);
  g_auto(SvdSchedulerSubmission) sub = { 0 };
  const guint tasks[] = { 0, 2, 3 };
  const char *task_argv[] = { "/bin/sh", "-c", "printf '%s\\n' \"$1\" \"$2\" > \"$1/task-$2.args\"", "sh", dir, NULL };
  const char *join_argv[] = { "/bin/sh", "-c", "cd \"$1\" && ls task-*.args > joined", "sh", dir, NULL };
  SvdSchedulerRequest request = {
    .name = name,
    .work_dir = work,
    .tasks = tasks,
    .n_tasks = G_N_ELEMENTS (tasks),
    .task_argv = task_argv,
    .join_argv = join_argv,
  };

  g_assert_no_error (error);
  g_assert_true (svd_scheduler_check (scheduler, &error));
  g_assert_no_error (error);
  g_assert_true (svd_scheduler_submit (scheduler, &request, &sub, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (sub.array_id);
  g_assert_nonnull (sub.join_id);
  g_test_message ("array %s, join %s", sub.array_id, sub.join_id);

  wait_for_queue_empty (scheduler, name);
  for (gsize i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      g_autofree char *name = g_strdup_printf ("task-%u.args", tasks[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL, *expect = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, &error));
      g_assert_no_error (error);
      expect = g_strdup_printf ("%s\n%u\n", dir, tasks[i]);
      g_assert_cmpstr (text, ==, expect);
    }
  {
    g_autofree char *path = g_build_filename (dir, "joined", NULL);
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (path, &text, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, "task-0.args\ntask-2.args\ntask-3.args\n");
  }
  {
    /* The tasks' logs went to the work folder, named by the pattern. */
    g_autofree char *log = g_strdup_printf ("%s/slurm-task-%s_2.log", work, sub.array_id);

    g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));
    g_clear_pointer (&log, g_free);
    log = g_strdup_printf ("%s/slurm-join-%s.log", work, sub.join_id);
    g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));
  }
  remove_work_dir (dir);
}

/* Held tasks (sbatch --hold, through task_args) stay pending: they show in
 * the queue one line per task, and cancelling removes them. */
static void
test_query_and_cancel (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = svd_scheduler_new ("slurm", &error);
  g_autoptr(GPtrArray) entries = NULL;
  g_auto(SvdSchedulerSubmission) sub = { 0 };
  const guint tasks[] = { 1, 4 };
  const char *task_argv[] = { "/bin/true", NULL };
  const char *join_argv[] = { "/bin/true", NULL };
  const char *hold[] = { "--hold", NULL };
  SvdSchedulerRequest request = {
    .name = "svd-held",
    .work_dir = dir,
    .task_args = hold,
    .tasks = tasks,
    .n_tasks = G_N_ELEMENTS (tasks),
    .task_argv = task_argv,
    .join_argv = join_argv,
  };

  g_assert_true (svd_scheduler_submit (scheduler, &request, &sub, NULL, &error));
  g_assert_no_error (error);
  {
    gboolean seen[2] = { FALSE, FALSE }, join = FALSE;

    entries = svd_scheduler_query (scheduler, "svd-held", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 3);
    for (guint i = 0; i < entries->len; i++)
      {
        const SvdSchedulerEntry *e = g_ptr_array_index (entries, i);

        g_assert_cmpstr (e->state, ==, "PENDING");
        if (e->task < 0)
          {
            g_assert_true (e->join);
            g_assert_cmpstr (e->job_id, ==, sub.join_id);
            join = TRUE;
          }
        else
          {
            g_assert_false (e->join);
            g_assert_cmpstr (e->job_id, ==, sub.array_id);
            g_assert_true (e->task == 1 || e->task == 4);
            seen[e->task == 4] = TRUE;
          }
      }
    g_assert_true (seen[0] && seen[1] && join);

    g_assert_true (svd_scheduler_cancel (scheduler, "svd-held", NULL, &error));
    g_assert_no_error (error);
    wait_for_queue_empty (scheduler, "svd-held");
  }
  /* A name that would be two names on squeue's command line is refused. */
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = svd_scheduler_query (scheduler, "svd-held,other", NULL, &error);
  g_assert_null (entries);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  remove_work_dir (dir);
}

/* A partition that does not exist: Slurm's own message, and no job. */
static void
test_refused (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = svd_scheduler_new ("slurm", &error);
  g_auto(SvdSchedulerSubmission) sub = { 0 };
  const guint tasks[] = { 0 };
  const char *task_argv[] = { "/bin/true", NULL };
  SvdSchedulerRequest request = {
    .name = "svd-refused",
    .work_dir = dir,
    .partition = "no-such-partition",
    .tasks = tasks,
    .n_tasks = 1,
    .task_argv = task_argv,
    .join_argv = task_argv,
  };

  g_assert_false (svd_scheduler_submit (scheduler, &request, &sub, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Slurm refused the chunk array"));
  g_assert_nonnull (strstr (error->message, "nvalid partition"));
  g_assert_null (sub.array_id);
  g_assert_null (sub.join_id);
  remove_work_dir (dir);
}

/* The array is accepted and the join refused (its own bad partition): the
 * array is cancelled again, so nothing of the submission stays queued. */
static void
test_join_refused (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = svd_scheduler_new ("slurm", &error);
  g_auto(SvdSchedulerSubmission) sub = { 0 };
  const guint tasks[] = { 0, 1 };
  /* Held, so the array cannot finish before the join is refused. */
  const char *hold[] = { "--hold", NULL };
  const char *bad_join[] = { "--partition=no-such-partition", NULL };
  const char *task_argv[] = { "/bin/true", NULL };
  SvdSchedulerRequest request = {
    .name = "svd-join-refused",
    .work_dir = dir,
    .task_args = hold,
    .join_args = bad_join,
    .tasks = tasks,
    .n_tasks = G_N_ELEMENTS (tasks),
    .task_argv = task_argv,
    .join_argv = task_argv,
  };

  g_assert_false (svd_scheduler_submit (scheduler, &request, &sub, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Slurm refused the join job"));
  g_assert_null (sub.array_id);
  g_clear_error (&error);

  /* The array's id was not handed back; the queue has nothing of that
   * name (the array would show held). */
  {
    g_autoptr(GPtrArray) entries = svd_scheduler_query (scheduler, "svd-join-refused", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 0);
  }
  remove_work_dir (dir);
}

/* A task that fails makes the join's dependency unsatisfiable: Slurm
 * cancels the join (--kill-on-invalid-dep) instead of leaving it pending
 * for ever, and it never runs. */
static void
test_failed_task_cancels_join (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *marker = g_build_filename (dir, "joined", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = svd_scheduler_new ("slurm", &error);
  g_auto(SvdSchedulerSubmission) sub = { 0 };
  const guint tasks[] = { 0, 1 };
  const char *task_argv[] = { "/bin/sh", "-c", "exit $((3 * $1))", "sh", NULL };
  const char *join_argv[] = { "/bin/sh", "-c", "touch \"$1\"", "sh", marker, NULL };
  SvdSchedulerRequest request = {
    .name = "svd-failing",
    .work_dir = dir,
    .tasks = tasks,
    .n_tasks = G_N_ELEMENTS (tasks),
    .task_argv = task_argv,
    .join_argv = join_argv,
  };

  g_assert_true (svd_scheduler_submit (scheduler, &request, &sub, NULL, &error));
  g_assert_no_error (error);
  wait_for_queue_empty (scheduler, "svd-failing");
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  remove_work_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("SLURM_CONF") == NULL)
    svd_test_skip_all ("no cluster: run through tests/farm/with-cluster.sh");
  g_test_add_func ("/farm/slurm/format-ranges", test_format_ranges);
  g_test_add_func ("/farm/slurm/unknown-scheduler", test_unknown_scheduler);
  g_test_add_data_func ("/farm/slurm/array-and-join", HOSTILE_NAME, test_array_and_join);
  g_test_add_data_func ("/farm/slurm/array-and-join-backslash", HOSTILE_BACKSLASH_NAME, test_array_and_join);
  g_test_add_func ("/farm/slurm/query-and-cancel", test_query_and_cancel);
  g_test_add_func ("/farm/slurm/refused", test_refused);
  g_test_add_func ("/farm/slurm/join-refused", test_join_refused);
  g_test_add_func ("/farm/slurm/failed-task-cancels-join", test_failed_task_cancels_join);
  return g_test_run ();
}
