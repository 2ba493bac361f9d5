/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "engine/svd-color.h"
#include "media/svd-degrade.h"
#include "media/svd-reader.h"
#include "session/svd-worker.h"

#include "svd-chain-editor.h"
#include "svd-demo.h"
#include "svd-export.h"
#include "svd-matrix-window.h"
#include "svd-plot.h"
#include "svd-preferences.h"
#include "svd-readout.h"
#include "svd-session.h"
#include "svd-setup.h"
#include "svd-ui-enums.h"
#include "svd-viewer.h"
#include "svd-window.h"
#include "svd-app-settings.h"

struct _SvdWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwWindowTitle       *window_title;
  SvdViewer            *viewer;
  GtkWidget            *session_box;
  GtkWidget            *play_button;
  GtkScale             *seek_scale;
  GtkInscription       *speed_label;
  GtkInscription       *position_label;
  GtkWidget            *readout_box;
  SvdReadout           *readouts[SVD_SESSION_MAX_CHAINS];
  /* What each readout's cell widths were computed for (clip length, stage
   * count), so they are worked out again only when that changes. */
  gint64                readout_sized_frames[SVD_SESSION_MAX_CHAINS];
  int                   readout_sized_stages[SVD_SESSION_MAX_CHAINS];

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

  /* The comparison session, if any (replaces the plain clip above). */
  SvdSession           *session;
  SvdSessionInfo        session_info;
  gboolean              session_open;
  gint64                session_wanted;
  gint64                session_shown;
  gboolean              session_shown_any;
  gboolean              playing;
  guint                 play_source;
  gint64                last_shown_us;
  double                shown_fps;
  gulong                seek_handler;
  gboolean              chain_selected;
  gint64                longest_update_us;
  guint                 chain_generation[SVD_SESSION_MAX_CHAINS];
  SvdMetricsAccumulator *averages[SVD_SESSION_MAX_CHAINS];
  GHashTable           *averaged[SVD_SESSION_MAX_CHAINS];
  GStrv                 chain_paths[SVD_SESSION_MAX_CHAINS];
  SvdPlot              *plot;
  GtkDropDown          *plot_metric;
  gboolean              demo_pending;        /* the demo clip is being made */
  gboolean              demo_chain_pending;  /* set chain 1 once it opens */

  /* Live DISTS: computed after the frame's PSNR/SSIM, possibly for an
   * older frame during playback. */
  SvdSessionChainFrame  last_chain[SVD_SESSION_MAX_CHAINS]; /* no images */
  gboolean              dists_has[SVD_SESSION_MAX_CHAINS];
  gint64                dists_index[SVD_SESSION_MAX_CHAINS];
  double                dists_value[SVD_SESSION_MAX_CHAINS];
  double                dists_sum[SVD_SESSION_MAX_CHAINS];
  guint                 dists_n[SVD_SESSION_MAX_CHAINS];
  GHashTable           *dists_done[SVD_SESSION_MAX_CHAINS];
  char                 *dists_error;
  gint64                dists_next_us;
  double                dists_last_ms;
  gint64                dists_longest_lag;
  /* Preferences' metric variants; the session gets the DISTS one. */
  SvdDistsMode          dists_mode;
  gboolean              psnr_of_mean_mse;

  GMenu                *recent_section;     /* Open Recent, from GtkRecentManager */
  gulong                recent_handler;
  char                 *session_uri;        /* the clip the session was started on */
  char                 *last_chain_error[SVD_SESSION_MAX_CHAINS];
};

#define SVD_RECENT_GROUP "svd-studio"
#define SVD_RECENT_MAX 10

G_DEFINE_FINAL_TYPE (SvdWindow, svd_window, ADW_TYPE_APPLICATION_WINDOW)

static void svd_window_close_session   (SvdWindow *self);
static void svd_window_reset_averages  (SvdWindow *self,
                                        guint      slot);
static void svd_window_session_request (SvdWindow *self,
                                        gint64     index,
                                        gboolean   seek);

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
svd_window_open_failed_response_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    SvdWindow        *self)
{
  if (g_strcmp0 (response, "open") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open", NULL);
}

/* A clip that cannot be opened blocks what the user asked for, so it gets
 * a dialog (not a toast) that says what failed and what to do next. */
static void
svd_window_show_open_error (SvdWindow  *self,
                            const char *name,
                            const char *reason)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Open the Clip"), NULL);
  /* Translators: the first %s is a file name, the second the reason */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” could not be opened or decoded: %s\n\n"
                                    "The file may be damaged, incomplete, or not a video FFmpeg can read. "
                                    "Open another file, or repair or convert this one (for example with "
                                    "“ffmpeg -i damaged.mp4 -c:v libx264 fixed.mp4”) and open the result."),
                                  name != NULL ? name : "?", reason);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "open", _("_Open Another File…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "open");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (svd_window_open_failed_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gint
recent_info_newest_first (gconstpointer a,
                          gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified ((GtkRecentInfo *) a);
  GDateTime *tb = gtk_recent_info_get_modified ((GtkRecentInfo *) b);

  return g_date_time_compare (tb, ta);
}

/* "Open Recent" lists the clips this app opened (its own group in the
 * shared recent-files store), newest first, only those still there. */
static void
svd_window_update_recent (SvdWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  guint n = 0;

  g_menu_remove_all (self->recent_section);
  items = g_list_sort (items, recent_info_newest_first);
  for (GList *l = items; l != NULL && n < SVD_RECENT_MAX; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GMenuItem) item = NULL;

      if (!gtk_recent_info_has_group (info, SVD_RECENT_GROUP) || !gtk_recent_info_is_local (info) ||
          !gtk_recent_info_exists (info))
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_section, item);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
svd_window_add_recent (SvdWindow  *self,
                       const char *uri)
{
  static const char *groups[] = { SVD_RECENT_GROUP, NULL };
  GtkRecentData data = { 0 };
  g_autofree char *mime = NULL;
  g_autofree char *path = g_filename_from_uri (uri, NULL, NULL);

  mime = path != NULL ? g_content_type_guess (path, NULL, 0, NULL) : NULL;
  data.mime_type = mime != NULL ? mime : (char *) "application/octet-stream";
  data.app_name = (char *) g_get_application_name ();
  data.app_exec = (char *) "svd-studio %u";
  data.groups = (char **) groups;
  if (!gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data))
    g_debug ("Could not add %s to the recent files", uri);
}

/**
 * svd_window_get_recent_menu:
 * @self: a #SvdWindow
 *
 * Returns: (transfer none): the items of the Open Recent menu
 */
GMenuModel *
svd_window_get_recent_menu (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return G_MENU_MODEL (self->recent_section);
}

