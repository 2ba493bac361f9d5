/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "model/svd-model.h"

G_BEGIN_DECLS

/*
 * The one chain type: learned models and built-in resize steps, in order.
 * The engine runs it, every `--chain` option and `svd model run` parse it,
 * the preset, fused ONNX, AnimeJaNai and mpv exporters write it, and the
 * GUI's chain editor and benchmark matrix build it.
 *
 * A chain is written as text as a comma list of entries (see
 * svd_chain_parse()): a model file, a built-in resize ("bicubic:2"), a
 * chain preset (models/PRESET.md) or a fused chain ONNX (`svd export-chain
 * --format onnx`); presets and fused ONNX stand for their steps.
 * svd_chain_to_string() prints a chain back as such a list.
 */

#define SVD_CHAIN_MAX_STEPS 16

/**
 * SvdResizeFilter:
 *
 * Built-in, non-learned resize steps that may stand in a chain as
 * baselines.
 */
typedef enum {
  SVD_RESIZE_NEAREST,
  SVD_RESIZE_BILINEAR,
  SVD_RESIZE_BICUBIC,
  SVD_RESIZE_LANCZOS,
} SvdResizeFilter;

typedef enum {
  SVD_CHAIN_STEP_MODEL,
  SVD_CHAIN_STEP_RESIZE,
} SvdChainStepType;

/**
 * SvdChainStep:
 * @type: model or built-in resize
 * @model: (nullable): the loaded model (MODEL steps; %NULL while the chain
 *   was read with %SVD_CHAIN_LOAD_NO_MODELS, see svd_chain_load_models())
 * @path: (nullable): the model file as it was written (in the comma list,
 *   or in the preset, relative to the preset's folder)
 * @abs_path: (nullable): the model file's absolute path; %NULL for a model
 *   that came from no file of its own (a step of a fused chain ONNX)
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
  SVD_CHAIN_LOAD_DEFAULT     = 0,
  /* Do not open the model files (e.g. to show or rewrite a preset, or to
   * edit a chain); svd_chain_load_models() opens them later. */
  SVD_CHAIN_LOAD_NO_MODELS   = 1 << 0,
  /* A preset's SHA-256 mismatch is a warning instead of an error. */
  SVD_CHAIN_LOAD_IGNORE_HASH = 1 << 1,
} SvdChainLoadFlags;

SvdChain   *svd_chain_new                 (const char        *name);
SvdChain   *svd_chain_copy                (const SvdChain    *self);
void        svd_chain_free                (SvdChain          *self);
gboolean    svd_chain_add_model           (SvdChain          *self,
                                           SvdModel          *model,
                                           GError           **error);
void        svd_chain_add_model_path      (SvdChain          *self,
                                           const char        *path,
                                           const char        *base_dir);
void        svd_chain_add_resize          (SvdChain          *self,
                                           SvdResizeFilter    filter,
                                           double             scale);
SvdChain   *svd_chain_new_from_models     (const char        *name,
                                           SvdModel *const   *models,
                                           guint              n_models,
                                           GError           **error);
gboolean    svd_chain_equal               (const SvdChain    *a,
                                           const SvdChain    *b);

SvdChain   *svd_chain_parse               (const char        *spec,
                                           const char        *base_dir,
                                           SvdChainLoadFlags  flags,
                                           GError           **error);
SvdChain   *svd_chain_parse_entries       (const char * const *entries,
                                           const char        *base_dir,
                                           SvdChainLoadFlags  flags,
                                           GError           **error);
char       *svd_chain_to_string           (const SvdChain    *self,
                                           const char        *base_dir,
                                           GError           **error);
gboolean    svd_chain_load_models         (SvdChain          *self,
                                           GError           **error);
gboolean    svd_chain_check               (const SvdChain    *self,
                                           GError           **error);
char       *svd_chain_get_label           (const SvdChain    *self);
double      svd_chain_get_scale           (const SvdChain    *self);
double      svd_chain_get_gflop           (const SvdChain    *self,
                                           int                width,
                                           int                height);

gboolean    svd_chain_step_parse_resize   (const char        *text,
                                           SvdResizeFilter   *filter,
                                           double            *scale);
char       *svd_chain_step_resize_spec    (SvdResizeFilter    filter,
                                           double             scale);

const char *svd_resize_filter_name        (SvdResizeFilter    filter);
gboolean    svd_resize_filter_from_name   (const char        *name,
                                           SvdResizeFilter   *filter);
char       *svd_file_sha256               (const char        *path,
                                           GError           **error);

/* Implemented in svd-onnx-chain.c: reads back a fused chain ONNX. */
SvdChain   *svd_chain_load_onnx           (GBytes            *bytes,
                                           const char        *name,
                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdChain, svd_chain_free)

G_END_DECLS
