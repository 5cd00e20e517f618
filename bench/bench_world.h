/* bench_world.h - running one scenario in process and measuring it, for
 * bench_idle and bench_storm.
 *
 * The scenario is written as YAML to a temporary file and read back with
 * ks_scenario_load(), exactly as `kasim run` would read it, so that the
 * benchmark cannot drift from the file format nor depend on the insides of
 * ks_scenario.
 *
 * Method.  Each measurement runs in a child process of its own (fork), so
 * that its peak RSS is its own.  In the child:
 *   1. base = resident set now (/proc/self/statm), before anything of the
 *      scenario exists;
 *   2. load the scenario, ks_world_new() -- timed with CLOCK_MONOTONIC as
 *      "set-up";
 *   3. ks_world_run() -- timed on its own as "run": this is the figure;
 *      its CPU time (CLOCK_THREAD_CPUTIME_ID) is printed beside it, and
 *      parts from it when the machine is busy;
 *   4. peak = getrusage(RUSAGE_SELF).ru_maxrss, the high-water mark of
 *      the resident set over the child's whole life; memory per
 *      connection = (peak - base) / connections.  That is everything the
 *      world allocates (connections, the wheel and its slot arrays,
 *      segments in flight, malloc's slack) at its worst moment, not a
 *      sizeof; it is also what a 10^7-connection run needs from the
 *      machine.  No trace or result array is kept.
 *   5. the results are read back (ks_world_conn_result) to check that
 *      the run did what it should: every connection alive at the end of
 *      the idle run, every keep-alive socket given up in the storm.
 */
#ifndef KASIM_BENCH_WORLD_H
#define KASIM_BENCH_WORLD_H

#include <glib.h>
#include <glib/gstdio.h>

#include "bench_common.h"
#include "ks_scenario.h"
#include "ks_wheel.h"
#include "ks_world.h"

/* The network both world benchmarks run on, as scenario text: Windows
 * Vista clients and a Linux server over one 20 ms, 1 Gbit/s link. */
#define BW_VISTA_CLIENTS_LINUX_SERVER     \
  "hosts:\n"                              \
  "  clients: {profile: windows-vista}\n" \
  "  server: {profile: linux}\n"          \
  "links:\n"                              \
  "  uplink: {between: [clients, server], delay: 20ms, bandwidth: 1Gbit}\n"

typedef struct bw_result {
  guint64 conns;
  double setup_s, run_s, run_cpu_s;
  long base_kib, peak_kib;
  guint64 events;
  ka_time end;        /* virtual time at the end of the run */
  guint64 alive;      /* result sockets still open at the end */
  guint64 closed;     /* result sockets closed */
  guint64 probes;     /* probes sent by result sockets */
  ka_time last_close; /* latest closed_at; KA_TIME_NEVER if none */
  gboolean ok;
} bw_result;

/* Writes `yaml` to a temporary file, loads it, builds and runs the world,
 * and fills `r`.  Exits the process on a scenario error. */
static void bw_run_yaml(const char *yaml, bw_result *r) {
  GError *err = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp("kasim-bench-XXXXXX.yaml", &path, &err);
  ks_scenario *sc;
  ks_world *w;
  double t0, t1, t2, c1;

  memset(r, 0, sizeof *r);
  if (fd < 0 || !g_file_set_contents(path, yaml, -1, &err)) {
    fprintf(stderr, "bench: %s\n", err != NULL ? err->message : "temp file");
    exit(1);
  }
  close(fd);
  r->base_kib = bench_current_rss_kib();
  sc = ks_scenario_load(path, NULL, &err);
  g_unlink(path);
  g_free(path);
  if (sc == NULL) {
    fprintf(stderr, "bench: %s\n", err->message);
    exit(1);
  }
  t0 = bench_mono_s();
  w = ks_world_new(sc, sc->seed, &err);
  t1 = bench_mono_s();
  if (w == NULL) {
    fprintf(stderr, "bench: %s\n", err->message);
    exit(1);
  }
  r->setup_s = t1 - t0;
  ks_scenario_free(sc);
  c1 = bench_cpu_s();
  t1 = bench_mono_s();
  ks_world_run(w);
  t2 = bench_mono_s();
  r->run_cpu_s = bench_cpu_s() - c1;
  r->peak_kib = bench_peak_rss_kib();
  r->run_s = t2 - t1;
  r->events = ks_world_events(w);
  r->end = ks_world_now(w);
  r->conns = ks_world_conn_count(w);
  r->last_close = KA_TIME_NEVER;
  for (guint32 i = 0; i < ks_world_conn_count(w); i++) {
    ks_conn_result cr;
    ks_world_conn_result(w, i, &cr);
    if (cr.closed_at == KA_TIME_NEVER) {
      r->alive++;
    } else {
      r->closed++;
      if (r->last_close == KA_TIME_NEVER || cr.closed_at > r->last_close)
        r->last_close = cr.closed_at;
    }
    r->probes += cr.probes_sent;
  }
  r->ok = TRUE;
  ks_world_free(w);
}

typedef struct bw_job {
  void (*fn)(guint64 n, const void *arg, bw_result *out);
  guint64 n;
  const void *arg;
} bw_job;

static void bw_child_main(void *ctx, void *out) {
  const bw_job *j = (const bw_job *)ctx;
  j->fn(j->n, j->arg, (bw_result *)out);
}

/* Runs fn(arg, n, out) in a child process (bench_in_child).  FALSE if the
 * child failed. */
static gboolean bw_in_child(void (*fn)(guint64 n, const void *arg, bw_result *out), guint64 n,
                            const void *arg, bw_result *out) {
  bw_job j = {fn, n, arg};
  return bench_in_child(bw_child_main, &j, out, sizeof *out) && out->ok;
}

/* Best (shortest run) and range of `reps` results. */
typedef struct bw_stats {
  double best, worst, setup_best, cpu_best;
  long peak_min, peak_max;
} bw_stats;

static bw_stats bw_summarise(const bw_result *r, int reps) {
  bw_stats s = {r[0].run_s,
                r[0].run_s,
                r[0].setup_s,
                r[0].run_cpu_s,
                r[0].peak_kib - r[0].base_kib,
                r[0].peak_kib - r[0].base_kib};
  for (int i = 1; i < reps; i++) {
    long m = r[i].peak_kib - r[i].base_kib;
    s.best = MIN(s.best, r[i].run_s);
    s.worst = MAX(s.worst, r[i].run_s);
    s.setup_best = MIN(s.setup_best, r[i].setup_s);
    s.cpu_best = MIN(s.cpu_best, r[i].run_cpu_s);
    s.peak_min = MIN(s.peak_min, m);
    s.peak_max = MAX(s.peak_max, m);
  }
  return s;
}

#endif
