/* ka_profile.c - the fixed rules of each modelled OS (facts §1-§6). */
#include "kasim/ka_profile.h"

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
  bool sio_keepalive_vals;
  bool so_keepalive_mid_connect;
  int so_keepalive_optlen;
  bool always_keepalive;
  unsigned probe_payload;
  bool rst_at_keepalive_giveup;
  bool rst_at_retransmission_giveup;
  ka_time rto_min, rto_max;
  unsigned syn_retries;
};

#define WIN_SO {true, KA_WIN_SOL_SOCKET, KA_WIN_SO_KEEPALIVE}
#define WIN_IDLE {true, KA_WIN_IPPROTO_TCP, KA_WIN_TCP_KEEPIDLE}
#define WIN_INTVL {true, KA_WIN_IPPROTO_TCP, KA_WIN_TCP_KEEPINTVL}
#define WIN_CNT {true, KA_WIN_IPPROTO_TCP, KA_WIN_TCP_KEEPCNT}
#define NONE {false, 0, 0}

/* Windows: 1-byte probes (captures, facts §6).  An RST at keep-alive
 * give-up is not documented by Microsoft (facts §3); kasim sends one, as
 * RFC 9293's ABORT does and as captures reported on the web show.  See
 * docs/model.md. */
#define WINDOWS_COMMON                                                         \
  .family = KA_FAMILY_WINDOWS, .giveup_rule = KA_GIVEUP_COUNT,                \
  .sio_keepalive_vals = true, .probe_payload = KA_WIN_PROBE_PAYLOAD,          \
  .rst_at_keepalive_giveup = true, .rst_at_retransmission_giveup = false,     \
  .rto_min = KA_RTO_MIN, .rto_max = KA_WIN_RTO_MAX, .syn_retries = KA_SYN_RETRIES

