/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-bench-matrix"

#include "svd-bench-matrix.h"
#include "core/svd-error.h"
#include "core/svd-file.h"
#include "core/svd-json-depth.h"
#include "core/svd-limits.h"
#include "engine/svd-color.h"
#include "model/svd-graph.h"
#include "metrics/svd-metrics.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void
svd_bench_matrix_options_init (SvdBenchMatrixOptions *options)
{
  memset (options, 0, sizeof *options);
  options->warmup = 2;
  options->frames = 5;
  options->n_quality_frames = 5;
}

void
svd_bench_matrix_row_free (SvdBenchMatrixRow *row)
{
  if (row == NULL)
    return;
  g_free (row->device);
  g_free (row->chain);
  g_free (row->spec);
  g_free (row->key);
  g_free (row);
}

/**
 * svd_model_weights_sha256:
 *
 * A hash of the weights themselves, so resume recognises a model whatever
 * file or format it came from.
 *
 * Returns: (transfer full): hex SHA-256
 */
char *
svd_model_weights_sha256 (const SvdModel *model)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gint32 shape[4] = { model->nf, model->num_conv, model->scale, model->clamp_output };

  g_checksum_update (sum, (const guchar *) shape, sizeof shape);
  if (model->graph != NULL)
    {
      /* A graph model is its ONNX file. */
      gsize len;
      const guchar *data = g_bytes_get_data (svd_graph_source_get_bytes (model->graph), &len);

      g_checksum_update (sum, data, len);
    }
  for (int l = 0; l < model->n_layers; l++)
    {
      const SvdConvLayer *L = &model->layers[l];

      g_checksum_update (sum, (const guchar *) L->weight, sizeof (float) * L->out_ch * L->in_ch * 9);
      g_checksum_update (sum, (const guchar *) L->bias, sizeof (float) * L->out_ch);
      if (L->slope != NULL)
        g_checksum_update (sum, (const guchar *) L->slope, sizeof (float) * L->out_ch);
    }
  return g_strdup (g_checksum_get_string (sum));
}

