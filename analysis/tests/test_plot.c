/* test_plot.c - every plot is a real picture: the PNG decodes (with
 * cairo's own reader) to the promised size and is not blank, the SVG is
 * XML with an <svg> root of the same size; plus the sweep reader's
 * averages, worked out by hand from fixture.h. */
#include <cairo.h>
#include <math.h>
#include <string.h>

#include "fixture.h"
#include "ks_plot.h"

/* The pixels of a PNG, read back from a file as the brief asks. */
static cairo_surface_t *decode_png(GBytes *png) {
  g_autofree char *dir = g_dir_make_tmp("kasim-png-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "p.png", NULL);
  gsize len;
  const char *data = g_bytes_get_data(png, &len);
  g_assert_cmpuint(len, >, 8);
  g_assert_cmpmem(data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  g_unlink(path);
  g_rmdir(dir);
  g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
  return s;
}

/* Checks size and content; returns how many pixels are close to `rgb`. */
static guint check_png(GBytes *png, int w, int h, guint32 rgb) {
  cairo_surface_t *s = decode_png(png);
  g_assert_cmpint(cairo_image_surface_get_width(s), ==, w);
  g_assert_cmpint(cairo_image_surface_get_height(s), ==, h);
  cairo_surface_flush(s);
  const unsigned char *px = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  guint64 inked = 0;
  guint near = 0;
  GHashTable *colours = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint32 v = *(const guint32 *)(px + (gsize)y * stride + (gsize)x * 4) & 0xffffff;
      if (v != 0xffffff)
        inked++;
      int dr = (int)((v >> 16) & 0xff) - (int)((rgb >> 16) & 0xff);
      int dg = (int)((v >> 8) & 0xff) - (int)((rgb >> 8) & 0xff);
      int db = (int)(v & 0xff) - (int)(rgb & 0xff);
      if (abs(dr) + abs(dg) + abs(db) < 24)
        near++;
      if (g_hash_table_size(colours) < 1000)
        g_hash_table_add(colours, GUINT_TO_POINTER(v + 1));
    }
  /* Not blank: ink on more than 1% of the page, and more than a few
   * colours (text is anti-aliased, lines are coloured). */
  g_assert_cmpuint(inked, >, (guint64)w * h / 100);
  g_assert_cmpuint(g_hash_table_size(colours), >, 20);
  g_hash_table_unref(colours);
  cairo_surface_destroy(s);
  return near;
}

typedef struct svg_root {
  int elements;
  char *root;
  char *width, *height;
} svg_root;

static void on_start(GMarkupParseContext *ctx, const char *name, const char **an, const char **av,
                     gpointer ud, GError **error) {
  (void)ctx, (void)error;
  svg_root *r = ud;
  if (r->elements++ == 0) {
    r->root = g_strdup(name);
    for (int i = 0; an[i]; i++) {
      if (strcmp(an[i], "width") == 0)
        r->width = g_strdup(av[i]);
      if (strcmp(an[i], "height") == 0)
        r->height = g_strdup(av[i]);
    }
  }
}

static void check_svg(GBytes *svg, int w, int h) {
  gsize len;
  const char *data = g_bytes_get_data(svg, &len);
  svg_root r = {0};
  GMarkupParser p = {.start_element = on_start};
  GMarkupParseContext *ctx = g_markup_parse_context_new(&p, 0, &r, NULL);
  GError *error = NULL;
  g_assert_true(g_markup_parse_context_parse(ctx, data, (gssize)len, &error));
  g_assert_true(g_markup_parse_context_end_parse(ctx, &error));
  g_assert_no_error(error);
  g_markup_parse_context_free(ctx);
  g_assert_cmpstr(r.root, ==, "svg");
  g_assert_cmpint(atoi(r.width), ==, w);
  g_assert_cmpint(atoi(r.height), ==, h);
  g_assert_cmpint(r.elements, >, 50); /* drawn, not an empty page */
  g_free(r.root);
  g_free(r.width);
  g_free(r.height);
}

static void test_timeline(void) {
  g_autofree char *dir = fixture_run();
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  /* By default the first detected failure: connection 0. */
  ks_timeline *tl = ks_timeline_load(dir, m, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(tl->conn, ==, 0);
  /* Its 10 SENDs and 10 DROPs, 10 timers, the close, the two handshake
   * lines and the scenario event. */
  g_assert_cmpuint(tl->recs->len, ==, 34);
  ks_plot_images im = {0};
  g_assert_true(ks_plot_timeline(tl, &im, &error));
  g_assert_no_error(error);
  /* Ten orange probes are drawn. */
  /* As high as its rows need: well under the old fixed 1500. */
  int h = ks_plot_timeline_height(tl);
  g_assert_cmpint(h, >, 400);
  g_assert_cmpint(h, <, 1500);
  g_assert_cmpuint(check_png(im.png, KS_PLOT_TIMELINE_W, h, 0xe66100), >, 500);
  check_svg(im.svg, KS_PLOT_TIMELINE_W, h);
  /* Same input, same PNG bytes. */
  ks_plot_images again = {0};
  g_assert_true(ks_plot_timeline(tl, &again, &error));
  g_assert_true(g_bytes_equal(im.png, again.png));
  ks_plot_images_clear(&again);
  ks_plot_images_clear(&im);
  ks_timeline_free(tl);

  /* Connection 3, the false give-up, and one out of range. */
  ks_metrics_free(m);
  m = ks_metrics_load_conn(dir, 3, &error);
  g_assert_no_error(error);
  tl = ks_timeline_load(dir, m, &error);
  g_assert_no_error(error);
  g_assert_true(tl->false_giveup);
  g_assert_true(ks_plot_timeline(tl, &im, &error));
  check_png(im.png, KS_PLOT_TIMELINE_W, ks_plot_timeline_height(tl), 0xe66100);
  ks_plot_images_clear(&im);
  ks_timeline_free(tl);
  ks_metrics_free(m);
  g_assert_null(ks_metrics_load_conn(dir, 7, &error));
  g_assert_nonnull(strstr(error->message, "0 to 6"));
  g_clear_error(&error);
  fixture_rm(dir);
}

static void test_cdf(void) {
  g_autofree char *dir = fixture_run();
  GError *error = NULL;
  ks_run_metrics *m = ks_metrics_load(dir, &error);
  g_assert_no_error(error);
  ks_plot_images im = {0};
  g_assert_true(ks_plot_cdf(m, &im, &error));
  g_assert_no_error(error);
  /* Group a's curve is the palette's first colour, 0x0072b2. */
  g_assert_cmpuint(check_png(im.png, KS_PLOT_CDF_W, KS_PLOT_CDF_H, 0x0072b2), >, 200);
  check_svg(im.svg, KS_PLOT_CDF_W, KS_PLOT_CDF_H);
  ks_plot_images_clear(&im);
  /* Nothing detected: no CDF, and a reason. */
  ks_dist_free(m->latency);
  m->latency = ks_dist_new();
  g_assert_false(ks_plot_cdf(m, &im, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);
  ks_metrics_free(m);
  fixture_rm(dir);
}

static void test_overhead(void) {
  /* 2,000,000 Vista clients at 300 s: 0.56 B/s each (168 / 300). */
  ks_overhead_series s[2] = {{.label = "vista 300 s",
                              .bytes_per_conn_s = 168.0 / 300,
                              .mark_n = 2e6},
                             {.label = "defaults", .bytes_per_conn_s = 168.0 / 7200}};
  ks_plot_images im = {0};
  GError *error = NULL;
  g_assert_true(ks_plot_overhead("t", "s", s, 2, &im, &error));
  g_assert_no_error(error);
  check_png(im.png, KS_PLOT_OVERHEAD_W, KS_PLOT_OVERHEAD_H, 0x0072b2);
  check_svg(im.svg, KS_PLOT_OVERHEAD_W, KS_PLOT_OVERHEAD_H);
  ks_plot_images_clear(&im);
  s[0].bytes_per_conn_s = s[1].bytes_per_conn_s = 0;
  g_assert_false(ks_plot_overhead("t", NULL, s, 2, &im, &error));
  g_clear_error(&error);
}

/* fixture.h's sweep, averaged per (KeepAliveTime, KeepAliveInterval):
 *   (60s, 1s):   p50 (70 + 72)/2 = 71,   bytes (2.8 + 3.0)/2 = 2.9, 0.29 each
 *   (300s, 1s):  p50 310 (the null skipped), bytes (0.56 + 0.58)/2 = 0.57
 *   (60s, 10s):  p50 (160 + 164)/2 = 162, bytes 2.8, false (1 + 3)/2 = 2
 *   (300s, 10s): p50 none, bytes (0.5 + 0.7)/2 = 0.6 */
static void test_sweep_points(void) {
  g_autofree char *dir = fixture_sweep();
  GError *error = NULL;
  ks_sweepdata *s = ks_sweepdata_load(dir, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(s->n_params, ==, 2);
  g_assert_cmpstr(s->names[0], ==, "KeepAliveTime");
  g_assert_cmpstr(s->names[1], ==, "KeepAliveInterval");
  g_assert_cmpuint(s->cells->len, ==, 8);
  ks_sweepdata_point p[4];
  ks_sweepdata_points(s, 0, 1, p);
  g_assert_cmpfloat_with_epsilon(p[0].p50_s, 71, 1e-9);
  g_assert_cmpfloat_with_epsilon(p[0].bytes_per_s, 2.9, 1e-9);
  g_assert_cmpfloat_with_epsilon(p[0].bytes_per_conn_s, 0.29, 1e-9);
  g_assert_cmpfloat_with_epsilon(p[1].p50_s, 310, 1e-9);
  g_assert_cmpfloat_with_epsilon(p[1].bytes_per_s, 0.57, 1e-9);
  g_assert_cmpfloat_with_epsilon(p[2].p50_s, 162, 1e-9);
  g_assert_cmpfloat_with_epsilon(p[2].false_giveups, 2, 1e-9);
  g_assert_true(isnan(p[3].p50_s));
  g_assert_cmpfloat_with_epsilon(p[3].bytes_per_s, 0.6, 1e-9);
  g_assert_cmpuint(p[3].cells, ==, 2);
  /* One axis: averaged over the other parameter too:
   * 60s: (71 x 2 + 162 x 2) / 4 = 116.5 over its four p50 values. */
  ks_sweepdata_point q[2];
  ks_sweepdata_points(s, 0, 0, q);
  g_assert_cmpfloat_with_epsilon(q[0].p50_s, (70 + 72 + 160 + 164) / 4.0, 1e-9);
  g_assert_cmpuint(q[0].cells, ==, 4);

  ks_plot_images im = {0};
  g_assert_true(ks_plot_heatmap(s, &im, &error));
  g_assert_no_error(error);
  /* The hatched "never" cell and the viridis cells: yellow end 0xfde725
   * colours the slowest cell of the left panel. */
  g_assert_cmpuint(check_png(im.png, KS_PLOT_HEATMAP_W, KS_PLOT_HEATMAP_H, 0xfde725), >, 1000);
  check_svg(im.svg, KS_PLOT_HEATMAP_W, KS_PLOT_HEATMAP_H);
  ks_plot_images_clear(&im);
  ks_sweepdata_free(s);
  fixture_rm(dir);
}

static void expect_sweep_error(const char *text, const char *needle) {
  g_autofree char *dir = g_dir_make_tmp("kasim-badsweep-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "sweep.json", NULL);
  if (text)
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
  GError *error = NULL;
  g_assert_null(ks_sweepdata_load(dir, &error));
  g_assert_nonnull(error);
  if (strstr(error->message, needle) == NULL)
    g_error("'%s' does not contain '%s'", error->message, needle);
  g_error_free(error);
  fixture_rm(dir);
}

static void test_sweep_errors(void) {
  expect_sweep_error(NULL, "sweep.json");
  expect_sweep_error("{\"cells\": []}", "no \"grid\" object");
  expect_sweep_error("{\"grid\": {\"A\": [\"1\"]}, \"cells\": []}", "no cells");
  expect_sweep_error("{\"grid\": {\"A\": [\"1\"]}, \"cells\": [{\"params\": {\"A\": \"2\"}, "
                     "\"metrics\": {\"probe_bytes_per_s\": 1}}]}",
                     "cells[0]: params: A=2 is not in the grid");
  expect_sweep_error("{\"grid\": {\"A\": [\"1\"]}, \"cells\": [{\"params\": {\"A\": 1}, "
                     "\"metrics\": {}}]}",
                     "cells[0]: metrics: no \"probe_bytes_per_s\"");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/plot/timeline", test_timeline);
  g_test_add_func("/plot/cdf", test_cdf);
  g_test_add_func("/plot/overhead", test_overhead);
  g_test_add_func("/plot/sweep-points-and-heatmap", test_sweep_points);
  g_test_add_func("/plot/sweep-errors", test_sweep_errors);
  int status = g_test_run();
  ks_plot_shutdown();
  return status;
}
