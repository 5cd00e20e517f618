/* ka_profile.c - the fixed rules of each modelled OS (facts §1-§6). */
#include "kasim/ka_profile.h"

#include <glib.h>
#include <string.h>

#include "kasim/ka_error.h"
#include "kasim/ka_options.h"

typedef struct optnum {
  bool exists;
  int level, name;
} optnum;

struct ka_profile {
  ka_profile_id id;
  const char *name;
  const char *description;
  ka_os_family family;
  ka_count_rule count_rule;
  ka_giveup_rule giveup_rule;
  optnum opts[KA_OPT_COUNT_];
  ka_time keepidle_unit;
  bool sio_keepalive_vals;
  bool so_keepalive_mid_connect;
  int so_keepalive_optlen;
  bool neg_optlen_enobufs;
  bool legacy_tcp_opt16;
  bool always_keepalive;
  unsigned probe_payload;
  bool rst_at_keepalive_giveup;
  bool rst_at_retransmission_giveup;
  ka_time rto_min, rto_max;
  unsigned syn_retries;
};

#define WIN_SO \
  { true, KA_WIN_SOL_SOCKET, KA_WIN_SO_KEEPALIVE }
#define WIN_IDLE_IF(has) \
  { (has), KA_WIN_IPPROTO_TCP, KA_WIN_TCP_KEEPIDLE }
#define WIN_IDLE WIN_IDLE_IF(true)
#define WIN_INTVL \
  { true, KA_WIN_IPPROTO_TCP, KA_WIN_TCP_KEEPINTVL }
#define WIN_CNT \
  { true, KA_WIN_IPPROTO_TCP, KA_WIN_TCP_KEEPCNT }
#define LINUX_SO \
  { true, KA_LINUX_SOL_SOCKET, KA_LINUX_SO_KEEPALIVE }
#define LINUX_TCP(name) \
  { true, KA_LINUX_IPPROTO_TCP, (name) }
#define BSD_SO \
  { true, KA_BSD_SOL_SOCKET, KA_BSD_SO_KEEPALIVE }
#define BSD_TCP(name) \
  { true, KA_BSD_IPPROTO_TCP, (name) }

/* The rules of the profiles, as designated initialisers: each family has
 * a base (WINDOWS_LEGACY for 2000/XP/2003 and WINDOWS_NT6 for Vista and
 * later, both on WINDOWS_COMMON; BSD_COMMON for FreeBSD and macOS, on
 * UNIX_COMMON with Linux), and each profile is its base, or the profile
 * before it, with what its release or system changes, next to the source
 * of the change.  Where a change names a field the base already set (the
 * Windows releases), the later designator is the one that counts (C11
 * 6.7.9p19), hence the pragma around profiles[] below.  The facts are in
 * docs/model.md §2. */

/* Windows: 1-byte probes (captures, facts §6).  An RST at keep-alive
 * give-up is not documented by Microsoft (facts §3); kasim sends one, as
 * RFC 9293's ABORT does and as captures reported on the web show.  See
 * docs/model.md.  SO_KEEPALIVE exists on every release (facts §1). */
#define WINDOWS_COMMON                                                                     \
  .family = KA_FAMILY_WINDOWS, .giveup_rule = KA_GIVEUP_COUNT, .sio_keepalive_vals = true, \
  .probe_payload = KA_WIN_PROBE_PAYLOAD, .rst_at_keepalive_giveup = true,                  \
  .rst_at_retransmission_giveup = false, .rto_min = KA_RTO_MIN, .rto_max = KA_WIN_RTO_MAX, \
  .syn_retries = KA_SYN_RETRIES, .opts[KA_OPT_SO_KEEPALIVE] = WIN_SO

