/* ks_plot_pareto.c - a tuning question's answer as a picture: every
 * setting of a sweep at (overhead, detection p95), coloured by its false
 * give-up rate, the Pareto front joined, the settings meeting the
 * constraints filled.  Honest about the two cases a mean would hide: a
 * failure never detected is drawn on a "never" band, not at some large
 * number, and a setting with no failure to detect is not drawn at all but
 * counted in a note. */
#include <math.h>
#include <string.h>

#include "ks_plot_priv.h"

#define W KS_PLOT_PARETO_W
#define H KS_PLOT_PARETO_H
#define L 120.0
#define R 300.0
#define T 110.0
#define B 90.0
#define NEVER_H 40.0 /* the "never" band at the top of the plot area */

typedef struct pa_draw {
  const char *title, *label_names;
  const ks_pareto_point *p;
  guint n;
  double x_lo, x_hi, y_hi, r_hi; /* decades of x; y from 0; the rate scale's top */
  guint no_failure, no_overhead;
} pa_draw;

static double xpos(const pa_draw *d, double v) {
  return L + (log10(v) - d->x_lo) / (d->x_hi - d->x_lo) * (W - L - R);
}

static double ypos(const pa_draw *d, double v) {
  if (isinf(v))
    return T + NEVER_H / 2;
  return H - B - v / d->y_hi * (H - T - B - NEVER_H);
}

static guint32 rate_colour(const pa_draw *d, double r) {
  if (!(r > 0))
    return ksp_viridis(0);
  return ksp_viridis(MIN(1.0, r / d->r_hi));
}

static gboolean drawable(const ks_pareto_point *p) {
  return !isnan(p->detection_p95_s) && p->overhead > 0 && isfinite(p->overhead);
}

