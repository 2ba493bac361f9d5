/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-chain-editor"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "svd-chain-editor-private.h"
#include "svd-model-picker.h"

/* The chain editor: up to four chains, each a list of stages taken from the
 * model library or built-in resize baselines, with each stage's cost at the
 * size that reaches it. The editor edits SvdChains by file (their models
 * not loaded); the window loads and runs them on Apply. */

struct _SvdChainEditor {
  AdwWindow      parent_instance;

  GtkBox        *chain_switcher;
  GtkLabel      *chain_title;
  GtkListBox    *stage_list;
  GtkLabel      *summary_label;
  GtkLabel      *size_warning;
  int            ref_width;    /* the reference's size; 0 when unknown or none */
  int            ref_height;
  SvdModelPicker *library_picker;

  GStrv          folders;
  GStrv          base_folders;  /* the folders that do not come from the setting */
  int            width;
  int            height;

  SvdChain      *chains[SVD_CHAIN_EDITOR_MAX_CHAINS];   /* as edited */
  SvdChain      *applied[SVD_CHAIN_EDITOR_MAX_CHAINS];  /* what the session runs */
  guint          n_chains;
  guint          current;

  GPtrArray     *library;   /* SvdModelEntry *, found in the folders */
  GPtrArray     *extra;     /* SvdModelEntry *, chain models outside them */
  GHashTable    *by_path;   /* path → SvdModelEntry * (not owned) */
  GCancellable  *cancellable;
  GSettings     *settings;  /* nullable; where added folders are kept */
  GCancellable  *scan_cancellable;
  gboolean       scan_started;
  gboolean       loading;
  guint          rebuild_id;

  SvdChainEditorApplyFunc apply_func;
  gpointer       apply_data;

  AdwMessageDialog *close_dialog;  /* while asking about unapplied edits */
  gboolean       discard;          /* the user chose to close without applying */
};

G_DEFINE_FINAL_TYPE (SvdChainEditor, svd_chain_editor, ADW_TYPE_WINDOW)

static char *
builtin_title (SvdResizeFilter filter,
               double          factor)
{
  int scale = (int) factor;

  switch (filter)
    {
    /* Translators: a built-in resize stage; %d is the factor */
    case SVD_RESIZE_NEAREST: return g_strdup_printf (_("Nearest %d×"), scale);
    /* Translators: a built-in resize stage; %d is the factor */
    case SVD_RESIZE_BILINEAR: return g_strdup_printf (_("Bilinear %d×"), scale);
    /* Translators: a built-in resize stage; %d is the factor */
    case SVD_RESIZE_BICUBIC: return g_strdup_printf (_("Bicubic %d×"), scale);
    /* Translators: a built-in resize stage; %d is the factor */
    case SVD_RESIZE_LANCZOS: return g_strdup_printf (_("Lanczos %d×"), scale);
    default: return g_strdup_printf ("%d×", scale);
    }
}

/**
 * svd_chain_step_display_name:
 * @step: a chain step
 *
 * Returns: (transfer full): what the user reads for the stage: "Bicubic 2×"
 *   for a built-in stage, else the model file's name
 */
char *
svd_chain_step_display_name (const SvdChainStep *step)
{
  g_return_val_if_fail (step != NULL, NULL);

  if (step->type == SVD_CHAIN_STEP_RESIZE)
    return builtin_title (step->filter, step->resize_scale);
  if (step->path != NULL)
    return g_path_get_basename (step->path);
  return g_strdup (step->name);
}

/* The tier names come from libsvd in English; they are also the names the
 * community uses, but the words are translated for the reader. */
/**
 * svd_model_tier_label:
 * @tier: (nullable): a tier name from libsvd ("Super", …)
 *
 * Returns: the tier's translated name ("Custom" for any other)
 */
const char *
svd_model_tier_label (const char *tier)
{
  if (g_strcmp0 (tier, "Super") == 0)
    return C_("model tier", "Super");
  if (g_strcmp0 (tier, "Mega") == 0)
    return C_("model tier", "Mega");
  if (g_strcmp0 (tier, "Ultra") == 0)
    return C_("model tier", "Ultra");
  if (g_strcmp0 (tier, "Compact") == 0)
    return C_("model tier", "Compact");
  return C_("model tier", "Custom");
}

/* The row text of a model at input size @w × @h. */
static char *
entry_details (const SvdModelEntry *e,
               int                  w,
               int                  h)
{
  if (e->error != NULL)
    /* Translators: %s says why the model file could not be read */
    return g_strdup_printf (_("Could not load: %s"), e->error);
  /* Translators: tier · scale · parameters in thousands · cost per frame
   * at the input size that reaches the stage, e.g.
   * "Super · 2× · 45.2 k parameters · 6.50 GFLOP per frame at 320 × 180" */
  return g_strdup_printf (_("%s · %d× · %.1f k parameters · %.2f GFLOP per frame at %d × %d"),
                          svd_model_tier_label (e->tier), e->scale, e->params / 1000.0,
                          svd_model_entry_gflop (e, w, h), w, h);
}

