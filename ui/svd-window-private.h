/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "session/svd-readout-format.h"
#include "svd-plot.h"
#include "svd-readout.h"
#include "svd-export.h"
#include "svd-window.h"

G_BEGIN_DECLS

/* What the window keeps per chain of the session (one of four). */
typedef struct {
  SvdReadout           *readout;
  /* What the readout's cell widths were computed for (clip length, stage
   * count), so they are worked out again only when that changes. */
  gint64                sized_frames;
  int                   sized_stages;
  SvdChain             *chain;       /* by file; its models load on a thread */
  SvdChainStats         stats;       /* clip means, DISTS */
  SvdSessionChainFrame  last;        /* the shown frame's result, no images */
  char                 *last_error;  /* toasted once */
} SvdWindowChain;

struct _SvdWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwWindowTitle       *window_title;
  SvdViewer            *viewer;
  GtkWidget            *session_box;
  GtkWidget            *play_button;
  GtkScale             *seek_scale;
  GtkInscription       *speed_label;
  GtkInscription       *position_label;
  GtkWidget            *readout_box;
  SvdReadout           *readout_header;  /* the column titles */
  GtkWidget            *readout_pane;
  GtkWidget            *readout_panel;
  GtkPaned             *pane;
  GtkInfoBar           *banner;
  GtkLabel             *banner_label;
  GtkWidget            *banner_button;
  GtkSizeGroup         *cell_groups[SVD_READOUT_N_CELLS];  /* one column per cell */
  GtkRevealer          *scan_revealer;
  GtkLabel             *scan_label;
  GtkProgressBar       *scan_progress;
  GtkRevealer          *export_revealer;
  GtkLabel             *export_label;
  GtkProgressBar       *export_progress;
  GtkWidget            *export_dialog;      /* weak: the running export's */
  AdwToast             *export_toast;       /* weak: the last export's result */
  gboolean              show_readouts;

  GSettings            *settings;
  GtkNativeDialog      *open_dialog;
  GCancellable         *cancellable;
  guint64               serial;

  /* The open clip: a session, with or without a reference. */
  char                 *clip_name;
  SvdSession           *session;
  SvdSessionInfo        session_info;
  gboolean              session_open;
  gint64                session_wanted;
  gint64                session_offset;   /* Pair: the frame offset */
  gint64                session_shown;
  gboolean              session_shown_any;
  gboolean              playing;
  gboolean              loop;
  guint                 play_source;
  gint64                last_shown_us;
  double                shown_fps;
  /* Playback runs on a clock: frame k is due at play_start_us + (k -
   * play_start_index) / fps. A frame that is late when the one before is
   * on screen is skipped, never queued. */
  gint64                play_start_us;
  gint64                play_start_index;
  gint64                play_shown;     /* frames shown since Play */
  gint64                play_dropped;   /* frames skipped since Play */
  gint64                play_first_us;  /* when the first of them was shown */
  gint64                play_next;      /* the frame asked for next */
  gint64                test_clock;     /* see svd_window_set_test_clock() */
  gint64                test_clock_step;
  double                warm_up_ms;     /* the shown frame built kernels */
  char                 *pair_warning;   /* what the pair check found, or NULL */
  GCancellable         *pair_check;
  gboolean              pair_checked;   /* the check is over */
  gulong                seek_handler;
  gboolean              chain_selected;
  gint64                longest_update_us;
  SvdWindowChain        chains[SVD_SESSION_MAX_CHAINS];
  SvdChain             *removed_chains[SVD_SESSION_MAX_CHAINS];  /* what Undo of Remove All puts back */
  AdwToast             *undo_toast;                              /* weak */
  SvdPlot              *plot;
  GtkDropDown          *plot_metric;
  gboolean              demo_pending;        /* the demo clip is being made */
  gboolean              demo_chain_pending;  /* set chain 1 once it opens */

  /* Live DISTS: computed after the frame's PSNR/SSIM, possibly for an
   * older frame during playback. */
  char                 *dists_error;
  gint64                dists_next_us;
  double                dists_last_ms;
  gint64                dists_longest_lag;
  /* Preferences' metric variants; the session gets the DISTS one. */
  SvdDistsMode          dists_mode;
  gboolean              psnr_of_mean_mse;

  GMenu                *recent_section;     /* Open Recent, from GtkRecentManager */
  gulong                recent_handler;
  char                 *session_uri;        /* the clip the session was started on */
};

