/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-graph-cl"

#include "svd-graph-cl.h"
#include "core/svd-error.h"
#include "core/svd-fault.h"
#include "model/svd-model-private.h"

#include <string.h>
#include <sys/resource.h>

#define CONV_PX 8

typedef enum {
  STEP_CONV,
  STEP_ACT,
  STEP_BINARY,
  STEP_COPY,      /* concat / slice channels: one copy per input */
  STEP_D2S,
  STEP_S2D,
  STEP_PAD,       /* pad and crop */
  STEP_RESIZE,
} StepKind;

typedef struct {
  StepKind          kind;
  const SvdGraphOp *op;      /* the op whose parameters it runs */
  int               in[SVD_GRAPH_MAX_INPUTS];
  int               n_in;
  int               out;
  /* CONV: the fused activation and tail */
  SvdGraphAct       act;
  const float      *slope;
  float             alpha;
  float             beta;
  int               tail;    /* 0 none, 1 + A, 2 · A, 3 · (A + B) */
  int               ta;
  int               tb;
  int               ocb;
  /* CONV 1x1 over a concat: the concat's inputs, read in place */
  int               n_cat;
  int               cat[4];
  cl_mem            weight;
  cl_mem            bias;
  cl_mem            slope_mem;
  cl_mem            table;
  cl_mem            konst;
  gpointer          hooked;  /* a conv run by the engine's kernels */
} Step;

typedef struct {
  const SvdGraphConvHooks *hooks;
  const SvdGraph *graph;
  SvdGraph       *owned;
  int             w;
  int             h;
  GArray         *steps;     /* Step */
  cl_mem         *buf;       /* per tensor (shared by liveness) */
  int            *pitch;     /* per tensor, in values */
  int            *plane;
  GPtrArray      *pool;      /* every cl_mem of buf, once */
  /* The last step, a pixel shuffle into the RGB output, run by the export
   * (svd_graph_cl_run_rgb() only): its table, factor and source */
  cl_mem          out_table;
  int             out_s;
  int             out_src;
  guint64         bytes;
} Instance;

struct _SvdGraphCl {
  SvdClContext   *ctx;
  SvdKernelGetter get_kernel;
  gpointer        data;
  SvdModel       *model;
  gboolean        half;
  GHashTable     *kernels;   /* "name options" → cl_kernel */
  Instance       *inst;
  cl_mem          dummy;
  int             n_steps;
  gboolean        has_hooks;
  SvdGraphConvHooks hooks;
  gboolean        profile;
  gboolean        gpu_shape;
};

static void
instance_free (Instance *in)
{
  if (in == NULL)
    return;
  for (guint i = 0; in->steps != NULL && i < in->steps->len; i++)
    {
      Step *s = &g_array_index (in->steps, Step, i);

      g_clear_pointer (&s->weight, clReleaseMemObject);
      g_clear_pointer (&s->bias, clReleaseMemObject);
      g_clear_pointer (&s->slope_mem, clReleaseMemObject);
      g_clear_pointer (&s->table, clReleaseMemObject);
      g_clear_pointer (&s->konst, clReleaseMemObject);
      if (s->hooked != NULL)
        in->hooks->conv_free (in->hooks->data, s->hooked);
    }
  g_clear_pointer (&in->steps, g_array_unref);
  g_clear_pointer (&in->out_table, clReleaseMemObject);
  if (in->pool != NULL)
    for (guint i = 0; i < in->pool->len; i++)
      clReleaseMemObject (in->pool->pdata[i]);
  g_clear_pointer (&in->pool, g_ptr_array_unref);
  g_free (in->buf);
  g_free (in->pitch);
  g_free (in->plane);
  svd_graph_free (in->owned);
  g_free (in);
}

SvdGraphCl *
svd_graph_cl_new (SvdClContext    *ctx,
                  SvdKernelGetter  get_kernel,
                  gpointer         data,
                  SvdModel        *model,
                  gboolean         half)
{
  SvdGraphCl *self = g_new0 (SvdGraphCl, 1);

  self->ctx = svd_cl_context_ref (ctx);
  self->get_kernel = get_kernel;
  self->data = data;
  self->model = model ? svd_model_ref (model) : NULL;
  self->half = half;
  self->kernels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) clReleaseKernel);
  return self;
}

void
svd_graph_cl_set_conv_hooks (SvdGraphCl              *self,
                             const SvdGraphConvHooks *hooks)
{
  g_clear_pointer (&self->inst, instance_free);
  self->has_hooks = hooks != NULL;
  if (hooks != NULL)
    self->hooks = *hooks;
}

/* The feature-map layout: the engine's when its convs are lent (whole
 * tiles plus the border), else rows of whole 16-value vectors plus 16. */
static void
geometry (SvdGraphCl *self,
          int         w,
          int         h,
          int        *pitch,
          int        *plane)
{
  if (self->has_hooks)
    {
      self->hooks.geometry (self->hooks.data, w, h, pitch, plane);
      return;
    }
  *pitch = (w + 15) / 16 * 16 + 16;
  *plane = *pitch * (h + 2);
}

void
svd_graph_cl_free (SvdGraphCl *self)
{
  if (self == NULL)
    return;
  instance_free (self->inst);
  g_clear_pointer (&self->dummy, clReleaseMemObject);
  g_hash_table_unref (self->kernels);
  g_clear_pointer (&self->model, svd_model_unref);
  svd_cl_context_unref (self->ctx);
  g_free (self);
}

static cl_kernel
kernel (SvdGraphCl  *self,
        const char  *name,
        const char  *defines,
        GError     **error)
{
  g_autofree char *opts = g_strdup_printf ("-cl-std=CL1.2%s%s", defines ? defines : "",
                                           self->half ? " -DHALF" : "");
  g_autofree char *key = g_strconcat (name, " ", opts, NULL);
  cl_kernel k = g_hash_table_lookup (self->kernels, key);

  if (k == NULL)
    {
      k = self->get_kernel (self->data, "graph.cl", name, opts, error);
      if (k == NULL)
        return NULL;
      g_hash_table_insert (self->kernels, g_steal_pointer (&key), k);
    }
  return k;
}