/* What a stage does to the size, and how it reads in a row. */
/* The library's entry for a model step, when the library read it. */
static const SvdModelEntry *
step_entry (SvdChainEditor     *self,
            const SvdChainStep *step)
{
  const SvdModelEntry *e = NULL;

  if (step->type != SVD_CHAIN_STEP_MODEL)
    return NULL;
  if (step->path != NULL)
    e = g_hash_table_lookup (self->by_path, step->path);
  if (e == NULL && step->abs_path != NULL)
    e = g_hash_table_lookup (self->by_path, step->abs_path);
  return e;
}

static int
stage_describe (SvdChainEditor     *self,
                const SvdChainStep *step,
                int                 w,
                int                 h,
                char              **title,
                char              **details)
{
  const SvdModelEntry *e;

  if (step->type == SVD_CHAIN_STEP_RESIZE)
    {
      /* Sizes here are whole pixels; the engine runs whole factors only. */
      int scale = MAX ((int) step->resize_scale, 1);

      *title = builtin_title (step->filter, step->resize_scale);
      /* Translators: a built-in resize stage; %d× is its factor, then the
       * input size */
      *details = g_strdup_printf (_("Built-in baseline · %d× · no learned parameters · input %d × %d"),
                                  scale, w, h);
      return scale;
    }
  e = step_entry (self, step);
  if (e == NULL)
    {
      *title = g_strdup (step->name);
      *details = g_strdup (_("Reading the model…"));
      return 1;
    }
  *title = g_strdup (e->name);
  *details = entry_details (e, w, h);
  return e->error != NULL ? 1 : e->scale;
}

static SvdChain *
current_chain (SvdChainEditor *self)
{
  return self->current < self->n_chains ? self->chains[self->current] : NULL;
}

static void svd_chain_editor_rebuild (SvdChainEditor *self);

static gboolean
rebuild_idle_cb (gpointer data)
{
  SvdChainEditor *self = data;

  self->rebuild_id = 0;
  svd_chain_editor_rebuild (self);
  return G_SOURCE_REMOVE;
}

/* Rows must not be destroyed inside their own drag-and-drop handlers. */
static void
schedule_rebuild (SvdChainEditor *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_idle_cb, g_object_ref (self), g_object_unref);
}

static void
move_stage (SvdChainEditor *self,
            guint           from,
            guint           to)
{
  SvdChain *chain = current_chain (self);
  SvdChainStep *step;

  if (chain == NULL || from >= chain->steps->len || to >= chain->steps->len || from == to)
    return;
  step = g_ptr_array_steal_index (chain->steps, from);
  g_ptr_array_insert (chain->steps, to, step);
}

static GdkContentProvider *
stage_drag_prepare_cb (GtkDragSource *source,
                       double         x,
                       double         y,
                       gpointer       user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));

  return gdk_content_provider_new_typed (GTK_TYPE_LIST_BOX_ROW, row);
}

static void
stage_drag_begin_cb (GtkDragSource *source,
                     GdkDrag       *drag,
                     gpointer       user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, icon, 0, 0);
}

static gboolean
stage_drop_cb (GtkDropTarget *target,
               const GValue  *value,
               double         x,
               double         y,
               gpointer       user_data)
{
  SvdChainEditor *self = user_data;
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  GtkListBoxRow *source = g_value_get_object (value);

  if (source == NULL || gtk_widget_get_parent (GTK_WIDGET (source)) != GTK_WIDGET (self->stage_list))
    return FALSE;
  move_stage (self, gtk_list_box_row_get_index (source), gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
  schedule_rebuild (self);
  return TRUE;
}

static void
remove_stage (SvdChainEditor *self,
              guint           index)
{
  SvdChain *chain = current_chain (self);

  if (chain != NULL && index < chain->steps->len)
    g_ptr_array_remove_index (chain->steps, index);
}

static void
stage_remove_clicked_cb (GtkButton *button,
                         gpointer   user_data)
{
  SvdChainEditor *self = user_data;
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  guint index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));

  remove_stage (self, index);
  schedule_rebuild (self);
}

static void
focus_stage (SvdChainEditor *self,
             int             index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->stage_list, index);

  if (row != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
update_switcher (SvdChainEditor *self)
{
  GtkWidget *child;
  GtkToggleButton *first = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chain_switcher))) != NULL)
    gtk_box_remove (self->chain_switcher, child);
  for (guint i = 0; i < self->n_chains; i++)
    {
      /* Translators: a button that picks which chain to edit; %u is 1 to 4 */
      g_autofree char *label = g_strdup_printf (_("Chain %u"), i + 1);
      GtkWidget *button = gtk_toggle_button_new_with_label (label);

      if (first == NULL)
        first = GTK_TOGGLE_BUTTON (button);
      else
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), first);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), i == self->current);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "chain.select-chain");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", i);
      gtk_box_append (self->chain_switcher, button);
    }
  if (self->n_chains == 0)
    gtk_box_append (self->chain_switcher, gtk_label_new (_("Chains")));
}

