/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-session"

#include "svd-config.h"

#include "core/svd-error.h"
#include "engine/svd-color.h"
#include "metrics/svd-metrics-runner.h"
#include "session/svd-frame-reuse.h"
#include "session/svd-worker.h"

#include "svd-decode-ahead.h"
#include "svd-frame-cache.h"
#include "svd-heatmap.h"
#include "svd-session.h"

#include <math.h>
#include <string.h>

/* A chain as the GUI last set it. Requests carry a reference to the
 * configuration current when they were made, so the worker rebuilds an
 * engine only when the generation changes and a seek (which invalidates
 * queued jobs) can never lose a chain change. */
typedef struct {
  gint           ref_count;
  guint          generation;
  guint          n_steps;
  SvdChain      *chain;     /* its own copy, with the models loaded */
  SvdSettings    settings;  /* the device and precision its engine uses */
} ChainConfig;

static ChainConfig *
chain_config_ref (ChainConfig *config)
{
  g_atomic_int_inc (&config->ref_count);
  return config;
}

static void
chain_config_unref (ChainConfig *config)
{
  if (config == NULL || !g_atomic_int_dec_and_test (&config->ref_count))
    return;
  g_clear_pointer (&config->chain, svd_chain_free);
  svd_settings_clear (&config->settings);
  g_free (config);
}

/* Counted on the worker, read by the client (and tests) at any time. */
typedef struct {
  gint chain_runs;
  gint warmups;
  gint displays;  /* RGBA8 view images made (svd_session_get_n_displays()) */
  gint state;   /* SvdSessionState */
} Counters;

struct _SvdSession
{
  SvdWorker              *worker;
  SvdSettings             settings;
  SvdSessionSetup         setup;
  ChainConfig            *chains[SVD_SESSION_MAX_CHAINS];
  guint                   generation;
  SvdSessionOpenedFunc    opened;
  SvdSessionFrameFunc     frame_ready;
  SvdSessionProgressFunc  progress;
  gpointer                user_data;
  guint                   n_pending;
  SvdSessionDistsFunc     dists_ready;
  SvdDistsMode            dists_mode;    /* handed to each DISTS job */
  guint                   settings_generation;  /* and settings' */
  SvdWorker              *dists_worker;  /* made on first use */
  struct _DistsSlot      *dists_slot;
  gboolean                reuse;         /* see svd_session_set_reuse() */
  gboolean                displays;      /* see svd_session_set_displays() */
  gsize                   cache_limit;   /* see svd_session_set_cache_limit() */
  Counters               *counters;      /* outlives the worker */
  SvdSessionStateFunc     state_func;
  gint64                  n_frames;      /* the clip's, once open */
  SvdReferenceMode        mode;          /* likewise */
  /* Every frame's metrics per chain (frame index → SvdMetricsFrame), and
   * the chain generation they are for. */
  GHashTable             *measured[SVD_SESSION_MAX_CHAINS];
  guint                   measured_generation[SVD_SESSION_MAX_CHAINS];
  struct {
    gboolean              active;
    guint                 slot;
    gint64                next;       /* where to look for the next frame */
    gint64                index;      /* the frame in flight, or -1 */
    guint64               serial;     /* its job's */
    SvdSessionScanFunc    func;
  } scan;
};

static void scan_step (SvdSession *self);
static void scan_finish (SvdSession   *self,
                         const GError *error);

/* The newest frame the chains made (RGB_F32), handed from the frame worker
 * to the DISTS worker. DISTS runs on a thread of its own so a frame never
 * waits for it (one DISTS can take longer than many frames); it takes the
 * newest frame when it is free, which is how it lags instead of piling up. */
typedef struct _DistsSlot {
  GMutex    lock;
  gint64    index;
  SvdClContext *context;  /* the frame worker's, which DISTS shares */
  SvdImage *ref;
  SvdImage *out[SVD_SESSION_MAX_CHAINS];
  guint     generation[SVD_SESSION_MAX_CHAINS];
} DistsSlot;

static void
dists_slot_clear_locked (DistsSlot *slot)
{
  slot->index = -1;
  g_clear_pointer (&slot->context, svd_cl_context_unref);
  g_clear_pointer (&slot->ref, svd_image_unref);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    g_clear_pointer (&slot->out[i], svd_image_unref);
}

/* Lives on the DISTS worker's thread only. */
typedef struct {
  SvdSettings       settings;
  guint             settings_generation;  /* of settings */
  gboolean          loaded;
  SvdDistsMode      mode;    /* the runner's */
  SvdClContext     *base;    /* the frame worker's context the runner shares */
  SvdClContext     *queue;   /* its own queue on that context */
  SvdMetricsRunner *runner;
  char             *error;
} DistsState;

/* One DISTS job: the variant and the session's settings travel with it,
 * so the worker never reads the GUI's settings. */
typedef struct {
  DistsSlot    *slot;  /* the session's; outlives the worker */
  SvdDistsMode  mode;
  SvdSettings   settings;
  guint         settings_generation;
} DistsJob;

static void
dists_job_free (gpointer data)
{
  DistsJob *job = data;

  svd_settings_clear (&job->settings);
  g_free (job);
}

static gpointer
dists_state_init (gpointer   init_data,
                  GError   **error)
{
  DistsState *state = g_new0 (DistsState, 1);

  svd_settings_copy (&state->settings, init_data);
  return state;
}

/* Loading VGG16 and building its kernels takes a while: on this thread,
 * not the frame worker's, once per variant and settings asked for (the
 * runner holds one; Preferences may change the device, the precision or
 * the weight files). Failing is not fatal, every result then says why. */
static void
dists_state_load (DistsState     *state,
                  const DistsJob *job,
                  SvdClContext   *base)
{
  g_autoptr(GError) local = NULL;
  SvdDistsMode mode = job->mode;

  if (state->loaded && state->mode == mode && state->settings_generation == job->settings_generation &&
      state->base == base)
    return;
  g_clear_pointer (&state->runner, svd_metrics_runner_free);
  g_clear_pointer (&state->queue, svd_cl_context_unref);
  g_clear_pointer (&state->base, svd_cl_context_unref);
  g_clear_pointer (&state->error, g_free);
  if (state->settings_generation != job->settings_generation)
    {
      svd_settings_clear (&state->settings);
      svd_settings_copy (&state->settings, &job->settings);
      state->settings_generation = job->settings_generation;
    }
  state->loaded = TRUE;
  state->mode = mode;
  /* The frame worker's OpenCL context, with a queue of its own: one
   * context for the session, and a DISTS (seconds on a CPU device) never
   * waits in front of a frame in the frames' in-order queue. */
  if (base != NULL)
    {
      state->base = svd_cl_context_ref (base);
      state->queue = svd_cl_context_new_sibling (base, &local);
    }
  if (base == NULL || state->queue != NULL)
    state->runner = svd_metrics_runner_new_for_context (state->queue, &state->settings, TRUE, mode, &local);
  if (state->runner == NULL)
    state->error = g_strdup (local->message);
  else if (svd_metrics_runner_get_dists_error (state->runner) != NULL)
    state->error = g_strdup (svd_metrics_runner_get_dists_error (state->runner)->message);
}

static void
dists_state_free (gpointer data)
{
  DistsState *state = data;

  if (state == NULL)
    return;
  g_clear_pointer (&state->runner, svd_metrics_runner_free);
  g_clear_pointer (&state->queue, svd_cl_context_unref);
  g_clear_pointer (&state->base, svd_cl_context_unref);
  svd_settings_clear (&state->settings);
  g_free (state->error);
  g_free (state);
}

/* Reported through the worker's coalesced progress: the state changed. */
#define STATE_PROGRESS (-2.0)

/* Lives on the worker thread only. The chains' engines, the metrics runner
 * and the frame converter share one OpenCL context (and its in-order
 * queue): a chain's output stays on that device's context for the metrics
 * and one program cache serves all. */
typedef struct {
  SvdSettings       settings;
  SvdSessionSource *source;
  SvdClContext     *context;      /* NULL on the CPU reference */
  char             *device_key;   /* the settings' device it was made for */
  SvdMetricsRunner *runner;
  SvdFrameConverter *frames;
  SvdFrameConverter *ref_frames;  /* the reference's, on the same device */
  SvdEngine        *engines[SVD_SESSION_MAX_CHAINS];
  guint             engine_generation[SVD_SESSION_MAX_CHAINS];
  gint64            engine_index[SVD_SESSION_MAX_CHAINS]; /* the frame whose
                                   * output is in the engine; -1: none */
  gint64            resident_index;  /* the frame whose planes (input and
                                      * reference) are on the device */
  SvdClPlanes       last_ref_planes;
  gint64            last_request;
  gint64            n_frames;
  SvdFrameCache        cache;
  SvdDecodeAhead         *prefetch;     /* the decode thread, made on first use */
  char             *engine_error[SVD_SESSION_MAX_CHAINS];
  /* Each chain's last computed input and output: an equal input (a held
   * anime frame, stepping back and forth over one) takes the output. */
  SvdFrameReuse    *reuse[SVD_SESSION_MAX_CHAINS];
} WorkerState;

