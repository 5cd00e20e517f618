/* ks_metrics.h - what a run means: detection latency, false give-ups,
 * probe overhead on the wire, middlebox survival and the reconnect storm,
 * computed from a run folder (summary.json and connections.csv, or an
 * older run's trace.jsonl) written by `kasim run`.  Used by `kasim plot`,
 * `kasim report`, `kasim sweep` and `kasim capacity`.
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
 *
 * Memory does not grow with the connections: they are read one at a time
 * (connections.csv a line at a time) and only counts, distributions
 * (ks_dist.h) and the one connection a picture tells the story of are
 * kept.  Latencies and close times are exact while the run has at most
 * KS_DIST_EXACT_MAX detected connections (closes, for the close times),
 * and binned within KS_DIST_RELATIVE_ERROR beyond, for the run and every
 * group alike; the run's median, 95th percentile and maximum stay exact
 * even then, taken from summary.json's totals (kasim run computes them
 * from every connection).
 */
#ifndef KASIM_KS_METRICS_H
#define KASIM_KS_METRICS_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ks_dist.h"

#define KS_METRICS_ERROR (ks_metrics_error_quark())
GQuark ks_metrics_error_quark(void);
/* 0: a folder or file that is not what kasim writes; NO_TRACE: the trace
 * a picture needs was not written (the run's --trace level left it out). */
enum { KS_METRICS_ERROR_BAD, KS_METRICS_ERROR_NO_TRACE };

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

/* "keepalive_timeout", ... as summary.json names a KS_REASON_*; NULL for
 * none. */
const char *ks_metrics_reason_name(guint8 reason);

/* How some of a group's connections ended: a close reason and the error
 * the application saw, and when they closed. */
typedef struct ks_ending {
  guint8 reason;        /* KS_REASON_*, never NONE */
  const char *error;    /* interned; NULL: none */
  ks_dist *closed_at_s; /* when each closed */
} ks_ending;

typedef struct ks_group_metrics {
  char *name;
  char *profile; /* of the socket reported on (its first connection's) */
  guint32 connections, closed, failed, detected, false_giveups;
  guint64 probes_sent, probes_answered;
  ks_dist *latency;     /* give-up minus failure, per detected connection */
  double latency_p50_s; /* its median (exact whenever the run's is); NAN when none */
  GPtrArray *endings;   /* ks_ending*, in order of first appearance */
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
  ks_dist *latency;            /* give-up minus failure, per detected connection */
  double latency_mean_s, latency_p50_s, latency_p95_s, latency_max_s; /* NAN when none */
  gboolean latency_exact; /* the percentiles are exact (always, but for an old large run) */
  guint64 probes_sent, probes_answered; /* by the sockets reported on, as summary.json */
  guint64 wire_probes, wire_probe_acks; /* put on the wire by every socket (trace.jsonl) */
  guint64 probe_wire_bytes; /* those probes and ACKs with L2/L3/L4 overhead (ks_wire_bytes) */
  double virtual_time_s;
  double probes_per_s, probe_bytes_per_s; /* wire_probes, probe_wire_bytes over virtual_time_s */
  /* Give-ups in one-second bins, from the first one's second to the
   * last one's: how many bins, where they start (whole seconds; NAN when
   * none), the most in one. */
  guint32 giveups_span_s;
  double giveups_start_s;
  guint32 peak_giveups_per_s;
  GPtrArray *groups;     /* ks_group_metrics*, in summary order of first appearance */
  gboolean wire_counted; /* the wire_* counts came from summary.json, not the trace */
  /* The connection whose story the timeline tells: the one asked for, or
   * the first detected failure, else the first false give-up, else the
   * first failure, else the first close, else connection 0. */
  ks_conn_metrics story;
  /* summary.json's outputs.trace_level ("all", "failures", "conn",
   * "none"); NULL for a run older than trace levels (all). */
  char *trace_level;
} ks_run_metrics;

/* NULL with an error naming the file when the folder is not a run. */
ks_run_metrics *ks_metrics_load(const char *run_dir, GError **error);
/* The same, with connection `conn` as the story (conn < 0: the rule
 * above); an error when the run has no such connection. */
ks_run_metrics *ks_metrics_load_conn(const char *run_dir, gint64 conn, GError **error);
/* The metrics of the run just written to run_dir whose summary.json's
 * document is `summary` (ks_runner_opts.summary), without reading the file
 * back: what ks_metrics_load(run_dir) gives, since the file's numbers
 * read back exactly.  Other files are read only when needed, as there
 * (connections.csv when summary.json lists no connections). */
ks_run_metrics *ks_metrics_from_summary(JsonNode *summary, const char *run_dir, GError **error);
void ks_metrics_free(ks_run_metrics *m);

/* Nearest-rank percentile of a sorted array of double; NAN when empty. */
double ks_percentile(const GArray *sorted, double p);

/* Every scalar field above, named as the field, in one order: a count
 * (is_int, its value in `count`) or a number (`value`, NAN when none). */
typedef void (*ks_metrics_scalar_fn)(const char *name, gboolean is_int, guint64 count, double value,
                                     void *ud);
void ks_metrics_foreach_scalar(const ks_run_metrics *m, ks_metrics_scalar_fn fn, void *ud);
/* Adds them as one JSON object, in that order (NAN and infinities become
 * null).  `kasim sweep` stores it per cell; the heatmap reads it back
 * (ks_sweepdata.h). */
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
