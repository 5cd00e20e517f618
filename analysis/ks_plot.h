/* ks_plot.h - the pictures: one connection's sequence diagram, the CDF of
 * detection latency, a sweep's heatmap and probe overhead against
 * connection count.
 *
 * Drawn with cairo into memory, each as a PNG and an SVG of the same
 * fixed size, so that the caller can write every file of a `kasim plot`
 * atomically, or none.  Text is DejaVu Sans through fontconfig with
 * hinting off, so the same input and the same fonts give the same bytes.
 */
#ifndef KASIM_KS_PLOT_H
#define KASIM_KS_PLOT_H

#include <glib.h>

#include "ks_metrics.h"
#include "ks_sweepdata.h"
#include "ks_trace.h"

#define KS_PLOT_TIMELINE_W 1200
/* The timeline's height follows its rows (about 400 to 1900). */
#define KS_PLOT_CDF_W 1000
#define KS_PLOT_CDF_H 700
#define KS_PLOT_HEATMAP_W 1400
#define KS_PLOT_HEATMAP_H 760
#define KS_PLOT_OVERHEAD_W 1000
#define KS_PLOT_OVERHEAD_H 700

typedef struct ks_plot_images {
  GBytes *png, *svg;
} ks_plot_images;

void ks_plot_images_clear(ks_plot_images *im);

/* Releases cairo's and fontconfig's process-wide caches, so that leak
 * checkers see a clean exit.  Call once, last, when no plot is being
 * drawn; drawing again afterwards is allowed. */
void ks_plot_shutdown(void);

/* Sequence diagram: data, handshake, probes, their ACKs, losses, the
 * failure and the give-up of one connection, idle stretches cut out; the
 * events of its own path only, by name, and as high as its rows need. */
gboolean ks_plot_timeline(const ks_timeline *tl, ks_plot_images *out, GError **error);
/* Its height in pixels (the width is KS_PLOT_TIMELINE_W). */
int ks_plot_timeline_height(const ks_timeline *tl);
/* The text of each of its rows, top to bottom, as drawn (char*). */
GPtrArray *ks_plot_timeline_rows(const ks_timeline *tl);

/* Cumulative distribution of detection latency, one curve per group with
 * detections.  Fails when nothing was detected. */
gboolean ks_plot_cdf(const ks_run_metrics *m, ks_plot_images *out, GError **error);

/* Two panels over the first two grid parameters with more than one value
 * (or the first one alone): detection time (mean over seeds of
 * latency_p50_s) and probe overhead (mean probe_bytes_per_s). */
gboolean ks_plot_heatmap(const ks_sweepdata *s, ks_plot_images *out, GError **error);

/* Lines of probe bytes/s against connection count (log-log), one per
 * series; mark_n > 0 puts a labelled point on the line. */
typedef struct ks_overhead_series {
  const char *label;
  double bytes_per_conn_s; /* on the wire, probes and ACKs, per connection */
  double mark_n;
} ks_overhead_series;

gboolean ks_plot_overhead(const char *title, const char *subtitle, const ks_overhead_series *series,
                          guint n, ks_plot_images *out, GError **error);

/* A sweep's settings as points of detection time (95th percentile, y)
 * against probe overhead per connection (x, log scale), coloured by the
 * false give-up rate; the Pareto front joined and ringed, the settings
 * that meet a tuning question's constraints filled, the others hollow.
 * Settings whose failures were never detected sit on a "never" band at
 * the top; settings with no failure to detect are counted in a note.
 * `kasim tune` draws it (docs/tuning.md). */
#define KS_PLOT_PARETO_W 1100
#define KS_PLOT_PARETO_H 760

typedef struct ks_pareto_point {
  double detection_p95_s;   /* INFINITY: never detected; NAN: no failure */
  double overhead;          /* probe bytes/s per connection */
  double false_giveup_rate; /* 0..1 */
  gboolean front, meets;
  const char *label; /* the setting's values, "45 / 1 / 5" */
} ks_pareto_point;

/* label_names: what the labels' values are, "TCP_KEEPIDLE / TCP_KEEPCNT". */
gboolean ks_plot_pareto(const char *title, const char *label_names, const ks_pareto_point *p,
                        guint n, ks_plot_images *out, GError **error);

#endif
