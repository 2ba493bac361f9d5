/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-engine"

#include "svd-engine.h"
#include "svd-color.h"
#include "svd-model-ref.h"
#include "svd-resize.h"
#include "svd-winograd-cl.h"
#include "svd-graph-cl.h"
#include "core/svd-error.h"
#include "core/svd-fault.h"
#include "core/svd-memory.h"

#include <stdio.h>
#include <string.h>

/* Rows per work-item never exceed this, so buffers sized with it fit every
 * layer's tiling. */
#define RY_MAX 8

typedef struct {
  cl_kernel kernel;
  cl_mem    weight;
  cl_mem    bias;
  cl_mem    slope;
  int       ic;
  int       oc;
  int       ocb;
  int       ry;
  gboolean  last;
  /* Body convs (nf → nf) may run by Winograd: [0] F(2x2), [1] F(4x4),
   * created as settings.conv asks; algo is the one in use. */
  SvdWinogradLayer *wino[2];
  int       wino_block[2];    /* the blocking wino[k] was made with */
  char     *direct_options;   /* the direct kernel's build options, kept
                               * until direct first runs (kernel NULL) */
  const SvdConvLayer *wino_src; /* its weights (the stage's model holds
                                 * them): set when Winograd may run it */
  SvdConvAlgo algo;
  int       tuned_class;      /* size class algo was chosen for; -1: none */
  double    tune_ms[3];       /* measured direct, wino2, wino4 (0: not run),
                               * each its best blocking */
  double    profile_ms;       /* summed device time when layer profiling */
  int       run_w;            /* the size it last ran at */
  int       run_h;
  int       profile_runs;
} Layer;

typedef struct {
  SvdModel *model;      /* NULL: a built-in resize step */
  SvdResizeFilter filter;
  int       scale;
  cl_kernel resize;
  Layer    *layers;
  int       n_layers;
  int       res;        /* index into the resolution table of its input */
  SvdGraphCl *graph;    /* a graph-IR model (SvdModel.graph) */
} Stage;

/* A device image: planes with a one-pixel zero border (see conv.cl). */
typedef struct {
  cl_mem mem;
  int    channels;
  int    w;             /* the size it is allocated for */
  int    h;
  int    pitch;
  int    plane;
  int    elem;          /* bytes per value: 4 (float) or 2 (half) */
  int    used_w;        /* the size last run in it; the slack is zeroed */
  int    used_h;        /* whenever this changes */
} DevBuf;

typedef struct {
  int    scale;         /* relative to the chain input */
  int    max_nf;
  DevBuf feat[2];
} Resolution;

struct _SvdEngine {
  SvdSettings   settings;
  SvdClContext *ctx;          /* NULL: CPU reference fallback */
  char         *device_name;
  GPtrArray    *models;
  Stage         stages[SVD_ENGINE_MAX_STAGES];
  int           n_stages;
  Resolution    res[SVD_ENGINE_MAX_STAGES];
  int           n_res;
  DevBuf        rgb[SVD_ENGINE_MAX_STAGES + 1];
  int           total_scale;
  int           halo;
  /* Tiles' offsets and sides are multiples of this (a graph stage's pixel
   * unshuffle grid, in chain input pixels). */
  int           align;
  /* A graph-IR stage whose tiles would not give the whole frame's result
   * (svd_graph_get_tiling()): such chains run whole frames. */
  gboolean      untileable;

  /* Kernel shape */
  gboolean      pixel_variant;
  int           vw;
  int           rx;
  int           acc_budget;
  int           max_ocb;
  gboolean      profile_layers;
  gboolean      half;         /* fp16 feature maps (settings.precision) */
  cl_mem        wino_scratch; /* shared by every Winograd layer */
  guint64       wino_scratch_bytes;
  GHashTable   *conv_choices; /* choice key → SvdConvAlgo, this process */

  GHashTable   *programs;     /* build options → cl_program */
  double        build_ms;
  SvdColorKernels *color;

  /* Buffers sized for this input */
  int           alloc_w;
  int           alloc_h;
  cl_mem        io_buf;       /* packed input/output frame bytes */
  gsize         io_bytes;
  guint64       bytes;
  guint64       peak;
  /* Set when an allocation failed at run time (the device ran out of
   * memory below its advertised limit): the tile size that then worked,
   * or 0 for the CPU reference path; 0 before any failure. */
  int           oom_tile;
  gboolean      oom_cpu;
  /* plan_tiles() found no tile that fits: no smaller tile will. */
  gboolean      plan_refused;
  gboolean      plan_noticed;
  /* The last frame's result is whole in rgb[n_stages] (one region on the
   * device), of this size. */
  gboolean      output_on_device;
  int           output_w;
  int           output_h;
  /* During svd_engine_process_planes(): the input already on the device. */
  const SvdClPlanes *dev_input;
  /* During svd_engine_process_resident(): a whole result stays on the
   * device, nothing is read back. */
  gboolean      resident;
};

static gsize
round_up (gsize v,
          gsize m)
{
  return (v + m - 1) / m * m;
}

static void
devbuf_release (SvdEngine *self,
                DevBuf    *b)
{
  if (b->mem != NULL)
    {
      clReleaseMemObject (b->mem);
      self->bytes -= (guint64) b->plane * b->channels * b->elem;
    }
  memset (b, 0, sizeof *b);
}

/* Device bytes of a layer's direct weights, bias and slopes: only the
 * buffers it holds (a setup that failed half way, or a layer whose direct
 * weights were never needed, holds fewer). Graph stages free their lent
 * convs at every new frame size, so a miscount here would run self->bytes
 * below zero (it once subtracted one oc-sized buffer too many). */
static guint64
layer_direct_bytes (const Layer *l)
{
  return ((l->weight != NULL ? (guint64) l->ic * 9 : 0) + (l->bias != NULL ? 1 : 0) + (l->slope != NULL ? 1 : 0)) *
         l->oc * sizeof (float);
}

static void
layer_clear (Layer *l)
{
  g_clear_pointer (&l->wino[0], svd_winograd_layer_free);
  g_clear_pointer (&l->wino[1], svd_winograd_layer_free);
  g_clear_pointer (&l->kernel, clReleaseKernel);
  g_clear_pointer (&l->direct_options, g_free);
  g_clear_pointer (&l->weight, clReleaseMemObject);
  g_clear_pointer (&l->bias, clReleaseMemObject);
  g_clear_pointer (&l->slope, clReleaseMemObject);
}

static void
release_buffers (SvdEngine *self)
{
  for (int r = 0; r < self->n_res; r++)
    for (int i = 0; i < 2; i++)
      devbuf_release (self, &self->res[r].feat[i]);
  for (int s = 0; s <= SVD_ENGINE_MAX_STAGES; s++)
    devbuf_release (self, &self->rgb[s]);
  if (self->io_buf != NULL)
    {
      clReleaseMemObject (self->io_buf);
      self->bytes -= self->io_bytes;
      self->io_buf = NULL;
      self->io_bytes = 0;
    }
  self->alloc_w = self->alloc_h = 0;
}

static void
clear_chain (SvdEngine *self)
{
  release_buffers (self);
  for (int s = 0; s < self->n_stages; s++)
    {
      Stage *st = &self->stages[s];

      for (int i = 0; i < st->n_layers; i++)
        {
          self->bytes -= layer_direct_bytes (&st->layers[i]);
          for (int k = 0; k < 2; k++)
            if (st->layers[i].wino[k] != NULL)
              self->bytes -= svd_winograd_layer_weight_bytes (st->layers[i].wino[k]);
          layer_clear (&st->layers[i]);
        }
      g_free (st->layers);
      g_clear_pointer (&st->resize, clReleaseKernel);
      g_clear_pointer (&st->graph, svd_graph_cl_free);
    }
  if (self->wino_scratch != NULL)
    {
      clReleaseMemObject (self->wino_scratch);
      self->bytes -= self->wino_scratch_bytes;
      self->wino_scratch = NULL;
      self->wino_scratch_bytes = 0;
    }
  memset (self->stages, 0, sizeof self->stages);
  self->n_stages = 0;
  self->n_res = 0;
  self->untileable = FALSE;
  self->align = 1;
  g_ptr_array_set_size (self->models, 0);
}

void
svd_engine_free (SvdEngine *self)
{
  if (self == NULL)
    return;
  clear_chain (self);
  g_ptr_array_unref (self->models);
  g_clear_pointer (&self->color, svd_color_kernels_free);
  if (self->programs != NULL)
    g_hash_table_unref (self->programs);
  g_clear_pointer (&self->conv_choices, g_hash_table_unref);
  g_clear_pointer (&self->ctx, svd_cl_context_unref);
  g_free (self->device_name);
  svd_settings_clear (&self->settings);
  g_free (self);
}

static void
release_program (gpointer p)
{
  clReleaseProgram (p);
}

static void
choose_shape (SvdEngine *self)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (self->ctx);
  const SvdSettings *s = &self->settings;

  /* CPUs (PoCL) want a few big work-items full of explicit SIMD; GPUs want
   * many light ones. The settings' conv_variant overrides, to measure both
   * on one device. */
  self->pixel_variant = (info->type & CL_DEVICE_TYPE_GPU) != 0;
  if (s->conv_variant == SVD_CONV_VARIANT_PIXEL)
    self->pixel_variant = TRUE;
  else if (s->conv_variant == SVD_CONV_VARIANT_BLOCK)
    self->pixel_variant = FALSE;

  self->vw = info->preferred_vector_width_float >= 16 ? 16 :
             info->preferred_vector_width_float >= 8 ? 8 :
             info->preferred_vector_width_float >= 4 ? 4 : 1;
  self->rx = 3;
  self->acc_budget = 24;
  self->max_ocb = 8;
  self->profile_layers = s->profile_layers;
  if (self->pixel_variant)
    {
      self->vw = 1;
      self->rx = 1;
      self->max_ocb = 8;
    }
  /* The block shape for tuning, validated by svd_settings_set_conv_block(). */
  if (s->conv_vw > 0)
    {
      self->vw = s->conv_vw;
      self->rx = s->conv_rx;
      self->acc_budget = s->conv_acc;
      self->max_ocb = s->conv_ocb;
    }
}

static SvdEngine *
engine_new (SvdClContext      *context,
            const SvdSettings *settings)
{
  SvdEngine *self = g_new0 (SvdEngine, 1);

  svd_settings_copy (&self->settings, settings);
  self->models = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_model_unref);
  self->programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, release_program);
  self->conv_choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (context != NULL)
    {
      self->ctx = svd_cl_context_ref (context);
      self->device_name = g_strdup_printf ("%s (%s)", svd_cl_context_get_info (context)->name,
                                           svd_cl_context_get_info (context)->platform_name);
      choose_shape (self);
      self->half = settings->precision == SVD_PRECISION_FP16;
    }
  else
    self->device_name = g_strdup ("CPU reference (no OpenCL)");
  return self;
}