int
svd_bench_matrix_count (const SvdBenchMatrixOptions *o)
{
  int n = 1;

  for (guint s = 0; s < o->slots->len; s++)
    n *= ((GPtrArray *) o->slots->pdata[s])->len;
  return n * o->n_sizes;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        int     n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- JSON / CSV ---- */

static void
row_to_json (JsonBuilder             *b,
             const SvdBenchMatrixRow *r)
{
  json_builder_begin_object (b);
#define S(k, v) json_builder_set_member_name (b, k); json_builder_add_string_value (b, v)
#define I(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
#define D(k, v) json_builder_set_member_name (b, k); json_builder_add_double_value (b, v)
  S ("device", r->device);
  S ("precision", r->precision == SVD_PRECISION_FP16 ? "fp16" : "fp32");
  S ("chain", r->chain);
  if (r->spec != NULL)
    {
      S ("spec", r->spec);
    }
  S ("key", r->key);
  I ("in_width", r->in_width);
  I ("in_height", r->in_height);
  I ("out_width", r->out_width);
  I ("out_height", r->out_height);
  D ("gflop", r->gflop);
  json_builder_set_member_name (b, "stage_ms");
  json_builder_begin_array (b);
  for (int i = 0; i < r->n_stages; i++)
    json_builder_add_double_value (b, r->stage_ms[i]);
  json_builder_end_array (b);
  D ("total_ms", r->total_ms);
  D ("fps", r->fps);
  if (r->has_quality)
    {
      I ("quality_frames", r->quality_frames);
      D ("psnr_rgb", r->psnr_rgb);
      D ("psnr_y", r->psnr_y);
      D ("ssim_y", r->ssim_y);
    }
#undef S
#undef I
#undef D
  json_builder_end_object (b);
}

gboolean
svd_bench_matrix_save_json (GPtrArray   *rows,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "svd-studio-bench-matrix");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "measured");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    row_to_json (b, rows->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  if (!g_file_set_contents (path, text, -1, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

static double
member_double (JsonObject *o,
               const char *k)
{
  JsonNode *n = json_object_get_member (o, k);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

/* A string member, or @def when it is missing, not a string (json-glib
 * would return NULL for a number, and the rows' strings are never NULL) or
 * not UTF-8 text (an unpaired surrogate escape decodes to bytes that are
 * not; the rows are shown and written back). */
static const char *
member_string (JsonObject *o,
               const char *k,
               const char *def)
{
  JsonNode *n = json_object_get_member (o, k);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING &&
         g_utf8_validate (json_node_get_string (n), -1, NULL)
         ? json_node_get_string (n) : def;
}

static int
member_int (JsonObject *o,
            const char *k)
{
  double v = member_double (o, k);

  return isfinite (v) && v >= 0 && v <= 65536 ? (int) v : 0;
}

/**
 * svd_bench_matrix_parse:
 * @data: the text of a results file
 * @length: its length, or -1 when NUL-terminated
 * @path: the file's name, for messages
 * @error: return location for an error
 *
 * Reads a results file written by svd_bench_matrix_save_json(). The file
 * may have been edited or replaced: nesting is checked before json-glib
 * parses it (SVD_LIMIT_JSON_DEPTH), and members of the wrong type read
 * as missing.
 *
 * Returns: (transfer full) (element-type SvdBenchMatrixRow): the measured
 *   rows, or %NULL with @error set
 */
GPtrArray *
svd_bench_matrix_parse (const char  *data,
                        gssize       length,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_bench_matrix_row_free);
  JsonNode *root, *measured;
  JsonArray *a;

  if (!svd_json_check_depth (data, length, SVD_LIMIT_JSON_DEPTH, path, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, length, &local))
    {
      g_autofree char *shown = svd_json_error_text (local);

      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Cannot read the results “%s”: %s", path, shown);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      g_strcmp0 (member_string (json_node_get_object (root), "format", ""), "svd-studio-bench-matrix") != 0 ||
      (measured = json_object_get_member (json_node_get_object (root), "measured")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (measured))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” is not an SVD Studio benchmark matrix result file", path);
      return NULL;
    }
  a = json_node_get_array (measured);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *rn = json_array_get_element (a, i);
      JsonNode *sn;
      JsonObject *ro;
      SvdBenchMatrixRow *r;

      if (!JSON_NODE_HOLDS_OBJECT (rn))
        continue;
      ro = json_node_get_object (rn);
      r = g_new0 (SvdBenchMatrixRow, 1);
      r->device = g_strdup (member_string (ro, "device", ""));
      /* Files written before the precision was recorded hold fp32 rows. */
      r->precision = g_strcmp0 (member_string (ro, "precision", "fp32"), "fp16") == 0
                       ? SVD_PRECISION_FP16 : SVD_PRECISION_FP32;
      r->chain = g_strdup (member_string (ro, "chain", ""));
      r->spec = g_strdup (member_string (ro, "spec", NULL));
      r->key = g_strdup (member_string (ro, "key", ""));
      r->in_width = member_int (ro, "in_width");
      r->in_height = member_int (ro, "in_height");
      r->out_width = member_int (ro, "out_width");
      r->out_height = member_int (ro, "out_height");
      r->gflop = member_double (ro, "gflop");
      sn = json_object_get_member (ro, "stage_ms");
      if (sn != NULL && JSON_NODE_HOLDS_ARRAY (sn))
        {
          JsonArray *st = json_node_get_array (sn);

          for (guint k = 0; k < json_array_get_length (st) && k < SVD_ENGINE_MAX_STAGES; k++)
            {
              JsonNode *e = json_array_get_element (st, k);

              r->stage_ms[r->n_stages++] = JSON_NODE_HOLDS_VALUE (e) ? json_node_get_double (e) : NAN;
            }
        }
      r->total_ms = member_double (ro, "total_ms");
      r->fps = member_double (ro, "fps");
      r->has_quality = json_object_has_member (ro, "psnr_y");
      if (r->has_quality)
        {
          r->quality_frames = member_int (ro, "quality_frames");
          r->psnr_rgb = member_double (ro, "psnr_rgb");
          r->psnr_y = member_double (ro, "psnr_y");
          r->ssim_y = member_double (ro, "ssim_y");
        }
      g_ptr_array_add (rows, r);
    }
  return g_steal_pointer (&rows);
}

/**
 * svd_bench_matrix_load:
 * @path: a results file
 * @error: return location for an error
 *
 * svd_bench_matrix_parse() on @path, which must be a regular file of at
 * most SVD_LIMIT_BENCH_MATRIX_BYTES.
 *
 * Returns: (transfer full) (element-type SvdBenchMatrixRow): the measured rows
 */
GPtrArray *
svd_bench_matrix_load (const char  *path,
                       GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!svd_file_read_regular (path, SVD_LIMIT_BENCH_MATRIX_BYTES, &data, &len, error))
    return NULL;
  return svd_bench_matrix_parse (data, (gssize) len, path, error);
}

static void
append_csv_double (GString *s,
                   double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

static void
append_csv_string (GString    *s,
                   const char *v)
{
  g_string_append_c (s, '"');
  for (const char *p = v; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

/**
 * svd_bench_matrix_to_csv:
 * Returns: (transfer full): the rows as CSV with a header line; per-stage
 *   times are joined with ';' in one column
 */
char *
svd_bench_matrix_to_csv (GPtrArray *rows)
{
  GString *s = g_string_new ("device,chain,in_width,in_height,out_width,out_height,gflop,stage_ms,total_ms,fps,"
                             "quality_frames,psnr_rgb,psnr_y,ssim_y,key,precision\n");

  for (guint i = 0; i < rows->len; i++)
    {
      const SvdBenchMatrixRow *r = rows->pdata[i];

      append_csv_string (s, r->device);
      g_string_append_c (s, ',');
      append_csv_string (s, r->chain);
      g_string_append_printf (s, ",%d,%d,%d,%d,", r->in_width, r->in_height, r->out_width, r->out_height);
      append_csv_double (s, r->gflop);
      g_string_append (s, ",\"");
      for (int k = 0; k < r->n_stages; k++)
        {
          if (k)
            g_string_append_c (s, ';');
          append_csv_double (s, r->stage_ms[k]);
        }
      g_string_append (s, "\",");
      append_csv_double (s, r->total_ms);
      g_string_append_c (s, ',');
      append_csv_double (s, r->fps);
      if (r->has_quality)
        {
          g_string_append_printf (s, ",%d,", r->quality_frames);
          append_csv_double (s, r->psnr_rgb);
          g_string_append_c (s, ',');
          append_csv_double (s, r->psnr_y);
          g_string_append_c (s, ',');
          append_csv_double (s, r->ssim_y);
        }
      else
        g_string_append (s, ",,,,");
      g_string_append_c (s, ',');
      append_csv_string (s, r->key);
      g_string_append (s, r->precision == SVD_PRECISION_FP16 ? ",fp16\n" : ",fp32\n");
    }
  return g_string_free (s, FALSE);
}

gboolean
svd_bench_matrix_save_csv (GPtrArray   *rows,
                           const char  *path,
                           GError     **error)
{
  g_autofree char *text = svd_bench_matrix_to_csv (rows);
  g_autoptr(GError) local = NULL;

  if (!g_file_set_contents (path, text, -1, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- Pareto front and recommendation ---- */

double
svd_bench_matrix_row_quality (const SvdBenchMatrixRow *row,
                              SvdQualityMetric         metric)
{
  if (!row->has_quality)
    return NAN;
  switch (metric)
    {
    case SVD_QUALITY_PSNR_RGB:
      return row->psnr_rgb;
    case SVD_QUALITY_SSIM_Y:
      return row->ssim_y;
    case SVD_QUALITY_PSNR_Y:
    default:
      return row->psnr_y;
    }
}

/**
 * svd_bench_matrix_pareto:
 *
 * A row is on the front when no other row with quality is at least as fast
 * and at least as good, and strictly better in one of the two.
 *
 * Returns: (transfer full) (element-type guint): indices into @rows of the
 *   front, fastest first
 */
GArray *
svd_bench_matrix_pareto (GPtrArray        *rows,
                         SvdQualityMetric  metric)
{
  GArray *front = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < rows->len; i++)
    {
      const SvdBenchMatrixRow *a = rows->pdata[i];
      double qa = svd_bench_matrix_row_quality (a, metric);
      gboolean dominated = FALSE;

      if (isnan (qa))
        continue;
      for (guint j = 0; j < rows->len && !dominated; j++)
        {
          const SvdBenchMatrixRow *b = rows->pdata[j];
          double qb = svd_bench_matrix_row_quality (b, metric);

          if (j == i || isnan (qb))
            continue;
          dominated = b->fps >= a->fps && qb >= qa && (b->fps > a->fps || qb > qa);
        }
      if (!dominated)
        g_array_append_val (front, i);
    }
  /* Fastest first, for drawing the front as a line. */
  for (guint i = 1; i < front->len; i++)
    for (guint k = i; k > 0; k--)
      {
        guint *v = (guint *) front->data;

        if (((SvdBenchMatrixRow *) rows->pdata[v[k]])->fps > ((SvdBenchMatrixRow *) rows->pdata[v[k - 1]])->fps)
          {
            guint t = v[k];

            v[k] = v[k - 1];
            v[k - 1] = t;
          }
      }
  return front;
}

/**
 * svd_bench_matrix_recommend:
 * @out_width: @out_height: the target output size, or 0 for any
 *
 * Returns: the index of the best-quality row whose fps ≥ @target_fps at
 *   that output size (faster wins a tie), or -1 when none qualifies
 */
int
svd_bench_matrix_recommend (GPtrArray        *rows,
                            SvdQualityMetric  metric,
                            double            target_fps,
                            int               out_width,
                            int               out_height)
{
  int best = -1;

  for (guint i = 0; i < rows->len; i++)
    {
      const SvdBenchMatrixRow *r = rows->pdata[i];
      double q = svd_bench_matrix_row_quality (r, metric);

      if (isnan (q) || r->fps < target_fps)
        continue;
      if (out_width > 0 && (r->out_width != out_width || r->out_height != out_height))
        continue;
      if (best < 0)
        best = (int) i;
      else
        {
          const SvdBenchMatrixRow *b = rows->pdata[best];
          double qb = svd_bench_matrix_row_quality (b, metric);

          if (q > qb || (q == qb && r->fps > b->fps))
            best = (int) i;
        }
    }
  return best;
}

/* ---- Running ---- */

static SvdImage *
timing_frame (int      w,
              int      h,
              GError **error)
{
  SvdImage *im = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, error);

  if (im == NULL)
    return NULL;
  /* Content does not change the arithmetic; a smooth pattern with edges. */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      {
        float *row = (float *) (im->data[c] + (gsize) y * im->stride[c]);

        for (int x = 0; x < w; x++)
          row[x] = (float) (0.5 + 0.3 * sin (x * 0.05 + c) * cos (y * 0.03) + 0.1 * (((x / 16) + (y / 16)) % 2));
      }
  return im;
}

static gboolean
measure_quality (SvdEngine                   *engine,
                 const SvdBenchMatrixOptions *o,
                 SvdBenchMatrixRow           *row,
                 int                          scale,
                 GCancellable                *cancellable,
                 GError                     **error)
{
  SvdReader *in = svd_session_source_get_input (o->source);
  const SvdVideoInfo *info = svd_reader_get_info (in);
  double sum_rgb = 0, sum_y = 0, sum_ssim = 0;
  int n = 0;

  for (int f = 0; f < o->n_quality_frames; f++)
    {
      gint64 idx = o->first_frame + f;
      g_autoptr(SvdImage) input = NULL;
      g_autoptr(SvdImage) ref = NULL;
      g_autoptr(SvdImage) ref_rgb = NULL;
      g_autoptr(SvdImage) out = NULL;
      SvdMetricsOptions mo = { 0 };
      SvdMetricsFrame fr;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (info->n_frames > 0 && idx >= info->n_frames)
        break;
      input = svd_session_source_read_input (o->source, idx, error);
      if (input == NULL)
        return FALSE;
      ref = svd_session_source_read_reference (o->source, idx, error);
      if (ref == NULL)
        return FALSE;
      if (ref->width != input->width * scale || ref->height != input->height * scale)
        return TRUE; /* this chain's scale does not match the reference: no quality */
      if (ref->format != SVD_PIXEL_FORMAT_RGB_F32)
        {
          ref_rgb = svd_color_to_rgbf32_ref (ref, error);
          if (ref_rgb == NULL)
            return FALSE;
        }
      if (!svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, cancellable, error))
        return FALSE;
      svd_metrics_frame_init (&fr);
      if (!svd_metrics_compute (ref_rgb != NULL ? ref_rgb : ref, out, &mo, &fr, NULL, NULL, error))
        return FALSE;
      sum_rgb += fr.psnr_rgb;
      sum_y += fr.psnr_y;
      sum_ssim += fr.has_ssim ? fr.ssim_y : 0;
      n++;
    }
  if (n > 0)
    {
      row->has_quality = TRUE;
      row->quality_frames = n;
      row->psnr_rgb = sum_rgb / n;
      row->psnr_y = sum_y / n;
      row->ssim_y = sum_ssim / n;
    }
  return TRUE;
}

/* What the quality of a row was measured on: the input and reference
 * files (a synthesized input's cache name carries its recipe: scale,
 * filter, CRF), the pairing offset and the scored frames. Part of the
 * resume key, so a resumed run never keeps rows scored another way.
 * NULL without quality. */
static char *
bench_matrix_quality_tag (const SvdBenchMatrixOptions *o)
{
  const SvdPairReport *report;
  g_autofree char *id = NULL;
  g_autofree char *hash = NULL;

  if (o->source == NULL || svd_session_source_get_mode (o->source) == SVD_REFERENCE_NONE)
    return NULL;
  report = svd_session_source_get_report (o->source);
  id = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%d",
                        svd_session_source_get_input_path (o->source),
                        svd_session_source_get_reference_path (o->source),
                        report != NULL ? report->offset : 0, o->first_frame, o->n_quality_frames);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
  return g_strdup_printf ("q:%.16s", hash);
}

/**
 * svd_bench_matrix_run:
 * @options: what to run
 * @settings: engine settings (device choice)
 * @progress: (nullable): called after every combination
 * @cancellable: (nullable): checked between runs
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type SvdBenchMatrixRow): every row,
 *   resumed ones included, in combination order
 */
GPtrArray *
svd_bench_matrix_run (const SvdBenchMatrixOptions *o,
                      const SvdSettings           *settings,
                      SvdBenchMatrixProgress       progress,
                      gpointer                     user_data,
                      GCancellable                *cancellable,
                      GError                     **error)
{
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(GPtrArray) previous = NULL;
  g_autofree char *quality_tag = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_bench_matrix_row_free);
  g_autoptr(GHashTable) hashes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  guint n_slots = o->slots->len;
  g_autofree guint *idx = g_new0 (guint, MAX (n_slots, 1));
  /* As asked for: the CPU reference ignores it, and its rows say so by
   * their device. */
  const SvdPrecision precision = settings->precision;
  int total, done = 0;

  if (n_slots == 0 || n_slots > SVD_ENGINE_MAX_STAGES || o->n_sizes < 1 || o->frames < 1)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "The matrix needs 1 to %d slots, at least one size and one timed frame", SVD_ENGINE_MAX_STAGES);
      return NULL;
    }
  for (guint s = 0; s < n_slots; s++)
    {
      GPtrArray *slot = o->slots->pdata[s];

      if (slot->len == 0)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Slot %u is empty", s + 1);
          return NULL;
        }
      for (guint k = 0; k < slot->len; k++)
        if (slot->pdata[k] != NULL && !g_hash_table_contains (hashes, slot->pdata[k]))
          g_hash_table_insert (hashes, slot->pdata[k], svd_model_weights_sha256 (slot->pdata[k]));
    }
  engine = svd_engine_new (settings, error);
  if (engine == NULL)
    return NULL;
  if (o->results_path != NULL && g_file_test (o->results_path, G_FILE_TEST_EXISTS))
    {
      previous = svd_bench_matrix_load (o->results_path, error);
      if (previous == NULL)
        return NULL;
    }
  total = svd_bench_matrix_count (o);
  quality_tag = bench_matrix_quality_tag (o);

  for (;;)
    {
      g_autoptr(SvdChain) steps = svd_chain_new (NULL);
      g_autofree char *spec = NULL;
      guint n = 0;
      int scale = 1;

      for (guint s = 0; s < n_slots; s++)
        {
          SvdModel *m = ((GPtrArray *) o->slots->pdata[s])->pdata[idx[s]];

          if (m != NULL)
            {
              n++;
              scale *= m->scale;
              if (!svd_chain_add_model (steps, m, error))
                return NULL;
            }
        }
      /* The row names its chain as text that reads back, so whoever shows
       * the row (the matrix window) can export the very same chain. */
      spec = n > 0 ? svd_chain_to_string (steps, NULL, NULL) : NULL;

      for (int z = 0; z < o->n_sizes; z++)
        {
          int w = o->widths[z], h = o->heights[z];
          g_autoptr(GString) key = g_string_new (NULL);
          g_autofree char *label = svd_chain_get_label (steps);
          SvdBenchMatrixRow *row = NULL;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;
          done++;
          if (n == 0)
            {
              if (progress != NULL)
                progress (done, total, NULL, user_data);
              continue;
            }
          /* fp16 rows are another measurement than fp32 ones: the key
           * says so (fp32 keys stay as they were, so older files resume). */
          g_string_append_printf (key, "%s%s|%dx%d", svd_engine_get_device_name (engine),
                                  precision == SVD_PRECISION_FP16 ? "/fp16" : "", w, h);
          for (guint k = 0; k < n; k++)
            g_string_append_printf (key, "|%s", (const char *) g_hash_table_lookup (
                                      hashes, ((SvdChainStep *) g_ptr_array_index (steps->steps, k))->model));
          if (quality_tag != NULL)
            g_string_append_printf (key, "|%s", quality_tag);
          for (guint k = 0; previous != NULL && k < previous->len; k++)
            {
              SvdBenchMatrixRow *p = previous->pdata[k];

              if (p != NULL && g_strcmp0 (p->key, key->str) == 0)
                {
                  row = g_steal_pointer (&previous->pdata[k]);
                  break;
                }
            }
          if (row != NULL)
            {
              g_ptr_array_add (rows, row);
              if (progress != NULL)
                progress (done, total, NULL, user_data);
              continue;
            }

          {
            g_autoptr(SvdImage) frame = timing_frame (w, h, error);
            g_autofree double *totals = g_new0 (double, o->frames);
            g_autofree double *stages = g_new0 (double, (gsize) o->frames * n);

            if (frame == NULL)
              return NULL;
            if (!svd_engine_set_chain (engine, steps, error))
              return NULL;
            for (int r = 0; r < o->warmup + o->frames; r++)
              {
                g_autoptr(SvdImage) out = NULL;
                SvdEngineTimings t = { 0 };

                if (!svd_engine_process (engine, frame, SVD_PIXEL_FORMAT_RGB_F32, &out, &t, cancellable, error))
                  return NULL;
                if (r >= o->warmup)
                  {
                    totals[r - o->warmup] = t.total_ms;
                    for (guint k = 0; k < n; k++)
                      stages[k * o->frames + (r - o->warmup)] = t.stage_ms[k];
                  }
              }
            row = g_new0 (SvdBenchMatrixRow, 1);
            row->device = g_strdup (svd_engine_get_device_name (engine));
            row->precision = precision;
            row->chain = g_strdup (label);
            row->spec = g_strdup (spec);
            row->key = g_strdup (key->str);
            row->in_width = w;
            row->in_height = h;
            row->out_width = w * scale;
            row->out_height = h * scale;
            row->gflop = svd_chain_get_gflop (steps, w, h);
            row->n_stages = n;
            for (guint k = 0; k < n; k++)
              row->stage_ms[k] = median (stages + k * o->frames, o->frames);
            row->total_ms = median (totals, o->frames);
            row->fps = row->total_ms > 0 ? 1000.0 / row->total_ms : 0;
            g_ptr_array_add (rows, row);
          }
          /* Quality once per chain (it does not depend on the timing size). */
          if (o->source != NULL && svd_session_source_get_mode (o->source) != SVD_REFERENCE_NONE)
            {
              SvdBenchMatrixRow *same = NULL;

              for (guint k = 0; k + 1 < rows->len && same == NULL; k++)
                {
                  SvdBenchMatrixRow *p = rows->pdata[k];

                  if (p->has_quality && g_strcmp0 (strchr (strchr (p->key, '|') + 1, '|'),
                                                   strchr (strchr (row->key, '|') + 1, '|')) == 0)
                    same = p;
                }
              if (same != NULL)
                {
                  row->has_quality = TRUE;
                  row->quality_frames = same->quality_frames;
                  row->psnr_rgb = same->psnr_rgb;
                  row->psnr_y = same->psnr_y;
                  row->ssim_y = same->ssim_y;
                }
              else if (!measure_quality (engine, o, row, scale, cancellable, error))
                return NULL;
            }
          /* Saved after every row, so an interrupted run resumes here. */
          if (o->results_path != NULL && !svd_bench_matrix_save_json (rows, o->results_path, error))
            return NULL;
          if (o->csv_path != NULL && !svd_bench_matrix_save_csv (rows, o->csv_path, error))
            return NULL;
          if (progress != NULL)
            progress (done, total, row, user_data);
        }

      /* Next combination, last slot fastest. */
      {
        int s = (int) n_slots - 1;

        while (s >= 0)
          {
            if (++idx[s] < ((GPtrArray *) o->slots->pdata[s])->len)
              break;
            idx[s] = 0;
            s--;
          }
        if (s < 0)
          break;
      }
    }
  if (o->results_path != NULL && !svd_bench_matrix_save_json (rows, o->results_path, error))
    return NULL;
  if (o->csv_path != NULL && !svd_bench_matrix_save_csv (rows, o->csv_path, error))
    return NULL;
  return g_steal_pointer (&rows);
}

