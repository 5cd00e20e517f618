/* test_conn.c - the keep-alive and retransmission state machine.
 *
 * Expected times come from the reference sheet (../shared/reference/
 * keepalive-facts.md), which cites the kernel sources, the netdev
 * packetdrill script and Microsoft's pages; each test names its row. */
#include <kasim/ka.h>
#include <string.h>

typedef struct timeline {
  ka_time probe_at[300];
  unsigned probe_payload[300];
  int probe_seq[300];
  unsigned probes;
  ka_time retrans_at[64];
  unsigned retrans;
  ka_time giveup_at;
  ka_action giveup;
} timeline;

/* A socket of `profile` with SO_KEEPALIVE on and the given settings. */
typedef struct fixture {
  ka_params *params;
  ka_sock *sock;
  ka_cfg cfg;
} fixture;

static void fixture_init(fixture *f, const char *profile, const char *const *sets) {
  const ka_profile *p = ka_profile_find(profile);
  g_assert_nonnull(p);
  f->params = ka_params_new(p);
  /* The times expected here are the rules' own arithmetic: Linux timers
   * fire when due unless a test puts them on the timer wheel (hz). */
  if (ka_profile_family(p) == KA_FAMILY_LINUX)
    g_assert_true(ka_params_set(f->params, "hz", "0", NULL));
  for (; sets && *sets; sets++) {
    GError *err = NULL;
    g_assert_true(ka_params_set_assignment(f->params, *sets, &err));
    g_assert_no_error(err);
  }
  f->sock = ka_sock_new(f->params, KA_SOCK_STREAM, 0);
  ka_sock_set_state(f->sock, KA_SOCK_STATE_CONNECTED);
  g_assert_cmpint(ka_sock_set_int(f->sock, KA_OPT_SO_KEEPALIVE, 1), ==, 0);
  ka_sock_cfg(f->sock, &f->cfg);
}

static void fixture_opt(fixture *f, ka_opt opt, int value) {
  g_assert_cmpint(ka_sock_set_int(f->sock, opt, value), ==, 0);
  ka_sock_cfg(f->sock, &f->cfg);
}

/* The netdev packetdrill script's settings (facts §4): idle 3 s, interval
 * 2 s, count 4. */
static void fixture_init_packetdrill(fixture *f) {
  fixture_init(f, "linux", NULL);
  fixture_opt(f, KA_OPT_TCP_KEEPIDLE, 3);
  fixture_opt(f, KA_OPT_TCP_KEEPINTVL, 2);
  fixture_opt(f, KA_OPT_TCP_KEEPCNT, 4);
}

static void fixture_clear(fixture *f) {
  ka_sock_free(f->sock);
  ka_params_free(f->params);
}

/* Drives a connection whose peer vanished right after `start` until it
 * gives up or `horizon` passes, recording what it asked for. */
static void run_silent(ka_conn *c, ka_rtx *r, ka_time horizon, timeline *tl) {
  memset(tl, 0, sizeof *tl);
  tl->giveup_at = KA_TIME_NEVER;
  for (;;) {
    ka_time at = ka_conn_poll_at(c, r);
    if (at == KA_TIME_NEVER || at > horizon)
      return;
    ka_action a;
    while (ka_conn_poll(c, r, at, &a)) {
      switch (a.kind) {
      case KA_ACTION_PROBE:
        g_assert_cmpuint(tl->probes, <, G_N_ELEMENTS(tl->probe_at));
        tl->probe_payload[tl->probes] = a.payload;
        tl->probe_seq[tl->probes] = a.seq_offset;
        tl->probe_at[tl->probes++] = at;
        break;
      case KA_ACTION_RETRANSMIT:
        g_assert_cmpuint(tl->retrans, <, G_N_ELEMENTS(tl->retrans_at));
        tl->retrans_at[tl->retrans++] = at;
        break;
      case KA_ACTION_GIVE_UP:
        tl->giveup_at = at;
        tl->giveup = a;
        return;
      default: g_assert_not_reached();
      }
      if (ka_conn_poll_at(c, r) > at)
        break;
    }
  }
}

