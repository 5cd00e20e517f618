/* test_sweepplot.c - the plot of a sweep that keeps every axis (a panel
 * per value of the third parameter, x and y the first two) and says what
 * a cell's number hides: no failure to detect (hatched), a failure never
 * noticed (dark), healthy connections that died (a red frame), a
 * combination not run (hatched).  Pixels are checked where the layout of
 * ks_plot_heatmap.c puts each cell. */
#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ks_plot.h"

#define W KS_PLOT_HEATMAP_W
#define H KS_PLOT_HEATMAP_H

static const char sweep_json[] =
  "{\"scenario\": \"t\", \"grid\": {\"a\": [\"1\", \"2\"], \"b\": [\"1\", \"2\"],"
  " \"c\": [\"1\", \"2\"]}, \"seeds\": 1, \"cells\": [{\"index\": 0, \"params\":"
  " {\"a\": \"1\", \"b\": \"1\", \"c\": \"1\"}, \"seed\": 1, \"run_dir\": \"cells/x-1\","
  " \"metrics\": {\"probe_bytes_per_s\": 3.5, \"connections\": 10}}]}\n";

/* Panel c=1: (1,1) detected in 30 s; (2,1) no failure held; (1,2) a
 * failure never noticed; (2,2) 60 s, but 5% of the connections died.
 * Panel c=2: only (2,2), so the rest was not run. */
static const char stats_csv[] =
  "index,a,b,c,detection_n,detection_p95_s,false_giveup_rate,overhead_bytes_per_s\n"
  "0,1,1,1,10,30,0,3.5\n"
  "1,2,1,1,0,,0,3.5\n"
  "2,1,2,1,5,inf,0,3.5\n"
  "3,2,2,1,10,60,0.05,3.5\n"
  "4,2,2,2,10,45,0,3.5\n";

static guint32 pixel(cairo_surface_t *s, double x, double y) {
  const unsigned char *px = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  return *(const guint32 *)(px + (gsize)y * stride + (gsize)x * 4) & 0xffffff;
}

static gboolean grey(guint32 v) {
  return ((v >> 16) & 0xff) == ((v >> 8) & 0xff) && ((v >> 8) & 0xff) == (v & 0xff);
}

static void test_every_axis(void) {
  g_autofree char *dir = g_dir_make_tmp("kasim-sweepplot-XXXXXX", NULL);
  g_autofree char *sj = g_build_filename(dir, "sweep.json", NULL);
  g_autofree char *sc = g_build_filename(dir, "stats.csv", NULL);
  g_assert_true(g_file_set_contents(sj, sweep_json, -1, NULL));
  g_assert_true(g_file_set_contents(sc, stats_csv, -1, NULL));
  GError *error = NULL;
  ks_sweepdata *s = ks_sweepdata_load(dir, &error);
  g_assert_no_error(error);
  g_assert_nonnull(s->combos);
  g_assert_cmpuint(s->combos->len, ==, 5);
  ks_plot_images im = {0};
  g_assert_true(ks_plot_heatmap(s, &im, &error));
  g_assert_no_error(error);
  g_autofree char *png = g_build_filename(dir, "p.png", NULL);
  gsize len;
  const char *data = g_bytes_get_data(im.png, &len);
  g_assert_true(g_file_set_contents(png, data, (gssize)len, NULL));
  cairo_surface_t *img = cairo_image_surface_create_from_png(png);
  g_assert_cmpint(cairo_image_surface_get_width(img), ==, W);
  g_assert_cmpint(cairo_image_surface_get_height(img), ==, H);
  cairo_surface_flush(img);
  /* Two panels side by side: left 150, right 40, top 110, bottom 110;
   * each (W - 190) / 2 wide, its cells from 10 in, 22 down, 40 and 48 less. */
  double gw = (W - 190) / 2.0, gh = H - 220.0;
  double pw = gw - 40, ph = gh - 48, cw = pw / 2, ch = ph / 2;
#define CELL(f, x, y, dx, dy) \
  pixel(img, 150 + (f)*gw + 10 + (x)*cw + (dx), 132 + (1 - (y)) * ch + (dy))
  /* (1,1): a viridis colour, not grey; no red frame. */
  guint32 ok = CELL(0, 0, 0, 20, 20);
  g_assert_false(grey(ok));
  g_assert_cmphex(CELL(0, 0, 0, 3, ch / 2), !=, 0xd62728);
  /* (2,1): no failure: hatched greys. */
  g_assert_true(grey(CELL(0, 1, 0, 20, 20)));
  g_assert_true(grey(CELL(0, 1, 0, 25, 31)));
  /* (1,2): never: dark. */
  g_assert_cmphex(CELL(0, 0, 1, 20, 20), ==, 0x444444);
  /* (2,2): connections died: the red frame, inside a colour. */
  g_assert_cmphex(CELL(0, 1, 1, 3, ch / 2), ==, 0xd62728);
  g_assert_false(grey(CELL(0, 1, 1, 20, 20)));
  /* Panel c=2: (1,1) not run: hatched; (2,2) run: coloured. */
  g_assert_true(grey(CELL(1, 0, 0, 20, 20)));
  g_assert_false(grey(CELL(1, 1, 1, 20, 20)));
  /* 30 s is faster than 60 s: darker on viridis (lower green). */
  g_assert_cmpuint((ok >> 8) & 0xff, <, (CELL(0, 1, 1, 20, 20) >> 8) & 0xff);
#undef CELL
  cairo_surface_destroy(img);
  ks_plot_images_clear(&im);
  ks_sweepdata_free(s);

  /* A stats.csv that is not the sweep's: one message naming it. */
  g_assert_true(g_file_set_contents(sc, "index,x,b,c\n", -1, NULL));
  g_assert_null(ks_sweepdata_load(dir, &error));
  g_assert_nonnull(strstr(error->message, "stats.csv: line 1"));
  g_clear_error(&error);
  g_unlink(sj);
  g_unlink(sc);
  g_unlink(png);
  g_rmdir(dir);
  ks_plot_shutdown();
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sweepplot/every-axis", test_every_axis);
  return g_test_run();
}
