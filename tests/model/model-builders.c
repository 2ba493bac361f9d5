/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-model-builders"

#include "model-builders.h"
#include "model/svd-model-private.h"
#include "model/onnx.pb-c.h"

#include <string.h>
#include <zlib.h>

SvdModel *
mb_random_model (int     in_ch,
                 int     nf,
                 int     num_conv,
                 int     scale,
                 guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  SvdModel *m = svd_model_new (in_ch, in_ch, nf, num_conv, scale, NULL);

  g_assert_nonnull (m);
  for (int l = 0; l < m->n_layers; l++)
    {
      SvdConvLayer *c = &m->layers[l];

      for (int k = 0; k < c->out_ch * c->in_ch * 9; k++)
        c->weight[k] = (float) g_rand_double_range (rand, -0.5, 0.5);
      for (int k = 0; k < c->out_ch; k++)
        {
          c->bias[k] = (float) g_rand_double_range (rand, -0.1, 0.1);
          if (c->slope)
            c->slope[k] = (float) g_rand_double_range (rand, 0.0, 0.3);
        }
    }
  return m;
}

/* ---- The state dict as (name, shape, data) ------------------------------ */

typedef struct {
  char   *name;
  int     ndim;
  gint64  shape[4];
  float  *data;   /* borrowed from the model */
  gsize   n;
} Entry;

static GArray *
entries_of (const SvdModel *m)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Entry));

  for (int l = 0; l < m->n_layers; l++)
    {
      const SvdConvLayer *c = &m->layers[l];
      Entry w = { g_strdup_printf ("body.%d.weight", 2 * l), 4, { c->out_ch, c->in_ch, 3, 3 }, c->weight,
                  (gsize) c->out_ch * c->in_ch * 9 };
      Entry b = { g_strdup_printf ("body.%d.bias", 2 * l), 1, { c->out_ch }, c->bias, (gsize) c->out_ch };

      g_array_append_val (a, w);
      g_array_append_val (a, b);
      /* ReLU nets store no activation weights. */
      if (c->slope && m->activation == SVD_ACTIVATION_PRELU)
        {
          Entry s = { g_strdup_printf ("body.%d.weight", 2 * l + 1), 1, { c->out_ch }, c->slope, (gsize) c->out_ch };

          g_array_append_val (a, s);
        }
    }
  return a;
}

static void
entries_free (GArray *a)
{
  for (guint i = 0; i < a->len; i++)
    g_free (g_array_index (a, Entry, i).name);
  g_array_unref (a);
}

static void
append_le (GByteArray          *out,
           const float         *v,
           gsize                n,
           SvdStoragePrecision  p)
{
  for (gsize i = 0; i < n; i++)
    {
      guint8 b[4];
      guint32 u;

      if (p == SVD_STORAGE_FP32)
        {
          memcpy (&u, &v[i], 4);
          b[0] = u; b[1] = u >> 8; b[2] = u >> 16; b[3] = u >> 24;
          g_byte_array_append (out, b, 4);
        }
      else
        {
          guint16 h = p == SVD_STORAGE_FP16 ? svd_float_to_half (v[i]) : svd_float_to_bf16 (v[i]);

          b[0] = h; b[1] = h >> 8;
          g_byte_array_append (out, b, 2);
        }
    }
}

GBytes *
mb_safetensors (const SvdModel      *m,
                SvdStoragePrecision  precision,
                const char          *shape_override_key,
                const char          *metadata_json)
{
  GArray *e = entries_of (m);
  GString *h = g_string_new ("{");
  g_autoptr(GByteArray) data = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  const char *dt = precision == SVD_STORAGE_FP32 ? "F32" : precision == SVD_STORAGE_FP16 ? "F16" : "BF16";
  guint64 hl;
  guint8 lb[8];

  if (metadata_json)
    g_string_append_printf (h, "\"__metadata__\":%s,", metadata_json);
  for (guint i = 0; i < e->len; i++)
    {
      Entry *x = &g_array_index (e, Entry, i);
      gsize begin = data->len;

      append_le (data, x->data, x->n, precision);
      g_string_append_printf (h, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", i ? "," : "", x->name, dt);
      for (int d = 0; d < x->ndim; d++)
        {
          gint64 v = x->shape[d];

          /* A shape that disagrees but keeps the byte count. */
          if (shape_override_key && strcmp (shape_override_key, x->name) == 0 && d == 1)
            v = x->shape[1] * x->shape[2];
          if (shape_override_key && strcmp (shape_override_key, x->name) == 0 && d >= 2)
            v = d == 2 ? 1 : 3;
          g_string_append_printf (h, "%s%" G_GINT64_FORMAT, d ? "," : "", v);
        }
      g_string_append_printf (h, "],\"data_offsets\":[%" G_GSIZE_FORMAT ",%u]}", begin, data->len);
    }
  g_string_append_c (h, '}');
  hl = h->len;
  for (int i = 0; i < 8; i++)
    lb[i] = (guint8) (hl >> (8 * i));
  g_byte_array_append (out, lb, 8);
  g_byte_array_append (out, (guint8 *) h->str, h->len);
  g_byte_array_append (out, data->data, data->len);
  g_string_free (h, TRUE);
  entries_free (e);
  return g_byte_array_free_to_bytes (out);
}

/* ---- Pickles ------------------------------------------------------------ */

static void
pk_op (GByteArray *p,
       guint8      op)
{
  g_byte_array_append (p, &op, 1);
}

static void
pk_str (GByteArray *p,
        const char *s)
{
  guint32 n = strlen (s);
  guint8 b[4] = { n, n >> 8, n >> 16, n >> 24 };

  pk_op (p, 'X');
  g_byte_array_append (p, b, 4);
  g_byte_array_append (p, (const guint8 *) s, n);
}

static void
pk_int (GByteArray *p,
        gint64      v)
{
  guint32 u = (guint32) v;
  guint8 b[4] = { u, u >> 8, u >> 16, u >> 24 };

  pk_op (p, 'J');
  g_byte_array_append (p, b, 4);
}

static void
pk_global (GByteArray *p,
           const char *module,
           const char *name)
{
  pk_op (p, 'c');
  g_byte_array_append (p, (const guint8 *) module, strlen (module));
  pk_op (p, '\n');
  g_byte_array_append (p, (const guint8 *) name, strlen (name));
  pk_op (p, '\n');
}

/* Emits the OrderedDict of tensors; storage i holds entry i. */
static void
pk_state_dict (GByteArray *p,
               GArray     *e,
               const char *wrapper)
{
  pk_op (p, 0x80);
  pk_op (p, 2);
  if (wrapper)
    {
      pk_op (p, '}');
      pk_str (p, wrapper);
    }
  pk_global (p, "collections", "OrderedDict");
  pk_op (p, ')');
  pk_op (p, 'R');
  pk_op (p, '(');
  for (guint i = 0; i < e->len; i++)
    {
      Entry *x = &g_array_index (e, Entry, i);
      g_autofree char *key = g_strdup_printf ("%u", i);
      gint64 stride = 1;
      gint64 strides[4];

      for (int d = x->ndim - 1; d >= 0; d--)
        {
          strides[d] = stride;
          stride *= x->shape[d];
        }
      pk_str (p, x->name);
      pk_global (p, "torch._utils", "_rebuild_tensor_v2");
      pk_op (p, '(');
      pk_op (p, '(');
      pk_str (p, "storage");
      pk_global (p, "torch", "FloatStorage");
      pk_str (p, key);
      pk_str (p, "cpu");
      pk_int (p, (gint64) x->n);
      pk_op (p, 't');
      pk_op (p, 'Q');
      pk_int (p, 0);
      pk_op (p, '(');
      for (int d = 0; d < x->ndim; d++)
        pk_int (p, x->shape[d]);
      pk_op (p, 't');
      pk_op (p, '(');
      for (int d = 0; d < x->ndim; d++)
        pk_int (p, strides[d]);
      pk_op (p, 't');
      pk_op (p, 0x89);
      pk_global (p, "collections", "OrderedDict");
      pk_op (p, ')');
      pk_op (p, 'R');
      pk_op (p, 't');
      pk_op (p, 'R');
    }
  pk_op (p, 'u');
  if (wrapper)
    pk_op (p, 's');
  pk_op (p, '.');
}

/* ---- Zip ------------------------------------------------------------------ */

typedef struct {
  char   *name;
  GBytes *data;
} ZipItem;

static void
put16 (GByteArray *o, guint16 v)
{
  guint8 b[2] = { v, v >> 8 };
  g_byte_array_append (o, b, 2);
}

static void
put32 (GByteArray *o, guint32 v)
{
  guint8 b[4] = { v, v >> 8, v >> 16, v >> 24 };
  g_byte_array_append (o, b, 4);
}

static GBytes *
zip_write (ZipItem *items,
           guint    n)
{
  GByteArray *o = g_byte_array_new ();
  g_autoptr(GByteArray) cd = g_byte_array_new ();
  guint32 cd_start;

  for (guint i = 0; i < n; i++)
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (items[i].data, &len);
      guint32 crc = crc32 (0, d, len);
      guint32 off = o->len;
      guint16 nl = strlen (items[i].name);

      put32 (o, 0x04034b50); put16 (o, 20); put16 (o, 0); put16 (o, 0); put16 (o, 0); put16 (o, 0);
      put32 (o, crc); put32 (o, len); put32 (o, len); put16 (o, nl); put16 (o, 0);
      g_byte_array_append (o, (const guint8 *) items[i].name, nl);
      g_byte_array_append (o, d, len);

      put32 (cd, 0x02014b50); put16 (cd, 20); put16 (cd, 20); put16 (cd, 0); put16 (cd, 0);
      put16 (cd, 0); put16 (cd, 0); put32 (cd, crc); put32 (cd, len); put32 (cd, len);
      put16 (cd, nl); put16 (cd, 0); put16 (cd, 0); put16 (cd, 0); put16 (cd, 0); put32 (cd, 0);
      put32 (cd, off);
      g_byte_array_append (cd, (const guint8 *) items[i].name, nl);
    }
  cd_start = o->len;
  g_byte_array_append (o, cd->data, cd->len);
  put32 (o, 0x06054b50); put16 (o, 0); put16 (o, 0); put16 (o, n); put16 (o, n);
  put32 (o, cd->len); put32 (o, cd_start); put16 (o, 0);
  return g_byte_array_free_to_bytes (o);
}