/* The chain Apply gives session slot @slot: chains without stages are
 * skipped, so the session, the window's readouts and keys, and the editor
 * all number the chains 1 to N without gaps. */
static const SvdChain *
applied_for_slot (SvdChainEditor *self,
                  guint           slot)
{
  guint k = 0;

  for (guint i = 0; i < self->n_chains; i++)
    {
      if (self->chains[i]->steps->len == 0)
        continue;
      if (k++ == slot)
        return self->chains[i];
    }
  return NULL;
}

/* Whether Apply would change what the session runs. */
static gboolean
has_changes (SvdChainEditor *self)
{
  for (guint slot = 0; slot < SVD_CHAIN_EDITOR_MAX_CHAINS; slot++)
    if (!svd_chain_equal (self->applied[slot], applied_for_slot (self, slot)))
      return TRUE;
  return FALSE;
}

static void
svd_chain_editor_rebuild (SvdChainEditor *self)
{
  SvdChain *chain = current_chain (self);
  GtkWidget *child;
  int w = self->width, h = self->height;
  double total = 0;
  gboolean can_add;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->stage_list))) != NULL)
    gtk_list_box_remove (self->stage_list, child);

  for (guint i = 0; chain != NULL && i < chain->steps->len; i++)
    {
      const SvdChainStep *step = g_ptr_array_index (chain->steps, i);
      g_autofree char *title = NULL;
      g_autofree char *details = NULL;
      g_autofree char *tooltip = NULL;
      const SvdModelEntry *e = step_entry (self, step);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *handle = gtk_image_new_from_icon_name ("list-drag-handle-symbolic");
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      GtkDragSource *drag = gtk_drag_source_new ();
      GtkDropTarget *drop = gtk_drop_target_new (GTK_TYPE_LIST_BOX_ROW, GDK_ACTION_MOVE);
      int scale;

      if (e != NULL && e->error == NULL)
        total += svd_model_entry_gflop (e, w, h);
      scale = stage_describe (self, step, w, h, &title, &details);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
      tooltip = step->type == SVD_CHAIN_STEP_RESIZE ? svd_chain_step_resize_spec (step->filter, step->resize_scale)
                                                    : g_strdup (step->abs_path != NULL ? step->abs_path : step->name);
      gtk_widget_set_tooltip_text (row, tooltip);
      gtk_widget_add_css_class (handle, "dim-label");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), handle);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove Stage (Delete)"));
      g_signal_connect (remove, "clicked", G_CALLBACK (stage_remove_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

      gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
      g_signal_connect (drag, "prepare", G_CALLBACK (stage_drag_prepare_cb), self);
      g_signal_connect (drag, "drag-begin", G_CALLBACK (stage_drag_begin_cb), self);
      gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (drag));
      g_signal_connect (drop, "drop", G_CALLBACK (stage_drop_cb), self);
      gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (drop));

      gtk_list_box_append (self->stage_list, row);
      w *= scale;
      h *= scale;
    }

  if (chain == NULL)
    {
      gtk_label_set_text (self->chain_title, _("No chains"));
      gtk_label_set_text (self->summary_label, _("Add a chain to compare a restoration with the reference."));
    }
  else
    {
      /* Translators: %u is the chain's number, 1 to 4 */
      g_autofree char *title = g_strdup_printf (_("Chain %u"), self->current + 1);
      g_autofree char *summary = NULL;

      gtk_label_set_text (self->chain_title, title);
      if (chain->steps->len == 0)
        summary = g_strdup (_("No stages yet: add a model from the library or a baseline."));
      else
        /* Translators: the chain's output size and its total learned cost */
        summary = g_strdup_printf (_("Output %d × %d · %.2f GFLOP per frame in all"), w, h, total);
      gtk_label_set_text (self->summary_label, summary);
    }
  /* Metrics compare the chain's output with the reference pixel for pixel:
   * a chain that ends at another size gets none, so say so while the user
   * can still fix it. */
  if (chain != NULL && chain->steps->len > 0 && self->ref_width > 0
      && (w != self->ref_width || h != self->ref_height))
    {
      g_autofree char *warning =
        /* Translators: the chain's output size, then the reference's */
        g_strdup_printf (_("The chain ends at %d × %d but the reference is %d × %d: it will run, but no metrics can "
                           "be computed. Add or remove an upscaling stage to match."),
                         w, h, self->ref_width, self->ref_height);

      gtk_label_set_text (self->size_warning, warning);
      gtk_widget_set_visible (GTK_WIDGET (self->size_warning), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->size_warning), FALSE);
  update_switcher (self);

  can_add = chain != NULL && chain->steps->len < SVD_ENGINE_MAX_STAGES;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chain.new-chain", self->n_chains < SVD_CHAIN_EDITOR_MAX_CHAINS);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chain.remove-chain", chain != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chain.add-baseline", can_add);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chain.add-model", can_add);
  gtk_widget_set_sensitive (GTK_WIDGET (svd_model_picker_get_button (self->library_picker)), can_add);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chain.apply", has_changes (self));
}

