/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-matrix"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "svd-application.h"
#include "svd-matrix-table-private.h"
#include "svd-matrix-window-private.h"
#include "svd-window.h"
#include "model/svd-preset.h"
#include "export/svd-animejanai.h"
#include "export/svd-onnx-export.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* The benchmark matrix flow under Xvfb: the window opened by win.bench-matrix,
 * two seed 1× models (Super fp32 and fp16) added as files to slot 1 and the
 * seed 2× model (or none) picked from the model library's menu for slot 3,
 * run at 128 × 72 on the session's OpenCL device with quality from the first
 * two frames of a shared clip; the complete table, sorted by a column; the
 * plot's Pareto front and the recommendation against the library's own
 * functions on the saved results, for each metric of the metric drop-down;
 * a resumed run that measures nothing new, and results files kept apart per
 * quality setting; and the recommended chain exported through the format
 * drop-down in all four formats, each checked. */

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

static gboolean
library_loaded (gpointer data)
{
  return !svd_matrix_window_is_library_loading (the_matrix);
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* The row of a slot's library menu titled @title. */
static GtkListBoxRow *
library_row (guint       slot,
             const char *title)
{
  GtkListBox *list = svd_matrix_window_get_library_list (the_matrix, slot);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (row == NULL)
        break;
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
        return row;
    }
  g_error ("no library row “%s” in slot %u", title, slot + 1);
  return NULL;
}

/* The window's front and recommendation are the library's, for the metric
 * the drop-down shows; the banner names the metric. */
static void
check_metric (GPtrArray        *loaded,
              SvdQualityMetric  metric,
              const char       *name)
{
  GPtrArray *rows = svd_matrix_window_get_rows (the_matrix);
  g_autoptr(GArray) front = NULL;
  GArray *shown_front;
  int rec, lib_rec;
  const char *banner;

  gtk_drop_down_set_selected (svd_matrix_window_get_metric_drop (the_matrix), metric);
  g_assert_cmpint (svd_matrix_window_get_metric (the_matrix), ==, metric);
  front = svd_bench_matrix_pareto (loaded, metric);
  shown_front = svd_matrix_window_get_pareto (the_matrix);
  g_assert_nonnull (shown_front);
  g_assert_cmpuint (front->len, >=, 1);
  g_assert_cmpuint (shown_front->len, ==, front->len);
  for (guint k = 0; k < front->len; k++)
    g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[g_array_index (shown_front, guint, k)])->key, ==,
                     ((SvdBenchMatrixRow *) loaded->pdata[g_array_index (front, guint, k)])->key);
  rec = svd_matrix_window_get_recommended (the_matrix);
  lib_rec = svd_bench_matrix_recommend (loaded, metric, svd_matrix_window_get_target_fps (the_matrix), 0, 0);
  g_assert_cmpint (lib_rec, >=, 0);
  g_assert_cmpint (rec, >=, 0);
  g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[rec])->key, ==,
                   ((SvdBenchMatrixRow *) loaded->pdata[lib_rec])->key);
  banner = gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_banner (the_matrix)));
  g_test_message ("%s: front of %u, %s", name, front->len, banner);
  g_assert_nonnull (strstr (banner, ((SvdBenchMatrixRow *) rows->pdata[rec])->chain));
  g_assert_nonnull (strstr (banner, name));
}

/* Exports the chosen chain in @format to @path through the window's
 * drop-down, as the Export button's chooser does. */
