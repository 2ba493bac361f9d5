/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes seed corpora with the library's own writers, so that no seed file
 * is kept in the tree:
 *   fuzz-seeds PRESET_DIR CONF_DIR [ONNX_DIR SAFETENSORS_DIR [PTH_DIR PICKLE_DIR]]
 * The optional ONNX and safetensors seeds are tiny models (nf 1 to 4): the
 * shared models are 100 KB to 2 MB, which libFuzzer mutates at a few hundred
 * executions a second, and cut to a small -max_len they no longer parse. A
 * whole tiny model keeps every structural path reachable at thousands of
 * executions a second. With PTH_DIR and PICKLE_DIR, nesting and size bombs
 * (scaled to the targets' -max_len) are added to every model corpus and to
 * the presets, so the fuzzers start next to the limits of
 * app/core/svd-limits.h (issue #22).
 *   fuzz-seeds --more PNG_DIR MATRIX_DIR CHOICE_DIR
 * writes the seeds of the PNG, benchmark matrix and conv-choice.ini
 * targets: PNGs of every colour type, depth and interlacing (our writer
 * for RGB; the others built chunk by chunk with their CRCs, which libpng
 * checks, so mutations of the header still reach the decoder), images
 * just over SVD_LIMIT_PNG_PIXELS and SVD_PNG_MAX_SIDE; a results file from the library's
 * writer, one with members of the wrong types and one nested past
 * SVD_LIMIT_JSON_DEPTH; and conv-choice files as the engine stores them. */
#include <glib/gstdio.h>
#include <zlib.h>
#include <string.h>

#include "svd-config.h"
#include "core/svd-limits.h"
#include "core/svd-png.h"
#include "engine/svd-winograd-cl.h"
#include "export/svd-animejanai.h"
#include "tiers/svd-bench-matrix.h"
#include "export/svd-onnx-export.h"
#include "model/svd-preset.h"
#include "../model/model-builders.h"

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    g_error ("%s", error->message);
}

static void
add_model (SvdChain   *chain,
           int         nf,
           int         num_conv,
           int         scale,
           const char *path,
           const char *sha)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_new (3, 3, nf, num_conv, scale, &error);
  SvdChainStep *s;

  if (m == NULL || !svd_chain_add_model (chain, m, &error))
    g_error ("%s", error->message);
  svd_model_unref (m);
  s = g_ptr_array_index (chain->steps, chain->steps->len - 1);
  g_free (s->path);
  s->path = g_strdup (path);
  g_free (s->abs_path);
  s->abs_path = g_canonicalize_filename (path, "/seed");
  g_free (s->sha256);
  s->sha256 = g_strdup (sha);
}

static void
write_bytes (const char *dir,
             const char *name,
             GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents (path, data, len, &error))
    g_error ("%s", error->message);
}

/* A tiny SRVGGNetCompact model with small distinct weights (all zeros would
 * let the readers skip paths that look at values, e.g. fp16 ranges). */
static SvdModel *
tiny_model (int                  nf,
            int                  num_conv,
            int                  scale,
            SvdActivation        act)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_new (3, 3, nf, num_conv, scale, &error);

  if (m == NULL)
    g_error ("%s", error->message);
  m->activation = act;
  for (int l = 0; l < m->n_layers; l++)
    {
      SvdConvLayer *c = &m->layers[l];
      gsize nw = (gsize) c->out_ch * c->in_ch * 9;

      for (gsize i = 0; i < nw; i++)
        c->weight[i] = (float) ((int) ((i * 7 + l) % 13) - 6) / 16.0f;
      for (int o = 0; o < c->out_ch; o++)
        c->bias[o] = (float) (o - l) / 32.0f;
      if (c->slope != NULL)
        for (int o = 0; o < c->out_ch; o++)
          c->slope[o] = act == SVD_ACTIVATION_RELU ? 0.0f : 0.25f;
    }
  return m;
}

/* The same model as a safetensors state dict with SRVGGNetCompact keys:
 * body.0 first conv, body.1 its PReLU, …, body.{2n+2} the last conv. */
