/* test_cli_ux.c - the command line as a person meets it: --help on every
 * command, `kasim help COMMAND`, --version, usage lines that name the
 * command, JSON numbers in their shortest round-trip form, singular and
 * plural, one thousands separator. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "ks_json.h"
#include "ks_test_spawn.h"

static const char *const commands[] = {"profiles", "explain", "run",      "sweep",
                                       "plot",     "report",  "capacity", "validate"};

static int kasim(const char *const *args, char **out, char **err) {
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("KASIM"));
  for (; *args; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  int status = ks_test_spawn((const char *const *)argv->pdata, out, err);
  g_ptr_array_free(argv, TRUE);
  return status;
}

/* Every command answers --help on stdout with exit 0, its usage line
 * naming it ("kasim run [OPTION…] SCENARIO"), and `kasim help COMMAND`
 * prints exactly the same. */
static void test_help_every_command(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
    g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
    const char *a[] = {commands[i], "--help", NULL};
    g_assert_cmpint(kasim(a, &out, &err), ==, 0);
    g_autofree char *usage = g_strdup_printf("kasim %s [OPTION\u2026]", commands[i]);
    if (strstr(out, usage) == NULL)
      g_error("kasim %s --help: no '%s' in:\n%s", commands[i], usage, out);
    g_assert_null(strstr(out, "?]"));
    const char *h[] = {"help", commands[i], NULL};
    g_assert_cmpint(kasim(h, &out2, &err2), ==, 0);
    g_assert_cmpstr(out2, ==, out);
  }
}

static void test_help_top_and_errors(void) {
  g_autofree char *out = NULL, *err = NULL;
  const char *a[] = {"help", NULL};
  g_assert_cmpint(kasim(a, &out, &err), ==, 0);
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    g_assert_nonnull(strstr(out, commands[i]));
  g_autofree char *o2 = NULL, *e2 = NULL;
  const char *b[] = {"help", "frobnicate", NULL};
  g_assert_cmpint(kasim(b, &o2, &e2), ==, 2);
  g_assert_cmpstr(e2, ==, "kasim: unknown command 'frobnicate' (try kasim --help)\n");
  g_autofree char *o3 = NULL, *e3 = NULL;
  const char *c[] = {"profiles", "extra", NULL};
  g_assert_cmpint(kasim(c, &o3, &e3), ==, 2);
  g_assert_cmpstr(e3, ==, "kasim profiles: unexpected argument 'extra'\n");
}

static void test_version(void) {
  g_autofree char *out = NULL, *err = NULL, *o2 = NULL, *e2 = NULL;
  const char *a[] = {"--version", NULL};
  g_assert_cmpint(kasim(a, &out, &err), ==, 0);
  g_assert_cmpstr(out, ==, "kasim " KASIM_VERSION "\n");
  const char *b[] = {"-V", NULL};
  g_assert_cmpint(kasim(b, &o2, &e2), ==, 0);
  g_assert_cmpstr(o2, ==, out);
}

/* Shortest decimals that read back as the same double. */
static void test_json_double(void) {
  static const struct {
    double v;
    const char *text;
  } cases[] = {
    {7875.004, "7875.004"}, /* %.17g: 7875.0039999999999 */
    {0.004, "0.004"},       /* %.17g: 0.0040000000000000001 */
    {7810.02, "7810.02"},
    {10800, "10800.0"},
    {0.1 + 0.2, "0.30000000000000004"}, /* needs all 17 digits */
    {-2.5, "-2.5"},
    {1e-9, "1e-09"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    ks_json_format_double(cases[i].v, buf);
    g_assert_cmpstr(buf, ==, cases[i].text);
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "a");
  json_builder_add_double_value(b, 7875.004);
  json_builder_set_member_name(b, "s");
  json_builder_add_string_value(b, "0.0040000000000000001 \"1.50\"");
  json_builder_set_member_name(b, "n");
  json_builder_add_int_value(b, 12345678901234);
  json_builder_end_object(b);
  g_autofree char *text = ks_json_finish(b);
  g_assert_nonnull(strstr(text, "\"a\" : 7875.004,"));
  g_assert_nonnull(strstr(text, "\"0.0040000000000000001 \\\"1.50\\\"\"")); /* strings kept */
  g_assert_nonnull(strstr(text, "12345678901234\n"));
}

/* A run's summary: the client sent its last probe's answer... every time
 * is a whole number of nanoseconds, so no number needs more than 13
 * significant digits, and 600 s (the cable pull) reads 600.0. */
static void test_summary_numbers(void) {
  g_autofree char *dir = g_dir_make_tmp("kasim-ux-XXXXXX", NULL);
  g_autofree char *scen = g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios",
                                                "cable-pull.yaml", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *a[] = {"run", scen, "--out", dir, NULL};
  g_assert_cmpint(kasim(a, &out, &err), ==, 0);
  g_autofree char *path = g_build_filename(dir, "summary.json", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "\"failure_at_s\" : 600.0,"));
  GRegex *re = g_regex_new("[0-9.]{17,}", 0, 0, NULL);
  g_assert_false(g_regex_match(re, text, 0, NULL));
  g_regex_unref(re);
  ks_test_rm_rf(dir);
}

/* Singular for one, plural otherwise; thousands with ','. */
static void test_counts(void) {
  g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL;
  const char *a[] = {"capacity", "--connections", "1", "--profile", "linux", NULL};
  g_assert_cmpint(kasim(a, &o1, &e1), ==, 0);
  g_assert_true(g_str_has_prefix(o1, "kasim capacity: 1 idle connection, linux"));
  const char *b[] = {"capacity", "--connections", "1234567", "--profile", "linux", NULL};
  g_assert_cmpint(kasim(b, &o2, &e2), ==, 0);
  g_assert_true(g_str_has_prefix(o2, "kasim capacity: 1,234,567 idle connections, linux"));
  /* lossy-link: 200 connections, thousands of events. */
  g_autofree char *dir = g_dir_make_tmp("kasim-ux-XXXXXX", NULL);
  g_autofree char *scen = g_test_build_filename(G_TEST_DIST, "..", "..", "scenarios",
                                                "lossy-link.yaml", NULL);
  g_autofree char *o3 = NULL, *e3 = NULL;
  const char *c[] = {"run", scen, "--out", dir, NULL};
  g_assert_cmpint(kasim(c, &o3, &e3), ==, 0);
  GRegex *re = g_regex_new(
    "^kasim run: lossy-link, 30 s of virtual time, [1-9][0-9]?,[0-9]{3} events\n", 0, 0, NULL);
  if (!g_regex_match(re, o3, 0, NULL))
    g_error("run's first line: %s", o3);
  g_regex_unref(re);
  ks_test_rm_rf(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-ux/help-every-command", test_help_every_command);
  g_test_add_func("/cli-ux/help-top-and-errors", test_help_top_and_errors);
  g_test_add_func("/cli-ux/version", test_version);
  g_test_add_func("/cli-ux/json-double", test_json_double);
  g_test_add_func("/cli-ux/summary-numbers", test_summary_numbers);
  g_test_add_func("/cli-ux/counts", test_counts);
  return g_test_run();
}
