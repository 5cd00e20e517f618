/* test_wheel.c - the timing wheel against a brute-force model.
 *
 * The model is the specification: the earliest armed timer by (expires,
 * arm sequence), with arms before now clamped to now.  Random operations
 * with fixed seeds, across time scales from 1 ns to weeks and starting
 * just below level boundaries, must give the same answers from both.
 */
#include <glib.h>
#include <stdlib.h>

#include "ks_wheel.h"

/* The wheel has 7 levels; "at most one cascade per level" with margin. */
#define MAX_LEVELS 8

typedef struct mtimer {
  ks_timer timer;
  int id;
  gboolean armed; /* the model's view */
  ka_time expires;
  guint64 seq;
} mtimer;

typedef struct model {
  ks_wheel *w;
  mtimer *ts;
  int n;
  ka_time now;
  guint64 seq;
} model;

/* A wheel that starts at start, and ts[0..n-1] made ready for it as
 * timers 0 to n-1. */
static ks_wheel *wheel_with(mtimer *ts, int n, ka_time start) {
  for (int i = 0; i < n; i++) {
    ks_timer_init(&ts[i].timer);
    ts[i].id = i;
  }
  return ks_wheel_new(start);
}

static void model_init(model *m, int n, ka_time start) {
  m->ts = g_new0(mtimer, n);
  m->w = wheel_with(m->ts, n, start);
  m->n = n;
  m->now = start;
  m->seq = 0;
}

static void model_clear(model *m) {
  ks_wheel_free(m->w);
  g_free(m->ts);
}

static void model_arm(model *m, int i, ka_time when) {
  mtimer *t = &m->ts[i];
  ks_wheel_arm(m->w, &t->timer, when);
  t->armed = TRUE;
  t->expires = when < m->now ? m->now : when;
  t->seq = ++m->seq;
  g_assert_cmpint(ks_timer_expires(&t->timer), ==, t->expires);
  g_assert_true(ks_timer_is_armed(&t->timer));
}

static void model_cancel(model *m, int i) {
  ks_wheel_cancel(m->w, &m->ts[i].timer);
  m->ts[i].armed = FALSE;
  g_assert_false(ks_timer_is_armed(&m->ts[i].timer));
}

static mtimer *model_min(model *m) {
  mtimer *best = NULL;
  for (int i = 0; i < m->n; i++) {
    mtimer *t = &m->ts[i];
    if (!t->armed)
      continue;
    if (best == NULL || t->expires < best->expires ||
        (t->expires == best->expires && t->seq < best->seq))
      best = t;
  }
  return best;
}

static size_t model_count(model *m) {
  size_t c = 0;
  for (int i = 0; i < m->n; i++)
    c += m->ts[i].armed ? 1 : 0;
  return c;
}

static void model_pop(model *m, ka_time limit) {
  mtimer *want = model_min(m);
  ks_timer *got = ks_wheel_pop(m->w, limit);

  if (want == NULL || want->expires > limit) {
    g_assert_null(got);
    g_assert_cmpint(ks_wheel_now(m->w), ==, m->now);
    return;
  }
  g_assert_nonnull(got);
  g_assert_cmpint(ks_container_of(got, mtimer, timer)->id, ==, want->id);
  g_assert_cmpint(ks_timer_expires(got), ==, want->expires);
  g_assert_false(ks_timer_is_armed(got));
  want->armed = FALSE;
  m->now = want->expires;
  g_assert_cmpint(ks_wheel_now(m->w), ==, m->now);
}

/* Pops what is left, in the model's order: the end of the order matters
 * too. */
static void model_drain(model *m) {
  while (model_min(m) != NULL)
    model_pop(m, KA_TIME_NEVER);
  g_assert_null(ks_wheel_pop(m->w, KA_TIME_NEVER));
}

static void model_check_next(model *m) {
  mtimer *want = model_min(m);
  g_assert_cmpint(ks_wheel_next_expiry(m->w), ==, want != NULL ? want->expires : KA_TIME_NEVER);
  /* Looking ahead must not move time. */
  g_assert_cmpint(ks_wheel_now(m->w), ==, m->now);
}

