/* ks_world_priv.h - the insides of ks_world, shared by ks_world.c (build,
 * timeline, results), ks_world_net.c (links, routing, middleboxes,
 * segments in flight) and ks_world_tcp.c (the TCP of each endpoint and
 * the applications).  Nothing outside sim/world/ks_world*.c includes it, except
 * the world's own test for sizeof checks.
 */
#ifndef KASIM_KS_WORLD_PRIV_H
#define KASIM_KS_WORLD_PRIV_H

#include "ks_engine.h"
#include "ks_failure.h"
#include "ks_rng.h"
#include "ks_world.h"

/* --- Constants of the simulated TCP, each with its reason. ------------- */

/* Octets a segment occupies on a link besides its payload: a 20-octet
 * IPv4 header and a 20-octet TCP header without options. */
#define KS_HDR_OCTETS 40u
/* Application writes are cut into segments of at most this much payload:
 * Ethernet's 1500-octet MTU minus the 40 header octets (RFC 879, RFC 1122
 * 4.2.2.6 with the usual Ethernet path MTU). */
#define KS_MSS 1460u
/* The window every segment advertises.  No flow control is modelled; the
 * value only serves the acceptability test of RFC 9293 3.10.7.4. */
#define KS_WINDOW 65535u
/* RFC 6298's clock granularity G.  1 ms: Linux at HZ=1000, the same
 * assumption as KA_LINUX_SYSCTL_SECS_MAX in ka_options.h. */
#define KS_CLOCK_G KA_MS(1)
/* RFC 6298 5.7: after the SYN (or SYN-ACK) had to be retransmitted and no
 * RTT sample exists, the RTO for data is 3 s. */
#define KS_RTO_AFTER_SYN_BACKOFF KA_S(3)

enum { KSW_CLIENT = 0, KSW_SERVER = 1 };

/* --- Per connection: the memory that scales with 10^7 connections. ----- */

/* What is left of an endpoint once it is closed: it never uses its timer
 * again, so the timer's octets hold this instead (see ks_ep). */
typedef struct ks_dead {
  ka_time closed_at;
  guint8 reason; /* ka_close_reason */
  gint8 err;     /* KA_E* the pending recv failed with; 0 = none */
  guint8 flags;  /* KSW_DEAD_* */
} ks_dead;

/* It must not make the union, hence every endpoint, bigger. */
_Static_assert(sizeof(ks_dead) <= sizeof(ks_timer), "ks_dead must fit in a ks_timer");

enum {
  KSW_DEAD_LOST = 1u,             /* its host rebooted: it answers with RST */
  KSW_DEAD_NEVER_ESTABLISHED = 2u /* the handshake never completed */
};

/* One end of a connection.  Which of the two union members is live is
 * told by ka_conn_is_closed(&kc): an open endpoint owns a timer, a closed
 * one a ks_dead.  The timer's callback tells the phase of an open one
 * (connect pending, SYN sent, listening, SYN received, established); see
 * ksw_ep_phase().  Its retransmission state (ka_rtx), which only a
 * connection with traffic needs, is in the group's ks_flow. */
typedef struct ks_ep {
  ka_conn kc;
  union {
    ks_timer timer;
    ks_dead dead;
  } u;
} ks_ep;

/* A connection: both endpoints, in one array for the whole world (the
 * connection id is the index).  For a group without traffic nothing else
 * exists per connection.  seq[side] is that side's ISN+1, which in an IDLE
 * connection is also its SND.UNA = SND.NXT and the peer's RCV.NXT for the
 * connection's whole life (no data, no FIN); groups with traffic keep the
 * moving sequence numbers in a ks_flow.  probes_* belong to the result
 * side's socket; while the client is in SYN-SENT (before any probe can
 * exist) probes_answered counts its SYN retransmissions.
 *
 * Layout: an idle connection's keep-alive cycle (the client's timer, its
 * ka_conn, seq and probes_*) touches only the first 64 octets, one cache
 * line, when ks_timer is 16 octets: hence seq and the counters first, then
 * the client, and the struct (and the array, see ks_world_new) aligned to
 * a line so that no connection straddles one more line than it must.  The
 * server's end, in the second line, is read once per cycle, when the
 * probe reaches it (see ksw_send's prefetch).  With a 16-octet timer the
 * alignment pads 112 octets to 128: 16 B a connection, for one cache line
 * less per keep-alive cycle (docs/performance-log.md has the figures). */
