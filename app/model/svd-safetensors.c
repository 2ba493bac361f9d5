/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-safetensors"

/* safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * (an object: tensor name -> {dtype, shape, data_offsets}, plus an optional
 * "__metadata__" object of strings), then the data. Offsets are relative to
 * the end of the header. Everything the header claims is checked against
 * the file before a byte of data is read. */

#include "svd-model-private.h"
#include "core/svd-error.h"
#include "core/svd-json-depth.h"
#include "core/svd-limits.h"

#include <json-glib/json-glib.h>

typedef struct {
  const char *name;
  guint64     begin;
  guint64     end;
} Span;

static int
span_cmp (gconstpointer a,
          gconstpointer b)
{
  const Span *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

static gboolean
get_uint (JsonNode  *node,
          guint64   *out)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0)
    return FALSE;
  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_dtype (const char          *s,
             SvdStoragePrecision *out)
{
  if (g_strcmp0 (s, "F32") == 0)
    *out = SVD_STORAGE_FP32;
  else if (g_strcmp0 (s, "F16") == 0)
    *out = SVD_STORAGE_FP16;
  else if (g_strcmp0 (s, "BF16") == 0)
    *out = SVD_STORAGE_BF16;
  else
    return FALSE;
  return TRUE;
}

SvdStateDict *
svd_safetensors_parse (const guint8      *data,
                       gsize              len,
                       SvdStateDictFlags  flags,
                       GError           **error)
{
  g_autoptr(SvdStateDict) dict = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GList) members = NULL;
  SvdCursor cur;
  guint64 header_len;
  const guint8 *header, *payload;
  gsize payload_len;
  JsonNode *root;
  JsonObject *obj;

  svd_cursor_init (&cur, data, len);
  if (!svd_cursor_u64le (&cur, &header_len))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors file is truncated: %" G_GSIZE_FORMAT " bytes, too short for the "
                   "8-byte header size", len);
      return NULL;
    }
  /* Headers of real models are a few KiB; the format's own 100 MB limit
   * lets json-glib build gigabytes of nodes (see svd-limits.h). */
  if (header_len > SVD_LIMIT_SAFETENSORS_HEADER_BYTES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header claims %" G_GUINT64_FORMAT " bytes, above the limit of %"
                   G_GSIZE_FORMAT " bytes for a model header (real ones are a few KiB)",
                   header_len, SVD_LIMIT_SAFETENSORS_HEADER_BYTES);
      return NULL;
    }
  if (header_len > svd_cursor_remaining (&cur))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header claims %" G_GUINT64_FORMAT " bytes but the file has only "
                   "%" G_GSIZE_FORMAT " after the size field (truncated or not safetensors)",
                   header_len, svd_cursor_remaining (&cur));
      return NULL;
    }
  header = svd_cursor_take (&cur, (gsize) header_len);
  payload = data + cur.pos;
  payload_len = svd_cursor_remaining (&cur);

  if (header_len < 2 || header[0] != '{')
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header is not a JSON object");
      return NULL;
    }
  /* json-glib wants text without NULs; a NUL inside the header is invalid. */
  if (memchr (header, 0, header_len) != NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header contains a NUL byte");
      return NULL;
    }
  /* json-glib recurses per nesting level: check the depth first. */
  if (!svd_json_check_depth ((const char *) header, (gssize) header_len, SVD_LIMIT_JSON_DEPTH,
                             "The safetensors header", error))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) header, (gssize) header_len, &local))
    {
      g_autofree char *shown = svd_json_error_text (local);

      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header is not well-formed JSON: %s", shown);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header is not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  if (json_object_get_size (obj) > SVD_LIMIT_TENSORS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "safetensors header lists %u entries, above the limit of %d tensors",
                   json_object_get_size (obj), SVD_LIMIT_TENSORS);
      return NULL;
    }

  dict = svd_state_dict_new (SVD_MODEL_FORMAT_SAFETENSORS, flags);
  spans = g_array_new (FALSE, FALSE, sizeof (Span));
  members = json_object_get_members (obj);

  /* First pass: validate every entry and collect its byte span. */
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      JsonObject *t;
      JsonArray *shape, *offs;
      const char *dtype_s;
      SvdStoragePrecision dtype;
      Span span;
      guint64 dim;
      gsize numel = 1, nbytes;

      /* json-glib turns an unpaired surrogate escape ("\ud800") into bytes
       * that are not UTF-8, which the header's own UTF-8 could not show. */
      if (!g_utf8_validate (name, -1, NULL))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors header names a tensor with text that is not UTF-8 (an unpaired \\u escape)");
          return NULL;
        }
      if (g_strcmp0 (name, "__metadata__") == 0)
        {
          g_autoptr(GList) keys = NULL;
          JsonObject *meta;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           "safetensors “__metadata__” is not an object");
              return NULL;
            }
          meta = json_node_get_object (node);
          if (json_object_get_size (meta) > SVD_LIMIT_METADATA_ENTRIES)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           "safetensors “__metadata__” has %u entries, above the limit of %d",
                           json_object_get_size (meta), SVD_LIMIT_METADATA_ENTRIES);
              return NULL;
            }
          keys = json_object_get_members (meta);
          for (GList *k = keys; k != NULL; k = k->next)
            {
              JsonNode *v = json_object_get_member (meta, k->data);

              if (!g_utf8_validate (k->data, -1, NULL))
                {
                  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                               "safetensors metadata has a key that is not UTF-8 (an unpaired \\u escape)");
                  return NULL;
                }
              if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
                {
                  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                               "safetensors metadata “%s” is not a string", (char *) k->data);
                  return NULL;
                }
              if (!g_utf8_validate (json_node_get_string (v), -1, NULL))
                {
                  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                               "safetensors metadata “%s” is not UTF-8 text (an unpaired \\u escape)",
                               (char *) k->data);
                  return NULL;
                }
              svd_state_dict_set_meta (dict, k->data, json_node_get_string (v));
            }
          continue;
        }

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors entry “%s” is not an object", name);
          return NULL;
        }
      t = json_node_get_object (node);
      dtype_s = json_object_has_member (t, "dtype") &&
                JSON_NODE_HOLDS_VALUE (json_object_get_member (t, "dtype")) &&
                json_node_get_value_type (json_object_get_member (t, "dtype")) == G_TYPE_STRING ?
                json_object_get_string_member (t, "dtype") : NULL;
      if (dtype_s == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors entry “%s” has no dtype string", name);
          return NULL;
        }
      if (!g_utf8_validate (dtype_s, -1, NULL))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors entry “%s” has a dtype that is not UTF-8 text", name);
          return NULL;
        }
      if (!parse_dtype (dtype_s, &dtype))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "safetensors tensor “%s” has dtype %s; supported: F32, F16, BF16",
                       name, dtype_s);
          return NULL;
        }
      if (!json_object_has_member (t, "shape") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (t, "shape")) ||
          !json_object_has_member (t, "data_offsets") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (t, "data_offsets")))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors entry “%s” lacks a “shape” or “data_offsets” array", name);
          return NULL;
        }
      shape = json_object_get_array_member (t, "shape");
      offs = json_object_get_array_member (t, "data_offsets");
      if (json_array_get_length (shape) > SVD_TENSOR_MAX_DIMS)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "safetensors tensor “%s” has %u dimensions; at most %d are supported",
                       name, json_array_get_length (shape), SVD_TENSOR_MAX_DIMS);
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (shape); i++)
        if (!get_uint (json_array_get_element (shape, i), &dim) ||
            dim > G_MAXINT64 || !g_size_checked_mul (&numel, numel, (gsize) dim))
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                         "safetensors tensor “%s” has an invalid shape (dimension %u)", name, i);
            return NULL;
          }
      if (json_array_get_length (offs) != 2 ||
          !get_uint (json_array_get_element (offs, 0), &span.begin) ||
          !get_uint (json_array_get_element (offs, 1), &span.end) || span.begin > span.end)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors tensor “%s” has invalid data_offsets (need [begin, end] "
                       "with begin ≤ end)", name);
          return NULL;
        }
      if (span.end > payload_len)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors tensor “%s”: data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                       "] are out of range; the data section has %" G_GSIZE_FORMAT " bytes",
                       name, span.begin, span.end, payload_len);
          return NULL;
        }
      if (!g_size_checked_mul (&nbytes, numel, svd_dtype_size (dtype)) || nbytes != span.end - span.begin)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors tensor “%s”: shape × %s size does not match its %" G_GUINT64_FORMAT
                       " bytes", name, dtype_s, span.end - span.begin);
          return NULL;
        }
      span.name = name;
      g_array_append_val (spans, span);
    }

  /* Overlapping tensors would alias; the format forbids it. */
  g_array_sort (spans, span_cmp);
  for (guint i = 1; i < spans->len; i++)
    {
      const Span *a = &g_array_index (spans, Span, i - 1);
      const Span *b = &g_array_index (spans, Span, i);

      if (b->begin < a->end)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "safetensors tensors “%s” and “%s” overlap (bytes %" G_GUINT64_FORMAT "–%"
                       G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT ")",
                       a->name, b->name, a->begin, a->end, b->begin, b->end);
          return NULL;
        }
    }

  /* Second pass, in file order: convert. */
  for (guint i = 0; i < spans->len; i++)
    {
      const Span *s = &g_array_index (spans, Span, i);
      JsonObject *t = json_object_get_object_member (obj, s->name);
      JsonArray *shape = json_object_get_array_member (t, "shape");
      gint64 dims[SVD_TENSOR_MAX_DIMS];
      SvdStoragePrecision dtype = SVD_STORAGE_FP32;
      SvdTensor *tensor;
      int ndim = (int) json_array_get_length (shape);

      parse_dtype (json_object_get_string_member (t, "dtype"), &dtype);
      for (int d = 0; d < ndim; d++)
        dims[d] = json_array_get_int_element (shape, d);
      tensor = svd_tensor_new_from_le (s->name, dtype, ndim, dims, payload + s->begin,
                                       (gsize) (s->end - s->begin), error);
      if (tensor == NULL || !svd_state_dict_insert (dict, tensor, error))
        return NULL;
    }
  return g_steal_pointer (&dict);
}
