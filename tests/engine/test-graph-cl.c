/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue #27: every kernel of opencl/graph.cl against its C twin
 * (app/engine/svd-graph-ref.c) on odd sizes, the fused plans (conv +
 * activation, conv + gate tails), and the shared SPANF3 model through the
 * engine against the fp32 CPU reference (2e-3) and ONNX Runtime (1e-2). */
#include "svd-test-utils.h"
#include "engine/svd-graph-cl.h"
#include "engine/svd-graph-ref.h"
#include "model/svd-graph.h"
#include "core/svd-fault.h"

#include <math.h>

#define SPAN "2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16"
/* /graph-cl/span/host-mem's frame (see its meson test's limit). */
#define HOST_MEM_W 1001
#define HOST_MEM_H 999

static SvdClContext *ctx;
static GHashTable *programs;

static cl_kernel
get_kernel (gpointer     data,
            const char  *file,
            const char  *name,
            const char  *options,
            GError     **error)
{
  g_autofree char *key = g_strconcat (file, " ", options, NULL);
  cl_program p = g_hash_table_lookup (programs, key);

  if (p == NULL)
    {
      g_autofree char *src = svd_cl_context_load_source (ctx, file, error);
      const char *sources[] = { src, NULL };
      SvdClBuildInfo info;

      if (src == NULL || (p = svd_cl_context_build_program (ctx, sources, options, &info, error)) == NULL)
        return NULL;
      g_free (info.cache_path);
      g_hash_table_insert (programs, g_steal_pointer (&key), p);
    }
  return svd_cl_create_kernel (p, name, error);
}

static guint32 rng = 12345;

static float
rnd (void)
{
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (rng & 0xffffff) / (float) 0x1000000 * 2.0f - 1.0f;
}

