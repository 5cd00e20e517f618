/* ka_sock.c - the keep-alive socket options of each modelled OS.
 *
 * Windows follows facts §1 (Microsoft's pages where they agree with real
 * Windows, Wine's tests where they do not); Linux follows net/core/sock.c
 * and net/ipv4/tcp.c (facts §4); FreeBSD sys/kern/uipc_socket.c,
 * uipc_syscalls.c and sys/netinet/tcp_usrreq.c; macOS XNU's counterparts.
 *
 * Option buffers are byte buffers as the OS sees them.  Integers in them are
 * read and written with memcpy in host order, which is the modelled OSes'
 * order only on a little-endian host: Windows's "only the first byte of
 * SO_KEEPALIVE counts" is a little-endian fact.  The build refuses other
 * hosts below.
 *
 * Linux and the BSDs check in the order their kernels do (cited below).
 * For Windows no source gives the order between two failing checks; kasim
 * uses: handle, WSAStartup, level, option, socket type, buffers,
 * connection state, value.  docs/model.md lists every such choice.
 */
#include "kasim/ka_sock.h"

#include <string.h>

#include "kasim/ka_error.h"
#include "kasim/ka_options.h"

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "kasim's socket model reads option buffers in host order; it needs a little-endian host"
#endif
_Static_assert(sizeof(int) == 4, "option values are 4-byte ints on every modelled OS");

struct ka_sock {
  const ka_params *params; /* borrowed */
  const ka_profile *profile;
  ka_sock_type type;
  ka_sock_state state;
  unsigned flags;
  /* SO_KEEPALIVE as the OS stores it: one byte on Vista+ (0..255), 0/1 on
   * 2000/XP/2003 (any non-zero DWORD reads back as 1) and on Linux
   * (sock_valbool_flag), 0/SO_KEEPALIVE on FreeBSD and macOS (the
   * so_options bit). */
  uint32_t so_keepalive;
  ka_time idle, intvl; /* per-socket, valid when *_set */
  uint32_t cnt;
  bool idle_set, intvl_set, cnt_set;
  int user_timeout_ms;   /* Linux TCP_USER_TIMEOUT; 0 = off */
  uint32_t legacy_opt16; /* Windows 2003 and older: IPPROTO_TCP option 16 */
};

ka_sock *ka_sock_new(const ka_params *params, ka_sock_type type, unsigned flags) {
  g_return_val_if_fail(params != NULL, NULL);
  ka_sock *s = g_new0(ka_sock, 1);
  s->params = params;
  s->profile = ka_params_profile(params);
  s->type = type;
  s->state = KA_SOCK_STATE_IDLE;
  s->flags = flags;
  return s;
}

void ka_sock_free(ka_sock *s) { g_free(s); }

/* A listening datagram socket cannot accept (there is no connection to
 * hand out): NULL, as for a NULL listener. */
ka_sock *ka_sock_accept(const ka_sock *listener) {
  if (listener == NULL || listener->type != KA_SOCK_STREAM)
    return NULL;
  ka_sock *s = g_memdup2(listener, sizeof *listener);
  s->state = KA_SOCK_STATE_CONNECTED;
  return s;
}

ka_sock_state ka_sock_get_state(const ka_sock *s) {
  g_return_val_if_fail(s != NULL, KA_SOCK_STATE_IDLE);
  return s->state;
}

void ka_sock_set_state(ka_sock *s, ka_sock_state state) {
  g_return_if_fail(s != NULL);
  s->state = state;
}

const ka_profile *ka_sock_profile(const ka_sock *s) {
  g_return_val_if_fail(s != NULL, NULL);
  return s->profile;
}

/* --- effective values ------------------------------------------------- */

static ka_time eff_idle(const ka_sock *s) {
  return s->idle_set ? s->idle : ka_params_keepidle(s->params);
}
static ka_time eff_intvl(const ka_sock *s) {
  return s->intvl_set ? s->intvl : ka_params_keepintvl(s->params);
}
static uint32_t eff_cnt(const ka_sock *s) {
  return s->cnt_set ? s->cnt : ka_params_keepcnt(s->params);
}

/* Whole seconds, truncated, as every OS reports TCP_KEEPIDLE/INTVL. */
static uint32_t secs(ka_time t) { return (uint32_t)(t / KA_NS_PER_S); }

