/* test_sock.c - the socket option API of each profile (facts §1, §2, §4,
 * §5).  Expected error numbers are the OS's own (windows-sockets-error-
 * codes-2 page; Linux asm-generic/errno.h; BSD sys/errno.h). */
#include <kasim/ka_error.h>
#include <kasim/ka_options.h>
#include <kasim/ka_params.h>
#include <kasim/ka_profile.h>
#include <kasim/ka_sock.h>
#include <limits.h>
#include <string.h>

/* Winsock (facts §1). */
enum {
  WSAEFAULT = 10014,
  WSAEINVAL = 10022,
  WSAENOTSOCK = 10038,
  WSAENOPROTOOPT = 10042,
  WSAEOPNOTSUPP = 10045,
  WSAENETRESET = 10052,
  WSAENOBUFS = 10055,
  WSAENOTCONN = 10057,
  WSANOTINITIALISED = 10093
};
/* Linux. */
enum { L_EINVAL = 22, L_ENOPROTOOPT = 92, L_EOPNOTSUPP = 95 };
/* FreeBSD and macOS. */
enum { B_EINVAL = 22, B_ENOPROTOOPT = 42, FBSD_EOPNOTSUPP = 45, MAC_EOPNOTSUPP = 102 };

#define WSOL KA_WIN_SOL_SOCKET
#define WTCP KA_WIN_IPPROTO_TCP

typedef struct fx {
  ka_params *params;
  ka_sock *s;
} fx;

static fx fx_new(ka_profile_id id, ka_sock_type type, unsigned flags) {
  fx f;
  f.params = ka_params_new(ka_profile_get(id));
  f.s = ka_sock_new(f.params, type, flags);
  g_assert_nonnull(f.s);
  return f;
}

static fx stream(ka_profile_id id) { return fx_new(id, KA_SOCK_STREAM, 0); }

static void fx_free(fx *f) {
  ka_sock_free(f->s);
  ka_params_free(f->params);
}

static void param(fx *f, const char *name, uint64_t v) {
  GError *err = NULL;
  g_assert_true(ka_params_set_value(f->params, name, v, &err));
  g_assert_no_error(err);
}

/* The OS's number for a return code (0 stays 0). */
static int en(const ka_sock *s, int rc) {
  return rc == 0 ? 0 : ka_profile_errnum(ka_sock_profile(s), rc);
}

/* setsockopt with an int value and an arbitrary optlen (the buffer is
 * 16 bytes, the int in its first four). */
static int setl(ka_sock *s, int level, int name, int v, int optlen) {
  unsigned char buf[16] = {0};
  memcpy(buf, &v, sizeof v);
  return en(s, ka_sock_setsockopt(s, level, name, buf, optlen));
}
static int seti(ka_sock *s, int level, int name, int v) { return setl(s, level, name, v, 4); }

/* getsockopt into a 16-byte buffer filled with 0xAA; *optlen in and out. */
static int getl(const ka_sock *s, int level, int name, unsigned char buf[16], int *optlen) {
  memset(buf, 0xAA, 16);
  return en(s, ka_sock_getsockopt(s, level, name, buf, optlen));
}

/* getsockopt of a 4-byte int that must succeed with optlen 4. */
static int geti(const ka_sock *s, int level, int name) {
  unsigned char buf[16];
  int len = 4, v;
  g_assert_cmpint(getl(s, level, name, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 4);
  memcpy(&v, buf, sizeof v);
  return v;
}

static ka_cfg cfg_of(const ka_sock *s) {
  ka_cfg c;
  ka_sock_cfg(s, &c);
  return c;
}

static int sio(ka_sock *s, uint32_t onoff, uint32_t time_ms, uint32_t intvl_ms) {
  uint32_t in[3] = {onoff, time_ms, intvl_ms}, br = 77;
  int rc = ka_sock_wsaioctl(s, KA_WIN_SIO_KEEPALIVE_VALS, in, sizeof in, NULL, 0, &br);
  if (rc == 0)
    g_assert_cmpuint(br, ==, 0);
  return en(s, rc);
}

/* ===== Windows ========================================================= */

/* No WSAStartup: WSANOTINITIALISED before any other check. */
static void test_win_no_wsastartup(void) {
  fx f = fx_new(KA_PROFILE_WINDOWS_10_1709, KA_SOCK_STREAM, KA_SOCK_NO_WSASTARTUP);
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSANOTINITIALISED);
  g_assert_cmpint(seti(f.s, 0, 0, 1), ==, WSANOTINITIALISED); /* bad level too */
  g_assert_cmpint(en(f.s, ka_sock_setsockopt(f.s, WSOL, KA_WIN_SO_KEEPALIVE, NULL, 0)), ==,
                  WSANOTINITIALISED);
  g_assert_cmpint(getl(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, buf, &len), ==, WSANOTINITIALISED);
  g_assert_cmpint(len, ==, 4);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, WSANOTINITIALISED);
  g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_USER_TIMEOUT, 1)), ==, WSANOTINITIALISED);
  g_assert_false(cfg_of(f.s).enabled);
  fx_free(&f);
}

/* A handle that is not a socket: WSAENOTSOCK. */
static void test_win_null_socket(void) {
  const ka_profile *p = ka_profile_get(KA_PROFILE_WINDOWS_VISTA);
  int v = 1, len = 4;
  uint32_t in[3] = {1, 1, 1}, br = 5;
  g_assert_cmpint(ka_profile_errnum(p, ka_sock_setsockopt(NULL, WSOL, KA_WIN_SO_KEEPALIVE, &v, 4)),
                  ==, WSAENOTSOCK);
  g_assert_cmpint(ka_profile_errnum(p,
                                    ka_sock_getsockopt(NULL, WSOL, KA_WIN_SO_KEEPALIVE, &v, &len)),
                  ==, WSAENOTSOCK);
  g_assert_cmpint(ka_profile_errnum(p, ka_sock_wsaioctl(NULL, KA_WIN_SIO_KEEPALIVE_VALS, in,
                                                        sizeof in, NULL, 0, &br)),
                  ==, WSAENOTSOCK);
  g_assert_cmpint(ka_profile_errnum(p, ka_sock_set_int(NULL, KA_OPT_SO_KEEPALIVE, 1)), ==,
                  WSAENOTSOCK);
}

/* Unknown level: WSAEINVAL; unknown option at a known level: WSAENOPROTOOPT. */
static void test_win_unknown_level_option(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(seti(f.s, 0 /* IPPROTO_IP */, KA_WIN_SO_KEEPALIVE, 1), ==, WSAEINVAL);
  g_assert_cmpint(seti(f.s, 17 /* IPPROTO_UDP */, KA_WIN_TCP_KEEPIDLE, 1), ==, WSAEINVAL);
  g_assert_cmpint(getl(f.s, 1, KA_WIN_SO_KEEPALIVE, buf, &len), ==, WSAEINVAL);
  g_assert_cmpint(seti(f.s, WSOL, 0x1234, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_TCP_KEEPIDLE, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_SO_KEEPALIVE, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(seti(f.s, WTCP, KA_LINUX_TCP_USER_TIMEOUT, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(getl(f.s, WTCP, 99, buf, &len), ==, WSAENOPROTOOPT);
  fx_free(&f);
}

/* TCP_KEEPCNT exists from 1703 (facts §1).  On 2003 and older option 16
 * is accepted but means something else: the probe count stays the
 * registry's (facts §1, ReactOS's patch of Wine's test). */
static void test_win_keepcnt_version(void) {
  static const ka_profile_id without[] = {KA_PROFILE_WINDOWS_VISTA, KA_PROFILE_WINDOWS_7};
  for (size_t i = 0; i < G_N_ELEMENTS(without); i++) {
    fx f = stream(without[i]);
    unsigned char buf[16];
    int len = 4;
    g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 5), ==, WSAENOPROTOOPT);
    g_assert_cmpint(getl(f.s, WTCP, KA_WIN_TCP_KEEPCNT, buf, &len), ==, WSAENOPROTOOPT);
    g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_KEEPCNT, 5)), ==, WSAENOPROTOOPT);
    g_assert_cmpuint(cfg_of(f.s).cnt, ==, 10);
    fx_free(&f);
  }
  static const ka_profile_id legacy[] = {KA_PROFILE_WINDOWS_2000, KA_PROFILE_WINDOWS_XP,
                                         KA_PROFILE_WINDOWS_2003};
  for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++) {
    fx f = stream(legacy[i]);
    g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 1), ==, 0);
    g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 0), ==, 0);
    g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 0);
    ka_cfg c = cfg_of(f.s);
    g_assert_cmpuint(c.cnt, ==, 5); /* max(5, 5), not the option's 0 */
    g_assert_false(c.never_probes);
    /* There is no symbolic TCP_KEEPCNT to set on these versions. */
    g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_KEEPCNT, 3)), ==, WSAENOPROTOOPT);
    /* Nor at SOL_SOCKET. */
    g_assert_cmpint(seti(f.s, WSOL, KA_WIN_TCP_KEEPCNT, 1), ==, WSAENOPROTOOPT);
    fx_free(&f);
  }
  fx f = stream(KA_PROFILE_WINDOWS_10_1703);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 5), ==, 0);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 5);
  g_assert_cmpuint(cfg_of(f.s).cnt, ==, 5);
  fx_free(&f);
}

/* Option 3 (TCP_KEEPALIVE, TCP_KEEPIDLE from 1709) is accepted from
 * Windows 7 on and refused on 2003 (facts §1: Wine's test sets 3600 and
 * reads 3600 on every release it runs on; ReactOS's skips it on 2003);
 * Vista is kasim's choice.  TCP_KEEPINTVL exists from 1709. */
static void test_win_keepidle_version(void) {
  static const struct {
    ka_profile_id id;
    bool idle, intvl;
    ka_time unit;
  } rows[] = {
    {KA_PROFILE_WINDOWS_2000, false, false, 0},
    {KA_PROFILE_WINDOWS_XP, false, false, 0},
    {KA_PROFILE_WINDOWS_2003, false, false, 0},
    {KA_PROFILE_WINDOWS_VISTA, KA_WIN_VISTA_TCP_KEEPALIVE, false,
     KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709},
    {KA_PROFILE_WINDOWS_7, true, false, KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709},
    {KA_PROFILE_WINDOWS_10_1703, true, false, KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709},
    {KA_PROFILE_WINDOWS_10_1709, true, true, KA_S(1)}, /* seconds: ipproto-tcp page */
    {KA_PROFILE_WINDOWS_10_21H2, true, true, KA_S(1)},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    fx f = stream(rows[i].id);
    int want = rows[i].idle ? 0 : WSAENOPROTOOPT;
    g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 3600), ==, want);
    g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_KEEPIDLE, 3600)), ==, want);
    if (rows[i].idle) {
      g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE), ==, 3600);
      g_assert_cmpint(cfg_of(f.s).idle, ==, 3600 * rows[i].unit);
    } else {
      g_assert_cmpint(cfg_of(f.s).idle, ==, KA_S(7200));
    }
    want = rows[i].intvl ? 0 : WSAENOPROTOOPT;
    g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL, 3), ==, want);
    g_assert_cmpint(cfg_of(f.s).intvl, ==, rows[i].intvl ? KA_S(3) : KA_S(1));
    fx_free(&f);
  }
}

/* Before 1709 the unit of option 3 is kasim's choice; whatever it is, the
 * value reads back as set and the registry's default in that unit. */
static void test_win_keepalive_unit(void) {
  fx f = stream(KA_PROFILE_WINDOWS_7);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE), ==,
                  KA_S(7200) / KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPALIVE, 30), ==, 0);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPALIVE), ==, 30);
  g_assert_cmpint(cfg_of(f.s).idle, ==, 30 * KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709);
  fx_free(&f);
}

