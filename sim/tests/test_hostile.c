/* test_hostile.c - `kasim` on hostile input and a failing machine (issue
 * 23): exit status 2 and one located, escaped line for every user error,
 * within a second; no output folder before the run is sure to start; 3
 * and a clear message when the machine fails (memory, a full disk); and
 * never a half-written file under a final name, after SIGKILL too; a
 * folder that cannot be replaced whole (a mount point) refused; where two
 * names cannot be exchanged (a seccomp filter answers as NFS does), two
 * renames.
 *
 * The full disk is a 256 KiB tmpfs and the read-only folder a read-only
 * tmpfs: both need root and mount(8); where mounting is refused the test
 * says so and skips.  Times allow 2 s (the suite also runs under ASan). */
#include <errno.h>
#include <glib/gstdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks_test_spawn.h"

static char *tmp;

#define BASE                              \
  "duration: 1h\n"                        \
  "hosts:\n"                              \
  "  c: {profile: linux}\n"               \
  "  s: {profile: linux}\n"               \
  "links:\n"                              \
  "  l: {between: [c, s], delay: 10ms}\n" \
  "groups:\n"                             \
  "  - {name: g, client: c, server: s}\n"

static char *write_tmp(const char *name, const char *text) {
  char *path = g_build_filename(tmp, name, NULL);
  GError *error = NULL;
  g_file_set_contents(path, text, -1, &error);
  g_assert_no_error(error);
  return path;
}

static gint by_name(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether `s` is one line, ended by its newline. */
static gboolean one_line(const char *s) {
  const char *nl = strchr(s, '\n');
  return nl != NULL && nl[1] == '\0';
}

typedef struct result {
  int status;
  char *out, *err;
  double seconds;
} result;

static void result_clear(result *r) {
  g_free(r->out);
  g_free(r->err);
}

/* Called in the child before kasim starts (NULL: nothing). */
static GSpawnChildSetupFunc spawn_setup;

/* Runs kasim with NULL-terminated arguments, in folder `cwd` (NULL: tmp),
 * with KASIM_LIMITS set to `limits` (NULL: unset). */
static result kasim_in(const char *cwd, const char *limits, const char *first, ...) {
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("KASIM"));
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  char **envp = g_get_environ();
  envp = limits ? g_environ_setenv(envp, "KASIM_LIMITS", limits, TRUE)
                : g_environ_unsetenv(envp, "KASIM_LIMITS");
  result r = {0};
  gint64 t0 = g_get_monotonic_time();
  GError *error = NULL;
  int wait = 0;
  g_assert_true(g_spawn_sync(cwd ? cwd : tmp, (char **)argv->pdata, envp, G_SPAWN_DEFAULT,
                             spawn_setup, NULL, &r.out, &r.err, &wait, &error));
  g_assert_no_error(error);
  r.status = WIFEXITED(wait) ? WEXITSTATUS(wait) : 128 + WTERMSIG(wait);
  r.seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
  g_strfreev(envp);
  g_ptr_array_free(argv, TRUE);
  return r;
}

#define kasim(...) kasim_in(NULL, NULL, __VA_ARGS__, NULL)

/* Exit 2, quickly, one line on stderr starting with `prefix`, holding
 * `part`, nothing on stdout, no control character. */
static void assert_refused(result r, const char *prefix, const char *part) {
  if (r.status != 2 || !g_str_has_prefix(r.err, prefix) || strstr(r.err, part) == NULL)
    g_error("status %d, stderr '%s': expected 2 and '%s...%s'", r.status, r.err, prefix, part);
  g_assert_cmpstr(r.out, ==, "");
  g_assert_true(one_line(r.err));
  for (const char *p = r.err; *p; p++)
    g_assert_true(*p == '\n' || (guchar)*p >= 0x20);
  if (r.seconds > 2)
    g_error("took %.2f s: %s", r.seconds, r.err);
  result_clear(&r);
}

