/* ka_params.c - host-wide tunables per profile, set by name with their
 * real ranges.  Out-of-range values are refused, never clamped. */
#include "kasim/ka_params.h"

#include <stdlib.h>
#include <string.h>

#include "kasim/ka_options.h"

#define MAX_PARAMS 6

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ka-params-error-quark, ka_params_error)
// clang-format on

#define REG_SRC "Windows Server 2003 TCP/IP registry reference"

static const ka_param_info windows_params[] = {
  {"KeepAliveTime", KA_UNIT_MS, KA_WIN_KEEPALIVETIME_MIN_MS, KA_WIN_KEEPALIVETIME_MAX_MS,
   KA_WIN_KEEPALIVETIME_DEFAULT_MS, REG_SRC, "idle time before the first probe"},
  {"KeepAliveInterval", KA_UNIT_MS, KA_WIN_KEEPALIVEINTERVAL_MIN_MS,
   KA_WIN_KEEPALIVEINTERVAL_MAX_MS, KA_WIN_KEEPALIVEINTERVAL_DEFAULT_MS, REG_SRC,
   "time between unanswered probes"},
  {"TcpMaxDataRetransmissions", KA_UNIT_COUNT, 0, KA_WIN_TCPMAXDATARETRANSMISSIONS_MAX,
   KA_WIN_TCPMAXDATARETRANSMISSIONS_DEFAULT, REG_SRC "; KB170359",
   "data retransmissions before give-up; probe count on 2000/XP/2003"},
  {"PPTPTcpMaxDataRetransmissions", KA_UNIT_COUNT, 0, KA_WIN_PPTPTCPMAXDATARETRANSMISSIONS_MAX,
   KA_WIN_PPTPTCPMAXDATARETRANSMISSIONS_DEFAULT, REG_SRC,
   "PPTP retransmissions; probe count on 2000/XP/2003 if larger"},
};

static const ka_param_info linux_params[] = {
  {"net.ipv4.tcp_keepalive_time", KA_UNIT_S, 1, KA_LINUX_SYSCTL_SECS_MAX,
   KA_LINUX_KEEPIDLE_DEFAULT_S, "include/net/tcp.h; proc_dointvec_jiffies",
   "idle time before the first probe"},
  {"net.ipv4.tcp_keepalive_intvl", KA_UNIT_S, 1, KA_LINUX_SYSCTL_SECS_MAX,
   KA_LINUX_KEEPINTVL_DEFAULT_S, "include/net/tcp.h; proc_dointvec_jiffies",
   "time between unanswered probes"},
  {"net.ipv4.tcp_keepalive_probes", KA_UNIT_COUNT, 0, KA_LINUX_SYSCTL_U8_MAX,
   KA_LINUX_KEEPCNT_DEFAULT, "include/net/tcp.h; proc_dou8vec_minmax",
   "unanswered probes before give-up"},
  {"net.ipv4.tcp_retries2", KA_UNIT_COUNT, 0, KA_LINUX_SYSCTL_U8_MAX, KA_LINUX_TCP_RETRIES2_DEFAULT,
   "Documentation/networking/ip-sysctl.rst",
   "retransmission give-up boundary (15 = about 924.6 s)"},
  /* Not sysctls: the kernel's build and the host's clock, which decide how
   * late its timers fire (ka_jiffies.h). */
  {"hz", KA_UNIT_COUNT, 0, 1000, KA_LINUX_HZ_DEFAULT,
   "CONFIG_HZ (kernel/time/Kconfig): 100, 250, 300 or 1000; 0 is kasim's, for exact timers",
   "timer ticks a second: the timer wheel rounds timers up by up to 8^level ticks"},
  {"uptime", KA_UNIT_MS, 0, KA_LINUX_UPTIME_MAX_MS, 0,
   "include/linux/jiffies.h (INITIAL_JIFFIES); drawn from the run's seed when not set",
   "how long the host had been up when the run began: places its jiffies counter"},
};