static void set_idle(ka_sock *s, ka_time t) { s->idle = t, s->idle_set = true; }
static void set_intvl(ka_sock *s, ka_time t) { s->intvl = t, s->intvl_set = true; }
static void set_cnt(ka_sock *s, uint32_t n) { s->cnt = n, s->cnt_set = true; }

static bool wsa_uninitialised(const ka_sock *s) {
  return ka_profile_is_windows(s->profile) && (s->flags & KA_SOCK_NO_WSASTARTUP);
}

/* setsockopt on a connection that keep-alive timed out or that was reset
 * (setsockopt page, facts §1). */
static int win_state_error(const ka_sock *s) {
  if (s->state == KA_SOCK_STATE_TIMED_OUT)
    return KA_ENETRESET;
  if (s->state == KA_SOCK_STATE_RESET)
    return KA_ENOTCONN;
  return KA_OK;
}

/* --- Windows ------------------------------------------------------------ */

/* What an (IPPROTO_TCP, optname) pair is on this Windows version. */
typedef enum win_opt {
  WIN_OPT_KNOWN,    /* a ka_opt of the profile */
  WIN_OPT_LEGACY_16 /* 2003 and older: option 16, not TCP_KEEPCNT */
} win_opt;

/* Level and option (facts §1): an unknown level is WSAEINVAL, an option the
 * level (or this Windows version) lacks WSAENOPROTOOPT, and so is every
 * keep-alive option on a datagram socket. */
static int win_lookup(const ka_sock *s, int level, int optname, ka_opt *opt, win_opt *kind) {
  if (level != KA_WIN_SOL_SOCKET && level != KA_WIN_IPPROTO_TCP)
    return KA_EINVAL;
  *opt = ka_profile_option_lookup(s->profile, level, optname);
  *kind = WIN_OPT_KNOWN;
  if (*opt == KA_OPT_COUNT_ && level == KA_WIN_IPPROTO_TCP && optname == KA_WIN_TCP_KEEPCNT &&
      ka_profile_has_legacy_tcp_opt16(s->profile))
    *kind = WIN_OPT_LEGACY_16;
  else if (*opt == KA_OPT_COUNT_)
    return KA_ENOPROTOOPT;
  if (s->type == KA_SOCK_DGRAM)
    return KA_ENOPROTOOPT;
  return KA_OK;
}

/* Vista+ keeps SO_KEEPALIVE as one byte; 2003 and older as a BOOL. */
static bool one_byte_so_keepalive(const ka_sock *s) {
  return ka_profile_so_keepalive_optlen(s->profile) == 1;
}

/* setsockopt's optlen for a 4-byte option (facts §1, Wine test_optsize):
 * negative is WSAENOBUFS on 10 21H2 and later and WSAEFAULT before (Vista
 * and 2003: ka_options.h); shorter than `need` is WSAEFAULT. */
static int win_set_optlen(const ka_sock *s, int optlen, int need) {
  if (optlen < 0)
    return ka_profile_neg_optlen_enobufs(s->profile) ? KA_ENOBUFS : KA_EFAULT;
  return optlen < need ? KA_EFAULT : KA_OK;
}

/* The unit of option 3's value (ka_profile_keepidle_unit). */
static ka_time keepidle_unit(const ka_sock *s) { return ka_profile_keepidle_unit(s->profile); }

/* The first `n` bytes of a caller's buffer as a little-endian number. */
static uint32_t read_le(const void *buf, size_t n) {
  uint32_t v = 0;
  memcpy(&v, buf, n);
  return v;
}

static int win_set_so_keepalive(ka_sock *s, const void *optval, int optlen) {
  /* Observed (Wine test_optsize; facts §1): every version takes optlen 1
   * and 2, not only the documented sizeof(DWORD).  Vista+ keeps the first
   * byte (0x100 means off); 2003 and older keep a BOOL: the first byte
   * below 4 bytes, the whole DWORD from 4, any non-zero value stored as 1
   * (0x100 means on and reads back 1). */
  int rc = win_set_optlen(s, optlen, 1);
  if (rc)
    return rc;
  if ((rc = win_state_error(s)))
    return rc;
  if (s->state == KA_SOCK_STATE_CONNECTING && !ka_profile_so_keepalive_mid_connect(s->profile))
    return KA_EINVAL;
  if (one_byte_so_keepalive(s))
    s->so_keepalive = read_le(optval, 1);
  else
    s->so_keepalive = read_le(optval, optlen < 4 ? 1 : 4) != 0;
  return KA_OK;
}

