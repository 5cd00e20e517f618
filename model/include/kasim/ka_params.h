/* ka_params.h - host-wide tunables: the registry values of Windows and the
 * sysctls of Linux, FreeBSD and macOS.
 *
 * Each profile has its own table of names with their native unit, range and
 * default.  A value is set by name ("KeepAliveTime=300000",
 * "net.ipv4.tcp_keepalive_time=600"); out-of-range values are refused with
 * the reason, never clamped, because the modelled systems refuse them too
 * (or their documented range excludes them).
 */
#ifndef KASIM_KA_PARAMS_H
#define KASIM_KA_PARAMS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "ka_jiffies.h"
#include "ka_profile.h"
#include "ka_time.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KA_PARAMS_ERROR (ka_params_error_quark())
GQuark ka_params_error_quark(void);

typedef enum ka_params_error {
  KA_PARAMS_ERROR_UNKNOWN_NAME, /* no such parameter on this profile */
  KA_PARAMS_ERROR_BAD_VALUE,    /* not a number, or a bad unit */
  KA_PARAMS_ERROR_RANGE         /* outside the documented range */
} ka_params_error;

typedef enum ka_param_unit {
  KA_UNIT_MS,    /* a duration stored in milliseconds */
  KA_UNIT_S,     /* a duration stored in seconds */
  KA_UNIT_COUNT, /* a plain number */
  KA_UNIT_BOOL   /* 0 or 1 */
} ka_param_unit;

/* What one parameter is; the table is static data of the profile. */
typedef struct ka_param_info {
  const char *name; /* "KeepAliveTime", "net.ipv4.tcp_keepalive_time" */
  ka_param_unit unit;
  uint64_t min, max, def;
  const char *source;  /* where the range and default come from */
  const char *meaning; /* one line for `kasim profiles` and docs */
} ka_param_info;

typedef struct ka_params ka_params;

/* A fresh set holding the profile's defaults. */
ka_params *ka_params_new(const ka_profile *p);
ka_params *ka_params_copy(const ka_params *src);
/* dst takes src's values; both must be of the same profile. */
void ka_params_assign(ka_params *dst, const ka_params *src);
void ka_params_free(ka_params *params);
const ka_profile *ka_params_profile(const ka_params *params);

/* The profile's parameter table. */
const ka_param_info *ka_params_table(const ka_profile *p, size_t *n);
/* Case-insensitive, as the registry is; NULL if the profile has no such
 * name. */
const ka_param_info *ka_params_info(const ka_profile *p, const char *name);

/* Sets a parameter from text.  Durations take a plain number in their
 * native unit or a number with a unit: ms, s, m, h, d ("300s" for
 * KeepAliveTime is 300000); a value that is not a whole number of the
 * native unit is refused. */
bool ka_params_set(ka_params *params, const char *name, const char *value, GError **error);
/* "NAME=VALUE" in one string, as on the command line. */
bool ka_params_set_assignment(ka_params *params, const char *assignment, GError **error);
/* Sets a raw value in the native unit, with the range check. */
bool ka_params_set_value(ka_params *params, const char *name, uint64_t value, GError **error);
/* Back to the default, as when a registry value is deleted. */
bool ka_params_reset(ka_params *params, const char *name);

/* The value in the native unit; false when the name is unknown. */
bool ka_params_get(const ka_params *params, const char *name, uint64_t *value);
/* Was the value set (as opposed to the default)? */
bool ka_params_is_set(const ka_params *params, const char *name);

/* The host-wide keep-alive defaults these parameters give a new socket. */
ka_time ka_params_keepidle(const ka_params *params);
ka_time ka_params_keepintvl(const ka_params *params);
/* Probes before give-up under the profile's count rule; 0 means keep-alive
 * never sends a probe and so never detects a dead peer (2000/XP/2003 with
 * both retransmission values at 0). */
uint32_t ka_params_keepcnt(const ka_params *params);
/* Keep-alive on for sockets that did not set SO_KEEPALIVE. */
bool ka_params_always_keepalive(const ka_params *params);
/* The host's tick clock (ka_jiffies.h): Linux's hz and uptime; hz 0 on
 * every other profile, whose timers the model fires when due.  Whether
 * uptime was given: ka_params_is_set(params, "uptime"). */
ka_jiffies ka_params_jiffies(const ka_params *params);
/* Data retransmissions before give-up (TcpMaxDataRetransmissions,
 * tcp_retries2, TCP_MAXRXTSHIFT on BSD). */
uint32_t ka_params_max_retransmissions(const ka_params *params);

#ifdef __cplusplus
}
#endif
#endif
