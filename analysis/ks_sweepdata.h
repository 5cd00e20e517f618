/* ks_sweepdata.h - a sweep folder's sweep.json, read back for plots.
 *
 * The format `kasim sweep` writes (agreed with it; docs/output.md):
 *   {"grid": {"KeepAliveTime": ["60s", "300s"], "TCP_KEEPCNT": ["3", "9"]},
 *    "cells": [{"params": {"KeepAliveTime": "60s", "TCP_KEEPCNT": "3"},
 *               "seed": 1, "run_dir": "cells/0001",
 *               "metrics": {ks_metrics_to_json()'s object}}, ...]}
 * The grid's member order is the axes' order; each value list is in the
 * order the user gave.  Values may be strings or numbers.  Of the metrics
 * only probe_bytes_per_s is required; latency_p50_s may be null (nothing
 * detected).
 */
#ifndef KASIM_KS_SWEEPDATA_H
#define KASIM_KS_SWEEPDATA_H

#include <glib.h>

typedef struct ks_sweepdata_cell {
  guint *idx; /* [n_params]: the position of its value in each grid list */
  guint64 seed;
  double latency_p50_s, latency_mean_s, probe_bytes_per_s; /* NAN: null or absent */
  double false_giveups, closed, connections;               /* NAN: absent */
} ks_sweepdata_cell;

/* One combination of stats.csv (kasim sweep writes it beside sweep.json;
 * docs/output.md), the statistics the plot of every axis shows. */
typedef struct ks_sweepdata_combo {
  guint *idx;               /* [n_params], as ks_sweepdata_cell's */
  double detection_n;       /* failures that held; 0: no failure to detect */
  double detection_p95_s;   /* INFINITY: some never detected; NAN: none */
  double false_giveup_rate; /* connections that died for nothing, a fraction */
  double overhead;          /* probe bytes/s per connection */
} ks_sweepdata_combo;

typedef struct ks_sweepdata {
  guint n_params;
  char **names;       /* [n_params] */
  GPtrArray **values; /* [n_params] of char* */
  GArray *cells;      /* ks_sweepdata_cell */
  GArray *combos;     /* ks_sweepdata_combo from stats.csv; NULL: no stats.csv (an older
                        sweep) */
} ks_sweepdata;

/* NULL with "DIR/sweep.json: where: problem" when it is not a sweep (or
 * "DIR/stats.csv: line N: problem" when its stats.csv is not kasim's). */
ks_sweepdata *ks_sweepdata_load(const char *dir, GError **error);
void ks_sweepdata_free(ks_sweepdata *s);

/* One grid point of two axes (x, y: parameter indices; y may equal x for
 * a one-parameter grid), averaged over seeds and every other parameter. */
typedef struct ks_sweepdata_point {
  double p50_s;            /* mean of the cells' latency_p50_s that are not null; NAN: none */
  double bytes_per_s;      /* mean probe_bytes_per_s */
  double bytes_per_conn_s; /* mean of probe_bytes_per_s / connections; NAN: unknown */
  double false_giveups;    /* mean; NAN: absent */
  guint cells;
} ks_sweepdata_point;

/* out[y * nx + x], nx = values of param x, ny = values of param y (1 when
 * y == x). */
void ks_sweepdata_points(const ks_sweepdata *s, guint px, guint py, ks_sweepdata_point *out);

#endif
