/* ks_cmd_capacity.c - `kasim capacity`: the planner's what-if.  Closed
 * form (analysis/ks_capacity.h) for N idle connections with one host's
 * settings, and, given a run, what the simulation measured beside it and
 * why the two differ. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ks_afile.h"
#include "ks_capacity.h"
#include "ks_json.h"
#include "ks_cli.h"
#include "ks_metrics.h"
#include "ks_plot.h"
#include "ks_limits.h"
#include "ks_scenario.h"

/* 1234567.891 -> "1,234,567.89": whole numbers without decimals. */
static char *num(double v) {
  if (isnan(v))
    return g_strdup("never");
  gboolean whole = v == floor(v) || fabs(v) >= 1e6;
  char digits[48];
  g_snprintf(digits, sizeof digits, whole ? "%.0f" : "%.2f", v);
  char *dot = strchr(digits, '.');
  size_t int_len = dot ? (size_t)(dot - digits) : strlen(digits);
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < int_len; i++) {
    if (i > 0 && (int_len - i) % 3 == 0 && g_ascii_isdigit(digits[i - 1]))
      g_string_append_c(s, ',');
    g_string_append_c(s, digits[i]);
  }
  if (dot)
    g_string_append(s, dot);
  return g_string_free(s, FALSE);
}

