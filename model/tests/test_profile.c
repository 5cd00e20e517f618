/* test_profile.c - the fixed per-OS rules (facts §1, §2, §5, §6). */
#include <kasim/ka.h>
#include <string.h>

static const ka_profile *P(const char *name) {
  const ka_profile *p = ka_profile_find(name);
  g_assert_nonnull(p);
  return p;
}

static void test_names_roundtrip(void) {
  for (int i = 0; i < KA_PROFILE_COUNT_; i++) {
    const ka_profile *p = ka_profile_get((ka_profile_id)i);
    g_assert_true(ka_profile_find(ka_profile_name(p)) == p);
    g_assert_nonnull(strstr(ka_profile_names(), ka_profile_name(p)));
  }
  g_assert_null(ka_profile_find("windows-95"));
  g_assert_null(ka_profile_get(KA_PROFILE_COUNT_));
}

/* facts §1: option numbers and which Windows version has which option. */
static void test_windows_option_numbers(void) {
  int level, name;
  g_assert_true(ka_profile_option(P("windows-xp"), KA_OPT_SO_KEEPALIVE, &level, &name));
  g_assert_cmpint(level, ==, 0xffff);
  g_assert_cmpint(name, ==, 0x0008);
  g_assert_false(ka_profile_option(P("windows-vista"), KA_OPT_TCP_KEEPCNT, NULL, NULL));
  g_assert_true(ka_profile_option(P("windows-10-1703"), KA_OPT_TCP_KEEPCNT, &level, &name));
  g_assert_cmpint(level, ==, 6);
  g_assert_cmpint(name, ==, 16);
  g_assert_false(ka_profile_option(P("windows-10-1703"), KA_OPT_TCP_KEEPIDLE, NULL, NULL));
  g_assert_true(ka_profile_option(P("windows-10-1709"), KA_OPT_TCP_KEEPIDLE, NULL, &name));
  g_assert_cmpint(name, ==, 3);
  g_assert_true(ka_profile_option(P("windows-10-1709"), KA_OPT_TCP_KEEPINTVL, NULL, &name));
  g_assert_cmpint(name, ==, 17);
  g_assert_false(ka_profile_option(P("windows-10-1709"), KA_OPT_TCP_USER_TIMEOUT, NULL, NULL));
  g_assert_cmpint(ka_profile_option_lookup(P("windows-10-1709"), 6, 17), ==, KA_OPT_TCP_KEEPINTVL);
  g_assert_cmpint(ka_profile_option_lookup(P("windows-vista"), 6, 17), ==, KA_OPT_COUNT_);
  for (int i = KA_PROFILE_WINDOWS_2000; i <= KA_PROFILE_WINDOWS_10_1709; i++)
    g_assert_true(ka_profile_has_sio_keepalive_vals(ka_profile_get((ka_profile_id)i)));
  g_assert_false(ka_profile_has_sio_keepalive_vals(P("linux")));
}

/* facts §4: Linux has TCP_USER_TIMEOUT; BSDs do not. */
static void test_unix_options(void) {
  int level, name;
  g_assert_true(ka_profile_option(P("linux"), KA_OPT_TCP_USER_TIMEOUT, &level, &name));
  g_assert_cmpint(name, ==, 18);
  g_assert_false(ka_profile_option(P("freebsd"), KA_OPT_TCP_USER_TIMEOUT, NULL, NULL));
  g_assert_false(ka_profile_option(P("macos"), KA_OPT_TCP_USER_TIMEOUT, NULL, NULL));
}

/* facts §1 and §6: per-version rules. */
static void test_version_rules(void) {
  const char *legacy[] = {"windows-2000", "windows-xp", "windows-2003"};
  const char *modern[] = {"windows-vista", "windows-10-1703", "windows-10-1709"};
  for (int i = 0; i < 3; i++) {
    g_assert_true(ka_profile_so_keepalive_mid_connect(P(legacy[i])));
    g_assert_cmpint(ka_profile_so_keepalive_optlen(P(legacy[i])), ==, 4);
    g_assert_cmpint(ka_profile_count_rule(P(legacy[i])), ==, KA_COUNT_REGISTRY_MAX);
    g_assert_false(ka_profile_so_keepalive_mid_connect(P(modern[i])));
    g_assert_cmpint(ka_profile_so_keepalive_optlen(P(modern[i])), ==, 1);
    g_assert_cmpuint(ka_profile_probe_payload(P(legacy[i])), ==, 1);
    g_assert_cmpuint(ka_profile_probe_payload(P(modern[i])), ==, 1);
  }
  g_assert_cmpint(ka_profile_count_rule(P("windows-vista")), ==, KA_COUNT_FIXED);
  g_assert_cmpint(ka_profile_count_rule(P("windows-10-1703")), ==, KA_COUNT_SOCKOPT);
  g_assert_cmpuint(ka_profile_probe_payload(P("linux")), ==, 0);
  g_assert_cmpuint(ka_profile_probe_payload(P("freebsd")), ==, 0);
  g_assert_cmpuint(ka_profile_probe_payload(P("macos")), ==, 0);
  g_assert_true(ka_profile_rst_at_keepalive_giveup(P("linux")));   /* facts §3 */
  g_assert_false(ka_profile_rst_at_retransmission_giveup(P("linux")));
  g_assert_cmpint(ka_profile_giveup_rule(P("linux")), ==, KA_GIVEUP_COUNT);
  g_assert_cmpint(ka_profile_giveup_rule(P("freebsd")), ==, KA_GIVEUP_TIME);
  g_assert_cmpint(ka_profile_giveup_rule(P("macos")), ==, KA_GIVEUP_TIME);
  g_assert_true(ka_profile_always_keepalive_default(P("freebsd")));  /* facts §5 */
  g_assert_false(ka_profile_always_keepalive_default(P("macos")));
}

