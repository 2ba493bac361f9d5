/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-model-bad"

/* Bad input gets a clear GError in the SVD_ERROR domain, never a crash
 * (this suite also runs under ASan/UBSan). The files are generated here
 * byte by byte: safetensors, torch zip and legacy pickles, ONNX protobufs. */

#include "svd-test-utils.h"
#include "model-builders.h"
#include "model/svd-model-private.h"

#include <glib/gstdio.h>

/* Loads @bytes and asserts the error's code and that the message holds
 * every string in @needles. */
static void
expect_error (GBytes     *bytes,
              int         code,
              const char *const *needles)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_load_from_bytes (bytes, "bad", &error);

  g_assert_null (m);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", svd_error_code_name (error->code), error->message);
  g_assert_error (error, SVD_ERROR, code);
  /* Shown in the app and printed: always text. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (gsize i = 0; needles && needles[i]; i++)
    if (strstr (error->message, needles[i]) == NULL)
      g_error ("message “%s” does not mention “%s”", error->message, needles[i]);
}

static void
every_truncation (GBytes     *full,
                  const char *what)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (full, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) whole = svd_model_load_from_bytes (full, what, &error);

  /* The untruncated file loads, so the truncations test the reader, not a
   * broken file. */
  g_assert_no_error (error);
  g_assert_nonnull (whole);
  for (gsize n = 0; n < len; n++)
    {
      /* A fresh copy of exactly n bytes, so ASan sees any overread. */
      g_autoptr(GBytes) cut = g_bytes_new (data, n);
      g_autoptr(GError) e = NULL;
      g_autoptr(SvdModel) m = svd_model_load_from_bytes (cut, what, &e);

      if (m != NULL)
        g_error ("%s truncated to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes loaded", what, n, len);
      g_assert_nonnull (e);
      g_assert_true (e->domain == SVD_ERROR);
      g_assert_true (e->message != NULL && e->message[0] != '\0');
    }
  g_test_message ("%s: all %" G_GSIZE_FORMAT " truncations refused", what, len);
}

static void
test_truncations (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 5);
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR };
  g_autoptr(GBytes) st = mb_safetensors (m, SVD_STORAGE_FP16, NULL, NULL);
  g_autoptr(GBytes) zip = mb_pth_zip (m, "params");
  g_autoptr(GBytes) legacy = mb_pth_legacy (m);
  g_autoptr(GBytes) onnx = mb_onnx (m, &o);

  every_truncation (st, "safetensors");
  every_truncation (zip, "pth-zip");
  every_truncation (legacy, "pth-legacy");
  every_truncation (onnx, "onnx");
}

static void
test_wrong_magic (void)
{
  static const char text[] = "#!/bin/sh\necho this is not a model\n";
  g_autoptr(GBytes) b = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  expect_error (b, SVD_ERROR_INVALID_INPUT, (const char *[]) { "Unknown model format", NULL });
  expect_error (empty, SVD_ERROR_INVALID_INPUT, NULL);
}

static void
test_pickle_globals (void)
{
  static const struct {
    const char *module, *name;
    gboolean    stack_global, legacy;
    const char *shown;
  } cases[] = {
    { "os", "system", FALSE, FALSE, "os.system" },
    { "posix", "system", FALSE, TRUE, "posix.system" },
    { "builtins", "eval", TRUE, FALSE, "builtins.eval" },
    { "builtins", "exec", FALSE, TRUE, "builtins.exec" },
    { "subprocess", "Popen", TRUE, FALSE, "subprocess.Popen" },
  };

  g_remove ("/tmp/svd-pwned");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) b = mb_pickle_calling (cases[i].module, cases[i].name, cases[i].stack_global, cases[i].legacy);

      expect_error (b, SVD_ERROR_UNSAFE, (const char *[]) { cases[i].shown, "Refused", NULL });
    }
  g_assert_false (g_file_test ("/tmp/svd-pwned", G_FILE_TEST_EXISTS));
}

