/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-graph"

#include "svd-graph.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

SvdGraph *
svd_graph_new (void)
{
  SvdGraph *self = g_new0 (SvdGraph, 1);

  self->tensors = g_ptr_array_new_with_free_func (g_free);
  self->ops = g_array_new (FALSE, TRUE, sizeof (SvdGraphOp));
  self->input = self->output = -1;
  return self;
}

void
svd_graph_free (SvdGraph *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->ops->len; i++)
    {
      SvdGraphOp *op = &g_array_index (self->ops, SvdGraphOp, i);

      g_free (op->in);
      g_free (op->name);
      g_free (op->weight);
      g_free (op->bias);
      g_free (op->slope);
      g_free (op->konst);
      g_free (op->table);
    }
  g_ptr_array_unref (self->tensors);
  g_array_unref (self->ops);
  g_free (self);
}

int
svd_graph_add_tensor (SvdGraph *self,
                      int       c,
                      int       h,
                      int       w)
{
  SvdGraphTensor *t = g_new (SvdGraphTensor, 1);

  /* Each tensor has its own allocation, so a pointer from
   * svd_graph_tensor() stays valid while more tensors are added. */
  t->c = c;
  t->h = h;
  t->w = w;
  g_ptr_array_add (self->tensors, t);
  return (int) self->tensors->len - 1;
}

SvdGraphOp *
svd_graph_add_op (SvdGraph       *self,
                  SvdGraphOpType  type,
                  const int      *in,
                  int             n_in,
                  int             out,
                  const char     *name)
{
  SvdGraphOp op = { 0 };

  op.type = type;
  op.n_in = n_in;
  op.in = g_memdup2 (in, sizeof (int) * MAX (n_in, 1));
  op.out = out;
  op.name = g_strdup (name);
  g_array_append_val (self->ops, op);
  return &g_array_index (self->ops, SvdGraphOp, self->ops->len - 1);
}

const SvdGraphTensor *
svd_graph_tensor (const SvdGraph *self,
                  int             index)
{
  return g_ptr_array_index (self->tensors, index);
}

SvdGraphOp *
svd_graph_op (const SvdGraph *self,
              int             index)
{
  return &g_array_index (self->ops, SvdGraphOp, index);
}

const char *
svd_graph_op_type_name (SvdGraphOpType type)
{
  static const char *names[] = {
    "Conv", "Activation", "Binary", "Concat", "SliceChannels", "DepthToSpace", "SpaceToDepth",
    "Pad", "Crop", "Resize",
  };

  return (guint) type < G_N_ELEMENTS (names) ? names[type] : "?";
}

const char *
svd_graph_act_name (SvdGraphAct act)
{
  static const char *names[] = {
    "none", "Relu", "PRelu", "LeakyRelu", "SiLU", "Sigmoid", "Tanh", "Clip",
  };

  return (guint) act < G_N_ELEMENTS (names) ? names[act] : "?";
}

static gboolean
fail_op (const SvdGraphOp *op,
         int               index,
         GError          **error,
         const char       *format,
         ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail_op (const SvdGraphOp *op,
         int               index,
         GError          **error,
         const char       *format,
         ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "Graph op %d (%s “%s”): %s", index,
               svd_graph_op_type_name (op->type), op->name ? op->name : "", msg);
  return FALSE;
}

