/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "session/svd-session.h"

G_BEGIN_DECLS

/* The session's frame cache (private to app/session): each frame's
 * results (source and reference displays, every chain's display, metrics
 * and overlays, and the float images DISTS takes) per chain generation,
 * least recently used first out once over a byte bound. Lives on the
 * session's worker thread. */

/* One frame's results, per chain generation; @bytes is what it holds. */
typedef struct {
  gint64                index;
  SvdImage             *source;     /* RGBA8 */
  SvdImage             *reference;  /* RGBA8 or NULL */
  SvdImage             *dists_ref;  /* float RGB, for DISTS, or NULL */
  gboolean              has[SVD_SESSION_MAX_CHAINS];
  guint                 generation[SVD_SESSION_MAX_CHAINS];
  SvdSessionChainFrame  chains[SVD_SESSION_MAX_CHAINS];
  SvdImage             *dists_out[SVD_SESSION_MAX_CHAINS];
  gsize                 bytes;
} SvdFrameCacheEntry;

typedef struct {
  GQueue entries;  /* SvdFrameCacheEntry, most recently used first */
  gsize  bytes;
} SvdFrameCache;

void                svd_session_chain_frame_clear   (SvdSessionChainFrame       *c);
void                svd_session_chain_frame_copy    (SvdSessionChainFrame       *dst,
                                                     const SvdSessionChainFrame *src);
void                svd_frame_cache_entry_drop_slot (SvdFrameCacheEntry         *e,
                                                     guint                       slot);
void                svd_frame_cache_entry_free      (SvdFrameCacheEntry         *e);
void                svd_frame_cache_clear           (SvdFrameCache              *cache);
SvdFrameCacheEntry *svd_frame_cache_find            (SvdFrameCache              *cache,
                                                     gint64                      index);
void                svd_frame_cache_put             (SvdFrameCache              *cache,
                                                     SvdFrameCacheEntry         *e,
                                                     gsize                       limit);
void                svd_frame_cache_touch           (SvdFrameCache              *cache,
                                                     SvdFrameCacheEntry         *e,
                                                     gsize                       limit);
void                svd_frame_cache_drop_slot       (SvdFrameCache              *cache,
                                                     guint                       slot);

G_END_DECLS
