/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cl"

#include "svd-config.h"
#include "svd-cl.h"
#include "core/svd-error.h"
#include "core/svd-memory.h"
#include "core/svd-priority.h"
#include "svd-opencl-resources.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

struct _SvdClContext {
  gint              ref_count;
  SvdClDeviceInfo  *info;
  cl_context        context;
  cl_command_queue  queue;
  char             *cache_dir;
  gboolean          use_cache;
  char             *kernel_dir;  /* NULL: the embedded kernels */
  gboolean          sibling;   /* shares another's cl_context */
};

const char *
svd_cl_error_name (cl_int err)
{
  switch (err)
    {
#define E(x) case x: return #x
    E (CL_SUCCESS);
    E (CL_DEVICE_NOT_FOUND);
    E (CL_DEVICE_NOT_AVAILABLE);
    E (CL_COMPILER_NOT_AVAILABLE);
    E (CL_MEM_OBJECT_ALLOCATION_FAILURE);
    E (CL_OUT_OF_RESOURCES);
    E (CL_OUT_OF_HOST_MEMORY);
    E (CL_PROFILING_INFO_NOT_AVAILABLE);
    E (CL_MEM_COPY_OVERLAP);
    E (CL_IMAGE_FORMAT_MISMATCH);
    E (CL_IMAGE_FORMAT_NOT_SUPPORTED);
    E (CL_BUILD_PROGRAM_FAILURE);
    E (CL_MAP_FAILURE);
    E (CL_MISALIGNED_SUB_BUFFER_OFFSET);
    E (CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
    E (CL_COMPILE_PROGRAM_FAILURE);
    E (CL_LINKER_NOT_AVAILABLE);
    E (CL_LINK_PROGRAM_FAILURE);
    E (CL_DEVICE_PARTITION_FAILED);
    E (CL_KERNEL_ARG_INFO_NOT_AVAILABLE);
    E (CL_INVALID_VALUE);
    E (CL_INVALID_DEVICE_TYPE);
    E (CL_INVALID_PLATFORM);
    E (CL_INVALID_DEVICE);
    E (CL_INVALID_CONTEXT);
    E (CL_INVALID_QUEUE_PROPERTIES);
    E (CL_INVALID_COMMAND_QUEUE);
    E (CL_INVALID_HOST_PTR);
    E (CL_INVALID_MEM_OBJECT);
    E (CL_INVALID_IMAGE_FORMAT_DESCRIPTOR);
    E (CL_INVALID_IMAGE_SIZE);
    E (CL_INVALID_SAMPLER);
    E (CL_INVALID_BINARY);
    E (CL_INVALID_BUILD_OPTIONS);
    E (CL_INVALID_PROGRAM);
    E (CL_INVALID_PROGRAM_EXECUTABLE);
    E (CL_INVALID_KERNEL_NAME);
    E (CL_INVALID_KERNEL_DEFINITION);
    E (CL_INVALID_KERNEL);
    E (CL_INVALID_ARG_INDEX);
    E (CL_INVALID_ARG_VALUE);
    E (CL_INVALID_ARG_SIZE);
    E (CL_INVALID_KERNEL_ARGS);
    E (CL_INVALID_WORK_DIMENSION);
    E (CL_INVALID_WORK_GROUP_SIZE);
    E (CL_INVALID_WORK_ITEM_SIZE);
    E (CL_INVALID_GLOBAL_OFFSET);
    E (CL_INVALID_EVENT_WAIT_LIST);
    E (CL_INVALID_EVENT);
    E (CL_INVALID_OPERATION);
    E (CL_INVALID_GL_OBJECT);
    E (CL_INVALID_BUFFER_SIZE);
    E (CL_INVALID_MIP_LEVEL);
    E (CL_INVALID_GLOBAL_WORK_SIZE);
    E (CL_INVALID_PROPERTY);
    E (CL_INVALID_IMAGE_DESCRIPTOR);
    E (CL_INVALID_COMPILER_OPTIONS);
    E (CL_INVALID_LINKER_OPTIONS);
    E (CL_INVALID_DEVICE_PARTITION_COUNT);
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    default: return "CL_UNKNOWN_ERROR";
    }
}

gboolean
svd_cl_set_error (GError     **error,
                  int          code,
                  cl_int       err,
                  const char  *what)
{
  if (err == CL_OUT_OF_RESOURCES || err == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
      err == CL_OUT_OF_HOST_MEMORY)
    code = SVD_ERROR_OUT_OF_MEMORY;
  g_set_error (error, SVD_ERROR, code, "%s failed: %s (%d)", what, svd_cl_error_name (err), err);
  return FALSE;
}

const char *
svd_cl_device_type_name (cl_device_type type)
{
  if (type & CL_DEVICE_TYPE_GPU)
    return "GPU";
  if (type & CL_DEVICE_TYPE_ACCELERATOR)
    return "accelerator";
  if (type & CL_DEVICE_TYPE_CPU)
    return "CPU";
  return "other";
}

static char *
platform_string (cl_platform_id   platform,
                 cl_platform_info param)
{
  size_t size = 0;
  char *s;

  if (clGetPlatformInfo (platform, param, 0, NULL, &size) != CL_SUCCESS || size == 0)
    return g_strdup ("");
  s = g_malloc0 (size + 1);
  if (clGetPlatformInfo (platform, param, size, s, NULL) != CL_SUCCESS)
    s[0] = '\0';
  return g_strstrip (s);
}

static char *
device_string (cl_device_id   device,
               cl_device_info param)
{
  size_t size = 0;
  char *s;

  if (clGetDeviceInfo (device, param, 0, NULL, &size) != CL_SUCCESS || size == 0)
    return g_strdup ("");
  s = g_malloc0 (size + 1);
  if (clGetDeviceInfo (device, param, size, s, NULL) != CL_SUCCESS)
    s[0] = '\0';
  return g_strstrip (s);
}

void
svd_cl_device_info_free (SvdClDeviceInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->platform_name);
  g_free (info->platform_version);
  g_free (info->name);
  g_free (info->vendor);
  g_free (info->version);
  g_free (info->driver_version);
  g_free (info);
}