/* 2000, XP and Server 2003 (facts §1, §2): the probe count from the
 * registry; SO_KEEPALIVE may be set mid-connect and reads back as a whole
 * DWORD normalised to 0 or 1 (ReactOS's copy of Wine's test, patched for
 * Server 2003 "and older"); option 3 is refused (ReactOS skips it on
 * 2003); option 16 exists but is not TCP_KEEPCNT. */
#define WINDOWS_LEGACY                                                           \
  WINDOWS_COMMON, .count_rule = KA_COUNT_REGISTRY_MAX, .keepidle_unit = KA_S(1), \
                  .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,    \
                  .neg_optlen_enobufs = KA_WIN_LEGACY_NEG_OPTLEN_ENOBUFS, .legacy_tcp_opt16 = true

/* Vista and later (facts §1, §2): 10 probes unless TCP_KEEPCNT sets them;
 * SO_KEEPALIVE is one byte and WSAEINVAL during connect(). */
#define WINDOWS_NT6 WINDOWS_COMMON, .so_keepalive_mid_connect = false, .so_keepalive_optlen = 1

/* Vista: the count is fixed.  Option 3 and optlen -1 on Vista: kasim's
 * choices (ka_options.h). */
#define WINDOWS_VISTA                                                                \
  WINDOWS_NT6, .count_rule = KA_COUNT_FIXED,                                         \
               .opts[KA_OPT_TCP_KEEPIDLE] = WIN_IDLE_IF(KA_WIN_VISTA_TCP_KEEPALIVE), \
               .keepidle_unit = KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709,                   \
               .neg_optlen_enobufs = KA_WIN_VISTA_NEG_OPTLEN_ENOBUFS

/* 7, from Vista: option 3 accepted (Wine's test, every release from 7);
 * optlen -1 is WSAEFAULT up to 21H1 (Wine test_optsize). */
#define WINDOWS_7 WINDOWS_VISTA, .opts[KA_OPT_TCP_KEEPIDLE] = WIN_IDLE, .neg_optlen_enobufs = false

/* 10 1703, from 7: adds TCP_KEEPCNT, which sets the count (facts §1: Go's
 * internal/syscall/windows). */
#define WINDOWS_10_1703 \
  WINDOWS_7, .count_rule = KA_COUNT_SOCKOPT, .opts[KA_OPT_TCP_KEEPCNT] = WIN_CNT

/* 10 1709, from 1703: adds TCP_KEEPINTVL (facts §1: Go's
 * internal/syscall/windows).  1709 documents option 3 as TCP_KEEPIDLE, in
 * seconds (facts §1). */
#define WINDOWS_10_1709 \
  WINDOWS_10_1703, .opts[KA_OPT_TCP_KEEPINTVL] = WIN_INTVL, .keepidle_unit = KA_S(1)

/* 10 21H2, from 1709: optlen -1 on setsockopt is WSAENOBUFS (Wine
 * test_optsize: "broken between Win7 and Win10 21H1" is the WSAEFAULT
 * before). */
#define WINDOWS_10_21H2 WINDOWS_10_1709, .neg_optlen_enobufs = true

/* Linux, FreeBSD and macOS (facts §4, §5): the probe count from a sysctl,
 * or TCP_KEEPCNT; TCP_KEEPIDLE in seconds; SO_KEEPALIVE may be set during
 * connect() and reads back 4 bytes (kernel source, docs/model.md §5);
 * 0-byte probes (captures, facts §6). */
#define UNIX_COMMON                                                                          \
  .count_rule = KA_COUNT_SYSCTL, .keepidle_unit = KA_S(1), .so_keepalive_mid_connect = true, \
  .so_keepalive_optlen = 4, .probe_payload = 0

/* Linux (facts §4): counts probes (gives up by time with TCP_USER_TIMEOUT);
 * the RTO from TCP_RTO_MIN to TCP_RTO_MAX; tcp_syn_retries (ip-sysctl).
 * tcp_keepalive_timer sends an RST at give-up (tcp_send_active_reset);
 * tcp_write_timeout does not. */
