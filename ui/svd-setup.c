/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-setup"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "svd-setup.h"

/* The session setup: after a clip is chosen, what to compare it with. */

typedef struct {
  GtkWindow     *window;
  char          *path;
  GFile         *reference;
  AdwComboRow   *mode_row;
  AdwComboRow   *scale_row;
  AdwComboRow   *filter_row;
  GtkSpinButton *crf_spin;
  AdwActionRow  *reference_row;
  GtkSpinButton *offset_spin;
  GtkWidget     *start_button;
  GtkNativeDialog *chooser;
  SvdSetupFunc   func;
  gpointer       user_data;
} Setup;

static void
setup_free (gpointer data)
{
  Setup *setup = data;

  if (setup->chooser != NULL)
    gtk_native_dialog_destroy (setup->chooser);
  g_clear_object (&setup->chooser);
  g_clear_object (&setup->reference);
  g_free (setup->path);
  g_free (setup);
}

/* Rows in the order of the mode list. */
static const SvdReferenceMode modes[] = { SVD_REFERENCE_SYNTHESIZE, SVD_REFERENCE_PAIR, SVD_REFERENCE_NONE };
static const SvdScaleFilter filters[] = {
  SVD_SCALE_FILTER_BICUBIC, SVD_SCALE_FILTER_AREA, SVD_SCALE_FILTER_BILINEAR,
  SVD_SCALE_FILTER_LANCZOS, SVD_SCALE_FILTER_NEAREST,
};

static void
setup_update (Setup *setup)
{
  SvdReferenceMode mode = modes[adw_combo_row_get_selected (setup->mode_row)];
  gboolean synth = mode == SVD_REFERENCE_SYNTHESIZE;
  gboolean pair = mode == SVD_REFERENCE_PAIR;

  gtk_widget_set_visible (GTK_WIDGET (setup->scale_row), synth);
  gtk_widget_set_visible (GTK_WIDGET (setup->filter_row), synth);
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (setup->crf_spin), ADW_TYPE_ACTION_ROW), synth);
  gtk_widget_set_visible (GTK_WIDGET (setup->reference_row), pair);
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (setup->offset_spin), ADW_TYPE_ACTION_ROW), pair);
  gtk_widget_set_sensitive (setup->start_button, !pair || setup->reference != NULL);
}

static void
reference_response_cb (GtkNativeDialog *dialog,
                       int              response,
                       gpointer         user_data)
{
  Setup *setup = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autofree char *name = NULL;

      g_clear_object (&setup->reference);
      setup->reference = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      name = g_file_get_basename (setup->reference);
      adw_action_row_set_subtitle (setup->reference_row, name);
    }
  setup_update (setup);
}

static void
choose_reference_cb (GtkButton *button,
                     Setup     *setup)
{
  if (setup->chooser == NULL)
    {
      setup->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Choose the Reference Clip"), setup->window,
                                                                       GTK_FILE_CHOOSER_ACTION_OPEN,
                                                                       _("_Choose"), _("_Cancel")));
      gtk_native_dialog_set_modal (setup->chooser, TRUE);
      g_signal_connect (setup->chooser, "response", G_CALLBACK (reference_response_cb), setup);
    }
  gtk_native_dialog_show (setup->chooser);
}

static void
start_cb (GtkButton *button,
          Setup     *setup)
{
  SvdSessionSetup s = { 0 };
  g_autofree char *reference = NULL;

  s.mode = modes[adw_combo_row_get_selected (setup->mode_row)];
  s.input_path = setup->path;
  if (setup->reference != NULL)
    reference = g_file_get_path (setup->reference);
  s.reference_path = reference;
  s.offset = gtk_spin_button_get_value_as_int (setup->offset_spin);
  svd_degrade_params_init (&s.degrade);
  s.degrade.scale = adw_combo_row_get_selected (setup->scale_row) == 0 ? 2 : 4;
  s.degrade.filter = filters[adw_combo_row_get_selected (setup->filter_row)];
  s.degrade.crf = gtk_spin_button_get_value_as_int (setup->crf_spin);
  setup->func (&s, setup->user_data);
  gtk_window_destroy (setup->window);
}

static void
whole_item_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  /* Never cut: as wide as the text, wrapping only when the window is too
   * narrow for it. */
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_NONE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 80);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_list_item_set_child (item, label);
}

