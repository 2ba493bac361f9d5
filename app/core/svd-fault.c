/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-fault"

#include "svd-fault.h"

#include <signal.h>
#include <string.h>

/* Test hooks (tests/reliability), set in SVD_FAULT_INJECT:
 *   cancel-at:N  cancel the operation at its Nth cancellation point
 *   int-at:N     raise SIGINT there (Ctrl-C), hup-at:N SIGHUP (the terminal
 *                closed), term-at:N SIGTERM
 *   kill-at:N    raise SIGKILL there: the process dies without cleaning up,
 *                as after `kill -9`, an abort or a power cut
 *   host-mem:B   the host has only B bytes left for this process
 *                (svd_memory_host_headroom()), as under `ulimit -v`, so the
 *                engine's memory plan can be tested to the byte
 * Points are counted from 0 across the process: the engine's checks
 * between layers and row bands, and the writer's check before each
 * frame. They stand in for a signal arriving at a known moment, so the
 * cancellation tests neither sleep nor race. */
typedef enum {
  FAULT_NONE,
  FAULT_CANCEL,
  FAULT_SIGNAL,
} FaultKind;

static FaultKind fault_kind = FAULT_NONE;
static int fault_signal = 0;
static gint64 fault_at = -1;

static void
parse_once (void)
{
  static gsize once = 0;
  static const struct { const char *prefix; FaultKind kind; int sig; } hooks[] = {
    { "cancel-at:", FAULT_CANCEL, 0 },
    { "int-at:", FAULT_SIGNAL, SIGINT },
    { "hup-at:", FAULT_SIGNAL, SIGHUP },
    { "term-at:", FAULT_SIGNAL, SIGTERM },
    { "kill-at:", FAULT_SIGNAL, SIGKILL },
  };

  if (g_once_init_enter (&once))
    {
      const char *f = g_getenv ("SVD_FAULT_INJECT");

      for (gsize i = 0; f != NULL && i < G_N_ELEMENTS (hooks); i++)
        if (g_str_has_prefix (f, hooks[i].prefix))
          {
            fault_kind = hooks[i].kind;
            fault_signal = hooks[i].sig;
            fault_at = g_ascii_strtoll (f + strlen (hooks[i].prefix), NULL, 10);
          }
      g_once_init_leave (&once, 1);
    }
}

/**
 * svd_fault_cancel_point:
 * @cancellable: (nullable): the operation's cancellable
 *
 * Marks a point where the caller checks @cancellable next. With one of the
 * hooks above, the Nth such point cancels @cancellable or raises the
 * signal; for a signal it then waits (up to 5 s) until the handler has
 * cancelled @cancellable, so the check that follows sees it. Does nothing
 * otherwise.
 */
void
svd_fault_cancel_point (GCancellable *cancellable)
{
  static gint64 count = 0;

  parse_once ();
  if (fault_kind == FAULT_NONE || fault_at < 0 || cancellable == NULL)
    return;
  if (__atomic_fetch_add (&count, 1, __ATOMIC_SEQ_CST) != fault_at)
    return;
  if (fault_kind == FAULT_CANCEL)
    {
      g_cancellable_cancel (cancellable);
      return;
    }
  raise (fault_signal);
  for (int i = 0; i < 500 && !g_cancellable_is_cancelled (cancellable); i++)
    g_usleep (10000);
}

/**
 * svd_fault_host_memory_cap:
 *
 * Returns: the B of SVD_FAULT_INJECT=host-mem:B, or %G_MAXUINT64 without
 *   that hook
 */
guint64
svd_fault_host_memory_cap (void)
{
  static guint64 cap = G_MAXUINT64;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *f = g_getenv ("SVD_FAULT_INJECT");

      if (f != NULL && g_str_has_prefix (f, "host-mem:"))
        cap = g_ascii_strtoull (f + strlen ("host-mem:"), NULL, 10);
      g_once_init_leave (&once, 1);
    }
  return cap;
}
