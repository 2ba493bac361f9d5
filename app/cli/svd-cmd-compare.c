/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "core/svd-output.h"
#include "core/svd-png.h"
#include "media/svd-degrade.h"
#include "session/svd-readout-format.h"
#include "session/svd-heatmap.h"
#include "session/svd-session.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* `svd compare`: the GUI's comparison session without a window. The same
 * SvdSession opens the clip in its reference mode, runs every chain and the
 * metrics on one worker (one OpenCL context) and DISTS on its own, so a
 * frame's numbers here are the ones the window shows for it. Frames are
 * asked for one at a time, and DISTS (when asked) for each frame before the
 * next, so nothing lags or is skipped as it may during playback. */

typedef struct {
  gint64               index;
  SvdSessionChainFrame chains[SVD_SESSION_MAX_CHAINS];  /* no images */
  gboolean             has_dists[SVD_SESSION_MAX_CHAINS];
  double               dists[SVD_SESSION_MAX_CHAINS];
  double               compute_ms;
} CompareFrame;

typedef struct {
  GMainLoop      *loop;
  SvdSession     *session;
  SvdSessionInfo  info;
  gboolean        opened;
  GError         *error;
  gint64          first;
  gint64          end;        /* exclusive; -1: the clip's end */
  gint64          next;
  guint64         serial;
  guint           n_chains;
  SvdDistsMode    dists_mode;
  gboolean        want_dists;
  gboolean        dists_asked; /* --dists named a variant */
  gboolean        progress;   /* on a terminal */
  GArray         *frames;     /* CompareFrame */
  const char     *save_dir;   /* --save-frames */
  int             difference; /* --difference: its gain, 0 without */
  gboolean        save_force;
  const char     *clip;
  guint           n_displays; /* svd_session_get_n_displays() at the end */
} Compare;

/* --save-frames: each frame's source, reference and chain outputs as
 * 8-bit PNG files named as the app's "Save Frame Images" names them, with
 * the frame numbered from 1 as the output prints it, e.g.
 * clip-frame000042-chain1.png for --frames 41:42; with --difference G,
 * each chain's difference overlay as the app's Difference view shows it
 * at ×G, e.g. clip-frame000042-chain1-difference-x1.png. */
static gboolean
save_png (Compare        *self,
          const SvdImage *image,
          const char     *name,
          GError        **error)
{
  const char *inputs[] = { self->clip, NULL };
  g_autofree char *path = g_build_filename (self->save_dir, name, NULL);

  return svd_output_check (path, inputs, self->save_force ? SVD_OUTPUT_FORCE : SVD_OUTPUT_NONE, error)
         && svd_png_save (image, path, 8, error);
}

static gboolean
save_frame_images (Compare         *self,
                   SvdSessionFrame *frame,
                   GError         **error)
{
  g_autofree char *stem = g_path_get_basename (self->clip);
  char *dot = strrchr (stem, '.');

  if (dot != NULL && dot != stem)
    *dot = '\0';
  for (int i = -2; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      SvdImage *image = i == -2 ? frame->reference : i == -1 ? frame->source : frame->chains[i].display;
      g_autofree char *name = NULL;

      if (image == NULL)
        continue;
      if (i < 0)
        name = g_strdup_printf ("%s-frame%06" G_GINT64_FORMAT "-%s.png", stem, frame->index + 1,
                                i == -2 ? "reference" : "source");
      else
        name = g_strdup_printf ("%s-frame%06" G_GINT64_FORMAT "-chain%d.png", stem, frame->index + 1, i + 1);
      if (!save_png (self, image, name, error))
        return FALSE;
      if (i >= 0 && self->difference > 0 && frame->chains[i].difference != NULL)
        {
          g_autoptr(SvdImage) overlay = svd_heatmap_difference (frame->chains[i].difference, self->difference, error);
          g_autofree char *diff_name = NULL;

          if (overlay == NULL)
            return FALSE;
          diff_name = g_strdup_printf ("%s-frame%06" G_GINT64_FORMAT "-chain%d-difference-x%d.png", stem,
                                       frame->index + 1, i + 1, self->difference);
          if (!save_png (self, overlay, diff_name, error))
            return FALSE;
        }
    }
  return TRUE;
}

