/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "media/svd-degrade.h"

#include "svd-chain-editor.h"
#include "svd-demo.h"
#include "svd-export.h"
#include "svd-matrix-window.h"
#include "svd-plot.h"
#include "svd-preferences.h"
#include "svd-setup.h"
#include "svd-ui-enums.h"
#include "svd-viewer.h"
#include "svd-window-private.h"
#include "svd-app-settings.h"

#define SVD_RECENT_GROUP "svd-studio"
#define SVD_RECENT_MAX 10

G_DEFINE_FINAL_TYPE (SvdWindow, svd_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_VIEW_MODE,
  PROP_LOOP,
  PROP_SHOW_READOUTS,
  PROP_FRAMES_SHOWN,
  PROP_FRAMES_DROPPED,
  PROP_SHOWN_FPS,
  PROP_SCANNING,
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
void
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

/* @text with each "_" doubled, for a label that takes mnemonics. */
static char *
svd_window_escape_mnemonics (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '_')
        g_string_append_c (out, '_');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
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
      g_autofree char *label = NULL;

      if (!gtk_recent_info_has_group (info, SVD_RECENT_GROUP) || !gtk_recent_info_is_local (info) ||
          !gtk_recent_info_exists (info))
        continue;
      /* Menu labels take "_" as a mnemonic: a name's own underscores are
       * doubled so they show. */
      label = svd_window_escape_mnemonics (gtk_recent_info_get_display_name (info));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_section, item);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

void
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

void
svd_window_update_subtitle (SvdWindow *self)
{
  g_autofree char *subtitle = NULL, *position = NULL;

  if (self->clip_name == NULL || !self->session_open)
    return;

  /* The frame number changes with every frame: it has a fixed-size place
   * of its own beside the seek bar, so the header bar is not laid out
   * again for each frame. */
  if (self->session_info.mode == SVD_REFERENCE_SYNTHESIZE && self->session_info.ref_width > 0)
    /* The clip the user opened is the reference here: its size first,
     * then the size of the degraded copy the chains restore. */
    /* Translators: the opened clip's file name, size and frame rate, then
     * the size of the degraded input made from it, e.g. "clip.mp4 —
     * 1280×720, 25.00 fps; input shrunk to 640×360" */
    subtitle = g_strdup_printf (_("%s — %d×%d, %.2f fps; input shrunk to %d×%d"), self->clip_name,
                                self->session_info.ref_width, self->session_info.ref_height,
                                self->session_info.fps, self->session_info.width, self->session_info.height);
  else
    /* Translators: a clip's file name, size, frame rate and codec, e.g.
     * "clip.mp4 — 1280×720, 25.00 fps, h264" */
    subtitle = g_strdup_printf (_("%s — %d×%d, %.2f fps, %s"), self->clip_name, self->session_info.width,
                                self->session_info.height, self->session_info.fps,
                                self->session_info.codec != NULL ? self->session_info.codec : "?");
  if (g_strcmp0 (adw_window_title_get_subtitle (self->window_title), subtitle) != 0)
    adw_window_title_set_subtitle (self->window_title, subtitle);
  if (self->session_info.n_frames > 0)
    /* Translators: the frame shown (1-based) and the number of frames */
    position = g_strdup_printf (_("Frame %lld of %lld"), (long long) self->session_shown + 1,
                                (long long) self->session_info.n_frames);
  else
    /* Translators: the frame shown (1-based), of a clip whose length is unknown */
    position = g_strdup_printf (_("Frame %lld"), (long long) self->session_shown + 1);
  gtk_inscription_set_text (self->position_label, position);
}

static void
svd_window_step_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  int delta = g_str_equal (action_name, "win.next-frame") ? 1 : -1;

  /* Step from the frame last asked for, so quick presses add up. */
  svd_window_go_to_frame (self, self->session_wanted + delta);
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
 * Opens @file as a session without a reference (chains can be added, no
 * metrics) and shows its first frame as the source. Problems are reported
 * in a dialog or a toast, never fatal.
 */
void
svd_window_open_file (SvdWindow *self,
                      GFile     *file)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  SvdSessionSetup setup = { 0 };

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
  setup.mode = SVD_REFERENCE_NONE;
  setup.input_path = path;
  svd_window_start_session (self, &setup);
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

  if (self->session != NULL)
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

