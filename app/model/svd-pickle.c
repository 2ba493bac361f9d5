/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-pickle"

/* The restricted unpickler. It implements the pickle protocol 2–5 opcodes
 * that torch.save() emits (and a few neighbours), building inert values.
 * GLOBAL / STACK_GLOBAL only resolve names in the table below; REDUCE only
 * "calls" those entries, by doing in C what the Python function would do
 * for a state dict. Nothing named in a file is ever imported or executed.
 * All reads go through a bounded cursor; the stack, the mark stack and the
 * memo have caps. */

#include "svd-pickle.h"
#include "svd-model-private.h"
#include "core/svd-error.h"
#include "core/svd-escape.h"

typedef enum {
  G_ORDERED_DICT,
  G_REBUILD_TENSOR_V2,
  G_REBUILD_TENSOR,
  G_REBUILD_PARAMETER,
  G_REBUILD_PARAMETER_WITH_STATE,
  G_REBUILD_FROM_TYPE_V2,
  G_STORAGE_TYPE,
  G_DTYPE,
  G_TENSOR_TYPE,
} GlobalKind;

/* The accepted globals: the only names a file may mention. */
static const struct {
  const char          *module;
  const char          *name;
  GlobalKind           kind;
  SvdStoragePrecision  dtype;
} allowed_globals[] = {
  /* state_dict() returns an OrderedDict; REDUCE with () makes an empty dict,
   * SETITEMS fills it, BUILD sets its _metadata attribute (ignored). */
  { "collections", "OrderedDict", G_ORDERED_DICT, 0 },
  /* torch >= 0.4 rebuilds every tensor with (storage, storage_offset, size,
   * stride, requires_grad, backward_hooks[, metadata]): we read the first
   * four and view the storage with those strides. */
  { "torch._utils", "_rebuild_tensor_v2", G_REBUILD_TENSOR_V2, 0 },
  /* The older (storage, offset, size, stride) form of the same. */
  { "torch._utils", "_rebuild_tensor", G_REBUILD_TENSOR, 0 },
  /* nn.Parameter(data, requires_grad, hooks): we keep the data tensor. */
  { "torch._utils", "_rebuild_parameter", G_REBUILD_PARAMETER, 0 },
  /* The same with the Parameter's __dict__ state (ignored). */
  { "torch._utils", "_rebuild_parameter_with_state", G_REBUILD_PARAMETER_WITH_STATE, 0 },
  /* torch 2.x wraps tensors of a Tensor subclass as (func, type, args,
   * state); accepted only when func is one of the rebuild functions above
   * and type is torch.Tensor or nn.Parameter. */
  { "torch._tensor", "_rebuild_from_type_v2", G_REBUILD_FROM_TYPE_V2, 0 },
  { "torch", "Tensor", G_TENSOR_TYPE, 0 },
  { "torch.nn.parameter", "Parameter", G_TENSOR_TYPE, 0 },
  /* Storage types name the element type of a persistent storage id; they
   * are markers, never called. */
  { "torch", "FloatStorage", G_STORAGE_TYPE, SVD_STORAGE_FP32 },
  { "torch", "HalfStorage", G_STORAGE_TYPE, SVD_STORAGE_FP16 },
  { "torch", "BFloat16Storage", G_STORAGE_TYPE, SVD_STORAGE_BF16 },
  /* dtype objects, as some torch 2.x files name them; markers too. */
  { "torch", "float32", G_DTYPE, SVD_STORAGE_FP32 },
  { "torch", "float16", G_DTYPE, SVD_STORAGE_FP16 },
  { "torch", "bfloat16", G_DTYPE, SVD_STORAGE_BF16 },
};

/* Caps on values, items, stack, marks and memo are in core/svd-limits.h,
 * with the reasons for their values. */
#define MAX_GLOBAL_NAME 256
#define MAX_DEPTH  16

struct _SvdPickle {
  GPtrArray *values;  /* every SvdPickleValue made; frees them */
  gsize      n_items; /* items in all tuples, lists and dicts */
};

static void
value_free (SvdPickleValue *v)
{
  g_free (v->str);
  if (v->items != NULL)
    g_ptr_array_unref (v->items);
  g_free (v);
}

SvdPickle *
svd_pickle_new (void)
{
  SvdPickle *self = g_new0 (SvdPickle, 1);

  self->values = g_ptr_array_new_with_free_func ((GDestroyNotify) value_free);
  return self;
}

void
svd_pickle_free (SvdPickle *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->values);
  g_free (self);
}

static SvdPickleValue *
value_new (SvdPickle     *self,
           SvdPickleKind  kind)
{
  SvdPickleValue *v = g_new0 (SvdPickleValue, 1);

  v->kind = kind;
  if (kind == SVD_PV_TUPLE || kind == SVD_PV_LIST || kind == SVD_PV_DICT)
    v->items = g_ptr_array_new ();
  g_ptr_array_add (self->values, v);
  return v;
}

