/* ks_cmd_plot.c - `kasim plot RUN_OR_SWEEP_DIR`: the pictures that fit
 * the folder, each as PNG and SVG.  Everything is read and drawn in memory
 * first; files are written only when all of them are ready, and each
 * appears whole or not at all (ks_afile), so bad input leaves nothing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "ks_afile.h"
#include "ks_cli.h"
#include "ks_metrics.h"
#include "ks_plot.h"
#include "ks_sweepdata.h"
#include "ks_trace.h"

typedef struct picture {
  const char *name;
  ks_plot_images im;
} picture;

static void add(GArray *pics, const char *name, ks_plot_images *im) {
  picture p = {.name = name, .im = *im};
  g_array_append_val(pics, p);
}

static gboolean plot_run(const char *dir, gint64 conn, GArray *pics, GPtrArray *keep,
                         GError **error) {
  ks_run_metrics *m = ks_metrics_load_conn(dir, conn, error);
  if (m == NULL)
    return FALSE;
  gboolean ok = FALSE;
  ks_plot_images im = {0};
  /* A run traced in part may have nothing of the connection to draw:
   * without --conn the other pictures are still drawn, and the reason
   * given; asked for by --conn, it is an error. */
  GError *e = NULL;
  ks_timeline *tl = ks_timeline_load(dir, m, &e);
  if (tl == NULL && conn < 0 && g_error_matches(e, KS_METRICS_ERROR, KS_METRICS_ERROR_NO_TRACE)) {
    fprintf(stderr, "kasim plot: timeline not drawn: %s\n", e->message);
    g_clear_error(&e);
  } else if (tl == NULL) {
    g_propagate_error(error, e);
    goto done;
  } else if (!ks_plot_timeline(tl, &im, error)) {
    goto done;
  } else {
    add(pics, "timeline", &im);
  }
  if (m->detected > 0) {
    if (!ks_plot_cdf(m, &im, error))
      goto done;
    add(pics, "latency-cdf", &im);
  }
  if (m->probe_wire_bytes > 0 && m->virtual_time_s > 0) {
    ks_overhead_series *s = g_new0(ks_overhead_series, m->groups->len);
    guint n = 0;
    for (guint i = 0; i < m->groups->len; i++) {
      const ks_group_metrics *g = m->groups->pdata[i];
      if (g->probe_wire_bytes == 0)
        continue;
      char *label = g_strdup_printf("%s (%s)", g->name, g->profile);
      g_ptr_array_add(keep, label);
      s[n++] = (ks_overhead_series){.label = label,
                                    .bytes_per_conn_s = (double)g->probe_wire_bytes /
                                                        m->virtual_time_s / g->connections,
                                    .mark_n = g->connections};
    }
    g_autofree char *title = g_strdup_printf("%s: keep-alive traffic against connections",
                                             m->scenario);
    g_autofree char *sub = g_strdup_printf(
      "as simulated: probes and ACKs put on the wire over the run's %.0f s, Ethernet "
      "framing (84 octets each); dots: the run's own counts",
      m->virtual_time_s);
    gboolean drawn = ks_plot_overhead(title, sub, s, n, &im, error);
    g_free(s);
    if (!drawn)
      goto done;
    add(pics, "overhead", &im);
  }
  ok = TRUE;
done:
  ks_timeline_free(tl);
  ks_metrics_free(m);
  return ok;
}

static gboolean plot_sweep(const char *dir, GArray *pics, GPtrArray *keep, GError **error) {
  ks_sweepdata *s = ks_sweepdata_load(dir, error);
  if (s == NULL)
    return FALSE;
  ks_plot_images im = {0};
  gboolean ok = ks_plot_heatmap(s, &im, error);
  if (ok)
    add(pics, "heatmap", &im);
  /* Overhead per grid point of the first parameter that varies: at most
   * as many lines as the palette has colours, evenly picked. */
  guint px = 0;
  for (guint k = 0; k < s->n_params; k++)
    if (s->values[k]->len > 1) {
      px = k;
      break;
    }
  guint nx = s->values[px]->len;
  ks_sweepdata_point *pts = g_new0(ks_sweepdata_point, nx);
  ks_sweepdata_points(s, px, px, pts);
  ks_overhead_series series[8];
  guint n = 0, want = nx < 8 ? nx : 8;
  for (guint i = 0; ok && i < want; i++) {
    guint x = want > 1 ? i * (nx - 1) / (want - 1) : 0;
    if (isnan(pts[x].bytes_per_conn_s) || !(pts[x].bytes_per_conn_s > 0))
      continue;
    char *label = g_strdup_printf("%s=%s", s->names[px], (char *)s->values[px]->pdata[x]);
    g_ptr_array_add(keep, label);
    series[n++] = (ks_overhead_series){.label = label, .bytes_per_conn_s = pts[x].bytes_per_conn_s};
  }
  if (ok && n > 0) {
    ok = ks_plot_overhead("Sweep: keep-alive traffic against connections",
                          "as simulated, mean over seeds and the other parameters; Ethernet "
                          "framing (84 octets per probe or ACK)",
                          series, n, &im, error);
    if (ok)
      add(pics, "overhead", &im);
  }
  g_free(pts);
  ks_sweepdata_free(s);
  return ok;
}

