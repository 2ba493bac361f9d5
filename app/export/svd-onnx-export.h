/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "model/svd-chain.h"

G_BEGIN_DECLS

/* The opset the exporters write: Resize with an optional roi, Clip with
 * min/max inputs, DepthToSpace with a mode. A fused chain with graph steps
 * declares the highest opset its steps were written for, if higher. */
#define SVD_ONNX_EXPORT_OPSET 13

GBytes    *svd_onnx_export_model (const SvdModel  *model,
                                  GError         **error);
GBytes    *svd_onnx_export_model_precision (const SvdModel  *model,
                                            gboolean         fp16,
                                            GError         **error);
GBytes    *svd_onnx_export_chain (const SvdChain  *chain,
                                  GError         **error);
gboolean   svd_onnx_save         (GBytes          *bytes,
                                  const char      *path,
                                  GError         **error);

G_END_DECLS
