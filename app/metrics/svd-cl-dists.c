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

/* A device feature map reused across frames and stages: @bytes are
 * allocated; it is in use as @channels planes of a @w x @h image in the
 * engine's layout; the border and slack of its first clear_ch planes are
 * zero for clear_w x clear_h. */
typedef struct {
  cl_mem mem;
  gsize  bytes;
  int    channels;
  int    w;
  int    h;
  int    pitch;
  int    plane;
  int    clear_w;
  int    clear_h;
  int    clear_ch;
} FeatSet;

typedef struct {
  cl_mem first;
  cl_mem count;
  cl_mem weights;
  int    max_taps;
  int    in;
  int    out;
} ClAxis;

struct _SvdClDistsFeatures {
  SvdClDists  *owner;
  int          width;
  int          height;
  SvdDistsMode mode;
  FeatSet      set[SVD_DISTS_N_STAGES];
};

#define N_SPARE 2

struct _SvdClDists {
  SvdClContext          *context;
  const SvdDistsWeights *weights;
  cl_program             program;
  cl_kernel              resize_h;
  cl_kernel              resize_v_fill;
  cl_kernel              fill;
  cl_kernel              pool;
  cl_kernel              stats;
  cl_kernel              clear_border;
  /* VGG16's convs on the engine's kernels (direct or Winograd, chosen per
   * layer shape and size class by the engine's settings.conv). */
  SvdEngine             *engine;
  SvdGraphConvHooks      hooks;
  gpointer               convs[SVD_DISTS_N_CONVS];
  SvdConvLayer           layers[SVD_DISTS_N_CONVS];  /* the engine keeps pointers */
  float                 *zero_slope;
  guint                  feature_passes;
  /* Kept from frame to frame, so a pass allocates and fills nothing once
   * the size is known: the input upload (and its host staging), the
   * resize's intermediate and tap tables, VGG's normalised input, the
   * stages' pooled inputs and intermediates, the statistics' output, and
   * the buffers of freed features. */
  cl_mem                 src;
  gsize                  src_bytes;
  float                 *staging;
  gsize                  staging_len;
  cl_event               staging_write;
  cl_mem                 tmp;
  gsize                  tmp_bytes;
  ClAxis                 ax;
  ClAxis                 ay;
  FeatSet                norm;
  FeatSet                pooled;
  FeatSet                ping[2];
  cl_mem                 stats_out;
  SvdClDistsFeatures    *spare[N_SPARE];
};

static void
release_mem (cl_mem *m)
{
  if (*m != NULL)
    clReleaseMemObject (*m);
  *m = NULL;
}

static void
feat_set_clear (FeatSet *f)
{
  release_mem (&f->mem);
  memset (f, 0, sizeof *f);
}

static void
cl_axis_clear (ClAxis *a)
{
  release_mem (&a->first);
  release_mem (&a->count);
  release_mem (&a->weights);
  a->in = a->out = 0;
}

static void
features_destroy (SvdClDistsFeatures *feat)
{
  for (int s = 0; s < SVD_DISTS_N_STAGES; s++)
    feat_set_clear (&feat->set[s]);
  g_free (feat);
}

/* Buffers above this many bytes are not kept from pass to pass: short256
 * (any input) needs about 100 MB in all and is always kept; full
 * resolution of a large frame would hold gigabytes between frames, so it
 * allocates per pass as before. */
#define KEEP_MAX_BYTES ((gsize) 256 << 20)

static gsize
features_bytes (const SvdClDistsFeatures *feat)
{
  gsize n = 0;

  for (int s = 0; s < SVD_DISTS_N_STAGES; s++)
    n += feat->set[s].bytes;
  return n;
}

