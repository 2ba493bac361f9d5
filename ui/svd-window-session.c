/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's side of the comparison session: it sends the session
 * requests (frames, chains, DISTS, settings) and draws what comes back in
 * the viewer, the readouts and the plot. The session itself, the metrics
 * and the readout text are libsvd's (app/session). */
#define G_LOG_DOMAIN "svd-window"

#include "svd-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "session/svd-pair-check.h"

#include "svd-chain-editor.h"
#include "svd-ui-enums.h"
#include "svd-window-private.h"

/* Playing or paused, and the play button's icon with it: playback also
 * stops on a seek, a step, a frame error and at the end of the clip. */
static void
svd_window_set_playing (SvdWindow *self,
                        gboolean   playing)
{
  self->playing = playing;
  if (self->play_button != NULL)  /* NULL once disposed */
    gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                              playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
}

/**
 * svd_window_go_to_frame:
 * @self: a #SvdWindow
 * @index: the frame to show, 0-based; clamped to the clip
 *
 * Asks the session for frame @index. Requests made before are dropped, so
 * holding an arrow key never piles up work and a late frame never
 * replaces a newer one.
 */
void
svd_window_go_to_frame (SvdWindow *self,
                        gint64     index)
{
  g_return_if_fail (SVD_IS_WINDOW (self));

  if (self->session == NULL)
    return;
  svd_window_set_playing (self, FALSE);
  g_clear_handle_id (&self->play_source, g_source_remove);
  svd_window_session_request (self, index, TRUE);
}

/**
 * svd_window_get_shown_frame:
 * @self: a #SvdWindow
 *
 * Returns: the index of the clip frame on screen, or -1 without a clip
 */
gint64
svd_window_get_shown_frame (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), -1);

  return self->session != NULL && self->session_shown_any ? self->session_shown : -1;
}

/* ---- Comparison session ------------------------------------------------ */

static void
svd_window_session_info_clear (SvdSessionInfo *info)
{
  g_clear_pointer (&info->input_path, g_free);
  g_clear_pointer (&info->reference_path, g_free);
  g_clear_pointer (&info->codec, g_free);
  g_clear_pointer (&info->summary, g_free);
  g_clear_pointer (&info->metrics_device, g_free);
  g_clear_pointer (&info->dists_unavailable, g_free);
}

void
svd_window_reset_averages (SvdWindow *self,
                           guint      slot)
{
  svd_chain_stats_reset (&self->chains[slot].stats);
  svd_plot_clear (self->plot, slot);
}

static void
svd_window_forget_chain_frame (SvdSessionChainFrame *c)
{
  g_clear_pointer (&c->error, g_free);
  g_clear_pointer (&c->metrics_problem, g_free);
  memset (c, 0, sizeof *c);
}

void
svd_window_close_session (SvdWindow *self)
{
  g_clear_handle_id (&self->play_source, g_source_remove);
  svd_window_set_playing (self, FALSE);
  /* Joins the worker: engines, readers and runner are freed on it (and a
   * scan of the clip ends with it). */
  g_clear_pointer (&self->session, svd_session_free);
  gtk_revealer_set_reveal_child (self->scan_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->scan_revealer), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-scan", FALSE);
  svd_window_session_info_clear (&self->session_info);
  self->session_open = FALSE;
  self->session_shown_any = FALSE;
  self->chain_selected = FALSE;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      SvdWindowChain *chain = &self->chains[i];

      svd_chain_stats_clear (&chain->stats);
      g_clear_pointer (&chain->chain, svd_chain_free);
      svd_window_forget_chain_frame (&chain->last);
      g_clear_pointer (&chain->last_error, g_free);
    }
  g_clear_pointer (&self->dists_error, g_free);
  self->dists_next_us = 0;
  self->dists_last_ms = 0;
  g_cancellable_cancel (self->pair_check);
  g_clear_object (&self->pair_check);
  g_clear_pointer (&self->pair_warning, g_free);
  self->pair_checked = FALSE;
  self->warm_up_ms = 0;
  if (self->banner != NULL)  /* NULL once disposed */
    svd_window_update_banner (self);
  /* Removed chains belong to this clip: Undo must not put them on another. */
  svd_window_forget_removed_chains (self);
}

gboolean
svd_window_wants_overlays (SvdWindow *self)
{
  SvdViewMode mode = svd_viewer_get_view_mode (self->viewer);

  return mode == SVD_VIEW_MODE_DIFFERENCE || mode == SVD_VIEW_MODE_SSIM;
}

void
svd_window_session_request (SvdWindow *self,
                            gint64     index,
                            gboolean   seek)
{
  guint64 serial;

  if (self->session == NULL || !self->session_open)
    return;
  if (self->session_info.n_frames > 0)
    index = MIN (index, self->session_info.n_frames - 1);
  index = MAX (index, 0);
  self->session_wanted = index;
  serial = ++self->serial;
  if (seek)
    svd_viewer_begin_frame (self->viewer, serial);
  svd_session_request (self->session, index, serial, seek, svd_window_wants_overlays (self));
}

/* Each cell is as wide as the widest text it can show for this clip and
 * chain, so values never resize it (see svd-readout.c). */
