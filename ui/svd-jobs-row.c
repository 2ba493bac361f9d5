/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-jobs-row"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "svd-jobs-row.h"

/* One job of the queue in the Jobs window: its output, input and chain,
 * a progress bar, a status line (chunks and frames done, frames reused,
 * the error) and the buttons for what the job can do in its state. Cancel
 * throws finished chunks away, so it asks first; so does Remove when the
 * job still has a folder of finished chunks. */

struct _SvdJobsRow
{
  GtkListBoxRow   parent_instance;

  GtkLabel       *title_label;
  GtkLabel       *subtitle_label;
  GtkWidget      *pause_button;
  GtkWidget      *resume_button;
  GtkWidget      *open_button;
  GtkWidget      *cancel_button;
  GtkWidget      *remove_button;
  GtkProgressBar *progress_bar;
  GtkLabel       *status_label;

  SvdJobQueue    *queue;
  SvdQueueJob    *job;
  char           *status;
};

G_DEFINE_FINAL_TYPE (SvdJobsRow, svd_jobs_row, GTK_TYPE_LIST_BOX_ROW)

static char *
status_text (SvdQueueJob *job)
{
  guint done = svd_queue_job_get_chunks_done (job), n = svd_queue_job_get_n_chunks (job);
  guint before = svd_queue_job_get_chunks_done_before (job);
  gint64 frames = svd_queue_job_get_frames_done (job), total = svd_queue_job_get_frames_total (job);
  gint64 reused = svd_queue_job_get_frames_reused (job);
  g_autofree char *chunks = NULL;
  GString *s = g_string_new (NULL);

  if (n > 0)
    /* Translators: chunks done of the job's chunks */
    chunks = g_strdup_printf (_("%u of %u chunks done"), done, n);
  switch (svd_queue_job_get_state (job))
    {
    case SVD_QUEUE_JOB_QUEUED:
      g_string_append (s, _("Waiting"));
      if (chunks != NULL && done > 0)
        g_string_append_printf (s, " · %s", chunks);
      break;
    case SVD_QUEUE_JOB_RUNNING:
    case SVD_QUEUE_JOB_PAUSING:
      g_string_append (s, svd_queue_job_get_state (job) == SVD_QUEUE_JOB_PAUSING
                          ? _("Pausing after the current chunk") : _("Restoring"));
      if (chunks != NULL)
        g_string_append_printf (s, " · %s", chunks);
      if (total > 0)
        {
          /* Translators: frames done of the clip's frames */
          g_autofree char *text = g_strdup_printf (_("frame %d of %d"), (int) frames, (int) total);

          g_string_append_printf (s, " · %s", text);
        }
      if (reused > 0)
        {
          /* Translators: frames that repeat the one before, whose restored
           * frame was used again instead of running the chain */
          g_autofree char *text = g_strdup_printf (_("%d reused"), (int) reused);

          g_string_append_printf (s, " · %s", text);
        }
      if (before > 0)
        {
          g_autofree char *resumed = NULL;

          /* Translators: the job continued an interrupted one */
          resumed = g_strdup_printf (_("resumed with %u of %u chunks done"), before, n);
          g_string_append_printf (s, " · %s", resumed);
        }
      break;
    case SVD_QUEUE_JOB_PAUSED:
      g_string_append (s, _("Paused"));
      if (chunks != NULL)
        g_string_append_printf (s, " · %s", chunks);
      break;
    case SVD_QUEUE_JOB_DONE:
      {
        g_autofree char *text = NULL;

        /* Translators: frames in the restored clip */
        text = g_strdup_printf (_("Done: %d frames"), (int) frames);
        g_string_append (s, text);
        if (before > 0)
          {
            g_autofree char *resumed = NULL;

            resumed = g_strdup_printf (_("resumed with %u of %u chunks done"), before, n);
            g_string_append_printf (s, " · %s", resumed);
          }
        if (reused > 0)
          {
            g_autofree char *text2 = g_strdup_printf (_("%d reused"), (int) reused);

            g_string_append_printf (s, " · %s", text2);
          }
      }
      break;
    case SVD_QUEUE_JOB_FAILED:
      {
        g_autofree char *text = NULL;

        /* Translators: %s is the reason */
        text = g_strdup_printf (_("Failed: %s"), svd_queue_job_get_message (job));
        g_string_append (s, text);
        if (done > 0)
          g_string_append_printf (s, " · %s", chunks);
      }
      break;
    case SVD_QUEUE_JOB_CANCELLED:
    default:
      g_string_append (s, _("Cancelled; nothing was kept"));
      break;
    }
  return g_string_free (s, FALSE);
}

