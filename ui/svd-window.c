/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "engine/svd-color.h"
#include "engine/svd-convert.h"
#include "media/svd-reader.h"

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

typedef struct {
  char         *path;
  char         *name;
  SvdImage     *frame;     /* RGBA8 */
  int           width;
  int           height;
  double        fps;
  gint64        n_frames;
  char         *codec;
} OpenJob;

static void
open_job_free (OpenJob *job)
{
  g_free (job->path);
  g_free (job->name);
  g_free (job->codec);
  g_clear_pointer (&job->frame, svd_image_unref);
  g_free (job);
}

/* Worker thread: probing and decoding never run on the main thread. The
 * reader lives and dies here, as FFmpeg contexts must stay on one thread. */
static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenJob *job = task_data;
  GError *error = NULL;
  SvdReaderOptions options;
  SvdReader *reader;
  const SvdVideoInfo *info;
  g_autoptr(SvdImage) decoded = NULL;
  g_autoptr(SvdImage) rgb = NULL;
  g_autoptr(SvdImage) rgba = NULL;

  svd_reader_options_init (&options);
  reader = svd_reader_open (job->path, &options, &error);
  if (reader == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  info = svd_reader_get_info (reader);
  job->width = info->width;
  job->height = info->height;
  job->fps = info->fps;
  job->n_frames = info->n_frames;
  job->codec = g_strdup (info->codec);

  decoded = svd_reader_seek_frame (reader, 0, &error);
  svd_reader_free (reader);
  if (decoded == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  rgb = svd_color_to_rgbf32_ref (decoded, &error);
  if (rgb != NULL)
    rgba = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, rgb->width, rgb->height, &error);
  if (rgba == NULL || !svd_convert_rgbf32_to_rgba8_ref (rgb, rgba, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  job->frame = g_steal_pointer (&rgba);
  g_task_return_boolean (task, TRUE);
}

static void
svd_window_open_done_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(SvdWindow) self = user_data;
  OpenJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  guint64 serial;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: the first %s is a file name, the second the reason */
      message = g_strdup_printf (_("Could not open “%s”: %s"), job->name, error->message);
      svd_window_show_toast (self, message);
      return;
    }

  /* A new clip replaces everything shown before it. */
  serial = ++self->serial;
  svd_viewer_clear (self->viewer);
  svd_viewer_begin_frame (self->viewer, serial);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_SOURCE, serial, job->frame);
  svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_SOURCE);
  svd_viewer_set_view_mode (self->viewer, SVD_VIEW_MODE_TOGGLE);
  gtk_stack_set_visible_child_name (self->main_stack, "viewer");

  /* Translators: a clip's file name, size, frame rate and codec, e.g.
   * "clip.mp4 — 1280×720, 24.00 fps, h264" */
  subtitle = g_strdup_printf (_("%s — %d×%d, %.2f fps, %s"), job->name, job->width, job->height,
                              job->fps, job->codec != NULL ? job->codec : "?");
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

/**
 * svd_window_open_file:
 * @self: a #SvdWindow
 * @file: the clip to open
 *
 * Opens @file on a worker thread and shows its first frame as the source.
 * Problems are reported in a toast, never fatal.
 */
void
svd_window_open_file (SvdWindow *self,
                      GFile     *file)
{
  g_autoptr(GTask) task = NULL;
  OpenJob *job;

  g_return_if_fail (SVD_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  svd_window_remember_file (self, file);

  job = g_new0 (OpenJob, 1);
  job->name = g_file_get_basename (file);
  job->path = g_file_get_path (file);
  if (job->path == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a file name */
      message = g_strdup_printf (_("Could not open “%s”: only local files can be opened"), job->name);
      svd_window_show_toast (self, message);
      open_job_free (job);
      return;
    }

  task = g_task_new (NULL, self->cancellable, svd_window_open_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, svd_window_open_file);
  g_task_set_task_data (task, job, (GDestroyNotify) open_job_free);
  g_task_run_in_thread (task, open_thread);
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
