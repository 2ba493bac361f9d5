/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-chain"

/* The one chain type (app/model/svd-chain.c): text ↔ chain round trips,
 * built-in steps, presets given relatively, and fused chain ONNX read back
 * as the chain it came from. Model files are written by the test. */

#include "svd.h"
#include "model-builders.h"
#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *tmp_dir;

/* Writes a random model as @name (.onnx or .safetensors by its suffix);
 * returns its absolute path. */
static char *
write_model (const char *name,
             int         nf,
             int         scale,
             guint32     seed)
{
  g_autoptr(SvdModel) m = mb_random_model (3, nf, 1, scale, seed);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  if (g_str_has_suffix (name, ".onnx"))
    bytes = svd_onnx_export_model (m, &error);
  else
    bytes = mb_safetensors (m, SVD_STORAGE_FP32, NULL, NULL);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  return path;
}

static SvdChainStep *
step (const SvdChain *chain,
      guint           i)
{
  return g_ptr_array_index (chain->steps, i);
}

static void
test_builtin_specs (void)
{
  const char *good[] = { "bicubic:2", "nearest:1,bilinear:3,lanczos:4,bicubic:0.5", " lanczos:2 , bicubic:2 ",
                         "bilinear:0.125,nearest:8", NULL };
  const char *printed[] = { "bicubic:2", "nearest:1,bilinear:3,lanczos:4,bicubic:0.5", "lanczos:2,bicubic:2",
                            "bilinear:0.125,nearest:8", NULL };
  /* Not built-in steps and no such files: clear errors, never a crash. */
  const char *bad[] = { "", ",", "bicubic:", "bicubic:0", "bicubic:9", "bicubic:2x", "gauss:2", "bicubic",
                        ":2", "bicubic:nan", "bicubic:inf", "builtin:bicubic:2", NULL };

  for (int i = 0; good[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdChain) chain = svd_chain_parse (good[i], NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
      g_autoptr(SvdChain) again = NULL;
      g_autofree char *text = NULL;
      g_autofree char *text2 = NULL;

      g_assert_no_error (error);
      text = svd_chain_to_string (chain, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, printed[i]);
      again = svd_chain_parse (text, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_true (svd_chain_equal (chain, again));
      text2 = svd_chain_to_string (again, NULL, &error);
      g_assert_cmpstr (text, ==, text2);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SvdChain) chain = svd_chain_parse ("lanczos:0.5", NULL, SVD_CHAIN_LOAD_DEFAULT, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (chain->steps->len, ==, 1);
    g_assert_cmpint (step (chain, 0)->type, ==, SVD_CHAIN_STEP_RESIZE);
    g_assert_cmpint (step (chain, 0)->filter, ==, SVD_RESIZE_LANCZOS);
    g_assert_cmpfloat (step (chain, 0)->resize_scale, ==, 0.5);
    g_assert_cmpfloat (svd_chain_get_scale (chain), ==, 0.5);
  }
  for (int i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdChain) chain = svd_chain_parse (bad[i], tmp_dir, SVD_CHAIN_LOAD_DEFAULT, &error);

      g_test_message ("“%s”: %s", bad[i], error != NULL ? error->message : "(parsed)");
      g_assert_null (chain);
      g_assert_nonnull (error);
      g_assert_true (error->domain == SVD_ERROR);
    }
}

static void
test_models_round_trip (void)
{
  g_autofree char *a = write_model ("chain-a.onnx", 4, 1, 1);
  g_autofree char *b = write_model ("chain-b.safetensors", 4, 2, 2);
  g_autofree char *spec = g_strdup_printf ("%s,bicubic:2,%s", a, b);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = svd_chain_parse (spec, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_autoptr(SvdChain) rel = NULL;
  g_autoptr(SvdChain) lazy = NULL;
  g_autoptr(SvdChain) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *label = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (chain->steps->len, ==, 3);
  g_assert_nonnull (step (chain, 0)->model);
  g_assert_cmpint (step (chain, 1)->type, ==, SVD_CHAIN_STEP_RESIZE);
  g_assert_cmpint (step (chain, 2)->model->scale, ==, 2);
  g_assert_cmpfloat (svd_chain_get_scale (chain), ==, 4);
  label = svd_chain_get_label (chain);
  g_assert_cmpstr (label, ==, "chain-a + bicubic 2x + chain-b");
  g_assert_cmpstr (chain->name, ==, label);

  /* Absolute paths print back byte for byte. */
  text = svd_chain_to_string (chain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, spec);

  /* Relative to a folder, and read back from there. */
  relative = svd_chain_to_string (chain, tmp_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relative, ==, "chain-a.onnx,bicubic:2,chain-b.safetensors");
  rel = svd_chain_parse (relative, tmp_dir, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (svd_chain_equal (chain, rel));

  /* By file only, then loaded: the same chain. */
  lazy = svd_chain_parse (relative, tmp_dir, SVD_CHAIN_LOAD_NO_MODELS, &error);
  g_assert_no_error (error);
  g_assert_null (step (lazy, 0)->model);
  g_assert_true (svd_chain_equal (chain, lazy));
  g_assert_true (svd_chain_load_models (lazy, &error));
  g_assert_no_error (error);
  g_assert_nonnull (step (lazy, 2)->model);
  g_assert_cmpint (step (lazy, 2)->model->scale, ==, 2);

  copy = svd_chain_copy (chain);
  g_assert_true (svd_chain_equal (chain, copy));
  g_assert_true (step (copy, 0)->model == step (chain, 0)->model);

  /* One entry per element: a path may hold a comma there. */
  {
    g_autofree char *odd = write_model ("odd,name.onnx", 4, 1, 3);
    const char *entries[] = { odd, "bicubic:2", NULL };
    g_autoptr(SvdChain) c = svd_chain_parse_entries (entries, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
    g_autofree char *t = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (c->steps->len, ==, 2);
    /* ... but not in a comma list: printing says so instead of writing
     * text that would read back as another chain. */
    t = svd_chain_to_string (c, NULL, &error);
    g_assert_null (t);
    g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
  }
}

static void
test_limits (void)
{
  g_autoptr(GString) spec = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = NULL;

  for (int i = 0; i < SVD_CHAIN_MAX_STEPS; i++)
    g_string_append (spec, i ? ",nearest:1" : "nearest:1");
  chain = svd_chain_parse (spec->str, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chain->steps->len, ==, SVD_CHAIN_MAX_STEPS);
  g_clear_pointer (&chain, svd_chain_free);
  g_string_append (spec, ",nearest:1");
  chain = svd_chain_parse (spec->str, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_null (chain);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
}

/* Random text built from the chain's own alphabet never crashes the
 * parser: it gives a chain that prints back and reads back the same, or an
 * error. (Relative to an empty folder, so no entry names a file.) */
static void
test_random_text (void)
{
  static const char alphabet[] = "nearestbilinbicubiclanczos:.,0123456789+-e x";
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  g_autofree char *empty = g_build_filename (tmp_dir, "empty", NULL);
  guint parsed = 0;

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  for (int i = 0; i < 5000; i++)
    {
      char text[40];
      int len = g_rand_int_range (rand, 0, sizeof text);
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdChain) chain = NULL;

      for (int k = 0; k < len; k++)
        text[k] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      text[len] = '\0';
      /* Seed whole steps now and then, so parses succeed too. */
      if (i % 3 == 0)
        g_strlcpy (text + MIN (len, 20), ",bicubic:2", sizeof text - MIN (len, 20));
      chain = svd_chain_parse (text, empty, SVD_CHAIN_LOAD_NO_MODELS, &error);
      g_assert_true ((chain == NULL) != (error == NULL));
      if (chain != NULL)
        {
          g_autofree char *printed = svd_chain_to_string (chain, empty, &error);
          g_autoptr(SvdChain) again = NULL;

          g_assert_no_error (error);
          again = svd_chain_parse (printed, empty, SVD_CHAIN_LOAD_NO_MODELS, &error);
          if (error != NULL)
            g_test_message ("“%s” printed as “%s”", text, printed);
          g_assert_no_error (error);
          g_assert_true (svd_chain_equal (chain, again));
          parsed++;
        }
    }
  g_test_message ("%u of 5000 random texts were chains", parsed);
  g_assert_cmpuint (parsed, >, 20);
}

/* Regression: a preset given by a relative path in a subfolder hit a GLib
 * assertion (g_canonicalize_filename with a relative folder) in
 * svd_preset_load(). */
static void
test_relative_preset (void)
{
  g_autofree char *old_cwd = g_get_current_dir ();
  g_autofree char *sub = g_build_filename (tmp_dir, "presets", NULL);
  g_autofree char *a = write_model ("rel-a.onnx", 4, 1, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(SvdChain) parsed = NULL;
  g_autofree char *data = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_cmpint (chdir (tmp_dir), ==, 0);

  chain = svd_chain_parse ("rel-a.onnx,bilinear:2", NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_free (chain->name);
  chain->name = g_strdup ("relative");
  g_assert_true (svd_preset_save (chain, "presets/p.json", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents ("presets/p.json", &data, NULL, NULL));
  g_assert_nonnull (strstr (data, "\"path\" : \"../rel-a.onnx\""));

  back = svd_preset_load ("presets/p.json", SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (svd_chain_equal (chain, back));
  g_assert_nonnull (step (back, 0)->model);

  /* As a chain entry: the chain is the preset, with its name. */
  parsed = svd_chain_parse ("presets/p.json", NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (parsed->name, ==, "relative");
  g_assert_true (svd_chain_equal (chain, parsed));
  g_clear_pointer (&parsed, svd_chain_free);
  /* With more entries, it stands for its steps. */
  parsed = svd_chain_parse ("presets/p.json,nearest:2", NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->steps->len, ==, 3);

  g_assert_cmpint (chdir (old_cwd), ==, 0);
}

static SvdImage *
run_chain (SvdEngine      *engine,
           const SvdChain *chain,
           const SvdImage *input)
{
  g_autoptr(GError) error = NULL;
  SvdImage *out = NULL;

  g_assert_true (svd_engine_set_chain (engine, chain, &error));
  g_assert_no_error (error);
  g_assert_true (svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* Regression: our own fused chain ONNX could be described (svd model info)
 * but not run ("s3_Add"). Every preset shape goes through fused export and
 * read-back and runs as the chain it came from. */
static void
test_fused_round_trip (void)
{
  g_autofree char *m1 = write_model ("fused-1x.onnx", 8, 1, 11);
  g_autofree char *m2 = write_model ("fused-2x.safetensors", 8, 2, 12);
  g_autofree char *m3 = write_model ("fused-2x-b.onnx", 8, 2, 13);
  g_autofree char *model_only = g_strdup_printf ("%s", m2);
  g_autofree char *with_resize = g_strdup_printf ("%s,bilinear:2,nearest:1,%s,bicubic:2", m1, m2);
  g_autofree char *three = g_strdup_printf ("%s,%s,%s", m1, m2, m3);
  const char *shapes[] = { model_only, with_resize, three };
  g_auto(SvdSettings) settings = { 0 };
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(SvdImage) input = NULL;
  g_autoptr(GError) error = NULL;

  svd_settings_init (&settings);
  g_free (settings.device);
  settings.device = g_strdup ("cpu-ref");
  engine = svd_engine_new (&settings, &error);
  g_assert_no_error (error);
  input = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 13, 9, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (input, 5);

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/fused-%u.onnx", tmp_dir, i);
      g_autoptr(SvdChain) chain = svd_chain_parse (shapes[i], NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
      g_autoptr(SvdChain) back = NULL;
      g_autoptr(SvdChain) lazy = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(SvdImage) want = NULL;
      g_autoptr(SvdImage) got = NULL;
      g_autofree char *text = NULL;
      double diff;

      g_assert_no_error (error);
      bytes = svd_onnx_export_chain (chain, &error);
      g_assert_no_error (error);
      g_assert_true (svd_onnx_save (bytes, path, &error));

      back = svd_chain_parse (path, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->steps->len, ==, chain->steps->len);
      for (guint k = 0; k < chain->steps->len; k++)
        {
          g_assert_cmpint (step (back, k)->type, ==, step (chain, k)->type);
          if (step (chain, k)->type == SVD_CHAIN_STEP_RESIZE)
            {
              g_assert_cmpint (step (back, k)->filter, ==, step (chain, k)->filter);
              g_assert_cmpfloat (step (back, k)->resize_scale, ==, step (chain, k)->resize_scale);
            }
          else
            g_assert_cmpint (step (back, k)->model->scale, ==, step (chain, k)->model->scale);
        }
      want = run_chain (engine, chain, input);
      got = run_chain (engine, back, input);
      diff = svd_test_max_abs_diff (want, got);
      g_test_message ("shape %u (%s): %u steps, fused read-back vs original max abs diff %g", i, shapes[i],
                      chain->steps->len, diff);
      g_assert_cmpint (got->width, ==, want->width);
      g_assert_cmpfloat (diff, <=, 1e-5);

      /* A step read from a fused file has no file of its own to print. */
      if (back->steps->len > 1)
        {
          text = svd_chain_to_string (back, NULL, &error);
          g_assert_null (text);
          g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
          g_clear_error (&error);
        }

      /* Opened by file later (the GUI's way): expanded the same way. */
      lazy = svd_chain_parse (path, NULL, SVD_CHAIN_LOAD_NO_MODELS, &error);
      g_assert_no_error (error);
      g_assert_true (svd_chain_load_models (lazy, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (lazy->steps->len, ==, chain->steps->len);
    }
}

/* The engine refuses what it cannot run with a clear error. */
static void
test_engine_refuses (void)
{
  g_auto(SvdSettings) settings = { 0 };
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) half = svd_chain_parse ("bicubic:0.5", NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_autofree char *a = write_model ("refuse.onnx", 4, 1, 21);
  g_autoptr(SvdChain) lazy = svd_chain_parse (a, NULL, SVD_CHAIN_LOAD_NO_MODELS, &error);
  g_autoptr(SvdChain) empty = svd_chain_new (NULL);

  g_assert_no_error (error);
  svd_settings_init (&settings);
  g_free (settings.device);
  settings.device = g_strdup ("cpu-ref");
  engine = svd_engine_new (&settings, &error);
  g_assert_no_error (error);
  g_assert_false (svd_engine_set_chain (engine, half, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (svd_engine_set_chain (engine, lazy, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (svd_engine_set_chain (engine, empty, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("svd-chain-XXXXXX", NULL);
  g_test_add_func ("/chain/builtin-specs", test_builtin_specs);
  g_test_add_func ("/chain/models-round-trip", test_models_round_trip);
  g_test_add_func ("/chain/limits", test_limits);
  g_test_add_func ("/chain/random-text", test_random_text);
  g_test_add_func ("/chain/relative-preset", test_relative_preset);
  g_test_add_func ("/chain/fused-round-trip", test_fused_round_trip);
  g_test_add_func ("/chain/engine-refuses", test_engine_refuses);
  rc = g_test_run ();
  svd_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return rc;
}
