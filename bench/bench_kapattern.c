/* bench_kapattern.c - the event pattern of idle keep-alive connections, on
 * kasim's engine alone, for a like-for-like comparison with ns-3.
 *
 * bench_idle runs the whole world: hosts, a link, TCP endpoints and the
 * keep-alive model (ka_conn).  ns-3 cannot run that world, so the
 * comparison with ns-3 strips it down to the timers it produces, and
 * bench_ns3_hold.cc's "keepalive" workload does exactly this on ns-3:
 *
 *   N connections, each with a keep-alive timer (a ks_timer in the
 *   connection) and a last-receive time.  The timer fires at T: a probe
 *   (a pooled segment with its own timer, as ks_world's flights) reaches
 *   the server at T + 20 ms, which sends the answer, reaching the client at
 *   T + 40 ms, which records the receive and moves the keep-alive timer
 *   (armed at T + 1 s, the probe interval) to that receive + 2 h, as
 *   ka_conn_on_receive does after an answered probe.  3 events per
 *   connection per 2 h, first timers uniform over [0, 2 h)
 *   (bench_common.h), 24 virtual hours.
 *
 * Figures: wall time of ks_engine_run(), events per second, connections x
 * virtual hours per second, peak RSS per connection; best of --reps, each
 * in a child process (see bench_world.h for the method).
 */
#include <glib.h>

#include "bench_common.h"
#include "ks_engine.h"
#include "ks_mem.h"

#define SEED 20240601u

typedef struct kconn {
  ks_timer ka;
  ka_time last_rx;
} kconn;

typedef struct kflight {
  ks_timer t;
  guint32 conn;
  struct kflight *next_free;
} kflight;

typedef struct pattern {
  kconn *conns;
  kflight *free_flights;
  GPtrArray *chunks;
  guint64 events;
} pattern;

static pattern g_p;

static kflight *flight_new(void) {
  if (g_p.free_flights == NULL) {
    enum { CHUNK = 256 };
    kflight *c = g_new(kflight, CHUNK);
    g_ptr_array_add(g_p.chunks, c);
    for (int i = CHUNK - 1; i >= 0; i--) {
      ks_timer_init(&c[i].t);
      c[i].next_free = g_p.free_flights;
      g_p.free_flights = &c[i];
    }
  }
  kflight *f = g_p.free_flights;
  g_p.free_flights = f->next_free;
  return f;
}

static void flight_free(kflight *f) {
  f->next_free = g_p.free_flights;
  g_p.free_flights = f;
}

static void on_answer(ks_timer *t, void *ctx) { /* reaches the client */
  ks_engine *e = ctx;
  kflight *f = ks_container_of(t, kflight, t);
  kconn *c = &g_p.conns[f->conn];
  g_p.events++;
  c->last_rx = ks_engine_now(e);
  ks_engine_at(e, &c->ka, c->last_rx + BENCH_KA_IDLE);
  flight_free(f);
}

static void on_probe(ks_timer *t, void *ctx) { /* reaches the server */
  ks_engine *e = ctx;
  kflight *f = ks_container_of(t, kflight, t), *a = flight_new();
  g_p.events++;
  a->conn = f->conn;
  ks_timer_set_cb(&a->t, on_answer);
  ks_engine_at(e, &a->t, ks_engine_now(e) + BENCH_KA_DELAY);
  flight_free(f);
}

static void on_keepalive(ks_timer *t, void *ctx) {
  ks_engine *e = ctx;
  kconn *c = ks_container_of(t, kconn, ka);
  ka_time now = ks_engine_now(e);
  kflight *f;

  g_p.events++;
  f = flight_new();
  f->conn = (guint32)(c - g_p.conns);
  ks_timer_set_cb(&f->t, on_probe);
  ks_engine_at(e, &f->t, now + BENCH_KA_DELAY);
  ks_engine_at(e, t, now + BENCH_KA_INTVL);
}

typedef struct result {
  double secs, cpu;
  guint64 events;
  long base_kib, peak_kib;
} result;

