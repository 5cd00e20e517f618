/* bench_run.c - `kasim run` end to end, beside bench_idle (issue 20).
 *
 * The workload is bench_idle's: N idle Windows Vista clients to a Linux
 * server over one 20 ms, 1 Gbit/s link, connects spread over the first
 * 2 h, 24 virtual hours.  For each N it runs, in this order:
 *   - bench_idle's measurement in a child of its own (ks_world_run alone,
 *     and the peak resident memory above the child's start, per
 *     connection);
 *   - the kasim executable itself, `kasim run SCENARIO --out DIR [--trace
 *     LEVEL] [--compress]`, as a user would: loading, building, running and writing
 *     every output file.  Its wall time is CLOCK_MONOTONIC around fork and
 *     wait; its peak memory is the child's ru_maxrss (getrusage
 *     RUSAGE_CHILDREN, read after each child, each run a fresh process so
 *     the high-water mark is its own).
 * A run of `kasim run` at N = 1 gives the fixed part (the executable,
 * its libraries, the wheel's slot headers); the per-connection figure is
 * (peak at N - peak at 1) / N, and the whole peak / N beside it.
 *
 * Usage: bench_run [--big] [--reps R] [--trace LEVEL] [--compress] [--kasim PATH] [N ...]
 * default N: 1e5 1e6, plus 1e7 with --big; R = 1.
 */
#define _DEFAULT_SOURCE /* wait4: the child's own rusage */
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "bench_world.h"

#ifndef KASIM_PATH
#define KASIM_PATH "kasim"
#endif

static char *idle_yaml(guint64 n) {
  return g_strdup_printf("name: bench-run\n"
                         "duration: 86400s\n"
                         "seed: 1\n" BW_VISTA_CLIENTS_LINUX_SERVER "groups:\n"
                         "  - name: idle\n"
                         "    count: %" G_GUINT64_FORMAT "\n"
                         "    client: clients\n"
                         "    server: server\n"
                         "    keepalive: client\n"
                         "    connect_spread: 2h\n"
                         "    traffic: idle\n",
                         n);
}

static void run_idle(guint64 n, const void *arg, bw_result *out) {
  (void)arg;
  char *yaml = idle_yaml(n);
  bw_run_yaml(yaml, out);
  g_free(yaml);
}

typedef struct kasim_result {
  double wall_s;
  long peak_kib;
  guint64 out_bytes;
  gboolean ok;
} kasim_result;

static guint64 dir_bytes(const char *dir) {
  guint64 sum = 0;
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)) != NULL) {
    g_autofree char *p = g_build_filename(dir, name, NULL);
    GStatBuf st;
    if (g_stat(p, &st) == 0)
      sum += (guint64)st.st_size;
  }
  if (d)
    g_dir_close(d);
  return sum;
}

static void rm_dir(const char *dir) {
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)) != NULL) {
    g_autofree char *p = g_build_filename(dir, name, NULL);
    g_unlink(p);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
}

/* One `kasim run` in a child: its wall time and its own peak RSS. */
static kasim_result run_kasim(const char *kasim, guint64 n, const char *trace, gboolean compress) {
  kasim_result r = {0};
  g_autofree char *tmp = g_dir_make_tmp("kasim-bench-run-XXXXXX", NULL);
  g_autofree char *yaml_path = g_build_filename(tmp, "bench-run.yaml", NULL);
  g_autofree char *out = g_build_filename(tmp, "out", NULL);
  g_autofree char *yaml = idle_yaml(n);
  if (!g_file_set_contents(yaml_path, yaml, -1, NULL))
    return r;
  const char *argv[8] = {kasim, "run", yaml_path, "--out", out};
  int argc = 5;
  if (trace) {
    argv[argc++] = "--trace";
    argv[argc++] = trace;
  }
  if (compress)
    argv[argc++] = "--compress";
  double t0 = bench_mono_s();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execv(kasim, (char *const *)argv);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  gboolean waited = pid > 0 && wait4(pid, &status, 0, &ru) == pid;
  r.wall_s = bench_mono_s() - t0;
  r.ok = waited && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  r.peak_kib = waited ? ru.ru_maxrss : 0;
  r.out_bytes = dir_bytes(out);
  rm_dir(out);
  g_unlink(yaml_path);
  g_rmdir(tmp);
  return r;
}

