/* ks_plot_heatmap.c - a sweep grid as two heatmaps side by side on the
 * same axes: how long detection takes, and what the probing costs, so the
 * trade-off is read cell by cell.  Colour scales are logarithmic because
 * sweeps span seconds to hours and bytes to kilobytes per second. */
#include <math.h>
#include <string.h>

#include "ks_plot_priv.h"

#define W KS_PLOT_HEATMAP_W
#define H KS_PLOT_HEATMAP_H
#define PT 130.0    /* panel top */
#define PB 150.0    /* below the panels: axis labels, colour bars */
#define PW 520.0    /* panel width */
#define P1 150.0    /* left edge of the first panel */
#define P2 (P1 + PW + 130.0)
/* Above this many cells per axis the numbers no longer fit in them. */
#define MAX_LABELLED 12u

typedef struct hm_draw {
  const ks_sweepdata *s;
  guint px, py, nx, ny;
  ks_sweepdata_point *pts;
  double lat_lo, lat_hi, b_lo, b_hi;
  gboolean no_lat;
} hm_draw;

static double scale(double v, double lo, double hi) {
  if (!(hi > lo))
    return 0.5;
  return (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
}

static void colour_bar(cairo_t *cr, double x, double y, double w, double lo, double hi,
                       gboolean seconds, const char *title) {
  for (int i = 0; i < 100; i++) {
    ksp_rgb(cr, ksp_viridis(i / 99.0));
    cairo_rectangle(cr, x + w * i / 100.0, y, w / 100.0 + 0.5, 16);
    cairo_fill(cr);
  }
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 13, FALSE);
  g_autofree char *a = seconds ? ksp_fmt_seconds(lo) : ksp_fmt_bytes_per_s(lo);
  g_autofree char *b = seconds ? ksp_fmt_seconds(hi) : ksp_fmt_bytes_per_s(hi);
  ksp_text(cr, x, y + 22, 0, 0, a);
  ksp_text(cr, x + w, y + 22, 1, 0, b);
  ksp_text(cr, x + w / 2, y + 22, 0.5, 0, title);
}

static void panel(cairo_t *cr, const hm_draw *d, double x0, gboolean latency) {
  double ph = H - PT - PB, cw = PW / d->nx, ch = ph / d->ny;
  gboolean label = d->nx <= MAX_LABELLED && d->ny <= MAX_LABELLED;
  for (guint y = 0; y < d->ny; y++)
    for (guint x = 0; x < d->nx; x++) {
      const ks_sweepdata_point *p = &d->pts[y * d->nx + x];
      /* Row 0 at the bottom, as on any y axis. */
      double cx = x0 + x * cw, cy = PT + (d->ny - 1 - y) * ch;
      double v = latency ? p->p50_s : p->bytes_per_s;
      gboolean none = p->cells == 0 || isnan(v) || (!latency && v <= 0);
      if (none) {
        ksp_rgb(cr, 0xeeeeee);
        cairo_rectangle(cr, cx, cy, cw, ch);
        cairo_fill(cr);
        ksp_rgb(cr, 0xbbbbbb);
        cairo_set_line_width(cr, 1);
        for (double k = -ch; k < cw; k += 12) { /* hatching: no value here */
          cairo_move_to(cr, cx + (k < 0 ? 0 : k), cy + (k < 0 ? -k : 0));
          double e = MIN(cw - (k < 0 ? 0 : k), ch - (k < 0 ? -k : 0));
          cairo_line_to(cr, cx + (k < 0 ? 0 : k) + e, cy + (k < 0 ? -k : 0) + e);
        }
        cairo_stroke(cr);
      } else {
        double t = latency ? scale(v, d->lat_lo, d->lat_hi) : scale(v, d->b_lo, d->b_hi);
        ksp_rgb(cr, ksp_viridis(t));
        cairo_rectangle(cr, cx, cy, cw, ch);
        cairo_fill(cr);
      }
      ksp_rgb(cr, 0xffffff);
      cairo_set_line_width(cr, 2);
      cairo_rectangle(cr, cx, cy, cw, ch);
      cairo_stroke(cr);
      if (!label)
        continue;
      double t = none ? 1 : latency ? scale(v, d->lat_lo, d->lat_hi) : scale(v, d->b_lo, d->b_hi);
      ksp_rgb(cr, t > 0.6 ? KSP_BLACK : 0xffffff);
      ksp_font(cr, 15, TRUE);
      g_autofree char *s = p->cells == 0 ? g_strdup("no cell")
                           : latency   ? (isnan(v) ? g_strdup("never") : ksp_fmt_seconds(v))
                                       : ksp_fmt_bytes_per_s(v);
      ksp_text(cr, cx + cw / 2, cy + ch / 2 - (latency ? 8 : 0), 0.5, 0.5, s);
      if (latency && !isnan(p->false_giveups) && p->false_giveups > 0) {
        g_autofree char *f = g_strdup_printf("%.3g false", p->false_giveups);
        ksp_font(cr, 13, FALSE);
        ksp_rgb(cr, t > 0.6 ? 0x9b111e : 0xffb0b0);
        ksp_text(cr, cx + cw / 2, cy + ch / 2 + 12, 0.5, 0.5, f);
      }
    }
  /* Axes: the values as the grid gives them. */
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 14, FALSE);
  for (guint x = 0; x < d->nx; x++)
    ksp_text(cr, x0 + (x + 0.5) * cw, PT + ph + 8, 0.5, 0, d->s->values[d->px]->pdata[x]);
  if (d->py != d->px)
    for (guint y = 0; y < d->ny; y++)
      ksp_text(cr, x0 - 8, PT + (d->ny - 1 - y + 0.5) * ch, 1, 0.5,
               d->s->values[d->py]->pdata[y]);
  ksp_font(cr, 15, TRUE);
  ksp_text(cr, x0 + PW / 2, PT + ph + 34, 0.5, 0, d->s->names[d->px]);
  if (d->py != d->px)
    ksp_text_up(cr, x0 - 100, PT + ph / 2, d->s->names[d->py]);
  ksp_font(cr, 17, TRUE);
  ksp_text(cr, x0 + PW / 2, PT - 26, 0.5, 0.5,
           latency ? "detection time (median, mean over seeds)"
                   : "probe overhead on the wire (mean over seeds)");
  if (latency && d->no_lat) {
    ksp_font(cr, 14, FALSE);
    ksp_rgb(cr, KSP_GREY);
    ksp_text(cr, x0 + PW / 2, H - 62, 0.5, 0.5, "no cell detected a failure");
  } else if (latency)
    colour_bar(cr, x0, H - 70, PW, d->lat_lo, d->lat_hi, TRUE, "shorter is faster");
  else
    colour_bar(cr, x0, H - 70, PW, d->b_lo, d->b_hi, FALSE, "lower is cheaper");
}

