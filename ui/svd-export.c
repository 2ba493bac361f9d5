/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-export"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "core/svd-error.h"
#include "core/svd-settings.h"
#include "engine/svd-engine.h"
#include "media/svd-writer.h"
#include "model/svd-model.h"
#include "session/svd-chunk-job.h"
#include "session/svd-restore-job.h"
#include "session/svd-worker.h"

#include "svd-chain-editor.h"
#include "svd-export-private.h"
#include "svd-app-settings.h"
#include "svd-setup.h"
#include "svd-window.h"
#include "svd-window-private.h"

/* The export dialog restores the session's input with chain 1 into a new
 * file through libsvd's restore job (svd_restore_job_run(), the job `svd
 * restore` runs), so audio and subtitles are stream-copied the same way.
 * The whole job (model parsing, the engine, decoding, encoding) runs on
 * the dialog's own SvdWorker: the OpenCL objects are created, used and
 * freed on that one thread, and the main loop only sees coalesced progress
 * reports. The writer works on a hidden temporary file, so a cancelled or
 * failed export never leaves a partial output behind. */

static const char *presets[] = { "ultrafast", "superfast", "veryfast", "faster", "fast",
                                 "medium", "slow", "slower", "veryslow" };

struct _SvdExportDialog
{
  AdwWindow        parent_instance;

  GtkWindow       *parent;
  char            *input_path;
  char            *audio_path;
  char            *clip_path;     /* the clip the user opened: the default name */
  gint64           n_frames;
  SvdChain        *chain;        /* the chosen one of @chains */
  GPtrArray       *chains;       /* SvdChain, the session's, by number */
  GArray          *numbers;      /* guint, each one's number from 1 */
  GtkStringList   *chain_names;
  AdwComboRow     *chain_row;
  gboolean         output_chosen; /* by the user: keep it when the chain changes */
  GFile           *output;
  char           **encoders;

  GtkWidget       *cancel_button;
  GtkWidget       *export_button;
  GtkWidget       *settings_page;
  AdwActionRow    *file_row;
  AdwPreferencesGroup *chain_group;
  AdwComboRow     *encoder_row;
  AdwComboRow     *preset_row;
  GtkWidget       *crf_row;
  GtkSpinButton   *crf_spin;
  GtkSpinButton   *first_spin;
  GtkSpinButton   *last_spin;
  GtkWidget       *progress_group;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkNativeDialog *file_dialog;

  SvdWorker       *worker;
  GCancellable    *cancellable;
  SvdExportState   state;
  char            *message;
  gint64           frames_written;
};

G_DEFINE_FINAL_TYPE (SvdExportDialog, svd_export_dialog, ADW_TYPE_WINDOW)

static void chain_changed_cb (SvdExportDialog *self);

