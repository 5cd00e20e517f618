/* test_run.c - `kasim run` on every shipped scenario, checked against the
 * outcome its comment promises (arithmetic from ../shared/reference/
 * keepalive-facts.md), plus determinism, atomic output on bad input, and
 * the capture read back by Wireshark's own dissector (tshark). */
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "ks_test_spawn.h"

static char *scenario(const char *name) {
  return g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios", name, NULL);
}

/* Runs a scenario into a fresh folder; returns the folder. */
static char *run_scenario(const char *file, const char *const *extra) {
  char *dir = g_dir_make_tmp("kasim-run-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_autofree char *path = scenario(file);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("KASIM"));
  g_ptr_array_add(argv, "run");
  g_ptr_array_add(argv, path);
  g_ptr_array_add(argv, "--out");
  g_ptr_array_add(argv, dir);
  for (; extra && *extra; extra++)
    g_ptr_array_add(argv, (gpointer)*extra);
  g_ptr_array_add(argv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = ks_test_spawn((const char *const *)argv->pdata, &out, &err);
  if (status != 0)
    g_printerr("%s", err);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_assert_nonnull(strstr(out, "kasim run:"));
  g_ptr_array_free(argv, TRUE);
  return dir;
}

typedef struct summary {
  JsonParser *parser;
  JsonObject *root;
  JsonArray *conns;
} summary;

/* A large run lists its connections in connections.csv only (docs/output.md):
 * its rows as the objects summary.json would hold (these scenarios' names
 * have no commas, so no field is quoted). */
static JsonArray *csv_connections(const char *dir) {
  g_autofree char *path = g_build_filename(dir, "connections.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  /* Lines cut with strchr, not g_strsplit: its strstr makes
   * AddressSanitizer measure the rest of the file at every line. */
  char *line = text, *nl = strchr(line, '\n');
  g_assert_nonnull(nl);
  *nl = '\0';
  g_auto(GStrv) head = g_strsplit(line, ",", -1);
  JsonArray *a = json_array_new();
  for (line = nl + 1; *line; line = nl + 1) {
    nl = strchr(line, '\n');
    g_assert_nonnull(nl);
    *nl = '\0';
    g_auto(GStrv) f = g_strsplit(line, ",", -1);
    g_assert_cmpuint(g_strv_length(f), ==, g_strv_length(head));
    JsonObject *o = json_object_new();
    for (guint k = 0; head[k]; k++) {
      char *end;
      double v = g_ascii_strtod(f[k], &end);
      if (f[k][0] == '\0')
        json_object_set_null_member(o, head[k]);
      else if (strcmp(f[k], "true") == 0 || strcmp(f[k], "false") == 0)
        json_object_set_boolean_member(o, head[k], f[k][0] == 't');
      else if (*end == '\0' && strchr(f[k], '.') == NULL)
        json_object_set_int_member(o, head[k], (gint64)v);
      else if (*end == '\0')
        json_object_set_double_member(o, head[k], v);
      else
        json_object_set_string_member(o, head[k], f[k]);
    }
    json_array_add_object_element(a, o);
  }
  return a;
}

static void summary_load(summary *s, const char *dir) {
  g_autofree char *path = g_build_filename(dir, "summary.json", NULL);
  GError *error = NULL;
  s->parser = json_parser_new();
  g_assert_true(json_parser_load_from_file(s->parser, path, &error));
  g_assert_no_error(error);
  s->root = json_node_get_object(json_parser_get_root(s->parser));
  if (json_object_has_member(s->root, "connections"))
    s->conns = json_array_ref(json_object_get_array_member(s->root, "connections"));
  else
    s->conns = csv_connections(dir);
}

static void summary_clear(summary *s) {
  json_array_unref(s->conns);
  g_object_unref(s->parser);
}

/* Checks every connection of `group`; returns how many there were. */
typedef struct expect {
  const char *reason; /* NULL: alive at the end */
  const char *error;
  gint64 probes_sent;   /* -1: not checked */
  double after_last_rx; /* closed_at - last_rx in s; < 0: not checked */
} expect;

static guint check_group(const summary *s, const char *group, const expect *e) {
  guint n = 0;
  for (guint i = 0; i < json_array_get_length(s->conns); i++) {
    JsonObject *c = json_array_get_object_element(s->conns, i);
    if (g_strcmp0(json_object_get_string_member(c, "group"), group) != 0)
      continue;
    n++;
    if (e->reason == NULL) {
      g_assert_true(json_object_get_null_member(c, "closed_at_s"));
      g_assert_true(json_object_get_null_member(c, "close_reason"));
      continue;
    }
    g_assert_cmpstr(json_object_get_string_member(c, "close_reason"), ==, e->reason);
    g_assert_cmpstr(json_object_get_string_member(c, "error"), ==, e->error);
    if (e->probes_sent >= 0)
      g_assert_cmpint(json_object_get_int_member(c, "probes_sent"), ==, e->probes_sent);
    if (e->after_last_rx >= 0) {
      double d = json_object_get_double_member(c, "closed_at_s") -
                 json_object_get_double_member(c, "last_rx_s");
      g_assert_cmpfloat_with_epsilon(d, e->after_last_rx, 1e-6);
    }
  }
  g_assert_cmpuint(n, >, 0);
  return n;
}

#define CHECK(s, g, ...) check_group(s, g, &(expect){__VA_ARGS__})

/* facts §2/§3: Vista defaults, 10 probes, dead 7210 s after the last
 * segment heard, WSAENETRESET. */
static void test_cable_pull(void) {
  g_autofree char *dir = run_scenario("cable-pull.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "clients", "keepalive_timeout", "WSAENETRESET", 10, 7210);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* facts §2: XP 5 probes -> 7205 s; Vista 10 -> 7210 s. */
static void test_xp_vs_vista(void) {
  g_autofree char *dir = run_scenario("xp-vs-vista.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "xp", "keepalive_timeout", "WSAENETRESET", 5, 7205);
  CHECK(&s, "vista", "keepalive_timeout", "WSAENETRESET", 10, 7210);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* facts §4: Linux 7200 + 9 x 75 = 7875 s, ETIMEDOUT: exactly with hz 0
 * (peer-crash), and on the timer wheel at HZ 250 (linux-defaults) up to one
 * step of each timer's level late: 131.072 s for the 7200 s idle, 2.048 s
 * for each 75 s interval, so by 8024.504 s at the latest; where in that
 * window, the seed decides, and two seeds need not agree. */
static void test_linux_defaults_and_crash(void) {
  g_autofree char *crash = run_scenario("peer-crash.yaml", NULL);
  summary s;
  summary_load(&s, crash);
  CHECK(&s, "clients", "keepalive_timeout", "ETIMEDOUT", 9, 7875);
  summary_clear(&s);
  ks_test_rm_rf(crash);

  double seen[3];
  for (guint seed = 1; seed <= G_N_ELEMENTS(seen); seed++) {
    g_autofree char *seed_arg = g_strdup_printf("%u", seed);
    const char *extra[] = {"--seed", seed_arg, NULL};
    g_autofree char *dir = run_scenario("linux-defaults.yaml", extra);
    summary_load(&s, dir);
    CHECK(&s, "clients", "keepalive_timeout", "ETIMEDOUT", 9, -1);
    JsonObject *c = json_array_get_object_element(s.conns, 0);
    double d = json_object_get_double_member(c, "closed_at_s") -
               json_object_get_double_member(c, "last_rx_s");
    g_assert_cmpfloat(d, >=, 7875);
    g_assert_cmpfloat(d, <=, 7875 + 131.072 + 9 * 2.048);
    seen[seed - 1] = d;
    summary_clear(&s);
    ks_test_rm_rf(dir);
  }
  g_assert_true(seen[0] != seen[1] || seen[1] != seen[2]);
}

/* facts §3: a probe answered by RST; the RST is back one round trip
 * (2 x 10 ms) after the probe, which leaves 900 s after the last receive. */
static void test_peer_reboot(void) {
  g_autofree char *dir = run_scenario("peer-reboot.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "windows", "reset_by_peer", "WSAECONNRESET", 1, 900.020);
  CHECK(&s, "linux", "reset_by_peer", "ECONNRESET", 1, 900.020);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* facts §6: AWS NAT forgets an idle flow after 350 s; the default 2 h
 * probes are dropped, so a live peer is declared dead at 7875 s; probing
 * every 300 s keeps the mapping alive. */
static void test_nat_aws(void) {
  g_autofree char *dir = run_scenario("nat-aws.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "default", "keepalive_timeout", "ETIMEDOUT", 9, 7875);
  CHECK(&s, "tuned", NULL, NULL, -1, -1);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* facts §6: Azure 4 min with TCP reset on idle -> reset_by_peer; probing
 * every 180 s keeps the flow. */
static void test_nat_azure(void) {
  g_autofree char *dir = run_scenario("nat-azure.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "default", "reset_by_peer", "WSAECONNRESET", 0, -1);
  for (guint i = 0; i < json_array_get_length(s.conns); i++) {
    JsonObject *c = json_array_get_object_element(s.conns, i);
    if (g_strcmp0(json_object_get_string_member(c, "group"), "default") == 0) {
      double d = json_object_get_double_member(c, "closed_at_s") -
                 json_object_get_double_member(c, "last_rx_s");
      g_assert_cmpfloat(d, >=, 240.0);
      g_assert_cmpfloat(d, <=, 240.0 + 0.005 + 1e-9); /* at most one link delay */
    }
  }
  CHECK(&s, "tuned", NULL, NULL, -1, -1);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* A live peer behind a 50% lossy link is killed by aggressive keep-alive:
 * some die, all with ETIMEDOUT, and none of them because the peer left. */
static void test_lossy_link(void) {
  g_autofree char *dir = run_scenario("lossy-link.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  guint dead = 0;
  for (guint i = 0; i < json_array_get_length(s.conns); i++) {
    JsonObject *c = json_array_get_object_element(s.conns, i);
    if (!json_object_get_null_member(c, "close_reason")) {
      dead++;
      g_assert_cmpstr(json_object_get_string_member(c, "close_reason"), ==, "keepalive_timeout");
      g_assert_cmpstr(json_object_get_string_member(c, "error"), ==, "ETIMEDOUT");
    }
  }
  /* Loss of a probe or its answer is 1 - 0.5^2 = 0.75; three in a row
   * 0.42: of 200 connections, far more than 20 and fewer than 200 die in
   * their first idle period alone. */
  g_assert_cmpuint(dead, >, 20);
  g_assert_cmpuint(dead, <, 200);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* Short outages eat fewer probes than the patient count allows. */
static void test_flapping_link(void) {
  g_autofree char *dir = run_scenario("flapping-link.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "patient", NULL, NULL, -1, -1);
  CHECK(&s, "impatient", "keepalive_timeout", "ETIMEDOUT", -1, -1);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* Data in flight: retransmission gives up, keep-alive never probes. */
static void test_data_in_flight(void) {
  g_autofree char *dir = run_scenario("data-in-flight.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  CHECK(&s, "windows", "retransmission_timeout", "WSAETIMEDOUT", 0, -1);
  CHECK(&s, "linux", "retransmission_timeout", "ETIMEDOUT", 0, -1);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

/* 100,000 Vista clients: each dies 7210 s after its own last receive; the
 * burst group all in the same instant. */
static void test_many_idle_clients(void) {
  g_autofree char *dir = run_scenario("many-idle-clients.yaml", NULL);
  summary s;
  summary_load(&s, dir);
  g_assert_cmpuint(CHECK(&s, "burst", "keepalive_timeout", "WSAENETRESET", 10, 7210), ==, 50000);
  g_assert_cmpuint(CHECK(&s, "spread", "keepalive_timeout", "WSAENETRESET", 10, 7210), ==, 50000);
  /* The burst's handshakes queue on the 1 Gbit/s uplink (60-octet SYN,
   * SYN-ACK and ACK at 480 ns each), so its deaths spread over a few tens
   * of milliseconds at most; the spread group's over its hour of connects. */
  double lo[2] = {G_MAXDOUBLE, G_MAXDOUBLE}, hi[2] = {0, 0};
  for (guint i = 0; i < json_array_get_length(s.conns); i++) {
    JsonObject *c = json_array_get_object_element(s.conns, i);
    int k = g_strcmp0(json_object_get_string_member(c, "group"), "burst") == 0 ? 0 : 1;
    double t = json_object_get_double_member(c, "closed_at_s");
    lo[k] = MIN(lo[k], t);
    hi[k] = MAX(hi[k], t);
  }
  g_assert_cmpfloat(hi[0] - lo[0], <, 50000 * 3 * 480e-9 + 0.05);
  g_assert_cmpfloat(hi[1] - lo[1], >, 3000);
  g_assert_cmpfloat(hi[1] - lo[1], <, 3600);
  summary_clear(&s);
  ks_test_rm_rf(dir);
}

static GBytes *slurp(const char *dir, const char *name) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *text = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  return g_bytes_new_take(text, len);
}

/* Same scenario and seed: byte-identical outputs; another seed on a lossy
 * link: a different run. */
static void test_determinism(void) {
  const char *pcap[] = {"--pcap", NULL};
  const char *seed2[] = {"--seed", "2", NULL};
  g_autofree char *a = run_scenario("lossy-link.yaml", pcap);
  g_autofree char *b = run_scenario("lossy-link.yaml", pcap);
  g_autofree char *c = run_scenario("lossy-link.yaml", seed2);
  const char *files[] = {"summary.json", "trace.jsonl", "capture.pcap"};
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autoptr(GBytes) x = slurp(a, files[i]);
    g_autoptr(GBytes) y = slurp(b, files[i]);
    g_assert_cmpuint(g_bytes_get_size(x), >, 0);
    g_assert_true(g_bytes_equal(x, y));
  }
  g_autoptr(GBytes) x = slurp(a, "trace.jsonl");
  g_autoptr(GBytes) z = slurp(c, "trace.jsonl");
  g_assert_false(g_bytes_equal(x, z));
  ks_test_rm_rf(a);
  ks_test_rm_rf(b);
  ks_test_rm_rf(c);
}

/* A malformed scenario: file:line:column, exit 2, and no output at all. */
static void test_bad_scenario_writes_nothing(void) {
  g_autofree char *dir = g_dir_make_tmp("kasim-bad-XXXXXX", NULL);
  g_autofree char *out_dir = g_build_filename(dir, "out", NULL);
  g_autofree char *data = g_test_build_filename(G_TEST_DIST, "data", NULL);
  GDir *dd = g_dir_open(data, 0, NULL);
  g_assert_nonnull(dd);
  guint checked = 0;
  for (const char *name; (name = g_dir_read_name(dd));) {
    if (!g_str_has_prefix(name, "scenario-") || g_str_has_prefix(name, "scenario-good") ||
        !g_str_has_suffix(name, ".yaml"))
      continue;
    g_autofree char *path = g_build_filename(data, name, NULL);
    const char *argv[] = {g_getenv("KASIM"), "run", path, "--out", out_dir, "--pcap", NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 2);
    g_autofree char *prefix = g_strdup_printf("kasim run: %s:", path);
    g_assert_true(g_str_has_prefix(err, prefix));
    g_assert_cmpstr(strchr(err, '\n') + 1, ==, "");
    g_assert_cmpstr(out, ==, "");
    g_assert_false(g_file_test(out_dir, G_FILE_TEST_EXISTS));
    checked++;
  }
  g_assert_cmpuint(checked, >, 0);
  g_dir_close(dd);
  ks_test_rm_rf(dir);
}

/* tshark reads the capture: Wireshark marks every probe "TCP Keep-Alive"
 * (1 octet from Windows, 0 from Linux, facts §6) and every answer "TCP
 * Keep-Alive ACK", as many as the summary counts. */
static guint tshark_lens(const char *pcap, const char *filter, GArray *lens) {
  const char *argv[] = {"tshark", "-r", pcap, "-Y", filter, "-T", "fields", "-e", "tcp.len", NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint n = 0;
  for (char **l = lines; *l; l++)
    if (**l) {
      int v = atoi(*l);
      g_array_append_val(lens, v);
      n++;
    }
  return n;
}

static gint64 total(const char *dir, const char *key) {
  summary s;
  summary_load(&s, dir);
  gint64 v = json_object_get_int_member(json_object_get_object_member(s.root, "totals"), key);
  summary_clear(&s);
  return v;
}

static void test_pcap_tshark(void) {
  g_autofree char *tshark = g_find_program_in_path("tshark");
  if (tshark == NULL) {
    g_test_skip("tshark is not installed (scripts/install-deps installs it)");
    return;
  }
  const char *pcap[] = {"--pcap", NULL};
  g_autofree char *dir = run_scenario("cable-pull.yaml", pcap);
  g_autofree char *file = g_build_filename(dir, "capture.pcap", NULL);
  GArray *lens = g_array_new(FALSE, FALSE, sizeof(int));
  g_assert_cmpuint(tshark_lens(file, "tcp.analysis.keep_alive", lens), ==, 10);
  for (guint i = 0; i < lens->len; i++)
    g_assert_cmpint(g_array_index(lens, int, i), ==, 1);
  g_array_set_size(lens, 0);
  g_assert_cmpuint(tshark_lens(file, "tcp.analysis.keep_alive_ack", lens), ==, 0);
  ks_test_rm_rf(dir);

  g_autofree char *dir2 = run_scenario("nat-aws.yaml", pcap);
  g_autofree char *file2 = g_build_filename(dir2, "capture.pcap", NULL);
  g_array_set_size(lens, 0);
  guint probes = tshark_lens(file2, "tcp.analysis.keep_alive", lens);
  g_assert_cmpuint(probes, ==, (guint)total(dir2, "probes_sent"));
  for (guint i = 0; i < lens->len; i++)
    g_assert_cmpint(g_array_index(lens, int, i), ==, 0);
  g_array_set_size(lens, 0);
  guint acks = tshark_lens(file2, "tcp.analysis.keep_alive_ack", lens);
  g_assert_cmpuint(acks, >, 0);
  g_assert_cmpuint(acks, ==, (guint)total(dir2, "probes_answered"));
  g_array_free(lens, TRUE);
  ks_test_rm_rf(dir2);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("KASIM"));
  g_test_add_func("/run/cable-pull", test_cable_pull);
  g_test_add_func("/run/xp-vs-vista", test_xp_vs_vista);
  g_test_add_func("/run/linux-defaults-and-crash", test_linux_defaults_and_crash);
  g_test_add_func("/run/peer-reboot", test_peer_reboot);
  g_test_add_func("/run/nat-aws", test_nat_aws);
  g_test_add_func("/run/nat-azure", test_nat_azure);
  g_test_add_func("/run/lossy-link", test_lossy_link);
  g_test_add_func("/run/flapping-link", test_flapping_link);
  g_test_add_func("/run/data-in-flight", test_data_in_flight);
  g_test_add_func("/run/many-idle-clients", test_many_idle_clients);
  g_test_add_func("/run/determinism", test_determinism);
  g_test_add_func("/run/bad-scenario-writes-nothing", test_bad_scenario_writes_nothing);
  g_test_add_func("/run/pcap-tshark", test_pcap_tshark);
  return g_test_run();
}