GBytes *
mb_zip_with_pickle (const guint8 *pkl,
                    gsize         len)
{
  ZipItem item = { (char *) "archive/data.pkl", g_bytes_new (pkl, len) };
  GBytes *z = zip_write (&item, 1);

  g_bytes_unref (item.data);
  return z;
}

GBytes *
mb_pth_zip (const SvdModel *m,
            const char     *wrapper)
{
  GArray *e = entries_of (m);
  g_autoptr(GByteArray) pkl = g_byte_array_new ();
  ZipItem *items = g_new0 (ZipItem, e->len + 2);
  GBytes *z;

  pk_state_dict (pkl, e, wrapper);
  items[0].name = g_strdup ("tiny/data.pkl");
  items[0].data = g_bytes_new (pkl->data, pkl->len);
  items[1].name = g_strdup ("tiny/byteorder");
  items[1].data = g_bytes_new ("little", 6);
  for (guint i = 0; i < e->len; i++)
    {
      GByteArray *d = g_byte_array_new ();
      Entry *x = &g_array_index (e, Entry, i);

      append_le (d, x->data, x->n, SVD_STORAGE_FP32);
      items[i + 2].name = g_strdup_printf ("tiny/data/%u", i);
      items[i + 2].data = g_byte_array_free_to_bytes (d);
    }
  z = zip_write (items, e->len + 2);
  for (guint i = 0; i < e->len + 2; i++)
    {
      g_free (items[i].name);
      g_bytes_unref (items[i].data);
    }
  g_free (items);
  entries_free (e);
  return z;
}

GBytes *
mb_pth_zip_strided (gint64 offset)
{
  g_autoptr(GByteArray) p = g_byte_array_new ();
  g_autoptr(GByteArray) d = g_byte_array_new ();
  float v[8];
  ZipItem items[2];
  GBytes *z;

  for (int i = 0; i < 8; i++)
    v[i] = (float) i;
  append_le (d, v, 8, SVD_STORAGE_FP32);
  pk_op (p, 0x80); pk_op (p, 2);
  pk_global (p, "collections", "OrderedDict"); pk_op (p, ')'); pk_op (p, 'R');
  pk_str (p, "w");
  pk_global (p, "torch._utils", "_rebuild_tensor_v2");
  pk_op (p, '(');
  pk_op (p, '('); pk_str (p, "storage"); pk_global (p, "torch", "FloatStorage"); pk_str (p, "0");
  pk_str (p, "cpu"); pk_int (p, 8); pk_op (p, 't'); pk_op (p, 'Q');
  pk_int (p, offset);
  pk_op (p, '('); pk_int (p, 2); pk_int (p, 3); pk_op (p, 't');
  pk_op (p, '('); pk_int (p, 1); pk_int (p, 2); pk_op (p, 't');
  pk_op (p, 0x89);
  pk_global (p, "collections", "OrderedDict"); pk_op (p, ')'); pk_op (p, 'R');
  pk_op (p, 't'); pk_op (p, 'R');
  pk_op (p, 's'); pk_op (p, '.');
  items[0].name = (char *) "strided/data.pkl";
  items[0].data = g_bytes_new (p->data, p->len);
  items[1].name = (char *) "strided/data/0";
  items[1].data = g_bytes_new (d->data, d->len);
  z = zip_write (items, 2);
  g_bytes_unref (items[0].data);
  g_bytes_unref (items[1].data);
  return z;
}

GBytes *
mb_pth_legacy (const SvdModel *m)
{
  GArray *e = entries_of (m);
  GByteArray *o = g_byte_array_new ();
  static const guint8 magic[] = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a,
                                  0xa8, 0x50, 0x19, 0x2e };

  g_byte_array_append (o, magic, sizeof magic);
  pk_op (o, 0x80); pk_op (o, 2); pk_op (o, 'M'); put16 (o, 1001); pk_op (o, '.');
  pk_op (o, 0x80); pk_op (o, 2); pk_op (o, '}'); pk_str (o, "little_endian"); pk_op (o, 0x88);
  pk_op (o, 's'); pk_op (o, '.');
  pk_state_dict (o, e, NULL);
  pk_op (o, 0x80); pk_op (o, 2); pk_op (o, ']'); pk_op (o, '(');
  for (guint i = 0; i < e->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("%u", i);

      pk_str (o, key);
    }
  pk_op (o, 'e'); pk_op (o, '.');
  for (guint i = 0; i < e->len; i++)
    {
      Entry *x = &g_array_index (e, Entry, i);

      put32 (o, (guint32) x->n);
      put32 (o, 0);
      append_le (o, x->data, x->n, SVD_STORAGE_FP32);
    }
  entries_free (e);
  return g_byte_array_free_to_bytes (o);
}