#define BSD_PARAMS(src, always)                                       \
  {"net.inet.tcp.keepidle",                                           \
   KA_UNIT_MS,                                                        \
   1,                                                                 \
   INT32_MAX,                                                         \
   KA_BSD_KEEPIDLE_DEFAULT_MS,                                        \
   src "; sysctl_msec_to_ticks",                                      \
   "idle time before the first probe"},                               \
    {"net.inet.tcp.keepintvl",                                        \
     KA_UNIT_MS,                                                      \
     1,                                                               \
     INT32_MAX,                                                       \
     KA_BSD_KEEPINTVL_DEFAULT_MS,                                     \
     src "; sysctl_msec_to_ticks",                                    \
     "time between unanswered probes"},                               \
    {"net.inet.tcp.keepcnt",                                          \
     KA_UNIT_COUNT,                                                   \
     0,                                                               \
     UINT32_MAX,                                                      \
     KA_BSD_KEEPCNT_DEFAULT,                                          \
     src,                                                             \
     "probes; the connection drops at idle + keepcnt x keepintvl"},   \
  {                                                                   \
    "net.inet.tcp.always_keepalive", KA_UNIT_BOOL, 0, 1, always, src, \
      "keep-alive on every TCP connection, SO_KEEPALIVE or not"       \
  }

static const ka_param_info freebsd_params[] = {BSD_PARAMS("FreeBSD sys/netinet/tcp_timer.c", 1)};
static const ka_param_info macos_params[] = {BSD_PARAMS("XNU bsd/netinet/tcp_timer.c", 0)};

struct ka_params {
  const ka_profile *profile;
  const ka_param_info *table;
  size_t n;
  uint64_t value[MAX_PARAMS];
  unsigned set_mask;
};

const ka_param_info *ka_params_table(const ka_profile *p, size_t *n) {
  const ka_param_info *t;
  switch (ka_profile_family(p)) {
  case KA_FAMILY_WINDOWS:
    t = windows_params;
    *n = G_N_ELEMENTS(windows_params);
    break;
  case KA_FAMILY_LINUX:
    t = linux_params;
    *n = G_N_ELEMENTS(linux_params);
    break;
  case KA_FAMILY_FREEBSD:
    t = freebsd_params;
    *n = G_N_ELEMENTS(freebsd_params);
    break;
  default:
    t = macos_params;
    *n = G_N_ELEMENTS(macos_params);
    break;
  }
  return t;
}

static int param_index(const ka_param_info *t, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (g_ascii_strcasecmp(t[i].name, name) == 0)
      return (int)i;
  return -1;
}

const ka_param_info *ka_params_info(const ka_profile *p, const char *name) {
  size_t n;
  const ka_param_info *t = ka_params_table(p, &n);
  int i = param_index(t, n, name);
  return i < 0 ? NULL : &t[i];
}

ka_params *ka_params_new(const ka_profile *p) {
  ka_params *params = g_new0(ka_params, 1);
  params->profile = p;
  params->table = ka_params_table(p, &params->n);
  g_assert(params->n <= MAX_PARAMS);
  for (size_t i = 0; i < params->n; i++)
    params->value[i] = params->table[i].def;
  return params;
}

ka_params *ka_params_copy(const ka_params *src) { return g_memdup2(src, sizeof *src); }
void ka_params_free(ka_params *params) { g_free(params); }

void ka_params_assign(ka_params *dst, const ka_params *src) {
  g_return_if_fail(dst->profile == src->profile);
  *dst = *src;
}
const ka_profile *ka_params_profile(const ka_params *params) { return params->profile; }

static const char *unit_name(ka_param_unit u) {
  switch (u) {
  case KA_UNIT_MS: return " ms";
  case KA_UNIT_S: return " s";
  default: return "";
  }
}

static int lookup(const ka_params *params, const char *name, GError **error) {
  int i = param_index(params->table, params->n, name);
  if (i < 0) {
    GString *names = g_string_new(NULL);
    for (size_t k = 0; k < params->n; k++)
      g_string_append_printf(names, "%s%s", k ? ", " : "", params->table[k].name);
    g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_UNKNOWN_NAME,
                "%s: no such parameter on profile %s (it has: %s)", name,
                ka_profile_name(params->profile), names->str);
    g_string_free(names, TRUE);
  }
  return i;
}