/**
 * svd_model_library_header_func:
 *
 * A #GtkListBoxUpdateHeaderFunc for rows of the model library (their
 * #SvdModelEntry in the "entry" data; rows without one get no header):
 * each folder's rows are grouped under the folder's name.
 */
void
svd_model_library_header_func (GtkListBoxRow *row,
                               GtkListBoxRow *before,
                               gpointer       user_data)
{
  const SvdModelEntry *e = g_object_get_data (G_OBJECT (row), "entry");
  const SvdModelEntry *prev = before != NULL ? g_object_get_data (G_OBJECT (before), "entry") : NULL;
  GtkWidget *label;
  const char *home = g_get_home_dir ();
  g_autofree char *folder = NULL;
  g_autofree char *shown = NULL;

  if (e == NULL || (prev != NULL && g_strcmp0 (prev->folder, e->folder) == 0))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  /* Settings may hold "a/../b"; show where it really is. */
  folder = g_canonicalize_filename (e->folder, NULL);
  if (home != NULL && home[1] != '\0' && g_str_has_prefix (folder, home))
    shown = g_strconcat ("~", folder + strlen (home), NULL);
  else
    shown = g_strdup (folder);
  label = gtk_label_new (shown);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_add_css_class (label, "heading");
  gtk_list_box_row_set_header (row, label);
}

/* Adds a model file, or a built-in step when @path is NULL. */
static void
add_step (SvdChainEditor  *self,
          const char      *path,
          SvdResizeFilter  filter,
          double           scale)
{
  SvdChain *chain = current_chain (self);

  if (chain == NULL || chain->steps->len >= SVD_ENGINE_MAX_STAGES)
    return;
  if (path != NULL)
    svd_chain_add_model_path (chain, path, NULL);
  else
    svd_chain_add_resize (chain, filter, scale);
  svd_chain_editor_rebuild (self);
  focus_stage (self, chain->steps->len - 1);
}

static void
library_chosen_cb (SvdModelPicker      *picker,
                   const SvdModelEntry *e,
                   gpointer             user_data)
{
  SvdChainEditor *self = user_data;

  if (e != NULL)
    add_step (self, e->path, 0, 0);
}

static char *
library_details (const SvdModelEntry *e,
                 gpointer             user_data)
{
  SvdChainEditor *self = user_data;

  return entry_details (e, self->width, self->height);
}

static void
fill_library (SvdChainEditor *self)
{
  svd_model_picker_set_library (self->library_picker, (const char * const *) self->folders, self->library,
                                self->loading);
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SvdChainEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) old_library = NULL;
  g_autoptr(GPtrArray) old_extra = NULL;
  GPtrArray *extra = NULL;
  GPtrArray *library = svd_model_library_scan_finish (result, &extra, &error);

  if (library == NULL)
    {
      /* Cancelled: a folder changed and a newer scan replaced this one, or
       * the editor closed. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Model library: %s", error->message);
      return;
    }
  self->loading = FALSE;
  g_hash_table_remove_all (self->by_path);
  /* The old rows point into the old entries until fill_library() has
   * removed them (removing a row re-runs the next row's header func), so
   * the old arrays go only after it. */
  old_library = g_steal_pointer (&self->library);
  old_extra = g_steal_pointer (&self->extra);
  self->library = library;
  self->extra = extra;
  for (guint i = 0; i < self->library->len; i++)
    {
      SvdModelEntry *e = self->library->pdata[i];
      g_hash_table_insert (self->by_path, e->path, e);
    }
  for (guint i = 0; i < self->extra->len; i++)
    {
      SvdModelEntry *e = self->extra->pdata[i];
      g_hash_table_insert (self->by_path, e->path, e);
    }
  fill_library (self);
  svd_chain_editor_rebuild (self);
}

static void
start_scan (SvdChainEditor *self)
{
  g_autoptr(GStrvBuilder) extra = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) extra_paths = NULL;

  if (self->scan_started)
    return;
  self->scan_started = TRUE;
  self->loading = TRUE;
  /* The chains' models that live outside the library folders are read as
   * well, so their rows show their cost too. */
  for (guint c = 0; c < self->n_chains; c++)
    for (guint i = 0; i < self->chains[c]->steps->len; i++)
      {
        const SvdChainStep *step = g_ptr_array_index (self->chains[c]->steps, i);
        const char *spec = step->abs_path;

        if (step->type == SVD_CHAIN_STEP_MODEL && spec != NULL && !g_hash_table_contains (seen, spec))
          {
            g_hash_table_add (seen, (gpointer) spec);
            g_strv_builder_add (extra, spec);
          }
      }
  extra_paths = g_strv_builder_end (extra);
  /* A newer scan replaces one still running. */
  if (self->scan_cancellable != NULL)
    g_cancellable_cancel (self->scan_cancellable);
  g_clear_object (&self->scan_cancellable);
  self->scan_cancellable = g_cancellable_new ();
  svd_model_library_scan_async ((const char * const *) self->folders, (const char * const *) extra_paths,
                                self->scan_cancellable, scan_done_cb, g_object_ref (self));
  fill_library (self);
}

