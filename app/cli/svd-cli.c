/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "core/svd-output.h"

#include <glib-unix.h>
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
