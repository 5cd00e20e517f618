/* ks_tune.h - a tuning question over a sweep's statistics: constraints
 * ("detection_p95 <= 60s", "false_giveup_rate <= 1%"), an objective
 * (minimize overhead), the settings that meet every constraint ranked by
 * it, and the Pareto front of detection latency, overhead and false
 * give-ups.  docs/tuning.md.
 *
 * A constraint is met with confidence: by the bound of its statistic's
 * two-sided 95% interval on the unsafe side (the upper bound for <=, the
 * lower for >=), so each holds with at least 97.5% one-sided confidence
 * (ks_stats.h).  detection_max has no interval: its value is used.
 */
#ifndef KASIM_KS_TUNE_H
#define KASIM_KS_TUNE_H

#include <glib.h>

#include "ks_sweep.h"

typedef enum ks_tune_metric {
  KS_TUNE_DETECTION_MEAN,
  KS_TUNE_DETECTION_P50,
  KS_TUNE_DETECTION_P95,
  KS_TUNE_DETECTION_MAX,
  KS_TUNE_FALSE_GIVEUP_RATE,
  KS_TUNE_DETECTED_RATE,
  KS_TUNE_SURVIVAL_RATE,
  KS_TUNE_OVERHEAD,
  KS_TUNE_N_METRICS
} ks_tune_metric;

typedef struct ks_tune_constraint {
  ks_tune_metric metric;
  gboolean at_most; /* <= or <; FALSE: >= or > */
  gboolean strict;  /* < or > */
  double value;     /* seconds, a fraction, or bytes/s per connection */
  char *text;       /* as given */
} ks_tune_constraint;

/* "detection_p95 <= 60s": METRIC OP NUMBER[UNIT].  Units: detection in s
 * (default), ms, min, h; rates as a fraction or with %; overhead in B/s.
 * NULL with one message naming the text and the place of the problem. */
ks_tune_constraint *ks_tune_parse(const char *text, GError **error);
void ks_tune_constraint_free(ks_tune_constraint *c);
/* "overhead", "detection_p95", ...: -1 when unknown (the message lists
 * them). */
int ks_tune_metric_find(const char *name, GError **error);
const char *ks_tune_metric_name(ks_tune_metric m);

/* The estimate, and the lower and upper bounds of its interval (NAN when
 * unknown: no data). */
void ks_tune_value(const ks_sweep_stat *st, ks_tune_metric m, double v[3]);
/* Met with confidence (above); FALSE when the statistic has no data. */
gboolean ks_tune_meets(const ks_sweep_stat *st, const ks_tune_constraint *c);

/* TRUE for each combination on the Pareto front of (detection_p95,
 * overhead, false_giveup_rate) estimates, all minimized; combinations
 * with no detection data (no failure held) are never on it. */
gboolean *ks_tune_pareto(const ks_sweep_stat *st, guint n);

#endif