static const char *
kind_name (SvdPickleKind kind)
{
  static const char *const names[] = {
    "None", "bool", "int", "int", "float", "str", "bytes", "tuple", "list", "dict",
    "global", "storage", "tensor",
  };
  return kind < G_N_ELEMENTS (names) ? names[kind] : "?";
}

typedef struct {
  SvdPickle  *pickle;
  SvdCursor   cur;
  GPtrArray  *stack;
  GArray     *marks;
  GHashTable *memo;
  GError    **error;
} Unpickler;

#define FAIL(code, ...) \
  G_STMT_START { g_set_error (u->error, SVD_ERROR, code, __VA_ARGS__); return FALSE; } G_STMT_END

static gboolean
truncated (Unpickler *u,
           const char *what)
{
  g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "Pickle is truncated (in %s at byte %" G_GSIZE_FORMAT ")", what, u->cur.pos);
  return FALSE;
}

static gboolean
push (Unpickler      *u,
      SvdPickleValue *v)
{
  if (u->stack->len >= SVD_LIMIT_PICKLE_STACK)
    FAIL (SVD_ERROR_INVALID_INPUT, "Pickle stack exceeds %d entries, the limit for a state dict",
          SVD_LIMIT_PICKLE_STACK);
  g_ptr_array_add (u->stack, v);
  return TRUE;
}

static SvdPickleValue *
pop (Unpickler *u)
{
  guint floor = u->marks->len ? g_array_index (u->marks, guint, u->marks->len - 1) : 0;

  if (u->stack->len <= floor)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Pickle pops an empty stack at byte %" G_GSIZE_FORMAT, u->cur.pos);
      return NULL;
    }
  return g_ptr_array_steal_index (u->stack, u->stack->len - 1);
}

static SvdPickleValue *
top (Unpickler *u)
{
  guint floor = u->marks->len ? g_array_index (u->marks, guint, u->marks->len - 1) : 0;

  if (u->stack->len <= floor)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Pickle reads an empty stack at byte %" G_GSIZE_FORMAT, u->cur.pos);
      return NULL;
    }
  return g_ptr_array_index (u->stack, u->stack->len - 1);
}

/* Pops everything above the last MARK into a new array (borrowed values). */
static GPtrArray *
pop_mark (Unpickler *u)
{
  GPtrArray *items;
  guint m;

  if (u->marks->len == 0)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Pickle uses a MARK that was never set (byte %" G_GSIZE_FORMAT ")", u->cur.pos);
      return NULL;
    }
  m = g_array_index (u->marks, guint, u->marks->len - 1);
  g_array_set_size (u->marks, u->marks->len - 1);
  items = g_ptr_array_sized_new (u->stack->len - m);
  for (guint i = m; i < u->stack->len; i++)
    g_ptr_array_add (items, g_ptr_array_index (u->stack, i));
  g_ptr_array_set_size (u->stack, m);
  return items;
}

static gboolean
memo_put (Unpickler *u,
          guint32    index)
{
  SvdPickleValue *v = top (u);

  if (v == NULL)
    return FALSE;
  if (g_hash_table_size (u->memo) >= SVD_LIMIT_PICKLE_MEMO &&
      !g_hash_table_contains (u->memo, GUINT_TO_POINTER (index)))
    FAIL (SVD_ERROR_INVALID_INPUT, "Pickle memo exceeds %d entries, the limit for a state dict",
          SVD_LIMIT_PICKLE_MEMO);
  g_hash_table_insert (u->memo, GUINT_TO_POINTER (index), v);
  return TRUE;
}

static gboolean
memo_get (Unpickler *u,
          guint32    index)
{
  SvdPickleValue *v;

  if (!g_hash_table_lookup_extended (u->memo, GUINT_TO_POINTER (index), NULL, (gpointer *) &v))
    FAIL (SVD_ERROR_INVALID_INPUT, "Pickle reads memo entry %u, which was never stored", index);
  return push (u, v);
}

/* Counts @n more items held by tuples, lists and dicts against the limit:
 * a reference costs one pickle byte (DUP) but eight bytes of memory. */
static gboolean
count_items (Unpickler *u,
             gsize      n)
{
  if (n > SVD_LIMIT_PICKLE_ITEMS - u->pickle->n_items)
    FAIL (SVD_ERROR_INVALID_INPUT,
          "Pickle containers hold more than %d items in all, the limit for a state dict",
          SVD_LIMIT_PICKLE_ITEMS);
  u->pickle->n_items += n;
  return TRUE;
}

static gboolean
push_string (Unpickler    *u,
             SvdPickleKind kind,
             gsize         n)
{
  const guint8 *p;
  SvdPickleValue *v;

  if ((p = svd_cursor_take (&u->cur, n)) == NULL)
    return truncated (u, "a string");
  v = value_new (u->pickle, kind);
  v->str = g_malloc (n + 1);
  memcpy (v->str, p, n);
  v->str[n] = '\0';
  v->len = n;
  return push (u, v);
}