static void usage(void) {
  fprintf(stderr, "usage: bench_run [--big] [--reps R] [--trace LEVEL] [--compress] [--kasim PATH] "
                  "[N ...]\n"
                  "default N: 1e5 1e6, plus 1e7 with --big; R = 1; LEVEL: kasim run's default\n");
  exit(2);
}

int main(int argc, char **argv) {
  bench_args a = bench_args_new();
  a.reps = 1;
  const char *trace = NULL, *kasim = KASIM_PATH;
  gboolean compress = FALSE;
  for (int i = 1; i < argc; i++) {
    if (bench_take_arg(&a, argc, argv, &i, 1, 1))
      continue;
    if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc)
      trace = argv[++i];
    else if (strcmp(argv[i], "--compress") == 0)
      compress = TRUE;
    else if (strcmp(argv[i], "--kasim") == 0 && i + 1 < argc)
      kasim = argv[++i];
    else
      usage();
  }
  if (a.reps < 1 || a.reps > 100)
    usage();
  if (a.n_ns == 0) {
    a.ns[a.n_ns++] = 100000;
    a.ns[a.n_ns++] = 1000000;
    if (a.big)
      a.ns[a.n_ns++] = 10000000;
  }
  (void)bw_summarise; /* bench_world.h's, for the other world benchmarks */
  bench_print_header(argc, argv);
  printf("run: `%s run` end to end (outputs written), trace level %s%s, against bench_idle's "
         "ks_world_run; N idle windows-vista clients, 24 virtual hours; best of %d\n",
         kasim, trace ? trace : "(default)", compress ? ", --compress" : "", a.reps);
  kasim_result fixed = run_kasim(kasim, 1, trace, compress);
  if (!fixed.ok) {
    printf("kasim run at N = 1 FAILED: is %s the kasim executable?\n", kasim);
    return 1;
  }
  printf("fixed part: kasim run at N = 1 peaks at %ld KiB\n", fixed.peak_kib);
  printf("%-9s %10s %10s %8s %10s %10s %12s %12s %12s\n", "N", "idle run s", "kasim s", "ratio",
         "idle B/c", "kasim B/c", "kasim-fix B/c", "peak MiB", "outputs MB");
  for (unsigned i = 0; i < a.n_ns; i++) {
    guint64 n = a.ns[i];
    double idle_best = G_MAXDOUBLE, kasim_best = G_MAXDOUBLE;
    long idle_peak = 0, kasim_peak = 0;
    guint64 out_bytes = 0;
    gboolean ok = TRUE;
    for (int k = 0; k < a.reps && ok; k++) {
      bw_result br = {0};
      ok = bw_in_child(run_idle, n, NULL, &br);
      if (!ok)
        break;
      idle_best = MIN(idle_best, br.run_s);
      idle_peak = MAX(idle_peak, br.peak_kib - br.base_kib);
      kasim_result kr = run_kasim(kasim, n, trace, compress);
      ok = kr.ok;
      kasim_best = MIN(kasim_best, kr.wall_s);
      kasim_peak = MAX(kasim_peak, kr.peak_kib);
      out_bytes = kr.out_bytes;
    }
    if (!ok) {
      printf("%-9" G_GUINT64_FORMAT " FAILED\n", n);
      continue;
    }
    printf("%-9" G_GUINT64_FORMAT " %10.3f %10.3f %8.2f %10.1f %10.1f %12.1f %12.1f %12.1f\n", n,
           idle_best, kasim_best, kasim_best / idle_best, idle_peak * 1024.0 / n,
           kasim_peak * 1024.0 / n, (kasim_peak - fixed.peak_kib) * 1024.0 / n, kasim_peak / 1024.0,
           out_bytes / 1e6);
    fflush(stdout);
  }
  return 0;
}