typedef struct {
  char         *input_path;
  char         *output_path;
  char         *audio_path;
  SvdChain     *chain;        /* a copy the worker loads the models of */
  char         *encoder;
  char         *preset;
  int           crf;
  gint64        first;
  gint64        end;
  GCancellable *cancellable;
  SvdWorker    *worker;       /* for progress reports only */
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_free (job->input_path);
  g_free (job->output_path);
  g_free (job->audio_path);
  g_clear_pointer (&job->chain, svd_chain_free);
  g_free (job->encoder);
  g_free (job->preset);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void
export_progress_cb (const SvdWriterProgress *progress,
                    gpointer                 user_data)
{
  ExportJob *job = user_data;
  g_autofree char *text = NULL;
  double fraction = progress->frames_total > 0
    ? (double) progress->frames_done / progress->frames_total : -1;

  /* Runs on the encode thread; the worker coalesces the reports. */
  /* Speed and ETA mean nothing over the first few frames. */
  if (progress->elapsed_s < 0.5)
    /* Translators: frames done of total */
    text = g_strdup_printf (_("Frame %d of %d"),
                            (int) progress->frames_done, (int) progress->frames_total);
  else if (progress->eta_s >= 0)
    /* Translators: frames done of total, frames per second, seconds left */
    text = g_strdup_printf (_("Frame %d of %d · %.1f fps · %.0f s left"),
                            (int) progress->frames_done, (int) progress->frames_total, progress->fps, progress->eta_s);
  else
    text = g_strdup_printf (_("Frame %d of %d · %.1f fps"),
                            (int) progress->frames_done, (int) progress->frames_total, progress->fps);
  svd_worker_report_progress (job->worker, fraction, text);
}

static void
cancel_chained (GCancellable *cancellable,
                gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* Loads the chain and runs libsvd's restore job, the one `svd restore`
 * runs: the same audio and subtitle stream copy, atomic write and
 * cancellation. */
static gpointer
export_job (SvdWorker     *worker,
            gpointer       state,
            gpointer       job_data,
            GCancellable  *cancellable,
            GError       **error)
{
  ExportJob *job = job_data;
  g_auto(SvdSettings) settings = { 0 };
  g_auto(SvdRestoreJobResult) result = { 0 };
  SvdRestoreJob rj;
  gulong handler;
  gboolean ok;
  gint64 *written;
  guint n_chunks = 0, chunks_done_before = 0;

  /* Freeing the dialog invalidates the worker; stop the run then too. */
  handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_chained),
                                   g_object_ref (job->cancellable), g_object_unref);

  if (!svd_chain_load_models (job->chain, error))
    {
      g_cancellable_disconnect (cancellable, handler);
      return NULL;
    }
  svd_app_settings_get (&settings);

  svd_restore_job_init (&rj);
  rj.input_path = job->input_path;
  rj.output_path = job->output_path;
  rj.copy_from = job->audio_path;
  rj.chain = job->chain;
  rj.first = job->first;
  rj.end = job->end;
  rj.encoder = job->encoder;
  rj.crf = job->crf;
  rj.preset = job->preset;
  rj.settings = &settings;
  rj.cancellable = job->cancellable;
  rj.progress = export_progress_cb;
  rj.user_data = job;
  /* A whole clip longer than one chunk goes through the chunked job
   * `svd restore` runs: an export cancelled or killed midway leaves its
   * finished chunks in OUTPUT.svdjob/, and exporting the same again
   * resumes. The user confirmed replacing the output, so a job folder
   * left for other settings is started over. */
  {
    g_autoptr(SvdReader) reader = NULL;
    SvdReaderOptions ro;
    gboolean chunked = FALSE;

    svd_reader_options_init (&ro);
    reader = svd_reader_open (job->input_path, &ro, NULL);
    if (reader != NULL && job->audio_path == NULL && job->first == 0)
      {
        const SvdVideoInfo *info = svd_reader_get_info (reader);

        chunked = (job->end < 0 || job->end >= info->n_frames) &&
                  info->n_frames > svd_chunk_job_default_chunk_frames (info) &&
                  info->rotation % 360 == 0 && !info->hflip;
      }
    if (chunked)
      {
        g_autofree char *dir = svd_chunk_job_dir_for_output (job->output_path);
        g_autoptr(SvdChunkJob) old = svd_chunk_job_open (dir, NULL);
        g_auto(SvdChunkJobResult) cres = { 0 };
        SvdChunkJobOptions co;

        rj.reader = reader;
        svd_chunk_job_options_init (&co);
        co.restart = old != NULL && !svd_chunk_job_matches (old, &rj, &co, NULL);
        /* The engine is created, used and freed here, on the worker thread. */
        ok = svd_chunk_job_restore (&rj, &co, NULL, &cres, error);
        result.frames = cres.frames;
        n_chunks = cres.n_chunks;
        chunks_done_before = cres.chunks_done_before;
      }
    else
      ok = svd_restore_job_run (&rj, &result, error);
  }
  g_cancellable_disconnect (cancellable, handler);
  if (!ok)
    return NULL;
  /* Frames written, then (chunked) chunks in the job and done before. */
  written = g_new (gint64, 3);
  written[0] = result.frames;
  written[1] = n_chunks;
  written[2] = chunks_done_before;
  return written;
}

static void
svd_export_dialog_set_running (SvdExportDialog *self,
                               gboolean         running)
{
  gtk_widget_set_sensitive (self->settings_page, !running);
  gtk_widget_set_visible (self->export_button, !running);
  gtk_widget_set_visible (self->progress_group, running || self->state != SVD_EXPORT_IDLE);
}

