/* test_sweep.c - `kasim sweep`: the cells are `kasim run`'s runs, the
 * merged sweep.json, sweep.csv and stats.csv have their documented shape,
 * and they are byte-identical whatever the job count, an interruption
 * (kill -9, then resume: no cell lost, none run twice), an extension (more
 * seeds, more values: only the new cells run) or an MPI rank count.  A grid
 * varies any value of the scenario by its path, and zips values that go
 * together.  The statistics across seeds are the facts sheet's arithmetic.
 * Bad input and a folder holding another sweep are refused without
 * writing.  With --engine ns3 the cells are `kasim run --engine ns3`'s. */
#include <errno.h>
#include <math.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks_test_spawn.h"

/* The grid of most tests: 2 x 2 values x 3 seeds = 12 cells. */
#define GRID1 "KeepAliveTime=10s,30s"
#define GRID2 "KeepAliveInterval=1s,3s"
#define SEEDS "3"
#define CELLS 12

/* Metrics the brief of sweep.json promises (analysis/ks_metrics.h has
 * more; the CSV has them all). */
static const char *const metric_names[] = {
  "connections",       "closed",        "alive",          "detected",
  "undetected",        "false_giveups", "latency_mean_s", "latency_p50_s",
  "latency_p95_s",     "latency_max_s", "probes_per_s",   "probe_bytes_per_s",
  "peak_giveups_per_s"};

static char *scenario(void) {
  return g_test_build_filename(G_TEST_DIST, "data", "sweep-small.yaml", NULL);
}

/* argv for `kasim sweep SCENARIO --out DIR` and `extra` (NULL-terminated),
 * after `prefix` (mpirun and its options, or NULL). */
static GPtrArray *sweep_argv(const char *const *prefix, const char *out_dir,
                             const char *const *extra) {
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  for (; prefix && *prefix; prefix++)
    g_ptr_array_add(argv, g_strdup(*prefix));
  g_ptr_array_add(argv, g_strdup(g_getenv("KASIM")));
  g_ptr_array_add(argv, g_strdup("sweep"));
  g_ptr_array_add(argv, scenario());
  g_ptr_array_add(argv, g_strdup("--out"));
  g_ptr_array_add(argv, g_strdup(out_dir));
  for (; extra && *extra; extra++)
    g_ptr_array_add(argv, g_strdup(*extra));
  g_ptr_array_add(argv, NULL);
  return argv;
}

/* Runs a sweep that must succeed; returns its stdout. */
static char *sweep_ok(const char *const *prefix, char **envp, const char *out_dir,
                      const char *const *extra) {
  GPtrArray *argv = sweep_argv(prefix, out_dir, extra);
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = ks_test_spawn_env((const char *const *)argv->pdata, envp, &out, &err);
  if (status != 0)
    g_printerr("%s", err);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(err, ==, ""); /* no progress: stderr is not a terminal */
  g_assert_true(g_str_has_prefix(out, "kasim sweep: sweep-small, "));
  g_ptr_array_free(argv, TRUE);
  return out;
}

static char *tmp_dir(void) {
  char *dir = g_dir_make_tmp("kasim-sweep-XXXXXX", NULL);
  g_assert_nonnull(dir);
  return dir;
}

static GBytes *slurp(const char *dir, const char *name) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *text = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  return g_bytes_new_take(text, len);
}

static void assert_same_results(const char *a, const char *b) {
  const char *files[] = {"sweep.json", "sweep.csv", "stats.csv"};
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autoptr(GBytes) x = slurp(a, files[i]);
    g_autoptr(GBytes) y = slurp(b, files[i]);
    g_assert_cmpuint(g_bytes_get_size(x), >, 0);
    if (!g_bytes_equal(x, y))
      g_error("%s/%s and %s/%s differ", a, files[i], b, files[i]);
  }
}

/* The folder docs/sweep.md names for a cell: the first 12 hex digits of
 * the SHA-256 of its "NAME=VALUE\n" lines, a dash, its seed. */
static char *cell_rel(const char *const *sets, int seed) {
  GString *key = g_string_new(NULL);
  for (; *sets; sets++)
    g_string_append_printf(key, "%s\n", *sets);
  g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key->str, -1);
  g_string_free(key, TRUE);
  return g_strdup_printf("cells/%.12s-%d", sum, seed);
}

/* Cell k of the 2 x 2 x seeds grid, as the documented order says. */
static void cell_params(int k, int seeds, const char **time, const char **interval, int *seed) {
  static const char *const times[] = {"10s", "30s"}, *const intervals[] = {"1s", "3s"};
  *time = times[k / (2 * seeds)];
  *interval = intervals[(k / seeds) % 2];
  *seed = 1 + k % seeds;
}

static char *grid_cell_rel(int k, int seeds) {
  const char *t, *iv;
  int seed;
  cell_params(k, seeds, &t, &iv, &seed);
  g_autofree char *a = g_strdup_printf("KeepAliveTime=%s", t);
  g_autofree char *b = g_strdup_printf("KeepAliveInterval=%s", iv);
  const char *sets[] = {a, b, NULL};
  return cell_rel(sets, seed);
}

/* A stats.csv field by its column's name: empty is NAN, "inf" INFINITY. */
static double col_value(char **cols, char **vals, const char *name) {
  for (guint i = 0; cols[i]; i++)
    if (strcmp(cols[i], name) == 0)
      return vals[i][0] ? g_ascii_strtod(vals[i], NULL) : NAN;
  g_error("no column %s", name);
}

static guint64 summary_total(const char *cell_dir, const char *key) {
  g_autofree char *path = g_build_filename(cell_dir, "summary.json", NULL);
  JsonParser *p = json_parser_new();
  g_assert_true(json_parser_load_from_file(p, path, NULL));
  JsonObject *root = json_node_get_object(json_parser_get_root(p));
  guint64 v = (guint64)json_object_get_int_member(json_object_get_object_member(root, "totals"),
                                                  key);
  g_object_unref(p);
  return v;
}

/* The cell in `dir`/`rel` is byte for byte what `kasim run` writes
 * with `args` (its --set, --seed and --engine; NULL-terminated).  Returns
 * kasim run's stdout. */
static char *assert_cell_is_run(const char *dir, const char *rel, const char *const *args) {
  g_autofree char *run_dir = g_build_filename(dir, "run", NULL);
  g_autofree char *sc = scenario();
  const char *head[] = {g_getenv("KASIM"), "run", sc, "--out", run_dir};
  GPtrArray *argv = g_ptr_array_new();
  for (size_t i = 0; i < G_N_ELEMENTS(head); i++)
    g_ptr_array_add(argv, (gpointer)head[i]);
  for (; *args; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  char *out = NULL;
  g_autofree char *err = NULL;
  g_assert_cmpint(ks_test_spawn((const char *const *)argv->pdata, &out, &err), ==, 0);
  g_ptr_array_free(argv, TRUE);
  g_autofree char *cell_dir = g_build_filename(dir, rel, NULL);
  const char *files[] = {"summary.json", "trace.jsonl"};
  for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
    g_autoptr(GBytes) x = slurp(run_dir, files[f]);
    g_autoptr(GBytes) y = slurp(cell_dir, files[f]);
    g_assert_true(g_bytes_equal(x, y));
  }
  ks_test_rm_rf(run_dir);
  return out;
}

/* ---- bad input --------------------------------------------------------- */

static void expect_refused(const char *out_dir, const char *const *extra, const char *what) {
  GPtrArray *argv = sweep_argv(NULL, out_dir, extra);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn((const char *const *)argv->pdata, &out, &err), ==, 2);
  g_assert_true(g_str_has_prefix(err, "kasim sweep: "));
  g_assert_cmpstr(strchr(err, '\n') + 1, ==, ""); /* one line */
  if (what && strstr(err, what) == NULL)
    g_error("expected '%s' in: %s", what, err);
  g_assert_cmpstr(out, ==, "");
  g_ptr_array_free(argv, TRUE);
}

