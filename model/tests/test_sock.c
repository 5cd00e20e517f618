/* test_sock.c - the socket option API of each profile (facts §1, §2, §4,
 * §5).  Expected error numbers are the OS's own (windows-sockets-error-
 * codes-2 page; Linux asm-generic/errno.h; BSD sys/errno.h). */
#include <kasim/ka_error.h>
#include <kasim/ka_options.h>
#include <kasim/ka_params.h>
#include <kasim/ka_profile.h>
#include <kasim/ka_sock.h>
#include <string.h>

/* Winsock (facts §1). */
enum {
  WSAEFAULT = 10014,
  WSAEINVAL = 10022,
  WSAENOTSOCK = 10038,
  WSAENOPROTOOPT = 10042,
  WSAEOPNOTSUPP = 10045,
  WSAENETRESET = 10052,
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
  g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_USER_TIMEOUT, 1)), ==,
                  WSANOTINITIALISED);
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
  g_assert_cmpint(ka_profile_errnum(p, ka_sock_getsockopt(NULL, WSOL, KA_WIN_SO_KEEPALIVE, &v, &len)),
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

/* TCP_KEEPCNT exists from 1703 (facts §1). */
static void test_win_keepcnt_version(void) {
  static const ka_profile_id without[] = {KA_PROFILE_WINDOWS_2000, KA_PROFILE_WINDOWS_XP,
                                          KA_PROFILE_WINDOWS_2003, KA_PROFILE_WINDOWS_VISTA};
  for (size_t i = 0; i < G_N_ELEMENTS(without); i++) {
    fx f = stream(without[i]);
    unsigned char buf[16];
    int len = 4;
    g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 5), ==, WSAENOPROTOOPT);
    g_assert_cmpint(getl(f.s, WTCP, KA_WIN_TCP_KEEPCNT, buf, &len), ==, WSAENOPROTOOPT);
    g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_KEEPCNT, 5)), ==, WSAENOPROTOOPT);
    fx_free(&f);
  }
  fx f = stream(KA_PROFILE_WINDOWS_10_1703);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPCNT, 5), ==, 0);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPCNT), ==, 5);
  g_assert_cmpuint(cfg_of(f.s).cnt, ==, 5);
  fx_free(&f);
}

/* TCP_KEEPIDLE/TCP_KEEPINTVL exist from 1709 (facts §1). */
static void test_win_keepidle_version(void) {
  fx f = stream(KA_PROFILE_WINDOWS_10_1703);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 30), ==, WSAENOPROTOOPT);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL, 3), ==, WSAENOPROTOOPT);
  g_assert_cmpint(en(f.s, ka_sock_set_int(f.s, KA_OPT_TCP_KEEPIDLE, 30)), ==, WSAENOPROTOOPT);
  g_assert_cmpint(cfg_of(f.s).idle, ==, KA_S(7200));
  fx_free(&f);
  f = stream(KA_PROFILE_WINDOWS_10_1709);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE, 30), ==, 0);
  g_assert_cmpint(seti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL, 3), ==, 0);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPIDLE), ==, 30);
  g_assert_cmpint(geti(f.s, WTCP, KA_WIN_TCP_KEEPINTVL), ==, 3);
  ka_cfg c = cfg_of(f.s);
  g_assert_cmpint(c.idle, ==, KA_S(30));
  g_assert_cmpint(c.intvl, ==, KA_S(3));
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

/* 2000/XP/2003 keep a DWORD: optlen 4 back, shorter is WSAEFAULT. */
static void test_win_2003_dword(void) {
  static const ka_profile_id legacy[] = {KA_PROFILE_WINDOWS_2000, KA_PROFILE_WINDOWS_XP,
                                         KA_PROFILE_WINDOWS_2003};
  for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++) {
    fx f = stream(legacy[i]);
    unsigned char buf[16];
    int len = 8, v;
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 2), ==, WSAEFAULT);
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 1), ==, WSAEFAULT);
    g_assert_false(cfg_of(f.s).enabled);
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0x100, 4), ==, 0);
    g_assert_true(cfg_of(f.s).enabled); /* the whole DWORD counts */
    g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, 0);
    g_assert_cmpint(len, ==, 4);
    memcpy(&v, buf, sizeof v);
    g_assert_cmpint(v, !=, 0);
    len = 2;
    g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, WSAEFAULT);
    g_assert_cmpint(len, ==, 2);
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 0, 4), ==, 0);
    g_assert_false(cfg_of(f.s).enabled);
    fx_free(&f);
  }
}

/* SO_KEEPALIVE optlen 0: WSAEFAULT on set and get, old and new. */
static void test_win_so_keepalive_optlen_zero(void) {
  static const ka_profile_id ids[] = {KA_PROFILE_WINDOWS_2003, KA_PROFILE_WINDOWS_VISTA,
                                      KA_PROFILE_WINDOWS_10_1709};
  for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
    fx f = stream(ids[i]);
    unsigned char buf[16];
    int len = 0;
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, 0), ==, WSAEFAULT);
    g_assert_cmpint(setl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, 1, -1), ==, WSAEFAULT);
    g_assert_false(cfg_of(f.s).enabled);
    g_assert_cmpint(getl(f.s, WSOL, KA_WIN_SO_KEEPALIVE, buf, &len), ==, WSAEFAULT);
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
  } rows[] = {{KA_PROFILE_WINDOWS_2000, 0},       {KA_PROFILE_WINDOWS_XP, 0},
              {KA_PROFILE_WINDOWS_2003, 0},       {KA_PROFILE_WINDOWS_VISTA, WSAEINVAL},
              {KA_PROFILE_WINDOWS_10_1703, WSAEINVAL}, {KA_PROFILE_WINDOWS_10_1709, WSAEINVAL}};
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
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, 0x98000001u /* SIO_RCVALL */, in, 12, NULL, 0,
                                           &br)),
                  ==, WSAEOPNOTSUPP);
  g_assert_cmpint(en(f.s, ka_sock_wsaioctl(f.s, KA_WIN_SIO_KEEPALIVE_VALS, in, 12, out,
                                           sizeof out, &br)),
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
  } rows[] = {{KA_LINUX_TCP_KEEPIDLE, 32767}, {KA_LINUX_TCP_KEEPINTVL, 32767},
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
  } rows[] = {
      {KA_PROFILE_FREEBSD, KA_FREEBSD_TCP_KEEPIDLE, KA_FREEBSD_TCP_KEEPINTVL, KA_FREEBSD_TCP_KEEPCNT},
      {KA_PROFILE_MACOS, KA_MACOS_TCP_KEEPALIVE, KA_MACOS_TCP_KEEPINTVL, KA_MACOS_TCP_KEEPCNT}};
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
  g_test_add_func("/sock/win/dgram", test_win_dgram);
  g_test_add_func("/sock/win/optval-null", test_win_optval_null);
  g_test_add_func("/sock/win/vista-one-byte", test_win_vista_one_byte);
  g_test_add_func("/sock/win/2003-dword", test_win_2003_dword);
  g_test_add_func("/sock/win/so-keepalive-optlen-zero", test_win_so_keepalive_optlen_zero);
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
