/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-priority"

#include "svd-priority.h"

#include <errno.h>
#include <sys/resource.h>

/* An interactive app on a small CPU: the compute threads (the workers, the
 * FFmpeg threads they start and the OpenCL runtime's own thread pool) must
 * not keep the UI thread from a core when it wakes up to draw a frame.
 * Linux keeps the nice value per thread and a new thread inherits its
 * creator's, so lowering it in each worker thread, and in the thread that
 * first initialises OpenCL (svd-cl.c: PoCL starts its pool then), covers
 * them all, while the compute keeps every core when the UI is idle. The CLI
 * never calls this: benchmarks run at normal priority. */

static int background_nice;

/**
 * svd_priority_set_background_compute:
 * @nice_increment: the nice level compute threads run at, above the UI's 0
 *   (0: same priority, the default)
 *
 * Call once at start, before any worker thread or OpenCL call exists.
 */
void
svd_priority_set_background_compute (int nice_increment)
{
  background_nice = CLAMP (nice_increment, 0, 19);
}

/**
 * svd_priority_get_background_compute:
 *
 * Returns: the nice increment set by svd_priority_set_background_compute()
 */
int
svd_priority_get_background_compute (void)
{
  return background_nice;
}

/**
 * svd_priority_apply_to_thread:
 *
 * Lowers the calling thread's priority to the background nice level (only
 * the calling thread: on Linux PRIO_PROCESS with 0 means this thread); a
 * thread already at or below it is left alone.
 *
 * Returns: %TRUE if the priority was lowered
 */
gboolean
svd_priority_apply_to_thread (void)
{
  int current;

  if (background_nice <= 0)
    return FALSE;
  errno = 0;
  current = getpriority (PRIO_PROCESS, 0);
  if (errno != 0)
    return FALSE;
  /* Absolute, not relative: a worker started by a worker stays at the
   * same level rather than sinking to 19. */
  if (current >= background_nice)
    return TRUE;
  if (setpriority (PRIO_PROCESS, 0, background_nice) != 0)
    {
      g_debug ("Could not lower a compute thread's priority: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
