/* ka_conn.c - keep-alive and retransmission decisions for one connection.
 *
 * The keep-alive half follows Linux's tcp_keepalive_timer() (counting
 * profiles: Linux and Windows) and FreeBSD's/XNU's tcp_timer_keep()
 * (time-based profiles).  The retransmission half follows
 * tcp_write_timeout()/retransmits_timed_out() on Linux, TCP_MAXRXTSHIFT
 * with tcp_backoff[] on the BSDs, and KB170359's doubling on Windows.
 */
#include "kasim/ka_conn.h"

#include "kasim/ka_error.h"
#include "kasim/ka_options.h"

const char *ka_close_reason_name(ka_close_reason r) {
  switch (r) {
  case KA_CLOSE_KEEPALIVE_TIMEOUT: return "keepalive_timeout";
  case KA_CLOSE_RETRANSMISSION_TIMEOUT: return "retransmission_timeout";
  case KA_CLOSE_USER_TIMEOUT: return "user_timeout";
  case KA_CLOSE_RESET_BY_PEER: return "reset_by_peer";
  default: return NULL;
  }
}

/* Saturating: FreeBSD's keepcnt is a full u_int, so keepcnt x keepintvl
 * can pass int64 nanoseconds; a deadline past 292 years is "never". */
static ka_time sat_add(ka_time a, ka_time b) {
  return a > KA_TIME_NEVER - b ? KA_TIME_NEVER : a + b;
}
static ka_time sat_mul(ka_time a, uint32_t n) {
  return n != 0 && a > KA_TIME_NEVER / n ? KA_TIME_NEVER : a * n;
}

static bool armed_keepalive(const ka_cfg *cfg) { return cfg->enabled && !cfg->never_probes; }

/* Timers fire late on Linux (ka_jiffies.h); hz 0 means exactly when due. */
static bool on_wheel(const ka_cfg *cfg) { return cfg->jiffies.hz != 0; }

/* When a timer armed at `now` for `delay` fires: then, or on a Linux host
 * when its timer wheel runs it, the delay in jiffies rounded up as
 * msecs_to_jiffies and usecs_to_jiffies round. */
static ka_time arm(const ka_cfg *cfg, ka_time now, ka_time delay) {
  if (!on_wheel(cfg) || delay >= KA_TIME_NEVER - now)
    return sat_add(now, delay);
  return ka_jiffies_timer(&cfg->jiffies, now, ka_jiffies_from(cfg->jiffies.hz, delay));
}

/* Linux's keepalive_time_elapsed(): the idle time in whole jiffies. */
static uint64_t idle_jiffies(const ka_conn *c, ka_time now) {
  const ka_jiffies *j = &c->cfg->jiffies;
  return ka_jiffies_at(j, now) - ka_jiffies_at(j, c->last_rx);
}

/* The keep-alive timer re-armed for what is left of the idle time, at
 * least nothing: on the wheel from the idle jiffies, as
 * tcp_keepalive_timer and do_tcp_setsockopt compute it. */
static ka_time rearm_idle(const ka_conn *c, ka_time now) {
  const ka_cfg *cfg = c->cfg;
  if (!on_wheel(cfg)) {
    ka_time due = sat_add(c->last_rx, cfg->idle);
    return due > now ? due : now;
  }
  uint64_t idle = ka_jiffies_from(cfg->jiffies.hz, cfg->idle), el = idle_jiffies(c, now);
  return ka_jiffies_timer(&cfg->jiffies, now, idle > el ? idle - el : 0);
}

void ka_conn_init(ka_conn *c, ka_rtx *r, const ka_cfg *cfg, ka_time now) {
  *c = (ka_conn){
    .cfg = cfg,
    .last_rx = now,
    /* tcp_finish_connect: a full idle period from establishment. */
    .ka_at = armed_keepalive(cfg) ? arm(cfg, now, cfg->idle) : KA_TIME_NEVER,
  };
  if (r != NULL)
    *r = (ka_rtx){.rtx_at = KA_TIME_NEVER, .rtx_start = KA_TIME_NEVER};
}

