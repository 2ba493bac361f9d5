/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-readout"

#include "svd-config.h"

#include <string.h>

#include "svd-readout.h"

/* One chain's live readout: one row of a table whose columns line up
 * across the chains (a horizontal size group per cell, see svd-window.c)
 * under a header row (a readout too, svd_readout_set_header()). Each cell
 * shows a bare value ("31.23 dB") under its column's header ("PSNR-RGB");
 * its tooltip has the full text ("PSNR-RGB 31.23 dB"; for the time, every
 * stage's), which svd_readout_get_text() also gives. A wrapping message
 * under the row holds the rare long texts (a failed chain, why there are
 * no metrics).
 *
 * The cells change with every frame during playback, so they are
 * GtkInscriptions: their size comes from a fixed number of characters, not
 * from their text, so a new value only redraws the cell. A GtkLabel would
 * ask the whole window for a new layout each time, and on software GL that
 * text layout was most of the main thread's time per frame. Each cell's
 * width is set from the widest value it can show (svd_readout_set_cell_width()),
 * so nothing is cut off. */

struct _SvdReadout
{
  GtkWidget        parent_instance;

  GtkWidget       *row;
  GtkInscription  *cells[SVD_READOUT_N_CELLS];
  char            *full[SVD_READOUT_N_CELLS];
  GtkLabel        *message;
  char            *text;
};

G_DEFINE_FINAL_TYPE (SvdReadout, svd_readout, GTK_TYPE_WIDGET)

static void
svd_readout_dispose (GObject *object)
{
  SvdReadout *self = SVD_READOUT (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    g_clear_pointer (&self->full[i], g_free);
  g_clear_pointer (&self->text, g_free);
  G_OBJECT_CLASS (svd_readout_parent_class)->dispose (object);
}

static void
svd_readout_class_init (SvdReadoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_readout_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "readout");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
svd_readout_init (SvdReadout *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_add_css_class (GTK_WIDGET (self), "numeric");

  self->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  gtk_widget_set_parent (self->row, GTK_WIDGET (self));

  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    {
      self->cells[i] = GTK_INSCRIPTION (gtk_inscription_new (NULL));
      gtk_inscription_set_xalign (self->cells[i], i == SVD_READOUT_TITLE ? 0 : 1);
      gtk_inscription_set_min_chars (self->cells[i], 4);
      gtk_inscription_set_nat_chars (self->cells[i], 4);
      gtk_inscription_set_text_overflow (self->cells[i], GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      if (i == SVD_READOUT_TITLE)
        gtk_widget_add_css_class (GTK_WIDGET (self->cells[i]), "heading");
      gtk_widget_set_visible (GTK_WIDGET (self->cells[i]), FALSE);
      gtk_box_append (GTK_BOX (self->row), GTK_WIDGET (self->cells[i]));
    }

  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->message, 0);
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_selectable (self->message, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->message), GTK_WIDGET (self));
}

GtkWidget *
svd_readout_new (void)
{
  return g_object_new (SVD_TYPE_READOUT, NULL);
}

/**
 * svd_readout_set_cell_width:
 * @self: a #SvdReadout
 * @cell: which cell
 * @widest: the widest text the cell will show
 *
 * Sizes the cell for @widest, with a little room to spare: digits in the
 * tabular figures are wider than an average character. Only a change of
 * width lays the window out again.
 */
void
svd_readout_set_cell_width (SvdReadout     *self,
                            SvdReadoutCell  cell,
                            const char     *widest)
{
  guint chars;

  g_return_if_fail (SVD_IS_READOUT (self));
  g_return_if_fail (cell < SVD_READOUT_N_CELLS && widest != NULL);

  chars = (guint) g_utf8_strlen (widest, -1) + 2;
  if (gtk_inscription_get_min_chars (self->cells[cell]) != chars)
    gtk_inscription_set_min_chars (self->cells[cell], chars);
  if (gtk_inscription_get_nat_chars (self->cells[cell]) != chars)
    gtk_inscription_set_nat_chars (self->cells[cell], chars);
}

/**
 * svd_readout_add_to_size_group:
 * @self: a #SvdReadout
 * @cell: which cell
 * @group: a horizontal size group, one per cell across several readouts
 *
 * Makes @cell as wide as the same cell of the other readouts in @group,
 * so that readouts stacked one above the other line up in columns.
 */
void
svd_readout_add_to_size_group (SvdReadout     *self,
                               SvdReadoutCell  cell,
                               GtkSizeGroup   *group)
{
  g_return_if_fail (SVD_IS_READOUT (self));
  g_return_if_fail (cell < SVD_READOUT_N_CELLS);

  gtk_size_group_add_widget (group, GTK_WIDGET (self->cells[cell]));
}

