/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cl-dists"

#include "svd-cl-dists.h"
#include "svd-dists-private.h"
#include "svd-metrics.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

#define STATS_GROUP 64

struct _SvdClDists {
  SvdClContext          *context;
  const SvdDistsWeights *weights;
  cl_program             program;
  cl_kernel              resize_h;
  cl_kernel              resize_v;
  cl_kernel              fill;
  cl_kernel              conv;
  cl_kernel              pool;
  cl_kernel              stats;
  cl_mem                 wbuf[SVD_DISTS_N_CONVS];
  cl_mem                 bbuf[SVD_DISTS_N_CONVS];
};

static void
release_mem (cl_mem *m)
{
  if (*m != NULL)
    clReleaseMemObject (*m);
  *m = NULL;
}

void
svd_cl_dists_free (SvdClDists *self)
{
  cl_kernel *kernels[6];

  if (self == NULL)
    return;
  kernels[0] = &self->resize_h;
  kernels[1] = &self->resize_v;
  kernels[2] = &self->fill;
  kernels[3] = &self->conv;
  kernels[4] = &self->pool;
  kernels[5] = &self->stats;
  for (gsize i = 0; i < G_N_ELEMENTS (kernels); i++)
    if (*kernels[i] != NULL)
      clReleaseKernel (*kernels[i]);
  for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
    {
      release_mem (&self->wbuf[i]);
      release_mem (&self->bbuf[i]);
    }
  if (self->program != NULL)
    clReleaseProgram (self->program);
  g_clear_pointer (&self->context, svd_cl_context_unref);
  g_free (self);
}

static cl_mem
upload_new (SvdClContext  *ctx,
            const void    *data,
            gsize          size,
            GError       **error)
{
  cl_int err = CL_SUCCESS;
  cl_mem m = clCreateBuffer (svd_cl_context_get_context (ctx), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                             size, (void *) data, &err);

  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_HOST_MEMORY
                               ? SVD_ERROR_OUT_OF_MEMORY : SVD_ERROR_OPENCL, err, "clCreateBuffer");
      return NULL;
    }
  return m;
}

