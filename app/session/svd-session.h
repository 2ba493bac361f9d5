/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-image.h"
#include "core/svd-settings.h"
#include "engine/svd-engine.h"
#include "media/svd-session-source.h"
#include "metrics/svd-dists.h"
#include "metrics/svd-metrics.h"

G_BEGIN_DECLS

/* A comparison session: a clip (and its reference, per the mode) and up
 * to four chains, run frame by frame on ONE worker thread that owns the
 * readers, every chain's engine and the metrics runner. No GTK here: the
 * window hands results to the viewer. */

#define SVD_SESSION_MAX_CHAINS 4

typedef struct {
  SvdReferenceMode  mode;
  char             *input_path;
  char             *reference_path;   /* Pair */
  gint64            offset;           /* Pair */
  SvdDegradeParams  degrade;          /* Synthesize; preset unused */
} SvdSessionSetup;

void svd_session_setup_clear (SvdSessionSetup *setup);

typedef struct {
  SvdReferenceMode mode;
  char   *input_path;      /* for Synthesize, the degraded cache file */
  char   *reference_path;  /* NULL without a reference */
  int     width;
  int     height;
  int     ref_width;       /* the reference's size; 0 without a reference */
  int     ref_height;
  double  fps;
  gint64  n_frames;
  char   *codec;
  char   *summary;         /* the pair report, or NULL */
  char   *metrics_device;
  char   *dists_unavailable; /* why DISTS cannot run, or NULL */
} SvdSessionInfo;

typedef struct {
  gboolean         active;      /* the slot has a chain */
  char            *error;       /* building or running the chain failed */
  SvdImage        *display;     /* RGBA8; NULL without displays */
  SvdImage        *difference;  /* when overlays are asked: |reference −
                                 * display| per R, G, B sample on the
                                 * [0, 1] scale (RGB_F32, gain 1), which
                                 * svd_heatmap_difference() draws at any
                                 * amplification */
  SvdImage        *ssim_map;    /* RGBA8 overlay, when asked */
  gboolean         has_metrics;
  char            *metrics_problem;
  SvdMetricsFrame  metrics;
  gboolean         metrics_on_device; /* the output went to the metrics
                                       * on the device, not via the host */
  SvdEngineTimings timings;
  double           wall_ms;
  gboolean         reused;      /* the input equalled the last one this chain
                                 * computed: its output was reused (no
                                 * timings) */
  gboolean         cached;      /* from the session's frame cache: the chain
                                 * did not run for this request; @timings
                                 * and @wall_ms are those of the run that
                                 * made it */
  guint            generation;  /* internal: the chain configuration that
                                 * made it */
} SvdSessionChainFrame;

typedef struct {
  gint64                index;
  guint64               viewer_serial;
  SvdImage             *source;     /* RGBA8; NULL without displays
                                     * (svd_session_set_displays()) */
  SvdImage             *reference;  /* RGBA8 or NULL (no reference, or
                                     * no displays) */
  SvdSessionChainFrame  chains[SVD_SESSION_MAX_CHAINS];
  double                compute_ms;  /* decode, conversion, chains and
                                      * metrics of this frame; never the
                                      * warm-up */
  double                warmup_ms;   /* building new engines (kernels) and
                                      * their first run on the device, done
                                      * before this frame; 0 when none */
  gboolean              cached;      /* every chain came from the cache:
                                      * nothing was decoded or run */
} SvdSessionFrame;

/**
 * SvdSessionState:
 * @SVD_SESSION_STATE_IDLE: no frame is being made
 * @SVD_SESSION_STATE_WARMING_UP: building a chain's engine: compiling (or
 *   loading) kernels and their first run, before the frame's own work
 *   (the GUI shows "warming up (compiling kernels)…", not a frame time)
 * @SVD_SESSION_STATE_COMPUTING: decoding and running the chains
 *
 * What the session's frame worker is doing now; see
 * svd_session_get_state() and svd_session_set_state_func().
 */
