/* ks_world_tcp.c - the TCP of each endpoint and the applications above it.
 *
 * Every keep-alive and retransmission decision is ka_conn's: this file
 * moves sequence numbers, answers segments as RFC 9293 says, and arms one
 * engine timer per endpoint at ka_conn_poll_at().
 *
 * What is modelled, and what is not:
 *  - a three-way handshake (SYN, SYN-ACK, ACK) with ISNs from the
 *    connection's own random stream (ks_rng.h); a lost SYN is retransmitted after 1 s, 2 s, 4 s ... and
 *    connect() fails with ETIMEDOUT after the profile's SYN retries
 *    (ka_profile_syn_retries, ka_profile_syn_timeout); the server does
 *    not retransmit its SYN-ACK on a timer but answers the client's
 *    retransmitted SYN, and becomes established on any segment carrying
 *    the right ACK (RFC 9293 3.10.7.4, SYN-RECEIVED);
 *  - data in segments of at most KS_MSS, acknowledged immediately (no
 *    delayed ACK); out-of-order data is not queued (the receiver sends a
 *    duplicate ACK and the sender's RTO recovers it), no SACK, no
 *    congestion or flow control, no FIN: connections are not closed by
 *    their applications;
 *  - RTO per RFC 6298 (SRTT/RTTVAR, initial 1 s, 3 s after a SYN
 *    backoff, Karn's rule: no sample from a retransmitted segment) with
 *    the profile's RTO floor and ceiling (ka_profile_rto_min/max); its
 *    backoff is ka_conn's;
 *  - unacceptable segments (a keep-alive probe: SEG.SEQ = RCV.NXT-1 with
 *    0 or 1 octet) are answered with <SEQ=SND.NXT><ACK=RCV.NXT><ACK>
 *    (RFC 9293 3.10.7.4) and do not count as a receive: a probe does not
 *    reset the probed side's own keep-alive timer (Linux's
 *    tcp_validate_incoming drops it before anything is recorded); its
 *    garbage octet is not delivered;
 *  - an RST is accepted when SEG.SEQ = RCV.NXT exactly; any other RST is
 *    ignored (RFC 5961 3.2, without its challenge ACK);
 *  - a host that rebooted has no connection any more: every non-RST
 *    segment for one is answered with an RST, <SEQ=SEG.ACK><RST> or, with
 *    no ACK bit, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK> (RFC 9293
 *    3.10.7.1); a socket closed by keep-alive, retransmission or RST
 *    ignores everything (trace: DROP "closed").
 */
#include "ks_world_priv.h"

static void connect_cb(ks_timer *t, void *ctx);
static void syn_sent_cb(ks_timer *t, void *ctx);
static void listen_cb(ks_timer *t, void *ctx);
static void syn_rcvd_cb(ks_timer *t, void *ctx);
static void ep_cb(ks_timer *t, void *ctx);
static void app_cb(ks_timer *t, void *ctx);

ksw_phase ksw_ep_phase(const ks_ep *ep) {
  if (ka_conn_is_closed(&ep->kc))
    return KSW_PHASE_CLOSED;
  ks_timer_cb cb = ks_timer_get_cb(&ep->u.timer);
  if (cb == ep_cb)
    return KSW_PHASE_ESTABLISHED;
  if (cb == connect_cb)
    return KSW_PHASE_CONNECT_PENDING;
  if (cb == syn_sent_cb)
    return KSW_PHASE_SYN_SENT;
  if (cb == syn_rcvd_cb)
    return KSW_PHASE_SYN_RCVD;
  return KSW_PHASE_LISTEN;
}

/* Wrap-around comparisons of sequence numbers (RFC 1982 style). */
static inline gboolean seq_lt(guint32 a, guint32 b) { return (gint32)(a - b) < 0; }
static inline gboolean seq_le(guint32 a, guint32 b) { return (gint32)(a - b) <= 0; }

/* Everything a handler needs about one connection. */
typedef struct cx {
  ks_world *w;
  guint gi;
  ks_group *g;
  guint32 id;
  ks_conn *c;
  ks_flow *f;
  ka_time now;
} cx;

