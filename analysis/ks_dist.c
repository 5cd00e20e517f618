/* ks_dist.c - exact values, then DDSketch's log bins; see ks_dist.h. */
#include "ks_dist.h"

#include <math.h>
#include <string.h>

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-dist-error-quark, ks_dist_error)
// clang-format on
#define KS_DIST_ERROR (ks_dist_error_quark())

/* The bins: keys from key(1e-10) to key(1e10), pages of PAGE counts. */
#define LOWEST 1e-10
#define HIGHEST 1e10
#define PAGE 1024

struct ks_dist {
  guint64 n;
  double min, max;
  double sum, comp;  /* Neumaier's compensated sum, in the order added */
  double wmean, m2;  /* Welford's running mean and squared deviations */
  double exact_mean; /* exact: the sum in ascending order over n (finish) */
  double *v;         /* exact: the values; NULL once binned */
  guint64 len, cap;
  gboolean sorted, binned;
  guint64 zeros;
  guint64 **pages; /* binned: n_pages pointers, each NULL or PAGE counts */
  guint64 *page_n; /* binned: each page's total, so that a rank skips whole pages */
};

/* The mapping's constants, the same in every distribution. */
typedef struct mapping {
  double lg, inv_lg, gamma; /* ln gamma, its inverse, gamma */
  gint64 key_lo, key_hi;
  guint n_pages;
} mapping;

static const mapping *map(void) {
  static mapping m;
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    double a = KS_DIST_RELATIVE_ERROR;
    m.lg = log1p(a) - log1p(-a);
    m.inv_lg = 1 / m.lg;
    m.gamma = (1 + a) / (1 - a);
    m.key_lo = (gint64)ceil(log(LOWEST) * m.inv_lg);
    m.key_hi = (gint64)ceil(log(HIGHEST) * m.inv_lg);
    m.n_pages = (guint)((m.key_hi - m.key_lo) / PAGE + 1);
    g_once_init_leave(&once, 1);
  }
  return &m;
}

/* The bin of v > 0: gamma^(k-1) < v <= gamma^k, within the span. */
static gint64 key_of(const mapping *m, double v) {
  if (v <= LOWEST)
    return m->key_lo;
  if (v >= HIGHEST)
    return m->key_hi;
  gint64 k = (gint64)ceil(log(v) * m->inv_lg);
  return CLAMP(k, m->key_lo, m->key_hi);
}

/* What bin k stands for, within the exact extremes. */
static double value_of(const ks_dist *d, gint64 k) {
  const mapping *m = map();
  double v = 2 * exp((double)k * m->lg) / (m->gamma + 1);
  return CLAMP(v, d->min, d->max);
}

ks_dist *ks_dist_new(void) {
  ks_dist *d = g_new0(ks_dist, 1);
  d->min = d->max = NAN;
  d->exact_mean = NAN;
  d->sorted = TRUE;
  return d;
}

void ks_dist_free(ks_dist *d) {
  if (d == NULL)
    return;
  g_free(d->v);
  for (guint i = 0; d->pages && i < map()->n_pages; i++)
    g_free(d->pages[i]);
  g_free(d->pages);
  g_free(d->page_n);
  g_free(d);
}

static void bin_add(ks_dist *d, double v, guint64 count) {
  if (!(v > 0)) {
    d->zeros += count;
    return;
  }
  const mapping *m = map();
  guint64 b = (guint64)(key_of(m, v) - m->key_lo);
  guint64 **p = &d->pages[b / PAGE];
  if (*p == NULL)
    *p = g_new0(guint64, PAGE);
  (*p)[b % PAGE] += count;
  d->page_n[b / PAGE] += count;
}

void ks_dist_bin(ks_dist *d) {
  if (d->binned)
    return;
  d->binned = TRUE;
  d->pages = g_new0(guint64 *, map()->n_pages);
  d->page_n = g_new0(guint64, map()->n_pages);
  for (guint64 i = 0; i < d->len; i++)
    bin_add(d, d->v[i], 1);
  g_clear_pointer(&d->v, g_free);
  d->len = d->cap = 0;
  d->sorted = TRUE;
}