typedef struct ks_conn {
  _Alignas(64) guint32 seq[2];
  guint32 probes_sent, probes_answered;
  ks_ep ep[2]; /* KSW_CLIENT, KSW_SERVER */
  /* Loss draws made so far, the connection's place in its own random
   * stream (ks_rng.h); in the padding, so free. */
  guint32 loss_draws;
} ks_conn;

/* Per connection of a group with traffic (PERIODIC, BULK). */
typedef struct ks_flow {
  ks_timer app; /* the client application's next write */
  guint32 conn;
  guint32 snd_una[2], snd_nxt[2], rcv_nxt[2];
  guint32 rtt_seq[2];  /* the timed segment ends here (Karn's rule) */
  ka_time rtt_sent[2]; /* when it was sent; KA_TIME_NEVER: not timing */
  ka_time srtt[2], rttvar[2];
  ka_rtx rtx[2];    /* each endpoint's retransmission state */
  guint8 rflags[2]; /* KSW_RTT_* */
} ks_flow;

enum { KSW_RTT_SAMPLED = 1u, KSW_RTT_SYN_BACKOFF = 2u };

/* --- Topology. ---------------------------------------------------------- */

/* A link's transmitters: each direction is busy until the previous
 * segment is serialised. */
typedef struct ks_tx {
  ka_time busy_until[2]; /* [0]: a -> b, [1]: b -> a */
} ks_tx;

/* A middlebox's state for one connection when it resets on expiry: a lazy
 * timer as in ka_conn (armed at last + timeout, re-checked on firing). */
typedef struct ks_mbst {
  ks_timer timer;
  ka_time last; /* last activity; < 0: no state */
  guint32 conn;
  guint16 mb, hop;
} ks_mbst;

/* The states one middlebox keeps for one group's connections:
 * ka_time[count] (on_expiry drop: last activity, < 0 = no state) or
 * ks_mbst[count] (on_expiry rst). */
typedef struct ks_mbblock {
  guint group, mb;
  void *states;
} ks_mbblock;

/* What the native engine keeps of a middlebox besides ks_net_mb: the
 * blocks of its states, to re-arm them when its timeout changes. */
typedef struct ks_mb {
  GPtrArray *blocks; /* ks_mbblock*, owned by the groups' hops */
} ks_mb;

/* One link of a group's path, in client-to-server order: ks_net_path's
 * hop with the states of the middleboxes on it, where a segment put on
 * the link finds them. */
typedef struct ks_hop {
  guint link;
  guint8 dir; /* link direction of client -> server traffic */
  guint n_mb;
  ks_mbblock *mbs; /* [n_mb], in middlebox index order */
} ks_hop;

typedef struct ks_group {
  guint32 first, count;
  guint32 flow_first; /* its first connection this world simulates (flows[0]'s) */
  guint host[2];
  guint8 result_side;
  ka_cfg cfg[2]; /* shared by every connection of the group, per side */
  ka_time connect_at, spread;
  ks_traffic_kind traffic;
  ka_time period, start, stop;
  guint32 req, resp;
  guint n_hops;
  ks_hop *hops;
  ks_flow *flows; /* [one per connection this world simulates]; NULL for IDLE */
} ks_group;

/* A segment on its way, pooled on a free list. */
typedef struct ks_flight {
  ks_timer timer;
  ks_segment seg;
  guint group;
  guint16 hop;     /* the path index of the link it is crossing */
  guint8 injected; /* a middlebox put it on this hop: skip its boxes */
  struct ks_flight *next_free;
} ks_flight;

struct ks_world {
  ks_engine *engine;
  ka_time duration;

  ks_net *net; /* hosts, links, middleboxes, paths: the shared rules' state */
  ks_tx *tx;   /* [net->n_links] */
  ks_mb *mbs;  /* [net->n_mbs] */
  guint n_groups;
  ks_group *groups;

  guint32 n_conns; /* in the scenario */
  /* A shard of a run spread over processes simulates only the connections
   * whose id is `shard` modulo `shards` (1: all of them); conns holds
   * those, id / shards being the index of id (ksw_conn). */
  guint shard, shards;
  guint32 n_local;
  ks_conn *conns;
  guint64 rng_key; /* ks_rng_key(seed) */
  ka_time end_at;  /* ks_world_set_end's, 0 until then */

