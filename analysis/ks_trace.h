/* ks_trace.h - reading trace.jsonl back, and one connection's story from
 * it (what the timeline plot draws).
 *
 * `kasim run` writes one flat JSON object per line whose values are
 * numbers or fixed identifiers (docs/output.md); a run of 10^5 connections
 * writes millions of lines, so this reader scans them by hand rather than
 * building a json-glib tree per line, and refuses anything that is not of
 * that flat shape.
 */
#ifndef KASIM_KS_TRACE_H
#define KASIM_KS_TRACE_H

#include <glib.h>

#include "ks_metrics.h"
#include "ks_net.h"

typedef struct ks_trace_rec {
  gint64 t_ns; /* virtual time, exact */
  ks_trace_kind ev;
  gint64 conn;       /* -1: none */
  gint8 from_client; /* -1: none */
  gint8 kind;        /* ks_seg_kind; -1: none */
  guint32 seq, ack, len;
  gint64 host, target; /* -1: none */
  char flags[16];
  char what[24];
  char error[24];
} ks_trace_rec;

/* Calls fn for every line; fn returns FALSE to stop early.  Errors name
 * the file and line. */
typedef gboolean (*ks_trace_rec_fn)(const ks_trace_rec *r, void *ud);
gboolean ks_trace_read(const char *path, ks_trace_rec_fn fn, void *ud, GError **error);

/* One connection of a run, for the sequence diagram. */
typedef struct ks_timeline {
  char *scenario;
  guint32 conn;
  char *group, *profile;
  gboolean client_side;                       /* the reporting socket is the client's */
  double failure_at_s, closed_at_s;           /* NAN when none */
  const char *failure, *close_reason, *error; /* static or interned */
  gboolean false_giveup;
  /* The trace holds the connection's events from its first sign of
   * trouble on only (--trace failures). */
  gboolean partial;
  GArray *recs; /* ks_trace_rec: this connection's, and scenario events */
  /* The scenario's names by index (summary.json's "network"), and the
   * names on this connection's path: hosts from client to server, links,
   * middleboxes.  All NULL for a summary.json without them (kasim before
   * 0.1.1): then events are shown by index and all of them. */
  GPtrArray *hosts, *links, *middleboxes;
  GPtrArray *path_hosts, *path_links, *path_middleboxes;
} ks_timeline;

/* m is the run's metrics (ks_metrics_load_conn): the story of m->story,
 * read from the trace skipping the other connections' lines unparsed.
 * KS_METRICS_ERROR_NO_TRACE when the run's trace level left that
 * connection's events out (the message says how to get them). */
ks_timeline *ks_timeline_load(const char *run_dir, const ks_run_metrics *m, GError **error);
void ks_timeline_free(ks_timeline *tl);

#endif