static gboolean
push_long (Unpickler *u,
           gsize      n)
{
  const guint8 *p;
  SvdPickleValue *v;

  if ((p = svd_cursor_take (&u->cur, n)) == NULL)
    return truncated (u, "an integer");
  if (n <= 8)
    {
      guint64 x = 0;

      for (gsize i = 0; i < n; i++)
        x |= (guint64) p[i] << (8 * i);
      /* Sign-extend two's complement. */
      if (n > 0 && n < 8 && (p[n - 1] & 0x80))
        x |= ~(guint64) 0 << (8 * n);
      v = value_new (u->pickle, SVD_PV_INT);
      v->i = (gint64) x;
    }
  else
    {
      if (n > 64)
        FAIL (SVD_ERROR_UNSUPPORTED, "Pickle holds a %" G_GSIZE_FORMAT "-byte integer", n);
      v = value_new (u->pickle, SVD_PV_BIGINT);
      v->str = g_memdup2 (p, n);
      v->len = n;
    }
  return push (u, v);
}

/* A name from the file as an error message may quote it: valid UTF-8, at
 * most 100 characters, control characters escaped. */
static char *
shown_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);

  if (g_utf8_strlen (valid, -1) > 100)
    {
      g_autofree char *cut = g_utf8_substring (valid, 0, 100);

      g_free (valid);
      valid = g_strconcat (cut, "…", NULL);
    }
  return svd_str_escape_control (valid, FALSE);
}

static gboolean
do_global (Unpickler  *u,
           const char *module,
           const char *name)
{
  SvdPickleValue *v;

  for (gsize i = 0; i < G_N_ELEMENTS (allowed_globals); i++)
    if (strcmp (module, allowed_globals[i].module) == 0 && strcmp (name, allowed_globals[i].name) == 0)
      {
        v = value_new (u->pickle, SVD_PV_GLOBAL);
        v->i = (gint64) i;
        return push (u, v);
      }
  {
    /* The names come from the file: keep them short and free of terminal
     * escapes before quoting them. */
    g_autofree char *m = shown_name (module);
    g_autofree char *n = shown_name (name);

    FAIL (SVD_ERROR_UNSAFE,
          "Refused to load: the pickle names the global “%s.%s”, which is not one a state dict "
          "needs (loading never executes code; only tensors, OrderedDict and torch storages are "
          "accepted). Convert the file to .safetensors if it is a real model.", m, n);
  }
}

static gboolean
read_line (Unpickler  *u,
           char      **out)
{
  gsize rem = svd_cursor_remaining (&u->cur);
  gsize lim = MIN (rem, MAX_GLOBAL_NAME + 1);
  const guint8 *start = u->cur.data + u->cur.pos;
  const guint8 *nl = memchr (start, '\n', lim);

  if (nl == NULL)
    {
      if (rem <= MAX_GLOBAL_NAME)
        return truncated (u, "a GLOBAL name");
      FAIL (SVD_ERROR_INVALID_INPUT, "Pickle GLOBAL name is longer than %d bytes", MAX_GLOBAL_NAME);
    }
  *out = g_strndup ((const char *) start, nl - start);
  u->cur.pos += (nl - start) + 1;
  return TRUE;
}

static gboolean
int_of (SvdPickleValue *v,
        gint64         *out)
{
  if (v->kind != SVD_PV_INT && v->kind != SVD_PV_BOOL)
    return FALSE;
  *out = v->i;
  return TRUE;
}

/* Reads a tuple of ints (a size or stride). */
static gboolean
int_tuple (Unpickler      *u,
           SvdPickleValue *v,
           const char     *what,
           int            *n,
           gint64         *out)
{
  if ((v->kind != SVD_PV_TUPLE && v->kind != SVD_PV_LIST) || v->items->len > SVD_TENSOR_MAX_DIMS)
    FAIL (SVD_ERROR_UNSUPPORTED, "Tensor %s is not a tuple of at most %d ints", what, SVD_TENSOR_MAX_DIMS);
  for (guint i = 0; i < v->items->len; i++)
    if (!int_of (g_ptr_array_index (v->items, i), &out[i]))
      FAIL (SVD_ERROR_INVALID_INPUT, "Tensor %s holds a non-integer", what);
  *n = (int) v->items->len;
  return TRUE;
}

static SvdPickleValue *
rebuild_tensor (Unpickler *u,
                GPtrArray *args)
{
  SvdPickleValue *st, *t;
  gint64 offset;
  int nd_size = 0, nd_stride = 0;
  gint64 size[SVD_TENSOR_MAX_DIMS], stride[SVD_TENSOR_MAX_DIMS];

  if (args->len < 4)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "_rebuild_tensor called with %u arguments; needs at least 4", args->len);
      return NULL;
    }
  st = g_ptr_array_index (args, 0);
  if (st->kind != SVD_PV_STORAGE)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "_rebuild_tensor's first argument is a %s, not a storage", kind_name (st->kind));
      return NULL;
    }
  if (!int_of (g_ptr_array_index (args, 1), &offset) || offset < 0)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Tensor storage offset is not a non-negative int");
      return NULL;
    }
  if (!int_tuple (u, g_ptr_array_index (args, 2), "size", &nd_size, size) ||
      !int_tuple (u, g_ptr_array_index (args, 3), "stride", &nd_stride, stride))
    return NULL;
  if (nd_size != nd_stride)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Tensor has %d sizes but %d strides", nd_size, nd_stride);
      return NULL;
    }
  t = value_new (u->pickle, SVD_PV_TENSOR);
  t->storage = st;
  t->offset = offset;
  t->ndim = nd_size;
  memcpy (t->shape, size, sizeof size);
  memcpy (t->stride, stride, sizeof stride);
  return t;
}