/**
 * svd_engine_new:
 * @settings: settings; `device` picks the OpenCL device, "cpu-ref" the
 *   CPU reference
 * @error: return location for an error
 *
 * When no OpenCL device exists at all (and the settings did not name one),
 * the engine falls back to the CPU reference and says so on stderr once.
 *
 * Returns: (transfer full) (nullable): an engine
 */
SvdEngine *
svd_engine_new (const SvdSettings  *settings,
                GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SvdClContext) ctx = NULL;
  const char *dev = settings->device;

  if (g_strcmp0 (dev, "cpu-ref") == 0)
    return engine_new (NULL, settings);
  ctx = svd_cl_context_new (settings, &local_error);
  if (ctx == NULL)
    {
      g_autoptr(GPtrArray) devices = svd_cl_list_devices (NULL);
      gboolean none = devices == NULL || devices->len == 0;

      if (none && (dev == NULL || *dev == '\0' || g_ascii_strcasecmp (dev, "auto") == 0))
        {
          g_printerr ("Notice: no OpenCL device found; using the CPU reference, which is much "
                      "slower. Install an OpenCL driver (pocl-opencl-icd, or your GPU's ICD).\n");
          return engine_new (NULL, settings);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return svd_engine_new_for_context (ctx, settings, error);
}

/**
 * svd_engine_new_for_context:
 * @context: (nullable): an OpenCL context, or %NULL for the CPU reference
 * @settings: settings
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): an engine on @context
 */
SvdEngine *
svd_engine_new_for_context (SvdClContext       *context,
                            const SvdSettings  *settings,
                            GError            **error)
{
  g_autoptr(SvdEngine) self = engine_new (context, settings);

  if (context != NULL)
    {
      self->color = svd_color_kernels_new (context, error);
      if (self->color == NULL)
        return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
svd_engine_is_cpu_fallback (SvdEngine *self)
{
  return self->ctx == NULL;
}

const char *
svd_engine_get_device_name (SvdEngine *self)
{
  return self->device_name;
}

SvdClContext *
svd_engine_get_context (SvdEngine *self)
{
  return self->ctx;
}

int
svd_engine_get_scale (SvdEngine *self)
{
  return self->total_scale;
}

double
svd_engine_get_build_ms (SvdEngine *self)
{
  return self->build_ms;
}

const char *
svd_engine_get_variant (SvdEngine *self)
{
  if (self->ctx == NULL)
    return "cpu-ref";
  if (self->half)
    return self->pixel_variant ? "pixel-fp16" : "block-fp16";
  return self->pixel_variant ? "pixel" : "block";
}

/**
 * svd_engine_set_profile_layers:
 * @self: an engine
 * @profile: wait for every layer and sum its device time
 *
 * For `svd bench --explain`: per-layer times, at the cost of a wait after
 * every layer. Turning it on resets the sums; turning it off keeps them for
 * svd_engine_get_layer_info().
 */
void
svd_engine_set_profile_layers (SvdEngine *self,
                               gboolean   profile)
{
  self->profile_layers = profile || self->settings.profile_layers;
  if (!profile)
    return;
  for (int s = 0; s < self->n_stages; s++)
    for (int i = 0; i < self->stages[s].n_layers; i++)
      {
        self->stages[s].layers[i].profile_ms = 0;
        self->stages[s].layers[i].profile_runs = 0;
      }
}

/**
 * svd_engine_get_layer_info:
 * @self: an engine with a chain
 * @stage: the stage
 * @layer: the conv layer in it
 * @info: (out caller-allocates): how it runs and what it took
 *
 * Returns: %FALSE when there is no such layer on the OpenCL path (a resize
 *   step, the CPU reference, out of range)
 */
gboolean
svd_engine_get_layer_info (SvdEngine          *self,
                           int                 stage,
                           int                 layer,
                           SvdEngineLayerInfo *info)
{
  Layer *l;

  if (self->ctx == NULL || stage < 0 || stage >= self->n_stages || layer < 0 ||
      layer >= self->stages[stage].n_layers)
    return FALSE;
  l = &self->stages[stage].layers[layer];
  info->ic = l->ic;
  info->oc = l->oc;
  info->width = l->run_w;
  info->height = l->run_h;
  info->algo = svd_conv_algo_name (l->algo);
  /* Winograd runs in the direct kernel's shape (wino_ensure()). */
  info->shape = self->pixel_variant ? "gpu" : "cpu";
  if (l->algo != SVD_CONV_ALGO_DIRECT)
    info->shape = svd_winograd_shape_name (svd_winograd_layer_get_shape (l->wino[l->algo == SVD_CONV_ALGO_WINO4]));
  info->ms = l->profile_runs > 0 ? l->profile_ms / l->profile_runs : 0.0;
  memcpy (info->tune_ms, l->tune_ms, sizeof info->tune_ms);
  info->block = info->ocb = info->rx = 0;
  if (l->algo != SVD_CONV_ALGO_DIRECT && l->wino[l->algo == SVD_CONV_ALGO_WINO4] != NULL)
    {
      SvdWinogradLayer *w = l->wino[l->algo == SVD_CONV_ALGO_WINO4];

      info->block = l->wino_block[l->algo == SVD_CONV_ALGO_WINO4];
      info->ocb = svd_winograd_layer_get_ocb (w);
      info->rx = svd_winograd_layer_get_rx (w);
    }
  return TRUE;
}

/**
 * svd_engine_get_device_bytes:
 * @self: an engine
 * @peak_bytes: (out) (optional): the most held at once since creation
 *
 * Counts every buffer the engine allocated on the device: weights, feature
 * maps, images and the frame upload buffer.
 *
 * Returns: bytes held now
 */
guint64
svd_engine_get_device_bytes (SvdEngine *self,
                             guint64   *peak_bytes)
{
  guint64 graph = 0;

  /* Graph stages hold their weights and tensors themselves. */
  for (int s = 0; s < self->n_stages; s++)
    if (self->stages[s].graph != NULL)
      graph += svd_graph_cl_get_device_bytes (self->stages[s].graph);
  self->peak = MAX (self->peak, self->bytes + graph);
  if (peak_bytes != NULL)
    *peak_bytes = self->peak;
  return self->bytes + graph;
}

static cl_mem
engine_alloc (SvdEngine  *self,
              gsize       size,
              GError    **error)
{
  cl_mem m = svd_cl_context_alloc (self->ctx, CL_MEM_READ_WRITE, size, error);

  if (m != NULL)
    {
      self->bytes += size;
      self->peak = MAX (self->peak, self->bytes);
    }
  return m;
}

static cl_mem
upload_floats (SvdEngine    *self,
               const float  *data,
               gsize         n,
               GError      **error)
{
  /* A copy at creation: a blocking write would wait for the queue. */
  cl_mem m = svd_cl_context_upload (self->ctx, CL_MEM_READ_WRITE, data, n * sizeof (float), error);

  if (m != NULL)
    {
      self->bytes += n * sizeof (float);
      self->peak = MAX (self->peak, self->bytes);
    }
  return m;
}

static int
pick_ocb (int oc,
          int max_ocb)
{
  for (int d = MIN (oc, max_ocb); d > 1; d--)
    if (oc % d == 0)
      return d;
  return 1;
}

static cl_kernel
get_kernel_from (SvdEngine  *self,
                 const char *file,
                 const char *name,
                 const char *options,
                 GError    **error)
{
  g_autofree char *key = g_strconcat (file, " ", options, NULL);
  cl_program program = g_hash_table_lookup (self->programs, key);
  cl_kernel k;
  cl_int err = CL_SUCCESS;

  if (program == NULL)
    {
      g_autofree char *source = svd_cl_context_load_source (self->ctx, file, error);
      const char *sources[] = { source, NULL };
      SvdClBuildInfo info;

      if (source == NULL)
        return NULL;
      program = svd_cl_context_build_program (self->ctx, sources, options, &info, error);
      if (program == NULL)
        return NULL;
      self->build_ms += info.build_ms;
      g_free (info.cache_path);
      g_hash_table_insert (self->programs, g_steal_pointer (&key), program);
    }
  k = clCreateKernel (program, name, &err);
  if (err != CL_SUCCESS)
    {
      g_autofree char *what = g_strdup_printf ("clCreateKernel(%s)", name);

      svd_cl_set_error (error, SVD_ERROR_KERNEL_BUILD, err, what);
      return NULL;
    }
  return k;
}

static cl_kernel
get_kernel (SvdEngine  *self,
            const char *options,
            GError    **error)
{
  return get_kernel_from (self, "conv.cl", self->pixel_variant ? "conv3x3_pixel" : "conv3x3_block",
                          options, error);
}

static cl_kernel
kernel_getter (gpointer     data,
               const char  *file,
               const char  *name,
               const char  *options,
               GError     **error)
{
  return get_kernel_from (data, file, name, options, error);
}

/* F(2x2) (k = 0) or F(4x4) (k = 1) for a layer in blocking @block:
 * weights transformed and uploaded, counted, the shared scratch grown to
 * fit. */
static SvdWinogradLayer *
wino_new (SvdEngine  *self,
          Layer      *l,
          int         k,
          int         block,
          GError    **error)
{
  const SvdConvLayer *src = l->wino_src;
  SvdWinogradLayer *w;
  int max_ocb, rx;

  g_return_val_if_fail (src != NULL, NULL);
  svd_wino_block_get (block, &max_ocb, &rx);
  /* The kernels' shape follows the direct kernel's (choose_shape()). */
  w = svd_winograd_layer_new (self->ctx, kernel_getter, self, k == 0 ? 2 : 4, l->ic, l->oc, self->half,
                              self->half, self->pixel_variant ? SVD_WINOGRAD_SHAPE_GPU : SVD_WINOGRAD_SHAPE_CPU,
                              0, rx, max_ocb, src->weight, src->bias, src->slope, error);
  if (w == NULL)
    return NULL;
  self->bytes += svd_winograd_layer_weight_bytes (w);
  self->peak = MAX (self->peak, self->bytes);
  if (svd_winograd_layer_scratch_bytes (w) > self->wino_scratch_bytes)
    {
      if (self->wino_scratch != NULL)
        {
          clReleaseMemObject (self->wino_scratch);
          self->bytes -= self->wino_scratch_bytes;
          self->wino_scratch_bytes = 0;
        }
      self->wino_scratch = engine_alloc (self, svd_winograd_layer_scratch_bytes (w), error);
      if (self->wino_scratch == NULL)
        {
          self->bytes -= svd_winograd_layer_weight_bytes (w);
          svd_winograd_layer_free (w);
          return NULL;
        }
      self->wino_scratch_bytes = svd_winograd_layer_scratch_bytes (w);
    }
  return w;
}

static void
wino_drop (SvdEngine         *self,
           SvdWinogradLayer **w)
{
  if (*w == NULL)
    return;
  self->bytes -= svd_winograd_layer_weight_bytes (*w);
  g_clear_pointer (w, svd_winograd_layer_free);
}

/* F(2x2) (k = 0) or F(4x4) (k = 1) in blocking @block for a layer, made on
 * first need (replacing one of another blocking). */
static gboolean
wino_ensure (SvdEngine  *self,
             Layer      *l,
             int         k,
             int         block,
             GError    **error)
{
  SvdWinogradLayer *w;

  if (l->wino[k] != NULL && l->wino_block[k] == block)
    return TRUE;
  wino_drop (self, &l->wino[k]);
  w = wino_new (self, l, k, block, error);
  if (w == NULL)
    return FALSE;
  l->wino[k] = w;
  l->wino_block[k] = block;
  return TRUE;
}

/* The direct kernel of @l, and its weights from @src (OIHW) reordered to
 * [OC / OCB][IC][3][3][OCB] (the OCB weights of one tap adjacent) and
 * uploaded, unless they already are. */
static gboolean
direct_ensure (SvdEngine          *self,
               Layer              *l,
               const SvdConvLayer *src,
               GError            **error)
{
  g_autofree float *w = NULL;
  int nob = l->oc / l->ocb;

  if (l->kernel == NULL)
    {
      l->kernel = get_kernel (self, l->direct_options, error);
      if (l->kernel == NULL)
        return FALSE;
    }
  if (l->weight != NULL)
    return TRUE;
  g_return_val_if_fail (src != NULL, FALSE);
  w = g_new (float, (gsize) l->oc * l->ic * 9);
  for (int ob = 0; ob < nob; ob++)
    for (int i = 0; i < l->ic; i++)
      for (int t = 0; t < 9; t++)
        for (int o = 0; o < l->ocb; o++)
          w[(((gsize) ob * l->ic + i) * 9 + t) * l->ocb + o] =
            src->weight[((gsize) (ob * l->ocb + o) * l->ic + i) * 9 + t];
  l->weight = upload_floats (self, w, (gsize) l->oc * l->ic * 9, error);
  return l->weight != NULL;
}

/* The Winograd variants settings.conv asks for, on body convs (nf → nf,
 * with PReLU; not the first or the last conv), and on widening or
 * narrowing convs of at least 64 channels each side (DISTS's VGG16). Direct stays set up for
 * every layer: it is the fallback and the baseline auto measures. A forced
 * variant is made now; under auto they are made when a frame size first
 * asks for them (choose_conv), so small frames never build them. */
static gboolean
wino_setup (SvdEngine          *self,
            Layer              *l,
            const SvdConvLayer *src,
            gboolean            first,
            gboolean            last,
            GError            **error)
{
  SvdConvMode mode = self->settings.conv;

  l->algo = SVD_CONV_ALGO_DIRECT;
  l->tuned_class = -1;
  l->wino_src = NULL;
  if (mode == SVD_CONV_MODE_DIRECT || first || last || src->slope == NULL ||
      (l->ic != l->oc && (l->ic < 64 || l->oc < 64)))
    return TRUE;
  l->wino_src = src;
  if (mode == SVD_CONV_MODE_WINO2 || mode == SVD_CONV_MODE_WINO4)
    {
      int k = mode == SVD_CONV_MODE_WINO4;

      if (!wino_ensure (self, l, k, 0, error))
        return FALSE;
      l->algo = k ? SVD_CONV_ALGO_WINO4 : SVD_CONV_ALGO_WINO2;
    }
  return TRUE;
}

static gboolean
layer_setup (SvdEngine          *self,
             Layer              *l,
             const SvdModel     *model,
             const SvdConvLayer *src,
             gboolean            first,
             gboolean            last,
             int                 scale,
             GError            **error)
{
  g_autofree char *options = NULL;
  g_autofree char *clamp = NULL;

  l->ic = src->in_ch;
  l->oc = src->out_ch;
  l->last = last;
  l->ocb = pick_ocb (l->oc, self->max_ocb);
  if (self->pixel_variant)
    l->ry = 1;
  else
    l->ry = CLAMP (self->acc_budget / (l->ocb * self->rx), 1, 2);

  if (last && model->clamp_output)
    {
      union { float f; guint32 u; } lo = { model->clamp_min }, hi = { model->clamp_max };

      clamp = g_strdup_printf (" -DCLAMP_MIN_BITS=0x%08xu -DCLAMP_MAX_BITS=0x%08xu", lo.u, hi.u);
    }
  options = g_strdup_printf ("-cl-std=CL1.2 -DIC=%d -DOC=%d -DOCB=%d -DVW=%d -DRX=%d -DRY=%d -DSCALE=%d%s%s%s%s",
                             l->ic, l->oc, l->ocb, self->vw, self->rx, l->ry, scale,
                             last ? " -DLAST" : "", clamp ? clamp : "",
                             self->half && !first ? " -DSRC_HALF" : "",
                             self->half && !last ? " -DDST_HALF" : "");
  l->direct_options = g_steal_pointer (&options);

  l->bias = upload_floats (self, src->bias, l->oc, error);
  if (l->bias == NULL)
    return FALSE;
  /* The last layer has no activation; its slope argument is unused. */
  l->slope = upload_floats (self, src->slope != NULL ? src->slope : src->bias, l->oc, error);
  if (l->slope == NULL)
    return FALSE;
  if (!wino_setup (self, l, src, first, last, error))
    return FALSE;
  /* A layer Winograd may run gets its direct kernel and weights when
   * direct is first chosen or measured (direct_ensure()): with a cached
   * choice of Winograd they are never made (DISTS's VGG16: 59 MB reordered
   * and uploaded, and a program built per layer shape, for nothing on
   * every start). */
  return l->wino_src != NULL || direct_ensure (self, l, src, error);
}

static void graph_set_hooks (SvdEngine  *self,
                             SvdGraphCl *graph);

static int
gcd_int (int a,
         int b)
{
  while (b != 0)
    {
      int t = a % b;

      a = b;
      b = t;
    }
  return a;
}

/* A graph model's tiling (svd_graph_get_tiling()), from its instances at
 * an odd and an even size (its pads and crops differ between the two):
 * the larger radius and both alignments. */
static gboolean
graph_tiling (SvdModel *m,
              int      *radius,
              int      *align)
{
  int mw, mh;

  *radius = 0;
  *align = 1;
  svd_graph_source_get_min_size (m->graph, &mw, &mh);
  for (int odd = 0; odd < 2; odd++)
    {
      int side = (MAX (MAX (mw, mh), 16) + 1) / 2 * 2 + odd, r, a;
      g_autoptr(SvdGraph) g = svd_model_graph_at (m, side, side + 2, NULL);

      if (g == NULL || !svd_graph_get_tiling (g, &r, &a))
        return FALSE;
      *radius = MAX (*radius, r);
      *align = *align / gcd_int (*align, a) * a;
    }
  return TRUE;
}

/**
 * svd_engine_set_chain:
 * @self: an engine
 * @chain: 1 to %SVD_ENGINE_MAX_STAGES steps with their models loaded:
 *   models and built-in resizes (nearest, bilinear, bicubic, Lanczos, by a
 *   whole factor of 1 to 4)
 * @error: return location for an error
 *
 * Builds (or loads from the cache) one program per layer shape and uploads
 * the weights, re-laid out for the kernels. The engine keeps references to
 * the models, not to @chain.
 */
gboolean
svd_engine_set_chain (SvdEngine       *self,
                      const SvdChain  *chain,
                      GError         **error)
{
  guint n_models;
  int scale = 1;

  g_return_val_if_fail (self != NULL && chain != NULL, FALSE);
  n_models = chain->steps->len;

  clear_chain (self);
  if (n_models == 0 || n_models > SVD_ENGINE_MAX_STAGES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "A chain holds 1 to %d steps, not %u", SVD_ENGINE_MAX_STAGES, n_models);
      return FALSE;
    }
  self->halo = 0;
  for (guint i = 0; i < n_models; i++)
    {
      const SvdChainStep *step = g_ptr_array_index (chain->steps, i);
      SvdModel *m = step->model;
      Stage *st = &self->stages[i];
      int r;

      if (step->type == SVD_CHAIN_STEP_RESIZE)
        {
          if (step->resize_scale < 1 || step->resize_scale > 4 || step->resize_scale != (int) step->resize_scale ||
              (guint) step->filter > SVD_RESIZE_LANCZOS)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "Step %u (%s): the engine resizes by a whole factor of 1 to 4 with a known filter",
                           i + 1, step->name);
              clear_chain (self);
              return FALSE;
            }
          st->filter = step->filter;
          st->scale = (int) step->resize_scale;
          /* Output pixels depend on input pixels up to support + 1 away. */
          self->halo += (svd_resize_filter_support (st->filter) + 1 + scale - 1) / scale;
          scale *= st->scale;
          continue;
        }
      if (m == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "Step %u (%s) was read without its model", i + 1, step->name);
          clear_chain (self);
          return FALSE;
        }
      if (!svd_model_validate (m, error))
        return FALSE;
      if (m->in_ch != 3)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Model “%s” has %d input channels; the engine runs RGB models", m->name, m->in_ch);
          return FALSE;
        }
      g_ptr_array_add (self->models, svd_model_ref (m));
      st->model = m;
      st->scale = m->scale;
      if (m->graph != NULL)
        {
          int radius, align;

          if (graph_tiling (m, &radius, &align))
            {
              /* In chain input pixels: this stage's input is scale times
               * larger. */
              self->halo += (radius + scale - 1) / scale;
              align /= gcd_int (align, scale);
              self->align = self->align / gcd_int (self->align, align) * align;
            }
          else
            self->untileable = TRUE;
          scale *= m->scale;
          continue;
        }
      /* Each conv widens the region a pixel depends on by one pixel of
       * this stage's input, i.e. 1 / scale pixels of the chain input. */
      self->halo += (m->n_layers + scale - 1) / scale;
      for (r = 0; r < self->n_res; r++)
        if (self->res[r].scale == scale)
          break;
      if (r == self->n_res)
        {
          self->res[r].scale = scale;
          self->n_res++;
        }
      self->res[r].max_nf = MAX (self->res[r].max_nf, m->nf);
      st->res = r;
      scale *= m->scale;
    }
  self->n_stages = n_models;
  self->total_scale = scale;
  /* Tiles start halo pixels before their piece: on the grid too. */
  self->halo = (self->halo + self->align - 1) / self->align * self->align;

  if (self->ctx == NULL)
    return TRUE;

  scale = 1;
  for (int i = 0; i < self->n_stages; i++)
    {
      Stage *st = &self->stages[i];
      SvdModel *m = st->model;

      if (m == NULL)
        {
          g_autofree char *opts = g_strdup_printf ("-cl-std=CL1.2 -DFILTER=%d -DSUPPORT=%d", st->filter,
                                                   MAX (1, svd_resize_filter_support (st->filter)));

          st->resize = get_kernel_from (self, "resize.cl", "resize_rgb", opts, error);
          if (st->resize == NULL)
            {
              clear_chain (self);
              return FALSE;
            }
          continue;
        }
      if (m->graph != NULL)
        {
          st->graph = svd_graph_cl_new (self->ctx, kernel_getter, self, m, self->half);
          graph_set_hooks (self, st->graph);
          svd_graph_cl_set_profile (st->graph, self->settings.profile_layers);
          continue;
        }
      st->n_layers = m->n_layers;
      st->layers = g_new0 (Layer, m->n_layers);
      for (int li = 0; li < m->n_layers; li++)
        if (!layer_setup (self, &st->layers[li], m, &m->layers[li], li == 0, li == m->n_layers - 1, m->scale,
                          error))
          {
            clear_chain (self);
            return FALSE;
          }
    }
  return TRUE;
}

