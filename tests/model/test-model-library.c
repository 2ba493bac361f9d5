/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-model-library"

/* The model library lists every seed model with the shape its file name
 * promises (tier word and scale prefix), parameter counts and GFLOP worked
 * out here from the SRVGGNetCompact layout, and turns a corrupt file into
 * an entry with an error instead of failing the scan. */

#include <string.h>

#include "svd-test-utils.h"
#include "model-builders.h"
#include "model/svd-model-library.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* SRVGGNetCompact: conv 3→nf + PReLU, n_conv × (conv nf→nf + PReLU),
 * conv nf→3·s². */
static guint64
expected_params (int nf, int n_conv, int scale)
{
  guint64 out = 3 * scale * scale;

  return (guint64) (3 * nf * 9 + nf + nf)
         + (guint64) n_conv * (nf * nf * 9 + nf + nf)
         + (guint64) nf * out * 9 + out;
}

static double
expected_gflop (int nf, int n_conv, int scale, int w, int h)
{
  double macs = 9.0 * (3.0 * nf + (double) n_conv * nf * nf + (double) nf * 3 * scale * scale);

  return 2.0 * macs * w * h / 1e9;
}

static void
test_scan_seed (void)
{
  g_autofree char *seed = svd_test_shared_path ("models", "seed", NULL);
  const char *folders[] = { seed, "/nonexistent/svd-models", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GDir) dir = g_dir_open (seed, 0, NULL);
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    n_files += svd_model_library_is_model_file (name) ? 1 : 0;

  entries = svd_model_library_scan (folders, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, n_files);
  g_assert_cmpuint (entries->len, >=, 5);

  for (guint i = 0; i < entries->len; i++)
    {
      const SvdModelEntry *e = entries->pdata[i];
      g_autofree char *base = g_path_get_basename (e->path);
      g_autofree char *lower = g_ascii_strdown (base, -1);
      int nf, scale;
      const char *tier;

      g_test_message ("%s: %s x%d nf %d conv %d params %" G_GUINT64_FORMAT,
                      e->name, e->tier, e->scale, e->nf, e->n_conv, e->params);
      g_assert_null (e->error);
      g_assert_cmpstr (e->folder, ==, seed);
      g_assert_true (g_str_has_prefix (base, e->name));
      if (i > 0)
        g_assert_cmpint (g_utf8_collate (((SvdModelEntry *) entries->pdata[i - 1])->name, e->name), <=, 0);

      /* The seed files say their tier and scale in their names. */
      if (strstr (lower, "super") != NULL)
        nf = 24, tier = "Super";
      else if (strstr (lower, "mega") != NULL)
        nf = 35, tier = "Mega";
      else if (strstr (lower, "ultra") != NULL)
        nf = 64, tier = "Ultra";
      else
        g_assert_not_reached ();
      scale = g_ascii_digit_value (base[0]);
      g_assert_cmpint (base[1], ==, 'x');

      g_assert_cmpstr (e->tier, ==, tier);
      g_assert_cmpint (e->nf, ==, nf);
      g_assert_cmpint (e->n_conv, ==, 8);
      g_assert_cmpint (e->scale, ==, scale);
      g_assert_cmpuint (e->params, ==, expected_params (nf, 8, scale));
      g_assert_cmpfloat_with_epsilon (svd_model_entry_gflop (e, 640, 360),
                                      expected_gflop (nf, 8, scale, 640, 360), 1e-9);
      g_assert_cmpfloat_with_epsilon (svd_model_entry_gflop (e, 1280, 720),
                                      4 * svd_model_entry_gflop (e, 640, 360), 1e-9);
    }
}