static void cx_init(cx *x, ks_world *w, guint32 id) {
  x->w = w;
  x->id = id;
  x->gi = ksw_group_of(w, id);
  x->g = &w->groups[x->gi];
  x->c = ksw_conn(w, id);
  x->f = ksw_flow(w, x->g, id);
  x->now = ks_engine_now(w->engine);
}

/* The endpoint a ks_ep timer belongs to, from its place in w->conns. */
static void cx_from_ep_timer(cx *x, ks_world *w, ks_timer *t, int *side) {
  size_t off = (size_t)((char *)t - (char *)w->conns);
  *side = off % sizeof(ks_conn) >= offsetof(ks_conn, ep) + sizeof(ks_ep) ? KSW_SERVER : KSW_CLIENT;
  cx_init(x, w, ksw_conn_id(w, &w->conns[off / sizeof(ks_conn)]));
}

static guint32 snd_nxt(const cx *x, int side) {
  return x->f ? x->f->snd_nxt[side] : x->c->seq[side];
}
static guint32 rcv_nxt(const cx *x, int side) {
  return x->f ? x->f->rcv_nxt[side] : x->c->seq[!side];
}

guint32 ksw_snd_nxt(const ks_world *w, guint gi, guint32 id, int side) {
  const ks_flow *f = ksw_flow(w, &w->groups[gi], id);
  return f ? f->snd_nxt[side] : ksw_conn(w, id)->seq[side];
}

/* An endpoint's retransmission state: only connections with traffic have
 * one (see ks_ep); NULL tells ka_conn that this one never sends data. */
static ka_rtx *rtx_of(const cx *x, int side) { return x->f ? &x->f->rtx[side] : NULL; }

static const ka_profile *profile_of(const cx *x, int side) {
  return x->w->net->hosts[x->g->host[side]].profile;
}

static void tx(const cx *x, int side, guint8 flags, guint8 kind, guint32 seq, guint32 ack,
               guint32 len) {
  ksw_send(x->w, x->gi, x->id, side, flags, kind, seq, ack, len);
}

/* --- RFC 6298. ---------------------------------------------------------- */

static ka_time rto_of(const cx *x, int side) {
  const ka_profile *p = profile_of(x, side);
  ka_time lo = ka_profile_rto_min(p), hi = ka_profile_rto_max(p), r;
  const ks_flow *f = x->f;
  if (f == NULL || !(f->rflags[side] & KSW_RTT_SAMPLED)) {
    /* 2.1 (and 5.7 after a SYN backoff), before any RTT sample. */
    r = f != NULL && (f->rflags[side] & KSW_RTT_SYN_BACKOFF) ? KS_RTO_AFTER_SYN_BACKOFF
                                                             : KA_RTO_INITIAL;
  } else {
    /* 2.3: RTO = SRTT + max(G, K*RTTVAR), K = 4. */
    ka_time k = 4 * f->rttvar[side];
    r = f->srtt[side] + (k > KS_CLOCK_G ? k : KS_CLOCK_G);
  }
  if (r < lo) /* 2.4 */
    r = lo;
  if (r > hi) /* 2.5 */
    r = hi;
  return r;
}

static void rtt_sample(ks_flow *f, int side, ka_time r) {
  if (!(f->rflags[side] & KSW_RTT_SAMPLED)) { /* 2.2 */
    f->srtt[side] = r;
    f->rttvar[side] = r / 2;
    f->rflags[side] |= KSW_RTT_SAMPLED;
  } else { /* 2.3, alpha = 1/8, beta = 1/4, RTTVAR first */
    ka_time d = f->srtt[side] > r ? f->srtt[side] - r : r - f->srtt[side];
    f->rttvar[side] = (3 * f->rttvar[side] + d) / 4;
    f->srtt[side] = (7 * f->srtt[side] + r) / 8;
  }
}

/* --- Endpoint timer and closing. ---------------------------------------- */

/* Arms the endpoint's timer at ka_conn_poll_at(), touching the wheel only
 * when that time changed. */
