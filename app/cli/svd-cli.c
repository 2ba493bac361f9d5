/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "core/svd-output.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

/**
 * svd_cli_parse:
 * @context: the subcommand's option context, with its own entries added
 * @common: (out caller-allocates): receives the shared options
 * @argc: argument count, updated
 * @argv: arguments, updated to the positional ones
 *
 * Adds the options every subcommand takes (--device, --fp16, --json, --verbose,
 * --quiet, --force), parses, and sets the log level. Prints the parse error itself.
 */
gboolean
svd_cli_parse (GOptionContext   *context,
               SvdCliCommon     *common,
               int              *argc,
               char           ***argv)
{
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &common->device,
      "OpenCL device: auto, cpu-ref, an index from `svd devices`, or a name substring (env SVD_DEVICE)", "DEV" },
    { "fp16", 0, 0, G_OPTION_ARG_NONE, &common->fp16,
      "Keep feature maps in 16-bit floats on the device: half the memory, max abs error ≤ 1e-3 (env SVD_PRECISION=fp16)",
      NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &common->json, "Print machine-readable JSON", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &common->verbose, "Log more", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &common->quiet, "Log errors only", NULL },
    { "force", 'y', 0, G_OPTION_ARG_NONE, &common->force, "Replace output files that already exist", NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "%s: %s\nTry “%s --help”.\n", (*argv)[0], error->message, (*argv)[0]);
      return FALSE;
    }
  if (common->verbose)
    svd_log_set_level (SVD_LOG_LEVEL_DEBUG);
  else if (common->quiet)
    svd_log_set_level (SVD_LOG_LEVEL_ERROR);
  return TRUE;
}

/**
 * svd_cli_settings:
 * @common: parsed shared options
 * @settings: (out caller-allocates): settings to fill
 *
 * Builds settings from defaults, then the environment, then the flags.
 */
void
svd_cli_settings (const SvdCliCommon *common,
                  SvdSettings        *settings)
{
  svd_settings_init (settings);
  svd_settings_apply_env (settings);
  if (common->device != NULL)
    {
      g_free (settings->device);
      settings->device = g_strdup (common->device);
    }
  if (common->fp16)
    settings->precision = SVD_PRECISION_FP16;
}

int
svd_cli_fail (const char *command,
              GError     *error)
{
  /* Messages quote file names, tensor names and strings from files; a
   * terminal must not act on escape sequences in them. */
  g_autofree char *shown = svd_str_escape_control (error ? error->message : "unknown error", TRUE);

  fprintf (stderr, "%s: error: %s\n", command, shown);
  return 1;
}

int
svd_cli_usage_error (GOptionContext *context,
                     const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  fprintf (stderr, "%s\n\n%s", message, help);
  return 2;
}

void
svd_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  /* Strings from files may hold C1 controls json-glib writes raw. */
  shown = svd_json_escape_control (text);
  printf ("%s\n", shown);
}

/**
 * svd_cli_load_chain:
 * @spec: a chain as svd_chain_parse() reads it ("a.onnx,bicubic:2", a
 *   preset, a fused chain ONNX), relative to the current folder
 * @error: return location for an error
 *
 * Returns: (transfer full): the chain with its models loaded, or %NULL with
 *   @error naming the entry that failed
 */
SvdChain *
svd_cli_load_chain (const char  *spec,
                    GError     **error)
{
  return svd_chain_parse (spec, NULL, SVD_CHAIN_LOAD_DEFAULT, error);
}

/**
 * svd_cli_check_output:
 * @common: parsed shared options (--force)
 * @output: the file the command will write
 * @inputs: (array length=n_inputs): the files it reads; %NULL entries are
 *   skipped
 * @n_inputs: length of @inputs
 * @chain: (nullable): a --chain value; its entries and the model files
 *   of its presets are inputs too
 * @flags: %SVD_OUTPUT_APPEND for a file appended to
 * @error: return location for an error
 *
 * svd_output_check() with the command's inputs and --force, run before
 * any work.
 */
gboolean
svd_cli_check_output (const SvdCliCommon  *common,
                      const char          *output,
                      const char *const   *inputs,
                      gsize                n_inputs,
                      const char          *chain,
                      SvdOutputFlags       flags,
                      GError             **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < n_inputs; i++)
    if (inputs[i] != NULL)
      g_ptr_array_add (all, g_strdup (inputs[i]));
  if (chain != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (chain, ",", -1);
      g_autoptr(SvdChain) steps = NULL;

      for (int i = 0; parts[i] != NULL; i++)
        g_ptr_array_add (all, g_strdup (g_strstrip (parts[i])));
      /* A preset's model files are inputs too. A chain that does not parse
       * fails with its own message when it is loaded. */
      steps = svd_chain_parse (chain, NULL, SVD_CHAIN_LOAD_NO_MODELS, NULL);
      for (guint i = 0; steps != NULL && i < steps->steps->len; i++)
        {
          const SvdChainStep *step = g_ptr_array_index (steps->steps, i);

          if (step->abs_path != NULL)
            g_ptr_array_add (all, g_strdup (step->abs_path));
        }
    }
  g_ptr_array_add (all, NULL);
  if (common->force)
    flags |= SVD_OUTPUT_FORCE;
  return svd_output_check (output, (const char *const *) all->pdata, flags, error);
}