static void
whole_item_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GObject *object = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      GTK_IS_STRING_OBJECT (object) ? gtk_string_object_get_string (GTK_STRING_OBJECT (object)) : "");
}

/**
 * svd_combo_row_show_whole_items:
 * @row: a combo row of strings (a #GtkStringList)
 *
 * libadwaita 1.2's combo rows cut their items at 20 characters ("Synthesize:
 * degrade t…"), in the row and in its list. This gives @row labels that
 * show each item whole, in both.
 */
void
svd_combo_row_show_whole_items (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (whole_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (whole_item_bind_cb), NULL);
  adw_combo_row_set_factory (row, factory);
  adw_combo_row_set_list_factory (row, factory);
}

static AdwComboRow *
combo_row (const char  *title,
           const char **items)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) list = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  svd_combo_row_show_whole_items (row);
  return row;
}

static GtkSpinButton *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          const char          *subtitle,
          double               lo,
          double               hi,
          double               value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  return GTK_SPIN_BUTTON (spin);
}

/**
 * svd_setup_dialog_new:
 * @parent: the window
 * @file: the clip the user opened
 * @func: called with the chosen setup when the user starts the session
 * @user_data: for @func; must outlive the dialog
 *
 * Returns: (transfer none): the dialog, shown and modal
 */
GtkWindow *
svd_setup_dialog_new (GtkWindow    *parent,
                      GFile        *file,
                      SvdSetupFunc  func,
                      gpointer      user_data)
{
  Setup *setup = g_new0 (Setup, 1);
  const char *mode_items[] = { _("Synthesize: degrade this clip, compare with it"),
                               _("Pair: compare with a reference clip"),
                               _("None: this clip alone"), NULL };
  const char *scale_items[] = { "2×", "4×", NULL };
  const char *filter_items[] = { _("Bicubic"), _("Area"), _("Bilinear"), _("Lanczos"), _("Nearest"), NULL };
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *choose = gtk_button_new_with_mnemonic (_("C_hoose…"));
  GtkEventController *escape;
  g_autofree char *name = g_file_get_basename (file);

  setup->path = g_file_get_path (file);
  setup->func = func;
  setup->user_data = user_data;
  setup->window = GTK_WINDOW (adw_window_new ());
  g_object_set_data_full (G_OBJECT (setup->window), "svd-setup", setup, setup_free);
  gtk_window_set_transient_for (setup->window, parent);
  gtk_window_set_modal (setup->window, TRUE);
  gtk_window_set_title (setup->window, _("New Session"));
  gtk_window_set_default_size (setup->window, 520, 480);

  setup->start_button = gtk_button_new_with_mnemonic (_("_Start"));
  gtk_widget_add_css_class (setup->start_button, "suggested-action");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), setup->start_button);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), setup->window);
  g_signal_connect (setup->start_button, "clicked", G_CALLBACK (start_cb), setup);
  /* Escape cancels, as in the other dialogs; Enter starts. */
  escape = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (escape),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (setup->window), escape);
  gtk_window_set_default_widget (setup->window, setup->start_button);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), name);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Choose what the restored clip is compared with"));
  setup->mode_row = combo_row (_("Reference"), mode_items);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (setup->mode_row));
  setup->scale_row = combo_row (_("Shrink by"), scale_items);
  adw_combo_row_set_selected (setup->scale_row, 1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (setup->scale_row));
  setup->filter_row = combo_row (_("Downscaling filter"), filter_items);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (setup->filter_row));
  setup->crf_spin = spin_row (ADW_PREFERENCES_GROUP (group), _("Quality (CRF)"),
                              _("libx264 constant rate factor: higher is worse"), 10, 51, 34);
  setup->reference_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (setup->reference_row), _("Reference clip"));
  adw_action_row_set_subtitle (setup->reference_row, _("None chosen"));
  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (setup->reference_row, choose);
  g_signal_connect (choose, "clicked", G_CALLBACK (choose_reference_cb), setup);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (setup->reference_row));
  setup->offset_spin = spin_row (ADW_PREFERENCES_GROUP (group), _("Frame offset"),
                                 _("Reference frame = matched frame + offset"), -1000, 1000, 0);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (toolbar), page);
  adw_window_set_content (ADW_WINDOW (setup->window), toolbar);
  g_signal_connect_swapped (setup->mode_row, "notify::selected", G_CALLBACK (setup_update), setup);
  setup_update (setup);
  gtk_window_present (setup->window);

  return setup->window;
}
