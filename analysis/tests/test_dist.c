/* test_dist.c - ks_dist: exact up to KS_DIST_EXACT_MAX values (the same
 * numbers as sorting them), binned beyond within the relative error it
 * states, on distributions whose every rank is known by construction. */
#include <math.h>
#include <string.h>

#include "ks_dist.h"
#include "ks_metrics.h"

/* |got - want| <= a x want, a = KS_DIST_RELATIVE_ERROR, and a margin of
 * 1e-12 relative for the rounding of log and exp. */
static void assert_within(double got, double want) {
  double bound = KS_DIST_RELATIVE_ERROR * want * (1 + 1e-12) + 1e-300;
  if (!(fabs(got - want) <= bound))
    g_error("%.17g is not within %g of %.17g", got, bound, want);
}

static int cmp_double(gconstpointer a, gconstpointer b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Up to the limit: every rank, percentile and the mean are those of the
 * sorted values (ks_percentile, and the sum in ascending order). */
static void test_exact(void) {
  ks_dist *d = ks_dist_new();
  GArray *a = g_array_new(FALSE, FALSE, sizeof(double));
  guint32 x = 12345;
  for (guint i = 0; i < KS_DIST_EXACT_MAX; i++) {
    x = x * 1103515245u + 12345u; /* any order, any values: an LCG */
    double v = (x >> 8) / 1000.0;
    ks_dist_add(d, v);
    g_array_append_val(a, v);
  }
  ks_dist_finish(d);
  g_array_sort(a, cmp_double);
  g_assert_true(ks_dist_exact(d));
  g_assert_cmpuint(ks_dist_count(d), ==, KS_DIST_EXACT_MAX);
  double sum = 0;
  for (guint i = 0; i < a->len; i++) {
    g_assert_cmpfloat(ks_dist_rank(d, i + 1), ==, g_array_index(a, double, i));
    sum += g_array_index(a, double, i);
  }
  g_assert_cmpfloat(ks_dist_mean(d), ==, sum / a->len);
  for (double p = 0; p <= 100; p += 0.5)
    g_assert_cmpfloat(ks_dist_percentile(d, p), ==, ks_percentile(a, p));
  g_assert_cmpfloat(ks_dist_min(d), ==, g_array_index(a, double, 0));
  g_assert_cmpfloat(ks_dist_max(d), ==, g_array_index(a, double, a->len - 1));
  g_assert_true(memcmp(ks_dist_values(d), a->data, a->len * sizeof(double)) == 0);
  /* One more value and it is binned. */
  ks_dist_add(d, 1);
  g_assert_false(ks_dist_exact(d));
  g_assert_null(ks_dist_values(d));
  g_array_unref(a);
  ks_dist_free(d);
  /* Empty: NAN throughout. */
  d = ks_dist_new();
  ks_dist_finish(d);
  g_assert_true(isnan(ks_dist_percentile(d, 50)) && isnan(ks_dist_mean(d)) &&
                isnan(ks_dist_min(d)) && isnan(ks_dist_rank(d, 1)));
  ks_dist_free(d);
}

/* 1, 2, ..., n added backwards: the value at rank r is r, the p-th
 * percentile ceil(p/100 n), the mean (n + 1) / 2, the sum of squared
 * deviations n (n^2 - 1) / 12. */
static void test_binned_ramp(void) {
  const guint n = 1000000;
  ks_dist *d = ks_dist_new();
  for (guint i = n; i >= 1; i--)
    ks_dist_add(d, i);
  ks_dist_finish(d);
  g_assert_false(ks_dist_exact(d));
  g_assert_cmpuint(ks_dist_count(d), ==, n);
  g_assert_cmpfloat(ks_dist_min(d), ==, 1);
  g_assert_cmpfloat(ks_dist_max(d), ==, n);
  g_assert_cmpfloat(ks_dist_mean(d), ==, (n + 1) / 2.0);
  g_assert_cmpfloat_with_epsilon(ks_dist_m2(d) / ((double)n * ((double)n * n - 1) / 12), 1, 1e-9);
  for (guint r = 1; r <= n; r += 997)
    assert_within(ks_dist_rank(d, r), r);
  assert_within(ks_dist_rank(d, n), n);
  for (double p = 0.1; p <= 100; p += 0.1) /* the rank as ks_metrics.h defines it */
    assert_within(ks_dist_percentile(d, p), MIN(ceil(p / 100.0 * n), n));
  ks_dist_free(d);
}

/* Values over 18 decades, 1e-9 s (a nanosecond) to 1e9 s, each 10^(k/1000)
 * for k = -9000 .. 9000, added in a scrambled order, and 5 zeros: rank r is
 * 0 for r <= 5, else 10^((r - 6 - 9000)/1000). */
static void test_binned_decades(void) {
  ks_dist *d = ks_dist_new();
  for (int i = 0; i < 5; i++)
    ks_dist_add(d, 0);
  const int n = 18001;
  for (int i = 0; i < n; i++) {
    int k = (int)(((guint64)i * 7919) % (guint64)n) - 9000; /* a permutation: 7919 is prime */
    ks_dist_add(d, pow(10, k / 1000.0));
  }
  for (int i = 0; i < KS_DIST_EXACT_MAX; i++) /* past the limit: the same values again */
    ks_dist_add(d, pow(10, (i % n - 9000) / 1000.0));
  ks_dist_finish(d);
  g_assert_false(ks_dist_exact(d));
  g_assert_cmpfloat(ks_dist_rank(d, 1), ==, 0);
  g_assert_cmpfloat(ks_dist_rank(d, 5), ==, 0);
  g_assert_cmpfloat(ks_dist_min(d), ==, 0);
  g_assert_cmpfloat(ks_dist_max(d), ==, 1e9);
  /* Every value appears c times, c = 1 + copies in the second round: the
   * j-th distinct value (0-based) ends at rank 5 + sum of the counts up to
   * it. */
  guint64 rank = 5;
  for (int j = 0; j < n; j++) {
    guint64 c = 1 + KS_DIST_EXACT_MAX / n + (j < KS_DIST_EXACT_MAX % n);
    double v = pow(10, (j - 9000) / 1000.0);
    assert_within(ks_dist_rank(d, rank + 1), v);
    rank += c;
    assert_within(ks_dist_rank(d, rank), v);
  }
  g_assert_cmpuint(rank, ==, ks_dist_count(d));
  ks_dist_free(d);
}

typedef struct steps {
  guint64 n;
  double last;
  gboolean ascending;
} steps;

static void step(double v, guint64 n, void *ud) {
  steps *s = ud;
  s->ascending &= s->n == 0 || v >= s->last;
  s->last = v;
  s->n += n;
}

/* Two halves merged are the whole: the same count, extremes and every
 * rank; exact halves stay exact while they fit. */
static void test_merge(void) {
  ks_dist *a = ks_dist_new(), *b = ks_dist_new(), *all = ks_dist_new();
  for (guint i = 1; i <= 300000; i++) {
    double v = 1000 + (i * 37 % 300000) / 100.0;
    ks_dist_add(i % 2 ? a : b, v);
    ks_dist_add(all, v);
  }
  ks_dist_merge(a, b);
  ks_dist_finish(a);
  ks_dist_finish(all);
  g_assert_cmpuint(ks_dist_count(a), ==, ks_dist_count(all));
  g_assert_cmpfloat(ks_dist_min(a), ==, ks_dist_min(all));
  g_assert_cmpfloat(ks_dist_max(a), ==, ks_dist_max(all));
  g_assert_cmpfloat_with_epsilon(ks_dist_mean(a), ks_dist_mean(all), 1e-9);
  g_assert_cmpfloat_with_epsilon(ks_dist_m2(a) / ks_dist_m2(all), 1, 1e-9);
  for (guint64 r = 1; r <= ks_dist_count(all); r += 101)
    g_assert_cmpfloat(ks_dist_rank(a, r), ==, ks_dist_rank(all, r));
  steps s = {.ascending = TRUE};
  ks_dist_foreach(a, step, &s);
  g_assert_true(s.ascending);
  g_assert_cmpuint(s.n, ==, 300000);
  ks_dist_free(a);
  ks_dist_free(b);
  ks_dist_free(all);
  a = ks_dist_new();
  b = ks_dist_new();
  ks_dist_add(a, 2);
  ks_dist_add(b, 1);
  ks_dist_add(b, 1);
  ks_dist_merge(a, b);
  ks_dist_finish(a);
  g_assert_true(ks_dist_exact(a));
  g_assert_cmpfloat(ks_dist_rank(a, 1), ==, 1);
  g_assert_cmpfloat(ks_dist_rank(a, 3), ==, 2);
  s = (steps){.ascending = TRUE};
  ks_dist_foreach(a, step, &s);
  g_assert_cmpuint(s.n, ==, 3);
  ks_dist_free(a);
  ks_dist_free(b);
}

static ks_dist *round_trip(const ks_dist *d) {
  JsonBuilder *b = json_builder_new();
  ks_dist_to_json(d, b);
  JsonNode *n = json_builder_get_root(b);
  GError *error = NULL;
  ks_dist *back = ks_dist_from_json(n, &error);
  g_assert_no_error(error);
  json_node_unref(n);
  g_object_unref(b);
  return back;
}

static void expect_refused(const char *json, const char *why) {
  JsonNode *n = json_from_string(json, NULL);
  GError *error = NULL;
  g_assert_null(ks_dist_from_json(n, &error));
  g_assert_nonnull(strstr(error->message, why));
  g_clear_error(&error);
  json_node_unref(n);
}

/* What a sweep's cell.json holds: the values, or the histogram, read back
 * to the same ranks; anything else refused. */
static void test_json(void) {
  ks_dist *d = ks_dist_new();
  ks_dist_add(d, 3.5);
  ks_dist_add(d, 0.25);
  ks_dist_finish(d);
  ks_dist *back = round_trip(d);
  g_assert_true(ks_dist_exact(back));
  g_assert_cmpfloat(ks_dist_rank(back, 1), ==, 0.25);
  g_assert_cmpfloat(ks_dist_rank(back, 2), ==, 3.5);
  ks_dist_free(back);
  for (guint i = 0; i < 2 * KS_DIST_EXACT_MAX; i++)
    ks_dist_add(d, i % 7 == 0 ? 0 : 7200 + i / 1000.0);
  ks_dist_finish(d);
  back = round_trip(d);
  g_assert_false(ks_dist_exact(back));
  g_assert_cmpuint(ks_dist_count(back), ==, ks_dist_count(d));
  g_assert_cmpfloat(ks_dist_max(back), ==, ks_dist_max(d));
  g_assert_cmpfloat_with_epsilon(ks_dist_mean(back), ks_dist_mean(d), 1e-9);
  for (guint64 r = 1; r <= ks_dist_count(d); r += 1009)
    g_assert_cmpfloat(ks_dist_rank(back, r), ==, ks_dist_rank(d, r));
  ks_dist_free(back);
  ks_dist_free(d);
  expect_refused("[1, -2]", "value 1");
  expect_refused("{\"count\": 1}", "not a list of values nor a histogram");
  expect_refused("{\"relative_error\": 0.01, \"count\": 1, \"zeros\": 0, \"min\": 1, \"max\": 1, "
                 "\"sum\": 1, \"m2\": 0, \"bins\": [[0, 1]]}",
                 "relative error 0.01");
  g_autofree char *short_bins = g_strdup_printf(
    "{\"relative_error\": %.17g, \"count\": 2, \"zeros\": 0, \"min\": 1, \"max\": 1, \"sum\": 2, "
    "\"m2\": 0, \"bins\": [[0, 1]]}",
    KS_DIST_RELATIVE_ERROR);
  expect_refused(short_bins, "do not add up");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/dist/exact", test_exact);
  g_test_add_func("/dist/binned-ramp", test_binned_ramp);
  g_test_add_func("/dist/binned-decades", test_binned_decades);
  g_test_add_func("/dist/merge", test_merge);
  g_test_add_func("/dist/json", test_json);
  return g_test_run();
}
