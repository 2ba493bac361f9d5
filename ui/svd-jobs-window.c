/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-jobs-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "core/svd-error.h"
#include "session/svd-chunk-job.h"

#include "svd-app-settings.h"
#include "svd-jobs-row.h"
#include "svd-jobs-window.h"
#include "svd-window-private.h"

/* The Jobs window lists the application's queue of restore jobs
 * (libsvd's SvdJobQueue: the queue file, the worker thread and the
 * chunked, resumable restore all live there) and adds jobs to it: the
 * open clip with the chain the export would take, or several clips with
 * that chain. It is an ordinary, non-modal window of the application, so
 * the queue can be watched while comparing clips; closing it stops
 * nothing. Jobs keep running while the app runs, and a job interrupted by
 * quitting resumes from its finished chunks when the app starts again. */

struct _SvdJobsWindow
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkListBox      *list_box;

  SvdJobQueue     *queue;
  GtkNativeDialog *add_dialog;
};

G_DEFINE_FINAL_TYPE (SvdJobsWindow, svd_jobs_window, ADW_TYPE_WINDOW)

/* The encoders offered when adding jobs: every one keeps a lossless or
 * visually lossless restore in a Matroska file. */
static const char *encoder_ids[] = { "x264", "x265", "av1", "ffv1", NULL };

static const char **
encoder_labels (void)
{
  static const char *labels[5];

  labels[0] = _("H.264");
  labels[1] = _("H.265");
  labels[2] = _("AV1");
  /* Translators: FFV1 is a lossless video codec */
  labels[3] = _("FFV1 (lossless)");
  labels[4] = NULL;
  return labels;
}

/* The window's chain that jobs restore with: the one the export takes
 * (the chain the viewer shows or compares, else the first there is). */
static const SvdChain *
window_chain (SvdWindow *window)
{
  int slot;
  guint chain;

  if (!window->session_open)
    return NULL;
  slot = svd_viewer_get_view_mode (window->viewer) == SVD_VIEW_MODE_TOGGLE
         ? svd_viewer_get_shown_slot (window->viewer) : svd_viewer_get_right_slot (window->viewer);
  chain = slot >= SVD_VIEWER_SLOT_CHAIN_1 && slot < SVD_VIEWER_SLOT_CHAIN_1 + SVD_SESSION_MAX_CHAINS
          ? slot - SVD_VIEWER_SLOT_CHAIN_1 : 0;
  for (guint i = 0; window->chains[chain].chain == NULL && i < SVD_SESSION_MAX_CHAINS; i++)
    chain = i;
  return window->chains[chain].chain;
}

static SvdJobQueue *
window_queue (SvdWindow *window)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

  return SVD_IS_APPLICATION (app) ? svd_application_get_job_queue (SVD_APPLICATION (app)) : NULL;
}

static SvdQueueJob *
add_job (SvdWindow   *window,
         const char  *input,
         const char  *output,
         const char  *encoder,
         GError     **error)
{
  SvdJobQueue *queue = window_queue (window);
  const SvdChain *chain = window_chain (window);
  g_auto(SvdSettings) settings = { 0 };
  g_autofree char *chain_text = NULL;
  SvdQueueJobSpec spec;

  if (queue == NULL || chain == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "%s",
                   _("Open a clip and add a chain first: jobs restore with the chain the export would take"));
      return NULL;
    }
  chain_text = svd_chain_to_string (chain, NULL, error);
  if (chain_text == NULL)
    return NULL;
  svd_app_settings_get (&settings);
  svd_queue_job_spec_init (&spec);
  spec.input = input;
  spec.output = output;
  spec.chain = chain_text;
  spec.encoder = encoder;
  spec.precision = settings.precision;
  return svd_job_queue_add (queue, &spec, error);
}

/**
 * svd_jobs_add_current_clip:
 * @window: a main window with a clip and a chain
 * @output: the file to write
 * @encoder: (nullable): the encoder; %NULL for the container's default
 * @error: return location for an error
 *
 * Queues a restore of the window's clip with the chain the export would
 * take (in Synthesize mode, the degraded clip the window restores).
 *
 * Returns: (transfer none): the job, or %NULL with @error set
 */
SvdQueueJob *
svd_jobs_add_current_clip (SvdWindow   *window,
                           const char  *output,
                           const char  *encoder,
                           GError     **error)
{
  g_return_val_if_fail (SVD_IS_WINDOW (window), NULL);

  if (!window->session_open)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "%s",
                   _("Open a clip and add a chain first: jobs restore with the chain the export would take"));
      return NULL;
    }
  return add_job (window, window->session_info.input_path, output, encoder, error);
}