/* facts §4 (netdev packetdrill): idle 3, intvl 2, cnt 4 -> probes at 3, 5,
 * 7, 9 s; RST and ETIMEDOUT at 11 s; zero-length probes at SND.NXT-1. */
static void test_linux_packetdrill(void) {
  fixture f;
  fixture_init_packetdrill(&f);
  ka_conn c;
  ka_conn_init(&c, NULL, &f.cfg, 0);
  timeline tl;
  run_silent(&c, NULL, KA_S(100), &tl);
  g_assert_cmpuint(tl.probes, ==, 4);
  const ka_time want[] = {KA_S(3), KA_S(5), KA_S(7), KA_S(9)};
  for (unsigned i = 0; i < 4; i++) {
    g_assert_cmpint(tl.probe_at[i], ==, want[i]);
    g_assert_cmpuint(tl.probe_payload[i], ==, 0);
    g_assert_cmpint(tl.probe_seq[i], ==, -1);
  }
  g_assert_cmpint(tl.giveup_at, ==, KA_S(11));
  g_assert_cmpint(tl.giveup.reason, ==, KA_CLOSE_KEEPALIVE_TIMEOUT);
  g_assert_true(tl.giveup.send_rst);
  g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_pending), ==, 110);
  /* Later calls, as the kernel showed (kasim validate --kernel): recv()
   * sees end of stream and send() fails with EPIPE (32). */
  g_assert_true(tl.giveup.later_recv_eof);
  g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_later), ==, 32);
  g_assert_true(ka_conn_is_closed(&c));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_TIME_NEVER);
  fixture_clear(&f);
}

/* facts §2 and issue example: Vista defaults, dead 7210 s after the last
 * receive, after 10 one-byte probes; WSAENETRESET then WSAECONNRESET (§3).
 * The same with and without a ka_rtx when no data is ever sent. */
static void test_vista_defaults(void) {
  fixture f;
  fixture_init(&f, "windows-vista", NULL);
  ka_rtx r;
  ka_rtx *rtxs[] = {NULL, &r};
  for (size_t k = 0; k < G_N_ELEMENTS(rtxs); k++) {
    ka_conn c;
    ka_time start = KA_S(42); /* the last receive need not be at 0 */
    ka_conn_init(&c, rtxs[k], &f.cfg, start);
    timeline tl;
    run_silent(&c, rtxs[k], KA_S(100000), &tl);
    g_assert_cmpuint(tl.probes, ==, 10);
    for (unsigned i = 0; i < 10; i++) {
      g_assert_cmpint(tl.probe_at[i], ==, start + KA_S(7200) + KA_S(i));
      g_assert_cmpuint(tl.probe_payload[i], ==, 1);
    }
    g_assert_cmpint(tl.giveup_at - start, ==, KA_S(7210));
    g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_pending), ==, 10052);
    g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_later), ==, 10054);
    g_assert_false(tl.giveup.later_recv_eof);
  }
  fixture_clear(&f);
}

/* facts §2: 2000/XP/2003 probe max(TcpMaxDataRetransmissions, PPTP...). */
static void test_xp_counts(void) {
  static const struct {
    const char *sets[3];
    unsigned probes;
  } cases[] = {
    {{NULL}, 5},
    {{"TcpMaxDataRetransmissions=300", NULL}, 255},
    {{"TcpMaxDataRetransmissions=2", "PPTPTcpMaxDataRetransmissions=7", NULL}, 7},
    {{"TcpMaxDataRetransmissions=9", "PPTPTcpMaxDataRetransmissions=0", NULL}, 9},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    fixture f;
    fixture_init(&f, "windows-xp", cases[k].sets);
    ka_conn c;
    ka_conn_init(&c, NULL, &f.cfg, 0);
    timeline tl;
    run_silent(&c, NULL, KA_S(100000), &tl);
    g_assert_cmpuint(tl.probes, ==, cases[k].probes);
    g_assert_cmpint(tl.giveup_at, ==, KA_S(7200) + (ka_time)cases[k].probes * KA_S(1));
    fixture_clear(&f);
  }
}

