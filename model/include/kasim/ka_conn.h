/* ka_conn.h - the keep-alive and retransmission state machine of one TCP
 * connection, sans I/O.
 *
 * In the manner of smoltcp, the caller tells the connection what happened
 * (a segment arrived, data went out, data was acknowledged) and when, then
 * asks when it next needs attention (ka_conn_poll_at) and, at that time,
 * what to do (ka_conn_poll): send a keep-alive probe, retransmit, or give
 * up with an error and possibly an RST.  Nothing here sends, reads a clock
 * or allocates.
 *
 * The keep-alive timer is lazy, like Linux's tcp_keepalive_timer and
 * FreeBSD's tcp_timer_keep: a received segment only records its time, and
 * the deadline is recomputed when the timer fires early.  So the common
 * case, a busy connection, costs a store per segment and never re-arms
 * the caller's timer.  The one exception is the first segment after a
 * probe (its answer, typically): there the deadline moves at once to
 * receive + idle, where the lazy re-check at probe + intvl would have put
 * it, so an idle connection costs one timer event per keep-alive cycle
 * instead of two.  The caller re-arms at ka_conn_poll_at() after a
 * receive, as after any other call.
 *
 * The structs are public so that an engine can embed millions of them
 * without a pointer each (libuv does the same with its handles); treat
 * every field as private.
 */
#ifndef KASIM_KA_CONN_H
#define KASIM_KA_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ka_jiffies.h"
#include "ka_profile.h"
#include "ka_time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The effective keep-alive settings of a socket: host defaults overlaid
 * with its own options.  ka_sock_cfg() builds one; several connections may
 * share one. */
typedef struct ka_cfg {
  const ka_profile *profile;
  ka_time idle;         /* idle time before the first probe */
  ka_time intvl;        /* between unanswered probes */
  ka_time user_timeout; /* Linux TCP_USER_TIMEOUT; 0 = not set */
  uint32_t cnt;         /* probes (see never_probes) */
  uint32_t max_retrans; /* data retransmissions before give-up */
  bool enabled;         /* SO_KEEPALIVE, or always_keepalive */
  bool never_probes;    /* the profile sends no probe at all with this
                           count (Windows count 0): the peer is never
                           detected by keep-alive */
  /* Linux: the host's tick clock; its keep-alive and retransmission
   * timers fire when the timer wheel runs them (ka_jiffies.h), and the
   * keep-alive timer counts idle time in jiffies.  hz 0 (every other
   * profile, or a Linux host asked for exact timers): when due. */
  ka_jiffies jiffies;
} ka_cfg;

typedef enum ka_close_reason {
  KA_CLOSE_NONE,
  KA_CLOSE_KEEPALIVE_TIMEOUT,
  KA_CLOSE_RETRANSMISSION_TIMEOUT,
  KA_CLOSE_USER_TIMEOUT,
  KA_CLOSE_RESET_BY_PEER
} ka_close_reason;

/* "keepalive_timeout", ... as in summary.json; NULL for KA_CLOSE_NONE. */
const char *ka_close_reason_name(ka_close_reason r);

typedef enum ka_action_kind {
  KA_ACTION_NONE,
  KA_ACTION_PROBE,      /* send a keep-alive probe */
  KA_ACTION_RETRANSMIT, /* retransmit the oldest unacknowledged segment */
  KA_ACTION_GIVE_UP     /* the connection is dead */
} ka_action_kind;

typedef struct ka_action {
  ka_action_kind kind;
  int seq_offset;         /* PROBE: sequence number relative to SND.NXT (-1) */
  unsigned payload;       /* PROBE: octets of garbage payload (0 or 1) */
  unsigned ordinal;       /* PROBE: 1 for the first unanswered probe;
                        RETRANSMIT: 1 for the first retransmission */
  ka_time next_rto;       /* RETRANSMIT: the backed-off timeout now running */
  bool send_rst;          /* GIVE_UP: an RST+ACK with seq=SND.NXT goes out */
  ka_close_reason reason; /* GIVE_UP */
  int err_pending;        /* GIVE_UP: KA_E* a pending recv/send fails with */
  int err_later;          /* GIVE_UP: KA_E* a later send() fails with */
  bool later_recv_eof;    /* GIVE_UP: a later recv() returns 0 (end of
                          stream) instead of failing with err_later */
} ka_action;

/* The keep-alive state of one connection: 32 bytes on LP64, so that an
 * engine can keep an idle endpoint, its timer and a few counters in one
 * 64-byte cache line (see ka_rtx for why the retransmission state is
 * elsewhere). */
typedef struct ka_conn {
  const ka_cfg *cfg;
  ka_time last_rx; /* last segment received from the peer */
  ka_time ka_at;   /* keep-alive timer, KA_TIME_NEVER if not armed */
  uint16_t probes_out;
  uint8_t outstanding; /* data is unacknowledged (see ka_rtx) */
  uint8_t reason;      /* ka_close_reason | KA_CONN_CLOSED_ once closed */
} ka_conn;

