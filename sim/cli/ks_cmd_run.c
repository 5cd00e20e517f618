/* ks_cmd_run.c - `kasim run SCENARIO`: simulate, then write summary.json,
 * trace.jsonl and (with --pcap) capture.pcap into the output folder, all
 * atomically, and tell the user who died when and why. */
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "ks_afile.h"
#include "ks_cli.h"
#include "ks_format.h"
#include "ks_json.h"
#include "ks_pcap.h"
#include "ks_scenario.h"
#include "ks_world.h"

typedef struct run_out {
  ks_world *world;
  ks_afile *trace;
  FILE *tf;
  ks_afile *capture;
  ks_pcap *pcap;
} run_out;

static const char *seg_kind_name(guint8 k) {
  static const char *const names[] = {"handshake", "data", "retransmission", "ack",
                                      "keepalive", "keepalive_ack", "rst"};
  return k < G_N_ELEMENTS(names) ? names[k] : "?";
}

static void flags_text(guint8 f, char *buf) {
  static const struct {
    guint8 bit;
    const char *name;
  } bits[] = {{KS_TCP_SYN, "SYN"}, {KS_TCP_FIN, "FIN"}, {KS_TCP_RST, "RST"},
              {KS_TCP_PSH, "PSH"}, {KS_TCP_ACK, "ACK"}};
  buf[0] = '\0';
  for (size_t i = 0; i < G_N_ELEMENTS(bits); i++)
    if (f & bits[i].bit) {
      if (buf[0])
        strcat(buf, "+");
      strcat(buf, bits[i].name);
    }
}

/* Trace lines are written with printf, not json-glib: every field is a
 * number or one of the fixed identifiers above, so there is nothing to
 * escape, and a run can produce millions of lines. */
static void on_trace(const ks_trace_event *ev, void *ud) {
  run_out *o = ud;
  static const char *const kinds[] = {"send", "deliver", "drop", "timer", "close", "scenario"};
  FILE *f = o->tf;
  fprintf(f, "{\"t\":%" PRId64 ".%09" PRId64 ",\"ev\":\"%s\"", ev->t / KA_NS_PER_S,
          ev->t % KA_NS_PER_S, kinds[ev->kind]);
  if (ev->seg) {
    char fl[32];
    flags_text(ev->seg->flags, fl);
    fprintf(f,
            ",\"conn\":%" G_GUINT32_FORMAT ",\"dir\":\"%s\",\"kind\":\"%s\",\"flags\":\"%s\","
            "\"seq\":%" G_GUINT32_FORMAT ",\"ack\":%" G_GUINT32_FORMAT ",\"len\":%" G_GUINT32_FORMAT,
            ev->seg->conn, ev->seg->from_client ? "c2s" : "s2c", seg_kind_name(ev->seg->kind), fl,
            ev->seg->seq, ev->seg->ack, ev->seg->len);
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
  /* The capture is what tcpdump on the client host would see: what it
   * sends, when it sends it, and what reaches it, when it arrives. */
  if (o->pcap && ev->seg &&
      ((ev->kind == KS_TRACE_SEND && ev->seg->from_client) ||
       (ev->kind == KS_TRACE_DELIVER && !ev->seg->from_client)))
    ks_pcap_write(o->pcap, o->world, ev->t, ev->seg);
}

static void on_progress(ka_time now, ka_time end, void *ud) {
  (void)ud;
  int width = 40, done = end > 0 ? (int)((double)now / (double)end * width) : width;
  g_autofree char *n = ks_format_human(now), *e = ks_format_human(end);
  fprintf(stderr, "\r[%-*.*s] %3d%%  %s of %s virtual ", width, done,
          "########################################", done * 100 / width, n, e);
}

static const char *side_profile(const ks_scenario *sc, const ks_conn_result *r) {
  const ks_group_spec *g = sc->groups->pdata[r->group];
  const ks_host_spec *h = sc->hosts->pdata[r->client_side ? g->client : g->server];
  return ka_profile_name(h->profile);
}

static char *summary_json(const ks_scenario *sc, ks_world *w, guint64 seed) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  ks_json_str(b, "kasim_version", KASIM_VERSION);
  ks_json_str(b, "scenario", sc->name);
  ks_json_int(b, "seed", (gint64)seed);
  ks_json_seconds(b, "virtual_time_s", ks_world_now(w));
  ks_json_int(b, "events", (gint64)ks_world_events(w));
  guint32 n = ks_world_conn_count(w);
  gint64 closed = 0, probes = 0, answered = 0, failed = 0, false_giveups = 0;
  gint64 by_reason[KA_CLOSE_RESET_BY_PEER + 1] = {0};
  json_builder_set_member_name(b, "connections");
  json_builder_begin_array(b);
  for (guint32 i = 0; i < n; i++) {
    ks_conn_result r;
    ks_world_conn_result(w, i, &r);
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
    ks_json_bool(b, "false_giveup", r.false_giveup);
    ks_json_int(b, "middleboxes", r.middleboxes);
    failed += r.failure_at != KA_TIME_NEVER;
    false_giveups += r.false_giveup;
    json_builder_end_object(b);
    closed += r.closed_at != KA_TIME_NEVER;
    by_reason[r.reason]++;
    probes += r.probes_sent;
    answered += r.probes_answered;
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "totals");
  json_builder_begin_object(b);
  ks_json_int(b, "connections", n);
  ks_json_int(b, "closed", closed);
  ks_json_int(b, "alive", n - closed);
  for (int k = KA_CLOSE_KEEPALIVE_TIMEOUT; k <= KA_CLOSE_RESET_BY_PEER; k++)
    ks_json_int(b, ka_close_reason_name((ka_close_reason)k), by_reason[k]);
  ks_json_int(b, "probes_sent", probes);
  ks_json_int(b, "probes_answered", answered);
  ks_json_int(b, "failed", failed);
  ks_json_int(b, "false_giveups", false_giveups);
  json_builder_end_object(b);
  json_builder_end_object(b);
  return ks_json_finish(b);
}

