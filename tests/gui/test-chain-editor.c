/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-chain-editor"

#include "svd-config.h"

#include <string.h>

#include "svd-application.h"
#include "svd-chain-editor-private.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-export-private.h"
#include "svd-gui-test-utils.h"
#include "svd-gui-test-x11.h"

#include <X11/keysym.h>
#include "svd-test-utils.h"

/* Builds chains in the chain editor under Xvfb: a shared clip opened in
 * Synthesize mode (scale 4, 320 × 180), two seed models added through the
 * model library's search, their rows' tier, scale and GFLOP at the size
 * that reaches each stage, a keyboard reorder, baselines added and one
 * removed, Apply, and the chain's readout and output size in the window;
 * then a second chain of baselines, added and removed again. */

static SvdWindow *the_window;
static SvdChainEditor *the_editor;
static guint want_slot;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
library_loaded (gpointer data)
{
  return !svd_chain_editor_is_loading (the_editor);
}

static gboolean
readout_ready (gpointer data)
{
  const char *text = svd_window_get_readout (the_window, want_slot);
  static gint64 last;

  if (g_get_monotonic_time () - last > 5 * G_USEC_PER_SEC)
    {
      last = g_get_monotonic_time ();
      g_test_message ("waiting for chain %u: %s", want_slot + 1, text != NULL ? text : "(no readout)");
    }
  return text != NULL && (strstr (text, "PSNR-RGB") != NULL || strstr (text, "failed") != NULL);
}

static gboolean
readout_gone (gpointer data)
{
  return svd_window_get_readout (the_window, want_slot) == NULL;
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

static guint
count_models (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    n += svd_model_library_is_model_file (name) ? 1 : 0;
  return n;
}

static guint
n_rows (GtkListBox *box)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (box, n) != NULL)
    n++;
  return n;
}

static const char *
row_title (guint index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (svd_chain_editor_get_stage_list (the_editor), index);

  g_assert_nonnull (row);
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

static const char *
row_subtitle (guint index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (svd_chain_editor_get_stage_list (the_editor), index);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static gboolean
editor_open (gpointer data)
{
  return svd_gui_test_find_window (GTK_APPLICATION (data), SVD_TYPE_CHAIN_EDITOR) != NULL;
}

static gboolean
first_row_is (gpointer data)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (svd_chain_editor_get_stage_list (the_editor), 0);

  return row != NULL && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), data) == 0;
}

static gboolean
library_count_is (gpointer data)
{
  return library_loaded (NULL) && n_rows (svd_chain_editor_get_library_list (the_editor)) == GPOINTER_TO_UINT (data);
}

static gboolean
n_stages_is (gpointer data)
{
  return n_rows (svd_chain_editor_get_stage_list (the_editor)) == GPOINTER_TO_UINT (data);
}

/* What a model's row must say at input @w × @h, from the model itself. */
static char *
expected_details (const char *path,
                  const char *tier,
                  int         w,
                  int         h)
{
  g_autoptr(SvdModelEntry) e = svd_model_entry_new_for_path (path, NULL);

  g_assert_null (e->error);
  g_assert_cmpstr (e->tier, ==, tier);
  return g_strdup_printf ("%s · %d× · %.1f k parameters · %.2f GFLOP per frame at %d × %d",
                          tier, e->scale, e->params / 1000.0, svd_model_entry_gflop (e, w, h), w, h);
}

/* Delivers row @from to the drop target of row @to, as a finished drag
 * does; the rows are rebuilt after the drop. */
static void
drop_row (guint from,
          guint to)
{
  GtkListBox *stages = svd_chain_editor_get_stage_list (the_editor);
  GtkWidget *source = GTK_WIDGET (gtk_list_box_get_row_at_index (stages, from));
  GtkWidget *target = GTK_WIDGET (gtk_list_box_get_row_at_index (stages, to));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (target);
  GtkDropTarget *drop = NULL;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        drop = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (drop);
  g_value_init (&value, GTK_TYPE_LIST_BOX_ROW);
  g_value_set_object (&value, source);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  svd_gui_test_wait_frames (GTK_WIDGET (the_editor), 2);
}

/* Types the model's name into the library's search and activates the one
 * row left, as a user does. */
