/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-preferences"

#include "svd-config.h"

#include <glib/gi18n.h>

#include "engine/svd-cl.h"
#include "metrics/svd-dists.h"

#include "svd-preferences-private.h"

/* Preferences write GSettings only; the window listens and rebuilds its
 * engines on the session's worker. Listing OpenCL devices initialises the
 * platforms, which can take a while, so it runs on a GTask thread. */

typedef struct {
  char     *key;    /* what the "device" key stores */
  char     *label;
  gboolean  fp16;
} DeviceEntry;

struct _SvdPreferences
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GCancellable         *cancellable;
  GArray               *devices;      /* DeviceEntry, in combo order */
  gboolean              listed;
  gboolean              updating;

  AdwComboRow          *device_row;
  GtkStringList        *device_names;
  AdwActionRow         *fp16_row;
  GtkSwitch            *fp16_switch;
  AdwPreferencesGroup  *folders_group;
  GPtrArray            *folder_rows;
  AdwActionRow         *dists_row;
  AdwActionRow         *vgg_row;
  AdwComboRow          *dists_variant_row;
  AdwComboRow          *psnr_average_row;
  AdwComboRow          *plot_metric_row;
  GtkNativeDialog      *chooser;
  char                 *chooser_key;
};

G_DEFINE_FINAL_TYPE (SvdPreferences, svd_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
device_entry_clear (gpointer data)
{
  DeviceEntry *e = data;

  g_free (e->key);
  g_free (e->label);
}

static void
list_devices_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = svd_cl_list_devices (&error);
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (DeviceEntry));
  DeviceEntry e;
  SvdClDeviceInfo *best;

  g_array_set_clear_func (entries, device_entry_clear);
  best = devices != NULL ? svd_cl_choose_device (devices, "auto", NULL) : NULL;
  e.key = g_strdup ("auto");
  e.label = best != NULL
    /* Translators: %s is the OpenCL device picked automatically */
    ? g_strdup_printf (_("Automatic (%s)"), best->name)
    : g_strdup (_("Automatic"));
  /* The fp16 path (half feature maps) runs on every OpenCL device. */
  e.fp16 = best != NULL;
  g_array_append_val (entries, e);
  e.key = g_strdup ("cpu-ref");
  e.label = g_strdup (_("CPU reference (slow)"));
  e.fp16 = FALSE;
  g_array_append_val (entries, e);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      SvdClDeviceInfo *info = g_ptr_array_index (devices, i);

      if (!info->available)
        continue;
      e.key = g_strdup (info->name);
      e.label = g_strdup_printf ("%s (%s)", info->name, info->platform_name);
      e.fp16 = TRUE;
      g_array_append_val (entries, e);
    }
  g_task_return_pointer (task, entries, (GDestroyNotify) g_array_unref);
}

static guint
svd_preferences_position_for_key (SvdPreferences *self,
                                  const char     *key)
{
  char *end = NULL;
  guint64 index = g_ascii_strtoull (key, &end, 10);

  if (*key != '\0' && end != key && *end == '\0' && index + 2 < self->devices->len)
    return index + 2;  /* an index as `svd devices` prints it */
  for (guint i = 0; i < self->devices->len; i++)
    if (g_ascii_strcasecmp (g_array_index (self->devices, DeviceEntry, i).key, key) == 0)
      return i;
  return 0;
}

static void
svd_preferences_update_fp16 (SvdPreferences *self)
{
  guint pos = adw_combo_row_get_selected (self->device_row);
  gboolean available = self->listed && pos < self->devices->len &&
                       g_array_index (self->devices, DeviceEntry, pos).fp16;

  self->updating = TRUE;
  gtk_switch_set_active (self->fp16_switch, g_settings_get_enum (self->settings, "precision") == 2);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->fp16_row), available);
  if (!self->listed)
    adw_action_row_set_subtitle (self->fp16_row, _("Looking for OpenCL devices…"));
  else if (available)
    adw_action_row_set_subtitle (self->fp16_row,
                                 _("Stores feature maps in half the device memory; results differ from 32-bit by at most 0.001"));
  else
    adw_action_row_set_subtitle (self->fp16_row,
                                 _("Unavailable: the CPU reference always computes in 32-bit floating point"));
}

