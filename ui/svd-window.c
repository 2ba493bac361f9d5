/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "engine/svd-color.h"
#include "engine/svd-convert.h"
#include "media/svd-reader.h"
#include "session/svd-worker.h"

#include "svd-demo.h"
#include "svd-ui-enums.h"
#include "svd-viewer.h"
#include "svd-window.h"

struct _SvdWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwWindowTitle       *window_title;
  SvdViewer            *viewer;

  GSettings            *settings;
  GtkNativeDialog      *open_dialog;
  GCancellable         *cancellable;
  guint64               serial;

  /* The open clip, if any. */
  SvdWorker            *clip_worker;
  char                 *clip_name;
  char                 *clip_codec;
  int                   clip_width;
  int                   clip_height;
  double                clip_fps;
  gint64                clip_n_frames;
  gint64                clip_shown;
  gint64                clip_wanted;
  gboolean              clip_shown_any;
};

G_DEFINE_FINAL_TYPE (SvdWindow, svd_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_VIEW_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * svd_window_new:
 * @application: the #SvdApplication that owns the window
 *
 * Returns: (transfer none): a new window, owned by @application
 */
SvdWindow *
svd_window_new (SvdApplication *application)
{
  g_return_val_if_fail (SVD_IS_APPLICATION (application), NULL);

  return g_object_new (SVD_TYPE_WINDOW,
                       "application", application,
                       "settings", svd_application_get_settings (application),
                       NULL);
}

/**
 * svd_window_show_toast:
 * @self: a #SvdWindow
 * @message: the text, already translated
 *
 * Shows a recoverable problem or a short notice without interrupting work.
 */
void
svd_window_show_toast (SvdWindow  *self,
                       const char *message)
{
  AdwToast *toast;

  g_return_if_fail (SVD_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
svd_window_remember_file (SvdWindow *self,
                          GFile     *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  if (self->settings == NULL)
    return;

  /* Newest first, no duplicates, at most ten entries. */
  old = g_settings_get_strv (self->settings, "recent-files");
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, uri);
  for (guint i = 0; old[i] != NULL && n < 10; i++)
    {
      if (g_str_equal (old[i], uri))
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) updated);
}

/* A clip's worker owns its SvdReader: FFmpeg contexts stay on the thread
 * that made them. Jobs seek to one frame and return it as RGBA8; the GUI
 * keeps only the newest request (stepping invalidates older ones). */

typedef struct {
  SvdImage *frame;      /* RGBA8, frame_index set */
  guint64   viewer_serial;
  int       width;
  int       height;
  double    fps;
  gint64    n_frames;
  char     *codec;
} FrameResult;

static void
frame_result_free (gpointer data)
{
  FrameResult *result = data;

  g_clear_pointer (&result->frame, svd_image_unref);
  g_free (result->codec);
  g_free (result);
}

typedef struct {
  guint64    viewer_serial;
  gint64     index;
} FrameRequest;

static gpointer
clip_reader_init (gpointer   init_data,
                  GError   **error)
{
  SvdReaderOptions options;

  svd_reader_options_init (&options);

  return svd_reader_open (init_data, &options, error);
}

static void
clip_reader_fini (gpointer state)
{
  if (state != NULL)
    svd_reader_free (state);
}

static gpointer
clip_seek_job (SvdWorker     *worker,
               gpointer       state,
               gpointer       job_data,
               GCancellable  *cancellable,
               GError       **error)
{
  SvdReader *reader = state;
  FrameRequest *request = job_data;
  const SvdVideoInfo *info = svd_reader_get_info (reader);
  g_autoptr(SvdImage) decoded = NULL;
  g_autoptr(SvdImage) rgb = NULL;
  g_autoptr(SvdImage) rgba = NULL;
  FrameResult *result;

  decoded = svd_reader_seek_frame (reader, request->index, error);
  if (decoded == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  rgb = svd_color_to_rgbf32_ref (decoded, error);
  if (rgb == NULL)
    return NULL;
  rgba = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, rgb->width, rgb->height, error);
  if (rgba == NULL || !svd_convert_rgbf32_to_rgba8_ref (rgb, rgba, error))
    return NULL;
  rgba->frame_index = decoded->frame_index;
  rgba->pts = decoded->pts;

  result = g_new0 (FrameResult, 1);
  result->frame = g_steal_pointer (&rgba);
  result->viewer_serial = request->viewer_serial;
  result->width = info->width;
  result->height = info->height;
  result->fps = info->fps;
  result->n_frames = info->n_frames;
  result->codec = g_strdup (info->codec);

  return result;
}

static void
svd_window_update_subtitle (SvdWindow *self)
{
  g_autofree char *subtitle = NULL;

  if (self->clip_name == NULL)
    return;

  if (self->clip_n_frames > 0)
    /* Translators: a clip's file name, the frame shown (1-based), the
     * number of frames, size, frame rate and codec, e.g.
     * "clip.mp4 — frame 6 of 125 — 1280×720, 25.00 fps, h264" */
    subtitle = g_strdup_printf (_("%s — frame %lld of %lld — %d×%d, %.2f fps, %s"),
                                self->clip_name, (long long) self->clip_shown + 1, (long long) self->clip_n_frames,
                                self->clip_width, self->clip_height, self->clip_fps,
                                self->clip_codec != NULL ? self->clip_codec : "?");
  else
    /* Translators: as above, for a clip whose length is unknown */
    subtitle = g_strdup_printf (_("%s — frame %lld — %d×%d, %.2f fps, %s"),
                                self->clip_name, (long long) self->clip_shown + 1,
                                self->clip_width, self->clip_height, self->clip_fps,
                                self->clip_codec != NULL ? self->clip_codec : "?");
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
clip_frame_done_cb (guint64       serial,
                    gpointer      data,
                    const GError *error,
                    gpointer      user_data)
{
  /* The worker is freed in dispose and then delivers nothing more, so the
   * window outlives every call of this. */
  SvdWindow *self = user_data;
  FrameResult *result = data;

  if (result == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: the first %s is a file name, the second the reason */
      message = g_strdup_printf (_("Could not open “%s”: %s"), self->clip_name, error->message);
      svd_window_show_toast (self, message);
      return;
    }

  /* The first frame of a new clip replaces what was shown before it. */
  if (!self->clip_shown_any)
    {
      svd_viewer_clear (self->viewer);
      svd_viewer_set_view_mode (self->viewer, SVD_VIEW_MODE_TOGGLE);
      gtk_stack_set_visible_child_name (self->main_stack, "viewer");
      gtk_widget_grab_focus (GTK_WIDGET (self->viewer));
      self->clip_shown_any = TRUE;
    }

  self->clip_width = result->width;
  self->clip_height = result->height;
  self->clip_fps = result->fps;
  self->clip_n_frames = result->n_frames;
  g_free (self->clip_codec);
  self->clip_codec = g_strdup (result->codec);
  self->clip_shown = result->frame->frame_index;

  if (svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_SOURCE, result->viewer_serial, result->frame))
    svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_SOURCE);
  svd_window_update_subtitle (self);
  frame_result_free (result);
}

