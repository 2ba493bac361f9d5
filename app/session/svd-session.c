/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-session"

#include "svd-config.h"

#include "core/svd-error.h"
#include "engine/svd-color.h"
#include "metrics/svd-metrics-runner.h"
#include "session/svd-worker.h"

#include "svd-heatmap.h"
#include "svd-session.h"

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
};

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
  SvdEngine        *engines[SVD_SESSION_MAX_CHAINS];
  guint             engine_generation[SVD_SESSION_MAX_CHAINS];
  char             *engine_error[SVD_SESSION_MAX_CHAINS];
} WorkerState;

static gpointer
worker_state_init (gpointer   init_data,
                   GError   **error)
{
  WorkerState *state = g_new0 (WorkerState, 1);

  svd_settings_copy (&state->settings, init_data);
  return state;
}

static void
worker_state_free (gpointer data)
{
  WorkerState *state = data;

  if (state == NULL)
    return;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      g_clear_pointer (&state->engines[i], svd_engine_free);
      g_free (state->engine_error[i]);
    }
  g_clear_pointer (&state->frames, svd_frame_converter_free);
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
    }
  g_clear_pointer (&state->frames, svd_frame_converter_free);
  g_clear_pointer (&state->runner, svd_metrics_runner_free);
  g_clear_pointer (&state->context, svd_cl_context_unref);
  state->context = g_steal_pointer (&context);
  state->runner = g_steal_pointer (&runner);
  /* The kernels on the metrics' device, as `svd metrics` converts, so the
   * readouts equal the CLI's. */
  state->frames = svd_frame_converter_new_or_cpu (state->context);
  g_free (state->device_key);
  state->device_key = g_strdup (key);
  return TRUE;
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
  ChainConfig *chains[SVD_SESSION_MAX_CHAINS];
  DistsSlot   *dists_slot;  /* the session's; outlives the worker */
} FrameRequest;

static void
frame_request_free (gpointer data)
{
  FrameRequest *request = data;

  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    chain_config_unref (request->chains[i]);
  g_free (request);
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

static gboolean
ensure_engine (WorkerState  *state,
               guint         slot,
               ChainConfig  *config,
               GError      **error)
{
  if (!ensure_device (state, &config->settings, error))
    {
      g_clear_pointer (&state->engine_error[slot], g_free);
      state->engine_error[slot] = g_strdup ((*error)->message);
      return FALSE;
    }
  if (state->engine_generation[slot] != config->generation)
    {
      g_clear_pointer (&state->engines[slot], svd_engine_free);
      g_clear_pointer (&state->engine_error[slot], g_free);
      state->engine_generation[slot] = config->generation;
      state->engines[slot] = svd_engine_new_for_context (state->context, &config->settings, error);
      if (state->engines[slot] == NULL ||
          !svd_engine_set_chain (state->engines[slot], config->chain, error))
        {
          g_clear_pointer (&state->engines[slot], svd_engine_free);
          state->engine_error[slot] = g_strdup ((*error)->message);
          return FALSE;
        }
    }
  if (state->engines[slot] == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           state->engine_error[slot] != NULL ? state->engine_error[slot] : "no engine");
      return FALSE;
    }
  return TRUE;
}

