/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-readout-format"

#include "svd-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "svd-readout-format.h"

/* The text of the GUI's metric readouts. It lives here, not in ui/, so a
 * unit test checks it without a display and `svd compare` and the window
 * describe a frame with the same numbers. The strings are translated with
 * the app's catalogue (GETTEXT_PACKAGE); without one they stay English. */

/**
 * svd_chain_stats_reset:
 * @self: the stats
 *
 * Forgets every frame: a new chain or a new clip starts again.
 */
void
svd_chain_stats_reset (SvdChainStats *self)
{
  svd_chain_stats_clear (self);
  self->averages = svd_metrics_accumulator_new ();
  self->averaged = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->dists_done = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * svd_chain_stats_clear:
 * @self: the stats
 *
 * Frees what @self holds; it then counts no frame.
 */
void
svd_chain_stats_clear (SvdChainStats *self)
{
  g_clear_pointer (&self->averages, svd_metrics_accumulator_free);
  g_clear_pointer (&self->averaged, g_hash_table_unref);
  g_clear_pointer (&self->dists_done, g_hash_table_unref);
  self->dists_has = FALSE;
  self->dists_index = -1;
  self->dists_value = 0;
  self->dists_sum = 0;
  self->dists_n = 0;
}

/**
 * svd_chain_stats_forget_dists:
 * @self: the stats
 *
 * Drops the DISTS values (the variant or the device changed).
 */
void
svd_chain_stats_forget_dists (SvdChainStats *self)
{
  if (self->dists_done != NULL)
    g_hash_table_remove_all (self->dists_done);
  self->dists_has = FALSE;
  self->dists_sum = 0;
  self->dists_n = 0;
}

/**
 * svd_chain_stats_add_frame:
 * @self: the stats (after svd_chain_stats_reset())
 * @frame: a frame's values
 *
 * Returns: whether the frame was new (it counts once in the means)
 */
gboolean
svd_chain_stats_add_frame (SvdChainStats         *self,
                           const SvdMetricsFrame *frame)
{
  gint64 *key;

  if (self->averages == NULL || g_hash_table_contains (self->averaged, &frame->frame_index))
    return FALSE;
  key = g_new (gint64, 1);
  *key = frame->frame_index;
  g_hash_table_add (self->averaged, key);
  svd_metrics_accumulator_add (self->averages, frame);
  return TRUE;
}

/**
 * svd_chain_stats_add_dists:
 * @self: the stats
 * @index: the frame DISTS was computed for
 * @value: its DISTS
 *
 * The newest DISTS, and once per frame in the mean.
 */
void
svd_chain_stats_add_dists (SvdChainStats *self,
                           gint64         index,
                           double         value)
{
  self->dists_has = TRUE;
  self->dists_index = index;
  self->dists_value = value;
  if (self->dists_done != NULL && !g_hash_table_contains (self->dists_done, &index))
    {
      g_hash_table_add (self->dists_done, g_memdup2 (&index, sizeof index));
      self->dists_sum += value;
      self->dists_n++;
    }
}

void
svd_readout_text_clear (SvdReadoutText *text)
{
  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    {
      g_clear_pointer (&text->cells[i], g_free);
      g_clear_pointer (&text->values[i], g_free);
    }
  g_clear_pointer (&text->message, g_free);
}

/**
 * svd_readout_format_psnr:
 * @psnr: a PSNR in dB, +inf for identical images
 *
 * Returns: (transfer full): e.g. "34.17 dB" or "∞ (identical)"
 */
char *
svd_readout_format_psnr (double psnr)
{
  if (isinf (psnr))
    /* Translators: PSNR of identical images */
    return g_strdup (_("∞ (identical)"));
  /* Translators: a PSNR value in decibels */
  return g_strdup_printf (_("%.2f dB"), psnr);
}

/* The DISTS cell: the shown frame's value, an older frame's (saying how far
 * behind), "computing…", or why there is none. */
static char *
dists_text (SvdDistsMode mode,
            gboolean     has,
            gint64       index,
            double       value,
            gint64       frame_index)
{
  if (has && index == frame_index)
    /* Translators: the DISTS variant (e.g. short256) and its value */
    return g_strdup_printf (_("DISTS (%s) %.4f"), svd_dists_mode_name (mode), value);
  if (has && index < frame_index)
    /* Translators: DISTS of an older frame than the one shown: the
     * variant, that frame's number, how many frames behind, the value */
    return g_strdup_printf (_("DISTS (%s, frame %lld, %lld behind) %.4f"),
                            svd_dists_mode_name (mode), (long long) index + 1,
                            (long long) (frame_index - index), value);
  /* Translators: DISTS of the shown frame is not ready yet */
  return g_strdup_printf (_("DISTS (%s) computing…"), svd_dists_mode_name (mode));
}

/* The clip PSNR is one of the two aggregates `svd metrics` prints, named
 * as it names them: tools disagree on which one "average PSNR" means. */
static char *
mean_text (gboolean of_mean_mse,
           guint    n_frames,
           double   psnr_y,
           double   ssim_y)
{
  g_autofree char *a = svd_readout_format_psnr (psnr_y);

  if (of_mean_mse)
    /* Translators: running clip values over the frames seen so far: the
     * PSNR of their mean squared error (what FFmpeg prints as "average")
     * and their mean SSIM */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "clip of %u frame: PSNR-Y of the mean MSE %s, mean SSIM-Y %.4f",
                                         "clip of %u frames: PSNR-Y of the mean MSE %s, mean SSIM-Y %.4f",
                                         n_frames),
                            n_frames, a, ssim_y);
  if (n_frames == 1)
    /* Translators: the values of the one frame seen so far (a mean of
     * one frame is that frame's value) */
    return g_strdup_printf (_("clip so far, 1 frame: PSNR-Y %s, SSIM-Y %.4f"), a, ssim_y);
  /* Translators: running means over the frames seen so far */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "clip mean of %u frame: PSNR-Y %s, SSIM-Y %.4f",
                                       "clip mean of %u frames: PSNR-Y %s, SSIM-Y %.4f",
                                       n_frames),
                          n_frames, a, ssim_y);
}