GBytes *
mb_pickle_calling (const char *module,
                   const char *name,
                   gboolean    stack_global,
                   gboolean    legacy)
{
  g_autoptr(GByteArray) p = g_byte_array_new ();

  if (legacy)
    {
      static const guint8 magic[] = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a,
                                      0xa8, 0x50, 0x19, 0x2e };

      g_byte_array_append (p, magic, sizeof magic);
      pk_op (p, 0x80); pk_op (p, 2); pk_op (p, 'M'); put16 (p, 1001); pk_op (p, '.');
      pk_op (p, 0x80); pk_op (p, 2); pk_op (p, '}'); pk_str (p, "little_endian"); pk_op (p, 0x88);
      pk_op (p, 's'); pk_op (p, '.');
    }
  pk_op (p, 0x80);
  pk_op (p, stack_global ? 4 : 2);
  if (stack_global)
    {
      pk_str (p, module);
      pk_str (p, name);
      pk_op (p, 0x93);
    }
  else
    pk_global (p, module, name);
  pk_str (p, "echo pwned > /tmp/svd-pwned");
  pk_op (p, 0x85);
  pk_op (p, 'R');
  pk_op (p, '.');
  if (legacy)
    return g_bytes_new (p->data, p->len);
  return mb_zip_with_pickle (p->data, p->len);
}

/* ---- ONNX ----------------------------------------------------------------- */

typedef struct {
  GPtrArray *frees;  /* everything g_malloc'ed for the proto */
} Arena;

static gpointer
ar (Arena   *a,
    gpointer p)
{
  g_ptr_array_add (a->frees, p);
  return p;
}

static char *
ar_str (Arena      *a,
        const char *s)
{
  return ar (a, g_strdup (s));
}

static Onnx__TensorProto *
float_tensor (Arena        *a,
              const char   *name,
              int           ndim,
              const gint64 *dims,
              const float  *v,
              gsize         n,
              const MbOnnxOptions *o)
{
  Onnx__TensorProto *t = ar (a, g_new0 (Onnx__TensorProto, 1));

  onnx__tensor_proto__init (t);
  t->name = ar_str (a, name);
  t->n_dims = ndim;
  t->dims = ar (a, g_new (int64_t, MAX (ndim, 1)));
  for (int i = 0; i < ndim; i++)
    t->dims[i] = dims[i];
  t->has_data_type = TRUE;
  if (o->fp16)
    {
      t->data_type = 10;
      t->n_int32_data = n;
      t->int32_data = ar (a, g_new (int32_t, MAX (n, 1)));
      for (gsize i = 0; i < n; i++)
        t->int32_data[i] = svd_float_to_half (v[i]);
    }
  else if (o->float_data)
    {
      t->data_type = 1;
      t->n_float_data = n;
      t->float_data = ar (a, g_memdup2 (v, MAX (n, 1) * sizeof (float)));
    }
  else if (o->external)
    {
      Onnx__StringStringEntryProto *loc = ar (a, g_new0 (Onnx__StringStringEntryProto, 1));

      onnx__string_string_entry_proto__init (loc);
      loc->key = ar_str (a, "location");
      loc->value = ar_str (a, "weights.bin");
      t->data_type = 1;
      t->has_data_location = TRUE;
      t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
      t->n_external_data = 1;
      t->external_data = ar (a, g_new (Onnx__StringStringEntryProto *, 1));
      t->external_data[0] = loc;
    }
  else
    {
      t->data_type = 1;
      t->has_raw_data = TRUE;
      t->raw_data.len = n * 4;
      t->raw_data.data = ar (a, g_memdup2 (v, MAX (n, 1) * 4));
    }
  return t;
}

static Onnx__TensorProto *
int_tensor (Arena        *a,
            const char   *name,
            const gint64 *v,
            gsize         n)
{
  Onnx__TensorProto *t = ar (a, g_new0 (Onnx__TensorProto, 1));

  onnx__tensor_proto__init (t);
  t->name = ar_str (a, name);
  t->n_dims = 1;
  t->dims = ar (a, g_new (int64_t, 1));
  t->dims[0] = n;
  t->has_data_type = TRUE;
  t->data_type = 7;
  t->n_int64_data = n;
  t->int64_data = ar (a, g_memdup2 (v, MAX (n, 1) * 8));
  return t;
}

typedef struct {
  Arena     *a;
  GPtrArray *nodes;
  GPtrArray *inits;
} G;

static Onnx__AttributeProto *
attr_i (Arena *a, const char *name, gint64 v)
{
  Onnx__AttributeProto *at = ar (a, g_new0 (Onnx__AttributeProto, 1));

  onnx__attribute_proto__init (at);
  at->name = ar_str (a, name);
  at->has_type = TRUE;
  at->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  at->has_i = TRUE;
  at->i = v;
  return at;
}

static Onnx__AttributeProto *
attr_is (Arena *a, const char *name, const gint64 *v, gsize n)
{
  Onnx__AttributeProto *at = ar (a, g_new0 (Onnx__AttributeProto, 1));

  onnx__attribute_proto__init (at);
  at->name = ar_str (a, name);
  at->has_type = TRUE;
  at->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  at->n_ints = n;
  at->ints = ar (a, g_memdup2 (v, n * 8));
  return at;
}

static Onnx__AttributeProto *
attr_s (Arena *a, const char *name, const char *v)
{
  Onnx__AttributeProto *at = ar (a, g_new0 (Onnx__AttributeProto, 1));

  onnx__attribute_proto__init (at);
  at->name = ar_str (a, name);
  at->has_type = TRUE;
  at->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
  at->has_s = TRUE;
  at->s.len = strlen (v);
  at->s.data = (guint8 *) ar_str (a, v);
  return at;
}

static Onnx__AttributeProto *
attr_t (Arena *a, const char *name, Onnx__TensorProto *t)
{
  Onnx__AttributeProto *at = ar (a, g_new0 (Onnx__AttributeProto, 1));

  onnx__attribute_proto__init (at);
  at->name = ar_str (a, name);
  at->has_type = TRUE;
  at->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
  at->t = t;
  return at;
}