static void
geometry (SvdEngine *self,
          int        w,
          int        h,
          int       *pitch,
          int       *plane)
{
  int tw = self->vw * self->rx;

  /* Whole tiles plus the two border columns, rows 64-byte aligned. */
  *pitch = (int) round_up (round_up (w, tw) + 2, 16);
  *plane = *pitch * (int) (round_up (h, RY_MAX) + 2);
}

/* Feature maps are half on the fp16 path; images stay float. */
static int
feat_elem (SvdEngine *self)
{
  return self->half ? 2 : (int) sizeof (float);
}

static gboolean
devbuf_ensure (SvdEngine  *self,
               DevBuf     *b,
               int         channels,
               int         elem,
               int         w,
               int         h,
               GError    **error)
{
  cl_int err;
  float zero = 0.0f;
  int pitch, plane;

  geometry (self, w, h, &pitch, &plane);
  if (b->mem == NULL)
    {
      gsize size = (gsize) plane * channels * elem;

      b->mem = engine_alloc (self, size, error);
      if (b->mem == NULL)
        return FALSE;
      b->channels = channels;
      b->elem = elem;
      b->w = w;
      b->h = h;
      b->pitch = pitch;
      b->plane = plane;
      b->used_w = b->used_h = -1;
    }
  /* Same buffer, other region (a smaller edge tile): stale values would
   * sit where this run's zero border and slack must be. */
  if (b->used_w != w || b->used_h != h)
    {
      b->pitch = pitch;
      b->plane = plane;
      err = clEnqueueFillBuffer (svd_cl_context_get_queue (self->ctx), b->mem, &zero, sizeof zero, 0,
                                 (gsize) b->plane * b->channels * b->elem, 0, NULL, NULL);
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueFillBuffer");
      b->used_w = w;
      b->used_h = h;
    }
  return TRUE;
}