/* facts §2: both values 0 -> no probes are sent at all: never detected. */
static void test_xp_zero_never_probes(void) {
  const char *sets[] = {"TcpMaxDataRetransmissions=0", "PPTPTcpMaxDataRetransmissions=0", NULL};
  fixture f;
  fixture_init(&f, "windows-xp", sets);
  g_assert_true(f.cfg.never_probes);
  ka_conn c;
  ka_conn_init(&c, NULL, &f.cfg, 0);
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_TIME_NEVER);
  timeline tl;
  run_silent(&c, NULL, KA_S(86400 * 365), &tl);
  g_assert_cmpuint(tl.probes, ==, 0);
  g_assert_cmpint(tl.giveup_at, ==, KA_TIME_NEVER);
  fixture_clear(&f);
}

/* facts §5: FreeBSD and macOS drop when idle >= keepidle + keepcnt x
 * keepintvl (7200 + 8 x 75 = 7800 s), with probes every 75 s before. */
static void test_bsd_time_based(void) {
  const char *names[] = {"freebsd", "macos"};
  for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
    fixture f;
    fixture_init(&f, names[k], NULL);
    ka_conn c;
    ka_conn_init(&c, NULL, &f.cfg, 0);
    timeline tl;
    run_silent(&c, NULL, KA_S(100000), &tl);
    g_assert_cmpuint(tl.probes, ==, 8);
    for (unsigned i = 0; i < 8; i++) {
      g_assert_cmpint(tl.probe_at[i], ==, KA_S(7200) + (ka_time)i * KA_S(75));
      g_assert_cmpuint(tl.probe_payload[i], ==, 0);
    }
    g_assert_cmpint(tl.giveup_at, ==, KA_S(7800));
    g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_pending), ==, 60);
    fixture_clear(&f);
  }
}

/* RFC 1122 4.2.3.6: an answered probe proves the peer alive; counting
 * starts over from the answer (facts §4: any ACK resets probes_out). */
static void test_answered_probe_restarts(void) {
  fixture f;
  fixture_init_packetdrill(&f);
  ka_conn c;
  ka_conn_init(&c, NULL, &f.cfg, 0);
  ka_action a;
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_S(3));
  g_assert_true(ka_conn_poll(&c, NULL, KA_S(3), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
  g_assert_true(ka_conn_poll(&c, NULL, KA_S(5), &a));
  g_assert_cmpuint(ka_conn_probes_out(&c), ==, 2);
  ka_conn_on_receive(&c, KA_MS(5100)); /* the second probe is answered */
  g_assert_cmpuint(ka_conn_probes_out(&c), ==, 0);
  /* The timer due at 7 s would find the connection idle for only 1.9 s
   * and move to 5.1 + 3 s: the answer moves it there at once. */
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_MS(8100));
  /* With no probe out, a receive is lazy again: the timer stays, fires at
   * 8.1 s, finds 2.1 s of idleness and moves to 6 + 3 s, sending nothing. */
  ka_conn_on_receive(&c, KA_S(6));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_MS(8100));
  g_assert_false(ka_conn_poll(&c, NULL, KA_MS(8100), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_NONE);
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_S(9));
  timeline tl;
  run_silent(&c, NULL, KA_S(100), &tl);
  g_assert_cmpuint(tl.probes, ==, 4);
  g_assert_cmpint(tl.probe_at[0], ==, KA_S(9));
  g_assert_cmpint(tl.giveup_at, ==, KA_S(9) + KA_S(8));
  fixture_clear(&f);
}

/* The answer moves the timer only where the lazy re-check would have put
 * it.  An interval longer than the idle time (idle 2, intvl 5): the
 * firing at probe + intvl finds the connection idle past 2 s and probes
 * then (facts §4: the next probe after the interval, counting from 1
 * again), so the answer leaves the timer there. */