/* The longer of two texts (in characters); frees the other. */
static char *
longer_text (char *a,
             char *b)
{
  if (g_utf8_strlen (a, -1) >= g_utf8_strlen (b, -1))
    {
      g_free (b);
      return a;
    }
  g_free (a);
  return b;
}

static char *
mean_dists_text (double dists,
                 guint  n_frames)
{
  /* Translators: the mean DISTS and over how many frames it was computed
   * (it lags during playback, so often fewer) */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "mean DISTS %.4f over %u frame",
                                       "mean DISTS %.4f over %u frames", n_frames),
                          dists, n_frames);
}

/* A time as printed with one decimal. */
static double
tenths (double ms)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.1f", ms), NULL);
}

/* The chain's time for the frame, each stage's, and the rest (uploads,
 * conversions, read-backs and host work), so that the printed numbers add
 * up to the chain's time; without @stage_ms, the widest such text for
 * @n_stages stages. */
static char *
time_text (double        wall_ms,
           int           n_stages,
           const double *stage_ms)
{
  GString *text = g_string_new (NULL);
  double rest = tenths (wall_ms);

  /* Translators: milliseconds the chain took for this frame */
  g_string_append_printf (text, _("%.1f ms"), wall_ms);
  for (int i = 0; i < n_stages; i++)
    {
      double ms = stage_ms != NULL ? stage_ms[i] : 9999.9;

      /* Translators: a stage's number and its device time */
      g_string_append_printf (text, _(", stage %d %.1f ms"), i + 1, ms);
      rest -= tenths (ms);
    }
  /* Device and host clocks: never below zero. */
  if (n_stages > 0)
    /* Translators: the rest of the chain's time: copies to and from the
     * device, colour conversions and host work; with the stages it adds
     * up to the chain's time */
    g_string_append_printf (text, _(", other %.1f ms"), stage_ms != NULL ? MAX (tenths (rest), 0.0) : 9999.9);
  return g_string_free (text, FALSE);
}

static char *
title_text (guint slot)
{
  /* Translators: the chain's number, 1 to 4 */
  return g_strdup_printf (_("Chain %u"), slot + 1);
}

static char *
psnr_rgb_text (const char *psnr)
{
  /* Translators: the PSNR over R, G and B of the shown frame */
  return g_strdup_printf (_("PSNR-RGB %s"), psnr);
}

