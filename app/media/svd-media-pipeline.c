/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-pipeline"

#include "svd-media-pipeline.h"
#include "core/svd-error.h"

#include <string.h>

/*
 * Decode → compute → encode, each on its own thread, joined by two bounded
 * queues, so a restore runs at the speed of its slowest stage (the engine)
 * rather than the sum of the three. The compute stage stays on the calling
 * thread because OpenCL queues and kernels belong to the thread that made
 * them; the reader and writer are handed to their threads for the run.
 */

typedef struct {
  GMutex    lock;
  GCond     cond;
  GQueue    items;
  guint     capacity;
  gboolean  closed;    /* the producer is done */
} Queue;

typedef struct {
  const SvdPipelineConfig *config;
  Queue        decoded;
  Queue        processed;
  GMutex       error_lock;
  GError      *error;
  volatile gint aborted;
  gint64       end;
  gint64       decode_us;
  gint64       encode_us;
  gint64       encoded;
  gint64       decode_errors_base; /* the reader's count before the run */
  gint64       decode_errors;      /* the reader's count (decode thread) */
  gint64       first_damaged;
} Run;

static void
queue_init (Queue *q,
            guint  capacity)
{
  g_mutex_init (&q->lock);
  g_cond_init (&q->cond);
  g_queue_init (&q->items);
  q->capacity = capacity;
  q->closed = FALSE;
}

static void
queue_clear (Queue *q)
{
  SvdImage *image;

  while ((image = g_queue_pop_head (&q->items)) != NULL)
    svd_image_unref (image);
  g_mutex_clear (&q->lock);
  g_cond_clear (&q->cond);
}

static gboolean
run_aborted (Run *run)
{
  if (g_atomic_int_get (&run->aborted))
    return TRUE;
  if (run->config->cancellable != NULL && g_cancellable_is_cancelled (run->config->cancellable))
    {
      g_mutex_lock (&run->error_lock);
      if (run->error == NULL)
        g_set_error (&run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled; nothing was written");
      g_mutex_unlock (&run->error_lock);
      g_atomic_int_set (&run->aborted, 1);
      return TRUE;
    }
  return FALSE;
}

static void
run_fail (Run    *run,
          GError *error)
{
  g_mutex_lock (&run->error_lock);
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&run->error_lock);
  g_atomic_int_set (&run->aborted, 1);
}

/* Waits are bounded so every stage notices an abort within 50 ms without
 * the queues needing to know about each other. */
static gboolean
queue_push (Run      *run,
            Queue    *q,
            SvdImage *image)
{
  g_mutex_lock (&q->lock);
  while (q->items.length >= q->capacity && !run_aborted (run))
    g_cond_wait_until (&q->cond, &q->lock, g_get_monotonic_time () + 50 * 1000);
  if (run_aborted (run))
    {
      g_mutex_unlock (&q->lock);
      svd_image_unref (image);
      return FALSE;
    }
  g_queue_push_tail (&q->items, image);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
  return TRUE;
}