static SvdClDeviceInfo *
device_info_new (cl_platform_id platform,
                 cl_device_id   device)
{
  SvdClDeviceInfo *info = g_new0 (SvdClDeviceInfo, 1);
  cl_uint u = 0;
  cl_ulong ul = 0;
  size_t sz = 0;
  cl_bool b = CL_FALSE, cb = CL_FALSE;
  g_autofree char *ext = NULL;

  info->platform = platform;
  info->device = device;
  info->platform_name = platform_string (platform, CL_PLATFORM_NAME);
  info->platform_version = platform_string (platform, CL_PLATFORM_VERSION);
  info->name = device_string (device, CL_DEVICE_NAME);
  info->vendor = device_string (device, CL_DEVICE_VENDOR);
  info->version = device_string (device, CL_DEVICE_VERSION);
  info->driver_version = device_string (device, CL_DRIVER_VERSION);
  clGetDeviceInfo (device, CL_DEVICE_TYPE, sizeof info->type, &info->type, NULL);
  if (clGetDeviceInfo (device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof u, &u, NULL) == CL_SUCCESS)
    info->compute_units = u;
  if (clGetDeviceInfo (device, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof u, &u, NULL) == CL_SUCCESS)
    info->clock_mhz = u;
  if (clGetDeviceInfo (device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof ul, &ul, NULL) == CL_SUCCESS)
    info->global_mem = ul;
  if (clGetDeviceInfo (device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ul, &ul, NULL) == CL_SUCCESS)
    info->max_alloc = ul;
  if (clGetDeviceInfo (device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof ul, &ul, NULL) == CL_SUCCESS)
    info->local_mem = ul;
  if (clGetDeviceInfo (device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof sz, &sz, NULL) == CL_SUCCESS)
    info->max_work_group_size = sz;
  if (clGetDeviceInfo (device, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof u, &u, NULL) == CL_SUCCESS)
    info->preferred_vector_width_float = u;
  clGetDeviceInfo (device, CL_DEVICE_AVAILABLE, sizeof b, &b, NULL);
  clGetDeviceInfo (device, CL_DEVICE_COMPILER_AVAILABLE, sizeof cb, &cb, NULL);
  info->available = b && cb;
  ext = device_string (device, CL_DEVICE_EXTENSIONS);
  info->fp16 = strstr (ext, "cl_khr_fp16") != NULL;
  return info;
}