/**
 * svd_readout_get_cell_widget:
 * @self: a #SvdReadout
 * @cell: which cell
 *
 * Returns: (transfer none): the widget that shows @cell
 */
GtkWidget *
svd_readout_get_cell_widget (SvdReadout     *self,
                             SvdReadoutCell  cell)
{
  g_return_val_if_fail (SVD_IS_READOUT (self), NULL);
  g_return_val_if_fail (cell < SVD_READOUT_N_CELLS, NULL);

  return GTK_WIDGET (self->cells[cell]);
}

/**
 * svd_readout_set_cell:
 * @self: a #SvdReadout
 * @cell: which cell
 * @value: (nullable): what the cell shows (the bare value, its column's
 *   header names it), or %NULL to hide the cell; "" keeps its place empty
 *   (another chain's readout shows that cell)
 * @full: (nullable): the cell's full text, for its tooltip and
 *   svd_readout_get_text(); %NULL: @value
 */
void
svd_readout_set_cell (SvdReadout     *self,
                      SvdReadoutCell  cell,
                      const char     *value,
                      const char     *full)
{
  GtkWidget *widget;

  g_return_if_fail (SVD_IS_READOUT (self));
  g_return_if_fail (cell < SVD_READOUT_N_CELLS);

  widget = GTK_WIDGET (self->cells[cell]);
  if (full == NULL)
    full = value;
  if (value != NULL && g_strcmp0 (gtk_inscription_get_text (self->cells[cell]) ?: "", value) != 0)
    gtk_inscription_set_text (self->cells[cell], value);
  if (g_strcmp0 (self->full[cell], full) != 0)
    {
      g_free (self->full[cell]);
      self->full[cell] = g_strdup (full);
      gtk_widget_set_tooltip_text (widget, full != NULL && *full != '\0' && g_strcmp0 (full, value) != 0
                                           ? full : NULL);
    }
  if (gtk_widget_get_visible (widget) != (value != NULL))
    gtk_widget_set_visible (widget, value != NULL);
}

/**
 * svd_readout_set_header:
 * @self: a #SvdReadout
 *
 * Makes @self the header row of the table: its cells are the column
 * titles (svd_readout_format_header()), dimmed and aligned like the
 * values.
 */
void
svd_readout_set_header (SvdReadout *self)
{
  g_return_if_fail (SVD_IS_READOUT (self));

  gtk_widget_add_css_class (GTK_WIDGET (self), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption-heading");
  gtk_widget_remove_css_class (GTK_WIDGET (self->cells[SVD_READOUT_TITLE]), "heading");
}

/**
 * svd_readout_get_cell_visible:
 * @self: a #SvdReadout
 * @cell: which cell
 *
 * Returns: whether @cell has a place in the row
 */
gboolean
svd_readout_get_cell_visible (SvdReadout     *self,
                              SvdReadoutCell  cell)
{
  g_return_val_if_fail (SVD_IS_READOUT (self), FALSE);
  g_return_val_if_fail (cell < SVD_READOUT_N_CELLS, FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->cells[cell]));
}

/**
 * svd_readout_set_message:
 * @self: a #SvdReadout
 * @message: (nullable): a text shown in full under the cells, or %NULL
 */
void
svd_readout_set_message (SvdReadout *self,
                         const char *message)
{
  g_return_if_fail (SVD_IS_READOUT (self));

  if (message != NULL && g_strcmp0 (gtk_label_get_text (self->message), message) != 0)
    gtk_label_set_text (self->message, message);
  if (gtk_widget_get_visible (GTK_WIDGET (self->message)) != (message != NULL))
    gtk_widget_set_visible (GTK_WIDGET (self->message), message != NULL);
}

/**
 * svd_readout_get_text:
 * @self: a #SvdReadout
 *
 * Returns: what the readout says: its visible cells' full texts, then
 *   the message, separated by " · "
 */
const char *
svd_readout_get_text (SvdReadout *self)
{
  GString *text;

  g_return_val_if_fail (SVD_IS_READOUT (self), NULL);

  text = g_string_new (NULL);
  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    if (gtk_widget_get_visible (GTK_WIDGET (self->cells[i])) && self->full[i] != NULL && *self->full[i] != '\0')
      {
        if (text->len > 0)
          g_string_append (text, " · ");
        g_string_append (text, self->full[i]);
      }
  if (gtk_widget_get_visible (GTK_WIDGET (self->message)))
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, gtk_label_get_text (self->message));
    }
  g_free (self->text);
  self->text = g_string_free (text, FALSE);
  return self->text;
}
