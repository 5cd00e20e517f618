/* test_metrics.c - ks_metrics on the hand-written run of fixture.h, every
 * expected number worked out below; the wire size of a segment from the
 * Ethernet, IPv4 and TCP header sizes; the trace reader's exact times and
 * its refusals. */
#include <math.h>
#include <string.h>

#include "fixture.h"
#include "ks_metrics.h"
#include "ks_trace.h"

/* IEEE 802.3: preamble+SFD 8, header 14, FCS 4, minimum frame 64 with the
 * FCS (so 60 before it), gap 12; IPv4 20 (RFC 791); TCP 20 (RFC 9293).
 *   payload 0: 14+20+20 = 54 -> padded to 60, +4+8+12 = 84
 *   payload 1 (a Windows probe): 55 -> 60 -> 84
 *   payload 6: 60 exactly -> 84;  7: 61 + 24 = 85
 *   payload 1460 (a full MSS): 1514 + 24 = 1538, Ethernet's largest. */
static void test_wire_bytes(void) {
  g_assert_cmpuint(ks_wire_bytes(0), ==, 84);
  g_assert_cmpuint(ks_wire_bytes(1), ==, 84);
  g_assert_cmpuint(ks_wire_bytes(6), ==, 84);
  g_assert_cmpuint(ks_wire_bytes(7), ==, 85);
  g_assert_cmpuint(ks_wire_bytes(1460), ==, 1538);
  g_assert_cmpuint(ks_ip_bytes(0), ==, 40);
  g_assert_cmpuint(ks_ip_bytes(1), ==, 41);
}

/* Nearest rank: the p-th of n sorted values is at rank ceil(p/100 x n). */
static void test_percentile(void) {
  GArray *a = g_array_new(FALSE, FALSE, sizeof(double));
  g_assert_true(isnan(ks_percentile(a, 50)));
  double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  g_array_append_vals(a, v, 10);
  g_assert_cmpfloat(ks_percentile(a, 50), ==, 5);  /* ceil(5) = 5 */
  g_assert_cmpfloat(ks_percentile(a, 95), ==, 10); /* ceil(9.5) = 10 */
  g_assert_cmpfloat(ks_percentile(a, 10), ==, 1);  /* ceil(1) = 1 */
  g_assert_cmpfloat(ks_percentile(a, 11), ==, 2);  /* ceil(1.1) = 2 */
  g_assert_cmpfloat(ks_percentile(a, 0), ==, 1);
  g_assert_cmpfloat(ks_percentile(a, 100), ==, 10);
  g_array_unref(a);
}