static float *
rnd_floats (gsize n,
            float scale)
{
  float *v = g_new (float, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    v[i] = rnd () * scale;
  return v;
}

/* Runs @g on the CPU reference and on OpenCL (fp32 and fp16 storage) and
 * compares. */
static void
check_graph (SvdGraph   *g,
             const char *what,
             int         min_steps,
             int         max_steps)
{
  const SvdGraphTensor *ti = svd_graph_tensor (g, g->input), *to = svd_graph_tensor (g, g->output);
  gsize nin = (gsize) ti->c * ti->h * ti->w, nout = (gsize) to->c * to->h * to->w;
  g_autofree float *in = rnd_floats (nin, 1.0f);
  g_autoptr(GError) error = NULL;
  g_autofree float *ref = svd_graph_ref_run (g, in, 1, NULL, &error);

  g_assert_no_error (error);
  /* fp32 and fp16 storage; the device's kernels and, for a CPU device,
   * the GPU-shaped ones too. */
  for (int run = 0; run < 4; run++)
    {
      int half = run % 2, gpu = run / 2;
      g_autoptr(SvdGraphCl) gc = NULL;
      g_autofree float *out = NULL;
      double diff = 0;

      if (gpu && (svd_cl_context_get_info (ctx)->type & CL_DEVICE_TYPE_CPU) == 0)
        break;
      gc = svd_graph_cl_new (ctx, get_kernel, NULL, NULL, half);
      svd_graph_cl_set_gpu_shape (gc, gpu);
      out = svd_graph_cl_run_host (gc, g, in, &error);
      g_assert_no_error (error);
      for (gsize i = 0; i < nout; i++)
        diff = MAX (diff, fabs (out[i] - ref[i]));
      g_test_message ("%s%s%s: %d×%d×%d → %d×%d×%d, max abs %.3g", what, half ? " (fp16 storage)" : "",
                      gpu ? " (GPU kernels)" : "", ti->c, ti->h, ti->w, to->c, to->h, to->w, diff);
      g_assert_cmpfloat (diff, <, half ? 2e-2 : 1e-4);
      if (!half && max_steps > 0)
        {
          g_assert_cmpint (svd_graph_cl_get_n_steps (gc), >=, min_steps);
          g_assert_cmpint (svd_graph_cl_get_n_steps (gc), <=, max_steps);
        }
    }
}

static SvdGraphOp *
conv_op (SvdGraph *g,
         int       in,
         int       oc,
         int       kh,
         int       kw,
         const int pad[4],
         int      *out)
{
  const SvdGraphTensor *t = svd_graph_tensor (g, in);
  int ic = t->c, oh = t->h + pad[0] + pad[2] - kh + 1, ow = t->w + pad[1] + pad[3] - kw + 1;
  SvdGraphOp *op;

  *out = svd_graph_add_tensor (g, oc, oh, ow);
  op = svd_graph_add_op (g, SVD_GRAPH_OP_CONV, &in, 1, *out, "conv");
  op->kh = kh;
  op->kw = kw;
  memcpy (op->pad, pad, sizeof (int) * 4);
  op->weight = rnd_floats ((gsize) oc * ic * kh * kw, 0.3f);
  op->bias = rnd_floats (oc, 0.3f);
  return op;
}

static void
test_conv (void)
{
  static const struct { int ic, oc, kh, kw, pad[4]; SvdGraphAct act; } cases[] = {
    { 5, 8, 3, 3, { 1, 1, 1, 1 }, SVD_GRAPH_ACT_RELU },
    { 12, 48, 3, 3, { 1, 1, 1, 1 }, SVD_GRAPH_ACT_NONE },
    { 7, 6, 1, 1, { 0, 0, 0, 0 }, SVD_GRAPH_ACT_TANH },
    { 3, 5, 5, 3, { 2, 0, 1, 2 }, SVD_GRAPH_ACT_PRELU },
    { 4, 3, 1, 1, { 0, 0, 0, 0 }, SVD_GRAPH_ACT_SILU },
    { 6, 4, 3, 3, { 0, 0, 0, 0 }, SVD_GRAPH_ACT_LEAKY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SvdGraph) g = svd_graph_new ();
      SvdGraphOp *op;
      g_autofree char *what = g_strdup_printf ("conv %dx%d %s", cases[i].kh, cases[i].kw,
                                               svd_graph_act_name (cases[i].act));

      g->input = svd_graph_add_tensor (g, cases[i].ic, 13, 17);
      op = conv_op (g, g->input, cases[i].oc, cases[i].kh, cases[i].kw, cases[i].pad, &g->output);
      op->act = cases[i].act;
      op->alpha = 0.2f;
      if (op->act == SVD_GRAPH_ACT_PRELU)
        op->slope = rnd_floats (cases[i].oc, 0.5f);
      check_graph (g, what, 1, 1);
    }
}

/* SPAN's block: c3 = conv; gate = tanh (conv1x1 (c3)); out = (x + c3) · gate,
 * and conv → Relu, conv → Add: three fused kernels for six ops. */
static void
test_fused_tails (void)
{
  g_autoptr(SvdGraph) g = svd_graph_new ();
  int pad1[4] = { 1, 1, 1, 1 }, pad0[4] = { 0, 0, 0, 0 }, c1, r1, c3, sum, att, th, gate, c4, res;
  SvdGraphOp *op;

  g->input = svd_graph_add_tensor (g, 8, 11, 19);
  conv_op (g, g->input, 8, 3, 3, pad1, &c1);
  r1 = svd_graph_add_tensor (g, 8, 11, 19);
  op = svd_graph_add_op (g, SVD_GRAPH_OP_ACT, &c1, 1, r1, "relu");
  op->act = SVD_GRAPH_ACT_RELU;
  conv_op (g, r1, 8, 3, 3, pad1, &c3);
  sum = svd_graph_add_tensor (g, 8, 11, 19);
  op = svd_graph_add_op (g, SVD_GRAPH_OP_BINARY, (int[]) { g->input, c3 }, 2, sum, "add");
  op->binop = SVD_GRAPH_BIN_ADD;
  conv_op (g, c3, 8, 1, 1, pad0, &att);
  th = svd_graph_add_tensor (g, 8, 11, 19);
  op = svd_graph_add_op (g, SVD_GRAPH_OP_ACT, &att, 1, th, "tanh");
  op->act = SVD_GRAPH_ACT_TANH;
  gate = svd_graph_add_tensor (g, 8, 11, 19);
  op = svd_graph_add_op (g, SVD_GRAPH_OP_BINARY, (int[]) { sum, th }, 2, gate, "mul");
  op->binop = SVD_GRAPH_BIN_MUL;
  conv_op (g, gate, 8, 3, 3, pad1, &c4);
  res = svd_graph_add_tensor (g, 8, 11, 19);
  op = svd_graph_add_op (g, SVD_GRAPH_OP_BINARY, (int[]) { c4, r1 }, 2, res, "residual");
  op->binop = SVD_GRAPH_BIN_ADD;
  g->output = res;
  /* conv+relu, conv, conv1x1+tanh+gate (absorbing the add), conv+residual */
  check_graph (g, "fused conv tails", 4, 4);
}

/* SPAN's tail: a 1x1 conv over a concat of four tensors (19 wide: the
 * last vectors of a row are partly outside the image) reads them in
 * place: two convs and the fused conv, no concat kernel. */
static void
test_concat_1x1 (void)
{
  g_autoptr(SvdGraph) g = svd_graph_new ();
  int pad1[4] = { 1, 1, 1, 1 }, pad0[4] = { 0, 0, 0, 0 }, c1, c2, cat, out;

  g->input = svd_graph_add_tensor (g, 8, 7, 19);
  conv_op (g, g->input, 8, 3, 3, pad1, &c1);
  conv_op (g, c1, 16, 3, 3, pad1, &c2);
  cat = svd_graph_add_tensor (g, 40, 7, 19);
  svd_graph_add_op (g, SVD_GRAPH_OP_CONCAT, (int[]) { c1, g->input, c2, c1 }, 4, cat, "concat");
  conv_op (g, cat, 8, 1, 1, pad0, &out)->act = SVD_GRAPH_ACT_TANH;
  g->output = out;
  check_graph (g, "conv1x1 over a concat", 3, 3);
}

static void
test_elementwise (void)
{
  static const SvdGraphAct acts[] = { SVD_GRAPH_ACT_RELU, SVD_GRAPH_ACT_PRELU, SVD_GRAPH_ACT_LEAKY,
                                      SVD_GRAPH_ACT_SILU, SVD_GRAPH_ACT_SIGMOID, SVD_GRAPH_ACT_TANH,
                                      SVD_GRAPH_ACT_CLAMP };

  for (guint i = 0; i < G_N_ELEMENTS (acts); i++)
    {
      g_autoptr(SvdGraph) g = svd_graph_new ();
      SvdGraphOp *op;

      g->input = svd_graph_add_tensor (g, 3, 7, 9);
      g->output = svd_graph_add_tensor (g, 3, 7, 9);
      op = svd_graph_add_op (g, SVD_GRAPH_OP_ACT, &g->input, 1, g->output, "act");
      op->act = acts[i];
      op->alpha = -0.25f;
      op->beta = 0.5f;
      if (acts[i] == SVD_GRAPH_ACT_LEAKY)
        op->alpha = 0.1f;
      if (acts[i] == SVD_GRAPH_ACT_PRELU)
        op->slope = rnd_floats (3, 1.0f);
      check_graph (g, svd_graph_act_name (acts[i]), 0, 0);
    }
  for (int b = 0; b < 3; b++)
    for (int form = 0; form < 3; form++)
      {
        /* tensor ∘ tensor, tensor ∘ per-channel, scalar ∘ tensor */
        g_autoptr(SvdGraph) g = svd_graph_new ();
        int c1, t;
        SvdGraphOp *op;
        int pad[4] = { 1, 1, 1, 1 };

        g->input = svd_graph_add_tensor (g, 4, 9, 7);
        conv_op (g, g->input, 4, 3, 3, pad, &c1);
        t = svd_graph_add_tensor (g, 4, 9, 7);
        if (form == 0)
          op = svd_graph_add_op (g, SVD_GRAPH_OP_BINARY, (int[]) { g->input, c1 }, 2, t, "bin");
        else
          {
            op = svd_graph_add_op (g, SVD_GRAPH_OP_BINARY, &g->input, 1, t, "bin");
            op->n_konst = form == 1 ? 4 : 1;
            op->konst = rnd_floats (op->n_konst, 2.0f);
            op->konst_first = form == 2;
          }
        op->binop = (SvdGraphBinary) b;
        /* Keep c1 alive so the binary is not fused: concat both. */
        g->output = svd_graph_add_tensor (g, 8, 9, 7);
        svd_graph_add_op (g, SVD_GRAPH_OP_CONCAT, (int[]) { t, c1 }, 2, g->output, "concat");
        check_graph (g, "binary", 0, 0);
      }
}

static void
test_layout_ops (void)
{
  /* Concat, channel slice, pixel (un)shuffle with DCR/CRD-like tables, pad
   * (3 modes), crop, resize (nearest and linear, every coordinate mode). */
  for (int mode = 0; mode < 3; mode++)
    {
      g_autoptr(SvdGraph) g = svd_graph_new ();
      int p, s2d, sl, cat, d2s, cr;
      SvdGraphOp *op;

      g->input = svd_graph_add_tensor (g, 3, 13, 11);
      p = svd_graph_add_tensor (g, 3, 16, 12);
      op = svd_graph_add_op (g, SVD_GRAPH_OP_PAD, &g->input, 1, p, "pad");
      op->pad[0] = 1;
      op->pad[1] = 0;
      op->pad[2] = 2;
      op->pad[3] = 1;
      op->pad_mode = (SvdGraphPadMode) mode;
      op->alpha = 0.5f;
      s2d = svd_graph_add_tensor (g, 12, 8, 6);
      op = svd_graph_add_op (g, SVD_GRAPH_OP_SPACE_TO_DEPTH, &p, 1, s2d, "s2d");
      op->s = 2;
      op->table = g_new (int, 12);
      for (int k = 0; k < 12; k++)
        op->table[k] = (k % 3) * 4 + k / 3;  /* ONNX's DCR order */
      sl = svd_graph_add_tensor (g, 4, 8, 6);
      op = svd_graph_add_op (g, SVD_GRAPH_OP_SLICE_CHANNELS, &s2d, 1, sl, "slice");
      op->c0 = 5;
      cat = svd_graph_add_tensor (g, 16, 8, 6);
      svd_graph_add_op (g, SVD_GRAPH_OP_CONCAT, (int[]) { sl, s2d }, 2, cat, "concat");
      d2s = svd_graph_add_tensor (g, 4, 16, 12);
      op = svd_graph_add_op (g, SVD_GRAPH_OP_DEPTH_TO_SPACE, &cat, 1, d2s, "d2s");
      op->s = 2;
      op->table = g_new (int, 16);
      for (int k = 0; k < 16; k++)
        op->table[k] = (k * 5) % 16;
      cr = svd_graph_add_tensor (g, 4, 13, 11);
      op = svd_graph_add_op (g, SVD_GRAPH_OP_CROP, &d2s, 1, cr, "crop");
      op->pad[0] = 2;
      op->pad[1] = 1;
      g->output = cr;
      check_graph (g, mode == 0 ? "layout (pad constant)" : mode == 1 ? "layout (pad reflect)" : "layout (pad edge)",
                   0, 0);
    }
  for (int lin = 0; lin < 2; lin++)
    for (int coord = 0; coord <= SVD_GRAPH_COORD_ALIGN_CORNERS; coord++)
      for (int rnd_mode = 0; rnd_mode <= (lin ? 0 : SVD_GRAPH_CEIL); rnd_mode++)
        {
          g_autoptr(SvdGraph) g = svd_graph_new ();
          SvdGraphOp *op;

          g->input = svd_graph_add_tensor (g, 3, 7, 9);
          g->output = svd_graph_add_tensor (g, 3, 15, 20);
          op = svd_graph_add_op (g, SVD_GRAPH_OP_RESIZE, &g->input, 1, g->output, "resize");
          op->linear = lin;
          op->coord = (SvdGraphCoord) coord;
          op->round = (SvdGraphRound) rnd_mode;
          check_graph (g, lin ? "resize linear" : "resize nearest", 0, 0);
        }
}

static void
test_span (gconstpointer data)
{
  const char *size = data;
  g_autofree char *mpath = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  g_autofree char *in_path = NULL, *out_path = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL, want = NULL, ref = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdSettings) settings = { 0 };

  if (!g_file_test (mpath, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no ../shared");
      return;
    }
  m = svd_model_load (mpath, &error);
  g_assert_no_error (error);
  in_path = g_strdup_printf ("%s/reference/inputs/bbb_crf34_%s.npy", svd_test_shared_dir (), size);
  out_path = g_strdup_printf ("%s/reference/outputs/" SPAN "__bbb_crf34_%s.npy", svd_test_shared_dir (), size);
  in = svd_test_load_npy (in_path, &error);
  g_assert_no_error (error);
  want = svd_test_load_npy (out_path, &error);
  g_assert_no_error (error);
  ref = svd_model_run_reference_chain (&m, 1, in, 2, NULL, &error);
  g_assert_no_error (error);
  for (int half = 0; half < 2; half++)
    {
      g_autoptr(SvdEngine) engine = NULL;
      g_autoptr(SvdImage) out = NULL;
      g_autoptr(SvdChain) chain = NULL;
      double d_ref, d_ort;

      if (half)
        svd_settings_clear (&settings);   /* the first half's */
      svd_settings_init (&settings);
      svd_settings_apply_env (&settings);
      settings.precision = half ? SVD_PRECISION_FP16 : SVD_PRECISION_FP32;
      engine = svd_engine_new_for_context (ctx, &settings, &error);
      g_assert_no_error (error);
      chain = svd_chain_new_from_models ("span", &m, 1, &error);
      g_assert_no_error (error);
      g_assert_true (svd_engine_set_chain (engine, chain, &error));
      g_assert_no_error (error);
      g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error));
      g_assert_no_error (error);
      d_ref = svd_test_max_abs_diff (out, ref);
      d_ort = svd_test_max_abs_diff (out, want);
      g_test_message ("SPANF3 %s OpenCL%s: vs fp32 CPU reference %.3g, vs ONNX Runtime fp16 %.3g", size,
                      half ? " fp16 storage" : "", d_ref, d_ort);
      if (!half)
        g_assert_cmpfloat (d_ref, <, 2e-3);
      g_assert_cmpfloat (d_ort, <, 1e-2);
    }
}