static const ka_profile profiles[KA_PROFILE_COUNT_] = {
  [KA_PROFILE_WINDOWS_2000] = {
    .id = KA_PROFILE_WINDOWS_2000, .name = "windows-2000",
    .description = "Windows 2000",
    WINDOWS_COMMON, .count_rule = KA_COUNT_REGISTRY_MAX,
    .opts = {[KA_OPT_SO_KEEPALIVE] = WIN_SO},
    .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,
  },
  [KA_PROFILE_WINDOWS_XP] = {
    .id = KA_PROFILE_WINDOWS_XP, .name = "windows-xp",
    .description = "Windows XP",
    WINDOWS_COMMON, .count_rule = KA_COUNT_REGISTRY_MAX,
    .opts = {[KA_OPT_SO_KEEPALIVE] = WIN_SO},
    .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,
  },
  [KA_PROFILE_WINDOWS_2003] = {
    .id = KA_PROFILE_WINDOWS_2003, .name = "windows-2003",
    .description = "Windows Server 2003",
    WINDOWS_COMMON, .count_rule = KA_COUNT_REGISTRY_MAX,
    .opts = {[KA_OPT_SO_KEEPALIVE] = WIN_SO},
    .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,
  },
  [KA_PROFILE_WINDOWS_VISTA] = {
    .id = KA_PROFILE_WINDOWS_VISTA, .name = "windows-vista",
    .description = "Windows Vista up to Windows 10 1607",
    WINDOWS_COMMON, .count_rule = KA_COUNT_FIXED,
    .opts = {[KA_OPT_SO_KEEPALIVE] = WIN_SO},
    .so_keepalive_mid_connect = false, .so_keepalive_optlen = 1,
  },
  [KA_PROFILE_WINDOWS_10_1703] = {
    .id = KA_PROFILE_WINDOWS_10_1703, .name = "windows-10-1703",
    .description = "Windows 10 1703 (build 15063): TCP_KEEPCNT",
    WINDOWS_COMMON, .count_rule = KA_COUNT_SOCKOPT,
    .opts = {[KA_OPT_SO_KEEPALIVE] = WIN_SO, [KA_OPT_TCP_KEEPCNT] = WIN_CNT},
    .so_keepalive_mid_connect = false, .so_keepalive_optlen = 1,
  },
  [KA_PROFILE_WINDOWS_10_1709] = {
    .id = KA_PROFILE_WINDOWS_10_1709, .name = "windows-10-1709",
    .description = "Windows 10 1709 (build 16299) and later, Windows 11",
    WINDOWS_COMMON, .count_rule = KA_COUNT_SOCKOPT,
    .opts = {[KA_OPT_SO_KEEPALIVE] = WIN_SO, [KA_OPT_TCP_KEEPIDLE] = WIN_IDLE,
             [KA_OPT_TCP_KEEPINTVL] = WIN_INTVL, [KA_OPT_TCP_KEEPCNT] = WIN_CNT},
    .so_keepalive_mid_connect = false, .so_keepalive_optlen = 1,
  },
  /* Linux: tcp_keepalive_timer sends an RST at give-up
   * (tcp_send_active_reset); tcp_write_timeout does not. */
  [KA_PROFILE_LINUX] = {
    .id = KA_PROFILE_LINUX, .name = "linux",
    .description = "Linux (reference stack for kernel validation)",
    .family = KA_FAMILY_LINUX, .count_rule = KA_COUNT_SYSCTL,
    .giveup_rule = KA_GIVEUP_COUNT,
    .opts = {
      [KA_OPT_SO_KEEPALIVE] = {true, KA_LINUX_SOL_SOCKET, KA_LINUX_SO_KEEPALIVE},
      [KA_OPT_TCP_KEEPIDLE] = {true, KA_LINUX_IPPROTO_TCP, KA_LINUX_TCP_KEEPIDLE},
      [KA_OPT_TCP_KEEPINTVL] = {true, KA_LINUX_IPPROTO_TCP, KA_LINUX_TCP_KEEPINTVL},
      [KA_OPT_TCP_KEEPCNT] = {true, KA_LINUX_IPPROTO_TCP, KA_LINUX_TCP_KEEPCNT},
      [KA_OPT_TCP_USER_TIMEOUT] = {true, KA_LINUX_IPPROTO_TCP, KA_LINUX_TCP_USER_TIMEOUT},
    },
    .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,
    .probe_payload = 0, .rst_at_keepalive_giveup = true,
    .rst_at_retransmission_giveup = false, .rto_min = KA_LINUX_RTO_MIN,
    .rto_max = KA_LINUX_RTO_MAX, .syn_retries = KA_LINUX_TCP_SYN_RETRIES_DEFAULT,
  },
  /* FreeBSD and macOS: tcp_drop() sends an RST on a synchronized
   * connection, from both the keep and the rexmt timer. */
  [KA_PROFILE_FREEBSD] = {
    .id = KA_PROFILE_FREEBSD, .name = "freebsd",
    .description = "FreeBSD (always_keepalive on by default)",
    .family = KA_FAMILY_FREEBSD, .count_rule = KA_COUNT_SYSCTL,
    .giveup_rule = KA_GIVEUP_TIME,
    .opts = {
      [KA_OPT_SO_KEEPALIVE] = {true, KA_BSD_SOL_SOCKET, KA_BSD_SO_KEEPALIVE},
      [KA_OPT_TCP_KEEPIDLE] = {true, KA_BSD_IPPROTO_TCP, KA_FREEBSD_TCP_KEEPIDLE},
      [KA_OPT_TCP_KEEPINTVL] = {true, KA_BSD_IPPROTO_TCP, KA_FREEBSD_TCP_KEEPINTVL},
      [KA_OPT_TCP_KEEPCNT] = {true, KA_BSD_IPPROTO_TCP, KA_FREEBSD_TCP_KEEPCNT},
    },
    .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,
    .always_keepalive = true, .probe_payload = 0,
    .rst_at_keepalive_giveup = true, .rst_at_retransmission_giveup = true,
    .rto_min = KA_RTO_MIN, .rto_max = KA_BSD_RTO_MAX, .syn_retries = KA_SYN_RETRIES,
  },
  [KA_PROFILE_MACOS] = {
    .id = KA_PROFILE_MACOS, .name = "macos",
    .description = "macOS (XNU)",
    .family = KA_FAMILY_MACOS, .count_rule = KA_COUNT_SYSCTL,
    .giveup_rule = KA_GIVEUP_TIME,
    .opts = {
      [KA_OPT_SO_KEEPALIVE] = {true, KA_BSD_SOL_SOCKET, KA_BSD_SO_KEEPALIVE},
      [KA_OPT_TCP_KEEPIDLE] = {true, KA_BSD_IPPROTO_TCP, KA_MACOS_TCP_KEEPALIVE},
      [KA_OPT_TCP_KEEPINTVL] = {true, KA_BSD_IPPROTO_TCP, KA_MACOS_TCP_KEEPINTVL},
      [KA_OPT_TCP_KEEPCNT] = {true, KA_BSD_IPPROTO_TCP, KA_MACOS_TCP_KEEPCNT},
    },
    .so_keepalive_mid_connect = true, .so_keepalive_optlen = 4,
    .always_keepalive = false, .probe_payload = 0,
    .rst_at_keepalive_giveup = true, .rst_at_retransmission_giveup = true,
    .rto_min = KA_RTO_MIN, .rto_max = KA_BSD_RTO_MAX, .syn_retries = KA_SYN_RETRIES,
  },
};