static void test_bad_input(void) {
  g_autofree char *dir = tmp_dir();
  g_autofree char *out_dir = g_build_filename(dir, "out", NULL);
  static const struct {
    const char *args[8];
    const char *what;
  } cases[] = {
    {{"--seeds", "2", NULL}, "--grid"},
    {{"--grid", "NoSuchSetting=1,2", NULL}, "NoSuchSetting"},
    {{"--grid", "KeepAliveTime=10s,soon", NULL}, "soon"},
    {{"--grid", "KeepAliveTime=10s,,30s", NULL}, "empty"},
    {{"--grid", "KeepAliveTime=10s,10s", NULL}, "twice"},
    {{"--grid", "KeepAliveTime=10s", "--grid", "KeepAliveTime=20s", NULL}, "twice"},
    {{"--grid", "KeepAliveTime", NULL}, "NAME=VALUE"},
    {{"--grid", "TCP_KEEPCNT=3", NULL}, "WSAENOPROTOOPT"}, /* Vista refuses it */
    {{"--grid", GRID1, "--seeds", "0", NULL}, "--seeds"},
    {{"--grid", GRID1, "--jobs", "0", NULL}, "--jobs"},
    {{"--grid", GRID1, "--seeds", "-1", NULL}, "--seeds"},
    {{"--grid", GRID1, "extra", NULL}, "extra"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    expect_refused(out_dir, cases[i].args, cases[i].what);
    g_assert_false(g_file_test(out_dir, G_FILE_TEST_EXISTS));
  }
  /* A scenario that does not exist. */
  const char *argv[] = {g_getenv("KASIM"), "sweep", "no-such-scenario.yaml",
                        "--grid",          GRID1,   "--out",
                        out_dir,           NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 2);
  g_assert_true(g_str_has_prefix(err, "kasim sweep: no-such-scenario.yaml: "));
  g_assert_false(g_file_test(out_dir, G_FILE_TEST_EXISTS));
  ks_test_rm_rf(dir);
}

/* ---- the outputs ------------------------------------------------------- */

/* The 12-cell sweep with --jobs 2, made once: the outputs test reads it,
 * the --jobs 1 and MPI sweeps must equal it.  main() removes it. */
static char *reference;

static const char *reference_sweep(void) {
  if (reference == NULL) {
    const char *args[] = {"--grid", GRID1, "--grid", GRID2, "--seeds", SEEDS, "--jobs", "2", NULL};
    reference = tmp_dir();
    g_autofree char *out = sweep_ok(NULL, NULL, reference, args);
    g_assert_nonnull(strstr(out, "12 cells (4 combinations x 3 seeds): 12 run now, 0 done"));
  }
  return reference;
}

static void test_outputs(void) {
  const char *dir = reference_sweep();

  /* sweep.json: exactly {scenario, grid, seeds, cells}. */
  g_autofree char *path = g_build_filename(dir, "sweep.json", NULL);
  JsonParser *p = json_parser_new();
  g_assert_true(json_parser_load_from_file(p, path, NULL));
  JsonObject *root = json_node_get_object(json_parser_get_root(p));
  g_assert_cmpuint(json_object_get_size(root), ==, 5);
  g_assert_cmpstr(json_object_get_string_member(root, "scenario"), ==, "sweep-small");
  g_assert_cmpint(json_object_get_int_member(root, "seeds"), ==, 3);
  JsonObject *grid = json_object_get_object_member(root, "grid");
  GList *names = json_object_get_members(grid);
  g_assert_cmpuint(g_list_length(names), ==, 2);
  g_assert_cmpstr(names->data, ==, "KeepAliveTime"); /* in the order given */
  g_assert_cmpstr(names->next->data, ==, "KeepAliveInterval");
  g_list_free(names);
  JsonArray *axes = json_object_get_array_member(root, "axes");
  g_assert_cmpuint(json_array_get_length(axes), ==, 2);
  g_assert_cmpstr(json_array_get_string_element(json_array_get_array_element(axes, 1), 0), ==,
                  "KeepAliveInterval");
  JsonArray *times = json_object_get_array_member(grid, "KeepAliveTime");
  g_assert_cmpuint(json_array_get_length(times), ==, 2);
  g_assert_cmpstr(json_array_get_string_element(times, 1), ==, "30s");
  JsonArray *cells = json_object_get_array_member(root, "cells");
  g_assert_cmpuint(json_array_get_length(cells), ==, CELLS);

  /* sweep.csv: the header, then one row per cell. */
  g_autoptr(GBytes) csv = slurp(dir, "sweep.csv");
  g_autofree char *csv_text = g_strndup(g_bytes_get_data(csv, NULL), g_bytes_get_size(csv));
  g_auto(GStrv) lines = g_strsplit(csv_text, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, CELLS + 2); /* and "" after the last \n */
  g_assert_cmpstr(lines[CELLS + 1], ==, "");
  /* The metrics' columns are the metrics of sweep.json, in its order. */
  GString *header = g_string_new("index,KeepAliveTime,KeepAliveInterval,seed,run_dir");
  JsonObject *m0 = json_object_get_object_member(json_array_get_object_element(cells, 0),
                                                 "metrics");
  GList *mnames = json_object_get_members(m0);
  for (GList *l = mnames; l; l = l->next)
    g_string_append_printf(header, ",%s", (const char *)l->data);
  g_assert_cmpstr(lines[0], ==, header->str);
  g_string_free(header, TRUE);
  guint n_metrics = g_list_length(mnames);
  g_list_free(mnames);
  g_auto(GStrv) columns = g_strsplit(lines[0], ",", -1);

  guint closed_somewhere = 0;
  GHashTable *alive_counts = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (int k = 0; k < CELLS; k++) {
    const char *t, *iv;
    int seed;
    cell_params(k, 3, &t, &iv, &seed);
    JsonObject *c = json_array_get_object_element(cells, (guint)k);
    g_assert_cmpuint(json_object_get_size(c), ==, 5);
    g_assert_cmpint(json_object_get_int_member(c, "index"), ==, k);
    g_assert_cmpint(json_object_get_int_member(c, "seed"), ==, seed);
    JsonObject *params = json_object_get_object_member(c, "params");
    g_assert_cmpuint(json_object_get_size(params), ==, 2);
    g_assert_cmpstr(json_object_get_string_member(params, "KeepAliveTime"), ==, t);
    g_assert_cmpstr(json_object_get_string_member(params, "KeepAliveInterval"), ==, iv);
    g_autofree char *rel = grid_cell_rel(k, 3);
    g_assert_cmpstr(json_object_get_string_member(c, "run_dir"), ==, rel);
    JsonObject *m = json_object_get_object_member(c, "metrics");
    g_assert_cmpuint(json_object_get_size(m), ==, n_metrics);
    for (size_t i = 0; i < G_N_ELEMENTS(metric_names); i++)
      g_assert_true(json_object_has_member(m, metric_names[i]));
    g_assert_cmpuint(json_object_get_size(m), >, G_N_ELEMENTS(metric_names));
    /* What summary.json says, the metrics say. */
    g_autofree char *cell_dir = g_build_filename(dir, rel, NULL);
    guint64 closed = summary_total(cell_dir, "closed");
    guint64 alive = summary_total(cell_dir, "alive");
    g_assert_cmpint(json_object_get_int_member(m, "connections"), ==, 20);
    g_assert_cmpint(json_object_get_int_member(m, "closed"), ==, (gint64)closed);
    g_assert_cmpint(json_object_get_int_member(m, "alive"), ==, (gint64)alive);
    g_assert_cmpint(json_object_get_int_member(m, "probes_sent"), ==,
                    (gint64)summary_total(cell_dir, "probes_sent"));
    closed_somewhere += closed > 0;
    g_hash_table_add(alive_counts, GUINT_TO_POINTER(alive + 1));
    /* The CSV row says the same (no field here needs quoting). */
    g_autofree char *row_start = g_strdup_printf("%d,%s,%s,%d,%s,", k, t, iv, seed, rel);
    g_assert_true(g_str_has_prefix(lines[k + 1], row_start));
    g_auto(GStrv) fields = g_strsplit(lines[k + 1], ",", -1);
    g_assert_cmpuint(g_strv_length(fields), ==, g_strv_length(columns));
    for (guint i = 5; columns[i]; i++) {
      JsonNode *n = json_object_get_member(m, columns[i]);
      g_assert_nonnull(n);
      if (JSON_NODE_HOLDS_NULL(n))
        g_assert_cmpstr(fields[i], ==, "");
      else if (json_node_get_value_type(n) == G_TYPE_INT64)
        g_assert_cmpint(g_ascii_strtoll(fields[i], NULL, 10), ==, json_node_get_int(n));
      else
        g_assert_cmpfloat(g_ascii_strtod(fields[i], NULL), ==, json_node_get_double(n));
    }
  }
  /* The cells really differ: the seed and the settings matter here. */
  g_assert_cmpuint(closed_somewhere, >, 0);
  g_assert_cmpuint(g_hash_table_size(alive_counts), >, 1);
  g_hash_table_unref(alive_counts);
  g_object_unref(p);

  /* A cell is exactly what `kasim run` writes with those --set and --seed. */
  const int check[] = {0, 7};
  for (size_t i = 0; i < G_N_ELEMENTS(check); i++) {
    const char *t, *iv;
    int seed;
    cell_params(check[i], 3, &t, &iv, &seed);
    g_autofree char *s1 = g_strdup_printf("KeepAliveTime=%s", t);
    g_autofree char *s2 = g_strdup_printf("KeepAliveInterval=%s", iv);
    g_autofree char *seed_text = g_strdup_printf("%d", seed);
    const char *args[] = {"--set", s1, "--set", s2, "--seed", seed_text, NULL};
    g_autofree char *rel = grid_cell_rel(check[i], 3);
    g_free(assert_cell_is_run(dir, rel, args));
  }
}

/* ---- determinism: jobs, resume, other arguments, MPI ------------------- */

static void test_jobs(void) {
  g_autofree char *a = tmp_dir();
  const char *j1[] = {"--grid", GRID1, "--grid", GRID2, "--seeds", SEEDS, "--jobs", "1", NULL};
  g_autofree char *o1 = sweep_ok(NULL, NULL, a, j1);
  assert_same_results(a, reference_sweep());
  ks_test_rm_rf(a);
}

typedef struct stamp {
  ino_t ino;
  struct timespec mtime;
} stamp;

/* A file of cell k of the 2 x 2 x 6 grid of test_resume, or of the 2 x 2
 * (seeds) grid of test_other_arguments. */
static int stamp_seeds = 6;

static gboolean stat_file(const char *dir, int k, const char *name, stamp *s) {
  g_autofree char *rel = grid_cell_rel(k, stamp_seeds);
  g_autofree char *path = g_strdup_printf("%s/%s/%s", dir, rel, name);
  struct stat st;
  if (stat(path, &st) != 0)
    return FALSE;
  s->ino = st.st_ino;
  s->mtime = st.st_mtim;
  return TRUE;
}

/* Whether cell k's cell.json reads as a whole, as the sweep asks of a
 * complete cell: a kill while it was written leaves it short. */
static gboolean cell_whole(const char *dir, int k) {
  g_autofree char *rel = grid_cell_rel(k, stamp_seeds);
  g_autofree char *path = g_strdup_printf("%s/%s/cell.json", dir, rel);
  g_autoptr(JsonParser) p = json_parser_new();
  if (!json_parser_load_from_file(p, path, NULL) || json_parser_get_root(p) == NULL ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
    return FALSE;
  return json_object_has_member(json_node_get_object(json_parser_get_root(p)), "files");
}

static guint count_summaries(const char *dir, int cells) {
  guint n = 0;
  stamp s = {0};
  for (int k = 0; k < cells; k++)
    n += stat_file(dir, k, "summary.json", &s);
  return n;
}

/* 24 cells; killed with SIGKILL after a few, then resumed: the same bytes
 * as without the kill, and every cell that was complete is kept as it was.
 * Four cells are then damaged by hand (below): each is redone. */
static void test_resume(void) {
  const char *args[] = {"--grid", GRID1, "--grid", GRID2, "--seeds", "6", "--jobs", "2", NULL};
  enum { N = 24 };
  g_autofree char *ref = tmp_dir(), *dir = tmp_dir();
  g_autofree char *o_ref = sweep_ok(NULL, NULL, ref, args);

  GPtrArray *argv = sweep_argv(NULL, dir, args);
  GPid pid;
  GError *error = NULL;
  g_assert_true(g_spawn_async(NULL, (char **)argv->pdata, NULL,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                              &pid, &error));
  g_assert_no_error(error);
  guint before = 0;
  for (int i = 0; i < 20000 && (before = count_summaries(dir, N)) < 8; i++)
    g_usleep(1000);
  g_assert_cmpuint(before, >=, 8);
  kill(pid, SIGKILL);
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFSIGNALED(status));
  g_spawn_close_pid(pid);
  g_ptr_array_free(argv, TRUE);
  g_autofree char *sweep_json = g_build_filename(dir, "sweep.json", NULL);
  g_assert_false(g_file_test(sweep_json, G_FILE_TEST_EXISTS));

  /* Let any worker of the killed sweep finish dying (they follow their
   * parent within moments; the resume would wait for them too). */
  g_usleep(100000);
  stamp stamps[N];
  gboolean had[N];
  guint complete = 0;
  for (int k = 0; k < N; k++) {
    stamp m = {0};
    had[k] = stat_file(dir, k, "summary.json", &stamps[k]) && stat_file(dir, k, "cell.json", &m) &&
             cell_whole(dir, k);
    complete += had[k];
  }
  g_assert_cmpuint(complete, >=, 5);
  g_assert_cmpuint(complete, <, N); /* killed mid-way */

  /* The damage, to the first four complete cells, as a kill at a worse
   * moment, or a crash of the machine, would leave them: killed mid-run
   * (no summary.json), after the run (no cell.json), as it began to write
   * cell.json (an empty one), and a trace that never reached the disk
   * (shorter than cell.json's "files" says).  Each is run again. */
  static const char *const damaged[] = {"summary.json", "cell.json", "cell.json", "trace.jsonl"};
  guint n_damaged = 0;
  for (int k = 0; k < N && n_damaged < G_N_ELEMENTS(damaged); k++)
    if (had[k]) {
      g_autofree char *rel = grid_cell_rel(k, 6);
      g_autofree char *f = g_strdup_printf("%s/%s/%s", dir, rel, damaged[n_damaged]);
      if (n_damaged < 2)
        g_assert_cmpint(unlink(f), ==, 0);
      else
        g_assert_cmpint(truncate(f, n_damaged == 2 ? 0 : 100), ==, 0);
      n_damaged++;
      had[k] = FALSE;
    }
  g_assert_cmpuint(n_damaged, ==, G_N_ELEMENTS(damaged));
  guint summaries = complete - n_damaged; /* the complete cells left */

  g_autofree char *out = sweep_ok(NULL, NULL, dir, args);
  assert_same_results(ref, dir);
  /* Run counter: exactly the cells not complete were run. */
  g_autofree char *expect = g_strdup_printf(": %u run now, %u done before", N - summaries,
                                            summaries);
  if (strstr(out, expect) == NULL)
    g_error("expected '%s' in: %s", expect, out);
  for (int k = 0; k < N; k++) {
    stamp now = {0};
    g_assert_true(stat_file(dir, k, "summary.json", &now));
    if (had[k]) { /* untouched: the same file, not a new one */
      g_assert_cmpuint(now.ino, ==, stamps[k].ino);
      g_assert_cmpint(now.mtime.tv_sec, ==, stamps[k].mtime.tv_sec);
      g_assert_cmpint(now.mtime.tv_nsec, ==, stamps[k].mtime.tv_nsec);
    }
  }
  /* Resuming a finished sweep runs nothing and changes nothing. */
  g_autofree char *again = sweep_ok(NULL, NULL, dir, args);
  g_autofree char *none = g_strdup_printf(": 0 run now, %d done before", N);
  g_assert_nonnull(strstr(again, none));
  assert_same_results(ref, dir);
  ks_test_rm_rf(ref);
  ks_test_rm_rf(dir);
}

/* Starts a sweep in the background, its stderr on *err_fd. */
static GPid sweep_start(const char *out_dir, const char *const *args, int *err_fd) {
  GPtrArray *argv = sweep_argv(NULL, out_dir, args);
  GPid pid;
  GError *error = NULL;
  g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                         NULL, NULL, &pid, NULL, NULL, err_fd, &error));
  g_assert_no_error(error);
  g_ptr_array_free(argv, TRUE);
  return pid;
}

