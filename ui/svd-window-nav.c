/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "core/svd-error.h"
#include "core/svd-png.h"
#include "svd-plot-private.h"
#include "svd-viewer-private.h"
#include "svd-window-private.h"

/* Frame navigation as video-compare's users expect it, and saving what is
 * on screen: first and last frame, ± N frames, go to a frame (Ctrl+G),
 * the worst frame measured so far of a chain, and the current frame's
 * images as PNG files. The keys are the viewer's (svd-viewer.c); these
 * are the window actions they name. */

static gint64
svd_window_last_index (SvdWindow *self)
{
  return MAX (self->session_info.n_frames - 1, 0);
}

static void
svd_window_go_clamped (SvdWindow *self,
                       gint64     index)
{
  if (self->session == NULL)
    return;
  svd_window_go_to_frame (self, CLAMP (index, 0, svd_window_last_index (self)));
}

/* i: frames to step, e.g. ±10 (Page Up/Down), from the frame last asked
 * for so quick presses add up. */
static void
step_frames_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  svd_window_go_clamped (self, self->session_wanted + g_variant_get_int32 (parameter));
}

static void
last_frame_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  svd_window_go_clamped (self, svd_window_last_index (self));
}

static void
go_to_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SvdWindow        *self)
{
  GtkSpinButton *spin = g_object_get_data (G_OBJECT (dialog), "spin");

  if (g_str_equal (response, "go"))
    {
      gtk_spin_button_update (spin);
      svd_window_go_clamped (self, (gint64) gtk_spin_button_get_value (spin));
    }
}

/* Frames are numbered from 0 here as in the plot, `svd compare --frames`
 * and the export; the dialog states the range. */
static void
go_to_frame_dialog_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *spin;
  g_autofree char *body = NULL;

  if (self->session == NULL)
    return;
  /* Translators: the Go to Frame dialog; %lld is the last frame's number */
  body = g_strdup_printf (_("Frame number, from 0 to %lld"), (long long) svd_window_last_index (self));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Go to Frame"), body));
  spin = gtk_spin_button_new_with_range (0, (double) svd_window_last_index (self), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) self->session_wanted);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Frame number"), -1);
  adw_message_dialog_set_extra_child (dialog, spin);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "go", _("_Go"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "go", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "go");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "spin", spin);
  g_signal_connect (dialog, "response", G_CALLBACK (go_to_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (spin);
}

/**
 * svd_window_worst_frame:
 * @self: a #SvdWindow
 * @chain: 0 to 3, or -1 for the chain the viewer compares
 * @metric: a #SvdPlotMetric, or -1 for the plot's
 *
 * Goes to the frame with the lowest PSNR-Y or SSIM-Y of @chain among the
 * frames measured so far (those the plot shows).
 *
 * Returns: the frame gone to, or -1 when nothing is measured
 */
gint64
svd_window_worst_frame (SvdWindow *self,
                        int        chain,
                        int        metric)
{
  gint64 index;

  g_return_val_if_fail (SVD_IS_WINDOW (self), -1);

  if (chain < 0)
    {
      SvdViewer *viewer = svd_window_get_viewer (self);
      SvdViewerSlot slot = svd_viewer_get_view_mode (viewer) == SVD_VIEW_MODE_TOGGLE
                           ? svd_viewer_get_shown_slot (viewer) : svd_viewer_get_right_slot (viewer);

      chain = slot >= SVD_VIEWER_SLOT_CHAIN_1 ? (int) (slot - SVD_VIEWER_SLOT_CHAIN_1) : 0;
    }
  if (chain >= SVD_PLOT_MAX_SERIES)
    return -1;
  index = svd_plot_get_worst (self->plot, chain, metric < 0 ? svd_plot_get_metric (self->plot) : (SvdPlotMetric) metric);
  if (index < 0)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return -1;
    }
  svd_window_go_clamped (self, index);
  return index;
}

/* (ii): the chain (0–3, -1: the one compared) and the metric (an
 * SvdPlotMetric, -1: the plot's). */
static void
worst_frame_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  int chain, metric;

  g_variant_get (parameter, "(ii)", &chain, &metric);
  svd_window_worst_frame (SVD_WINDOW (widget), chain, metric);
}

/**
 * svd_window_save_frame_pair:
 * @self: a #SvdWindow
 * @folder: where the files go
 * @error: return location for an error
 *
 * Saves the shown frame's images (reference, source and each chain's
 * output that is on hand) as 8-bit PNG files named after the clip and the
 * frame, e.g. `clip-frame000042-chain1.png`.
 *
 * Returns: (transfer full): the paths written, or %NULL on error
 */
GPtrArray *
svd_window_save_frame_pair (SvdWindow   *self,
                            const char  *folder,
                            GError     **error)
{
  static const char *const names[SVD_VIEWER_N_SLOTS] = {
    "reference", "source", "chain1", "chain2", "chain3", "chain4",
  };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  SvdViewer *viewer = svd_window_get_viewer (self);
  g_autofree char *stem = NULL;
  const char *dot;

  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  if (self->session == NULL || !self->session_shown_any)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, _("No frame is shown"));
      return NULL;
    }
  stem = g_path_get_basename (self->clip_name != NULL ? self->clip_name : "frame");
  dot = strrchr (stem, '.');
  if (dot != NULL && dot != stem)
    stem[dot - stem] = '\0';
  for (int slot = 0; slot < SVD_VIEWER_N_SLOTS; slot++)
    {
      SvdImage *image = svd_viewer_get_image (viewer, slot);
      g_autofree char *base = NULL;
      g_autofree char *path = NULL;

      if (image == NULL)
        continue;
      base = g_strdup_printf ("%s-frame%06" G_GINT64_FORMAT "-%s.png", stem, self->session_shown, names[slot]);
      path = g_build_filename (folder, base, NULL);
      if (!svd_png_save (image, path, 8, error))
        return NULL;
      g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  if (paths->len == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, _("No frame is shown"));
      return NULL;
    }
  return g_steal_pointer (&paths);
}

static void
save_folder_response_cb (GtkNativeDialog *dialog,
                         int              response,
                         SvdWindow       *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *folder = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) paths = NULL;

      if (folder == NULL)
        svd_window_show_toast (self, _("Only local folders can be chosen"));
      else if ((paths = svd_window_save_frame_pair (self, folder, &error)) == NULL)
        svd_window_show_toast (self, error->message);
      else
        {
          g_autofree char *name = g_path_get_basename (folder);
          /* Translators: %u is a number of PNG files, %s a folder's name */
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved %u image to “%s”",
                                                                "Saved %u images to “%s”", paths->len),
                                                   paths->len, name);

          svd_window_show_toast (self, text);
        }
    }
  g_object_unref (dialog);
}

static void
save_frame_pair_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->session == NULL || !self->session_shown_any)
    {
      svd_window_show_toast (self, _("No frame is shown"));
      return;
    }
  chooser = gtk_file_chooser_native_new (_("Save Frame Images To"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Save"), _("_Cancel"));
  g_signal_connect (chooser, "response", G_CALLBACK (save_folder_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
svd_window_nav_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.step-frames", "i", step_frames_action);
  gtk_widget_class_install_action (widget_class, "win.last-frame", NULL, last_frame_action);
  gtk_widget_class_install_action (widget_class, "win.go-to-frame-dialog", NULL, go_to_frame_dialog_action);
  gtk_widget_class_install_action (widget_class, "win.worst-frame", "(ii)", worst_frame_action);
  gtk_widget_class_install_action (widget_class, "win.save-frame-pair", NULL, save_frame_pair_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-frame-pair", NULL);
}
