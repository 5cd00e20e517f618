/* test_analysis_cli.c - `kasim run`'s failure fields on shipped scenarios
 * (arithmetic from keepalive-facts.md in each test), `kasim plot` and
 * `kasim capacity` end to end: files, determinism, and bad input that
 * leaves one line, exit status 2 and nothing written. */
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ks_metrics.h"
#include "ks_plot.h"
#include "ks_trace.h"

#include "ks_test_spawn.h"

static char *run_scenario(const char *name) {
  char *dir = g_dir_make_tmp("kasim-acli-XXXXXX", NULL);
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios", name, NULL);
  const char *argv[] = {g_getenv("KASIM"), "run", path, "--out", dir, NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  return dir;
}

static JsonObject *conn_of(JsonParser *p, const char *dir, guint i) {
  g_autofree char *path = g_build_filename(dir, "summary.json", NULL);
  g_assert_true(json_parser_load_from_file(p, path, NULL));
  JsonObject *root = json_node_get_object(json_parser_get_root(p));
  return json_array_get_object_element(json_object_get_array_member(root, "connections"), i);
}

/* cable-pull (facts §2): link down at 600 s; the Vista client's last
 * receive is the SYN-ACK at 2 x (10 ms + 3.2 us to serialise 40 octets at
 * 100 Mbit/s) = 0.0200064 s, so it gives up at 7210.0200064 s: a latency of
 * 6610.0200064 s.  Its 10 one-octet probes take 10 x 84 = 840 octets on
 * the wire; the run stops when nothing is left to happen, at that give-up
 * (its RST dies on the cut link at once): 840 / 7210.0200064 octets/s. */
static void test_cable_pull_failure(void) {
  g_autofree char *dir = run_scenario("cable-pull.yaml");
  JsonParser *p = json_parser_new();
  JsonObject *c = conn_of(p, dir, 0);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(c, "failure_at_s"), 600, 1e-9);
  g_assert_cmpstr(json_object_get_string_member(c, "failure"), ==, "link_down");
  g_assert_false(json_object_get_boolean_member(c, "false_giveup"));
  g_assert_false(json_object_get_boolean_member(c, "recovered"));
  g_assert_cmpint(json_object_get_int_member(c, "middleboxes"), ==, 0);
  g_object_unref(p);
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(m->detected, ==, 1);
  g_assert_cmpfloat_with_epsilon(m->latency_p50_s, 6610.0200064, 1e-6);
  g_assert_cmpuint(m->wire_probes, ==, 10);
  g_assert_cmpuint(m->probe_wire_bytes, ==, 840);
  g_assert_cmpfloat_with_epsilon(m->virtual_time_s, 7210.0200064, 1e-9);
  g_assert_cmpfloat_with_epsilon(m->probe_bytes_per_s, 840.0 / 7210.0200064, 1e-12);
  ks_metrics_free(m);
  ks_test_rm_rf(dir);
}

/* nat-aws (facts §6): the NAT forgets the flow 350 s after the last
 * segment it passed, the client's handshake ACK put on the link at
 * 2 x 2 ms = 0.004 s: failure 350.004 s; the tuned group survives. */
static void test_nat_aws_failure(void) {
  g_autofree char *dir = run_scenario("nat-aws.yaml");
  JsonParser *p = json_parser_new();
  JsonObject *c = conn_of(p, dir, 0);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(c, "failure_at_s"), 350.004, 1e-9);
  g_assert_cmpstr(json_object_get_string_member(c, "failure"), ==, "middlebox");
  g_assert_false(json_object_get_boolean_member(c, "false_giveup"));
  g_object_unref(p);
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(m->middlebox_conns, ==, 2);
  g_assert_cmpuint(m->middlebox_survivors, ==, 1);
  /* 7875.004 - 350.004 = 7525 s (facts §4: 7200 + 9 x 75 after the
   * handshake). */
  g_assert_cmpfloat_with_epsilon(m->latency_max_s, 7525, 1e-6);
  ks_metrics_free(m);
  ks_test_rm_rf(dir);
}

/* flapping-link: the impatient client dies at 80.02 s, the link having
 * come back at 75 s: a false give-up after a failure at 45 s.  lossy-link:
 * every death is a false give-up, none had a failure. */
static void test_false_giveups(void) {
  g_autofree char *dir = run_scenario("flapping-link.yaml");
  JsonParser *p = json_parser_new();
  JsonObject *c = conn_of(p, dir, 1);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(c, "failure_at_s"), 45, 1e-9);
  g_assert_true(json_object_get_boolean_member(c, "recovered"));
  g_assert_true(json_object_get_boolean_member(c, "false_giveup"));
  g_object_unref(p);
  ks_test_rm_rf(dir);

  g_autofree char *lossy = run_scenario("lossy-link.yaml");
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(lossy, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(m->failed, ==, 0);
  g_assert_cmpuint(m->closed, >, 0);
  g_assert_cmpuint(m->false_giveups, ==, m->closed);
  g_assert_cmpuint(m->detected, ==, 0);
  ks_metrics_free(m);
  ks_test_rm_rf(lossy);
}

