/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "model/svd-chain.h"

G_BEGIN_DECLS

/* Textures one pass may bind besides HOOKED; GPUs and drivers guarantee at
 * least 16 samplers per stage, so nf up to 64 (16 feature textures) fits. */
#define SVD_GLSL_MAX_BINDS 16

char     *svd_glsl_export_chain (const SvdChain  *chain,
                                 GError         **error);
char     *svd_glsl_export_model (const SvdModel  *model,
                                 const char      *prefix,
                                 GError         **error);
char     *svd_glsl_format_float (float            v);
GPtrArray *svd_glsl_split_passes (const char     *shader);
char     *svd_glsl_wrap_pass    (const char      *pass,
                                 GError         **error);

G_END_DECLS