static void rearm(const cx *x, int side) {
  ks_ep *ep = &x->c->ep[side];
  if (ka_conn_is_closed(&ep->kc))
    return;
  ks_timer *t = &ep->u.timer;
  ka_time at = ka_conn_poll_at(&ep->kc, rtx_of(x, side));
  if (at == KA_TIME_NEVER) {
    ks_engine_cancel(x->w->engine, t);
    return;
  }
  if (ks_timer_is_armed(t) && ks_timer_expires(t) == at)
    return;
  ks_engine_at(x->w->engine, t, at);
}

static void close_ep(const cx *x, int side, ka_close_reason reason, int err, guint8 flags) {
  ks_ep *ep = &x->c->ep[side];
  if (!ka_conn_is_closed(&ep->kc)) {
    /* Closed from outside ka_conn (reboot, failed handshake): close the
     * model's state too, so that ka_conn_is_closed() tells the union. */
    ka_action ignored;
    if (ks_timer_get_cb(&ep->u.timer) == syn_sent_cb)
      x->c->probes_answered = 0; /* it counted SYN retransmissions */
    if (ks_timer_get_cb(&ep->u.timer) != ep_cb) {
      flags |= KSW_DEAD_NEVER_ESTABLISHED;
      ka_conn_init(&ep->kc, rtx_of(x, side), &x->g->cfg[side], x->now);
    }
    ka_conn_on_rst(&ep->kc, rtx_of(x, side), x->now, &ignored);
  }
  ks_engine_cancel(x->w->engine, &ep->u.timer);
  ep->u.dead = (ks_dead){.closed_at = x->now,
                         .reason = (guint8)reason,
                         .err = (gint8)err,
                         .flags = flags};
  if (side == KSW_CLIENT && x->f != NULL)
    ks_engine_cancel(x->w->engine, &x->f->app);
  ksw_trace(x->w, KS_TRACE_CLOSE, NULL, x->g->host[side],
            (flags & KSW_DEAD_LOST) ? "host_rebooted" : ka_close_reason_name(reason),
            err != 0 ? ka_profile_errname(profile_of(x, side), err) : NULL, x->id);
}

static void establish(const cx *x, int side) {
  ks_ep *ep = &x->c->ep[side];
  ks_engine_cancel(x->w->engine, &ep->u.timer);
  ka_conn_init(&ep->kc, rtx_of(x, side), &x->g->cfg[side], x->now);
  ks_timer_set_cb(&ep->u.timer, ep_cb);
}

/* --- Applications. ------------------------------------------------------ */

static void app_write(const cx *x, int side, guint64 bytes) {
  ks_flow *f = x->f;
  ka_conn *kc = &x->c->ep[side].kc;
  while (bytes > 0) {
    guint32 len = bytes > KS_MSS ? KS_MSS : (guint32)bytes;
    guint32 seq = f->snd_nxt[side];
    f->snd_nxt[side] += len;
    bytes -= len;
    if (f->rtt_sent[side] == KA_TIME_NEVER) {
      f->rtt_sent[side] = x->now;
      f->rtt_seq[side] = seq + len;
    }
    ka_conn_on_send(kc, &f->rtx[side], x->now, rto_of(x, side));
    tx(x, side, KS_TCP_ACK | (bytes == 0 ? KS_TCP_PSH : 0), KS_SEG_DATA, seq, f->rcv_nxt[side],
       len);
  }
  rearm(x, side);
}

static gboolean client_app_may_write(const cx *x) {
  const ks_net_host *h = &x->w->net->hosts[x->g->host[KSW_CLIENT]];
  return !h->crashed && !h->hung && x->now < x->g->stop &&
         ksw_ep_phase(&x->c->ep[KSW_CLIENT]) == KSW_PHASE_ESTABLISHED;
}

/* The client application: PERIODIC writes a request every period; BULK
 * starts its chain of writes (continued from process_ack). */