static void test_answer_keeps_long_interval(void) {
  fixture f;
  fixture_init(&f, "linux", NULL);
  fixture_opt(&f, KA_OPT_TCP_KEEPIDLE, 2);
  fixture_opt(&f, KA_OPT_TCP_KEEPINTVL, 5);
  ka_conn c;
  ka_conn_init(&c, NULL, &f.cfg, 0);
  ka_action a;
  g_assert_true(ka_conn_poll(&c, NULL, KA_S(2), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
  ka_conn_on_receive(&c, KA_MS(2050));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_S(7));
  g_assert_true(ka_conn_poll(&c, NULL, KA_S(7), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
  g_assert_cmpuint(a.ordinal, ==, 1);
  fixture_clear(&f);
}

/* With data in flight the re-check pushes the timer a full idle time from
 * when it fires (tcp_keepalive_timer's resched), so an answer received
 * then leaves the timer lazy at probe + intvl.  Packetdrill settings:
 * probe at 3 s, data sent at 3.5 s, answer at 4 s; the firing at 5 s
 * sends nothing and looks again at 5 + 3 s. */
static void test_answer_with_data_stays_lazy(void) {
  fixture f;
  fixture_init_packetdrill(&f);
  ka_conn c;
  ka_rtx r;
  ka_conn_init(&c, &r, &f.cfg, 0);
  ka_action a;
  g_assert_true(ka_conn_poll(&c, &r, KA_S(3), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
  ka_conn_on_send(&c, &r, KA_MS(3500), KA_S(10));
  ka_conn_on_receive(&c, KA_S(4));
  g_assert_cmpuint(ka_conn_probes_out(&c), ==, 0);
  g_assert_cmpint(ka_conn_poll_at(&c, &r), ==, KA_S(5));
  g_assert_false(ka_conn_poll(&c, &r, KA_S(5), &a));
  g_assert_cmpint(ka_conn_poll_at(&c, &r), ==, KA_S(8));
  fixture_clear(&f);
}

/* facts §4: with TCP_USER_TIMEOUT the count is ignored; abort once idle >=
 * user_timeout with at least one probe out.  idle 3, intvl 2, cnt 4, UTO 6 s:
 * probes at 3 and 5, abort at the 7 s firing. */
static void test_linux_user_timeout_keepalive(void) {
  fixture f;
  fixture_init_packetdrill(&f);
  fixture_opt(&f, KA_OPT_TCP_USER_TIMEOUT, 6000);
  ka_conn c;
  ka_conn_init(&c, NULL, &f.cfg, 0);
  timeline tl;
  run_silent(&c, NULL, KA_S(100), &tl);
  g_assert_cmpuint(tl.probes, ==, 2);
  g_assert_cmpint(tl.giveup_at, ==, KA_S(7));
  g_assert_cmpint(tl.giveup.reason, ==, KA_CLOSE_USER_TIMEOUT);
  g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_pending), ==, 110);
  /* A user timeout longer than idle + cnt x intvl: still no abort before
   * it, whatever the count (probes go on every 2 s) and the abort comes at the first firing at or
   * past 20 s. */
  fixture_opt(&f, KA_OPT_TCP_USER_TIMEOUT, 20000);
  ka_conn_init(&c, NULL, &f.cfg, 0);
  run_silent(&c, NULL, KA_S(100), &tl);
  g_assert_cmpint(tl.giveup_at, ==, KA_S(21));
  g_assert_cmpuint(tl.probes, ==, 9); /* at 3, 5, ..., 19 s */
  fixture_clear(&f);
}

/* facts §4 / RFC 9293: no probe while data is outstanding; the Linux
 * retransmission give-up with tcp_retries2=15 and RTO 200 ms is 924.6 s
 * after the first transmission, after 15 retransmissions. */
static void test_linux_retransmission_giveup(void) {
  fixture f;
  fixture_init(&f, "linux", NULL);
  fixture_opt(&f, KA_OPT_TCP_KEEPIDLE, 1);
  ka_conn c;
  ka_rtx r;
  ka_conn_init(&c, &r, &f.cfg, 0);
  ka_conn_on_send(&c, &r, KA_MS(500), KA_LINUX_RTO_MIN);
  timeline tl;
  run_silent(&c, &r, KA_S(5000), &tl);
  g_assert_cmpuint(tl.probes, ==, 0);
  g_assert_cmpuint(tl.retrans, ==, 15);
  /* The RTO doubles from 200 ms to 102.4 s, then stays at TCP_RTO_MAX
   * (120 s): the 10th retransmission at 0.2 x (2^10 - 1) = 204.6 s, the
   * 11th 120 s later (the sums of tcp_model_timeout). */
  g_assert_cmpint(tl.retrans_at[0] - KA_MS(500), ==, KA_MS(200));
  g_assert_cmpint(tl.retrans_at[9] - KA_MS(500), ==, KA_MS(204600));
  g_assert_cmpint(tl.retrans_at[10] - KA_MS(500), ==, KA_MS(324600));
  g_assert_cmpint(tl.retrans_at[14] - KA_MS(500), ==, KA_MS(804600));
  g_assert_cmpint(tl.giveup_at - KA_MS(500), ==, KA_MS(924600));
  g_assert_cmpint(tl.giveup.reason, ==, KA_CLOSE_RETRANSMISSION_TIMEOUT);
  g_assert_false(tl.giveup.send_rst);
  g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_pending), ==, 110);
  fixture_clear(&f);
}

/* KB170359: the RTO doubles on each of TcpMaxDataRetransmissions (5)
 * retransmissions; with a 1 s RTO the last one times out at 1+2+...+32 =
 * 63 s.  WSAETIMEDOUT (10060) is what the application sees. */
static void test_windows_retransmission_giveup(void) {
  fixture f;
  fixture_init(&f, "windows-vista", NULL);
  ka_conn c;
  ka_rtx r;
  ka_conn_init(&c, &r, &f.cfg, 0);
  ka_conn_on_send(&c, &r, 0, KA_S(1));
  timeline tl;
  run_silent(&c, &r, KA_S(100000), &tl);
  g_assert_cmpuint(tl.retrans, ==, 5);
  const ka_time want[] = {KA_S(1), KA_S(3), KA_S(7), KA_S(15), KA_S(31)};
  for (unsigned i = 0; i < 5; i++)
    g_assert_cmpint(tl.retrans_at[i], ==, want[i]);
  g_assert_cmpint(tl.giveup_at, ==, KA_S(63));
  g_assert_cmpint(ka_profile_errnum(f.cfg.profile, tl.giveup.err_pending), ==, 10060);
  g_assert_cmpuint(tl.probes, ==, 0);
  fixture_clear(&f);
}

/* An acknowledged send returns the connection to keep-alive duty, timed
 * from the ACK (the last receive). */
static void test_ack_returns_to_keepalive(void) {
  fixture f;
  fixture_init(&f, "windows-vista", NULL);
  ka_conn c;
  ka_rtx r;
  ka_conn_init(&c, &r, &f.cfg, 0);
  ka_conn_on_send(&c, &r, KA_S(7000), KA_S(1));
  g_assert_true(ka_conn_has_outstanding(&c));
  ka_conn_on_receive(&c, KA_MS(7000050));
  ka_conn_on_ack(&c, &r, KA_MS(7000050), true, KA_S(1));
  g_assert_false(ka_conn_has_outstanding(&c));
  timeline tl;
  run_silent(&c, &r, KA_S(100000), &tl);
  g_assert_cmpint(tl.probe_at[0], ==, KA_MS(7000050) + KA_S(7200));
  g_assert_cmpint(tl.giveup_at, ==, KA_MS(7000050) + KA_S(7210));
  fixture_clear(&f);
}

/* facts §3: a probe answered by RST -> WSAECONNRESET / ECONNRESET. */
static void test_rst_reply(void) {
  const struct {
    const char *profile;
    int errnum;
  } cases[] = {{"windows-vista", 10054}, {"linux", 104}, {"freebsd", 54}};
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    fixture f;
    fixture_init(&f, cases[k].profile, NULL);
    ka_conn c;
    ka_conn_init(&c, NULL, &f.cfg, 0);
    ka_action a;
    ka_time at = ka_conn_poll_at(&c, NULL);
    g_assert_true(ka_conn_poll(&c, NULL, at, &a));
    g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
    ka_conn_on_rst(&c, NULL, at + KA_MS(10), &a);
    g_assert_cmpint(a.kind, ==, KA_ACTION_GIVE_UP);
    g_assert_cmpint(a.reason, ==, KA_CLOSE_RESET_BY_PEER);
    g_assert_false(a.send_rst);
    g_assert_cmpint(ka_profile_errnum(f.cfg.profile, a.err_pending), ==, cases[k].errnum);
    g_assert_cmpstr(ka_close_reason_name(ka_conn_close_reason(&c)), ==, "reset_by_peer");
    fixture_clear(&f);
  }
}

