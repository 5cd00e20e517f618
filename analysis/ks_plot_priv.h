/* ks_plot_priv.h - what the plot files share: rendering one drawing to
 * both surfaces, text, ticks, colours and number formats. */
#ifndef KASIM_KS_PLOT_PRIV_H
#define KASIM_KS_PLOT_PRIV_H

#include <cairo.h>

#include "ks_plot.h"

typedef void (*ksp_draw_fn)(cairo_t *cr, const void *data);

/* Runs fn on a white w x h PNG surface and on an SVG surface. */
gboolean ksp_render(int w, int h, ksp_draw_fn fn, const void *data, ks_plot_images *out,
                    GError **error);

void ksp_font(cairo_t *cr, double size, gboolean bold);
/* Text anchored at (x, y): ax 0/0.5/1 = left/centre/right, ay 0/0.5/1 =
 * top/middle/baseline of the ink. */
void ksp_text(cairo_t *cr, double x, double y, double ax, double ay, const char *s);
/* Text turned a quarter left, centred on (x, y): a y-axis title. */
void ksp_text_up(cairo_t *cr, double x, double y, const char *s);
double ksp_text_width(cairo_t *cr, const char *s);
void ksp_rgb(cairo_t *cr, guint32 rgb);
/* A legend on a white card whose bottom right corner is (right, bottom):
 * the first `rows` labels, each beside a swatch of its palette colour. */
void ksp_legend(cairo_t *cr, double right, double bottom, const GPtrArray *labels, guint rows);
/* The frame of a w x h picture's plot area (margins l, t, r, b), in black,
 * with the x-axis title centred 40 units above the bottom edge and the
 * y-axis title turned up at x = ytitle_x, both in the 16-unit font. */
void ksp_frame(cairo_t *cr, double w, double h, double l, double t, double r, double b,
               const char *xtitle, double ytitle_x, const char *ytitle);

/* Up to about `want` round ticks covering [lo, hi]; returns the count. */
guint ksp_ticks(double lo, double hi, guint want, double *out, guint max);
/* A perceptually even colour scale, t in [0, 1]. */
guint32 ksp_viridis(double t);
/* "7210 s", "350 ms", "2 h 0 min", for axis and value labels. */
char *ksp_fmt_seconds(double s);
/* "84 B/s", "1.12 MB/s". */
char *ksp_fmt_bytes_per_s(double b);
/* "8.96 Mbit/s", "4.31 bit/s". */
char *ksp_fmt_bits_per_s(double bytes_per_s);
/* 2000000 -> "2,000,000"; 1e6 -> "1M" when short. */
char *ksp_fmt_count(double n, gboolean short_form);

/* Moves the label centres y[0..n) (any order) as little as this simple
 * rule allows so that any two are at least `gap` apart and all lie in
 * [lo, hi]: sorted bottom up, each is pushed above the one below it, and
 * the whole stack moved down again if it left the top.  When n labels
 * cannot fit (n - 1) * gap > hi - lo, they keep the gap and overflow at
 * the bottom. */
void ksp_spread_labels(double *y, guint n, double gap, double lo, double hi);

/* The colours of the kinds of segment, shared with the legends. */
enum {
  KSP_BLACK = 0x222222,
  KSP_GREY = 0x888888,
  KSP_LIGHT = 0xdddddd,
  KSP_RED = 0xd62728,
  KSP_PROBE = 0xe66100,
  KSP_PROBE_ACK = 0x1b9e77,
  KSP_DATA = 0x2c5aa0,
  KSP_HANDSHAKE = 0x6a3d9a,
  KSP_RST = 0xc51b7d
};
extern const guint32 ksp_palette[8];

#endif
