/* bench_sweep.c - what a sweep costs beyond its simulations (issue 19: at
 * most 20% of a 1,000-cell sweep of a one-connection scenario).
 *
 * Runs the same N cells twice, both on one core:
 *   1. the runs alone: ks_runner_run for each cell, in this process, one
 *      after the other (what `kasim run` does per cell: the scenario
 *      loaded, the run, its files), unsynced as a sweep's cells are
 *      (ks_runner_opts.no_sync) and synced at once at the end, as a
 *      sweep's;
 *   2. the whole sweep through the library `kasim sweep` uses, --jobs 1:
 *      checking the plan, preparing the folder, the cells in a worker
 *      process (the run, its metrics, cell.json, its record sent back),
 *      the folder synced once, the merge into sweep.json, sweep.csv and
 *      stats.csv;
 * after a warm-up (the first runs of a process fault its memory in), in
 * ROUNDS rounds of both, each phase from a synced disk, and prints each
 * round's share of the sweep's time spent outside the runs,
 * (T_sweep - T_runs) / T_sweep, in CPU time (user + system, this process
 * and its workers: what other processes on a shared machine change
 * least) and in wall time, and the median of the rounds.  For reference
 * it also times the runs synced one by one as `kasim run` syncs them.  The
 * cells' files go to $TMPDIR (default /tmp): a disk's file creation is
 * part of every run, and on tmpfs (TMPDIR=/dev/shm) only the software's
 * own costs remain.
 *
 *   bench_sweep [CELLS [ROUNDS]]   (default 1000 cells: CELLS values of
 *                                  TCP_KEEPIDLE, 1 seed; 5 rounds)
 */
#define _GNU_SOURCE /* getrusage's RUSAGE_CHILDREN, syncfs() */
#include <glib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_common.h"
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

/* What the runs wrote, on disk, as a sweep's end syncs its cells. */
static void sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    syncfs(fd);
    close(fd);
  }
}

/* Wall and CPU seconds of something timed. */
typedef struct timing {
  double wall, cpu;
} timing;

/* Each phase starts from a synced disk (what one phase left to write is
 * not the next one's to pay for) and writes into a folder of its own,
 * removed only at the end: ext4 makes a file slow to create for 30 s
 * after many were deleted (it looks for inodes not just freed). */

/* The cells' runs alone, into DIR/NAME/i. */
static timing time_runs(const char *dir, const char *name, const char *scenario_path, guint cells,
                        gboolean synced) {
  ks_runner_opts opts = {.backend = &ks_world_backend, .no_sync = !synced};
  g_autofree char *runs = g_build_filename(dir, name, NULL);
  GError *error = NULL;
  sync();
  double c0 = cpu_now(), t0 = bench_mono_s();
  for (guint i = 0; i < cells; i++) {
    g_autofree char *set = g_strdup_printf("TCP_KEEPIDLE=%u", 10 + i);
    g_autofree char *out = g_strdup_printf("%s/%u", runs, i);
    char *sets[] = {set, NULL};
    if (!ks_runner_run(scenario_path, sets, 1, out, &opts, &error)) {
      fprintf(stderr, "bench_sweep: %s\n", error->message);
      exit(1);
    }
  }
  if (!synced)
    sync_dir(runs);
  timing t = {bench_mono_s() - t0, cpu_now() - c0};
  return t;
}

/* The whole sweep into DIR/NAME; its phases' wall times in phase[3]:
 * plan, cells, merge. */
static timing time_sweep(const char *dir, const char *name, const char *scenario_path, char *grid,
                         double phase[3]) {
  g_autofree char *out = g_build_filename(dir, name, NULL);
  char *grids[] = {grid, NULL};
  ks_sweep_args args = {.scenario_path = scenario_path,
                        .grids = grids,
                        .seeds = 1,
                        .seed_base = 1,
                        .backend = &ks_world_backend,
                        .out_dir = out};
  GError *error = NULL;
  sync();
  double c0 = cpu_now(), t0 = bench_mono_s();
  ks_sweep_plan *s = ks_sweep_plan_new(&args, &error);
  double t_plan = bench_mono_s();
  ks_sweep_tally t = {0};
  if (s == NULL || !ks_sweep_prepare(s, &error)) {
    fprintf(stderr, "bench_sweep: %s\n", error->message);
    exit(1);
  }
  ks_sweep_run_cells(s, 0, 1, 1, NULL, NULL, &t);
  double t_cells = bench_mono_s();
  if (t.failed || !ks_sweep_merge(s, NULL, &error)) {
    fprintf(stderr, "bench_sweep: %s\n", error ? error->message : "a cell failed");
    exit(1);
  }
  timing r = {bench_mono_s() - t0, cpu_now() - c0};
  ks_sweep_plan_free(s);
  phase[0] = t_plan - t0;
  phase[1] = t_cells - t_plan;
  phase[2] = t0 + r.wall - t_cells;
  return r;
}

