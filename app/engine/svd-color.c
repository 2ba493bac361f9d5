/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-color"

#include "svd-color.h"
#include "core/svd-error.h"
#include "engine/svd-convert.h"

#include <string.h>

/**
 * svd_color_coeffs_init:
 * @coeffs: (out caller-allocates): filled in
 * @matrix: BT.601, BT.709 or BT.2020 (non-constant luminance)
 * @range: limited ("TV", Y 16–235 at 8 bits) or full
 * @bit_depth: 8 or 10
 */
void
svd_color_coeffs_init (SvdColorCoeffs *c,
                       SvdColorMatrix  matrix,
                       SvdColorRange   range,
                       int             bit_depth)
{
  double kr, kb, kg, mul = (double) (1 << (bit_depth - 8)), maxv = (double) ((1 << bit_depth) - 1);

  switch (matrix)
    {
    case SVD_COLOR_MATRIX_BT601: kr = 0.299; kb = 0.114; break;
    case SVD_COLOR_MATRIX_BT2020_NCL: kr = 0.2627; kb = 0.0593; break;
    case SVD_COLOR_MATRIX_BT709:
    default: kr = 0.2126; kb = 0.0722; break;
    }
  kg = 1.0 - kr - kb;
  c->kr = kr;
  c->kg = kg;
  c->kb = kb;
  c->max_code = maxv;
  if (range == SVD_COLOR_RANGE_FULL)
    {
      c->y_off = 0.0f;
      c->y_scale = 1.0 / maxv;
      c->c_off = (float) (1 << (bit_depth - 1));
      c->c_scale = 1.0 / maxv;
      c->enc_y_off = 0.0f;
      c->enc_y_range = maxv;
      c->enc_c_off = (float) (1 << (bit_depth - 1));
      c->enc_c_range = maxv;
    }
  else
    {
      c->y_off = 16.0 * mul;
      c->y_scale = 1.0 / (219.0 * mul);
      c->c_off = 128.0 * mul;
      c->c_scale = 1.0 / (224.0 * mul);
      c->enc_y_off = 16.0 * mul;
      c->enc_y_range = 219.0 * mul;
      c->enc_c_off = 128.0 * mul;
      c->enc_c_range = 224.0 * mul;
    }
  c->cr_r = 2.0 * (1.0 - kr);
  c->cb_g = -2.0 * (1.0 - kb) * kb / kg;
  c->cr_g = -2.0 * (1.0 - kr) * kr / kg;
  c->cb_b = 2.0 * (1.0 - kb);
  c->cb_div = 1.0 / (2.0 * (1.0 - kb));
  c->cr_div = 1.0 / (2.0 * (1.0 - kr));
}

/* Rounding exactly as color.cl does: no fused multiply-adds (the build
 * never enables FMA contraction for these files; -ffp-contract=off is the
 * default for ISO C and GCC's default x86-64 target has no FMA). */
static inline float
clampf (float v,
        float lo,
        float hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

static inline float
get_sample (const SvdImage *im,
            int             p,
            int             x,
            int             y)
{
  const guint8 *row = im->data[p] + (gsize) y * im->stride[p];
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (im->format);

  if (fi->bytes_per_sample == 2)
    return (float) ((const guint16 *) row)[x];
  return (float) row[x];
}

/**
 * svd_color_to_rgbf32_ref:
 * @input: any format
 * @error: return location for an error
 *
 * The C twin of yuv_to_rgbf32 and packed_to_rgbf32.
 *
 * Returns: (transfer full) (nullable): planar float RGB
 */
SvdImage *
svd_color_to_rgbf32_ref (const SvdImage  *in,
                         GError         **error)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (in->format);
  g_autoptr(SvdImage) out = NULL;
  SvdColorCoeffs k;

  if (in->format == SVD_PIXEL_FORMAT_RGB_F32)
    return svd_image_copy (in, error);
  out = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, in->width, in->height, error);
  if (out == NULL)
    return NULL;
  out->color = in->color;
  out->pts = in->pts;
  out->frame_index = in->frame_index;

  if (!fi->is_yuv)
    {
      int ch = fi->samples_per_pixel;

      for (int y = 0; y < in->height; y++)
        {
          const guint8 *p = in->data[0] + (gsize) y * in->stride[0];

          for (int x = 0; x < in->width; x++)
            for (int c = 0; c < 3; c++)
              ((float *) (out->data[c] + (gsize) y * out->stride[c]))[x] = p[x * ch + c] / 255.0f;
        }
      return g_steal_pointer (&out);
    }

  svd_color_coeffs_init (&k, in->color.matrix, in->color.range, fi->bit_depth);
  for (int y = 0; y < in->height; y++)
    for (int x = 0; x < in->width; x++)
      {
        float Y = get_sample (in, 0, x, y);
        float U = get_sample (in, 1, x >> fi->chroma_shift_x, y >> fi->chroma_shift_y);
        float V = get_sample (in, 2, x >> fi->chroma_shift_x, y >> fi->chroma_shift_y);
        float yf = (Y - k.y_off) * k.y_scale;
        float cb = (U - k.c_off) * k.c_scale;
        float cr = (V - k.c_off) * k.c_scale;
        float t1, t2;
        float r, g, b;

        t1 = k.cr_r * cr;
        r = yf + t1;
        t1 = k.cb_g * cb;
        t2 = k.cr_g * cr;
        g = yf + t1;
        g = g + t2;
        t1 = k.cb_b * cb;
        b = yf + t1;
        ((float *) (out->data[0] + (gsize) y * out->stride[0]))[x] = clampf (r, 0.0f, 1.0f);
        ((float *) (out->data[1] + (gsize) y * out->stride[1]))[x] = clampf (g, 0.0f, 1.0f);
        ((float *) (out->data[2] + (gsize) y * out->stride[2]))[x] = clampf (b, 0.0f, 1.0f);
      }
  return g_steal_pointer (&out);
}

