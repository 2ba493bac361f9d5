/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-slurm"

#include "svd-slurm.h"
#include "core/svd-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

struct _SvdSlurm
{
  GObject parent_instance;
};

static void svd_slurm_scheduler_init (SvdSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SvdSlurm, svd_slurm, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SVD_TYPE_SCHEDULER, svd_slurm_scheduler_init))

static void
svd_slurm_class_init (SvdSlurmClass *klass)
{
}

static void
svd_slurm_init (SvdSlurm *self)
{
}

SvdSlurm *
svd_slurm_new (void)
{
  return g_object_new (SVD_TYPE_SLURM, NULL);
}

/* Finds one of Slurm's commands on PATH. */
static char *
find_command (const char  *name,
              GError     **error)
{
  char *path = g_find_program_in_path (name);

  if (path == NULL)
    g_set_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
                 "%s is not on PATH: run svd farm on a Slurm submit host (Debian: apt install slurm-client)",
                 name);
  return path;
}

/* Slurm's messages, one line each, without the "sbatch: error: "
 * prefix, joined with "; " for one error line. */
static char *
tidy_message (const char *command,
              const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s: error: ", command);
  GString *s = g_string_new (NULL);

  for (char **l = lines; *l != NULL; l++)
    {
      const char *line = g_strstrip (*l);

      if (g_str_has_prefix (line, prefix))
        line += strlen (prefix);
      if (*line == '\0')
        continue;
      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append (s, line);
    }
  if (s->len == 0)
    g_string_append (s, "no message");
  return g_string_free (s, FALSE);
}

/* Runs argv (no shell: every element is one argument) and collects its
 * output. FALSE only when it could not be run; its exit status is in
 * @exit_status. */
static gboolean
run_command (const char *const  *argv,
             char              **out,
             char              **err,
             int                *exit_status,
             GCancellable       *cancellable,
             GError            **error)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) local = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &local);
  if (proc == NULL ||
      !g_subprocess_communicate_utf8 (proc, NULL, cancellable, out, err, &local))
    {
      if (proc != NULL)
        g_subprocess_force_exit (proc);
      g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED, "cannot run %s: %s", argv[0], local->message);
      return FALSE;
    }
  if (g_subprocess_get_if_exited (proc))
    *exit_status = g_subprocess_get_exit_status (proc);
  else
    *exit_status = 128 + g_subprocess_get_term_sig (proc);
  return TRUE;
}

/**
 * svd_slurm_task_script:
 * @argv: the program and its arguments, %NULL-terminated
 * @array_task: append the array task's index ($SLURM_ARRAY_TASK_ID) as
 *   the last argument
 * @log_dir: (nullable): a folder for the script to send its output to
 *   itself (slurm-task-ARRAY_INDEX.log or slurm-join-ID.log), for folders Slurm's
 *   --output cannot name; %NULL leaves the output to Slurm
 *
 * The batch script Slurm runs: `exec` of @argv with every argument in
 * single quotes (a quote inside becomes '\''), so paths with spaces,
 * quotes, dollars, backquotes or newlines reach the program unchanged and
 * nothing in them is run by the shell.
 *
 * Returns: (transfer full): the script
 */
char *
svd_slurm_task_script (const char *const *argv,
                       gboolean           array_task,
                       const char        *log_dir)
{
  GString *s = g_string_new ("#!/bin/sh\n"
                             "# Written by svd farm; Slurm runs a copy taken at submission.\n");

  if (array_task)
    g_string_append (s, ": \"${SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task}\"\n");
  if (log_dir != NULL)
    {
      g_autofree char *q = g_shell_quote (log_dir);

      g_string_append_printf (s, "exec >>%s/%s 2>&1\n", q,
                              array_task ? "\"slurm-task-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.log\""
                                         : "\"slurm-join-${SLURM_JOB_ID}.log\"");
    }
  g_string_append (s, "exec");
  for (gsize i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *q = g_shell_quote (argv[i]);

      g_string_append_c (s, ' ');
      g_string_append (s, q);
    }
  if (array_task)
    g_string_append (s, " \"$SLURM_ARRAY_TASK_ID\"");
  g_string_append_c (s, '\n');
  return g_string_free (s, FALSE);
}

/* sbatch's --output for a log in @dir. Slurm expands %-patterns in the
 * whole path (a literal % is written %%), and a path holding a backslash
 * turns the patterns off and loses its backslashes: such a folder cannot
 * be named, so %NULL, and the script sends its output there itself. */
static char *
output_arg (const char *dir,
            const char *pattern)
{
  GString *s;

  if (strchr (dir, '\\') != NULL)
    return NULL;
  s = g_string_new ("--output=");
  for (const char *p = dir; *p != '\0'; p++)
    {
      if (*p == '%')
        g_string_append_c (s, '%');
      g_string_append_c (s, *p);
    }
  g_string_append_printf (s, "/%s", pattern);
  return g_string_free (s, FALSE);
}

