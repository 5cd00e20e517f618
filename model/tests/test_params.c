/* test_params.c - registry values and sysctls: names, defaults, ranges,
 * units (facts §2, §4, §5). */
#include <kasim/ka.h>
#include <string.h>

static ka_params *params_of(const char *profile) {
  const ka_profile *p = ka_profile_find(profile);
  g_assert_nonnull(p);
  return ka_params_new(p);
}

static uint64_t get(const ka_params *params, const char *name) {
  uint64_t v = 0;
  g_assert_true(ka_params_get(params, name, &v));
  return v;
}

/* facts §2 table: defaults 7,200,000 ms, 1,000 ms, 5, 5. */
static void test_windows_defaults(void) {
  ka_params *params = params_of("windows-2003");
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 7200000);
  g_assert_cmpuint(get(params, "KeepAliveInterval"), ==, 1000);
  g_assert_cmpuint(get(params, "TcpMaxDataRetransmissions"), ==, 5);
  g_assert_cmpuint(get(params, "PPTPTcpMaxDataRetransmissions"), ==, 5);
  g_assert_cmpint(ka_params_keepidle(params), ==, KA_S(7200));
  g_assert_cmpint(ka_params_keepintvl(params), ==, KA_S(1));
  g_assert_cmpuint(ka_params_keepcnt(params), ==, 5);
  g_assert_cmpuint(ka_params_max_retransmissions(params), ==, 5);
  g_assert_false(ka_params_is_set(params, "KeepAliveTime"));
  ka_params_free(params);
}

