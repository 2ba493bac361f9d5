/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-winograd"

#include "svd-config.h"
#include "svd-winograd-cl.h"
#include "svd-winograd.h"
#include "core/svd-error.h"
#include "core/svd-file.h"

#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct _SvdWinogradLayer {
  SvdClContext    *ctx;
  SvdWinogradShape shape;
  cl_kernel        kernel;     /* CPU shape: wino_conv */
  cl_kernel        k_input;    /* GPU shape: the three passes */
  cl_kernel        k_gemm;
  cl_kernel        k_output;
  cl_mem           weight;
  cl_mem           bias;
  cl_mem           slope;
  int              m;
  int              ic;
  int              oc;
  int              ocb;
  int              vw;
  int              rx;
  int              n_items;    /* CPU shape: persistent work-items */
  int              gly;        /* GPU shape: channel blocks per work-group */
  int              max_tiles;  /* GPU shape: tiles per chunk (scratch) */
  guint64          weight_bytes;
};

/* The GPU shape's scratch holds V and M of at most this many bytes: the
 * tiles of one chunk (a band of a 960-wide 64-channel layer fits in one),
 * within these bounds. */
#define GPU_SCRATCH_BUDGET ((guint64) 32 << 20)
#define GPU_MIN_TILES 256
#define GPU_MAX_TILES 8192

const char *
svd_winograd_shape_name (SvdWinogradShape shape)
{
  return shape == SVD_WINOGRAD_SHAPE_GPU ? "gpu" : "cpu";
}

static int
pick_block (int oc,
            int max_ocb)
{
  for (int d = MIN (oc, max_ocb); d > 1; d--)
    if (oc % d == 0)
      return d;
  return 1;
}

static cl_mem
upload (SvdClContext  *ctx,
        const float   *data,
        gsize          n,
        GError       **error)
{
  return svd_cl_context_upload (ctx, CL_MEM_READ_ONLY, data, n * sizeof (float), error);
}

/* U = G g Gᵀ into @u by the wino_weights kernel of the layer's program
 * (enqueued; the queue is in order, so the layer's runs come after it). */
static gboolean
transform_on_device (SvdWinogradLayer  *self,
                     SvdKernelGetter    get_kernel,
                     gpointer           data,
                     const char        *options,
                     const float       *weight,
                     GError           **error)
{
  cl_kernel k = get_kernel (data, "winograd.cl", "wino_weights", options, error);
  cl_event done = NULL;
  gboolean in_place;
  cl_mem raw;
  size_t gws[3] = { (size_t) self->ocb, (size_t) self->ic, (size_t) (self->oc / self->ocb) };
  cl_int err = CL_SUCCESS;

  if (k == NULL)
    return FALSE;
  /* A CPU device reads the caller's weights in place (a copy of VGG16's
   * would be 59 MB more to fault in and fill); then the kernel must be done
   * before they may go, so it is waited for. Other devices get a copy. */
  in_place = (svd_cl_context_get_info (self->ctx)->type & CL_DEVICE_TYPE_CPU) != 0;
  if (in_place)
    {
      raw = clCreateBuffer (svd_cl_context_get_context (self->ctx), CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR,
                            (gsize) self->oc * self->ic * 9 * sizeof (float), (void *) weight, &err);
      if (raw == NULL)
        {
          clReleaseKernel (k);
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "wino_weights input");
        }
    }
  else
    {
      raw = upload (self->ctx, weight, (gsize) self->oc * self->ic * 9, error);
      if (raw == NULL)
        {
          clReleaseKernel (k);
          return FALSE;
        }
    }
  err |= clSetKernelArg (k, 0, sizeof (cl_mem), &raw);
  err |= clSetKernelArg (k, 1, sizeof (cl_mem), &self->weight);
  if (err == CL_SUCCESS)
    err = clEnqueueNDRangeKernel (svd_cl_context_get_queue (self->ctx), k, 3, NULL, gws, NULL, 0, NULL,
                                  in_place ? &done : NULL);
  if (done != NULL)
    {
      cl_int werr = clWaitForEvents (1, &done);

      err = err != CL_SUCCESS ? err : werr;
      clReleaseEvent (done);
    }
  /* Released while queued: OpenCL keeps them until the kernel is done. */
  clReleaseMemObject (raw);
  clReleaseKernel (k);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "wino_weights");
  return TRUE;
}

