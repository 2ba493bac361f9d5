/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "model/svd-chain.h"

G_BEGIN_DECLS

/* Textures one pass may bind. mpv on OpenGL gives each bound texture a
 * vertex input besides the position, and Mesa (like the GL minimum of 16
 * vertex attributes) links at most 15 of them: a pass binding 16 fails. */
#define SVD_GLSL_MAX_BINDS 15

/* The widest model the export takes (a conv's inputs are split over passes
 * of at most SVD_GLSL_MAX_BINDS textures, so this is a sanity bound only). */
#define SVD_GLSL_MAX_NF 256

char     *svd_glsl_export_chain (const SvdChain  *chain,
                                 GError         **error);
char     *svd_glsl_export_model (const SvdModel  *model,
                                 const char      *prefix,
                                 GError         **error);
char     *svd_glsl_format_float (float            v);
int       svd_glsl_conv_chunks  (int              in_groups);
int       svd_glsl_count_passes (const SvdModel  *model);
int       svd_glsl_max_binds    (const char      *shader);
GPtrArray *svd_glsl_split_passes (const char     *shader);
char     *svd_glsl_wrap_pass    (const char      *pass,
                                 GError         **error);

G_END_DECLS