static gpointer
worker_state_init (gpointer   init_data,
                   GError   **error)
{
  WorkerState *state = g_new0 (WorkerState, 1);

  svd_settings_copy (&state->settings, init_data);
  state->resident_index = -1;
  state->last_request = G_MININT64;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    state->engine_index[i] = -1;
  g_queue_init (&state->cache.entries);
  return state;
}

static void
worker_state_free (gpointer data)
{
  WorkerState *state = data;

  if (state == NULL)
    return;
  /* The decode thread first: it may be reading from the source. */
  g_clear_pointer (&state->prefetch, svd_decode_ahead_free);
  svd_frame_cache_clear (&state->cache);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      g_clear_pointer (&state->engines[i], svd_engine_free);
      g_free (state->engine_error[i]);
      g_clear_pointer (&state->reuse[i], svd_frame_reuse_free);
    }
  g_clear_pointer (&state->frames, svd_frame_converter_free);
  g_clear_pointer (&state->ref_frames, svd_frame_converter_free);
  g_clear_pointer (&state->runner, svd_metrics_runner_free);
  g_clear_pointer (&state->context, svd_cl_context_unref);
  g_clear_pointer (&state->source, svd_session_source_free);
  g_free (state->device_key);
  svd_settings_clear (&state->settings);
  g_free (state);
}

void
svd_session_setup_clear (SvdSessionSetup *setup)
{
  g_clear_pointer (&setup->input_path, g_free);
  g_clear_pointer (&setup->reference_path, g_free);
}

static void
setup_free (gpointer data)
{
  svd_session_setup_clear (data);
  g_free (data);
}

static void
session_info_free (gpointer data)
{
  SvdSessionInfo *info = data;

  g_free (info->input_path);
  g_free (info->reference_path);
  g_free (info->codec);
  g_free (info->summary);
  g_free (info->metrics_device);
  g_free (info->dists_unavailable);
  g_free (info);
}

void
svd_session_frame_free (SvdSessionFrame *frame)
{
  if (frame == NULL)
    return;
  g_clear_pointer (&frame->source, svd_image_unref);
  g_clear_pointer (&frame->reference, svd_image_unref);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      SvdSessionChainFrame *c = &frame->chains[i];

      g_free (c->error);
      g_free (c->metrics_problem);
      g_clear_pointer (&c->display, svd_image_unref);
      g_clear_pointer (&c->difference, svd_image_unref);
      g_clear_pointer (&c->ssim_map, svd_image_unref);
    }
  g_free (frame);
}

void
svd_session_dists_free (SvdSessionDists *dists)
{
  if (dists == NULL)
    return;
  g_free (dists->error);
  g_free (dists);
}

/* ---- The device -------------------------------------------------------- */

static const char *
device_key (const SvdSettings *settings)
{
  return settings->device != NULL && *settings->device != '\0' ? settings->device : "auto";
}

/* Makes the worker's one OpenCL context (and the runner and converter on
 * it) for @settings' device, unless it has it already. A new device (from
 * Preferences) replaces them all, and every engine is rebuilt on it. No
 * OpenCL device at all, with the device left to "auto", means the CPU
 * reference, as for svd_engine_new() and svd_metrics_runner_new(). */
static void warm_up_device (WorkerState *state);

static gboolean
ensure_device (WorkerState        *state,
               const SvdSettings  *settings,
               GError            **error)
{
  g_autoptr(SvdClContext) context = NULL;
  g_autoptr(SvdMetricsRunner) runner = NULL;
  const char *key = device_key (settings);

  if (state->runner != NULL && g_strcmp0 (state->device_key, key) == 0)
    return TRUE;
  if (g_strcmp0 (key, "cpu-ref") != 0)
    {
      g_autoptr(GError) local = NULL;

      context = svd_cl_context_new (settings, &local);
      if (context == NULL)
        {
          if (!g_error_matches (local, SVD_ERROR, SVD_ERROR_NO_DEVICE) || g_strcmp0 (key, "auto") != 0)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_message ("No OpenCL device (%s); the session runs on the CPU reference", local->message);
        }
    }
  runner = svd_metrics_runner_new_for_context (context, settings, FALSE, SVD_DISTS_SHORT256, error);
  if (runner == NULL)
    return FALSE;

  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      g_clear_pointer (&state->engines[i], svd_engine_free);
      g_clear_pointer (&state->engine_error[i], g_free);
      state->engine_generation[i] = 0;
      state->engine_index[i] = -1;
    }
  /* Results made on the old device go too. */
  svd_frame_cache_clear (&state->cache);
  state->resident_index = -1;
  memset (&state->last_ref_planes, 0, sizeof state->last_ref_planes);
  g_clear_pointer (&state->frames, svd_frame_converter_free);
  g_clear_pointer (&state->ref_frames, svd_frame_converter_free);
  g_clear_pointer (&state->runner, svd_metrics_runner_free);
  g_clear_pointer (&state->context, svd_cl_context_unref);
  state->context = g_steal_pointer (&context);
  state->runner = g_steal_pointer (&runner);
  /* The kernels on the metrics' device, as `svd metrics` converts, so the
   * readouts equal the CLI's. */
  state->frames = svd_frame_converter_new_or_cpu (state->context);
  state->ref_frames = svd_frame_converter_new_or_cpu (state->context);
  g_free (state->device_key);
  state->device_key = g_strdup (key);
  warm_up_device (state);
  return TRUE;
}

/* The converter's and the metrics' kernels run once on a small frame
 * when the device is opened, so the device compiles them for its work
 * sizes then, not during the first frame (whose time is its own). */
static void
warm_up_device (WorkerState *state)
{
  g_autoptr(SvdImage) tiny = NULL;
  g_autoptr(SvdImage) display = NULL;
  g_autoptr(SvdImage) ref_display = NULL;
  g_autoptr(SvdImage) ssim_map = NULL;
  g_autoptr(SvdImage) diff_map = NULL;
  g_autoptr(GError) error = NULL;
  SvdClPlanes planes, ref_planes;
  SvdMetricsFrame m;

  if (state->context == NULL)
    return;
  tiny = svd_image_new (SVD_PIXEL_FORMAT_YUV420P8, 32, 32, &error);
  if (tiny == NULL ||
      !svd_frame_converter_upload (state->frames, tiny, &display, &planes, &error) ||
      !svd_frame_converter_upload (state->ref_frames, tiny, &ref_display, &ref_planes, &error) ||
      (planes.mem != NULL && ref_planes.mem != NULL &&
       !svd_metrics_runner_compute_device (state->runner, &ref_planes, &planes, 0, &m, &ssim_map, &diff_map,
                                           &error)))
    g_debug ("Warming up the device failed: %s", error != NULL ? error->message : "?");
}

/* ---- Opening ----------------------------------------------------------- */

typedef struct {
  SvdWorker *worker;
} ProgressData;

static void
degrade_progress_cb (const SvdWriterProgress *progress,
                     gpointer                 user_data)
{
  ProgressData *pd = user_data;
  double fraction = progress->frames_total > 0
                    ? (double) progress->frames_done / progress->frames_total : -1.0;

  /* Coalesced by the worker: at most one report waits on the main loop. */
  svd_worker_report_progress (pd->worker, fraction, NULL);
}

static gpointer
open_job (SvdWorker     *worker,
          gpointer       state_data,
          gpointer       job_data,
          GCancellable  *cancellable,
          GError       **error)
{
  WorkerState *state = state_data;
  SvdSessionSetup *setup = job_data;
  SvdSessionInfo *info;
  const SvdVideoInfo *vi;
  const SvdPairReport *report;
  ProgressData pd = { worker };

  switch (setup->mode)
    {
    case SVD_REFERENCE_PAIR:
      state->source = svd_session_source_new_pair (setup->input_path, setup->reference_path,
                                                   setup->offset, error);
      break;
    case SVD_REFERENCE_SYNTHESIZE:
      state->source = svd_session_source_new_synthesize (setup->input_path, &setup->degrade,
                                                         degrade_progress_cb, &pd, cancellable, error);
      break;
    case SVD_REFERENCE_NONE:
    default:
      state->source = svd_session_source_new_none (setup->input_path, error);
      break;
    }
  if (state->source == NULL)
    return NULL;
  if (!ensure_device (state, &state->settings, error))
    return NULL;

  vi = svd_reader_get_info (svd_session_source_get_input (state->source));
  report = svd_session_source_get_report (state->source);
  info = g_new0 (SvdSessionInfo, 1);
  info->mode = svd_session_source_get_mode (state->source);
  info->input_path = g_strdup (svd_session_source_get_input_path (state->source));
  info->reference_path = g_strdup (svd_session_source_get_reference_path (state->source));
  info->width = vi->width;
  info->height = vi->height;
  if (svd_session_source_get_reference (state->source) != NULL)
    {
      const SvdVideoInfo *ri = svd_reader_get_info (svd_session_source_get_reference (state->source));

      info->ref_width = ri->width;
      info->ref_height = ri->height;
    }
  info->fps = vi->fps;
  info->n_frames = vi->n_frames;
  state->n_frames = vi->n_frames;
  info->codec = g_strdup (vi->codec);
  info->summary = report != NULL ? g_strdup (report->summary) : NULL;
  info->metrics_device = g_strdup (svd_metrics_runner_get_device (state->runner));
  {
    g_autoptr(GError) dists_error = NULL;
    g_autofree char *dists_path = NULL, *vgg16_path = NULL;

    /* Only finds the files; says where to put them when they are missing. */
    if (!svd_dists_locate (&state->settings, &dists_path, &vgg16_path, &dists_error))
      info->dists_unavailable = g_strdup (dists_error->message);
  }

  return info;
}