#define LINUX                                                                          \
  UNIX_COMMON, .family = KA_FAMILY_LINUX, .giveup_rule = KA_GIVEUP_COUNT,              \
               .opts[KA_OPT_SO_KEEPALIVE] = LINUX_SO,                                  \
               .opts[KA_OPT_TCP_KEEPIDLE] = LINUX_TCP(KA_LINUX_TCP_KEEPIDLE),          \
               .opts[KA_OPT_TCP_KEEPINTVL] = LINUX_TCP(KA_LINUX_TCP_KEEPINTVL),        \
               .opts[KA_OPT_TCP_KEEPCNT] = LINUX_TCP(KA_LINUX_TCP_KEEPCNT),            \
               .opts[KA_OPT_TCP_USER_TIMEOUT] = LINUX_TCP(KA_LINUX_TCP_USER_TIMEOUT),  \
               .rst_at_keepalive_giveup = true, .rst_at_retransmission_giveup = false, \
               .rto_min = KA_LINUX_RTO_MIN, .rto_max = KA_LINUX_RTO_MAX,               \
               .syn_retries = KA_LINUX_TCP_SYN_RETRIES_DEFAULT

/* FreeBSD and macOS (facts §5): give up by time; the RTO from RFC 6298's
 * floor to TCPTV_REXMTMAX; SYN retries as Linux's (an assumption,
 * docs/model.md §8).  tcp_drop() sends an RST on a synchronized
 * connection, from both the keep and the rexmt timer. */
#define BSD_COMMON                                                                    \
  UNIX_COMMON, .giveup_rule = KA_GIVEUP_TIME, .opts[KA_OPT_SO_KEEPALIVE] = BSD_SO,    \
               .rst_at_keepalive_giveup = true, .rst_at_retransmission_giveup = true, \
               .rto_min = KA_RTO_MIN, .rto_max = KA_BSD_RTO_MAX, .syn_retries = KA_SYN_RETRIES

/* FreeBSD, from BSD_COMMON: always_keepalive on by default (facts §5). */
#define FREEBSD                                                                \
  BSD_COMMON, .family = KA_FAMILY_FREEBSD, .always_keepalive = true,           \
              .opts[KA_OPT_TCP_KEEPIDLE] = BSD_TCP(KA_FREEBSD_TCP_KEEPIDLE),   \
              .opts[KA_OPT_TCP_KEEPINTVL] = BSD_TCP(KA_FREEBSD_TCP_KEEPINTVL), \
              .opts[KA_OPT_TCP_KEEPCNT] = BSD_TCP(KA_FREEBSD_TCP_KEEPCNT)

/* macOS, from BSD_COMMON: always_keepalive off by default (facts §5); its
 * own option numbers, TCP_KEEPALIVE for the idle time (XNU's headers). */
#define MACOS                                                                \
  BSD_COMMON, .family = KA_FAMILY_MACOS, .always_keepalive = false,          \
              .opts[KA_OPT_TCP_KEEPIDLE] = BSD_TCP(KA_MACOS_TCP_KEEPALIVE),  \
              .opts[KA_OPT_TCP_KEEPINTVL] = BSD_TCP(KA_MACOS_TCP_KEEPINTVL), \
              .opts[KA_OPT_TCP_KEEPCNT] = BSD_TCP(KA_MACOS_TCP_KEEPCNT)