static void draw(cairo_t *cr, const void *data) {
  const pa_draw *d = data;
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 22, TRUE);
  g_autofree char *title = g_strdup_printf("%s: detection time, overhead, false give-ups",
                                           d->title);
  ksp_text(cr, (W - R + L) / 2.0, 18, 0.5, 0, title);
  ksp_font(cr, 14, FALSE);
  ksp_text(cr, (W - R + L) / 2.0, 54, 0.5, 0,
           "one point per setting (all seeds); filled: meets every constraint; ringed and "
           "numbered: the Pareto front");

  /* Grid and ticks. */
  cairo_set_line_width(cr, 1);
  ksp_font(cr, 14, FALSE);
  for (double e = d->x_lo; e <= d->x_hi + 1e-9; e++) {
    double x = xpos(d, pow(10, e));
    ksp_rgb(cr, KSP_LIGHT);
    cairo_move_to(cr, x, T);
    cairo_line_to(cr, x, H - B);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    g_autofree char *s = ksp_fmt_bytes_per_s(pow(10, e));
    ksp_text(cr, x, H - B + 10, 0.5, 0, s);
  }
  double ticks[16];
  guint nt = ksp_ticks(0, d->y_hi, 6, ticks, G_N_ELEMENTS(ticks));
  for (guint i = 0; i < nt; i++) {
    if (ticks[i] > d->y_hi + 1e-9)
      continue;
    double y = ypos(d, ticks[i]);
    ksp_rgb(cr, KSP_LIGHT);
    cairo_move_to(cr, L, y);
    cairo_line_to(cr, W - R, y);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    g_autofree char *s = ksp_fmt_seconds(ticks[i]);
    ksp_text(cr, L - 10, y, 1, 0.5, s);
  }
  /* The "never" band. */
  ksp_rgb(cr, 0xf4e4e4);
  cairo_rectangle(cr, L, T, W - L - R, NEVER_H);
  cairo_fill(cr);
  ksp_rgb(cr, KSP_RED);
  ksp_text(cr, L - 10, T + NEVER_H / 2, 1, 0.5, "never");
  ksp_frame(cr, W, H, L, T, R, B, "probe overhead per connection, bytes/s (log scale)", 28,
            "detection time, 95th percentile");

  /* The front, in order of overhead, numbered on the plot and listed on
   * the right.  Not joined: a front of three criteria is no line in two. */
  GArray *front = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < d->n; i++)
    if (d->p[i].front && drawable(&d->p[i]))
      g_array_append_val(front, i);
  for (guint a = 1; a < front->len; a++) /* insertion sort: a handful */
    for (guint b = a; b > 0; b--) {
      guint *x = &g_array_index(front, guint, b - 1), *y = &g_array_index(front, guint, b);
      if (d->p[*x].overhead <= d->p[*y].overhead)
        break;
      guint t = *x;
      *x = *y, *y = t;
    }

  /* The points: hollow ones first, then filled, the front's ringed. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < d->n; i++) {
      const ks_pareto_point *p = &d->p[i];
      if (!drawable(p) || p->meets != (pass == 1))
        continue;
      double x = xpos(d, p->overhead), y = ypos(d, p->detection_p95_s);
      ksp_rgb(cr, rate_colour(d, p->false_giveup_rate));
      cairo_arc(cr, x, y, 7, 0, 2 * G_PI);
      if (p->meets) {
        cairo_fill(cr);
      } else {
        cairo_set_line_width(cr, 2.5);
        cairo_stroke(cr);
      }
      if (p->front) {
        ksp_rgb(cr, KSP_BLACK);
        cairo_set_line_width(cr, 1.5);
        cairo_arc(cr, x, y, 11, 0, 2 * G_PI);
        cairo_stroke(cr);
      }
    }
  /* The front's numbers beside its points, and its labels on the right. */
  ksp_font(cr, 11, TRUE);
  for (guint a = 0; a < front->len; a++) {
    const ks_pareto_point *p = &d->p[g_array_index(front, guint, a)];
    g_autofree char *num = g_strdup_printf("%u", a + 1);
    ksp_rgb(cr, KSP_BLACK);
    ksp_text(cr, xpos(d, p->overhead) + 13, ypos(d, p->detection_p95_s) - 8, 0, 0.5, num);
  }
  double ly = T + 8;
  ksp_font(cr, 14, TRUE);
  ksp_text(cr, W - R + 20, ly, 0, 0, "Pareto front");
  ly += 22;
  ksp_font(cr, 10, FALSE);
  if (d->label_names) {
    g_autofree char *names = g_strdup_printf("#  %s", d->label_names);
    ksp_text(cr, W - R + 20, ly, 0, 0, names);
    ly += 17;
  }
  guint shown = 0;
  for (guint a = 0; a < front->len && ly < H - B - 130; a++, ly += 15, shown++) {
    const ks_pareto_point *p = &d->p[g_array_index(front, guint, a)];
    g_autofree char *row = g_strdup_printf("%u  %s", a + 1, p->label);
    ksp_text(cr, W - R + 20, ly, 0, 0, row);
  }
  if (shown < front->len) {
    g_autofree char *more = g_strdup_printf("... and %u more (tune.csv)", front->len - shown);
    ksp_text(cr, W - R + 20, ly, 0, 0, more);
  }
  g_array_free(front, TRUE);

  /* The colour scale of the false give-up rate. */
  double bx = W - R + 20, by = H - B - 90, bw = R - 50;
  for (int i = 0; i < 100; i++) {
    ksp_rgb(cr, ksp_viridis(i / 99.0));
    cairo_rectangle(cr, bx + bw * i / 100.0, by, bw / 100.0 + 0.5, 14);
    cairo_fill(cr);
  }
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 12, FALSE);
  ksp_text(cr, bx, by - 6, 0, 1, "false give-ups per connection");
  ksp_text(cr, bx, by + 20, 0, 0, "0");
  g_autofree char *top = g_strdup_printf("%.3g%%", 100 * d->r_hi);
  ksp_text(cr, bx + bw, by + 20, 1, 0, top);
  if (d->no_failure || d->no_overhead) {
    g_autofree char *note = g_strdup_printf(
      "not drawn: %u with no failure to detect, %u with no probes", d->no_failure, d->no_overhead);
    ksp_font(cr, 12, FALSE);
    ksp_text(cr, bx, by + 44, 0, 0, note);
  }
}

gboolean ks_plot_pareto(const char *title, const char *label_names, const ks_pareto_point *p,
                        guint n, ks_plot_images *out, GError **error) {
  pa_draw d = {.title = title, .label_names = label_names, .p = p, .n = n};
  double xmin = INFINITY, xmax = -INFINITY, ymax = 0, rmax = 0;
  for (guint i = 0; i < n; i++) {
    if (isnan(p[i].detection_p95_s)) {
      d.no_failure++;
      continue;
    }
    if (!(p[i].overhead > 0) || !isfinite(p[i].overhead)) {
      d.no_overhead++;
      continue;
    }
    xmin = MIN(xmin, p[i].overhead);
    xmax = MAX(xmax, p[i].overhead);
    if (isfinite(p[i].detection_p95_s))
      ymax = MAX(ymax, p[i].detection_p95_s);
    if (p[i].false_giveup_rate > rmax)
      rmax = p[i].false_giveup_rate;
  }
  if (!isfinite(xmin)) {
    xmin = 1;
    xmax = 10;
  }
  d.x_lo = floor(log10(xmin));
  d.x_hi = ceil(log10(xmax));
  if (d.x_hi <= d.x_lo)
    d.x_hi = d.x_lo + 1;
  d.y_hi = ymax > 0 ? ymax * 1.08 : 1;
  d.r_hi = rmax > 0 ? rmax : 0.01;
  return ksp_render(W, H, draw, &d, out, error);
}
