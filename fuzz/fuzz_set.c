/* fuzz_set.c - libFuzzer harness: what the command line hands the loader
 * and the model as NAME=VALUE or PATH=VALUE text.
 *
 * The input is split at newlines into at most 8 assignments, which are:
 *  - the --set list of `kasim run` on a fixed scenario with hosts of two
 *    families, a middlebox, two groups and a timeline (so that paths like
 *    hosts.xp.settings.KeepAliveTime, groups.1.sockopts.TCP_KEEPCNT and
 *    timeline.0.at reach real nodes), through ks_scenario_load_data();
 *  - each, the --set of explain and capacity: a registry value or sysctl
 *    (ka_params_set_assignment) or a socket option (ks_sockopt_apply) on a
 *    Windows and a Linux host;
 *  - each, a --limit / KASIM_LIMITS entry (ks_limits_set) and a duration
 *    (ks_duration_parse);
 *  - each, through ks_escape, whose output must hold no control character
 *    and be its own escape. */
#include <stdint.h>
#include <string.h>

#include "ks_scenario.h"
#include "ks_sockopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scenario[] =
  "duration: 2h\n"
  "hosts:\n"
  "  xp: {profile: windows-xp, settings: {KeepAliveTime: 300s}}\n"
  "  lin: {profile: linux}\n"
  "  r: {profile: freebsd}\n"
  "links:\n"
  "  a: {between: [xp, r], delay: 1ms, bandwidth: 10Mbit}\n"
  "  b: {between: [r, lin], delay: 2ms, loss: 0.01}\n"
  "middleboxes:\n"
  "  nat: {preset: aws-nat, link: b}\n"
  "groups:\n"
  "  - {name: g, count: 3, client: xp, server: lin, sockopts: {SIO_KEEPALIVE_VALS: [1, 30000, "
  "1000]}}\n"
  "  - name: h\n"
  "    client: lin\n"
  "    server: xp\n"
  "    keepalive: both\n"
  "    sockopts: {TCP_KEEPIDLE: 60}\n"
  "    traffic: {kind: periodic, period: 30s}\n"
  "timeline:\n"
  "  - {at: 10m, link_down: a}\n"
  "  - {at: 20m, flap: {link: b, period: 60s, duty: 0.5, duration: 10m}}\n"
  "  - {at: 1h, middlebox_timeout: {middlebox: nat, idle_timeout: 60s}}\n";

static void check_escape(const char *s) {
  char *e = ks_escape(s), *e2 = ks_escape(e);
  for (const char *p = e; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      __builtin_trap();
  if (strcmp(e, e2) != 0 || !g_utf8_validate(e, -1, NULL))
    __builtin_trap();
  g_free(e);
  g_free(e2);
}

static void on_host(const char *profile, const char *assignment) {
  ka_params *params = ka_params_new(ka_profile_find(profile));
  ka_sock *sock = ka_sock_new(params, KA_SOCK_STREAM, 0);
  GError *error = NULL;
  const char *eq = strchr(assignment, '=');
  if (eq && eq != assignment) {
    char *name = g_strndup(assignment, (gsize)(eq - assignment));
    if (ks_sockopt_is_known(name) && !ks_sockopt_apply(sock, name, eq + 1, &error))
      g_clear_error(&error);
    g_free(name);
  }
  if (!ka_params_set_assignment(params, assignment, &error))
    g_clear_error(&error);
  ka_sock_free(sock);
  ka_params_free(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = g_strndup((const char *)data, size); /* stops at a NUL, as argv would */
  char **lines = g_strsplit(text, "\n", 9);
  if (g_strv_length(lines) > 8) { /* the 9th holds the rest: dropped */
    g_free(lines[8]);
    lines[8] = NULL;
  }
  ks_limits lim;
  ks_limits_init(&lim);
  GError *error = NULL;
  ks_scenario *sc = ks_scenario_load_data("fuzz.yaml", scenario, sizeof scenario - 1, lines, &lim,
                                          &error);
  if (sc)
    ks_scenario_free(sc);
  else {
    check_escape(error->message);
    for (const char *p = error->message; *p; p++)
      if ((unsigned char)*p < 0x20)
        __builtin_trap();
    g_clear_error(&error);
  }
  for (guint i = 0; lines[i]; i++) {
    on_host("windows-vista", lines[i]);
    on_host("linux", lines[i]);
    ks_limits l2;
    ks_limits_init(&l2);
    if (!ks_limits_set(&l2, lines[i], "--limit", &error))
      g_clear_error(&error);
    ka_time t;
    if (ks_duration_parse(lines[i], &t) && t < 0)
      __builtin_trap();
    check_escape(lines[i]);
  }
  g_strfreev(lines);
  g_free(text);
  return 0;
}
