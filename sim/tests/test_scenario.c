/* test_scenario.c - the scenario loader: every shipped scenario, the
 * messages for broken files, durations and --set.
 *
 * Expected numbers come from the facts sheet, not from the code: Vista+
 * 7200 s + 10 probes x 1 s = 7210 s, XP 5 probes = 7205 s (§2); Linux
 * 7200 + 9 x 75 = 7875 s (§4); AWS NAT 350 s, Azure 4 min (§6); Windows
 * TCP_KEEPCNT above 255 fails with WSAEINVAL 10022 (§1).  Line and column
 * numbers in the expected messages are counted by hand in the fixtures
 * under data/ and in the inline texts below.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ks_scenario.h"

/* ---- helpers ----------------------------------------------------------- */

static char *data_path(const char *fixture) {
  return g_test_build_filename(G_TEST_DIST, "data", fixture, NULL);
}

static char *scenarios_dir(void) {
  return g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios", NULL);
}

static ks_scenario *load_shipped(const char *name) {
  char *dir = scenarios_dir();
  char *file = g_strconcat(name, ".yaml", NULL);
  char *path = g_build_filename(dir, file, NULL);
  GError *error = NULL;
  ks_scenario *sc = ks_scenario_load(path, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(sc);
  g_free(path);
  g_free(file);
  g_free(dir);
  return sc;
}

static ks_host_spec *host(const ks_scenario *sc, guint i) { return sc->hosts->pdata[i]; }
static ks_link_spec *link_(const ks_scenario *sc, guint i) { return sc->links->pdata[i]; }
static ks_group_spec *group(const ks_scenario *sc, guint i) { return sc->groups->pdata[i]; }
static ks_middlebox_spec *mbox(const ks_scenario *sc, guint i) { return sc->middleboxes->pdata[i]; }
static ks_event_spec *event(const ks_scenario *sc, guint i) {
  return &g_array_index(sc->events, ks_event_spec, i);
}

static ks_host_spec *host_named(const ks_scenario *sc, const char *name) {
  for (guint i = 0; i < sc->hosts->len; i++)
    if (strcmp(host(sc, i)->name, name) == 0)
      return host(sc, i);
  g_assert_not_reached();
  return NULL;
}

static guint64 param(const ks_host_spec *h, const char *name) {
  guint64 v = 0;
  g_assert_true(ka_params_get(h->params, name, &v));
  return v;
}

/* When a silent peer is declared dead, after the last receive, with the
 * host's defaults: idle + count x interval (facts §2, §4). */
static ka_time silent_peer_deadline(const ks_host_spec *h) {
  return ka_params_keepidle(h->params) +
         (ka_time)ka_params_keepcnt(h->params) * ka_params_keepintvl(h->params);
}

static const ks_sockopt_spec *sockopt(const ks_group_spec *g, guint i) {
  g_assert_cmpuint(i, <, g->sockopts->len);
  return &g_array_index(g->sockopts, ks_sockopt_spec, i);
}

/* Loading must fail with a message that starts with `prefix` and contains
 * `part` (may be NULL). */
static void assert_fails_with(const char *path, char **sets, const char *prefix, const char *part) {
  GError *error = NULL;
  ks_scenario *sc = ks_scenario_load(path, sets, &error);
  g_assert_null(sc);
  g_assert_error(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID);
  if (!g_str_has_prefix(error->message, prefix))
    g_error("message '%s' does not start with '%s'", error->message, prefix);
  if (part && strstr(error->message, part) == NULL)
    g_error("message '%s' does not contain '%s'", error->message, part);
  g_error_free(error);
}

static void assert_fixture_fails(const char *fixture, int line, int column, const char *part) {
  char *path = data_path(fixture);
  char *prefix = g_strdup_printf("%s:%d:%d: ", path, line, column);
  assert_fails_with(path, NULL, prefix, part);
  g_free(prefix);
  g_free(path);
}

/* Inline texts are written to a private folder. */
static char *tmp_dir;

static char *write_tmp(const char *name, const char *text) {
  char *path = g_build_filename(tmp_dir, name, NULL);
  GError *error = NULL;
  g_file_set_contents(path, text, -1, &error);
  g_assert_no_error(error);
  return path;
}

static void assert_text_fails(const char *text, int line, int column, const char *part) {
  char *path = write_tmp("inline.yaml", text);
  char *prefix = g_strdup_printf("%s:%d:%d: ", path, line, column);
  assert_fails_with(path, NULL, prefix, part);
  g_free(prefix);
  g_free(path);
}

static ks_scenario *load_text(const char *text, char **sets, GError **error) {
  char *path = write_tmp("inline.yaml", text);
  ks_scenario *sc = ks_scenario_load(path, sets, error);
  g_free(path);
  return sc;
}

/* Lines 1-8 of every inline scenario; tests append from line 9. */
#define BASE                              \
  "duration: 1h\n"                        \
  "hosts:\n"                              \
  "  c: {profile: linux}\n"               \
  "  s: {profile: linux}\n"               \
  "links:\n"                              \
  "  l: {between: [c, s], delay: 10ms}\n" \
  "groups:\n"                             \
  "  - {name: g, client: c, server: s}\n"

/* ---- every shipped scenario -------------------------------------------- */

static const char *const expected_scenarios[] = {
  "cable-pull",     "peer-crash",        "peer-reboot",    "flapping-link",
  "lossy-link",     "nat-aws",           "nat-azure",      "xp-vs-vista",
  "linux-defaults", "many-idle-clients", "data-in-flight", "reboot-behind-nat",
};

static void test_shipped_all_load(void) {
  char *dir = scenarios_dir();
  GError *error = NULL;
  GDir *d = g_dir_open(dir, 0, &error);
  g_assert_no_error(error);
  GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
  const char *entry;
  while ((entry = g_dir_read_name(d)) != NULL) {
    if (!g_str_has_suffix(entry, ".yaml"))
      continue;
    char *path = g_build_filename(dir, entry, NULL);
    g_test_message("loading %s", path);
    ks_scenario *sc = ks_scenario_load(path, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(sc);
    /* The name is the file's; the lesson is told at the top. */
    char *stem = g_strndup(entry, strlen(entry) - strlen(".yaml"));
    g_assert_cmpstr(sc->name, ==, stem);
    g_assert_nonnull(sc->description);
    g_assert_cmpint(sc->duration, >, 0);
    g_assert_cmpuint(sc->groups->len, >=, 1);
    for (guint i = 1; i < sc->events->len; i++)
      g_assert_cmpint(event(sc, i - 1)->at, <=, event(sc, i)->at);
    for (guint i = 0; i < sc->events->len; i++)
      g_assert_cmpint(event(sc, i)->at, <=, sc->duration);
    char *contents = NULL;
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_true(g_str_has_prefix(contents, "# "));
    g_assert_nonnull(strstr(contents, "Expected"));
    g_free(contents);
    g_ptr_array_add(seen, stem);
    ks_scenario_free(sc);
    g_free(path);
  }
  g_dir_close(d);
  for (size_t i = 0; i < G_N_ELEMENTS(expected_scenarios); i++) {
    gboolean found = FALSE;
    for (guint k = 0; k < seen->len && !found; k++)
      found = strcmp(seen->pdata[k], expected_scenarios[i]) == 0;
    if (!found)
      g_error("scenarios/%s.yaml is missing", expected_scenarios[i]);
  }
  g_ptr_array_unref(seen);
  g_free(dir);
}

static void test_shipped_cable_pull(void) {
  ks_scenario *sc = load_shipped("cable-pull");
  g_assert_cmpstr(sc->name, ==, "cable-pull");
  g_assert_cmpuint(sc->seed, ==, 1); /* the default */
  g_assert_cmpuint(sc->links->len, ==, 1);
  g_assert_cmpint(link_(sc, 0)->delay, ==, 10000000);
  g_assert_cmpuint(link_(sc, 0)->bandwidth_bps, ==, 100000000);
  g_assert_cmpfloat(link_(sc, 0)->loss, ==, 0.0);
  ks_host_spec *client = host_named(sc, "client");
  g_assert_cmpstr(ka_profile_name(client->profile), ==, "windows-vista");
  g_assert_cmpint(silent_peer_deadline(client), ==, KA_S(7210));
  ks_group_spec *g = group(sc, 0);
  g_assert_cmpuint(g->count, ==, 1);
  g_assert_true(sc->hosts->pdata[g->client] == client);
  g_assert_cmpint(g->keepalive, ==, KS_KEEPALIVE_CLIENT);
  g_assert_cmpint(g->traffic, ==, KS_TRAFFIC_IDLE);
  g_assert_cmpint(g->traffic_stop, ==, KA_TIME_NEVER);
  g_assert_cmpuint(sc->events->len, ==, 1);
  g_assert_cmpint(event(sc, 0)->kind, ==, KS_EV_LINK_DOWN);
  g_assert_cmpint(event(sc, 0)->direction, ==, KS_DIR_BOTH);
  g_assert_cmpint(event(sc, 0)->at, ==, KA_S(600));
  /* Long enough to see the death. */
  g_assert_cmpint(sc->duration, >, KA_S(7210));
  ks_scenario_free(sc);
}

static void test_shipped_linux(void) {
  const char *const names[] = {"peer-crash", "linux-defaults"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    ks_scenario *sc = load_shipped(names[i]);
    ks_host_spec *client = host_named(sc, "client");
    g_assert_cmpint(silent_peer_deadline(client), ==, KA_S(7200 + 9 * 75));
    g_assert_cmpint(sc->duration, >, KA_S(7875));
    ks_scenario_free(sc);
  }
  ks_scenario *sc = load_shipped("peer-crash");
  g_assert_cmpint(event(sc, 0)->kind, ==, KS_EV_PEER_CRASH);
  g_assert_true(sc->hosts->pdata[event(sc, 0)->target] == host_named(sc, "server"));
  ks_scenario_free(sc);
  sc = load_shipped("linux-defaults");
  g_assert_cmpint(group(sc, 0)->keepalive, ==, KS_KEEPALIVE_BOTH);
  ks_scenario_free(sc);
}

static void test_shipped_peer_reboot(void) {
  ks_scenario *sc = load_shipped("peer-reboot");
  g_assert_cmpint(event(sc, 0)->kind, ==, KS_EV_PEER_REBOOT);
  /* The flow list [1, 900000, 1000] becomes the text ks_sockopt takes. */
  const ks_sockopt_spec *o = sockopt(group(sc, 0), 0);
  g_assert_cmpstr(o->name, ==, "SIO_KEEPALIVE_VALS");
  g_assert_cmpstr(o->value, ==, "1,900000,1000");
  g_assert_cmpint(o->line, >, 0);
  o = sockopt(group(sc, 1), 0);
  g_assert_cmpstr(o->name, ==, "TCP_KEEPIDLE");
  g_assert_cmpstr(o->value, ==, "900");
  /* The reboot comes before the first probe at 900 s. */
  g_assert_cmpint(event(sc, 0)->at, <, KA_S(900));
  ks_scenario_free(sc);
}

static void test_shipped_nat(void) {
  ks_scenario *sc = load_shipped("nat-aws");
  g_assert_cmpuint(sc->middleboxes->len, ==, 1);
  g_assert_cmpint(mbox(sc, 0)->idle_timeout, ==, KA_S(350));
  g_assert_cmpint(mbox(sc, 0)->on_expiry, ==, KS_EXPIRY_DROP);
  g_assert_cmpstr(mbox(sc, 0)->kind, ==, "nat");
  g_assert_cmpuint(mbox(sc, 0)->link, ==, 0);
  /* The default group's first probe comes after the NAT forgot the flow;
   * the tuned one's before. */
  ks_host_spec *client = host_named(sc, "client");
  g_assert_cmpint(ka_params_keepidle(client->params), >, KA_S(350));
  g_assert_cmpuint(group(sc, 0)->sockopts->len, ==, 0);
  g_assert_cmpstr(sockopt(group(sc, 1), 0)->value, ==, "300");
  g_assert_cmpint(sc->duration, >, KA_S(7875));
  ks_scenario_free(sc);

  sc = load_shipped("nat-azure");
  g_assert_cmpint(mbox(sc, 0)->idle_timeout, ==, KA_S(240));
  g_assert_cmpint(mbox(sc, 0)->on_expiry, ==, KS_EXPIRY_RST);
  g_assert_cmpstr(mbox(sc, 0)->kind, ==, "load-balancer");
  g_assert_cmpstr(sockopt(group(sc, 1), 0)->value, ==, "1,180000,1000");
  ks_scenario_free(sc);
}

static void test_shipped_flapping(void) {
  ks_scenario *sc = load_shipped("flapping-link");
  /* at 45 s, period 60 s, duty 0.5, for 10 min: ten down/up pairs. */
  g_assert_cmpuint(sc->events->len, ==, 20);
  for (guint k = 0; k < 10; k++) {
    const ks_event_spec *down = event(sc, 2 * k), *up = event(sc, 2 * k + 1);
    g_assert_cmpint(down->kind, ==, KS_EV_LINK_DOWN);
    g_assert_cmpint(down->at, ==, KA_S(45 + 60 * k));
    g_assert_cmpint(up->kind, ==, KS_EV_LINK_UP);
    g_assert_cmpint(up->at, ==, KA_S(75 + 60 * k));
    g_assert_cmpuint(down->target, ==, 0);
    g_assert_cmpint(down->line, ==, up->line);
  }
  g_assert_cmpstr(sockopt(group(sc, 0), 2)->name, ==, "TCP_KEEPCNT");
  g_assert_cmpstr(sockopt(group(sc, 0), 2)->value, ==, "5");
  g_assert_cmpstr(sockopt(group(sc, 1), 2)->value, ==, "2");
  ks_scenario_free(sc);
}

static void test_shipped_others(void) {
  ks_scenario *sc = load_shipped("xp-vs-vista");
  g_assert_cmpint(silent_peer_deadline(host_named(sc, "xp")), ==, KA_S(7205));
  g_assert_cmpint(silent_peer_deadline(host_named(sc, "vista")), ==, KA_S(7210));
  g_assert_cmpuint(sc->events->len, ==, 2);
  g_assert_cmpint(event(sc, 0)->at, ==, event(sc, 1)->at);
  g_assert_cmpuint(event(sc, 0)->target, !=, event(sc, 1)->target);
  ks_scenario_free(sc);

  sc = load_shipped("lossy-link");
  g_assert_cmpfloat(link_(sc, 0)->loss, ==, 0.5);
  g_assert_cmpuint(group(sc, 0)->count, ==, 200);
  ks_scenario_free(sc);

  sc = load_shipped("many-idle-clients");
  guint total = 0;
  for (guint i = 0; i < sc->groups->len; i++)
    total += group(sc, i)->count;
  g_assert_cmpuint(total, ==, 100000);
  g_assert_cmpint(group(sc, 1)->connect_spread, ==, KA_S(3600));
  g_assert_cmpint(sc->duration, >, KA_S(3600 + 7210));
  ks_scenario_free(sc);

  sc = load_shipped("data-in-flight");
  for (guint i = 0; i < sc->groups->len; i++) {
    g_assert_cmpint(group(sc, i)->traffic, ==, KS_TRAFFIC_BULK);
    g_assert_cmpuint(group(sc, i)->request_bytes, ==, 1460);
    g_assert_cmpint(group(sc, i)->traffic_start, ==, 0);
  }
  g_assert_cmpuint(link_(sc, 0)->bandwidth_bps, ==, 10000000);
  g_assert_cmpint(sc->duration, >, KA_MS(60000 + 924600));
  ks_scenario_free(sc);
}

/* ---- broken files ------------------------------------------------------ */

static void test_fixture_errors(void) {
  assert_fixture_fails("scenario-bad-yaml.yaml", 3, 8, "YAML syntax error");
  assert_fixture_fails("scenario-unknown-key.yaml", 9, 5,
                       "unknown key 'dealy' in link 'lan' (allowed: between, delay, "
                       "bandwidth, loss)");
  assert_fixture_fails("scenario-bare-duration.yaml", 12, 19,
                       "a duration needs a unit: ms, s, m, h or d");
  assert_fixture_fails("scenario-unknown-profile.yaml", 5, 14, "unknown profile 'windows-95'");
  assert_fixture_fails("scenario-unknown-profile.yaml", 5, 14, "windows-vista, ");
  assert_fixture_fails("scenario-unknown-link.yaml", 11, 26,
                       "unknown link 'wan' (links here: lan)");
  assert_fixture_fails("scenario-bad-sockopt.yaml", 13, 20, "WSAEINVAL (10022)");
  assert_fixture_fails("scenario-bad-reg.yaml", 6, 15, "scenario-bad-header.reg:1: ");
}

static void test_unreadable(void) {
  char *path = data_path("no-such-scenario.yaml");
  char *prefix = g_strdup_printf("%s: ", path);
  assert_fails_with(path, NULL, prefix, "cannot read");
  g_free(prefix);
  g_free(path);
  /* A registry file that is not there. */
  assert_text_fails("duration: 1h\n"
                    "hosts:\n"
                    "  c: {profile: windows-xp, registry: missing.reg}\n",
                    3, 38, "registry: cannot read");
}

static void test_good_registry(void) {
  char *path = data_path("scenario-good-reg.yaml");
  GError *error = NULL;
  ks_scenario *sc = ks_scenario_load(path, NULL, &error);
  g_assert_no_error(error);
  ks_host_spec *c = host_named(sc, "client");
  g_assert_cmpuint(param(c, "KeepAliveTime"), ==, 60000);    /* from the .reg */
  g_assert_cmpuint(param(c, "KeepAliveInterval"), ==, 2000); /* settings over it */
  g_assert_cmpuint(param(c, "TcpMaxDataRetransmissions"), ==, 3);
  g_assert_cmpuint(c->notes->len, >=, 1); /* DefaultTTL is ignored with a note */
  /* XP: max(3, 5) = 5 probes (facts §2). */
  g_assert_cmpuint(ka_params_keepcnt(c->params), ==, 5);
  ks_scenario_free(sc);
  g_free(path);
}

static void test_inline_errors(void) {
  /* Events after the end, and the end of a flap after it. */
  assert_text_fails(BASE "timeline:\n  - {at: 2h, link_down: l}\n", 10, 10,
                    "after the scenario ends");
  assert_text_fails(BASE "timeline:\n"
                         "  - {at: 50m, flap: {link: l, period: 1m, duty: 0.5, duration: 11m}}\n",
                    10, 64, "after the scenario ends");
  /* Duty outside (0, 1), loss outside [0, 1]. */
  assert_text_fails(BASE "timeline:\n"
                         "  - {at: 0s, flap: {link: l, period: 1m, duty: 1, duration: 10m}}\n",
                    10, 48, "outside (0, 1)");
  assert_text_fails(BASE "timeline:\n"
                         "  - {at: 0s, flap: {link: l, period: 1m, duty: 0, duration: 10m}}\n",
                    10, 48, "outside (0, 1)");
  assert_text_fails(BASE "timeline:\n  - {at: 0s, loss: {link: l, rate: 1.5}}\n", 10, 36,
                    "outside [0, 1]");
  assert_text_fails("duration: 1h\n"
                    "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
                    "links:\n"
                    "  l: {between: [c, s], delay: 1ms, loss: -0.1}\n",
                    4, 42, "outside [0, 1]");
  /* Two actions in one entry; none. */
  assert_text_fails(BASE "timeline:\n  - {at: 1m, link_down: l, link_up: l}\n", 10, 37,
                    "both 'link_down' and 'link_up'");
  assert_text_fails(BASE "timeline:\n  - {at: 1m}\n", 10, 5, "needs one of: link_down");
  /* Unknown host and middlebox names. */
  assert_text_fails(BASE "timeline:\n  - {at: 1m, peer_crash: x}\n", 10, 26,
                    "unknown host 'x' (hosts here: c, s)");
  assert_text_fails(BASE "timeline:\n"
                         "  - {at: 1m, middlebox_timeout: {middlebox: fw, idle_timeout: 1m}}\n",
                    10, 45, "unknown middlebox 'fw' (middleboxes here: none)");
  /* Duplicate names. */
  assert_text_fails("duration: 1h\n"
                    "hosts:\n"
                    "  c: {profile: linux}\n"
                    "  c: {profile: linux}\n",
                    4, 3, "'c' is given twice in hosts");
  assert_text_fails(BASE "  - {name: g, client: s, server: c}\n", 9, 12,
                    "there is already a group 'g'");
  /* count 0, negative durations, zero where not allowed. */
  assert_text_fails(BASE "  - {name: h, client: c, server: s, count: 0}\n", 9, 44,
                    "must be at least 1");
  assert_text_fails(BASE "  - {name: h, client: c, server: s, connect_at: -1s}\n", 9, 49,
                    "negative");
  assert_text_fails("duration: 0s\n", 1, 11, "must be more than 0");
  assert_text_fails("duration: 1h30\n", 1, 11, "'1h30' is not a duration");
  /* A link from a host to itself; a group without a link. */
  assert_text_fails("duration: 1h\n"
                    "hosts: {c: {profile: linux}}\n"
                    "links:\n"
                    "  l: {between: [c, c], delay: 1ms}\n",
                    4, 20, "not 'c' with itself");
  assert_text_fails("duration: 1h\n"
                    "hosts: {a: {profile: linux}, b: {profile: linux}, c: {profile: linux}}\n"
                    "links: {l: {between: [a, b], delay: 1ms}}\n"
                    "groups: [{name: g, client: a, server: c}]\n",
                    4, 39, "no path of links joins 'a' and 'c'");
  /* Through a router is fine: a - r - b. */
  GError *error = NULL;
  ks_scenario *sc = load_text("duration: 1h\n"
                              "hosts: {a: {profile: linux}, r: {profile: linux}, "
                              "b: {profile: linux}}\n"
                              "links: {ar: {between: [a, r], delay: 1ms}, "
                              "rb: {between: [b, r], delay: 1ms}}\n"
                              "groups: [{name: g, client: a, server: b}]\n",
                              NULL, &error);
  g_assert_no_error(error);
  ks_scenario_free(sc);
  /* Two links between the same hosts: routing would use only the first. */
  assert_text_fails("duration: 1h\n"
                    "hosts: {a: {profile: linux}, b: {profile: linux}}\n"
                    "links:\n"
                    "  one: {between: [a, b], delay: 1ms}\n"
                    "  two: {between: [b, a], delay: 1ms}\n",
                    5, 18, "already joined by link 'one'");
  /* Missing keys, wrong types, an empty file, two documents. */
  assert_text_fails("hosts: {}\n", 1, 1, "a scenario needs 'duration'");
  assert_text_fails("duration: 1h\nhosts:\n  c: {settings: {}}\n", 3, 3,
                    "host 'c' needs 'profile'");
  assert_text_fails("duration: 1h\nhosts: [c, s]\n", 2, 8, "hosts must be a mapping");
  assert_text_fails(BASE "timeline: {at: 1m}\n", 9, 11, "timeline must be a list");
  assert_text_fails("", 1, 1, "empty");
  assert_text_fails("duration: 1h\n---\nduration: 2h\n", 3, 1, "one YAML document");
  /* Bandwidth needs units too; bad settings and sockopt names. */
  assert_text_fails("duration: 1h\n"
                    "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
                    "links: {l: {between: [c, s], delay: 1ms, bandwidth: 100}}\n",
                    3, 53, "a bandwidth needs a unit");
  assert_text_fails("duration: 1h\n"
                    "hosts:\n"
                    "  c: {profile: linux, settings: {KeepAliveTime: 300s}}\n",
                    3, 34, "settings: KeepAliveTime: no such parameter on profile linux");
  assert_text_fails("duration: 1h\n"
                    "hosts:\n"
                    "  c: {profile: linux, settings: {net.ipv4.tcp_keepalive_time: 0}}\n",
                    3, 63, "out of range");
  assert_text_fails(BASE "  - {name: h, client: c, server: s, sockopts: {TCP_KEEPIDEL: 5}}\n", 9,
                    48, "unknown socket option 'TCP_KEEPIDEL'");
  /* A Linux socket refuses TCP_KEEPIDLE 40000 (at most 32767, facts §4). */
  assert_text_fails(BASE "  - {name: h, client: c, server: s, sockopts: {TCP_KEEPIDLE: 40000}}\n",
                    9, 62, "EINVAL (22)");
  /* Sockopts go to the keep-alive side: Vista has no TCP_KEEPIDLE, so a
   * server-side one fails there though the client is linux. */
  assert_text_fails("duration: 1h\n"
                    "hosts: {c: {profile: linux}, s: {profile: windows-vista}}\n"
                    "links: {l: {between: [c, s], delay: 1ms}}\n"
                    "groups:\n"
                    "  - {name: g, client: c, server: s, keepalive: server,\n"
                    "     sockopts: {TCP_KEEPIDLE: 30}}\n",
                    6, 31, "WSAENOPROTOOPT");
  /* Unknown middlebox preset and traffic keys of another kind. */
  assert_text_fails(BASE "middleboxes: {m: {preset: aws, link: l}}\n", 9, 27,
                    "unknown preset 'aws'");
  assert_text_fails(BASE "  - {name: h, client: c, server: s, traffic: {kind: idle, period: 1s}}\n",
                    9, 59, "unknown key 'period' in idle traffic");
  assert_text_fails(BASE "  - {name: h, client: c, server: s, traffic: {kind: periodic}}\n", 9, 46,
                    "traffic needs 'period'");
  assert_text_fails(BASE "timeline:\n  - {at: 1m, peer_crash: c, direction: a_to_b}\n", 10, 40,
                    "only link_down, link_up and flap have a direction");
}

static void test_inline_values(void) {
  GError *error = NULL;
  ks_scenario *sc = load_text(
    "name: values\n"
    "duration: 1h30m\n"
    "seed: 42\n"
    "hosts:\n"
    "  c: {profile: linux}\n"
    "  s: {profile: freebsd}\n"
    "links:\n"
    "  l: {between: [s, c], delay: 1.5ms, bandwidth: 2.5Gbit/s, loss: 0.01}\n"
    "middleboxes:\n"
    "  fw: {kind: firewall, link: l, idle_timeout: 1h, on_expiry: rst}\n"
    "  gw: {preset: gcp-nat, link: l, idle_timeout: 10m}\n"
    "groups:\n"
    "  - name: p\n"
    "    count: 3\n"
    "    client: c\n"
    "    server: s\n"
    "    keepalive: both\n"
    "    connect_at: 1s\n"
    "    connect_spread: 2s\n"
    "    sockopts: {so_keepalive: true, TCP_KEEPIDLE: \"30\"}\n"
    "    traffic: {kind: periodic, period: 5s, request: 10, response: 0, stop: 1h}\n",
    NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(sc->name, ==, "values");
  g_assert_cmpuint(sc->seed, ==, 42);
  g_assert_cmpint(sc->duration, ==, KA_S(5400));
  g_assert_cmpuint(link_(sc, 0)->a, ==, 1);
  g_assert_cmpuint(link_(sc, 0)->b, ==, 0);
  g_assert_cmpint(link_(sc, 0)->delay, ==, 1500000);
  g_assert_cmpuint(link_(sc, 0)->bandwidth_bps, ==, G_GUINT64_CONSTANT(2500000000));
  g_assert_cmpfloat(link_(sc, 0)->loss, ==, 0.01);
  g_assert_cmpint(mbox(sc, 0)->on_expiry, ==, KS_EXPIRY_RST);
  g_assert_cmpstr(mbox(sc, 0)->kind, ==, "firewall");
  g_assert_cmpint(mbox(sc, 1)->idle_timeout, ==, KA_S(600)); /* over the preset's 1200 s */
  g_assert_cmpstr(mbox(sc, 1)->kind, ==, "nat");
  ks_group_spec *g = group(sc, 0);
  g_assert_cmpuint(g->count, ==, 3);
  g_assert_cmpint(g->keepalive, ==, KS_KEEPALIVE_BOTH);
  g_assert_cmpint(g->connect_at, ==, KA_S(1));
  g_assert_cmpint(g->connect_spread, ==, KA_S(2));
  g_assert_cmpstr(sockopt(g, 0)->name, ==, "SO_KEEPALIVE");
  g_assert_cmpstr(sockopt(g, 0)->value, ==, "1");
  g_assert_cmpint(sockopt(g, 0)->line, ==, 20);
  g_assert_cmpint(sockopt(g, 0)->column, ==, 30);
  g_assert_cmpstr(sockopt(g, 1)->value, ==, "30");
  g_assert_cmpint(g->traffic, ==, KS_TRAFFIC_PERIODIC);
  g_assert_cmpint(g->period, ==, KA_S(5));
  g_assert_cmpuint(g->request_bytes, ==, 10);
  g_assert_cmpuint(g->response_bytes, ==, 0);
  g_assert_cmpint(g->traffic_start, ==, 0);
  g_assert_cmpint(g->traffic_stop, ==, KA_S(3600));
  ks_scenario_free(sc);

  /* Defaults: name from the file, no description, seed 1. */
  sc = load_text(BASE, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(sc->name, ==, "inline");
  g_assert_null(sc->description);
  g_assert_cmpuint(sc->seed, ==, 1);
  g_assert_cmpuint(sc->middleboxes->len, ==, 0);
  g_assert_cmpuint(sc->events->len, ==, 0);
  g_assert_cmpint(group(sc, 0)->traffic, ==, KS_TRAFFIC_IDLE);
  ks_scenario_free(sc);
}

/* ---- the timeline ------------------------------------------------------ */

static void test_events_sorted_stable(void) {
  GError *error = NULL;
  ks_scenario *sc = load_text(BASE
                              "timeline:\n"
                              "  - {at: 30m, link_up: l}\n"
                              "  - {at: 10m, link_down: l, direction: b_to_a}\n"
                              "  - {at: 30m, peer_crash: s}\n"
                              "  - {at: 10m, loss: {link: l, rate: 0.25}}\n"
                              "  - {at: 0s, app_hang: c}\n"
                              "  - {at: 10m, middlebox_timeout: {middlebox: m, idle_timeout: 1m}}\n"
                              "middleboxes: {m: {preset: meraki, link: l}}\n",
                              NULL, &error);
  g_assert_no_error(error);
  static const struct {
    ka_time at;
    ks_event_kind kind;
    int line;
  } want[] = {
    {0, KS_EV_APP_HANG, 14},         {KA_S(600), KS_EV_LINK_DOWN, 11},
    {KA_S(600), KS_EV_LOSS, 13},     {KA_S(600), KS_EV_MIDDLEBOX_TIMEOUT, 15},
    {KA_S(1800), KS_EV_LINK_UP, 10}, {KA_S(1800), KS_EV_PEER_CRASH, 12},
  };
  g_assert_cmpuint(sc->events->len, ==, G_N_ELEMENTS(want));
  for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
    g_assert_cmpint(event(sc, i)->at, ==, want[i].at);
    g_assert_cmpint(event(sc, i)->kind, ==, want[i].kind);
    g_assert_cmpint(event(sc, i)->line, ==, want[i].line);
  }
  g_assert_cmpint(event(sc, 1)->direction, ==, KS_DIR_B_TO_A);
  g_assert_cmpfloat(event(sc, 2)->rate, ==, 0.25);
  g_assert_cmpint(event(sc, 3)->duration, ==, KA_S(60));
  g_assert_cmpint(mbox(sc, 0)->idle_timeout, ==, KA_S(300)); /* Meraki, facts §6 */
  g_assert_cmpuint(event(sc, 5)->target, ==, 1);             /* host s */
  ks_scenario_free(sc);
}

static void test_flap_partial_cycle(void) {
  /* 7 min period, a quarter down, for 10 min from 20 min: down 20:00-21:45,
   * down again at 27:00, and up at the flap's end (30:00), not at 28:45. */
  GError *error = NULL;
  ks_scenario *sc = load_text(BASE "timeline:\n"
                                   "  - {at: 20m, direction: a_to_b,\n"
                                   "     flap: {link: l, period: 7m, duty: 0.25, duration: 10m}}\n",
                              NULL, &error);
  g_assert_no_error(error);
  static const ka_time want[] = {KA_S(1200), KA_S(1305), KA_S(1620), KA_S(1725)};
  g_assert_cmpuint(sc->events->len, ==, 4);
  for (guint i = 0; i < 4; i++) {
    g_assert_cmpint(event(sc, i)->at, ==, want[i]);
    g_assert_cmpint(event(sc, i)->kind, ==, i % 2 ? KS_EV_LINK_UP : KS_EV_LINK_DOWN);
    g_assert_cmpint(event(sc, i)->direction, ==, KS_DIR_A_TO_B);
    g_assert_cmpint(event(sc, i)->line, ==, 10);
  }
  ks_scenario_free(sc);

  /* 10 min of 1.75 min periods ends mid-down: the last up is the end. */
  sc = load_text(BASE "timeline:\n"
                      "  - {at: 0s, flap: {link: l, period: 1.75m, duty: 0.9, duration: 10m}}\n",
                 NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(sc->events->len, ==, 12); /* ceil(600 / 105) = 6 cycles */
  g_assert_cmpint(event(sc, 10)->at, ==, KA_S(525));
  g_assert_cmpint(event(sc, 11)->at, ==, KA_S(600));
  ks_scenario_free(sc);
}

/* ---- durations --------------------------------------------------------- */

static void test_duration_parse(void) {
  static const struct {
    const char *text;
    ka_time ns;
  } good[] = {
    {"350s", KA_S(350)},
    {"4m", KA_S(240)},
    {"1.5h", KA_S(5400)},
    {"250ms", KA_MS(250)},
    {"2d", KA_S(172800)},
    {"0s", 0},
    {"10ns", 10},
    {"1.5us", 1500},
    {"1.5s", KA_MS(1500)},
    {"0.001s", KA_MS(1)},
    {"1h30m", KA_S(5400)},
    {"2h5m10.5s", KA_MS(7510500)},
    {"106751d", G_GINT64_CONSTANT(106751) * 86400 * KA_NS_PER_S},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
    ka_time t = -1;
    if (!ks_duration_parse(good[i].text, &t))
      g_error("'%s' refused", good[i].text);
    g_assert_cmpint(t, ==, good[i].ns);
  }
  static const char *const bad[] = {
    "350",     "1.5",
    "",        "s",
    "-5s",     "+5s",
    "5 s",     " 5s",
    "5s ",     "1.s",
    ".5s",     "1e3s",
    "5sec",    "5S",
    "5x",      "1h30",
    "0.5ns",   "1.0000000001s",
    "106752d", "99999999999999999999s",
    "inf",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    ka_time t = 12345;
    if (ks_duration_parse(bad[i], &t))
      g_error("'%s' accepted", bad[i]);
    g_assert_cmpint(t, ==, 12345); /* untouched */
  }
}

/* ---- --set ------------------------------------------------------------- */

#define SET_BASE                                                                             \
  "duration: 1h\n"                                                                           \
  "hosts:\n"                                                                                 \
  "  w: {profile: windows-vista}\n"                                                          \
  "  x: {profile: windows-xp}\n"                                                             \
  "  l: {profile: linux}\n"                                                                  \
  "links:\n"                                                                                 \
  "  wl: {between: [w, l], delay: 1ms}\n"                                                    \
  "  xl: {between: [x, l], delay: 1ms}\n"                                                    \
  "groups:\n"                                                                                \
  "  - {name: gw, client: w, server: l, sockopts: {SIO_KEEPALIVE_VALS: \"1,60000,1000\"}}\n" \
  "  - {name: gx, client: x, server: l}\n"

static void test_set_applies(void) {
  char *sets[] = {"KeepAliveTime=300s", "net.ipv4.tcp_keepalive_time=600",
                  "sio_keepalive_vals=1,30000,500", NULL};
  GError *error = NULL;
  ks_scenario *sc = load_text(SET_BASE, sets, &error);
  g_assert_no_error(error);
  /* Registry values on both Windows hosts, the sysctl on the Linux one. */
  g_assert_cmpuint(param(host_named(sc, "w"), "KeepAliveTime"), ==, 300000);
  g_assert_cmpuint(param(host_named(sc, "x"), "KeepAliveTime"), ==, 300000);
  g_assert_true(ka_params_is_set(host_named(sc, "w")->params, "KeepAliveTime"));
  g_assert_cmpuint(param(host_named(sc, "l"), "net.ipv4.tcp_keepalive_time"), ==, 600);
  g_assert_false(ka_params_is_set(host_named(sc, "w")->params, "KeepAliveInterval"));
  /* The socket option goes last on every group's keep-alive sockets. */
  ks_group_spec *gw = group(sc, 0), *gx = group(sc, 1);
  g_assert_cmpuint(gw->sockopts->len, ==, 2);
  g_assert_cmpstr(sockopt(gw, 0)->value, ==, "1,60000,1000");
  g_assert_cmpstr(sockopt(gw, 1)->name, ==, "SIO_KEEPALIVE_VALS");
  g_assert_cmpstr(sockopt(gw, 1)->value, ==, "1,30000,500");
  g_assert_cmpint(sockopt(gw, 1)->line, ==, 0);
  g_assert_cmpuint(gx->sockopts->len, ==, 1);
  g_assert_cmpstr(sockopt(gx, 0)->value, ==, "1,30000,500");
  ks_scenario_free(sc);

  /* The sysctl does not exist on Windows, so it reaches only l. */
  char *one[] = {"net.ipv4.tcp_keepalive_probes=3", NULL};
  sc = load_text(SET_BASE, one, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(param(host_named(sc, "l"), "net.ipv4.tcp_keepalive_probes"), ==, 3);
  g_assert_cmpuint(ka_params_keepcnt(host_named(sc, "w")->params), ==, 10);
  ks_scenario_free(sc);
}

static void assert_set_fails(char *assignment, const char *part) {
  char *path = write_tmp("inline.yaml", SET_BASE);
  char *sets[] = {"KeepAliveInterval=2s", assignment, NULL};
  char *prefix = g_strdup_printf("--set %s: ", assignment);
  assert_fails_with(path, sets, prefix, part);
  g_free(prefix);
  g_free(path);
}

static void test_set_rejects(void) {
  assert_set_fails("NoSuchValue=1", "no host here has 'NoSuchValue'");
  assert_set_fails("NoSuchValue=1", "KeepAliveTime");
  assert_set_fails("KeepAliveTime=soon", "host 'w': KeepAliveTime:");
  assert_set_fails("KeepAliveTime=0", "out of range");
  assert_set_fails("KeepAliveTime", "expected NAME=VALUE");
  assert_set_fails("=5", "expected NAME=VALUE");
  /* Neither XP nor Vista has TCP_KEEPIDLE (1709+, facts §1). */
  assert_set_fails("TCP_KEEPIDLE=30", "WSAENOPROTOOPT (10042)");
  assert_set_fails("TCP_KEEPIDLE=30", "(on host 'w' of group 'gw')");
}

/* --set PATH=VALUE: one host's setting, one group's socket option, a
 * link's loss, a timeline entry's time, each checked by the loader as if
 * the file said so.  Facts §2: KeepAliveTime is a Windows registry value;
 * facts §1: TCP_KEEPIDLE exists on Windows 10 1709 and Linux, not XP. */
static void test_set_paths(void) {
  char *sets[] = {"hosts.w.settings.KeepAliveTime=300s",
                  "hosts.x.profile=windows-10-1709",
                  "groups.gx.sockopts.TCP_KEEPIDLE=30",
                  "links.xl.loss=0.25",
                  "groups.1.count=7",
                  NULL};
  GError *error = NULL;
  ks_scenario *sc = load_text(SET_BASE, sets, &error);
  g_assert_no_error(error);
  /* Only the host named gets the setting: x keeps its default. */
  g_assert_cmpuint(param(host_named(sc, "w"), "KeepAliveTime"), ==, 300000);
  g_assert_false(ka_params_is_set(host_named(sc, "x")->params, "KeepAliveTime"));
  g_assert_cmpstr(ka_profile_name(host_named(sc, "x")->profile), ==, "windows-10-1709");
  /* Only the group named gets the option (x now takes it: 1709). */
  g_assert_cmpuint(group(sc, 0)->sockopts->len, ==, 1);
  g_assert_cmpuint(group(sc, 1)->sockopts->len, ==, 1);
  g_assert_cmpstr(sockopt(group(sc, 1), 0)->name, ==, "TCP_KEEPIDLE");
  g_assert_cmpstr(sockopt(group(sc, 1), 0)->value, ==, "30");
  g_assert_cmpuint(group(sc, 1)->count, ==, 7);
  g_assert_cmpfloat(((ks_link_spec *)sc->links->pdata[1])->loss, ==, 0.25);
  g_assert_cmpfloat(((ks_link_spec *)sc->links->pdata[0])->loss, ==, 0);
  ks_scenario_free(sc);

  /* A path and the plain form together; the timeline by index. */
  char *text = g_strconcat(SET_BASE, "timeline:\n  - {at: 10m, link_down: wl}\n", NULL);
  char *both[] = {"timeline.0.at=20m", "KeepAliveInterval=2s", NULL};
  sc = load_text(text, both, &error);
  g_assert_no_error(error);
  g_assert_cmpint(g_array_index(sc->events, ks_event_spec, 0).at, ==, KA_S(1200));
  g_assert_cmpuint(param(host_named(sc, "w"), "KeepAliveInterval"), ==, 2000);
  ks_scenario_free(sc);
  g_free(text);
}

static void test_set_paths_reject(void) {
  /* The loader's own checks, located at the assignment. */
  assert_set_fails("links.xl.loss=2", "loss: 2 is outside [0, 1]");
  assert_set_fails("groups.gw.count=many", "count: 'many' is not a whole number");
  assert_set_fails("groups.gx.sockopts.TCP_KEEPIDLE=30", "WSAENOPROTOOPT (10042)");
  assert_set_fails("hosts.w.KeepAliveTime=1s", "unknown key 'KeepAliveTime' in host 'w'");
  /* What the path itself gets wrong. */
  assert_set_fails("hosts.nosuch.profile=linux", "'hosts' has no 'nosuch' (it has: w, x, l)");
  assert_set_fails("groups.gz.count=1", "'groups' has 2 entries, none at 'gz'");
  assert_set_fails("groups.2.count=1", "'groups' has 2 entries, none at '2'");
  assert_set_fails("hosts.w=linux", "'hosts.w' is a mapping; --set replaces one value");
  assert_set_fails("hosts.w.profile.x=1", "'hosts.w.profile' is 'windows-vista', which has no 'x'");
  assert_set_fails("middleboxes.m.link=wl", "the scenario has no 'middleboxes'");
  assert_set_fails("hosts.w..profile=linux", "an empty part in the path");
  assert_set_fails("hosts.w.profile=", "expected PATH=VALUE");
}

/* What a load with SET_BASE's timeline and no --set gives, whatever an
 * earlier load from the same source set: the file as written. */
static void assert_as_written(const ks_scenario *sc) {
  g_assert_cmpstr(ka_profile_name(host_named(sc, "x")->profile), ==, "windows-xp");
  g_assert_false(ka_params_is_set(host_named(sc, "w")->params, "KeepAliveTime"));
  g_assert_true(group(sc, 1)->sockopts == NULL || group(sc, 1)->sockopts->len == 0);
  g_assert_cmpuint(group(sc, 0)->sockopts->len, ==, 1);
  g_assert_cmpuint(group(sc, 1)->count, ==, 1);
  g_assert_cmpfloat(((ks_link_spec *)sc->links->pdata[1])->loss, ==, 0);
  g_assert_cmpint(event(sc, 0)->at, ==, KA_S(600));
}

/* One parsed source, loaded again and again with other --set paths (a
 * sweep's cells): each load sees the file as written plus its own sets,
 * never an earlier load's, also after a load that failed half-way. */
static void test_set_source_reused(void) {
  g_autofree char *text = g_strconcat(SET_BASE, "timeline:\n  - {at: 10m, link_down: wl}\n", NULL);
  g_autofree char *path = write_tmp("reused.yaml", text);
  GError *error = NULL;
  ks_scenario_src *src = ks_scenario_src_new(path, NULL, 0, NULL, &error);
  g_assert_no_error(error);
  /* A new mapping and keys under gx, a new key of xl, replaced scalars
   * in a mapping (x's profile) and under a sequence entry (the time). */
  char *sets[] = {"hosts.x.profile=windows-10-1709",
                  "groups.gx.sockopts.TCP_KEEPIDLE=30",
                  "hosts.w.settings.KeepAliveTime=300s",
                  "links.xl.loss=0.25",
                  "groups.1.count=7",
                  "timeline.0.at=20m",
                  NULL};
  for (int round = 0; round < 2; round++) {
    ks_scenario *sc = ks_scenario_src_load(src, sets, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(ka_profile_name(host_named(sc, "x")->profile), ==, "windows-10-1709");
    g_assert_cmpstr(sockopt(group(sc, 1), 0)->value, ==, "30");
    g_assert_cmpuint(param(host_named(sc, "w"), "KeepAliveTime"), ==, 300000);
    g_assert_cmpfloat(((ks_link_spec *)sc->links->pdata[1])->loss, ==, 0.25);
    g_assert_cmpuint(group(sc, 1)->count, ==, 7);
    g_assert_cmpint(event(sc, 0)->at, ==, KA_S(1200));
    ks_scenario_free(sc);
    sc = ks_scenario_src_load(src, NULL, &error);
    g_assert_no_error(error);
    assert_as_written(sc);
    ks_scenario_free(sc);
  }
  /* Refused after some paths were put in: the next load is clean. */
  char *bad[] = {"hosts.x.profile=windows-10-1709", "groups.gx.sockopts.TCP_KEEPIDLE=30",
                 "links.xl.loss=2", NULL};
  g_assert_null(ks_scenario_src_load(src, bad, &error));
  g_assert_nonnull(strstr(error->message, "--set links.xl.loss=2: "));
  g_clear_error(&error);
  /* Vista has no TCP_KEEPIDLE: refused after the whole document loaded. */
  char *late[] = {"groups.gw.sockopts.TCP_KEEPIDLE=30", NULL};
  g_assert_null(ks_scenario_src_load(src, late, &error));
  g_assert_nonnull(strstr(error->message, "WSAENOPROTOOPT"));
  g_clear_error(&error);
  ks_scenario *sc = ks_scenario_src_load(src, NULL, &error);
  g_assert_no_error(error);
  assert_as_written(sc);
  ks_scenario_free(sc);
  ks_scenario_src_free(src);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  GError *error = NULL;
  tmp_dir = g_dir_make_tmp("test_scenario-XXXXXX", &error);
  g_assert_no_error(error);

  g_test_add_func("/scenario/shipped/all-load", test_shipped_all_load);
  g_test_add_func("/scenario/shipped/cable-pull", test_shipped_cable_pull);
  g_test_add_func("/scenario/shipped/linux", test_shipped_linux);
  g_test_add_func("/scenario/shipped/peer-reboot", test_shipped_peer_reboot);
  g_test_add_func("/scenario/shipped/nat", test_shipped_nat);
  g_test_add_func("/scenario/shipped/flapping-link", test_shipped_flapping);
  g_test_add_func("/scenario/shipped/others", test_shipped_others);
  g_test_add_func("/scenario/errors/fixtures", test_fixture_errors);
  g_test_add_func("/scenario/errors/unreadable", test_unreadable);
  g_test_add_func("/scenario/errors/inline", test_inline_errors);
  g_test_add_func("/scenario/registry", test_good_registry);
  g_test_add_func("/scenario/values", test_inline_values);
  g_test_add_func("/scenario/timeline/sorted-stable", test_events_sorted_stable);
  g_test_add_func("/scenario/timeline/flap-partial", test_flap_partial_cycle);
  g_test_add_func("/scenario/duration-parse", test_duration_parse);
  g_test_add_func("/scenario/set/applies", test_set_applies);
  g_test_add_func("/scenario/set/rejects", test_set_rejects);
  g_test_add_func("/scenario/set/paths", test_set_paths);
  g_test_add_func("/scenario/set/paths-reject", test_set_paths_reject);
  g_test_add_func("/scenario/set/source-reused", test_set_source_reused);
  int rc = g_test_run();

  char *inline_path = g_build_filename(tmp_dir, "inline.yaml", NULL);
  g_remove(inline_path);
  g_free(inline_path);
  g_rmdir(tmp_dir);
  g_free(tmp_dir);
  return rc;
}