static inline guint8
unorm_to_u8 (float x)
{
  volatile float scaled = clampf (x, 0.0f, 1.0f) * 255.0f;

  return (guint8) (scaled + 0.5f);
}

static inline void
put_code (SvdImage *im,
          int       p,
          int       x,
          int       y,
          float     v,
          float     maxv)
{
  guint8 *row = im->data[p] + (gsize) y * im->stride[p];
  float c = clampf (v + 0.5f, 0.0f, maxv);

  if (svd_pixel_format_get_info (im->format)->bytes_per_sample == 2)
    ((guint16 *) row)[x] = (guint16) c;
  else
    row[x] = (guint8) c;
}

/**
 * svd_color_from_rgbf32_ref:
 * @rgb: planar float RGB
 * @format: any format
 * @color: (nullable): matrix and range for YUV output (default: @rgb's)
 * @error: return location for an error
 *
 * The C twin of rgbf32_to_packed and rgbf32_to_yuv.
 *
 * Returns: (transfer full) (nullable): the converted image
 */
SvdImage *
svd_color_from_rgbf32_ref (const SvdImage      *rgb,
                           SvdPixelFormat       format,
                           const SvdColorInfo  *color,
                           GError             **error)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (format);
  g_autoptr(SvdImage) out = NULL;
  int w = rgb->width, h = rgb->height;
  SvdColorCoeffs k;

  if (format == SVD_PIXEL_FORMAT_RGB_F32)
    return svd_image_copy (rgb, error);
  out = svd_image_new (format, w, h, error);
  if (out == NULL)
    return NULL;
  out->color = color != NULL ? *color : rgb->color;
  out->pts = rgb->pts;
  out->frame_index = rgb->frame_index;

  if (!fi->is_yuv)
    {
      int ch = fi->samples_per_pixel;

      for (int y = 0; y < h; y++)
        {
          guint8 *p = out->data[0] + (gsize) y * out->stride[0];

          for (int x = 0; x < w; x++)
            {
              for (int c = 0; c < 3; c++)
                p[x * ch + c] = unorm_to_u8 (((const float *) (rgb->data[c] + (gsize) y * rgb->stride[c]))[x]);
              if (ch == 4)
                p[x * ch + 3] = 255;
            }
        }
      return g_steal_pointer (&out);
    }

  svd_color_coeffs_init (&k, out->color.matrix, out->color.range, fi->bit_depth);
  {
    int sx = fi->chroma_shift_x, sy = fi->chroma_shift_y;
    int cw = (w + (1 << sx) - 1) >> sx, chh = (h + (1 << sy) - 1) >> sy;

    for (int cy = 0; cy < chh; cy++)
      for (int cx = 0; cx < cw; cx++)
        {
          float sum_cb = 0.0f, sum_cr = 0.0f;
          int n = 0;

          for (int dy = 0; dy < (1 << sy); dy++)
            for (int dx = 0; dx < (1 << sx); dx++)
              {
                int x = (cx << sx) + dx, y = (cy << sy) + dy;
                float r, g, b, yl, t;

                if (x >= w || y >= h)
                  continue;
                r = clampf (((const float *) (rgb->data[0] + (gsize) y * rgb->stride[0]))[x], 0.0f, 1.0f);
                g = clampf (((const float *) (rgb->data[1] + (gsize) y * rgb->stride[1]))[x], 0.0f, 1.0f);
                b = clampf (((const float *) (rgb->data[2] + (gsize) y * rgb->stride[2]))[x], 0.0f, 1.0f);
                yl = k.kr * r;
                t = k.kg * g;
                yl = yl + t;
                t = k.kb * b;
                yl = yl + t;
                t = k.enc_y_range * yl;
                put_code (out, 0, x, y, k.enc_y_off + t, k.max_code);
                t = (b - yl) * k.cb_div;
                sum_cb += t;
                t = (r - yl) * k.cr_div;
                sum_cr += t;
                n++;
              }
          {
            float t = k.enc_c_range * (sum_cb / n);

            put_code (out, 1, cx, cy, k.enc_c_off + t, k.max_code);
            t = k.enc_c_range * (sum_cr / n);
            put_code (out, 2, cx, cy, k.enc_c_off + t, k.max_code);
          }
        }
  }
  return g_steal_pointer (&out);
}

