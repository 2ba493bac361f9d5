/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-errors"

#include "svd-config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "svd-application.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Errors never take the window down, driven under Xvfb:
 * - a clip of garbage bytes: a blocking dialog says what failed and offers
 *   "Open Another File…"; the window then opens a real clip;
 * - that real clip lands in Open Recent, and the menu item opens it again
 *   through the session setup;
 * - a real model file cut short in chain 2: a toast, and chain 1 keeps
 *   running frame after frame. */

static SvdWindow *the_window;
static gint64 want_frame;
static char *tmp_dir;

static gboolean
dialog_shown (gpointer data)
{
  return svd_gui_test_find_window (NULL, ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return svd_gui_test_find_window (NULL, ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
chain_ran (gpointer data)
{
  const char *text = svd_window_get_readout (the_window, 0);

  return svd_window_get_shown_frame (the_window) == want_frame && text != NULL &&
         strstr (text, " ms") != NULL;
}

/* libadwaita 1.2 cannot list toasts: find a label with @text inside the
 * toast widget (a private type) on screen. */
static gboolean
find_toast_label (GtkWidget  *widget,
                  gboolean    in_toast,
                  const char *text)
{
  GType toast_type = g_type_from_name ("AdwToastWidget");

  if (toast_type != 0 && G_TYPE_CHECK_INSTANCE_TYPE (widget, toast_type) && gtk_widget_get_mapped (widget))
    in_toast = TRUE;
  if (in_toast && GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_toast_label (child, in_toast, text))
      return TRUE;
  return FALSE;
}

static gboolean
chain_toast_shown (gpointer data)
{
  return find_toast_label (GTK_WIDGET (the_window), FALSE, "Could not load chain 2");
}

static gboolean
recent_has (gpointer data)
{
  GMenuModel *menu = svd_window_get_recent_menu (the_window);
  const char *uri = data;

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                          G_VARIANT_TYPE_STRING);

      if (target != NULL && g_str_equal (g_variant_get_string (target, NULL), uri))
        return TRUE;
    }
  return FALSE;
}

static char *
write_garbage (const char *name,
               gsize       size)
{
  g_autofree guint8 *bytes = g_malloc (size);
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  g_file_set_contents (path, (const char *) bytes, size, &error);
  g_assert_no_error (error);
  return path;
}

static void
script (SvdApplication *app)
{
  g_autofree char *bad_clip = write_garbage ("damaged.mp4", 64 * 1024);
  g_autofree char *bad_model = NULL;
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_360p_10s_hevc_aac.mp4", NULL);
  g_autofree char *model = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  g_autofree char *clip_uri = g_filename_to_uri (clip, NULL, NULL);
  const char *chain1[] = { model, NULL };
  const char *chain2[] = { NULL, NULL };
  SvdSessionSetup setup = { 0 };
  GtkWindow *dialog;
  const char *body;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  {
    /* A real model cut short, as a failed copy leaves it. */
    g_autofree char *bytes = NULL;
    gsize size;
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_get_contents (model, &bytes, &size, &error));
    bad_model = g_build_filename (tmp_dir, "damaged.onnx", NULL);
    g_assert_true (g_file_set_contents (bad_model, bytes, size * 6 / 10, &error));
  }
  chain2[0] = bad_model;

  /* A damaged clip: a dialog, not a crash and not a toast that slips by. */
  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = bad_clip;
  svd_window_start_session (the_window, &setup);
  g_test_message ("waiting: %s", "dialog_shown");
  svd_gui_test_wait_until (dialog_shown, NULL);
  dialog = svd_gui_test_find_window (NULL, ADW_TYPE_MESSAGE_DIALOG);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_test_message ("dialog: %s — %s", adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), body);
  g_assert_nonnull (strstr (body, "damaged.mp4"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "open"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "open"), ==,
                   "_Open Another File…");
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "error-damaged-clip"));
  /* What the Close button does: respond, then close. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_close (dialog);
  g_test_message ("waiting: %s", "dialog_gone");
  svd_gui_test_wait_until (dialog_gone, NULL);
  g_assert_null (svd_window_get_session_info (the_window));
  {
    g_autofree char *bad_uri = g_filename_to_uri (bad_clip, NULL, NULL);

    g_assert_false (recent_has (bad_uri));
  }

  /* The window keeps working: a real clip opens and a chain runs on it. */
  setup.input_path = clip;
  svd_window_start_session (the_window, &setup);
  g_test_message ("waiting: %s", "session_open");
  svd_gui_test_wait_until (session_open, NULL);
  svd_window_set_chain_paths (the_window, 0, chain1);
  want_frame = 0;
  g_test_message ("waiting: %s", "chain_ran");
  svd_gui_test_wait_until (chain_ran, NULL);

  /* Opened, so it is in Open Recent. */
  g_test_message ("waiting: %s", "recent_has");
  svd_gui_test_wait_until (recent_has, clip_uri);

  /* A damaged model in chain 2: a toast; chain 1 keeps running. */
  svd_window_set_chain_paths (the_window, 1, chain2);
  g_test_message ("waiting: %s", "chain_toast_shown");
  svd_gui_test_wait_until (chain_toast_shown, NULL);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "error-damaged-model"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.next-frame", NULL));
  want_frame = 1;
  g_test_message ("waiting: %s", "chain_ran");
  svd_gui_test_wait_until (chain_ran, NULL);
  g_test_message ("after the damaged model: %s", svd_window_get_readout (the_window, 0));
  g_assert_null (strstr (svd_window_get_readout (the_window, 0), "failed"));
  g_assert_null (svd_window_get_readout (the_window, 1));

  /* Open Recent goes through the session setup. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.open-recent", "s", clip_uri));
  dialog = svd_gui_test_find_window (NULL, ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "error-open-recent-setup"));
  gtk_window_destroy (dialog);

  g_unlink (bad_clip);
  g_unlink (bad_model);
}

static void
test_errors (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();
  tmp_dir = g_dir_make_tmp ("svd-test-errors-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/gui/errors/damaged-clip-and-model", test_errors);

  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
