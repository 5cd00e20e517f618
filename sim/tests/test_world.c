/* test_world.c - the world end to end: scenarios built by hand in C, run
 * through ks_world, checked against the facts sheet
 * (shared/reference/keepalive-facts.md, "facts §N") and the RFCs.
 */
#include <string.h>

#include "ks_world.h"
#include "ks_world_priv.h" /* sizeof(ks_conn) and the layout only */

/* --- Building scenarios. ------------------------------------------------- */

static ks_scenario *sc_new(ka_time duration) {
  ks_scenario *sc = g_new0(ks_scenario, 1);
  sc->name = g_strdup("test");
  sc->duration = duration;
  sc->hosts = g_ptr_array_new();
  sc->links = g_ptr_array_new();
  sc->middleboxes = g_ptr_array_new();
  sc->groups = g_ptr_array_new();
  sc->events = g_array_new(FALSE, TRUE, sizeof(ks_event_spec));
  return sc;
}

static guint sc_host(ks_scenario *sc, const char *profile) {
  ks_host_spec *h = g_new0(ks_host_spec, 1);
  h->name = g_strdup_printf("host%u", sc->hosts->len);
  h->profile = ka_profile_find(profile);
  g_assert_nonnull(h->profile);
  h->params = ka_params_new(h->profile);
  /* The times expected below are the rules' arithmetic: Linux timers fire
   * when due unless a test puts them on the wheel (test_linux_wheel). */
  if (ka_profile_family(h->profile) == KA_FAMILY_LINUX)
    g_assert_true(ka_params_set(h->params, "hz", "0", NULL));
  h->notes = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(sc->hosts, h);
  return sc->hosts->len - 1;
}

static ks_link_spec *sc_link(ks_scenario *sc, guint a, guint b, ka_time delay) {
  ks_link_spec *l = g_new0(ks_link_spec, 1);
  l->name = g_strdup_printf("link%u", sc->links->len);
  l->a = a;
  l->b = b;
  l->delay = delay;
  g_ptr_array_add(sc->links, l);
  return l;
}

static void sc_middlebox(ks_scenario *sc, guint link, ka_time timeout, ks_expiry_action a) {
  ks_middlebox_spec *m = g_new0(ks_middlebox_spec, 1);
  m->name = g_strdup_printf("mb%u", sc->middleboxes->len);
  m->kind = g_strdup("nat");
  m->link = link;
  m->idle_timeout = timeout;
  m->on_expiry = a;
  g_ptr_array_add(sc->middleboxes, m);
}

static ks_group_spec *sc_group(ks_scenario *sc, guint count, guint client, guint server,
                               ks_keepalive_side ka) {
  ks_group_spec *g = g_new0(ks_group_spec, 1);
  g->name = g_strdup_printf("group%u", sc->groups->len);
  g->count = count;
  g->client = client;
  g->server = server;
  g->keepalive = ka;
  g->sockopts = g_array_new(FALSE, TRUE, sizeof(ks_sockopt_spec));
  g->connect_at = KA_S(1);
  g->traffic = KS_TRAFFIC_IDLE;
  g->traffic_stop = KA_TIME_NEVER;
  g_ptr_array_add(sc->groups, g);
  return g;
}

static void sc_opt(ks_group_spec *g, const char *name, const char *value) {
  ks_sockopt_spec o = {.name = g_strdup(name), .value = g_strdup(value), .line = 1, .column = 1};
  g_array_append_val(g->sockopts, o);
}

static void sc_event(ks_scenario *sc, ka_time at, ks_event_kind kind, guint target) {
  ks_event_spec ev = {.at = at, .kind = kind, .target = target, .direction = KS_DIR_BOTH};
  g_array_append_val(sc->events, ev);
}

/* Most tests' world: a client host (CLIENT) and a server host (SERVER) of
 * the given profiles on one link (link 0) of one-way delay d, and a group
 * (group 0) of n connections that keep alive from the client. */
enum { CLIENT, SERVER };

static ks_group_spec *sc_pair(ks_scenario *sc, const char *client, const char *server, ka_time d,
                              guint n) {
  guint c = sc_host(sc, client), s = sc_host(sc, server);
  g_assert_cmpuint(c, ==, CLIENT);
  g_assert_cmpuint(s, ==, SERVER);
  sc_link(sc, c, s, d);
  return sc_group(sc, n, c, s, KS_KEEPALIVE_CLIENT);
}

/* A client host, a Linux router host and a Linux server host, in that
 * order, the router 5 ms from each (links 0 and 1), and one connection
 * from client to server that keeps alive from the client.  Returns the
 * router's host index. */
static guint sc_routed(ks_scenario *sc, const char *client) {
  guint c = sc_host(sc, client), r = sc_host(sc, "linux"), s = sc_host(sc, "linux");
  sc_link(sc, c, r, KA_MS(5));
  sc_link(sc, r, s, KA_MS(5));
  sc_group(sc, 1, c, s, KS_KEEPALIVE_CLIENT);
  return r;
}

static void sc_free(ks_scenario *sc) {
  for (guint i = 0; i < sc->hosts->len; i++) {
    ks_host_spec *h = g_ptr_array_index(sc->hosts, i);
    g_free(h->name);
    ka_params_free(h->params);
    g_ptr_array_unref(h->notes);
    g_free(h);
  }
  for (guint i = 0; i < sc->links->len; i++) {
    ks_link_spec *l = g_ptr_array_index(sc->links, i);
    g_free(l->name);
    g_free(l);
  }
  for (guint i = 0; i < sc->middleboxes->len; i++) {
    ks_middlebox_spec *m = g_ptr_array_index(sc->middleboxes, i);
    g_free(m->name);
    g_free(m->kind);
    g_free(m);
  }
  for (guint i = 0; i < sc->groups->len; i++) {
    ks_group_spec *g = g_ptr_array_index(sc->groups, i);
    for (guint k = 0; k < g->sockopts->len; k++) {
      ks_sockopt_spec *o = &g_array_index(g->sockopts, ks_sockopt_spec, k);
      g_free(o->name);
      g_free(o->value);
    }
    g_array_unref(g->sockopts);
    g_free(g->name);
    g_free(g);
  }
  g_ptr_array_unref(sc->hosts);
  g_ptr_array_unref(sc->links);
  g_ptr_array_unref(sc->middleboxes);
  g_ptr_array_unref(sc->groups);
  g_array_unref(sc->events);
  g_free(sc->name);
  g_free(sc);
}