void ka_conn_set_cfg(ka_conn *c, const ka_cfg *cfg, ka_time now) {
  const ka_cfg *old = c->cfg;
  c->cfg = cfg;
  if (ka_conn_is_closed(c))
    return;
  if (!armed_keepalive(cfg)) {
    c->ka_at = KA_TIME_NEVER;
    c->probes_out = 0;
  } else if (!armed_keepalive(old)) {
    /* SO_KEEPALIVE switched on: sock_setsockopt arms keepalive_time_when
     * from now, not from the last receive. */
    c->ka_at = arm(cfg, now, cfg->idle);
  } else if (old->idle != cfg->idle) {
    /* TCP_KEEPIDLE on a live socket re-arms relative to the last receive
     * (do_tcp_setsockopt -> keepalive_time_elapsed). */
    c->ka_at = rearm_idle(c, now);
  }
}

void ka_conn_on_receive(ka_conn *c, ka_time now) {
  /* Only a store: the lazy timer notices when it fires (see ka_conn.h). */
  c->last_rx = now;
  if (c->probes_out == 0)
    return;
  c->probes_out = 0;
  /* On the wheel the re-check is a firing of its own, late by its own
   * rounding: it must happen as on the kernel. */
  if (on_wheel(c->cfg))
    return;
  /* The answer to a probe (or any segment while probing): the timer, due
   * at probe + intvl, would fire only to find elapsed < idle and move to
   * last_rx + idle.  Move it there now and save that event; when intvl
   * reaches past that (intvl >= idle), the firing is a real check and
   * stays.  Not with data in flight: that re-check pushes the timer a
   * full idle period from when it fires, which must stay as it was. */
  if (!c->outstanding) {
    ka_time due = sat_add(now, c->cfg->idle);
    if (due > c->ka_at)
      c->ka_at = due;
  }
}

/* The retransmission clock starts (again) at `now` for the oldest
 * unacknowledged data. */
static void rtx_start(const ka_conn *c, ka_rtx *r, ka_time now, ka_time rto) {
  r->rtx_start = now;
  r->rto_base = rto;
  r->retrans = 0;
  r->rtx_at = arm(c->cfg, now, rto);
}

/* The RTO running after `retrans` backoffs: doubled each time, capped at
 * max (the old per-connection `rto = rto > max / 2 ? max : rto * 2`,
 * which after k >= 1 steps is min(rto_base * 2^k, max)), and rto_base
 * itself before the first. */
static ka_time rtx_rto(const ka_rtx *r, ka_time max) {
  unsigned k = r->retrans;
  if (k == 0)
    return r->rto_base;
  if (k >= 63) /* 2^k overflows: max, unless the base is 0 */
    return r->rto_base > 0 ? max : 0;
  return r->rto_base > (max >> k) ? max : r->rto_base << k;
}

void ka_conn_on_send(ka_conn *c, ka_rtx *r, ka_time now, ka_time rto) {
  if (ka_conn_is_closed(c) || c->outstanding)
    return;
  c->outstanding = 1;
  rtx_start(c, r, now, rto);
}

void ka_conn_on_ack(ka_conn *c, ka_rtx *r, ka_time now, bool all_acked, ka_time rto) {
  if (ka_conn_is_closed(c) || !c->outstanding)
    return;
  if (all_acked) {
    c->outstanding = 0;
    r->rtx_at = r->rtx_start = KA_TIME_NEVER;
    r->retrans = 0;
    return;
  }
  /* New data acknowledged: the backoff and the give-up clock restart from
   * the next unacknowledged segment, as tcp_clean_rtx_queue does. */
  rtx_start(c, r, now, rto);
}

static int err_keepalive_pending(const ka_profile *p) {
  /* recv page: "the connection has been broken due to keep-alive activity
   * detecting a failure while the operation was in progress". */
  return ka_profile_is_windows(p) ? KA_ENETRESET : KA_ETIMEDOUT;
}

/* After the error was reported once, Winsock keeps failing every call
 * with WSAECONNRESET (error-codes page: "subsequent operations fail with
 * WSAECONNRESET").  POSIX stacks report the error once (sock_error()
 * clears sk_err; so_error likewise on the BSDs); the socket is then shut
 * both ways, so recv() sees end of stream and send() fails with EPIPE.
 * Observed on Linux 6.18 by `kasim validate --kernel`; the reference
 * sheet's "later calls: ETIMEDOUT (sk_err)" is wrong on this point. */
