/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-matrix-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "svd-matrix-window-private.h"
#include "svd-window-private.h"

/* The Benchmark Matrix's slots checked and remembered, the recommendation
 * for a GPU of the estimate table, and Use in Viewer. */

/* Slot 1 of the matrix is the 1× stage, slots 2 and 3 the 2× ones. */
static int
slot_scale (guint slot)
{
  return slot == 0 ? 1 : 2;
}

/**
 * svd_matrix_window_check_scale:
 * @self: a #SvdMatrixWindow
 * @slot: 0 to 2
 * @model: the model to add
 * @error: return location for an error
 *
 * Returns: %FALSE (with a message naming the slot and the scales) when
 *   @model's scale is not the one @slot takes
 */
gboolean
svd_matrix_window_check_scale (SvdMatrixWindow  *self,
                               guint             slot,
                               const SvdModel   *model,
                               GError          **error)
{
  if (model->scale == slot_scale (slot))
    return TRUE;
  /* Translators: slot number (1–3), the scale it takes, the model's name
   * and its scale, e.g. "Slot 2 takes 2× models; “x” is 1×" */
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, _("Slot %u takes %d× models; “%s” is %d×"), slot + 1,
               slot_scale (slot), model->name, model->scale);
  return FALSE;
}

/* Each entry "SLOT<TAB>PATH", with an empty path for "none". */
void
svd_matrix_window_save_slots (SvdMatrixWindow *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) entries = NULL;

  if (self->gsettings == NULL || self->restoring_slots)
    return;
  builder = g_strv_builder_new ();
  for (guint s = 0; s < SVD_MATRIX_N_SLOTS; s++)
    {
      GPtrArray *models = self->slots->pdata[s];

      for (guint i = 0; i < models->len; i++)
        {
          const SvdModel *m = models->pdata[i];
          g_autofree char *entry = NULL;

          if (m != NULL && m->path == NULL)
            continue;
          entry = g_strdup_printf ("%u\t%s", s, m != NULL ? m->path : "");
          g_strv_builder_add (builder, entry);
        }
    }
  entries = g_strv_builder_end (builder);
  g_settings_set_strv (self->gsettings, "matrix-slots", (const char * const *) entries);
}

/* Models that moved or no longer load are left out, with a toast. */
void
svd_matrix_window_restore_slots (SvdMatrixWindow *self)
{
  g_auto(GStrv) entries = NULL;
  guint missing = 0;

  if (self->gsettings == NULL)
    return;
  entries = g_settings_get_strv (self->gsettings, "matrix-slots");
  self->restoring_slots = TRUE;
  for (guint i = 0; entries[i] != NULL; i++)
    {
      const char *tab = strchr (entries[i], '\t');
      g_autofree char *number = tab != NULL ? g_strndup (entries[i], tab - entries[i]) : NULL;
      guint64 slot;
      g_autoptr(GError) error = NULL;

      if (number == NULL || !g_ascii_string_to_unsigned (number, 10, 0, SVD_MATRIX_N_SLOTS - 1, &slot, NULL))
        continue;
      if (tab[1] == '\0')
        {
          if (slot > 0)
            svd_matrix_window_add_none (self, (guint) slot);
        }
      else if (!svd_matrix_window_add_model (self, (guint) slot, tab + 1, &error))
        missing++;
    }
  self->restoring_slots = FALSE;
  if (missing > 0)
    {
      /* Translators: %u is a number of model files */
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u model of the last matrix could not be loaded again",
                                                            "%u models of the last matrix could not be loaded again",
                                                            missing), missing);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
    }
}

/**
 * svd_matrix_window_prefill:
 * @self: a #SvdMatrixWindow
 *
 * With no slots remembered, the slots start from the main window's
 * chains: each chain's 1× model goes to slot 1, its first 2× model to
 * slot 2 and a second 2× model to slot 3 ("none" where a chain has
 * fewer), so the matrix times what is being compared.
 */
void
svd_matrix_window_prefill (SvdMatrixWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  SvdWindow *window;

  for (guint s = 0; s < SVD_MATRIX_N_SLOTS; s++)
    if (((GPtrArray *) self->slots->pdata[s])->len > 0)
      return;
  if (parent == NULL || !SVD_IS_WINDOW (parent))
    return;
  window = SVD_WINDOW (parent);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      const SvdChain *chain = window->chains[i].chain;
      guint n_2x = 0;

      if (chain == NULL)
        continue;
      for (guint k = 0; k < chain->steps->len; k++)
        {
          const SvdChainStep *step = chain->steps->pdata[k];
          const char *path = step->abs_path != NULL ? step->abs_path : step->path;
          g_autoptr(GError) error = NULL;
          int scale = step->scale;

          if (step->type != SVD_CHAIN_STEP_MODEL || path == NULL)
            continue;
          /* A chain read without its models (svd_window_set_chain_paths())
           * does not know its steps' scales: the model files do. */
          if (scale == 0)
            {
              g_autoptr(SvdModel) model = svd_model_load (path, NULL);

              scale = model != NULL ? model->scale : 0;
            }
          if (scale == 1)
            svd_matrix_window_add_model (self, 0, path, &error);
          else if (scale == 2 && n_2x < 2)
            svd_matrix_window_add_model (self, 1 + n_2x++, path, &error);
        }
      for (guint s = 1 + n_2x; s < SVD_MATRIX_N_SLOTS; s++)
        if (s == 1 || ((GPtrArray *) self->slots->pdata[s])->len > 0)
          svd_matrix_window_add_none (self, s);
    }
  /* A slot 2 of "none" alone times nothing more than no slot 2. */
  if (((GPtrArray *) self->slots->pdata[1])->len == 1 && ((GPtrArray *) self->slots->pdata[1])->pdata[0] == NULL)
    svd_matrix_window_clear_slot (self, 1);
}