/* A mixed chain, compact 1x → SPANF3 2x, through the engine (one device
 * pass, no host round trip) against the CPU reference chain. */
static void
test_mixed_chain (void)
{
  g_autofree char *spath = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  g_autofree char *upath = svd_test_shared_path ("models", "seed", "1x_ultra_34_10.pth", NULL);
  g_autoptr(SvdModel) span = NULL, ultra = NULL;
  g_autoptr(SvdImage) in = NULL, ref = NULL, out = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdSettings) settings = { 0 };
  SvdModel *models[2];
  double diff;

  if (!g_file_test (spath, G_FILE_TEST_EXISTS) || !g_file_test (upath, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no ../shared");
      return;
    }
  span = svd_model_load (spath, &error);
  g_assert_no_error (error);
  ultra = svd_model_load (upath, &error);
  g_assert_no_error (error);
  models[0] = ultra;
  models[1] = span;
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 41, 29, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 11);
  ref = svd_model_run_reference_chain (models, 2, in, 2, NULL, &error);
  g_assert_no_error (error);
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  engine = svd_engine_new_for_context (ctx, &settings, &error);
  g_assert_no_error (error);
  chain = svd_chain_new_from_models ("mixed", models, 2, &error);
  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, chain, &error));
  g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error));
  g_assert_no_error (error);
  diff = svd_test_max_abs_diff (out, ref);
  g_test_message ("Ultra 1x → SPANF3 2x on OpenCL vs the CPU reference: max abs %.3g", diff);
  g_assert_cmpfloat (diff, <, 2e-3);
}

