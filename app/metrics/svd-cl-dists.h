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

/**
 * SvdClDistsFeatures:
 *
 * One image's DISTS features on the device (the input and VGG16's five
 * stage outputs): a reference frame's, computed once, are scored against
 * every chain's output.
 */
typedef struct _SvdClDistsFeatures SvdClDistsFeatures;

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
SvdClDistsFeatures *svd_cl_dists_features_new  (SvdClDists               *self,
                                                const SvdImage           *image,
                                                SvdDistsMode              mode,
                                                GCancellable             *cancellable,
                                                GError                  **error);
void                svd_cl_dists_features_free (SvdClDistsFeatures       *feat);
gboolean            svd_cl_dists_features_match (const SvdClDistsFeatures *feat,
                                                 int                       width,
                                                 int                       height,
                                                 SvdDistsMode              mode);
gboolean            svd_cl_dists_score         (SvdClDists               *self,
                                                const SvdClDistsFeatures *ref,
                                                const SvdClDistsFeatures *dist,
                                                double                   *score,
                                                GError                  **error);
guint               svd_cl_dists_get_feature_passes (SvdClDists          *self);

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
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdClDistsFeatures, svd_cl_dists_features_free)

G_END_DECLS