static void
devices_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GArray *entries = g_task_propagate_pointer (G_TASK (result), &error);
  SvdPreferences *self;
  g_autofree char *key = NULL;

  if (entries == NULL)
    return;  /* cancelled: the window is gone */
  self = SVD_PREFERENCES (object);
  g_clear_pointer (&self->devices, g_array_unref);
  self->devices = entries;
  self->listed = TRUE;
  self->updating = TRUE;
  gtk_string_list_splice (self->device_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->device_names)), NULL);
  for (guint i = 0; i < entries->len; i++)
    gtk_string_list_append (self->device_names, g_array_index (entries, DeviceEntry, i).label);
  key = g_settings_get_string (self->settings, "device");
  adw_combo_row_set_selected (self->device_row, svd_preferences_position_for_key (self, key));
  gtk_widget_set_sensitive (GTK_WIDGET (self->device_row), TRUE);
  self->updating = FALSE;
  svd_preferences_update_fp16 (self);
}

static void
device_selected_cb (SvdPreferences *self)
{
  guint pos = adw_combo_row_get_selected (self->device_row);

  if (self->updating || !self->listed || pos >= self->devices->len)
    return;
  g_settings_set_string (self->settings, "device", g_array_index (self->devices, DeviceEntry, pos).key);
  svd_preferences_update_fp16 (self);
}

static void
fp16_toggled_cb (SvdPreferences *self)
{
  if (self->updating)
    return;
  g_settings_set_enum (self->settings, "precision", gtk_switch_get_active (self->fp16_switch) ? 2 : 1);
}

static void
remove_folder_cb (GtkButton      *button,
                  SvdPreferences *self)
{
  const char *folder = g_object_get_data (G_OBJECT (button), "folder");
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "model-folders");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  for (guint i = 0; old[i] != NULL; i++)
    if (!g_str_equal (old[i], folder))
      g_strv_builder_add (builder, old[i]);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "model-folders", (const char * const *) updated);
}

static void
svd_preferences_update_folders (SvdPreferences *self)
{
  g_auto(GStrv) folders = g_settings_get_strv (self->settings, "model-folders");

  for (guint i = 0; i < self->folder_rows->len; i++)
    adw_preferences_group_remove (self->folders_group, self->folder_rows->pdata[i]);
  g_ptr_array_set_size (self->folder_rows, 0);
  for (guint i = 0; folders[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *name = g_path_get_basename (folders[i]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), folders[i]);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove Folder"));
      g_object_set_data_full (G_OBJECT (remove), "folder", g_strdup (folders[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_folder_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->folders_group, row);
      g_ptr_array_add (self->folder_rows, row);
    }
}

static void
svd_preferences_update_weights (SvdPreferences *self)
{
  g_autofree char *dists = g_settings_get_string (self->settings, "dists-weights-path");
  g_autofree char *vgg = g_settings_get_string (self->settings, "vgg16-weights-path");

  adw_action_row_set_subtitle (self->dists_row, *dists != '\0' ? dists : _("Not set: searched in the usual places"));
  adw_action_row_set_subtitle (self->vgg_row, *vgg != '\0' ? vgg : _("Not set: searched in the usual places"));
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  SvdPreferences *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path == NULL)
    return;
  if (g_str_equal (self->chooser_key, "model-folders"))
    {
      g_auto(GStrv) old = g_settings_get_strv (self->settings, "model-folders");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) updated = NULL;

      if (g_strv_contains ((const char * const *) old, path))
        return;
      g_strv_builder_addv (builder, (const char **) old);
      g_strv_builder_add (builder, path);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "model-folders", (const char * const *) updated);
    }
  else
    g_settings_set_string (self->settings, self->chooser_key, path);
}