/* Adds a node; inputs and attributes are NULL-terminated lists. */
static Onnx__NodeProto *
node (G          *g,
      const char *op,
      const char *name,
      const char *out,
      const char *const *ins,
      Onnx__AttributeProto **attrs)
{
  Onnx__NodeProto *n = ar (g->a, g_new0 (Onnx__NodeProto, 1));
  gsize ni = 0, na = 0;

  onnx__node_proto__init (n);
  n->op_type = ar_str (g->a, op);
  n->name = ar_str (g->a, name);
  while (ins && ins[ni])
    ni++;
  n->n_input = ni;
  n->input = ar (g->a, g_new0 (char *, MAX (ni, 1)));
  for (gsize i = 0; i < ni; i++)
    n->input[i] = ar_str (g->a, ins[i]);
  n->n_output = 1;
  n->output = ar (g->a, g_new0 (char *, 1));
  n->output[0] = ar_str (g->a, out);
  while (attrs && attrs[na])
    na++;
  n->n_attribute = na;
  n->attribute = ar (g->a, g_new0 (Onnx__AttributeProto *, MAX (na, 1)));
  for (gsize i = 0; i < na; i++)
    n->attribute[i] = attrs[i];
  g_ptr_array_add (g->nodes, n);
  return n;
}

static Onnx__ValueInfoProto *
value_info (Arena *a, const char *name, int elem, const gint64 *shape)
{
  Onnx__ValueInfoProto *v = ar (a, g_new0 (Onnx__ValueInfoProto, 1));
  Onnx__TypeProto *tp = ar (a, g_new0 (Onnx__TypeProto, 1));
  Onnx__TypeProto__Tensor *tt = ar (a, g_new0 (Onnx__TypeProto__Tensor, 1));

  onnx__value_info_proto__init (v);
  onnx__type_proto__init (tp);
  onnx__type_proto__tensor__init (tt);
  tt->has_elem_type = TRUE;
  tt->elem_type = elem;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  tp->tensor_type = tt;
  if (shape != NULL)
    {
      Onnx__TensorShapeProto *sh = ar (a, g_new0 (Onnx__TensorShapeProto, 1));

      onnx__tensor_shape_proto__init (sh);
      sh->n_dim = 4;
      sh->dim = ar (a, g_new0 (Onnx__TensorShapeProto__Dimension *, 4));
      for (int i = 0; i < 4; i++)
        {
          Onnx__TensorShapeProto__Dimension *d = ar (a, g_new0 (Onnx__TensorShapeProto__Dimension, 1));

          onnx__tensor_shape_proto__dimension__init (d);
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          d->dim_value = shape[i];
          sh->dim[i] = d;
        }
      tt->shape = sh;
    }
  v->name = ar_str (a, name);
  v->type = tp;
  return v;
}

/* A constant expression the folder must evaluate: one float tiled by
 * Concat (×64, ×64, ×64, ×32 for @log2 23) into 2^@log2 values (64 MiB as
 * doubles), then Add(prev, tile) @adds times, each a new value of that
 * size. Returns the last value's name (owned by the arena). */
static const char *
fold_bomb (G   *g,
           int  adds,
           int  log2)
{
  static const float one = 1;
  static const MbOnnxOptions f32 = { 0 };
  gint64 d1[1] = { 1 };
  const char *prev = "bomb.seed";

  g_ptr_array_add (g->inits, float_tensor (g->a, prev, 1, d1, &one, 1, &f32));
  for (guint k = 0; log2 > 0; k++)
    {
      int fan = 1 << MIN (log2, 6);
      const char **ins = g_new0 (const char *, fan + 1);
      g_autofree char *name = g_strdup_printf ("/bomb/Concat_%u", k);

      log2 -= MIN (log2, 6);
      for (int i = 0; i < fan; i++)
        ins[i] = prev;
      node (g, "Concat", name, name, ins, (Onnx__AttributeProto *[]) { attr_i (g->a, "axis", 0), NULL });
      g_free (ins);
      prev = ar_str (g->a, name);
    }
  {
    const char *tile = prev;

    for (int k = 0; k < adds; k++)
      {
        g_autofree char *name = g_strdup_printf ("/bomb/Add_%d", k);

        node (g, "Add", name, name, (const char *[]) { prev, tile, NULL }, NULL);
        prev = ar_str (g->a, name);
      }
  }
  return prev;
}

/* Nested messages written by hand, outside in, in one pass: level i is
 * prefix[i] (its other fields), then the key of the field holding level
 * i + 1 and that level's length. The lengths are summed inside out first,
 * so that no buffer is copied once per level. */
typedef struct {
  GByteArray *prefix;
  guint8      key;
} Level;

static void
put_varint (GByteArray *b,
            guint64     v)
{
  do
    {
      guint8 c = (v & 0x7f) | (v >= 0x80 ? 0x80 : 0);

      g_byte_array_append (b, &c, 1);
      v >>= 7;
    }
  while (v != 0);
}

static gsize
varint_len (guint64 v)
{
  gsize n = 1;

  while (v >= 0x80)
    {
      v >>= 7;
      n++;
    }
  return n;
}

static GBytes *
write_levels (GArray       *levels,
              const guint8 *inner,
              gsize         inner_len)
{
  gsize *len = g_new (gsize, levels->len + 1);
  GByteArray *out = g_byte_array_new ();

  len[levels->len] = inner_len;
  for (guint i = levels->len; i-- > 0;)
    {
      Level *l = &g_array_index (levels, Level, i);

      len[i] = l->prefix->len + 1 + varint_len (len[i + 1]) + len[i + 1];
    }
  for (guint i = 0; i < levels->len; i++)
    {
      Level *l = &g_array_index (levels, Level, i);

      g_byte_array_append (out, l->prefix->data, l->prefix->len);
      g_byte_array_append (out, &l->key, 1);
      put_varint (out, len[i + 1]);
    }
  g_byte_array_append (out, inner, inner_len);
  g_assert_cmpuint (out->len, ==, len[0]);
  g_free (len);
  for (guint i = 0; i < levels->len; i++)
    g_byte_array_unref (g_array_index (levels, Level, i).prefix);
  g_array_unref (levels);
  return g_byte_array_free_to_bytes (out);
}

static void
add_level (GArray       *levels,
           const guint8 *prefix,
           gsize         prefix_len,
           guint8        key)
{
  Level l = { g_byte_array_new (), key };

  g_byte_array_append (l.prefix, prefix, prefix_len);
  g_array_append_val (levels, l);
}

/* ModelProto { ir_version 7, opset_import { version 17 }, graph … }: the
 * first level of both nested files. */
static void
add_model_level (GArray *levels)
{
  static const guint8 model[] = { 0x08, 0x07, 0x42, 0x02, 0x10, 0x11 };

  add_level (levels, model, sizeof model, 0x3a);  /* graph = 7 */
}

GBytes *
mb_onnx_nested_types (int levels)
{
  GArray *l = g_array_new (FALSE, FALSE, sizeof (Level));
  static const guint8 graph_name[] = { 0x12, 0x01, 'g' };     /* GraphProto.name */
  static const guint8 vi_name[] = { 0x0a, 0x01, 'x' };        /* ValueInfoProto.name */
  static const guint8 tensor[] = { 0x0a, 0x02, 0x08, 0x01 };  /* tensor_type { elem_type 1 } */

  add_model_level (l);
  add_level (l, graph_name, sizeof graph_name, 0x5a);  /* input = 11 */
  add_level (l, vi_name, sizeof vi_name, 0x12);        /* type = 2 */
  for (int i = 0; i < levels; i++)
    {
      add_level (l, NULL, 0, 0x22);  /* TypeProto.sequence_type = 4 */
      add_level (l, NULL, 0, 0x0a);  /* Sequence.elem_type = 1 */
    }
  return write_levels (l, tensor, sizeof tensor);
}