static void
svd_window_size_readout (SvdWindow *self,
                         guint      slot,
                         int        n_stages)
{
  SvdWindowChain *chain = &self->chains[slot];
  gint64 n = MAX (self->session_info.n_frames, 999);
  SvdReadoutText widest;

  if (chain->sized_frames == n && chain->sized_stages == n_stages)
    return;
  chain->sized_frames = n;
  chain->sized_stages = n_stages;
  svd_readout_format_widest (slot, n, n_stages, &widest);
  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    svd_readout_set_cell_width (chain->readout, i, widest.values[i]);
  svd_readout_text_clear (&widest);
}

/* The readouts table's header row: a column title over each cell that a
 * shown chain's row has, none without a row. */
void
svd_window_update_readout_header (SvdWindow *self)
{
  SvdReadoutOptions options = { 0 };
  gboolean any = FALSE;

  options.dists_mode = self->dists_mode;
  options.psnr_of_mean_mse = self->psnr_of_mean_mse;
  for (guint c = 0; c < SVD_READOUT_N_CELLS; c++)
    {
      gboolean shown = FALSE;
      g_autofree char *title = NULL;

      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        if (gtk_widget_get_visible (GTK_WIDGET (self->chains[i].readout)) &&
            svd_readout_get_cell_visible (self->chains[i].readout, c))
          shown = TRUE;
      any |= shown;
      title = shown ? svd_readout_format_header (c, &options) : NULL;
      if (title != NULL)
        svd_readout_set_cell_width (self->readout_header, c, title);
      svd_readout_set_cell (self->readout_header, c, title, NULL);
    }
  if (gtk_widget_get_visible (GTK_WIDGET (self->readout_header)) != any)
    gtk_widget_set_visible (GTK_WIDGET (self->readout_header), any);
  svd_window_fit_readout_pane (self);
}

/* Fills a chain's readout for the frame @c: the text is libsvd's
 * (svd_readout_format_chain(), as `svd compare` prints it). */
static void
svd_window_update_readout (SvdWindow                  *self,
                           guint                       slot,
                           const SvdSessionChainFrame *c)
{
  SvdWindowChain *chain = &self->chains[slot];
  SvdReadoutOptions options = { 0 };
  SvdReadoutText text;

  gboolean no_dists = self->session_info.dists_unavailable != NULL || self->dists_error != NULL;

  svd_window_size_readout (self, slot, c->timings.n_stages);
  options.dists_mode = self->dists_mode;
  options.psnr_of_mean_mse = self->psnr_of_mean_mse;
  options.dists_unavailable = self->session_info.dists_unavailable;
  options.dists_error = self->dists_error;
  /* Why DISTS is off is said once, in the banner over the viewer. */
  options.dists_elsewhere = TRUE;
  svd_readout_format_chain (slot, c, &chain->stats, &options, &text);
  for (guint i = 0; i < SVD_READOUT_N_CELLS; i++)
    {
      const char *value = text.values[i];

      /* A chain with metrics keeps a place for each metric cell, empty
       * until it has a value (the clip means, DISTS), so the columns stay
       * lined up with the other chains'. */
      if (value == NULL && c->has_metrics && c->error == NULL &&
          !(no_dists && (i == SVD_READOUT_DISTS || i == SVD_READOUT_MEAN_DISTS)))
        value = "";
      svd_readout_set_cell (chain->readout, i, value, text.cells[i] != NULL ? text.cells[i] : value);
    }
  svd_readout_set_message (chain->readout, text.message);
  svd_readout_text_clear (&text);
}

/* Every chain's readout again, for the frame it shows (DISTS came in, or
 * a metric variant changed). */
void
svd_window_refresh_readouts (SvdWindow *self)
{
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (self->chains[i].last.active && gtk_widget_get_visible (GTK_WIDGET (self->chains[i].readout)))
      svd_window_update_readout (self, i, &self->chains[i].last);
  svd_window_update_readout_header (self);
}

static gboolean svd_window_play_tick (gpointer user_data);

/* DISTS costs far more than a frame: when paused it always catches up to
 * the shown frame; during playback it lags and the readout says by how
 * much. */
static void
svd_window_maybe_request_dists (SvdWindow *self)
{
  if (self->session == NULL || self->session_info.dists_unavailable != NULL || self->dists_error != NULL)
    return;
  if (self->playing)
    {
      double period_ms = self->session_info.fps > 0 ? 1000.0 / self->session_info.fps : 40.0;

      /* DISTS has its own thread but shares the device (here, the CPU
       * cores) with the chains: during playback it runs only where it is
       * cheap (at most two frame times, as on a GPU) and then at most a
       * quarter of the time; otherwise it waits for the pause. */
      if (self->dists_last_ms > 2 * period_ms || g_get_monotonic_time () < self->dists_next_us)
        return;
    }
  svd_session_request_dists (self->session);
}

static void
svd_window_dists_cb (SvdSessionDists *dists,
                     gpointer         user_data)
{
  SvdWindow *self = user_data;

  if (dists->error != NULL && self->dists_error == NULL)
    {
      const char *reason = dists->error;

      /* The readout already says "DISTS". */
      if (g_str_has_prefix (reason, "DISTS is unavailable: "))
        reason += strlen ("DISTS is unavailable: ");
      self->dists_error = g_strndup (reason, strcspn (reason, "\n"));
      svd_window_update_banner (self);
    }
  /* Values of the variant used before Preferences changed it are dropped. */
  if (dists->index >= 0 && dists->index <= self->session_shown && dists->mode == self->dists_mode)
    {
      self->dists_next_us = g_get_monotonic_time () + (gint64) (3000 * dists->compute_ms);
      self->dists_last_ms = dists->compute_ms;
      self->dists_longest_lag = MAX (self->dists_longest_lag, self->session_shown - dists->index);
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        if (dists->has_dists[i])
          svd_chain_stats_add_dists (&self->chains[i].stats, dists->index, dists->dists[i]);
    }
  svd_window_refresh_readouts (self);
  /* Paused on a newer frame than this result: catch up. */
  if (!self->playing && dists->index >= 0 && dists->index < self->session_shown)
    svd_window_maybe_request_dists (self);
  svd_session_dists_free (dists);
}

