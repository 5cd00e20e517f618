/* ks_cmd_report.c - `kasim report RUN_OR_SWEEP_DIR`: one self-contained
 * HTML page to hand out or project.  For a run: the scenario, the outcome
 * per group, one connection's timeline (zoomable, each segment's fields on
 * hover), the detection-latency CDF, `kasim explain`'s text for each
 * profile, and links to the captures.  For a sweep: its cells and the
 * heatmap.  The page's style and script (sim/cli/report/) are compiled
 * into kasim and copied into the page, which needs nothing else: it works
 * from a file, offline, and prints. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ks_afile.h"
#include "ks_cli.h"
#include "ks_format.h"
#include "ks_json.h"
#include "ks_metrics.h"
#include "ks_plot.h"
#include "ks_sweepdata.h"
#include "ks_trace.h"

static char *esc(const char *s) { return g_markup_escape_text(s ? s : "", -1); }

static char *asset(const char *name) {
  g_autofree char *path = g_strconcat("/kasim/report/", name, NULL);
  GBytes *b = g_resources_lookup_data(path, 0, NULL);
  if (b == NULL)
    return g_strdup("");
  gsize len;
  const char *d = g_bytes_get_data(b, &len);
  char *s = g_strndup(d, len);
  g_bytes_unref(b);
  return s;
}

static void head(GString *h, const char *title) {
  g_autofree char *t = esc(title), *css = asset("report.css");
  g_string_append_printf(h,
                         "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"generator\" content=\"kasim %s\">\n<title>%s</title>\n"
                         "<style>\n%s</style>\n</head>\n<body>\n<pre id=\"errors\" hidden></pre>\n",
                         KASIM_VERSION, t, css);
}

/* An SVG drawn by analysis/ (cairo's), as an image of its own: cairo names
 * its glyphs alike in every SVG, so two inlined in one page would borrow
 * each other's letters. */
static void inline_svg(GString *h, GBytes *svg, const char *alt) {
  gsize len;
  const guchar *d = g_bytes_get_data(svg, &len);
  g_autofree char *b64 = g_base64_encode(d, len);
  g_autofree char *ea = esc(alt);
  g_string_append_printf(h,
                         "<img class=\"plot\" alt=\"%s\" src=\"data:image/svg+xml;base64,%s\">\n",
                         ea, b64);
}

static const char *str_member(JsonObject *o, const char *k) {
  JsonNode *n = json_object_get_member(o, k);
  return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
           ? json_node_get_string(n)
           : NULL;
}

static double num_member(JsonObject *o, const char *k) {
  JsonNode *n = json_object_get_member(o, k);
  return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_double(n) : NAN;
}