/* --- Watching the trace. ------------------------------------------------- */

typedef struct tlog {
  GChecksum *sum;
  ka_time last_t;
  gboolean out_of_order;
  guint events;
  guint closes;
  guint drops_probe[6]; /* by DROP_* below, kind KS_SEG_KEEPALIVE */
  guint drops_any[6];
  guint sends[2][7]; /* [from_client][kind] */
  ka_time last_send[2][7];
  ka_time data_after; /* count server DATA sends at or after this */
  guint server_data_after, server_data_before;
  ks_segment first_sends[3];
  guint n_first;
  ks_segment first_probe;
  gboolean have_probe;
} tlog;

enum { DROP_LINK_DOWN, DROP_LOSS, DROP_MIDDLEBOX, DROP_CRASHED, DROP_NO_STATE, DROP_CLOSED };

static int drop_index(const char *what) {
  static const char *names[] = {"link_down", "loss", "middlebox", "crashed", "no_state", "closed"};
  for (int i = 0; i < 6; i++)
    if (g_strcmp0(what, names[i]) == 0)
      return i;
  g_error("unknown drop reason %s", what);
  return 0;
}

static void tlog_init(tlog *l) {
  memset(l, 0, sizeof *l);
  l->sum = g_checksum_new(G_CHECKSUM_SHA256);
  l->data_after = KA_TIME_NEVER;
}

static void tlog_clear(tlog *l) { g_checksum_free(l->sum); }

static void tlog_cb(const ks_trace_event *ev, void *ud) {
  tlog *l = ud;
  char buf[256];
  int n = g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT " %d %u %u %s %s", ev->t, ev->kind,
                     ev->host, ev->target, ev->what ? ev->what : "-", ev->error ? ev->error : "-");
  g_checksum_update(l->sum, (const guchar *)buf, n);
  if (ev->seg) {
    const ks_segment *s = ev->seg;
    n = g_snprintf(buf, sizeof buf, " %u %u %u %u %u %u %u %u\n", s->conn, s->from_client, s->flags,
                   s->kind, s->seq, s->ack, s->window, s->len);
    g_checksum_update(l->sum, (const guchar *)buf, n);
  }
  if (ev->t < l->last_t)
    l->out_of_order = TRUE;
  l->last_t = ev->t;
  l->events++;
  switch (ev->kind) {
  case KS_TRACE_CLOSE: l->closes++; break;
  case KS_TRACE_DROP:
    l->drops_any[drop_index(ev->what)]++;
    if (ev->seg->kind == KS_SEG_KEEPALIVE)
      l->drops_probe[drop_index(ev->what)]++;
    break;
  case KS_TRACE_SEND: {
    const ks_segment *s = ev->seg;
    if (ev->what != NULL) /* from a middlebox */
      break;
    l->sends[s->from_client][s->kind]++;
    l->last_send[s->from_client][s->kind] = ev->t;
    if (l->n_first < 3)
      l->first_sends[l->n_first++] = *s;
    if (s->kind == KS_SEG_KEEPALIVE && !l->have_probe) {
      l->first_probe = *s;
      l->have_probe = TRUE;
    }
    if (!s->from_client && s->kind == KS_SEG_DATA) {
      if (ev->t >= l->data_after)
        l->server_data_after++;
      else
        l->server_data_before++;
    }
    break;
  }
  default: break;
  }
}

static ks_world *run(const ks_scenario *sc, guint64 seed, tlog *log) {
  GError *err = NULL;
  ks_world *w = ks_world_new(sc, seed, &err);
  g_assert_no_error(err);
  g_assert_nonnull(w);
  if (log != NULL)
    ks_world_set_trace(w, tlog_cb, log);
  ks_world_run(w);
  if (log != NULL)
    g_assert_false(log->out_of_order);
  return w;
}

/* run() into a log it starts afresh. */
static ks_world *run_traced(const ks_scenario *sc, guint64 seed, tlog *log) {
  tlog_init(log);
  return run(sc, seed, log);
}

/* Frees what a test built and ran; log may be NULL. */
static void finish(ks_world *w, tlog *log, ks_scenario *sc) {
  ks_world_free(w);
  if (log != NULL)
    tlog_clear(log);
  sc_free(sc);
}

static ks_conn_result result(const ks_world *w, guint32 id) {
  ks_conn_result r;
  ks_world_conn_result(w, id, &r);
  return r;
}

/* --- Keep-alive against a dead peer. ------------------------------------ */

/* Windows Vista+, defaults: KeepAliveTime 7200 s, KeepAliveInterval 1 s,
 * 10 probes (facts §2) -> given up 7200 + 10 x 1 = 7210 s after the last
 * receive, with WSAENETRESET for the pending recv (facts §3); each probe
 * carries one octet (facts §6). */
static void test_vista_cable_pull(void) {
  ks_scenario *sc = sc_new(KA_S(3 * 3600));
  sc_pair(sc, "windows-vista", "linux", KA_MS(10), 1);
  sc_event(sc, KA_S(60), KS_EV_LINK_DOWN, 0);
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);

  g_assert_true(r.client_side);
  /* Established when the SYN-ACK arrives: connect_at + 2 x 10 ms. */
  g_assert_cmpint(r.last_rx, ==, KA_S(1) + KA_MS(20));
  g_assert_cmpint(r.closed_at - r.last_rx, ==, KA_S(7210));
  g_assert_cmpint(r.reason, ==, KA_CLOSE_KEEPALIVE_TIMEOUT);
  g_assert_cmpstr(r.error, ==, "WSAENETRESET");
  g_assert_cmpuint(r.probes_sent, ==, 10);
  g_assert_cmpuint(r.probes_answered, ==, 0);
  g_assert_cmpuint(log.drops_probe[DROP_LINK_DOWN], ==, 10);
  g_assert_true(log.have_probe);
  g_assert_cmpuint(log.first_probe.len, ==, 1);
  finish(w, &log, sc);
}

/* Two Linux hosts 10 ms apart, the server crashing at 60 s: the world of
 * test_linux_peer_crash and, on the timer wheel, of test_linux_wheel. */
