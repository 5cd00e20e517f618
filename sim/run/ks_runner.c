/* ks_runner.c - one run into one folder: trace.jsonl, capture.pcap and
 * summary.json, all atomic; `kasim run` and every cell of `kasim sweep`,
 * on the native engine or ns-3.  See ks_runner.h; the files' format is in
 * docs/output.md. */
#include "ks_runner.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ks_json.h"
#include "ks_afile.h"
#include "ks_format.h"
#include "ks_order.h"
#include "ks_outdir.h"
#include "ks_pcap.h"
#include "ks_sockopt.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-runner-error-quark, ks_runner_error)
// clang-format on

/* Moves a file error into the runner's domain: the folder's fault (the
 * user named a file, a read-only place, /proc) or the machine's (a full
 * disk, an I/O error), with its message prefixed by `prefix` if any. */
static void classify(GError **error, GError *e, const char *prefix) {
  int code = ks_afile_error_is_users(e) ? KS_RUNNER_ERROR_OUT : KS_RUNNER_ERROR_SYSTEM;
  g_set_error(error, KS_RUNNER_ERROR, code, "%s%s", prefix ? prefix : "", e->message);
  g_error_free(e);
}

typedef struct run_out {
  ks_afile *trace;
  FILE *tf;
  gboolean live; /* tf is trace.jsonl itself, flushed line by line */
  const ks_runner_opts *opts;
  ks_afile *capture, *capture_server; /* the client's side, the server's */
  ks_pcap *pcap, *pcap_server;
  ks_trace_level level; /* never AUTO here */
  guint8 *marked;       /* a bit per connection: FAILURES' troubled ones, CONNS' listed */
  guint32 n_conns;
  guint32 *group_start; /* per group, its first connection id; n_groups + 1 entries */
  guint n_groups;
  guint64 *wire; /* per group: probes, probe ACKs, their octets on the wire */
  guint64 events, written;
  ks_order *order;       /* the trace's events, held until their instant is over */
  guint64 engine_events; /* the engine's dispatches, every rank's */
  /* A run over several processes: this rank, its spool, and rank 0's
   * merge of every rank's files. */
  const ks_shard_comm *shard; /* NULL: one process */
  guint rank;
  FILE *spool;
  ks_shard *merge;
} run_out;

const char *ks_trace_level_name(ks_trace_level l) {
  static const char *const names[] = {"auto", "all", "none", "failures", "conn"};
  return (guint)l < G_N_ELEMENTS(names) ? names[l] : "?";
}

/* A segment with `payload` octets on an Ethernet wire, as
 * analysis/ks_metrics.h's ks_wire_bytes counts it: headers 54, padded to
 * the 60-octet frame, FCS 4, preamble 8, gap 12 (84 for a probe). */
static guint wire_bytes(guint payload) {
  guint frame = 14 + 20 + 20 + payload;
  return MAX(frame, 60u) + 4 + 8 + 12;
}