static void
svd_window_open_recent_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  svd_window_set_up_session (SVD_WINDOW (widget), file);
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
  /* The path svd_window_open_file() handed over; ours to free. */
  g_autofree char *path = init_data;
  SvdReaderOptions options;

  svd_reader_options_init (&options);

  return svd_reader_open (path, &options, error);
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
  g_autoptr(SvdFrameConverter) converter = NULL;
  g_autoptr(SvdImage) rgba = NULL;
  FrameResult *result;

  decoded = svd_reader_seek_frame (reader, request->index, error);
  if (decoded == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* One still before any session (and its OpenCL device) exists: the C
   * twins, through the converter the session uses. */
  converter = svd_frame_converter_new (NULL, error);
  if (converter == NULL || !svd_frame_converter_convert (converter, decoded, NULL, &rgba, error))
    return NULL;

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
  g_autofree char *subtitle = NULL, *position = NULL;

  if (self->clip_name == NULL)
    return;

  /* The frame number changes with every frame: it has a fixed-size place
   * of its own beside the seek bar, so the header bar is not laid out
   * again for each frame. */
  /* Translators: a clip's file name, size, frame rate and codec, e.g.
   * "clip.mp4 — 1280×720, 25.00 fps, h264" */
  subtitle = g_strdup_printf (_("%s — %d×%d, %.2f fps, %s"), self->clip_name, self->clip_width,
                              self->clip_height, self->clip_fps, self->clip_codec != NULL ? self->clip_codec : "?");
  if (g_strcmp0 (adw_window_title_get_subtitle (self->window_title), subtitle) != 0)
    adw_window_title_set_subtitle (self->window_title, subtitle);
  if (self->clip_n_frames > 0)
    /* Translators: the frame shown (1-based) and the number of frames */
    position = g_strdup_printf (_("Frame %lld of %lld"), (long long) self->clip_shown + 1,
                                (long long) self->clip_n_frames);
  else
    /* Translators: the frame shown (1-based), of a clip whose length is unknown */
    position = g_strdup_printf (_("Frame %lld"), (long long) self->clip_shown + 1);
  gtk_inscription_set_text (self->position_label, position);
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
      if (!self->clip_shown_any)
        {
          svd_window_show_open_error (self, self->clip_name, error->message);
          return;
        }
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

/* Playing or paused, and the play button's icon with it: playback also
 * stops on a seek, a step, a frame error and at the end of the clip. */
static void
svd_window_set_playing (SvdWindow *self,
                        gboolean   playing)
{
  self->playing = playing;
  if (self->play_button != NULL)  /* NULL once disposed */
    gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                              playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
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

  if (self->session != NULL)
    {
      svd_window_set_playing (self, FALSE);
      g_clear_handle_id (&self->play_source, g_source_remove);
      svd_window_session_request (self, index, TRUE);
      return;
    }
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

  if (self->session != NULL)
    return self->session_shown_any ? self->session_shown : -1;
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
  svd_window_go_to_frame (self, (self->session != NULL ? self->session_wanted : self->clip_wanted) + delta);
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
  self->demo_pending = FALSE;

  svd_window_remember_file (self, file);
  svd_window_close_session (self);
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
svd_window_setup_done_cb (const SvdSessionSetup *setup,
                          gpointer               user_data)
{
  SvdWindow *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (setup->input_path);

  svd_window_remember_file (self, file);
  svd_window_start_session (self, setup);
}

/**
 * svd_window_set_up_session:
 * @self: a #SvdWindow
 * @file: the clip the user chose
 *
 * Asks how to compare @file (Synthesize, Pair or None), then starts the
 * session.
 */
void
svd_window_set_up_session (SvdWindow *self,
                           GFile     *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (SVD_IS_WINDOW (self));

  self->demo_pending = FALSE;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      svd_window_open_file (self, file);  /* says why in a toast */
      return;
    }
  svd_setup_dialog_new (GTK_WINDOW (self), file, svd_window_setup_done_cb, self);
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
        svd_window_set_up_session (self, file);
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

  if (self->session != NULL || self->clip_worker != NULL)
    return;  /* something real is open already */
  serial = ++self->serial;
  svd_viewer_begin_frame (self->viewer, serial);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_REFERENCE, serial, frames->reference);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_SOURCE, serial, frames->source);
  svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_DIFFERENCE, SVD_VIEWER_SLOT_SOURCE, serial, frames->difference);
  svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_SSIM, SVD_VIEWER_SLOT_SOURCE, serial, frames->ssim);
  adw_window_title_set_subtitle (self->window_title,
                                 _("Built-in demo: a half-size, block-quantized source against its reference"));
}

/* The project's own models, when the lead has shipped them. */
static GStrv
svd_window_find_shipped_models (void)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  g_ptr_array_add (dirs, svd_model_library_shipped_dir ());
  for (guint i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (dirs, g_build_filename (data_dirs[i], "svd-studio", "models", NULL));
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *one = g_build_filename (dirs->pdata[i], "svd-super-1x.safetensors", NULL);
      g_autofree char *two = g_build_filename (dirs->pdata[i], "svd-super-2x.safetensors", NULL);
      g_autoptr(GStrvBuilder) builder = NULL;

      if (!g_file_test (two, G_FILE_TEST_IS_REGULAR))
        continue;
      builder = g_strv_builder_new ();
      /* The 1x model cleans the artefacts, the 2x one restores the size. */
      if (g_file_test (one, G_FILE_TEST_IS_REGULAR))
        g_strv_builder_add (builder, one);
      g_strv_builder_add (builder, two);
      return g_strv_builder_end (builder);
    }
  return NULL;
}

static void
svd_window_apply_demo_chain (SvdWindow *self)
{
  g_auto(GStrv) models = svd_window_find_shipped_models ();

  self->demo_chain_pending = FALSE;
  if (models != NULL)
    {
      svd_window_set_chain_paths (self, 0, (const char * const *) models);
      svd_window_show_toast (self, _("Demo: chain 1 runs the project’s own models"));
    }
  else
    {
      SvdEngineStep step = { NULL, SVD_RESIZE_BICUBIC, 2 };

      svd_session_set_chain (self->session, 0, &step, 1);
      svd_window_reset_averages (self, 0);
      svd_window_session_request (self, self->session_wanted, TRUE);
      svd_window_show_toast (self, _("Demo: chain 1 is a bicubic 2× baseline; the project’s models are not installed"));
    }
  /* For the install test (tests/cli/test-install.sh): which chain the demo
   * got, then quit, without a timeout to guess. */
  if (g_getenv ("SVD_EXIT_AFTER_DEMO") != NULL)
    {
      g_autofree char *chain = models != NULL ? g_strjoinv (",", models) : g_strdup ("builtin:bicubic:2");

      g_print ("demo chain 1: %s\n", chain);
      g_application_quit (g_application_get_default ());
    }
}

static void
svd_window_demo_clip_ready_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(SvdWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = svd_demo_clip_finish (result, &error);
  SvdSessionSetup setup = { 0 };

  if (!self->demo_pending)
    return;  /* the user opened something meanwhile */
  self->demo_pending = FALSE;
  if (path == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s is the reason */
      message = g_strdup_printf (_("Could not make the demo clip: %s"), error->message);
      svd_window_show_toast (self, message);
      return;
    }
  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = path;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  setup.degrade.crf = 34;
  svd_window_start_session (self, &setup);
  g_free (self->clip_name);
  self->clip_name = g_strdup (_("Demo clip drawn by SVD Studio"));
  self->demo_chain_pending = TRUE;
}

/**
 * svd_window_is_demo_pending:
 * @self: a #SvdWindow
 *
 * Returns: whether the demo session is still being prepared
 */
gboolean
svd_window_is_demo_pending (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->demo_pending || self->demo_chain_pending;
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
  /* The still frame shows at once; the demo session follows when its clip
   * is drawn and encoded (once per user, then cached). SVD_DEMO=still keeps
   * the still frame alone, for tests that compare its pixels. */
  if (g_strcmp0 (g_getenv ("SVD_DEMO"), "still") != 0)
    {
      self->demo_pending = TRUE;
      svd_demo_clip_async (640, 360, 48, self->cancellable,
                           svd_window_demo_clip_ready_cb, g_object_ref (self));
    }
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

/* ---- Comparison session ------------------------------------------------ */

static void
svd_window_session_info_clear (SvdSessionInfo *info)
{
  g_clear_pointer (&info->input_path, g_free);
  g_clear_pointer (&info->reference_path, g_free);
  g_clear_pointer (&info->codec, g_free);
  g_clear_pointer (&info->summary, g_free);
  g_clear_pointer (&info->metrics_device, g_free);
  g_clear_pointer (&info->dists_unavailable, g_free);
}

static void
svd_window_reset_averages (SvdWindow *self,
                           guint      slot)
{
  g_clear_pointer (&self->averages[slot], svd_metrics_accumulator_free);
  g_clear_pointer (&self->averaged[slot], g_hash_table_unref);
  self->averages[slot] = svd_metrics_accumulator_new ();
  /* Owns its keys (g_new'd frame indices): they leaked on every reset. */
  self->averaged[slot] = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  svd_plot_clear (self->plot, slot);
  g_clear_pointer (&self->dists_done[slot], g_hash_table_unref);
  self->dists_done[slot] = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->dists_has[slot] = FALSE;
  self->dists_sum[slot] = 0;
  self->dists_n[slot] = 0;
}

static void
svd_window_forget_chain_frame (SvdSessionChainFrame *c)
{
  g_clear_pointer (&c->error, g_free);
  g_clear_pointer (&c->metrics_problem, g_free);
  memset (c, 0, sizeof *c);
}

static void
svd_window_close_session (SvdWindow *self)
{
  g_clear_handle_id (&self->play_source, g_source_remove);
  svd_window_set_playing (self, FALSE);
  /* Joins the worker: engines, readers and runner are freed on it. */
  g_clear_pointer (&self->session, svd_session_free);
  svd_window_session_info_clear (&self->session_info);
  self->session_open = FALSE;
  self->session_shown_any = FALSE;
  self->chain_selected = FALSE;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      g_clear_pointer (&self->averages[i], svd_metrics_accumulator_free);
      g_clear_pointer (&self->averaged[i], g_hash_table_unref);
      g_clear_pointer (&self->chain_paths[i], g_strfreev);
      g_clear_pointer (&self->dists_done[i], g_hash_table_unref);
      svd_window_forget_chain_frame (&self->last_chain[i]);
      self->dists_has[i] = FALSE;
    }
  g_clear_pointer (&self->dists_error, g_free);
  self->dists_next_us = 0;
  self->dists_last_ms = 0;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    g_clear_pointer (&self->last_chain_error[i], g_free);
}