/* ---- Frames ------------------------------------------------------------ */

typedef struct {
  gint64       index;
  guint64      viewer_serial;
  gboolean     want_overlays;
  gboolean     want_displays; /* the RGBA8 images a view shows; always with
                               * overlays */
  gboolean     reuse;
  gboolean     want_dists;   /* keep float outputs on the host for DISTS */
  gsize        cache_limit;
  ChainConfig *chains[SVD_SESSION_MAX_CHAINS];
  DistsSlot   *dists_slot;  /* the session's; outlives the worker */
  Counters    *counters;    /* likewise */
} FrameRequest;

static void
frame_request_free (gpointer data)
{
  FrameRequest *request = data;

  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    chain_config_unref (request->chains[i]);
  g_free (request);
}

static void
set_state (SvdWorker       *worker,
           Counters        *counters,
           SvdSessionState  state)
{
  if (g_atomic_int_get (&counters->state) == (gint) state)
    return;
  g_atomic_int_set (&counters->state, state);
  /* Coalesced by the worker; the session's progress callback hands it to
   * the state function on the client's context. */
  svd_worker_report_progress (worker, STATE_PROGRESS, NULL);
}

/* ---- Running the chains ------------------------------------------------ */

/* Float RGB planes on the device read back into a host image. */
static SvdImage *
planes_download (SvdClContext       *context,
                 const SvdClPlanes  *planes,
                 gint64              frame_index,
                 GError            **error)
{
  g_autoptr(SvdImage) image = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, planes->width, planes->height, error);
  cl_command_queue q = svd_cl_context_get_queue (context);
  cl_int err = CL_SUCCESS;

  if (image == NULL)
    return NULL;
  image->frame_index = frame_index;
  for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
    {
      size_t bo[3] = { planes->offset + (gsize) c * planes->plane, 0, 0 };
      size_t ho[3] = { 0, 0, 0 };
      size_t region[3] = { (gsize) planes->width * sizeof (float), (gsize) planes->height, 1 };

      err = clEnqueueReadBufferRect (q, planes->mem, c == 2, bo, ho, region, planes->pitch, 0,
                                     image->stride[c], 0, image->data[c], 0, NULL, NULL);
    }
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBufferRect");
      return NULL;
    }
  return g_steal_pointer (&image);
}

/* A chain output (float RGB) as the viewer's RGBA8. */
static SvdImage *
to_display (WorkerState  *state,
            SvdImage     *rgb,
            GError      **error)
{
  SvdImage *display = NULL;

  if (!svd_frame_converter_convert (state->frames, rgb, NULL, &display, error))
    return NULL;
  return display;
}

/* Runs a new engine once on a small frame: the device compiles (or loads)
 * every kernel it will use, so the first real frame's time is its own. */
static void
warm_up_engine (WorkerState *state,
                guint        slot)
{
  g_autoptr(SvdImage) tiny = NULL;
  g_autoptr(SvdImage) out = NULL;
  g_autoptr(GError) error = NULL;

  if (svd_engine_get_context (state->engines[slot]) == NULL)
    return;  /* the CPU reference compiles nothing */
  tiny = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 24, 24, &error);
  if (tiny == NULL ||
      !svd_engine_process (state->engines[slot], tiny, SVD_PIXEL_FORMAT_RGBA8, &out, NULL, NULL, &error))
    g_debug ("Warm-up of chain %u failed: %s", slot + 1, error->message);
  state->engine_index[slot] = -1;
}

static gboolean
ensure_engine (WorkerState  *state,
               SvdWorker    *worker,
               Counters     *counters,
               guint         slot,
               ChainConfig  *config,
               double       *warmup_ms,
               GError      **error)
{
  /* A new device (Preferences) comes with new engines: its set-up is
   * warm-up time too. */
  gint64 t0 = g_get_monotonic_time ();

  if (!ensure_device (state, &config->settings, error))
    {
      g_clear_pointer (&state->engine_error[slot], g_free);
      state->engine_error[slot] = g_strdup ((*error)->message);
      return FALSE;
    }
  if (state->engine_generation[slot] != config->generation)
    {
      set_state (worker, counters, SVD_SESSION_STATE_WARMING_UP);
      g_clear_pointer (&state->engines[slot], svd_engine_free);
      g_clear_pointer (&state->engine_error[slot], g_free);
      /* Another chain or device: the kept output is not this one's. */
      g_clear_pointer (&state->reuse[slot], svd_frame_reuse_free);
      svd_frame_cache_drop_slot (&state->cache, slot);
      state->engine_generation[slot] = config->generation;
      state->engine_index[slot] = -1;
      state->engines[slot] = svd_engine_new_for_context (state->context, &config->settings, error);
      if (state->engines[slot] == NULL ||
          !svd_engine_set_chain (state->engines[slot], config->chain, error))
        {
          g_clear_pointer (&state->engines[slot], svd_engine_free);
          state->engine_error[slot] = g_strdup ((*error)->message);
          set_state (worker, counters, SVD_SESSION_STATE_COMPUTING);
          return FALSE;
        }
      warm_up_engine (state, slot);
      g_atomic_int_inc (&counters->warmups);
      *warmup_ms += (g_get_monotonic_time () - t0) / 1000.0;
      set_state (worker, counters, SVD_SESSION_STATE_COMPUTING);
    }
  if (state->engines[slot] == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           state->engine_error[slot] != NULL ? state->engine_error[slot] : "no engine");
      return FALSE;
    }
  return TRUE;
}

/* What one frame's chains read: the decoded frame on the host and, on a
 * device, its float RGB planes there (and the reference's). */
typedef struct {
  gint64       index;
  SvdImage    *input;        /* as decoded */
  SvdImage    *in_rgb;       /* float RGB on the host: the CPU path only */
  SvdClPlanes  in_planes;    /* mem NULL: not on a device */
  gboolean     has_ref;      /* the frame has a reference */
  SvdImage    *ref;          /* the reference as decoded, or NULL */
  SvdImage    *ref_rgb;      /* float RGB on the host: the CPU path, DISTS */
  SvdClPlanes  ref_planes;   /* mem NULL: not on a device, or no reference */
  SvdImage    *ref_display;  /* RGBA8; NULL without a reference, or while
                              * no view needs it (see ensure_ref_display()) */
  int          ref_width;
  int          ref_height;
} FrameInputs;

static void
count_display (Counters *counters)
{
  g_atomic_int_inc (&counters->displays);
}

/* The reference's RGBA8 image, made only when something needs it: a view,
 * the overlays, or the metrics of a result that is only on the host as
 * RGBA8 (a tiled frame). A headless request (svd_session_set_displays())
 * otherwise never reads it back. */
static SvdImage *
ensure_ref_display (WorkerState  *state,
                    FrameInputs  *in,
                    Counters     *counters,
                    GError      **error)
{
  if (in->ref_display != NULL)
    return in->ref_display;
  if (in->ref == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The reference frame is gone");
      return NULL;
    }
  /* The converter's device buffer holds this very frame already: the
   * upload writes the same floats, so the planes stay valid. */
  if (!svd_frame_converter_convert (state->ref_frames, in->ref, NULL, &in->ref_display, error))
    return NULL;
  count_display (counters);
  return in->ref_display;
}

/* The PSNR/SSIM (and maps) of slot's output, which is on the device when
 * @out_planes is set. */