static char *secs(double s) {
  if (isnan(s))
    return g_strdup("");
  return ks_format_seconds((ka_time)llround(s * 1e9));
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Per group: connections, how they ended (reason, error, first, median,
 * last), failures, detections, false give-ups, probes. */
static void outcome(GString *h, JsonArray *conns) {
  g_string_append(h, "<section id=\"outcome\">\n<h2>Outcome per group</h2>\n<table>\n<tr>"
                     "<th>group</th><th>profile</th><th>connections</th><th>how they ended</th>"
                     "<th>failed</th><th>false give-ups</th><th>probes sent / answered</th>"
                     "</tr>\n");
  GPtrArray *names = g_ptr_array_new();
  guint n = json_array_get_length(conns);
  for (guint i = 0; i < n; i++) {
    const char *g = str_member(json_array_get_object_element(conns, i), "group");
    gboolean seen = FALSE;
    for (guint k = 0; k < names->len && !seen; k++)
      seen = g_strcmp0(names->pdata[k], g) == 0;
    if (!seen && g)
      g_ptr_array_add(names, (gpointer)g);
  }
  for (guint k = 0; k < names->len; k++) {
    const char *g = names->pdata[k];
    const char *profile = NULL;
    guint count = 0, failed = 0, falsegu = 0, alive = 0;
    gint64 sent = 0, answered = 0;
    GHashTable *by = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_array_unref);
    for (guint i = 0; i < n; i++) {
      JsonObject *c = json_array_get_object_element(conns, i);
      if (g_strcmp0(str_member(c, "group"), g) != 0)
        continue;
      count++;
      profile = str_member(c, "profile");
      failed += !isnan(num_member(c, "failure_at_s"));
      falsegu += json_object_get_boolean_member_with_default(c, "false_giveup", FALSE);
      sent += json_object_get_int_member_with_default(c, "probes_sent", 0);
      answered += json_object_get_int_member_with_default(c, "probes_answered", 0);
      const char *reason = str_member(c, "close_reason");
      if (reason == NULL) {
        alive++;
        continue;
      }
      char *key = g_strdup_printf("%s (%s)", reason,
                                  str_member(c, "error") ? str_member(c, "error") : "-");
      GArray *t = g_hash_table_lookup(by, key);
      if (t == NULL) {
        t = g_array_new(FALSE, FALSE, sizeof(double));
        g_hash_table_insert(by, key, t);
      } else {
        g_free(key);
      }
      double at = num_member(c, "closed_at_s");
      g_array_append_val(t, at);
    }
    GString *ended = g_string_new(NULL);
    if (alive)
      g_string_append_printf(ended, "%u open at the end<br>", alive);
    GList *keys = g_list_sort(g_hash_table_get_keys(by), (GCompareFunc)strcmp);
    for (GList *l = keys; l; l = l->next) {
      GArray *t = g_hash_table_lookup(by, l->data);
      g_array_sort(t, cmp_double);
      g_autofree char *k1 = esc(l->data);
      g_autofree char *a = secs(g_array_index(t, double, 0));
      g_autofree char *m = secs(g_array_index(t, double, t->len / 2));
      g_autofree char *z = secs(g_array_index(t, double, t->len - 1));
      if (t->len == 1)
        g_string_append_printf(ended, "closed at %s s by %s<br>", a, k1);
      else
        g_string_append_printf(ended, "%u closed by %s: first %s s, median %s s, last %s s<br>",
                               t->len, k1, a, m, z);
    }
    g_list_free(keys);
    g_hash_table_unref(by);
    g_autofree char *eg = esc(g), *ep = esc(profile);
    g_string_append_printf(h,
                           "<tr><td>%s</td><td>%s</td><td class=\"n\">%u</td><td>%s</td>"
                           "<td class=\"n\">%u</td><td class=\"n%s\">%u</td>"
                           "<td class=\"n\">%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT
                           "</td></tr>\n",
                           eg, ep, count, ended->str, failed, falsegu ? " bad" : "", falsegu, sent,
                           answered);
    g_string_free(ended, TRUE);
  }
  g_ptr_array_unref(names);
  g_string_append(h, "</table>\n</section>\n");
}

/* The connection's events as JSON for report.js: safe inside <script>. */
static char *timeline_json(const ks_timeline *tl) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "events");
  json_builder_begin_array(b);
  for (guint i = 0; i < tl->recs->len; i++) {
    const ks_trace_rec *r = &g_array_index(tl->recs, ks_trace_rec, i);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "t");
    json_builder_add_double_value(b, (double)r->t_ns / 1e9);
    ks_json_str(b, "ev", ks_net_trace_kind_name(r->ev));
    if (r->kind >= 0) {
      ks_json_str(b, "dir", r->from_client ? "c2s" : "s2c");
      ks_json_str(b, "kind", ks_net_seg_kind_name((guint)r->kind));
      ks_json_str(b, "flags", r->flags);
      ks_json_int(b, "seq", r->seq);
      ks_json_int(b, "ack", r->ack);
      ks_json_int(b, "len", r->len);
    }
    if (r->what[0])
      ks_json_str(b, "what", r->what);
    if (r->error[0])
      ks_json_str(b, "error", r->error);
    if (r->ev == KS_TRACE_SCENARIO) {
      int kind = ks_net_event_of(r->what);
      GPtrArray *names = NULL;
      if (kind >= 0)
        switch (ks_net_event_target((ks_event_kind)kind)) {
        case KS_TARGET_LINK: names = tl->links; break;
        case KS_TARGET_HOST: names = tl->hosts; break;
        default: names = tl->middleboxes; break;
        }
      if (names && r->target >= 0 && (guint)r->target < names->len)
        ks_json_str(b, "target_name", names->pdata[r->target]);
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  char *text = ks_json_node_to_text(root, FALSE);
  json_node_unref(root);
  g_object_unref(b);
  /* "</script>" inside a string must not end the element. */
  GString *s = g_string_new(NULL);
  for (const char *p = text; *p; p++) {
    if (p[0] == '<' && p[1] == '/')
      g_string_append(s, "<\\/"), p++;
    else
      g_string_append_c(s, *p);
  }
  g_free(text);
  return g_string_free(s, FALSE);
}

