/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writers of small model files for the tests: real safetensors, torch zip
 * and legacy pickles, and ONNX protobufs serialized with protobuf-c, so that
 * bad-input and layout cases can be built byte by byte. */
#pragma once

#include <glib.h>

#include "model/svd-model.h"

G_BEGIN_DECLS

typedef enum {
  MB_SHUFFLE_CRD,          /* DepthToSpace mode=CRD (PyTorch's order) */
  MB_SHUFFLE_DCR,          /* DepthToSpace mode=DCR: weights stored reordered */
  MB_SHUFFLE_RESHAPE_DCR,  /* Unsqueeze/Reshape/Transpose/Reshape/Reshape/Squeeze in DCR order */
} MbShuffle;

typedef struct {
  MbShuffle   shuffle;
  const char *replace_act_op;  /* op_type written instead of the first PRelu */
  gboolean    broken_edge;     /* the second conv reads a tensor nobody makes */
  gboolean    fp16;            /* initializers as float16 in int32_data */
  gboolean    float_data;      /* fp32 weights in float_data instead of raw_data */
  gboolean    slope_constant;  /* slopes via Constant + Unsqueeze (opset 13 style) */
  gboolean    sizes_from_shape;/* Resize sizes from Shape → Gather → Mul → Concat */
  gboolean    external;        /* weights marked as external data */
  gboolean    resize_axes;     /* opset 18: Resize scales for axes (-2, -1) */
  int         opset;           /* the default domain's opset (0: 13, or 18 with resize_axes) */
  const char *resize_ctm;      /* Resize coordinate_transformation_mode (NULL: asymmetric) */
  gboolean    upsample;        /* Upsample instead of Resize: scales as an attribute below
                                * opset 9, as an input from 9 */
  gint64      input_h;         /* a fixed input shape [1, in_ch, H, W] when both are set */
  gint64      input_w;
  int         fold_bomb_adds;  /* the first conv's weight is a constant 64 MiB tensor
                                * (Concat of Concats) added to itself this many times */
  int         fold_bomb_log2;  /* the bomb's tile has 2^this values (0: 23, 64 MiB as
                                * doubles; fuzz-onnx's lowered limits take 14) */
} MbOnnxOptions;

/* Hand-written protobuf bytes that nest deeply: @levels TypeProto
 * sequence_type → elem_type pairs in a graph input's type, or @levels
 * graphs each inside an "If" node's then_branch attribute. */
GBytes   *mb_onnx_nested_types  (int levels);
GBytes   *mb_onnx_nested_graphs (int levels);
/* A graph of @n empty nodes (2 bytes each). */
GBytes   *mb_onnx_empty_nodes   (int n);

SvdModel *mb_random_model     (int                 in_ch,
                               int                 nf,
                               int                 num_conv,
                               int                 scale,
                               guint32             seed);
GBytes   *mb_safetensors      (const SvdModel     *m,
                               SvdStoragePrecision precision,
                               const char         *shape_override_key,
                               const char         *metadata_json);
GBytes   *mb_pth_zip          (const SvdModel     *m,
                               const char         *wrapper);
GBytes   *mb_pth_legacy       (const SvdModel     *m);
/* {"w": a [2, 3] view with strides (1, 2) at @offset into floats 0..7}. */
GBytes   *mb_pth_zip_strided  (gint64              offset);
GBytes   *mb_onnx             (const SvdModel     *m,
                               const MbOnnxOptions *opts);
/* A torch zip whose data.pkl calls module.name("echo pwned"). */
GBytes   *mb_pickle_calling   (const char         *module,
                               const char         *name,
                               gboolean            stack_global,
                               gboolean            legacy);
GBytes   *mb_zip_with_pickle  (const guint8       *pkl,
                               gsize               len);

/* A general ONNX graph, node by node (issue #27): initializers, nodes
 * (inputs NULL-terminated; attributes apply to the last node added), then
 * one [1, 3 (or @channels_param), height, width] float input. */
typedef struct _MbGraph MbGraph;
MbGraph  *mb_graph_new         (void);
void      mb_graph_floats      (MbGraph            *self,
                                const char         *name,
                                int                 ndim,
                                const gint64       *dims,
                                const float        *v);
/* The same as float16 initializers (int32_data, as the spec stores them). */
void      mb_graph_halves      (MbGraph            *self,
                                const char         *name,
                                int                 ndim,
                                const gint64       *dims,
                                const float        *v);
void      mb_graph_ints        (MbGraph            *self,
                                const char         *name,
                                const gint64       *v,
                                gsize               n);
void      mb_graph_node        (MbGraph            *self,
                                const char         *op,
                                const char         *name,
                                const char         *out,
                                const char *const  *ins);
void      mb_graph_attr_int    (MbGraph            *self,
                                const char         *key,
                                gint64              v);
void      mb_graph_attr_ints   (MbGraph            *self,
                                const char         *key,
                                const gint64       *v,
                                gsize               n);
void      mb_graph_attr_string (MbGraph            *self,
                                const char         *key,
                                const char         *v);
GBytes   *mb_graph_finish      (MbGraph            *self,
                                const char         *input,
                                const char         *channels_param,
                                const char         *output,
                                int                 opset_version);

/* A small SPAN-like graph with fp16 weights, written for @opset (11 to 20):
 * Cast to float16, a reflect Pad of the bottom/right edge to even sizes
 * computed from the input's Shape (Slice, Mod, Sub, Squeeze/Unsqueeze
 * with axes attributes below opset 13, inputs from 13), a 3x3 conv gated
 * by tanh of a 1x1 conv, DepthToSpace (CRD) by 2, a Slice back to twice
 * the input's size (ends from the Shape), and a Cast back to float. The
 * weights come from @seed. */
GBytes   *mb_span_like_onnx   (int                 opset,
                               guint32             seed);
/* A 1x gate written for @opset (7 to 12: Split sizes as an attribute):
 * Conv (3 → 6) → Dropout → Split on the channels (sizes [3, 3] as an
 * attribute when @sizes, else equal parts by the output count) → Mul of
 * the two halves. */
GBytes   *mb_split_gate_onnx  (int                 opset,
                               gboolean            sizes,
                               guint32             seed);
G_END_DECLS