struct _SvdColorKernels {
  SvdClContext *ctx;
  cl_program    program;
  cl_kernel     yuv_to_rgb;
  cl_kernel     yuv8_to_rgb;
  cl_kernel     packed_to_rgb;
  cl_kernel     rgb_to_packed;
  cl_kernel     rgb_to_yuv;
};

void
svd_color_kernels_free (SvdColorKernels *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->yuv_to_rgb, clReleaseKernel);
  g_clear_pointer (&self->yuv8_to_rgb, clReleaseKernel);
  g_clear_pointer (&self->packed_to_rgb, clReleaseKernel);
  g_clear_pointer (&self->rgb_to_packed, clReleaseKernel);
  g_clear_pointer (&self->rgb_to_yuv, clReleaseKernel);
  g_clear_pointer (&self->program, clReleaseProgram);
  g_clear_pointer (&self->ctx, svd_cl_context_unref);
  g_free (self);
}

SvdColorKernels *
svd_color_kernels_new (SvdClContext  *context,
                       GError       **error)
{
  g_autoptr(SvdColorKernels) self = g_new0 (SvdColorKernels, 1);
  g_autofree char *source = svd_cl_context_load_source (context, "color.cl", error);
  const char *sources[] = { source, NULL };

  if (source == NULL)
    return NULL;
  self->ctx = svd_cl_context_ref (context);
  self->program = svd_cl_context_build_program (context, sources, "-cl-std=CL1.2", NULL, error);
  if (self->program == NULL ||
      (self->yuv_to_rgb = svd_cl_create_kernel (self->program, "yuv_to_rgbf32", error)) == NULL ||
      (self->yuv8_to_rgb = svd_cl_create_kernel (self->program, "yuv8_to_rgbf32", error)) == NULL ||
      (self->packed_to_rgb = svd_cl_create_kernel (self->program, "packed_to_rgbf32", error)) == NULL ||
      (self->rgb_to_packed = svd_cl_create_kernel (self->program, "rgbf32_to_packed", error)) == NULL ||
      (self->rgb_to_yuv = svd_cl_create_kernel (self->program, "rgbf32_to_yuv", error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
ensure_io (SvdColorKernels *self,
           gsize            need,
           cl_mem          *io_buf,
           gsize           *io_bytes,
           guint64         *counter,
           GError         **error)
{
  if (*io_buf != NULL && *io_bytes >= need)
    return TRUE;
  if (*io_buf != NULL)
    {
      clReleaseMemObject (*io_buf);
      *counter -= *io_bytes;
      *io_buf = NULL;
      *io_bytes = 0;
    }
  *io_buf = svd_cl_context_alloc (self->ctx, CL_MEM_READ_WRITE, need, error);
  if (*io_buf == NULL)
    return FALSE;
  *io_bytes = need;
  *counter += need;
  return TRUE;
}

/* Tight plane layout of a frame in the io buffer: offsets and pitches in
 * samples, each plane starting 64-byte aligned. */
static gsize
io_layout (SvdPixelFormat format,
           int            w,
           int            h,
           int            off[3],
           int            pitch[3])
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (format);
  gsize total = 0;

  for (int p = 0; p < 3; p++)
    {
      off[p] = 0;
      pitch[p] = 0;
    }
  for (int p = 0; p < fi->n_planes; p++)
    {
      int pw = p == 0 ? w : (w + (1 << fi->chroma_shift_x) - 1) >> fi->chroma_shift_x;
      int ph = p == 0 ? h : (h + (1 << fi->chroma_shift_y) - 1) >> fi->chroma_shift_y;

      pitch[p] = pw * (fi->is_yuv ? 1 : fi->samples_per_pixel);
      off[p] = (int) total;
      total += ((gsize) pitch[p] * ph * fi->bytes_per_sample + 63) & ~(gsize) 63;
    }
  return total;
}

static double
event_ms (cl_event a,
          cl_event b)
{
  cl_ulong t0 = 0, t1 = 0;

  if (a == NULL || b == NULL)
    return 0.0;
  clWaitForEvents (1, &b);
  clGetEventProfilingInfo (a, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
  clGetEventProfilingInfo (b, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
  return t1 > t0 ? (t1 - t0) / 1e6 : 0.0;
}

/**
 * svd_color_upload:
 *
 * Copies @input to the device and converts it into the padded planar float
 * image @dst. Planar float input is copied straight into place; every
 * other format goes through the io buffer and a kernel.
 */
gboolean
svd_color_upload (SvdColorKernels *self,
                  const SvdImage  *in,
                  cl_mem           dst,
                  int              dst_pitch,
                  int              dst_plane,
                  cl_mem          *io_buf,
                  gsize           *io_bytes,
                  guint64         *counter,
                  double          *device_ms,
                  GError         **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->ctx);
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (in->format);
  cl_event first = NULL, last = NULL;
  cl_int err = CL_SUCCESS;
  int w = in->width, h = in->height;
  size_t gws[2] = { (w + 15) / 16 * 16, (h + 3) / 4 * 4 };
  size_t lws[2] = { 16, 4 };
  int off[3], pitch[3];

  if (in->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
        {
          size_t bo[3] = { ((gsize) c * dst_plane + dst_pitch + 1) * sizeof (float), 0, 0 };
          size_t ho[3] = { 0, 0, 0 };
          size_t region[3] = { (gsize) w * sizeof (float), (gsize) h, 1 };

          err = clEnqueueWriteBufferRect (q, dst, CL_FALSE, bo, ho, region, (gsize) dst_pitch * sizeof (float), 0,
                                          in->stride[c], 0, in->data[c], 0, NULL, c == 0 ? &first : c == 2 ? &last : NULL);
        }
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBufferRect");
    }
  else
    {
      gsize need = io_layout (in->format, w, h, off, pitch);

      if (!ensure_io (self, need, io_buf, io_bytes, counter, error))
        return FALSE;
      for (int p = 0; p < fi->n_planes && err == CL_SUCCESS; p++)
        {
          int ph = p == 0 ? h : (h + (1 << fi->chroma_shift_y) - 1) >> fi->chroma_shift_y;
          size_t bo[3] = { (gsize) off[p], 0, 0 };
          size_t ho[3] = { 0, 0, 0 };
          size_t region[3] = { (gsize) pitch[p] * fi->bytes_per_sample, (gsize) ph, 1 };

          err = clEnqueueWriteBufferRect (q, *io_buf, CL_FALSE, bo, ho, region,
                                          (gsize) pitch[p] * fi->bytes_per_sample, 0,
                                          in->stride[p], 0, in->data[p], 0, NULL, p == 0 ? &first : NULL);
        }
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBufferRect");
      if (fi->is_yuv)
        {
          SvdColorCoeffs k;
          cl_int4 o4 = { { off[0], off[1], off[2], 0 } };
          cl_int4 p4 = { { pitch[0], pitch[1], pitch[2], 0 } };
          cl_float4 yo, mat;
          int bytes = fi->bytes_per_sample, a = 0;
          /* 8-bit samples: the same conversion without the sample-size
           * choice per pixel. */
          cl_kernel kr = bytes == 1 ? self->yuv8_to_rgb : self->yuv_to_rgb;

          svd_color_coeffs_init (&k, in->color.matrix, in->color.range, fi->bit_depth);
          yo = (cl_float4) { { k.y_off, k.y_scale, k.c_off, k.c_scale } };
          mat = (cl_float4) { { k.cr_r, k.cb_g, k.cr_g, k.cb_b } };
          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), io_buf);
          err |= clSetKernelArg (kr, a++, sizeof o4, &o4);
          err |= clSetKernelArg (kr, a++, sizeof p4, &p4);
          if (bytes != 1)
            err |= clSetKernelArg (kr, a++, sizeof (int), &bytes);
          err |= clSetKernelArg (kr, a++, sizeof (int), &w);
          err |= clSetKernelArg (kr, a++, sizeof (int), &h);
          err |= clSetKernelArg (kr, a++, sizeof (int), &fi->chroma_shift_x);
          err |= clSetKernelArg (kr, a++, sizeof (int), &fi->chroma_shift_y);
          err |= clSetKernelArg (kr, a++, sizeof yo, &yo);
          err |= clSetKernelArg (kr, a++, sizeof mat, &mat);
          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), &dst);
          err |= clSetKernelArg (kr, a++, sizeof (int), &dst_pitch);
          err |= clSetKernelArg (kr, a++, sizeof (int), &dst_plane);
          if (err == CL_SUCCESS && bytes == 1)
            {
              /* 16 pixels of a row per work-item. */
              size_t gws16[2] = { ((gsize) (w + 15) / 16 + 15) / 16 * 16, (h + 3) / 4 * 4 };

              err = clEnqueueNDRangeKernel (q, kr, 2, NULL, gws16, lws, 0, NULL, &last);
            }
          else if (err == CL_SUCCESS)
            err = clEnqueueNDRangeKernel (q, kr, 2, NULL, gws, lws, 0, NULL, &last);
        }
      else
        {
          cl_kernel kr = self->packed_to_rgb;
          int ch = fi->samples_per_pixel, a = 0;

          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), io_buf);
          err |= clSetKernelArg (kr, a++, sizeof (int), &pitch[0]);
          err |= clSetKernelArg (kr, a++, sizeof (int), &ch);
          err |= clSetKernelArg (kr, a++, sizeof (int), &w);
          err |= clSetKernelArg (kr, a++, sizeof (int), &h);
          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), &dst);
          err |= clSetKernelArg (kr, a++, sizeof (int), &dst_pitch);
          err |= clSetKernelArg (kr, a++, sizeof (int), &dst_plane);
          if (err == CL_SUCCESS)
            err = clEnqueueNDRangeKernel (q, kr, 2, NULL, gws, lws, 0, NULL, &last);
        }
      if (err != CL_SUCCESS)
        {
          if (first != NULL)
            clReleaseEvent (first);
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "input conversion kernel");
        }
    }
  if (device_ms != NULL)
    *device_ms = event_ms (first, last);
  if (first != NULL)
    clReleaseEvent (first);
  if (last != NULL)
    clReleaseEvent (last);
  return TRUE;
}

