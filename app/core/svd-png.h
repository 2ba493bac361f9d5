/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "svd-image.h"

G_BEGIN_DECLS

SvdImage *svd_png_load    (const char      *path,
                           GError         **error);
SvdImage *svd_png_load_as (const char      *path,
                           SvdPixelFormat   format,
                           int             *bit_depth,
                           GError         **error);
SvdImage *svd_png_load_data (const guint8  *data,
                             gsize          size,
                             SvdPixelFormat format,
                             int           *bit_depth,
                             GError       **error);
gboolean  svd_png_save    (const SvdImage  *image,
                           const char      *path,
                           int              bit_depth,
                           GError         **error);

G_END_DECLS
