/* bench_storm.c - a failure storm: a server with N connections loses its
 * uplink, and every client gives up.
 *
 * scenarios/many-idle-clients.yaml scaled to N (default 1,000,000): idle
 * Windows Vista clients, keep-alive on the client side, half of them
 * connecting together at 0 s (the "burst": they die in the same instant)
 * and half spread over the first hour; the uplink (20 ms, 1 Gbit/s) fails
 * at 1h30m.  Each client notices 7210 s after the last segment it heard
 * (7200 s + 10 probes x 1 s), so the last one gives up just after
 * 3h0m10s (it connected just before 1 h, plus a round trip); the
 * server does not use keep-alive, and the run ends when the last client
 * has given up (the queue drains).
 *
 * Figures (see bench_world.h for the method): wall time of ks_world_run()
 * for the whole scenario, and of the same scenario cut at the failure
 * (duration 1h30m), whose difference is the storm itself: the probes of
 * every client into the dead link and the give-ups.  Checked: every
 * client's socket closed, the last one by 10810 s (+ a round trip); the
 * time of the last give-up is printed.
 */
#include "bench_world.h"

static void run_storm(guint64 n, const void *arg, bw_result *out) {
  const char *duration = arg;
  guint64 burst = n / 2, spread = n - burst;
  char *yaml = g_strdup_printf("name: bench-storm\n"
                               "duration: %s\n"
                               "seed: 1\n" BW_VISTA_CLIENTS_LINUX_SERVER "groups:\n"
                               "  - name: burst\n"
                               "    count: %" G_GUINT64_FORMAT "\n"
                               "    client: clients\n"
                               "    server: server\n"
                               "  - name: spread\n"
                               "    count: %" G_GUINT64_FORMAT "\n"
                               "    client: clients\n"
                               "    server: server\n"
                               "    connect_spread: 1h\n"
                               "timeline:\n"
                               "  - {at: 1h30m, link_down: uplink}\n",
                               duration, burst, spread);
  bw_run_yaml(yaml, out);
  g_free(yaml);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_storm [--reps R] [N ...]\n"
                  "default N: 1e6; R = 3\n");
  exit(2);
}

int main(int argc, char **argv) {
  bench_args a = bench_args_new();
  int reps;

  for (int i = 1; i < argc; i++)
    if (!bench_take_arg(&a, argc, argv, &i, 0, 2)) /* N/2 in each group */
      usage();
  reps = a.reps;
  if (reps < 1 || reps > 100)
    usage();
  if (a.n_ns == 0)
    a.ns[a.n_ns++] = 1000000;

  bench_print_header(argc, argv);
  printf("storm: scenarios/many-idle-clients.yaml scaled to N (N/2 at 0 s, N/2 spread over "
         "1 h), uplink down at 1h30m, run until the last give-up (3h0m10s); "
         "\"to failure\" is the same cut at 1h30m; best of %d\n",
         reps);
  printf("%-9s %9s %15s %9s %11s %9s %11s %9s %8s %9s %s\n", "N", "total s", "range s", "cpu s",
         "to-fail s", "storm s", "events", "setup s", "Mev/s", "B/conn", "check");
  for (unsigned i = 0; i < a.n_ns; i++) {
    guint64 n = a.ns[i];
    bw_result *full = g_new0(bw_result, reps), *cut = g_new0(bw_result, reps);
    gboolean ok = TRUE;
    for (int k = 0; k < reps && ok; k++)
      ok = bw_in_child(run_storm, n, "3h5m", &full[k]) &&
           bw_in_child(run_storm, n, "1h30m", &cut[k]);
    if (!ok) {
      printf("%-9" G_GUINT64_FORMAT " FAILED (out of memory?)\n", n);
    } else {
      bw_stats f = bw_summarise(full, reps), c = bw_summarise(cut, reps);
      /* Every client dies 7210 s after its last segment: the burst at
       * 7210 s (+ a round trip), the last of the spread ones before
       * 3600 + 7210 s (+ a round trip). */
      gboolean all = full[0].closed == n && full[0].alive == 0 &&
                     full[0].last_close >= KA_S(7210) && full[0].last_close <= KA_S(10811);
      printf("%-9" G_GUINT64_FORMAT " %9.3f %7.3f-%-7.3f %9.3f %11.3f %9.3f %11" G_GUINT64_FORMAT
             " %9.3f %8.2f %9.1f %s\n",
             n, f.best, f.best, f.worst, f.cpu_best, c.best, f.best - c.best, full[0].events,
             f.setup_best, (double)full[0].events / f.best / 1e6,
             (double)f.peak_max * 1024.0 / (double)n,
             all ? "all gave up" : "NOT ALL GAVE UP AS EXPECTED");
      printf("  %" G_GUINT64_FORMAT " closed, %" G_GUINT64_FORMAT
             " alive, the last give-up at %.3f s virtual\n",
             full[0].closed, full[0].alive, (double)full[0].last_close / 1e9);
    }
    fflush(stdout);
    g_free(full);
    g_free(cut);
  }
  return 0;
}