static char *
psnr_y_text (const char *psnr)
{
  /* Translators: the PSNR of the luma (BT.601 Y) of the shown frame */
  return g_strdup_printf (_("PSNR-Y (BT.601) %s"), psnr);
}

static char *
ssim_text (double ssim)
{
  /* Translators: the SSIM of the shown frame */
  return g_strdup_printf (_("SSIM-Y (Gaussian σ 1.5) %.4f"), ssim);
}

/* The bare values of a table row: the column header names the metric. */
static char *
psnr_value (double psnr)
{
  if (isinf (psnr))
    return g_strdup ("∞");
  return svd_readout_format_psnr (psnr);
}

static char *
dists_value (gboolean has,
             gint64   index,
             double   value,
             gint64   frame_index)
{
  if (has && index == frame_index)
    return g_strdup_printf ("%.4f", value);
  if (has && index < frame_index)
    /* Translators: DISTS of an older frame than the one shown, in the
     * readouts table: the value and how many frames behind */
    return g_strdup_printf (_("%.4f (%lld behind)"), value, (long long) (frame_index - index));
  /* Translators: DISTS of the shown frame is not ready yet (a table cell) */
  return g_strdup (_("computing…"));
}

/* The frame counts are in the full texts (the cells' tooltips). */
static char *
mean_value (double psnr_y,
            double ssim_y)
{
  g_autofree char *a = svd_readout_format_psnr (psnr_y);

  /* Translators: the clip's PSNR-Y and SSIM-Y so far, in the readouts
   * table */
  return g_strdup_printf (_("%s · %.4f"), a, ssim_y);
}

static char *
mean_dists_value (double dists)
{
  return g_strdup_printf ("%.4f", dists);
}

static char *
time_value (double wall_ms)
{
  return g_strdup_printf (_("%.1f ms"), wall_ms);
}

/**
 * svd_readout_format_header:
 * @cell: a cell
 * @options: the metric variants the readouts show
 *
 * Returns: (transfer full): the header of @cell's column in a table of
 *   readouts, one row per chain, whose cells are the bare values
 *   (#SvdReadoutText.values); "" for the chain's title
 */