/**
 * svd_winograd_layer_new:
 * @ctx: the context
 * @get_kernel: builds the program (the engine's, which keeps one program
 *   per option string)
 * @data: passed to @get_kernel
 * @m: 2 or 4
 * @ic: input channels
 * @oc: output channels
 * @src_half: the input feature map is stored as half
 * @dst_half: the output feature map is stored as half
 * @shape: the kernels' shape (the engine's variant: GPU-shaped where it
 *   runs the pixel-shaped direct kernel)
 * @vw: tiles per vector (1, 4, 8 or 16), or 0 for the device's preferred
 *   float vector width
 * @rx: vectors per block (1 to 4), or 0 for 1
 * @max_ocb: most output channels per block (1 to 32), or 0 for 16 (one
 *   vector of 16 tiles x 16 channels: 16 accumulators, measured 10-17 %
 *   less CPU time than 2 x 8 on PoCL AVX-512); the GPU shape takes at
 *   most 4 (its register block: 4 channels x 4 tiles)
 * @weight: OIHW 3x3 weights
 * @bias: @oc biases
 * @slope: @oc PReLU slopes
 * @error: return location for an error
 *
 * Uploads the weights and transforms them on the device (the wino_weights
 * kernel; svd_winograd_transform_weights() is its twin). The block shape
 * arguments are for tests and tuning; the engine passes 0. The GPU shape
 * has no vectors along tiles: it ignores @vw and @rx.
 *
 * Returns: (transfer full) (nullable): the layer
 */
SvdWinogradLayer *
svd_winograd_layer_new (SvdClContext     *ctx,
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
                        GError          **error)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (ctx);
  g_autoptr(SvdWinogradLayer) self = g_new0 (SvdWinogradLayer, 1);
  g_autofree char *options = NULL;
  int t = SVD_WINOGRAD_TILE (m);
  gsize n;

  if (!svd_winograd_supported (m) || ic <= 0 || oc <= 0 ||
      (shape != SVD_WINOGRAD_SHAPE_CPU && shape != SVD_WINOGRAD_SHAPE_GPU) ||
      (vw != 0 && vw != 1 && vw != 4 && vw != 8 && vw != 16) || rx < 0 ||
      rx > 4 || max_ocb < 0 || max_ocb > 32)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "No Winograd F(%dx%d,3x3) kernel with that block shape", m, m);
      return NULL;
    }
  self->ctx = svd_cl_context_ref (ctx);
  self->shape = shape;
  self->m = m;
  self->ic = ic;
  self->oc = oc;
  if (shape == SVD_WINOGRAD_SHAPE_GPU)
    {
      guint64 per_tile = (guint64) t * t * ((guint64) ic + oc) * sizeof (float);
      int nob;

      self->vw = 1;
      self->rx = 1;
      self->ocb = pick_block (oc, max_ocb != 0 ? MIN (max_ocb, 4) : 4);
      nob = oc / self->ocb;
      self->gly = nob % 4 == 0 ? 4 : nob % 2 == 0 ? 2 : 1;
      self->max_tiles = (int) CLAMP (GPU_SCRATCH_BUDGET / per_tile, GPU_MIN_TILES, GPU_MAX_TILES) / 64 * 64;
      options = g_strdup_printf ("-cl-std=CL1.2 -DWM=%d -DIC=%d -DOC=%d -DOCB=%d -DVW=1 -DRX=1 -DGLY=%d%s%s", m,
                                 ic, oc, self->ocb, self->gly, src_half ? " -DSRC_HALF" : "",
                                 dst_half ? " -DDST_HALF" : "");
      self->k_input = get_kernel (data, "winograd.cl", "wino_gpu_input", options, error);
      if (self->k_input == NULL)
        return NULL;
      self->k_gemm = get_kernel (data, "winograd.cl", "wino_gpu_gemm", options, error);
      if (self->k_gemm == NULL)
        return NULL;
      self->k_output = get_kernel (data, "winograd.cl", "wino_gpu_output", options, error);
      if (self->k_output == NULL)
        return NULL;
      /* The passes run in work-groups of 64; a device (or a kernel too
       * heavy for it) that takes fewer gets a clear error here rather
       * than a failed enqueue later. */
      {
        cl_kernel ks[3] = { self->k_input, self->k_gemm, self->k_output };

        for (int i = 0; i < 3; i++)
          {
            size_t wg = 0;
            cl_int err = clGetKernelWorkGroupInfo (ks[i], info->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg,
                                                   NULL);

            if (err != CL_SUCCESS)
              {
                svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clGetKernelWorkGroupInfo");
                return NULL;
              }
            if (wg < 64)
              {
                g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                             "The device runs work-groups of at most %zu items; GPU-shaped Winograd needs 64", wg);
                return NULL;
              }
          }
      }
    }
  else
    {
      self->vw = info->preferred_vector_width_float >= 16 ? 16 :
                 info->preferred_vector_width_float >= 8 ? 8 :
                 info->preferred_vector_width_float >= 4 ? 4 : 1;
      if (vw != 0)
        self->vw = vw;
      self->rx = rx != 0 ? rx : 1;
      self->ocb = pick_block (oc, max_ocb != 0 ? max_ocb : 16);
      /* Persistent work-items, a few per compute unit for balance (the
       * kernel is CPU-shaped: one work-item per work-group), each with its
       * own scratch slice; no more than 64 MiB of scratch in all. */
      self->n_items = (int) MAX (1u, info->compute_units) * 4;
      if ((info->type & CL_DEVICE_TYPE_GPU) != 0)
        self->n_items = (int) MAX (1u, info->compute_units) * 16;
      {
        guint64 t2 = (guint64) t * t, tb = (guint64) self->vw * self->rx;
        guint64 per_item = t2 * (tb * ((guint64) ic + self->ocb) + 32) * sizeof (float);

        self->n_items = (int) CLAMP ((guint64) self->n_items, 1, MAX (1, (64u << 20) / per_item));
      }

      options = g_strdup_printf ("-cl-std=CL1.2 -DWM=%d -DIC=%d -DOC=%d -DOCB=%d -DVW=%d -DRX=%d%s%s", m, ic, oc,
                                 self->ocb, self->vw, self->rx, src_half ? " -DSRC_HALF" : "",
                                 dst_half ? " -DDST_HALF" : "");
      self->kernel = get_kernel (data, "winograd.cl", "wino_conv", options, error);
      if (self->kernel == NULL)
        return NULL;
    }

  n = (gsize) t * t * oc * ic;
  self->weight = svd_cl_context_alloc (ctx, CL_MEM_READ_WRITE, n * sizeof (float), error);
  if (self->weight == NULL || !transform_on_device (self, get_kernel, data, options, weight, error))
    return NULL;
  self->bias = upload (ctx, bias, oc, error);
  if (self->bias == NULL)
    return NULL;
  self->slope = upload (ctx, slope, oc, error);
  if (self->slope == NULL)
    return NULL;
  self->weight_bytes = (n + 2 * (gsize) oc) * sizeof (float);
  return g_steal_pointer (&self);
}

