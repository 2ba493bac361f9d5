/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The constant folder both ONNX readers share (svd-onnx.c, the compact
 * matcher; svd-onnx-graph.c, the graph importer): small dense tensors of
 * doubles held in one arena under the folder's limits
 * (svd_onnx_fold_max_elements(), svd_onnx_fold_max_bytes()), and the ops
 * both fold alike. Each reader finds the inputs its own way (the matcher
 * evaluates on demand, the importer in topological order) and calls these.
 * Internal to libsvd. */

#include <glib.h>

#include "model/onnx.pb-c.h"
#include "model/svd-state-dict.h"

G_BEGIN_DECLS

#define SVD_ONNX_FOLD_MAX_DIMS SVD_TENSOR_MAX_DIMS

typedef struct {
  int     elem;
  int     ndim;
  gint64  dims[SVD_ONNX_FOLD_MAX_DIMS];
  gsize   n;
  double *v;
} SvdOnnxTens;

typedef struct {
  GPtrArray *arena;  /* every SvdOnnxTens */
  gsize      bytes;  /* held by their values, checked before each allocation */
} SvdOnnxFold;

void         svd_onnx_fold_init     (SvdOnnxFold  *fold);
void         svd_onnx_fold_clear    (SvdOnnxFold  *fold);

gint64       svd_onnx_to_i64        (double        v);

gpointer     svd_onnx_node_error    (const Onnx__NodeProto *n,
                                     int                    code,
                                     GError               **error,
                                     const char            *format,
                                     ...) G_GNUC_PRINTF (4, 5);

SvdOnnxTens *svd_onnx_fold_new      (SvdOnnxFold  *fold,
                                     int           elem,
                                     int           ndim,
                                     const gint64 *dims,
                                     GError      **error);
SvdOnnxTens *svd_onnx_fold_decode   (SvdOnnxFold             *fold,
                                     const Onnx__TensorProto *tp,
                                     const char              *what,
                                     GError                 **error);
SvdOnnxTens *svd_onnx_fold_constant (SvdOnnxFold           *fold,
                                     const Onnx__NodeProto *n,
                                     GError               **error);
SvdOnnxTens *svd_onnx_fold_cast     (SvdOnnxFold           *fold,
                                     const Onnx__NodeProto *n,
                                     const SvdOnnxTens     *x,
                                     GError               **error);
SvdOnnxTens *svd_onnx_fold_transpose (SvdOnnxFold           *fold,
                                      const Onnx__NodeProto *n,
                                      const SvdOnnxTens     *x,
                                      GError               **error);
SvdOnnxTens *svd_onnx_fold_gather   (SvdOnnxFold           *fold,
                                     const Onnx__NodeProto *n,
                                     const SvdOnnxTens     *x,
                                     const SvdOnnxTens     *ind,
                                     GError               **error);
SvdOnnxTens *svd_onnx_fold_concat   (SvdOnnxFold           *fold,
                                     const Onnx__NodeProto *n,
                                     SvdOnnxTens *const    *parts,
                                     gsize                  n_parts,
                                     GError               **error);
void         svd_onnx_strides        (int                    ndim,
                                      const gint64          *dims,
                                      gsize                 *st);
gboolean     svd_onnx_fold_is_binary (const char           *op);
SvdOnnxTens *svd_onnx_fold_binary   (SvdOnnxFold           *fold,
                                     const Onnx__NodeProto *n,
                                     const SvdOnnxTens     *x,
                                     const SvdOnnxTens     *y,
                                     GError               **error);

gboolean     svd_onnx_transpose_perm (const Onnx__NodeProto *n,
                                      int                    ndim,
                                      int                   *perm,
                                      GError               **error);
gboolean     svd_onnx_axes_from      (const Onnx__NodeProto *n,
                                      const SvdOnnxTens     *t,
                                      gint64                *axes,
                                      int                   *count,
                                      GError               **error);
gboolean     svd_onnx_squeeze_dims   (const Onnx__NodeProto *n,
                                      int                    ndim,
                                      const gint64          *dims,
                                      const gint64          *axes,
                                      int                    na,
                                      int                   *out_ndim,
                                      gint64                *out,
                                      GError               **error);
gboolean     svd_onnx_reshape_dims   (const Onnx__NodeProto *n,
                                      int                    ndim,
                                      const gint64          *dims,
                                      gsize                  count,
                                      const SvdOnnxTens     *shape,
                                      int                   *out_ndim,
                                      gint64                *out,
                                      GError               **error);

G_END_DECLS
