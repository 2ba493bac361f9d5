/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-matrix-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "svd-matrix-window-private.h"
#include "svd-chain-editor.h"
#include "svd-matrix-table.h"
#include "svd-model-picker.h"
#include "svd-pareto-plot.h"
#include "svd-application.h"
#include "svd-app-settings.h"
#include "export/svd-chain-export.h"
#include "model/svd-model-library.h"

/* The benchmark matrix: models per chain slot, a run of every combination
 * off the main thread (svd_bench_matrix_run in a GTask), a sortable table,
 * a quality-vs-fps plot with the Pareto front, the recommendation for a
 * target fps, and export of the chosen chain through app/export. */

/* What the metric drop-down offers, in SvdQualityMetric order. */
#define N_METRICS 3

/* The shrink factors the degrade step supports: the chains whose total
 * scale equals the factor are the ones that get a quality score. */
static const int shrink_factors[] = { 1, 2, 4 };


G_DEFINE_FINAL_TYPE (SvdMatrixWindow, svd_matrix_window, ADW_TYPE_WINDOW)

static const struct { const char *label; int w, h; } sizes[] = {
  { N_("360p (640 × 360)"), 640, 360 },
  { N_("480p (854 × 480)"), 854, 480 },
  { N_("576p (1024 × 576)"), 1024, 576 },
  { N_("720p (1280 × 720)"), 1280, 720 },
  { N_("1080p (1920 × 1080)"), 1920, 1080 },
  { N_("The clip's own size"), 0, 0 },
};

/* The output size the recommendation must have (a player shows the chain's
 * output at one size); 0 × 0: any. */
static const struct { const char *label; int w, h; } outputs[] = {
  { N_("Any output size"), 0, 0 },
  { N_("Output 1280 × 720"), 1280, 720 },
  { N_("Output 1920 × 1080"), 1920, 1080 },
  { N_("Output 2560 × 1440"), 2560, 1440 },
  { N_("Output 3840 × 2160"), 3840, 2160 },
};

/* ---- Results ---- */

static gboolean
row_is_stale (SvdMatrixWindow         *self,
              const SvdBenchMatrixRow *r)
{
  return svd_bench_matrix_row_is_stale (r, self->device_name, self->engine_settings.precision);
}

/* A quality value as the banner says it, e.g. "34.12 dB PSNR-Y". */
static char *
quality_text (SvdQualityMetric metric,
              double           q)
{
  switch (metric)
    {
    case SVD_QUALITY_PSNR_RGB:
      return g_strdup_printf (_("%.2f dB PSNR-RGB"), q);
    case SVD_QUALITY_SSIM_Y:
      return g_strdup_printf (_("SSIM-Y %.4f"), q);
    case SVD_QUALITY_PSNR_Y:
    default:
      return g_strdup_printf (_("%.2f dB PSNR-Y"), q);
    }
}

/* Export and Use in Viewer need a row: the selected one, else the
 * recommendation; without either they are off (not a dialog that then
 * fails). */
static void
update_actions (SvdMatrixWindow *self)
{
  gboolean any = self->rows != NULL && svd_matrix_window_chosen_row (self) >= 0;

  if (self->export_button != NULL)
    gtk_widget_set_sensitive (self->export_button, any);
  if (self->use_button != NULL)
    gtk_widget_set_sensitive (self->use_button, any);
  svd_pareto_plot_set_selected (SVD_PARETO_PLOT (self->plot), svd_matrix_window_selected_row (self));
}

static void
selection_changed_cb (SvdMatrixWindow *self)
{
  update_actions (self);
}

static void
plot_row_activated_cb (SvdParetoPlot   *plot,
                       int              row,
                       SvdMatrixWindow *self)
{
  svd_matrix_window_select_row (self, row);
}