/* `kasim explain --profile P`, run by this very program. */
static char *explain_text(const char *profile) {
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  const char *argv[] = {self ? self : "kasim", "explain", "--profile", profile, NULL};
  char *out = NULL;
  int wait = 0;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                    &wait, NULL) ||
      !g_spawn_check_wait_status(wait, NULL)) {
    g_free(out);
    return NULL;
  }
  return out;
}

static void capture_link(GString *h, const char *dir, const char *name, const char *out_dir,
                         const char *what) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return;
  GFile *from = g_file_new_for_path(out_dir), *to = g_file_new_for_path(path);
  char *rel = g_file_get_relative_path(from, to);
  g_autofree char *href = rel ? rel : g_file_get_uri(to);
  g_object_unref(from);
  g_object_unref(to);
  g_autofree char *eh = esc(href), *en = esc(name);
  g_string_append_printf(h, "<li><a href=\"%s\">%s</a>: %s</li>\n", eh, en, what);
}

static gboolean report_run(GString *h, const char *dir, const char *out_dir, GError **error) {
  g_autofree char *sp = g_build_filename(dir, "summary.json", NULL);
  JsonParser *p = json_parser_new();
  if (!json_parser_load_from_file(p, sp, error)) {
    g_object_unref(p);
    return FALSE;
  }
  JsonNode *rn = json_parser_get_root(p);
  JsonObject *root = JSON_NODE_HOLDS_OBJECT(rn) ? json_node_get_object(rn) : NULL;
  JsonNode *cn = root ? json_object_get_member(root, "connections") : NULL;
  if (cn == NULL || !JSON_NODE_HOLDS_ARRAY(cn)) {
    g_set_error(error, KS_CLI_ERROR, 0, "%s: not a run's summary (no connections)", sp);
    g_object_unref(p);
    return FALSE;
  }
  JsonArray *conns = json_node_get_array(cn);
  ks_run_metrics *m = ks_metrics_load(dir, error);
  ks_timeline *tl = m ? ks_timeline_load(dir, m, -1, error) : NULL;
  if (tl == NULL) {
    ks_metrics_free(m);
    g_object_unref(p);
    return FALSE;
  }
  const char *name = str_member(root, "scenario");
  g_autofree char *title = g_strdup_printf("kasim report: %s", name ? name : "run");
  head(h, title);
  g_autofree char *en = esc(name), *ed = esc(dir);
  g_autofree char *vt = secs(num_member(root, "virtual_time_s"));
  g_autofree char *events = ks_format_count(
    (guint64)json_object_get_int_member_with_default(root, "events", 0));
  g_string_append_printf(
    h,
    "<header>\n<h1>%s</h1>\n<p class=\"meta\">a run of kasim %s: seed %" G_GINT64_FORMAT
    ", %s s of virtual time, %s events, %u connections; from <code>%s</code></p>\n",
    en, KASIM_VERSION, json_object_get_int_member_with_default(root, "seed", 0), vt, events,
    json_array_get_length(conns), ed);
  JsonNode *nn = json_object_get_member(root, "network");
  if (nn && JSON_NODE_HOLDS_OBJECT(nn)) {
    JsonObject *net = json_node_get_object(nn);
    JsonNode *gn = json_object_get_member(net, "groups");
    if (gn && JSON_NODE_HOLDS_ARRAY(gn)) {
      g_string_append(h, "<p>The scenario's groups and their paths:</p>\n<ul>\n");
      JsonArray *ga = json_node_get_array(gn);
      for (guint i = 0; i < json_array_get_length(ga); i++) {
        JsonObject *g = json_array_get_object_element(ga, i);
        GString *path = g_string_new(NULL);
        JsonArray *hs = json_object_get_array_member(g, "hosts");
        JsonArray *ls = json_object_get_array_member(g, "links");
        for (guint k = 0; hs && k < json_array_get_length(hs); k++) {
          g_autofree char *hn = esc(json_array_get_string_element(hs, k));
          g_string_append(path, hn);
          if (ls && k < json_array_get_length(ls)) {
            g_autofree char *ln = esc(json_array_get_string_element(ls, k));
            g_string_append_printf(path, " &mdash;%s&rarr; ", ln);
          }
        }
        g_autofree char *gname = esc(str_member(g, "name"));
        g_string_append_printf(h, "<li><b>%s</b>: %s</li>\n", gname, path->str);
        g_string_free(path, TRUE);
      }
      g_string_append(h, "</ul>\n");
    }
  }
  g_string_append(h, "</header>\n");
  outcome(h, conns);

  g_autofree char *eg = esc(tl->group);
  g_string_append_printf(
    h,
    "<section id=\"timeline\">\n<h2>Timeline of connection %u (group %s)</h2>\n"
    "<p class=\"note\">The first connection whose failure was detected (else the "
    "first false give-up, failure or close), as <code>kasim plot</code> draws it. "
    "Wheel: zoom; drag: pan; hover a segment for its fields. "
    "Lost segments end in a red cross.</p>\n"
    "<p class=\"controls\"><button id=\"tl-in\">zoom in</button>"
    "<button id=\"tl-out\">zoom out</button><button id=\"tl-fit\">all</button>"
    "</p>\n<div id=\"tl-box\"></div>\n<div id=\"tl-info\">Hover a segment.</div>\n",
    tl->conn, eg);
  /* Printed, or without a script: the static picture of the same story. */
  ks_plot_images im = {0};
  if (ks_plot_timeline(tl, &im, NULL)) {
    g_string_append(h, "<details class=\"static\"><summary>The same connection as a sequence "
                       "diagram</summary>\n");
    inline_svg(h, im.svg, "sequence diagram of the connection");
    g_string_append(h, "</details>\n");
    ks_plot_images_clear(&im);
  }
  g_string_append(h, "</section>\n");
  g_string_append(h, "<section id=\"cdf\">\n<h2>How long until a failure is noticed</h2>\n");
  if (m->detected > 0 && ks_plot_cdf(m, &im, NULL)) {
    inline_svg(h, im.svg, "cumulative distribution of detection latency per group");
    ks_plot_images_clear(&im);
  } else {
    g_string_append(h, "<p>No failure was detected in this run: no latency to draw.</p>\n");
  }
  g_string_append(h, "</section>\n");

  g_string_append(h,
                  "<section id=\"explain\">\n<h2>What each system does</h2>\n"
                  "<p class=\"note\"><code>kasim explain --profile P</code>: one idle connection "
                  "whose peer vanishes, with the profile's defaults (the scenario may set "
                  "other values).</p>\n");
  for (guint i = 0; i < m->groups->len; i++) {
    const ks_group_metrics *g = m->groups->pdata[i];
    gboolean dup = FALSE;
    for (guint k = 0; k < i && !dup; k++)
      dup = g_strcmp0(((ks_group_metrics *)m->groups->pdata[k])->profile, g->profile) == 0;
    if (dup || g->profile == NULL)
      continue;
    g_autofree char *text = explain_text(g->profile);
    g_autofree char *ep = esc(g->profile), *et = esc(text ? text : "(kasim explain failed)");
    g_string_append_printf(h, "<h3>%s</h3>\n<pre>%s</pre>\n", ep, et);
  }
  g_string_append(h, "</section>\n<section id=\"capture\">\n<h2>Captures</h2>\n<ul>\n");
  gsize before = h->len;
  capture_link(h, dir, "capture.pcap", out_dir,
               "what the client hosts sent and received (pcapng, "
               "Wireshark; lost segments carry a comment)");
  capture_link(h, dir, "capture-server.pcap", out_dir, "the same on the server hosts");
  if (h->len == before)
    g_string_append(h, "<li>No capture: run with <code>--pcap</code> to have one.</li>\n");
  g_string_append(h, "</ul>\n</section>\n");
  g_autofree char *data = timeline_json(tl);
  g_autofree char *js = asset("report.js");
  g_string_append_printf(h,
                         "<script type=\"application/json\" id=\"kasim-data\">%s</script>\n"
                         "<script>\n%s</script>\n</body>\n</html>\n",
                         data, js);
  ks_timeline_free(tl);
  ks_metrics_free(m);
  g_object_unref(p);
  return TRUE;
}