/* svd-window.c */
void     svd_window_show_open_error  (SvdWindow   *self,
                                      const char  *name,
                                      const char  *reason);
void     svd_window_add_recent       (SvdWindow   *self,
                                      const char  *uri);
void     svd_window_update_subtitle  (SvdWindow   *self);
void     svd_window_apply_demo_chain (SvdWindow   *self);
void     svd_window_engine_settings  (SvdWindow   *self,
                                      SvdSettings *settings);

/* svd-window-export.c: exports run beside the comparison */
void     svd_window_export_progress  (SvdWindow       *self,
                                      SvdExportDialog *dialog,
                                      double           fraction,
                                      const char      *text);
void     svd_window_export_finished  (SvdWindow       *self,
                                      SvdExportDialog *dialog,
                                      SvdExportState   state,
                                      const char      *message,
                                      GFile           *output);
void     svd_window_class_init_export (GtkWidgetClass *widget_class);
AdwToast *svd_window_get_export_toast (SvdWindow      *self);
gboolean svd_window_is_exporting     (SvdWindow       *self);

/* svd-window-session.c: the session side of the window */
void     svd_window_close_session    (SvdWindow   *self);
void     svd_window_session_request  (SvdWindow   *self,
                                      gint64       index,
                                      gboolean     seek);
gboolean svd_window_wants_overlays   (SvdWindow   *self);
void     svd_window_reset_averages   (SvdWindow   *self,
                                      guint        slot);
void     svd_window_forget_removed_chains (SvdWindow *self);
void     svd_window_play_action      (GtkWidget   *widget,
                                      const char  *action_name,
                                      GVariant    *parameter);
void     svd_window_update_banner    (SvdWindow   *self);
void     svd_window_update_readout_pane (SvdWindow *self);
void     svd_window_fit_readout_pane (SvdWindow   *self);
void     svd_window_update_readout_header (SvdWindow *self);
void     svd_window_refresh_readouts (SvdWindow   *self);
void     svd_window_check_pair       (SvdWindow   *self);
void     svd_window_engine_settings_changed_cb (SvdWindow *self);
void     svd_window_dists_weights_changed_cb   (SvdWindow *self);
void     svd_window_metric_settings_changed_cb (SvdWindow *self);

/* svd-window-nav.c: frame navigation and saving the shown frame */
void       svd_window_nav_class_init  (GtkWidgetClass *widget_class);
gint64     svd_window_worst_frame     (SvdWindow      *self,
                                       int             chain,
                                       int             metric);
gboolean   svd_window_scan_clip       (SvdWindow      *self,
                                       int             chain);
gboolean   svd_window_is_scanning     (SvdWindow      *self);
void       svd_window_cancel_scan     (SvdWindow      *self);
GPtrArray *svd_window_save_frame_pair (SvdWindow      *self,
                                       const char     *folder,
                                       GError        **error);

/* For tests: what the window shows and does. */
gboolean    svd_window_is_demo_pending    (SvdWindow *self);
SvdPlot    *svd_window_get_plot           (SvdWindow *self);
GMenuModel *svd_window_get_recent_menu    (SvdWindow *self);
gint64      svd_window_get_shown_frame    (SvdWindow *self);
const char *svd_window_get_readout        (SvdWindow *self,
                                           guint      slot);
const SvdSessionInfo *svd_window_get_session_info (SvdWindow *self);
SvdSession *svd_window_get_session       (SvdWindow *self);
SvdDistsMode svd_window_get_dists_mode    (SvdWindow *self);
gboolean    svd_window_get_playing        (SvdWindow *self);
gboolean    svd_window_is_busy            (SvdWindow *self);
double      svd_window_get_longest_update (SvdWindow *self,
                                           gboolean   reset);
/* Playback since the last Play: frames shown, frames skipped to keep the
 * clip's rate, and the shown rate (frames per second of wall time). */
void        svd_window_get_playback_stats (SvdWindow *self,
                                           gint64    *shown,
                                           gint64    *dropped,
                                           double    *shown_fps);
const char *svd_window_get_banner_text    (SvdWindow *self);
void        svd_window_set_test_clock     (SvdWindow *self,
                                           gint64     step_us);

G_END_DECLS