static void test_fixture_metrics(void) {
  g_autofree char *dir = fixture_run();
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(m->scenario, ==, "fixture");
  g_assert_cmpuint(m->connections, ==, 7);
  g_assert_cmpuint(m->closed, ==, 4); /* 0, 1, 2, 3 */
  g_assert_cmpuint(m->alive, ==, 3);
  g_assert_cmpuint(m->keepalive_timeouts, ==, 3);  /* 0, 1, 3 */
  g_assert_cmpuint(m->resets, ==, 1);              /* 2 */
  g_assert_cmpuint(m->failed, ==, 5);              /* 0, 1, 2, 4, 5 */
  g_assert_cmpuint(m->detected, ==, 3);            /* 0, 1, 2 */
  g_assert_cmpuint(m->undetected, ==, 1);          /* 5 */
  g_assert_cmpuint(m->survived_failures, ==, 1);   /* 4 */
  g_assert_cmpuint(m->false_giveups, ==, 1);       /* 3 */
  g_assert_cmpuint(m->middlebox_conns, ==, 2);     /* 5, 6 */
  g_assert_cmpuint(m->middlebox_survivors, ==, 1); /* 6: 5 failed */
  /* Latencies, sorted: 100.5-100 = 0.5, 7210.02-600 = 6610.02,
   * 7210.52-600 = 6610.52.  Mean 13221.04 / 3 = 4407.0133...; median at
   * rank ceil(1.5) = 2; 95% at rank ceil(2.85) = 3. */
  g_assert_cmpuint(ks_dist_count(m->latency), ==, 3);
  g_assert_true(ks_dist_exact(m->latency) && m->latency_exact);
  g_assert_cmpfloat_with_epsilon(ks_dist_rank(m->latency, 1), 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon(m->latency_mean_s, 13221.04 / 3, 1e-6);
  g_assert_cmpfloat_with_epsilon(m->latency_p50_s, 6610.02, 1e-6);
  g_assert_cmpfloat_with_epsilon(m->latency_p95_s, 6610.52, 1e-6);
  g_assert_cmpfloat_with_epsilon(m->latency_max_s, 6610.52, 1e-6);
  /* summary.json: 10 + 3 probes sent, 1 answered. */
  g_assert_cmpuint(m->probes_sent, ==, 13);
  g_assert_cmpuint(m->probes_answered, ==, 1);
  /* trace.jsonl: 10 + 3 probe SENDs and one ACK SEND, 84 octets each:
   * 14 x 84 = 1176; per second of the 8000: 13/8000 = 0.001625 probes and
   * 1176/8000 = 0.147 octets. */
  g_assert_cmpuint(m->wire_probes, ==, 13);
  g_assert_cmpuint(m->wire_probe_acks, ==, 1);
  g_assert_cmpuint(m->probe_wire_bytes, ==, 1176);
  g_assert_cmpfloat_with_epsilon(m->probes_per_s, 0.001625, 1e-12);
  g_assert_cmpfloat_with_epsilon(m->probe_bytes_per_s, 0.147, 1e-12);
  /* Give-ups at 13.0, 100.5, 7210.02, 7210.52: bins from second 13 to
   * second 7210, 7198 of them; 2 in the last, the peak. */
  g_assert_cmpfloat(m->giveups_start_s, ==, 13);
  g_assert_cmpuint(m->giveups_span_s, ==, 7198);
  g_assert_cmpuint(m->peak_giveups_per_s, ==, 2);
  /* Per group: a has 2 connections, 10 probes (840 octets); b has the rest. */
  g_assert_cmpuint(m->groups->len, ==, 2);
  const ks_group_metrics *a = m->groups->pdata[0], *b = m->groups->pdata[1];
  g_assert_cmpstr(a->name, ==, "a");
  g_assert_cmpstr(a->profile, ==, "windows-vista");
  g_assert_cmpuint(a->connections, ==, 2);
  g_assert_cmpuint(a->detected, ==, 2);
  g_assert_cmpuint(a->probe_wire_bytes, ==, 840);
  g_assert_cmpuint(b->connections, ==, 5);
  g_assert_cmpuint(b->false_giveups, ==, 1);
  g_assert_cmpuint(b->wire_probes, ==, 3);
  g_assert_cmpuint(b->wire_probe_acks, ==, 1);
  /* How each group ended: a by keep-alive twice, b by a reset and a
   * keep-alive give-up, each with its error and its close times. */
  g_assert_cmpuint(a->endings->len, ==, 1);
  const ks_ending *ea = a->endings->pdata[0];
  g_assert_cmpuint(ea->reason, ==, KS_REASON_KEEPALIVE);
  g_assert_cmpstr(ea->error, ==, "WSAENETRESET");
  g_assert_cmpfloat(ks_dist_min(ea->closed_at_s), ==, 7210.02);
  g_assert_cmpfloat(ks_dist_max(ea->closed_at_s), ==, 7210.52);
  g_assert_cmpuint(b->endings->len, ==, 2);
  const ks_ending *eb = b->endings->pdata[0];
  g_assert_cmpuint(eb->reason, ==, KS_REASON_RESET);
  g_assert_cmpstr(eb->error, ==, "ECONNRESET");
  g_assert_cmpuint(b->failed, ==, 3); /* 2, 4, 5 */
  g_assert_cmpuint(b->closed, ==, 2); /* 2, 3 */
  g_assert_cmpuint(a->probes_sent, ==, 10);
  /* The story: the first detected failure, connection 0, as the summary
   * has it. */
  g_assert_cmpuint(m->story.id, ==, 0);
  g_assert_cmpstr(m->story.failure, ==, "link_down");
  g_assert_cmpstr(m->story.error, ==, "WSAENETRESET");
  g_assert_cmpfloat(m->story.closed_at_s, ==, 7210.02);
  ks_metrics_free(m);
  /* Asked for connection 2: its own record. */
  m = ks_metrics_load_conn(dir, 2, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(m->story.id, ==, 2);
  g_assert_cmpuint(m->story.group, ==, 1);
  g_assert_cmpstr(m->story.failure, ==, "peer_reboot");
  g_assert_cmpstr(m->story.error, ==, "ECONNRESET");
  g_assert_null(ks_metrics_load_conn(dir, 7, &error));
  g_assert_nonnull(strstr(error->message, "--conn 7: the run has connections 0 to 6"));
  g_clear_error(&error);

  /* The JSON a sweep stores: the same names, null for "none". */
  JsonBuilder *jb = json_builder_new();
  ks_metrics_to_json(m, jb);
  JsonNode *root = json_builder_get_root(jb);
  JsonObject *o = json_node_get_object(root);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(o, "latency_p50_s"), 6610.02, 1e-6);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(o, "probe_bytes_per_s"), 0.147,
                                 1e-12);
  g_assert_cmpint(json_object_get_int_member(o, "false_giveups"), ==, 1);
  g_assert_cmpint(json_object_get_int_member(o, "closed"), ==, 4);
  g_assert_cmpint(json_object_get_int_member(o, "connections"), ==, 7);
  json_node_unref(root);
  g_object_unref(jb);
  ks_metrics_free(m);
  fixture_rm(dir);
}