static void
svd_jobs_row_update (SvdJobsRow *self)
{
  SvdQueueJobState state = svd_queue_job_get_state (self->job);
  gint64 total = svd_queue_job_get_frames_total (self->job);
  gboolean active = state == SVD_QUEUE_JOB_RUNNING || state == SVD_QUEUE_JOB_PAUSING;

  g_free (self->status);
  self->status = status_text (self->job);
  gtk_label_set_text (self->status_label, self->status);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 state == SVD_QUEUE_JOB_DONE ? 1.0
                                 : total > 0 ? CLAMP ((double) svd_queue_job_get_frames_done (self->job) / total, 0, 1)
                                 : 0);
  if (state == SVD_QUEUE_JOB_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_set_visible (self->pause_button, state == SVD_QUEUE_JOB_QUEUED || state == SVD_QUEUE_JOB_RUNNING);
  gtk_widget_set_visible (self->resume_button, state == SVD_QUEUE_JOB_PAUSED || state == SVD_QUEUE_JOB_PAUSING ||
                                               state == SVD_QUEUE_JOB_FAILED || state == SVD_QUEUE_JOB_CANCELLED);
  gtk_widget_set_tooltip_text (self->resume_button,
                               state == SVD_QUEUE_JOB_FAILED ? _("Try Again")
                               : state == SVD_QUEUE_JOB_CANCELLED ? _("Start Over")
                               : _("Resume"));
  gtk_widget_set_visible (self->open_button, state == SVD_QUEUE_JOB_DONE);
  gtk_widget_set_visible (self->cancel_button, state != SVD_QUEUE_JOB_DONE && state != SVD_QUEUE_JOB_CANCELLED);
  gtk_widget_set_visible (self->remove_button, !active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.remove", !active);
}

static void
job_notify_cb (SvdJobsRow *self)
{
  svd_jobs_row_update (self);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SvdJobsRow *self = SVD_JOBS_ROW (widget);

  svd_job_queue_pause (self->queue, self->job);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SvdJobsRow *self = SVD_JOBS_ROW (widget);

  svd_job_queue_resume (self->queue, self->job);
}

static void
open_output_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SvdJobsRow *self = SVD_JOBS_ROW (widget);
  g_autoptr(GFile) file = g_file_new_for_path (svd_queue_job_get_output (self->job));
  g_autofree char *uri = g_file_get_uri (file);
  GtkRoot *root = gtk_widget_get_root (widget);

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

typedef struct {
  SvdJobQueue *queue;
  SvdQueueJob *job;
  gboolean     remove;
} Confirm;

static void
confirm_free (gpointer data)
{
  Confirm *c = data;

  g_object_unref (c->queue);
  g_object_unref (c->job);
  g_free (c);
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  Confirm *c = user_data;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  if (!c->remove)
    svd_job_queue_cancel (c->queue, c->job);
  else if (!svd_job_queue_remove (c->queue, c->job, &error))
    g_warning ("%s", error->message);
}

/* Cancel deletes the finished chunks (hours of work, perhaps): ask. */
static void
ask (SvdJobsRow *self,
     gboolean    remove)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  Confirm *c = g_new0 (Confirm, 1);
  guint done = svd_queue_job_get_chunks_done (self->job);
  g_autofree char *body = NULL;

  c->queue = g_object_ref (self->queue);
  c->job = g_object_ref (self->job);
  c->remove = remove;
  if (done > 0)
    /* Translators: chunks done of the job's chunks */
    body = g_strdup_printf (_("%u of %u chunks are done; they will be deleted, and restoring the clip again "
                              "starts over."), done, svd_queue_job_get_n_chunks (self->job));
  else
    body = g_strdup (_("Restoring the clip again starts over."));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   remove ? _("Remove the Job?") : _("Cancel the Job?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", remove ? _("_Keep It") : _("_Keep Running"),
                                    "delete", remove ? _("_Remove") : _("_Cancel Job"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_data (dialog, "response", G_CALLBACK (confirm_response_cb), c,
                         (GClosureNotify) (void (*) (void)) confirm_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ask (SVD_JOBS_ROW (widget), FALSE);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SvdJobsRow *self = SVD_JOBS_ROW (widget);
  SvdQueueJobState state = svd_queue_job_get_state (self->job);
  g_autoptr(GError) error = NULL;

  /* Finished chunks would be deleted with it: ask. */
  if (state != SVD_QUEUE_JOB_DONE && state != SVD_QUEUE_JOB_CANCELLED &&
      g_file_test (svd_queue_job_get_job_dir (self->job), G_FILE_TEST_IS_DIR))
    {
      ask (self, TRUE);
      return;
    }
  if (!svd_job_queue_remove (self->queue, self->job, &error))
    g_warning ("%s", error->message);
}

static void
svd_jobs_row_dispose (GObject *object)
{
  SvdJobsRow *self = SVD_JOBS_ROW (object);

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->queue);
  gtk_widget_dispose_template (GTK_WIDGET (self), SVD_TYPE_JOBS_ROW);
  G_OBJECT_CLASS (svd_jobs_row_parent_class)->dispose (object);
}

static void
svd_jobs_row_finalize (GObject *object)
{
  SvdJobsRow *self = SVD_JOBS_ROW (object);

  g_free (self->status);
  G_OBJECT_CLASS (svd_jobs_row_parent_class)->finalize (object);
}

static void
svd_jobs_row_class_init (SvdJobsRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_jobs_row_dispose;
  object_class->finalize = svd_jobs_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/svdstudio/SvdStudio/svd-jobs-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, resume_button);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, open_button);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SvdJobsRow, status_label);

  gtk_widget_class_install_action (widget_class, "job.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "job.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "job.open-output", NULL, open_output_action);
  gtk_widget_class_install_action (widget_class, "job.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "job.remove", NULL, remove_action);
}

