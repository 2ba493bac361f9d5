/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-chain-export"

#include "svd-chain-export.h"
#include "core/svd-error.h"
#include "export/svd-glsl.h"
#include "export/svd-onnx-export.h"

#include <string.h>

/* The one dispatch from a format to its exporter: `svd export-chain` and
 * the Benchmark Matrix window both call svd_chain_export(), so a format
 * added here reaches both. */

static const char *const format_names[SVD_CHAIN_EXPORT_N_FORMATS] = {
  [SVD_CHAIN_EXPORT_PRESET] = "preset",
  [SVD_CHAIN_EXPORT_ANIMEJANAI] = "animejanai",
  [SVD_CHAIN_EXPORT_ONNX] = "onnx",
  [SVD_CHAIN_EXPORT_GLSL] = "glsl",
};

/**
 * svd_chain_export_format_from_string:
 * @name: "preset", "animejanai", "onnx" or "glsl"
 * @format: (out): the format
 *
 * Returns: whether @name is a format
 */
gboolean
svd_chain_export_format_from_string (const char           *name,
                                     SvdChainExportFormat *format)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (format_names); i++)
    if (strcmp (name, format_names[i]) == 0)
      {
        *format = (SvdChainExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
svd_chain_export_format_to_string (SvdChainExportFormat format)
{
  if ((guint) format >= G_N_ELEMENTS (format_names))
    return NULL;
  return format_names[format];
}

/**
 * svd_chain_export:
 * @chain: the chain
 * @format: what to write
 * @ranges: (nullable): AnimeJaNai only: the slot number and the source
 *   ranges it applies to; %NULL is slot 1 for any source
 * @path: a file, or for AnimeJaNai a folder (animejanai.conf + onnx/)
 * @error: return location for a #GError
 *
 * Writes @chain in @format.
 *
 * Returns: whether it was written
 */
gboolean
svd_chain_export (const SvdChain          *chain,
                  SvdChainExportFormat     format,
                  const SvdAnimeJaNaiSlot *ranges,
                  const char              *path,
                  GError                 **error)
{
  g_return_val_if_fail (chain != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  switch (format)
    {
    case SVD_CHAIN_EXPORT_PRESET:
      return svd_preset_save (chain, path, error);
    case SVD_CHAIN_EXPORT_ONNX:
      {
        g_autoptr(GBytes) bytes = svd_onnx_export_chain (chain, error);

        return bytes != NULL && svd_onnx_save (bytes, path, error);
      }
    case SVD_CHAIN_EXPORT_GLSL:
      {
        g_autofree char *text = svd_glsl_export_chain (chain, error);

        return text != NULL && g_file_set_contents (path, text, -1, error);
      }
    case SVD_CHAIN_EXPORT_ANIMEJANAI:
      {
        SvdAnimeJaNaiSlot any = { .slot = 1 };

        return svd_animejanai_export (chain, ranges != NULL ? ranges : &any, path, NULL, error);
      }
    default:
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Unknown export format %d", (int) format);
      return FALSE;
    }
}
