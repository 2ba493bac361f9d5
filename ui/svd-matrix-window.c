/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-matrix-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "svd-matrix-window.h"
#include "svd-chain-editor.h"
#include "svd-application.h"
#include "model/svd-preset.h"
#include "export/svd-animejanai.h"
#include "export/svd-onnx-export.h"
#include "export/svd-glsl.h"
#include "model/svd-model-library.h"

/* The benchmark matrix: models per chain slot, a run of every combination
 * off the main thread (svd_bench_matrix_run in a GTask), a sortable table,
 * a quality-vs-fps plot with the Pareto front, the recommendation for a
 * target fps, and export of the chosen chain through app/export. */

/* What the metric drop-down offers, in SvdQualityMetric order. */
static const char *const metric_names[] = { N_("PSNR-Y"), N_("PSNR-RGB"), N_("SSIM-Y") };

/* The shrink factors the degrade step supports: the chains whose total
 * scale equals the factor are the ones that get a quality score. */
static const int shrink_factors[] = { 1, 2, 4 };

/* ---- One table row as a GObject, for the list models ---- */

#define SVD_TYPE_MATRIX_ROW_OBJECT (svd_matrix_row_object_get_type ())
G_DECLARE_FINAL_TYPE (SvdMatrixRowObject, svd_matrix_row_object, SVD, MATRIX_ROW_OBJECT, GObject)

struct _SvdMatrixRowObject
{
  GObject                  parent_instance;
  const SvdBenchMatrixRow *row;   /* owned by the window's rows array */
  guint                    index;
};

G_DEFINE_FINAL_TYPE (SvdMatrixRowObject, svd_matrix_row_object, G_TYPE_OBJECT)

static void svd_matrix_row_object_class_init (SvdMatrixRowObjectClass *klass) { }
static void svd_matrix_row_object_init (SvdMatrixRowObject *self) { }

const SvdBenchMatrixRow *
svd_matrix_row_object_get_row (GObject *item)
{
  g_return_val_if_fail (SVD_IS_MATRIX_ROW_OBJECT (item), NULL);
  return SVD_MATRIX_ROW_OBJECT (item)->row;
}

/* ---- Columns ---- */

typedef enum {
  COL_CHAIN, COL_INPUT, COL_OUTPUT, COL_GFLOP, COL_MS, COL_FPS, COL_PSNR_Y, COL_PSNR_RGB, COL_SSIM_Y,
  COL_ESTIMATE_FIRST, /* one per GPU in svd_gpu_table() */
} Column;

struct _SvdMatrixWindow
{
  AdwWindow         parent_instance;

  char             *clip_path;
  double            clip_fps;
  GPtrArray        *slots;        /* of GPtrArray of SvdModel (NULL = skip) */
  GHashTable       *models;       /* name -> SvdModel */
  int               width, height;
  int               warmup, frames;
  double            target_fps;
  char             *results_base; /* as set; the files used carry the quality settings */
  char             *results_path;
  char             *csv_path;
  char             *error;

  /* Quality: the span of input frames scored, the degrade step that makes
   * the input from the clip, and the metric that ranks chains. */
  int               q_first, q_frames, q_scale, q_crf;
  SvdQualityMetric  metric;

  /* The model library (project models/, the user's folder, Preferences). */
  GStrv             folders;
  GPtrArray        *library;      /* of SvdModelEntry */
  GCancellable     *scan_cancellable;
  gboolean          scan_started;
  gboolean          library_loading;

  GPtrArray        *rows;
  GArray           *pareto;
  int               recommended;
  GCancellable     *cancellable;
  gint64            started;
  gboolean          running;
  gboolean          disposed;  /* widgets gone; a late run result is dropped */

