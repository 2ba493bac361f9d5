/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-export"

#include "svd.h"
#include "export/svd-animejanai.h"
#include "tiers/svd-bench-matrix.h"
#include "export/svd-onnx-export.h"
#include "model/model-builders.h"
#include "svd-test-utils.h"

#include <json-glib/json-glib.h>

#include <glib/gstdio.h>
#include <string.h>

static char *tmp_dir;

static char *
write_model (const char *name,
             int         nf,
             int         scale,
             guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_new (3, 3, nf, 1, scale, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GBytes) bytes = NULL;
  char *path = g_strdup_printf ("%s/%s.onnx", tmp_dir, name);

  g_assert_no_error (error);
  for (int l = 0; l < m->n_layers; l++)
    for (int i = 0; i < m->layers[l].out_ch * m->layers[l].in_ch * 9; i++)
      m->layers[l].weight[i] = (float) g_rand_double_range (rand, -0.05, 0.05);
  bytes = svd_onnx_export_model (m, &error);
  g_assert_no_error (error);
  g_assert_true (svd_onnx_save (bytes, path, &error));
  return path;
}

/* Runs `svd ARGS…`; returns stdout, asserting the exit status. */
static char *
run_svd (gboolean    expect_ok,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  const char *a;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL));
  va_start (ap, first);
  for (a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  if (g_spawn_check_wait_status (status, NULL) != expect_ok)
    g_error ("svd %s: unexpected status %d\nstdout: %s\nstderr: %s", first, status, out, err);
  return out;
}

static void
test_export_chain (void)
{
  g_autofree char *a = write_model ("cliA", 4, 1, 1);
  g_autofree char *b = write_model ("cliB", 4, 2, 2);
  g_autofree char *spec = g_strdup_printf ("%s,%s", a, b);
  g_autofree char *preset = g_build_filename (tmp_dir, "chain.json", NULL);
  g_autofree char *fused = g_build_filename (tmp_dir, "fused.onnx", NULL);
  g_autofree char *glsl = g_build_filename (tmp_dir, "chain.glsl", NULL);
  g_autofree char *aj = g_build_filename (tmp_dir, "aj", NULL);
  g_autofree char *conf_path = g_build_filename (aj, "animejanai.conf", NULL);
  g_autofree char *conf = NULL;
  g_autofree char *shader = NULL;
  g_autofree char *fused_data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SvdAnimeJaNaiSlot slot = { 0 };
  gsize len;

  g_free (run_svd (TRUE, "export-chain", "--format", "preset", "--name", "CLI chain", spec, preset, NULL));
  chain = svd_preset_load (preset, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chain->steps->len, ==, 2);
  g_assert_cmpstr (chain->name, ==, "CLI chain");

  /* Every chain-taking command accepts the preset. */
  g_free (run_svd (TRUE, "bench", "--chain", preset, "--size", "32x24", "--frames", "1", "--warmup", "0",
                   "--no-peak", "-q", NULL));

  g_free (run_svd (TRUE, "export-chain", "--format", "onnx", preset, fused, NULL));
  g_assert_true (g_file_get_contents (fused, &fused_data, &len, NULL));
  bytes = g_bytes_new_take (g_steal_pointer (&fused_data), len);
  back = svd_chain_load_onnx (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 2);
  /* svd model info describes a fused chain by its steps. */
  {
    g_autofree char *info = run_svd (TRUE, "model", "info", "--size", "32x24", fused, NULL);

    g_test_message ("%s", info);
    g_assert_nonnull (strstr (info, "a fused chain of 2 steps"));
    g_assert_nonnull (strstr (info, "Output:            64x48 from 32x24 input"));
  }

  g_free (run_svd (TRUE, "export-chain", "--format", "glsl", preset, glsl, NULL));
  g_assert_true (g_file_get_contents (glsl, &shader, NULL, NULL));
  g_assert_nonnull (strstr (shader, "//!HOOK MAIN"));

  g_free (run_svd (TRUE, "export-chain", "--format", "animejanai", "--slot", "3", "--max-resolution", "1280x720",
                   "--max-fps", "31", preset, aj, NULL));
  g_assert_true (g_file_get_contents (conf_path, &conf, NULL, NULL));
  g_assert_true (svd_animejanai_slot_parse (conf, -1, &slot, &error));
  g_assert_no_error (error);
  g_assert_cmpint (slot.slot, ==, 3);
  g_assert_cmpint (slot.n_models, ==, 2);
  g_assert_cmpfloat (slot.max_fps, ==, 31);
  svd_animejanai_slot_clear (&slot);

  g_free (run_svd (FALSE, "export-chain", "--format", "bmp", preset, glsl, NULL));
}