/* Datagram socket: SO_KEEPALIVE and the TCP options are WSAENOPROTOOPT. */
static void test_win_dgram(void) {
  fx f = fx_new(KA_PROFILE_WINDOWS_10_1709, KA_SOCK_DGRAM, 0);
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, WSAENOPROTOOPT);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 1), ==, WSAENOPROTOOPT);
  g_assert_cmpint(getl(f.s, WTCP, KA_WIN_TCP_KEEPINTVL, buf, &len), ==, WSAENOPROTOOPT);
  g_assert_false(cfg_of(f.s).enabled);
  fx_free(&f);
}

/* optval NULL: WSAEFAULT. */
static void test_win_optval_null(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  int len = 4;
  g_assert_cmpint(en(f.s, ka_sock_setsockopt(f.s, WSOL, KA_WIN_SO_KEEPALIVE, NULL, 4)), ==,
                  WSAEFAULT);
  g_assert_cmpint(en(f.s, ka_sock_setsockopt(f.s, WTCP, KA_WIN_TCP_KEEPCNT, NULL, 4)), ==,
                  WSAEFAULT);
  g_assert_cmpint(en(f.s, ka_sock_getsockopt(f.s, WSOL, KA_WIN_SO_KEEPALIVE, NULL, &len)), ==,
                  WSAEFAULT);
  g_assert_cmpint(en(f.s, ka_sock_getsockopt(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, NULL, &len)), ==,
                  WSAEFAULT);
  fx_free(&f);
}

/* Vista+: SO_KEEPALIVE is one byte (Wine test_optsize, facts §1). */
static void test_win_vista_one_byte(void) {
  fx f = stream(KA_PROFILE_WINDOWS_VISTA);
  unsigned char buf[16];
  int len = 4;
  /* 0x100 with optlen 4: accepted, only the first byte (0) kept. */
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0x100, 4), ==, 0);
  g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 1);
  g_assert_cmpuint(buf[0], ==, 0);
  g_assert_cmpuint(buf[1], ==, 0xAA); /* only one byte written */
  g_assert_false(cfg_of(f.s).enabled);
  /* optlen 1 and 2 are accepted. */
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 1), ==, 0);
  len = 4;
  g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 1);
  g_assert_cmpuint(buf[0], ==, 1);
  g_assert_true(cfg_of(f.s).enabled);
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0, 2), ==, 0);
  g_assert_false(cfg_of(f.s).enabled);
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 2), ==, 0);
  g_assert_true(cfg_of(f.s).enabled);
  /* A 1-byte get buffer is enough. */
  len = 1;
  g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 1);
  g_assert_cmpuint(buf[0], ==, 1);
  fx_free(&f);
}

/* 2000/XP/2003 keep SO_KEEPALIVE as a BOOL: from optlen 4 the whole DWORD
 * counts, so 0x01000000 (first byte 0) is on and reads back as 1, where
 * Vista and later keep the first byte and read it back as off (facts §1:
 * ReactOS's patch for 2003 and older; Wine test_optsize). */
static void test_win_legacy_bool(void) {
  static const struct {
    ka_profile_id id;
    bool on;
    int len;
    uint32_t back;
  } rows[] = {
    {KA_PROFILE_WINDOWS_2000, true, 4, 1},
    {KA_PROFILE_WINDOWS_XP, true, 4, 1},
    {KA_PROFILE_WINDOWS_2003, true, 4, 1},
    {KA_PROFILE_WINDOWS_VISTA, false, 1, 0xAAAAAA00},
    {KA_PROFILE_WINDOWS_7, false, 1, 0xAAAAAA00},
    {KA_PROFILE_WINDOWS_10_21H2, false, 1, 0xAAAAAA00},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    fx f = stream(rows[i].id);
    unsigned char buf[16];
    int len = 4;
    uint32_t v;
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0x01000000, 4), ==, 0);
    g_assert_cmpint(cfg_of(f.s).enabled, ==, rows[i].on);
    g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
    g_assert_cmpint(len, ==, rows[i].len);
    memcpy(&v, buf, sizeof v);
    g_assert_cmphex(v, ==, rows[i].back);
    fx_free(&f);
  }
}

/* SO_KEEPALIVE optlen 0: WSAEFAULT on set and get, old and new. */
static void test_win_so_keepalive_optlen_zero(void) {
  static const ka_profile_id ids[] = {KA_PROFILE_WINDOWS_2003, KA_PROFILE_WINDOWS_VISTA,
                                      KA_PROFILE_WINDOWS_10_1709, KA_PROFILE_WINDOWS_10_21H2};
  for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
    fx f = stream(ids[i]);
    unsigned char buf[16];
    int len = 0;
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 0), ==, WSAEFAULT);
    g_assert_false(cfg_of(f.s).enabled);
    g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, WSAEFAULT);
    fx_free(&f);
  }
}

/* optlen -1 (facts §1, Wine test_optsize): setsockopt fails with
 * WSAENOBUFS on 10 21H2 and later and WSAEFAULT on 7 up to 21H1 ("broken
 * between Win7 and Win10 21H1"), for SO_KEEPALIVE and the TCP options
 * alike; getsockopt fails with WSAEFAULT and leaves -1.  Any negative
 * length is taken as -1 (§8).  A NULL buffer is still WSAEFAULT first. */
static void test_win_negative_optlen(void) {
  static const struct {
    ka_profile_id id;
    int set_err;
  } rows[] = {
    {KA_PROFILE_WINDOWS_7, WSAEFAULT},
    {KA_PROFILE_WINDOWS_10_1703, WSAEFAULT},
    {KA_PROFILE_WINDOWS_10_1709, WSAEFAULT},
    {KA_PROFILE_WINDOWS_10_21H2, WSAENOBUFS},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    fx f = stream(rows[i].id);
    unsigned char buf[16];
    int len = INT_MIN;
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, INT_MIN), ==, rows[i].set_err);
    g_assert_cmpint(setl(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 1, -2), ==, rows[i].set_err);
    g_assert_cmpint(en(f.s, ka_sock_setsockopt(f.s, WSOL, KA_WIN_SO_KEEPALIVE, NULL, -1)), ==,
                    WSAEFAULT);
    g_assert_cmpint(getl(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, buf, &len), ==, WSAEFAULT);
    g_assert_cmpint(len, ==, INT_MIN);
    ka_cfg c = cfg_of(f.s);
    g_assert_false(c.enabled);
    g_assert_cmpint(c.idle, ==, KA_S(7200));
    fx_free(&f);
  }
}

/* TCP options with a short buffer: WSAEFAULT, and get zeroes optlen. */
static void test_win_tcp_short_buffers(void) {
  static const int opts[] = {KA_WIN_TCP_KEEPIDLE, KA_WIN_TCP_KEEPINTVL, KA_WIN_TCP_KEEPCNT};
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  for (size_t i = 0; i < G_N_ELEMENTS(opts); i++) {
    unsigned char buf[16];
    for (int l = 0; l < 4; l++) {
      int len = l;
      g_assert_cmpint(setl(f.s, WTCP, opts[i], 7, l), ==, WSAEFAULT);
      g_assert_cmpint(getl(f.s, WTCP, opts[i], buf, &len), ==, WSAEFAULT);
      g_assert_cmpint(len, ==, 0);
      g_assert_cmpuint(buf[0], ==, 0xAA);
    }
  }
  ka_cfg c = cfg_of(f.s);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  g_assert_cmpuint(c.cnt, ==, 10);
  fx_free(&f);
}

/* ===== The option lengths of every Windows release (facts §1) ===========
 *
 * One row per (release group, option, optlen, set or get):
 *   {group, option, SET or GET, optlen, val, error, len, buf, probe count}.
 * Each row runs on a fresh stream socket of every profile and every release
 * name of its group (ka_profile_releases()), and checks the error, then
 * *optlen and the 8-byte buffer, then the probe count ka_sock_cfg()
 * resolves:
 *
 *  - SET: setsockopt(optlen) from an 8-byte buffer holding `val` (V64 is
 *    Wine's 0xffffffff00000001), then a getsockopt with *optlen 4 into a
 *    buffer of 0xAA bytes reads it back: `len` and `buf` are what that
 *    read-back leaves (it fails with WSAENOPROTOOPT where the option does
 *    not exist, leaving 4 and the 0xAA bytes); after a failed set it shows
 *    the value from before, the registry's default;
 *  - GET: the option is first set to `val` with optlen 4 (NOPRE: not set),
 *    then getsockopt with *optlen `optlen` into a buffer of 0xAA bytes:
 *    `len` and `buf` are what it leaves.
 *
 * The procedure is Wine's test_optsize (dlls/ws2_32/tests/sock.c, in
 * test_set_getsockopt), which asserts what real Windows 7 and later do; its
 * rows for the four options are quoted in each block's comment. */
typedef enum grp { G_LEGACY, G_VISTA, G_7, G_1703, G_1709, G_21H2, G_COUNT_ } grp;
static const ka_profile_id grp_profiles[G_COUNT_][3] = {
  [G_LEGACY] = {KA_PROFILE_WINDOWS_2000, KA_PROFILE_WINDOWS_XP, KA_PROFILE_WINDOWS_2003},
  [G_VISTA] = {KA_PROFILE_WINDOWS_VISTA, KA_PROFILE_WINDOWS_VISTA, KA_PROFILE_WINDOWS_VISTA},
  [G_7] = {KA_PROFILE_WINDOWS_7, KA_PROFILE_WINDOWS_7, KA_PROFILE_WINDOWS_7},
  [G_1703] = {KA_PROFILE_WINDOWS_10_1703, KA_PROFILE_WINDOWS_10_1703, KA_PROFILE_WINDOWS_10_1703},
  [G_1709] = {KA_PROFILE_WINDOWS_10_1709, KA_PROFILE_WINDOWS_10_1709, KA_PROFILE_WINDOWS_10_1709},
  [G_21H2] = {KA_PROFILE_WINDOWS_10_21H2, KA_PROFILE_WINDOWS_10_21H2, KA_PROFILE_WINDOWS_10_21H2},
};

enum { SO, IDLE, CNT, INTVL };
static const int opt_level[] = {[SO] = WSOL, [IDLE] = WTCP, [CNT] = WTCP, [INTVL] = WTCP};
static const int opt_name[] = {[SO] = KA_WIN_SO_KEEPALIVE,
                               [IDLE] = KA_WIN_TCP_KEEPALIVE,
                               [CNT] = KA_WIN_TCP_KEEPCNT,
                               [INTVL] = KA_WIN_TCP_KEEPINTVL};
enum { SET, GET };

#define V64 UINT64_C(0xffffffff00000001)
#define NOPRE UINT64_MAX
#define UNTOUCHED UINT64_C(0xAAAAAAAAAAAAAAAA)
#define B1(x) (UINT64_C(0xAAAAAAAAAAAAAA00) | (uint64_t)(x)) /* one byte written */
#define B4(x) (UINT64_C(0xAAAAAAAA00000000) | (uint64_t)(x)) /* four bytes written */
#define NEG_LEGACY (KA_WIN_LEGACY_NEG_OPTLEN_ENOBUFS ? WSAENOBUFS : WSAEFAULT)
#define NEG_VISTA (KA_WIN_VISTA_NEG_OPTLEN_ENOBUFS ? WSAENOBUFS : WSAEFAULT)
/* The registry's 7200 s in option 3's unit before 1709 (kasim's choice). */
#define IDLE_PRE1709 ((uint64_t)(KA_S(7200) / KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709))

