/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "model/svd-model.h"

G_BEGIN_DECLS

/*
 * A small graph IR for inference-only image-to-image networks that are not
 * SRVGGNetCompact (SPAN and its kin: convolutions plus element-wise ops).
 *
 * A graph is instantiated for one input size: every tensor has a static
 * channel count and the spatial size it has for that input (the ONNX
 * importer folds the shape arithmetic for that size). Tensors are planar
 * float maps of one image (batch 1), [channels][h][w]. Ops are listed in
 * an order where every op's inputs are written before it (no cycles).
 */

/* Bounds on a graph, checked by svd_graph_validate(). A SPAN model has
 * about 60 ops, 48–64 channels and 192 at most in its concat. */
#define SVD_GRAPH_MAX_OPS       4096
#define SVD_GRAPH_MAX_INPUTS    64
#define SVD_GRAPH_MAX_CHANNELS  4096
#define SVD_GRAPH_MAX_KERNEL    15
#define SVD_GRAPH_MAX_SIDE      65536
/* Elements of one tensor (c·h·w): 2^31 keeps every index of a kernel in
 * an int. */
#define SVD_GRAPH_MAX_ELEMENTS  ((gsize) 1 << 31)
/* Floats of weights in one graph (the SPANF3 Performance model: 0.36 M). */
#define SVD_GRAPH_MAX_WEIGHTS   ((gsize) 1 << 27)

typedef enum {
  SVD_GRAPH_ACT_NONE,
  SVD_GRAPH_ACT_RELU,
  SVD_GRAPH_ACT_PRELU,     /* per-channel slopes (slope[c]) */
  SVD_GRAPH_ACT_LEAKY,     /* alpha */
  SVD_GRAPH_ACT_SILU,
  SVD_GRAPH_ACT_SIGMOID,
  SVD_GRAPH_ACT_TANH,
  SVD_GRAPH_ACT_CLAMP,     /* [alpha, beta] */
} SvdGraphAct;

typedef enum {
  SVD_GRAPH_OP_CONV,           /* in[0] → conv (+ bias) (+ act) */
  SVD_GRAPH_OP_ACT,            /* in[0] → act */
  SVD_GRAPH_OP_BINARY,         /* in[0] ∘ in[1], or in[0] ∘ per-channel constant */
  SVD_GRAPH_OP_CONCAT,         /* in[0..n-1] on channels */
  SVD_GRAPH_OP_SLICE_CHANNELS, /* channels [c0, c0 + out.c) of in[0] (Split, Slice) */
  SVD_GRAPH_OP_DEPTH_TO_SPACE, /* pixel shuffle by s with a channel table */
  SVD_GRAPH_OP_SPACE_TO_DEPTH, /* pixel unshuffle by s with a channel table */
  SVD_GRAPH_OP_PAD,            /* zero/constant, reflect or replicate */
  SVD_GRAPH_OP_CROP,           /* a window of in[0] (Slice on H/W) */
  SVD_GRAPH_OP_RESIZE,         /* nearest or bilinear */
} SvdGraphOpType;

typedef enum {
  SVD_GRAPH_BIN_ADD,
  SVD_GRAPH_BIN_SUB,
  SVD_GRAPH_BIN_MUL,
} SvdGraphBinary;

typedef enum {
  SVD_GRAPH_PAD_CONSTANT,
  SVD_GRAPH_PAD_REFLECT,
  SVD_GRAPH_PAD_EDGE,
} SvdGraphPadMode;

/* How a resize maps an output coordinate to the input (ONNX's
 * coordinate_transformation_mode and nearest_mode). */
typedef enum {
  SVD_GRAPH_COORD_HALF_PIXEL,
  SVD_GRAPH_COORD_PYTORCH_HALF_PIXEL,
  SVD_GRAPH_COORD_ASYMMETRIC,
  SVD_GRAPH_COORD_ALIGN_CORNERS,
} SvdGraphCoord;

typedef enum {
  SVD_GRAPH_ROUND_PREFER_FLOOR,
  SVD_GRAPH_ROUND_PREFER_CEIL,
  SVD_GRAPH_FLOOR,
  SVD_GRAPH_CEIL,
} SvdGraphRound;

typedef struct {
  int c;
  int h;
  int w;
} SvdGraphTensor;