static gboolean
finite_all (const float *v,
            gsize        n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

static gboolean
same_shape (const SvdGraphTensor *a,
            const SvdGraphTensor *b)
{
  return a->c == b->c && a->h == b->h && a->w == b->w;
}

/**
 * svd_graph_validate:
 * @self: a graph
 * @error: return location for an error
 *
 * Checks what the kernels and the CPU reference rely on: every tensor has
 * a positive static size within the limits (element counts overflow-checked),
 * every op reads tensors written before it (so the graph has no cycle) and
 * writes a tensor no other op writes, every output shape follows from its
 * inputs, weights are finite and tables are in range.
 */
gboolean
svd_graph_validate (const SvdGraph *self,
                    GError        **error)
{
  g_autofree gboolean *written = NULL;
  gsize weights = 0;
  guint nt = self->tensors->len;

  if (self->ops->len == 0 || self->ops->len > SVD_GRAPH_MAX_OPS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "The graph has %u ops; 1 to %d are supported", self->ops->len, SVD_GRAPH_MAX_OPS);
      return FALSE;
    }
  for (guint i = 0; i < nt; i++)
    {
      const SvdGraphTensor *t = svd_graph_tensor (self, (int) i);
      gsize n;

      if (t->c < 1 || t->c > SVD_GRAPH_MAX_CHANNELS || t->h < 1 || t->h > SVD_GRAPH_MAX_SIDE ||
          t->w < 1 || t->w > SVD_GRAPH_MAX_SIDE ||
          !g_size_checked_mul (&n, (gsize) t->c, (gsize) t->h) || !g_size_checked_mul (&n, n, (gsize) t->w) ||
          n > SVD_GRAPH_MAX_ELEMENTS)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                       "Graph tensor %u is %d×%d×%d; supported: 1–%d channels, sides 1–%d, at most %"
                       G_GSIZE_FORMAT " values", i, t->c, t->h, t->w, SVD_GRAPH_MAX_CHANNELS,
                       SVD_GRAPH_MAX_SIDE, SVD_GRAPH_MAX_ELEMENTS);
          return FALSE;
        }
    }
  if (self->input < 0 || (guint) self->input >= nt || self->output < 0 || (guint) self->output >= nt)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "The graph has no input or output tensor");
      return FALSE;
    }
  written = g_new0 (gboolean, nt);
  written[self->input] = TRUE;
  for (guint i = 0; i < self->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (self, (int) i);
      const SvdGraphTensor *out, *in0;
      SvdGraphTensor want;

      if (op->n_in < 1 || op->n_in > SVD_GRAPH_MAX_INPUTS || op->out < 0 || (guint) op->out >= nt)
        return fail_op (op, (int) i, error, "has %d inputs or an invalid output", op->n_in);
      for (int k = 0; k < op->n_in; k++)
        if (op->in[k] < 0 || (guint) op->in[k] >= nt || !written[op->in[k]])
          return fail_op (op, (int) i, error, "reads a tensor no earlier op writes (a cycle or a broken edge)");
      if (written[op->out])
        return fail_op (op, (int) i, error, "writes a tensor that is already written");
      written[op->out] = TRUE;
      out = svd_graph_tensor (self, op->out);
      in0 = svd_graph_tensor (self, op->in[0]);
      want = *in0;

      if (op->type == SVD_GRAPH_OP_CONV || op->type == SVD_GRAPH_OP_ACT)
        {
          if (op->act == SVD_GRAPH_ACT_PRELU && (op->slope == NULL || !finite_all (op->slope, out->c)))
            return fail_op (op, (int) i, error, "PRelu without finite per-channel slopes");
          if (!isfinite (op->alpha) || !isfinite (op->beta) || (guint) op->act > SVD_GRAPH_ACT_CLAMP)
            return fail_op (op, (int) i, error, "invalid activation");
        }
      switch (op->type)
        {
        case SVD_GRAPH_OP_CONV:
          {
            gsize n;

            if (op->n_in != 1 || op->kh < 1 || op->kw < 1 || op->kh > SVD_GRAPH_MAX_KERNEL ||
                op->kw > SVD_GRAPH_MAX_KERNEL || op->weight == NULL)
              return fail_op (op, (int) i, error, "a %d×%d kernel; 1×1 to %d×%d are supported",
                              op->kh, op->kw, SVD_GRAPH_MAX_KERNEL, SVD_GRAPH_MAX_KERNEL);
            for (int k = 0; k < 4; k++)
              if (op->pad[k] < 0 || op->pad[k] > SVD_GRAPH_MAX_KERNEL)
                return fail_op (op, (int) i, error, "invalid padding");
            want.c = out->c;
            want.h = in0->h + op->pad[0] + op->pad[2] - op->kh + 1;
            want.w = in0->w + op->pad[1] + op->pad[3] - op->kw + 1;
            n = (gsize) out->c * in0->c * op->kh * op->kw;  /* ≤ 4096² · 225 */
            if (n > SVD_GRAPH_MAX_WEIGHTS - weights)
              return fail_op (op, (int) i, error, "the graph holds more than %" G_GSIZE_FORMAT " weights",
                              SVD_GRAPH_MAX_WEIGHTS);
            weights += n;
            if (!finite_all (op->weight, n) || (op->bias != NULL && !finite_all (op->bias, out->c)))
              return fail_op (op, (int) i, error, "a weight or bias is not finite");
          }
          break;
        case SVD_GRAPH_OP_ACT:
          if (op->n_in != 1)
            return fail_op (op, (int) i, error, "needs one input");
          break;
        case SVD_GRAPH_OP_BINARY:
          if ((guint) op->binop > SVD_GRAPH_BIN_MUL)
            return fail_op (op, (int) i, error, "unknown operation");
          if (op->n_in == 2)
            {
              if (!same_shape (in0, svd_graph_tensor (self, op->in[1])))
                return fail_op (op, (int) i, error, "operands differ in shape");
            }
          else if (op->n_in != 1 || op->konst == NULL || (op->n_konst != 1 && op->n_konst != in0->c) ||
                   !finite_all (op->konst, op->n_konst))
            return fail_op (op, (int) i, error, "the constant operand is neither a scalar nor per channel");
          break;
        case SVD_GRAPH_OP_CONCAT:
          want.c = 0;
          for (int k = 0; k < op->n_in; k++)
            {
              const SvdGraphTensor *t = svd_graph_tensor (self, op->in[k]);

              if (t->h != in0->h || t->w != in0->w)
                return fail_op (op, (int) i, error, "inputs differ in size");
              want.c += t->c;  /* ≤ 64 · 4096 */
            }
          break;
        case SVD_GRAPH_OP_SLICE_CHANNELS:
          if (op->n_in != 1 || op->c0 < 0 || op->c0 > in0->c - out->c)
            return fail_op (op, (int) i, error, "channel range out of bounds");
          want.c = out->c;
          break;
        case SVD_GRAPH_OP_DEPTH_TO_SPACE:
        case SVD_GRAPH_OP_SPACE_TO_DEPTH:
          {
            int s = op->s, n;
            g_autofree gboolean *seen = NULL;
            gboolean d2s = op->type == SVD_GRAPH_OP_DEPTH_TO_SPACE;

            if (op->n_in != 1 || s < 1 || s > 16 || op->table == NULL)
              return fail_op (op, (int) i, error, "block size %d; 1 to 16 are supported", s);
            if (d2s)
              {
                if (in0->c % (s * s) != 0 || (gint64) in0->h * s > SVD_GRAPH_MAX_SIDE ||
                    (gint64) in0->w * s > SVD_GRAPH_MAX_SIDE)
                  return fail_op (op, (int) i, error, "channels do not divide by the block size squared");
                want.c = in0->c / (s * s);
                want.h = in0->h * s;
                want.w = in0->w * s;
                n = in0->c;
              }
            else
              {
                if (in0->h % s != 0 || in0->w % s != 0 || (gint64) in0->c * s * s > SVD_GRAPH_MAX_CHANNELS)
                  return fail_op (op, (int) i, error, "the size does not divide by the block size");
                want.c = in0->c * s * s;
                want.h = in0->h / s;
                want.w = in0->w / s;
                n = want.c;
              }
            seen = g_new0 (gboolean, n);
            for (int k = 0; k < n; k++)
              {
                if (op->table[k] < 0 || op->table[k] >= n || seen[op->table[k]])
                  return fail_op (op, (int) i, error, "the channel table is not a permutation");
                seen[op->table[k]] = TRUE;
              }
          }
          break;
        case SVD_GRAPH_OP_PAD:
          for (int k = 0; k < 4; k++)
            if (op->pad[k] < 0 || op->pad[k] > SVD_GRAPH_MAX_SIDE)
              return fail_op (op, (int) i, error, "negative or huge padding");
          if (op->pad_mode == SVD_GRAPH_PAD_REFLECT &&
              (op->pad[0] >= in0->h || op->pad[2] >= in0->h || op->pad[1] >= in0->w || op->pad[3] >= in0->w))
            return fail_op (op, (int) i, error,
                            "reflect padding of %d, %d, %d, %d needs an input larger than %d×%d",
                            op->pad[0], op->pad[1], op->pad[2], op->pad[3], in0->w, in0->h);
          if ((guint) op->pad_mode > SVD_GRAPH_PAD_EDGE || !isfinite (op->alpha))
            return fail_op (op, (int) i, error, "unknown pad mode");
          want.h = in0->h + op->pad[0] + op->pad[2];
          want.w = in0->w + op->pad[1] + op->pad[3];
          break;
        case SVD_GRAPH_OP_CROP:
          if (op->pad[0] < 0 || op->pad[1] < 0 || op->pad[0] > in0->h - out->h || op->pad[1] > in0->w - out->w)
            return fail_op (op, (int) i, error, "the window lies outside the input");
          want.h = out->h;
          want.w = out->w;
          break;
        case SVD_GRAPH_OP_RESIZE:
          if ((guint) op->coord > SVD_GRAPH_COORD_ALIGN_CORNERS || (guint) op->round > SVD_GRAPH_CEIL)
            return fail_op (op, (int) i, error, "unknown coordinate mode");
          want.h = out->h;
          want.w = out->w;
          break;
        default:
          return fail_op (op, (int) i, error, "unknown op type %d", op->type);
        }
      if (!same_shape (&want, out))
        return fail_op (op, (int) i, error, "writes %d×%d×%d where its inputs give %d×%d×%d",
                        out->c, out->h, out->w, want.c, want.h, want.w);
    }
  if (!written[self->output] || self->output == self->input)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "No op writes the graph output");
      return FALSE;
    }
  return TRUE;
}

