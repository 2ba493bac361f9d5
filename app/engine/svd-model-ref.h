/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"
#include "model/svd-model.h"

G_BEGIN_DECLS

/*
 * The CPU reference: plain C with the model's exact arithmetic (3x3 conv
 * with zero padding, bias, per-channel PReLU, PixelShuffle in PyTorch's
 * channel order, plus the nearest-upsampled input). It is the oracle the
 * OpenCL kernels are tested against, the plain-C twin of opencl/conv.cl,
 * and the fallback when no OpenCL device exists.
 */
SvdImage *svd_model_run_reference       (SvdModel        *model,
                                         const SvdImage  *input,
                                         int              threads,
                                         GCancellable    *cancellable,
                                         GError         **error);
SvdImage *svd_model_run_reference_chain (SvdModel *const *models,
                                         guint            n_models,
                                         const SvdImage  *input,
                                         int              threads,
                                         GCancellable    *cancellable,
                                         GError         **error);

G_END_DECLS
