/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-pth"

/* PyTorch .pth files in both layouts torch.save() has used:
 *
 * - zip (torch >= 1.6): `<prefix>/data.pkl` holds the pickled object; each
 *   storage is the entry `<prefix>/data/<key>`. The prefix is the archive
 *   name the writer chose and varies. torch stores entries uncompressed
 *   (and may add zip64 records), other tools re-zip them with deflate.
 * - legacy: five pickles back to back (magic number, protocol version, sys
 *   info, the object, the list of storage keys), then each storage in that
 *   order as an 8-byte little-endian element count and the raw elements.
 *
 * Both go through the restricted unpickler in svd-pickle.c. */

#include "svd-pickle.h"
#include "svd-model-private.h"
#include "core/svd-error.h"

#include <zlib.h>


typedef struct {
  char    *name;
  guint16  method;
  guint32  crc;
  guint64  csize;
  guint64  usize;
  guint64  local_offset;
} ZipEntry;

typedef struct {
  const guint8 *data;
  gsize         len;
  GHashTable   *entries;   /* name -> ZipEntry* */
  GHashTable   *inflated;  /* name -> GBytes* (deflated entries, inflated once) */
  char         *prefix;    /* "archive/" up to and including the slash */
  gsize         inflated_bytes; /* declared sizes of the entries inflated so far */
} Zip;

static void
zip_entry_free (ZipEntry *e)
{
  g_free (e->name);
  g_free (e);
}

static void
zip_clear (Zip *z)
{
  g_clear_pointer (&z->entries, g_hash_table_unref);
  g_clear_pointer (&z->inflated, g_hash_table_unref);
  g_clear_pointer (&z->prefix, g_free);
}

static gboolean
zip_fail (GError    **error,
          const char *what)
{
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "PyTorch zip archive is damaged or truncated: %s", what);
  return FALSE;
}

/* Reads the zip64 extra field (id 1) for the values the 32-bit fields marked
 * as 0xffffffff, in the order the spec lists them. */
static gboolean
zip64_extra (const guint8 *extra,
             gsize         len,
             guint64      *usize,
             guint64      *csize,
             guint64      *offset)
{
  SvdCursor c;

  svd_cursor_init (&c, extra, len);
  while (svd_cursor_remaining (&c) >= 4)
    {
      guint16 id = 0, size = 0;
      const guint8 *body;
      SvdCursor b;

      svd_cursor_u16le (&c, &id);
      svd_cursor_u16le (&c, &size);
      if ((body = svd_cursor_take (&c, size)) == NULL)
        return FALSE;
      if (id != 1)
        continue;
      svd_cursor_init (&b, body, size);
      if (*usize == 0xffffffffu && !svd_cursor_u64le (&b, usize))
        return FALSE;
      if (*csize == 0xffffffffu && !svd_cursor_u64le (&b, csize))
        return FALSE;
      if (*offset == 0xffffffffu && !svd_cursor_u64le (&b, offset))
        return FALSE;
      return TRUE;
    }
  return TRUE;
}

