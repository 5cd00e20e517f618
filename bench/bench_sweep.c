/* bench_sweep.c - what a sweep costs beyond its simulations (issue 19: at
 * most 20% of a 1,000-cell sweep of a one-connection scenario).
 *
 * Runs the same N cells twice, both on one core:
 *   1. the runs alone: ks_runner_run for each cell, in this process, one
 *      after the other (what `kasim run` does per cell);
 *   2. the whole sweep through the library `kasim sweep` uses, --jobs 1:
 *      checking the plan, preparing the folder, a worker per cell (the
 *      run, its metrics into cell.json), the merge into
 *      sweep.json, sweep.csv and stats.csv.
 * and prints the share of the sweep's time spent outside the runs,
 * (T_sweep - T_runs) / T_sweep, in CPU time (user + system, this process
 * and its workers: what other processes on a shared machine do not
 * change) and in wall time.  The cells' files go to $TMPDIR (default
 * /tmp): a disk's file creation is part of every run, and on tmpfs
 * (TMPDIR=/dev/shm) only the software's own costs remain.
 *
 *   bench_sweep [CELLS]     (default 1000: CELLS values of TCP_KEEPIDLE, 1 seed)
 */
#define _DEFAULT_SOURCE /* getrusage's RUSAGE_CHILDREN */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "ks_metrics.h"
#include "ks_runner.h"
#include "ks_sweep.h"
#include "ks_world.h"

/* One idle Linux client whose cable is pulled at 10 min. */
static const char scenario[] = "name: bench-sweep\n"
                               "duration: 1h\n"
                               "hosts:\n"
                               "  client: {profile: linux}\n"
                               "  server: {profile: linux}\n"
                               "links:\n"
                               "  cable: {between: [client, server], delay: 10ms}\n"
                               "groups:\n"
                               "  - {name: c, client: client, server: server,\n"
                               "     sockopts: {TCP_KEEPINTVL: 5, TCP_KEEPCNT: 4}}\n"
                               "timeline:\n"
                               "  - {at: 10m, link_down: cable}\n";

/* CPU seconds of this process and its reaped children. */
static double cpu_now(void) {
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
                  kids.ru_stime.tv_sec) +
         (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
                  kids.ru_stime.tv_usec) /
           1e6;
}

static void rm_rf(const char *path) {
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", path);
  if (system(cmd) != 0)
    fprintf(stderr, "bench_sweep: could not remove %s\n", path);
}

int main(int argc, char **argv) {
  guint cells = argc > 1 ? (guint)atoi(argv[1]) : 1000;
  if (cells == 0) {
    fprintf(stderr, "usage: bench_sweep [CELLS]\n");
    return 2;
  }
  g_autofree char *dir = g_dir_make_tmp("kasim-bench-sweep-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "one.yaml", NULL);
  g_assert_true(g_file_set_contents(path, scenario, -1, NULL));
  GString *grid = g_string_new("TCP_KEEPIDLE=");
  for (guint i = 0; i < cells; i++)
    g_string_append_printf(grid, "%s%u", i ? "," : "", 10 + i);
  GError *error = NULL;

  /* 1. The runs alone. */
  ks_runner_opts opts = {.backend = &ks_world_backend};
  g_autofree char *runs = g_build_filename(dir, "runs", NULL);
  double c0 = cpu_now();
  gint64 t0 = g_get_monotonic_time();
  for (guint i = 0; i < cells; i++) {
    g_autofree char *set = g_strdup_printf("TCP_KEEPIDLE=%u", 10 + i);
    g_autofree char *out = g_strdup_printf("%s/%u", runs, i);
    char *sets[] = {set, NULL};
    g_mkdir_with_parents(out, 0755);
    if (!ks_runner_run(path, sets, 1, out, &opts, &error)) {
      fprintf(stderr, "bench_sweep: %s\n", error->message);
      return 1;
    }
  }
  double t_runs = (double)(g_get_monotonic_time() - t0) / 1e6;
  double c_runs = cpu_now() - c0;

  /* What the sweep adds per cell first: the metrics, read back from the
   * run's files. */
  double m0 = cpu_now();
  for (guint i = 0; i < cells; i++) {
    g_autofree char *run = g_strdup_printf("%s/%u", runs, i);
    ks_run_metrics *m = ks_metrics_load(run, &error);
    if (m == NULL) {
      fprintf(stderr, "bench_sweep: %s\n", error->message);
      return 1;
    }
    ks_metrics_free(m);
  }
  double c_metrics = cpu_now() - m0;

  /* 2. The sweep. */
  g_autofree char *out = g_build_filename(dir, "sweep", NULL);
  char *grids[] = {grid->str, NULL};
  ks_sweep_args args = {.scenario_path = path,
                        .grids = grids,
                        .seeds = 1,
                        .seed_base = 1,
                        .backend = &ks_world_backend,
                        .out_dir = out};
  t0 = g_get_monotonic_time();
  ks_sweep_plan *s = ks_sweep_plan_new(&args, &error);
  gint64 t_plan = g_get_monotonic_time();
  ks_sweep_tally t = {0};
  if (s == NULL || !ks_sweep_prepare(s, &error)) {
    fprintf(stderr, "bench_sweep: %s\n", error->message);
    return 1;
  }
  ks_sweep_run_cells(s, 0, 1, 1, NULL, NULL, &t);
  gint64 t_cells = g_get_monotonic_time();
  if (t.failed || !ks_sweep_merge(s, NULL, &error)) {
    fprintf(stderr, "bench_sweep: %s\n", error ? error->message : "a cell failed");
    return 1;
  }
  gint64 t_end = g_get_monotonic_time();
  double t_sweep = (double)(t_end - t0) / 1e6;
  double c_sweep = cpu_now() - c0;
  ks_sweep_plan_free(s);

  const char *tmp = g_getenv("TMPDIR");
  printf("bench_sweep: %u cells of a one-connection scenario, 1 job, files in %s\n", cells,
         tmp ? tmp : "/tmp");
  printf("  runs alone (ks_runner_run x %u): %8.3f s wall, %8.3f s CPU (%.2f ms CPU per run)\n",
         cells, t_runs, c_runs, 1e3 * c_runs / cells);
  printf("  metrics read back (ks_metrics_load x %u): %.3f s CPU (%.2f ms per run)\n", cells,
         c_metrics, 1e3 * c_metrics / cells);
  printf("  whole sweep:                     %8.3f s wall, %8.3f s CPU\n", t_sweep, c_sweep);
  printf("    plan (load and check every value): %.3f s\n", (double)(t_plan - t0) / 1e6);
  printf("    cells (fork, run, metrics):        %.3f s\n", (double)(t_cells - t_plan) / 1e6);
  printf("    merge (sweep.json, .csv, stats):   %.3f s\n", (double)(t_end - t_cells) / 1e6);
  printf("  outside the simulations: %.1f%% of the sweep's CPU time, %.1f%% of its wall time "
         "(target: at most 20%%)\n",
         100 * (c_sweep - c_runs) / c_sweep, 100 * (t_sweep - t_runs) / t_sweep);
  rm_rf(dir);
  return 0;
}