/* Under --conv auto the engine makes a graph conv's Winograd variants when
 * a large frame first asks for them, from weights the lent conv must still
 * hold then (it once kept a pointer to a freed copy: CL_INVALID_VALUE). */
static void
test_span_auto (void)
{
  g_autofree char *mpath = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL;
  SvdImage *out[2] = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  double diff;

  if (!g_file_test (mpath, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no ../shared");
      return;
    }
  m = svd_model_load (mpath, &error);
  g_assert_no_error (error);
  /* 512x512: the convs run at 256x256, SVD_CONV_AUTO_MIN_PIXELS. */
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 512, 512, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 3);
  for (int i = 0; i < 2; i++)
    {
      g_auto(SvdSettings) settings = { 0 };
      g_autoptr(SvdEngine) engine = NULL;
      g_autoptr(SvdChain) chain = NULL;

      svd_settings_init (&settings);
      svd_settings_apply_env (&settings);
      settings.conv = i == 0 ? SVD_CONV_MODE_AUTO : SVD_CONV_MODE_DIRECT;
      settings.use_kernel_cache = FALSE;  /* measure, so both variants are made */
      engine = svd_engine_new_for_context (ctx, &settings, &error);
      g_assert_no_error (error);
      chain = svd_chain_new_from_models ("span", &m, 1, &error);
      g_assert_no_error (error);
      g_assert_true (svd_engine_set_chain (engine, chain, &error));
      svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &out[i], NULL, NULL, &error);
      g_assert_no_error (error);
    }
  diff = svd_test_max_abs_diff (out[0], out[1]);
  g_clear_pointer (&out[0], svd_image_unref);
  g_clear_pointer (&out[1], svd_image_unref);
  g_test_message ("SPANF3 512x512, --conv auto vs direct: max abs %.3g", diff);
  g_assert_cmpfloat (diff, <, 1e-3);
}