/* Waits for a sweep started so, and returns its stderr; its status in
 * *status. */
static GString *sweep_wait(GPid pid, int err_fd, int *status) {
  GString *err = g_string_new(NULL);
  char buf[512];
  ssize_t n;
  while ((n = read(err_fd, buf, sizeof buf)) > 0)
    g_string_append_len(err, buf, n);
  close(err_fd);
  g_assert_cmpint(waitpid(pid, status, 0), ==, pid);
  g_spawn_close_pid(pid);
  return err;
}

/* The process ids whose parent is `parent` (from /proc). */
static GArray *children_of(GPid parent) {
  GArray *kids = g_array_new(FALSE, FALSE, sizeof(GPid));
  GDir *d = g_dir_open("/proc", 0, NULL);
  for (const char *name; d && (name = g_dir_read_name(d)) != NULL;) {
    if (!g_ascii_isdigit(name[0]))
      continue;
    g_autofree char *path = g_strdup_printf("/proc/%s/stat", name);
    g_autofree char *stat = NULL;
    if (!g_file_get_contents(path, &stat, NULL, NULL))
      continue;
    /* "PID (COMM) STATE PPID ...": COMM may hold anything but ends at
     * the last ')'. */
    const char *r = strrchr(stat, ')');
    int ppid = -1;
    if (r && sscanf(r + 1, " %*c %d", &ppid) == 1 && ppid == parent) {
      GPid pid = (GPid)atoi(name);
      g_array_append_val(kids, pid);
    }
  }
  if (d)
    g_dir_close(d);
  return kids;
}