/* A safetensors file from a hand-written header and @data_len zero bytes. */
static GBytes *
safetensors_raw (const char *header,
                 gsize       data_len,
                 guint64     claimed)
{
  GByteArray *o = g_byte_array_new ();
  guint64 hl = claimed ? claimed : strlen (header);
  guint8 lb[8];
  g_autofree guint8 *zeros = g_malloc0 (data_len + 1);

  for (int i = 0; i < 8; i++)
    lb[i] = (guint8) (hl >> (8 * i));
  g_byte_array_append (o, lb, 8);
  g_byte_array_append (o, (const guint8 *) header, strlen (header));
  g_byte_array_append (o, zeros, data_len);
  return g_byte_array_free_to_bytes (o);
}

static void
test_safetensors_headers (void)
{
  g_autoptr(GBytes) range = safetensors_raw (
    "{\"body.0.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
    "\"body.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 16, 0);
  g_autoptr(GBytes) overlap = safetensors_raw (
    "{\"body.0.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
    "\"body.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, 0);
  g_autoptr(GBytes) size = safetensors_raw (
    "{\"body.0.weight\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16, 0);
  g_autoptr(GBytes) json = safetensors_raw ("{\"body.0.weight\":{\"dtype\":\"F32\",", 16, 0);
  g_autoptr(GBytes) huge = safetensors_raw ("{}", 64, (guint64) 2 << 30);
  g_autoptr(GBytes) dtype = safetensors_raw (
    "{\"body.0.weight\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16, 0);
  g_autoptr(GBytes) overflow = safetensors_raw (
    "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,16]}}", 16, 0);

  expect_error (range, SVD_ERROR_INVALID_INPUT, (const char *[]) { "body.0.bias", "out of range", NULL });
  expect_error (overlap, SVD_ERROR_INVALID_INPUT, (const char *[]) { "overlap", "body.0.weight", "body.0.bias", NULL });
  expect_error (size, SVD_ERROR_INVALID_INPUT, (const char *[]) { "body.0.weight", "does not match", NULL });
  expect_error (json, SVD_ERROR_INVALID_INPUT, (const char *[]) { "JSON", NULL });
  expect_error (huge, SVD_ERROR_INVALID_INPUT, (const char *[]) { "2147483648", NULL });
  expect_error (dtype, SVD_ERROR_UNSUPPORTED, (const char *[]) { "I64", NULL });
  expect_error (overflow, SVD_ERROR_INVALID_INPUT, (const char *[]) { "shape", NULL });
  /* json-glib decodes an unpaired surrogate escape into bytes that are not
   * UTF-8: in a tensor name, a metadata key or value, or a dtype, the file
   * is refused in a message that is itself text. */
  {
    g_autoptr(GBytes) name = safetensors_raw (
      "{\"body.\\ud800.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0);
    g_autoptr(GBytes) key = safetensors_raw (
      "{\"__metadata__\":{\"a\\udfffb\":\"pt\"},"
      "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0);
    g_autoptr(GBytes) value = safetensors_raw (
      "{\"__metadata__\":{\"format\":\"pt\\udfffx\"},"
      "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0);
    /* json-glib refuses this one, quoting the bytes it decoded. */
    g_autoptr(GBytes) parse = safetensors_raw (
      "{\"__metadata__\":{\"format\":\"pt\\udbff\"},"
      "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0);
    g_autoptr(GBytes) dt = safetensors_raw (
      "{\"w\":{\"dtype\":\"F\\udfff32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0);

    expect_error (name, SVD_ERROR_INVALID_INPUT, (const char *[]) { "not UTF-8", NULL });
    expect_error (key, SVD_ERROR_INVALID_INPUT, (const char *[]) { "not UTF-8", NULL });
    expect_error (value, SVD_ERROR_INVALID_INPUT, (const char *[]) { "format", "not UTF-8", NULL });
    expect_error (dt, SVD_ERROR_INVALID_INPUT, (const char *[]) { "dtype", "not UTF-8", NULL });
    expect_error (parse, SVD_ERROR_INVALID_INPUT, (const char *[]) { "JSON", NULL });
  }
}

static void
test_state_dict_shapes_disagree (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 2, 2, 11);
  g_autoptr(GBytes) b = mb_safetensors (m, SVD_STORAGE_FP32, "body.4.weight", NULL);

  expect_error (b, SVD_ERROR_MODEL_INVALID, (const char *[]) { "body.4.weight", "[4, 12, 1, 3]", NULL });
}

static void
test_onnx_unknown_op (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 13);
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_CRD, .replace_act_op = "Softplus" };
  g_autoptr(GBytes) b = mb_onnx (m, &o);

  expect_error (b, SVD_ERROR_UNSUPPORTED, (const char *[]) { "/body.1/PRelu", "Softplus", "PRelu", NULL });
}

static void
test_onnx_broken_edge (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 17);
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_CRD, .broken_edge = TRUE };
  g_autoptr(GBytes) b = mb_onnx (m, &o);

  expect_error (b, SVD_ERROR_MODEL_INVALID,
                (const char *[]) { "/body.2/Conv", "/nowhere/Missing_output_0", "broken edge", NULL });
}

static void
test_onnx_external_data (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 19);
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_CRD, .external = TRUE };
  g_autoptr(GBytes) b = mb_onnx (m, &o);

  expect_error (b, SVD_ERROR_UNSUPPORTED, (const char *[]) { ".weight", "external file", "re-export", NULL });
}

/* Opsets outside 7–23 are refused with the number; so are ops an opset
 * does not have (Resize before 10, Upsample 7's scales missing). */
static void
test_onnx_opsets (void)
{
  static const int refused[] = { 0, 1, 6, 24, 99, 1000000 };
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 31);

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .opset = refused[i] ? refused[i] : -5 };
      g_autoptr(GBytes) b = mb_onnx (m, &o);
      g_autofree char *num = g_strdup_printf ("opset %d;", o.opset);

      expect_error (b, SVD_ERROR_UNSUPPORTED, (const char *[]) { num, "supported opsets are 7 to 23", NULL });
    }
  {
    MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .opset = 9 };
    g_autoptr(GBytes) b = mb_onnx (m, &o);

    expect_error (b, SVD_ERROR_MODEL_INVALID, (const char *[]) { "/Resize", "opset 10", NULL });
  }
  {
    /* half_pixel_symmetric is opset 19's; before it the mode is unknown. */
    MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .opset = 18, .resize_ctm = "half_pixel_symmetric" };
    g_autoptr(GBytes) b = mb_onnx (m, &o);

    expect_error (b, SVD_ERROR_UNSUPPORTED, (const char *[]) { "/Resize", "coordinate_transformation_mode", NULL });
  }
}

