/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-matrix-finish"

#include "svd-config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

#include "svd-application.h"
#include "svd-matrix-table.h"
#include "svd-matrix-window-private.h"
#include "svd-pareto-plot.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-gui-test-x11.h"
#include "svd-test-utils.h"

/* Issue #24, the Benchmark Matrix finished, with the project's own models
 * and a clip made here (no ../shared): slots take models of their scale
 * only (the library menu too) and are remembered on reopening; Export and
 * Use in Viewer are off without a row to act on; the table marks the
 * recommendation; the plot follows dark mode, labels its fps axis with
 * distinct ticks, gives each point a tooltip and selects its row on a
 * click; the recommendation can be for a GPU of the estimate table; Use in
 * Viewer puts the row's chain into the main window's session; a matrix
 * with no slots remembered starts from the session's chains. */

static SvdWindow *main_window;
static SvdMatrixWindow *the_matrix;
static char *tmp_dir;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (main_window) != NULL;
}

static gboolean
run_finished (gpointer data)
{
  return !svd_matrix_window_is_running (the_matrix);
}

static gboolean
library_loaded (gpointer data)
{
  return !svd_matrix_window_is_library_loading (the_matrix);
}

static gboolean
chain_shown (gpointer data)
{
  return svd_window_get_readout (main_window, 0) != NULL && !svd_window_is_busy (main_window);
}

/* Whether slot @slot's library menu shows the model named @name. */
static gboolean
library_offers (guint       slot,
                const char *name)
{
  GtkListBox *list = svd_matrix_window_get_library_list (the_matrix, slot);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (row == NULL)
        return FALSE;
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0)
        return gtk_widget_get_child_visible (GTK_WIDGET (row));
    }
}

/* The mean luma of @widget as the window shows it (the plot draws no
 * background of its own: the window's shows through). */
static double
mean_luma (GtkWidget *window,
           GtkWidget *widget)
{
  g_autoptr(GdkTexture) texture = svd_gui_test_render (window);
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_autofree guint8 *px = g_malloc ((gsize) w * h * 4);
  graphene_rect_t b;
  double sum = 0;
  gsize n = 0;

  g_assert_true (gtk_widget_compute_bounds (widget, window, &b));
  gdk_texture_download (texture, px, (gsize) w * 4);
  for (int y = MAX (0, (int) b.origin.y); y < MIN (h, (int) (b.origin.y + b.size.height)); y++)
    for (int x = MAX (0, (int) b.origin.x); x < MIN (w, (int) (b.origin.x + b.size.width)); x++)
      {
        const guint8 *p = px + ((gsize) y * w + x) * 4;

        sum += 0.114 * p[0] + 0.587 * p[1] + 0.299 * p[2];
        n++;
      }
  g_assert_cmpuint (n, >, 0);
  return sum / n;
}

/* The last (widest-numbered) column of the table, by its header title:
 * the GtkColumnViewTitle widgets are the header's children, in column
 * order. Checks that its title lies inside the table's scrolled window,
 * at whatever size the window now has. */