/**
 * SvdGraphOp:
 * @type: what it computes
 * @n_in: inputs (tensor indices in @in)
 * @out: the tensor it writes
 * @name: (nullable): the source node's name, for messages
 *
 * Per type:
 * - CONV: @weight (out.c · in.c · @kh · @kw, OIHW), @bias (out.c or %NULL),
 *   zero padding @pad (top, left, bottom, right); then @act.
 * - ACT: @act with @slope / @alpha / @beta.
 * - BINARY: @binop; with one input, the second operand is @konst
 *   (@n_konst values: 1 for a scalar, else in.c per channel), and
 *   @konst_first says it is the left operand (c - x).
 * - SLICE_CHANNELS: @c0.
 * - DEPTH_TO_SPACE: out(c, y·s + i, x·s + j) = in(@table[(c·s + i)·s + j], y, x).
 * - SPACE_TO_DEPTH: out(k, y, x) = in(c, y·s + i, x·s + j) where @table[k]
 *   = (c·s + i)·s + j.
 * - PAD: @pad (top, left, bottom, right ≥ 0), @pad_mode, @alpha the
 *   constant.
 * - CROP: @pad[0] = y0, @pad[1] = x0 (the window's corner; its size is out's).
 * - RESIZE: @linear, @coord, @round; scales are out/in.
 */
typedef struct {
  SvdGraphOpType  type;
  int             n_in;
  int            *in;
  int             out;
  char           *name;

  /* CONV */
  int             kh;
  int             kw;
  int             pad[4];
  float          *weight;
  float          *bias;

  /* Activation (CONV, ACT) */
  SvdGraphAct     act;
  float          *slope;
  float           alpha;
  float           beta;

  /* BINARY */
  SvdGraphBinary  binop;
  float          *konst;
  int             n_konst;
  gboolean        konst_first;

  /* SLICE_CHANNELS */
  int             c0;

  /* DEPTH_TO_SPACE, SPACE_TO_DEPTH */
  int             s;
  int            *table;

  /* PAD */
  SvdGraphPadMode pad_mode;

  /* RESIZE */
  gboolean        linear;
  SvdGraphCoord   coord;
  SvdGraphRound   round;
} SvdGraphOp;

/**
 * SvdGraph:
 * @tensors: (element-type SvdGraphTensor): each its own allocation, so
 *   pointers to them stay valid while tensors are added
 * @ops: (element-type SvdGraphOp) in execution order
 * @input: the input tensor
 * @output: the output tensor
 */
typedef struct {
  GPtrArray *tensors;
  GArray    *ops;
  int     input;
  int     output;
} SvdGraph;

SvdGraph   *svd_graph_new             (void);
void        svd_graph_free            (SvdGraph       *self);
int         svd_graph_add_tensor      (SvdGraph       *self,
                                       int             c,
                                       int             h,
                                       int             w);
SvdGraphOp *svd_graph_add_op          (SvdGraph       *self,
                                       SvdGraphOpType  type,
                                       const int      *in,
                                       int             n_in,
                                       int             out,
                                       const char     *name);
gboolean    svd_graph_validate        (const SvdGraph *self,
                                       GError        **error);
const SvdGraphTensor *svd_graph_tensor (const SvdGraph *self,
                                        int             index);
SvdGraphOp *svd_graph_op              (const SvdGraph *self,
                                       int             index);

guint64     svd_graph_get_n_params    (const SvdGraph *self);
/* Multiply-adds of one run (convs, at this instance's size). */
guint64     svd_graph_get_macs        (const SvdGraph *self);
/* How the graph can be run in overlapping tiles (the engine's tiling):
 * @radius, how far (in input pixels) an output pixel's inputs reach, and
 * @align, what a tile's offset must be a multiple of (the pixel unshuffle
 * grid). FALSE when tiles cannot give the whole frame's result: a resize,
 * or a pad or crop that moves the top-left corner. */
gboolean    svd_graph_get_tiling      (const SvdGraph *self,
                                       int            *radius,
                                       int            *align);
const char *svd_graph_op_type_name    (SvdGraphOpType  type);
const char *svd_graph_act_name        (SvdGraphAct     act);
/* "Conv 23 (3x3 17, 1x1 6), Relu 10, …": what the graph holds. */
char       *svd_graph_describe_ops    (const SvdGraph *self);

/* A graph model's source (SvdModel.graph): the ONNX file, instantiated for
 * each input size by the importer (svd-onnx-graph.c), and a probe instance
 * for what does not depend on the size (channels, params, ops). */
void            svd_graph_source_free      (SvdGraphSource       *self);
gboolean        svd_graph_source_validate  (const SvdGraphSource *self,
                                            GError              **error);
const SvdGraph *svd_graph_source_get_probe (const SvdGraphSource *self);
const char     *svd_graph_source_get_family (const SvdGraphSource *self);
void            svd_graph_source_get_min_size (const SvdGraphSource *self,
                                               int                  *width,
                                               int                  *height);
GBytes         *svd_graph_source_get_bytes (const SvdGraphSource *self);

/* The graph of @model for a @width x @height input (transfer full); the
 * error names the model's minimum size when the input is too small. */
SvdGraph       *svd_model_graph_at         (const SvdModel       *model,
                                            int                   width,
                                            int                   height,
                                            GError              **error);
/* The importer itself: @data is an ONNX file. */
SvdGraph       *svd_onnx_graph_import      (const guint8         *data,
                                            gsize                 len,
                                            int                   width,
                                            int                   height,
                                            GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdGraph, svd_graph_free)

G_END_DECLS