/* A zero-filled buffer: feature maps rely on their zero border. */
static cl_mem
alloc_zero (SvdClContext  *ctx,
            gsize          size,
            GError       **error)
{
  cl_mem m = svd_cl_context_alloc (ctx, CL_MEM_READ_WRITE, size, error);
  float zero = 0.0f;
  cl_int err;

  if (m == NULL)
    return NULL;
  err = clEnqueueFillBuffer (svd_cl_context_get_queue (ctx), m, &zero, sizeof zero, 0, size, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    {
      clReleaseMemObject (m);
      svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueFillBuffer");
      return NULL;
    }
  return m;
}

/**
 * svd_cl_dists_new:
 * @context: an OpenCL context
 * @weights: loaded weights; must outlive the runner
 * @error: return location for an error
 *
 * Builds the kernels and uploads the 13 VGG16 convs.
 *
 * Returns: (transfer full) (nullable): the runner
 */
SvdClDists *
svd_cl_dists_new (SvdClContext           *context,
                  const SvdDistsWeights  *weights,
                  GError                **error)
{
  g_autoptr(SvdClDists) self = g_new0 (SvdClDists, 1);
  g_autofree char *source = svd_cl_context_load_source (context, "dists.cl", error);
  const char *sources[] = { source, NULL };
  struct { cl_kernel *k; const char *name; } kernels[] = {
    { &self->resize_h, "dists_resize_h" }, { &self->resize_v, "dists_resize_v" },
    { &self->fill, "dists_fill_input" }, { &self->conv, "dists_conv3x3_relu" },
    { &self->pool, "dists_l2pool" }, { &self->stats, "dists_stats" },
  };

  if (source == NULL)
    return NULL;
  self->context = svd_cl_context_ref (context);
  self->weights = weights;
  self->program = svd_cl_context_build_program (context, sources, "-cl-std=CL1.2", NULL, error);
  if (self->program == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (kernels); i++)
    {
      *kernels[i].k = svd_cl_create_kernel (self->program, kernels[i].name, error);
      if (*kernels[i].k == NULL)
        return NULL;
    }
  if (weights != NULL)
    for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
      {
        g_autofree float *packed = svd_dists_pack_weights (weights->weight[i], weights->conv_in[i],
                                                           weights->conv_out[i]);

        self->wbuf[i] = upload_new (context, packed, (gsize) weights->conv_in[i] * weights->conv_out[i] * 9 * sizeof (float), error);
        if (self->wbuf[i] == NULL)
          return NULL;
        self->bbuf[i] = upload_new (context, weights->bias[i], weights->conv_out[i] * sizeof (float), error);
        if (self->bbuf[i] == NULL)
          return NULL;
      }
  return g_steal_pointer (&self);
}

#define SET_ARG(k, i, v) err |= clSetKernelArg (k, i, sizeof (v), &(v))

/* Enqueues a 3-D kernel with explicit work-groups of @lx x 1 x 1 (the
 * global x size rounded up; the kernels ignore items past the image). With
 * no local size PoCL chose groups that kept one of the two cores idle:
 * the conv ran about twice as fast in wall time with groups of 4. */
static cl_int
enqueue_3d (cl_command_queue  q,
            cl_kernel         kernel,
            const size_t      gws_in[3],
            size_t            lx)
{
  size_t gws[3] = { (gws_in[0] + lx - 1) / lx * lx, gws_in[1], gws_in[2] };
  size_t lws[3] = { lx, 1, 1 };

  return clEnqueueNDRangeKernel (q, kernel, 3, NULL, gws, lws, 0, NULL, NULL);
}

static gboolean
enqueue_conv (SvdClDists    *self,
              cl_mem         in,
              int            c_in,
              cl_mem         out,
              int            c_out,
              int            w,
              int            h,
              int            pitch,
              cl_mem         weight,
              cl_mem         bias,
              GError       **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  size_t gws[3] = { (size_t) (w + SVD_DISTS_CONV_XT - 1) / SVD_DISTS_CONV_XT, (size_t) h,
                    (size_t) c_out / SVD_DISTS_CONV_OB };
  cl_int err = CL_SUCCESS;

  SET_ARG (self->conv, 0, in);
  SET_ARG (self->conv, 1, c_in);
  SET_ARG (self->conv, 2, out);
  SET_ARG (self->conv, 3, w);
  SET_ARG (self->conv, 4, h);
  SET_ARG (self->conv, 5, pitch);
  SET_ARG (self->conv, 6, weight);
  SET_ARG (self->conv, 7, bias);
  if (err == CL_SUCCESS)
    err = enqueue_3d (q, self->conv, gws, 4);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(dists_conv3x3_relu)");
  return TRUE;
}

static gboolean
enqueue_pool (SvdClDists  *self,
              cl_mem       in,
              int          channels,
              int          w,
              int          h,
              int          pitch,
              cl_mem       out,
              int          ow,
              int          oh,
              int          op,
              GError     **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  size_t gws[3] = { (size_t) ow, (size_t) oh, (size_t) channels };
  cl_int err = CL_SUCCESS;

  SET_ARG (self->pool, 0, in);
  SET_ARG (self->pool, 1, w);
  SET_ARG (self->pool, 2, h);
  SET_ARG (self->pool, 3, pitch);
  SET_ARG (self->pool, 4, out);
  SET_ARG (self->pool, 5, ow);
  SET_ARG (self->pool, 6, oh);
  SET_ARG (self->pool, 7, op);
  if (err == CL_SUCCESS)
    err = enqueue_3d (q, self->pool, gws, 8);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(dists_l2pool)");
  return TRUE;
}

/* Runs the stats kernel and reads the (hi, lo) float pairs back as
 * doubles into @stats (5 per channel). */
static gboolean
run_stats (SvdClDists  *self,
           cl_mem       x,
           cl_mem       y,
           int          channels,
           int          w,
           int          h,
           int          pitch,
           double      *stats,
           GError     **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  size_t gws[2] = { STATS_GROUP, (size_t) channels }, lws[2] = { STATS_GROUP, 1 };
  g_autofree float *pairs = g_new (float, 10 * (gsize) channels);
  cl_mem out = svd_cl_context_alloc (self->context, CL_MEM_WRITE_ONLY, 10 * (gsize) channels * sizeof (float), error);
  cl_int err = CL_SUCCESS;

  if (out == NULL)
    return FALSE;
  SET_ARG (self->stats, 0, x);
  SET_ARG (self->stats, 1, y);
  SET_ARG (self->stats, 2, w);
  SET_ARG (self->stats, 3, h);
  SET_ARG (self->stats, 4, pitch);
  SET_ARG (self->stats, 5, out);
  if (err == CL_SUCCESS)
    err = clEnqueueNDRangeKernel (q, self->stats, 2, NULL, gws, lws, 0, NULL, NULL);
  if (err == CL_SUCCESS)
    err = clEnqueueReadBuffer (q, out, CL_TRUE, 0, 10 * (gsize) channels * sizeof (float), pairs, 0, NULL, NULL);
  clReleaseMemObject (out);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_stats");
  for (int i = 0; i < 5 * channels; i++)
    stats[i] = (double) pairs[2 * i] + (double) pairs[2 * i + 1];
  return TRUE;
}

/* Uploads @src as tight [0, 1] float planes. */
static cl_mem
upload_image (SvdClDists      *self,
              const SvdImage  *src,
              GError         **error)
{
  gsize n = (gsize) src->width * src->height;
  g_autofree float *planes = g_try_new (float, 3 * n);

  if (planes == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory for a %dx%d DISTS input",
                   src->width, src->height);
      return NULL;
    }
  for (int c = 0; c < 3; c++)
    svd_dists_read_plane01 (src, c, planes + c * n);
  return upload_new (self->context, planes, 3 * n * sizeof (float), error);
}