  GtkLabel         *slot_labels[SVD_MATRIX_N_SLOTS];
  GtkMenuButton    *library_buttons[SVD_MATRIX_N_SLOTS];
  GtkPopover       *library_popovers[SVD_MATRIX_N_SLOTS];
  GtkListBox       *library_lists[SVD_MATRIX_N_SLOTS];
  GtkLabel         *library_status[SVD_MATRIX_N_SLOTS];
  GtkSpinButton    *first_spin;
  GtkSpinButton    *frames_spin;
  GtkDropDown      *shrink_drop;
  GtkSpinButton    *crf_spin;
  GtkDropDown      *metric_drop;
  GtkDropDown      *size_drop;
  GtkSpinButton    *target_spin;
  GtkDropDown      *output_drop;
  GtkProgressBar   *progress;
  GtkButton        *run_button;
  GtkButton        *cancel_button;
  GtkLabel         *quality_note;
  GtkLabel         *banner;
  GListStore       *store;
  GtkSortListModel *sorted;
  GtkColumnView    *table;
  GtkWidget        *plot;
  GtkDropDown      *format_drop;
  AdwToastOverlay  *toasts;
};

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

static double
column_value (const SvdBenchMatrixRow *r,
              guint                    col)
{
  guint n_gpus;
  const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);

  switch (col)
    {
    case COL_INPUT: return (double) r->in_width * r->in_height;
    case COL_OUTPUT: return (double) r->out_width * r->out_height;
    case COL_GFLOP: return r->gflop;
    case COL_MS: return r->total_ms;
    case COL_FPS: return r->fps;
    case COL_PSNR_Y: return r->has_quality ? r->psnr_y : NAN;
    case COL_PSNR_RGB: return r->has_quality ? r->psnr_rgb : NAN;
    case COL_SSIM_Y: return r->has_quality ? r->ssim_y : NAN;
    default:
      if (col >= COL_ESTIMATE_FIRST && col - COL_ESTIMATE_FIRST < n_gpus)
        return svd_gpu_estimate (&gpus[col - COL_ESTIMATE_FIRST], r->gflop, r->in_width, r->in_height).fps;
      return NAN;
    }
}

static char *
column_text (const SvdBenchMatrixRow *r,
             guint                    col)
{
  double v;

  switch (col)
    {
    case COL_CHAIN: return g_strdup (r->chain);
    case COL_INPUT: return g_strdup_printf ("%d × %d", r->in_width, r->in_height);
    case COL_OUTPUT: return g_strdup_printf ("%d × %d", r->out_width, r->out_height);
    case COL_GFLOP: return g_strdup_printf ("%.2f", r->gflop);
    case COL_MS: return g_strdup_printf ("%.2f", r->total_ms);
    case COL_FPS: return g_strdup_printf ("%.1f", r->fps);
    case COL_SSIM_Y:
      v = column_value (r, col);
      return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.4f", v);
    default:
      v = column_value (r, col);
      return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.2f", v);
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const SvdBenchMatrixRow *ra = SVD_MATRIX_ROW_OBJECT ((gpointer) a)->row;
  const SvdBenchMatrixRow *rb = SVD_MATRIX_ROW_OBJECT ((gpointer) b)->row;
  guint col = GPOINTER_TO_UINT (data);
  double va, vb;

  if (col == COL_CHAIN)
    {
      int c = g_utf8_collate (ra->chain, rb->chain);
      return c < 0 ? GTK_ORDERING_SMALLER : c > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
    }
  va = column_value (ra, col);
  vb = column_value (rb, col);
  /* Missing values sort after every number. */
  if (isnan (va) || isnan (vb))
    return isnan (va) == isnan (vb) ? GTK_ORDERING_EQUAL : isnan (va) ? GTK_ORDERING_LARGER : GTK_ORDERING_SMALLER;
  return va < vb ? GTK_ORDERING_SMALLER : va > vb ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_UINT (data) == COL_CHAIN ? 0 : 1);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  SvdMatrixRowObject *obj = gtk_list_item_get_item (item);
  g_autofree char *text = column_text (obj->row, GPOINTER_TO_UINT (data));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
add_column (SvdMatrixWindow *self,
            const char      *title,
            guint            col)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (col), NULL));

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), GUINT_TO_POINTER (col));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GUINT_TO_POINTER (col));
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_column_set_expand (column, col == COL_CHAIN);
  gtk_column_view_append_column (self->table, column);
  g_object_unref (column);
  g_object_unref (sorter);
}

/* ---- Plot ---- */