bool ka_params_set_value(ka_params *params, const char *name, uint64_t value, GError **error) {
  int i = lookup(params, name, error);
  if (i < 0)
    return false;
  const ka_param_info *info = &params->table[i];
  if (ka_profile_family(params->profile) == KA_FAMILY_LINUX && strcmp(info->name, "hz") == 0 &&
      !ka_jiffies_hz_valid((uint32_t)MIN(value, UINT32_MAX))) {
    g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_RANGE,
                "hz: %" G_GUINT64_FORMAT " is not a CONFIG_HZ Linux offers (100, 250, 300, 1000; "
                "0 for timers that fire exactly when due)",
                value);
    return false;
  }
  if (value < info->min || value > info->max) {
    g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_RANGE,
                "%s: %" G_GUINT64_FORMAT "%s is out of range %" G_GUINT64_FORMAT
                "..%" G_GUINT64_FORMAT "%s (%s)",
                info->name, value, unit_name(info->unit), info->min, info->max,
                unit_name(info->unit), info->source);
    return false;
  }
  params->value[i] = value;
  params->set_mask |= 1u << i;
  return true;
}

/* Parses "NUMBER[UNIT]" into nanoseconds (durations) or a plain number.
 * Fractions are exact: "1.5s" is 1500000000 ns, and a duration that is not
 * a whole number of the native unit is refused rather than rounded. */
static bool parse_number(const ka_param_info *info, const char *text, uint64_t *out,
                         GError **error) {
  const char *s = text;
  uint64_t whole = 0, frac = 0, frac_scale = 1;
  bool digits = false, hex = false;
  if (info->unit == KA_UNIT_COUNT && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    hex = true;
    s += 2;
  }
  for (; hex ? g_ascii_isxdigit(*s) : g_ascii_isdigit(*s); s++) {
    unsigned d = (unsigned)g_ascii_xdigit_value(*s);
    if (whole > (UINT64_MAX - d) / (hex ? 16 : 10))
      goto bad;
    whole = whole * (hex ? 16 : 10) + d;
    digits = true;
  }
  if (!hex && *s == '.' && info->unit != KA_UNIT_COUNT && info->unit != KA_UNIT_BOOL) {
    for (s++; g_ascii_isdigit(*s); s++) {
      if (frac_scale >= UINT64_C(1000000000))
        goto bad;
      frac = frac * 10 + (uint64_t)(*s - '0');
      frac_scale *= 10;
      digits = true;
    }
  }
  if (!digits)
    goto bad;
  if (info->unit == KA_UNIT_COUNT || info->unit == KA_UNIT_BOOL) {
    if (*s != '\0')
      goto bad;
    *out = whole;
    return true;
  }
  static const struct {
    const char *suffix;
    uint64_t ns;
  } units[] = {{"ns", 1},
               {"us", 1000},
               {"ms", 1000000},
               {"s", 1000000000},
               {"m", UINT64_C(60000000000)},
               {"h", UINT64_C(3600000000000)},
               {"d", UINT64_C(86400000000000)}};
  uint64_t native = info->unit == KA_UNIT_MS ? 1000000 : 1000000000, scale = native;
  if (*s != '\0') {
    size_t u;
    for (u = 0; u < G_N_ELEMENTS(units); u++)
      if (strcmp(s, units[u].suffix) == 0)
        break;
    if (u == G_N_ELEMENTS(units)) {
      g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE,
                  "%s: unknown unit in '%s' (use ms, s, m, h or d)", info->name, text);
      return false;
    }
    scale = units[u].ns;
  }
  /* whole*scale + frac*scale/frac_scale in ns, exactly: with at most nine
   * fraction digits, frac*r stays below 10^18. */
  uint64_t q = scale / frac_scale, r = scale % frac_scale;
  if (whole > UINT64_MAX / scale || (frac * r) % frac_scale != 0)
    goto fraction_or_bad;
  uint64_t frac_ns = frac * q + frac * r / frac_scale;
  if (frac_ns > UINT64_MAX - whole * scale)
    goto bad;
  uint64_t ns = whole * scale + frac_ns;
  if (ns % native != 0)
    goto fraction;
  *out = ns / native;
  return true;
fraction_or_bad:
  if (whole > UINT64_MAX / scale)
    goto bad;
