/* bench_hold.c - the classic "hold model" for an event queue.
 *
 * N timers are pending; each step pops the earliest and re-arms it at
 * now + an increment drawn uniformly from the integers in [0, 2*mean) ns
 * (mean 1 s unless --mean-ns), so N stays constant and the queue sees the
 * pop/arm mix of a simulator in steady state.  This is also what ns-3's
 * utils/bench-scheduler.cc measures, and bench_ns3_hold.cc runs the same
 * model on ns-3's schedulers with the very same increments.
 *
 * The increments come from splitmix64 (bench_common.h), one 64-bit draw
 * mapped to the range with Lemire's multiply-and-reject method: unbiased,
 * no division, about 1 ns, so that the figure is the queue's.  --grand
 * draws them from GLib's GRand instead (a Mersenne Twister behind a PLT
 * call, what ks_engine_rand() hands a scenario), for comparison; either
 * way drawing is included in the figures, and timed on its own for
 * reference.
 *
 * Two drivers: "wheel" calls ks_wheel_pop/ks_wheel_arm in a loop; "engine"
 * goes through ks_engine_run with a callback per event, as a simulation
 * would.  Each (N, driver) pair runs in a child process of its own, so that
 * its peak RSS (getrusage) is its own; --reps R runs each R times and
 * prints the best and the range.
 *
 * This prints figures; it checks nothing.  Build with
 * --buildtype=release for numbers worth quoting.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "ks_engine.h"
#include "ks_mem.h"
#include "ks_wheel.h"

#define SEED 20240601u

typedef struct opts {
  ka_time mean;
  bench_uniform u; /* range 2 * mean */
  guint64 events;  /* 0: max(2e7, 2N) */
  gboolean do_wheel;
  gboolean do_engine;
  gboolean grand; /* increments from GRand instead of splitmix64 */
  int reps;
} opts;

/* The increment generator: splitmix64, or GRand with --grand. */
typedef struct drawer {
  bench_rng fast;
  GRand *grand; /* NULL: splitmix64 */
  bench_uniform u;
} drawer;

static void drawer_init(drawer *d, const opts *o, GRand *grand) {
  d->fast.s = SEED;
  d->grand = grand;
  d->u = o->u;
}

/* Lemire on one g_rand_int(); ranges beyond 32 bits (means over 2.1 s)
 * fall back to a double, exact enough here. */
static ka_time draw_grand(drawer *d) {
  guint64 m;

  if (G_UNLIKELY(d->u.range > G_MAXUINT32))
    return (ka_time)g_rand_double_range(d->grand, 0, (double)d->u.range);
  do
    m = (guint64)g_rand_int(d->grand) * d->u.range;
  while (G_UNLIKELY((guint32)m < d->u.reject));
  return (ka_time)(m >> 32);
}

static inline ka_time draw(drawer *d) {
  if (G_UNLIKELY(d->grand != NULL))
    return draw_grand(d);
  return bench_draw(&d->fast, &d->u);
}

typedef struct result {
  double secs, cpu;
  guint64 events;
  long base_kib, peak_kib;
  double cascades; /* per event; < 0: not measured */
} result;

/* The timers in one array on huge pages, as the world keeps its
 * connections (ks_world_new, ks_mem.h): a simulation's timers are in its
 * own structs, and those are kasim's to lay out. */
static ks_timer *timers_new(guint64 n) {
  ks_timer *ts = ks_mem_huge_new0(n * sizeof *ts);
  if (ts == NULL)
    g_error("bench_hold: out of memory for %" G_GUINT64_FORMAT " timers", n);
  return ts;
}

static guint64 n_events(const opts *o, guint64 n) {
  if (o->events != 0)
    return o->events;
  return MAX(G_GUINT64_CONSTANT(20000000), 2 * n);
}