/* Octets per second as a link speed: "8.96 Mbit/s", "3.84 bit/s". */
static char *bits(double bytes_per_s) {
  static const char *const units[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
  double b = bytes_per_s * 8;
  guint u = 0;
  while (b >= 1000 && u + 1 < G_N_ELEMENTS(units))
    b /= 1000, u++;
  return g_strdup_printf("%.3g %s", b, units[u]);
}

static char *secs(double v) {
  if (isnan(v))
    return g_strdup("never");
  return g_strdup_printf("%.6g s", v);
}

static void line3(const char *what, const char *closed, const char *sim, const char *how) {
  printf("  %-34s %-24s %-24s %s\n", what, closed, sim ? sim : "", how ? how : "");
}

/* The run's connections, the profile most of them report with. */
static const char *run_profile(const ks_run_metrics *m) {
  guint best = 0;
  const char *p = NULL;
  for (guint i = 0; i < m->groups->len; i++) {
    const ks_group_metrics *g = m->groups->pdata[i];
    if (g->connections > best)
      best = g->connections, p = g->profile;
  }
  return p;
}

/* Which of the closed form's cases a run's failures were, from how its
 * connections closed: mostly by an RST (a rebooted peer, or a middlebox's
 * RST), or mostly on their own timers (a silent peer). */
static gboolean run_was_reset(const ks_run_metrics *m) {
  return m->resets > m->keepalive_timeouts + m->retransmission_timeouts + m->user_timeouts;
}

/* "a s to b s after it", or "never". */
static char *window(double from, double to) {
  if (isnan(from) || isnan(to))
    return g_strdup("never");
  return g_strdup_printf("%.6g s to %.6g s after it", from, to);
}

/* One failure's rows: the closed form's figures and formulas, and the
 * run's beside them (sim: worst, mean, peak, window; NULL for none). */
typedef struct failure_rows {
  const char *title, *storm;
  double worst, mean, from, to;
  const char *f_worst, *f_mean, *f_window;
} failure_rows;

static void print_failure(const failure_rows *f, const char *rate, const char *all,
                          char *const sim[4]) {
  printf("  %s\n", f->title);
  g_autofree char *worst = secs(f->worst), *mean = secs(f->mean);
  line3("worst-case detection", worst, sim[0], f->f_worst);
  line3("mean detection", mean, sim[1], f->f_mean);
  if (isnan(f->worst)) /* never detected: no storm either */
    return;
  line3(f->storm, rate, sim[2], "N / idle, phases spread over idle");
  g_autofree char *from = window(f->from, f->to);
  line3("  ... lasting", from, sim[3], f->f_window);
  line3("  ... if all in phase", all, NULL, "connections opened together, idle since");
}

static void print_report(const ks_cli_host *host, const ks_capacity *c, const ks_run_metrics *m,
                         const char *run_dir) {
  const ka_profile *p = host->profile;
  g_autofree char *n = num(c->connections);
  printf("kasim capacity: %s idle connection%s, %s (%s)\n", n, c->connections == 1 ? "" : "s",
         ka_profile_name(p), ka_profile_description(p));
  printf("Effective keep-alive: %s, idle %.6g s, interval %.6g s, %u probes; probe payload %u "
         "octet%s\n",
         c->probing ? "on" : "OFF", c->idle_s, c->intvl_s, c->cnt, c->probe_payload,
         c->probe_payload == 1 ? " (0x00)" : "s");
  printf("On the wire, per probe and per ACK: %u and %u octets of Ethernet (14 header + 20 IPv4 "
         "+ 20 TCP + payload, padded to 60, + 4 FCS + 8 preamble + 12 gap); %u and %u at IP\n\n",
         c->probe_wire, c->ack_wire, c->probe_ip, c->ack_ip);
  if (!c->probing) {
    printf("No keep-alive probes are sent with these settings: nothing on the wire, and a dead "
           "peer is never detected by keep-alive.\n");
    return;
  }
  double scale = m && m->connections > 0 ? c->connections / m->connections : NAN;
  line3("", "closed form", m ? "simulated, scaled" : NULL, m ? "formula" : "formula");
  g_autofree char *pps = num(c->probes_per_s);
  g_autofree char *sim_pps = m ? num(m->probes_per_s * scale) : NULL;
  g_autofree char *f_pps = g_strdup_printf("N / idle = %s / %.6g", n, c->idle_s);
  line3("probes/s", pps, sim_pps, f_pps);
  g_autofree char *bps = num(c->wire_bytes_per_s);
  g_autofree char *bbits = bits(c->wire_bytes_per_s);
  g_autofree char *bps2 = g_strdup_printf("%s (%s)", bps, bbits);
  g_autofree char *sim_b = m ? num(m->probe_bytes_per_s * scale) : NULL;
  g_autofree char *sim_bits = m ? bits(m->probe_bytes_per_s * scale) : NULL;
  g_autofree char *sim_b2 = m ? g_strdup_printf("%s (%s)", sim_b, sim_bits) : NULL;
  g_autofree char *f_b = g_strdup_printf("probes/s x (%u + %u)", c->probe_wire, c->ack_wire);
  line3("bytes/s on the wire", bps2, sim_b2, f_b);
  g_autofree char *ipb = num(c->ip_bytes_per_s);
  g_autofree char *f_ip = g_strdup_printf("probes/s x (%u + %u)", c->probe_ip, c->ack_ip);
  line3("bytes/s at IP", ipb, NULL, f_ip);
  /* Two failures, two sets of figures; the run's beside the one its
   * connections met (run_was_reset). */
  gboolean reset = m && run_was_reset(m);
  g_autofree char *sim_w = m ? secs(m->latency_max_s) : NULL;
  g_autofree char *sim_mean = m ? secs(m->latency_mean_s) : NULL;
  g_autofree char *sim_peak = m ? num(m->peak_giveups_per_s * scale) : NULL;
  g_autofree char *sim_p2 = m ? g_strdup_printf("%s/s", sim_peak) : NULL;
  g_autofree char *sim_window = m && m->latency && ks_dist_count(m->latency) > 0
                                  ? g_strdup_printf("%.3g s to %.6g s", ks_dist_min(m->latency),
                                                    m->latency_max_s)
                                  : NULL;
  g_autofree char *rate = num(c->probes_per_s); /* N / idle, both storms' rate */
  g_autofree char *r2 = g_strdup_printf("%s/s", rate);
  g_autofree char *all = g_strdup_printf("%s at once", n);
  char *sim[4] = {sim_w, sim_mean, sim_p2, sim_window}, *none[4] = {NULL};
  g_autofree char *f_w = g_strdup_printf("idle + count x interval = %.6g + %u x %.6g", c->idle_s,
                                         c->cnt, c->intvl_s);
  const failure_rows silent = {
    "A silent peer (a crash, a cut cable, a middlebox that drops): no probe is answered",
    "peak reconnects after an outage",
    c->detect_worst_s,
    c->detect_mean_s,
    c->storm_start_s,
    c->storm_start_s + c->storm_len_s,
    f_w,
    "worst - idle / 2 (failure uniform in the cycle)",
    "worst - idle to worst"};
  print_failure(&silent, r2, all, reset ? none : sim);
  const failure_rows reboot = {
    "A rebooted peer: the first probe after the reboot is answered with an RST (RFC 9293 "
    "3.10.7.1)",
    "peak reconnects after the reboot",
    c->reboot_worst_s,
    c->reboot_mean_s,
    c->reboot_best_s,
    c->reboot_worst_s,
    "idle: the next probe is reset, not count x interval later",
    "idle / 2 (reboot uniform in the cycle)",
    "0 to idle"};
  print_failure(&reboot, r2, all, reset ? sim : none);
  if (c->flap_s > 0) {
    printf("  An outage of %.6g s that then heals\n", c->flap_s);
    g_autofree char *killed = num(round(c->flap_killed));
    g_autofree char *k2 = g_strdup_printf("%s (%.3g%%)", killed, c->flap_fraction * 100);
    g_autofree char *f = g_strdup_printf("N x (D - (count-1) x interval) / idle, D = %.6g s",
                                         c->flap_s);
    g_autofree char *what = g_strdup_printf("killed by a %.6g s outage", c->flap_s);
    line3(what, k2, NULL, f);
    if (c->flap_killed > 0) {
      g_autofree char *rate = num(c->storm_rate_per_s);
      g_autofree char *over = g_strdup_printf("%s/s for %.6g s", rate, c->flap_window_s);
      line3("  ... reconnecting at", over, NULL, "N / idle over the killing window");
      if (!isnan(c->flap_after_heal)) {
        g_autofree char *late = num(round(c->flap_after_heal));
        line3("  ... giving up after it heals", late, NULL,
              "N x min(interval, window) / idle: false give-ups");
      }
    }
  }
  if (m == NULL)
    return;

  /* Why the columns differ: the closed form is a steady state; a run is
   * one history, with a start, a failure and an end. */
  printf("\nSimulated: %s (%u connections, %.6g s of virtual time), scaled by %s / %u.\n", run_dir,
         m->connections, m->virtual_time_s, n, m->connections);
  const char *rp = run_profile(m);
  if (rp && strcmp(rp, ka_profile_name(p)) != 0)
    printf("  Note: most of the run's connections report as %s, not %s: the columns compare "
           "different systems.\n",
           rp, ka_profile_name(p));
  double expect = c->probes_per_s / c->connections * m->connections;
  printf("Why they differ:\n");
  if (m->probes_per_s > 0 || expect > 0) {
    printf("  probes/s: the run averages %.6g probes/s over its %.6g s against %.6g/s in steady "
           "state (ratio %.3g).  Of its %" G_GUINT64_FORMAT " probes %" G_GUINT64_FORMAT
           " were answered.\n",
           m->probes_per_s, m->virtual_time_s, expect, expect > 0 ? m->probes_per_s / expect : NAN,
           m->wire_probes, m->wire_probe_acks);
    printf("    - each connection is silent for its first idle period (%.6g s of the %.6g s) "
           "before it probes at all;\n",
           c->idle_s, m->virtual_time_s);
    /* What the run's connections did after their failure, from their
     * close reasons, not assumed. */
    if (m->keepalive_timeouts > 0)
      printf("    - %u connection%s gave up on keep-alive: after the failure each sent its %u "
             "probes %.6g s apart, unanswered (no ACK octets), then stopped for good;\n",
             m->keepalive_timeouts, m->keepalive_timeouts == 1 ? "" : "s", c->cnt, c->intvl_s);
    if (m->resets > 0)
      printf("    - %u connection%s %s reset: a segment (a probe) was answered with an RST (the "
             "peer had rebooted, or a middlebox forged it), so %s at once instead of sending "
             "all %u probes;\n",
             m->resets, m->resets == 1 ? "" : "s", m->resets == 1 ? "was" : "were",
             m->resets == 1 ? "it closed" : "they closed", c->cnt);
    printf("    - a healthy cycle is idle plus one round trip, slightly longer than idle.\n");
  }
  if (!isnan(m->latency_max_s))
    printf("  detection: the run's connections %s, so it stands beside the %s peer's figures; "
           "its slowest noticed %.6g s after the failure, against %.6g s for a failure just "
           "after the last segment received (round trips neglected).\n",
           reset ? "were reset by an RST" : "gave up on their own timers",
           reset ? "rebooted" : "silent", m->latency_max_s,
           reset ? c->reboot_worst_s : c->detect_worst_s);
  else
    printf("  detection: the run detected no failure, so there is nothing to compare.\n");
  if (m->peak_giveups_per_s > 0) {
    /* How the run's give-ups were spread, measured: one-second bins from
     * the first to the last. */
    guint span = m->giveups_span_s;
    guint32 closes = m->keepalive_timeouts + m->retransmission_timeouts + m->user_timeouts +
                     m->resets;
    double mean = span > 0 ? (double)closes / span : 0;
    printf("  reconnects: the closed form spreads phases evenly over one idle period; in the "
           "run %u give-up%s came over %u second%s from %.6g s, the busiest second holding %u",
           closes, closes == 1 ? "" : "s", span, span == 1 ? "" : "s", m->giveups_start_s,
           m->peak_giveups_per_s);
    if (closes <= 1)
      printf(".\n");
    else if (span <= 1)
      printf(": all in one second, so their phases were aligned (the connections were opened "
             "together and idle since).\n");
    else if (m->peak_giveups_per_s > 3 * mean)
      printf(", %.3g times the average: part of them shared a phase.\n",
             m->peak_giveups_per_s / mean);
    else
      printf(", near the average of %.3g: their phases were spread, as the closed form "
             "assumes.\n",
             mean);
  }
}

/* The settings a --run folder records (the group with the most
 * connections), or NULL for a run older than issue 20.  FALSE with an
 * error when its groups disagree: one closed form cannot stand for both. */
static gboolean run_settings(const ks_run_metrics *m, const char *dir, const ks_group_metrics **out,
                             GError **error) {
  *out = NULL;
  for (guint i = 0; i < m->groups->len; i++) {
    const ks_group_metrics *g = m->groups->pdata[i];
    if (!g->ka_known)
      continue;
    if (*out == NULL || g->connections > (*out)->connections)
      *out = g;
  }
  for (guint i = 0; *out && i < m->groups->len; i++) {
    const ks_group_metrics *g = m->groups->pdata[i], *b = *out;
    if (g->ka_known && (g_strcmp0(g->ka_profile, b->ka_profile) != 0 ||
                        g->ka_probing != b->ka_probing || g->ka_idle_s != b->ka_idle_s ||
                        g->ka_intvl_s != b->ka_intvl_s || g->ka_cnt != b->ka_cnt)) {
      g_set_error(error, KS_CLI_ERROR, 0,
                  "--run %s: its groups use different keep-alive "
                  "settings (%s: %s, idle %g s, interval %g s, %u probes; %s: %s, idle %g s, "
                  "interval %g s, %u probes); the closed form models one",
                  dir, b->name, b->ka_profile, b->ka_idle_s, b->ka_intvl_s, b->ka_cnt, g->name,
                  g->ka_profile, g->ka_idle_s, g->ka_intvl_s, g->ka_cnt);
      return FALSE;
    }
  }
  return TRUE;
}

/* The first difference between the settings asked about and the run's,
 * as "what: asked X, the run Y"; NULL when they agree. */
static char *settings_difference(const ka_cfg *c, const ks_group_metrics *g) {
  const char *p = ka_profile_name(c->profile);
  gboolean probing = c->enabled && !c->never_probes;
  if (g_strcmp0(p, g->ka_profile) != 0)
    return g_strdup_printf("profile: %s asked, the run's is %s", p, g->ka_profile);
  if (probing != g->ka_probing)
    return g_strdup_printf("keep-alive: %s asked, %s in the run", probing ? "on" : "off",
                           g->ka_probing ? "on" : "off");
  if (c->idle / 1e9 != g->ka_idle_s)
    return g_strdup_printf("idle time: %g s asked, %g s in the run", c->idle / 1e9, g->ka_idle_s);
  if (c->intvl / 1e9 != g->ka_intvl_s)
    return g_strdup_printf("probe interval: %g s asked, %g s in the run", c->intvl / 1e9,
                           g->ka_intvl_s);
  if (c->cnt != g->ka_cnt)
    return g_strdup_printf("probe count: %u asked, %u in the run", c->cnt, g->ka_cnt);
  return NULL;
}

/* A middlebox preset's idle timeout, from the scenario loader's own table
 * (docs/scenarios.md), by loading a scenario that holds just that box. */
static gboolean preset_timeout(const char *name, ka_time *out, GError **error) {
  g_autofree char *shown = ks_escape(name);
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') {
      g_set_error(error, KS_CLI_ERROR, 0, "--middlebox %s: not a preset name", shown);
      return FALSE;
    }
  g_autofree char *yaml = g_strdup_printf(
    "name: preset\nduration: 1s\nhosts:\n  a: {profile: linux}\n  b: {profile: linux}\n"
    "links:\n  l: {between: [a, b], delay: 1ms}\nmiddleboxes:\n  m: {preset: %s, link: l}\n"
    "groups:\n  - {name: g, client: a, server: b}\n",
    name);
  GError *e = NULL;
  ks_scenario *sc = ks_scenario_load_data("--middlebox", yaml, strlen(yaml), NULL, NULL, &e);
  if (sc == NULL || sc->middleboxes == NULL || sc->middleboxes->len != 1) {
    /* The loader's "(presets: a, b, ...)" is the list to offer. */
    const char *list = e ? strstr(e->message, "(presets:") : NULL;
    g_set_error(error, KS_CLI_ERROR, 0, "--middlebox %s: not a preset%s%s", shown, list ? " " : "",
                list ? list : "");
    g_clear_error(&e);
    if (sc)
      ks_scenario_free(sc);
    return FALSE;
  }
  *out = ((ks_middlebox_spec *)sc->middleboxes->pdata[0])->idle_timeout;
  ks_scenario_free(sc);
  return TRUE;
}

