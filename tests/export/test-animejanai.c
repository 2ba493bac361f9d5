/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-animejanai"

/*
 * The AnimeJaNai export as the player reads it: fp16 ONNX files (fp16
 * input, output and weights, what its TensorRT flags `--stronglyTyped`
 * expect) under names true to their precision, `--fp32` to opt out; slots
 * 1-9 only; and an animejanai.conf that Python's configparser (the parser
 * the player uses) reads as exactly one section with the keys we meant,
 * whatever the names hold.
 */

#include "svd.h"
#include "export/svd-animejanai.h"
#include "export/svd-onnx-export.h"
#include "svd-test-utils.h"
#include "onnx.pb-c.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static char *tmp_dir;

static SvdModel *
random_model (const char *name,
              int         nf,
              int         scale,
              guint32     seed)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_new (3, 3, nf, 2, scale, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

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
  return m;
}

/* Writes a random fp32 model with the project's ONNX writer. */
static char *
write_model (const char *name,
             int         scale,
             guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = random_model (name, 12, scale, seed);
  g_autoptr(GBytes) bytes = svd_onnx_export_model (m, &error);
  char *path = g_strdup_printf ("%s/%s.onnx", tmp_dir, name);

  g_assert_no_error (error);
  g_assert_true (svd_onnx_save (bytes, path, &error));
  g_assert_no_error (error);
  return path;
}

