/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's side of an export: which chain, the dialog, the progress
 * bar and Cancel under the viewer while the export runs (the comparison
 * goes on meanwhile), and the result in a toast that opens the file or
 * shows it in its folder. The export itself is the dialog's
 * (svd-export.c), through libsvd's restore job. */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "svd-export-private.h"
#include "svd-window-private.h"

static void
svd_window_forget_export_dialog (SvdWindow *self)
{
  if (self->export_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
  self->export_dialog = NULL;
}

/**
 * svd_window_export:
 * @self: a #SvdWindow
 *
 * Opens the export dialog on the chain the viewer shows (toggle) or
 * compares (the right side), else the first one; the dialog lists every
 * chain of the session to choose from. Says in a toast why when there is
 * nothing to export, or when an export runs already.
 *
 * Returns: (transfer none) (nullable): the dialog
 */
GtkWindow *
svd_window_export (SvdWindow *self)
{
  SvdExportDialog *dialog;
  int slot;
  guint chain;

  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  if (!self->session_open)
    {
      svd_window_show_toast (self, _("Open a clip and add a chain before exporting"));
      return NULL;
    }
  if (svd_window_is_exporting (self))
    {
      svd_window_show_toast (self, _("An export is running; cancel it or wait for it to finish"));
      return NULL;
    }
  slot = svd_viewer_get_view_mode (self->viewer) == SVD_VIEW_MODE_TOGGLE
         ? svd_viewer_get_shown_slot (self->viewer) : svd_viewer_get_right_slot (self->viewer);
  chain = slot >= SVD_VIEWER_SLOT_CHAIN_1 && slot < SVD_VIEWER_SLOT_CHAIN_1 + SVD_SESSION_MAX_CHAINS
          ? slot - SVD_VIEWER_SLOT_CHAIN_1 : 0;
  for (guint i = 0; self->chains[chain].chain == NULL && i < SVD_SESSION_MAX_CHAINS; i++)
    chain = i;
  if (self->chains[chain].chain == NULL)
    {
      svd_window_show_toast (self, _("Add a chain first: the export restores the clip with one of the chains"));
      return NULL;
    }
  dialog = svd_export_dialog_new (GTK_WINDOW (self), self->session_info.input_path,
                                  self->session_info.n_frames, chain + 1,
                                  self->chains[chain].chain);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (i != chain && self->chains[i].chain != NULL && self->chains[i].chain->steps->len > 0)
      svd_export_dialog_add_chain (dialog, i + 1, self->chains[i].chain);
  /* Synthesize mode restores the degraded cache, which has no audio and a
   * cache name: the export takes its audio from the clean clip, whose
   * timestamps it shares, and is named after it, beside it. */
  if (self->session_info.mode == SVD_REFERENCE_SYNTHESIZE && self->session_info.reference_path != NULL)
    {
      svd_export_dialog_set_audio_source (dialog, self->session_info.reference_path);
      svd_export_dialog_set_clip (dialog, self->session_info.reference_path);
    }
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}

static void
svd_window_export_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  svd_window_export (SVD_WINDOW (widget));
}

/**
 * svd_window_is_exporting:
 * @self: a #SvdWindow
 *
 * Returns: whether an export runs
 */
gboolean
svd_window_is_exporting (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->export_dialog != NULL &&
         svd_export_dialog_get_state (SVD_EXPORT_DIALOG (self->export_dialog)) == SVD_EXPORT_RUNNING;
}

/* The export bar under the viewer follows the running export. */
void
svd_window_export_progress (SvdWindow       *self,
                            SvdExportDialog *dialog,
                            double           fraction,
                            const char      *text)
{
  if (self->export_dialog != GTK_WIDGET (dialog))
    {
      svd_window_forget_export_dialog (self);
      self->export_dialog = GTK_WIDGET (dialog);
      g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->export_dialog);
    }
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->export_progress, CLAMP (fraction, 0, 1));
  else
    gtk_progress_bar_pulse (self->export_progress);
  if (text != NULL)
    {
      g_autofree char *label = NULL;

      /* Translators: the export's progress under the viewer, e.g.
       * "Exporting chain 2: Frame 10 of 120 · 3.1 fps" */
      label = g_strdup_printf (_("Exporting chain %u: %s"), svd_export_dialog_get_chain_number (dialog), text);
      gtk_label_set_text (self->export_label, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->export_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->export_revealer, TRUE);
}

/**
 * svd_window_get_export_toast:
 * @self: a #SvdWindow
 *
 * Returns: (transfer none) (nullable): the toast that says the last export
 *   is done, while it shows
 */
