/* test_engine.c - clock semantics, order, determinism, stop, pacing. */
#include <glib.h>

#include "ks_engine.h"

typedef struct ev {
  ks_timer timer;
  int id;
  int fired;
  ka_time fired_at;
} ev;

/* What the callbacks saw, in dispatch order. */
static GArray *fired_ids;

static void on_ev(ks_timer *t, void *ctx) {
  ev *x = ks_container_of(t, ev, timer);
  x->fired++;
  x->fired_at = ks_engine_now(ctx);
  g_assert_cmpint(x->fired_at, ==, ks_timer_expires(t));
  g_array_append_val(fired_ids, x->id);
}

static void init_evs(ev *evs, int n) {
  for (int i = 0; i < n; i++) {
    ks_timer_init(&evs[i].timer);
    ks_timer_set_cb(&evs[i].timer, on_ev);
    evs[i].id = i;
    evs[i].fired = 0;
    evs[i].fired_at = -1;
  }
}

static void setup(void) {
  if (fired_ids != NULL)
    g_array_free(fired_ids, TRUE);
  fired_ids = g_array_new(FALSE, FALSE, sizeof(int));
}

static int fired(int i) { return g_array_index(fired_ids, int, i); }

static void test_end_semantics(void) {
  ev evs[3];
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 3);
  ks_engine_at(e, &evs[0].timer, 10);
  ks_engine_at(e, &evs[1].timer, 20);
  ks_engine_at(e, &evs[2].timer, 30);

  /* Events remain after end: the clock stops exactly at end. */
  g_assert_cmpint(ks_engine_run(e, 25), ==, KS_RUN_END);
  g_assert_cmpint(ks_engine_now(e), ==, 25);
  g_assert_cmpuint(ks_engine_events(e), ==, 2);
  g_assert_cmpuint(ks_engine_pending(e), ==, 1);
  g_assert_cmpint(evs[2].fired, ==, 0);
  g_assert_true(ks_timer_is_armed(&evs[2].timer));

  /* The queue drains: the clock stays at the last event, not at end. */
  g_assert_cmpint(ks_engine_run(e, 100), ==, KS_RUN_DRAINED);
  g_assert_cmpint(ks_engine_now(e), ==, 30);
  g_assert_cmpuint(ks_engine_events(e), ==, 3);
  g_assert_cmpint(evs[2].fired_at, ==, 30);

  /* An end in the past moves nothing. */
  g_assert_cmpint(ks_engine_run(e, 5), ==, KS_RUN_DRAINED);
  g_assert_cmpint(ks_engine_now(e), ==, 30);
  ks_engine_free(e);
}

/* A lone event 11 days out must not drag a 60 s scenario's clock there. */
static void test_far_event_does_not_fast_forward(void) {
  ev evs[1];
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 1);
  ks_engine_at(e, &evs[0].timer, KA_S(950400));
  g_assert_cmpint(ks_engine_run(e, KA_S(60)), ==, KS_RUN_END);
  g_assert_cmpint(ks_engine_now(e), ==, KA_S(60));
  g_assert_cmpint(evs[0].fired, ==, 0);
  g_assert_cmpuint(ks_engine_events(e), ==, 0);
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_DRAINED);
  g_assert_cmpint(ks_engine_now(e), ==, KA_S(950400));
  g_assert_cmpint(evs[0].fired, ==, 1);
  ks_engine_free(e);
}

static void test_event_at_end_runs(void) {
  ev evs[2];
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 2);
  ks_engine_at(e, &evs[0].timer, 100);
  ks_engine_at(e, &evs[1].timer, 101);
  g_assert_cmpint(ks_engine_run(e, 100), ==, KS_RUN_END);
  g_assert_cmpint(evs[0].fired, ==, 1);
  g_assert_cmpint(evs[1].fired, ==, 0);
  g_assert_cmpint(ks_engine_now(e), ==, 100);
  ks_engine_free(e);
}

static void test_empty_run(void) {
  ks_engine *e = ks_engine_new(1);
  g_assert_cmpint(ks_engine_run(e, KA_S(10)), ==, KS_RUN_DRAINED);
  g_assert_cmpint(ks_engine_now(e), ==, 0);
  g_assert_cmpuint(ks_engine_events(e), ==, 0);
  ks_engine_free(e);
}

/* A callback that schedules more work at the current instant. */
typedef struct chain {
  ev base;
  ev *next; /* scheduled at now when base fires */
} chain;