static gboolean
svd_window_wants_overlays (SvdWindow *self)
{
  SvdViewMode mode = svd_viewer_get_view_mode (self->viewer);

  return mode == SVD_VIEW_MODE_DIFFERENCE || mode == SVD_VIEW_MODE_SSIM;
}

static void
svd_window_session_request (SvdWindow *self,
                            gint64     index,
                            gboolean   seek)
{
  guint64 serial;

  if (self->session == NULL || !self->session_open)
    return;
  if (self->session_info.n_frames > 0)
    index = MIN (index, self->session_info.n_frames - 1);
  index = MAX (index, 0);
  self->session_wanted = index;
  serial = ++self->serial;
  if (seek)
    svd_viewer_begin_frame (self->viewer, serial);
  svd_session_request (self->session, index, serial, seek, svd_window_wants_overlays (self));
}

static void
svd_window_format_psnr (char   *buf,
                        gsize   size,
                        double  v)
{
  if (isinf (v))
    /* Translators: PSNR of identical images */
    g_strlcpy (buf, _("∞ (identical)"), size);
  else
    /* Translators: a PSNR value in decibels */
    g_snprintf (buf, size, _("%.2f dB"), v);
}

/* The DISTS cell: the shown frame's value, an older frame's (saying how far
 * behind), "computing…", or why there is none. */
static char *
svd_window_dists_text (SvdDistsMode mode,
                       gboolean     has,
                       gint64       index,
                       double       value,
                       gint64       frame_index)
{
  if (has && index == frame_index)
    /* Translators: the DISTS variant (e.g. short256) and its value */
    return g_strdup_printf (_("DISTS (%s) %.4f"), svd_dists_mode_name (mode), value);
  if (has && index < frame_index)
    /* Translators: DISTS of an older frame than the one shown: the
     * variant, that frame's number, how many frames behind, the value */
    return g_strdup_printf (_("DISTS (%s, frame %lld, %lld behind) %.4f"),
                            svd_dists_mode_name (mode), (long long) index + 1,
                            (long long) (frame_index - index), value);
  /* Translators: DISTS of the shown frame is not ready yet */
  return g_strdup_printf (_("DISTS (%s) computing…"), svd_dists_mode_name (mode));
}

/* The clip PSNR is one of the two aggregates `svd metrics` prints, named
 * as it names them: tools disagree on which one "average PSNR" means. */
static char *
svd_window_mean_text (gboolean of_mean_mse,
                      guint    n_frames,
                      double   psnr_y,
                      double   ssim_y)
{
  char a[64];

  svd_window_format_psnr (a, sizeof a, psnr_y);
  if (of_mean_mse)
    /* Translators: running clip values over the frames seen so far: the
     * PSNR of their mean squared error (what FFmpeg prints as "average")
     * and their mean SSIM */
    return g_strdup_printf (_("clip of %u frames: PSNR-Y of the mean MSE %s, mean SSIM-Y %.4f"),
                            n_frames, a, ssim_y);
  /* Translators: running means over the frames seen so far */
  return g_strdup_printf (_("clip mean of %u frames: PSNR-Y %s, SSIM-Y %.4f"), n_frames, a, ssim_y);
}

/* The longer of two texts (in characters); frees the other. */
static char *
svd_window_longer_text (char *a,
                        char *b)
{
  if (g_utf8_strlen (a, -1) >= g_utf8_strlen (b, -1))
    {
      g_free (b);
      return a;
    }
  g_free (a);
  return b;
}

static char *
svd_window_mean_dists_text (double dists,
                            guint  n_frames)
{
  /* Translators: the mean DISTS and over how many frames it was computed
   * (it lags during playback, so often fewer) */
  return g_strdup_printf (_("mean DISTS %.4f over %u frames"), dists, n_frames);
}

/* The chain's time for the frame and each stage's; without @stage_ms, the
 * widest such text for @n_stages stages. */
static char *
svd_window_time_text (double        wall_ms,
                      int           n_stages,
                      const double *stage_ms)
{
  GString *text = g_string_new (NULL);

  /* Translators: milliseconds the chain took for this frame */
  g_string_append_printf (text, _("%.1f ms"), wall_ms);
  for (int i = 0; i < n_stages; i++)
    /* Translators: a stage's number and its device time */
    g_string_append_printf (text, _(", stage %d %.1f ms"), i + 1, stage_ms != NULL ? stage_ms[i] : 9999.9);
  return g_string_free (text, FALSE);
}

/* Each cell is as wide as the widest text it can show for this clip and
 * chain, so values never resize it (see svd-readout.c). */
static void
svd_window_size_readout (SvdWindow *self,
                         guint      slot,
                         int        n_stages)
{
  SvdReadout *r = self->readouts[slot];
  gint64 n = MAX (self->session_info.n_frames, 999);
  char a[64], b[64];
  g_autofree char *title = NULL, *psnr_rgb = NULL, *psnr_y = NULL, *ssim = NULL;
  g_autofree char *dists = NULL, *mean = NULL, *mean_d = NULL, *time = NULL;

  if (self->readout_sized_frames[slot] == n && self->readout_sized_stages[slot] == n_stages)
    return;
  self->readout_sized_frames[slot] = n;
  self->readout_sized_stages[slot] = n_stages;

  svd_window_format_psnr (a, sizeof a, 199.99);
  svd_window_format_psnr (b, sizeof b, INFINITY);
  /* Translators: the chain's number, 1 to 4 */
  title = g_strdup_printf (_("Chain %u"), slot + 1);
  /* Translators: the PSNR over R, G and B of the shown frame */
  psnr_rgb = g_strdup_printf (_("PSNR-RGB %s"), strlen (a) > strlen (b) ? a : b);
  /* Translators: the PSNR of the luma (BT.601 Y) of the shown frame */
  psnr_y = g_strdup_printf (_("PSNR-Y (BT.601) %s"), strlen (a) > strlen (b) ? a : b);
  /* Translators: the SSIM of the shown frame */
  ssim = g_strdup_printf (_("SSIM-Y (Gaussian σ 1.5) %.4f"), -0.9999);
  /* Every variant, so that changing it in Preferences keeps the widths. */
  dists = svd_window_longer_text (svd_window_longer_text (svd_window_dists_text (SVD_DISTS_FULL, TRUE, 0, 9.9999, n),
                                                          svd_window_dists_text (SVD_DISTS_FULL, FALSE, 0, 0, n)),
                                  svd_window_longer_text (svd_window_dists_text (SVD_DISTS_SHORT256, TRUE, 0, 9.9999, n),
                                                          svd_window_dists_text (SVD_DISTS_SHORT256, FALSE, 0, 0, n)));
  mean = svd_window_longer_text (svd_window_mean_text (FALSE, (guint) n, 199.99, -0.9999),
                                 svd_window_mean_text (TRUE, (guint) n, 199.99, -0.9999));
  mean_d = svd_window_mean_dists_text (9.9999, (guint) n);
  time = svd_window_time_text (9999.9, n_stages, NULL);

  svd_readout_set_cell_width (r, SVD_READOUT_TITLE, title);
  svd_readout_set_cell_width (r, SVD_READOUT_PSNR_RGB, psnr_rgb);
  svd_readout_set_cell_width (r, SVD_READOUT_PSNR_Y, psnr_y);
  svd_readout_set_cell_width (r, SVD_READOUT_SSIM, ssim);
  svd_readout_set_cell_width (r, SVD_READOUT_DISTS, dists);
  svd_readout_set_cell_width (r, SVD_READOUT_MEAN, mean);
  svd_readout_set_cell_width (r, SVD_READOUT_MEAN_DISTS, mean_d);
  svd_readout_set_cell_width (r, SVD_READOUT_TIME, time);
}