static void
export_progress_ui_cb (double      fraction,
                       const char *text,
                       gpointer    user_data)
{
  SvdExportDialog *self = user_data;

  if (self->state != SVD_EXPORT_RUNNING)
    return;
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  else
    gtk_progress_bar_pulse (self->progress_bar);
  if (text != NULL)
    gtk_label_set_text (self->progress_label, text);
  if (self->parent != NULL && SVD_IS_WINDOW (self->parent))
    svd_window_export_progress (SVD_WINDOW (self->parent), self, fraction, text);
}

static void
export_done_cb (guint64       serial,
                gpointer      result,
                const GError *error,
                gpointer      user_data)
{
  SvdExportDialog *self = user_data;

  g_clear_pointer (&self->message, g_free);
  if (result != NULL)
    {
      g_autofree char *name = g_file_get_basename (self->output);

      const gint64 *r = result;

      self->frames_written = r[0];
      self->state = SVD_EXPORT_DONE;
      if (r[2] > 0)
        /* Translators: %s is the output file's name; a long export is
         * restored in chunks, and this one continued an interrupted one */
        self->message = g_strdup_printf (_("Exported “%s” (resumed: %d of %d chunks were already done)"), name,
                                         (int) r[2], (int) r[1]);
      else
        /* Translators: %s is the output file's name */
        self->message = g_strdup_printf (_("Exported “%s”"), name);
      g_free (result);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *path = g_file_get_path (self->output);
      g_autofree char *dir = path != NULL ? svd_chunk_job_dir_for_output (path) : NULL;

      self->state = SVD_EXPORT_CANCELLED;
      /* A chunked export keeps what it finished for the next try. */
      if (dir != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR))
        self->message = g_strdup (_("Export cancelled; its finished chunks are kept, and exporting the same "
                                    "again resumes"));
      else
        self->message = g_strdup (_("Export cancelled; no file was written"));
    }
  else
    {
      self->state = SVD_EXPORT_FAILED;
      /* Translators: %s is the reason */
      self->message = g_strdup_printf (_("Export failed: %s"), error->message);
    }
  gtk_progress_bar_set_fraction (self->progress_bar, self->state == SVD_EXPORT_DONE ? 1.0 : 0.0);
  gtk_label_set_text (self->progress_label, self->message);
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  svd_export_dialog_set_running (self, FALSE);

  if (self->state == SVD_EXPORT_DONE && self->parent != NULL && SVD_IS_WINDOW (self->parent) &&
      SVD_WINDOW (self->parent)->settings != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->output);
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      /* The next export is suggested in the same folder. */
      if (path != NULL)
        g_settings_set_string (SVD_WINDOW (self->parent)->settings, "export-folder", path);
    }
  /* The window said how it went (a toast with Open and Show in Folder);
   * a failure brings the dialog back, with its settings, to try again. */
  if (self->parent != NULL && SVD_IS_WINDOW (self->parent))
    svd_window_export_finished (SVD_WINDOW (self->parent), self, self->state, self->message, self->output);
  if (self->state == SVD_EXPORT_FAILED)
    gtk_window_present (GTK_WINDOW (self));
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
svd_export_dialog_update_file_row (SvdExportDialog *self)
{
  g_autofree char *path = self->output != NULL ? g_file_get_path (self->output) : NULL;

  adw_action_row_set_subtitle (self->file_row, path != NULL ? path : _("None chosen"));
  gtk_widget_set_sensitive (self->export_button, self->output != NULL);
}

void
svd_export_dialog_set_output (SvdExportDialog *self,
                              GFile           *file)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));

  g_set_object (&self->output, file);
  svd_export_dialog_update_file_row (self);
}

GFile *
svd_export_dialog_get_output (SvdExportDialog *self)
{
  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), NULL);

  return self->output;
}

/**
 * svd_export_dialog_set_range:
 * @self: a dialog
 * @first: the index of the first frame to export, from 0
 * @last: the index of the last frame to export (inclusive)
 *
 * The dialog shows them counted from 1, as the transport does.
 */
void
svd_export_dialog_set_range (SvdExportDialog *self,
                             gint64           first,
                             gint64           last)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));

  gtk_spin_button_set_value (self->first_spin, first + 1);
  gtk_spin_button_set_value (self->last_spin, last + 1);
}

