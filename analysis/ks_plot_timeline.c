/* ks_plot_timeline.c - one connection as a sequence diagram, for a
 * classroom: client on the left, server on the right, the network in the
 * middle where lost segments end with a cross; time runs down, one row per
 * segment, and idle stretches (two hours of nothing before a probe) are
 * cut out and labelled instead of drawn to scale. */
#include <math.h>
#include <string.h>

#include "ks_plot_priv.h"

#define W KS_PLOT_TIMELINE_W
/* The height follows the rows: a row is PITCH high (a cut-out stretch
 * 0.7 of that), so a short story gets a short picture. */
#define PITCH 44.0
#define TOP 190.0
#define BOTTOM 120.0
#define CX 330.0 /* client lifeline */
#define MX 620.0 /* the network */
#define SX 910.0 /* server lifeline */
#define MAX_ROWS 34u
#define HEAD_ROWS 8u
/* A stretch longer than this between rows is cut out and labelled. */
#define GAP_NS G_GINT64_CONSTANT(3000000000)

typedef enum row_kind { ROW_SEG, ROW_CLOSE, ROW_EVENT, ROW_GAP, ROW_ELIDED } row_kind;

typedef struct row {
  row_kind kind;
  gint64 t;
  const ks_trace_rec *send, *end; /* SEG: end is the DELIVER or DROP, or NULL */
  gboolean client;                /* SEG: sent by the client; CLOSE: the client closed */
  gboolean injected;              /* SEG: a middlebox sent it */
  gboolean failure;               /* EVENT: this is the connection's failure */
  char label[112];
  gint64 gap; /* GAP */
} row;

typedef struct tl_draw {
  const ks_timeline *tl;
  GArray *rows;
  gint64 client_host, server_host;
  int h; /* the picture's height */
} tl_draw;

static const char *name_at(const GPtrArray *names, gint64 i) {
  return names && i >= 0 && (guint)i < names->len ? names->pdata[i] : NULL;
}

