/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-metrics-runner"

#include "svd-metrics-runner.h"
#include "svd-cl-dists.h"
#include "svd-cl-metrics.h"
#include "core/svd-error.h"

struct _SvdMetricsRunner {
  SvdMetricsOptions  options;
  SvdClContext      *context;
  SvdClMetrics      *cl_metrics;
  gboolean           want_dists;
  SvdDistsMode       dists_mode;
  SvdDistsWeights   *dists_weights;
  SvdClDists        *cl_dists;
  /* The last reference's DISTS features, shared by every chain's output
   * of that frame (svd_metrics_runner_compute_dists_shared()). */
  SvdClDistsFeatures *ref_feat;
  gint64              ref_feat_index;
  GError            *dists_error;
  char              *device;
};

void
svd_metrics_runner_free (SvdMetricsRunner *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->ref_feat, svd_cl_dists_features_free);
  g_clear_pointer (&self->cl_dists, svd_cl_dists_free);
  g_clear_pointer (&self->cl_metrics, svd_cl_metrics_free);
  g_clear_pointer (&self->context, svd_cl_context_unref);
  g_clear_pointer (&self->dists_weights, svd_dists_weights_free);
  g_clear_error (&self->dists_error);
  g_free (self->device);
  g_free (self);
}

/**
 * svd_metrics_runner_new:
 * @settings: device, threads and the DISTS weight paths
 * @want_dists: compute DISTS too
 * @dists_mode: full or short256
 * @error: return location for an error
 *
 * Picks the device (an OpenCL device failing to build the kernels is an
 * error; having no OpenCL device at all falls back to the CPU reference)
 * and, when @want_dists, finds and loads the DISTS weights. Missing or
 * unusable weights do not fail: svd_metrics_runner_get_dists_error() then
 * says why DISTS is unavailable, and frames carry no DISTS value.
 *
 * Returns: (transfer full) (nullable): the runner
 */
SvdMetricsRunner *
svd_metrics_runner_new (const SvdSettings  *settings,
                        gboolean            want_dists,
                        SvdDistsMode        dists_mode,
                        GError            **error)
{
  g_autoptr(SvdClContext) context = NULL;

  if (g_strcmp0 (settings->device, "cpu-ref") != 0)
    {
      g_autoptr(GError) local = NULL;

      context = svd_cl_context_new (settings, &local);
      if (context == NULL)
        {
          /* No OpenCL at all is not an error (the reference still works);
           * a device the user named that does not exist is. */
          if (!g_error_matches (local, SVD_ERROR, SVD_ERROR_NO_DEVICE) ||
              (settings->device != NULL && g_strcmp0 (settings->device, "auto") != 0))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          g_message ("No OpenCL device (%s); metrics run on the CPU reference", local->message);
        }
    }
  return svd_metrics_runner_new_for_context (context, settings, want_dists, dists_mode, error);
}

/**
 * svd_metrics_runner_new_for_context:
 * @context: (nullable): the OpenCL context to run on (referenced), shared
 *   with the engines of the same thread; %NULL for the CPU reference
 * @settings: threads and the DISTS weight paths (the device is @context's)
 * @want_dists: compute DISTS too
 * @dists_mode: full or short256
 * @error: return location for an error
 *
 * As svd_metrics_runner_new() on a context the caller already has, so a
 * worker needs one OpenCL context for its chains and its metrics.
 *
 * Returns: (transfer full) (nullable): the runner
 */
SvdMetricsRunner *
svd_metrics_runner_new_for_context (SvdClContext       *context,
                                    const SvdSettings  *settings,
                                    gboolean            want_dists,
                                    SvdDistsMode        dists_mode,
                                    GError            **error)
{
  g_autoptr(SvdMetricsRunner) self = g_new0 (SvdMetricsRunner, 1);

  self->options.threads = settings->threads;
  self->want_dists = want_dists;
  self->dists_mode = dists_mode;
  if (context != NULL)
    {
      const SvdClDeviceInfo *info = svd_cl_context_get_info (context);

      self->context = svd_cl_context_ref (context);
      self->cl_metrics = svd_cl_metrics_new (self->context, &self->options, error);
      if (self->cl_metrics == NULL)
        return NULL;
      self->device = g_strdup_printf ("%s (%s)", info->name, info->platform_name);
    }
  else
    self->device = g_strdup ("cpu-ref");

  if (want_dists)
    {
      self->dists_weights = svd_dists_weights_find (settings, &self->dists_error);
      if (self->dists_weights != NULL && self->context != NULL)
        {
          self->cl_dists = svd_cl_dists_new (self->context, self->dists_weights, error);
          if (self->cl_dists == NULL)
            return NULL;
        }
    }
  return g_steal_pointer (&self);
}

