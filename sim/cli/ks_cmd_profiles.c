/* ks_cmd_profiles.c - `kasim profiles`: the profiles, their defaults, and
 * the Windows releases each one stands for. */
#include <stdio.h>

#include "ks_cli.h"
#include "ks_format.h"

/* Lines of the release list stop before this column. */
#define WRAP_AT 100

static const char *count_source(const ka_profile *p) {
  switch (ka_profile_count_rule(p)) {
  case KA_COUNT_REGISTRY_MAX: return "max(TcpMaxDataRetransmissions, PPTP...)";
  case KA_COUNT_FIXED: return "fixed";
  case KA_COUNT_SOCKOPT: return "fixed, or TCP_KEEPCNT";
  default: return "sysctl, or TCP_KEEPCNT";
  }
}

/* "windows-8.1 (9600), ..." for every release of the profile, wrapped
 * under the release column. */
static void print_releases(const ka_profile *p) {
  size_t n;
  const ka_release *r = ka_profile_releases(&n);
  int col = printf("  %-16s", ka_profile_name(p));
  const int indent = col;
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    if (ka_profile_get(r[i].profile) != p)
      continue;
    char item[64];
    int len = snprintf(item, sizeof item, "%s%s (%u)", first ? " " : ", ", r[i].name, r[i].build);
    if (!first && col + len > WRAP_AT) {
      printf(",\n%*s", indent, "");
      col = indent + printf(" %s (%u)", r[i].name, r[i].build);
    } else {
      col += printf("%s", item);
    }
    first = false;
  }
  printf("\n");
}

int ks_cmd_profiles(int argc, char **argv) {
  GOptionEntry entries[] = {G_OPTION_ENTRY_NULL};
  GOptionContext *ctx = g_option_context_new(
    "- the modelled systems and their keep-alive defaults");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  if (ok && argc > 1)
    g_set_error(&error, KS_CLI_ERROR, 0, "unexpected argument '%s'", argv[1]), ok = FALSE;
  if (!ok) {
    ks_cli_print_error("profiles", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  printf("%-16s %9s %9s %6s  %-40s %11s %5s %4s\n", "profile", "idle", "interval", "probes",
         "probe count from", "dead after", "bytes", "RST");
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++) {
    const ka_profile *p = ka_profile_nth(i);
    ka_params *params = ka_params_new(p);
    ka_time idle = ka_params_keepidle(params), intvl = ka_params_keepintvl(params);
    uint32_t cnt = ka_params_keepcnt(params);
    g_autofree char *si = ks_format_seconds(idle);
    g_autofree char *sv = ks_format_seconds(intvl);
    g_autofree char *sd = ks_format_seconds(idle + (ka_time)cnt * intvl);
    printf("%-16s %7s s %7s s %6u  %-40s %9s s %5u %4s\n", ka_profile_name(p), si, sv, cnt,
           count_source(p), sd, ka_profile_probe_payload(p),
           ka_profile_rst_at_keepalive_giveup(p) ? "yes" : "no");
    ka_params_free(params);
  }
  printf("\n'dead after' is the time from the last segment received to give-up for a "
         "silent peer.\n'bytes' is the probe's payload.  What each profile stands for:\n");
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++) {
    const ka_profile *p = ka_profile_nth(i);
    printf("  %-16s %s\n", ka_profile_name(p), ka_profile_description(p));
  }
  printf("\nWindows releases (build) per profile; a profile may be given by a release's name "
         "too:\n");
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++) {
    const ka_profile *p = ka_profile_nth(i);
    if (ka_profile_is_windows(p))
      print_releases(p);
  }
  printf("\nTunables per profile:\n");
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++) {
    const ka_profile *p = ka_profile_nth(i);
    size_t n;
    const ka_param_info *t = ka_params_table(p, &n);
    printf("  %-16s", ka_profile_name(p));
    for (size_t k = 0; k < n; k++)
      printf("%s%s", k ? ", " : " ", t[k].name);
    printf("\n");
  }
  return 0;
}
