/* test_limits.c - the loader on hostile input (issue 23): every limit of
 * ks_limits.h, refused at the place that passes it, naming the limit, at
 * once; arithmetic that cannot wrap; NaN and infinities refused; control
 * characters escaped in messages.
 *
 * The reproducers of the issue are here as they were reported (a 400 KB
 * file of '[', 200,000 hosts with a duplicate key, 2,999 aliases to one
 * flap, a 1 ns period, /dev/zero, duration: 106751d with a long flap,
 * count: 4294967295, a key with a newline and escape codes), made in
 * memory so that the suite stays small.  Timed ones allow 2 s, well past
 * the 1 s the issue asks for, because the suite also runs under ASan: the
 * behaviour they guard against took minutes, or failed to allocate 29 GB.
 */
#include <glib.h>
#include <string.h>

#include "ks_scenario.h"

/* Lines 1-8 of most texts below; tests append from line 9. */
#define BASE                              \
  "duration: 1h\n"                        \
  "hosts:\n"                              \
  "  c: {profile: linux}\n"               \
  "  s: {profile: linux}\n"               \
  "links:\n"                              \
  "  l: {between: [c, s], delay: 10ms}\n" \
  "groups:\n"                             \
  "  - {name: g, client: c, server: s}\n"

static ks_scenario *load_lim(const char *text, gssize len, char **sets, const ks_limits *lim,
                             GError **error) {
  return ks_scenario_load_data("x.yaml", text, len < 0 ? strlen(text) : (gsize)len, sets, lim,
                               error);
}

/* Loading fails, quickly, with one message that starts with "x.yaml:L:C: "
 * (L 0: no location asked), contains `part` and, for a limit, names it. */
static void assert_fails_lim(const char *text, gssize len, const ks_limits *lim, int line,
                             int column, const char *part, const char *limit) {
  ks_limits defaults;
  ks_limits_init(&defaults);
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time();
  ks_scenario *sc = load_lim(text, len, NULL, lim ? lim : &defaults, &error);
  double seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
  g_assert_null(sc);
  g_assert_error(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID);
  if (line > 0) {
    g_autofree char *prefix = g_strdup_printf("x.yaml:%d:%d: ", line, column);
    if (!g_str_has_prefix(error->message, prefix))
      g_error("message '%s' does not start with '%s'", error->message, prefix);
  }
  if (strstr(error->message, part) == NULL)
    g_error("message '%s' does not contain '%s'", error->message, part);
  if (limit) {
    g_autofree char *named = g_strdup_printf("(the limit %s; kasim run --limit %s=N", limit, limit);
    if (strstr(error->message, named) == NULL)
      g_error("message '%s' does not name the limit '%s'", error->message, limit);
  }
  g_assert_null(strchr(error->message, '\n'));
  if (seconds > 2)
    g_error("took %.2f s to refuse: '%s'", seconds, error->message);
  g_error_free(error);
}

static void assert_fails(const char *text, int line, int column, const char *part,
                         const char *limit) {
  assert_fails_lim(text, -1, NULL, line, column, part, limit);
}

/* ---- size ---------------------------------------------------------------- */

static void test_size(void) {
  /* /dev/zero is read only up to the limit (it was read until memory ran
   * out), and so is a registry file named in a scenario. */
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time();
  g_assert_null(ks_scenario_load("/dev/zero", NULL, &error));
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 2000000);
  g_assert_nonnull(error);
  g_assert_true(g_str_has_prefix(error->message, "/dev/zero:1:1: larger than 4194304 bytes "
                                                 "(the limit scenario_bytes; kasim run --limit "
                                                 "scenario_bytes=N"));
  g_clear_error(&error);
  assert_fails("duration: 1h\n"
               "hosts:\n"
               "  c: {profile: windows-xp, registry: /dev/zero}\n",
               3, 38, "registry: /dev/zero:1:1: larger than 16777216 bytes", "reg_bytes");
  /* From memory: the same limit, one byte past it. */
  ks_limits lim;
  ks_limits_init(&lim);
  lim.scenario_bytes = strlen(BASE);
  ks_scenario_free(load_lim(BASE, -1, NULL, &lim, &error));
  g_assert_no_error(error);
  g_autofree char *more = g_strconcat(BASE, "\n", NULL);
  g_autofree char *part = g_strdup_printf("larger than %zu bytes", strlen(BASE));
  assert_fails_lim(more, -1, &lim, 1, 1, part, "scenario_bytes");
  ks_scenario_free(load_lim(BASE, -1, NULL, NULL, &error));
  g_assert_no_error(error);
}