static void set_later(const ka_profile *p, ka_action *out) {
  if (ka_profile_is_windows(p)) {
    out->err_later = KA_ECONNRESET;
  } else {
    out->err_later = KA_EPIPE;
    out->later_recv_eof = true;
  }
}

static void close_with(ka_conn *c, ka_rtx *r, ka_close_reason reason, ka_action *out) {
  const ka_profile *p = c->cfg->profile;
  c->reason = (uint8_t)(KA_CONN_CLOSED_ | reason);
  c->ka_at = KA_TIME_NEVER;
  if (r != NULL)
    r->rtx_at = KA_TIME_NEVER;
  *out = (ka_action){.kind = KA_ACTION_GIVE_UP, .reason = reason};
  switch (reason) {
  case KA_CLOSE_KEEPALIVE_TIMEOUT:
    out->send_rst = ka_profile_rst_at_keepalive_giveup(p);
    out->err_pending = err_keepalive_pending(p);
    break;
  case KA_CLOSE_USER_TIMEOUT:
    /* Linux only: the keep-alive path sends its RST; the retransmission
     * path does not (tcp_write_err). */
    out->send_rst = c->outstanding ? false : ka_profile_rst_at_keepalive_giveup(p);
    out->err_pending = KA_ETIMEDOUT;
    break;
  case KA_CLOSE_RETRANSMISSION_TIMEOUT:
    /* Winsock: WSAETIMEDOUT, "established connection failed because
     * connected host has failed to respond" (error-codes page). */
    out->send_rst = ka_profile_rst_at_retransmission_giveup(p);
    out->err_pending = KA_ETIMEDOUT;
    break;
  case KA_CLOSE_RESET_BY_PEER: out->err_pending = KA_ECONNRESET; break;
  default: break;
  }
  set_later(p, out);
}

void ka_conn_on_rst(ka_conn *c, ka_rtx *r, ka_time now, ka_action *out) {
  (void)now;
  if (ka_conn_is_closed(c)) {
    *out = (ka_action){.kind = KA_ACTION_NONE};
    return;
  }
  close_with(c, r, KA_CLOSE_RESET_BY_PEER, out);
}

/* tcp_model_timeout(): the time the retransmissions of `boundary` backoffs
 * take when the RTO starts at rto_base, capped at TCP_RTO_MAX.  With the
 * defaults (15, 200 ms) this is 924.6 s (ip-sysctl). */
static ka_time linux_model_timeout(unsigned boundary, ka_time rto_base) {
  unsigned thresh = 0;
  while ((rto_base << (thresh + 1)) <= KA_LINUX_RTO_MAX)
    thresh++;
  if (boundary <= thresh)
    return (((ka_time)2 << boundary) - 1) * rto_base;
  return (((ka_time)2 << thresh) - 1) * rto_base + (ka_time)(boundary - thresh) * KA_LINUX_RTO_MAX;
}

static bool retransmission_expired(const ka_conn *c, const ka_rtx *r, ka_time now,
                                   ka_close_reason *why) {
  const ka_cfg *cfg = c->cfg;
  switch (ka_profile_family(cfg->profile)) {
  case KA_FAMILY_LINUX:
    /* retransmits_timed_out(): never before the first retransmission;
     * then by elapsed time, against TCP_USER_TIMEOUT when set. */
    if (r->retrans == 0)
      return false;
    if (cfg->user_timeout > 0) {
      *why = KA_CLOSE_USER_TIMEOUT;
      return now - r->rtx_start >= cfg->user_timeout;
    }
    *why = KA_CLOSE_RETRANSMISSION_TIMEOUT;
    return now - r->rtx_start >= linux_model_timeout(cfg->max_retrans, KA_LINUX_RTO_MIN);
  default:
    /* Windows (KB170359) and the BSDs (TCP_MAXRXTSHIFT): a count. */
    *why = KA_CLOSE_RETRANSMISSION_TIMEOUT;
    return r->retrans >= cfg->max_retrans;
  }
}