static gboolean
ensure_buffers (SvdEngine  *self,
                int         w,
                int         h,
                GError    **error)
{
  /* Buffers are allocated for the largest region seen and reused. */
  if (w > self->alloc_w || h > self->alloc_h)
    {
      int aw = MAX (w, self->alloc_w), ah = MAX (h, self->alloc_h);

      release_buffers (self);
      self->alloc_w = aw;
      self->alloc_h = ah;
      for (int r = 0; r < self->n_res; r++)
        for (int i = 0; i < 2; i++)
          if (!devbuf_ensure (self, &self->res[r].feat[i], self->res[r].max_nf, feat_elem (self),
                              aw * self->res[r].scale, ah * self->res[r].scale, error))
            return FALSE;
      {
        int s = 1;

        for (int i = 0; i <= self->n_stages; i++)
          {
            if (!devbuf_ensure (self, &self->rgb[i], 3, sizeof (float), aw * s, ah * s, error))
              return FALSE;
            if (i < self->n_stages)
              s *= self->stages[i].scale;
          }
      }
    }
  for (int r = 0; r < self->n_res; r++)
    for (int i = 0; i < 2; i++)
      if (!devbuf_ensure (self, &self->res[r].feat[i], self->res[r].max_nf, feat_elem (self),
                          w * self->res[r].scale, h * self->res[r].scale, error))
        return FALSE;
  {
    int s = 1;

    for (int i = 0; i <= self->n_stages; i++)
      {
        if (!devbuf_ensure (self, &self->rgb[i], 3, sizeof (float), w * s, h * s, error))
          return FALSE;
        if (i < self->n_stages)
          s *= self->stages[i].scale;
      }
  }
  return TRUE;
}

static gboolean
run_layer (SvdEngine  *self,
           Layer      *l,
           DevBuf     *src,
           DevBuf     *dst,
           DevBuf     *residual,
           int         w,
           int         h,
           int         band_start,
           int         band_items,
           cl_event   *event,
           GError    **error)
{
  cl_kernel k = l->kernel;
  cl_int err = CL_SUCCESS;
  int a = 0;
  size_t gws[3], lws[3], offset[3] = { 0, 0, 0 };
  int nob = l->oc / l->ocb;

  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &src->mem);
  err |= clSetKernelArg (k, a++, sizeof (int), &src->pitch);
  err |= clSetKernelArg (k, a++, sizeof (int), &src->plane);
  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &dst->mem);
  err |= clSetKernelArg (k, a++, sizeof (int), &dst->pitch);
  err |= clSetKernelArg (k, a++, sizeof (int), &dst->plane);
  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &l->weight);
  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &l->bias);
  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &l->slope);
  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &residual->mem);
  err |= clSetKernelArg (k, a++, sizeof (int), &w);
  err |= clSetKernelArg (k, a++, sizeof (int), &h);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(conv3x3)");

  if (self->pixel_variant)
    {
      lws[0] = 16;
      lws[1] = 4;
      lws[2] = 1;
      gws[0] = round_up (w, lws[0]);
      gws[1] = round_up (h, lws[1]);
      gws[2] = nob;
    }
  else
    {
      /* One work-group = every channel block of one pixel tile, so the
       * items run back to back on one core reuse its input from L1. */
      gws[0] = round_up (w, self->vw * self->rx) / (self->vw * self->rx);
      gws[1] = round_up (h, l->ry) / l->ry;
      gws[2] = nob;
      lws[0] = 1;
      lws[1] = 1;
      lws[2] = nob;
    }
  /* One band of rows (work-items along y; get_global_id includes the
   * offset, and the kernels bound-check against h). */
  offset[1] = band_start;
  gws[1] = MIN ((size_t) band_items, gws[1] - band_start);
  err = clEnqueueNDRangeKernel (svd_cl_context_get_queue (self->ctx), k, 3, offset, gws, lws, 0, NULL, event);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(conv3x3)");
  return TRUE;
}

static gboolean
run_resize (SvdEngine  *self,
            Stage      *st,
            DevBuf     *src,
            DevBuf     *dst,
            int         w,
            int         h,
            cl_event   *event,
            GError    **error)
{
  cl_kernel k = st->resize;
  cl_int err = CL_SUCCESS;
  size_t lws[2] = { 16, 4 };
  size_t gws[2] = { round_up ((gsize) w * st->scale, 16), round_up ((gsize) h * st->scale, 4) };
  int a = 0;

  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &src->mem);
  err |= clSetKernelArg (k, a++, sizeof (int), &src->pitch);
  err |= clSetKernelArg (k, a++, sizeof (int), &src->plane);
  err |= clSetKernelArg (k, a++, sizeof (int), &w);
  err |= clSetKernelArg (k, a++, sizeof (int), &h);
  err |= clSetKernelArg (k, a++, sizeof (cl_mem), &dst->mem);
  err |= clSetKernelArg (k, a++, sizeof (int), &dst->pitch);
  err |= clSetKernelArg (k, a++, sizeof (int), &dst->plane);
  err |= clSetKernelArg (k, a++, sizeof (int), &st->scale);
  if (err == CL_SUCCESS)
    err = clEnqueueNDRangeKernel (svd_cl_context_get_queue (self->ctx), k, 2, NULL, gws, lws, 0, NULL, event);
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "resize_rgb");
  return TRUE;
}

static double event_span_ms (cl_event first,
                             cl_event last);

static void layer_bands (SvdEngine *self,
                         Layer     *l,
                         int        w,
                         int        h,
                         int       *items,
                         int       *band);

/* Runs one candidate once, whole, and returns its device ms (-1: error). */
static double
time_candidate (SvdEngine  *self,
                Layer      *l,
                SvdConvAlgo algo,
                DevBuf     *src,
                DevBuf     *dst,
                DevBuf     *residual,
                int         w,
                int         h,
                GError    **error)
{
  cl_event ev = NULL, ev0 = NULL;
  gboolean ok;
  double ms;

  if (algo == SVD_CONV_ALGO_DIRECT)
    {
      SvdConvAlgo kept = l->algo;
      int items, band;

      /* Direct bands, whatever the layer ran at another size. */
      l->algo = SVD_CONV_ALGO_DIRECT;
      layer_bands (self, l, w, h, &items, &band);
      l->algo = kept;
      ok = run_layer (self, l, src, dst, residual, w, h, 0, items, &ev, error);
      if (ok)
        {
          ev0 = ev;
          clRetainEvent (ev0);
        }
    }
  else
    /* From the first command to the last: the GPU shape enqueues three
     * per chunk of tiles. */
    ok = svd_winograd_layer_run (l->wino[algo == SVD_CONV_ALGO_WINO4], src->mem, src->pitch, src->plane,
                                 dst->mem, dst->pitch, dst->plane, self->wino_scratch, w, h, 0, 0, &ev0, &ev,
                                 error);
  if (!ok)
    return -1;
  clWaitForEvents (1, &ev);
  ms = event_span_ms (ev0, ev);
  clReleaseEvent (ev0);
  clReleaseEvent (ev);
  return ms;
}

/* settings.conv = auto: the first run of a layer shape at a frame size
 * class measures direct, F(2x2) and F(4x4) on the real feature maps (the
 * runs write dst, which the real run overwrites next) and keeps the
 * fastest, in memory and in the kernel cache dir for later processes. */