static gpointer
init_platforms_thread (gpointer data)
{
  cl_uint n_platforms = 0;
  cl_platform_id platforms[16];

  svd_priority_apply_to_thread ();
  if (clGetPlatformIDs (G_N_ELEMENTS (platforms), platforms, &n_platforms) == CL_SUCCESS)
    for (cl_uint p = 0; p < MIN (n_platforms, G_N_ELEMENTS (platforms)); p++)
      {
        cl_uint n = 0;

        clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &n);
      }
  return NULL;
}

static gpointer
init_platforms_once (gpointer data)
{
  /* The ICD loader and the runtimes initialise on the first OpenCL call,
   * and PoCL starts its thread pool then: make that call from a thread at
   * the background priority so the pool inherits it (svd-priority.c). */
  if (svd_priority_get_background_compute () > 0)
    g_thread_join (g_thread_new ("svd-cl-init", init_platforms_thread, NULL));
  return NULL;
}

/**
 * svd_cl_list_devices:
 * @error: return location for an error
 *
 * Lists every device of every OpenCL platform, in platform order. Having no
 * platform (no ICD installed) is not an error: the array is then empty.
 *
 * Returns: (transfer full) (element-type SvdClDeviceInfo): the devices
 */
GPtrArray *
svd_cl_list_devices (GError **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_cl_device_info_free);
  cl_uint n_platforms = 0;
  g_autofree cl_platform_id *platforms = NULL;
  cl_int err;
  static GOnce init_once = G_ONCE_INIT;

  g_once (&init_once, init_platforms_once, NULL);
  err = clGetPlatformIDs (0, NULL, &n_platforms);
  if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || n_platforms == 0)
    return g_steal_pointer (&devices);
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_NO_DEVICE, err, "clGetPlatformIDs");
      return NULL;
    }

  platforms = g_new0 (cl_platform_id, n_platforms);
  err = clGetPlatformIDs (n_platforms, platforms, NULL);
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_NO_DEVICE, err, "clGetPlatformIDs");
      return NULL;
    }

  for (cl_uint p = 0; p < n_platforms; p++)
    {
      cl_uint n_devices = 0;
      g_autofree cl_device_id *ids = NULL;

      if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &n_devices) != CL_SUCCESS ||
          n_devices == 0)
        continue;
      ids = g_new0 (cl_device_id, n_devices);
      if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, n_devices, ids, NULL) != CL_SUCCESS)
        continue;
      for (cl_uint d = 0; d < n_devices; d++)
        {
          SvdClDeviceInfo *info = device_info_new (platforms[p], ids[d]);

          info->index = devices->len;
          g_ptr_array_add (devices, info);
        }
    }

  return g_steal_pointer (&devices);
}

/**
 * svd_cl_choose_device:
 * @devices: (element-type SvdClDeviceInfo): from svd_cl_list_devices()
 * @spec: (nullable): %NULL or "auto" for the first available GPU, else the
 *   first available device; an index; or a case-insensitive substring of
 *   "PLATFORM DEVICE" or of the device type ("gpu", "cpu")
 * @error: return location for an error
 *
 * Returns: (transfer none) (nullable): the chosen device, owned by @devices
 */
SvdClDeviceInfo *
svd_cl_choose_device (GPtrArray   *devices,
                      const char  *spec,
                      GError     **error)
{
  if (devices->len == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE,
                   "No OpenCL device found. Install an OpenCL driver (for example "
                   "pocl-opencl-icd for the CPU, or your GPU vendor's ICD)");
      return NULL;
    }

  if (spec == NULL || *spec == '\0' || g_ascii_strcasecmp (spec, "auto") == 0)
    {
      for (guint i = 0; i < devices->len; i++)
        {
          SvdClDeviceInfo *info = g_ptr_array_index (devices, i);

          if (info->available && (info->type & CL_DEVICE_TYPE_GPU))
            return info;
        }
      for (guint i = 0; i < devices->len; i++)
        {
          SvdClDeviceInfo *info = g_ptr_array_index (devices, i);

          if (info->available)
            return info;
        }
      g_set_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE,
                   "OpenCL devices exist but none is available with a compiler");
      return NULL;
    }

  {
    char *end = NULL;
    guint64 idx = g_ascii_strtoull (spec, &end, 10);

    if (end != spec && *end == '\0')
      {
        if (idx >= devices->len)
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE,
                         "There is no OpenCL device %s; `svd devices` lists %u",
                         spec, devices->len);
            return NULL;
          }
        return g_ptr_array_index (devices, idx);
      }
  }

  {
    g_autofree char *needle = g_utf8_casefold (spec, -1);

    for (guint i = 0; i < devices->len; i++)
      {
        SvdClDeviceInfo *info = g_ptr_array_index (devices, i);
        g_autofree char *hay = g_strdup_printf ("%s %s %s", info->platform_name, info->name,
                                                svd_cl_device_type_name (info->type));
        g_autofree char *folded = g_utf8_casefold (hay, -1);

        if (strstr (folded, needle) != NULL)
          return info;
      }
  }

  g_set_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE,
               "No OpenCL device matches “%s”; `svd devices` lists them", spec);
  return NULL;
}

