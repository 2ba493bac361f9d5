/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "core/svd-fault.h"
#include "core/svd-png.h"
#include "engine/svd-engine.h"

#include <stdio.h>

int
svd_cmd_model_run (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("CHAIN [CHAIN…] IN.png OUT.png - run a model or a chain on an image");
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(SvdImage) input = NULL;
  g_autoptr(SvdImage) output = NULL;
  g_autoptr(GString) spec = g_string_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(SvdCliInterrupt) interrupt = { 0 };
  g_auto(SvdSettings) settings = { 0 };
  g_auto(SvdCliCommon) common = { 0 };
  SvdEngineTimings timings = { 0 };
  gboolean sixteen = FALSE;
  GOptionEntry entries[] = {
    { "16bit", 0, 0, G_OPTION_ARG_NONE, &sixteen, "Write a 16-bit PNG (default: 8-bit)", NULL },
    { NULL }
  };
  int in_depth = 8;
  gint64 start;

  g_option_context_set_description (context,
    "Runs the chain (a model, or steps such as 1x → 2x) on IN.png and writes OUT.png.\n"
    "Several CHAIN arguments run one after the other, as if joined by commas.\n"
    "With --device cpu-ref the plain-C reference runs; otherwise the OpenCL engine on the\n"
    "chosen device, falling back to the reference when no OpenCL device exists.\n\n"
    SVD_CLI_CHAIN_HELP);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc < 4)
    return svd_cli_usage_error (context, "Need a CHAIN, IN.png and OUT.png");
  svd_cli_settings (&common, &settings);
  for (int i = 1; i < argc - 2; i++)
    g_string_append_printf (spec, "%s%s", i > 1 ? "," : "", argv[i]);
  if (!svd_cli_check_output (&common, argv[argc - 1], (const char *const *) argv + argc - 2, 1, spec->str, 0,
                             &error))
    return svd_cli_fail (argv[0], error);
  chain = svd_cli_load_chain (spec->str, &error);
  if (chain == NULL)
    return svd_cli_fail (argv[0], error);
  input = svd_png_load_as (argv[argc - 2], SVD_PIXEL_FORMAT_RGB_F32, &in_depth, &error);
  if (input == NULL)
    return svd_cli_fail (argv[0], error);

  /* Ctrl-C, SIGTERM and SIGHUP cancel the chain between layers and bands
   * of rows; OUT is written under a temporary name and renamed, so an
   * interrupt leaves neither OUT nor a temporary file. */
  svd_cli_interrupt_start (&interrupt, cancellable);
  start = g_get_monotonic_time ();
  engine = svd_engine_new (&settings, &error);
  if (engine == NULL ||
      !svd_engine_set_chain (engine, chain, &error) ||
      !svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &output, &timings, cancellable, &error))
    return svd_cli_fail_interrupted (argv[0], &interrupt, error);
  if (!common.quiet)
    fprintf (stderr, "Ran %u step(s) on %s in %.0f ms (device time %.1f ms)\n", chain->steps->len,
             svd_engine_get_device_name (engine), (g_get_monotonic_time () - start) / 1000.0, timings.total_ms);

  /* The last point before OUT is written. */
  svd_fault_cancel_point (cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
      !svd_png_save (output, argv[argc - 1], sixteen ? 16 : 8, &error))
    return svd_cli_fail_interrupted (argv[0], &interrupt, error);
  return 0;
}
