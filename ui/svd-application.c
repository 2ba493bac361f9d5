/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-application"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "svd-application.h"
#include "svd-app-settings.h"
#include "core/svd-priority.h"
#include "session/svd-job-queue.h"
#include "svd-jobs-window.h"
#include "svd-preferences.h"
#include "svd-window.h"

struct _SvdApplication
{
  AdwApplication  parent_instance;

  /* NULL when the schema is not installed (running from a source tree
   * without `meson devenv`): the app still works, it just forgets. */
  GSettings      *settings;

  /* The restore jobs (issue #25): made at startup, stopped at shutdown. */
  SvdJobQueue    *queue;
  char           *queue_error;   /* a damaged queue file, told once a window shows */
  gboolean        queue_told;
};

G_DEFINE_FINAL_TYPE (SvdApplication, svd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { NULL }
};

/**
 * svd_application_new:
 * @flags: extra #GApplicationFlags; %G_APPLICATION_HANDLES_OPEN is always set
 *
 * Returns: (transfer full): the application
 */
SvdApplication *
svd_application_new (GApplicationFlags flags)
{
  return g_object_new (SVD_TYPE_APPLICATION,
                       "application-id", SVD_APP_ID,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/svdstudio/SvdStudio",
                       NULL);
}

/**
 * svd_application_get_settings:
 * @self: a #SvdApplication
 *
 * Returns: (transfer none) (nullable): the app's settings, or %NULL when the
 *   GSettings schema is not installed
 */
GSettings *
svd_application_get_settings (SvdApplication *self)
{
  g_return_val_if_fail (SVD_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * svd_application_get_job_queue:
 * @self: a #SvdApplication
 *
 * Returns: (transfer none): the queue of restore jobs the Jobs window
 *   shows
 */
SvdJobQueue *
svd_application_get_job_queue (SvdApplication *self)
{
  g_return_val_if_fail (SVD_IS_APPLICATION (self), NULL);

  return self->queue;
}

/* Runs on the queue's worker thread when a job starts. */
static void
queue_settings_cb (SvdSettings *settings,
                   gpointer     user_data)
{
  svd_app_settings_get (settings);
}

static void
job_finished_cb (SvdJobQueue    *queue,
                 SvdQueueJob    *job,
                 SvdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *name = g_path_get_basename (svd_queue_job_get_output (job));
  g_autofree char *text = NULL;

  if (svd_queue_job_get_state (job) == SVD_QUEUE_JOB_DONE)
    /* Translators: %s is the restored clip's file name */
    text = g_strdup_printf (_("Restored “%s”"), name);
  else if (svd_queue_job_get_state (job) == SVD_QUEUE_JOB_FAILED)
    /* Translators: %s is the file name of the clip a job was writing */
    text = g_strdup_printf (_("The job for “%s” failed; the Jobs window says why"), name);
  else
    return;
  if (SVD_IS_JOBS_WINDOW (window))
    svd_jobs_window_show_toast (SVD_JOBS_WINDOW (window), text);
  else if (SVD_IS_WINDOW (window))
    {
      g_autofree char *escaped = g_markup_escape_text (text, -1);

      svd_window_show_toast (SVD_WINDOW (window), escaped);
    }
}

static SvdWindow *
svd_application_get_or_create_window (SvdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SVD_IS_WINDOW (window))
    return SVD_WINDOW (window);

  return svd_window_new (self);
}

static gint
svd_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("svd-studio %s\n", SVD_VERSION);
      return 0;
    }

  /* -1: carry on with the default processing (register, activate/open). */
  return -1;
}

static void
svd_application_startup (GApplication *app)
{
  SvdApplication *self = SVD_APPLICATION (app);
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *export_accels[] = { "<Control>e", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *jobs_accels[] = { "<Control>j", NULL };
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (svd_application_parent_class)->startup (app);

  /* Compute (workers, FFmpeg, PoCL's thread pool on a CPU device) runs
   * below the UI's priority: on a small CPU it would otherwise keep the
   * main loop from a core and playback would stutter, while at a lower
   * priority it still gets every core the UI leaves idle. Set before any
   * OpenCL call and before any worker thread exists. */
  svd_priority_set_background_compute (10);

  /* g_settings_new() aborts on a missing schema, so look it up first. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SVD_APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_warning ("The GSettings schema %s is not installed, so window size and "
               "preferences will not be saved. Install the app, or run it "
               "from the build directory with `meson devenv`.", SVD_APP_ID);
  /* Workers (the export) read Preferences through this. */
  svd_app_settings_track (self->settings);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.export", export_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.jobs", jobs_accels);

  /* Jobs that were queued or running when the app last quit resume now,
   * without a click: the user asked for them to run, and quitting (or a
   * crash, or logging out) only interrupted them, as a download manager
   * or a torrent client carries on. Paused jobs stay paused. The job
   * folder of each keeps its finished chunks, so nothing is done twice. */
  self->queue = svd_job_queue_new (NULL);
  svd_job_queue_set_settings_func (self->queue, queue_settings_cb, NULL);
  if (!svd_job_queue_load (self->queue, &error))
    {
      g_warning ("%s", error->message);
      self->queue_error = g_strdup (error->message);
    }
  else if (svd_job_queue_is_read_only (self->queue))
    self->queue_error = g_strdup (_("Another SVD Studio or “svd queue run” runs the restore jobs; this window "
                                    "shows them but cannot change them"));
  g_signal_connect (self->queue, "job-finished", G_CALLBACK (job_finished_cb), self);
  svd_job_queue_start (self->queue);
}

