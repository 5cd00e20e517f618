/* ks_metrics.h - what a run means: detection latency, false give-ups,
 * probe overhead on the wire, middlebox survival and the reconnect storm,
 * computed from a run folder (summary.json and trace.jsonl) written by
 * `kasim run`.  Used by `kasim plot`, `kasim sweep` and `kasim capacity`.
 *
 * Definitions (docs/output.md has the per-connection fields they use):
 *  - failed: summary.json has a failure_at_s for the connection;
 *  - detected: failed, closed, and not a false give-up; its latency is
 *    closed_at_s - failure_at_s;
 *  - undetected: failed, still open at the end, and the failure still held
 *    (recovered false);
 *  - survived_failures: failed, recovered, and still open at the end;
 *  - false_giveups: summary.json's false_giveup (its own timer killed it
 *    while the path was up and the peer alive);
 *  - percentiles are nearest-rank: the p-th of n sorted values is the one
 *    at 1-based rank ceil(p/100 x n);
 *  - probe overhead counts every keep-alive probe and probe ACK any socket
 *    put on the wire (trace.jsonl SEND events), each at ks_wire_bytes();
 *    a run since issue 20 counts them itself in summary.json's totals and
 *    groups, which are read instead, whatever its trace level;
 *  - the connections come from summary.json's "connections", or from
 *    connections.csv when a large run lists none there;
 *  - a give-up is any close with a reason (keep-alive, retransmission,
 *    user timeout, reset): each one is a reconnect for the application.
 */
#ifndef KASIM_KS_METRICS_H
#define KASIM_KS_METRICS_H

#include <glib.h>
#include <json-glib/json-glib.h>

#define KS_METRICS_ERROR (ks_metrics_error_quark())
GQuark ks_metrics_error_quark(void);

/* One connection as summary.json reports it. */
typedef struct ks_conn_metrics {
  guint32 id;
  guint32 group;       /* index into ks_run_metrics.groups */
  double failure_at_s; /* NAN: no failure */
  double closed_at_s;  /* NAN: open at the end */
  gboolean false_giveup, recovered;
  gboolean client_side; /* the socket reported on is the client's */
  guint8 reason;        /* KS_REASON_* below */
  const char *failure;  /* interned: "link_down", ...; NULL: none */
  const char *error;    /* interned: "WSAENETRESET", ...; NULL: none */
} ks_conn_metrics;

enum {
  KS_REASON_NONE,
  KS_REASON_KEEPALIVE,
  KS_REASON_RETRANSMISSION,
  KS_REASON_USER_TIMEOUT,
  KS_REASON_RESET
};

typedef struct ks_group_metrics {
  char *name;
  char *profile; /* of the socket reported on (its first connection's) */
  guint32 connections, detected, false_giveups;
  GArray *latencies_s; /* double, sorted */
  guint64 wire_probes, wire_probe_acks, probe_wire_bytes;
  /* The reported socket's keep-alive settings as the run used them
   * (summary.json's groups[].keepalive, runs since issue 20); ka_known
   * FALSE for an older run. */
  gboolean ka_known, ka_probing;
  char *ka_profile;
  double ka_idle_s, ka_intvl_s;
  guint32 ka_cnt, ka_hz;
} ks_group_metrics;

typedef struct ks_run_metrics {
  char *scenario;
  guint64 seed;
  guint32 connections, closed, alive;
  guint32 keepalive_timeouts, retransmission_timeouts, user_timeouts, resets;
  guint32 failed;              /* had a failure_at */
  guint32 detected;            /* closed after their path or peer really failed */
  guint32 undetected;          /* failed, still open and still broken at the end of the run */
  guint32 survived_failures;   /* failed, the path came back, still open at the end */
  guint32 false_giveups;       /* closed although the path came back or the peer lived */
  guint32 middlebox_conns;     /* crossed at least one middlebox */
  guint32 middlebox_survivors; /* crossed a middlebox, never failed, open at the end */
  GArray *latencies_s;         /* double, sorted: give-up minus failure, per detected connection */
  double latency_mean_s, latency_p50_s, latency_p95_s, latency_max_s; /* NAN when none */
  guint64 probes_sent, probes_answered; /* by the sockets reported on, as summary.json */
  guint64 wire_probes, wire_probe_acks; /* put on the wire by every socket (trace.jsonl) */
  guint64 probe_wire_bytes; /* those probes and ACKs with L2/L3/L4 overhead (ks_wire_bytes) */
  double virtual_time_s;
  double probes_per_s, probe_bytes_per_s; /* wire_probes, probe_wire_bytes over virtual_time_s */
  GArray *giveups_per_s;  /* guint32 per 1-s bin, from the first give-up's second to the last's */
  double giveups_start_s; /* the first bin's start (whole seconds); NAN when none */
  guint32 peak_giveups_per_s;
  GPtrArray *groups;     /* ks_group_metrics*, in summary order of first appearance */
  GArray *conns;         /* ks_conn_metrics, in summary order */
  gboolean wire_counted; /* the wire_* counts came from summary.json, not the trace */
} ks_run_metrics;

/* NULL with an error naming the file when the folder is not a run. */
ks_run_metrics *ks_metrics_load(const char *run_dir, GError **error);
void ks_metrics_free(ks_run_metrics *m);

/* Nearest-rank percentile of a sorted array of double; NAN when empty. */
double ks_percentile(const GArray *sorted, double p);

/* Adds one JSON object with every scalar field above, named as the field
 * (NAN becomes null).  `kasim sweep` stores it per cell; the heatmap reads
 * it back (ks_sweepdata.h). */
void ks_metrics_to_json(const ks_run_metrics *m, JsonBuilder *b);

/* Octets one segment with `payload` octets takes on an Ethernet wire:
 * Ethernet header 14, IPv4 20, TCP 20 (no options, as the simulator
 * sends them), padding to the 60-octet minimum frame, FCS 4, preamble and
 * SFD 8, inter-frame gap 12 (IEEE 802.3 clauses 3 and 4; RFC 791; RFC
 * 9293).  0 or 1 octet of payload: 84. */
guint ks_wire_bytes(guint payload);
/* The same segment's IPv4 datagram: 40 + payload. */
guint ks_ip_bytes(guint payload);

#endif