static ka_time add_sat(ka_time a, ka_time d) {
  if (d > 0 && a > KA_TIME_NEVER - d)
    return KA_TIME_NEVER;
  if (d < 0 && a < INT64_MIN - d)
    return INT64_MIN;
  return a + d;
}

/* A delta of random magnitude: uniform below 2^k, k uniform in [0, 50]
 * (2^50 ns is 13 days), so every level sees traffic. */
static ka_time random_delta(GRand *r) {
  int k = g_rand_int_range(r, 0, 51);
  guint64 span = UINT64_C(1) << k;
  guint64 x = ((guint64)g_rand_int(r) << 32) | g_rand_int(r);
  return (ka_time)(x % span);
}

/* Picks a timer at random: whether it is armed, and its expiry in *when,
 * where arming another timer makes a tie with it. */
static gboolean tie(model *m, GRand *r, ka_time *when) {
  mtimer *o = &m->ts[g_rand_int_range(r, 0, m->n)];
  *when = o->expires;
  return o->armed;
}

static ka_time random_when(model *m, GRand *r) {
  int kind = g_rand_int_range(r, 0, 100);
  ka_time when;
  if (kind < 5)
    return add_sat(m->now, -random_delta(r)); /* in the past */
  /* Exactly the expiry of some other timer: ties across levels. */
  if (kind < 15 && tie(m, r, &when))
    return when;
  if (kind < 20)
    return m->now;
  return add_sat(m->now, random_delta(r));
}

static void run_random(guint32 seed, ka_time start, int n, int ops) {
  model m;
  GRand *r = g_rand_new_with_seed(seed);

  model_init(&m, n, start);
  for (int op = 0; op < ops; op++) {
    int kind = g_rand_int_range(r, 0, 100);
    int i = g_rand_int_range(r, 0, n);

    if (kind < 45) {
      model_arm(&m, i, random_when(&m, r)); /* arm or re-arm */
    } else if (kind < 55) {
      model_cancel(&m, i);
    } else if (kind < 85) {
      model_pop(&m, KA_TIME_NEVER);
    } else if (kind < 92) {
      model_pop(&m, add_sat(m.now, random_delta(r)));
    } else {
      model_check_next(&m);
    }
    if (op % 64 == 0)
      g_assert_cmpuint(ks_wheel_count(m.w), ==, model_count(&m));
  }
  model_drain(&m);
  g_assert_cmpuint(ks_wheel_count(m.w), ==, 0);
  model_clear(&m);
  g_rand_free(r);
}

static void test_random_vs_model(void) {
  static const ka_time starts[] = {
    0,          1,
    -1,         1000000,
    KA_S(3600), INT64_C(-5000000000000),
    INT64_MIN,  KA_TIME_NEVER - KA_S(86400) /* saturates at NEVER */,
  };
  for (guint i = 0; i < G_N_ELEMENTS(starts); i++)
    run_random(1000 + i, starts[i], 300, 60000);
}

/* Start just below every power of two, so that the first steps of time
 * carry into higher digits whatever the number of bits per level. */
static void test_random_level_boundaries(void) {
  for (int k = 1; k < 63; k++) {
    ka_time base = (INT64_C(1) << k);
    run_random(2000 + (guint32)k, base - 3, 64, 4000);
    run_random(3000 + (guint32)k, -base + 5, 64, 2000);
  }
}

/* Dense time: thousands of timers within a few milliseconds, so that
 * level-2 slots (4.2 ms) hold many timers each and are sorted into the run,
 * while new timers, ties, cancels, re-arms and look-aheads land in and
 * around it.  Expiries are near (under 1 us), mid (within the run's
 * millisecond) or a few milliseconds ahead, or ties with another timer. */