void
svd_export_dialog_set_encoder (SvdExportDialog *self,
                               const char      *encoder,
                               int              crf)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));

  for (guint i = 0; self->encoders[i] != NULL; i++)
    if (g_str_equal (self->encoders[i], encoder))
      adw_combo_row_set_selected (self->encoder_row, i);
  gtk_spin_button_set_value (self->crf_spin, crf);
}

static void
svd_export_dialog_show_failure (SvdExportDialog *self,
                                const GError    *error)
{
  self->state = SVD_EXPORT_FAILED;
  g_free (self->message);
  self->message = g_strdup (error->message);
  gtk_label_set_text (self->progress_label, self->message);
  gtk_widget_set_visible (self->progress_group, TRUE);
}

/**
 * svd_export_dialog_set_audio_source:
 * @self: a dialog
 * @path: (nullable): the file whose audio and subtitles the export copies;
 *   %NULL for the input itself
 *
 * In Synthesize mode the input is the degraded cache file, which has no
 * audio; the clean clip it was made from has the same timestamps and the
 * audio the user expects in the export.
 */
void
svd_export_dialog_set_audio_source (SvdExportDialog *self,
                                    const char      *path)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));

  g_free (self->audio_path);
  self->audio_path = g_strdup (path);
}

/**
 * svd_export_dialog_start:
 * @self: a dialog
 *
 * Starts the export with the dialog's settings.
 *
 * Returns: %TRUE if it started
 */
gboolean
svd_export_dialog_start (SvdExportDialog *self)
{
  g_autoptr(GError) error = NULL;
  ExportJob *job;
  guint encoder, preset;

  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), FALSE);

  if (self->state == SVD_EXPORT_RUNNING || self->output == NULL || self->encoders[0] == NULL)
    return FALSE;
  if (gtk_spin_button_get_value_as_int (self->first_spin) > gtk_spin_button_get_value_as_int (self->last_spin))
    {
      g_set_error (&error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   _("The frame range is empty: the clip has %d frames"), (int) self->n_frames);
      svd_export_dialog_show_failure (self, error);
      return FALSE;
    }
  encoder = adw_combo_row_get_selected (self->encoder_row);
  preset = adw_combo_row_get_selected (self->preset_row);
  job = g_new0 (ExportJob, 1);
  job->input_path = g_strdup (self->input_path);
  job->audio_path = g_strdup (self->audio_path);
  job->output_path = g_file_get_path (self->output);
  job->chain = svd_chain_copy (self->chain);
  job->encoder = g_strdup (self->encoders[MIN (encoder, g_strv_length (self->encoders) - 1)]);
  job->crf = gtk_widget_get_sensitive (self->crf_row) ? gtk_spin_button_get_value_as_int (self->crf_spin) : -1;
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->preset_row)) && preset > 0 && preset <= G_N_ELEMENTS (presets))
    job->preset = g_strdup (presets[preset - 1]);
  /* The spin buttons count frames from 1, as the transport does. */
  job->first = gtk_spin_button_get_value_as_int (self->first_spin) - 1;
  job->end = gtk_spin_button_get_value_as_int (self->last_spin);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  job->cancellable = g_object_ref (self->cancellable);
  job->worker = self->worker;

  if (svd_worker_submit (self->worker, 0, export_job, job, export_job_free, g_free,
                         export_done_cb, self, &error) == 0)
    {
      svd_export_dialog_show_failure (self, error);
      return FALSE;
    }
  self->state = SVD_EXPORT_RUNNING;
  self->frames_written = 0;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Loading the chain…"));
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Cancel"));
  svd_export_dialog_set_running (self, TRUE);
  /* The export runs on while the user goes on comparing: its progress and
   * its Cancel button are in the window, and the dialog steps aside. */
  if (self->parent != NULL && SVD_IS_WINDOW (self->parent))
    {
      svd_window_export_progress (SVD_WINDOW (self->parent), self, 0, _("Loading the chain…"));
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
    }
  return TRUE;
}

void
svd_export_dialog_cancel (SvdExportDialog *self)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));

  if (self->state == SVD_EXPORT_RUNNING)
    g_cancellable_cancel (self->cancellable);
}

