/* ks_stats.c - confidence intervals for a sweep's cells (ks_stats.h). */
#include "ks_stats.h"

#include <math.h>

double ks_stats_t975(guint df) {
  /* Two-sided 95% points of Student's t (any statistics table). */
  static const double table[] = {12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060,
                                 2.2622,  2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199,
                                 2.1098,  2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639,
                                 2.0595,  2.0555, 2.0518, 2.0484, 2.0452, 2.0423};
  if (df == 0)
    return NAN;
  if (df <= G_N_ELEMENTS(table))
    return table[df - 1];
  double z = KS_STATS_Z, n = df;
  double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n);
}

void ks_stats_mean_ci_m2(gsize n, double mean, double m2, double *lo, double *hi) {
  *lo = *hi = NAN;
  if (n < 2)
    return;
  double half = ks_stats_t975((guint)MIN(n - 1, G_MAXUINT)) * sqrt(m2 / (double)(n - 1)) /
                sqrt((double)n);
  *lo = mean - half;
  *hi = mean + half;
}

void ks_stats_mean_ci(const double *v, gsize n, double *mean, double *lo, double *hi) {
  *mean = *lo = *hi = NAN;
  if (n == 0)
    return;
  double sum = 0;
  for (gsize i = 0; i < n; i++)
    sum += v[i];
  *mean = sum / (double)n;
  double ss = 0;
  for (gsize i = 0; i < n; i++)
    ss += (v[i] - *mean) * (v[i] - *mean);
  ks_stats_mean_ci_m2(n, *mean, ss, lo, hi);
}

/* log of the Binomial(n, q) probability of exactly i. */
static double log_pmf(gsize n, gsize i, double q) {
  return lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) +
         (double)i * log(q) + (double)(n - i) * log1p(-q);
}

void ks_stats_quantile_ranks(gsize n, double q, gsize *est, gsize *lo, gsize *hi) {
  *est = *lo = *hi = 0;
  if (n == 0)
    return;
  gsize rank = (gsize)ceil(q * (double)n - 1e-9); /* nearest rank, 1-based */
  *est = CLAMP(rank, 1, n);
  /* F(j) = P(B <= j), B ~ Binomial(n, q): P(x(l) <= Q) >= 1 - F(l-1) and
   * P(Q <= x(u)) >= F(u-1).  l: the largest rank with F(l-1) <= 0.025;
   * u: the smallest with F(u-1) >= 0.975. */
  gsize l = 0, u = n + 1;
  double cdf = 0;
  for (gsize j = 0; j <= n; j++) {
    cdf += q >= 1 ? (j == n) : exp(log_pmf(n, j, q));
    if (cdf <= 0.025)
      l = j + 1; /* F(l-1) = F(j) <= 0.025 */
    if (cdf >= 0.975) {
      u = j + 1;
      break;
    }
  }
  *lo = l;
  *hi = MIN(u, n + 1);
}

void ks_stats_quantile_ci(const double *sorted, gsize n, double q, double *est, double *lo,
                          double *hi) {
  *est = *lo = *hi = NAN;
  if (n == 0)
    return;
  gsize r, l, u;
  ks_stats_quantile_ranks(n, q, &r, &l, &u);
  *est = sorted[r - 1];
  *lo = l >= 1 ? sorted[l - 1] : -INFINITY;
  *hi = u <= n ? sorted[u - 1] : INFINITY;
}

void ks_stats_wilson(guint64 x, guint64 n, double *rate, double *lo, double *hi) {
  *rate = *lo = *hi = NAN;
  if (n == 0)
    return;
  double p = (double)x / (double)n, z = KS_STATS_Z, nn = (double)n;
  double d = 1 + z * z / nn;
  double c = (p + z * z / (2 * nn)) / d;
  double h = z / d * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
  *rate = p;
  /* At 0 or n the bound is exactly 0 or 1 (c - h and c + h are, but for
   * rounding). */
  *lo = x == 0 ? 0.0 : MAX(0.0, c - h);
  *hi = x == n ? 1.0 : MIN(1.0, c + h);
}