/* "Calls" an accepted global on @args. */
static SvdPickleValue *
apply (Unpickler      *u,
       SvdPickleValue *func,
       SvdPickleValue *args,
       int             depth)
{
  GlobalKind kind;

  if (func->kind != SVD_PV_GLOBAL)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Pickle REDUCE calls a %s, not a global", kind_name (func->kind));
      return NULL;
    }
  if (args->kind != SVD_PV_TUPLE)
    {
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Pickle REDUCE arguments are a %s, not a tuple", kind_name (args->kind));
      return NULL;
    }
  kind = allowed_globals[func->i].kind;
  switch (kind)
    {
    case G_ORDERED_DICT:
      if (args->items->len != 0)
        {
          g_set_error (u->error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "OrderedDict called with arguments; only OrderedDict() is supported");
          return NULL;
        }
      return value_new (u->pickle, SVD_PV_DICT);
    case G_REBUILD_TENSOR_V2:
    case G_REBUILD_TENSOR:
      return rebuild_tensor (u, args->items);
    case G_REBUILD_PARAMETER:
    case G_REBUILD_PARAMETER_WITH_STATE:
      {
        SvdPickleValue *data = args->items->len ? g_ptr_array_index (args->items, 0) : NULL;

        if (data == NULL || data->kind != SVD_PV_TENSOR)
          {
            g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                         "_rebuild_parameter needs a tensor as its first argument");
            return NULL;
          }
        return data;
      }
    case G_REBUILD_FROM_TYPE_V2:
      {
        SvdPickleValue *f, *type, *a;

        if (args->items->len < 3 || depth > 2)
          {
            g_set_error (u->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                         "_rebuild_from_type_v2 needs (func, type, args, state)");
            return NULL;
          }
        f = g_ptr_array_index (args->items, 0);
        type = g_ptr_array_index (args->items, 1);
        a = g_ptr_array_index (args->items, 2);
        if (type->kind != SVD_PV_GLOBAL || allowed_globals[type->i].kind != G_TENSOR_TYPE)
          {
            g_set_error (u->error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                         "_rebuild_from_type_v2 rebuilds a type other than torch.Tensor or Parameter");
            return NULL;
          }
        return apply (u, f, a, depth + 1);
      }
    case G_STORAGE_TYPE:
    case G_DTYPE:
    case G_TENSOR_TYPE:
    default:
      g_set_error (u->error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Pickle calls %s.%s, which a state dict never does",
                   allowed_globals[func->i].module, allowed_globals[func->i].name);
      return NULL;
    }
}

/* BINPERSID: torch's persistent id for a storage is the tuple
 * ('storage', StorageType, key, location, numel[, view_metadata]). */
static gboolean
persistent_load (Unpickler      *u,
                 SvdPickleValue *pid)
{
  SvdPickleValue *tag, *type, *key, *numel, *v;

  if (pid->kind != SVD_PV_TUPLE || pid->items->len < 5 || pid->items->len > 6)
    FAIL (SVD_ERROR_UNSUPPORTED, "Pickle persistent id is not a torch storage tuple");
  tag = g_ptr_array_index (pid->items, 0);
  type = g_ptr_array_index (pid->items, 1);
  key = g_ptr_array_index (pid->items, 2);
  numel = g_ptr_array_index (pid->items, 4);
  if ((tag->kind != SVD_PV_STR && tag->kind != SVD_PV_BYTES) || strcmp (tag->str, "storage") != 0)
    FAIL (SVD_ERROR_UNSUPPORTED, "Pickle persistent id is not a “storage”");
  if (type->kind != SVD_PV_GLOBAL ||
      (allowed_globals[type->i].kind != G_STORAGE_TYPE && allowed_globals[type->i].kind != G_DTYPE))
    FAIL (SVD_ERROR_UNSUPPORTED,
          "Pickle storage has an unsupported element type; supported: Float, Half, BFloat16");
  if (pid->items->len == 6 && ((SvdPickleValue *) g_ptr_array_index (pid->items, 5))->kind != SVD_PV_NONE)
    FAIL (SVD_ERROR_UNSUPPORTED, "Storage views (files from torch before 0.4) are not supported");
  v = value_new (u->pickle, SVD_PV_STORAGE);
  v->dtype = allowed_globals[type->i].dtype;
  if (key->kind == SVD_PV_STR || key->kind == SVD_PV_BYTES)
    {
      if (memchr (key->str, '/', key->len) != NULL || memchr (key->str, 0, key->len) != NULL ||
          key->len == 0 || key->len > 64)
        FAIL (SVD_ERROR_INVALID_INPUT, "Pickle storage key is malformed");
      v->str = g_strdup (key->str);
    }
  else if (key->kind == SVD_PV_INT)
    v->str = g_strdup_printf ("%" G_GINT64_FORMAT, key->i);
  else
    FAIL (SVD_ERROR_INVALID_INPUT, "Pickle storage key is a %s", kind_name (key->kind));
  if (!int_of (numel, &v->numel) || v->numel < 0)
    FAIL (SVD_ERROR_INVALID_INPUT, "Pickle storage size is not a non-negative int");
  return push (u, v);
}

