/* ks_world.h - the network around the connections: hosts running a
 * profile's TCP, links with delay, bandwidth, loss and failures,
 * middleboxes with idle timeouts, and application traffic, all driven by
 * ks_engine in virtual time.  Every keep-alive and retransmission decision
 * is taken by model/'s ka_conn; this module only moves segments.
 */
#ifndef KASIM_KS_WORLD_H
#define KASIM_KS_WORLD_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_scenario.h"

typedef struct ks_world ks_world;

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
  KS_SEG_KEEPALIVE,      /* a probe */
  KS_SEG_KEEPALIVE_ACK,  /* the answer to a probe */
  KS_SEG_RST
} ks_seg_kind;

typedef struct ks_segment {
  guint32 conn;          /* connection id, 0-based in group order */
  guint8 from_client;    /* direction: client -> server when 1 */
  guint8 flags;          /* KS_TCP_* */
  guint8 kind;           /* ks_seg_kind */
  guint32 seq, ack;
  guint16 window;
  guint32 len;           /* payload octets (probe: 0 or 1, a 0x00) */
} ks_segment;

typedef enum ks_trace_kind {
  KS_TRACE_SEND,         /* a host put a segment on a link */
  KS_TRACE_DELIVER,      /* a segment reached a host */
  KS_TRACE_DROP,         /* a segment was lost; `why` says where */
  KS_TRACE_TIMER,        /* a keep-alive or retransmission timer fired */
  KS_TRACE_CLOSE,        /* a socket gave up or was reset */
  KS_TRACE_SCENARIO      /* a timeline event (link down, crash, ...) */
} ks_trace_kind;

typedef struct ks_trace_event {
  ka_time t;
  ks_trace_kind kind;
  const ks_segment *seg; /* SEND, DELIVER, DROP */
  guint host;            /* the host acting or receiving */
  const char *what;      /* DROP: "link_down", "loss", "middlebox", "crashed", "no_state";
                            TIMER: "keepalive", "retransmission";
                            CLOSE: ka_close_reason_name(); SCENARIO: "link_down", ... */
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

/* The outcome for one connection, from the keep-alive side's socket (the
 * client's, or the server's when only the server uses keep-alive). */
typedef struct ks_conn_result {
  guint32 id;
  guint group;
  gboolean client_side;  /* whose socket this is */
  ka_time closed_at;     /* KA_TIME_NEVER while alive */
  ka_close_reason reason;
  const char *error;     /* symbolic, e.g. "WSAENETRESET"; NULL while alive */
  guint32 probes_sent, probes_answered;
  ka_time last_rx;       /* the last segment its socket received */
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
  const char *failure;   /* which of the above; NULL with KA_TIME_NEVER */
  /* There was a failure, and none of the above held any more when the
   * socket closed (or the run ended): the path had come back.  Only links
   * come back; crashes, reboots and dropped middlebox state are for good.
   * An event at the very instant of the close counts as before it. */
  gboolean recovered;
  /* The socket gave up on its own timer (keepalive_timeout,
   * retransmission_timeout, user_timeout) while none of the above held:
   * no failure at all, or one it had recovered from. */
  gboolean false_giveup;
  guint middleboxes;     /* middleboxes on its path */
} ks_conn_result;

/* Builds hosts, links and connections.  --set values were applied by the
 * scenario loader.  Fails (domain ks-world-error) when a group's hosts have
 * no path of links between them, or a socket option is refused. */
ks_world *ks_world_new(const ks_scenario *sc, guint64 seed, GError **error);
void ks_world_free(ks_world *w);

/* Every segment and timer event goes to fn (NULL: none).  Call before
 * ks_world_run. */
void ks_world_set_trace(ks_world *w, ks_trace_fn fn, void *ud);
/* Paced mode and progress, passed to the engine. */
void ks_world_set_pace(ks_world *w, double virtual_seconds_per_second);
void ks_world_set_progress(ks_world *w, void (*cb)(ka_time now, ka_time end, void *ud), void *ud);

/* Runs until the scenario's duration or until nothing can happen. */
void ks_world_run(ks_world *w);

guint32 ks_world_conn_count(const ks_world *w);
void ks_world_conn_result(const ks_world *w, guint32 id, ks_conn_result *out);
ka_time ks_world_now(const ks_world *w);
guint64 ks_world_events(const ks_world *w);

/* The addresses the pcap writer gives the two ends of a connection. */
void ks_world_conn_endpoints(const ks_world *w, guint32 id, guint32 *client_ip,
                             guint16 *client_port, guint32 *server_ip, guint16 *server_port);

#endif