/* A profile's row: its id and names, then its rules (above). */
#define PROFILE_ROW(id_, name_, description_, rules) \
  [id_] = {.id = id_, .name = name_, .description = description_, rules}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const ka_profile profiles[KA_PROFILE_COUNT_] = {
  PROFILE_ROW(KA_PROFILE_WINDOWS_2000, "windows-2000", "Windows 2000", WINDOWS_LEGACY),
  PROFILE_ROW(KA_PROFILE_WINDOWS_XP, "windows-xp", "Windows XP", WINDOWS_LEGACY),
  PROFILE_ROW(KA_PROFILE_WINDOWS_2003, "windows-2003",
              "Windows Server 2003 and 2003 R2, Windows XP x64", WINDOWS_LEGACY),
  PROFILE_ROW(KA_PROFILE_WINDOWS_VISTA, "windows-vista", "Windows Vista, Windows Server 2008",
              WINDOWS_VISTA),
  PROFILE_ROW(KA_PROFILE_WINDOWS_7, "windows-7",
              "Windows 7, 8, 8.1, 10 up to 1607, Server 2008 R2 up to 2016: adds TCP_KEEPALIVE",
              WINDOWS_7),
  PROFILE_ROW(KA_PROFILE_WINDOWS_10_1703, "windows-10-1703", "Windows 10 1703: adds TCP_KEEPCNT",
              WINDOWS_10_1703),
  PROFILE_ROW(KA_PROFILE_WINDOWS_10_1709, "windows-10-1709",
              "Windows 10 1709 up to 21H1, Server 2019: adds TCP_KEEPINTVL", WINDOWS_10_1709),
  PROFILE_ROW(KA_PROFILE_WINDOWS_10_21H2, "windows-10-21h2",
              "Windows 10 21H2 and later, Windows 11, Server 2022: optlen -1 is WSAENOBUFS",
              WINDOWS_10_21H2),
  PROFILE_ROW(KA_PROFILE_LINUX, "linux", "Linux (reference stack for kernel validation)", LINUX),
  PROFILE_ROW(KA_PROFILE_FREEBSD, "freebsd", "FreeBSD (always_keepalive on by default)", FREEBSD),
  PROFILE_ROW(KA_PROFILE_MACOS, "macos", "macOS (XNU)", MACOS),
};
#pragma GCC diagnostic pop

/* The order of listings and of ka_profile_names(). */
static const ka_profile_id order[KA_PROFILE_COUNT_] = {
  KA_PROFILE_WINDOWS_2000,    KA_PROFILE_WINDOWS_XP,      KA_PROFILE_WINDOWS_2003,
  KA_PROFILE_WINDOWS_VISTA,   KA_PROFILE_WINDOWS_7,       KA_PROFILE_WINDOWS_10_1703,
  KA_PROFILE_WINDOWS_10_1709, KA_PROFILE_WINDOWS_10_21H2, KA_PROFILE_LINUX,
  KA_PROFILE_FREEBSD,         KA_PROFILE_MACOS,
};

/* Windows releases by build number, and the profile of each.  The version
 * boundaries are those of facts §1: option 3 from 7 (Wine's test; refused
 * on 2003 by ReactOS's), TCP_KEEPCNT from 1703 (build 15063), TCP_KEEPINTVL
 * from 1709 (16299; Go's internal/syscall/windows), WSAENOBUFS for optlen
 * -1 from 21H2 (Wine test_optsize).  A server shares the profile of the
 * client release built from the same code (same build number). */