static void run(guint64 n, double hours, result *r) {
  bench_rng rng = {SEED};
  ks_engine *e;
  double t0, c0;

  r->base_kib = bench_current_rss_kib();
  e = ks_engine_new(SEED);
  /* On huge pages, as the world's connections (ks_world_new, ks_mem.h). */
  g_p.conns = ks_mem_huge_new0(n * sizeof *g_p.conns);
  if (g_p.conns == NULL)
    g_error("bench_kapattern: out of memory for %" G_GUINT64_FORMAT " connections", n);
  g_p.chunks = g_ptr_array_new_with_free_func(g_free);
  g_p.free_flights = NULL;
  g_p.events = 0;
  for (guint64 i = 0; i < n; i++) {
    ka_time at = bench_ka_first(&rng);
    ks_timer_init(&g_p.conns[i].ka);
    ks_timer_set_cb(&g_p.conns[i].ka, on_keepalive);
    g_p.conns[i].last_rx = at - BENCH_KA_IDLE;
    ks_engine_at(e, &g_p.conns[i].ka, at);
  }
  c0 = bench_cpu_s();
  t0 = bench_mono_s();
  ks_engine_run(e, (ka_time)(hours * 3600e9));
  r->secs = bench_mono_s() - t0;
  r->cpu = bench_cpu_s() - c0;
  r->events = g_p.events;
  r->peak_kib = bench_peak_rss_kib();
  ks_engine_free(e);
  ks_mem_huge_free(g_p.conns, n * sizeof *g_p.conns);
  g_ptr_array_unref(g_p.chunks);
}

typedef struct job {
  guint64 n;
  double hours;
} job;

static void child_main(void *ctx, void *out) {
  const job *j = ctx;
  run(j->n, j->hours, out);
}

static gboolean in_child(guint64 n, double hours, result *out) {
  job j = {n, hours};
  return bench_in_child(child_main, &j, out, sizeof *out);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_kapattern [--big] [--reps R] [--hours H] [N ...]\n"
                  "default N: 1e3 1e4 1e5 1e6, plus 1e7 with --big; R = 3, H = 24\n");
  exit(2);
}

int main(int argc, char **argv) {
  bench_args a = bench_args_new();
  double hours = 24;
  int reps;

  for (int i = 1; i < argc; i++) {
    if (bench_take_arg(&a, argc, argv, &i, 1, 1))
      continue;
    if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
      hours = g_ascii_strtod(argv[++i], NULL);
    else
      usage();
  }
  reps = a.reps;
  if (reps < 1 || hours <= 0)
    usage();
  bench_default_ns(&a);

  bench_print_header(argc, argv);
  printf("kapattern: the keep-alive event pattern on ks_engine (2 h idle, 1 s interval, "
         "20 ms each way), %g virtual hours; best of %d\n",
         hours, reps);
  printf("%-9s %9s %15s %9s %10s %8s %8s %13s %9s\n", "N", "run s", "range s", "cpu s", "events",
         "Mev/s", "ns/ev", "conn*vh/s", "B/conn");
  for (unsigned i = 0; i < a.n_ns; i++) {
    guint64 n = a.ns[i];
    result best = {0}, r;
    double worst = 0;
    long peak = 0;
    for (int k = 0; k < reps; k++) {
      if (!in_child(n, hours, &r)) {
        printf("%-9" G_GUINT64_FORMAT " FAILED\n", n);
        goto next;
      }
      if (k == 0 || r.secs < best.secs)
        best = r;
      worst = MAX(worst, r.secs);
      peak = MAX(peak, r.peak_kib - r.base_kib);
    }
    printf("%-9" G_GUINT64_FORMAT " %9.3f %7.3f-%-7.3f %9.3f %10" G_GUINT64_FORMAT
           " %8.2f %8.1f %13.4g %9.1f\n",
           n, best.secs, best.secs, worst, best.cpu, best.events,
           (double)best.events / best.secs / 1e6, best.secs * 1e9 / (double)best.events,
           (double)n * hours / best.secs, (double)peak * 1024.0 / (double)n);
    fflush(stdout);
  next:;
  }
  return 0;
}
