/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-state-dict"

#include "svd-state-dict.h"
#include "svd-model-private.h"
#include "core/svd-error.h"
#include "core/svd-file.h"

#include <math.h>

struct _SvdStateDict {
  gint               ref_count;
  SvdModelFormat     format;
  SvdStateDictFlags  flags;
  GPtrArray         *tensors;   /* SvdTensor*, file order */
  GHashTable        *by_name;   /* name -> SvdTensor* (borrowed) */
  GHashTable        *metadata;  /* char* -> char* */
};

G_DEFINE_BOXED_TYPE (SvdStateDict, svd_state_dict, svd_state_dict_ref, svd_state_dict_unref)

/* ---- Half and bfloat16 ---------------------------------------------- */

float
svd_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;
  guint32 bits;
  float f;

  if (exp == 0)
    {
      /* Zero or subnormal: mant · 2^-24, exact in fp32. */
      f = ldexpf ((float) mant, -24);
      return sign ? -f : f;
    }
  if (exp == 31)
    bits = sign | 0x7f800000u | (mant << 13);
  else
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  memcpy (&f, &bits, 4);
  return f;
}

/* Round to nearest even, as numpy and PyTorch do. */
guint16
svd_float_to_half (float f)
{
  guint32 x, sign, mant;
  int exp;

  memcpy (&x, &f, 4);
  sign = (x >> 16) & 0x8000;
  exp = (int) ((x >> 23) & 0xff);
  mant = x & 0x7fffff;

  if (exp == 0xff)
    return (guint16) (sign | 0x7c00 | (mant ? 0x200 : 0));
  exp = exp - 127 + 15;
  if (exp >= 31)
    return (guint16) (sign | 0x7c00);
  if (exp <= 0)
    {
      guint32 m, shift, half, rem, r;

      if (exp < -10)
        return (guint16) sign;
      m = mant | 0x800000;
      shift = (guint32) (14 - exp);
      r = m >> shift;
      rem = m & ((1u << shift) - 1);
      half = 1u << (shift - 1);
      if (rem > half || (rem == half && (r & 1)))
        r++;
      return (guint16) (sign | r);
    }
  {
    guint32 r = ((guint32) exp << 10) | (mant >> 13);
    guint32 rem = mant & 0x1fff;

    if (rem > 0x1000 || (rem == 0x1000 && (r & 1)))
      r++; /* may carry into the exponent, which is right (up to inf) */
    return (guint16) (sign | r);
  }
}

float
svd_bf16_to_float (guint16 b)
{
  guint32 bits = (guint32) b << 16;
  float f;

  memcpy (&f, &bits, 4);
  return f;
}

guint16
svd_float_to_bf16 (float f)
{
  guint32 x;

  memcpy (&x, &f, 4);
  if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffff))
    return (guint16) ((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);
  return (guint16) (x >> 16);
}

gsize
svd_dtype_size (SvdStoragePrecision dtype)
{
  return dtype == SVD_STORAGE_FP32 ? 4 : 2;
}