/* The playback clock: the monotonic time, or for tests a clock that moves
 * by a fixed step at each shown frame, as if each frame took that long to
 * compute (svd_window_set_test_clock()). */
static gint64
svd_window_play_clock (SvdWindow *self)
{
  if (self->test_clock_step > 0)
    return self->test_clock += self->test_clock_step;
  return g_get_monotonic_time ();
}

/**
 * svd_window_set_test_clock:
 * @self: a #SvdWindow
 * @step_us: how far playback's clock moves at each shown frame; 0 for the
 *   real clock
 *
 * For tests: playback that is slower (or faster) than the clip by a known
 * amount, so which frames are dropped does not depend on the machine.
 */
void
svd_window_set_test_clock (SvdWindow *self,
                           gint64     step_us)
{
  g_return_if_fail (SVD_IS_WINDOW (self));

  self->test_clock_step = MAX (step_us, 0);
  self->test_clock = g_get_monotonic_time ();
}

/* When frame @index is due on the playback clock. */
static gint64
svd_window_due_us (SvdWindow *self,
                   gint64     index)
{
  double fps = self->session_info.fps > 0 ? self->session_info.fps : 25.0;

  return self->play_start_us + (gint64) ((index - self->play_start_index) * 1e6 / fps);
}

/* Frame @shown of playback is on screen at @now: ask for the next one
 * when it is due. Playback keeps the clip's rate on a clock; when the
 * chains are slower, the frames whose time has passed are skipped (and
 * counted), so one request at a time is ever in flight and nothing queues.
 * A warm-up (kernels built for the frame) starts the clock again: it is
 * not the clip's time. */
static void
svd_window_play_next (SvdWindow *self,
                      gint64     shown,
                      gint64     now,
                      gboolean   warm)
{
  double fps = self->session_info.fps > 0 ? self->session_info.fps : 25.0;
  gint64 n = self->session_info.n_frames;
  gint64 next = shown + 1, due_now, delay_us;

  if (self->play_shown == 0 || warm)
    {
      self->play_start_us = now;
      self->play_start_index = shown;
      self->play_first_us = now;
      self->play_shown = 0;
    }
  self->play_shown++;
  due_now = self->play_start_index + (gint64) floor ((now - self->play_start_us) * fps / 1e6);
  if (due_now > next)
    {
      /* Only frames of the clip count as dropped, not the time past its end. */
      self->play_dropped += (n > 0 ? MIN (due_now, n) : due_now) - next;
      next = due_now;
    }
  if (n > 0 && next >= n)
    {
      if (self->loop)
        {
          /* Again from the first frame, on a new clock. */
          next = 0;
          self->play_start_index = 0;
          self->play_start_us = now;
        }
      else if (shown < n - 1)
        {
          /* Playback ends on the last frame, even a late one. */
          self->play_dropped--;
          next = n - 1;
        }
      else
        {
          svd_window_set_playing (self, FALSE);
          return;
        }
    }
  self->play_next = next;
  delay_us = svd_window_due_us (self, next) - now;
  g_clear_handle_id (&self->play_source, g_source_remove);
  if (delay_us < 1000)
    svd_window_session_request (self, next, FALSE);
  else
    self->play_source = g_timeout_add ((guint) ((delay_us + 999) / 1000), svd_window_play_tick, self);
}

/* Beside the seek bar: while playing, the shown rate against the clip's
 * and the frames dropped; paused, what the shown frame cost, or that it
 * was a warm-up. */
static char *
svd_window_format_speed (SvdWindow *self,
                         double     compute_ms)
{
  g_autofree char *speed = NULL;

  if (self->warm_up_ms > 0 && !self->playing)
    /* Translators: new chains first build their kernels (a warm-up, not a
     * frame time): how long that took, then the frame's own time, both
     * in milliseconds */
    return g_strdup_printf (_("warm-up: kernels built in %.0f ms; this frame %.0f ms"), self->warm_up_ms,
                            compute_ms);
  double shown_fps = 0;

  /* Frames shown over the time since Play (or the last warm-up): what the
   * user saw, not a rate of the last few frames (cached frames come in
   * bursts). */
  svd_window_get_playback_stats (self, NULL, NULL, &shown_fps);
  speed = svd_readout_format_speed (self->playing, shown_fps, self->session_info.fps, compute_ms);
  if (self->playing && self->play_dropped > 0)
    /* Translators: the playback speed, then how many frames were skipped
     * because the chains could not keep the clip's rate */
    return g_strdup_printf (ngettext ("%s, dropped %lld frame", "%s, dropped %lld frames",
                                      (gulong) MIN (self->play_dropped, G_MAXLONG)),
                            speed, (long long) self->play_dropped);
  return g_steal_pointer (&speed);
}

/* While the session builds a chain's engine (compiling kernels can take
 * seconds on a CPU device), the speed readout says so. */
