/* test_cli.c - the kasim command as a user runs it: `profiles` and
 * `explain`, their JSON, and one-line errors with exit code 2.
 *
 * Expected numbers come from ../shared/reference/keepalive-facts.md. */
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

typedef struct run {
  char *out, *err;
  int status;
} run;

static void run_kasim(run *r, const char *const *args) {
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("KASIM"));
  for (; *args; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  GError *error = NULL;
  int wait = 0;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r->out,
                             &r->err, &wait, &error));
  g_assert_no_error(error);
  r->status = g_spawn_check_wait_status(wait, NULL) ? 0 : WEXITSTATUS(wait);
  g_ptr_array_free(argv, TRUE);
}

static void run_clear(run *r) {
  g_free(r->out);
  g_free(r->err);
}

static JsonObject *parse(JsonParser *p, const char *text) {
  GError *error = NULL;
  g_assert_true(json_parser_load_from_data(p, text, -1, &error));
  g_assert_no_error(error);
  return json_node_get_object(json_parser_get_root(p));
}

static char *data_path(const char *name) {
  return g_test_build_filename(G_TEST_DIST, "..", "..", "model", "tests", "data", name, NULL);
}

/* facts §4: idle 3, intvl 2, cnt 4 -> probes at 3, 5, 7, 9 s, RST and
 * ETIMEDOUT (110) at 11 s. */
static void test_explain_linux_json(void) {
  run r;
  const char *args[] = {"explain", "--profile",       "linux", "--set",         "TCP_KEEPIDLE=3",
                        "--set",   "TCP_KEEPINTVL=2", "--set", "TCP_KEEPCNT=4", "--json",
                        NULL};
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 0);
  JsonParser *p = json_parser_new();
  JsonObject *o = parse(p, r.out);
  JsonArray *probes = json_object_get_array_member(o, "probes");
  g_assert_cmpuint(json_array_get_length(probes), ==, 4);
  const double want[] = {3, 5, 7, 9};
  for (guint i = 0; i < 4; i++) {
    JsonObject *pr = json_array_get_object_element(probes, i);
    g_assert_cmpfloat(json_object_get_double_member(pr, "t_s"), ==, want[i]);
    g_assert_cmpint(json_object_get_int_member(pr, "payload_bytes"), ==, 0);
  }
  JsonObject *g = json_object_get_object_member(o, "give_up");
  g_assert_cmpfloat(json_object_get_double_member(g, "t_s"), ==, 11);
  g_assert_cmpstr(json_object_get_string_member(g, "reason"), ==, "keepalive_timeout");
  g_assert_true(json_object_get_boolean_member(g, "rst_sent"));
  JsonObject *e = json_object_get_object_member(g, "error_pending");
  g_assert_cmpstr(json_object_get_string_member(e, "name"), ==, "ETIMEDOUT");
  g_assert_cmpint(json_object_get_int_member(e, "number"), ==, 110);
  /* Later calls as the kernel showed them: EOF on recv, EPIPE (32) on send. */
  JsonObject *later = json_object_get_object_member(g, "error_later");
  g_assert_cmpint(json_object_get_int_member(later, "number"), ==, 32);
  g_assert_true(json_object_get_boolean_member(g, "later_recv_eof"));
  g_object_unref(p);
  run_clear(&r);
}

/* facts §2/§3: Vista defaults: 10 one-byte probes, dead at 7210 s,
 * WSAENETRESET (10052) pending, WSAECONNRESET (10054) later. */
static void test_explain_vista_text(void) {
  run r;
  const char *args[] = {"explain", "--profile", "windows-vista", NULL};
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_nonnull(strstr(r.out, "probe 10: ACK seq=SND.NXT-1, 1 byte"));
  g_assert_null(strstr(r.out, "probe 11"));
  g_assert_nonnull(strstr(r.out, "7210 s  give up"));
  g_assert_nonnull(strstr(r.out, "WSAENETRESET (10052)"));
  g_assert_nonnull(strstr(r.out, "WSAECONNRESET (10054)"));
  g_assert_nonnull(strstr(r.out, "2 h 0 min 10 s"));
  run_clear(&r);
}

/* facts §2: XP with both retransmission values 0 sends no probes. */
static void test_explain_never(void) {
  run r;
  const char *args[] = {"explain",
                        "-p",
                        "windows-xp",
                        "--set",
                        "TcpMaxDataRetransmissions=0",
                        "--set",
                        "PPTPTcpMaxDataRetransmissions=0",
                        "--json",
                        NULL};
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 0);
  JsonParser *p = json_parser_new();
  JsonObject *o = parse(p, r.out);
  g_assert_false(json_object_get_boolean_member(o, "detected"));
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "probes")), ==, 0);
  g_assert_true(json_object_get_null_member(o, "give_up"));
  g_object_unref(p);
  run_clear(&r);

  const char *text[] = {"explain",
                        "-p",
                        "windows-xp",
                        "--set",
                        "TcpMaxDataRetransmissions=0",
                        "--set",
                        "PPTPTcpMaxDataRetransmissions=0",
                        NULL};
  run_kasim(&r, text);
  g_assert_nonnull(strstr(r.out, "NEVER detected"));
  run_clear(&r);
}

/* facts §2: above 255 means 255. */
static void test_explain_xp_255(void) {
  run r;
  const char *args[] = {"explain", "-p", "windows-xp", "--set", "TcpMaxDataRetransmissions=300",
                        "--json",  NULL};
  run_kasim(&r, args);
  JsonParser *p = json_parser_new();
  JsonObject *o = parse(p, r.out);
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "probes")), ==, 255);
  JsonObject *g = json_object_get_object_member(o, "give_up");
  g_assert_cmpfloat(json_object_get_double_member(g, "t_s"), ==, 7200 + 255);
  g_object_unref(p);
  run_clear(&r);
}