/**
 * svd_color_download:
 *
 * Converts the padded planar float image @src (width x height) on the
 * device into @output's format and reads it into @output at (0, 0).
 */
gboolean
svd_color_download (SvdColorKernels *self,
                    cl_mem           src,
                    int              src_pitch,
                    int              src_plane,
                    int              w,
                    int              h,
                    SvdImage        *out,
                    int              out_x,
                    int              out_y,
                    cl_mem          *io_buf,
                    gsize           *io_bytes,
                    guint64         *counter,
                    double          *device_ms,
                    GError         **error)
{
  cl_command_queue q = svd_cl_context_get_queue (self->ctx);
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (out->format);
  cl_event first = NULL, last = NULL;
  cl_int err = CL_SUCCESS;
  int off[3], pitch[3];

  g_return_val_if_fail (out_x == 0 && out_y == 0, FALSE);
  if (out->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
        {
          size_t bo[3] = { ((gsize) c * src_plane + src_pitch + 1) * sizeof (float), 0, 0 };
          size_t ho[3] = { 0, 0, 0 };
          size_t region[3] = { (gsize) w * sizeof (float), (gsize) h, 1 };

          err = clEnqueueReadBufferRect (q, src, c == 2, bo, ho, region, (gsize) src_pitch * sizeof (float), 0,
                                         out->stride[c], 0, out->data[c], 0, NULL,
                                         c == 0 ? &first : c == 2 ? &last : NULL);
        }
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBufferRect");
    }
  else
    {
      gsize need = io_layout (out->format, w, h, off, pitch);
      int a = 0;

      if (!ensure_io (self, need, io_buf, io_bytes, counter, error))
        return FALSE;
      if (fi->is_yuv)
        {
          SvdColorCoeffs k;
          cl_kernel kr = self->rgb_to_yuv;
          cl_int4 o4 = { { off[0], off[1], off[2], 0 } };
          cl_int4 p4 = { { pitch[0], pitch[1], pitch[2], 0 } };
          cl_float4 kyuv, enc;
          cl_float2 cdiv;
          int bytes = fi->bytes_per_sample;
          size_t cw = (w + (1 << fi->chroma_shift_x) - 1) >> fi->chroma_shift_x;
          size_t chh = (h + (1 << fi->chroma_shift_y) - 1) >> fi->chroma_shift_y;
          size_t gws[2] = { (cw + 15) / 16 * 16, (chh + 3) / 4 * 4 };
          size_t lws[2] = { 16, 4 };

          svd_color_coeffs_init (&k, out->color.matrix, out->color.range, fi->bit_depth);
          kyuv = (cl_float4) { { k.kr, k.kg, k.kb, k.max_code } };
          enc = (cl_float4) { { k.enc_y_off, k.enc_y_range, k.enc_c_off, k.enc_c_range } };
          cdiv = (cl_float2) { { k.cb_div, k.cr_div } };
          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), &src);
          err |= clSetKernelArg (kr, a++, sizeof (int), &src_pitch);
          err |= clSetKernelArg (kr, a++, sizeof (int), &src_plane);
          err |= clSetKernelArg (kr, a++, sizeof (int), &w);
          err |= clSetKernelArg (kr, a++, sizeof (int), &h);
          err |= clSetKernelArg (kr, a++, sizeof (int), &fi->chroma_shift_x);
          err |= clSetKernelArg (kr, a++, sizeof (int), &fi->chroma_shift_y);
          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), io_buf);
          err |= clSetKernelArg (kr, a++, sizeof o4, &o4);
          err |= clSetKernelArg (kr, a++, sizeof p4, &p4);
          err |= clSetKernelArg (kr, a++, sizeof (int), &bytes);
          err |= clSetKernelArg (kr, a++, sizeof kyuv, &kyuv);
          err |= clSetKernelArg (kr, a++, sizeof enc, &enc);
          err |= clSetKernelArg (kr, a++, sizeof cdiv, &cdiv);
          if (err == CL_SUCCESS)
            err = clEnqueueNDRangeKernel (q, kr, 2, NULL, gws, lws, 0, NULL, &first);
        }
      else
        {
          cl_kernel kr = self->rgb_to_packed;
          int ch = fi->samples_per_pixel;
          size_t gws[2] = { (w + 15) / 16 * 16, (h + 3) / 4 * 4 };
          size_t lws[2] = { 16, 4 };

          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), &src);
          err |= clSetKernelArg (kr, a++, sizeof (int), &src_pitch);
          err |= clSetKernelArg (kr, a++, sizeof (int), &src_plane);
          err |= clSetKernelArg (kr, a++, sizeof (int), &w);
          err |= clSetKernelArg (kr, a++, sizeof (int), &h);
          err |= clSetKernelArg (kr, a++, sizeof (cl_mem), io_buf);
          err |= clSetKernelArg (kr, a++, sizeof (int), &pitch[0]);
          err |= clSetKernelArg (kr, a++, sizeof (int), &ch);
          if (err == CL_SUCCESS)
            err = clEnqueueNDRangeKernel (q, kr, 2, NULL, gws, lws, 0, NULL, &first);
        }
      if (err != CL_SUCCESS)
        return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "output conversion kernel");
      for (int p = 0; p < fi->n_planes && err == CL_SUCCESS; p++)
        {
          int ph = p == 0 ? h : (h + (1 << fi->chroma_shift_y) - 1) >> fi->chroma_shift_y;
          size_t bo[3] = { (gsize) off[p], 0, 0 };
          size_t ho[3] = { 0, 0, 0 };
          size_t region[3] = { (gsize) pitch[p] * fi->bytes_per_sample, (gsize) ph, 1 };

          err = clEnqueueReadBufferRect (q, *io_buf, p == fi->n_planes - 1, bo, ho, region,
                                         (gsize) pitch[p] * fi->bytes_per_sample, 0,
                                         out->stride[p], 0, out->data[p], 0, NULL,
                                         p == fi->n_planes - 1 ? &last : NULL);
        }
      if (err != CL_SUCCESS)
        {
          clReleaseEvent (first);
          return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBufferRect");
        }
    }
  if (device_ms != NULL)
    *device_ms = event_ms (first, last);
  if (first != NULL)
    clReleaseEvent (first);
  if (last != NULL)
    clReleaseEvent (last);
  return TRUE;
}

