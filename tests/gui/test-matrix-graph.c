/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-matrix-graph"

#include "svd-config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "svd-application.h"
#include "svd-matrix-table.h"
#include "svd-matrix-window-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Issue #27: a SPAN-family model is a stage of the Benchmark Matrix like
 * any other. The session's chain 1 is the project's 1× model → AnimeJaNai
 * SPANF3 2x (../shared, run through the graph IR); the matrix opened with
 * no slots remembered takes SPANF3 into its 2× slot (and refuses it in the
 * 1× slot), runs at 32 × 24 with one run and no warm-up, scores the chains
 * on a clip made here, and its table shows the SPANF3 row with its
 * measured fps; the screenshot shows it. */

#define SPAN "2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16"

static SvdWindow *main_window;
static SvdMatrixWindow *the_matrix;
static char *tmp_dir;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (main_window) != NULL;
}

static gboolean
chain_shown (gpointer data)
{
  return svd_window_get_readout (main_window, 0) != NULL && !svd_window_is_busy (main_window);
}

static gboolean
run_finished (gpointer data)
{
  return !svd_matrix_window_is_running (the_matrix);
}

/* The texts of the labels under @widget, in order. */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, (gpointer) gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, texts);
}

/* Whether a row of the table, as drawn, has a label holding @chain (it
 * may be marked as the recommendation) and one equal to @fps. */
