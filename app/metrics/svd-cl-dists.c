/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cl-dists"

#include "svd-cl-dists.h"
#include "svd-dists-private.h"
#include "svd-metrics.h"
#include "core/svd-error.h"
#include "engine/svd-engine.h"

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
  cl_kernel              pool;
  cl_kernel              stats;
  /* VGG16's convs on the engine's kernels (direct or Winograd, chosen per
   * layer shape and size class by the engine's settings.conv). */
  SvdEngine             *engine;
  SvdGraphConvHooks      hooks;
  gpointer               convs[SVD_DISTS_N_CONVS];
  SvdConvLayer           layers[SVD_DISTS_N_CONVS];  /* the engine keeps pointers */
  float                 *zero_slope;
  guint                  feature_passes;
};

/* One image's features on the device: set 0 is the raw input, sets 1 to 5
 * VGG16's stage outputs, each in the engine's padded layout. */
typedef struct {
  cl_mem mem;
  int    channels;
  int    w;
  int    h;
  int    pitch;
  int    plane;
} FeatSet;

struct _SvdClDistsFeatures {
  SvdClDists  *owner;
  int          width;
  int          height;
  SvdDistsMode mode;
  FeatSet      set[SVD_DISTS_N_STAGES];
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
  cl_kernel *kernels[5];

  if (self == NULL)
    return;
  kernels[0] = &self->resize_h;
  kernels[1] = &self->resize_v;
  kernels[2] = &self->fill;
  kernels[3] = &self->pool;
  kernels[4] = &self->stats;
  for (gsize i = 0; i < G_N_ELEMENTS (kernels); i++)
    if (*kernels[i] != NULL)
      clReleaseKernel (*kernels[i]);
  for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
    if (self->convs[i] != NULL)
      self->hooks.conv_free (self->hooks.data, self->convs[i]);
  g_clear_pointer (&self->engine, svd_engine_free);
  g_free (self->zero_slope);
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
 * Builds the kernels and sets up the 13 VGG16 convs on an engine of
 * @context (fp32, settings.conv from the environment's defaults: auto
 * measures direct against Winograd per layer shape on first use and keeps
 * the choice in the kernel cache).
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
    { &self->fill, "dists_fill_input" }, { &self->pool, "dists_l2pool" }, { &self->stats, "dists_stats" },
  };
  SvdSettings settings;

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
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  settings.precision = SVD_PRECISION_FP32;
  self->engine = svd_engine_new_for_context (context, &settings, error);
  svd_settings_clear (&settings);
  if (self->engine == NULL)
    return NULL;
  svd_engine_get_conv_hooks (self->engine, &self->hooks);
  self->zero_slope = g_new0 (float, 512);
  if (weights != NULL)
    for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
      {
        /* ReLU as a PReLU of slope 0. */
        SvdConvLayer *layer = &self->layers[i];

        g_return_val_if_fail (weights->conv_out[i] <= 512, NULL);
        layer->in_ch = weights->conv_in[i];
        layer->out_ch = weights->conv_out[i];
        layer->weight = weights->weight[i];
        layer->bias = weights->bias[i];
        layer->slope = self->zero_slope;
        self->convs[i] = self->hooks.conv_new (self->hooks.data, layer, error);
        if (self->convs[i] == NULL)
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
              int            conv,
              const FeatSet *in,
              const FeatSet *out,
              GError       **error)
{
  return self->hooks.conv_run (self->hooks.data, self->convs[conv], in->mem, in->pitch, in->plane, out->mem,
                               out->pitch, out->plane, in->w, in->h, NULL, NULL, error);
}