static void
use_clicked (GtkButton       *button,
             SvdMatrixWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!svd_matrix_window_use_in_viewer (self, svd_matrix_window_chosen_row (self), &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

/* The Pareto front and the recommendation for the current metric and
 * target; the rows themselves stay, so a metric or target change needs no
 * new run and keeps the table's selection. */
static void
update_recommendation (SvdMatrixWindow *self)
{
  const char *gpu = NULL;

  g_clear_pointer (&self->pareto, g_array_unref);
  self->recommended = -1;
  if (self->rows == NULL)
    {
      gtk_label_set_text (self->banner, _("Run the matrix to get a recommendation"));
      svd_pareto_plot_set_results (SVD_PARETO_PLOT (self->plot), NULL, NULL, -1, self->metric, self->target_fps);
      return;
    }
  self->pareto = svd_bench_matrix_pareto (self->rows, self->metric);
  /* At the target size: the rows measured at the chosen input size (a
   * resumed results file may hold others). */
  {
    g_autoptr(GPtrArray) at_size = g_ptr_array_new ();
    int best;

    for (guint i = 0; i < self->rows->len; i++)
      {
        const SvdBenchMatrixRow *r = self->rows->pdata[i];

        if (r->in_width == self->width && r->in_height == self->height && !row_is_stale (self, r))
          g_ptr_array_add (at_size, (gpointer) r);
      }
    {
      guint o = self->output_drop != NULL ? gtk_drop_down_get_selected (self->output_drop) : 0;

      if (o >= G_N_ELEMENTS (outputs))
        o = 0;
      best = svd_matrix_window_recommend_for_gpu (self, at_size, outputs[o].w, outputs[o].h, &gpu);
    }
    for (guint i = 0; best >= 0 && i < self->rows->len; i++)
      if (self->rows->pdata[i] == at_size->pdata[best])
        self->recommended = (int) i;
  }
  if (self->recommended >= 0 && gpu != NULL)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[self->recommended];
      g_autofree char *q = quality_text (self->metric, svd_bench_matrix_row_quality (r, self->metric));
      guint n_gpus;
      const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);
      guint g = gtk_drop_down_get_selected (self->gpu_drop) - 1;
      double fps = g < n_gpus ? svd_gpu_estimate (&gpus[g], r->gflop, r->in_width, r->in_height).fps : NAN;
      /* Translators: GPU name, chain, quality (e.g. "34.12 dB PSNR-Y"),
       * estimated fps, target fps, input size, output size */
      g_autofree char *text = g_strdup_printf (_("Recommended for %s: %s — %s at %.1f fps (estimate; target %.1f fps), %d × %d → %d × %d"),
                                               gpu, r->chain, q, fps, self->target_fps,
                                               r->in_width, r->in_height, r->out_width, r->out_height);
      gtk_label_set_text (self->banner, text);
    }
  else if (self->recommended >= 0)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[self->recommended];
      g_autofree char *q = quality_text (self->metric, svd_bench_matrix_row_quality (r, self->metric));
      /* Translators: chain, quality (e.g. "34.12 dB PSNR-Y"), measured fps,
       * target fps, input size, output size */
      g_autofree char *text = g_strdup_printf (_("Recommended: %s — %s at %.1f fps (target %.1f fps), %d × %d → %d × %d"),
                                               r->chain, q, r->fps, self->target_fps,
                                               r->in_width, r->in_height, r->out_width, r->out_height);
      gtk_label_set_text (self->banner, text);
    }
  else
    {
      /* Translators: %s is a metric name such as PSNR-Y */
      g_autofree char *text = g_strdup_printf (_("No chain with measured %s reaches %.1f fps"),
                                               svd_quality_metric_label (self->metric), self->target_fps);
      gtk_label_set_text (self->banner, text);
    }
  svd_pareto_plot_set_results (SVD_PARETO_PLOT (self->plot), self->rows, self->pareto, self->recommended,
                               self->metric, self->target_fps);
  /* The table marks the recommended row. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->store)); i++)
    {
      g_autoptr(SvdMatrixRowObject) obj = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      svd_matrix_row_object_set_recommended (obj, (int) svd_matrix_row_object_get_index (obj) == self->recommended);
    }
  update_actions (self);
}

static const char *
precision_name (SvdPrecision precision)
{
  return precision == SVD_PRECISION_FP16 ? "fp16" : "fp32";
}

/* Rows measured on another device or precision than Preferences choose
 * stay on screen, marked, and are never recommended. */
static void
update_stale_note (SvdMatrixWindow *self)
{
  const SvdBenchMatrixRow *first = NULL;
  guint n = 0;

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    if (row_is_stale (self, self->rows->pdata[i]))
      {
        first = first != NULL ? first : self->rows->pdata[i];
        n++;
      }
  if (n > 0)
    {
      /* Translators: rows stale, rows in all, the device and precision they
       * were measured on, the device and precision Preferences choose */
      g_autofree char *text = g_strdup_printf (_("%u of %u results were measured on %s (%s), but Preferences now "
                                                 "choose %s (%s): they are marked stale and never recommended. "
                                                 "Run measures them again."),
                                               n, self->rows->len, first->device, precision_name (first->precision),
                                               self->device_name, precision_name (self->engine_settings.precision));

      gtk_label_set_text (self->stale_note, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->stale_note), n > 0);
}

static void
update_results (SvdMatrixWindow *self)
{
  g_list_store_remove_all (self->store);
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      g_autoptr(SvdMatrixRowObject) obj = svd_matrix_row_object_new (self->rows->pdata[i], i,
                                                                     row_is_stale (self, self->rows->pdata[i]));

      g_list_store_append (self->store, obj);
    }
  update_stale_note (self);
  update_recommendation (self);
}

/* Preferences changed the device or the precision (or the window opens). */
static void
engine_settings_changed_cb (SvdMatrixWindow *self)
{
  svd_settings_clear (&self->engine_settings);
  svd_app_settings_load (&self->engine_settings, self->gsettings);
  g_free (self->device_name);
  self->device_name = svd_bench_matrix_device_name (&self->engine_settings);
  update_results (self);
}

static void
target_changed (GtkSpinButton   *spin,
                SvdMatrixWindow *self)
{
  self->target_fps = gtk_spin_button_get_value (spin);
  update_recommendation (self);
}

static void
metric_changed (GtkDropDown     *drop,
                GParamSpec      *pspec,
                SvdMatrixWindow *self)
{
  guint i = gtk_drop_down_get_selected (drop);

  if (i >= N_METRICS)
    return;
  self->metric = (SvdQualityMetric) i;
  update_recommendation (self);
}

/* ---- Quality settings and the results files ---- */

/* Resume matches rows on device, size and weights only, not on how quality
 * was measured; so rows scored with other quality settings (or another
 * clip) live in their own file and are never resumed as if equal. */
static void
update_results_files (SvdMatrixWindow *self)
{
  g_autofree char *stem = NULL;
  g_autofree char *tag = NULL;

  g_clear_pointer (&self->results_path, g_free);
  g_clear_pointer (&self->csv_path, g_free);
  if (self->results_base == NULL)
    return;
  stem = g_str_has_suffix (self->results_base, ".json")
           ? g_strndup (self->results_base, strlen (self->results_base) - strlen (".json"))
           : g_strdup (self->results_base);
  if (self->clip_path == NULL)
    tag = g_strdup ("no-quality");
  else
    {
      g_autofree char *abs = g_canonicalize_filename (self->clip_path, NULL);
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, abs, -1);

      tag = g_strdup_printf ("frames%d-%d-shrink%d-crf%d-clip%.12s", self->q_first,
                             self->q_first + self->q_frames, self->q_scale, self->q_crf, hash);
    }
  self->results_path = g_strdup_printf ("%s-%s.json", stem, tag);
  self->csv_path = g_strdup_printf ("%s-%s.csv", stem, tag);
}