static gboolean report_sweep(GString *h, const char *dir, GError **error) {
  ks_sweepdata *s = ks_sweepdata_load(dir, error);
  if (s == NULL)
    return FALSE;
  g_autofree char *sp = g_build_filename(dir, "sweep.json", NULL);
  JsonParser *p = json_parser_new();
  if (!json_parser_load_from_file(p, sp, error)) {
    g_object_unref(p);
    ks_sweepdata_free(s);
    return FALSE;
  }
  JsonObject *root = json_node_get_object(json_parser_get_root(p));
  const char *name = str_member(root, "scenario");
  g_autofree char *title = g_strdup_printf("kasim report: sweep of %s", name ? name : "?");
  head(h, title);
  g_autofree char *en = esc(name), *ed = esc(dir);
  g_string_append_printf(h,
                         "<header>\n<h1>Sweep of %s</h1>\n<p class=\"meta\">kasim %s; from "
                         "<code>%s</code></p>\n</header>\n",
                         en, KASIM_VERSION, ed);
  ks_plot_images im = {0};
  if (ks_plot_heatmap(s, &im, NULL)) {
    g_string_append(h, "<section id=\"heatmap\">\n<h2>Detection time and overhead</h2>\n");
    inline_svg(h, im.svg, "heatmap of detection time and probe overhead");
    g_string_append(h, "</section>\n");
    ks_plot_images_clear(&im);
  }
  g_string_append(h, "<section id=\"cells\">\n<h2>Cells</h2>\n<table>\n<tr><th>settings</th>"
                     "<th>seed</th><th>connections</th><th>detected</th><th>false give-ups</th>"
                     "<th>median detection (s)</th><th>probe octets/s</th></tr>\n");
  JsonArray *cells = json_object_get_array_member(root, "cells");
  for (guint i = 0; cells && i < json_array_get_length(cells); i++) {
    JsonObject *c = json_array_get_object_element(cells, i);
    JsonObject *params = json_object_get_object_member(c, "params");
    JsonObject *mt = json_object_get_object_member(c, "metrics");
    GString *set = g_string_new(NULL);
    GList *keys = params ? json_object_get_members(params) : NULL;
    for (GList *l = keys; l; l = l->next) {
      g_autofree char *k = esc(l->data), *v = esc(str_member(params, l->data));
      g_string_append_printf(set, "%s%s=%s", set->len ? " " : "", k, v);
    }
    g_list_free(keys);
    g_autofree char *p50 = mt ? secs(num_member(mt, "latency_p50_s")) : g_strdup("");
    double bps = mt ? num_member(mt, "probe_bytes_per_s") : NAN;
    g_string_append_printf(
      h,
      "<tr><td>%s</td><td class=\"n\">%" G_GINT64_FORMAT "</td>"
      "<td class=\"n\">%.0f</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>"
      "<td class=\"n\">%s</td><td class=\"n\">%.1f</td></tr>\n",
      set->str, json_object_get_int_member_with_default(c, "seed", 0),
      mt ? num_member(mt, "connections") : NAN, mt ? num_member(mt, "detected") : NAN,
      mt ? num_member(mt, "false_giveups") : NAN, p50, bps);
    g_string_free(set, TRUE);
  }
  g_string_append(h, "</table>\n</section>\n<script>document.body.setAttribute(\"data-ready\", "
                     "\"yes\");</script>\n</body>\n</html>\n");
  g_object_unref(p);
  ks_sweepdata_free(s);
  return TRUE;
}