guint64
svd_graph_get_n_params (const SvdGraph *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (self, (int) i);
      const SvdGraphTensor *out = svd_graph_tensor (self, op->out);

      if (op->type == SVD_GRAPH_OP_CONV)
        n += (guint64) out->c * svd_graph_tensor (self, op->in[0])->c * op->kh * op->kw +
             (op->bias ? out->c : 0);
      if (op->act == SVD_GRAPH_ACT_PRELU)
        n += out->c;
      if (op->type == SVD_GRAPH_OP_BINARY && op->n_in == 1)
        n += op->n_konst;
    }
  return n;
}

guint64
svd_graph_get_macs (const SvdGraph *self)
{
  guint64 n = 0;

  for (guint i = 0; i < self->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (self, (int) i);
      const SvdGraphTensor *out = svd_graph_tensor (self, op->out);

      if (op->type == SVD_GRAPH_OP_CONV)
        n += (guint64) out->c * out->h * out->w * svd_graph_tensor (self, op->in[0])->c * op->kh * op->kw;
    }
  return n;
}

/* Input pixels per tensor pixel of each tensor: num / den. */
typedef struct {
  gint64 num;
  gint64 den;
} Step;

static gint64
gcd64 (gint64 a,
       gint64 b)
{
  while (b != 0)
    {
      gint64 t = a % b;

      a = b;
      b = t;
    }
  return a;
}

