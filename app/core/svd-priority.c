/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-priority"
#define _GNU_SOURCE  /* SCHED_IDLE */

#include "svd-priority.h"

#include <errno.h>
#include <sched.h>
#include <sys/resource.h>

/* An interactive app on a small CPU: the compute threads (the workers, the
 * FFmpeg threads they start and the OpenCL runtime's own thread pool) must
 * not keep the UI thread from a core when it wakes up to draw a frame.
 * Linux keeps the nice value and the scheduling policy per thread and a new
 * thread inherits its creator's, so setting them in each worker thread, and
 * in the thread that first initialises OpenCL (svd-cl.c: PoCL starts its
 * pool then), covers them all, while the compute keeps every core when the
 * UI is idle. The CLI never calls this: benchmarks run at normal priority.
 *
 * Besides the nice level, the threads go to SCHED_IDLE: a waking
 * SCHED_OTHER thread (the UI thread, the GL driver's rasteriser threads
 * with a software renderer) then preempts them at once, where a nice-19
 * thread keeps its core for the rest of its slice. Measured with the
 * session GUI test's frame-clock stall (2 cores, PoCL, llvmpipe): with
 * nice 10 alone 2 of 7 runs had no stall of 20 ms or more, with SCHED_IDLE
 * 18 of 22. Nice stays as the fallback where SCHED_IDLE is refused. */

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
 * Lowers the calling thread's priority to the background nice level and
 * moves it to SCHED_IDLE (only the calling thread: on Linux PRIO_PROCESS
 * and sched_setscheduler() with 0 mean this thread); a thread already at or
 * below that nice level keeps its level.
 *
 * Returns: %TRUE if the priority was lowered
 */
gboolean
svd_priority_apply_to_thread (void)
{
  struct sched_param param = { 0 };
  int current;

  if (background_nice <= 0)
    return FALSE;
  errno = 0;
  current = getpriority (PRIO_PROCESS, 0);
  if (errno != 0)
    return FALSE;
  /* Absolute, not relative: a worker started by a worker stays at the
   * same level rather than sinking to 19. */
  if (current < background_nice && setpriority (PRIO_PROCESS, 0, background_nice) != 0)
    {
      g_debug ("Could not lower a compute thread's priority: %s", g_strerror (errno));
      return FALSE;
    }
  if (sched_getscheduler (0) != SCHED_IDLE && sched_setscheduler (0, SCHED_IDLE, &param) != 0)
    g_debug ("Could not move a compute thread to SCHED_IDLE: %s", g_strerror (errno));
  return TRUE;
}