static void
plot_draw (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        data)
{
  SvdMatrixWindow *self = data;
  double fmin = INFINITY, fmax = -INFINITY, qmin = INFINITY, qmax = -INFINITY;
  const double ml = 56, mr = 16, mt = 16, mb = 40;
  const gboolean ssim = self->metric == SVD_QUALITY_SSIM_Y;
  const double min_range = ssim ? 0.005 : 0.5;
  double pw = width - ml - mr, ph = height - mt - mb;
  guint n = 0;
  char buf[64];

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, ml, mt, pw, ph);
  cairo_stroke (cr);
  cairo_set_font_size (cr, 11);
  cairo_move_to (cr, ml + pw / 2 - 20, height - 8);
  cairo_show_text (cr, _("fps (measured)"));
  cairo_move_to (cr, 4, mt + 10);
  cairo_show_text (cr, _(metric_names[self->metric]));
  if (self->rows == NULL)
    return;
  for (guint i = 0; i < self->rows->len; i++)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, self->metric);

      if (isnan (q))
        continue;
      fmin = MIN (fmin, r->fps), fmax = MAX (fmax, r->fps);
      qmin = MIN (qmin, q), qmax = MAX (qmax, q);
      n++;
    }
  if (n == 0)
    {
      cairo_move_to (cr, ml + 10, mt + ph / 2);
      cairo_show_text (cr, _("No quality measured: open a clip to plot quality against fps"));
      return;
    }
  if (fmax - fmin < 1e-9)
    fmin -= 1, fmax += 1;
  /* Chains that differ by hundredths of a dB (or thousandths of SSIM) are
   * not drawn a plot apart. */
  if (qmax - qmin < min_range)
    {
      double mid = (qmax + qmin) / 2;

      qmin = mid - min_range / 2, qmax = mid + min_range / 2;
    }
#define PX(f) (ml + ((f) - fmin) / (fmax - fmin) * pw * 0.9 + pw * 0.05)
#define PY(q) (mt + ph - ((q) - qmin) / (qmax - qmin) * ph * 0.9 - ph * 0.05)
  g_snprintf (buf, sizeof buf, "%.1f", fmin);
  cairo_move_to (cr, ml, mt + ph + 14);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, "%.1f", fmax);
  cairo_move_to (cr, ml + pw - 30, mt + ph + 14);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, ssim ? "%.4f" : "%.2f", qmax);
  cairo_move_to (cr, 4, mt + 26);
  cairo_show_text (cr, buf);
  g_snprintf (buf, sizeof buf, ssim ? "%.4f" : "%.2f", qmin);
  cairo_move_to (cr, 4, mt + ph);
  cairo_show_text (cr, buf);
  /* The Pareto front as a line, fastest first. */
  if (self->pareto != NULL && self->pareto->len > 0)
    {
      cairo_set_source_rgb (cr, 0.85, 0.3, 0.1);
      cairo_set_line_width (cr, 2);
      for (guint k = 0; k < self->pareto->len; k++)
        {
          const SvdBenchMatrixRow *r = self->rows->pdata[g_array_index (self->pareto, guint, k)];
          double q = svd_bench_matrix_row_quality (r, self->metric);

          if (k == 0)
            cairo_move_to (cr, PX (r->fps), PY (q));
          else
            cairo_line_to (cr, PX (r->fps), PY (q));
        }
      cairo_stroke (cr);
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      const SvdBenchMatrixRow *r = self->rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, self->metric);

      if (isnan (q))
        continue;
      cairo_set_source_rgb (cr, 0.1, 0.4, 0.8);
      cairo_arc (cr, PX (r->fps), PY (q), 4, 0, 2 * G_PI);
      cairo_fill (cr);
      if ((int) i == self->recommended)
        {
          cairo_set_source_rgb (cr, 0.1, 0.7, 0.2);
          cairo_set_line_width (cr, 3);
          cairo_arc (cr, PX (r->fps), PY (q), 9, 0, 2 * G_PI);
          cairo_stroke (cr);
        }
    }
  /* The target fps as a dashed vertical line. */
  if (self->target_fps >= fmin && self->target_fps <= fmax)
    {
      double dash = 4;

      cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, &dash, 1, 0);
      cairo_move_to (cr, PX (self->target_fps), mt);
      cairo_line_to (cr, PX (self->target_fps), mt + ph);
      cairo_stroke (cr);
    }
#undef PX
#undef PY
}

