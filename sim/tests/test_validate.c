/* test_validate.c - `kasim validate --kernel` on the eight shapes of
 * scenarios/validate/ against the Linux kernel of this machine: each must
 * agree with the model, and give the numbers its comment promises (from
 * ../shared/reference/keepalive-facts.md §3, §4).  A prediction made wrong
 * on purpose (--model-set, the model alone) must be caught.  Namespaces
 * must be gone after every run, also after SIGINT.
 *
 * The runs take wall time (4 to 68 s each), so they are all started at
 * once by the first test that needs one, and each test waits for its own.
 * Tests that need the kernel are skipped, with kasim's reason, only when it
 * exits with 77: network namespaces are not permitted here. */
#include <dirent.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct job {
  const char *name;     /* scenarios/validate/NAME.yaml */
  const char *extra[4]; /* more arguments */
  GPid pid;
  int out_fd, err_fd;
  gboolean done;
  int status; /* exit code; 128 + signal */
  char *out, *err;
} job;

static job jobs[] = {
  {"silent-cut", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"cut-after-answer", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"healed-cut", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"user-timeout", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"peer-reboot", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"count-one", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"long-idle-30s", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  {"long-idle-60s", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
  /* The model alone believes in 4 probes; the kernel sends 3. */
  {"silent-cut", {"--model-set", "TCP_KEEPCNT=4", NULL}, 0, -1, -1, FALSE, 0, NULL, NULL},
};
enum { JOB_DISAGREE = 8 };

static char *scenario(const char *name) {
  g_autofree char *file = g_strdup_printf("%s.yaml", name);
  return g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios", "validate", file, NULL);
}

static void start(job *j, const char *const *pre) {
  g_autofree char *path = scenario(j->name);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("KASIM"));
  g_ptr_array_add(argv, "validate");
  g_ptr_array_add(argv, "--kernel");
  for (; pre && *pre; pre++)
    g_ptr_array_add(argv, (gpointer)*pre);
  for (const char *const *e = j->extra; *e; e++)
    g_ptr_array_add(argv, (gpointer)*e);
  g_ptr_array_add(argv, path);
  g_ptr_array_add(argv, NULL);
  GError *error = NULL;
  g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &j->pid, NULL,
                                         &j->out_fd, &j->err_fd, &error));
  g_assert_no_error(error);
  g_ptr_array_free(argv, TRUE);
}