/* Fills a chain's readout for the frame @c: each metric labelled with its
 * variant, the running clip means and the chain's timings. */
static void
svd_window_update_readout (SvdWindow                  *self,
                           guint                       slot,
                           const SvdSessionChainFrame *c)
{
  SvdReadout *r = self->readouts[slot];
  g_autofree char *title = NULL, *message = NULL, *time = NULL;
  char a[64];

  svd_window_size_readout (self, slot, c->timings.n_stages);
  /* Translators: the chain's number, 1 to 4 */
  title = g_strdup_printf (_("Chain %u"), slot + 1);
  svd_readout_set_cell (r, SVD_READOUT_TITLE, title);
  if (c->error != NULL)
    {
      for (guint i = SVD_READOUT_PSNR_RGB; i < SVD_READOUT_N_CELLS; i++)
        svd_readout_set_cell (r, i, NULL);
      /* Translators: %s says why the chain could not run */
      message = g_strdup_printf (_("failed: %s"), c->error);
      svd_readout_set_message (r, message);
      return;
    }
  if (c->has_metrics)
    {
      SvdMetricsSummary sum;
      g_autofree char *psnr_rgb = NULL, *psnr_y = NULL, *ssim = NULL, *dists = NULL;
      g_autofree char *mean = NULL, *mean_d = NULL;

      svd_window_format_psnr (a, sizeof a, c->metrics.psnr_rgb);
      /* Translators: the PSNR over R, G and B of the shown frame */
      psnr_rgb = g_strdup_printf (_("PSNR-RGB %s"), a);
      svd_window_format_psnr (a, sizeof a, c->metrics.psnr_y);
      /* Translators: the PSNR of the luma (BT.601 Y) of the shown frame */
      psnr_y = g_strdup_printf (_("PSNR-Y (BT.601) %s"), a);
      if (c->metrics.has_ssim)
        /* Translators: the SSIM of the shown frame */
        ssim = g_strdup_printf (_("SSIM-Y (Gaussian σ 1.5) %.4f"), c->metrics.ssim_y);
      if (self->session_info.dists_unavailable != NULL)
        /* Translators: %s says why, e.g. which weight files are missing */
        message = g_strdup_printf (_("DISTS unavailable: %s"), self->session_info.dists_unavailable);
      else if (self->dists_error != NULL)
        /* Translators: %s says why DISTS could not be computed */
        message = g_strdup_printf (_("DISTS failed: %s"), self->dists_error);
      else
        dists = svd_window_dists_text (self->dists_mode, self->dists_has[slot], self->dists_index[slot],
                                       self->dists_value[slot], c->metrics.frame_index);
      svd_metrics_accumulator_get (self->averages[slot], &sum);
      if (sum.n_frames > 0)
        mean = svd_window_mean_text (self->psnr_of_mean_mse, sum.n_frames,
                                     self->psnr_of_mean_mse ? sum.psnr_y_of_mean_mse : sum.psnr_y_mean,
                                     sum.ssim_y_mean);
      if (sum.n_frames > 0 && self->dists_n[slot] > 0)
        mean_d = svd_window_mean_dists_text (self->dists_sum[slot] / self->dists_n[slot], self->dists_n[slot]);
      svd_readout_set_cell (r, SVD_READOUT_PSNR_RGB, psnr_rgb);
      svd_readout_set_cell (r, SVD_READOUT_PSNR_Y, psnr_y);
      svd_readout_set_cell (r, SVD_READOUT_SSIM, ssim);
      svd_readout_set_cell (r, SVD_READOUT_DISTS, dists);
      svd_readout_set_cell (r, SVD_READOUT_MEAN, mean);
      svd_readout_set_cell (r, SVD_READOUT_MEAN_DISTS, mean_d);
    }
  else
    {
      for (guint i = SVD_READOUT_PSNR_RGB; i <= SVD_READOUT_MEAN_DISTS; i++)
        svd_readout_set_cell (r, i, NULL);
      if (c->metrics_problem != NULL)
        /* Translators: %s says why there are no metrics (e.g. sizes differ) */
        message = g_strdup_printf (_("no metrics: %s"), c->metrics_problem);
      else
        message = g_strdup (_("no metrics without a reference"));
    }
  time = svd_window_time_text (c->wall_ms, c->timings.n_stages, c->timings.stage_ms);
  svd_readout_set_cell (r, SVD_READOUT_TIME, time);
  svd_readout_set_message (r, message);
}

static gboolean svd_window_play_tick (gpointer user_data);

/* DISTS costs far more than a frame: when paused it always catches up to
 * the shown frame; during playback it lags and the readout says by how
 * much. */
static void
svd_window_maybe_request_dists (SvdWindow *self)
{
  if (self->session == NULL || self->session_info.dists_unavailable != NULL || self->dists_error != NULL)
    return;
  if (self->playing)
    {
      double period_ms = self->session_info.fps > 0 ? 1000.0 / self->session_info.fps : 40.0;

      /* DISTS has its own thread but shares the device (here, the CPU
       * cores) with the chains: during playback it runs only where it is
       * cheap (at most two frame times, as on a GPU) and then at most a
       * quarter of the time; otherwise it waits for the pause. */
      if (self->dists_last_ms > 2 * period_ms || g_get_monotonic_time () < self->dists_next_us)
        return;
    }
  svd_session_request_dists (self->session);
}

static void
svd_window_dists_cb (SvdSessionDists *dists,
                     gpointer         user_data)
{
  SvdWindow *self = user_data;

  if (dists->error != NULL && self->dists_error == NULL)
    {
      g_autofree char *message = NULL;
      const char *reason = dists->error;

      /* The readout already says "DISTS". */
      if (g_str_has_prefix (reason, "DISTS is unavailable: "))
        reason += strlen ("DISTS is unavailable: ");
      self->dists_error = g_strndup (reason, strcspn (reason, "\n"));
      /* Translators: %s says why DISTS could not be computed */
      message = g_strdup_printf (_("DISTS is off for this session: %s"), self->dists_error);
      svd_window_show_toast (self, message);
    }
  /* Values of the variant used before Preferences changed it are dropped. */
  if (dists->index >= 0 && dists->index <= self->session_shown && dists->mode == self->dists_mode)
    {
      self->dists_next_us = g_get_monotonic_time () + (gint64) (3000 * dists->compute_ms);
      self->dists_last_ms = dists->compute_ms;
      self->dists_longest_lag = MAX (self->dists_longest_lag, self->session_shown - dists->index);
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        {
          if (!dists->has_dists[i])
            continue;
          self->dists_has[i] = TRUE;
          self->dists_index[i] = dists->index;
          self->dists_value[i] = dists->dists[i];
          if (self->dists_done[i] != NULL && !g_hash_table_contains (self->dists_done[i], &dists->index))
            {
              g_hash_table_add (self->dists_done[i], g_memdup2 (&dists->index, sizeof dists->index));
              self->dists_sum[i] += dists->dists[i];
              self->dists_n[i]++;
            }
        }
    }
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (self->last_chain[i].active && gtk_widget_get_visible (GTK_WIDGET (self->readouts[i])))
      svd_window_update_readout (self, i, &self->last_chain[i]);
  /* Paused on a newer frame than this result: catch up. */
  if (!self->playing && dists->index >= 0 && dists->index < self->session_shown)
    svd_window_maybe_request_dists (self);
  svd_session_dists_free (dists);
}