static int win_setsockopt(ka_sock *s, int level, int optname, const void *optval, int optlen) {
  ka_opt opt;
  win_opt kind;
  int rc = win_lookup(s, level, optname, &opt, &kind);
  if (rc)
    return rc;
  if (optval == NULL)
    return KA_EFAULT;
  if (opt == KA_OPT_SO_KEEPALIVE)
    return win_set_so_keepalive(s, optval, optlen);
  /* The TCP options are DWORDs: fewer than 4 bytes is WSAEFAULT, more are
   * accepted and only the first 4 read (Wine test_optsize, optlen 8). */
  if ((rc = win_set_optlen(s, optlen, 4)))
    return rc;
  if ((rc = win_state_error(s)))
    return rc;
  uint32_t v = read_le(optval, 4);
  if (kind == WIN_OPT_LEGACY_16) {
    /* Accepted, with a meaning that is not the probe count (facts §1);
     * kasim keeps the value only to read it back. */
    s->legacy_opt16 = v;
    return KA_OK;
  }
  switch (opt) {
  /* Option 3: seconds from 1709, an assumed unit before (ka_options.h). */
  case KA_OPT_TCP_KEEPIDLE: set_idle(s, (ka_time)v * keepidle_unit(s)); break;
  case KA_OPT_TCP_KEEPINTVL: set_intvl(s, KA_S(v)); break;
  case KA_OPT_TCP_KEEPCNT:
    if (v > KA_WIN_TCP_KEEPCNT_MAX)
      return KA_EINVAL;
    set_cnt(s, v);
    break;
  default: return KA_ENOPROTOOPT; /* not reached: lookup admits no other */
  }
  return KA_OK;
}

static int win_getsockopt(const ka_sock *s, int level, int optname, void *optval, int *optlen) {
  ka_opt opt;
  win_opt kind;
  int rc = win_lookup(s, level, optname, &opt, &kind);
  if (rc)
    return rc;
  if (optval == NULL || optlen == NULL)
    return KA_EFAULT;
  /* A negative *optlen is WSAEFAULT and stays as it was (Wine
   * test_optsize: -1 stays -1), for every option. */
  if (*optlen < 0)
    return KA_EFAULT;
  if (opt == KA_OPT_SO_KEEPALIVE) {
    /* Observed: *optlen 0 is WSAEFAULT; otherwise Vista+ returns its one
     * byte with *optlen 1 whatever the caller offered, and 2003 and older
     * one byte into a buffer shorter than 4, else the DWORD with *optlen 4
     * (facts §1).  Bytes past those written are left as they were. */
    if (*optlen < 1)
      return KA_EFAULT;
    int n = one_byte_so_keepalive(s) || *optlen < 4 ? 1 : 4;
    memcpy(optval, &s->so_keepalive, (size_t)n);
    *optlen = n;
    return KA_OK;
  }
  if (*optlen < 4) {
    *optlen = 0; /* Wine test_optsize: a short buffer zeroes optlen */
    return KA_EFAULT;
  }
  uint32_t v;
  if (kind == WIN_OPT_LEGACY_16)
    v = s->legacy_opt16;
  else
    switch (opt) {
    case KA_OPT_TCP_KEEPIDLE: v = (uint32_t)(eff_idle(s) / keepidle_unit(s)); break;
    case KA_OPT_TCP_KEEPINTVL: v = secs(eff_intvl(s)); break;
    case KA_OPT_TCP_KEEPCNT: v = eff_cnt(s); break;
    default: return KA_ENOPROTOOPT;
    }
  memcpy(optval, &v, 4);
  *optlen = 4;
  return KA_OK;
}

/* --- Linux -------------------------------------------------------------- */

/* The level that reaches a handler for our options: SOL_SOCKET on any
 * socket, IPPROTO_TCP on a stream socket only (a UDP socket hands level 6
 * to ip_setsockopt, which refuses it with ENOPROTOOPT).  Every other level
 * is ENOPROTOOPT too. */
static bool linux_level_ok(const ka_sock *s, int level) {
  return level == KA_LINUX_SOL_SOCKET ||
         (level == KA_LINUX_IPPROTO_TCP && s->type == KA_SOCK_STREAM);
}

