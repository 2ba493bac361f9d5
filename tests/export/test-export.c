/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export"

#include "svd.h"
#include "export/svd-onnx-export.h"
#include "export/svd-animejanai.h"
#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* A small model with random weights, saved as ONNX in @dir and loaded back
 * from there, so it has a path and a file hash like a user's model. */
static SvdModel *
make_model (const char *dir,
            const char *name,
            int         nf,
            int         num_conv,
            int         scale,
            guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_new (3, 3, nf, num_conv, scale, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.onnx", dir, name);
  SvdModel *loaded;

  g_assert_no_error (error);
  for (int l = 0; l < m->n_layers; l++)
    {
      SvdConvLayer *L = &m->layers[l];
      float k = 1.0f / sqrtf ((float) L->in_ch * 9);

      for (int i = 0; i < L->out_ch * L->in_ch * 9; i++)
        L->weight[i] = (float) g_rand_double_range (rand, -k, k);
      for (int i = 0; i < L->out_ch; i++)
        {
          L->bias[i] = (float) g_rand_double_range (rand, -0.05, 0.05);
          if (L->slope != NULL)
            L->slope[i] = (float) g_rand_double_range (rand, 0.0, 0.3);
        }
    }
  g_free (m->name);
  m->name = g_strdup (name);
  bytes = svd_onnx_export_model (m, &error);
  g_assert_no_error (error);
  g_assert_true (svd_onnx_save (bytes, path, &error));
  loaded = svd_model_load (path, &error);
  g_assert_no_error (error);
  return loaded;
}

static void
assert_same_weights (const SvdModel *a,
                     const SvdModel *b)
{
  g_assert_cmpint (a->nf, ==, b->nf);
  g_assert_cmpint (a->num_conv, ==, b->num_conv);
  g_assert_cmpint (a->scale, ==, b->scale);
  g_assert_cmpint (a->n_layers, ==, b->n_layers);
  g_assert_cmpint (a->clamp_output, ==, b->clamp_output);
  for (int l = 0; l < a->n_layers; l++)
    {
      const SvdConvLayer *x = &a->layers[l], *y = &b->layers[l];

      g_assert_cmpint (x->in_ch, ==, y->in_ch);
      g_assert_cmpint (x->out_ch, ==, y->out_ch);
      g_assert_cmpmem (x->weight, sizeof (float) * x->out_ch * x->in_ch * 9,
                       y->weight, sizeof (float) * y->out_ch * y->in_ch * 9);
      g_assert_cmpmem (x->bias, sizeof (float) * x->out_ch, y->bias, sizeof (float) * y->out_ch);
      g_assert_true ((x->slope == NULL) == (y->slope == NULL));
      if (x->slope != NULL)
        g_assert_cmpmem (x->slope, sizeof (float) * x->out_ch, y->slope, sizeof (float) * y->out_ch);
    }
}

typedef struct {
  char     *dir;
  SvdModel *a;   /* 1x */
  SvdModel *b;   /* 2x */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("svd-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->a = make_model (f->dir, "tiny1x", 8, 2, 1, 1);
  f->b = make_model (f->dir, "tiny2x", 6, 3, 2, 2);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  svd_model_unref (f->a);
  svd_model_unref (f->b);
  svd_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The exported standalone ONNX reads back with the same weights. */
static void
test_onnx_model_round_trip (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = svd_onnx_export_model (f->b, &error);
  g_assert_no_error (error);
  m = svd_model_load_from_bytes (bytes, "again", &error);
  g_assert_no_error (error);
  assert_same_weights (f->b, m);
}

static void
test_preset_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SvdModel *models[2] = { f->a, f->b };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("Tiny chain", models, 2, &error);
  g_autoptr(SvdChain) back = NULL;
  g_autofree char *path = g_build_filename (f->dir, "chain.json", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  gsize l1, l2;

  g_assert_no_error (error);
  svd_chain_add_resize (chain, SVD_RESIZE_BICUBIC, 0.5);
  chain->has_target = TRUE;
  chain->target_device = g_strdup ("pthread-cpu");
  chain->target_width = 640;
  chain->target_height = 360;
  chain->target_fps = 23.976;
  g_assert_true (svd_preset_save (chain, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &first, &l1, NULL));
  g_assert_nonnull (strstr (first, "\"path\" : \"tiny1x.onnx\""));

  back = svd_preset_load (path, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 3);
  assert_same_weights (f->a, ((SvdChainStep *) g_ptr_array_index (back->steps, 0))->model);
  assert_same_weights (f->b, ((SvdChainStep *) g_ptr_array_index (back->steps, 1))->model);
  g_assert_cmpint (((SvdChainStep *) g_ptr_array_index (back->steps, 2))->filter, ==, SVD_RESIZE_BICUBIC);
  g_assert_cmpfloat (back->target_fps, ==, 23.976);

  /* Exact bytes after write → read → write. */
  second = svd_preset_to_data (back, f->dir, &l2);
  g_assert_cmpmem (first, l1, second, l2);

  /* The engine resizes by whole factors only: the 0.5 step is refused
   * clearly. */
  {
    g_auto(SvdSettings) settings = { 0 };
    g_autoptr(SvdEngine) engine = NULL;

    svd_settings_init (&settings);
    g_free (settings.device);
    settings.device = g_strdup ("cpu-ref");
    engine = svd_engine_new (&settings, &error);
    g_assert_no_error (error);
    g_assert_false (svd_engine_set_chain (engine, back, &error));
    g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
  }
}

static void
expect_bad (const char *dir,
            const char *json,
            int         code,
            const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = svd_preset_parse (json, -1, dir, SVD_CHAIN_LOAD_DEFAULT, &error);

  g_assert_null (chain);
  g_assert_error (error, SVD_ERROR, code);
  /* Shown and printed: always text, whatever bytes the file held. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” lacks “%s”", error->message, fragment);
}

static void
test_preset_bad (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SvdModel *models[1] = { f->a };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("one", models, 1, &error);
  g_autofree char *good = svd_preset_to_data (chain, f->dir, NULL);
  g_autoptr(GString) s = NULL;
  g_autoptr(SvdChain) warned = NULL;
  char *p;

  expect_bad (f->dir, "{ not json", SVD_ERROR_INVALID_INPUT, "not valid JSON");
  /* json-glib's parse error quotes what it decoded of "\ud800", which is
   * not UTF-8. */
  expect_bad (f->dir, "{\"name\": \"a\\ud800\", \"x\": 1}", SVD_ERROR_INVALID_INPUT, "string constant");
  expect_bad (f->dir, "[]", SVD_ERROR_INVALID_INPUT, "JSON object");
  expect_bad (f->dir, "{\"format\": \"other\", \"version\": 1}", SVD_ERROR_INVALID_INPUT, "not an SVD Studio");

  /* fuzz-preset: json-glib turns an unpaired surrogate escape into bytes
   * that are not UTF-8, and the name was written back as invalid text. */
  s = g_string_new (good);
  g_string_replace (s, "\"name\" : \"one\"", "\"name\" : \"A\\ud800B\"", 1);
  g_assert_nonnull (strstr (s->str, "\\ud800"));
  expect_bad (f->dir, s->str, SVD_ERROR_INVALID_INPUT, "not valid UTF-8");

  /* fuzz-preset: "." (the preset's own folder) was written back as the
   * empty path, which the reader refuses. */
  g_string_assign (s, good);
  g_string_replace (s, "tiny1x.onnx", "sub/..", 1);
  expect_bad (f->dir, s->str, SVD_ERROR_INVALID_INPUT, "own folder");

  g_string_assign (s, good);
  g_string_replace (s, "\"version\" : 1", "\"version\" : 2", 1);
  expect_bad (f->dir, s->str, SVD_ERROR_UNSUPPORTED, "version 2");

  g_string_assign (s, good);
  g_string_replace (s, "tiny1x.onnx", "missing.onnx", 1);
  expect_bad (f->dir, s->str, SVD_ERROR_IO, "does not exist");

  g_string_assign (s, good);
  g_string_replace (s, "\"nf\" : 8", "\"nf\" : 9", 1);
  expect_bad (f->dir, s->str, SVD_ERROR_MODEL_INVALID, "expects");

  g_string_assign (s, good);
  g_string_replace (s, "\"precision\"", "\"colour\" : 1, \"precision\"", 1);
  expect_bad (f->dir, s->str, SVD_ERROR_INVALID_INPUT, "unknown member “colour”");

  /* A changed hash is an error, or a warning when asked. */
  g_string_assign (s, good);
  p = strstr (s->str, "\"sha256\" : \"") + strlen ("\"sha256\" : \"");
  *p = *p == '0' ? '1' : '0';
  expect_bad (f->dir, s->str, SVD_ERROR_MODEL_INVALID, "changed since the preset was made");
  g_test_expect_message ("svd-preset", G_LOG_LEVEL_WARNING, "*changed since the preset was made*");
  warned = svd_preset_parse (s->str, -1, f->dir, SVD_CHAIN_LOAD_IGNORE_HASH, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (warned);
}

/* The fused ONNX reads back as the same chain and runs like it. */
static void
test_fused_onnx (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SvdModel *models[3] = { f->a, f->b, f->a };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("fused", models, 3, &error);
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(SvdChain) with_resize = NULL;
  g_autoptr(SvdChain) back2 = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bytes2 = NULL;
  g_autoptr(SvdImage) input = NULL;
  g_autoptr(SvdImage) want = NULL;
  g_autoptr(SvdImage) got = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_auto(SvdSettings) settings = { 0 };
  double diff;

  g_assert_no_error (error);
  bytes = svd_onnx_export_chain (chain, &error);
  g_assert_no_error (error);
  back = svd_chain_load_onnx (bytes, "fused", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SvdChainStep *s = g_ptr_array_index (back->steps, i);

      g_assert_cmpint (s->type, ==, SVD_CHAIN_STEP_MODEL);
      assert_same_weights (models[i], s->model);
      g_assert_cmpstr (s->name, ==, models[i]->name);
    }

  /* Run the read-back chain on the engine against the CPU reference of the
   * original models. */
  input = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 37, 29, &error);
  svd_test_fill_random_rgb (input, 7);
  want = svd_model_run_reference_chain (models, 3, input, 2, NULL, &error);
  g_assert_no_error (error);
  svd_settings_init (&settings);
  {
    /* The engine keeps its own reference. */
    g_autoptr(SvdClContext) ctx = svd_test_cl_context ();

    engine = svd_engine_new_for_context (ctx, &settings, &error);
  }
  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, back, &error));
  g_assert_true (svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &got, NULL, NULL, &error));
  g_assert_no_error (error);
  diff = svd_test_max_abs_diff (want, got);
  g_test_message ("fused ONNX chain on %s vs CPU reference of the original chain: max abs diff %.3g",
                  svd_engine_get_device_name (engine), diff);
  g_assert_cmpfloat (diff, <=, 1e-4);

  /* Built-in resizes travel as Resize nodes. */
  with_resize = svd_chain_new_from_models ("with-resize", models, 1, &error);
  svd_chain_add_resize (with_resize, SVD_RESIZE_BILINEAR, 0.5);
  svd_chain_add_model (with_resize, f->b, &error);
  svd_chain_add_resize (with_resize, SVD_RESIZE_BICUBIC, 2);
  g_assert_no_error (error);
  bytes2 = svd_onnx_export_chain (with_resize, &error);
  g_assert_no_error (error);
  back2 = svd_chain_load_onnx (bytes2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back2->steps->len, ==, 4);
  g_assert_cmpint (((SvdChainStep *) back2->steps->pdata[1])->type, ==, SVD_CHAIN_STEP_RESIZE);
  g_assert_cmpint (((SvdChainStep *) back2->steps->pdata[1])->filter, ==, SVD_RESIZE_BILINEAR);
  g_assert_cmpfloat (((SvdChainStep *) back2->steps->pdata[1])->resize_scale, ==, 0.5);
  g_assert_cmpint (((SvdChainStep *) back2->steps->pdata[3])->filter, ==, SVD_RESIZE_BICUBIC);
  assert_same_weights (f->b, ((SvdChainStep *) back2->steps->pdata[2])->model);
}