static void
chain_metrics (WorkerState          *state,
               FrameInputs          *in,
               Counters             *counters,
               const SvdClPlanes    *out_planes,
               SvdImage             *host_output,
               SvdImage             *host_display,
               gboolean              want_overlays,
               SvdSessionChainFrame *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) ssim_map = NULL;
  g_autoptr(SvdImage) diff_map = NULL;
  const SvdImage *host = host_output != NULL ? host_output : host_display;
  int ow, oh, rw = in->ref_width, rh = in->ref_height;
  gint64 index = in->index;

  if (out_planes == NULL && host == NULL)
    {
      out->metrics_problem = g_strdup ("The chain's output is neither on the device nor on the host");
      return;
    }
  ow = out_planes != NULL ? out_planes->width : host->width;
  oh = out_planes != NULL ? out_planes->height : host->height;

  if (ow != rw || oh != rh)
    {
      out->metrics_problem = g_strdup_printf ("%d×%d ≠ %d×%d", ow, oh, rw, rh);
      return;
    }
  g_clear_pointer (&out->metrics_problem, g_free);
  if (out_planes != NULL && in->ref_planes.mem != NULL &&
      svd_metrics_runner_compute_device (state->runner, &in->ref_planes, out_planes, index, &out->metrics,
                                         want_overlays ? &ssim_map : NULL, want_overlays ? &diff_map : NULL,
                                         &error))
    out->metrics_on_device = TRUE;
  else if (error != NULL)
    {
      out->metrics_problem = g_strdup (error->message);
      return;
    }
  else if (host_output != NULL && in->ref_rgb != NULL)
    {
      if (!svd_metrics_runner_compute (state->runner, in->ref_rgb, host_output, &out->metrics,
                                       want_overlays ? &ssim_map : NULL, want_overlays ? &diff_map : NULL,
                                       &error))
        {
          out->metrics_problem = g_strdup (error->message);
          return;
        }
    }
  /* A tiled result (a frame over the device's allocation limit) has no
   * float planes left on the device: the metrics of what is shown. */
  else if (ensure_ref_display (state, in, counters, &error) == NULL ||
           !svd_metrics_runner_compute (state->runner, in->ref_display, host_display, &out->metrics,
                                        want_overlays ? &ssim_map : NULL, want_overlays ? &diff_map : NULL,
                                        &error))
    {
      out->metrics_problem = g_strdup (error->message);
      return;
    }
  out->metrics.frame_index = index;
  out->has_metrics = TRUE;
  if (want_overlays)
    {
      g_clear_pointer (&out->difference, svd_image_unref);
      g_clear_pointer (&out->ssim_map, svd_image_unref);
      /* The difference at gain 1 in float: the viewer amplifies it
       * (svd_heatmap_difference()), so ×1 shows up to 255 levels and ×8
       * keeps the fractions of a level. */
      out->difference = g_steal_pointer (&diff_map);
      if (ensure_ref_display (state, in, counters, &error) != NULL)
        out->ssim_map = svd_heatmap_ssim (ssim_map, in->ref_display, &error);
      if (error != NULL)
        out->metrics_problem = g_strdup (error->message);
    }
}

static void
run_chain (WorkerState          *state,
           SvdWorker            *worker,
           Counters             *counters,
           guint                 slot,
           ChainConfig          *config,
           FrameInputs          *in,
           gboolean              reuse,
           gboolean              want_overlays,
           gboolean              want_displays,
           gboolean              want_dists,
           SvdSessionChainFrame *out,
           SvdImage            **dists_output,
           double               *warmup_ms,
           GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) output = NULL;   /* float RGB on the host: CPU path */
  g_autoptr(SvdImage) display = NULL;  /* RGBA8, when made */
  SvdClPlanes out_planes = { 0 };
  gboolean on_device, have_planes = FALSE;
  gint64 t0;

  out->active = TRUE;
  if (!ensure_engine (state, worker, counters, slot, config, warmup_ms, &error))
    {
      out->error = g_strdup (error->message);
      return;
    }
  /* The device path: the frame is on the engine's context already. */
  on_device = in->in_planes.mem != NULL && svd_engine_get_context (state->engines[slot]) == state->context;
  if (!reuse)
    g_clear_pointer (&state->reuse[slot], svd_frame_reuse_free);
  else if (state->reuse[slot] == NULL)
    state->reuse[slot] = svd_frame_reuse_new (0);
  /* The reuse keeps the display on the device path (the float output is
   * still in the engine, which ran last on that very input), the float
   * output on the CPU path. Without a view, on the device, the engine's
   * output alone is what an equal input reuses. */
  if (state->reuse[slot] != NULL)
    {
      if (on_device && !want_displays)
        out->reused = svd_frame_reuse_match (state->reuse[slot], in->input) &&
                      svd_engine_get_output_planes (state->engines[slot], &out_planes);
      else if (!svd_frame_reuse_lookup (state->reuse[slot], in->input, on_device ? &display : &output, &error))
        {
          out->error = g_strdup (error->message);
          return;
        }
      else
        out->reused = on_device ? display != NULL : output != NULL;
    }
  if (!out->reused)
    {
      t0 = g_get_monotonic_time ();
      g_atomic_int_inc (&counters->chain_runs);
      /* Without a view the output stays on the device for the metrics:
       * the display comes back only when the result cannot stay there. */
      if (on_device && !want_displays
          ? !svd_engine_process_resident (state->engines[slot], in->input, &in->in_planes, SVD_PIXEL_FORMAT_RGBA8,
                                          &display, &out->timings, cancellable, &error)
          : on_device
          ? !svd_engine_process_planes (state->engines[slot], in->input, &in->in_planes, SVD_PIXEL_FORMAT_RGBA8,
                                        &display, &out->timings, cancellable, &error)
          : !svd_engine_process (state->engines[slot], in->in_rgb, SVD_PIXEL_FORMAT_RGB_F32, &output,
                                 &out->timings, cancellable, &error))
        {
          state->engine_index[slot] = -1;
          out->error = g_strdup (error->message);
          return;
        }
      if (display != NULL)
        count_display (counters);
      state->engine_index[slot] = in->input->frame_index;
      out->wall_ms = (g_get_monotonic_time () - t0) / 1000.0;
      if (state->reuse[slot] != NULL)
        svd_frame_reuse_store (state->reuse[slot], in->input, on_device ? display : output);
    }
  else
    state->engine_index[slot] = in->input->frame_index;
  if (!on_device)
    {
      output->frame_index = in->input->frame_index;
      if (want_displays)
        {
          display = to_display (state, output, &error);
          if (display == NULL)
            {
              out->error = g_strdup (error->message);
              return;
            }
          count_display (counters);
        }
    }
  else
    {
      if (display != NULL && !out->reused)
        display->frame_index = in->input->frame_index;
      have_planes = svd_engine_get_output_planes (state->engines[slot], &out_planes);
    }
  if (want_displays && display != NULL)
    out->display = svd_image_ref (display);
  if (!in->has_ref)
    return;
  chain_metrics (state, in, counters, have_planes ? &out_planes : NULL, output, display, want_overlays, out);
  if (want_dists && out->has_metrics)
    {
      if (output != NULL)
        *dists_output = svd_image_ref (output);
      else if (have_planes)
        *dists_output = planes_download (state->context, &out_planes, in->input->frame_index, NULL);
    }
}

static void
frame_inputs_clear (FrameInputs *in)
{
  g_clear_pointer (&in->input, svd_image_unref);
  g_clear_pointer (&in->in_rgb, svd_image_unref);
  g_clear_pointer (&in->ref, svd_image_unref);
  g_clear_pointer (&in->ref_rgb, svd_image_unref);
  g_clear_pointer (&in->ref_display, svd_image_unref);
}

/* Decodes frame @index (or takes it from the decode thread), starts
 * decoding the next one when the requests go forward, and puts the frame
 * on the device: one upload and conversion for every chain. */
static gboolean
load_inputs (WorkerState      *state,
             const FrameRequest *request,
             SvdSessionFrame  *frame,
             FrameInputs      *in,
             GError          **error)
{
  g_autoptr(SvdImage) ref = NULL;
  gboolean forward;
  /* The RGBA8 images only when a view shows them: headless (`svd compare`,
   * the scan) reads nothing back but the metrics' sums. */
  SvdImage **source_display = request->want_displays ? &frame->source : NULL;
  SvdImage **ref_display = request->want_displays ? &frame->reference : NULL;

  if (state->prefetch == NULL)
    state->prefetch = svd_decode_ahead_new (state->source);
  if (!svd_decode_ahead_take (state->prefetch, request->index, &in->input, &ref))
    {
      svd_decode_ahead_read_now (state->source, request->index, &in->input, &ref, error);
      if (in->input == NULL)
        return FALSE;
    }
  forward = state->last_request == G_MININT64 || request->index == state->last_request + 1;
  state->last_request = request->index;
  /* Playback and `svd compare` go forward frame by frame: the next one
   * decodes while the chains run on this one. */
  if (forward && (state->n_frames <= 0 || request->index + 1 < state->n_frames))
    svd_decode_ahead_start (state->prefetch, request->index + 1);

  frame->index = in->index = in->input->frame_index;
  if (state->context != NULL)
    {
      if (!svd_frame_converter_upload (state->frames, in->input, source_display, &in->in_planes, error))
        return FALSE;
      if (in->in_planes.mem == NULL &&
          !svd_frame_converter_convert (state->frames, in->input, &in->in_rgb, NULL, error))
        return FALSE;
    }
  else if (!svd_frame_converter_convert (state->frames, in->input, &in->in_rgb, source_display, error))
    return FALSE;
  if (frame->source != NULL)
    count_display (request->counters);
  if (ref != NULL)
    {
      g_autoptr(GError) ref_error = NULL;
      gboolean ok;

      if (ref == in->input)
        {
          /* The clip is its own reference (svd_session_source_new_pair()
           * on one file): the frame is converted once for both. */
          ok = TRUE;
          in->ref_planes = in->in_planes;
          if (in->in_rgb != NULL)
            in->ref_rgb = svd_image_ref (in->in_rgb);
          if (frame->source != NULL)
            frame->reference = svd_image_ref (frame->source);
        }
      else if (state->context != NULL)
        {
          ok = svd_frame_converter_upload (state->ref_frames, ref, ref_display, &in->ref_planes, &ref_error);
          if (ok && in->ref_planes.mem == NULL)
            ok = svd_frame_converter_convert (state->ref_frames, ref, &in->ref_rgb, NULL, &ref_error);
        }
      else
        ok = svd_frame_converter_convert (state->ref_frames, ref, &in->ref_rgb, ref_display, &ref_error);
      if (!ok)
        {
          g_message ("No reference for frame %" G_GINT64_FORMAT ": %s", frame->index, ref_error->message);
          g_clear_pointer (&frame->reference, svd_image_unref);
          g_clear_pointer (&in->ref_rgb, svd_image_unref);
          memset (&in->ref_planes, 0, sizeof in->ref_planes);
        }
      else
        {
          in->has_ref = TRUE;
          in->ref_width = ref->width;
          in->ref_height = ref->height;
          in->ref = g_steal_pointer (&ref);
          if (frame->reference != NULL)
            {
              in->ref_display = svd_image_ref (frame->reference);
              if (frame->reference != frame->source)
                count_display (request->counters);
            }
        }
    }
  state->resident_index = frame->index;
  return TRUE;
}