GBytes *
mb_onnx_nested_graphs (int levels)
{
  GArray *l = g_array_new (FALSE, FALSE, sizeof (Level));
  static const guint8 op_if[] = { 0x22, 0x02, 'I', 'f' };  /* NodeProto.op_type */
  /* AttributeProto { name "then_branch", type GRAPH (20: 5) } */
  static const guint8 then_branch[] = { 0x0a, 0x0b, 't', 'h', 'e', 'n', '_', 'b', 'r', 'a', 'n', 'c', 'h',
                                        0xa0, 0x01, 0x05 };

  add_model_level (l);
  for (int i = 0; i < levels; i++)
    {
      add_level (l, NULL, 0, 0x0a);                                /* GraphProto.node = 1 */
      add_level (l, op_if, sizeof op_if, 0x2a);                    /* NodeProto.attribute = 5 */
      add_level (l, then_branch, sizeof then_branch, 0x32);        /* AttributeProto.g = 6 */
    }
  return write_levels (l, NULL, 0);
}

GBytes *
mb_onnx_empty_nodes (int n)
{
  GArray *l = g_array_new (FALSE, FALSE, sizeof (Level));
  g_autoptr(GByteArray) nodes = g_byte_array_new ();
  static const guint8 empty_node[] = { 0x0a, 0x00 };  /* GraphProto.node {} */

  for (int i = 0; i < n; i++)
    g_byte_array_append (nodes, empty_node, sizeof empty_node);
  /* The graph's nodes are its whole payload: the model level's key is the
   * graph's, and the payload follows. */
  add_model_level (l);
  return write_levels (l, nodes->data, nodes->len);
}