static guint group_of(const run_out *o, guint32 conn) {
  guint lo = 0, hi = o->n_groups; /* group_start[lo] <= conn < group_start[hi] */
  while (hi - lo > 1) {
    guint mid = (lo + hi) / 2;
    if (o->group_start[mid] <= conn)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* Whether trace.jsonl gets this event; FAILURES marks a connection for
 * good at its first sign of trouble. */
static gboolean wanted(run_out *o, const ks_trace_event *ev) {
  if (o->level == KS_TRACE_LEVEL_ALL)
    return TRUE;
  if (o->level == KS_TRACE_LEVEL_NONE)
    return FALSE;
  if (ev->kind == KS_TRACE_SCENARIO)
    return TRUE;
  guint32 c = ev->seg ? ev->seg->conn : ev->target;
  if (c >= o->n_conns)
    return TRUE;
  if (o->level == KS_TRACE_LEVEL_FAILURES) {
    gboolean trouble = ev->kind == KS_TRACE_DROP || ev->kind == KS_TRACE_CLOSE ||
                       (ev->seg &&
                        (ev->seg->kind == KS_SEG_RST || ev->seg->kind == KS_SEG_RETRANSMISSION)) ||
                       (ev->kind == KS_TRACE_TIMER && ev->what &&
                        strcmp(ev->what, "retransmission") == 0);
    if (trouble)
      o->marked[c / 8] |= (guint8)(1u << (c % 8));
  }
  return (o->marked[c / 8] >> (c % 8)) & 1;
}

static void flags_text(guint8 f, char *buf) {
  static const struct {
    guint8 bit;
    const char *name;
  } bits[] = {{KS_TCP_SYN, "SYN"},
              {KS_TCP_FIN, "FIN"},
              {KS_TCP_RST, "RST"},
              {KS_TCP_PSH, "PSH"},
              {KS_TCP_ACK, "ACK"}};
  buf[0] = '\0';
  for (size_t i = 0; i < G_N_ELEMENTS(bits); i++)
    if (f & bits[i].bit) {
      if (buf[0])
        strcat(buf, "+");
      strcat(buf, bits[i].name);
    }
}

/* Trace lines are written with printf, not json-glib: every field is a
 * number, a flag above or one of ks_net.h's fixed identifiers, so there is
 * nothing to escape, and a run can produce millions of lines. */
static void trace_line(FILE *f, const ks_trace_event *ev) {
  fprintf(f, "{\"t\":%" PRId64 ".%09" PRId64 ",\"ev\":\"%s\"", ev->t / KA_NS_PER_S,
          ev->t % KA_NS_PER_S, ks_net_trace_kind_name(ev->kind));
  if (ev->seg) {
    char fl[32];
    flags_text(ev->seg->flags, fl);
    fprintf(f,
            ",\"conn\":%" G_GUINT32_FORMAT ",\"dir\":\"%s\",\"kind\":\"%s\",\"flags\":\"%s\","
            "\"seq\":%" G_GUINT32_FORMAT ",\"ack\":%" G_GUINT32_FORMAT
            ",\"len\":%" G_GUINT32_FORMAT,
            ev->seg->conn, ev->seg->from_client ? "c2s" : "s2c",
            ks_net_seg_kind_name(ev->seg->kind), fl, ev->seg->seq, ev->seg->ack, ev->seg->len);
  }
  /* Timers and closes name their connection in `target` (ks_world.h). */
  if (ev->kind == KS_TRACE_TIMER || ev->kind == KS_TRACE_CLOSE)
    fprintf(f, ",\"conn\":%u", ev->target);
  if (ev->kind != KS_TRACE_SCENARIO)
    fprintf(f, ",\"host\":%u", ev->host);
  else
    fprintf(f, ",\"target\":%u", ev->target);
  if (ev->what)
    fprintf(f, ",\"what\":\"%s\"", ev->what);
  if (ev->error)
    fprintf(f, ",\"error\":\"%s\"", ev->error);
  fputs("}\n", f);
}

/* The trace's events as ks_order puts them: to trace.jsonl, or with their
 * keys to this rank's spool in a run over several processes. */
static void trace_sink(const ks_order_key *key, const ks_trace_event *ev, void *ud) {
  run_out *o = ud;
  if (o->spool) {
    ks_shard_spool_key(o->spool, key);
    trace_line(o->spool, ev);
    return;
  }
  trace_line(o->tf, ev);
  if (o->live)
    fflush(o->tf);
}

static void on_trace(const ks_trace_event *ev, void *ud) {
  run_out *o = ud;
  /* Every rank applies the timeline: rank 0 alone counts and writes its
   * events. */
  gboolean mine = !(o->rank > 0 && ev->kind == KS_TRACE_SCENARIO);
  o->events += mine;
  if (ev->kind == KS_TRACE_SEND && ev->seg &&
      (ev->seg->kind == KS_SEG_KEEPALIVE || ev->seg->kind == KS_SEG_KEEPALIVE_ACK) &&
      ev->seg->conn < o->n_conns) {
    guint64 *w = &o->wire[(gsize)group_of(o, ev->seg->conn) * 3];
    w[ev->seg->kind == KS_SEG_KEEPALIVE ? 0 : 1]++;
    w[2] += wire_bytes(ev->seg->len);
  }
  /* Held until the clock moves on, then written in ks_order's order (which
   * counts the timeline's events, kept or not). */
  gboolean keep = (o->tf != NULL || o->spool != NULL) && mine && wanted(o, ev);
  o->written += keep;
  if (keep || ev->kind == KS_TRACE_SCENARIO)
    ks_order_add(o->order, ev, keep);
  /* The capture is what tcpdump on the client host would see: what it
   * sends, when it sends it, and what reaches it, when it arrives. */
  if (o->opts->on_event)
    o->opts->on_event(ev, o->opts->event_ud);
  if (o->pcap)
    ks_pcap_event(o->pcap, ev);
  if (o->pcap_server)
    ks_pcap_event(o->pcap_server, ev);
}

/* The engine's progress: a live run's trace is written once the clock has
 * passed an instant, not only at the next event. */
static void on_progress(ka_time now, ka_time end, void *ud) {
  run_out *o = ud;
  ks_order_flush(o->order, now);
  if (o->opts->progress)
    o->opts->progress(now, end, o->opts->progress_ud);
}

static const char *side_profile(const ks_scenario *sc, const ks_conn_result *r) {
  const ks_group_spec *g = sc->groups->pdata[r->group];
  const ks_host_spec *h = sc->hosts->pdata[r->client_side ? g->client : g->server];
  return ka_profile_name(h->profile);
}

static void name_array(JsonBuilder *b, const char *key, GPtrArray *names) {
  json_builder_set_member_name(b, key);
  json_builder_begin_array(b);
  for (guint i = 0; names && i < names->len; i++)
    json_builder_add_string_value(b, names->pdata[i]);
  json_builder_end_array(b);
}

/* The scenario's names, so that pictures and reports say "xp-cable", not
 * "#0", and each group's path: the hosts from client to server, the links
 * between them and the middleboxes on those links, so that a picture of a
 * connection shows the events of its own path only. */
static void network_json(JsonBuilder *b, const ks_scenario *sc) {
  json_builder_set_member_name(b, "network");
  json_builder_begin_object(b);
  GPtrArray *names = g_ptr_array_new();
  for (guint i = 0; i < sc->hosts->len; i++)
    g_ptr_array_add(names, ((ks_host_spec *)sc->hosts->pdata[i])->name);
  name_array(b, "hosts", names);
  g_ptr_array_set_size(names, 0);
  for (guint i = 0; i < sc->links->len; i++)
    g_ptr_array_add(names, ((ks_link_spec *)sc->links->pdata[i])->name);
  name_array(b, "links", names);
  g_ptr_array_set_size(names, 0);
  for (guint i = 0; sc->middleboxes && i < sc->middleboxes->len; i++)
    g_ptr_array_add(names, ((ks_middlebox_spec *)sc->middleboxes->pdata[i])->name);
  name_array(b, "middleboxes", names);
  json_builder_set_member_name(b, "groups");
  json_builder_begin_array(b);
  GArray *hops = g_array_new(FALSE, FALSE, sizeof(ks_net_hop));
  GPtrArray *hosts = g_ptr_array_new(), *links = g_ptr_array_new(), *mbs = g_ptr_array_new();
  for (guint gi = 0; gi < sc->groups->len; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    g_ptr_array_set_size(hosts, 0);
    g_ptr_array_set_size(links, 0);
    g_ptr_array_set_size(mbs, 0);
    guint at = g->client;
    g_ptr_array_add(hosts, ((ks_host_spec *)sc->hosts->pdata[at])->name);
    if (g->client != g->server && ks_scenario_route(sc, g->client, g->server, hops))
      for (guint k = 0; k < hops->len; k++) {
        guint li = g_array_index(hops, ks_net_hop, k).link;
        const ks_link_spec *l = sc->links->pdata[li];
        at = l->a == at ? l->b : l->a;
        g_ptr_array_add(links, l->name);
        g_ptr_array_add(hosts, ((ks_host_spec *)sc->hosts->pdata[at])->name);
        for (guint m = 0; sc->middleboxes && m < sc->middleboxes->len; m++) {
          const ks_middlebox_spec *mb = sc->middleboxes->pdata[m];
          if (mb->link == li)
            g_ptr_array_add(mbs, mb->name);
        }
      }
    json_builder_begin_object(b);
    ks_json_str(b, "name", g->name);
    name_array(b, "hosts", hosts);
    name_array(b, "links", links);
    name_array(b, "middleboxes", mbs);
    json_builder_end_object(b);
  }
  g_array_unref(hops);
  g_ptr_array_unref(hosts);
  g_ptr_array_unref(links);
  g_ptr_array_unref(mbs);
  g_ptr_array_unref(names);
  json_builder_end_array(b);
  json_builder_end_object(b);
}

/* Seconds exactly as the nanosecond count says (600.02), empty for
 * never: the nearest double to it is the one summary.json's shortest
 * form gives, and no double is formatted per connection. */
static void csv_seconds(FILE *f, ka_time t) {
  if (t == KA_TIME_NEVER)
    return;
  char frac[16];
  g_snprintf(frac, sizeof frac, "%09" PRId64, t % KA_NS_PER_S);
  int len = 9;
  while (len > 1 && frac[len - 1] == '0')
    len--;
  fprintf(f, "%" PRId64 ".%.*s", t / KA_NS_PER_S, len, frac);
}

/* A field as RFC 4180 says: quoted when it holds a comma, a quote or a
 * line end, its quotes doubled. */
static void csv_text(FILE *f, const char *v) {
  if (v == NULL)
    return;
  if (strpbrk(v, ",\"\r\n") == NULL) {
    fputs(v, f);
    return;
  }
  fputc('"', f);
  for (const char *p = v; *p; p++) {
    if (*p == '"')
      fputc('"', f);
    fputc(*p, f);
  }
  fputc('"', f);
}

static const char csv_header[] =
  "id,group,profile,side,closed_at_s,close_reason,error,probes_sent,probes_answered,"
  "last_rx_s,failure_at_s,failure,recovered,false_giveup,middleboxes\n";

static void csv_row(FILE *f, const ks_scenario *sc, const ks_conn_result *r) {
  const ks_group_spec *g = sc->groups->pdata[r->group];
  fprintf(f, "%" G_GUINT32_FORMAT ",", r->id);
  csv_text(f, g->name);
  fprintf(f, ",%s,%s,", side_profile(sc, r), r->client_side ? "client" : "server");
  csv_seconds(f, r->closed_at);
  fputc(',', f);
  csv_text(f, ka_close_reason_name(r->reason));
  fputc(',', f);
  csv_text(f, r->error);
  fprintf(f, ",%" G_GUINT32_FORMAT ",%" G_GUINT32_FORMAT ",", r->probes_sent, r->probes_answered);
  csv_seconds(f, r->last_rx);
  fputc(',', f);
  csv_seconds(f, r->failure_at);
  fputc(',', f);
  csv_text(f, r->failure);
  fprintf(f, ",%s,%s,%u\n", r->recovered ? "true" : "false", r->false_giveup ? "true" : "false",
          (guint)r->middleboxes);
}

char *ks_runner_left_out(const ks_runner_stats *st) {
  GString *t = g_string_new(NULL);
  /* trace_events: not summary.json's `events`, the engine's dispatches. */
  g_autofree char *written = ks_format_count(st->events_written),
                  *all = ks_format_count(st->events);
  g_autofree char *full = ks_format_count(KS_RUNNER_FULL_MAX);
  switch (st->level) {
  case KS_TRACE_LEVEL_NONE:
    g_string_append(t, "no trace.jsonl (--trace none); --trace all writes every event");
    break;
  case KS_TRACE_LEVEL_FAILURES:
    g_string_append_printf(t,
                           "trace.jsonl holds the scenario's events and each connection's "
                           "from its first lost segment, RST, retransmission or close on (%s of "
                           "%s trace events)%s%s%s; --trace all writes every event",
                           written, all, st->level_defaulted ? ", the default above " : "",
                           st->level_defaulted ? full : "",
                           st->level_defaulted ? " connections" : "");
    break;
  case KS_TRACE_LEVEL_CONNS:
    g_string_append_printf(t,
                           "trace.jsonl holds the scenario's events and the listed "
                           "connections' (%s of %s trace events); --trace all writes every event",
                           written, all);
    break;
  default: break;
  }
  if (!st->conns_in_summary)
    g_string_append_printf(t,
                           "%ssummary.json holds aggregates per group, not one record per "
                           "connection (more than %s connections): connections.csv has every "
                           "connection",
                           t->len ? "; " : "", full);
  return g_string_free(t, t->len == 0);
}

/* A group's (or the run's) aggregates, as summary.json's "groups" and
 * "totals" hold them. */
typedef struct agg {
  gint64 n, closed, failed, false_giveups, detected, undetected, survived;
  gint64 by_reason[KA_CLOSE_RESET_BY_PEER + 1];
  gint64 probes, answered, middlebox_conns;
  GArray *lat; /* ka_time: closed_at - failure_at of each detected connection */
} agg;

static void agg_add(agg *a, const ks_conn_result *r) {
  gboolean closed = r->closed_at != KA_TIME_NEVER, failed = r->failure_at != KA_TIME_NEVER;
  a->n++;
  a->closed += closed;
  a->failed += failed;
  a->false_giveups += r->false_giveup;
  a->by_reason[r->reason]++;
  a->probes += r->probes_sent;
  a->answered += r->probes_answered;
  a->middlebox_conns += r->middleboxes > 0;
  if (failed && closed && !r->false_giveup) {
    ka_time lat = r->closed_at - r->failure_at;
    a->detected++;
    g_array_append_val(a->lat, lat);
  }
  if (failed && !closed)
    r->recovered ? a->survived++ : a->undetected++;
}

static int cmp_ka_time(const void *x, const void *y) {
  ka_time a = *(const ka_time *)x, b = *(const ka_time *)y;
  return (a > b) - (a < b);
}

/* Nearest rank: the p-th of n sorted values is the one at rank ceil(p/100 n). */
static void lat_member(JsonBuilder *b, const char *key, const GArray *lat, double p) {
  ka_time t = KA_TIME_NEVER;
  if (lat->len > 0) {
    double rank = ceil(p / 100.0 * lat->len);
    guint i = rank < 1 ? 0 : (guint)rank - 1;
    t = g_array_index(lat, ka_time, MIN(i, lat->len - 1));
  }
  ks_json_seconds(b, key, t);
}

static void agg_json(JsonBuilder *b, agg *a, const guint64 *wire) {
  ks_json_int(b, "connections", a->n);
  ks_json_int(b, "closed", a->closed);
  ks_json_int(b, "alive", a->n - a->closed);
  for (int k = KA_CLOSE_KEEPALIVE_TIMEOUT; k <= KA_CLOSE_RESET_BY_PEER; k++)
    ks_json_int(b, ka_close_reason_name((ka_close_reason)k), a->by_reason[k]);
  ks_json_int(b, "probes_sent", a->probes);
  ks_json_int(b, "probes_answered", a->answered);
  ks_json_int(b, "failed", a->failed);
  ks_json_int(b, "false_giveups", a->false_giveups);
  ks_json_int(b, "detected", a->detected);
  ks_json_int(b, "undetected", a->undetected);
  ks_json_int(b, "survived_failures", a->survived);
  ks_json_int(b, "middlebox_conns", a->middlebox_conns);
  ks_json_int(b, "wire_probes", (gint64)wire[0]);
  ks_json_int(b, "wire_probe_acks", (gint64)wire[1]);
  ks_json_int(b, "probe_wire_bytes", (gint64)wire[2]);
  /* Per-connection overhead and the mean latency are left to the reader
   * (probe_wire_bytes / virtual_time_s / connections): every number here
   * is a count or a time in whole nanoseconds. */
  g_array_sort(a->lat, cmp_ka_time);
  lat_member(b, "latency_p50_s", a->lat, 50);
  lat_member(b, "latency_p95_s", a->lat, 95);
  lat_member(b, "latency_p99_s", a->lat, 99);
  lat_member(b, "latency_max_s", a->lat, 100);
}

/* The group's reported socket's keep-alive settings, as the engines build
 * them (the host's parameters, SO_KEEPALIVE on a keep-alive side, then the
 * group's socket options), so that `kasim capacity --run` can take them
 * from the run instead of assuming them. */
static void keepalive_json(JsonBuilder *b, const ks_scenario *sc, const ks_group_spec *g) {
  gboolean client = g->keepalive != KS_KEEPALIVE_SERVER;
  const ks_host_spec *h = sc->hosts->pdata[client ? g->client : g->server];
  ka_sock *s = ka_sock_new(h->params, KA_SOCK_STREAM, 0);
  ka_sock_set_int(s, KA_OPT_SO_KEEPALIVE, 1);
  for (guint i = 0; g->sockopts != NULL && i < g->sockopts->len; i++) {
    const ks_sockopt_spec *o = &g_array_index(g->sockopts, ks_sockopt_spec, i);
    ks_sockopt_apply(s, o->name, o->value, NULL); /* the world has checked them */
  }
  ka_cfg cfg;
  ka_sock_cfg(s, &cfg);
  ka_sock_free(s);
  json_builder_set_member_name(b, "keepalive");
  json_builder_begin_object(b);
  ks_json_str(b, "side", client ? "client" : "server");
  ks_json_str(b, "profile", ka_profile_name(cfg.profile));
  ks_json_bool(b, "probing", cfg.enabled && !cfg.never_probes);
  ks_json_seconds(b, "idle_s", cfg.idle);
  ks_json_seconds(b, "interval_s", cfg.intvl);
  ks_json_int(b, "count", cfg.cnt);
  ks_json_int(b, "hz", cfg.jiffies.hz);
  json_builder_end_object(b);
}

/* summary.json's text; connections.csv's rows go to `csv` on the way.
 * With `doc`, the document too (json_node_unref it). */
static char *summary_json(const ks_scenario *sc, const ks_backend *e, const void *w, guint64 seed,
                          run_out *o, FILE *csv, ks_runner_stats *st, JsonNode **doc) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  ks_json_str(b, "kasim_version", KASIM_VERSION);
  ks_json_str(b, "scenario", sc->name);
  ks_json_int(b, "seed", (gint64)seed);
  ks_json_seconds(b, "virtual_time_s", e->now(w));
  ks_json_int(b, "events", (gint64)o->engine_events);
  network_json(b, sc);
  guint32 n = e->conn_count(w);
  gboolean listed = n <= KS_RUNNER_FULL_MAX;
  st->conns_in_summary = listed;
  agg total = {.lat = g_array_new(FALSE, FALSE, sizeof(ka_time))};
  agg *groups = g_new0(agg, sc->groups->len);
  for (guint gi = 0; gi < sc->groups->len; gi++)
    groups[gi].lat = g_array_new(FALSE, FALSE, sizeof(ka_time));
  fputs(csv_header, csv);
  if (listed) {
    json_builder_set_member_name(b, "connections");
    json_builder_begin_array(b);
  }
  for (guint32 i = 0; i < n; i++) {
    ks_conn_result r;
    if (o->merge && i % o->shard->size != 0) {
      const char *row;
      gsize len;
      ks_shard_result(o->merge, i, &r, &row, &len);
      fwrite(row, 1, len, csv);
    } else {
      e->conn_result(w, i, &r);
      csv_row(csv, sc, &r);
    }
    if (o->opts->on_result)
      o->opts->on_result(&r, o->opts->result_ud);
    agg_add(&total, &r);
    if (r.group < sc->groups->len)
      agg_add(&groups[r.group], &r);
    if (!listed)
      continue;
    const ks_group_spec *g = sc->groups->pdata[r.group];
    json_builder_begin_object(b);
    ks_json_int(b, "id", r.id);
    ks_json_str(b, "group", g->name);
    ks_json_str(b, "profile", side_profile(sc, &r));
    ks_json_str(b, "side", r.client_side ? "client" : "server");
    ks_json_seconds(b, "closed_at_s", r.closed_at);
    ks_json_str(b, "close_reason", ka_close_reason_name(r.reason));
    ks_json_str(b, "error", r.error);
    ks_json_int(b, "probes_sent", r.probes_sent);
    ks_json_int(b, "probes_answered", r.probes_answered);
    ks_json_seconds(b, "last_rx_s", r.last_rx);
    ks_json_seconds(b, "failure_at_s", r.failure_at);
    ks_json_str(b, "failure", r.failure);
    ks_json_bool(b, "recovered", r.recovered);
    ks_json_bool(b, "false_giveup", r.false_giveup);
    ks_json_int(b, "middleboxes", r.middleboxes);
    json_builder_end_object(b);
  }
  if (listed)
    json_builder_end_array(b);
  guint64 wire_all[3] = {0};
  for (guint gi = 0; gi < o->n_groups; gi++)
    for (int k = 0; k < 3; k++)
      wire_all[k] += o->wire[gi * 3 + k];
  json_builder_set_member_name(b, "totals");
  json_builder_begin_object(b);
  agg_json(b, &total, wire_all);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "groups");
  json_builder_begin_array(b);
  for (guint gi = 0; gi < sc->groups->len; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    json_builder_begin_object(b);
    ks_json_str(b, "name", g->name);
    keepalive_json(b, sc, g);
    agg_json(b, &groups[gi], &o->wire[gi * 3]);
    json_builder_end_object(b);
    g_array_unref(groups[gi].lat);
  }
  json_builder_end_array(b);
  g_free(groups);
  g_array_unref(total.lat);
  /* What the files hold, and how to get what they left out. */
  json_builder_set_member_name(b, "outputs");
  json_builder_begin_object(b);
  ks_json_str(b, "trace_level", ks_trace_level_name(st->level));
  ks_json_bool(b, "trace_level_default", st->level_defaulted);
  ks_json_int(b, "trace_events", (gint64)o->events);
  ks_json_int(b, "trace_events_written", (gint64)o->written);
  ks_json_bool(b, "connections_listed", listed);
  ks_json_str(b, "connections_file", o->opts->compress ? "connections.csv.gz" : "connections.csv");
  ks_json_str(b, "trace_file",
              o->level == KS_TRACE_LEVEL_NONE ? NULL
              : o->opts->compress             ? "trace.jsonl.gz"
                                              : "trace.jsonl");
  st->events = o->events;
  st->events_written = o->written;
  st->engine_events = o->engine_events;
  g_autofree char *left = ks_runner_left_out(st);
  ks_json_str(b, "left_out", left);
  json_builder_end_object(b);
  json_builder_end_object(b);
  if (doc == NULL)
    return ks_json_finish(b);
  *doc = json_builder_get_root(b);
  g_object_unref(b);
  return ks_json_node_to_text(*doc, TRUE);
}