/**
 * svd_bench_matrix_device_name:
 * @settings: engine settings
 *
 * The name svd_engine_get_device_name() reports for an engine made with
 * @settings, which is what rows record in @device, found without making
 * an engine (it lists the OpenCL devices only).
 *
 * Returns: (transfer full): the device's name
 */
char *
svd_bench_matrix_device_name (const SvdSettings *settings)
{
  g_autoptr(GPtrArray) devices = NULL;
  SvdClDeviceInfo *info;

  if (g_strcmp0 (settings->device, "cpu-ref") == 0)
    return g_strdup ("CPU reference (no OpenCL)");
  devices = svd_cl_list_devices (NULL);
  if (devices == NULL || devices->len == 0)
    return g_strdup ("CPU reference (no OpenCL)");
  info = svd_cl_choose_device (devices, settings->device, NULL);
  if (info == NULL)
    return g_strdup (settings->device != NULL ? settings->device : "");
  return g_strdup_printf ("%s (%s)", info->name, info->platform_name);
}

/**
 * svd_bench_matrix_row_is_stale:
 * @row: a row
 * @device_name: the device the current settings choose, as
 *   svd_bench_matrix_device_name() names it
 * @precision: the precision the current settings choose
 *
 * Returns: whether @row was measured on another device or at another
 *   precision, so that its timing does not describe the current settings
 */
gboolean
svd_bench_matrix_row_is_stale (const SvdBenchMatrixRow *row,
                               const char              *device_name,
                               SvdPrecision             precision)
{
  return g_strcmp0 (row->device, device_name) != 0 || row->precision != precision;
}