static ka_time dense_when(model *m, GRand *r) {
  int kind = g_rand_int_range(r, 0, 100);
  ka_time when;
  if (kind < 15 && tie(m, r, &when))
    return when;
  if (kind < 20)
    return m->now;
  if (kind < 35)
    return add_sat(m->now, g_rand_int_range(r, 0, 1000));
  if (kind < 50)
    return add_sat(m->now, g_rand_int_range(r, 0, 1 << 20));
  return add_sat(m->now, g_rand_int_range(r, 0, 4 << 20));
}

static void run_dense(guint32 seed, ka_time start, int n, int ops) {
  model m;
  GRand *r = g_rand_new_with_seed(seed);

  model_init(&m, n, start);
  for (int i = 0; i < n; i++)
    model_arm(&m, i, dense_when(&m, r));
  for (int op = 0; op < ops; op++) {
    int kind = g_rand_int_range(r, 0, 100);
    int i = g_rand_int_range(r, 0, n);

    if (kind < 40)
      model_arm(&m, i, dense_when(&m, r));
    else if (kind < 48)
      model_cancel(&m, i);
    else if (kind < 90)
      model_pop(&m, KA_TIME_NEVER);
    else if (kind < 96)
      model_pop(&m, add_sat(m.now, g_rand_int_range(r, 0, 1 << 21)));
    else
      model_check_next(&m);
  }
  g_assert_cmpuint(ks_wheel_count(m.w), ==, model_count(&m));
  model_drain(&m);
  model_clear(&m);
  g_rand_free(r);
}

static void test_dense_vs_model(void) {
  run_dense(4001, 0, 3000, 60000);
  run_dense(4002, KA_S(3600) - 5, 1000, 60000);
  run_dense(4003, -KA_S(1), 200, 60000);
}

typedef struct key {
  ka_time expires;
  guint64 seq;
  int id;
} key;

static int key_cmp(const void *a, const void *b) {
  const key *x = a, *y = b;
  if (x->expires != y->expires)
    return x->expires < y->expires ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Arms t for when and notes its expiry and arm sequence number, its key
 * for drain_sorted(). */
static void arm_noted(ks_wheel *w, mtimer *t, ka_time when, guint64 *seq) {
  ks_wheel_arm(w, &t->timer, when);
  t->expires = when;
  t->seq = ++*seq;
}

/* Pops everything and checks it against keys[] sorted by (expires, seq). */
static void drain_sorted(ks_wheel *w, key *keys, int n) {
  qsort(keys, (size_t)n, sizeof *keys, key_cmp);
  for (int i = 0; i < n; i++) {
    ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
    g_assert_nonnull(t);
    g_assert_cmpint(ks_container_of(t, mtimer, timer)->id, ==, keys[i].id);
    g_assert_cmpint(ks_wheel_now(w), ==, keys[i].expires);
  }
  g_assert_null(ks_wheel_pop(w, KA_TIME_NEVER));
}

/* Many timers at once (the model is O(n) per pop, so sort instead). */
static void test_bulk_sorted(void) {
  const int n = 200000;
  GRand *r = g_rand_new_with_seed(42);
  mtimer *ts = g_new0(mtimer, n);
  ks_wheel *w = wheel_with(ts, n, KA_S(7));
  key *keys = g_new(key, n);
  guint64 seq = 0;

  /* Arm, then re-arm a third of them, so arm order != index order. */
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < n; i++) {
      ka_time when;
      if (pass == 1 && g_rand_int_range(r, 0, 3) != 0)
        continue;
      if (i > 0 && g_rand_int_range(r, 0, 10) == 0)
        when = ts[g_rand_int_range(r, 0, i)].expires; /* a tie */
      else
        when = KA_S(7) + random_delta(r);
      arm_noted(w, &ts[i], when, &seq);
    }
  }
  for (int i = 0; i < n; i++)
    keys[i] = (key){ts[i].expires, ts[i].seq, i};
  g_assert_cmpuint(ks_wheel_count(w), ==, (size_t)n);
  drain_sorted(w, keys, n);
  ks_wheel_free(w);
  g_free(ts);
  g_free(keys);
  g_rand_free(r);
}