int ks_cmd_report(int argc, char **argv) {
  g_autofree char *out = NULL;
  GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "The page to write (default: DIR/report.html)",
     "FILE.html"},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(
    "RUN_OR_SWEEP_DIR - one self-contained HTML page of a run or a sweep, for a class");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0,
                argc < 2 ? "a run or sweep folder is required" : "unexpected argument '%s'",
                argv[2]),
      ok = FALSE;
  GString *h = g_string_new(NULL);
  const char *dir = ok ? argv[1] : NULL;
  if (ok && out == NULL)
    out = g_build_filename(dir, "report.html", NULL);
  g_autofree char *out_dir = out ? g_path_get_dirname(out) : NULL;
  if (ok) {
    g_autofree char *sweep = g_build_filename(dir, "sweep.json", NULL);
    g_autofree char *summary = g_build_filename(dir, "summary.json", NULL);
    if (g_file_test(sweep, G_FILE_TEST_IS_REGULAR))
      ok = report_sweep(h, dir, &error);
    else if (g_file_test(summary, G_FILE_TEST_IS_REGULAR))
      ok = report_run(h, dir, out_dir, &error);
    else
      g_set_error(&error, KS_CLI_ERROR, 0,
                  "%s: not a run or sweep folder (no summary.json or sweep.json)", dir),
        ok = FALSE;
  }
  /* The page appears whole or not at all. */
  if (ok) {
    g_autofree char *base = g_path_get_basename(out);
    ks_afile *f = ks_afile_open(out_dir, base, &error);
    ok = f != NULL;
    if (ok) {
      fwrite(h->str, 1, h->len, ks_afile_stream(f));
      ok = ks_afile_commit(f, &error);
    }
  }
  g_string_free(h, TRUE);
  if (!ok) {
    ks_cli_print_error("report", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  printf("%s\n", out);
  return 0;
}