/* Playback speed against the clip's, or when paused what the frame cost. */
static char *
svd_window_speed_text (gboolean playing,
                       double   shown_fps,
                       double   clip_fps,
                       double   compute_ms)
{
  if (playing)
    /* Translators: playback speed against the clip's frame rate, then
     * whether that is real time */
    return g_strdup_printf (_("%.1f of %.2f fps — %s"), shown_fps, clip_fps,
                            shown_fps >= clip_fps * 0.98 ? _("real time") : _("slower than real time"));
  /* Translators: the time one frame took against the clip's frame time */
  return g_strdup_printf (_("compute %.0f ms per frame (real time needs %.0f ms)"), compute_ms,
                          clip_fps > 0 ? 1000.0 / clip_fps : 0.0);
}

static void
svd_window_session_frame_cb (SvdSessionFrame *frame,
                             const GError    *error,
                             gpointer         user_data)
{
  SvdWindow *self = user_data;
  guint64 serial;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *speed = NULL;

  if (frame == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %lld is a frame number, %s the reason */
      message = g_strdup_printf (_("Could not show frame %lld: %s"), (long long) self->session_wanted + 1,
                                 error->message);
      svd_window_show_toast (self, message);
      svd_window_set_playing (self, FALSE);
      return;
    }

  serial = frame->viewer_serial;
  /* During playback frames are not begun by a seek: start each here so the
   * viewer swaps every slot at once. */
  if (serial > svd_viewer_get_serial (self->viewer))
    svd_viewer_begin_frame (self->viewer, serial);
  if (frame->reference != NULL)
    svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_REFERENCE, serial, frame->reference);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_SOURCE, serial, frame->source);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      SvdSessionChainFrame *c = &frame->chains[i];
      g_autofree char *text = NULL;

      if (!c->active)
        {
          gtk_widget_set_visible (GTK_WIDGET (self->readouts[i]), FALSE);
          continue;
        }
      if (c->display != NULL &&
          svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_CHAIN_1 + i, serial, c->display) &&
          !self->chain_selected)
        {
          /* The first restored frame: compare it against the reference. */
          self->chain_selected = TRUE;
          if (frame->reference != NULL)
            svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_REFERENCE);
          svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_CHAIN_1 + i);
        }
      if (c->difference != NULL)
        svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_DIFFERENCE, SVD_VIEWER_SLOT_CHAIN_1 + i,
                                serial, c->difference);
      if (c->ssim_map != NULL)
        svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_SSIM, SVD_VIEWER_SLOT_CHAIN_1 + i,
                                serial, c->ssim_map);
      if (c->has_metrics && self->averages[i] != NULL &&
          !g_hash_table_contains (self->averaged[i], &frame->index))
        {
          gint64 *key = g_new (gint64, 1);

          *key = frame->index;
          g_hash_table_add (self->averaged[i], key);
          svd_metrics_accumulator_add (self->averages[i], &c->metrics);
          svd_plot_add (self->plot, i, frame->index, c->metrics.psnr_y, c->metrics.ssim_y);
        }
      if (c->error != NULL && g_strcmp0 (c->error, self->last_chain_error[i]) != 0)
        {
          g_autofree char *message = NULL;

          /* Translators: %u is the chain's number, %s the reason; the
           * other chains keep running */
          message = g_strdup_printf (_("Chain %u failed: %s"), i + 1, c->error);
          svd_window_show_toast (self, message);
        }
      g_free (self->last_chain_error[i]);
      self->last_chain_error[i] = g_strdup (c->error);
      svd_window_forget_chain_frame (&self->last_chain[i]);
      self->last_chain[i] = *c;
      self->last_chain[i].error = g_strdup (c->error);
      self->last_chain[i].metrics_problem = g_strdup (c->metrics_problem);
      self->last_chain[i].display = self->last_chain[i].difference = self->last_chain[i].ssim_map = NULL;
      svd_window_update_readout (self, i, c);
      gtk_widget_set_visible (GTK_WIDGET (self->readouts[i]), TRUE);
    }

  if (!self->session_shown_any)
    {
      svd_viewer_set_view_mode (self->viewer, SVD_VIEW_MODE_SLIDER);
      gtk_widget_grab_focus (GTK_WIDGET (self->viewer));
      self->session_shown_any = TRUE;
    }
  self->session_shown = frame->index;
  svd_plot_set_current (self->plot, frame->index);
  self->clip_shown = frame->index;
  self->clip_shown_any = TRUE;

  g_signal_handler_block (self->seek_scale, self->seek_handler);
  gtk_range_set_value (GTK_RANGE (self->seek_scale), frame->index);
  g_signal_handler_unblock (self->seek_scale, self->seek_handler);

  if (self->last_shown_us > 0 && self->playing)
    {
      double fps = 1e6 / MAX (1, now - self->last_shown_us);

      self->shown_fps = self->shown_fps > 0 ? 0.8 * self->shown_fps + 0.2 * fps : fps;
    }
  self->last_shown_us = now;
  speed = svd_window_speed_text (self->playing, self->shown_fps, self->session_info.fps, frame->compute_ms);
  gtk_inscription_set_text (self->speed_label, speed);
  svd_window_update_subtitle (self);

  if (self->playing && self->play_source == 0)
    {
      /* As fast as compute allows, but never faster than the clip. */
      double period_ms = self->session_info.fps > 0 ? 1000.0 / self->session_info.fps : 40.0;
      double spent_ms = frame->compute_ms;
      guint delay = spent_ms >= period_ms ? 0 : (guint) (period_ms - spent_ms);

      if (self->session_info.n_frames > 0 && frame->index + 1 >= self->session_info.n_frames)
        svd_window_set_playing (self, FALSE);
      else
        self->play_source = g_timeout_add (delay, svd_window_play_tick, self);
    }
  svd_session_frame_free (frame);
  svd_window_maybe_request_dists (self);
  self->longest_update_us = MAX (self->longest_update_us, g_get_monotonic_time () - now);
}

static gboolean
svd_window_play_tick (gpointer user_data)
{
  SvdWindow *self = user_data;

  self->play_source = 0;
  if (self->playing)
    svd_window_session_request (self, self->session_shown + 1, FALSE);
  return G_SOURCE_REMOVE;
}

static void
svd_window_session_progress_cb (double      fraction,
                                const char *text,
                                gpointer    user_data)
{
  SvdWindow *self = user_data;
  g_autofree char *subtitle = NULL;

  if (fraction >= 0)
    /* Translators: Synthesize mode encodes the degraded input first */
    subtitle = g_strdup_printf (_("Making the degraded input: %.0f %%"), fraction * 100.0);
  else
    subtitle = g_strdup (_("Making the degraded input…"));
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
svd_window_session_opened_cb (const SvdSessionInfo *info,
                              const GError         *error,
                              gpointer              user_data)
{
  SvdWindow *self = user_data;

  if (info == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The session stays until the next open replaces it (it is freed
       * outside its own callback); the window goes back to its start page. */
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      adw_window_title_set_subtitle (self->window_title, NULL);
      if (self->demo_chain_pending)
        {
          self->demo_chain_pending = FALSE;
          /* Translators: %s is the reason */
          message = g_strdup_printf (_("Could not start the session: %s"), error->message);
          svd_window_show_toast (self, message);
          return;
        }
      svd_window_show_open_error (self, self->clip_name, error->message);
      return;
    }
  if (self->session_uri != NULL && !self->demo_chain_pending)
    svd_window_add_recent (self, self->session_uri);

  svd_window_session_info_clear (&self->session_info);
  self->session_info = *info;
  self->session_info.input_path = g_strdup (info->input_path);
  self->session_info.reference_path = g_strdup (info->reference_path);
  self->session_info.codec = g_strdup (info->codec);
  self->session_info.summary = g_strdup (info->summary);
  self->session_info.metrics_device = g_strdup (info->metrics_device);
  if (info->dists_unavailable != NULL)
    {
      /* The library's message lists every place it looked; the readout
       * keeps its first line (the tooltip has it all). */
      const char *reason = info->dists_unavailable;

      if (g_str_has_prefix (reason, "DISTS is unavailable: "))
        reason += strlen ("DISTS is unavailable: ");
      self->session_info.dists_unavailable = g_strndup (reason, strcspn (reason, "\n"));
      if (g_str_has_suffix (self->session_info.dists_unavailable, " Looked in:"))
        self->session_info.dists_unavailable[strlen (self->session_info.dists_unavailable) -
                                             strlen (" Looked in:")] = '\0';
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->readouts[i]), info->dists_unavailable);
    }
  self->session_open = TRUE;
  if (self->demo_chain_pending)
    svd_window_apply_demo_chain (self);

  self->clip_width = info->width;
  self->clip_height = info->height;
  self->clip_fps = info->fps;
  self->clip_n_frames = info->n_frames;
  g_free (self->clip_codec);
  self->clip_codec = g_strdup (info->codec);

  gtk_range_set_range (GTK_RANGE (self->seek_scale), 0, MAX (1, info->n_frames - 1));
  svd_plot_set_n_frames (self->plot, info->n_frames);
  gtk_range_set_increments (GTK_RANGE (self->seek_scale), 1, 10);
  gtk_widget_set_visible (self->session_box, TRUE);
  svd_window_session_request (self, self->session_wanted, TRUE);
}