/* Nothing detected: the latency figures are NAN and JSON null. */
static void test_nothing_detected(void) {
  g_autofree char *dir = fixture_run();
  g_autofree char *s = g_build_filename(dir, "summary.json", NULL);
  const char one[] =
    "{\"scenario\": \"x\", \"seed\": 3, \"virtual_time_s\": 10, \"connections\": [" CONN(
      0, "g", "linux", "null", "null", "null", 0, 0, "null", "null", "false", "false", 0) "]}";
  g_assert_true(g_file_set_contents(s, one, -1, NULL));
  g_autofree char *t = g_build_filename(dir, "trace.jsonl", NULL);
  g_assert_true(g_file_set_contents(t, "", -1, NULL));
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_true(isnan(m->latency_p50_s));
  g_assert_true(isnan(m->giveups_start_s));
  g_assert_cmpuint(m->peak_giveups_per_s, ==, 0);
  JsonBuilder *jb = json_builder_new();
  ks_metrics_to_json(m, jb);
  JsonNode *root = json_builder_get_root(jb);
  g_assert_true(json_object_get_null_member(json_node_get_object(root), "latency_p50_s"));
  json_node_unref(root);
  g_object_unref(jb);
  ks_metrics_free(m);
  fixture_rm(dir);
}

static void scalar_text(const char *name, gboolean is_int, guint64 count, double value, void *ud) {
  g_string_append_printf(ud, "%s=%s%" G_GUINT64_FORMAT "/%.17g\n", name, is_int ? "i" : "d", count,
                         value);
}

/* Every scalar, in ks_metrics_foreach_scalar's order, and the latencies. */
static char *metrics_text(const ks_run_metrics *m) {
  GString *t = g_string_new(NULL);
  ks_metrics_foreach_scalar(m, scalar_text, t);
  ks_dist_finish(m->latency);
  for (guint64 r = 1; r <= ks_dist_count(m->latency); r++)
    g_string_append_printf(t, "%.17g\n", ks_dist_rank(m->latency, r));
  return g_string_free(t, FALSE);
}

/* A sweep takes a cell's metrics from the summary.json its run just built
 * (ks_metrics_from_summary), not from the file: the same numbers, as
 * ks_metrics_to_json names and orders them. */