/**
 * svd_chain_editor_add_folder:
 * @self: a #SvdChainEditor
 * @folder: a folder of models
 *
 * Adds @folder to the library, and to the "model-folders" setting when the
 * editor has settings, then reads the library again.
 */
void
svd_chain_editor_add_folder (SvdChainEditor *self,
                             const char     *folder)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (SVD_IS_CHAIN_EDITOR (self));
  g_return_if_fail (folder != NULL);

  if (self->settings != NULL)
    {
      g_auto(GStrv) old = g_settings_get_strv (self->settings, "model-folders");

      if (!g_strv_contains ((const char * const *) old, folder))
        {
          g_strv_builder_addv (builder, (const char **) old);
          g_strv_builder_add (builder, folder);
          {
            g_auto(GStrv) updated = g_strv_builder_end (builder);

            g_settings_set_strv (self->settings, "model-folders", (const char * const *) updated);
          }
          builder = g_strv_builder_new ();
        }
    }
  if (g_strv_contains ((const char * const *) self->folders, folder))
    return;
  g_strv_builder_addv (builder, (const char **) self->folders);
  g_strv_builder_add (builder, folder);
  g_strfreev (self->folders);
  self->folders = g_strv_builder_end (builder);
  self->scan_started = FALSE;
  start_scan (self);
}

static void
model_folders_changed_cb (GSettings  *settings,
                          const char *key,
                          gpointer    user_data)
{
  SvdChainEditor *self = user_data;
  g_auto(GStrv) extra = g_settings_get_strv (settings, "model-folders");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) folders = NULL;

  g_strv_builder_addv (builder, (const char **) self->base_folders);
  for (guint i = 0; extra[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) self->base_folders, extra[i]))
      g_strv_builder_add (builder, extra[i]);
  folders = g_strv_builder_end (builder);
  if (g_strv_equal ((const char * const *) folders, (const char * const *) self->folders))
    return;
  g_strfreev (self->folders);
  self->folders = g_steal_pointer (&folders);
  self->scan_started = FALSE;
  start_scan (self);
}

static void
folder_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  SvdChainEditor *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        svd_chain_editor_add_folder (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
add_folder_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);
  GtkFileChooserNative *native;

  svd_model_picker_popdown (self->library_picker);
  native = gtk_file_chooser_native_new (_("Add Model Folder"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (folder_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
svd_chain_editor_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (svd_chain_editor_parent_class)->map (widget);
  start_scan (SVD_CHAIN_EDITOR (widget));
}

/* The stage row holding the keyboard focus, if any. */
static int
focused_stage (SvdChainEditor *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *row;

  /* Keys pressed in the library popover bubble up here too; the window's
   * focus is then still on a stage the user is not looking at. */
  if (focus == NULL || gtk_widget_get_visible (GTK_WIDGET (svd_model_picker_get_popover (self->library_picker))))
    return -1;
  row = GTK_IS_LIST_BOX_ROW (focus) ? focus : gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_BOX_ROW);
  if (row == NULL || gtk_widget_get_parent (row) != GTK_WIDGET (self->stage_list))
    return -1;
  return gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);
  SvdChain *chain = current_chain (self);
  int index = focused_stage (self);
  int to;

  if (chain == NULL || index < 0)
    return;
  to = g_str_equal (action_name, "chain.move-up") ? index - 1 : index + 1;
  if (to < 0 || to >= (int) chain->steps->len)
    return;
  move_stage (self, index, to);
  svd_chain_editor_rebuild (self);
  focus_stage (self, to);
}

static void
remove_stage_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);
  SvdChain *chain = current_chain (self);
  int index = focused_stage (self);

  if (chain == NULL || index < 0)
    return;
  remove_stage (self, index);
  svd_chain_editor_rebuild (self);
  /* Focus stays in the list, on the stage that took its place. */
  if (chain->steps->len > 0)
    focus_stage (self, MIN ((guint) index, chain->steps->len - 1));
}

static void
add_baseline_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SvdResizeFilter filter;
  double scale;

  /* The target is the step as a chain reads it ("bicubic:2"). */
  if (svd_chain_step_parse_resize (g_variant_get_string (parameter, NULL), &filter, &scale))
    add_step (SVD_CHAIN_EDITOR (widget), NULL, filter, scale);
}

static void
add_model_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);
  const SvdModelEntry *e = g_hash_table_lookup (self->by_path, g_variant_get_string (parameter, NULL));

  /* Only what the library read and could load. */
  if (e != NULL && e->error == NULL)
    add_step (self, e->path, 0, 0);
}