static void on_chain(ks_timer *t, void *ctx) {
  chain *c = ks_container_of(t, chain, base.timer);
  on_ev(t, ctx);
  if (c->next != NULL)
    ks_engine_at(ctx, &c->next->timer, ks_engine_now(ctx));
}

/* Same instant: scheduling order, including events scheduled by a
 * callback at that instant, which go behind those already due. */
static void test_same_time_order(void) {
  ev evs[4];
  chain c;
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 4);
  init_evs(&c.base, 1);
  c.base.id = 9;
  ks_timer_set_cb(&c.base.timer, on_chain);
  c.next = &evs[0];
  ks_engine_at(e, &evs[3].timer, KA_MS(5));
  ks_engine_at(e, &c.base.timer, KA_MS(5));
  ks_engine_at(e, &evs[1].timer, KA_MS(5));
  ks_engine_at(e, &evs[2].timer, KA_MS(5));
  g_assert_cmpint(ks_engine_run(e, KA_MS(5)), ==, KS_RUN_DRAINED);
  g_assert_cmpuint(fired_ids->len, ==, 5);
  g_assert_cmpint(fired(0), ==, 3);
  g_assert_cmpint(fired(1), ==, 9);
  g_assert_cmpint(fired(2), ==, 1);
  g_assert_cmpint(fired(3), ==, 2);
  g_assert_cmpint(fired(4), ==, 0);
  g_assert_cmpint(evs[0].fired_at, ==, KA_MS(5));
  ks_engine_free(e);
}

/* After a run that stopped at `end`, "now" is end even though no event
 * happened there; scheduling before it means now, never the past. */
static void test_past_is_now(void) {
  ev evs[2];
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 2);
  ks_engine_at(e, &evs[0].timer, KA_S(100));
  g_assert_cmpint(ks_engine_run(e, KA_S(10)), ==, KS_RUN_END);
  ks_engine_at(e, &evs[1].timer, KA_S(5));
  g_assert_cmpint(ks_timer_expires(&evs[1].timer), ==, KA_S(10));
  g_assert_cmpint(ks_engine_run(e, KA_S(10)), ==, KS_RUN_END);
  g_assert_cmpint(evs[1].fired_at, ==, KA_S(10));
  g_assert_cmpint(evs[0].fired, ==, 0);
  ks_engine_free(e);
}

static void test_cancel(void) {
  ev evs[3];
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 3);
  for (int i = 0; i < 3; i++)
    ks_engine_at(e, &evs[i].timer, KA_S(i + 1));
  ks_engine_cancel(e, &evs[1].timer);
  ks_engine_cancel(e, &evs[1].timer);
  g_assert_cmpuint(ks_engine_pending(e), ==, 2);
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_DRAINED);
  g_assert_cmpint(evs[1].fired, ==, 0);
  g_assert_cmpuint(fired_ids->len, ==, 2);
  g_assert_cmpint(fired(0), ==, 0);
  g_assert_cmpint(fired(1), ==, 2);
  ks_engine_free(e);
}

static void on_stop_third(ks_timer *t, void *ctx) {
  on_ev(t, ctx);
  if (fired_ids->len == 3)
    ks_engine_stop(ctx);
}

static void test_stop(void) {
  ev evs[10];
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 10);
  for (int i = 0; i < 10; i++) {
    ks_timer_set_cb(&evs[i].timer, on_stop_third);
    ks_engine_at(e, &evs[i].timer, KA_MS(i + 1));
  }
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_STOPPED);
  g_assert_cmpint(ks_engine_now(e), ==, KA_MS(3));
  g_assert_cmpuint(ks_engine_events(e), ==, 3);
  g_assert_cmpuint(ks_engine_pending(e), ==, 7);
  /* The stop was for that run only: the next one carries on. */
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_DRAINED);
  g_assert_cmpuint(fired_ids->len, ==, 10);
  for (int i = 0; i < 10; i++)
    g_assert_cmpint(fired(i), ==, i);
  ks_engine_free(e);
}

/* A small world that uses the engine's randomness for everything: the
 * delays, and a value recorded in the trace. */
typedef struct actor {
  ks_timer timer;
  int id;
  GString *trace;
} actor;

static void on_actor(ks_timer *t, void *ctx) {
  actor *a = ks_container_of(t, actor, timer);
  ks_engine *e = ctx;
  GRand *r = ks_engine_rand(e);
  guint32 x = g_rand_int(r);
  /* Coarse delays (whole ms, sometimes 0) so that ties are common. */
  ka_time delay = KA_MS(g_rand_int_range(r, 0, 5));

  g_string_append_printf(a->trace, "%" G_GINT64_FORMAT " %d %08x\n", ks_engine_now(e), a->id, x);
  ks_engine_at(e, t, ks_engine_now(e) + delay);
}

