/* ks_net.h - the network's rules, one copy for both engines.
 *
 * The native engine (sim/world) and the ns-3 engine (ns3/engine) differ in
 * how a segment travels (kasim's own flights against ns-3's devices and
 * TCP), but not in what the network does to it.  Everything they share
 * lives here, over state they both keep in a ks_net:
 *  - the vocabulary of a run: segments and their kinds, trace events, the
 *    per-connection result, the timeline's event kinds, with the one table
 *    of their names that traces, the loader and analysis all use;
 *  - the timeline: applying an event to links, hosts and middleboxes, and
 *    dating each group's path breaks (ks_failure.h);
 *  - middleboxes: which segment passes, when a box's state expires, what a
 *    timeout change does.
 * Like model/, this module does no I/O and reads no clock: the caller
 * passes the time in, and an engine keeps only its side effects (putting
 * segments on links, arming timers) behind the hooks and flags below.
 * docs/architecture.md says which layer may use which.
 */
#ifndef KASIM_KS_NET_H
#define KASIM_KS_NET_H

#include <glib.h>
#include <kasim/ka.h>

G_BEGIN_DECLS

/* --- Segments. ----------------------------------------------------------- */

/* TCP flags as on the wire. */
enum {
  KS_TCP_FIN = 0x01,
  KS_TCP_SYN = 0x02,
  KS_TCP_RST = 0x04,
  KS_TCP_PSH = 0x08,
  KS_TCP_ACK = 0x10
};

/* What a segment is, for traces and reports (the wire only has flags). */
typedef enum ks_seg_kind {
  KS_SEG_HANDSHAKE,
  KS_SEG_DATA,
  KS_SEG_RETRANSMISSION,
  KS_SEG_ACK,
  KS_SEG_KEEPALIVE,     /* a probe */
  KS_SEG_KEEPALIVE_ACK, /* the answer to a probe */
  KS_SEG_RST,
  KS_SEG_COUNT_
} ks_seg_kind;

typedef struct ks_segment {
  guint32 conn;       /* connection id, 0-based in group order */
  guint8 from_client; /* direction: client -> server when 1 */
  guint8 flags;       /* KS_TCP_* */
  guint8 kind;        /* ks_seg_kind */
  guint32 seq, ack;
  guint16 window;
  guint32 len; /* payload octets (probe: 0 or 1, a 0x00) */
} ks_segment;

/* --- Trace events. ------------------------------------------------------- */

typedef enum ks_trace_kind {
  KS_TRACE_SEND,     /* a host put a segment on a link */
  KS_TRACE_DELIVER,  /* a segment reached a host */
  KS_TRACE_DROP,     /* a segment was lost; `why` says where */
  KS_TRACE_TIMER,    /* a keep-alive or retransmission timer fired */
  KS_TRACE_CLOSE,    /* a socket gave up or was reset */
  KS_TRACE_SCENARIO, /* a timeline event (link down, crash, ...) */
  KS_TRACE_COUNT_
} ks_trace_kind;

typedef struct ks_trace_event {
  ka_time t;
  ks_trace_kind kind;
  const ks_segment *seg; /* SEND, DELIVER, DROP */
  guint host;            /* the host acting or receiving */
  const char *what;      /* DROP: "link_down", "loss", "middlebox", "crashed", "no_state";
                            TIMER: "keepalive", "retransmission";
                            CLOSE: ka_close_reason_name(); SCENARIO: ks_net_event_name() */
  const char *error;     /* CLOSE: the symbolic error the application sees */
  guint target;          /* SCENARIO: link/host/middlebox index */
} ks_trace_event;

/* Conventions beyond the field comments: TIMER and CLOSE events carry the
 * connection id in `target`; a DROP of a segment reaching a closed socket
 * says "closed"; a rebooted host's sockets CLOSE with "host_rebooted" and
 * no error; a middlebox's own timer is TIMER "middlebox_idle" and its RSTs
 * are SENDs with what="middlebox" and target its index; events with no
 * host (link events, middlebox timers) have host G_MAXUINT.  A TIMER is
 * traced only when the timer led to an action, not on a lazy re-check. */