static gboolean
choose_conv (SvdEngine  *self,
             Layer      *l,
             DevBuf     *src,
             DevBuf     *dst,
             DevBuf     *residual,
             int         w,
             int         h,
             GError    **error)
{
  int size_class = svd_conv_size_class (w, h);
  g_autofree char *key = svd_conv_choice_key_for_shape (l->ic, l->oc, self->half, self->half,
                                                        self->pixel_variant ? SVD_WINOGRAD_SHAPE_GPU
                                                                            : SVD_WINOGRAD_SHAPE_CPU, size_class);
  g_autofree char *dir = svd_settings_get_kernel_cache_dir (&self->settings);
  gpointer hit;
  SvdConvChoice choice = { SVD_CONV_ALGO_DIRECT, 0 };
  SvdWinogradLayer *pool[2][SVD_WINO_N_BLOCKS] = { { NULL } };
  double ms[SVD_CONV_N_CANDIDATES];
  gboolean ok = TRUE;

  l->tuned_class = size_class;
  /* Small frames run direct without measuring: Winograd's transforms and
   * whole-layer runs do not pay there, and timings of a few microseconds
   * would pick by noise. Layers of more than 64 x 64 channels (DISTS's
   * VGG16) count by multiply-adds, from a quarter of a 64 → 64 layer at
   * 2^16 pixels: 512 → 512 at 464 pixels (short256's last stage) is
   * measured, and ran 2-4x faster with F(4x4). */
  if ((guint64) w * h < SVD_CONV_AUTO_MIN_PIXELS &&
      (l->ic * l->oc <= 64 * 64 || (guint64) w * h * l->ic * l->oc < SVD_CONV_AUTO_MIN_PIXELS * 32 * 32))
    {
      l->algo = SVD_CONV_ALGO_DIRECT;
      memset (l->tune_ms, 0, sizeof l->tune_ms);
      return TRUE;
    }
  if (g_hash_table_lookup_extended (self->conv_choices, key, NULL, &hit))
    {
      choice.algo = GPOINTER_TO_INT (hit) & 0xff;
      choice.block = GPOINTER_TO_INT (hit) >> 8;
      l->algo = choice.algo;
      return l->algo == SVD_CONV_ALGO_DIRECT ||
             wino_ensure (self, l, l->algo == SVD_CONV_ALGO_WINO4, choice.block, error);
    }
  if (self->settings.use_kernel_cache && svd_conv_choice_lookup (self->ctx, dir, key, &choice))
    {
      l->algo = choice.algo;
      g_hash_table_insert (self->conv_choices, g_steal_pointer (&key),
                           GINT_TO_POINTER (choice.algo | choice.block << 8));
      return choice.algo == SVD_CONV_ALGO_DIRECT ||
             wino_ensure (self, l, choice.algo == SVD_CONV_ALGO_WINO4, choice.block, error);
    }
  /* A warm-up run of each candidate (direct, then F(2x2) and F(4x4) in
   * each blocking), then rounds that take them in turn, the best of each
   * counting: on a device shared with other work a burst of load then
   * falls on every candidate alike, not on one. The candidates' weights
   * are made once, held in pool for the rounds, and the losers dropped. */
  if (!direct_ensure (self, l, l->wino_src, error))
    return FALSE;
  for (int k = 0; k < 2; k++)
    {
      pool[k][l->wino_block[k]] = l->wino[k];
      l->wino[k] = NULL;
    }
  for (int i = 0; i < SVD_CONV_N_CANDIDATES; i++)
    ms[i] = G_MAXDOUBLE;
  for (int round = -1; round < 3 && ok; round++)
    for (int i = 0; i < SVD_CONV_N_CANDIDATES && ok; i++)
      {
        SvdConvChoice cand = svd_conv_candidate (i);
        int k = cand.algo == SVD_CONV_ALGO_WINO4;
        double t;

        /* The GPU shape has one blocking (4 output channels per
         * work-item): the others would build the same kernel. */
        if (cand.block != 0 && self->pixel_variant)
          continue;
        if (cand.algo != SVD_CONV_ALGO_DIRECT)
          {
            if (pool[k][cand.block] == NULL &&
                (pool[k][cand.block] = wino_new (self, l, k, cand.block, error)) == NULL)
              {
                ok = FALSE;
                break;
              }
            l->wino[k] = pool[k][cand.block];
          }
        t = time_candidate (self, l, cand.algo, src, dst, residual, w, h, error);
        l->wino[k] = NULL;
        if (t < 0)
          ok = FALSE;
        else if (round >= 0)
          ms[i] = MIN (ms[i], t);
      }
  if (ok)
    {
      int best = 0;

      for (int i = 1; i < SVD_CONV_N_CANDIDATES; i++)
        if (ms[i] < ms[best])
          best = i;
      choice = svd_conv_candidate (best);
      for (int i = 0; i < 3; i++)
        l->tune_ms[i] = G_MAXDOUBLE;
      for (int i = 0; i < SVD_CONV_N_CANDIDATES; i++)
        {
          SvdConvAlgo a = svd_conv_candidate (i).algo;
          int slot = a == SVD_CONV_ALGO_DIRECT ? 0 : a == SVD_CONV_ALGO_WINO2 ? 1 : 2;

          l->tune_ms[slot] = MIN (l->tune_ms[slot], ms[i]);
        }
      for (int i = 0; i < SVD_CONV_N_CANDIDATES; i++)
        if (ms[i] == G_MAXDOUBLE)
          ms[i] = 0.0;    /* not a candidate here */
      if (self->settings.use_kernel_cache)
        choice = svd_conv_choice_store (self->ctx, dir, key, choice, ms);
    }
  /* Keep the chosen variant only: the others' weights go (another size
   * class that chose one makes it again). */
  for (int k = 0; k < 2; k++)
    for (int b = 0; b < SVD_WINO_N_BLOCKS; b++)
      if (ok && choice.algo != SVD_CONV_ALGO_DIRECT && k == (choice.algo == SVD_CONV_ALGO_WINO4) &&
          b == choice.block)
        {
          l->wino[k] = pool[k][b];
          l->wino_block[k] = b;
        }
      else
        wino_drop (self, &pool[k][b]);
  if (!ok)
    return FALSE;
  l->algo = choice.algo;
  if (choice.algo != SVD_CONV_ALGO_DIRECT &&
      !wino_ensure (self, l, choice.algo == SVD_CONV_ALGO_WINO4, choice.block, error))
    return FALSE;
  g_hash_table_insert (self->conv_choices, g_steal_pointer (&key), GINT_TO_POINTER (choice.algo | choice.block << 8));
  return TRUE;
}

/* Before a layer runs: under auto, its algorithm for this size class. */
static gboolean
prepare_conv (SvdEngine  *self,
              Layer      *l,
              DevBuf     *src,
              DevBuf     *dst,
              DevBuf     *residual,
              int         w,
              int         h,
              GError    **error)
{
  if (l->wino_src != NULL && self->settings.conv == SVD_CONV_MODE_AUTO &&
      l->tuned_class != svd_conv_size_class (w, h) &&
      !choose_conv (self, l, src, dst, residual, w, h, error))
    return FALSE;
  return l->algo != SVD_CONV_ALGO_DIRECT || direct_ensure (self, l, l->wino_src, error);
}

/* The one place a conv layer is run: direct (a band of it) or Winograd
 * (all of it) as chosen. @first_event gets the first command it enqueued
 * (the GPU-shaped Winograd enqueues several), @event the last; the caller
 * owns both. */
static gboolean
run_conv (SvdEngine  *self,
          Layer      *l,
          DevBuf     *src,
          DevBuf     *dst,
          DevBuf     *residual,
          int         w,
          int         h,
          int         band_start,
          int         band_items,
          cl_event   *first_event,
          cl_event   *event,
          GError    **error)
{
  if (l->algo != SVD_CONV_ALGO_DIRECT)
    return svd_winograd_layer_run (l->wino[l->algo == SVD_CONV_ALGO_WINO4], src->mem, src->pitch, src->plane,
                                   dst->mem, dst->pitch, dst->plane, self->wino_scratch, w, h, band_start,
                                   band_items, first_event, event, error);
  if (!run_layer (self, l, src, dst, residual, w, h, band_start, band_items, event, error))
    return FALSE;
  *first_event = *event;
  if (*first_event != NULL)
    clRetainEvent (*first_event);
  return TRUE;
}

static double
event_span_ms (cl_event first,
               cl_event last)
{
  cl_ulong t0 = 0, t1 = 0;

  if (first == NULL || last == NULL ||
      clGetEventProfilingInfo (first, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) != CL_SUCCESS ||
      clGetEventProfilingInfo (last, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) != CL_SUCCESS)
    return 0.0;
  return (t1 - t0) / 1e6;
}

/* The work-items along y of one layer over h rows, and how many of them
 * one band takes: a band is at most about 2^30 multiply-adds (a few
 * hundred ms on a slow CPU device, a few ms on a GPU), so a cancellation
 * is seen within well under a second even inside one heavy layer. */
#define BAND_MACS ((guint64) 1 << 30)

static void
layer_bands (SvdEngine *self,
             Layer     *l,
             int        w,
             int        h,
             int       *items,
             int       *band)
{
  guint64 per_row = (guint64) MAX (w, 1) * l->ic * l->oc * 9;
  guint64 rows = MAX (BAND_MACS / MAX (per_row, 1), 1);

  if (l->algo != SVD_CONV_ALGO_DIRECT)
    {
      /* Winograd: rows of m x m tiles, bands of the same direct-equivalent
       * work (a quarter to a ninth of it done), so a cancel is seen as soon. */
      SvdWinogradLayer *wl = l->wino[l->algo == SVD_CONV_ALGO_WINO4];
      int m = l->algo == SVD_CONV_ALGO_WINO4 ? 4 : 2;

      *items = svd_winograd_layer_tile_rows (wl, h);
      *band = (int) MIN ((guint64) *items, MAX (rows / m, 1));
    }
  else if (self->pixel_variant)
    {
      *items = (int) round_up (h, 4);
      *band = (int) MIN ((guint64) *items, round_up (rows, 4));
    }
  else
    {
      *items = (int) (round_up (h, l->ry) / l->ry);
      *band = (int) MIN ((guint64) *items, MAX (rows / l->ry, 1));
    }
}

/* Graph stages (issue #27) borrow the 3x3 conv layers: the same kernels,
 * weight layout, bands and Winograd choice as a compact model's body. */
/* A lent conv keeps its own copy of the weights (under auto, Winograd
 * variants are made later from them: Layer.wino_src), or with @borrowed
 * points at the caller's, which outlive it. */
typedef struct {
  Layer        l;
  SvdConvLayer src;
  gboolean     borrowed;
} GraphConv;

static void
graph_conv_free (gpointer data,
                 gpointer conv);

static gpointer
graph_conv_make (SvdEngine           *self,
                 const SvdConvLayer  *src,
                 gboolean             borrowed,
                 GError             **error)
{
  GraphConv *gc = g_new0 (GraphConv, 1);

  gc->src = *src;
  gc->borrowed = borrowed;
  if (!borrowed)
    {
      gc->src.weight = g_memdup2 (src->weight, (gsize) src->out_ch * src->in_ch * 9 * sizeof (float));
      gc->src.bias = g_memdup2 (src->bias, (gsize) src->out_ch * sizeof (float));
      gc->src.slope = src->slope ? g_memdup2 (src->slope, (gsize) src->out_ch * sizeof (float)) : NULL;
    }
  if (!layer_setup (self, &gc->l, NULL, &gc->src, FALSE, FALSE, 1, error))
    {
      graph_conv_free (self, gc);
      return NULL;
    }
  return gc;
}

static gpointer
graph_conv_new (gpointer             data,
                const SvdConvLayer  *src,
                GError             **error)
{
  return graph_conv_make (data, src, FALSE, error);
}

static gpointer
graph_conv_new_borrowed (gpointer             data,
                         const SvdConvLayer  *src,
                         GError             **error)
{
  return graph_conv_make (data, src, TRUE, error);
}

static void
graph_conv_free (gpointer data,
                 gpointer conv)
{
  SvdEngine *self = data;
  GraphConv *gc = conv;
  Layer *l = &gc->l;

  self->bytes -= layer_direct_bytes (l);
  for (int k = 0; k < 2; k++)
    if (l->wino[k] != NULL)
      self->bytes -= svd_winograd_layer_weight_bytes (l->wino[k]);
  layer_clear (l);
  if (!gc->borrowed)
    {
      g_free (gc->src.weight);
      g_free (gc->src.bias);
      g_free (gc->src.slope);
    }
  g_free (gc);
}

