/* ka_profile.h - the modelled operating systems and their fixed rules.
 *
 * A profile is immutable static data: which options exist, how the probe
 * count is derived, what goes on the wire at give-up and which error the
 * application sees.  Tunable values (KeepAliveTime, sysctls) live in
 * ka_params; per-socket values in ka_sock.
 */
#ifndef KASIM_KA_PROFILE_H
#define KASIM_KA_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ka_time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One profile per Windows release that behaves differently (the releases
 * each covers: ka_profile_releases()).  New ids are appended, so that the
 * numbers of the older ones stay what they were in the installed library;
 * ka_profile_nth() lists them in the order people read them. */
typedef enum ka_profile_id {
  KA_PROFILE_WINDOWS_2000,
  KA_PROFILE_WINDOWS_XP,
  KA_PROFILE_WINDOWS_2003,    /* Server 2003 (R2), XP x64 */
  KA_PROFILE_WINDOWS_VISTA,   /* Vista, Server 2008 */
  KA_PROFILE_WINDOWS_10_1703, /* TCP_KEEPCNT */
  KA_PROFILE_WINDOWS_10_1709, /* TCP_KEEPINTVL; up to 21H1, Server 2019 */
  KA_PROFILE_LINUX,
  KA_PROFILE_FREEBSD,
  KA_PROFILE_MACOS,
  KA_PROFILE_WINDOWS_7,       /* 7 up to 10 1607: TCP_KEEPALIVE (3) */
  KA_PROFILE_WINDOWS_10_21H2, /* 10 21H2 and later, 11, Server 2022:
                                 optlen -1 is WSAENOBUFS */
  KA_PROFILE_COUNT_
} ka_profile_id;

typedef enum ka_os_family {
  KA_FAMILY_WINDOWS,
  KA_FAMILY_LINUX,
  KA_FAMILY_FREEBSD,
  KA_FAMILY_MACOS
} ka_os_family;

/* How the number of unanswered probes before give-up is found. */
typedef enum ka_count_rule {
  KA_COUNT_REGISTRY_MAX, /* 2000/XP/2003: max(TcpMaxDataRetransmissions,
                            PPTPTcpMaxDataRetransmissions), 0 = no probes,
                            above 255 = 255 */
  KA_COUNT_FIXED,        /* Vista+: 10, not configurable */
  KA_COUNT_SOCKOPT,      /* 1703+: 10 unless TCP_KEEPCNT sets it */
  KA_COUNT_SYSCTL        /* Linux, BSD: tcp_keepalive_probes / keepcnt,
                            overridden by TCP_KEEPCNT */
} ka_count_rule;

/* How the give-up decision is taken. */
typedef enum ka_giveup_rule {
  KA_GIVEUP_COUNT, /* after `count` unanswered probes (Windows, Linux) */
  KA_GIVEUP_TIME   /* when idle >= idle + count*interval (FreeBSD, macOS) */
} ka_giveup_rule;

/* The symbolic options of the option API; ka_profile_option() maps them to
 * the numbers the modelled OS uses. */
typedef enum ka_opt {
  KA_OPT_SO_KEEPALIVE,
  KA_OPT_TCP_KEEPIDLE, /* Windows TCP_KEEPALIVE, macOS TCP_KEEPALIVE */
  KA_OPT_TCP_KEEPINTVL,
  KA_OPT_TCP_KEEPCNT,
  KA_OPT_TCP_USER_TIMEOUT,
  KA_OPT_COUNT_
} ka_opt;

typedef struct ka_profile ka_profile;

const ka_profile *ka_profile_get(ka_profile_id id);
/* By a profile's name ("windows-vista", "linux", ...) or a Windows
 * release's ("windows-8.1", "windows-server-2019", "windows-11": the
 * release table below), in any case; NULL if unknown. */
const ka_profile *ka_profile_find(const char *name);
/* For error messages: the profiles' names, comma-separated, in
 * ka_profile_nth() order, then a pointer to the release names. */
const char *ka_profile_names(void);
/* Profile number i (0 <= i < KA_PROFILE_COUNT_) in the order people read
 * them: the Windows ones oldest first, then linux, freebsd, macos.  NULL
 * past the end. */
const ka_profile *ka_profile_nth(size_t i);