/* trace.jsonl of a live run, under its own name in the folder the files
 * go to, to be followed.  In place, an earlier run's summary.json goes
 * first, so that it never stands beside this trace. */
static FILE *open_live_trace(const char *out_dir, GError **error) {
  g_autofree char *old = g_build_filename(out_dir, "summary.json", NULL);
  g_autofree char *path = g_build_filename(out_dir, "trace.jsonl", NULL);
  FILE *f = NULL;
  if (unlink(old) == 0 || errno == ENOENT)
    f = fopen(path, "w");
  if (f == NULL) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", f ? path : old,
                g_strerror(err));
  }
  return f;
}

/* --- A run over several processes (ks_shard.h). ------------------------ */

/* What a run over several processes cannot do, before anything is built. */
static gboolean shard_check(const ks_scenario *sc, const ks_runner_opts *opts, guint size,
                            GError **error) {
  const char *why = NULL;
  if (opts->backend->world_new_shard == NULL)
    why = "the engine runs a scenario in one process only";
  else if (opts->pcap)
    why = "--pcap: the captures follow the run's segments as they happen and are not merged "
          "over processes";
  else if (opts->pace > 0)
    why = "--pace: a live run is one process";
  if (why != NULL) {
    g_set_error(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_REFUSED,
                "not over %u processes: %s; run it without mpirun", size, why);
    return FALSE;
  }
  GError *e = NULL;
  if (!ks_shard_check(sc, size, &e)) {
    g_set_error_literal(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_REFUSED, e->message);
    g_error_free(e);
    return FALSE;
  }
  return TRUE;
}

