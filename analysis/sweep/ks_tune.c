/* ks_tune.c - constraints, the objective and the Pareto front over a
 * sweep's statistics (ks_tune.h). */
#include "ks_tune.h"

#include <math.h>
#include <string.h>

static const char *const names[KS_TUNE_N_METRICS] = {"detection_mean",    "detection_p50",
                                                     "detection_p95",     "detection_max",
                                                     "false_giveup_rate", "detected_rate",
                                                     "survival_rate",     "overhead"};

const char *ks_tune_metric_name(ks_tune_metric m) { return names[m]; }

int ks_tune_metric_find(const char *name, GError **error) {
  for (int i = 0; i < KS_TUNE_N_METRICS; i++)
    if (strcmp(name, names[i]) == 0)
      return i;
  if (strcmp(name, "detection_median") == 0)
    return KS_TUNE_DETECTION_P50;
  /* names[] has no NULL at its end: joined by count, not g_strjoinv. */
  GString *list = g_string_new(names[0]);
  for (int i = 1; i < KS_TUNE_N_METRICS; i++)
    g_string_append_printf(list, ", %s", names[i]);
  g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "unknown metric '%s' (one of: %s)",
              name, list->str);
  g_string_free(list, TRUE);
  return -1;
}

static gboolean is_detection(ks_tune_metric m) { return m <= KS_TUNE_DETECTION_MAX; }
static gboolean is_rate(ks_tune_metric m) {
  return m >= KS_TUNE_FALSE_GIVEUP_RATE && m <= KS_TUNE_SURVIVAL_RATE;
}

void ks_tune_constraint_free(ks_tune_constraint *c) {
  if (c) {
    g_free(c->text);
    g_free(c);
  }
}

#define BAD(pos, ...)                                                              \
  do {                                                                             \
    g_autofree char *why = g_strdup_printf(__VA_ARGS__);                           \
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,                     \
                "--require '%s': at character %d: %s", text, (int)(pos) + 1, why); \
    goto fail;                                                                     \
  } while (0)

ks_tune_constraint *ks_tune_parse(const char *text, GError **error) {
  ks_tune_constraint *c = g_new0(ks_tune_constraint, 1);
  char *metric = NULL, *u = NULL;
  c->text = g_strdup(text);
  const char *p = text;
  while (*p == ' ')
    p++;
  const char *name = p;
  while (g_ascii_isalnum(*p) || *p == '_')
    p++;
  if (p == name)
    BAD(p - text, "expected a metric, as in 'detection_p95 <= 60s'");
  metric = g_strndup(name, (gsize)(p - name));
  GError *e = NULL;
  int m = ks_tune_metric_find(metric, &e);
  if (m < 0) {
    g_autofree char *msg = g_strdup(e->message);
    g_error_free(e);
    BAD(name - text, "%s", msg);
  }
  c->metric = (ks_tune_metric)m;
  while (*p == ' ')
    p++;
  if (p[0] == '<' || p[0] == '>') {
    c->at_most = p[0] == '<';
    c->strict = p[1] != '=';
    p += c->strict ? 1 : 2;
  } else {
    BAD(p - text, "expected <=, <, >= or > after %s", metric);
  }
  while (*p == ' ')
    p++;
  char *end = NULL;
  double v = g_ascii_strtod(p, &end);
  if (end == p || !isfinite(v) || v < 0)
    BAD(p - text, "expected a number that is not negative");
  const char *unit = end;
  while (*end == ' ')
    end++;
  unit = end;
  const char *tail = unit + strlen(unit);
  while (tail > unit && tail[-1] == ' ')
    tail--;
  u = g_strndup(unit, (gsize)(tail - unit));
  if (is_detection(c->metric)) {
    if (*u == '\0' || strcmp(u, "s") == 0)
      ;
    else if (strcmp(u, "ms") == 0)
      v /= 1000;
    else if (strcmp(u, "min") == 0 || strcmp(u, "m") == 0)
      v *= 60;
    else if (strcmp(u, "h") == 0)
      v *= 3600;
    else
      BAD(unit - text, "unknown unit '%s' for a time (s, ms, min, h)", u);
  } else if (is_rate(c->metric)) {
    if (strcmp(u, "%") == 0)
      v /= 100;
    else if (*u != '\0')
      BAD(unit - text, "unknown unit '%s' for a rate (a fraction, or %%)", u);
    if (v > 1)
      BAD(p - text, "a rate is at most 1 (100%%)");
  } else if (*u != '\0' && strcmp(u, "B/s") != 0) {
    BAD(unit - text, "unknown unit '%s' for overhead (B/s per connection)", u);
  }
  /* The unit can take a finite number past the largest double:
   * 1e308h. */
  if (!isfinite(v))
    BAD(p - text, "too large a number");
  c->value = v;
  g_free(metric);
  g_free(u);
  return c;
fail:
  g_free(metric);
  g_free(u);
  ks_tune_constraint_free(c);
  return NULL;
}

void ks_tune_value(const ks_sweep_stat *st, ks_tune_metric m, double v[3]) {
  const double *t = NULL;
  switch (m) {
  case KS_TUNE_DETECTION_MEAN: t = st->detection_mean; break;
  case KS_TUNE_DETECTION_P50: t = st->detection_p50; break;
  case KS_TUNE_DETECTION_P95: t = st->detection_p95; break;
  case KS_TUNE_FALSE_GIVEUP_RATE: t = st->false_giveup_rate; break;
  case KS_TUNE_DETECTED_RATE: t = st->detected_rate; break;
  case KS_TUNE_SURVIVAL_RATE: t = st->survival_rate; break;
  case KS_TUNE_OVERHEAD: t = st->overhead; break;
  case KS_TUNE_DETECTION_MAX:
  default: v[0] = v[1] = v[2] = st->detection_max; return;
  }
  v[0] = t[0];
  /* One seed: no interval for the overhead; the value stands for both. */
  v[1] = isnan(t[1]) ? t[0] : t[1];
  v[2] = isnan(t[2]) ? t[0] : t[2];
}

gboolean ks_tune_meets(const ks_sweep_stat *st, const ks_tune_constraint *c) {
  double v[3];
  ks_tune_value(st, c->metric, v);
  double bound = c->at_most ? v[2] : v[1];
  if (isnan(bound))
    return FALSE;
  if (c->at_most)
    return c->strict ? bound < c->value : bound <= c->value;
  return c->strict ? bound > c->value : bound >= c->value;
}

gboolean *ks_tune_pareto(const ks_sweep_stat *st, guint n) {
  gboolean *front = g_new0(gboolean, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    double a[3] = {st[i].detection_p95[0], st[i].overhead[0], st[i].false_giveup_rate[0]};
    if (isnan(a[0]) || isnan(a[1]) || isnan(a[2]))
      continue;
    gboolean dominated = FALSE;
    for (guint j = 0; j < n && !dominated; j++) {
      double b[3] = {st[j].detection_p95[0], st[j].overhead[0], st[j].false_giveup_rate[0]};
      if (j == i || isnan(b[0]) || isnan(b[1]) || isnan(b[2]))
        continue;
      gboolean le = TRUE, lt = FALSE;
      for (int d = 0; d < 3; d++)
        le = le && b[d] <= a[d], lt = lt || b[d] < a[d];
      dominated = le && lt;
    }
    front[i] = !dominated;
  }
  return front;
}