/**
 * svd_window_go_to_frame:
 * @self: a #SvdWindow
 * @index: the frame to show, 0-based; clamped to the clip
 *
 * Asks the clip's worker for frame @index. Requests made before are
 * dropped, so holding an arrow key never piles up work and a late frame
 * never replaces a newer one.
 */
void
svd_window_go_to_frame (SvdWindow *self,
                        gint64     index)
{
  g_autoptr(GError) error = NULL;
  FrameRequest *request;

  g_return_if_fail (SVD_IS_WINDOW (self));

  if (self->clip_worker == NULL)
    return;

  if (self->clip_n_frames > 0)
    index = MIN (index, self->clip_n_frames - 1);
  index = MAX (index, 0);
  self->clip_wanted = index;

  request = g_new0 (FrameRequest, 1);
  request->viewer_serial = ++self->serial;
  request->index = index;
  svd_viewer_begin_frame (self->viewer, request->viewer_serial);

  svd_worker_invalidate (self->clip_worker);
  if (svd_worker_submit (self->clip_worker, 1, clip_seek_job, request, g_free,
                         frame_result_free, clip_frame_done_cb, self, &error) == 0)
    g_warning ("Could not ask for frame %" G_GINT64_FORMAT ": %s", index, error->message);
}

/**
 * svd_window_get_shown_frame:
 * @self: a #SvdWindow
 *
 * Returns: the index of the clip frame on screen, or -1 without a clip
 */