static void
update_quality_note (SvdMatrixWindow *self)
{
  g_autofree char *how = NULL;
  const char *resume;

  if (self->clip_path == NULL)
    {
      gtk_label_set_text (self->quality_note,
                          _("No clip is open: the quality columns stay empty and nothing can be recommended"));
      return;
    }
  if (self->q_scale == 1)
    /* Translators: CRF, first and last input frame scored */
    how = g_strdup_printf (_("Quality: the open clip is the reference; the input is the clip re-encoded with x264 CRF %d "
                             "at full size, so 1× chains are scored, on frames %d to %d."),
                           self->q_crf, self->q_first, self->q_first + self->q_frames - 1);
  else
    /* Translators: shrink factor, CRF, the chain scale that gets scored,
     * first and last input frame scored */
    how = g_strdup_printf (_("Quality: the open clip is the reference; the input is the clip shrunk %d× and re-encoded "
                             "with x264 CRF %d, so chains of total scale %d× are scored, on frames %d to %d."),
                           self->q_scale, self->q_crf, self->q_scale, self->q_first,
                           self->q_first + self->q_frames - 1);
  if (self->results_path != NULL && g_file_test (self->results_path, G_FILE_TEST_EXISTS))
    resume = _("Results saved with exactly these quality settings exist: Run resumes them.");
  else
    resume = _("No results were saved with these quality settings: Run measures every combination "
               "(results saved with other settings are kept apart, never mixed in).");
  {
    g_autofree char *text = g_strconcat (how, " ", resume, NULL);

    gtk_label_set_text (self->quality_note, text);
  }
}

/* The table shows what was saved with the current quality settings, or
 * nothing: rows scored with other settings are not left on screen as if
 * they were these. */
static void
load_saved_results (SvdMatrixWindow *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = NULL;

  if (self->running)
    return;
  if (self->results_path != NULL && g_file_test (self->results_path, G_FILE_TEST_EXISTS))
    {
      rows = svd_bench_matrix_load (self->results_path, &error);
      if (rows == NULL)
        {
          /* Translators: %s says why the saved results could not be read */
          g_autofree char *text = g_strdup_printf (_("The saved results could not be read: %s"), error->message);

          adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
        }
    }
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->rows = rows;
  gtk_progress_bar_set_fraction (self->progress, rows != NULL ? 1 : 0);
  gtk_progress_bar_set_text (self->progress, rows != NULL ? _("Saved results with these settings") : _("Not run yet"));
  update_results (self);
}

static void
quality_settings_changed (SvdMatrixWindow *self)
{
  guint shrink = gtk_drop_down_get_selected (self->shrink_drop);

  self->q_first = gtk_spin_button_get_value_as_int (self->first_spin);
  self->q_frames = gtk_spin_button_get_value_as_int (self->frames_spin);
  self->q_crf = gtk_spin_button_get_value_as_int (self->crf_spin);
  if (shrink < G_N_ELEMENTS (shrink_factors))
    self->q_scale = shrink_factors[shrink];
  update_results_files (self);
  update_quality_note (self);
  load_saved_results (self);
}

/* ---- Running ---- */

typedef struct {
  SvdMatrixWindow *self;
  int              done, total;
} ProgressData;

static gboolean
progress_idle (gpointer data)
{
  ProgressData *p = data;
  SvdMatrixWindow *self = p->self;
  double elapsed = (g_get_monotonic_time () - self->started) / 1e6;
  g_autofree char *text = NULL;

  if (self->disposed)
    {
      g_object_unref (self);
      g_free (p);
      return G_SOURCE_REMOVE;
    }
  if (p->done > 0 && p->done < p->total)
    text = g_strdup_printf (_("%d of %d combinations, about %.0f s left"), p->done, p->total,
                            elapsed / p->done * (p->total - p->done));
  else
    text = g_strdup_printf (_("%d of %d combinations"), p->done, p->total);
  gtk_progress_bar_set_fraction (self->progress, p->total > 0 ? (double) p->done / p->total : 0);
  gtk_progress_bar_set_text (self->progress, text);
  g_object_unref (self);
  g_free (p);
  return G_SOURCE_REMOVE;
}

static void
progress_cb (int                      done,
             int                      total,
             const SvdBenchMatrixRow *row,
             gpointer                 user_data)
{
  ProgressData *p = g_new0 (ProgressData, 1);

  p->self = g_object_ref (user_data);
  p->done = done;
  p->total = total;
  g_idle_add (progress_idle, p);
}

typedef struct {
  SvdBenchMatrixOptions options;
  SvdSettings           settings;
  GPtrArray            *slots;
  char                 *clip_path;
  char                 *results_path;
  char                 *csv_path;
  int                   q_first, q_frames, q_scale, q_crf;
} RunData;