/* A worker's rows of connections.csv, for rank 0 to copy. */
static void shard_row(FILE *f, const ks_conn_result *r, void *sc) { csv_row(f, sc, r); }

/* Every rank says whether it can go on: TRUE when all can. */
static gboolean all_ready(const ks_shard_comm *sh, gboolean ok) {
  guint64 failed = !ok;
  sh->sum(sh->ud, &failed, 1);
  return failed == 0;
}

/* After the run, on every rank: the whole run's counts and clock.  Each
 * rank dispatched its own connections' events and every timeline event,
 * which the sum counts once per rank.  FALSE, with the error of this rank
 * if it was its own, when a rank could not write all of its spool. */
static gboolean shard_totals(run_out *o, const ks_backend *b, void *w, GError **error) {
  const ks_shard_comm *sh = o->shard;
  gboolean spooled = o->spool == NULL || (fflush(o->spool) == 0 && !ferror(o->spool));
  int err = errno;
  gsize n = 4 + (gsize)o->n_groups * 3;
  guint64 *v = g_new(guint64, n);
  v[0] = b->events(w), v[1] = o->events, v[2] = o->written, v[3] = !spooled;
  memcpy(v + 4, o->wire, (gsize)o->n_groups * 3 * sizeof(guint64));
  sh->sum(sh->ud, v, (int)n);
  o->engine_events = v[0] - (guint64)(sh->size - 1) * ks_order_epochs(o->order);
  o->events = v[1], o->written = v[2];
  memcpy(o->wire, v + 4, (gsize)o->n_groups * 3 * sizeof(guint64));
  gboolean ok = v[3] == 0;
  g_free(v);
  gint64 end = b->now(w);
  sh->max(sh->ud, &end, 1);
  b->set_end(w, end);
  if (!spooled)
    g_set_error(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_SYSTEM,
                "process %u: the trace's temporary file (TMPDIR): %s", sh->rank,
                g_strerror(err ? err : EIO));
  else if (!ok)
    g_set_error(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_PEER,
                "another process of the run could not write its part of the trace (its "
                "message above)");
  return ok;
}