static gboolean exists(const char *dir, const char *name) {
  g_autofree char *p = name ? g_build_filename(dir, name, NULL) : g_strdup(dir);
  return g_file_test(p, G_FILE_TEST_EXISTS);
}

/* The staging folder a run into `out` writes its files in (ks_outdir.h). */
static char *staging_of(const char *out) {
  g_autofree char *parent = g_path_get_dirname(out), *base = g_path_get_basename(out);
  g_autofree char *name = g_strdup_printf(".%s.kasim-tmp", base);
  return g_build_filename(parent, name, NULL);
}

/* The names in `dir`, sorted and joined with spaces. */
static char *listing(const char *dir) {
  GDir *d = g_dir_open(dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *n;
  while (d && (n = g_dir_read_name(d)) != NULL)
    g_ptr_array_add(names, g_strdup(n));
  if (d)
    g_dir_close(d);
  g_ptr_array_sort(names, by_name);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf(s, "%s%s", i ? " " : "", (char *)names->pdata[i]);
  g_ptr_array_unref(names);
  return g_string_free(s, FALSE);
}

/* ---- input ---------------------------------------------------------------- */

static void test_dev_zero(void) {
  /* Read until memory ran out; now refused after the limit's bytes. */
  assert_refused(kasim("run", "/dev/zero"),
                 "kasim run: /dev/zero:1:1: larger than 4194304 bytes "
                 "(the limit scenario_bytes;",
                 "kasim run --limit scenario_bytes=N");
  assert_refused(kasim("explain", "--profile", "windows-xp", "--registry", "/dev/zero"),
                 "kasim explain: /dev/zero:1:1: larger than 16777216 bytes (the limit reg_bytes;",
                 "KASIM_LIMITS=reg_bytes=N");
  assert_refused(kasim("capacity", "-n", "10", "--profile", "windows-xp", "--registry",
                       "/dev/zero"),
                 "kasim capacity: /dev/zero:1:1: larger than", "reg_bytes");
  /* Raised, /dev/zero is still read only that far. */
  assert_refused(kasim_in(NULL, "reg_bytes=1000", "explain", "--profile", "windows-xp",
                          "--registry", "/dev/zero", NULL),
                 "kasim explain: /dev/zero:1:1: larger than 1000 bytes", "reg_bytes");
  assert_refused(kasim("explain", "--profile", "windows-xp", "--registry", "/nonexistent.reg"),
                 "kasim explain: --registry /nonexistent.reg: cannot read it: ", "No such file");
}

static void test_reproducers(void) {
  /* The other inputs, through the command: each exit 2, at once. */
  GString *nest = g_string_new(NULL);
  for (int i = 0; i < 400000; i++)
    g_string_append_c(nest, '[');
  g_autofree char *deep = write_tmp("deep.yaml", nest->str);
  g_string_free(nest, TRUE);
  assert_refused(kasim("run", deep), "kasim run: ",
                 "deep.yaml:1:33: lists and mappings nested "
                 "more than 32 deep (the limit depth;");
  GString *al = g_string_new(BASE "timeline:\n  - &f {at: 0s, flap: {link: l, period: 10ms, "
                                  "duty: 0.5, duration: 1000s}}\n");
  for (int i = 0; i < 2999; i++)
    g_string_append(al, "  - *f\n");
  g_autofree char *aliases = write_tmp("aliases.yaml", al->str);
  g_string_free(al, TRUE);
  assert_refused(kasim("run", aliases), "kasim run: ",
                 "aliases.yaml:10:23: the timeline would "
                 "hold 1200000 events");
  g_autofree char *period = write_tmp(
    "period.yaml", BASE "  - {name: p, client: c, server: s, traffic: {kind: periodic, period: "
                        "1ns}}\n");
  assert_refused(kasim("run", period), "kasim run: ",
                 "period.yaml:9:71: group 'p': a request "
                 "every 1ns on 1 connection");
  g_autofree char *dur = write_tmp(
    "dur.yaml", "duration: 106751d\nhosts: {c: {profile: linux}, s: {profile: linux}}\n"
                "links: {l: {between: [c, s], delay: 1ms}}\n"
                "groups: [{name: g, client: c, server: s}]\n"
                "timeline: [{at: 100000d, flap: {link: l, period: 6751d, duty: 0.999, duration: "
                "6751d}}]\n");
  assert_refused(kasim("run", dur), "kasim run: ",
                 "dur.yaml:1:11: duration: '106751d' is longer "
                 "than 3650d (the limit duration;");
  /* A quoted key with a newline and a terminal's escape codes. */
  g_autofree char *esc = write_tmp("esc.yaml", BASE "\"a\\nb\\e[31mred\\e[2J\": 1\n");
  assert_refused(kasim("run", esc), "kasim run: ",
                 "esc.yaml:9:1: unknown key 'a\\nb\\x1b[31mred"
                 "\\x1b[2J' in a scenario");
  g_autofree char *base = write_tmp("base.yaml", BASE);
  assert_refused(kasim("run", base, "--set", "hosts.c\x1b]0;x\x07.profile=y"),
                 "kasim run: --set hosts.c\\x1b]0;x\\x07.profile=y: ", "has no");
  /* --limit raises a limit and checks its own syntax. */
  assert_refused(kasim("run", period, "--limit", "rate=1e12"),
                 "kasim run: --limit rate=1e12: not a whole number", "");
  assert_refused(kasim("run", period, "--limit", "rate=1000000000000", "--limit", "exchanges=1000"),
                 "kasim run: ", "the limit exchanges;");
  assert_refused(kasim_in(NULL, "nodes=3", "run", base, NULL),
                 "kasim run: ", "base.yaml:2:1: more than 3 keys, values and list entries");
  assert_refused(kasim_in(NULL, "bogus", "run", base, NULL),
                 "kasim run: KASIM_LIMITS bogus: expected NAME=VALUE", "");
}

static void test_pace(void) {
  g_autofree char *base = write_tmp("base.yaml", BASE);
  g_autofree char *out = g_build_filename(tmp, "pace-out", NULL);
  static const char *const bad[] = {"nan", "inf", "-inf", "1e999", "-1", "0", "2x"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *opt = g_strdup_printf("--pace=%s", bad[i]);
    /* 0 is refused as -1 is (issue 21): leaving --pace out runs flat out. */
    assert_refused(kasim("run", base, opt, "--out", out),
                   "kasim run: ", "must be a number above 0");
    g_assert_false(exists(out, NULL));
  }
}

/* ---- the output folder ------------------------------------------------------ */

static void test_out(void) {
  g_autofree char *base = write_tmp("base.yaml", BASE);
  g_autofree char *file = write_tmp("a-file", "x");
  assert_refused(kasim("run", base, "--out", file), "kasim run: --out ", "a-file: not a folder");
  g_autofree char *under = g_build_filename(file, "sub", NULL);
  assert_refused(kasim("run", base, "--out", under), "kasim run: --out ", "a-file is not a folder");
  assert_refused(kasim("run", base, "--out", "/proc/kasim-test"),
                 "kasim run: --out /proc/kasim-test: cannot create anything there", "");
  assert_refused(kasim("run", base, "--out", "/proc"),
                 "kasim run: --out /proc: cannot create anything in it", "");
  g_autofree char *ctl = g_strdup_printf("%s/x\x1b[31m/\n", file);
  assert_refused(kasim("run", base, "--out", ctl), "kasim run: --out ", "\\x1b[31m/\\n: ");
  /* The other commands' output folders: 2, naming the option. */
  assert_refused(kasim("capacity", "-n", "10", "--profile", "linux", "--plot", file),
                 "kasim capacity: --plot: ", "a-file: Not a directory");
  assert_refused(kasim("capacity", "-n", "10", "--profile", "linux", "--plot", "/proc/kasim-x"),
                 "kasim capacity: --plot: /proc/kasim-x: ", "");
  g_autofree char *run = g_build_filename(tmp, "for-plot", NULL);
  result r = kasim("run", base, "--out", run);
  g_assert_cmpint(r.status, ==, 0);
  result_clear(&r);
  assert_refused(kasim("plot", run, "--out", file),
                 "kasim plot: --out: ", "a-file: Not a directory");
  /* count: 4294967295 exited with 1 and left an empty out/NAME behind. */
  g_autofree char *big = write_tmp("big.yaml",
                                   "name: big\n" BASE
                                   "  - {name: h, client: c, server: s, count: 4294967295}\n");
  assert_refused(kasim("run", big), "kasim run: ", "big.yaml:10:44: count: 4294967295 connections");
  g_assert_false(exists(tmp, "out"));
}

/* Runs a command (NULL-terminated arguments) that must succeed. */
static void must(const char *first, ...) {
  GPtrArray *argv = g_ptr_array_new();
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  g_autofree char *o = NULL, *e = NULL;
  if (ks_test_spawn((const char *const *)argv->pdata, &o, &e) != 0)
    g_error("%s failed: %s", first, e);
  g_ptr_array_free(argv, TRUE);
}

/* Mounts a tmpfs with `options` on a new folder; NULL where not allowed. */
static char *mount_tmpfs(const char *options) {
  char *dir = g_build_filename(tmp, "mnt-XXXXXX", NULL);
  g_assert_nonnull(g_mkdtemp(dir));
  const char *argv[] = {"mount", "-t", "tmpfs", "-o", options, "tmpfs", dir, NULL};
  g_autofree char *o = NULL, *e = NULL;
  if (getuid() != 0 || ks_test_spawn(argv, &o, &e) != 0) {
    g_rmdir(dir);
    g_free(dir);
    return NULL;
  }
  return dir;
}

static void umount_dir(char *dir) {
  must("umount", dir, NULL);
  g_rmdir(dir);
  g_free(dir);
}

static void test_read_only(void) {
  char *ro = mount_tmpfs("ro,size=64k");
  if (ro == NULL) {
    g_test_skip("mounting a tmpfs is not permitted here");
    return;
  }
  g_autofree char *base = write_tmp("base.yaml", BASE);
  g_autofree char *out = g_build_filename(ro, "run", NULL);
  assert_refused(kasim("run", base, "--out", ro), "kasim run: --out ",
                 "cannot create anything in it: Read-only file system");
  assert_refused(kasim("run", base, "--out", out), "kasim run: --out ",
                 "cannot create anything there: Read-only file system");
  umount_dir(ro);
}

static void test_mount_point(void) {
  /* A mount point cannot be renamed, so it cannot be replaced whole: a
   * run into it is refused, naming why and what to do; into a folder in
   * it, or with --in-place, it runs. */
  char *mnt = mount_tmpfs("size=1m");
  if (mnt == NULL) {
    g_test_skip("mounting a tmpfs is not permitted here");
    return;
  }
  g_autofree char *base = write_tmp("base.yaml", BASE);
  assert_refused(kasim("run", base, "--out", mnt), "kasim run: --out ",
                 "cannot replace this one: it is a mount point; write the run into a folder of "
                 "its own, or pass --in-place");
  g_autofree char *empty = listing(mnt);
  g_assert_cmpstr(empty, ==, "");
  g_autofree char *inside = g_build_filename(mnt, "run", NULL);
  result r = kasim("run", base, "--out", inside);
  g_assert_cmpint(r.status, ==, 0);
  result_clear(&r);
  r = kasim("run", base, "--out", mnt, "--in-place");
  g_assert_cmpint(r.status, ==, 0);
  result_clear(&r);
  g_autofree char *both = listing(mnt);
  g_assert_cmpstr(both, ==, "connections.csv run summary.json trace.jsonl");
  umount_dir(mnt);
  /* A bind mount of a folder onto itself has its parent's st_dev: the
   * mount's id tells it, in DIR and inside DIR. */
  g_autofree char *bound = g_build_filename(tmp, "bound", NULL);
  g_autofree char *holder = g_build_filename(tmp, "holder", NULL);
  g_autofree char *inner = g_build_filename(holder, "inner", NULL);
  g_assert_cmpint(g_mkdir(bound, 0755), ==, 0);
  g_assert_cmpint(g_mkdir_with_parents(inner, 0755), ==, 0);
  must("mount", "--bind", bound, bound, NULL);
  must("mount", "--bind", inner, inner, NULL);
  assert_refused(kasim("run", base, "--out", bound), "kasim run: --out ",
                 "cannot replace this one: it is a mount point;");
  assert_refused(kasim("run", base, "--out", holder), "kasim run: --out ",
                 "cannot replace this one: it holds a mount point, inner;");
  must("umount", bound, NULL);
  must("umount", inner, NULL);
}

#if defined(__x86_64__)
/* In the child: renameat2 with RENAME_EXCHANGE fails with EINVAL, as on a
 * file system that cannot exchange two names (NFS); a seccomp filter, so
 * that the kernel itself answers. */
static void no_exchange(gpointer ud) {
  (void)ud;
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_renameat2, 0, 3),
    /* the flags' low 32 bits: x86-64 is little-endian */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[4])),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1u << 1 /* RENAME_EXCHANGE */, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = G_N_ELEMENTS(f), .filter = f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
    _exit(99);
}
#endif