#define R(name, build, id) \
  { name, build, KA_PROFILE_##id }
static const ka_release releases[] = {
  R("windows-2000", 2195, WINDOWS_2000),           /* NT 5.0 */
  R("windows-xp", 2600, WINDOWS_XP),               /* NT 5.1 */
  R("windows-server-2003", 3790, WINDOWS_2003),    /* NT 5.2 */
  R("windows-server-2003-r2", 3790, WINDOWS_2003), /* NT 5.2, same stack */
  R("windows-xp-x64", 3790, WINDOWS_2003),         /* NT 5.2: 2003 SP1's code */
  R("windows-vista", 6000, WINDOWS_VISTA),         /* NT 6.0 */
  R("windows-server-2008", 6001, WINDOWS_VISTA),   /* NT 6.0, = Vista SP1 */
  R("windows-7", 7600, WINDOWS_7),                 /* NT 6.1 */
  R("windows-server-2008-r2", 7600, WINDOWS_7),    /* NT 6.1 */
  R("windows-8", 9200, WINDOWS_7),                 /* NT 6.2 */
  R("windows-server-2012", 9200, WINDOWS_7),       /* NT 6.2 */
  R("windows-8.1", 9600, WINDOWS_7),               /* NT 6.3 */
  R("windows-server-2012-r2", 9600, WINDOWS_7),    /* NT 6.3 */
  R("windows-10-1507", 10240, WINDOWS_7),
  R("windows-10-1511", 10586, WINDOWS_7),
  R("windows-10-1607", 14393, WINDOWS_7),
  R("windows-server-2016", 14393, WINDOWS_7),
  R("windows-10-1703", 15063, WINDOWS_10_1703),
  R("windows-10-1709", 16299, WINDOWS_10_1709),
  R("windows-10-1803", 17134, WINDOWS_10_1709),
  R("windows-10-1809", 17763, WINDOWS_10_1709),
  R("windows-server-2019", 17763, WINDOWS_10_1709),
  R("windows-10-1903", 18362, WINDOWS_10_1709),
  R("windows-10-1909", 18363, WINDOWS_10_1709),
  R("windows-10-2004", 19041, WINDOWS_10_1709),
  R("windows-10-20h2", 19042, WINDOWS_10_1709),
  R("windows-10-21h1", 19043, WINDOWS_10_1709),
  R("windows-10-21h2", 19044, WINDOWS_10_21H2),
  R("windows-10-22h2", 19045, WINDOWS_10_21H2),
  R("windows-server-2022", 20348, WINDOWS_10_21H2),
  R("windows-11", 22000, WINDOWS_10_21H2), /* any Windows 11 */
  R("windows-11-21h2", 22000, WINDOWS_10_21H2),
  R("windows-11-22h2", 22621, WINDOWS_10_21H2),
  R("windows-11-23h2", 22631, WINDOWS_10_21H2),
  R("windows-11-24h2", 26100, WINDOWS_10_21H2),
  R("windows-server-2025", 26100, WINDOWS_10_21H2),
};
#undef R

const ka_profile *ka_profile_get(ka_profile_id id) {
  return (unsigned)id < KA_PROFILE_COUNT_ ? &profiles[id] : NULL;
}

const ka_profile *ka_profile_nth(size_t i) {
  return i < KA_PROFILE_COUNT_ ? &profiles[order[i]] : NULL;
}

const ka_release *ka_profile_releases(size_t *n) {
  if (n)
    *n = G_N_ELEMENTS(releases);
  return releases;
}

const ka_profile *ka_profile_find(const char *name) {
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++)
    if (g_ascii_strcasecmp(profiles[i].name, name) == 0)
      return &profiles[i];
  for (size_t i = 0; i < G_N_ELEMENTS(releases); i++)
    if (g_ascii_strcasecmp(releases[i].name, name) == 0)
      return &profiles[releases[i].profile];
  return NULL;
}

const char *ka_profile_names(void) {
  return "windows-2000, windows-xp, windows-2003, windows-vista, windows-7, windows-10-1703, "
         "windows-10-1709, windows-10-21h2, linux, freebsd, macos; or a Windows release such as "
         "windows-8.1 or windows-server-2019 (kasim profiles lists them)";
}

ka_profile_id ka_profile_id_of(const ka_profile *p) { return p->id; }
const char *ka_profile_name(const ka_profile *p) { return p->name; }
const char *ka_profile_description(const ka_profile *p) { return p->description; }
ka_os_family ka_profile_family(const ka_profile *p) { return p->family; }
bool ka_profile_is_windows(const ka_profile *p) { return p->family == KA_FAMILY_WINDOWS; }
ka_count_rule ka_profile_count_rule(const ka_profile *p) { return p->count_rule; }
ka_giveup_rule ka_profile_giveup_rule(const ka_profile *p) { return p->giveup_rule; }

