/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ort"

/*
 * The fused chain ONNX in the client it is for: ONNX Runtime (npm
 * onnxruntime-node, CPU provider) runs the file `svd export-chain --format
 * onnx` writes for chains with graph steps (issue #27: SPANF3 after a
 * compact model, SPANF3 first, alone, a SPAN-like fp16 graph made here at
 * opset 11 around a compact model, and opset-11 nodes the export carries to
 * opsets 13 and 18), at an odd and an even size of the
 * same file (its height and width are dynamic). Each output is compared
 * with the same chain run by svd's engine (OpenCL where there is a device)
 * and by its fp32 CPU reference: within 2e-3, the tolerance
 * between two fp32 computations of the graph.
 *
 * onnxruntime-node is looked for in $SVD_ORT_NODE_MODULES, else in
 * .peers/node_modules of the source tree, where build-aux/bench-peers.sh
 * installs it (or: npm install --prefix .peers onnxruntime-node@1.30.0
 * --ignore-scripts); the test is skipped without it or without node.
 */

#include "svd.h"
#include "model/model-builders.h"
#include "svd-test-utils.h"

#include <string.h>

#define SPAN "other/2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16.onnx"
#define ULTRA "seed/1x_ultra_34_10_fp32.onnx"
#define TOLERANCE 2e-3

typedef struct {
  const char *id;
  const char *models[4];  /* under ../shared/models, or "@span-like" / "@tiny1x" made here */
  const char *sizes[2];   /* WxH: a shared input (bbb_crf34_HxW.npy), or random ones for made models */
} Case;

static const Case cases[] = {
  { "span-like-around-compact", { "@span-like", "@tiny1x", "@span-like", NULL }, { "13x9", "16x10" } },
  /* Opset-11 nodes carried to opsets 13 and 18 (Split sizes, num_outputs,
   * Dropout). */
  { "split-gate-alone", { "@gate", NULL }, { "11x7", NULL } },
  { "split-gate-then-span-like-opset18", { "@gate-equal", "@span-like18", NULL }, { "11x7", NULL } },
  { "ultra-1x-then-spanf3-2x", { ULTRA, SPAN, NULL }, { "53x37", "96x64" } },
  { "spanf3-2x-then-ultra-1x", { SPAN, ULTRA, NULL }, { "53x37", NULL } },
  { "spanf3-2x-alone", { SPAN, NULL }, { "53x37", "96x64" } },
};

static char *work_dir;
static char *node;
static char *node_modules;

static char *
svd_path (void)
{
  return g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
}

/* The models made here, as files (the CLI reads files). */
static char *
model_file (const char *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *path;

  if (entry[0] != '@')
    return svd_test_shared_path ("models", entry, NULL);
  path = g_strdup_printf ("%s/%s.onnx", work_dir, entry + 1);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  if (strcmp (entry, "@span-like") == 0)
    bytes = mb_span_like_onnx (11, 21);
  else if (strcmp (entry, "@span-like18") == 0)
    bytes = mb_span_like_onnx (18, 23);
  else if (g_str_has_prefix (entry, "@gate"))
    bytes = mb_split_gate_onnx (11, strcmp (entry, "@gate") == 0, 24);
  else
    {
      g_autoptr(SvdModel) m = mb_random_model (3, 8, 2, 1, 22);

      bytes = svd_onnx_export_model (m, &error);
      g_assert_no_error (error);
    }
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  return path;
}

static void
write_planes (const SvdImage *img,
              const char     *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) b = g_byte_array_new ();

  g_assert_cmpint (img->format, ==, SVD_PIXEL_FORMAT_RGB_F32);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < img->height; y++)
      g_byte_array_append (b, img->data[c] + (gsize) y * img->stride[c], sizeof (float) * img->width);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, &error));
  g_assert_no_error (error);
}

/* ONNX Runtime's output of @model on @input, as an image. */
static SvdImage *
run_ort (const char     *model,
         const SvdImage *input)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "tests", "clients", "ort-run.js", NULL);
  g_autofree char *in_path = g_build_filename (work_dir, "ort-in.f32", NULL);
  g_autofree char *out_path = g_build_filename (work_dir, "ort-out.f32", NULL);
  g_autofree char *w = g_strdup_printf ("%d", input->width), *h = g_strdup_printf ("%d", input->height);
  const char *argv[] = { node, script, model, in_path, w, h, out_path, NULL };
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "NODE_PATH", node_modules, TRUE);
  g_autofree char *out = NULL, *err = NULL, *data = NULL;
  g_auto(GStrv) lines = NULL;
  int status = 0, n1, c, oh, ow;
  gsize len;
  SvdImage *img;

  write_planes (input, in_path);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("ONNX Runtime failed on %s: %s", model, err);
  lines = g_strsplit (out, "\n", -1);
  g_assert_true (g_strv_length (lines) >= 2);
  g_test_message ("%s", lines[0]);
  g_assert_cmpint (sscanf (lines[1], "%d %d %d %d", &n1, &c, &oh, &ow), ==, 4);
  g_assert_cmpint (n1, ==, 1);
  g_assert_cmpint (c, ==, 3);
  g_assert_true (g_file_get_contents (out_path, &data, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, sizeof (float) * 3 * oh * ow);
  img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, ow, oh, &error);
  g_assert_no_error (error);
  for (int p = 0; p < 3; p++)
    for (int y = 0; y < oh; y++)
      memcpy (img->data[p] + (gsize) y * img->stride[p], data + sizeof (float) * ((gsize) p * oh + y) * ow,
              sizeof (float) * ow);
  return img;
}

