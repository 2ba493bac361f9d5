/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "farm/svd-scheduler.h"
#include "session/svd-chunk-job.h"

#include <stdio.h>
#include <string.h>

/* svd farm submit / status / cancel: a chunked restore (svd restore
 * --plan-only, --job DIR --chunk N, --job DIR --join) run as a job array
 * of a cluster scheduler. The job folder is the only shared state: every
 * task records its chunk in the ledger there, so this command needs no
 * daemon of its own and a second submission sees what the first did. */

/* The absolute path of the running svd, which every node runs: the farm
 * needs the same svd at the same path on each (shared storage or the
 * same package). */
static char *
self_path (const char  *argv0,
           GError     **error)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL && !g_str_has_suffix (exe, " (deleted)"))
    return g_steal_pointer (&exe);
  if (argv0 != NULL && strchr (argv0, '/') != NULL)
    return g_canonicalize_filename (argv0, NULL);
  if (argv0 != NULL)
    {
      char *found = g_find_program_in_path (argv0);

      if (found != NULL)
        return found;
    }
  g_set_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE, "cannot find the path of the running svd");
  return NULL;
}

/* The name every job of this job folder has in the queue (the join's
 * with "-join"): the output's file name for people, in printable ASCII,
 * and a hash of the folder's path, so the queue alone says which jobs
 * belong to the folder (nothing is recorded, so nothing races the join,
 * which removes the folder). */
static char *
job_name (const char *job_dir)
{
  g_autofree char *base = g_path_get_basename (job_dir);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, job_dir, -1);
  GString *s = g_string_new ("svd-");

  if (g_str_has_suffix (base, SVD_CHUNK_JOB_SUFFIX))
    base[strlen (base) - strlen (SVD_CHUNK_JOB_SUFFIX)] = '\0';
  for (const char *p = base; *p != '\0' && s->len < 40; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_' ? *p : '_');
  g_string_append_printf (s, "-%.8s", hash);
  return g_string_free (s, FALSE);
}

/* The job folder a command names: DIR itself, or OUT's folder when the
 * user gave the output. */
static char *
resolve_job_dir (const char *arg)
{
  g_autofree char *abs = g_canonicalize_filename (arg, NULL);

  if (!g_str_has_suffix (abs, SVD_CHUNK_JOB_SUFFIX) && !g_file_test (abs, G_FILE_TEST_IS_DIR))
    return svd_chunk_job_dir_for_output (abs);
  return g_steal_pointer (&abs);
}

/* Jobs of an earlier submission still in the queue: submitting again
 * while they run would restore their chunks twice. */
static gboolean
check_nothing_queued (SvdScheduler  *scheduler,
                      const char    *name,
                      const char    *job_dir,
                      GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) which = NULL;

  entries = svd_scheduler_query (scheduler, name, NULL, error);
  if (entries == NULL)
    return FALSE;
  if (entries->len == 0)
    return TRUE;
  which = g_string_new (NULL);
  for (guint i = 0; i < entries->len && i < 4; i++)
    {
      const SvdSchedulerEntry *e = g_ptr_array_index (entries, i);

      g_string_append_printf (which, "%s%s", which->len ? ", " : "", e->job_id);
      if (e->task >= 0)
        g_string_append_printf (which, "_%" G_GINT64_FORMAT, e->task);
      g_string_append_printf (which, " %s", e->state);
    }
  if (entries->len > 4)
    g_string_append_printf (which, " and %u more", entries->len - 4);
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
               "an earlier submission of this job is still in the queue (%s); wait for it, or run "
               "“svd farm cancel %s” first", which->str, job_dir);
  return FALSE;
}