const char *
svd_metrics_runner_get_device (SvdMetricsRunner *self)
{
  return self->device;
}

gboolean
svd_metrics_runner_is_opencl (SvdMetricsRunner *self)
{
  return self->context != NULL;
}

/**
 * svd_metrics_runner_get_context:
 * @self: the runner
 *
 * Returns: (transfer none) (nullable): the device the metrics run on;
 *   %NULL on the CPU reference
 */
SvdClContext *
svd_metrics_runner_get_context (SvdMetricsRunner *self)
{
  return self->context;
}

/**
 * svd_metrics_runner_get_dists_error:
 * @self: the runner
 *
 * Returns: (nullable): why DISTS is unavailable (usually
 *   %SVD_ERROR_UNAVAILABLE with where to put the weights), or %NULL when
 *   DISTS was not asked for or is available
 */
const GError *
svd_metrics_runner_get_dists_error (SvdMetricsRunner *self)
{
  return self->dists_error;
}

const SvdDistsWeights *
svd_metrics_runner_get_dists_weights (SvdMetricsRunner *self)
{
  return self->dists_weights;
}

SvdDistsMode
svd_metrics_runner_get_dists_mode (SvdMetricsRunner *self)
{
  return self->dists_mode;
}

/**
 * svd_metrics_runner_compute:
 * @self: the runner
 * @ref: reference image (RGB_F32, RGB8 or RGBA8)
 * @dist: distorted image of the same size
 * @frame: (out caller-allocates): the values; DISTS is set when available
 * @ssim_map: (out) (optional) (transfer full): see svd_metrics_compute()
 * @diff_map: (out) (optional) (transfer full): see svd_metrics_compute()
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
svd_metrics_runner_compute (SvdMetricsRunner  *self,
                            const SvdImage    *ref,
                            const SvdImage    *dist,
                            SvdMetricsFrame   *frame,
                            SvdImage         **ssim_map,
                            SvdImage         **diff_map,
                            GError           **error)
{
  gboolean ok;

  /* The device path takes one format for both images; mixed pairs (a PNG
   * against a chain's float output) go through the reference, which reads
   * any mix. */
  if (self->cl_metrics != NULL && ref->format == dist->format)
    ok = svd_cl_metrics_compute (self->cl_metrics, ref, dist, frame, ssim_map, diff_map, error);
  else
    ok = svd_metrics_compute (ref, dist, &self->options, frame, ssim_map, diff_map, error);
  if (!ok)
    return FALSE;

  if (self->dists_weights != NULL)
    {
      double score;

      if (!svd_metrics_runner_compute_dists (self, ref, dist, &score, NULL, error))
        return FALSE;
      frame->has_dists = TRUE;
      frame->dists = score;
    }
  return TRUE;
}

/**
 * svd_metrics_runner_compute_planes:
 * @self: the runner
 * @ref: reference image (RGB_F32)
 * @dist: the distorted image on the runner's device (an engine's result
 *   on the same context, see svd_engine_get_output_planes())
 * @frame_index: stored in @frame
 * @frame: (out caller-allocates): the values
 * @ssim_map: (out) (optional) (transfer full): see svd_metrics_compute()
 * @diff_map: (out) (optional) (transfer full): see svd_metrics_compute()
 * @error: return location for an error
 *
 * svd_metrics_runner_compute() without taking @dist through the host.
 * Fails (nothing computed) on the CPU reference runner or when @dist is on
 * another context; the caller then passes the downloaded image instead.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_metrics_runner_compute_planes (SvdMetricsRunner   *self,
                                   const SvdImage     *ref,
                                   const SvdClPlanes  *dist,
                                   gint64              frame_index,
                                   SvdMetricsFrame    *frame,
                                   SvdImage          **ssim_map,
                                   SvdImage          **diff_map,
                                   GError            **error)
{
  if (self->cl_metrics == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "The metrics run on the CPU reference, not on a device");
      return FALSE;
    }
  return svd_cl_metrics_compute_planes (self->cl_metrics, ref, dist, frame_index, frame, ssim_map, diff_map,
                                        error);
}

/**
 * svd_metrics_runner_compute_device:
 * @self: the runner
 * @ref: the reference on the runner's device (float RGB planes)
 * @dist: the distorted image on the runner's device, same size
 * @frame_index: stored in @frame
 * @frame: (out caller-allocates): the values
 * @ssim_map: (out) (optional) (transfer full): see svd_metrics_compute()
 * @diff_map: (out) (optional) (transfer full): see svd_metrics_compute()
 * @error: return location for an error
 *
 * svd_metrics_runner_compute_planes() with the reference on the device as
 * well: the session's device-resident path. Fails (nothing computed) on
 * the CPU reference runner or when an image is on another context.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_metrics_runner_compute_device (SvdMetricsRunner   *self,
                                   const SvdClPlanes  *ref,
                                   const SvdClPlanes  *dist,
                                   gint64              frame_index,
                                   SvdMetricsFrame    *frame,
                                   SvdImage          **ssim_map,
                                   SvdImage          **diff_map,
                                   GError            **error)
{
  if (self->cl_metrics == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "The metrics run on the CPU reference, not on a device");
      return FALSE;
    }
  return svd_cl_metrics_compute_device (self->cl_metrics, ref, dist, frame_index, frame, ssim_map, diff_map,
                                        error);
}

/**
 * svd_metrics_runner_compute_dists:
 * @self: a runner made with DISTS wanted
 * @ref: the reference frame
 * @dist: the frame to score
 * @score: (out): DISTS in the runner's mode
 * @cancellable: (nullable): stops the OpenCL path within one layer
 * @error: return location for an error
 *
 * DISTS alone, exactly as svd_metrics_runner_compute() computes it, for
 * callers that already have PSNR and SSIM (the app's live readouts).
 *
 * Returns: %TRUE on success; %FALSE with %SVD_ERROR_UNAVAILABLE when the
 *   runner has no DISTS weights
 */