static void
new_chain_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);

  if (self->n_chains >= SVD_CHAIN_EDITOR_MAX_CHAINS)
    return;
  self->chains[self->n_chains] = svd_chain_new (NULL);
  self->current = self->n_chains++;
  svd_chain_editor_rebuild (self);
}

static void
remove_chain_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);

  if (self->current >= self->n_chains)
    return;
  /* Later chains move up one slot, as in the window's list of readouts. */
  svd_chain_free (self->chains[self->current]);
  for (guint i = self->current; i + 1 < self->n_chains; i++)
    self->chains[i] = self->chains[i + 1];
  self->chains[--self->n_chains] = NULL;
  if (self->current > 0 && self->current >= self->n_chains)
    self->current--;
  svd_chain_editor_rebuild (self);
}

static void
select_chain_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index < self->n_chains && index != self->current)
    {
      self->current = index;
      svd_chain_editor_rebuild (self);
    }
}

/* Drops the chains without stages, as Apply gave the session none for
 * them, so the editor numbers the chains as the window does. */
static void
compact_chains (SvdChainEditor *self)
{
  SvdChain *current = current_chain (self);
  guint k = 0;

  for (guint i = 0; i < self->n_chains; i++)
    {
      SvdChain *chain = self->chains[i];

      self->chains[i] = NULL;
      if (chain->steps->len == 0 && chain != current)
        {
          svd_chain_free (chain);
          continue;
        }
      if (chain->steps->len == 0)
        {
          /* The empty chain being edited goes too; the one before it (or
           * the first) is shown instead. */
          svd_chain_free (chain);
          self->current = k > 0 ? k - 1 : 0;
          current = NULL;
          continue;
        }
      if (chain == current)
        self->current = k;
      self->chains[k++] = chain;
    }
  self->n_chains = k;
  if (self->current >= self->n_chains)
    self->current = self->n_chains > 0 ? self->n_chains - 1 : 0;
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (widget);

  for (guint slot = 0; slot < SVD_CHAIN_EDITOR_MAX_CHAINS; slot++)
    {
      const SvdChain *chain = applied_for_slot (self, slot);

      /* Only changed chains are reloaded, so the others keep their
       * running averages. */
      if (svd_chain_equal (self->applied[slot], chain))
        continue;
      g_clear_pointer (&self->applied[slot], svd_chain_free);
      if (chain != NULL)
        self->applied[slot] = svd_chain_copy (chain);
      if (self->apply_func != NULL)
        self->apply_func (slot, chain, self->apply_data);
    }
  compact_chains (self);
  svd_chain_editor_rebuild (self);
}

static gboolean
close_idle_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  SvdChainEditor *self = user_data;

  self->close_dialog = NULL;
  if (g_str_equal (response, "apply"))
    gtk_widget_activate_action (GTK_WIDGET (self), "chain.apply", NULL);
  else if (g_str_equal (response, "discard"))
    self->discard = TRUE;
  else
    return;
  /* The dialog is transient for the editor and closes itself after this
   * signal: the editor closes once it is gone. */
  g_idle_add_full (G_PRIORITY_DEFAULT, close_idle_cb, g_object_ref (self), g_object_unref);
}

/* Closing with × or Escape asks before edits that were not applied are
 * lost (GNOME HIG: Discard / Apply / Cancel). */
static gboolean
svd_chain_editor_close_request (GtkWindow *window)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (window);
  AdwMessageDialog *dialog;

  if (self->discard || !has_changes (self))
    return GTK_WINDOW_CLASS (svd_chain_editor_parent_class)->close_request (window);
  if (self->close_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->close_dialog));
      return TRUE;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Apply Changes?"),
                                                       _("The chains were edited but the changes were not applied. "
                                                         "Changes that are not applied will be lost.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "apply", _("_Apply"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
  self->close_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/**
 * svd_chain_editor_get_close_dialog:
 * @self: a #SvdChainEditor
 *
 * Returns: (transfer none) (nullable): the dialog that asks what to do with
 *   unapplied edits, while it is open
 */
GtkWindow *
svd_chain_editor_get_close_dialog (SvdChainEditor *self)
{
  g_return_val_if_fail (SVD_IS_CHAIN_EDITOR (self), NULL);

  return self->close_dialog != NULL ? GTK_WINDOW (self->close_dialog) : NULL;
}

static void
svd_chain_editor_dispose (GObject *object)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->scan_cancellable != NULL)
    g_cancellable_cancel (self->scan_cancellable);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->close_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->close_dialog)));
  gtk_widget_dispose_template (GTK_WIDGET (self), SVD_TYPE_CHAIN_EDITOR);
  G_OBJECT_CLASS (svd_chain_editor_parent_class)->dispose (object);
}

