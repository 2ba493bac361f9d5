/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-model-picker"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "svd-model-picker.h"
#include "svd-chain-editor.h"

/* A "From Library" menu button whose popover lists the model library, one
 * group per folder, optionally with a "None" row first. Activating a row
 * emits ::chosen with the entry (%NULL for "None"); the owner keeps the
 * library and scans it, the picker only shows it. Owners may give the
 * rows' details, a search entry and widgets under the list. */

struct _SvdModelPicker
{
  GtkWidget      parent_instance;

  GtkMenuButton *button;
  GtkPopover    *popover;
  GtkBox        *box;
  GtkSearchEntry *search;
  GtkLabel      *status;
  GtkListBox    *list;
  gboolean       offer_none;
  GPtrArray     *library;  /* a reference: the rows point into its entries */
  SvdModelPickerDetailsFunc details_func;
  gpointer       details_data;
  int            scale;    /* the only scale offered, 0: any */
};

G_DEFINE_FINAL_TYPE (SvdModelPicker, svd_model_picker, GTK_TYPE_WIDGET)

enum { SIGNAL_CHOSEN, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
row_activated_cb (GtkListBox    *box,
                  GtkListBoxRow *row,
                  gpointer       data)
{
  SvdModelPicker *self = data;
  const SvdModelEntry *e = g_object_get_data (G_OBJECT (row), "entry");

  gtk_popover_popdown (self->popover);
  if (g_object_get_data (G_OBJECT (row), "none") != NULL)
    g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, NULL);
  else if (e != NULL && e->error == NULL)
    g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, e);
}

/**
 * svd_model_picker_set_library:
 * @self: a #SvdModelPicker
 * @folders: (array zero-terminated=1) (nullable): the library's folders,
 *   in the order their groups are shown
 * @library: (nullable) (element-type SvdModelEntry): the entries found
 * @loading: whether the library is still being read
 *
 * Lists @library; the picker keeps a reference to it.
 */
void
svd_model_picker_set_library (SvdModelPicker    *self,
                              const char *const *folders,
                              GPtrArray         *library,
                              gboolean           loading)
{
  /* The old rows point into the old entries until they are removed
   * (removing a row re-runs the next row's header func). */
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->library);
  GtkWidget *child;
  guint n = 0;

  g_return_if_fail (SVD_IS_MODEL_PICKER (self));
  self->library = library != NULL ? g_ptr_array_ref (library) : NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  if (self->offer_none)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("None"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Skip this slot in some combinations"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "none", GINT_TO_POINTER (1));
      gtk_list_box_append (self->list, row);
    }
  /* In the folders' order, so each folder is one group. */
  for (guint f = 0; folders != NULL && folders[f] != NULL; f++)
    for (guint i = 0; library != NULL && i < library->len; i++)
      {
        SvdModelEntry *e = library->pdata[i];
        g_autofree char *details = NULL;
        GtkWidget *row;

        if (g_strcmp0 (e->folder, folders[f]) != 0)
          continue;
        if (e->error != NULL)
          /* Translators: %s says why the model file could not be read */
          details = g_strdup_printf (_("Could not load: %s"), e->error);
        else if (self->details_func != NULL)
          details = self->details_func (e, self->details_data);
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
        gtk_list_box_append (self->list, row);
        n++;
      }
  if (loading)
    gtk_label_set_text (self->status, _("Reading the model library…"));
  else if (n == 0)
    gtk_label_set_text (self->status,
                        _("No models found. Put .onnx, .pth or .safetensors files in your models folder, or add a folder in Preferences."));
  gtk_widget_set_visible (GTK_WIDGET (self->status), loading || n == 0);
}

/**
 * svd_model_picker_set_details_func:
 * @self: a #SvdModelPicker
 * @func: (nullable): gives a loadable entry's details; %NULL for tier,
 *   scale and parameters
 * @user_data: for @func
 *
 * Applies from the next svd_model_picker_set_library().
 */
void
svd_model_picker_set_details_func (SvdModelPicker            *self,
                                   SvdModelPickerDetailsFunc  func,
                                   gpointer                   user_data)
{
  g_return_if_fail (SVD_IS_MODEL_PICKER (self));
  self->details_func = func;
  self->details_data = user_data;
}

static gboolean
filter_func (GtkListBoxRow *row,
             gpointer       user_data)
{
  SvdModelPicker *self = user_data;
  const SvdModelEntry *e = g_object_get_data (G_OBJECT (row), "entry");
  const char *text = self->search != NULL ? gtk_editable_get_text (GTK_EDITABLE (self->search)) : NULL;
  g_autofree char *needle = NULL;
  g_autofree char *hay = NULL;

  /* Models of another scale are hidden (files that failed to load stay,
   * with their error). */
  if (e != NULL && self->scale > 0 && e->scale > 0 && e->scale != self->scale)
    return FALSE;
  if (e == NULL || text == NULL || text[0] == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  hay = g_utf8_casefold (e->path, -1);
  if (strstr (hay, needle) != NULL)
    return TRUE;
  g_free (hay);
  hay = g_utf8_casefold (e->tier != NULL ? svd_model_tier_label (e->tier) : "", -1);
  return strstr (hay, needle) != NULL;
}

/**
 * svd_model_picker_set_scale:
 * @self: a #SvdModelPicker
 * @scale: the only upscale factor offered, or 0 for any
 *
 * E.g. the Benchmark Matrix's 2× slots offer 2× models only.
 */
void
svd_model_picker_set_scale (SvdModelPicker *self,
                            int             scale)
{
  g_return_if_fail (SVD_IS_MODEL_PICKER (self));

  self->scale = scale;
  gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);
  gtk_list_box_invalidate_filter (self->list);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   gpointer        user_data)
{
  SvdModelPicker *self = user_data;

  gtk_list_box_invalidate_filter (self->list);
}