/**
 * svd_color_convert_cl:
 * @self: kernels
 * @input: any format
 * @output: any format, same size; YUV output uses @output's colour info
 * @error: return location for an error
 *
 * Converts through the device's planar float image, as the engine does
 * around a chain. Tests compare it with the C twins.
 */
gboolean
svd_color_convert_cl (SvdColorKernels *self,
                      const SvdImage  *input,
                      SvdImage        *output,
                      GError         **error)
{
  int pitch = (input->width + 2 + 15) / 16 * 16, plane = pitch * (input->height + 2);
  cl_mem rgb = NULL, io = NULL;
  gsize io_bytes = 0;
  guint64 counter = 0;
  gboolean ok;

  rgb = svd_cl_context_alloc (self->ctx, CL_MEM_READ_WRITE, (gsize) plane * 3 * sizeof (float), error);
  if (rgb == NULL)
    return FALSE;
  ok = svd_color_upload (self, input, rgb, pitch, plane, &io, &io_bytes, &counter, NULL, error) &&
       svd_color_download (self, rgb, pitch, plane, input->width, input->height, output, 0, 0,
                           &io, &io_bytes, &counter, NULL, error);
  clReleaseMemObject (rgb);
  if (io != NULL)
    clReleaseMemObject (io);
  return ok;
}