static void
run_data_free (RunData *d)
{
  g_ptr_array_unref (d->slots);
  svd_settings_clear (&d->settings);
  g_free (d->clip_path);
  g_free (d->results_path);
  g_free (d->csv_path);
  g_free (d);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdSessionSource) source = NULL;
  GPtrArray *rows;

  if (d->clip_path != NULL)
    {
      SvdDegradeParams params;

      /* As `svd bench-matrix --clip --crf --scale --frames`: the clip is
       * the clean reference and the input is made from it (x264 at the
       * chosen CRF, shrunk by the chosen factor), so every chain whose
       * total scale equals that factor (at 2: a 1× restorer then a 2×
       * upscaler, or a 2× alone) gets quality against the clean clip. */
      svd_degrade_params_init (&params);
      params.keep_audio = FALSE;
      params.scale = d->q_scale;
      params.crf = d->q_crf;
      source = svd_session_source_new_synthesize (d->clip_path, &params, NULL, NULL, cancellable, &error);
      if (source == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      d->options.source = source;
      d->options.first_frame = d->q_first;
      d->options.n_quality_frames = d->q_frames;
    }
  rows = svd_bench_matrix_run (&d->options, &d->settings, progress_cb, source_object, cancellable, &error);
  if (rows == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static void
set_running (SvdMatrixWindow *self,
             gboolean         running)
{
  self->running = running;
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), running);
  /* The settings a run was started with are the ones its file is named
   * after: they stay put until it ends. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->first_spin), !running && self->clip_path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->frames_spin), !running && self->clip_path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->shrink_drop), !running && self->clip_path != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->crf_spin), !running && self->clip_path != NULL);
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (object);
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = g_task_propagate_pointer (G_TASK (result), &error);

  if (self->disposed)
    {
      g_clear_pointer (&rows, g_ptr_array_unref);
      return;
    }
  set_running (self, FALSE);
  g_clear_object (&self->cancellable);
  if (rows == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_progress_bar_set_text (self->progress, _("Cancelled: run again to resume"));
      else
        {
          AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                               _("The benchmark matrix failed"),
                                                                               error->message));
          adw_message_dialog_add_response (dialog, "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      return;
    }
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->rows = rows;
  gtk_progress_bar_set_fraction (self->progress, 1);
  gtk_progress_bar_set_text (self->progress, _("Done"));
  update_results (self);
  update_quality_note (self);
}

void
svd_matrix_window_run (SvdMatrixWindow *self)
{
  g_autoptr(GTask) task = NULL;
  RunData *d;
  guint n_with_models = 0;

  g_return_if_fail (SVD_IS_MATRIX_WINDOW (self));
  if (self->running)
    return;
  g_clear_pointer (&self->error, g_free);
  d = g_new0 (RunData, 1);
  d->slots = g_ptr_array_new ();
  for (guint s = 0; s < self->slots->len; s++)
    {
      GPtrArray *slot = self->slots->pdata[s];

      /* An empty slot is left out; slot 3 always offers "none". */
      if (slot->len == 0)
        continue;
      g_ptr_array_add (d->slots, slot);
      for (guint k = 0; k < slot->len; k++)
        if (slot->pdata[k] != NULL)
          {
            n_with_models++;
            break;
          }
    }
  if (n_with_models == 0)
    {
      run_data_free (d);
      self->error = g_strdup (_("Add at least one model to a slot"));
      gtk_progress_bar_set_text (self->progress, self->error);
      return;
    }
  svd_bench_matrix_options_init (&d->options);
  /* The device and precision Preferences choose, read here on the main
   * thread. */
  svd_settings_copy (&d->settings, &self->engine_settings);
  d->options.slots = d->slots;
  d->options.n_sizes = 1;
  d->options.widths[0] = self->width;
  d->options.heights[0] = self->height;
  if (self->warmup >= 0)
    d->options.warmup = self->warmup;
  if (self->frames > 0)
    d->options.frames = self->frames;
  d->clip_path = g_strdup (self->clip_path);
  d->results_path = g_strdup (self->results_path);
  d->csv_path = g_strdup (self->csv_path);
  d->q_first = self->q_first;
  d->q_frames = self->q_frames;
  d->q_scale = self->q_scale;
  d->q_crf = self->q_crf;
  d->options.results_path = d->results_path;
  d->options.csv_path = d->csv_path;
  self->cancellable = g_cancellable_new ();
  self->started = g_get_monotonic_time ();
  set_running (self, TRUE);
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, _("Starting…"));
  task = g_task_new (self, self->cancellable, run_done, NULL);
  g_task_set_task_data (task, d, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

void
svd_matrix_window_cancel (SvdMatrixWindow *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* ---- Slots ---- */

static void
update_slot_label (SvdMatrixWindow *self,
                   guint            slot)
{
  GPtrArray *models = self->slots->pdata[slot];
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < models->len; i++)
    {
      SvdModel *m = models->pdata[i];

      g_string_append_printf (s, "%s%s", s->len ? ", " : "", m != NULL ? m->name : _("none"));
    }
  gtk_label_set_text (self->slot_labels[slot], s->len ? s->str : _("(empty)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->slot_labels[slot]), s->len ? s->str : NULL);
}

gboolean
svd_matrix_window_add_model (SvdMatrixWindow  *self,
                             guint             slot,
                             const char       *path,
                             GError          **error)
{
  g_autoptr(SvdModel) model = NULL;
  GPtrArray *models;
  SvdModel *known;

  g_return_val_if_fail (slot < SVD_MATRIX_N_SLOTS, FALSE);
  model = svd_model_load (path, error);
  if (model == NULL || !svd_matrix_window_check_scale (self, slot, model, error))
    return FALSE;
  known = g_hash_table_lookup (self->models, model->name);
  if (known == NULL)
    {
      g_hash_table_insert (self->models, g_strdup (model->name), svd_model_ref (model));
      known = model;
    }
  models = self->slots->pdata[slot];
  /* A model twice in one slot would only time the same chains twice. */
  if (!g_ptr_array_find (models, known, NULL))
    g_ptr_array_add (models, svd_model_ref (known));
  /* Slot 3 is optional: "none" is one of its choices. */
  if (slot == 2 && !g_ptr_array_find (models, NULL, NULL))
    g_ptr_array_insert (models, 0, NULL);
  update_slot_label (self, slot);
  svd_matrix_window_save_slots (self);
  return TRUE;
}

/**
 * svd_matrix_window_add_none:
 * @self: a #SvdMatrixWindow
 * @slot: 1 or 2 (slots 2 and 3; slot 1 always runs a model)
 *
 * Offers "none" (skip this slot) in @slot, once.
 */
void
svd_matrix_window_add_none (SvdMatrixWindow *self,
                            guint            slot)
{
  GPtrArray *models;

  g_return_if_fail (SVD_IS_MATRIX_WINDOW (self));
  g_return_if_fail (slot >= 1 && slot < SVD_MATRIX_N_SLOTS);
  models = self->slots->pdata[slot];
  if (!g_ptr_array_find (models, NULL, NULL))
    g_ptr_array_insert (models, 0, NULL);
  update_slot_label (self, slot);
  svd_matrix_window_save_slots (self);
}

void
svd_matrix_window_clear_slot (SvdMatrixWindow *self,
                              guint            slot)
{
  g_return_if_fail (SVD_IS_MATRIX_WINDOW (self));
  g_return_if_fail (slot < SVD_MATRIX_N_SLOTS);
  g_ptr_array_set_size (self->slots->pdata[slot], 0);
  update_slot_label (self, slot);
  svd_matrix_window_save_slots (self);
}

/* The models a slot offers, "none" as %NULL; for tests. */
GPtrArray *
svd_matrix_window_get_slot (SvdMatrixWindow *self,
                            guint            slot)
{
  g_return_val_if_fail (slot < SVD_MATRIX_N_SLOTS, NULL);
  return self->slots->pdata[slot];
}

static void
clear_clicked (GtkButton *button,
               gpointer   data)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));

  svd_matrix_window_clear_slot (self, GPOINTER_TO_UINT (data));
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         data)
{
  SvdMatrixWindow *self = g_object_get_data (G_OBJECT (dialog), "window");
  guint slot = GPOINTER_TO_UINT (data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !svd_matrix_window_add_model (self, slot, path, &error))
        adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
    }
  g_object_unref (dialog);
}