static ks_scenario *peer_crash_scenario(void) {
  ks_scenario *sc = sc_new(KA_S(3 * 3600));
  sc_pair(sc, "linux", "linux", KA_MS(10), 1);
  sc_event(sc, KA_S(60), KS_EV_PEER_CRASH, SERVER);
  return sc;
}

/* Linux defaults 7200 s / 75 s / 9 probes (facts §4): a crashed peer is
 * declared dead at last_rx + 7200 + 9 x 75 = 7875 s, ETIMEDOUT (facts §3). */
static void test_linux_peer_crash(void) {
  ks_scenario *sc = peer_crash_scenario();
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at - r.last_rx, ==, KA_S(7200 + 9 * 75));
  g_assert_cmpint(r.reason, ==, KA_CLOSE_KEEPALIVE_TIMEOUT);
  g_assert_cmpstr(r.error, ==, "ETIMEDOUT");
  g_assert_cmpuint(r.probes_sent, ==, 9);
  g_assert_cmpuint(r.probes_answered, ==, 0);
  g_assert_cmpuint(log.drops_probe[DROP_CRASHED], ==, 9);
  /* Linux probes carry no octet (facts §6). */
  g_assert_cmpuint(log.first_probe.len, ==, 0);
  finish(w, &log, sc);
}

/* A rebooted peer has no connection: it answers the first probe with an
 * RST (RFC 9293 3.10.7.1), which closes the prober one round trip after
 * that probe: last_rx + 7200 s + 2 x 25 ms, ECONNRESET (RFC 1122 4.2.3.6,
 * facts §3). */
static void test_linux_peer_reboot(void) {
  const ka_time d = KA_MS(25);
  ks_scenario *sc = sc_new(KA_S(3 * 3600));
  sc_pair(sc, "linux", "linux", d, 1);
  sc_event(sc, KA_S(100), KS_EV_PEER_REBOOT, SERVER);
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at, ==, r.last_rx + KA_S(7200) + 2 * d);
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RESET_BY_PEER);
  g_assert_cmpstr(r.error, ==, "ECONNRESET");
  g_assert_cmpuint(r.probes_sent, ==, 1);
  g_assert_cmpuint(r.probes_answered, ==, 0);
  g_assert_cmpuint(log.sends[0][KS_SEG_RST], ==, 1); /* from the rebooted server */
  g_assert_cmpuint(log.drops_any[DROP_NO_STATE], ==, 1);
  finish(w, &log, sc);
}

/* --- Keep-alive on a healthy link. ---------------------------------------- */

/* TCP_KEEPIDLE=60 on Linux, TCP_KEEPINTVL left at 75 s: the first probe
 * 60 s after establishment (at 2d).  Each is answered one round trip later
 * (RFC 1122 4.2.3.6), but Linux's keep-alive timer is lazy
 * (tcp_keepalive_timer, facts §4): after a probe it is re-armed for
 * keepintvl, and when it fires the idle time since the answer (75 s - 2d)
 * already exceeds 60 s, so the next probe goes out then: one probe every
 * max(75 s, 60 s + 2d).  Over an hour: 48 probes, all answered, never
 * closed. */
static void test_healthy_idle_hour(void) {
  const ka_time d = KA_MS(5), dur = KA_S(3600);
  ks_scenario *sc = sc_new(dur);
  ks_group_spec *g = sc_pair(sc, "linux", "linux", d, 1);
  g->connect_at = 0;
  sc_opt(g, "TCP_KEEPIDLE", "60");
  ks_world *w = run(sc, 1, NULL);
  ks_conn_result r = result(w, 0);

  guint32 sent = 0, answered = 0;
  for (ka_time probe = 2 * d + KA_S(60); probe <= dur;) {
    sent++;
    if (probe + 2 * d <= dur)
      answered++;
    ka_time again = 2 * d + KA_S(60);
    probe += again > KA_S(75) ? again : KA_S(75);
  }
  g_assert_cmpuint(sent, ==, 48);
  g_assert_cmpuint(r.probes_sent, ==, sent);
  g_assert_cmpuint(r.probes_answered, ==, answered);
  g_assert_cmpuint(r.probes_answered, ==, r.probes_sent);
  g_assert_cmpint(r.closed_at, ==, KA_TIME_NEVER);
  g_assert_null(r.error);
  g_assert_cmpint(ks_world_now(w), ==, dur);
  finish(w, NULL, sc);
}

/* --- Middleboxes. --------------------------------------------------------- */

/* sc_pair() of two Linux hosts 10 ms apart, with an AWS-style NAT on the
 * link that forgets a flow after 350 s idle (facts §6) and drops what
 * comes later: test_nat_drop and test_nat_keepalive_below_timeout. */
static ks_group_spec *sc_nat(ks_scenario *sc) {
  ks_group_spec *g = sc_pair(sc, "linux", "linux", KA_MS(10), 1);
  sc_middlebox(sc, 0, KA_S(350), KS_EXPIRY_DROP);
  return g;
}

/* An AWS-style NAT forgets the flow after 350 s idle (facts §6) and drops
 * what comes later.  The Linux default keep-alive (7200 s) is far beyond:
 * all 9 probes die in the NAT although the peer is alive, and the client
 * gives up at last_rx + 7200 + 9 x 75 s.  Its RST is dropped too. */
static void test_nat_drop(void) {
  ks_scenario *sc = sc_new(KA_S(3 * 3600));
  sc_nat(sc);
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at - r.last_rx, ==, KA_S(7875));
  g_assert_cmpint(r.reason, ==, KA_CLOSE_KEEPALIVE_TIMEOUT);
  g_assert_cmpstr(r.error, ==, "ETIMEDOUT");
  g_assert_cmpuint(r.probes_sent, ==, 9);
  g_assert_cmpuint(r.probes_answered, ==, 0);
  g_assert_cmpuint(log.drops_probe[DROP_MIDDLEBOX], ==, 9);
  g_assert_cmpuint(log.drops_any[DROP_MIDDLEBOX], ==, 10); /* + the RST */
  g_assert_cmpuint(log.closes, ==, 1);                     /* the server lives on */
  finish(w, &log, sc);
}

/* The same NAT with TCP_KEEPIDLE=300 < 350: every probe refreshes the
 * mapping and is answered. */