static char *read_all(int fd) {
  GString *s = g_string_new(NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    g_string_append_len(s, buf, n);
  close(fd);
  return g_string_free(s, FALSE);
}

static void finish(job *j) {
  if (j->done)
    return;
  /* Output is a few kB at most, so the pipes never fill: read after. */
  j->out = read_all(j->out_fd);
  j->err = read_all(j->err_fd);
  int st = 0;
  g_assert_cmpint(waitpid(j->pid, &st, 0), ==, j->pid);
  g_spawn_close_pid(j->pid);
  j->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  j->done = TRUE;
}

static void start_all(void) {
  static gboolean started;
  if (started)
    return;
  started = TRUE;
  for (size_t i = 0; i < G_N_ELEMENTS(jobs); i++)
    start(&jobs[i], NULL);
}

/* TRUE when the job ran; FALSE (and the test is skipped) when kasim said
 * namespaces are not permitted. */
static gboolean wait_job(job *j) {
  start_all();
  finish(j);
  if (j->status == 77) {
    const char *line = strstr(j->out, "skipped: ");
    g_assert_nonnull(line);
    g_autofree char *reason = g_strndup(line, strcspn(line, "\n"));
    g_test_skip(reason);
    return FALSE;
  }
  if (j->status > 1)
    g_printerr("%s%s", j->out, j->err);
  return TRUE;
}

static char *line_of(const char *out, const char *label) {
  g_autofree char *key = g_strdup_printf("\n  %s ", label);
  const char *p = strstr(out, key);
  g_assert_nonnull(p);
  return g_strndup(p + 1, strcspn(p + 1, "\n"));
}

/* The model's and the kernel's value on the line that starts with label. */
static void values(const char *out, const char *label, char **model, char **kernel) {
  g_autofree char *line = line_of(out, label);
  g_auto(GStrv) words = g_strsplit_set(line, " ", -1);
  *model = *kernel = NULL;
  for (guint i = 0; words[i]; i++) {
    const char *next = NULL;
    for (guint k = i + 1; words[k] && next == NULL; k++)
      if (*words[k])
        next = words[k];
    if (g_strcmp0(words[i], "model") == 0 && *model == NULL)
      *model = g_strdup(next);
    else if (g_strcmp0(words[i], "kernel") == 0 && *kernel == NULL)
      *kernel = g_strdup(next);
  }
  g_assert_nonnull(*model);
  g_assert_nonnull(*kernel);
}

/* Both sides show `want` (a count or a name). */
static void check_same(const char *out, const char *label, const char *want) {
  g_autofree char *m = NULL, *k = NULL;
  values(out, label, &m, &k);
  g_assert_cmpstr(m, ==, want);
  g_assert_cmpstr(k, ==, want);
}

/* The model says the scenario's arithmetic, `want` seconds, or up to `late`
 * seconds more, as late as the timer wheel may fire its timers; the
 * kernel is within the tolerance: the line says "ok" and shows a time. */
static void check_time(const char *out, const char *label, double want, double late) {
  g_autofree char *m = NULL, *k = NULL, *line = line_of(out, label);
  values(out, label, &m, &k);
  double mt = g_ascii_strtod(m, NULL);
  g_assert_cmpfloat(mt, >=, want - 1e-9);
  g_assert_cmpfloat(mt, <=, want + late);
  char *end = NULL;
  double kt = g_ascii_strtod(k, &end);
  g_assert_true(end != k && *end == '\0');
  g_assert_cmpfloat(kt, >, want - 0.05);
  g_assert_true(g_str_has_suffix(line, " ok"));
}

typedef struct shape {
  guint job;
  double probes[6]; /* s after the last receive; 0 ends */
  const char *answered;
  double give_up; /* s after the last receive; < 0: alive */
  const char *rst, *err;
  /* How much later than the arithmetic the timer wheel may fire the last
   * of them at HZ 250 or above (facts §4): one step of the idle timer's
   * level, one of the interval's per interval, and a tick. */
  double late;
} shape;

/* The numbers of each scenario's comment.  Short shapes: 2 s idle and 1 s
 * intervals are level 1, 32 ms a step; 30 s and 60 s idles level 3,
 * 2.048 s; 2 s intervals level 1, 3 s level 2 (256 ms). */
static const shape shapes[] = {
  {0, {2, 3, 4}, "0", 5, "yes", "ETIMEDOUT", 0.032 * 4 + 0.004},
  {1, {2, 2, 3, 4}, "1", 5, "yes", "ETIMEDOUT", 0.032 * 5 + 0.004},
  {2, {2, 3, 4, 2, 2}, "3", -1, "no", "none", 0.032 * 4 + 0.004},
  {3, {2, 3}, "0", 4, "yes", "ETIMEDOUT", 0.032 * 3 + 0.004},
  {4, {2}, "0", 2, "no", "ECONNRESET", 0.032 + 0.004},
  {5, {2}, "0", 3, "yes", "ETIMEDOUT", 0.032 * 2 + 0.004},
  {6, {30, 32}, "0", 34, "yes", "ETIMEDOUT", 2.048 + 0.032 * 2 + 0.004},
  {7, {60}, "0", 63, "yes", "ETIMEDOUT", 2.048 + 0.256 + 0.004},
};

static void test_shape(gconstpointer data) {
  const shape *s = data;
  job *j = &jobs[s->job];
  if (!wait_job(j))
    return;
  if (j->status != 0)
    g_printerr("%s", j->out);
  g_assert_cmpint(j->status, ==, 0);
  g_assert_nonnull(strstr(j->out, "\nverdict: agree\n"));
  g_assert_null(strstr(j->out, "DIFFERENT"));
  guint n = 0;
  while (n < G_N_ELEMENTS(s->probes) && s->probes[n] > 0) {
    g_autofree char *label = g_strdup_printf("probe %u, s after last receive", n + 1);
    check_time(j->out, label, s->probes[n], s->late);
    n++;
  }
  g_autofree char *count = g_strdup_printf("%u", n);
  check_same(j->out, "probes sent", count);
  check_same(j->out, "probes answered", s->answered);
  if (s->give_up < 0)
    check_same(j->out, "give-up, s after last receive", "alive");
  else
    check_time(j->out, "give-up, s after last receive", s->give_up, s->late);
  check_same(j->out, "RST sent", s->rst);
  check_same(j->out, "errno", s->err);
}

/* A wrong prediction is caught: with TCP_KEEPCNT 4 the model expects a 4th
 * probe and the give-up a second later; the kernel, with 3, does not. */
static void test_disagree(void) {
  job *j = &jobs[JOB_DISAGREE];
  if (!wait_job(j))
    return;
  g_assert_cmpint(j->status, ==, 1);
  g_assert_nonnull(strstr(j->out, "\nverdict: DISAGREE ("));
  g_autofree char *m = NULL, *k = NULL;
  values(j->out, "probes sent", &m, &k);
  g_assert_cmpstr(m, ==, "4");
  g_assert_cmpstr(k, ==, "3");
  g_assert_nonnull(strstr(j->out, "probe 4, s after last receive"));
  g_assert_nonnull(strstr(j->out, "DIFFERENT"));
}

static gboolean has_namespaces_of(GPid pid) {
  g_autofree char *prefix = g_strdup_printf("ksv%d-", (int)pid);
  DIR *d = opendir("/run/netns");
  gboolean found = FALSE;
  if (d == NULL)
    return FALSE;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (g_str_has_prefix(e->d_name, prefix))
      found = TRUE;
  closedir(d);
  return found;
}

/* Every run removed its namespaces. */
static void test_cleanup(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(jobs); i++) {
    if (!wait_job(&jobs[i]))
      return;
    g_assert_false(has_namespaces_of(jobs[i].pid));
  }
}