static GBytes *
tiny_safetensors (const SvdModel *m,
                  gboolean        f16)
{
  g_autoptr(GString) header = g_string_new ("{\"__metadata__\":{\"format\":\"pt\"}");
  g_autoptr(GByteArray) data = g_byte_array_new ();
  GByteArray *out;
  guint64 hlen;

  for (int l = 0; l < m->n_layers; l++)
    {
      const SvdConvLayer *c = &m->layers[l];
      const float *vals[3] = { c->weight, c->bias, l + 1 < m->n_layers ? c->slope : NULL };
      gsize counts[3] = { (gsize) c->out_ch * c->in_ch * 9, c->out_ch, c->out_ch };
      int idx[3] = { 2 * l, 2 * l, 2 * l + 1 };
      const char *kind[3] = { "weight", "bias", "weight" };

      for (int k = 0; k < 3; k++)
        {
          gsize start = data->len;

          if (vals[k] == NULL)
            continue;
          for (gsize i = 0; i < counts[k]; i++)
            {
              if (f16)
                {
                  /* Small values only: 1/16 steps are exact in half. */
                  guint16 h = 0;
                  float v = vals[k][i];

                  if (v != 0.0f)
                    {
                      guint32 bits;
                      memcpy (&bits, &v, 4);
                      h = (guint16) (((bits >> 16) & 0x8000) | ((((bits >> 23) & 0xff) - 112) << 10)
                                     | ((bits >> 13) & 0x3ff));
                    }
                  g_byte_array_append (data, (guint8 *) &h, 2);
                }
              else
                g_byte_array_append (data, (const guint8 *) &vals[k][i], 4);
            }
          if (k == 0)
            g_string_append_printf (header, ",\"body.%d.weight\":{\"dtype\":\"%s\",\"shape\":[%d,%d,3,3],"
                                    "\"data_offsets\":[%zu,%u]}", idx[k], f16 ? "F16" : "F32",
                                    c->out_ch, c->in_ch, start, data->len);
          else
            g_string_append_printf (header, ",\"body.%d.%s\":{\"dtype\":\"%s\",\"shape\":[%d],"
                                    "\"data_offsets\":[%zu,%u]}", idx[k], kind[k], f16 ? "F16" : "F32",
                                    c->out_ch, start, data->len);
        }
    }
  g_string_append_c (header, '}');
  hlen = header->len;
  out = g_byte_array_new ();
  g_byte_array_append (out, (guint8 *) &hlen, 8);
  g_byte_array_append (out, (guint8 *) header->str, header->len);
  g_byte_array_append (out, data->data, data->len);
  return g_byte_array_free_to_bytes (out);
}