static void
svd_window_session_state_cb (SvdSessionState state,
                             gpointer        user_data)
{
  SvdWindow *self = user_data;

  if (state == SVD_SESSION_STATE_WARMING_UP && self->speed_label != NULL)
    /* Translators: a new chain's kernels are being compiled */
    gtk_inscription_set_text (self->speed_label, _("warming up: compiling kernels…"));
}

static void
svd_window_session_frame_cb (SvdSessionFrame *frame,
                             const GError    *error,
                             gpointer         user_data)
{
  SvdWindow *self = user_data;
  guint64 serial;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *speed = NULL;
  gboolean warm = FALSE;
  gint64 play_now;

  if (frame == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %lld is a frame number, %s the reason */
      message = g_strdup_printf (_("Could not show frame %lld: %s"), (long long) self->session_wanted + 1,
                                 error->message);
      svd_window_show_toast (self, message);
      svd_window_set_playing (self, FALSE);
      return;
    }

  serial = frame->viewer_serial;
  /* During playback frames are not begun by a seek: start each here so the
   * viewer swaps every slot at once. */
  if (serial > svd_viewer_get_serial (self->viewer))
    svd_viewer_begin_frame (self->viewer, serial);
  if (frame->reference != NULL)
    svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_REFERENCE, serial, frame->reference);
  svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_SOURCE, serial, frame->source);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      SvdSessionChainFrame *c = &frame->chains[i];
      SvdWindowChain *chain = &self->chains[i];

      /* A frame computed before its chain was removed shows nothing of it
       * (no picture, readout or plot point). */
      if (!c->active || chain->chain == NULL)
        {
          gtk_widget_set_visible (GTK_WIDGET (chain->readout), FALSE);
          continue;
        }
      if (c->display != NULL &&
          svd_viewer_set_image (self->viewer, SVD_VIEWER_SLOT_CHAIN_1 + i, serial, c->display) &&
          !self->chain_selected)
        {
          /* The first restored frame: compare it against the reference. */
          self->chain_selected = TRUE;
          if (frame->reference != NULL)
            svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_REFERENCE);
          svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_CHAIN_1 + i);
        }
      if (c->difference != NULL)
        svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_DIFFERENCE, SVD_VIEWER_SLOT_CHAIN_1 + i,
                                serial, c->difference);
      if (c->ssim_map != NULL)
        svd_viewer_set_overlay (self->viewer, SVD_VIEWER_OVERLAY_SSIM, SVD_VIEWER_SLOT_CHAIN_1 + i,
                                serial, c->ssim_map);
      if (c->has_metrics && svd_chain_stats_add_frame (&chain->stats, &c->metrics))
        svd_plot_add (self->plot, i, frame->index, c->metrics.psnr_y, c->metrics.ssim_y);
      if (c->error != NULL && g_strcmp0 (c->error, chain->last_error) != 0)
        {
          g_autofree char *message = NULL;

          /* Translators: %u is the chain's number, %s the reason; the
           * other chains keep running */
          message = g_strdup_printf (_("Chain %u failed: %s"), i + 1, c->error);
          svd_window_show_toast (self, message);
        }
      g_free (chain->last_error);
      chain->last_error = g_strdup (c->error);
      svd_window_forget_chain_frame (&chain->last);
      chain->last = *c;
      chain->last.error = g_strdup (c->error);
      chain->last.metrics_problem = g_strdup (c->metrics_problem);
      chain->last.display = chain->last.difference = chain->last.ssim_map = NULL;
      svd_window_update_readout (self, i, c);
      gtk_widget_set_visible (GTK_WIDGET (chain->readout), TRUE);
    }
  svd_window_update_readout_header (self);

  if (!self->session_shown_any)
    {
      /* A clip without reference nor chain has one picture to show. */
      if (frame->reference == NULL && !self->chain_selected)
        {
          svd_viewer_set_view_mode (self->viewer, SVD_VIEW_MODE_TOGGLE);
          svd_viewer_select_slot (self->viewer, SVD_VIEWER_SLOT_SOURCE);
        }
      else
        svd_viewer_set_view_mode (self->viewer, SVD_VIEW_MODE_SLIDER);
      gtk_widget_grab_focus (GTK_WIDGET (self->viewer));
      self->session_shown_any = TRUE;
    }
  self->session_shown = frame->index;
  svd_plot_set_current (self->plot, frame->index);

  g_signal_handler_block (self->seek_scale, self->seek_handler);
  gtk_range_set_value (GTK_RANGE (self->seek_scale), frame->index);
  g_signal_handler_unblock (self->seek_scale, self->seek_handler);

  play_now = svd_window_play_clock (self);
  if (self->last_shown_us > 0 && self->playing && !warm)
    {
      double fps = 1e6 / MAX (1, play_now - self->last_shown_us);

      self->shown_fps = self->shown_fps > 0 ? 0.8 * self->shown_fps + 0.2 * fps : fps;
    }
  self->last_shown_us = play_now;
  /* The session builds a new engine (kernels) before the frame that needs
   * it and says how long that took, apart from the frame's own time. */
  warm = frame->warmup_ms > 0;
  self->warm_up_ms = frame->warmup_ms;
  if (self->playing)
    svd_window_play_next (self, frame->index, play_now, warm);
  speed = svd_window_format_speed (self, frame->compute_ms);
  gtk_inscription_set_text (self->speed_label, speed);
  /* Cut short when the seek bar beside it needs the room. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speed_label), speed);
  svd_window_update_subtitle (self);

  svd_session_frame_free (frame);
  svd_window_maybe_request_dists (self);
  self->longest_update_us = MAX (self->longest_update_us, g_get_monotonic_time () - now);
}

static gboolean
svd_window_play_tick (gpointer user_data)
{
  SvdWindow *self = user_data;

  self->play_source = 0;
  if (self->playing)
    svd_window_session_request (self, self->play_next, FALSE);
  return G_SOURCE_REMOVE;
}

static void
svd_window_session_progress_cb (double      fraction,
                                const char *text,
                                gpointer    user_data)
{
  SvdWindow *self = user_data;
  g_autofree char *subtitle = NULL;

  if (fraction >= 0)
    /* Translators: Synthesize mode encodes the degraded input first */
    subtitle = g_strdup_printf (_("Making the degraded input: %.0f %%"), fraction * 100.0);
  else
    subtitle = g_strdup (_("Making the degraded input…"));
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
svd_window_session_opened_cb (const SvdSessionInfo *info,
                              const GError         *error,
                              gpointer              user_data)
{
  SvdWindow *self = user_data;

  if (info == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The session stays until the next open replaces it (it is freed
       * outside its own callback); the window goes back to its start page. */
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      adw_window_title_set_subtitle (self->window_title, NULL);
      if (self->demo_chain_pending)
        {
          self->demo_chain_pending = FALSE;
          /* Translators: %s is the reason */
          message = g_strdup_printf (_("Could not start the session: %s"), error->message);
          svd_window_show_toast (self, message);
          return;
        }
      svd_window_show_open_error (self, self->clip_name, error->message);
      return;
    }
  if (self->session_uri != NULL && !self->demo_chain_pending)
    svd_window_add_recent (self, self->session_uri);

  svd_window_session_info_clear (&self->session_info);
  self->session_info = *info;
  self->session_info.input_path = g_strdup (info->input_path);
  self->session_info.reference_path = g_strdup (info->reference_path);
  self->session_info.codec = g_strdup (info->codec);
  self->session_info.summary = g_strdup (info->summary);
  self->session_info.metrics_device = g_strdup (info->metrics_device);
  if (info->dists_unavailable != NULL)
    {
      /* The library's message lists every place it looked; the readout
       * keeps its first line (the tooltip has it all). */
      const char *reason = info->dists_unavailable;

      if (g_str_has_prefix (reason, "DISTS is unavailable: "))
        reason += strlen ("DISTS is unavailable: ");
      self->session_info.dists_unavailable = g_strndup (reason, strcspn (reason, "\n"));
      if (g_str_has_suffix (self->session_info.dists_unavailable, " Looked in:"))
        self->session_info.dists_unavailable[strlen (self->session_info.dists_unavailable) -
                                             strlen (" Looked in:")] = '\0';
    }
  self->session_open = TRUE;
  svd_window_update_banner (self);
  if (info->mode == SVD_REFERENCE_PAIR)
    svd_window_check_pair (self);
  if (self->demo_chain_pending)
    svd_window_apply_demo_chain (self);

  gtk_range_set_range (GTK_RANGE (self->seek_scale), 0, MAX (1, info->n_frames - 1));
  svd_plot_set_n_frames (self->plot, info->n_frames);
  gtk_range_set_increments (GTK_RANGE (self->seek_scale), 1, 10);
  gtk_widget_set_visible (self->session_box, TRUE);
  svd_window_update_readout_pane (self);
  svd_window_session_request (self, self->session_wanted, TRUE);
}

