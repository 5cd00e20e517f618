/* ks_plot_overhead.c - probe traffic against connection count, log-log:
 * the planner's question "what do N idle clients cost" is a point on a
 * straight line whose height is set by the keep-alive idle time. */
#include <math.h>

#include "ks_plot_priv.h"

#define W KS_PLOT_OVERHEAD_W
#define H KS_PLOT_OVERHEAD_H
#define L 120.0
#define R 40.0
#define T 100.0
#define B 90.0

typedef struct oh_draw {
  const char *title, *subtitle;
  const ks_overhead_series *s;
  guint n;
  double x_lo, x_hi, y_lo, y_hi; /* decades */
} oh_draw;

static double xpos(const oh_draw *d, double v) {
  return L + (log10(v) - d->x_lo) / (d->x_hi - d->x_lo) * (W - L - R);
}

static double ypos(const oh_draw *d, double v) {
  return H - B - (log10(v) - d->y_lo) / (d->y_hi - d->y_lo) * (H - T - B);
}

static void draw(cairo_t *cr, const void *data) {
  const oh_draw *d = data;
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 22, TRUE);
  ksp_text(cr, W / 2.0, 18, 0.5, 0, d->title);
  ksp_font(cr, 14, FALSE);
  if (d->subtitle)
    ksp_text(cr, W / 2.0, 54, 0.5, 0, d->subtitle);

  cairo_set_line_width(cr, 1);
  ksp_font(cr, 14, FALSE);
  for (double e = d->x_lo; e <= d->x_hi + 1e-9; e++) {
    double x = xpos(d, pow(10, e));
    ksp_rgb(cr, KSP_LIGHT);
    cairo_move_to(cr, x, T);
    cairo_line_to(cr, x, H - B);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    g_autofree char *s = ksp_fmt_count(pow(10, e), TRUE);
    ksp_text(cr, x, H - B + 10, 0.5, 0, s);
  }
  for (double e = d->y_lo; e <= d->y_hi + 1e-9; e++) {
    double y = ypos(d, pow(10, e));
    ksp_rgb(cr, KSP_LIGHT);
    cairo_move_to(cr, L, y);
    cairo_line_to(cr, W - R, y);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    g_autofree char *s = ksp_fmt_bytes_per_s(pow(10, e));
    ksp_text(cr, L - 10, y, 1, 0.5, s);
  }
  ksp_frame(cr, W, H, L, T, R, B, "idle connections (log scale)", 28,
            "probes + ACKs on the wire, bytes/s (log scale)");

  cairo_save(cr);
  cairo_rectangle(cr, L, T, W - L - R, H - T - B);
  cairo_clip(cr);
  double *ly = g_new0(double, d->n + 1);
  for (guint i = 0; i < d->n; i++) {
    const ks_overhead_series *s = &d->s[i];
    if (!(s->bytes_per_conn_s > 0))
      continue;
    ksp_rgb(cr, ksp_palette[i % G_N_ELEMENTS(ksp_palette)]);
    cairo_set_line_width(cr, 3);
    double a = pow(10, d->x_lo), b = pow(10, d->x_hi);
    cairo_move_to(cr, xpos(d, a), ypos(d, a * s->bytes_per_conn_s));
    cairo_line_to(cr, xpos(d, b), ypos(d, b * s->bytes_per_conn_s));
    cairo_stroke(cr);
    if (s->mark_n > 0) {
      double x = xpos(d, s->mark_n), y = ypos(d, s->mark_n * s->bytes_per_conn_s);
      cairo_arc(cr, x, y, 7, 0, 2 * G_PI);
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
  /* The dots' labels: above their dots, spread apart so that none
   * overlaps another (series often share a connection count), each tied
   * to its dot by a thin line when it had to move. */
  guint nl = 0;
  guint *which = g_new0(guint, d->n + 1);
  for (guint i = 0; i < d->n; i++)
    if (d->s[i].bytes_per_conn_s > 0 && d->s[i].mark_n > 0) {
      ly[nl] = ypos(d, d->s[i].mark_n * d->s[i].bytes_per_conn_s) - 16;
      which[nl++] = i;
    }
  double *want = g_memdup2(ly, sizeof(double) * (nl + 1));
  /* Above the legend's card (bottom right, drawn last), which would hide them. */
  double legend_top = H - B - 16 - d->n * 24.0 - 4;
  ksp_spread_labels(ly, nl, 22, T + 12, legend_top - 14);
  for (guint k = 0; k < nl; k++) {
    const ks_overhead_series *s = &d->s[which[k]];
    double x = xpos(d, s->mark_n), y = ypos(d, s->mark_n * s->bytes_per_conn_s);
    g_autofree char *n = ksp_fmt_count(s->mark_n, FALSE);
    g_autofree char *v = ksp_fmt_bytes_per_s(s->mark_n * s->bytes_per_conn_s);
    g_autofree char *bits = ksp_fmt_bits_per_s(s->mark_n * s->bytes_per_conn_s);
    g_autofree char *t = g_strdup_printf("%s connection%s: %s (%s)", n, s->mark_n == 1 ? "" : "s",
                                         v, bits);
    gboolean left = x > (L + W - R) / 2;
    double tx = x + (left ? -24 : 24);
    ksp_rgb(cr, ksp_palette[which[k] % G_N_ELEMENTS(ksp_palette)]);
    if (fabs(ly[k] - want[k]) > 0.5) {
      cairo_set_line_width(cr, 1);
      cairo_move_to(cr, x, y);
      cairo_line_to(cr, tx + (left ? 4 : -4), ly[k]);
      cairo_stroke(cr);
    }
    ksp_font(cr, 14, TRUE);
    double tw = ksp_text_width(cr, t), x0 = left ? tx - tw : tx;
    cairo_save(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9); /* a card: lines pass behind the text */
    cairo_rectangle(cr, x0 - 4, ly[k] - 10, tw + 8, 20);
    cairo_fill(cr);
    cairo_restore(cr);
    ksp_text(cr, tx, ly[k], left ? 1 : 0, 0.5, t);
  }
  g_free(want);
  g_free(which);
  g_free(ly);
  /* Legend, bottom right, on a white card: the lines climb from the
   * bottom left to the top right, so that corner is the emptiest. */
  GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < d->n; i++) {
    g_autofree char *per = ksp_fmt_bytes_per_s(d->s[i].bytes_per_conn_s);
    char *t = g_strdup_printf("%s: %s per connection", d->s[i].label, per);
    g_ptr_array_add(labels, t);
  }
  ksp_legend(cr, W - R - 16, H - B - 16, labels, d->n);
  g_ptr_array_unref(labels);
}