static void test_from_summary(void) {
  g_autofree char *dir = fixture_run();
  g_autofree char *path = g_build_filename(dir, "summary.json", NULL);
  GError *error = NULL;
  ks_run_metrics *a = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  JsonParser *p = json_parser_new();
  g_assert_true(json_parser_load_from_file(p, path, NULL));
  ks_run_metrics *b = ks_metrics_from_summary(json_parser_get_root(p), dir, &error);
  g_assert_no_error(error);
  g_autofree char *ta = metrics_text(a), *tb = metrics_text(b);
  g_assert_cmpstr(ta, ==, tb);
  /* The fixture's figures (test_fixture_metrics), in that order. */
  g_assert_true(g_str_has_prefix(ta, "connections=i7/0\nclosed=i4/0\n"));
  g_assert_nonnull(strstr(ta, "\nlatency_max_s=d0/6610.5200000000004\n"));
  /* The order is ks_metrics_to_json's. */
  JsonBuilder *jb = json_builder_new();
  ks_metrics_to_json(b, jb);
  JsonNode *root = json_builder_get_root(jb);
  GList *names = json_object_get_members(json_node_get_object(root));
  GString *order = g_string_new(NULL);
  for (GList *l = names; l; l = l->next)
    g_string_append_printf(order, "%s%s=", order->len ? "\n" : "", (char *)l->data);
  g_list_free(names);
  g_auto(GStrv) lines = g_strsplit(ta, "\n", -1);
  GString *want = g_string_new(NULL);
  for (guint i = 0; lines[i] && strchr(lines[i], '='); i++)
    g_string_append_printf(want, "%s%.*s", want->len ? "\n" : "",
                           (int)(strchr(lines[i], '=') - lines[i] + 1), lines[i]);
  g_assert_cmpstr(order->str, ==, want->str);
  g_string_free(order, TRUE);
  g_string_free(want, TRUE);
  json_node_unref(root);
  g_object_unref(jb);
  ks_metrics_free(a);
  ks_metrics_free(b);
  /* Not a run's summary: the file named, as ks_metrics_load names it. */
  JsonNode *n = json_node_new(JSON_NODE_ARRAY);
  json_node_take_array(n, json_array_new());
  g_assert_null(ks_metrics_from_summary(n, dir, &error));
  g_assert_true(g_str_has_prefix(error->message, path));
  g_clear_error(&error);
  json_node_unref(n);
  g_object_unref(p);
  fixture_rm(dir);
}

static void expect_error(const char *dir, const char *needle) {
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_null(m);
  g_assert_nonnull(error);
  if (strstr(error->message, needle) == NULL)
    g_error("'%s' does not contain '%s'", error->message, needle);
  g_assert_null(strchr(error->message, '\n'));
  g_error_free(error);
}

static void test_not_a_run(void) {
  g_autofree char *dir = g_dir_make_tmp("kasim-empty-XXXXXX", NULL);
  expect_error(dir, "not a run folder");
  g_autofree char *missing = g_build_filename(dir, "nope", NULL);
  expect_error(missing, "no such folder");
  g_rmdir(dir);

  /* A summary from before failure_at_s existed. */
  g_autofree char *d2 = fixture_run();
  g_autofree char *s = g_build_filename(d2, "summary.json", NULL);
  g_assert_true(g_file_set_contents(
    s,
    "{\"scenario\": \"x\", \"seed\": 1, \"virtual_time_s\": 1, \"connections\": [{\"id\": 0, "
    "\"group\": \"g\", \"profile\": \"linux\", \"side\": \"client\", \"closed_at_s\": null, "
    "\"close_reason\": null, \"error\": null, \"probes_sent\": 0, \"probes_answered\": 0}]}",
    -1, NULL));
  expect_error(d2, "connections[0]: no \"failure_at_s\"");
  g_assert_true(g_file_set_contents(s, "[1, 2]", -1, NULL));
  expect_error(d2, "summary.json: not a JSON object");
  g_assert_true(g_file_set_contents(s, "{\"scenario\":", -1, NULL));
  expect_error(d2, "summary.json");
  fixture_rm(d2);

  /* A broken trace line is named by its number. */
  g_autofree char *d3 = fixture_run();
  g_autofree char *t = g_build_filename(d3, "trace.jsonl", NULL);
  g_assert_true(g_file_set_contents(
    t, "{\"t\":1.000000000,\"ev\":\"timer\",\"conn\":0,\"host\":0}\n{\"t\":2.0,\"ev\":\"oops\"}\n",
    -1, NULL));
  expect_error(d3, "trace.jsonl:2: unknown \"ev\"");
  /* A probe of a connection the summary does not have. */
  g_assert_true(g_file_set_contents(
    t, "{\"t\":1.0,\"ev\":\"send\",\"conn\":9,\"dir\":\"c2s\",\"kind\":\"keepalive\",\"len\":0}\n",
    -1, NULL));
  expect_error(d3, "connection 9");
  fixture_rm(d3);
}