/* After a pass: lets go of the pass's buffers when they are large. */
static void
workspace_trim (SvdClDists *self)
{
  gsize n = self->src_bytes + self->tmp_bytes + self->norm.bytes + self->pooled.bytes + self->ping[0].bytes +
            self->ping[1].bytes;

  if (n <= KEEP_MAX_BYTES)
    return;
  if (self->staging_write != NULL)
    {
      clWaitForEvents (1, &self->staging_write);
      g_clear_pointer (&self->staging_write, clReleaseEvent);
    }
  g_clear_pointer (&self->staging, g_free);
  self->staging_len = 0;
  release_mem (&self->src);
  self->src_bytes = 0;
  release_mem (&self->tmp);
  self->tmp_bytes = 0;
  feat_set_clear (&self->norm);
  feat_set_clear (&self->pooled);
  feat_set_clear (&self->ping[0]);
  feat_set_clear (&self->ping[1]);
}

void
svd_cl_dists_free (SvdClDists *self)
{
  cl_kernel *kernels[6];

  if (self == NULL)
    return;
  kernels[0] = &self->resize_h;
  kernels[1] = &self->resize_v_fill;
  kernels[2] = &self->fill;
  kernels[3] = &self->pool;
  kernels[4] = &self->stats;
  kernels[5] = &self->clear_border;
  if (self->staging_write != NULL)
    {
      clWaitForEvents (1, &self->staging_write);
      clReleaseEvent (self->staging_write);
    }
  for (int i = 0; i < N_SPARE; i++)
    if (self->spare[i] != NULL)
      features_destroy (self->spare[i]);
  release_mem (&self->src);
  release_mem (&self->tmp);
  release_mem (&self->stats_out);
  cl_axis_clear (&self->ax);
  cl_axis_clear (&self->ay);
  feat_set_clear (&self->norm);
  feat_set_clear (&self->pooled);
  feat_set_clear (&self->ping[0]);
  feat_set_clear (&self->ping[1]);
  g_free (self->staging);
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
  return svd_cl_context_upload (ctx, CL_MEM_READ_ONLY, data, size, error);
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
    { &self->resize_h, "dists_resize_h" }, { &self->resize_v_fill, "dists_resize_v_fill" },
    { &self->fill, "dists_fill_input" }, { &self->pool, "dists_l2pool" }, { &self->stats, "dists_stats" },
    { &self->clear_border, "dists_clear_border" },
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
        self->convs[i] = self->hooks.conv_new_borrowed (self->hooks.data, layer, error);
        if (self->convs[i] == NULL)
          return NULL;
      }
  return g_steal_pointer (&self);
}

#define SET_ARG(k, i, v) err |= clSetKernelArg (k, i, sizeof (v), &(v))

/* Enqueues a 3-D kernel with explicit work-groups of up to 64 x 1 x 1
 * along x (the global x size rounded up; the kernels ignore items past
 * the image). PoCL's own choice for these memory-bound kernels kept one of
 * the two cores idle, and groups of a few items spent more time starting
 * groups than computing: a row of 64 is one vectorised loop. */
static cl_int
enqueue_3d (cl_command_queue  q,
            cl_kernel         kernel,
            const size_t      gws_in[3])
{
  size_t lx = 64;

  while (lx > 8 && lx / 2 >= gws_in[0])
    lx /= 2;
  {
    size_t gws[3] = { (gws_in[0] + lx - 1) / lx * lx, gws_in[1], gws_in[2] };
    size_t lws[3] = { lx, 1, 1 };

    return clEnqueueNDRangeKernel (q, kernel, 3, NULL, gws, lws, 0, NULL, NULL);
  }
}

/* Makes @f hold @channels planes of a @w x @h image, reusing its buffer
 * when it is big enough, and zeroes the border and slack when the
 * geometry changed (a fresh buffer's content is undefined; a reused one
 * holds another geometry's pixels where this one's padding lies). */
