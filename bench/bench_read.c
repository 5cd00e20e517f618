/* bench_read.c - reading a large run back (issue 20): the time and peak
 * memory of everything that reads a run folder.
 *
 * For each N it makes a run with `kasim run` (the shape of
 * scenarios/many-idle-clients.yaml scaled to N: half the clients connect
 * at 0 s, half over the first hour, the server's uplink fails at 1h30m and
 * every client gives up, so every connection is a detected failure; the
 * trace holds connections 0 and N/2 only), then measures, each in a
 * process of its own (fork; wall time around fork and wait, CPU time and
 * peak memory the child's ru_utime + ru_stime and ru_maxrss from wait4):
 *   - metrics: what a sweep does per cell, in process: ks_metrics_load,
 *     then the cell's JSON (ks_metrics_to_json and its latencies);
 *   - timeline, latency-cdf, overhead: ks_metrics_load, then that one
 *     picture drawn (PNG and SVG in memory), in process;
 *   - the kasim executable itself: `kasim plot DIR`, `kasim capacity
 *     --connections N --run DIR`, `kasim report DIR`.
 * The in-process rows' time includes the metrics' load; the executable's
 * rows include everything the command does.  --dir reads a folder made
 * beforehand instead (the many-idle-clients shape is then not assumed).
 *
 * Usage: bench_read [--big] [--kasim PATH] [--dir DIR ...] [N ...]
 * default N: 1e5 1e6, plus 1e7 with --big.
 */
#define _DEFAULT_SOURCE /* wait4: the child's own rusage */
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench_common.h"
#include "ks_metrics.h"
#include "ks_plot.h"
#include "ks_trace.h"

#ifndef KASIM_PATH
#define KASIM_PATH "kasim"
#endif

static char *storm_yaml(guint64 n) {
  return g_strdup_printf("name: bench-read\n"
                         "duration: 3h5m\n"
                         "seed: 1\n"
                         "hosts:\n"
                         "  clients: {profile: windows-vista}\n"
                         "  server: {profile: linux, settings: {hz: 0}}\n"
                         "links:\n"
                         "  uplink: {between: [clients, server], delay: 20ms, bandwidth: 1Gbit}\n"
                         "groups:\n"
                         "  - {name: burst, count: %" G_GUINT64_FORMAT
                         ", client: clients, server: server}\n"
                         "  - {name: spread, count: %" G_GUINT64_FORMAT
                         ", client: clients, server: server, connect_spread: 1h}\n"
                         "timeline:\n"
                         "  - {at: 1h30m, link_down: uplink}\n",
                         n / 2, n - n / 2);
}

typedef struct measure {
  double wall_s, cpu_s; /* cpu: user + system, what a busy machine does not stretch */
  long peak_kib;
  gboolean ok;
} measure;

/* The child's figures, once it has ended. */
static measure wait_child(pid_t pid, double t0) {
  measure r = {0};
  int status = 0;
  struct rusage ru;
  gboolean waited = pid > 0 && wait4(pid, &status, 0, &ru) == pid;
  r.wall_s = bench_mono_s() - t0;
  r.ok = waited && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  r.peak_kib = waited ? ru.ru_maxrss : 0;
  r.cpu_s = waited ? (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6
                   : 0;
  return r;
}

/* argv run in a child, its stdout to /dev/null. */
static measure run_exec(const char *const *argv) {
  double t0 = bench_mono_s();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  return wait_child(pid, t0);
}

typedef enum stage { STAGE_METRICS, STAGE_TIMELINE, STAGE_CDF, STAGE_OVERHEAD } stage;
static const char *const stage_names[] = {"metrics (sweep cell)", "timeline", "latency-cdf",
                                          "overhead"};

/* What the sweep writes per cell: the metrics and the latencies. */
static gsize cell_text(const ks_run_metrics *m) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "metrics");
  ks_metrics_to_json(m, b);
  json_builder_set_member_name(b, "latencies_s");
  ks_dist_to_json(m->latency, b);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  JsonGenerator *g = json_generator_new();
  json_generator_set_root(g, root);
  gsize len = 0;
  g_free(json_generator_to_data(g, &len));
  g_object_unref(g);
  json_node_unref(root);
  g_object_unref(b);
  return len;
}

