/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-matrix"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "svd-application.h"
#include "svd-matrix-window.h"
#include "svd-window.h"
#include "export/svd-preset.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* The benchmark matrix flow under Xvfb: the window opened by win.bench-matrix,
 * two seed 1× models (Super fp32 and fp16) in slot 1 and the seed 2× model (or none) in slot 3,
 * run at 128 × 72 on the session's OpenCL device with quality from the first
 * frames of a shared clip; the complete table, sorted by a column; the
 * plot's Pareto front and the recommendation against the library's own
 * functions on the saved results; a resumed run that measures nothing new;
 * and the recommended chain exported as a preset and loaded back. */

static SvdMatrixWindow *the_matrix;

/* The helper's wait has its own time limit; a matrix on a busy 2-core
 * PoCL machine may take longer, so the wait is renewed until this one. */
static gint64 slice_start;

static gboolean
run_finished_or_slice (gpointer data)
{
  static gint64 last;

  if (g_get_monotonic_time () - slice_start > 90 * G_USEC_PER_SEC)
    return TRUE;

  if (g_get_monotonic_time () - last > 10 * G_USEC_PER_SEC)
    {
      last = g_get_monotonic_time ();
      g_test_message ("matrix running…");
    }
  return !svd_matrix_window_is_running (the_matrix);
}

static void
wait_run (void)
{
  gint64 start = g_get_monotonic_time ();

  while (svd_matrix_window_is_running (the_matrix))
    {
      g_assert_cmpint (g_get_monotonic_time () - start, <, 540 * G_USEC_PER_SEC);
      slice_start = g_get_monotonic_time ();
      svd_gui_test_wait_until (run_finished_or_slice, NULL);
    }
}

static void
shoot (GtkWidget  *widget,
       const char *name)
{
  g_autofree char *path = NULL;

  svd_gui_test_wait_frames (widget, 3);
  path = svd_gui_test_save_screenshot (widget, name);
  g_test_message ("screenshot %s", path);
}

static char *
seed_model (const char *name)
{
  return svd_test_shared_path ("models", "seed", name, NULL);
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *table,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (table);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (c), title) == 0)
        return c;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
