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
 * the worst frame of a chain (of the frames measured, or of the whole
 * clip once scanned), and the current frame's
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
      svd_window_go_clamped (self, (gint64) gtk_spin_button_get_value (spin) - 1);
    }
}

/* Frames are numbered from 1 here, as in the transport, the plot and the
 * export; the dialog states the range. */
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
  body = g_strdup_printf (_("Frame number, from 1 to %lld"), (long long) svd_window_last_index (self) + 1);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Go to Frame"), body));
  spin = gtk_spin_button_new_with_range (1, (double) svd_window_last_index (self) + 1, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) self->session_wanted + 1);
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

/* The chain the viewer compares (the right-hand picture, or Toggle's). */
static int
svd_window_compared_chain (SvdWindow *self)
{
  SvdViewer *viewer = svd_window_get_viewer (self);
  SvdViewerSlot slot = svd_viewer_get_view_mode (viewer) == SVD_VIEW_MODE_TOGGLE
                       ? svd_viewer_get_shown_slot (viewer) : svd_viewer_get_right_slot (viewer);

  return slot >= SVD_VIEWER_SLOT_CHAIN_1 ? (int) (slot - SVD_VIEWER_SLOT_CHAIN_1) : 0;
}

/**
 * svd_window_worst_frame:
 * @self: a #SvdWindow
 * @chain: 0 to 3, or -1 for the chain the viewer compares
 * @metric: a #SvdPlotMetric, or -1 for the plot's
 *
 * Goes to the frame with the lowest PSNR-Y or SSIM-Y of @chain among the
 * frames measured (the session keeps every frame's metrics). Until the
 * whole clip is measured a notification says of how many frames it is the
 * worst, and offers to scan the clip.
 *
 * Returns: the frame gone to, or -1 when nothing is measured
 */
gint64
svd_window_worst_frame (SvdWindow *self,
                        int        chain,
                        int        metric)
{
  gint64 index, measured, n_frames;
  SvdPlotMetric m;

  g_return_val_if_fail (SVD_IS_WINDOW (self), -1);

  if (chain < 0)
    chain = svd_window_compared_chain (self);
  if (chain >= SVD_PLOT_MAX_SERIES || self->session == NULL)
    return -1;
  m = metric < 0 ? svd_plot_get_metric (self->plot) : (SvdPlotMetric) metric;
  index = svd_session_get_worst (self->session, (guint) chain,
                                 m == SVD_PLOT_SSIM_Y ? SVD_SESSION_METRIC_SSIM_Y : SVD_SESSION_METRIC_PSNR_Y, NULL);
  if (index < 0)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return -1;
    }
  svd_window_go_clamped (self, index);
  measured = svd_session_get_n_measured (self->session, (guint) chain);
  n_frames = self->session_info.n_frames;
  if (measured < n_frames)
    {
      g_autofree char *title = NULL;
      AdwToast *toast;

      /* Translators: the worst frame was looked for among the frames
       * measured so far: how many of the clip's frames those are */
      title = g_strdup_printf (ngettext ("Worst of the %lld frame measured (of %lld)",
                                            "Worst of the %lld frames measured (of %lld)", (gulong) MIN (measured, G_MAXLONG)),
                               (long long) measured, (long long) n_frames);
      toast = adw_toast_new (title);
      if (!svd_session_is_scanning (self->session, NULL))
        {
          adw_toast_set_button_label (toast, _("Scan _Whole Clip"));
          adw_toast_set_action_name (toast, "win.scan-clip");
          adw_toast_set_action_target_value (toast, g_variant_new_int32 (chain));
        }
      adw_toast_set_timeout (toast, 8);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  return index;
}