static void run_out_clear(run_out *o) {
  ks_order_free(o->order);
  if (o->spool)
    fclose(o->spool);
  ks_shard_free(o->merge);
  g_free(o->marked);
  g_free(o->group_start);
  g_free(o->wire);
}

/* A rank above 0: its connections' run, sent to rank 0, which writes the
 * files.  Returns the world, or NULL when this or another rank failed. */
static void *run_worker(const ks_scenario *sc, const ks_backend *b, void *w, run_out *o,
                        GError **error) {
  GError *e = NULL;
  gboolean ok = o->level == KS_TRACE_LEVEL_NONE || (o->spool = ks_shard_spool_new(&e)) != NULL;
  if (!all_ready(o->shard, ok)) {
    if (ok)
      g_set_error(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_PEER,
                  "process %u: another process of the run failed before it started",
                  o->shard->rank);
    else
      classify(error, e, NULL);
    goto fail;
  }
  b->set_trace(w, on_trace, o);
  b->run(w);
  ks_order_flush(o->order, KA_TIME_NEVER);
  /* Whatever happened, rank 0 takes what this rank sends, and says last
   * whether the files were written. */
  gboolean spooled = shard_totals(o, b, w, &e);
  o->merge = ks_shard_new(o->shard);
  ks_shard_send(o->merge, o->spool, b, w, o->n_conns, shard_row, (void *)sc);
  if (!all_ready(o->shard, TRUE)) {
    if (e)
      g_propagate_error(error, e);
    else
      g_set_error(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_PEER,
                  "process %u: process 0 could not write the run's files", o->shard->rank);
    goto fail;
  }
  g_assert(spooled);
  run_out_clear(o);
  return w;
fail:
  run_out_clear(o);
  b->world_free(w);
  return NULL;
}