void
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
      g_autoptr(SvdChain) chain = svd_chain_new (NULL);

      svd_chain_add_resize (chain, SVD_RESIZE_BICUBIC, 2);
      svd_window_set_chain (self, 0, chain);
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

/* The environment first (tests and the CLI use it), then Preferences:
 * the one mapping every GUI job uses (svd-app-settings.c). */
void
svd_window_engine_settings (SvdWindow   *self,
                            SvdSettings *settings)
{
  svd_app_settings_load (settings, self->settings);
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
svd_window_chain_editor_apply_cb (guint           slot,
                                  const SvdChain *chain,
                                  gpointer        user_data)
{
  svd_window_set_chain (SVD_WINDOW (user_data), slot, chain);
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
    svd_chain_editor_set_chain (editor, i, self->chains[i].chain);
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

/**
 * svd_window_forget_removed_chains:
 * @self: a #SvdWindow
 *
 * Drops what Undo of Remove All Chains would put back.
 */
void
svd_window_forget_removed_chains (SvdWindow *self)
{
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    g_clear_pointer (&self->removed_chains[i], svd_chain_free);
  if (self->undo_toast != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->undo_toast), (gpointer *) &self->undo_toast);
      adw_toast_dismiss (g_steal_pointer (&self->undo_toast));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-clear-chains", FALSE);
}

/* Remove All Chains takes effect at once (the picture, readouts and plot
 * curves go) and offers Undo in a toast, as GNOME apps do for a
 * destructive action that is easy to reverse. */
static void
svd_window_clear_chains_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  gboolean any = FALSE;
  AdwToast *toast;

  if (self->session == NULL)
    return;
  svd_window_forget_removed_chains (self);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (self->chains[i].chain != NULL)
      {
        self->removed_chains[i] = svd_chain_copy (self->chains[i].chain);
        any = TRUE;
      }
  if (!any)
    return;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    svd_window_set_chain (self, i, NULL);

  toast = adw_toast_new (_("All chains removed"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-clear-chains");
  adw_toast_set_timeout (toast, 10);
  self->undo_toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *) &self->undo_toast);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-clear-chains", TRUE);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
svd_window_undo_clear_chains_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);
  SvdChain *removed[SVD_SESSION_MAX_CHAINS];

  memcpy (removed, self->removed_chains, sizeof removed);
  memset (self->removed_chains, 0, sizeof self->removed_chains);
  svd_window_forget_removed_chains (self);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (removed[i] != NULL)
      {
        svd_window_set_chain (self, i, removed[i]);
        svd_chain_free (removed[i]);
      }
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

/* The readouts' pane shows with a session, unless the user hid it. */
void
svd_window_update_readout_pane (SvdWindow *self)
{
  gboolean visible = self->show_readouts && gtk_widget_get_visible (self->session_box);

  if (gtk_widget_get_visible (self->readout_pane) != visible)
    gtk_widget_set_visible (self->readout_pane, visible);
}

/* The readouts may take up to a quarter of the window before they scroll
 * (or what the user drags the handle to): the picture keeps the rest.
 * Within that, the pane is as tall as the table and the plot need, so
 * they show without scrolling. */
