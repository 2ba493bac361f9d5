/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/svd-image.h"

G_BEGIN_DECLS

/**
 * SvdViewMode:
 * @SVD_VIEW_MODE_SLIDER: the left image over the right one, cut by a
 *   draggable divider (a wipe)
 * @SVD_VIEW_MODE_SIDE_BY_SIDE: the two images next to each other, showing
 *   the same region
 * @SVD_VIEW_MODE_TOGGLE: one image at a time, picked with the number keys,
 *   R and S
 * @SVD_VIEW_MODE_DIFFERENCE: the amplified difference of the compared
 *   image against the reference
 * @SVD_VIEW_MODE_SSIM: the local SSIM of the compared image against the
 *   reference, as a heat map
 */
typedef enum {
  SVD_VIEW_MODE_SLIDER,
  SVD_VIEW_MODE_SIDE_BY_SIDE,
  SVD_VIEW_MODE_TOGGLE,
  SVD_VIEW_MODE_DIFFERENCE,
  SVD_VIEW_MODE_SSIM,
} SvdViewMode;

/**
 * SvdViewerSlot:
 * @SVD_VIEWER_SLOT_REFERENCE: the pristine frame (R)
 * @SVD_VIEWER_SLOT_SOURCE: the degraded input, as decoded (S)
 * @SVD_VIEWER_SLOT_CHAIN_1: the output of chain 1 (key 1), and so on
 */
typedef enum {
  SVD_VIEWER_SLOT_REFERENCE,
  SVD_VIEWER_SLOT_SOURCE,
  SVD_VIEWER_SLOT_CHAIN_1,
  SVD_VIEWER_SLOT_CHAIN_2,
  SVD_VIEWER_SLOT_CHAIN_3,
  SVD_VIEWER_SLOT_CHAIN_4,
} SvdViewerSlot;

#define SVD_VIEWER_N_SLOTS 6

/**
 * SvdViewerOverlay:
 * @SVD_VIEWER_OVERLAY_DIFFERENCE: a difference image (for
 *   %SVD_VIEW_MODE_DIFFERENCE)
 * @SVD_VIEWER_OVERLAY_SSIM: an SSIM heat map (for %SVD_VIEW_MODE_SSIM)
 */
typedef enum {
  SVD_VIEWER_OVERLAY_DIFFERENCE,
  SVD_VIEWER_OVERLAY_SSIM,
} SvdViewerOverlay;

#define SVD_VIEWER_N_OVERLAYS 2

#define SVD_TYPE_VIEWER (svd_viewer_get_type ())

G_DECLARE_FINAL_TYPE (SvdViewer, svd_viewer, SVD, VIEWER, GtkWidget)

GtkWidget     *svd_viewer_new               (void);

void           svd_viewer_begin_frame       (SvdViewer        *self,
                                             guint64           serial);
guint64        svd_viewer_get_serial        (SvdViewer        *self);
gboolean       svd_viewer_set_image         (SvdViewer        *self,
                                             SvdViewerSlot     slot,
                                             guint64           serial,
                                             SvdImage         *image);
gboolean       svd_viewer_set_overlay       (SvdViewer        *self,
                                             SvdViewerOverlay  overlay,
                                             SvdViewerSlot     slot,
                                             guint64           serial,
                                             SvdImage         *image);
void           svd_viewer_clear             (SvdViewer        *self);
void           svd_viewer_clear_slot        (SvdViewer        *self,
                                             SvdViewerSlot     slot);

SvdViewMode    svd_viewer_get_view_mode     (SvdViewer        *self);
void           svd_viewer_set_view_mode     (SvdViewer        *self,
                                             SvdViewMode       mode);
SvdViewerSlot  svd_viewer_get_left_slot     (SvdViewer        *self);
SvdViewerSlot  svd_viewer_get_right_slot    (SvdViewer        *self);
SvdViewerSlot  svd_viewer_get_shown_slot    (SvdViewer        *self);
gboolean       svd_viewer_select_slot       (SvdViewer        *self,
                                             SvdViewerSlot     slot);
double         svd_viewer_get_divider       (SvdViewer        *self);
void           svd_viewer_set_divider       (SvdViewer        *self,
                                             double            position);

double         svd_viewer_get_zoom          (SvdViewer        *self);
void           svd_viewer_set_zoom          (SvdViewer        *self,
                                             double            zoom);
double         svd_viewer_get_scale         (SvdViewer        *self);
void           svd_viewer_zoom_in           (SvdViewer        *self);
void           svd_viewer_zoom_out          (SvdViewer        *self);
void           svd_viewer_set_center        (SvdViewer        *self,
                                             double            x,
                                             double            y);
void           svd_viewer_pan               (SvdViewer        *self,
                                             double            dx,
                                             double            dy);

gboolean       svd_viewer_get_follow_mouse  (SvdViewer        *self);
void           svd_viewer_set_follow_mouse  (SvdViewer        *self,
                                             gboolean          follow);
gboolean       svd_viewer_get_loupe         (SvdViewer        *self);
void           svd_viewer_set_loupe         (SvdViewer        *self,
                                             gboolean          loupe);
int            svd_viewer_get_amplification (SvdViewer        *self);
void           svd_viewer_set_amplification (SvdViewer        *self,
                                             int               amplification);
gboolean       svd_viewer_pick              (SvdViewer        *self,
                                             double            x,
                                             double            y,
                                             SvdViewerSlot    *slot,
                                             int              *px,
                                             int              *py,
                                             guint8            rgb[3]);

const char    *svd_viewer_slot_get_label    (SvdViewerSlot     slot);

G_END_DECLS