/* ---- shape: depth and nodes, before libyaml builds its tree ------------ */

static char *repeat(const char *unit, guint n, const char *tail) {
  GString *s = g_string_sized_new(strlen(unit) * n + 16);
  for (guint i = 0; i < n; i++)
    g_string_append(s, unit);
  g_string_append(s, tail);
  return g_string_free(s, FALSE);
}

static void test_depth(void) {
  /* 400 KB of '[' hung libyaml's loader past 60 s. */
  g_autofree char *flow = repeat("[", 400000, "\n");
  assert_fails(flow, 1, 33, "lists and mappings nested more than 32 deep", "depth");
  g_autofree char *maps = repeat("{a: ", 100000, "\n");
  assert_fails(maps, 1, 129, "nested more than 32 deep", "depth");
  g_autofree char *block = repeat("- ", 200000, "x\n");
  assert_fails(block, 1, 65, "nested more than 32 deep", "depth");
  /* 32 levels (the root mapping and 31 lists) pass the shape check: the
   * schema says what is wrong. */
  g_autofree char *open31 = repeat("[", 31, ""), *close31 = repeat("]", 31, "\n");
  g_autofree char *d32 = g_strconcat("duration: ", open31, close31, NULL);
  assert_fails(d32, 1, 11, "duration must be a duration", NULL);
  g_autofree char *d33 = g_strconcat("duration: ", open31, "[]", close31, NULL);
  assert_fails(d33, 1, 42, "nested more than 32 deep", "depth");
  /* The limit can be raised. */
  ks_limits lim;
  ks_limits_init(&lim);
  lim.depth = 40;
  assert_fails_lim(d33, -1, &lim, 1, 11, "duration must be a duration", NULL);
}

static void test_nodes(void) {
  ks_limits lim;
  ks_limits_init(&lim);
  lim.nodes = 100;
  /* The root mapping, "timeline" and the list are 3 nodes, then one per
   * entry: the 98th entry is the 101st node. */
  g_autofree char *items = repeat("a, ", 150, "a]\n");
  g_autofree char *text = g_strconcat("timeline: [", items, NULL);
  assert_fails_lim(text, -1, &lim, 1, 12 + 97 * 3, "more than 100 keys, values and list entries",
                   "nodes");
  /* Aliases count at each use: root, x, [1], 1, y, the list, then the
   * 95th alias is the 101st node. */
  g_autofree char *aliases = repeat("*a, ", 120, "*a]\n");
  g_autofree char *text2 = g_strconcat("x: &a [1]\ny: [", aliases, NULL);
  assert_fails_lim(text2, -1, &lim, 2, 5 + 94 * 4, "more than 100 keys", "nodes");
  /* The default: a million. */
  g_autofree char *big = repeat("a,", 1000001, "a]\n");
  g_autofree char *text3 = g_strconcat("[", big, NULL);
  assert_fails(text3, 1, 2 + 999999 * 2, "more than 1000000 keys", "nodes");
}

/* ---- counts and duplicate keys ------------------------------------------- */

static void test_duplicate_keys_linear(void) {
  /* 200,000 hosts with a duplicate key hung the quadratic check.  The
   * hosts limit is raised past them, so that the duplicate is what is
   * found, in linear time. */
  enum { N = 200000 };
  GString *s = g_string_new("duration: 1h\nhosts:\n");
  for (guint i = 0; i < N; i++)
    g_string_append_printf(s, "  h%u: 0\n", i);
  g_string_append(s, "  h17: 0\n");
  ks_limits lim;
  ks_limits_init(&lim);
  lim.hosts = 2 * N;
  assert_fails_lim(s->str, (gssize)s->len, &lim, N + 3, 3, "'h17' is given twice in hosts", NULL);
  /* Case-insensitive names (settings, socket options) are hashed folded. */
  GString *t = g_string_new("duration: 1h\n"
                            "hosts:\n"
                            "  c: {profile: linux, settings: {");
  for (guint i = 0; i < 20; i++)
    g_string_append_printf(t, "x%u: 1, ", i);
  g_string_append(t, "NET.IPV4.TCP_KEEPALIVE_TIME: 60, net.ipv4.tcp_keepalive_time: 70}}\n");
  assert_fails(t->str, 3, 33 + 20 * 6 + 10 * 1 + 54,
               "'net.ipv4.tcp_keepalive_time' is given twice in settings", NULL);
  g_string_free(s, TRUE);
  g_string_free(t, TRUE);
}

