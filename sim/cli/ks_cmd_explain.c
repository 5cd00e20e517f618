/* ks_cmd_explain.c - `kasim explain`: what keep-alive does for one idle
 * connection whose peer vanishes, as a timeline a person can read.
 *
 * The timeline is not computed here: a ka_conn from model/ is driven
 * through its deadlines, so explain shows exactly what the engine does. */
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "ks_cli.h"
#include "ks_format.h"
#include "ks_json.h"

/* A FreeBSD keepcnt can be 2^32-1; listing stops here and the give-up time
 * comes from the time-based rule instead of a billion probes. */
#define MAX_SIMULATED_PROBES 100000u

typedef struct explained {
  ka_cfg cfg;     /* the rules' arithmetic: timers fire when due */
  ka_time slack;  /* how much later Linux's timer wheel can make the give-up */
  GArray *probes; /* ka_time */
  unsigned probe_payload;
  gboolean detected, cut;
  ka_time giveup_at;
  ka_action giveup;
  const char *never_why; /* when !detected */
} explained;

static void explain_run(const ks_cli_host *host, explained *ex) {
  ka_sock_cfg(host->sock, &ex->cfg);
  ka_cfg on_wheel = ex->cfg;
  ex->cfg.jiffies.hz = 0;
  ex->probes = g_array_new(FALSE, FALSE, sizeof(ka_time));
  ex->probe_payload = ka_profile_probe_payload(host->profile);
  if (!ex->cfg.enabled) {
    ex->never_why = "keep-alive is off on this socket (SO_KEEPALIVE=0), so no probe is ever "
                    "sent";
    return;
  }
  if (ex->cfg.never_probes) {
    ex->never_why = ka_profile_count_rule(host->profile) == KA_COUNT_REGISTRY_MAX
                      ? "with TcpMaxDataRetransmissions=0 and PPTPTcpMaxDataRetransmissions=0 "
                        "this Windows version sends no keep-alive probes at all"
                      : "TCP_KEEPCNT=0 means no keep-alive probes at all on Windows";
    return;
  }
  ka_conn c;
  ka_conn_init(&c, NULL, &ex->cfg, 0);
  for (ka_time at; (at = ka_conn_poll_at(&c, NULL)) != KA_TIME_NEVER;) {
    ka_action a;
    if (!ka_conn_poll(&c, NULL, at, &a))
      continue;
    if (a.kind == KA_ACTION_GIVE_UP) {
      ex->detected = TRUE;
      ex->giveup_at = at;
      ex->giveup = a;
      ex->slack = ka_conn_wheel_slack(&on_wheel, ex->probes->len);
      return;
    }
    g_array_append_val(ex->probes, at);
    if (ex->probes->len == MAX_SIMULATED_PROBES) {
      ex->cut = TRUE;
      ex->detected = TRUE;
      ex->giveup_at = ex->cfg.idle + (ka_time)ex->cfg.cnt * ex->cfg.intvl;
      /* Only the time-based rule gets here (counting profiles stop at 255
       * probes).  The give-up's wire and errors come from the model itself:
       * with no probes to send, the same socket gives up at its first
       * firing. */
      ka_cfg at_once = ex->cfg;
      at_once.cnt = 0;
      ka_conn_init(&c, NULL, &at_once, 0);
      ka_conn_poll(&c, NULL, ka_conn_poll_at(&c, NULL), &ex->giveup);
      return;
    }
  }
  ex->never_why = "the keep-alive timer never fires";
}

static char *describe_err(const ka_profile *p, int err) {
  return g_strdup_printf("%s (%d)", ka_profile_errname(p, err), ka_profile_errnum(p, err));
}