static gboolean
enqueue_pool (SvdClDists  *self,
              cl_mem       in,
              int          channels,
              int          w,
              int          h,
              int          pitch,
              int          plane,
              cl_mem       out,
              int          ow,
              int          oh,
              int          op,
              int          oplane,
              GError     **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  size_t gws[3] = { (size_t) ow, (size_t) oh, (size_t) channels };
  cl_int err = CL_SUCCESS;

  SET_ARG (self->pool, 0, in);
  SET_ARG (self->pool, 1, w);
  SET_ARG (self->pool, 2, h);
  SET_ARG (self->pool, 3, pitch);
  SET_ARG (self->pool, 4, plane);
  SET_ARG (self->pool, 5, out);
  SET_ARG (self->pool, 6, ow);
  SET_ARG (self->pool, 7, oh);
  SET_ARG (self->pool, 8, op);
  SET_ARG (self->pool, 9, oplane);
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
           int          plane,
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
  SET_ARG (self->stats, 5, plane);
  SET_ARG (self->stats, 6, out);
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

static void
feat_set_clear (FeatSet *f)
{
  release_mem (&f->mem);
}

/* A zeroed feature map of @channels x @w x @h in the engine's layout. */
static gboolean
feat_set_alloc (SvdClDists  *self,
                FeatSet     *f,
                int          channels,
                int          w,
                int          h,
                GError     **error)
{
  f->channels = channels;
  f->w = w;
  f->h = h;
  self->hooks.geometry (self->hooks.data, w, h, &f->pitch, &f->plane);
  f->mem = alloc_zero (self->context, (gsize) channels * f->plane * sizeof (float), error);
  return f->mem != NULL;
}

void
svd_cl_dists_features_free (SvdClDistsFeatures *feat)
{
  if (feat == NULL)
    return;
  for (int s = 0; s < SVD_DISTS_N_STAGES; s++)
    feat_set_clear (&feat->set[s]);
  g_free (feat);
}

/* Whether @feat are of a @width x @height image in @mode. */
gboolean
svd_cl_dists_features_match (const SvdClDistsFeatures *feat,
                             int                       width,
                             int                       height,
                             SvdDistsMode              mode)
{
  return feat->width == width && feat->height == height && feat->mode == mode;
}

/**
 * svd_cl_dists_features_new:
 * @self: the runner
 * @image: an image (RGB_F32 in [0, 1], RGB8 or RGBA8)
 * @mode: full or short256
 * @cancellable: (nullable): checked before each convolution (see
 *   svd_cl_dists_compute())
 * @error: return location for an error
 *
 * One feature pass: the input and VGG16's five stage outputs of @image,
 * kept on the device. A reference frame's features computed once serve
 * every chain's output (svd_cl_dists_score()).
 *
 * Returns: (transfer full) (nullable): the features; free them before
 *   @self
 */
SvdClDistsFeatures *
svd_cl_dists_features_new (SvdClDists      *self,
                           const SvdImage  *image,
                           SvdDistsMode     mode,
                           GCancellable    *cancellable,
                           GError         **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  g_autoptr(SvdClDistsFeatures) feat = g_new0 (SvdClDistsFeatures, 1);
  FeatSet norm = { 0 }, ping[2] = { { 0 }, { 0 } };
  int w = image->width, h = image->height, ow = w, oh = h, conv = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (self->weights != NULL, NULL);
  feat->owner = self;
  feat->width = w;
  feat->height = h;
  feat->mode = mode;
  self->feature_passes++;
  if (mode == SVD_DISTS_SHORT256)
    svd_dists_short256_size (w, h, &ow, &oh);
  {
    cl_mem src = upload_image (self, image, error);
    size_t gws[3] = { (size_t) ow, (size_t) oh, 3 };
    cl_int err = CL_SUCCESS;

    if (src == NULL)
      return NULL;
    if (ow != w || oh != h)
      {
        cl_mem resized = enqueue_resize (self, src, w, h, ow, oh, error);

        clReleaseMemObject (src);
        if (resized == NULL)
          return NULL;
        src = resized;
      }
    if (!feat_set_alloc (self, &feat->set[0], 3, ow, oh, error) || !feat_set_alloc (self, &norm, 3, ow, oh, error))
      {
        clReleaseMemObject (src);
        goto out;
      }
    SET_ARG (self->fill, 0, src);
    SET_ARG (self->fill, 1, ow);
    SET_ARG (self->fill, 2, oh);
    SET_ARG (self->fill, 3, feat->set[0].mem);
    SET_ARG (self->fill, 4, norm.mem);
    SET_ARG (self->fill, 5, norm.pitch);
    SET_ARG (self->fill, 6, norm.plane);
    if (err == CL_SUCCESS)
      err = enqueue_3d (q, self->fill, gws, 8);
    clReleaseMemObject (src);
    if (err != CL_SUCCESS)
      {
        svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_fill_input");
        goto out;
      }
  }

  for (int stage = 1; stage < SVD_DISTS_N_STAGES; stage++)
    {
      FeatSet *in = stage == 1 ? &norm : &feat->set[stage - 1];
      FeatSet pooled = { 0 };
      int last = svd_dists_stage_last_conv[stage], cur = -1;

      if (stage > 1)
        {
          int pw = (in->w - 1) / 2 + 1, ph = (in->h - 1) / 2 + 1;

          if (!feat_set_alloc (self, &pooled, in->channels, pw, ph, error) ||
              !enqueue_pool (self, in->mem, in->channels, in->w, in->h, in->pitch, in->plane, pooled.mem,
                             pooled.w, pooled.h, pooled.pitch, pooled.plane, error))
            {
              feat_set_clear (&pooled);
              goto out;
            }
          in = &pooled;
        }
      for (; conv <= last; conv++)
        {
          int co = self->weights->conv_out[conv];
          FeatSet *dst = conv == last ? &feat->set[stage] : &ping[cur == 0 ? 1 : 0];
          const FeatSet *src = cur < 0 ? in : &ping[cur];

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              feat_set_clear (&pooled);
              goto out;
            }
          if (dst->mem != NULL && (dst->channels < co || dst->w != src->w || dst->h != src->h))
            feat_set_clear (dst);
          if ((dst->mem == NULL && !feat_set_alloc (self, dst, co, src->w, src->h, error)) ||
              !enqueue_conv (self, conv, src, dst, error))
            {
              feat_set_clear (&pooled);
              goto out;
            }
          dst->channels = co;
          if (cancellable != NULL && !svd_cl_context_finish (self->context, error))
            {
              feat_set_clear (&pooled);
              goto out;
            }
          cur = dst == &ping[0] ? 0 : dst == &ping[1] ? 1 : -1;
        }
      /* The queue is in order: buffers the enqueued convs read may go. */
      feat_set_clear (&pooled);
      feat_set_clear (&ping[0]);
      feat_set_clear (&ping[1]);
    }
  ok = TRUE;

out:
  feat_set_clear (&norm);
  feat_set_clear (&ping[0]);
  feat_set_clear (&ping[1]);
  if (!ok)
    return NULL;
  return g_steal_pointer (&feat);
}