static void bench_wheel(const opts *o, guint64 n, result *res) {
  long base = bench_current_rss_kib();
  guint64 m = n_events(o, n);
  GRand *r = o->grand ? g_rand_new_with_seed(SEED) : NULL;
  drawer d;
  ks_timer *ts = timers_new(n);
  ks_wheel *w = ks_wheel_new(0);
  guint64 c0;
  double t0, t1, c;

  drawer_init(&d, o, r);
  for (guint64 i = 0; i < n; i++) {
    ks_timer_init(&ts[i]);
    ks_wheel_arm(w, &ts[i], draw(&d));
  }
  /* Warm up: the initial spread is not the steady-state one. */
  for (guint64 i = 0; i < MAX(n, 100000); i++) {
    ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
    ks_wheel_arm(w, t, ks_timer_expires(t) + draw(&d));
  }
  c0 = ks_wheel_cascades(w);
  c = bench_cpu_s();
  t0 = bench_mono_s();
  for (guint64 i = 0; i < m; i++) {
    ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
    ks_wheel_arm(w, t, ks_timer_expires(t) + draw(&d));
  }
  t1 = bench_mono_s();
  res->cpu = bench_cpu_s() - c;
  res->secs = t1 - t0;
  res->events = m;
  res->base_kib = base;
  res->peak_kib = bench_peak_rss_kib();
  res->cascades = (double)(ks_wheel_cascades(w) - c0) / (double)m;
  ks_wheel_free(w);
  ks_mem_huge_free(ts, n * sizeof *ts);
  if (r != NULL)
    g_rand_free(r);
}

typedef struct hold {
  drawer d;
  guint64 left; /* events until the measured phase ends */
} hold;

static hold g_hold;

/* One step of the hold model, the re-arm last so that it is a tail call.
 * The callbacks below differ only in the draw: GRand's, a call, has a
 * callback of its own, so that on_hold saves no register (6 instructions
 * an event, with the tail call). */
static inline void hold_step(ks_timer *t, ks_engine *e, ka_time delta) {
  if (G_UNLIKELY(--g_hold.left == 0))
    ks_engine_stop(e);
  ks_engine_at(e, t, ks_engine_now(e) + delta);
}

static void on_hold(ks_timer *t, void *ctx) {
  hold_step(t, ctx, bench_draw(&g_hold.d.fast, &g_hold.d.u));
}

static void on_hold_grand(ks_timer *t, void *ctx) { hold_step(t, ctx, draw_grand(&g_hold.d)); }

static void bench_engine(const opts *o, guint64 n, result *res) {
  long base = bench_current_rss_kib();
  guint64 m = n_events(o, n);
  ks_engine *e = ks_engine_new(SEED);
  ks_timer *ts = timers_new(n);
  double t0, t1, c;

  /* --grand: the engine's own GRand, as a scenario would draw. */
  drawer_init(&g_hold.d, o, o->grand ? ks_engine_rand(e) : NULL);
  for (guint64 i = 0; i < n; i++) {
    ks_timer_init(&ts[i]);
    ks_timer_set_cb(&ts[i], o->grand ? on_hold_grand : on_hold);
    ks_engine_at(e, &ts[i], draw(&g_hold.d));
  }
  g_hold.left = MAX(n, 100000);
  ks_engine_run(e, KA_TIME_NEVER);
  g_hold.left = m;
  c = bench_cpu_s();
  t0 = bench_mono_s();
  ks_engine_run(e, KA_TIME_NEVER);
  t1 = bench_mono_s();
  res->cpu = bench_cpu_s() - c;
  g_assert_cmpuint(g_hold.left, ==, 0);
  res->secs = t1 - t0;
  res->events = m;
  res->base_kib = base;
  res->peak_kib = bench_peak_rss_kib();
  res->cascades = -1;
  ks_engine_free(e);
  ks_mem_huge_free(ts, n * sizeof *ts);
}

static void time_rng(const opts *o) {
  GRand *r = g_rand_new_with_seed(SEED);
  drawer d;
  guint64 m = 20000000;
  volatile ka_time sink = 0;
  double t0, t1, t2;

  drawer_init(&d, o, NULL);
  t0 = bench_mono_s();
  for (guint64 i = 0; i < m; i++)
    sink += draw(&d);
  t1 = bench_mono_s();
  d.grand = r;
  for (guint64 i = 0; i < m; i++)
    sink += draw(&d);
  t2 = bench_mono_s();
  printf("rng: one increment alone: splitmix64 %.1f ns, GRand %.1f ns; this run uses %s\n",
         (t1 - t0) * 1e9 / (double)m, (t2 - t1) * 1e9 / (double)m,
         o->grand ? "GRand (--grand)" : "splitmix64");
  (void)sink;
  g_rand_free(r);
}