/* A run folder as kasim run writes one of more than 10,000 connections:
 * summary.json with the aggregates only, connections.csv with the rows
 * (docs/output.md).  `totals` is summary.json's totals' extra members. */
static char *large_run(double vt, const char *totals, const char *csv_rows) {
  char *dir = g_dir_make_tmp("kasim-large-XXXXXX", NULL);
  g_autofree char *s = g_build_filename(dir, "summary.json", NULL);
  g_autofree char *c = g_build_filename(dir, "connections.csv", NULL);
  g_autofree char *summary = g_strdup_printf(
    "{\"scenario\": \"large\", \"seed\": 1, \"virtual_time_s\": %.17g, \"totals\": {"
    "\"wire_probes\": 0, \"wire_probe_acks\": 0, \"probe_wire_bytes\": 0%s}, \"groups\": [], "
    "\"outputs\": {\"trace_level\": \"none\"}}",
    vt, totals);
  g_assert_true(g_file_set_contents(s, summary, -1, NULL));
  g_autofree char *text = g_strconcat(
    "id,group,profile,side,closed_at_s,close_reason,error,probes_sent,probes_answered,"
    "last_rx_s,failure_at_s,failure,recovered,false_giveup,middleboxes\n",
    csv_rows, NULL);
  g_assert_true(g_file_set_contents(c, text, -1, NULL));
  return dir;
}

static void large_rm(const char *dir) {
  g_autofree char *s = g_build_filename(dir, "summary.json", NULL);
  g_autofree char *c = g_build_filename(dir, "connections.csv", NULL);
  g_unlink(s);
  g_unlink(c);
  g_rmdir(dir);
}

/* |got - want| within KS_DIST_RELATIVE_ERROR of want (and rounding). */
static void assert_within(double got, double want) {
  g_assert_cmpfloat(fabs(got - want), <=, KS_DIST_RELATIVE_ERROR * want * (1 + 1e-12));
}