gboolean
svd_metrics_runner_compute_dists (SvdMetricsRunner  *self,
                                  const SvdImage    *ref,
                                  const SvdImage    *dist,
                                  double            *score,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  if (self->dists_weights == NULL)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
                           self->dists_error != NULL ? self->dists_error->message : "DISTS was not asked for");
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (self->cl_dists != NULL)
    return svd_cl_dists_compute (self->cl_dists, ref, dist, self->dists_mode, score, cancellable, error);
  return svd_dists_compute_ref (self->dists_weights, ref, dist, self->dists_mode,
                                self->options.threads, score, error);
}

/**
 * svd_metrics_runner_compute_dists_shared:
 * @self: a runner made with DISTS wanted
 * @ref: the reference frame
 * @ref_index: what identifies @ref (its frame index): calls with the same
 *   index and size score against the same reference features, computed
 *   once; -1 shares nothing
 * @dist: the frame to score (one chain's output)
 * @score: (out): DISTS in the runner's mode
 * @cancellable: (nullable): stops the OpenCL path within one layer
 * @error: return location for an error
 *
 * svd_metrics_runner_compute_dists() for N chains on one reference frame:
 * on the OpenCL path the reference's VGG16 features are kept on the device
 * from the first call and reused while @ref_index stays the same, so N
 * chains cost N + 1 feature passes instead of 2N. The score is the same.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_metrics_runner_compute_dists_shared (SvdMetricsRunner  *self,
                                         const SvdImage    *ref,
                                         gint64             ref_index,
                                         const SvdImage    *dist,
                                         double            *score,
                                         GCancellable      *cancellable,
                                         GError           **error)
{
  g_autoptr(SvdClDistsFeatures) fd = NULL;

  if (self->cl_dists == NULL || ref_index < 0)
    return svd_metrics_runner_compute_dists (self, ref, dist, score, cancellable, error);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!svd_metrics_check_pair (ref, dist, error))
    return FALSE;
  if (self->ref_feat == NULL || self->ref_feat_index != ref_index ||
      !svd_cl_dists_features_match (self->ref_feat, ref->width, ref->height, self->dists_mode))
    {
      g_clear_pointer (&self->ref_feat, svd_cl_dists_features_free);
      self->ref_feat = svd_cl_dists_features_new (self->cl_dists, ref, self->dists_mode, cancellable, error);
      if (self->ref_feat == NULL)
        return FALSE;
      self->ref_feat_index = ref_index;
    }
  fd = svd_cl_dists_features_new (self->cl_dists, dist, self->dists_mode, cancellable, error);
  if (fd == NULL)
    return FALSE;
  return svd_cl_dists_score (self->cl_dists, self->ref_feat, fd, score, error);
}

/**
 * svd_metrics_runner_get_dists_feature_passes:
 * @self: a runner
 *
 * Returns: the DISTS feature passes (one image through VGG16) the OpenCL
 *   path ran so far; 0 on the CPU reference
 */
guint
svd_metrics_runner_get_dists_feature_passes (SvdMetricsRunner *self)
{
  return self->cl_dists != NULL ? svd_cl_dists_get_feature_passes (self->cl_dists) : 0;
}

/**
 * svd_metrics_runner_drop_dists_reference:
 * @self: a runner
 *
 * Frees the reference features svd_metrics_runner_compute_dists_shared()
 * keeps (when the caller is done with that frame, or its reference may
 * change under the same index).
 */
void
svd_metrics_runner_drop_dists_reference (SvdMetricsRunner *self)
{
  g_clear_pointer (&self->ref_feat, svd_cl_dists_features_free);
}