static void
add_model_clicked (GtkButton *button,
                   gpointer   data)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Add a Model"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));

  g_object_set_data (G_OBJECT (chooser), "window", self);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- The model library ---- */

static void
library_chosen_cb (SvdModelPicker      *picker,
                   const SvdModelEntry *e,
                   gpointer             data)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (gtk_widget_get_root (GTK_WIDGET (picker)));
  guint slot = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;

  if (e == NULL)
    svd_matrix_window_add_none (self, slot);
  else if (!svd_matrix_window_add_model (self, slot, e->path, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

static void
fill_library (SvdMatrixWindow *self)
{
  for (guint slot = 0; slot < SVD_MATRIX_N_SLOTS; slot++)
    svd_model_picker_set_library (self->pickers[slot], (const char *const *) self->folders, self->library,
                                  self->library_loading);
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(SvdMatrixWindow) self = data;
  g_autoptr(GError) error = NULL;
  GPtrArray *library = svd_model_library_scan_finish (result, NULL, &error);

  /* A newer scan cancelled this one (folders changed), or the window
   * closed: only the newest counts. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
    {
      g_clear_pointer (&library, g_ptr_array_unref);
      return;
    }
  self->library_loading = FALSE;
  if (library == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      fill_library (self);
      return;
    }
  {
    /* The old rows point into the old entries until fill_library() has
     * removed them (removing a row re-runs the next row's header func). */
    g_autoptr(GPtrArray) old = g_steal_pointer (&self->library);

    self->library = library;
    fill_library (self);
  }
}

static void
start_scan (SvdMatrixWindow *self)
{
  self->scan_started = TRUE;
  self->library_loading = TRUE;
  if (self->scan_cancellable != NULL)
    g_cancellable_cancel (self->scan_cancellable);
  g_clear_object (&self->scan_cancellable);
  self->scan_cancellable = g_cancellable_new ();
  svd_model_library_scan_async ((const char * const *) self->folders, NULL, self->scan_cancellable,
                                scan_done, g_object_ref (self));
  fill_library (self);
}

/**
 * svd_matrix_window_set_library_folders:
 * @self: a #SvdMatrixWindow
 * @folders: (array zero-terminated=1): the model library's folders
 *
 * Lists the models of @folders in the slots' library menus (read again
 * off the main thread).
 */
void
svd_matrix_window_set_library_folders (SvdMatrixWindow   *self,
                                       const char *const *folders)
{
  g_return_if_fail (SVD_IS_MATRIX_WINDOW (self));
  g_strfreev (self->folders);
  self->folders = g_strdupv ((char **) folders);
  start_scan (self);
}

gboolean
svd_matrix_window_is_library_loading (SvdMatrixWindow *self)
{
  return !self->scan_started || self->library_loading;
}

GtkListBox *
svd_matrix_window_get_library_list (SvdMatrixWindow *self,
                                    guint            slot)
{
  g_return_val_if_fail (slot < SVD_MATRIX_N_SLOTS, NULL);
  return svd_model_picker_get_list (self->pickers[slot]);
}

GtkMenuButton *
svd_matrix_window_get_library_button (SvdMatrixWindow *self,
                                      guint            slot)
{
  g_return_val_if_fail (slot < SVD_MATRIX_N_SLOTS, NULL);
  return svd_model_picker_get_button (self->pickers[slot]);
}

static void
svd_matrix_window_map (GtkWidget *widget)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (widget);

  GTK_WIDGET_CLASS (svd_matrix_window_parent_class)->map (widget);
  if (!self->scan_started)
    start_scan (self);
}

static void
size_changed (GtkDropDown     *drop,
              GParamSpec      *pspec,
              SvdMatrixWindow *self)
{
  guint i = gtk_drop_down_get_selected (drop);

  if (i >= G_N_ELEMENTS (sizes))
    return;
  if (sizes[i].w > 0)
    self->width = sizes[i].w, self->height = sizes[i].h;
}

/* ---- Export ---- */

static SvdChain *
chain_for_row (SvdMatrixWindow         *self,
               const SvdBenchMatrixRow *r,
               GError                 **error)
{
  g_autoptr(SvdChain) chain = NULL;

  /* The row records its chain as text that reads back (model files in
   * order); rows saved before it was recorded cannot be exported. */
  if (r->spec == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   _("This row does not record its model files; run the matrix again to export it"));
      return NULL;
    }
  chain = svd_chain_parse (r->spec, NULL, SVD_CHAIN_LOAD_DEFAULT, error);
  if (chain == NULL)
    return NULL;
  g_free (chain->name);
  chain->name = g_strdup (r->chain);
  chain->has_target = TRUE;
  chain->target_device = g_strdup (r->device);
  chain->target_width = r->in_width;
  chain->target_height = r->in_height;
  chain->target_fps = self->target_fps;
  return g_steal_pointer (&chain);
}