void
svd_convert_to_f32 (SvdStoragePrecision  dtype,
                    const guint8        *src,
                    gsize                n,
                    float               *dst)
{
  switch (dtype)
    {
    case SVD_STORAGE_FP32:
      for (gsize i = 0; i < n; i++)
        {
          guint32 bits = svd_read_u32le (src + 4 * i);

          memcpy (&dst[i], &bits, 4);
        }
      break;
    case SVD_STORAGE_FP16:
      for (gsize i = 0; i < n; i++)
        dst[i] = svd_half_to_float (svd_read_u16le (src + 2 * i));
      break;
    case SVD_STORAGE_BF16:
      for (gsize i = 0; i < n; i++)
        dst[i] = svd_bf16_to_float (svd_read_u16le (src + 2 * i));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- Tensors --------------------------------------------------------- */

void
svd_tensor_free (SvdTensor *tensor)
{
  if (tensor == NULL)
    return;
  g_free (tensor->name);
  g_free (tensor->data);
  g_free (tensor);
}

SvdTensor *
svd_tensor_new_from_le (const char          *name,
                        SvdStoragePrecision  dtype,
                        int                  ndim,
                        const gint64        *shape,
                        const guint8        *data,
                        gsize                n_bytes,
                        GError             **error)
{
  SvdTensor *t;
  gsize n = 1, want;

  if (ndim < 0 || ndim > SVD_TENSOR_MAX_DIMS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Tensor “%s” has %d dimensions; at most %d are supported",
                   name, ndim, SVD_TENSOR_MAX_DIMS);
      return NULL;
    }
  for (int i = 0; i < ndim; i++)
    {
      if (shape[i] < 0 || !g_size_checked_mul (&n, n, (gsize) shape[i]))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Tensor “%s” has an invalid shape (dimension %d is %" G_GINT64_FORMAT ")",
                       name, i, shape[i]);
          return NULL;
        }
    }
  if (!g_size_checked_mul (&want, n, svd_dtype_size (dtype)) || want > SVD_LIMIT_TENSOR_BYTES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Tensor “%s” is too large (%" G_GSIZE_FORMAT " elements)", name, n);
      return NULL;
    }
  if (want != n_bytes)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Tensor “%s”: its shape needs %" G_GSIZE_FORMAT " bytes of %s but the file "
                   "holds %" G_GSIZE_FORMAT, name, want, svd_storage_precision_name (dtype), n_bytes);
      return NULL;
    }

  t = g_new0 (SvdTensor, 1);
  t->name = g_strdup (name);
  t->dtype = dtype;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    t->shape[i] = shape[i];
  t->n_elements = n;
  t->data = g_new (float, MAX (n, 1));
  svd_convert_to_f32 (dtype, data, n, t->data);
  return t;
}