static gboolean
slot_wanted (const FrameRequest *request,
             guint               i)
{
  return request->chains[i] != NULL && request->chains[i]->n_steps > 0;
}

/* Whether @e holds slot @i as @request wants it. */
static gboolean
cache_has_slot (const SvdFrameCacheEntry   *e,
                const FrameRequest *request,
                guint               i)
{
  const SvdSessionChainFrame *c;

  if (e == NULL || !e->has[i] || e->generation[i] != request->chains[i]->generation)
    return FALSE;
  c = &e->chains[i];
  if (request->want_overlays && e->reference != NULL && c->has_metrics && c->difference == NULL)
    return FALSE;
  if (request->want_dists && e->reference != NULL && c->has_metrics && e->dists_out[i] == NULL)
    return FALSE;
  return TRUE;
}

/* Overlays for a cached chain whose output of this very frame is still on
 * the device: the metrics again, not the chain. */
static gboolean
overlays_from_device (WorkerState        *state,
                      SvdFrameCacheEntry         *e,
                      const FrameRequest *request,
                      guint               i)
{
  FrameInputs in = { 0 };
  SvdClPlanes out_planes;
  SvdSessionChainFrame *c = &e->chains[i];

  if (!request->want_overlays || e->reference == NULL || !e->has[i] ||
      e->generation[i] != request->chains[i]->generation || !c->has_metrics || c->difference != NULL ||
      (request->want_dists && e->dists_out[i] == NULL) ||
      state->resident_index != e->index || state->engine_index[i] != e->index ||
      state->engine_generation[i] != request->chains[i]->generation || state->engines[i] == NULL ||
      state->last_ref_planes.mem == NULL ||
      !svd_engine_get_output_planes (state->engines[i], &out_planes))
    return FALSE;
  in.index = e->index;
  in.has_ref = TRUE;
  in.ref_planes = state->last_ref_planes;
  in.ref_display = svd_image_ref (e->reference);
  in.ref_width = e->reference->width;
  in.ref_height = e->reference->height;
  chain_metrics (state, &in, request->counters, &out_planes, NULL, NULL, TRUE, c);
  frame_inputs_clear (&in);
  return c->difference != NULL;
}

static SvdSessionFrame *
frame_from_cache (SvdFrameCacheEntry         *e,
                  const FrameRequest *request)
{
  SvdSessionFrame *frame = g_new0 (SvdSessionFrame, 1);

  frame->index = e->index;
  frame->viewer_serial = request->viewer_serial;
  frame->source = svd_image_ref (e->source);
  frame->reference = e->reference != NULL ? svd_image_ref (e->reference) : NULL;
  frame->cached = TRUE;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (slot_wanted (request, i))
      {
        svd_session_chain_frame_copy (&frame->chains[i], &e->chains[i]);
        frame->chains[i].cached = TRUE;
        frame->chains[i].generation = e->generation[i];
      }
  return frame;
}

/* Hands the newest frame to DISTS: it replaces one DISTS has not reached. */
static void
fill_dists_slot (WorkerState        *state,
                 const FrameRequest *request,
                 SvdFrameCacheEntry         *e)
{
  DistsSlot *slot = request->dists_slot;

  g_mutex_lock (&slot->lock);
  dists_slot_clear_locked (slot);
  if (e != NULL && e->dists_ref != NULL)
    {
      slot->index = e->index;
      slot->context = state->context != NULL ? svd_cl_context_ref (state->context) : NULL;
      slot->ref = svd_image_ref (e->dists_ref);
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        if (slot_wanted (request, i) && e->has[i] && e->dists_out[i] != NULL)
          {
            slot->out[i] = svd_image_ref (e->dists_out[i]);
            slot->generation[i] = request->chains[i]->generation;
          }
    }
  g_mutex_unlock (&slot->lock);
}

static gpointer
frame_job (SvdWorker     *worker,
           gpointer       state_data,
           gpointer       job_data,
           GCancellable  *cancellable,
           GError       **error)
{
  WorkerState *state = state_data;
  FrameRequest *request = job_data;
  FrameInputs in = { 0 };
  SvdSessionFrame *frame;
  SvdFrameCacheEntry *e, *fresh = NULL;
  gboolean all_cached = TRUE;
  double warmup_ms = 0;
  gint64 t0 = g_get_monotonic_time ();

  if (state->source == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The session has no clip");
      return NULL;
    }
  set_state (worker, request->counters, SVD_SESSION_STATE_COMPUTING);

  /* A frame seen before: what the cache holds for each chain, overlays
   * added from the device where they are missing. */
  e = request->cache_limit > 0 ? svd_frame_cache_find (&state->cache, request->index) : NULL;
  if (e != NULL)
    {
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS && all_cached; i++)
        if (slot_wanted (request, i) && !cache_has_slot (e, request, i) &&
            !overlays_from_device (state, e, request, i))
          all_cached = FALSE;
      if (all_cached)
        {
          frame = frame_from_cache (e, request);
          fill_dists_slot (state, request, e);
          /* Overlays may have been added: measured again, within bounds. */
          svd_frame_cache_touch (&state->cache, e, request->cache_limit);
          frame->compute_ms = (g_get_monotonic_time () - t0) / 1000.0;
          set_state (worker, request->counters, SVD_SESSION_STATE_IDLE);
          return frame;
        }
    }

  frame = g_new0 (SvdSessionFrame, 1);
  frame->viewer_serial = request->viewer_serial;
  if (!load_inputs (state, request, frame, &in, error))
    {
      frame_inputs_clear (&in);
      svd_session_frame_free (frame);
      set_state (worker, request->counters, SVD_SESSION_STATE_IDLE);
      return NULL;
    }
  state->last_ref_planes = in.ref_planes;

  fresh = g_new0 (SvdFrameCacheEntry, 1);
  fresh->index = frame->index;
  fresh->source = frame->source != NULL ? svd_image_ref (frame->source) : NULL;
  fresh->reference = frame->reference != NULL ? svd_image_ref (frame->reference) : NULL;
  if (request->want_dists && in.has_ref)
    fresh->dists_ref = in.ref_rgb != NULL ? svd_image_ref (in.ref_rgb)
                       : planes_download (state->context, &in.ref_planes, frame->index, NULL);
  /* The cache entry of this index (looked up above) may still hold some
   * chains as wanted; the others run. */
  e = request->cache_limit > 0 ? svd_frame_cache_find (&state->cache, frame->index) : NULL;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      if (!slot_wanted (request, i))
        continue;
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (cache_has_slot (e, request, i) && (e->dists_ref != NULL || fresh->dists_ref == NULL))
        {
          svd_session_chain_frame_copy (&frame->chains[i], &e->chains[i]);
          frame->chains[i].cached = TRUE;
          if (e->dists_out[i] != NULL)
            fresh->dists_out[i] = svd_image_ref (e->dists_out[i]);
        }
      else
        run_chain (state, worker, request->counters, i, request->chains[i], &in, request->reuse,
                   request->want_overlays, request->want_displays, request->want_dists, &frame->chains[i],
                   &fresh->dists_out[i], &warmup_ms, cancellable);
      frame->chains[i].generation = request->chains[i]->generation;
      fresh->has[i] = TRUE;
      fresh->generation[i] = request->chains[i]->generation;
      svd_session_chain_frame_copy (&fresh->chains[i], &frame->chains[i]);
      fresh->chains[i].cached = FALSE;
    }
  frame_inputs_clear (&in);
  frame->warmup_ms = warmup_ms;
  frame->compute_ms = (g_get_monotonic_time () - t0) / 1000.0 - warmup_ms;
  set_state (worker, request->counters, SVD_SESSION_STATE_IDLE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      svd_frame_cache_entry_free (fresh);
      svd_session_frame_free (frame);
      return NULL;
    }
  /* Failed chains are not kept: the next request tries again. */
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (fresh->has[i] && fresh->chains[i].error != NULL)
      svd_frame_cache_entry_drop_slot (fresh, i);
  fill_dists_slot (state, request, fresh);
  /* Only frames with their views go in the cache: a headless one has
   * nothing a view could show again. */
  if (request->cache_limit > 0 && request->want_displays)
    svd_frame_cache_put (&state->cache, fresh, request->cache_limit);
  else
    svd_frame_cache_entry_free (fresh);
  return frame;
}

