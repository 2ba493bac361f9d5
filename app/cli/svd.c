/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-config.h"
#include "svd-cli.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The command table, in the order `svd --help` lists it. Two-word commands
 * ("model info") are matched on both words. */
static const SvdCliCommand commands[] = {
  { "devices", "List OpenCL platforms and devices", svd_cmd_devices },
  { "model info", "Describe a model: format, shape, tier, cost", svd_cmd_model_info },
  { "model run", "Run a model or a chain on a PNG image", svd_cmd_model_run },
  { "bench", "Benchmark a chain on the OpenCL device", svd_cmd_bench },
  { "bench-matrix", "Time and score every combination of chain slots; recommend a chain", svd_cmd_bench_matrix },
  { "metrics", "Compare two images or clips: PSNR, SSIM, DISTS", svd_cmd_metrics },
  { "compare", "Run chains over a clip in the app's session: per-frame metrics and timings", svd_cmd_compare },
  { "probe", "Describe a video clip: streams, size, fps, frames, colour, rotation", svd_cmd_probe },
  { "degrade", "Make a degraded input from a clean clip (shrink + x264)", svd_cmd_degrade },
  { "restore", "Restore a clip with a chain of models, copying audio and subtitles", svd_cmd_restore },
  { "transcode", "Re-encode a clip, copying audio and subtitles", svd_cmd_transcode },
  { "export-chain", "Export a chain: preset, AnimeJaNai slot, fused ONNX or mpv GLSL", svd_cmd_export_chain },
  { "farm submit", "Restore a clip on a Slurm cluster: one array task per chunk and a join", svd_cmd_farm_submit },
  { "farm status", "Show a farm job's progress: its ledger and queue", svd_cmd_farm_status },
  { "farm cancel", "Cancel a farm job's queued tasks; finished chunks stay", svd_cmd_farm_cancel },
};

static void
print_help (FILE *out)
{
  fprintf (out,
           "Usage: svd COMMAND [OPTION…]\n\n"
           "SVD Studio's command line: model info, inference, metrics, benchmarks and export.\n\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nOptions:\n"
           "  -h, --help     Show this help\n"
           "  --version      Print the version\n\n"
           "Run “svd COMMAND --help” for a command's options.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  svd_log_init (SVD_LOG_LEVEL_WARNING);
  /* A file size limit (ulimit -f) would kill us mid-write and orphan the
   * export's temp file; ignored, write() fails with EFBIG and the writer
   * reports it and removes the file. */
  signal (SIGXFSZ, SIG_IGN);

  if (argc < 2)
    {
      print_help (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0)
    {
      printf ("svd %s\n", SVD_VERSION);
      return 0;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *name = commands[i].name;
      const char *space = strchr (name, ' ');

      if (space == NULL && strcmp (argv[1], name) == 0)
        {
          g_autofree char *prog = g_strdup_printf ("svd %s", name);

          argv[1] = prog;
          return commands[i].run (argc - 1, argv + 1);
        }
      if (space != NULL && argc >= 3 &&
          strncmp (argv[1], name, space - name) == 0 && argv[1][space - name] == '\0' &&
          strcmp (argv[2], space + 1) == 0)
        {
          g_autofree char *prog = g_strdup_printf ("svd %s", name);

          argv[2] = prog;
          return commands[i].run (argc - 2, argv + 2);
        }
    }

  /* "svd model" alone: name the subcommands it has. */
  {
    g_autoptr(GString) subs = g_string_new (NULL);
    gsize len = strlen (argv[1]);

    for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
      if (strncmp (commands[i].name, argv[1], len) == 0 && commands[i].name[len] == ' ')
        g_string_append_printf (subs, "%s%s", subs->len ? ", " : "", commands[i].name + len + 1);
    if (subs->len > 0)
      {
        fprintf (stderr, "svd %s: give a subcommand: %s\n", argv[1], subs->str);
        return 2;
      }
  }

  fprintf (stderr, "svd: unknown command “%s”\n\n", argv[1]);
  print_help (stderr);
  return 2;
}