typedef struct {
  cl_mem first;
  cl_mem count;
  cl_mem weights;
  int    max_taps;
} ClAxis;

static void
cl_axis_clear (ClAxis *a)
{
  release_mem (&a->first);
  release_mem (&a->count);
  release_mem (&a->weights);
}

static gboolean
cl_axis_init (SvdClDists  *self,
              ClAxis      *a,
              int          in,
              int          out,
              GError     **error)
{
  SvdDistsAxis ax;
  g_autofree float *wf = NULL;
  gboolean ok;

  svd_dists_axis_init (&ax, in, out);
  wf = g_new (float, (gsize) out * ax.max_taps);
  for (gsize i = 0; i < (gsize) out * ax.max_taps; i++)
    wf[i] = (float) ax.weights[i];
  a->max_taps = ax.max_taps;
  ok = (a->first = upload_new (self->context, ax.first, out * sizeof (int), error)) != NULL &&
       (a->count = upload_new (self->context, ax.count, out * sizeof (int), error)) != NULL &&
       (a->weights = upload_new (self->context, wf, (gsize) out * ax.max_taps * sizeof (float), error)) != NULL;
  svd_dists_axis_clear (&ax);
  return ok;
}

/* Resizes tight planes @src (w x h) to (ow x oh) on the device. */
static cl_mem
enqueue_resize (SvdClDists  *self,
                cl_mem       src,
                int          w,
                int          h,
                int          ow,
                int          oh,
                GError     **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  ClAxis ax = { 0 }, ay = { 0 };
  cl_mem tmp = NULL, dst = NULL;
  size_t gh[3] = { (size_t) ow, (size_t) h, 3 }, gv[3] = { (size_t) ow, (size_t) oh, 3 };
  cl_int err = CL_SUCCESS;

  if (!cl_axis_init (self, &ax, w, ow, error) || !cl_axis_init (self, &ay, h, oh, error))
    goto out;
  tmp = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, (gsize) 3 * ow * h * sizeof (float), error);
  if (tmp == NULL)
    goto out;
  dst = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, (gsize) 3 * ow * oh * sizeof (float), error);
  if (dst == NULL)
    goto out;
  SET_ARG (self->resize_h, 0, src);
  SET_ARG (self->resize_h, 1, w);
  SET_ARG (self->resize_h, 2, h);
  SET_ARG (self->resize_h, 3, tmp);
  SET_ARG (self->resize_h, 4, ow);
  SET_ARG (self->resize_h, 5, ax.first);
  SET_ARG (self->resize_h, 6, ax.count);
  SET_ARG (self->resize_h, 7, ax.weights);
  SET_ARG (self->resize_h, 8, ax.max_taps);
  SET_ARG (self->resize_v, 0, tmp);
  SET_ARG (self->resize_v, 1, ow);
  SET_ARG (self->resize_v, 2, h);
  SET_ARG (self->resize_v, 3, dst);
  SET_ARG (self->resize_v, 4, oh);
  SET_ARG (self->resize_v, 5, ay.first);
  SET_ARG (self->resize_v, 6, ay.count);
  SET_ARG (self->resize_v, 7, ay.weights);
  SET_ARG (self->resize_v, 8, ay.max_taps);
  if (err == CL_SUCCESS)
    err = enqueue_3d (q, self->resize_h, gh, 8);
  if (err == CL_SUCCESS)
    err = enqueue_3d (q, self->resize_v, gv, 8);
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_resize");
      release_mem (&dst);
    }

out:
  release_mem (&tmp);
  cl_axis_clear (&ax);
  cl_axis_clear (&ay);
  return dst;
}