script (SvdApplication *app)
{
  GtkWindow *main_window = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_WINDOW);
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_360p_10s_hevc_aac.mp4", NULL);
  g_autofree char *super1 = seed_model ("1x_super_34_10_fp32.onnx");
  g_autofree char *super1h = seed_model ("1x_super_34_10_fp16.onnx");
  g_autofree char *super2 = seed_model ("2x_10_2X-10_super_fp32.onnx");
  g_autofree char *dir = g_dir_make_tmp ("svd-test-matrix-XXXXXX", NULL);
  g_autofree char *results = g_build_filename (dir, "matrix.json", NULL);
  g_autofree char *csv = g_build_filename (dir, "matrix.json.csv", NULL);
  g_autofree char *preset = g_build_filename (dir, "recommended.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GArray) front = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *first_keys = NULL;
  GtkWindow *opened;
  GtkColumnView *table;
  GListModel *sorted;
  GArray *shown_front;
  GPtrArray *rows;
  GdkTexture *plot;
  double stddev;
  guint n_colors, n_quality = 0;
  int rec, lib_rec;

  g_assert_nonnull (main_window);
  /* The menu's action opens the window, over the main one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  opened = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW);
  g_assert_nonnull (opened);
  g_assert_true (gtk_window_get_transient_for (opened) == main_window);
  gtk_window_close (opened);

  /* With a clip for quality, as when a session is open. */
  the_matrix = svd_matrix_window_new (main_window, clip, 24);
  gtk_window_present (GTK_WINDOW (the_matrix));
  g_assert_cmpfloat_with_epsilon (svd_matrix_window_get_target_fps (the_matrix), 24 * 1.1, 1e-9);
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, super1, &error));
  g_assert_no_error (error);
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, super1h, &error));
  g_assert_true (svd_matrix_window_add_model (the_matrix, 2, super2, &error));
  g_assert_false (svd_matrix_window_add_model (the_matrix, 1, clip, &error));
  g_test_message ("a clip as a model: %s", error->message);
  g_clear_error (&error);
  svd_matrix_window_set_size (the_matrix, 128, 72);
  svd_matrix_window_set_runs (the_matrix, 0, 2);
  svd_matrix_window_set_results_path (the_matrix, results);
  svd_matrix_window_run (the_matrix);
  g_assert_true (svd_matrix_window_is_running (the_matrix));
  wait_run ();
  g_assert_null (svd_matrix_window_get_error (the_matrix));

  /* A complete table: 2 models × {none, 2×} = 4 rows, fps filled. */
  rows = svd_matrix_window_get_rows (the_matrix);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 4);
  sorted = svd_matrix_window_get_sorted (the_matrix);
  g_assert_cmpuint (g_list_model_get_n_items (sorted), ==, 4);
  for (guint i = 0; i < rows->len; i++)
    {
      const SvdBenchMatrixRow *r = rows->pdata[i];

      g_test_message ("%s: %d × %d → %d × %d, %.2f ms, %.1f fps, PSNR-Y %s %.2f", r->chain, r->in_width,
                      r->in_height, r->out_width, r->out_height, r->total_ms, r->fps,
                      r->has_quality ? "yes" : "no", r->psnr_y);
      g_assert_cmpint (r->in_width, ==, 128);
      g_assert_cmpfloat (r->fps, >, 0);
      g_assert_true (isfinite (r->fps));
      n_quality += r->has_quality ? 1 : 0;
      /* The input is the clip at half size: the chains that end in the 2×
       * model are scored against the clean clip, the 1× ones cannot be. */
      g_assert_cmpint (r->has_quality, ==, r->out_width == 2 * r->in_width);
      if (r->has_quality)
        g_assert_cmpfloat (r->psnr_y, >, 25.0);
    }
  g_assert_cmpuint (n_quality, ==, 2);

  /* Sorted by measured fps, fastest first, then by chain name. */
  table = svd_matrix_window_get_table (the_matrix);
  {
    guint n_gpus;

    svd_gpu_table (&n_gpus);
    /* 9 measured columns, then one labelled estimate per GPU. */
    g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (table)), ==, 9 + n_gpus);
    g_test_message ("%u GPU estimate columns", n_gpus);
  }
  gtk_column_view_sort_by_column (table, column_titled (table, "fps (measured)"), GTK_SORT_DESCENDING);
  for (guint i = 1; i < g_list_model_get_n_items (sorted); i++)
    {
      g_autoptr(GObject) a = g_list_model_get_item (sorted, i - 1);
      g_autoptr(GObject) b = g_list_model_get_item (sorted, i);

      g_assert_cmpfloat (svd_matrix_row_object_get_row (a)->fps, >=, svd_matrix_row_object_get_row (b)->fps);
    }
  shoot (GTK_WIDGET (the_matrix), "matrix-table-by-fps");
  gtk_column_view_sort_by_column (table, column_titled (table, "Chain"), GTK_SORT_ASCENDING);
  for (guint i = 1; i < g_list_model_get_n_items (sorted); i++)
    {
      g_autoptr(GObject) a = g_list_model_get_item (sorted, i - 1);
      g_autoptr(GObject) b = g_list_model_get_item (sorted, i);

      g_assert_cmpint (g_utf8_collate (svd_matrix_row_object_get_row (a)->chain,
                                       svd_matrix_row_object_get_row (b)->chain), <=, 0);
    }

  /* The saved results, read back by the library: its Pareto front and its
   * recommendation are what the window shows. A low target so that one
   * chain reaches it on PoCL. */
  svd_matrix_window_set_target_fps (the_matrix, 0.5);
  loaded = svd_bench_matrix_load (results, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 4);
  g_assert_true (g_file_test (csv, G_FILE_TEST_EXISTS));
  front = svd_bench_matrix_pareto (loaded, SVD_QUALITY_PSNR_Y);
  shown_front = svd_matrix_window_get_pareto (the_matrix);
  g_assert_nonnull (shown_front);
  g_assert_cmpuint (front->len, >=, 1);
  g_assert_cmpuint (shown_front->len, ==, front->len);
  for (guint k = 0; k < front->len; k++)
    g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[g_array_index (shown_front, guint, k)])->key, ==,
                     ((SvdBenchMatrixRow *) loaded->pdata[g_array_index (front, guint, k)])->key);
  rec = svd_matrix_window_get_recommended (the_matrix);
  lib_rec = svd_bench_matrix_recommend (loaded, SVD_QUALITY_PSNR_Y, 0.5, 0, 0);
  g_assert_cmpint (lib_rec, >=, 0);
  g_assert_cmpint (rec, >=, 0);
  g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[rec])->key, ==,
                   ((SvdBenchMatrixRow *) loaded->pdata[lib_rec])->key);
  g_test_message ("recommended: %s", ((SvdBenchMatrixRow *) rows->pdata[rec])->chain);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_banner (the_matrix))),
                            ((SvdBenchMatrixRow *) rows->pdata[rec])->chain));
  shoot (svd_matrix_window_get_plot (the_matrix), "matrix-plot");
  plot = svd_gui_test_render (svd_matrix_window_get_plot (the_matrix));
  stddev = svd_gui_test_texture_stddev (plot, &n_colors);
  g_object_unref (plot);
  g_assert_cmpfloat (stddev, >, 1);
  g_assert_cmpuint (n_colors, >, 4);

  /* Resume: a second run finds every row in the results file. */
  {
    g_autoptr(GString) keys = g_string_new (NULL);

    for (guint i = 0; i < rows->len; i++)
      g_string_append_printf (keys, "%s\n", ((SvdBenchMatrixRow *) rows->pdata[i])->key);
    first_keys = g_string_free (g_steal_pointer (&keys), FALSE);
  }
  svd_matrix_window_run (the_matrix);
  wait_run ();
  g_assert_null (svd_matrix_window_get_error (the_matrix));
  rows = svd_matrix_window_get_rows (the_matrix);
  g_assert_cmpuint (rows->len, ==, 4);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *line = g_strdup_printf ("%s\n", ((SvdBenchMatrixRow *) rows->pdata[i])->key);

      g_assert_nonnull (strstr (first_keys, line));
    }

  /* Export the recommended chain as a preset, and load it back. */
  rec = svd_matrix_window_get_recommended (the_matrix);
  g_assert_cmpint (rec, >=, 0);
  gtk_drop_down_set_selected (svd_matrix_window_get_format_drop (the_matrix), SVD_MATRIX_EXPORT_PRESET);
  g_assert_true (svd_matrix_window_export_chosen (the_matrix, preset));
  chain = svd_preset_load (preset, SVD_PRESET_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  names = g_strsplit (((SvdBenchMatrixRow *) rows->pdata[rec])->chain, " + ", -1);
  g_assert_cmpuint (chain->steps->len, ==, g_strv_length (names));
  for (guint k = 0; k < chain->steps->len; k++)
    {
      SvdChainStep *step = chain->steps->pdata[k];

      g_assert_cmpint (step->type, ==, SVD_CHAIN_STEP_MODEL);
      g_assert_nonnull (step->model);
      g_assert_cmpstr (step->name, ==, names[k]);
    }
  g_assert_true (chain->has_target);
  g_assert_cmpint (chain->target_width, ==, 128);
  shoot (GTK_WIDGET (the_matrix), "matrix-exported");

  /* A chain that cannot be written: a dialog, not a crash. */
  {
    g_autofree char *bad = g_build_filename (dir, "no-such-dir", "x.json", NULL);

    g_assert_false (svd_matrix_window_export_chosen (the_matrix, bad));
    svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 3);
    opened = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_MESSAGE_DIALOG);
    g_assert_nonnull (opened);
    shoot (GTK_WIDGET (opened), "matrix-export-error");
    gtk_window_close (opened);
  }

  gtk_window_close (GTK_WINDOW (the_matrix));
  g_unlink (preset);
  g_unlink (results);
  g_unlink (csv);
  g_rmdir (dir);
}

static void
test_matrix (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();

  g_test_add_func ("/gui/matrix/run-sort-plot-recommend-export", test_matrix);

  return g_test_run ();
}