static gboolean has_name(const GPtrArray *names, const char *name) {
  for (guint i = 0; names && name && i < names->len; i++)
    if (strcmp(names->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* A scenario event's target by name (NULL when the run did not record
 * names), and whether it is on the drawn connection's own path: a link of
 * it, a host of it (either end or a router between), or a middlebox on
 * one of its links.  Without names every event counts as on the path. */
static const char *event_target(const ks_timeline *tl, const ks_trace_rec *r, gboolean *on_path) {
  int kind = ks_net_event_of(r->what);
  *on_path = TRUE;
  if (kind < 0 || tl->hosts == NULL)
    return NULL;
  const char *name;
  switch (ks_net_event_target((ks_event_kind)kind)) {
  case KS_TARGET_LINK:
    name = name_at(tl->links, r->target);
    *on_path = has_name(tl->path_links, name);
    break;
  case KS_TARGET_HOST:
    name = name_at(tl->hosts, r->target);
    *on_path = has_name(tl->path_hosts, name);
    break;
  default:
    name = name_at(tl->middleboxes, r->target);
    *on_path = has_name(tl->path_middleboxes, name);
    break;
  }
  return name;
}

static gboolean same_seg(const ks_trace_rec *a, const ks_trace_rec *b) {
  return a->from_client == b->from_client && a->seq == b->seq && a->ack == b->ack &&
         a->len == b->len && a->kind == b->kind && strcmp(a->flags, b->flags) == 0;
}

static const char *drop_text(const char *what) {
  if (strcmp(what, "link_down") == 0)
    return "lost: link down";
  if (strcmp(what, "loss") == 0)
    return "lost: random loss";
  if (strcmp(what, "middlebox") == 0)
    return "dropped: middlebox has no state";
  if (strcmp(what, "crashed") == 0)
    return "lost: host crashed";
  if (strcmp(what, "no_state") == 0)
    return "no such connection: RST back";
  if (strcmp(what, "closed") == 0)
    return "ignored: socket closed";
  return what;
}

static const char *cause_text(const char *c) {
  static const char *const map[][2] = {{"link_down", "a link of the path went down"},
                                       {"loss", "a link of the path loses everything"},
                                       {"router_crash", "a router of the path crashed"},
                                       {"peer_crash", "the peer crashed"},
                                       {"peer_reboot", "the peer rebooted"},
                                       {"middlebox", "the middlebox dropped the state"}};
  for (size_t i = 0; c && i < G_N_ELEMENTS(map); i++)
    if (strcmp(c, map[i][0]) == 0)
      return map[i][1];
  return c ? c : "?";
}

static void seg_label(const ks_trace_rec *r, gboolean injected, guint probe, char *buf,
                      size_t cap) {
  switch (r->kind) {
  case KS_SEG_HANDSHAKE: g_snprintf(buf, cap, "%s", r->flags); break;
  case KS_SEG_DATA: g_snprintf(buf, cap, "data, %u bytes", r->len); break;
  case KS_SEG_RETRANSMISSION: g_snprintf(buf, cap, "retransmission, %u bytes", r->len); break;
  case KS_SEG_ACK: g_snprintf(buf, cap, "ACK"); break;
  case KS_SEG_KEEPALIVE:
    g_snprintf(buf, cap, "keep-alive probe %u: %u byte%s, seq = SND.NXT-1", probe, r->len,
               r->len == 1 ? "" : "s");
    break;
  case KS_SEG_KEEPALIVE_ACK: g_snprintf(buf, cap, "keep-alive ACK"); break;
  case KS_SEG_RST:
    g_snprintf(buf, cap, "%s%s", r->flags, injected ? " from the middlebox" : "");
    break;
  default: g_snprintf(buf, cap, "%s", r->flags);
  }
}

static guint32 seg_colour(gint8 kind) {
  switch (kind) {
  case KS_SEG_HANDSHAKE: return KSP_HANDSHAKE;
  case KS_SEG_DATA:
  case KS_SEG_RETRANSMISSION: return KSP_DATA;
  case KS_SEG_KEEPALIVE: return KSP_PROBE;
  case KS_SEG_KEEPALIVE_ACK: return KSP_PROBE_ACK;
  case KS_SEG_RST: return KSP_RST;
  default: return KSP_GREY;
  }
}

static char *human(gint64 ns) {
  gint64 s = ns / 1000000000;
  if (s >= 3600)
    return g_strdup_printf("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", s / 3600,
                           s % 3600 / 60);
  if (s >= 60)
    return g_strdup_printf("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s", s / 60, s % 60);
  return g_strdup_printf("%.1f s", ns / 1e9);
}

static void build_rows(tl_draw *d) {
  const ks_timeline *tl = d->tl;
  GArray *recs = tl->recs;
  gboolean *used = g_new0(gboolean, recs->len + 1);
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(row));
  d->client_host = d->server_host = -1;
  for (guint i = 0; i < recs->len; i++) {
    const ks_trace_rec *r = &g_array_index(recs, ks_trace_rec, i);
    if (r->ev == KS_TRACE_SEND && strcmp(r->what, "middlebox") != 0) {
      if (r->from_client == 1 && d->client_host < 0)
        d->client_host = r->host;
      if (r->from_client == 0 && d->server_host < 0)
        d->server_host = r->host;
    }
  }
  gint64 fail_ns = isnan(tl->failure_at_s) ? -1 : (gint64)llround(tl->failure_at_s * 1e9);
  /* Scenario events after the connection's own last event are another
   * connection's story. */
  gint64 last_own = -1;
  for (guint i = 0; i < recs->len; i++) {
    const ks_trace_rec *r = &g_array_index(recs, ks_trace_rec, i);
    if (r->ev != KS_TRACE_SCENARIO)
      last_own = r->t_ns;
  }
  if (fail_ns > last_own)
    last_own = fail_ns;
  gboolean fail_drawn = FALSE;
  /* Probes are numbered as the prober counts them: from 1 after every
   * answer it hears. */
  guint probe[2] = {0, 0};
  for (guint i = 0; i < recs->len; i++) {
    const ks_trace_rec *r = &g_array_index(recs, ks_trace_rec, i);
    row w = {.t = r->t_ns};
    if (r->ev == KS_TRACE_SCENARIO && r->t_ns > last_own)
      continue;
    /* Another path's events are another connection's story. */
    gboolean on_path = TRUE;
    const char *target = r->ev == KS_TRACE_SCENARIO ? event_target(tl, r, &on_path) : NULL;
    if (!on_path)
      continue;
    gboolean is_fail_event = r->ev == KS_TRACE_SCENARIO && llabs(r->t_ns - fail_ns) < 1000;
    if (fail_ns >= 0 && !fail_drawn && r->t_ns >= fail_ns && !is_fail_event) {
      row f = {.kind = ROW_EVENT, .t = fail_ns, .failure = TRUE};
      g_snprintf(f.label, sizeof f.label, "FAILURE: %s", cause_text(tl->failure));
      g_array_append_val(rows, f);
      fail_drawn = TRUE;
    }
    switch (r->ev) {
    case KS_TRACE_SEND: {
      w.kind = ROW_SEG;
      w.send = r;
      w.client = r->from_client == 1;
      w.injected = strcmp(r->what, "middlebox") == 0;
      for (guint j = i + 1; j < recs->len; j++) {
        const ks_trace_rec *e = &g_array_index(recs, ks_trace_rec, j);
        if (!used[j] && (e->ev == KS_TRACE_DELIVER || e->ev == KS_TRACE_DROP) && same_seg(r, e)) {
          used[j] = TRUE;
          w.end = e;
          break;
        }
      }
      if (r->kind == KS_SEG_KEEPALIVE)
        probe[w.client]++;
      if (r->kind == KS_SEG_KEEPALIVE_ACK && w.end && w.end->ev == KS_TRACE_DELIVER)
        probe[!w.client] = 0;
      seg_label(r, w.injected, probe[w.client], w.label, sizeof w.label);
      break;
    }
    case KS_TRACE_CLOSE:
      w.kind = ROW_CLOSE;
      w.client = d->client_host >= 0
                   ? r->host == d->client_host
                   : (d->server_host >= 0 ? r->host != d->server_host : tl->client_side);
      if (strcmp(r->what, "host_rebooted") == 0)
        g_snprintf(w.label, sizeof w.label, "socket lost: host rebooted");
      else
        g_snprintf(w.label, sizeof w.label, "%s: %s%s%s%s",
                   strcmp(r->what, "reset_by_peer") == 0 ? "RESET" : "GIVES UP", r->what,
                   r->error[0] ? " (" : "", r->error, r->error[0] ? ")" : "");
      break;
    case KS_TRACE_SCENARIO:
      w.kind = ROW_EVENT;
      char what[96];
      if (target)
        g_snprintf(what, sizeof what, "%s %s", r->what, target);
      else
        g_snprintf(what, sizeof what, "%s (#%" G_GINT64_FORMAT ")", r->what, r->target);
      if (fail_ns >= 0 && !fail_drawn && is_fail_event) {
        w.failure = TRUE;
        fail_drawn = TRUE;
        g_snprintf(w.label, sizeof w.label, "FAILURE: %s", what);
      } else {
        g_snprintf(w.label, sizeof w.label, "%s", what);
      }
      break;
    case KS_TRACE_DELIVER:
    case KS_TRACE_DROP:
      /* Deliveries and drops belong to their send, but for the first lost
       * segment of a trace kept from the first sign of trouble on
       * (--trace failures), whose send is not in it: drawn from its drop. */
      if (used[i])
        continue;
      w.kind = ROW_SEG;
      w.send = w.end = r;
      w.client = r->from_client == 1;
      if (r->kind == KS_SEG_KEEPALIVE)
        probe[w.client]++;
      seg_label(r, FALSE, probe[w.client], w.label, sizeof w.label);
      break;
    default: continue; /* timers show as probes */
    }
    g_array_append_val(rows, w);
  }
  if (fail_ns >= 0 && !fail_drawn) {
    row f = {.kind = ROW_EVENT, .t = fail_ns, .failure = TRUE};
    g_snprintf(f.label, sizeof f.label, "FAILURE: %s", cause_text(tl->failure));
    g_array_append_val(rows, f);
  }
  g_free(used);

  /* Long idle stretches become one labelled row. */
  GArray *gapped = g_array_new(FALSE, TRUE, sizeof(row));
  for (guint i = 0; i < rows->len; i++) {
    const row *r = &g_array_index(rows, row, i);
    if (i > 0) {
      gint64 dt = r->t - g_array_index(rows, row, i - 1).t;
      if (dt >= GAP_NS) {
        row g = {.kind = ROW_GAP, .t = r->t, .gap = dt};
        g_autofree char *h = human(dt);
        g_snprintf(g.label, sizeof g.label, "%s later", h);
        g_array_append_val(gapped, g);
      }
    }
    g_array_append_val(gapped, *r);
  }
  g_array_unref(rows);
  /* Too many rows for one page: the beginning and the end, which is where
   * the lesson is, and a count of what is left out. */
  if (gapped->len > MAX_ROWS) {
    guint tail = MAX_ROWS - HEAD_ROWS - 1, cut = gapped->len - HEAD_ROWS - tail;
    row e = {.kind = ROW_ELIDED, .t = g_array_index(gapped, row, HEAD_ROWS).t};
    g_snprintf(e.label, sizeof e.label, "... %u more rows, %.3f s to %.3f s, not shown ...", cut,
               g_array_index(gapped, row, HEAD_ROWS).t / 1e9,
               g_array_index(gapped, row, HEAD_ROWS + cut - 1).t / 1e9);
    g_array_remove_range(gapped, HEAD_ROWS, cut);
    g_array_insert_val(gapped, HEAD_ROWS, e);
  }
  d->rows = gapped;
}

static double row_height(const row *r) { return r->kind == ROW_GAP ? 0.7 : 1.0; }

static void arrow_head(cairo_t *cr, double x0, double y0, double x1, double y1) {
  double a = atan2(y1 - y0, x1 - x0), l = 12;
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x1 - l * cos(a - 0.4), y1 - l * sin(a - 0.4));
  cairo_line_to(cr, x1 - l * cos(a + 0.4), y1 - l * sin(a + 0.4));
  cairo_close_path(cr);
  cairo_fill(cr);
}