/* The crafted files of test-model-hostile, in this process (so that the
 * sanitizer suite sees them too): nesting is refused before protobuf-c
 * recurses; an absurd fixed input size does not become a divisor. */
static void
test_onnx_nesting (void)
{
  g_autoptr(GBytes) types = mb_onnx_nested_types (5000);
  g_autoptr(GBytes) graphs = mb_onnx_nested_graphs (8000);
  /* k type pairs nest 2k + 5 deep, k graphs 3k + 2: 31 and 32 levels
   * are within the limit, 33 and 35 are not. */
  g_autoptr(GBytes) types13 = mb_onnx_nested_types (13);
  g_autoptr(GBytes) types14 = mb_onnx_nested_types (14);
  g_autoptr(GBytes) graphs10 = mb_onnx_nested_graphs (10);
  g_autoptr(GBytes) graphs11 = mb_onnx_nested_graphs (11);

  expect_error (types, SVD_ERROR_UNSUPPORTED, (const char *[]) { "limit of 32 levels", "TypeProto", NULL });
  expect_error (graphs, SVD_ERROR_UNSUPPORTED, (const char *[]) { "limit of 32 levels", NULL });
  expect_error (types14, SVD_ERROR_UNSUPPORTED, (const char *[]) { "limit of 32 levels", NULL });
  expect_error (graphs11, SVD_ERROR_UNSUPPORTED, (const char *[]) { "limit of 32 levels", NULL });
  /* Within the limit the file decodes and is refused for what it is: no
   * nodes, or no graph output. */
  expect_error (types13, SVD_ERROR_INVALID_INPUT, (const char *[]) { "no graph", NULL });
  /* The message count is bounded before decoding too (200,000). */
  {
    g_autoptr(GBytes) many = mb_onnx_empty_nodes (200000);
    g_autoptr(GBytes) fewer = mb_onnx_empty_nodes (1000);

    expect_error (many, SVD_ERROR_UNSUPPORTED, (const char *[]) { "limit of 200000 protobuf messages", NULL });
    expect_error (fewer, SVD_ERROR_MODEL_INVALID, (const char *[]) { "no op_type", NULL });
  }
  expect_error (graphs10, SVD_ERROR_UNSUPPORTED, (const char *[]) { "0 outputs", NULL });
}