gboolean
svd_matrix_window_export (SvdMatrixWindow       *self,
                          int                    row,
                          SvdChainExportFormat  format,
                          const char            *path,
                          GError               **error)
{
  g_autoptr(SvdChain) chain = NULL;

  if (self->rows == NULL || row < 0 || (guint) row >= self->rows->len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   _("No chain to export: run the matrix and pick a row, or set a reachable target"));
      return FALSE;
    }
  chain = chain_for_row (self, self->rows->pdata[row], error);
  if (chain == NULL)
    return FALSE;
  return svd_chain_export (chain, format, NULL, path, error);
}

/* The row selected in the table, or -1. */
int
svd_matrix_window_selected_row (SvdMatrixWindow *self)
{
  GtkSelectionModel *sel = gtk_column_view_get_model (self->table);
  guint pos = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (sel));

  if (pos != GTK_INVALID_LIST_POSITION)
    {
      g_autoptr(SvdMatrixRowObject) obj = g_list_model_get_item (G_LIST_MODEL (self->sorted), pos);

      if (obj != NULL)
        return (int) svd_matrix_row_object_get_index (obj);
    }
  return -1;
}

/* What Export and Use in Viewer act on: the selected row, else the
 * recommendation; -1 when neither. */
int
svd_matrix_window_chosen_row (SvdMatrixWindow *self)
{
  int row = svd_matrix_window_selected_row (self);

  return row >= 0 ? row : self->recommended;
}

/* Selects @row's line in the table (and so its point), e.g. when its
 * point in the plot is clicked. */
void
svd_matrix_window_select_row (SvdMatrixWindow *self,
                              int              row)
{
  GtkSelectionModel *sel = gtk_column_view_get_model (self->table);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->sorted)); i++)
    {
      g_autoptr(SvdMatrixRowObject) obj = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if ((int) svd_matrix_row_object_get_index (obj) == row)
        {
          gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (sel), i);
          return;
        }
    }
}

/**
 * svd_matrix_window_export_chosen:
 * @self: a #SvdMatrixWindow
 * @path: the file (a folder for AnimeJaNai) the export chooser returned
 *
 * Exports the selected row, else the recommendation, in the format the
 * window's drop-down shows; a toast on success, a dialog on error.
 *
 * Returns: whether it was written
 */
gboolean
svd_matrix_window_export_chosen (SvdMatrixWindow *self,
                                 const char      *path)
{
  g_autoptr(GError) error = NULL;
  SvdChainExportFormat format = gtk_drop_down_get_selected (self->format_drop);

  if (svd_matrix_window_export (self, svd_matrix_window_chosen_row (self), format, path, &error))
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *text = g_strdup_printf (_("Exported %s"), base);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
      return TRUE;
    }
  else
    {
      AdwMessageDialog *d = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                      _("The chain could not be exported"),
                                                                      error->message));
      adw_message_dialog_add_response (d, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (d));
      return FALSE;
    }
}

static void
export_response (GtkNativeDialog *dialog,
                 int              response,
                 gpointer         data)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        svd_matrix_window_export_chosen (SVD_MATRIX_WINDOW (data), path);
    }
  g_object_unref (dialog);
}

static void
export_clicked (GtkButton       *button,
                SvdMatrixWindow *self)
{
  SvdChainExportFormat format = gtk_drop_down_get_selected (self->format_drop);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Export Chain"), GTK_WINDOW (self),
                                 format == SVD_CHAIN_EXPORT_ANIMEJANAI ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                                        : GTK_FILE_CHOOSER_ACTION_SAVE,
                                 _("_Export"), _("_Cancel"));
  static const char *const suggested[] = { "chain.json", NULL, "chain.onnx", "chain.glsl" };

  if (suggested[format] != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested[format]);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- Construction ---- */

static void
svd_matrix_window_dispose (GObject *object)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (object);

  svd_matrix_window_cancel (self);
  if (self->gsettings != NULL)
    g_signal_handlers_disconnect_by_data (self->gsettings, self);
  if (self->scan_cancellable != NULL)
    g_cancellable_cancel (self->scan_cancellable);
  self->disposed = TRUE;
  G_OBJECT_CLASS (svd_matrix_window_parent_class)->dispose (object);
}

static void
svd_matrix_window_finalize (GObject *object)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (object);

  g_free (self->clip_path);
  g_ptr_array_unref (self->slots);
  g_hash_table_unref (self->models);
  g_free (self->results_base);
  g_free (self->results_path);
  g_free (self->csv_path);
  g_free (self->error);
  g_strfreev (self->folders);
  g_clear_pointer (&self->library, g_ptr_array_unref);
  g_clear_object (&self->scan_cancellable);
  g_clear_pointer (&self->pareto, g_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->sorted);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->gsettings);
  svd_settings_clear (&self->engine_settings);
  g_free (self->device_name);
  G_OBJECT_CLASS (svd_matrix_window_parent_class)->finalize (object);
}

static void
svd_matrix_window_class_init (SvdMatrixWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_matrix_window_dispose;
  object_class->finalize = svd_matrix_window_finalize;
  widget_class->map = svd_matrix_window_map;

  g_type_ensure (SVD_TYPE_PARETO_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/svdstudio/SvdStudio/svd-matrix-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, slot_grid);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, first_spin);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, frames_spin);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, shrink_drop);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, crf_spin);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, metric_drop);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, size_drop);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, target_spin);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, output_drop);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, quality_note);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, stale_note);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, table);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, plot);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, format_drop);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, gpu_drop);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, SvdMatrixWindow, use_button);
  gtk_widget_class_bind_template_callback (widget_class, quality_settings_changed);
  gtk_widget_class_bind_template_callback (widget_class, target_changed);
  gtk_widget_class_bind_template_callback (widget_class, svd_matrix_window_run);
  gtk_widget_class_bind_template_callback (widget_class, svd_matrix_window_cancel);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked);
  gtk_widget_class_bind_template_callback (widget_class, use_clicked);
}

static void
model_array_free (gpointer p)
{
  g_ptr_array_unref (p);
}