static void
write_model_seeds (const char *onnx_dir,
                   const char *st_dir)
{
  static const struct { int nf, num_conv, scale; SvdActivation act; } shapes[] = {
    { 4, 1, 2, SVD_ACTIVATION_PRELU },
    { 2, 2, 1, SVD_ACTIVATION_PRELU },
    { 3, 1, 4, SVD_ACTIVATION_RELU },
    { 1, 3, 2, SVD_ACTIVATION_PRELU },
  };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      SvdModel *m = tiny_model (shapes[i].nf, shapes[i].num_conv, shapes[i].scale, shapes[i].act);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) onnx = svd_onnx_export_model (m, &error);
      g_autofree char *oname = g_strdup_printf ("tiny%u.onnx", i);

      if (onnx == NULL)
        g_error ("%s", error->message);
      write_bytes (onnx_dir, oname, onnx);
      for (int f16 = 0; f16 < 2; f16++)
        {
          g_autoptr(GBytes) st = tiny_safetensors (m, f16);
          g_autofree char *sname = g_strdup_printf ("tiny%u%s.safetensors", i, f16 ? "-f16" : "");

          write_bytes (st_dir, sname, st);
        }
      svd_model_unref (m);
    }

  /* Hostile ONNX (issue #22), so that the fuzzer starts at each limit:
   * nesting at and just over SVD_LIMIT_ONNX_NESTING (32 levels: k type
   * pairs nest 2k + 5 deep, k graphs 3k + 2), and the 34 KB file that
   * overflowed protobuf-c's stack;
   * a constant-folding bomb (64 MiB tensors added up past the 256 MiB
   * budget), and the same at the limits fuzz-onnx lowers the folder to
   * (2^14-value tiles past 512 KiB: the Concat and Add folding runs before
   * the refusal); an input declaring H = W = 2^32. */
  {
    static const struct { const char *name; int levels; gboolean graphs; } nested[] = {
      { "nested-types-13.onnx", 13, FALSE }, { "nested-types-14.onnx", 14, FALSE },
      { "nested-types-5000.onnx", 5000, FALSE },
      { "nested-graphs-10.onnx", 10, TRUE }, { "nested-graphs-11.onnx", 11, TRUE },
    };
    g_autoptr(SvdModel) m = tiny_model (4, 1, 2, SVD_ACTIVATION_PRELU);
    MbOnnxOptions bomb = { .shuffle = MB_SHUFFLE_DCR, .fold_bomb_adds = 6 };
    MbOnnxOptions small_bomb = { .shuffle = MB_SHUFFLE_DCR, .fold_bomb_adds = 6, .fold_bomb_log2 = 14 };
    MbOnnxOptions huge = { .shuffle = MB_SHUFFLE_DCR, .input_h = (gint64) 1 << 32, .input_w = (gint64) 1 << 32 };
    g_autoptr(GBytes) b1 = mb_onnx (m, &bomb);
    g_autoptr(GBytes) b2 = mb_onnx (m, &huge);
    g_autoptr(GBytes) b3 = mb_onnx (m, &small_bomb);

    for (guint i = 0; i < G_N_ELEMENTS (nested); i++)
      {
        g_autoptr(GBytes) b = nested[i].graphs ? mb_onnx_nested_graphs (nested[i].levels) :
                                                 mb_onnx_nested_types (nested[i].levels);

        write_bytes (onnx_dir, nested[i].name, b);
      }
    write_bytes (onnx_dir, "fold-bomb.onnx", b1);
    write_bytes (onnx_dir, "huge-input.onnx", b2);
    write_bytes (onnx_dir, "fold-bomb-fuzz.onnx", b3);
  }

  /* A fused chain (model, resize, model) for the Resize and Add paths. */
  {
    g_autoptr(SvdChain) chain = svd_chain_new ("Seed");
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) onnx = NULL;
    SvdModel *a = tiny_model (2, 1, 2, SVD_ACTIVATION_PRELU);
    SvdModel *b = tiny_model (2, 1, 1, SVD_ACTIVATION_PRELU);

    if (!svd_chain_add_model (chain, a, &error) || !svd_chain_add_model (chain, b, &error))
      g_error ("%s", error->message);
    svd_chain_add_resize (chain, SVD_RESIZE_BICUBIC, 0.5);
    if ((onnx = svd_onnx_export_chain (chain, &error)) == NULL)
      g_error ("%s", error->message);
    write_bytes (onnx_dir, "tiny-chain.onnx", onnx);
    svd_model_unref (a);
    svd_model_unref (b);
  }
}

/* ---- Nesting and size bombs -------------------------------------------- */

static void
put_le (GByteArray *o,
        guint64     v,
        int         n)
{
  for (int i = 0; i < n; i++)
    {
      guint8 b = (guint8) (v >> (8 * i));

      g_byte_array_append (o, &b, 1);
    }
}

static void
append_str (GByteArray *o,
            const char *s)
{
  g_byte_array_append (o, (const guint8 *) s, strlen (s));
}

static void
write_array (const char *dir,
             const char *name,
             GByteArray *o)
{
  g_autoptr(GBytes) b = g_bytes_new (o->data, o->len);

  write_bytes (dir, name, b);
}

/* A safetensors file of @header (the length field says @claimed, or the
 * header's own length when 0). */
static void
write_safetensors_header (const char *dir,
                          const char *name,
                          const char *header,
                          guint64     claimed)
{
  g_autoptr(GByteArray) o = g_byte_array_new ();

  put_le (o, claimed ? claimed : strlen (header), 8);
  append_str (o, header);
  write_array (dir, name, o);
}

static GString *
nested (const char *prefix,
        int         depth,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (int i = 0; i < depth; i++)
    g_string_append_c (s, i % 3 == 2 ? '{' : '[');
  for (int i = depth - 1; i >= 0; i--)
    g_string_append_c (s, i % 3 == 2 ? '}' : ']');
  g_string_append (s, suffix);
  return s;
}

typedef struct {
  const char *name;
  guint16     method;
  const guint8 *data;
  guint32     len;
  guint32     crc;
  guint32     usize;
} SeedZipItem;