static void test_no_exchange(void) {
#if defined(__x86_64__)
  /* Where two names cannot be exchanged the earlier folder is renamed
   * aside and the new one into its place; the user's files stay, and
   * nothing is left beside the folder. */
  g_autofree char *base = write_tmp("base.yaml", BASE);
  g_autofree char *out = g_build_filename(tmp, "no-exchange", NULL);
  g_autofree char *mine = g_build_filename(out, "pictures", "mine.png", NULL);
  for (int i = 0; i < 2; i++) {
    spawn_setup = no_exchange;
    result r = kasim("run", base, "--out", out, "--seed", i ? "2" : "1");
    spawn_setup = NULL;
    if (r.status != 0)
      g_error("run %d: status %d, stderr '%s'", i, r.status, r.err);
    result_clear(&r);
    if (i == 0) {
      g_autofree char *pictures = g_path_get_dirname(mine);
      g_assert_cmpint(g_mkdir(pictures, 0755), ==, 0);
      g_assert_true(g_file_set_contents(mine, "mine\n", -1, NULL));
    }
  }
  g_autofree char *left = listing(out);
  g_assert_cmpstr(left, ==, "connections.csv pictures summary.json trace.jsonl");
  g_autofree char *kept = NULL;
  g_assert_true(g_file_get_contents(mine, &kept, NULL, NULL));
  g_assert_cmpstr(kept, ==, "mine\n");
  g_autofree char *summary = g_build_filename(out, "summary.json", NULL), *text = NULL;
  g_assert_true(g_file_get_contents(summary, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "\"seed\" : 2,"));
  g_autofree char *aside = g_build_filename(tmp, ".no-exchange.kasim-old", NULL);
  g_autofree char *staging = staging_of(out);
  g_assert_false(exists(aside, NULL));
  g_assert_false(exists(staging, NULL));
#else
  g_test_skip("the seccomp filter is written for x86-64");
#endif
}