/* More than SVD_LIMIT_ONNX_FILE_BYTES (64 MiB) is refused before the scan
 * or protobuf-c look at it. */
static void
test_onnx_file_size (void)
{
  gsize len = ((gsize) 64 << 20) + 1;
  guint8 *data = g_malloc0 (len);
  g_autoptr(GBytes) b = NULL;

  data[0] = 0x08;  /* ir_version: what the magic check looks for */
  data[1] = 0x07;
  b = g_bytes_new_take (data, len);
  expect_error (b, SVD_ERROR_UNSUPPORTED, (const char *[]) { "67108865 bytes", "limit of 64 MiB", NULL });
}

static void
test_onnx_huge_input (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 37);
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .input_h = (gint64) 1 << 32, .input_w = (gint64) 1 << 32 };
  MbOnnxOptions fixed = { .shuffle = MB_SHUFFLE_RESHAPE_DCR, .input_h = 64, .input_w = 48 };
  g_autoptr(GBytes) b = mb_onnx (m, &o);
  g_autoptr(GBytes) bf = mb_onnx (m, &fixed);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) huge = svd_model_load_from_bytes (b, "huge", &error);
  g_autoptr(SvdModel) small = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (huge->scale, ==, 2);
  /* A real fixed size is still used as the probe. */
  small = svd_model_load_from_bytes (bf, "fixed", &error);
  g_assert_no_error (error);
  g_assert_cmpint (small->scale, ==, 2);
}

static void
test_pth_view_out_of_range (void)
{
  /* Offset 3 + 1·1 + 2·2 = 8 reaches past the 8-element storage. */
  g_autoptr(GBytes) b = mb_pth_zip_strided (3);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdStateDict) sd = svd_state_dict_load_from_data (d, len, SVD_STATE_DICT_DEFAULT, &error);

  g_assert_null (sd);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "“w”"));
  g_assert_nonnull (strstr (error->message, "past the end"));
}

static void
test_file_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_load ("/nonexistent/model.onnx", &error);

  g_assert_null (m);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/model.onnx"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-bad/every-truncation", test_truncations);
  g_test_add_func ("/model-bad/wrong-magic", test_wrong_magic);
  g_test_add_func ("/model-bad/pickle-globals", test_pickle_globals);
  g_test_add_func ("/model-bad/safetensors-headers", test_safetensors_headers);
  g_test_add_func ("/model-bad/state-dict-shapes-disagree", test_state_dict_shapes_disagree);
  g_test_add_func ("/model-bad/onnx-unknown-op", test_onnx_unknown_op);
  g_test_add_func ("/model-bad/onnx-broken-edge", test_onnx_broken_edge);
  g_test_add_func ("/model-bad/onnx-external-data", test_onnx_external_data);
  g_test_add_func ("/model-bad/onnx-opsets", test_onnx_opsets);
  g_test_add_func ("/model-bad/onnx-nesting", test_onnx_nesting);
  g_test_add_func ("/model-bad/onnx-huge-input", test_onnx_huge_input);
  g_test_add_func ("/model-bad/onnx-file-size", test_onnx_file_size);
  g_test_add_func ("/model-bad/pth-view-out-of-range", test_pth_view_out_of_range);
  g_test_add_func ("/model-bad/file-errors", test_file_errors);
  return g_test_run ();
}