static void cross(cairo_t *cr, double x, double y, double r) {
  cairo_set_line_width(cr, 3);
  cairo_move_to(cr, x - r, y - r);
  cairo_line_to(cr, x + r, y + r);
  cairo_move_to(cr, x + r, y - r);
  cairo_line_to(cr, x - r, y + r);
  cairo_stroke(cr);
}

static void header_box(cairo_t *cr, double x, const char *title, const char *sub) {
  ksp_rgb(cr, 0xf2f2f2);
  cairo_rectangle(cr, x - 110, TOP - 78, 220, 58);
  cairo_fill_preserve(cr);
  ksp_rgb(cr, KSP_BLACK);
  cairo_set_line_width(cr, 1.5);
  cairo_stroke(cr);
  ksp_font(cr, 20, TRUE);
  ksp_text(cr, x, TOP - 62, 0.5, 0, title);
  ksp_font(cr, 14, FALSE);
  ksp_text(cr, x, TOP - 38, 0.5, 0, sub);
}

static void legend_item(cairo_t *cr, double *x, double y, guint32 c, const char *s,
                        gboolean x_mark) {
  ksp_rgb(cr, c);
  if (x_mark) {
    cross(cr, *x + 14, y, 6);
  } else {
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, *x, y);
    cairo_line_to(cr, *x + 28, y);
    cairo_stroke(cr);
  }
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 14, FALSE);
  ksp_text(cr, *x + 36, y, 0, 0.5, s);
  *x += 36 + ksp_text_width(cr, s) + 28;
}

