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
 * With --ranks K, instead: the same `kasim run` in one process and under
 * `mpirun -np K` on this machine (docs/output.md, "Runs over several
 * processes"), alternately, with the link's bandwidth left out (a link with
 * a bandwidth that several connections share is refused over several
 * processes).  For each: its wall time, its peak memory (under mpirun the
 * largest process's: wait4 on mpirun gives the high-water mark of it and
 * the ranks it waited for), and whether every output file of the K-rank
 * run has the same bytes as the one-process run's.
 *
 * Usage: bench_run [--big] [--reps R] [--trace LEVEL] [--compress] [--ranks K]
 *                  [--mpirun PATH] [--kasim PATH] [N ...]
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

/* bench_idle's network, or the same without the link's bandwidth. */
#define UNLIMITED_VISTA_CLIENTS_LINUX_SERVER \
  "hosts:\n"                                 \
  "  clients: {profile: windows-vista}\n"    \
  "  server: {profile: linux}\n"             \
  "links:\n"                                 \
  "  uplink: {between: [clients, server], delay: 20ms}\n"

static char *idle_yaml(guint64 n, gboolean unlimited) {
  return g_strdup_printf("name: bench-run\n"
                         "duration: 86400s\n"
                         "seed: 1\n"
                         "%s"
                         "groups:\n"
                         "  - name: idle\n"
                         "    count: %" G_GUINT64_FORMAT "\n"
                         "    client: clients\n"
                         "    server: server\n"
                         "    keepalive: client\n"
                         "    connect_spread: 2h\n"
                         "    traffic: idle\n",
                         unlimited ? UNLIMITED_VISTA_CLIENTS_LINUX_SERVER
                                   : BW_VISTA_CLIENTS_LINUX_SERVER,
                         n);
}

static void run_idle(guint64 n, const void *arg, bw_result *out) {
  (void)arg;
  char *yaml = idle_yaml(n, FALSE);
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

/* How to run kasim: its options, and mpirun's when ranks > 1. */
typedef struct kasim_how {
  const char *kasim, *trace, *mpirun;
  gboolean compress, unlimited;
  int ranks;
  const char *keep; /* keep the output folder here (NULL: remove it) */
} kasim_how;

/* One `kasim run` in a child: its wall time and its own peak RSS. */
static kasim_result run_kasim(const kasim_how *h, guint64 n) {
  kasim_result r = {0};
  g_autofree char *tmp = g_dir_make_tmp("kasim-bench-run-XXXXXX", NULL);
  g_autofree char *yaml_path = g_build_filename(tmp, "bench-run.yaml", NULL);
  g_autofree char *out = h->keep ? g_strdup(h->keep) : g_build_filename(tmp, "out", NULL);
  g_autofree char *yaml = idle_yaml(n, h->unlimited);
  g_autofree char *np = g_strdup_printf("%d", h->ranks);
  if (!g_file_set_contents(yaml_path, yaml, -1, NULL))
    return r;
  const char *argv[16];
  int argc = 0;
  if (h->ranks > 1) {
    argv[argc++] = h->mpirun;
    argv[argc++] = "-np";
    argv[argc++] = np;
    argv[argc++] = "--bind-to";
    argv[argc++] = "none";
  }
  const char *tail[] = {h->kasim, "run", yaml_path, "--out", out};
  for (size_t i = 0; i < G_N_ELEMENTS(tail); i++)
    argv[argc++] = tail[i];
  if (h->trace) {
    argv[argc++] = "--trace";
    argv[argc++] = h->trace;
  }
  if (h->compress)
    argv[argc++] = "--compress";
  argv[argc] = NULL;
  double t0 = bench_mono_s();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    /* Shared memory between the ranks, without the cross-memory attach
     * that containers forbid; root is allowed (as in test_shard). */
    setenv("OMPI_MCA_btl", "self,vader", 0);
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
    if (geteuid() == 0) {
      setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
      setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
    }
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  gboolean waited = pid > 0 && wait4(pid, &status, 0, &ru) == pid;
  r.wall_s = bench_mono_s() - t0;
  r.ok = waited && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  r.peak_kib = waited ? ru.ru_maxrss : 0;
  r.out_bytes = dir_bytes(out);
  if (h->keep == NULL)
    bench_rm_tree(out);
  g_unlink(yaml_path);
  g_rmdir(tmp);
  return r;
}

/* Whether two output folders hold the same files with the same bytes. */
static gboolean same_files(const char *a, const char *b) {
  gboolean same = TRUE;
  guint na = 0, nb = 0;
  GDir *d = g_dir_open(a, 0, NULL);
  const char *name;
  while (same && d && (name = g_dir_read_name(d)) != NULL) {
    g_autofree char *pa = g_build_filename(a, name, NULL), *pb = g_build_filename(b, name, NULL);
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    static char ba[1 << 16], bb[1 << 16];
    size_t ka, kb;
    same = fa && fb;
    while (same && (ka = fread(ba, 1, sizeof ba, fa)) > 0) {
      kb = fread(bb, 1, ka, fb);
      same = ka == kb && memcmp(ba, bb, ka) == 0;
    }
    same = same && fread(bb, 1, 1, fb) == 0;
    if (fa)
      fclose(fa);
    if (fb)
      fclose(fb);
    na++;
  }
  if (d)
    g_dir_close(d);
  d = g_dir_open(b, 0, NULL);
  while (d && g_dir_read_name(d) != NULL)
    nb++;
  if (d)
    g_dir_close(d);
  return same && na == nb && na > 0;
}

/* --ranks K: one process against K ranks, alternately, best of reps. */
static int bench_ranks(kasim_how *h, const bench_args *a) {
  printf("run: `%s run` in one process and under `%s -np %d`, trace level %s%s, alternately; N "
         "idle windows-vista clients, 24 virtual hours, the link without a bandwidth; best of "
         "%d\n",
         h->kasim, h->mpirun, h->ranks, h->trace ? h->trace : "(default)",
         h->compress ? ", --compress" : "", a->reps);
  printf("%-9s %10s %10s %8s %12s %14s %10s\n", "N", "1 proc s", "ranks s", "ratio", "1 peak MiB",
         "rank peak MiB", "outputs");
  for (unsigned i = 0; i < a->n_ns; i++) {
    guint64 n = a->ns[i];
    double one = G_MAXDOUBLE, many = G_MAXDOUBLE;
    long one_peak = 0, many_peak = 0;
    gboolean ok = TRUE, same = TRUE;
    g_autofree char *tmp = g_dir_make_tmp("kasim-bench-ranks-XXXXXX", NULL);
    g_autofree char *d1 = g_build_filename(tmp, "one", NULL);
    g_autofree char *dk = g_build_filename(tmp, "ranks", NULL);
    for (int k = 0; k < a->reps && ok; k++) {
      int ranks = h->ranks;
      h->ranks = 1, h->keep = d1;
      kasim_result r1 = run_kasim(h, n);
      h->ranks = ranks, h->keep = dk;
      kasim_result rk = run_kasim(h, n);
      h->keep = NULL;
      ok = r1.ok && rk.ok;
      one = MIN(one, r1.wall_s), many = MIN(many, rk.wall_s);
      one_peak = MAX(one_peak, r1.peak_kib), many_peak = MAX(many_peak, rk.peak_kib);
      same = same && ok && same_files(d1, dk);
      bench_rm_tree(d1);
      bench_rm_tree(dk);
    }
    g_rmdir(tmp);
    if (!ok) {
      printf("%-9" G_GUINT64_FORMAT " FAILED\n", n);
      continue;
    }
    printf("%-9" G_GUINT64_FORMAT " %10.3f %10.3f %8.3f %12.1f %14.1f %10s\n", n, one, many,
           many / one, one_peak / 1024.0, many_peak / 1024.0, same ? "identical" : "DIFFER");
    fflush(stdout);
  }
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: bench_run [--big] [--reps R] [--trace LEVEL] [--compress] [--ranks K] "
                  "[--mpirun PATH] [--kasim PATH] [N ...]\n"
                  "default N: 1e5 1e6, plus 1e7 with --big; R = 1; LEVEL: kasim run's default\n");
  exit(2);
}