/**
 * svd_cli_json_add_double:
 * @builder: a builder inside an object
 * @name: the member's name
 * @value: its value
 *
 * Adds @name: @value, or @name: null where @value is infinite or NaN: JSON
 * has neither, and our outputs use them for identical images (infinite
 * PSNR) and values that do not exist.
 */
void
svd_cli_json_add_double (JsonBuilder *builder,
                         const char  *name,
                         double       value)
{
  json_builder_set_member_name (builder, name);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* GLib's signal sources do the async-signal-safe part; a small thread of
 * our own dispatches them, since the command's thread is busy running the
 * job. The job checks the cancellable between frames, stages, layers and
 * bands of rows and removes its temporary files, so an interrupt never
 * leaves a file behind. */
typedef struct {
  SvdCliInterrupt *self;
  GCancellable    *cancellable;
  int              signal;
} InterruptSource;

static gboolean
interrupt_signal_cb (gpointer user_data)
{
  InterruptSource *src = user_data;

  /* The first signal names the exit status. */
  g_atomic_int_compare_and_exchange (&src->self->signal, 0, src->signal);
  g_cancellable_cancel (src->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
interrupt_source_free (gpointer data)
{
  InterruptSource *src = data;

  g_object_unref (src->cancellable);
  g_free (src);
}

static gpointer
interrupt_thread (gpointer user_data)
{
  SvdCliInterrupt *self = user_data;

  /* Not a GMainLoop: quitting one that has not started running yet
   * would be lost, and a job that fails at once would hang here. */
  g_main_context_push_thread_default (self->context);
  while (!g_atomic_int_get (&self->stop))
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/**
 * svd_cli_interrupt_start:
 * @self: a zero-initialised interrupt
 * @cancellable: cancelled on SIGINT, SIGTERM or SIGHUP
 *
 * Call it before the command creates any temporary file, so a signal can
 * never orphan one.
 */
void
svd_cli_interrupt_start (SvdCliInterrupt *self,
                         GCancellable    *cancellable)
{
  const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  self->context = g_main_context_new ();
  self->signal = 0;
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autoptr(GSource) source = g_unix_signal_source_new (signals[i]);
      InterruptSource *src = g_new0 (InterruptSource, 1);

      src->self = self;
      src->cancellable = g_object_ref (cancellable);
      src->signal = signals[i];
      g_source_set_callback (source, interrupt_signal_cb, src, interrupt_source_free);
      g_source_attach (source, self->context);
    }
  self->stop = FALSE;
  self->thread = g_thread_new ("svd-interrupt", interrupt_thread, self);
}

/**
 * svd_cli_interrupt_stop:
 * @self: an interrupt
 *
 * Stops listening; the signals' default actions come back. Does nothing
 * when @self was not started.
 */
void
svd_cli_interrupt_stop (SvdCliInterrupt *self)
{
  if (self->thread == NULL)
    return;
  g_atomic_int_set (&self->stop, TRUE);
  g_main_context_wakeup (self->context);
  g_thread_join (self->thread);
  self->thread = NULL;
  /* Destroys the signal sources. */
  g_clear_pointer (&self->context, g_main_context_unref);
}

/**
 * svd_cli_interrupt_exit_status:
 * @self: an interrupt
 *
 * Returns: the shell's status for a process ended by the first signal
 *   that arrived, 128 + its number (130 for Ctrl-C, 143 for SIGTERM, 129
 *   for SIGHUP), or 0 when none arrived
 */
int
svd_cli_interrupt_exit_status (SvdCliInterrupt *self)
{
  int sig = g_atomic_int_get (&self->signal);

  return sig > 0 ? 128 + sig : 0;
}

/**
 * svd_cli_fail_interrupted:
 * @command: argv[0]
 * @interrupt: the command's interrupt
 * @error: the error the command stopped on
 *
 * svd_cli_fail(), except that a cancel caused by a signal returns the
 * shell's status for that signal (svd_cli_interrupt_exit_status()), so a
 * script sees 130 after Ctrl-C as it would had the process died of it.
 *
 * Returns: the exit status
 */
int
svd_cli_fail_interrupted (const char      *command,
                          SvdCliInterrupt *interrupt,
                          GError          *error)
{
  int status = svd_cli_interrupt_exit_status (interrupt);

  if (status == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return svd_cli_fail (command, error);
  fprintf (stderr, "%s: cancelled by %s; nothing was written\n", command,
           status == 128 + SIGINT ? "SIGINT (Ctrl-C)" : status == 128 + SIGTERM ? "SIGTERM" : "SIGHUP");
  return status;
}

/**
 * svd_cli_common_clear:
 * @common: the common options
 *
 * Frees what svd_cli_parse() stored in @common.
 */
void
svd_cli_common_clear (SvdCliCommon *common)
{
  g_clear_pointer (&common->device, g_free);
}
