/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cl-metrics"

#include "svd-cl-metrics.h"
#include "core/svd-error.h"

#include <math.h>

/* Rows per work-item; a work-item owns 16 pixels of that many rows. */
#define BAND 32
#define PADX 8
#define WG 8

struct _SvdClMetrics {
  SvdClContext *context;
  cl_program    program;
  cl_kernel     prepare_f32;
  cl_kernel     prepare_u8;
  cl_kernel     prepare_planes;
  cl_kernel     fused;
  int           width;
  int           height;
  cl_mem        in_ref;
  cl_mem        in_dist;
  cl_mem        y_ref;
  cl_mem        y_dist;
  cl_mem        diff;
  cl_mem        map;
  cl_mem        partial_sse;
  cl_mem        partial_ssim;
};

static void
release_buffers (SvdClMetrics *self)
{
  cl_mem *bufs[] = { &self->in_ref, &self->in_dist, &self->y_ref, &self->y_dist, &self->diff,
                     &self->map, &self->partial_sse, &self->partial_ssim };

  for (gsize i = 0; i < G_N_ELEMENTS (bufs); i++)
    if (*bufs[i] != NULL)
      {
        clReleaseMemObject (*bufs[i]);
        *bufs[i] = NULL;
      }
  self->width = self->height = 0;
}

void
svd_cl_metrics_free (SvdClMetrics *self)
{
  cl_kernel kernels[4];

  if (self == NULL)
    return;
  release_buffers (self);
  kernels[0] = self->prepare_f32;
  kernels[1] = self->prepare_u8;
  kernels[2] = self->fused;
  kernels[3] = self->prepare_planes;
  for (int i = 0; i < 4; i++)
    if (kernels[i] != NULL)
      clReleaseKernel (kernels[i]);
  if (self->program != NULL)
    clReleaseProgram (self->program);
  g_clear_pointer (&self->context, svd_cl_context_unref);
  g_free (self);
}

/**
 * svd_cl_metrics_new:
 * @context: an OpenCL context
 * @options: (nullable): options (float_exact is compiled in; threads is
 *   ignored)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the metrics runner
 */