/* ---- the machine ------------------------------------------------------------ */

/* A run that writes a trace of about 3 MB over 60 s of virtual time. */
#define BUSY                                                                               \
  "name: busy\n"                                                                           \
  "duration: 60s\n"                                                                        \
  "hosts: {c: {profile: linux}, s: {profile: linux}}\n"                                    \
  "links: {l: {between: [c, s], delay: 1ms}}\n"                                            \
  "groups: [{name: g, count: 10, client: c, server: s, traffic: {kind: periodic, period: " \
  "100ms}}]\n"

static void test_disk_full(void) {
  char *small = mount_tmpfs("size=256k");
  if (small == NULL) {
    g_test_skip("mounting a tmpfs is not permitted here");
    return;
  }
  g_autofree char *busy = write_tmp("busy.yaml", BUSY);
  g_autofree char *out = g_build_filename(small, "busy", NULL);
  /* An earlier run's complete files stand in the folder. */
  g_assert_cmpint(g_mkdir(out, 0755), ==, 0);
  g_autofree char *old = g_build_filename(out, "summary.json", NULL);
  g_assert_true(g_file_set_contents(old, "{}\n", -1, NULL));
  result r = kasim("run", busy, "--out", out, "--pcap");
  if (r.status != 3 || strstr(r.err, "No space left on device") == NULL ||
      !g_str_has_prefix(r.err, "kasim run: "))
    g_error("status %d, stderr '%s': expected 3 and a full disk", r.status, r.err);
  g_assert_true(one_line(r.err));
  /* Nothing half-written under a final name, no temporary left, and the
   * earlier run's summary as it was. */
  g_autofree char *left = listing(out);
  g_assert_cmpstr(left, ==, "summary.json");
  g_autofree char *kept = NULL;
  g_assert_true(g_file_get_contents(old, &kept, NULL, NULL));
  g_assert_cmpstr(kept, ==, "{}\n");
  result_clear(&r);
  umount_dir(small);
}