static void
svd_chain_editor_finalize (GObject *object)
{
  SvdChainEditor *self = SVD_CHAIN_EDITOR (object);

  for (guint i = 0; i < SVD_CHAIN_EDITOR_MAX_CHAINS; i++)
    {
      g_clear_pointer (&self->chains[i], svd_chain_free);
      g_clear_pointer (&self->applied[i], svd_chain_free);
    }
  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_pointer (&self->library, g_ptr_array_unref);
  g_clear_pointer (&self->extra, g_ptr_array_unref);
  g_clear_pointer (&self->folders, g_strfreev);
  g_clear_pointer (&self->base_folders, g_strfreev);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scan_cancellable);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (svd_chain_editor_parent_class)->finalize (object);
}

static void
svd_chain_editor_class_init (SvdChainEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = svd_chain_editor_dispose;
  object_class->finalize = svd_chain_editor_finalize;
  widget_class->map = svd_chain_editor_map;
  GTK_WINDOW_CLASS (klass)->close_request = svd_chain_editor_close_request;

  g_type_ensure (SVD_TYPE_MODEL_PICKER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/svdstudio/SvdStudio/svd-chain-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SvdChainEditor, chain_switcher);
  gtk_widget_class_bind_template_child (widget_class, SvdChainEditor, chain_title);
  gtk_widget_class_bind_template_child (widget_class, SvdChainEditor, stage_list);
  gtk_widget_class_bind_template_child (widget_class, SvdChainEditor, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SvdChainEditor, size_warning);
  gtk_widget_class_bind_template_child (widget_class, SvdChainEditor, library_picker);

  gtk_widget_class_install_action (widget_class, "chain.move-up", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "chain.move-down", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "chain.remove-stage", NULL, remove_stage_action);
  gtk_widget_class_install_action (widget_class, "chain.add-baseline", "s", add_baseline_action);
  gtk_widget_class_install_action (widget_class, "chain.add-model", "s", add_model_action);
  gtk_widget_class_install_action (widget_class, "chain.new-chain", NULL, new_chain_action);
  gtk_widget_class_install_action (widget_class, "chain.remove-chain", NULL, remove_chain_action);
  gtk_widget_class_install_action (widget_class, "chain.select-chain", "u", select_chain_action);
  gtk_widget_class_install_action (widget_class, "chain.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "chain.add-folder", NULL, add_folder_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "chain.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, GDK_ALT_MASK, "chain.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "chain.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, GDK_ALT_MASK, "chain.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "chain.remove-stage", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "chain.remove-stage", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

/* The "Add Model" menu: the shared picker, searchable, with each model's
 * cost at the input size and a way to add a folder. */
static void
setup_library_picker (SvdChainEditor *self)
{
  GtkMenuButton *button = svd_model_picker_get_button (self->library_picker);
  GtkListBox *list = svd_model_picker_get_list (self->library_picker);
  GtkWidget *add_folder = gtk_button_new_with_mnemonic (_("Add _Folder…"));

  gtk_menu_button_set_label (button, _("Add _Model"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), _("Add a stage from the model library"));
  gtk_list_box_set_selection_mode (list, GTK_SELECTION_BROWSE);
  gtk_list_box_set_activate_on_single_click (list, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model Library"), -1);
  gtk_widget_set_size_request (gtk_popover_get_child (svd_model_picker_get_popover (self->library_picker)), 500, -1);
  svd_model_picker_set_searchable (self->library_picker, TRUE);
  svd_model_picker_set_details_func (self->library_picker, library_details, self);
  gtk_widget_set_halign (add_folder, GTK_ALIGN_START);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add_folder), "chain.add-folder");
  gtk_widget_set_tooltip_text (add_folder, _("Add a folder of models to the library; Preferences lists it too"));
  gtk_widget_add_css_class (add_folder, "flat");
  svd_model_picker_add_footer (self->library_picker, add_folder);
  g_signal_connect (self->library_picker, "chosen", G_CALLBACK (library_chosen_cb), self);
}

static void
svd_chain_editor_init (SvdChainEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->by_path = g_hash_table_new (g_str_hash, g_str_equal);
  setup_library_picker (self);
  gtk_list_box_set_placeholder (self->stage_list, NULL);
}

/**
 * svd_chain_editor_new:
 * @parent: the window it edits the chains of
 * @folders: (array zero-terminated=1): the model library's folders
 * @width: the clip's width, the size into the first stage
 * @height: the clip's height
 *
 * @settings: (nullable): the app's settings, where folders added in the
 *   editor are kept
 *
 * Returns: (transfer full): a new, modal chain editor
 */
SvdChainEditor *
svd_chain_editor_new (GtkWindow          *parent,
                      const char * const *folders,
                      int                 width,
                      int                 height,
                      GSettings          *settings)
{
  SvdChainEditor *self = g_object_new (SVD_TYPE_CHAIN_EDITOR,
                                       "transient-for", parent,
                                       NULL);

  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->folders = g_strdupv ((char **) folders);
  if (settings != NULL)
    {
      g_auto(GStrv) extra = g_settings_get_strv (settings, "model-folders");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; folders[i] != NULL; i++)
        if (!g_strv_contains ((const char * const *) extra, folders[i]))
          g_strv_builder_add (builder, folders[i]);
      self->base_folders = g_strv_builder_end (builder);
      /* Folders added or removed in Preferences while the editor is open. */
      g_signal_connect_object (settings, "changed::model-folders", G_CALLBACK (model_folders_changed_cb), self, 0);
    }
  self->width = width;
  self->height = height;
  svd_chain_editor_rebuild (self);
  return self;
}

