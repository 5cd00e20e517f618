/* test_net.c - the network's rules both engines share (ks_net.h), on a
 * hand-built network: no engine, no scenario file.
 *
 * The network: client (host 0) -- router (host 1) -- server (host 2) over
 * links 0 (client-router) and 1 (router-server); one path, client to
 * server, crossing link 0 from a to b and link 1 from a to b.  Middlebox
 * timeouts are the AWS NAT gateway's 350 s (facts §6: scenario presets).
 */
#include <string.h>

#include "ks_failure.h"
#include "ks_net.h"

#define NAT_TIMEOUT KA_S(350)

static ks_net *three_hosts(void) {
  ks_net *n = ks_net_new(3, 2, 2, 1);
  n->links[0] = (ks_net_link){.a = 0, .b = 1};
  n->links[1] = (ks_net_link){.a = 1, .b = 2};
  n->mbs[0] = (ks_net_mb){.link = 0, .timeout = NAT_TIMEOUT, .on_expiry = KS_EXPIRY_DROP};
  n->mbs[1] = (ks_net_mb){.link = 1, .timeout = NAT_TIMEOUT, .on_expiry = KS_EXPIRY_RST};
  ks_net_path *p = &n->paths[0];
  p->host[0] = 0;
  p->host[1] = 2;
  p->n_hops = 2;
  p->hops = g_new(ks_net_hop, 2);
  p->hops[0] = (ks_net_hop){.link = 0, .dir = 0};
  p->hops[1] = (ks_net_hop){.link = 1, .dir = 0};
  return n;
}

/* --- Names: the strings docs/output.md and docs/scenarios.md document. -- */

static void test_names(void) {
  static const char *const events[] = {"link_down",        "link_up",     "loss",
                                       "peer_crash",       "peer_reboot", "app_hang",
                                       "middlebox_timeout"};
  static const char *const segs[] = {"handshake",     "data", "retransmission", "ack", "keepalive",
                                     "keepalive_ack", "rst"};
  static const char *const traces[] = {"send", "deliver", "drop", "timer", "close", "scenario"};
  G_STATIC_ASSERT(G_N_ELEMENTS(events) == KS_EV_COUNT_);
  G_STATIC_ASSERT(G_N_ELEMENTS(segs) == KS_SEG_COUNT_);
  G_STATIC_ASSERT(G_N_ELEMENTS(traces) == KS_TRACE_COUNT_);
  for (guint k = 0; k < KS_EV_COUNT_; k++) {
    g_assert_cmpstr(ks_net_event_name(k), ==, events[k]);
    g_assert_cmpint(ks_net_event_of(events[k]), ==, (int)k);
  }
  for (guint k = 0; k < KS_SEG_COUNT_; k++) {
    g_assert_cmpstr(ks_net_seg_kind_name(k), ==, segs[k]);
    g_assert_cmpint(ks_net_seg_kind_of(segs[k], strlen(segs[k])), ==, (int)k);
  }
  for (guint k = 0; k < KS_TRACE_COUNT_; k++) {
    g_assert_cmpstr(ks_net_trace_kind_name(k), ==, traces[k]);
    g_assert_cmpint(ks_net_trace_kind_of(traces[k], strlen(traces[k])), ==, (int)k);
  }
  /* Only the first len octets count: "keepalive" is not "keepalive_ack". */
  g_assert_cmpint(ks_net_seg_kind_of("keepalive_ack", 9), ==, KS_SEG_KEEPALIVE);
  g_assert_cmpint(ks_net_event_of("flap"), ==, -1); /* the loader's, not an event */
  g_assert_cmpstr(ks_net_event_name(KS_EV_COUNT_), ==, "?");
  g_assert_cmpint(ks_net_seg_kind_of("probe", 5), ==, -1);
  /* What each event targets, and which take a direction (docs/scenarios.md). */
  g_assert_cmpint(ks_net_event_target(KS_EV_LOSS), ==, KS_TARGET_LINK);
  g_assert_cmpint(ks_net_event_target(KS_EV_APP_HANG), ==, KS_TARGET_HOST);
  g_assert_cmpint(ks_net_event_target(KS_EV_MIDDLEBOX_TIMEOUT), ==, KS_TARGET_MIDDLEBOX);
  g_assert_true(ks_net_event_has_direction(KS_EV_LINK_DOWN));
  g_assert_false(ks_net_event_has_direction(KS_EV_LOSS));
  g_assert_true(ks_net_event_is_bare(KS_EV_PEER_REBOOT));
  g_assert_false(ks_net_event_is_bare(KS_EV_MIDDLEBOX_TIMEOUT));
}