/**
 * svd_cl_dists_compute:
 * @self: the runner
 * @ref: reference image (RGB_F32 in [0, 1], RGB8 or RGBA8)
 * @dist: distorted image of the same size
 * @mode: full or short256
 * @score: (out): the DISTS score
 * @cancellable: (nullable): checked before each convolution; with one, the
 *   queue is drained after each, so a cancel stops the work within one
 *   layer (the app cancels a DISTS that would hold the device during
 *   playback)
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
svd_cl_dists_compute (SvdClDists      *self,
                      const SvdImage  *ref,
                      const SvdImage  *dist,
                      SvdDistsMode     mode,
                      double          *score,
                      GCancellable    *cancellable,
                      GError         **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  g_autofree double *stats = g_new (double, 5 * SVD_DISTS_N_CHANNELS);
  cl_mem raw[2] = { NULL, NULL }, feat[2] = { NULL, NULL };
  int w, h, pitch, ch = 3, conv = 0, stat_off = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (self->weights != NULL, FALSE);
  if (!svd_metrics_check_pair (ref, dist, error))
    return FALSE;
  w = ref->width;
  h = ref->height;
  {
    int ow = w, oh = h;

    if (mode == SVD_DISTS_SHORT256)
      svd_dists_short256_size (w, h, &ow, &oh);
    pitch = svd_dists_pitch (ow);
    for (int s = 0; s < 2; s++)
      {
        cl_mem src = upload_image (self, s == 0 ? ref : dist, error);
        size_t gws[3] = { (size_t) ow, (size_t) oh, 3 };
        cl_int err = CL_SUCCESS;

        if (src == NULL)
          goto out;
        if (ow != w || oh != h)
          {
            cl_mem resized = enqueue_resize (self, src, w, h, ow, oh, error);

            clReleaseMemObject (src);
            if (resized == NULL)
              goto out;
            src = resized;
          }
        raw[s] = alloc_zero (self->context, (gsize) 3 * (oh + 2) * pitch * sizeof (float), error);
        feat[s] = raw[s] != NULL ? alloc_zero (self->context, (gsize) 3 * (oh + 2) * pitch * sizeof (float), error) : NULL;
        if (feat[s] == NULL)
          {
            clReleaseMemObject (src);
            goto out;
          }
        SET_ARG (self->fill, 0, src);
        SET_ARG (self->fill, 1, ow);
        SET_ARG (self->fill, 2, oh);
        SET_ARG (self->fill, 3, raw[s]);
        SET_ARG (self->fill, 4, feat[s]);
        SET_ARG (self->fill, 5, pitch);
        if (err == CL_SUCCESS)
          err = enqueue_3d (q, self->fill, gws, 8);
        clReleaseMemObject (src);
        if (err != CL_SUCCESS)
          {
            svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_fill_input");
            goto out;
          }
      }
    w = ow;
    h = oh;
  }
  if (!run_stats (self, raw[0], raw[1], 3, w, h, pitch, stats, error))
    goto out;
  release_mem (&raw[0]);
  release_mem (&raw[1]);
  stat_off = 3;

  for (int stage = 1; stage < SVD_DISTS_N_STAGES; stage++)
    {
      if (stage > 1)
        {
          int ow = (w - 1) / 2 + 1, oh = (h - 1) / 2 + 1, op = svd_dists_pitch (ow);

          for (int s = 0; s < 2; s++)
            {
              cl_mem pooled = alloc_zero (self->context, (gsize) ch * (oh + 2) * op * sizeof (float), error);

              if (pooled == NULL || !enqueue_pool (self, feat[s], ch, w, h, pitch, pooled, ow, oh, op, error))
                {
                  if (pooled != NULL)
                    clReleaseMemObject (pooled);
                  goto out;
                }
              clReleaseMemObject (feat[s]);
              feat[s] = pooled;
            }
          w = ow;
          h = oh;
          pitch = op;
        }
      for (; conv <= svd_dists_stage_last_conv[stage]; conv++)
        {
          int co = self->weights->conv_out[conv];

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          for (int s = 0; s < 2; s++)
            {
              cl_mem next = alloc_zero (self->context, (gsize) co * (h + 2) * pitch * sizeof (float), error);

              if (next == NULL || !enqueue_conv (self, feat[s], ch, next, co, w, h, pitch,
                                                 self->wbuf[conv], self->bbuf[conv], error))
                {
                  if (next != NULL)
                    clReleaseMemObject (next);
                  goto out;
                }
              clReleaseMemObject (feat[s]);
              feat[s] = next;
            }
          if (cancellable != NULL && !svd_cl_context_finish (self->context, error))
            goto out;
          ch = co;
        }
      if (!run_stats (self, feat[0], feat[1], ch, w, h, pitch, stats + 5 * stat_off, error))
        goto out;
      stat_off += ch;
    }
  g_assert (stat_off == SVD_DISTS_N_CHANNELS);
  *score = svd_dists_score_from_stats (self->weights, stats);
  ok = TRUE;

out:
  for (int s = 0; s < 2; s++)
    {
      release_mem (&raw[s]);
      release_mem (&feat[s]);
    }
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Single kernels for the twin tests                                       */

