/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-matrix-table"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "svd-matrix-table-private.h"
#include "tiers/svd-gpu-table.h"

/* The Benchmark Matrix's results table: each row a GObject for the list
 * models, and the sortable columns (measured values, quality, and one
 * estimate column per GPU of svd_gpu_table()). */

/* ---- One table row as a GObject, for the list models ---- */

struct _SvdMatrixRowObject
{
  GObject                  parent_instance;
  const SvdBenchMatrixRow *row;   /* owned by the window's rows array */
  guint                    index;
  gboolean                 stale;  /* measured on another device or precision */
  gboolean                 recommended;
};

G_DEFINE_FINAL_TYPE (SvdMatrixRowObject, svd_matrix_row_object, G_TYPE_OBJECT)

enum { PROP_0, PROP_RECOMMENDED, N_PROPS };
static GParamSpec *row_properties[N_PROPS];

static void
svd_matrix_row_object_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  if (prop_id == PROP_RECOMMENDED)
    g_value_set_boolean (value, SVD_MATRIX_ROW_OBJECT (object)->recommended);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
svd_matrix_row_object_class_init (SvdMatrixRowObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = svd_matrix_row_object_get_property;
  row_properties[PROP_RECOMMENDED] =
    g_param_spec_boolean ("recommended", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, row_properties);
}

/**
 * svd_matrix_row_object_set_recommended:
 * @self: a row
 * @recommended: whether it is the recommendation (the table marks it)
 */
void
svd_matrix_row_object_set_recommended (SvdMatrixRowObject *self,
                                       gboolean            recommended)
{
  g_return_if_fail (SVD_IS_MATRIX_ROW_OBJECT (self));

  recommended = !!recommended;
  if (self->recommended == recommended)
    return;
  self->recommended = recommended;
  g_object_notify_by_pspec (G_OBJECT (self), row_properties[PROP_RECOMMENDED]);
}

gboolean
svd_matrix_row_object_get_recommended (SvdMatrixRowObject *self)
{
  g_return_val_if_fail (SVD_IS_MATRIX_ROW_OBJECT (self), FALSE);

  return self->recommended;
}
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

SvdMatrixRowObject *
svd_matrix_row_object_new (const SvdBenchMatrixRow *row,
                           guint                    index,
                           gboolean                 stale)
{
  SvdMatrixRowObject *self = g_object_new (SVD_TYPE_MATRIX_ROW_OBJECT, NULL);

  self->row = row;
  self->index = index;
  self->stale = stale;
  return self;
}

gboolean
svd_matrix_row_object_is_stale (SvdMatrixRowObject *self)
{
  return self->stale;
}

guint
svd_matrix_row_object_get_index (SvdMatrixRowObject *self)
{
  return self->index;
}

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
    case COL_PSNR_Y:
    case COL_PSNR_RGB:
      v = column_value (r, col);
      return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.2f", v);
    default:
      /* An estimate's fps: whole frames (it is an estimate, not a
       * measurement), which keeps the GPU columns narrow. */
      v = column_value (r, col);
      return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.0f", v);
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

  /* Long chains are cut in the middle (the tooltip has all of it), so the
   * GPU estimate columns fit beside them. */
  if (GPOINTER_TO_UINT (data) == COL_CHAIN)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 10);
    }

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_UINT (data) == COL_CHAIN ? 0 : 1);
  gtk_list_item_set_child (item, label);
}

/* The chain cell's text: the chain, marked when it is the
 * recommendation or stale. */