SvdExportState
svd_export_dialog_get_state (SvdExportDialog *self)
{
  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), SVD_EXPORT_IDLE);

  return self->state;
}

const char *
svd_export_dialog_get_message (SvdExportDialog *self)
{
  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), NULL);

  return self->message;
}

gint64
svd_export_dialog_get_frames_written (SvdExportDialog *self)
{
  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), 0);

  return self->frames_written;
}

static void
cancel_clicked_cb (SvdExportDialog *self)
{
  if (self->state == SVD_EXPORT_RUNNING)
    svd_export_dialog_cancel (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
file_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  SvdExportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      svd_export_dialog_set_output (self, file);
      self->output_chosen = TRUE;
    }
}

static void
choose_clicked_cb (SvdExportDialog *self)
{
  g_autofree char *name = NULL;

  if (self->file_dialog == NULL)
    {
      self->file_dialog = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Export Restored Clip"),
                                                                          GTK_WINDOW (self),
                                                                          GTK_FILE_CHOOSER_ACTION_SAVE,
                                                                          _("_Save"), _("_Cancel")));
      gtk_native_dialog_set_modal (self->file_dialog, TRUE);
      g_signal_connect (self->file_dialog, "response", G_CALLBACK (file_response_cb), self);
    }
  name = self->output != NULL ? g_file_get_basename (self->output) : g_strdup ("restored.mkv");
  if (self->output != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->output);

      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->file_dialog), folder, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->file_dialog), name);
  gtk_native_dialog_show (self->file_dialog);
}

static void
encoder_changed_cb (SvdExportDialog *self)
{
  guint i = adw_combo_row_get_selected (self->encoder_row);
  const char *name = i < g_strv_length (self->encoders) ? self->encoders[i] : "";

  /* FFV1 is lossless: no CRF. Only the x264/x265 presets have these names. */
  gtk_widget_set_sensitive (self->crf_row, !g_str_equal (name, "ffv1"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->preset_row),
                            g_str_equal (name, "libx264") || g_str_equal (name, "libx265"));
}

static GtkSpinButton *
add_spin_row (AdwPreferencesGroup *group,
              const char          *title,
              double               lower,
              double               upper,
              double               value,
              GtkWidget          **row_out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  if (row_out != NULL)
    *row_out = row;
  return GTK_SPIN_BUTTON (spin);
}

static void
svd_export_dialog_dispose (GObject *object)
{
  SvdExportDialog *self = SVD_EXPORT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* Joins the thread; the writer deletes its temporary file. */
  g_clear_pointer (&self->worker, svd_worker_free);
  if (self->file_dialog != NULL)
    gtk_native_dialog_destroy (self->file_dialog);
  g_clear_object (&self->file_dialog);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->output);

  G_OBJECT_CLASS (svd_export_dialog_parent_class)->dispose (object);
}

static void
svd_export_dialog_finalize (GObject *object)
{
  SvdExportDialog *self = SVD_EXPORT_DIALOG (object);

  g_free (self->input_path);
  g_free (self->audio_path);
  g_free (self->clip_path);
  g_clear_pointer (&self->chains, g_ptr_array_unref);
  g_clear_pointer (&self->numbers, g_array_unref);
  g_clear_object (&self->chain_names);
  g_strfreev (self->encoders);
  g_free (self->message);

  G_OBJECT_CLASS (svd_export_dialog_parent_class)->finalize (object);
}