bool ka_profile_option(const ka_profile *p, ka_opt opt, int *level, int *optname) {
  if ((unsigned)opt >= KA_OPT_COUNT_ || !p->opts[opt].exists)
    return false;
  if (level)
    *level = p->opts[opt].level;
  if (optname)
    *optname = p->opts[opt].name;
  return true;
}

ka_opt ka_profile_option_lookup(const ka_profile *p, int level, int optname) {
  for (int o = 0; o < KA_OPT_COUNT_; o++)
    if (p->opts[o].exists && p->opts[o].level == level && p->opts[o].name == optname)
      return (ka_opt)o;
  return KA_OPT_COUNT_;
}

bool ka_profile_has_sio_keepalive_vals(const ka_profile *p) { return p->sio_keepalive_vals; }
bool ka_profile_so_keepalive_mid_connect(const ka_profile *p) {
  return p->so_keepalive_mid_connect;
}
int ka_profile_so_keepalive_optlen(const ka_profile *p) { return p->so_keepalive_optlen; }
ka_time ka_profile_keepidle_unit(const ka_profile *p) { return p->keepidle_unit; }
bool ka_profile_neg_optlen_enobufs(const ka_profile *p) { return p->neg_optlen_enobufs; }
bool ka_profile_has_legacy_tcp_opt16(const ka_profile *p) { return p->legacy_tcp_opt16; }
bool ka_profile_always_keepalive_default(const ka_profile *p) { return p->always_keepalive; }
unsigned ka_profile_probe_payload(const ka_profile *p) { return p->probe_payload; }
bool ka_profile_rst_at_keepalive_giveup(const ka_profile *p) { return p->rst_at_keepalive_giveup; }
bool ka_profile_rst_at_retransmission_giveup(const ka_profile *p) {
  return p->rst_at_retransmission_giveup;
}
ka_time ka_profile_rto_min(const ka_profile *p) { return p->rto_min; }
ka_time ka_profile_rto_max(const ka_profile *p) { return p->rto_max; }
unsigned ka_profile_syn_retries(const ka_profile *p) { return p->syn_retries; }

ka_time ka_profile_syn_timeout(const ka_profile *p, unsigned k) {
  /* Doubling past the ceiling: stop before the shift can overflow. */
  ka_time t = KA_RTO_INITIAL;
  for (unsigned i = 0; i < k && t < p->rto_max; i++)
    t *= 2;
  return t < p->rto_max ? t : p->rto_max;
}

/* Error numbers per family.  Winsock's are 10000 + the BSD errno
 * (windows-sockets-error-codes-2 page); Linux's from asm-generic/errno.h;
 * FreeBSD's and macOS's from sys/errno.h, where only EOPNOTSUPP differs
 * (45 vs 102). */
typedef struct errnum {
  int num;
  const char *name;
} errnum;

#define E(n, s) \
  { n, s }
