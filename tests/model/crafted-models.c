/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crafted-models"

/* The crafted files of issue #22, each small on disk and each aimed at one
 * limit in app/core/svd-limits.h. Written byte by byte here (zip, deflate
 * with zlib, pickle opcodes, JSON text) so nothing large is checked in. */

#include "crafted-models.h"
#include "model-builders.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

static void
write_file (const char   *dir,
            const char   *name,
            const void   *data,
            gsize         len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

static void
write_bytes (const char *dir,
             const char *name,
             GBytes     *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  write_file (dir, name, data, len);
}

/* ---- Zip with stored and deflated entries ------------------------------ */

typedef struct {
  const char   *name;
  guint16       method;  /* 0 stored, 8 deflated */
  const guint8 *data;    /* what the archive holds (compressed for 8) */
  gsize         len;
  guint32       crc;     /* of the uncompressed bytes */
  guint32       usize;   /* uncompressed size */
} Item;

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
zip_write (const Item *items,
           guint       n)
{
  GByteArray *o = g_byte_array_new ();
  g_autoptr(GByteArray) cd = g_byte_array_new ();
  guint32 cd_start;

  for (guint i = 0; i < n; i++)
    {
      const Item *it = &items[i];
      guint32 off = o->len;
      guint16 nl = strlen (it->name);

      put32 (o, 0x04034b50); put16 (o, 20); put16 (o, 0); put16 (o, it->method); put16 (o, 0); put16 (o, 0);
      put32 (o, it->crc); put32 (o, it->len); put32 (o, it->usize); put16 (o, nl); put16 (o, 0);
      g_byte_array_append (o, (const guint8 *) it->name, nl);
      g_byte_array_append (o, it->data, it->len);

      put32 (cd, 0x02014b50); put16 (cd, 20); put16 (cd, 20); put16 (cd, 0); put16 (cd, it->method);
      put16 (cd, 0); put16 (cd, 0); put32 (cd, it->crc); put32 (cd, it->len); put32 (cd, it->usize);
      put16 (cd, nl); put16 (cd, 0); put16 (cd, 0); put16 (cd, 0); put16 (cd, 0); put32 (cd, 0);
      put32 (cd, off);
      g_byte_array_append (cd, (const guint8 *) it->name, nl);
    }
  cd_start = o->len;
  g_byte_array_append (o, cd->data, cd->len);
  put32 (o, 0x06054b50); put16 (o, 0); put16 (o, 0); put16 (o, n); put16 (o, n);
  put32 (o, cd->len); put32 (o, cd_start); put16 (o, 0);
  return g_byte_array_free_to_bytes (o);
}

/* Raw deflate (as zip stores it) of @len bytes made by repeating @unit,
 * streamed so the uncompressed bytes never exist at once. */
static GBytes *
deflate_repeated (const guint8 *unit,
                  gsize         unit_len,
                  gsize         len,
                  guint32      *crc)
{
  z_stream zs = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree guint8 *chunk = NULL;
  gsize chunk_len = unit_len * ((1 << 20) / unit_len);
  guint8 buf[1 << 16];
  uLong c = crc32 (0, NULL, 0);
  gsize done = 0;

  g_assert_cmpuint (len % unit_len, ==, 0);
  chunk = g_malloc (chunk_len);
  for (gsize i = 0; i < chunk_len; i += unit_len)
    memcpy (chunk + i, unit, unit_len);
  g_assert_cmpint (deflateInit2 (&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  while (TRUE)
    {
      gsize n = MIN (chunk_len, len - done);
      int flush = done + n == len ? Z_FINISH : Z_NO_FLUSH;
      int rc;

      c = crc32 (c, chunk, (uInt) n);
      zs.next_in = chunk;
      zs.avail_in = (uInt) n;
      do
        {
          zs.next_out = buf;
          zs.avail_out = sizeof buf;
          rc = deflate (&zs, flush);
          g_assert_true (rc != Z_STREAM_ERROR);
          g_byte_array_append (out, buf, sizeof buf - zs.avail_out);
        }
      while (zs.avail_out == 0);
      done += n;
      if (flush == Z_FINISH)
        {
          g_assert_cmpint (rc, ==, Z_STREAM_END);
          break;
        }
    }
  deflateEnd (&zs);
  *crc = (guint32) c;
  return g_bytes_new (out->data, out->len);
}

/* ---- Pickle opcodes ----------------------------------------------------- */

static void
op (GByteArray *p,
    guint8      o)
{
  g_byte_array_append (p, &o, 1);
}

static void
str (GByteArray *p,
     const char *s)
{
  op (p, 'X');
  put32 (p, strlen (s));
  g_byte_array_append (p, (const guint8 *) s, strlen (s));
}

static void
binint (GByteArray *p,
        guint32     v)
{
  op (p, 'J');
  put32 (p, v);
}

static void
global (GByteArray *p,
        const char *module,
        const char *name)
{
  op (p, 'c');
  g_byte_array_append (p, (const guint8 *) module, strlen (module));
  op (p, '\n');
  g_byte_array_append (p, (const guint8 *) name, strlen (name));
  op (p, '\n');
}

/* ---- The files ---------------------------------------------------------- */

/* 160 KB: a safetensors header nesting 80,000 arrays (json-glib overflowed
 * its stack on it). */
static void
write_nesting_safetensors (const char *dir,
                           const char *name)
{
  const gsize depth = 80000;
  g_autoptr(GByteArray) o = g_byte_array_new ();
  g_autoptr(GString) h = g_string_new ("{\"a\":");

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (h, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (h, ']');
  g_string_append_c (h, '}');
  put32 (o, h->len);
  put32 (o, 0);
  g_byte_array_append (o, (const guint8 *) h->str, h->len);
  write_file (dir, name, o->data, o->len);
}

/* A 24 MB safetensors header of metadata: allowed by the format (100 MB),
 * it made json-glib build about 1 GB of nodes. */
static void
write_huge_header_safetensors (const char *dir,
                               const char *name)
{
  g_autoptr(GByteArray) o = g_byte_array_new ();
  g_autoptr(GString) h = g_string_sized_new (25 << 20);

  g_string_append (h, "{\"__metadata__\":{");
  for (guint i = 0; h->len < (24u << 20); i++)
    g_string_append_printf (h, "%s\"k%u\":\"v\"", i ? "," : "", i);
  g_string_append (h, "}}");
  put32 (o, h->len);
  put32 (o, 0);
  g_byte_array_append (o, (const guint8 *) h->str, h->len);
  write_file (dir, name, o->data, o->len);
}

/* 20 KB: a torch zip whose deflated data.pkl is `N0` (push None, pop it)
 * ten million times. Every value lived until the end: 2.4 GB. */
static void
write_pickle_bomb (const char *dir,
                   const char *name)
{
  static const guint8 proto[] = { 0x80, 0x02 };
  static const guint8 tail[] = { 'N', '.' };
  const gsize n = 10 * 1000 * 1000;
  g_autoptr(GByteArray) pkl = g_byte_array_new ();
  g_autoptr(GBytes) z = NULL;
  g_autoptr(GBytes) body = NULL;
  z_stream zs = { 0 };
  guint8 *N0 = g_malloc (2 * n);
  Item item = { "bomb/data.pkl", 8 };
  gsize bound;

  /* Small enough to build whole (20 MB), then deflate in one go. */
  for (gsize i = 0; i < n; i++)
    {
      N0[2 * i] = 'N';
      N0[2 * i + 1] = '0';
    }
  g_byte_array_append (pkl, proto, sizeof proto);
  g_byte_array_append (pkl, N0, 2 * n);
  g_byte_array_append (pkl, tail, sizeof tail);
  g_free (N0);
  g_assert_cmpint (deflateInit2 (&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  bound = deflateBound (&zs, pkl->len);
  {
    g_autofree guint8 *out = g_malloc (bound);

    zs.next_in = pkl->data;
    zs.avail_in = pkl->len;
    zs.next_out = out;
    zs.avail_out = bound;
    g_assert_cmpint (deflate (&zs, Z_FINISH), ==, Z_STREAM_END);
    body = g_bytes_new (out, zs.total_out);
    deflateEnd (&zs);
  }
  item.data = g_bytes_get_data (body, &item.len);
  item.crc = crc32 (0, pkl->data, pkl->len);
  item.usize = pkl->len;
  z = zip_write (&item, 1);
  write_bytes (dir, name, z);
}

/* About 1.2 MB: a torch zip whose six storages are each 200 MiB of zeros,
 * deflated, and whose state dict views one element of each. The reader
 * inflated every storage before its budget check looked at the views:
 * 1.2 GB. */
static void
write_zip_bomb (const char *dir,
                const char *name)
{
  enum { N = 6 };
  const guint32 storage_bytes = 200u << 20;
  static const guint8 zero[4] = { 0 };
  g_autoptr(GByteArray) pkl = g_byte_array_new ();
  g_autoptr(GBytes) deflated = NULL;
  g_autoptr(GBytes) z = NULL;
  char *names[N] = { NULL };
  Item items[N + 1];
  guint32 crc;

  op (pkl, 0x80); op (pkl, 2);
  global (pkl, "collections", "OrderedDict"); op (pkl, ')'); op (pkl, 'R');
  op (pkl, '(');
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *key = g_strdup_printf ("%u", i);
      g_autofree char *tensor = g_strdup_printf ("body.%u.bias", 2 * i);

      str (pkl, tensor);
      global (pkl, "torch._utils", "_rebuild_tensor_v2");
      op (pkl, '(');
      op (pkl, '('); str (pkl, "storage"); global (pkl, "torch", "FloatStorage"); str (pkl, key);
      str (pkl, "cpu"); binint (pkl, storage_bytes / 4); op (pkl, 't'); op (pkl, 'Q');
      binint (pkl, 0);
      op (pkl, '('); binint (pkl, 1); op (pkl, 't');
      op (pkl, '('); binint (pkl, 1); op (pkl, 't');
      op (pkl, 0x89);
      global (pkl, "collections", "OrderedDict"); op (pkl, ')'); op (pkl, 'R');
      op (pkl, 't'); op (pkl, 'R');
    }
  op (pkl, 'u'); op (pkl, '.');

  items[0] = (Item) { "bomb/data.pkl", 0, pkl->data, pkl->len, crc32 (0, pkl->data, pkl->len), pkl->len };
  deflated = deflate_repeated (zero, sizeof zero, storage_bytes, &crc);
  for (guint i = 0; i < N; i++)
    {
      names[i] = g_strdup_printf ("bomb/data/%u", i);
      items[i + 1] = (Item) { names[i], 8, NULL, 0, crc, storage_bytes };
      items[i + 1].data = g_bytes_get_data (deflated, &items[i + 1].len);
    }
  z = zip_write (items, N + 1);
  for (guint i = 0; i < N; i++)
    g_free (names[i]);
  write_bytes (dir, name, z);
}

static void
make_fifo (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (mkfifo (path, 0644) != 0)
    g_error ("mkfifo %s: %s", path, g_strerror (errno));
}

static void
make_symlink (const char *dir,
              const char *name,
              const char *target)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (symlink (target, path) != 0)
    g_error ("symlink %s: %s", path, g_strerror (errno));
}

static const CraftedModel models_table[] = {
  { "nesting-80000.safetensors", "deeper than 64 levels", TRUE },
  { "header-24mb.safetensors", "above the limit of 1048576 bytes", TRUE },
  { "pickle-n0-bomb.pth", "more than 262144 values", TRUE },
  { "zip-bomb.pth", "more than 268435456 bytes", TRUE },
  { "global-escapes.pth", "Refused to load", TRUE },
  { "fifo.pth", "FIFO", FALSE },
  { "fifo.safetensors", "FIFO", FALSE },
  { "dev-zero.safetensors", "character device", FALSE },
  { "dev-zero.pth", "character device", FALSE },
  /* The ONNX reader's bombs (tests/model/test-model-hostile.c), so the
   * library meets every kind in one folder. */
  { "onnx-nested-types.onnx", "limit of 32 levels", TRUE },
  { "onnx-nested-graphs.onnx", "limit of 32 levels", TRUE },
  { "onnx-fold-bomb.onnx", "memory limit of 256 MiB", TRUE },
  /* H = W = 2^32 overflowed the fixed-size check to 0 (then SIGFPE); no
   * needle: it loads, as a model with a free input size. */
  { "onnx-input-2p32.onnx", NULL, TRUE },
};

/**
 * crafted_models_list:
 * @n_models: (out): the number of entries
 *
 * Returns: (transfer none): the crafted model files and what refusing each
 *   must say
 */
const CraftedModel *
crafted_models_list (guint *n_models)
{
  *n_models = G_N_ELEMENTS (models_table);
  return models_table;
}

/**
 * crafted_models_write:
 * @dir: an empty folder
 *
 * Writes the crafted model files (crafted_models_list()) and the good
 * model into @dir. Building them takes a few hundred MB for a moment (the
 * 24 MB header, the 20 MB pickle): tests that measure memory write them
 * from a child process.
 */
void
crafted_models_write (const char *dir)
{
  const CraftedModel *table = models_table;
  /* Metadata that would retitle the terminal, clear it, and forge a line
   * of the report if printed raw. */
  static const char *meta =
    "{\"title\":\"\\u001b]0;owned\\u0007\\u001b[2Jcleared\","
    "\"note\":\"line\\nTier:              Forged\\u009b31m\"}";
  g_autoptr(SvdModel) good = mb_random_model (3, 8, 2, 2, 22);
  g_autoptr(GBytes) good_bytes = mb_safetensors (good, SVD_STORAGE_FP16, NULL, meta);
  g_autoptr(GBytes) global_bytes = mb_pickle_calling ("os\x1b]0;owned\x07", "system\x1b[2J", FALSE, FALSE);

  write_bytes (dir, CRAFTED_GOOD_MODEL, good_bytes);
  write_nesting_safetensors (dir, table[0].file);
  write_huge_header_safetensors (dir, table[1].file);
  write_pickle_bomb (dir, table[2].file);
  write_zip_bomb (dir, table[3].file);
  write_bytes (dir, table[4].file, global_bytes);
  make_fifo (dir, table[5].file);
  make_fifo (dir, table[6].file);
  make_symlink (dir, table[7].file, "/dev/zero");
  make_symlink (dir, table[8].file, "/dev/zero");
  {
    g_autoptr(GBytes) types = mb_onnx_nested_types (5000);
    g_autoptr(GBytes) graphs = mb_onnx_nested_graphs (8000);
    g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 23);
    MbOnnxOptions fold = { .shuffle = MB_SHUFFLE_DCR, .fold_bomb_adds = 200 };
    MbOnnxOptions huge = { .shuffle = MB_SHUFFLE_DCR, .input_h = (gint64) 1 << 32, .input_w = (gint64) 1 << 32 };
    g_autoptr(GBytes) fold_bytes = mb_onnx (m, &fold);
    g_autoptr(GBytes) huge_bytes = mb_onnx (m, &huge);

    write_bytes (dir, table[9].file, types);
    write_bytes (dir, table[10].file, graphs);
    write_bytes (dir, table[11].file, fold_bytes);
    write_bytes (dir, table[12].file, huge_bytes);
  }
}

static const CraftedModel presets_table[] = {
  { "nesting-100000.json", "deeper than 64 levels", TRUE },
  { "huge.json", "above the limit of 1048576 bytes", TRUE },
  { "fifo.json", "FIFO", FALSE },
  { "dev-zero.json", "character device", FALSE },
  /* Without .json the CLI sniffs the first bytes to tell a preset from a
   * model. */
  { "fifo-without-suffix", "FIFO", FALSE },
};

/**
 * crafted_presets_list:
 * @n_presets: (out): the number of entries
 *
 * Returns: (transfer none): the crafted chain presets and what refusing
 *   each must say
 */
const CraftedModel *
crafted_presets_list (guint *n_presets)
{
  *n_presets = G_N_ELEMENTS (presets_table);
  return presets_table;
}

/**
 * crafted_presets_write:
 * @dir: a folder
 *
 * Writes the crafted chain presets (crafted_presets_list()) into @dir.
 */
void
crafted_presets_write (const char *dir)
{
  const CraftedModel *table = presets_table;
  const gsize depth = 100000;
  g_autoptr(GString) nest = g_string_new ("{\"format\":\"svd-studio-chain\",\"version\":1,\"steps\":");
  g_autoptr(GString) huge = g_string_new ("{\"format\":\"svd-studio-chain\",\"version\":1,\"name\":\"");

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (nest, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (nest, ']');
  g_string_append_c (nest, '}');
  write_file (dir, table[0].file, nest->str, nest->len);
  while (huge->len < (2u << 20))
    g_string_append (huge, "padding padding padding padding ");
  g_string_append (huge, "\"}");
  write_file (dir, table[1].file, huge->str, huge->len);
  make_fifo (dir, table[2].file);
  make_symlink (dir, table[3].file, "/dev/zero");
  make_fifo (dir, table[4].file);
}
