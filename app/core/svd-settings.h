/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SVD_PRECISION_FP32,
  SVD_PRECISION_FP16,
} SvdPrecision;

/**
 * SvdConvVariant:
 * @SVD_CONV_VARIANT_AUTO: per device: "pixel" on GPUs, "block" elsewhere
 * @SVD_CONV_VARIANT_BLOCK: few work-items, each a block of pixels with
 *   explicit SIMD (what CPUs want)
 * @SVD_CONV_VARIANT_PIXEL: one light work-item per pixel (what GPUs want)
 *
 * Which 3×3 convolution kernel the OpenCL engine runs.
 */
typedef enum {
  SVD_CONV_VARIANT_AUTO,
  SVD_CONV_VARIANT_BLOCK,
  SVD_CONV_VARIANT_PIXEL,
} SvdConvVariant;

/* The largest values svd_settings_set_conv_block() accepts; beyond them the
 * kernels' private arrays would not fit a work-item. */
#define SVD_CONV_BLOCK_MAX_RX  16
#define SVD_CONV_BLOCK_MAX_ACC 128
#define SVD_CONV_BLOCK_MAX_OCB 32

typedef enum {
  SVD_LOG_LEVEL_ERROR,
  SVD_LOG_LEVEL_WARNING,
  SVD_LOG_LEVEL_INFO,
  SVD_LOG_LEVEL_DEBUG,
} SvdLogLevel;

/**
 * SvdConvMode:
 * @SVD_CONV_MODE_DIRECT: direct 3x3 convolutions everywhere
 * @SVD_CONV_MODE_WINO2: Winograd F(2x2,3x3) for the body convs (nf → nf)
 * @SVD_CONV_MODE_WINO4: Winograd F(4x4,3x3) for the body convs
 * @SVD_CONV_MODE_AUTO: per body conv, whichever measured fastest on the
 *   device (cached per device, driver, layer shape and frame size class)
 */
typedef enum {
  SVD_CONV_MODE_DIRECT,
  SVD_CONV_MODE_WINO2,
  SVD_CONV_MODE_WINO4,
  SVD_CONV_MODE_AUTO,
} SvdConvMode;

/**
 * SvdSettings:
 * @device: which OpenCL device to use: %NULL or "auto" prefers a GPU, then
 *   any device; "cpu-ref" forces the CPU reference path; otherwise an index
 *   ("1") into the list `svd devices` prints or a case-insensitive substring
 *   of the device or platform name ("pocl", "nvidia"). Owned by the struct.
 * @precision: storage of the OpenCL path's feature maps: fp16 keeps them as
 *   IEEE half (vload_half/vstore_half, on every OpenCL 1.2 device) with fp32
 *   arithmetic; max abs error ≤ 1e-3 against fp32 (tests/engine/test-engine-fp16.c).
 * @threads: worker threads for CPU code (0: one per core).
 * @max_tile: largest tile side the engine uses before it splits a frame
 *   (0: chosen from the device's allocation limit).
 * @kernel_cache_dir: where compiled OpenCL binaries are cached; %NULL means
 *   `$XDG_CACHE_HOME/svd-studio/kernels`. Owned by the struct.
 * @use_kernel_cache: %FALSE rebuilds every program from source.
 * @dists_weights: path of the DISTS α/β file, or %NULL to search where
 *   users have them. Owned by the struct.
 * @vgg16_weights: path of torchvision's VGG16 weights, or %NULL to search.
 *   Owned by the struct.
 * @log_level: how much libsvd logs to stderr.
 * @conv_variant: the convolution kernel shape (tuning; `SVD_CONV_VARIANT`)
 * @conv_vw: @conv_rx: @conv_acc: @conv_ocb: the block kernel's vector
 *   width, pixels per work-item, accumulator budget and output channel
 *   blocks; all 0 (the default) lets the engine choose per device (tuning;
 *   `SVD_CONV_BLOCK=VW,RX,ACC,OCB`, see svd_settings_set_conv_block())
 * @profile_layers: time every layer and log it (`SVD_PROFILE_LAYERS`)
 * @kernel_dir: a folder to read the OpenCL kernels from instead of the
 *   copies embedded in libsvd, to edit them without rebuilding; %NULL for
 *   the embedded ones (`SVD_KERNEL_DIR`). Owned by the struct.
 * @conv: how the OpenCL path runs 3x3 body convolutions (#SvdConvMode).
 *
 * Settings shared by the CLI, the app and the tests. The app maps GSettings
 * onto this struct; nothing in libsvd reads GSettings. Fill it with
 * svd_settings_init() and free its strings with svd_settings_clear().
 */
typedef struct {
  char        *device;
  SvdPrecision precision;
  int          threads;
  int          max_tile;
  char        *kernel_cache_dir;
  gboolean     use_kernel_cache;
  char        *dists_weights;
  char        *vgg16_weights;
  SvdLogLevel  log_level;
  SvdConvVariant conv_variant;
  int          conv_vw;
  int          conv_rx;
  int          conv_acc;
  int          conv_ocb;
  gboolean     profile_layers;
  char        *kernel_dir;
  SvdConvMode  conv;
} SvdSettings;

void     svd_settings_init        (SvdSettings       *self);
void     svd_settings_apply_env   (SvdSettings       *self);
void     svd_settings_copy        (SvdSettings       *dest,
                                   const SvdSettings *src);
void     svd_settings_clear       (SvdSettings       *self);
gboolean svd_settings_set_conv_block (SvdSettings    *self,
                                      const char     *spec);
int      svd_settings_get_threads (const SvdSettings *self);
char    *svd_settings_get_kernel_cache_dir (const SvdSettings *self);
gboolean svd_conv_mode_from_string (const char        *str,
                                    SvdConvMode       *mode);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SvdSettings, svd_settings_clear)

G_END_DECLS