/* The exit status for a file that could not be written: 2 when the
 * folder is the user's to fix, 3 when the machine failed. */
static int write_status(const GError *e) { return ks_afile_error_is_users(e) ? KS_EXIT_USAGE : 3; }

static gboolean write_all(const char *out, GArray *pics, GPtrArray *written, GError **error) {
  if (g_mkdir_with_parents(out, 0755) != 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", out, g_strerror(err));
    return FALSE;
  }
  GPtrArray *files = g_ptr_array_new();
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < pics->len; i++) {
    const picture *p = &g_array_index(pics, picture, i);
    for (int k = 0; ok && k < 2; k++) {
      g_autofree char *name = g_strdup_printf("%s.%s", p->name, k ? "svg" : "png");
      ks_afile *f = ks_afile_open(out, name, error);
      if (f == NULL) {
        ok = FALSE;
        break;
      }
      g_ptr_array_add(files, f);
      gsize len;
      const void *data = g_bytes_get_data(k ? p->im.svg : p->im.png, &len);
      if (fwrite(data, 1, len, ks_afile_stream(f)) != len) {
        int err = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", ks_afile_path(f),
                    g_strerror(err));
        ok = FALSE;
      }
    }
  }
  for (guint i = 0; i < files->len; i++) {
    ks_afile *f = files->pdata[i];
    if (!ok) {
      ks_afile_abort(f);
      continue;
    }
    char *path = g_strdup(ks_afile_path(f));
    if (ks_afile_commit(f, error))
      g_ptr_array_add(written, path);
    else
      g_free(path), ok = FALSE;
  }
  g_ptr_array_unref(files);
  return ok;
}

int ks_cmd_plot(int argc, char **argv) {
  g_autofree char *out = NULL, *conn_text = NULL;
  GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Where the pictures go (default: the folder)",
     "DIR"},
    {"conn", 0, 0, G_OPTION_ARG_STRING, &conn_text,
     "The connection the timeline shows (default: the first that failed)", "N"},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(
    "RUN_OR_SWEEP_DIR - timeline, latency CDF, heatmap and overhead as PNG and SVG");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  guint64 conn = 0;
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0,
                argc < 2 ? "a run or sweep folder is required" : "unexpected argument '%s'",
                argv[2]),
      ok = FALSE;
  if (ok && conn_text && !g_ascii_string_to_unsigned(conn_text, 10, 0, G_MAXUINT32, &conn, NULL))
    g_set_error(&error, KS_CLI_ERROR, 0, "--conn %s: not a connection number", conn_text),
      ok = FALSE;
  GArray *pics = g_array_new(FALSE, TRUE, sizeof(picture));
  GPtrArray *keep = g_ptr_array_new_with_free_func(g_free);
  if (ok) {
    const char *dir = argv[1];
    g_autofree char *sweep = g_build_filename(dir, "sweep.json", NULL);
    g_autofree char *summary = g_build_filename(dir, "summary.json", NULL);
    if (g_file_test(sweep, G_FILE_TEST_IS_REGULAR)) {
      if (conn_text)
        g_set_error(&error, KS_CLI_ERROR, 0, "--conn: %s is a sweep, not a run", dir), ok = FALSE;
      else
        ok = plot_sweep(dir, pics, keep, &error);
    } else if (g_file_test(summary, G_FILE_TEST_IS_REGULAR)) {
      ok = plot_run(dir, conn_text ? (gint64)conn : -1, pics, keep, &error);
    } else {
      g_set_error(&error, KS_CLI_ERROR, 0,
                  "%s: not a run or sweep folder (no summary.json or sweep.json)", dir);
      ok = FALSE;
    }
  }
  int status = 0;
  if (!ok) {
    ks_cli_print_error("plot", error);
    g_error_free(error);
    status = KS_EXIT_USAGE;
  } else {
    GPtrArray *written = g_ptr_array_new_with_free_func(g_free);
    ks_afile_install_signal_handlers();
    if (write_all(out ? out : argv[1], pics, written, &error)) {
      for (guint i = 0; i < written->len; i++)
        printf("%s\n", (char *)written->pdata[i]);
    } else {
      status = write_status(error);
      if (status == KS_EXIT_USAGE && out)
        g_prefix_error(&error, "--out: ");
      ks_cli_print_error("plot", error);
      g_error_free(error);
    }
    g_ptr_array_unref(written);
  }
  for (guint i = 0; i < pics->len; i++)
    ks_plot_images_clear(&g_array_index(pics, picture, i).im);
  g_array_unref(pics);
  g_ptr_array_unref(keep);
  return status;
}