/* DISTS values of another variant or other weights are another metric:
 * forget them. A failure may have been theirs only (out of memory at full
 * resolution, a missing weight file): the new ones get their chance. */
static void
svd_window_forget_dists (SvdWindow *self)
{
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    svd_chain_stats_forget_dists (&self->chains[i].stats);
  g_clear_pointer (&self->dists_error, g_free);
  self->dists_next_us = 0;
  self->dists_last_ms = 0;
}

/* Preferences changed the device, the precision or the DISTS weight files:
 * rebuild the engines on the session's worker (and the DISTS runner on its
 * thread) and show the current frame again. */
void
svd_window_engine_settings_changed_cb (SvdWindow *self)
{
  g_auto(SvdSettings) settings = { 0 };

  if (self->session == NULL)
    return;
  svd_window_engine_settings (self, &settings);
  svd_session_set_engine_settings (self->session, &settings);
  svd_window_session_request (self, self->session_wanted, TRUE);
}

/* Preferences changed the DISTS weight files: the session's DISTS thread
 * loads them for its next job (svd_session_set_engine_settings()); whether
 * they are there, it says then. */
void
svd_window_dists_weights_changed_cb (SvdWindow *self)
{
  svd_window_forget_dists (self);
  g_clear_pointer (&self->session_info.dists_unavailable, g_free);
  svd_window_update_banner (self);
  svd_window_engine_settings_changed_cb (self);
}

/* Preferences changed a metric variant (or the window starts). The clip
 * PSNR is only another aggregate of the frames already seen. A new DISTS
 * variant is another metric: the values so far are forgotten, and when
 * paused the shown frame is asked for again so that its DISTS comes in the
 * new variant (during playback the next frames bring it). */