static const errnum win_errs[KA_ERR_COUNT_] = {
  [-KA_EINTR] = E(10004, "WSAEINTR"),
  [-KA_EFAULT] = E(10014, "WSAEFAULT"),
  [-KA_EINVAL] = E(10022, "WSAEINVAL"),
  [-KA_EINPROGRESS] = E(10036, "WSAEINPROGRESS"),
  [-KA_ENOTSOCK] = E(10038, "WSAENOTSOCK"),
  [-KA_ENOPROTOOPT] = E(10042, "WSAENOPROTOOPT"),
  [-KA_EOPNOTSUPP] = E(10045, "WSAEOPNOTSUPP"),
  [-KA_ENETDOWN] = E(10050, "WSAENETDOWN"),
  [-KA_ENETRESET] = E(10052, "WSAENETRESET"),
  [-KA_ECONNABORTED] = E(10053, "WSAECONNABORTED"),
  [-KA_ECONNRESET] = E(10054, "WSAECONNRESET"),
  [-KA_ENOBUFS] = E(10055, "WSAENOBUFS"),
  [-KA_ENOTCONN] = E(10057, "WSAENOTCONN"),
  [-KA_ETIMEDOUT] = E(10060, "WSAETIMEDOUT"),
  [-KA_ENOTINITIALISED] = E(10093, "WSANOTINITIALISED"),
};
static const errnum linux_errs[KA_ERR_COUNT_] = {
  [-KA_EINTR] = E(4, "EINTR"),
  [-KA_EFAULT] = E(14, "EFAULT"),
  [-KA_EINVAL] = E(22, "EINVAL"),
  [-KA_EINPROGRESS] = E(115, "EINPROGRESS"),
  [-KA_ENOTSOCK] = E(88, "ENOTSOCK"),
  [-KA_ENOPROTOOPT] = E(92, "ENOPROTOOPT"),
  [-KA_EOPNOTSUPP] = E(95, "EOPNOTSUPP"),
  [-KA_ENETDOWN] = E(100, "ENETDOWN"),
  [-KA_ENETRESET] = E(102, "ENETRESET"),
  [-KA_ECONNABORTED] = E(103, "ECONNABORTED"),
  [-KA_ECONNRESET] = E(104, "ECONNRESET"),
  [-KA_ENOBUFS] = E(105, "ENOBUFS"),
  [-KA_ENOTCONN] = E(107, "ENOTCONN"),
  [-KA_ETIMEDOUT] = E(110, "ETIMEDOUT"),
  [-KA_EPIPE] = E(32, "EPIPE"),
};
#define BSD_ERRS(opnotsupp)                                                                    \
  [-KA_EINTR] = E(4, "EINTR"), [-KA_EFAULT] = E(14, "EFAULT"), [-KA_EINVAL] = E(22, "EINVAL"), \
  [-KA_EINPROGRESS] = E(36, "EINPROGRESS"), [-KA_ENOTSOCK] = E(38, "ENOTSOCK"),                \
  [-KA_ENOPROTOOPT] = E(42, "ENOPROTOOPT"), [-KA_EOPNOTSUPP] = E(opnotsupp, "EOPNOTSUPP"),     \
  [-KA_ENETDOWN] = E(50, "ENETDOWN"), [-KA_ENETRESET] = E(52, "ENETRESET"),                    \
  [-KA_ECONNABORTED] = E(53, "ECONNABORTED"), [-KA_ECONNRESET] = E(54, "ECONNRESET"),          \
  [-KA_ENOBUFS] = E(55, "ENOBUFS"), [-KA_ENOTCONN] = E(57, "ENOTCONN"),                        \
  [-KA_ETIMEDOUT] = E(60, "ETIMEDOUT"), [-KA_EPIPE] = E(32, "EPIPE")
static const errnum freebsd_errs[KA_ERR_COUNT_] = {BSD_ERRS(45)};
static const errnum macos_errs[KA_ERR_COUNT_] = {BSD_ERRS(102)};
#undef E

static const errnum *errnum_of(const ka_profile *p, int err) {
  static const errnum *const tables[] = {
    [KA_FAMILY_WINDOWS] = win_errs,
    [KA_FAMILY_LINUX] = linux_errs,
    [KA_FAMILY_FREEBSD] = freebsd_errs,
    [KA_FAMILY_MACOS] = macos_errs,
  };
  if (err >= 0 || err <= -KA_ERR_COUNT_)
    return NULL;
  const errnum *e = &tables[p->family][-err];
  return e->name ? e : NULL;
}

int ka_profile_errnum(const ka_profile *p, int err) {
  const errnum *e = errnum_of(p, err);
  return e ? e->num : 0;
}

const char *ka_profile_errname(const ka_profile *p, int err) {
  const errnum *e = errnum_of(p, err);
  return e ? e->name : ka_err_name(err);
}