static gboolean
zip_open (Zip          *z,
          const guint8 *data,
          gsize         len,
          GError      **error)
{
  gsize eocd = G_MAXSIZE, lo;
  SvdCursor c;
  guint16 n16 = 0, cd_entries16 = 0;
  guint32 cd_size32 = 0, cd_offset32 = 0;
  guint64 n_entries = 0, cd_size = 0, cd_offset = 0;

  z->data = data;
  z->len = len;
  z->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) zip_entry_free);
  z->inflated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);

  /* The end-of-central-directory record is the last 22 bytes plus a
   * comment of at most 65535 bytes. */
  if (len < 22)
    return zip_fail (error, "no end-of-central-directory record");
  lo = len > 22 + 65535 ? len - 22 - 65535 : 0;
  for (gsize p = len - 22 + 1; p-- > lo;)
    if (svd_read_u32le (data + p) == 0x06054b50u)
      {
        eocd = p;
        break;
      }
  if (eocd == G_MAXSIZE)
    return zip_fail (error, "no end-of-central-directory record");

  svd_cursor_init (&c, data + eocd + 8, 14);
  svd_cursor_u16le (&c, &n16);          /* entries on this disk */
  svd_cursor_u16le (&c, &cd_entries16); /* total entries */
  svd_cursor_u32le (&c, &cd_size32);
  svd_cursor_u32le (&c, &cd_offset32);
  n_entries = cd_entries16;
  cd_size = cd_size32;
  cd_offset = cd_offset32;

  /* zip64: a locator sits just before the EOCD and points at the zip64
   * EOCD record, which holds the 64-bit values. */
  if (eocd >= 20 && svd_read_u32le (data + eocd - 20) == 0x07064b50u)
    {
      guint64 rec = 0;
      guint32 sig = 0;

      svd_cursor_init (&c, data + eocd - 20 + 8, 8);
      svd_cursor_u64le (&c, &rec);
      if (rec > len || len - rec < 56)
        return zip_fail (error, "the zip64 record is out of range");
      svd_cursor_init (&c, data + rec, 56);
      svd_cursor_u32le (&c, &sig);
      if (sig != 0x06064b50u)
        return zip_fail (error, "the zip64 record has a bad signature");
      c.pos = 32;
      svd_cursor_u64le (&c, &n_entries);
      svd_cursor_u64le (&c, &cd_size);
      svd_cursor_u64le (&c, &cd_offset);
    }

  if (n_entries > SVD_LIMIT_ZIP_ENTRIES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "PyTorch zip archive lists %" G_GUINT64_FORMAT " entries, above the limit of %d",
                   n_entries, SVD_LIMIT_ZIP_ENTRIES);
      return FALSE;
    }
  if (cd_offset > len || cd_size > len - cd_offset)
    return zip_fail (error, "the central directory lies outside the file");

  svd_cursor_init (&c, data + cd_offset, (gsize) cd_size);
  for (guint64 i = 0; i < n_entries; i++)
    {
      guint32 sig = 0, crc = 0, csize32 = 0, usize32 = 0, offset32 = 0;
      guint16 method = 0, nlen = 0, xlen = 0, clen = 0, flags = 0;
      const guint8 *name, *extra;
      ZipEntry *e;

      if (!svd_cursor_u32le (&c, &sig) || sig != 0x02014b50u)
        return zip_fail (error, "a central directory entry is missing");
      if (svd_cursor_remaining (&c) < 42)
        return zip_fail (error, "a central directory entry is truncated");
      c.pos += 4; /* versions */
      svd_cursor_u16le (&c, &flags);
      svd_cursor_u16le (&c, &method);
      c.pos += 4; /* time, date */
      svd_cursor_u32le (&c, &crc);
      svd_cursor_u32le (&c, &csize32);
      svd_cursor_u32le (&c, &usize32);
      svd_cursor_u16le (&c, &nlen);
      svd_cursor_u16le (&c, &xlen);
      svd_cursor_u16le (&c, &clen);
      c.pos += 8; /* disk, attributes */
      svd_cursor_u32le (&c, &offset32);
      if ((name = svd_cursor_take (&c, nlen)) == NULL || (extra = svd_cursor_take (&c, xlen)) == NULL ||
          svd_cursor_take (&c, clen) == NULL)
        return zip_fail (error, "a central directory entry is truncated");
      if (flags & 1)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "PyTorch zip archive holds encrypted entries");
          return FALSE;
        }
      e = g_new0 (ZipEntry, 1);
      e->name = g_strndup ((const char *) name, nlen);
      e->method = method;
      e->crc = crc;
      e->csize = csize32;
      e->usize = usize32;
      e->local_offset = offset32;
      if (!zip64_extra (extra, xlen, &e->usize, &e->csize, &e->local_offset))
        {
          zip_entry_free (e);
          return zip_fail (error, "a zip64 extra field is truncated");
        }
      g_hash_table_replace (z->entries, e->name, e);
    }
  return TRUE;
}