static gboolean
graph_conv_run (gpointer   data,
                gpointer   conv,
                cl_mem     src,
                int        src_pitch,
                int        src_plane,
                cl_mem     dst,
                int        dst_pitch,
                int        dst_plane,
                int        w,
                int        h,
                cl_event  *first,
                cl_event  *last,
                GError   **error)
{
  SvdEngine *self = data;
  Layer *l = &((GraphConv *) conv)->l;
  DevBuf s = { 0 }, d = { 0 };
  int items, band;

  s.mem = src;
  s.pitch = src_pitch;
  s.plane = src_plane;
  d.mem = dst;
  d.pitch = dst_pitch;
  d.plane = dst_plane;
  l->run_w = w;
  l->run_h = h;
  if (!prepare_conv (self, l, &s, &d, &s, w, h, error))
    return FALSE;
  /* Bands of rows (of tiles, for Winograd), as run_stages() runs them. */
  layer_bands (self, l, w, h, &items, &band);
  for (int y = 0; y < items; y += band)
    {
      cl_event ev = NULL, ev0 = NULL;

      if (!run_conv (self, l, &s, &d, &s, w, h, y, band, &ev0, &ev, error))
        return FALSE;
      if (ev0 != NULL)
        {
          if (first != NULL && *first == NULL)
            {
              clRetainEvent (ev0);
              *first = ev0;
            }
          clReleaseEvent (ev0);
        }
      if (ev == NULL)
        continue;
      if (last != NULL)
        {
          if (*last != NULL)
            clReleaseEvent (*last);
          *last = ev;
        }
      else
        clReleaseEvent (ev);
    }
  return TRUE;
}

static void
graph_geometry (gpointer data,
                int      w,
                int      h,
                int     *pitch,
                int     *plane)
{
  geometry (data, w, h, pitch, plane);
}

/**
 * svd_engine_get_conv_hooks:
 * @self: an engine on an OpenCL context
 * @hooks: (out): the engine's 3x3 conv layers (direct or Winograd, the
 *   per-layer choice of settings.conv), as graph stages borrow them
 *
 * For other users of the engine's convolutions on the same context (DISTS's
 * VGG16). The layers belong to @self and must be freed before it.
 */
void
svd_engine_get_conv_hooks (SvdEngine         *self,
                           SvdGraphConvHooks *hooks)
{
  SvdGraphConvHooks h = { self, graph_conv_new, graph_conv_run, graph_conv_free, graph_geometry, graph_conv_new_borrowed };

  g_return_if_fail (self->ctx != NULL);
  *hooks = h;
}

static void
graph_set_hooks (SvdEngine  *self,
                 SvdGraphCl *graph)
{
  SvdGraphConvHooks hooks = { self, graph_conv_new, graph_conv_run, graph_conv_free, graph_geometry, graph_conv_new_borrowed };

  svd_graph_cl_set_conv_hooks (graph, &hooks);
}

/* A cancellation point between two enqueued pieces of work. Without a
 * cancellable the queue just runs on. With one, the host waits for the
 * piece before @ev (so the device always has the next one queued) and
 * then checks: a cancel is seen one band after it was asked for. On a
 * cancel the queue is drained (clFinish) so no kernel still writes into
 * buffers the caller may free. */
static gboolean
cancel_point (SvdEngine     *self,
              cl_event      *pending,
              cl_event       ev,
              GCancellable  *cancellable,
              GError       **error)
{
  if (cancellable == NULL)
    return TRUE;
  clFlush (svd_cl_context_get_queue (self->ctx));
  if (*pending != NULL)
    {
      clWaitForEvents (1, pending);
      clReleaseEvent (*pending);
    }
  *pending = ev;
  if (ev != NULL)
    clRetainEvent (ev);
  svd_fault_cancel_point (cancellable);
  if (g_cancellable_is_cancelled (cancellable))
    {
      clFinish (svd_cl_context_get_queue (self->ctx));
      return !g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  return TRUE;
}

/* Runs the chain on the region now in rgb[0] (w x h). */
static gboolean
run_stages (SvdEngine        *self,
            int               w,
            int               h,
            SvdEngineTimings *t,
            GCancellable     *cancellable,
            GError          **error)
{
  cl_event first[SVD_ENGINE_MAX_STAGES] = { 0 }, last[SVD_ENGINE_MAX_STAGES] = { 0 };
  cl_event pending = NULL;
  gboolean ok = TRUE;
  int sw = w, sh = h;

  for (int s = 0; s < self->n_stages && ok; s++)
    {
      Stage *st = &self->stages[s];
      Resolution *r = &self->res[st->res];
      DevBuf *src = &self->rgb[s];

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (st->model == NULL)
        {
          ok = run_resize (self, st, &self->rgb[s], &self->rgb[s + 1], sw, sh, &first[s], error);
          if (ok)
            {
              clRetainEvent (first[s]);
              last[s] = first[s];
            }
          sw *= st->scale;
          sh *= st->scale;
          continue;
        }
      if (st->graph != NULL)
        {
          ok = svd_graph_cl_run_rgb (st->graph, self->rgb[s].mem, self->rgb[s].pitch, self->rgb[s].plane,
                                     self->rgb[s + 1].mem, self->rgb[s + 1].pitch, self->rgb[s + 1].plane,
                                     sw, sh, &first[s], &last[s], cancellable, error);
          sw *= st->scale;
          sh *= st->scale;
          continue;
        }
      for (int li = 0; li < st->n_layers && ok; li++)
        {
          Layer *l = &st->layers[li];
          DevBuf *dst = l->last ? &self->rgb[s + 1] : &r->feat[li % 2];
          cl_event layer_first = NULL;
          int items, band;

          /* auto picks the layer's algorithm on its first run at this
           * size (choose_conv). Each layer runs in bands of rows (of
           * tiles, for Winograd), with a cancellation point after every
           * band: a heavy model stops within a band, not a frame. */
          l->run_w = sw;
          l->run_h = sh;
          ok = prepare_conv (self, l, src, dst, &self->rgb[s], sw, sh, error);
          if (ok)
            layer_bands (self, l, sw, sh, &items, &band);
          else
            items = band = 0;
          for (int y = 0; y < items && ok; y += band)
            {
              cl_event ev = NULL, ev0 = NULL;

              ok = run_conv (self, l, src, dst, &self->rgb[s], sw, sh, y, band, &ev0, &ev, error);
              if (!ok)
                break;
              if (layer_first == NULL)
                {
                  layer_first = ev0;
                  clRetainEvent (ev0);
                }
              if (first[s] == NULL)
                {
                  first[s] = ev0;
                  clRetainEvent (ev0);
                }
              clReleaseEvent (ev0);
              if (last[s] != NULL)
                clReleaseEvent (last[s]);
              last[s] = ev;
              ok = cancel_point (self, &pending, ev, cancellable, error);
            }
          if (ok && self->profile_layers)
            {
              /* Per-layer device times (svd bench --explain; with
               * settings.profile_layers, a debug aid, also printed). */
              clWaitForEvents (1, &last[s]);
              l->profile_ms += event_span_ms (layer_first, last[s]);
              l->profile_runs++;
              if (self->settings.profile_layers)
                g_printerr ("stage %d layer %2d %3d→%3d %s ocb %d ry %d: %8.2f ms\n", s, li, l->ic, l->oc,
                            svd_conv_algo_name (l->algo), l->ocb, l->ry, event_span_ms (layer_first, last[s]));
            }
          if (layer_first != NULL)
            clReleaseEvent (layer_first);
          src = dst;
        }
      sw *= st->scale;
      sh *= st->scale;
    }
  if (pending != NULL)
    clReleaseEvent (pending);
  if (ok)
    ok = svd_cl_context_finish (self->ctx, error);
  else
    clFinish (svd_cl_context_get_queue (self->ctx));
  for (int s = 0; s < self->n_stages; s++)
    {
      if (ok && t != NULL)
        t->stage_ms[s] += event_span_ms (first[s], last[s]);
      if (first[s] != NULL)
        clReleaseEvent (first[s]);
      if (last[s] != NULL)
        clReleaseEvent (last[s]);
    }
  return ok;
}

/* The device-resident input: a float RGB frame already on this engine's
 * context (the session's converted decode) is copied from buffer to
 * buffer into the padded input of the first stage; no host copy. */
static gboolean
copy_planes_in (SvdEngine         *self,
                const SvdClPlanes *in,
                cl_event          *first,
                cl_event          *last,
                GError           **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->ctx);
  DevBuf *dst = &self->rgb[0];
  cl_int err = CL_SUCCESS;

  for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
    {
      size_t so[3] = { in->offset + (gsize) c * in->plane, 0, 0 };
      size_t dor[3] = { ((gsize) c * dst->plane + dst->pitch + 1) * sizeof (float), 0, 0 };
      size_t region[3] = { (gsize) in->width * sizeof (float), (gsize) in->height, 1 };

      err = clEnqueueCopyBufferRect (q, in->mem, dst->mem, so, dor, region, in->pitch, 0,
                                     (gsize) dst->pitch * sizeof (float), 0, 0, NULL,
                                     c == 0 ? first : c == 2 ? last : NULL);
    }
  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueCopyBufferRect");
  return TRUE;
}

static gboolean
process_region (SvdEngine        *self,
                const SvdImage   *input,
                const SvdClPlanes *dev_input,
                SvdPixelFormat    out_format,
                SvdImage         *output,
                int               out_x,
                int               out_y,
                SvdEngineTimings *t,
                GCancellable     *cancellable,
                GError          **error)
{
  int w = input->width, h = input->height;
  DevBuf *out = &self->rgb[self->n_stages];
  double up = 0, down = 0;
  cl_event copy_first = NULL, copy_last = NULL;
  gboolean ok;

  if (!ensure_buffers (self, w, h, error))
    return FALSE;
  if (dev_input != NULL)
    {
      /* Timed once the stages have finished the queue. */
      if (!copy_planes_in (self, dev_input, &copy_first, &copy_last, error))
        {
          g_clear_pointer (&copy_first, clReleaseEvent);
          g_clear_pointer (&copy_last, clReleaseEvent);
          return FALSE;
        }
    }
  else if (!svd_color_upload (self->color, input, self->rgb[0].mem, self->rgb[0].pitch,
                              self->rgb[0].plane, &self->io_buf, &self->io_bytes, &self->bytes,
                              &up, error))
    return FALSE;
  self->peak = MAX (self->peak, self->bytes);
  ok = run_stages (self, w, h, t, cancellable, error);
  if (copy_first != NULL)
    {
      if (ok)
        up = event_span_ms (copy_first, copy_last);
      clReleaseEvent (copy_first);
    }
  if (copy_last != NULL)
    clReleaseEvent (copy_last);
  if (!ok)
    return FALSE;
  svd_engine_get_device_bytes (self, NULL);
  /* NULL: the result stays on the device (svd_engine_process_resident()). */
  if (output != NULL &&
      !svd_color_download (self->color, out->mem, out->pitch, out->plane,
                           w * self->total_scale, h * self->total_scale,
                           output, out_x, out_y, &self->io_buf, &self->io_bytes, &self->bytes,
                           &down, error))
    return FALSE;
  self->peak = MAX (self->peak, self->bytes);
  if (t != NULL)
    {
      t->upload_ms += up;
      t->download_ms += down;
    }
  return TRUE;
}