typedef void (*ks_trace_fn)(const ks_trace_event *ev, void *ud);

/* --- Names: the one table of each. ------------------------------------- */

/* "handshake", "data", ...; "?" out of range. */
const char *ks_net_seg_kind_name(guint kind);
/* "send", "deliver", ...; "?" out of range. */
const char *ks_net_trace_kind_name(guint kind);
/* The index of `name` (its first `len` octets) in a table above, or -1.
 * For readers of trace.jsonl. */
int ks_net_seg_kind_of(const char *name, gsize len);
int ks_net_trace_kind_of(const char *name, gsize len);

/* --- The per-connection result. ---------------------------------------- */

/* The outcome for one connection, from the keep-alive side's socket (the
 * client's, or the server's when only the server uses keep-alive). */
typedef struct ks_conn_result {
  guint32 id;
  guint group;
  gboolean client_side; /* whose socket this is */
  ka_time closed_at;    /* KA_TIME_NEVER while alive */
  ka_close_reason reason;
  const char *error; /* symbolic, e.g. "WSAENETRESET"; NULL while alive */
  guint32 probes_sent, probes_answered;
  ka_time last_rx; /* the last segment its socket received */
  /* When the connection became unusable, from its socket's point of view;
   * KA_TIME_NEVER if it never did before it closed (or the run ended).  The
   * earliest instant, not before the group's connect_at, at which one of
   * these held:
   *   link_down:   a link of its path was down in either direction (a probe
   *                needs its way out and its answer's way back);
   *   loss:        a link of its path lost every segment (rate 1);
   *   router_crash, peer_crash: a host of its path other than its own
   *                crashed;
   *   peer_reboot: the peer's host rebooted while holding the connection;
   *   middlebox:   a middlebox of its path dropped the connection's state
   *                (at last activity + idle timeout, noticed or not).
   * Its own host crashing, rebooting or hanging, and an application hang
   * on the peer (its stack still answers), are not failures.  A failure
   * after the socket closed is not reported. */
  ka_time failure_at;
  const char *failure; /* which of the above; NULL with KA_TIME_NEVER */
  /* There was a failure, and none of the above held any more when the
   * socket closed (or the run ended): the path had come back.  Only links
   * come back; crashes, reboots and dropped middlebox state are for good.
   * An event at the very instant of the close counts as before it. */
  gboolean recovered;
  /* The socket gave up on its own timer (keepalive_timeout,
   * retransmission_timeout, user_timeout) while none of the above held:
   * no failure at all, or one it had recovered from. */
  gboolean false_giveup;
  guint middleboxes; /* middleboxes on its path */
} ks_conn_result;

/* --- The timeline's events. -------------------------------------------- */

/* What can happen to the network.  A new kind is a row of the table in
 * ks_net.c (its name and what it targets), a case of ks_net_apply(), and
 * the loader's reading of its parameters when it has any besides its
 * target (sim/scenario); neither engine changes (docs/architecture.md). */
typedef enum ks_event_kind {
  KS_EV_LINK_DOWN, /* link, both directions (or one with `direction`) */
  KS_EV_LINK_UP,
  KS_EV_LOSS,              /* link's loss rate becomes `rate` */
  KS_EV_PEER_CRASH,        /* host goes silent: no answer to anything */
  KS_EV_PEER_REBOOT,       /* host loses all state: answers the next segment with RST */
  KS_EV_APP_HANG,          /* host's applications stop; its stack still ACKs */
  KS_EV_MIDDLEBOX_TIMEOUT, /* middlebox's idle timeout becomes `duration` */
  KS_EV_COUNT_
} ks_event_kind;

