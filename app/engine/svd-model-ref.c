/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-model-ref"

#include "svd-model-ref.h"
#include "engine/svd-graph-ref.h"
#include "core/svd-error.h"
#include "core/svd-fault.h"
#include "core/svd-memory.h"

#include <string.h>

/* Feature maps are held as channel planes of (h + 2) x (w + 2) floats with a
 * one-pixel border that stays zero: that border *is* the conv's zero
 * padding, so the inner loops need no bounds checks. */
typedef struct {
  int    channels;
  int    w;
  int    h;
  gsize  pitch;
  gsize  plane;
  float *data;
} Features;

static gboolean
features_init (Features  *f,
               int        channels,
               int        w,
               int        h,
               GError   **error)
{
  gsize n;

  f->channels = channels;
  f->w = w;
  f->h = h;
  f->pitch = (gsize) w + 2;
  f->plane = f->pitch * ((gsize) h + 2);
  n = f->plane * channels;
  /* Checked first: a calloc this large succeeds on an overcommitting
   * kernel and the process is killed later, when the pages are touched. */
  {
    const char *limit = NULL;
    guint64 room = svd_memory_host_headroom (&limit);

    if ((guint64) n * sizeof (float) > room)
      {
        g_autofree char *need_s = svd_memory_format ((guint64) n * sizeof (float));
        g_autofree char *room_s = svd_memory_format (room);

        g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                     "The CPU reference needs %s for %d feature maps of %dx%d, and %s leaves %s",
                     need_s, channels, w, h, limit, room_s);
        return FALSE;
      }
  }
  f->data = g_try_malloc0_n (n, sizeof (float));
  if (f->data == NULL)
    {
      g_autofree char *need_s = svd_memory_format ((guint64) n * sizeof (float));

      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   "Out of memory for %d feature maps of %dx%d (%s)", channels, w, h, need_s);
      return FALSE;
    }
  return TRUE;
}

static inline float *
features_row (const Features *f,
              int             c,
              int             y)
{
  /* Row y of the image is row y + 1 of the padded plane; x = -1 is the
   * left border, so the returned pointer is at x = -1. */
  return f->data + c * f->plane + ((gsize) y + 1) * f->pitch;
}

typedef struct {
  const SvdConvLayer *layer;
  const Features     *src;
  Features           *dst;          /* hidden layers */
  const SvdImage     *input;        /* last layer: the residual */
  SvdImage           *output;       /* last layer: shuffled result */
  int                 scale;
  gboolean            clamp;
  float               clamp_min;
  float               clamp_max;
  int                 y0;
  int                 y1;
  GCancellable       *cancellable;
} Band;

/* One output row of one output channel: bias, then every input channel's
 * 3x3 taps in (ic, ky, kx) order, accumulated in float, as ONNX Runtime
 * and PyTorch do. */
static void
conv_row (const SvdConvLayer *l,
          const Features     *src,
          int                 o,
          int                 y,
          float              *acc)
{
  int w = src->w;
  float b = l->bias[o];

  for (int x = 0; x < w; x++)
    acc[x] = b;
  for (int i = 0; i < l->in_ch; i++)
    {
      const float *k = l->weight + ((gsize) o * l->in_ch + i) * 9;

      for (int ky = 0; ky < 3; ky++)
        {
          /* Row pointer at x = -1 (the left border). */
          const float *s = features_row (src, i, y + ky - 1);
          float k0 = k[ky * 3 + 0], k1 = k[ky * 3 + 1], k2 = k[ky * 3 + 2];

          for (int x = 0; x < w; x++)
            acc[x] += k0 * s[x] + k1 * s[x + 1] + k2 * s[x + 2];
        }
    }
}

static gpointer
band_run (gpointer data)
{
  Band *b = data;
  const SvdConvLayer *l = b->layer;
  int w = b->src->w;
  g_autofree float *acc = g_new (float, w);

  /* A cancel stops every thread at its next row, not the next layer:
   * one layer of a large frame takes seconds on the CPU. */
  for (int y = b->y0; y < b->y1 && !g_cancellable_is_cancelled (b->cancellable); y++)
    for (int o = 0; o < l->out_ch; o++)
      {
        conv_row (l, b->src, o, y, acc);
        if (b->output == NULL)
          {
            float *d = features_row (b->dst, o, y) + 1;
            float a = l->slope[o];

            for (int x = 0; x < w; x++)
              d[x] = acc[x] >= 0.0f ? acc[x] : acc[x] * a;
          }
        else
          {
            /* PixelShuffle: channel c·s² + i·s + j → pixel (y·s + i, x·s + j)
             * of colour c; the nearest-upsampled input is that colour's
             * input pixel (y, x). */
            int s = b->scale;
            int c = o / (s * s), i = (o / s) % s, j = o % s;
            const float *in = (const float *) (b->input->data[c] + (gsize) y * b->input->stride[c]);
            float *d = (float *) (b->output->data[c] + ((gsize) y * s + i) * b->output->stride[c]);

            for (int x = 0; x < w; x++)
              {
                float v = acc[x] + in[x];

                /* Some exports end in Clip; the reference follows the file. */
                if (b->clamp)
                  v = v < b->clamp_min ? b->clamp_min : v > b->clamp_max ? b->clamp_max : v;
                d[x * s + j] = v;
              }
          }
      }
  return NULL;
}

