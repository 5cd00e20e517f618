/* ks_plot_heatmap.c - a sweep grid as two heatmaps side by side on the
 * same axes: how long detection takes, and what the probing costs, so the
 * trade-off is read cell by cell.  Colour scales are logarithmic because
 * sweeps span seconds to hours and bytes to kilobytes per second. */
#include <math.h>
#include <string.h>

#include "ks_plot_priv.h"

#define W KS_PLOT_HEATMAP_W
#define H KS_PLOT_HEATMAP_H
#define PT 130.0 /* panel top */
#define PB 150.0 /* below the panels: axis labels, colour bars */
#define PW 520.0 /* panel width */
#define P1 150.0 /* left edge of the first panel */
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
                           : latency     ? (isnan(v) ? g_strdup("never") : ksp_fmt_seconds(v))
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
      ksp_text(cr, x0 - 8, PT + (d->ny - 1 - y + 0.5) * ch, 1, 0.5, d->s->values[d->py]->pdata[y]);
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

/* ---- every axis: small multiples from stats.csv -------------------------- */

/* Up to this many panels; more are left out and said so. */
#define MAX_PANELS 12u

typedef struct mm_draw {
  const ks_sweepdata *s;
  guint vary[16], nvary; /* parameters with more than one value, at most 16 */
  guint px, py, nx, ny;  /* x and y: the first two (y: none when one varies) */
  guint panels, shown, fc, fr;
  double lat_lo, lat_hi;
  GHashTable *at; /* "i,j,k,..." of every parameter -> ks_sweepdata_combo* */
} mm_draw;

static char *key_of(const ks_sweepdata *s, const guint *idx) {
  GString *k = g_string_new(NULL);
  for (guint i = 0; i < s->n_params; i++)
    g_string_append_printf(k, "%u,", idx[i]);
  return g_string_free(k, FALSE);
}

/* Panel f's indices of the parameters beyond x and y (the others fixed at
 * their one value), the last varying fastest. */
static void panel_idx(const mm_draw *d, guint f, guint *idx) {
  for (guint i = 0; i < d->s->n_params; i++)
    idx[i] = 0;
  for (guint v = d->nvary; v-- > 2;) {
    guint k = d->vary[v], n = d->s->values[k]->len;
    idx[k] = f % n;
    f /= n;
  }
}