static void
add_from_library (const char *name)
{
  GtkListBox *library = svd_chain_editor_get_library_list (the_editor);
  GtkListBoxRow *found = NULL;
  guint n_visible = 0;

  gtk_menu_button_popup (GTK_MENU_BUTTON (svd_chain_editor_get_library_button (the_editor)));
  if (n_rows (svd_chain_editor_get_stage_list (the_editor)) == 0)
    {
      GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (library), GTK_TYPE_POPOVER);

      shoot (gtk_popover_get_child (GTK_POPOVER (popover)), "chain-editor-library");
    }
  gtk_editable_set_text (svd_chain_editor_get_search_entry (the_editor), name);
  /* The search entry reports changes after a short delay. */
  for (int tries = 0; tries < 200; tries++)
    {
      n_visible = 0;
      found = NULL;
      for (guint i = 0; i < n_rows (library); i++)
        {
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (library, i);

          if (!gtk_widget_get_child_visible (GTK_WIDGET (row)))
            continue;
          n_visible++;
          if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name))
            found = row;
        }
      if (n_visible < n_rows (library))
        break;
      svd_gui_test_wait_frames (GTK_WIDGET (the_editor), 1);
    }
  g_test_message ("search “%s”: %u of %u library rows shown", name, n_visible, n_rows (library));
  g_assert_nonnull (found);
  g_assert_cmpuint (n_visible, <, n_rows (library));
  gtk_widget_activate (GTK_WIDGET (found));
  gtk_editable_set_text (svd_chain_editor_get_search_entry (the_editor), "");
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *seed = svd_test_shared_path ("models", "seed", NULL);
  g_autofree char *m1 = g_build_filename (seed, "1x_super_34_10_fp32.onnx", NULL);
  g_autofree char *m2 = g_build_filename (seed, "2x_10_2X-10_super_fp32.onnx", NULL);
  g_autofree char *details = NULL;
  g_autofree char *summary = NULL;
  g_auto(GStrv) folders = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (clip);
  const SvdChain *edited = NULL;
  GSettings *settings = svd_application_get_settings (app);
  SvdViewer *viewer;
  GtkWindow *dialog;
  const SvdSessionInfo *info;
  GtkListBox *stages;
  const char *want_first;
  guint n_project;
  int w, h;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  viewer = svd_window_get_viewer (the_window);
  g_assert_nonnull (settings);

  /* No clip: the editor says to open one first. */
  g_assert_null (svd_window_edit_chains (the_window));

  svd_window_set_up_session (the_window, file);
  dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_signal_emit_by_name (svd_gui_test_find_suggested (GTK_WIDGET (dialog)), "clicked");
  svd_gui_test_wait_until (session_open, NULL);
  info = svd_window_get_session_info (the_window);
  w = info->width;
  h = info->height;
  g_assert_cmpint (w, ==, 320);
  g_assert_cmpint (h, ==, 180);

  /* Ctrl+K, pressed through the X server, opens the editor on an empty
   * chain 1. */
  g_assert_true (svd_gui_test_x11_focus (GTK_WIDGET (the_window)));
  svd_gui_test_x11_press (GTK_WIDGET (the_window), XK_Control_L, XK_k);
  svd_gui_test_wait_until (editor_open, app);
  the_editor = SVD_CHAIN_EDITOR (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_CHAIN_EDITOR));
  g_assert_nonnull (the_editor);
  svd_gui_test_wait_frames (GTK_WIDGET (the_editor), 3);
  g_assert_true (svd_gui_test_x11_focus (GTK_WIDGET (the_editor)));
  g_assert_cmpuint (svd_chain_editor_get_n_chains (the_editor), ==, 1);
  stages = svd_chain_editor_get_stage_list (the_editor);
  svd_gui_test_wait_until (library_loaded, NULL);
  /* The project's models/ (the user folder is empty here). */
  n_project = n_rows (svd_chain_editor_get_library_list (the_editor));
  g_test_message ("library: %u models from the project", n_project);
  g_assert_cmpuint (n_project, >=, 1);
  g_assert_cmpuint (n_rows (stages), ==, 0);

  /* The seed folder, added as the Add Folder… chooser does: the library
   * reads it and Preferences' setting keeps it. */
  svd_chain_editor_add_folder (the_editor, seed);
  svd_gui_test_wait_until (library_loaded, NULL);
  g_test_message ("library: %u models with the seed folder", n_rows (svd_chain_editor_get_library_list (the_editor)));
  g_assert_cmpuint (n_rows (svd_chain_editor_get_library_list (the_editor)), ==, n_project + count_models (seed));
  folders = g_settings_get_strv (settings, "model-folders");
  g_assert_true (g_strv_contains ((const char * const *) folders, seed));

  /* Preferences changes the folders while the editor is open: the library
   * follows (the folder removed, then back). */
  g_settings_set_strv (settings, "model-folders", NULL);
  svd_gui_test_wait_until (library_count_is, GUINT_TO_POINTER (n_project));
  g_settings_set_strv (settings, "model-folders", (const char * const *) folders);
  svd_gui_test_wait_until (library_count_is, GUINT_TO_POINTER (n_project + count_models (seed)));

  add_from_library ("1x_super_34_10_fp32");
  add_from_library ("2x_10_2X-10_super_fp32");
  g_assert_cmpuint (n_rows (stages), ==, 2);
  g_assert_cmpstr (row_title (0), ==, "1x_super_34_10_fp32");
  g_assert_cmpstr (row_title (1), ==, "2x_10_2X-10_super_fp32");
  /* A 1x stage leaves the size as it is: both run at 320 × 180. */
  details = expected_details (m1, "Super", w, h);
  g_assert_cmpstr (row_subtitle (0), ==, details);
  g_clear_pointer (&details, g_free);
  details = expected_details (m2, "Super", w, h);
  g_assert_cmpstr (row_subtitle (1), ==, details);
  g_clear_pointer (&details, g_free);
  g_test_message ("stage 1: %s", row_subtitle (0));
  g_test_message ("stage 2: %s", row_subtitle (1));
  /* Two stages reach 2× the clip, the reference is 4×: the editor warns. */
  g_test_message ("size warning: %s", svd_chain_editor_get_size_warning (the_editor));
  g_assert_nonnull (svd_chain_editor_get_size_warning (the_editor));
  g_assert_nonnull (strstr (svd_chain_editor_get_size_warning (the_editor), "640 × 360"));
  g_assert_nonnull (strstr (svd_chain_editor_get_size_warning (the_editor), "1280 × 720"));

  /* Alt+Up, a real key press, on the focused 2x row moves it first; the
   * 1x stage then runs at twice the size. */
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (stages, 1)));
  want_first = "2x_10_2X-10_super_fp32";
  svd_gui_test_x11_press (GTK_WIDGET (the_editor), XK_Alt_L, XK_Up);
  svd_gui_test_wait_until (first_row_is, (gpointer) want_first);
  g_assert_cmpstr (row_title (0), ==, "2x_10_2X-10_super_fp32");
  g_assert_cmpstr (row_title (1), ==, "1x_super_34_10_fp32");
  details = expected_details (m2, "Super", w, h);
  g_assert_cmpstr (row_subtitle (0), ==, details);
  g_clear_pointer (&details, g_free);
  details = expected_details (m1, "Super", 2 * w, 2 * h);
  g_assert_cmpstr (row_subtitle (1), ==, details);
  g_clear_pointer (&details, g_free);
  edited = svd_chain_editor_get_chain (the_editor, 0);
  g_assert_nonnull (edited);
  g_assert_cmpuint (edited->steps->len, ==, 2);
  g_assert_cmpstr (((SvdChainStep *) edited->steps->pdata[0])->path, ==, m2);
  g_assert_cmpstr (((SvdChainStep *) edited->steps->pdata[1])->path, ==, m1);
  /* The moved row keeps the focus, so the key can be pressed again. */
  g_assert_true (gtk_widget_is_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (stages, 0))));

  /* Dropping the first row on the second swaps them back; Alt+Up restores
   * the order. */
  drop_row (0, 1);
  g_assert_cmpstr (row_title (0), ==, "1x_super_34_10_fp32");
  g_assert_cmpstr (row_title (1), ==, "2x_10_2X-10_super_fp32");
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (stages, 1)));
  svd_gui_test_x11_press (GTK_WIDGET (the_editor), XK_Alt_L, XK_Up);
  svd_gui_test_wait_until (first_row_is, (gpointer) want_first);
  g_assert_cmpstr (row_title (0), ==, "2x_10_2X-10_super_fp32");

  /* Two baselines after them, then Delete (a real key press) removes the
   * focused, last one. The bicubic 2x one stays: the reference is 4x the clip, and
   * metrics need the chain to reach its size. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.add-baseline", "s", "bicubic:2"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.add-baseline", "s", "lanczos:2"));
  g_assert_cmpuint (n_rows (stages), ==, 4);
  g_assert_cmpstr (row_title (2), ==, "Bicubic 2×");
  g_assert_cmpstr (row_title (3), ==, "Lanczos 2×");
  summary = g_strdup_printf ("Built-in baseline · 2× · no learned parameters · input %d × %d", 2 * w, 2 * h);
  g_assert_cmpstr (row_subtitle (2), ==, summary);
  g_clear_pointer (&summary, g_free);
  summary = g_strdup_printf ("Built-in baseline · 2× · no learned parameters · input %d × %d", 4 * w, 4 * h);
  g_assert_cmpstr (row_subtitle (3), ==, summary);
  g_clear_pointer (&summary, g_free);
  shoot (GTK_WIDGET (the_editor), "chain-editor-baselines");
  g_assert_true (gtk_widget_is_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (stages, 3))));
  svd_gui_test_x11_press (GTK_WIDGET (the_editor), 0, XK_Delete);
  svd_gui_test_wait_until (n_stages_is, GUINT_TO_POINTER (3));
  g_assert_cmpuint (n_rows (stages), ==, 3);
  g_assert_cmpstr (row_title (1), ==, "1x_super_34_10_fp32");
  g_assert_cmpstr (row_title (2), ==, "Bicubic 2×");
  /* Now the chain ends at the reference's size: no warning. */
  g_assert_null (svd_chain_editor_get_size_warning (the_editor));
  shoot (GTK_WIDGET (the_editor), "chain-editor");

  /* Apply: chain 1 runs 2x, 1x, then bicubic 2x; its output is the
   * reference's size, four times the clip. */
  /* Apply is offered only while the chains differ from the session's. */
  g_assert_true (gtk_widget_get_sensitive (svd_gui_test_find_suggested (GTK_WIDGET (the_editor))));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.apply", NULL));
  g_assert_false (gtk_widget_get_sensitive (svd_gui_test_find_suggested (GTK_WIDGET (the_editor))));
  want_slot = 0;
  svd_gui_test_wait_until (readout_ready, NULL);
  g_test_message ("chain 1: %s", svd_window_get_readout (the_window, 0));
  g_assert_null (strstr (svd_window_get_readout (the_window, 0), "failed"));
  g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1)->width, ==, 4 * w);
  shoot (GTK_WIDGET (the_window), "chain-editor-window");

  /* The export dialog names the chain's stages as the editor does. */
  {
    GtkWindow *export_dialog;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.export", NULL));
    export_dialog = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_EXPORT_DIALOG);
    g_assert_nonnull (export_dialog);
    g_assert_cmpstr (svd_export_dialog_get_chain_text (SVD_EXPORT_DIALOG (export_dialog)), ==,
                     "2x_10_2X-10_super_fp32.onnx → 1x_super_34_10_fp32.onnx → Bicubic 2×");
    gtk_window_destroy (export_dialog);
  }

  /* A second chain of two baselines, applied, then removed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.new-chain", NULL));
  g_assert_cmpuint (svd_chain_editor_get_n_chains (the_editor), ==, 2);
  g_assert_cmpuint (svd_chain_editor_get_current (the_editor), ==, 1);
  g_assert_cmpuint (n_rows (stages), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.add-baseline", "s", "lanczos:2"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.add-baseline", "s", "bicubic:2"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.apply", NULL));
  want_slot = 1;
  svd_gui_test_wait_until (readout_ready, NULL);
  g_test_message ("chain 2: %s", svd_window_get_readout (the_window, 1));
  g_assert_null (strstr (svd_window_get_readout (the_window, 1), "failed"));
  g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_2)->width, ==, 4 * w);
  shoot (GTK_WIDGET (the_editor), "chain-editor-chain-2");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.remove-chain", NULL));
  g_assert_cmpuint (svd_chain_editor_get_n_chains (the_editor), ==, 1);
  g_assert_cmpuint (svd_chain_editor_get_current (the_editor), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_editor), "chain.apply", NULL));
  svd_gui_test_wait_until (readout_gone, NULL);
  g_assert_nonnull (svd_window_get_readout (the_window, 0));

  /* Opened again, the editor shows the session's chain as applied. */
  gtk_window_close (GTK_WINDOW (the_editor));
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 2);
  the_editor = SVD_CHAIN_EDITOR (svd_window_edit_chains (the_window));
  g_assert_nonnull (the_editor);
  g_assert_cmpuint (svd_chain_editor_get_n_chains (the_editor), ==, 1);
  svd_gui_test_wait_until (library_loaded, NULL);
  stages = svd_chain_editor_get_stage_list (the_editor);
  g_assert_cmpuint (n_rows (stages), ==, 3);
  details = expected_details (m1, "Super", 2 * w, 2 * h);
  g_assert_cmpstr (row_subtitle (1), ==, details);
  gtk_window_close (GTK_WINDOW (the_editor));
}

static void
test_chain_editor (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();

  g_test_add_func ("/gui/chain-editor/library-reorder-apply", test_chain_editor);

  return g_test_run ();
}