static void
model_unref0 (gpointer m)
{
  if (m != NULL)
    svd_model_unref (m);
}

static void
svd_matrix_window_init (SvdMatrixWindow *self)
{
  static const char *const slot_titles[] = { N_("Slot 1 (1×)"), N_("Slot 2 (2×)"), N_("Slot 3 (2×, optional)") };
  g_autoptr(GtkStringList) size_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) output_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) shrinks = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) metrics = gtk_string_list_new (NULL);
  GtkGrid *grid;
  GtkSingleSelection *selection;

  self->slots = g_ptr_array_new_with_free_func (model_array_free);
  for (int s = 0; s < SVD_MATRIX_N_SLOTS; s++)
    g_ptr_array_add (self->slots, g_ptr_array_new_with_free_func (model_unref0));
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) svd_model_unref);
  self->width = 854, self->height = 480;
  self->warmup = -1, self->frames = 0;
  self->recommended = -1;
  /* As `svd bench-matrix`: frames 0:5, shrink 2, CRF 34 (the template's
   * spin buttons start there too). */
  self->q_first = 0, self->q_frames = 5, self->q_scale = 2, self->q_crf = 34;
  self->metric = SVD_QUALITY_PSNR_Y;
  /* The template's signals fire while it is built; the slots above must
   * exist by then. */
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Slots: the library menu, a file, clear */
  grid = GTK_GRID (self->slot_grid);
  for (int s = 0; s < SVD_MATRIX_N_SLOTS; s++)
    {
      GtkWidget *label = gtk_label_new (_(slot_titles[s]));
      GtkWidget *button;

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (grid, label, 0, s, 1, 1);
      self->slot_labels[s] = GTK_LABEL (gtk_label_new (_("(empty)")));
      gtk_label_set_xalign (self->slot_labels[s], 0);
      gtk_label_set_ellipsize (self->slot_labels[s], PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_hexpand (GTK_WIDGET (self->slot_labels[s]), TRUE);
      gtk_grid_attach (grid, GTK_WIDGET (self->slot_labels[s]), 1, s, 1, 1);
      button = svd_model_picker_new (s > 0);
      gtk_widget_set_tooltip_text (button, s > 0 ? _("Add a model of the model library, or “none”, to this slot")
                                                 : _("Add a model of the model library to this slot"));
      g_signal_connect (button, "chosen", G_CALLBACK (library_chosen_cb), GUINT_TO_POINTER (s));
      self->pickers[s] = SVD_MODEL_PICKER (button);
      /* Slot 1 takes 1× models, slots 2 and 3 take 2× ones. */
      svd_model_picker_set_scale (self->pickers[s], s == 0 ? 1 : 2);
      gtk_grid_attach (grid, button, 2, s, 1, 1);
      button = gtk_button_new_with_mnemonic (_("Add _File…"));
      gtk_widget_set_tooltip_text (button, _("Add a model file to this slot"));
      g_signal_connect (button, "clicked", G_CALLBACK (add_model_clicked), GUINT_TO_POINTER (s));
      gtk_grid_attach (grid, button, 3, s, 1, 1);
      button = gtk_button_new_with_mnemonic (_("C_lear"));
      gtk_widget_set_tooltip_text (button, _("Remove every model from this slot"));
      g_signal_connect (button, "clicked", G_CALLBACK (clear_clicked), GUINT_TO_POINTER (s));
      gtk_grid_attach (grid, button, 4, s, 1, 1);
    }

  /* The drop-downs whose entries are computed. */
  for (guint i = 0; i < G_N_ELEMENTS (shrink_factors); i++)
    {
      /* Translators: the factor the clean clip is shrunk by to make the
       * input; the chains of that total scale are scored */
      g_autofree char *text = g_strdup_printf (_("%d× (scores %d× chains)"), shrink_factors[i], shrink_factors[i]);

      gtk_string_list_append (shrinks, text);
    }
  gtk_drop_down_set_model (self->shrink_drop, G_LIST_MODEL (shrinks));
  gtk_drop_down_set_selected (self->shrink_drop, 1);
  for (guint i = 0; i < N_METRICS; i++)
    gtk_string_list_append (metrics, svd_quality_metric_label ((SvdQualityMetric) i));
  gtk_drop_down_set_model (self->metric_drop, G_LIST_MODEL (metrics));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    gtk_string_list_append (size_names, _(sizes[i].label));
  gtk_drop_down_set_model (self->size_drop, G_LIST_MODEL (size_names));
  gtk_drop_down_set_selected (self->size_drop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    gtk_string_list_append (output_names, _(outputs[i].label));
  gtk_drop_down_set_model (self->output_drop, G_LIST_MODEL (output_names));
  g_signal_connect (self->size_drop, "notify::selected", G_CALLBACK (size_changed), self);
  g_signal_connect_swapped (self->output_drop, "notify::selected", G_CALLBACK (update_recommendation), self);
  g_signal_connect (self->metric_drop, "notify::selected", G_CALLBACK (metric_changed), self);
  g_signal_connect_swapped (self->shrink_drop, "notify::selected", G_CALLBACK (quality_settings_changed), self);

  /* Table */
  self->store = g_list_store_new (SVD_TYPE_MATRIX_ROW_OBJECT);
  svd_matrix_table_add_columns (self->table);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                          g_object_ref (gtk_column_view_get_sorter (self->table)));
  selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (selection));
  g_signal_connect_swapped (selection, "notify::selected", G_CALLBACK (selection_changed_cb), self);
  g_object_unref (selection);
  g_signal_connect (self->plot, "row-activated", G_CALLBACK (plot_row_activated_cb), self);
  svd_matrix_window_fill_gpu_drop (self);
  g_signal_connect_swapped (self->gpu_drop, "notify::selected", G_CALLBACK (update_recommendation), self);
}