/* SIGINT in the middle of a run: namespaces removed, then death by the
 * signal. */
static void test_sigint(void) {
  if (!wait_job(&jobs[0]))
    return;
  job j = {"healed-cut", {NULL}, 0, -1, -1, FALSE, 0, NULL, NULL};
  start(&j, NULL);
  /* Wait for the set-up to exist (the run lasts 9 s). */
  for (int i = 0; i < 100 && !has_namespaces_of(j.pid); i++)
    g_usleep(50000);
  g_assert_true(has_namespaces_of(j.pid));
  g_usleep(500000);
  kill(j.pid, SIGINT);
  finish(&j);
  g_assert_cmpint(j.status, ==, 128 + SIGINT);
  g_assert_nonnull(strstr(j.err, "interrupted by SIGINT"));
  g_assert_false(has_namespaces_of(j.pid));
  g_free(j.out);
  g_free(j.err);
}

static void test_unsupported(void) {
  /* A Windows host, a bandwidth and 2.5 h: refused before anything runs,
   * so this needs no namespaces. */
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios",
                                                "cable-pull.yaml", NULL);
  const char *argv[] = {g_getenv("KASIM"), "validate", "--kernel", path, NULL};
  g_autofree char *out = NULL, *err = NULL;
  int wait = 0;
  GError *error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &wait, &error));
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(wait));
  g_assert_cmpint(WEXITSTATUS(wait), ==, 2);
  g_autofree char *prefix = g_strdup_printf("kasim validate: %s: not supported for validation: ",
                                            path);
  g_assert_true(g_str_has_prefix(err, prefix));
  g_assert_nonnull(strstr(err, "windows-vista"));
  g_assert_nonnull(strstr(err, "bandwidth"));
  g_assert_cmpstr(out, ==, "");
  /* --kernel is required. */
  const char *argv2[] = {g_getenv("KASIM"), "validate", path, NULL};
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv2, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out2, &err2,
                             &wait, &error));
  g_assert_cmpint(WEXITSTATUS(wait), ==, 2);
  g_assert_nonnull(strstr(err2, "--kernel"));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("KASIM"));
  g_test_add_func("/validate/unsupported", test_unsupported);
  static const char *const names[] = {"silent-cut",    "cut-after-answer", "healed-cut",
                                      "user-timeout",  "peer-reboot",      "count-one",
                                      "long-idle-30s", "long-idle-60s"};
  for (size_t i = 0; i < G_N_ELEMENTS(shapes); i++) {
    g_autofree char *path = g_strdup_printf("/validate/shape/%s", names[i]);
    g_test_add_data_func(path, &shapes[i], test_shape);
  }
  g_test_add_func("/validate/disagree", test_disagree);
  g_test_add_func("/validate/cleanup", test_cleanup);
  g_test_add_func("/validate/sigint", test_sigint);
  int rc = g_test_run();
  for (size_t i = 0; i < G_N_ELEMENTS(jobs); i++) {
    if (jobs[i].pid != 0)
      finish(&jobs[i]);
    g_free(jobs[i].out);
    g_free(jobs[i].err);
  }
  return rc;
}