/* A Windows release a user may name, and the profile that models it. */
typedef struct ka_release {
  const char *name;      /* "windows-server-2019": what ka_profile_find takes */
  unsigned build;        /* its build number (the first, for a release
                            serviced under several), 17763 */
  ka_profile_id profile; /* KA_PROFILE_WINDOWS_10_1709 */
} ka_release;
/* The release table, by build number; *n receives its length. */
const ka_release *ka_profile_releases(size_t *n);

ka_profile_id ka_profile_id_of(const ka_profile *p);
const char *ka_profile_name(const ka_profile *p);
/* One line for tables: "Windows Vista, Windows Server 2008". */
const char *ka_profile_description(const ka_profile *p);
ka_os_family ka_profile_family(const ka_profile *p);
bool ka_profile_is_windows(const ka_profile *p);

ka_count_rule ka_profile_count_rule(const ka_profile *p);
ka_giveup_rule ka_profile_giveup_rule(const ka_profile *p);

/* Does the option exist on this profile?  If so, its level and name
 * numbers as the OS defines them. */
bool ka_profile_option(const ka_profile *p, ka_opt opt, int *level, int *optname);
/* The reverse: which symbolic option the OS numbers denote.  Returns
 * KA_OPT_COUNT_ when none does. */
ka_opt ka_profile_option_lookup(const ka_profile *p, int level, int optname);
bool ka_profile_has_sio_keepalive_vals(const ka_profile *p);

/* SO_KEEPALIVE may be set while connect() is in progress (2000/XP/2003). */
bool ka_profile_so_keepalive_mid_connect(const ka_profile *p);
/* Bytes getsockopt(SO_KEEPALIVE) returns into a buffer of 4 bytes or more:
 * 1 on Vista+ (which keeps one byte), 4 elsewhere. */
int ka_profile_so_keepalive_optlen(const ka_profile *p);
/* The unit of TCP_KEEPIDLE's value (Windows' and macOS's TCP_KEEPALIVE):
 * a second everywhere; on Windows before 1709 an assumption (one line in
 * ka_options.h). */
ka_time ka_profile_keepidle_unit(const ka_profile *p);
/* Windows: setsockopt with a negative optlen fails with WSAENOBUFS (10
 * 21H2 and later) rather than WSAEFAULT. */
bool ka_profile_neg_optlen_enobufs(const ka_profile *p);
/* Windows 2003 and older: IPPROTO_TCP option 16, the number that is
 * TCP_KEEPCNT from 1703, exists with another meaning: it is accepted and
 * read back but is not the probe count. */
bool ka_profile_has_legacy_tcp_opt16(const ka_profile *p);
/* Keep-alive is on for every TCP socket regardless of SO_KEEPALIVE
 * (FreeBSD's net.inet.tcp.always_keepalive=1 default).  This is the
 * default only; ka_params may change it. */
bool ka_profile_always_keepalive_default(const ka_profile *p);

/* Probe payload in octets: 1 on Windows, 0 elsewhere (facts §6). */
unsigned ka_profile_probe_payload(const ka_profile *p);
/* Whether the prober sends an RST when keep-alive gives up. */
bool ka_profile_rst_at_keepalive_giveup(const ka_profile *p);
/* Whether an RST goes out when data retransmission gives up. */
bool ka_profile_rst_at_retransmission_giveup(const ka_profile *p);
/* The smallest RTO (RFC 6298 2.4's floor, or the OS's own). */
ka_time ka_profile_rto_min(const ka_profile *p);
/* The largest RTO after backoff. */
ka_time ka_profile_rto_max(const ka_profile *p);
/* SYN retransmissions before connect() fails with ETIMEDOUT (the first
 * SYN not counted). */
unsigned ka_profile_syn_retries(const ka_profile *p);
/* How long SYN number k (0: the first) waits for its answer before the
 * next: the initial RTO (RFC 6298 2.1) doubled k times (5.5), at most the
 * profile's RTO ceiling.  connect() fails when SYN number syn_retries has
 * waited its time. */
ka_time ka_profile_syn_timeout(const ka_profile *p, unsigned k);

/* The OS's own number and name for an abstract KA_E* code: on Windows
 * profiles Winsock's (10060, "WSAETIMEDOUT"), elsewhere that OS's errno
 * (110 "ETIMEDOUT" on Linux, 60 on FreeBSD and macOS). */
int ka_profile_errnum(const ka_profile *p, int err);
const char *ka_profile_errname(const ka_profile *p, int err);

#ifdef __cplusplus
}
#endif
#endif
