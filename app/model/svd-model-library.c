/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-model-library"

#include "svd-config.h"

#include "svd-model-library.h"

#include <string.h>

#include "core/svd-error.h"
#include "svd-model.h"

/**
 * svd_model_entry_free:
 * @e: (nullable): an entry
 */
void
svd_model_entry_free (SvdModelEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->path);
  g_free (e->folder);
  g_free (e->name);
  g_free (e->tier);
  g_free (e->error);
  g_free (e);
}

/* The short tier name: svd_model_get_tier_name() gives the seed's and the
 * community's names together ("Super (SuperUltraCompact)"), too long for a
 * list row. */
static char *
short_tier (const SvdModel *model)
{
  const char *full = svd_model_get_tier_name (model);
  const char *paren = strchr (full, ' ');

  return paren != NULL ? g_strndup (full, paren - full) : g_strdup (full);
}

static char *
display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

/**
 * svd_model_entry_new_for_path:
 * @path: a model file
 * @folder: (nullable): the library folder it belongs to
 *
 * Loads @path to learn its shape. A file that does not load still gives an
 * entry, with @error set, so the library can say which file is broken and
 * why instead of hiding it.
 *
 * Returns: (transfer full): a new entry
 */
SvdModelEntry *
svd_model_entry_new_for_path (const char *path,
                              const char *folder)
{
  SvdModelEntry *e = g_new0 (SvdModelEntry, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) model = NULL;

  e->path = g_strdup (path);
  e->folder = folder != NULL ? g_strdup (folder) : g_path_get_dirname (path);
  e->name = display_name (path);
  model = svd_model_load (path, &error);
  if (model == NULL)
    {
      e->error = g_strdup (error->message);
      return e;
    }
  e->tier = short_tier (model);
  e->scale = model->scale;
  e->nf = model->nf;
  e->n_conv = model->num_conv;
  e->params = svd_model_get_n_params (model);
  e->gflop_per_mpixel = svd_model_get_gflop (model, 1000, 1000);
  return e;
}

/**
 * svd_model_entry_gflop:
 * @e: an entry
 * @width: input width of this stage
 * @height: input height of this stage
 *
 * Returns: GFLOP per frame (2 FLOP per conv MAC) at that input size; 0 for
 *   an entry that failed to load
 */
double
svd_model_entry_gflop (const SvdModelEntry *e,
                       int                  width,
                       int                  height)
{
  if (e->error != NULL)
    return 0.0;
  /* Every conv runs at input resolution, so the cost is linear in pixels. */
  return e->gflop_per_mpixel * ((double) width * height / 1e6);
}

/**
 * svd_model_library_is_model_file:
 * @path: a file name
 *
 * Returns: whether the name ends in one of the extensions the importers read
 */
gboolean
svd_model_library_is_model_file (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".onnx")
         || g_str_has_suffix (lower, ".pth")
         || g_str_has_suffix (lower, ".safetensors");
}

static gboolean
scan_dir (const char   *dir,
          const char   *folder,
          int           depth,
          GPtrArray    *entries,
          GHashTable   *seen,
          GCancellable *cancellable,
          GError      **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  /* A folder that is gone or unreadable is not an error of the library:
   * settings may name a removed USB disk. */
  if (d == NULL)
    return TRUE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (name[0] != '.')
        g_ptr_array_add (names, g_strdup (name));
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          /* One level down: folders like models/seed, not a whole disk. */
          if (depth < 1
              && !scan_dir (path, folder, depth + 1, entries, seen, cancellable, error))
            return FALSE;
          continue;
        }
      if (!svd_model_library_is_model_file (path)
          || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      {
        g_autofree char *canon = g_canonicalize_filename (path, NULL);

        if (g_hash_table_contains (seen, canon))
          continue;
        g_hash_table_add (seen, g_steal_pointer (&canon));
      }
      g_ptr_array_add (entries, svd_model_entry_new_for_path (path, folder));
    }
  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const SvdModelEntry *ea = *(SvdModelEntry * const *) a;
  const SvdModelEntry *eb = *(SvdModelEntry * const *) b;
  int c = g_utf8_collate (ea->name, eb->name);

  return c != 0 ? c : strcmp (ea->path, eb->path);
}