static GByteArray *
seed_zip (const SeedZipItem *items,
          guint              n)
{
  GByteArray *o = g_byte_array_new ();
  g_autoptr(GByteArray) cd = g_byte_array_new ();
  guint32 cd_start;

  for (guint i = 0; i < n; i++)
    {
      guint32 off = o->len;
      guint16 nl = strlen (items[i].name);

      put_le (o, 0x04034b50, 4); put_le (o, 20, 2); put_le (o, 0, 2); put_le (o, items[i].method, 2);
      put_le (o, 0, 4); put_le (o, items[i].crc, 4); put_le (o, items[i].len, 4); put_le (o, items[i].usize, 4);
      put_le (o, nl, 2); put_le (o, 0, 2);
      append_str (o, items[i].name);
      g_byte_array_append (o, items[i].data, items[i].len);
      put_le (cd, 0x02014b50, 4); put_le (cd, 20, 2); put_le (cd, 20, 2); put_le (cd, 0, 2);
      put_le (cd, items[i].method, 2); put_le (cd, 0, 4); put_le (cd, items[i].crc, 4);
      put_le (cd, items[i].len, 4); put_le (cd, items[i].usize, 4); put_le (cd, nl, 2);
      put_le (cd, 0, 2); put_le (cd, 0, 2); put_le (cd, 0, 2); put_le (cd, 0, 2); put_le (cd, 0, 4);
      put_le (cd, off, 4);
      append_str (cd, items[i].name);
    }
  cd_start = o->len;
  g_byte_array_append (o, cd->data, cd->len);
  put_le (o, 0x06054b50, 4); put_le (o, 0, 2); put_le (o, 0, 2); put_le (o, n, 2); put_le (o, n, 2);
  put_le (o, cd->len, 4); put_le (o, cd_start, 4); put_le (o, 0, 2);
  return o;
}