static gboolean
read_back (SvdClDists  *self,
           cl_mem       buf,
           void        *dst,
           gsize        size,
           GError     **error)
{
  cl_int err = clEnqueueReadBuffer (svd_cl_context_get_queue (self->context), buf, CL_TRUE, 0, size, dst,
                                    0, NULL, NULL);

  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBuffer");
  return TRUE;
}

gboolean
svd_cl_dists_run_conv (SvdClDists   *self,
                       const float  *in,
                       int           c_in,
                       float        *out,
                       int           c_out,
                       int           width,
                       int           height,
                       int           pitch,
                       const float  *weight,
                       const float  *bias,
                       GError      **error)
{
  g_autofree float *packed = svd_dists_pack_weights (weight, c_in, c_out);
  gsize plane = (gsize) (height + 2) * pitch;
  cl_mem bin = upload_new (self->context, in, c_in * plane * sizeof (float), error);
  cl_mem bw = bin ? upload_new (self->context, packed, (gsize) c_in * c_out * 9 * sizeof (float), error) : NULL;
  cl_mem bb = bw ? upload_new (self->context, bias, c_out * sizeof (float), error) : NULL;
  cl_mem bout = bb ? alloc_zero (self->context, c_out * plane * sizeof (float), error) : NULL;
  gboolean ok = bout != NULL &&
                enqueue_conv (self, bin, c_in, bout, c_out, width, height, pitch, bw, bb, error) &&
                read_back (self, bout, out, c_out * plane * sizeof (float), error);

  release_mem (&bin);
  release_mem (&bw);
  release_mem (&bb);
  release_mem (&bout);
  return ok;
}

gboolean
svd_cl_dists_run_l2pool (SvdClDists   *self,
                         const float  *in,
                         int           channels,
                         int           width,
                         int           height,
                         int           pitch,
                         float        *out,
                         int           out_width,
                         int           out_height,
                         int           out_pitch,
                         GError      **error)
{
  gsize in_size = (gsize) channels * (height + 2) * pitch * sizeof (float);
  gsize out_size = (gsize) channels * (out_height + 2) * out_pitch * sizeof (float);
  cl_mem bin = upload_new (self->context, in, in_size, error);
  cl_mem bout = bin ? alloc_zero (self->context, out_size, error) : NULL;
  gboolean ok = bout != NULL &&
                enqueue_pool (self, bin, channels, width, height, pitch, bout, out_width, out_height,
                              out_pitch, error) &&
                read_back (self, bout, out, out_size, error);

  release_mem (&bin);
  release_mem (&bout);
  return ok;
}

gboolean
svd_cl_dists_run_stats (SvdClDists   *self,
                        const float  *x,
                        const float  *y,
                        int           channels,
                        int           width,
                        int           height,
                        int           pitch,
                        double       *stats,
                        GError      **error)
{
  gsize size = (gsize) channels * (height + 2) * pitch * sizeof (float);
  cl_mem bx = upload_new (self->context, x, size, error);
  cl_mem by = bx ? upload_new (self->context, y, size, error) : NULL;
  gboolean ok = by != NULL && run_stats (self, bx, by, channels, width, height, pitch, stats, error);

  release_mem (&bx);
  release_mem (&by);
  return ok;
}

SvdImage *
svd_cl_dists_run_resize (SvdClDists      *self,
                         const SvdImage  *src,
                         int              out_width,
                         int              out_height,
                         GError         **error)
{
  g_autoptr(SvdImage) dst = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, out_width, out_height, error);
  g_autofree float *planes = NULL;
  cl_mem in = NULL, out = NULL;
  gsize n = (gsize) out_width * out_height;

  if (dst == NULL)
    return NULL;
  in = upload_image (self, src, error);
  if (in == NULL)
    return NULL;
  out = enqueue_resize (self, in, src->width, src->height, out_width, out_height, error);
  release_mem (&in);
  if (out == NULL)
    return NULL;
  planes = g_new (float, 3 * n);
  if (!read_back (self, out, planes, 3 * n * sizeof (float), error))
    {
      release_mem (&out);
      return NULL;
    }
  release_mem (&out);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < out_height; y++)
      memcpy (dst->data[c] + (gsize) y * dst->stride[c], planes + c * n + (gsize) y * out_width,
              out_width * sizeof (float));
  return g_steal_pointer (&dst);
}