static void
context_notify_cb (const char *errinfo,
                   const void *private_info,
                   size_t      cb,
                   void       *user_data)
{
  g_debug ("OpenCL context: %s", errinfo);
}

/* How many OpenCL contexts exist, for tests that check a worker shares
 * one between its engines and its metrics. */
static gint n_live_contexts;

/**
 * svd_cl_context_get_n_live:
 *
 * Returns: the number of #SvdClContext with a live OpenCL context in this
 *   process
 */
guint
svd_cl_context_get_n_live (void)
{
  return (guint) g_atomic_int_get (&n_live_contexts);
}

static SvdClDeviceInfo *
device_info_copy (const SvdClDeviceInfo *info)
{
  SvdClDeviceInfo *copy = g_new0 (SvdClDeviceInfo, 1);

  *copy = *info;
  copy->platform_name = g_strdup (info->platform_name);
  copy->platform_version = g_strdup (info->platform_version);
  copy->name = g_strdup (info->name);
  copy->vendor = g_strdup (info->vendor);
  copy->version = g_strdup (info->version);
  copy->driver_version = g_strdup (info->driver_version);
  return copy;
}

/**
 * svd_cl_context_new_sibling:
 * @other: a context
 * @error: return location for an error
 *
 * A second command queue on @other's OpenCL context (which it shares, so
 * buffers of one are valid in the other), for work on another thread that
 * must not wait in @other's in-order queue (DISTS beside the frames).
 *
 * Returns: (transfer full) (nullable): the context
 */
SvdClContext *
svd_cl_context_new_sibling (SvdClContext  *other,
                            GError       **error)
{
  g_autoptr(SvdClContext) self = g_new0 (SvdClContext, 1);
  cl_int err = CL_SUCCESS;

  self->ref_count = 1;
  self->sibling = TRUE;
  self->info = device_info_copy (other->info);
  self->cache_dir = g_strdup (other->cache_dir);
  self->use_cache = other->use_cache;
  self->context = other->context;
  clRetainContext (self->context);
  self->queue = clCreateCommandQueue (self->context, self->info->device, CL_QUEUE_PROFILING_ENABLE, &err);
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_NO_DEVICE, err, "clCreateCommandQueue");
      return NULL;
    }
  return g_steal_pointer (&self);
}

