/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "engine/svd-cl.h"
#include "metrics/svd-dists.h"

G_BEGIN_DECLS

/**
 * SvdClDists:
 *
 * DISTS on an OpenCL device (opencl/dists.cl): the same arithmetic as
 * svd_dists_compute_ref(), float32 features, statistics in float64 where
 * the device has it. Holds its kernels and the uploaded VGG16 weights, so
 * it belongs to the thread that created it; the weights must outlive it.
 */
typedef struct _SvdClDists SvdClDists;

SvdClDists *svd_cl_dists_new      (SvdClContext           *context,
                                   const SvdDistsWeights  *weights,
                                   GError                **error);
void        svd_cl_dists_free     (SvdClDists             *self);
gboolean    svd_cl_dists_compute  (SvdClDists             *self,
                                   const SvdImage         *ref,
                                   const SvdImage         *dist,
                                   SvdDistsMode            mode,
                                   double                 *score,
                                   GCancellable           *cancellable,
                                   GError                **error);

/* Single kernels on host arrays, for the tests that hold each kernel to
 * its C twin (same layouts as the twins in svd-dists.h). */
gboolean    svd_cl_dists_run_conv   (SvdClDists   *self,
                                     const float  *in,
                                     int           c_in,
                                     float        *out,
                                     int           c_out,
                                     int           width,
                                     int           height,
                                     int           pitch,
                                     const float  *weight,
                                     const float  *bias,
                                     GError      **error);
gboolean    svd_cl_dists_run_l2pool (SvdClDists   *self,
                                     const float  *in,
                                     int           channels,
                                     int           width,
                                     int           height,
                                     int           pitch,
                                     float        *out,
                                     int           out_width,
                                     int           out_height,
                                     int           out_pitch,
                                     GError      **error);
gboolean    svd_cl_dists_run_stats  (SvdClDists   *self,
                                     const float  *x,
                                     const float  *y,
                                     int           channels,
                                     int           width,
                                     int           height,
                                     int           pitch,
                                     double       *stats,
                                     GError      **error);
SvdImage   *svd_cl_dists_run_resize (SvdClDists   *self,
                                     const SvdImage *src,
                                     int           out_width,
                                     int           out_height,
                                     GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdClDists, svd_cl_dists_free)

G_END_DECLS
