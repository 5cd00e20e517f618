/* ks_plot_common.c - cairo surfaces to bytes, text, ticks, colours. */
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <string.h>

#include "ks_plot_priv.h"

/* Colour-blind-safe (Okabe-Ito order, black last). */
const guint32 ksp_palette[8] = {0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7,
                                0xd55e00, 0x56b4e9, 0xf0e442, 0x000000};

void ks_plot_images_clear(ks_plot_images *im) {
  if (im->png)
    g_bytes_unref(im->png);
  if (im->svg)
    g_bytes_unref(im->svg);
  im->png = im->svg = NULL;
}

void ks_plot_shutdown(void) {
  cairo_debug_reset_static_data();
  FcFini();
}

static cairo_status_t to_array(void *closure, const unsigned char *data, unsigned int len) {
  g_byte_array_append(closure, data, len);
  return CAIRO_STATUS_SUCCESS;
}

static void setup(cairo_t *cr) {
  /* Hinting follows the machine's fontconfig unless told: off, so that
   * glyph positions (and bytes) depend on the font only. */
  cairo_font_options_t *fo = cairo_font_options_create();
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(cr, fo);
  cairo_font_options_destroy(fo);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  ksp_font(cr, 14, FALSE);
}

static gboolean check(cairo_status_t st, const char *what, GError **error) {
  if (st == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error(error, KS_METRICS_ERROR, 0, "cairo, %s: %s", what, cairo_status_to_string(st));
  return FALSE;
}

gboolean ksp_render(int w, int h, ksp_draw_fn fn, const void *data, ks_plot_images *out,
                    GError **error) {
  out->png = out->svg = NULL;
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create(img);
  setup(cr);
  fn(cr, data);
  cairo_status_t st = cairo_status(cr);
  cairo_destroy(cr);
  GByteArray *png = g_byte_array_new();
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_write_to_png_stream(img, to_array, png);
  cairo_surface_destroy(img);
  if (!check(st, "PNG", error)) {
    g_byte_array_unref(png);
    return FALSE;
  }

  GByteArray *svg = g_byte_array_new();
  cairo_surface_t *vs = cairo_svg_surface_create_for_stream(to_array, svg, w, h);
  /* Plain user units: width="1200", which browsers show at 1200 px. */
  cairo_svg_surface_set_document_unit(vs, CAIRO_SVG_UNIT_USER);
  cr = cairo_create(vs);
  setup(cr);
  fn(cr, data);
  st = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(vs);
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_status(vs);
  cairo_surface_destroy(vs);
  if (!check(st, "SVG", error)) {
    g_byte_array_unref(png);
    g_byte_array_unref(svg);
    return FALSE;
  }
  out->png = g_byte_array_free_to_bytes(png);
  out->svg = g_byte_array_free_to_bytes(svg);
  return TRUE;
}

void ksp_font(cairo_t *cr, double size, gboolean bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double ksp_text_width(cairo_t *cr, const char *s) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s, &e);
  return e.x_advance;
}

void ksp_text_up(cairo_t *cr, double x, double y, const char *s) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -G_PI / 2);
  ksp_text(cr, 0, 0, 0.5, 0.5, s);
  cairo_restore(cr);
}

void ksp_frame(cairo_t *cr, double w, double h, double l, double t, double r, double b,
               const char *xtitle, double ytitle_x, const char *ytitle) {
  ksp_rgb(cr, KSP_BLACK);
  cairo_set_line_width(cr, 1.5);
  cairo_rectangle(cr, l, t, w - l - r, h - t - b);
  cairo_stroke(cr);
  ksp_font(cr, 16, FALSE);
  ksp_text(cr, (l + w - r) / 2, h - 40, 0.5, 0.5, xtitle);
  ksp_text_up(cr, ytitle_x, (t + h - b) / 2, ytitle);
}

void ksp_text(cairo_t *cr, double x, double y, double ax, double ay, const char *s) {
  cairo_text_extents_t e;
  cairo_font_extents_t fe;
  cairo_text_extents(cr, s, &e);
  cairo_font_extents(cr, &fe);
  /* Vertical placement from the font's ascent, not the string's ink, so
   * that labels of one row share a baseline whatever their letters. */
  double cap = fe.ascent * 0.72;
  cairo_move_to(cr, x - e.x_advance * ax, y + cap * (1 - ay));
  cairo_show_text(cr, s);
  cairo_new_path(cr);
}

void ksp_rgb(cairo_t *cr, guint32 rgb) {
  cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                       (rgb & 0xff) / 255.0);
}

guint ksp_ticks(double lo, double hi, guint want, double *out, guint max) {
  if (!(hi > lo) || want == 0)
    return 0;
  double raw = (hi - lo) / want;
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag;
  double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  guint n = 0;
  for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < max; v += step)
    out[n++] = fabs(v) < step * 1e-9 ? 0 : v;
  return n;
}