/* Runs `svd ARGS…` and returns its exit status. */
static int
run_svd (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("svd %s: %s", first, err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Input/output element types and the initializers' types of an ONNX file. */
static void
check_onnx_types (const char *path,
                  int         want)
{
  g_autofree char *data = NULL;
  gsize len;
  Onnx__ModelProto *proto;
  const Onnx__GraphProto *g;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  proto = onnx__model_proto__unpack (NULL, len, (const guint8 *) data);
  g_assert_nonnull (proto);
  g = proto->graph;
  g_assert_cmpuint (g->n_input, ==, 1);
  g_assert_cmpuint (g->n_output, ==, 1);
  g_assert_cmpint (g->input[0]->type->tensor_type->elem_type, ==, want);
  g_assert_cmpint (g->output[0]->type->tensor_type->elem_type, ==, want);
  for (gsize i = 0; i < g->n_initializer; i++)
    {
      /* Resize's scales are float in every precision (the spec says so). */
      if (g_str_has_suffix (g->initializer[i]->name, "resize_scales"))
        g_assert_cmpint (g->initializer[i]->data_type, ==, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
      else
        g_assert_cmpint (g->initializer[i]->data_type, ==, want);
    }
  onnx__model_proto__free_unpacked (proto, NULL);
}

static double
max_abs_png (const char *a_path,
             const char *b_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) a = svd_png_load_as (a_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_autoptr(SvdImage) b = NULL;

  g_assert_no_error (error);
  b = svd_png_load_as (b_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  return svd_test_max_abs_diff (a, b);
}

/* Default fp16: fp16 in, out and weights, named _fp16, and the chain of
 * the fp16 files run by our own importer agrees with the fp32 sources
 * within 2e-2. --fp32 writes fp32 under _fp32 names. */
static void
test_precision (void)
{
  g_autofree char *a = write_model ("tiny1x_fp32", 1, 51);
  g_autofree char *b = write_model ("tiny2x", 2, 52);
  g_autofree char *list = g_strdup_printf ("%s,%s", a, b);
  g_autofree char *out16 = g_build_filename (tmp_dir, "aj16", NULL);
  g_autofree char *out32 = g_build_filename (tmp_dir, "aj32", NULL);
  g_autofree char *a16 = g_build_filename (out16, "onnx", "tiny1x_fp16.onnx", NULL);
  g_autofree char *b16 = g_build_filename (out16, "onnx", "tiny2x_fp16.onnx", NULL);
  g_autofree char *a32 = g_build_filename (out32, "onnx", "tiny1x_fp32.onnx", NULL);
  g_autofree char *b32 = g_build_filename (out32, "onnx", "tiny2x_fp32.onnx", NULL);
  g_autofree char *conf_path = g_build_filename (out16, "animejanai.conf", NULL);
  g_autofree char *conf = NULL;
  g_autofree char *in_png = g_build_filename (tmp_dir, "in.png", NULL);
  g_autofree char *ref_png = g_build_filename (tmp_dir, "ref.png", NULL);
  g_autofree char *got_png = g_build_filename (tmp_dir, "got16.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 37, 29, &error);
  g_autoptr(SvdModel) loaded = NULL;
  SvdAnimeJaNaiSlot slot = { 0 };
  double diff;

  g_assert_no_error (error);
  g_assert_cmpint (run_svd ("export-chain", "-q", "--format", "animejanai", list, out16, NULL), ==, 0);
  g_assert_cmpint (run_svd ("export-chain", "-q", "--format", "animejanai", "--fp32", list, out32, NULL), ==, 0);
  g_assert_true (g_file_test (a16, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (b16, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (a32, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (b32, G_FILE_TEST_IS_REGULAR));
  check_onnx_types (a16, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16);
  check_onnx_types (b16, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16);
  check_onnx_types (a32, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  check_onnx_types (b32, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  loaded = svd_model_load (b16, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->stored_precision, ==, SVD_STORAGE_FP16);

  /* The conf names the files as written. */
  g_assert_true (g_file_get_contents (conf_path, &conf, NULL, NULL));
  g_assert_true (svd_animejanai_slot_parse (conf, -1, &slot, &error));
  g_assert_no_error (error);
  g_assert_cmpint (slot.n_models, ==, 2);
  g_assert_cmpstr (slot.model_names[0], ==, "tiny1x_fp16");
  g_assert_cmpstr (slot.model_names[1], ==, "tiny2x_fp16");
  svd_animejanai_slot_clear (&slot);

  svd_test_fill_random_rgb (img, 53);
  g_assert_true (svd_png_save (img, in_png, 16, &error));
  g_assert_cmpint (run_svd ("model", "run", "-q", "--device", "cpu-ref", "--16bit", a, b, in_png, ref_png, NULL), ==, 0);
  g_assert_cmpint (run_svd ("model", "run", "-q", "--device", "cpu-ref", "--16bit", a16, b16, in_png, got_png, NULL), ==, 0);
  diff = max_abs_png (ref_png, got_png);
  g_test_message ("fp16 AnimeJaNai chain vs fp32 sources (svd model run): max abs diff %.3g", diff);
  g_assert_cmpfloat (diff, <=, 2e-2);
  g_assert_cmpfloat (diff, >, 0.0);
}

/* Slots are 1-9; 1001 is AnimeJaNai's built-in Quality profile. */
static void
test_slot_range (void)
{
  g_autofree char *a = write_model ("slotmodel", 2, 61);
  const char *bad[] = { "0", "-1", "10", "1001", "1010" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_load (a, &error);
  g_autoptr(SvdChain) chain = NULL;
  SvdAnimeJaNaiSlot ranges = { .slot = 1001 };
  SvdAnimeJaNaiSlot parsed = { 0 };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/slot%s", tmp_dir, bad[i]);
      g_autofree char *conf = g_build_filename (out, "animejanai.conf", NULL);

      g_assert_cmpint (run_svd ("export-chain", "-q", "--format", "animejanai", "--slot", bad[i], a, out, NULL), !=, 0);
      g_assert_false (g_file_test (conf, G_FILE_TEST_EXISTS));
    }
  chain = svd_chain_new_from_models ("c", &m, 1, &error);
  g_assert_no_error (error);
  g_assert_false (svd_animejanai_export (chain, &ranges, tmp_dir, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (svd_animejanai_slot_parse ("[slot_1001]\nchain_1_model_1_name=x\n", -1, &parsed, &error));
  svd_animejanai_slot_clear (&parsed);
  g_clear_error (&error);
  g_assert_cmpint (run_svd ("export-chain", "-q", "--format", "animejanai", "--slot", "9", a,
                            tmp_dir, NULL), ==, 0);
}

static const char configparser_src[] =
  "import configparser, json, sys\n"
  "p = configparser.ConfigParser()\n"
  "p.read(sys.argv[1])\n"
  "print(json.dumps({s: {k: p[s][k] for k in p[s]} for s in p.sections()}))\n";

/* Python's configparser reads exactly the section and keys we meant, even
 * when the profile and model names hold newlines, `[`, `=`, `%` and `../`. */
static void
test_configparser (void)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *out = g_build_filename (tmp_dir, "evil", NULL);
  g_autofree char *conf_path = g_build_filename (out, "animejanai.conf", NULL);
  g_autofree char *json = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) a = random_model ("a", 8, 1, 71);
  g_autoptr(SvdModel) b = random_model ("b", 8, 2, 72);
  SvdModel *models[2] = { a, b };
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SvdAnimeJaNaiSlot ranges = { .slot = 4, .max_width = 1920, .max_height = 1080, .min_fps = 1.5, .max_fps = 31 };
  SvdAnimeJaNaiSlot written = { 0 };
  JsonObject *root, *sec;
  g_autoptr(GList) members = NULL;
  int status;
  const char *names[2] = { "../../etc\n[slot_9]\nchain_1_rife=yes", "x\r\nchain_1_model_9_name=..%2F[y] z" };
  char *argv[] = { python, "-c", (char *) configparser_src, conf_path, NULL };

  if (python == NULL)
    {
      g_test_skip ("python3 is missing");
      return;
    }
  ranges.profile_name = (char *) "Evil\n[slot_9]\nchain_1_rife=yes %(x)s 100%";
  chain = svd_chain_new_from_models ("c", models, 2, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      SvdChainStep *st = g_ptr_array_index (chain->steps, i);

      g_free (st->name);
      st->name = g_strdup (names[i]);
    }
  g_assert_true (svd_animejanai_export (chain, &ranges, out, &written, &error));
  g_assert_no_error (error);

  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &json, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("configparser failed on our conf: %s", err);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (root), ==, 1);
  g_assert_true (json_object_has_member (root, "slot_4"));
  sec = json_object_get_object_member (root, "slot_4");
  g_assert_cmpstr (json_object_get_string_member (sec, "profile_name"), ==,
                   "Evil [slot_9] chain_1_rife=yes %(x)s 100%");
  g_assert_cmpstr (json_object_get_string_member (sec, "chain_1_min_resolution"), ==, "0x0");
  g_assert_cmpstr (json_object_get_string_member (sec, "chain_1_max_resolution"), ==, "1920x1080");
  g_assert_cmpstr (json_object_get_string_member (sec, "chain_1_min_fps"), ==, "1.5");
  g_assert_cmpstr (json_object_get_string_member (sec, "chain_1_max_fps"), ==, "31");
  g_assert_cmpstr (json_object_get_string_member (sec, "chain_1_rife"), ==, "no");
  for (int m = 1; m <= 2; m++)
    {
      g_autofree char *k_name = g_strdup_printf ("chain_1_model_%d_name", m);
      g_autofree char *k_factor = g_strdup_printf ("chain_1_model_%d_resize_factor_before_upscale", m);
      g_autofree char *k_height = g_strdup_printf ("chain_1_model_%d_resize_height_before_upscale", m);
      const char *name = json_object_get_string_member (sec, k_name);
      g_autofree char *file = g_strconcat (name, ".onnx", NULL);
      g_autofree char *path = g_build_filename (out, "onnx", file, NULL);

      g_assert_cmpstr (name, ==, written.model_names[m - 1]);
      g_assert_cmpuint (strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-"), ==,
                        strlen (name));
      g_assert_true (name[0] != '.');
      g_assert_true (g_str_has_suffix (name, "_fp16"));
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpstr (json_object_get_string_member (sec, k_factor), ==, "100");
      g_assert_cmpstr (json_object_get_string_member (sec, k_height), ==, "0");
    }
  /* Exactly these keys: 6 per slot + 3 per model. */
  members = json_object_get_members (sec);
  g_assert_cmpuint (g_list_length (members), ==, 6 + 3 * 2);
  /* Nothing was written outside OUT. */
  g_assert_false (g_file_test (tmp_dir, G_FILE_TEST_IS_DIR) &&
                  g_file_test ("/etc/_fp16.onnx", G_FILE_TEST_EXISTS));
  svd_animejanai_slot_clear (&written);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("svd-animejanai-XXXXXX", NULL);
  g_test_add_func ("/animejanai/precision", test_precision);
  g_test_add_func ("/animejanai/slot-range", test_slot_range);
  g_test_add_func ("/animejanai/configparser", test_configparser);
  ret = g_test_run ();
  svd_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