static gboolean
add_items (Unpickler      *u,
           SvdPickleValue *container,
           GPtrArray      *items,
           gboolean        pairs)
{
  if (pairs)
    {
      if (container->kind != SVD_PV_DICT)
        FAIL (SVD_ERROR_INVALID_INPUT, "Pickle SETITEM on a %s", kind_name (container->kind));
      if (items->len % 2 != 0)
        FAIL (SVD_ERROR_INVALID_INPUT, "Pickle SETITEMS with an odd number of items");
    }
  else if (container->kind != SVD_PV_LIST)
    FAIL (SVD_ERROR_INVALID_INPUT, "Pickle APPEND on a %s", kind_name (container->kind));
  if (!count_items (u, items->len))
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (container->items, g_ptr_array_index (items, i));
  return TRUE;
}

static gboolean
step (Unpickler *u,
      gboolean  *done)
{
  guint8 op, b1;
  guint16 b2;
  guint32 b4;
  guint64 b8;
  SvdPickleValue *v, *w, *x;
  g_autoptr(GPtrArray) items = NULL;

  if (!svd_cursor_u8 (&u->cur, &op))
    return truncated (u, "an opcode");
  /* Values live until the whole file is read, so their number bounds the
   * unpickler's memory; no opcode makes more than one, so checking before
   * each is enough. */
  if (u->pickle->values->len >= SVD_LIMIT_PICKLE_VALUES)
    FAIL (SVD_ERROR_INVALID_INPUT,
          "Pickle makes more than %d values, the limit for a state dict (at byte %" G_GSIZE_FORMAT ")",
          SVD_LIMIT_PICKLE_VALUES, u->cur.pos - 1);

  switch (op)
    {
    case 0x80: /* PROTO */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "PROTO");
      if (b1 > 5)
        FAIL (SVD_ERROR_UNSUPPORTED, "Pickle protocol %u is not supported (2–5 are)", b1);
      return TRUE;
    case 0x95: /* FRAME: a length hint only */
      if (!svd_cursor_u64le (&u->cur, &b8))
        return truncated (u, "FRAME");
      return TRUE;
    case '.': /* STOP */
      *done = TRUE;
      return TRUE;
    case '(': /* MARK */
      if (u->marks->len >= SVD_LIMIT_PICKLE_MARKS)
        FAIL (SVD_ERROR_INVALID_INPUT, "Pickle nests more than %d MARKs, the limit for a state dict",
              SVD_LIMIT_PICKLE_MARKS);
      {
        guint m = u->stack->len;

        g_array_append_val (u->marks, m);
      }
      return TRUE;
    case '0': /* POP */
      return pop (u) != NULL;
    case '1': /* POP_MARK */
      items = pop_mark (u);
      return items != NULL;
    case '2': /* DUP */
      return (v = top (u)) != NULL && push (u, v);
    case 'N':
      return push (u, value_new (u->pickle, SVD_PV_NONE));
    case 0x88: /* NEWTRUE */
    case 0x89: /* NEWFALSE */
      v = value_new (u->pickle, SVD_PV_BOOL);
      v->i = op == 0x88;
      return push (u, v);
    case 'J': /* BININT */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "BININT");
      v = value_new (u->pickle, SVD_PV_INT);
      v->i = (gint32) b4;
      return push (u, v);
    case 'K': /* BININT1 */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "BININT1");
      v = value_new (u->pickle, SVD_PV_INT);
      v->i = b1;
      return push (u, v);
    case 'M': /* BININT2 */
      if (!svd_cursor_u16le (&u->cur, &b2))
        return truncated (u, "BININT2");
      v = value_new (u->pickle, SVD_PV_INT);
      v->i = b2;
      return push (u, v);
    case 0x8a: /* LONG1 */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "LONG1");
      return push_long (u, b1);
    case 0x8b: /* LONG4 */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "LONG4");
      return push_long (u, b4);
    case 'G': /* BINFLOAT, big-endian */
      {
        const guint8 *p = svd_cursor_take (&u->cur, 8);
        guint64 bits = 0;

        if (p == NULL)
          return truncated (u, "BINFLOAT");
        for (int i = 0; i < 8; i++)
          bits = (bits << 8) | p[i];
        v = value_new (u->pickle, SVD_PV_FLOAT);
        memcpy (&v->f, &bits, 8);
        return push (u, v);
      }
    case 'X': /* BINUNICODE */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "BINUNICODE");
      return push_string (u, SVD_PV_STR, b4);
    case 0x8c: /* SHORT_BINUNICODE */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "SHORT_BINUNICODE");
      return push_string (u, SVD_PV_STR, b1);
    case 0x8d: /* BINUNICODE8 */
      if (!svd_cursor_u64le (&u->cur, &b8))
        return truncated (u, "BINUNICODE8");
      if (b8 > svd_cursor_remaining (&u->cur))
        return truncated (u, "BINUNICODE8");
      return push_string (u, SVD_PV_STR, (gsize) b8);
    case 'U': /* SHORT_BINSTRING */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "SHORT_BINSTRING");
      return push_string (u, SVD_PV_STR, b1);
    case 'T': /* BINSTRING */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "BINSTRING");
      return push_string (u, SVD_PV_STR, b4);
    case 'C': /* SHORT_BINBYTES */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "SHORT_BINBYTES");
      return push_string (u, SVD_PV_BYTES, b1);
    case 'B': /* BINBYTES */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "BINBYTES");
      return push_string (u, SVD_PV_BYTES, b4);
    case ')': /* EMPTY_TUPLE */
      return push (u, value_new (u->pickle, SVD_PV_TUPLE));
    case 't': /* TUPLE */
      if ((items = pop_mark (u)) == NULL || !count_items (u, items->len))
        return FALSE;
      v = value_new (u->pickle, SVD_PV_TUPLE);
      for (guint i = 0; i < items->len; i++)
        g_ptr_array_add (v->items, g_ptr_array_index (items, i));
      return push (u, v);
    case 0x85: /* TUPLE1 */
    case 0x86: /* TUPLE2 */
    case 0x87: /* TUPLE3 */
      {
        int n = op - 0x84;
        SvdPickleValue *tmp[3];

        for (int i = n - 1; i >= 0; i--)
          if ((tmp[i] = pop (u)) == NULL)
            return FALSE;
        if (!count_items (u, n))
          return FALSE;
        v = value_new (u->pickle, SVD_PV_TUPLE);
        for (int i = 0; i < n; i++)
          g_ptr_array_add (v->items, tmp[i]);
        return push (u, v);
      }
    case ']': /* EMPTY_LIST */
      return push (u, value_new (u->pickle, SVD_PV_LIST));
    case 'l': /* LIST */
      if ((items = pop_mark (u)) == NULL)
        return FALSE;
      v = value_new (u->pickle, SVD_PV_LIST);
      return add_items (u, v, items, FALSE) && push (u, v);
    case 'a': /* APPEND */
      if ((w = pop (u)) == NULL || (v = top (u)) == NULL)
        return FALSE;
      items = g_ptr_array_new ();
      g_ptr_array_add (items, w);
      return add_items (u, v, items, FALSE);
    case 'e': /* APPENDS */
      if ((items = pop_mark (u)) == NULL || (v = top (u)) == NULL)
        return FALSE;
      return add_items (u, v, items, FALSE);
    case '}': /* EMPTY_DICT */
      return push (u, value_new (u->pickle, SVD_PV_DICT));
    case 'd': /* DICT */
      if ((items = pop_mark (u)) == NULL)
        return FALSE;
      v = value_new (u->pickle, SVD_PV_DICT);
      return add_items (u, v, items, TRUE) && push (u, v);
    case 's': /* SETITEM */
      if ((x = pop (u)) == NULL || (w = pop (u)) == NULL || (v = top (u)) == NULL)
        return FALSE;
      items = g_ptr_array_new ();
      g_ptr_array_add (items, w);
      g_ptr_array_add (items, x);
      return add_items (u, v, items, TRUE);
    case 'u': /* SETITEMS */
      if ((items = pop_mark (u)) == NULL || (v = top (u)) == NULL)
        return FALSE;
      return add_items (u, v, items, TRUE);
    case 'h': /* BINGET */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "BINGET");
      return memo_get (u, b1);
    case 'j': /* LONG_BINGET */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "LONG_BINGET");
      return memo_get (u, b4);
    case 'q': /* BINPUT */
      if (!svd_cursor_u8 (&u->cur, &b1))
        return truncated (u, "BINPUT");
      return memo_put (u, b1);
    case 'r': /* LONG_BINPUT */
      if (!svd_cursor_u32le (&u->cur, &b4))
        return truncated (u, "LONG_BINPUT");
      return memo_put (u, b4);
    case 0x94: /* MEMOIZE */
      return memo_put (u, g_hash_table_size (u->memo));
    case 'c': /* GLOBAL */
      {
        g_autofree char *module = NULL;
        g_autofree char *name = NULL;

        if (!read_line (u, &module) || !read_line (u, &name))
          return FALSE;
        return do_global (u, module, name);
      }
    case 0x93: /* STACK_GLOBAL */
      if ((w = pop (u)) == NULL || (v = pop (u)) == NULL)
        return FALSE;
      if (v->kind != SVD_PV_STR || w->kind != SVD_PV_STR)
        FAIL (SVD_ERROR_INVALID_INPUT, "Pickle STACK_GLOBAL needs two strings");
      return do_global (u, v->str, w->str);
    case 'R': /* REDUCE */
      if ((w = pop (u)) == NULL || (v = pop (u)) == NULL)
        return FALSE;
      if ((x = apply (u, v, w, 0)) == NULL)
        return FALSE;
      return push (u, x);
    case 'b': /* BUILD: sets state on an object; state dicts only use it
               * for OrderedDict._metadata, which we do not need. */
      if ((w = pop (u)) == NULL || (v = top (u)) == NULL)
        return FALSE;
      return TRUE;
    case 'Q': /* BINPERSID */
      if ((v = pop (u)) == NULL)
        return FALSE;
      return persistent_load (u, v);
    default:
      FAIL (SVD_ERROR_UNSUPPORTED,
            "Pickle opcode 0x%02x at byte %" G_GSIZE_FORMAT " is not supported by the restricted "
            "unpickler (it reads what torch.save writes with protocols 2–5)", op, u->cur.pos - 1);
    }
}