gint64
svd_window_get_shown_frame (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), -1);

  return self->clip_worker != NULL && self->clip_shown_any ? self->clip_shown : -1;
}

static void
svd_window_close_clip (SvdWindow *self)
{
  /* Joins the thread and frees the reader there; undelivered results are
   * discarded. */
  g_clear_pointer (&self->clip_worker, svd_worker_free);
  g_clear_pointer (&self->clip_name, g_free);
  g_clear_pointer (&self->clip_codec, g_free);
  self->clip_shown_any = FALSE;
  self->clip_n_frames = 0;
  self->clip_shown = 0;
  self->clip_wanted = 0;
}

static void
svd_window_step_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  int delta = g_str_equal (action_name, "win.next-frame") ? 1 : -1;

  /* Step from the frame last asked for, so quick presses add up. */
  svd_window_go_to_frame (self, self->clip_wanted + delta);
}

static void
svd_window_go_to_frame_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  svd_window_go_to_frame (SVD_WINDOW (widget), g_variant_get_int64 (parameter));
}

/**
 * svd_window_open_file:
 * @self: a #SvdWindow
 * @file: the clip to open
 *
 * Opens @file on its own worker thread and shows its first frame as the
 * source. Problems are reported in a toast, never fatal.
 */
void
svd_window_open_file (SvdWindow *self,
                      GFile     *file)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (SVD_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  name = g_file_get_basename (file);
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a file name */
      message = g_strdup_printf (_("Could not open “%s”: only local files can be opened"), name);
      svd_window_show_toast (self, message);
      return;
    }

  svd_window_remember_file (self, file);
  svd_window_close_clip (self);
  self->clip_name = g_steal_pointer (&name);
  /* Opening (probing the container, finding the stream) is the worker's
   * init, so even a slow network mount never blocks the window. */
  self->clip_worker = svd_worker_new ("svd-clip", NULL, 2,
                                      clip_reader_init, g_steal_pointer (&path),
                                      clip_reader_fini);
  svd_window_go_to_frame (self, 0);
}

static void
svd_window_open_response_cb (GtkNativeDialog *dialog,
                             int              response,
                             gpointer         user_data)
{
  SvdWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        svd_window_open_file (self, file);
    }

  g_clear_object (&self->open_dialog);
}

static void
svd_window_open_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) video_filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all_filter = gtk_file_filter_new ();

  if (self->open_dialog != NULL)
    {
      gtk_native_dialog_show (self->open_dialog);
      return;
    }

  /* GTK 4.8 has no GtkFileDialog; the native chooser uses the portal when
   * there is one. */
  native = gtk_file_chooser_native_new (_("Open Clip"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"),
                                        _("_Cancel"));
  gtk_file_filter_set_name (video_filter, _("Video Clips"));
  gtk_file_filter_add_mime_type (video_filter, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), video_filter);
  gtk_file_filter_set_name (all_filter, _("All Files"));
  gtk_file_filter_add_pattern (all_filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all_filter);

  self->open_dialog = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_set_modal (self->open_dialog, TRUE);
  g_signal_connect (native, "response", G_CALLBACK (svd_window_open_response_cb), self);
  gtk_native_dialog_show (self->open_dialog);
}

static void
svd_window_demo_ready_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(SvdWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdDemoFrames) frames = svd_demo_render_finish (result, &error);
  g_autofree char *message = NULL;
  guint64 serial;

  if (frames == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not prepare the demo: %s"), error->message);
      svd_window_show_toast (self, message);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      return;
    }

  serial = ++self->serial;
  svd_viewer_begin_frame (self->viewer, serial);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_REFERENCE, serial, frames->reference);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_SOURCE, serial, frames->source);
  svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_DIFFERENCE, SVD_VIEWER_SLOT_SOURCE, serial, frames->difference);
  svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_SSIM, SVD_VIEWER_SLOT_SOURCE, serial, frames->ssim);
  adw_window_title_set_subtitle (self->window_title,
                                 _("Built-in demo: a half-size, block-quantized source against its reference"));
}

/**
 * svd_window_show_demo:
 * @self: a #SvdWindow
 *
 * Shows the built-in demo comparison, drawn and degraded on a worker thread
 * so the window appears at once.
 */