void
svd_winograd_layer_free (SvdWinogradLayer *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->kernel, clReleaseKernel);
  g_clear_pointer (&self->k_input, clReleaseKernel);
  g_clear_pointer (&self->k_gemm, clReleaseKernel);
  g_clear_pointer (&self->k_output, clReleaseKernel);
  g_clear_pointer (&self->weight, clReleaseMemObject);
  g_clear_pointer (&self->bias, clReleaseMemObject);
  g_clear_pointer (&self->slope, clReleaseMemObject);
  g_clear_pointer (&self->ctx, svd_cl_context_unref);
  g_free (self);
}

int
svd_winograd_layer_get_m (SvdWinogradLayer *self)
{
  return self->m;
}

/* Output channels per block of the transformed weights' layout. */
int
svd_winograd_layer_get_ocb (SvdWinogradLayer *self)
{
  return self->ocb;
}

/* Vectors of tiles per block of the kernel. */
int
svd_winograd_layer_get_rx (SvdWinogradLayer *self)
{
  return self->rx;
}

SvdWinogradShape
svd_winograd_layer_get_shape (SvdWinogradLayer *self)
{
  return self->shape;
}

/**
 * svd_winograd_layer_set_max_tiles:
 * @self: a GPU-shaped layer
 * @max_tiles: most tiles per chunk, a positive multiple of 4
 *
 * Runs bands in chunks of at most @max_tiles tiles (the default fills
 * 32 MiB of scratch), for tests of chunks that end inside a row of tiles.
 * svd_winograd_layer_scratch_bytes() follows.
 *
 * Returns: %FALSE (with @error set) for the CPU shape, which has no
 *   chunks, or a count that is not a positive multiple of 4
 */
gboolean
svd_winograd_layer_set_max_tiles (SvdWinogradLayer  *self,
                                  int                max_tiles,
                                  GError           **error)
{
  if (self->shape != SVD_WINOGRAD_SHAPE_GPU || max_tiles <= 0 || max_tiles % 4 != 0 ||
      max_tiles > GPU_MAX_TILES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "No chunks of %d tiles for a %s-shaped layer",
                   max_tiles, svd_winograd_shape_name (self->shape));
      return FALSE;
    }
  self->max_tiles = max_tiles;
  return TRUE;
}