SvdClContext *
svd_cl_context_new_for_device (const SvdClDeviceInfo  *info,
                               const SvdSettings      *settings,
                               GError                **error)
{
  g_autoptr(SvdClContext) self = g_new0 (SvdClContext, 1);
  cl_context_properties props[] = { CL_CONTEXT_PLATFORM, (cl_context_properties) info->platform, 0 };
  cl_int err = CL_SUCCESS;

  self->ref_count = 1;
  self->info = device_info_copy (info);
  self->cache_dir = svd_settings_get_kernel_cache_dir (settings);
  self->use_cache = settings->use_kernel_cache;
  self->kernel_dir = settings->kernel_dir != NULL && *settings->kernel_dir != '\0'
                       ? g_strdup (settings->kernel_dir) : NULL;

  self->context = clCreateContext (props, 1, &info->device, context_notify_cb, NULL, &err);
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_NO_DEVICE, err, "clCreateContext");
      return NULL;
    }
  g_atomic_int_inc (&n_live_contexts);
  self->queue = clCreateCommandQueue (self->context, info->device, CL_QUEUE_PROFILING_ENABLE, &err);
  if (err != CL_SUCCESS)
    {
      svd_cl_set_error (error, SVD_ERROR_NO_DEVICE, err, "clCreateCommandQueue");
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * svd_cl_context_new:
 * @settings: settings; `device` picks the device
 * @error: return location for an error
 *
 * Lists devices, picks one per @settings and creates a context and an
 * in-order command queue with profiling enabled on it.
 *
 * Returns: (transfer full) (nullable): the context, or %NULL with
 *   %SVD_ERROR_NO_DEVICE when no device exists or matches
 */
SvdClContext *
svd_cl_context_new (const SvdSettings  *settings,
                    GError            **error)
{
  g_autoptr(GPtrArray) devices = svd_cl_list_devices (error);
  SvdClDeviceInfo *info;

  if (devices == NULL)
    return NULL;
  info = svd_cl_choose_device (devices, settings->device, error);
  if (info == NULL)
    return NULL;
  return svd_cl_context_new_for_device (info, settings, error);
}

SvdClContext *
svd_cl_context_ref (SvdClContext *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
svd_cl_context_unref (SvdClContext *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  if (self->queue != NULL)
    {
      clFinish (self->queue);
      clReleaseCommandQueue (self->queue);
    }
  if (self->context != NULL)
    {
      clReleaseContext (self->context);
      if (!self->sibling)
        g_atomic_int_add (&n_live_contexts, -1);
    }
  svd_cl_device_info_free (self->info);
  g_free (self->cache_dir);
  g_free (self->kernel_dir);
  g_free (self);
}

const SvdClDeviceInfo *
svd_cl_context_get_info (SvdClContext *self)
{
  return self->info;
}

cl_context
svd_cl_context_get_context (SvdClContext *self)
{
  return self->context;
}

cl_command_queue
svd_cl_context_get_queue (SvdClContext *self)
{
  return self->queue;
}

/**
 * svd_cl_create_kernel:
 * @program: a built program
 * @name: the kernel's function name
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the kernel, or %NULL with
 *   %SVD_ERROR_KERNEL_BUILD naming the kernel and the OpenCL error
 */
cl_kernel
svd_cl_create_kernel (cl_program   program,
                      const char  *name,
                      GError     **error)
{
  cl_int err = CL_SUCCESS;
  cl_kernel k = clCreateKernel (program, name, &err);

  if (err != CL_SUCCESS)
    {
      g_autofree char *what = g_strdup_printf ("clCreateKernel(%s)", name);

      svd_cl_set_error (error, SVD_ERROR_KERNEL_BUILD, err, what);
      return NULL;
    }
  return k;
}

/* Whether the device's buffers live in this process's own memory (PoCL
 * and other CPU devices): then they count against the host's limits. */
static gboolean
host_backed (SvdClContext *self)
{
  return (self->info->type & CL_DEVICE_TYPE_CPU) != 0;
}

/**
 * svd_cl_context_get_memory_budget:
 * @self: a context
 * @limit: (out) (optional) (transfer none): names what bounds the result,
 *   for messages ("the device's global memory", "the address-space limit
 *   (ulimit -v)", …)
 *
 * How many more bytes of buffers the device can be asked for: its global
 * memory (`CL_DEVICE_GLOBAL_MEM_SIZE`), and on a CPU device also what the
 * host has left for this process (svd_memory_host_headroom()), since its
 * buffers are host memory. For a GPU the global memory is the whole
 * device: the caller subtracts what it already holds.
 *
 * Returns: bytes
 */
guint64
svd_cl_context_get_memory_budget (SvdClContext  *self,
                                  const char   **limit)
{
  guint64 budget = self->info->global_mem;
  const char *name = "the device's global memory";

  if (host_backed (self))
    {
      const char *host_name = NULL;
      guint64 host = svd_memory_host_headroom (&host_name);

      if (host < budget)
        {
          budget = host;
          name = host_name;
        }
    }
  if (limit != NULL)
    *limit = name;
  return budget;
}

/* svd_cl_context_alloc() or, with @data, svd_cl_context_upload(). */
static cl_mem
alloc_with (SvdClContext  *self,
            cl_mem_flags   flags,
            gsize          size,
            const void    *data,
            GError       **error)
{
  g_autofree char *shown = svd_memory_format (size);
  cl_int err = CL_SUCCESS;
  cl_mem mem = NULL;
  gboolean injected = FALSE;

  if (size == 0 || size > self->info->max_alloc)
    {
      g_autofree char *limit = svd_memory_format (self->info->max_alloc);

      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   "A %" G_GSIZE_FORMAT "-byte (%s) buffer exceeds %s's limit of %s per buffer "
                   "(CL_DEVICE_MAX_MEM_ALLOC_SIZE)", size, shown, self->info->name, limit);
      return NULL;
    }
  if (host_backed (self))
    {
      const char *what = NULL;
      guint64 room = svd_memory_host_headroom (&what);

      if (size > room)
        {
          g_autofree char *left = svd_memory_format (room);

          g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                       "A %s buffer on %s (a CPU device, in host memory) does not fit: %s leaves %s",
                       shown, self->info->name, what, left);
          return NULL;
        }
      if ((flags & CL_MEM_USE_HOST_PTR) == 0)
        flags |= CL_MEM_ALLOC_HOST_PTR;
    }
  /* Test hook (tests/reliability): SVD_FAULT_INJECT=cl-alloc-over:BYTES
   * makes every allocation larger than BYTES fail as a device out of
   * memory would (0: all fail), to test the engine's recovery. */
  {
    static gsize fail_over = G_MAXSIZE;
    static gsize once = 0;

    if (g_once_init_enter (&once))
      {
        const char *f = g_getenv ("SVD_FAULT_INJECT");

        if (f != NULL && g_str_has_prefix (f, "cl-alloc-over:"))
          fail_over = g_ascii_strtoull (f + strlen ("cl-alloc-over:"), NULL, 10);
        g_once_init_leave (&once, 1);
      }
    if (size > fail_over)
      {
        err = CL_MEM_OBJECT_ALLOCATION_FAILURE;
        injected = TRUE;
      }
  }
  if (!injected)
    mem = clCreateBuffer (self->context, flags, size, (void *) data, &err);
  if (mem == NULL || err != CL_SUCCESS)
    {
      g_autofree char *what = g_strdup_printf ("clCreateBuffer of %s on %s%s", shown, self->info->name,
                                               injected ? " (SVD_FAULT_INJECT)" : "");

      if (mem != NULL)
        clReleaseMemObject (mem);
      if (err == CL_SUCCESS)
        err = CL_MEM_OBJECT_ALLOCATION_FAILURE;
      svd_cl_set_error (error, SVD_ERROR_OUT_OF_MEMORY, err, what);
      return NULL;
    }
  return mem;
}