typedef struct optrow {
  grp g;
  int opt, op, optlen;
  uint64_t val;
  int err, len;
  uint64_t buf;
  uint32_t cnt;
} optrow;

static const optrow optrows[] = {
  /* 2000, XP, Server 2003: SO_KEEPALIVE. ReactOS's patch for Server 2003 and older (facts §1):
   * optlen 1 and 2 accepted, get returns 1 byte; from 4 a whole DWORD, any non-zero stored and
   * read back as 1 (0x100 reads 1).  0 and 8 as on later releases; -1: set as
   * KA_WIN_LEGACY_NEG_OPTLEN_ENOBUFS says (kasim's choice, §8), get WSAEFAULT leaving -1 (§8). */
  {G_LEGACY, SO, SET, -1, 1, NEG_LEGACY, 4, B4(0), 5},
  {G_LEGACY, SO, SET, 0, 1, WSAEFAULT, 4, B4(0), 5},
  {G_LEGACY, SO, SET, 1, 1, 0, 4, B4(1), 5},
  {G_LEGACY, SO, SET, 2, 1, 0, 4, B4(1), 5},
  {G_LEGACY, SO, SET, 4, 1, 0, 4, B4(1), 5},
  {G_LEGACY, SO, SET, 8, V64, 0, 4, B4(1), 5},
  {G_LEGACY, SO, SET, 4, 0x100, 0, 4, B4(1), 5},
  {G_LEGACY, SO, GET, -1, 1, WSAEFAULT, -1, UNTOUCHED, 5},
  {G_LEGACY, SO, GET, 0, 1, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_LEGACY, SO, GET, 1, 1, 0, 1, B1(1), 5},
  {G_LEGACY, SO, GET, 2, 1, 0, 1, B1(1), 5},
  {G_LEGACY, SO, GET, 4, 1, 0, 4, B4(1), 5},
  {G_LEGACY, SO, GET, 8, 1, 0, 4, B4(1), 5},
  /* 2000, XP, Server 2003: option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE). Not on this release (facts
   * §1): WSAENOPROTOOPT at every optlen, checked before the length (kasim's order, §8); *optlen
   * as given. */
  {G_LEGACY, IDLE, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 5},
  {G_LEGACY, IDLE, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 5},
  {G_LEGACY, IDLE, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 5},
  {G_LEGACY, IDLE, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 5},
  {G_LEGACY, IDLE, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, IDLE, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 5},
  /* 2000, XP, Server 2003: option 16 (TCP_KEEPCNT). Accepted, but not the probe count, which
   * stays the registry's 5 (facts §1, ReactOS); its lengths and read-back as the other TCP
   * options', -1 as KA_WIN_LEGACY_NEG_OPTLEN_ENOBUFS says (kasim's choice, §8) (assumptions,
   * §8). */
  {G_LEGACY, CNT, SET, -1, 1, NEG_LEGACY, 4, B4(0), 5},
  {G_LEGACY, CNT, SET, 0, 1, WSAEFAULT, 4, B4(0), 5},
  {G_LEGACY, CNT, SET, 1, 1, WSAEFAULT, 4, B4(0), 5},
  {G_LEGACY, CNT, SET, 2, 1, WSAEFAULT, 4, B4(0), 5},
  {G_LEGACY, CNT, SET, 4, 1, 0, 4, B4(1), 5},
  {G_LEGACY, CNT, SET, 8, V64, 0, 4, B4(1), 5},
  {G_LEGACY, CNT, SET, 4, 0x100, 0, 4, B4(0x100), 5},
  {G_LEGACY, CNT, GET, -1, 5, WSAEFAULT, -1, UNTOUCHED, 5},
  {G_LEGACY, CNT, GET, 0, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_LEGACY, CNT, GET, 1, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_LEGACY, CNT, GET, 2, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_LEGACY, CNT, GET, 4, 5, 0, 4, B4(5), 5},
  {G_LEGACY, CNT, GET, 8, 5, 0, 4, B4(5), 5},
  /* 2000, XP, Server 2003: option 17 (TCP_KEEPINTVL). Not on this release (facts §1):
   * WSAENOPROTOOPT at every optlen, checked before the length (kasim's order, §8); *optlen as
   * given. */
  {G_LEGACY, INTVL, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 5},
  {G_LEGACY, INTVL, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 5},
  {G_LEGACY, INTVL, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 5},
  {G_LEGACY, INTVL, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 5},
  {G_LEGACY, INTVL, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 5},
  {G_LEGACY, INTVL, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 5},
  /* Vista, Server 2008: SO_KEEPALIVE. Wine test_optsize row {SO_KEEPALIVE, TRUE, {1, 1, 1}}:
   * optlen 1, 2, 4 and 8 set one byte (0x100 is off) and get writes one byte with *optlen 1; 0
   * is WSAEFAULT; -1: set as KA_WIN_VISTA_NEG_OPTLEN_ENOBUFS says (kasim's choice, §8), get
   * WSAEFAULT leaving -1. */
  {G_VISTA, SO, SET, -1, 1, NEG_VISTA, 1, B1(0), 10},
  {G_VISTA, SO, SET, 0, 1, WSAEFAULT, 1, B1(0), 10},
  {G_VISTA, SO, SET, 1, 1, 0, 1, B1(1), 10},
  {G_VISTA, SO, SET, 2, 1, 0, 1, B1(1), 10},
  {G_VISTA, SO, SET, 4, 1, 0, 1, B1(1), 10},
  {G_VISTA, SO, SET, 8, V64, 0, 1, B1(1), 10},
  {G_VISTA, SO, SET, 4, 0x100, 0, 1, B1(0), 10},
  {G_VISTA, SO, GET, -1, 1, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_VISTA, SO, GET, 0, 1, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_VISTA, SO, GET, 1, 1, 0, 1, B1(1), 10},
  {G_VISTA, SO, GET, 2, 1, 0, 1, B1(1), 10},
  {G_VISTA, SO, GET, 4, 1, 0, 1, B1(1), 10},
  {G_VISTA, SO, GET, 8, 1, 0, 1, B1(1), 10},
/* Vista, Server 2008: option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE). As KA_WIN_VISTA_TCP_KEEPALIVE
   * says (kasim's choice, §8): accepted as on 7 (set with -1: as KA_WIN_VISTA_NEG_OPTLEN_ENOBUFS
   * says (kasim's choice, §8)), or refused. */
#if KA_WIN_VISTA_TCP_KEEPALIVE
  {G_VISTA, IDLE, SET, -1, 1, NEG_VISTA, 4, B4(IDLE_PRE1709), 10},
  {G_VISTA, IDLE, SET, 0, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_VISTA, IDLE, SET, 1, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_VISTA, IDLE, SET, 2, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_VISTA, IDLE, SET, 4, 1, 0, 4, B4(1), 10},
  {G_VISTA, IDLE, SET, 8, V64, 0, 4, B4(1), 10},
  {G_VISTA, IDLE, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_VISTA, IDLE, GET, -1, 3600, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 0, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 1, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 2, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 4, 3600, 0, 4, B4(3600), 10},
  {G_VISTA, IDLE, GET, 8, 3600, 0, 4, B4(3600), 10},
#else
  {G_VISTA, IDLE, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, IDLE, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 10},
#endif
  /* Vista, Server 2008: option 16 (TCP_KEEPCNT). Not on this release (facts §1): WSAENOPROTOOPT
   * at every optlen, checked before the length (kasim's order, §8); *optlen as given. */
  {G_VISTA, CNT, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 10},
  {G_VISTA, CNT, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 10},
  {G_VISTA, CNT, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 10},
  {G_VISTA, CNT, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 10},
  {G_VISTA, CNT, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, CNT, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 10},
  /* Vista, Server 2008: option 17 (TCP_KEEPINTVL). Not on this release (facts §1):
   * WSAENOPROTOOPT at every optlen, checked before the length (kasim's order, §8); *optlen as
   * given. */
  {G_VISTA, INTVL, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 10},
  {G_VISTA, INTVL, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 10},
  {G_VISTA, INTVL, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 10},
  {G_VISTA, INTVL, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 10},
  {G_VISTA, INTVL, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_VISTA, INTVL, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 10},
  /* 7 up to 10 1607: SO_KEEPALIVE. Wine test_optsize row {SO_KEEPALIVE, TRUE, {1, 1, 1}}: optlen
   * 1, 2, 4 and 8 set one byte (0x100 is off) and get writes one byte with *optlen 1; 0 is
   * WSAEFAULT; -1: set WSAEFAULT (the "broken" answer of 7 up to 21H1), get WSAEFAULT leaving
   * -1. */
  {G_7, SO, SET, -1, 1, WSAEFAULT, 1, B1(0), 10},
  {G_7, SO, SET, 0, 1, WSAEFAULT, 1, B1(0), 10},
  {G_7, SO, SET, 1, 1, 0, 1, B1(1), 10},
  {G_7, SO, SET, 2, 1, 0, 1, B1(1), 10},
  {G_7, SO, SET, 4, 1, 0, 1, B1(1), 10},
  {G_7, SO, SET, 8, V64, 0, 1, B1(1), 10},
  {G_7, SO, SET, 4, 0x100, 0, 1, B1(0), 10},
  {G_7, SO, GET, -1, 1, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_7, SO, GET, 0, 1, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_7, SO, GET, 1, 1, 0, 1, B1(1), 10},
  {G_7, SO, GET, 2, 1, 0, 1, B1(1), 10},
  {G_7, SO, GET, 4, 1, 0, 1, B1(1), 10},
  {G_7, SO, GET, 8, 1, 0, 1, B1(1), 10},
  /* 7 up to 10 1607: option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE). Wine test_optsize row
   * {TCP_KEEPALIVE, FALSE, {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing
   * *optlen; 4 and 8 take the first 4 bytes, get says 4; 0x100 is accepted and read back; -1:
   * set WSAEFAULT (the "broken" answer of 7 up to 21H1), get WSAEFAULT leaving -1.  Read back:
   * 3600, as Wine's test_set_getsockopt sets it. */
  {G_7, IDLE, SET, -1, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_7, IDLE, SET, 0, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_7, IDLE, SET, 1, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_7, IDLE, SET, 2, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_7, IDLE, SET, 4, 1, 0, 4, B4(1), 10},
  {G_7, IDLE, SET, 8, V64, 0, 4, B4(1), 10},
  {G_7, IDLE, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_7, IDLE, GET, -1, 3600, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_7, IDLE, GET, 0, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_7, IDLE, GET, 1, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_7, IDLE, GET, 2, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_7, IDLE, GET, 4, 3600, 0, 4, B4(3600), 10},
  {G_7, IDLE, GET, 8, 3600, 0, 4, B4(3600), 10},
  /* 7 up to 10 1607: option 16 (TCP_KEEPCNT). Not on this release (facts §1): WSAENOPROTOOPT at
   * every optlen, checked before the length (kasim's order, §8); *optlen as given. */
  {G_7, CNT, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 10},
  {G_7, CNT, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 10},
  {G_7, CNT, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 10},
  {G_7, CNT, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 10},
  {G_7, CNT, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, CNT, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 10},
  /* 7 up to 10 1607: option 17 (TCP_KEEPINTVL). Not on this release (facts §1): WSAENOPROTOOPT
   * at every optlen, checked before the length (kasim's order, §8); *optlen as given. */
  {G_7, INTVL, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 10},
  {G_7, INTVL, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 10},
  {G_7, INTVL, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 10},
  {G_7, INTVL, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 10},
  {G_7, INTVL, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_7, INTVL, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 10},
  /* 10 1703: SO_KEEPALIVE. Wine test_optsize row {SO_KEEPALIVE, TRUE, {1, 1, 1}}: optlen 1, 2, 4
   * and 8 set one byte (0x100 is off) and get writes one byte with *optlen 1; 0 is WSAEFAULT;
   * -1: set WSAEFAULT (the "broken" answer of 7 up to 21H1), get WSAEFAULT leaving -1. */
  {G_1703, SO, SET, -1, 1, WSAEFAULT, 1, B1(0), 10},
  {G_1703, SO, SET, 0, 1, WSAEFAULT, 1, B1(0), 10},
  {G_1703, SO, SET, 1, 1, 0, 1, B1(1), 10},
  {G_1703, SO, SET, 2, 1, 0, 1, B1(1), 10},
  {G_1703, SO, SET, 4, 1, 0, 1, B1(1), 10},
  {G_1703, SO, SET, 8, V64, 0, 1, B1(1), 10},
  {G_1703, SO, SET, 4, 0x100, 0, 1, B1(0), 10},
  {G_1703, SO, GET, -1, 1, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_1703, SO, GET, 0, 1, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1703, SO, GET, 1, 1, 0, 1, B1(1), 10},
  {G_1703, SO, GET, 2, 1, 0, 1, B1(1), 10},
  {G_1703, SO, GET, 4, 1, 0, 1, B1(1), 10},
  {G_1703, SO, GET, 8, 1, 0, 1, B1(1), 10},
  /* 10 1703: option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE). Wine test_optsize row {TCP_KEEPALIVE,
   * FALSE, {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing *optlen; 4 and 8 take
   * the first 4 bytes, get says 4; 0x100 is accepted and read back; -1: set WSAEFAULT (the
   * "broken" answer of 7 up to 21H1), get WSAEFAULT leaving -1.  Read back: 3600, as Wine's
   * test_set_getsockopt sets it. */
  {G_1703, IDLE, SET, -1, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_1703, IDLE, SET, 0, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_1703, IDLE, SET, 1, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_1703, IDLE, SET, 2, 1, WSAEFAULT, 4, B4(IDLE_PRE1709), 10},
  {G_1703, IDLE, SET, 4, 1, 0, 4, B4(1), 10},
  {G_1703, IDLE, SET, 8, V64, 0, 4, B4(1), 10},
  {G_1703, IDLE, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_1703, IDLE, GET, -1, 3600, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_1703, IDLE, GET, 0, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1703, IDLE, GET, 1, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1703, IDLE, GET, 2, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1703, IDLE, GET, 4, 3600, 0, 4, B4(3600), 10},
  {G_1703, IDLE, GET, 8, 3600, 0, 4, B4(3600), 10},
  /* 10 1703: option 16 (TCP_KEEPCNT). Wine test_optsize row {TCP_KEEPCNT, FALSE, {0, 0, 4}}:
   * optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing *optlen; 4 and 8 take the first 4 bytes,
   * get says 4; 0x100 is WSAEINVAL (above 255: ipproto-tcp page); -1: set WSAEFAULT (the
   * "broken" answer of 7 up to 21H1), get WSAEFAULT leaving -1.  Read back: 5, as Wine's
   * test_set_getsockopt sets it. */
  {G_1703, CNT, SET, -1, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1703, CNT, SET, 0, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1703, CNT, SET, 1, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1703, CNT, SET, 2, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1703, CNT, SET, 4, 1, 0, 4, B4(1), 1},
  {G_1703, CNT, SET, 8, V64, 0, 4, B4(1), 1},
  {G_1703, CNT, SET, 4, 0x100, WSAEINVAL, 4, B4(10), 10},
  {G_1703, CNT, GET, -1, 5, WSAEFAULT, -1, UNTOUCHED, 5},
  {G_1703, CNT, GET, 0, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_1703, CNT, GET, 1, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_1703, CNT, GET, 2, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_1703, CNT, GET, 4, 5, 0, 4, B4(5), 5},
  {G_1703, CNT, GET, 8, 5, 0, 4, B4(5), 5},
  /* 10 1703: option 17 (TCP_KEEPINTVL). Not on this release (facts §1): WSAENOPROTOOPT at every
   * optlen, checked before the length (kasim's order, §8); *optlen as given. */
  {G_1703, INTVL, SET, -1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, SET, 0, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, SET, 1, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, SET, 2, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, SET, 4, 1, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, SET, 8, V64, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, SET, 4, 0x100, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, GET, -1, NOPRE, WSAENOPROTOOPT, -1, UNTOUCHED, 10},
  {G_1703, INTVL, GET, 0, NOPRE, WSAENOPROTOOPT, 0, UNTOUCHED, 10},
  {G_1703, INTVL, GET, 1, NOPRE, WSAENOPROTOOPT, 1, UNTOUCHED, 10},
  {G_1703, INTVL, GET, 2, NOPRE, WSAENOPROTOOPT, 2, UNTOUCHED, 10},
  {G_1703, INTVL, GET, 4, NOPRE, WSAENOPROTOOPT, 4, UNTOUCHED, 10},
  {G_1703, INTVL, GET, 8, NOPRE, WSAENOPROTOOPT, 8, UNTOUCHED, 10},
  /* 10 1709 up to 21H1: SO_KEEPALIVE. Wine test_optsize row {SO_KEEPALIVE, TRUE, {1, 1, 1}}:
   * optlen 1, 2, 4 and 8 set one byte (0x100 is off) and get writes one byte with *optlen 1; 0
   * is WSAEFAULT; -1: set WSAEFAULT (the "broken" answer of 7 up to 21H1), get WSAEFAULT leaving
   * -1. */
  {G_1709, SO, SET, -1, 1, WSAEFAULT, 1, B1(0), 10},
  {G_1709, SO, SET, 0, 1, WSAEFAULT, 1, B1(0), 10},
  {G_1709, SO, SET, 1, 1, 0, 1, B1(1), 10},
  {G_1709, SO, SET, 2, 1, 0, 1, B1(1), 10},
  {G_1709, SO, SET, 4, 1, 0, 1, B1(1), 10},
  {G_1709, SO, SET, 8, V64, 0, 1, B1(1), 10},
  {G_1709, SO, SET, 4, 0x100, 0, 1, B1(0), 10},
  {G_1709, SO, GET, -1, 1, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_1709, SO, GET, 0, 1, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, SO, GET, 1, 1, 0, 1, B1(1), 10},
  {G_1709, SO, GET, 2, 1, 0, 1, B1(1), 10},
  {G_1709, SO, GET, 4, 1, 0, 1, B1(1), 10},
  {G_1709, SO, GET, 8, 1, 0, 1, B1(1), 10},
  /* 10 1709 up to 21H1: option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE). Wine test_optsize row
   * {TCP_KEEPALIVE, FALSE, {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing
   * *optlen; 4 and 8 take the first 4 bytes, get says 4; 0x100 is accepted and read back; -1:
   * set WSAEFAULT (the "broken" answer of 7 up to 21H1), get WSAEFAULT leaving -1.  Read back:
   * 3600, as Wine's test_set_getsockopt sets it. */
  {G_1709, IDLE, SET, -1, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_1709, IDLE, SET, 0, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_1709, IDLE, SET, 1, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_1709, IDLE, SET, 2, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_1709, IDLE, SET, 4, 1, 0, 4, B4(1), 10},
  {G_1709, IDLE, SET, 8, V64, 0, 4, B4(1), 10},
  {G_1709, IDLE, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_1709, IDLE, GET, -1, 3600, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_1709, IDLE, GET, 0, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, IDLE, GET, 1, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, IDLE, GET, 2, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, IDLE, GET, 4, 3600, 0, 4, B4(3600), 10},
  {G_1709, IDLE, GET, 8, 3600, 0, 4, B4(3600), 10},
  /* 10 1709 up to 21H1: option 16 (TCP_KEEPCNT). Wine test_optsize row {TCP_KEEPCNT, FALSE, {0,
   * 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing *optlen; 4 and 8 take the first
   * 4 bytes, get says 4; 0x100 is WSAEINVAL (above 255: ipproto-tcp page); -1: set WSAEFAULT
   * (the "broken" answer of 7 up to 21H1), get WSAEFAULT leaving -1.  Read back: 5, as Wine's
   * test_set_getsockopt sets it. */
  {G_1709, CNT, SET, -1, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1709, CNT, SET, 0, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1709, CNT, SET, 1, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1709, CNT, SET, 2, 1, WSAEFAULT, 4, B4(10), 10},
  {G_1709, CNT, SET, 4, 1, 0, 4, B4(1), 1},
  {G_1709, CNT, SET, 8, V64, 0, 4, B4(1), 1},
  {G_1709, CNT, SET, 4, 0x100, WSAEINVAL, 4, B4(10), 10},
  {G_1709, CNT, GET, -1, 5, WSAEFAULT, -1, UNTOUCHED, 5},
  {G_1709, CNT, GET, 0, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_1709, CNT, GET, 1, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_1709, CNT, GET, 2, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_1709, CNT, GET, 4, 5, 0, 4, B4(5), 5},
  {G_1709, CNT, GET, 8, 5, 0, 4, B4(5), 5},
  /* 10 1709 up to 21H1: option 17 (TCP_KEEPINTVL). Wine test_optsize row {TCP_KEEPINTVL, FALSE,
   * {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing *optlen; 4 and 8 take the
   * first 4 bytes, get says 4; 0x100 is accepted and read back; -1: set WSAEFAULT (the "broken"
   * answer of 7 up to 21H1), get WSAEFAULT leaving -1.  Read back: 5, as Wine's
   * test_set_getsockopt sets it. */
  {G_1709, INTVL, SET, -1, 1, WSAEFAULT, 4, B4(1), 10},
  {G_1709, INTVL, SET, 0, 1, WSAEFAULT, 4, B4(1), 10},
  {G_1709, INTVL, SET, 1, 1, WSAEFAULT, 4, B4(1), 10},
  {G_1709, INTVL, SET, 2, 1, WSAEFAULT, 4, B4(1), 10},
  {G_1709, INTVL, SET, 4, 1, 0, 4, B4(1), 10},
  {G_1709, INTVL, SET, 8, V64, 0, 4, B4(1), 10},
  {G_1709, INTVL, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_1709, INTVL, GET, -1, 5, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_1709, INTVL, GET, 0, 5, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, INTVL, GET, 1, 5, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, INTVL, GET, 2, 5, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_1709, INTVL, GET, 4, 5, 0, 4, B4(5), 10},
  {G_1709, INTVL, GET, 8, 5, 0, 4, B4(5), 10},
  /* 10 21H2 and later, 11, Server 2022: SO_KEEPALIVE. Wine test_optsize row {SO_KEEPALIVE, TRUE,
   * {1, 1, 1}}: optlen 1, 2, 4 and 8 set one byte (0x100 is off) and get writes one byte with
   * *optlen 1; 0 is WSAEFAULT; -1: set WSAENOBUFS, get WSAEFAULT leaving -1. */
  {G_21H2, SO, SET, -1, 1, WSAENOBUFS, 1, B1(0), 10},
  {G_21H2, SO, SET, 0, 1, WSAEFAULT, 1, B1(0), 10},
  {G_21H2, SO, SET, 1, 1, 0, 1, B1(1), 10},
  {G_21H2, SO, SET, 2, 1, 0, 1, B1(1), 10},
  {G_21H2, SO, SET, 4, 1, 0, 1, B1(1), 10},
  {G_21H2, SO, SET, 8, V64, 0, 1, B1(1), 10},
  {G_21H2, SO, SET, 4, 0x100, 0, 1, B1(0), 10},
  {G_21H2, SO, GET, -1, 1, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_21H2, SO, GET, 0, 1, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, SO, GET, 1, 1, 0, 1, B1(1), 10},
  {G_21H2, SO, GET, 2, 1, 0, 1, B1(1), 10},
  {G_21H2, SO, GET, 4, 1, 0, 1, B1(1), 10},
  {G_21H2, SO, GET, 8, 1, 0, 1, B1(1), 10},
  /* 10 21H2 and later, 11, Server 2022: option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE). Wine
   * test_optsize row {TCP_KEEPALIVE, FALSE, {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways,
   * get zeroing *optlen; 4 and 8 take the first 4 bytes, get says 4; 0x100 is accepted and read
   * back; -1: set WSAENOBUFS, get WSAEFAULT leaving -1.  Read back: 3600, as Wine's
   * test_set_getsockopt sets it. */
  {G_21H2, IDLE, SET, -1, 1, WSAENOBUFS, 4, B4(7200), 10},
  {G_21H2, IDLE, SET, 0, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_21H2, IDLE, SET, 1, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_21H2, IDLE, SET, 2, 1, WSAEFAULT, 4, B4(7200), 10},
  {G_21H2, IDLE, SET, 4, 1, 0, 4, B4(1), 10},
  {G_21H2, IDLE, SET, 8, V64, 0, 4, B4(1), 10},
  {G_21H2, IDLE, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_21H2, IDLE, GET, -1, 3600, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_21H2, IDLE, GET, 0, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, IDLE, GET, 1, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, IDLE, GET, 2, 3600, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, IDLE, GET, 4, 3600, 0, 4, B4(3600), 10},
  {G_21H2, IDLE, GET, 8, 3600, 0, 4, B4(3600), 10},
  /* 10 21H2 and later, 11, Server 2022: option 16 (TCP_KEEPCNT). Wine test_optsize row
   * {TCP_KEEPCNT, FALSE, {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing
   * *optlen; 4 and 8 take the first 4 bytes, get says 4; 0x100 is WSAEINVAL (above 255: ipproto-
   * tcp page); -1: set WSAENOBUFS, get WSAEFAULT leaving -1.  Read back: 5, as Wine's
   * test_set_getsockopt sets it. */
  {G_21H2, CNT, SET, -1, 1, WSAENOBUFS, 4, B4(10), 10},
  {G_21H2, CNT, SET, 0, 1, WSAEFAULT, 4, B4(10), 10},
  {G_21H2, CNT, SET, 1, 1, WSAEFAULT, 4, B4(10), 10},
  {G_21H2, CNT, SET, 2, 1, WSAEFAULT, 4, B4(10), 10},
  {G_21H2, CNT, SET, 4, 1, 0, 4, B4(1), 1},
  {G_21H2, CNT, SET, 8, V64, 0, 4, B4(1), 1},
  {G_21H2, CNT, SET, 4, 0x100, WSAEINVAL, 4, B4(10), 10},
  {G_21H2, CNT, GET, -1, 5, WSAEFAULT, -1, UNTOUCHED, 5},
  {G_21H2, CNT, GET, 0, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_21H2, CNT, GET, 1, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_21H2, CNT, GET, 2, 5, WSAEFAULT, 0, UNTOUCHED, 5},
  {G_21H2, CNT, GET, 4, 5, 0, 4, B4(5), 5},
  {G_21H2, CNT, GET, 8, 5, 0, 4, B4(5), 5},
  /* 10 21H2 and later, 11, Server 2022: option 17 (TCP_KEEPINTVL). Wine test_optsize row
   * {TCP_KEEPINTVL, FALSE, {0, 0, 4}}: optlen 0, 1, 2 are WSAEFAULT both ways, get zeroing
   * *optlen; 4 and 8 take the first 4 bytes, get says 4; 0x100 is accepted and read back; -1:
   * set WSAENOBUFS, get WSAEFAULT leaving -1.  Read back: 5, as Wine's test_set_getsockopt sets
   * it. */
  {G_21H2, INTVL, SET, -1, 1, WSAENOBUFS, 4, B4(1), 10},
  {G_21H2, INTVL, SET, 0, 1, WSAEFAULT, 4, B4(1), 10},
  {G_21H2, INTVL, SET, 1, 1, WSAEFAULT, 4, B4(1), 10},
  {G_21H2, INTVL, SET, 2, 1, WSAEFAULT, 4, B4(1), 10},
  {G_21H2, INTVL, SET, 4, 1, 0, 4, B4(1), 10},
  {G_21H2, INTVL, SET, 8, V64, 0, 4, B4(1), 10},
  {G_21H2, INTVL, SET, 4, 0x100, 0, 4, B4(0x100), 10},
  {G_21H2, INTVL, GET, -1, 5, WSAEFAULT, -1, UNTOUCHED, 10},
  {G_21H2, INTVL, GET, 0, 5, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, INTVL, GET, 1, 5, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, INTVL, GET, 2, 5, WSAEFAULT, 0, UNTOUCHED, 10},
  {G_21H2, INTVL, GET, 4, 5, 0, 4, B4(5), 10},
  {G_21H2, INTVL, GET, 8, 5, 0, 4, B4(5), 10},

};

