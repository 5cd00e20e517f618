/* bench_common.h - what every benchmark in bench/ shares: its header
 * (command line, machine, load), wall clock, peak RSS and the random
 * increments of the hold model.
 *
 * Header-only and valid as both C11 and C++17, so that the kasim benches
 * and the ns-3 ones (bench_ns3_*.cc) draw the very same numbers and print
 * the same header.
 */
#ifndef KASIM_BENCH_COMMON_H
#define KASIM_BENCH_COMMON_H

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double bench_mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread, s.  Printed beside wall time: on a
 * shared machine the two part when the benchmark waits for a core. */
static inline double bench_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs fn(ctx, out) in a forked child and brings its `size`-byte result
 * back through a pipe, so that every measurement starts from a fresh heap
 * and its peak RSS is its own.  Returns 0 when the child failed. */
static inline int bench_in_child(void (*fn)(void *ctx, void *out), void *ctx, void *out,
                                 size_t size) {
  int fds[2], status;
  pid_t pid;
  fflush(stdout);
  if (pipe(fds) != 0 || (pid = fork()) < 0) {
    perror("bench: fork");
    exit(1);
  }
  if (pid == 0) {
    void *r = malloc(size);
    close(fds[0]);
    fn(ctx, r);
    _exit(r != NULL && write(fds[1], r, size) == (ssize_t)size ? 0 : 1);
  }
  close(fds[1]);
  ssize_t got = read(fds[0], out, size);
  close(fds[0]);
  return waitpid(pid, &status, 0) >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
         got == (ssize_t)size;
}

/* Peak resident set of this process so far, KiB (Linux: ru_maxrss). */
/* Removes `path` and everything under it: what a benchmark's runs wrote
 * (a run's folder, a sweep's cells). */
static inline void bench_rm_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  DIR *d = S_ISDIR(st.st_mode) ? opendir(path) : NULL;
  if (d == NULL) {
    unlink(path);
    return;
  }
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    size_t n = strlen(path) + strlen(e->d_name) + 2;
    char *p = (char *)malloc(n);
    snprintf(p, n, "%s/%s", path, e->d_name);
    bench_rm_tree(p);
    free(p);
  }
  closedir(d);
  rmdir(path);
}

static inline long bench_peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* Resident set now, KiB. */
static inline long bench_current_rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The increments of the hold model, the same in C and C++.
 *
 * splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; the seeding generator of xoshiro): 64 bits of
 * state, passes BigCrush, about 1 ns a draw.  A benchmark of an event
 * queue should spend its time in the queue: GLib's GRand (Mersenne
 * Twister, behind a PLT call) costs 5.5 ns a draw here, more than a
 * quarter of the 20 ns an event may take at 50 M events/s.  bench_hold
 * can still use GRand (--grand), and prints what one draw costs.
 *
 * Uniform on the integers in [0, range), range < 2^32, by Lemire's
 * multiply-and-reject ("Fast Random Integer Generation in an Interval",
 * 2019) on the top 32 bits: unbiased, no division per draw. */
typedef struct bench_rng {
  uint64_t s;
} bench_rng;

typedef struct bench_uniform {
  uint64_t range;  /* < 2^32 */
  uint32_t reject; /* 2^32 mod range */
} bench_uniform;