/* ---- DISTS ------------------------------------------------------------- */

static gpointer
dists_job (SvdWorker     *worker,
           gpointer       state_data,
           gpointer       job_data,
           GCancellable  *cancellable,
           GError       **error)
{
  DistsState *state = state_data;
  DistsJob *job = job_data;
  DistsSlot *slot = job->slot;
  SvdSessionDists *result = g_new0 (SvdSessionDists, 1);
  g_autoptr(SvdImage) ref = NULL;
  g_autoptr(SvdClContext) base = NULL;
  SvdImage *out[SVD_SESSION_MAX_CHAINS] = { NULL };
  gint64 t0 = g_get_monotonic_time ();

  /* Take the frame: the frame worker may put a newer one meanwhile. */
  g_mutex_lock (&slot->lock);
  result->index = slot->index;
  ref = g_steal_pointer (&slot->ref);
  base = g_steal_pointer (&slot->context);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      out[i] = g_steal_pointer (&slot->out[i]);
      result->chain_generation[i] = slot->generation[i];
    }
  dists_slot_clear_locked (slot);
  g_mutex_unlock (&slot->lock);

  result->mode = job->mode;
  if (ref != NULL)
    dists_state_load (state, job, base);
  if (ref == NULL)
    result->index = -1;  /* nothing new */
  else if (state->error != NULL)
    result->error = g_strdup (state->error);
  else
    for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
      {
        g_autoptr(GError) local = NULL;
        double score;

        if (out[i] == NULL || g_cancellable_is_cancelled (cancellable))
          continue;
        /* The DISTS of the runner `svd metrics --dists` uses, so the values
         * are the CLI's; the reference's features are computed once for
         * every chain. A newer frame request cancels it within a layer
         * (svd_session_request()). */
        if (svd_metrics_runner_compute_dists_shared (state->runner, ref, result->index, out[i], &score,
                                                     cancellable, &local))
          {
            result->has_dists[i] = TRUE;
            result->dists[i] = score;
          }
        else if (local != NULL && result->error == NULL &&
                 !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          result->error = g_strdup (local->message);
      }
  if (state->runner != NULL)
    svd_metrics_runner_drop_dists_reference (state->runner);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    g_clear_pointer (&out[i], svd_image_unref);
  result->compute_ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      svd_session_dists_free (result);
      return NULL;
    }
  return result;
}

/* ---- The GUI side ------------------------------------------------------ */

static void
progress_cb (double      fraction,
             const char *text,
             gpointer    user_data)
{
  SvdSession *self = user_data;

  if (fraction == STATE_PROGRESS)
    {
      if (self->state_func != NULL)
        self->state_func (svd_session_get_state (self), self->user_data);
      return;
    }
  if (self->progress != NULL)
    self->progress (fraction, text, self->user_data);
}

static void
opened_cb (guint64       serial,
           gpointer      result,
           const GError *error,
           gpointer      user_data)
{
  SvdSession *self = user_data;

  if (result != NULL)
    {
      self->n_frames = ((SvdSessionInfo *) result)->n_frames;
      self->mode = ((SvdSessionInfo *) result)->mode;
    }
  self->opened (result, error, self->user_data);
  if (result != NULL)
    session_info_free (result);
}

/**
 * svd_session_new:
 * @settings: device and precision for the engines and metrics
 * @setup: what to open
 * @opened: called once on the calling thread's context when the clip is
 *   open (or failed to open)
 * @frame_ready: called for every frame result still current
 * @progress: (nullable): Synthesize's encode progress
 * @user_data: for the callbacks; must outlive the session
 *
 * Returns: (transfer full): the session; opening runs on its worker
 */
SvdSession *
svd_session_new (const SvdSettings      *settings,
                 const SvdSessionSetup  *setup,
                 SvdSessionOpenedFunc    opened,
                 SvdSessionFrameFunc     frame_ready,
                 SvdSessionProgressFunc  progress,
                 gpointer                user_data)
{
  SvdSession *self = g_new0 (SvdSession, 1);
  SvdSessionSetup *job;
  g_autoptr(GError) error = NULL;

  self->reuse = TRUE;
  self->displays = TRUE;
  self->cache_limit = SVD_SESSION_CACHE_DEFAULT_BYTES;
  self->counters = g_new0 (Counters, 1);

  svd_settings_copy (&self->settings, settings);
  self->opened = opened;
  self->frame_ready = frame_ready;
  self->progress = progress;
  self->user_data = user_data;
  self->dists_mode = SVD_SESSION_DISTS_MODE;
  self->worker = svd_worker_new ("svd-session", NULL, 2, worker_state_init, &self->settings, worker_state_free);
  self->dists_slot = g_new0 (DistsSlot, 1);
  g_mutex_init (&self->dists_slot->lock);
  self->dists_slot->index = -1;
  svd_worker_set_progress_func (self->worker, progress_cb, self);

  job = g_new0 (SvdSessionSetup, 1);
  *job = *setup;
  job->input_path = g_strdup (setup->input_path);
  job->reference_path = g_strdup (setup->reference_path);
  if (svd_worker_submit (self->worker, 0, open_job, job,
                         setup_free, session_info_free,
                         opened_cb, self, &error) == 0)
    g_warning ("Could not open the session: %s", error->message);

  return self;
}

/**
 * svd_session_free:
 * @self: a #SvdSession
 *
 * Joins the worker (freeing engines, readers and the runner on it); no
 * callback runs after this.
 */
void
svd_session_free (SvdSession *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->worker, svd_worker_free);
  g_clear_pointer (&self->dists_worker, svd_worker_free);
  g_free (self->counters);
  dists_slot_clear_locked (self->dists_slot);
  g_mutex_clear (&self->dists_slot->lock);
  g_free (self->dists_slot);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      g_clear_pointer (&self->chains[i], chain_config_unref);
      g_clear_pointer (&self->measured[i], g_hash_table_unref);
    }
  svd_settings_clear (&self->settings);
  g_free (self);
}

/**
 * svd_session_set_chain:
 * @self: a #SvdSession
 * @slot: 0 to %SVD_SESSION_MAX_CHAINS - 1
 * @chain: (nullable): the chain, with its models loaded (copied here);
 *   %NULL or an empty chain removes it
 *
 * Takes effect with the next request; the engine is built on the worker.
 */
void
svd_session_set_chain (SvdSession     *self,
                       guint           slot,
                       const SvdChain *chain)
{
  ChainConfig *config;

  g_return_if_fail (self != NULL);
  g_return_if_fail (slot < SVD_SESSION_MAX_CHAINS);

  g_clear_pointer (&self->chains[slot], chain_config_unref);
  if (self->measured[slot] != NULL)
    g_hash_table_remove_all (self->measured[slot]);
  if (self->scan.active && self->scan.slot == slot)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The chain changed");

      scan_finish (self, error);
    }
  if (chain == NULL || chain->steps->len == 0)
    return;
  config = g_new0 (ChainConfig, 1);
  config->ref_count = 1;
  config->generation = ++self->generation;
  config->chain = svd_chain_copy (chain);
  config->n_steps = chain->steps->len;
  svd_settings_copy (&config->settings, &self->settings);
  self->chains[slot] = config;
}

/**
 * svd_session_set_engine_settings:
 * @self: a #SvdSession
 * @settings: the new device and precision
 *
 * Every chain gets a new engine built with @settings on the worker, with
 * the next request; results in flight finish on the old engines.
 */
void
svd_session_set_engine_settings (SvdSession        *self,
                                 const SvdSettings *settings)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (settings != NULL);

  svd_settings_clear (&self->settings);
  svd_settings_copy (&self->settings, settings);
  /* DISTS loads a runner with them for its next job; one in flight is
   * dropped, as for a new variant. */
  self->settings_generation++;
  if (self->dists_worker != NULL)
    svd_worker_invalidate (self->dists_worker);
  for (guint slot = 0; slot < SVD_SESSION_MAX_CHAINS; slot++)
    {
      ChainConfig *old = self->chains[slot];

      /* A new config, not an edited one: requests in flight share the old. */
      if (old != NULL)
        {
          chain_config_ref (old);
          svd_session_set_chain (self, slot, old->chain);
          chain_config_unref (old);
        }
    }
}