/**
 * svd_winograd_layer_read_weights:
 * @self: a layer
 * @u: (out caller-allocates): (m + 2)² x oc x ic floats, in the layout of
 *   svd_winograd_transform_weights() with svd_winograd_layer_get_ocb()
 * @error: return location for an error
 *
 * Reads the transformed weights back (waits for the queue), for the tests
 * that hold the device transform to its C twin.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_winograd_layer_read_weights (SvdWinogradLayer  *self,
                                 float             *u,
                                 GError           **error)
{
  int t = SVD_WINOGRAD_TILE (self->m);
  cl_int err = clEnqueueReadBuffer (svd_cl_context_get_queue (self->ctx), self->weight, CL_TRUE, 0,
                                    (gsize) t * t * self->oc * self->ic * sizeof (float), u, 0, NULL, NULL);

  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBuffer(winograd weights)");
  return TRUE;
}

/* Device bytes of the transformed weights, bias and slopes. */
guint64
svd_winograd_layer_weight_bytes (SvdWinogradLayer *self)
{
  return self->weight_bytes;
}

/* The scratch this layer needs: the CPU shape's work-items' V and M
 * slices; the GPU shape's V and M of one chunk of tiles. */
guint64
svd_winograd_layer_scratch_bytes (SvdWinogradLayer *self)
{
  guint64 t = SVD_WINOGRAD_TILE (self->m), tb = (guint64) self->vw * self->rx;

  if (self->shape == SVD_WINOGRAD_SHAPE_GPU)
    return t * t * ((guint64) self->ic + self->oc) * self->max_tiles * sizeof (float);

  /* V and M, each row of positions padded by 16 floats (winograd.cl). */
  return (guint64) self->n_items * t * t * (tb * (self->ic + self->ocb) + 32) * sizeof (float);
}

/* Rows of m x m tiles a frame of @height rows has. */
int
svd_winograd_layer_tile_rows (SvdWinogradLayer *self,
                              int               height)
{
  return (height + self->m - 1) / self->m;
}

/* Keeps the first and the latest of the events a run enqueued. */
static void
track_event (cl_event  ev,
             cl_event *first,
             cl_event *last)
{
  if (ev == NULL)
    return;
  if (*first == NULL)
    {
      clRetainEvent (ev);
      *first = ev;
    }
  if (*last != NULL)
    clReleaseEvent (*last);
  *last = ev;
}

static inline size_t
round_up_size (size_t v,
               size_t m)
{
  return (v + m - 1) / m * m;
}

/* The GPU shape on tiles t0 … t0 + nt - 1 (nt <= max_tiles): the three
 * passes of opencl/winograd.cl. */