/* Runs one row on one profile; reports every difference and returns
 * whether there was none. */
static bool run_optrow(const optrow *r, size_t idx, const char *name) {
  ka_params *params = ka_params_new(ka_profile_find(name));
  ka_sock *s = ka_sock_new(params, KA_SOCK_STREAM, 0);
  int level = opt_level[r->opt], optname = opt_name[r->opt];
  unsigned char buf[8];
  int len, rc;
  if (r->op == SET) {
    memcpy(buf, &r->val, sizeof buf);
    rc = en(s, ka_sock_setsockopt(s, level, optname, buf, r->optlen));
    memset(buf, 0xAA, sizeof buf);
    len = 4;
    int back = en(s, ka_sock_getsockopt(s, level, optname, buf, &len));
    if (back != (r->err == WSAENOPROTOOPT ? WSAENOPROTOOPT : 0)) {
      g_test_message("row %zu on %s: read-back get returned %d", idx, name, back);
      rc = -1;
    }
  } else {
    if (r->val != NOPRE) {
      uint32_t pre = (uint32_t)r->val;
      g_assert_cmpint(ka_sock_setsockopt(s, level, optname, &pre, 4), ==, 0);
    }
    memset(buf, 0xAA, sizeof buf);
    len = r->optlen;
    rc = en(s, ka_sock_getsockopt(s, level, optname, buf, &len));
  }
  uint64_t got;
  memcpy(&got, buf, sizeof got);
  ka_cfg c;
  ka_sock_cfg(s, &c);
  bool ok = rc == r->err && len == r->len && got == r->buf && c.cnt == r->cnt;
  if (!ok)
    g_test_message("row %zu on %s (option %d, %s, optlen %d): error %d, len %d, buffer "
                   "%016" G_GINT64_MODIFIER "x, count %u; expected %d, %d, %016" G_GINT64_MODIFIER
                   "x, %u",
                   idx, name, optname, r->op == SET ? "set" : "get", r->optlen, rc, len, got, c.cnt,
                   r->err, r->len, r->buf, r->cnt);
  ka_sock_free(s);
  ka_params_free(params);
  return ok;
}