/* The slot section parses strictly and the ONNX files it names load back
 * with the chain's weights. */
static void
test_animejanai (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SvdModel *models[1] = { f->a };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("Tiny", models, 1, &error);
  g_autofree char *out = g_build_filename (f->dir, "aj", NULL);
  g_autofree char *conf_path = g_build_filename (out, "animejanai.conf", NULL);
  g_autofree char *conf = NULL;
  /* fp32 so the weights read back bit for bit (the fp16 default is
   * checked in test-animejanai.c). */
  SvdAnimeJaNaiSlot ranges = { .slot = 7, .min_width = 0, .min_height = 0, .max_width = 1280,
                               .max_height = 720, .min_fps = 0, .max_fps = 30, .fp32 = TRUE };
  SvdAnimeJaNaiSlot parsed = { 0 };
  SvdModel *expect[2] = { f->a, f->b };

  svd_chain_add_resize (chain, SVD_RESIZE_BICUBIC, 0.5);
  svd_chain_add_model (chain, f->b, &error);
  g_assert_no_error (error);
  g_assert_true (svd_animejanai_export (chain, &ranges, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (conf_path, &conf, NULL, NULL));
  g_assert_true (svd_animejanai_slot_parse (conf, -1, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.slot, ==, 7);
  g_assert_cmpstr (parsed.profile_name, ==, "Tiny");
  g_assert_cmpint (parsed.max_width, ==, 1280);
  g_assert_cmpint (parsed.max_height, ==, 720);
  g_assert_cmpfloat (parsed.max_fps, ==, 30);
  g_assert_cmpint (parsed.n_models, ==, 2);
  g_assert_cmpfloat (parsed.resize_factor[0], ==, 100);
  g_assert_cmpfloat (parsed.resize_factor[1], ==, 50);
  for (int m = 0; m < 2; m++)
    {
      g_autofree char *file = g_strconcat (parsed.model_names[m], ".onnx", NULL);
      g_autofree char *path = g_build_filename (out, "onnx", file, NULL);
      g_autoptr(SvdModel) back = svd_model_load (path, &error);

      g_assert_no_error (error);
      assert_same_weights (expect[m], back);
    }
  svd_animejanai_slot_clear (&parsed);

  /* Strictness. */
  g_assert_false (svd_animejanai_slot_parse ("[slot_1]\nchain_1_model_2_name=x\n", -1, &parsed, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "chain_1_model_1_name is missing"));
  g_clear_error (&error);
  svd_animejanai_slot_clear (&parsed);
  g_assert_false (svd_animejanai_slot_parse ("[slot_1]\nchain_1_model_1_name=x\nchain_1_max_fps=fast\n", -1,
                                             &parsed, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  svd_animejanai_slot_clear (&parsed);
  g_assert_false (svd_animejanai_slot_parse ("[slot_1]\nchain_1_model_1_name=x\nchain_1_colour=1\n", -1,
                                             &parsed, &error));
  g_assert_nonnull (strstr (error->message, "unknown key"));
  svd_animejanai_slot_clear (&parsed);
}

/* The seed's Super 1x → Super 2x fused into one ONNX: read back, run on the
 * engine, compared with the CPU reference of the original chain on a real
 * crop. */
static void
test_fused_onnx_seed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  g_autofree char *npy = NULL;
  g_autoptr(SvdModel) m1 = NULL;
  g_autoptr(SvdModel) m2 = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SvdImage) input = NULL;
  g_autoptr(SvdImage) want = NULL;
  g_autoptr(SvdImage) got = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_auto(SvdSettings) settings = { 0 };
  SvdModel *models[2];
  double diff;

  if (!g_file_test (svd_test_shared_dir (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared is missing");
      return;
    }
  p1 = svd_test_shared_path ("models", "seed", "1x_super_34_10_fp32.onnx", NULL);
  p2 = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  npy = svd_test_shared_path ("reference", "inputs", "bbb_crf34_37x53.npy", NULL);
  m1 = svd_model_load (p1, &error);
  g_assert_no_error (error);
  m2 = svd_model_load (p2, &error);
  g_assert_no_error (error);
  models[0] = m1;
  models[1] = m2;
  chain = svd_chain_new_from_models ("seed", models, 2, &error);
  g_assert_no_error (error);
  bytes = svd_onnx_export_chain (chain, &error);
  g_assert_no_error (error);
  back = svd_chain_load_onnx (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 2);
  assert_same_weights (m1, ((SvdChainStep *) back->steps->pdata[0])->model);
  assert_same_weights (m2, ((SvdChainStep *) back->steps->pdata[1])->model);

  input = svd_test_load_npy (npy, &error);
  g_assert_no_error (error);
  want = svd_model_run_reference_chain (models, 2, input, 2, NULL, &error);
  g_assert_no_error (error);
  svd_settings_init (&settings);
  {
    /* The engine keeps its own reference. */
    g_autoptr(SvdClContext) ctx = svd_test_cl_context ();

    engine = svd_engine_new_for_context (ctx, &settings, &error);
  }
  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, back, &error));
  g_assert_true (svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &got, NULL, NULL, &error));
  g_assert_no_error (error);
  diff = svd_test_max_abs_diff (want, got);
  g_test_message ("fused seed Super 1x + Super 2x ONNX on the engine vs the original chain's CPU reference "
                  "(37x53 crop): max abs diff %.3g", diff);
  g_assert_cmpfloat (diff, <=, 1e-4);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/export/onnx-model-round-trip", Fixture, NULL, fixture_set_up, test_onnx_model_round_trip,
              fixture_tear_down);
  g_test_add ("/export/preset-round-trip", Fixture, NULL, fixture_set_up, test_preset_round_trip,
              fixture_tear_down);
  g_test_add ("/export/preset-bad", Fixture, NULL, fixture_set_up, test_preset_bad, fixture_tear_down);
  g_test_add ("/export/fused-onnx", Fixture, NULL, fixture_set_up, test_fused_onnx, fixture_tear_down);
  g_test_add ("/export/animejanai", Fixture, NULL, fixture_set_up, test_animejanai, fixture_tear_down);
  g_test_add_func ("/export/fused-onnx-seed", test_fused_onnx_seed);
  return g_test_run ();
}