/* INPUT's stem + "-restored.mkv" beside it, numbered when that is taken. */
static char *
output_for (SvdJobQueue *queue,
            const char  *input)
{
  g_autofree char *dir = g_path_get_dirname (input);
  g_autofree char *base = g_path_get_basename (input);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup_printf ("%s-restored.mkv", base)
                                     : g_strdup_printf ("%s-restored-%u.mkv", base, n);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *job_dir = svd_chunk_job_dir_for_output (path);
      gboolean taken = g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (job_dir, G_FILE_TEST_EXISTS);

      for (guint i = 0; !taken && i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
        {
          g_autoptr(SvdQueueJob) job = g_list_model_get_item (G_LIST_MODEL (queue), i);

          taken = g_strcmp0 (svd_queue_job_get_output (job), path) == 0;
        }
      if (!taken)
        return g_steal_pointer (&path);
    }
  return NULL;
}

/**
 * svd_jobs_add_clips:
 * @window: a main window with a chain
 * @files: (element-type GFile): the clips to restore
 * @encoder: (nullable): the encoder
 * @error: return location for the first error
 *
 * Queues a restore of each clip with the window's chain, written beside
 * it as NAME-restored.mkv (numbered when that exists).
 *
 * Returns: the jobs added; fewer than the files when @error is set
 */
guint
svd_jobs_add_clips (SvdWindow   *window,
                    GListModel  *files,
                    const char  *encoder,
                    GError     **error)
{
  SvdJobQueue *queue = window_queue (window);
  guint added = 0;

  g_return_val_if_fail (SVD_IS_WINDOW (window), 0);
  for (guint i = 0; queue != NULL && i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      g_autofree char *input = g_file_get_path (file);
      g_autofree char *output = input != NULL ? output_for (queue, input) : NULL;
      g_autofree char *name = g_file_get_parse_name (file);

      if (output == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a local file, or has no free output name beside it"), name);
          return added;
        }
      if (add_job (window, input, output, encoder, error) == NULL)
        return added;
      added++;
    }
  return added;
}

/* The main window jobs take their chain from: the most recently focused. */
static SvdWindow *
main_window (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (SVD_IS_WINDOW (l->data))
      return SVD_WINDOW (l->data);
  return NULL;
}

static const char *
chosen_encoder (GtkFileChooser *chooser)
{
  const char *id = gtk_file_chooser_get_choice (chooser, "encoder");

  for (guint i = 0; encoder_ids[i] != NULL; i++)
    if (g_strcmp0 (id, encoder_ids[i]) == 0)
      return encoder_ids[i];
  return encoder_ids[0];
}

static void
add_encoder_choice (GtkFileChooser *chooser)
{
  gtk_file_chooser_add_choice (chooser, "encoder", _("Encoder"), encoder_ids, encoder_labels ());
  gtk_file_chooser_set_choice (chooser, "encoder", encoder_ids[0]);
}

static void
choose_output_response_cb (GtkNativeDialog *dialog,
                           int              response,
                           gpointer         user_data)
{
  SvdWindow *window = SVD_WINDOW (user_data);
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT && path != NULL)
    {
      if (svd_jobs_add_current_clip (window, path, chosen_encoder (GTK_FILE_CHOOSER (dialog)), &error) == NULL)
        svd_window_show_toast (window, error->message);
      else
        {
          GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

          if (SVD_IS_APPLICATION (app))
            svd_jobs_window_present (SVD_APPLICATION (app));
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (window);
}

/**
 * svd_jobs_choose_output:
 * @window: a main window
 *
 * "Add to Jobs…": asks where to write the restored clip (and with which
 * encoder), then queues it and shows the Jobs window.
 */
void
svd_jobs_choose_output (SvdWindow *window)
{
  GtkFileChooserNative *native;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  g_return_if_fail (SVD_IS_WINDOW (window));
  if (!window->session_open || window_chain (window) == NULL)
    {
      svd_window_show_toast (window, _("Open a clip and add a chain first: jobs restore with the chain the "
                                       "export would take"));
      return;
    }
  native = gtk_file_chooser_native_new (_("Add to Jobs"), GTK_WINDOW (window), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Add"), _("_Cancel"));
  /* Synthesize mode restores the degraded cache; name the output after
   * the clean clip it was made from, as the export does. */
  base = g_path_get_basename (window->session_info.mode == SVD_REFERENCE_SYNTHESIZE &&
                              window->session_info.reference_path != NULL
                              ? window->session_info.reference_path : window->session_info.input_path);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  /* Translators: the default file name of a restored clip; %s is the clip's name */
  name = g_strdup_printf (_("%s-restored.mkv"), base);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  add_encoder_choice (GTK_FILE_CHOOSER (native));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (choose_output_response_cb), g_object_ref (window));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
add_clips_response_cb (GtkNativeDialog *dialog,
                       int              response,
                       gpointer         user_data)
{
  SvdJobsWindow *self = SVD_JOBS_WINDOW (user_data);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  SvdWindow *window = app != NULL ? main_window (app) : NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;
      guint added = 0;

      if (window == NULL || window_chain (window) == NULL)
        svd_jobs_window_show_toast (self, _("Open a clip and add a chain first: jobs restore with the chain the "
                                            "export would take"));
      else
        {
          added = svd_jobs_add_clips (window, files, chosen_encoder (GTK_FILE_CHOOSER (dialog)), &error);
          if (error != NULL)
            svd_jobs_window_show_toast (self, error->message);
          else
            {
              /* Translators: %u is a number of clips */
              g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Added %u clip",
                                                                    "Added %u clips", added), added);

              svd_jobs_window_show_toast (self, text);
            }
        }
    }
  g_clear_object (&self->add_dialog);
  g_object_unref (self);
}