static void
svd_application_shutdown (GApplication *app)
{
  SvdApplication *self = SVD_APPLICATION (app);

  /* The running job stops now with its finished chunks kept, and stays
   * queued for the next start. */
  if (self->queue != NULL)
    svd_job_queue_shutdown (self->queue);

  G_APPLICATION_CLASS (svd_application_parent_class)->shutdown (app);
}

/* Once, in the first window: a damaged queue file (kept aside), and the
 * jobs that resumed on their own. */
static void
svd_application_tell_queue (SvdApplication *self,
                            SvdWindow      *window)
{
  if (self->queue_told)
    return;
  self->queue_told = TRUE;
  if (self->queue_error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (self->queue_error, -1);

      svd_window_show_toast (window, escaped);
      g_clear_pointer (&self->queue_error, g_free);
    }
  else if (svd_job_queue_is_running (self->queue))
    {
      guint n = svd_job_queue_count_unfinished (self->queue);
      g_autofree char *text = NULL;

      /* Translators: %u is a number of restore jobs */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Resuming %u restore job (Ctrl+J shows it)",
                                           "Resuming %u restore jobs (Ctrl+J shows them)", n), n);
      svd_window_show_toast (window, text);
    }
}

static void
svd_application_activate (GApplication *app)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
  SvdWindow *window = svd_application_get_or_create_window (SVD_APPLICATION (app));

  /* Started without a file: open on the demo, so the first screen is
   * already a comparison. */
  if (active == NULL)
    svd_window_show_demo (window);

  gtk_window_present (GTK_WINDOW (window));
  svd_application_tell_queue (SVD_APPLICATION (app), window);
}

static void
svd_application_open (GApplication  *app,
                      GFile        **files,
                      gint           n_files,
                      const gchar   *hint)
{
  SvdWindow *window = svd_application_get_or_create_window (SVD_APPLICATION (app));

  /* One session per window: the first file is the clip to work on. */
  if (n_files > 0)
    svd_window_open_file (window, files[0]);

  gtk_window_present (GTK_WINDOW (window));
  svd_application_tell_queue (SVD_APPLICATION (app), window);
}

static void
svd_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  SvdApplication *self = user_data;
  static const char *developers[] = { "The SVD Studio contributors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("SVD Studio"),
                        "application-icon", SVD_APP_ID,
                        "developer-name", _("The SVD Studio contributors"),
                        "version", SVD_VERSION,
                        "comments", _("Restore compressed video with small neural networks and compare the results."),
                        "website", "https://github.com/svdstudio/svd-studio",
                        "issue-url", "https://github.com/svdstudio/svd-studio/issues",
                        "developers", developers,
                        /* Translators: replace with your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        "copyright", "© 2026 The SVD Studio contributors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
svd_application_preferences_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  SvdApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->settings == NULL)
    return;  /* no schema installed: nothing could be saved */
  gtk_window_present (GTK_WINDOW (svd_preferences_new (parent, self->settings)));
}

static void
svd_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  SvdApplication *self = user_data;
  GList *windows;

  /* Close the windows rather than g_application_quit() so each one saves
   * its state and cancels its work in close-request/dispose. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
svd_application_jobs_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  svd_jobs_window_present (SVD_APPLICATION (user_data));
}

static void
svd_application_add_job_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  SvdApplication *self = user_data;

  /* The most recently focused main window: its clip and chain. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SVD_IS_WINDOW (l->data))
      {
        svd_jobs_choose_output (SVD_WINDOW (l->data));
        return;
      }
}

static const GActionEntry app_actions[] = {
  { "jobs", svd_application_jobs_action },
  { "add-job", svd_application_add_job_action },
  { "about", svd_application_about_action },
  { "preferences", svd_application_preferences_action },
  { "quit", svd_application_quit_action },
};

static void
svd_application_dispose (GObject *object)
{
  SvdApplication *self = SVD_APPLICATION (object);

  g_clear_object (&self->settings);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->queue_error, g_free);

  G_OBJECT_CLASS (svd_application_parent_class)->dispose (object);
}

static void
svd_application_class_init (SvdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = svd_application_dispose;

  app_class->handle_local_options = svd_application_handle_local_options;
  app_class->startup = svd_application_startup;
  app_class->activate = svd_application_activate;
  app_class->open = svd_application_open;
  app_class->shutdown = svd_application_shutdown;
}

static void
svd_application_init (SvdApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Restore compressed video and compare the results."));
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
}