static gboolean
feat_set_ensure (SvdClDists  *self,
                 FeatSet     *f,
                 int          channels,
                 int          w,
                 int          h,
                 GError     **error)
{
  int pitch, plane;
  gsize need;

  self->hooks.geometry (self->hooks.data, w, h, &pitch, &plane);
  need = (gsize) channels * plane * sizeof (float);
  if (f->mem != NULL && f->bytes < need)
    feat_set_clear (f);
  if (f->mem == NULL)
    {
      f->mem = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, need, error);
      if (f->mem == NULL)
        return FALSE;
      f->bytes = need;
      f->clear_w = f->clear_h = -1;
    }
  f->channels = channels;
  f->w = w;
  f->h = h;
  f->pitch = pitch;
  f->plane = plane;
  if (f->clear_w != w || f->clear_h != h)
    {
      f->clear_w = w;
      f->clear_h = h;
      f->clear_ch = 0;
    }
  if (f->clear_ch < channels)
    {
      cl_int err = CL_SUCCESS;
      int first = f->clear_ch;
      size_t gws[3] = { (size_t) (plane / pitch), (size_t) (channels - first), 1 };

      SET_ARG (self->clear_border, 0, f->mem);
      SET_ARG (self->clear_border, 1, w);
      SET_ARG (self->clear_border, 2, h);
      SET_ARG (self->clear_border, 3, pitch);
      SET_ARG (self->clear_border, 4, plane);
      SET_ARG (self->clear_border, 5, first);
      if (err == CL_SUCCESS)
        err = enqueue_3d (svd_cl_context_get_queue (self->context), self->clear_border, gws);
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_clear_border");
      f->clear_ch = channels;
    }
  return TRUE;
}

static gboolean
buffer_ensure (SvdClDists  *self,
               cl_mem      *m,
               gsize       *bytes,
               gsize        need,
               GError     **error)
{
  if (*m != NULL && *bytes >= need)
    return TRUE;
  release_mem (m);
  *bytes = 0;
  *m = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, need, error);
  if (*m == NULL)
    return FALSE;
  *bytes = need;
  return TRUE;
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
    err = enqueue_3d (q, self->pool, gws);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(dists_l2pool)");
  return TRUE;
}

/* Enqueues the stats kernel for @channels channels into channels @first
 * on of @out (10 floats, five (hi, lo) pairs, a channel). */
static gboolean
enqueue_stats (SvdClDists  *self,
               cl_mem       x,
               cl_mem       y,
               int          channels,
               int          w,
               int          h,
               int          pitch,
               int          plane,
               cl_mem       out,
               int          first,
               GError     **error)
{
  size_t gws[2] = { STATS_GROUP, (size_t) channels }, lws[2] = { STATS_GROUP, 1 };
  cl_int err = CL_SUCCESS;

  SET_ARG (self->stats, 0, x);
  SET_ARG (self->stats, 1, y);
  SET_ARG (self->stats, 2, w);
  SET_ARG (self->stats, 3, h);
  SET_ARG (self->stats, 4, pitch);
  SET_ARG (self->stats, 5, plane);
  SET_ARG (self->stats, 6, out);
  SET_ARG (self->stats, 7, first);
  if (err == CL_SUCCESS)
    err = clEnqueueNDRangeKernel (svd_cl_context_get_queue (self->context), self->stats, 2, NULL, gws, lws, 0,
                                  NULL, NULL);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_stats");
  return TRUE;
}

/* Reads @channels channels of (hi, lo) float pairs back as doubles into
 * @stats (5 per channel). */
static gboolean
read_stats (SvdClDists  *self,
            cl_mem       out,
            int          channels,
            double      *stats,
            GError     **error)
{
  g_autofree float *pairs = g_new (float, 10 * (gsize) channels);
  cl_int err = clEnqueueReadBuffer (svd_cl_context_get_queue (self->context), out, CL_TRUE, 0,
                                    10 * (gsize) channels * sizeof (float), pairs, 0, NULL, NULL);

  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBuffer(dists_stats)");
  for (int i = 0; i < 5 * channels; i++)
    stats[i] = (double) pairs[2 * i] + (double) pairs[2 * i + 1];
  return TRUE;
}

/* Uploads @src as tight [0, 1] float planes into self->src, through a
 * host staging array kept with it: the write does not wait for the work
 * queued before it, and the staging is refilled only once the previous
 * write is done. */