static guint32
crc_of (const guint8 *p,
        gsize         n)
{
  uLong crc = crc32 (0, NULL, 0);

  while (n > 0)
    {
      uInt chunk = (uInt) MIN (n, (gsize) 1 << 30);

      crc = crc32 (crc, p, chunk);
      p += chunk;
      n -= chunk;
    }
  return (guint32) crc;
}

/* Finds an entry's bytes; inflates deflated entries once. */
static gboolean
zip_read (Zip           *z,
          const char    *name,
          const guint8 **out,
          gsize         *out_len,
          GError       **error)
{
  ZipEntry *e = g_hash_table_lookup (z->entries, name);
  SvdCursor c;
  guint32 sig = 0;
  guint16 nlen = 0, xlen = 0;
  const guint8 *payload;
  GBytes *cached;

  if (e == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "PyTorch zip archive has no entry “%s”", name);
      return FALSE;
    }
  if ((cached = g_hash_table_lookup (z->inflated, name)) != NULL)
    {
      *out = g_bytes_get_data (cached, out_len);
      return TRUE;
    }
  if (e->local_offset > z->len || z->len - e->local_offset < 30)
    return zip_fail (error, "a local header lies outside the file");
  svd_cursor_init (&c, z->data + e->local_offset, z->len - e->local_offset);
  svd_cursor_u32le (&c, &sig);
  if (sig != 0x04034b50u)
    return zip_fail (error, "a local header has a bad signature");
  c.pos = 26;
  svd_cursor_u16le (&c, &nlen);
  svd_cursor_u16le (&c, &xlen);
  if (svd_cursor_take (&c, (gsize) nlen + xlen) == NULL ||
      e->csize > svd_cursor_remaining (&c))
    return zip_fail (error, "an entry's data lies outside the file");
  payload = svd_cursor_take (&c, (gsize) e->csize);

  if (e->method == 0)
    {
      if (e->csize != e->usize)
        return zip_fail (error, "a stored entry's sizes disagree");
      if (crc_of (payload, (gsize) e->csize) != e->crc)
        return zip_fail (error, "a stored entry's CRC does not match its data");
      *out = payload;
      *out_len = (gsize) e->csize;
      return TRUE;
    }
  if (e->method == 8)
    {
      z_stream zs = { 0 };
      guint8 *buf;
      gsize total;
      int rc;

      /* The budget covers every entry inflated from this archive and is
       * checked on the declared size before the buffer exists; inflating
       * must then produce exactly that size. */
      if (!g_size_checked_add (&total, z->inflated_bytes, (gsize) e->usize) ||
          total > SVD_LIMIT_ZIP_INFLATE_BYTES)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "PyTorch zip archive inflates to more than %" G_GSIZE_FORMAT " bytes (at “%s”, "
                       "which claims %" G_GUINT64_FORMAT " bytes): above the limit for a compressed model",
                       SVD_LIMIT_ZIP_INFLATE_BYTES, name, e->usize);
          return FALSE;
        }
      /* deflate cannot expand more than ~1032:1; larger claims are lies. */
      if (e->usize / 1032 > e->csize + 1)
        return zip_fail (error, "a compressed entry claims an impossible size");
      z->inflated_bytes = total;
      if (inflateInit2 (&zs, -MAX_WBITS) != Z_OK)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "zlib could not start");
          return FALSE;
        }
      buf = g_try_malloc (MAX (e->usize, 1));
      if (buf == NULL)
        {
          inflateEnd (&zs);
          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                       "No memory to inflate %" G_GUINT64_FORMAT " bytes of “%s”", e->usize, name);
          return FALSE;
        }
      zs.next_in = (Bytef *) payload;
      zs.avail_in = (uInt) MIN (e->csize, G_MAXUINT32);
      zs.next_out = buf;
      zs.avail_out = (uInt) e->usize;
      rc = inflate (&zs, Z_FINISH);
      inflateEnd (&zs);
      if (rc != Z_STREAM_END || zs.total_out != e->usize ||
          crc_of (buf, (gsize) e->usize) != e->crc)
        {
          g_free (buf);
          return zip_fail (error, "a compressed entry does not inflate to its recorded size and CRC");
        }
      cached = g_bytes_new_take (buf, (gsize) e->usize);
      g_hash_table_insert (z->inflated, g_strdup (name), cached);
      *out = g_bytes_get_data (cached, out_len);
      return TRUE;
    }
  g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
               "PyTorch zip entry “%s” uses compression method %u; only stored (0) and deflate (8) "
               "are supported", name, e->method);
  return FALSE;
}