/**
 * svd_cl_context_alloc:
 * @self: a context
 * @flags: `CL_MEM_*` flags
 * @size: bytes
 * @error: return location for an error
 *
 * Allocates a buffer. On a CPU device (PoCL) the buffer is allocated at
 * once (`CL_MEM_ALLOC_HOST_PTR`): PoCL otherwise allocates on first use,
 * inside an enqueue, and aborts the process when that fails (an
 * assertion in pocl_create_migration_commands under `ulimit -v`); at
 * creation a failure is returned as `CL_OUT_OF_HOST_MEMORY`. A size over
 * what the host has left (svd_memory_host_headroom()) is refused before
 * asking, so the kernel's out-of-memory killer is not the one to say no.
 *
 * Returns: (transfer full) (nullable): a buffer, or %NULL with
 *   %SVD_ERROR_OUT_OF_MEMORY naming the size when @size exceeds the
 *   device's limit or the allocation fails
 */
cl_mem
svd_cl_context_alloc (SvdClContext  *self,
                      cl_mem_flags   flags,
                      gsize          size,
                      GError       **error)
{
  return alloc_with (self, flags, size, NULL, error);
}

/**
 * svd_cl_context_upload:
 * @self: a context
 * @flags: `CL_MEM_*` flags (`CL_MEM_COPY_HOST_PTR` is added)
 * @data: @size bytes to copy in
 * @size: bytes
 * @error: return location for an error
 *
 * As svd_cl_context_alloc(), the buffer created holding a copy of @data.
 * Unlike a blocking clEnqueueWriteBuffer() it does not wait for the work
 * already queued (weights made while a pass is running do not stall it),
 * and @data may go as soon as it returns.
 *
 * Returns: (transfer full) (nullable): a buffer
 */