/**
 * svd_model_picker_set_searchable:
 * @self: a #SvdModelPicker
 * @searchable: whether a search entry above the list filters it by path
 *   and tier
 */
void
svd_model_picker_set_searchable (SvdModelPicker *self,
                                 gboolean        searchable)
{
  g_return_if_fail (SVD_IS_MODEL_PICKER (self));
  if (searchable && self->search == NULL)
    {
      self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
      g_object_set (self->search, "placeholder-text", _("Search models"), NULL);
      g_signal_connect (self->search, "search-changed", G_CALLBACK (search_changed_cb), self);
      gtk_box_prepend (self->box, GTK_WIDGET (self->search));
      gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);
    }
  else if (!searchable && self->search != NULL)
    {
      if (self->scale == 0)
        gtk_list_box_set_filter_func (self->list, NULL, NULL, NULL);
      gtk_box_remove (self->box, GTK_WIDGET (self->search));
      self->search = NULL;
    }
}

/**
 * svd_model_picker_add_footer:
 * @self: a #SvdModelPicker
 * @widget: (transfer floating): shown under the list in the popover
 */
void
svd_model_picker_add_footer (SvdModelPicker *self,
                             GtkWidget      *widget)
{
  g_return_if_fail (SVD_IS_MODEL_PICKER (self));
  gtk_box_append (self->box, widget);
}

/**
 * svd_model_picker_get_popover:
 *
 * Returns: (transfer none): the popover that holds the list
 */
GtkPopover *
svd_model_picker_get_popover (SvdModelPicker *self)
{
  g_return_val_if_fail (SVD_IS_MODEL_PICKER (self), NULL);
  return self->popover;
}

/**
 * svd_model_picker_get_search_entry:
 *
 * Returns: (transfer none) (nullable): the search entry, %NULL unless
 *   searchable
 */
GtkEditable *
svd_model_picker_get_search_entry (SvdModelPicker *self)
{
  g_return_val_if_fail (SVD_IS_MODEL_PICKER (self), NULL);
  return self->search != NULL ? GTK_EDITABLE (self->search) : NULL;
}

void
svd_model_picker_popdown (SvdModelPicker *self)
{
  g_return_if_fail (SVD_IS_MODEL_PICKER (self));
  gtk_popover_popdown (self->popover);
}

GtkListBox *
svd_model_picker_get_list (SvdModelPicker *self)
{
  g_return_val_if_fail (SVD_IS_MODEL_PICKER (self), NULL);
  return self->list;
}

GtkMenuButton *
svd_model_picker_get_button (SvdModelPicker *self)
{
  g_return_val_if_fail (SVD_IS_MODEL_PICKER (self), NULL);
  return self->button;
}

static void
svd_model_picker_dispose (GObject *object)
{
  SvdModelPicker *self = SVD_MODEL_PICKER (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (svd_model_picker_parent_class)->dispose (object);
}

static void
svd_model_picker_finalize (GObject *object)
{
  SvdModelPicker *self = SVD_MODEL_PICKER (object);

  g_clear_pointer (&self->library, g_ptr_array_unref);
  G_OBJECT_CLASS (svd_model_picker_parent_class)->finalize (object);
}

static void
svd_model_picker_class_init (SvdModelPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_model_picker_dispose;
  object_class->finalize = svd_model_picker_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  /**
   * SvdModelPicker::chosen:
   * @self: the picker
   * @entry: (nullable): the #SvdModelEntry picked, %NULL for "None"
   */
  signals[SIGNAL_CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
svd_model_picker_init (SvdModelPicker *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_label (self->button, _("From _Library"));
  gtk_menu_button_set_use_underline (self->button, TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->button), GTK_WIDGET (self));

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_width_chars (self->status, 40);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_header_func (self->list, svd_model_library_header_func, NULL, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 420);
  gtk_widget_set_size_request (scroller, 380, -1);
  gtk_box_append (GTK_BOX (box), scroller);
  self->box = GTK_BOX (box);
  self->popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->popover, box);
  gtk_menu_button_set_popover (self->button, GTK_WIDGET (self->popover));
}

/**
 * svd_model_picker_new:
 * @offer_none: whether a "None" row (skip this slot) comes first
 *
 * Returns: (transfer floating): a new picker, empty until
 *   svd_model_picker_set_library()
 */
GtkWidget *
svd_model_picker_new (gboolean offer_none)
{
  SvdModelPicker *self = g_object_new (SVD_TYPE_MODEL_PICKER, NULL);

  self->offer_none = offer_none;
  return GTK_WIDGET (self);
}