static void
test_corrupt_and_nested (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("svd-library-XXXXXX", &error);
  g_autofree char *sub = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *good = NULL;
  g_autofree char *too_deep = NULL;
  g_autofree char *text = NULL;
  g_autofree char *seed_model = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *folders[3] = { NULL, NULL, NULL };
  g_autoptr(GPtrArray) entries = NULL;
  const SvdModelEntry *e_bad = NULL, *e_good = NULL;

  g_assert_no_error (error);
  sub = g_build_filename (tmp, "sub", NULL);
  deep = g_build_filename (sub, "deeper", NULL);
  g_assert_cmpint (g_mkdir_with_parents (deep, 0700), ==, 0);
  bad = g_build_filename (tmp, "broken.onnx", NULL);
  good = g_build_filename (sub, "copy.onnx", NULL);
  too_deep = g_build_filename (deep, "hidden.onnx", NULL);
  text = g_build_filename (tmp, "notes.txt", NULL);

  g_assert_true (g_file_set_contents (bad, "this is not a protobuf at all", -1, &error));
  g_assert_true (g_file_get_contents (seed_model, &contents, &len, &error));
  g_assert_true (g_file_set_contents (good, contents, len, &error));
  g_assert_true (g_file_set_contents (too_deep, contents, len, &error));
  g_assert_true (g_file_set_contents (text, "x", -1, &error));

  /* The same folder twice still lists each file once. */
  folders[0] = tmp;
  folders[1] = tmp;
  entries = svd_model_library_scan (folders, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  for (guint i = 0; i < entries->len; i++)
    {
      const SvdModelEntry *e = entries->pdata[i];

      if (g_str_equal (e->name, "broken"))
        e_bad = e;
      else if (g_str_equal (e->name, "copy"))
        e_good = e;
    }
  g_assert_nonnull (e_bad);
  g_assert_nonnull (e_good);
  g_test_message ("broken.onnx: %s", e_bad->error);
  g_assert_nonnull (e_bad->error);
  g_assert_cmpstr (e_bad->error, !=, "");
  g_assert_null (e_bad->tier);
  g_assert_cmpfloat (svd_model_entry_gflop (e_bad, 640, 360), ==, 0.0);
  g_assert_null (e_good->error);
  g_assert_cmpstr (e_good->tier, ==, "Super");
  g_assert_cmpint (e_good->scale, ==, 2);
  g_assert_cmpstr (e_good->folder, ==, tmp);

  g_remove (bad);
  g_remove (good);
  g_remove (too_deep);
  g_remove (text);
  g_rmdir (deep);
  g_rmdir (sub);
  g_rmdir (tmp);
}

/* A folder of the hostile ONNX files of issue #22 (the GUI's library scans
 * every file in the user's folders, so one of them used to take the app
 * down at every scan): each is listed with its error, the FIFO and the
 * symlink to /dev/zero are skipped, and the scan returns. */
static void
test_hostile_folder (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("svd-library-XXXXXX", &error);
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 41);
  MbOnnxOptions bomb = { .shuffle = MB_SHUFFLE_DCR, .fold_bomb_adds = 8 };
  MbOnnxOptions huge = { .shuffle = MB_SHUFFLE_DCR, .input_h = (gint64) 1 << 32, .input_w = (gint64) 1 << 32 };
  struct { const char *name; GBytes *bytes; const char *error; } files[] = {
    { "nested-types.onnx", mb_onnx_nested_types (5000), "limit of 32 levels" },
    { "nested-graphs.onnx", mb_onnx_nested_graphs (8000), "limit of 32 levels" },
    { "fold-bomb.onnx", mb_onnx (m, &bomb), "memory limit of 256 MiB" },
    { "huge-input.onnx", mb_onnx (m, &huge), NULL },
  };
  g_autofree char *fifo = NULL;
  g_autofree char *zero = NULL;
  const char *folders[2] = { NULL, NULL };
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (tmp, files[i].name, NULL);
      gsize len;
      const char *data = g_bytes_get_data (files[i].bytes, &len);

      g_assert_true (g_file_set_contents (path, data, len, &error));
    }
  fifo = g_build_filename (tmp, "fifo.onnx", NULL);
  zero = g_build_filename (tmp, "zero.onnx", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);

  folders[0] = tmp;
  entries = svd_model_library_scan (folders, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (files));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *name = g_strndup (files[i].name, strlen (files[i].name) - 5);
      const SvdModelEntry *e = NULL;

      for (guint k = 0; k < entries->len; k++)
        if (g_str_equal (((SvdModelEntry *) entries->pdata[k])->name, name))
          e = entries->pdata[k];
      g_assert_nonnull (e);
      g_test_message ("%s: %s", files[i].name, e->error ? e->error : "loads");
      if (files[i].error == NULL)
        g_assert_null (e->error);
      else
        g_assert_nonnull (strstr (e->error, files[i].error));
    }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (tmp, files[i].name, NULL);

      g_remove (path);
      g_bytes_unref (files[i].bytes);
    }
  g_remove (fifo);
  g_remove (zero);
  g_rmdir (tmp);
}