/**
 * svd_chain_editor_set_reference_size:
 * @self: a #SvdChainEditor
 * @width: the reference's width, or 0 when the session has no reference
 * @height: the reference's height
 *
 * The size every chain's output must have for metrics; the editor warns
 * about a chain that ends at another size.
 */
void
svd_chain_editor_set_reference_size (SvdChainEditor *self,
                                     int             width,
                                     int             height)
{
  g_return_if_fail (SVD_IS_CHAIN_EDITOR (self));

  self->ref_width = MAX (width, 0);
  self->ref_height = MAX (height, 0);
  svd_chain_editor_rebuild (self);
}

const char *
svd_chain_editor_get_size_warning (SvdChainEditor *self)
{
  g_return_val_if_fail (SVD_IS_CHAIN_EDITOR (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->size_warning)))
    return NULL;
  return gtk_label_get_text (self->size_warning);
}

/**
 * svd_chain_editor_set_chain:
 * @self: a #SvdChainEditor
 * @slot: the chain, 0 to 3
 * @chain: (nullable): what the session runs in that slot now (copied)
 *
 * Tells the editor the chains the session already has; call before showing
 * it. Empty slots between chains are dropped.
 */
void
svd_chain_editor_set_chain (SvdChainEditor *self,
                            guint           slot,
                            const SvdChain *chain)
{
  g_return_if_fail (SVD_IS_CHAIN_EDITOR (self));
  g_return_if_fail (slot < SVD_CHAIN_EDITOR_MAX_CHAINS);

  g_clear_pointer (&self->applied[slot], svd_chain_free);
  if (chain == NULL || chain->steps->len == 0)
    return;
  self->applied[slot] = svd_chain_copy (chain);
  self->chains[self->n_chains++] = svd_chain_copy (chain);
  svd_chain_editor_rebuild (self);
}

/**
 * svd_chain_editor_set_apply_func:
 * @self: a #SvdChainEditor
 * @func: called on Apply for each chain slot that changed; a %NULL chain
 *   removes it
 * @user_data: for @func
 */
void
svd_chain_editor_set_apply_func (SvdChainEditor          *self,
                                 SvdChainEditorApplyFunc  func,
                                 gpointer                 user_data)
{
  g_return_if_fail (SVD_IS_CHAIN_EDITOR (self));

  self->apply_func = func;
  self->apply_data = user_data;
}

guint
svd_chain_editor_get_n_chains (SvdChainEditor *self)
{
  g_return_val_if_fail (SVD_IS_CHAIN_EDITOR (self), 0);

  return self->n_chains;
}

guint
svd_chain_editor_get_current (SvdChainEditor *self)
{
  g_return_val_if_fail (SVD_IS_CHAIN_EDITOR (self), 0);

  return self->current;
}

/**
 * svd_chain_editor_is_loading:
 * @self: a #SvdChainEditor
 *
 * Returns: whether the model library is still being read
 */
gboolean
svd_chain_editor_is_loading (SvdChainEditor *self)
{
  g_return_val_if_fail (SVD_IS_CHAIN_EDITOR (self), FALSE);

  return !self->scan_started || self->loading;
}

/**
 * svd_chain_editor_get_chain:
 * @self: a #SvdChainEditor
 * @chain: 0 to 3
 *
 * Returns: (transfer none) (nullable): the chain as edited; %NULL when
 *   there is no such chain or it has no stages
 */
const SvdChain *
svd_chain_editor_get_chain (SvdChainEditor *self,
                            guint           chain)
{
  g_return_val_if_fail (SVD_IS_CHAIN_EDITOR (self), NULL);

  if (chain >= self->n_chains || self->chains[chain]->steps->len == 0)
    return NULL;
  return self->chains[chain];
}

GtkListBox *
svd_chain_editor_get_stage_list (SvdChainEditor *self)
{
  return self->stage_list;
}

GtkListBox *
svd_chain_editor_get_library_list (SvdChainEditor *self)
{
  return svd_model_picker_get_list (self->library_picker);
}

GtkEditable *
svd_chain_editor_get_search_entry (SvdChainEditor *self)
{
  return svd_model_picker_get_search_entry (self->library_picker);
}

GtkWidget *
svd_chain_editor_get_library_button (SvdChainEditor *self)
{
  return GTK_WIDGET (svd_model_picker_get_button (self->library_picker));
}