/* ---- Results ---- */

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

/* The Pareto front and the recommendation for the current metric and
 * target; the rows themselves stay, so a metric or target change needs no
 * new run and keeps the table's selection. */
static void
update_recommendation (SvdMatrixWindow *self)
{
  g_clear_pointer (&self->pareto, g_array_unref);
  self->recommended = -1;
  if (self->rows == NULL)
    {
      gtk_label_set_text (self->banner, _("Run the matrix to get a recommendation"));
      gtk_widget_queue_draw (self->plot);
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

        if (r->in_width == self->width && r->in_height == self->height)
          g_ptr_array_add (at_size, (gpointer) r);
      }
    {
      guint o = self->output_drop != NULL ? gtk_drop_down_get_selected (self->output_drop) : 0;

      if (o >= G_N_ELEMENTS (outputs))
        o = 0;
      best = svd_bench_matrix_recommend (at_size, self->metric, self->target_fps, outputs[o].w, outputs[o].h);
    }
    for (guint i = 0; best >= 0 && i < self->rows->len; i++)
      if (self->rows->pdata[i] == at_size->pdata[best])
        self->recommended = (int) i;
  }
  if (self->recommended >= 0)
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
                                               _(metric_names[self->metric]), self->target_fps);
      gtk_label_set_text (self->banner, text);
    }
  gtk_widget_queue_draw (self->plot);
}

static void
update_results (SvdMatrixWindow *self)
{
  g_list_store_remove_all (self->store);
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      SvdMatrixRowObject *obj = g_object_new (SVD_TYPE_MATRIX_ROW_OBJECT, NULL);

      obj->row = self->rows->pdata[i];
      obj->index = i;
      g_list_store_append (self->store, obj);
      g_object_unref (obj);
    }
  update_recommendation (self);
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

  if (i >= G_N_ELEMENTS (metric_names))
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
  g_auto(SvdSettings) settings = { 0 };
  GPtrArray *rows;

  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
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
  rows = svd_bench_matrix_run (&d->options, &settings, progress_cb, source_object, cancellable, &error);
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
      if (g_error_matches (error, SVD_ERROR, SVD_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
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
  if (model == NULL)
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
}

void
svd_matrix_window_clear_slot (SvdMatrixWindow *self,
                              guint            slot)
{
  g_return_if_fail (SVD_IS_MATRIX_WINDOW (self));
  g_return_if_fail (slot < SVD_MATRIX_N_SLOTS);
  g_ptr_array_set_size (self->slots->pdata[slot], 0);
  update_slot_label (self, slot);
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
library_row_activated (GtkListBox    *box,
                       GtkListBoxRow *row,
                       gpointer       data)
{
  SvdMatrixWindow *self = SVD_MATRIX_WINDOW (gtk_widget_get_root (GTK_WIDGET (box)));
  guint slot = GPOINTER_TO_UINT (data);
  const SvdModelEntry *e = g_object_get_data (G_OBJECT (row), "entry");
  g_autoptr(GError) error = NULL;

  gtk_popover_popdown (self->library_popovers[slot]);
  if (g_object_get_data (G_OBJECT (row), "none") != NULL)
    svd_matrix_window_add_none (self, slot);
  else if (e != NULL && e->error == NULL && !svd_matrix_window_add_model (self, slot, e->path, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

static void
fill_library (SvdMatrixWindow *self)
{
  for (guint slot = 0; slot < SVD_MATRIX_N_SLOTS; slot++)
    {
      GtkListBox *list = self->library_lists[slot];
      GtkWidget *child;
      guint n = 0;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
        gtk_list_box_remove (list, child);
      if (slot > 0)
        {
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("None"));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Skip this slot in some combinations"));
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data (G_OBJECT (row), "none", GINT_TO_POINTER (1));
          gtk_list_box_append (list, row);
        }
      /* In the folders' order, so each folder is one group. */
      for (guint f = 0; self->folders != NULL && self->folders[f] != NULL; f++)
        for (guint i = 0; self->library != NULL && i < self->library->len; i++)
          {
            SvdModelEntry *e = self->library->pdata[i];
            g_autofree char *details = NULL;
            GtkWidget *row;

            if (g_strcmp0 (e->folder, self->folders[f]) != 0)
              continue;
            if (e->error != NULL)
              /* Translators: %s says why the model file could not be read */
              details = g_strdup_printf (_("Could not load: %s"), e->error);
            else
              /* Translators: tier · scale · parameters in thousands,
               * e.g. "Super · 2× · 45.2 k parameters" */
              details = g_strdup_printf (_("%s · %d× · %.1f k parameters"), svd_model_tier_label (e->tier), e->scale,
                                         e->params / 1000.0);
            row = adw_action_row_new ();
            adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), e->name);
            adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
            gtk_widget_set_tooltip_text (row, e->path);
            gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), e->error == NULL);
            if (e->error != NULL)
              gtk_widget_add_css_class (row, "error");
            g_object_set_data (G_OBJECT (row), "entry", e);
            gtk_list_box_append (list, row);
            n++;
          }
      if (self->library_loading)
        gtk_label_set_text (self->library_status[slot], _("Reading the model library…"));
      else if (n == 0)
        gtk_label_set_text (self->library_status[slot],
                            _("No models found. Put .onnx, .pth or .safetensors files in your models folder, or add a folder in Preferences."));
      gtk_widget_set_visible (GTK_WIDGET (self->library_status[slot]), self->library_loading || n == 0);
    }
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
  return self->library_lists[slot];
}

