/* ks_ns3_runner.c - `kasim run --engine ns3`: trace.jsonl, capture.pcap and
 * summary.json from an ns-3 run, in the formats of docs/output.md.
 *
 * The trace lines and the summary are built exactly as sim/ks_runner.c
 * builds them for a native world, from the same ks_trace_event and
 * ks_conn_result values: ks_ns3_world_* mirrors ks_world_* one for one.
 * Until the runner takes either engine, this file repeats its writer;
 * ns3/tests/test_ns3_cross.c checks that both engines' summaries have the
 * same fields.  The capture is ns-3's own pcap (link type PPP), copied
 * into the atomic output file once the run is over.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks_afile.h"
#include "ks_cli.h"
#include "ks_format.h"
#include "ks_json.h"
#include "ks_ns3.h"

typedef struct ns3_out {
  FILE *tf;
} ns3_out;

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

static void on_trace(const ks_trace_event *ev, void *ud) {
  ns3_out *o = ud;
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

static const char *side_profile(const ks_scenario *sc, const ks_conn_result *r) {
  const ks_group_spec *g = sc->groups->pdata[r->group];
  const ks_host_spec *h = sc->hosts->pdata[r->client_side ? g->client : g->server];
  return ka_profile_name(h->profile);
}

static char *summary_json(const ks_scenario *sc, const ks_ns3_results *res, guint64 seed) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  ks_json_str(b, "kasim_version", KASIM_VERSION);
  ks_json_str(b, "scenario", sc->name);
  ks_json_int(b, "seed", (gint64)seed);
  ks_json_seconds(b, "virtual_time_s", res->now);
  ks_json_int(b, "events", (gint64)res->events);
  guint32 n = res->n_conns;
  gint64 closed = 0, probes = 0, answered = 0, failed = 0, false_giveups = 0;
  gint64 by_reason[KA_CLOSE_RESET_BY_PEER + 1] = {0};
  json_builder_set_member_name(b, "connections");
  json_builder_begin_array(b);
  for (guint32 i = 0; i < n; i++) {
    const ks_conn_result r = res->conns[i];
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

/* As `kasim run` reports a native run. */
static void print_human(const ks_scenario *sc, const ks_ns3_results *res, const char *out_dir) {
  g_autofree char *vt = ks_format_human(res->now);
  printf("kasim run: %s on ns-3, %s of virtual time, %" G_GUINT64_FORMAT " events\n", sc->name,
         vt, res->events);
  for (guint gi = 0; gi < sc->groups->len; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    for (int k = KA_CLOSE_NONE; k <= KA_CLOSE_RESET_BY_PEER; k++) {
      GArray *times = g_array_new(FALSE, FALSE, sizeof(ka_time));
      const char *error = NULL;
      for (guint32 i = 0; i < res->n_conns; i++) {
        const ks_conn_result *r = &res->conns[i];
        if (r->group == gi && (int)r->reason == k) {
          g_array_append_val(times, r->closed_at);
          error = r->error;
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

/* ns-3 writes its pcap by file name: into a hidden file beside the
 * output, then copied into the atomic capture.pcap. */
static gboolean copy_file(const char *from, FILE *to, GError **error) {
  gchar *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(from, &data, &len, error))
    return FALSE;
  gboolean ok = fwrite(data, 1, len, to) == len;
  g_free(data);
  if (!ok)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "capture.pcap: short write");
  return ok;
}

int ks_ns3_cmd_run(const ks_scenario *sc, guint64 seed, const char *out_dir, gboolean pcap,
                   double pace) {
  GError *error = NULL;
  if (!ks_ns3_available(NULL)) {
    g_set_error(&error, KS_NS3_ERROR, KS_NS3_ERROR_UNAVAILABLE,
                "--engine ns3: this kasim was built without ns-3 (install libns3-dev and g++, "
                "then configure again)");
  } else if (pace > 0) {
    g_set_error(&error, KS_NS3_ERROR, KS_NS3_ERROR_UNSUPPORTED,
                "not supported on the ns3 engine: --pace (ns-3's real-time scheduler runs at "
                "one virtual second per second only)");
  }
  if (error == NULL)
    ks_ns3_check(sc, &error);
  if (error != NULL) {
    ks_cli_print_error("run", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  if (g_mkdir_with_parents(out_dir, 0755) != 0) {
    fprintf(stderr, "kasim run: %s: %s\n", out_dir, g_strerror(errno));
    return 1;
  }
  ks_afile_install_signal_handlers();
  ns3_out o = {0};
  ks_afile *trace = NULL, *capture = NULL, *sf = NULL;
  char *summary = NULL, *raw_pcap = NULL;
  ks_ns3_results res = {0};
  int status = 0;
  if ((trace = ks_afile_open(out_dir, "trace.jsonl", &error)) == NULL)
    goto fail;
  o.tf = ks_afile_stream(trace);
  if (pcap) {
    if ((capture = ks_afile_open(out_dir, "capture.pcap", &error)) == NULL)
      goto fail;
    g_autofree char *name = g_strdup_printf(".capture.ns3.%d.pcap", (int)getpid());
    raw_pcap = g_build_filename(out_dir, name, NULL);
  }
  if (!ks_ns3_run_scenario(sc, seed, raw_pcap, on_trace, &o, &res, &error))
    goto fail;
  if (raw_pcap != NULL && !copy_file(raw_pcap, ks_afile_stream(capture), &error))
    goto fail;
  summary = summary_json(sc, &res, seed);
  if ((sf = ks_afile_open(out_dir, "summary.json", &error)) == NULL)
    goto fail;
  fputs(summary, ks_afile_stream(sf));
  fputc('\n', ks_afile_stream(sf));
  /* The summary goes last: its presence says the run completed. */
  gboolean committed = ks_afile_commit(trace, &error);
  trace = NULL;
  if (committed && capture) {
    committed = ks_afile_commit(capture, &error);
    capture = NULL;
  }
  if (committed) {
    committed = ks_afile_commit(sf, &error);
    sf = NULL;
  }
  if (!committed)
    goto fail;
  print_human(sc, &res, out_dir);
  goto done;
fail:
  status = error != NULL && g_error_matches(error, KS_NS3_ERROR, KS_NS3_ERROR_UNSUPPORTED)
               ? KS_EXIT_USAGE
               : 1;
  fprintf(stderr, "kasim run: %s\n", error ? error->message : "failed");
  g_clear_error(&error);
  ks_afile_abort(trace);
  ks_afile_abort(capture);
  ks_afile_abort(sf);
done:
  if (raw_pcap != NULL)
    g_unlink(raw_pcap);
  g_free(raw_pcap);
  g_free(summary);
  ks_ns3_results_clear(&res);
  return status;
}