typedef enum {
  SVD_SESSION_STATE_IDLE,
  SVD_SESSION_STATE_WARMING_UP,
  SVD_SESSION_STATE_COMPUTING,
} SvdSessionState;

/* The frame cache's default bound: 512 MiB of images (displays, overlays,
 * sources, references and DISTS inputs), least recently used first out. */
#define SVD_SESSION_CACHE_DEFAULT_BYTES ((gsize) 512 * 1024 * 1024)

void svd_session_frame_free (SvdSessionFrame *frame);

/* DISTS runs after a frame's PSNR/SSIM are on screen, on a worker of its
 * own: it may lag behind playback, and @index says which frame it is for.
 * The variant is svd_session_set_dists_mode()'s; by default the CLI's. */
#define SVD_SESSION_DISTS_MODE SVD_DISTS_SHORT256

typedef struct {
  gint64    index;                            /* -1: nothing new to compute */
  SvdDistsMode mode;                          /* the variant computed */
  gboolean  has_dists[SVD_SESSION_MAX_CHAINS];
  double    dists[SVD_SESSION_MAX_CHAINS];
  char     *error;                            /* DISTS could not run */
  double    compute_ms;
  guint     chain_generation[SVD_SESSION_MAX_CHAINS]; /* internal */
} SvdSessionDists;

void svd_session_dists_free (SvdSessionDists *dists);

typedef struct _SvdSession SvdSession;

typedef void (*SvdSessionOpenedFunc) (const SvdSessionInfo *info,
                                      const GError         *error,
                                      gpointer              user_data);
typedef void (*SvdSessionFrameFunc)  (SvdSessionFrame      *frame,
                                      const GError         *error,
                                      gpointer              user_data);
typedef void (*SvdSessionProgressFunc) (double      fraction,
                                        const char *text,
                                        gpointer    user_data);
typedef void (*SvdSessionDistsFunc)  (SvdSessionDists      *dists,
                                      gpointer              user_data);
typedef void (*SvdSessionStateFunc)  (SvdSessionState       state,
                                      gpointer              user_data);

SvdSession *svd_session_new          (const SvdSettings      *settings,
                                      const SvdSessionSetup  *setup,
                                      SvdSessionOpenedFunc    opened,
                                      SvdSessionFrameFunc     frame_ready,
                                      SvdSessionProgressFunc  progress,
                                      gpointer                user_data);
void        svd_session_free         (SvdSession             *self);
void        svd_session_set_chain    (SvdSession             *self,
                                      guint                   slot,
                                      const SvdChain         *chain);
void        svd_session_set_engine_settings (SvdSession      *self,
                                             const SvdSettings *settings);
guint       svd_session_get_n_steps  (SvdSession             *self,
                                      guint                   slot);
void        svd_session_request      (SvdSession             *self,
                                      gint64                  index,
                                      guint64                 viewer_serial,
                                      gboolean                seek,
                                      gboolean                want_overlays);
guint       svd_session_get_n_pending (SvdSession            *self);
void        svd_session_set_reuse     (SvdSession            *self,
                                       gboolean               reuse);
void        svd_session_set_displays  (SvdSession            *self,
                                       gboolean               displays);
guint       svd_session_get_n_displays (SvdSession           *self);
void        svd_session_set_dists_func (SvdSession           *self,
                                        SvdSessionDistsFunc   func);
gboolean    svd_session_request_dists (SvdSession            *self);
void        svd_session_set_dists_mode (SvdSession           *self,
                                        SvdDistsMode          mode);
SvdDistsMode svd_session_get_dists_mode (SvdSession          *self);