static void test_nat_keepalive_below_timeout(void) {
  ks_scenario *sc = sc_new(KA_S(2 * 3600));
  ks_group_spec *g = sc_nat(sc);
  sc_opt(g, "TCP_KEEPIDLE", "300");
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at, ==, KA_TIME_NEVER);
  g_assert_cmpuint(r.probes_sent, >=, 23);
  g_assert_cmpuint(r.probes_answered, ==, r.probes_sent);
  g_assert_cmpuint(log.drops_any[DROP_MIDDLEBOX], ==, 0);
  finish(w, &log, sc);
}

/* Azure "TCP reset on idle", 4 min (facts §6): 240 s after the last
 * segment crossed (the client's handshake ACK, sent at its last_rx) the
 * box sends an RST to each end, which arrives one link delay later:
 * reset_by_peer at last_rx + 240 s + 20 ms, ECONNRESET, on both ends. */
static void test_azure_rst(void) {
  const ka_time d = KA_MS(20);
  ks_scenario *sc = sc_new(KA_S(3600));
  sc_pair(sc, "linux", "linux", d, 1);
  sc_middlebox(sc, 0, KA_S(240), KS_EXPIRY_RST);
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at, ==, r.last_rx + KA_S(240) + d);
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RESET_BY_PEER);
  g_assert_cmpstr(r.error, ==, "ECONNRESET");
  g_assert_cmpuint(r.probes_sent, ==, 0);
  g_assert_cmpuint(log.closes, ==, 2);
  finish(w, &log, sc);
}

/* MIDDLEBOX_TIMEOUT shortens a reset-on-idle box's timeout from 1 h to
 * 100 s at t = 50 s: state idle since ~1 s expires at last + 100 s. */
static void test_middlebox_timeout_event(void) {
  const ka_time d = KA_MS(20);
  ks_scenario *sc = sc_new(KA_S(3600));
  sc_pair(sc, "linux", "linux", d, 1);
  sc_middlebox(sc, 0, KA_S(3600), KS_EXPIRY_RST);
  ks_event_spec ev = {.at = KA_S(50),
                      .kind = KS_EV_MIDDLEBOX_TIMEOUT,
                      .target = 0,
                      .duration = KA_S(100)};
  g_array_append_val(sc->events, ev);
  ks_world *w = run(sc, 1, NULL);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at, ==, r.last_rx + KA_S(100) + d);
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RESET_BY_PEER);
  finish(w, NULL, sc);
}

/* --- Data in flight when the link dies. ---------------------------------- */

/* Linux gives up on data by time: tcp_retries2 = 15 means the first timer
 * firing at or after tcp_model_timeout(15, TCP_RTO_MIN) = 924.6 s after
 * the first transmission of the oldest unacknowledged data (facts §4,
 * ip-sysctl).  The timer itself runs from the RTO this world computes per
 * RFC 6298: with RTT = 20 ms, SRTT + max(G, 4 RTTVAR) is well under 200 ms,
 * so the RTO is the 200 ms minimum, doubled per retransmission up to
 * TCP_RTO_MAX = 120 s: firings at 0.2, 0.6, ... 204.6, 324.6, ... 924.6 s,
 * i.e. 15 retransmissions and give-up at exactly 924.6 s. */
static ka_time backoff_giveup(ka_time rto, ka_time rto_max, gboolean by_time, ka_time limit,
                              guint max_retrans, guint *retrans) {
  ka_time t = 0;
  guint n = 0;
  for (;;) {
    t += rto;
    if (by_time ? (n > 0 && t >= limit) : n >= max_retrans)
      break;
    n++;
    rto = rto > rto_max / 2 ? rto_max : 2 * rto;
  }
  *retrans = n;
  return t;
}

static ks_scenario *bulk_scenario(const char *profile) {
  ks_scenario *sc = sc_new(KA_S(3000));
  ks_group_spec *g = sc_pair(sc, profile, "linux", KA_MS(10), 1);
  g->traffic = KS_TRAFFIC_BULK;
  g->request_bytes = 1000;
  g->traffic_start = KA_S(2);
  /* Keep-alive would probe after 60 s idle if data were not in flight. */
  if (g_str_has_prefix(profile, "windows"))
    sc_opt(g, "SIO_KEEPALIVE_VALS", "1,60000,1000");
  else
    sc_opt(g, "TCP_KEEPIDLE", "60");
  sc_event(sc, KA_S(100) + KA_MS(5), KS_EV_LINK_DOWN, 0);
  return sc;
}

static void test_linux_data_in_flight(void) {
  ks_scenario *sc = bulk_scenario("linux");
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  guint retrans;
  ka_time after = backoff_giveup(KA_LINUX_RTO_MIN, KA_LINUX_RTO_MAX, TRUE, KA_MS(924600), 0,
                                 &retrans);
  g_assert_cmpint(after, ==, KA_MS(924600));
  g_assert_cmpuint(retrans, ==, 15);
  ka_time t0 = log.last_send[1][KS_SEG_DATA]; /* first transmission of the unacked data */
  g_assert_cmpint(t0, >=, KA_S(100));
  g_assert_cmpint(r.closed_at, ==, t0 + after);
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RETRANSMISSION_TIMEOUT);
  g_assert_cmpstr(r.error, ==, "ETIMEDOUT");
  g_assert_cmpuint(r.probes_sent, ==, 0);
  g_assert_cmpuint(log.sends[1][KS_SEG_RETRANSMISSION], ==, retrans);
  g_assert_cmpuint(log.sends[1][KS_SEG_KEEPALIVE], ==, 0);
  finish(w, &log, sc);
}

/* Windows: TcpMaxDataRetransmissions = 5 (facts §2, KB170359), RTO
 * doubling from RFC 6298's 1 s minimum: retransmissions at 1, 3, 7, 15,
 * 31 s, give-up at 63 s with WSAETIMEDOUT. */
static void test_windows_data_in_flight(void) {
  ks_scenario *sc = bulk_scenario("windows-vista");
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  guint retrans;
  ka_time after = backoff_giveup(KA_S(1), KA_WIN_RTO_MAX, FALSE, 0, 5, &retrans);
  g_assert_cmpint(after, ==, KA_S(63));
  g_assert_cmpuint(retrans, ==, 5);
  ka_time t0 = log.last_send[1][KS_SEG_DATA];
  g_assert_cmpint(r.closed_at, ==, t0 + after);
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RETRANSMISSION_TIMEOUT);
  g_assert_cmpstr(r.error, ==, "WSAETIMEDOUT");
  g_assert_cmpuint(r.probes_sent, ==, 0);
  g_assert_cmpuint(log.sends[1][KS_SEG_RETRANSMISSION], ==, 5);
  finish(w, &log, sc);
}