/* A chain with graph steps (a SPAN-like graph made by model-builders.c,
 * issue #27): the fused ONNX loads in every command as its steps, `svd
 * model info` describes the graph steps by their ops, and `svd model run`
 * of the file writes what the chain itself writes. */
static void
test_export_chain_graph (void)
{
  g_autofree char *a = write_model ("gA", 4, 1, 5);
  g_autofree char *span = g_build_filename (tmp_dir, "span-like.onnx", NULL);
  g_autofree char *fused = g_build_filename (tmp_dir, "graph-fused.onnx", NULL);
  g_autofree char *in = g_build_filename (tmp_dir, "graph-in.png", NULL);
  g_autofree char *out_chain = g_build_filename (tmp_dir, "graph-chain.png", NULL);
  g_autofree char *out_fused = g_build_filename (tmp_dir, "graph-fused.png", NULL);
  g_autofree char *spec = NULL, *info = NULL;
  g_autoptr(GBytes) span_bytes = mb_span_like_onnx (11, 31);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 21, 13, &error);
  g_autoptr(SvdImage) x = NULL, y = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (span, g_bytes_get_data (span_bytes, NULL), g_bytes_get_size (span_bytes),
                                      &error));
  spec = g_strdup_printf ("%s,%s,%s", span, a, span);
  g_free (run_svd (TRUE, "export-chain", "-q", "--format", "onnx", spec, fused, NULL));

  info = run_svd (TRUE, "model", "info", "--size", "21x13", fused, NULL);
  g_test_message ("%s", info);
  g_assert_nonnull (strstr (info, "a fused chain of 3 steps"));
  g_assert_nonnull (strstr (info, "SPAN-family graph (Conv 2 (3x3 1, 1x1 1)"));
  g_assert_null (strstr (info, "nf 0"));
  g_assert_nonnull (strstr (info, "Output:            84x52 from 21x13 input"));

  svd_test_fill_random_rgb (img, 9);
  g_assert_true (svd_png_save (img, in, 16, &error));
  g_assert_no_error (error);
  g_free (run_svd (TRUE, "model", "run", "-q", "--16bit", "-d", "cpu-ref", spec, in, out_chain, NULL));
  g_free (run_svd (TRUE, "model", "run", "-q", "--16bit", "-d", "cpu-ref", fused, in, out_fused, NULL));
  x = svd_png_load_as (out_chain, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  y = svd_png_load_as (out_fused, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (y->width, ==, 84);
  g_assert_cmpfloat (svd_test_max_abs_diff (x, y), <=, 1.0 / 65535);
}

static void
test_bench_matrix_json (void)
{
  g_autofree char *a = write_model ("mA", 4, 1, 3);
  g_autofree char *b = write_model ("mB", 4, 2, 4);
  g_autofree char *slot2 = g_strdup_printf ("none,%s", b);
  g_autofree char *out = run_svd (TRUE, "bench-matrix", "--slot", a, "--slot", slot2, "--size", "32x24,16x12",
                                  "--runs", "1", "--warmup", "0", "--json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;
  JsonArray *measured, *estimates;
  guint n_gpu;

  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  measured = json_object_get_array_member (o, "measured");
  estimates = json_object_get_array_member (o, "estimates");
  g_assert_cmpuint (json_array_get_length (measured), ==, 4);
  svd_gpu_table (&n_gpu);
  g_assert_cmpuint (json_array_get_length (estimates), ==, 4 * n_gpu);
  for (guint i = 0; i < json_array_get_length (measured); i++)
    {
      JsonObject *r = json_array_get_object_element (measured, i);

      g_assert_cmpfloat (json_object_get_double_member (r, "fps"), >, 0);
      g_assert_false (json_object_has_member (r, "kind"));
    }
  for (guint i = 0; i < json_array_get_length (estimates); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (estimates, i), "kind"), ==,
                     "estimate");
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  svd_cl_context_unref (svd_test_cl_context ()); /* only checks that a device exists */
  tmp_dir = g_dir_make_tmp ("svd-cli-export-XXXXXX", NULL);
  g_test_add_func ("/cli-export/export-chain", test_export_chain);
  g_test_add_func ("/cli-export/export-chain-graph", test_export_chain_graph);
  g_test_add_func ("/cli-export/bench-matrix-json", test_bench_matrix_json);
  rc = g_test_run ();
  {
    const char *argv2[] = { "rm", "-rf", tmp_dir, NULL };

    g_spawn_sync (NULL, (char **) argv2, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return rc;
}