static void
svd_export_dialog_class_init (SvdExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_export_dialog_dispose;
  object_class->finalize = svd_export_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
svd_export_dialog_init (SvdExportDialog *self)
{
  g_autofree char *list = svd_writer_list_encoders ();
  g_auto(GStrv) parts = g_strsplit (list, ", ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GtkStringList) encoders = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) preset_names = gtk_string_list_new (NULL);
  GtkWidget *toolbar, *header, *page, *button, *box;
  AdwPreferencesGroup *group;

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      {
        g_strv_builder_add (builder, parts[i]);
        gtk_string_list_append (encoders, parts[i]);
      }
  self->encoders = g_strv_builder_end (builder);

  gtk_window_set_title (GTK_WINDOW (self), _("Export Restored Clip"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 680);
  /* Not modal: the comparison goes on beside it and during the export. */
  gtk_window_set_modal (GTK_WINDOW (self), FALSE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->cancel_button);
  self->export_button = gtk_button_new_with_mnemonic (_("_Export"));
  gtk_widget_add_css_class (self->export_button, "suggested-action");
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (svd_export_dialog_start), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->export_button);
  gtk_box_append (GTK_BOX (toolbar), header);

  /* The page scrolls by itself; the progress stays in view below it. */
  box = toolbar;
  page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  self->settings_page = page;
  gtk_box_append (GTK_BOX (toolbar), page);

  self->chain_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->chain_group);
  self->chains = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_chain_free);
  self->numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  self->chain_names = gtk_string_list_new (NULL);
  self->chain_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->chain_row), _("Chain"));
  adw_combo_row_set_model (self->chain_row, G_LIST_MODEL (self->chain_names));
  svd_combo_row_show_whole_items (self->chain_row);
  adw_preferences_group_add (self->chain_group, GTK_WIDGET (self->chain_row));
  g_signal_connect_swapped (self->chain_row, "notify::selected", G_CALLBACK (chain_changed_cb), self);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Output"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);
  self->file_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), _("File"));
  button = gtk_button_new_with_mnemonic (_("_Choose…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  adw_action_row_add_suffix (self->file_row, button);
  adw_action_row_set_activatable_widget (self->file_row, button);
  adw_preferences_group_add (group, GTK_WIDGET (self->file_row));

  self->encoder_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->encoder_row), _("Encoder"));
  adw_combo_row_set_model (self->encoder_row, G_LIST_MODEL (encoders));
  adw_preferences_group_add (group, GTK_WIDGET (self->encoder_row));
  self->crf_spin = add_spin_row (group, _("Quality (CRF, lower is better)"), 0, 63, 20, &self->crf_row);

  gtk_string_list_append (preset_names, _("Encoder default"));
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    gtk_string_list_append (preset_names, presets[i]);
  self->preset_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preset_row), _("Speed Preset"));
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (preset_names));
  adw_preferences_group_add (group, GTK_WIDGET (self->preset_row));
  g_signal_connect_swapped (self->encoder_row, "notify::selected", G_CALLBACK (encoder_changed_cb), self);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Frames"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);
  self->first_spin = add_spin_row (group, _("First Frame"), 1, 1, 1, NULL);
  self->last_spin = add_spin_row (group, _("Last Frame"), 1, 1, 1, NULL);

  self->progress_group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (self->progress_group, 24);
  gtk_widget_set_margin_end (self->progress_group, 24);
  gtk_widget_set_margin_top (self->progress_group, 12);
  gtk_widget_set_margin_bottom (self->progress_group, 24);
  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->progress_label, TRUE);
  gtk_label_set_xalign (self->progress_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "numeric");
  gtk_box_append (GTK_BOX (self->progress_group), GTK_WIDGET (self->progress_bar));
  gtk_box_append (GTK_BOX (self->progress_group), GTK_WIDGET (self->progress_label));
  gtk_widget_set_visible (self->progress_group, FALSE);
  gtk_box_append (GTK_BOX (box), self->progress_group);

  adw_window_set_content (ADW_WINDOW (self), toolbar);

  self->worker = svd_worker_new ("svd-export", NULL, 1, NULL, NULL, NULL);
  svd_worker_set_progress_func (self->worker, export_progress_ui_cb, self);
  encoder_changed_cb (self);
  svd_export_dialog_update_file_row (self);
}

/**
 * svd_export_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @input_path: the session's input (for Synthesize mode, the degraded file)
 * @n_frames: frames in the input
 * @chain_number: which of the session's chains it is, from 1 (its title)
 * @chain: that chain (copied; its models are loaded when the export runs)
 *
 * Returns: (transfer none): a new dialog, owned by GTK until closed
 */