static void
add_clips_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SvdJobsWindow *self = SVD_JOBS_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->add_dialog != NULL)
    {
      gtk_native_dialog_show (self->add_dialog);
      return;
    }
  native = gtk_file_chooser_native_new (_("Add Clips to Restore with the Main Window’s Chain"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  gtk_file_filter_set_name (filter, _("Video Clips"));
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  add_encoder_choice (GTK_FILE_CHOOSER (native));
  self->add_dialog = GTK_NATIVE_DIALOG (native);
  g_signal_connect (native, "response", G_CALLBACK (add_clips_response_cb), g_object_ref (self));
  gtk_native_dialog_show (self->add_dialog);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  SvdJobsWindow *self = user_data;

  return svd_jobs_row_new (self->queue, SVD_QUEUE_JOB (item));
}

static void
items_changed_cb (SvdJobsWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0 ? "list" : "empty");
}

static void
svd_jobs_window_dispose (GObject *object)
{
  SvdJobsWindow *self = SVD_JOBS_WINDOW (object);

  if (self->add_dialog != NULL)
    gtk_native_dialog_destroy (self->add_dialog);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  gtk_widget_dispose_template (GTK_WIDGET (self), SVD_TYPE_JOBS_WINDOW);
  G_OBJECT_CLASS (svd_jobs_window_parent_class)->dispose (object);
}

static void
svd_jobs_window_class_init (SvdJobsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_jobs_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/svdstudio/SvdStudio/svd-jobs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SvdJobsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsWindow, list_box);
  gtk_widget_class_install_action (widget_class, "jobs.add-clips", NULL, add_clips_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
svd_jobs_window_init (SvdJobsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * svd_jobs_window_present:
 * @app: the application
 *
 * Shows the application's Jobs window, making it when there is none.
 *
 * Returns: (transfer none): the window
 */
SvdJobsWindow *
svd_jobs_window_present (SvdApplication *app)
{
  SvdJobsWindow *self = NULL;

  g_return_val_if_fail (SVD_IS_APPLICATION (app), NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL && self == NULL; l = l->next)
    if (SVD_IS_JOBS_WINDOW (l->data))
      self = l->data;
  if (self == NULL)
    {
      self = g_object_new (SVD_TYPE_JOBS_WINDOW, "application", app, NULL);
      self->queue = g_object_ref (svd_application_get_job_queue (app));
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->queue), create_row, self, NULL);
      g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (items_changed_cb), self);
      items_changed_cb (self);
    }
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

void
svd_jobs_window_show_toast (SvdJobsWindow *self,
                            const char    *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (SVD_IS_JOBS_WINDOW (self));
  /* A toast's title is markup; an error may name a file with "&" in it. */
  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

/**
 * svd_jobs_window_get_row:
 * @self: the Jobs window
 * @index: a job's position in the queue
 *
 * Returns: (transfer none) (nullable): its row (for tests)
 */
GtkWidget *
svd_jobs_window_get_row (SvdJobsWindow *self,
                         guint          index)
{
  g_return_val_if_fail (SVD_IS_JOBS_WINDOW (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, (int) index));
}