/**
 * svd_cl_dists_score:
 * @self: the runner
 * @ref: the reference's features
 * @dist: the distorted image's features (same size and mode)
 * @score: (out): the DISTS score
 * @error: return location for an error
 *
 * The per-channel statistics of both feature sets and the score from them.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_cl_dists_score (SvdClDists                *self,
                    const SvdClDistsFeatures  *ref,
                    const SvdClDistsFeatures  *dist,
                    double                    *score,
                    GError                   **error)
{
  g_autofree double *stats = g_new (double, 5 * SVD_DISTS_N_CHANNELS);
  int off = 0;

  g_return_val_if_fail (ref->owner == self && dist->owner == self, FALSE);
  if (ref->width != dist->width || ref->height != dist->height || ref->mode != dist->mode)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "DISTS features of a %dx%d image cannot be compared with those of a %dx%d one",
                   ref->width, ref->height, dist->width, dist->height);
      return FALSE;
    }
  for (int s = 0; s < SVD_DISTS_N_STAGES; s++)
    {
      const FeatSet *x = &ref->set[s], *y = &dist->set[s];

      if (!run_stats (self, x->mem, y->mem, x->channels, x->w, x->h, x->pitch, x->plane, stats + 5 * off, error))
        return FALSE;
      off += x->channels;
    }
  g_assert (off == SVD_DISTS_N_CHANNELS);
  *score = svd_dists_score_from_stats (self->weights, stats);
  return TRUE;
}

/* Feature passes run so far (svd_cl_dists_features_new()). */
guint
svd_cl_dists_get_feature_passes (SvdClDists *self)
{
  return self->feature_passes;
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
 * Two feature passes and the score.
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
  g_autoptr(SvdClDistsFeatures) fr = NULL;
  g_autoptr(SvdClDistsFeatures) fd = NULL;

  g_return_val_if_fail (self->weights != NULL, FALSE);
  if (!svd_metrics_check_pair (ref, dist, error))
    return FALSE;
  fr = svd_cl_dists_features_new (self, ref, mode, cancellable, error);
  if (fr == NULL)
    return FALSE;
  fd = svd_cl_dists_features_new (self, dist, mode, cancellable, error);
  if (fd == NULL)
    return FALSE;
  return svd_cl_dists_score (self, fr, fd, score, error);
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
  g_autofree float *slope = g_new0 (float, c_out);
  SvdConvLayer layer = { c_in, c_out, (float *) weight, (float *) bias, slope };
  gpointer conv = self->hooks.conv_new (self->hooks.data, &layer, error);
  gsize plane = (gsize) (height + 2) * pitch;
  g_autofree float *host = NULL;
  FeatSet fin = { 0 }, fout = { 0 };
  gboolean ok = FALSE;

  if (conv == NULL)
    return FALSE;
  /* The caller's layout (rows of @pitch, a one-pixel border) to the
   * engine's and back. */
  if (!feat_set_alloc (self, &fin, c_in, width, height, error) ||
      !feat_set_alloc (self, &fout, c_out, width, height, error))
    goto out;
  host = g_new0 (float, (gsize) MAX (c_in, c_out) * fin.plane);
  for (int c = 0; c < c_in; c++)
    for (int y = 0; y < height + 2; y++)
      memcpy (host + (gsize) c * fin.plane + (gsize) y * fin.pitch, in + c * plane + (gsize) y * pitch,
              MIN (pitch, fin.pitch) * sizeof (float));
  {
    cl_int err = clEnqueueWriteBuffer (svd_cl_context_get_queue (self->context), fin.mem, CL_TRUE, 0,
                                       (gsize) c_in * fin.plane * sizeof (float), host, 0, NULL, NULL);

    if (err != CL_SUCCESS)
      {
        svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBuffer");
        goto out;
      }
  }
  if (!self->hooks.conv_run (self->hooks.data, conv, fin.mem, fin.pitch, fin.plane, fout.mem, fout.pitch,
                             fout.plane, width, height, NULL, NULL, error) ||
      !read_back (self, fout.mem, host, (gsize) c_out * fout.plane * sizeof (float), error))
    goto out;
  for (int c = 0; c < c_out; c++)
    for (int y = 0; y < height + 2; y++)
      memcpy (out + c * plane + (gsize) y * pitch, host + (gsize) c * fout.plane + (gsize) y * fout.pitch,
              MIN (pitch, fout.pitch) * sizeof (float));
  ok = TRUE;

out:
  self->hooks.conv_free (self->hooks.data, conv);
  feat_set_clear (&fin);
  feat_set_clear (&fout);
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
                enqueue_pool (self, bin, channels, width, height, pitch, (height + 2) * pitch, bout, out_width,
                              out_height, out_pitch, (out_height + 2) * out_pitch, error) &&
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
  gboolean ok = by != NULL && run_stats (self, bx, by, channels, width, height, pitch, (height + 2) * pitch,
                                         stats, error);

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