static int pop_id(ks_wheel *w) {
  ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
  g_assert_nonnull(t);
  return ks_container_of(t, mtimer, timer)->id;
}

/* One 4.2 ms level-2 slot that comes up with thousands of timers whose
 * expiries crowd into a few microseconds and were armed in falling order,
 * with ties and cancelled ones among them: the pop must order groups of a
 * hundred and more keys whose 64 ns tags tie, and all must still come out
 * in (expiry, arm) order, holes skipped.  Then the same with 120 timers,
 * falling over 60 us: few enough for the counting pass and insertion, and
 * so crowded into its buckets that insertion gives up (quadratic here) for
 * the two passes.  Then 5,000 over 4 ms (two such slots), with timers
 * re-armed into the run's own milliseconds while it is being popped, which
 * must come out in their place among the run's. */
static void test_crowded_run(void) {
  enum { N = 5000 };
  static mtimer ts[N];
  static key keys[N];
  const ka_time base = KA_S(10); /* a level-2 slot of its own, from 0 */
  /* Timers, and ns between falling pairs; step 0: spread at random. */
  static const struct {
    int n;
    ka_time step;
  } cases[] = {{N, 1}, {120, 1000}, {N, 0}};

  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    const int nt = cases[c].n;
    const bool spread = cases[c].step == 0;
    ks_wheel *w = wheel_with(ts, nt, 0);
    GRand *r = g_rand_new_with_seed(99 + (guint32)spread);
    guint64 seq = 0;
    int n = 0;

    for (int i = 0; i < nt; i++) {
      ka_time when = spread ? base + g_rand_int_range(r, 0, 4000000)
                            : base + (nt - i) / 2 * cases[c].step; /* pairs tie */
      arm_noted(w, &ts[i], when, &seq);
    }
    for (int i = 0; i < nt; i += 7)
      ks_wheel_cancel(w, &ts[i].timer);
    if (spread) {
      /* Pop a quarter, re-arming every tenth popped timer a little ahead
       * of now: into levels 0-1, between the run's own timers. */
      for (int k = 0; k < nt / 4; k++) {
        ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
        mtimer *m = ks_container_of(t, mtimer, timer);
        g_assert_nonnull(t);
        m->expires = -1; /* popped */
        if (k % 10 == 0)
          arm_noted(w, m, ks_wheel_now(w) + g_rand_int_range(r, 0, 200000), &seq);
      }
    }
    for (int i = 0; i < nt; i++)
      if (ks_timer_is_armed(&ts[i].timer))
        keys[n++] = (key){ts[i].expires, ts[i].seq, i};
    g_assert_cmpuint(ks_wheel_count(w), ==, (size_t)n);
    drain_sorted(w, keys, n);
    ks_wheel_free(w);
    g_rand_free(r);
  }
}