static int
farm_submit (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("IN OUT - restore a clip on a Slurm cluster");
  g_autofree char *chain = NULL, *scheduler_name = NULL, *partition = NULL;
  g_autofree char *codec = NULL, *preset = NULL, *pix_fmt = NULL;
  g_auto(GStrv) sbatch_args = NULL, join_sbatch_args = NULL;
  gboolean no_audio = FALSE, no_subs = FALSE, no_reuse = FALSE, restart = FALSE;
  int crf = -1, n_chunks = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = NULL;
  g_autoptr(SvdChunkJob) planned = NULL;
  g_autoptr(GArray) missing = NULL;
  g_autofree char *input = NULL, *output = NULL, *job_dir = NULL, *svd = NULL, *name = NULL;
  g_auto(SvdSchedulerSubmission) submission = { 0 };
  g_auto(SvdCliCommon) common = { 0 };
  g_autofree char *device = NULL;
  gint64 chunk_frames = 0;
  gboolean existed;
  GOptionEntry entries[] = {
    { "chain", 0, 0, G_OPTION_ARG_STRING, &chain, "The chain to run (as in svd restore)", "CHAIN" },
    { "scheduler", 0, 0, G_OPTION_ARG_STRING, &scheduler_name, "The cluster's scheduler: slurm (the default)", "NAME" },
    { "partition", 'p', 0, G_OPTION_ARG_STRING, &partition, "The partition the chunks and the join run in", "P" },
    { "chunks", 0, 0, G_OPTION_ARG_INT, &n_chunks,
      "Cut the clip into N chunks of equal length (default: about 10 s each, at scene cuts)", "N" },
    { "sbatch-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sbatch_args,
      "One more sbatch option for the chunk tasks, e.g. --sbatch-arg=--gres=gpu:1 (repeatable)", "ARG" },
    { "join-sbatch-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &join_sbatch_args,
      "One more sbatch option for the join job (repeatable)", "ARG" },
    { "restart", 0, 0, G_OPTION_ARG_NONE, &restart, "Throw away the job folder's finished chunks and plan again", NULL },
    { "codec", 'c', 0, G_OPTION_ARG_STRING, &codec, "Video encoder (as in svd restore)", "ENC" },
    { "crf", 0, 0, G_OPTION_ARG_INT, &crf, "Constant rate factor", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "Encoder preset", "P" },
    { "pix-fmt", 0, 0, G_OPTION_ARG_STRING, &pix_fmt, "Output pixel format", "FMT" },
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "Do not copy audio", NULL },
    { "no-subtitles", 0, 0, G_OPTION_ARG_NONE, &no_subs, "Do not copy subtitles", NULL },
    { "no-reuse", 0, 0, G_OPTION_ARG_NONE, &no_reuse, "Run the chain on every frame", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Plans a chunked restore of IN into OUT (the job folder OUT.svdjob/, as svd restore\n"
    "--plan-only does), then submits one array task per chunk not yet done, each running\n"
    "“svd restore --job DIR --chunk N”, and a join job that runs after all of them\n"
    "succeeded (sbatch --dependency=afterok) and writes OUT. Prints the job ids.\n\n"
    "The job folder, IN, OUT and the models must be on storage every node sees at the\n"
    "same path, and every node must have this svd at the same path. Submitting the same\n"
    "command again submits only the chunks still missing. Progress: svd farm status DIR.\n"
    "Slurm's own options (account, time limit, GPUs) go through --sbatch-arg.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  device = g_steal_pointer (&common.device);
  if (argc != 3)
    return svd_cli_usage_error (context, "Give an input and an output file");
  if (chain == NULL)
    return svd_cli_usage_error (context, "--chain is required");
  if (n_chunks < 0)
    return svd_cli_usage_error (context, "--chunks takes a positive number");

  scheduler = svd_scheduler_new (scheduler_name ? scheduler_name : "slurm", &error);
  if (scheduler == NULL || !svd_scheduler_check (scheduler, &error))
    return svd_cli_fail (argv[0], error);
  svd = self_path (argv[0], &error);
  if (svd == NULL)
    return svd_cli_fail (argv[0], error);

  /* Absolute paths: the tasks run on other machines in another folder. */
  input = g_canonicalize_filename (argv[1], NULL);
  output = g_canonicalize_filename (argv[2], NULL);
  job_dir = svd_chunk_job_dir_for_output (output);
  name = job_name (job_dir);
  existed = g_file_test (job_dir, G_FILE_TEST_EXISTS);
  if (existed && !check_nothing_queued (scheduler, name, job_dir, &error))
    return svd_cli_fail (argv[0], error);

  if (n_chunks > 0)
    {
      /* N chunks of equal length: their length from the frame count,
       * without scene cuts (which could add chunks). */
      g_autoptr(SvdReader) reader = NULL;
      SvdReaderOptions ro;
      gint64 frames;

      svd_reader_options_init (&ro);
      reader = svd_reader_open (input, &ro, &error);
      if (reader == NULL)
        return svd_cli_fail (argv[0], error);
      frames = svd_reader_get_info (reader)->n_frames;
      if (frames < n_chunks)
        {
          g_printerr ("%s: error: --chunks %d: the clip has %" G_GINT64_FORMAT " frames\n",
                      argv[0], n_chunks, frames);
          return 1;
        }
      chunk_frames = (frames + n_chunks - 1) / n_chunks;
    }

  /* The plan is svd restore --plan-only's, run by this same svd: the same
   * checks (output, input, chain, settings; a job folder of another input
   * or chain is refused with the reason) and the same chunk table. An
   * existing, matching folder is kept with its finished chunks. */
  {
    g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GSubprocess) proc = NULL;

    g_ptr_array_add (plan, g_strdup (svd));
    g_ptr_array_add (plan, g_strdup ("restore"));
    g_ptr_array_add (plan, g_strdup (input));
    g_ptr_array_add (plan, g_strdup (output));
    g_ptr_array_add (plan, g_strdup_printf ("--chain=%s", chain));
    g_ptr_array_add (plan, g_strdup ("--plan-only"));
    if (chunk_frames > 0)
      {
        g_ptr_array_add (plan, g_strdup_printf ("--chunk-frames=%" G_GINT64_FORMAT, chunk_frames));
        g_ptr_array_add (plan, g_strdup ("--no-scene-cuts"));
      }
    if (codec != NULL)
      g_ptr_array_add (plan, g_strdup_printf ("--codec=%s", codec));
    if (crf >= 0)
      g_ptr_array_add (plan, g_strdup_printf ("--crf=%d", crf));
    if (preset != NULL)
      g_ptr_array_add (plan, g_strdup_printf ("--preset=%s", preset));
    if (pix_fmt != NULL)
      g_ptr_array_add (plan, g_strdup_printf ("--pix-fmt=%s", pix_fmt));
    if (no_audio)
      g_ptr_array_add (plan, g_strdup ("--no-audio"));
    if (no_subs)
      g_ptr_array_add (plan, g_strdup ("--no-subtitles"));
    if (no_reuse)
      g_ptr_array_add (plan, g_strdup ("--no-reuse"));
    if (restart)
      g_ptr_array_add (plan, g_strdup ("--restart"));
    if (common.force)
      g_ptr_array_add (plan, g_strdup ("--force"));
    if (common.fp16)
      g_ptr_array_add (plan, g_strdup ("--fp16"));
    g_ptr_array_add (plan, NULL);
    /* Its chunk table on stdout, except under --json (ours is the only
     * JSON there); its errors on stderr, as they are. */
    proc = g_subprocess_newv ((const char *const *) plan->pdata,
                              common.json || common.quiet ? G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                          : G_SUBPROCESS_FLAGS_NONE,
                              &error);
    if (proc == NULL || !g_subprocess_wait (proc, NULL, &error))
      return svd_cli_fail (argv[0], error);
    if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
      {
        g_printerr ("%s: error: planning the job failed (above); nothing was submitted\n", argv[0]);
        return 1;
      }
  }
  planned = svd_chunk_job_open (job_dir, &error);
  if (planned == NULL)
    return svd_cli_fail (argv[0], error);

  missing = svd_chunk_job_missing_chunks (planned, SVD_CHUNK_VERIFY_CHECKSUM);
  {
    g_autoptr(GPtrArray) task_argv = g_ptr_array_new_with_free_func (g_free);
    const char *join_argv[] = { svd, "restore", "--job", job_dir, "--join", NULL };
    SvdSchedulerRequest request = {
      .name = name,
      .work_dir = job_dir,
      .partition = partition,
      .task_args = (const char *const *) sbatch_args,
      .join_args = (const char *const *) join_sbatch_args,
      .tasks = (const guint *) missing->data,
      .n_tasks = missing->len,
      .task_argv = NULL,
      .join_argv = join_argv,
    };

    /* --device and --fp16 are for the tasks (planning runs no chain); the
     * task's index follows --chunk. */
    g_ptr_array_add (task_argv, g_strdup (svd));
    g_ptr_array_add (task_argv, g_strdup ("restore"));
    g_ptr_array_add (task_argv, g_strdup ("--job"));
    g_ptr_array_add (task_argv, g_strdup (job_dir));
    if (device != NULL)
      g_ptr_array_add (task_argv, g_strdup_printf ("--device=%s", device));
    if (common.fp16)
      g_ptr_array_add (task_argv, g_strdup ("--fp16"));
    g_ptr_array_add (task_argv, g_strdup ("--chunk"));
    g_ptr_array_add (task_argv, NULL);
    request.task_argv = (const char *const *) task_argv->pdata;

    if (!svd_scheduler_submit (scheduler, &request, &submission, NULL, &error))
      {
        /* Nothing was queued: a job folder this command created goes again,
         * so a refused submission leaves nothing behind; one that held
         * finished chunks stays as it was. */
        if (!existed)
          svd_chunk_job_remove_dir (job_dir, NULL);
        return svd_cli_fail (argv[0], error);
      }
  }

  if (common.json)
    {
      g_autoptr(JsonBuilder) jb = json_builder_new ();

      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "scheduler");
      json_builder_add_string_value (jb, svd_scheduler_get_name (scheduler));
      json_builder_set_member_name (jb, "job_dir");
      json_builder_add_string_value (jb, job_dir);
      json_builder_set_member_name (jb, "chunks");
      json_builder_add_int_value (jb, svd_chunk_job_get_n_chunks (planned));
      json_builder_set_member_name (jb, "tasks");
      json_builder_begin_array (jb);
      for (guint i = 0; i < missing->len; i++)
        json_builder_add_int_value (jb, g_array_index (missing, guint, i));
      json_builder_end_array (jb);
      json_builder_set_member_name (jb, "array_id");
      if (submission.array_id != NULL)
        json_builder_add_string_value (jb, submission.array_id);
      else
        json_builder_add_null_value (jb);
      json_builder_set_member_name (jb, "join_id");
      json_builder_add_string_value (jb, submission.join_id);
      json_builder_end_object (jb);
      svd_cli_print_json (jb);
    }
  else
    {
      guint n = svd_chunk_job_get_n_chunks (planned);

      if (submission.array_id != NULL)
        {
          g_autofree char *list = svd_scheduler_format_ranges ((const guint *) missing->data, missing->len);

          printf ("Submitted %u of %u chunks as job array %s (tasks %s)\n", missing->len, n,
                  submission.array_id, list);
        }
      else
        printf ("All %u chunks are done; submitted only the join\n", n);
      printf ("Join: job %s\n", submission.join_id);
      printf ("Job folder: %s\n", job_dir);
      printf ("Progress: svd farm status %s\n", job_dir);
    }
  return 0;
}