/* The scan's progress: every frame joins the plot and the clip means. */
static void
svd_window_scan_cb (guint                  slot,
                    const SvdMetricsFrame *metrics,
                    gint64                 n_measured,
                    gint64                 n_frames,
                    gboolean               finished,
                    const GError          *error,
                    gpointer               user_data)
{
  SvdWindow *self = user_data;
  SvdWindowChain *chain = &self->chains[slot];
  g_autofree char *text = NULL;

  /* The clip means in the readout count the frame too. */
  if (metrics != NULL && svd_chain_stats_add_frame (&chain->stats, metrics))
    {
      svd_plot_add (self->plot, slot, metrics->frame_index, metrics->psnr_y, metrics->ssim_y);
      svd_window_refresh_readouts (self);
    }
  if (!finished)
    {
      /* Translators: the scan of the whole clip for the worst frame: the
       * chain's number, the frames measured, the clip's frames */
      text = g_strdup_printf (_("Measuring every frame of chain %u: %lld of %lld"), slot + 1,
                              (long long) n_measured, (long long) n_frames);
      gtk_label_set_text (self->scan_label, text);
      gtk_progress_bar_set_fraction (self->scan_progress, n_frames > 0 ? (double) n_measured / n_frames : 0);
      return;
    }
  gtk_revealer_set_reveal_child (self->scan_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->scan_revealer), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-scan", FALSE);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: the scan of the whole clip stopped: the chain's
     * number and why */
    text = g_strdup_printf (_("Could not measure every frame of chain %u: %s"), slot + 1, error->message);
  else if (error == NULL)
    /* Translators: the scan of the whole clip is over; J now finds the
     * worst of all frames */
    text = g_strdup_printf (ngettext ("Chain %u: %lld frame measured; J goes to the worst",
                                         "Chain %u: all %lld frames measured; J goes to the worst",
                                         (gulong) MIN (n_measured, G_MAXLONG)),
                            slot + 1, (long long) n_measured);
  if (text != NULL)
    svd_window_show_toast (self, text);
  g_object_notify (G_OBJECT (self), "scanning");
}

/**
 * svd_window_scan_clip:
 * @self: a #SvdWindow
 * @chain: 0 to 3, or -1 for the chain the viewer compares
 *
 * Measures every frame of the clip through @chain in the background (the
 * session's scan), so that the worst frame is the worst of the clip. Its
 * progress shows under the picture; #SvdWindow:scanning is %TRUE until it
 * ends.
 *
 * Returns: whether the scan started
 */
gboolean
svd_window_scan_clip (SvdWindow *self,
                      int        chain)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  if (chain < 0)
    chain = svd_window_compared_chain (self);
  if (self->session == NULL || chain >= SVD_SESSION_MAX_CHAINS || self->chains[chain].chain == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return FALSE;
    }
  gtk_label_set_text (self->scan_label, "");
  gtk_progress_bar_set_fraction (self->scan_progress, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->scan_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->scan_revealer, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-scan", TRUE);
  if (!svd_session_scan (self->session, (guint) chain, svd_window_scan_cb, &error))
    {
      gtk_revealer_set_reveal_child (self->scan_revealer, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->scan_revealer), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-scan", FALSE);
      svd_window_show_toast (self, error->message);
      return FALSE;
    }
  g_object_notify (G_OBJECT (self), "scanning");
  return TRUE;
}

/**
 * svd_window_is_scanning:
 * @self: a #SvdWindow
 *
 * Returns: whether a scan of the whole clip runs
 */
gboolean
svd_window_is_scanning (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->session != NULL && svd_session_is_scanning (self->session, NULL);
}

void
svd_window_cancel_scan (SvdWindow *self)
{
  g_return_if_fail (SVD_IS_WINDOW (self));

  if (self->session != NULL)
    svd_session_cancel_scan (self->session);
}

static void
scan_clip_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  svd_window_scan_clip (SVD_WINDOW (widget), g_variant_get_int32 (parameter));
}

static void
cancel_scan_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  svd_window_cancel_scan (SVD_WINDOW (widget));
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
 * frame (numbered from 1, as the transport shows it), e.g.
 * `clip-frame000042-chain1.png`.
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
      base = g_strdup_printf ("%s-frame%06" G_GINT64_FORMAT "-%s.png", stem, self->session_shown + 1, names[slot]);
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
          g_autofree char *text = g_strdup_printf (ngettext ("Saved %u image to “%s”",
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
  gtk_widget_class_install_action (widget_class, "win.scan-clip", "i", scan_clip_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-scan", NULL, cancel_scan_action);
  gtk_widget_class_install_action (widget_class, "win.save-frame-pair", NULL, save_frame_pair_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-frame-pair", NULL);
}