/* Runs @m on @in with @settings' engine; the tiles it took in *n_tiles. */
static SvdImage *
run_engine (SvdModel    *m,
            SvdSettings *settings,
            SvdImage    *in,
            int         *n_tiles)
{
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(GError) error = NULL;
  SvdEngineTimings t = { 0 };
  SvdImage *out = NULL;

  engine = svd_engine_new_for_context (ctx, settings, &error);
  g_assert_no_error (error);
  chain = svd_chain_new_from_models ("span", &m, 1, &error);
  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, chain, &error));
  g_assert_no_error (error);
  g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &out, &t, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (svd_engine_is_cpu_fallback (engine));
  *n_tiles = t.n_tiles;
  return out;
}

/* Graph chains tile like compact ones: the SPANF3 model pads odd sizes to
 * even and unshuffles by 2, so tiles start on even pixels and overlap by
 * the receptive field read from the graph (17 3x3 convs at half size).
 * Forced small tiles at an odd size give the untiled result: bit for bit
 * with the direct convs (each pixel sums the same terms in the same
 * order), within rounding under auto (Winograd's tile grid moves). */
static void
test_span_tiles (void)
{
  g_autofree char *mpath = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (mpath, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no ../shared");
      return;
    }
  m = svd_model_load (mpath, &error);
  g_assert_no_error (error);
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 157, 91, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 5);
  for (int mode = 0; mode < 3; mode++)
    {
      g_auto(SvdSettings) settings = { 0 };
      g_autoptr(SvdImage) whole = NULL, tiled = NULL;
      int n_whole, n_tiled;
      double diff;

      svd_settings_init (&settings);
      svd_settings_apply_env (&settings);
      settings.conv = mode == 0 ? SVD_CONV_MODE_DIRECT : SVD_CONV_MODE_AUTO;
      settings.precision = mode == 2 ? SVD_PRECISION_FP16 : SVD_PRECISION_FP32;
      whole = run_engine (m, &settings, in, &n_whole);
      settings.max_tile = 37;   /* odd: the engine puts it on the grid */
      tiled = run_engine (m, &settings, in, &n_tiled);
      diff = svd_test_max_abs_diff (whole, tiled);
      g_test_message ("SPANF3 157x91 %s%s: %d tiles vs whole, max abs %.3g", mode == 0 ? "direct" : "auto",
                      mode == 2 ? " fp16" : "", n_tiled, diff);
      g_assert_cmpint (n_whole, ==, 1);
      /* 36-pixel tiles: 5 x 3 */
      g_assert_cmpint (n_tiled, ==, 15);
      if (mode == 0)
        g_assert_cmpfloat (diff, ==, 0.0);
      else
        g_assert_cmpfloat (diff, <, mode == 2 ? 2e-3 : 1e-4);
    }
}