cl_mem
svd_cl_context_upload (SvdClContext  *self,
                       cl_mem_flags   flags,
                       const void    *data,
                       gsize          size,
                       GError       **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  return alloc_with (self, flags | CL_MEM_COPY_HOST_PTR, size, data, error);
}

gboolean
svd_cl_context_finish (SvdClContext  *self,
                       GError       **error)
{
  cl_int err = clFinish (self->queue);

  if (err != CL_SUCCESS)
    return svd_cl_set_error (error, SVD_ERROR_OPENCL, err, "clFinish");
  return TRUE;
}

static char *svd_cl_load_source_from (const char  *dir,
                                      const char  *name,
                                      GError     **error);

/**
 * svd_cl_load_source:
 * @name: a kernel file name such as "convert.cl"
 * @error: return location for an error
 *
 * Reads a kernel source from the GResource embedded in libsvd.
 *
 * Returns: (transfer full) (nullable): the NUL-terminated source
 */
char *
svd_cl_load_source (const char  *name,
                    GError     **error)
{
  return svd_cl_load_source_from (NULL, name, error);
}

/**
 * svd_cl_context_load_source:
 * @self: a context
 * @name: a kernel file name such as "convert.cl"
 * @error: return location for an error
 *
 * Reads a kernel source for @self: from the settings' kernel_dir when the
 * context was made with one (`SVD_KERNEL_DIR`), so kernels can be edited
 * without rebuilding; otherwise the copy embedded in libsvd.
 *
 * Returns: (transfer full) (nullable): the NUL-terminated source
 */
char *
svd_cl_context_load_source (SvdClContext  *self,
                            const char    *name,
                            GError       **error)
{
  return svd_cl_load_source_from (self->kernel_dir, name, error);
}

static char *
svd_cl_load_source_from (const char  *dir,
                         const char  *name,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;

  if (dir != NULL && *dir != '\0')
    {
      char *contents = NULL;

      path = g_build_filename (dir, name, NULL);
      if (!g_file_get_contents (path, &contents, NULL, &local_error))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read kernel %s: %s",
                       path, local_error->message);
          return NULL;
        }
      return contents;
    }

  path = g_strconcat ("/io/github/svdstudio/SvdStudio/opencl/", name, NULL);
  /* Referencing the resource directly keeps it linked in from the static
   * library, where an unreferenced constructor would be dropped. */
  bytes = g_resource_lookup_data (svd_opencl_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_FAILED, "Kernel %s is not embedded: %s",
                   name, local_error->message);
      return NULL;
    }
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static char *
program_cache_key (SvdClContext      *self,
                   const char *const *sources,
                   const char        *options)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *parts[] = {
    SVD_VERSION, options ? options : "",
    self->info->platform_name, self->info->platform_version,
    self->info->name, self->info->vendor, self->info->version, self->info->driver_version,
  };

  /* Each part is followed by a NUL so "ab"+"c" and "a"+"bc" differ. */
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    g_checksum_update (sum, (const guchar *) parts[i], strlen (parts[i]) + 1);
  for (gsize i = 0; sources[i] != NULL; i++)
    g_checksum_update (sum, (const guchar *) sources[i], strlen (sources[i]) + 1);
  return g_strdup (g_checksum_get_string (sum));
}

static char *
program_build_log (SvdClContext *self,
                   cl_program    program)
{
  size_t size = 0;
  char *log;

  if (clGetProgramBuildInfo (program, self->info->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) != CL_SUCCESS ||
      size == 0)
    return g_strdup ("(no build log)");
  log = g_malloc0 (size + 1);
  clGetProgramBuildInfo (program, self->info->device, CL_PROGRAM_BUILD_LOG, size, log, NULL);
  return g_strstrip (log);
}