static SvdImage *
make_input (const char *size)
{
  g_autoptr(GError) error = NULL;
  int w = 0, h = 0;
  SvdImage *img;

  g_assert_cmpint (sscanf (size, "%dx%d", &w, &h), ==, 2);
  if (w == 53 || w == 96)
    {
      /* A real frame: the shared reference inputs (named HxW). */
      g_autofree char *name = g_strdup_printf ("bbb_crf34_%dx%d.npy", h, w);
      g_autofree char *path = svd_test_shared_path ("reference", "inputs", name, NULL);

      img = svd_test_load_npy (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (img->width, ==, w);
      return img;
    }
  img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (img, (guint32) (w * 131 + h));
  return img;
}

static void
test_case (gconstpointer data)
{
  const Case *tc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *spec = NULL, *fused = NULL, *svd = svd_path ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_auto(SvdSettings) settings = { 0 };
  g_autoptr(GPtrArray) models = g_ptr_array_new ();
  int status = 0;

  for (int i = 0; tc->models[i] != NULL; i++)
    {
      if (tc->models[i][0] != '@' && !g_file_test (svd_test_shared_dir (), G_FILE_TEST_IS_DIR))
        {
          g_test_skip ("../shared is missing");
          return;
        }
      g_ptr_array_add (files, model_file (tc->models[i]));
    }
  g_ptr_array_add (files, NULL);
  spec = g_strjoinv (",", (char **) files->pdata);
  fused = g_strdup_printf ("%s/%s.onnx", work_dir, tc->id);
  {
    const char *argv[] = { svd, "export-chain", "-q", "-y", "-f", "onnx", spec, fused, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                                 &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("svd export-chain failed: %s", err);
  }

  chain = svd_chain_parse (spec, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < chain->steps->len; i++)
    g_ptr_array_add (models, ((SvdChainStep *) chain->steps->pdata[i])->model);
  svd_settings_init (&settings);
  {
    g_autoptr(SvdClContext) ctx = svd_test_cl_context ();

    engine = svd_engine_new_for_context (ctx, &settings, &error);
  }
  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, chain, &error));
  g_assert_no_error (error);

  for (int k = 0; k < 2 && tc->sizes[k] != NULL; k++)
    {
      g_autoptr(SvdImage) input = make_input (tc->sizes[k]);
      g_autoptr(SvdImage) ort = run_ort (fused, input);
      g_autoptr(SvdImage) ref = NULL, got = NULL;
      double d_ref, d_engine;

      ref = svd_model_run_reference_chain ((SvdModel **) models->pdata, models->len, input, 2, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &got, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ort->width, ==, ref->width);
      g_assert_cmpint (ort->height, ==, ref->height);
      d_ref = svd_test_max_abs_diff (ort, ref);
      d_engine = svd_test_max_abs_diff (ort, got);
      g_test_message ("%s at %dx%d → %dx%d: ONNX Runtime on the fused file vs svd's CPU reference %.3g, vs %s "
                      "%.3g (max abs diff)", tc->id, input->width, input->height, ort->width, ort->height, d_ref,
                      svd_engine_get_device_name (engine), d_engine);
      g_assert_cmpfloat (d_ref, <=, TOLERANCE);
      g_assert_cmpfloat (d_engine, <=, TOLERANCE);
    }
}

static char *
find_node_modules (void)
{
  const char *env = g_getenv ("SVD_ORT_NODE_MODULES");
  g_autofree char *dir = env != NULL ? g_strdup (env) :
                         g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), ".peers", "node_modules", NULL);
  g_autofree char *ort = g_build_filename (dir, "onnxruntime-node", "package.json", NULL);

  return g_file_test (ort, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&dir) : NULL;
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  node = g_find_program_in_path ("node");
  if (node == NULL)
    svd_test_skip_all ("node is not installed (build-aux/install-deps.sh --peers)");
  node_modules = find_node_modules ();
  if (node_modules == NULL)
    svd_test_skip_all ("onnxruntime-node is missing: npm install --prefix .peers onnxruntime-node@1.30.0 "
                       "--ignore-scripts (in the source tree), or set SVD_ORT_NODE_MODULES");
  work_dir = g_dir_make_tmp ("svd-ort-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ort/%s", cases[i].id);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  ret = g_test_run ();
  svd_test_remove_tree (work_dir);
  g_free (work_dir);
  g_free (node);
  g_free (node_modules);
  return ret;
}