static int linux_setsockopt(ka_sock *s, int level, int optname, const void *optval, int optlen) {
  if (!linux_level_ok(s, level))
    return KA_ENOPROTOOPT;
  /* sk_setsockopt and do_tcp_setsockopt check the length, then copy the
   * int, then look at the option. */
  if (optlen < (int)sizeof(int))
    return KA_EINVAL;
  if (optval == NULL)
    return KA_EFAULT;
  int val;
  memcpy(&val, optval, sizeof val);
  switch (ka_profile_option_lookup(s->profile, level, optname)) {
  case KA_OPT_SO_KEEPALIVE: s->so_keepalive = val != 0; break;
  case KA_OPT_TCP_KEEPIDLE:
    if (val < 1 || val > (int)KA_LINUX_MAX_TCP_KEEPIDLE)
      return KA_EINVAL;
    set_idle(s, KA_S(val));
    break;
  case KA_OPT_TCP_KEEPINTVL:
    if (val < 1 || val > (int)KA_LINUX_MAX_TCP_KEEPINTVL)
      return KA_EINVAL;
    set_intvl(s, KA_S(val));
    break;
  case KA_OPT_TCP_KEEPCNT:
    if (val < 1 || val > (int)KA_LINUX_MAX_TCP_KEEPCNT)
      return KA_EINVAL;
    set_cnt(s, (uint32_t)val);
    break;
  case KA_OPT_TCP_USER_TIMEOUT:
    if (val < 0)
      return KA_EINVAL;
    s->user_timeout_ms = val;
    break;
  default: return KA_ENOPROTOOPT;
  }
  return KA_OK;
}

static int linux_getsockopt(const ka_sock *s, int level, int optname, void *optval, int *optlen) {
  if (!linux_level_ok(s, level))
    return KA_ENOPROTOOPT;
  if (optlen == NULL)
    return KA_EFAULT;
  int len = *optlen, val;
  ka_opt opt = ka_profile_option_lookup(s->profile, level, optname);
  if (level == KA_LINUX_SOL_SOCKET) {
    /* sk_getsockopt: a negative length is EINVAL; the value is copied,
     * then the length written back. */
    if (len < 0)
      return KA_EINVAL;
    if (opt != KA_OPT_SO_KEEPALIVE)
      return KA_ENOPROTOOPT;
    val = (int)s->so_keepalive;
    len = MIN(len, (int)sizeof val);
    if (len > 0 && optval == NULL)
      return KA_EFAULT;
    if (len > 0)
      memcpy(optval, &val, (size_t)len);
    *optlen = len;
    return KA_OK;
  }
  /* do_tcp_getsockopt: len = min_t(unsigned int, len, sizeof(int)), so a
   * negative length becomes 4 and its "len < 0" test never fires; the
   * length is written back before the value is copied. */
  len = (unsigned)len < sizeof val ? len : (int)sizeof val;
  switch (opt) {
  case KA_OPT_TCP_KEEPIDLE: val = (int)secs(eff_idle(s)); break;
  case KA_OPT_TCP_KEEPINTVL: val = (int)secs(eff_intvl(s)); break;
  case KA_OPT_TCP_KEEPCNT: val = (int)eff_cnt(s); break;
  case KA_OPT_TCP_USER_TIMEOUT: val = s->user_timeout_ms; break;
  default: return KA_ENOPROTOOPT;
  }
  *optlen = len;
  if (len > 0 && optval == NULL)
    return KA_EFAULT;
  if (len > 0)
    memcpy(optval, &val, (size_t)len);
  return KA_OK;
}

/* --- FreeBSD and macOS ---------------------------------------------------- */

/* The largest seconds value for TCP_KEEPIDLE/TCP_KEEPINTVL: FreeBSD refuses
 * ui > UINT_MAX / hz; XNU optval > UINT32_MAX / TCP_RETRANSHZ, and
 * TCP_RETRANSHZ is 1000 like KA_BSD_HZ (XNU bsd/netinet/tcp_var.h). */
#define BSD_SECS_MAX (UINT32_MAX / KA_BSD_HZ)

