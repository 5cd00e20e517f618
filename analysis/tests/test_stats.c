/* test_stats.c - the intervals of a sweep's statistics (ks_stats.h), each
 * against a published or hand-worked value. */
#include <math.h>

#include "ks_stats.h"

/* Student's t(0.975, df) from any table: 12.7062 (1), 2.2281 (10), 2.0423
 * (30); beyond the table the expansion: 2.0003 (60), 1.9799 (120). */
static void test_t(void) {
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(1), 12.7062, 1e-4);
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(10), 2.2281, 1e-4);
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(30), 2.0423, 1e-4);
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(31), 2.0395, 1e-4);
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(60), 2.0003, 1e-4);
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(120), 1.9799, 1e-4);
  g_assert_cmpfloat_with_epsilon(ks_stats_t975(1000000), 1.95996, 1e-4);
}

/* {1, 2, 3, 4, 5}: mean 3, s = sqrt(2.5), t(4) = 2.7764: 3 +- 1.9632. */
static void test_mean(void) {
  const double v[] = {4, 1, 5, 2, 3};
  double m, lo, hi;
  ks_stats_mean_ci(v, 5, &m, &lo, &hi);
  g_assert_cmpfloat(m, ==, 3);
  g_assert_cmpfloat_with_epsilon(lo, 3 - 2.7764 * sqrt(2.5) / sqrt(5), 1e-9);
  g_assert_cmpfloat_with_epsilon(hi, 3 + 2.7764 * sqrt(2.5) / sqrt(5), 1e-9);
  ks_stats_mean_ci(v, 1, &m, &lo, &hi);
  g_assert_cmpfloat(m, ==, 4);
  g_assert_true(isnan(lo) && isnan(hi));
  ks_stats_mean_ci(v, 0, &m, &lo, &hi);
  g_assert_true(isnan(m));
}

/* 1..100: the median's 95% interval is [x(40), x(61)] (Conover, Practical
 * Nonparametric Statistics, the order-statistic table); the 95th
 * percentile's [x(90), x(100)].  With 59 values the 95th percentile has no
 * upper bound: all 59 fall below it with 0.95^59 = 4.8% > 2.5%.  With 3,
 * the median none either way: 0.5^3 = 12.5% > 2.5%. */
static void test_quantile(void) {
  double v[100];
  for (int i = 0; i < 100; i++)
    v[i] = i + 1;
  double e, lo, hi;
  ks_stats_quantile_ci(v, 100, 0.5, &e, &lo, &hi);
  g_assert_cmpfloat(e, ==, 50);
  g_assert_cmpfloat(lo, ==, 40);
  g_assert_cmpfloat(hi, ==, 61);
  ks_stats_quantile_ci(v, 100, 0.95, &e, &lo, &hi);
  g_assert_cmpfloat(e, ==, 95);
  g_assert_cmpfloat(lo, ==, 90);
  g_assert_cmpfloat(hi, ==, 100);
  ks_stats_quantile_ci(v, 59, 0.95, &e, &lo, &hi);
  g_assert_cmpfloat(e, ==, 57); /* nearest rank ceil(56.05) */
  g_assert_true(isinf(hi) && hi > 0);
  ks_stats_quantile_ci(v, 3, 0.5, &e, &lo, &hi);
  g_assert_cmpfloat(e, ==, 2);
  g_assert_true(isinf(lo) && lo < 0);
  g_assert_true(isinf(hi) && hi > 0);
  /* Never detected counts as infinitely late. */
  const double w[] = {10, 20, INFINITY};
  ks_stats_quantile_ci(w, 3, 0.95, &e, &lo, &hi);
  g_assert_true(isinf(e));
  ks_stats_quantile_ci(w, 0, 0.5, &e, &lo, &hi);
  g_assert_true(isnan(e));
}

/* Wilson's interval: 5 of 100 is [0.0215, 0.1118] (Newcombe 1998, Stat.
 * Med. 17:857, table I's method 3); 0 of n is [0, z^2 / (n + z^2)]. */
static void test_wilson(void) {
  double r, lo, hi;
  ks_stats_wilson(5, 100, &r, &lo, &hi);
  g_assert_cmpfloat(r, ==, 0.05);
  g_assert_cmpfloat_with_epsilon(lo, 0.0215, 5e-5);
  g_assert_cmpfloat_with_epsilon(hi, 0.1118, 5e-5);
  ks_stats_wilson(0, 30, &r, &lo, &hi);
  double z2 = KS_STATS_Z * KS_STATS_Z;
  g_assert_cmpfloat(lo, ==, 0);
  g_assert_cmpfloat_with_epsilon(hi, z2 / (30 + z2), 1e-12);
  for (guint64 n = 1; n <= 1000; n++) { /* exactly 0 and 1 at the ends, whatever n */
    ks_stats_wilson(0, n, &r, &lo, &hi);
    g_assert_cmpfloat(lo, ==, 0);
    ks_stats_wilson(n, n, &r, &lo, &hi);
    g_assert_cmpfloat(hi, ==, 1);
    g_assert_cmpfloat_with_epsilon(lo, (double)n / ((double)n + z2), 1e-12);
  }
  ks_stats_wilson(0, 0, &r, &lo, &hi);
  g_assert_true(isnan(r) && isnan(lo) && isnan(hi));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/stats/t", test_t);
  g_test_add_func("/stats/mean", test_mean);
  g_test_add_func("/stats/quantile", test_quantile);
  g_test_add_func("/stats/wilson", test_wilson);
  return g_test_run();
}
