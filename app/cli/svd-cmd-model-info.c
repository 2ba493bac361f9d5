/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "model/svd-graph.h"
#include "model/svd-model-library.h"

#include "core/svd-file.h"
#include "core/svd-limits.h"
#include "export/svd-onnx-export.h"

#include <stdio.h>
#include <string.h>

static const char *
activation_name (const SvdModel *m)
{
  switch (m->activation)
    {
    case SVD_ACTIVATION_PRELU: return "PReLU (per channel)";
    case SVD_ACTIVATION_RELU: return "ReLU";
    case SVD_ACTIVATION_LEAKY_RELU: return "LeakyReLU";
    default: return "unknown";
    }
}

/* Returns: the exit status after printing @path as a fused chain, or -1 when
 * it is not one (the caller reports the single-model error). */
static int
print_fused_chain (const char *path,
                   gboolean    json,
                   int         width,
                   int         height)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autofree char *shown_path = NULL;
  int w = width, h = height;
  double gflop = 0;

  if (!g_str_has_suffix (path, ".onnx") && !g_str_has_suffix (path, ".ONNX"))
    return -1;
  bytes = svd_file_map_regular (path, SVD_LIMIT_MODEL_FILE_BYTES, NULL);
  if (bytes == NULL)
    return -1;
  chain = svd_chain_load_onnx (bytes, NULL, NULL);
  if (chain == NULL || chain->steps->len < 2)
    return -1;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, path);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, "ONNX fused chain");
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, chain->name);
      json_builder_set_member_name (b, "steps");
      json_builder_begin_array (b);
      for (guint i = 0; i < chain->steps->len; i++)
        {
          const SvdChainStep *st = g_ptr_array_index (chain->steps, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, st->name);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, st->type == SVD_CHAIN_STEP_MODEL ? "model" : "resize");
          if (st->type == SVD_CHAIN_STEP_MODEL && st->model != NULL)
            {
              json_builder_set_member_name (b, "nf");
              json_builder_add_int_value (b, st->model->nf);
              json_builder_set_member_name (b, "num_conv");
              json_builder_add_int_value (b, st->model->num_conv);
              json_builder_set_member_name (b, "scale");
              json_builder_add_int_value (b, st->model->scale);
              json_builder_set_member_name (b, "tier");
              json_builder_add_string_value (b, svd_model_get_tier_name (st->model));
            }
          else
            {
              json_builder_set_member_name (b, "filter");
              json_builder_add_string_value (b, svd_resize_filter_name (st->filter));
              json_builder_set_member_name (b, "scale");
              json_builder_add_double_value (b, st->resize_scale);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      svd_cli_print_json (b);
      return 0;
    }

  /* Names come from the file: no terminal escapes, one line each. */
  shown_path = svd_str_escape_control (path, FALSE);
  printf ("File:              %s\n", shown_path);
  printf ("Format:            ONNX, a fused chain of %u steps (svd export-chain --format onnx)\n",
          chain->steps->len);
  for (guint i = 0; i < chain->steps->len; i++)
    {
      const SvdChainStep *st = g_ptr_array_index (chain->steps, i);
      g_autofree char *step_name = svd_str_escape_control (st->name, FALSE);

      if (st->type == SVD_CHAIN_STEP_MODEL && st->model != NULL)
        {
          double g = svd_model_get_gflop (st->model, w, h);

          if (st->model->graph != NULL)
            {
              /* A graph step has no nf or body convs: its ops say what it is. */
              const char *ops = st->model->metadata != NULL ?
                                g_hash_table_lookup (st->model->metadata, "graph.ops") : NULL;

              printf ("Step %u:            %s: %s (%s), %dx, %.2f GFLOP at %dx%d\n", i + 1, step_name,
                      svd_model_get_tier_name (st->model), ops != NULL ? ops : "graph", st->model->scale, g, w, h);
            }
          else
            printf ("Step %u:            %s: %s, nf %d, %d body convs, %dx, %.2f GFLOP at %dx%d\n", i + 1,
                    step_name, svd_model_get_tier_name (st->model), st->model->nf, st->model->num_conv,
                    st->model->scale, g, w, h);
          gflop += g;
          w *= st->model->scale;
          h *= st->model->scale;
        }
      else
        {
          printf ("Step %u:            %s: %s resize %gx\n", i + 1, step_name, svd_resize_filter_name (st->filter),
                  st->resize_scale);
          w = (int) (w * st->resize_scale + 0.5);
          h = (int) (h * st->resize_scale + 0.5);
        }
    }
  printf ("Output:            %dx%d from %dx%d input, %.2f GFLOP per frame in all\n", w, h, width, height, gflop);
  return 0;
}

