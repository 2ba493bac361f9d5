/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-graph-ref"

#include "svd-graph-ref.h"
#include "core/svd-error.h"
#include "core/svd-fault.h"

#include <math.h>
#include <string.h>

static inline float
act (SvdGraphAct  a,
     const float *slope,
     float        alpha,
     float        beta,
     int          c,
     float        v)
{
  switch (a)
    {
    case SVD_GRAPH_ACT_RELU: return v > 0 ? v : 0;
    case SVD_GRAPH_ACT_PRELU: return v >= 0 ? v : v * slope[c];
    case SVD_GRAPH_ACT_LEAKY: return v >= 0 ? v : v * alpha;
    case SVD_GRAPH_ACT_SILU: return v / (1.0f + expf (-v));
    case SVD_GRAPH_ACT_SIGMOID: return 1.0f / (1.0f + expf (-v));
    case SVD_GRAPH_ACT_TANH: return tanhf (v);
    case SVD_GRAPH_ACT_CLAMP: return fminf (fmaxf (v, alpha), beta);
    default: return v;
    }
}

typedef struct {
  const SvdGraphOp     *op;
  const SvdGraphTensor *in;
  const SvdGraphTensor *out;
  const float          *src;
  float                *dst;
  int                   oc0;
  int                   oc1;
} ConvJob;

/* Output channels [oc0, oc1): bias, then every input channel's taps in
 * (ic, ky, kx) order, accumulated in float, as ONNX Runtime does. */
static gpointer
conv_job (gpointer data)
{
  ConvJob *j = data;
  const SvdGraphOp *op = j->op;
  int W = j->in->w, H = j->in->h, OW = j->out->w, OH = j->out->h, IC = j->in->c;
  int kh = op->kh, kw = op->kw, pt = op->pad[0], pl = op->pad[1];

  for (int o = j->oc0; o < j->oc1; o++)
    for (int y = 0; y < OH; y++)
      {
        float *acc = j->dst + ((gsize) o * OH + y) * OW;
        float b = op->bias ? op->bias[o] : 0.0f;

        for (int x = 0; x < OW; x++)
          acc[x] = b;
        for (int ic = 0; ic < IC; ic++)
          for (int ky = 0; ky < kh; ky++)
            {
              int yy = y + ky - pt;
              const float *row;

              if (yy < 0 || yy >= H)
                continue;
              row = j->src + ((gsize) ic * H + yy) * W;
              for (int kx = 0; kx < kw; kx++)
                {
                  float w = op->weight[(((gsize) o * IC + ic) * kh + ky) * kw + kx];
                  int dx = kx - pl, x0 = MAX (0, -dx), x1 = MIN (OW, W - dx);

                  for (int x = x0; x < x1; x++)
                    acc[x] += w * row[x + dx];
                }
            }
        if (op->act != SVD_GRAPH_ACT_NONE)
          for (int x = 0; x < OW; x++)
            acc[x] = act (op->act, op->slope, op->alpha, op->beta, o, acc[x]);
      }
  return NULL;
}

static void
run_conv (const SvdGraphOp     *op,
          const SvdGraphTensor *in,
          const SvdGraphTensor *out,
          const float          *src,
          float                *dst,
          int                   threads)
{
  int n = CLAMP (threads, 1, MAX (1, out->c));
  g_autofree ConvJob *jobs = g_new0 (ConvJob, n);
  g_autofree GThread **th = g_new0 (GThread *, n);

  for (int t = 0; t < n; t++)
    {
      jobs[t] = (ConvJob) { op, in, out, src, dst, out->c * t / n, out->c * (t + 1) / n };
      if (t > 0)
        th[t] = g_thread_try_new ("svd-graph-ref", conv_job, &jobs[t], NULL);
    }
  conv_job (&jobs[0]);
  for (int t = 1; t < n; t++)
    {
      if (th[t] != NULL)
        g_thread_join (th[t]);
      else
        conv_job (&jobs[t]);
    }
}