GtkMenuButton *
svd_matrix_window_get_library_button (SvdMatrixWindow *self,
                                      guint            slot)
{
  g_return_val_if_fail (slot < SVD_MATRIX_N_SLOTS, NULL);
  return self->library_buttons[slot];
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
                          SvdMatrixExportFormat  format,
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
  switch (format)
    {
    case SVD_MATRIX_EXPORT_PRESET:
      return svd_preset_save (chain, path, error);
    case SVD_MATRIX_EXPORT_ONNX:
      {
        g_autoptr(GBytes) bytes = svd_onnx_export_chain (chain, error);

        return bytes != NULL && svd_onnx_save (bytes, path, error);
      }
    case SVD_MATRIX_EXPORT_GLSL:
      {
        g_autofree char *text = svd_glsl_export_chain (chain, error);

        return text != NULL && g_file_set_contents (path, text, -1, error);
      }
    case SVD_MATRIX_EXPORT_ANIMEJANAI:
      {
        SvdAnimeJaNaiSlot ranges = { .slot = 1 };

        return svd_animejanai_export (chain, &ranges, path, NULL, error);
      }
    default:
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "unknown export format");
      return FALSE;
    }
}

static int
chosen_row (SvdMatrixWindow *self)
{
  GtkSelectionModel *sel = gtk_column_view_get_model (self->table);
  guint pos = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (sel));

  if (pos != GTK_INVALID_LIST_POSITION)
    {
      g_autoptr(SvdMatrixRowObject) obj = g_list_model_get_item (G_LIST_MODEL (self->sorted), pos);

      if (obj != NULL)
        return (int) obj->index;
    }
  return self->recommended;
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
  SvdMatrixExportFormat format = gtk_drop_down_get_selected (self->format_drop);

  if (svd_matrix_window_export (self, chosen_row (self), format, path, &error))
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
  SvdMatrixExportFormat format = gtk_drop_down_get_selected (self->format_drop);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Export Chain"), GTK_WINDOW (self),
                                 format == SVD_MATRIX_EXPORT_ANIMEJANAI ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
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
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
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

/* A label that wraps: it asks for a reasonable width so its minimum height
 * (measured at that width) stays a few lines, not one word a line. */
static GtkWidget *
note_label_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_width_chars (GTK_LABEL (label), 70);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  return label;
}

/* "NVIDIA GeForce RTX 3080 (eGPU, Thunderbolt 3)" → "RTX 3080\n(eGPU,
 * Thunderbolt 3)": the column titles stay narrow so more columns fit. */
static char *
gpu_short_name (const char *name)
{
  static const char *const vendors[] = { "NVIDIA GeForce ", "NVIDIA ", "AMD Radeon ", "AMD ", "Intel " };
  const char *paren;

  for (guint i = 0; i < G_N_ELEMENTS (vendors); i++)
    if (g_str_has_prefix (name, vendors[i]))
      {
        name += strlen (vendors[i]);
        break;
      }
  paren = strstr (name, " (");
  if (paren != NULL)
    return g_strdup_printf ("%.*s\n%s", (int) (paren - name), name, paren + 1);
  return g_strdup (name);
}