static void hatch(cairo_t *cr, double cx, double cy, double cw, double ch) {
  ksp_rgb(cr, 0xeeeeee);
  cairo_rectangle(cr, cx, cy, cw, ch);
  cairo_fill(cr);
  ksp_rgb(cr, 0xbbbbbb);
  cairo_set_line_width(cr, 1);
  cairo_save(cr);
  cairo_rectangle(cr, cx, cy, cw, ch);
  cairo_clip(cr);
  for (double k = -ch; k < cw; k += 10) {
    cairo_move_to(cr, cx + k, cy);
    cairo_line_to(cr, cx + k + ch, cy + ch);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

static void mm_panel(cairo_t *cr, const mm_draw *d, guint f, double x0, double y0, double pw,
                     double ph) {
  const ks_sweepdata *s = d->s;
  guint *idx = g_new0(guint, s->n_params);
  panel_idx(d, f, idx);
  double cw = pw / d->nx, ch = ph / d->ny;
  gboolean words = cw >= 40 && ch >= 30;
  for (guint y = 0; y < d->ny; y++)
    for (guint x = 0; x < d->nx; x++) {
      idx[d->px] = x;
      if (d->py != d->px)
        idx[d->py] = y;
      g_autofree char *key = key_of(s, idx);
      const ks_sweepdata_combo *c = g_hash_table_lookup(d->at, key);
      double cx = x0 + x * cw, cy = y0 + (d->ny - 1 - y) * ch;
      const char *word = NULL;
      double t = 0;
      if (c == NULL) {
        hatch(cr, cx, cy, cw, ch);
        word = "not run";
      } else if (!(c->detection_n > 0)) {
        hatch(cr, cx, cy, cw, ch); /* no failure held: nothing to detect */
        word = "no failure";
      } else if (isinf(c->detection_p95_s)) {
        ksp_rgb(cr, 0x444444); /* some failure never noticed */
        cairo_rectangle(cr, cx, cy, cw, ch);
        cairo_fill(cr);
        word = "never";
        t = 0;
      } else {
        t = scale(MAX(c->detection_p95_s, d->lat_lo), d->lat_lo, d->lat_hi);
        ksp_rgb(cr, ksp_viridis(t));
        cairo_rectangle(cr, cx, cy, cw, ch);
        cairo_fill(cr);
      }
      ksp_rgb(cr, 0xffffff);
      cairo_set_line_width(cr, 2);
      cairo_rectangle(cr, cx, cy, cw, ch);
      cairo_stroke(cr);
      gboolean died = c && c->false_giveup_rate > 0;
      if (died) { /* healthy connections died: a red frame, and the rate */
        ksp_rgb(cr, KSP_RED);
        cairo_set_line_width(cr, 3);
        cairo_rectangle(cr, cx + 2.5, cy + 2.5, cw - 5, ch - 5);
        cairo_stroke(cr);
      }
      if (!words)
        continue;
      gboolean dark_text = word ? (c != NULL && !(c->detection_n > 0)) || c == NULL : t > 0.6;
      ksp_rgb(cr, dark_text ? KSP_BLACK : 0xffffff);
      ksp_font(cr, cw >= 58 ? 12 : 10, TRUE);
      g_autofree char *v = word ? g_strdup(word) : ksp_fmt_seconds(c->detection_p95_s);
      ksp_text(cr, cx + cw / 2, cy + ch / 2 - (died ? 7 : 0), 0.5, 0.5, v);
      if (died) {
        g_autofree char *r = g_strdup_printf("%.2g%% died", 100 * c->false_giveup_rate);
        ksp_font(cr, cw >= 58 ? 10 : 9, FALSE);
        ksp_rgb(cr, dark_text ? 0x9b111e : 0xffc0c0);
        ksp_text(cr, cx + cw / 2, cy + ch / 2 + 8, 0.5, 0.5, r);
      }
    }
  /* The panel's own values, and its axes' values. */
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 11, FALSE);
  for (guint x = 0; x < d->nx; x++)
    ksp_text(cr, x0 + (x + 0.5) * cw, y0 + ph + 4, 0.5, 0, s->values[d->px]->pdata[x]);
  if (d->py != d->px)
    for (guint y = 0; y < d->ny; y++)
      ksp_text(cr, x0 - 4, y0 + (d->ny - 1 - y + 0.5) * ch, 1, 0.5, s->values[d->py]->pdata[y]);
  GString *title = g_string_new(NULL);
  for (guint v = 2; v < d->nvary; v++) {
    guint k = d->vary[v];
    const char *name = strrchr(s->names[k], '.') ? strrchr(s->names[k], '.') + 1 : s->names[k];
    g_string_append_printf(title, "%s%s=%s", title->len ? " " : "", name,
                           (const char *)s->values[k]->pdata[idx[k]]);
  }
  ksp_font(cr, 12, TRUE);
  ksp_text(cr, x0 + pw / 2, y0 - 6, 0.5, 1, title->str);
  g_string_free(title, TRUE);
  g_free(idx);
}

static void mm_draw_fn(cairo_t *cr, const void *data) {
  const mm_draw *d = data;
  const ks_sweepdata *s = d->s;
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 22, TRUE);
  ksp_text(cr, W / 2.0, 14, 0.5, 0,
           "Sweep: detection time (95th percentile, all seeds), every axis");
  ksp_font(cr, 13, FALSE);
  g_autofree char *sub = g_strdup_printf(
    "hatched: no failure to detect (or not run); dark: a failure never noticed; red frame: "
    "healthy connections died (false give-ups)%s",
    d->shown < d->panels ? "" : "");
  ksp_text(cr, W / 2.0, 46, 0.5, 0, sub);
  if (d->shown < d->panels) {
    g_autofree char *more = g_strdup_printf("the first %u of %u panels; stats.csv has them all",
                                            d->shown, d->panels);
    ksp_rgb(cr, KSP_RED);
    ksp_text(cr, W / 2.0, 66, 0.5, 0, more);
  }
  double left = 150, top = 110, right = 40, bottom = 110;
  double gw = (W - left - right) / d->fc, gh = (H - top - bottom) / d->fr;
  for (guint f = 0; f < d->shown; f++) {
    double x0 = left + (f % d->fc) * gw, y0 = top + (f / d->fc) * gh;
    mm_panel(cr, d, f, x0 + 10, y0 + 22, gw - 40, gh - 48);
  }
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 15, TRUE);
  ksp_text(cr, left + (W - left - right) / 2, H - bottom + 10, 0.5, 0, s->names[d->px]);
  if (d->py != d->px)
    ksp_text_up(cr, 40, top + (H - top - bottom) / 2, s->names[d->py]);
  colour_bar(cr, left + (W - left - right) / 2 - 260, H - 58, 520, d->lat_lo, d->lat_hi, TRUE,
             "detection time, shorter is faster");
}

static gboolean plot_every_axis(const ks_sweepdata *s, ks_plot_images *out, GError **error) {
  mm_draw d = {.s = s};
  for (guint k = 0; k < s->n_params && d.nvary < G_N_ELEMENTS(d.vary); k++)
    if (s->values[k]->len > 1)
      d.vary[d.nvary++] = k;
  d.px = d.nvary ? d.vary[0] : 0;
  d.py = d.nvary > 1 ? d.vary[1] : d.px;
  d.nx = s->values[d.px]->len;
  d.ny = d.py == d.px ? 1 : s->values[d.py]->len;
  d.panels = 1;
  for (guint v = 2; v < d.nvary; v++)
    d.panels *= s->values[d.vary[v]]->len;
  d.shown = MIN(d.panels, MAX_PANELS);
  d.fc = d.shown <= 1 ? 1 : d.shown <= 4 ? d.shown : d.shown <= 8 ? 4 : 4;
  d.fr = (d.shown + d.fc - 1) / d.fc;
  d.at = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  d.lat_lo = INFINITY, d.lat_hi = -INFINITY;
  for (guint i = 0; i < s->combos->len; i++) {
    ks_sweepdata_combo *c = &g_array_index(s->combos, ks_sweepdata_combo, i);
    g_hash_table_insert(d.at, key_of(s, c->idx), c);
    if (isfinite(c->detection_p95_s) && c->detection_p95_s > 0)
      d.lat_lo = MIN(d.lat_lo, c->detection_p95_s), d.lat_hi = MAX(d.lat_hi, c->detection_p95_s);
  }
  if (isinf(d.lat_lo))
    d.lat_lo = d.lat_hi = 1;
  gboolean ok = ksp_render(W, H, mm_draw_fn, &d, out, error);
  g_hash_table_unref(d.at);
  return ok;
}

gboolean ks_plot_heatmap(const ks_sweepdata *s, ks_plot_images *out, GError **error) {
  if (s->combos && s->combos->len > 0)
    return plot_every_axis(s, out, error);
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
