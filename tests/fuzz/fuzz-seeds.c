/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes seed corpora with the library's own writers, so that no seed file
 * is kept in the tree:
 *   fuzz-seeds PRESET_DIR CONF_DIR [ONNX_DIR SAFETENSORS_DIR]
 * The optional ONNX and safetensors seeds are tiny models (nf 1 to 4): the
 * shared models are 100 KB to 2 MB, which libFuzzer mutates at a few hundred
 * executions a second, and cut to a small -max_len they no longer parse. A
 * whole tiny model keeps every structural path reachable at thousands of
 * executions a second. */
#include <glib/gstdio.h>

#include "export/svd-animejanai.h"
#include "export/svd-onnx-export.h"
#include "model/svd-preset.h"

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

int
main (int   argc,
      char *argv[])
{
  static const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  int n = 0;

  if (argc != 3 && argc != 5)
    {
      g_printerr ("usage: fuzz-seeds PRESET_DIR CONF_DIR [ONNX_DIR SAFETENSORS_DIR]\n");
      return 2;
    }
  if (argc == 5)
    write_model_seeds (argv[3], argv[4]);
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