/* Bytes of the device buffers that depend on the region run at once, for
 * a region of w×h input pixels: two feature maps at each resolution, the
 * RGB image before and after each stage, and the packed frame (at most
 * float RGB at the output size). */
static guint64
region_bytes (SvdEngine *self,
              int        w,
              int        h)
{
  guint64 sum = 0;
  int pitch, plane, s = 1;

  for (int r = 0; r < self->n_res; r++)
    {
      geometry (self, w * self->res[r].scale, h * self->res[r].scale, &pitch, &plane);
      sum += 2 * (guint64) plane * self->res[r].max_nf * feat_elem (self);
    }
  for (int i = 0; i <= self->n_stages; i++)
    {
      geometry (self, w * s, h * s, &pitch, &plane);
      sum += (guint64) plane * 3 * sizeof (float);
      if (i < self->n_stages && self->stages[i].graph != NULL)
        {
          guint64 g = 0;

          /* A graph stage's tensors and weights at this region's size (a
           * size it cannot take never fits). */
          if (!svd_graph_cl_estimate_bytes (self->stages[i].graph, w * s, h * s, &g, NULL))
            g = G_MAXUINT64 / 4;
          sum += g;
        }
      if (i < self->n_stages)
        s *= self->stages[i].scale;
    }
  return sum + (guint64) w * s * h * s * 3 * sizeof (float);
}

/* What region_bytes() counts, as allocated now. */
static guint64
held_region_bytes (SvdEngine *self)
{
  guint64 sum = self->io_bytes;

  for (int r = 0; r < self->n_res; r++)
    for (int i = 0; i < 2; i++)
      sum += (guint64) self->res[r].feat[i].plane * self->res[r].feat[i].channels * self->res[r].feat[i].elem;
  for (int i = 0; i <= self->n_stages; i++)
    sum += (guint64) self->rgb[i].plane * self->rgb[i].channels * self->rgb[i].elem;
  return sum;
}

/* The room the region's buffers may take (*room), and what must stay free
 * beside them (*reserve). On a GPU the room is its global memory less what
 * the engine keeps whatever the region (weights, Winograd scratch). On a
 * CPU device (buffers in host memory) it is at most what the host has
 * left plus what the region's buffers hold now (they are reused or
 * released first), and the reserve is the host images a tiled frame needs
 * beside them plus 64 MiB for threads and the allocator. */
static void
region_budget (SvdEngine   *self,
               int          w,
               int          h,
               int          tile,
               guint64      host,
               const char  *host_name,
               guint64     *room,
               guint64     *reserve,
               const char **limit)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (self->ctx);
  guint64 held = held_region_bytes (self);
  guint64 fixed = self->bytes > held ? self->bytes - held : 0;
  guint64 graph_held = 0;

  /* A graph stage's instance for another size is released before the
   * next one is made (and self->bytes does not count it). */
  for (int s = 0; s < self->n_stages; s++)
    if (self->stages[s].graph != NULL)
      graph_held += svd_graph_cl_get_device_bytes (self->stages[s].graph);

  *room = info->global_mem > fixed ? info->global_mem - fixed : 0;
  *reserve = 0;
  *limit = "the device's global memory (CL_DEVICE_GLOBAL_MEM_SIZE)";
  if (info->type & CL_DEVICE_TYPE_CPU)
    {
      guint64 S = self->total_scale, t = (guint64) MIN (tile, MAX (w, h)) + 2 * self->halo;

      *reserve = 12 * ((guint64) w * h + (guint64) w * S * h * S + t * t * (1 + S * S)) + ((guint64) 64 << 20);
      if (host != G_MAXUINT64 && host + held + graph_held < *room)
        {
          *room = host + held + graph_held;
          *limit = host_name;
        }
    }
}

/* A tile side on the graph stages' grid (self->align), at least one
 * step of it; a side that covers the frame stays as it is. */
static int
align_tile (SvdEngine *self,
            int        w,
            int        h,
            int        tile)
{
  if (tile >= MAX (w, h))
    return tile;
  return MAX (self->align, tile / self->align * self->align);
}

/* Chooses the tile size for a w×h frame: the largest (down to 16 pixels)
 * whose buffers fit both the device's allocation limit per buffer and
 * the memory left for them (region_budget()). When even the smallest
 * does not fit, fails with SVD_ERROR_OUT_OF_MEMORY and the numbers, before
 * anything is allocated: on PoCL an allocation the host cannot back
 * aborts the process instead of failing. */
static gboolean
plan_tiles (SvdEngine  *self,
            int         w,
            int         h,
            int        *tile_out,
            GError    **error)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (self->ctx);
  guint64 limit = info->max_alloc;
  int tile = self->settings.max_tile > 0 ? self->settings.max_tile : MAX (w, h);
  guint64 whole_need = 0, whole_room = 0;
  const char *whole_what = NULL, *host_name = NULL;
  /* Read once: it looks at /proc and the cgroup. */
  guint64 host = (info->type & CL_DEVICE_TYPE_CPU) ? svd_memory_host_headroom (&host_name) : G_MAXUINT64;

  if (self->untileable)
    {
      /* A graph stage that tiles cannot run: whole frames. */
      *tile_out = MAX (w, h);
      return TRUE;
    }
  if (self->oom_tile > 0)
    tile = MIN (tile, self->oom_tile);
  tile = align_tile (self, w, h, tile);

  /* Shrink until the largest buffer (a feature map at the largest
   * resolution, or the output image) fits the device's allocation limit
   * and all of them fit the memory left. */
  for (;;)
    {
      int tw = MIN (w, MIN (w, tile) + 2 * self->halo), th = MIN (h, MIN (h, tile) + 2 * self->halo);
      guint64 worst = 0, need = region_bytes (self, tw, th), room, reserve;
      const char *what = NULL;

      region_budget (self, w, h, tile, host, host_name, &room, &reserve, &what);

      for (int r = 0; r < self->n_res; r++)
        {
          int pitch, plane;

          geometry (self, tw * self->res[r].scale, th * self->res[r].scale, &pitch, &plane);
          worst = MAX (worst, (guint64) plane * self->res[r].max_nf * feat_elem (self));
        }
      if (worst <= limit && need + reserve <= room)
        break;
      if (worst <= limit && whole_need == 0)
        {
          whole_need = need + reserve;
          whole_room = room;
          whole_what = what;
        }
      if (tile <= MAX (16, self->align))
        {
          g_autofree char *need_s = svd_memory_format (need);
          g_autofree char *reserve_s = svd_memory_format (reserve);
          g_autofree char *room_s = svd_memory_format (room);

          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                       "Not enough memory on %s for a %dx%d frame: even %dx%d tiles need %s of buffers "
                       "(plus %s for the frame's images on the host), and %s leaves %s",
                       info->name, w, h, tile, tile, need_s, reserve_s, what, room_s);
          self->plan_refused = TRUE;
          return FALSE;
        }
      tile = align_tile (self, w, h, MAX (16, tile * 3 / 4));
    }
  /* Said once per engine: the frames of a clip are all the same size. */
  if (whole_need > 0 && !self->plan_noticed)
    {
      g_autofree char *need_s = svd_memory_format (whole_need);
      g_autofree char *room_s = svd_memory_format (whole_room);

      self->plan_noticed = TRUE;
      g_warning ("Not enough memory on %s for a %dx%d frame in one piece (%s of buffers and images; %s leaves %s): "
                 "processing in %dx%d tiles", info->name, w, h, need_s, whole_what, room_s, tile, tile);
    }
  *tile_out = tile;
  return TRUE;
}

/**
 * svd_engine_process:
 * @self: an engine with a chain
 * @input: a frame in any #SvdPixelFormat; YUV uses its #SvdColorInfo
 * @out_format: %SVD_PIXEL_FORMAT_RGB_F32, %SVD_PIXEL_FORMAT_RGBA8 (display)
 *   or a YUV format (encoding, with @input's matrix and range)
 * @output: (out) (transfer full): the result, the chain's scale times the
 *   size of @input
 * @timings: (out caller-allocates) (optional): per-stage device times
 * @cancellable: (nullable): checked between stages, tiles, layers and
 *   bands of rows within a layer
 * @error: return location for an error
 *
 * Uploads the frame, converts it on the device, runs every stage with no
 * host round trip between them and converts the result on the device. A
 * frame whose buffers would exceed the device's allocation limit (or
 * settings.max_tile) is split into tiles that overlap by the chain's
 * receptive field, so the result equals the untiled one.
 */