/* The retransmission state of a connection that sends data.  It is a
 * struct of its own because most connections of a large simulation are
 * idle and never use it: they pass NULL wherever a ka_rtx is taken, and
 * their ka_conn stays small.  A connection that may send passes its
 * ka_rtx to every call that takes one, from ka_conn_init on; its state
 * is only meaningful together with its ka_conn. */
typedef struct ka_rtx {
  ka_time rtx_at;    /* retransmission timer; KA_TIME_NEVER if not armed */
  ka_time rtx_start; /* first transmission of the oldest unacked data */
  ka_time rto_base;  /* RTO before backoff; the running one is derived
                        from it and `retrans` (RFC 6298 5.5's doubling) */
  uint16_t retrans;
} ka_rtx;

enum { KA_CONN_CLOSED_ = 0x80 }; /* private: in ka_conn.reason */

/* The connection is established at `now` (counts as a receive).  cfg must
 * outlive the connection.  r: its retransmission state, or NULL if it
 * will never send data (ka_conn_on_send is then not allowed). */
void ka_conn_init(ka_conn *c, ka_rtx *r, const ka_cfg *cfg, ka_time now);
/* The settings changed (setsockopt on a live connection).  As Linux does,
 * enabling keep-alive arms the timer a full idle time from now; changing
 * the idle time re-arms it relative to the last receive. */
void ka_conn_set_cfg(ka_conn *c, const ka_cfg *cfg, ka_time now);

/* Any acceptable segment from the peer, including the ACK of a probe.
 * After a probe this may move ka_conn_poll_at() (see above). */
void ka_conn_on_receive(ka_conn *c, ka_time now);
/* New data was sent; `rto` is the current retransmission timeout.  r must
 * not be NULL. */
void ka_conn_on_send(ka_conn *c, ka_rtx *r, ka_time now, ka_time rto);
/* Data was acknowledged; all_acked when nothing is outstanding any more. */
void ka_conn_on_ack(ka_conn *c, ka_rtx *r, ka_time now, bool all_acked, ka_time rto);
/* An RST arrived: the connection closes; *out says how. */
void ka_conn_on_rst(ka_conn *c, ka_rtx *r, ka_time now, ka_action *out);

/* The earliest time the connection needs ka_conn_poll, or KA_TIME_NEVER.
 * Inline, like the accessors below: an engine asks after every event. */
static inline ka_time ka_conn_poll_at(const ka_conn *c, const ka_rtx *r) {
  return r != NULL && r->rtx_at < c->ka_at ? r->rtx_at : c->ka_at;
}
/* Handles whatever is due at `now` and says what to do.  Returns false
 * (and kind NONE) when nothing is to be sent, e.g. when the lazy timer
 * merely moved.  Call again until it returns false or poll_at > now. */
bool ka_conn_poll(ka_conn *c, ka_rtx *r, ka_time now, ka_action *out);

static inline bool ka_conn_is_closed(const ka_conn *c) {
  return (c->reason & KA_CONN_CLOSED_) != 0;
}
static inline ka_close_reason ka_conn_close_reason(const ka_conn *c) {
  return (ka_close_reason)(c->reason & ~KA_CONN_CLOSED_);
}
/* Unanswered probes in the current idle period. */
static inline unsigned ka_conn_probes_out(const ka_conn *c) { return c->probes_out; }
static inline bool ka_conn_has_outstanding(const ka_conn *c) { return c->outstanding != 0; }
/* The last time a segment from the peer was received. */
static inline ka_time ka_conn_last_rx(const ka_conn *c) { return c->last_rx; }

/* How much later than the rules' arithmetic a silent peer's give-up can
 * come on a Linux host: every timer of its chain (the idle timer, then one
 * interval timer per probe) as late as the timer wheel allows
 * (ka_jiffies_window).  0 when the timers fire when due (hz 0). */
ka_time ka_conn_wheel_slack(const ka_cfg *cfg, unsigned probes);

/* How a receiver tells a probe, one rule for every stack kasim drives.
 * A keep-alive probe (RFC 1122 4.2.3.6) is a segment at SEG.SEQ =
 * RCV.NXT - 1 with no data or one garbage octet: outside the window, so
 * RFC 9293 3.10.7.4's acceptability test fails and the receiver answers
 * with an ACK <SEQ=SND.NXT><ACK=RCV.NXT>, the probe's answer.  Sequence
 * numbers wrap (RFC 9293 3.4); the caller adds its own test of the flags
 * (a probe carries no SYN, FIN or RST). */
static inline bool ka_conn_seg_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt,
                                          uint32_t rcv_wnd) {
  if (rcv_wnd == 0)
    return len == 0 && seq == rcv_nxt;
  return seq - rcv_nxt < rcv_wnd || (len > 0 && seq + len - 1 - rcv_nxt < rcv_wnd);
}
static inline bool ka_conn_seg_is_probe(uint32_t seq, uint32_t len, uint32_t rcv_nxt) {
  return len <= 1 && seq + 1 == rcv_nxt;
}

#ifdef __cplusplus
}
#endif
#endif