static void app_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  ks_flow *f = ks_container_of(t, ks_flow, app);
  cx x;
  cx_init(&x, ksw_current, f->conn);
  if (!client_app_may_write(&x))
    return;
  if (x.g->traffic == KS_TRAFFIC_PERIODIC) {
    if (x.g->req > 0)
      app_write(&x, KSW_CLIENT, x.g->req);
    if (x.g->period > 0)
      ks_engine_at(x.w->engine, t, x.now + x.g->period);
  } else if (x.g->traffic == KS_TRAFFIC_BULK) {
    if (x.g->req > 0 && f->snd_una[KSW_CLIENT] == f->snd_nxt[KSW_CLIENT])
      app_write(&x, KSW_CLIENT, x.g->req);
  }
}

/* PERIODIC server: one response per complete request, unless hung.  The
 * counts come from the sequence numbers: requests received in order since
 * the client's ISN+1, responses written since the server's.  Returns TRUE
 * when a response went out (it carries the ACK). */
static gboolean server_respond(const cx *x) {
  const ks_group *g = x->g;
  if (g->traffic != KS_TRAFFIC_PERIODIC || g->req == 0 || g->resp == 0 ||
      x->w->net->hosts[g->host[KSW_SERVER]].hung)
    return FALSE;
  guint32 got = x->f->rcv_nxt[KSW_SERVER] - x->c->seq[KSW_CLIENT];
  guint32 written = x->f->snd_nxt[KSW_SERVER] - x->c->seq[KSW_SERVER];
  guint32 requests = got / g->req, responses = written / g->resp;
  if (requests <= responses)
    return FALSE;
  app_write(x, KSW_SERVER, (guint64)(requests - responses) * g->resp);
  return TRUE;
}

/* --- Segment arrival. --------------------------------------------------- */

static void process_ack(const cx *x, int side, guint32 ack) {
  ks_flow *f = x->f;
  if (!(seq_lt(f->snd_una[side], ack) && seq_le(ack, f->snd_nxt[side])))
    return;
  f->snd_una[side] = ack;
  if (f->rtt_sent[side] != KA_TIME_NEVER && seq_le(f->rtt_seq[side], ack)) {
    rtt_sample(f, side, x->now - f->rtt_sent[side]);
    f->rtt_sent[side] = KA_TIME_NEVER;
  }
  gboolean all = ack == f->snd_nxt[side];
  ka_conn_on_ack(&x->c->ep[side].kc, &f->rtx[side], x->now, all, rto_of(x, side));
  if (all && side == KSW_CLIENT && x->g->traffic == KS_TRAFFIC_BULK && x->g->req > 0 &&
      client_app_may_write(x))
    app_write(x, KSW_CLIENT, x->g->req);
}

static void established_input(const cx *x, int side, const ks_segment *seg) {
  ks_ep *ep = &x->c->ep[side];
  guint32 rcv = rcv_nxt(x, side);

  if (seg->flags & KS_TCP_RST) {
    if (seg->seq == rcv) {
      ka_action a;
      ka_conn_on_rst(&ep->kc, rtx_of(x, side), x->now, &a);
      close_ep(x, side, a.reason, a.err_pending, 0);
    }
    return;
  }
  if (!ka_conn_seg_acceptable(seg->seq, seg->len, rcv, KS_WINDOW) || (seg->flags & KS_TCP_SYN)) {
    /* A keep-alive probe, an old duplicate, or a SYN (RFC 5961 4's
     * challenge ACK, which has the same form). */
    gboolean probe = ka_conn_seg_is_probe(seg->seq, seg->len, rcv) &&
                     !(seg->flags & (KS_TCP_SYN | KS_TCP_FIN | KS_TCP_RST));
    tx(x, side, KS_TCP_ACK, probe ? KS_SEG_KEEPALIVE_ACK : KS_SEG_ACK, snd_nxt(x, side), rcv, 0);
    return;
  }
  ka_conn_on_receive(&ep->kc, x->now);
  if (seg->kind == KS_SEG_KEEPALIVE_ACK && side == x->g->result_side)
    x->c->probes_answered++;
  if (x->f == NULL) { /* IDLE: no data, nothing to acknowledge */
    rearm(x, side);
    return;
  }
  if (seg->flags & KS_TCP_ACK)
    process_ack(x, side, seg->ack);
  if (seg->len > 0) {
    ks_flow *f = x->f;
    guint32 end = seg->seq + seg->len;
    /* In order (possibly overlapping what we have): take the new part.
     * Beyond a gap: not queued, the ACK below is a duplicate. */
    if (seq_le(seg->seq, f->rcv_nxt[side]) && seq_lt(f->rcv_nxt[side], end))
      f->rcv_nxt[side] = end;
    if (side == KSW_CLIENT || !server_respond(x))
      tx(x, side, KS_TCP_ACK, KS_SEG_ACK, f->snd_nxt[side], f->rcv_nxt[side], 0);
  }
  rearm(x, side);
}