static gboolean
process_frame (SvdEngine         *self,
               const SvdImage    *input,
               SvdPixelFormat     out_format,
               SvdImage         **output,
               SvdEngineTimings  *timings,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autoptr(SvdImage) out = NULL;
  gint64 start = g_get_monotonic_time ();
  int w = input->width, h = input->height, S = self->total_scale;
  SvdEngineTimings t = { 0 };
  int tile;

  *output = NULL;
  if (self->n_stages == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "No chain set");
      return FALSE;
    }
  if ((gint64) w * S > 65536 || (gint64) h * S > 65536)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "A %dx%d frame times %d is too large", w, h, S);
      return FALSE;
    }

  if (self->ctx == NULL || self->oom_cpu)
    {
      g_autoptr(SvdImage) rgb = NULL;
      g_autoptr(SvdImage) res = NULL;

      rgb = svd_color_to_rgbf32_ref (input, error);
      if (rgb == NULL)
        return FALSE;
      t.upload_ms = (g_get_monotonic_time () - start) / 1000.0;
      for (int s = 0; s < self->n_stages; s++)
        {
          Stage *st = &self->stages[s];
          SvdImage *next;
          gint64 stage_start = g_get_monotonic_time ();

          if (st->model != NULL)
            next = svd_model_run_reference (st->model, res ? res : rgb,
                                            svd_settings_get_threads (&self->settings), cancellable, error);
          else
            next = svd_resize_ref (res ? res : rgb, st->filter, st->scale, error);
          if (next == NULL)
            return FALSE;
          g_clear_pointer (&res, svd_image_unref);
          res = next;
          /* The CPU reference's stages in host time (there are no device
           * events), so they add up with the conversions to the total. */
          t.stage_ms[s] = (g_get_monotonic_time () - stage_start) / 1000.0;
        }
      {
        gint64 down_start = g_get_monotonic_time ();

        out = svd_color_from_rgbf32_ref (res, out_format, &input->color, error);
        if (out == NULL)
          return FALSE;
        t.download_ms = (g_get_monotonic_time () - down_start) / 1000.0;
      }
      t.n_stages = self->n_stages;
      t.n_tiles = 1;
      t.wall_ms = (g_get_monotonic_time () - start) / 1000.0;
      t.total_ms = t.wall_ms;
      if (timings != NULL)
        *timings = t;
      *output = g_steal_pointer (&out);
      return TRUE;
    }

  out = svd_image_new (out_format, w * S, h * S, error);
  if (out == NULL)
    return FALSE;
  out->color = input->color;
  out->pts = input->pts;
  out->frame_index = input->frame_index;
  t.n_stages = self->n_stages;

  if (!plan_tiles (self, w, h, &tile, error))
    return FALSE;
  if (tile >= w && tile >= h)
    {
      t.n_tiles = 1;
      if (self->resident)
        g_clear_pointer (&out, svd_image_unref);
      if (!process_region (self, input, self->dev_input, out_format, out, 0, 0, &t, cancellable, error))
        return FALSE;
    }
  else
    {
      /* Tiles run on RGB_F32 sub-images; other input formats are converted
       * once first (the C twin, since this path is for huge stills). */
      g_autoptr(SvdImage) rgb = svd_color_to_rgbf32_ref (input, error);
      g_autoptr(SvdImage) full = NULL;

      if (rgb == NULL)
        return FALSE;
      if (out_format != SVD_PIXEL_FORMAT_RGB_F32)
        {
          full = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w * S, h * S, error);
          if (full == NULL)
            return FALSE;
        }
      for (int ty = 0; ty < h; ty += tile)
        for (int tx = 0; tx < w; tx += tile)
          {
            int x0 = MAX (0, tx - self->halo), y0 = MAX (0, ty - self->halo);
            int x1 = MIN (w, tx + tile + self->halo), y1 = MIN (h, ty + tile + self->halo);
            int cw = MIN (tile, w - tx), ch = MIN (tile, h - ty);
            g_autoptr(SvdImage) sub = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, x1 - x0, y1 - y0, error);
            g_autoptr(SvdImage) subout = NULL;

            if (sub == NULL)
              return FALSE;
            for (int c = 0; c < 3; c++)
              for (int y = y0; y < y1; y++)
                memcpy (sub->data[c] + (gsize) (y - y0) * sub->stride[c],
                        rgb->data[c] + (gsize) y * rgb->stride[c] + (gsize) x0 * sizeof (float),
                        (gsize) (x1 - x0) * sizeof (float));
            subout = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, (x1 - x0) * S, (y1 - y0) * S, error);
            if (subout == NULL ||
                !process_region (self, sub, NULL, SVD_PIXEL_FORMAT_RGB_F32, subout, 0, 0, &t, cancellable, error))
              return FALSE;
            for (int c = 0; c < 3; c++)
              for (int y = 0; y < ch * S; y++)
                {
                  SvdImage *dst = full != NULL ? full : out;

                  memcpy (dst->data[c] + (gsize) (ty * S + y) * dst->stride[c] + (gsize) tx * S * sizeof (float),
                          subout->data[c] + (gsize) ((ty - y0) * S + y) * subout->stride[c] +
                          (gsize) (tx - x0) * S * sizeof (float),
                          (gsize) cw * S * sizeof (float));
                }
            t.n_tiles++;
            if (g_cancellable_set_error_if_cancelled (cancellable, error))
              return FALSE;
          }
      if (full != NULL)
        {
          g_autoptr(SvdImage) conv = svd_color_from_rgbf32_ref (full, out_format, &input->color, error);

          if (conv == NULL)
            return FALSE;
          g_clear_pointer (&out, svd_image_unref);
          out = g_steal_pointer (&conv);
        }
    }

  for (int s = 0; s < t.n_stages; s++)
    t.total_ms += t.stage_ms[s];
  t.total_ms += t.upload_ms + t.download_ms;
  t.wall_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (timings != NULL)
    *timings = t;
  *output = g_steal_pointer (&out);
  return TRUE;
}

/* svd_engine_process() with the recovery from a failed device allocation
 * (CL_MEM_OBJECT_ALLOCATION_FAILURE / CL_OUT_OF_RESOURCES below the
 * advertised limit, e.g. other programs using the GPU): the buffers are
 * released and the frame is retried in tiles half the size, down to 64
 * pixels, then on the CPU reference path; each step is logged as a notice
 * (g_warning) and kept for the following frames. SVD_FAULT_INJECT (see
 * svd_cl_context_alloc()) makes the allocations fail in tests. */
gboolean
svd_engine_process (SvdEngine         *self,
                    const SvdImage    *input,
                    SvdPixelFormat     out_format,
                    SvdImage         **output,
                    SvdEngineTimings  *timings,
                    GCancellable      *cancellable,
                    GError           **error)
{
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      SvdEngineTimings t = { 0 };
      int tile;

      self->output_on_device = FALSE;
      self->plan_refused = FALSE;
      if (process_frame (self, input, out_format, output, &t, cancellable, &local))
        {
          /* One untiled region on the device leaves the whole result in
           * the last stage's buffer. */
          self->output_on_device = self->ctx != NULL && !self->oom_cpu && t.n_tiles == 1 &&
                                   self->rgb[self->n_stages].mem != NULL &&
                                   self->rgb[self->n_stages].elem == sizeof (float);
          self->output_w = input->width * self->total_scale;
          self->output_h = input->height * self->total_scale;
          if (timings != NULL)
            *timings = t;
          return TRUE;
        }
      if (self->ctx == NULL || self->oom_cpu || !g_error_matches (local, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY) ||
          (self->plan_refused && (svd_cl_context_get_info (self->ctx)->type & CL_DEVICE_TYPE_CPU)))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      /* Partly allocated buffers would be reused at the wrong size. */
      release_buffers (self);
      tile = self->oom_tile > 0 ? self->oom_tile : MAX (input->width, input->height);
      if (!self->plan_refused)
        {
          int planned;

          if (plan_tiles (self, input->width, input->height, &planned, NULL))
            tile = MIN (tile, planned);
        }
      tile = self->plan_refused ? 0 : align_tile (self, input->width, input->height, tile / 2);
      if (tile >= 64 && !self->untileable)
        {
          self->oom_tile = tile;
          g_warning ("The OpenCL device is out of memory (%s); processing in %dx%d tiles",
                     local->message, tile, tile);
        }
      else
        {
          self->oom_cpu = TRUE;
          g_warning ("The OpenCL device is out of memory (%s); using the CPU reference path (slow)",
                     local->message);
        }
    }
}

/**
 * svd_engine_process_planes:
 * @self: an engine with a chain
 * @input: the frame on the host (any #SvdPixelFormat): what runs when
 *   @planes cannot be used (no device, another context, a frame that must
 *   be tiled, the CPU reference after the device ran out of memory)
 * @planes: (nullable): @input already converted to float RGB on the
 *   device (svd_frame_converter_upload()), on this engine's context
 * @out_format: as svd_engine_process()
 * @output: (out) (transfer full): as svd_engine_process()
 * @timings: (out caller-allocates) (optional): as svd_engine_process();
 *   @upload_ms is then the device-to-device copy
 * @cancellable: (nullable): as svd_engine_process()
 * @error: return location for an error
 *
 * svd_engine_process() on a frame that is already on the device: the
 * planes are copied from buffer to buffer into the first stage, so a
 * session uploads and converts each decoded frame once for all its
 * chains. With %SVD_PIXEL_FORMAT_RGBA8 only the display comes back, and
 * the float result stays on the device for the metrics
 * (svd_engine_get_output_planes()). Same result as svd_engine_process()
 * on the same floats.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_engine_process_planes (SvdEngine         *self,
                           const SvdImage    *input,
                           const SvdClPlanes *planes,
                           SvdPixelFormat     out_format,
                           SvdImage         **output,
                           SvdEngineTimings  *timings,
                           GCancellable      *cancellable,
                           GError           **error)
{
  cl_context mem_context = NULL;
  gboolean ok;

  g_return_val_if_fail (self != NULL && input != NULL, FALSE);

  if (planes != NULL &&
      (planes->mem == NULL || self->ctx == NULL || planes->width != input->width ||
       planes->height != input->height ||
       clGetMemObjectInfo (planes->mem, CL_MEM_CONTEXT, sizeof mem_context, &mem_context, NULL) != CL_SUCCESS ||
       mem_context != svd_cl_context_get_context (self->ctx)))
    planes = NULL;
  self->dev_input = planes;
  ok = svd_engine_process (self, input, out_format, output, timings, cancellable, error);
  self->dev_input = NULL;
  return ok;
}

/**
 * svd_engine_process_resident:
 * @self: an engine with a chain
 * @input: as svd_engine_process_planes()
 * @planes: (nullable): as svd_engine_process_planes()
 * @out_format: the format of @output when the result must come back
 * @output: (out) (transfer full) (nullable): %NULL when the result stayed
 *   whole on the device (svd_engine_get_output_planes() says where);
 *   otherwise (tiled, the CPU reference) the result in @out_format, as
 *   svd_engine_process_planes() gives it
 * @timings: (out caller-allocates) (optional): as svd_engine_process()
 * @cancellable: (nullable): as svd_engine_process()
 * @error: return location for an error
 *
 * svd_engine_process_planes() for a caller that reads the result on the
 * device (the session's metrics without a view): nothing is read back,
 * not even a display.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_engine_process_resident (SvdEngine         *self,
                             const SvdImage    *input,
                             const SvdClPlanes *planes,
                             SvdPixelFormat     out_format,
                             SvdImage         **output,
                             SvdEngineTimings  *timings,
                             GCancellable      *cancellable,
                             GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL && input != NULL && output != NULL, FALSE);

  self->resident = self->ctx != NULL;
  ok = svd_engine_process_planes (self, input, planes, out_format, output, timings, cancellable, error);
  self->resident = FALSE;
  return ok;
}

/**
 * svd_engine_get_output_planes:
 * @self: an engine
 * @planes: (out caller-allocates): where the last result lies on the device
 *
 * After svd_engine_process(), says where its result still is on the
 * device (RGB float planes, valid until the next call), so a kernel on the
 * same context (the metrics) reads it without a host round trip. Valid
 * only for the last frame, and only when it ran in one piece on the
 * device (not tiled, not on the CPU reference).
 *
 * Returns: whether @planes was set
 */
gboolean
svd_engine_get_output_planes (SvdEngine   *self,
                              SvdClPlanes *planes)
{
  DevBuf *out;

  g_return_val_if_fail (self != NULL && planes != NULL, FALSE);

  if (!self->output_on_device)
    return FALSE;
  out = &self->rgb[self->n_stages];
  /* The planes carry a zero border of one sample (see svd_color_download). */
  planes->mem = out->mem;
  planes->offset = ((gsize) out->pitch + 1) * sizeof (float);
  planes->pitch = (gsize) out->pitch * sizeof (float);
  planes->plane = (gsize) out->plane * sizeof (float);
  planes->width = self->output_w;
  planes->height = self->output_h;
  return TRUE;
}
