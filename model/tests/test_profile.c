/* test_profile.c - the fixed per-OS rules (facts §1, §2, §5, §6), and the
 * names a user may give: profiles and Windows releases. */
#include <kasim/ka.h>
#include <string.h>

static const ka_profile *P(const char *name) {
  const ka_profile *p = ka_profile_find(name);
  g_assert_nonnull(p);
  return p;
}

static void test_names_roundtrip(void) {
  GString *names = g_string_new(NULL);
  bool seen[KA_PROFILE_COUNT_] = {false};
  for (size_t i = 0; i < KA_PROFILE_COUNT_; i++) {
    const ka_profile *p = ka_profile_nth(i);
    g_assert_nonnull(p);
    g_assert_true(ka_profile_get(ka_profile_id_of(p)) == p);
    g_assert_false(seen[ka_profile_id_of(p)]); /* each profile once */
    seen[ka_profile_id_of(p)] = true;
    g_assert_true(ka_profile_find(ka_profile_name(p)) == p);
    g_string_append_printf(names, "%s%s", i ? ", " : "", ka_profile_name(p));
  }
  /* ka_profile_names() is the list in ka_profile_nth() order, exactly,
   * then a pointer to the release names. */
  g_string_append(names, "; or a Windows release such as windows-8.1 or windows-server-2019 "
                         "(kasim profiles lists them)");
  g_assert_cmpstr(ka_profile_names(), ==, names->str);
  g_assert_nonnull(ka_profile_find("windows-8.1"));
  g_assert_nonnull(ka_profile_find("windows-server-2019"));
  g_string_free(names, TRUE);
  g_assert_null(ka_profile_nth(KA_PROFILE_COUNT_));
  g_assert_null(ka_profile_find("windows-95"));
  g_assert_null(ka_profile_find(NULL));
  g_assert_null(ka_profile_get(KA_PROFILE_COUNT_));
  /* Listings read oldest Windows first, then the others. */
  g_assert_cmpstr(ka_profile_name(ka_profile_nth(0)), ==, "windows-2000");
  g_assert_cmpstr(ka_profile_name(ka_profile_nth(4)), ==, "windows-7");
  g_assert_cmpstr(ka_profile_name(ka_profile_nth(7)), ==, "windows-10-21h2");
  g_assert_cmpstr(ka_profile_name(ka_profile_nth(8)), ==, "linux");
}

/* The names scenarios, labs and scripts already use still give the profile
 * of that name (issue 22: windows-vista is now Vista itself, Windows 7 has
 * a profile of its own, windows-10-1709 ends at 21H1). */
static void test_old_names(void) {
  static const struct {
    const char *name;
    ka_profile_id id;
  } rows[] = {
    {"windows-2000", KA_PROFILE_WINDOWS_2000},
    {"windows-xp", KA_PROFILE_WINDOWS_XP},
    {"windows-2003", KA_PROFILE_WINDOWS_2003},
    {"windows-vista", KA_PROFILE_WINDOWS_VISTA},
    {"windows-10-1703", KA_PROFILE_WINDOWS_10_1703},
    {"windows-10-1709", KA_PROFILE_WINDOWS_10_1709},
    {"linux", KA_PROFILE_LINUX},
    {"freebsd", KA_PROFILE_FREEBSD},
    {"macos", KA_PROFILE_MACOS},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    const ka_profile *p = ka_profile_find(rows[i].name);
    g_assert_nonnull(p);
    g_assert_cmpint(ka_profile_id_of(p), ==, rows[i].id);
    g_assert_cmpstr(ka_profile_name(p), ==, rows[i].name);
  }
  /* The ids of the installed library's profiles keep their numbers. */
  g_assert_cmpint(KA_PROFILE_WINDOWS_VISTA, ==, 3);
  g_assert_cmpint(KA_PROFILE_WINDOWS_10_1709, ==, 5);
  g_assert_cmpint(KA_PROFILE_LINUX, ==, 6);
  g_assert_cmpint(KA_PROFILE_MACOS, ==, 8);
}