/* What an event's `target` indexes. */
typedef enum ks_event_target {
  KS_TARGET_LINK,
  KS_TARGET_HOST,
  KS_TARGET_MIDDLEBOX
} ks_event_target;

typedef enum ks_direction { KS_DIR_BOTH, KS_DIR_A_TO_B, KS_DIR_B_TO_A } ks_direction;

/* A timeline entry, as the loader makes it (a flapping link becomes its
 * LINK_DOWN/LINK_UP pairs) and both engines apply it. */
typedef struct ks_event_spec {
  ka_time at;
  ks_event_kind kind;
  guint target;           /* link, host or middlebox index by kind */
  ks_direction direction; /* LINK_DOWN/UP */
  double rate;            /* LOSS */
  ka_time duration;       /* MIDDLEBOX_TIMEOUT */
  int line;               /* where it came from, for traces */
} ks_event_spec;

/* The name a scenario file and a trace give the kind ("link_down", ...);
 * "?" out of range. */
const char *ks_net_event_name(guint kind);
/* The kind named `name`, or -1. */
int ks_net_event_of(const char *name);
ks_event_target ks_net_event_target(ks_event_kind kind);
/* Whether the event may name a direction of its link. */
gboolean ks_net_event_has_direction(ks_event_kind kind);
/* Whether the event's target takes no parameter besides its name (a
 * scalar in the scenario: `peer_crash: server`). */
gboolean ks_net_event_is_bare(ks_event_kind kind);

/* --- The shared state. -------------------------------------------------- */

typedef struct ks_failure_log ks_failure_log;

typedef struct ks_net_host {
  const ka_profile *profile;
  ka_time uptime; /* Linux: how long it had been up at time 0, which places
                     its jiffies counter (ka_jiffies.h) */
  guint8 crashed; /* permanent: drops everything, never recovers */
  guint8 hung;    /* applications stopped; the stack still answers */
} ks_net_host;

typedef struct ks_net_link {
  guint a, b;    /* host indices */
  ka_time delay; /* one way */
  guint64 bps;   /* 0: infinite */
  double loss;
  guint8 down[2]; /* [0]: a -> b, [1]: b -> a */
} ks_net_link;

typedef enum ks_expiry_action {
  KS_EXPIRY_DROP, /* state dropped silently: later segments are discarded */
  KS_EXPIRY_RST   /* state dropped and both ends get an RST */
} ks_expiry_action;

typedef struct ks_net_mb {
  guint link;
  ka_time timeout;
  ks_expiry_action on_expiry;
} ks_net_mb;

/* One link of a path and the way it is crossed: 0 from its a to its b. */
typedef struct ks_net_hop {
  guint link;
  guint8 dir;
} ks_net_hop;

/* A group's path, in client-to-server order. */
typedef struct ks_net_path {
  guint host[2];      /* client, server */
  guint8 result_side; /* 0: the client's socket reports, 1: the server's */
  guint n_hops;
  ks_net_hop *hops;
  guint n_mb;               /* middleboxes on the path */
  ks_failure_log *failures; /* its breaks, dated by ks_net_apply() */
} ks_net_path;

typedef struct ks_net {
  guint n_hosts, n_links, n_mbs, n_paths;
  ks_net_host *hosts;
  ks_net_link *links;
  ks_net_mb *mbs;
  ks_net_path *paths; /* one per group */
  ks_trace_fn trace;  /* NULL: none */
  void *trace_ud;
} ks_net;

/* An empty network with room for the given counts, every link up and
 * every path empty; the scenario layer fills it (ks_scenario_net_new). */
ks_net *ks_net_new(guint n_hosts, guint n_links, guint n_mbs, guint n_paths);
void ks_net_free(ks_net *n);

/* Traces an event when a trace function is set.  Inline so that a run
 * without one (benchmarks, sweeps) pays a load and a branch, not a call
 * with eight arguments, several times per event. */