static int cmp_double(gconstpointer x, gconstpointer y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Of a sorted array; the mean of the middle two for an even length. */
static double median(const GArray *v) {
  const double *d = (const double *)v->data;
  guint n = v->len;
  return n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
}

int main(int argc, char **argv) {
  guint cells = argc > 1 ? (guint)atoi(argv[1]) : 1000;
  guint rounds = argc > 2 ? (guint)atoi(argv[2]) : 5;
  if (cells == 0 || rounds == 0) {
    fprintf(stderr, "usage: bench_sweep [CELLS [ROUNDS]]\n");
    return 2;
  }
  g_autofree char *dir = g_dir_make_tmp("kasim-bench-sweep-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "one.yaml", NULL);
  g_assert_true(g_file_set_contents(path, scenario, -1, NULL));
  GString *grid = g_string_new("TCP_KEEPIDLE=");
  for (guint i = 0; i < cells; i++)
    g_string_append_printf(grid, "%s%u", i ? "," : "", 10 + i);

  const char *tmp = g_getenv("TMPDIR");
  printf("bench_sweep: %u cells of a one-connection scenario, 1 job, files in %s, %u rounds\n",
         cells, tmp ? tmp : "/tmp", rounds);
  /* Warm: the first runs of a process fault its memory in. */
  time_runs(dir, "warm", path, MIN(cells, 100u), FALSE);
  /* Rounds of both, one after the other: a round's two share the
   * machine's state (its other work, the file system's), so each round
   * gives a share outside the runs, and the figure is their median. */
  GArray *out_cpu = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *out_wall = g_array_new(FALSE, FALSE, sizeof(double));
  timing runs = {0, 0}, sweep = {0, 0};
  double phase[3] = {0, 0, 0};
  for (guint r = 0; r < rounds; r++) {
    double ph[3];
    g_autofree char *rn = g_strdup_printf("runs%u", r), *sn = g_strdup_printf("sweep%u", r);
    timing a = time_runs(dir, rn, path, cells, FALSE);
    timing b = time_sweep(dir, sn, path, grid->str, ph);
    double oc = 100 * (b.cpu - a.cpu) / b.cpu, ow = 100 * (b.wall - a.wall) / b.wall;
    printf("  round %u: runs alone %.3f s wall, %.3f s CPU; sweep %.3f s wall, %.3f s CPU; "
           "outside %.1f%% CPU, %.1f%% wall\n",
           r + 1, a.wall, a.cpu, b.wall, b.cpu, oc, ow);
    g_array_append_val(out_cpu, oc);
    g_array_append_val(out_wall, ow);
    runs.wall += a.wall / rounds, runs.cpu += a.cpu / rounds;
    sweep.wall += b.wall / rounds, sweep.cpu += b.cpu / rounds;
    for (int i = 0; i < 3; i++)
      phase[i] += ph[i] / rounds;
  }
  timing synced = time_runs(dir, "synced", path, cells, TRUE);
  printf("  runs alone (ks_runner_run x %u): %8.3f s wall, %8.3f s CPU (%.3f ms CPU per run)\n",
         cells, runs.wall, runs.cpu, 1e3 * runs.cpu / cells);
  printf("  the same synced as kasim run's:  %8.3f s wall, %8.3f s CPU (one round)\n", synced.wall,
         synced.cpu);
  printf("  whole sweep:                     %8.3f s wall, %8.3f s CPU (%.3f ms CPU per cell)\n",
         sweep.wall, sweep.cpu, 1e3 * sweep.cpu / cells);
  printf("    plan (load and check every value):         %.3f s\n", phase[0]);
  printf("    cells (a worker: run, metrics, cell.json):  %.3f s\n", phase[1]);
  printf("    merge (sweep.json, .csv, stats):            %.3f s\n", phase[2]);
  g_array_sort(out_cpu, cmp_double);
  g_array_sort(out_wall, cmp_double);
  printf("  outside the simulations (median of the rounds): %.1f%% of the sweep's CPU time, "
         "%.1f%% of its wall time (target: at most 20%%)\n",
         median(out_cpu), median(out_wall));
  g_array_free(out_cpu, TRUE);
  g_array_free(out_wall, TRUE);
  g_string_free(grid, TRUE);
  bench_rm_tree(dir);
  return 0;
}