static void print_settings(const ks_cli_host *host, const explained *ex) {
  size_t n;
  const ka_param_info *t = ka_params_table(host->profile, &n);
  printf("Host settings:\n");
  for (size_t i = 0; i < n; i++) {
    uint64_t v = 0;
    ka_params_get(host->params, t[i].name, &v);
    printf("  %-32s %" G_GUINT64_FORMAT "%s%s\n", t[i].name, v,
           t[i].unit == KA_UNIT_MS  ? " ms"
           : t[i].unit == KA_UNIT_S ? " s"
                                    : "",
           ka_params_is_set(host->params, t[i].name) ? "" : "  (default)");
  }
  for (guint i = 0; i < host->sockopts->len; i++)
    printf("  socket option %s\n", (char *)host->sockopts->pdata[i]);
  g_autofree char *idle = ks_format_seconds(ex->cfg.idle);
  g_autofree char *intvl = ks_format_seconds(ex->cfg.intvl);
  printf("Effective on this socket: keep-alive %s, idle %s s, interval %s s, %u probe%s",
         ex->cfg.enabled ? "on" : "off", idle, intvl, ex->cfg.cnt, ex->cfg.cnt == 1 ? "" : "s");
  if (ex->cfg.user_timeout) {
    g_autofree char *uto = ks_format_seconds(ex->cfg.user_timeout);
    printf(", TCP_USER_TIMEOUT %s s", uto);
  }
  printf("\n");
  for (guint i = 0; i < host->notes->len; i++)
    printf("  note: %s\n", (char *)host->notes->pdata[i]);
}

static void print_probe(const explained *ex, guint i) {
  g_autofree char *t = ks_format_seconds(g_array_index(ex->probes, ka_time, i));
  printf("  %12s s  probe %u: ACK seq=SND.NXT-1, %u byte%s%s; no answer\n", t, i + 1,
         ex->probe_payload, ex->probe_payload == 1 ? "" : "s", ex->probe_payload ? " (0x00)" : "");
}

static void print_text(const ks_cli_host *host, const explained *ex) {
  const ka_profile *p = host->profile;
  printf("kasim explain: %s (%s)\n", ka_profile_name(p), ka_profile_description(p));
  print_settings(host, ex);
  printf("\nOne idle connection; the peer vanishes silently right after the last segment it "
         "sent, at t = 0.\n\n");
  if (!ex->detected) {
    printf("The peer is NEVER detected by keep-alive: %s.\nThe connection stays open until the "
           "application sends data (then the retransmission give-up applies).\n",
           ex->never_why);
    return;
  }
  guint n = ex->probes->len;
  for (guint i = 0; i < n; i++) {
    if (n > 12 && i == 5) {
      g_autofree char *iv = ks_format_seconds(ex->cfg.intvl);
      printf("  %12s    ... %u more probes, one every %s s ...\n", "", n - 10, iv);
      i = n - 6;
      continue;
    }
    print_probe(ex, i);
  }
  if (ex->cut)
    printf("  (listing cut after %u probes; the give-up time below follows the time-based "
           "rule idle + count x interval)\n",
           MAX_SIMULATED_PROBES);
  g_autofree char *t = ks_format_seconds(ex->giveup_at);
  g_autofree char *human = ks_format_human(ex->giveup_at);
  g_autofree char *pending = describe_err(p, ex->giveup.err_pending);
  g_autofree char *later = describe_err(p, ex->giveup.err_later);
  guint sent = ex->cut ? ex->cfg.cnt : n;
  printf("  %12s s  give up: %s after %u unanswered probe%s\n", t,
         ka_close_reason_name(ex->giveup.reason), sent, sent == 1 ? "" : "s");
  printf("  %12s    on the wire: %s\n", "",
         ex->giveup.send_rst ? "RST+ACK, seq=SND.NXT" : "nothing (no RST is sent)");
  if (ex->giveup.later_recv_eof)
    printf("  %12s    application: a pending recv/send fails with %s; after that recv returns 0 "
           "(end of stream) and send fails with %s\n",
           "", pending, later);
  else
    printf("  %12s    application: a pending recv/send fails with %s; later calls fail with %s\n",
           "", pending, later);
  printf("\nDetection time: %s s (%s) after the last segment received.\n", t, human);
  if (ex->slack > 0) {
    g_autofree char *late = ks_format_seconds(ex->giveup_at + ex->slack);
    g_autofree char *slack = ks_format_seconds(ex->slack);
    uint64_t hz = 0;
    ka_params_get(host->params, "hz", &hz);
    printf("On a real kernel (HZ %" G_GUINT64_FORMAT "), the timer wheel fires each timer up to "
           "one step of its level late:\nthe give-up comes between %s s and %s s (up to %s s "
           "late), where the host's jiffies counter puts it.\n",
           hz, t, late, slack);
  }
}

static void json_err(JsonBuilder *b, const char *key, const ka_profile *p, int err) {
  json_builder_set_member_name(b, key);
  json_builder_begin_object(b);
  ks_json_str(b, "name", ka_profile_errname(p, err));
  ks_json_int(b, "number", ka_profile_errnum(p, err));
  json_builder_end_object(b);
}

