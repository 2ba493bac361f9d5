/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-matrix-settings"

#include "svd-config.h"

#include <string.h>

#include "svd-application.h"
#include "svd-app-settings.h"
#include "svd-matrix-table-private.h"
#include "svd-matrix-window-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Preferences choose the device and the precision of every GUI job, not
 * only of the live session: here the Benchmark Matrix, run after
 * Preferences chose the CPU reference and fp16, records both in its rows;
 * switching Preferences back to fp32 marks those rows stale (marked in the table
 * and never recommended), and back to fp16 makes them current again. And the
 * settings a worker thread gets (the export dialog's job builds its
 * engine there) follow Preferences too. Runs on the project's own model
 * (models/svd-super-1x.safetensors), so no ../shared is needed. */

static SvdMatrixWindow *the_matrix;

static gboolean
run_finished (gpointer data)
{
  return !svd_matrix_window_is_running (the_matrix);
}

/* The table's row as shown: marked stale or not. */
static gboolean
first_row_stale (void)
{
  g_autoptr(SvdMatrixRowObject) obj = g_list_model_get_item (svd_matrix_window_get_sorted (the_matrix), 0);

  g_assert_nonnull (obj);
  return svd_matrix_row_object_is_stale (obj);
}

typedef struct {
  SvdSettings settings;
  gboolean    done;
} ThreadResult;

static gpointer
worker_settings (gpointer data)
{
  ThreadResult *r = data;

  svd_app_settings_get (&r->settings);
  return NULL;
}

static void
check_worker_settings (const char   *device,
                       SvdPrecision  precision)
{
  ThreadResult r = { 0 };
  GThread *thread = g_thread_new ("worker-settings", worker_settings, &r);

  g_thread_join (thread);
  g_assert_cmpstr (r.settings.device, ==, device);
  g_assert_cmpint (r.settings.precision, ==, precision);
  svd_settings_clear (&r.settings);
}

static void
script (SvdApplication *app)
{
  GSettings *settings = svd_application_get_settings (app);
  GtkWindow *main_window = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_WINDOW);
  g_autofree char *model = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-1x.safetensors", NULL);
  g_autofree char *dir = g_dir_make_tmp ("svd-test-matrix-settings-XXXXXX", NULL);
  g_autofree char *results = g_build_filename (dir, "matrix.json", NULL);
  g_autoptr(GError) error = NULL;
  const SvdBenchMatrixRow *row;
  GPtrArray *rows;

  g_assert_nonnull (settings);
  g_assert_nonnull (main_window);
  g_settings_set_string (settings, "device", "cpu-ref");
  g_settings_set_enum (settings, "precision", 2);
  /* A worker (as the export's job) sees what the main thread set. */
  check_worker_settings ("cpu-ref", SVD_PRECISION_FP16);

  the_matrix = svd_matrix_window_new (main_window, NULL, 24);
  svd_matrix_window_set_results_path (the_matrix, results);
  gtk_window_present (GTK_WINDOW (the_matrix));
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, model, &error));
  g_assert_no_error (error);
  svd_matrix_window_set_size (the_matrix, 32, 18);
  svd_matrix_window_set_runs (the_matrix, 0, 1);
  svd_matrix_window_set_target_fps (the_matrix, 0.001);
  svd_matrix_window_run (the_matrix);
  svd_gui_test_wait_until (run_finished, NULL);
  g_assert_null (svd_matrix_window_get_error (the_matrix));
  rows = svd_matrix_window_get_rows (the_matrix);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 1);
  row = rows->pdata[0];
  g_test_message ("measured on %s, %s", row->device, row->precision == SVD_PRECISION_FP16 ? "fp16" : "fp32");
  g_assert_cmpstr (row->device, ==, "CPU reference (no OpenCL)");
  g_assert_cmpint (row->precision, ==, SVD_PRECISION_FP16);
  g_assert_nonnull (strstr (row->key, "/fp16|"));
  g_assert_false (gtk_widget_get_visible (svd_matrix_window_get_stale_note (the_matrix)));
  g_assert_false (first_row_stale ());

  /* Preferences switch to fp32: the fp16 row is stale, not recommended. */
  g_settings_set_enum (settings, "precision", 1);
  check_worker_settings ("cpu-ref", SVD_PRECISION_FP32);
  g_assert_true (gtk_widget_get_visible (svd_matrix_window_get_stale_note (the_matrix)));
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_stale_note (the_matrix))));
  g_assert_true (first_row_stale ());

  /* And back: current again. */
  g_settings_set_enum (settings, "precision", 2);
  g_assert_false (gtk_widget_get_visible (svd_matrix_window_get_stale_note (the_matrix)));
  g_assert_false (first_row_stale ());

  /* Another device is stale as well. */
  g_settings_reset (settings, "device");
  check_worker_settings (NULL, SVD_PRECISION_FP16);
  if (g_strcmp0 (g_getenv ("SVD_DEVICE"), "cpu-ref") != 0)
    g_assert_true (gtk_widget_get_visible (svd_matrix_window_get_stale_note (the_matrix)));

  g_settings_reset (settings, "precision");
  gtk_window_close (GTK_WINDOW (the_matrix));
  svd_test_remove_tree (dir);
}

static void
test_matrix_settings (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  g_test_add_func ("/gui/matrix/preferences-device-precision-stale", test_matrix_settings);
  return g_test_run ();
}
