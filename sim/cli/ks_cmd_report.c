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

/* A binned value with no more digits than its bound allows: to the power
 * of ten at or above KS_DIST_RELATIVE_ERROR x s (7210.546 -> 7211). */
static char *secs_about(double s) {
  if (!(s > 0))
    return secs(s);
  double place = pow(10, ceil(log10(s * KS_DIST_RELATIVE_ERROR)));
  int decimals = place < 1 ? (int)-log10(place) : 0;
  return g_strdup_printf("%.*f", decimals, round(s / place) * place);
}

typedef struct ending_row {
  char *key; /* "reason (error)" */
  const ks_ending *e;
} ending_row;

static int cmp_ending(const void *a, const void *b) {
  return strcmp(((const ending_row *)a)->key, ((const ending_row *)b)->key);
}

/* Per group: connections, how they ended (reason, error, first, median,
 * last), failures, detections, false give-ups, probes.  A median of more
 * than KS_DIST_EXACT_MAX closes is binned, and marked so. */
static void outcome(GString *h, const ks_run_metrics *m) {
  g_string_append(h, "<section id=\"outcome\">\n<h2>Outcome per group</h2>\n<table>\n<tr>"
                     "<th>group</th><th>profile</th><th>connections</th><th>how they ended</th>"
                     "<th>failed</th><th>false give-ups</th><th>probes sent / answered</th>"
                     "</tr>\n");
  gboolean binned = FALSE;
  for (guint k = 0; k < m->groups->len; k++) {
    const ks_group_metrics *g = m->groups->pdata[k];
    guint n = g->endings->len;
    ending_row *rows = g_new0(ending_row, n + 1);
    guint64 ended = 0;
    for (guint i = 0; i < n; i++) {
      const ks_ending *e = g->endings->pdata[i];
      rows[i].e = e;
      rows[i].key = g_strdup_printf("%s (%s)", ks_metrics_reason_name(e->reason),
                                    e->error ? e->error : "-");
      ended += ks_dist_count(e->closed_at_s);
    }
    qsort(rows, n, sizeof *rows, cmp_ending);
    GString *open = g_string_new(NULL);
    if (g->connections > ended) {
      g_autofree char *c = ks_format_count(g->connections - ended);
      g_string_append_printf(open, "%s open at the end<br>", c);
    }
    for (guint i = 0; i < n; i++) {
      const ks_dist *t = rows[i].e->closed_at_s;
      guint64 len = ks_dist_count(t);
      g_autofree char *k1 = esc(rows[i].key);
      g_autofree char *a = secs(ks_dist_min(t));
      double mv = ks_dist_rank(t, len / 2 + 1);
      g_autofree char *md = ks_dist_exact(t) ? secs(mv) : secs_about(mv);
      g_autofree char *z = secs(ks_dist_max(t));
      g_autofree char *c = ks_format_count(len);
      binned |= !ks_dist_exact(t);
      if (len == 1)
        g_string_append_printf(open, "closed at %s s by %s<br>", a, k1);
      else
        g_string_append_printf(open, "%s closed by %s: first %s s, median %s%s s, last %s s<br>", c,
                               k1, a, ks_dist_exact(t) ? "" : "&asymp; ", md, z);
      g_free(rows[i].key);
    }
    g_free(rows);
    g_autofree char *eg = esc(g->name), *ep = esc(g->profile);
    g_autofree char *nc = ks_format_count(g->connections), *nf = ks_format_count(g->failed);
    g_autofree char *ng = ks_format_count(g->false_giveups);
    g_autofree char *ns = ks_format_count(g->probes_sent);
    g_autofree char *na = ks_format_count(g->probes_answered);
    g_string_append_printf(h,
                           "<tr><td>%s</td><td>%s</td><td class=\"n\">%s</td><td>%s</td>"
                           "<td class=\"n\">%s</td><td class=\"n%s\">%s</td>"
                           "<td class=\"n\">%s / %s</td></tr>\n",
                           eg, ep, nc, open->str, nf, g->false_giveups ? " bad" : "", ng, ns, na);
    g_string_free(open, TRUE);
  }
  g_string_append(h, "</table>\n");
  if (binned) {
    g_autofree char *lim = ks_format_count(KS_DIST_EXACT_MAX);
    g_string_append_printf(h,
                           "<p class=\"note\">&asymp;: the run has more than %s closes, so "
                           "their times are binned: each median is within %g%% of the "
                           "exact one (first and last are exact; connections.csv has every "
                           "close).</p>\n",
                           lim, KS_DIST_RELATIVE_ERROR * 100);
  }
  g_string_append(h, "</section>\n");
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
  /* The connections a line at a time (ks_metrics.h), so that a run of
   * 10^7 reads in seconds; summary.json's header and network beside. */
  ks_run_metrics *m = ks_metrics_load(dir, error);
  if (m == NULL)
    return FALSE;
  g_autofree char *sp = g_build_filename(dir, "summary.json", NULL);
  JsonParser *p = json_parser_new();
  if (!json_parser_load_from_file(p, sp, error)) {
    g_object_unref(p);
    ks_metrics_free(m);
    return FALSE;
  }
  JsonObject *root = json_node_get_object(json_parser_get_root(p)); /* the metrics checked it */
  /* A run traced in part may hold nothing of the story's connection: the
   * page says so where the timeline would be. */
  GError *no_tl = NULL;
  ks_timeline *tl = ks_timeline_load(dir, m, &no_tl);
  if (tl == NULL && !g_error_matches(no_tl, KS_METRICS_ERROR, KS_METRICS_ERROR_NO_TRACE)) {
    g_propagate_error(error, no_tl);
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
  g_autofree char *conns = ks_format_count(m->connections);
  g_string_append_printf(
    h,
    "<header>\n<h1>%s</h1>\n<p class=\"meta\">a run of kasim %s: seed %" G_GINT64_FORMAT
    ", %s s of virtual time, %s events, %s connections; from <code>%s</code></p>\n",
    en, KASIM_VERSION, json_object_get_int_member_with_default(root, "seed", 0), vt, events, conns,
    ed);
  JsonNode *on = json_object_get_member(root, "outputs");
  const char *left = on && JSON_NODE_HOLDS_OBJECT(on)
                       ? str_member(json_node_get_object(on), "left_out")
                       : NULL;
  if (left) {
    g_autofree char *el = esc(left);
    g_string_append_printf(h, "<p class=\"note\">What the run's files leave out: %s.</p>\n", el);
  }
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
  outcome(h, m);

  const ks_group_metrics *sg = m->groups->pdata[m->story.group];
  g_autofree char *eg = esc(sg->name);
  if (tl == NULL) {
    g_autofree char *why = esc(no_tl->message);
    g_string_append_printf(h,
                           "<section id=\"timeline\">\n<h2>Timeline of connection %u (group "
                           "%s)</h2>\n<p class=\"note\">Not drawn: %s.</p>\n</section>\n",
                           m->story.id, eg, why);
    g_clear_error(&no_tl);
  } else {
    g_string_append_printf(
      h,
      "<section id=\"timeline\">\n<h2>Timeline of connection %u (group %s)</h2>\n"
      "<p class=\"note\">The first connection whose failure was detected (else the "
      "first false give-up, failure or close), as <code>kasim plot</code> draws it. "
      "Wheel: zoom; drag: pan; hover a segment for its fields. "
      "Lost segments end in a red cross.%s</p>\n"
      "<p class=\"controls\"><button id=\"tl-in\">zoom in</button>"
      "<button id=\"tl-out\">zoom out</button><button id=\"tl-fit\">all</button>"
      "</p>\n<div id=\"tl-box\"></div>\n<div id=\"tl-info\">Hover a segment.</div>\n",
      tl->conn, eg,
      tl->partial ? " The run's trace (<code>--trace failures</code>) holds its events from "
                    "its first sign of trouble on only."
                  : "");
    /* Printed, or without a script: the static picture of the same story. */
    ks_plot_images tim = {0};
    if (ks_plot_timeline(tl, &tim, NULL)) {
      g_string_append(h, "<details class=\"static\"><summary>The same connection as a sequence "
                         "diagram</summary>\n");
      inline_svg(h, tim.svg, "sequence diagram of the connection");
      g_string_append(h, "</details>\n");
      ks_plot_images_clear(&tim);
    }
    g_string_append(h, "</section>\n");
  }
  ks_plot_images im = {0};
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
  g_autofree char *data = tl ? timeline_json(tl) : g_strdup("{\"events\":[]}");
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