static void test_win_optlen_table(void) {
  size_t nrel, runs = 0;
  const ka_release *rel = ka_profile_releases(&nrel);
  bool all = true;
  for (size_t i = 0; i < G_N_ELEMENTS(optrows); i++) {
    const optrow *r = &optrows[i];
    /* Each profile of the group by its own name, then every release of it. */
    for (size_t k = 0; k < 3; k++) {
      ka_profile_id id = grp_profiles[r->g][k];
      if (k > 0 && id == grp_profiles[r->g][k - 1])
        continue;
      all &= run_optrow(r, i, ka_profile_name(ka_profile_get(id)));
      runs++;
      for (size_t j = 0; j < nrel; j++)
        if (rel[j].profile == id) {
          all &= run_optrow(r, i, rel[j].name);
          runs++;
        }
    }
  }
  /* Every group has its 52 rows: 4 options x (7 sets + 6 gets). */
  g_assert_cmpuint(G_N_ELEMENTS(optrows), ==, G_COUNT_ * 4 * 13);
  g_assert_cmpuint(runs, >, 10 * G_N_ELEMENTS(optrows) / 2);
  g_assert_true(all);
}

/* TCP_KEEPCNT 255 is the largest (ipproto-tcp page, facts §1). */
static void test_win_keepcnt_max(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1703);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 255), ==, 0);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 255);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 256), ==, WSAEINVAL);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, -1), ==, WSAEINVAL);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 255); /* unchanged */
  g_assert_cmpuint(cfg_of(f.s).cnt, ==, 255);
  fx_free(&f);
}

/* get returns the effective value in whole seconds. */
static void test_win_tcp_get_effective(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE), ==, 7200);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL), ==, 1);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 10);
  param(&f, "KeepAliveInterval", 1999);
  param(&f, "KeepAliveTime", 60500);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL), ==, 1);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE), ==, 60);
  g_assert_cmpint(sio(f.s, 1, 2500, 999), ==, 0);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE), ==, 2);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL), ==, 0);
  fx_free(&f);
}

/* setsockopt after a keep-alive time-out or a reset (setsockopt page). */
static void test_win_states(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  ka_sock_set_state(f.s, KA_SOCK_STATE_TIMED_OUT);
  g_assert_cmpint(ka_sock_get_state(f.s), ==, KA_SOCK_STATE_TIMED_OUT);
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSAENETRESET);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 5), ==, WSAENETRESET);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, WSAENETRESET);
  g_assert_false(cfg_of(f.s).enabled);
  ka_sock_set_state(f.s, KA_SOCK_STATE_RESET);
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSAENOTCONN);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 5), ==, WSAENOTCONN);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, WSAENOTCONN);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 10);
  ka_sock_set_state(f.s, KA_SOCK_STATE_CONNECTED);
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, 0);
  fx_free(&f);
  /* The same on the DWORD profiles. */
  f = stream(KA_PROFILE_WINDOWS_XP);
  ka_sock_set_state(f.s, KA_SOCK_STATE_TIMED_OUT);
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSAENETRESET);
  ka_sock_set_state(f.s, KA_SOCK_STATE_RESET);
  g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSAENOTCONN);
  fx_free(&f);
}

/* SO_KEEPALIVE during connect(): WSAEINVAL on Vista+, fine before. */
static void test_win_mid_connect(void) {
  static const struct {
    ka_profile_id id;
    int expect;
  } rows[] = {{KA_PROFILE_WINDOWS_2000, 0},
              {KA_PROFILE_WINDOWS_XP, 0},
              {KA_PROFILE_WINDOWS_2003, 0},
              {KA_PROFILE_WINDOWS_VISTA, WSAEINVAL},
              {KA_PROFILE_WINDOWS_10_1703, WSAEINVAL},
              {KA_PROFILE_WINDOWS_10_1709, WSAEINVAL}};
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    fx f = stream(rows[i].id);
    ka_sock_set_state(f.s, KA_SOCK_STATE_CONNECTING);
    g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, rows[i].expect);
    g_assert_cmpint(cfg_of(f.s).enabled, ==, rows[i].expect == 0);
    ka_sock_set_state(f.s, KA_SOCK_STATE_IDLE);
    g_assert_cmpint(seti(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, 0);
    fx_free(&f);
  }
  /* Only SO_KEEPALIVE: the TCP options may be set mid-connect. */
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  ka_sock_set_state(f.s, KA_SOCK_STATE_CONNECTING);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 9), ==, 0);
  fx_free(&f);
}

/* ===== SIO_KEEPALIVE_VALS ============================================== */