static void
compare_frame_clear (gpointer data)
{
  CompareFrame *f = data;

  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      g_clear_pointer (&f->chains[i].error, g_free);
      g_clear_pointer (&f->chains[i].metrics_problem, g_free);
    }
}

static void
info_clear (SvdSessionInfo *info)
{
  g_clear_pointer (&info->input_path, g_free);
  g_clear_pointer (&info->reference_path, g_free);
  g_clear_pointer (&info->codec, g_free);
  g_clear_pointer (&info->summary, g_free);
  g_clear_pointer (&info->metrics_device, g_free);
  g_clear_pointer (&info->dists_unavailable, g_free);
}

static void
request_next (Compare *self)
{
  if (self->next >= self->end)
    {
      g_main_loop_quit (self->loop);
      return;
    }
  svd_session_request (self->session, self->next, ++self->serial, self->next == self->first,
                       self->difference > 0);
}

static void
opened_cb (const SvdSessionInfo *info,
           const GError         *error,
           gpointer              user_data)
{
  Compare *self = user_data;

  if (self->progress)
    fprintf (stderr, "\n");
  if (info == NULL)
    {
      self->error = g_error_copy (error);
      g_main_loop_quit (self->loop);
      return;
    }
  self->opened = TRUE;
  self->info = *info;
  self->info.input_path = g_strdup (info->input_path);
  self->info.reference_path = g_strdup (info->reference_path);
  self->info.codec = g_strdup (info->codec);
  self->info.summary = g_strdup (info->summary);
  self->info.metrics_device = g_strdup (info->metrics_device);
  self->info.dists_unavailable = g_strdup (info->dists_unavailable);

  if (self->end < 0 && info->n_frames <= 0)
    {
      g_set_error (&self->error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The length of “%s” is unknown; give --frames A:B", info->input_path);
      g_main_loop_quit (self->loop);
      return;
    }
  if (self->end < 0 || (info->n_frames > 0 && self->end > info->n_frames))
    self->end = info->n_frames;
  if (self->first >= self->end)
    {
      g_set_error (&self->error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "--frames starts at frame %" G_GINT64_FORMAT " but the clip has %" G_GINT64_FORMAT,
                   self->first, info->n_frames);
      g_main_loop_quit (self->loop);
      return;
    }
  if (self->want_dists && info->dists_unavailable != NULL)
    self->want_dists = FALSE;  /* said in the output; exit status 3 */
  self->next = self->first;
  request_next (self);
}

static void
frame_cb (SvdSessionFrame *frame,
          const GError    *error,
          gpointer         user_data)
{
  Compare *self = user_data;
  CompareFrame f = { 0 };

  if (frame == NULL)
    {
      self->error = g_error_copy (error);
      g_prefix_error (&self->error, "Frame %" G_GINT64_FORMAT ": ", self->next);
      g_main_loop_quit (self->loop);
      return;
    }
  if (self->save_dir != NULL && !save_frame_images (self, frame, &self->error))
    {
      svd_session_frame_free (frame);
      g_main_loop_quit (self->loop);
      return;
    }
  f.index = frame->index;
  f.compute_ms = frame->compute_ms;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      f.chains[i] = frame->chains[i];
      f.chains[i].error = g_strdup (frame->chains[i].error);
      f.chains[i].metrics_problem = g_strdup (frame->chains[i].metrics_problem);
      f.chains[i].display = f.chains[i].difference = f.chains[i].ssim_map = NULL;
    }
  g_array_append_val (self->frames, f);
  svd_session_frame_free (frame);
  if (self->progress)
    fprintf (stderr, "\rframe %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, self->next + 1, self->end);
  if (self->want_dists && svd_session_request_dists (self->session))
    return;  /* dists_cb asks for the next frame */
  self->next++;
  request_next (self);
}

static void
dists_cb (SvdSessionDists *dists,
          gpointer         user_data)
{
  Compare *self = user_data;
  CompareFrame *last = &g_array_index (self->frames, CompareFrame, self->frames->len - 1);

  if (dists->error != NULL && self->error == NULL)
    {
      g_set_error (&self->error, SVD_ERROR, SVD_ERROR_FAILED, "DISTS: %s", dists->error);
      svd_session_dists_free (dists);
      g_main_loop_quit (self->loop);
      return;
    }
  if (dists->index == last->index)
    for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
      {
        last->has_dists[i] = dists->has_dists[i];
        last->dists[i] = dists->dists[i];
        last->chains[i].metrics.has_dists = dists->has_dists[i];
        last->chains[i].metrics.dists = dists->dists[i];
      }
  svd_session_dists_free (dists);
  self->next++;
  request_next (self);
}

static void
progress_cb (double      fraction,
             const char *text,
             gpointer    user_data)
{
  Compare *self = user_data;

  if (self->progress && fraction >= 0)
    fprintf (stderr, "\rMaking the degraded input: %.0f %%", fraction * 100.0);
}

static const char *
mode_name (SvdReferenceMode mode)
{
  switch (mode)
    {
    case SVD_REFERENCE_PAIR: return "pair";
    case SVD_REFERENCE_SYNTHESIZE: return "synthesize";
    case SVD_REFERENCE_NONE:
    default: return "none";
    }
}

/* The pipeline's rate: frames over the time the session's worker spent on
 * them (decode, conversion, every chain, metrics; not DISTS, which has its
 * own thread and lags in the GUI). */
static double
pipeline_fps (Compare *self,
              guint    from)
{
  double ms = 0;

  for (guint i = from; i < self->frames->len; i++)
    ms += g_array_index (self->frames, CompareFrame, i).compute_ms;
  return ms > 0 && self->frames->len > from ? 1000.0 * (self->frames->len - from) / ms : NAN;
}

static void
chain_summary (Compare           *self,
               guint              slot,
               SvdMetricsSummary *sum,
               double            *fps,
               double            *dists_mean)
{
  g_autoptr(SvdMetricsAccumulator) acc = svd_metrics_accumulator_new ();
  double ms = 0, dsum = 0;
  guint n = 0, nd = 0;

  for (guint i = 0; i < self->frames->len; i++)
    {
      CompareFrame *f = &g_array_index (self->frames, CompareFrame, i);
      SvdSessionChainFrame *c = &f->chains[slot];

      if (c->error != NULL)
        continue;
      ms += c->wall_ms;
      n++;
      if (c->has_metrics)
        svd_metrics_accumulator_add (acc, &c->metrics);
      if (f->has_dists[slot])
        {
          dsum += f->dists[slot];
          nd++;
        }
    }
  svd_metrics_accumulator_get (acc, sum);
  *fps = ms > 0 ? 1000.0 * n / ms : NAN;
  *dists_mean = nd > 0 ? dsum / nd : NAN;
}

/* Frames of a chain that reused the output of an equal input. */
static guint
chain_reused (Compare *self,
              guint    slot)
{
  guint n = 0;

  for (guint i = 0; i < self->frames->len; i++)
    n += g_array_index (self->frames, CompareFrame, i).chains[slot].reused ? 1 : 0;
  return n;
}

static void
print_json (Compare    *self,
            char      **specs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, mode_name (self->info.mode));
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, self->info.input_path);
  json_builder_set_member_name (b, "reference");
  if (self->info.reference_path != NULL)
    json_builder_add_string_value (b, self->info.reference_path);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, self->info.metrics_device);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, self->info.width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, self->info.height);
  svd_cli_json_add_double (b, "fps", self->info.fps);
  json_builder_set_member_name (b, "n_frames");
  json_builder_add_int_value (b, self->info.n_frames);
  json_builder_set_member_name (b, "dists");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, self->dists_asked ? svd_dists_mode_name (self->dists_mode) : "none");
  json_builder_set_member_name (b, "available");
  json_builder_add_boolean_value (b, self->info.dists_unavailable == NULL);
  if (self->info.dists_unavailable != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, self->info.dists_unavailable);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "chains");
  json_builder_begin_array (b);
  for (guint slot = 0; slot < self->n_chains; slot++)
    {
      SvdMetricsSummary sum;
      double fps, dists_mean;

      chain_summary (self, slot, &sum, &fps, &dists_mean);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "chain");
      json_builder_add_string_value (b, specs[slot]);
      json_builder_set_member_name (b, "frames");
      json_builder_begin_array (b);
      for (guint i = 0; i < self->frames->len; i++)
        {
          CompareFrame *f = &g_array_index (self->frames, CompareFrame, i);
          SvdSessionChainFrame *c = &f->chains[slot];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "index");
          json_builder_add_int_value (b, f->index);
          if (c->error != NULL)
            {
              json_builder_set_member_name (b, "error");
              json_builder_add_string_value (b, c->error);
              json_builder_end_object (b);
              continue;
            }
          svd_cli_json_add_double (b, "psnr_rgb", c->has_metrics ? c->metrics.psnr_rgb : NAN);
          svd_cli_json_add_double (b, "psnr_y", c->has_metrics ? c->metrics.psnr_y : NAN);
          svd_cli_json_add_double (b, "ssim_y", c->has_metrics && c->metrics.has_ssim ? c->metrics.ssim_y : NAN);
          svd_cli_json_add_double (b, "dists", f->has_dists[slot] ? f->dists[slot] : NAN);
          svd_cli_json_add_double (b, "mse_rgb", c->has_metrics ? c->metrics.mse_rgb : NAN);
          svd_cli_json_add_double (b, "mse_y", c->has_metrics ? c->metrics.mse_y : NAN);
          if (c->metrics_problem != NULL)
            {
              json_builder_set_member_name (b, "no_metrics");
              json_builder_add_string_value (b, c->metrics_problem);
            }
          /* Whether the chain's output reached the metrics on the device
           * (no host round trip) or as the downloaded image. */
          json_builder_set_member_name (b, "metrics_input");
          json_builder_add_string_value (b, c->metrics_on_device ? "device" : "host");
          json_builder_set_member_name (b, "reused");
          json_builder_add_boolean_value (b, c->reused);
          svd_cli_json_add_double (b, "chain_ms", c->wall_ms);
          svd_cli_json_add_double (b, "upload_ms", c->timings.upload_ms);
          svd_cli_json_add_double (b, "download_ms", c->timings.download_ms);
          json_builder_set_member_name (b, "stage_ms");
          json_builder_begin_array (b);
          for (int s = 0; s < c->timings.n_stages && s < SVD_ENGINE_MAX_STAGES; s++)
            json_builder_add_double_value (b, c->timings.stage_ms[s]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "summary");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n_frames");
      json_builder_add_int_value (b, sum.n_frames);
      svd_cli_json_add_double (b, "psnr_rgb_mean_of_frames", sum.psnr_rgb_mean);
      svd_cli_json_add_double (b, "psnr_rgb_of_mean_mse", sum.psnr_rgb_of_mean_mse);
      svd_cli_json_add_double (b, "psnr_y_mean_of_frames", sum.psnr_y_mean);
      svd_cli_json_add_double (b, "psnr_y_of_mean_mse", sum.psnr_y_of_mean_mse);
      svd_cli_json_add_double (b, "ssim_y_mean_of_frames", sum.n_ssim > 0 ? sum.ssim_y_mean : NAN);
      svd_cli_json_add_double (b, "dists_mean_of_frames", dists_mean);
      svd_cli_json_add_double (b, "chain_fps", fps);
      json_builder_set_member_name (b, "frames_reused");
      json_builder_add_int_value (b, chain_reused (self, slot));
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n_frames");
  json_builder_add_int_value (b, self->frames->len);
  json_builder_set_member_name (b, "first_frame");
  json_builder_add_int_value (b, self->first);
  svd_cli_json_add_double (b, "fps", pipeline_fps (self, 0));
  /* The first frame also builds the kernels (unless cached) and fills the
   * decoder: the rate from the second frame on is the steady one. */
  svd_cli_json_add_double (b, "fps_after_first", pipeline_fps (self, 1));
  /* RGBA8 view images the session made: none without --save-frames. */
  json_builder_set_member_name (b, "display_images");
  json_builder_add_int_value (b, self->n_displays);
  json_builder_end_object (b);
  json_builder_end_object (b);
  svd_cli_print_json (b);
}