/* The environment first (tests and the CLI use it), then Preferences. */
static void
svd_window_engine_settings (SvdWindow   *self,
                            SvdSettings *settings)
{
  svd_app_settings_load (settings, self->settings);
}

/* DISTS values of another variant or other weights are another metric:
 * forget them. A failure may have been theirs only (out of memory at full
 * resolution, a missing weight file): the new ones get their chance. */
static void
svd_window_forget_dists (SvdWindow *self)
{
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      if (self->dists_done[i] != NULL)
        g_hash_table_remove_all (self->dists_done[i]);
      self->dists_has[i] = FALSE;
      self->dists_sum[i] = 0;
      self->dists_n[i] = 0;
    }
  g_clear_pointer (&self->dists_error, g_free);
  self->dists_next_us = 0;
  self->dists_last_ms = 0;
}

/* Preferences changed the device, the precision or the DISTS weight files:
 * rebuild the engines on the session's worker (and the DISTS runner on its
 * thread) and show the current frame again. */
static void
svd_window_engine_settings_changed_cb (SvdWindow *self)
{
  g_auto(SvdSettings) settings = { 0 };

  if (self->session == NULL)
    return;
  svd_window_engine_settings (self, &settings);
  svd_session_set_engine_settings (self->session, &settings);
  svd_window_session_request (self, self->session_wanted, TRUE);
}

/* Preferences changed the DISTS weight files: the session's DISTS thread
 * loads them for its next job (svd_session_set_engine_settings()); whether
 * they are there, it says then. */
static void
svd_window_dists_weights_changed_cb (SvdWindow *self)
{
  svd_window_forget_dists (self);
  g_clear_pointer (&self->session_info.dists_unavailable, g_free);
  svd_window_engine_settings_changed_cb (self);
}

/* Preferences changed a metric variant (or the window starts). The clip
 * PSNR is only another aggregate of the frames already seen. A new DISTS
 * variant is another metric: the values so far are forgotten, and when
 * paused the shown frame is asked for again so that its DISTS comes in the
 * new variant (during playback the next frames bring it). */
static void
svd_window_metric_settings_changed_cb (SvdWindow *self)
{
  SvdDistsMode mode = SVD_SESSION_DISTS_MODE;

  if (self->settings != NULL)
    {
      mode = g_settings_get_enum (self->settings, "dists-variant") == 0 ? SVD_DISTS_FULL : SVD_DISTS_SHORT256;
      self->psnr_of_mean_mse = g_settings_get_enum (self->settings, "psnr-average") == 1;
    }
  if (mode != self->dists_mode)
    {
      self->dists_mode = mode;
      svd_window_forget_dists (self);
      if (self->session != NULL)
        {
          svd_session_set_dists_mode (self->session, mode);
          if (self->session_open && !self->playing)
            svd_window_session_request (self, self->session_wanted, TRUE);
        }
    }
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (self->last_chain[i].active && gtk_widget_get_visible (GTK_WIDGET (self->readouts[i])))
      svd_window_update_readout (self, i, &self->last_chain[i]);
}

/**
 * svd_window_get_dists_mode:
 * @self: a #SvdWindow
 *
 * Returns: the DISTS variant the window asks its sessions for, from
 *   Preferences
 */
SvdDistsMode
svd_window_get_dists_mode (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), SVD_SESSION_DISTS_MODE);

  return self->dists_mode;
}

/**
 * svd_window_start_session:
 * @self: a #SvdWindow
 * @setup: the clip and reference mode
 *
 * Opens a comparison session on its worker; the first frame appears when
 * it is ready. Failures are toasts.
 */
void
svd_window_start_session (SvdWindow             *self,
                          const SvdSessionSetup *setup)
{
  g_auto(SvdSettings) settings = { 0 };
  g_autofree char *name = NULL;

  g_return_if_fail (SVD_IS_WINDOW (self));

  svd_window_close_clip (self);
  svd_window_close_session (self);
  self->demo_pending = FALSE;
  self->demo_chain_pending = FALSE;
  svd_window_engine_settings (self, &settings);

  name = g_path_get_basename (setup->input_path);
  self->clip_name = g_steal_pointer (&name);
  g_free (self->session_uri);
  self->session_uri = g_filename_to_uri (setup->input_path, NULL, NULL);
  self->session_wanted = 0;
  self->session_shown = 0;
  self->last_shown_us = 0;
  self->shown_fps = 0;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      svd_window_reset_averages (self, i);
      gtk_widget_set_visible (GTK_WIDGET (self->readouts[i]), FALSE);
    }
  svd_viewer_clear (self->viewer);
  gtk_stack_set_visible_child_name (self->main_stack, "viewer");
  adw_window_title_set_subtitle (self->window_title, _("Opening…"));
  self->session = svd_session_new (&settings, setup, svd_window_session_opened_cb,
                                   svd_window_session_frame_cb, svd_window_session_progress_cb, self);
  svd_session_set_dists_func (self->session, svd_window_dists_cb);
  svd_session_set_dists_mode (self->session, self->dists_mode);
}

typedef struct {
  guint  slot;
  GStrv  paths;
} ChainLoad;

static void
chain_load_free (gpointer data)
{
  ChainLoad *load = data;

  g_strfreev (load->paths);
  g_free (load);
}

static void
chain_load_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ChainLoad *load = task_data;
  GPtrArray *models = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_model_unref);

  /* Parsing a model file is I/O and work: never on the main thread. */
  for (guint i = 0; load->paths[i] != NULL; i++)
    {
      GError *error = NULL;
      SvdModel *model;

      /* A built-in resize stage has no model: NULL holds its place. */
      if (svd_chain_step_parse_builtin (load->paths[i], NULL, NULL))
        {
          g_ptr_array_add (models, NULL);
          continue;
        }
      model = svd_model_load (load->paths[i], &error);

      if (model == NULL)
        {
          g_ptr_array_unref (models);
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (models, model);
    }
  g_task_return_pointer (task, models, (GDestroyNotify) g_ptr_array_unref);
}

static void
chain_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SvdWindow *self = SVD_WINDOW (object);
  ChainLoad *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = g_task_propagate_pointer (G_TASK (result), &error);
  SvdEngineStep steps[SVD_ENGINE_MAX_STAGES] = { { 0 } };

  if (models == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %u is the chain's number, %s the reason */
      message = g_strdup_printf (_("Could not load chain %u: %s"), load->slot + 1, error->message);
      svd_window_show_toast (self, message);
      return;
    }
  if (self->session == NULL)
    return;
  for (guint i = 0; i < models->len && i < SVD_ENGINE_MAX_STAGES; i++)
    {
      steps[i].model = models->pdata[i];
      if (steps[i].model == NULL)
        svd_chain_step_parse_builtin (load->paths[i], &steps[i].filter, &steps[i].scale);
    }
  svd_session_set_chain (self->session, load->slot, steps, MIN (models->len, SVD_ENGINE_MAX_STAGES));
  svd_window_reset_averages (self, load->slot);
  svd_window_session_request (self, self->session_wanted, TRUE);
}