/* Equal expiries come out in arm order, not in memory or id order. */
static void test_fifo_ties(void) {
  enum { N = 1000 };
  static mtimer ts[N];
  int order[N];
  GRand *r = g_rand_new_with_seed(7);
  ks_wheel *w = wheel_with(ts, N, 0);

  for (int i = 0; i < N; i++)
    order[i] = i;
  for (int i = N - 1; i > 0; i--) {
    int j = g_rand_int_range(r, 0, i + 1), tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  for (int i = 0; i < N; i++)
    ks_wheel_arm(w, &ts[order[i]].timer, KA_S(100));
  for (int i = 0; i < N; i++)
    g_assert_cmpint(pop_id(w), ==, order[i]);
  ks_wheel_free(w);
  g_rand_free(r);
}

/* A timer armed long ago (filed high up) and one armed at the last moment
 * for the same instant: the old one goes first, whatever level each sat in
 * and whether the time in between was crossed by a pop or a cascade. */
static void test_fifo_ties_across_levels(void) {
  for (int k = 1; k < 61; k++) {
    ka_time target = (INT64_C(1) << (k + 1)) + 1;
    ka_time ds[] = {1, 2, INT64_C(1) << (k - 1), INT64_C(1) << k, INT64_C(1) << (k + 1)};
    for (guint i = 0; i < G_N_ELEMENTS(ds); i++) {
      mtimer ts[4];
      ks_wheel *w = wheel_with(ts, 4, 0);

      ks_wheel_arm(w, &ts[0].timer, target);         /* far away */
      ks_wheel_arm(w, &ts[1].timer, target - ds[i]); /* brings time close */
      ks_wheel_arm(w, &ts[3].timer, target + 1);
      g_assert_cmpint(pop_id(w), ==, 1);
      ks_wheel_arm(w, &ts[2].timer, target); /* near, armed last */
      g_assert_cmpint(pop_id(w), ==, 0);
      g_assert_cmpint(pop_id(w), ==, 2);
      g_assert_cmpint(pop_id(w), ==, 3);
      g_assert_cmpint(ks_wheel_now(w), ==, target + 1);
      ks_wheel_free(w);
    }
  }
}

/* For every level: cancelling a timer removes it and only it, whether it
 * is still where it was filed or has been cascaded down by a look-ahead. */
static void test_cancel_every_level(void) {
  for (int k = 0; k < 63; k++) {
    for (int lookahead = 0; lookahead < 2; lookahead++) {
      mtimer ts[4];
      ka_time when = INT64_C(1) << k;
      ks_wheel *w = wheel_with(ts, 4, 0);

      ks_wheel_arm(w, &ts[0].timer, when);
      ks_wheel_arm(w, &ts[1].timer, when); /* same slot, after 0 */
      ks_wheel_arm(w, &ts[2].timer, add_sat(when, 1));
      ks_wheel_arm(w, &ts[3].timer, add_sat(when, when));
      if (lookahead)
        g_assert_cmpint(ks_wheel_next_expiry(w), ==, when);
      ks_wheel_cancel(w, &ts[0].timer);
      g_assert_false(ks_timer_is_armed(&ts[0].timer));
      g_assert_cmpuint(ks_wheel_count(w), ==, 3);
      ks_wheel_cancel(w, &ts[0].timer); /* no-op */
      g_assert_cmpuint(ks_wheel_count(w), ==, 3);
      ks_wheel_cancel(w, &ts[3].timer);
      g_assert_cmpuint(ks_wheel_count(w), ==, 2);
      g_assert_cmpint(ks_wheel_next_expiry(w), ==, when);
      g_assert_cmpint(pop_id(w), ==, 1);
      g_assert_cmpint(pop_id(w), ==, 2);
      g_assert_null(ks_wheel_pop(w, KA_TIME_NEVER));
      g_assert_cmpuint(ks_wheel_count(w), ==, 0);
      ks_wheel_free(w);
    }
  }
}

/* Cancelling everything must leave the wheel empty and reusable (slots
 * made entirely of holes). */
static void test_cancel_all(void) {
  enum { N = 5000 };
  static mtimer ts[N];
  ks_wheel *w = wheel_with(ts, N, 0);

  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < N; i++)
      ks_wheel_arm(w, &ts[i].timer, KA_S(1) + i % 7);
    for (int i = 0; i < N; i++)
      ks_wheel_cancel(w, &ts[i].timer);
    g_assert_cmpuint(ks_wheel_count(w), ==, 0);
    g_assert_cmpint(ks_wheel_next_expiry(w), ==, KA_TIME_NEVER);
    g_assert_null(ks_wheel_pop(w, KA_TIME_NEVER));
  }
  ks_wheel_free(w);
}

static void test_rearm(void) {
  mtimer ts[3];
  ks_wheel *w = wheel_with(ts, 3, 0);

  for (int i = 0; i < 3; i++)
    ks_wheel_arm(w, &ts[i].timer, 1000);
  ks_wheel_arm(w, &ts[0].timer, 1000); /* same time: moves behind 1, 2 */
  g_assert_cmpuint(ks_wheel_count(w), ==, 3);
  ks_wheel_arm(w, &ts[2].timer, KA_S(5000)); /* later */
  ks_wheel_arm(w, &ts[2].timer, 999);        /* then earlier than all */
  g_assert_cmpuint(ks_wheel_count(w), ==, 3);
  g_assert_cmpint(ks_wheel_next_expiry(w), ==, 999);
  g_assert_cmpint(pop_id(w), ==, 2);
  g_assert_cmpint(pop_id(w), ==, 1);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(ks_wheel_now(w), ==, 1000);
  ks_wheel_free(w);
}