static int
reflect (int i,
         int n)
{
  if (n == 1)
    return 0;
  while (i < 0 || i >= n)
    i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

/* The source coordinate of output coordinate @o (ONNX Resize). */
static float
resize_coord (const SvdGraphOp *op,
              int               o,
              int               in_len,
              int               out_len)
{
  float scale = (float) out_len / (float) in_len;

  switch (op->coord)
    {
    case SVD_GRAPH_COORD_HALF_PIXEL: return (o + 0.5f) / scale - 0.5f;
    case SVD_GRAPH_COORD_PYTORCH_HALF_PIXEL: return out_len > 1 ? (o + 0.5f) / scale - 0.5f : 0.0f;
    case SVD_GRAPH_COORD_ASYMMETRIC: return o / scale;
    default: return out_len > 1 ? (float) o * (in_len - 1) / (out_len - 1) : 0.0f;
    }
}

static int
resize_nearest (const SvdGraphOp *op,
                float             x,
                int               in_len)
{
  float r;

  switch (op->round)
    {
    case SVD_GRAPH_ROUND_PREFER_FLOOR: r = x - floorf (x) == 0.5f ? floorf (x) : floorf (x + 0.5f); break;
    case SVD_GRAPH_ROUND_PREFER_CEIL: r = floorf (x + 0.5f); break;
    case SVD_GRAPH_FLOOR: r = floorf (x); break;
    default: r = ceilf (x); break;
    }
  return CLAMP ((int) r, 0, in_len - 1);
}

float *
svd_graph_ref_run_op (const SvdGraph     *graph,
                      const SvdGraphOp   *op,
                      const float *const *inputs,
                      int                 threads)
{
  const SvdGraphTensor *in = svd_graph_tensor (graph, op->in[0]);
  const SvdGraphTensor *out = svd_graph_tensor (graph, op->out);
  gsize n = (gsize) out->c * out->h * out->w, plane_in = (gsize) in->h * in->w, plane = (gsize) out->h * out->w;
  float *dst = g_try_new (float, MAX (n, 1));
  const float *src = inputs[0];

  if (dst == NULL)
    return NULL;
  switch (op->type)
    {
    case SVD_GRAPH_OP_CONV:
      run_conv (op, in, out, src, dst, threads);
      break;
    case SVD_GRAPH_OP_ACT:
      for (int c = 0; c < out->c; c++)
        for (gsize i = 0; i < plane; i++)
          dst[c * plane + i] = act (op->act, op->slope, op->alpha, op->beta, c, src[c * plane + i]);
      break;
    case SVD_GRAPH_OP_BINARY:
      for (int c = 0; c < out->c; c++)
        for (gsize i = 0; i < plane; i++)
          {
            float a = src[c * plane + i];
            float b = op->n_in == 2 ? inputs[1][c * plane + i] : op->konst[op->n_konst == 1 ? 0 : c];

            if (op->n_in == 1 && op->konst_first)
              {
                float t = a;

                a = b;
                b = t;
              }
            dst[c * plane + i] = op->binop == SVD_GRAPH_BIN_ADD ? a + b : op->binop == SVD_GRAPH_BIN_SUB ? a - b : a * b;
          }
      break;
    case SVD_GRAPH_OP_CONCAT:
      {
        gsize at = 0;

        for (int k = 0; k < op->n_in; k++)
          {
            const SvdGraphTensor *t = svd_graph_tensor (graph, op->in[k]);

            memcpy (dst + at, inputs[k], sizeof (float) * t->c * plane);
            at += (gsize) t->c * plane;
          }
      }
      break;
    case SVD_GRAPH_OP_SLICE_CHANNELS:
      memcpy (dst, src + (gsize) op->c0 * plane, sizeof (float) * n);
      break;
    case SVD_GRAPH_OP_DEPTH_TO_SPACE:
      {
        int s = op->s;

        for (int c = 0; c < out->c; c++)
          for (int y = 0; y < out->h; y++)
            for (int x = 0; x < out->w; x++)
              {
                int sc = op->table[(c * s + y % s) * s + x % s];

                dst[c * plane + (gsize) y * out->w + x] = src[sc * plane_in + (gsize) (y / s) * in->w + x / s];
              }
      }
      break;
    case SVD_GRAPH_OP_SPACE_TO_DEPTH:
      {
        int s = op->s;

        for (int k = 0; k < out->c; k++)
          {
            int code = op->table[k], c = code / (s * s), i = code / s % s, j = code % s;

            for (int y = 0; y < out->h; y++)
              for (int x = 0; x < out->w; x++)
                dst[k * plane + (gsize) y * out->w + x] = src[c * plane_in + (gsize) (y * s + i) * in->w + x * s + j];
          }
      }
      break;
    case SVD_GRAPH_OP_PAD:
      for (int c = 0; c < out->c; c++)
        for (int y = 0; y < out->h; y++)
          for (int x = 0; x < out->w; x++)
            {
              int sy = y - op->pad[0], sx = x - op->pad[1];
              float v;

              if (op->pad_mode == SVD_GRAPH_PAD_CONSTANT)
                v = sy >= 0 && sy < in->h && sx >= 0 && sx < in->w ? src[c * plane_in + (gsize) sy * in->w + sx] :
                    op->alpha;
              else
                {
                  if (op->pad_mode == SVD_GRAPH_PAD_REFLECT)
                    {
                      sy = reflect (sy, in->h);
                      sx = reflect (sx, in->w);
                    }
                  else
                    {
                      sy = CLAMP (sy, 0, in->h - 1);
                      sx = CLAMP (sx, 0, in->w - 1);
                    }
                  v = src[c * plane_in + (gsize) sy * in->w + sx];
                }
              dst[c * plane + (gsize) y * out->w + x] = v;
            }
      break;
    case SVD_GRAPH_OP_CROP:
      for (int c = 0; c < out->c; c++)
        for (int y = 0; y < out->h; y++)
          memcpy (dst + c * plane + (gsize) y * out->w,
                  src + c * plane_in + (gsize) (y + op->pad[0]) * in->w + op->pad[1], sizeof (float) * out->w);
      break;
    case SVD_GRAPH_OP_RESIZE:
      for (int c = 0; c < out->c; c++)
        for (int y = 0; y < out->h; y++)
          for (int x = 0; x < out->w; x++)
            {
              float fy = resize_coord (op, y, in->h, out->h), fx = resize_coord (op, x, in->w, out->w), v;
              const float *p = src + c * plane_in;

              if (!op->linear)
                v = p[(gsize) resize_nearest (op, fy, in->h) * in->w + resize_nearest (op, fx, in->w)];
              else
                {
                  int y0, x0, y1, x1;
                  float wy, wx;

                  fy = CLAMP (fy, 0.0f, (float) (in->h - 1));
                  fx = CLAMP (fx, 0.0f, (float) (in->w - 1));
                  y0 = (int) fy;
                  x0 = (int) fx;
                  y1 = MIN (y0 + 1, in->h - 1);
                  x1 = MIN (x0 + 1, in->w - 1);
                  wy = fy - y0;
                  wx = fx - x0;
                  v = (p[(gsize) y0 * in->w + x0] * (1 - wx) + p[(gsize) y0 * in->w + x1] * wx) * (1 - wy) +
                      (p[(gsize) y1 * in->w + x0] * (1 - wx) + p[(gsize) y1 * in->w + x1] * wx) * wy;
                }
              dst[c * plane + (gsize) y * out->w + x] = v;
            }
      break;
    default:
      memset (dst, 0, sizeof (float) * n);
      break;
    }
  return dst;
}

float *
svd_graph_ref_run (const SvdGraph  *graph,
                   const float     *input,
                   int              threads,
                   GCancellable    *cancellable,
                   GError         **error)
{
  guint nt = graph->tensors->len;
  g_autofree float **vals = g_new0 (float *, nt);
  g_autofree int *last_use = g_new (int, nt);
  float *result = NULL;

  if (!svd_graph_validate (graph, error))
    return NULL;
  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  /* Each tensor is freed after its last reader. */
  for (guint t = 0; t < nt; t++)
    last_use[t] = -1;
  for (guint i = 0; i < graph->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (graph, (int) i);

      for (int k = 0; k < op->n_in; k++)
        last_use[op->in[k]] = (int) i;
    }
  vals[graph->input] = (float *) input;
  for (guint i = 0; i < graph->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (graph, (int) i);
      const float *ins[SVD_GRAPH_MAX_INPUTS];

      svd_fault_cancel_point (cancellable);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      for (int k = 0; k < op->n_in; k++)
        ins[k] = vals[op->in[k]];
      vals[op->out] = svd_graph_ref_run_op (graph, op, ins, threads);
      if (vals[op->out] == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory for graph op %u (%s)", i,
                       svd_graph_op_type_name (op->type));
          goto out;
        }
      for (int k = 0; k < op->n_in; k++)
        if (last_use[op->in[k]] == (int) i && op->in[k] != graph->input && op->in[k] != graph->output)
          g_clear_pointer (&vals[op->in[k]], g_free);
    }
  result = g_steal_pointer (&vals[graph->output]);

out:
  for (guint t = 0; t < nt; t++)
    if ((int) t != graph->input)
      g_free (vals[t]);
  return result;
}