/* "NVIDIA GeForce RTX 3080 (eGPU, Thunderbolt 3)" as is: the drop-down
 * has room for the whole name. */
void
svd_matrix_window_fill_gpu_drop (SvdMatrixWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint n_gpus;
  const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);

  gtk_string_list_append (names, _("For this device (measured)"));
  for (guint g = 0; g < n_gpus; g++)
    {
      /* Translators: an entry of the matrix's "recommend for" drop-down;
       * %s is a GPU's name. Keep "estimate". */
      g_autofree char *text = g_strdup_printf (_("For %s (estimate)"), gpus[g].name);

      gtk_string_list_append (names, text);
    }
  gtk_drop_down_set_model (self->gpu_drop, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->gpu_drop, 0);
}

/**
 * svd_matrix_window_recommend_for_gpu:
 * @self: a #SvdMatrixWindow
 * @at_size: (element-type SvdBenchMatrixRow): the rows that may be
 *   recommended
 * @out_width: the output size wanted, 0 for any
 * @out_height: the output size wanted, 0 for any
 * @gpu_name: (out): the GPU recommended for, %NULL for this device
 *
 * svd_bench_matrix_recommend() on the fps measured here, or on the fps
 * the estimate table gives for the GPU the drop-down chose (the rows'
 * quality does not depend on the GPU).
 *
 * Returns: an index into @at_size, or -1
 */
int
svd_matrix_window_recommend_for_gpu (SvdMatrixWindow *self,
                                     GPtrArray       *at_size,
                                     int              out_width,
                                     int              out_height,
                                     const char     **gpu_name)
{
  guint n_gpus;
  const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);
  guint g = self->gpu_drop != NULL ? gtk_drop_down_get_selected (self->gpu_drop) : 0;
  g_autoptr(GPtrArray) estimated = NULL;
  g_autofree SvdBenchMatrixRow *copies = NULL;

  *gpu_name = NULL;
  if (g == 0 || g == GTK_INVALID_LIST_POSITION || g > n_gpus)
    return svd_bench_matrix_recommend (at_size, self->metric, self->target_fps, out_width, out_height);

  /* Shallow copies with the estimated fps: the strings stay the rows'. */
  copies = g_new (SvdBenchMatrixRow, MAX (at_size->len, 1));
  estimated = g_ptr_array_new ();
  for (guint i = 0; i < at_size->len; i++)
    {
      const SvdBenchMatrixRow *r = at_size->pdata[i];

      copies[i] = *r;
      copies[i].fps = svd_gpu_estimate (&gpus[g - 1], r->gflop, r->in_width, r->in_height).fps;
      g_ptr_array_add (estimated, &copies[i]);
    }
  *gpu_name = gpus[g - 1].name;
  return svd_bench_matrix_recommend (estimated, self->metric, self->target_fps, out_width, out_height);
}

/**
 * svd_matrix_window_use_in_viewer:
 * @self: a #SvdMatrixWindow
 * @row: an index into the rows
 * @error: return location for an error
 *
 * Sets @row's chain as chain 1 of the main window's session, to be
 * compared there.
 *
 * Returns: %FALSE if the row records no chain or no session is open
 */
gboolean
svd_matrix_window_use_in_viewer (SvdMatrixWindow  *self,
                                 int               row,
                                 GError          **error)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  const SvdBenchMatrixRow *r;
  g_autoptr(SvdChain) chain = NULL;

  if (self->rows == NULL || row < 0 || (guint) row >= self->rows->len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, _("Select a row of the matrix first"));
      return FALSE;
    }
  if (parent == NULL || !SVD_IS_WINDOW (parent) || svd_window_get_session_info (SVD_WINDOW (parent)) == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, _("Open a clip in the main window first"));
      return FALSE;
    }
  r = self->rows->pdata[row];
  if (r->spec == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   _("This row does not record its model files; run the matrix again to use it"));
      return FALSE;
    }
  chain = svd_chain_parse (r->spec, NULL, SVD_CHAIN_LOAD_DEFAULT, error);
  if (chain == NULL)
    return FALSE;
  g_free (chain->name);
  chain->name = g_strdup (r->chain);
  svd_window_set_chain (SVD_WINDOW (parent), 0, chain);
  gtk_window_present (parent);
  return TRUE;
}

GtkDropDown *svd_matrix_window_get_gpu_drop (SvdMatrixWindow *self) { return self->gpu_drop; }
GtkWidget *svd_matrix_window_get_export_button (SvdMatrixWindow *self) { return self->export_button; }
GtkWidget *svd_matrix_window_get_use_button (SvdMatrixWindow *self) { return self->use_button; }
