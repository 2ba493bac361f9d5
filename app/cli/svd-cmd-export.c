/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "export/svd-animejanai.h"
#include "export/svd-glsl.h"
#include "export/svd-onnx-export.h"

#include <stdio.h>
#include <string.h>

/* CHAIN is a preset or comma-separated models; the chain keeps its resize
 * steps when it came from a preset. */
static SvdChain *
load_chain (const char  *spec,
            GError     **error)
{
  g_autoptr(GPtrArray) models = NULL;

  if (strchr (spec, ',') == NULL && svd_preset_is_preset_file (spec))
    return svd_preset_load (spec, SVD_PRESET_LOAD_DEFAULT, error);
  models = svd_cli_load_chain (spec, error);
  if (models == NULL)
    return NULL;
  {
    g_autoptr(GString) name = g_string_new (NULL);

    for (guint i = 0; i < models->len; i++)
      g_string_append_printf (name, "%s%s", i ? " + " : "", ((SvdModel *) models->pdata[i])->name);
    return svd_chain_new_from_models (name->str, (SvdModel *const *) models->pdata, models->len, error);
  }
}

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
  gboolean fp32 = FALSE;
  SvdCliCommon common = { 0 };
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
    "CHAIN: models separated by commas, or a chain preset (.json).\n"
    "OUT: preset: a .json file; animejanai: a folder (animejanai.conf + onnx/); onnx: a .onnx file\n"
    "(the whole chain fused); glsl: an mpv user shader file.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 3 || format == NULL)
    return svd_cli_usage_error (context, "Need --format, CHAIN and OUT");
  chain = load_chain (argv[1], &error);
  if (chain == NULL)
    return svd_cli_fail ("export-chain", error);
  if (name != NULL)
    {
      g_free (chain->name);
      chain->name = g_strdup (name);
    }

  if (strcmp (format, "preset") == 0)
    {
      if (!svd_preset_save (chain, argv[2], &error))
        return svd_cli_fail ("export-chain", error);
    }
  else if (strcmp (format, "onnx") == 0)
    {
      g_autoptr(GBytes) bytes = svd_onnx_export_chain (chain, &error);

      if (bytes == NULL || !svd_onnx_save (bytes, argv[2], &error))
        return svd_cli_fail ("export-chain", error);
    }
  else if (strcmp (format, "glsl") == 0)
    {
      g_autofree char *text = svd_glsl_export_chain (chain, &error);

      if (text == NULL)
        return svd_cli_fail ("export-chain", error);
      if (!g_file_set_contents (argv[2], text, -1, &error))
        return svd_cli_fail ("export-chain", error);
    }
  else if (strcmp (format, "animejanai") == 0)
    {
      SvdAnimeJaNaiSlot ranges = { .slot = slot, .min_fps = min_fps, .max_fps = max_fps, .fp32 = fp32 };

      if (slot < SVD_ANIMEJANAI_MIN_SLOT || slot > SVD_ANIMEJANAI_MAX_SLOT)
        return svd_cli_usage_error (context, "--slot is 1 to 9 (AnimeJaNai's slots 1001 and up are its "
                                    "built-in profiles, which an export never replaces)");

      if (!parse_res (min_res, &ranges.min_width, &ranges.min_height) ||
          !parse_res (max_res, &ranges.max_width, &ranges.max_height))
        return svd_cli_usage_error (context, "Resolutions are WxH, e.g. 1280x720");
      if (!svd_animejanai_export (chain, &ranges, argv[2], NULL, &error))
        return svd_cli_fail ("export-chain", error);
    }
  else
    return svd_cli_usage_error (context, "--format is preset, animejanai, onnx or glsl");
  if (!common.quiet)
    g_print ("Wrote %s (%s, %u steps)\n", argv[2], format, chain->steps->len);
  return 0;
}