void
svd_window_metric_settings_changed_cb (SvdWindow *self)
{
  SvdDistsMode mode = SVD_SESSION_DISTS_MODE;

  if (self->settings != NULL)
    {
      mode = g_settings_get_enum (self->settings, "dists-variant") == 0 ? SVD_DISTS_FULL : SVD_DISTS_SHORT256;
      self->psnr_of_mean_mse = g_settings_get_enum (self->settings, "psnr-average") == 1;
    }
  if (mode != self->dists_mode)
    {
      self->dists_mode = mode;
      svd_window_forget_dists (self);
      if (self->session != NULL)
        {
          svd_session_set_dists_mode (self->session, mode);
          if (self->session_open && !self->playing)
            svd_window_session_request (self, self->session_wanted, TRUE);
        }
    }
  svd_window_refresh_readouts (self);
}

/**
 * svd_window_get_dists_mode:
 * @self: a #SvdWindow
 *
 * Returns: the DISTS variant the window asks its sessions for, from
 *   Preferences
 */
SvdDistsMode
svd_window_get_dists_mode (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), SVD_SESSION_DISTS_MODE);

  return self->dists_mode;
}

static void svd_window_start_session_now (SvdWindow             *self,
                                          const SvdSessionSetup *setup);

typedef struct {
  SvdSessionSetup setup;
  char           *failed_name;  /* the file that could not be read */
} SessionProbe;

static void
session_probe_free (gpointer data)
{
  SessionProbe *probe = data;

  g_free (probe->setup.input_path);
  g_free (probe->setup.reference_path);
  g_free (probe->failed_name);
  g_free (probe);
}

static void
session_probe_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  SessionProbe *probe = task_data;
  const char *paths[] = { probe->setup.input_path, probe->setup.reference_path };
  SvdReaderOptions options;

  /* Opening a clip reads its headers and may decode: never on the main
   * thread. */
  svd_reader_options_init (&options);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      GError *error = NULL;
      SvdReader *reader;

      if (paths[i] == NULL)
        continue;
      reader = svd_reader_open (paths[i], &options, &error);
      if (reader == NULL)
        {
          probe->failed_name = g_path_get_basename (paths[i]);
          g_task_return_error (task, error);
          return;
        }
      svd_reader_free (reader);
    }
  g_task_return_boolean (task, TRUE);
}

static void
session_probed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SvdWindow *self = SVD_WINDOW (object);
  SessionProbe *probe = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The session that was open stays, chains and all. */
      svd_window_show_open_error (self, probe->failed_name, error->message);
      return;
    }
  svd_window_start_session_now (self, &probe->setup);
}

/**
 * svd_window_start_session:
 * @self: a #SvdWindow
 * @setup: the clip and reference mode
 *
 * Opens a comparison session on its worker; the first frame appears when
 * it is ready. When a session is open, the new clip (and its reference) is
 * opened on a thread first, and a clip that cannot be read leaves the open
 * session as it is and says why. Failures are dialogs or toasts.
 */
void
svd_window_start_session (SvdWindow             *self,
                          const SvdSessionSetup *setup)
{
  g_autoptr(GTask) task = NULL;
  SessionProbe *probe;

  g_return_if_fail (SVD_IS_WINDOW (self));
  g_return_if_fail (setup != NULL && setup->input_path != NULL);

  if (self->session == NULL || !self->session_open)
    {
      svd_window_start_session_now (self, setup);
      return;
    }
  probe = g_new0 (SessionProbe, 1);
  probe->setup = *setup;
  probe->setup.input_path = g_strdup (setup->input_path);
  probe->setup.reference_path = setup->mode == SVD_REFERENCE_PAIR ? g_strdup (setup->reference_path) : NULL;
  probe->setup.degrade.preset = NULL;  /* unused by the session */
  task = g_task_new (self, self->cancellable, session_probed_cb, NULL);
  g_task_set_task_data (task, probe, session_probe_free);
  g_task_run_in_thread (task, session_probe_thread);
}

static void
svd_window_start_session_now (SvdWindow             *self,
                              const SvdSessionSetup *setup)
{
  g_auto(SvdSettings) settings = { 0 };
  g_autofree char *name = NULL;

  svd_window_close_session (self);
  self->demo_pending = FALSE;
  self->demo_chain_pending = FALSE;
  svd_window_engine_settings (self, &settings);

  name = g_path_get_basename (setup->input_path);
  g_free (self->clip_name);
  self->clip_name = g_steal_pointer (&name);
  g_free (self->session_uri);
  self->session_uri = g_filename_to_uri (setup->input_path, NULL, NULL);
  self->session_wanted = 0;
  self->session_offset = setup->mode == SVD_REFERENCE_PAIR ? setup->offset : 0;
  self->session_shown = 0;
  self->last_shown_us = 0;
  self->shown_fps = 0;
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    {
      svd_window_reset_averages (self, i);
      gtk_widget_set_visible (GTK_WIDGET (self->chains[i].readout), FALSE);
    }
  svd_window_update_readout_header (self);
  svd_viewer_clear (self->viewer);
  gtk_stack_set_visible_child_name (self->main_stack, "viewer");
  adw_window_title_set_subtitle (self->window_title, _("Opening…"));
  self->session = svd_session_new (&settings, setup, svd_window_session_opened_cb,
                                   svd_window_session_frame_cb, svd_window_session_progress_cb, self);
  svd_session_set_dists_func (self->session, svd_window_dists_cb);
  svd_session_set_state_func (self->session, svd_window_session_state_cb);
  svd_session_set_dists_mode (self->session, self->dists_mode);
}

typedef struct {
  guint     slot;
  SvdChain *chain;
} ChainLoad;

static void
chain_load_free (gpointer data)
{
  ChainLoad *load = data;

  g_clear_pointer (&load->chain, svd_chain_free);
  g_free (load);
}