static gboolean
run_gpu_chunk (SvdWinogradLayer *self,
               cl_mem            src,
               int               src_pitch,
               int               src_plane,
               cl_mem            dst,
               int               dst_pitch,
               int               dst_plane,
               cl_mem            scratch,
               int               width,
               int               height,
               int               ntx,
               int               t0,
               int               nt,
               cl_event         *first,
               cl_event         *last,
               GError          **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->ctx);
  int t = SVD_WINOGRAD_TILE (self->m);
  int tp = (nt + 3) / 4 * 4;
  /* M follows V's largest chunk. */
  gint64 m_off64 = (gint64) t * t * self->ic * self->max_tiles;
  int m_off = (int) MIN (m_off64, G_MAXINT);
  gboolean want = first != NULL;
  cl_int err = CL_SUCCESS;
  cl_event ev = NULL;
  cl_kernel k;
  int a;

  if ((gint64) t * t * ((gint64) self->ic + self->oc) * self->max_tiles > G_MAXINT)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Winograd scratch of %d tiles of %d→%d channels too large", self->max_tiles, self->ic, self->oc);
      return FALSE;
    }
  {
    size_t gws[2] = { round_up_size (tp, 64), (size_t) self->ic }, lws[2] = { 64, 1 };

    k = self->k_input;
    a = 0;
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &src);
    err |= clSetKernelArg (k, a++, sizeof (int), &src_pitch);
    err |= clSetKernelArg (k, a++, sizeof (int), &src_plane);
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &scratch);
    err |= clSetKernelArg (k, a++, sizeof (int), &width);
    err |= clSetKernelArg (k, a++, sizeof (int), &height);
    err |= clSetKernelArg (k, a++, sizeof (int), &ntx);
    err |= clSetKernelArg (k, a++, sizeof (int), &t0);
    err |= clSetKernelArg (k, a++, sizeof (int), &nt);
    err |= clSetKernelArg (k, a++, sizeof (int), &tp);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(wino_gpu_input)");
    err = clEnqueueNDRangeKernel (q, k, 2, NULL, gws, lws, 0, NULL, want ? &ev : NULL);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(wino_gpu_input)");
    if (want)
      track_event (ev, first, last);
  }
  {
    size_t gtq = 64 / self->gly;
    size_t gws[3] = { round_up_size (tp / 4, gtq), (size_t) (self->oc / self->ocb), (size_t) t * t };
    size_t lws[3] = { gtq, (size_t) self->gly, 1 };

    k = self->k_gemm;
    a = 0;
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &scratch);
    err |= clSetKernelArg (k, a++, sizeof (int), &m_off);
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &self->weight);
    err |= clSetKernelArg (k, a++, sizeof (int), &tp);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(wino_gpu_gemm)");
    err = clEnqueueNDRangeKernel (q, k, 3, NULL, gws, lws, 0, NULL, want ? &ev : NULL);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(wino_gpu_gemm)");
    if (want)
      track_event (ev, first, last);
  }
  {
    size_t gws[2] = { round_up_size (nt, 64), (size_t) self->oc }, lws[2] = { 64, 1 };

    k = self->k_output;
    a = 0;
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &scratch);
    err |= clSetKernelArg (k, a++, sizeof (int), &m_off);
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &dst);
    err |= clSetKernelArg (k, a++, sizeof (int), &dst_pitch);
    err |= clSetKernelArg (k, a++, sizeof (int), &dst_plane);
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &self->bias);
    err |= clSetKernelArg (k, a++, sizeof (cl_mem), &self->slope);
    err |= clSetKernelArg (k, a++, sizeof (int), &width);
    err |= clSetKernelArg (k, a++, sizeof (int), &height);
    err |= clSetKernelArg (k, a++, sizeof (int), &ntx);
    err |= clSetKernelArg (k, a++, sizeof (int), &t0);
    err |= clSetKernelArg (k, a++, sizeof (int), &nt);
    err |= clSetKernelArg (k, a++, sizeof (int), &tp);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(wino_gpu_output)");
    err = clEnqueueNDRangeKernel (q, k, 2, NULL, gws, lws, 0, NULL, want ? &ev : NULL);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(wino_gpu_output)");
    if (want)
      track_event (ev, first, last);
  }
  return TRUE;
}

/**
 * svd_winograd_layer_run:
 * @ty0: the first row of tiles to compute
 * @n_rows: rows of tiles from @ty0 (a band), or 0 for all the rest
 * @first_event: (out) (optional): the first command enqueued (the start
 *   of the run's device time: the GPU shape enqueues several)
 * @event: (out) (optional): the last command enqueued (its end)
 *
 * Enqueues the layer (or a band of it) on padded feature maps (see
 * opencl/winograd.cl); @scratch holds at least
 * svd_winograd_layer_scratch_bytes(). Bands write disjoint output rows and
 * give the same bits as one whole run. The caller owns the events (one
 * reference each, also when both are the same command).
 */