/* --- Applications. -------------------------------------------------------- */

/* A hung server application: its TCP still acknowledges requests and
 * answers probes, so keep-alive never closes the connection, but no
 * response goes out after the hang. */
static void test_app_hang(void) {
  ks_scenario *sc = sc_new(KA_S(4 * 3600));
  ks_group_spec *g = sc_pair(sc, "linux", "linux", KA_MS(10), 1);
  sc_opt(g, "TCP_KEEPIDLE", "60");
  g->traffic = KS_TRAFFIC_PERIODIC;
  g->period = KA_S(30);
  g->request_bytes = 100;
  g->response_bytes = 500;
  g->traffic_stop = KA_S(1800);
  sc_event(sc, KA_S(600), KS_EV_APP_HANG, SERVER);
  tlog log;
  tlog_init(&log);
  log.data_after = KA_S(600);
  ks_world *w = run(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at, ==, KA_TIME_NEVER);
  g_assert_cmpuint(log.server_data_after, ==, 0);
  g_assert_cmpuint(log.server_data_before, ==, 20);    /* requests at 1.02, 31.02 ... 571.02 s */
  g_assert_cmpuint(log.sends[1][KS_SEG_DATA], ==, 60); /* until traffic_stop */
  g_assert_cmpuint(r.probes_sent, >, 100);
  g_assert_cmpuint(r.probes_answered, ==, r.probes_sent);
  g_assert_cmpuint(log.sends[1][KS_SEG_RETRANSMISSION], ==, 0);
  finish(w, &log, sc);
}

/* Request/response on a healthy link: one response per request. */
static void test_periodic_healthy(void) {
  ks_scenario *sc = sc_new(KA_S(600));
  guint c = sc_host(sc, "freebsd"), s = sc_host(sc, "macos");
  ks_link_spec *l = sc_link(sc, c, s, KA_MS(10));
  l->bandwidth_bps = 1000000;
  ks_group_spec *g = sc_group(sc, 3, c, s, KS_KEEPALIVE_BOTH);
  g->traffic = KS_TRAFFIC_PERIODIC;
  g->period = KA_S(10);
  g->request_bytes = 3000; /* 3 segments */
  g->response_bytes = 200;
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  for (guint32 i = 0; i < 3; i++)
    g_assert_cmpint(result(w, i).closed_at, ==, KA_TIME_NEVER);
  /* 60 requests of 3 segments per connection, 60 responses of 1. */
  g_assert_cmpuint(log.sends[1][KS_SEG_DATA], ==, 3 * 60 * 3);
  g_assert_cmpuint(log.sends[0][KS_SEG_DATA], ==, 3 * 60);
  g_assert_cmpuint(log.sends[1][KS_SEG_RETRANSMISSION], ==, 0);
  finish(w, &log, sc);
}

/* --- Determinism. --------------------------------------------------------- */

static gchar *trace_hash(const ks_scenario *sc, guint64 seed) {
  tlog log;
  ks_world *w = run_traced(sc, seed, &log);
  gchar *h = g_strdup(g_checksum_get_string(log.sum));
  g_assert_cmpuint(log.drops_any[DROP_LOSS], >, 0);
  ks_world_free(w);
  tlog_clear(&log);
  return h;
}

static void test_determinism(void) {
  ks_scenario *sc = sc_new(KA_S(3600));
  guint c = sc_host(sc, "windows-10-1709"), s = sc_host(sc, "linux");
  ks_link_spec *l = sc_link(sc, c, s, KA_MS(15));
  l->loss = 0.05;
  l->bandwidth_bps = 10000000;
  ks_group_spec *g = sc_group(sc, 20, c, s, KS_KEEPALIVE_BOTH);
  g->connect_spread = KA_S(30);
  g->traffic = KS_TRAFFIC_PERIODIC;
  g->period = KA_S(20);
  g->request_bytes = 2000;
  g->response_bytes = 4000;
  g->traffic_stop = KA_S(900);
  sc_opt(g, "TCP_KEEPIDLE", "120");
  sc_event(sc, KA_S(1200), KS_EV_LINK_DOWN, 0);
  sc_event(sc, KA_S(1300), KS_EV_LINK_UP, 0);
  gchar *a = trace_hash(sc, 7), *b = trace_hash(sc, 7), *other = trace_hash(sc, 8);
  g_assert_cmpstr(a, ==, b);
  g_assert_cmpstr(a, !=, other);
  g_free(a);
  g_free(b);
  g_free(other);
  sc_free(sc);
}

/* --- Each connection's own random numbers, and shards. ------------------- */

/* ks_rng.h's mix is SplitMix64's output function: SplitMix64 started at 0
 * gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f (the
 * reference implementation, prng.di.unimi.it/splitmix64.c, seeded with
 * 0), its k-th output being mix(k gamma). */
static void test_rng_splitmix64(void) {
  g_assert_cmphex(ks_rng_mix(KS_RNG_GAMMA), ==, G_GUINT64_CONSTANT(0xe220a8397b1dcdaf));
  g_assert_cmphex(ks_rng_mix(2 * KS_RNG_GAMMA), ==, G_GUINT64_CONSTANT(0x6e789e6aa1b965f4));
  g_assert_cmphex(ks_rng_mix(3 * KS_RNG_GAMMA), ==, G_GUINT64_CONSTANT(0x06c45d188009454f));
  /* Draw n of connection c: output n of SplitMix64 started at output c of
   * SplitMix64 started at mix(seed). */
  guint64 key = ks_rng_key(7), kc = ks_rng_mix(key + 5 * KS_RNG_GAMMA);
  g_assert_cmphex(ks_rng_u64(key, 4, 2), ==, ks_rng_mix(kc + 3 * KS_RNG_GAMMA));
  g_assert_cmpuint(ks_rng_u32(key, 4, 2), ==, ks_rng_u64(key, 4, 2) >> 32);
  double d = ks_rng_double(key, 4, 2);
  g_assert_true(d >= 0 && d < 1);
}

/* Per connection: a digest of its trace records, each with the number of
 * timeline events applied before it. */
typedef struct conn_log {
  GChecksum **sums;
  guint32 n;
  guint epoch;
} conn_log;