SvdClMetrics *
svd_cl_metrics_new (SvdClContext             *context,
                    const SvdMetricsOptions  *options,
                    GError                  **error)
{
  g_autoptr(SvdClMetrics) self = g_new0 (SvdClMetrics, 1);
  g_autofree char *source = svd_cl_context_load_source (context, "metrics.cl", error);
  const char *sources[] = { source, NULL };
  g_autoptr(GString) opts = g_string_new ("-cl-std=CL1.2");
  double w[SVD_SSIM_WINDOW];

  if (source == NULL)
    return NULL;
  svd_metrics_ssim_weights (w);
  for (int k = 0; k <= SVD_SSIM_RADIUS; k++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      /* Locale-independent, with enough digits to round-trip a float. */
      g_string_append_printf (opts, " -DSSIM_W%d=%sf", k,
                              g_ascii_formatd (buf, sizeof buf, "%.9e", w[SVD_SSIM_RADIUS + k]));
    }
  g_string_append_printf (opts, " -DFLOAT_EXACT=%d -DBAND=%d",
                          options != NULL && options->float_exact ? 1 : 0, BAND);

  self->context = svd_cl_context_ref (context);
  self->program = svd_cl_context_build_program (context, sources, opts->str, NULL, error);
  if (self->program == NULL)
    return NULL;
  if ((self->prepare_f32 = svd_cl_create_kernel (self->program, "metrics_prepare_f32", error)) == NULL ||
      (self->prepare_u8 = svd_cl_create_kernel (self->program, "metrics_prepare_u8", error)) == NULL ||
      (self->prepare_planes = svd_cl_create_kernel (self->program, "metrics_prepare_planes", error)) == NULL ||
      (self->fused = svd_cl_create_kernel (self->program, "ssim_fused", error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* Must match luma_pitch() in opencl/metrics.cl. */
static int
luma_pitch (int width)
{
  return (width + 15) / 16 * 16 + 2 * PADX + 16;
}

static gboolean
ensure_buffers (SvdClMetrics  *self,
                int            w,
                int            h,
                GError       **error)
{
  gsize n = (gsize) w * h;
  gsize groups = (gsize) (((w + 15) / 16 + WG - 1) / WG * WG) * ((h + BAND - 1) / BAND);
  gsize luma = (gsize) luma_pitch (w) * h;
  struct { cl_mem *buf; gsize size; } list[] = {
    { &self->in_ref, n * 3 * sizeof (float) },
    { &self->in_dist, n * 3 * sizeof (float) },
    { &self->y_ref, luma * sizeof (float) },
    { &self->y_dist, luma * sizeof (float) },
    { &self->diff, n * 3 * sizeof (float) },
    { &self->map, n * sizeof (float) },
    { &self->partial_sse, groups * 2 * sizeof (float) },
    { &self->partial_ssim, groups * sizeof (float) },
  };

  if (self->width == w && self->height == h)
    return TRUE;
  release_buffers (self);
  for (gsize i = 0; i < G_N_ELEMENTS (list); i++)
    {
      *list[i].buf = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, list[i].size, error);
      if (*list[i].buf == NULL)
        {
          release_buffers (self);
          return FALSE;
        }
    }
  /* The slack right of the luma pads is read (and masked) by the SSIM
   * kernel; zero it once so it never holds NaNs. */
  for (int i = 2; i < 4; i++)
    {
      float zero = 0.0f;
      cl_int err = clEnqueueFillBuffer (svd_cl_context_get_queue (self->context), *list[i].buf,
                                        &zero, sizeof zero, 0, list[i].size, 0, NULL, NULL);

      if (err != CL_SUCCESS)
        {
          release_buffers (self);
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueFillBuffer");
        }
    }
  self->width = w;
  self->height = h;
  return TRUE;
}

static cl_int
upload (cl_command_queue  q,
        cl_mem            buf,
        const SvdImage   *img)
{
  size_t origin[3] = { 0, 0, 0 };
  int w = img->width, h = img->height;
  cl_int err = CL_SUCCESS;

  if (img->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
        {
          size_t buf_origin[3] = { (size_t) c * w * h * sizeof (float), 0, 0 };
          size_t region[3] = { (size_t) w * sizeof (float), (size_t) h, 1 };

          err = clEnqueueWriteBufferRect (q, buf, CL_FALSE, buf_origin, origin, region,
                                          (size_t) w * sizeof (float), 0, img->stride[c], 0,
                                          img->data[c], 0, NULL, NULL);
        }
    }
  else
    {
      int step = img->format == SVD_PIXEL_FORMAT_RGBA8 ? 4 : 3;
      size_t region[3] = { (size_t) w * step, (size_t) h, 1 };

      err = clEnqueueWriteBufferRect (q, buf, CL_FALSE, origin, origin, region,
                                      (size_t) w * step, 0, img->stride[0], 0, img->data[0],
                                      0, NULL, NULL);
    }
  return err;
}

static cl_int
read_planes (cl_command_queue  q,
             cl_mem            buf,
             SvdImage         *img,
             int               n_planes)
{
  size_t origin[3] = { 0, 0, 0 };
  int w = img->width, h = img->height;
  cl_int err = CL_SUCCESS;

  for (int c = 0; c < n_planes && err == CL_SUCCESS; c++)
    {
      size_t buf_origin[3] = { (size_t) c * w * h * sizeof (float), 0, 0 };
      size_t region[3] = { (size_t) w * sizeof (float), (size_t) h, 1 };

      err = clEnqueueReadBufferRect (q, buf, CL_TRUE, buf_origin, origin, region,
                                     (size_t) w * sizeof (float), 0, img->stride[c], 0,
                                     img->data[c], 0, NULL, NULL);
    }
  return err;
}

/* A float RGB image already on the device, copied into a tight buffer. */
static cl_int
copy_planes (cl_command_queue   q,
             const SvdClPlanes *src,
             cl_mem             dst,
             int                w,
             int                h)
{
  cl_int err = CL_SUCCESS;

  for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
    {
      size_t src_origin[3] = { src->offset + (size_t) c * src->plane, 0, 0 };
      size_t dst_origin[3] = { (size_t) c * w * h * sizeof (float), 0, 0 };
      size_t region[3] = { (size_t) w * sizeof (float), (size_t) h, 1 };

      err = clEnqueueCopyBufferRect (q, src->mem, dst, src_origin, dst_origin, region,
                                     src->pitch, 0, (size_t) w * sizeof (float), 0, 0, NULL, NULL);
    }
  return err;
}

#define SET_ARG(k, i, v) err |= clSetKernelArg (k, i, sizeof (v), &(v))

static gboolean compute (SvdClMetrics       *self,
                         const SvdImage     *ref,
                         const SvdClPlanes  *ref_planes,
                         const SvdImage     *dist,
                         const SvdClPlanes  *dist_planes,
                         gint64              frame_index,
                         SvdMetricsFrame    *frame,
                         SvdImage          **ssim_map,
                         SvdImage          **diff_map,
                         GError            **error);

/**
 * svd_cl_metrics_compute:
 * @self: the runner
 * @ref: reference (RGB_F32, RGB8 or RGBA8)
 * @dist: distorted image of the same size (any of those formats; when the
 *   two formats differ both are converted to float on the host first)
 * @frame: (out caller-allocates): the values
 * @ssim_map: (out) (optional) (transfer full): as svd_metrics_compute()
 * @diff_map: (out) (optional) (transfer full): as svd_metrics_compute()
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
svd_cl_metrics_compute (SvdClMetrics     *self,
                        const SvdImage   *ref,
                        const SvdImage   *dist,
                        SvdMetricsFrame  *frame,
                        SvdImage        **ssim_map,
                        SvdImage        **diff_map,
                        GError          **error)
{
  return compute (self, ref, NULL, dist, NULL, dist->frame_index, frame, ssim_map, diff_map, error);
}

/**
 * svd_cl_metrics_compute_planes:
 * @self: the metrics
 * @ref: the reference (RGB_F32, on the host)
 * @dist: the distorted image, already on the device of @self's context
 *   (an engine's result: svd_engine_get_output_planes()), same size
 * @frame_index: stored in @frame
 * @frame: (out caller-allocates): as svd_cl_metrics_compute()
 * @ssim_map: (out) (optional) (transfer full): as svd_cl_metrics_compute()
 * @diff_map: (out) (optional) (transfer full): as svd_cl_metrics_compute()
 * @error: return location for an error
 *
 * As svd_cl_metrics_compute(), with @dist copied from buffer to buffer on
 * the device: a chain's output reaches the metrics without a host round
 * trip. The values are the same as for the downloaded image.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_cl_metrics_compute_planes (SvdClMetrics       *self,
                               const SvdImage     *ref,
                               const SvdClPlanes  *dist,
                               gint64              frame_index,
                               SvdMetricsFrame    *frame,
                               SvdImage          **ssim_map,
                               SvdImage          **diff_map,
                               GError            **error)
{
  cl_context mem_context = NULL;

  if (clGetMemObjectInfo (dist->mem, CL_MEM_CONTEXT, sizeof mem_context, &mem_context, NULL) != CL_SUCCESS ||
      mem_context != svd_cl_context_get_context (self->context))
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                           "The image is on another OpenCL context than the metrics");
      return FALSE;
    }
  return compute (self, ref, NULL, NULL, dist, frame_index, frame, ssim_map, diff_map, error);
}

static gboolean
on_context (SvdClMetrics       *self,
            const SvdClPlanes  *planes,
            GError            **error)
{
  cl_context mem_context = NULL;

  if (clGetMemObjectInfo (planes->mem, CL_MEM_CONTEXT, sizeof mem_context, &mem_context, NULL) != CL_SUCCESS ||
      mem_context != svd_cl_context_get_context (self->context))
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                           "The image is on another OpenCL context than the metrics");
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_cl_metrics_compute_device:
 * @self: the metrics
 * @ref: the reference, already on the device of @self's context (float
 *   RGB planes, e.g. svd_frame_converter_upload()'s)
 * @dist: the distorted image, likewise (svd_engine_get_output_planes())
 * @frame_index: stored in @frame
 * @frame: (out caller-allocates): as svd_cl_metrics_compute()
 * @ssim_map: (out) (optional) (transfer full): as svd_cl_metrics_compute()
 * @diff_map: (out) (optional) (transfer full): as svd_cl_metrics_compute()
 * @error: return location for an error
 *
 * svd_cl_metrics_compute_planes() with the reference on the device too:
 * nothing but the sums (and the maps, when asked) comes back.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_cl_metrics_compute_device (SvdClMetrics       *self,
                               const SvdClPlanes  *ref,
                               const SvdClPlanes  *dist,
                               gint64              frame_index,
                               SvdMetricsFrame    *frame,
                               SvdImage          **ssim_map,
                               SvdImage          **diff_map,
                               GError            **error)
{
  if (!on_context (self, ref, error) || !on_context (self, dist, error))
    return FALSE;
  if (ref->width != dist->width || ref->height != dist->height)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The reference is %dx%d but the image is %dx%d",
                   ref->width, ref->height, dist->width, dist->height);
      return FALSE;
    }
  return compute (self, NULL, ref, NULL, dist, frame_index, frame, ssim_map, diff_map, error);
}

static gboolean
compute (SvdClMetrics       *self,
         const SvdImage     *ref,
         const SvdClPlanes  *ref_planes,
         const SvdImage     *dist,
         const SvdClPlanes  *dist_planes,
         gint64              frame_index,
         SvdMetricsFrame    *frame,
         SvdImage          **ssim_map,
         SvdImage          **diff_map,
         GError            **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  g_autoptr(SvdImage) smap = NULL;
  g_autoptr(SvdImage) dmap = NULL;
  g_autofree float *psse = NULL;
  g_autofree float *pssim = NULL;
  int w, h, want_diff = diff_map != NULL, want_map = ssim_map != NULL;
  int step;
  gsize groups;
  size_t gws[2], lws[2] = { WG, 1 };
  double sse_rgb = 0.0, sse_y = 0.0, ssim_sum = 0.0;
  cl_int err = CL_SUCCESS;
  cl_kernel prep;

  if (ref_planes != NULL)
    ;  /* checked by svd_cl_metrics_compute_device() */
  else if (dist_planes != NULL)
    {
      if (ref->format != SVD_PIXEL_FORMAT_RGB_F32 ||
          ref->width != dist_planes->width || ref->height != dist_planes->height)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "The reference is %s %dx%d but the image on the device is rgbf32 %dx%d",
                       svd_pixel_format_get_info (ref->format)->name, ref->width, ref->height,
                       dist_planes->width, dist_planes->height);
          return FALSE;
        }
    }
  else if (!svd_metrics_check_pair (ref, dist, error))
    return FALSE;
  if (dist_planes == NULL &&
      ((ref->format == SVD_PIXEL_FORMAT_RGB_F32) != (dist->format == SVD_PIXEL_FORMAT_RGB_F32) ||
       (ref->format != dist->format && ref->format != SVD_PIXEL_FORMAT_RGB_F32)))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "OpenCL metrics need both images in one format (%s and %s given)",
                   svd_pixel_format_get_info (ref->format)->name,
                   svd_pixel_format_get_info (dist->format)->name);
      return FALSE;
    }
  w = ref_planes != NULL ? ref_planes->width : ref->width;
  h = ref_planes != NULL ? ref_planes->height : ref->height;
  if (!ensure_buffers (self, w, h, error))
    return FALSE;
  /* Small work-groups: PoCL keeps every work-item's private data (the
   * SSIM ring is 3.5 KiB) on one thread's stack, which wide groups
   * overflow; the code is already vectorised by hand. */
  gws[0] = ((size_t) (w + 15) / 16 + WG - 1) / WG * WG;
  gws[1] = (size_t) (h + BAND - 1) / BAND;
  groups = gws[0] * gws[1];

  /* Both on the device (the session's path): read where they lie. */
  if (ref_planes != NULL && dist_planes != NULL)
    ;
  else if (ref_planes != NULL)
    err = copy_planes (q, ref_planes, self->in_ref, w, h);
  else
    err = upload (q, self->in_ref, ref);
  if (err == CL_SUCCESS && dist_planes == NULL)
    err = upload (q, self->in_dist, dist);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBufferRect");
  /* On the same in-order queue as the engine that made it: the copy
   * follows its last kernel. */
  for (int c = 0; dist_planes != NULL && ref_planes == NULL && c < 3 && err == CL_SUCCESS; c++)
    {
      size_t src_origin[3] = { dist_planes->offset + (size_t) c * dist_planes->plane, 0, 0 };
      size_t dst_origin[3] = { (size_t) c * w * h * sizeof (float), 0, 0 };
      size_t region[3] = { (size_t) w * sizeof (float), (size_t) h, 1 };

      err = clEnqueueCopyBufferRect (q, dist_planes->mem, self->in_dist, src_origin, dst_origin, region,
                                     dist_planes->pitch, 0, (size_t) w * sizeof (float), 0, 0, NULL, NULL);
    }
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueCopyBufferRect");

  if (ref_planes != NULL && dist_planes != NULL)
    {
      /* Offsets, pitches and planes in floats. */
      int ro = (int) (ref_planes->offset / sizeof (float)), rp = (int) (ref_planes->pitch / sizeof (float));
      int rpl = (int) (ref_planes->plane / sizeof (float));
      int dof = (int) (dist_planes->offset / sizeof (float)), dp = (int) (dist_planes->pitch / sizeof (float));
      int dpl = (int) (dist_planes->plane / sizeof (float));

      prep = self->prepare_planes;
      SET_ARG (prep, 0, ref_planes->mem);
      SET_ARG (prep, 1, ro);
      SET_ARG (prep, 2, rp);
      SET_ARG (prep, 3, rpl);
      SET_ARG (prep, 4, dist_planes->mem);
      SET_ARG (prep, 5, dof);
      SET_ARG (prep, 6, dp);
      SET_ARG (prep, 7, dpl);
      SET_ARG (prep, 8, w);
      SET_ARG (prep, 9, h);
      SET_ARG (prep, 10, self->y_ref);
      SET_ARG (prep, 11, self->y_dist);
      SET_ARG (prep, 12, self->diff);
      SET_ARG (prep, 13, want_diff);
      SET_ARG (prep, 14, self->partial_sse);
    }
  else if (ref_planes != NULL || ref->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      prep = self->prepare_f32;
      SET_ARG (prep, 0, self->in_ref);
      SET_ARG (prep, 1, self->in_dist);
      SET_ARG (prep, 2, w);
      SET_ARG (prep, 3, h);
      SET_ARG (prep, 4, self->y_ref);
      SET_ARG (prep, 5, self->y_dist);
      SET_ARG (prep, 6, self->diff);
      SET_ARG (prep, 7, want_diff);
      SET_ARG (prep, 8, self->partial_sse);
    }
  else
    {
      prep = self->prepare_u8;
      step = ref->format == SVD_PIXEL_FORMAT_RGBA8 ? 4 : 3;
      SET_ARG (prep, 0, self->in_ref);
      SET_ARG (prep, 1, self->in_dist);
      SET_ARG (prep, 2, step);
      SET_ARG (prep, 3, w);
      SET_ARG (prep, 4, h);
      SET_ARG (prep, 5, self->y_ref);
      SET_ARG (prep, 6, self->y_dist);
      SET_ARG (prep, 7, self->diff);
      SET_ARG (prep, 8, want_diff);
      SET_ARG (prep, 9, self->partial_sse);
    }
  SET_ARG (self->fused, 0, self->y_ref);
  SET_ARG (self->fused, 1, self->y_dist);
  SET_ARG (self->fused, 2, w);
  SET_ARG (self->fused, 3, h);
  SET_ARG (self->fused, 4, self->map);
  SET_ARG (self->fused, 5, want_map);
  SET_ARG (self->fused, 6, self->partial_ssim);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(metrics)");

  err = clEnqueueNDRangeKernel (q, prep, 2, NULL, gws, lws, 0, NULL, NULL);
  if (err == CL_SUCCESS)
    err = clEnqueueNDRangeKernel (q, self->fused, 2, NULL, gws, lws, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(metrics)");

  psse = g_new (float, 2 * groups);
  pssim = g_new (float, groups);
  err = clEnqueueReadBuffer (q, self->partial_sse, CL_FALSE, 0, groups * 2 * sizeof (float), psse, 0, NULL, NULL);
  if (err == CL_SUCCESS)
    err = clEnqueueReadBuffer (q, self->partial_ssim, CL_TRUE, 0, groups * sizeof (float), pssim, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBuffer(metrics)");

  if (want_map)
    {
      smap = svd_metrics_new_grey_map (w, h, error);
      if (smap == NULL)
        return FALSE;
      err = read_planes (q, self->map, smap, 1);
    }
  if (want_diff && err == CL_SUCCESS)
    {
      dmap = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, error);
      if (dmap == NULL)
        return FALSE;
      err = read_planes (q, self->diff, dmap, 3);
    }
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBufferRect(metrics maps)");

  for (gsize i = 0; i < groups; i++)
    {
      sse_rgb += psse[2 * i];
      sse_y += psse[2 * i + 1];
      ssim_sum += pssim[i];
    }
  svd_metrics_frame_init (frame);
  frame->width = w;
  frame->height = h;
  frame->frame_index = frame_index;
  frame->mse_rgb = sse_rgb / (3.0 * w * h);
  frame->mse_y = sse_y / ((double) w * h);
  frame->psnr_rgb = svd_metrics_psnr_from_mse (frame->mse_rgb);
  frame->psnr_y = svd_metrics_psnr_from_mse (frame->mse_y);
  frame->has_ssim = w >= SVD_SSIM_WINDOW && h >= SVD_SSIM_WINDOW;
  if (frame->has_ssim)
    frame->ssim_y = ssim_sum / ((double) (w - 2 * SVD_SSIM_RADIUS) * (h - 2 * SVD_SSIM_RADIUS));
  if (ssim_map != NULL)
    *ssim_map = g_steal_pointer (&smap);
  if (diff_map != NULL)
    *diff_map = g_steal_pointer (&dmap);
  return TRUE;
}