void
svd_window_fit_readout_pane (SvdWindow *self)
{
  GtkScrolledWindow *pane;
  int width = 0, height = 0, natural = 0, want;

  if (self->readout_pane == NULL)
    return;
  pane = GTK_SCROLLED_WINDOW (self->readout_pane);
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  height = MAX (height, gtk_widget_get_height (GTK_WIDGET (self)));
  height = MAX (120, height / 4);
  gtk_widget_measure (self->readout_panel, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
  want = MIN (natural, height);
  if (gtk_scrolled_window_get_min_content_height (pane) > height)
    gtk_scrolled_window_set_min_content_height (pane, -1);
  if (gtk_scrolled_window_get_max_content_height (pane) != height)
    gtk_scrolled_window_set_max_content_height (pane, height);
  if (gtk_scrolled_window_get_min_content_height (pane) != want)
    gtk_scrolled_window_set_min_content_height (pane, want);
}

static void
svd_window_size_readout_pane (SvdWindow *self)
{
  svd_window_fit_readout_pane (self);
}

static void
svd_window_set_show_readouts (SvdWindow *self,
                              gboolean   show)
{
  if (self->show_readouts == show)
    return;
  self->show_readouts = show;
  svd_window_update_readout_pane (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_READOUTS]);
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

    case PROP_LOOP:
      g_value_set_boolean (value, self->loop);
      break;

    case PROP_SHOW_READOUTS:
      g_value_set_boolean (value, self->show_readouts);
      break;

    case PROP_FRAMES_SHOWN:
    case PROP_FRAMES_DROPPED:
    case PROP_SHOWN_FPS:
      {
        gint64 shown, dropped;
        double fps;

        svd_window_get_playback_stats (self, &shown, &dropped, &fps);
        if (prop_id == PROP_FRAMES_SHOWN)
          g_value_set_int64 (value, shown);
        else if (prop_id == PROP_FRAMES_DROPPED)
          g_value_set_int64 (value, dropped);
        else
          g_value_set_double (value, fps);
      }
      break;

    case PROP_SCANNING:
      g_value_set_boolean (value, svd_window_is_scanning (self));
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

    case PROP_LOOP:
      if (self->loop != g_value_get_boolean (value))
        {
          self->loop = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_SHOW_READOUTS:
      svd_window_set_show_readouts (self, g_value_get_boolean (value));
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
  g_clear_pointer (&self->clip_name, g_free);
  g_clear_pointer (&self->session_uri, g_free);
  g_clear_signal_handler (&self->recent_handler, gtk_recent_manager_get_default ());
  for (guint c = 0; c < SVD_READOUT_N_CELLS; c++)
    g_clear_object (&self->cell_groups[c]);
  if (self->export_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
  self->export_dialog = NULL;
  if (self->export_toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->export_toast), (gpointer *) &self->export_toast);
  self->export_toast = NULL;

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
  /**
   * SvdWindow:loop:
   *
   * Whether playback starts again at the first frame after the last.
   */
  properties[PROP_LOOP] =
    g_param_spec_boolean ("loop", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  /**
   * SvdWindow:show-readouts:
   *
   * Whether the readouts and the plot have their pane under the viewer.
   */
  properties[PROP_SHOW_READOUTS] =
    g_param_spec_boolean ("show-readouts", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  /**
   * SvdWindow:frames-shown:
   *
   * Frames shown since playback last started (a debugging aid: tests and
   * the closing notes read it).
   */
  properties[PROP_FRAMES_SHOWN] =
    g_param_spec_int64 ("frames-shown", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  /**
   * SvdWindow:frames-dropped:
   *
   * Frames skipped since playback last started, because the chains could
   * not keep up with the clip's frame rate.
   */
  properties[PROP_FRAMES_DROPPED] =
    g_param_spec_int64 ("frames-dropped", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  /**
   * SvdWindow:shown-fps:
   *
   * Frames shown per second of wall time since playback last started.
   */
  properties[PROP_SHOWN_FPS] =
    g_param_spec_double ("shown-fps", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  /**
   * SvdWindow:scanning:
   *
   * Whether every frame of the clip is being measured for a chain (the
   * scan for the worst frame, svd_window_scan_clip()).
   */
  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
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
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, scan_revealer);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, scan_label);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, scan_progress);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, readout_pane);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, export_revealer);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, export_label);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, export_progress);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, readout_panel);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, pane);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, SvdWindow, recent_section);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", svd_window_open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, svd_window_play_action);
  gtk_widget_class_install_action (widget_class, "win.add-chain", NULL, svd_window_add_chain_action);
  gtk_widget_class_install_action (widget_class, "win.clear-chains", NULL, svd_window_clear_chains_action);
  gtk_widget_class_install_action (widget_class, "win.undo-clear-chains", NULL, svd_window_undo_clear_chains_action);
  gtk_widget_class_install_action (widget_class, "win.edit-chains", NULL, svd_window_edit_chains_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.edit-chains", NULL);
  gtk_widget_class_install_action (widget_class, "win.bench-matrix", NULL, svd_window_bench_matrix_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.bench-matrix", NULL);
  gtk_widget_class_install_property_action (widget_class, "win.loop", "loop");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, 0, "win.loop", NULL);
  gtk_widget_class_install_property_action (widget_class, "win.show-readouts", "show-readouts");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-readouts", NULL);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, svd_window_open_action);
  svd_window_class_init_export (widget_class);
  gtk_widget_class_install_property_action (widget_class, "win.view-mode", "view-mode");
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-original", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, svd_window_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.next-frame", NULL, svd_window_step_action);
  gtk_widget_class_install_action (widget_class, "win.previous-frame", NULL, svd_window_step_action);
  gtk_widget_class_install_action (widget_class, "win.go-to-frame", "x", svd_window_go_to_frame_action);
  svd_window_nav_class_init (widget_class);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-clear-chains", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-scan", FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (svd_window_update_page_style), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->main_stack, "notify::transition-running",
                           G_CALLBACK (svd_window_update_page_style), self, G_CONNECT_SWAPPED);
  self->show_readouts = TRUE;
  /* One column per cell across the chains: a cell is as wide in every
   * chain's readout, so the values line up. */
  for (guint c = 0; c < SVD_READOUT_N_CELLS; c++)
    self->cell_groups[c] = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  /* A table: the column titles, then one row per chain. */
  self->readout_header = SVD_READOUT (svd_readout_new ());
  svd_readout_set_header (self->readout_header);
  for (guint c = 0; c < SVD_READOUT_N_CELLS; c++)
    svd_readout_add_to_size_group (self->readout_header, c, self->cell_groups[c]);
  gtk_widget_set_visible (GTK_WIDGET (self->readout_header), FALSE);
  gtk_box_append (GTK_BOX (self->readout_box), GTK_WIDGET (self->readout_header));
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      self->chains[i].readout = SVD_READOUT (svd_readout_new ());
      for (guint c = 0; c < SVD_READOUT_N_CELLS; c++)
        svd_readout_add_to_size_group (self->chains[i].readout, c, self->cell_groups[c]);
      gtk_widget_set_visible (GTK_WIDGET (self->chains[i].readout), FALSE);
      gtk_box_append (GTK_BOX (self->readout_box), GTK_WIDGET (self->chains[i].readout));
    }
  {
    /* The speed readout changes with every frame: sized once for its
     * widest text (in this language), it never lays the window out again. */
    g_autofree char *a = svd_readout_format_speed (TRUE, 999.9, 999.99, 0);
    g_autofree char *b = svd_readout_format_speed (FALSE, 0, 0.01, 99999);

    /* At most 34 characters, so the seek bar beside it keeps its room
     * (the tooltip has the whole text). */
    gtk_inscription_set_nat_chars (self->speed_label,
                                   MIN (34, (guint) MAX (g_utf8_strlen (a, -1), g_utf8_strlen (b, -1)) + 2));
  }
  {
    /* The per-frame plot beside the readouts table, with its metric. */
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
    gtk_box_append (GTK_BOX (self->readout_panel), row);
  }
  {
    /* Space plays and pauses wherever the focus is, as in video players:
     * GtkWindow's own binding would take it first to activate the focused
     * widget (the viewer, or the last button clicked). */
    GtkEventController *keys = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                            gtk_named_action_new ("win.play")));
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
  }
  {
    GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

    g_signal_connect (drop, "drop", G_CALLBACK (svd_window_drop_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }
  self->recent_handler = g_signal_connect_swapped (gtk_recent_manager_get_default (), "changed",
                                                   G_CALLBACK (svd_window_update_recent), self);
  svd_window_update_recent (self);
  g_signal_connect (self, "notify::default-height", G_CALLBACK (svd_window_size_readout_pane), NULL);
  g_signal_connect (self, "notify::maximized", G_CALLBACK (svd_window_size_readout_pane), NULL);
  self->seek_handler = g_signal_connect (self->seek_scale, "value-changed",
                                         G_CALLBACK (svd_window_seek_changed_cb), self);
  g_signal_connect_object (self->viewer, "notify::view-mode",
                           G_CALLBACK (svd_window_viewer_mode_cb), self, G_CONNECT_SWAPPED);
}