static void draw(cairo_t *cr, const void *data) {
  const hm_draw *d = data;
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 22, TRUE);
  ksp_text(cr, W / 2.0, 18, 0.5, 0, "Sweep: detection time against probe overhead");
  ksp_font(cr, 14, FALSE);
  GString *sub = g_string_new(NULL);
  g_string_append_printf(sub, "%u cells", d->s->cells->len);
  for (guint k = 0; k < d->s->n_params; k++)
    if (k != d->px && k != d->py)
      g_string_append_printf(sub, "; averaged over %s (%u values)", d->s->names[k],
                             d->s->values[k]->len);
  g_string_append(sub, "; hatched: nothing detected; red: false give-ups per run");
  ksp_text(cr, W / 2.0, 52, 0.5, 0, sub->str);
  g_string_free(sub, TRUE);
  panel(cr, d, P1, TRUE);
  panel(cr, d, P2, FALSE);
}

gboolean ks_plot_heatmap(const ks_sweepdata *s, ks_plot_images *out, GError **error) {
  hm_draw d = {.s = s};
  /* The axes: the first two parameters that vary; else the first. */
  gint ax[2] = {-1, -1};
  for (guint k = 0; k < s->n_params; k++)
    if (s->values[k]->len > 1) {
      if (ax[0] < 0)
        ax[0] = (gint)k;
      else if (ax[1] < 0)
        ax[1] = (gint)k;
    }
  d.px = ax[0] >= 0 ? (guint)ax[0] : 0;
  d.py = ax[1] >= 0 ? (guint)ax[1] : d.px;
  d.nx = s->values[d.px]->len;
  d.ny = d.py == d.px ? 1 : s->values[d.py]->len;
  d.pts = g_new0(ks_sweepdata_point, d.nx * d.ny);
  ks_sweepdata_points(s, d.px, d.py, d.pts);
  d.lat_lo = d.b_lo = INFINITY;
  d.lat_hi = d.b_hi = -INFINITY;
  for (guint i = 0; i < d.nx * d.ny; i++) {
    const ks_sweepdata_point *p = &d.pts[i];
    if (!isnan(p->p50_s) && p->p50_s > 0)
      d.lat_lo = MIN(d.lat_lo, p->p50_s), d.lat_hi = MAX(d.lat_hi, p->p50_s);
    if (!isnan(p->bytes_per_s) && p->bytes_per_s > 0)
      d.b_lo = MIN(d.b_lo, p->bytes_per_s), d.b_hi = MAX(d.b_hi, p->bytes_per_s);
  }
  if (isinf(d.lat_lo))
    d.lat_lo = d.lat_hi = 1, d.no_lat = TRUE;
  if (isinf(d.b_lo))
    d.b_lo = d.b_hi = 1;
  gboolean ok = ksp_render(W, H, draw, &d, out, error);
  g_free(d.pts);
  return ok;
}
