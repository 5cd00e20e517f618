/* ks_stats.h - the statistics of a sweep's cells across seeds: confidence
 * intervals for a mean, for quantiles, and for a rate.  docs/sweep.md
 * ("Statistics") says which method and why.
 *
 *  - mean: Student's t interval, mean +- t(0.975, n-1) s / sqrt(n);
 *  - quantile q of n values: the distribution-free order-statistic
 *    interval [x(l), x(u)], l and u the ranks where the Binomial(n, q)
 *    CDF crosses 0.025 and 0.975, so that P(x(l) <= Q <= x(u)) >= 95%
 *    whatever the distribution; a bound beyond the data is infinite;
 *  - a rate x of n: Wilson's score interval at 95%.
 * Every interval is two-sided 95%, so each bound alone holds with 97.5%.
 */
#ifndef KASIM_KS_STATS_H
#define KASIM_KS_STATS_H

#include <glib.h>

/* z(0.975) */
#define KS_STATS_Z 1.959963984540054

/* t(0.975, df), df >= 1: a table to 30, then the Cornish-Fisher expansion
 * (within 1e-4 of the exact value beyond 30). */
double ks_stats_t975(guint df);

/* Mean and its interval of n values (any order).  With n < 2 the bounds
 * are NAN; with n == 0 the mean too. */
void ks_stats_mean_ci(const double *v, gsize n, double *mean, double *lo, double *hi);

/* The same from n, the mean and the sum of squared deviations from it
 * (a distribution too large to keep, ks_dist.h). */
void ks_stats_mean_ci_m2(gsize n, double mean, double m2, double *lo, double *hi);

/* The ranks behind ks_stats_quantile_ci, for values that are not all kept
 * (ks_dist.h): the estimate's (1 to n), and the interval's bounds, 0 for
 * "below the smallest" (-INFINITY) and n + 1 for "beyond the largest"
 * (INFINITY); all 0 when n == 0. */
void ks_stats_quantile_ranks(gsize n, double q, gsize *est, gsize *lo, gsize *hi);

/* Nearest-rank quantile q (0 < q <= 1) of n sorted values (ks_metrics.h's
 * rule) and its order-statistic interval.  NAN when n == 0; an upper
 * bound past the largest value is INFINITY, a lower bound before the
 * smallest -INFINITY.  Values may be INFINITY (never detected). */
void ks_stats_quantile_ci(const double *sorted, gsize n, double q, double *est, double *lo,
                          double *hi);

/* x of n as a rate and its Wilson interval; NAN when n == 0. */
void ks_stats_wilson(guint64 x, guint64 n, double *rate, double *lo, double *hi);

#endif