static GBytes *slurp(const char *dir, const char *name) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *text = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  return g_bytes_new_take(text, len);
}

static const char *const run_plots[] = {"timeline.png",    "timeline.svg", "latency-cdf.png",
                                        "latency-cdf.svg", "overhead.png", "overhead.svg"};

/* A run's three pictures in two formats, twice: the same bytes. */
static void test_plot_run(void) {
  g_autofree char *dir = run_scenario("xp-vs-vista.yaml");
  g_autofree char *a = g_build_filename(dir, "a", NULL);
  g_autofree char *b = g_build_filename(dir, "b", NULL);
  for (int k = 0; k < 2; k++) {
    const char *argv[] = {g_getenv("KASIM"), "plot", dir, "--out", k ? b : a, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
    g_assert_cmpstr(err, ==, "");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, G_N_ELEMENTS(run_plots) + 1);
  }
  for (size_t i = 0; i < G_N_ELEMENTS(run_plots); i++) {
    g_autoptr(GBytes) x = slurp(a, run_plots[i]);
    g_autoptr(GBytes) y = slurp(b, run_plots[i]);
    g_assert_cmpuint(g_bytes_get_size(x), >, 1000);
    g_assert_true(g_bytes_equal(x, y));
  }
  ks_test_rm_rf(dir);
}

static void expect_usage_error(const char *const *argv, const char *prefix, const char *never) {
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 2);
  if (!g_str_has_prefix(err, prefix))
    g_error("stderr '%s' does not start with '%s'", err, prefix);
  g_assert_cmpstr(strchr(err, '\n') + 1, ==, ""); /* one line */
  g_assert_cmpstr(out, ==, "");
  g_assert_false(g_file_test(never, G_FILE_TEST_EXISTS));
}

static void test_plot_bad_input(void) {
  g_autofree char *empty = g_dir_make_tmp("kasim-notrun-XXXXXX", NULL);
  g_autofree char *out = g_build_filename(empty, "out", NULL);
  const char *k = g_getenv("KASIM");
  g_autofree char *p1 = g_strdup_printf("kasim plot: %s: not a run or sweep folder", empty);
  expect_usage_error((const char *[]){k, "plot", empty, "--out", out, NULL}, p1, out);
  g_autofree char *fx = fixture_run();
  expect_usage_error((const char *[]){k, "plot", fx, "--out", out, "--conn", "99", NULL},
                     "kasim plot: --conn 99: the run has connections 0 to 6", out);
  expect_usage_error((const char *[]){k, "plot", fx, "--out", out, "--conn", "x", NULL},
                     "kasim plot: --conn x: not a connection number", out);
  expect_usage_error((const char *[]){k, "plot", NULL}, "kasim plot: a run or sweep folder", out);
  /* A broken trace: named by file and line, nothing written. */
  g_autofree char *t = g_build_filename(fx, "trace.jsonl", NULL);
  g_assert_true(g_file_set_contents(t, "{\"t\":1.0}\n", -1, NULL));
  g_autofree char *p2 = g_strdup_printf("kasim plot: %s:1: no \"t\" or \"ev\"", t);
  expect_usage_error((const char *[]){k, "plot", fx, "--out", out, NULL}, p2, out);
  fixture_rm(fx);
  ks_test_rm_rf(empty);
}

/* A sweep folder: the heatmap and the overhead lines. */
static void test_plot_sweep(void) {
  g_autofree char *dir = fixture_sweep();
  const char *argv[] = {g_getenv("KASIM"), "plot", dir, NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  const char *files[] = {"heatmap.png", "heatmap.svg", "overhead.png", "overhead.svg"};
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *path = g_build_filename(dir, files[i], NULL);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
  }
  fixture_rm(dir);
}

/* The brief's example (worked out in test_capacity.c): 2,000,000 Vista
 * clients with KeepAliveTime 300,000 ms: 6,666.67 probes/s, 1,120,000
 * octets/s, 310 s worst case, 6,666.67 reconnects/s. */
