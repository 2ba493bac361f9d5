/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "export/svd-animejanai.h"
#include "model/svd-preset.h"

G_BEGIN_DECLS

/**
 * SvdChainExportFormat:
 * @SVD_CHAIN_EXPORT_PRESET: an SVD Studio chain preset (.json)
 * @SVD_CHAIN_EXPORT_ANIMEJANAI: an AnimeJaNai conf slot (a folder)
 * @SVD_CHAIN_EXPORT_ONNX: the whole chain fused into one .onnx
 * @SVD_CHAIN_EXPORT_GLSL: an mpv user shader
 *
 * What a chain can be exported as; the GUI's drop-down lists them in this
 * order.
 */
typedef enum {
  SVD_CHAIN_EXPORT_PRESET,
  SVD_CHAIN_EXPORT_ANIMEJANAI,
  SVD_CHAIN_EXPORT_ONNX,
  SVD_CHAIN_EXPORT_GLSL,
} SvdChainExportFormat;

#define SVD_CHAIN_EXPORT_N_FORMATS 4

gboolean    svd_chain_export_format_from_string (const char              *name,
                                                 SvdChainExportFormat    *format);
const char *svd_chain_export_format_to_string   (SvdChainExportFormat     format);
gboolean    svd_chain_export                    (const SvdChain          *chain,
                                                 SvdChainExportFormat     format,
                                                 const SvdAnimeJaNaiSlot *ranges,
                                                 const char              *path,
                                                 GError                 **error);

G_END_DECLS