guint
svd_session_get_n_steps (SvdSession *self,
                         guint       slot)
{
  g_return_val_if_fail (self != NULL && slot < SVD_SESSION_MAX_CHAINS, 0);

  return self->chains[slot] != NULL ? self->chains[slot]->n_steps : 0;
}

/* ---- Every frame's metrics, and the scan of the whole clip ---------------- */

static void
record_metrics (SvdSession            *self,
                guint                  slot,
                guint                  generation,
                const SvdMetricsFrame *metrics)
{
  gint64 *key;

  if (self->chains[slot] == NULL || self->chains[slot]->generation != generation)
    return;  /* made by a chain since replaced */
  if (self->measured[slot] == NULL || self->measured_generation[slot] != generation)
    {
      g_clear_pointer (&self->measured[slot], g_hash_table_unref);
      self->measured[slot] = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      self->measured_generation[slot] = generation;
    }
  key = g_memdup2 (&metrics->frame_index, sizeof metrics->frame_index);
  g_hash_table_replace (self->measured[slot], key, g_memdup2 (metrics, sizeof *metrics));
}

static void
scan_finish (SvdSession   *self,
             const GError *error)
{
  SvdSessionScanFunc func = self->scan.func;
  guint slot = self->scan.slot;

  self->scan.active = FALSE;
  self->scan.index = -1;
  self->scan.func = NULL;
  if (func != NULL)
    func (slot, NULL, svd_session_get_n_measured (self, slot), self->n_frames, TRUE, error, self->user_data);
}

static void scan_frame_done (SvdSession      *self,
                             SvdSessionFrame *frame,
                             const GError    *error);

static void
scan_done_cb (guint64       serial,
              gpointer      result,
              const GError *error,
              gpointer      user_data)
{
  SvdSession *self = user_data;

  /* Not for a scan cancelled, or replaced after a seek. */
  if (self->scan.active && serial == self->scan.serial)
    scan_frame_done (self, result, error);
  if (result != NULL)
    svd_session_frame_free (result);
}

static void
scan_frame_done (SvdSession      *self,
                 SvdSessionFrame *frame,
                 const GError    *error)
{
  SvdSessionChainFrame *c;
  guint slot = self->scan.slot;

  self->scan.index = -1;
  if (frame == NULL)
    {
      /* The clip ended before its announced length: the scan is done. */
      if (self->scan.next > 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Scan ends at frame %" G_GINT64_FORMAT ": %s", self->scan.next, error->message);
          self->n_frames = MIN (self->n_frames, self->scan.next);
          scan_finish (self, NULL);
        }
      else
        scan_finish (self, error);
      return;
    }
  c = &frame->chains[slot];
  if (c->error != NULL || !c->has_metrics)
    {
      g_autoptr(GError) failed = g_error_new (SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Frame %" G_GINT64_FORMAT ": %s",
                                              frame->index + 1,
                                              c->error != NULL ? c->error
                                              : c->metrics_problem != NULL ? c->metrics_problem
                                              : "no metrics without a reference");

      scan_finish (self, failed);
      return;
    }
  record_metrics (self, slot, c->generation, &c->metrics);
  self->scan.next = frame->index + 1;
  if (self->scan.func != NULL)
    self->scan.func (slot, &c->metrics, svd_session_get_n_measured (self, slot), self->n_frames, FALSE, NULL,
                     self->user_data);
  if (self->scan.active)
    scan_step (self);
}

/* Asks for the next frame the scanned chain has not measured, or ends the
 * scan when there is none. */
static void
scan_step (SvdSession *self)
{
  g_autoptr(GError) error = NULL;
  GHashTable *measured;
  FrameRequest *request;
  guint slot = self->scan.slot;

  if (!self->scan.active || self->scan.index >= 0)
    return;
  measured = self->measured[slot] != NULL && self->measured_generation[slot] == self->chains[slot]->generation
             ? self->measured[slot] : NULL;
  while (self->scan.next < self->n_frames && measured != NULL &&
         g_hash_table_contains (measured, &self->scan.next))
    self->scan.next++;
  if (self->scan.next >= self->n_frames)
    {
      scan_finish (self, NULL);
      return;
    }

  /* Only this chain, no overlays, DISTS or displays (none is made: the
   * request is headless): the frame cache stays the user's; the metrics
   * go to the table. */
  request = g_new0 (FrameRequest, 1);
  request->index = self->scan.next;
  request->reuse = self->reuse;
  request->cache_limit = 0;
  request->counters = self->counters;
  request->dists_slot = self->dists_slot;
  request->chains[slot] = chain_config_ref (self->chains[slot]);
  self->scan.index = self->scan.next;
  self->scan.serial = svd_worker_submit (self->worker, 2, frame_job, request, frame_request_free,
                                         (GDestroyNotify) svd_session_frame_free, scan_done_cb, self, &error);
  if (self->scan.serial == 0)
    scan_finish (self, error);
}

/**
 * svd_session_scan:
 * @self: a #SvdSession whose clip is open
 * @slot: the chain to measure every frame of
 * @func: called on this thread's context for each frame measured, then
 *   once more when the scan is over
 * @error: return location for an error
 *
 * Measures PSNR and SSIM of every frame of the clip that chain @slot has
 * not been measured on, in the background: one frame at a time on the
 * session's worker, after any frame the client asked for. Another scan
 * running is cancelled first.
 *
 * Returns: %FALSE if there is no such chain, reference or clip
 */
gboolean
svd_session_scan (SvdSession         *self,
                  guint               slot,
                  SvdSessionScanFunc  func,
                  GError            **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (slot < SVD_SESSION_MAX_CHAINS, FALSE);

  if (self->chains[slot] == NULL || self->n_frames <= 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Chain %u has nothing to scan", slot + 1);
      return FALSE;
    }
  if (self->mode == SVD_REFERENCE_NONE)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "No reference: nothing to measure");
      return FALSE;
    }
  svd_session_cancel_scan (self);
  self->scan.active = TRUE;
  self->scan.slot = slot;
  self->scan.next = 0;
  self->scan.index = -1;
  self->scan.func = func;
  scan_step (self);
  return TRUE;
}

/**
 * svd_session_cancel_scan:
 * @self: a #SvdSession
 *
 * Stops a scan; its function is called once more, with
 * %G_IO_ERROR_CANCELLED. What it measured is kept.
 */
void
svd_session_cancel_scan (SvdSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);

  if (!self->scan.active)
    return;
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Scan cancelled");
  scan_finish (self, error);
}

/**
 * svd_session_is_scanning:
 * @self: a #SvdSession
 * @slot: (out) (optional): the chain scanned
 *
 * Returns: whether a scan runs
 */
gboolean
svd_session_is_scanning (SvdSession *self,
                         guint      *slot)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (slot != NULL)
    *slot = self->scan.slot;
  return self->scan.active;
}

/**
 * svd_session_get_n_measured:
 * @self: a #SvdSession
 * @slot: a chain
 *
 * Returns: how many frames of the clip the chain's metrics are known for
 */
gint64
svd_session_get_n_measured (SvdSession *self,
                            guint       slot)
{
  g_return_val_if_fail (self != NULL && slot < SVD_SESSION_MAX_CHAINS, 0);

  if (self->measured[slot] == NULL || self->chains[slot] == NULL ||
      self->measured_generation[slot] != self->chains[slot]->generation)
    return 0;
  return g_hash_table_size (self->measured[slot]);
}

/**
 * svd_session_get_worst:
 * @self: a #SvdSession
 * @slot: a chain
 * @metric: which metric
 * @value: (out) (optional): its value there
 *
 * Returns: the frame with the lowest @metric among those measured for the
 *   chain (the first of equals), or -1 when none is
 */
gint64
svd_session_get_worst (SvdSession       *self,
                       guint             slot,
                       SvdSessionMetric  metric,
                       double           *value)
{
  GHashTableIter iter;
  gpointer key, data;
  gint64 worst = -1;
  double lo = INFINITY;

  g_return_val_if_fail (self != NULL && slot < SVD_SESSION_MAX_CHAINS, -1);

  if (svd_session_get_n_measured (self, slot) == 0)
    return -1;
  g_hash_table_iter_init (&iter, self->measured[slot]);
  while (g_hash_table_iter_next (&iter, &key, &data))
    {
      const SvdMetricsFrame *m = data;
      double v = metric == SVD_SESSION_METRIC_SSIM_Y ? (m->has_ssim ? m->ssim_y : NAN) : m->psnr_y;
      gint64 index = *(gint64 *) key;

      if (isfinite (v) && (v < lo || (v == lo && index < worst)))
        {
          lo = v;
          worst = index;
        }
    }
  if (value != NULL)
    *value = lo;
  return worst;
}