/* Input NULL or shorter than 12: WSAEFAULT, bytes-returned 0. */
static void test_sio_short_input(void) {
  fx f = stream(KA_PROFILE_WINDOWS_VISTA);
  uint32_t in[3] = {1, 1000, 1000}, br = 77;
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, KA_WIN_SIO_KEEPALIVE_VALS, in, 11, NULL, 0, &br)),
                  ==, WSAEFAULT);
  g_assert_cmpuint(br, ==, 0);
  br = 77;
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, KA_WIN_SIO_KEEPALIVE_VALS, NULL, 12, NULL, 0, &br)),
                  ==, WSAEFAULT);
  g_assert_cmpuint(br, ==, 0);
  br = 77;
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, KA_WIN_SIO_KEEPALIVE_VALS, in, 0, NULL, 0, &br)),
                  ==, WSAEFAULT);
  g_assert_cmpuint(br, ==, 0);
  ka_cfg c = cfg_of(f.s);
  g_assert_false(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  fx_free(&f);
}

/* NULL bytes-returned (non-overlapped): WSAEFAULT, nothing changes. */
static void test_sio_null_bytes_returned(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  uint32_t in[3] = {1, 1000, 1000};
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, KA_WIN_SIO_KEEPALIVE_VALS, in, 12, NULL, 0, NULL)),
                  ==, WSAEFAULT);
  ka_cfg c = cfg_of(f.s);
  g_assert_false(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  fx_free(&f);
}

/* The four inputs Wine's test_keepalive_vals sees succeed (facts §1). */
static void test_sio_observed_cases(void) {
  static const struct {
    uint32_t onoff, time, intvl;
  } rows[] = {{0, 0, 0}, {1, 0, 0}, {1, 1000, 1000}, {0, 100, 100}};
  static const ka_profile_id ids[] = {KA_PROFILE_WINDOWS_XP, KA_PROFILE_WINDOWS_VISTA,
                                      KA_PROFILE_WINDOWS_10_1709};
  for (size_t k = 0; k < G_N_ELEMENTS(ids); k++) {
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
      fx f = stream(ids[k]);
      unsigned char buf[16];
      int len = 4;
      g_assert_cmpint(sio(f.s, rows[i].onoff, rows[i].time, rows[i].intvl), ==, 0);
      ka_cfg c = cfg_of(f.s);
      g_assert_cmpint(c.enabled, ==, rows[i].onoff != 0);
      g_assert_cmpint(c.idle, ==, KA_MS(rows[i].time));
      g_assert_cmpint(c.intvl, ==, KA_MS(rows[i].intvl));
      /* SO_KEEPALIVE reads back as the onoff value. */
      g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
      g_assert_cmpuint(buf[0], ==, rows[i].onoff != 0);
      fx_free(&f);
    }
  }
}

/* Values set by SIO_KEEPALIVE_VALS survive SO_KEEPALIVE off and on. */
static void test_sio_survives_toggle(void) {
  fx f = stream(KA_PROFILE_WINDOWS_VISTA);
  g_assert_cmpint(sio(f.s, 1, 5000, 700), ==, 0);
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0, 1), ==, 0);
  ka_cfg c = cfg_of(f.s);
  g_assert_false(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_MS(5000));
  g_assert_cmpint(c.intvl, ==, KA_MS(700));
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 1), ==, 0);
  c = cfg_of(f.s);
  g_assert_true(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_MS(5000));
  g_assert_cmpint(c.intvl, ==, KA_MS(700));
  /* onoff 0 turns keep-alive off but still sets the times. */
  g_assert_cmpint(sio(f.s, 0, 100, 100), ==, 0);
  c = cfg_of(f.s);
  g_assert_false(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_MS(100));
  fx_free(&f);
}

/* The count is not settable through the ioctl. */
static void test_sio_count_untouched(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1703);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 3), ==, 0);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, 0);
  g_assert_cmpuint(cfg_of(f.s).cnt, ==, 3);
  fx_free(&f);
  f = stream(KA_PROFILE_WINDOWS_VISTA);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, 0);
  g_assert_cmpuint(cfg_of(f.s).cnt, ==, 10);
  fx_free(&f);
}

/* Other control codes, datagram sockets and non-Windows profiles:
 * (WSA)EOPNOTSUPP; the output buffer is never written. */
static void test_sio_unsupported(void) {
  uint32_t in[3] = {1, 1000, 1000}, br = 77;
  unsigned char out[8];
  memset(out, 0xAA, sizeof out);
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  g_assert_cmpint(en(f.s,
                     ka_sock_wsaioctl(f.s, 0x98000001u /* SIO_RCVALL */, in, 12, NULL, 0, &br)),
                  ==, WSAEOPNOTSUPP);
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, KA_WIN_SIO_KEEPALIVE_VALS, in, 12, out, sizeof out,
                                           &br)),
                  ==, 0);
  g_assert_cmpuint(out[0], ==, 0xAA);
  g_assert_cmpuint(br, ==, 0);
  fx_free(&f);
  f = fx_new(KA_PROFILE_WINDOWS_10_1709, KA_SOCK_DGRAM, 0);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, WSAEOPNOTSUPP);
  fx_free(&f);
  static const struct {
    ka_profile_id id;
    int num;
  } rows[] = {{KA_PROFILE_LINUX, L_EOPNOTSUPP},
              {KA_PROFILE_FREEBSD, FBSD_EOPNOTSUPP},
              {KA_PROFILE_MACOS, MAC_EOPNOTSUPP}};
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    f = stream(rows[i].id);
    g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, rows[i].num);
    g_assert_cmpint(cfg_of(f.s).enabled, ==, ka_params_always_keepalive(f.params));
    g_assert_cmpint(cfg_of(f.s).idle, ==, ka_params_keepidle(f.params));
    fx_free(&f);
  }
}

/* Mid-connect is SO_KEEPALIVE's rule; the ioctl still works (assumption). */
static void test_sio_mid_connect(void) {
  fx f = stream(KA_PROFILE_WINDOWS_VISTA);
  ka_sock_set_state(f.s, KA_SOCK_STATE_CONNECTING);
  g_assert_cmpint(sio(f.s, 1, 1000, 1000), ==, 0);
  g_assert_true(cfg_of(f.s).enabled);
  fx_free(&f);
}

/* ===== accept ========================================================== */

/* Accepted sockets inherit every keep-alive option (Wine
 * test_accept_inheritance; sk_clone). */
static void test_accept_inheritance(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1709);
  ka_sock_set_state(f.s, KA_SOCK_STATE_LISTENING);
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 1), ==, 0);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 60), ==, 0);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL, 3), ==, 0);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 4), ==, 0);
  ka_sock *c = ka_sock_accept(f.s);
  g_assert_nonnull(c);
  g_assert_true(c != f.s);
  g_assert_cmpint(ka_sock_get_state(c), ==, KA_SOCK_STATE_CONNECTED);
  g_assert_true(ka_sock_profile(c) == ka_sock_profile(f.s));
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(getl(c, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpuint(buf[0], ==, 1);
  ka_cfg cc = cfg_of(c);
  g_assert_true(cc.enabled);
  g_assert_cmpint(cc.idle, ==, KA_S(60));
  g_assert_cmpint(cc.intvl, ==, KA_S(3));
  g_assert_cmpuint(cc.cnt, ==, 4);
  /* A copy, not a view: later changes to the listener do not leak. */
  g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0, 1), ==, 0);
  g_assert_true(cfg_of(c).enabled);
  /* A connected stream socket: SO_KEEPALIVE may be set, unlike on a
   * datagram socket. */
  g_assert_cmpint(setl(c, WSOL, KA_WIN_SO_KEEPALIVE, 0, 1), ==, 0);
  ka_sock_free(c);
  fx_free(&f);

  /* Linux: TCP_USER_TIMEOUT too. */
  f = stream(KA_PROFILE_LINUX);
  ka_sock_set_state(f.s, KA_SOCK_STATE_LISTENING);
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_TCP_USER_TIMEOUT, 4500), ==, 0);
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_SO_KEEPALIVE, 1), ==, 0);
  c = ka_sock_accept(f.s);
  cc = cfg_of(c);
  g_assert_cmpint(cc.user_timeout, ==, KA_MS(4500));
  g_assert_true(cc.enabled);
  ka_sock_free(c);
  fx_free(&f);

  /* Flags are inherited too; a datagram or NULL listener gives NULL. */
  f = fx_new(KA_PROFILE_WINDOWS_VISTA, KA_SOCK_STREAM, KA_SOCK_NO_WSASTARTUP);
  c = ka_sock_accept(f.s);
  g_assert_cmpint(seti(c, WSOL, KA_WIN_SO_KEEPALIVE, 1), ==, WSANOTINITIALISED);
  ka_sock_free(c);
  fx_free(&f);
  f = fx_new(KA_PROFILE_LINUX, KA_SOCK_DGRAM, 0);
  g_assert_null(ka_sock_accept(f.s));
  g_assert_null(ka_sock_accept(NULL));
  fx_free(&f);
}

/* ===== Linux =========================================================== */

#define LSOL KA_LINUX_SOL_SOCKET
#define LTCP KA_LINUX_IPPROTO_TCP

/* TCP_KEEPIDLE/INTVL 1..32767, TCP_KEEPCNT 1..127 (facts §4). */
static void test_linux_ranges(void) {
  static const struct {
    int opt, max;
  } rows[] = {{KA_LINUX_TCP_KEEPIDLE, 32767},
              {KA_LINUX_TCP_KEEPINTVL, 32767},
              {KA_LINUX_TCP_KEEPCNT, 127}};
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    fx f = stream(KA_PROFILE_LINUX);
    int opt = rows[i].opt, max = rows[i].max;
    g_assert_cmpint(seti(f.s, LTCP, opt, -1), ==, L_EINVAL);
    g_assert_cmpint(seti(f.s, LTCP, opt, 0), ==, L_EINVAL);
    g_assert_cmpint(seti(f.s, LTCP, opt, max + 1), ==, L_EINVAL);
    g_assert_cmpint(seti(f.s, LTCP, opt, 1), ==, 0);
    g_assert_cmpint(geti(f.s, LTCP, opt), ==, 1);
    g_assert_cmpint(seti(f.s, LTCP, opt, max), ==, 0);
    g_assert_cmpint(geti(f.s, LTCP, opt), ==, max);
    g_assert_cmpint(seti(f.s, LTCP, opt, max + 1), ==, L_EINVAL);
    g_assert_cmpint(geti(f.s, LTCP, opt), ==, max); /* unchanged */
    ka_cfg c = cfg_of(f.s);
    if (opt == KA_LINUX_TCP_KEEPIDLE)
      g_assert_cmpint(c.idle, ==, KA_S(32767));
    else if (opt == KA_LINUX_TCP_KEEPINTVL)
      g_assert_cmpint(c.intvl, ==, KA_S(32767));
    else
      g_assert_cmpuint(c.cnt, ==, 127);
    fx_free(&f);
  }
}

/* set with optlen < sizeof(int): EINVAL; NULL optval: EFAULT (14). */
static void test_linux_short_optlen(void) {
  fx f = stream(KA_PROFILE_LINUX);
  for (int l = -1; l < 4; l++) {
    g_assert_cmpint(setl(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 1, l), ==, L_EINVAL);
    g_assert_cmpint(setl(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, 10, l), ==, L_EINVAL);
  }
  g_assert_false(cfg_of(f.s).enabled);
  g_assert_cmpint(setl(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 1, 8), ==, 0); /* longer is fine */
  g_assert_true(cfg_of(f.s).enabled);
  g_assert_cmpint(en(f.s, ka_sock_setsockopt(f.s, LTCP, KA_LINUX_TCP_KEEPCNT, NULL, 4)), ==, 14);
  fx_free(&f);
}