static cl_mem
upload (SvdGraphCl  *self,
        const void  *data,
        gsize        size,
        GError     **error)
{
  cl_int err;
  cl_mem m;

  size = MAX (size, 4);
  m = svd_cl_context_alloc (self->ctx, CL_MEM_READ_ONLY, size, error);
  if (m == NULL)
    return NULL;
  if (data != NULL)
    {
      err = clEnqueueWriteBuffer (svd_cl_context_get_queue (self->ctx), m, CL_TRUE, 0, size, data, 0, NULL, NULL);
      if (err != CL_SUCCESS)
        {
          clReleaseMemObject (m);
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBuffer(graph weights)");
          return NULL;
        }
    }
  return m;
}

/* ---- Planning -------------------------------------------------------------- */

static int
pick_ocb (int oc)
{
  for (int b = 8; b > 1; b /= 2)
    if (oc % b == 0)
      return b;
  return 1;
}

static Instance *
plan (SvdGraphCl      *self,
      const SvdGraph  *g,
      gboolean         rgb,
      gboolean         dry,
      GError         **error)
{
  Instance *in = g_new0 (Instance, 1);
  guint nops = g->ops->len, nt = g->tensors->len;
  g_autofree int *uses = g_new0 (int, nt), *reader = g_new (int, nt), *producer = g_new (int, nt);
  g_autofree int *anchor = g_new (int, nops), *last_use = g_new (int, nt), *bufi = g_new (int, nt);
  g_autofree gboolean *fused = g_new0 (gboolean, nops);
  g_autofree Step *pending = g_new0 (Step, nops);
  g_autoptr(GPtrArray) free_bufs = g_ptr_array_new ();
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) shapes = g_array_new (FALSE, FALSE, sizeof (gint64));
  gsize elem = self->half ? 2 : 4;

  in->hooks = &self->hooks;
  in->graph = g;
  in->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  in->pool = g_ptr_array_new ();
  in->buf = g_new0 (cl_mem, nt);
  in->pitch = g_new0 (int, nt);
  in->plane = g_new0 (int, nt);
  for (guint t = 0; t < nt; t++)
    {
      const SvdGraphTensor *tt = svd_graph_tensor (g, (int) t);

      geometry (self, tt->w, tt->h, &in->pitch[t], &in->plane[t]);
    }
  for (guint t = 0; t < nt; t++)
    {
      producer[t] = -1;
      reader[t] = -1;
    }
  for (guint i = 0; i < nops; i++)
    {
      const SvdGraphOp *op = svd_graph_op (g, (int) i);

      anchor[i] = -1;
      producer[op->out] = (int) i;
      for (int k = 0; k < op->n_in; k++)
        {
          uses[op->in[k]]++;
          reader[op->in[k]] = (int) i;
        }
    }
  uses[g->output]++;

  /* Fusion: conv → [activation] → [Add/Mul with another tensor, whose
   * Add of two tensors the Mul may absorb too]. The fused kernel runs
   * where the last absorbed op stood. */
  for (guint i = 0; i < nops; i++)
    {
      const SvdGraphOp *op = svd_graph_op (g, (int) i);
      Step *s = &pending[i];
      int r = op->out, at = (int) i;

      if (op->type != SVD_GRAPH_OP_CONV)
        continue;
      s->kind = STEP_CONV;
      s->op = op;
      s->in[0] = op->in[0];
      s->n_in = 1;
      s->act = op->act;
      s->slope = op->slope;
      s->alpha = op->alpha;
      s->beta = op->beta;
      s->ta = s->tb = -1;
      {
        /* A 1x1 conv reads a concat (of up to four tensors) in place. */
        int ci = op->in[0], p = producer[ci];
        const SvdGraphOp *po = p >= 0 ? svd_graph_op (g, p) : NULL;

        if (op->kh == 1 && op->kw == 1 && op->pad[0] == 0 && op->pad[1] == 0 && op->pad[2] == 0 &&
            op->pad[3] == 0 && po != NULL && po->type == SVD_GRAPH_OP_CONCAT && po->n_in <= 4 &&
            uses[ci] == 1 && ci != g->output && in->pitch[ci] >= (int) ((svd_graph_tensor (g, ci)->w + 15) / 16 * 16 + 2))
          {
            s->n_cat = po->n_in;
            for (int k = 0; k < po->n_in; k++)
              s->cat[k] = po->in[k];
            fused[p] = TRUE;
          }
      }
      if (s->act == SVD_GRAPH_ACT_NONE && uses[r] == 1 && reader[r] >= 0 &&
          svd_graph_op (g, reader[r])->type == SVD_GRAPH_OP_ACT)
        {
          const SvdGraphOp *a = svd_graph_op (g, reader[r]);

          s->act = a->act;
          s->slope = a->slope;
          s->alpha = a->alpha;
          s->beta = a->beta;
          fused[reader[r]] = TRUE;
          at = reader[r];
          r = a->out;
        }
      if (uses[r] == 1 && reader[r] >= 0)
        {
          const SvdGraphOp *b = svd_graph_op (g, reader[r]);

          /* Not a binary op an earlier conv already took: in c · tanh
           * (conv1x1 (x)) with c used once, both convs feed the Mul, and
           * the first one to absorb it must leave it to the other. */
          if (b->type == SVD_GRAPH_OP_BINARY && b->n_in == 2 && b->in[0] != b->in[1] && !fused[reader[r]] &&
              (b->binop == SVD_GRAPH_BIN_ADD || b->binop == SVD_GRAPH_BIN_MUL))
            {
              int other = b->in[0] == r ? b->in[1] : b->in[0];
              int p = producer[other];
              const SvdGraphOp *po = p >= 0 ? svd_graph_op (g, p) : NULL;

              s->tail = b->binop == SVD_GRAPH_BIN_ADD ? 1 : 2;
              s->ta = other;
              if (s->tail == 2 && po != NULL && po->type == SVD_GRAPH_OP_BINARY && po->n_in == 2 &&
                  po->binop == SVD_GRAPH_BIN_ADD && uses[other] == 1 && !fused[p])
                {
                  s->tail = 3;
                  s->ta = po->in[0];
                  s->tb = po->in[1];
                  fused[p] = TRUE;
                }
              fused[reader[r]] = TRUE;
              at = reader[r];
              r = b->out;
            }
        }
      s->out = r;
      if (at != (int) i)
        {
          fused[i] = TRUE;
          anchor[at] = (int) i;
        }
    }

  for (guint i = 0; i < nops; i++)
    {
      const SvdGraphOp *op = svd_graph_op (g, (int) i);
      Step s = { 0 };

      if (anchor[i] >= 0)
        s = pending[anchor[i]];
      else if (fused[i])
        continue;
      else if (op->type == SVD_GRAPH_OP_CONV)
        s = pending[i];
      else
        {
          s.op = op;
          s.n_in = op->n_in;
          memcpy (s.in, op->in, sizeof (int) * op->n_in);
          s.out = op->out;
          s.ta = s.tb = -1;
          switch (op->type)
            {
            case SVD_GRAPH_OP_ACT: s.kind = STEP_ACT; break;
            case SVD_GRAPH_OP_BINARY: s.kind = STEP_BINARY; break;
            case SVD_GRAPH_OP_CONCAT: case SVD_GRAPH_OP_SLICE_CHANNELS: s.kind = STEP_COPY; break;
            case SVD_GRAPH_OP_DEPTH_TO_SPACE: s.kind = STEP_D2S; break;
            case SVD_GRAPH_OP_SPACE_TO_DEPTH: s.kind = STEP_S2D; break;
            case SVD_GRAPH_OP_PAD: case SVD_GRAPH_OP_CROP: s.kind = STEP_PAD; break;
            default: s.kind = STEP_RESIZE; break;
            }
        }
      if (s.kind == STEP_CONV)
        {
          /* Sources: the conv's input (or the concat's) and the tail's
           * operands. */
          if (s.n_cat > 0)
            {
              memcpy (s.in, s.cat, sizeof (int) * s.n_cat);
              s.n_in = s.n_cat;
            }
          if (s.ta >= 0)
            s.in[s.n_in++] = s.ta;
          if (s.tb >= 0)
            s.in[s.n_in++] = s.tb;
        }
      g_array_append_val (in->steps, s);
    }

  /* For an RGB export, a last pixel shuffle into the output is left to
   * the export, which writes the shuffled pixels into the image itself. */
  in->out_src = -1;
  if (rgb && in->steps->len > 1)
    {
      Step *ls = &g_array_index (in->steps, Step, in->steps->len - 1);

      if (ls->kind == STEP_D2S && ls->out == g->output && svd_graph_tensor (g, g->output)->c == 3 &&
          ls->in[0] != g->input)
        {
          in->out_src = ls->in[0];
          in->out_s = ls->op->s;
          if (!dry &&
              (in->out_table = upload (self, ls->op->table, svd_graph_tensor (g, ls->in[0])->c * sizeof (int),
                                       error)) == NULL)
            goto fail;
          g_array_set_size (in->steps, in->steps->len - 1);
        }
    }

  /* Device data of each step. */
  for (guint i = 0; i < in->steps->len; i++)
    {
      Step *s = &g_array_index (in->steps, Step, i);
      const SvdGraphOp *op = s->op;

      if (dry)
        {
          /* Weights, counted whoever holds them. */
          if (s->kind == STEP_CONV)
            in->bytes += ((guint64) svd_graph_tensor (g, op->in[0])->c * op->kh * op->kw + 3) *
                         svd_graph_tensor (g, op->out)->c * sizeof (float);
          continue;
        }
      if (s->kind == STEP_CONV && self->has_hooks && op->kh == 3 && op->kw == 3 && op->pad[0] == 1 &&
          op->pad[1] == 1 && op->pad[2] == 1 && op->pad[3] == 1 && s->tail == 0 &&
          (s->act == SVD_GRAPH_ACT_NONE || s->act == SVD_GRAPH_ACT_RELU || s->act == SVD_GRAPH_ACT_PRELU ||
           s->act == SVD_GRAPH_ACT_LEAKY))
        {
          /* The engine's tuned 3x3 kernels: bias and a per-channel slope
           * (ReLU 0, none 1, LeakyReLU alpha). */
          const SvdGraphTensor *ti = svd_graph_tensor (g, op->in[0]), *to = svd_graph_tensor (g, op->out);
          g_autofree float *zero = g_new0 (float, to->c);
          g_autofree float *slope = g_new (float, to->c);
          SvdConvLayer layer = { ti->c, to->c, op->weight, op->bias ? op->bias : zero, slope };

          for (int c = 0; c < to->c; c++)
            slope[c] = s->act == SVD_GRAPH_ACT_NONE ? 1.0f : s->act == SVD_GRAPH_ACT_RELU ? 0.0f :
                       s->act == SVD_GRAPH_ACT_LEAKY ? s->alpha : s->slope[c];
          if ((s->hooked = self->hooks.conv_new (self->hooks.data, &layer, error)) == NULL)
            goto fail;
        }
      else if (s->kind == STEP_CONV)
        {
          const SvdGraphTensor *ti = svd_graph_tensor (g, op->in[0]), *to = svd_graph_tensor (g, op->out);
          int oc = to->c, ic = ti->c, taps = op->kh * op->kw, ocb = pick_ocb (oc);
          gsize n = (gsize) oc * ic * taps;

          in->bytes += (n + 2 * oc) * sizeof (float);
          g_autofree float *wl = g_new (float, n);
          g_autofree float *zero = g_new0 (float, oc);

          s->ocb = ocb;
          /* [OC / OCB][IC][KH·KW][OCB] */
          for (int o = 0; o < oc; o++)
            for (int c = 0; c < ic; c++)
              for (int t = 0; t < taps; t++)
                wl[(((gsize) (o / ocb) * ic + c) * taps + t) * ocb + o % ocb] =
                  op->weight[((gsize) o * ic + c) * taps + t];
          if ((s->weight = upload (self, wl, n * sizeof (float), error)) == NULL ||
              (s->bias = upload (self, op->bias ? op->bias : zero, oc * sizeof (float), error)) == NULL ||
              (s->slope_mem = upload (self, s->slope ? s->slope : zero, oc * sizeof (float), error)) == NULL)
            goto fail;
        }
      else if (s->kind == STEP_ACT)
        {
          const SvdGraphTensor *to = svd_graph_tensor (g, op->out);

          if ((s->slope_mem = upload (self, op->slope, op->slope ? to->c * sizeof (float) : 4, error)) == NULL)
            goto fail;
        }
      else if (s->kind == STEP_BINARY && op->n_in == 1)
        {
          if ((s->konst = upload (self, op->konst, op->n_konst * sizeof (float), error)) == NULL)
            goto fail;
        }
      else if (s->kind == STEP_D2S || s->kind == STEP_S2D)
        {
          int n = s->kind == STEP_D2S ? svd_graph_tensor (g, op->in[0])->c : svd_graph_tensor (g, op->out)->c;

          if ((s->table = upload (self, op->table, n * sizeof (int), error)) == NULL)
            goto fail;
        }
    }

  /* Buffers by liveness: a step's output takes the smallest free buffer
   * that fits (or a new one); inputs are freed after their last step.
   * A dry plan only counts the bytes. */
  for (guint t = 0; t < nt; t++)
    {
      last_use[t] = -1;
      bufi[t] = -1;
    }
  for (guint i = 0; i < in->steps->len; i++)
    {
      Step *s = &g_array_index (in->steps, Step, i);

      for (int k = 0; k < s->n_in; k++)
        last_use[s->in[k]] = (int) i;
    }
  last_use[g->output] = G_MAXINT;
  if (in->out_src >= 0)
    last_use[in->out_src] = G_MAXINT;
  last_use[g->input] = MAX (last_use[g->input], 0);
  for (int i = -1; i < (int) in->steps->len; i++)
    {
      int t = i < 0 ? g->input : g_array_index (in->steps, Step, i).out;
      const SvdGraphTensor *tt = svd_graph_tensor (g, t);
      /* Buffers are shared only between tensors of one size, so the
       * border and slack the 3x3 kernels read stay zero. */
      gsize need = ((gsize) tt->c * in->plane[t] * elem + 3) / 4 * 4, best_size = G_MAXSIZE;
      gint64 shape = ((gint64) tt->h << 32) | tt->w;
      int best = -1;

      for (guint k = 0; k < free_bufs->len; k++)
        {
          int pi = GPOINTER_TO_INT (free_bufs->pdata[k]);
          gsize have = g_array_index (sizes, gsize, pi);

          if (g_array_index (shapes, gint64, pi) != shape)
            continue;
          if (have >= need && have < best_size)
            {
              best = (int) k;
              best_size = have;
            }
        }
      if (best >= 0)
        {
          bufi[t] = GPOINTER_TO_INT (free_bufs->pdata[best]);
          g_ptr_array_remove_index_fast (free_bufs, best);
        }
      else
        {
          bufi[t] = (int) sizes->len;
          g_array_append_val (sizes, need);
          g_array_append_val (shapes, shape);
          in->bytes += MAX (need, 4);
        }
      if (i < 0)
        continue;
      {
        Step *s = &g_array_index (in->steps, Step, i);

        for (int k = 0; k < s->n_in; k++)
          if (last_use[s->in[k]] == i)
            {
              gboolean dup = FALSE;

              for (int j = 0; j < k; j++)
                dup |= s->in[j] == s->in[k];
              if (!dup)
                g_ptr_array_add (free_bufs, GINT_TO_POINTER (bufi[s->in[k]]));
            }
      }
    }
  if (dry)
    return in;
  for (guint k = 0; k < sizes->len; k++)
    {
      gsize need = MAX (g_array_index (sizes, gsize, k), 4);
      cl_mem m = svd_cl_context_alloc (self->ctx, CL_MEM_READ_WRITE, need, error);
      guint32 zero = 0;
      cl_int err;

      if (m == NULL)
        goto fail;
      g_ptr_array_add (in->pool, m);
      err = clEnqueueFillBuffer (svd_cl_context_get_queue (self->ctx), m, &zero, sizeof zero, 0, need / 4 * 4, 0,
                                 NULL, NULL);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueFillBuffer(graph)");
          goto fail;
        }
    }
  for (guint t = 0; t < nt; t++)
    if (bufi[t] >= 0)
      in->buf[t] = in->pool->pdata[bufi[t]];
  return in;