static void
assert_last_column_visible (const char *when)
{
  GtkWidget *table = GTK_WIDGET (svd_matrix_window_get_table (the_matrix));
  GtkWidget *scrolled = gtk_widget_get_ancestor (table, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *last = NULL;
  graphene_rect_t b;

  svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 5);
  for (GtkWidget *header = gtk_widget_get_first_child (table); header != NULL && last == NULL;
       header = gtk_widget_get_next_sibling (header))
    for (GtkWidget *c = gtk_widget_get_first_child (header); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (g_str_equal (G_OBJECT_TYPE_NAME (c), "GtkColumnViewTitle"))
        {
          last = c;
          g_test_message ("column title at x %.0f, %d px wide",
                          gtk_widget_compute_bounds (c, table, &b) ? b.origin.x : -1.0, gtk_widget_get_width (c));
        }
  g_assert_nonnull (last);
  g_assert_true (gtk_widget_compute_bounds (last, scrolled, &b));
  g_test_message ("%s: window %d × %d, table area %d px wide, last column at %.0f–%.0f", when,
                  gtk_widget_get_width (GTK_WIDGET (the_matrix)), gtk_widget_get_height (GTK_WIDGET (the_matrix)),
                  gtk_widget_get_width (scrolled), b.origin.x, b.origin.x + b.size.width);
  g_assert_cmpfloat (b.origin.x, >=, 0);
  g_assert_cmpfloat (b.origin.x + b.size.width, <=, gtk_widget_get_width (scrolled) + 0.5);
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = g_build_filename (tmp_dir, "matrix.mp4", NULL);
  g_autofree char *results = g_build_filename (tmp_dir, "matrix.json", NULL);
  g_autofree char *models = g_build_filename (g_getenv ("SVD_SOURCE_ROOT"), "models", NULL);
  g_autofree char *super1 = g_build_filename (models, "svd-super-1x.safetensors", NULL);
  g_autofree char *super2 = g_build_filename (models, "svd-super-2x.safetensors", NULL);
  const char *folders[] = { models, NULL };
  SvdSessionSetup setup = { 0 };
  g_autoptr(GError) error = NULL;
  GPtrArray *rows, *slot;
  GtkWidget *export_button, *use_button;
  SvdParetoPlot *plot;
  int rec, quality_row = -1;
  double max_fps = 0;

  main_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  svd_test_make_tone_clip (clip, 64, 48, 4);
  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  svd_window_start_session (main_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);

  /* Slots take models of their scale. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  the_matrix = SVD_MATRIX_WINDOW (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW));
  g_assert_nonnull (the_matrix);
  export_button = svd_matrix_window_get_export_button (the_matrix);
  use_button = svd_matrix_window_get_use_button (the_matrix);
  g_assert_false (gtk_widget_get_sensitive (export_button));
  g_assert_false (gtk_widget_get_sensitive (use_button));
  g_assert_false (svd_matrix_window_add_model (the_matrix, 1, super1, &error));
  g_test_message ("a 1× model in slot 2: %s", error->message);
  g_assert_nonnull (strstr (error->message, "2×"));
  g_clear_error (&error);
  g_assert_false (svd_matrix_window_add_model (the_matrix, 0, super2, &error));
  g_clear_error (&error);
  g_assert_cmpuint (svd_matrix_window_get_slot (the_matrix, 1)->len, ==, 0);
  g_assert_true (svd_matrix_window_add_model (the_matrix, 0, super1, &error));
  g_assert_no_error (error);
  svd_matrix_window_add_none (the_matrix, 1);
  g_assert_true (svd_matrix_window_add_model (the_matrix, 1, super2, &error));
  g_assert_no_error (error);
  /* The library menus offer each slot's scale only. */
  svd_gui_test_wait_until (library_loaded, NULL);
  svd_matrix_window_set_library_folders (the_matrix, folders);
  g_test_message ("scanning %s", models);
  svd_gui_test_wait_until (library_loaded, NULL);
  g_assert_true (library_offers (0, "svd-super-1x"));
  g_assert_false (library_offers (0, "svd-super-2x"));
  g_assert_true (library_offers (1, "svd-super-2x"));
  g_assert_false (library_offers (1, "svd-super-1x"));

  /* Closed and opened again, the slots are still set. */
  gtk_window_destroy (GTK_WINDOW (the_matrix));
  svd_gui_test_wait_frames (GTK_WIDGET (main_window), 3);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  the_matrix = SVD_MATRIX_WINDOW (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW));
  g_assert_nonnull (the_matrix);
  slot = svd_matrix_window_get_slot (the_matrix, 0);
  g_assert_cmpuint (slot->len, ==, 1);
  g_assert_cmpstr (((SvdModel *) slot->pdata[0])->name, ==, "svd-super-1x");
  slot = svd_matrix_window_get_slot (the_matrix, 1);
  g_assert_cmpuint (slot->len, ==, 2);
  g_assert_null (slot->pdata[0]);
  g_assert_cmpstr (((SvdModel *) slot->pdata[1])->name, ==, "svd-super-2x");
  export_button = svd_matrix_window_get_export_button (the_matrix);
  use_button = svd_matrix_window_get_use_button (the_matrix);
  plot = SVD_PARETO_PLOT (svd_matrix_window_get_plot (the_matrix));

  /* Run: 1× alone and 1× → 2×, the latter scored on the clip. */
  svd_matrix_window_set_size (the_matrix, 32, 24);
  svd_matrix_window_set_runs (the_matrix, 0, 1);
  svd_matrix_window_set_results_path (the_matrix, results);
  svd_matrix_window_set_quality (the_matrix, 0, 1, 2, 34);
  svd_matrix_window_set_target_fps (the_matrix, 0.001);
  svd_matrix_window_run (the_matrix);
  svd_gui_test_wait_until (run_finished, NULL);
  g_assert_null (svd_matrix_window_get_error (the_matrix));
  rows = svd_matrix_window_get_rows (the_matrix);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      const SvdBenchMatrixRow *r = rows->pdata[i];

      g_test_message ("%s: %.1f fps, quality %d, PSNR-Y %.2f", r->chain, r->fps, r->has_quality, r->psnr_y);
      max_fps = MAX (max_fps, r->fps);
      if (r->has_quality)
        quality_row = (int) i;
    }
  g_assert_cmpint (quality_row, >=, 0);

  /* The recommendation is marked in the table; Export and Use act on it. */
  rec = svd_matrix_window_get_recommended (the_matrix);
  g_assert_cmpint (rec, ==, quality_row);
  {
    GListModel *sorted = svd_matrix_window_get_sorted (the_matrix);
    guint marked = 0;

    for (guint i = 0; i < g_list_model_get_n_items (sorted); i++)
      {
        g_autoptr(SvdMatrixRowObject) obj = g_list_model_get_item (sorted, i);

        if (svd_matrix_row_object_get_recommended (obj))
          {
            marked++;
            g_assert_cmpint ((int) svd_matrix_row_object_get_index (obj), ==, rec);
          }
      }
    g_assert_cmpuint (marked, ==, 1);
  }
  g_assert_true (gtk_widget_get_sensitive (export_button));
  g_assert_true (gtk_widget_get_sensitive (use_button));
  /* No chain reaches the target and nothing is selected: nothing to export. */
  svd_matrix_window_set_target_fps (the_matrix, max_fps * 2 + 1);
  g_assert_cmpint (svd_matrix_window_get_recommended (the_matrix), ==, -1);
  g_assert_false (gtk_widget_get_sensitive (export_button));
  g_assert_false (gtk_widget_get_sensitive (use_button));

  /* For a GPU of the estimate table, a chain reaches it (an estimate). */
  {
    GtkDropDown *gpu = svd_matrix_window_get_gpu_drop (the_matrix);
    const SvdBenchMatrixRow *r = rows->pdata[quality_row];
    guint n_gpus;
    const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);
    double est = svd_gpu_estimate (&gpus[0], r->gflop, r->in_width, r->in_height).fps;
    const char *banner;

    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (gpu)), ==, n_gpus + 1);
    svd_matrix_window_set_target_fps (the_matrix, est * 0.9);
    g_test_message ("target %.1f fps: measured best %.1f, %s estimate %.1f", est * 0.9, max_fps, gpus[0].name, est);
    if (est * 0.9 > max_fps)
      g_assert_cmpint (svd_matrix_window_get_recommended (the_matrix), ==, -1);
    gtk_drop_down_set_selected (gpu, 1);
    g_assert_cmpint (svd_matrix_window_get_recommended (the_matrix), ==, quality_row);
    banner = gtk_label_get_text (GTK_LABEL (svd_matrix_window_get_banner (the_matrix)));
    g_test_message ("banner: %s", banner);
    g_assert_nonnull (strstr (banner, "estimate"));
    g_assert_nonnull (strstr (banner, gpus[0].name));
    gtk_drop_down_set_selected (gpu, 0);
    svd_matrix_window_set_target_fps (the_matrix, 0.001);
  }

  /* Every column fits: the last GPU estimate column is inside the table's
   * visible area at the window's default size and at its minimum. */
  {
    int w, h;

    gtk_window_get_default_size (GTK_WINDOW (the_matrix), &w, &h);
    gtk_window_present (GTK_WINDOW (the_matrix));
    assert_last_column_visible ("default size");
    gtk_window_set_default_size (GTK_WINDOW (the_matrix), 1, 1);
    assert_last_column_visible ("minimum size");
    gtk_window_set_default_size (GTK_WINDOW (the_matrix), w, h);
  }

  /* The plot: distinct fps ticks, a tooltip per point, a click selects the
   * point's row. */
  gtk_window_set_default_size (GTK_WINDOW (the_matrix), 1100, 800);
  gtk_window_present (GTK_WINDOW (the_matrix));
  svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 5);
  {
    double light = mean_luma (GTK_WIDGET (the_matrix), GTK_WIDGET (plot));
    g_auto(GStrv) labels = svd_pareto_plot_get_x_labels (plot);
    g_autofree char *tip = NULL;
    double x, y;

    g_assert_nonnull (labels);
    g_assert_cmpuint (g_strv_length (labels), >=, 2);
    for (guint i = 1; labels[i] != NULL; i++)
      {
        g_test_message ("fps tick %s", labels[i - 1]);
        g_assert_cmpfloat (g_ascii_strtod (labels[i], NULL), >, g_ascii_strtod (labels[i - 1], NULL));
      }
    g_assert_true (svd_pareto_plot_get_point (plot, quality_row, &x, &y));
    tip = svd_pareto_plot_get_tooltip (plot, x + 2, y - 2);
    g_test_message ("tooltip: %s", tip);
    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, ((SvdBenchMatrixRow *) rows->pdata[quality_row])->chain));
    g_assert_null (svd_pareto_plot_get_tooltip (plot, x + 40, y + 40));

    g_assert_cmpint (svd_matrix_window_selected_row (the_matrix), ==, -1);
    if (svd_gui_test_x11_focus (GTK_WIDGET (the_matrix)))
      {
        GtkWidget *window = GTK_WIDGET (the_matrix);
        Display *dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
        graphene_point_t p;
        Window child;
        int rx, ry;

        g_assert_true (gtk_widget_compute_point (GTK_WIDGET (plot), window, &GRAPHENE_POINT_INIT (x, y), &p));
        XTranslateCoordinates (dpy, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))),
                               DefaultRootWindow (dpy), (int) round (p.x), (int) round (p.y), &rx, &ry, &child);
        XTestFakeMotionEvent (dpy, -1, rx, ry, CurrentTime);
        XTestFakeButtonEvent (dpy, 1, True, CurrentTime);
        XTestFakeButtonEvent (dpy, 1, False, CurrentTime);
        XFlush (dpy);
        svd_gui_test_wait_frames (window, 5);
        g_assert_cmpint (svd_matrix_window_selected_row (the_matrix), ==, quality_row);
      }
    else
      g_test_message ("no X11: the click is not checked");

    /* Dark mode: no white card. */
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
    svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 5);
    {
      double dark = mean_luma (GTK_WIDGET (the_matrix), GTK_WIDGET (plot));
      g_autofree char *path = svd_gui_test_save_screenshot (GTK_WIDGET (the_matrix), "matrix-dark");

      g_test_message ("plot mean luma: light %.1f, dark %.1f (%s)", light, dark, path);
      g_assert_cmpfloat (dark, <, 100);
      g_assert_cmpfloat (light, >, 150);
    }
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
    svd_gui_test_wait_frames (GTK_WIDGET (the_matrix), 5);
    g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_matrix), "matrix-light"));
  }

  /* Use in Viewer: the selected row's chain becomes chain 1. */
  svd_matrix_window_select_row (the_matrix, quality_row);
  g_assert_true (gtk_widget_get_sensitive (use_button));
  g_assert_true (gtk_widget_activate (use_button));
  svd_gui_test_wait_until (chain_shown, NULL);
  {
    g_autofree char *spec = svd_chain_to_string (main_window->chains[0].chain, NULL, NULL);

    g_test_message ("chain 1 in the viewer: %s", spec);
    g_assert_cmpuint (main_window->chains[0].chain->steps->len, ==, 2);
  }

  /* With no slots remembered, a new matrix starts from the session's
   * chains: chain 1 is now 1× → 2×. */
  gtk_window_destroy (GTK_WINDOW (the_matrix));
  svd_gui_test_wait_frames (GTK_WIDGET (main_window), 3);
  g_settings_reset (svd_application_get_settings (app), "matrix-slots");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  the_matrix = SVD_MATRIX_WINDOW (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW));
  g_assert_nonnull (the_matrix);
  slot = svd_matrix_window_get_slot (the_matrix, 0);
  g_assert_cmpuint (slot->len, ==, 1);
  g_assert_cmpstr (((SvdModel *) slot->pdata[0])->name, ==, "svd-super-1x");
  slot = svd_matrix_window_get_slot (the_matrix, 1);
  g_assert_cmpuint (slot->len, ==, 1);
  g_assert_cmpstr (((SvdModel *) slot->pdata[0])->name, ==, "svd-super-2x");
  g_assert_cmpuint (svd_matrix_window_get_slot (the_matrix, 2)->len, ==, 0);

  gtk_window_destroy (GTK_WINDOW (the_matrix));
  g_unlink (clip);
}

static void
test_matrix_finish (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  tmp_dir = g_dir_make_tmp ("svd-matrix-finish-XXXXXX", &error);
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
  svd_test_require_ffmpeg_cli ();

  g_test_add_func ("/gui/matrix/finished", test_matrix_finish);

  return g_test_run ();
}