/* Run with SVD_FAULT_INJECT=host-mem:B (meson: graph-cl-host-mem): the
 * host has too little left for the whole frame's buffers (the 192-channel
 * concat alone was larger than B), so the engine plans tiles on OpenCL
 * instead of falling back to the CPU reference, and the result is the
 * tiled one of the unlimited plan. */
static void
test_span_host_mem (void)
{
  g_autofree char *mpath = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL, limited = NULL, forced = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdSettings) settings = { 0 };
  int n_limited, n_forced;
  double diff;

  if (!g_file_test (mpath, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no ../shared");
      return;
    }
  if (svd_fault_host_memory_cap () == G_MAXUINT64)
    {
      g_test_skip ("needs SVD_FAULT_INJECT=host-mem:B (meson test graph-cl-host-mem)");
      return;
    }
  if ((svd_cl_context_get_info (ctx)->type & CL_DEVICE_TYPE_CPU) == 0)
    {
      g_test_skip ("the host limit bounds CPU devices only");
      return;
    }
  m = svd_model_load (mpath, &error);
  g_assert_no_error (error);
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, HOST_MEM_W, HOST_MEM_H, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 9);
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  settings.conv = SVD_CONV_MODE_DIRECT;
  /* Said once, as for compact chains. */
  g_test_expect_message ("svd-engine", G_LOG_LEVEL_WARNING,
                         "Not enough memory on * frame in one piece (*): processing in *x* tiles");
  limited = run_engine (m, &settings, in, &n_limited);
  g_test_assert_expected_messages ();
  g_test_message ("SPANF3 %dx%d under a %" G_GUINT64_FORMAT "-byte host limit: %d tiles", HOST_MEM_W, HOST_MEM_H,
                  svd_fault_host_memory_cap (), n_limited);
  g_assert_cmpint (n_limited, >, 1);
  /* The same tiles by request (tiled = whole: /graph-cl/span/tiles). */
  settings.max_tile = (int) sqrt ((double) HOST_MEM_W * HOST_MEM_H / n_limited) + 8;
  forced = run_engine (m, &settings, in, &n_forced);
  diff = svd_test_max_abs_diff (limited, forced);
  g_test_message ("vs %d requested tiles: max abs %.3g", n_forced, diff);
  g_assert_cmpfloat (diff, ==, 0.0);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  ctx = svd_test_cl_context ();
  programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) clReleaseProgram);
  g_test_add_func ("/graph-cl/conv", test_conv);
  g_test_add_func ("/graph-cl/fused-tails", test_fused_tails);
  g_test_add_func ("/graph-cl/concat-1x1", test_concat_1x1);
  g_test_add_func ("/graph-cl/elementwise", test_elementwise);
  g_test_add_func ("/graph-cl/layout", test_layout_ops);
  g_test_add_data_func ("/graph-cl/span/37x53", "37x53", test_span);
  g_test_add_data_func ("/graph-cl/span/64x96", "64x96", test_span);
  g_test_add_func ("/graph-cl/mixed-chain", test_mixed_chain);
  g_test_add_func ("/graph-cl/span/conv-auto", test_span_auto);
  g_test_add_func ("/graph-cl/span/tiles", test_span_tiles);
  g_test_add_func ("/graph-cl/span/host-mem", test_span_host_mem);
  ret = g_test_run ();
  g_hash_table_unref (programs);
  svd_cl_context_unref (ctx);
  return ret;
}
