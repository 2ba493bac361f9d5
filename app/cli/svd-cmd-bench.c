/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "core/svd-png.h"
#include "engine/svd-engine.h"
#include "engine/svd-peak.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* User + system time of all the process's threads, in ms. */
static double
process_cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static double
median (double *v,
        int     n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A deterministic frame with smooth gradients, edges and texture: close
 * enough to a real frame for timing; --input gives a real one. */
static SvdImage *
synthetic_frame (int      w,
                 int      h,
                 GError **error)
{
  SvdImage *im = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, error);

  if (im == NULL)
    return NULL;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      {
        float *row = (float *) (im->data[c] + (gsize) y * im->stride[c]);

        for (int x = 0; x < w; x++)
          {
            double v = 0.5 + 0.25 * sin (x * (0.013 + 0.004 * c)) * cos (y * 0.021) +
                       0.15 * (((x / 37) + (y / 23)) % 2) + 0.05 * sin (x * 0.9 + y * 1.3);

            row[x] = (float) CLAMP (v, 0.0, 1.0);
          }
      }
  return im;
}

/* GFLOP of one conv layer as it runs: direct counts 9 MACs per output
 * value, F(m x m, 3x3) (m + 2)² per tile of m x m outputs (its element-wise
 * products; the transforms are O(channels), not O(channels²), and are
 * left out). Direct-equivalent is always the direct count. */
static double
layer_gflop (const SvdEngineLayerInfo *info,
             gboolean                  real)
{
  int w = info->width, h = info->height;
  double mac_per_px = 9.0 * info->ic * info->oc;

  if (real && strcmp (info->algo, "direct") != 0)
    {
      int m = strcmp (info->algo, "wino2") == 0 ? 2 : 4;
      double tiles = (double) ((w + m - 1) / m) * ((h + m - 1) / m);

      return 2.0 * (m + 2) * (m + 2) * info->ic * info->oc * tiles / 1e9;
    }
  return 2.0 * mac_per_px * w * h / 1e9;
}