static void
test_cancelled (void)
{
  g_autofree char *seed = svd_test_shared_path ("models", "seed", NULL);
  const char *folders[] = { seed, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_cancellable_cancel (cancellable);
  entries = svd_model_library_scan (folders, cancellable, &error);
  g_assert_null (entries);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct {
  GPtrArray *library;
  GPtrArray *extra;
  GError    *error;
  gboolean   done;
} AsyncResult;

static void
scan_async_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  AsyncResult *r = data;

  r->library = svd_model_library_scan_finish (result, &r->extra, &r->error);
  r->done = TRUE;
}

/* The worker-thread scan gives what the blocking one gives, plus the extra
 * files in their order; a cancelled one ends with CANCELLED even when the
 * thread had finished (so a newer scan can replace an older one). */
static void
test_scan_async (void)
{
  g_autofree char *seed = svd_test_shared_path ("models", "seed", NULL);
  g_autofree char *extra_model = g_build_filename (seed, "2x_10_2X-10_super_fp32.onnx", NULL);
  const char *folders[] = { seed, NULL };
  const char *extra[] = { extra_model, "/nonexistent/x.onnx", NULL };
  g_autoptr(GPtrArray) blocking = svd_model_library_scan (folders, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncResult r = { 0 };

  svd_model_library_scan_async (folders, extra, NULL, scan_async_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.library->len, ==, blocking->len);
  g_assert_cmpuint (r.extra->len, ==, 2);
  g_assert_cmpstr (((SvdModelEntry *) r.extra->pdata[0])->path, ==, extra_model);
  g_assert_null (((SvdModelEntry *) r.extra->pdata[0])->error);
  g_assert_cmpint (((SvdModelEntry *) r.extra->pdata[0])->scale, ==, 2);
  g_assert_nonnull (((SvdModelEntry *) r.extra->pdata[1])->error);
  g_ptr_array_unref (r.library);
  g_ptr_array_unref (r.extra);

  memset (&r, 0, sizeof r);
  svd_model_library_scan_async (folders, NULL, cancellable, scan_async_cb, &r);
  g_cancellable_cancel (cancellable);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (r.library);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
}

static void
test_default_folders (void)
{
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "svd-studio", "models", NULL);
  g_autofree char *project = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", NULL);
  const char *extra[] = { "/tmp/a", "/tmp/a", "", NULL };
  g_auto(GStrv) dirs = svd_model_library_default_folders (g_getenv ("SVD_SOURCE_ROOT"), extra);

  g_assert_cmpstr (dirs[0], ==, project);
  g_assert_true (g_strv_contains ((const char * const *) dirs, user));
  g_assert_true (g_strv_contains ((const char * const *) dirs, "/tmp/a"));
  g_assert_cmpstr (dirs[g_strv_length (dirs) - 1], ==, "/tmp/a");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  svd_test_require_shared ();
  g_test_add_func ("/model-library/scan-seed", test_scan_seed);
  g_test_add_func ("/model-library/corrupt-and-nested", test_corrupt_and_nested);
  g_test_add_func ("/model-library/hostile-folder", test_hostile_folder);
  g_test_add_func ("/model-library/cancelled", test_cancelled);
  g_test_add_func ("/model-library/scan-async", test_scan_async);
  g_test_add_func ("/model-library/default-folders", test_default_folders);
  return g_test_run ();
}
