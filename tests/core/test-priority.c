/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-priority"
#define _GNU_SOURCE  /* SCHED_IDLE */

#include "svd-test-utils.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* Background compute priority (app/core/svd-priority.c), as the GUI sets
 * it: worker threads run at the background nice level and under
 * SCHED_IDLE, the calling (UI) thread stays where it was, and the OpenCL
 * runtime's own threads (PoCL starts its pool when the platform is first
 * initialised) inherit both. */

#define LEVEL 7

static gpointer
record_priority (gpointer  data,
                 GError  **error)
{
  int *seen = data;

  errno = 0;
  seen[0] = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  seen[1] = sched_getscheduler (0);
  return NULL;
}

/* Nice values of this process's threads whose name starts with @prefix;
 * their scheduling policies go to @policies. */
static GArray *
thread_nice_values (const char *prefix,
                    GArray     *policies)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *stat_path = g_build_filename ("/proc/self/task", tid, "stat", NULL);
      g_autofree char *comm = NULL, *stat = NULL;
      const char *after;
      int nice = 0, policy = -1, field = 3;
      char **fields;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) || !g_str_has_prefix (comm, prefix) ||
          !g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      /* Fields after the parenthesised name: state is field 3, nice 19,
       * policy 41 (proc(5)). */
      after = strrchr (stat, ')');
      g_assert_nonnull (after);
      fields = g_strsplit (after + 2, " ", -1);
      for (char **f = fields; *f != NULL; f++, field++)
        {
          if (field == 19)
            nice = atoi (*f);
          if (field == 41)
            policy = atoi (*f);
        }
      g_strfreev (fields);
      g_array_append_val (values, nice);
      g_array_append_val (policies, policy);
    }
  return values;
}

static void
test_worker_and_runtime (void)
{
  int seen[2] = { -100, -1 };
  SvdWorker *worker;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GArray) pool = NULL;
  g_autoptr(GArray) policies = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;
  /* The level the tests were started at (0, or more under `nice`): the
   * caller keeps it, and a thread already below LEVEL stays where it is. */
  int start = getpriority (PRIO_PROCESS, 0);
  int want = MAX (start, LEVEL);

  svd_priority_set_background_compute (LEVEL);

  worker = svd_worker_new ("prio-worker", NULL, 1, record_priority, seen, NULL);
  svd_worker_free (worker);  /* joins: init has run */
  g_test_message ("worker thread nice %d policy %d, caller nice %d policy %d", seen[0], seen[1],
                  getpriority (PRIO_PROCESS, 0), sched_getscheduler (0));
  g_assert_cmpint (seen[0], ==, want);
  g_assert_cmpint (seen[1], ==, SCHED_IDLE);
  g_assert_cmpint (getpriority (PRIO_PROCESS, 0), ==, start);
  g_assert_cmpint (sched_getscheduler (0), ==, SCHED_OTHER);

  /* The runtime's threads are named after the thread that created them. */
  devices = svd_cl_list_devices (&error);
  g_assert_no_error (error);
  pool = thread_nice_values ("svd-cl-init", policies);
  g_test_message ("%u OpenCL runtime thread(s) started from the init thread", pool->len);
  for (guint i = 0; i < pool->len; i++)
    {
      g_assert_cmpint (g_array_index (pool, int, i), ==, want);
      g_assert_cmpint (g_array_index (policies, int, i), ==, SCHED_IDLE);
    }
  if (pool->len == 0)
    g_test_message ("the OpenCL runtime here starts no threads of its own at platform init");
  g_assert_cmpint (getpriority (PRIO_PROCESS, 0), ==, start);
  g_assert_cmpint (sched_getscheduler (0), ==, SCHED_OTHER);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/priority/worker-and-runtime", test_worker_and_runtime);
  return g_test_run ();
}