static void
queue_close (Queue *q)
{
  g_mutex_lock (&q->lock);
  q->closed = TRUE;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

/* Returns the next image, or NULL when the queue is closed and empty or
 * the run was aborted. */
static SvdImage *
queue_pop (Run   *run,
           Queue *q)
{
  SvdImage *image = NULL;

  g_mutex_lock (&q->lock);
  while (q->items.length == 0 && !q->closed && !run_aborted (run))
    g_cond_wait_until (&q->cond, &q->lock, g_get_monotonic_time () + 50 * 1000);
  if (!run_aborted (run))
    image = g_queue_pop_head (&q->items);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
  return image;
}

static gpointer
decode_thread (gpointer data)
{
  Run *run = data;
  SvdReader *reader = run->config->reader;
  gint64 first = run->config->first;

  for (gint64 i = first; i < run->end && !run_aborted (run); i++)
    {
      GError *error = NULL;
      SvdImage *image = NULL;
      gint64 t0 = g_get_monotonic_time ();

      if (i == first)
        image = svd_reader_seek_frame (reader, first, &error);
      else if (!svd_reader_read (reader, &image, &error))
        image = NULL;
      run->decode_us += g_get_monotonic_time () - t0;
      if (error == NULL && svd_reader_get_n_errors (reader) > run->decode_errors)
        {
          run->decode_errors = svd_reader_get_n_errors (reader);
          if (run->first_damaged < 0)
            run->first_damaged = i;
          if (run->config->stop_on_decode_error)
            {
              g_clear_pointer (&image, svd_image_unref);
              g_set_error (&error, SVD_ERROR, SVD_ERROR_DECODE,
                           "Frame %" G_GINT64_FORMAT " of the input is damaged (it failed to decode or was "
                           "concealed); stopped as asked, nothing was written", i);
            }
        }
      if (error != NULL)
        {
          run_fail (run, error);
          break;
        }
      if (image == NULL)
        break; /* fewer decodable frames than indexed: a damaged tail */
      if (!queue_push (run, &run->decoded, image))
        break;
    }
  queue_close (&run->decoded);
  return NULL;
}

static gpointer
encode_thread (gpointer data)
{
  Run *run = data;
  SvdImage *image;

  while ((image = queue_pop (run, &run->processed)) != NULL)
    {
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = svd_writer_write (run->config->writer, image, &error);

      run->encode_us += g_get_monotonic_time () - t0;
      svd_image_unref (image);
      if (!ok)
        {
          run_fail (run, error);
          break;
        }
      run->encoded++;
    }
  return NULL;
}

/**
 * svd_media_pipeline_run:
 * @config: the stages
 * @stats: (out caller-allocates) (optional): timings
 * @error: return location for an error
 *
 * Runs decode, compute and encode pipelined, then finishes the writer.
 * On failure or cancellation the writer has not been finished; freeing it
 * deletes its temporary file, so no output appears.
 *
 * Returns: %TRUE when every frame was encoded and the output is complete.
 */
gboolean
svd_media_pipeline_run (const SvdPipelineConfig  *config,
                        SvdPipelineStats         *stats,
                        GError                  **error)
{
  Run run;
  GThread *decoder, *encoder;
  gint64 start = g_get_monotonic_time ();
  gint64 process_us = 0;
  guint depth = config->queue_depth > 0 ? (guint) config->queue_depth : 4;
  gint64 n = svd_reader_get_info (config->reader)->n_frames;
  SvdImage *image;
  gboolean ok;

  memset (&run, 0, sizeof run);
  run.config = config;
  run.end = config->end < 0 ? n : MIN (config->end, n);
  run.decode_errors_base = run.decode_errors = svd_reader_get_n_errors (config->reader);
  run.first_damaged = -1;
  if (config->first < 0 || config->first >= run.end)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Frames %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " select nothing in a clip of %" G_GINT64_FORMAT,
                   config->first, run.end, n);
      return FALSE;
    }
  queue_init (&run.decoded, depth);
  queue_init (&run.processed, depth);
  g_mutex_init (&run.error_lock);

  decoder = g_thread_new ("svd-decode", decode_thread, &run);
  encoder = g_thread_new ("svd-encode", encode_thread, &run);

  while ((image = queue_pop (&run, &run.decoded)) != NULL)
    {
      SvdImage *out = image;
      GError *local = NULL;

      if (config->process != NULL)
        {
          gint64 t0 = g_get_monotonic_time ();

          out = config->process (image, config->process_data, config->cancellable, &local);
          process_us += g_get_monotonic_time () - t0;
          svd_image_unref (image);
          if (out == NULL)
            {
              run_fail (&run, local);
              break;
            }
        }
      if (!queue_push (&run, &run.processed, out))
        break;
    }
  queue_close (&run.processed);
  g_thread_join (decoder);
  g_thread_join (encoder);
  run_aborted (&run); /* a cancel that came at the very end still counts */

  ok = run.error == NULL;
  if (ok)
    ok = svd_writer_finish (config->writer, error);
  else
    g_propagate_error (error, g_steal_pointer (&run.error));

  if (stats != NULL)
    {
      stats->frames = run.encoded;
      stats->seconds = (g_get_monotonic_time () - start) / 1e6;
      stats->fps = stats->seconds > 0 ? run.encoded / stats->seconds : 0;
      stats->decode_s = run.decode_us / 1e6;
      stats->process_s = process_us / 1e6;
      stats->encode_s = run.encode_us / 1e6;
      stats->decode_errors = run.decode_errors - run.decode_errors_base;
      stats->first_damaged_frame = run.first_damaged;
    }
  g_clear_error (&run.error);
  queue_clear (&run.decoded);
  queue_clear (&run.processed);
  g_mutex_clear (&run.error_lock);
  return ok;
}