static void
run_layer (const SvdConvLayer *layer,
           const Features     *src,
           Features           *dst,
           const SvdImage     *input,
           SvdImage           *output,
           int                 scale,
           const SvdModel     *model,
           int                 threads,
           GCancellable       *cancellable)
{
  int h = src->h;
  guint64 work = (guint64) h * src->w * layer->out_ch * layer->in_ch;
  int n = CLAMP (threads, 1, h);
  g_autofree Band *bands = NULL;
  g_autofree GThread **tids = NULL;

  /* Threads only pay for themselves on real frames. */
  if (work < 1000000)
    n = 1;
  bands = g_new0 (Band, n);
  tids = g_new0 (GThread *, n);
  for (int t = 0; t < n; t++)
    {
      bands[t] = (Band) { layer, src, dst, input, output, scale,
                          model->clamp_output, model->clamp_min, model->clamp_max,
                          (int) ((gint64) h * t / n), (int) ((gint64) h * (t + 1) / n), cancellable };
      if (t > 0)
        tids[t] = g_thread_new ("svd-ref", band_run, &bands[t]);
    }
  band_run (&bands[0]);
  for (int t = 1; t < n; t++)
    g_thread_join (tids[t]);
}

/**
 * svd_model_run_reference:
 * @model: a validated model
 * @input: an %SVD_PIXEL_FORMAT_RGB_F32 image with @model->in_ch == 3
 * @threads: CPU threads (0: one per core)
 * @cancellable: (nullable): checked between layers
 * @error: return location for an error
 *
 * Runs @model on @input with the CPU reference.
 *
 * Returns: (transfer full) (nullable): an RGB_F32 image @model->scale times
 *   the size of @input
 */
SvdImage *
svd_model_run_reference (SvdModel        *model,
                         const SvdImage  *input,
                         int              threads,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autoptr(SvdImage) output = NULL;
  Features a = { 0 }, b = { 0 };
  Features *src = &a, *dst = &b;
  int w = input->width, h = input->height, s = model->scale;
  gboolean ok = FALSE;

  if (model->graph != NULL)
    return svd_graph_model_run_reference (model, input, threads, cancellable, error);
  if (input->format != SVD_PIXEL_FORMAT_RGB_F32 || model->in_ch != 3 || model->out_ch != 3)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The CPU reference runs 3-channel models on planar float RGB "
                   "(model “%s” has %d→%d channels)", model->name, model->in_ch, model->out_ch);
      return NULL;
    }
  if (!svd_model_validate (model, error))
    return NULL;
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  if ((gint64) w * s > 65536 || (gint64) h * s > 65536)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "A %dx%d output is too large", w * s, h * s);
      return NULL;
    }
  output = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w * s, h * s, error);
  if (output == NULL)
    return NULL;
  output->color = input->color;
  output->pts = input->pts;
  output->frame_index = input->frame_index;

  if (!features_init (&a, MAX (model->nf, model->in_ch), w, h, error) ||
      !features_init (&b, model->nf, w, h, error))
    goto out;
  a.channels = model->in_ch;
  for (int c = 0; c < model->in_ch; c++)
    for (int y = 0; y < h; y++)
      memcpy (features_row (&a, c, y) + 1, input->data[c] + (gsize) y * input->stride[c],
              (gsize) w * sizeof (float));

  for (int li = 0; li < model->n_layers; li++)
    {
      const SvdConvLayer *l = &model->layers[li];
      gboolean last = li == model->n_layers - 1;
      Features *t;

      svd_fault_cancel_point (cancellable);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      dst->channels = l->out_ch;
      run_layer (l, src, last ? NULL : dst, input, last ? output : NULL, s, model, threads, cancellable);
      t = src;
      src = dst;
      dst = t;
    }
  /* A cancel during the last layer left the output half written. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;
  ok = TRUE;

out:
  g_free (a.data);
  g_free (b.data);
  return ok ? g_steal_pointer (&output) : NULL;
}

/**
 * svd_model_run_reference_chain:
 * @models: (array length=n_models): models run in order
 * @n_models: at least 1
 * @input: an RGB_F32 image
 * @threads: CPU threads (0: one per core)
 * @cancellable: (nullable): checked between layers
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the last model's output
 */
SvdImage *
svd_model_run_reference_chain (SvdModel *const *models,
                               guint            n_models,
                               const SvdImage  *input,
                               int              threads,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(SvdImage) cur = NULL;

  if (n_models == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "A chain needs at least one model");
      return NULL;
    }
  for (guint i = 0; i < n_models; i++)
    {
      SvdImage *next = svd_model_run_reference (models[i], cur ? cur : input, threads,
                                                cancellable, error);

      if (next == NULL)
        return NULL;
      g_clear_pointer (&cur, svd_image_unref);
      cur = next;
    }
  return g_steal_pointer (&cur);
}