/* One stage in this (child) process; TRUE when it did its work. */
static gboolean do_stage(const char *dir, stage s) {
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  gboolean ok = m != NULL;
  ks_plot_images im = {0};
  if (ok && s == STAGE_METRICS)
    ok = cell_text(m) > 0;
  if (ok && s == STAGE_TIMELINE) {
    ks_timeline *tl = ks_timeline_load(dir, m, &error);
    ok = tl && ks_plot_timeline(tl, &im, &error);
    ks_timeline_free(tl);
  }
  if (ok && s == STAGE_CDF)
    ok = ks_plot_cdf(m, &im, &error);
  if (ok && s == STAGE_OVERHEAD) {
    const ks_group_metrics *g = m->groups->pdata[0];
    ks_overhead_series series = {.label = g->name,
                                 .bytes_per_conn_s = (double)g->probe_wire_bytes /
                                                     m->virtual_time_s / g->connections,
                                 .mark_n = g->connections};
    ok = ks_plot_overhead("bench", NULL, &series, 1, &im, &error);
  }
  if (!ok)
    fprintf(stderr, "bench_read: %s: %s\n", stage_names[s], error ? error->message : "?");
  g_clear_error(&error);
  ks_plot_images_clear(&im);
  ks_metrics_free(m);
  return ok;
}

static measure run_stage(const char *dir, stage s) {
  double t0 = bench_mono_s();
  pid_t pid = fork();
  if (pid == 0)
    _exit(do_stage(dir, s) ? 0 : 1);
  return wait_child(pid, t0);
}

static void row(const char *label, const char *what, measure m) {
  if (m.ok)
    printf("%-12s %-24s %10.3f %10.3f %10.1f\n", label, what, m.wall_s, m.cpu_s,
           m.peak_kib / 1024.0);
  else
    printf("%-12s %-24s FAILED\n", label, what);
  fflush(stdout);
}

static void read_all(const char *kasim, const char *dir, const char *label, guint64 n) {
  for (stage s = STAGE_METRICS; s <= STAGE_OVERHEAD; s++)
    row(label, stage_names[s], run_stage(dir, s));
  g_autofree char *tmp = g_dir_make_tmp("kasim-bench-read-XXXXXX", NULL);
  g_autofree char *html = g_build_filename(tmp, "report.html", NULL);
  g_autofree char *conns = g_strdup_printf("%" G_GUINT64_FORMAT, n ? n : 1000000);
  const char *plot[] = {kasim, "plot", dir, "--out", tmp, NULL};
  const char *cap[] = {kasim, "capacity", "--connections", conns, "--run", dir, NULL};
  const char *report[] = {kasim, "report", dir, "--out", html, NULL};
  row(label, "kasim plot", run_exec(plot));
  row(label, "kasim capacity --run", run_exec(cap));
  row(label, "kasim report", run_exec(report));
  bench_rm_tree(tmp);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_read [--big] [--kasim PATH] [--dir DIR ...] [N ...]\n"
                  "default N: 1e5 1e6, plus 1e7 with --big\n");
  exit(2);
}

int main(int argc, char **argv) {
  bench_args a = bench_args_new();
  const char *kasim = KASIM_PATH;
  GPtrArray *dirs = g_ptr_array_new();
  for (int i = 1; i < argc; i++) {
    if (bench_take_arg(&a, argc, argv, &i, 1, 0))
      continue;
    if (strcmp(argv[i], "--kasim") == 0 && i + 1 < argc)
      kasim = argv[++i];
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      g_ptr_array_add(dirs, argv[++i]);
    else
      usage();
  }
  if (a.n_ns == 0 && dirs->len == 0) {
    a.ns[a.n_ns++] = 100000;
    a.ns[a.n_ns++] = 1000000;
    if (a.big)
      a.ns[a.n_ns++] = 10000000;
  }
  bench_print_header(argc, argv);
  printf("read: each reader in a process of its own: wall and CPU seconds, peak resident MiB; runs "
         "made by `%s run` (many-idle-clients scaled to N, trace of 2 connections)\n",
         kasim);
  printf("%-12s %-24s %10s %10s %10s\n", "run", "reader", "wall s", "cpu s", "peak MiB");
  for (guint i = 0; i < dirs->len; i++)
    read_all(kasim, dirs->pdata[i], g_path_get_basename(dirs->pdata[i]), 0);
  for (unsigned i = 0; i < a.n_ns; i++) {
    guint64 n = a.ns[i];
    g_autofree char *tmp = g_dir_make_tmp("kasim-bench-read-XXXXXX", NULL);
    g_autofree char *yaml_path = g_build_filename(tmp, "bench-read.yaml", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *yaml = storm_yaml(n);
    g_autofree char *trace = g_strdup_printf("conn=0,%" G_GUINT64_FORMAT, n / 2);
    g_autofree char *label = g_strdup_printf("%" G_GUINT64_FORMAT, n);
    if (!g_file_set_contents(yaml_path, yaml, -1, NULL))
      return 1;
    const char *run[] = {kasim, "run", yaml_path, "--out", out, "--trace", trace, NULL};
    measure made = run_exec(run);
    row(label, "(kasim run, to read)", made);
    if (made.ok)
      read_all(kasim, out, label, n);
    bench_rm_tree(out);
    g_unlink(yaml_path);
    g_rmdir(tmp);
  }
  g_ptr_array_unref(dirs);
  return 0;
}