fraction:
  g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE,
              "%s: '%s' is not a whole number of %s", info->name, text,
              info->unit == KA_UNIT_MS ? "milliseconds" : "seconds");
  return false;
bad:
  g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE, "%s: '%s' is not a %s", info->name,
              text,
              info->unit == KA_UNIT_BOOL    ? "boolean (0 or 1)"
              : info->unit == KA_UNIT_COUNT ? "whole number"
                                            : "duration (a number with ms, s, m, h or d)");
  return false;
}

bool ka_params_set(ka_params *params, const char *name, const char *value, GError **error) {
  int i = lookup(params, name, error);
  if (i < 0)
    return false;
  uint64_t v;
  if (!parse_number(&params->table[i], value, &v, error))
    return false;
  return ka_params_set_value(params, params->table[i].name, v, error);
}

bool ka_params_set_assignment(ka_params *params, const char *assignment, GError **error) {
  const char *eq = strchr(assignment, '=');
  if (eq == NULL || eq == assignment || eq[1] == '\0') {
    g_set_error(error, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE, "'%s' is not NAME=VALUE",
                assignment);
    return false;
  }
  char *name = g_strndup(assignment, (gsize)(eq - assignment));
  bool ok = ka_params_set(params, name, eq + 1, error);
  g_free(name);
  return ok;
}

bool ka_params_reset(ka_params *params, const char *name) {
  int i = param_index(params->table, params->n, name);
  if (i < 0)
    return false;
  params->value[i] = params->table[i].def;
  params->set_mask &= ~(1u << i);
  return true;
}

bool ka_params_get(const ka_params *params, const char *name, uint64_t *value) {
  int i = param_index(params->table, params->n, name);
  if (i < 0)
    return false;
  *value = params->value[i];
  return true;
}

bool ka_params_is_set(const ka_params *params, const char *name) {
  int i = param_index(params->table, params->n, name);
  return i >= 0 && (params->set_mask & (1u << i));
}

/* Every table lists idle, interval, count-ish, then a fourth entry, in that
 * order, so the derived values read them by position. */
enum { P_IDLE, P_INTVL, P_CNT, P_FOURTH, P_HZ, P_UPTIME /* Linux */ };

static ka_time as_time(const ka_params *params, int i) {
  return params->table[i].unit == KA_UNIT_MS ? KA_MS(params->value[i]) : KA_S(params->value[i]);
}

ka_time ka_params_keepidle(const ka_params *params) { return as_time(params, P_IDLE); }
ka_time ka_params_keepintvl(const ka_params *params) { return as_time(params, P_INTVL); }

uint32_t ka_params_keepcnt(const ka_params *params) {
  switch (ka_profile_count_rule(params->profile)) {
  case KA_COUNT_REGISTRY_MAX: {
    uint64_t m = MAX(params->value[P_CNT], params->value[P_FOURTH]);
    return (uint32_t)MIN(m, KA_WIN_LEGACY_PROBES_MAX);
  }
  case KA_COUNT_FIXED:
  case KA_COUNT_SOCKOPT: return KA_WIN_VISTA_PROBES;
  case KA_COUNT_SYSCTL:
  default: return (uint32_t)params->value[P_CNT];
  }
}

bool ka_params_always_keepalive(const ka_params *params) {
  ka_os_family f = ka_profile_family(params->profile);
  if (f == KA_FAMILY_FREEBSD || f == KA_FAMILY_MACOS)
    return params->value[P_FOURTH] != 0;
  return false;
}

ka_jiffies ka_params_jiffies(const ka_params *params) {
  ka_jiffies j = {0};
  if (ka_profile_family(params->profile) == KA_FAMILY_LINUX) {
    j.hz = (uint32_t)params->value[P_HZ];
    j.uptime = KA_MS(params->value[P_UPTIME]);
  }
  return j;
}

uint32_t ka_params_max_retransmissions(const ka_params *params) {
  switch (ka_profile_family(params->profile)) {
  case KA_FAMILY_WINDOWS: return (uint32_t)params->value[P_CNT];
  case KA_FAMILY_LINUX: return (uint32_t)params->value[P_FOURTH];
  default: return KA_BSD_TCP_MAXRXTSHIFT;
  }
}