static void test_counts(void) {
  ks_limits lim;
  ks_limits_init(&lim);
  lim.hosts = lim.links = lim.middleboxes = lim.groups = 2;
  assert_fails_lim("duration: 1h\nhosts: {a: 1, b: 2, c: 3}\n", -1, &lim, 2, 21,
                   "hosts: 3 of them, more than 2", "hosts");
  const char
    *three_links = "duration: 1h\n"
                   "hosts: {a: {profile: linux}, b: {profile: linux}, c: {profile: linux}}\n"
                   "links: {x: 1, y: 2, z: 3}\n";
  lim.hosts = 3;
  assert_fails_lim(three_links, -1, &lim, 3, 21, "links: 3 of them, more than 2", "links");
  assert_fails_lim(BASE "middleboxes: {m: 1, n: 2, o: 3}\n", -1, &lim, 9, 27,
                   "middleboxes: 3 of them, more than 2", "middleboxes");
  assert_fails_lim(BASE "  - 2\n  - 3\n", -1, &lim, 10, 5, "groups: 3 of them, more than 2",
                   "groups");
  /* count: 4294967295 exited with 1 (out of memory) and left a folder. */
  assert_fails(BASE "  - {name: h, client: c, server: s, count: 4294967295}\n", 9, 44,
               "count: 4294967295 connections with the groups before, more than 100000000 "
               "connections in all",
               "connections");
  lim.connections = 10;
  assert_fails_lim("duration: 1h\n"
                   "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
                   "links: {l: {between: [c, s], delay: 1ms}}\n"
                   "groups:\n"
                   "  - {name: g, client: c, server: s, count: 6}\n"
                   "  - {name: h, client: c, server: s, count: 5}\n",
                   -1, &lim, 6, 44, "count: 5 connections with the groups before", "connections");
  assert_fails("duration: 1h\n"
               "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
               "links: {l: {between: [c, s], delay: 1ms}}\n"
               "groups:\n"
               "  - {name: g, client: c, server: s, count: 18446744073709551616}\n",
               5, 44, "not a whole number", NULL);
}

/* ---- the timeline -------------------------------------------------------- */

static void test_events_aliases(void) {
  /* 21 KB: one flap of 100,000 cycles and 2,999 aliases to it asked for
   * 29 GB and aborted in GLib with no file:line. */
  GString *s = g_string_new(BASE "timeline:\n"
                                 "  - &f {at: 0s, flap: {link: l, period: 10ms, duty: 0.5, "
                                 "duration: 1000s}}\n");
  for (guint i = 0; i < 2999; i++)
    g_string_append(s, "  - *f\n");
  assert_fails(s->str, 10, 23,
               "the timeline would hold 1200000 events after flaps are expanded, "
               "more than 1000000",
               "events");
  /* Plain events count too. */
  ks_limits lim;
  ks_limits_init(&lim);
  lim.events = 2;
  assert_fails_lim(BASE "timeline:\n"
                        "  - {at: 1s, link_down: l}\n"
                        "  - {at: 2s, link_up: l}\n"
                        "  - {at: 3s, peer_crash: s}\n",
                   -1, &lim, 12, 5, "would hold 3 events", "events");
  g_string_free(s, TRUE);
}

/* ---- what running it would cost ------------------------------------------ */