GBytes *
mb_onnx (const SvdModel      *m,
         const MbOnnxOptions *o)
{
  Arena a = { g_ptr_array_new_with_free_func (g_free) };
  G g = { &a, g_ptr_array_new (), g_ptr_array_new () };
  Onnx__ModelProto model;
  Onnx__GraphProto graph;
  Onnx__OperatorSetIdProto opset, *opsets[1];
  Onnx__ValueInfoProto *in, *out;
  const char *x = "input";
  g_autofree char *prev = g_strdup (x);
  int s = m->scale, C = m->out_ch;
  guint8 *buf;
  gsize len;
  static const gint64 pads[] = { 1, 1, 1, 1 }, k33[] = { 3, 3 }, ones[] = { 1, 1 };

  for (int l = 0; l < m->n_layers; l++)
    {
      const SvdConvLayer *c = &m->layers[l];
      g_autofree char *wn = g_strdup_printf ("body.%d.weight", 2 * l);
      g_autofree char *bn = g_strdup_printf ("body.%d.bias", 2 * l);
      g_autofree char *cn = g_strdup_printf ("/body.%d/Conv", 2 * l);
      g_autofree char *co = g_strdup_printf ("/body.%d/Conv_output_0", 2 * l);
      gint64 wd[4] = { c->out_ch, c->in_ch, 3, 3 }, bd[1] = { c->out_ch };
      gboolean last = l == m->n_layers - 1;
      g_autofree float *w = g_memdup2 (c->weight, sizeof (float) * c->out_ch * c->in_ch * 9);
      g_autofree float *b = g_memdup2 (c->bias, sizeof (float) * c->out_ch);
      const char *in_name = prev;

      if (last && o->shuffle != MB_SHUFFLE_CRD)
        {
          /* Store the last conv in DCR order: DCR channel (i·s + j)·C + c
           * holds PixelShuffle channel c·s² + i·s + j. */
          gsize per = (gsize) c->in_ch * 9;

          for (int ch = 0; ch < C; ch++)
            for (int i = 0; i < s; i++)
              for (int j = 0; j < s; j++)
                {
                  int crd = ch * s * s + i * s + j, dcr = (i * s + j) * C + ch;

                  memcpy (w + dcr * per, c->weight + crd * per, per * sizeof (float));
                  b[dcr] = c->bias[crd];
                }
        }
      if (l == 1 && o->broken_edge)
        in_name = "/nowhere/Missing_output_0";
      g_ptr_array_add (g.inits, float_tensor (&a, wn, 4, wd, w, (gsize) c->out_ch * c->in_ch * 9, o));
      g_ptr_array_add (g.inits, float_tensor (&a, bn, 1, bd, b, c->out_ch, o));
      if (l == 0 && o->fold_bomb_adds > 0)
        {
          g_free (wn);
          wn = g_strdup (fold_bomb (&g, o->fold_bomb_adds, o->fold_bomb_log2 > 0 ? o->fold_bomb_log2 : 23));
        }
      node (&g, "Conv", cn, co, (const char *[]) { in_name, wn, bn, NULL },
            (Onnx__AttributeProto *[]) { attr_is (&a, "dilations", ones, 2), attr_i (&a, "group", 1),
                                         attr_is (&a, "kernel_shape", k33, 2), attr_is (&a, "pads", pads, 4),
                                         attr_is (&a, "strides", ones, 2), NULL });
      g_free (prev);
      prev = g_strdup (co);
      if (!last)
        {
          g_autofree char *sn = g_strdup_printf ("body.%d.weight", 2 * l + 1);
          g_autofree char *an = g_strdup_printf ("/body.%d/PRelu", 2 * l + 1);
          g_autofree char *ao = g_strdup_printf ("/body.%d/PRelu_output_0", 2 * l + 1);
          const char *op = l == 0 && o->replace_act_op ? o->replace_act_op : "PRelu";
          const char *slope = sn;

          if (o->slope_constant)
            {
              g_autofree char *cn2 = g_strdup_printf ("/body.%d/Constant", 2 * l + 1);
              g_autofree char *un = g_strdup_printf ("/body.%d/Unsqueeze", 2 * l + 1);
              g_autofree char *uo = g_strdup_printf ("/body.%d/Unsqueeze_output_0", 2 * l + 1);
              static const gint64 axes[] = { 1, 2 };

              g_ptr_array_add (g.inits, float_tensor (&a, sn, 1, bd, c->slope, c->out_ch, o));
              node (&g, "Constant", cn2, cn2, NULL,
                    (Onnx__AttributeProto *[]) { attr_t (&a, "value", int_tensor (&a, "", axes, 2)), NULL });
              node (&g, "Unsqueeze", un, uo, (const char *[]) { sn, cn2, NULL }, NULL);
              slope = ar_str (&a, uo);
            }
          else
            {
              gint64 sd[3] = { c->out_ch, 1, 1 };

              g_ptr_array_add (g.inits, float_tensor (&a, sn, 3, sd, c->slope, c->out_ch, o));
            }
          if (strcmp (op, "PRelu") == 0)
            node (&g, op, an, ao, (const char *[]) { prev, slope, NULL }, NULL);
          else
            node (&g, op, an, ao, (const char *[]) { prev, NULL }, NULL);
          g_free (prev);
          prev = g_strdup (ao);
        }
    }

  /* Pixel shuffle. */
  if (o->shuffle == MB_SHUFFLE_RESHAPE_DCR)
    {
      static const gint64 ax[] = { 2, 3 }, perm[] = { 0, 3, 4, 1, 5, 2 }, sq[] = { 3, 5 };
      gint64 r1[] = { 0, s, s, C, 0, 0 }, r2[] = { 0, 0, -1, 1, 0, 0 }, r3[] = { 0, 0, 0, 0, -1, 1 };

      node (&g, "Unsqueeze", "/Unsqueeze", "/Unsqueeze_output_0", (const char *[]) { prev, NULL },
            (Onnx__AttributeProto *[]) { attr_is (&a, "axes", ax, 2), NULL });
      g_ptr_array_add (g.inits, int_tensor (&a, "r1", r1, 6));
      g_ptr_array_add (g.inits, int_tensor (&a, "r2", r2, 6));
      g_ptr_array_add (g.inits, int_tensor (&a, "r3", r3, 6));
      node (&g, "Reshape", "/Reshape", "/Reshape_output_0", (const char *[]) { "/Unsqueeze_output_0", "r1", NULL }, NULL);
      node (&g, "Transpose", "/Transpose", "/Transpose_output_0", (const char *[]) { "/Reshape_output_0", NULL },
            (Onnx__AttributeProto *[]) { attr_is (&a, "perm", perm, 6), NULL });
      node (&g, "Reshape", "/Reshape_1", "/Reshape_1_output_0", (const char *[]) { "/Transpose_output_0", "r2", NULL }, NULL);
      node (&g, "Reshape", "/Reshape_2", "/Reshape_2_output_0", (const char *[]) { "/Reshape_1_output_0", "r3", NULL }, NULL);
      node (&g, "Squeeze", "/Squeeze", "/Squeeze_output_0", (const char *[]) { "/Reshape_2_output_0", NULL },
            (Onnx__AttributeProto *[]) { attr_is (&a, "axes", sq, 2), NULL });
      g_free (prev);
      prev = g_strdup ("/Squeeze_output_0");
    }
  else
    {
      node (&g, "DepthToSpace", "/upsampler/DepthToSpace", "/upsampler/DepthToSpace_output_0",
            (const char *[]) { prev, NULL },
            (Onnx__AttributeProto *[]) { attr_i (&a, "blocksize", s),
                                         attr_s (&a, "mode", o->shuffle == MB_SHUFFLE_DCR ? "DCR" : "CRD"), NULL });
      g_free (prev);
      prev = g_strdup ("/upsampler/DepthToSpace_output_0");
    }

  /* Nearest upsample of the input. */
  if (o->sizes_from_shape)
    {
      static const gint64 i01[] = { 0, 1 }, i23[] = { 2, 3 };
      gint64 sv[] = { s, s };

      g_ptr_array_add (g.inits, int_tensor (&a, "i01", i01, 2));
      g_ptr_array_add (g.inits, int_tensor (&a, "i23", i23, 2));
      g_ptr_array_add (g.inits, int_tensor (&a, "sv", sv, 2));
      node (&g, "Shape", "/Shape", "/Shape_output_0", (const char *[]) { x, NULL }, NULL);
      node (&g, "Gather", "/Gather", "/Gather_output_0", (const char *[]) { "/Shape_output_0", "i01", NULL }, NULL);
      node (&g, "Gather", "/Gather_1", "/Gather_1_output_0", (const char *[]) { "/Shape_output_0", "i23", NULL }, NULL);
      node (&g, "Mul", "/Mul", "/Mul_output_0", (const char *[]) { "/Gather_1_output_0", "sv", NULL }, NULL);
      node (&g, "Concat", "/Concat", "/Concat_output_0", (const char *[]) { "/Gather_output_0", "/Mul_output_0", NULL },
            (Onnx__AttributeProto *[]) { attr_i (&a, "axis", 0), NULL });
      node (&g, "Resize", "/Resize", "/Resize_output_0", (const char *[]) { x, "", "", "/Concat_output_0", NULL },
            (Onnx__AttributeProto *[]) { attr_s (&a, "mode", "nearest"),
                                         attr_s (&a, "coordinate_transformation_mode", "asymmetric"),
                                         attr_s (&a, "nearest_mode", "floor"), NULL });
    }
  else
    {
      float sc[4] = { 1, 1, s, s };
      gint64 d4[1] = { o->resize_axes ? 2 : 4 };
      MbOnnxOptions f32 = { 0 };
      static const gint64 hw[] = { -2, -1 };

      if (o->upsample && o->opset > 0 && o->opset < 9)
        {
          Onnx__AttributeProto *sa = attr_s (&a, "mode", "nearest");
          Onnx__AttributeProto *fa = ar (&a, g_new0 (Onnx__AttributeProto, 1));

          onnx__attribute_proto__init (fa);
          fa->name = ar_str (&a, "scales");
          fa->has_type = TRUE;
          fa->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
          fa->n_floats = 4;
          fa->floats = ar (&a, g_memdup2 (sc, sizeof sc));
          node (&g, "Upsample", "/Resize", "/Resize_output_0", (const char *[]) { x, NULL },
                (Onnx__AttributeProto *[]) { sa, fa, NULL });
          goto resized;
        }
      g_ptr_array_add (g.inits, float_tensor (&a, "scales", 1, d4, o->resize_axes ? sc + 2 : sc, d4[0], &f32));
      if (o->upsample)
        {
          node (&g, "Upsample", "/Resize", "/Resize_output_0", (const char *[]) { x, "scales", NULL },
                (Onnx__AttributeProto *[]) { attr_s (&a, "mode", "nearest"), NULL });
          goto resized;
        }
      /* Opset 18 style: scales for H and W only, named by "axes"; and
       * half_pixel + round_prefer_floor, which is also ⌊x / s⌋. */
      node (&g, "Resize", "/Resize", "/Resize_output_0", (const char *[]) { x, "", "scales", NULL },
            o->resize_axes ?
            (Onnx__AttributeProto *[]) { attr_s (&a, "mode", "nearest"), attr_is (&a, "axes", hw, 2), NULL } :
            (Onnx__AttributeProto *[]) { attr_s (&a, "mode", "nearest"),
                                         attr_s (&a, "coordinate_transformation_mode",
                                                 o->resize_ctm ? o->resize_ctm : "asymmetric"),
                                         attr_s (&a, "nearest_mode", o->resize_ctm ? "round_prefer_floor" : "floor"),
                                         NULL });
resized:
      ;
    }
  node (&g, "Add", "/Add", "output", (const char *[]) { prev, "/Resize_output_0", NULL }, NULL);

  onnx__graph_proto__init (&graph);
  graph.name = ar_str (&a, "tiny");
  graph.n_node = g.nodes->len;
  graph.node = (Onnx__NodeProto **) g.nodes->pdata;
  graph.n_initializer = g.inits->len;
  graph.initializer = (Onnx__TensorProto **) g.inits->pdata;
  {
    gint64 shape[4] = { 1, m->in_ch, o->input_h, o->input_w };

    in = value_info (&a, x, o->fp16 ? 10 : 1, o->input_h && o->input_w ? shape : NULL);
  }
  out = value_info (&a, "output", o->fp16 ? 10 : 1, NULL);
  graph.n_input = 1;
  graph.input = &in;
  graph.n_output = 1;
  graph.output = &out;

  onnx__operator_set_id_proto__init (&opset);
  opset.domain = ar_str (&a, "");
  opset.has_version = TRUE;
  opset.version = o->opset ? o->opset : o->resize_axes ? 18 : 13;
  opsets[0] = &opset;
  onnx__model_proto__init (&model);
  model.has_ir_version = TRUE;
  model.ir_version = 7;
  model.producer_name = ar_str (&a, "svd-tests");
  model.graph = &graph;
  model.n_opset_import = 1;
  model.opset_import = opsets;

  len = onnx__model_proto__get_packed_size (&model);
  buf = g_malloc (len);
  g_assert_cmpuint (onnx__model_proto__pack (&model, buf), ==, len);
  g_ptr_array_unref (g.nodes);
  g_ptr_array_unref (g.inits);
  g_ptr_array_unref (a.frees);
  return g_bytes_new_take (buf, len);
}