gboolean
svd_graph_get_tiling (const SvdGraph *self,
                      int            *radius,
                      int            *align)
{
  guint nt = self->tensors->len;
  g_autofree Step *step = g_new0 (Step, nt);
  /* How far each tensor's pixels reach, in input pixels (each op adds
   * its extent times its input's step), rounded up at the end. */
  g_autofree double *reach = g_new0 (double, nt);
  gint64 a = 1;
  double r = 0;

  step[self->input].num = step[self->input].den = 1;
  for (guint i = 0; i < self->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (self, (int) i);
      Step in = step[op->in[0]];
      double px = (double) in.num / in.den, at = 0;

      if (in.num == 0)
        return FALSE;
      for (int k = 0; k < op->n_in; k++)
        {
          Step o = step[op->in[k]];

          /* Operands of one op must be at one scale. */
          if (o.num * in.den != in.num * o.den)
            return FALSE;
          at = MAX (at, reach[op->in[k]]);
        }
      switch (op->type)
        {
        case SVD_GRAPH_OP_CONV:
          {
            int ext = MAX (MAX (op->pad[0], op->kh - 1 - op->pad[0]), MAX (op->pad[1], op->kw - 1 - op->pad[1]));

            at += MAX (ext, 0) * px;
            break;
          }
        case SVD_GRAPH_OP_SPACE_TO_DEPTH:
          {
            /* The unshuffle grid: a tile's corner must fall on a multiple
             * of s pixels of this tensor. */
            gint64 need = op->s * in.num / gcd64 (op->s * in.num, in.den);

            a = a / gcd64 (a, need) * need;
            if (a > 1024)
              return FALSE;
            at += (op->s - 1) * px;
            in.num *= op->s;
            break;
          }
        case SVD_GRAPH_OP_DEPTH_TO_SPACE:
          at += px;
          in.den *= op->s;
          break;
        case SVD_GRAPH_OP_PAD:
        case SVD_GRAPH_OP_CROP:
          if (op->pad[0] != 0 || op->pad[1] != 0)
            return FALSE;
          break;
        case SVD_GRAPH_OP_RESIZE:
          return FALSE;
        default:
          break;
        }
      {
        gint64 gg = gcd64 (in.num, in.den);

        step[op->out].num = in.num / gg;
        step[op->out].den = in.den / gg;
      }
      reach[op->out] = at;
      if (at > SVD_GRAPH_MAX_SIDE)
        return FALSE;
    }
  r = reach[self->output];
  /* The output must be at the input's scale times a whole factor. */
  if (step[self->output].num != 1)
    return FALSE;
  if (radius != NULL)
    *radius = (int) ceil (r - 1e-9);
  if (align != NULL)
    *align = (int) a;
  return TRUE;
}

