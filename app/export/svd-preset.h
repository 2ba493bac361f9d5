/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "engine/svd-engine.h"
#include "model/svd-model.h"

G_BEGIN_DECLS

/*
 * A chain as the export formats see it: learned models and built-in resize
 * steps in order. The preset is SVD Studio's own file for it (schema in
 * models/PRESET.md); the other exporters (AnimeJaNai conf, fused ONNX, mpv
 * GLSL) take the same SvdChain, so the GUI builds one chain and picks a
 * format.
 */

#define SVD_PRESET_FORMAT  "svd-studio-chain"
#define SVD_PRESET_VERSION 1

typedef enum {
  SVD_CHAIN_STEP_MODEL,
  SVD_CHAIN_STEP_RESIZE,
} SvdChainStepType;

/**
 * SvdChainStep:
 * @type: model or built-in resize
 * @model: (nullable): the loaded model (MODEL steps; %NULL when a preset was
 *   read with %SVD_PRESET_LOAD_NO_MODELS)
 * @path: (nullable): the model file as written in the preset (relative to
 *   the preset's folder when it could be)
 * @abs_path: (nullable): the model file's absolute path
 * @sha256: (nullable): hex SHA-256 of the model file
 * @name: display name
 * @nf: @num_conv: @scale: the model's shape (checked against the file)
 * @filter: the resize filter (RESIZE steps)
 * @resize_scale: the resize factor (RESIZE steps), e.g. 2 or 0.5
 */
typedef struct {
  SvdChainStepType type;
  SvdModel        *model;
  char            *path;
  char            *abs_path;
  char            *sha256;
  char            *name;
  int              nf;
  int              num_conv;
  int              scale;
  SvdResizeFilter  filter;
  double           resize_scale;
} SvdChainStep;

/**
 * SvdChain:
 * @name: the chain's name
 * @steps: (element-type SvdChainStep): the steps in order
 * @precision: "fp32" or "fp16"
 * @has_target: whether the target fields are set
 * @target_device: (nullable): the device the chain was picked for
 * @target_width: @target_height: the input size it was picked for
 * @target_fps: the fps it has to sustain
 * @created_by: the program that wrote it
 */
typedef struct {
  char      *name;
  GPtrArray *steps;
  char      *precision;
  gboolean   has_target;
  char      *target_device;
  int        target_width;
  int        target_height;
  double     target_fps;
  char      *created_by;
} SvdChain;

typedef enum {
  SVD_PRESET_LOAD_DEFAULT     = 0,
  /* Do not open the model files (e.g. to show or rewrite a preset). */
  SVD_PRESET_LOAD_NO_MODELS   = 1 << 0,
  /* A SHA-256 mismatch is a warning instead of an error. */
  SVD_PRESET_LOAD_IGNORE_HASH = 1 << 1,
} SvdPresetLoadFlags;

SvdChain   *svd_chain_new                 (const char        *name);
void        svd_chain_free                (SvdChain          *self);
gboolean    svd_chain_add_model           (SvdChain          *self,
                                           SvdModel          *model,
                                           GError           **error);
void        svd_chain_add_resize          (SvdChain          *self,
                                           SvdResizeFilter    filter,
                                           double             scale);
SvdChain   *svd_chain_new_from_models     (const char        *name,
                                           SvdModel *const   *models,
                                           guint              n_models,
                                           GError           **error);
GPtrArray  *svd_chain_get_models          (const SvdChain    *self,
                                           GError           **error);

const char *svd_resize_filter_name        (SvdResizeFilter    filter);
gboolean    svd_resize_filter_from_name   (const char        *name,
                                           SvdResizeFilter   *filter);
char       *svd_file_sha256               (const char        *path,
                                           GError           **error);

SvdChain   *svd_preset_parse              (const char        *data,
                                           gssize             length,
                                           const char        *base_dir,
                                           SvdPresetLoadFlags flags,
                                           GError           **error);
SvdChain   *svd_preset_load               (const char        *path,
                                           SvdPresetLoadFlags flags,
                                           GError           **error);
char       *svd_preset_to_data            (const SvdChain    *chain,
                                           const char        *base_dir,
                                           gsize             *length);
gboolean    svd_preset_save               (const SvdChain    *chain,
                                           const char        *path,
                                           GError           **error);
gboolean    svd_preset_is_preset_file     (const char        *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdChain, svd_chain_free)

G_END_DECLS
