/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-settings"

#include "svd-settings.h"

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
  self->conv = SVD_CONV_MODE_DIRECT;
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
 * `SVD_NO_KERNEL_CACHE`, `SVD_DISTS_WEIGHTS`, `SVD_VGG16_WEIGHTS`,
 * `SVD_CONV` (direct|wino2|wino4|auto). Command-line
 * flags are applied after this, so they win.
 */
void
svd_settings_apply_env (SvdSettings *self)
{
  const char *v;

  replace_from_env (&self->device, "SVD_DEVICE");
  replace_from_env (&self->kernel_cache_dir, "SVD_KERNEL_CACHE_DIR");
  replace_from_env (&self->dists_weights, "SVD_DISTS_WEIGHTS");
  replace_from_env (&self->vgg16_weights, "SVD_VGG16_WEIGHTS");

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
}

void
svd_settings_clear (SvdSettings *self)
{
  g_clear_pointer (&self->device, g_free);
  g_clear_pointer (&self->kernel_cache_dir, g_free);
  g_clear_pointer (&self->dists_weights, g_free);
  g_clear_pointer (&self->vgg16_weights, g_free);
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