/* A frame's cells are the GUI readout's, word for word
 * (svd-readout-format.c), so the two can be compared by eye or by a test. */
static void
print_text (Compare  *self,
            char    **specs)
{
  SvdReadoutOptions options = { 0 };

  options.dists_mode = self->dists_mode;
  /* Without --dists the readout's DISTS cell and its reasons are left out. */
  options.dists_unavailable = self->dists_asked ? self->info.dists_unavailable : NULL;
  printf ("Input:      %s (%d×%d, %.3f fps)\n", self->info.input_path, self->info.width, self->info.height,
          self->info.fps);
  printf ("Reference:  %s (%s)\n", self->info.reference_path != NULL ? self->info.reference_path : "none",
          mode_name (self->info.mode));
  printf ("Device:     %s\n", self->info.metrics_device);
  for (guint slot = 0; slot < self->n_chains; slot++)
    {
      SvdMetricsSummary sum;
      double fps, dists_mean;

      printf ("Chain %u:    %s\n", slot + 1, specs[slot]);
      for (guint i = 0; i < self->frames->len; i++)
        {
          CompareFrame *f = &g_array_index (self->frames, CompareFrame, i);
          SvdChainStats stats = { 0 };
          SvdReadoutText text;
          g_autoptr(GString) line = g_string_new (NULL);

          stats.dists_has = f->has_dists[slot];
          stats.dists_index = f->index;
          stats.dists_value = f->dists[slot];
          svd_readout_format_chain (slot, &f->chains[slot], &stats, &options, &text);
          /* Not "computing…": here DISTS is there or was not asked for. */
          if (!f->has_dists[slot])
            g_clear_pointer (&text.cells[SVD_READOUT_DISTS], g_free);
          for (guint c = SVD_READOUT_PSNR_RGB; c < SVD_READOUT_N_CELLS; c++)
            if (text.cells[c] != NULL)
              g_string_append_printf (line, "%s%s", line->len > 0 ? " · " : "", text.cells[c]);
          if (text.message != NULL)
            g_string_append_printf (line, " · %s", text.message);
          printf ("  frame %" G_GINT64_FORMAT ": %s\n", f->index + 1, line->str);
          svd_readout_text_clear (&text);
        }
      chain_summary (self, slot, &sum, &fps, &dists_mean);
      if (sum.n_frames > 0)
        {
          g_autofree char *psnr = svd_readout_format_psnr (sum.psnr_y_mean);

          printf ("  mean of %u frames: PSNR-Y %s, SSIM-Y %.4f", sum.n_frames, psnr, sum.ssim_y_mean);
          if (isfinite (dists_mean))
            printf (", DISTS %.4f", dists_mean);
          printf ("\n");
        }
      printf ("  chain: %.2f fps", fps);
      if (chain_reused (self, slot) > 0)
        printf (", %u of %u frames reused an equal frame's output", chain_reused (self, slot), self->frames->len);
      printf ("\n");
    }
  printf ("Summary:    %u frames from frame %" G_GINT64_FORMAT ", pipeline %.2f fps, %.2f fps after "
          "the first (decode, chains and metrics on one worker)\n",
          self->frames->len, self->first + 1, pipeline_fps (self, 0), pipeline_fps (self, 1));
}