SvdMatrixWindow *
svd_matrix_window_new (GtkWindow  *parent,
                       const char *clip_path,
                       double      clip_fps)
{
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;
  SvdMatrixWindow *self = g_object_new (SVD_TYPE_MATRIX_WINDOW,
                                        "transient-for", parent,
                                        "application", app,
                                        NULL);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "svd-studio", NULL);
  GSettings *settings = app != NULL && SVD_IS_APPLICATION (app) ? svd_application_get_settings (SVD_APPLICATION (app))
                                                                : NULL;
  g_auto(GStrv) extra = settings != NULL ? g_settings_get_strv (settings, "model-folders") : NULL;

  self->clip_path = g_strdup (clip_path);
  self->clip_fps = clip_fps;
  self->target_fps = (clip_fps > 0 ? clip_fps : 30) * 1.1;
  gtk_spin_button_set_value (self->target_spin, self->target_fps);
  /* The same library as the chain editor: the project's models/, the
   * user's models folder and the Preferences folders. */
  self->folders = svd_model_library_default_folders (NULL,
                                                     (const char * const *) extra);
  g_mkdir_with_parents (dir, 0755);
  if (settings != NULL)
    {
      self->gsettings = g_object_ref (settings);
      g_signal_connect_swapped (settings, "changed::device", G_CALLBACK (engine_settings_changed_cb), self);
      g_signal_connect_swapped (settings, "changed::precision", G_CALLBACK (engine_settings_changed_cb), self);
    }
  svd_settings_clear (&self->engine_settings);
  svd_app_settings_load (&self->engine_settings, self->gsettings);
  self->device_name = svd_bench_matrix_device_name (&self->engine_settings);
  self->results_base = g_build_filename (dir, "bench-matrix.json", NULL);
  svd_matrix_window_restore_slots (self);
  set_running (self, FALSE);
  update_results_files (self);
  update_quality_note (self);
  load_saved_results (self);
  return self;
}

void
svd_matrix_window_set_size (SvdMatrixWindow *self, int width, int height)
{
  self->width = width;
  self->height = height;
}

/**
 * svd_matrix_window_set_results_path:
 * @self: a #SvdMatrixWindow
 * @path: (nullable): where results go, e.g. `matrix.json`
 *
 * The files written are named after @path and the quality settings, e.g.
 * `matrix-frames0-5-shrink2-crf34-clip….json` and `.csv`; see
 * svd_matrix_window_get_results_file().
 */
void
svd_matrix_window_set_results_path (SvdMatrixWindow *self, const char *path)
{
  g_free (self->results_base);
  self->results_base = g_strdup (path);
  update_results_files (self);
  update_quality_note (self);
  load_saved_results (self);
}

/**
 * svd_matrix_window_set_quality:
 * @self: a #SvdMatrixWindow
 * @first_frame: first input frame scored
 * @n_frames: frames scored
 * @shrink: 1, 2 or 4: the factor the clip is shrunk by to make the input
 * @crf: x264 CRF of the input
 *
 * Sets the quality controls, as a user would.
 */
void
svd_matrix_window_set_quality (SvdMatrixWindow *self,
                               int              first_frame,
                               int              n_frames,
                               int              shrink,
                               int              crf)
{
  g_return_if_fail (SVD_IS_MATRIX_WINDOW (self));
  gtk_spin_button_set_value (self->first_spin, first_frame);
  gtk_spin_button_set_value (self->frames_spin, n_frames);
  gtk_spin_button_set_value (self->crf_spin, crf);
  for (guint i = 0; i < G_N_ELEMENTS (shrink_factors); i++)
    if (shrink_factors[i] == shrink)
      gtk_drop_down_set_selected (self->shrink_drop, i);
  quality_settings_changed (self);
}

const char *svd_matrix_window_get_results_file (SvdMatrixWindow *self) { return self->results_path; }
const char *svd_matrix_window_get_csv_file (SvdMatrixWindow *self) { return self->csv_path; }
GtkDropDown *svd_matrix_window_get_metric_drop (SvdMatrixWindow *self) { return self->metric_drop; }
GtkDropDown *svd_matrix_window_get_output_drop (SvdMatrixWindow *self) { return self->output_drop; }
SvdQualityMetric svd_matrix_window_get_metric (SvdMatrixWindow *self) { return self->metric; }
GtkWidget *svd_matrix_window_get_quality_note (SvdMatrixWindow *self) { return GTK_WIDGET (self->quality_note); }
GtkWidget *svd_matrix_window_get_stale_note (SvdMatrixWindow *self) { return GTK_WIDGET (self->stale_note); }

void
svd_matrix_window_set_runs (SvdMatrixWindow *self, int warmup, int frames)
{
  self->warmup = warmup;
  self->frames = frames;
}

void
svd_matrix_window_set_target_fps (SvdMatrixWindow *self, double fps)
{
  gtk_spin_button_set_value (self->target_spin, fps);
  self->target_fps = fps;
  update_recommendation (self);
}

gboolean svd_matrix_window_is_running (SvdMatrixWindow *self) { return self->running; }
const char *svd_matrix_window_get_error (SvdMatrixWindow *self) { return self->error; }
GPtrArray *svd_matrix_window_get_rows (SvdMatrixWindow *self) { return self->rows; }
GtkColumnView *svd_matrix_window_get_table (SvdMatrixWindow *self) { return self->table; }
GListModel *svd_matrix_window_get_sorted (SvdMatrixWindow *self) { return G_LIST_MODEL (self->sorted); }
GtkWidget *svd_matrix_window_get_plot (SvdMatrixWindow *self) { return self->plot; }
GtkWidget *svd_matrix_window_get_banner (SvdMatrixWindow *self) { return GTK_WIDGET (self->banner); }
GArray *svd_matrix_window_get_pareto (SvdMatrixWindow *self) { return self->pareto; }
int svd_matrix_window_get_recommended (SvdMatrixWindow *self) { return self->recommended; }
double svd_matrix_window_get_target_fps (SvdMatrixWindow *self) { return self->target_fps; }
GtkDropDown *svd_matrix_window_get_format_drop (SvdMatrixWindow *self) { return self->format_drop; }