static void
svd_preferences_choose (SvdPreferences       *self,
                        const char           *key,
                        const char           *title,
                        GtkFileChooserAction  action)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_free (self->chooser_key);
  self->chooser_key = g_strdup (key);
  self->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                                                  _("_Select"), _("_Cancel")));
  gtk_native_dialog_set_modal (self->chooser, TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

static void
add_folder_cb (SvdPreferences *self)
{
  svd_preferences_choose (self, "model-folders", _("Add Model Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
choose_dists_cb (SvdPreferences *self)
{
  svd_preferences_choose (self, "dists-weights-path", _("DISTS Weights"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
choose_vgg_cb (SvdPreferences *self)
{
  svd_preferences_choose (self, "vgg16-weights-path", _("VGG16 Weights"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
clear_weight_cb (GtkButton      *button,
                 SvdPreferences *self)
{
  g_settings_set_string (self->settings, g_object_get_data (G_OBJECT (button), "key"), "");
}

static AdwActionRow *
weight_row (SvdPreferences      *self,
            AdwPreferencesGroup *group,
            const char          *title,
            const char          *key,
            GCallback            choose)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Choose…"));
  GtkWidget *clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (clear, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (clear, "flat");
  gtk_widget_set_tooltip_text (clear, _("Forget This File"));
  g_object_set_data (G_OBJECT (clear), "key", (gpointer) key);
  g_signal_connect_swapped (button, "clicked", choose, self);
  g_signal_connect (clear, "clicked", G_CALLBACK (clear_weight_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), clear);
  adw_preferences_group_add (group, row);
  return ADW_ACTION_ROW (row);
}

/* An enum key shown as a choice: @nicks are its values in the order of the
 * choices (static: the binding keeps them). */
static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint position = g_value_get_uint (value);

  /* GTK_INVALID_LIST_POSITION while a model is being replaced. */
  if (position >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[position]);
}

/**
 * svd_preferences_bind_choice:
 * @settings: the app's settings
 * @key: an enum key
 * @object: a widget with a "selected" position (#AdwComboRow, #GtkDropDown)
 * @property: that property's name
 * @nicks: (array zero-terminated=1): the key's values in the order of
 *   @object's items; must outlive the binding (a static array)
 *
 * Binds @key both ways to the position of the item chosen in @object.
 */
void
svd_preferences_bind_choice (GSettings          *settings,
                             const char         *key,
                             gpointer            object,
                             const char         *property,
                             const char * const *nicks)
{
  g_settings_bind_with_mapping (settings, key, object, property, G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) nicks, NULL);
}

/* The subtitle says what the chosen variant means. */
static void
choice_row_selected_cb (AdwComboRow *row)
{
  const char * const *subtitles = g_object_get_data (G_OBJECT (row), "subtitles");
  guint position = adw_combo_row_get_selected (row);

  if (position < g_strv_length ((char **) subtitles))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(subtitles[position]));
}

/* @labels are translated already; @subtitles (one per choice, static) are
 * marked with N_() and translated when shown; NULL keeps @subtitle. */
static AdwComboRow *
choice_row (AdwPreferencesGroup *group,
            const char          *title,
            const char          *subtitle,
            const char * const  *labels,
            const char * const  *subtitles)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  GtkStringList *names = gtk_string_list_new (labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (names));
  g_object_unref (names);  /* the row holds it */
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (subtitles != NULL)
    {
      g_object_set_data (G_OBJECT (row), "subtitles", (gpointer) subtitles);
      g_signal_connect (row, "notify::selected", G_CALLBACK (choice_row_selected_cb), NULL);
      choice_row_selected_cb (row);
    }
  adw_preferences_group_add (group, GTK_WIDGET (row));
  return row;
}

/* The key's values, in the order of the rows' choices. */
static const char * const dists_variants[] = { "short256", "full", NULL };
static const char * const psnr_averages[] = { "mean-of-frames", "mse", NULL };
static const char * const plot_metrics[] = { "psnr-y", "ssim-y", NULL };

static void
svd_preferences_add_metrics (SvdPreferences     *self,
                             AdwPreferencesPage *page)
{
  static const char * const dists_subtitles[] = {
    /* Translators: the DISTS variant "short256" */
    N_("Shorter side scaled to 256 pixels, as the DISTS authors do: faster"),
    /* Translators: the DISTS variant "full" */
    N_("Full resolution: slower"),
    NULL
  };
  static const char * const psnr_subtitles[] = {
    /* Translators: the clip PSNR as the mean of the per-frame PSNR values */
    N_("The mean of the frames’ PSNR values; infinite once a frame is identical"),
    /* Translators: the clip PSNR from the mean squared error over all frames */
    N_("The PSNR of the frames’ mean squared error: what FFmpeg prints as “average”"),
    NULL
  };
  /* The variants' names as the readouts and `svd metrics --dists` show
   * them (never translated there either); the subtitle explains them. */
  const char *dists_labels[] = { svd_dists_mode_name (SVD_DISTS_SHORT256), svd_dists_mode_name (SVD_DISTS_FULL), NULL };
  const char *psnr_labels[] = { _("Mean of Frames"), _("Of the Mean MSE"), NULL };
  const char *plot_labels[] = { _("PSNR-Y"), _("SSIM-Y"), NULL };
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, _("Metrics"));
  adw_preferences_group_set_description (group,
                                         _("The variants the live readouts use; “svd metrics” computes the same ones. Open sessions switch with the next frame."));
  adw_preferences_page_add (page, group);
  self->dists_variant_row = choice_row (group, _("DISTS Variant"), NULL, dists_labels, dists_subtitles);
  self->psnr_average_row = choice_row (group, _("Clip PSNR"), NULL, psnr_labels, psnr_subtitles);
  self->plot_metric_row = choice_row (group, _("Plotted Metric"), _("The metric of the per-frame plot under the readouts"),
                                      plot_labels, NULL);
}

static void
svd_preferences_dispose (GObject *object)
{
  SvdPreferences *self = SVD_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (svd_preferences_parent_class)->dispose (object);
}

static void
svd_preferences_finalize (GObject *object)
{
  SvdPreferences *self = SVD_PREFERENCES (object);

  g_clear_pointer (&self->devices, g_array_unref);
  g_clear_pointer (&self->folder_rows, g_ptr_array_unref);
  g_free (self->chooser_key);

  G_OBJECT_CLASS (svd_preferences_parent_class)->finalize (object);
}

static void
svd_preferences_class_init (SvdPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = svd_preferences_dispose;
  object_class->finalize = svd_preferences_finalize;
}

static void
svd_preferences_init (SvdPreferences *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *group;
  GtkWidget *button;

  self->cancellable = g_cancellable_new ();
  self->devices = g_array_new (FALSE, TRUE, sizeof (DeviceEntry));
  self->folder_rows = g_ptr_array_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 600, 640);
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("General"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "preferences-system-symbolic");

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Processing"));
  adw_preferences_group_set_description (group, _("Open sessions rebuild their chains when these change."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);
  self->device_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->device_names, _("Looking for OpenCL devices…"));
  self->device_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->device_row), _("OpenCL Device"));
  adw_combo_row_set_model (self->device_row, G_LIST_MODEL (self->device_names));
  g_object_unref (self->device_names);  /* the row holds it */
  gtk_widget_set_sensitive (GTK_WIDGET (self->device_row), FALSE);
  adw_preferences_group_add (group, GTK_WIDGET (self->device_row));
  g_signal_connect_swapped (self->device_row, "notify::selected", G_CALLBACK (device_selected_cb), self);

  self->fp16_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fp16_row), _("16-Bit Floating Point"));
  self->fp16_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->fp16_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (self->fp16_row, GTK_WIDGET (self->fp16_switch));
  adw_action_row_set_activatable_widget (self->fp16_row, GTK_WIDGET (self->fp16_switch));
  adw_preferences_group_add (group, GTK_WIDGET (self->fp16_row));
  g_signal_connect_swapped (self->fp16_switch, "notify::active", G_CALLBACK (fp16_toggled_cb), self);

  self->folders_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->folders_group, _("Model Folders"));
  adw_preferences_group_set_description (self->folders_group,
                                         _("Searched for models besides the bundled ones and ~/.local/share/svd-studio/models."));
  button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Add Folder…"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (add_folder_cb), self);
  adw_preferences_group_set_header_suffix (self->folders_group, button);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->folders_group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("DISTS Metric"));
  adw_preferences_group_set_description (group, _("DISTS needs both files; without them it shows as unavailable."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);
  self->dists_row = weight_row (self, group, _("DISTS Weights (α, β)"), "dists-weights-path", G_CALLBACK (choose_dists_cb));
  self->vgg_row = weight_row (self, group, _("VGG16 Weights"), "vgg16-weights-path", G_CALLBACK (choose_vgg_cb));

  svd_preferences_add_metrics (self, ADW_PREFERENCES_PAGE (page));

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
}