/* A user names the release they have and gets its profile. */
static void test_release_names(void) {
  static const struct {
    const char *release, *profile;
  } rows[] = {
    {"windows-server-2003", "windows-2003"},
    {"windows-server-2003-r2", "windows-2003"},
    {"windows-xp-x64", "windows-2003"},
    {"windows-server-2008", "windows-vista"},
    {"windows-7", "windows-7"},
    {"windows-server-2008-r2", "windows-7"},
    {"windows-8", "windows-7"},
    {"windows-server-2012", "windows-7"},
    {"windows-8.1", "windows-7"},
    {"windows-server-2012-r2", "windows-7"},
    {"windows-10-1507", "windows-7"},
    {"windows-10-1511", "windows-7"},
    {"windows-10-1607", "windows-7"},
    {"windows-server-2016", "windows-7"},
    {"windows-10-1803", "windows-10-1709"},
    {"windows-10-1809", "windows-10-1709"},
    {"windows-server-2019", "windows-10-1709"},
    {"windows-10-1903", "windows-10-1709"},
    {"windows-10-1909", "windows-10-1709"},
    {"windows-10-2004", "windows-10-1709"},
    {"windows-10-20h2", "windows-10-1709"},
    {"windows-10-21h1", "windows-10-1709"},
    {"windows-10-21h2", "windows-10-21h2"},
    {"windows-10-22h2", "windows-10-21h2"},
    {"windows-11", "windows-10-21h2"},
    {"windows-11-24h2", "windows-10-21h2"},
    {"windows-server-2022", "windows-10-21h2"},
    {"windows-server-2025", "windows-10-21h2"},
    /* Any case: people write 22H2 and Windows-11. */
    {"Windows-10-22H2", "windows-10-21h2"},
    {"WINDOWS-SERVER-2019", "windows-10-1709"},
    {"Linux", "linux"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    const ka_profile *p = ka_profile_find(rows[i].release);
    g_assert_nonnull(p);
    g_assert_cmpstr(ka_profile_name(p), ==, rows[i].profile);
  }
  /* Not releases: too vague, or not Windows versions at all. */
  static const char *none[] = {"windows-10",      "windows-server", "windows-12",
                               "windows-10-1608", "windows",        "",
                               "windows-7 ",      "server-2019"};
  for (size_t i = 0; i < G_N_ELEMENTS(none); i++)
    g_assert_null(ka_profile_find(none[i]));
}

/* The release table follows the version boundaries of facts §1 by build
 * number: option 3 from 7 (Wine's test; refused on 2003, ReactOS), the one
 * byte SO_KEEPALIVE from Vista (Wine test_optsize; the ReactOS patch for
 * 2003 and older), TCP_KEEPCNT from 1703 (15063), TCP_KEEPINTVL from 1709
 * (16299), WSAENOBUFS for optlen -1 from 21H2 (19044; "broken between Win7
 * and Win10 21H1").  Every Windows profile has at least one release. */
static ka_profile_id profile_of_build(unsigned build) {
  if (build < 2600)
    return KA_PROFILE_WINDOWS_2000;
  if (build < 3790)
    return KA_PROFILE_WINDOWS_XP;
  if (build < 6000)
    return KA_PROFILE_WINDOWS_2003;
  if (build < 7600)
    return KA_PROFILE_WINDOWS_VISTA;
  if (build < 15063)
    return KA_PROFILE_WINDOWS_7;
  if (build < 16299)
    return KA_PROFILE_WINDOWS_10_1703;
  if (build < 19044)
    return KA_PROFILE_WINDOWS_10_1709;
  return KA_PROFILE_WINDOWS_10_21H2;
}

static void test_release_table(void) {
  size_t n;
  const ka_release *r = ka_profile_releases(&n);
  g_assert_cmpuint(n, >=, 30);
  bool covered[KA_PROFILE_COUNT_] = {false};
  for (size_t i = 0; i < n; i++) {
    g_assert_cmpint(r[i].profile, ==, profile_of_build(r[i].build));
    g_assert_true(ka_profile_is_windows(ka_profile_get(r[i].profile)));
    g_assert_true(ka_profile_find(r[i].name) == ka_profile_get(r[i].profile));
    if (i > 0) /* by build number */
      g_assert_cmpuint(r[i - 1].build, <=, r[i].build);
    for (size_t k = 0; k < i; k++) /* each name once */
      g_assert_cmpstr(r[k].name, !=, r[i].name);
    covered[r[i].profile] = true;
  }
  for (int id = 0; id < KA_PROFILE_COUNT_; id++)
    g_assert_cmpint(covered[id], ==, ka_profile_is_windows(ka_profile_get((ka_profile_id)id)));
  /* The builds the sheet names (facts §1). */
  g_assert_true(ka_profile_find("windows-10-1703") == ka_profile_get(profile_of_build(15063)));
  g_assert_true(ka_profile_find("windows-10-1709") == ka_profile_get(profile_of_build(16299)));
}

/* facts §1: option numbers and which Windows version has which option:
 * option 3 (TCP_KEEPALIVE = TCP_KEEPIDLE) from 7 (Vista: kasim's choice,
 * KA_WIN_VISTA_TCP_KEEPALIVE), TCP_KEEPCNT (16) from 1703, TCP_KEEPINTVL
 * (17) from 1709. */
static void test_windows_option_numbers(void) {
  static const struct {
    const char *profile;
    bool idle, cnt, intvl;
  } rows[] = {
    {"windows-2000", false, false, false},
    {"windows-xp", false, false, false},
    {"windows-2003", false, false, false},
    {"windows-vista", KA_WIN_VISTA_TCP_KEEPALIVE, false, false},
    {"windows-7", true, false, false},
    {"windows-10-1703", true, true, false},
    {"windows-10-1709", true, true, true},
    {"windows-10-21h2", true, true, true},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    const ka_profile *p = P(rows[i].profile);
    int level = -1, name = -1;
    g_assert_true(ka_profile_option(p, KA_OPT_SO_KEEPALIVE, &level, &name));
    g_assert_cmpint(level, ==, 0xffff);
    g_assert_cmpint(name, ==, 0x0008);
    g_assert_cmpint(ka_profile_option(p, KA_OPT_TCP_KEEPIDLE, &level, &name), ==, rows[i].idle);
    if (rows[i].idle)
      g_assert_true(level == 6 && name == 3);
    g_assert_cmpint(ka_profile_option(p, KA_OPT_TCP_KEEPCNT, &level, &name), ==, rows[i].cnt);
    if (rows[i].cnt)
      g_assert_true(level == 6 && name == 16);
    g_assert_cmpint(ka_profile_option(p, KA_OPT_TCP_KEEPINTVL, &level, &name), ==, rows[i].intvl);
    if (rows[i].intvl)
      g_assert_true(level == 6 && name == 17);
    g_assert_false(ka_profile_option(p, KA_OPT_TCP_USER_TIMEOUT, NULL, NULL));
    g_assert_true(ka_profile_has_sio_keepalive_vals(p));
  }
  g_assert_cmpint(ka_profile_option_lookup(P("windows-10-1709"), 6, 17), ==, KA_OPT_TCP_KEEPINTVL);
  g_assert_cmpint(ka_profile_option_lookup(P("windows-10-1703"), 6, 17), ==, KA_OPT_COUNT_);
  g_assert_cmpint(ka_profile_option_lookup(P("windows-7"), 6, 3), ==, KA_OPT_TCP_KEEPIDLE);
  /* On 2003 and older option 16 exists but is not TCP_KEEPCNT (facts §1). */
  g_assert_cmpint(ka_profile_option_lookup(P("windows-2003"), 6, 16), ==, KA_OPT_COUNT_);
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
  const char *modern[] = {"windows-vista", "windows-7", "windows-10-1703", "windows-10-1709",
                          "windows-10-21h2"};
  for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++) {
    const ka_profile *p = P(legacy[i]);
    g_assert_true(ka_profile_so_keepalive_mid_connect(p));
    g_assert_cmpint(ka_profile_so_keepalive_optlen(p), ==, 4);
    g_assert_cmpint(ka_profile_count_rule(p), ==, KA_COUNT_REGISTRY_MAX);
    g_assert_cmpuint(ka_profile_probe_payload(p), ==, 1);
    g_assert_true(ka_profile_has_legacy_tcp_opt16(p));
    g_assert_cmpint(ka_profile_neg_optlen_enobufs(p), ==, KA_WIN_LEGACY_NEG_OPTLEN_ENOBUFS);
  }
  for (size_t i = 0; i < G_N_ELEMENTS(modern); i++) {
    const ka_profile *p = P(modern[i]);
    g_assert_false(ka_profile_so_keepalive_mid_connect(p));
    g_assert_cmpint(ka_profile_so_keepalive_optlen(p), ==, 1);
    g_assert_cmpuint(ka_profile_probe_payload(p), ==, 1);
    g_assert_false(ka_profile_has_legacy_tcp_opt16(p));
  }
  g_assert_cmpint(ka_profile_count_rule(P("windows-vista")), ==, KA_COUNT_FIXED);
  g_assert_cmpint(ka_profile_count_rule(P("windows-7")), ==, KA_COUNT_FIXED);
  g_assert_cmpint(ka_profile_count_rule(P("windows-10-1703")), ==, KA_COUNT_SOCKOPT);
  g_assert_cmpint(ka_profile_count_rule(P("windows-10-21h2")), ==, KA_COUNT_SOCKOPT);
  /* optlen -1 on setsockopt: WSAENOBUFS from 21H2, WSAEFAULT from 7 to
   * 21H1 (Wine test_optsize); Vista: kasim's choice. */
  g_assert_false(ka_profile_neg_optlen_enobufs(P("windows-7")));
  g_assert_false(ka_profile_neg_optlen_enobufs(P("windows-10-1703")));
  g_assert_false(ka_profile_neg_optlen_enobufs(P("windows-10-1709")));
  g_assert_true(ka_profile_neg_optlen_enobufs(P("windows-10-21h2")));
  g_assert_cmpint(ka_profile_neg_optlen_enobufs(P("windows-vista")), ==,
                  KA_WIN_VISTA_NEG_OPTLEN_ENOBUFS);
  /* Option 3 is in seconds from 1709 (ipproto-tcp page); before, kasim's
   * choice. */
  g_assert_cmpint(ka_profile_keepidle_unit(P("windows-10-1709")), ==, KA_S(1));
  g_assert_cmpint(ka_profile_keepidle_unit(P("windows-10-21h2")), ==, KA_S(1));
  g_assert_cmpint(ka_profile_keepidle_unit(P("windows-7")), ==, KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709);
  g_assert_cmpint(ka_profile_keepidle_unit(P("linux")), ==, KA_S(1));
  g_assert_cmpuint(ka_profile_probe_payload(P("linux")), ==, 0);
  g_assert_cmpuint(ka_profile_probe_payload(P("freebsd")), ==, 0);
  g_assert_cmpuint(ka_profile_probe_payload(P("macos")), ==, 0);
  g_assert_false(ka_profile_neg_optlen_enobufs(P("linux")));
  g_assert_false(ka_profile_has_legacy_tcp_opt16(P("linux")));
  g_assert_true(ka_profile_rst_at_keepalive_giveup(P("linux"))); /* facts §3 */
  g_assert_false(ka_profile_rst_at_retransmission_giveup(P("linux")));
  g_assert_cmpint(ka_profile_giveup_rule(P("linux")), ==, KA_GIVEUP_COUNT);
  g_assert_cmpint(ka_profile_giveup_rule(P("freebsd")), ==, KA_GIVEUP_TIME);
  g_assert_cmpint(ka_profile_giveup_rule(P("macos")), ==, KA_GIVEUP_TIME);
  g_assert_true(ka_profile_always_keepalive_default(P("freebsd"))); /* facts §5 */
  g_assert_false(ka_profile_always_keepalive_default(P("macos")));
}