/* No connection here (a rebooted host, a client that has not connected):
 * RFC 9293 3.10.7.1. */
static void reset_unknown(const cx *x, int side, const ks_segment *seg) {
  if (seg->flags & KS_TCP_RST)
    return;
  if (seg->flags & KS_TCP_ACK)
    tx(x, side, KS_TCP_RST, KS_SEG_RST, seg->ack, 0, 0);
  else
    tx(x, side, KS_TCP_RST | KS_TCP_ACK, KS_SEG_RST, 0,
       seg->seq + seg->len + ((seg->flags & KS_TCP_SYN) ? 1 : 0), 0);
}

static void listen_input(const cx *x, const ks_segment *seg) {
  guint32 isn = ks_rng_u32(x->w->rng_key, x->id, KS_RNG_ISN_SERVER);
  x->c->seq[KSW_SERVER] = isn + 1;
  if (x->f != NULL) {
    ks_flow *f = x->f;
    f->snd_una[KSW_SERVER] = f->snd_nxt[KSW_SERVER] = isn + 1;
    f->rcv_nxt[KSW_SERVER] = seg->seq + 1;
    f->rtt_sent[KSW_SERVER] = x->now;
    f->rtt_seq[KSW_SERVER] = isn + 1;
  }
  /* (IDLE: the server's RCV.NXT is the client's seq, ISN+1, already.) */
  ks_timer_set_cb(&x->c->ep[KSW_SERVER].u.timer, syn_rcvd_cb);
  tx(x, KSW_SERVER, KS_TCP_SYN | KS_TCP_ACK, KS_SEG_HANDSHAKE, isn, seg->seq + 1, 0);
}

static void syn_rcvd_input(const cx *x, const ks_segment *seg) {
  if (seg->flags & KS_TCP_RST) {
    if (seg->seq == rcv_nxt(x, KSW_SERVER))
      close_ep(x, KSW_SERVER, KA_CLOSE_RESET_BY_PEER, KA_ECONNRESET, 0);
    return;
  }
  if (seg->flags & KS_TCP_SYN) { /* our SYN-ACK was lost: send it again */
    if (x->f != NULL) {
      x->f->rtt_sent[KSW_SERVER] = KA_TIME_NEVER; /* Karn */
      x->f->rflags[KSW_SERVER] |= KSW_RTT_SYN_BACKOFF;
    }
    tx(x, KSW_SERVER, KS_TCP_SYN | KS_TCP_ACK, KS_SEG_HANDSHAKE, x->c->seq[KSW_SERVER] - 1,
       rcv_nxt(x, KSW_SERVER), 0);
    return;
  }
  if (!(seg->flags & KS_TCP_ACK) || seg->ack != x->c->seq[KSW_SERVER])
    return; /* not modelled: RFC 9293 would answer a bad ACK with an RST */
  if (x->f != NULL && x->f->rtt_sent[KSW_SERVER] != KA_TIME_NEVER) {
    rtt_sample(x->f, KSW_SERVER, x->now - x->f->rtt_sent[KSW_SERVER]);
    x->f->rtt_sent[KSW_SERVER] = KA_TIME_NEVER;
  }
  establish(x, KSW_SERVER);
  established_input(x, KSW_SERVER, seg); /* the ACK may carry data or be a probe */
}

