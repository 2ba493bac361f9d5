/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-session"

#include "svd-decode-ahead.h"
#include "core/svd-priority.h"

/* Decodes the next frame (and its reference) while the worker runs the
 * chains on this one. The readers are used by one thread at a time: the
 * worker waits for the decode thread to be idle before it touches them. */
struct _SvdDecodeAhead {
  GThread          *thread;
  GMutex            lock;
  GCond             cond;
  SvdSessionSource *source;
  gint64            want;     /* the frame to decode; -1: none */
  gboolean          busy;
  gboolean          quit;
  gint64            index;    /* what input and ref hold; -1: nothing */
  SvdImage         *input;
  SvdImage         *ref;
};

void
svd_decode_ahead_read_now (SvdSessionSource  *source,
           gint64             index,
           SvdImage         **input,
           SvdImage         **ref,
           GError           **error)
{
  *input = svd_session_source_read_input (source, index, error);
  *ref = NULL;
  if (*input != NULL && svd_session_source_get_mode (source) != SVD_REFERENCE_NONE &&
      svd_session_source_reference_index (source, (*input)->frame_index) >= 0)
    {
      g_autoptr(GError) ref_error = NULL;

      /* A missing reference frame is not fatal: the chains still run. */
      *ref = svd_session_source_read_reference (source, (*input)->frame_index, &ref_error);
      if (ref_error != NULL)
        g_message ("No reference for frame %" G_GINT64_FORMAT ": %s", (*input)->frame_index, ref_error->message);
    }
}

static gpointer
decode_ahead_thread (gpointer data)
{
  SvdDecodeAhead *p = data;

  svd_priority_apply_to_thread ();
  g_mutex_lock (&p->lock);
  for (;;)
    {
      gint64 want;
      SvdImage *input = NULL, *ref = NULL;
      g_autoptr(GError) error = NULL;

      while (p->want < 0 && !p->quit)
        g_cond_wait (&p->cond, &p->lock);
      if (p->quit)
        break;
      want = p->want;
      p->want = -1;
      g_mutex_unlock (&p->lock);

      svd_decode_ahead_read_now (p->source, want, &input, &ref, &error);

      g_mutex_lock (&p->lock);
      g_clear_pointer (&p->input, svd_image_unref);
      g_clear_pointer (&p->ref, svd_image_unref);
      p->index = input != NULL ? want : -1;
      p->input = input;
      p->ref = ref;
      p->busy = FALSE;
      g_cond_broadcast (&p->cond);
    }
  g_mutex_unlock (&p->lock);
  return NULL;
}

SvdDecodeAhead *
svd_decode_ahead_new (SvdSessionSource *source)
{
  SvdDecodeAhead *p = g_new0 (SvdDecodeAhead, 1);

  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->source = source;
  p->want = -1;
  p->index = -1;
  p->thread = g_thread_new ("svd-decode", decode_ahead_thread, p);
  return p;
}

void
svd_decode_ahead_free (SvdDecodeAhead *p)
{
  if (p == NULL)
    return;
  g_mutex_lock (&p->lock);
  p->quit = TRUE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
  g_thread_join (p->thread);
  g_clear_pointer (&p->input, svd_image_unref);
  g_clear_pointer (&p->ref, svd_image_unref);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

/* Waits for the decode thread; takes its frame when it is @index. */
gboolean
svd_decode_ahead_take (SvdDecodeAhead  *p,
               gint64     index,
               SvdImage **input,
               SvdImage **ref)
{
  gboolean hit;

  g_mutex_lock (&p->lock);
  while (p->busy)
    g_cond_wait (&p->cond, &p->lock);
  hit = p->index == index && p->input != NULL;
  if (hit)
    {
      *input = g_steal_pointer (&p->input);
      *ref = g_steal_pointer (&p->ref);
    }
  g_clear_pointer (&p->input, svd_image_unref);
  g_clear_pointer (&p->ref, svd_image_unref);
  p->index = -1;
  g_mutex_unlock (&p->lock);
  return hit;
}

void
svd_decode_ahead_start (SvdDecodeAhead *p,
                gint64    index)
{
  g_mutex_lock (&p->lock);
  p->want = index;
  p->busy = TRUE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}