static void test_rate(void) {
  /* period: 1ns never finished. */
  assert_fails("duration: 1h\n"
               "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
               "links: {l: {between: [c, s], delay: 1ms}}\n"
               "groups:\n"
               "  - {name: g, client: c, server: s, traffic: {kind: periodic, period: 1ns}}\n",
               5, 71,
               "group 'g': a request every 1ns on 1 connection makes 1e+09 exchanges per "
               "virtual second, more than 100000000",
               "rate");
  /* Per connection times the connections. */
  assert_fails("duration: 1h\n"
               "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
               "links: {l: {between: [c, s], delay: 1ms}}\n"
               "groups:\n"
               "  - {name: g, client: c, server: s, traffic: {kind: periodic, period: 1s}}\n"
               "  - name: h\n"
               "    client: c\n"
               "    server: s\n"
               "    count: 1000000\n"
               "    traffic: {kind: periodic, period: 1ms}\n",
               10, 39,
               "on 1000000 connections makes 1e+09 exchanges per virtual second (1e+09 "
               "with the groups before it)",
               "rate");
  /* Keep-alive probes count: Windows' KeepAliveTime of 1 ms on a million
   * connections. */
  assert_fails("duration: 1h\n"
               "hosts: {c: {profile: windows-xp, settings: {KeepAliveTime: 1}}, s: {profile: "
               "linux}}\n"
               "links: {l: {between: [c, s], delay: 1ms}}\n"
               "groups:\n"
               "  - {name: g, client: c, server: s, count: 1000000}\n",
               5, 5, "group 'g': keep-alive probes every 0.001 s on 1000000 connections", "rate");
  /* Bulk traffic over links without delay or bandwidth: no end in no time. */
  assert_fails("duration: 1h\n"
               "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
               "links: {l: {between: [c, s], delay: 0s}}\n"
               "groups:\n"
               "  - {name: g, client: c, server: s, traffic: {kind: bulk}}\n",
               5, 46, "crosses links with no delay and no bandwidth limit", NULL);
  /* Over the run: 1000 connections, a request every 1 ms, for a day. */
  assert_fails("duration: 1d\n"
               "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
               "links: {l: {between: [c, s], delay: 1ms}}\n"
               "groups:\n"
               "  - {name: g, count: 1000, client: c, server: s, traffic: {kind: periodic, "
               "period: 1ms}}\n",
               5, 84, "makes about 8.64e+10 exchanges over the run, more than 10000000000",
               "exchanges");
  /* The shipped many-idle-clients and a busy honest scenario load. */
  GError *error = NULL;
  ks_scenario *sc = load_lim("duration: 3h\n"
                             "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
                             "links: {l: {between: [c, s], delay: 0s, bandwidth: 1Gbit}}\n"
                             "groups:\n"
                             "  - {name: g, count: 100000, client: c, server: s, sockopts: "
                             "{TCP_KEEPIDLE: 1}, traffic: {kind: periodic, period: 30s}}\n"
                             "  - {name: b, client: c, server: s, traffic: {kind: bulk}}\n",
                             -1, NULL, NULL, &error);
  g_assert_no_error(error);
  ks_scenario_free(sc);
}

static void test_route_hops(void) {
  /* A chain a-b-c-d-e, its links written from the far end (union-find and
   * one search per client), three groups across it: 12 links in all. */
  const char *chain = "duration: 1h\n"
                      "hosts: {a: {profile: linux}, b: {profile: linux}, c: {profile: linux}, "
                      "d: {profile: linux}, e: {profile: linux}}\n"
                      "links:\n"
                      "  de: {between: [d, e], delay: 1ms}\n"
                      "  cd: {between: [c, d], delay: 1ms}\n"
                      "  bc: {between: [b, c], delay: 1ms}\n"
                      "  ab: {between: [a, b], delay: 1ms}\n"
                      "groups:\n"
                      "  - {name: g1, client: a, server: e}\n"
                      "  - {name: g2, client: e, server: a}\n"
                      "  - {name: g3, client: a, server: e}\n";
  ks_limits lim;
  ks_limits_init(&lim);
  GError *error = NULL;
  ks_scenario *sc = load_lim(chain, -1, NULL, &lim, &error);
  g_assert_no_error(error);
  GArray *hops = g_array_new(FALSE, FALSE, sizeof(ks_net_hop));
  g_assert_true(ks_scenario_route(sc, 0, 4, hops));
  g_assert_cmpuint(hops->len, ==, 4);
  static const guint links[] = {3, 2, 1, 0};
  for (guint i = 0; i < 4; i++) {
    g_assert_cmpuint(g_array_index(hops, ks_net_hop, i).link, ==, links[i]);
    g_assert_cmpuint(g_array_index(hops, ks_net_hop, i).dir, ==, 0);
  }
  g_assert_true(ks_scenario_route(sc, 4, 0, hops));
  g_assert_cmpuint(hops->len, ==, 4);
  for (guint i = 0; i < 4; i++) {
    g_assert_cmpuint(g_array_index(hops, ks_net_hop, i).link, ==, i);
    g_assert_cmpuint(g_array_index(hops, ks_net_hop, i).dir, ==, 1);
  }
  g_array_unref(hops);
  ks_scenario_free(sc);
  lim.route_hops = 10;
  /* Groups are routed by client, g1 and g3 from a before g2 from e. */
  assert_fails_lim(chain, -1, &lim, 10, 5,
                   "group 'g2': its path of 4 links makes 12 links on the "
                   "groups' paths in all, more than 10",
                   "route_hops");
}