static void conn_log_cb(const ks_trace_event *ev, void *ud) {
  conn_log *l = ud;
  if (ev->kind == KS_TRACE_SCENARIO) {
    l->epoch++;
    return;
  }
  guint32 c = ev->seg ? ev->seg->conn : ev->target;
  g_assert_cmpuint(c, <, l->n);
  char buf[256];
  int n = g_snprintf(buf, sizeof buf, "%u %" G_GINT64_FORMAT " %d %u %s %s", l->epoch, ev->t,
                     ev->kind, ev->host, ev->what ? ev->what : "-", ev->error ? ev->error : "-");
  g_checksum_update(l->sums[c], (const guchar *)buf, n);
  if (ev->seg) {
    const ks_segment *s = ev->seg;
    n = g_snprintf(buf, sizeof buf, " %u %u %u %u %u %u\n", s->from_client, s->flags, s->kind,
                   s->seq, s->ack, s->len);
    g_checksum_update(l->sums[c], (const guchar *)buf, n);
  }
}

static ks_world *run_logged(const ks_scenario *sc, guint shard, guint shards, conn_log *l) {
  GError *err = NULL;
  ks_world *w = ks_world_new_shard(sc, 3, shard, shards, &err);
  g_assert_no_error(err);
  l->n = ks_world_conn_count(w);
  l->sums = g_new(GChecksum *, l->n);
  for (guint32 i = 0; i < l->n; i++)
    l->sums[i] = g_checksum_new(G_CHECKSUM_SHA256);
  ks_world_set_trace(w, conn_log_cb, l);
  ks_world_run(w);
  return w;
}

static void conn_log_clear(conn_log *l) {
  for (guint32 i = 0; i < l->n; i++)
    g_checksum_free(l->sums[i]);
  g_free(l->sums);
}

/* A connection runs the same whichever other connections a world
 * simulates: every connection of a world split 2 and 3 ways (loss, a
 * connect spread, traffic, a resetting middlebox, a link cut and a reboot)
 * has the trace and the result it has in the whole world, once each shard
 * reads its results at the whole world's end. */
static void test_shards_match_whole(void) {
  ks_scenario *sc = sc_new(KA_S(1800));
  guint c1 = sc_host(sc, "linux"), c2 = sc_host(sc, "windows-10-1709"), s = sc_host(sc, "linux");
  ks_link_spec *l = sc_link(sc, c1, s, KA_MS(5));
  l->loss = 0.2;
  sc_link(sc, c2, s, KA_MS(20));
  sc_middlebox(sc, 1, KA_S(240), KS_EXPIRY_RST);
  ks_group_spec *a = sc_group(sc, 7, c1, s, KS_KEEPALIVE_CLIENT);
  a->connect_spread = KA_S(30);
  a->traffic = KS_TRAFFIC_PERIODIC;
  a->period = KA_S(45);
  a->request_bytes = 2000;
  a->response_bytes = 300;
  sc_opt(a, "TCP_KEEPIDLE", "20");
  sc_opt(a, "TCP_KEEPINTVL", "2");
  sc_opt(a, "TCP_KEEPCNT", "3");
  ks_group_spec *b = sc_group(sc, 6, c2, s, KS_KEEPALIVE_BOTH);
  b->connect_spread = KA_S(60);
  sc_event(sc, KA_S(600), KS_EV_LINK_DOWN, 0);
  sc_event(sc, KA_S(640), KS_EV_LINK_UP, 0);
  sc_event(sc, KA_S(900), KS_EV_PEER_REBOOT, s);
  conn_log whole = {0};
  ks_world *ww = run_logged(sc, 0, 1, &whole);
  guint closed = 0;
  for (guint32 i = 0; i < whole.n; i++)
    closed += result(ww, i).closed_at != KA_TIME_NEVER;
  g_assert_cmpuint(closed, >, 0);
  for (guint k = 2; k <= 3; k++) {
    ks_world *ws[3];
    conn_log logs[3] = {{0}};
    ka_time end = 0;
    for (guint r = 0; r < k; r++) {
      ws[r] = run_logged(sc, r, k, &logs[r]);
      end = MAX(end, ks_world_now(ws[r]));
    }
    g_assert_cmpint(end, ==, ks_world_now(ww));
    for (guint r = 0; r < k; r++) {
      ks_world_set_end(ws[r], end);
      for (guint32 i = r; i < whole.n; i += k) {
        g_assert_cmpstr(g_checksum_get_string(logs[r].sums[i]), ==,
                        g_checksum_get_string(whole.sums[i]));
        ks_conn_result x = result(ww, i), y = result(ws[r], i);
        g_assert_cmpint(x.closed_at, ==, y.closed_at);
        g_assert_cmpint(x.reason, ==, y.reason);
        g_assert_cmpstr(x.error, ==, y.error);
        g_assert_cmpuint(x.probes_sent, ==, y.probes_sent);
        g_assert_cmpuint(x.probes_answered, ==, y.probes_answered);
        g_assert_cmpint(x.last_rx, ==, y.last_rx);
        g_assert_cmpint(x.failure_at, ==, y.failure_at);
        g_assert_cmpstr(x.failure, ==, y.failure);
        g_assert_cmpint(x.recovered, ==, y.recovered);
        g_assert_cmpint(x.false_giveup, ==, y.false_giveup);
      }
      /* What the shard does not simulate left no trace. */
      GChecksum *none = g_checksum_new(G_CHECKSUM_SHA256);
      for (guint32 i = 0; i < whole.n; i++)
        if (i % k != r)
          g_assert_cmpstr(g_checksum_get_string(logs[r].sums[i]), ==, g_checksum_get_string(none));
      g_checksum_free(none);
      ks_world_free(ws[r]);
      conn_log_clear(&logs[r]);
    }
  }
  ks_world_free(ww);
  conn_log_clear(&whole);
  sc_free(sc);
}

/* --- Many connections. ---------------------------------------------------- */

/* 1000 Vista connections opened over 10 minutes, one cable pull: each
 * closes at its own last_rx + 7210 s (facts §2). */