/* A worker that dies (a crash; SIGKILL here) while it holds cells takes
 * the one it was running with it, not the sweep: that cell is named and
 * failed, every other cell completes (a new worker takes those it had not
 * started), and the sweep ends with status 1 without sweep.json.  The
 * same command then runs only the failed cells, and the results are those
 * of a sweep that was never interrupted. */
static void test_worker_dies(void) {
  enum { N = 40 };
  const char *args[] = {"--grid", GRID1, "--grid", GRID2, "--seeds", "10", "--jobs", "2", NULL};
  g_autofree char *ref = tmp_dir();
  g_free(sweep_ok(NULL, NULL, ref, args));
  stamp_seeds = 10;
  gboolean done = FALSE;
  /* A kill can fall between two cells, when the worker holds none: then
   * nothing fails, and the test tries again. */
  for (int attempt = 0; attempt < 5 && !done; attempt++) {
    g_autofree char *dir = tmp_dir();
    int err_fd, status = 0;
    GPid pid = sweep_start(dir, args, &err_fd);
    for (int i = 0; i < 20000 && count_summaries(dir, N) < 3; i++)
      g_usleep(1000);
    GArray *kids = children_of(pid);
    g_assert_cmpuint(kids->len, >=, 1); /* its workers */
    kill(g_array_index(kids, GPid, 0), SIGKILL);
    g_array_free(kids, TRUE);
    GString *err = sweep_wait(pid, err_fd, &status);
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) {
      g_string_free(err, TRUE);
      ks_test_rm_rf(dir);
      continue;
    }
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    /* Each failed cell named, and not complete; every other one is. */
    guint named = 0;
    gboolean failed[N] = {FALSE};
    for (const char *at = err->str; (at = strstr(at, "kasim sweep: cell ")) != NULL; at++) {
      int k = atoi(at + strlen("kasim sweep: cell "));
      const char *eol = strchr(at, '\n');
      g_assert_nonnull(eol);
      if (g_strstr_len(at, eol - at, ": the worker was killed by signal 9") == NULL)
        g_error("not a worker's death: %s", err->str);
      g_assert_true(k >= 0 && k < N && !failed[k]);
      failed[k] = TRUE;
      named++;
    }
    g_assert_cmpuint(named, >=, 1);
    g_autofree char *total = g_strdup_printf("kasim sweep: %u of %d cells failed", named, N);
    if (strstr(err->str, total) == NULL)
      g_error("expected '%s' in: %s", total, err->str);
    g_string_free(err, TRUE);
    for (int k = 0; k < N; k++) {
      stamp st;
      gboolean complete = stat_file(dir, k, "summary.json", &st) &&
                          stat_file(dir, k, "cell.json", &st);
      g_assert_cmpint(complete, ==, !failed[k]);
    }
    g_autofree char *sweep_json = g_build_filename(dir, "sweep.json", NULL);
    g_assert_false(g_file_test(sweep_json, G_FILE_TEST_EXISTS));
    g_autofree char *out = sweep_ok(NULL, NULL, dir, args);
    g_autofree char *expect = g_strdup_printf(": %u run now, %u done before", named, N - named);
    if (strstr(out, expect) == NULL)
      g_error("expected '%s' in: %s", expect, out);
    assert_same_results(ref, dir);
    ks_test_rm_rf(dir);
    done = TRUE;
  }
  g_assert_true(done);
  stamp_seeds = 6;
  ks_test_rm_rf(ref);
}

/* A folder holding a sweep of another scenario, engine, --pcap or kasim,
 * or someone else's files, is refused and left as it was. */
static void test_other_arguments(void) {
  g_autofree char *dir = tmp_dir();
  const char *small[] = {"--grid", GRID1, "--seeds", "2", NULL};
  g_autofree char *o = sweep_ok(NULL, NULL, dir, small);
  g_autoptr(GBytes) before = slurp(dir, "sweep.json");
  g_autofree char *sc = scenario();
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(sc, &text, NULL, NULL));
  g_autofree char *changed = g_strconcat(text, "# changed\n", NULL);
  g_autofree char *tmp = tmp_dir();
  g_autofree char *other_sc = g_build_filename(tmp, "sweep-small.yaml", NULL);
  g_assert_true(g_file_set_contents(other_sc, changed, -1, NULL));
  const char *pcap[] = {"--grid", GRID1, "--seeds", "2", "--pcap", NULL};
  expect_refused(dir, pcap, "--pcap");
  const char *argv[] = {g_getenv("KASIM"), "sweep", other_sc, "--grid", GRID1, "--out", dir, NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 2);
  g_assert_nonnull(strstr(err, "scenario file contents"));
  g_autoptr(GBytes) after = slurp(dir, "sweep.json");
  g_assert_true(g_bytes_equal(before, after));
  ks_test_rm_rf(tmp);

  /* Someone else's folder. */
  g_autofree char *foreign = tmp_dir();
  g_autofree char *file = g_build_filename(foreign, "notes.txt", NULL);
  g_assert_true(g_file_set_contents(file, "mine\n", -1, NULL));
  expect_refused(foreign, small, "not empty");
  g_autofree char *cells = g_build_filename(foreign, "cells", NULL);
  g_assert_false(g_file_test(cells, G_FILE_TEST_EXISTS));
  ks_test_rm_rf(foreign);
  ks_test_rm_rf(dir);
}