int main(int argc, char **argv) {
  bench_args a = bench_args_new();
  a.reps = 1;
  kasim_how h = {.kasim = KASIM_PATH, .mpirun = "mpirun", .ranks = 1};
  for (int i = 1; i < argc; i++) {
    if (bench_take_arg(&a, argc, argv, &i, 1, 1))
      continue;
    if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc)
      h.trace = argv[++i];
    else if (strcmp(argv[i], "--compress") == 0)
      h.compress = TRUE;
    else if (strcmp(argv[i], "--kasim") == 0 && i + 1 < argc)
      h.kasim = argv[++i];
    else if (strcmp(argv[i], "--ranks") == 0 && i + 1 < argc)
      h.ranks = atoi(argv[++i]);
    else if (strcmp(argv[i], "--mpirun") == 0 && i + 1 < argc)
      h.mpirun = argv[++i];
    else
      usage();
  }
  if (a.reps < 1 || a.reps > 100 || h.ranks < 1 || h.ranks > 64)
    usage();
  const char *trace = h.trace, *kasim = h.kasim;
  gboolean compress = h.compress;
  if (a.n_ns == 0) {
    a.ns[a.n_ns++] = 100000;
    a.ns[a.n_ns++] = 1000000;
    if (a.big)
      a.ns[a.n_ns++] = 10000000;
  }
  (void)bw_summarise; /* bench_world.h's, for the other world benchmarks */
  bench_print_header(argc, argv);
  if (h.ranks > 1) {
    g_autofree char *mpirun = g_find_program_in_path(h.mpirun);
    if (mpirun == NULL) {
      printf("--ranks: %s not found (openmpi-bin)\n", h.mpirun);
      return 1;
    }
    h.mpirun = mpirun;
    h.unlimited = TRUE;
    return bench_ranks(&h, &a);
  }
  printf("run: `%s run` end to end (outputs written), trace level %s%s, against bench_idle's "
         "ks_world_run; N idle windows-vista clients, 24 virtual hours; best of %d\n",
         kasim, trace ? trace : "(default)", compress ? ", --compress" : "", a.reps);
  kasim_result fixed = run_kasim(&h, 1);
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
      kasim_result kr = run_kasim(&h, n);
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