static gboolean
table_shows (GtkWidget  *widget,
             const char *chain,
             const char *fps)
{
  /* A row of the column view: its type is private to GTK, named so
   * since 4.12, GtkListItemWidget before. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkColumnViewRowWidget") ||
      g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkListItemWidget"))
    {
      g_autoptr(GPtrArray) texts = g_ptr_array_new ();
      gboolean has_chain = FALSE, has_fps = FALSE;

      collect_labels (widget, texts);
      for (guint i = 0; i < texts->len; i++)
        {
          has_chain |= strstr (texts->pdata[i], chain) != NULL; /* may be marked recommended */
          has_fps |= g_strcmp0 (texts->pdata[i], fps) == 0;
        }
      if (has_chain)
        g_test_message ("row of %s drawn, fps %s %s", chain, fps, has_fps ? "shown" : "NOT shown");
      return has_chain && has_fps;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (table_shows (c, chain, fps))
      return TRUE;
  return FALSE;
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = g_build_filename (tmp_dir, "matrix.mp4", NULL);
  g_autofree char *results = g_build_filename (tmp_dir, "matrix.json", NULL);
  g_autofree char *super1 = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", "svd-super-1x.safetensors",
                                              NULL);
  g_autofree char *span = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  const char *paths[] = { super1, span, NULL };
  SvdSessionSetup setup = { 0 };
  g_autoptr(GError) error = NULL;
  GPtrArray *rows, *slot;
  const SvdModel *span_model, *super1_model;
  const SvdBenchMatrixRow *row;

  main_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  svd_test_make_tone_clip (clip, 64, 48, 2);
  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  svd_window_start_session (main_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  svd_window_set_chain_paths (main_window, 0, paths);
  svd_gui_test_wait_until (chain_shown, NULL);
  g_test_message ("chain 1: %s", svd_window_get_readout (main_window, 0));
  g_assert_cmpuint (main_window->chains[0].chain->steps->len, ==, 2);

  /* A matrix with no slots remembered starts from the session's chain:
   * the 1× model in slot 1, SPANF3 in slot 2. */
  g_settings_reset (svd_application_get_settings (app), "matrix-slots");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  the_matrix = SVD_MATRIX_WINDOW (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW));
  g_assert_nonnull (the_matrix);
  slot = svd_matrix_window_get_slot (the_matrix, 0);
  g_assert_cmpuint (slot->len, ==, 1);
  g_assert_nonnull (slot->pdata[0]);
  super1_model = slot->pdata[0];
  g_assert_cmpstr (super1_model->name, ==, "svd-super-1x");
  slot = svd_matrix_window_get_slot (the_matrix, 1);
  g_assert_cmpuint (slot->len, ==, 1);
  g_assert_nonnull (slot->pdata[0]);
  span_model = slot->pdata[0];
  g_assert_cmpstr (span_model->name, ==, SPAN);
  g_assert_nonnull (span_model->graph);
  g_assert_cmpuint (svd_matrix_window_get_slot (the_matrix, 2)->len, ==, 0);

  /* The slots' scale check: SPANF3 fits the 2× slots, not the 1× one. */
  g_assert_true (svd_matrix_window_check_scale (the_matrix, 1, span_model, &error));
  g_assert_no_error (error);
  g_assert_true (svd_matrix_window_check_scale (the_matrix, 2, span_model, &error));
  g_assert_no_error (error);
  g_assert_false (svd_matrix_window_add_model (the_matrix, 0, span, &error));
  g_test_message ("SPANF3 in slot 1: %s", error->message);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "1×"));
  g_assert_nonnull (strstr (error->message, SPAN));
  g_clear_error (&error);
  g_assert_cmpuint (svd_matrix_window_get_slot (the_matrix, 0)->len, ==, 1);

  /* Slot 1 always runs a model: the one row is 1× → SPANF3. */
  svd_matrix_window_set_size (the_matrix, 32, 24);
  svd_matrix_window_set_runs (the_matrix, 0, 1);
  svd_matrix_window_set_results_path (the_matrix, results);
  svd_matrix_window_set_quality (the_matrix, 0, 1, 2, 34);
  svd_matrix_window_set_target_fps (the_matrix, 0.001);
  svd_matrix_window_run (the_matrix);
  svd_gui_test_wait_until (run_finished, NULL);
  g_assert_null (svd_matrix_window_get_error (the_matrix));
  rows = svd_matrix_window_get_rows (the_matrix);
  g_assert_cmpuint (rows->len, ==, 1);
  row = rows->pdata[0];
  g_test_message ("%s: %d × %d → %d × %d, %.3f GFLOP, %.1f fps, stage 2 %.2f ms, quality %d, PSNR-Y %.2f", row->chain,
                  row->in_width, row->in_height, row->out_width, row->out_height, row->gflop, row->fps,
                  row->stage_ms[1], row->has_quality, row->psnr_y);
  g_assert_cmpstr (row->chain, ==, "svd-super-1x + " SPAN);
  g_assert_cmpint (row->n_stages, ==, 2);
  g_assert_cmpint (row->in_width, ==, 32);
  g_assert_cmpint (row->in_height, ==, 24);
  g_assert_cmpint (row->out_width, ==, 64);
  g_assert_cmpint (row->out_height, ==, 48);
  g_assert_cmpfloat (row->fps, >, 0);
  g_assert_true (isfinite (row->fps));
  g_assert_cmpfloat (row->stage_ms[1], >, 0);
  g_assert_true (row->has_quality);
  g_assert_cmpfloat (row->psnr_y, >, 5);
  /* The SPANF3 stage counts: GFLOP is both models' at 32 × 24. */
  g_test_message ("GFLOP at 32 × 24: 1× %.4f, SPANF3 %.4f", svd_model_get_gflop (super1_model, 32, 24),
                  svd_model_get_gflop (span_model, 32, 24));
  g_assert_cmpfloat (svd_model_get_gflop (span_model, 32, 24), >, 0);
  g_assert_cmpfloat_with_epsilon (row->gflop, svd_model_get_gflop (super1_model, 32, 24) +
                                  svd_model_get_gflop (span_model, 32, 24), 1e-9);

  /* The table, as drawn, shows the SPANF3 row with its measured fps. */
  gtk_window_set_default_size (GTK_WINDOW (the_matrix), 1100, 800);
  gtk_window_present (GTK_WINDOW (the_matrix));
  svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 5);
  {
    g_autofree char *fps = g_strdup_printf ("%.1f", row->fps);
    g_autofree char *shot = NULL;

    g_assert_true (table_shows (GTK_WIDGET (svd_matrix_window_get_table (the_matrix)), row->chain, fps));
    shot = svd_gui_test_save_screenshot (GTK_WIDGET (the_matrix), "matrix-spanf3");
    g_test_message ("screenshot %s", shot);
  }

  gtk_window_destroy (GTK_WINDOW (the_matrix));
}

static void
test_matrix_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  tmp_dir = g_dir_make_tmp ("svd-matrix-graph-XXXXXX", &error);
  g_assert_no_error (error);
  svd_gui_test_run_app (script);
  dir = g_dir_open (tmp_dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (tmp_dir), ==, 0);
  g_clear_pointer (&tmp_dir, g_free);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();
  svd_test_require_ffmpeg_cli ();

  g_test_add_func ("/gui/matrix/graph-stage", test_matrix_graph);

  return g_test_run ();
}