static int bsd_setsockopt(ka_sock *s, int level, int optname, const void *optval, int optlen) {
  bool macos = ka_profile_family(s->profile) == KA_FAMILY_MACOS;
  /* kern_setsockopt (FreeBSD) and setsockopt (XNU): a NULL buffer with a
   * length is EFAULT, a negative length EINVAL, before any level. */
  if (optval == NULL && optlen != 0)
    return KA_EFAULT;
  if (optlen < 0)
    return KA_EINVAL;
  /* A UDP socket passes IPPROTO_TCP to ip_ctloutput as well: EINVAL. */
  if (level != KA_BSD_SOL_SOCKET && !(level == KA_BSD_IPPROTO_TCP && s->type == KA_SOCK_STREAM))
    return KA_EINVAL;
  ka_opt opt = ka_profile_option_lookup(s->profile, level, optname);
  if (opt == KA_OPT_COUNT_)
    return KA_ENOPROTOOPT;
  /* sooptcopyin: fewer bytes than an int is EINVAL. */
  if (optlen < (int)sizeof(int))
    return KA_EINVAL;
  int val;
  memcpy(&val, optval, sizeof val);
  uint32_t u = (uint32_t)val; /* FreeBSD reads a u_int */
  switch (opt) {
  case KA_OPT_SO_KEEPALIVE: s->so_keepalive = val ? KA_BSD_SO_KEEPALIVE : 0; return KA_OK;
  case KA_OPT_TCP_KEEPIDLE:
  case KA_OPT_TCP_KEEPINTVL:
    /* A negative int is a huge u_int on FreeBSD and "< 0" on XNU: EINVAL
     * either way. */
    if (u > BSD_SECS_MAX)
      return KA_EINVAL;
    /* 0 means "the system default" (TP_KEEPIDLE; TCP_CONN_KEEPIDLE). */
    {
      bool *set = opt == KA_OPT_TCP_KEEPIDLE ? &s->idle_set : &s->intvl_set;
      ka_time *t = opt == KA_OPT_TCP_KEEPIDLE ? &s->idle : &s->intvl;
      *t = KA_S(u);
      *set = u != 0;
    }
    return KA_OK;
  case KA_OPT_TCP_KEEPCNT:
    if (macos && val < 0)
      return KA_EINVAL;
    s->cnt = u;
    s->cnt_set = u != 0;
    return KA_OK;
  default: return KA_ENOPROTOOPT;
  }
}

static int bsd_getsockopt(const ka_sock *s, int level, int optname, void *optval, int *optlen) {
  if (optlen == NULL)
    return KA_EFAULT;
  /* kern_getsockopt: no buffer means a length of 0; a negative length is
   * EINVAL. */
  int len = optval == NULL ? 0 : *optlen;
  if (len < 0)
    return KA_EINVAL;
  if (level != KA_BSD_SOL_SOCKET && !(level == KA_BSD_IPPROTO_TCP && s->type == KA_SOCK_STREAM))
    return KA_EINVAL;
  uint32_t v;
  switch (ka_profile_option_lookup(s->profile, level, optname)) {
  case KA_OPT_SO_KEEPALIVE: v = s->so_keepalive; break;
  case KA_OPT_TCP_KEEPIDLE: v = secs(eff_idle(s)); break;
  case KA_OPT_TCP_KEEPINTVL: v = secs(eff_intvl(s)); break;
  case KA_OPT_TCP_KEEPCNT: v = eff_cnt(s); break;
  default: return KA_ENOPROTOOPT;
  }
  /* sooptcopyout copies min(len, 4) and reports that length. */
  len = MIN(len, (int)sizeof v);
  if (len > 0)
    memcpy(optval, &v, (size_t)len);
  *optlen = len;
  return KA_OK;
}

/* --- the API ------------------------------------------------------------ */

int ka_sock_setsockopt(ka_sock *s, int level, int optname, const void *optval, int optlen) {
  if (s == NULL)
    return KA_ENOTSOCK;
  if (wsa_uninitialised(s))
    return KA_ENOTINITIALISED;
  switch (ka_profile_family(s->profile)) {
  case KA_FAMILY_WINDOWS: return win_setsockopt(s, level, optname, optval, optlen);
  case KA_FAMILY_LINUX: return linux_setsockopt(s, level, optname, optval, optlen);
  default: return bsd_setsockopt(s, level, optname, optval, optlen);
  }
}

int ka_sock_getsockopt(const ka_sock *s, int level, int optname, void *optval, int *optlen) {
  if (s == NULL)
    return KA_ENOTSOCK;
  if (wsa_uninitialised(s))
    return KA_ENOTINITIALISED;
  switch (ka_profile_family(s->profile)) {
  case KA_FAMILY_WINDOWS: return win_getsockopt(s, level, optname, optval, optlen);
  case KA_FAMILY_LINUX: return linux_getsockopt(s, level, optname, optval, optlen);
  default: return bsd_getsockopt(s, level, optname, optval, optlen);
  }
}