static int cmp_time(const void *a, const void *b) {
  ka_time x = *(const ka_time *)a, y = *(const ka_time *)b;
  return (x > y) - (x < y);
}

/* Per group: how many died, of what, and when (first, median, last). */
static void print_human(const ks_scenario *sc, ks_world *w, const char *out_dir) {
  g_autofree char *vt = ks_format_human(ks_world_now(w));
  printf("kasim run: %s, %s of virtual time, %" G_GUINT64_FORMAT " events\n", sc->name, vt,
         ks_world_events(w));
  guint32 n = ks_world_conn_count(w);
  for (guint gi = 0; gi < sc->groups->len; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    for (int k = KA_CLOSE_NONE; k <= KA_CLOSE_RESET_BY_PEER; k++) {
      GArray *times = g_array_new(FALSE, FALSE, sizeof(ka_time));
      const char *error = NULL;
      ks_conn_result r = {0};
      for (guint32 i = 0; i < n; i++) {
        ks_world_conn_result(w, i, &r);
        if (r.group == gi && (int)r.reason == k) {
          g_array_append_val(times, r.closed_at);
          error = r.error;
        }
      }
      if (times->len > 0) {
        g_array_sort(times, cmp_time);
        if (k == KA_CLOSE_NONE) {
          printf("  %s: %u of %u alive at the end\n", g->name, times->len, g->count);
        } else {
          g_autofree char *first = ks_format_seconds(g_array_index(times, ka_time, 0));
          g_autofree char *med = ks_format_seconds(g_array_index(times, ka_time, times->len / 2));
          g_autofree char *last = ks_format_seconds(g_array_index(times, ka_time, times->len - 1));
          if (times->len == 1)
            printf("  %s: closed at %s s by %s (%s)\n", g->name, first,
                   ka_close_reason_name((ka_close_reason)k), error);
          else
            printf("  %s: %u closed by %s (%s), first at %s s, median %s s, last %s s\n", g->name,
                   times->len, ka_close_reason_name((ka_close_reason)k), error, first, med, last);
        }
      }
      g_array_free(times, TRUE);
    }
  }
  printf("Results in %s/\n", out_dir);
}