SvdExportDialog *
svd_export_dialog_new (GtkWindow          *parent,
                       const char         *input_path,
                       gint64              n_frames,
                       guint               chain_number,
                       const SvdChain     *chain)
{
  SvdExportDialog *self;

  g_return_val_if_fail (input_path != NULL, NULL);
  g_return_val_if_fail (chain != NULL && chain->steps->len > 0, NULL);

  self = g_object_new (SVD_TYPE_EXPORT_DIALOG, NULL);
  self->parent = parent;
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->input_path = g_strdup (input_path);
  self->clip_path = g_strdup (input_path);
  self->n_frames = MAX (n_frames, 1);

  gtk_spin_button_set_range (self->first_spin, 1, self->n_frames);
  gtk_spin_button_set_range (self->last_spin, 1, self->n_frames);
  gtk_spin_button_set_value (self->first_spin, 1);
  gtk_spin_button_set_value (self->last_spin, self->n_frames);

  svd_export_dialog_add_chain (self, chain_number, chain);
  return self;
}

/* A name the file system takes from a chain: its stages' names without
 * extensions, joined by "+", only [A-Za-z0-9._+-]. */
static char *
chain_slug (const SvdChain *chain)
{
  GString *slug = g_string_new (NULL);

  for (guint i = 0; i < chain->steps->len && slug->len < 60; i++)
    {
      g_autofree char *name = svd_chain_step_display_name (g_ptr_array_index (chain->steps, i));
      char *dot = strrchr (name, '.');
      const SvdChainStep *step = g_ptr_array_index (chain->steps, i);

      if (step->type != SVD_CHAIN_STEP_RESIZE && dot != NULL && dot != name)
        *dot = '\0';
      if (i > 0)
        g_string_append_c (slug, '+');
      for (const char *p = name; *p != '\0'; p++)
        {
          if (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-')
            g_string_append_c (slug, *p);
          else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
            g_string_append_c (slug, '-');
        }
      while (slug->len > 0 && slug->str[slug->len - 1] == '-')
        g_string_truncate (slug, slug->len - 1);
    }
  if (slug->len > 60)
    g_string_truncate (slug, 60);
  return g_string_free (slug, FALSE);
}

/* Where a new export goes by default: where the last one went, else
 * beside the clip when that folder can be written, else in Videos, else in
 * the home folder. */
static char *
default_folder (SvdExportDialog *self,
                const char      *clip_path)
{
  g_autofree char *dir = g_path_get_dirname (clip_path);
  const char *videos = g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS);
  GSettings *settings = self->parent != NULL && SVD_IS_WINDOW (self->parent) ? SVD_WINDOW (self->parent)->settings
                                                                              : NULL;
  g_autofree char *last = settings != NULL ? g_settings_get_string (settings, "export-folder") : NULL;

  if (last != NULL && *last != '\0' && g_file_test (last, G_FILE_TEST_IS_DIR) && g_access (last, W_OK) == 0)
    return g_steal_pointer (&last);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR) && g_access (dir, W_OK) == 0)
    return g_steal_pointer (&dir);
  if (videos != NULL && g_file_test (videos, G_FILE_TEST_IS_DIR))
    return g_strdup (videos);
  return g_strdup (g_get_home_dir ());
}

/* The default output: the clip's name and the chain's, in the default
 * folder, not over an existing file. */
static void
svd_export_dialog_suggest_output (SvdExportDialog *self)
{
  g_autofree char *base = g_path_get_basename (self->clip_path);
  g_autofree char *slug = chain_slug (self->chain);
  g_autofree char *folder = default_folder (self, self->clip_path);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *name = NULL;

      g_clear_pointer (&path, g_free);
      if (n == 1)
        /* Translators: the default output name; the first %s is the clip's
         * name, the second the chain's models */
        name = g_strdup_printf (_("%s-restored-%s.mkv"), base, slug);
      else
        /* Translators: as above, with a number when that file exists */
        name = g_strdup_printf (_("%s-restored-%s-%u.mkv"), base, slug, n);
      path = g_build_filename (folder, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        break;
    }
  file = g_file_new_for_path (path);
  svd_export_dialog_set_output (self, file);
}

static void
chain_changed_cb (SvdExportDialog *self)
{
  guint i = adw_combo_row_get_selected (self->chain_row);
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *title = NULL;

  if (self->chains == NULL || i >= self->chains->len)
    return;
  self->chain = g_ptr_array_index (self->chains, i);
  for (guint s = 0; s < self->chain->steps->len; s++)
    {
      g_autofree char *name = svd_chain_step_display_name (g_ptr_array_index (self->chain->steps, s));

      g_string_append_printf (names, "%s%s", s > 0 ? " → " : "", name);
    }
  adw_preferences_group_set_description (self->chain_group, names->str);
  /* Translators: the chain's number, 1 to 4 */
  title = g_strdup_printf (_("Chain %u"), g_array_index (self->numbers, guint, i));
  adw_preferences_group_set_title (self->chain_group, title);
  if (!self->output_chosen)
    svd_export_dialog_suggest_output (self);
}