/* --- Middleboxes. -------------------------------------------------------- */

static void test_mb_pass(void) {
  ks_net_mb nat = {.timeout = NAT_TIMEOUT, .on_expiry = KS_EXPIRY_DROP};
  ka_time last = -1;
  /* No state: only a SYN may create it. */
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(1), FALSE), ==, KS_MB_DROP);
  g_assert_cmpint(last, ==, -1);
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(2), TRUE), ==, KS_MB_OPENED);
  g_assert_cmpint(last, ==, KA_S(2));
  /* Activity within the timeout refreshes the state. */
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(351), FALSE), ==, 0);
  g_assert_cmpint(last, ==, KA_S(351));
  /* 350 s of silence: the state is gone at exactly last + 350 s, and the
   * segment that finds it gone is dropped; the loss is dated then. */
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(701), FALSE), ==, KS_MB_EXPIRED | KS_MB_DROP);
  g_assert_cmpint(ks_failure_mb_lost_at(last, nat.timeout, KA_S(800)), ==, KA_S(701));
  /* Dropped state stays dropped; a SYN creates it afresh. */
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(702), FALSE), ==, KS_MB_DROP);
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(703), TRUE), ==, KS_MB_OPENED);
  g_assert_cmpint(last, ==, KA_S(703));
  /* A SYN that finds expired state: expired, then opened again. */
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(1053), TRUE), ==, KS_MB_EXPIRED | KS_MB_OPENED);
  /* One nanosecond short of the timeout still passes. */
  g_assert_cmpuint(ks_net_mb_pass(&nat, &last, KA_S(1053) + NAT_TIMEOUT - 1, FALSE), ==, 0);
}

static void test_mb_timer(void) {
  ks_net_mb lb = {.timeout = NAT_TIMEOUT, .on_expiry = KS_EXPIRY_RST};
  g_assert_cmpint(ks_net_mb_due(&lb, -1), ==, KA_TIME_NEVER);
  g_assert_cmpint(ks_net_mb_due(&lb, ks_failure_mb_dropped(KA_S(5))), ==, KA_TIME_NEVER);
  g_assert_cmpint(ks_net_mb_due(&lb, KA_S(10)), ==, KA_S(360));
  ka_time last = KA_S(10);
  ks_net_mb_forget(&lb, &last);
  g_assert_cmpint(last, <, -1);
  g_assert_cmpint(ks_failure_mb_lost_at(last, lb.timeout, KA_S(1000)), ==, KA_S(360));
}

/* --- The timeline. ------------------------------------------------------- */

typedef struct seen {
  GPtrArray *traces; /* char*: "what host target" */
  guint crashed, rebooted, rearmed;
  guint hung_at_reboot;
  ks_net *net;
} seen;

static void on_trace(const ks_trace_event *ev, void *ud) {
  seen *s = ud;
  g_assert_cmpint(ev->kind, ==, KS_TRACE_SCENARIO);
  g_ptr_array_add(s->traces,
                  g_strdup_printf("%s %d %u", ev->what, ev->host == G_MAXUINT ? -1 : (int)ev->host,
                                  ev->target));
}
static void on_crash(void *ud, guint host) {
  seen *s = ud;
  g_assert_true(s->net->hosts[host].crashed); /* set before the hook runs */
  s->crashed++;
}
static void on_reboot(void *ud, guint host) {
  seen *s = ud;
  s->hung_at_reboot = s->net->hosts[host].hung;
  s->rebooted++;
}
static void on_rearm(void *ud, guint mb) {
  seen *s = ud;
  g_assert_cmpint(s->net->mbs[mb].timeout, ==, KA_S(60)); /* the new timeout */
  s->rearmed++;
}

static void apply(ks_net *n, seen *s, ka_time at, ks_event_kind kind, guint target,
                  ks_direction dir, double rate, ka_time duration) {
  static const ks_net_hooks hooks = {on_crash, on_reboot, on_rearm};
  ks_event_spec ev = {.at = at,
                      .kind = kind,
                      .target = target,
                      .direction = dir,
                      .rate = rate,
                      .duration = duration};
  ks_net_apply(n, &ev, at, &hooks, s);
}