static GByteArray *
deflated (const guint8 *data,
          gsize         len)
{
  z_stream zs = { 0 };
  GByteArray *o = g_byte_array_new ();
  uLong bound;

  if (deflateInit2 (&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    g_error ("deflateInit2 failed");
  bound = deflateBound (&zs, len);
  g_byte_array_set_size (o, bound);
  zs.next_in = (Bytef *) data;
  zs.avail_in = len;
  zs.next_out = o->data;
  zs.avail_out = bound;
  if (deflate (&zs, Z_FINISH) != Z_STREAM_END)
    g_error ("deflate failed");
  g_byte_array_set_size (o, zs.total_out);
  deflateEnd (&zs);
  return o;
}

static void
pickle_global (GByteArray *p,
               const char *module,
               const char *name)
{
  append_str (p, "c");
  append_str (p, module);
  append_str (p, "\n");
  append_str (p, name);
  append_str (p, "\n");
}

static void
pickle_str (GByteArray *p,
            const char *s)
{
  append_str (p, "X");
  put_le (p, strlen (s), 4);
  append_str (p, s);
}

/* Seeds next to each limit, small enough for the targets' -max_len
 * (pickle 8 KiB, preset 4 KiB, safetensors 16 KiB, pth 64 KiB). */
static void
write_bomb_seeds (const char *preset_dir,
                  const char *st_dir,
                  const char *pth_dir,
                  const char *pickle_dir)
{
  /* Presets nesting past SVD_LIMIT_JSON_DEPTH, one with brackets in
   * strings and escapes that must not count. */
  {
    g_autoptr(GString) deep = nested ("{\"format\":\"svd-studio-chain\",\"version\":1,\"steps\":", 1500, "}");
    g_autoptr(GString) strings = g_string_new ("{\"format\":\"svd-studio-chain\",\"name\":\"[[[{{\\\"[[\",\"steps\":");

    write_file (preset_dir, "bomb-deep.json", deep->str);
    for (int i = 0; i < 63; i++)
      g_string_append (strings, "[\"]\\\\\",");
    g_string_append_c (strings, '0');
    for (int i = 0; i < 63; i++)
      g_string_append_c (strings, ']');
    g_string_append_c (strings, '}');
    write_file (preset_dir, "bomb-strings.json", strings->str);
  }

  /* safetensors: a nesting bomb, a header over the size limit (claimed and
   * real), and metadata over the entry limit. */
  {
    g_autoptr(GString) deep = nested ("{\"a\":", 7000, "}");
    g_autoptr(GString) meta = g_string_new ("{\"__metadata__\":{");

    write_safetensors_header (st_dir, "bomb-deep.safetensors", deep->str, 0);
    write_safetensors_header (st_dir, "bomb-header-claims-2mib.safetensors", "{}", (guint64) 2 << 20);
    write_safetensors_header (st_dir, "bomb-header-claims-1mib-1.safetensors", "{}", ((guint64) 1 << 20) + 1);
    for (int i = 0; i < 1100; i++)
      g_string_append_printf (meta, "%s\"%d\":\"\"", i ? "," : "", i);
    g_string_append (meta, "}}");
    write_safetensors_header (st_dir, "bomb-metadata-1100.safetensors", meta->str, 0);
  }

  /* Pickles: marks past the cap, a long N0 run, one value memoized under
   * many indices, a list appended to itself, a deep stack. */
  {
    g_autoptr(GByteArray) marks = g_byte_array_new ();
    g_autoptr(GByteArray) n0 = g_byte_array_new ();
    g_autoptr(GByteArray) memo = g_byte_array_new ();
    g_autoptr(GByteArray) items = g_byte_array_new ();
    g_autoptr(GByteArray) stack = g_byte_array_new ();

    append_str (marks, "\x80\x02");
    for (int i = 0; i < 1100; i++)
      append_str (marks, "(");
    append_str (marks, "N.");
    write_array (pickle_dir, "bomb-marks.pkl", marks);
    append_str (n0, "\x80\x02");
    for (int i = 0; i < 4000; i++)
      append_str (n0, "N0");
    append_str (n0, "N.");
    write_array (pickle_dir, "bomb-n0.pkl", n0);
    append_str (memo, "\x80\x02N");
    for (guint32 i = 0; i < 1500; i++)
      {
        append_str (memo, "r");
        put_le (memo, i * 2654435761u, 4);
      }
    append_str (memo, ".");
    write_array (pickle_dir, "bomb-memo.pkl", memo);
    g_byte_array_append (items, (const guint8 *) "\x80\x02]q\x00(", 6);
    for (int i = 0; i < 3500; i++)
      g_byte_array_append (items, (const guint8 *) "h\x00", 2);
    append_str (items, "e.");
    write_array (pickle_dir, "bomb-items.pkl", items);
    append_str (stack, "\x80\x02");
    for (int i = 0; i < 7000; i++)
      append_str (stack, i % 2 ? "2" : "N");
    append_str (stack, ".");
    write_array (pickle_dir, "bomb-stack.pkl", stack);
  }

  /* .pth zips: a deflated data.pkl of N0 (the shape of the value-cap
   * bomb, scaled down: reaching the cap costs ~350 ms an execution under
   * ASan; tests/model/test-parser-limits.c checks the cap itself), and a
   * state dict viewing deflated storages, then the same with a declared
   * size over the inflate budget. */
  {
    g_autoptr(GByteArray) pkl = g_byte_array_new ();
    g_autoptr(GByteArray) small = NULL;
    g_autoptr(GByteArray) zip = NULL;
    g_autoptr(GByteArray) dict = g_byte_array_new ();
    g_autoptr(GByteArray) zeros = g_byte_array_new ();
    g_autoptr(GByteArray) zeros_z = NULL;
    SeedZipItem items[4];

    append_str (pkl, "\x80\x02");
    for (int i = 0; i < 10000; i++)
      append_str (pkl, "N0");
    append_str (pkl, "N.");
    small = deflated (pkl->data, pkl->len);
    items[0] = (SeedZipItem) { "bomb/data.pkl", 8, small->data, small->len, crc32 (0, pkl->data, pkl->len), pkl->len };
    zip = seed_zip (items, 1);
    write_array (pth_dir, "bomb-n0.pth", zip);
    g_clear_pointer (&zip, g_byte_array_unref);

    append_str (dict, "\x80\x02");
    pickle_global (dict, "collections", "OrderedDict");
    append_str (dict, ")R(");
    for (int i = 0; i < 3; i++)
      {
        g_autofree char *key = g_strdup_printf ("%d", i);
        g_autofree char *name = g_strdup_printf ("body.%d.bias", 2 * i);

        pickle_str (dict, name);
        pickle_global (dict, "torch._utils", "_rebuild_tensor_v2");
        append_str (dict, "((");
        pickle_str (dict, "storage");
        pickle_global (dict, "torch", "FloatStorage");
        pickle_str (dict, key);
        pickle_str (dict, "cpu");
        append_str (dict, "J");
        put_le (dict, (64u << 10) / 4, 4);
        append_str (dict, "tQJ");
        put_le (dict, 0, 4);
        append_str (dict, "(J");
        put_le (dict, 1, 4);
        append_str (dict, "t(J");
        put_le (dict, 1, 4);
        g_byte_array_append (dict, (const guint8 *) "t\x89", 2);
        pickle_global (dict, "collections", "OrderedDict");
        append_str (dict, ")RtR");
      }
    append_str (dict, "u.");
    g_byte_array_set_size (zeros, 64u << 10);
    memset (zeros->data, 0, zeros->len);
    zeros_z = deflated (zeros->data, zeros->len);
    items[0] = (SeedZipItem) { "bomb/data.pkl", 0, dict->data, dict->len, crc32 (0, dict->data, dict->len), dict->len };
    for (int i = 0; i < 3; i++)
      items[i + 1] = (SeedZipItem) { i == 0 ? "bomb/data/0" : i == 1 ? "bomb/data/1" : "bomb/data/2", 8,
                                     zeros_z->data, zeros_z->len, crc32 (0, zeros->data, zeros->len), zeros->len };
    zip = seed_zip (items, 4);
    write_array (pth_dir, "bomb-inflate.pth", zip);
    g_clear_pointer (&zip, g_byte_array_unref);
    /* The same, the first storage declaring 300 MiB: over the budget on
     * its own, refused before any buffer exists. */
    items[1].usize = 300u << 20;
    zip = seed_zip (items, 4);
    write_array (pth_dir, "bomb-inflate-declared.pth", zip);
  }
}

static void
png_chunk (GByteArray   *o,
           const char   *type,
           const guint8 *data,
           guint32       len)
{
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };
  uLong crc = crc32 (0, (const Bytef *) type, 4);
  guint8 c[4];

  crc = crc32 (crc, data, len);
  c[0] = crc >> 24;
  c[1] = crc >> 16;
  c[2] = crc >> 8;
  c[3] = crc;
  g_byte_array_append (o, be, 4);
  g_byte_array_append (o, (const guint8 *) type, 4);
  g_byte_array_append (o, data, len);
  g_byte_array_append (o, c, 4);
}

/* A PNG from raw scanlines (each with its filter byte), any IHDR. */
static void
write_png_raw (const char   *dir,
               const char   *name,
               guint32       w,
               guint32       h,
               guint8        depth,
               guint8        color_type,
               guint8        interlace,
               const guint8 *raw,
               gsize         raw_len,
               gboolean      palette)
{
  static const guint8 sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = { w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h,
                      depth, color_type, 0, 0, interlace };
  static const guint8 plte[12] = { 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255 };
  static const guint8 trns[1] = { 128 };
  g_autoptr(GByteArray) o = g_byte_array_new ();
  uLongf zlen = compressBound (raw_len);
  g_autofree guint8 *z = g_malloc (zlen);
  g_autoptr(GBytes) bytes = NULL;

  if (compress2 (z, &zlen, raw, raw_len, 9) != Z_OK)
    g_error ("compress2 failed");
  g_byte_array_append (o, sig, 8);
  png_chunk (o, "IHDR", ihdr, 13);
  if (palette)
    {
      png_chunk (o, "PLTE", plte, sizeof plte);
      png_chunk (o, "tRNS", trns, sizeof trns);
    }
  png_chunk (o, "IDAT", z, zlen);
  png_chunk (o, "IEND", NULL, 0);
  bytes = g_bytes_new (o->data, o->len);
  write_bytes (dir, name, bytes);
}

static void
write_png_seeds (const char *dir)
{
  /* Our own writer: RGB, 8 and 16 bits. */
  for (int depth = 8; depth <= 16; depth += 8)
    {
      g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 5, 3, NULL);
      g_autofree char *name = g_strdup_printf ("rgb%d.png", depth);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;

      for (int c = 0; c < 3; c++)
        for (int y = 0; y < 3; y++)
          for (int x = 0; x < 5; x++)
            ((float *) (img->data[c] + y * img->stride[c]))[x] = (x + y + c) / 8.0f;
      if (!svd_png_save (img, path, depth, &error))
        g_error ("%s", error->message);
    }
  /* Every other colour type, 2x2, with a mix of filter bytes. */
  {
    static const struct { const char *name; guint8 depth, type; gboolean palette; } kinds[] = {
      { "gray1.png", 1, 0, FALSE }, { "gray4.png", 4, 0, FALSE }, { "gray8.png", 8, 0, FALSE },
      { "gray16.png", 16, 0, FALSE }, { "graya8.png", 8, 4, FALSE }, { "graya16.png", 16, 4, FALSE },
      { "rgba8.png", 8, 6, FALSE }, { "rgba16.png", 16, 6, FALSE }, { "pal2.png", 2, 3, TRUE },
      { "pal8.png", 8, 3, TRUE },
    };

    for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
      {
        int channels = kinds[k].type == 4 ? 2 : kinds[k].type == 6 ? 4 : 1;
        gsize row = 1 + (2 * channels * kinds[k].depth + 7) / 8;
        guint8 raw[2 * (1 + 2 * 4 * 2)];

        for (gsize i = 0; i < sizeof raw; i++)
          raw[i] = (guint8) (i * 37 + k);
        raw[0] = k % 5;
        raw[row] = (k + 2) % 5;
        for (gsize i = 0; kinds[k].type == 3 && i < 2 * row; i++)
          if (i != 0 && i != row)
            raw[i] &= kinds[k].depth == 2 ? 0x55 : 0x01;
        write_png_raw (dir, kinds[k].name, 2, 2, kinds[k].depth, kinds[k].type, 0, raw, 2 * row, kinds[k].palette);
      }
  }
  /* Adam7: a 1x1 image has its one pixel in the first pass. */
  {
    static const guint8 raw[] = { 0, 10, 20, 30 };

    write_png_raw (dir, "interlaced.png", 1, 1, 8, 2, 1, raw, sizeof raw, FALSE);
  }
  /* Size bombs: an image just over SVD_LIMIT_PNG_PIXELS (8192²) and a
   * side just over SVD_PNG_MAX_SIDE, with their first row only. One at the
   * limit is left out: allocating its 768 MiB under ASan three times per
   * execution slowed the target to 25 executions a second. */
  {
    gsize row = 1 + 3 * (gsize) (SVD_PNG_MAX_SIDE + 1);
    g_autofree guint8 *raw = g_malloc0 (row);

    write_png_raw (dir, "over-pixel-limit.png", 8193, 8192, 8, 2, 0, raw, 1 + 3 * 8193, FALSE);
    write_png_raw (dir, "wide-over-limit.png", SVD_PNG_MAX_SIDE + 1, 1, 8, 2, 0, raw, row, FALSE);
  }
}