static void test_spread_1000(void) {
  ks_scenario *sc = sc_new(KA_S(9000));
  ks_group_spec *g = sc_pair(sc, "windows-vista", "linux", KA_MS(10), 1000);
  g->connect_spread = KA_S(600);
  sc_event(sc, KA_S(700), KS_EV_LINK_DOWN, 0);
  ks_world *w = run(sc, 42, NULL);
  g_assert_cmpuint(ks_world_conn_count(w), ==, 1000);
  GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
  ka_time *rx = g_new(ka_time, 1000);
  for (guint32 i = 0; i < 1000; i++) {
    ks_conn_result r = result(w, i);
    g_assert_cmpint(r.closed_at - r.last_rx, ==, KA_S(7210));
    g_assert_cmpstr(r.error, ==, "WSAENETRESET");
    g_assert_cmpuint(r.probes_sent, ==, 10);
    g_assert_cmpuint(r.probes_answered, ==, 0);
    g_assert_cmpint(r.last_rx, >=, KA_S(1));
    g_assert_cmpint(r.last_rx, <, KA_S(601) + KA_MS(20));
    rx[i] = r.last_rx;
    g_hash_table_add(seen, &rx[i]);
  }
  g_assert_cmpuint(g_hash_table_size(seen), >, 990);
  g_hash_table_unref(seen);
  g_free(rx);
  finish(w, NULL, sc);
}

/* --- Topology. ------------------------------------------------------------ */

/* No direct link: the path goes through a router host.  Pulling the
 * second cable gives the same 7210 s; last_rx is one round trip over two
 * links of 5 ms. */
static void test_routed_path(void) {
  ks_scenario *sc = sc_new(KA_S(3 * 3600));
  sc_routed(sc, "windows-vista");
  sc_event(sc, KA_S(60), KS_EV_LINK_DOWN, 1);
  ks_world *w = run(sc, 1, NULL);
  ks_conn_result res = result(w, 0);
  g_assert_cmpint(res.last_rx, ==, KA_S(1) + KA_MS(20));
  g_assert_cmpint(res.closed_at - res.last_rx, ==, KA_S(7210));
  finish(w, NULL, sc);
}

/* A crashed router drops everything that reaches it. */
static void test_router_crash(void) {
  ks_scenario *sc = sc_new(KA_S(3 * 3600));
  guint r = sc_routed(sc, "linux");
  sc_event(sc, KA_S(60), KS_EV_PEER_CRASH, r);
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result res = result(w, 0);
  g_assert_cmpint(res.closed_at - res.last_rx, ==, KA_S(7875));
  g_assert_cmpuint(log.drops_probe[DROP_CRASHED], ==, 9);
  finish(w, &log, sc);
}

static void test_no_path(void) {
  ks_scenario *sc = sc_new(KA_S(60));
  guint c = sc_host(sc, "linux"), s = sc_host(sc, "linux"), x = sc_host(sc, "linux");
  sc_link(sc, c, x, KA_MS(5));
  sc_group(sc, 1, c, s, KS_KEEPALIVE_CLIENT);
  GError *err = NULL;
  ks_world *w = ks_world_new(sc, 1, &err);
  g_assert_null(w);
  g_assert_nonnull(err);
  g_assert_nonnull(strstr(err->message, "no path"));
  g_error_free(err);
  sc_free(sc);
}

/* --- The wire. ------------------------------------------------------------ */

/* The handshake is in the trace, with consistent numbers, and a probe is
 * SEG.SEQ = SND.NXT - 1 (RFC 1122 4.2.3.6). */
static void test_handshake_and_probe_wire(void) {
  ks_scenario *sc = sc_new(KA_S(200));
  ks_group_spec *g = sc_pair(sc, "linux", "linux", KA_MS(10), 1);
  sc_opt(g, "TCP_KEEPIDLE", "60");
  tlog log;
  ks_world *w = run_traced(sc, 3, &log);
  g_assert_cmpuint(log.n_first, ==, 3);
  const ks_segment *syn = &log.first_sends[0], *synack = &log.first_sends[1],
                   *ack = &log.first_sends[2];
  g_assert_cmpuint(syn->flags, ==, KS_TCP_SYN);
  g_assert_true(syn->from_client);
  g_assert_cmpuint(synack->flags, ==, KS_TCP_SYN | KS_TCP_ACK);
  g_assert_false(synack->from_client);
  g_assert_cmpuint(synack->ack, ==, syn->seq + 1);
  g_assert_cmpuint(ack->flags, ==, KS_TCP_ACK);
  g_assert_cmpuint(ack->seq, ==, syn->seq + 1);
  g_assert_cmpuint(ack->ack, ==, synack->seq + 1);
  g_assert_cmpuint(syn->kind, ==, KS_SEG_HANDSHAKE);
  g_assert_true(log.have_probe);
  g_assert_cmpuint(log.first_probe.seq, ==, syn->seq); /* SND.NXT - 1 */
  g_assert_cmpuint(log.first_probe.ack, ==, synack->seq + 1);
  g_assert_cmpuint(log.sends[0][KS_SEG_KEEPALIVE_ACK], ==, 2); /* at ~61 and ~136 s */
  finish(w, &log, sc);
}

/* A link down from the start: the SYN is retransmitted after 1, 2, 4 ...
 * 32 s (6 retries, Linux tcp_syn_retries) and connect() fails 127 s after
 * the first SYN with ETIMEDOUT. */
static void test_connect_fails(void) {
  ks_scenario *sc = sc_new(KA_S(600));
  sc_pair(sc, "linux", "linux", KA_MS(10), 1);
  sc_event(sc, 0, KS_EV_LINK_DOWN, 0);
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.closed_at, ==, KA_S(1 + 127));
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RETRANSMISSION_TIMEOUT);
  g_assert_cmpstr(r.error, ==, "ETIMEDOUT");
  g_assert_cmpint(r.last_rx, ==, KA_TIME_NEVER);
  g_assert_cmpuint(r.probes_answered, ==, 0);
  g_assert_cmpuint(log.sends[1][KS_SEG_HANDSHAKE], ==, 7);
  finish(w, &log, sc);
}

