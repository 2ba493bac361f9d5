/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"
#include "model/svd-graph.h"

G_BEGIN_DECLS

/*
 * The CPU reference of the graph IR: plain C, fp32, every op as ONNX
 * defines it. It is the oracle of opencl/graph.cl (each kernel's twin) and
 * the fallback when no OpenCL device exists.
 */

/* Ops run one by one on planar [c][h][w] float maps. */
float    *svd_graph_ref_run_op   (const SvdGraph   *graph,
                                  const SvdGraphOp *op,
                                  const float *const *inputs,
                                  int               threads);

/* Runs @graph on @input (planar, graph->input's size) and returns the
 * output's floats (graph->output's size), or NULL with @error set. */
float    *svd_graph_ref_run      (const SvdGraph   *graph,
                                  const float      *input,
                                  int               threads,
                                  GCancellable     *cancellable,
                                  GError          **error);

/* A graph model (SvdModel.graph) on an RGB_F32 image. */
SvdImage *svd_graph_model_run_reference (SvdModel       *model,
                                         const SvdImage *input,
                                         int             threads,
                                         GCancellable   *cancellable,
                                         GError        **error);

G_END_DECLS
