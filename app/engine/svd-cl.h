/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <CL/cl.h>

#include "core/svd-settings.h"

G_BEGIN_DECLS

/**
 * SvdClDeviceInfo:
 * @index: position in the list svd_cl_list_devices() returns (0-based)
 * @platform: the platform handle
 * @device: the device handle
 * @platform_name: `CL_PLATFORM_NAME`
 * @platform_version: `CL_PLATFORM_VERSION`
 * @name: `CL_DEVICE_NAME`
 * @vendor: `CL_DEVICE_VENDOR`
 * @version: `CL_DEVICE_VERSION`
 * @driver_version: `CL_DRIVER_VERSION`
 * @type: `CL_DEVICE_TYPE_*` bits
 * @compute_units: `CL_DEVICE_MAX_COMPUTE_UNITS`
 * @clock_mhz: `CL_DEVICE_MAX_CLOCK_FREQUENCY`
 * @global_mem: bytes of global memory
 * @max_alloc: largest single buffer in bytes
 * @local_mem: bytes of local memory per work-group
 * @max_work_group_size: `CL_DEVICE_MAX_WORK_GROUP_SIZE`
 * @preferred_vector_width_float: `CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT`
 * @fp16: the device has `cl_khr_fp16`
 * @available: `CL_DEVICE_AVAILABLE` and `CL_DEVICE_COMPILER_AVAILABLE`
 */
typedef struct {
  int             index;
  cl_platform_id  platform;
  cl_device_id    device;
  char           *platform_name;
  char           *platform_version;
  char           *name;
  char           *vendor;
  char           *version;
  char           *driver_version;
  cl_device_type  type;
  guint           compute_units;
  guint           clock_mhz;
  guint64         global_mem;
  guint64         max_alloc;
  guint64         local_mem;
  gsize           max_work_group_size;
  guint           preferred_vector_width_float;
  gboolean        fp16;
  gboolean        available;
} SvdClDeviceInfo;

const char      *svd_cl_error_name          (cl_int            err);
const char      *svd_cl_device_type_name    (cl_device_type    type);
GPtrArray       *svd_cl_list_devices        (GError          **error);
SvdClDeviceInfo *svd_cl_choose_device       (GPtrArray        *devices,
                                             const char       *spec,
                                             GError          **error);
void             svd_cl_device_info_free    (SvdClDeviceInfo  *info);

/**
 * svd_cl_set_error:
 * @error: return location
 * @code: an #SvdError code
 * @err: the OpenCL error
 * @what: the failing call, e.g. "clCreateBuffer"
 *
 * Sets @error to "WHAT failed: CL_NAME (N)" and returns %FALSE, so callers
 * can write `return svd_cl_set_error (...)`.
 */
gboolean         svd_cl_set_error           (GError          **error,
                                             int               code,
                                             cl_int            err,
                                             const char       *what);

typedef struct _SvdClContext SvdClContext;

/**
 * SvdClBuildInfo:
 * @from_cache: the program was loaded from a cached binary
 * @rebuilt_bad_cache: a cached binary existed but failed to load, was
 *   deleted and rebuilt from source
 * @cache_path: (nullable): the cache file used or written; owned by the
 *   caller, free with g_free()
 * @build_ms: wall time of the build or load
 */
typedef struct {
  gboolean from_cache;
  gboolean rebuilt_bad_cache;
  char    *cache_path;
  double   build_ms;
} SvdClBuildInfo;

SvdClContext          *svd_cl_context_new           (const SvdSettings     *settings,
                                                     GError               **error);
SvdClContext          *svd_cl_context_new_for_device (const SvdClDeviceInfo *info,
                                                      const SvdSettings     *settings,
                                                      GError               **error);
/**
 * SvdClPlanes:
 * @mem: a buffer holding three float planes, R, G and B
 * @offset: bytes from the start of @mem to R's first sample
 * @pitch: bytes from one row to the next
 * @plane: bytes from one plane to the next
 * @width: samples per row
 * @height: rows
 *
 * An RGB float image left on the device, for another kernel on the same
 * context to read without a host round trip.
 */
typedef struct {
  cl_mem mem;
  gsize  offset;
  gsize  pitch;
  gsize  plane;
  int    width;
  int    height;
} SvdClPlanes;

guint                  svd_cl_context_get_n_live    (void);
SvdClContext          *svd_cl_context_new_sibling   (SvdClContext          *other,
                                                     GError               **error);
SvdClContext          *svd_cl_context_ref           (SvdClContext          *self);
void                   svd_cl_context_unref         (SvdClContext          *self);
const SvdClDeviceInfo *svd_cl_context_get_info      (SvdClContext          *self);
cl_context             svd_cl_context_get_context   (SvdClContext          *self);
cl_command_queue       svd_cl_context_get_queue     (SvdClContext          *self);
cl_program             svd_cl_context_build_program (SvdClContext          *self,
                                                     const char *const     *sources,
                                                     const char            *options,
                                                     SvdClBuildInfo        *build_info,
                                                     GError               **error);
char                  *svd_cl_load_source           (const char            *name,
                                                     GError               **error);
char                  *svd_cl_context_load_source   (SvdClContext          *self,
                                                     const char            *name,
                                                     GError               **error);
cl_kernel              svd_cl_create_kernel         (cl_program             program,
                                                     const char            *name,
                                                     GError               **error);
guint64                svd_cl_context_get_memory_budget (SvdClContext      *self,
                                                         const char       **limit);
cl_mem                 svd_cl_context_alloc         (SvdClContext          *self,
                                                     cl_mem_flags           flags,
                                                     gsize                  size,
                                                     GError               **error);
cl_mem                 svd_cl_context_upload        (SvdClContext          *self,
                                                     cl_mem_flags           flags,
                                                     const void            *data,
                                                     gsize                  size,
                                                     GError               **error);
gboolean               svd_cl_context_finish        (SvdClContext          *self,
                                                     GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdClContext, svd_cl_context_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdClDeviceInfo, svd_cl_device_info_free)

G_END_DECLS