static bool poll_retransmit(ka_conn *c, ka_rtx *r, ka_time now, ka_action *out) {
  ka_close_reason why;
  if (retransmission_expired(c, r, now, &why)) {
    close_with(c, r, why, out);
    return true;
  }
  r->retrans++;
  ka_time rto = rtx_rto(r, ka_profile_rto_max(c->cfg->profile));
  r->rtx_at = arm(c->cfg, now, rto);
  *out = (ka_action){.kind = KA_ACTION_RETRANSMIT, .ordinal = r->retrans, .next_rto = rto};
  return true;
}

static void send_probe(ka_conn *c, ka_time now, ka_action *out) {
  c->probes_out++;
  c->ka_at = arm(c->cfg, now, c->cfg->intvl);
  *out = (ka_action){
    .kind = KA_ACTION_PROBE,
    .seq_offset = -1, /* SND.NXT - 1: RFC 1122 4.2.3.6 */
    .payload = ka_profile_probe_payload(c->cfg->profile),
    .ordinal = c->probes_out,
  };
}

static bool poll_keepalive(ka_conn *c, ka_rtx *r, ka_time now, ka_action *out) {
  const ka_cfg *cfg = c->cfg;
  if (c->outstanding) {
    /* RFC 9293 3.8.4 and tcp_keepalive_timer: no probe while data is in
     * flight; the retransmission timer decides.  Look again a full idle
     * period later. */
    c->ka_at = arm(cfg, now, cfg->idle);
    return false;
  }
  ka_time elapsed = now - c->last_rx;
  if (on_wheel(cfg) ? idle_jiffies(c, now) < ka_jiffies_from(cfg->jiffies.hz, cfg->idle)
                    : elapsed < cfg->idle) {
    c->ka_at = rearm_idle(c, now);
    return false;
  }
  if (ka_profile_giveup_rule(cfg->profile) == KA_GIVEUP_TIME) {
    /* tcp_timer_keep: drop once idle >= keepidle + keepcnt * keepintvl. */
    if (elapsed >= sat_add(cfg->idle, sat_mul(cfg->intvl, cfg->cnt))) {
      close_with(c, r, KA_CLOSE_KEEPALIVE_TIMEOUT, out);
      return true;
    }
  } else if (cfg->user_timeout > 0) {
    /* With TCP_USER_TIMEOUT, Linux ignores the count: it aborts once the
     * idle time reaches the user timeout and a probe went unanswered. */
    bool over = on_wheel(cfg)
                  ? idle_jiffies(c, now) >= ka_jiffies_from(cfg->jiffies.hz, cfg->user_timeout)
                  : elapsed >= cfg->user_timeout;
    if (over && c->probes_out > 0) {
      close_with(c, r, KA_CLOSE_USER_TIMEOUT, out);
      return true;
    }
  } else if (c->probes_out >= cfg->cnt) {
    close_with(c, r, KA_CLOSE_KEEPALIVE_TIMEOUT, out);
    return true;
  }
  send_probe(c, now, out);
  return true;
}

bool ka_conn_poll(ka_conn *c, ka_rtx *r, ka_time now, ka_action *out) {
  *out = (ka_action){.kind = KA_ACTION_NONE};
  if (ka_conn_is_closed(c))
    return false;
  /* The retransmission timer first: when both are due, data loss is the
   * stronger signal and keep-alive would not probe anyway. */
  if (r != NULL && r->rtx_at <= now)
    return poll_retransmit(c, r, now, out);
  if (c->ka_at <= now)
    return poll_keepalive(c, r, now, out);
  return false;
}

ka_time ka_conn_wheel_slack(const ka_cfg *cfg, unsigned probes) {
  if (!on_wheel(cfg))
    return 0;
  uint32_t hz = cfg->jiffies.hz;
  ka_time lo, hi, slack;
  ka_jiffies_window(hz, ka_jiffies_from(hz, cfg->idle), &lo, &hi);
  slack = hi - lo;
  ka_jiffies_window(hz, ka_jiffies_from(hz, cfg->intvl), &lo, &hi);
  return sat_add(slack, sat_mul(hi - lo, probes));
}
