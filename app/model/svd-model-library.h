/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SvdModelEntry:
 * @path: the model file
 * @folder: the library folder it was found under
 * @name: a display name (the file's basename without extension)
 * @tier: (nullable): "Super", "Mega", "Ultra", "Compact" or "Custom";
 *   %NULL when the file failed to load
 * @scale: upscale factor (0 when the file failed to load)
 * @nf: features per body conv
 * @n_conv: body convs (SRVGGNetCompact's `num_conv`)
 * @params: learned parameters
 * @gflop_per_mpixel: GFLOP per million input pixels (2 FLOP per MAC)
 * @error: (nullable): why the file could not be loaded, %NULL if it loaded
 *
 * One file of the model library: what a chain editor shows before the
 * model is used, so only the shape is kept, never the weights.
 */
typedef struct {
  char    *path;
  char    *folder;
  char    *name;
  char    *tier;
  int      scale;
  int      nf;
  int      n_conv;
  guint64  params;
  double   gflop_per_mpixel;
  char    *error;
} SvdModelEntry;

void           svd_model_entry_free            (SvdModelEntry       *e);
SvdModelEntry *svd_model_entry_new_for_path    (const char          *path,
                                                const char          *folder);
double         svd_model_entry_gflop           (const SvdModelEntry *e,
                                                int                  width,
                                                int                  height);
gboolean       svd_model_library_is_model_file (const char          *path);
GPtrArray     *svd_model_library_scan          (const char *const   *folders,
                                                GCancellable        *cancellable,
                                                GError             **error);
void           svd_model_library_scan_async    (const char *const   *folders,
                                                const char *const   *extra_paths,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray     *svd_model_library_scan_finish   (GAsyncResult        *result,
                                                GPtrArray          **extra,
                                                GError             **error);
GStrv          svd_model_library_default_folders (const char        *source_root,
                                                  const char *const *extra);
char          *svd_model_library_shipped_dir   (void);
char          *svd_model_library_find_shipped  (const char          *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdModelEntry, svd_model_entry_free)

G_END_DECLS
