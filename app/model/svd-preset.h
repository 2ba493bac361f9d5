/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "model/svd-chain.h"

G_BEGIN_DECLS

/*
 * The chain preset: SVD Studio's own file for a chain (schema in
 * models/PRESET.md). svd_chain_parse() reads a preset given as a chain
 * entry; these read and write the file itself.
 */

#define SVD_PRESET_FORMAT  "svd-studio-chain"
#define SVD_PRESET_VERSION 1

SvdChain   *svd_preset_parse              (const char        *data,
                                           gssize             length,
                                           const char        *base_dir,
                                           SvdChainLoadFlags  flags,
                                           GError           **error);
SvdChain   *svd_preset_load               (const char        *path,
                                           SvdChainLoadFlags  flags,
                                           GError           **error);
char       *svd_preset_to_data            (const SvdChain    *chain,
                                           const char        *base_dir,
                                           gsize             *length);
gboolean    svd_preset_save               (const SvdChain    *chain,
                                           const char        *path,
                                           GError           **error);
gboolean    svd_preset_is_preset_file     (const char        *path);

G_END_DECLS
