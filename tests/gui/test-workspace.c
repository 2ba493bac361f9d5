/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-workspace"

#include "svd-config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "svd-application.h"
#include "svd-chain-editor-private.h"
#include "svd-window.h"
#include "svd-window-private.h"
#include "svd-plot-private.h"
#include "svd-viewer-private.h"
#include "svd-gui-test-utils.h"
#include "svd-gui-test-x11.h"

#include <X11/keysym.h>
#include "svd-test-utils.h"

/* Issue #24, the workspace as its users work, under Xvfb on a shared clip
 * (Synthesize, 320 × 180):
 * - closing the chain editor with × or Escape asks before unapplied edits
 *   are lost (Cancel keeps editing, Discard drops them, Apply applies);
 * - chains are numbered one way: chains 1–4 applied with chain 2 empty
 *   run as chains 1–3 in the window and in the editor opened again;
 * - Remove All Chains clears pictures, readouts and plot curves, and
 *   offers Undo;
 * - New Session with a bad file keeps the open session and says why;
 * - Open Recent shows a file name's underscores (escaped as mnemonics). */

static SvdWindow *the_window;
static SvdApplication *the_app;
static guint want_slot;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
readout_ready (gpointer data)
{
  const char *text = svd_window_get_readout (the_window, want_slot);

  return text != NULL && (strstr (text, "PSNR-RGB") != NULL || strstr (text, "failed") != NULL);
}

static SvdChainEditor *
find_editor (void)
{
  return SVD_CHAIN_EDITOR (svd_gui_test_find_window (GTK_APPLICATION (the_app), SVD_TYPE_CHAIN_EDITOR));
}

static gboolean
editor_closed (gpointer data)
{
  return find_editor () == NULL;
}

static AdwMessageDialog *
find_dialog (void)
{
  return ADW_MESSAGE_DIALOG (svd_gui_test_find_window (GTK_APPLICATION (the_app), ADW_TYPE_MESSAGE_DIALOG));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Clicks the dialog's button for @label, as the user does. */
static void
click (AdwMessageDialog *dialog,
       const char       *label)
{
  GtkWidget *button = find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
dialog_open (gpointer data)
{
  return find_dialog () != NULL;
}

static gboolean
dialog_closed (gpointer data)
{
  return find_dialog () == NULL;
}

static SvdChainEditor *
open_editor (void)
{
  SvdChainEditor *editor = SVD_CHAIN_EDITOR (svd_window_edit_chains (the_window));

  g_assert_nonnull (editor);
  svd_gui_test_wait_frames (GTK_WIDGET (editor), 3);
  return editor;
}

static void
add_baseline (SvdChainEditor *editor,
              const char     *spec)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "chain.add-baseline", "s", spec));
}

/* Closing asks (× here, Escape through the X server), and each answer does
 * what it says. */
static void
check_close_asks (void)
{
  SvdChainEditor *editor = open_editor ();
  AdwMessageDialog *dialog;

  g_assert_cmpuint (svd_chain_editor_get_n_chains (editor), ==, 1);
  add_baseline (editor, "bicubic:4");

  /* ×: asked; Cancel keeps the editor and the edit. */
  gtk_window_close (GTK_WINDOW (editor));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Apply Changes?");
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  g_assert_true (adw_message_dialog_has_response (dialog, "apply"));
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "chain-editor-close-ask"));
  click (dialog, "_Cancel");
  svd_gui_test_wait_until (dialog_closed, NULL);
  g_assert_true (find_editor () == editor);
  g_assert_nonnull (svd_chain_editor_get_chain (editor, 0));

  /* Escape: asked again; Discard closes and the session runs nothing. */
  g_assert_true (svd_gui_test_x11_focus (GTK_WIDGET (editor)));
  svd_gui_test_x11_press (GTK_WIDGET (editor), 0, XK_Escape);
  svd_gui_test_wait_until (dialog_open, NULL);
  g_assert_true (find_editor () == editor);
  click (find_dialog (), "_Discard");
  svd_gui_test_wait_until (editor_closed, NULL);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_assert_null (svd_window_get_readout (the_window, 0));

  /* Apply from the question: the chain runs. */
  editor = open_editor ();
  g_assert_null (svd_chain_editor_get_chain (editor, 0));
  add_baseline (editor, "bicubic:4");
  gtk_window_close (GTK_WINDOW (editor));
  svd_gui_test_wait_until (dialog_open, NULL);
  click (find_dialog (), "_Apply");
  svd_gui_test_wait_until (editor_closed, NULL);
  want_slot = 0;
  svd_gui_test_wait_until (readout_ready, NULL);

  /* Nothing to lose: it closes without asking. */
  editor = open_editor ();
  g_assert_nonnull (svd_chain_editor_get_chain (editor, 0));
  gtk_window_close (GTK_WINDOW (editor));
  svd_gui_test_wait_until (editor_closed, NULL);
  g_assert_null (find_dialog ());
}

/* Chains 1–4 applied with chain 2 empty: one numbering, 1–3, in the
 * window's readouts and in the editor. */