void
svd_window_show_demo (SvdWindow *self)
{
  g_return_if_fail (SVD_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->main_stack, "viewer");
  gtk_widget_grab_focus (GTK_WIDGET (self->viewer));
  svd_demo_render_async (1280, 720, self->cancellable,
                         svd_window_demo_ready_cb, g_object_ref (self));
}

/**
 * svd_window_get_viewer:
 * @self: a #SvdWindow
 *
 * Returns: (transfer none): the window's comparison viewer
 */
SvdViewer *
svd_window_get_viewer (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return self->viewer;
}

static void
svd_window_zoom_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  if (g_str_equal (action_name, "win.zoom-in"))
    svd_viewer_zoom_in (self->viewer);
  else if (g_str_equal (action_name, "win.zoom-out"))
    svd_viewer_zoom_out (self->viewer);
  else if (g_str_equal (action_name, "win.zoom-original"))
    svd_viewer_set_zoom (self->viewer, 1.0);
  else
    svd_viewer_set_zoom (self->viewer, 0);
}

static void
svd_window_viewer_mode_cb (SvdWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_MODE]);
}

static void
svd_window_restore_state (SvdWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
svd_window_save_state (SvdWindow *self)
{
  int width, height;
  gboolean maximized;

  if (self->settings == NULL)
    return;

  maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  /* Keep the unmaximized size so un-maximizing next time feels right. */
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
svd_window_close_request (GtkWindow *window)
{
  svd_window_save_state (SVD_WINDOW (window));

  return GTK_WINDOW_CLASS (svd_window_parent_class)->close_request (window);
}

static void
svd_window_constructed (GObject *object)
{
  SvdWindow *self = SVD_WINDOW (object);

  G_OBJECT_CLASS (svd_window_parent_class)->constructed (object);

  /* "settings" is construct-only, so it is set by now; "application" is
   * not, which is why the settings do not come from there. */
  svd_window_restore_state (self);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "view-mode", self->viewer, "view-mode", G_SETTINGS_BIND_DEFAULT);
}

static void
svd_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SvdWindow *self = SVD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_VIEW_MODE:
      /* The mode buttons ask for the action state while the template is
       * still being built, before the viewer is bound. */
      g_value_set_enum (value, self->viewer != NULL ? svd_viewer_get_view_mode (self->viewer) : SVD_VIEW_MODE_SLIDER);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
svd_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SvdWindow *self = SVD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_VIEW_MODE:
      if (self->viewer != NULL)
        svd_viewer_set_view_mode (self->viewer, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
svd_window_dispose (GObject *object)
{
  SvdWindow *self = SVD_WINDOW (object);

  if (self->open_dialog != NULL)
    gtk_native_dialog_destroy (self->open_dialog);
  g_clear_object (&self->open_dialog);
  g_clear_object (&self->settings);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  svd_window_close_clip (self);

  G_OBJECT_CLASS (svd_window_parent_class)->dispose (object);
}

static void
svd_window_class_init (SvdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = svd_window_constructed;
  object_class->dispose = svd_window_dispose;
  object_class->get_property = svd_window_get_property;
  object_class->set_property = svd_window_set_property;
  window_class->close_request = svd_window_close_request;

  /**
   * SvdWindow:settings: (nullable)
   *
   * The app's settings, or %NULL when the schema is not installed.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  /**
   * SvdWindow:view-mode:
   *
   * The viewer's mode, here so that "win.view-mode" can be a stateful
   * action for the mode buttons outside the viewer.
   */
  properties[PROP_VIEW_MODE] =
    g_param_spec_enum ("view-mode", NULL, NULL,
                       SVD_TYPE_VIEW_MODE, SVD_VIEW_MODE_SLIDER,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/svdstudio/SvdStudio/svd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, viewer);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, svd_window_open_action);
  gtk_widget_class_install_property_action (widget_class, "win.view-mode", "view-mode");
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-original", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.next-frame", NULL, svd_window_step_action);
  gtk_widget_class_install_action (widget_class, "win.previous-frame", NULL, svd_window_step_action);
  gtk_widget_class_install_action (widget_class, "win.go-to-frame", "x", svd_window_go_to_frame_action);
}

static void
svd_window_init (SvdWindow *self)
{
  g_type_ensure (SVD_TYPE_VIEWER);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  g_signal_connect_object (self->viewer, "notify::view-mode",
                           G_CALLBACK (svd_window_viewer_mode_cb), self, G_CONNECT_SWAPPED);
}