static void test_out_of_memory(void) {
  /* Within a raised limit, more connections than the machine holds: a
   * clear message, 3, and no folder. */
  g_autofree char *big = write_tmp("huge.yaml",
                                   "name: huge\n" BASE
                                   "  - {name: h, client: c, server: s, count: 4294967294}\n");
  result r = kasim_in(NULL, "connections=4294967295", "run", big, NULL);
  if (r.status != 3 || strstr(r.err, "kasim run: out of memory for 4294967295 connections") == NULL)
    g_error("status %d, stderr '%s': expected 3 and out of memory", r.status, r.err);
  g_assert_false(exists(tmp, "out"));
  result_clear(&r);
}

/* Starts `kasim run BUSY --pace 10` into `out` and waits until its trace
 * (a live run writes it under its own name in the staging folder, flushed
 * as it grows: issue 21) and its capture's temporary exist; returns its
 * pid. */
static GPid start_paced(const char *busy, const char *out) {
  const char *argv[] = {g_getenv("KASIM"), "run",    busy, "--out", out,
                        "--pcap",          "--pace", "10", NULL};
  GPid pid;
  GError *error = NULL;
  g_assert_true(g_spawn_async(tmp, (char **)argv, NULL,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &pid, &error));
  g_assert_no_error(error);
  g_autofree char *staging = staging_of(out);
  for (int i = 0; i < 400; i++) {
    g_autofree char *names = exists(staging, NULL) ? listing(staging) : g_strdup("");
    if (strstr(names, "trace.jsonl") && strstr(names, ".capture.pcap."))
      return pid;
    g_usleep(10000);
  }
  g_error("the paced run did not start writing");
  return pid;
}

