/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the two ONNX readers (svd-onnx.c, the compact matcher,
 * and svd-onnx-graph.c, the graph importer): element types, node labels,
 * attribute getters and the conversion of a TensorProto's data to doubles.
 * Internal to libsvd. */

#include <glib.h>

#include "model/onnx.pb-c.h"

enum {
  ET_FLOAT = 1, ET_UINT8 = 2, ET_INT8 = 3, ET_INT32 = 6, ET_INT64 = 7, ET_BOOL = 9,
  ET_FLOAT16 = 10, ET_DOUBLE = 11, ET_BFLOAT16 = 16,
};

const char *svd_onnx_node_label (const Onnx__NodeProto *n);
gboolean    svd_onnx_is_float_elem (int elem);
gboolean    svd_onnx_norm_axis (gint64  axis,
                                int     rank,
                                int    *out);

Onnx__AttributeProto *svd_onnx_attr (const Onnx__NodeProto *n,
                                     const char            *name);
gint64   svd_onnx_attr_int    (const Onnx__NodeProto *n,
                               const char            *name,
                               gint64                 dflt);
float    svd_onnx_attr_float  (const Onnx__NodeProto *n,
                               const char            *name,
                               float                  dflt);
char    *svd_onnx_attr_string (const Onnx__NodeProto *n,
                               const char            *name,
                               const char            *dflt);
gboolean svd_onnx_attr_ints   (const Onnx__NodeProto  *n,
                               const char             *name,
                               gsize                  *count,
                               const int64_t         **ints);

gsize svd_onnx_elem_size      (int data_type);
gboolean svd_onnx_tensor_is_raw (const Onnx__TensorProto *tp,
                                 gsize                    n);
gsize svd_onnx_tensor_n_typed (const Onnx__TensorProto *tp);
void  svd_onnx_tensor_values  (const Onnx__TensorProto *tp,
                               gsize                    n,
                               double                  *v);

/* The constant folder's limits: SVD_LIMIT_ONNX_FOLD_ELEMENTS per tensor and
 * SVD_LIMIT_ONNX_FOLD_BYTES in all, unless a fuzz target lowered them. */
gsize svd_onnx_fold_max_elements (void);
gsize svd_onnx_fold_max_bytes    (void);
void  svd_onnx_fold_lower_limits_for_fuzzing (gsize max_elements,
                                              gsize max_bytes);