fail:
  instance_free (in);
  return NULL;
}

/* ---- Running ----------------------------------------------------------------- */

static gsize
round_up (gsize v,
          gsize m)
{
  return (v + m - 1) / m * m;
}

static gboolean
enqueue_local (SvdGraphCl   *self,
               cl_kernel     k,
               int           dims,
               const size_t *gws,
               const size_t *lws,
               cl_event     *first,
               cl_event     *last,
               const char   *what,
               GError      **error);

static gboolean
enqueue (SvdGraphCl   *self,
         cl_kernel     k,
         int           dims,
         const size_t *gws,
         cl_event     *first,
         cl_event     *last,
         const char   *what,
         GError      **error)
{
  /* Element-wise kernels: rows of 64 pixels per work-group (PoCL pays per
   * group; a GPU is happy with 64 too). */
  static const size_t row64[3] = { 64, 1, 1 };

  return enqueue_local (self, k, dims, gws, dims == 3 && gws[0] % 64 == 0 ? row64 : NULL, first, last, what,
                        error);
}

static gboolean
enqueue_local (SvdGraphCl   *self,
               cl_kernel     k,
               int           dims,
               const size_t *gws,
               const size_t *lws,
               cl_event     *first,
         cl_event     *last,
         const char   *what,
         GError      **error)
{
  cl_event ev = NULL;
  cl_int err = clEnqueueNDRangeKernel (svd_cl_context_get_queue (self->ctx), k, dims, NULL, gws, lws, 0, NULL,
                                       first != NULL || last != NULL ? &ev : NULL);

  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, what);
  if (ev != NULL)
    {
      if (first != NULL && *first == NULL)
        {
          clRetainEvent (ev);
          *first = ev;
        }
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

#define ARG(k, i, v) (err |= clSetKernelArg ((k), (i), sizeof (v), &(v)))

static gboolean
run_step (SvdGraphCl *self,
          Instance   *inst,
          Step       *s,
          cl_event   *first,
          cl_event   *last,
          GError    **error)
{
  const SvdGraph *g = inst->graph;
  const SvdGraphOp *op = s->op;
  int ti_i = op->in[0], to_i = s->out;
  const SvdGraphTensor *ti = svd_graph_tensor (g, ti_i), *to = svd_graph_tensor (g, to_i);
  cl_int err = CL_SUCCESS;
  cl_kernel k;
  cl_mem src = inst->buf[ti_i], dst = inst->buf[to_i];
  int a = 0, ip = inst->pitch[ti_i], ipl = inst->plane[ti_i], op_ = inst->pitch[to_i], opl = inst->plane[to_i];
  size_t gws3[3] = { round_up (to->w, 64), to->h, to->c };

  switch (s->kind)
    {
    case STEP_CONV:
      {
        g_autofree char *defs = NULL;
        cl_mem ta = s->ta >= 0 ? inst->buf[s->ta] : self->dummy, tb = s->tb >= 0 ? inst->buf[s->tb] : self->dummy;
        int act = s->act;
        size_t gws[3] = { round_up (to->w, CONV_PX) / CONV_PX, to->h, 0 };

        if (s->hooked != NULL)
          return self->hooks.conv_run (self->hooks.data, s->hooked, src, ip, ipl, dst, op_, opl, ti->w, ti->h,
                                       first, last, error);
        defs = g_strdup_printf (" -DKH=%d -DKW=%d -DOCB=%d", op->kh, op->kw, s->ocb);
        gws[2] = to->c / s->ocb;
        if (op->kh == 1 && op->kw == 1 && op->pad[0] == 0 && op->pad[1] == 0 && op->pad[2] == 0 &&
            op->pad[3] == 0 && ip >= (int) round_up (ti->w, 16) + 2)
          {
            /* Pointwise: 16 pixels per item with vector loads (the rows'
             * slack holds them); on a CPU one item per row. The sources:
             * the input, or a concat's inputs in place. */
            gboolean cpu = (svd_cl_context_get_info (self->ctx)->type & CL_DEVICE_TYPE_CPU) != 0 &&
                           !self->gpu_shape;
            size_t pgws[3] = { cpu ? 1 : round_up (to->w, 16) / 16, to->h, cpu ? 1 : gws[2] };
            size_t lws[3] = { 1, 1, pgws[2] };
            int n_ob = (int) gws[2];
            cl_mem srcs[4] = { src, self->dummy, self->dummy, self->dummy };
            int ns[4] = { ti->c, 0, 0, 0 };

            for (int c = 0; c < s->n_cat; c++)
              {
                srcs[c] = inst->buf[s->cat[c]];
                ns[c] = svd_graph_tensor (g, s->cat[c])->c;
              }
            if (cpu)
              {
                /* Two vectors a row where the slack holds them. */
                int rx = ip >= (int) round_up (ti->w, 32) + 2 ? 2 : 1;
                size_t bgws[3] = { round_up (to->w, 16 * rx) / (16 * rx), to->h, 1 };
                size_t blws[3] = { bgws[0], 1, 1 };
                g_autofree char *bdefs = g_strdup_printf ("%s -DRX=%d -DN0=%d -DN1=%d -DN2=%d -DN3=%d", defs, rx,
                                                          ns[0], ns[1], ns[2], ns[3]);

                if ((k = kernel (self, "conv1x1_block", bdefs, error)) == NULL)
                  return FALSE;
                for (int c = 0; c < 4; c++)
                  ARG (k, a++, srcs[c]);
                ARG (k, a++, n_ob);
                ARG (k, a++, ti->w);
                ARG (k, a++, ti->h);
                ARG (k, a++, ip);
                ARG (k, a++, ipl);
                ARG (k, a++, dst);
                ARG (k, a++, op_);
                ARG (k, a++, opl);
                ARG (k, a++, s->weight);
                ARG (k, a++, s->bias);
                ARG (k, a++, s->slope_mem);
                ARG (k, a++, act);
                ARG (k, a++, s->alpha);
                ARG (k, a++, s->beta);
                ARG (k, a++, s->tail);
                ARG (k, a++, ta);
                ARG (k, a++, tb);
                if (err != CL_SUCCESS)
                  return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph conv1x1_block)");
                return enqueue_local (self, k, 3, bgws, blws, first, last,
                                      "clEnqueueNDRangeKernel(graph conv1x1_block)", error);
              }
            if ((k = kernel (self, "conv1x1", defs, error)) == NULL)
              return FALSE;
            for (int c = 0; c < 4; c++)
              ARG (k, a++, srcs[c]);
            for (int c = 0; c < 4; c++)
              ARG (k, a++, ns[c]);
            ARG (k, a++, n_ob);
            ARG (k, a++, ti->w);
            ARG (k, a++, ti->h);
            ARG (k, a++, ip);
            ARG (k, a++, ipl);
            ARG (k, a++, dst);
            ARG (k, a++, op_);
            ARG (k, a++, opl);
            ARG (k, a++, s->weight);
            ARG (k, a++, s->bias);
            ARG (k, a++, s->slope_mem);
            ARG (k, a++, act);
            ARG (k, a++, s->alpha);
            ARG (k, a++, s->beta);
            ARG (k, a++, s->tail);
            ARG (k, a++, ta);
            ARG (k, a++, tb);
            if (err != CL_SUCCESS)
              return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph conv1x1)");
            return enqueue_local (self, k, 3, pgws, lws, first, last, "clEnqueueNDRangeKernel(graph conv1x1)",
                                  error);
          }
        if ((k = kernel (self, "conv", defs, error)) == NULL)
          return FALSE;
        ARG (k, a++, src);
        ARG (k, a++, ti->c);
        ARG (k, a++, ti->w);
        ARG (k, a++, ti->h);
        ARG (k, a++, ip);
        ARG (k, a++, ipl);
        ARG (k, a++, op->pad[0]);
        ARG (k, a++, op->pad[1]);
        ARG (k, a++, dst);
        ARG (k, a++, to->w);
        ARG (k, a++, to->h);
        ARG (k, a++, op_);
        ARG (k, a++, opl);
        ARG (k, a++, s->weight);
        ARG (k, a++, s->bias);
        ARG (k, a++, s->slope_mem);
        ARG (k, a++, act);
        ARG (k, a++, s->alpha);
        ARG (k, a++, s->beta);
        ARG (k, a++, s->tail);
        ARG (k, a++, ta);
        ARG (k, a++, tb);
        if (err != CL_SUCCESS)
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph conv)");
        {
          /* One work-group = every channel block of one pixel strip, so
           * the items reuse its input from cache (as conv.cl's block
           * variant). */
          size_t lws[3] = { 1, 1, gws[2] };

          return enqueue_local (self, k, 3, gws, lws, first, last, "clEnqueueNDRangeKernel(graph conv)", error);
        }
      }
    case STEP_ACT:
      {
        int act = op->act;

        if ((k = kernel (self, "activate", NULL, error)) == NULL)
          return FALSE;
        ARG (k, a++, src);
        ARG (k, a++, dst);
        ARG (k, a++, to->w);
        ARG (k, a++, to->h);
        ARG (k, a++, op_);
        ARG (k, a++, opl);
        ARG (k, a++, s->slope_mem);
        ARG (k, a++, act);
        ARG (k, a++, op->alpha);
        ARG (k, a++, op->beta);
        if (err != CL_SUCCESS)
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph activate)");
        return enqueue (self, k, 3, gws3, first, last, "clEnqueueNDRangeKernel(graph activate)", error);
      }
    case STEP_BINARY:
      {
        cl_mem b = op->n_in == 2 ? inst->buf[op->in[1]] : self->dummy;
        cl_mem kn = s->konst ? s->konst : self->dummy;
        int nk = op->n_in == 2 ? 0 : op->n_konst, kf = op->konst_first, bop = op->binop;

        if ((k = kernel (self, "binary", NULL, error)) == NULL)
          return FALSE;
        ARG (k, a++, src);
        ARG (k, a++, b);
        ARG (k, a++, kn);
        ARG (k, a++, nk);
        ARG (k, a++, kf);
        ARG (k, a++, bop);
        ARG (k, a++, dst);
        ARG (k, a++, to->w);
        ARG (k, a++, to->h);
        ARG (k, a++, op_);
        ARG (k, a++, opl);
        if (err != CL_SUCCESS)
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph binary)");
        return enqueue (self, k, 3, gws3, first, last, "clEnqueueNDRangeKernel(graph binary)", error);
      }
    case STEP_COPY:
      {
        int d0 = 0;

        if ((k = kernel (self, "copy_channels", NULL, error)) == NULL)
          return FALSE;
        for (int i = 0; i < (op->type == SVD_GRAPH_OP_CONCAT ? op->n_in : 1); i++)
          {
            const SvdGraphTensor *t = svd_graph_tensor (g, op->in[i]);
            int c0 = op->type == SVD_GRAPH_OP_CONCAT ? 0 : op->c0;
            int n = op->type == SVD_GRAPH_OP_CONCAT ? t->c : to->c;
            size_t gws[3] = { round_up (to->w, 64), to->h, n };
            cl_mem m = inst->buf[op->in[i]];

            a = 0;
            ARG (k, a++, m);
            ARG (k, a++, c0);
            ARG (k, a++, dst);
            ARG (k, a++, d0);
            ARG (k, a++, to->w);
            ARG (k, a++, to->h);
            ARG (k, a++, op_);
            ARG (k, a++, opl);
            if (err != CL_SUCCESS)
              return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph copy)");
            if (!enqueue (self, k, 3, gws, first, last, "clEnqueueNDRangeKernel(graph copy)", error))
              return FALSE;
            d0 += n;
          }
        return TRUE;
      }
    case STEP_D2S:
    case STEP_S2D:
      {
        if (s->kind == STEP_D2S)
          {
            /* One item per input pixel and output channel. */
            gws3[0] = round_up (ti->w, 64);
            gws3[1] = ti->h;
          }
        if ((k = kernel (self, s->kind == STEP_D2S ? "depth_to_space" : "space_to_depth", NULL, error)) == NULL)
          return FALSE;
        ARG (k, a++, src);
        ARG (k, a++, ti->w);
        ARG (k, a++, ti->h);
        ARG (k, a++, ip);
        ARG (k, a++, ipl);
        ARG (k, a++, s->table);
        ARG (k, a++, op->s);
        ARG (k, a++, dst);
        ARG (k, a++, op_);
        ARG (k, a++, opl);
        if (err != CL_SUCCESS)
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph shuffle)");
        return enqueue (self, k, 3, gws3, first, last, "clEnqueueNDRangeKernel(graph shuffle)", error);
      }
    case STEP_PAD:
      {
        int mode = op->type == SVD_GRAPH_OP_CROP ? 3 : (int) op->pad_mode;

        if ((k = kernel (self, "pad", NULL, error)) == NULL)
          return FALSE;
        ARG (k, a++, src);
        ARG (k, a++, ti->w);
        ARG (k, a++, ti->h);
        ARG (k, a++, ip);
        ARG (k, a++, ipl);
        ARG (k, a++, op->pad[0]);
        ARG (k, a++, op->pad[1]);
        ARG (k, a++, mode);
        ARG (k, a++, op->alpha);
        ARG (k, a++, dst);
        ARG (k, a++, to->w);
        ARG (k, a++, to->h);
        ARG (k, a++, op_);
        ARG (k, a++, opl);
        if (err != CL_SUCCESS)
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph pad)");
        return enqueue (self, k, 3, gws3, first, last, "clEnqueueNDRangeKernel(graph pad)", error);
      }
    default:
      {
        int lin = op->linear, coord = op->coord, rnd = op->round;

        if ((k = kernel (self, "resize", NULL, error)) == NULL)
          return FALSE;
        ARG (k, a++, src);
        ARG (k, a++, ti->w);
        ARG (k, a++, ti->h);
        ARG (k, a++, ip);
        ARG (k, a++, ipl);
        ARG (k, a++, lin);
        ARG (k, a++, coord);
        ARG (k, a++, rnd);
        ARG (k, a++, dst);
        ARG (k, a++, to->w);
        ARG (k, a++, to->h);
        ARG (k, a++, op_);
        ARG (k, a++, opl);
        if (err != CL_SUCCESS)
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(graph resize)");
        return enqueue (self, k, 3, gws3, first, last, "clEnqueueNDRangeKernel(graph resize)", error);
      }
    }
}