/**
 * svd_preferences_new:
 * @parent: (nullable): the window to stay on top of
 * @settings: the app's settings
 *
 * Returns: (transfer none): a new preferences window, owned by GTK
 */
SvdPreferences *
svd_preferences_new (GtkWindow *parent,
                     GSettings *settings)
{
  SvdPreferences *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SVD_TYPE_PREFERENCES,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (settings, "changed::model-folders",
                           G_CALLBACK (svd_preferences_update_folders), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::dists-weights-path",
                           G_CALLBACK (svd_preferences_update_weights), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::vgg16-weights-path",
                           G_CALLBACK (svd_preferences_update_weights), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::precision",
                           G_CALLBACK (svd_preferences_update_fp16), self, G_CONNECT_SWAPPED);
  svd_preferences_bind_choice (settings, "dists-variant", self->dists_variant_row, "selected", dists_variants);
  svd_preferences_bind_choice (settings, "psnr-average", self->psnr_average_row, "selected", psnr_averages);
  svd_preferences_bind_choice (settings, "plot-metric", self->plot_metric_row, "selected", plot_metrics);
  svd_preferences_update_folders (self);
  svd_preferences_update_weights (self);
  svd_preferences_update_fp16 (self);

  task = g_task_new (self, self->cancellable, devices_listed_cb, NULL);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, list_devices_thread);
  return self;
}