gboolean ks_plot_overhead(const char *title, const char *subtitle, const ks_overhead_series *series,
                          guint n, ks_plot_images *out, GError **error) {
  oh_draw d = {.title = title, .subtitle = subtitle, .s = series, .n = n};
  double rmin = INFINITY, rmax = -INFINITY, nmin = 1e2, nmax = 1e7;
  for (guint i = 0; i < n; i++) {
    if (!(series[i].bytes_per_conn_s > 0))
      continue;
    rmin = MIN(rmin, series[i].bytes_per_conn_s);
    rmax = MAX(rmax, series[i].bytes_per_conn_s);
    if (series[i].mark_n > 0)
      nmin = MIN(nmin, series[i].mark_n), nmax = MAX(nmax, series[i].mark_n);
  }
  if (isinf(rmin)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "no keep-alive traffic: no overhead to draw");
    return FALSE;
  }
  d.x_lo = floor(log10(nmin));
  d.x_hi = ceil(log10(nmax));
  if (d.x_hi <= d.x_lo)
    d.x_hi = d.x_lo + 1;
  d.y_lo = floor(log10(rmin * pow(10, d.x_lo)));
  d.y_hi = ceil(log10(rmax * pow(10, d.x_hi)));
  if (d.y_hi <= d.y_lo)
    d.y_hi = d.y_lo + 1;
  return ksp_render(W, H, draw, &d, out, error);
}
