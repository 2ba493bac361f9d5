/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-log"

#include "svd-log.h"
#include "svd-escape.h"

#include <stdio.h>

/* libsvd logs through GLib (g_warning, g_info, g_debug with a per-file
 * G_LOG_DOMAIN). This writer filters by one process-wide level, so the CLI's
 * -v/-q and the app's debug switch need no G_MESSAGES_DEBUG juggling, and
 * it writes "svd: domain: message" lines to stderr. */

static gint current_level = SVD_LOG_LEVEL_WARNING;

static SvdLogLevel
level_from_glib (GLogLevelFlags flags)
{
  if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return SVD_LOG_LEVEL_ERROR;
  if (flags & G_LOG_LEVEL_WARNING)
    return SVD_LOG_LEVEL_WARNING;
  if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    return SVD_LOG_LEVEL_INFO;
  return SVD_LOG_LEVEL_DEBUG;
}

static GLogWriterOutput
svd_log_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  char *shown;
  SvdLogLevel level = level_from_glib (log_level);

  /* Criticals always pass: they are programming errors, and the test
   * harness relies on seeing them. */
  if (level > (SvdLogLevel) g_atomic_int_get (&current_level) && level != SVD_LOG_LEVEL_ERROR)
    return G_LOG_WRITER_HANDLED;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  /* Warnings quote names from files: escape what a terminal would act on. */
  shown = svd_str_escape_control (message, TRUE);
  fprintf (stderr, "svd: %s%s%s\n", domain ? domain : "", domain ? ": " : "", shown);
  g_free (shown);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

/**
 * svd_log_init:
 * @level: the most verbose level to print
 *
 * Installs libsvd's log writer. Call once, early, from a program's main();
 * the `SVD_DEBUG` environment variable raises the level to debug.
 */
void
svd_log_init (SvdLogLevel level)
{
  if (g_getenv ("SVD_DEBUG") != NULL)
    level = SVD_LOG_LEVEL_DEBUG;
  svd_log_set_level (level);
  g_log_set_writer_func (svd_log_writer, NULL, NULL);
}

void
svd_log_set_level (SvdLogLevel level)
{
  g_atomic_int_set (&current_level, level);
}

SvdLogLevel
svd_log_get_level (void)
{
  return (SvdLogLevel) g_atomic_int_get (&current_level);
}