/* facts §1: Winsock numbers; errno values of each system. */
static void test_error_numbers(void) {
  const ka_profile *w = P("windows-xp");
  const struct {
    int err, num;
    const char *name;
  } win[] = {
    {KA_EINTR, 10004, "WSAEINTR"}, {KA_EFAULT, 10014, "WSAEFAULT"},
    {KA_EINVAL, 10022, "WSAEINVAL"}, {KA_EINPROGRESS, 10036, "WSAEINPROGRESS"},
    {KA_ENOTSOCK, 10038, "WSAENOTSOCK"}, {KA_ENOPROTOOPT, 10042, "WSAENOPROTOOPT"},
    {KA_EOPNOTSUPP, 10045, "WSAEOPNOTSUPP"}, {KA_ENETDOWN, 10050, "WSAENETDOWN"},
    {KA_ENETRESET, 10052, "WSAENETRESET"}, {KA_ECONNRESET, 10054, "WSAECONNRESET"},
    {KA_ENOBUFS, 10055, "WSAENOBUFS"}, {KA_ENOTCONN, 10057, "WSAENOTCONN"},
    {KA_ETIMEDOUT, 10060, "WSAETIMEDOUT"}, {KA_ENOTINITIALISED, 10093, "WSANOTINITIALISED"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(win); i++) {
    g_assert_cmpint(ka_profile_errnum(w, win[i].err), ==, win[i].num);
    g_assert_cmpstr(ka_profile_errname(w, win[i].err), ==, win[i].name);
  }
  g_assert_cmpint(ka_profile_errnum(P("linux"), KA_ETIMEDOUT), ==, 110);
  g_assert_cmpint(ka_profile_errnum(P("linux"), KA_ECONNRESET), ==, 104);
  g_assert_cmpint(ka_profile_errnum(P("linux"), KA_EINVAL), ==, 22);
  g_assert_cmpint(ka_profile_errnum(P("linux"), KA_ENOPROTOOPT), ==, 92);
  g_assert_cmpint(ka_profile_errnum(P("freebsd"), KA_ETIMEDOUT), ==, 60);
  g_assert_cmpint(ka_profile_errnum(P("linux"), KA_EPIPE), ==, 32);
  g_assert_cmpint(ka_profile_errnum(P("macos"), KA_EPIPE), ==, 32);
  g_assert_cmpint(ka_profile_errnum(P("freebsd"), KA_EOPNOTSUPP), ==, 45);
  g_assert_cmpint(ka_profile_errnum(P("macos"), KA_EOPNOTSUPP), ==, 102);
  g_assert_cmpint(ka_profile_errnum(P("linux"), KA_ENOTINITIALISED), ==, 0);
}

static void test_strerror(void) {
  g_assert_cmpstr(ka_err_name(KA_ETIMEDOUT), ==, "ETIMEDOUT");
  g_assert_cmpstr(ka_strerror(KA_ETIMEDOUT), ==, "connection timed out");
  g_assert_cmpstr(ka_strerror(-999), ==, "unknown error");
  g_assert_cmpstr(ka_strerror(1), ==, "unknown error");
  for (int e = -1; e > -KA_ERR_COUNT_; e--)
    g_assert_cmpstr(ka_strerror(e), !=, "unknown error");
}

/* RFC 6298 2.4's 1 s floor everywhere but Linux, whose TCP_RTO_MIN is
 * 200 ms (facts §4: what makes tcp_retries2 = 15 give up at 924.6 s);
 * SYN retries: Linux's tcp_syn_retries = 6, whose waits of 1, 2, 4, 8,
 * 16, 32 and 64 s make connect() fail at 127 s (ip-sysctl). */
static void test_rto_and_syn(void) {
  g_assert_cmpint(ka_profile_rto_min(P("linux")), ==, KA_MS(200));
  g_assert_cmpint(ka_profile_rto_min(P("windows-vista")), ==, KA_S(1));
  g_assert_cmpint(ka_profile_rto_min(P("freebsd")), ==, KA_S(1));
  const ka_profile *linux = P("linux");
  g_assert_cmpuint(ka_profile_syn_retries(linux), ==, 6);
  ka_time total = 0;
  for (unsigned k = 0; k <= ka_profile_syn_retries(linux); k++) {
    g_assert_cmpint(ka_profile_syn_timeout(linux, k), ==, KA_S(1) << k);
    total += ka_profile_syn_timeout(linux, k);
  }
  g_assert_cmpint(total, ==, KA_S(127));
  /* The doubling stops at the profile's RTO ceiling (Windows: RFC 6298
   * 2.5's 60 s, docs/model.md), and never overflows. */
  const ka_profile *vista = P("windows-vista");
  g_assert_cmpint(ka_profile_syn_timeout(vista, 5), ==, KA_S(32));
  g_assert_cmpint(ka_profile_syn_timeout(vista, 6), ==, KA_S(60));
  g_assert_cmpint(ka_profile_syn_timeout(vista, 1000), ==, KA_S(60));
  g_assert_cmpint(ka_profile_syn_timeout(linux, 1000), ==, KA_S(120));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/profile/names-roundtrip", test_names_roundtrip);
  g_test_add_func("/profile/windows-option-numbers", test_windows_option_numbers);
  g_test_add_func("/profile/unix-options", test_unix_options);
  g_test_add_func("/profile/version-rules", test_version_rules);
  g_test_add_func("/profile/error-numbers", test_error_numbers);
  g_test_add_func("/profile/strerror", test_strerror);
  g_test_add_func("/profile/rto-and-syn", test_rto_and_syn);
  return g_test_run();
}
