/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"
#include "core/svd-settings.h"
#include "engine/svd-cl.h"
#include "engine/svd-graph-cl.h"
#include "model/svd-chain.h"
#include "model/svd-model.h"

G_BEGIN_DECLS

#define SVD_ENGINE_MAX_STAGES SVD_CHAIN_MAX_STEPS

/**
 * SvdEngineTimings:
 * @n_stages: stages timed
 * @stage_ms: device time of each stage (OpenCL profiling events: start of
 *   its first kernel to end of its last)
 * @upload_ms: host → device copy and input conversion
 * @download_ms: output conversion and device → host copy
 * @total_ms: device time from the first upload to the last read
 * @wall_ms: host wall time of svd_engine_process()
 * @n_tiles: tiles the frame was split into (1 when untiled)
 */
typedef struct {
  int    n_stages;
  double stage_ms[SVD_ENGINE_MAX_STAGES];
  double upload_ms;
  double download_ms;
  double total_ms;
  double wall_ms;
  int    n_tiles;
} SvdEngineTimings;

/**
 * SvdEngineLayerInfo:
 * @ic: input channels
 * @oc: output channels
 * @algo: "direct", "wino2" or "wino4": how the layer runs now
 * @shape: "cpu" (the CPU-shaped kernels: conv3x3_block, wino_conv) or
 *   "gpu" (the GPU-shaped ones: conv3x3_pixel, wino_gpu_*)
 * @ms: mean device time per run while layer profiling was on (0: none)
 * @tune_ms: what the auto choice measured: direct, wino2, wino4, each in
 *   its best blocking (0: not measured, e.g. the choice came from the cache)
 * @block: the Winograd blocking (svd_wino_block_get()); 0 for direct
 * @ocb: output channels per register block of the running Winograd kernel
 *   (0 for direct)
 * @rx: vectors of tiles per register block (0 for direct)
 * @width: the width the layer last ran at (0: not run yet)
 * @height: the height it last ran at
 */
typedef struct {
  int         ic;
  int         oc;
  int         width;
  int         height;
  const char *algo;
  const char *shape;
  double      ms;
  double      tune_ms[3];
  int         block;
  int         ocb;
  int         rx;
} SvdEngineLayerInfo;

typedef struct _SvdEngine SvdEngine;

SvdEngine  *svd_engine_new                (const SvdSettings *settings,
                                           GError           **error);
SvdEngine  *svd_engine_new_for_context    (SvdClContext      *context,
                                           const SvdSettings *settings,
                                           GError           **error);
void        svd_engine_free               (SvdEngine         *self);
void        svd_engine_get_conv_hooks     (SvdEngine         *self,
                                           SvdGraphConvHooks *hooks);
gboolean    svd_engine_set_chain          (SvdEngine         *self,
                                           const SvdChain    *chain,
                                           GError           **error);
gboolean    svd_engine_process            (SvdEngine         *self,
                                           const SvdImage    *input,
                                           SvdPixelFormat     out_format,
                                           SvdImage         **output,
                                           SvdEngineTimings  *timings,
                                           GCancellable      *cancellable,
                                           GError           **error);
gboolean    svd_engine_process_planes     (SvdEngine         *self,
                                           const SvdImage    *input,
                                           const SvdClPlanes *planes,
                                           SvdPixelFormat     out_format,
                                           SvdImage         **output,
                                           SvdEngineTimings  *timings,
                                           GCancellable      *cancellable,
                                           GError           **error);
gboolean    svd_engine_process_resident   (SvdEngine         *self,
                                           const SvdImage    *input,
                                           const SvdClPlanes *planes,
                                           SvdPixelFormat     out_format,
                                           SvdImage         **output,
                                           SvdEngineTimings  *timings,
                                           GCancellable      *cancellable,
                                           GError           **error);
gboolean    svd_engine_is_cpu_fallback    (SvdEngine         *self);
const char *svd_engine_get_device_name    (SvdEngine         *self);
SvdClContext *svd_engine_get_context      (SvdEngine         *self);
int         svd_engine_get_scale          (SvdEngine         *self);
guint64     svd_engine_get_device_bytes   (SvdEngine         *self,
                                           guint64           *peak_bytes);
double      svd_engine_get_build_ms       (SvdEngine         *self);
const char *svd_engine_get_variant        (SvdEngine         *self);
void        svd_engine_set_profile_layers (SvdEngine         *self,
                                           gboolean           profile);
gboolean    svd_engine_get_layer_info     (SvdEngine         *self,
                                           int                stage,
                                           int                layer,
                                           SvdEngineLayerInfo *info);
gboolean    svd_engine_get_output_planes  (SvdEngine         *self,
                                           SvdClPlanes       *planes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdEngine, svd_engine_free)

G_END_DECLS
