/* bench_hold.c - the classic "hold model" for an event queue.
 *
 * N timers are pending; each step pops the earliest and re-arms it at
 * now + an increment drawn uniformly from the integers in [0, 2*mean) ns
 * (mean 1 s unless --mean-ns), so N stays constant and the queue sees the
 * pop/arm mix of a simulator in steady state.  The increments come from
 * GLib's GRand (Mersenne Twister, fixed seed): one g_rand_int() mapped to
 * the range with Lemire's multiply-and-reject method, which is unbiased
 * and about twice as cheap as g_rand_int_range() (that one divides on
 * every call).  Drawing is included in the figures, and timed on its own
 * for reference.
 *
 * Two drivers: "wheel" calls ks_wheel_pop/ks_wheel_arm in a loop; "engine"
 * goes through ks_engine_run with a callback per event, as a simulation
 * would.  Each (N, driver) pair runs in a child process of its own, so that
 * its peak RSS (getrusage) is its own.
 *
 * This prints figures; it checks nothing.  Build with
 * --buildtype=release for numbers worth quoting.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ks_engine.h"
#include "ks_wheel.h"

#define SEED 20240601u

/* Uniform on the integers in [0, range). */
typedef struct uniform {
  guint64 range;
  guint32 reject; /* 2^32 mod range: x * range with a low half below it
                     would make some values more likely */
} uniform;

typedef struct opts {
  ka_time mean;
  uniform u; /* range 2 * mean */
  guint64 events; /* 0: max(2e7, 2N) */
  gboolean do_wheel;
  gboolean do_engine;
} opts;

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uniform uniform_new(guint64 range) {
  uniform u = {range, 0};
  if (range <= G_MAXUINT32)
    u.reject = (guint32)((G_GUINT64_CONSTANT(1) << 32) % range);
  return u;
}

/* Lemire, "Fast Random Integer Generation in an Interval" (2019): the
 * high half of x * range, redrawing the few x that would favour some
 * values; the threshold is computed once, not per draw.  Ranges beyond 32
 * bits (means over 2.1 s) fall back to a double, exact enough here. */
static inline ka_time draw(GRand *r, const uniform *u) {
  guint64 m;

  if (G_UNLIKELY(u->range > G_MAXUINT32))
    return (ka_time)g_rand_double_range(r, 0, (double)u->range);
  do
    m = (guint64)g_rand_int(r) * u->range;
  while (G_UNLIKELY((guint32)m < u->reject));
  return (ka_time)(m >> 32);
}

static long peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static long current_rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static guint64 n_events(const opts *o, guint64 n) {
  if (o->events != 0)
    return o->events;
  return MAX(G_GUINT64_CONSTANT(20000000), 2 * n);
}

static void report(const char *driver, guint64 n, guint64 events, double secs,
                   long base_kib, double extra) {
  long peak = peak_rss_kib();
  printf("%-6s N=%-9" G_GUINT64_FORMAT " %6.2f M events/s  %6.1f ns/event  "
         "peak RSS %7.1f MiB = %6.1f B/timer (%6.1f B/timer above the "
         "%ld KiB baseline)",
         driver, n, (double)events / secs / 1e6, secs * 1e9 / (double)events,
         (double)peak / 1024, (double)peak * 1024 / (double)n,
         (double)(peak - base_kib) * 1024 / (double)n, base_kib);
  if (extra >= 0)
    printf("  %.2f cascades/event", extra);
  printf("\n");
  fflush(stdout);
}

static void bench_wheel(const opts *o, guint64 n) {
  long base = current_rss_kib();
  guint64 m = n_events(o, n);
  GRand *r = g_rand_new_with_seed(SEED);
  ks_timer *ts = g_new(ks_timer, n);
  ks_wheel *w = ks_wheel_new(0);
  guint64 c0;
  double t0, t1;

  for (guint64 i = 0; i < n; i++) {
    ks_timer_init(&ts[i]);
    ks_wheel_arm(w, &ts[i], draw(r, &o->u));
  }
  /* Warm up: the initial spread is not the steady-state one. */
  for (guint64 i = 0; i < MAX(n, 100000); i++) {
    ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
    ks_wheel_arm(w, t, ks_timer_expires(t) + draw(r, &o->u));
  }
  c0 = ks_wheel_cascades(w);
  t0 = mono_s();
  for (guint64 i = 0; i < m; i++) {
    ks_timer *t = ks_wheel_pop(w, KA_TIME_NEVER);
    ks_wheel_arm(w, t, ks_timer_expires(t) + draw(r, &o->u));
  }
  t1 = mono_s();
  report("wheel", n, m, t1 - t0, base,
         (double)(ks_wheel_cascades(w) - c0) / (double)m);
  ks_wheel_free(w);
  g_free(ts);
  g_rand_free(r);
}

typedef struct hold {
  uniform u;
  guint64 left; /* events until the measured phase ends */
} hold;

static hold g_hold;

static void on_hold(ks_timer *t, void *ctx) {
  ks_engine *e = ctx;
  ks_engine_at(e, t, ks_engine_now(e) + draw(ks_engine_rand(e), &g_hold.u));
  if (--g_hold.left == 0)
    ks_engine_stop(e);
}

