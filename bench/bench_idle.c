/* bench_idle.c - idle connections at scale.
 *
 * N idle connections from a Windows Vista client host to a Linux server
 * over one link (20 ms one way, 1 Gbit/s), under Vista's defaults
 * (KeepAliveTime 2 h, KeepAliveInterval 1 s, 10 probes), keep-alive on
 * the client side only, for 24 virtual hours.  The connects are spread
 * uniformly over the first 2 h (--spread), so that the run is the steady
 * state: every connection sends a probe every 2 h + one round trip, the
 * server answers it, and nothing ever dies.
 *
 * Per connection and 2 h that is 3 engine events: the client's
 * keep-alive timer (probe out), the probe reaching the server, and the
 * answer reaching the client, which moves the client's timer to that
 * receive + 2 h (see ka_conn_on_receive); plus 4 for the handshake.
 * About 37 events per connection per day.
 *
 * Figures, per N (see bench_world.h for the method): wall time of
 * ks_world_run() alone (best of --reps and the range), of the set-up,
 * events per second, connections x virtual hours per wall second, and
 * peak RSS per connection.  It prints figures and checks only that every
 * connection is still alive at the end.
 */
#include "bench_world.h"

typedef struct idle_opts {
  const char *spread;
  const char *duration;
  double hours;
} idle_opts;

static void run_idle(guint64 n, const void *arg, bw_result *out) {
  const idle_opts *o = arg;
  char *yaml = g_strdup_printf("name: bench-idle\n"
                               "duration: %s\n"
                               "seed: 1\n" BW_VISTA_CLIENTS_LINUX_SERVER "groups:\n"
                               "  - name: idle\n"
                               "    count: %" G_GUINT64_FORMAT "\n"
                               "    client: clients\n"
                               "    server: server\n"
                               "    keepalive: client\n"
                               "    connect_spread: %s\n"
                               "    traffic: idle\n",
                               o->duration, n, o->spread);
  bw_run_yaml(yaml, out);
  g_free(yaml);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_idle [--big] [--reps R] [--hours H] [--spread DURATION] [N ...]\n"
                  "default N: 1e3 1e4 1e5 1e6, plus 1e7 with --big; R = 3, H = 24, spread 2h\n");
  exit(2);
}

int main(int argc, char **argv) {
  idle_opts o = {"2h", NULL, 24};
  char *duration;
  bench_args a = bench_args_new();
  int reps;

  for (int i = 1; i < argc; i++) {
    if (bench_take_arg(&a, argc, argv, &i, 1, 1))
      continue;
    if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
      o.hours = g_ascii_strtod(argv[++i], NULL);
    else if (strcmp(argv[i], "--spread") == 0 && i + 1 < argc)
      o.spread = argv[++i];
    else
      usage();
  }
  reps = a.reps;
  if (reps < 1 || reps > 100 || o.hours <= 0)
    usage();
  bench_default_ns(&a);
  /* Whole seconds, so that the duration parser takes it as it is. */
  duration = g_strdup_printf("%" G_GINT64_FORMAT "s", (gint64)(o.hours * 3600 + 0.5));
  o.duration = duration;

  bench_print_header(argc, argv);
  printf("sizeof(ks_timer) = %zu\n", sizeof(ks_timer));
  printf("idle: N idle windows-vista clients -> linux server, 20 ms / 1 Gbit/s link, "
         "keep-alive on the client (2 h, 1 s, 10 probes), connects spread over %s, "
         "%g virtual hours; best of %d\n",
         o.spread, o.hours, reps);
  printf("%-9s %9s %15s %9s %9s %10s %8s %13s %13s %9s %s\n", "N", "run s", "range s", "cpu s",
         "setup s", "events", "Mev/s", "conn*vh/s", "ns/conn*vh", "B/conn", "check");
  for (unsigned i = 0; i < a.n_ns; i++) {
    guint64 n = a.ns[i];
    bw_result *r = g_new0(bw_result, reps);
    gboolean ok = TRUE;
    for (int k = 0; k < reps && ok; k++)
      ok = bw_in_child(run_idle, n, &o, &r[k]);
    if (!ok) {
      printf("%-9" G_GUINT64_FORMAT " FAILED (out of memory?)\n", n);
      g_free(r);
      continue;
    }
    bw_stats s = bw_summarise(r, reps);
    double cvh = (double)n * o.hours;
    printf("%-9" G_GUINT64_FORMAT " %9.3f %7.3f-%-7.3f %9.3f %9.3f %10" G_GUINT64_FORMAT
           " %8.2f %13.4g %13.1f %9.1f %s\n",
           n, s.best, s.best, s.worst, s.cpu_best, s.setup_best, r[0].events,
           (double)r[0].events / s.best / 1e6, cvh / s.best, s.best * 1e9 / cvh,
           (double)s.peak_max * 1024.0 / (double)n,
           r[0].alive == n ? "all alive" : "NOT ALL ALIVE");
    fflush(stdout);
    g_free(r);
  }
  g_free(duration);
  return 0;
}