static gboolean
ensure_dummy (SvdGraphCl  *self,
              GError     **error)
{
  float zero[4] = { 0 };

  if (self->dummy == NULL)
    self->dummy = upload (self, zero, sizeof zero, error);
  return self->dummy != NULL;
}

/* This process's CPU time, all threads (the device's, on PoCL). */
static double
process_cpu_ms (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static gboolean
run_steps (SvdGraphCl    *self,
           Instance      *inst,
           cl_event      *first,
           cl_event      *last,
           GCancellable  *cancellable,
           GError       **error)
{
  for (guint i = 0; i < inst->steps->len; i++)
    {
      if (cancellable != NULL)
        {
          svd_fault_cancel_point (cancellable);
          if (g_cancellable_is_cancelled (cancellable))
            {
              clFinish (svd_cl_context_get_queue (self->ctx));
              g_cancellable_set_error_if_cancelled (cancellable, error);
              return FALSE;
            }
          /* A cancel is seen within one op: keep the queue short. */
          clFinish (svd_cl_context_get_queue (self->ctx));
        }
      if (self->profile)
        {
          /* Debug aid (settings.profile_layers): each step's device time. */
          Step *s = &g_array_index (inst->steps, Step, i);
          cl_event f = NULL, l = NULL;
          cl_ulong t0 = 0, t1 = 0;
          const SvdGraphTensor *to = svd_graph_tensor (inst->graph, s->out);
          double cpu0, cpu1;

          /* CPU time too: on a CPU device under load it is the steadier
           * figure. */
          clFinish (svd_cl_context_get_queue (self->ctx));
          cpu0 = process_cpu_ms ();
          if (!run_step (self, inst, s, &f, &l, error))
            return FALSE;
          clFinish (svd_cl_context_get_queue (self->ctx));
          cpu1 = process_cpu_ms ();
          if (f != NULL && l != NULL)
            {
              clGetEventProfilingInfo (f, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
              clGetEventProfilingInfo (l, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
            }
          g_printerr ("graph step %2u %-14s %s%s%s → %d×%d×%d: %8.2f ms, CPU %8.2f ms\n", i,
                      svd_graph_op_type_name (s->op->type), s->hooked ? "(conv.cl) " : "",
                      s->n_cat ? "(+concat) " : "", s->tail ? "(+tail) " : "", to->c, to->h, to->w,
                      (t1 - t0) / 1e6, cpu1 - cpu0);
          if (first != NULL && *first == NULL && f != NULL)
            {
              clRetainEvent (f);
              *first = f;
            }
          if (last != NULL && l != NULL)
            {
              if (*last != NULL)
                clReleaseEvent (*last);
              clRetainEvent (l);
              *last = l;
            }
          g_clear_pointer (&f, clReleaseEvent);
          g_clear_pointer (&l, clReleaseEvent);
          continue;
        }
      if (!run_step (self, inst, &g_array_index (inst->steps, Step, i), first, last, error))
        return FALSE;
    }
  self->n_steps = (int) inst->steps->len;
  return TRUE;
}

gboolean
svd_graph_cl_run_rgb (SvdGraphCl    *self,
                      cl_mem         src,
                      int            src_pitch,
                      int            src_plane,
                      cl_mem         dst,
                      int            dst_pitch,
                      int            dst_plane,
                      int            w,
                      int            h,
                      cl_event      *first,
                      cl_event      *last,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Instance *inst = self->inst;
  cl_int err = CL_SUCCESS;
  cl_kernel k;
  int a = 0;

  g_return_val_if_fail (self->model != NULL, FALSE);
  if (!ensure_dummy (self, error))
    return FALSE;
  if (inst == NULL || inst->w != w || inst->h != h)
    {
      SvdGraph *g = svd_model_graph_at (self->model, w, h, error);

      g_clear_pointer (&self->inst, instance_free);
      if (g == NULL)
        return FALSE;
      inst = plan (self, g, TRUE, FALSE, error);
      if (inst == NULL)
        {
          svd_graph_free (g);
          return FALSE;
        }
      inst->owned = g;
      inst->w = w;
      inst->h = h;
      self->inst = inst;
    }
  {
    const SvdGraphTensor *ti = svd_graph_tensor (inst->graph, inst->graph->input);
    size_t gws[3] = { round_up (w, 64), h, 3 };
    cl_mem in = inst->buf[inst->graph->input];

    if (ti->c != 3)
      return svd_cl_set_error (error, SVD_ERROR_UNSUPPORTED, CL_INVALID_VALUE, "graph input channels");
    if ((k = kernel (self, "import_rgb", NULL, error)) == NULL)
      return FALSE;
    ARG (k, a++, src);
    ARG (k, a++, src_pitch);
    ARG (k, a++, src_plane);
    ARG (k, a++, in);
    ARG (k, a++, w);
    ARG (k, a++, h);
    ARG (k, a++, inst->pitch[inst->graph->input]);
    ARG (k, a++, inst->plane[inst->graph->input]);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(import_rgb)");
    if (!enqueue (self, k, 3, gws, first, last, "clEnqueueNDRangeKernel(import_rgb)", error))
      return FALSE;
  }
  if (!run_steps (self, inst, first, last, cancellable, error))
    return FALSE;
  if (inst->out_src >= 0)
    {
      /* The last pixel shuffle writes the image: one item per source
       * pixel and colour. */
      int t = inst->out_src;
      const SvdGraphTensor *ts = svd_graph_tensor (inst->graph, t);
      size_t gws[3] = { round_up (ts->w, 64), ts->h, 3 };
      cl_mem sm = inst->buf[t];

      if ((k = kernel (self, "depth_to_space_rgb", NULL, error)) == NULL)
        return FALSE;
      a = 0;
      ARG (k, a++, sm);
      ARG (k, a++, ts->w);
      ARG (k, a++, ts->h);
      ARG (k, a++, inst->pitch[t]);
      ARG (k, a++, inst->plane[t]);
      ARG (k, a++, inst->out_table);
      ARG (k, a++, inst->out_s);
      ARG (k, a++, dst);
      ARG (k, a++, dst_pitch);
      ARG (k, a++, dst_plane);
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(depth_to_space_rgb)");
      return enqueue (self, k, 3, gws, first, last, "clEnqueueNDRangeKernel(depth_to_space_rgb)", error);
    }
  {
    const SvdGraphTensor *to = svd_graph_tensor (inst->graph, inst->graph->output);
    size_t gws[3] = { round_up (to->w, 64), to->h, 3 };
    cl_mem out = inst->buf[inst->graph->output];

    if ((k = kernel (self, "export_rgb", NULL, error)) == NULL)
      return FALSE;
    a = 0;
    ARG (k, a++, out);
    ARG (k, a++, to->w);
    ARG (k, a++, to->h);
    ARG (k, a++, inst->pitch[inst->graph->output]);
    ARG (k, a++, inst->plane[inst->graph->output]);
    ARG (k, a++, dst);
    ARG (k, a++, dst_pitch);
    ARG (k, a++, dst_plane);
    if (err != CL_SUCCESS)
      return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(export_rgb)");
    return enqueue (self, k, 3, gws, first, last, "clEnqueueNDRangeKernel(export_rgb)", error);
  }
}

float *
svd_graph_cl_run_host (SvdGraphCl      *self,
                       const SvdGraph  *graph,
                       const float     *input,
                       GError         **error)
{
  Instance *inst;
  const SvdGraphTensor *ti = svd_graph_tensor (graph, graph->input), *to = svd_graph_tensor (graph, graph->output);
  gsize elem = self->half ? 2 : 4, nin = (gsize) ti->c * ti->h * ti->w, nout = (gsize) to->c * to->h * to->w;
  float *out = NULL;
  cl_command_queue q = svd_cl_context_get_queue (self->ctx);
  cl_int err;

  if (!svd_graph_validate (graph, error) || !ensure_dummy (self, error))
    return NULL;
  g_clear_pointer (&self->inst, instance_free);
  if ((inst = plan (self, graph, FALSE, FALSE, error)) == NULL)
    return NULL;
  self->inst = inst;
  {
    /* Host planar ↔ the device layout (border and slack zero). */
    int ip = inst->pitch[graph->input], ipl = inst->plane[graph->input];
    int op = inst->pitch[graph->output], opl = inst->plane[graph->output];
    gsize in_bytes = (gsize) ti->c * ipl * elem, out_bytes = (gsize) to->c * opl * elem;
    g_autofree guint8 *hin = g_malloc0 (MAX (in_bytes, 4));
    g_autofree guint8 *hout = g_malloc0 (MAX (out_bytes, 4));

    (void) nin;
    for (int c = 0; c < ti->c; c++)
      for (int y = 0; y < ti->h; y++)
        for (int x = 0; x < ti->w; x++)
          {
            gsize at = (gsize) c * ipl + (gsize) (y + 1) * ip + x + 1;
            float v = input[((gsize) c * ti->h + y) * ti->w + x];

            if (self->half)
              ((guint16 *) hin)[at] = svd_float_to_half (v);
            else
              ((float *) hin)[at] = v;
          }
    err = clEnqueueWriteBuffer (q, inst->buf[graph->input], CL_TRUE, 0, in_bytes, hin, 0, NULL, NULL);
    if (err != CL_SUCCESS)
      {
        svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBuffer(graph input)");
        goto out;
      }
    if (!run_steps (self, inst, NULL, NULL, NULL, error))
      goto out;
    err = clEnqueueReadBuffer (q, inst->buf[graph->output], CL_TRUE, 0, out_bytes, hout, 0, NULL, NULL);
    if (err != CL_SUCCESS)
      {
        svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBuffer(graph output)");
        goto out;
      }
    out = g_new (float, MAX (nout, 1));
    for (int c = 0; c < to->c; c++)
      for (int y = 0; y < to->h; y++)
        for (int x = 0; x < to->w; x++)
          {
            gsize at = (gsize) c * opl + (gsize) (y + 1) * op + x + 1;

            out[((gsize) c * to->h + y) * to->w + x] = self->half ? svd_half_to_float (((guint16 *) hout)[at]) :
                                                                    ((float *) hout)[at];
          }
  }

out:
  /* The instance points at @graph, which the caller owns. */
  g_clear_pointer (&self->inst, instance_free);
  return out;
}

/**
 * svd_graph_cl_estimate_bytes:
 * @self: a graph runner with a model
 * @w: input width
 * @h: input height
 * @bytes: (out): device bytes a run at @w × @h holds (tensor buffers
 *   shared by liveness, as a real plan shares them, and the weights)
 * @error: return location for an error
 *
 * Plans the model's instance for @w × @h without allocating anything,
 * so the engine can check a tile size against its memory budget first.
 */
gboolean
svd_graph_cl_estimate_bytes (SvdGraphCl  *self,
                             int          w,
                             int          h,
                             guint64     *bytes,
                             GError     **error)
{
  g_autoptr(SvdGraph) g = NULL;
  Instance *in;

  g_return_val_if_fail (self->model != NULL, FALSE);
  if (self->inst != NULL && self->inst->w == w && self->inst->h == h)
    {
      *bytes = self->inst->bytes;
      return TRUE;
    }
  if ((g = svd_model_graph_at (self->model, w, h, error)) == NULL)
    return FALSE;
  if ((in = plan (self, g, TRUE, TRUE, error)) == NULL)
    return FALSE;
  *bytes = in->bytes;
  instance_free (in);
  return TRUE;
}

/* Tests: the kernels a GPU gets (conv1x1 rather than conv1x1_block), on
 * any device, so both are checked against the C twin on PoCL. */
void
svd_graph_cl_set_gpu_shape (SvdGraphCl *self,
                            gboolean    gpu_shape)
{
  self->gpu_shape = gpu_shape;
}

void
svd_graph_cl_set_profile (SvdGraphCl *self,
                          gboolean    profile)
{
  self->profile = profile;
}

int
svd_graph_cl_get_n_steps (SvdGraphCl *self)
{
  return self->n_steps;
}

guint64
svd_graph_cl_get_device_bytes (SvdGraphCl *self)
{
  return self->inst != NULL ? self->inst->bytes : 0;
}
