/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-session"

#include "svd-frame-cache.h"

static gsize
image_bytes (const SvdImage *image)
{
  const SvdPixelFormatInfo *fi;
  gsize bytes = 0;

  if (image == NULL)
    return 0;
  fi = svd_pixel_format_get_info (image->format);
  for (int p = 0; p < image->n_planes; p++)
    {
      int h = p == 0 || !fi->is_yuv ? image->height : (image->height + (1 << fi->chroma_shift_y) - 1) >> fi->chroma_shift_y;

      bytes += (gsize) image->stride[p] * h;
    }
  return bytes;
}

void
svd_session_chain_frame_clear (SvdSessionChainFrame *c)
{
  g_clear_pointer (&c->error, g_free);
  g_clear_pointer (&c->metrics_problem, g_free);
  g_clear_pointer (&c->display, svd_image_unref);
  g_clear_pointer (&c->difference, svd_image_unref);
  g_clear_pointer (&c->ssim_map, svd_image_unref);
}

/* A copy sharing the (immutable) images. */
void
svd_session_chain_frame_copy (SvdSessionChainFrame       *dst,
                  const SvdSessionChainFrame *src)
{
  *dst = *src;
  dst->error = g_strdup (src->error);
  dst->metrics_problem = g_strdup (src->metrics_problem);
  dst->display = src->display != NULL ? svd_image_ref (src->display) : NULL;
  dst->difference = src->difference != NULL ? svd_image_ref (src->difference) : NULL;
  dst->ssim_map = src->ssim_map != NULL ? svd_image_ref (src->ssim_map) : NULL;
}

static gsize
chain_frame_bytes (const SvdSessionChainFrame *c)
{
  return image_bytes (c->display) + image_bytes (c->difference) + image_bytes (c->ssim_map);
}

void
svd_frame_cache_entry_drop_slot (SvdFrameCacheEntry *e,
                       guint       slot)
{
  e->has[slot] = FALSE;
  svd_session_chain_frame_clear (&e->chains[slot]);
  g_clear_pointer (&e->dists_out[slot], svd_image_unref);
}

void
svd_frame_cache_entry_free (SvdFrameCacheEntry *e)
{
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    svd_frame_cache_entry_drop_slot (e, i);
  g_clear_pointer (&e->source, svd_image_unref);
  g_clear_pointer (&e->reference, svd_image_unref);
  g_clear_pointer (&e->dists_ref, svd_image_unref);
  g_free (e);
}

static void
frame_cache_entry_measure (SvdFrameCacheEntry *e)
{
  e->bytes = image_bytes (e->source) + image_bytes (e->reference) + image_bytes (e->dists_ref);
  for (guint i = 0; i < SVD_SESSION_MAX_CHAINS; i++)
    if (e->has[i])
      e->bytes += chain_frame_bytes (&e->chains[i]) + image_bytes (e->dists_out[i]);
}

void
svd_frame_cache_clear (SvdFrameCache *cache)
{
  g_queue_clear_full (&cache->entries, (GDestroyNotify) svd_frame_cache_entry_free);
  cache->bytes = 0;
}

SvdFrameCacheEntry *
svd_frame_cache_find (SvdFrameCache *cache,
                  gint64      index)
{
  for (GList *l = cache->entries.head; l != NULL; l = l->next)
    {
      SvdFrameCacheEntry *e = l->data;

      if (e->index == index)
        {
          /* Most recently used first. */
          g_queue_unlink (&cache->entries, l);
          g_queue_push_head_link (&cache->entries, l);
          return e;
        }
    }
  return NULL;
}

/* Takes @e (replacing an entry of its frame) and drops the least recently
 * used entries until the cache is within @limit bytes. */
void
svd_frame_cache_put (SvdFrameCache *cache,
                 SvdFrameCacheEntry *e,
                 gsize       limit)
{
  for (GList *l = cache->entries.head; l != NULL; l = l->next)
    {
      SvdFrameCacheEntry *old = l->data;

      if (old->index == e->index)
        {
          cache->bytes -= old->bytes;
          svd_frame_cache_entry_free (old);
          g_queue_delete_link (&cache->entries, l);
          break;
        }
    }
  frame_cache_entry_measure (e);
  g_queue_push_head (&cache->entries, e);
  cache->bytes += e->bytes;
  while (cache->bytes > limit && !g_queue_is_empty (&cache->entries))
    {
      SvdFrameCacheEntry *last = g_queue_pop_tail (&cache->entries);

      cache->bytes -= last->bytes;
      svd_frame_cache_entry_free (last);
    }
}

void
svd_frame_cache_touch (SvdFrameCache *cache,
                   SvdFrameCacheEntry *e,
                   gsize       limit)
{
  cache->bytes -= e->bytes;
  frame_cache_entry_measure (e);
  cache->bytes += e->bytes;
  while (cache->bytes > limit && !g_queue_is_empty (&cache->entries))
    {
      SvdFrameCacheEntry *last = g_queue_pop_tail (&cache->entries);

      cache->bytes -= last->bytes;
      svd_frame_cache_entry_free (last);
    }
}

void
svd_frame_cache_drop_slot (SvdFrameCache *cache,
                       guint       slot)
{
  for (GList *l = cache->entries.head; l != NULL; l = l->next)
    {
      SvdFrameCacheEntry *e = l->data;

      cache->bytes -= e->bytes;
      svd_frame_cache_entry_drop_slot (e, slot);
      frame_cache_entry_measure (e);
      cache->bytes += e->bytes;
    }
}