static void
frame_done_cb (guint64       serial,
               gpointer      result,
               const GError *error,
               gpointer      user_data)
{
  SvdSession *self = user_data;
  SvdSessionFrame *frame = result;

  if (self->n_pending > 0)
    self->n_pending--;
  if (frame != NULL)
    for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
      if (frame->chains[i].active && frame->chains[i].has_metrics)
        record_metrics (self, i, frame->chains[i].generation, &frame->chains[i].metrics);
  self->frame_ready (result, error, self->user_data);
}

/**
 * svd_session_request:
 * @self: a #SvdSession
 * @index: the input frame
 * @viewer_serial: handed back in the result
 * @seek: drop every older request and result (a seek or a step)
 * @want_overlays: also make difference and SSIM overlays
 *
 * Asks for frame @index through every chain. Queued requests coalesce, so
 * only the newest waits.
 */
void
svd_session_request (SvdSession *self,
                     gint64      index,
                     guint64     viewer_serial,
                     gboolean    seek,
                     gboolean    want_overlays)
{
  g_autoptr(GError) error = NULL;
  FrameRequest *request;

  g_return_if_fail (self != NULL);

  request = g_new0 (FrameRequest, 1);
  request->index = index;
  request->viewer_serial = viewer_serial;
  request->want_overlays = want_overlays;
  request->want_displays = self->displays || want_overlays;
  request->reuse = self->reuse;
  request->want_dists = self->dists_ready != NULL;
  request->cache_limit = self->cache_limit;
  request->counters = self->counters;
  request->dists_slot = self->dists_slot;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (self->chains[i] != NULL)
      request->chains[i] = chain_config_ref (self->chains[i]);
  if (seek)
    {
      svd_worker_invalidate (self->worker);
      self->n_pending = 0;
    }
  /* A DISTS still running is for an older frame: on a CPU device it takes
   * seconds and would hold every core while the new frame waits (playback
   * crawled). Stop it; the window asks again once it pauses on a frame. */
  if (self->dists_worker != NULL)
    svd_worker_invalidate (self->dists_worker);
  if (svd_worker_submit (self->worker, 1, frame_job, request, frame_request_free,
                         (GDestroyNotify) svd_session_frame_free, frame_done_cb, self, &error) == 0)
    g_warning ("Could not ask for frame %" G_GINT64_FORMAT ": %s", index, error->message);
  else
    self->n_pending = MIN (self->n_pending + 1, 2);
  /* The seek dropped the scan's frame in flight: asked again, after this
   * one. */
  if (seek && self->scan.active && self->scan.index >= 0)
    {
      self->scan.index = -1;
      scan_step (self);
    }
}

static void
dists_done_cb (guint64       serial,
               gpointer      result,
               const GError *error,
               gpointer      user_data)
{
  SvdSession *self = user_data;
  SvdSessionDists *dists = result;

  if (dists == NULL)
    return;
  /* A chain changed since: its value belongs to the old chain. */
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (self->chains[i] == NULL || self->chains[i]->generation != dists->chain_generation[i])
      dists->has_dists[i] = FALSE;
  if (self->dists_ready != NULL)
    self->dists_ready (g_steal_pointer (&dists), self->user_data);
  svd_session_dists_free (dists);
}

/**
 * svd_session_set_dists_func:
 * @self: a #SvdSession
 * @func: (nullable): called with every DISTS result (transfer full), with
 *   the session's user data
 */
void
svd_session_set_dists_func (SvdSession          *self,
                            SvdSessionDistsFunc  func)
{
  g_return_if_fail (self != NULL);

  self->dists_ready = func;
}

/**
 * svd_session_request_dists:
 * @self: a #SvdSession
 *
 * Asks for DISTS of the newest frame the chains made, on the session's
 * DISTS thread (started here the first time). A queued DISTS job is
 * replaced, not doubled, and one that finds nothing new returns at once.
 * During playback it lags: the result names its frame.
 *
 * Returns: whether a job was queued
 */
gboolean
svd_session_request_dists (SvdSession *self)
{
  g_autoptr(GError) error = NULL;
  DistsJob *job;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->dists_worker == NULL)
    self->dists_worker = svd_worker_new ("svd-dists", NULL, 1, dists_state_init, &self->settings,
                                         dists_state_free);
  job = g_new0 (DistsJob, 1);
  job->slot = self->dists_slot;
  job->mode = self->dists_mode;
  svd_settings_copy (&job->settings, &self->settings);
  job->settings_generation = self->settings_generation;
  if (svd_worker_submit (self->dists_worker, 1, dists_job, job, dists_job_free,
                         (GDestroyNotify) svd_session_dists_free, dists_done_cb, self, &error) == 0)
    {
      g_debug ("DISTS not queued: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_session_set_dists_mode:
 * @self: a #SvdSession
 * @mode: the DISTS variant for the following DISTS jobs
 *
 * A DISTS job of the old variant, queued or running, is dropped: its frame
 * comes again with the next frame request. The DISTS thread loads a runner
 * for @mode when it next computes.
 */
void
svd_session_set_dists_mode (SvdSession   *self,
                            SvdDistsMode  mode)
{
  g_return_if_fail (self != NULL);

  if (self->dists_mode == mode)
    return;
  self->dists_mode = mode;
  if (self->dists_worker != NULL)
    svd_worker_invalidate (self->dists_worker);
}

SvdDistsMode
svd_session_get_dists_mode (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, SVD_SESSION_DISTS_MODE);

  return self->dists_mode;
}

guint
svd_session_get_n_pending (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_pending;
}

/**
 * svd_session_set_reuse:
 * @self: a session
 * @reuse: whether a frame bit-identical to the last one a chain computed
 *   takes that output instead of running the chain (on by default; the
 *   output is the same, the time is not)
 *
 * Applies to the frames asked for from now on.
 */
void
svd_session_set_reuse (SvdSession *self,
                       gboolean    reuse)
{
  g_return_if_fail (self != NULL);

  self->reuse = !!reuse;
}

/**
 * svd_session_set_displays:
 * @self: a session
 * @displays: whether frames carry the RGBA8 images a view shows (the
 *   source, the reference and each chain's display); on by default
 *
 * Without a view (`svd compare` without --save-frames) nothing needs
 * them: on a device the frames and chain outputs then stay there, and only
 * the metrics' sums come back; on the CPU reference no RGBA8 conversion
 * runs. The metrics are the same either way. Requests with overlays
 * always get the displays (the SSIM overlay is drawn over the
 * reference). Frames made without displays do not go in the frame cache.
 * Applies to the frames asked for from now on.
 */
void
svd_session_set_displays (SvdSession *self,
                          gboolean    displays)
{
  g_return_if_fail (self != NULL);

  self->displays = !!displays;
}

/**
 * svd_session_get_n_displays:
 * @self: a session
 *
 * Returns: how many RGBA8 view images (sources, references, chain
 *   displays) the session made, read back from the device or converted
 *   on the host, since it began (warm-ups not counted); any thread
 */
guint
svd_session_get_n_displays (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->counters->displays);
}

/**
 * svd_session_set_cache_limit:
 * @self: a session
 * @bytes: the most bytes of images the frame cache keeps; 0 turns it off
 *
 * Applies from the next request on (the cache shrinks then). The default
 * is %SVD_SESSION_CACHE_DEFAULT_BYTES.
 */
void
svd_session_set_cache_limit (SvdSession *self,
                             gsize       bytes)
{
  g_return_if_fail (self != NULL);

  self->cache_limit = bytes;
}

gsize
svd_session_get_cache_limit (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->cache_limit;
}

/**
 * svd_session_get_n_chain_runs:
 * @self: a session
 *
 * Returns: how many times a chain ran on a frame since the session began
 *   (warm-ups, frames from the cache and reused outputs not counted);
 *   any thread
 */
guint
svd_session_get_n_chain_runs (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->counters->chain_runs);
}

/**
 * svd_session_get_n_warmups:
 * @self: a session
 *
 * Returns: how many engines were built and warmed up (a new chain, device
 *   or precision each)
 */
guint
svd_session_get_n_warmups (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->counters->warmups);
}

/**
 * svd_session_get_state:
 * @self: a session
 *
 * Returns: what the frame worker is doing now (any thread)
 */
SvdSessionState
svd_session_get_state (SvdSession *self)
{
  g_return_val_if_fail (self != NULL, SVD_SESSION_STATE_IDLE);

  return (SvdSessionState) g_atomic_int_get (&self->counters->state);
}

/**
 * svd_session_set_state_func:
 * @self: a session
 * @func: (nullable): called on the session's context, with the session's
 *   user data, when the state changed (coalesced: it gets the state as it
 *   is then, and a short state may be missed)
 *
 * For the GUI's "warming up (compiling kernels)…" label.
 */
void
svd_session_set_state_func (SvdSession          *self,
                            SvdSessionStateFunc  func)
{
  g_return_if_fail (self != NULL);

  self->state_func = func;
}