/**
 * svd_pickle_load:
 * @self: the arena that owns the values
 * @data: bytes starting at a pickle
 * @len: bytes available
 * @consumed: (out): bytes read up to and including STOP
 * @error: return location for an error
 *
 * Returns: (transfer none) (nullable): the pickled object
 */
SvdPickleValue *
svd_pickle_load (SvdPickle     *self,
                 const guint8  *data,
                 gsize          len,
                 gsize         *consumed,
                 GError       **error)
{
  Unpickler u = { 0 };
  gboolean done = FALSE;
  SvdPickleValue *result = NULL;

  u.pickle = self;
  svd_cursor_init (&u.cur, data, len);
  u.stack = g_ptr_array_new ();
  u.marks = g_array_new (FALSE, FALSE, sizeof (guint));
  u.memo = g_hash_table_new (g_direct_hash, g_direct_equal);
  u.error = error;

  while (!done)
    if (!step (&u, &done))
      goto out;
  if (u.stack->len != 1 || u.marks->len != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Pickle ends with %u values on its stack; expected one", u.stack->len);
      goto out;
    }
  result = g_ptr_array_index (u.stack, 0);
  *consumed = u.cur.pos;

out:
  g_ptr_array_unref (u.stack);
  g_array_unref (u.marks);
  g_hash_table_unref (u.memo);
  return result;
}