static void
svd_jobs_row_init (SvdJobsRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * svd_jobs_row_new:
 * @queue: the queue @job is in
 * @job: the job to show
 *
 * Returns: (transfer floating): the row
 */
GtkWidget *
svd_jobs_row_new (SvdJobQueue *queue,
                  SvdQueueJob *job)
{
  SvdJobsRow *self = g_object_new (SVD_TYPE_JOBS_ROW, NULL);
  g_autofree char *output = g_path_get_basename (svd_queue_job_get_output (job));
  g_autofree char *input = g_path_get_basename (svd_queue_job_get_input (job));
  g_autofree char *subtitle = NULL;
  g_auto(GStrv) steps = g_strsplit (svd_queue_job_get_chain (job), ",", -1);
  g_autofree char *chain = NULL;

  /* The chain's file names, not their whole paths. */
  for (guint i = 0; steps[i] != NULL; i++)
    {
      char *base = g_path_get_basename (steps[i]);

      g_free (steps[i]);
      steps[i] = base;
    }
  chain = g_strjoinv (", ", steps);
  self->queue = g_object_ref (queue);
  self->job = g_object_ref (job);
  gtk_label_set_text (self->title_label, output);
  /* Translators: the clip a job restores, then its chain */
  subtitle = g_strdup_printf (_("From %s with %s"), input, chain);
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subtitle_label), svd_queue_job_get_input (job));
  g_signal_connect_swapped (job, "notify", G_CALLBACK (job_notify_cb), self);
  svd_jobs_row_update (self);
  return GTK_WIDGET (self);
}

SvdQueueJob *
svd_jobs_row_get_job (SvdJobsRow *self)
{
  g_return_val_if_fail (SVD_IS_JOBS_ROW (self), NULL);
  return self->job;
}

/**
 * svd_jobs_row_get_status:
 * @self: a row
 *
 * Returns: the status line it shows (for tests)
 */
const char *
svd_jobs_row_get_status (SvdJobsRow *self)
{
  g_return_val_if_fail (SVD_IS_JOBS_ROW (self), NULL);
  return self->status;
}
