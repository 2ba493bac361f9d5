/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "session/svd-readout-format.h"
#include "svd-plot.h"
#include "svd-readout.h"
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
  gint64                session_shown;
  gboolean              session_shown_any;
  gboolean              playing;
  guint                 play_source;
  gint64                last_shown_us;
  double                shown_fps;
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
void     svd_window_engine_settings_changed_cb (SvdWindow *self);
void     svd_window_dists_weights_changed_cb   (SvdWindow *self);
void     svd_window_metric_settings_changed_cb (SvdWindow *self);

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

G_END_DECLS