/* facts §2 ranges: KeepAliveTime 1..0xFFFFFFFF, PPTP 0..0xFF. */
static void test_windows_ranges(void) {
  ka_params *params = params_of("windows-xp");
  GError *err = NULL;
  g_assert_false(ka_params_set(params, "KeepAliveTime", "0", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_RANGE);
  g_assert_nonnull(strstr(err->message, "KeepAliveTime"));
  g_clear_error(&err);
  g_assert_true(ka_params_set(params, "KeepAliveTime", "1", &err));
  g_assert_true(ka_params_set(params, "KeepAliveTime", "4294967295", &err));
  g_assert_false(ka_params_set(params, "KeepAliveTime", "4294967296", &err));
  g_clear_error(&err);
  g_assert_true(ka_params_set(params, "PPTPTcpMaxDataRetransmissions", "255", &err));
  g_assert_false(ka_params_set(params, "PPTPTcpMaxDataRetransmissions", "256", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_RANGE);
  g_clear_error(&err);
  g_assert_true(ka_params_set(params, "TcpMaxDataRetransmissions", "0xFFFFFFFF", &err));
  g_assert_no_error(err);
  /* Refused values left the earlier ones alone. */
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 4294967295u);
  g_assert_cmpuint(get(params, "PPTPTcpMaxDataRetransmissions"), ==, 255);
  ka_params_free(params);
}

/* facts §2: 2000/XP/2003 probe max(TMDR, PPTP), 0 -> none, >255 -> 255;
 * Vista+ fixed at 10 whatever the registry says. */
static void test_probe_count_rule(void) {
  ka_params *xp = params_of("windows-xp");
  GError *err = NULL;
  g_assert_true(ka_params_set_assignment(xp, "TcpMaxDataRetransmissions=300", &err));
  g_assert_cmpuint(ka_params_keepcnt(xp), ==, 255);
  g_assert_cmpuint(ka_params_max_retransmissions(xp), ==, 300);
  g_assert_true(ka_params_set_assignment(xp, "TcpMaxDataRetransmissions=0", &err));
  g_assert_cmpuint(ka_params_keepcnt(xp), ==, 5); /* PPTP still 5 */
  g_assert_true(ka_params_set_assignment(xp, "PPTPTcpMaxDataRetransmissions=0", &err));
  g_assert_cmpuint(ka_params_keepcnt(xp), ==, 0);
  g_assert_no_error(err);
  ka_params_free(xp);

  ka_params *vista = params_of("windows-vista");
  g_assert_true(ka_params_set_assignment(vista, "TcpMaxDataRetransmissions=0", &err));
  g_assert_true(ka_params_set_assignment(vista, "PPTPTcpMaxDataRetransmissions=0", &err));
  g_assert_cmpuint(ka_params_keepcnt(vista), ==, 10);
  ka_params_free(vista);
}

/* Units: "300s" for a millisecond value; fractions only when exact. */
static void test_units(void) {
  ka_params *params = params_of("windows-vista");
  GError *err = NULL;
  g_assert_true(ka_params_set(params, "KeepAliveTime", "300s", &err));
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 300000);
  g_assert_true(ka_params_set(params, "KeepAliveTime", "5m", &err));
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 300000);
  g_assert_true(ka_params_set(params, "KeepAliveTime", "2h", &err));
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 7200000);
  g_assert_true(ka_params_set(params, "KeepAliveTime", "1d", &err));
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 86400000);
  g_assert_true(ka_params_set(params, "KeepAliveInterval", "1.5s", &err));
  g_assert_cmpuint(get(params, "KeepAliveInterval"), ==, 1500);
  g_assert_no_error(err);
  g_assert_false(ka_params_set(params, "KeepAliveInterval", "1.5ms", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE);
  g_clear_error(&err);
  g_assert_false(ka_params_set(params, "KeepAliveInterval", "10 parsecs", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE);
  g_clear_error(&err);
  g_assert_false(ka_params_set(params, "KeepAliveInterval", "", &err));
  g_clear_error(&err);
  g_assert_false(ka_params_set(params, "TcpMaxDataRetransmissions", "5s", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE);
  g_clear_error(&err);
  g_assert_false(ka_params_set(params, "TcpMaxDataRetransmissions", "-1", &err));
  g_clear_error(&err);
  g_assert_false(ka_params_set(params, "KeepAliveTime", "99999999999999999999999", &err));
  g_clear_error(&err);
  ka_params_free(params);
}

static void test_names(void) {
  ka_params *params = params_of("windows-vista");
  GError *err = NULL;
  /* The registry is case-insensitive. */
  g_assert_true(ka_params_set_assignment(params, "keepalivetime=60000", &err));
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 60000);
  g_assert_true(ka_params_is_set(params, "KEEPALIVETIME"));
  g_assert_false(ka_params_set_assignment(params, "KeepAliveTimer=1", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_UNKNOWN_NAME);
  g_assert_nonnull(strstr(err->message, "KeepAliveTimer"));
  g_clear_error(&err);
  g_assert_false(ka_params_set_assignment(params, "net.ipv4.tcp_keepalive_time=60", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_UNKNOWN_NAME);
  g_clear_error(&err);
  g_assert_false(ka_params_set_assignment(params, "KeepAliveTime", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE);
  g_clear_error(&err);
  g_assert_true(ka_params_reset(params, "KeepAliveTime"));
  g_assert_cmpuint(get(params, "KeepAliveTime"), ==, 7200000);
  g_assert_false(ka_params_is_set(params, "KeepAliveTime"));
  ka_params_free(params);
}

/* facts §4: Linux 7200 s / 75 s / 9, tcp_retries2 15, as sysctls. */
static void test_linux_sysctls(void) {
  ka_params *params = params_of("linux");
  g_assert_cmpint(ka_params_keepidle(params), ==, KA_S(7200));
  g_assert_cmpint(ka_params_keepintvl(params), ==, KA_S(75));
  g_assert_cmpuint(ka_params_keepcnt(params), ==, 9);
  g_assert_cmpuint(ka_params_max_retransmissions(params), ==, 15);
  GError *err = NULL;
  g_assert_true(ka_params_set_assignment(params, "net.ipv4.tcp_keepalive_time=10m", &err));
  g_assert_cmpint(ka_params_keepidle(params), ==, KA_S(600));
  g_assert_false(ka_params_set_assignment(params, "net.ipv4.tcp_keepalive_intvl=1500ms", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_BAD_VALUE);
  g_clear_error(&err);
  g_assert_true(ka_params_set_assignment(params, "net.ipv4.tcp_keepalive_probes=255", &err));
  g_assert_false(ka_params_set_assignment(params, "net.ipv4.tcp_keepalive_probes=256", &err));
  g_assert_error(err, KA_PARAMS_ERROR, KA_PARAMS_ERROR_RANGE);
  g_clear_error(&err);
  g_assert_false(ka_params_set_assignment(params, "KeepAliveTime=1000", &err));
  g_clear_error(&err);
  ka_params_free(params);
}

/* facts §5: FreeBSD and macOS 7200 / 75 / 8; always_keepalive 1 vs 0. */
static void test_bsd_sysctls(void) {
  ka_params *fb = params_of("freebsd");
  ka_params *mac = params_of("macos");
  g_assert_cmpint(ka_params_keepidle(fb), ==, KA_S(7200));
  g_assert_cmpint(ka_params_keepintvl(mac), ==, KA_S(75));
  g_assert_cmpuint(ka_params_keepcnt(fb), ==, 8);
  g_assert_cmpuint(ka_params_keepcnt(mac), ==, 8);
  g_assert_true(ka_params_always_keepalive(fb));
  g_assert_false(ka_params_always_keepalive(mac));
  GError *err = NULL;
  g_assert_true(ka_params_set_assignment(fb, "net.inet.tcp.always_keepalive=0", &err));
  g_assert_false(ka_params_always_keepalive(fb));
  g_assert_false(ka_params_set_assignment(fb, "net.inet.tcp.always_keepalive=2", &err));
  g_clear_error(&err);
  g_assert_true(ka_params_set_assignment(mac, "net.inet.tcp.keepidle=60s", &err));
  g_assert_cmpuint(get(mac, "net.inet.tcp.keepidle"), ==, 60000);
  ka_params_free(fb);
  ka_params_free(mac);
}

static void test_copy_assign(void) {
  ka_params *a = params_of("windows-xp");
  GError *err = NULL;
  g_assert_true(ka_params_set_assignment(a, "KeepAliveTime=1000", &err));
  ka_params *b = ka_params_copy(a);
  g_assert_cmpuint(get(b, "KeepAliveTime"), ==, 1000);
  g_assert_true(ka_params_set_assignment(b, "KeepAliveTime=2000", &err));
  g_assert_cmpuint(get(a, "KeepAliveTime"), ==, 1000);
  ka_params_assign(a, b);
  g_assert_cmpuint(get(a, "KeepAliveTime"), ==, 2000);
  ka_params_free(a);
  ka_params_free(b);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/params/windows-defaults", test_windows_defaults);
  g_test_add_func("/params/windows-ranges", test_windows_ranges);
  g_test_add_func("/params/probe-count-rule", test_probe_count_rule);
  g_test_add_func("/params/units", test_units);
  g_test_add_func("/params/names", test_names);
  g_test_add_func("/params/linux-sysctls", test_linux_sysctls);
  g_test_add_func("/params/bsd-sysctls", test_bsd_sysctls);
  g_test_add_func("/params/copy-assign", test_copy_assign);
  return g_test_run();
}