static gboolean
parse_frames (const char  *text,
              gint64      *first,
              gint64      *end)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 3);
  guint64 a = 0, b = 0;

  if (g_strv_length (parts) != 2)
    return FALSE;
  if (*parts[0] != '\0' && !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXINT32, &a, NULL))
    return FALSE;
  if (*parts[1] != '\0' && !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT32, &b, NULL))
    return FALSE;
  *first = (gint64) a;
  *end = *parts[1] != '\0' ? (gint64) b : -1;
  return *end < 0 || *end > *first;
}

static gboolean
parse_synthesize (const char       *text,
                  SvdDegradeParams *params,
                  GError          **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", 4);
  guint64 scale, crf;

  svd_degrade_params_init (params);
  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, 8, &scale, NULL) ||
      !svd_scale_filter_from_name (g_strstrip (parts[1]), &params->filter) ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[2]), 10, 0, 51, &crf, NULL))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "--synthesize takes SCALE,FILTER,CRF (e.g. 2,bicubic,28), not “%s”", text);
      return FALSE;
    }
  params->scale = (int) scale;
  params->crf = (int) crf;
  return svd_degrade_params_check (params, error);
}

int
svd_cmd_compare (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("CLIP - run chains over a clip and compare them with its reference");
  g_autoptr(GError) error = NULL;
  g_auto(SvdSettings) settings = { 0 };
  g_auto(GStrv) chains = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *synthesize = NULL;
  g_autofree char *frames = NULL;
  g_autofree char *dists_name = NULL;
  g_autofree char *save_dir = NULL;
  gboolean no_reference = FALSE, no_reuse = FALSE, force = FALSE;
  int difference = 0;
  gint64 offset = 0;
  g_auto(SvdCliCommon) common = { 0 };
  GOptionEntry entries[] = {
    { "reference", 0, 0, G_OPTION_ARG_FILENAME, &reference, "Compare with this clean clip (frames paired by timestamp)", "FILE" },
    { "offset", 0, 0, G_OPTION_ARG_INT64, &offset, "With --reference: reference frame = matched frame + N", "N" },
    { "synthesize", 0, 0, G_OPTION_ARG_STRING, &synthesize, "CLIP is clean: shrink it by SCALE with FILTER and encode at CRF as the input", "SCALE,FILTER,CRF" },
    { "no-reference", 0, 0, G_OPTION_ARG_NONE, &no_reference, "No reference: timings only", NULL },
    { "chain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &chains, "A chain: models and built-in steps (bicubic:2) separated by commas, or a preset; up to 4", "C" },
    { "frames", 0, 0, G_OPTION_ARG_STRING, &frames, "Frames A to B−1 (0-based; A: or :B allowed); default all", "A:B" },
    { "dists", 0, 0, G_OPTION_ARG_STRING, &dists_name, "DISTS: none (default), short256 or full", "MODE" },
    { "no-reuse", 0, 0, G_OPTION_ARG_NONE, &no_reuse,
      "Run each chain on every frame, even one identical to the frame before (default: reuse its output)", NULL },
    { "save-frames", 0, 0, G_OPTION_ARG_FILENAME, &save_dir,
      "Save each frame's source, reference and chain outputs as PNG files in DIR (as the app's Save Frame Images)", "DIR" },
    { "force", 'y', 0, G_OPTION_ARG_NONE, &force, "With --save-frames: replace existing files", NULL },
    { "difference", 0, 0, G_OPTION_ARG_INT, &difference,
      "With --save-frames: also save each chain's |reference − output| amplified G times (1, 2, 4 or 8), as the app's Difference view", "G" },
    { NULL }
  };
  SvdSessionSetup setup = { 0 };
  Compare self = { 0 };
  guint n_modes;
  int status = 0;

  g_option_context_set_description (context,
    "Runs each --chain over CLIP's frames in the comparison session the app uses, and prints\n"
    "per chain and per frame PSNR-RGB, PSNR-Y (BT.601), SSIM-Y (Gaussian), DISTS when asked,\n"
    "the chain's time and each stage's, then the clip means and the pipeline's frames per\n"
    "second. A frame's values are those the app's readout shows for it, and those of\n"
    "`svd metrics REF DIST --chain C` for the same frame.\n\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 DISTS asked for but unavailable.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 2)
    return svd_cli_usage_error (context, "Need one CLIP");
  n_modes = (reference != NULL) + (synthesize != NULL) + (no_reference ? 1 : 0);
  if (n_modes > 1)
    return svd_cli_usage_error (context, "Give one of --reference, --synthesize and --no-reference");
  if (chains == NULL || chains[0] == NULL)
    return svd_cli_usage_error (context, "Need at least one --chain");
  if (g_strv_length (chains) > SVD_SESSION_MAX_CHAINS)
    return svd_cli_usage_error (context, "At most 4 chains");
  if (frames != NULL && !parse_frames (frames, &self.first, &self.end))
    return svd_cli_usage_error (context, "--frames takes A:B with A < B (frames A to B−1)");
  if (frames == NULL)
    self.end = -1;
  self.dists_mode = SVD_DISTS_SHORT256;
  if (dists_name != NULL && g_strcmp0 (dists_name, "none") != 0)
    {
      if (!svd_dists_mode_from_name (dists_name, &self.dists_mode))
        return svd_cli_usage_error (context, "--dists takes none, short256 or full");
      self.want_dists = TRUE;
      self.dists_asked = TRUE;
    }

  setup.input_path = argv[1];
  self.clip = argv[1];
  self.save_dir = save_dir;
  self.save_force = force;
  if (save_dir != NULL && !g_file_test (save_dir, G_FILE_TEST_IS_DIR))
    return svd_cli_usage_error (context, "--save-frames needs an existing folder");
  if (difference != 0 && (save_dir == NULL || (difference != 1 && difference != 2 && difference != 4 && difference != 8)))
    return svd_cli_usage_error (context, "--difference takes 1, 2, 4 or 8, with --save-frames");
  self.difference = difference;
  if (reference != NULL)
    {
      setup.mode = SVD_REFERENCE_PAIR;
      setup.reference_path = reference;
      setup.offset = offset;
    }
  else if (synthesize != NULL)
    {
      setup.mode = SVD_REFERENCE_SYNTHESIZE;
      if (!parse_synthesize (synthesize, &setup.degrade, &error))
        return svd_cli_usage_error (context, error->message);
    }
  else
    setup.mode = SVD_REFERENCE_NONE;

  svd_cli_settings (&common, &settings);
  self.loop = g_main_loop_new (NULL, FALSE);
  self.frames = g_array_new (FALSE, TRUE, sizeof (CompareFrame));
  g_array_set_clear_func (self.frames, compare_frame_clear);
  self.progress = !common.quiet && !common.json && isatty (fileno (stderr));
  self.session = svd_session_new (&settings, &setup, opened_cb, frame_cb, progress_cb, &self);
  /* Only with --dists: otherwise the chain outputs never leave the device
   * as floats. */
  if (self.want_dists)
    svd_session_set_dists_func (self.session, dists_cb);
  svd_session_set_reuse (self.session, !no_reuse);
  /* Nothing is shown: the RGBA8 images (source, reference, every chain's
   * output) are made only for --save-frames. The metrics are the same. */
  svd_session_set_displays (self.session, save_dir != NULL);
  /* Each frame is asked for once: a frame cache would only hold memory. */
  svd_session_set_cache_limit (self.session, 0);
  svd_session_set_dists_mode (self.session, self.dists_mode);
  for (guint i = 0; chains[i] != NULL; i++)
    {
      g_autoptr(SvdChain) chain = svd_cli_load_chain (chains[i], &error);

      if (chain == NULL)
        {
          g_prefix_error (&error, "Chain %u: ", i + 1);
          status = svd_cli_fail (argv[0], error);
          goto out;
        }
      svd_session_set_chain (self.session, i, chain);
      self.n_chains++;
    }

  g_main_loop_run (self.loop);
  self.n_displays = svd_session_get_n_displays (self.session);
  if (self.progress)
    fprintf (stderr, "\n");
  if (self.error != NULL)
    {
      status = svd_cli_fail (argv[0], self.error);
      goto out;
    }
  for (guint i = 0; i < self.frames->len; i++)
    for (guint slot = 0; slot < self.n_chains; slot++)
      {
        CompareFrame *f = &g_array_index (self.frames, CompareFrame, i);

        if (f->chains[slot].error != NULL)
          {
            g_set_error (&error, SVD_ERROR, SVD_ERROR_FAILED, "Chain %u, frame %" G_GINT64_FORMAT ": %s",
                         slot + 1, f->index, f->chains[slot].error);
            status = svd_cli_fail (argv[0], error);
            goto out;
          }
      }

  if (common.json)
    print_json (&self, chains);
  else
    print_text (&self, chains);
  if (self.info.summary != NULL && !common.quiet && !common.json)
    fprintf (stderr, "%s\n", self.info.summary);
  if (dists_name != NULL && g_strcmp0 (dists_name, "none") != 0 && self.info.dists_unavailable != NULL)
    {
      fprintf (stderr, "DISTS unavailable: %s\n", self.info.dists_unavailable);
      status = 3;
    }

out:
  /* Joins both workers before the loop and the results go. */
  g_clear_pointer (&self.session, svd_session_free);
  g_clear_pointer (&self.loop, g_main_loop_unref);
  g_clear_pointer (&self.frames, g_array_unref);
  g_clear_error (&self.error);
  info_clear (&self.info);
  return status;
}