void *ks_runner_run_scenario(const ks_scenario *sc, guint64 seed, const char *out_dir,
                             const ks_runner_opts *opts, GError **error) {
  g_return_val_if_fail(opts != NULL && opts->backend != NULL, NULL);
  const ks_backend *b = opts->backend;
  GError *e = NULL;
  if (!b->check(sc, opts->pace, &e)) {
    g_set_error_literal(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_REFUSED, e->message);
    g_error_free(e);
    return NULL;
  }
  const ks_shard_comm *sh = opts->shard && opts->shard->size > 1 ? opts->shard : NULL;
  if (sh && !shard_check(sc, opts, sh->size, error))
    return NULL;
  run_out o = {.opts = opts, .live = opts->pace > 0, .shard = sh, .rank = sh ? sh->rank : 0};
  /* A run over several processes: 0 until every rank has said whether it
   * can start, 1 when one could not, 2 once all started. */
  int phase = 0;
  ks_runner_stats st_local, *st = opts->stats ? opts->stats : &st_local;
  *st = (ks_runner_stats){.level = opts->trace};
  char *summary = NULL;
  JsonNode *doc = NULL; /* summary.json's, for opts->summary */
  ks_afile *sf = NULL, *csv = NULL;
  ks_outdir *od = NULL;
  /* The world first: the folder is made only once the run is sure to
   * start, so that a scenario too large for memory leaves nothing. */
  void *w = sh ? b->world_new_shard(sc, seed, sh->rank, sh->size, &e) : b->world_new(sc, seed, &e);
  if (w == NULL) {
    g_set_error_literal(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_SYSTEM, e->message);
    g_error_free(e);
    if (sh)
      all_ready(sh, FALSE);
    return NULL;
  }
  /* The trace level, and what it needs: a bit per connection, each
   * group's first connection (for the probes' counts per group). */
  o.n_conns = b->conn_count(w);
  if (st->level == KS_TRACE_LEVEL_AUTO) {
    st->level = o.n_conns <= KS_RUNNER_FULL_MAX ? KS_TRACE_LEVEL_ALL : KS_TRACE_LEVEL_FAILURES;
    st->level_defaulted = TRUE;
  }
  o.level = st->level;
  o.marked = g_malloc0(o.n_conns / 8 + 1);
  for (guint i = 0; o.level == KS_TRACE_LEVEL_CONNS && i < opts->n_trace_conns; i++)
    if (opts->trace_conns[i] < o.n_conns)
      o.marked[opts->trace_conns[i] / 8] |= (guint8)(1u << (opts->trace_conns[i] % 8));
  o.n_groups = sc->groups->len;
  o.group_start = g_new0(guint32, o.n_groups + 1);
  for (guint gi = 0; gi < o.n_groups; gi++)
    o.group_start[gi + 1] = o.group_start[gi] + ((ks_group_spec *)sc->groups->pdata[gi])->count;
  o.wire = g_new0(guint64, (gsize)MAX(o.n_groups, 1) * 3);
  o.order = ks_order_new(trace_sink, &o);
  if (sh && sh->rank > 0)
    return run_worker(sc, b, w, &o, error);
  /* Every file a run may write: a new run replaces them all
   * (ks_outdir.h), summary.json last. */
  static const char *const owned[] = {"summary.json",        "connections.csv",
                                      "connections.csv.gz",  "trace.jsonl",
                                      "trace.jsonl.gz",      "capture.pcap",
                                      "capture-server.pcap", NULL};
  if ((od = ks_outdir_new(out_dir, owned, "summary.json", opts->in_place, &e)) == NULL) {
    classify(error, e, NULL);
    goto fail;
  }
  if (opts->no_sync)
    ks_outdir_no_sync(od);
  const char *dir = ks_outdir_path(od);
  /* A live run's caller has put its own handler over ks_afile's
   * (ks_runner.h): installing ks_afile's again would replace it. */
  if (!(o.live && opts->pace_ctl))
    ks_afile_install_signal_handlers();
  if (o.level == KS_TRACE_LEVEL_NONE) {
    /* no trace.jsonl: an earlier run's goes when this one commits */
  } else if (o.live) {
    if ((o.tf = open_live_trace(dir, &e)) == NULL) {
      classify(error, e, NULL);
      goto fail;
    }
  } else {
    o.trace = opts->compress ? ks_afile_open_gzip(dir, "trace.jsonl.gz", &e)
                             : ks_afile_open(dir, "trace.jsonl", &e);
    if (o.trace == NULL) {
      classify(error, e, NULL);
      goto fail;
    }
    o.tf = ks_afile_stream(o.trace);
  }
  if (opts->pcap) {
    if ((o.capture = ks_afile_open(dir, "capture.pcap", &e)) == NULL) {
      classify(error, e, NULL);
      goto fail;
    }
    /* The engine's own pcap file, or ours from its trace (ks_backend.h). */
    gboolean started = b->set_pcap ? b->set_pcap(w, ks_afile_tmp_path(o.capture), &e)
                                   : (o.pcap = ks_pcap_new(ks_afile_stream(o.capture), TRUE,
                                                           b->conn_endpoints, w, &e)) != NULL;
    /* From the trace, the server's side too, in a file of its own. */
    if (started && !b->set_pcap) {
      started = (o.capture_server = ks_afile_open(dir, "capture-server.pcap", &e)) != NULL &&
                (o.pcap_server = ks_pcap_new(ks_afile_stream(o.capture_server), FALSE,
                                             b->conn_endpoints, w, &e)) != NULL;
    }
    if (!started) {
      classify(error, e, NULL);
      goto fail;
    }
  }
  if (sh) {
    /* This rank's records go to its spool, to be merged with the others'. */
    if (o.tf && (o.spool = ks_shard_spool_new(&e)) == NULL) {
      classify(error, e, NULL);
      goto fail;
    }
    phase = all_ready(sh, TRUE) ? 2 : 1;
    if (phase == 1) {
      g_set_error(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_PEER,
                  "another process of the run failed before it started (its message above)");
      goto fail;
    }
  }
  if (opts->on_folder)
    opts->on_folder(dir, opts->event_ud);
  b->set_trace(w, on_trace, &o);
  if (b->set_pace)
    b->set_pace(w, opts->pace);
  if (o.live && b->set_pace_ctl && opts->pace_ctl)
    b->set_pace_ctl(w, opts->pace_ctl);
  if (b->set_progress && (opts->progress || o.live))
    b->set_progress(w, on_progress, &o);
  b->run(w);
  if (opts->progress && b->set_progress) /* the last state, wherever the run stopped */
    opts->progress(b->now(w), sc->duration, opts->progress_ud);
  ks_order_flush(o.order, KA_TIME_NEVER);
  o.engine_events = b->events(w);
  if (sh) {
    o.merge = ks_shard_new(sh);
    if (!shard_totals(&o, b, w, error))
      goto fail;
    if (o.tf)
      ks_shard_merge(o.merge, o.spool, o.tf);
  }
  ks_pcap_free(o.pcap);
  ks_pcap_free(o.pcap_server);
  o.pcap = o.pcap_server = NULL;
  csv = opts->compress ? ks_afile_open_gzip(dir, "connections.csv.gz", &e)
                       : ks_afile_open(dir, "connections.csv", &e);
  if (csv == NULL) {
    classify(error, e, NULL);
    goto fail;
  }
  summary = summary_json(sc, b, w, seed, &o, ks_afile_stream(csv), st, opts->summary ? &doc : NULL);
  if ((sf = ks_afile_open(dir, "summary.json", &e)) == NULL) {
    classify(error, e, NULL);
    goto fail;
  }
  fputs(summary, ks_afile_stream(sf));
  fputc('\n', ks_afile_stream(sf));
  g_free(summary);
  summary = NULL;
  /* Every file is flushed and synced first: a full disk or an I/O error
   * fails the run here, with an earlier run's files in the folder left as
   * they were; then they replace the earlier run's all at once, or one by
   * one with summary.json last (ks_outdir.h). */
  gboolean committed = TRUE;
  if (o.live && o.tf) {
    gboolean flushed = fflush(o.tf) == 0 && fsync(fileno(o.tf)) == 0;
    int err = errno;
    flushed = fclose(o.tf) == 0 && flushed;
    o.tf = NULL;
    if (!flushed) {
      g_set_error(&e, G_FILE_ERROR, g_file_error_from_errno(err), "trace.jsonl: %s",
                  g_strerror(err));
      committed = FALSE;
    }
    ks_outdir_keep(od, "trace.jsonl");
  }
  if (committed) {
    ks_afile *files[5];
    guint nf = 0;
    ks_afile **each[] = {&csv, &o.trace, &o.capture, &o.capture_server, &sf};
    for (size_t i = 0; i < G_N_ELEMENTS(each); i++)
      if (*each[i])
        files[nf++] = *each[i], *each[i] = NULL;
    committed = ks_outdir_commit(od, files, nf, &e);
  }
  if (!committed) {
    classify(error, e, NULL);
    goto fail;
  }
  ks_outdir_free(od);
  if (sh) {
    ks_shard_drain(o.merge);
    all_ready(sh, TRUE);
  }
  run_out_clear(&o);
  if (opts->summary)
    *opts->summary = doc;
  return w;
fail:
  /* The other ranks wait for rank 0's word, and for it to take what they
   * send. */
  if (sh && phase == 0)
    all_ready(sh, FALSE);
  else if (sh && phase == 2) {
    if (o.merge == NULL)
      o.merge = ks_shard_new(sh);
    ks_shard_drain(o.merge);
    all_ready(sh, FALSE);
  }
  if (o.live && o.tf)
    fclose(o.tf); /* what was written stays: the run's trace so far */
  g_free(summary);
  if (doc)
    json_node_unref(doc);
  ks_pcap_free(o.pcap);
  ks_pcap_free(o.pcap_server);
  ks_afile_abort(o.trace);
  ks_afile_abort(o.capture);
  ks_afile_abort(o.capture_server);
  ks_afile_abort(sf);
  ks_afile_abort(csv);
  ks_outdir_free(od);
  run_out_clear(&o);
  if (w)
    b->world_free(w);
  return NULL;
}

gboolean ks_runner_run(const char *scenario_path, char **sets, guint64 seed, const char *out_dir,
                       const ks_runner_opts *opts, GError **error) {
  ks_scenario *sc = ks_scenario_load(scenario_path, sets, error);
  if (sc == NULL)
    return FALSE;
  const ks_backend *b = opts->backend;
  void *w = ks_runner_run_scenario(sc, seed, out_dir, opts, error);
  if (w)
    b->world_free(w);
  ks_scenario_free(sc);
  return w != NULL;
}