/**
 * svd_model_library_scan:
 * @folders: (array zero-terminated=1): library folders
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds the .onnx, .pth and .safetensors files in @folders and one level
 * of subfolders, and loads each to learn its shape. Files that fail to load
 * become entries with #SvdModelEntry.error; missing folders are skipped.
 * A file reached twice (the same folder named twice) is listed once.
 *
 * Returns: (transfer full) (element-type SvdModelEntry): the entries
 *   sorted by name, or %NULL only when cancelled
 */
GPtrArray *
svd_model_library_scan (const char *const *folders,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_model_entry_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      if (folders[i][0] == '\0')
        continue;
      if (!scan_dir (folders[i], folders[i], 0, entries, seen, cancellable, error))
        return NULL;
    }
  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

static void
add_unique (GPtrArray  *dirs,
            char       *dir)
{
  for (guint i = 0; i < dirs->len; i++)
    {
      if (g_str_equal (dirs->pdata[i], dir))
        {
          g_free (dir);
          return;
        }
    }
  g_ptr_array_add (dirs, dir);
}

/* The installed models folder as seen from the running binary: BINDIR's
 * parent is the prefix, and PKGDATADIR_REL is relative to it. Works for a
 * copied or DESTDIR tree, where the compiled-in prefix does not exist. */
static char *
shipped_dir_from_exe (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bindir = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *dir = NULL;
  guint depth;

  if (exe == NULL || g_path_is_absolute (SVD_BINDIR_REL) || g_path_is_absolute (SVD_PKGDATADIR_REL))
    return NULL;
  bindir = g_path_get_dirname (exe);
  prefix = g_strdup (bindir);
  /* One level up per component of BINDIR ("bin" is one). */
  depth = 1;
  for (const char *c = SVD_BINDIR_REL; *c != '\0'; c++)
    if (*c == '/' && c[1] != '\0')
      depth++;
  for (guint i = 0; i < depth; i++)
    {
      char *up = g_path_get_dirname (prefix);

      g_free (prefix);
      prefix = up;
    }
  {
    g_autofree char *expected = g_build_filename (prefix, SVD_BINDIR_REL, NULL);

    if (g_strcmp0 (expected, bindir) != 0)
      return NULL;
  }
  dir = g_build_filename (prefix, SVD_PKGDATADIR_REL, "models", NULL);
  return g_file_test (dir, G_FILE_TEST_IS_DIR) ? g_steal_pointer (&dir) : NULL;
}

/**
 * svd_model_library_shipped_dir:
 *
 * Where the project's own models are: `$SVD_DATA_DIR/models` when that is
 * set (the source tree's models/ when tests run from the build tree), else
 * the install's `share/svd-studio/models` next to the running binary, else
 * the compiled-in `PKGDATADIR/models`.
 *
 * Returns: (transfer full): the folder (it may not exist)
 */
char *
svd_model_library_shipped_dir (void)
{
  const char *env = g_getenv ("SVD_DATA_DIR");
  char *dir;

  if (env != NULL && *env != '\0')
    return g_build_filename (env, "models", NULL);
  dir = shipped_dir_from_exe ();
  if (dir != NULL)
    return dir;
  return g_build_filename (SVD_PKGDATADIR, "models", NULL);
}

/**
 * svd_model_library_find_shipped:
 * @name: a shipped model's name, with or without its extension, e.g.
 *   "svd-super-2x"
 *
 * Returns: (transfer full) (nullable): the model file's path, or %NULL
 *   when @name is not a plain name or no shipped model has it
 */
