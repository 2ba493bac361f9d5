/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/svd-image.h"
#include "engine/svd-cl.h"

G_BEGIN_DECLS

/**
 * SvdColorCoeffs:
 *
 * The numbers opencl/color.cl and its C twins use for one matrix, range
 * and bit depth. Computed once on the host, so both sides use the very
 * same floats.
 */
typedef struct {
  float kr, kg, kb;
  float max_code;
  float y_off, y_scale, c_off, c_scale;   /* decode: code → normalised */
  float cr_r, cb_g, cr_g, cb_b;           /* decode: YCbCr → RGB */
  float enc_y_off, enc_y_range, enc_c_off, enc_c_range; /* encode */
  float cb_div, cr_div;                   /* encode: 1 / (2 (1 - K)) */
} SvdColorCoeffs;

void      svd_color_coeffs_init      (SvdColorCoeffs      *coeffs,
                                      SvdColorMatrix       matrix,
                                      SvdColorRange        range,
                                      int                  bit_depth);

/* Plain-C twins of opencl/color.cl. */
SvdImage *svd_color_to_rgbf32_ref    (const SvdImage      *input,
                                      GError             **error);
SvdImage *svd_color_from_rgbf32_ref  (const SvdImage      *rgb,
                                      SvdPixelFormat       format,
                                      const SvdColorInfo  *color,
                                      GError             **error);

typedef struct _SvdColorKernels SvdColorKernels;

SvdColorKernels *svd_color_kernels_new   (SvdClContext    *context,
                                          GError         **error);
void             svd_color_kernels_free  (SvdColorKernels *self);
gboolean         svd_color_upload        (SvdColorKernels *self,
                                          const SvdImage  *input,
                                          cl_mem           dst,
                                          int              dst_pitch,
                                          int              dst_plane,
                                          cl_mem          *io_buf,
                                          gsize           *io_bytes,
                                          guint64         *bytes_counter,
                                          double          *device_ms,
                                          GError         **error);
gboolean         svd_color_download      (SvdColorKernels *self,
                                          cl_mem           src,
                                          int              src_pitch,
                                          int              src_plane,
                                          int              width,
                                          int              height,
                                          SvdImage        *output,
                                          int              out_x,
                                          int              out_y,
                                          cl_mem          *io_buf,
                                          gsize           *io_bytes,
                                          guint64         *bytes_counter,
                                          double          *device_ms,
                                          GError         **error);
gboolean         svd_color_convert_cl    (SvdColorKernels *self,
                                          const SvdImage  *input,
                                          SvdImage        *output,
                                          GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdColorKernels, svd_color_kernels_free)

/**
 * SvdFrameConverter:
 *
 * Turns decoded frames into what the session, the metrics and the viewer
 * take (planar float RGB, packed RGBA8): with the kernels on a device,
 * one upload per frame and one read-back per result; without a device,
 * with the C twins, which give the very same numbers. Belongs to the
 * thread that created it.
 */
typedef struct _SvdFrameConverter SvdFrameConverter;

SvdFrameConverter *svd_frame_converter_new          (SvdClContext       *context,
                                                     GError            **error);
SvdFrameConverter *svd_frame_converter_new_or_cpu   (SvdClContext       *context);
void               svd_frame_converter_free         (SvdFrameConverter  *self);
gboolean           svd_frame_converter_uses_device  (SvdFrameConverter  *self);
gboolean           svd_frame_converter_convert      (SvdFrameConverter  *self,
                                                     SvdImage           *frame,
                                                     SvdImage          **rgb,
                                                     SvdImage          **display,
                                                     GError            **error);
gboolean           svd_frame_converter_upload       (SvdFrameConverter  *self,
                                                     SvdImage           *frame,
                                                     SvdImage          **display,
                                                     SvdClPlanes        *planes,
                                                     GError            **error);
SvdImage          *svd_frame_converter_download_rgb (SvdFrameConverter  *self,
                                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdFrameConverter, svd_frame_converter_free)

G_END_DECLS