/* The keep-alive pattern: one timer pushed back a million times costs
 * bounded work and memory (holes are squeezed out) and fires once. */
static void test_rearm_many(void) {
  mtimer ts[2];
  ks_wheel *w = wheel_with(ts, 2, 0);

  ks_wheel_arm(w, &ts[1].timer, KA_S(1));
  for (int i = 0; i < 1000000; i++)
    ks_wheel_arm(w, &ts[0].timer, KA_S(7200) + i);
  g_assert_cmpuint(ks_wheel_count(w), ==, 2);
  g_assert_cmpint(pop_id(w), ==, 1);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(ks_wheel_now(w), ==, KA_S(7200) + 999999);
  ks_wheel_free(w);
}

/* Idle time is skipped, not walked: one timer two hours ahead (7.2e12
 * slots of 1 ns) is reached with at most one cascade per level. */
static void test_far_future(void) {
  mtimer ts[3];
  ks_wheel *w = wheel_with(ts, 3, KA_S(1));
  ka_time far = KA_S(1) + KA_S(7200);

  ks_wheel_arm(w, &ts[0].timer, far);
  g_assert_null(ks_wheel_pop(w, far - 1));
  g_assert_cmpint(ks_wheel_now(w), ==, KA_S(1));
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(ks_wheel_now(w), ==, far);
  g_assert_cmpuint(ks_wheel_cascades(w), <=, MAX_LEVELS);

  /* Several timers in the far slot force real cascades: still bounded. */
  ks_wheel_arm(w, &ts[0].timer, far + KA_S(7200) + 2);
  ks_wheel_arm(w, &ts[1].timer, far + KA_S(7200) + 1);
  ks_wheel_arm(w, &ts[2].timer, far + KA_S(7200));
  g_assert_cmpint(pop_id(w), ==, 2);
  g_assert_cmpint(pop_id(w), ==, 1);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpuint(ks_wheel_cascades(w), <=, 3 * MAX_LEVELS);
  ks_wheel_free(w);
}

static void test_next_expiry(void) {
  mtimer ts[3];
  ks_wheel *w = wheel_with(ts, 3, 0);

  g_assert_cmpint(ks_wheel_next_expiry(w), ==, KA_TIME_NEVER);
  ks_wheel_arm(w, &ts[0].timer, KA_S(10));
  g_assert_cmpint(ks_wheel_next_expiry(w), ==, KA_S(10));
  ks_wheel_arm(w, &ts[1].timer, KA_S(3));
  g_assert_cmpint(ks_wheel_next_expiry(w), ==, KA_S(3));
  ks_wheel_cancel(w, &ts[1].timer);
  g_assert_cmpint(ks_wheel_next_expiry(w), ==, KA_S(10));
  g_assert_cmpint(ks_wheel_now(w), ==, 0);
  g_assert_null(ks_wheel_pop(w, KA_S(10) - 1));
  g_assert_cmpint(ks_wheel_now(w), ==, 0);
  ks_wheel_free(w);
}

/* After a look-ahead has cascaded the wheel up to the next expiry, timers
 * armed before it must still come out first, in order, FIFO on ties. */