gboolean
svd_winograd_layer_run (SvdWinogradLayer *self,
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
                        GError          **error)
{
  cl_kernel k = self->kernel;
  cl_int err = CL_SUCCESS;
  int ntx = (width + self->m - 1) / self->m, nty = (height + self->m - 1) / self->m;
  int tb = self->vw * self->rx;
  int nbx = (ntx + tb - 1) / tb;
  int nblocks, a = 0;
  size_t gws, lws = 1;
  cl_event ev_first = NULL, ev_last = NULL;
  gboolean want = first_event != NULL || event != NULL;

  if (ty0 < 0 || ty0 >= nty || n_rows < 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Winograd band %d+%d outside %d tile rows",
                   ty0, n_rows, nty);
      return FALSE;
    }
  if (n_rows == 0 || n_rows > nty - ty0)
    n_rows = nty - ty0;

  if (self->shape == SVD_WINOGRAD_SHAPE_GPU)
    {
      /* The band's tiles in chunks that fit the scratch; a chunk may end
       * inside a row of tiles. */
      gint64 t_end = ((gint64) ty0 + n_rows) * ntx;

      if (t_end > G_MAXINT)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Frame of %dx%d too large for Winograd",
                       width, height);
          return FALSE;
        }
      for (gint64 t0 = (gint64) ty0 * ntx; t0 < t_end; t0 += self->max_tiles)
        if (!run_gpu_chunk (self, src, src_pitch, src_plane, dst, dst_pitch, dst_plane, scratch, width, height,
                            ntx, (int) t0, (int) MIN (self->max_tiles, t_end - t0),
                            want ? &ev_first : NULL, want ? &ev_last : NULL, error))
          {
            g_clear_pointer (&ev_first, clReleaseEvent);
            g_clear_pointer (&ev_last, clReleaseEvent);
            return FALSE;
          }
    }
  else
    {
      nblocks = nbx * n_rows;
      gws = MIN (self->n_items, nblocks);

      err |= clSetKernelArg (k, a++, sizeof (cl_mem), &src);
      err |= clSetKernelArg (k, a++, sizeof (int), &src_pitch);
      err |= clSetKernelArg (k, a++, sizeof (int), &src_plane);
      err |= clSetKernelArg (k, a++, sizeof (cl_mem), &dst);
      err |= clSetKernelArg (k, a++, sizeof (int), &dst_pitch);
      err |= clSetKernelArg (k, a++, sizeof (int), &dst_plane);
      err |= clSetKernelArg (k, a++, sizeof (cl_mem), &self->weight);
      err |= clSetKernelArg (k, a++, sizeof (cl_mem), &self->bias);
      err |= clSetKernelArg (k, a++, sizeof (cl_mem), &self->slope);
      err |= clSetKernelArg (k, a++, sizeof (cl_mem), &scratch);
      err |= clSetKernelArg (k, a++, sizeof (int), &width);
      err |= clSetKernelArg (k, a++, sizeof (int), &height);
      err |= clSetKernelArg (k, a++, sizeof (int), &ntx);
      err |= clSetKernelArg (k, a++, sizeof (int), &nbx);
      err |= clSetKernelArg (k, a++, sizeof (int), &nblocks);
      err |= clSetKernelArg (k, a++, sizeof (int), &ty0);
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(wino_conv)");
      err = clEnqueueNDRangeKernel (svd_cl_context_get_queue (self->ctx), k, 1, NULL, &gws, &lws, 0, NULL,
                                    want ? &ev_last : NULL);
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(wino_conv)");
      if (want)
        {
          clRetainEvent (ev_last);
          ev_first = ev_last;
        }
    }
  if (first_event != NULL)
    *first_event = ev_first;
  else if (ev_first != NULL)
    clReleaseEvent (ev_first);
  if (event != NULL)
    *event = ev_last;
  else if (ev_last != NULL)
    clReleaseEvent (ev_last);
  return TRUE;
}

/* ---- The per-layer choice, cached beside the kernel binaries ---- */

const char *
svd_conv_algo_name (SvdConvAlgo algo)
{
  switch (algo)
    {
    case SVD_CONV_ALGO_WINO2:
      return "wino2";
    case SVD_CONV_ALGO_WINO4:
      return "wino4";
    case SVD_CONV_ALGO_DIRECT:
    default:
      return "direct";
    }
}

/* { max OCB, RX }: 16 x 1 (16 accumulators of one vector of tiles each)
 * measured 10-17 % less CPU time than 8 x 2 on PoCL AVX-512; devices with
 * fewer or narrower registers (AVX2: 16 of 8 floats) may want the other. */
static const int wino_blocks[SVD_WINO_N_BLOCKS][2] = { { 16, 1 }, { 8, 2 } };

/**
 * svd_wino_block_get:
 * @block: 0 to %SVD_WINO_N_BLOCKS - 1
 * @max_ocb: (out): most output channels per block (svd_winograd_layer_new())
 * @rx: (out): vectors of tiles per block
 */
void
svd_wino_block_get (int  block,
                    int *max_ocb,
                    int *rx)
{
  g_return_if_fail (block >= 0 && block < SVD_WINO_N_BLOCKS);
  *max_ocb = wino_blocks[block][0];
  *rx = wino_blocks[block][1];
}

/**
 * svd_conv_candidate:
 * @i: 0 to %SVD_CONV_N_CANDIDATES - 1
 *
 * Returns: the auto choice's candidate @i: direct, then F(2x2) in every
 *   blocking, then F(4x4) in every blocking
 */
SvdConvChoice
svd_conv_candidate (int i)
{
  SvdConvChoice c = { SVD_CONV_ALGO_DIRECT, 0 };

  g_return_val_if_fail (i >= 0 && i < SVD_CONV_N_CANDIDATES, c);
  if (i > 0)
    {
      c.algo = i - 1 < SVD_WINO_N_BLOCKS ? SVD_CONV_ALGO_WINO2 : SVD_CONV_ALGO_WINO4;
      c.block = (i - 1) % SVD_WINO_N_BLOCKS;
    }
  return c;
}