static int cmp_double(gconstpointer a, gconstpointer b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* 150,000 connections, past KS_DIST_EXACT_MAX: all fail at 1000 s, and
 * connection i gives up L(i) = 1 + (i x 7919 mod n) / 100 s later (7919 is
 * prime, so the L(i) are 1, 1.01, ..., 1500.99 in another order); group a
 * holds the first 100,000.  The run's latency at rank r is 1 + (r-1)/100;
 * give-ups fall 100 to a second, in seconds 1001 to 2500. */
static GString *ramp_rows(guint n, GArray *lat_a) {
  GString *rows = g_string_new(NULL);
  for (guint i = 0; i < n; i++) {
    guint k = (guint)((guint64)i * 7919 % n);
    char closed[32];
    g_snprintf(closed, sizeof closed, "%u.%02u", 1001 + k / 100, k % 100);
    g_string_append_printf(rows,
                           "%u,%s,linux,client,%s,keepalive_timeout,ETIMEDOUT,9,0,0.5,1000.0,"
                           "link_down,false,false,0\n",
                           i, i < 100000 ? "a" : "b", closed);
    double lat = g_ascii_strtod(closed, NULL) - 1000.0; /* as the metrics compute it */
    if (i < 100000)
      g_array_append_val(lat_a, lat);
  }
  return rows;
}

static void test_large_binned(void) {
  const guint n = 150000;
  GArray *lat_a = g_array_new(FALSE, FALSE, sizeof(double));
  GString *rows = ramp_rows(n, lat_a);
  g_array_sort(lat_a, cmp_double);
  /* Without kasim run's own percentiles: the histogram's, within its bound. */
  g_autofree char *dir = large_run(3000, "", rows->str);
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(m->connections, ==, n);
  g_assert_cmpuint(m->detected, ==, n);
  g_assert_false(ks_dist_exact(m->latency));
  g_assert_false(m->latency_exact);
  for (guint r = 1; r <= n; r += 37)
    assert_within(ks_dist_rank(m->latency, r), 1 + (r - 1) / 100.0);
  assert_within(m->latency_p50_s, 1 + (75000 - 1) / 100.0);  /* rank ceil(0.5 n) */
  assert_within(m->latency_p95_s, 1 + (142500 - 1) / 100.0); /* rank ceil(0.95 n) */
  g_assert_cmpfloat(m->latency_max_s, ==, 2500.99 - 1000.0);
  g_assert_cmpfloat(ks_dist_min(m->latency), ==, 1);
  /* The mean of 1 + k/100 over k < n: 1 + (n - 1) / 200. */
  g_assert_cmpfloat_with_epsilon(m->latency_mean_s, 1 + (n - 1) / 200.0, 1e-9);
  /* Group a is binned with the run, though it holds 100,000 alone. */
  const ks_group_metrics *a = m->groups->pdata[0];
  g_assert_false(ks_dist_exact(a->latency));
  assert_within(a->latency_p50_s, ks_percentile(lat_a, 50));
  for (guint r = 1; r <= lat_a->len; r += 41)
    assert_within(ks_dist_rank(a->latency, r), g_array_index(lat_a, double, r - 1));
  /* Close times: first and last exact, the median within the bound. */
  const ks_ending *e = a->endings->pdata[0];
  g_assert_false(ks_dist_exact(e->closed_at_s));
  g_assert_cmpfloat(ks_dist_min(e->closed_at_s), ==, 1000 + g_array_index(lat_a, double, 0));
  assert_within(ks_dist_rank(e->closed_at_s, 50001), 1000 + g_array_index(lat_a, double, 50000));
  /* Give-ups: 100 in each second from 1001 to 2500. */
  g_assert_cmpfloat(m->giveups_start_s, ==, 1001);
  g_assert_cmpuint(m->giveups_span_s, ==, 1500);
  g_assert_cmpuint(m->peak_giveups_per_s, ==, 100);
  ks_metrics_free(m);
  large_rm(dir);

  /* With them (kasim run computes them from every connection): exact. */
  g_autofree char *dir2 = large_run(3000,
                                    ", \"detected\": 150000, \"latency_p50_s\": 750.98, "
                                    "\"latency_p95_s\": 1425.98",
                                    rows->str);
  m = ks_metrics_load(dir2, &error);
  g_assert_no_error(error);
  g_assert_true(m->latency_exact);
  g_assert_cmpfloat(m->latency_p50_s, ==, 750.98);
  g_assert_cmpfloat(m->latency_p95_s, ==, 1425.98);
  ks_metrics_free(m);
  large_rm(dir2);
  g_string_free(rows, TRUE);
  g_array_unref(lat_a);
}

/* Seconds read back as strtod reads them, below 2^53 ns (the count and one
 * division) and above (strtod itself); give-ups over more than the bins'
 * 2^20 seconds, counted stretch by stretch: 10.1 s, two in second
 * 2,000,000, 3,500,000.000000001 s and 9,500,000.000000001 s. */
static void test_large_span(void) {
  static const char *const t[] = {"10.1", "2000000.5", "2000000.7", "3500000.000000001",
                                  "9500000.000000001"};
  GString *rows = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(t); i++)
    g_string_append_printf(rows,
                           "%u,g,linux,client,%s,reset_by_peer,ECONNRESET,0,0,0.5,1.0,peer_reboot,"
                           "false,false,0\n",
                           i, t[i]);
  g_autofree char *dir = large_run(1e7, "", rows->str);
  g_string_free(rows, TRUE);
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpfloat(m->giveups_start_s, ==, 10);
  g_assert_cmpuint(m->giveups_span_s, ==, 9500000 - 10 + 1);
  g_assert_cmpuint(m->peak_giveups_per_s, ==, 2);
  const ks_ending *e = ((ks_group_metrics *)m->groups->pdata[0])->endings->pdata[0];
  g_assert_true(ks_dist_exact(e->closed_at_s));
  for (guint i = 0; i < G_N_ELEMENTS(t); i++)
    g_assert_cmpfloat(ks_dist_rank(e->closed_at_s, i + 1), ==, g_ascii_strtod(t[i], NULL));
  g_assert_cmpfloat(ks_dist_rank(m->latency, 1), ==, g_ascii_strtod(t[0], NULL) - 1.0);
  ks_metrics_free(m);
  large_rm(dir);
}