int ks_cmd_run(int argc, char **argv) {
  g_autofree char *out_dir = NULL, *engine = NULL, *seed_text = NULL;
  g_auto(GStrv) sets = NULL;
  gboolean pcap = FALSE;
  double pace = 0;
  GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (default out/NAME)", "DIR"},
    {"seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Random seed (default: the scenario's)", "N"},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
     "A registry value, sysctl or socket option for every host or group", "NAME=VALUE"},
    {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "Also write capture.pcap", NULL},
    {"pace", 0, 0, G_OPTION_ARG_DOUBLE, &pace,
     "Virtual seconds per real second (default: as fast as possible)", "X"},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &engine, "native (default)", "NAME"},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new("SCENARIO - simulate a scenario");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  guint64 seed = 0;
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0, argc < 2 ? "a scenario file is required"
                                                  : "unexpected argument '%s'", argv[2]),
        ok = FALSE;
  if (ok && engine && g_strcmp0(engine, "native") != 0)
    g_set_error(&error, KS_CLI_ERROR, 0, "--engine %s: unknown engine (native)", engine),
        ok = FALSE;
  if (ok && pace < 0)
    g_set_error(&error, KS_CLI_ERROR, 0, "--pace %g: must be positive", pace), ok = FALSE;
  if (ok && seed_text &&
      !g_ascii_string_to_unsigned(seed_text, 10, 0, G_MAXUINT64, &seed, NULL))
    g_set_error(&error, KS_CLI_ERROR, 0, "--seed %s: not a whole number", seed_text), ok = FALSE;
  ks_scenario *sc = ok ? ks_scenario_load(argv[1], sets, &error) : NULL;
  if (sc == NULL) {
    ks_cli_print_error("run", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  if (seed_text == NULL)
    seed = sc->seed;
  if (out_dir == NULL)
    out_dir = g_build_filename("out", sc->name, NULL);
  int status = 0;
  run_out o = {0};
  char *summary = NULL;
  ks_afile *sf = NULL;
  if (g_mkdir_with_parents(out_dir, 0755) != 0) {
    fprintf(stderr, "kasim run: %s: %s\n", out_dir, g_strerror(errno));
    ks_scenario_free(sc);
    return 1;
  }
  ks_afile_install_signal_handlers();
  o.world = ks_world_new(sc, seed, &error);
  if (o.world == NULL)
    goto fail;
  if ((o.trace = ks_afile_open(out_dir, "trace.jsonl", &error)) == NULL)
    goto fail;
  o.tf = ks_afile_stream(o.trace);
  if (pcap) {
    if ((o.capture = ks_afile_open(out_dir, "capture.pcap", &error)) == NULL)
      goto fail;
    if ((o.pcap = ks_pcap_new(ks_afile_stream(o.capture), &error)) == NULL)
      goto fail;
  }
  ks_world_set_trace(o.world, on_trace, &o);
  ks_world_set_pace(o.world, pace);
  gboolean progress = isatty(STDERR_FILENO);
  if (progress)
    ks_world_set_progress(o.world, on_progress, NULL);
  ks_world_run(o.world);
  if (progress) { /* the last state of the bar, then the line ends */
    on_progress(ks_world_now(o.world), sc->duration, NULL);
    fputc('\n', stderr);
  }
  ks_pcap_free(o.pcap);
  o.pcap = NULL;
  summary = summary_json(sc, o.world, seed);
  sf = ks_afile_open(out_dir, "summary.json", &error);
  if (sf == NULL)
    goto fail;
  fputs(summary, ks_afile_stream(sf));
  fputc('\n', ks_afile_stream(sf));
  /* The summary goes last: its presence says the run completed. */
  gboolean committed = ks_afile_commit(o.trace, &error);
  o.trace = NULL;
  if (committed && o.capture) {
    committed = ks_afile_commit(o.capture, &error);
    o.capture = NULL;
  }
  if (committed) {
    committed = ks_afile_commit(sf, &error);
    sf = NULL;
  }
  if (!committed)
    goto fail;
  print_human(sc, o.world, out_dir);
  goto done;
fail:
  fprintf(stderr, "kasim run: %s\n", error->message);
  g_error_free(error);
  ks_pcap_free(o.pcap);
  ks_afile_abort(o.trace);
  ks_afile_abort(o.capture);
  ks_afile_abort(sf);
  status = 1;
done:
  g_free(summary);
  if (o.world)
    ks_world_free(o.world);
  ks_scenario_free(sc);
  return status;
}