/**
 * svd_export_dialog_add_chain:
 * @self: a dialog
 * @chain_number: the chain's number in the session, from 1
 * @chain: the chain (copied)
 *
 * Offers another of the session's chains to export; the chosen one stays
 * chosen.
 */
void
svd_export_dialog_add_chain (SvdExportDialog *self,
                             guint            chain_number,
                             const SvdChain  *chain)
{
  g_autoptr(GString) label = g_string_new (NULL);
  guint at = 0, selected;
  gboolean first = self->chains->len == 0;

  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));
  g_return_if_fail (chain != NULL && chain->steps->len > 0);

  chain_number = MAX (chain_number, 1);
  while (at < self->numbers->len && g_array_index (self->numbers, guint, at) < chain_number)
    at++;
  selected = first ? 0 : adw_combo_row_get_selected (self->chain_row);
  if (!first && at <= selected)
    selected++;
  /* Translators: a chain in the export's list: its number, then its
   * stages */
  g_string_printf (label, _("Chain %u:"), chain_number);
  for (guint s = 0; s < chain->steps->len; s++)
    {
      g_autofree char *name = svd_chain_step_display_name (g_ptr_array_index (chain->steps, s));

      g_string_append_printf (label, "%s%s", s > 0 ? " → " : " ", name);
    }
  g_ptr_array_insert (self->chains, at, svd_chain_copy (chain));
  g_array_insert_val (self->numbers, at, chain_number);
  g_signal_handlers_block_by_func (self->chain_row, chain_changed_cb, self);
  gtk_string_list_splice (self->chain_names, at, 0, (const char * const []) { label->str, NULL });
  adw_combo_row_set_selected (self->chain_row, selected);
  g_signal_handlers_unblock_by_func (self->chain_row, chain_changed_cb, self);
  gtk_widget_set_visible (GTK_WIDGET (self->chain_row), self->chains->len > 1);
  chain_changed_cb (self);
}

/**
 * svd_export_dialog_set_clip:
 * @self: a dialog
 * @clip_path: the clip the user opened, when the input is made from it
 *   (Synthesize mode): the default output is named after it, beside it
 */
void
svd_export_dialog_set_clip (SvdExportDialog *self,
                            const char      *clip_path)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));
  g_return_if_fail (clip_path != NULL);

  g_free (self->clip_path);
  self->clip_path = g_strdup (clip_path);
  if (!self->output_chosen)
    svd_export_dialog_suggest_output (self);
}

/**
 * svd_export_dialog_get_chain_number:
 * @self: a dialog
 *
 * Returns: the number of the chain that will be exported, from 1
 */
guint
svd_export_dialog_get_chain_number (SvdExportDialog *self)
{
  guint i;

  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), 0);

  i = adw_combo_row_get_selected (self->chain_row);
  return i < self->numbers->len ? g_array_index (self->numbers, guint, i) : 0;
}

/**
 * svd_export_dialog_select_chain:
 * @self: a dialog
 * @chain_number: a chain added to the dialog, from 1
 */
void
svd_export_dialog_select_chain (SvdExportDialog *self,
                                guint            chain_number)
{
  g_return_if_fail (SVD_IS_EXPORT_DIALOG (self));

  for (guint i = 0; i < self->numbers->len; i++)
    if (g_array_index (self->numbers, guint, i) == chain_number)
      adw_combo_row_set_selected (self->chain_row, i);
}

/**
 * svd_export_dialog_get_chain_text:
 * @self: a #SvdExportDialog
 *
 * Returns: the chain as the dialog names it ("a.onnx → Bicubic 2×")
 */
const char *
svd_export_dialog_get_chain_text (SvdExportDialog *self)
{
  g_return_val_if_fail (SVD_IS_EXPORT_DIALOG (self), NULL);

  return adw_preferences_group_get_description (self->chain_group);
}
