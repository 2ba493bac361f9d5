/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "session/svd-job-queue.h"

#include <stdio.h>
#include <string.h>

/* svd queue list / add / run: the GUI's job queue (issue #25) from a
 * script, through the same library queue and the same file
 * ($XDG_STATE_HOME/svd-studio/jobs.json). One process at a time holds the
 * queue (the app, or `svd queue run`); `list` works alongside it, `add`
 * and `run` say who has it. */

static const char *
or_dash (const char *s)
{
  return s != NULL && *s != '\0' ? s : "-";
}

int
svd_cmd_queue_list (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- list the restore jobs of the app's queue");
  g_autoptr(SvdJobQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdCliCommon) common = { 0 };
  guint n;

  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 1)
    return svd_cli_usage_error (context, "svd queue list takes no arguments");
  queue = svd_job_queue_new (NULL);
  if (!svd_job_queue_load (queue, &error))
    return svd_cli_fail (argv[0], error);
  n = g_list_model_get_n_items (G_LIST_MODEL (queue));
  if (common.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, svd_job_queue_get_path (queue));
      json_builder_set_member_name (b, "jobs");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SvdQueueJob) job = g_list_model_get_item (G_LIST_MODEL (queue), i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, svd_queue_job_get_id (job));
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, svd_queue_job_state_to_string (svd_queue_job_get_state (job)));
          json_builder_set_member_name (b, "input");
          json_builder_add_string_value (b, svd_queue_job_get_input (job));
          json_builder_set_member_name (b, "output");
          json_builder_add_string_value (b, svd_queue_job_get_output (job));
          json_builder_set_member_name (b, "chain");
          json_builder_add_string_value (b, svd_queue_job_get_chain (job));
          json_builder_set_member_name (b, "job_dir");
          json_builder_add_string_value (b, svd_queue_job_get_job_dir (job));
          json_builder_set_member_name (b, "chunks_done");
          json_builder_add_int_value (b, svd_queue_job_get_chunks_done (job));
          json_builder_set_member_name (b, "n_chunks");
          json_builder_add_int_value (b, svd_queue_job_get_n_chunks (job));
          json_builder_set_member_name (b, "message");
          if (svd_queue_job_get_message (job) != NULL)
            json_builder_add_string_value (b, svd_queue_job_get_message (job));
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      svd_cli_print_json (b);
      return 0;
    }
  printf ("Queue: %s (%u job%s%s)\n", svd_job_queue_get_path (queue), n, n == 1 ? "" : "s",
          svd_job_queue_is_read_only (queue) ? "; in use by another process" : "");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SvdQueueJob) job = g_list_model_get_item (G_LIST_MODEL (queue), i);

      printf ("%4u  %-9s  %u/%u chunks  %s\n      from %s with %s\n", svd_queue_job_get_id (job),
              svd_queue_job_state_to_string (svd_queue_job_get_state (job)), svd_queue_job_get_chunks_done (job),
              svd_queue_job_get_n_chunks (job), svd_queue_job_get_output (job), svd_queue_job_get_input (job),
              svd_queue_job_get_chain (job));
      if (svd_queue_job_get_message (job) != NULL && svd_queue_job_get_state (job) == SVD_QUEUE_JOB_FAILED)
        printf ("      %s\n", svd_queue_job_get_message (job));
    }
  return 0;
}

int
svd_cmd_queue_add (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("IN OUT - add a restore job to the app's queue");
  g_autofree char *chain = NULL, *codec = NULL, *preset = NULL, *pix_fmt = NULL, *chain_text = NULL;
  g_autoptr(SvdJobQueue) queue = NULL;
  g_autoptr(SvdChain) steps = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdSettings) settings = { 0 };
  gboolean no_audio = FALSE, no_subs = FALSE;
  gint64 chunk_frames = 0;
  int crf = -1;
  g_auto(SvdCliCommon) common = { 0 };
  SvdQueueJobSpec spec;
  SvdQueueJob *job;
  GOptionEntry entries[] = {
    { "chain", 0, 0, G_OPTION_ARG_STRING, &chain, "The chain to run (as svd restore takes it)", "CHAIN" },
    { "codec", 'c', 0, G_OPTION_ARG_STRING, &codec, "Video encoder (x264, x265, av1, vp9, ffv1…)", "ENC" },
    { "crf", 0, 0, G_OPTION_ARG_INT, &crf, "Constant rate factor (encoder default when left out)", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "Encoder preset", "P" },
    { "pix-fmt", 0, 0, G_OPTION_ARG_STRING, &pix_fmt, "Output pixel format (default: the input's)", "FMT" },
    { "chunk-frames", 0, 0, G_OPTION_ARG_INT64, &chunk_frames, "Chunks of at most N frames (default ~10 s)", "N" },
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "Do not copy audio", NULL },
    { "no-subtitles", 0, 0, G_OPTION_ARG_NONE, &no_subs, "Do not copy subtitles", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Queues a chunked, resumable restore (what svd restore runs) in the app's job queue;\n"
    "the app's Jobs window (Ctrl+J) or `svd queue run` runs it.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 3)
    return svd_cli_usage_error (context, "Give an input and an output file");
  if (chain == NULL)
    return svd_cli_usage_error (context, "--chain is required");
  if (chunk_frames < 0)
    return svd_cli_usage_error (context, "--chunk-frames takes a positive number of frames");
  {
    const char *inputs[] = { argv[1] };

    if (!svd_cli_check_output (&common, argv[2], inputs, 1, chain, 0, &error))
      return svd_cli_fail (argv[0], error);
  }
  /* The chain as absolute paths, so the job runs from any folder. */
  steps = svd_chain_parse (chain, NULL, SVD_CHAIN_LOAD_NO_MODELS, &error);
  if (steps == NULL)
    return svd_cli_fail (argv[0], error);
  chain_text = svd_chain_to_string (steps, NULL, &error);
  if (chain_text == NULL)
    return svd_cli_fail (argv[0], error);
  svd_cli_settings (&common, &settings);

  queue = svd_job_queue_new (NULL);
  if (!svd_job_queue_load (queue, &error))
    return svd_cli_fail (argv[0], error);
  svd_queue_job_spec_init (&spec);
  spec.input = argv[1];
  spec.output = argv[2];
  spec.chain = chain_text;
  spec.encoder = codec;
  spec.crf = crf;
  spec.preset = preset;
  spec.pix_fmt = pix_fmt;
  spec.precision = settings.precision;
  spec.chunk_frames = chunk_frames;
  spec.copy_audio = !no_audio;
  spec.copy_subtitles = !no_subs;
  job = svd_job_queue_add (queue, &spec, &error);
  if (job == NULL)
    return svd_cli_fail (argv[0], error);
  if (!common.quiet)
    printf ("Queued job %u: %s\n", svd_queue_job_get_id (job), svd_queue_job_get_output (job));
  return 0;
}