static gboolean
zip_resolve (gpointer        user_data,
             const char     *key,
             const guint8  **data,
             gsize          *len,
             GError        **error)
{
  Zip *z = user_data;
  g_autofree char *name = g_strconcat (z->prefix, "data/", key, NULL);

  return zip_read (z, name, data, len, error);
}

SvdStateDict *
svd_pth_parse_zip (const guint8      *data,
                   gsize              len,
                   SvdStateDictFlags  flags,
                   GError           **error)
{
  Zip z = { 0 };
  g_autoptr(SvdPickle) pickle = svd_pickle_new ();
  SvdStateDict *dict = NULL;
  SvdPickleValue *root;
  const guint8 *pkl, *bo;
  gsize pkl_len, bo_len, consumed;
  GHashTableIter it;
  gpointer key;
  g_autofree char *pkl_name = NULL;
  g_autofree char *bo_name = NULL;

  if (!zip_open (&z, data, len, error))
    goto out;

  /* The one entry named "<prefix>/data.pkl" fixes the prefix. */
  g_hash_table_iter_init (&it, z.entries);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      const char *slash = strchr (key, '/');

      if (slash != NULL && strcmp (slash, "/data.pkl") == 0 && z.prefix == NULL)
        z.prefix = g_strndup (key, slash - (const char *) key + 1);
    }
  if (z.prefix == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The zip archive has no “data.pkl”: not a PyTorch file");
      goto out;
    }
  bo_name = g_strconcat (z.prefix, "byteorder", NULL);
  if (g_hash_table_contains (z.entries, bo_name))
    {
      if (!zip_read (&z, bo_name, &bo, &bo_len, error))
        goto out;
      if (!(bo_len == 6 && memcmp (bo, "little", 6) == 0))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "The PyTorch file was saved big-endian; only little-endian files are supported");
          goto out;
        }
    }
  pkl_name = g_strconcat (z.prefix, "data.pkl", NULL);
  if (!zip_read (&z, pkl_name, &pkl, &pkl_len, error))
    goto out;
  if ((root = svd_pickle_load (pickle, pkl, pkl_len, &consumed, error)) == NULL)
    goto out;
  dict = svd_pickle_to_state_dict (root, SVD_MODEL_FORMAT_PTH, flags, zip_resolve, &z,
                                   (gsize) 16 * len + (1 << 20), error);

out:
  zip_clear (&z);
  return dict;
}

/* ---- Legacy ------------------------------------------------------------ */

typedef struct {
  GHashTable *storages; /* key -> GBytes* (views into the file) */
} Legacy;

static gboolean
legacy_resolve (gpointer        user_data,
                const char     *key,
                const guint8  **data,
                gsize          *len,
                GError        **error)
{
  Legacy *l = user_data;
  GBytes *b = g_hash_table_lookup (l->storages, key);

  if (b == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Legacy PyTorch file has no data for storage “%s”", key);
      return FALSE;
    }
  *data = g_bytes_get_data (b, len);
  return TRUE;
}

