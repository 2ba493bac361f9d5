/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <CL/cl.h>

#include "engine/svd-cl.h"
#include "engine/svd-winograd-cl.h"
#include "model/svd-graph.h"

G_BEGIN_DECLS

/*
 * The graph IR on OpenCL (opencl/graph.cl). A plan is made per graph
 * instance (per input size): convs absorb the activation after them and an
 * element-wise tail (x + A, x · A, x · (A + B): SPAN's gate), other ops run
 * one kernel each, and tensors share device buffers by liveness.
 */

typedef struct _SvdGraphCl SvdGraphCl;

/* The engine's 3x3 conv kernels (conv.cl, and Winograd where the settings
 * ask), lent to graph stages: 3x3 convs with zero padding 1 and a ReLU,
 * PReLU, LeakyReLU or no activation run on them. @geometry gives the
 * feature-map layout they need (pitch and plane, in values). */
typedef struct {
  gpointer data;
  gpointer (*conv_new)  (gpointer             data,
                         const SvdConvLayer  *layer,
                         GError             **error);
  gboolean (*conv_run)  (gpointer             data,
                         gpointer             conv,
                         cl_mem               src,
                         int                  src_pitch,
                         int                  src_plane,
                         cl_mem               dst,
                         int                  dst_pitch,
                         int                  dst_plane,
                         int                  w,
                         int                  h,
                         cl_event            *first,
                         cl_event            *last,
                         GError             **error);
  void     (*conv_free) (gpointer             data,
                         gpointer             conv);
  void     (*geometry)  (gpointer             data,
                         int                  w,
                         int                  h,
                         int                 *pitch,
                         int                 *plane);
  /* As conv_new, but the layer's weight, bias and slope arrays are used in
   * place, not copied: the caller keeps them alive and unchanged until
   * conv_free (DISTS's VGG16 weights, held for the runner's life). */
  gpointer (*conv_new_borrowed) (gpointer             data,
                                 const SvdConvLayer  *layer,
                                 GError             **error);
} SvdGraphConvHooks;

/* @model: (nullable): the graph model svd_graph_cl_run_rgb() runs
 * (instantiated per size and cached); tests pass NULL and run graphs of
 * their own with svd_graph_cl_run_host(). @half: fp16 tensor storage. */
SvdGraphCl *svd_graph_cl_new        (SvdClContext    *ctx,
                                     SvdKernelGetter  get_kernel,
                                     gpointer         data,
                                     SvdModel        *model,
                                     gboolean         half);
void        svd_graph_cl_free       (SvdGraphCl      *self);
void        svd_graph_cl_set_conv_hooks (SvdGraphCl  *self,
                                         const SvdGraphConvHooks *hooks);

/* Runs the model on a w × h RGB image in the engine's border layout (see
 * conv.cl) and writes its output into @dst in the same layout. @first and
 * @last receive retained events of the first and last kernel. */
gboolean    svd_graph_cl_run_rgb    (SvdGraphCl      *self,
                                     cl_mem           src,
                                     int              src_pitch,
                                     int              src_plane,
                                     cl_mem           dst,
                                     int              dst_pitch,
                                     int              dst_plane,
                                     int              w,
                                     int              h,
                                     cl_event        *first,
                                     cl_event        *last,
                                     GCancellable    *cancellable,
                                     GError         **error);

/* Runs @graph on planar host floats (tests: each kernel against its C
 * twin). Returns the output's floats. */
float      *svd_graph_cl_run_host   (SvdGraphCl      *self,
                                     const SvdGraph  *graph,
                                     const float     *input,
                                     GError         **error);

gboolean    svd_graph_cl_estimate_bytes (SvdGraphCl  *self,
                                         int          w,
                                         int          h,
                                         guint64     *bytes,
                                         GError     **error);

void        svd_graph_cl_set_gpu_shape (SvdGraphCl   *self,
                                        gboolean      gpu_shape);

/* Log each step's device time (settings.profile_layers). */
void        svd_graph_cl_set_profile (SvdGraphCl     *self,
                                      gboolean        profile);

/* Kernels the last plan ran (after fusion) and device bytes held. */
int         svd_graph_cl_get_n_steps (SvdGraphCl     *self);
guint64     svd_graph_cl_get_device_bytes (SvdGraphCl *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdGraphCl, svd_graph_cl_free)

G_END_DECLS
