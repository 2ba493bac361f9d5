/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes seed corpora for fuzz-preset and fuzz-animejanai with the library's
 * own writers, so that no seed file is kept in the tree:
 *   fuzz-seeds PRESET_DIR CONF_DIR */
#include <glib/gstdio.h>

#include "export/svd-animejanai.h"
#include "export/svd-preset.h"

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

int
main (int   argc,
      char *argv[])
{
  static const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  int n = 0;

  if (argc != 3)
    {
      g_printerr ("usage: fuzz-seeds PRESET_DIR CONF_DIR\n");
      return 2;
    }
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