static void
cell_update (GtkWidget          *label,
             SvdMatrixRowObject *obj,
             guint               col)
{
  g_autofree char *text = column_text (obj->row, col);

  if (col == COL_CHAIN && obj->stale)
    {
      /* Translators: a chain in the matrix table whose timing was measured
       * on another device or precision than Preferences now choose */
      g_autofree char *marked = g_strdup_printf (_("%s (stale)"), text);
      gtk_label_set_text (GTK_LABEL (label), marked);
    }
  else if (col == COL_CHAIN && obj->recommended)
    {
      /* Translators: the recommended chain in the matrix table */
      g_autofree char *marked = g_strdup_printf (_("★ %s (recommended)"), text);
      gtk_label_set_text (GTK_LABEL (label), marked);
    }
  else
    gtk_label_set_text (GTK_LABEL (label), text);
  if (col == COL_CHAIN)
    gtk_widget_set_tooltip_text (label, text);
  else if (col >= COL_ESTIMATE_FIRST)
    {
      guint n_gpus;
      const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);

      if (col - COL_ESTIMATE_FIRST < n_gpus)
        {
          /* Translators: the tooltip of a GPU estimate cell: the full GPU
           * name (the column title is shortened) */
          g_autofree char *tip = g_strdup_printf (_("fps estimated for the %s (not measured)"),
                                                  gpus[col - COL_ESTIMATE_FIRST].name);
          gtk_widget_set_tooltip_text (label, tip);
        }
    }
  if (obj->stale)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
  if (obj->recommended)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_remove_css_class (label, "heading");
}

static void
recommended_changed_cb (SvdMatrixRowObject *obj,
                        GParamSpec         *pspec,
                        GtkWidget          *label)
{
  cell_update (label, obj, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "column")));
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  SvdMatrixRowObject *obj = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  g_object_set_data (G_OBJECT (label), "column", data);
  cell_update (label, obj, GPOINTER_TO_UINT (data));
  g_signal_connect_object (obj, "notify::recommended", G_CALLBACK (recommended_changed_cb), label, 0);
}

static void
cell_unbind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  SvdMatrixRowObject *obj = gtk_list_item_get_item (item);

  if (obj != NULL)
    g_signal_handlers_disconnect_by_func (obj, recommended_changed_cb, gtk_list_item_get_child (item));
}

static void
add_column (GtkColumnView *table,
            const char    *title,
            guint          col)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (col), NULL));

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), GUINT_TO_POINTER (col));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GUINT_TO_POINTER (col));
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind), GUINT_TO_POINTER (col));
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  /* The chain takes what the other columns leave (shortened in the
   * middle when the window is narrow). */
  gtk_column_view_column_set_expand (column, col == COL_CHAIN);
  gtk_column_view_append_column (table, column);
  g_object_unref (column);
  g_object_unref (sorter);
}

/* "NVIDIA GeForce RTX 3080 (eGPU, Thunderbolt 3)" → "RTX 3080\n(eGPU)":
 * the column titles stay narrow so that every column fits (the cells'
 * tooltips give the full name). */
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
    {
      gsize word = strcspn (paren + 2, ",)");

      return g_strdup_printf ("%.*s\n(%.*s)", (int) (paren - name), name, (int) word, paren + 2);
    }
  return g_strdup (name);
}

/**
 * svd_matrix_table_add_columns:
 * @table: the matrix window's column view
 *
 * Adds the matrix columns to @table, each sortable.
 */
void
svd_matrix_table_add_columns (GtkColumnView *table)
{
  guint n_gpus;
  const SvdGpuInfo *gpus = svd_gpu_table (&n_gpus);

  add_column (table, _("Chain"), COL_CHAIN);
  add_column (table, _("Input"), COL_INPUT);
  add_column (table, _("Output"), COL_OUTPUT);
  add_column (table, _("GFLOP"), COL_GFLOP);
  add_column (table, _("ms"), COL_MS);
  /* Translators: a column title, on two lines so that every column fits */
  add_column (table, _("fps\n(measured)"), COL_FPS);
  add_column (table, _("PSNR-Y"), COL_PSNR_Y);
  add_column (table, _("PSNR-RGB"), COL_PSNR_RGB);
  add_column (table, _("SSIM-Y"), COL_SSIM_Y);
  for (guint g = 0; g < n_gpus; g++)
    {
      g_autofree char *name = gpu_short_name (gpus[g].name);
      /* Translators: a column of fps estimated (not measured) for a GPU;
       * %s is a short GPU name such as "RTX 2060". Keep "estimate", and
       * the lines short: every column must fit in the window. */
      g_autofree char *title = g_strdup_printf (_("%s\nfps\n(estimate)"), name);

      add_column (table, title, COL_ESTIMATE_FIRST + g);
    }
}