/* Unknown level or option: ENOPROTOOPT. */
static void test_linux_unknown(void) {
  fx f = stream(KA_PROFILE_LINUX);
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(seti(f.s, 99, KA_LINUX_SO_KEEPALIVE, 1), ==, L_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, KA_WIN_SOL_SOCKET, KA_WIN_SO_KEEPALIVE, 1), ==, L_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, LSOL, 12345, 1), ==, L_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, LTCP, 12345, 1), ==, L_ENOPROTOOPT);
  g_assert_cmpint(getl(f.s, LSOL, 12345, buf, &len), ==, L_ENOPROTOOPT);
  g_assert_cmpint(getl(f.s, LTCP, 12345, buf, &len), ==, L_ENOPROTOOPT);
  g_assert_cmpint(getl(f.s, 99, KA_LINUX_TCP_KEEPIDLE, buf, &len), ==, L_ENOPROTOOPT);
  fx_free(&f);
}

/* get copies min(*optlen, 4) bytes and says so; negative is EINVAL at
 * SOL_SOCKET (sk_getsockopt) but 4 at IPPROTO_TCP (do_tcp_getsockopt's
 * unsigned min_t). */
static void test_linux_get_lengths(void) {
  fx f = stream(KA_PROFILE_LINUX);
  unsigned char buf[16];
  int len;
  g_assert_cmpint(seti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 1), ==, 0);
  g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, 0x0201), ==, 0);
  len = 2;
  g_assert_cmpint(getl(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 2);
  g_assert_cmpuint(buf[0], ==, 1);
  g_assert_cmpuint(buf[1], ==, 0);
  g_assert_cmpuint(buf[2], ==, 0xAA);
  len = 8;
  g_assert_cmpint(getl(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 4);
  len = 0;
  g_assert_cmpint(getl(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 0);
  g_assert_cmpuint(buf[0], ==, 0xAA);
  len = -1;
  g_assert_cmpint(getl(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, buf, &len), ==, L_EINVAL);
  len = 1;
  g_assert_cmpint(getl(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 1);
  g_assert_cmpuint(buf[0], ==, 0x01);
  g_assert_cmpuint(buf[1], ==, 0xAA);
  len = 3;
  g_assert_cmpint(getl(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 3);
  g_assert_cmpuint(buf[1], ==, 0x02);
  len = -1;
  g_assert_cmpint(getl(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 4);
  fx_free(&f);
}

/* SO_KEEPALIVE is a flag: any non-zero value reads back as 1. */
static void test_linux_so_keepalive_flag(void) {
  fx f = stream(KA_PROFILE_LINUX);
  g_assert_cmpint(seti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 0x100), ==, 0);
  g_assert_cmpint(geti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE), ==, 1);
  g_assert_true(cfg_of(f.s).enabled);
  g_assert_cmpint(seti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 0), ==, 0);
  g_assert_cmpint(geti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE), ==, 0);
  g_assert_false(cfg_of(f.s).enabled);
  fx_free(&f);
}

/* UDP: SO_KEEPALIVE is stored, the TCP level is ENOPROTOOPT. */
static void test_linux_dgram(void) {
  fx f = fx_new(KA_PROFILE_LINUX, KA_SOCK_DGRAM, 0);
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(seti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 1), ==, 0);
  g_assert_cmpint(geti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE), ==, 1);
  g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, 10), ==, L_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, 10), ==, L_ENOPROTOOPT);
  g_assert_cmpint(setl(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE, 10, 2), ==, L_ENOPROTOOPT);
  g_assert_cmpint(getl(f.s, LTCP, KA_LINUX_TCP_USER_TIMEOUT, buf, &len), ==, L_ENOPROTOOPT);
  fx_free(&f);
}

/* TCP_USER_TIMEOUT: ms, negative EINVAL, 0 off; only Linux has it. */
static void test_linux_user_timeout(void) {
  fx f = stream(KA_PROFILE_LINUX);
  g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_USER_TIMEOUT, -1), ==, L_EINVAL);
  g_assert_cmpint(cfg_of(f.s).user_timeout, ==, 0);
  g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_USER_TIMEOUT, 30000), ==, 0);
  g_assert_cmpint(geti(f.s, LTCP, KA_LINUX_TCP_USER_TIMEOUT), ==, 30000);
  g_assert_cmpint(cfg_of(f.s).user_timeout, ==, KA_MS(30000));
  g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_USER_TIMEOUT, 0), ==, 0);
  g_assert_cmpint(cfg_of(f.s).user_timeout, ==, 0);
  fx_free(&f);
  f = stream(KA_PROFILE_WINDOWS_10_1709);
  g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_USER_TIMEOUT, 5)), ==, WSAENOPROTOOPT);
  fx_free(&f);
  f = stream(KA_PROFILE_FREEBSD);
  g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_USER_TIMEOUT, 5)), ==, B_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, KA_BSD_IPPROTO_TCP, KA_LINUX_TCP_USER_TIMEOUT, 5), ==, B_ENOPROTOOPT);
  g_assert_cmpint(cfg_of(f.s).user_timeout, ==, 0);
  fx_free(&f);
}

/* Linux checks no connection state; Winsock flags mean nothing there. */
static void test_linux_no_state_errors(void) {
  static const ka_sock_state states[] = {KA_SOCK_STATE_CONNECTING, KA_SOCK_STATE_TIMED_OUT,
                                         KA_SOCK_STATE_RESET};
  fx f = fx_new(KA_PROFILE_LINUX, KA_SOCK_STREAM, KA_SOCK_NO_WSASTARTUP);
  for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
    ka_sock_set_state(f.s, states[i]);
    g_assert_cmpint(seti(f.s, LSOL, KA_LINUX_SO_KEEPALIVE, 1), ==, 0);
    g_assert_cmpint(seti(f.s, LTCP, KA_LINUX_TCP_KEEPCNT, 3), ==, 0);
  }
  fx_free(&f);
}

/* Defaults and per-socket values through ka_sock_cfg. */
static void test_linux_cfg(void) {
  fx f = stream(KA_PROFILE_LINUX);
  ka_cfg c = cfg_of(f.s);
  g_assert_true(c.profile == ka_profile_get(KA_PROFILE_LINUX));
  g_assert_false(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  g_assert_cmpint(c.intvl, ==, KA_S(75));
  g_assert_cmpuint(c.cnt, ==, 9);
  g_assert_cmpuint(c.max_retrans, ==, 15);
  g_assert_false(c.never_probes);
  g_assert_cmpint(geti(f.s, LTCP, KA_LINUX_TCP_KEEPIDLE), ==, 7200);
  g_assert_cmpint(geti(f.s, LTCP, KA_LINUX_TCP_KEEPINTVL), ==, 75);
  g_assert_cmpint(geti(f.s, LTCP, KA_LINUX_TCP_KEEPCNT), ==, 9);
  /* The netdev packetdrill example (facts §4): 3 / 2 / 4. */
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_SO_KEEPALIVE, 1), ==, 0);
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_TCP_KEEPIDLE, 3), ==, 0);
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_TCP_KEEPINTVL, 2), ==, 0);
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_TCP_KEEPCNT, 4), ==, 0);
  c = cfg_of(f.s);
  g_assert_true(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_S(3));
  g_assert_cmpint(c.intvl, ==, KA_S(2));
  g_assert_cmpuint(c.cnt, ==, 4);
  /* set_int goes through the same checks. */
  g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_KEEPIDLE, 0)), ==, L_EINVAL);
  fx_free(&f);
  /* A probe count of 0 is not "never probes" outside Windows. */
  f = stream(KA_PROFILE_LINUX);
  param(&f, "net.ipv4.tcp_keepalive_probes", 0);
  c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 0);
  g_assert_false(c.never_probes);
  fx_free(&f);
}

/* ===== FreeBSD and macOS ================================================ */

#define BSOL KA_BSD_SOL_SOCKET
#define BTCP KA_BSD_IPPROTO_TCP

/* always_keepalive: FreeBSD probes without SO_KEEPALIVE, macOS not. */
static void test_bsd_always_keepalive(void) {
  fx f = stream(KA_PROFILE_FREEBSD);
  g_assert_true(cfg_of(f.s).enabled);
  param(&f, "net.inet.tcp.always_keepalive", 0);
  g_assert_false(cfg_of(f.s).enabled);
  g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1), ==, 0);
  g_assert_true(cfg_of(f.s).enabled);
  fx_free(&f);
  f = stream(KA_PROFILE_MACOS);
  g_assert_false(cfg_of(f.s).enabled);
  g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1), ==, 0);
  g_assert_true(cfg_of(f.s).enabled);
  fx_free(&f);
}

/* FreeBSD: 0 for TCP_KEEPIDLE/INTVL/CNT means the sysctl (TP_KEEPIDLE). */
static void test_freebsd_zero_is_default(void) {
  fx f = stream(KA_PROFILE_FREEBSD);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE, 60), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPINTVL, 5), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPCNT, 3), ==, 0);
  ka_cfg c = cfg_of(f.s);
  g_assert_cmpint(c.idle, ==, KA_S(60));
  g_assert_cmpint(c.intvl, ==, KA_S(5));
  g_assert_cmpuint(c.cnt, ==, 3);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE, 0), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPINTVL, 0), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPCNT, 0), ==, 0);
  c = cfg_of(f.s);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  g_assert_cmpint(c.intvl, ==, KA_S(75));
  g_assert_cmpuint(c.cnt, ==, 8);
  g_assert_cmpuint(c.max_retrans, ==, 12);
  g_assert_cmpint(geti(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE), ==, 7200);
  g_assert_cmpint(geti(f.s, BTCP, KA_FREEBSD_TCP_KEEPCNT), ==, 8);
  /* Default follows the sysctl. */
  param(&f, "net.inet.tcp.keepidle", 600000);
  g_assert_cmpint(cfg_of(f.s).idle, ==, KA_S(600));
  fx_free(&f);
  /* macOS likewise (TCP_CONN_KEEPIDLE and friends). */
  f = stream(KA_PROFILE_MACOS);
  g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPCNT, 0), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPALIVE, 0), ==, 0);
  c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 8);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  fx_free(&f);
}

/* Times: at most UINT_MAX/hz (FreeBSD) or UINT32_MAX/1000 (macOS) s. */
static void test_bsd_ranges(void) {
  static const struct {
    ka_profile_id id;
    int idle, intvl, cnt;
  } rows[] = {{KA_PROFILE_FREEBSD, KA_FREEBSD_TCP_KEEPIDLE, KA_FREEBSD_TCP_KEEPINTVL,
               KA_FREEBSD_TCP_KEEPCNT},
              {KA_PROFILE_MACOS, KA_MACOS_TCP_KEEPALIVE, KA_MACOS_TCP_KEEPINTVL,
               KA_MACOS_TCP_KEEPCNT}};
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    fx f = stream(rows[i].id);
    g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1), ==, 0);
    int opts[] = {rows[i].idle, rows[i].intvl};
    for (size_t k = 0; k < 2; k++) {
      g_assert_cmpint(seti(f.s, BTCP, opts[k], 4294967), ==, 0);
      g_assert_cmpint(geti(f.s, BTCP, opts[k]), ==, 4294967);
      g_assert_cmpint(seti(f.s, BTCP, opts[k], 4294968), ==, B_EINVAL);
      g_assert_cmpint(seti(f.s, BTCP, opts[k], -1), ==, B_EINVAL);
      g_assert_cmpint(geti(f.s, BTCP, opts[k]), ==, 4294967);
    }
    ka_cfg c = cfg_of(f.s);
    g_assert_cmpint(c.idle, ==, KA_S(4294967));
    g_assert_cmpint(c.intvl, ==, KA_S(4294967));
    g_assert_cmpint(setl(f.s, BTCP, rows[i].cnt, 5, 3), ==, B_EINVAL); /* sooptcopyin */
    g_assert_cmpint(seti(f.s, BTCP, rows[i].cnt, 5), ==, 0);
    g_assert_cmpuint(cfg_of(f.s).cnt, ==, 5);
    fx_free(&f);
  }
  /* TCP_KEEPCNT -1: XNU refuses, FreeBSD stores the u_int. */
  fx f = stream(KA_PROFILE_MACOS);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPCNT, -1), ==, B_EINVAL);
  fx_free(&f);
  f = stream(KA_PROFILE_FREEBSD);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPCNT, -1), ==, 0);
  g_assert_cmpuint(cfg_of(f.s).cnt, ==, UINT32_MAX);
  fx_free(&f);
}