char *
svd_tensor_shape_to_string (const SvdTensor *tensor)
{
  GString *s = g_string_new ("[");

  for (int i = 0; i < tensor->ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", tensor->shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* ---- The dict -------------------------------------------------------- */

SvdStateDict *
svd_state_dict_new (SvdModelFormat    format,
                    SvdStateDictFlags flags)
{
  SvdStateDict *self = g_new0 (SvdStateDict, 1);

  self->ref_count = 1;
  self->format = format;
  self->flags = flags;
  self->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_tensor_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

SvdStateDict *
svd_state_dict_ref (SvdStateDict *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
svd_state_dict_unref (SvdStateDict *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->tensors);
  g_hash_table_unref (self->metadata);
  g_free (self);
}

/* Takes @tensor (freed on failure). Strips `module.`/`netG.` when asked. */
gboolean
svd_state_dict_insert (SvdStateDict *self,
                       SvdTensor    *tensor,
                       GError      **error)
{
  if (self->flags & SVD_STATE_DICT_STRIP_PREFIXES)
    {
      static const char *const prefixes[] = { "module.", "netG." };

      for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
        if (g_str_has_prefix (tensor->name, prefixes[i]))
          {
            char *stripped = g_strdup (tensor->name + strlen (prefixes[i]));

            g_free (tensor->name);
            tensor->name = stripped;
          }
    }
  if (self->tensors->len >= SVD_LIMIT_TENSORS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The file holds more than %d tensors, the limit for a weights file", SVD_LIMIT_TENSORS);
      svd_tensor_free (tensor);
      return FALSE;
    }
  if (g_hash_table_contains (self->by_name, tensor->name))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The key “%s” appears twice in the state dict", tensor->name);
      svd_tensor_free (tensor);
      return FALSE;
    }
  g_ptr_array_add (self->tensors, tensor);
  g_hash_table_insert (self->by_name, tensor->name, tensor);
  return TRUE;
}

void
svd_state_dict_set_meta (SvdStateDict *self,
                         const char   *key,
                         const char   *value)
{
  g_hash_table_insert (self->metadata, g_strdup (key), g_strdup (value));
}

SvdModelFormat
svd_state_dict_get_format (const SvdStateDict *self)
{
  return self->format;
}

guint
svd_state_dict_get_n_tensors (const SvdStateDict *self)
{
  return self->tensors->len;
}

const SvdTensor *
svd_state_dict_get_nth (const SvdStateDict *self,
                        guint               index)
{
  g_return_val_if_fail (index < self->tensors->len, NULL);
  return g_ptr_array_index (self->tensors, index);
}

const SvdTensor *
svd_state_dict_lookup (const SvdStateDict *self,
                       const char         *name)
{
  return g_hash_table_lookup (self->by_name, name);
}

/**
 * svd_state_dict_require:
 * @self: a state dict
 * @name: the key
 * @ndim: the number of dimensions wanted, or -1 for any
 * @shape: (nullable): @ndim sizes; -1 accepts any size
 * @error: return location for an error
 *
 * Looks up a tensor that must exist with a given shape.
 *
 * Returns: (transfer none) (nullable): the tensor, or %NULL with
 *   %SVD_ERROR_MODEL_INVALID naming the key, the shape found and the shape
 *   expected
 */
const SvdTensor *
svd_state_dict_require (const SvdStateDict *self,
                        const char         *name,
                        int                 ndim,
                        const gint64       *shape,
                        GError            **error)
{
  const SvdTensor *t = svd_state_dict_lookup (self, name);
  gboolean ok;

  if (t == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "The state dict has no “%s”", name);
      return NULL;
    }
  if (ndim < 0)
    return t;
  ok = t->ndim == ndim;
  for (int i = 0; ok && shape != NULL && i < ndim; i++)
    if (shape[i] >= 0 && shape[i] != t->shape[i])
      ok = FALSE;
  if (!ok)
    {
      g_autofree char *found = svd_tensor_shape_to_string (t);
      GString *want = g_string_new ("[");

      for (int i = 0; i < ndim; i++)
        {
          if (shape != NULL && shape[i] >= 0)
            g_string_append_printf (want, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
          else
            g_string_append_printf (want, "%s?", i ? ", " : "");
        }
      g_string_append_c (want, ']');
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "“%s” has shape %s; expected %s", name, found, want->str);
      g_string_free (want, TRUE);
      return NULL;
    }
  return t;
}

GHashTable *
svd_state_dict_get_metadata (const SvdStateDict *self)
{
  return self->metadata;
}

/* ---- Loading --------------------------------------------------------- */

/**
 * svd_state_dict_load_from_data:
 * @data: the file's bytes
 * @len: their length
 * @flags: unwrapping and prefix stripping
 * @error: return location for an error
 *
 * Reads a state dict from the bytes of a `.safetensors` file or a `.pth`
 * (zip or legacy torch format), chosen by magic, not by name.
 *
 * Returns: (transfer full) (nullable): the dict
 */
SvdStateDict *
svd_state_dict_load_from_data (const guint8      *data,
                               gsize              len,
                               SvdStateDictFlags  flags,
                               GError           **error)
{
  if (len >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4)
    return svd_pth_parse_zip (data, len, flags, error);
  /* A legacy torch file starts with the pickled magic number:
   * PROTO 2, LONG1 (0x8a) of 10 bytes. */
  if (len >= 3 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5 && data[2] == 0x8a)
    return svd_pth_parse_legacy (data, len, flags, error);
  /* safetensors: 8-byte little-endian header length, then a JSON object. */
  if (len >= 9 && data[8] == '{')
    return svd_safetensors_parse (data, len, flags, error);
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "Not a weights file: expected a PyTorch .pth (zip “PK\\3\\4” or a legacy pickle) "
               "or a .safetensors file (an 8-byte header size then “{”)");
  return NULL;
}

static SvdStateDict *
load_file (const char        *path,
           SvdStateDictFlags  flags,
           GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  SvdStateDict *dict;
  gsize len = 0;
  const guint8 *data;

  /* Only regular files, never a FIFO or a device behind a model's name. */
  bytes = svd_file_map_regular (path, SVD_LIMIT_MODEL_FILE_BYTES, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  dict = svd_state_dict_load_from_data (data, len, flags, &local);
  if (dict == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);

      g_set_error (error, SVD_ERROR, local->code, "%s: %s", base, local->message);
    }
  return dict;
}

/**
 * svd_state_dict_load:
 * @path: a `.pth`, `.pt` or `.safetensors` file
 * @error: return location for an error
 *
 * Loads with %SVD_STATE_DICT_DEFAULT.
 *
 * Returns: (transfer full) (nullable): the dict
 */
SvdStateDict *
svd_state_dict_load (const char  *path,
                     GError     **error)
{
  return load_file (path, SVD_STATE_DICT_DEFAULT, error);
}

SvdStateDict *
svd_state_dict_load_with_flags (const char        *path,
                                SvdStateDictFlags  flags,
                                GError           **error)
{
  return load_file (path, flags, error);
}