void ks_net_trace_emit(const ks_net *n, ka_time now, ks_trace_kind kind, const ks_segment *seg,
                       guint host, const char *what, const char *error, guint target);
static inline void ks_net_trace(const ks_net *n, ka_time now, ks_trace_kind kind,
                                const ks_segment *seg, guint host, const char *what,
                                const char *error, guint target) {
  if (n->trace != NULL)
    ks_net_trace_emit(n, now, kind, seg, host, what, error, target);
}

/* The host a segment crossing link `l` in direction `dir` leaves from;
 * the other end with !dir. */
static inline guint ks_net_link_entry(const ks_net_link *l, int dir) {
  return dir == 0 ? l->a : l->b;
}

/* --- The timeline. ------------------------------------------------------- */

/* What only an engine can do when an event has been applied to the state. */
typedef struct ks_net_hooks {
  /* The host crashed (hosts[h].crashed is set): its sockets freeze. */
  void (*crash)(void *ud, guint host);
  /* The host rebooted: its sockets forget their connections. */
  void (*reboot)(void *ud, guint host);
  /* The middlebox's timeout changed and it resets on expiry: timers armed
   * with the old timeout must move to last + the new one. */
  void (*mb_rearm)(void *ud, guint mb);
} ks_net_hooks;

/* Traces the event (SCENARIO), applies it to the state, calls the hook
 * its kind needs (any hook may be NULL), then dates every group's path
 * breaks at `now`.  Segments already on a link are not affected: bits on
 * the wire arrive. */
void ks_net_apply(ks_net *n, const ks_event_spec *ev, ka_time now, const ks_net_hooks *hooks,
                  void *ud);

/* Why a group's path is broken right now (links, routers, the peer host),
 * as a failure name of ks_conn_result; NULL when it is whole. */
const char *ks_net_path_broken(const ks_net *n, guint path);
/* Dates every group's path breaks at `now` (ks_failure_log_note). */
void ks_net_note_breaks(ks_net *n, ka_time now);

/* --- Middleboxes. -------------------------------------------------------- *
 *
 * A middlebox (NAT, firewall, load balancer) acts where a segment is put
 * on its link, in either direction.  It keeps, per connection, one `last`
 * (ks_failure.h): the time of the last segment that passed, or why there
 * is none.  A segment that comes idle_timeout or more after it finds no
 * state: it is discarded, and only a SYN creates state again (a NAT
 * cannot map anything else).  A box that resets on expiry also notices
 * expiry by itself, with a lazy per-connection timer like ka_conn's
 * (armed at last + timeout, re-checked when it fires), and then sends an
 * RST+ACK to each end, toward the client first. */

enum {
  KS_MB_DROP = 1u,    /* the segment is discarded */
  KS_MB_EXPIRED = 2u, /* the state expired at this instant, before the
                         segment: a resetting box cancels its timer and
                         sends its RSTs now */
  KS_MB_OPENED = 4u   /* a SYN created state: a resetting box arms its
                         timer at now + timeout */
};

/* The box's verdict on a segment (`syn`: it carries SYN) put on its link
 * at `now`; updates *last.  KS_MB_* flags, 0 when it simply passes. */
guint ks_net_mb_pass(const ks_net_mb *mb, ka_time *last, ka_time now, gboolean syn);

/* When a resetting box's timer for a state should fire: KA_TIME_NEVER
 * when there is no state (nothing to do); a time after `now` to re-arm
 * there (activity since); otherwise the state is due now, and the caller
 * traces "middlebox_idle", calls ks_net_mb_forget() and sends the RSTs. */
static inline ka_time ks_net_mb_due(const ks_net_mb *mb, ka_time last) {
  return last < 0 ? KA_TIME_NEVER : last + mb->timeout;
}

/* The state is dropped now, dated when it expired. */
void ks_net_mb_forget(const ks_net_mb *mb, ka_time *last);

G_END_DECLS

#endif