/* Collects every storage the object references, with its element type. */
static void
collect_storages (SvdPickleValue *v,
                  GHashTable     *types,
                  GHashTable     *seen,
                  int             depth)
{
  if (depth > 32 || !g_hash_table_add (seen, v))
    return;
  if (v->kind == SVD_PV_TENSOR && v->storage != NULL)
    g_hash_table_insert (types, v->storage->str, v->storage);
  if (v->items != NULL)
    for (guint i = 0; i < v->items->len; i++)
      collect_storages (g_ptr_array_index (v->items, i), types, seen, depth + 1);
}

static const guint8 legacy_magic[10] = { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

SvdStateDict *
svd_pth_parse_legacy (const guint8      *data,
                      gsize              len,
                      SvdStateDictFlags  flags,
                      GError           **error)
{
  g_autoptr(SvdPickle) pickle = svd_pickle_new ();
  g_autoptr(GHashTable) types = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  Legacy l = { 0 };
  SvdPickleValue *magic, *proto, *info, *root, *keys, *le;
  SvdStateDict *dict = NULL;
  gsize pos = 0, consumed = 0;

  l.storages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);

#define NEXT_PICKLE(var)                                                              \
  G_STMT_START {                                                                      \
    if ((var = svd_pickle_load (pickle, data + pos, len - pos, &consumed, error)) == NULL) \
      goto out;                                                                       \
    pos += consumed;                                                                  \
  } G_STMT_END

  NEXT_PICKLE (magic);
  if (magic->kind != SVD_PV_BIGINT || magic->len != 10 || memcmp (magic->str, legacy_magic, 10) != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Not a PyTorch file: the legacy magic number is wrong");
      goto out;
    }
  NEXT_PICKLE (proto);
  if (proto->kind != SVD_PV_INT || proto->i != 1001)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Legacy PyTorch protocol version is not 1001");
      goto out;
    }
  NEXT_PICKLE (info);
  le = NULL;
  if (info->kind == SVD_PV_DICT)
    for (guint i = 0; i + 1 < info->items->len; i += 2)
      {
        SvdPickleValue *k = g_ptr_array_index (info->items, i);

        if (k->kind == SVD_PV_STR && strcmp (k->str, "little_endian") == 0)
          le = g_ptr_array_index (info->items, i + 1);
      }
  if (le == NULL || le->kind != SVD_PV_BOOL || !le->i)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The legacy PyTorch file is not marked little-endian");
      goto out;
    }
  NEXT_PICKLE (root);
  NEXT_PICKLE (keys);
  if (keys->kind != SVD_PV_LIST)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "Legacy PyTorch storage key list is a %s, not a list",
                   keys->kind == SVD_PV_TUPLE ? "tuple" : "value");
      goto out;
    }
  collect_storages (root, types, seen, 0);

  /* The storages follow in key-list order, each as a count then data. */
  for (guint i = 0; i < keys->items->len; i++)
    {
      SvdPickleValue *k = g_ptr_array_index (keys->items, i);
      SvdPickleValue *st;
      SvdCursor c;
      guint64 count;
      gsize nbytes;
      const guint8 *p;

      if (k->kind != SVD_PV_STR || (st = g_hash_table_lookup (types, k->str)) == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Legacy PyTorch file lists a storage no tensor uses");
          goto out;
        }
      svd_cursor_init (&c, data + pos, len - pos);
      if (!svd_cursor_u64le (&c, &count) || count > G_MAXSIZE ||
          !g_size_checked_mul (&nbytes, (gsize) count, svd_dtype_size (st->dtype)) ||
          (p = svd_cursor_take (&c, nbytes)) == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "Legacy PyTorch file is truncated in storage %u of %u", i + 1, keys->items->len);
          goto out;
        }
      g_hash_table_replace (l.storages, g_strdup (k->str), g_bytes_new_static (p, nbytes));
      pos += c.pos;
    }
  dict = svd_pickle_to_state_dict (root, SVD_MODEL_FORMAT_PTH_LEGACY, flags, legacy_resolve, &l,
                                   (gsize) 16 * len + (1 << 20), error);
#undef NEXT_PICKLE

out:
  g_hash_table_unref (l.storages);
  return dict;
}