/* The files of one cell, compared between two sweep folders. */
static void assert_same_cell(const char *a, const char *b, const char *rel) {
  const char *files[] = {"cell.json", "summary.json", "trace.jsonl"};
  for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
    g_autofree char *name = g_build_filename(rel, files[f], NULL);
    g_autoptr(GBytes) x = slurp(a, name);
    g_autoptr(GBytes) y = slurp(b, name);
    if (!g_bytes_equal(x, y))
      g_error("%s/%s and %s/%s differ", a, name, b, name);
  }
}

static gboolean stat_rel(const char *dir, const char *rel, stamp *s) {
  g_autofree char *path = g_strdup_printf("%s/%s/summary.json", dir, rel);
  struct stat st;
  if (stat(path, &st) != 0)
    return FALSE;
  s->ino = st.st_ino;
  s->mtime = st.st_mtim;
  return TRUE;
}

/* A sweep extended with more seeds and more values on both axes runs only
 * the new cells, keeps the old ones as they were, and ends byte for byte
 * as the same sweep run in one go. */
static void test_extend(void) {
  g_autofree char *dir = tmp_dir(), *ref = tmp_dir();
  const char *first[] = {"--grid",  "KeepAliveTime=10s,30s",
                         "--grid",  "KeepAliveInterval=1s",
                         "--seeds", "2",
                         NULL};
  const char *full[] = {"--grid",  "KeepAliveTime=10s,20s,30s",
                        "--grid",  "KeepAliveInterval=1s,3s",
                        "--seeds", "3",
                        NULL};
  g_autofree char *o1 = sweep_ok(NULL, NULL, dir, first);
  g_assert_nonnull(strstr(o1, "4 cells (2 combinations x 2 seeds): 4 run now, 0 done before"));
  /* The four cells of the first sweep, by their documented names. */
  const char *old_sets[][2] = {{"KeepAliveTime=10s", "KeepAliveInterval=1s"},
                               {"KeepAliveTime=30s", "KeepAliveInterval=1s"}};
  stamp before[4];
  char *old_rel[4];
  for (int i = 0; i < 4; i++) {
    const char *sets[] = {old_sets[i / 2][0], old_sets[i / 2][1], NULL};
    old_rel[i] = cell_rel(sets, 1 + i % 2);
    g_assert_true(stat_rel(dir, old_rel[i], &before[i]));
  }
  /* 3 x 2 x 3 = 18 cells, of which the 4 above are done. */
  g_autofree char *o2 = sweep_ok(NULL, NULL, dir, full);
  if (strstr(o2, "18 cells (6 combinations x 3 seeds): 14 run now, 4 done before") == NULL)
    g_error("expected only the 14 new cells to run: %s", o2);
  for (int i = 0; i < 4; i++) {
    stamp now = {0};
    g_assert_true(stat_rel(dir, old_rel[i], &now));
    g_assert_cmpuint(now.ino, ==, before[i].ino);
    g_assert_cmpint(now.mtime.tv_nsec, ==, before[i].mtime.tv_nsec);
  }
  /* The same sweep in one go: the same merged files and the same cells. */
  g_autofree char *o3 = sweep_ok(NULL, NULL, ref, full);
  assert_same_results(dir, ref);
  g_autofree char *path = g_build_filename(ref, "sweep.json", NULL);
  JsonParser *p = json_parser_new();
  g_assert_true(json_parser_load_from_file(p, path, NULL));
  JsonArray *cells = json_object_get_array_member(json_node_get_object(json_parser_get_root(p)),
                                                  "cells");
  g_assert_cmpuint(json_array_get_length(cells), ==, 18);
  for (guint k = 0; k < 18; k++)
    assert_same_cell(dir, ref,
                     json_object_get_string_member(json_array_get_object_element(cells, k),
                                                   "run_dir"));
  g_object_unref(p);
  for (int i = 0; i < 4; i++)
    g_free(old_rel[i]);
  ks_test_rm_rf(dir);
  ks_test_rm_rf(ref);
}

/* A grid over a scenario path (links.wifi.loss) and a zipped axis: each
 * cell is `kasim run` with those --set, zipped values go together, and
 * the path's values are columns of sweep.csv and stats.csv. */
static void test_vary_anything(void) {
  g_autofree char *dir = tmp_dir();
  const char *args[] = {"--grid", "links.wifi.loss=0.5,0.1", "--grid",  "KeepAliveTime=10s,30s",
                        "--zip",  "KeepAliveInterval=1s,3s", "--seeds", "2",
                        NULL};
  g_autofree char *out = sweep_ok(NULL, NULL, dir, args);
  /* 2 x 2 (zipped: 10s with 1s, 30s with 3s) x 2 seeds. */
  g_assert_nonnull(strstr(out, "8 cells (4 combinations x 2 seeds): 8 run now"));
  g_autoptr(GBytes) csv = slurp(dir, "stats.csv");
  g_autofree char *text = g_strndup(g_bytes_get_data(csv, NULL), g_bytes_get_size(csv));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 6);
  g_assert_true(
    g_str_has_prefix(lines[0], "index,links.wifi.loss,KeepAliveTime,KeepAliveInterval,runs,"));
  g_assert_true(g_str_has_prefix(lines[1], "0,0.5,10s,1s,2,40,"));
  g_assert_true(g_str_has_prefix(lines[2], "1,0.5,30s,3s,2,40,"));
  g_assert_true(g_str_has_prefix(lines[3], "2,0.1,10s,1s,2,40,"));
  g_assert_true(g_str_has_prefix(lines[4], "3,0.1,30s,3s,2,40,"));
  /* The zipped cell 30s/3s is the grid's 30s/3s cell, under the same name. */
  const char *sets[] = {"links.wifi.loss=0.1", "KeepAliveTime=30s", "KeepAliveInterval=3s", NULL};
  g_autofree char *rel = cell_rel(sets, 2);
  const char *run[] = {"--set", sets[0], "--set", sets[1], "--set", sets[2], "--seed", "2", NULL};
  g_free(assert_cell_is_run(dir, rel, run));
  /* Loss matters: half the segments lost kills healthy connections, a
   * tenth rarely does (the false give-ups column, 11th). */
  g_auto(GStrv) at_half = g_strsplit(lines[1], ",", -1);
  g_auto(GStrv) at_tenth = g_strsplit(lines[3], ",", -1);
  g_assert_cmpint(atoi(at_half[10]), >, atoi(at_tenth[10]));

  /* A profile zipped with its own setting; a zipped column may repeat a
   * value (the first column tells the combinations apart). */
  g_autofree char *prof = g_build_filename(dir, "profiles", NULL);
  const char *zipped[] = {"--grid", "hosts.client.profile=windows-vista,windows-xp", "--zip",
                          "hosts.client.settings.KeepAliveTime=10s,10s", NULL};
  g_autofree char *pout = sweep_ok(NULL, NULL, prof, zipped);
  g_assert_nonnull(strstr(pout, "2 cells (2 combinations x 1 seed)"));

  /* Bad paths and zips: one message, exit 2, nothing written. */
  g_autofree char *bad = g_build_filename(dir, "bad", NULL);
  const char *no_link[] = {"--grid", "links.nope.loss=0.1", NULL};
  expect_refused(bad, no_link, "nope");
  const char *bad_value[] = {"--grid", "links.wifi.loss=0.1,2", NULL};
  expect_refused(bad, bad_value, "loss");
  const char *short_zip[] = {"--grid", GRID1, "--zip", "KeepAliveInterval=1s", NULL};
  expect_refused(bad, short_zip, "--zip");
  const char *lone_zip[] = {"--zip", "KeepAliveInterval=1s", NULL};
  expect_refused(bad, lone_zip, "--zip");
  const char *bad_set[] = {"--set", "links.wifi.loss", NULL};
  expect_refused(bad, bad_set, "--set links.wifi.loss: expected NAME=VALUE");
  g_assert_false(g_file_test(bad, G_FILE_TEST_EXISTS));
  ks_test_rm_rf(dir);
}