static void syn_sent_input(const cx *x, const ks_segment *seg) {
  ks_conn *c = x->c;
  if (seg->flags & KS_TCP_RST) { /* refused */
    if ((seg->flags & KS_TCP_ACK) && seg->ack == c->seq[KSW_CLIENT])
      close_ep(x, KSW_CLIENT, KA_CLOSE_RESET_BY_PEER, KA_ECONNRESET, 0);
    return;
  }
  if ((seg->flags & (KS_TCP_SYN | KS_TCP_ACK)) != (KS_TCP_SYN | KS_TCP_ACK) ||
      seg->ack != c->seq[KSW_CLIENT])
    return; /* simultaneous open and bad ACKs are not modelled */
  gboolean backoff = c->probes_answered > 0;
  c->probes_answered = 0; /* it counted SYN retransmissions */
  if (x->f != NULL) {
    ks_flow *f = x->f;
    f->rcv_nxt[KSW_CLIENT] = seg->seq + 1;
    if (backoff)
      f->rflags[KSW_CLIENT] |= KSW_RTT_SYN_BACKOFF;
    else if (f->rtt_sent[KSW_CLIENT] != KA_TIME_NEVER)
      rtt_sample(f, KSW_CLIENT, x->now - f->rtt_sent[KSW_CLIENT]);
    f->rtt_sent[KSW_CLIENT] = KA_TIME_NEVER;
  }
  /* (IDLE: the client's RCV.NXT is the server's seq, set with its ISN.) */
  establish(x, KSW_CLIENT);
  tx(x, KSW_CLIENT, KS_TCP_ACK, KS_SEG_HANDSHAKE, snd_nxt(x, KSW_CLIENT), rcv_nxt(x, KSW_CLIENT),
     0);
  rearm(x, KSW_CLIENT);
  if (x->f != NULL && x->g->traffic != KS_TRAFFIC_IDLE)
    ks_engine_at(x->w->engine, &x->f->app, x->g->start > x->now ? x->g->start : x->now);
}

void ksw_arrive(ks_world *w, guint gi, const ks_segment *seg) {
  cx x;
  cx_init(&x, w, seg->conn);
  (void)gi;
  int side = seg->from_client ? KSW_SERVER : KSW_CLIENT;
  ks_ep *ep = &x.c->ep[side];
  guint host = x.g->host[side];
  guint last_link = x.g->hops[side == KSW_CLIENT ? 0 : x.g->n_hops - 1].link;

  switch (ksw_ep_phase(ep)) {
  case KSW_PHASE_CLOSED:
    if (ep->u.dead.flags & KSW_DEAD_LOST) {
      ksw_trace(w, KS_TRACE_DROP, seg, host, "no_state", NULL, last_link);
      reset_unknown(&x, side, seg);
    } else {
      ksw_trace(w, KS_TRACE_DROP, seg, host, "closed", NULL, last_link);
    }
    return;
  case KSW_PHASE_CONNECT_PENDING:
    ksw_trace(w, KS_TRACE_DROP, seg, host, "no_state", NULL, last_link);
    reset_unknown(&x, side, seg);
    return;
  case KSW_PHASE_LISTEN:
    if ((seg->flags & (KS_TCP_SYN | KS_TCP_ACK | KS_TCP_RST)) != KS_TCP_SYN) {
      ksw_trace(w, KS_TRACE_DROP, seg, host, "no_state", NULL, last_link);
      reset_unknown(&x, side, seg);
      return;
    }
    ksw_trace(w, KS_TRACE_DELIVER, seg, host, NULL, NULL, last_link);
    listen_input(&x, seg);
    return;
  case KSW_PHASE_SYN_SENT:
    ksw_trace(w, KS_TRACE_DELIVER, seg, host, NULL, NULL, last_link);
    syn_sent_input(&x, seg);
    return;
  case KSW_PHASE_SYN_RCVD:
    ksw_trace(w, KS_TRACE_DELIVER, seg, host, NULL, NULL, last_link);
    syn_rcvd_input(&x, seg);
    return;
  case KSW_PHASE_ESTABLISHED:
    ksw_trace(w, KS_TRACE_DELIVER, seg, host, NULL, NULL, last_link);
    established_input(&x, side, seg);
    return;
  }
}