static gboolean
parse_size (const char *s,
            int        *w,
            int        *h)
{
  char *end;
  gint64 a, b;

  a = g_ascii_strtoll (s, &end, 10);
  if (end == s || (*end != 'x' && *end != 'X'))
    return FALSE;
  s = end + 1;
  b = g_ascii_strtoll (s, &end, 10);
  if (end == s || *end != '\0' || a < 1 || b < 1 || a > 65536 || b > 65536)
    return FALSE;
  *w = (int) a;
  *h = (int) b;
  return TRUE;
}

static GList *
sorted_keys (GHashTable *t)
{
  return t != NULL ? g_list_sort (g_hash_table_get_keys (t), (GCompareFunc) strcmp) : NULL;
}

int
svd_cmd_model_info (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE - describe a compact model (FILE may name a shipped model: svd-super-2x)");
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) model = NULL;
  g_autofree char *shipped = NULL;
  const char *path;
  g_autofree char *size = NULL;
  g_auto(SvdCliCommon) common = { 0 };
  int sizes[3][2] = { { 960, 540 }, { 1920, 1080 }, { 0, 0 } };
  int n_sizes = 2;
  GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_STRING, &size, "Input frame size for the GFLOP figure (default: 960x540 and 1920x1080)", "WxH" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Reads an SRVGGNetCompact model (ONNX, PyTorch .pth in zip or legacy format, or\n"
    ".safetensors) and prints its format, stored precision, channels, features (nf),\n"
    "body convs, scale, activation, tier, parameters, multiply-accumulates per input\n"
    "pixel and GFLOP per frame (a MAC counts as 2 FLOP).");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 2)
    return svd_cli_usage_error (context, "Expected exactly one model file");
  if (size != NULL)
    {
      if (!parse_size (size, &sizes[0][0], &sizes[0][1]))
        return svd_cli_usage_error (context, "--size takes WIDTHxHEIGHT, e.g. 1920x1080");
      n_sizes = 1;
    }

  /* A plain name that is no file here names a shipped model
   * ("svd-super-2x"), found where the install put it. */
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    shipped = svd_model_library_find_shipped (argv[1]);
  path = shipped != NULL ? shipped : argv[1];
  model = svd_model_load (path, &error);
  if (model == NULL)
    {
      /* A whole chain fused into one ONNX (svd export-chain --format onnx)
       * is not one model: describe its steps instead. */
      int status = print_fused_chain (path, common.json, sizes[0][0], sizes[0][1]);

      if (status >= 0)
        return status;
      return svd_cli_fail (argv[0], error);
    }

  if (common.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(GList) keys = sorted_keys (model->metadata);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, path);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, model->name);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, svd_model_format_name (model->source_format));
      json_builder_set_member_name (b, "stored_precision");
      json_builder_add_string_value (b, svd_storage_precision_name (model->stored_precision));
      json_builder_set_member_name (b, "in_ch");
      json_builder_add_int_value (b, model->in_ch);
      json_builder_set_member_name (b, "out_ch");
      json_builder_add_int_value (b, model->out_ch);
      json_builder_set_member_name (b, "nf");
      json_builder_add_int_value (b, model->nf);
      json_builder_set_member_name (b, "num_conv");
      json_builder_add_int_value (b, model->num_conv);
      json_builder_set_member_name (b, "scale");
      json_builder_add_int_value (b, model->scale);
      json_builder_set_member_name (b, "activation");
      json_builder_add_string_value (b, activation_name (model));
      if (model->activation == SVD_ACTIVATION_LEAKY_RELU)
        {
          json_builder_set_member_name (b, "leaky_slope");
          json_builder_add_double_value (b, model->leaky_slope);
        }
      json_builder_set_member_name (b, "tier");
      json_builder_add_string_value (b, svd_model_get_tier_name (model));
      json_builder_set_member_name (b, "architecture");
      json_builder_add_string_value (b, model->graph != NULL ? "graph" : "SRVGGNetCompact");
      if (model->graph != NULL)
        {
          int mw, mh;

          svd_graph_source_get_min_size (model->graph, &mw, &mh);
          g_autoptr(SvdGraph) g = svd_model_graph_at (model, sizes[0][0], sizes[0][1], NULL);
          g_autofree char *ops = g != NULL ? svd_graph_describe_ops (g) : NULL;

          json_builder_set_member_name (b, "ops");
          json_builder_add_string_value (b, ops ? ops : g_hash_table_lookup (model->metadata, "graph.ops"));
          json_builder_set_member_name (b, "min_width");
          json_builder_add_int_value (b, mw);
          json_builder_set_member_name (b, "min_height");
          json_builder_add_int_value (b, mh);
        }
      json_builder_set_member_name (b, "params");
      json_builder_add_int_value (b, (gint64) svd_model_get_n_params (model));
      json_builder_set_member_name (b, "macs_per_pixel");
      json_builder_add_int_value (b, (gint64) svd_model_get_macs_per_pixel (model));
      if (model->clamp_output)
        {
          json_builder_set_member_name (b, "clamp");
          json_builder_begin_array (b);
          json_builder_add_double_value (b, model->clamp_min);
          json_builder_add_double_value (b, model->clamp_max);
          json_builder_end_array (b);
        }
      json_builder_set_member_name (b, "gflop_per_frame");
      json_builder_begin_array (b);
      for (int i = 0; i < n_sizes; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "width");
          json_builder_add_int_value (b, sizes[i][0]);
          json_builder_set_member_name (b, "height");
          json_builder_add_int_value (b, sizes[i][1]);
          json_builder_set_member_name (b, "gflop");
          json_builder_add_double_value (b, svd_model_get_gflop (model, sizes[i][0], sizes[i][1]));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "metadata");
      json_builder_begin_object (b);
      for (GList *l = keys; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_string_value (b, g_hash_table_lookup (model->metadata, l->data));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      svd_cli_print_json (b);
      return 0;
    }

  {
    g_autofree char *shown = svd_str_escape_control (path, FALSE);

    printf ("File:              %s\n", shown);
  }
  printf ("Format:            %s\n", svd_model_format_name (model->source_format));
  printf ("Stored precision:  %s (computed in fp32)\n", svd_storage_precision_name (model->stored_precision));
  if (model->graph != NULL)
    {
      int mw, mh;

      svd_graph_source_get_min_size (model->graph, &mw, &mh);
      printf ("Architecture:      %s (run through the graph IR)\n", svd_model_get_tier_name (model));
      printf ("Channels:          %d in, %d out\n", model->in_ch, model->out_ch);
      printf ("Scale:             %dx\n", model->scale);
      {
        /* Padding and crops depend on the size: the ops at the first size. */
        g_autoptr(SvdGraph) g = svd_model_graph_at (model, sizes[0][0], sizes[0][1], NULL);
        g_autofree char *ops = g != NULL ? svd_graph_describe_ops (g) : NULL;

        printf ("Ops:               %s (at %dx%d)\n",
                ops ? ops : (const char *) g_hash_table_lookup (model->metadata, "graph.ops"),
                sizes[0][0], sizes[0][1]);
      }
      printf ("Minimum input:     %dx%d\n", mw, mh);
    }
  else
    {
      printf ("Architecture:      SRVGGNetCompact\n");
      printf ("Channels:          %d in, %d out\n", model->in_ch, model->out_ch);
      printf ("Features (nf):     %d\n", model->nf);
      printf ("Body convs:        %d (%d convs in all)\n", model->num_conv, model->n_layers);
      printf ("Scale:             %dx\n", model->scale);
    }
  if (model->graph != NULL)
    ;
  else if (model->activation == SVD_ACTIVATION_LEAKY_RELU)
    printf ("Activation:        %s (slope %g)\n", activation_name (model), model->leaky_slope);
  else
    printf ("Activation:        %s\n", activation_name (model));
  if (model->clamp_output)
    printf ("Output clamp:      [%g, %g]\n", model->clamp_min, model->clamp_max);
  printf ("Tier:              %s\n", svd_model_get_tier_name (model));
  printf ("Parameters:        %" G_GUINT64_FORMAT "\n", svd_model_get_n_params (model));
  printf ("MACs per pixel:    %" G_GUINT64_FORMAT "\n", svd_model_get_macs_per_pixel (model));
  for (int i = 0; i < n_sizes; i++)
    printf ("GFLOP per frame:   %.2f at %dx%d input\n",
            svd_model_get_gflop (model, sizes[i][0], sizes[i][1]), sizes[i][0], sizes[i][1]);
  if (model->metadata != NULL && g_hash_table_size (model->metadata) > 0)
    {
      g_autoptr(GList) keys = sorted_keys (model->metadata);

      printf ("Metadata:\n");
      /* Metadata is the file's text: escape terminal controls, and
       * newlines too, so a value cannot forge lines of this report. */
      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autofree char *key = svd_str_escape_control (l->data, FALSE);
          g_autofree char *value = svd_str_escape_control (g_hash_table_lookup (model->metadata, l->data), FALSE);

          printf ("  %s: %s\n", key, value);
        }
    }
  return 0;
}