/* Unknown level EINVAL (ip_ctloutput), unknown option ENOPROTOOPT, short
 * optlen EINVAL; each OS's own option numbers. */
static void test_bsd_errors(void) {
  fx f = stream(KA_PROFILE_FREEBSD);
  unsigned char buf[16];
  int len = 4;
  g_assert_cmpint(seti(f.s, 99, KA_BSD_SO_KEEPALIVE, 1), ==, B_EINVAL);
  g_assert_cmpint(getl(f.s, 99, KA_BSD_SO_KEEPALIVE, buf, &len), ==, B_EINVAL);
  g_assert_cmpint(seti(f.s, BSOL, 0x4321, 1), ==, B_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPALIVE, 1), ==, B_ENOPROTOOPT);
  g_assert_cmpint(getl(f.s, BTCP, 0x4321, buf, &len), ==, B_ENOPROTOOPT);
  g_assert_cmpint(setl(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1, 3), ==, B_EINVAL);
  g_assert_cmpint(setl(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1, -1), ==, B_EINVAL);
  len = -1;
  g_assert_cmpint(getl(f.s, BSOL, KA_BSD_SO_KEEPALIVE, buf, &len), ==, B_EINVAL);
  fx_free(&f);
  f = stream(KA_PROFILE_MACOS);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE, 1), ==, B_ENOPROTOOPT);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPALIVE, 42), ==, 0);
  g_assert_cmpint(geti(f.s, BTCP, KA_MACOS_TCP_KEEPALIVE), ==, 42);
  g_assert_cmpint(ka_sock_set_int(f.s, KA_OPT_TCP_KEEPINTVL, 9), ==, 0);
  g_assert_cmpint(geti(f.s, BTCP, KA_MACOS_TCP_KEEPINTVL), ==, 9);
  fx_free(&f);
}

/* get copies min(*optlen, 4); SO_KEEPALIVE reads back as the so_options
 * bit; a UDP socket's IPPROTO_TCP level is EINVAL, SO_KEEPALIVE fine. */
static void test_bsd_get_and_dgram(void) {
  fx f = stream(KA_PROFILE_FREEBSD);
  unsigned char buf[16];
  int len = 2;
  g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 5), ==, 0);
  g_assert_cmpint(geti(f.s, BSOL, KA_BSD_SO_KEEPALIVE), ==, KA_BSD_SO_KEEPALIVE);
  g_assert_cmpint(getl(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 2);
  g_assert_cmpuint(buf[0] | buf[1] << 8, ==, 7200);
  g_assert_cmpuint(buf[2], ==, 0xAA);
  len = 8;
  g_assert_cmpint(getl(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE, buf, &len), ==, 0);
  g_assert_cmpint(len, ==, 4);
  fx_free(&f);
  f = fx_new(KA_PROFILE_MACOS, KA_SOCK_DGRAM, 0);
  len = 4;
  g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1), ==, 0);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPALIVE, 1), ==, B_EINVAL);
  g_assert_cmpint(getl(f.s, BTCP, KA_MACOS_TCP_KEEPCNT, buf, &len), ==, B_EINVAL);
  fx_free(&f);
}

/* XNU's TCP_CONN_KEEPIDLE honours the socket's idle only with
 * SO_KEEPALIVE set; always_keepalive alone uses the sysctl. */
static void test_macos_idle_needs_so_keepalive(void) {
  fx f = stream(KA_PROFILE_MACOS);
  param(&f, "net.inet.tcp.always_keepalive", 1);
  g_assert_cmpint(seti(f.s, BTCP, KA_MACOS_TCP_KEEPALIVE, 60), ==, 0);
  ka_cfg c = cfg_of(f.s);
  g_assert_true(c.enabled);
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  g_assert_cmpint(seti(f.s, BSOL, KA_BSD_SO_KEEPALIVE, 1), ==, 0);
  g_assert_cmpint(cfg_of(f.s).idle, ==, KA_S(60));
  fx_free(&f);
  /* FreeBSD has no such condition. */
  f = stream(KA_PROFILE_FREEBSD);
  g_assert_cmpint(seti(f.s, BTCP, KA_FREEBSD_TCP_KEEPIDLE, 60), ==, 0);
  g_assert_cmpint(cfg_of(f.s).idle, ==, KA_S(60));
  fx_free(&f);
}

/* ===== ka_sock_cfg defaults per profile (facts §2) ====================== */

static void test_cfg_vista_defaults(void) {
  fx f = stream(KA_PROFILE_WINDOWS_VISTA);
  ka_cfg c = cfg_of(f.s);
  g_assert_true(c.profile == ka_profile_get(KA_PROFILE_WINDOWS_VISTA));
  g_assert_false(c.enabled); /* off by default (so-keepalive page) */
  g_assert_cmpint(c.idle, ==, KA_S(7200));
  g_assert_cmpint(c.intvl, ==, KA_S(1));
  g_assert_cmpuint(c.cnt, ==, 10);
  g_assert_false(c.never_probes);
  g_assert_cmpint(c.user_timeout, ==, 0);
  g_assert_cmpuint(c.max_retrans, ==, 5);
  /* The registry moves the times but not the count. */
  param(&f, "KeepAliveTime", 300000);
  param(&f, "TcpMaxDataRetransmissions", 0);
  c = cfg_of(f.s);
  g_assert_cmpint(c.idle, ==, KA_S(300));
  g_assert_cmpuint(c.cnt, ==, 10);
  g_assert_false(c.never_probes);
  g_assert_cmpuint(c.max_retrans, ==, 0);
  fx_free(&f);
}

static void test_cfg_xp_registry(void) {
  fx f = stream(KA_PROFILE_WINDOWS_XP);
  ka_cfg c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 5);
  param(&f, "TcpMaxDataRetransmissions", 300);
  c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 255);
  g_assert_cmpuint(c.max_retrans, ==, 300);
  g_assert_false(c.never_probes);
  fx_free(&f);
  f = stream(KA_PROFILE_WINDOWS_XP);
  param(&f, "TcpMaxDataRetransmissions", 0);
  param(&f, "PPTPTcpMaxDataRetransmissions", 0);
  c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 0);
  g_assert_true(c.never_probes);
  fx_free(&f);
  /* Either one non-zero is enough. */
  f = stream(KA_PROFILE_WINDOWS_2000);
  param(&f, "TcpMaxDataRetransmissions", 0);
  c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 5);
  g_assert_false(c.never_probes);
  fx_free(&f);
}

/* TCP_KEEPCNT 0 on 1703+: no probes, as count 0 on XP (an assumption). */
static void test_cfg_keepcnt_zero(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1703);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 0), ==, 0);
  ka_cfg c = cfg_of(f.s);
  g_assert_cmpuint(c.cnt, ==, 0);
  g_assert_true(c.never_probes);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 1), ==, 0);
  g_assert_false(cfg_of(f.s).never_probes);
  fx_free(&f);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sock/win/no-wsastartup", test_win_no_wsastartup);
  g_test_add_func("/sock/win/null-socket", test_win_null_socket);
  g_test_add_func("/sock/win/unknown-level-option", test_win_unknown_level_option);
  g_test_add_func("/sock/win/keepcnt-version", test_win_keepcnt_version);
  g_test_add_func("/sock/win/keepidle-version", test_win_keepidle_version);
  g_test_add_func("/sock/win/keepalive-unit", test_win_keepalive_unit);
  g_test_add_func("/sock/win/dgram", test_win_dgram);
  g_test_add_func("/sock/win/optval-null", test_win_optval_null);
  g_test_add_func("/sock/win/vista-one-byte", test_win_vista_one_byte);
  g_test_add_func("/sock/win/legacy-bool", test_win_legacy_bool);
  g_test_add_func("/sock/win/so-keepalive-optlen-zero", test_win_so_keepalive_optlen_zero);
  g_test_add_func("/sock/win/negative-optlen", test_win_negative_optlen);
  g_test_add_func("/sock/win/optlen-table", test_win_optlen_table);
  g_test_add_func("/sock/win/tcp-short-buffers", test_win_tcp_short_buffers);
  g_test_add_func("/sock/win/keepcnt-max", test_win_keepcnt_max);
  g_test_add_func("/sock/win/tcp-get-effective", test_win_tcp_get_effective);
  g_test_add_func("/sock/win/states", test_win_states);
  g_test_add_func("/sock/win/mid-connect", test_win_mid_connect);
  g_test_add_func("/sock/sio/short-input", test_sio_short_input);
  g_test_add_func("/sock/sio/null-bytes-returned", test_sio_null_bytes_returned);
  g_test_add_func("/sock/sio/observed-cases", test_sio_observed_cases);
  g_test_add_func("/sock/sio/survives-toggle", test_sio_survives_toggle);
  g_test_add_func("/sock/sio/count-untouched", test_sio_count_untouched);
  g_test_add_func("/sock/sio/unsupported", test_sio_unsupported);
  g_test_add_func("/sock/sio/mid-connect", test_sio_mid_connect);
  g_test_add_func("/sock/accept-inheritance", test_accept_inheritance);
  g_test_add_func("/sock/linux/ranges", test_linux_ranges);
  g_test_add_func("/sock/linux/short-optlen", test_linux_short_optlen);
  g_test_add_func("/sock/linux/unknown", test_linux_unknown);
  g_test_add_func("/sock/linux/get-lengths", test_linux_get_lengths);
  g_test_add_func("/sock/linux/so-keepalive-flag", test_linux_so_keepalive_flag);
  g_test_add_func("/sock/linux/dgram", test_linux_dgram);
  g_test_add_func("/sock/linux/user-timeout", test_linux_user_timeout);
  g_test_add_func("/sock/linux/no-state-errors", test_linux_no_state_errors);
  g_test_add_func("/sock/linux/cfg", test_linux_cfg);
  g_test_add_func("/sock/bsd/always-keepalive", test_bsd_always_keepalive);
  g_test_add_func("/sock/bsd/zero-is-default", test_freebsd_zero_is_default);
  g_test_add_func("/sock/bsd/ranges", test_bsd_ranges);
  g_test_add_func("/sock/bsd/errors", test_bsd_errors);
  g_test_add_func("/sock/bsd/get-and-dgram", test_bsd_get_and_dgram);
  g_test_add_func("/sock/bsd/macos-idle-needs-so-keepalive", test_macos_idle_needs_so_keepalive);
  g_test_add_func("/sock/cfg/vista-defaults", test_cfg_vista_defaults);
  g_test_add_func("/sock/cfg/xp-registry", test_cfg_xp_registry);
  g_test_add_func("/sock/cfg/keepcnt-zero", test_cfg_keepcnt_zero);
  return g_test_run();
}