static int reap(GPid pid) {
  int wait = 0;
  g_assert_cmpint(waitpid(pid, &wait, 0), ==, pid);
  g_spawn_close_pid(pid);
  return WIFEXITED(wait) ? WEXITSTATUS(wait) : 128 + WTERMSIG(wait);
}

static void test_killed(void) {
  g_autofree char *busy = write_tmp("busy.yaml", BUSY);
  /* SIGKILL in the middle: the staging folder stays (nothing can remove
   * it), with the live trace of the run so far, and the out folder was
   * never made.  The next run into it removes the staging folder. */
  g_autofree char *out = g_build_filename(tmp, "killed", NULL);
  g_autofree char *staging = staging_of(out);
  GPid pid = start_paced(busy, out);
  g_usleep(300000);
  kill(pid, SIGKILL);
  g_assert_cmpint(reap(pid), ==, 128 + SIGKILL);
  g_assert_false(exists(out, NULL));
  g_assert_true(exists(staging, "trace.jsonl"));
  g_assert_false(exists(staging, "summary.json"));
  g_autofree char *base = write_tmp("base.yaml", BASE);
  result again = kasim("run", base, "--out", out);
  g_assert_cmpint(again.status, ==, 0);
  result_clear(&again);
  g_assert_false(exists(staging, NULL));
  g_autofree char *now = listing(out);
  g_assert_cmpstr(now, ==, "connections.csv summary.json trace.jsonl");
  /* SIGTERM: a live run ends at the current event and completes its files
   * with what happened so far (130), no temporary left. */
  g_autofree char *out2 = g_build_filename(tmp, "terminated", NULL);
  pid = start_paced(busy, out2);
  g_usleep(300000);
  kill(pid, SIGTERM);
  g_assert_cmpint(reap(pid), ==, 130);
  g_autofree char *left = listing(out2);
  g_assert_cmpstr(left, ==,
                  "capture-server.pcap capture.pcap connections.csv summary.json trace.jsonl");
}