static void test_capacity_cli(void) {
  g_autofree char *plot = g_dir_make_tmp("kasim-cap-XXXXXX", NULL);
  const char *k = g_getenv("KASIM");
  const char *argv[] = {k,
                        "capacity",
                        "--connections",
                        "2000000",
                        "--profile",
                        "windows-vista",
                        "--set",
                        "KeepAliveTime=300000",
                        "--plot",
                        plot,
                        NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_assert_nonnull(strstr(out, "6,666.67"));
  g_assert_nonnull(strstr(out, "1,120,000 (8.96 Mbit/s)"));
  g_assert_nonnull(strstr(out, "310 s"));
  g_assert_nonnull(strstr(out, "6,666.67/s"));
  g_autofree char *png = g_build_filename(plot, "capacity.png", NULL);
  g_autofree char *svg = g_build_filename(plot, "capacity.svg", NULL);
  g_assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
  g_assert_true(g_file_test(svg, G_FILE_TEST_IS_REGULAR));

  /* Beside a run of the same settings (cable-pull, Vista defaults): the
   * simulated worst case is the run's 6610.02 s. */
  g_autofree char *run = run_scenario("cable-pull.yaml");
  const char *argv2[] = {k, "capacity", "-n", "1000", "-p", "windows-vista", "--run", run, NULL};
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_assert_cmpint(ks_test_spawn(argv2, &out2, &err2), ==, 0);
  g_assert_nonnull(strstr(out2, "simulated"));
  g_assert_nonnull(strstr(out2, "6610.02 s"));
  g_assert_nonnull(strstr(out2, "Why they differ"));

  g_autofree char *none = g_build_filename(plot, "none", NULL);
  expect_usage_error((const char *[]){k, "capacity", "-n", "5", "-p", "nope", "--plot", none, NULL},
                     "kasim capacity: --profile nope: unknown profile", none);
  expect_usage_error((const char *[]){k, "capacity", "-n", "5", "-p", "windows-vista", "--set",
                                      "TCP_KEEPCNT=3", "--plot", none, NULL},
                     "kasim capacity: ", none);
  expect_usage_error((const char *[]){k, "capacity", "-n", "0", "-p", "linux", NULL},
                     "kasim capacity: --connections 0: not a whole number", none);
  expect_usage_error((const char *[]){k, "capacity", "-n", "5", "-p", "linux", "--run", plot,
                                      "--plot", none, NULL},
                     "kasim capacity: ", none);
  expect_usage_error((const char *[]){k, "capacity", "-n", "5", "-p", "linux", "--flap", "30",
                                      NULL},
                     "kasim capacity: --flap 30: not a duration", none);
  ks_test_rm_rf(run);
  ks_test_rm_rf(plot);
}

/* many-idle-clients with 12,000 clients (past the 10,000 a run lists in
 * summary.json), traced at `trace` (NULL: the default, failures). */
static char *storm_run(const char *trace) {
  char *dir = g_dir_make_tmp("kasim-acli-XXXXXX", NULL);
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios",
                                                "many-idle-clients.yaml", NULL);
  const char *argv[] = {g_getenv("KASIM"),
                        "run",
                        path,
                        "--out",
                        dir,
                        "--set",
                        "groups.burst.count=6000",
                        "--set",
                        "groups.spread.count=6000",
                        "--trace",
                        trace,
                        NULL};
  if (trace == NULL)
    argv[9] = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  return dir;
}

/* The story of a connection from a trace kept from its first sign of
 * trouble on: connection 0 loses its first probe at 7200.04 s, whose send
 * the trace does not hold; still its 10 probes (facts §2: Vista sends 10)
 * are drawn, numbered from 1, with the note that earlier events are left
 * out.  A trace without it: an error that says why and how to get it. */
static void test_partial_traces(void) {
  g_autofree char *dir = storm_run(NULL);
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(m->trace_level, ==, "failures");
  ks_timeline *tl = ks_timeline_load(dir, m, &error);
  g_assert_no_error(error);
  g_assert_true(tl->partial);
  GPtrArray *rows = ks_plot_timeline_rows(tl);
  guint probes = 0;
  for (guint i = 0; i < rows->len; i++)
    if (g_str_has_prefix(rows->pdata[i], "keep-alive probe ")) /* numbered in order */
      g_assert_cmpint(atoi((char *)rows->pdata[i] + 17), ==, ++probes);
  g_assert_cmpuint(probes, ==, 10);
  g_ptr_array_unref(rows);
  ks_timeline_free(tl);
  ks_metrics_free(m);
  ks_test_rm_rf(dir);

  static const struct {
    const char *trace, *why;
  } cases[] = {{"none", "the run wrote no trace.jsonl (--trace none)"},
               {"conn=5", "the run traced only the connections its --trace conn= listed"}};
  for (guint k = 0; k < G_N_ELEMENTS(cases); k++) {
    g_autofree char *d = storm_run(cases[k].trace);
    m = ks_metrics_load(d, &error);
    g_assert_no_error(error);
    g_assert_null(ks_timeline_load(d, m, &error));
    g_assert_error(error, KS_METRICS_ERROR, KS_METRICS_ERROR_NO_TRACE);
    g_assert_nonnull(strstr(error->message, cases[k].why));
    g_assert_nonnull(strstr(error->message, "run it again with --trace conn=0"));
    g_clear_error(&error);
    ks_metrics_free(m);
    ks_test_rm_rf(d);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("KASIM"));
  g_test_add_func("/analysis-cli/cable-pull-failure", test_cable_pull_failure);
  g_test_add_func("/analysis-cli/nat-aws-failure", test_nat_aws_failure);
  g_test_add_func("/analysis-cli/false-giveups", test_false_giveups);
  g_test_add_func("/analysis-cli/plot-run", test_plot_run);
  g_test_add_func("/analysis-cli/plot-bad-input", test_plot_bad_input);
  g_test_add_func("/analysis-cli/plot-sweep", test_plot_sweep);
  g_test_add_func("/analysis-cli/capacity", test_capacity_cli);
  g_test_add_func("/analysis-cli/partial-traces", test_partial_traces);
  return g_test_run();
}