static const char *
chunk_state_word (SvdChunkState state)
{
  switch (state)
    {
    case SVD_CHUNK_DONE:
      return "done";
    case SVD_CHUNK_BAD:
      return "bad";
    case SVD_CHUNK_MISSING:
    default:
      return "missing";
    }
}

static int
farm_status (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR - progress of a farm job");
  g_autofree char *scheduler_name = NULL, *job_dir = NULL;
  g_autoptr(GError) error = NULL, queue_error = NULL;
  g_autoptr(SvdScheduler) scheduler = NULL;
  g_autoptr(SvdChunkJob) job = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) jb = NULL;
  g_autofree char *name = NULL;
  g_auto(SvdCliCommon) common = { 0 };
  guint n, done = 0;
  GOptionEntry entries_opt[] = {
    { "scheduler", 0, 0, G_OPTION_ARG_STRING, &scheduler_name, "The cluster's scheduler: slurm (the default)", "NAME" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries_opt, NULL);
  g_option_context_set_description (context,
    "DIR is the job folder (OUT.svdjob) or OUT. Shows each chunk's state from the job's\n"
    "ledger and, where squeue is available, the tasks still queued or running.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 2)
    return svd_cli_usage_error (context, "Give the job folder");
  job_dir = resolve_job_dir (argv[1]);

  if (!g_file_test (job_dir, G_FILE_TEST_IS_DIR))
    {
      /* The join removes the folder when it wrote the output. */
      g_autofree char *out = g_strndup (job_dir, strlen (job_dir) - strlen (SVD_CHUNK_JOB_SUFFIX));

      if (g_str_has_suffix (job_dir, SVD_CHUNK_JOB_SUFFIX) && g_file_test (out, G_FILE_TEST_IS_REGULAR))
        {
          if (common.json)
            {
              jb = json_builder_new ();
              json_builder_begin_object (jb);
              json_builder_set_member_name (jb, "finished");
              json_builder_add_boolean_value (jb, TRUE);
              json_builder_set_member_name (jb, "output");
              json_builder_add_string_value (jb, out);
              json_builder_end_object (jb);
              svd_cli_print_json (jb);
            }
          else
            printf ("Finished: %s was written and its job folder removed\n", out);
          return 0;
        }
      g_printerr ("%s: error: no job folder “%s”\n", argv[0], job_dir);
      return 1;
    }

  job = svd_chunk_job_open (job_dir, &error);
  if (job == NULL)
    return svd_cli_fail (argv[0], error);

  /* The queue, where this machine can ask it; the ledger alone otherwise. */
  scheduler = svd_scheduler_new (scheduler_name ? scheduler_name : "slurm", &error);
  if (scheduler == NULL)
    return svd_cli_fail (argv[0], error);
  name = job_name (job_dir);
  if (svd_scheduler_check (scheduler, &queue_error))
    entries = svd_scheduler_query (scheduler, name, NULL, &queue_error);

  n = svd_chunk_job_get_n_chunks (job);
  if (common.json)
    {
      jb = json_builder_new ();
      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "finished");
      json_builder_add_boolean_value (jb, FALSE);
      json_builder_set_member_name (jb, "job_dir");
      json_builder_add_string_value (jb, job_dir);
      json_builder_set_member_name (jb, "output");
      json_builder_add_string_value (jb, svd_chunk_job_get_output (job));
      json_builder_set_member_name (jb, "chunks");
      json_builder_begin_array (jb);
    }
  else
    {
      printf ("Job folder: %s\n", job_dir);
      printf ("Input: %s\nOutput: %s\n", svd_chunk_job_get_input (job), svd_chunk_job_get_output (job));
      printf ("%-6s %-17s %s\n", "chunk", "frames", "state");
    }
  for (guint i = 0; i < n; i++)
    {
      const SvdChunk *c = svd_chunk_job_get_chunk (job, i);
      g_autofree char *problem = NULL;
      SvdChunkState state = svd_chunk_job_verify_chunk (job, i, SVD_CHUNK_VERIFY_QUICK, &problem);
      const SvdSchedulerEntry *queued = NULL;

      if (state == SVD_CHUNK_DONE)
        done++;
      for (guint k = 0; entries != NULL && k < entries->len; k++)
        {
          const SvdSchedulerEntry *e = g_ptr_array_index (entries, k);

          if (!e->join && e->task == (gint64) c->index)
            queued = e;
        }
      if (common.json)
        {
          json_builder_begin_object (jb);
          json_builder_set_member_name (jb, "index");
          json_builder_add_int_value (jb, c->index);
          json_builder_set_member_name (jb, "first");
          json_builder_add_int_value (jb, c->first);
          json_builder_set_member_name (jb, "end");
          json_builder_add_int_value (jb, c->end);
          json_builder_set_member_name (jb, "state");
          json_builder_add_string_value (jb, chunk_state_word (state));
          if (queued != NULL)
            {
              json_builder_set_member_name (jb, "queue");
              json_builder_add_string_value (jb, queued->state);
            }
          json_builder_end_object (jb);
        }
      else
        {
          g_autofree char *frames = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, c->first, c->end - 1);

          printf ("%-6u %-17s %s", c->index, frames, chunk_state_word (state));
          if (queued != NULL)
            printf (" (job %s_%u %s%s%s)", queued->job_id, c->index, queued->state,
                    queued->reason ? ": " : "", queued->reason ? queued->reason : "");
          if (problem != NULL)
            printf (" (%s)", problem);
          printf ("\n");
        }
    }
  if (common.json)
    {
      json_builder_end_array (jb);
      json_builder_set_member_name (jb, "done");
      json_builder_add_int_value (jb, done);
      json_builder_set_member_name (jb, "queue");
      json_builder_begin_array (jb);
      for (guint k = 0; entries != NULL && k < entries->len; k++)
        {
          const SvdSchedulerEntry *e = g_ptr_array_index (entries, k);

          json_builder_begin_object (jb);
          json_builder_set_member_name (jb, "job_id");
          json_builder_add_string_value (jb, e->job_id);
          json_builder_set_member_name (jb, "task");
          json_builder_add_int_value (jb, e->task);
          json_builder_set_member_name (jb, "join");
          json_builder_add_boolean_value (jb, e->join);
          json_builder_set_member_name (jb, "state");
          json_builder_add_string_value (jb, e->state);
          json_builder_end_object (jb);
        }
      json_builder_end_array (jb);
      json_builder_end_object (jb);
      svd_cli_print_json (jb);
      return 0;
    }
  printf ("%u of %u chunks done\n", done, n);
  for (guint k = 0; entries != NULL && k < entries->len; k++)
    {
      const SvdSchedulerEntry *e = g_ptr_array_index (entries, k);

      if (e->join)
        printf ("Join: job %s %s%s%s\n", e->job_id, e->state, e->reason ? ": " : "", e->reason ? e->reason : "");
    }
  if (entries == NULL)
    printf ("Queue: unknown (%s)\n", queue_error ? queue_error->message : "no scheduler");
  else if (entries->len == 0)
    printf ("Queue: no job of this folder is queued or running (%s)%s\n", name,
            done < n ? "; submit again to restore the missing chunks" : "");
  return 0;
}