AdwToast *
svd_window_get_export_toast (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return self->export_toast;
}

/* The export is over: the bar goes, and a toast says how it went; a done
 * one opens the file or shows it in its folder. */
void
svd_window_export_finished (SvdWindow       *self,
                            SvdExportDialog *dialog,
                            SvdExportState   state,
                            const char      *message,
                            GFile           *output)
{
  AdwToast *toast;

  if (self->export_dialog == GTK_WIDGET (dialog))
    svd_window_forget_export_dialog (self);
  gtk_revealer_set_reveal_child (self->export_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->export_revealer), FALSE);
  if (state == SVD_EXPORT_FAILED)
    return;  /* the dialog comes back with the reason */
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, state == SVD_EXPORT_DONE ? 10 : 5);
  if (state == SVD_EXPORT_DONE && output != NULL)
    {
      g_autofree char *uri = g_file_get_uri (output);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (message);
      GtkWidget *folder = gtk_button_new_with_mnemonic (_("Show in _Folder"));

      /* libadwaita 1.2's toast has one button: "Open" is that one, "Show
       * in Folder" sits beside the title. */
      adw_toast_set_button_label (toast, _("_Open"));
      adw_toast_set_action_name (toast, "win.open-export");
      adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (folder, "flat");
      gtk_widget_set_valign (folder, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (folder), "win.show-export");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (folder), g_variant_new_string (uri));
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), folder);
      adw_toast_set_custom_title (toast, box);
    }
  if (self->export_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->export_toast), (gpointer *) &self->export_toast);
  self->export_toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *) &self->export_toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
svd_window_cancel_export_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  if (self->export_dialog != NULL)
    svd_export_dialog_cancel (SVD_EXPORT_DIALOG (self->export_dialog));
}

static void
svd_window_open_export_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAppLaunchContext) context = NULL;

  /* GTK 4.8 has no GtkFileLauncher. */
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (widget)));
  if (!g_app_info_launch_default_for_uri (g_variant_get_string (parameter, NULL), context, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the reason */
      message = g_strdup_printf (_("Could not open the exported clip: %s"), error->message);
      svd_window_show_toast (SVD_WINDOW (widget), message);
    }
}

typedef struct {
  SvdWindow *window;
  char      *uri;
} ShowInFolder;

static void
show_in_folder_free (ShowInFolder *show)
{
  g_clear_object (&show->window);
  g_free (show->uri);
  g_free (show);
}

/* No file manager answers ShowItems: open the folder itself. */
static void
show_in_folder_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ShowInFolder *show = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (show->uri);
      g_autoptr(GFile) folder = g_file_get_parent (file);
      g_autofree char *folder_uri = folder != NULL ? g_file_get_uri (folder) : NULL;
      g_autoptr(GError) launch_error = NULL;

      g_debug ("FileManager1.ShowItems: %s", error->message);
      if (folder_uri == NULL || !g_app_info_launch_default_for_uri (folder_uri, NULL, &launch_error))
        {
          g_autofree char *message = NULL;

          /* Translators: %s is the reason */
          message = g_strdup_printf (_("Could not show the exported clip in its folder: %s"),
                                     launch_error != NULL ? launch_error->message : error->message);
          svd_window_show_toast (show->window, message);
        }
    }
  show_in_folder_free (show);
}

static void
svd_window_show_export_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_application_get_dbus_connection (g_application_get_default ());
  const char *uris[] = { g_variant_get_string (parameter, NULL), NULL };
  ShowInFolder *show = g_new0 (ShowInFolder, 1);

  show->window = g_object_ref (SVD_WINDOW (widget));
  show->uri = g_strdup (uris[0]);
  if (bus == NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  else
    g_object_ref (bus);
  if (bus == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the reason */
      message = g_strdup_printf (_("Could not show the exported clip in its folder: %s"), error->message);
      svd_window_show_toast (show->window, message);
      show_in_folder_free (show);
      return;
    }
  /* The freedesktop file manager interface selects the file in its
   * folder (Nautilus, Dolphin, Nemo, …). */
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                          show_in_folder_done_cb, show);
  g_object_unref (bus);
}

void
svd_window_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, svd_window_export_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-export", NULL, svd_window_cancel_export_action);
  gtk_widget_class_install_action (widget_class, "win.open-export", "s", svd_window_open_export_action);
  gtk_widget_class_install_action (widget_class, "win.show-export", "s", svd_window_show_export_action);
}