static void print_json(const ks_cli_host *host, const explained *ex) {
  const ka_profile *p = host->profile;
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "profile");
  json_builder_add_string_value(b, ka_profile_name(p));
  json_builder_set_member_name(b, "settings");
  json_builder_begin_object(b);
  size_t n;
  const ka_param_info *t = ka_params_table(p, &n);
  for (size_t i = 0; i < n; i++) {
    uint64_t v = 0;
    ka_params_get(host->params, t[i].name, &v);
    json_builder_set_member_name(b, t[i].name);
    json_builder_add_int_value(b, (gint64)v);
  }
  json_builder_end_object(b);
  json_builder_set_member_name(b, "socket_options");
  json_builder_begin_array(b);
  for (guint i = 0; i < host->sockopts->len; i++)
    json_builder_add_string_value(b, host->sockopts->pdata[i]);
  json_builder_end_array(b);
  ks_json_bool(b, "keepalive_enabled", ex->cfg.enabled);
  ks_json_seconds(b, "idle_s", ex->cfg.idle);
  ks_json_seconds(b, "interval_s", ex->cfg.intvl);
  json_builder_set_member_name(b, "probe_count");
  json_builder_add_int_value(b, ex->cfg.cnt);
  ks_json_bool(b, "detected", ex->detected);
  json_builder_set_member_name(b, "probes");
  json_builder_begin_array(b);
  for (guint i = 0; i < ex->probes->len; i++) {
    json_builder_begin_object(b);
    ks_json_seconds(b, "t_s", g_array_index(ex->probes, ka_time, i));
    ks_json_int(b, "payload_bytes", ex->probe_payload);
    json_builder_set_member_name(b, "seq");
    json_builder_add_string_value(b, "SND.NXT-1");
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "give_up");
  if (!ex->detected) {
    json_builder_add_null_value(b);
    json_builder_set_member_name(b, "never_detected_because");
    json_builder_add_string_value(b, ex->never_why);
  } else {
    json_builder_begin_object(b);
    ks_json_seconds(b, "t_s", ex->giveup_at);
    /* The window Linux's timer wheel gives it (equal to t_s elsewhere). */
    ks_json_seconds(b, "earliest_s", ex->giveup_at);
    ks_json_seconds(b, "latest_s", ex->giveup_at + ex->slack);
    json_builder_set_member_name(b, "reason");
    json_builder_add_string_value(b, ka_close_reason_name(ex->giveup.reason));
    ks_json_bool(b, "rst_sent", ex->giveup.send_rst);
    json_err(b, "error_pending", p, ex->giveup.err_pending);
    json_err(b, "error_later", p, ex->giveup.err_later);
    ks_json_bool(b, "later_recv_eof", ex->giveup.later_recv_eof);
    json_builder_end_object(b);
  }
  json_builder_set_member_name(b, "notes");
  json_builder_begin_array(b);
  for (guint i = 0; i < host->notes->len; i++)
    json_builder_add_string_value(b, host->notes->pdata[i]);
  json_builder_end_array(b);
  json_builder_end_object(b);
  g_autofree char *text = ks_json_finish(b);
  printf("%s\n", text);
}

int ks_cmd_explain(int argc, char **argv) {
  g_autofree char *profile = NULL, *registry = NULL;
  g_auto(GStrv) sets = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    {"profile", 'p', 0, G_OPTION_ARG_STRING, &profile, "Profile (see kasim profiles)", "P"},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, "A registry value, sysctl or socket option",
     "NAME=VALUE"},
    {"registry", 'r', 0, G_OPTION_ARG_FILENAME, &registry, "A Windows .reg export", "FILE.reg"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON instead of text", NULL},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new("- one idle connection whose peer vanishes");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  if (ok && argc > 1)
    g_set_error(&error, KS_CLI_ERROR, 0, "unexpected argument '%s'", argv[1]), ok = FALSE;
  if (ok && profile == NULL)
    g_set_error(&error, KS_CLI_ERROR, 0, "--profile is required (one of: %s)", ka_profile_names()),
      ok = FALSE;
  ks_cli_host *host = ok ? ks_cli_host_new(profile, registry, sets, &error) : NULL;
  if (host == NULL) {
    ks_cli_print_error("explain", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  explained ex = {0};
  explain_run(host, &ex);
  if (json)
    print_json(host, &ex);
  else
    print_text(host, &ex);
  g_array_free(ex.probes, TRUE);
  ks_cli_host_free(host);
  return 0;
}