/* ---- From values to a state dict ------------------------------------ */

typedef struct {
  SvdStateDict       *dict;
  SvdStorageResolver  resolve;
  gpointer            user_data;
  GHashTable         *visited;  /* dicts already walked: no cycles, no blow-up */
  gsize               budget;   /* bytes of tensor data still allowed */
} Flatten;

static gboolean
tensor_to_state (Flatten        *fl,
                 const char     *name,
                 SvdPickleValue *t,
                 GError        **error)
{
  SvdPickleValue *st = t->storage;
  const guint8 *bytes;
  gsize nbytes, esize = svd_dtype_size (st->dtype), need, numel = 1;
  guint64 last = (guint64) t->offset;
  g_autofree guint8 *packed = NULL;
  SvdTensor *out;
  gsize idx[SVD_TENSOR_MAX_DIMS] = { 0 };
  gboolean contiguous = TRUE;

  if (!fl->resolve (fl->user_data, st->str, &bytes, &nbytes, error))
    return FALSE;
  if (!g_size_checked_mul (&need, (gsize) st->numel, esize) || need > nbytes)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Storage %s of “%s” claims %" G_GINT64_FORMAT " elements but holds %" G_GSIZE_FORMAT
                   " bytes", st->str, name, st->numel, nbytes);
      return FALSE;
    }
  for (int d = 0; d < t->ndim; d++)
    {
      if (t->shape[d] < 0 || t->stride[d] < 0 || !g_size_checked_mul (&numel, numel, (gsize) t->shape[d]))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Tensor “%s” has a negative or huge size or stride", name);
          return FALSE;
        }
    }
  /* The last element the view touches must lie inside the storage. */
  if (numel > 0)
    for (int d = 0; d < t->ndim; d++)
      {
        guint64 span = (guint64) (t->shape[d] - 1) * 1;

        if (t->stride[d] != 0 && span > G_MAXUINT64 / (guint64) t->stride[d])
          goto out_of_range;
        span *= (guint64) t->stride[d];
        if (last > G_MAXUINT64 - span)
          goto out_of_range;
        last += span;
      }
  if (numel > 0 && last >= (guint64) st->numel)
    goto out_of_range;
  if (!g_size_checked_mul (&need, numel, esize) || need > SVD_LIMIT_TENSOR_BYTES)
    goto out_of_range;
  /* Many keys may view one storage; a hostile file could repeat a large
   * view thousands of times. Real files never hold much more tensor data
   * than storage bytes. */
  if (need > fl->budget)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The file's tensors view far more data than it stores (at “%s”)", name);
      return FALSE;
    }
  fl->budget -= need;

  /* Gather the view into a contiguous little-endian buffer, honouring the
   * strides (a transposed or sliced tensor is copied correctly). */
  packed = g_malloc (MAX (need, 1));
  {
    /* A C-contiguous view (every real checkpoint's weights) is one block:
     * its elements are offset … last, checked above. */
    guint64 expect = 1;

    for (int d = t->ndim - 1; d >= 0 && contiguous; d--)
      {
        contiguous = t->shape[d] == 1 || (guint64) t->stride[d] == expect;
        expect *= (guint64) t->shape[d];
      }
    if (contiguous && numel > 0)
      memcpy (packed, bytes + (gsize) t->offset * esize, need);
  }
  for (gsize k = 0; k < numel && !contiguous; k++)
    {
      guint64 src = (guint64) t->offset;

      for (int d = 0; d < t->ndim; d++)
        src += (guint64) idx[d] * (guint64) t->stride[d];
      memcpy (packed + k * esize, bytes + src * esize, esize);
      for (int d = t->ndim - 1; d >= 0; d--)
        {
          if (++idx[d] < (gsize) t->shape[d])
            break;
          idx[d] = 0;
        }
    }
  out = svd_tensor_new_from_le (name, st->dtype, t->ndim, t->shape, packed, need, error);
  return out != NULL && svd_state_dict_insert (fl->dict, out, error);