static void
write_matrix_seeds (const char *dir)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_bench_matrix_row_free);
  g_autofree char *path = g_build_filename (dir, "results.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"format\": \"svd-studio-bench-matrix\", \"measured\": ");

  for (int i = 0; i < 2; i++)
    {
      SvdBenchMatrixRow *r = g_new0 (SvdBenchMatrixRow, 1);

      r->device = g_strdup (i ? "Portable Computing Language cpu" : "cpu-ref");
      r->precision = i ? SVD_PRECISION_FP16 : SVD_PRECISION_FP32;
      r->chain = g_strdup ("Super 2x");
      r->spec = g_strdup ("models/svd-super-2x.safetensors,bicubic:2");
      r->key = g_strdup ("super-2x");
      r->in_width = 480;
      r->in_height = 270;
      r->out_width = 960;
      r->out_height = 540;
      r->gflop = 1.5;
      r->n_stages = 2;
      r->stage_ms[0] = 12.5;
      r->stage_ms[1] = 0.5;
      r->total_ms = 13;
      r->fps = 76.9;
      r->has_quality = i == 1;
      r->quality_frames = 5;
      r->psnr_rgb = 33.1;
      r->psnr_y = 34.2;
      r->ssim_y = 0.91;
      g_ptr_array_add (rows, r);
    }
  if (!svd_bench_matrix_save_json (rows, path, &error))
    g_error ("%s", error->message);
  write_file (dir, "types.json",
              "{\"format\": \"svd-studio-bench-matrix\", \"version\": 1, \"measured\": [5, null, "
              "{\"device\": 5, \"chain\": [], \"key\": {}, \"in_width\": \"480\", \"in_height\": -1e300, "
              "\"stage_ms\": [\"a\", [], 1e400], \"psnr_y\": \"x\", \"quality_frames\": 1e10}]}");
  for (int i = 0; i <= SVD_LIMIT_JSON_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i <= SVD_LIMIT_JSON_DEPTH; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  write_file (dir, "deep.json", deep->str);
}