static void
run_chain (WorkerState          *state,
           guint                 slot,
           ChainConfig          *config,
           const SvdImage       *in_rgb,
           const SvdImage       *ref_rgb,
           const SvdImage       *ref_display,
           gboolean              want_overlays,
           SvdSessionChainFrame *out,
           SvdImage            **kept_output,
           GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) output = NULL;
  g_autoptr(SvdImage) ssim_map = NULL;
  g_autoptr(SvdImage) diff_map = NULL;
  SvdClPlanes planes;
  gint64 t0;

  out->active = TRUE;
  if (!ensure_engine (state, slot, config, &error))
    {
      out->error = g_strdup (error->message);
      return;
    }
  t0 = g_get_monotonic_time ();
  if (!svd_engine_process (state->engines[slot], in_rgb, SVD_PIXEL_FORMAT_RGB_F32, &output,
                           &out->timings, cancellable, &error))
    {
      out->error = g_strdup (error->message);
      return;
    }
  out->wall_ms = (g_get_monotonic_time () - t0) / 1000.0;
  output->frame_index = in_rgb->frame_index;
  out->display = to_display (state, output, &error);
  if (out->display == NULL)
    {
      out->error = g_strdup (error->message);
      return;
    }
  if (ref_rgb == NULL)
    return;
  if (output->width != ref_rgb->width || output->height != ref_rgb->height)
    {
      out->metrics_problem = g_strdup_printf ("%d×%d ≠ %d×%d", output->width, output->height,
                                              ref_rgb->width, ref_rgb->height);
      return;
    }
  /* The overlays are the runner's own maps (on the device when it is
   * one): the SSIM map is the Gaussian SSIM whose mean the readout shows. */
  /* The chain's result is still on the worker's one device: the metrics
   * copy it from buffer to buffer there. Tiled or CPU results go through
   * the host image. */
  if (svd_engine_get_output_planes (state->engines[slot], &planes) &&
      svd_engine_get_context (state->engines[slot]) == svd_metrics_runner_get_context (state->runner) &&
      svd_metrics_runner_compute_planes (state->runner, ref_rgb, &planes, in_rgb->frame_index, &out->metrics,
                                         want_overlays ? &ssim_map : NULL,
                                         want_overlays ? &diff_map : NULL, &error))
    out->metrics_on_device = TRUE;
  else if (error != NULL)
    {
      out->metrics_problem = g_strdup (error->message);
      return;
    }
  else if (!svd_metrics_runner_compute (state->runner, ref_rgb, output, &out->metrics,
                                        want_overlays ? &ssim_map : NULL,
                                        want_overlays ? &diff_map : NULL, &error))
    {
      out->metrics_problem = g_strdup (error->message);
      return;
    }
  out->metrics.frame_index = in_rgb->frame_index;
  out->has_metrics = TRUE;
  *kept_output = svd_image_ref (output);
  if (want_overlays)
    {
      out->difference = svd_heatmap_difference (diff_map, 4, &error);
      if (out->difference != NULL)
        out->ssim_map = svd_heatmap_ssim (ssim_map, ref_display, &error);
      if (error != NULL)
        out->metrics_problem = g_strdup (error->message);
    }
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
  g_autoptr(SvdImage) input = NULL;
  g_autoptr(SvdImage) in_rgb = NULL;
  g_autoptr(SvdImage) ref = NULL;
  g_autoptr(SvdImage) ref_rgb = NULL;
  SvdSessionFrame *frame;
  SvdImage *outputs[SVD_SESSION_MAX_CHAINS] = { NULL };
  gint64 t0 = g_get_monotonic_time ();

  if (state->source == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The session has no clip");
      return NULL;
    }
  input = svd_session_source_read_input (state->source, request->index, error);
  if (input == NULL)
    return NULL;
  frame = g_new0 (SvdSessionFrame, 1);
  frame->index = input->frame_index;
  frame->viewer_serial = request->viewer_serial;
  if (!svd_frame_converter_convert (state->frames, input, &in_rgb, &frame->source, error))
    {
      svd_session_frame_free (frame);
      return NULL;
    }
  if (svd_session_source_get_mode (state->source) != SVD_REFERENCE_NONE &&
      svd_session_source_reference_index (state->source, input->frame_index) >= 0)
    {
      g_autoptr(GError) ref_error = NULL;

      /* A missing reference frame is not fatal: the chains still run. */
      ref = svd_session_source_read_reference (state->source, input->frame_index, &ref_error);
      if (ref != NULL && !svd_frame_converter_convert (state->frames, ref, &ref_rgb, &frame->reference, &ref_error))
        g_clear_pointer (&ref_rgb, svd_image_unref);
      if (ref_error != NULL)
        g_message ("No reference for frame %" G_GINT64_FORMAT ": %s", input->frame_index, ref_error->message);
    }

  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      if (request->chains[i] == NULL || request->chains[i]->n_steps == 0)
        continue;
      if (g_cancellable_is_cancelled (cancellable))
        break;
      run_chain (state, i, request->chains[i], in_rgb,
                 frame->reference != NULL ? ref_rgb : NULL, frame->reference,
                 request->want_overlays, &frame->chains[i], &outputs[i], cancellable);
    }
  frame->compute_ms = (g_get_monotonic_time () - t0) / 1000.0;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        g_clear_pointer (&outputs[i], svd_image_unref);
      svd_session_frame_free (frame);
      return NULL;
    }
  /* For DISTS: the newest frame replaces one DISTS has not reached. */
  g_mutex_lock (&request->dists_slot->lock);
  dists_slot_clear_locked (request->dists_slot);
  if (ref_rgb != NULL && frame->reference != NULL)
    {
      request->dists_slot->index = frame->index;
      request->dists_slot->context = state->context != NULL ? svd_cl_context_ref (state->context) : NULL;
      request->dists_slot->ref = svd_image_ref (ref_rgb);
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        {
          request->dists_slot->out[i] = g_steal_pointer (&outputs[i]);
          request->dists_slot->generation[i] = request->chains[i] != NULL ? request->chains[i]->generation : 0;
        }
    }
  g_mutex_unlock (&request->dists_slot->lock);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    g_clear_pointer (&outputs[i], svd_image_unref);
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
         * are the CLI's. A newer frame request cancels it within a layer
         * (svd_session_request()). */
        if (svd_metrics_runner_compute_dists (state->runner, ref, out[i], &score, cancellable, &local))
          {
            result->has_dists[i] = TRUE;
            result->dists[i] = score;
          }
        else if (local != NULL && result->error == NULL &&
                 !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          result->error = g_strdup (local->message);
      }
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
  dists_slot_clear_locked (self->dists_slot);
  g_mutex_clear (&self->dists_slot->lock);
  g_free (self->dists_slot);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    g_clear_pointer (&self->chains[i], chain_config_unref);
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

static void
frame_done_cb (guint64       serial,
               gpointer      result,
               const GError *error,
               gpointer      user_data)
{
  SvdSession *self = user_data;

  if (self->n_pending > 0)
    self->n_pending--;
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