/**
 * svd_conv_choice_name:
 * @choice: a choice
 *
 * Returns: (transfer full): "direct", or the Winograd variant and its
 *   blocking as max OCB x RX, e.g. "wino4:16x1" (the conv-choice.ini value)
 */
char *
svd_conv_choice_name (SvdConvChoice choice)
{
  int ocb, rx;

  if (choice.algo == SVD_CONV_ALGO_DIRECT)
    return g_strdup ("direct");
  svd_wino_block_get (CLAMP (choice.block, 0, SVD_WINO_N_BLOCKS - 1), &ocb, &rx);
  return g_strdup_printf ("%s:%dx%d", svd_conv_algo_name (choice.algo), ocb, rx);
}

/* Frame sizes whose pixel counts lie within a factor of two share one
 * measurement: log2 of the pixel count, rounded. */
int
svd_conv_size_class (int width,
                     int height)
{
  guint64 px = (guint64) MAX (width, 1) * MAX (height, 1);
  int c = 0;

  while (px > 1)
    {
      px >>= 1;
      c++;
    }
  return c;
}

/* The key of a layer shape at a size class, for the CPU-shaped kernels
 * (the block variant). */
char *
svd_conv_choice_key (int      ic,
                     int      oc,
                     gboolean src_half,
                     gboolean dst_half,
                     int      size_class)
{
  return svd_conv_choice_key_for_shape (ic, oc, src_half, dst_half, SVD_WINOGRAD_SHAPE_CPU, size_class);
}

/* The same for either shape: the GPU-shaped kernels' times (the pixel
 * variant) are another measurement, kept apart when both variants run on
 * one device (SVD_CONV_VARIANT). The CPU shape's keys are as before. */
char *
svd_conv_choice_key_for_shape (int              ic,
                               int              oc,
                               gboolean         src_half,
                               gboolean         dst_half,
                               SvdWinogradShape shape,
                               int              size_class)
{
  return g_strdup_printf ("conv3x3-%d-%d-%s%s-px2^%d%s", ic, oc, src_half ? "h" : "f", dst_half ? "h" : "f",
                          size_class, shape == SVD_WINOGRAD_SHAPE_GPU ? "-gpu" : "");
}

/* Per device, driver, app version and kernel sources: a choice measured
 * with other kernels is measured again. */
static char *
choice_group (SvdClContext *ctx)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (ctx);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *files[] = { "conv.cl", "winograd.cl" };
  char digest[13];

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *src = svd_cl_context_load_source (ctx, files[i], NULL);

      if (src != NULL)
        g_checksum_update (sum, (const guchar *) src, -1);
    }
  g_strlcpy (digest, g_checksum_get_string (sum), sizeof digest);
  return g_strdup_printf ("%s | %s | %s | " SVD_VERSION " | kernels %s", info->platform_name, info->name,
                          info->driver_version, digest);
}

static char *
choice_path (const char *cache_dir)
{
  return g_build_filename (cache_dir, "conv-choice.ini", NULL);
}

/* "direct", "wino2" or "wino4" (block 0: what files written before the
 * blocking was measured hold), or "wino2:OCBxRX" / "wino4:OCBxRX" naming
 * one of the blockings; then the end or "; " and the measurements. */
static gboolean
parse_choice (const char    *val,
              SvdConvChoice *choice)
{
  SvdConvChoice c = { SVD_CONV_ALGO_DIRECT, 0 };
  const char *p;

  if (val == NULL)
    return FALSE;
  if (g_str_has_prefix (val, "wino2"))
    c.algo = SVD_CONV_ALGO_WINO2;
  else if (g_str_has_prefix (val, "wino4"))
    c.algo = SVD_CONV_ALGO_WINO4;
  else if (!g_str_has_prefix (val, "direct"))
    return FALSE;
  p = val + (c.algo == SVD_CONV_ALGO_DIRECT ? 6 : 5);
  if (*p == ':' && c.algo != SVD_CONV_ALGO_DIRECT)
    {
      gboolean found = FALSE;

      for (int b = 0; b < SVD_WINO_N_BLOCKS && !found; b++)
        {
          g_autofree char *name = NULL;
          SvdConvChoice t = { c.algo, b };

          name = svd_conv_choice_name (t);
          if (g_str_has_prefix (val, name))
            {
              c.block = b;
              p = val + strlen (name);
              found = TRUE;
            }
        }
      if (!found)
        return FALSE;
    }
  if (*p != '\0' && *p != ';')
    return FALSE;
  *choice = c;
  return TRUE;
}

