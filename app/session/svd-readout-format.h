/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "metrics/svd-dists.h"
#include "metrics/svd-metrics.h"
#include "session/svd-session.h"

G_BEGIN_DECLS

/* The cells of one chain's readout, in the order they are shown. */
typedef enum {
  SVD_READOUT_TITLE,
  SVD_READOUT_PSNR_RGB,
  SVD_READOUT_PSNR_Y,
  SVD_READOUT_SSIM,
  SVD_READOUT_DISTS,
  SVD_READOUT_MEAN,
  SVD_READOUT_MEAN_DISTS,
  SVD_READOUT_TIME,
  SVD_READOUT_N_CELLS
} SvdReadoutCell;

/**
 * SvdChainStats:
 *
 * One chain's running values over the frames a session has shown: the
 * clip means of PSNR and SSIM (each frame counted once, however often it
 * is shown) and the newest DISTS with its mean (DISTS lags, so it may be
 * for an older frame than the one shown).
 */
typedef struct {
  SvdMetricsAccumulator *averages;
  GHashTable            *averaged;     /* frame indices in @averages */
  gboolean               dists_has;
  gint64                 dists_index;
  double                 dists_value;
  double                 dists_sum;
  guint                  dists_n;
  GHashTable            *dists_done;   /* frame indices in @dists_sum */
} SvdChainStats;

void     svd_chain_stats_reset       (SvdChainStats         *self);
void     svd_chain_stats_clear       (SvdChainStats         *self);
void     svd_chain_stats_forget_dists (SvdChainStats        *self);
gboolean svd_chain_stats_add_frame   (SvdChainStats         *self,
                                      const SvdMetricsFrame *frame);
void     svd_chain_stats_add_dists   (SvdChainStats         *self,
                                      gint64                 index,
                                      double                 value);

/* What the readout says besides the frame and the stats. */
typedef struct {
  SvdDistsMode  dists_mode;
  gboolean      psnr_of_mean_mse;   /* the clip PSNR FFmpeg prints */
  const char   *dists_unavailable;  /* nullable */
  const char   *dists_error;        /* nullable */
  gboolean      dists_elsewhere;    /* the window says once, in a banner,
                                     * why DISTS is unavailable or failed:
                                     * no DISTS cell and no such message */
} SvdReadoutOptions;

/* The text of each cell (NULL: empty) and a message under them; each
 * cell also as a bare value for a table whose column headers
 * (svd_readout_format_header()) name the metric, e.g. "31.23 dB" for
 * "PSNR-RGB 31.23 dB", or the chain's time without its stages. */
typedef struct {
  char *cells[SVD_READOUT_N_CELLS];
  char *values[SVD_READOUT_N_CELLS];
  char *message;
} SvdReadoutText;

void  svd_readout_text_clear      (SvdReadoutText             *text);
void  svd_readout_format_chain    (guint                       slot,
                                   const SvdSessionChainFrame *chain,
                                   const SvdChainStats        *stats,
                                   const SvdReadoutOptions    *options,
                                   SvdReadoutText             *text);
void  svd_readout_format_widest   (guint                       slot,
                                   gint64                      n_frames,
                                   int                         n_stages,
                                   SvdReadoutText             *text);
char *svd_readout_format_header   (SvdReadoutCell              cell,
                                   const SvdReadoutOptions    *options);
char *svd_readout_format_psnr     (double                      psnr);
char *svd_readout_format_speed    (gboolean                    playing,
                                   double                      shown_fps,
                                   double                      clip_fps,
                                   double                      compute_ms);

G_END_DECLS