static void
check_one_numbering (void)
{
  SvdChainEditor *editor = open_editor ();
  const SvdChain *chain;
  char *specs[] = { "bicubic:4", NULL, "lanczos:4", "bilinear:4" };

  g_assert_cmpuint (svd_chain_editor_get_n_chains (editor), ==, 1);
  for (guint i = 1; i < 4; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "chain.new-chain", NULL));
  g_assert_cmpuint (svd_chain_editor_get_n_chains (editor), ==, 4);
  /* Chain 1 runs bicubic 4× already; chain 2 stays empty. */
  for (guint i = 2; i < 4; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "chain.select-chain", "u", i));
      add_baseline (editor, specs[i]);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "chain.apply", NULL));

  /* The editor now lists the three chains that run, in order. */
  g_assert_cmpuint (svd_chain_editor_get_n_chains (editor), ==, 3);
  chain = svd_chain_editor_get_chain (editor, 1);
  g_assert_nonnull (chain);
  g_assert_cmpuint (chain->steps->len, ==, 1);
  g_assert_cmpint (((SvdChainStep *) g_ptr_array_index (chain->steps, 0))->filter, ==, SVD_RESIZE_LANCZOS);
  gtk_window_close (GTK_WINDOW (editor));
  svd_gui_test_wait_until (editor_closed, NULL);
  g_assert_null (find_dialog ());

  /* The window runs them as chains 1, 2 and 3; slot 4 is empty. */
  for (want_slot = 0; want_slot < 3; want_slot++)
    svd_gui_test_wait_until (readout_ready, NULL);
  g_assert_null (svd_window_get_readout (the_window, 3));

  /* Opened again, the editor numbers them as the window does. */
  editor = open_editor ();
  g_assert_cmpuint (svd_chain_editor_get_n_chains (editor), ==, 3);
  chain = svd_chain_editor_get_chain (editor, 2);
  g_assert_nonnull (chain);
  g_assert_cmpint (((SvdChainStep *) g_ptr_array_index (chain->steps, 0))->filter, ==, SVD_RESIZE_BILINEAR);
  gtk_window_close (GTK_WINDOW (editor));
  svd_gui_test_wait_until (editor_closed, NULL);
}

/* Remove All Chains: the pictures, readouts and plot curves go at once,
 * and Undo (the toast's button) puts the chains back. */
static void
check_remove_all (void)
{
  SvdPlot *plot = svd_window_get_plot (the_window);
  SvdViewer *viewer = svd_window_get_viewer (the_window);

  g_assert_cmpuint (svd_plot_get_n_points (plot, 0), >, 0);
  g_assert_true (svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.clear-chains", NULL));
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_null (svd_window_get_readout (the_window, i));
      g_assert_cmpuint (svd_plot_get_n_points (plot, i), ==, 0);
      g_assert_false (svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1 + i));
    }
  /* No side of the viewer still names a removed chain. */
  g_assert_cmpint (svd_viewer_get_right_slot (viewer), <, SVD_VIEWER_SLOT_CHAIN_1);
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), <, SVD_VIEWER_SLOT_CHAIN_1);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "remove-all-chains-undo"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.undo-clear-chains", NULL));
  for (want_slot = 0; want_slot < 3; want_slot++)
    svd_gui_test_wait_until (readout_ready, NULL);
  g_assert_null (svd_window_get_readout (the_window, 3));
  g_assert_true (svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1));
}

/* New Session with a file that is not a clip: it is read first, the open
 * session stays as it was (clip and chains), and a dialog says why. */
static void
check_bad_new_session (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-workspace-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "not_a_clip.mp4", NULL);
  g_autofree char *junk = g_malloc0 (32 * 1024);
  g_autofree char *open_input = g_strdup (svd_window_get_session_info (the_window)->input_path);
  SvdSessionSetup setup = { 0 };
  AdwMessageDialog *dialog;

  g_assert_nonnull (dir);
  for (guint i = 0; i < 32 * 1024; i++)
    junk[i] = (char) (i * 131 + 7);
  g_assert_true (g_file_set_contents (bad, junk, 32 * 1024, NULL));

  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = bad;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (dialog_open, NULL);
  dialog = find_dialog ();
  g_test_message ("dialog: %s — %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "not_a_clip.mp4"));
  /* The session that was open is still there, with its chains. */
  g_assert_nonnull (svd_window_get_session_info (the_window));
  g_assert_cmpstr (svd_window_get_session_info (the_window)->input_path, ==, open_input);
  want_slot = 0;
  g_assert_true (readout_ready (NULL));
  adw_message_dialog_response (dialog, "close");
  gtk_window_close (GTK_WINDOW (dialog));
  svd_gui_test_wait_until (dialog_closed, NULL);
  g_assert_nonnull (svd_window_get_session_info (the_window));

  g_assert_cmpint (g_remove (bad), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static gboolean
recent_label_is (gpointer data)
{
  GMenuModel *menu = svd_window_get_recent_menu (the_window);

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label)
          && g_str_equal (label, data))
        return TRUE;
    }
  return FALSE;
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (clip);
  GtkWindow *dialog;

  the_app = app;
  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  svd_window_set_up_session (the_window, file);
  dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_signal_emit_by_name (svd_gui_test_find_suggested (GTK_WIDGET (dialog)), "clicked");
  svd_gui_test_wait_until (session_open, NULL);
  g_assert_cmpint (svd_window_get_session_info (the_window)->width, ==, 320);

  /* Open Recent: the underscores are part of the name, not mnemonics (a
   * menu label shows "__" as "_"). */
  g_test_message ("waiting: the clip in Open Recent, underscores escaped");
  svd_gui_test_wait_until (recent_label_is, "bbb__720p__5s__h264__aac.mp4");

  check_close_asks ();
  check_one_numbering ();
  check_remove_all ();
  check_bad_new_session ();
}

static void
test_workspace (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();

  g_test_add_func ("/gui/workspace/lost-work-and-numbering", test_workspace);

  return g_test_run ();
}
