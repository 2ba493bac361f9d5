/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-output"

#include "svd-output.h"
#include "svd-error.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* Output safety, shared by every command and job that writes a file the
 * user named: an output is never one of the inputs (a reference clip, a
 * model, the source video), an existing file is replaced only when the
 * user said so, and the checks run before any work, so a refused output
 * costs nothing and touches nothing. */

/* Temporary files are "." + the output's name + ".svd-PID-XXXXXX.part" in
 * the output's folder: hidden, on the same file system (so the final
 * rename is atomic), and naming the process that writes them, so that a
 * later run can tell a file left by a killed process (SIGKILL, an abort,
 * a power cut) from one another process is writing right now. */
#define PART_INFIX ".svd-"
#define PART_SUFFIX ".part"

static gboolean
same_file (const struct stat *a,
           const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/**
 * svd_output_check:
 * @output: the file that will be written
 * @inputs: (nullable) (array zero-terminated=1): the files the same run
 *   reads; %NULL entries end the list
 * @flags: whether an existing file may be replaced, and how it is written
 *
 * Checks, before any work, that writing @output is safe and possible: it
 * is not the same file as any of @inputs (device and inode compared after
 * following symbolic links, so a link or a hard link to an input is
 * caught too), not a folder or a device, FIFO or socket, not an existing
 * file unless @flags has %SVD_OUTPUT_FORCE, and its folder exists and is
 * writable (the writers create their temporary file there).
 *
 * Returns: %TRUE if @output may be written; %FALSE with @error set.
 */
gboolean
svd_output_check (const char         *output,
                  const char *const  *inputs,
                  SvdOutputFlags      flags,
                  GError            **error)
{
  g_autofree char *dir = NULL;
  struct stat os, ds;
  gboolean exists;

  g_return_val_if_fail (output != NULL, FALSE);

  if (output[0] == '\0')
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "The output file name is empty");
      return FALSE;
    }
  exists = g_stat (output, &os) == 0;
  if (!exists && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", output, g_strerror (saved));
      return FALSE;
    }
  if (exists)
    {
      if (S_ISDIR (os.st_mode))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "“%s” is a folder; give a file name for the output", output);
          return FALSE;
        }
      if (!S_ISREG (os.st_mode))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a regular file (a device, FIFO or socket); "
                       "outputs are written to regular files only", output);
          return FALSE;
        }
      for (gsize i = 0; inputs != NULL && inputs[i] != NULL; i++)
        {
          struct stat is;

          if (g_stat (inputs[i], &is) == 0 && same_file (&os, &is))
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                           "The output “%s” is the input “%s”%s; writing it would destroy the input. "
                           "Choose another output file", output, inputs[i],
                           strcmp (output, inputs[i]) == 0 ? "" : " (the same file by another name)");
              return FALSE;
            }
        }
      if (!(flags & SVD_OUTPUT_FORCE))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "“%s” already exists; pass --force (-y) to %s it", output,
                       (flags & SVD_OUTPUT_APPEND) ? "append to" : "replace");
          return FALSE;
        }
      if (access (output, W_OK) != 0)
        {
          int saved = errno;

          g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", output, g_strerror (saved));
          return FALSE;
        }
    }

  /* The folder: it must exist and take new files (the temporary file of
   * an atomic write, or the output itself). */
  dir = g_path_get_dirname (output);
  if (g_stat (dir, &ds) != 0 || !S_ISDIR (ds.st_mode))
    {
      int saved = g_stat (dir, &ds) != 0 ? errno : ENOTDIR;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write into the folder “%s”: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (access (dir, W_OK | X_OK) != 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write into the folder “%s”: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_output_temp_template:
 * @output: the final file
 *
 * Returns: (transfer full): a g_mkstemp() template for the temporary file
 *   of @output: hidden, in the same folder, naming this process, so that
 *   svd_output_remove_stale_parts() can recognise it once the process is
 *   gone.
 */
char *
svd_output_temp_template (const char *output)
{
  g_autofree char *dir = g_path_get_dirname (output);
  g_autofree char *base = g_path_get_basename (output);

  return g_strdup_printf ("%s%c.%s" PART_INFIX "%ld-XXXXXX" PART_SUFFIX, dir, G_DIR_SEPARATOR, base,
                          (long) getpid ());
}

/* The PID in a temporary file's name (".BASE.svd-PID-XXXXXX.part"), or 0
 * when @name is not one of @base's temporary files. */
static long
part_owner (const char *name,
            const char *base)
{
  gsize lb = strlen (base);
  const char *p;
  char *end = NULL;
  long pid;

  if (name[0] != '.' || strncmp (name + 1, base, lb) != 0)
    return 0;
  p = name + 1 + lb;
  if (!g_str_has_prefix (p, PART_INFIX))
    return 0;
  p += strlen (PART_INFIX);
  if (!g_ascii_isdigit (*p))
    return 0;
  pid = strtol (p, &end, 10);
  if (end == NULL || *end != '-' || pid <= 0 || strlen (end) != 1 + 6 + strlen (PART_SUFFIX) ||
      !g_str_has_suffix (end, PART_SUFFIX))
    return 0;
  return pid;
}

/**
 * svd_output_remove_stale_parts:
 * @output: the final file about to be written
 *
 * Deletes the temporary files of @output left behind by earlier runs that
 * were killed before they could clean up (SIGKILL, an abort, a crash):
 * those whose process no longer exists. A temporary file of a process
 * that is still running is left alone.
 *
 * Returns: how many files were removed.
 */
guint
svd_output_remove_stale_parts (const char *output)
{
  g_autofree char *dir = g_path_get_dirname (output);
  g_autofree char *base = g_path_get_basename (output);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint removed = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      long pid = part_owner (name, base);
      g_autofree char *path = NULL;
      struct stat st;

      if (pid <= 0 || pid == (long) getpid ())
        continue;
      if (kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;
      path = g_build_filename (dir, name, NULL);
      /* Only plain files of ours; never follow a link somewhere else. */
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid ())
        continue;
      if (g_unlink (path) == 0)
        {
          g_warning ("Removed “%s”, left by an earlier run (process %ld) that was killed", path, pid);
          removed++;
        }
    }
  return removed;
}

/**
 * svd_output_replace:
 * @temp_path: the finished temporary file
 * @output: the final name
 *
 * Renames @temp_path over @output. When @output already exists (the user
 * passed --force), the new file gets the old one's permission bits, as
 * an editor saving a file would keep them.
 *
 * Returns: %TRUE on success; %FALSE with @error set (@temp_path is then
 *   left for the caller to delete).
 */
gboolean
svd_output_replace (const char  *temp_path,
                    const char  *output,
                    GError     **error)
{
  struct stat st;

  if (g_stat (output, &st) == 0 && S_ISREG (st.st_mode) &&
      g_chmod (temp_path, st.st_mode & 07777) != 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Could not keep the permissions of “%s”: %s",
                   output, g_strerror (saved));
      return FALSE;
    }
  if (g_rename (temp_path, output) != 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Could not move the finished file to “%s”: %s",
                   output, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