/* facts §1: Winsock numbers; errno values of each system. */
static void test_error_numbers(void) {
  const ka_profile *w = P("windows-xp");
  const struct {
    int err, num;
    const char *name;
  } win[] = {
    {KA_EINTR, 10004, "WSAEINTR"},           {KA_EFAULT, 10014, "WSAEFAULT"},
    {KA_EINVAL, 10022, "WSAEINVAL"},         {KA_EINPROGRESS, 10036, "WSAEINPROGRESS"},
    {KA_ENOTSOCK, 10038, "WSAENOTSOCK"},     {KA_ENOPROTOOPT, 10042, "WSAENOPROTOOPT"},
    {KA_EOPNOTSUPP, 10045, "WSAEOPNOTSUPP"}, {KA_ENETDOWN, 10050, "WSAENETDOWN"},
    {KA_ENETRESET, 10052, "WSAENETRESET"},   {KA_ECONNRESET, 10054, "WSAECONNRESET"},
    {KA_ENOBUFS, 10055, "WSAENOBUFS"},       {KA_ENOTCONN, 10057, "WSAENOTCONN"},
    {KA_ETIMEDOUT, 10060, "WSAETIMEDOUT"},   {KA_ENOTINITIALISED, 10093, "WSANOTINITIALISED"},
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
  g_test_add_func("/profile/old-names", test_old_names);
  g_test_add_func("/profile/release-names", test_release_names);
  g_test_add_func("/profile/release-table", test_release_table);
  g_test_add_func("/profile/windows-option-numbers", test_windows_option_numbers);
  g_test_add_func("/profile/unix-options", test_unix_options);
  g_test_add_func("/profile/version-rules", test_version_rules);
  g_test_add_func("/profile/error-numbers", test_error_numbers);
  g_test_add_func("/profile/strerror", test_strerror);
  g_test_add_func("/profile/rto-and-syn", test_rto_and_syn);
  return g_test_run();
}
