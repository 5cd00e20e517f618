/* ks_dist.h - a distribution of non-negative values (seconds), read once
 * in any order, in memory that does not grow with their number: exact up
 * to KS_DIST_EXACT_MAX values, a log-binned histogram beyond.
 *
 * Exact: the values themselves; ranks, percentiles and the mean are what
 * the sorted values give (the mean summed in ascending order).
 *
 * Binned: the histogram of DDSketch (Masson, Rim and Lee, "DDSketch: a
 * fast and fully-mergeable quantile sketch with relative-error
 * guarantees", VLDB 2019).  A value v > 0 goes to the bin k with
 * gamma^(k-1) < v <= gamma^k, gamma = (1 + a) / (1 - a), a =
 * KS_DIST_RELATIVE_ERROR; the bin stands for 2 gamma^k / (gamma + 1), which
 * is within a relative a of every value in it.  So the value at any rank
 * (a percentile, a step of a CDF) is within a x the true value at that
 * rank, clamped to the exact smallest and largest.  Zeros are counted
 * apart and are exact; count, smallest, largest and mean are exact (the
 * mean up to rounding: a compensated sum in the order the values came).
 * The bins span 1e-10 to 1e10 (kasim's times are whole nanoseconds, at
 * most 2^63 ns = 9.2e9 s) and are allocated 1024 (8 KiB) at a time where
 * values fall: a page spans 23% of range, 12 pages a decade, at most 225
 * pages (1.8 MiB).
 *
 * Two distributions merge exactly as if their values had been added to
 * one (the bins of both add up), so per-cell histograms pool across seeds.
 */
#ifndef KASIM_KS_DIST_H
#define KASIM_KS_DIST_H

#include <glib.h>
#include <json-glib/json-glib.h>

#define KS_DIST_EXACT_MAX 100000
#define KS_DIST_RELATIVE_ERROR 1e-4

typedef struct ks_dist ks_dist;

ks_dist *ks_dist_new(void);
void ks_dist_free(ks_dist *d);

/* v >= 0 and finite (anything else is counted as 0 or as the largest bin
 * is not promised: callers pass times).  Past KS_DIST_EXACT_MAX values the
 * distribution turns binned. */
void ks_dist_add(ks_dist *d, double v);
/* Turns the distribution binned now, whatever its size (a caller that
 * keeps several under one budget). */
void ks_dist_bin(ks_dist *d);
/* Adds every value of `from` to d. */
void ks_dist_merge(ks_dist *d, const ks_dist *from);
/* Sorts an exact distribution's values; queries below need it after the
 * last add or merge (a binned one is always ready). */
void ks_dist_finish(ks_dist *d);

guint64 ks_dist_count(const ks_dist *d);
gboolean ks_dist_exact(const ks_dist *d);
/* NAN when empty. */
double ks_dist_min(const ks_dist *d);
double ks_dist_max(const ks_dist *d);
double ks_dist_mean(const ks_dist *d);
/* The sum of squared differences from the mean (n - 1 times the sample
 * variance); NAN when empty. */
double ks_dist_m2(const ks_dist *d);
/* The value at 1-based rank r of the sorted values (1 <= r <= count);
 * NAN out of range. */
double ks_dist_rank(const ks_dist *d, guint64 r);
/* Nearest-rank percentile, p in percent: the value at rank
 * ceil(p/100 x n), at least 1 (ks_metrics.h); NAN when empty. */
double ks_dist_percentile(const ks_dist *d, double p);
/* The exact values, sorted; NULL when binned. */
const double *ks_dist_values(const ks_dist *d);

/* Every distinct value (exact) or non-empty bin (binned) in ascending
 * order, with how many values it holds. */
typedef void (*ks_dist_step_fn)(double v, guint64 n, void *ud);
void ks_dist_foreach(const ks_dist *d, ks_dist_step_fn fn, void *ud);

/* As JSON: an exact distribution as the array of its sorted values, a
 * binned one as an object (docs/output.md, "cell.json").  _from_json
 * reads either; NULL with an error saying what is wrong. */
void ks_dist_to_json(const ks_dist *d, JsonBuilder *b);
ks_dist *ks_dist_from_json(JsonNode *n, GError **error);

#endif