static void test_arm_after_lookahead(void) {
  mtimer ts[6];
  ks_wheel *w = wheel_with(ts, 6, 0);

  ks_wheel_arm(w, &ts[0].timer, KA_S(1));
  ks_wheel_arm(w, &ts[1].timer, KA_S(1) + 1); /* so no lone timer */
  g_assert_cmpint(ks_wheel_next_expiry(w), ==, KA_S(1));
  ks_wheel_arm(w, &ts[2].timer, 1000);
  ks_wheel_arm(w, &ts[3].timer, 999);
  ks_wheel_arm(w, &ts[4].timer, 1000);
  ks_wheel_arm(w, &ts[5].timer, KA_S(1)); /* ties with 0, armed later */
  g_assert_cmpint(ks_wheel_next_expiry(w), ==, 999);
  g_assert_cmpint(pop_id(w), ==, 3);
  g_assert_cmpint(ks_wheel_now(w), ==, 999);
  ks_wheel_arm(w, &ts[3].timer, 1000); /* behind 2 and 4 */
  ks_wheel_cancel(w, &ts[4].timer);
  g_assert_cmpint(pop_id(w), ==, 2);
  g_assert_cmpint(pop_id(w), ==, 3);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(pop_id(w), ==, 5);
  g_assert_cmpint(pop_id(w), ==, 1);
  g_assert_cmpint(ks_wheel_now(w), ==, KA_S(1) + 1);
  ks_wheel_free(w);
}

/* Arming in the past clamps to now and goes behind what is already due. */
static void test_arm_in_past(void) {
  mtimer ts[3];
  ks_wheel *w = wheel_with(ts, 3, 0);

  ks_wheel_arm(w, &ts[0].timer, 500);
  ks_wheel_arm(w, &ts[1].timer, 1000);
  g_assert_cmpint(pop_id(w), ==, 0);
  ks_wheel_arm(w, &ts[2].timer, 400);
  ks_wheel_arm(w, &ts[0].timer, INT64_MIN);
  g_assert_cmpint(ks_timer_expires(&ts[2].timer), ==, 500);
  g_assert_cmpint(ks_timer_expires(&ts[0].timer), ==, 500);
  g_assert_cmpint(pop_id(w), ==, 2);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(ks_wheel_now(w), ==, 500);
  g_assert_cmpint(pop_id(w), ==, 1);
  ks_wheel_free(w);
}

/* After an advance past an instant at which nothing was due, arms before
 * it are clamped to it, and the timers already pending keep their turn. */
static void test_advance(void) {
  mtimer ts[3];
  ks_wheel *w = wheel_with(ts, 3, 0);

  ks_wheel_arm(w, &ts[0].timer, 1000);
  g_assert_null(ks_wheel_pop(w, 600));
  ks_wheel_advance(w, 600);
  g_assert_cmpint(ks_wheel_now(w), ==, 600);
  ks_wheel_advance(w, 100); /* not later: nothing */
  g_assert_cmpint(ks_wheel_now(w), ==, 600);
  ks_wheel_arm(w, &ts[1].timer, 500);
  g_assert_cmpint(ks_timer_expires(&ts[1].timer), ==, 600);
  ks_wheel_arm(w, &ts[2].timer, 600);
  g_assert_cmpint(pop_id(w), ==, 1);
  g_assert_cmpint(pop_id(w), ==, 2);
  g_assert_cmpint(ks_wheel_now(w), ==, 600);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(ks_wheel_now(w), ==, 1000);
  ks_wheel_free(w);
}

static void test_extremes(void) {
  mtimer ts[3];
  ks_wheel *w = wheel_with(ts, 3, INT64_MIN);

  ks_wheel_arm(w, &ts[0].timer, KA_TIME_NEVER);
  ks_wheel_arm(w, &ts[1].timer, -1);
  ks_wheel_arm(w, &ts[2].timer, INT64_MIN);
  g_assert_cmpint(pop_id(w), ==, 2);
  g_assert_cmpint(ks_wheel_now(w), ==, INT64_MIN);
  g_assert_cmpint(pop_id(w), ==, 1);
  g_assert_cmpint(ks_wheel_now(w), ==, -1);
  g_assert_cmpint(pop_id(w), ==, 0);
  g_assert_cmpint(ks_wheel_now(w), ==, KA_TIME_NEVER);
  g_assert_null(ks_wheel_pop(w, KA_TIME_NEVER));
  ks_wheel_free(w);
}

typedef struct conn {
  int fd;
  ks_timer ka;
  char name[8];
} conn;