/* Heavy enough to run for seconds without --pace: 2,000 connections
 * exchanging every 10 ms for a minute. */
#define HEAVY                                                                                \
  "name: heavy\n"                                                                            \
  "duration: 60s\n"                                                                          \
  "hosts: {c: {profile: linux}, s: {profile: linux}}\n"                                      \
  "links: {l: {between: [c, s], delay: 1ms}}\n"                                              \
  "groups: [{name: g, count: 2000, client: c, server: s, traffic: {kind: periodic, period: " \
  "10ms}}]\n"

static void test_killed_unpaced(void) {
  /* SIGKILL in the middle of a run at full speed: its files are written
   * in a staging folder beside the out folder (ks_outdir.h), so the out
   * folder does not exist yet, and nothing has a final name. */
  g_autofree char *heavy = write_tmp("heavy.yaml", HEAVY);
  g_autofree char *out = g_build_filename(tmp, "killed-unpaced", NULL);
  g_autofree char *staging = g_build_filename(tmp, ".killed-unpaced.kasim-tmp", NULL);
  const char *argv[] = {g_getenv("KASIM"), "run", heavy, "--out", out, "--pcap", NULL};
  GPid pid;
  GError *error = NULL;
  g_assert_true(g_spawn_async(tmp, (char **)argv, NULL,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &pid, &error));
  g_assert_no_error(error);
  gboolean writing = FALSE;
  for (int i = 0; i < 1000 && !writing; i++) {
    g_autofree char *names = exists(staging, NULL) ? listing(staging) : g_strdup("");
    writing = strstr(names, ".trace.jsonl.") != NULL;
    if (!writing)
      g_usleep(10000);
  }
  g_assert_true(writing);
  g_usleep(200000);
  kill(pid, SIGKILL);
  g_assert_cmpint(reap(pid), ==, 128 + SIGKILL);
  g_assert_false(exists(out, NULL));
  g_autofree char *left = listing(staging);
  g_auto(GStrv) names = g_strsplit(left, " ", -1);
  for (guint i = 0; names[i]; i++)
    if (names[i][0] != '.')
      g_error("after SIGKILL, '%s' is under a final name (staging: '%s')", names[i], left);
  g_assert_nonnull(strstr(left, ".trace.jsonl."));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("KASIM"));
  tmp = g_dir_make_tmp("kasim-hostile-XXXXXX", NULL);
  g_test_add_func("/hostile/dev-zero", test_dev_zero);
  g_test_add_func("/hostile/reproducers", test_reproducers);
  g_test_add_func("/hostile/pace", test_pace);
  g_test_add_func("/hostile/out", test_out);
  g_test_add_func("/hostile/read-only", test_read_only);
  g_test_add_func("/hostile/mount-point", test_mount_point);
  g_test_add_func("/hostile/no-exchange", test_no_exchange);
  g_test_add_func("/hostile/disk-full", test_disk_full);
  g_test_add_func("/hostile/out-of-memory", test_out_of_memory);
  g_test_add_func("/hostile/killed", test_killed);
  g_test_add_func("/hostile/killed-unpaced", test_killed_unpaced);
  int status = g_test_run();
  ks_test_rm_rf(tmp);
  g_free(tmp);
  return status;
}