static void test_endpoints(void) {
  ks_scenario *sc = sc_new(KA_S(1));
  sc_pair(sc, "linux", "linux", KA_MS(1), 20000);
  GError *err = NULL;
  ks_world *w = ks_world_new(sc, 1, &err);
  g_assert_no_error(err);
  guint32 cip, sip;
  guint16 cport, sport;
  ks_world_conn_endpoints(w, 0, &cip, &cport, &sip, &sport);
  g_assert_cmphex(cip, ==, 0xC6120001u); /* 198.18.0.1 */
  g_assert_cmpuint(cport, ==, 49152);
  g_assert_cmphex(sip, ==, 0xC0000202u); /* 192.0.2.2: host index 1 */
  g_assert_cmpuint(sport, ==, 443);
  ks_world_conn_endpoints(w, 16384, &cip, &cport, NULL, NULL);
  g_assert_cmphex(cip, ==, 0xC6120002u);
  g_assert_cmpuint(cport, ==, 49152);
  ks_world_conn_endpoints(w, 16383, &cip, &cport, NULL, NULL);
  g_assert_cmphex(cip, ==, 0xC6120001u);
  g_assert_cmpuint(cport, ==, 65535);
  finish(w, NULL, sc);
}

/* Per idle connection: seq and the probe counters (16 octets), then each
 * end's ka_conn (32 on LP64: its retransmission state is in ks_flow) and
 * ks_timer, padded to two cache lines (see ks_conn).  With a 16-octet
 * timer the client's end and the counters fill the first line exactly.
 * Traffic and middleboxes add theirs. */
static void test_sizeof(void) {
  g_test_message("sizeof(ks_conn) = %zu, sizeof(ka_conn) = %zu, sizeof(ka_rtx) = %zu, "
                 "sizeof(ks_timer) = %zu, sizeof(ks_flow) = %zu, sizeof(ks_flight) = %zu, "
                 "sizeof(ks_mbst) = %zu",
                 sizeof(ks_conn), sizeof(ka_conn), sizeof(ka_rtx), sizeof(ks_timer),
                 sizeof(ks_flow), sizeof(ks_flight), sizeof(ks_mbst));
  g_assert_cmpuint(sizeof(ks_dead), <=, sizeof(ks_timer));
  g_assert_cmpuint(_Alignof(ks_conn), ==, 64);
  g_assert_cmpuint(sizeof(ks_conn), <=, 128);
  if (sizeof(void *) == 8) {
    g_assert_cmpuint(sizeof(ka_conn), ==, 32);
    g_assert_cmpuint(sizeof(ka_rtx), ==, 32);
  }
  if (sizeof(ks_timer) <= 16)
    g_assert_cmpuint(offsetof(ks_conn, ep[KSW_SERVER]), <=, 64);

  /* The array is aligned too, or the layout buys nothing. */
  ks_scenario *sc = sc_new(KA_S(10));
  sc_pair(sc, "linux", "linux", KA_MS(10), 3);
  GError *err = NULL;
  ks_world *w = ks_world_new(sc, 1, &err);
  g_assert_no_error(err);
  g_assert_cmpuint((guintptr)w->conns % 64, ==, 0);
  finish(w, NULL, sc);
}

/* Linux defaults on the timer wheel at HZ 250, the client up 300 s at
 * time 0 (jiffies 2^32 then, INITIAL_JIFFIES = 2^32 - 300 HZ; counted from
 * there below, as the wheel sees only the low bits).  The handshake completes at
 * 1.020 s (jiffy 255); the 7200 s idle (1800000 jiffies, level 5: 32768 a
 * step) expires at 1800255 and fires at ((1800005 >> 15) + 1) << 15 =
 * 1802240 (7208.96 s); each 75 s interval (18750 jiffies, level 3: 512
 * a step) from there: 1820990 -> 1821184, 18944 jiffies each as 1802240
 * is a multiple of 512; nine probes, give-up at 1802240 + 9 x 18944 =
 * 1972736 (7890.944 s).  Facts §4's window: 7875 to 8024.504 s. */
static void test_linux_wheel(void) {
  ks_scenario *sc = peer_crash_scenario();
  ks_host_spec *ch = g_ptr_array_index(sc->hosts, CLIENT);
  g_assert_true(ka_params_set(ch->params, "hz", "250", NULL));
  g_assert_true(ka_params_set(ch->params, "uptime", "300s", NULL));
  tlog log;
  ks_world *w = run_traced(sc, 1, &log);
  ks_conn_result r = result(w, 0);
  g_assert_cmpint(r.last_rx, ==, KA_MS(1020));
  g_assert_cmpint(r.closed_at, ==, KA_MS(7890944));
  g_assert_cmpuint(r.probes_sent, ==, 9);
  g_assert_cmpint(r.closed_at - r.last_rx, >=, KA_S(7875));
  g_assert_cmpint(r.closed_at - r.last_rx, <=, KA_MS(8024504));
  finish(w, &log, sc);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/world/sizeof", test_sizeof);
  g_test_add_func("/world/vista-cable-pull", test_vista_cable_pull);
  g_test_add_func("/world/linux-peer-crash", test_linux_peer_crash);
  g_test_add_func("/world/linux-wheel", test_linux_wheel);
  g_test_add_func("/world/linux-peer-reboot", test_linux_peer_reboot);
  g_test_add_func("/world/healthy-idle-hour", test_healthy_idle_hour);
  g_test_add_func("/world/nat-drop-350", test_nat_drop);
  g_test_add_func("/world/nat-keepalive-below-timeout", test_nat_keepalive_below_timeout);
  g_test_add_func("/world/azure-rst-240", test_azure_rst);
  g_test_add_func("/world/middlebox-timeout-event", test_middlebox_timeout_event);
  g_test_add_func("/world/linux-data-in-flight", test_linux_data_in_flight);
  g_test_add_func("/world/windows-data-in-flight", test_windows_data_in_flight);
  g_test_add_func("/world/app-hang", test_app_hang);
  g_test_add_func("/world/periodic-healthy", test_periodic_healthy);
  g_test_add_func("/world/determinism", test_determinism);
  g_test_add_func("/world/rng-splitmix64", test_rng_splitmix64);
  g_test_add_func("/world/shards-match-whole", test_shards_match_whole);
  g_test_add_func("/world/spread-1000", test_spread_1000);
  g_test_add_func("/world/routed-path", test_routed_path);
  g_test_add_func("/world/router-crash", test_router_crash);
  g_test_add_func("/world/no-path", test_no_path);
  g_test_add_func("/world/handshake-and-probe-wire", test_handshake_and_probe_wire);
  g_test_add_func("/world/connect-fails", test_connect_fails);
  g_test_add_func("/world/endpoints", test_endpoints);
  return g_test_run();
}