/* Linux arms the keep-alive timer a full idle period after SO_KEEPALIVE is
 * switched on (sock_setsockopt), not from the last receive. */
static void test_enable_later_arms_from_now(void) {
  fixture f;
  fixture_init(&f, "linux", NULL);
  fixture_opt(&f, KA_OPT_TCP_KEEPIDLE, 3);
  ka_cfg off = f.cfg;
  off.enabled = false;
  ka_conn c;
  ka_conn_init(&c, NULL, &off, 0);
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_TIME_NEVER);
  ka_conn_set_cfg(&c, &f.cfg, KA_S(10));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_S(13));
  /* Changing TCP_KEEPIDLE re-arms relative to the last receive (0 s): a
   * 5 s idle time is already past, so the timer is due now. */
  ka_cfg five = f.cfg;
  five.idle = KA_S(5);
  ka_conn_set_cfg(&c, &five, KA_S(11));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_S(11));
  fixture_clear(&f);
}

/* RFC 9293 3.10.7.4's four cases, with sequence numbers that wrap (3.4),
 * and the probe's shape (RFC 1122 4.2.3.6; facts §6: Wireshark's
 * keep-alive test, length 0 or 1 at next expected - 1). */
static void test_seg_acceptable(void) {
  const uint32_t nxt = 1000, wnd = 65535;
  /* Length 0, window 0: only SEG.SEQ = RCV.NXT. */
  g_assert_true(ka_conn_seg_acceptable(nxt, 0, nxt, 0));
  g_assert_false(ka_conn_seg_acceptable(nxt + 1, 0, nxt, 0));
  /* Length 0, window > 0: RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND. */
  g_assert_true(ka_conn_seg_acceptable(nxt + wnd - 1, 0, nxt, wnd));
  g_assert_false(ka_conn_seg_acceptable(nxt + wnd, 0, nxt, wnd));
  g_assert_false(ka_conn_seg_acceptable(nxt - 1, 0, nxt, wnd)); /* a probe */
  /* Length > 0, window 0: never. */
  g_assert_false(ka_conn_seg_acceptable(nxt, 10, nxt, 0));
  /* Length > 0, window > 0: its first or its last octet in the window. */
  g_assert_true(ka_conn_seg_acceptable(nxt - 5, 10, nxt, wnd));
  g_assert_false(ka_conn_seg_acceptable(nxt - 1, 1, nxt, wnd)); /* a one-octet probe */
  g_assert_false(ka_conn_seg_acceptable(nxt - 10, 10, nxt, wnd));
  /* Across the wrap. */
  g_assert_true(ka_conn_seg_acceptable(2, 0, 0xFFFFFFF0u, wnd));
  g_assert_true(ka_conn_seg_acceptable(0xFFFFFFFFu, 4, 0, wnd));
  g_assert_false(ka_conn_seg_acceptable(0xFFFFFFFFu, 0, 0, wnd));

  g_assert_true(ka_conn_seg_is_probe(nxt - 1, 0, nxt));
  g_assert_true(ka_conn_seg_is_probe(nxt - 1, 1, nxt));
  g_assert_false(ka_conn_seg_is_probe(nxt - 1, 2, nxt));
  g_assert_false(ka_conn_seg_is_probe(nxt, 0, nxt));
  g_assert_true(ka_conn_seg_is_probe(0xFFFFFFFFu, 1, 0));
}