static GtkWidget *
library_popover_new (SvdMatrixWindow *self,
                     guint            slot)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  self->library_status[slot] = GTK_LABEL (note_label_new (NULL));
  gtk_label_set_width_chars (self->library_status[slot], 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->library_status[slot]), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->library_status[slot]));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_list_box_set_header_func (GTK_LIST_BOX (list), svd_model_library_header_func, NULL, NULL);
  gtk_widget_add_css_class (list, "boxed-list");
  g_signal_connect (list, "row-activated", G_CALLBACK (library_row_activated), GUINT_TO_POINTER (slot));
  self->library_lists[slot] = GTK_LIST_BOX (list);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 420);
  gtk_widget_set_size_request (scroller, 380, -1);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  self->library_popovers[slot] = GTK_POPOVER (popover);
  return popover;
}

static GtkWidget *
spin_new (int min, int max, int value)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  return spin;
}

static void
svd_matrix_window_init (SvdMatrixWindow *self)
{
  static const char *const slot_titles[] = { N_("Slot 1 (1×)"), N_("Slot 2 (2×)"), N_("Slot 3 (2×, optional)") };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *row, *scroller, *paned, *button, *label, *frame;
  GtkStringList *size_names = gtk_string_list_new (NULL);
  GtkStringList *formats = gtk_string_list_new (NULL);
  GtkStringList *shrinks = gtk_string_list_new (NULL);
  GtkStringList *metrics = gtk_string_list_new (NULL);
  guint n_gpus;
  const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);
  GtkSingleSelection *selection;

  self->slots = g_ptr_array_new_with_free_func (model_array_free);
  for (int s = 0; s < SVD_MATRIX_N_SLOTS; s++)
    g_ptr_array_add (self->slots, g_ptr_array_new_with_free_func (model_unref0));
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) svd_model_unref);
  self->width = 854, self->height = 480;
  self->warmup = -1, self->frames = 0;
  self->recommended = -1;
  /* As `svd bench-matrix`: frames 0:5, shrink 2, CRF 34. */
  self->q_first = 0, self->q_frames = 5, self->q_scale = 2, self->q_crf = 34;
  self->metric = SVD_QUALITY_PSNR_Y;

  gtk_window_set_title (GTK_WINDOW (self), _("Benchmark Matrix"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1200, 900);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);
  adw_toast_overlay_set_child (self->toasts, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));

  /* Slots: the library menu, a file, clear */
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  for (int s = 0; s < SVD_MATRIX_N_SLOTS; s++)
    {
      label = gtk_label_new (_(slot_titles[s]));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (GTK_GRID (grid), label, 0, s, 1, 1);
      self->slot_labels[s] = GTK_LABEL (gtk_label_new (_("(empty)")));
      gtk_label_set_xalign (self->slot_labels[s], 0);
      gtk_label_set_ellipsize (self->slot_labels[s], PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_hexpand (GTK_WIDGET (self->slot_labels[s]), TRUE);
      gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->slot_labels[s]), 1, s, 1, 1);
      button = gtk_menu_button_new ();
      gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("From _Library"));
      gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (button), TRUE);
      gtk_widget_set_tooltip_text (button, s > 0 ? _("Add a model of the model library, or “none”, to this slot")
                                                 : _("Add a model of the model library to this slot"));
      gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), library_popover_new (self, s));
      self->library_buttons[s] = GTK_MENU_BUTTON (button);
      gtk_grid_attach (GTK_GRID (grid), button, 2, s, 1, 1);
      button = gtk_button_new_with_mnemonic (_("Add _File…"));
      gtk_widget_set_tooltip_text (button, _("Add a model file to this slot"));
      g_signal_connect (button, "clicked", G_CALLBACK (add_model_clicked), GUINT_TO_POINTER (s));
      gtk_grid_attach (GTK_GRID (grid), button, 3, s, 1, 1);
      button = gtk_button_new_with_mnemonic (_("C_lear"));
      gtk_widget_set_tooltip_text (button, _("Remove every model from this slot"));
      g_signal_connect (button, "clicked", G_CALLBACK (clear_clicked), GUINT_TO_POINTER (s));
      gtk_grid_attach (GTK_GRID (grid), button, 4, s, 1, 1);
    }
  gtk_box_append (GTK_BOX (content), grid);

  /* Quality settings, as `svd bench-matrix --frames A:B --scale --crf` */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("Quality from frame")));
  self->first_spin = GTK_SPIN_BUTTON (spin_new (0, 1000000, self->q_first));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->first_spin));
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("frames")));
  self->frames_spin = GTK_SPIN_BUTTON (spin_new (1, 1000, self->q_frames));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->frames_spin));
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("input shrunk")));
  for (guint i = 0; i < G_N_ELEMENTS (shrink_factors); i++)
    {
      /* Translators: the factor the clean clip is shrunk by to make the
       * input; the chains of that total scale are scored */
      g_autofree char *text = g_strdup_printf (_("%d× (scores %d× chains)"), shrink_factors[i], shrink_factors[i]);

      gtk_string_list_append (shrinks, text);
    }
  self->shrink_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (shrinks), NULL));
  gtk_drop_down_set_selected (self->shrink_drop, 1);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->shrink_drop));
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("x264 CRF")));
  self->crf_spin = GTK_SPIN_BUTTON (spin_new (0, 51, self->q_crf));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->crf_spin));
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("ranked by")));
  for (guint i = 0; i < G_N_ELEMENTS (metric_names); i++)
    gtk_string_list_append (metrics, _(metric_names[i]));
  self->metric_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (metrics), NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->metric_drop),
                               _("The metric of the Pareto front, the plot and the recommendation; changing it needs no new run"));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->metric_drop));
  gtk_box_append (GTK_BOX (content), row);

  /* Size, target, run */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("Input size")));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    gtk_string_list_append (size_names, _(sizes[i].label));
  self->size_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (size_names), NULL));
  gtk_drop_down_set_selected (self->size_drop, 1);
  g_signal_connect (self->size_drop, "notify::selected", G_CALLBACK (size_changed), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->size_drop));
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("Target fps")));
  self->target_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 1000, 0.1));
  gtk_spin_button_set_digits (self->target_spin, 1);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->target_spin));
  {
    GtkStringList *output_names = gtk_string_list_new (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
      gtk_string_list_append (output_names, _(outputs[i].label));
    self->output_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (output_names), NULL));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->output_drop),
                                 _("The output size the recommended chain must have; changing it needs no new run"));
    g_signal_connect_swapped (self->output_drop, "notify::selected", G_CALLBACK (update_recommendation), self);
    gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->output_drop));
  }
  self->run_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Run")));
  gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "suggested-action");
  g_signal_connect_swapped (self->run_button, "clicked", G_CALLBACK (svd_matrix_window_run), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->run_button));
  self->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Cancel")));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (svd_matrix_window_cancel), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->cancel_button));
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_progress_bar_set_text (self->progress, _("Not run yet"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (content), row);

  self->quality_note = GTK_LABEL (note_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->quality_note), "dim-label");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->quality_note));

  /* Recommendation banner */
  self->banner = GTK_LABEL (note_label_new (_("Run the matrix to get a recommendation")));
  gtk_widget_add_css_class (GTK_WIDGET (self->banner), "heading");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->banner));

  /* Table and plot */
  self->store = g_list_store_new (SVD_TYPE_MATRIX_ROW_OBJECT);
  self->table = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->table, TRUE);
  add_column (self, _("Chain"), COL_CHAIN);
  add_column (self, _("Input"), COL_INPUT);
  add_column (self, _("Output"), COL_OUTPUT);
  add_column (self, _("GFLOP"), COL_GFLOP);
  add_column (self, _("ms"), COL_MS);
  add_column (self, _("fps (measured)"), COL_FPS);
  add_column (self, _("PSNR-Y"), COL_PSNR_Y);
  add_column (self, _("PSNR-RGB"), COL_PSNR_RGB);
  add_column (self, _("SSIM-Y"), COL_SSIM_Y);
  for (guint g = 0; g < n_gpus; g++)
    {
      g_autofree char *name = gpu_short_name (gpus[g].name);
      /* Translators: a column of fps estimated (not measured) for a GPU;
       * %s is a short GPU name such as "RTX 2060". Keep "estimate". */
      g_autofree char *title = g_strdup_printf (_("%s\nfps (estimate)"), name);

      add_column (self, title, COL_ESTIMATE_FIRST + g);
    }
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                          g_object_ref (gtk_column_view_get_sorter (self->table)));
  selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  /* The content's minimum height must stay well inside the window: a
   * paned whose children ask for more than it gets keeps them at a stale
   * allocation (GTK 4.8), clipping the table's header row and the plot's
   * axis labels. Small minimums; both panes grow with the window. */
  paned = gtk_paned_new (GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_paned_set_wide_handle (GTK_PANED (paned), TRUE);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->table));
  gtk_widget_set_size_request (scroller, -1, 130);
  gtk_paned_set_start_child (GTK_PANED (paned), scroller);
  gtk_paned_set_resize_start_child (GTK_PANED (paned), TRUE);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  self->plot = gtk_drawing_area_new ();
  gtk_widget_set_size_request (self->plot, -1, 170);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->plot), plot_draw, self, NULL);
  frame = gtk_frame_new (_("Quality vs fps (measured on this device); line: Pareto front; ring: recommendation"));
  gtk_frame_set_child (GTK_FRAME (frame), self->plot);
  gtk_paned_set_end_child (GTK_PANED (paned), frame);
  gtk_paned_set_resize_end_child (GTK_PANED (paned), TRUE);
  gtk_paned_set_shrink_end_child (GTK_PANED (paned), FALSE);
  gtk_box_append (GTK_BOX (content), paned);

  label = note_label_new (_("Columns marked “estimate” are computed from GFLOP per frame and each GPU's fp32 throughput, "
                            "calibrated on the seed project's published fps; they are not measurements."));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (content), label);

  /* Export */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row), gtk_label_new (_("Export the selected row, else the recommendation, as")));
  gtk_string_list_append (formats, _("Preset (JSON)"));
  gtk_string_list_append (formats, _("AnimeJaNai conf (folder)"));
  gtk_string_list_append (formats, _("Fused ONNX"));
  gtk_string_list_append (formats, _("mpv GLSL shader"));
  self->format_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (formats), NULL));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->format_drop));
  button = gtk_button_new_with_mnemonic (_("_Export…"));
  g_signal_connect (button, "clicked", G_CALLBACK (export_clicked), self);
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (GTK_BOX (content), row);

  g_signal_connect (self->target_spin, "value-changed", G_CALLBACK (target_changed), self);
  g_signal_connect (self->metric_drop, "notify::selected", G_CALLBACK (metric_changed), self);
  g_signal_connect_swapped (self->first_spin, "value-changed", G_CALLBACK (quality_settings_changed), self);
  g_signal_connect_swapped (self->frames_spin, "value-changed", G_CALLBACK (quality_settings_changed), self);
  g_signal_connect_swapped (self->crf_spin, "value-changed", G_CALLBACK (quality_settings_changed), self);
  g_signal_connect_swapped (self->shrink_drop, "notify::selected", G_CALLBACK (quality_settings_changed), self);
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
  const char *root = g_getenv ("SVD_SOURCE_ROOT");
  GSettings *settings = app != NULL && SVD_IS_APPLICATION (app) ? svd_application_get_settings (SVD_APPLICATION (app))
                                                                : NULL;
  g_auto(GStrv) extra = settings != NULL ? g_settings_get_strv (settings, "model-folders") : NULL;

  self->clip_path = g_strdup (clip_path);
  self->clip_fps = clip_fps;
  self->target_fps = (clip_fps > 0 ? clip_fps : 30) * 1.1;
  gtk_spin_button_set_value (self->target_spin, self->target_fps);
  /* The same library as the chain editor: the project's models/, the
   * user's models folder and the Preferences folders. */
  self->folders = svd_model_library_default_folders (root != NULL ? root : SVD_SOURCE_ROOT,
                                                     (const char * const *) extra);
  g_mkdir_with_parents (dir, 0755);
  self->results_base = g_build_filename (dir, "bench-matrix.json", NULL);
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