typedef struct child_job {
  void (*fn)(const opts *, guint64, result *);
  const opts *o;
  guint64 n;
} child_job;

static void child_main(void *ctx, void *out) {
  const child_job *j = ctx;
  j->fn(j->o, j->n, out);
}

/* Runs fn in a child process (bench_in_child) and brings its result back. */
static gboolean run_child(void (*fn)(const opts *, guint64, result *), const opts *o, guint64 n,
                          result *out) {
  child_job j = {fn, o, n};
  if (!bench_in_child(child_main, &j, out, sizeof *out)) {
    fprintf(stderr, "bench_hold: N=%" G_GUINT64_FORMAT " failed\n", n);
    return FALSE;
  }
  return TRUE;
}

static void measure(const char *driver, void (*fn)(const opts *, guint64, result *), const opts *o,
                    guint64 n) {
  result best = {0}, r;
  double worst = 0;
  long peak = 0;

  for (int k = 0; k < o->reps; k++) {
    if (!run_child(fn, o, n, &r))
      return;
    if (k == 0 || r.secs < best.secs)
      best = r;
    worst = MAX(worst, r.secs);
    peak = MAX(peak, r.peak_kib - r.base_kib);
  }
  printf("%-6s N=%-9" G_GUINT64_FORMAT " %7.2f M events/s (range %6.2f-%-6.2f) %6.1f ns/event"
         " (cpu %6.1f)  %6.1f B/timer above the baseline",
         driver, n, (double)best.events / best.secs / 1e6, (double)best.events / worst / 1e6,
         (double)best.events / best.secs / 1e6, best.secs * 1e9 / (double)best.events,
         best.cpu * 1e9 / (double)best.events, (double)peak * 1024 / (double)n);
  if (best.cascades >= 0)
    printf("  %.1f slots cascaded or sorted per 1e6 events", best.cascades * 1e6);
  printf("\n");
  fflush(stdout);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_hold [--big] [--reps R] [--events M] [--mean-ns NS] [--grand]\n"
                  "                  [--wheel-only | --engine-only] [N ...]\n"
                  "default N: 1e3 1e4 1e5 1e6, plus 1e7 with --big; R = 3\n");
  exit(2);
}

int main(int argc, char **argv) {
  opts o = {KA_S(1), {0, 0}, 0, TRUE, TRUE, FALSE, 3};
  bench_args a = bench_args_new();

  for (int i = 1; i < argc; i++) {
    if (bench_take_arg(&a, argc, argv, &i, 1, 1)) {
      continue;
    } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
      o.events = bench_parse_count(argv[++i]);
    } else if (strcmp(argv[i], "--mean-ns") == 0 && i + 1 < argc) {
      o.mean = (ka_time)bench_parse_count(argv[++i]);
    } else if (strcmp(argv[i], "--grand") == 0) {
      o.grand = TRUE;
    } else if (strcmp(argv[i], "--wheel-only") == 0) {
      o.do_engine = FALSE;
    } else if (strcmp(argv[i], "--engine-only") == 0) {
      o.do_wheel = FALSE;
    } else {
      usage();
    }
  }
  o.reps = a.reps;
  /* splitmix64's Lemire needs the range below 2^32: means up to 2.1 s. */
  if (o.mean <= 0 || o.reps < 1 || (!o.grand && 2 * (guint64)o.mean > G_MAXUINT32))
    usage();
  o.u = bench_uniform_new(2 * (guint64)o.mean);
  bench_default_ns(&a);

  bench_print_header(argc, argv);
  printf("sizeof(ks_timer) = %zu bytes\n", sizeof(ks_timer));
  printf("hold model: increments uniform on [0, %" G_GINT64_FORMAT ") ns, mean %" G_GINT64_FORMAT
         " ns; best of %d\n",
         2 * o.mean, o.mean, o.reps);
  time_rng(&o);
  for (unsigned i = 0; i < a.n_ns; i++) {
    guint64 n = a.ns[i];
    if (o.do_wheel)
      measure("wheel", bench_wheel, &o, n);
    if (o.do_engine)
      measure("engine", bench_engine, &o, n);
  }
  return 0;
}
