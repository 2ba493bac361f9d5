/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"

#include <stdio.h>

static void
print_text (GPtrArray *devices)
{
  const char *last_platform = NULL;

  if (devices->len == 0)
    {
      printf ("No OpenCL device found.\n"
              "SVD Studio will use its CPU reference path, which is much slower.\n"
              "Install an OpenCL driver: pocl-opencl-icd for the CPU, or your GPU vendor's ICD\n"
              "(nvidia-opencl-icd, mesa-opencl-icd / rusticl, intel-opencl-icd).\n");
      return;
    }

  for (guint i = 0; i < devices->len; i++)
    {
      SvdClDeviceInfo *d = g_ptr_array_index (devices, i);

      if (g_strcmp0 (last_platform, d->platform_name) != 0)
        {
          printf ("Platform: %s (%s)\n", d->platform_name, d->platform_version);
          last_platform = d->platform_name;
        }
      printf ("  [%d] %s\n", d->index, d->name);
      printf ("      type:            %s%s\n", svd_cl_device_type_name (d->type),
              d->available ? "" : " (not available)");
      printf ("      vendor:          %s\n", d->vendor);
      printf ("      version:         %s, driver %s\n", d->version, d->driver_version);
      printf ("      compute units:   %u at %u MHz\n", d->compute_units, d->clock_mhz);
      printf ("      global memory:   %.0f MiB\n", d->global_mem / 1048576.0);
      printf ("      max allocation:  %.0f MiB\n", d->max_alloc / 1048576.0);
      printf ("      local memory:    %.0f KiB\n", d->local_mem / 1024.0);
      printf ("      fp16:            %s\n", d->fp16 ? "yes (cl_khr_fp16)" : "no");
      printf ("      float vector:    %u (preferred width)\n", d->preferred_vector_width_float);
    }
}

static void
print_json (GPtrArray *devices)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  for (guint i = 0; i < devices->len; i++)
    {
      SvdClDeviceInfo *d = g_ptr_array_index (devices, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, d->index);
      json_builder_set_member_name (b, "platform");
      json_builder_add_string_value (b, d->platform_name);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, d->name);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, svd_cl_device_type_name (d->type));
      json_builder_set_member_name (b, "driver");
      json_builder_add_string_value (b, d->driver_version);
      json_builder_set_member_name (b, "compute_units");
      json_builder_add_int_value (b, d->compute_units);
      json_builder_set_member_name (b, "global_mem_bytes");
      json_builder_add_int_value (b, (gint64) d->global_mem);
      json_builder_set_member_name (b, "max_alloc_bytes");
      json_builder_add_int_value (b, (gint64) d->max_alloc);
      json_builder_set_member_name (b, "fp16");
      json_builder_add_boolean_value (b, d->fp16);
      json_builder_set_member_name (b, "available");
      json_builder_add_boolean_value (b, d->available);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  svd_cli_print_json (b);
}

int
svd_cmd_devices (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- list OpenCL platforms and devices");
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdCliCommon) common = { 0 };

  g_option_context_set_description (context,
    "Lists every OpenCL platform and device with compute units, memory, the largest\n"
    "allocation and fp16 support. The index in brackets is what --device takes.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;

  devices = svd_cl_list_devices (&error);
  if (devices == NULL)
    return svd_cli_fail (argv[0], error);
  if (common.json)
    print_json (devices);
  else
    print_text (devices);
  return 0;
}