static void
export_as (SvdChainExportFormat   format,
           const char            *path)
{
  gtk_drop_down_set_selected (svd_matrix_window_get_format_drop (the_matrix), format);
  g_assert_true (svd_matrix_window_export_chosen (the_matrix, path));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
script (SvdApplication *app)
{
  GtkWindow *main_window = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_WINDOW);
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_360p_10s_hevc_aac.mp4", NULL);
  g_autofree char *seed_dir = svd_test_shared_path ("models", "seed", NULL);
  g_autofree char *super1 = seed_model ("1x_super_34_10_fp32.onnx");
  g_autofree char *super1h = seed_model ("1x_super_34_10_fp16.onnx");
  g_autofree char *dir = g_dir_make_tmp ("svd-test-matrix-XXXXXX", NULL);
  g_autofree char *results = g_build_filename (dir, "matrix.json", NULL);
  g_autofree char *results_file = NULL;
  g_autofree char *preset = g_build_filename (dir, "recommended.json", NULL);
  g_autofree char *aj_dir = g_build_filename (dir, "animejanai", NULL);
  g_autofree char *fused = g_build_filename (dir, "chain.onnx", NULL);
  g_autofree char *glsl = g_build_filename (dir, "chain.glsl", NULL);
  const char *library_folders[] = { seed_dir, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdChain) row_chain = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *first_keys = NULL;
  GtkWindow *opened;
  GtkColumnView *table;
  GListModel *sorted;
  GPtrArray *rows, *slot;
  GdkTexture *plot;
  const SvdBenchMatrixRow *chosen;
  double stddev;
  guint n_colors, n_quality = 0;
  int rec, chain_scale = 1;

  g_assert_nonnull (main_window);
  /* The menu's action opens the window, over the main one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  opened = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW);
  g_assert_nonnull (opened);
  g_assert_true (gtk_window_get_transient_for (opened) == main_window);
  gtk_window_close (opened);

  /* With a clip for quality, as when a session is open; the seed models'
   * folder as the model library. */
  the_matrix = svd_matrix_window_new (main_window, clip, 24);
  svd_matrix_window_set_library_folders (the_matrix, library_folders);
  gtk_window_present (GTK_WINDOW (the_matrix));
  g_assert_cmpfloat_with_epsilon (svd_matrix_window_get_target_fps (the_matrix), 24 * 1.1, 1e-9);
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, super1, &error));
  g_assert_no_error (error);
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, super1h, &error));
  /* The same file twice is one choice, not two. */
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, super1h, &error));
  g_assert_cmpuint (svd_matrix_window_get_slot (the_matrix, 0)->len, ==, 2);
  g_assert_false (svd_matrix_window_add_model (the_matrix, 1, clip, &error));
  g_test_message ("a clip as a model: %s", error->message);
  g_clear_error (&error);

  /* Slot 3 from the library menu: the seed 2× model; "none" comes with it. */
  svd_gui_test_wait_until (library_loaded, NULL);
  gtk_menu_button_popup (svd_matrix_window_get_library_button (the_matrix, 2));
  svd_gui_test_wait_until (popover_shown, gtk_menu_button_get_popover (svd_matrix_window_get_library_button (the_matrix, 2)));
  shoot (GTK_WIDGET (gtk_menu_button_get_popover (svd_matrix_window_get_library_button (the_matrix, 2))),
         "matrix-library-slot");
  g_assert_true (gtk_widget_activate (GTK_WIDGET (library_row (2, "2x_10_2X-10_super_fp32"))));
  slot = svd_matrix_window_get_slot (the_matrix, 2);
  g_assert_cmpuint (slot->len, ==, 2);
  g_assert_null (slot->pdata[0]);
  g_assert_nonnull (slot->pdata[1]);
  g_assert_cmpint (((SvdModel *) slot->pdata[1])->scale, ==, 2);
  g_assert_cmpstr (((SvdModel *) slot->pdata[1])->name, ==, "2x_10_2X-10_super_fp32");
  /* "None" from slot 2's menu, then Clear: slot 2 is left out again. */
  g_assert_true (gtk_widget_activate (GTK_WIDGET (library_row (1, "None"))));
  slot = svd_matrix_window_get_slot (the_matrix, 1);
  g_assert_cmpuint (slot->len, ==, 1);
  g_assert_null (slot->pdata[0]);
  svd_matrix_window_clear_slot (the_matrix, 1);
  g_assert_cmpuint (svd_matrix_window_get_slot (the_matrix, 1)->len, ==, 0);

  /* Quality: 2 frames of the clip shrunk 2× at CRF 34; the results file is
   * named after them. */
  svd_matrix_window_set_size (the_matrix, 128, 72);
  svd_matrix_window_set_runs (the_matrix, 0, 2);
  svd_matrix_window_set_results_path (the_matrix, results);
  svd_matrix_window_set_quality (the_matrix, 0, 2, 2, 34);
  results_file = g_strdup (svd_matrix_window_get_results_file (the_matrix));
  g_test_message ("results file: %s", results_file);
  g_assert_true (g_str_has_prefix (results_file, dir));
  g_assert_nonnull (strstr (results_file, "frames0-2-shrink2-crf34"));
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

      g_test_message ("%s: %d × %d → %d × %d, %.2f ms, %.1f fps, PSNR-Y %s %.2f, SSIM-Y %.4f", r->chain,
                      r->in_width, r->in_height, r->out_width, r->out_height, r->total_ms, r->fps,
                      r->has_quality ? "yes" : "no", r->psnr_y, r->ssim_y);
      g_assert_cmpint (r->in_width, ==, 128);
      g_assert_cmpfloat (r->fps, >, 0);
      g_assert_true (isfinite (r->fps));
      n_quality += r->has_quality ? 1 : 0;
      /* The input is the clip at half size: the chains that end in the 2×
       * model are scored against the clean clip, the 1× ones cannot be. */
      g_assert_cmpint (r->has_quality, ==, r->out_width == 2 * r->in_width);
      if (r->has_quality)
        {
          g_assert_cmpint (r->quality_frames, ==, 2);
          g_assert_cmpfloat (r->psnr_y, >, 25.0);
        }
    }
  g_assert_cmpuint (n_quality, ==, 2);

  /* Sorted by measured fps, fastest first, then by chain name. */
  table = svd_matrix_window_get_table (the_matrix);
  {
    GListModel *columns = gtk_column_view_get_columns (table);
    guint n_gpus;

    svd_gpu_table (&n_gpus);
    /* 9 measured columns, then one labelled estimate per GPU, with a short
     * GPU name so that more of them fit. */
    g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 9 + n_gpus);
    for (guint g = 0; g < n_gpus; g++)
      {
        g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, 9 + g);
        const char *title = gtk_column_view_column_get_title (c);

        g_test_message ("estimate column: %s", title);
        g_assert_nonnull (strstr (title, "estimate"));
        g_assert_null (strstr (title, "GeForce"));
      }
  }
  gtk_column_view_sort_by_column (table, column_titled (table, "fps\n(measured)"), GTK_SORT_DESCENDING);
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
   * recommendation are what the window shows, for every metric of the
   * drop-down, without a new run. A low target so that one chain reaches
   * it on PoCL. */
  svd_matrix_window_set_target_fps (the_matrix, 0.5);
  loaded = svd_bench_matrix_load (results_file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 4);
  g_assert_true (g_file_test (svd_matrix_window_get_csv_file (the_matrix), G_FILE_TEST_EXISTS));
  check_metric (loaded, SVD_QUALITY_SSIM_Y, "SSIM-Y");
  shoot (svd_matrix_window_get_plot (the_matrix), "matrix-plot-ssim");
  check_metric (loaded, SVD_QUALITY_PSNR_RGB, "PSNR-RGB");
  check_metric (loaded, SVD_QUALITY_PSNR_Y, "PSNR-Y");
  rec = svd_matrix_window_get_recommended (the_matrix);
  g_test_message ("recommended: %s", ((SvdBenchMatrixRow *) rows->pdata[rec])->chain);
  /* A target output size no chain here reaches (they end at 256 × 144):
   * no recommendation, as the library says; back to any size, the same
   * recommendation as before. */
  g_assert_cmpint (svd_bench_matrix_recommend (loaded, SVD_QUALITY_PSNR_Y, 0.5, 1280, 720), ==, -1);
  gtk_drop_down_set_selected (svd_matrix_window_get_output_drop (the_matrix), 1);
  g_assert_cmpint (svd_matrix_window_get_recommended (the_matrix), ==, -1);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_banner (the_matrix))), "No chain"));
  gtk_drop_down_set_selected (svd_matrix_window_get_output_drop (the_matrix), 0);
  g_assert_cmpint (svd_matrix_window_get_recommended (the_matrix), ==, rec);
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

  /* Other quality settings never resume these rows: they have a file of
   * their own, and the note says so; back to the first settings, their
   * file is found again. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_quality_note (the_matrix))),
                            "exist"));
  svd_matrix_window_set_quality (the_matrix, 3, 4, 4, 30);
  g_test_message ("with other settings: %s", svd_matrix_window_get_results_file (the_matrix));
  g_assert_cmpstr (svd_matrix_window_get_results_file (the_matrix), !=, results_file);
  g_assert_nonnull (strstr (svd_matrix_window_get_results_file (the_matrix), "frames3-7-shrink4-crf30"));
  g_assert_false (g_file_test (svd_matrix_window_get_results_file (the_matrix), G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_quality_note (the_matrix))),
                            "No results were saved with these quality settings"));
  /* The rows scored otherwise are not left on screen as if they were these. */
  g_assert_null (svd_matrix_window_get_rows (the_matrix));
  g_assert_cmpuint (g_list_model_get_n_items (sorted), ==, 0);
  g_assert_cmpint (svd_matrix_window_get_recommended (the_matrix), ==, -1);
  shoot (GTK_WIDGET (the_matrix), "matrix-quality-settings");
  svd_matrix_window_set_quality (the_matrix, 0, 2, 2, 34);
  g_assert_cmpstr (svd_matrix_window_get_results_file (the_matrix), ==, results_file);
  rows = svd_matrix_window_get_rows (the_matrix);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (sorted), ==, 4);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *line = g_strdup_printf ("%s\n", ((SvdBenchMatrixRow *) rows->pdata[i])->key);

      g_assert_nonnull (strstr (first_keys, line));
    }

  /* Export the recommended chain in each format of the drop-down. */
  rec = svd_matrix_window_get_recommended (the_matrix);
  g_assert_cmpint (rec, >=, 0);
  chosen = rows->pdata[rec];
  names = g_strsplit (chosen->chain, " + ", -1);
  chain_scale = chosen->out_width / chosen->in_width;
  /* The row names its chain as chain text (its model files), which the
   * window reads back to export; the " + " label is for display only. */
  g_assert_nonnull (chosen->spec);
  row_chain = svd_chain_parse (chosen->spec, NULL, SVD_CHAIN_LOAD_NO_MODELS, &error);
  g_assert_no_error (error);

  /* 1. The preset loads back with the same steps. */
  export_as (SVD_CHAIN_EXPORT_PRESET, preset);
  chain = svd_preset_load (preset, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chain->steps->len, ==, g_strv_length (names));
  g_assert_true (svd_chain_equal (chain, row_chain));
  for (guint k = 0; k < chain->steps->len; k++)
    {
      SvdChainStep *step = chain->steps->pdata[k];

      g_assert_cmpint (step->type, ==, SVD_CHAIN_STEP_MODEL);
      g_assert_nonnull (step->model);
      g_assert_cmpstr (step->name, ==, names[k]);
    }
  g_assert_true (chain->has_target);
  g_assert_cmpint (chain->target_width, ==, 128);
  g_clear_pointer (&chain, svd_chain_free);

  /* 2. The AnimeJaNai slot names each model, and each ONNX file it names
   * is next to it and loads with the model's scale. */
  export_as (SVD_CHAIN_EXPORT_ANIMEJANAI, aj_dir);
  {
    g_autofree char *conf_path = g_build_filename (aj_dir, "animejanai.conf", NULL);
    g_autofree char *conf = NULL;
    SvdAnimeJaNaiSlot parsed = { 0 };
    int scale = 1;

    g_assert_true (g_file_get_contents (conf_path, &conf, NULL, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (conf, "chain_1_model_1_name="));
    g_assert_true (svd_animejanai_slot_parse (conf, -1, &parsed, &error));
    g_assert_no_error (error);
    g_assert_cmpint (parsed.n_models, ==, (int) g_strv_length (names));
    for (int m = 0; m < parsed.n_models; m++)
      {
        g_autofree char *key = g_strdup_printf ("chain_1_model_%d_name=%s", m + 1, parsed.model_names[m]);
        g_autofree char *file = g_strconcat (parsed.model_names[m], ".onnx", NULL);
        g_autofree char *path = g_build_filename (aj_dir, "onnx", file, NULL);
        g_autoptr(SvdModel) back = NULL;

        g_assert_nonnull (strstr (conf, key));
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        back = svd_model_load (path, &error);
        g_assert_no_error (error);
        scale *= back->scale;
      }
    g_assert_cmpint (scale, ==, chain_scale);
    svd_animejanai_slot_clear (&parsed);
  }

  /* 3. The fused ONNX reads back as the whole chain, with its scale. */
  export_as (SVD_CHAIN_EXPORT_ONNX, fused);
  {
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GMappedFile) mapped = g_mapped_file_new (fused, FALSE, &error);
    int scale = 1;

    g_assert_no_error (error);
    bytes = g_mapped_file_get_bytes (mapped);
    chain = svd_chain_load_onnx (bytes, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (chain->steps->len, ==, g_strv_length (names));
    for (guint k = 0; k < chain->steps->len; k++)
      {
        SvdChainStep *step = chain->steps->pdata[k];

        g_assert_cmpint (step->type, ==, SVD_CHAIN_STEP_MODEL);
        g_assert_cmpstr (step->name, ==, names[k]);
        scale *= step->model->scale;
      }
    g_assert_cmpint (scale, ==, chain_scale);
    g_clear_pointer (&chain, svd_chain_free);
  }

  /* 4. The mpv shader hooks the luma/main plane and compiles. */
  export_as (SVD_CHAIN_EXPORT_GLSL, glsl);
  {
    g_autofree char *text = NULL;
    guint n_passes = 0;

    g_assert_true (g_file_get_contents (glsl, &text, NULL, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "//!HOOK"));
    if (svd_test_glsl_compile (text, dir, &n_passes))
      {
        g_test_message ("GLSL export: %u passes compile", n_passes);
        g_assert_cmpuint (n_passes, >, 0);
      }
    else
      g_test_message ("glslangValidator is missing: the GLSL export was not compiled");
  }
  shoot (GTK_WIDGET (the_matrix), "matrix-exported");

  /* A chain that cannot be written: a dialog, not a crash. */
  {
    g_autofree char *bad = g_build_filename (dir, "no-such-dir", "x.json", NULL);

    gtk_drop_down_set_selected (svd_matrix_window_get_format_drop (the_matrix), SVD_CHAIN_EXPORT_PRESET);
    g_assert_false (svd_matrix_window_export_chosen (the_matrix, bad));
    svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 3);
    opened = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_MESSAGE_DIALOG);
    g_assert_nonnull (opened);
    shoot (GTK_WIDGET (opened), "matrix-export-error");
    gtk_window_close (opened);
  }

  /* A hand-checked table where the metrics disagree: chain A is better in
   * PSNR-Y, chain B (faster) in PSNR-RGB and SSIM-Y. Saved as the results
   * of other quality settings and shown by switching to them: the metric
   * drop-down alone moves the recommendation and the front. */
  {
    SvdBenchMatrixRow *ra = NULL, *rb = NULL;
    g_autofree char *rec_y = NULL;

    for (guint i = 0; i < loaded->len; i++)
      {
        SvdBenchMatrixRow *r = loaded->pdata[i];

        if (r->has_quality && ra == NULL)
          ra = r;
        else if (r->has_quality)
          rb = r;
      }
    g_assert_nonnull (ra);
    g_assert_nonnull (rb);
    ra->fps = 10, ra->total_ms = 100, ra->psnr_y = 30, ra->psnr_rgb = 28, ra->ssim_y = 0.80;
    rb->fps = 20, rb->total_ms = 50, rb->psnr_y = 29, rb->psnr_rgb = 29, rb->ssim_y = 0.90;
    svd_matrix_window_set_quality (the_matrix, 0, 2, 2, 35);
    g_assert_true (svd_bench_matrix_save_json (loaded, svd_matrix_window_get_results_file (the_matrix), &error));
    g_assert_no_error (error);
    svd_matrix_window_set_quality (the_matrix, 0, 2, 2, 35);
    g_assert_nonnull (svd_matrix_window_get_rows (the_matrix));
    check_metric (loaded, SVD_QUALITY_PSNR_Y, "PSNR-Y");
    rows = svd_matrix_window_get_rows (the_matrix);
    rec_y = g_strdup (((SvdBenchMatrixRow *) rows->pdata[svd_matrix_window_get_recommended (the_matrix)])->key);
    g_assert_cmpstr (rec_y, ==, ra->key);
    g_assert_cmpuint (svd_matrix_window_get_pareto (the_matrix)->len, ==, 2);
    check_metric (loaded, SVD_QUALITY_SSIM_Y, "SSIM-Y");
    g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[svd_matrix_window_get_recommended (the_matrix)])->key, ==,
                     rb->key);
    g_assert_cmpuint (svd_matrix_window_get_pareto (the_matrix)->len, ==, 1);
    shoot (GTK_WIDGET (the_matrix), "matrix-metric-ssim");
    check_metric (loaded, SVD_QUALITY_PSNR_RGB, "PSNR-RGB");
    g_assert_cmpstr (((SvdBenchMatrixRow *) rows->pdata[svd_matrix_window_get_recommended (the_matrix)])->key, ==,
                     rb->key);
  }

  gtk_window_close (GTK_WINDOW (the_matrix));
  svd_test_remove_tree (dir);
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