static cl_program
program_from_binary (SvdClContext *self,
                     const char   *path,
                     const char   *options)
{
  g_autofree guchar *binary = NULL;
  gsize length = 0;
  const unsigned char *bins[1];
  cl_int status = CL_SUCCESS, err = CL_SUCCESS;
  cl_program program;

  if (!g_file_get_contents (path, (char **) &binary, &length, NULL) || length == 0)
    return NULL;
  bins[0] = binary;
  program = clCreateProgramWithBinary (self->context, 1, &self->info->device, &length, bins, &status, &err);
  if (err != CL_SUCCESS || status != CL_SUCCESS)
    {
      if (program != NULL)
        clReleaseProgram (program);
      return NULL;
    }
  err = clBuildProgram (program, 1, &self->info->device, options, NULL, NULL);
  if (err != CL_SUCCESS)
    {
      clReleaseProgram (program);
      return NULL;
    }
  return program;
}

static void
program_save_binary (SvdClContext *self,
                     cl_program    program,
                     const char   *path)
{
  size_t size = 0;
  g_autofree unsigned char *binary = NULL;
  unsigned char *bins[1];
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (clGetProgramInfo (program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
      size == 0)
    return;
  binary = g_malloc (size);
  bins[0] = binary;
  if (clGetProgramInfo (program, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) != CL_SUCCESS)
    return;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return;
  /* g_file_set_contents writes a temporary file and renames it, so a
   * concurrent reader never sees half a binary. */
  if (!g_file_set_contents (path, (const char *) binary, size, &error))
    g_debug ("Cannot cache kernel binary %s: %s", path, error->message);
}

/**
 * svd_cl_context_build_program:
 * @self: a context
 * @sources: (array zero-terminated=1): the program's source texts, in order
 * @options: (nullable): build options such as "-DNF=24"
 * @build_info: (out caller-allocates) (optional): how the program was made
 * @error: return location for an error
 *
 * Builds a program for the context's device. Binaries are cached under the
 * kernel cache dir, keyed by a SHA-256 of the sources, the options, the
 * platform, device and driver and the app version. A cached binary that
 * fails to load or build is deleted and the program is rebuilt from source.
 *
 * Returns: (transfer full) (nullable): the program, or %NULL with
 *   %SVD_ERROR_KERNEL_BUILD and the build log in the message
 */
cl_program
svd_cl_context_build_program (SvdClContext       *self,
                              const char *const  *sources,
                              const char         *options,
                              SvdClBuildInfo     *build_info,
                              GError            **error)
{
  g_autofree char *key = program_cache_key (self, sources, options);
  g_autofree char *path = NULL;
  gint64 start = g_get_monotonic_time ();
  cl_program program = NULL;
  cl_int err = CL_SUCCESS;
  gsize n_sources = 0;
  gboolean bad_cache = FALSE;
  const char *opts = options ? options : "";

  if (build_info != NULL)
    memset (build_info, 0, sizeof *build_info);

  if (self->use_cache)
    {
      g_autofree char *name = g_strconcat (key, ".bin", NULL);

      path = g_build_filename (self->cache_dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          program = program_from_binary (self, path, opts);
          if (program == NULL)
            {
              g_info ("Cached kernel binary %s failed to load; rebuilding", path);
              g_unlink (path);
              bad_cache = TRUE;
            }
        }
    }

  if (program == NULL)
    {
      while (sources[n_sources] != NULL)
        n_sources++;
      program = clCreateProgramWithSource (self->context, n_sources, (const char **) sources, NULL, &err);
      if (err != CL_SUCCESS)
        {
          svd_cl_set_error (error, SVD_ERROR_KERNEL_BUILD, err, "clCreateProgramWithSource");
          return NULL;
        }
      err = clBuildProgram (program, 1, &self->info->device, opts, NULL, NULL);
      if (err != CL_SUCCESS)
        {
          g_autofree char *log = program_build_log (self, program);

          g_set_error (error, SVD_ERROR, SVD_ERROR_KERNEL_BUILD,
                       "Building OpenCL program for %s failed: %s (%d)\nOptions: %s\nBuild log:\n%s",
                       self->info->name, svd_cl_error_name (err), err, opts, log);
          clReleaseProgram (program);
          return NULL;
        }
      if (path != NULL)
        program_save_binary (self, program, path);
    }
  else if (build_info != NULL)
    build_info->from_cache = TRUE;

  if (build_info != NULL)
    {
      build_info->rebuilt_bad_cache = bad_cache;
      build_info->cache_path = g_steal_pointer (&path);
      build_info->build_ms = (g_get_monotonic_time () - start) / 1000.0;
    }
  return program;
}