/* WSAIoctl(SIO_KEEPALIVE_VALS), facts §1.  The ioctl does not exist outside
 * Windows: EOPNOTSUPP.  On a datagram socket kasim assumes WSAEOPNOTSUPP
 * (no source says; the option counterpart is WSAENOPROTOOPT).  The
 * Vista+ mid-connect rule is SO_KEEPALIVE's and is not applied here. */
int ka_sock_wsaioctl(ka_sock *s, uint32_t code, const void *in, uint32_t in_len, void *out,
                     uint32_t out_len, uint32_t *bytes_returned) {
  (void)out; /* output buffer size 0: never written (sio-keepalive-vals) */
  (void)out_len;
  if (s == NULL)
    return KA_ENOTSOCK;
  if (!ka_profile_has_sio_keepalive_vals(s->profile))
    return KA_EOPNOTSUPP;
  if (wsa_uninitialised(s))
    return KA_ENOTINITIALISED;
  if (code != KA_WIN_SIO_KEEPALIVE_VALS)
    return KA_EOPNOTSUPP;
  if (s->type == KA_SOCK_DGRAM)
    return KA_EOPNOTSUPP;
  if (in == NULL || in_len < KA_WIN_TCP_KEEPALIVE_SIZE) {
    if (bytes_returned)
      *bytes_returned = 0;
    return KA_EFAULT;
  }
  if (bytes_returned == NULL)
    return KA_EFAULT;
  int rc = win_state_error(s);
  if (rc)
    return rc;
  uint32_t ka[3]; /* onoff, keepalivetime (ms), keepaliveinterval (ms) */
  memcpy(ka, in, sizeof ka);
  s->so_keepalive = ka[0] != 0;
  /* The times apply even with onoff 0 and outlive SO_KEEPALIVE toggling
   * (Go tcpsockopt_windows.go; Cygwin socket_inet.cc).  Count: unchanged. */
  set_idle(s, KA_MS(ka[1]));
  set_intvl(s, KA_MS(ka[2]));
  *bytes_returned = 0;
  return KA_OK;
}

int ka_sock_set_int(ka_sock *s, ka_opt opt, int value) {
  if (s == NULL)
    return KA_ENOTSOCK;
  if (wsa_uninitialised(s))
    return KA_ENOTINITIALISED;
  int level, optname;
  if (!ka_profile_option(s->profile, opt, &level, &optname))
    return KA_ENOPROTOOPT;
  return ka_sock_setsockopt(s, level, optname, &value, (int)sizeof value);
}

void ka_sock_cfg(const ka_sock *s, ka_cfg *cfg) {
  g_return_if_fail(s != NULL && cfg != NULL);
  const ka_profile *p = s->profile;
  memset(cfg, 0, sizeof *cfg);
  cfg->profile = p;
  /* On Vista+ so_keepalive already holds only the first byte. */
  cfg->enabled = s->so_keepalive != 0 || ka_params_always_keepalive(s->params);
  cfg->idle = eff_idle(s);
  /* XNU's TCP_CONN_KEEPIDLE uses the socket's TCP_KEEPALIVE only while
   * SO_KEEPALIVE is set; with always_keepalive alone the sysctl applies
   * (bsd/netinet/tcp_timer.h). */
  if (ka_profile_family(p) == KA_FAMILY_MACOS && s->so_keepalive == 0)
    cfg->idle = ka_params_keepidle(s->params);
  cfg->intvl = eff_intvl(s);
  cfg->cnt = eff_cnt(s);
  /* Count 0 on Windows sends no probe at all (facts §2, for the registry
   * count of 2000/XP/2003); kasim assumes TCP_KEEPCNT=0 on 1703+ does the
   * same. */
  cfg->never_probes = ka_profile_is_windows(p) && cfg->cnt == 0;
  cfg->user_timeout = ka_profile_family(p) == KA_FAMILY_LINUX ? KA_MS(s->user_timeout_ms) : 0;
  cfg->max_retrans = ka_params_max_retransmissions(s->params);
  cfg->jiffies = ka_params_jiffies(s->params);
}