/* ---- time: the longest duration, and sums that cannot wrap --------------- */

static void test_duration(void) {
  /* duration: 106751d with a long flap overflowed a signed sum, and the run
   * exited 0 with its events out of order. */
  const char *issue = "duration: 106751d\n"
                      "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
                      "links: {l: {between: [c, s], delay: 1ms}}\n"
                      "groups:\n"
                      "  - {name: g, client: c, server: s}\n"
                      "timeline:\n"
                      "  - {at: 100000d, flap: {link: l, period: 6751d, duty: 0.999, "
                      "duration: 6751d}}\n";
  assert_fails(issue, 1, 11, "duration: '106751d' is longer than 3650d", "duration");
  ks_limits lim;
  ks_limits_init(&lim);
  g_assert_true(ks_limits_set(&lim, "duration=18250d", "--limit", NULL));
  assert_fails_lim(issue, -1, &lim, 1, 11, "'106751d' is longer than 18250d", "duration");
  /* Beyond any 64-bit clock. */
  assert_fails("duration: 300000000000000000000ns\n", 1, 11,
               "is longer than 3650d (and than a 64-bit nanosecond clock holds)", "duration");
  /* Every duration, not only the scenario's. */
  assert_fails("duration: 1h\n"
               "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
               "links: {l: {between: [c, s], delay: 3651d}}\n",
               3, 37, "delay: '3651d' is longer than 3650d", "duration");
  assert_fails(BASE "middleboxes: {m: {preset: aws-nat, link: l, idle_timeout: 100000d}}\n", 9, 59,
               "idle_timeout: '100000d' is longer than 3650d", "duration");
  /* At the raised ceiling, a flap ending at the scenario's end: every sum
   * stays in range, the events are in order and the last is the end. */
  GError *error = NULL;
  ks_scenario *sc = load_lim("duration: 18250d\n"
                             "hosts: {c: {profile: linux}, s: {profile: linux}}\n"
                             "links: {l: {between: [c, s], delay: 1ms}}\n"
                             "groups:\n"
                             "  - {name: g, client: c, server: s}\n"
                             "timeline:\n"
                             "  - {at: 9125d, flap: {link: l, period: 6000d, duty: 0.9, "
                             "duration: 9125d}}\n",
                             -1, NULL, &lim, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(sc->events->len, ==, 4);
  const ks_event_spec *ev = (const ks_event_spec *)sc->events->data;
  const ka_time day = KA_S(86400);
  g_assert_cmpint(ev[0].at, ==, 9125 * day);
  g_assert_cmpint(ev[1].at, ==, 14525 * day); /* down for 0.9 x 6000 d */
  g_assert_cmpint(ev[2].at, ==, 15125 * day);
  g_assert_cmpint(ev[3].at, ==, 18250 * day); /* cut at the flap's end */
  g_assert_cmpint(ev[3].kind, ==, KS_EV_LINK_UP);
  ks_scenario_free(sc);
}

/* ---- numbers ------------------------------------------------------------- */

static void test_not_a_number(void) {
  static const char *const nans[] = {"nan", "NaN", ".nan", "inf", "-inf", "infinity", "1e999"};
  for (size_t i = 0; i < G_N_ELEMENTS(nans); i++) {
    g_autofree char *loss = g_strdup_printf(
      "duration: 1h\nhosts: {c: {profile: linux}, s: {profile: linux}}\n"
      "links: {l: {between: [c, s], delay: 1ms, loss: %s}}\n",
      nans[i]);
    g_autofree char *part = g_strdup_printf("loss: '%s' is not a number", nans[i]);
    assert_fails(loss, 3, 48, part, NULL);
    g_autofree char *rate = g_strdup_printf(BASE
                                            "timeline: [{at: 1s, loss: {link: l, rate: %s}}]\n",
                                            nans[i]);
    assert_fails(rate, 9, 43, "rate: '", NULL);
    g_autofree char *duty = g_strdup_printf(
      BASE "timeline: [{at: 1s, flap: {link: l, period: 1s, duty: %s, duration: 10s}}]\n", nans[i]);
    assert_fails(duty, 9, 55, "is not a number", NULL);
  }
}

/* ---- messages ------------------------------------------------------------ */

static void test_escaped(void) {
  /* A quoted key with a newline and a terminal's escape codes was echoed
   * raw: two lines, and red text. */
  GError *error = NULL;
  g_assert_null(
    load_lim(BASE "\"a\\nb\\e[31mred\\e]0;title\\a\\u202e\": 1\n", -1, NULL, NULL, &error));
  g_assert_nonnull(error);
  g_assert_cmpstr(error->message, ==,
                  "x.yaml:9:1: unknown key 'a\\nb\\x1b[31mred\\x1b]0;title\\x07\\u202e' in a "
                  "scenario (allowed: name, description, duration, seed, hosts, links, "
                  "middleboxes, groups, timeline)");
  g_clear_error(&error);
  /* In a value, and in a --set. */
  g_assert_null(
    load_lim("duration: 1h\nhosts: {c: {profile: \"\\ewin\\r\"}}\n", -1, NULL, NULL, &error));
  g_assert_true(strstr(error->message, "unknown profile '\\x1bwin\\r'") != NULL);
  g_clear_error(&error);
  char *sets[] = {"hosts.c\x1b[2J.profile=x", NULL};
  g_assert_null(load_lim(BASE, -1, sets, NULL, &error));
  g_assert_true(g_str_has_prefix(error->message, "--set hosts.c\\x1b[2J.profile=x: "));
  g_clear_error(&error);
  /* Names are printed as they are (the run's report): none may hold a
   * control character. */
  g_assert_null(
    load_lim("duration: 1h\nhosts: {\"c\\e[2J\": {profile: linux}}\n", -1, NULL, NULL, &error));
  g_assert_cmpstr(error->message, ==,
                  "x.yaml:2:9: a host name 'c\\x1b[2J' holds a control character or invalid "
                  "UTF-8; names are printed as they are");
  g_clear_error(&error);
  g_assert_null(
    load_lim(BASE "  - {name: \"h\\u202e\", client: c, server: s}\n", -1, NULL, NULL, &error));
  g_assert_true(g_str_has_prefix(error->message, "x.yaml:9:12: a group name 'h\\u202e' holds"));
  g_clear_error(&error);
  /* Invalid UTF-8 and C1 controls. */
  g_autofree char *e1 = ks_escape("a\xff\xc2\x9b"
                                  "b\t");
  g_assert_cmpstr(e1, ==, "a\\xff\\u009bb\\t");
  g_autofree char *e2 = ks_escape(e1);
  g_assert_cmpstr(e2, ==, e1);
  g_autofree char *e3 = ks_escape("été \\n");
  g_assert_cmpstr(e3, ==, "été \\n");
}

static void test_sockopt_list(void) {
  /* An alias to a long list, used by every group, was joined each time. */
  assert_fails(BASE "  - {name: h, client: c, server: s, sockopts: {SIO_KEEPALIVE_VALS: [1, 2, 3, "
                    "4]}}\n",
               9, 68, "a list of 4 values; a socket option takes at most 3", NULL);
}

/* A --set value meets the same limits as the file's, and the message
 * names the assignment. */
static void test_set_limits(void) {
  static const struct {
    const char *set, *message, *limit;
  } cases[] = {
    {"groups.0.count=4294967295",
     "--set groups.0.count=4294967295: count: 4294967295 connections, more than 100000000",
     "connections"},
    {"links.l.delay=106751d", "--set links.l.delay=106751d: delay: '106751d' is longer than 3650d",
     "duration"},
    {"groups.g.traffic.period=1ns", NULL, NULL}, /* traffic: idle has no period */
    {"links.l.loss=nan", "--set links.l.loss=nan: loss: 'nan' is not a number", NULL},
    {"hosts.c.profile=\x1b", "--set hosts.c.profile=\\x1b: profile: unknown profile", NULL},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *sets[] = {(char *)cases[i].set, NULL};
    GError *error = NULL;
    ks_scenario *sc = load_lim(BASE, -1, sets, NULL, &error);
    g_assert_null(sc);
    if (cases[i].message && !g_str_has_prefix(error->message, cases[i].message))
      g_error("--set %s gave '%s'", cases[i].set, error->message);
    if (cases[i].limit) {
      g_autofree char *named = g_strdup_printf("(the limit %s;", cases[i].limit);
      g_assert_nonnull(strstr(error->message, named));
    }
    g_clear_error(&error);
  }
  /* A periodic group's period through --set: the rate limit, located at
   * the assignment. */
  char *sets[] = {"groups.h.traffic.period=1ns", NULL};
  GError *error = NULL;
  g_assert_null(load_lim(BASE "  - {name: h, client: c, server: s, traffic: {kind: periodic, "
                              "period: 1s}}\n",
                         -1, sets, NULL, &error));
  g_assert_true(g_str_has_prefix(error->message, "--set groups.h.traffic.period=1ns: group 'h': a "
                                                 "request every 1ns on 1 connection"));
  g_assert_nonnull(strstr(error->message, "(the limit rate;"));
  g_clear_error(&error);
}

/* ---- the limits themselves ----------------------------------------------- */

static void test_limit_settings(void) {
  ks_limits lim;
  ks_limits_init(&lim);
  GError *error = NULL;
  g_assert_true(ks_limits_set(&lim, "connections=200000000", "--limit", &error));
  g_assert_cmpuint(lim.connections, ==, 200000000);
  g_assert_true(ks_limits_set(&lim, "duration=30d", "--limit", &error));
  g_assert_cmpint(lim.duration, ==, KA_S(30 * 86400));
  static const struct {
    const char *set, *message;
  } bad[] = {
    {"bogus=1", "--limit bogus=1: expected NAME=VALUE with NAME one of: scenario_bytes, "},
    {"events", "--limit events: expected NAME=VALUE"},
    {"events=0", "--limit events=0: not a whole number from 1 up"},
    {"events=-5", "--limit events=-5: not a whole number from 1 up"},
    {"events=1e9", "--limit events=1e9: not a whole number from 1 up"},
    {"middleboxes=65536", "--limit middleboxes=65536: at most 65535"},
    {"connections=4294967296", "--limit connections=4294967296: at most 4294967295"},
    {"duration=100", "--limit duration=100: not a duration with a unit"},
    {"duration=18251d", "--limit duration=18251d: at most 18250d"},
    {"depth=\x1b[31m", "--limit depth=\\x1b[31m: not a whole number"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_false(ks_limits_set(&lim, bad[i].set, "--limit", &error));
    if (!g_str_has_prefix(error->message, bad[i].message))
      g_error("'%s' gave '%s'", bad[i].set, error->message);
    g_clear_error(&error);
  }
  /* KASIM_LIMITS, read by every load without limits of its own. */
  g_setenv("KASIM_LIMITS", "events=1, depth=64", TRUE);
  g_assert_true(ks_limits_init_env(&lim, &error));
  g_assert_cmpuint(lim.events, ==, 1);
  g_assert_cmpuint(lim.depth, ==, 64);
  const char *two = BASE "timeline: [{at: 1s, peer_crash: s}, {at: 2s, peer_crash: s}]\n";
  ks_scenario *sc = ks_scenario_load_data("x.yaml", two, strlen(two), NULL, NULL, &error);
  g_assert_null(sc);
  g_assert_true(strstr(error->message, "the limit events") != NULL);
  g_clear_error(&error);
  g_setenv("KASIM_LIMITS", "events=x", TRUE);
  g_assert_null(ks_scenario_load_data("x.yaml", BASE, strlen(BASE), NULL, NULL, &error));
  g_assert_cmpstr(error->message, ==, "KASIM_LIMITS events=x: not a whole number from 1 up");
  g_clear_error(&error);
  g_unsetenv("KASIM_LIMITS");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_unsetenv("KASIM_LIMITS");
  g_test_add_func("/limits/size", test_size);
  g_test_add_func("/limits/depth", test_depth);
  g_test_add_func("/limits/nodes", test_nodes);
  g_test_add_func("/limits/duplicate-keys-linear", test_duplicate_keys_linear);
  g_test_add_func("/limits/counts", test_counts);
  g_test_add_func("/limits/events-aliases", test_events_aliases);
  g_test_add_func("/limits/rate", test_rate);
  g_test_add_func("/limits/route-hops", test_route_hops);
  g_test_add_func("/limits/duration", test_duration);
  g_test_add_func("/limits/not-a-number", test_not_a_number);
  g_test_add_func("/limits/escaped", test_escaped);
  g_test_add_func("/limits/sockopt-list", test_sockopt_list);
  g_test_add_func("/limits/settings", test_limit_settings);
  g_test_add_func("/limits/set", test_set_limits);
  return g_test_run();
}