static void
write_choice_seeds (const char *dir)
{
  static const char *values[] = { "wino4; direct 1.000 ms, wino2 0.800 ms, wino4 0.500 ms", "wino2", "direct; x",
                                  ("wino4:8x2; direct 1.000 ms, wino2:16x1 0.800 ms, wino2:8x2 0.700 ms, "
                                   "wino4:16x1 0.600 ms, wino4:8x2 0.500 ms"), "wino2:16x1" };

  for (gsize v = 0; v < G_N_ELEMENTS (values); v++)
    {
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *key = svd_conv_choice_key (24, 24, FALSE, FALSE, 2);
      g_autofree char *other = svd_conv_choice_key (64, 64, TRUE, TRUE, 0);
      g_autofree char *text = NULL;
      g_autofree char *name = g_strdup_printf ("choice%" G_GSIZE_FORMAT ".ini", v);

      g_key_file_set_comment (kf, NULL, NULL, " conv choices", NULL);
      g_key_file_set_string (kf, "Seed platform | Seed device | 1.0 | " SVD_VERSION, key, values[v]);
      g_key_file_set_string (kf, "Other | device | 2.0 | 0.0", other, values[(v + 1) % 3]);
      text = g_key_file_to_data (kf, NULL, NULL);
      write_file (dir, name, text);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  int n = 0;

  if (argc == 5 && strcmp (argv[1], "--more") == 0)
    {
      write_png_seeds (argv[2]);
      write_matrix_seeds (argv[3]);
      write_choice_seeds (argv[4]);
      return 0;
    }
  if (argc != 3 && argc != 5 && argc != 7)
    {
      g_printerr ("usage: fuzz-seeds PRESET_DIR CONF_DIR [ONNX_DIR SAFETENSORS_DIR [PTH_DIR PICKLE_DIR]]\n");
      return 2;
    }
  if (argc >= 5)
    write_model_seeds (argv[3], argv[4]);
  if (argc == 7)
    write_bomb_seeds (argv[1], argv[4], argv[5], argv[6]);
  for (int v = 0; v < 4; v++)
    {
      g_autoptr(SvdChain) chain = svd_chain_new (v == 0 ? "Seed" : "Seed “ünïcode” chain");
      g_autofree char *text = NULL;
      g_autofree char *name = NULL;
      gsize len;

      add_model (chain, 16 << (v % 3), 4 + v, 1 + (v % 2), v == 1 ? "/abs/model.pth" : "models/a.onnx",
                 v == 2 ? "" : sha);
      if (v >= 1)
        svd_chain_add_resize (chain, (SvdResizeFilter) (v % 4), v == 3 ? 0.5 : 2);
      if (v >= 2)
        add_model (chain, 24, 8, 2, "../b.safetensors", sha);
      if (v == 3)
        {
          g_free (chain->precision);
          chain->precision = g_strdup ("fp16");
          chain->has_target = TRUE;
          chain->target_device = g_strdup ("Portable Computing Language cpu");
          chain->target_width = 1920;
          chain->target_height = 1080;
          chain->target_fps = 23.976;
        }
      text = svd_preset_to_data (chain, "/seed", &len);
      name = g_strdup_printf ("preset%d.json", n++);
      write_file (argv[1], name, text);
    }
  for (int v = 0; v < 3; v++)
    {
      SvdAnimeJaNaiSlot s = { 0 };
      g_autofree char *text = NULL;
      g_autofree char *name = NULL;

      s.slot = v + 1;
      s.profile_name = g_strdup (v == 2 ? "Profile with spaces" : "Seed");
      s.min_width = v == 0 ? 0 : 640;
      s.min_height = v == 0 ? 0 : 360;
      s.max_width = v == 2 ? 1920 : 0;
      s.max_height = v == 2 ? 1080 : 0;
      s.min_fps = v == 1 ? 23.976 : 0;
      s.max_fps = v == 1 ? 60 : 0;
      s.n_models = v + 1;
      for (int m = 0; m < s.n_models; m++)
        {
          s.model_names[m] = g_strdup_printf ("2x_Seed_Model_%d", m);
          s.resize_factor[m] = m == 1 ? 50 : 100;
          s.resize_height[m] = m == 2 ? 720 : 0;
        }
      text = svd_animejanai_slot_to_data (&s);
      name = g_strdup_printf ("slot%d.conf", v);
      write_file (argv[2], name, text);
      svd_animejanai_slot_clear (&s);
    }
  return 0;
}