static char *run_world(guint64 seed) {
  enum { N = 50 };
  actor as[N];
  GString *trace = g_string_new(NULL);
  ks_engine *e = ks_engine_new(seed);

  for (int i = 0; i < N; i++) {
    ks_timer_init(&as[i].timer);
    ks_timer_set_cb(&as[i].timer, on_actor);
    as[i].id = i;
    as[i].trace = trace;
    ks_engine_at(e, &as[i].timer, KA_MS(g_rand_int_range(ks_engine_rand(e), 0, 3)));
  }
  g_assert_cmpint(ks_engine_run(e, KA_S(2)), ==, KS_RUN_END);
  g_assert_cmpuint(ks_engine_events(e), >, 10000);
  ks_engine_free(e);
  return g_string_free(trace, FALSE);
}

static void test_determinism(void) {
  char *a = run_world(G_GUINT64_CONSTANT(0x123456789));
  char *b = run_world(G_GUINT64_CONSTANT(0x123456789));
  /* Differs only in the high half: both halves must count. */
  char *c = run_world(G_GUINT64_CONSTANT(0x223456789));

  g_assert_cmpstr(a, ==, b);
  g_assert_cmpstr(a, !=, c);
  g_free(a);
  g_free(b);
  g_free(c);
}

static void test_rand_is_seeded(void) {
  ks_engine *e1 = ks_engine_new(99);
  ks_engine *e2 = ks_engine_new(99);
  ks_engine *e3 = ks_engine_new(100);
  gboolean differs = FALSE;

  for (int i = 0; i < 100; i++) {
    guint32 x = g_rand_int(ks_engine_rand(e1));
    g_assert_cmpuint(x, ==, g_rand_int(ks_engine_rand(e2)));
    differs |= x != g_rand_int(ks_engine_rand(e3));
  }
  g_assert_true(differs);
  ks_engine_free(e1);
  ks_engine_free(e2);
  ks_engine_free(e3);
}

/* Paced at 10 virtual seconds per wall second, a run to 1.5 virtual s
 * (events every 0.1 s up to 1 s, one more after the end) lasts 0.15 wall
 * s: the engine waits for each event and then for `end`. */
static void test_pace(void) {
  enum { N = 12 };
  ev evs[N];
  ks_engine *e = ks_engine_new(1);
  gint64 t0, t1;

  setup();
  init_evs(evs, N);
  for (int i = 0; i < N; i++)
    ks_engine_at(e, &evs[i].timer, KA_MS(100) * (i + 1) - KA_MS(100));
  ks_engine_set_pace(e, 10.0);
  t0 = g_get_monotonic_time();
  g_assert_cmpint(ks_engine_run(e, KA_MS(1050)), ==, KS_RUN_END);
  t1 = g_get_monotonic_time();
  g_assert_cmpint(ks_engine_now(e), ==, KA_MS(1050));
  g_assert_cmpint(evs[10].fired, ==, 1);
  g_assert_cmpint(evs[11].fired, ==, 0);
  g_assert_cmpint(t1 - t0, >=, 100000); /* 105 ms, minus slack */
  g_assert_cmpint(t1 - t0, <, 2000000);

  /* Flat out again: the remaining event 0.05 virtual s ahead is instant. */
  ks_engine_set_pace(e, 0);
  t0 = g_get_monotonic_time();
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_DRAINED);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 4000);
  ks_engine_free(e);
}

typedef struct progress_log {
  int calls;
  ka_time last;
  ka_time end;
  ks_engine *stop_engine; /* stop the run from the hook if set */
} progress_log;

static void on_progress(ka_time now, ka_time end, void *ud) {
  progress_log *p = ud;
  g_assert_cmpint(now, >=, p->last);
  g_assert_cmpint(now, <=, end);
  p->calls++;
  p->last = now;
  p->end = end;
  if (p->stop_engine != NULL)
    ks_engine_stop(p->stop_engine);
}

/* A paced run of 0.45 wall seconds reports progress a few times, and
 * no more than about ten times per second. */