/* stats.csv of docs/labs/three-systems.yaml: every run gives up 6605.02,
 * 6610.02 and 7275.02 s after the cut (XP 7200 + 5 x 1, Vista 7200 + 10 x
 * 1, Linux 7200 + 9 x 75 after the handshake's last segment at 0.020 s,
 * minus the cut at 600 s; keepalive-facts.md §2, §4), whatever the seed:
 * three seeds pool nine latencies. */
static void three_systems_sweep(const char *dir) {
  g_autofree char *sc = g_test_build_filename(G_TEST_DIST, "..", "..", "docs", "labs",
                                              "three-systems.yaml", NULL);
  const char *argv[] = {g_getenv("KASIM"), "sweep", sc,      "--set", "hosts.tux.settings.hz=0",
                        "--seeds",         "3",     "--out", dir,     NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
}

static GStrv stats_lines(const char *dir) {
  g_autoptr(GBytes) csv = slurp(dir, "stats.csv");
  g_autofree char *text = g_strndup(g_bytes_get_data(csv, NULL), g_bytes_get_size(csv));
  return g_strsplit(text, "\n", -1);
}

static void test_stats(void) {
  g_autofree char *dir = tmp_dir();
  three_systems_sweep(dir);
  g_auto(GStrv) lines = stats_lines(dir);
  g_assert_cmpuint(g_strv_length(lines), ==, 3);
  g_assert_true(g_str_has_prefix(lines[0], "index,hosts.tux.settings.hz,runs,")); /* --set */
  g_assert_true(g_str_has_prefix(lines[1], "0,0,3,"));
  g_auto(GStrv) cols = g_strsplit(lines[0], ",", -1);
  g_auto(GStrv) vals = g_strsplit(lines[1], ",", -1);
  g_assert_cmpuint(g_strv_length(cols), ==, g_strv_length(vals));
#define COL(name) col_value(cols, vals, name)
  const double xp = 7200 + 5 * 1 + 0.020 - 600, vista = 7200 + 10 * 1 + 0.020 - 600,
               tux = 7200 + 9 * 75 + 0.020 - 600;
  g_assert_cmpfloat(COL("runs"), ==, 3);
  g_assert_cmpfloat(COL("connections"), ==, 9);
  g_assert_cmpfloat(COL("detected"), ==, 9);
  g_assert_cmpfloat(COL("detection_n"), ==, 9);
  /* Mean and Student's t interval, t(0.975, 8) = 2.3060. */
  double mean = (xp + vista + tux) / 3;
  double ss = 3 * ((xp - mean) * (xp - mean) + (vista - mean) * (vista - mean) +
                   (tux - mean) * (tux - mean));
  double half = 2.3060 * sqrt(ss / 8) / 3;
  g_assert_cmpfloat_with_epsilon(COL("detection_mean_s"), mean, 1e-6);
  g_assert_cmpfloat_with_epsilon(COL("detection_mean_lo_s"), mean - half, 1e-6);
  g_assert_cmpfloat_with_epsilon(COL("detection_mean_hi_s"), mean + half, 1e-6);
  /* Sorted: xp x3, vista x3, linux x3.  Median: rank ceil(4.5) = 5; its
   * interval: Binomial(9, 0.5) has F(1) = 10/512 <= 0.025 < F(2) and
   * F(6) = 466/512 < 0.975 <= F(7) = 502/512, so ranks 2 and 8. */
  g_assert_cmpfloat_with_epsilon(COL("detection_p50_s"), vista, 1e-6);
  g_assert_cmpfloat_with_epsilon(COL("detection_p50_lo_s"), xp, 1e-6);
  g_assert_cmpfloat_with_epsilon(COL("detection_p50_hi_s"), tux, 1e-6);
  /* p95: rank ceil(8.55) = 9; nine values cannot bound it above: 0.95^9 =
   * 0.63 of samples have all nine below it. */
  g_assert_cmpfloat_with_epsilon(COL("detection_p95_s"), tux, 1e-6);
  g_assert_true(isinf(COL("detection_p95_hi_s")));
  g_assert_cmpfloat_with_epsilon(COL("detection_max_s"), tux, 1e-6);
  /* Wilson at 0 of 9 and 9 of 9: [0, z^2 / (n + z^2)], [n / (n + z^2), 1]. */
  const double z2 = 1.959963984540054 * 1.959963984540054;
  g_assert_cmpfloat(COL("false_giveup_rate"), ==, 0);
  g_assert_cmpfloat_with_epsilon(COL("false_giveup_rate_hi"), z2 / (9 + z2), 1e-9);
  g_assert_cmpfloat(COL("detected_rate"), ==, 1);
  g_assert_cmpfloat_with_epsilon(COL("detected_rate_lo"), 9 / (9 + z2), 1e-9);
  /* No middlebox: no survival rate. */
  g_assert_true(isnan(COL("survival_rate")));
  ks_test_rm_rf(dir);
#undef COL
}

/* Each cell's latencies as a large run's cell.json holds them, binned
 * (docs/output.md, "cell.json"): value v in bin ceil(ln v / ln gamma),
 * gamma = (1 + 1e-4) / (1 - 1e-4), `copies` of each. */
static void bin_cell(const char *cell_dir, guint copies) {
  g_autofree char *path = g_build_filename(cell_dir, "cell.json", NULL);
  JsonParser *p = json_parser_new();
  g_assert_true(json_parser_load_from_file(p, path, NULL));
  JsonObject *cell = json_node_get_object(json_parser_get_root(p));
  JsonArray *lat = json_object_get_array_member(cell, "latencies_s");
  guint n = json_array_get_length(lat);
  double sum = 0, lo = INFINITY, hi = 0, m2 = 0;
  for (guint i = 0; i < n; i++) {
    double v = json_array_get_double_element(lat, i);
    sum += copies * v, lo = MIN(lo, v), hi = MAX(hi, v);
  }
  double mean = sum / (copies * n), lg = log1p(1e-4) - log1p(-1e-4);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  for (guint i = 0; i < n; i++) {
    double v = json_array_get_double_element(lat, i);
    m2 += copies * (v - mean) * (v - mean);
    json_builder_begin_array(b);
    json_builder_add_int_value(b, (gint64)ceil(log(v) / lg));
    json_builder_add_int_value(b, copies);
    json_builder_end_array(b);
  }
  json_builder_end_array(b);
  JsonNode *bins = json_builder_get_root(b);
  JsonObject *h = json_object_new();
  json_object_set_double_member(h, "relative_error", 1e-4);
  json_object_set_int_member(h, "count", (gint64)copies * n);
  json_object_set_int_member(h, "zeros", 0);
  json_object_set_double_member(h, "min", lo);
  json_object_set_double_member(h, "max", hi);
  json_object_set_double_member(h, "sum", sum);
  json_object_set_double_member(h, "m2", m2);
  json_object_set_member(h, "bins", bins);
  json_object_set_object_member(cell, "latencies_s", h);
  JsonGenerator *g = json_generator_new();
  json_generator_set_root(g, json_parser_get_root(p));
  g_assert_true(json_generator_to_file(g, path, NULL));
  g_object_unref(g);
  g_object_unref(b);
  g_object_unref(p);
}

/* The same sweep as test_stats, its cells' latencies then binned as a run
 * of more than 100,000 detections has them, 50,001 copies of each: the
 * merge pools the histograms of the three seeds (450,009 latencies) and
 * reads its quantiles off them, within 0.01%: the median (rank 225,005 and
 * its interval, a few hundred ranks either side) among Vista's, the 95th
 * percentile among Linux's; the largest and the mean exact. */
static void test_stats_binned(void) {
  g_autofree char *dir = tmp_dir();
  three_systems_sweep(dir);
  g_autofree char *cells = g_build_filename(dir, "cells", NULL);
  GDir *d = g_dir_open(cells, 0, NULL);
  guint binned = 0;
  for (const char *name; (name = g_dir_read_name(d)) != NULL; binned++) {
    g_autofree char *cell = g_build_filename(cells, name, NULL);
    bin_cell(cell, 50001);
  }
  g_dir_close(d);
  g_assert_cmpuint(binned, ==, 3);
  three_systems_sweep(dir); /* the cells are done: a merge */
  g_auto(GStrv) lines = stats_lines(dir);
  g_auto(GStrv) cols = g_strsplit(lines[0], ",", -1);
  g_auto(GStrv) vals = g_strsplit(lines[1], ",", -1);
#define COL(name) col_value(cols, vals, name)
#define WITHIN(got, want) g_assert_cmpfloat(fabs((got) - (want)), <=, 1e-4 * (want) * (1 + 1e-9))
  const double xp = 7200 + 5 * 1 + 0.020 - 600, vista = 7200 + 10 * 1 + 0.020 - 600,
               tux = 7200 + 9 * 75 + 0.020 - 600;
  g_assert_cmpfloat(COL("detection_n"), ==, 9 * 50001);
  WITHIN(COL("detection_p50_s"), vista);
  WITHIN(COL("detection_p50_lo_s"), vista);
  WITHIN(COL("detection_p50_hi_s"), vista);
  WITHIN(COL("detection_p95_s"), tux);
  WITHIN(COL("detection_p95_lo_s"), tux);
  WITHIN(COL("detection_p95_hi_s"), tux);
  g_assert_cmpfloat_with_epsilon(COL("detection_max_s"), tux, 1e-6);
  g_assert_cmpfloat_with_epsilon(COL("detection_mean_s"), (xp + vista + tux) / 3, 1e-6);
  /* Its interval from the pooled squared deviations: t(0.975, 450008) is
   * z = 1.96 within 1e-5, so the half-width is z s / sqrt(n) within 1e-4. */
  const double n = 9 * 50001.0, mean = (xp + vista + tux) / 3;
  double m2 = 3 * 50001 *
              ((xp - mean) * (xp - mean) + (vista - mean) * (vista - mean) +
               (tux - mean) * (tux - mean));
  double half = 1.959963984540054 * sqrt(m2 / (n - 1)) / sqrt(n);
  g_assert_cmpfloat(fabs(COL("detection_mean_hi_s") - COL("detection_mean_s") - half), <=,
                    1e-4 * half);
#undef WITHIN
#undef COL
  ks_test_rm_rf(dir);
}

static guint count_entries(const char *dir) {
  GDir *d = g_dir_open(dir, 0, NULL);
  guint n = 0;
  if (d) {
    while (g_dir_read_name(d))
      n++;
    g_dir_close(d);
  }
  return n;
}

/* Ctrl-C in the middle of 200 cells says how to resume, leaves no
 * sweep.json, and the resume keeps the cells done. */
static void test_interrupt(void) {
  g_autofree char *dir = tmp_dir();
  g_autofree char *cells = g_build_filename(dir, "cells", NULL);
  const char *args[] = {"--grid", "KeepAliveTime=10s,20s,30s,40s", "--seeds", "50", "--jobs", "1",
                        NULL};
  int err_fd, status = 0;
  GPid pid = sweep_start(dir, args, &err_fd);
  for (int i = 0; i < 20000 && count_entries(cells) < 3; i++)
    g_usleep(1000);
  kill(pid, SIGINT);
  GString *err = sweep_wait(pid, err_fd, &status);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 128 + SIGINT);
  if (strstr(err->str, "interrupted") == NULL ||
      strstr(err->str, "run the same command again to resume") == NULL)
    g_error("expected how to resume in: %s", err->str);
  g_string_free(err, TRUE);
  g_autofree char *sweep_json = g_build_filename(dir, "sweep.json", NULL);
  g_assert_false(g_file_test(sweep_json, G_FILE_TEST_EXISTS));
  g_autofree char *out = sweep_ok(NULL, NULL, dir, args);
  g_assert_null(strstr(out, ", 0 done before"));
  ks_test_rm_rf(dir);
}