static void bench_engine(const opts *o, guint64 n) {
  long base = current_rss_kib();
  guint64 m = n_events(o, n);
  ks_engine *e = ks_engine_new(SEED);
  ks_timer *ts = g_new(ks_timer, n);
  double t0, t1;

  g_hold.u = o->u;
  for (guint64 i = 0; i < n; i++) {
    ks_timer_init(&ts[i]);
    ks_timer_set_cb(&ts[i], on_hold);
    ks_engine_at(e, &ts[i], draw(ks_engine_rand(e), &o->u));
  }
  g_hold.left = MAX(n, 100000);
  ks_engine_run(e, KA_TIME_NEVER);
  g_hold.left = m;
  t0 = mono_s();
  ks_engine_run(e, KA_TIME_NEVER);
  t1 = mono_s();
  g_assert_cmpuint(g_hold.left, ==, 0);
  report("engine", n, m, t1 - t0, base, -1);
  ks_engine_free(e);
  g_free(ts);
}

static void bench_rng(const opts *o) {
  GRand *r = g_rand_new_with_seed(SEED);
  guint64 m = 20000000;
  volatile ka_time sink = 0;
  double t0 = mono_s();
  for (guint64 i = 0; i < m; i++)
    sink += draw(r, &o->u);
  printf("rng    drawing one increment alone: %.1f ns\n",
         (mono_s() - t0) * 1e9 / (double)m);
  (void)sink;
  g_rand_free(r);
}

static void run_child(void (*fn)(const opts *, guint64), const opts *o,
                      guint64 n) {
  int status;
  pid_t pid;

  fflush(stdout);
  pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) {
    fn(o, n);
    fflush(stdout);
    _exit(0);
  }
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0)
    fprintf(stderr, "bench_hold: N=%" G_GUINT64_FORMAT " failed\n", n);
}

static void print_machine(int argc, char **argv) {
  struct utsname u;
  char line[512];
  FILE *f;

  printf("command:");
  for (int i = 0; i < argc; i++)
    printf(" %s", argv[i]);
  printf("\n");
  if (uname(&u) == 0)
    printf("uname: %s %s %s %s\n", u.sysname, u.release, u.version,
           u.machine);
  f = fopen("/proc/cpuinfo", "r");
  if (f != NULL) {
    while (fgets(line, sizeof line, f) != NULL) {
      if (strncmp(line, "model name", 10) == 0) {
        char *colon = strchr(line, ':');
        printf("cpu:%s", colon != NULL ? colon + 1 : line);
        break;
      }
    }
    fclose(f);
  }
  printf("nproc: %u\n", g_get_num_processors());
  printf("compiler: gcc %s, %s\n", __VERSION__,
#ifdef __OPTIMIZE__
         "optimised"
#else
         "NOT optimised (use --buildtype=release)"
#endif
  );
  printf("sizeof(ks_timer) = %zu bytes\n", sizeof(ks_timer));
}

static void usage(void) {
  fprintf(stderr,
          "usage: bench_hold [--big] [--events M] [--mean-ns NS]\n"
          "                  [--wheel-only | --engine-only] [N ...]\n"
          "default N: 1e3 1e4 1e5 1e6, plus 1e7 with --big\n");
  exit(2);
}

int main(int argc, char **argv) {
  opts o = {KA_S(1), {0, 0}, 0, TRUE, TRUE};
  GArray *ns = g_array_new(FALSE, FALSE, sizeof(guint64));
  gboolean big = FALSE;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--big") == 0) {
      big = TRUE;
    } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
      o.events = (guint64)g_ascii_strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--mean-ns") == 0 && i + 1 < argc) {
      o.mean = (ka_time)g_ascii_strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--wheel-only") == 0) {
      o.do_engine = FALSE;
    } else if (strcmp(argv[i], "--engine-only") == 0) {
      o.do_wheel = FALSE;
    } else if (g_ascii_isdigit(argv[i][0])) {
      guint64 n = (guint64)g_ascii_strtod(argv[i], NULL); /* 1e6 works */
      g_array_append_val(ns, n);
    } else {
      usage();
    }
  }
  if (o.mean <= 0)
    usage();
  o.u = uniform_new(2 * (guint64)o.mean);
  if (ns->len == 0) {
    static const guint64 defaults[] = {1000, 10000, 100000, 1000000,
                                       10000000};
    g_array_append_vals(ns, defaults, big ? 5 : 4);
  }

  print_machine(argc, argv);
  printf("hold model: increments uniform on [0, %" G_GINT64_FORMAT
         ") ns, mean %" G_GINT64_FORMAT " ns\n",
         2 * o.mean, o.mean);
  bench_rng(&o);
  for (guint i = 0; i < ns->len; i++) {
    guint64 n = g_array_index(ns, guint64, i);
    if (n == 0)
      continue;
    if (o.do_wheel)
      run_child(bench_wheel, &o, n);
    if (o.do_engine)
      run_child(bench_engine, &o, n);
  }
  g_array_free(ns, TRUE);
  return 0;
}