typedef struct got {
  GArray *t;
} got;

static gboolean collect(const ks_trace_rec *r, void *ud) {
  g_array_append_val(((got *)ud)->t, r->t_ns);
  return TRUE;
}

/* Times are read as exact nanoseconds: 7210.020000640 s, not its nearest
 * double; "1.5" is 1.5 s; a bare "3" is 3 s. */
static void test_trace_times(void) {
  g_autofree char *dir = g_dir_make_tmp("kasim-trace-XXXXXX", NULL);
  g_autofree char *t = g_build_filename(dir, "trace.jsonl", NULL);
  g_assert_true(g_file_set_contents(t,
                                    "{\"t\":7210.020000640,\"ev\":\"close\",\"conn\":0}\n"
                                    "{\"t\":1.5,\"ev\":\"scenario\",\"target\":2}\n"
                                    "\n"
                                    "{\"t\":3,\"ev\":\"scenario\",\"target\":2}\n",
                                    -1, NULL));
  got g = {.t = g_array_new(FALSE, FALSE, sizeof(gint64))};
  GError *error = NULL;
  g_assert_true(ks_trace_read(t, collect, &g, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(g.t->len, ==, 3);
  g_assert_cmpint(g_array_index(g.t, gint64, 0), ==, G_GINT64_CONSTANT(7210020000640));
  g_assert_cmpint(g_array_index(g.t, gint64, 1), ==, G_GINT64_CONSTANT(1500000000));
  g_assert_cmpint(g_array_index(g.t, gint64, 2), ==, G_GINT64_CONSTANT(3000000000));
  g_array_unref(g.t);
  g_assert_true(
    g_file_set_contents(t, "{\"t\":1.0,\"ev\":\"send\",\"what\":\"a\\\"b\"}\n", -1, NULL));
  g_assert_false(ks_trace_read(t, collect, &(got){NULL}, &error));
  g_assert_nonnull(strstr(error->message, "trace.jsonl:1: a string with an escape"));
  g_clear_error(&error);
  g_unlink(t);
  g_rmdir(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/metrics/wire-bytes", test_wire_bytes);
  g_test_add_func("/metrics/percentile", test_percentile);
  g_test_add_func("/metrics/fixture", test_fixture_metrics);
  g_test_add_func("/metrics/nothing-detected", test_nothing_detected);
  g_test_add_func("/metrics/from-summary", test_from_summary);
  g_test_add_func("/metrics/large-binned", test_large_binned);
  g_test_add_func("/metrics/large-span", test_large_span);
  g_test_add_func("/metrics/not-a-run", test_not_a_run);
  g_test_add_func("/metrics/trace-times", test_trace_times);
  return g_test_run();
}