/* The running figures every value updates, exact or binned. */
static void stats_add(ks_dist *d, double v) {
  d->n++;
  if (d->n == 1 || v < d->min)
    d->min = v;
  if (d->n == 1 || v > d->max)
    d->max = v;
  double t = d->sum + v;
  d->comp += fabs(d->sum) >= fabs(v) ? (d->sum - t) + v : (v - t) + d->sum;
  d->sum = t;
  double delta = v - d->wmean;
  d->wmean += delta / (double)d->n;
  d->m2 += delta * (v - d->wmean);
}

void ks_dist_add(ks_dist *d, double v) {
  if (!(v > 0))
    v = 0;
  stats_add(d, v);
  if (d->binned) {
    bin_add(d, v, 1);
    return;
  }
  if (d->len == KS_DIST_EXACT_MAX) {
    ks_dist_bin(d);
    bin_add(d, v, 1);
    return;
  }
  if (d->len == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 64;
    if (d->cap > KS_DIST_EXACT_MAX)
      d->cap = KS_DIST_EXACT_MAX;
    d->v = g_renew(double, d->v, d->cap);
  }
  d->v[d->len++] = v;
  d->sorted = FALSE;
}

void ks_dist_merge(ks_dist *d, const ks_dist *from) {
  if (from->n == 0)
    return;
  if (!from->binned) {
    /* Value by value: exactly what adding them would have done. */
    for (guint64 i = 0; i < from->len; i++)
      ks_dist_add(d, from->v[i]);
    return;
  }
  ks_dist_bin(d);
  guint64 n = d->n + from->n;
  double delta = from->wmean - d->wmean;
  d->m2 += from->m2 + delta * delta * (double)d->n * (double)from->n / (double)n;
  d->wmean += delta * (double)from->n / (double)n;
  double s = from->sum + from->comp, t = d->sum + s;
  d->comp += fabs(d->sum) >= fabs(s) ? (d->sum - t) + s : (s - t) + d->sum;
  d->sum = t;
  d->min = d->n == 0 ? from->min : MIN(d->min, from->min);
  d->max = d->n == 0 ? from->max : MAX(d->max, from->max);
  d->n = n;
  d->zeros += from->zeros;
  for (guint i = 0; i < map()->n_pages; i++) {
    if (from->pages[i] == NULL)
      continue;
    if (d->pages[i] == NULL)
      d->pages[i] = g_new0(guint64, PAGE);
    for (guint k = 0; k < PAGE; k++)
      d->pages[i][k] += from->pages[i][k];
    d->page_n[i] += from->page_n[i];
  }
}