typedef struct {
  GMainLoop *loop;
  guint      failed;
  gboolean   quiet;
} Runner;

static void
run_job_finished_cb (SvdJobQueue *queue,
                     SvdQueueJob *job,
                     Runner      *r)
{
  SvdQueueJobState state = svd_queue_job_get_state (job);

  if (state == SVD_QUEUE_JOB_FAILED)
    {
      r->failed++;
      fprintf (stderr, "svd queue run: job %u failed: %s\n", svd_queue_job_get_id (job),
               or_dash (svd_queue_job_get_message (job)));
    }
  else if (!r->quiet)
    printf ("Job %u %s: %s (%u of %u chunks done, %u restored now)\n", svd_queue_job_get_id (job),
            svd_queue_job_state_to_string (state), svd_queue_job_get_output (job),
            svd_queue_job_get_chunks_done (job), svd_queue_job_get_n_chunks (job),
            svd_queue_job_get_chunks_restored (job));
  if (!svd_job_queue_is_running (queue))
    g_main_loop_quit (r->loop);
}

static gboolean
run_interrupted_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  Runner *r = user_data;

  g_main_loop_quit (r->loop);
  return G_SOURCE_REMOVE;
}

int
svd_cmd_queue_run (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- run the queued restore jobs, one at a time");
  g_autoptr(SvdJobQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) source = NULL;
  SvdCliInterrupt interrupt = { 0 };
  g_auto(SvdCliCommon) common = { 0 };
  Runner r = { 0 };
  int status;

  g_option_context_set_description (context,
    "Runs the jobs of the app's queue that are queued (paused ones wait), one at a time,\n"
    "until none is left. Ctrl-C stops the running job at once, keeping its finished\n"
    "chunks; it stays queued and resumes at the next run (or in the app).");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 1)
    return svd_cli_usage_error (context, "svd queue run takes no arguments");
  queue = svd_job_queue_new (NULL);
  if (!svd_job_queue_load (queue, &error))
    return svd_cli_fail (argv[0], error);
  if (svd_job_queue_is_read_only (queue))
    {
      g_set_error (&error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
                   "The job queue “%s” is in use by another process (SVD Studio or `svd queue run`), which "
                   "runs its jobs", svd_job_queue_get_path (queue));
      return svd_cli_fail (argv[0], error);
    }
  r.loop = g_main_loop_new (NULL, FALSE);
  r.quiet = common.quiet || common.json;
  g_signal_connect (queue, "job-finished", G_CALLBACK (run_job_finished_cb), &r);
  svd_job_queue_start (queue);
  if (!svd_job_queue_is_running (queue))
    {
      if (!r.quiet)
        printf ("Nothing to run: no job is queued\n");
      g_main_loop_unref (r.loop);
      return 0;
    }
  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, G_SOURCE_FUNC (run_interrupted_cb), &r, NULL);
  g_source_attach (source, NULL);
  svd_cli_interrupt_start (&interrupt, cancellable);
  g_main_loop_run (r.loop);
  svd_cli_interrupt_stop (&interrupt);
  g_source_destroy (source);
  /* Interrupted: the running job stops with its finished chunks kept. */
  g_signal_handlers_disconnect_by_data (queue, &r);
  svd_job_queue_shutdown (queue);
  g_main_loop_unref (r.loop);
  if (g_cancellable_is_cancelled (cancellable))
    {
      fprintf (stderr, "%s: interrupted; the running job stays queued with its finished chunks\n", argv[0]);
      status = svd_cli_interrupt_exit_status (&interrupt);
      return status != 0 ? status : 130;
    }
  return r.failed > 0 ? 1 : 0;
}