static int
farm_cancel (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR - cancel the queued jobs of a farm job");
  g_autofree char *scheduler_name = NULL, *job_dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdScheduler) scheduler = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *name = NULL;
  g_auto(SvdCliCommon) common = { 0 };
  GOptionEntry options[] = {
    { "scheduler", 0, 0, G_OPTION_ARG_STRING, &scheduler_name, "The cluster's scheduler: slurm (the default)", "NAME" },
    { NULL }
  };

  g_option_context_add_main_entries (context, options, NULL);
  g_option_context_set_description (context,
    "Cancels every job svd farm submit queued for this job folder. Chunks already\n"
    "finished stay in the ledger; submitting again restores the rest.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 2)
    return svd_cli_usage_error (context, "Give the job folder");
  job_dir = resolve_job_dir (argv[1]);
  if (!g_file_test (job_dir, G_FILE_TEST_IS_DIR))
    {
      g_printerr ("%s: error: no job folder “%s”\n", argv[0], job_dir);
      return 1;
    }
  scheduler = svd_scheduler_new (scheduler_name ? scheduler_name : "slurm", &error);
  if (scheduler == NULL || !svd_scheduler_check (scheduler, &error))
    return svd_cli_fail (argv[0], error);
  name = job_name (job_dir);
  entries = svd_scheduler_query (scheduler, name, NULL, &error);
  if (entries == NULL || !svd_scheduler_cancel (scheduler, name, NULL, &error))
    return svd_cli_fail (argv[0], error);
  if (!common.quiet)
    {
      if (entries->len == 0)
        printf ("Nothing of %s was queued\n", job_dir);
      else
        printf ("Cancelled %u queued task(s) and job(s) of %s; finished chunks stay\n", entries->len, job_dir);
    }
  return 0;
}

int
svd_cmd_farm_submit (int    argc,
                     char **argv)
{
  return farm_submit (argc, argv);
}

int
svd_cmd_farm_status (int    argc,
                     char **argv)
{
  return farm_status (argc, argv);
}

int
svd_cmd_farm_cancel (int    argc,
                     char **argv)
{
  return farm_cancel (argc, argv);
}
