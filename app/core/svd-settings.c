/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-settings"

#include "svd-settings.h"

#include <stdio.h>
#include <stdlib.h>

/**
 * svd_settings_init:
 * @self: (out caller-allocates): settings to fill
 *
 * Fills @self with the defaults: automatic device choice (GPU first), fp32,
 * one thread per core, automatic tiling, the kernel cache on, DISTS weights
 * searched where users keep them, warnings logged.
 */
void
svd_settings_init (SvdSettings *self)
{
  self->device = NULL;
  self->precision = SVD_PRECISION_FP32;
  self->threads = 0;
  self->max_tile = 0;
  self->kernel_cache_dir = NULL;
  self->use_kernel_cache = TRUE;
  self->dists_weights = NULL;
  self->vgg16_weights = NULL;
  self->log_level = SVD_LOG_LEVEL_WARNING;
  self->conv_variant = SVD_CONV_VARIANT_AUTO;
  self->conv_vw = self->conv_rx = self->conv_acc = self->conv_ocb = 0;
  self->profile_layers = FALSE;
  self->kernel_dir = NULL;
  self->conv = SVD_CONV_MODE_AUTO;
}

/**
 * svd_settings_set_conv_block:
 * @self: settings
 * @spec: "VW,RX,ACC,OCB", e.g. "8,3,24,8"
 *
 * Sets the block kernel's shape, for tuning. VW must be 1, 4, 8 or 16 and
 * the others positive and at most SVD_CONV_BLOCK_MAX_*; anything else
 * leaves @self as it was.
 *
 * Returns: whether @spec was valid
 */
gboolean
svd_settings_set_conv_block (SvdSettings *self,
                             const char  *spec)
{
  int vw, rx, acc, ocb;
  char end;

  if (spec == NULL || sscanf (spec, "%d,%d,%d,%d%c", &vw, &rx, &acc, &ocb, &end) != 4)
    return FALSE;
  if ((vw != 1 && vw != 4 && vw != 8 && vw != 16) ||
      rx < 1 || rx > SVD_CONV_BLOCK_MAX_RX ||
      acc < 1 || acc > SVD_CONV_BLOCK_MAX_ACC ||
      ocb < 1 || ocb > SVD_CONV_BLOCK_MAX_OCB)
    return FALSE;
  self->conv_vw = vw;
  self->conv_rx = rx;
  self->conv_acc = acc;
  self->conv_ocb = ocb;
  return TRUE;
}

static void
replace_from_env (char       **field,
                  const char  *var)
{
  const char *value = g_getenv (var);

  if (value != NULL && *value != '\0')
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

/**
 * svd_settings_apply_env:
 * @self: settings
 *
 * Lets environment variables override @self: `SVD_DEVICE`,
 * `SVD_PRECISION` (fp32|fp16), `SVD_THREADS`, `SVD_KERNEL_CACHE_DIR`,
 * `SVD_NO_KERNEL_CACHE`, `SVD_DISTS_WEIGHTS`, `SVD_VGG16_WEIGHTS`, and the
 * tuning knobs `SVD_CONV_VARIANT` (block|pixel), `SVD_CONV_BLOCK`
 * (VW,RX,ACC,OCB; an invalid one is ignored with a warning),
 * `SVD_PROFILE_LAYERS` and `SVD_KERNEL_DIR`; `SVD_CONV` (direct|wino2|wino4|auto). Command-line flags are applied after this, so they
 * win. The engine itself reads no environment variable.
 */
void
svd_settings_apply_env (SvdSettings *self)
{
  const char *v;

  replace_from_env (&self->device, "SVD_DEVICE");
  replace_from_env (&self->kernel_cache_dir, "SVD_KERNEL_CACHE_DIR");
  replace_from_env (&self->dists_weights, "SVD_DISTS_WEIGHTS");
  replace_from_env (&self->vgg16_weights, "SVD_VGG16_WEIGHTS");
  replace_from_env (&self->kernel_dir, "SVD_KERNEL_DIR");

  v = g_getenv ("SVD_PRECISION");
  if (g_strcmp0 (v, "fp16") == 0)
    self->precision = SVD_PRECISION_FP16;
  else if (g_strcmp0 (v, "fp32") == 0)
    self->precision = SVD_PRECISION_FP32;

  v = g_getenv ("SVD_THREADS");
  if (v != NULL)
    self->threads = CLAMP (atoi (v), 0, 256);

  if (g_getenv ("SVD_NO_KERNEL_CACHE") != NULL)
    self->use_kernel_cache = FALSE;

  v = g_getenv ("SVD_CONV_VARIANT");
  if (g_strcmp0 (v, "pixel") == 0)
    self->conv_variant = SVD_CONV_VARIANT_PIXEL;
  else if (g_strcmp0 (v, "block") == 0)
    self->conv_variant = SVD_CONV_VARIANT_BLOCK;

  v = g_getenv ("SVD_CONV_BLOCK");
  if (v != NULL && !svd_settings_set_conv_block (self, v))
    g_warning ("SVD_CONV_BLOCK=%s ignored: it is VW,RX,ACC,OCB with VW 1, 4, 8 or 16", v);

  if (g_getenv ("SVD_PROFILE_LAYERS") != NULL)
    self->profile_layers = TRUE;

  v = g_getenv ("SVD_CONV");
  if (v != NULL && !svd_conv_mode_from_string (v, &self->conv))
    g_warning ("SVD_CONV=%s is not one of direct, wino2, wino4, auto; ignored", v);
}

/**
 * svd_conv_mode_from_string:
 * @str: "direct", "wino2", "wino4" or "auto"
 * @mode: (out): the mode
 *
 * Returns: whether @str names a mode
 */
gboolean
svd_conv_mode_from_string (const char  *str,
                           SvdConvMode *mode)
{
  static const char *const names[] = { "direct", "wino2", "wino4", "auto" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (str, names[i]) == 0)
      {
        *mode = (SvdConvMode) i;
        return TRUE;
      }
  return FALSE;
}

void
svd_settings_copy (SvdSettings       *dest,
                   const SvdSettings *src)
{
  *dest = *src;
  dest->device = g_strdup (src->device);
  dest->kernel_cache_dir = g_strdup (src->kernel_cache_dir);
  dest->dists_weights = g_strdup (src->dists_weights);
  dest->vgg16_weights = g_strdup (src->vgg16_weights);
  dest->kernel_dir = g_strdup (src->kernel_dir);
}

void
svd_settings_clear (SvdSettings *self)
{
  g_clear_pointer (&self->device, g_free);
  g_clear_pointer (&self->kernel_cache_dir, g_free);
  g_clear_pointer (&self->dists_weights, g_free);
  g_clear_pointer (&self->vgg16_weights, g_free);
  g_clear_pointer (&self->kernel_dir, g_free);
}

/**
 * svd_settings_get_threads:
 * @self: settings
 *
 * Returns: the number of CPU threads to use, resolving 0 to the number of
 *   processors.
 */
int
svd_settings_get_threads (const SvdSettings *self)
{
  if (self->threads > 0)
    return self->threads;
  return MAX (1, (int) g_get_num_processors ());
}

/**
 * svd_settings_get_kernel_cache_dir:
 * @self: settings
 *
 * Returns: (transfer full): the directory for cached OpenCL binaries
 */
char *
svd_settings_get_kernel_cache_dir (const SvdSettings *self)
{
  if (self->kernel_cache_dir != NULL)
    return g_strdup (self->kernel_cache_dir);
  return g_build_filename (g_get_user_cache_dir (), "svd-studio", "kernels", NULL);
}
