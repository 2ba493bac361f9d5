/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-peak"

#include "svd-peak.h"
#include "core/svd-error.h"

#include <errno.h>
#include <math.h>
#include <sys/resource.h>

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

/* User + system time of the whole process (PoCL's worker threads
 * included), in seconds. */
static double
process_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/**
 * svd_cl_measure_fma_peak:
 * @context: a context
 * @check_error: (out) (optional): largest relative difference between the
 *   kernel's results and the C twin (proof that the work was done)
 * @error: return location for an error
 *
 * Runs peak.cl on every compute unit and times it with profiling events;
 * the best of five runs counts. On a CPU device (the kernels run in this
 * process's threads) the rate per CPU-second of the process times the
 * compute units counts too: on a machine shared with other work the
 * wall-clock rate measures the neighbours, the CPU-time rate the cores.
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
  for (int rep = 0; rep < 5 && err == CL_SUCCESS; rep++)
    {
      cl_event ev = NULL;
      cl_ulong t0 = 0, t1 = 0;
      double flop = 2.0 * 16 * NCHAIN * (double) iters * gws, cpu0 = process_cpu_s (), cpu;

      err = clEnqueueNDRangeKernel (q, k, 1, NULL, &gws, &lws, 0, NULL, &ev);
      if (err != CL_SUCCESS)
        break;
      clWaitForEvents (1, &ev);
      cpu = process_cpu_s () - cpu0;
      if ((info->type & CL_DEVICE_TYPE_CPU) != 0 && cpu > 1e-3)
        best = MAX (best, flop / cpu / 1e9 * MAX (1u, info->compute_units));
      clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
      clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
      clReleaseEvent (ev);
      if (t1 > t0)
        best = MAX (best, flop / ((t1 - t0) * 1e-9) / 1e9);
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

static char *
peak_group (SvdClContext *context)
{
  const SvdClDeviceInfo *info = svd_cl_context_get_info (context);

  return g_strdup_printf ("%s | %s | %s", info->platform_name, info->name, info->driver_version);
}

/**
 * svd_cl_fma_peak_best:
 * @context: a context
 * @cache_dir: (nullable): the kernel cache dir holding fma-peak.ini, or
 *   %NULL to keep nothing
 * @measure: measure now (svd_cl_measure_fma_peak()) and fold the result in
 * @peak: (out caller-allocates): the best known peak and this run's figures
 * @error: return location for an error
 *
 * The peak "% of peak" figures divide by: the highest of every
 * measurement on this device and driver (platform, device name and driver
 * version), so a run on a busy machine does not lower it. Storing is best
 * effort.
 *
 * Returns: %FALSE with @error set when a measurement failed
 */
gboolean
svd_cl_fma_peak_best (SvdClContext  *context,
                      const char    *cache_dir,
                      gboolean       measure,
                      SvdFmaPeak    *peak,
                      GError       **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = cache_dir != NULL ? g_build_filename (cache_dir, "fma-peak.ini", NULL) : NULL;
  g_autofree char *group = peak_group (context);
  double stored = -1.0;
  int n = 0;

  peak->gflops = peak->measured = -1.0;
  peak->check_error = 0.0;
  peak->n_measured = 0;
  if (path != NULL && g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL))
    {
      g_autoptr(GError) local = NULL;
      double v = g_key_file_get_double (kf, group, "best_gflops", &local);

      /* A hand-edited or corrupt value is ignored, not trusted. */
      if (local == NULL && isfinite (v) && v > 0 && v < 1e9)
        {
          stored = v;
          n = MAX (1, g_key_file_get_integer (kf, group, "measurements", NULL));
        }
    }
  peak->gflops = stored;
  peak->n_measured = stored > 0 ? n : 0;
  if (!measure)
    return TRUE;

  peak->measured = svd_cl_measure_fma_peak (context, &peak->check_error, error);
  if (peak->measured < 0)
    return FALSE;
  peak->gflops = MAX (stored, peak->measured);
  peak->n_measured = n + 1;
  if (path != NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autofree char *last = g_strdup_printf ("%.1f", peak->measured);

      g_key_file_set_double (kf, group, "best_gflops", peak->gflops);
      g_key_file_set_integer (kf, group, "measurements", peak->n_measured);
      g_key_file_set_string (kf, group, "last_gflops", last);
      if (g_mkdir_with_parents (cache_dir, 0700) != 0 || !g_key_file_save_to_file (kf, path, &local))
        g_debug ("Cannot store the FMA peak in %s: %s", path, local ? local->message : g_strerror (errno));
    }
  return TRUE;
}