/* The frame cache and the device-resident path (issue #24, #26):
 *
 * - Each frame's results (displays, metrics, overlays) are kept, per chain
 *   and chain generation, in a cache bounded by bytes
 *   (svd_session_set_cache_limit(), SVD_SESSION_CACHE_DEFAULT_BYTES by
 *   default). Asking again for a cached frame (stepping back and forth)
 *   runs no chain and decodes nothing. Asking for a cached frame with
 *   overlays it was made without (Difference, SSIM map) computes them
 *   from the chain output still on the device when that frame is the last
 *   one computed, else runs the chain again.
 * - svd_session_get_n_chain_runs() counts the chain runs on frames (not
 *   warm-ups): a test reads it to check that the cache works.
 * - On a device, each decoded frame (and reference) is uploaded once and
 *   converted there; every chain reads it from the device, its output goes
 *   to PSNR/SSIM there, and only the displays (and maps when asked) come
 *   back. The chain outputs come back as floats only for DISTS, and only
 *   while a DISTS function is set (svd_session_set_dists_func()). A
 *   client without a view (svd_session_set_displays()) gets no displays:
 *   then nothing but the metrics' sums comes back.
 * - While the chains run on frame N, frame N + 1 is decoded on a decode
 *   thread when the requests go forward one by one (playback, `svd
 *   compare`).
 * - A new engine is built and run once on a small frame before the frame
 *   that needs it (state SVD_SESSION_STATE_WARMING_UP, time in
 *   SvdSessionFrame.warmup_ms), so a frame's compute time never includes
 *   compiling kernels. */
void        svd_session_set_cache_limit (SvdSession          *self,
                                         gsize                bytes);
gsize       svd_session_get_cache_limit (SvdSession          *self);
guint       svd_session_get_n_chain_runs (SvdSession         *self);
guint       svd_session_get_n_warmups   (SvdSession          *self);
SvdSessionState svd_session_get_state   (SvdSession          *self);
void        svd_session_set_state_func  (SvdSession          *self,
                                         SvdSessionStateFunc  func);

/* Every frame's metrics, per chain (issue #24: "the worst frame" of the
 * whole clip, not of the frames seen so far):
 *
 * - The session keeps the PSNR/SSIM of each frame any request measured,
 *   per chain, until the chain changes (a few bytes a frame, never
 *   evicted): svd_session_get_n_measured(), svd_session_get_worst().
 * - svd_session_scan() measures the frames not measured yet, one by one
 *   in the background on the session's worker, between the frames the
 *   client asks for (which go first); @func reports each frame and then
 *   the end. svd_session_cancel_scan() stops it; so does a change of the
 *   scanned chain. */
typedef enum {
  SVD_SESSION_METRIC_PSNR_Y,
  SVD_SESSION_METRIC_SSIM_Y,
} SvdSessionMetric;

/**
 * SvdSessionScanFunc:
 * @slot: the chain scanned
 * @metrics: (nullable): the frame just measured; %NULL in the last call
 * @n_measured: how many frames of the chain are measured now
 * @n_frames: the clip's frames
 * @finished: the scan is over (every frame measured, cancelled, or
 *   failed: then @error is set)
 * @error: (nullable): why the scan stopped early
 * @user_data: the session's user data
 */
typedef void (*SvdSessionScanFunc)   (guint                  slot,
                                      const SvdMetricsFrame *metrics,
                                      gint64                 n_measured,
                                      gint64                 n_frames,
                                      gboolean               finished,
                                      const GError          *error,
                                      gpointer               user_data);

gboolean    svd_session_scan            (SvdSession          *self,
                                         guint                slot,
                                         SvdSessionScanFunc   func,
                                         GError             **error);
void        svd_session_cancel_scan     (SvdSession          *self);
gboolean    svd_session_is_scanning     (SvdSession          *self,
                                         guint               *slot);
gint64      svd_session_get_n_measured  (SvdSession          *self,
                                         guint                slot);
gint64      svd_session_get_worst       (SvdSession          *self,
                                         guint                slot,
                                         SvdSessionMetric     metric,
                                         double              *value);

G_END_DECLS