const ka_profile *ka_profile_get(ka_profile_id id) {
  return (unsigned)id < KA_PROFILE_COUNT_ ? &profiles[id] : NULL;
}

const ka_profile *ka_profile_find(const char *name) {
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++)
    if (strcmp(profiles[i].name, name) == 0)
      return &profiles[i];
  return NULL;
}

const char *ka_profile_names(void) {
  return "windows-2000, windows-xp, windows-2003, windows-vista, windows-10-1703, "
         "windows-10-1709, linux, freebsd, macos";
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
bool ka_profile_so_keepalive_mid_connect(const ka_profile *p) { return p->so_keepalive_mid_connect; }
int ka_profile_so_keepalive_optlen(const ka_profile *p) { return p->so_keepalive_optlen; }
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

#define E(n, s) {n, s}
static const errnum win_errs[KA_ERR_COUNT_] = {
  [-KA_EINTR] = E(10004, "WSAEINTR"), [-KA_EFAULT] = E(10014, "WSAEFAULT"),
  [-KA_EINVAL] = E(10022, "WSAEINVAL"), [-KA_EINPROGRESS] = E(10036, "WSAEINPROGRESS"),
  [-KA_ENOTSOCK] = E(10038, "WSAENOTSOCK"), [-KA_ENOPROTOOPT] = E(10042, "WSAENOPROTOOPT"),
  [-KA_EOPNOTSUPP] = E(10045, "WSAEOPNOTSUPP"), [-KA_ENETDOWN] = E(10050, "WSAENETDOWN"),
  [-KA_ENETRESET] = E(10052, "WSAENETRESET"), [-KA_ECONNABORTED] = E(10053, "WSAECONNABORTED"),
  [-KA_ECONNRESET] = E(10054, "WSAECONNRESET"), [-KA_ENOBUFS] = E(10055, "WSAENOBUFS"),
  [-KA_ENOTCONN] = E(10057, "WSAENOTCONN"), [-KA_ETIMEDOUT] = E(10060, "WSAETIMEDOUT"),
  [-KA_ENOTINITIALISED] = E(10093, "WSANOTINITIALISED"),
};
static const errnum linux_errs[KA_ERR_COUNT_] = {
  [-KA_EINTR] = E(4, "EINTR"), [-KA_EFAULT] = E(14, "EFAULT"), [-KA_EINVAL] = E(22, "EINVAL"),
  [-KA_EINPROGRESS] = E(115, "EINPROGRESS"), [-KA_ENOTSOCK] = E(88, "ENOTSOCK"),
  [-KA_ENOPROTOOPT] = E(92, "ENOPROTOOPT"), [-KA_EOPNOTSUPP] = E(95, "EOPNOTSUPP"),
  [-KA_ENETDOWN] = E(100, "ENETDOWN"), [-KA_ENETRESET] = E(102, "ENETRESET"),
  [-KA_ECONNABORTED] = E(103, "ECONNABORTED"), [-KA_ECONNRESET] = E(104, "ECONNRESET"),
  [-KA_ENOBUFS] = E(105, "ENOBUFS"), [-KA_ENOTCONN] = E(107, "ENOTCONN"),
  [-KA_ETIMEDOUT] = E(110, "ETIMEDOUT"), [-KA_EPIPE] = E(32, "EPIPE"),
};
#define BSD_ERRS(opnotsupp)                                                      \
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
    [KA_FAMILY_WINDOWS] = win_errs, [KA_FAMILY_LINUX] = linux_errs,
    [KA_FAMILY_FREEBSD] = freebsd_errs, [KA_FAMILY_MACOS] = macos_errs,
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