static gboolean
upload_image (SvdClDists      *self,
              const SvdImage  *src,
              GError         **error)
{
  gsize n = (gsize) src->width * src->height;
  cl_int err;

  if (self->staging_write != NULL)
    {
      clWaitForEvents (1, &self->staging_write);
      g_clear_pointer (&self->staging_write, clReleaseEvent);
    }
  if (self->staging_len < 3 * n)
    {
      g_free (self->staging);
      self->staging_len = 0;
      self->staging = g_try_new (float, 3 * n);
      if (self->staging == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory for a %dx%d DISTS input",
                       src->width, src->height);
          return FALSE;
        }
      self->staging_len = 3 * n;
    }
  if (!buffer_ensure (self, &self->src, &self->src_bytes, 3 * n * sizeof (float), error))
    return FALSE;
  for (int c = 0; c < 3; c++)
    svd_dists_read_plane01 (src, c, self->staging + c * n);
  err = clEnqueueWriteBuffer (svd_cl_context_get_queue (self->context), self->src, CL_FALSE, 0,
                              3 * n * sizeof (float), self->staging, 0, NULL, &self->staging_write);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBuffer(DISTS input)");
  return TRUE;
}

/* The tap tables of one resize axis, made when the sizes change. */
static gboolean
cl_axis_ensure (SvdClDists  *self,
                ClAxis      *a,
                int          in,
                int          out,
                GError     **error)
{
  SvdDistsAxis ax;
  g_autofree float *wf = NULL;
  gboolean ok;

  if (a->weights != NULL && a->in == in && a->out == out)
    return TRUE;
  cl_axis_clear (a);
  svd_dists_axis_init (&ax, in, out);
  wf = g_new (float, (gsize) out * ax.max_taps);
  for (gsize i = 0; i < (gsize) out * ax.max_taps; i++)
    wf[i] = (float) ax.weights[i];
  a->max_taps = ax.max_taps;
  ok = (a->first = upload_new (self->context, ax.first, out * sizeof (int), error)) != NULL &&
       (a->count = upload_new (self->context, ax.count, out * sizeof (int), error)) != NULL &&
       (a->weights = upload_new (self->context, wf, (gsize) out * ax.max_taps * sizeof (float), error)) != NULL;
  svd_dists_axis_clear (&ax);
  if (!ok)
    {
      cl_axis_clear (a);
      return FALSE;
    }
  a->in = in;
  a->out = out;
  return TRUE;
}

/* The uploaded @w x @h planes (self->src) into @raw and @norm (padded,
 * @ow x @oh): resized on the device when the sizes differ (horizontal
 * pass into self->tmp, then the vertical pass writing both), else copied
 * and normalised. */
static gboolean
enqueue_input (SvdClDists  *self,
               int          w,
               int          h,
               FeatSet     *raw,
               FeatSet     *norm,
               GError     **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  int ow = raw->w, oh = raw->h;
  cl_int err = CL_SUCCESS;

  if (ow == w && oh == h)
    {
      size_t gws[3] = { (size_t) ow, (size_t) oh, 3 };

      SET_ARG (self->fill, 0, self->src);
      SET_ARG (self->fill, 1, ow);
      SET_ARG (self->fill, 2, oh);
      SET_ARG (self->fill, 3, raw->mem);
      SET_ARG (self->fill, 4, norm->mem);
      SET_ARG (self->fill, 5, norm->pitch);
      SET_ARG (self->fill, 6, norm->plane);
      if (err == CL_SUCCESS)
        err = enqueue_3d (q, self->fill, gws);
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_fill_input");
      return TRUE;
    }
  {
    size_t gh[3] = { (size_t) ow, (size_t) h, 3 }, gv[3] = { (size_t) ow, (size_t) oh, 3 };
    ClAxis *ax = &self->ax, *ay = &self->ay;

    if (!cl_axis_ensure (self, ax, w, ow, error) || !cl_axis_ensure (self, ay, h, oh, error) ||
        !buffer_ensure (self, &self->tmp, &self->tmp_bytes, (gsize) 3 * ow * h * sizeof (float), error))
      return FALSE;
    SET_ARG (self->resize_h, 0, self->src);
    SET_ARG (self->resize_h, 1, w);
    SET_ARG (self->resize_h, 2, h);
    SET_ARG (self->resize_h, 3, self->tmp);
    SET_ARG (self->resize_h, 4, ow);
    SET_ARG (self->resize_h, 5, ax->first);
    SET_ARG (self->resize_h, 6, ax->count);
    SET_ARG (self->resize_h, 7, ax->weights);
    SET_ARG (self->resize_h, 8, ax->max_taps);
    SET_ARG (self->resize_v_fill, 0, self->tmp);
    SET_ARG (self->resize_v_fill, 1, ow);
    SET_ARG (self->resize_v_fill, 2, h);
    SET_ARG (self->resize_v_fill, 3, oh);
    SET_ARG (self->resize_v_fill, 4, ay->first);
    SET_ARG (self->resize_v_fill, 5, ay->count);
    SET_ARG (self->resize_v_fill, 6, ay->weights);
    SET_ARG (self->resize_v_fill, 7, ay->max_taps);
    SET_ARG (self->resize_v_fill, 8, raw->mem);
    SET_ARG (self->resize_v_fill, 9, norm->mem);
    SET_ARG (self->resize_v_fill, 10, norm->pitch);
    SET_ARG (self->resize_v_fill, 11, norm->plane);
    if (err == CL_SUCCESS)
      err = enqueue_3d (q, self->resize_h, gh);
    if (err == CL_SUCCESS)
      err = enqueue_3d (q, self->resize_v_fill, gv);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "dists_resize");
  }
  return TRUE;
}