char *
svd_graph_describe_ops (const SvdGraph *self)
{
  GString *s = g_string_new (NULL);
  int counts[SVD_GRAPH_OP_RESIZE + 1] = { 0 }, acts[SVD_GRAPH_ACT_CLAMP + 1] = { 0 };
  int bins[SVD_GRAPH_BIN_MUL + 1] = { 0 };
  g_autoptr(GHashTable) kernels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) knames = g_ptr_array_new ();
  static const char *bin_names[] = { "Add", "Sub", "Mul" };

  for (guint i = 0; i < self->ops->len; i++)
    {
      const SvdGraphOp *op = svd_graph_op (self, (int) i);

      counts[op->type]++;
      if ((op->type == SVD_GRAPH_OP_CONV || op->type == SVD_GRAPH_OP_ACT) && op->act != SVD_GRAPH_ACT_NONE)
        acts[op->act]++;
      if (op->type == SVD_GRAPH_OP_BINARY)
        bins[op->binop]++;
      if (op->type == SVD_GRAPH_OP_CONV)
        {
          char *k = g_strdup_printf ("%dx%d", op->kh, op->kw);
          gpointer old = g_hash_table_lookup (kernels, k);

          if (old == NULL)
            g_ptr_array_add (knames, k);
          g_hash_table_insert (kernels, k, GINT_TO_POINTER (GPOINTER_TO_INT (old) + 1));
        }
    }
  for (int t = 0; t <= SVD_GRAPH_OP_RESIZE; t++)
    {
      if (counts[t] == 0 || t == SVD_GRAPH_OP_ACT || t == SVD_GRAPH_OP_BINARY)
        continue;
      if (s->len)
        g_string_append (s, ", ");
      g_string_append_printf (s, "%s %d", svd_graph_op_type_name (t), counts[t]);
      if (t == SVD_GRAPH_OP_CONV)
        {
          g_string_append (s, " (");
          for (guint k = 0; k < knames->len; k++)
            g_string_append_printf (s, "%s%s %d", k ? ", " : "", (char *) knames->pdata[k],
                                    GPOINTER_TO_INT (g_hash_table_lookup (kernels, knames->pdata[k])));
          g_string_append (s, ")");
        }
    }
  for (int a = 1; a <= SVD_GRAPH_ACT_CLAMP; a++)
    if (acts[a])
      g_string_append_printf (s, ", %s %d", svd_graph_act_name (a), acts[a]);
  for (int b = 0; b <= SVD_GRAPH_BIN_MUL; b++)
    if (bins[b])
      g_string_append_printf (s, ", %s %d", bin_names[b], bins[b]);
  return g_string_free (s, FALSE);
}