/* A regedit export (UTF-16LE) drives explain; unrelated values are noted. */
static void test_explain_registry(void) {
  g_autofree char *reg = data_path("reg-v5-utf16.reg");
  run r;
  const char *args[] = {"explain", "-p", "windows-xp", "--registry", reg, "--json", NULL};
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 0);
  JsonParser *p = json_parser_new();
  JsonObject *o = parse(p, r.out);
  JsonObject *s = json_object_get_object_member(o, "settings");
  g_assert_cmpint(json_object_get_int_member(s, "KeepAliveTime"), ==, 300000);
  g_assert_false(json_object_get_boolean_member(o, "detected"));
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "notes")), >, 0);
  g_object_unref(p);
  run_clear(&r);
}

/* facts §5: FreeBSD drops at idle + keepcnt x keepintvl, however many
 * probes that is: 7200 s + 200000 x 1 ms = 7400 s, ETIMEDOUT (60).  The
 * listing stops long before; the give-up must still be the keep-alive's. */
static void test_explain_huge_count(void) {
  run r;
  const char *args[] = {"explain",
                        "-p",
                        "freebsd",
                        "--set",
                        "net.inet.tcp.keepcnt=200000",
                        "--set",
                        "net.inet.tcp.keepintvl=1ms",
                        "--json",
                        NULL};
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 0);
  JsonParser *p = json_parser_new();
  JsonObject *o = parse(p, r.out);
  JsonObject *g = json_object_get_object_member(o, "give_up");
  g_assert_cmpfloat(json_object_get_double_member(g, "t_s"), ==, 7400);
  g_assert_cmpstr(json_object_get_string_member(g, "reason"), ==, "keepalive_timeout");
  JsonObject *e = json_object_get_object_member(g, "error_pending");
  g_assert_cmpint(json_object_get_int_member(e, "number"), ==, 60);
  g_object_unref(p);
  run_clear(&r);
}

static void test_profiles(void) {
  run r;
  const char *args[] = {"profiles", NULL};
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 0);
  const char *names[] = {"windows-2000",  "windows-xp",      "windows-2003",
                         "windows-vista", "windows-10-1703", "windows-10-1709",
                         "linux",         "freebsd",         "macos"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    g_assert_nonnull(strstr(r.out, names[i]));
  g_assert_nonnull(strstr(r.out, "7210 s"));
  g_assert_nonnull(strstr(r.out, "7875 s")); /* Linux: 7200 + 9 x 75 */
  g_assert_nonnull(strstr(r.out, "7800 s")); /* BSD: 7200 + 8 x 75 */
  run_clear(&r);
}

/* Bad input: one line naming the problem, exit code 2, nothing on stdout. */
static void test_bad_input(void) {
  g_autofree char *bad_reg = data_path("reg-dword-7-digits.reg");
  static const char *cases[][12] = {
    {"explain", "--profile", "windows-95", NULL},
    {"explain", NULL},
    {"explain", "-p", "windows-vista", "--set", "KeepAliveTimer=1", NULL},
    {"explain", "-p", "windows-vista", "--set", "KeepAliveTime=0", NULL},
    {"explain", "-p", "windows-vista", "--set", "KeepAliveTime=5 parsecs", NULL},
    {"explain", "-p", "windows-vista", "--set", "TCP_KEEPCNT=3", NULL},
    {"explain", "-p", "windows-10-1709", "--set", "TCP_KEEPCNT=256", NULL},
    {"explain", "-p", "linux", "--set", "TCP_KEEPIDLE=32768", NULL},
    {"explain", "-p", "windows-vista", "--bogus", NULL},
    {"explain", "-p", "windows-vista", "--registry", "/nonexistent/x.reg", NULL},
    {"nonsense", NULL},
  };
  static const char *expect[] = {"windows-95",         "--profile",    "KeepAliveTimer",
                                 "out of range",       "unknown unit", "WSAENOPROTOOPT (10042)",
                                 "WSAEINVAL (10022)",  "EINVAL (22)",  "bogus",
                                 "/nonexistent/x.reg", "nonsense"};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    run r;
    run_kasim(&r, cases[i]);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, expect[i]));
    g_assert_nonnull(strchr(r.err, '\n'));
    g_assert_cmpstr(strchr(r.err, '\n') + 1, ==, ""); /* exactly one line */
    run_clear(&r);
  }
  const char *args[] = {"explain", "-p", "windows-vista", "--registry", bad_reg, NULL};
  run r;
  run_kasim(&r, args);
  g_assert_cmpint(r.status, ==, 2);
  g_assert_cmpstr(r.out, ==, "");
  g_autofree char *prefix = g_strdup_printf("%s:", bad_reg);
  g_assert_nonnull(strstr(r.err, prefix)); /* names the file and its line */
  run_clear(&r);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("KASIM"));
  g_test_add_func("/cli/explain-linux-json", test_explain_linux_json);
  g_test_add_func("/cli/explain-vista-text", test_explain_vista_text);
  g_test_add_func("/cli/explain-never", test_explain_never);
  g_test_add_func("/cli/explain-xp-255", test_explain_xp_255);
  g_test_add_func("/cli/explain-registry", test_explain_registry);
  g_test_add_func("/cli/explain-huge-count", test_explain_huge_count);
  g_test_add_func("/cli/profiles", test_profiles);
  g_test_add_func("/cli/bad-input", test_bad_input);
  return g_test_run();
}