static void draw(cairo_t *cr, const void *data) {
  const tl_draw *d = data;
  const ks_timeline *tl = d->tl;
  /* Title and the one-line story. */
  ksp_rgb(cr, KSP_BLACK);
  ksp_font(cr, 24, TRUE);
  g_autofree char *title = g_strdup_printf("%s: connection %u (group %s)", tl->scenario, tl->conn,
                                           tl->group);
  ksp_text(cr, W / 2.0, 20, 0.5, 0, title);
  ksp_font(cr, 16, FALSE);
  GString *story = g_string_new(NULL);
  if (!isnan(tl->failure_at_s))
    g_string_append_printf(story, "failure at %.3f s (%s)", tl->failure_at_s,
                           tl->failure ? tl->failure : "?");
  else
    g_string_append(story, "no failure: path up and peer alive throughout");
  if (!isnan(tl->closed_at_s)) {
    g_string_append_printf(story, "; closed at %.3f s: %s", tl->closed_at_s,
                           tl->close_reason ? tl->close_reason : "socket lost");
    if (tl->false_giveup)
      g_string_append(story, ", a FALSE give-up");
    else if (!isnan(tl->failure_at_s)) {
      g_autofree char *lat = ksp_fmt_seconds(tl->closed_at_s - tl->failure_at_s);
      g_string_append_printf(story, ", detected %s after the failure", lat);
    }
  } else {
    g_string_append(story, "; still open at the end of the run");
  }
  ksp_text(cr, W / 2.0, 58, 0.5, 0, story->str);
  g_string_free(story, TRUE);
  ksp_font(cr, 14, FALSE);
  ksp_rgb(cr, KSP_GREY);
  ksp_text(cr, W / 2.0, 84, 0.5, 0,
           tl->partial ? "from its first sign of trouble on: the run's trace (--trace failures) "
                         "holds nothing earlier; time runs down, not to scale"
                       : "time runs down; rows are events, not to scale; idle stretches are cut "
                         "out");

  /* Each end by its host's name; the keep-alive side with its profile. */
  const char *cname = name_at(tl->path_hosts, 0);
  const char *sname = tl->path_hosts ? name_at(tl->path_hosts, tl->path_hosts->len - 1) : NULL;
  g_autofree char *csub = g_strdup_printf("%s%s%s%s", cname ? cname : "",
                                          cname && tl->client_side ? ": " : "",
                                          tl->client_side ? tl->profile : "",
                                          tl->client_side ? ", keep-alive" : "");
  g_autofree char *ssub = g_strdup_printf("%s%s%s%s", sname ? sname : "",
                                          sname && !tl->client_side ? ": " : "",
                                          tl->client_side ? "" : tl->profile,
                                          tl->client_side ? "" : ", keep-alive");
  header_box(cr, CX, "client", csub);
  header_box(cr, SX, "server", ssub);
  ksp_font(cr, 16, TRUE);
  ksp_rgb(cr, KSP_GREY);
  ksp_text(cr, MX, TOP - 49, 0.5, 0.5, "network");

  double units = 0;
  for (guint i = 0; i < d->rows->len; i++)
    units += row_height(&g_array_index(d->rows, row, i));
  const int H = d->h;
  double pitch = PITCH;
  double end_y = TOP + 10 + units * pitch;

  /* Lifelines, broken where the rows skip time. */
  double y = TOP + 10;
  const double xs[3] = {CX, MX, SX};
  for (guint i = 0; i < d->rows->len; i++) {
    const row *r = &g_array_index(d->rows, row, i);
    double h = row_height(r) * pitch;
    for (int k = 0; k < 3; k++) {
      ksp_rgb(cr, k == 1 ? KSP_LIGHT : KSP_BLACK);
      cairo_set_line_width(cr, k == 1 ? 2 : 2.5);
      if (r->kind == ROW_GAP || r->kind == ROW_ELIDED) { /* a zig-zag: time cut out */
        cairo_move_to(cr, xs[k], y);
        cairo_line_to(cr, xs[k], y + h * 0.3);
        cairo_line_to(cr, xs[k] - 8, y + h * 0.4);
        cairo_line_to(cr, xs[k] + 8, y + h * 0.6);
        cairo_line_to(cr, xs[k], y + h * 0.7);
        cairo_line_to(cr, xs[k], y + h);
      } else {
        cairo_move_to(cr, xs[k], y);
        cairo_line_to(cr, xs[k], y + h);
      }
      cairo_stroke(cr);
    }
    y += h;
  }
  (void)end_y;

  y = TOP + 10;
  for (guint i = 0; i < d->rows->len; i++) {
    const row *r = &g_array_index(d->rows, row, i);
    double h = row_height(r) * pitch, ym = y + h * 0.25;
    if (r->kind != ROW_GAP && r->kind != ROW_ELIDED) {
      char ts[48];
      g_snprintf(ts, sizeof ts, "%.3f s", r->t / 1e9);
      ksp_font(cr, 15, FALSE);
      ksp_rgb(cr, KSP_BLACK);
      ksp_text(cr, 150, ym, 1, 0.5, ts);
    }
    switch (r->kind) {
    case ROW_SEG: {
      double x0 = r->injected ? MX : r->client ? CX : SX;
      double xt = r->client ? SX : CX;
      if (r->injected)
        xt = r->send->from_client == 1 ? SX : CX;
      double x1 = xt, y1 = ym + h * 0.55;
      gboolean lost = r->end == NULL || r->end->ev == KS_TRACE_DROP;
      gboolean at_host = r->end && r->end->ev == KS_TRACE_DROP &&
                         (strcmp(r->end->what, "closed") == 0 ||
                          strcmp(r->end->what, "no_state") == 0);
      if (lost && !at_host) { /* stops in the network */
        x1 = x0 + (MX - x0) * 0.8;
        if (r->injected)
          x1 = MX + (xt - MX) * 0.5;
        y1 = ym + h * 0.3;
      }
      guint32 c = seg_colour(r->send->kind);
      ksp_rgb(cr, c);
      cairo_set_line_width(cr, 2.5);
      if (r->end == NULL) {
        double dash[] = {6, 4};
        cairo_set_dash(cr, dash, 2, 0);
      }
      cairo_move_to(cr, x0, ym);
      cairo_line_to(cr, x1, y1);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
      if (lost && !at_host) {
        ksp_rgb(cr, KSP_RED);
        cross(cr, x1, y1, 8);
      } else {
        arrow_head(cr, x0, ym, x1, y1);
      }
      ksp_font(cr, 14, r->send->kind == KS_SEG_KEEPALIVE);
      ksp_rgb(cr, c);
      /* Above the arrow: centred when it crosses, from its sender when it
       * stops in the network (the far side is where the reason goes). */
      if (lost && !at_host && !r->injected)
        ksp_text(cr, x0 + (x0 < MX ? 14 : -14), ym - 5, x0 < MX ? 0 : 1, 1, r->label);
      else
        ksp_text(cr, (x0 + xt) / 2, ym - 5, 0.5, 1, r->label);
      if (lost || at_host) {
        ksp_font(cr, 13, FALSE);
        ksp_rgb(cr, KSP_RED);
        const char *why = r->end ? drop_text(r->end->what) : "in flight when the run ended";
        if (at_host)
          ksp_text(cr, xt + (xt == SX ? 14 : -14), y1, xt == SX ? 0 : 1, 0.5, why);
        else
          ksp_text(cr, x1 + (x1 < MX ? 16 : -16), y1, x1 < MX ? 0 : 1, 0.5, why);
      }
      break;
    }
    case ROW_CLOSE: {
      double x = r->client ? CX : SX;
      ksp_rgb(cr, KSP_RED);
      cairo_arc(cr, x, ym, 9, 0, 2 * G_PI);
      cairo_fill(cr);
      ksp_font(cr, 16, TRUE);
      ksp_text(cr, r->client ? CX + 18 : SX - 18, ym, r->client ? 0 : 1, 0.5, r->label);
      break;
    }
    case ROW_EVENT: {
      ksp_rgb(cr, r->failure ? KSP_RED : KSP_GREY);
      cairo_set_line_width(cr, r->failure ? 3 : 1.5);
      double dash[] = {10, 6};
      cairo_set_dash(cr, dash, 2, 0);
      cairo_move_to(cr, CX - 60, ym);
      cairo_line_to(cr, SX + 60, ym);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
      ksp_font(cr, 15, r->failure);
      double tw = ksp_text_width(cr, r->label);
      ksp_rgb(cr, 0xffffff);
      cairo_rectangle(cr, MX - tw / 2 - 6, ym - 11, tw + 12, 22);
      cairo_fill(cr);
      ksp_rgb(cr, r->failure ? KSP_RED : KSP_GREY);
      ksp_text(cr, MX, ym, 0.5, 0.5, r->label);
      break;
    }
    case ROW_GAP:
    case ROW_ELIDED:
      ksp_font(cr, 14, FALSE);
      ksp_rgb(cr, KSP_GREY);
      ksp_text(cr, r->kind == ROW_GAP ? 150 : MX, y + h * 0.5, r->kind == ROW_GAP ? 1 : 0.5, 0.5,
               r->label);
      break;
    }
    y += h;
  }

  /* Legend. */
  double lx = 60, ly = H - 70;
  legend_item(cr, &lx, ly, KSP_HANDSHAKE, "handshake", FALSE);
  legend_item(cr, &lx, ly, KSP_DATA, "data", FALSE);
  legend_item(cr, &lx, ly, KSP_PROBE, "keep-alive probe", FALSE);
  legend_item(cr, &lx, ly, KSP_PROBE_ACK, "its ACK", FALSE);
  legend_item(cr, &lx, ly, KSP_RST, "RST", FALSE);
  legend_item(cr, &lx, ly, KSP_RED, "lost", TRUE);
  ksp_font(cr, 13, FALSE);
  ksp_rgb(cr, KSP_GREY);
  ksp_text(cr, 60, H - 36, 0, 0.5,
           "kasim plot: from trace.jsonl and summary.json; times are virtual seconds since the "
           "start of the run");
}

GPtrArray *ks_plot_timeline_rows(const ks_timeline *tl) {
  tl_draw d = {.tl = tl};
  build_rows(&d);
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < d.rows->len; i++)
    g_ptr_array_add(out, g_strdup(g_array_index(d.rows, row, i).label));
  g_array_unref(d.rows);
  return out;
}

int ks_plot_timeline_height(const ks_timeline *tl) {
  tl_draw d = {.tl = tl};
  build_rows(&d);
  double units = 0;
  for (guint i = 0; i < d.rows->len; i++)
    units += row_height(&g_array_index(d.rows, row, i));
  g_array_unref(d.rows);
  return (int)ceil(TOP + 10 + units * PITCH + BOTTOM);
}

gboolean ks_plot_timeline(const ks_timeline *tl, ks_plot_images *out, GError **error) {
  tl_draw d = {.tl = tl};
  d.h = ks_plot_timeline_height(tl);
  build_rows(&d);
  gboolean ok = ksp_render(W, d.h, draw, &d, out, error);
  g_array_unref(d.rows);
  return ok;
}