static void test_container_of(void) {
  conn c;
  ks_timer_init(&c.ka);
  g_assert_true(ks_container_of(&c.ka, conn, ka) == &c);
  g_assert_false(ks_timer_is_armed(&c.ka));
  /* The memory budget of docs/performance.md: four timers a cache line. */
  g_assert_cmpuint(sizeof(ks_timer), ==, 16);
}

/* An entry keeps 48 bits of its timer's address (ks_wheel.c); a timer
 * above them must be refused when initialised, not filed under a wrong
 * address.  The address is made up: the check comes before any access. */
static void test_init_high_address(void) {
  if (g_test_subprocess()) {
    ks_timer_init((ks_timer *)(uintptr_t)(UINT64_C(1) << 48));
    return;
  }
  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed();
  g_test_trap_assert_stderr("*keeps 48 bits of a timer's address*");
}

/* Callbacks are stored as indices into a table: each distinct one must
 * come back as itself, from any thread, and NULL as NULL. */
static void cb_a(ks_timer *t, void *ctx) {
  (void)t;
  (void)ctx;
}
static void cb_b(ks_timer *t, void *ctx) {
  (void)t;
  (void)ctx;
}

static gpointer set_cbs_thread(gpointer data) {
  ks_timer *ts = data;
  for (int i = 0; i < 1000; i++)
    ks_timer_set_cb(&ts[i], i % 2 ? cb_a : cb_b);
  return NULL;
}

static void test_callbacks(void) {
  ks_timer ts[2][1000];
  GThread *th[2];

  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 1000; i++)
      ks_timer_init(&ts[k][i]);
  g_assert_null(ks_timer_get_cb(&ts[0][0]));
  g_assert_false(ks_timer_has_cb(&ts[0][0]));
  for (int k = 0; k < 2; k++)
    th[k] = g_thread_new("set-cb", set_cbs_thread, ts[k]);
  for (int k = 0; k < 2; k++)
    g_thread_join(th[k]);
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 1000; i++)
      g_assert_true(ks_timer_get_cb(&ts[k][i]) == (i % 2 ? cb_a : cb_b));
  g_assert_true(ks_timer_get_cb(&ts[0][1]) != ks_timer_get_cb(&ts[0][0]));
  g_assert_true(ks_timer_has_cb(&ts[0][1]));
  ks_timer_set_cb(&ts[0][1], NULL);
  g_assert_null(ks_timer_get_cb(&ts[0][1]));
  g_assert_false(ks_timer_has_cb(&ts[0][1]));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/wheel/random-vs-model", test_random_vs_model);
  g_test_add_func("/wheel/random-level-boundaries", test_random_level_boundaries);
  g_test_add_func("/wheel/dense-vs-model", test_dense_vs_model);
  g_test_add_func("/wheel/bulk-sorted", test_bulk_sorted);
  g_test_add_func("/wheel/crowded-run", test_crowded_run);
  g_test_add_func("/wheel/fifo-ties", test_fifo_ties);
  g_test_add_func("/wheel/fifo-ties-across-levels", test_fifo_ties_across_levels);
  g_test_add_func("/wheel/cancel-every-level", test_cancel_every_level);
  g_test_add_func("/wheel/cancel-all", test_cancel_all);
  g_test_add_func("/wheel/rearm", test_rearm);
  g_test_add_func("/wheel/rearm-many", test_rearm_many);
  g_test_add_func("/wheel/far-future", test_far_future);
  g_test_add_func("/wheel/next-expiry", test_next_expiry);
  g_test_add_func("/wheel/arm-after-lookahead", test_arm_after_lookahead);
  g_test_add_func("/wheel/arm-in-past", test_arm_in_past);
  g_test_add_func("/wheel/advance", test_advance);
  g_test_add_func("/wheel/extremes", test_extremes);
  g_test_add_func("/wheel/container-of", test_container_of);
  g_test_add_func("/wheel/init-high-address", test_init_high_address);
  g_test_add_func("/wheel/callbacks", test_callbacks);
  return g_test_run();
}
