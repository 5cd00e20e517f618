/* ks_plot_cdf.c - the distribution of detection latency (failure to
 * give-up), one step curve per group, so that "XP after 6605 s, Vista
 * after 6610 s" and "half of them within 5 min" are read off directly. */
#include <math.h>

#include "ks_plot_priv.h"

#define W KS_PLOT_CDF_W
#define H KS_PLOT_CDF_H
#define L 100.0
#define R 40.0
#define T 100.0
#define B 90.0

typedef struct cdf_draw {
  const ks_run_metrics *m;
  double lo, hi;
  gboolean log, zoom;
} cdf_draw;

static double xpos(const cdf_draw *d, double v) {
  double f = d->log ? (log10(v) - log10(d->lo)) / (log10(d->hi) - log10(d->lo))
                    : (v - d->lo) / (d->hi - d->lo);
  if (f < 0)
    f = 0;
  if (f > 1)
    f = 1;
  return L + f * (W - L - R);
}

static double ypos(double f) { return H - B - f * (H - T - B); }

/* A curve drawn step by step (ks_dist_foreach): (x, y) is where the pen
 * is, not yet drawn to. */
typedef struct cdf_curve {
  cairo_t *cr;
  const cdf_draw *d;
  guint64 n, below;
  double x, y;
} cdf_curve;

static void curve_step(double v, guint64 count, void *ud) {
  cdf_curve *c = ud;
  double x = xpos(c->d, v);
  if (fabs(x - c->x) >= 0.1) {
    cairo_line_to(c->cr, c->x, c->y);
    cairo_line_to(c->cr, x, c->y);
    c->x = x;
  }
  c->below += count;
  c->y = ypos((double)c->below / (double)c->n);
}

static void draw(cairo_t *cr, const void *data) {
  const cdf_draw *d = data;
  const ks_run_metrics *m = d->m;
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 22, TRUE);
  g_autofree char *title = g_strdup_printf("%s: how long until a failure is noticed", m->scenario);
  ksp_text(cr, W / 2.0, 18, 0.5, 0, title);
  ksp_font(cr, 15, FALSE);
  g_autofree char *p50 = ksp_fmt_seconds(m->latency_p50_s);
  g_autofree char *p95 = ksp_fmt_seconds(m->latency_p95_s);
  g_autofree char *mx = ksp_fmt_seconds(m->latency_max_s);
  g_autofree char *det = ksp_fmt_count(m->detected, FALSE);
  g_autofree char *fail = ksp_fmt_count(m->failed, FALSE);
  g_autofree char *und = ksp_fmt_count(m->undetected, FALSE);
  g_autofree char *fg = ksp_fmt_count(m->false_giveups, FALSE);
  g_autofree char *sub = g_strdup_printf(
    "%s detected of %s failed, %s undetected at the end; median %s, 95%% %s, max %s; "
    "%s false give-up%s not counted",
    det, fail, und, p50, p95, mx, fg, m->false_giveups == 1 ? "" : "s");
  /* Within the picture, whatever the counts' digits. */
  double sw = ksp_text_width(cr, sub);
  if (sw > W - 20)
    ksp_font(cr, 15 * (W - 20) / sw, FALSE);
  ksp_text(cr, W / 2.0, 54, 0.5, 0, sub);

  /* Grid and axes. */
  double ticks[64];
  guint nt;
  if (d->log) {
    nt = 0;
    for (double v = d->lo; v <= d->hi * 1.0001 && nt < 64; v *= 10)
      ticks[nt++] = v;
  } else {
    nt = ksp_ticks(d->lo, d->hi, 8, ticks, 64);
  }
  cairo_set_line_width(cr, 1);
  ksp_font(cr, 14, FALSE);
  for (guint i = 0; i < nt; i++) {
    double x = xpos(d, ticks[i]);
    ksp_rgb(cr, KSP_LIGHT);
    cairo_move_to(cr, x, T);
    cairo_line_to(cr, x, H - B);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    g_autofree char *s = ksp_fmt_seconds(ticks[i]);
    ksp_text(cr, x, H - B + 10, 0.5, 0, s);
  }
  for (int i = 0; i <= 4; i++) {
    double y = ypos(i / 4.0);
    ksp_rgb(cr, KSP_LIGHT);
    cairo_move_to(cr, L, y);
    cairo_line_to(cr, W - R, y);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    char s[16];
    g_snprintf(s, sizeof s, "%d%%", i * 25);
    ksp_text(cr, L - 10, y, 1, 0.5, s);
  }
  ksp_frame(cr, W, H, L, T, R, B,
            d->log    ? "detection latency: give-up time minus failure time (log scale)"
            : d->zoom ? "detection latency: give-up time minus failure time (axis not from 0)"
                      : "detection latency: give-up time minus failure time",
            30, "connections detected by then");

  /* The median and 95th percentile of all groups together. */
  double marks[2] = {m->latency_p50_s, m->latency_p95_s};
  const char *names[2] = {"median", "95%"};
  for (int k = 0; k < 2; k++) {
    if (isnan(marks[k]))
      continue;
    double x = xpos(d, marks[k]);
    ksp_rgb(cr, KSP_GREY);
    double dash[] = {6, 5};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, x, T);
    cairo_line_to(cr, x, H - B);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    ksp_font(cr, 13, FALSE);
    ksp_text(cr, x + 4, T + 6 + 16 * k, 0, 0, names[k]);
  }

  /* One step curve per group that detected something.  Steps closer
   * than a tenth of a pixel are drawn as one: a curve of 10^7 values has
   * as many points as the axis has pixels, and looks the same. */
  guint shown = 0;
  for (guint gi = 0; gi < m->groups->len; gi++) {
    const ks_group_metrics *g = m->groups->pdata[gi];
    if (ks_dist_count(g->latency) == 0)
      continue;
    ksp_rgb(cr, ksp_palette[shown++ % G_N_ELEMENTS(ksp_palette)]);
    cairo_set_line_width(cr, 3);
    cdf_curve c = {.cr = cr, .d = d, .n = ks_dist_count(g->latency), .x = L, .y = ypos(0)};
    cairo_move_to(cr, c.x, c.y);
    ks_dist_foreach(g->latency, curve_step, &c);
    cairo_line_to(cr, c.x, c.y);
    cairo_line_to(cr, W - R, ypos(1));
    cairo_stroke(cr);
  }
  GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
  for (guint gi = 0; gi < m->groups->len; gi++) {
    const ks_group_metrics *g = m->groups->pdata[gi];
    if (ks_dist_count(g->latency) == 0)
      continue;
    g_autofree char *gp50 = ksp_fmt_seconds(g->latency_p50_s);
    g_autofree char *gn = ksp_fmt_count((double)ks_dist_count(g->latency), FALSE);
    char *s = g_strdup_printf("%s (%s): %s detected, median %s", g->name, g->profile, gn, gp50);
    g_ptr_array_add(labels, s);
  }
  if (!ks_dist_exact(m->latency)) {
    ksp_font(cr, 13, FALSE);
    ksp_rgb(cr, KSP_GREY);
    g_autofree char *lim = ksp_fmt_count(KS_DIST_EXACT_MAX, FALSE);
    g_autofree char *note = g_strdup_printf(
      "over %s detections the curves are binned, each step within %g%% of its value; %s", lim,
      KS_DIST_RELATIVE_ERROR * 100,
      m->latency_exact ? "median, 95% and max are exact" : "so are median and 95%; max is exact");
    ksp_text(cr, W / 2.0, H - 14, 0.5, 0.5, note);
  }
  /* The legend goes bottom right, over the curves rather than under
   * them: a CDF climbs from the bottom left, so that corner is empty until
   * its last step. */
  guint rows = MIN(labels->len, 16u);
  ksp_legend(cr, W - R - 16, H - B - 16, labels, rows);
  g_ptr_array_unref(labels);
}

