/* test_plot_names.c - pictures that are right (issue 21): a timeline names
 * links and hosts, marks the failure of its own path (lab 2: the Linux
 * client's cable, not the XP client's, although all three go down at
 * 600 s), is as high as its rows; the overhead picture's labels are
 * spread so that none overlaps another. */
#include <cairo.h>
#include <math.h>
#include <string.h>

#include "ks_plot.h"
#include "ks_plot_priv.h"
#include "ks_test_spawn.h"

static char *lab2_run(void) {
  char *dir = g_dir_make_tmp("kasim-names-XXXXXX", NULL);
  g_autofree char *scen = g_test_build_filename(G_TEST_DIST, "..", "..", "docs", "labs",
                                                "three-systems.yaml", NULL);
  const char *argv[] = {g_getenv("KASIM"), "run", scen, "--out", dir, NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(ks_test_spawn(argv, &out, &err), ==, 0);
  return dir;
}

static gboolean any_row_has(GPtrArray *rows, const char *s) {
  for (guint i = 0; i < rows->len; i++)
    if (strstr(rows->pdata[i], s))
      return TRUE;
  return FALSE;
}

/* three-systems.yaml: xp-cable, vista-cable and tux-cable all go down at
 * 10 min; connection i of group i uses cable i. */
static void test_own_path_failure(void) {
  g_autofree char *dir = lab2_run();
  GError *error = NULL;
  static const char *const cable[] = {"xp-cable", "vista-cable", "tux-cable"};
  static const char *const client[] = {"xp", "vista", "tux"};
  for (guint c = 0; c < 3; c++) {
    ks_run_metrics *m = ks_metrics_load_conn(dir, c, &error);
    g_assert_no_error(error);
    ks_timeline *tl = ks_timeline_load(dir, m, &error);
    g_assert_no_error(error);
    GPtrArray *rows = ks_plot_timeline_rows(tl);
    g_autofree char *want = g_strdup_printf("FAILURE: link_down %s", cable[c]);
    g_assert_true(any_row_has(rows, want));
    for (guint o = 0; o < 3; o++)
      if (o != c)
        g_assert_false(any_row_has(rows, cable[o]));
    g_assert_false(any_row_has(rows, "#"));
    g_assert_cmpstr(tl->path_hosts->pdata[0], ==, client[c]);
    g_assert_cmpstr(tl->path_hosts->pdata[1], ==, "server");
    g_ptr_array_unref(rows);
    /* As high as its rows: three handshake rows, the failure, nine probes
     * and the RST, the give-up, ten cut-out stretches: well under the old
     * fixed 1500 and the same as the PNG. */
    if (c == 2) {
      int h = ks_plot_timeline_height(tl);
      g_assert_cmpint(h, >, 800);
      g_assert_cmpint(h, <, 1500);
      ks_plot_images im = {0};
      g_assert_true(ks_plot_timeline(tl, &im, &error));
      g_autofree char *png = g_build_filename(dir, "t.png", NULL);
      gsize len;
      const void *data = g_bytes_get_data(im.png, &len);
      g_assert_true(g_file_set_contents(png, data, (gssize)len, NULL));
      cairo_surface_t *s = cairo_image_surface_create_from_png(png);
      g_assert_cmpint(cairo_image_surface_get_width(s), ==, KS_PLOT_TIMELINE_W);
      g_assert_cmpint(cairo_image_surface_get_height(s), ==, h);
      cairo_surface_destroy(s);
      ks_plot_images_clear(&im);
    }
    ks_timeline_free(tl);
    ks_metrics_free(m);
  }
  ks_test_rm_rf(dir);
}

static void check_spread(const double *before, double *y, guint n, double gap, double lo,
                         double hi) {
  ksp_spread_labels(y, n, gap, lo, hi);
  for (guint i = 0; i < n; i++) {
    if ((n - 1) * gap <= hi - lo) {
      g_assert_cmpfloat(y[i], >=, lo - 1e-9);
      g_assert_cmpfloat(y[i], <=, hi + 1e-9);
    }
    for (guint j = 0; j < n; j++) {
      if (i == j)
        continue;
      g_assert_cmpfloat(fabs(y[i] - y[j]), >=, gap - 1e-9);
      /* The order of the dots is kept: higher dot, higher label. */
      if (before[i] < before[j])
        g_assert_cmpfloat(y[i], <, y[j]);
    }
  }
}

static void test_spread_labels(void) {
  /* Three dots at nearly one height (lab 2's overhead) and one apart. */
  const double a[] = {560, 552, 571, 300};
  double ya[] = {560, 552, 571, 300};
  check_spread(a, ya, 4, 22, 100, 480);
  g_assert_cmpfloat(ya[3], ==, 300); /* room enough: not moved */
  /* All at the bottom edge, and all at the top. */
  const double b[] = {700, 699, 698, 697, 696};
  double yb[] = {700, 699, 698, 697, 696};
  check_spread(b, yb, 5, 22, 100, 480);
  const double c[] = {10, 11, 12};
  double yc[] = {10, 11, 12};
  check_spread(c, yc, 3, 22, 100, 480);
  g_assert_cmpfloat(yc[0], ==, 100);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/plot-names/own-path-failure", test_own_path_failure);
  g_test_add_func("/plot-names/spread-labels", test_spread_labels);
  int status = g_test_run();
  ks_plot_shutdown(); /* cairo's and fontconfig's caches, for the leak checker */
  return status;
}