char *
svd_model_library_find_shipped (const char *name)
{
  static const char *const exts[] = { "", ".safetensors", ".onnx", ".pth" };
  g_autofree char *dir = NULL;

  if (name == NULL || *name == '\0' || strchr (name, '/') != NULL || strcmp (name, ".") == 0 ||
      strcmp (name, "..") == 0)
    return NULL;
  dir = svd_model_library_shipped_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    {
      g_autofree char *file = g_strconcat (name, exts[i], NULL);
      char *path = g_build_filename (dir, file, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

/**
 * svd_model_library_default_folders:
 * @source_root: (nullable): a source tree whose models/ comes first when it
 *   exists; the app passes %NULL
 * @extra: (nullable) (array zero-terminated=1): folders the user added
 *
 * The library is the project's own models (svd_model_library_shipped_dir(),
 * then the system data dirs), the user's models folder (`$XDG_DATA_HOME/svd-studio/models`) and
 * @extra, in that order, without repeats. Folders that do not exist are
 * kept out, except the user folder, which is where the user is told to put
 * models.
 *
 * Returns: (transfer full): the folders
 */
GStrv
svd_model_library_default_folders (const char        *source_root,
                                   const char *const *extra)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *data_dirs = g_get_system_data_dirs ();

  if (source_root != NULL)
    {
      char *d = g_build_filename (source_root, "models", NULL);

      if (g_file_test (d, G_FILE_TEST_IS_DIR))
        add_unique (dirs, d);
      else
        g_free (d);
    }
  {
    char *d = svd_model_library_shipped_dir ();

    if (g_file_test (d, G_FILE_TEST_IS_DIR))
      add_unique (dirs, d);
    else
      g_free (d);
  }
  for (guint i = 0; data_dirs[i] != NULL; i++)
    {
      char *d = g_build_filename (data_dirs[i], "svd-studio", "models", NULL);

      if (g_file_test (d, G_FILE_TEST_IS_DIR))
        add_unique (dirs, d);
      else
        g_free (d);
    }
  add_unique (dirs, g_build_filename (g_get_user_data_dir (), "svd-studio", "models", NULL));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      if (extra[i][0] != '\0')
        add_unique (dirs, g_strdup (extra[i]));
    }
  g_ptr_array_add (dirs, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&dirs), FALSE);
}

typedef struct {
  GStrv      folders;
  GStrv      extra_paths;
  GPtrArray *library;
  GPtrArray *extra;
} ScanData;

static void
scan_data_free (gpointer data)
{
  ScanData *d = data;

  g_strfreev (d->folders);
  g_strfreev (d->extra_paths);
  g_clear_pointer (&d->library, g_ptr_array_unref);
  g_clear_pointer (&d->extra, g_ptr_array_unref);
  g_free (d);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanData *d = task_data;
  GError *error = NULL;

  d->library = svd_model_library_scan ((const char * const *) d->folders, cancellable, &error);
  if (d->library == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  d->extra = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_model_entry_free);
  for (guint i = 0; d->extra_paths != NULL && d->extra_paths[i] != NULL; i++)
    g_ptr_array_add (d->extra, svd_model_entry_new_for_path (d->extra_paths[i], NULL));
  g_task_return_boolean (task, TRUE);
}

/**
 * svd_model_library_scan_async:
 * @folders: (array zero-terminated=1): the library's folders
 * @extra_paths: (array zero-terminated=1) (nullable): model files outside
 *   the folders to read as well (e.g. a chain's stages)
 * @cancellable: (nullable): cancels the scan; a cancelled scan always
 *   finishes with %G_IO_ERROR_CANCELLED, so a newer scan can replace it by
 *   cancelling it
 * @callback: called on the caller's main context
 * @user_data: for @callback
 *
 * svd_model_library_scan() on a worker thread: reading every model file is
 * I/O and parsing, never for a UI thread.
 */
void
svd_model_library_scan_async (const char *const   *folders,
                              const char *const   *extra_paths,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ScanData *d = g_new0 (ScanData, 1);

  d->folders = g_strdupv ((char **) folders);
  d->extra_paths = g_strdupv ((char **) extra_paths);
  g_task_set_source_tag (task, svd_model_library_scan_async);
  g_task_set_task_data (task, d, scan_data_free);
  g_task_run_in_thread (task, scan_thread);
}

/**
 * svd_model_library_scan_finish:
 * @result: the result given to the callback
 * @extra: (out) (optional) (transfer full): the entries of the extra paths,
 *   in their order
 * @error: the scan's error, or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the library's entries, or %NULL with @error
 */
GPtrArray *
svd_model_library_scan_finish (GAsyncResult  *result,
                               GPtrArray    **extra,
                               GError       **error)
{
  ScanData *d;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  d = g_task_get_task_data (G_TASK (result));
  if (extra != NULL)
    *extra = g_steal_pointer (&d->extra);
  return g_steal_pointer (&d->library);
}