/* Frees @feat, or keeps its buffers for the next features of the owner. */
void
svd_cl_dists_features_free (SvdClDistsFeatures *feat)
{
  SvdClDists *owner;

  if (feat == NULL)
    return;
  owner = feat->owner;
  for (int i = 0; owner != NULL && features_bytes (feat) <= KEEP_MAX_BYTES && i < N_SPARE; i++)
    if (owner->spare[i] == NULL)
      {
        owner->spare[i] = feat;
        return;
      }
  features_destroy (feat);
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

/* A features object with a freed one's buffers when there is one. */
static SvdClDistsFeatures *
features_take (SvdClDists *self)
{
  for (int i = N_SPARE - 1; i >= 0; i--)
    if (self->spare[i] != NULL)
      {
        SvdClDistsFeatures *feat = self->spare[i];

        self->spare[i] = NULL;
        return feat;
      }
  return g_new0 (SvdClDistsFeatures, 1);
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
 * every chain's output (svd_cl_dists_score()). The buffers of the pass
 * and of freed features are kept for the next pass of the same size.
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
  SvdClDistsFeatures *feat;
  int w = image->width, h = image->height, ow = w, oh = h, conv = 0;

  g_return_val_if_fail (self->weights != NULL, NULL);
  if (mode == SVD_DISTS_SHORT256)
    svd_dists_short256_size (w, h, &ow, &oh);
  feat = features_take (self);
  feat->owner = self;
  feat->width = w;
  feat->height = h;
  feat->mode = mode;
  self->feature_passes++;
  if (!upload_image (self, image, error) || !feat_set_ensure (self, &feat->set[0], 3, ow, oh, error) ||
      !feat_set_ensure (self, &self->norm, 3, ow, oh, error) ||
      !enqueue_input (self, w, h, &feat->set[0], &self->norm, error))
    goto fail;

  for (int stage = 1; stage < SVD_DISTS_N_STAGES; stage++)
    {
      FeatSet *in = stage == 1 ? &self->norm : &feat->set[stage - 1];
      int last = svd_dists_stage_last_conv[stage], cur = -1;

      if (stage > 1)
        {
          int pw = (in->w - 1) / 2 + 1, ph = (in->h - 1) / 2 + 1;
          FeatSet *pooled = &self->pooled;

          if (!feat_set_ensure (self, pooled, in->channels, pw, ph, error) ||
              !enqueue_pool (self, in->mem, in->channels, in->w, in->h, in->pitch, in->plane, pooled->mem,
                             pooled->w, pooled->h, pooled->pitch, pooled->plane, error))
            goto fail;
          in = pooled;
        }
      for (; conv <= last; conv++)
        {
          int co = self->weights->conv_out[conv];
          FeatSet *dst = conv == last ? &feat->set[stage] : &self->ping[cur == 0 ? 1 : 0];
          const FeatSet *src = cur < 0 ? in : &self->ping[cur];

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto fail;
          if (!feat_set_ensure (self, dst, co, src->w, src->h, error) || !enqueue_conv (self, conv, src, dst, error))
            goto fail;
          if (cancellable != NULL && !svd_cl_context_finish (self->context, error))
            goto fail;
          cur = dst == &self->ping[0] ? 0 : dst == &self->ping[1] ? 1 : -1;
        }
    }
  workspace_trim (self);
  return feat;

fail:
  /* The buffers stay valid (their borders as recorded): keep them. */
  workspace_trim (self);
  svd_cl_dists_features_free (feat);
  return NULL;
}

/**
 * svd_cl_dists_score:
 * @self: the runner
 * @ref: the reference's features
 * @dist: the distorted image's features (same size and mode)
 * @score: (out): the DISTS score
 * @error: return location for an error
 *
 * The per-channel statistics of both feature sets and the score from them
 * (every stage's statistics in one buffer, read back once).
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
  if (self->stats_out == NULL)
    {
      self->stats_out = svd_cl_context_alloc (self->context, CL_MEM_WRITE_ONLY,
                                              10 * (gsize) SVD_DISTS_N_CHANNELS * sizeof (float), error);
      if (self->stats_out == NULL)
        return FALSE;
    }
  for (int s = 0; s < SVD_DISTS_N_STAGES; s++)
    {
      const FeatSet *x = &ref->set[s], *y = &dist->set[s];

      if (!enqueue_stats (self, x->mem, y->mem, x->channels, x->w, x->h, x->pitch, x->plane, self->stats_out, off,
                          error))
        return FALSE;
      off += x->channels;
    }
  g_assert (off == SVD_DISTS_N_CHANNELS);
  if (!read_stats (self, self->stats_out, SVD_DISTS_N_CHANNELS, stats, error))
    return FALSE;
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
  if (!feat_set_ensure (self, &fin, c_in, width, height, error) ||
      !feat_set_ensure (self, &fout, c_out, width, height, error))
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
  g_autofree float *zero = g_malloc0 (out_size);
  cl_mem bin = upload_new (self->context, in, in_size, error);
  cl_mem bout = bin ? upload_new (self->context, zero, out_size, error) : NULL;
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
  cl_mem out = by ? svd_cl_context_alloc (self->context, CL_MEM_WRITE_ONLY, 10 * (gsize) channels * sizeof (float),
                                          error) : NULL;
  gboolean ok = out != NULL &&
                enqueue_stats (self, bx, by, channels, width, height, pitch, (height + 2) * pitch, out, 0, error) &&
                read_stats (self, out, channels, stats, error);

  release_mem (&bx);
  release_mem (&by);
  release_mem (&out);
  return ok;
}

/* The resize as a feature pass runs it: upload, the horizontal pass, the
 * vertical pass fused with the input fill; the raw input set read back. */
SvdImage *
svd_cl_dists_run_resize (SvdClDists      *self,
                         const SvdImage  *src,
                         int              out_width,
                         int              out_height,
                         GError         **error)
{
  g_autoptr(SvdImage) dst = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, out_width, out_height, error);
  g_autofree float *planes = NULL;
  FeatSet raw = { 0 }, norm = { 0 };
  gboolean ok;

  if (dst == NULL)
    return NULL;
  ok = upload_image (self, src, error) && feat_set_ensure (self, &raw, 3, out_width, out_height, error) &&
       feat_set_ensure (self, &norm, 3, out_width, out_height, error) &&
       enqueue_input (self, src->width, src->height, &raw, &norm, error);
  if (ok)
    {
      planes = g_new (float, (gsize) 3 * raw.plane);
      ok = read_back (self, raw.mem, planes, (gsize) 3 * raw.plane * sizeof (float), error);
    }
  if (ok)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < out_height; y++)
        memcpy (dst->data[c] + (gsize) y * dst->stride[c], planes + (gsize) c * raw.plane + (gsize) (y + 1) * raw.pitch + 1,
                out_width * sizeof (float));
  feat_set_clear (&raw);
  feat_set_clear (&norm);
  if (!ok)
    return NULL;
  return g_steal_pointer (&dst);
}