  ks_event_spec *events;
  guint n_events, next_event;
  ks_timer timeline;

  ks_flight *free_flights;
  GPtrArray *flight_chunks;
};

/* The engine hands callbacks only itself; ks_world_run sets this. */
extern _Thread_local ks_world *ksw_current;

GQuark ks_world_error_quark(void);

/* --- ks_world.c --------------------------------------------------------- */
/* The group connection `conn` belongs to: a binary search over the
 * groups' first ids.  Inline because most events need it and most worlds
 * have one group, where it is a compare. */
static inline guint ksw_group_of(const ks_world *w, guint32 conn) {
  guint lo = 0, hi = w->n_groups;
  while (hi - lo > 1) {
    guint mid = lo + (hi - lo) / 2;
    if (w->groups[mid].first <= conn)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}
/* Whether this world simulates connection `id` (see ks_world.shard). */
static inline gboolean ksw_owns(const ks_world *w, guint32 id) {
  return w->shards == 1 || id % w->shards == w->shard;
}
/* The record of connection `id`, which this world simulates.  One run in
 * one process pays a predicted branch, not a division. */
static inline ks_conn *ksw_conn(const ks_world *w, guint32 id) {
  return &w->conns[w->shards == 1 ? id : id / w->shards];
}
static inline guint32 ksw_conn_id(const ks_world *w, const ks_conn *c) {
  guint32 local = (guint32)(c - w->conns);
  return w->shards == 1 ? local : local * w->shards + w->shard;
}
/* The traffic state of connection `id` of group `g`, or NULL for IDLE. */
static inline ks_flow *ksw_flow(const ks_world *w, const ks_group *g, guint32 id) {
  if (g->flows == NULL)
    return NULL;
  return &g->flows[w->shards == 1 ? id - g->first : (id - g->flow_first) / w->shards];
}
/* The first connection at or after `id` this world simulates. */
static inline guint32 ksw_owned_from(const ks_world *w, guint32 id) {
  return w->shards == 1 ? id : id + (w->shard + w->shards - id % w->shards) % w->shards;
}
/* Traces an event at the engine's time (ks_net_trace). */
static inline void ksw_trace(ks_world *w, ks_trace_kind kind, const ks_segment *seg, guint host,
                             const char *what, const char *error, guint target) {
  if (w->net->trace != NULL)
    ks_net_trace_emit(w->net, ks_engine_now(w->engine), kind, seg, host, what, error, target);
}

/* --- ks_world_net.c ----------------------------------------------------- */
/* The groups' hops and the middleboxes' states, from w->net. */
void ksw_build_paths(ks_world *w);
void ksw_free_paths(ks_world *w);
/* Sends a segment from `side` of connection `conn`: traced, then put on
 * the first link of the path. */
void ksw_send(ks_world *w, guint group, guint32 conn, int side, guint8 flags, guint8 kind,
              guint32 seq, guint32 ack, guint32 len);
/* ks_net_hooks.mb_rearm: the box's timeout changed. */
void ksw_mb_rearm(void *world, guint mb);
/* The earliest time a middlebox of the group's path dropped the state of
 * connection `conn`, by `now`; KA_TIME_NEVER if none did. */
ka_time ksw_mb_lost_at_conn(const ks_world *w, guint group, guint32 conn, ka_time now);

/* --- ks_world_tcp.c ----------------------------------------------------- */
void ksw_conns_init(ks_world *w);
/* Where an endpoint is in its life. */
typedef enum ksw_phase {
  KSW_PHASE_CLOSED,          /* ep->u.dead is live */
  KSW_PHASE_CONNECT_PENDING, /* client before connect_at */
  KSW_PHASE_SYN_SENT,
  KSW_PHASE_LISTEN, /* server before the SYN */
  KSW_PHASE_SYN_RCVD,
  KSW_PHASE_ESTABLISHED
} ksw_phase;
ksw_phase ksw_ep_phase(const ks_ep *ep);
/* A segment reached the host at its path's end. */
void ksw_arrive(ks_world *w, guint group, const ks_segment *seg);
/* ks_net_hooks.reboot. */
void ksw_host_reboot(void *world, guint host);
/* Sequence numbers as the middlebox saw them (see ks_world_net.c). */
guint32 ksw_snd_nxt(const ks_world *w, guint group, guint32 conn, int side);

#endif