gboolean
svd_preferences_devices_listed (SvdPreferences *self)
{
  g_return_val_if_fail (SVD_IS_PREFERENCES (self), FALSE);

  return self->listed;
}

guint
svd_preferences_get_n_devices (SvdPreferences *self)
{
  g_return_val_if_fail (SVD_IS_PREFERENCES (self), 0);

  return self->listed ? self->devices->len : 0;
}

void
svd_preferences_select_device (SvdPreferences *self,
                               guint           position)
{
  g_return_if_fail (SVD_IS_PREFERENCES (self));

  adw_combo_row_set_selected (self->device_row, position);
}

gboolean
svd_preferences_fp16_available (SvdPreferences *self)
{
  g_return_val_if_fail (SVD_IS_PREFERENCES (self), FALSE);

  return gtk_widget_get_sensitive (GTK_WIDGET (self->fp16_row));
}

const char *
svd_preferences_get_fp16_reason (SvdPreferences *self)
{
  g_return_val_if_fail (SVD_IS_PREFERENCES (self), NULL);

  return adw_action_row_get_subtitle (self->fp16_row);
}

guint
svd_preferences_get_n_folders (SvdPreferences *self)
{
  g_return_val_if_fail (SVD_IS_PREFERENCES (self), 0);

  return self->folder_rows->len;
}

/**
 * svd_preferences_get_choice_row:
 * @self: a #SvdPreferences
 * @key: "dists-variant", "psnr-average" or "plot-metric"
 *
 * Returns: (transfer none) (nullable): the row that chooses @key's value
 */
AdwComboRow *
svd_preferences_get_choice_row (SvdPreferences *self,
                                const char     *key)
{
  g_return_val_if_fail (SVD_IS_PREFERENCES (self), NULL);

  if (g_strcmp0 (key, "dists-variant") == 0)
    return self->dists_variant_row;
  if (g_strcmp0 (key, "psnr-average") == 0)
    return self->psnr_average_row;
  if (g_strcmp0 (key, "plot-metric") == 0)
    return self->plot_metric_row;
  return NULL;
}
