/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <CL/cl.h>

#include "engine/svd-cl.h"

G_BEGIN_DECLS

/*
 * One 3x3 conv layer run by opencl/winograd.cl: the transformed weights on
 * the device and the kernel. The engine owns one scratch buffer that every
 * Winograd layer shares (svd_winograd_layer_scratch_bytes()).
 */

/* Builds (or reuses) a program and returns a kernel from it. */
typedef cl_kernel (*SvdKernelGetter) (gpointer     data,
                                      const char  *file,
                                      const char  *name,
                                      const char  *options,
                                      GError     **error);

typedef struct _SvdWinogradLayer SvdWinogradLayer;

/**
 * SvdWinogradShape:
 * @SVD_WINOGRAD_SHAPE_CPU: wino_conv: a few persistent work-items, each
 *   a block of tiles with explicit SIMD along them and its own scratch
 *   (what CPUs want; the engine's block variant)
 * @SVD_WINOGRAD_SHAPE_GPU: wino_gpu_input, wino_gpu_gemm and
 *   wino_gpu_output: many light work-items, the element-wise products as
 *   a batched GEMM sharing loads through local memory (what GPUs want;
 *   the engine's pixel variant)
 */
typedef enum {
  SVD_WINOGRAD_SHAPE_CPU,
  SVD_WINOGRAD_SHAPE_GPU,
} SvdWinogradShape;

const char       *svd_winograd_shape_name          (SvdWinogradShape  shape);

SvdWinogradLayer *svd_winograd_layer_new           (SvdClContext     *ctx,
                                                    SvdKernelGetter   get_kernel,
                                                    gpointer          data,
                                                    int               m,
                                                    int               ic,
                                                    int               oc,
                                                    gboolean          src_half,
                                                    gboolean          dst_half,
                                                    SvdWinogradShape  shape,
                                                    int               vw,
                                                    int               rx,
                                                    int               max_ocb,
                                                    const float      *weight,
                                                    const float      *bias,
                                                    const float      *slope,
                                                    GError          **error);
void              svd_winograd_layer_free          (SvdWinogradLayer *self);
int               svd_winograd_layer_get_m         (SvdWinogradLayer *self);
int               svd_winograd_layer_get_ocb       (SvdWinogradLayer *self);
int               svd_winograd_layer_get_rx        (SvdWinogradLayer *self);
SvdWinogradShape  svd_winograd_layer_get_shape     (SvdWinogradLayer *self);
gboolean          svd_winograd_layer_set_max_tiles (SvdWinogradLayer *self,
                                                    int               max_tiles,
                                                    GError          **error);
gboolean          svd_winograd_layer_read_weights  (SvdWinogradLayer *self,
                                                    float            *u,
                                                    GError          **error);
guint64           svd_winograd_layer_weight_bytes  (SvdWinogradLayer *self);
guint64           svd_winograd_layer_scratch_bytes (SvdWinogradLayer *self);
gboolean          svd_winograd_layer_run           (SvdWinogradLayer *self,
                                                    cl_mem            src,
                                                    int               src_pitch,
                                                    int               src_plane,
                                                    cl_mem            dst,
                                                    int               dst_pitch,
                                                    int               dst_plane,
                                                    cl_mem            scratch,
                                                    int               width,
                                                    int               height,
                                                    int               ty0,
                                                    int               n_rows,
                                                    cl_event         *first_event,
                                                    cl_event         *event,
                                                    GError          **error);
int               svd_winograd_layer_tile_rows     (SvdWinogradLayer *self,
                                                    int               height);

/* The per-layer choice: direct or F(2x2) / F(4x4), by measurement, for
 * frames of at least this many pixels (smaller ones run direct). */
#define SVD_CONV_AUTO_MIN_PIXELS ((guint64) 1 << 16)

typedef enum {
  SVD_CONV_ALGO_DIRECT = 0,
  SVD_CONV_ALGO_WINO2 = 2,
  SVD_CONV_ALGO_WINO4 = 4,
} SvdConvAlgo;

/* The Winograd blockings the auto choice measures beside the algorithm:
 * most output channels per block (OCB, the register block's rows) x
 * vectors of tiles per block (RX, its columns). Block 0 is the default and
 * what a forced wino2 / wino4 runs. */
#define SVD_WINO_N_BLOCKS 2
/* Candidates of the auto choice: direct, then F(2x2) and F(4x4) in every
 * blocking (ms arrays are in this order: svd_conv_candidate()). */
#define SVD_CONV_N_CANDIDATES (1 + 2 * SVD_WINO_N_BLOCKS)

typedef struct {
  SvdConvAlgo algo;
  int         block;    /* the Winograd blocking; 0 for direct */
} SvdConvChoice;

void        svd_wino_block_get        (int                 block,
                                       int                *max_ocb,
                                       int                *rx);
char       *svd_conv_choice_name      (SvdConvChoice       choice);
SvdConvChoice svd_conv_candidate      (int                 i);
const char *svd_conv_algo_name        (SvdConvAlgo         algo);
int         svd_conv_size_class       (int                 width,
                                       int                 height);
char       *svd_conv_choice_key       (int                 ic,
                                       int                 oc,
                                       gboolean            src_half,
                                       gboolean            dst_half,
                                       int                 size_class);
char       *svd_conv_choice_key_for_shape (int               ic,
                                           int               oc,
                                           gboolean          src_half,
                                           gboolean          dst_half,
                                           SvdWinogradShape  shape,
                                           int               size_class);
gboolean    svd_conv_choice_parse     (const char         *data,
                                       gsize               length,
                                       const char         *group,
                                       const char         *key,
                                       SvdConvChoice      *choice);
gboolean    svd_conv_choice_lookup    (SvdClContext       *ctx,
                                       const char         *cache_dir,
                                       const char         *key,
                                       SvdConvChoice      *choice);
SvdConvChoice svd_conv_choice_store   (SvdClContext       *ctx,
                                       const char         *cache_dir,
                                       const char         *key,
                                       SvdConvChoice       choice,
                                       const double       *ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdWinogradLayer, svd_winograd_layer_free)

G_END_DECLS