static void test_apply(void) {
  ks_net *n = three_hosts();
  seen s = {.traces = g_ptr_array_new_with_free_func(g_free), .net = n};
  n->trace = on_trace;
  n->trace_ud = &s;
  g_assert_null(ks_net_path_broken(n, 0));

  /* One direction of a link down breaks the path: a probe needs its way
   * out and its answer's way back (ks_conn_result). */
  apply(n, &s, KA_S(10), KS_EV_LINK_DOWN, 1, KS_DIR_B_TO_A, 0, 0);
  g_assert_cmpint(n->links[1].down[0], ==, 0);
  g_assert_cmpint(n->links[1].down[1], ==, 1);
  g_assert_cmpstr(ks_net_path_broken(n, 0), ==, "link_down");
  apply(n, &s, KA_S(20), KS_EV_LINK_UP, 1, KS_DIR_BOTH, 0, 0);
  g_assert_null(ks_net_path_broken(n, 0));

  /* Loss short of 1 does not break it; a link that loses everything does. */
  apply(n, &s, KA_S(30), KS_EV_LOSS, 0, KS_DIR_BOTH, 0.5, 0);
  g_assert_null(ks_net_path_broken(n, 0));
  apply(n, &s, KA_S(40), KS_EV_LOSS, 0, KS_DIR_BOTH, 1.0, 0);
  g_assert_cmpstr(ks_net_path_broken(n, 0), ==, "loss");
  apply(n, &s, KA_S(50), KS_EV_LOSS, 0, KS_DIR_BOTH, 0.0, 0);

  /* A hung application, and a reboot that starts it afresh. */
  apply(n, &s, KA_S(60), KS_EV_APP_HANG, 2, KS_DIR_BOTH, 0, 0);
  g_assert_true(n->hosts[2].hung);
  g_assert_null(ks_net_path_broken(n, 0)); /* the stack still answers */
  apply(n, &s, KA_S(70), KS_EV_PEER_REBOOT, 2, KS_DIR_BOTH, 0, 0);
  g_assert_cmpuint(s.rebooted, ==, 1);
  g_assert_cmpuint(s.hung_at_reboot, ==, 0);

  /* A middlebox timeout change re-arms a resetting box, not a dropping one. */
  apply(n, &s, KA_S(80), KS_EV_MIDDLEBOX_TIMEOUT, 0, KS_DIR_BOTH, 0, KA_S(60));
  g_assert_cmpuint(s.rearmed, ==, 0);
  g_assert_cmpint(n->mbs[0].timeout, ==, KA_S(60));
  apply(n, &s, KA_S(90), KS_EV_MIDDLEBOX_TIMEOUT, 1, KS_DIR_BOTH, 0, KA_S(60));
  g_assert_cmpuint(s.rearmed, ==, 1);

  /* The router crashing breaks the path as a router; the peer as the peer. */
  apply(n, &s, KA_S(100), KS_EV_PEER_CRASH, 1, KS_DIR_BOTH, 0, 0);
  g_assert_cmpuint(s.crashed, ==, 1);
  g_assert_cmpstr(ks_net_path_broken(n, 0), ==, "router_crash");
  n->hosts[1].crashed = 0;
  n->paths[0].result_side = 1; /* the server's socket reports: its peer is the client */
  apply(n, &s, KA_S(110), KS_EV_PEER_CRASH, 0, KS_DIR_BOTH, 0, 0);
  g_assert_cmpstr(ks_net_path_broken(n, 0), ==, "peer_crash");

  /* Every event was traced once, host events with their host. */
  static const char *const expect[] = {"link_down -1 1",
                                       "link_up -1 1",
                                       "loss -1 0",
                                       "loss -1 0",
                                       "loss -1 0",
                                       "app_hang 2 2",
                                       "peer_reboot 2 2",
                                       "middlebox_timeout -1 0",
                                       "middlebox_timeout -1 1",
                                       "peer_crash 1 1",
                                       "peer_crash 0 0"};
  g_assert_cmpuint(s.traces->len, ==, G_N_ELEMENTS(expect));
  for (guint i = 0; i < G_N_ELEMENTS(expect); i++)
    g_assert_cmpstr(g_ptr_array_index(s.traces, i), ==, expect[i]);

  /* The path's breaks were dated as the events came: the first at 10 s,
   * and the path had not come back when the client crashed. */
  ks_conn_result r = {.closed_at = KA_TIME_NEVER, .reason = KA_CLOSE_NONE};
  ks_failure_judge(n->paths[0].failures, 0, KA_TIME_NEVER, KA_TIME_NEVER, KA_S(200), &r);
  g_assert_cmpint(r.failure_at, ==, KA_S(10));
  g_assert_cmpstr(r.failure, ==, "link_down");
  g_ptr_array_unref(s.traces);
  ks_net_free(n);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/net/names", test_names);
  g_test_add_func("/net/mb-pass", test_mb_pass);
  g_test_add_func("/net/mb-timer", test_mb_timer);
  g_test_add_func("/net/apply", test_apply);
  return g_test_run();
}
