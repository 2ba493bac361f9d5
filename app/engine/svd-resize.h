/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/svd-image.h"
#include "engine/svd-engine.h"

G_BEGIN_DECLS

int         svd_resize_filter_support  (SvdResizeFilter  filter);
SvdImage   *svd_resize_ref             (const SvdImage  *input,
                                        SvdResizeFilter  filter,
                                        int              scale,
                                        GError         **error);

G_END_DECLS