/* --- Timers. ------------------------------------------------------------ */

/* connect_at (+ spread): the client sends its SYN. */
static void connect_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  cx x;
  int side;
  cx_from_ep_timer(&x, ksw_current, t, &side);
  const ks_net_host *h = &x.w->net->hosts[x.g->host[KSW_CLIENT]];
  if (h->crashed || h->hung)
    return; /* the application never connects */
  guint32 isn = ks_rng_u32(x.w->rng_key, x.id, KS_RNG_ISN_CLIENT);
  x.c->seq[KSW_CLIENT] = isn + 1;
  if (x.f != NULL) {
    ks_flow *f = x.f;
    f->snd_una[KSW_CLIENT] = f->snd_nxt[KSW_CLIENT] = isn + 1;
    f->rtt_sent[KSW_CLIENT] = x.now;
    f->rtt_seq[KSW_CLIENT] = isn + 1;
  }
  x.c->probes_answered = 0; /* SYN retransmissions, see ks_conn */
  ks_timer_set_cb(t, syn_sent_cb);
  ks_engine_at(x.w->engine, t, x.now + ka_profile_syn_timeout(profile_of(&x, KSW_CLIENT), 0));
  tx(&x, KSW_CLIENT, KS_TCP_SYN, KS_SEG_HANDSHAKE, isn, 0, 0);
}

/* The SYN was not answered in time. */
static void syn_sent_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  cx x;
  int side;
  cx_from_ep_timer(&x, ksw_current, t, &side);
  guint host = x.g->host[KSW_CLIENT];
  if (x.w->net->hosts[host].crashed)
    return;
  guint32 n = x.c->probes_answered;
  ksw_trace(x.w, KS_TRACE_TIMER, NULL, host, "retransmission", NULL, x.id);
  const ka_profile *p = profile_of(&x, KSW_CLIENT);
  if (n >= ka_profile_syn_retries(p)) {
    close_ep(&x, KSW_CLIENT, KA_CLOSE_RETRANSMISSION_TIMEOUT, KA_ETIMEDOUT, 0);
    return;
  }
  x.c->probes_answered = n + 1;
  if (x.f != NULL)
    x.f->rtt_sent[KSW_CLIENT] = KA_TIME_NEVER; /* Karn */
  ks_engine_at(x.w->engine, t, x.now + ka_profile_syn_timeout(p, n + 1));
  tx(&x, KSW_CLIENT, KS_TCP_SYN, KS_SEG_HANDSHAKE, x.c->seq[KSW_CLIENT] - 1, 0, 0);
}

/* Phase markers: these timers are never armed. */
static void listen_cb(ks_timer *t, void *ctx) { (void)t, (void)ctx; }
static void syn_rcvd_cb(ks_timer *t, void *ctx) { (void)t, (void)ctx; }