static void
chain_load_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ChainLoad *load = task_data;
  GError *error = NULL;

  /* Parsing a model file is I/O and work: never on the main thread. */
  if (!svd_chain_load_models (load->chain, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
chain_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SvdWindow *self = SVD_WINDOW (object);
  ChainLoad *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %u is the chain's number, %s the reason */
      message = g_strdup_printf (_("Could not load chain %u: %s"), load->slot + 1, error->message);
      svd_window_show_toast (self, message);
      return;
    }
  if (self->session == NULL)
    return;
  svd_session_set_chain (self->session, load->slot, load->chain);
  svd_window_reset_averages (self, load->slot);
  svd_window_session_request (self, self->session_wanted, TRUE);
}

/**
 * svd_window_set_chain:
 * @self: a #SvdWindow
 * @slot: the chain, 0 to 3 (viewer slot 1 to 4)
 * @chain: (nullable): the chain (copied; its models need not be loaded);
 *   %NULL or empty removes it
 *
 * Loads the models on a thread and runs the shown frame through them.
 */
void
svd_window_set_chain (SvdWindow      *self,
                      guint           slot,
                      const SvdChain *chain)
{
  g_autoptr(GTask) task = NULL;
  ChainLoad *load;

  g_return_if_fail (SVD_IS_WINDOW (self));
  g_return_if_fail (slot < SVD_SESSION_MAX_CHAINS);

  if (self->session == NULL)
    return;
  g_clear_pointer (&self->chains[slot].chain, svd_chain_free);
  if (chain == NULL || chain->steps->len == 0)
    {
      gboolean any = FALSE;

      svd_session_set_chain (self->session, slot, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->chains[slot].readout), FALSE);
      svd_window_update_readout_header (self);
      /* Nothing of a removed chain stays: its picture and label, its
       * curve in the plot, its averages. */
      svd_window_reset_averages (self, slot);
      svd_viewer_clear_slot (self->viewer, SVD_VIEWER_SLOT_CHAIN_1 + slot);
      for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
        any |= self->chains[i].chain != NULL;
      if (!any)
        self->chain_selected = FALSE;
      svd_window_session_request (self, self->session_wanted, TRUE);
      return;
    }
  self->chains[slot].chain = svd_chain_copy (chain);
  load = g_new0 (ChainLoad, 1);
  load->slot = slot;
  load->chain = svd_chain_copy (chain);
  task = g_task_new (self, self->cancellable, chain_loaded_cb, NULL);
  g_task_set_task_data (task, load, chain_load_free);
  g_task_run_in_thread (task, chain_load_thread);
}

/**
 * svd_window_set_chain_paths:
 * @self: a #SvdWindow
 * @slot: the chain, 0 to 3 (viewer slot 1 to 4)
 * @paths: (nullable) (array zero-terminated=1): the chain's entries in
 *   order, as svd_chain_parse_entries() reads them (model files, presets,
 *   "bicubic:2"); empty removes the chain
 *
 * svd_window_set_chain() for a chain given as text.
 */
void
svd_window_set_chain_paths (SvdWindow          *self,
                            guint               slot,
                            const char * const *paths)
{
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SVD_IS_WINDOW (self));

  if (paths != NULL && paths[0] != NULL)
    {
      chain = svd_chain_parse_entries (paths, NULL, SVD_CHAIN_LOAD_NO_MODELS, &error);
      if (chain == NULL)
        {
          /* Translators: %u is the chain's number, %s the reason */
          g_autofree char *message = g_strdup_printf (_("Could not load chain %u: %s"), slot + 1, error->message);

          svd_window_show_toast (self, message);
          return;
        }
    }
  svd_window_set_chain (self, slot, chain);
}

/**
 * svd_window_get_readout:
 * @self: a #SvdWindow
 * @slot: the chain, 0 to 3
 *
 * Returns: (nullable): the text of the chain's metric readout, or %NULL
 *   when the chain has none
 */
const char *
svd_window_get_readout (SvdWindow *self,
                        guint      slot)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (slot < SVD_SESSION_MAX_CHAINS, NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->chains[slot].readout)))
    return NULL;
  return svd_readout_get_text (self->chains[slot].readout);
}

/**
 * svd_window_get_session_info:
 * @self: a #SvdWindow
 *
 * Returns: (nullable): what the open session compares, or %NULL
 */
const SvdSessionInfo *
svd_window_get_session_info (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return self->session_open ? &self->session_info : NULL;
}

/**
 * svd_window_get_session:
 * @self: a window
 *
 * For tests: the open session (its chain-run count).
 *
 * Returns: (transfer none) (nullable): the session, or %NULL
 */
SvdSession *
svd_window_get_session (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return self->session;
}

/**
 * svd_window_get_longest_update:
 * @self: a #SvdWindow
 * @reset: start measuring again
 *
 * Returns: the longest time, in ms, the main thread spent handing one
 *   session frame to the viewer and readouts
 */
double
svd_window_get_longest_update (SvdWindow *self,
                               gboolean   reset)
{
  double ms;

  g_return_val_if_fail (SVD_IS_WINDOW (self), 0);

  ms = self->longest_update_us / 1000.0;
  if (reset)
    self->longest_update_us = 0;
  return ms;
}

/**
 * svd_window_is_busy:
 * @self: a #SvdWindow
 *
 * Returns: whether frames the window asked for have not arrived yet
 */