/**
 * svd_window_set_chain_paths:
 * @self: a #SvdWindow
 * @slot: the chain, 0 to 3 (viewer slot 1 to 4)
 * @paths: (array zero-terminated=1): model files in order; empty removes
 *
 * Loads the models on a thread and runs the shown frame through them.
 */
void
svd_window_set_chain_paths (SvdWindow          *self,
                            guint               slot,
                            const char * const *paths)
{
  g_autoptr(GTask) task = NULL;
  ChainLoad *load;

  g_return_if_fail (SVD_IS_WINDOW (self));
  g_return_if_fail (slot < SVD_SESSION_MAX_CHAINS);

  if (self->session == NULL)
    return;
  g_clear_pointer (&self->chain_paths[slot], g_strfreev);
  if (paths != NULL && paths[0] != NULL)
    self->chain_paths[slot] = g_strdupv ((char **) paths);
  if (paths == NULL || paths[0] == NULL)
    {
      svd_session_set_chain (self->session, slot, NULL, 0);
      gtk_widget_set_visible (GTK_WIDGET (self->readouts[slot]), FALSE);
      svd_window_session_request (self, self->session_wanted, TRUE);
      return;
    }
  load = g_new0 (ChainLoad, 1);
  load->slot = slot;
  load->paths = g_strdupv ((char **) paths);
  task = g_task_new (self, self->cancellable, chain_loaded_cb, NULL);
  g_task_set_task_data (task, load, chain_load_free);
  g_task_run_in_thread (task, chain_load_thread);
}

/**
 * svd_window_get_readout:
 * @self: a #SvdWindow
 * @slot: the chain, 0 to 3
 *
 * Returns: (nullable): the text of the chain's metric readout, or %NULL
 *   when the chain has none
 */
const char *
svd_window_get_readout (SvdWindow *self,
                        guint      slot)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (slot < SVD_SESSION_MAX_CHAINS, NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->readouts[slot])))
    return NULL;
  return svd_readout_get_text (self->readouts[slot]);
}

/**
 * svd_window_get_session_info:
 * @self: a #SvdWindow
 *
 * Returns: (nullable): what the open session compares, or %NULL
 */
const SvdSessionInfo *
svd_window_get_session_info (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return self->session_open ? &self->session_info : NULL;
}

/**
 * svd_window_get_longest_update:
 * @self: a #SvdWindow
 * @reset: start measuring again
 *
 * Returns: the longest time, in ms, the main thread spent handing one
 *   session frame to the viewer and readouts
 */
double
svd_window_get_longest_update (SvdWindow *self,
                               gboolean   reset)
{
  double ms;

  g_return_val_if_fail (SVD_IS_WINDOW (self), 0);

  ms = self->longest_update_us / 1000.0;
  if (reset)
    self->longest_update_us = 0;
  return ms;
}

/**
 * svd_window_is_busy:
 * @self: a #SvdWindow
 *
 * Returns: whether frames the window asked for have not arrived yet
 */
gboolean
svd_window_is_busy (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->session != NULL && svd_session_get_n_pending (self->session) > 0;
}

gboolean
svd_window_get_playing (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->playing;
}

static void
svd_window_play_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  if (self->session == NULL || !self->session_open)
    return;
  svd_window_set_playing (self, !self->playing);
  self->last_shown_us = 0;
  self->shown_fps = 0;
  if (self->playing)
    {
      if (self->session_info.n_frames > 0 && self->session_shown + 1 >= self->session_info.n_frames)
        self->session_shown = -1;
      svd_window_session_request (self, self->session_shown + 1, FALSE);
    }
  else
    {
      g_clear_handle_id (&self->play_source, g_source_remove);
      svd_window_maybe_request_dists (self);
    }
}