guint32 ksp_viridis(double t) {
  static const guint32 stops[] = {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
                                  0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725};
  const int n = G_N_ELEMENTS(stops);
  if (!(t > 0))
    t = 0;
  if (t > 1)
    t = 1;
  double x = t * (n - 1);
  int i = (int)floor(x);
  if (i >= n - 1)
    return stops[n - 1];
  double f = x - i;
  guint32 a = stops[i], b = stops[i + 1], r = 0;
  for (int sh = 16; sh >= 0; sh -= 8) {
    double ca = (a >> sh) & 0xff, cb = (b >> sh) & 0xff;
    r |= (guint32)lround(ca + (cb - ca) * f) << sh;
  }
  return r;
}

char *ksp_fmt_seconds(double s) {
  if (isnan(s))
    return g_strdup("never");
  if (s != 0 && fabs(s) < 1)
    return g_strdup_printf("%.3g ms", s * 1000);
  if (fabs(s) < 100)
    return g_strdup_printf("%.3g s", s);
  if (fabs(s) < 10000)
    return g_strdup_printf("%.0f s", s);
  return g_strdup_printf("%.3g h", s / 3600);
}

char *ksp_fmt_bytes_per_s(double b) {
  static const char *const units[] = {"B/s", "kB/s", "MB/s", "GB/s", "TB/s"};
  guint u = 0;
  while (fabs(b) >= 1000 && u + 1 < G_N_ELEMENTS(units))
    b /= 1000, u++;
  return g_strdup_printf(fabs(b) < 10 && u > 0 ? "%.2f %s"
                         : fabs(b) < 100       ? "%.3g %s"
                                               : "%.0f %s",
                         b, units[u]);
}

char *ksp_fmt_bits_per_s(double bytes_per_s) {
  static const char *const units[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
  double b = bytes_per_s * 8;
  guint u = 0;
  while (fabs(b) >= 1000 && u + 1 < G_N_ELEMENTS(units))
    b /= 1000, u++;
  return g_strdup_printf("%.3g %s", b, units[u]);
}

char *ksp_fmt_count(double n, gboolean short_form) {
  if (short_form) {
    if (n >= 1e6)
      return g_strdup_printf("%gM", n / 1e6);
    if (n >= 1e3)
      return g_strdup_printf("%gk", n / 1e3);
    return g_strdup_printf("%g", n);
  }
  char digits[32];
  g_snprintf(digits, sizeof digits, "%.0f", n);
  GString *s = g_string_new(NULL);
  size_t len = strlen(digits);
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
      g_string_append_c(s, ',');
    g_string_append_c(s, digits[i]);
  }
  return g_string_free(s, FALSE);
}

void ksp_legend(cairo_t *cr, double right, double bottom, const GPtrArray *labels, guint rows) {
  double wmax = 0;
  ksp_font(cr, 14, FALSE);
  for (guint i = 0; i < rows; i++)
    wmax = MAX(wmax, ksp_text_width(cr, labels->pdata[i]));
  double bx = right - (wmax + 62), by = bottom - rows * 24.0 - 4;
  cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
  cairo_rectangle(cr, bx, by, wmax + 62, rows * 24.0 + 4);
  cairo_fill(cr);
  for (guint i = 0; i < rows; i++) {
    double ly = by + 14 + i * 24;
    ksp_rgb(cr, ksp_palette[i % G_N_ELEMENTS(ksp_palette)]);
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, bx + 8, ly);
    cairo_line_to(cr, bx + 38, ly);
    cairo_stroke(cr);
    ksp_rgb(cr, KSP_BLACK);
    ksp_text(cr, bx + 46, ly, 0, 0.5, labels->pdata[i]);
  }
}

typedef struct label_pos {
  double y;
  guint i;
} label_pos;

static int cmp_down(const void *a, const void *b) {
  const label_pos *x = a, *y = b;
  /* Bottom first (larger y); ties by index, so the result is stable. */
  if (x->y != y->y)
    return x->y < y->y ? 1 : -1;
  return (x->i > y->i) - (x->i < y->i);
}

void ksp_spread_labels(double *y, guint n, double gap, double lo, double hi) {
  if (n == 0)
    return;
  label_pos *p = g_new(label_pos, n);
  for (guint i = 0; i < n; i++)
    p[i] = (label_pos){.y = y[i], .i = i};
  /* Sorted before clamping, so the labels keep their dots' order. */
  qsort(p, n, sizeof *p, cmp_down);
  p[0].y = MIN(p[0].y, hi);
  for (guint k = 1; k < n; k++)
    if (p[k].y > p[k - 1].y - gap)
      p[k].y = p[k - 1].y - gap;
  /* Off the top: the stack comes down; from the bottom it is packed. */
  if (p[n - 1].y < lo) {
    double shift = lo - p[n - 1].y;
    for (guint k = 0; k < n; k++)
      p[k].y += shift;
    for (guint k = n - 1; k > 0; k--)
      if (p[k - 1].y < p[k].y + gap)
        p[k - 1].y = p[k].y + gap;
  }
  for (guint k = 0; k < n; k++)
    y[p[k].i] = p[k].y;
  g_free(p);
}
