/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "model/svd-model.h"

G_BEGIN_DECLS

#define SVD_TENSOR_MAX_DIMS 8

/**
 * SvdTensor:
 * @name: the key in the state dict (after unwrapping and prefix stripping)
 * @dtype: the precision stored in the file
 * @ndim: number of dimensions (0 for a scalar)
 * @shape: the first @ndim entries are the sizes
 * @n_elements: product of the sizes
 * @data: @n_elements floats in C (row-major) order, always converted to
 *   fp32 whatever @dtype was; strided storages were made contiguous
 *
 * One named tensor read from a model or weights file.
 */
typedef struct {
  char                *name;
  SvdStoragePrecision  dtype;
  int                  ndim;
  gint64               shape[SVD_TENSOR_MAX_DIMS];
  gsize                n_elements;
  float               *data;
} SvdTensor;

/**
 * SvdStateDictFlags:
 * @SVD_STATE_DICT_RAW: keep keys as in the file
 * @SVD_STATE_DICT_UNWRAP: when the top-level dict holds a dict under
 *   `params_ema`, `params`, `state_dict` or `model` (tried in that order),
 *   read that one instead (training checkpoints wrap the weights so)
 * @SVD_STATE_DICT_STRIP_PREFIXES: drop a leading `module.` (DataParallel)
 *   or `netG.` (some GAN trainers) from every key
 * @SVD_STATE_DICT_DEFAULT: both; harmless for files without wrappers, such as
 *   DISTS `alpha`/`beta` or torchvision `features.N.weight`
 */
typedef enum {
  SVD_STATE_DICT_RAW            = 0,
  SVD_STATE_DICT_UNWRAP         = 1 << 0,
  SVD_STATE_DICT_STRIP_PREFIXES = 1 << 1,
  SVD_STATE_DICT_DEFAULT        = SVD_STATE_DICT_UNWRAP | SVD_STATE_DICT_STRIP_PREFIXES,
} SvdStateDictFlags;

/**
 * SvdStateDict:
 *
 * Named fp32 tensors read from a `.safetensors` file or a PyTorch `.pth`
 * (zip or legacy format, through a restricted unpickler that never
 * executes anything). Keys keep the file's order. Reference-counted and
 * immutable once loaded.
 */
typedef struct _SvdStateDict SvdStateDict;

#define SVD_TYPE_STATE_DICT (svd_state_dict_get_type ())

GType            svd_state_dict_get_type        (void) G_GNUC_CONST;

SvdStateDict    *svd_state_dict_load            (const char        *path,
                                                 GError           **error);
SvdStateDict    *svd_state_dict_load_with_flags (const char        *path,
                                                 SvdStateDictFlags  flags,
                                                 GError           **error);
SvdStateDict    *svd_state_dict_load_from_data  (const guint8      *data,
                                                 gsize              len,
                                                 SvdStateDictFlags  flags,
                                                 GError           **error);

SvdStateDict    *svd_state_dict_ref             (SvdStateDict      *self);
void             svd_state_dict_unref           (SvdStateDict      *self);

SvdModelFormat   svd_state_dict_get_format      (const SvdStateDict *self);
guint            svd_state_dict_get_n_tensors   (const SvdStateDict *self);
const SvdTensor *svd_state_dict_get_nth         (const SvdStateDict *self,
                                                 guint              index);
const SvdTensor *svd_state_dict_lookup          (const SvdStateDict *self,
                                                 const char        *name);
const SvdTensor *svd_state_dict_require         (const SvdStateDict *self,
                                                 const char        *name,
                                                 int                ndim,
                                                 const gint64      *shape,
                                                 GError           **error);
GHashTable      *svd_state_dict_get_metadata    (const SvdStateDict *self);

char            *svd_tensor_shape_to_string     (const SvdTensor   *tensor);

SvdModel        *svd_model_from_state_dict      (const SvdStateDict *dict,
                                                 GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdStateDict, svd_state_dict_unref)

G_END_DECLS