int ks_cmd_capacity(int argc, char **argv) {
  g_autofree char *profile = NULL, *registry = NULL, *conns_text = NULL, *flap_text = NULL;
  g_autofree char *run_dir = NULL, *plot_dir = NULL, *mb_text = NULL, *mb_idle_text = NULL;
  gboolean as_json = FALSE;
  g_autofree char *mb_warning = NULL;
  g_auto(GStrv) sets = NULL;
  GOptionEntry entries[] = {
    {"connections", 'n', 0, G_OPTION_ARG_STRING, &conns_text, "Idle connections (required)", "N"},
    {"profile", 'p', 0, G_OPTION_ARG_STRING, &profile,
     "Profile of the probing side (required, unless --run gives it)", "P"},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, "A registry value, sysctl or socket option",
     "NAME=VALUE"},
    {"registry", 'r', 0, G_OPTION_ARG_FILENAME, &registry, "A Windows .reg export", "FILE.reg"},
    {"flap", 0, 0, G_OPTION_ARG_STRING, &flap_text, "Also: an outage this long that heals",
     "DURATION"},
    {"run", 0, 0, G_OPTION_ARG_FILENAME, &run_dir, "A run folder to compare with", "DIR"},
    {"plot", 0, 0, G_OPTION_ARG_FILENAME, &plot_dir, "Write capacity.png and .svg here", "DIR"},
    {"middlebox", 0, 0, G_OPTION_ARG_STRING, &mb_text,
     "A middlebox on the path, by preset (aws-nat, azure-lb, ...: docs/scenarios.md)", "PRESET"},
    {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &mb_idle_text,
     "A middlebox on the path that forgets a connection idle this long", "DURATION"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the figures as one JSON object", NULL},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(
    "- probes/s, bytes/s, detection and reconnect storms for N clients");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  guint64 n = 0;
  ka_time flap = 0;
  ks_cli_host *host = NULL, *defaults = NULL;
  ks_run_metrics *m = NULL;
  ks_plot_images im = {0};
  if (ok && argc > 1)
    g_set_error(&error, KS_CLI_ERROR, 0, "unexpected argument '%s'", argv[1]), ok = FALSE;
  if (ok && conns_text == NULL)
    g_set_error(&error, KS_CLI_ERROR, 0, "--connections is required"), ok = FALSE;
  if (ok && (!g_ascii_string_to_unsigned(conns_text, 10, 1, G_MAXUINT32, &n, NULL)))
    g_set_error(&error, KS_CLI_ERROR, 0, "--connections %s: not a whole number from 1 to %u",
                conns_text, G_MAXUINT32),
      ok = FALSE;
  if (ok && flap_text && (!ks_duration_parse(flap_text, &flap) || flap <= 0))
    g_set_error(&error, KS_CLI_ERROR, 0, "--flap %s: not a duration with a unit (30s, 2m)",
                flap_text),
      ok = FALSE;
  ka_time mb_idle = 0; /* 0: no middlebox */
  if (ok && mb_text && mb_idle_text)
    g_set_error(&error, KS_CLI_ERROR, 0,
                "--middlebox and --idle-timeout: give one (a preset "
                "is an idle timeout)"),
      ok = FALSE;
  if (ok && mb_text)
    ok = preset_timeout(mb_text, &mb_idle, &error);
  if (ok && mb_idle_text && (!ks_duration_parse(mb_idle_text, &mb_idle) || mb_idle <= 0)) {
    g_autofree char *shown = ks_escape(mb_idle_text);
    g_set_error(&error, KS_CLI_ERROR, 0,
                "--idle-timeout %s: not a duration above 0 with a unit "
                "(350s, 4m)",
                shown),
      ok = FALSE;
  }
  /* A run's own settings (issue 20): taken when nothing else is asked,
   * compared when something is, so that the two columns always describe
   * the same sockets. */
  const ks_group_metrics *rs = NULL;
  if (ok && run_dir)
    ok = (m = ks_metrics_load(run_dir, &error)) != NULL && run_settings(m, run_dir, &rs, &error);
  gboolean asked = profile != NULL || registry != NULL || (sets && sets[0]);
  if (ok && profile == NULL && rs == NULL)
    g_set_error(&error, KS_CLI_ERROR, 0, "--profile is required (one of: %s)%s", ka_profile_names(),
                m ? "; this run records no settings (made before kasim "
                    "run recorded them)"
                  : ""),
      ok = FALSE;
  if (ok)
    ok = (host = ks_cli_host_new(profile ? profile : rs->ka_profile, registry, sets, &error)) !=
         NULL;
  ks_capacity c = {0};
  ka_cfg cfg;
  if (ok) {
    ka_sock_cfg(host->sock, &cfg);
    if (rs && !asked) {
      cfg.idle = (ka_time)llround(rs->ka_idle_s * 1e9);
      cfg.intvl = (ka_time)llround(rs->ka_intvl_s * 1e9);
      cfg.cnt = rs->ka_cnt;
      cfg.jiffies.hz = rs->ka_hz;
      if (!rs->ka_probing)
        cfg.enabled = FALSE;
    } else if (rs) {
      g_autofree char *diff = settings_difference(&cfg, rs);
      if (diff) {
        g_set_error(&error, KS_CLI_ERROR, 0,
                    "--run %s: the run was made with other keep-alive "
                    "settings (%s); leave out --profile, --set and --registry to take the run's",
                    run_dir, diff);
        ok = FALSE;
      }
    }
  }
  if (ok)
    ks_capacity_compute(&cfg, (double)n, flap, &c);
  if (ok && plot_dir) {
    /* The settings asked about, the profile's defaults beside them, and
     * what the run measured: three lines on one picture. */
    profile = profile ? profile : g_strdup(ka_profile_name(host->profile));
    defaults = ks_cli_host_new(profile, NULL, NULL, &error);
    ok = defaults != NULL;
    ks_overhead_series s[3];
    guint ns = 0;
    ka_cfg dcfg;
    ks_capacity dc = {0};
    g_autofree char *l0 = NULL, *l1 = NULL, *l2 = NULL;
    if (ok) {
      ka_sock_cfg(defaults->sock, &dcfg);
      ks_capacity_compute(&dcfg, (double)n, 0, &dc);
      l0 = g_strdup_printf("%s, idle %.6g s", profile, c.idle_s);
      s[ns++] = (ks_overhead_series){.label = l0,
                                     .bytes_per_conn_s = c.wire_bytes_per_s / n,
                                     .mark_n = (double)n};
      if (dc.idle_s != c.idle_s) {
        l1 = g_strdup_printf("%s defaults, idle %.6g s", profile, dc.idle_s);
        s[ns++] = (ks_overhead_series){.label = l1, .bytes_per_conn_s = dc.wire_bytes_per_s / n};
      }
      if (m && m->connections > 0 && m->probe_bytes_per_s > 0) {
        l2 = g_strdup_printf("simulated: %s", m->scenario);
        s[ns++] = (ks_overhead_series){.label = l2,
                                       .bytes_per_conn_s = m->probe_bytes_per_s / m->connections,
                                       .mark_n = m->connections};
      }
      g_autofree char *title = g_strdup_printf("Keep-alive traffic of idle %s clients", profile);
      ok = ks_plot_overhead(title,
                            "closed form: N / idle probes per second, each probe and its ACK 84 "
                            "octets of Ethernet",
                            s, ns, &im, &error);
    }
  }
  int status = 0;
  if (!ok) {
    ks_cli_print_error("capacity", error);
    g_error_free(error);
    status = KS_EXIT_USAGE;
    goto done;
  }
  if (plot_dir) {
    ks_afile_install_signal_handlers();
    ks_afile *f[2] = {NULL, NULL};
    gboolean wrote = g_mkdir_with_parents(plot_dir, 0755) == 0;
    if (!wrote) {
      int err = errno;
      g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", plot_dir,
                  g_strerror(err));
    }
    for (int k = 0; wrote && k < 2; k++) {
      f[k] = ks_afile_open(plot_dir, k ? "capacity.svg" : "capacity.png", &error);
      gsize len;
      const void *data = f[k] ? g_bytes_get_data(k ? im.svg : im.png, &len) : NULL;
      wrote = f[k] != NULL && fwrite(data, 1, len, ks_afile_stream(f[k])) == len;
    }
    if (wrote) {
      wrote = ks_afile_commit(f[0], &error);
      f[0] = NULL;
      if (wrote)
        wrote = ks_afile_commit(f[1], &error);
      f[1] = NULL;
    }
    ks_afile_abort(f[0]);
    ks_afile_abort(f[1]);
    if (!wrote) {
      if (error == NULL) {
        int err = errno;
        g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", plot_dir,
                    g_strerror(err));
      }
      /* 2 when the folder is the user's to fix, 3 when the machine failed
       * (a full disk); docs/limits.md. */
      gboolean users = error->domain == G_FILE_ERROR &&
                       (error->code == G_FILE_ERROR_ACCES || error->code == G_FILE_ERROR_PERM ||
                        error->code == G_FILE_ERROR_ROFS || error->code == G_FILE_ERROR_NOTDIR ||
                        error->code == G_FILE_ERROR_NOENT || error->code == G_FILE_ERROR_EXIST ||
                        error->code == G_FILE_ERROR_ISDIR);
      if (users)
        g_prefix_error(&error, "--plot: ");
      ks_cli_print_error("capacity", error);
      g_error_free(error);
      status = users ? KS_EXIT_USAGE : 3;
      goto done;
    }
  }
  /* Keep-alive that waits longer than the middlebox remembers cannot keep
   * the connection: the box forgets it before the first probe. */
  if (mb_idle > 0) {
    g_autofree char *who = mb_text ? g_strdup_printf("the middlebox (%s)", mb_text)
                                   : g_strdup("the middlebox");
    double t = mb_idle / 1e9;
    if (!c.probing)
      mb_warning = g_strdup_printf("keep-alive sends no probes, and %s forgets a connection idle "
                                   "for %g s: every idle connection is dropped by it",
                                   who, t);
    else if (c.idle_s >= t)
      mb_warning = g_strdup_printf("keep-alive waits %g s before its first probe, but %s forgets "
                                   "a connection idle for %g s: every idle connection is dropped "
                                   "by it before a probe can refresh it; set the idle time below "
                                   "%g s",
                                   c.idle_s, who, t, t);
  }
  if (as_json) {
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    ks_json_int(b, "connections", (gint64)n);
    ks_json_str(b, "profile", ka_profile_name(host->profile));
    ks_json_str(b, "settings_from", rs && !asked ? "run" : "command line");
    ks_json_bool(b, "probing", c.probing);
    json_builder_set_member_name(b, "idle_s");
    json_builder_add_double_value(b, c.idle_s);
    json_builder_set_member_name(b, "interval_s");
    json_builder_add_double_value(b, c.intvl_s);
    ks_json_int(b, "count", c.cnt);
    ks_json_int(b, "probe_wire_octets", c.probe_wire);
    ks_json_int(b, "ack_wire_octets", c.ack_wire);
    const struct {
      const char *k;
      double v;
    } f[] = {{"probes_per_s", c.probes_per_s},         {"wire_bytes_per_s", c.wire_bytes_per_s},
             {"ip_bytes_per_s", c.ip_bytes_per_s},     {"detect_worst_s", c.detect_worst_s},
             {"detect_best_s", c.detect_best_s},       {"detect_mean_s", c.detect_mean_s},
             {"storm_start_s", c.storm_start_s},       {"storm_len_s", c.storm_len_s},
             {"storm_rate_per_s", c.storm_rate_per_s}, {"reboot_worst_s", c.reboot_worst_s},
             {"reboot_best_s", c.reboot_best_s},       {"reboot_mean_s", c.reboot_mean_s}};
    for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
      json_builder_set_member_name(b, f[i].k);
      if (isfinite(f[i].v))
        json_builder_add_double_value(b, f[i].v);
      else
        json_builder_add_null_value(b);
    }
    json_builder_set_member_name(b, "middlebox_idle_timeout_s");
    if (mb_idle > 0)
      json_builder_add_double_value(b, mb_idle / 1e9);
    else
      json_builder_add_null_value(b);
    ks_json_str(b, "warning", mb_warning);
    if (m) {
      json_builder_set_member_name(b, "run");
      json_builder_begin_object(b);
      ks_json_str(b, "dir", run_dir);
      ks_json_int(b, "connections", m->connections);
      json_builder_set_member_name(b, "probes_per_s");
      json_builder_add_double_value(b, m->probes_per_s);
      json_builder_set_member_name(b, "probe_bytes_per_s");
      json_builder_add_double_value(b, m->probe_bytes_per_s);
      /* The case its failures were, and its own figures for it. */
      ks_json_str(b, "case", run_was_reset(m) ? "reboot" : "silent");
      ks_json_int(b, "resets", m->resets);
      ks_json_int(b, "timeouts",
                  (gint64)m->keepalive_timeouts + m->retransmission_timeouts + m->user_timeouts);
      const struct {
        const char *k;
        double v;
      } r[] = {{"latency_min_s", m->latency ? ks_dist_min(m->latency) : NAN},
               {"latency_mean_s", m->latency_mean_s},
               {"latency_max_s", m->latency_max_s},
               {"peak_giveups_per_s", m->peak_giveups_per_s},
               {"giveups_span_s", m->giveups_span_s}};
      for (size_t i = 0; i < G_N_ELEMENTS(r); i++) {
        json_builder_set_member_name(b, r[i].k);
        if (isfinite(r[i].v))
          json_builder_add_double_value(b, r[i].v);
        else
          json_builder_add_null_value(b);
      }
      json_builder_end_object(b);
    }
    json_builder_end_object(b);
    g_autofree char *text = ks_json_finish(b);
    puts(text);
    goto done;
  }
  if (mb_warning)
    printf("WARNING: %s.\n", mb_warning);
  if (rs && !asked)
    printf("Settings from the run (group %s, its reported sockets): %s, idle %g s, interval %g "
           "s, %u probes\n",
           rs->name, rs->ka_profile, rs->ka_idle_s, rs->ka_intvl_s, rs->ka_cnt);
  else if (rs)
    printf("Settings checked against the run (group %s): the same\n", rs->name);
  print_report(host, &c, m, run_dir);
  if (plot_dir)
    printf("\nPlot: %s/capacity.png, %s/capacity.svg\n", plot_dir, plot_dir);
done:
  ks_plot_images_clear(&im);
  ks_cli_host_free(host);
  ks_cli_host_free(defaults);
  ks_metrics_free(m);
  return status;
}
