/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/svd-image.h"
#include "engine/svd-cl.h"

G_BEGIN_DECLS

/* Plain-C twins of opencl/convert.cl. */
gboolean svd_convert_rgbf32_to_rgba8_ref (const SvdImage *src,
                                          SvdImage       *dst,
                                          GError        **error);
gboolean svd_convert_rgba8_to_rgbf32_ref (const SvdImage *src,
                                          SvdImage       *dst,
                                          GError        **error);

G_END_DECLS

G_BEGIN_DECLS

/**
 * SvdClConverter:
 *
 * Runs opencl/convert.cl on one #SvdClContext. Holds its own kernels, so it
 * belongs to the thread that created it.
 */
typedef struct _SvdClConverter SvdClConverter;

SvdClConverter *svd_cl_converter_new          (SvdClContext    *context,
                                               GError         **error);
void            svd_cl_converter_free         (SvdClConverter  *self);
gboolean        svd_cl_converter_run          (SvdClConverter  *self,
                                               const SvdImage  *src,
                                               SvdImage        *dst,
                                               GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdClConverter, svd_cl_converter_free)

G_END_DECLS