/* ---- General graphs (issue #27) -------------------------------------------- */

struct _MbGraph {
  Arena      a;
  G          g;
  GPtrArray *attrs;  /* per node: GPtrArray of Onnx__AttributeProto */
};

static Onnx__NodeProto *
self_last_node (MbGraph *self)
{
  return self->g.nodes->pdata[self->g.nodes->len - 1];
}

MbGraph *
mb_graph_new (void)
{
  MbGraph *self = g_new0 (MbGraph, 1);

  self->a.frees = g_ptr_array_new_with_free_func (g_free);
  self->g.a = &self->a;
  self->g.nodes = g_ptr_array_new ();
  self->g.inits = g_ptr_array_new ();
  self->attrs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  return self;
}

void
mb_graph_floats (MbGraph      *self,
                 const char   *name,
                 int           ndim,
                 const gint64 *dims,
                 const float  *v)
{
  MbOnnxOptions f32 = { 0 };
  gsize n = 1;

  for (int i = 0; i < ndim; i++)
    n *= (gsize) dims[i];
  g_ptr_array_add (self->g.inits, float_tensor (&self->a, name, ndim, dims, v, n, &f32));
}

void
mb_graph_halves (MbGraph      *self,
                 const char   *name,
                 int           ndim,
                 const gint64 *dims,
                 const float  *v)
{
  MbOnnxOptions f16 = { .fp16 = TRUE };
  gsize n = 1;

  for (int i = 0; i < ndim; i++)
    n *= (gsize) dims[i];
  g_ptr_array_add (self->g.inits, float_tensor (&self->a, name, ndim, dims, v, n, &f16));
}

void
mb_graph_ints (MbGraph      *self,
               const char   *name,
               const gint64 *v,
               gsize         n)
{
  g_ptr_array_add (self->g.inits, int_tensor (&self->a, name, v, n));
}

void
mb_graph_node (MbGraph            *self,
               const char         *op,
               const char         *name,
               const char         *out,
               const char *const  *ins)
{
  node (&self->g, op, name, out, ins, NULL);
  g_ptr_array_add (self->attrs, g_ptr_array_new ());
}

static void
graph_attr (MbGraph              *self,
            Onnx__AttributeProto *at)
{
  g_ptr_array_add (self->attrs->pdata[self->attrs->len - 1], at);
}

void
mb_graph_attr_int (MbGraph    *self,
                   const char *key,
                   gint64      v)
{
  graph_attr (self, attr_i (&self->a, key, v));
}

void
mb_graph_attr_ints (MbGraph      *self,
                    const char   *key,
                    const gint64 *v,
                    gsize         n)
{
  graph_attr (self, attr_is (&self->a, key, v, n));
}

void
mb_graph_attr_string (MbGraph    *self,
                      const char *key,
                      const char *v)
{
  graph_attr (self, attr_s (&self->a, key, v));
}

GBytes *
mb_graph_finish (MbGraph    *self,
                 const char *input,
                 const char *channels_param,
                 const char *output,
                 int         opset_version)
{
  Arena *a = &self->a;
  Onnx__GraphProto graph;
  Onnx__ModelProto model;
  Onnx__OperatorSetIdProto opset, *opsets[1];
  Onnx__ValueInfoProto *in, *out;
  gint64 shape[4] = { 1, 3, 0, 0 };
  guint8 *buf;
  gsize len;

  for (guint i = 0; i < self->g.nodes->len; i++)
    {
      Onnx__NodeProto *n = self->g.nodes->pdata[i];
      GPtrArray *at = self->attrs->pdata[i];

      n->n_attribute = at->len;
      n->attribute = ar (a, g_memdup2 (at->pdata, MAX (at->len, 1) * sizeof (gpointer)));
    }
  onnx__graph_proto__init (&graph);
  graph.name = ar_str (a, "graph");
  graph.n_node = self->g.nodes->len;
  graph.node = (Onnx__NodeProto **) self->g.nodes->pdata;
  graph.n_initializer = self->g.inits->len;
  graph.initializer = (Onnx__TensorProto **) self->g.inits->pdata;
  in = value_info (a, input, 1, shape);
  /* Height and width are dynamic (named); the channels too when asked. */
  for (int d = 0; d < 4; d++)
    {
      Onnx__TensorShapeProto__Dimension *dim = in->type->tensor_type->shape->dim[d];

      if (d >= 2 || (d == 1 && channels_param != NULL))
        {
          dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          dim->dim_param = ar_str (a, d == 1 ? channels_param : d == 2 ? "height" : "width");
        }
    }
  out = value_info (a, output, 1, NULL);
  graph.n_input = 1;
  graph.input = &in;
  graph.n_output = 1;
  graph.output = &out;
  onnx__operator_set_id_proto__init (&opset);
  opset.domain = ar_str (a, "");
  opset.has_version = TRUE;
  opset.version = opset_version;
  opsets[0] = &opset;
  onnx__model_proto__init (&model);
  model.has_ir_version = TRUE;
  model.ir_version = 8;
  model.producer_name = ar_str (a, "svd-tests");
  model.graph = &graph;
  model.n_opset_import = 1;
  model.opset_import = opsets;
  len = onnx__model_proto__get_packed_size (&model);
  buf = g_malloc (len);
  g_assert_cmpuint (onnx__model_proto__pack (&model, buf), ==, len);
  g_ptr_array_unref (self->g.nodes);
  g_ptr_array_unref (self->g.inits);
  g_ptr_array_unref (self->attrs);
  g_ptr_array_unref (a->frees);
  g_free (self);
  return g_bytes_new_take (buf, len);
}