/* On a terminal (script(1) gives it one) the progress line says cells
 * done, the rate and the time left, and ends at all of them. */
static void test_progress(void) {
  g_autofree char *script = g_find_program_in_path("script");
  if (script == NULL) {
    g_test_skip("script(1) is not installed (util-linux)");
    return;
  }
  g_autofree char *dir = tmp_dir();
  g_autofree char *sc = scenario();
  g_autofree char *cmd = g_strdup_printf("'%s' sweep '%s' --grid KeepAliveTime=10s,20s --seeds 20 "
                                         "--jobs 1 --out '%s'",
                                         g_getenv("KASIM"), sc, dir);
  const char *argv[] = {script, "-qec", cmd, "/dev/null", NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  /* Every cell is counted as its answer comes, however many come at
   * once: 1, 2, ... 40 of 40. */
  for (int done = 1; done <= 40; done++) {
    g_autofree char *want = g_strdup_printf("kasim sweep: %d of 40 cells, ", done);
    if (strstr(out, want) == NULL)
      g_error("expected '%s' in: %s", want, out);
  }
  g_assert_nonnull(strstr(out, " cells/s, "));
  g_assert_nonnull(strstr(out, " left"));
  ks_test_rm_rf(dir);
}

/* ---- kasim tune -------------------------------------------------------- */

static int run_tune(const char *out_dir, const char *const *extra, char **out, char **err) {
  g_autofree char *sc = g_test_build_filename(G_TEST_DIST, "data", "tune-one.yaml", NULL);
  GPtrArray *argv = g_ptr_array_new();
  const char *head[] = {g_getenv("KASIM"),
                        "tune",
                        sc,
                        "--out",
                        out_dir,
                        "--grid",
                        "groups.clients.sockopts.TCP_KEEPIDLE=30,60,7200"};
  for (size_t i = 0; i < G_N_ELEMENTS(head); i++)
    g_ptr_array_add(argv, (gpointer)head[i]);
  for (; *extra; extra++)
    g_ptr_array_add(argv, (gpointer)*extra);
  g_ptr_array_add(argv, NULL);
  int status = ks_test_spawn((const char *const *)argv->pdata, out, err);
  g_ptr_array_free(argv, TRUE);
  return status;
}

/* tune-one.yaml detects the cut between 4 x 5 = 20 s and TCP_KEEPIDLE + 20
 * s after it, or 7200 + 20 + 0.020 - 600 = 6620.02 s with the default idle
 * time: within 90 s only idle times 30 and 60 do, and 60 probes half as
 * often (facts §4: one probe per idle period), so it ranks first.  7200 is
 * on the Pareto front (cheapest) but meets nothing. */
static void test_tune(void) {
  g_autofree char *dir = tmp_dir();
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = {"--seeds",    "2",        "--require", "detection_max <= 90s",
                        "--minimize", "overhead", NULL};
  g_assert_cmpint(run_tune(dir, args, &out, &err), ==, 0);
  g_assert_cmpstr(err, ==, "");
  const char *first = strstr(out, "  1. TCP_KEEPIDLE=60");
  const char *second = strstr(out, "  2. TCP_KEEPIDLE=30");
  if (first == NULL || second == NULL || second < first || strstr(out, "  3. ") != NULL)
    g_error("expected 60 then 30 and nothing else: %s", out);
  g_autoptr(GBytes) csv = slurp(dir, "tune.csv");
  g_autofree char *text = g_strndup(g_bytes_get_data(csv, NULL), g_bytes_get_size(csv));
  g_assert_cmpstr(text, ==,
                  "index,groups.clients.sockopts.TCP_KEEPIDLE,require_1,meets_all,rank,pareto\n"
                  "0,30,true,true,2,false\n"
                  "1,60,true,true,1,true\n"
                  "2,7200,false,false,,true\n");
  /* The 7200 s setting's numbers, from the facts: 6620.02 s, every time. */
  g_autoptr(GBytes) stats = slurp(dir, "stats.csv");
  g_autofree char *st = g_strndup(g_bytes_get_data(stats, NULL), g_bytes_get_size(stats));
  g_auto(GStrv) lines = g_strsplit(st, "\n", -1);
  g_auto(GStrv) cols = g_strsplit(lines[0], ",", -1);
  g_auto(GStrv) vals = g_strsplit(lines[3], ",", -1);
  g_assert_cmpfloat_with_epsilon(col_value(cols, vals, "detection_max_s"), 6620.02, 1e-6);
  g_auto(GStrv) v30 = g_strsplit(lines[1], ",", -1);
  double d30 = col_value(cols, v30, "detection_max_s");
  g_assert_cmpfloat(d30, >=, 20);
  g_assert_cmpfloat(d30, <=, 50);
  /* The picture: a PNG and an SVG. */
  g_autoptr(GBytes) png = slurp(dir, "pareto.png");
  g_assert_cmpint(memcmp(g_bytes_get_data(png, NULL), "\x89PNG", 4), ==, 0);
  g_autoptr(GBytes) svg = slurp(dir, "pareto.svg");
  g_assert_nonnull(
    g_strstr_len(g_bytes_get_data(svg, NULL), (gssize)g_bytes_get_size(svg), "<svg"));

  /* A constraint nothing meets with two seeds' confidence: a rate's Wilson
   * bound at 0 of 2 is 3.84 / 5.84 = 66%, above 1%. */
  g_free(out), g_free(err);
  const char *strict[] = {"--seeds", "2", "--require", "false_giveup_rate <= 1%", NULL};
  g_assert_cmpint(run_tune(dir, strict, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "no setting meets every constraint"));
  ks_test_rm_rf(dir);

  /* Bad questions: one line naming the problem and where, exit 2, no
   * folder. */
  static const struct {
    const char *args[4];
    const char *what;
  } bad[] = {
    {{"--require", "detection_p95 <= 60x", NULL}, "at character 20: unknown unit 'x'"},
    {{"--require", "latency <= 60s", NULL},
     "unknown metric 'latency' (one of: detection_mean, detection_p50, detection_p95, "
     "detection_max, false_giveup_rate, detected_rate, survival_rate, overhead)\n"},
    {{"--require", "false_giveup_rate <= 150%", NULL}, "at most 1"},
    {{"--require", "detection_p95 60s", NULL}, "expected <=, <, >= or >"},
    {{"--require", "detection_p95 <= soon", NULL}, "expected a number"},
    {{"--require", "detection_p95 <= 1e308h", NULL}, "at character 18: too large a number"},
    {{"--minimize", "speed", NULL}, "--minimize speed"},
  };
  g_autofree char *none = g_build_filename(dir, "never", NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_free(out), g_free(err);
    out = err = NULL;
    g_assert_cmpint(run_tune(none, bad[i].args, &out, &err), ==, 2);
    g_assert_true(g_str_has_prefix(err, "kasim tune: "));
    g_assert_cmpstr(strchr(err, '\n') + 1, ==, "");
    if (strstr(err, bad[i].what) == NULL)
      g_error("expected '%s' in: %s", bad[i].what, err);
    g_assert_cmpstr(out, ==, "");
    g_assert_false(g_file_test(none, G_FILE_TEST_EXISTS));
  }
}

/* mpirun -np 2: both ranks work, rank 0 merges, and the results are
 * byte-identical to a local sweep's. */
static void test_mpi(void) {
#ifndef KASIM_HAVE_MPI
  g_test_skip("kasim was built without MPI (libopenmpi-dev; scripts/install-deps installs it)");
  return;
#else
  g_autofree char *mpirun = g_find_program_in_path("mpirun");
  if (mpirun == NULL) {
    g_test_skip("mpirun is not installed (openmpi-bin; scripts/install-deps installs it)");
    return;
  }
  g_autofree char *dir = tmp_dir();
  const char *args[] = {"--grid", GRID1, "--grid", GRID2, "--seeds", SEEDS, "--jobs", "1", NULL};
  /* Root needs the two variables (or --allow-run-as-root); a container
   * with 2 cores needs --oversubscribe at most; --bind-to none lets each
   * rank's workers use any core. */
  const char *prefix[] = {mpirun, "-np", "2", "--oversubscribe", "--bind-to", "none", NULL};
  char **envp = g_get_environ();
  envp = g_environ_setenv(envp, "OMPI_ALLOW_RUN_AS_ROOT", "1", TRUE);
  envp = g_environ_setenv(envp, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", TRUE);
  /* Shared memory only, without the cross-memory attach containers forbid. */
  envp = g_environ_setenv(envp, "OMPI_MCA_btl", "self,vader", TRUE);
  envp = g_environ_setenv(envp, "OMPI_MCA_btl_vader_single_copy_mechanism", "none", TRUE);
  /* Under AddressSanitizer: Open MPI's own leaks are suppressed, kasim's
   * are not (lsan-mpi.supp). */
  g_autofree char *supp = g_test_build_filename(G_TEST_DIST, "lsan-mpi.supp", NULL);
  const char *lsan = g_environ_getenv(envp, "LSAN_OPTIONS");
  g_autofree char *lsan_options = g_strdup_printf(
    "%s%ssuppressions=%s:print_suppressions=0:fast_unwind_on_malloc=0", lsan ? lsan : "",
    lsan ? ":" : "", supp);
  envp = g_environ_setenv(envp, "LSAN_OPTIONS", lsan_options, TRUE);
  g_autofree char *o2 = sweep_ok(prefix, envp, dir, args);
  g_strfreev(envp);
  if (strstr(o2, "12 run now on 2 ranks (6 + 6)") == NULL)
    g_error("expected both ranks to run 6 cells: %s", o2);
  assert_same_results(reference_sweep(), dir);
  ks_test_rm_rf(dir);
#endif
}

/* --engine ns3 goes to every cell: a cell is exactly what `kasim run
 * --engine ns3` writes.  The folder remembers the engine: resuming it on
 * the native engine is refused. */
static void test_ns3(void) {
#ifndef KASIM_HAVE_NS3
  g_test_skip("kasim was built without ns-3 (g++ and libns3-dev; scripts/install-deps installs "
              "them)");
#else
  g_autofree char *dir = tmp_dir();
  const char *args[] = {"--grid", GRID1, "--engine", "ns3", NULL};
  g_autofree char *out = sweep_ok(NULL, NULL, dir, args);
  g_assert_nonnull(strstr(out, "2 cells (2 combinations x 1 seed): 2 run now"));
  const char *run_args[] = {"--set", "KeepAliveTime=30s", "--seed", "1", "--engine", "ns3", NULL};
  const char *sets[] = {"KeepAliveTime=30s", NULL};
  g_autofree char *rel = cell_rel(sets, 1);
  g_autofree char *run_out = assert_cell_is_run(dir, rel, run_args);
  g_assert_true(g_str_has_prefix(run_out, "kasim run: sweep-small on ns-3, "));
  const char *native[] = {"--grid", GRID1, NULL};
  expect_refused(dir, native, "--engine");
  ks_test_rm_rf(dir);
#endif
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("KASIM"));
  g_test_add_func("/sweep/bad-input", test_bad_input);
  g_test_add_func("/sweep/outputs", test_outputs);
  g_test_add_func("/sweep/jobs", test_jobs);
  g_test_add_func("/sweep/resume", test_resume);
  g_test_add_func("/sweep/worker-dies", test_worker_dies);
  g_test_add_func("/sweep/other-arguments", test_other_arguments);
  g_test_add_func("/sweep/extend", test_extend);
  g_test_add_func("/sweep/vary-anything", test_vary_anything);
  g_test_add_func("/sweep/stats", test_stats);
  g_test_add_func("/sweep/stats-binned", test_stats_binned);
  g_test_add_func("/sweep/interrupt", test_interrupt);
  g_test_add_func("/sweep/tune", test_tune);
  g_test_add_func("/sweep/progress", test_progress);
  g_test_add_func("/sweep/mpi", test_mpi);
  g_test_add_func("/sweep/ns3", test_ns3);
  int status = g_test_run();
  if (reference)
    ks_test_rm_rf(reference);
  g_free(reference);
  return status;
}