int
svd_cmd_bench (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- benchmark a chain on the OpenCL device");
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdChain) steps = NULL;
  g_autoptr(SvdImage) input = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_auto(SvdSettings) settings = { 0 };
  g_autofree char *chain = NULL;
  g_autofree char *size = NULL;
  g_autofree char *input_path = NULL;
  g_autofree double *totals = NULL;
  g_autofree double *walls = NULL;
  g_autofree double *stages = NULL;
  g_auto(SvdCliCommon) common = { 0 };
  int frames = 10, warmup = 3, w = 960, h = 540;
  gboolean no_cache = FALSE, skip_peak = FALSE, explain = FALSE;
  g_autofree char *conv = NULL;
  GOptionEntry entries[] = {
    { "chain", 'c', 0, G_OPTION_ARG_STRING, &chain, "The chain to run (see below)", "CHAIN" },
    { "size", 's', 0, G_OPTION_ARG_STRING, &size, "Input size (default 960x540)", "WxH" },
    { "frames", 'n', 0, G_OPTION_ARG_INT, &frames, "Timed frames (default 10)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed warm-up frames (default 3)", "N" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input_path, "A real frame (PNG) as input", "PNG" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Build kernels from source (time to first frame)", NULL },
    { "no-peak", 0, 0, G_OPTION_ARG_NONE, &skip_peak,
      "Do not measure the device's FMA peak now (the best stored one is still used)", NULL },
    { "conv", 0, 0, G_OPTION_ARG_STRING, &conv,
      "3x3 body convs: auto (the default: per layer shape and frame size, direct or Winograd, whichever "
      "measured fastest), direct, wino2 or wino4 (env SVD_CONV)",
      "MODE" },
    { "explain", 0, 0, G_OPTION_ARG_NONE, &explain,
      "Show how each conv layer runs (direct or Winograd) and its device time", NULL },
    { NULL }
  };
  double ttff_ms, build_ms, gflop = 0.0, real_gflop = 0.0, peak = -1.0, fraction = 0.0, cpu_fraction = -1.0;
  SvdFmaPeak pk = { -1.0, -1.0, 0.0, 0 };
  double cpu0, cpu_ms;
  double med_total, med_wall, med_stage[SVD_ENGINE_MAX_STAGES];
  guint64 peak_bytes = 0;
  gint64 t0;
  int S = 1;

  g_option_context_set_description (context,
    "Warms up, then runs --frames frames and reports the median device time per stage and\n"
    "in total, frames/s, achieved GFLOP/s (2 x conv MACs) and the ratio to the device's\n"
    "fp32 FMA peak. The peak is measured with a small kernel (opencl/peak.cl, best of five)\n"
    "and kept per device and driver in the kernel cache dir; the best of every measurement\n"
    "counts, since one taken while other work shares the device reads low. Time to first\n"
    "frame includes building (or loading) the kernels and is reported separately.\n"
    "Use a real frame (--input) to compare with other engines: synthetic inputs time differently.\n"
    "With Winograd layers (--conv) the GFLOP/s are given twice: direct-equivalent (the work\n"
    "of a direct convolution, comparable across engines) and real (the multiplies done);\n"
    "the ratio to the peak uses the real figure, so it cannot pass 100 % by counting work\n"
    "that was not done.\n\n"
    SVD_CLI_CHAIN_HELP);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (chain == NULL)
    return svd_cli_usage_error (context, "--chain is required");
  if (frames < 1 || warmup < 0)
    return svd_cli_usage_error (context, "--frames must be at least 1");
  svd_cli_settings (&common, &settings);
  if (conv != NULL && !svd_conv_mode_from_string (conv, &settings.conv))
    return svd_cli_usage_error (context, "--conv takes direct, wino2, wino4 or auto");
  if (no_cache)
    settings.use_kernel_cache = FALSE;
  if (size != NULL && (sscanf (size, "%dx%d", &w, &h) != 2 || w < 1 || h < 1 || w > 16384 || h > 16384))
    return svd_cli_usage_error (context, "--size takes WxH, e.g. 960x540");

  steps = svd_cli_load_chain (chain, &error);
  if (steps == NULL)
    return svd_cli_fail (argv[0], error);

  if (input_path != NULL)
    {
      input = svd_png_load_as (input_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
      if (input == NULL)
        return svd_cli_fail (argv[0], error);
      if (size != NULL && (input->width != w || input->height != h))
        {
          g_set_error (&error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "%s is %dx%d but --size asks for %dx%d; give a frame of that size",
                       input_path, input->width, input->height, w, h);
          return svd_cli_fail (argv[0], error);
        }
      w = input->width;
      h = input->height;
    }
  else
    {
      input = synthetic_frame (w, h, &error);
      if (input == NULL)
        return svd_cli_fail (argv[0], error);
    }

  t0 = g_get_monotonic_time ();
  engine = svd_engine_new (&settings, &error);
  if (engine == NULL || !svd_engine_set_chain (engine, steps, &error))
    return svd_cli_fail (argv[0], error);
  {
    g_autoptr(SvdImage) out = NULL;

    if (!svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error))
      return svd_cli_fail (argv[0], error);
  }
  ttff_ms = (g_get_monotonic_time () - t0) / 1000.0;
  build_ms = svd_engine_get_build_ms (engine);

  if (!svd_engine_is_cpu_fallback (engine))
    {
      g_autofree char *cache_dir = settings.use_kernel_cache ? svd_settings_get_kernel_cache_dir (&settings) : NULL;

      if (!svd_cl_fma_peak_best (svd_engine_get_context (engine), cache_dir, !skip_peak, &pk, &error))
        return svd_cli_fail (argv[0], error);
      peak = pk.gflops;
    }

  gflop = svd_chain_get_gflop (steps, w, h);
  S = svd_engine_get_scale (engine);
  real_gflop = gflop;
  for (guint i = 0; i < steps->steps->len; i++)
    {
      SvdEngineLayerInfo info;

      for (int li = 0; svd_engine_get_layer_info (engine, i, li, &info); li++)
        real_gflop -= layer_gflop (&info, FALSE) - layer_gflop (&info, TRUE);
    }

  totals = g_new0 (double, frames);
  walls = g_new0 (double, frames);
  stages = g_new0 (double, (gsize) frames * steps->steps->len);
  cpu0 = process_cpu_ms ();
  for (int f = -warmup; f < frames; f++)
    {
      g_autoptr(SvdImage) out = NULL;
      SvdEngineTimings t = { 0 };

      if (!svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &out, &t, NULL, &error))
        return svd_cli_fail (argv[0], error);
      if (f == -1)
        cpu0 = process_cpu_ms ();
      if (f < 0)
        continue;
      totals[f] = t.total_ms;
      walls[f] = t.wall_ms;
      for (guint s = 0; s < steps->steps->len; s++)
        stages[(gsize) s * frames + f] = t.stage_ms[s];
    }
  /* CPU time of the whole process (PoCL's worker threads included) per
   * timed frame: on a shared, loaded machine this measures the kernels'
   * efficiency where wall-clock time measures the neighbours. */
  cpu_ms = (process_cpu_ms () - cpu0) / frames;
  med_total = median (totals, frames);
  med_wall = median (walls, frames);
  for (guint s = 0; s < steps->steps->len; s++)
    med_stage[s] = median (stages + (gsize) s * frames, frames);
  svd_engine_get_device_bytes (engine, &peak_bytes);
  /* Real arithmetic over the best measured peak. Above 1 only when every
   * peak measurement ran on a busy device: shown as 100 % and said so. */
  if (peak > 0)
    fraction = real_gflop / (med_wall / 1000.0) / peak;
  /* On a CPU device: the real rate per CPU-second over one compute unit's
   * share of the peak, the efficiency a busy machine does not hide. */
  if (peak > 0 && !svd_engine_is_cpu_fallback (engine) &&
      (svd_cl_context_get_info (svd_engine_get_context (engine))->type & CL_DEVICE_TYPE_CPU) != 0 && cpu_ms > 0)
    cpu_fraction = real_gflop / (cpu_ms / 1000.0) /
                   (peak / MAX (1u, svd_cl_context_get_info (svd_engine_get_context (engine))->compute_units));

  /* Per-layer device times: extra frames with a wait after each layer,
   * after the timed ones so the waits do not colour them. */
  if (explain && !svd_engine_is_cpu_fallback (engine))
    {
      svd_engine_set_profile_layers (engine, TRUE);
      for (int f = 0; f < MIN (frames, 3); f++)
        {
          g_autoptr(SvdImage) out = NULL;

          if (!svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error))
            return svd_cli_fail (argv[0], error);
        }
      svd_engine_set_profile_layers (engine, FALSE);
    }

  if (common.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "device");
      json_builder_add_string_value (b, svd_engine_get_device_name (engine));
      json_builder_set_member_name (b, "variant");
      json_builder_add_string_value (b, svd_engine_get_variant (engine));
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, w);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, h);
      json_builder_set_member_name (b, "frames");
      json_builder_add_int_value (b, frames);
      json_builder_set_member_name (b, "input");
      json_builder_add_string_value (b, input_path ? input_path : "synthetic");
      json_builder_set_member_name (b, "stages");
      json_builder_begin_array (b);
      for (guint s = 0; s < steps->steps->len; s++)
        {
          const SvdChainStep *st = g_ptr_array_index (steps->steps, s);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "model");
          json_builder_add_string_value (b, st->name);
          json_builder_set_member_name (b, "median_ms");
          json_builder_add_double_value (b, med_stage[s]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "median_device_ms");
      json_builder_add_double_value (b, med_total);
      json_builder_set_member_name (b, "median_wall_ms");
      json_builder_add_double_value (b, med_wall);
      json_builder_set_member_name (b, "fps");
      json_builder_add_double_value (b, 1000.0 / med_wall);
      json_builder_set_member_name (b, "gflop_per_frame");
      json_builder_add_double_value (b, gflop);
      /* "gflops" is the direct-equivalent rate (kept for older readers). */
      json_builder_set_member_name (b, "gflops");
      json_builder_add_double_value (b, gflop / (med_wall / 1000.0));
      json_builder_set_member_name (b, "direct_equivalent_gflops");
      json_builder_add_double_value (b, gflop / (med_wall / 1000.0));
      json_builder_set_member_name (b, "cpu_ms_per_frame");
      json_builder_add_double_value (b, cpu_ms);
      json_builder_set_member_name (b, "gflop_per_cpu_second");
      json_builder_add_double_value (b, gflop / (cpu_ms / 1000.0));
      json_builder_set_member_name (b, "fraction_of_peak_per_cpu_second");
      json_builder_add_double_value (b, MIN (cpu_fraction, 1.0));
      json_builder_set_member_name (b, "peak_gflops");
      json_builder_add_double_value (b, peak);
      json_builder_set_member_name (b, "peak_measured_now_gflops");
      json_builder_add_double_value (b, pk.measured);
      json_builder_set_member_name (b, "peak_measurements");
      json_builder_add_int_value (b, pk.n_measured);
      json_builder_set_member_name (b, "peak_understated");
      json_builder_add_boolean_value (b, fraction > 1.0 || cpu_fraction > 1.0);
      json_builder_set_member_name (b, "real_gflop_per_frame");
      json_builder_add_double_value (b, real_gflop);
      json_builder_set_member_name (b, "real_gflops");
      json_builder_add_double_value (b, real_gflop / (med_wall / 1000.0));
      json_builder_set_member_name (b, "fraction_of_peak");
      json_builder_add_double_value (b, MIN (fraction, 1.0));
      json_builder_set_member_name (b, "time_to_first_frame_ms");
      json_builder_add_double_value (b, ttff_ms);
      json_builder_set_member_name (b, "kernel_build_ms");
      json_builder_add_double_value (b, build_ms);
      json_builder_set_member_name (b, "peak_device_bytes");
      json_builder_add_int_value (b, (gint64) peak_bytes);
      if (explain && !svd_engine_is_cpu_fallback (engine))
        {
          json_builder_set_member_name (b, "layers");
          json_builder_begin_array (b);
          for (guint s = 0; s < steps->steps->len; s++)
            {
              SvdEngineLayerInfo info;

              for (int li = 0; svd_engine_get_layer_info (engine, s, li, &info); li++)
                {
                  json_builder_begin_object (b);
                  json_builder_set_member_name (b, "stage");
                  json_builder_add_int_value (b, s);
                  json_builder_set_member_name (b, "layer");
                  json_builder_add_int_value (b, li);
                  json_builder_set_member_name (b, "in_channels");
                  json_builder_add_int_value (b, info.ic);
                  json_builder_set_member_name (b, "out_channels");
                  json_builder_add_int_value (b, info.oc);
                  json_builder_set_member_name (b, "algo");
                  json_builder_add_string_value (b, info.algo);
                  json_builder_set_member_name (b, "shape");
                  json_builder_add_string_value (b, info.shape);
                  if (info.ocb > 0)
                    {
                      json_builder_set_member_name (b, "block_out_channels");
                      json_builder_add_int_value (b, info.ocb);
                      json_builder_set_member_name (b, "block_tile_vectors");
                      json_builder_add_int_value (b, info.rx);
                    }
                  json_builder_set_member_name (b, "ms");
                  json_builder_add_double_value (b, info.ms);
                  json_builder_set_member_name (b, "gflops_real");
                  json_builder_add_double_value (b, info.ms > 0 ? layer_gflop (&info, TRUE) / (info.ms / 1000.0) : 0.0);
                  json_builder_set_member_name (b, "gflops_direct_equivalent");
                  json_builder_add_double_value (b, info.ms > 0 ? layer_gflop (&info, FALSE) / (info.ms / 1000.0) : 0.0);
                  json_builder_set_member_name (b, "tuned_ms");
                  json_builder_begin_array (b);
                  for (int k = 0; k < 3; k++)
                    json_builder_add_double_value (b, info.tune_ms[k]);
                  json_builder_end_array (b);
                  json_builder_end_object (b);
                }
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
      svd_cli_print_json (b);
    }
  else
    {
      printf ("Device:     %s, %s kernels\n", svd_engine_get_device_name (engine), svd_engine_get_variant (engine));
      printf ("Input:      %dx%d (%s), output %dx%d, %d frames after %d warm-up\n", w, h,
              input_path ? input_path : "synthetic", w * S, h * S, frames, warmup);
      for (guint s = 0; s < steps->steps->len; s++)
        {
          const SvdChainStep *st = g_ptr_array_index (steps->steps, s);

          printf ("Stage %u:    %-40s %9.1f ms (device, median)\n", s + 1, st->name, med_stage[s]);
        }
      printf ("Total:      %.1f ms device, %.1f ms wall per frame (median) → %.2f fps\n",
              med_total, med_wall, 1000.0 / med_wall);
      if (real_gflop < gflop - 1e-9)
        printf ("Compute:    %.2f GFLOP direct-equivalent per frame → %.1f GFLOP/s direct-equivalent;\n"
                "            Winograd does %.2f GFLOP real → %.1f GFLOP/s real", gflop,
                gflop / (med_wall / 1000.0), real_gflop, real_gflop / (med_wall / 1000.0));
      else
        printf ("Compute:    %.2f GFLOP per frame → %.1f GFLOP/s", gflop, gflop / (med_wall / 1000.0));
      if (peak > 0)
        {
          printf (", %.0f %% of the peak of %.1f GFLOP/s%s\n", 100.0 * MIN (fraction, 1.0), peak,
                  real_gflop < gflop - 1e-9 ? " (real arithmetic over the peak)" : "");
          printf ("Peak:       %.1f GFLOP/s fp32 FMA, best of %d measurement%s on this device and driver",
                  peak, pk.n_measured, pk.n_measured == 1 ? "" : "s");
          if (pk.measured > 0)
            printf (" (this run: %.1f)", pk.measured);
          printf ("\n");
          if (fraction > 1.0 || cpu_fraction > 1.0)
            printf ("            The real rate passes it: every peak measurement ran on a busy device.\n");
        }
      else
        printf ("\n");
      printf ("CPU time:   %.1f ms per frame (all threads) → %.1f GFLOP per CPU-second", cpu_ms,
              gflop / (cpu_ms / 1000.0));
      if (cpu_fraction >= 0)
        printf (", %.0f %% of one compute unit's peak (real arithmetic)", 100.0 * MIN (cpu_fraction, 1.0));
      printf ("\n");
      printf ("First frame: %.0f ms including %.0f ms to build or load kernels%s\n", ttff_ms, build_ms,
              no_cache ? " (cache off)" : "");
      printf ("Device memory: %.1f MiB at peak (weights, feature maps, images)\n", peak_bytes / 1048576.0);
      if (explain && !svd_engine_is_cpu_fallback (engine))
        {
          printf ("Layers (device ms per frame, mean of %d profiled frames; Winograd layers give GFLOP/s\n"
                  "twice, d-eq = direct-equivalent and real = the multiplies done; %% of peak from the real\n"
                  "rate; where auto measured a layer shape, its times direct / wino2 / wino4, once per\n"
                  "shape and size class; cpu / gpu: the CPU-shaped kernels (conv3x3_block, wino_conv) or\n"
                  "the GPU-shaped ones (conv3x3_pixel, wino_gpu_*) ran it):\n",
                  MIN (frames, 3));
          for (guint s = 0; s < steps->steps->len; s++)
            {
              SvdEngineLayerInfo info;

              for (int li = 0; svd_engine_get_layer_info (engine, s, li, &info); li++)
                {
                  double real = info.ms > 0 ? layer_gflop (&info, TRUE) / (info.ms / 1000.0) : 0.0;
                  double deq = info.ms > 0 ? layer_gflop (&info, FALSE) / (info.ms / 1000.0) : 0.0;

                  g_autofree char *blocking = info.ocb > 0 ? g_strdup_printf ("%dx%d", info.ocb, info.rx)
                                                           : g_strdup ("");

                  /* Direct layers do the direct-equivalent work: one figure.
                   * Winograd layers name their blocking (output channels x
                   * vectors of tiles per register block). */
                  printf ("  %u.%-3d %3d→%-3d %-6s %-3s %-5s %8.2f ms  %6.1f GFLOP/s", s + 1, li, info.ic, info.oc,
                          info.algo, info.shape, blocking, info.ms, deq);
                  if (strcmp (info.algo, "direct") != 0)
                    printf (" d-eq, %6.1f real", real);
                  else
                    printf ("                 ");
                  if (peak > 0)
                    printf ("  %3.0f %%", 100.0 * MIN (real / peak, 1.0));
                  if (info.tune_ms[0] > 0)
                    printf ("  (tuned %.2f / %.2f / %.2f)", info.tune_ms[0], info.tune_ms[1], info.tune_ms[2]);
                  printf ("\n");
                }
            }
        }
    }
  return 0;
}