GBytes *
mb_span_like_onnx (int     opset,
                   guint32 seed)
{
  MbGraph *g = mb_graph_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 w3_dims[4] = { 12, 3, 3, 3 }, w1_dims[4] = { 12, 3, 1, 1 }, b_dims[1] = { 12 };
  float w3[12 * 3 * 9], w1[12 * 3], b3[12], b1[12];
  gint64 zero = 0, two = 2, three = 3, four = 4, hw_axes[2] = { 2, 3 }, start0[2] = { 0, 0 };
  gint64 pads_head[6] = { 0, 0, 0, 0, 0, 0 }, pads3[4] = { 1, 1, 1, 1 }, k3[2] = { 3, 3 }, k1[2] = { 1, 1 };
  gboolean attr_axes = opset < 13;

  for (guint i = 0; i < G_N_ELEMENTS (w3); i++)
    w3[i] = (float) g_rand_double_range (rand, -0.3, 0.3);
  for (guint i = 0; i < G_N_ELEMENTS (w1); i++)
    w1[i] = (float) g_rand_double_range (rand, -1, 1);
  for (int i = 0; i < 12; i++)
    {
      b3[i] = (float) g_rand_double_range (rand, -0.1, 0.1);
      b1[i] = (float) g_rand_double_range (rand, -0.5, 0.5);
    }
  mb_graph_halves (g, "w3", 4, w3_dims, w3);
  mb_graph_halves (g, "b3", 1, b_dims, b3);
  mb_graph_halves (g, "w1", 4, w1_dims, w1);
  mb_graph_halves (g, "b1", 1, b_dims, b1);
  mb_graph_ints (g, "c0", &zero, 1);
  mb_graph_ints (g, "c2", &two, 1);
  mb_graph_ints (g, "c3", &three, 1);
  mb_graph_ints (g, "c4", &four, 1);
  mb_graph_ints (g, "pads_head", pads_head, 6);
  mb_graph_ints (g, "hw_axes", hw_axes, 2);
  mb_graph_ints (g, "start0", start0, 2);

  mb_graph_node (g, "Cast", "/cast_in", "xh", (const char *[]) { "x", NULL });
  mb_graph_attr_int (g, "to", 10);
  mb_graph_node (g, "Shape", "/shape", "shape", (const char *[]) { "x", NULL });
  /* Per side: pad = (2 - side % 2) % 2 through a Squeeze and Unsqueeze
   * (as PyTorch spells scalars), and the output's side, side × 2. */
  for (int d = 0; d < 2; d++)
    {
      const char *side = d == 0 ? "h" : "w";
      const char *from = d == 0 ? "c2" : "c3", *to = d == 0 ? "c3" : "c4";
      g_autofree char *sl = g_strdup_printf ("%s_side", side), *md = g_strdup_printf ("%s_mod", side);
      g_autofree char *sb = g_strdup_printf ("%s_sub", side), *pd = g_strdup_printf ("%s_pad1", side);
      g_autofree char *sq = g_strdup_printf ("%s_pad0", side), *pu = g_strdup_printf ("%s_pad", side);
      g_autofree char *tw = g_strdup_printf ("%s_twice", side);
      g_autofree char *n1 = g_strdup_printf ("/slice_%s", side), *n2 = g_strdup_printf ("/mod_%s", side);
      g_autofree char *n3 = g_strdup_printf ("/sub_%s", side), *n4 = g_strdup_printf ("/mod2_%s", side);
      g_autofree char *n5 = g_strdup_printf ("/squeeze_%s", side), *n6 = g_strdup_printf ("/unsqueeze_%s", side);
      g_autofree char *n7 = g_strdup_printf ("/mul_%s", side);

      mb_graph_node (g, "Slice", n1, sl, (const char *[]) { "shape", from, to, "c0", NULL });
      mb_graph_node (g, "Mod", n2, md, (const char *[]) { sl, "c2", NULL });
      mb_graph_node (g, "Sub", n3, sb, (const char *[]) { "c2", md, NULL });
      mb_graph_node (g, "Mod", n4, pd, (const char *[]) { sb, "c2", NULL });
      mb_graph_node (g, "Mul", n7, tw, (const char *[]) { sl, "c2", NULL });
      if (attr_axes)
        {
          mb_graph_node (g, "Squeeze", n5, sq, (const char *[]) { pd, NULL });
          mb_graph_attr_ints (g, "axes", &zero, 1);
          mb_graph_node (g, "Unsqueeze", n6, pu, (const char *[]) { sq, NULL });
          mb_graph_attr_ints (g, "axes", &zero, 1);
        }
      else
        {
          mb_graph_node (g, "Squeeze", n5, sq, (const char *[]) { pd, "c0", NULL });
          mb_graph_node (g, "Unsqueeze", n6, pu, (const char *[]) { sq, "c0", NULL });
        }
    }
  mb_graph_node (g, "Concat", "/pads", "pads", (const char *[]) { "pads_head", "h_pad", "w_pad", NULL });
  mb_graph_attr_int (g, "axis", 0);
  mb_graph_node (g, "Pad", "/pad", "p", (const char *[]) { "xh", "pads", NULL });
  mb_graph_attr_string (g, "mode", "reflect");
  mb_graph_node (g, "Conv", "/conv3", "c", (const char *[]) { "p", "w3", "b3", NULL });
  mb_graph_attr_ints (g, "kernel_shape", k3, 2);
  mb_graph_attr_ints (g, "pads", pads3, 4);
  mb_graph_node (g, "Conv", "/conv1", "a", (const char *[]) { "p", "w1", "b1", NULL });
  mb_graph_attr_ints (g, "kernel_shape", k1, 2);
  mb_graph_node (g, "Tanh", "/tanh", "t", (const char *[]) { "a", NULL });
  mb_graph_node (g, "Mul", "/gate", "m", (const char *[]) { "c", "t", NULL });
  mb_graph_node (g, "DepthToSpace", "/d2s", "d", (const char *[]) { "m", NULL });
  mb_graph_attr_int (g, "blocksize", 2);
  mb_graph_attr_string (g, "mode", "CRD");
  mb_graph_node (g, "Concat", "/ends", "ends", (const char *[]) { "h_twice", "w_twice", NULL });
  mb_graph_attr_int (g, "axis", 0);
  mb_graph_node (g, "Slice", "/crop", "yh", (const char *[]) { "d", "start0", "ends", "hw_axes", NULL });
  mb_graph_node (g, "Cast", "/cast_out", "y", (const char *[]) { "yh", NULL });
  mb_graph_attr_int (g, "to", 1);
  return mb_graph_finish (g, "x", NULL, "y", opset);
}

GBytes *
mb_split_gate_onnx (int      opset,
                    gboolean sizes,
                    guint32  seed)
{
  MbGraph *g = mb_graph_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 w_dims[4] = { 6, 3, 3, 3 }, b_dims[1] = { 6 }, pads[4] = { 1, 1, 1, 1 }, split[2] = { 3, 3 };
  float w[6 * 3 * 9], b[6];

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    w[i] = (float) g_rand_double_range (rand, -0.4, 0.4);
  for (guint i = 0; i < G_N_ELEMENTS (b); i++)
    b[i] = (float) g_rand_double_range (rand, 0.2, 0.6);
  mb_graph_floats (g, "w", 4, w_dims, w);
  mb_graph_floats (g, "b", 1, b_dims, b);
  mb_graph_node (g, "Conv", "/conv", "c", (const char *[]) { "x", "w", "b", NULL });
  mb_graph_attr_ints (g, "pads", pads, 4);
  mb_graph_node (g, "Dropout", "/dropout", "d", (const char *[]) { "c", NULL });
  mb_graph_node (g, "Split", "/split", "lo", (const char *[]) { "d", NULL });
  {
    /* A second output: node() writes one. */
    Onnx__NodeProto *n = self_last_node (g);

    n->n_output = 2;
    n->output = ar (&g->a, g_new (char *, 2));
    n->output[0] = ar_str (&g->a, "lo");
    n->output[1] = ar_str (&g->a, "hi");
  }
  mb_graph_attr_int (g, "axis", 1);
  if (sizes)
    mb_graph_attr_ints (g, "split", split, 2);
  mb_graph_node (g, "Mul", "/mul", "y", (const char *[]) { "lo", "hi", NULL });
  return mb_graph_finish (g, "x", NULL, "y", opset);
}