gboolean
svd_window_is_busy (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->session != NULL && svd_session_get_n_pending (self->session) > 0;
}

gboolean
svd_window_get_playing (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), FALSE);

  return self->playing;
}

void
svd_window_play_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SvdWindow *self = SVD_WINDOW (widget);

  if (self->session == NULL || !self->session_open)
    return;
  svd_window_set_playing (self, !self->playing);
  if (self->playing)
    {
      /* The counts and the rate are of this run; a pause keeps them for
       * reading (svd_window_get_playback_stats()). */
      self->last_shown_us = 0;
      self->shown_fps = 0;
      self->play_shown = 0;
      self->play_dropped = 0;
      self->play_first_us = 0;
      if (self->session_info.n_frames > 0 && self->session_shown + 1 >= self->session_info.n_frames)
        self->session_shown = -1;
      svd_window_session_request (self, self->session_shown + 1, FALSE);
    }
  else
    {
      g_clear_handle_id (&self->play_source, g_source_remove);
      svd_window_maybe_request_dists (self);
    }
}

/**
 * svd_window_update_banner:
 * @self: a #SvdWindow
 *
 * The banner over the viewer says, once for every chain, what the whole
 * session lacks: DISTS (with a button to choose its weights) and, in Pair
 * mode, whether the two clips look like one video.
 */
void
svd_window_update_banner (SvdWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *dists = self->session_info.dists_unavailable != NULL ? self->session_info.dists_unavailable
                                                                   : self->dists_error;

  if (self->pair_warning != NULL)
    g_string_append (text, self->pair_warning);
  if (dists != NULL && self->session_open)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: %s says why, e.g. which weight files are missing */
      g_string_append_printf (text, _("DISTS unavailable: %s"), dists);
    }
  /* One line (the window stays as small as it can be); all of it in the
   * tooltip. */
  gtk_label_set_text (self->banner_label, text->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_label), text->len > 0 ? text->str : NULL);
  gtk_widget_set_visible (self->banner_button, dists != NULL && self->session_open);
  /* Shown and hidden, not revealed: a hidden revealer still measures its
   * labels at no width, which GTK 4.8 warns about. */
  gtk_widget_set_visible (GTK_WIDGET (self->banner), text->len > 0);
}

/**
 * svd_window_get_banner_text:
 * @self: a #SvdWindow
 *
 * Returns: what the banner says, or %NULL when it is hidden
 */
const char *
svd_window_get_banner_text (SvdWindow *self)
{
  g_return_val_if_fail (SVD_IS_WINDOW (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->banner)) ? gtk_label_get_text (self->banner_label) : NULL;
}

typedef struct {
  char   *input_path;
  char   *reference_path;
  gint64  offset;
  SvdPairCheck check;
} PairCheckJob;

static void
pair_check_job_free (gpointer data)
{
  PairCheckJob *job = data;

  g_free (job->input_path);
  g_free (job->reference_path);
  g_free (job);
}

static void
pair_check_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PairCheckJob *job = task_data;
  GError *error = NULL;

  /* Three frames: enough to tell one video from another, quick to read. */
  if (!svd_pair_check_run (job->input_path, job->reference_path, job->offset, 3, &job->check,
                           cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
pair_checked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SvdWindow *self = SVD_WINDOW (object);
  PairCheckJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Could not check the pair: %s", error->message);
          self->pair_checked = TRUE;
        }
      return;
    }
  g_free (self->pair_warning);
  self->pair_warning = svd_pair_check_describe (&job->check);
  self->pair_checked = TRUE;
  svd_window_update_banner (self);
}

/**
 * svd_window_check_pair:
 * @self: a #SvdWindow
 *
 * Checks on a thread whether the Pair session's two clips agree (frame
 * rate, length, size, and similar first frames); the banner says when not.
 */
void
svd_window_check_pair (SvdWindow *self)
{
  g_autoptr(GTask) task = NULL;
  PairCheckJob *job;

  if (self->session_info.reference_path == NULL)
    return;
  g_cancellable_cancel (self->pair_check);
  g_clear_object (&self->pair_check);
  self->pair_check = g_cancellable_new ();
  self->pair_checked = FALSE;
  job = g_new0 (PairCheckJob, 1);
  job->input_path = g_strdup (self->session_info.input_path);
  job->reference_path = g_strdup (self->session_info.reference_path);
  job->offset = self->session_offset;
  task = g_task_new (self, self->pair_check, pair_checked_cb, NULL);
  g_task_set_task_data (task, job, pair_check_job_free);
  g_task_run_in_thread (task, pair_check_thread);
}

/**
 * svd_window_get_playback_stats:
 * @self: a #SvdWindow
 * @shown: (out) (optional): frames shown since the last Play
 * @dropped: (out) (optional): frames skipped to keep the clip's rate
 * @shown_fps: (out) (optional): frames shown per second of wall time
 */
void
svd_window_get_playback_stats (SvdWindow *self,
                               gint64    *shown,
                               gint64    *dropped,
                               double    *shown_fps)
{
  g_return_if_fail (SVD_IS_WINDOW (self));

  if (shown != NULL)
    *shown = self->play_shown;
  if (dropped != NULL)
    *dropped = self->play_dropped;
  if (shown_fps != NULL)
    *shown_fps = self->play_shown > 1 && self->last_shown_us > self->play_first_us
                 ? (self->play_shown - 1) * 1e6 / (self->last_shown_us - self->play_first_us) : 0;
}