SvdImage *
svd_graph_model_run_reference (SvdModel       *model,
                               const SvdImage *input,
                               int             threads,
                               GCancellable   *cancellable,
                               GError        **error)
{
  g_autoptr(SvdGraph) g = NULL;
  g_autoptr(SvdImage) output = NULL;
  g_autofree float *in = NULL;
  g_autofree float *out = NULL;
  int w = input->width, h = input->height;
  gsize plane = (gsize) w * h;

  if (input->format != SVD_PIXEL_FORMAT_RGB_F32)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "The CPU reference runs on planar float RGB");
      return NULL;
    }
  if ((g = svd_model_graph_at (model, w, h, error)) == NULL)
    return NULL;
  in = g_try_new (float, plane * 3);
  if (in == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory for a %dx%d input", w, h);
      return NULL;
    }
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      memcpy (in + c * plane + (gsize) y * w, input->data[c] + (gsize) y * input->stride[c], sizeof (float) * w);
  if ((out = svd_graph_ref_run (g, in, threads, cancellable, error)) == NULL)
    return NULL;
  {
    const SvdGraphTensor *t = svd_graph_tensor (g, g->output);
    gsize oplane = (gsize) t->w * t->h;

    if ((output = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, t->w, t->h, error)) == NULL)
      return NULL;
    output->color = input->color;
    output->pts = input->pts;
    output->frame_index = input->frame_index;
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < t->h; y++)
        memcpy (output->data[c] + (gsize) y * output->stride[c], out + c * oplane + (gsize) y * t->w,
                sizeof (float) * t->w);
  }
  return g_steal_pointer (&output);
}
