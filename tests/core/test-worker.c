/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-worker"

#include "svd-test-utils.h"
#include "session/svd-worker.h"

#include <string.h>

typedef struct {
  GThread *init_thread;
  GThread *fini_thread;
  int      fini_calls;
} State;

static State last_state;

static gpointer
state_init (gpointer  init_data,
            GError  **error)
{
  State *s;

  if (GPOINTER_TO_INT (init_data) == 1)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE, "no device for this test");
      return NULL;
    }
  s = g_new0 (State, 1);
  s->init_thread = g_thread_self ();
  return s;
}

static void
state_fini (gpointer data)
{
  State *s = data;

  last_state = *s;
  last_state.fini_thread = g_thread_self ();
  last_state.fini_calls = 1;
  g_free (s);
}

static gpointer
job_echo (SvdWorker    *worker,
          gpointer      state,
          gpointer      job_data,
          GCancellable *cancellable,
          GError      **error)
{
  State *s = state;

  g_assert_true (s->init_thread == g_thread_self ());
  return g_strdup (job_data);
}

static gpointer
job_block (SvdWorker    *worker,
           gpointer      state,
           gpointer      job_data,
           GCancellable *cancellable,
           GError      **error)
{
  gint *started = job_data;

  g_atomic_int_set (started, 1);
  while (!g_cancellable_is_cancelled (cancellable) && g_atomic_int_get (started) == 1)
    g_usleep (1000);
  return g_strdup ("blocked");
}

typedef struct {
  GPtrArray *results;
  GPtrArray *errors;
  guint64    last_serial;
} Collect;

static void
collect_cb (guint64       serial,
            gpointer      result,
            const GError *error,
            gpointer      user_data)
{
  Collect *c = user_data;

  g_assert_cmpuint (serial, >, c->last_serial);
  c->last_serial = serial;
  if (error != NULL)
    g_ptr_array_add (c->errors, g_strdup (error->message));
  else
    g_ptr_array_add (c->results, result);
}

static void
drain (guint n_expected,
       Collect *c)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (c->results->len + c->errors->len < n_expected && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (500);
  /* Let anything that should not arrive have a chance to. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (200);
}

static void
collect_init (Collect *c)
{
  c->results = g_ptr_array_new_with_free_func (g_free);
  c->errors = g_ptr_array_new_with_free_func (g_free);
  c->last_serial = 0;
}

static void
collect_clear (Collect *c)
{
  g_ptr_array_unref (c->results);
  g_ptr_array_unref (c->errors);
}

static void
test_order_and_thread (void)
{
  Collect c;
  SvdWorker *w;
  const char *words[] = { "a", "b", "c", "d" };

  collect_init (&c);
  memset (&last_state, 0, sizeof last_state);
  w = svd_worker_new ("test", NULL, 8, state_init, NULL, state_fini);
  g_assert_true (svd_worker_get_init_error (w, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    g_assert_cmpuint (svd_worker_submit (w, 0, job_echo, g_strdup (words[i]), g_free, g_free,
                                         collect_cb, &c, NULL), >, 0);
  drain (4, &c);
  g_assert_cmpuint (c.results->len, ==, 4);
  for (gsize i = 0; i < 4; i++)
    g_assert_cmpstr (g_ptr_array_index (c.results, i), ==, words[i]);
  svd_worker_free (w);
  g_assert_cmpint (last_state.fini_calls, ==, 1);
  g_assert_true (last_state.fini_thread == last_state.init_thread);
  g_assert_true (last_state.fini_thread != g_thread_self ());
  collect_clear (&c);
}

static void
test_invalidate_drops_stale (void)
{
  Collect c;
  SvdWorker *w;
  gint started = 0;

  collect_init (&c);
  w = svd_worker_new ("test", NULL, 8, state_init, NULL, state_fini);
  svd_worker_submit (w, 0, job_block, &started, NULL, g_free, collect_cb, &c, NULL);
  svd_worker_submit (w, 0, job_echo, g_strdup ("queued-stale"), g_free, g_free, collect_cb, &c, NULL);
  while (!g_atomic_int_get (&started))
    g_usleep (500);
  svd_worker_invalidate (w);
  svd_worker_submit (w, 0, job_echo, g_strdup ("fresh"), g_free, g_free, collect_cb, &c, NULL);
  drain (1, &c);
  /* The running job was cancelled and its result dropped; the queued stale
   * job never ran; only the fresh one arrives. */
  g_assert_cmpuint (c.results->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c.results, 0), ==, "fresh");
  g_assert_cmpuint (c.errors->len, ==, 0);
  svd_worker_free (w);
  collect_clear (&c);
}

