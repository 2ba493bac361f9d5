/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "export/svd-animejanai.h"
#include "export/svd-chain-export.h"

#include <stdio.h>
#include <string.h>

static gboolean
parse_res (const char *s,
           int        *w,
           int        *h)
{
  return s == NULL || sscanf (s, "%dx%d", w, h) == 2;
}

int
svd_cmd_export_chain (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("CHAIN OUT - export a chain for players");
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autofree char *format = NULL;
  g_autofree char *name = NULL;
  g_autofree char *min_res = NULL;
  g_autofree char *max_res = NULL;
  double min_fps = 0, max_fps = 0;
  int slot = 1;
  SvdChainExportFormat fmt = SVD_CHAIN_EXPORT_PRESET;
  SvdAnimeJaNaiSlot ranges = { 0 };
  gboolean fp32 = FALSE;
  g_auto(SvdCliCommon) common = { 0 };
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "preset, animejanai, onnx or glsl", "FORMAT" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "The chain's name", "NAME" },
    { "slot", 0, 0, G_OPTION_ARG_INT, &slot, "AnimeJaNai slot number, 1-9 (default 1)", "N" },
    { "fp32", 0, 0, G_OPTION_ARG_NONE, &fp32, "AnimeJaNai: write fp32 ONNX files (default: fp16 input, output and weights)", NULL },
    { "min-resolution", 0, 0, G_OPTION_ARG_STRING, &min_res, "AnimeJaNai: smallest source (default 0x0)", "WxH" },
    { "max-resolution", 0, 0, G_OPTION_ARG_STRING, &max_res, "AnimeJaNai: largest source (default 0x0: any)", "WxH" },
    { "min-fps", 0, 0, G_OPTION_ARG_DOUBLE, &min_fps, "AnimeJaNai: lowest source fps", "FPS" },
    { "max-fps", 0, 0, G_OPTION_ARG_DOUBLE, &max_fps, "AnimeJaNai: highest source fps (0: any)", "FPS" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    SVD_CLI_CHAIN_HELP "\n"
    "OUT: preset: a .json file; animejanai: a folder (animejanai.conf + onnx/); onnx: a .onnx file\n"
    "(the whole chain fused); glsl: an mpv user shader file.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 3 || format == NULL)
    return svd_cli_usage_error (context, "Need --format, CHAIN and OUT");
  /* The AnimeJaNai export writes into a folder; every other format is one
   * file, checked before any work (never a model of the chain). */
  if (strcmp (format, "animejanai") != 0 &&
      !svd_cli_check_output (&common, argv[2], NULL, 0, argv[1], 0, &error))
    return svd_cli_fail ("export-chain", error);
  if (strcmp (format, "animejanai") == 0 && g_file_test (argv[2], G_FILE_TEST_EXISTS) &&
      !g_file_test (argv[2], G_FILE_TEST_IS_DIR))
    {
      g_set_error (&error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a folder; the AnimeJaNai export writes a folder", argv[2]);
      return svd_cli_fail ("export-chain", error);
    }
  chain = svd_cli_load_chain (argv[1], &error);
  if (chain == NULL)
    return svd_cli_fail ("export-chain", error);
  if (name != NULL)
    {
      g_free (chain->name);
      chain->name = g_strdup (name);
    }

  if (!svd_chain_export_format_from_string (format, &fmt))
    return svd_cli_usage_error (context, "--format is preset, animejanai, onnx or glsl");
  if (fmt == SVD_CHAIN_EXPORT_ANIMEJANAI && (slot < SVD_ANIMEJANAI_MIN_SLOT || slot > SVD_ANIMEJANAI_MAX_SLOT))
    return svd_cli_usage_error (context, "--slot is 1 to 9 (AnimeJaNai's slots 1001 and up are its "
                                "built-in profiles, which an export never replaces)");
  ranges.slot = slot;
  ranges.fp32 = fp32;
  ranges.min_fps = min_fps;
  ranges.max_fps = max_fps;
  if (!parse_res (min_res, &ranges.min_width, &ranges.min_height) ||
      !parse_res (max_res, &ranges.max_width, &ranges.max_height))
    return svd_cli_usage_error (context, "Resolutions are WxH, e.g. 1280x720");
  /* Every file of the AnimeJaNai folder (onnx/NAME.onnx per model and
   * animejanai.conf) is an output like any other, checked before anything
   * is written: never a model of the chain, an existing one only with
   * --force. Files that do not exist yet go into folders the export
   * creates. */
  if (fmt == SVD_CHAIN_EXPORT_ANIMEJANAI)
    {
      g_autoptr(GPtrArray) files = svd_animejanai_planned_files (chain, &ranges, argv[2], &error);

      if (files == NULL)
        return svd_cli_fail ("export-chain", error);
      /* The conf first: an earlier export is named by it. */
      for (guint i = files->len; i-- > 0;)
        if (g_file_test (g_ptr_array_index (files, i), G_FILE_TEST_EXISTS) &&
            !svd_cli_check_output (&common, g_ptr_array_index (files, i), NULL, 0, argv[1], 0, &error))
          return svd_cli_fail ("export-chain", error);
    }
  if (!svd_chain_export (chain, fmt, &ranges, argv[2], &error))
    return svd_cli_fail ("export-chain", error);
  if (!common.quiet)
    g_print ("Wrote %s (%s, %u steps)\n", argv[2], format, chain->steps->len);
  return 0;
}