static gboolean
write_script (const char  *dir,
              const char  *name,
              const char  *text,
              char       **path_out,
              GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) local = NULL;

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0755, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "cannot write the batch script: %s", local->message);
      return FALSE;
    }
  *path_out = g_steal_pointer (&path);
  return TRUE;
}

/* One sbatch: its --parsable answer is "ID" or "ID;CLUSTER". */
static char *
sbatch (const char        *sbatch_path,
        GPtrArray         *args,
        const char        *what,
        GCancellable      *cancellable,
        GError           **error)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = 0;
  char *id, *end;

  g_ptr_array_add (argv, (gpointer) sbatch_path);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  if (!run_command ((const char *const *) argv->pdata, &out, &err, &status, cancellable, error))
    return NULL;
  if (status != 0)
    {
      g_autofree char *msg = tidy_message ("sbatch", err);

      g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED, "Slurm refused the %s: %s", what, msg);
      return NULL;
    }
  id = g_strstrip (out);
  end = strchr (id, ';');
  if (end != NULL)
    *end = '\0';
  if (*id == '\0' || strspn (id, "0123456789") != strlen (id))
    {
      g_autofree char *msg = tidy_message ("sbatch", err);

      g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED, "sbatch answered “%s” for the %s, not a job id (%s)",
                   id, what, msg);
      return NULL;
    }
  return g_strdup (id);
}

static const char *
slurm_get_name (SvdScheduler *scheduler)
{
  return "slurm";
}

static gboolean
slurm_check (SvdScheduler  *scheduler,
             GError       **error)
{
  static const char *const commands[] = { "sbatch", "squeue", "scancel" };

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *path = find_command (commands[i], error);

      if (path == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
add_common_args (GPtrArray                 *args,
                 const SvdSchedulerRequest *request,
                 const char                *name)
{
  g_ptr_array_add (args, g_strdup ("--parsable"));
  g_ptr_array_add (args, g_strdup_printf ("--job-name=%s", name));
  g_ptr_array_add (args, g_strdup_printf ("--chdir=%s", request->work_dir));
  if (request->partition != NULL)
    g_ptr_array_add (args, g_strdup_printf ("--partition=%s", request->partition));
}

static gboolean cancel_ids (const char *const  *job_ids,
                            GCancellable       *cancellable,
                            GError            **error);

static gboolean
slurm_submit (SvdScheduler              *scheduler,
              const SvdSchedulerRequest *request,
              SvdSchedulerSubmission    *submission,
              GCancellable              *cancellable,
              GError                   **error)
{
  g_autofree char *sbatch_path = NULL, *task_path = NULL, *join_path = NULL;
  g_autofree char *task_text = NULL, *list = NULL, *array_id = NULL, *join_id = NULL;
  g_autofree char *task_output = NULL, *join_output = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) local = NULL;

  sbatch_path = find_command ("sbatch", error);
  if (sbatch_path == NULL)
    return FALSE;
  if (g_mkdir_with_parents (request->work_dir, 0755) != 0)
    {
      int e = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "cannot create “%s”: %s", request->work_dir, g_strerror (e));
      return FALSE;
    }
  if (request->join_argv != NULL)
    {
      g_autofree char *join_text = NULL;

      join_output = output_arg (request->work_dir, "slurm-join-%j.log");
      join_text = svd_slurm_task_script (request->join_argv, FALSE, join_output ? NULL : request->work_dir);

      if (!write_script (request->work_dir, "slurm-join.sh", join_text, &join_path, error))
        return FALSE;
    }

  if (request->n_tasks > 0)
    {
      task_output = output_arg (request->work_dir, "slurm-task-%A_%a.log");
      task_text = svd_slurm_task_script (request->task_argv, TRUE, task_output ? NULL : request->work_dir);
      if (!write_script (request->work_dir, "slurm-task.sh", task_text, &task_path, error))
        return FALSE;
      list = svd_scheduler_format_ranges (request->tasks, request->n_tasks);
      args = g_ptr_array_new_with_free_func (g_free);
      add_common_args (args, request, request->name);
      g_ptr_array_add (args, g_strdup_printf ("--array=%s", list));
      g_ptr_array_add (args, g_strdup (task_output ? task_output : "--output=/dev/null"));
      /* The user's options last: where they repeat one of ours, theirs win. */
      for (gsize i = 0; request->task_args != NULL && request->task_args[i] != NULL; i++)
        g_ptr_array_add (args, g_strdup (request->task_args[i]));
      g_ptr_array_add (args, g_strdup (task_path));
      array_id = sbatch (sbatch_path, args, "chunk array", cancellable, error);
      if (array_id == NULL)
        return FALSE;
    }

  if (request->join_argv != NULL)
    {
      g_autofree char *join_name = g_strdup_printf ("%s-join", request->name);
      g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);

      add_common_args (owned, request, join_name);
      if (array_id != NULL)
        {
          g_ptr_array_add (owned, g_strdup_printf ("--dependency=afterok:%s", array_id));
          /* A failed task makes the dependency unsatisfiable: cancel the
           * join then instead of leaving it pending for ever; submitting
           * again queues the chunks still missing and a new join. */
          g_ptr_array_add (owned, g_strdup ("--kill-on-invalid-dep=yes"));
        }
      g_ptr_array_add (owned, g_strdup (join_output ? join_output : "--output=/dev/null"));
      for (gsize i = 0; request->join_args != NULL && request->join_args[i] != NULL; i++)
        g_ptr_array_add (owned, g_strdup (request->join_args[i]));
      g_ptr_array_add (owned, g_strdup (join_path));
      join_id = sbatch (sbatch_path, owned, "join job", cancellable, &local);
      if (join_id == NULL)
        {
          const char *ids[] = { array_id, NULL };
          g_autoptr(GError) cancel_error = NULL;

          /* All or nothing: the array alone would finish chunks that no
           * join ever assembles, and a second submission would find it
           * still queued. */
          if (array_id != NULL && !cancel_ids (ids, NULL, &cancel_error))
            g_prefix_error (&local, "(the chunk array %s is still queued: %s) ", array_id, cancel_error->message);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }

  submission->array_id = g_steal_pointer (&array_id);
  submission->join_id = g_steal_pointer (&join_id);
  return TRUE;
}