static inline uint64_t bench_rng_next(bench_rng *r) {
  uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline bench_uniform bench_uniform_new(uint64_t range) {
  bench_uniform u;
  u.range = range;
  u.reject = range != 0 && range <= UINT32_MAX ? (uint32_t)((UINT64_C(1) << 32) % range) : 0;
  return u;
}

static inline int64_t bench_draw(bench_rng *r, const bench_uniform *u) {
  uint64_t m;
  do
    m = (bench_rng_next(r) >> 32) * u->range;
  while ((uint32_t)m < u->reject);
  return (int64_t)(m >> 32);
}

/* The keep-alive event pattern (bench_kapattern.c, bench_ns3_hold.cc):
 * Windows Vista's defaults over a 20 ms link, as bench_idle's world. */
#define BENCH_KA_IDLE INT64_C(7200000000000) /* 2 h */
#define BENCH_KA_INTVL INT64_C(1000000000)   /* 1 s */
#define BENCH_KA_DELAY INT64_C(20000000)     /* 20 ms one way */

/* A connection's first keep-alive timer: uniform over [0, 2 h), as 2000
 * steps of 3.6 s plus a uniform offset in the step (one Lemire draw
 * covers less than 2^32 ns).  Same seed, same times, in C and C++. */
static inline int64_t bench_ka_first(bench_rng *r) {
  static const bench_uniform step = {UINT64_C(3600000000),
                                     (uint32_t)((UINT64_C(1) << 32) % UINT64_C(3600000000))};
  int64_t k = (int64_t)(bench_rng_next(r) % 2000);
  return k * INT64_C(3600000000) + bench_draw(r, &step);
}

/* "1e6", "1000000" -> 1000000; 0 when it is not a number. */
static inline uint64_t bench_parse_count(const char *s) {
  char *end = NULL;
  double d = strtod(s, &end);
  if (end == s || *end != '\0' || d < 0 || d > 1e18)
    return 0;
  return (uint64_t)(d + 0.5);
}

/* What every benchmark's command line has: --big (where the benchmark
 * has it), --reps R and the list of N.  Each parses its own options
 * around bench_take_arg(). */
#define BENCH_MAX_NS 32

typedef struct bench_args {
  int big; /* --big: 1e7 joins the default N */
  int reps;
  uint64_t ns[BENCH_MAX_NS];
  unsigned n_ns;
} bench_args;

static inline bench_args bench_args_new(void) {
  bench_args a;
  memset(&a, 0, sizeof a);
  a.reps = 3;
  return a;
}

/* Takes argv[*i] (and the value after it, moving *i on) if it is --big
 * (when big_ok), --reps R, or an N of at least min_n ("1e6" works), and
 * returns 1; returns 0 for anything else, including an N beyond
 * BENCH_MAX_NS, which the caller reports as a usage error. */
static inline int bench_take_arg(bench_args *a, int argc, char **argv, int *i, int big_ok,
                                 uint64_t min_n) {
  const char *arg = argv[*i];
  if (big_ok && strcmp(arg, "--big") == 0) {
    a->big = 1;
  } else if (strcmp(arg, "--reps") == 0 && *i + 1 < argc) {
    a->reps = atoi(argv[++*i]);
  } else if (isdigit((unsigned char)arg[0]) && bench_parse_count(arg) >= min_n &&
             a->n_ns < BENCH_MAX_NS) {
    a->ns[a->n_ns++] = bench_parse_count(arg);
  } else {
    return 0;
  }
  return 1;
}

/* No N given: 1e3 to 1e6, and 1e7 with --big. */
static inline void bench_default_ns(bench_args *a) {
  if (a->n_ns != 0)
    return;
  for (uint64_t n = 1000; n <= (a->big ? 10000000u : 1000000u); n *= 10)
    a->ns[a->n_ns++] = n;
}

/* The header of every benchmark: how it was run and on what.  The load
 * average matters: the machine may be shared. */
static inline void bench_print_header(int argc, char **argv) {
  struct utsname u;
  char line[512];
  FILE *f;

  printf("command:");
  for (int i = 0; i < argc; i++)
    printf(" %s", argv[i]);
  printf("\n");
  if (uname(&u) == 0)
    printf("uname: %s %s %s\n", u.sysname, u.release, u.machine);
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
  printf("online cpus: %ld (the benchmark runs on one)\n", sysconf(_SC_NPROCESSORS_ONLN));
  f = fopen("/proc/loadavg", "r");
  if (f != NULL) {
    if (fgets(line, sizeof line, f) != NULL)
      printf("load average (1, 5, 15 min, runnable/all, last pid): %s", line);
    fclose(f);
  }
  printf("compiler: %s %s, %s, %s\n",
#ifdef __cplusplus
         "g++",
#else
         "gcc",
#endif
         __VERSION__,
#ifdef __OPTIMIZE__
         "optimised",
#else
         "NOT optimised (use --buildtype=release)",
#endif
#ifdef BENCH_LTO
         "link-time optimised"
#else
         "without link-time optimisation (-Db_lto=true)"
#endif
  );
  fflush(stdout);
}

#endif