/* The packetdrill settings (idle 3 s, interval 2 s, count 4) on the timer
 * wheel at HZ 250, the host up 300 s at time 0, so that jiffies reads 2^32
 * then (INITIAL_JIFFIES = 2^32 - 300 HZ), whose low bits, all the wheel
 * looks at, are 0; jiffies below count from there.  Each timer fires at the bucket
 * calc_index() gives, ((expires >> 3 level) + 1) << 3 level, its level set
 * by the timeout (facts §4: 3 s = 750 jiffies is level 2, 8^2 = 64 jiffies
 * a step; 2 s = 500 jiffies level 1, 8 a step):
 *   keep-alive timer armed at jiffy 0 for 750: ((750 >> 6) + 1) << 6 = 768
 *   probe 1 at 768 (3.072 s), re-armed for 500: (1268 >> 3) + 1 = 159 -> 1272
 *   probe 2 at 1272 (5.088 s) -> 1776; probe 3 at 7.104 s -> 2280;
 *   probe 4 at 9.120 s -> 2784: give-up at 11.136 s, where the kernel gives
 *   up no earlier than 11 s (facts §4: 3 + 4 x 2). */
static void test_linux_wheel(void) {
  fixture f;
  const char *sets[] = {"hz=250", "uptime=300s", NULL};
  fixture_init(&f, "linux", sets);
  fixture_opt(&f, KA_OPT_TCP_KEEPIDLE, 3);
  fixture_opt(&f, KA_OPT_TCP_KEEPINTVL, 2);
  fixture_opt(&f, KA_OPT_TCP_KEEPCNT, 4);
  g_assert_cmpuint(f.cfg.jiffies.hz, ==, 250);
  ka_conn c;
  ka_conn_init(&c, NULL, &f.cfg, 0);
  timeline tl;
  run_silent(&c, NULL, KA_S(100), &tl);
  const ka_time want[] = {KA_MS(3072), KA_MS(5088), KA_MS(7104), KA_MS(9120)};
  g_assert_cmpuint(tl.probes, ==, 4);
  for (unsigned i = 0; i < 4; i++)
    g_assert_cmpint(tl.probe_at[i], ==, want[i]);
  g_assert_cmpint(tl.giveup_at, ==, KA_MS(11136));

  /* An answered probe: the timer due at probe + interval fires, finds the
   * idle time short and re-arms for the rest, each step on the wheel.
   * Probe 1 at jiffy 768 is answered at jiffy 800 (3.2 s); the timer fires
   * at 1272 (idle 472 jiffies < 750), re-arms for 278 (level 1): expires
   * 1550 -> ((1550 >> 3) + 1) << 3 = 1552, where the idle time is 752:
   * a probe at 6.208 s.  Without the wheel it would come at 3.2 + 3 s. */
  ka_conn_init(&c, NULL, &f.cfg, 0);
  ka_action a;
  g_assert_true(ka_conn_poll(&c, NULL, ka_conn_poll_at(&c, NULL), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
  ka_conn_on_receive(&c, KA_MS(3200));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_MS(5088));
  g_assert_false(ka_conn_poll(&c, NULL, KA_MS(5088), &a));
  g_assert_cmpint(ka_conn_poll_at(&c, NULL), ==, KA_MS(6208));
  g_assert_true(ka_conn_poll(&c, NULL, KA_MS(6208), &a));
  g_assert_cmpint(a.kind, ==, KA_ACTION_PROBE);
  fixture_clear(&f);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/conn/linux-packetdrill", test_linux_packetdrill);
  g_test_add_func("/conn/seg-acceptable", test_seg_acceptable);
  g_test_add_func("/conn/linux-wheel", test_linux_wheel);
  g_test_add_func("/conn/vista-defaults", test_vista_defaults);
  g_test_add_func("/conn/xp-counts", test_xp_counts);
  g_test_add_func("/conn/xp-zero-never-probes", test_xp_zero_never_probes);
  g_test_add_func("/conn/bsd-time-based", test_bsd_time_based);
  g_test_add_func("/conn/answered-probe-restarts", test_answered_probe_restarts);
  g_test_add_func("/conn/answer-keeps-long-interval", test_answer_keeps_long_interval);
  g_test_add_func("/conn/answer-with-data-stays-lazy", test_answer_with_data_stays_lazy);
  g_test_add_func("/conn/linux-user-timeout-keepalive", test_linux_user_timeout_keepalive);
  g_test_add_func("/conn/linux-retransmission-giveup", test_linux_retransmission_giveup);
  g_test_add_func("/conn/windows-retransmission-giveup", test_windows_retransmission_giveup);
  g_test_add_func("/conn/ack-returns-to-keepalive", test_ack_returns_to_keepalive);
  g_test_add_func("/conn/rst-reply", test_rst_reply);
  g_test_add_func("/conn/enable-later-arms-from-now", test_enable_later_arms_from_now);
  return g_test_run();
}