static void
test_coalesce_and_bound (void)
{
  Collect c;
  SvdWorker *w;
  gint started = 0;
  g_autoptr(GError) error = NULL;

  collect_init (&c);
  w = svd_worker_new ("test", NULL, 2, state_init, NULL, state_fini);
  svd_worker_submit (w, 0, job_block, &started, NULL, g_free, collect_cb, &c, NULL);
  while (!g_atomic_int_get (&started))
    g_usleep (500);
  /* Three seeks: only the newest survives. */
  svd_worker_submit (w, 7, job_echo, g_strdup ("seek1"), g_free, g_free, collect_cb, &c, NULL);
  svd_worker_submit (w, 7, job_echo, g_strdup ("seek2"), g_free, g_free, collect_cb, &c, NULL);
  svd_worker_submit (w, 7, job_echo, g_strdup ("seek3"), g_free, g_free, collect_cb, &c, NULL);
  g_assert_cmpuint (svd_worker_get_n_queued (w), ==, 1);
  svd_worker_submit (w, 0, job_echo, g_strdup ("must1"), g_free, g_free, collect_cb, &c, NULL);
  g_assert_cmpuint (svd_worker_get_n_queued (w), ==, 2);
  /* Full: a coalescable job is dropped to make room for another must-run job. */
  g_assert_cmpuint (svd_worker_submit (w, 0, job_echo, g_strdup ("must2"), g_free, g_free,
                                       collect_cb, &c, &error), >, 0);
  g_assert_no_error (error);
  /* Full of must-run jobs: refused with an error. */
  g_assert_cmpuint (svd_worker_submit (w, 0, job_echo, g_strdup ("must3"), g_free, g_free,
                                       collect_cb, &c, &error), ==, 0);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_FAILED);
  g_atomic_int_set (&started, 2);
  drain (3, &c);
  g_assert_cmpuint (c.results->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (c.results, 0), ==, "blocked");
  g_assert_cmpstr (g_ptr_array_index (c.results, 1), ==, "must1");
  g_assert_cmpstr (g_ptr_array_index (c.results, 2), ==, "must2");
  svd_worker_free (w);
  collect_clear (&c);
}

static int n_progress;
static double last_fraction;

static void
progress_cb (double      fraction,
             const char *text,
             gpointer    user_data)
{
  n_progress++;
  last_fraction = fraction;
  g_assert_nonnull (text);
}

static gpointer
job_progress (SvdWorker    *worker,
              gpointer      state,
              gpointer      job_data,
              GCancellable *cancellable,
              GError      **error)
{
  for (int i = 1; i <= 10000; i++)
    {
      char text[32];

      g_snprintf (text, sizeof text, "%d", i);
      svd_worker_report_progress (worker, i / 10000.0, text);
    }
  return g_strdup ("done");
}

static void
test_progress_coalesced (void)
{
  Collect c;
  SvdWorker *w;

  collect_init (&c);
  n_progress = 0;
  w = svd_worker_new ("test", NULL, 2, state_init, NULL, state_fini);
  svd_worker_set_progress_func (w, progress_cb, NULL);
  svd_worker_submit (w, 0, job_progress, NULL, NULL, g_free, collect_cb, &c, NULL);
  g_assert_true (svd_worker_wait_idle (w, 10 * G_USEC_PER_SEC));
  drain (1, &c);
  g_assert_cmpint (n_progress, >=, 1);
  g_assert_cmpint (n_progress, <, 100);
  g_assert_cmpfloat (last_fraction, ==, 1.0);
  svd_worker_free (w);
  collect_clear (&c);
}

static void
test_free_discards_pending (void)
{
  Collect c;
  SvdWorker *w;

  collect_init (&c);
  w = svd_worker_new ("test", NULL, 4, state_init, NULL, state_fini);
  for (int i = 0; i < 4; i++)
    svd_worker_submit (w, 0, job_echo, g_strdup ("x"), g_free, g_free, collect_cb, &c, NULL);
  g_assert_true (svd_worker_wait_idle (w, 10 * G_USEC_PER_SEC));
  /* Results sit on the main context; freeing the worker must drop them
   * (and free them: ASan checks the leak). */
  svd_worker_free (w);
  drain (0, &c);
  g_assert_cmpuint (c.results->len, ==, 0);
  collect_clear (&c);
}

static void
test_init_failure (void)
{
  Collect c;
  SvdWorker *w;
  g_autoptr(GError) error = NULL;

  collect_init (&c);
  w = svd_worker_new ("test", NULL, 4, state_init, GINT_TO_POINTER (1), state_fini);
  g_assert_false (svd_worker_get_init_error (w, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_NO_DEVICE);
  svd_worker_submit (w, 0, job_echo, g_strdup ("x"), g_free, g_free, collect_cb, &c, NULL);
  drain (1, &c);
  g_assert_cmpuint (c.errors->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c.errors, 0), ==, "no device for this test");
  svd_worker_free (w);
  collect_clear (&c);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/worker/order-and-thread", test_order_and_thread);
  g_test_add_func ("/core/worker/invalidate-drops-stale", test_invalidate_drops_stale);
  g_test_add_func ("/core/worker/coalesce-and-bound", test_coalesce_and_bound);
  g_test_add_func ("/core/worker/progress-coalesced", test_progress_coalesced);
  g_test_add_func ("/core/worker/free-discards-pending", test_free_discards_pending);
  g_test_add_func ("/core/worker/init-failure", test_init_failure);
  return g_test_run ();
}