/* The cache is ours, but it sits in the user's cache folder: it is read
 * only as a regular file of at most this size (a line per layer shape,
 * size class and device: a few KB). */
#define CONV_CHOICE_MAX_BYTES ((gsize) 1 << 20)

/**
 * svd_conv_choice_parse:
 * @data: the text of a conv-choice.ini
 * @length: its length
 * @group: the device's group (platform | device | driver | version)
 * @key: from svd_conv_choice_key()
 * @choice: (out): the choice stored for @key in @group
 *
 * Returns: whether a valid choice was stored; anything else (text that is
 *   not a key file, an unknown value or blocking) reads as no choice
 */
gboolean
svd_conv_choice_parse (const char    *data,
                       gsize          length,
                       const char    *group,
                       const char    *key,
                       SvdConvChoice *choice)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *val = NULL;

  if (!g_key_file_load_from_data (kf, data, length, G_KEY_FILE_NONE, NULL))
    return FALSE;
  val = g_key_file_get_string (kf, group, key, NULL);
  return parse_choice (val, choice);
}

/**
 * svd_conv_choice_lookup:
 * @ctx: the device
 * @cache_dir: the kernel cache directory
 * @key: from svd_conv_choice_key()
 * @choice: (out): the choice stored for @key on this device and driver
 *
 * Returns: whether a choice was stored
 */
gboolean
svd_conv_choice_lookup (SvdClContext  *ctx,
                        const char    *cache_dir,
                        const char    *key,
                        SvdConvChoice *choice)
{
  g_autofree char *path = choice_path (cache_dir);
  g_autofree char *group = choice_group (ctx);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!svd_file_read_regular (path, CONV_CHOICE_MAX_BYTES, &data, &len, NULL))
    return FALSE;
  return svd_conv_choice_parse (data, len, group, key, choice);
}

/**
 * svd_conv_choice_store:
 * @ms: (array fixed-size=5): measured ms of each candidate in
 *   svd_conv_candidate()'s order (0: not measured), kept in the file for
 *   people reading it
 *
 * The first choice stored for a key wins: when another process measured
 * the same key meanwhile (tests and jobs run side by side), its choice is
 * kept and returned, so every process on the device runs a layer shape the
 * same way and gives the same bits. The read and write hold an flock on
 * conv-choice.lock. Best effort: a cache that cannot be written costs a
 * re-measurement.
 *
 * Returns: the choice to use: @choice, or the one stored first
 */
SvdConvChoice
svd_conv_choice_store (SvdClContext  *ctx,
                       const char    *cache_dir,
                       const char    *key,
                       SvdConvChoice  choice,
                       const double  *ms)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = choice_path (cache_dir);
  g_autofree char *lock_path = g_build_filename (cache_dir, "conv-choice.lock", NULL);
  g_autofree char *group = choice_group (ctx);
  g_autofree char *old = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  SvdConvChoice stored;
  int lock = -1;

  if (g_mkdir_with_parents (cache_dir, 0700) != 0)
    {
      g_debug ("Cannot store the conv choice in %s: %s", cache_dir, g_strerror (errno));
      return choice;
    }
  lock = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock >= 0)
    while (flock (lock, LOCK_EX) != 0 && errno == EINTR)
      ;
  if (svd_file_read_regular (path, CONV_CHOICE_MAX_BYTES, &data, &len, NULL))
    g_key_file_load_from_data (kf, data, len, G_KEY_FILE_KEEP_COMMENTS, NULL);
  old = g_key_file_get_string (kf, group, key, NULL);
  if (parse_choice (old, &stored))
    choice = stored;
  else
    {
      g_autoptr(GString) val = g_string_new (NULL);
      g_autofree char *name = svd_conv_choice_name (choice);

      g_string_append_printf (val, "%s;", name);
      for (int i = 0; i < SVD_CONV_N_CANDIDATES; i++)
        {
          g_autofree char *cand = svd_conv_choice_name (svd_conv_candidate (i));

          g_string_append_printf (val, "%s %s %.3f ms", i > 0 ? "," : "", cand, ms[i]);
        }
      g_key_file_set_string (kf, group, key, val->str);
      if (!g_key_file_save_to_file (kf, path, &error))
        g_debug ("Cannot store the conv choice in %s: %s", path, error->message);
    }
  if (lock >= 0)
    close (lock);
  return choice;
}
