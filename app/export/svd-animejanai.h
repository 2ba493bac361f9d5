/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "model/svd-chain.h"

G_BEGIN_DECLS

#define SVD_ANIMEJANAI_MAX_MODELS 16

/* The user slots AnimeJaNai's player binds to keys 1-9. Its built-in
 * profiles live in slots 1001-1003 (Quality, Balanced, Performance) and
 * 1010-1012; an export never writes those. */
#define SVD_ANIMEJANAI_MIN_SLOT 1
#define SVD_ANIMEJANAI_MAX_SLOT 9

/**
 * SvdAnimeJaNaiSlot:
 * @slot: the slot number (`[slot_N]`)
 * @profile_name: the profile's name
 * @min_width: @min_height: @max_width: @max_height: the source resolution
 *   range of chain 1 (0x0 max: no limit)
 * @min_fps: @max_fps: the source fps range (0 max: no limit)
 * @n_models: models in chain 1
 * @model_names: the ONNX basenames (without `.onnx`) in onnx/
 * @resize_factor: `resize_factor_before_upscale` per model, in percent
 * @resize_height: `resize_height_before_upscale` per model (0: none)
 * @fp32: export: write fp32 ONNX files; by default they are fp16 (fp16
 *   input, output and weights), as the player's TensorRT engine flags
 *   (`--stronglyTyped`, fp16 input/output) expect
 *
 * One `[slot_N]` section of the-database/mpv-upscale-2x_animejanai's
 * animejanai.conf with one chain, as its animejanai_config.py reads it.
 */
typedef struct {
  int    slot;
  char  *profile_name;
  int    min_width, min_height, max_width, max_height;
  double min_fps, max_fps;
  int    n_models;
  char  *model_names[SVD_ANIMEJANAI_MAX_MODELS];
  double resize_factor[SVD_ANIMEJANAI_MAX_MODELS];
  int    resize_height[SVD_ANIMEJANAI_MAX_MODELS];
  gboolean fp32;
} SvdAnimeJaNaiSlot;

void      svd_animejanai_slot_clear  (SvdAnimeJaNaiSlot       *slot);
char     *svd_animejanai_slot_to_data (const SvdAnimeJaNaiSlot *slot);
gboolean  svd_animejanai_slot_parse  (const char              *data,
                                      gssize                   length,
                                      SvdAnimeJaNaiSlot       *slot,
                                      GError                 **error);
char     *svd_animejanai_file_name   (const char              *name,
                                      gboolean                 fp16);
GPtrArray *svd_animejanai_planned_files (const SvdChain          *chain,
                                         const SvdAnimeJaNaiSlot *ranges,
                                         const char              *out_dir,
                                         GError                 **error);
gboolean  svd_animejanai_export      (const SvdChain          *chain,
                                      const SvdAnimeJaNaiSlot *ranges,
                                      const char              *out_dir,
                                      SvdAnimeJaNaiSlot       *written,
                                      GError                 **error);

G_END_DECLS