/* An established endpoint's keep-alive or retransmission timer. */
static void ep_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  cx x;
  int side;
  cx_from_ep_timer(&x, ksw_current, t, &side);
  ks_ep *ep = &x.c->ep[side];
  ka_conn *kc = &ep->kc;
  ka_rtx *r = rtx_of(&x, side);
  guint host = x.g->host[side];
  if (x.w->net->hosts[host].crashed)
    return; /* a crashed host does nothing, ever again */

  while (ka_conn_poll_at(kc, r) <= x.now) {
    ka_action a;
    if (!ka_conn_poll(kc, r, x.now, &a)) {
      if (ka_conn_poll_at(kc, r) <= x.now)
        break; /* cannot happen with ka_conn as documented; never spin */
      continue;
    }
    switch (a.kind) {
    case KA_ACTION_PROBE:
      ksw_trace(x.w, KS_TRACE_TIMER, NULL, host, "keepalive", NULL, x.id);
      if (side == x.g->result_side)
        x.c->probes_sent++;
      tx(&x, side, KS_TCP_ACK, KS_SEG_KEEPALIVE, snd_nxt(&x, side) + (guint32)a.seq_offset,
         rcv_nxt(&x, side), a.payload);
      break;
    case KA_ACTION_RETRANSMIT:
      ksw_trace(x.w, KS_TRACE_TIMER, NULL, host, "retransmission", NULL, x.id);
      if (x.f != NULL) {
        ks_flow *f = x.f;
        guint32 out = f->snd_nxt[side] - f->snd_una[side];
        f->rtt_sent[side] = KA_TIME_NEVER; /* Karn */
        if (out > 0)
          tx(&x, side, KS_TCP_ACK | KS_TCP_PSH, KS_SEG_RETRANSMISSION, f->snd_una[side],
             f->rcv_nxt[side], out > KS_MSS ? KS_MSS : out);
      }
      break;
    case KA_ACTION_GIVE_UP: {
      gboolean rtx = a.reason == KA_CLOSE_RETRANSMISSION_TIMEOUT ||
                     (a.reason == KA_CLOSE_USER_TIMEOUT && ka_conn_has_outstanding(kc));
      ksw_trace(x.w, KS_TRACE_TIMER, NULL, host, rtx ? "retransmission" : "keepalive", NULL, x.id);
      if (a.send_rst)
        tx(&x, side, KS_TCP_RST | KS_TCP_ACK, KS_SEG_RST, snd_nxt(&x, side), rcv_nxt(&x, side), 0);
      close_ep(&x, side, a.reason, a.err_pending, 0);
      return;
    }
    case KA_ACTION_NONE: break;
    }
  }
  rearm(&x, side);
}

/* --- Reboot and set-up. ------------------------------------------------- */

void ksw_host_reboot(void *world, guint host) {
  ks_world *w = world;
  for (guint gi = 0; gi < w->n_groups; gi++) {
    const ks_group *g = &w->groups[gi];
    for (int side = 0; side < 2; side++) {
      if (g->host[side] != host)
        continue;
      for (guint32 id = ksw_owned_from(w, g->first); id - g->first < g->count; id += w->shards) {
        cx x;
        cx_init(&x, w, id);
        ks_ep *ep = &x.c->ep[side];
        switch (ksw_ep_phase(ep)) {
        case KSW_PHASE_CLOSED:
          ep->u.dead.flags |= KSW_DEAD_LOST; /* now it answers with RST */
          break;
        case KSW_PHASE_CONNECT_PENDING:
        case KSW_PHASE_LISTEN: break; /* nothing to lose yet */
        default: close_ep(&x, side, KA_CLOSE_NONE, 0, KSW_DEAD_LOST); break;
        }
      }
    }
  }
}

void ksw_conns_init(ks_world *w) {
  for (guint gi = 0; gi < w->n_groups; gi++) {
    ks_group *g = &w->groups[gi];
    for (guint32 id = ksw_owned_from(w, g->first); id - g->first < g->count; id += w->shards) {
      ks_conn *c = ksw_conn(w, id);
      ks_timer_init(&c->ep[KSW_CLIENT].u.timer);
      ks_timer_set_cb(&c->ep[KSW_CLIENT].u.timer, connect_cb);
      ks_timer_init(&c->ep[KSW_SERVER].u.timer);
      ks_timer_set_cb(&c->ep[KSW_SERVER].u.timer, listen_cb);
      ka_time at = g->connect_at;
      if (g->spread > 0) { /* uniform over [at, at + spread) */
        ka_time off = (ka_time)(ks_rng_double(w->rng_key, id, KS_RNG_SPREAD) * (double)g->spread);
        at += off < g->spread ? off : g->spread - 1;
      }
      ks_engine_at(w->engine, &c->ep[KSW_CLIENT].u.timer, at);
      ks_flow *f = ksw_flow(w, g, id);
      if (f != NULL) {
        ks_timer_init(&f->app);
        ks_timer_set_cb(&f->app, app_cb);
        f->conn = id;
        f->rtt_sent[0] = f->rtt_sent[1] = KA_TIME_NEVER;
      }
    }
  }
}