static GPtrArray *
slurm_query (SvdScheduler  *scheduler,
             const char    *name,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *squeue = NULL, *names = NULL, *join_name = NULL, *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_scheduler_entry_free);
  g_auto(GStrv) lines = NULL;
  int status = 0;

  squeue = find_command ("squeue", error);
  if (squeue == NULL)
    return NULL;
  join_name = g_strdup_printf ("%s-join", name);
  names = g_strdup_printf ("--name=%s,%s", name, join_name);
  {
    /* --array: one line per task, not "123_[4-9]". %F is the array's id
     * (a plain job's own), %K the task index ("N/A" for a plain job). The
     * name goes last: it is the one field that is ours. */
    const char *argv[] = { squeue, "--noheader", "--array", names, "--format=%F|%K|%T|%r|%j", NULL };

    if (!run_command (argv, &out, &err, &status, cancellable, error))
      return NULL;
  }
  if (status != 0)
    {
      g_autofree char *msg = tidy_message ("squeue", err);

      g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED, "squeue failed: %s", msg);
      return NULL;
    }
  lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto(GStrv) f = NULL;
      SvdSchedulerEntry *e;
      gint64 task = -1;

      if (**l == '\0')
        continue;
      f = g_strsplit (*l, "|", 5);
      if (g_strv_length (f) != 5)
        continue;
      if (strcmp (f[1], "N/A") != 0 && !g_ascii_string_to_signed (f[1], 10, 0, G_MAXINT, &task, NULL))
        continue;
      e = g_new0 (SvdSchedulerEntry, 1);
      e->job_id = g_strdup (f[0]);
      e->task = task;
      e->join = strcmp (f[4], join_name) == 0;
      e->state = g_strdup (f[2]);
      e->reason = strcmp (f[3], "None") == 0 ? NULL : g_strdup (f[3]);
      g_ptr_array_add (entries, e);
    }
  return g_steal_pointer (&entries);
}

static gboolean
cancel_ids (const char *const  *job_ids,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autofree char *scancel = NULL, *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = 0;

  scancel = find_command ("scancel", error);
  if (scancel == NULL)
    return FALSE;
  g_ptr_array_add (argv, scancel);
  for (gsize i = 0; job_ids[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) job_ids[i]);
  g_ptr_array_add (argv, NULL);
  if (!run_command ((const char *const *) argv->pdata, &out, &err, &status, cancellable, error))
    return FALSE;
  if (status != 0)
    {
      g_autofree char *msg = tidy_message ("scancel", err);

      g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED, "scancel failed: %s", msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
slurm_cancel (SvdScheduler  *scheduler,
              const char    *name,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GPtrArray) entries = slurm_query (scheduler, name, cancellable, error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  if (entries == NULL)
    return FALSE;
  /* The ids squeue gave for the name: an array's id cancels all its tasks. */
  for (guint i = 0; i < entries->len; i++)
    {
      const SvdSchedulerEntry *e = g_ptr_array_index (entries, i);
      gboolean seen = FALSE;

      for (guint k = 0; k < ids->len; k++)
        seen |= strcmp (ids->pdata[k], e->job_id) == 0;
      if (!seen)
        g_ptr_array_add (ids, e->job_id);
    }
  if (ids->len == 0)
    return TRUE;
  g_ptr_array_add (ids, NULL);
  return cancel_ids ((const char *const *) ids->pdata, cancellable, error);
}

static void
svd_slurm_scheduler_init (SvdSchedulerInterface *iface)
{
  iface->get_name = slurm_get_name;
  iface->check = slurm_check;
  iface->submit = slurm_submit;
  iface->query = slurm_query;
  iface->cancel = slurm_cancel;
}