/* ---- Frames for the session, the metrics and the viewer ----------------- */

struct _SvdFrameConverter {
  SvdColorKernels *kernels;  /* NULL: the C twins */
  cl_mem           rgb;      /* the device's padded planar float frame */
  gsize            rgb_bytes;
  cl_mem           io;
  gsize            io_bytes;
  guint64          counter;
  gboolean         warned;
};

/**
 * svd_frame_converter_new:
 * @context: (nullable): the device to convert on; %NULL for the C twins
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a converter, or %NULL when the
 *   kernels fail to build
 */
SvdFrameConverter *
svd_frame_converter_new (SvdClContext  *context,
                         GError       **error)
{
  g_autoptr(SvdFrameConverter) self = g_new0 (SvdFrameConverter, 1);

  if (context != NULL && (self->kernels = svd_color_kernels_new (context, error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * svd_frame_converter_new_or_cpu:
 * @context: (nullable): the device to convert on
 *
 * Like svd_frame_converter_new(), but when the kernels fail to build it
 * says so and converts with the C twins, which give the same numbers.
 *
 * Returns: (transfer full): a converter
 */
SvdFrameConverter *
svd_frame_converter_new_or_cpu (SvdClContext *context)
{
  g_autoptr(GError) error = NULL;
  SvdFrameConverter *self = svd_frame_converter_new (context, &error);

  if (self != NULL)
    return self;
  g_warning ("Frame conversion kernels failed, converting on the CPU: %s", error->message);
  return svd_frame_converter_new (NULL, NULL);
}

void
svd_frame_converter_free (SvdFrameConverter *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->rgb, clReleaseMemObject);
  g_clear_pointer (&self->io, clReleaseMemObject);
  g_clear_pointer (&self->kernels, svd_color_kernels_free);
  g_free (self);
}

/**
 * svd_frame_converter_uses_device:
 * @self: a converter
 *
 * Returns: %TRUE when it converts with the kernels
 */
gboolean
svd_frame_converter_uses_device (SvdFrameConverter *self)
{
  return self->kernels != NULL;
}

static SvdImage *
new_like (SvdPixelFormat   format,
          const SvdImage  *frame,
          GError         **error)
{
  SvdImage *image = svd_image_new (format, frame->width, frame->height, error);

  if (image != NULL)
    {
      image->color = frame->color;
      image->pts = frame->pts;
      image->frame_index = frame->frame_index;
    }
  return image;
}

/**
 * svd_frame_converter_convert:
 * @self: a converter
 * @frame: a decoded frame (YUV or packed RGB) or planar float RGB
 * @rgb: (out) (optional): planar float RGB (@frame itself, with a new
 *   reference, when it already is)
 * @display: (out) (optional): packed RGBA8 for the viewer
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
static gboolean
convert_cpu (SvdImage   *frame,
             SvdImage  **rgb,
             SvdImage  **display,
             GError    **error)
{
  g_autoptr(SvdImage) out_rgb = NULL;
  g_autoptr(SvdImage) out_display = NULL;

  out_rgb = frame->format == SVD_PIXEL_FORMAT_RGB_F32 ? svd_image_ref (frame) : svd_color_to_rgbf32_ref (frame, error);
  if (out_rgb == NULL)
    return FALSE;
  if (display != NULL)
    {
      out_display = new_like (SVD_PIXEL_FORMAT_RGBA8, frame, error);
      if (out_display == NULL || !svd_convert_rgbf32_to_rgba8_ref (out_rgb, out_display, error))
        return FALSE;
    }
  if (rgb != NULL)
    *rgb = g_steal_pointer (&out_rgb);
  if (display != NULL)
    *display = g_steal_pointer (&out_display);
  return TRUE;
}

static gboolean
convert_device (SvdFrameConverter  *self,
                SvdImage           *frame,
                SvdImage          **rgb,
                SvdImage          **display,
                GError            **error)
{
  g_autoptr(SvdImage) out_rgb = NULL;
  g_autoptr(SvdImage) out_display = NULL;
  gboolean is_rgbf32 = frame->format == SVD_PIXEL_FORMAT_RGB_F32;
  int pitch = (frame->width + 2 + 15) / 16 * 16, plane = pitch * (frame->height + 2);
  gsize need = (gsize) plane * 3 * sizeof (float);

  if (self->rgb == NULL || self->rgb_bytes < need)
    {
      g_clear_pointer (&self->rgb, clReleaseMemObject);
      self->rgb_bytes = 0;
      self->rgb = svd_cl_context_alloc (self->kernels->ctx, CL_MEM_READ_WRITE, need, error);
      if (self->rgb == NULL)
        return FALSE;
      self->rgb_bytes = need;
    }
  if (!svd_color_upload (self->kernels, frame, self->rgb, pitch, plane, &self->io, &self->io_bytes,
                         &self->counter, NULL, error))
    return FALSE;
  if (rgb != NULL)
    {
      out_rgb = is_rgbf32 ? svd_image_ref (frame) : new_like (SVD_PIXEL_FORMAT_RGB_F32, frame, error);
      if (out_rgb == NULL)
        return FALSE;
      if (!is_rgbf32 &&
          !svd_color_download (self->kernels, self->rgb, pitch, plane, frame->width, frame->height, out_rgb,
                               0, 0, &self->io, &self->io_bytes, &self->counter, NULL, error))
        return FALSE;
    }
  if (display != NULL)
    {
      out_display = new_like (SVD_PIXEL_FORMAT_RGBA8, frame, error);
      if (out_display == NULL ||
          !svd_color_download (self->kernels, self->rgb, pitch, plane, frame->width, frame->height,
                               out_display, 0, 0, &self->io, &self->io_bytes, &self->counter, NULL, error))
        return FALSE;
    }
  if (rgb != NULL)
    *rgb = g_steal_pointer (&out_rgb);
  if (display != NULL)
    *display = g_steal_pointer (&out_display);
  return TRUE;
}

/**
 * svd_frame_converter_convert:
 * @self: a converter
 * @frame: a decoded frame (YUV or packed RGB) or planar float RGB
 * @rgb: (out) (optional): planar float RGB (@frame itself, with a new
 *   reference, when it already is)
 * @display: (out) (optional): packed RGBA8 for the viewer
 * @error: return location for an error
 *
 * A frame the device cannot convert (out of memory, a lost device) is
 * converted by the C twins instead, with a warning the first time.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_frame_converter_convert (SvdFrameConverter  *self,
                             SvdImage           *frame,
                             SvdImage          **rgb,
                             SvdImage          **display,
                             GError            **error)
{
  g_autoptr(GError) device_error = NULL;

  if (self->kernels != NULL)
    {
      if (convert_device (self, frame, rgb, display, &device_error))
        return TRUE;
      if (!self->warned)
        g_warning ("Converting a frame on the device failed, converting on the CPU: %s", device_error->message);
      self->warned = TRUE;
    }
  return convert_cpu (frame, rgb, display, error);
}

/**
 * svd_frame_converter_upload:
 * @self: a converter
 * @frame: a decoded frame (YUV or packed RGB) or planar float RGB
 * @display: (out) (optional): packed RGBA8 for the viewer, the only image
 *   read back
 * @planes: (out caller-allocates): where the frame now lies on the device
 *   as float RGB (valid until the next upload through @self); its @mem is
 *   %NULL when the converter has no device (or the device failed), and
 *   the frame then stays on the host: use @frame
 * @error: return location for an error
 *
 * The device-resident path: the decoded planes go up once, are converted
 * there into the networks' planar float layout (the engines and the
 * metrics read them from the device), and only the display comes back.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_frame_converter_upload (SvdFrameConverter  *self,
                            SvdImage           *frame,
                            SvdImage          **display,
                            SvdClPlanes        *planes,
                            GError            **error)
{
  g_autoptr(GError) device_error = NULL;

  memset (planes, 0, sizeof *planes);
  if (self->kernels != NULL)
    {
      if (convert_device (self, frame, NULL, display, &device_error))
        {
          int pitch = (frame->width + 2 + 15) / 16 * 16, plane = pitch * (frame->height + 2);

          /* The padded layout svd_color_upload() writes: one zero sample
           * of border around each plane. */
          planes->mem = self->rgb;
          planes->offset = ((gsize) pitch + 1) * sizeof (float);
          planes->pitch = (gsize) pitch * sizeof (float);
          planes->plane = (gsize) plane * sizeof (float);
          planes->width = frame->width;
          planes->height = frame->height;
          return TRUE;
        }
      if (!self->warned)
        g_warning ("Converting a frame on the device failed, converting on the CPU: %s", device_error->message);
      self->warned = TRUE;
    }
  return convert_cpu (frame, NULL, display, error);
}
