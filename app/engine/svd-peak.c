/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-peak"

#include "svd-peak.h"
#include "core/svd-error.h"

#include <math.h>

#define NCHAIN 12

/**
 * svd_fma_peak_ref:
 *
 * The C twin of opencl/peak.cl for one work-item: what it must write.
 */
float
svd_fma_peak_ref (int   gid,
                  int   iters,
                  float a,
                  float b)
{
  float acc[NCHAIN];
  float sum;

  for (int i = 0; i < NCHAIN; i++)
    acc[i] = (float) (gid + i);
  for (int it = 0; it < iters; it++)
    for (int i = 0; i < NCHAIN; i++)
      acc[i] = fmaf (acc[i], a, b);
  sum = acc[0];
  for (int i = 1; i < NCHAIN; i++)
    sum += acc[i];
  /* All 16 lanes hold the same value; the kernel adds four of them. */
  return sum + sum + sum + sum;
}

/**
 * svd_cl_measure_fma_peak:
 * @context: a context
 * @check_error: (out) (optional): largest relative difference between the
 *   kernel's results and the C twin (proof that the work was done)
 * @error: return location for an error
 *
 * Runs peak.cl on every compute unit and times it with profiling events;
 * the best of three runs counts.
 *
 * Returns: GFLOP/s (an FMA is 2 FLOP), or a negative value with @error set
 */
double
svd_cl_measure_fma_peak (SvdClContext  *context,
                         double        *check_error,
                         GError       **error)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (context);
  cl_command_queue q = svd_cl_context_get_queue (context);
  g_autofree char *source = svd_cl_context_load_source (context, "peak.cl", error);
  const char *sources[] = { source, NULL };
  g_autofree char *opts = g_strdup_printf ("-cl-std=CL1.2 -DNCHAIN=%d", NCHAIN);
  gboolean gpu = (info->type & CL_DEVICE_TYPE_GPU) != 0;
  size_t gws = gpu ? (size_t) info->compute_units * 4096 : (size_t) info->compute_units * 8;
  size_t lws = gpu ? 64 : 1;
  int iters = gpu ? 4096 : 2000000;
  float a = 0.999999f, b = 1e-7f;
  cl_program program = NULL;
  cl_kernel k = NULL;
  cl_mem out = NULL;
  cl_int err = CL_SUCCESS;
  double best = -1.0;

  if (source == NULL)
    return -1.0;
  program = svd_cl_context_build_program (context, sources, opts, NULL, error);
  if (program == NULL)
    return -1.0;
  k = svd_cl_create_kernel (program, "fma_peak", error);
  if (k == NULL)
    goto out;
  out = svd_cl_context_alloc (context, CL_MEM_READ_WRITE, gws * sizeof (float), error);
  if (out == NULL)
    goto out;
  err |= clSetKernelArg (k, 0, sizeof (cl_mem), &out);
  err |= clSetKernelArg (k, 1, sizeof (int), &iters);
  err |= clSetKernelArg (k, 2, sizeof (float), &a);
  err |= clSetKernelArg (k, 3, sizeof (float), &b);
  for (int rep = 0; rep < 3 && err == CL_SUCCESS; rep++)
    {
      cl_event ev = NULL;
      cl_ulong t0 = 0, t1 = 0;

      err = clEnqueueNDRangeKernel (q, k, 1, NULL, &gws, &lws, 0, NULL, &ev);
      if (err != CL_SUCCESS)
        break;
      clWaitForEvents (1, &ev);
      clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
      clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
      clReleaseEvent (ev);
      if (t1 > t0)
        best = MAX (best, 2.0 * 16 * NCHAIN * (double) iters * gws / ((t1 - t0) * 1e-9) / 1e9);
    }
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "fma_peak");
      best = -1.0;
      goto out;
    }
  if (check_error != NULL)
    {
      g_autofree float *res = g_new (float, gws);
      double worst = 0.0;

      err = clEnqueueReadBuffer (q, out, CL_TRUE, 0, gws * sizeof (float), res, 0, NULL, NULL);
      for (size_t i = 0; i < gws && err == CL_SUCCESS; i += MAX (1, gws / 4))
        {
          float want = svd_fma_peak_ref ((int) i, iters, a, b);

          worst = MAX (worst, fabs (res[i] - want) / MAX (1e-30, fabs (want)));
        }
      *check_error = worst;
    }

out:
  if (out != NULL)
    clReleaseMemObject (out);
  if (k != NULL)
    clReleaseKernel (k);
  if (program != NULL)
    clReleaseProgram (program);
  return best;
}