static void
svd_window_seek_changed_cb (GtkRange  *range,
                            SvdWindow *self)
{
  svd_window_go_to_frame (self, (gint64) (gtk_range_get_value (range) + 0.5));
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
svd_window_add_chain_response_cb (GtkNativeDialog *dialog,
                                  int              response,
                                  gpointer         user_data)
{
  SvdWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->session != NULL)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      guint slot;

      for (slot = 0; slot < SVD_SESSION_MAX_CHAINS; slot++)
        if (svd_session_get_n_steps (self->session, slot) == 0)
          break;
      if (slot == SVD_SESSION_MAX_CHAINS)
        svd_window_show_toast (self, _("Up to four chains can be compared; remove one first"));
      else
        {
          for (guint i = 0; i < g_list_model_get_n_items (files); i++)
            {
              g_autoptr(GFile) file = g_list_model_get_item (files, i);
              char *path = g_file_get_path (file);

              if (path != NULL)
                g_ptr_array_add (paths, path);
            }
          /* Stages run in the order of their file names (1x before 2x). */
          g_ptr_array_sort (paths, compare_paths);
          g_ptr_array_add (paths, NULL);
          if (paths->len > 1)
            svd_window_set_chain_paths (self, slot, (const char * const *) paths->pdata);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
svd_window_add_chain_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->session == NULL)
    return;
  native = gtk_file_chooser_native_new (_("Choose the Models of a Chain"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  gtk_file_filter_set_name (filter, _("Models (ONNX, PyTorch, safetensors)"));
  gtk_file_filter_add_suffix (filter, "onnx");
  gtk_file_filter_add_suffix (filter, "pth");
  gtk_file_filter_add_suffix (filter, "safetensors");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (svd_window_add_chain_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
svd_window_chain_editor_apply_cb (guint               slot,
                                  const char * const *specs,
                                  gpointer            user_data)
{
  svd_window_set_chain_paths (SVD_WINDOW (user_data), slot, specs);
}

/**
 * svd_window_edit_chains:
 * @self: a #SvdWindow
 *
 * Opens the chain editor on the session's chains; with no chain yet, it
 * starts on an empty chain 1.
 *
 * Returns: (transfer none) (nullable): the editor, or %NULL when no clip is
 *   open
 */
GtkWindow *
svd_window_edit_chains (SvdWindow *self)
{
  g_auto(GStrv) extra = NULL;
  g_auto(GStrv) folders = NULL;
  SvdChainEditor *editor;

  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  if (self->session == NULL || !self->session_open)
    {
      svd_window_show_toast (self, _("Open a clip first, then build its chains"));
      return NULL;
    }
  if (self->settings != NULL)
    extra = g_settings_get_strv (self->settings, "model-folders");
  folders = svd_model_library_default_folders (NULL,
                                               (const char * const *) extra);
  editor = svd_chain_editor_new (GTK_WINDOW (self), (const char * const *) folders,
                                 self->session_info.width, self->session_info.height, self->settings);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    svd_chain_editor_set_chain (editor, i, (const char * const *) self->chain_paths[i]);
  if (svd_chain_editor_get_n_chains (editor) == 0)
    gtk_widget_activate_action (GTK_WIDGET (editor), "chain.new-chain", NULL);
  svd_chain_editor_set_apply_func (editor, svd_window_chain_editor_apply_cb, self);
  svd_chain_editor_set_reference_size (editor, self->session_info.ref_width, self->session_info.ref_height);
  gtk_window_present (GTK_WINDOW (editor));
  return GTK_WINDOW (editor);
}

/* The benchmark matrix, with the open clip for quality when there is one. */
static void
svd_window_bench_matrix_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  const SvdSessionInfo *info = svd_window_get_session_info (SVD_WINDOW (widget));

  gtk_window_present (GTK_WINDOW (svd_matrix_window_new (GTK_WINDOW (widget),
                                                         info != NULL ? info->input_path : NULL,
                                                         info != NULL ? info->fps : 0)));
}

static void
svd_window_edit_chains_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  svd_window_edit_chains (SVD_WINDOW (widget));
}

static void
svd_window_clear_chains_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    svd_window_set_chain_paths (self, i, NULL);
}

/**
 * svd_window_export:
 * @self: a #SvdWindow
 *
 * Opens the export dialog for chain 1 of the open session; says in a toast
 * why when there is nothing to export.
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
  /* The chain the viewer shows (toggle) or compares (the right side);
   * else the first one there is. */
  slot = svd_viewer_get_view_mode (self->viewer) == SVD_VIEW_MODE_TOGGLE
         ? svd_viewer_get_shown_slot (self->viewer) : svd_viewer_get_right_slot (self->viewer);
  chain = slot >= SVD_VIEWER_SLOT_CHAIN_1 && slot < SVD_VIEWER_SLOT_CHAIN_1 + SVD_SESSION_MAX_CHAINS
          ? slot - SVD_VIEWER_SLOT_CHAIN_1 : 0;
  for (guint i = 0; self->chain_paths[chain] == NULL && i < SVD_SESSION_MAX_CHAINS; i++)
    chain = i;
  if (self->chain_paths[chain] == NULL)
    {
      svd_window_show_toast (self, _("Add a chain first: the export restores the clip with chain 1"));
      return NULL;
    }
  dialog = svd_export_dialog_new (GTK_WINDOW (self), self->session_info.input_path,
                                  self->session_info.n_frames, chain + 1,
                                  (const char * const *) self->chain_paths[chain]);
  /* Synthesize mode restores the degraded cache, which has no audio; the
   * export takes it from the clean clip, whose timestamps it shares. */
  if (self->session_info.mode == SVD_REFERENCE_SYNTHESIZE)
    svd_export_dialog_set_audio_source (dialog, self->session_info.reference_path);
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
  /* Overlays are made only when a mode shows them: ask for the shown
   * frame again, with them. */
  if (self->session != NULL && self->session_open && self->session_shown_any &&
      svd_window_wants_overlays (self) && !self->playing)
    svd_window_session_request (self, self->session_shown, FALSE);
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
    {
      g_settings_bind (self->settings, "view-mode", self->viewer, "view-mode", G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (self->settings, "changed::device",
                               G_CALLBACK (svd_window_engine_settings_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::precision",
                               G_CALLBACK (svd_window_engine_settings_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::dists-weights-path",
                               G_CALLBACK (svd_window_dists_weights_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::vgg16-weights-path",
                               G_CALLBACK (svd_window_dists_weights_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::dists-variant",
                               G_CALLBACK (svd_window_metric_settings_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::psnr-average",
                               G_CALLBACK (svd_window_metric_settings_changed_cb), self, G_CONNECT_SWAPPED);
      {
        static const char * const plot_metrics[] = { "psnr-y", "ssim-y", NULL };  /* the drop-down's order */

        svd_preferences_bind_choice (self->settings, "plot-metric", self->plot_metric, "selected", plot_metrics);
      }
    }
  self->dists_mode = SVD_SESSION_DISTS_MODE;
  svd_window_metric_settings_changed_cb (self);
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
  svd_window_close_session (self);
  svd_window_close_clip (self);
  g_clear_pointer (&self->session_uri, g_free);
  g_clear_signal_handler (&self->recent_handler, gtk_recent_manager_get_default ());

  G_OBJECT_CLASS (svd_window_parent_class)->dispose (object);
}

/* A clip dropped on the window opens like one chosen in the file chooser:
 * through the session setup. */
static gboolean
svd_window_drop_cb (GtkDropTarget *target,
                    const GValue  *value,
                    double         x,
                    double         y,
                    gpointer       user_data)
{
  SvdWindow *self = user_data;
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  if (files->next != NULL)
    svd_window_show_toast (self, _("Only the first dropped file is opened"));
  svd_window_set_up_session (self, G_FILE (files->data));
  g_slist_free (files);
  return TRUE;
}

static void
svd_window_plot_metric_cb (SvdWindow *self)
{
  svd_plot_set_metric (self->plot, gtk_drop_down_get_selected (self->plot_metric) == 1
                                   ? SVD_PLOT_SSIM_Y : SVD_PLOT_PSNR_Y);
}

/**
 * svd_window_get_plot:
 * @self: a #SvdWindow
 *
 * Returns: (transfer none): the per-frame metric plot
 */
SvdPlot *
svd_window_get_plot (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return self->plot;
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
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, session_box);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, seek_scale);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, speed_label);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, position_label);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, readout_box);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, recent_section);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", svd_window_open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, svd_window_play_action);
  gtk_widget_class_install_action (widget_class, "win.add-chain", NULL, svd_window_add_chain_action);
  gtk_widget_class_install_action (widget_class, "win.clear-chains", NULL, svd_window_clear_chains_action);
  gtk_widget_class_install_action (widget_class, "win.edit-chains", NULL, svd_window_edit_chains_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.edit-chains", NULL);
  gtk_widget_class_install_action (widget_class, "win.bench-matrix", NULL, svd_window_bench_matrix_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.bench-matrix", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "win.play", NULL);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, svd_window_open_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, svd_window_export_action);
  gtk_widget_class_install_property_action (widget_class, "win.view-mode", "view-mode");
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-original", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.next-frame", NULL, svd_window_step_action);
  gtk_widget_class_install_action (widget_class, "win.previous-frame", NULL, svd_window_step_action);
  gtk_widget_class_install_action (widget_class, "win.go-to-frame", "x", svd_window_go_to_frame_action);
}

/* See .viewer-page in style.css. Not during the stack's crossfade, when
 * both pages are drawn translucent. */
static void
svd_window_update_page_style (SvdWindow *self)
{
  gboolean viewer = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "viewer") == 0
                    && !gtk_stack_get_transition_running (self->main_stack);

  if (viewer)
    gtk_widget_add_css_class (GTK_WIDGET (self), "viewer-page");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "viewer-page");
}

static void
svd_window_init (SvdWindow *self)
{
  g_type_ensure (SVD_TYPE_VIEWER);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (svd_window_update_page_style), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->main_stack, "notify::transition-running",
                           G_CALLBACK (svd_window_update_page_style), self, G_CONNECT_SWAPPED);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      self->readouts[i] = SVD_READOUT (svd_readout_new ());
      gtk_widget_set_visible (GTK_WIDGET (self->readouts[i]), FALSE);
      gtk_box_append (GTK_BOX (self->readout_box), GTK_WIDGET (self->readouts[i]));
    }
  {
    /* The speed readout changes with every frame: sized once for its
     * widest text (in this language), it never lays the window out again. */
    g_autofree char *a = svd_window_speed_text (TRUE, 999.9, 999.99, 0);
    g_autofree char *b = svd_window_speed_text (FALSE, 0, 0.01, 99999);

    gtk_inscription_set_nat_chars (self->speed_label,
                                   (guint) MAX (g_utf8_strlen (a, -1), g_utf8_strlen (b, -1)) + 2);
  }
  {
    /* The per-frame plot under the readouts, with its metric beside it. */
    const char *metrics[] = { _("PSNR-Y"), _("SSIM-Y"), NULL };
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    self->plot = SVD_PLOT (svd_plot_new ());
    gtk_widget_set_hexpand (GTK_WIDGET (self->plot), TRUE);
    self->plot_metric = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (metrics));
    gtk_widget_set_valign (GTK_WIDGET (self->plot_metric), GTK_ALIGN_START);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->plot_metric), _("Metric in the per-frame plot"));
    g_signal_connect_swapped (self->plot_metric, "notify::selected", G_CALLBACK (svd_window_plot_metric_cb), self);
    gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->plot));
    gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->plot_metric));
    gtk_box_append (GTK_BOX (self->session_box), row);
  }
  {
    GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

    g_signal_connect (drop, "drop", G_CALLBACK (svd_window_drop_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }
  self->recent_handler = g_signal_connect_swapped (gtk_recent_manager_get_default (), "changed",
                                                   G_CALLBACK (svd_window_update_recent), self);
  svd_window_update_recent (self);
  self->seek_handler = g_signal_connect (self->seek_scale, "value-changed",
                                         G_CALLBACK (svd_window_seek_changed_cb), self);
  g_signal_connect_object (self->viewer, "notify::view-mode",
                           G_CALLBACK (svd_window_viewer_mode_cb), self, G_CONNECT_SWAPPED);
}