static void test_progress(void) {
  ev evs[1];
  progress_log p = {0, 0, 0, NULL};
  ks_engine *e = ks_engine_new(1);

  setup();
  init_evs(evs, 1);
  ks_engine_at(e, &evs[0].timer, KA_S(100));
  ks_engine_set_progress(e, on_progress, &p);
  ks_engine_set_pace(e, 10.0);
  g_assert_cmpint(ks_engine_run(e, KA_MS(4500)), ==, KS_RUN_END);
  g_assert_cmpint(p.calls, >=, 2);
  g_assert_cmpint(p.calls, <=, 5);
  g_assert_cmpint(p.end, ==, KA_MS(4500));
  ks_engine_free(e);
}

/* Flat out, the hook must still be rate-limited: a few million events
 * per second would otherwise call it every few thousand events. */
static void on_busy(ks_timer *t, void *ctx) {
  ks_engine *e = ctx;
  ks_engine_at(e, t, ks_engine_now(e) + 1 + (ka_time)(ks_engine_events(e) % 3));
}

static void test_progress_flat_out(void) {
  enum { N = 64 };
  ks_timer ts[N];
  progress_log p = {0, 0, 0, NULL};
  ks_engine *e = ks_engine_new(1);
  gint64 t0, wall_us;

  for (int i = 0; i < N; i++) {
    ks_timer_init(&ts[i]);
    ks_timer_set_cb(&ts[i], on_busy);
    ks_engine_at(e, &ts[i], i);
  }
  ks_engine_set_progress(e, on_progress, &p);
  t0 = g_get_monotonic_time();
  /* Many short runs, until the hook has had the chance to fire a few
   * times. */
  do {
    g_assert_cmpint(ks_engine_run(e, ks_engine_now(e) + 20000), ==, KS_RUN_END);
    wall_us = g_get_monotonic_time() - t0;
  } while (wall_us < 250000);
  g_assert_cmpuint(ks_engine_events(e), >, 8192);
  g_assert_cmpint(p.calls, >=, 1);
  g_assert_cmpint(p.calls, <=, wall_us / 100000 + 1);
  ks_engine_free(e);
}

/* Stopping from the progress hook ends a long idle paced wait. */
static void test_stop_from_progress(void) {
  ev evs[1];
  progress_log p = {0, 0, 0, NULL};
  ks_engine *e = ks_engine_new(1);
  gint64 t0;

  setup();
  init_evs(evs, 1);
  p.stop_engine = e;
  ks_engine_at(e, &evs[0].timer, KA_S(3600));
  ks_engine_set_progress(e, on_progress, &p);
  ks_engine_set_pace(e, 1.0);
  t0 = g_get_monotonic_time();
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_STOPPED);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 1000000);
  g_assert_cmpint(p.calls, ==, 1);
  g_assert_cmpint(ks_engine_now(e), ==, 0);
  g_assert_cmpint(evs[0].fired, ==, 0);
  ks_engine_free(e);
}

/* A timer with no callback would crash the run at its expiry: refused
 * when armed, and nothing is armed. */
static void test_at_without_callback(void) {
  ks_engine *e = ks_engine_new(1);
  ks_timer t;

  ks_timer_init(&t);
  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*ks_timer_has_cb*");
  ks_engine_at(e, &t, 10);
  g_test_assert_expected_messages();
  g_assert_false(ks_timer_is_armed(&t));
  g_assert_cmpuint(ks_engine_pending(e), ==, 0);
  g_assert_cmpint(ks_engine_run(e, KA_TIME_NEVER), ==, KS_RUN_DRAINED);
  ks_engine_free(e);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/end-semantics", test_end_semantics);
  g_test_add_func("/engine/far-event-does-not-fast-forward", test_far_event_does_not_fast_forward);
  g_test_add_func("/engine/event-at-end-runs", test_event_at_end_runs);
  g_test_add_func("/engine/empty-run", test_empty_run);
  g_test_add_func("/engine/same-time-order", test_same_time_order);
  g_test_add_func("/engine/past-is-now", test_past_is_now);
  g_test_add_func("/engine/cancel", test_cancel);
  g_test_add_func("/engine/at-without-callback", test_at_without_callback);
  g_test_add_func("/engine/stop", test_stop);
  g_test_add_func("/engine/determinism", test_determinism);
  g_test_add_func("/engine/rand-is-seeded", test_rand_is_seeded);
  g_test_add_func("/engine/pace", test_pace);
  g_test_add_func("/engine/progress", test_progress);
  g_test_add_func("/engine/progress-flat-out", test_progress_flat_out);
  g_test_add_func("/engine/stop-from-progress", test_stop_from_progress);
  int rc = g_test_run();
  if (fired_ids != NULL)
    g_array_free(fired_ids, TRUE);
  return rc;
}