gboolean ks_plot_cdf(const ks_run_metrics *m, ks_plot_images *out, GError **error) {
  if (ks_dist_count(m->latency) == 0) {
    g_set_error(error, KS_METRICS_ERROR, 0, "no connection was detected failing: no CDF to draw");
    return FALSE;
  }
  cdf_draw d = {.m = m};
  double lo = ks_dist_min(m->latency), hi = m->latency_max_s;
  /* Milliseconds next to hours (a reset next to a 2-hour keep-alive) only
   * share an axis on a log scale. */
  d.log = lo > 0 && hi / lo >= 100;
  if (d.log) {
    d.lo = pow(10, floor(log10(lo)));
    d.hi = pow(10, ceil(log10(hi)));
  } else {
    double t[64];
    d.lo = 0;
    d.hi = hi > 0 ? hi * 1.08 : 1;
    /* Latencies bunched far from zero (XP's 6605 s beside Vista's 6610 s)
     * would be one line on an axis from 0: zoom onto them. */
    if (hi > 0 && hi - lo < 0.2 * hi) {
      double pad = hi > lo ? (hi - lo) * 0.5 : MAX(hi * 0.001, 0.5);
      d.lo = MAX(0, lo - pad);
      d.hi = hi + pad;
      d.zoom = TRUE;
    }
    guint n = ksp_ticks(d.lo, d.hi, 8, t, 64);
    if (n > 1 && t[0] > d.lo) /* start and end on round ticks */
      d.lo = t[0] - (t[1] - t[0]);
    if (n > 0 && t[n - 1] < d.hi)
      d.hi = t[n - 1] + (n > 1 ? t[1] - t[0] : d.hi);
    if (d.lo < 0)
      d.lo = 0;
  }
  return ksp_render(W, H, draw, &d, out, error);
}