static int cmp_double(gconstpointer a, gconstpointer b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void ks_dist_finish(ks_dist *d) {
  if (d->binned || d->sorted)
    return;
  qsort(d->v, d->len, sizeof(double), cmp_double);
  d->sorted = TRUE;
  double sum = 0;
  for (guint64 i = 0; i < d->len; i++)
    sum += d->v[i];
  d->exact_mean = sum / (double)d->len;
}

guint64 ks_dist_count(const ks_dist *d) { return d->n; }

gboolean ks_dist_exact(const ks_dist *d) { return !d->binned; }

double ks_dist_min(const ks_dist *d) { return d->n ? d->min : NAN; }

double ks_dist_max(const ks_dist *d) { return d->n ? d->max : NAN; }

double ks_dist_mean(const ks_dist *d) {
  if (d->n == 0)
    return NAN;
  g_return_val_if_fail(d->sorted, NAN);
  return d->binned ? (d->sum + d->comp) / (double)d->n : d->exact_mean;
}

double ks_dist_m2(const ks_dist *d) { return d->n ? d->m2 : NAN; }

const double *ks_dist_values(const ks_dist *d) {
  g_return_val_if_fail(d->sorted, NULL);
  return d->binned ? NULL : d->v;
}

double ks_dist_rank(const ks_dist *d, guint64 r) {
  if (r < 1 || r > d->n)
    return NAN;
  g_return_val_if_fail(d->sorted, NAN);
  if (!d->binned)
    return d->v[r - 1];
  if (r <= d->zeros)
    return 0;
  guint64 seen = d->zeros;
  const mapping *m = map();
  for (guint i = 0; i < m->n_pages; i++) {
    if (seen + d->page_n[i] < r) {
      seen += d->page_n[i];
      continue;
    }
    for (guint k = 0; k < PAGE; k++) {
      seen += d->pages[i][k];
      if (seen >= r)
        return value_of(d, m->key_lo + (gint64)i * PAGE + k);
    }
  }
  return d->max; /* not reached: the bins hold n - zeros values */
}

double ks_dist_percentile(const ks_dist *d, double p) {
  if (d->n == 0)
    return NAN;
  double rank = ceil(p / 100.0 * (double)d->n);
  guint64 r = rank < 1 ? 1 : (guint64)rank;
  return ks_dist_rank(d, MIN(r, d->n));
}

void ks_dist_foreach(const ks_dist *d, ks_dist_step_fn fn, void *ud) {
  g_return_if_fail(d->sorted);
  if (!d->binned) {
    for (guint64 i = 0; i < d->len;) {
      guint64 j = i + 1;
      while (j < d->len && d->v[j] == d->v[i])
        j++;
      fn(d->v[i], j - i, ud);
      i = j;
    }
    return;
  }
  if (d->zeros)
    fn(0, d->zeros, ud);
  const mapping *m = map();
  for (guint i = 0; i < m->n_pages; i++)
    for (guint k = 0; d->pages[i] && k < PAGE; k++)
      if (d->pages[i][k])
        fn(value_of(d, m->key_lo + (gint64)i * PAGE + k), d->pages[i][k], ud);
}

/* --- JSON. -------------------------------------------------------------- */

static void member_double(JsonBuilder *b, const char *k, double v) {
  json_builder_set_member_name(b, k);
  json_builder_add_double_value(b, v);
}

static void member_int(JsonBuilder *b, const char *k, guint64 v) {
  json_builder_set_member_name(b, k);
  json_builder_add_int_value(b, (gint64)v);
}

void ks_dist_to_json(const ks_dist *d, JsonBuilder *b) {
  g_return_if_fail(d->sorted);
  if (!d->binned) {
    json_builder_begin_array(b);
    for (guint64 i = 0; i < d->len; i++)
      json_builder_add_double_value(b, d->v[i]);
    json_builder_end_array(b);
    return;
  }
  json_builder_begin_object(b);
  member_double(b, "relative_error", KS_DIST_RELATIVE_ERROR);
  member_int(b, "count", d->n);
  member_int(b, "zeros", d->zeros);
  member_double(b, "min", d->min);
  member_double(b, "max", d->max);
  member_double(b, "sum", d->sum + d->comp);
  member_double(b, "m2", d->m2);
  /* [key, count] for each bin that holds something: value k stands for
   * 2 gamma^k / (gamma + 1). */
  json_builder_set_member_name(b, "bins");
  json_builder_begin_array(b);
  const mapping *m = map();
  for (guint i = 0; i < m->n_pages; i++)
    for (guint k = 0; d->pages[i] && k < PAGE; k++)
      if (d->pages[i][k]) {
        json_builder_begin_array(b);
        json_builder_add_int_value(b, m->key_lo + (gint64)i * PAGE + k);
        json_builder_add_int_value(b, (gint64)d->pages[i][k]);
        json_builder_end_array(b);
      }
  json_builder_end_array(b);
  json_builder_end_object(b);
}

static gboolean is_num(JsonNode *n) {
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return FALSE;
  GType t = json_node_get_value_type(n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

static gboolean is_int(JsonNode *n) {
  return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64 &&
         json_node_get_int(n) >= 0;
}

ks_dist *ks_dist_from_json(JsonNode *n, GError **error) {
  ks_dist *d = ks_dist_new();
  if (n && JSON_NODE_HOLDS_ARRAY(n)) {
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
      JsonNode *e = json_array_get_element(a, i);
      double v = is_num(e) ? json_node_get_double(e) : NAN;
      if (!(v >= 0) || isinf(v)) {
        g_set_error(error, KS_DIST_ERROR, 0, "value %u is not a number of seconds", i);
        ks_dist_free(d);
        return NULL;
      }
      ks_dist_add(d, v);
    }
    ks_dist_finish(d);
    return d;
  }
  JsonObject *o = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
  const char *keys[] = {"relative_error", "count", "zeros", "min", "max", "sum", "m2"};
  for (guint i = 0; o && i < G_N_ELEMENTS(keys); i++)
    if (!is_num(json_object_get_member(o, keys[i])))
      o = NULL;
  JsonNode *bn = o ? json_object_get_member(o, "bins") : NULL;
  if (o == NULL || bn == NULL || !JSON_NODE_HOLDS_ARRAY(bn)) {
    g_set_error(error, KS_DIST_ERROR, 0, "not a list of values nor a histogram");
    ks_dist_free(d);
    return NULL;
  }
  if (json_object_get_double_member(o, "relative_error") != KS_DIST_RELATIVE_ERROR) {
    g_set_error(error, KS_DIST_ERROR, 0, "a histogram of relative error %g, not %g",
                json_object_get_double_member(o, "relative_error"), KS_DIST_RELATIVE_ERROR);
    ks_dist_free(d);
    return NULL;
  }
  ks_dist_bin(d);
  const mapping *m = map();
  JsonArray *bins = json_node_get_array(bn);
  guint64 total = 0;
  gboolean ok = is_int(json_object_get_member(o, "count")) &&
                is_int(json_object_get_member(o, "zeros"));
  for (guint i = 0; ok && i < json_array_get_length(bins); i++) {
    JsonNode *e = json_array_get_element(bins, i);
    JsonArray *kc = JSON_NODE_HOLDS_ARRAY(e) ? json_node_get_array(e) : NULL;
    ok = kc && json_array_get_length(kc) == 2 &&
         JSON_NODE_HOLDS_VALUE(json_array_get_element(kc, 0)) &&
         json_node_get_value_type(json_array_get_element(kc, 0)) == G_TYPE_INT64 &&
         is_int(json_array_get_element(kc, 1));
    gint64 k = ok ? json_array_get_int_element(kc, 0) : 0;
    ok = ok && k >= m->key_lo && k <= m->key_hi;
    if (ok) {
      guint64 b = (guint64)(k - m->key_lo), c = (guint64)json_array_get_int_element(kc, 1);
      guint64 **p = &d->pages[b / PAGE];
      if (*p == NULL)
        *p = g_new0(guint64, PAGE);
      (*p)[b % PAGE] += c;
      d->page_n[b / PAGE] += c;
      total += c;
    }
  }
  d->n = ok ? (guint64)json_object_get_int_member(o, "count") : 0;
  d->zeros = ok ? (guint64)json_object_get_int_member(o, "zeros") : 0;
  d->min = json_object_get_double_member(o, "min");
  d->max = json_object_get_double_member(o, "max");
  d->sum = json_object_get_double_member(o, "sum");
  d->m2 = json_object_get_double_member(o, "m2");
  d->wmean = d->n ? d->sum / (double)d->n : 0;
  if (!ok || total + d->zeros != d->n || d->n == 0 || !(d->min <= d->max) || d->min < 0) {
    g_set_error(error, KS_DIST_ERROR, 0, "a histogram whose bins do not add up to its count");
    ks_dist_free(d);
    return NULL;
  }
  return d;
}
