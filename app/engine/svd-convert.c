/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-convert"

#include "svd-convert.h"
#include "core/svd-error.h"

/* Must match unorm_to_u8 in opencl/convert.cl bit for bit: clamp, scale,
 * add a half and truncate, with no fused multiply-add. */
static inline guint8
unorm_to_u8 (float x)
{
  volatile float scaled = CLAMP (x, 0.0f, 1.0f) * 255.0f;

  return (guint8) (scaled + 0.5f);
}

static gboolean
check_pair (const SvdImage  *src,
            SvdPixelFormat   src_format,
            const SvdImage  *dst,
            SvdPixelFormat   dst_format,
            GError         **error)
{
  if (src->format != src_format || dst->format != dst_format ||
      src->width != dst->width || src->height != dst->height)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Conversion needs %s → %s images of one size",
                   svd_pixel_format_get_info (src_format)->name,
                   svd_pixel_format_get_info (dst_format)->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
svd_convert_rgbf32_to_rgba8_ref (const SvdImage  *src,
                                 SvdImage        *dst,
                                 GError         **error)
{
  if (!check_pair (src, SVD_PIXEL_FORMAT_RGB_F32, dst, SVD_PIXEL_FORMAT_RGBA8, error))
    return FALSE;

  for (int y = 0; y < src->height; y++)
    {
      const float *r = (const float *) (src->data[0] + y * src->stride[0]);
      const float *g = (const float *) (src->data[1] + y * src->stride[1]);
      const float *b = (const float *) (src->data[2] + y * src->stride[2]);
      guint8 *out = dst->data[0] + y * dst->stride[0];

      for (int x = 0; x < src->width; x++)
        {
          out[4 * x + 0] = unorm_to_u8 (r[x]);
          out[4 * x + 1] = unorm_to_u8 (g[x]);
          out[4 * x + 2] = unorm_to_u8 (b[x]);
          out[4 * x + 3] = 255;
        }
    }
  dst->color = src->color;
  return TRUE;
}

gboolean
svd_convert_rgba8_to_rgbf32_ref (const SvdImage  *src,
                                 SvdImage        *dst,
                                 GError         **error)
{
  if (!check_pair (src, SVD_PIXEL_FORMAT_RGBA8, dst, SVD_PIXEL_FORMAT_RGB_F32, error))
    return FALSE;

  for (int y = 0; y < src->height; y++)
    {
      const guint8 *in = src->data[0] + y * src->stride[0];
      float *r = (float *) (dst->data[0] + y * dst->stride[0]);
      float *g = (float *) (dst->data[1] + y * dst->stride[1]);
      float *b = (float *) (dst->data[2] + y * dst->stride[2]);

      for (int x = 0; x < src->width; x++)
        {
          r[x] = in[4 * x + 0] / 255.0f;
          g[x] = in[4 * x + 1] / 255.0f;
          b[x] = in[4 * x + 2] / 255.0f;
        }
    }
  dst->color = src->color;
  return TRUE;
}

struct _SvdClConverter {
  SvdClContext *context;
  cl_program    program;
  cl_kernel     to_rgba8;
  cl_kernel     to_rgbf32;
};

void
svd_cl_converter_free (SvdClConverter *self)
{
  if (self == NULL)
    return;
  if (self->to_rgba8 != NULL)
    clReleaseKernel (self->to_rgba8);
  if (self->to_rgbf32 != NULL)
    clReleaseKernel (self->to_rgbf32);
  if (self->program != NULL)
    clReleaseProgram (self->program);
  g_clear_pointer (&self->context, svd_cl_context_unref);
  g_free (self);
}

/**
 * svd_cl_converter_new:
 * @context: an OpenCL context
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a converter, or %NULL when the
 *   program fails to build
 */
SvdClConverter *
svd_cl_converter_new (SvdClContext  *context,
                      GError       **error)
{
  g_autoptr(SvdClConverter) self = g_new0 (SvdClConverter, 1);
  g_autofree char *source = svd_cl_context_load_source (context, "convert.cl", error);
  const char *sources[] = { source, NULL };

  if (source == NULL)
    return NULL;
  self->context = svd_cl_context_ref (context);
  self->program = svd_cl_context_build_program (context, sources, "-cl-std=CL1.2", NULL, error);
  if (self->program == NULL)
    return NULL;
  self->to_rgba8 = svd_cl_create_kernel (self->program, "rgbf32_to_rgba8", error);
  if (self->to_rgba8 == NULL)
    return NULL;
  self->to_rgbf32 = svd_cl_create_kernel (self->program, "rgba8_to_rgbf32", error);
  if (self->to_rgbf32 == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static size_t
round_up (size_t v,
          size_t m)
{
  return (v + m - 1) / m * m;
}

/**
 * svd_cl_converter_run:
 * @self: a converter
 * @src: an rgbf32 or rgba image
 * @dst: an image of the other format and the same size
 * @error: return location for an error
 *
 * Uploads @src, converts it on the device and reads the result into @dst.
 * The device layout of planar float RGB is tight: pitch = width, plane
 * stride = width * height.
 */
gboolean
svd_cl_converter_run (SvdClConverter  *self,
                      const SvdImage  *src,
                      SvdImage        *dst,
                      GError         **error)
{
  cl_context ctx = svd_cl_context_get_context (self->context);
  cl_command_queue q = svd_cl_context_get_queue (self->context);
  gboolean to_rgba = src->format == SVD_PIXEL_FORMAT_RGB_F32;
  int w = src->width, h = src->height;
  int plane = w * h;
  size_t origin[3] = { 0, 0, 0 };
  size_t gws[2] = { round_up (w, 8), round_up (h, 8) };
  size_t lws[2] = { 8, 8 };
  cl_mem fbuf = NULL, bbuf = NULL;
  cl_int err = CL_SUCCESS;
  gboolean ok = FALSE;

  if (to_rgba ? !check_pair (src, SVD_PIXEL_FORMAT_RGB_F32, dst, SVD_PIXEL_FORMAT_RGBA8, error)
              : !check_pair (src, SVD_PIXEL_FORMAT_RGBA8, dst, SVD_PIXEL_FORMAT_RGB_F32, error))
    return FALSE;

  fbuf = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, (gsize) plane * 3 * sizeof (float), error);
  if (fbuf == NULL)
    goto out;
  bbuf = svd_cl_context_alloc (self->context, CL_MEM_READ_WRITE, (gsize) plane * 4, error);
  if (bbuf == NULL)
    goto out;
  (void) ctx;

  if (to_rgba)
    {
      for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
        {
          size_t buf_origin[3] = { (size_t) c * plane * sizeof (float), 0, 0 };
          size_t region[3] = { (size_t) w * sizeof (float), (size_t) h, 1 };

          err = clEnqueueWriteBufferRect (q, fbuf, CL_FALSE, buf_origin, origin, region,
                                          (size_t) w * sizeof (float), 0, src->stride[c], 0,
                                          src->data[c], 0, NULL, NULL);
        }
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBufferRect");
          goto out;
        }
      err |= clSetKernelArg (self->to_rgba8, 0, sizeof (cl_mem), &fbuf);
      err |= clSetKernelArg (self->to_rgba8, 1, sizeof (int), &w);
      err |= clSetKernelArg (self->to_rgba8, 2, sizeof (int), &plane);
      err |= clSetKernelArg (self->to_rgba8, 3, sizeof (int), &w);
      err |= clSetKernelArg (self->to_rgba8, 4, sizeof (int), &h);
      err |= clSetKernelArg (self->to_rgba8, 5, sizeof (cl_mem), &bbuf);
      err |= clSetKernelArg (self->to_rgba8, 6, sizeof (int), &w);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(rgbf32_to_rgba8)");
          goto out;
        }
      err = clEnqueueNDRangeKernel (q, self->to_rgba8, 2, NULL, gws, lws, 0, NULL, NULL);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(rgbf32_to_rgba8)");
          goto out;
        }
      {
        size_t region[3] = { (size_t) w * 4, (size_t) h, 1 };

        err = clEnqueueReadBufferRect (q, bbuf, CL_TRUE, origin, origin, region,
                                       (size_t) w * 4, 0, dst->stride[0], 0, dst->data[0],
                                       0, NULL, NULL);
        if (err != CL_SUCCESS)
          {
            svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBufferRect");
            goto out;
          }
      }
    }
  else
    {
      size_t region[3] = { (size_t) w * 4, (size_t) h, 1 };

      err = clEnqueueWriteBufferRect (q, bbuf, CL_FALSE, origin, origin, region,
                                      (size_t) w * 4, 0, src->stride[0], 0, src->data[0],
                                      0, NULL, NULL);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueWriteBufferRect");
          goto out;
        }
      err |= clSetKernelArg (self->to_rgbf32, 0, sizeof (cl_mem), &bbuf);
      err |= clSetKernelArg (self->to_rgbf32, 1, sizeof (int), &w);
      err |= clSetKernelArg (self->to_rgbf32, 2, sizeof (int), &w);
      err |= clSetKernelArg (self->to_rgbf32, 3, sizeof (int), &h);
      err |= clSetKernelArg (self->to_rgbf32, 4, sizeof (cl_mem), &fbuf);
      err |= clSetKernelArg (self->to_rgbf32, 5, sizeof (int), &w);
      err |= clSetKernelArg (self->to_rgbf32, 6, sizeof (int), &plane);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clSetKernelArg(rgba8_to_rgbf32)");
          goto out;
        }
      err = clEnqueueNDRangeKernel (q, self->to_rgbf32, 2, NULL, gws, lws, 0, NULL, NULL);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueNDRangeKernel(rgba8_to_rgbf32)");
          goto out;
        }
      for (int c = 0; c < 3 && err == CL_SUCCESS; c++)
        {
          size_t buf_origin[3] = { (size_t) c * plane * sizeof (float), 0, 0 };
          size_t fregion[3] = { (size_t) w * sizeof (float), (size_t) h, 1 };

          err = clEnqueueReadBufferRect (q, fbuf, CL_TRUE, buf_origin, origin, fregion,
                                         (size_t) w * sizeof (float), 0, dst->stride[c], 0,
                                         dst->data[c], 0, NULL, NULL);
        }
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clEnqueueReadBufferRect");
          goto out;
        }
    }
  dst->color = src->color;
  ok = TRUE;

out:
  if (fbuf != NULL)
    clReleaseMemObject (fbuf);
  if (bbuf != NULL)
    clReleaseMemObject (bbuf);
  return ok;
}