out_of_range:
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "Tensor “%s” reaches past the end of its storage (%" G_GINT64_FORMAT " elements)",
               name, st->numel);
  return FALSE;
}

static gboolean
flatten (Flatten        *fl,
         const char     *prefix,
         SvdPickleValue *dict,
         int             depth,
         GError        **error)
{
  if (depth > MAX_DEPTH)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "State dict nests deeper than %d", MAX_DEPTH);
      return FALSE;
    }
  if (!g_hash_table_add (fl->visited, dict))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "State dict holds the same dict twice (at “%s”)", prefix ? prefix : "top level");
      return FALSE;
    }
  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    {
      SvdPickleValue *k = g_ptr_array_index (dict->items, i);
      SvdPickleValue *v = g_ptr_array_index (dict->items, i + 1);
      g_autofree char *valid = NULL;
      g_autofree char *name = NULL;

      if (k->kind != SVD_PV_STR || (v->kind != SVD_PV_TENSOR && v->kind != SVD_PV_DICT))
        continue; /* training counters, optimizer settings, metadata… */
      valid = g_utf8_make_valid (k->str, -1);
      name = prefix ? g_strconcat (prefix, ".", valid, NULL) : g_strdup (valid);
      if (v->kind == SVD_PV_TENSOR)
        {
          if (!tensor_to_state (fl, name, v, error))
            return FALSE;
        }
      else if (!flatten (fl, name, v, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

static SvdPickleValue *
dict_get (SvdPickleValue *dict,
          const char     *key)
{
  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    {
      SvdPickleValue *k = g_ptr_array_index (dict->items, i);

      if (k->kind == SVD_PV_STR && strcmp (k->str, key) == 0)
        return g_ptr_array_index (dict->items, i + 1);
    }
  return NULL;
}

SvdStateDict *
svd_pickle_to_state_dict (SvdPickleValue     *root,
                          SvdModelFormat      format,
                          SvdStateDictFlags   flags,
                          SvdStorageResolver  resolve,
                          gpointer            user_data,
                          gsize               max_bytes,
                          GError            **error)
{
  g_autoptr(SvdStateDict) dict = NULL;
  g_autoptr(GHashTable) visited = g_hash_table_new (g_direct_hash, g_direct_equal);
  Flatten fl;

  if (root->kind != SVD_PV_DICT)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "The file holds a %s, not a state dict", kind_name (root->kind));
      return NULL;
    }
  if (flags & SVD_STATE_DICT_UNWRAP)
    {
      static const char *const wrappers[] = { "params_ema", "params", "state_dict", "model" };

      /* Checkpoints may nest wrappers ({"model": {"state_dict": …}}). */
      for (int depth = 0; depth < 4; depth++)
        {
          SvdPickleValue *inner = NULL;

          for (gsize i = 0; i < G_N_ELEMENTS (wrappers) && inner == NULL; i++)
            {
              inner = dict_get (root, wrappers[i]);
              if (inner != NULL && inner->kind != SVD_PV_DICT)
                inner = NULL;
            }
          if (inner == NULL)
            break;
          root = inner;
        }
    }
  dict = svd_state_dict_new (format, flags);
  fl.dict = dict;
  fl.resolve = resolve;
  fl.user_data = user_data;
  fl.visited = visited;
  fl.budget = max_bytes;
  if (!flatten (&fl, NULL, root, 0, error))
    return NULL;
  if (svd_state_dict_get_n_tensors (dict) == 0)
    {
      GString *keys = g_string_new (NULL);

      for (guint i = 0; i + 1 < root->items->len && i < 16; i += 2)
        {
          SvdPickleValue *k = g_ptr_array_index (root->items, i);

          if (k->kind == SVD_PV_STR)
            {
              g_autofree char *valid = g_utf8_make_valid (k->str, -1);

              g_string_append_printf (keys, "%s“%s”", keys->len ? ", " : "", valid);
            }
        }
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "The file holds no tensors (top-level keys: %s)", keys->len ? keys->str : "none");
      g_string_free (keys, TRUE);
      return NULL;
    }
  return g_steal_pointer (&dict);
}