char *
svd_readout_format_header (SvdReadoutCell           cell,
                           const SvdReadoutOptions *options)
{
  switch (cell)
    {
    case SVD_READOUT_TITLE:
      return g_strdup ("");
    case SVD_READOUT_PSNR_RGB:
      /* Translators: a column header of the readouts table */
      return g_strdup (_("PSNR-RGB"));
    case SVD_READOUT_PSNR_Y:
      /* Translators: a column header of the readouts table */
      return g_strdup (_("PSNR-Y"));
    case SVD_READOUT_SSIM:
      /* Translators: a column header of the readouts table */
      return g_strdup (_("SSIM-Y"));
    case SVD_READOUT_DISTS:
      /* Translators: a column header of the readouts table; %s is the
       * DISTS variant (e.g. short256) */
      return g_strdup_printf (_("DISTS (%s)"), svd_dists_mode_name (options->dists_mode));
    case SVD_READOUT_MEAN:
      if (options->psnr_of_mean_mse)
        /* Translators: a column header of the readouts table: the clip's
         * PSNR-Y of the mean MSE and mean SSIM-Y over the frames seen
         * (the cells' tooltips say how many) */
        return g_strdup (_("clip: PSNR-Y of MSE · SSIM-Y"));
      /* Translators: a column header of the readouts table: the clip's
       * mean PSNR-Y and SSIM-Y over the frames seen (the cells' tooltips
       * say how many) */
      return g_strdup (_("clip mean PSNR-Y · SSIM-Y"));
    case SVD_READOUT_MEAN_DISTS:
      /* Translators: a column header of the readouts table */
      return g_strdup (_("mean DISTS"));
    case SVD_READOUT_TIME:
      /* Translators: a column header of the readouts table: the chain's
       * time for the frame (its stages are in the cell's tooltip) */
      return g_strdup (_("chain time"));
    case SVD_READOUT_N_CELLS:
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * svd_readout_format_widest:
 * @slot: the chain, from 0
 * @n_frames: the clip's length
 * @n_stages: the chain's stages
 * @text: (out caller-allocates): the widest text each cell can show for
 *   this clip and chain, so values never resize the cells
 */
void
svd_readout_format_widest (guint           slot,
                           gint64          n_frames,
                           int             n_stages,
                           SvdReadoutText *text)
{
  gint64 n = MAX (n_frames, 999);
  g_autofree char *a = svd_readout_format_psnr (199.99);
  g_autofree char *b = svd_readout_format_psnr (INFINITY);
  const char *widest = g_utf8_strlen (a, -1) > g_utf8_strlen (b, -1) ? a : b;

  memset (text, 0, sizeof *text);
  text->cells[SVD_READOUT_TITLE] = title_text (slot);
  text->cells[SVD_READOUT_PSNR_RGB] = psnr_rgb_text (widest);
  text->cells[SVD_READOUT_PSNR_Y] = psnr_y_text (widest);
  text->cells[SVD_READOUT_SSIM] = ssim_text (-0.9999);
  /* Every variant, so that changing it in Preferences keeps the widths. */
  text->cells[SVD_READOUT_DISTS] =
    longer_text (longer_text (dists_text (SVD_DISTS_FULL, TRUE, 0, 9.9999, n),
                              dists_text (SVD_DISTS_FULL, FALSE, 0, 0, n)),
                 longer_text (dists_text (SVD_DISTS_SHORT256, TRUE, 0, 9.9999, n),
                              dists_text (SVD_DISTS_SHORT256, FALSE, 0, 0, n)));
  text->cells[SVD_READOUT_MEAN] = longer_text (longer_text (mean_text (FALSE, (guint) n, 199.99, -0.9999),
                                                            mean_text (TRUE, (guint) n, 199.99, -0.9999)),
                                               mean_text (FALSE, 1, 199.99, -0.9999));
  text->cells[SVD_READOUT_MEAN_DISTS] = mean_dists_text (9.9999, (guint) n);
  text->cells[SVD_READOUT_TIME] = time_text (9999.9, n_stages, NULL);

  text->values[SVD_READOUT_TITLE] = g_strdup (text->cells[SVD_READOUT_TITLE]);
  text->values[SVD_READOUT_PSNR_RGB] = longer_text (psnr_value (199.99), psnr_value (INFINITY));
  text->values[SVD_READOUT_PSNR_Y] = longer_text (psnr_value (199.99), psnr_value (INFINITY));
  text->values[SVD_READOUT_SSIM] = g_strdup ("-0.9999");
  text->values[SVD_READOUT_DISTS] = longer_text (dists_value (TRUE, 0, 9.9999, n), dists_value (FALSE, 0, 0, n));
  text->values[SVD_READOUT_MEAN] = mean_value (199.99, -0.9999);
  text->values[SVD_READOUT_MEAN_DISTS] = mean_dists_value (9.9999);
  text->values[SVD_READOUT_TIME] = longer_text (time_value (9999.9), g_strdup (_("reused")));
}

/**
 * svd_readout_format_chain:
 * @slot: the chain, from 0
 * @chain: the chain's result for the shown frame
 * @stats: (nullable): the chain's running values
 * @options: what else to say
 * @text: (out caller-allocates): the cells and the message; free with
 *   svd_readout_text_clear()
 *
 * Each metric labelled with its variant, the running clip means and the
 * chain's timings.
 */
void
svd_readout_format_chain (guint                       slot,
                          const SvdSessionChainFrame *chain,
                          const SvdChainStats        *stats,
                          const SvdReadoutOptions    *options,
                          SvdReadoutText             *text)
{
  memset (text, 0, sizeof *text);
  text->cells[SVD_READOUT_TITLE] = title_text (slot);
  text->values[SVD_READOUT_TITLE] = title_text (slot);
  if (chain->error != NULL)
    {
      /* Translators: %s says why the chain could not run */
      text->message = g_strdup_printf (_("failed: %s"), chain->error);
      return;
    }
  if (chain->has_metrics)
    {
      g_autofree char *rgb = svd_readout_format_psnr (chain->metrics.psnr_rgb);
      g_autofree char *y = svd_readout_format_psnr (chain->metrics.psnr_y);

      text->cells[SVD_READOUT_PSNR_RGB] = psnr_rgb_text (rgb);
      text->cells[SVD_READOUT_PSNR_Y] = psnr_y_text (y);
      text->values[SVD_READOUT_PSNR_RGB] = psnr_value (chain->metrics.psnr_rgb);
      text->values[SVD_READOUT_PSNR_Y] = psnr_value (chain->metrics.psnr_y);
      if (chain->metrics.has_ssim)
        {
          text->cells[SVD_READOUT_SSIM] = ssim_text (chain->metrics.ssim_y);
          text->values[SVD_READOUT_SSIM] = g_strdup_printf ("%.4f", chain->metrics.ssim_y);
        }
      if (options->dists_elsewhere && (options->dists_unavailable != NULL || options->dists_error != NULL))
        ;  /* said once for every chain, not in each readout */
      else if (options->dists_unavailable != NULL)
        /* Translators: %s says why, e.g. which weight files are missing */
        text->message = g_strdup_printf (_("DISTS unavailable: %s"), options->dists_unavailable);
      else if (options->dists_error != NULL)
        /* Translators: %s says why DISTS could not be computed */
        text->message = g_strdup_printf (_("DISTS failed: %s"), options->dists_error);
      else
        {
          text->cells[SVD_READOUT_DISTS] = dists_text (options->dists_mode,
                                                       stats != NULL && stats->dists_has,
                                                       stats != NULL ? stats->dists_index : -1,
                                                       stats != NULL ? stats->dists_value : 0,
                                                       chain->metrics.frame_index);
          text->values[SVD_READOUT_DISTS] = dists_value (stats != NULL && stats->dists_has,
                                                         stats != NULL ? stats->dists_index : -1,
                                                         stats != NULL ? stats->dists_value : 0,
                                                         chain->metrics.frame_index);
        }
      if (stats != NULL && stats->averages != NULL)
        {
          SvdMetricsSummary sum;

          svd_metrics_accumulator_get (stats->averages, &sum);
          if (sum.n_frames > 0)
            {
              double psnr = options->psnr_of_mean_mse ? sum.psnr_y_of_mean_mse : sum.psnr_y_mean;

              text->cells[SVD_READOUT_MEAN] = mean_text (options->psnr_of_mean_mse, sum.n_frames, psnr,
                                                         sum.ssim_y_mean);
              text->values[SVD_READOUT_MEAN] = mean_value (psnr, sum.ssim_y_mean);
            }
          if (sum.n_frames > 0 && stats->dists_n > 0)
            {
              text->cells[SVD_READOUT_MEAN_DISTS] = mean_dists_text (stats->dists_sum / stats->dists_n,
                                                                     stats->dists_n);
              text->values[SVD_READOUT_MEAN_DISTS] = mean_dists_value (stats->dists_sum / stats->dists_n);
            }
        }
    }
  else if (chain->metrics_problem != NULL)
    /* Translators: %s says why there are no metrics (e.g. sizes differ) */
    text->message = g_strdup_printf (_("no metrics: %s"), chain->metrics_problem);
  else
    text->message = g_strdup (_("no metrics without a reference"));
  if (chain->reused)
    /* Translators: the frame equalled the one before, so the chain did not
     * run: its earlier output was shown again */
    text->cells[SVD_READOUT_TIME] = g_strdup (_("reused"));
  else
    text->cells[SVD_READOUT_TIME] = time_text (chain->wall_ms, chain->timings.n_stages, chain->timings.stage_ms);
  text->values[SVD_READOUT_TIME] = chain->reused ? g_strdup (text->cells[SVD_READOUT_TIME])
                                                 : time_value (chain->wall_ms);
}

/**
 * svd_readout_format_speed:
 * @playing: whether the clip plays
 * @shown_fps: frames shown per second while playing
 * @clip_fps: the clip's rate
 * @compute_ms: what the shown frame cost
 *
 * Returns: (transfer full): playback speed against the clip's, or when
 *   paused what the frame cost
 */
char *
svd_readout_format_speed (gboolean playing,
                          double   shown_fps,
                          double   clip_fps,
                          double   compute_ms)
{
  if (playing)
    /* Translators: playback speed against the clip's frame rate, then
     * whether that is real time */
    return g_strdup_printf (_("%.1f of %.2f fps — %s"), shown_fps, clip_fps,
                            shown_fps >= clip_fps * 0.98 ? _("real time") : _("slower than real time"));
  /* Translators: the time one frame took against the clip's frame time */
  return g_strdup_printf (_("compute %.0f ms per frame (real time needs %.0f ms)"), compute_ms,
                          clip_fps > 0 ? 1000.0 / clip_fps : 0.0);
}
