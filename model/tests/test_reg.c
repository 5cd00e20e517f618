/* test_reg.c - reading regedit exports into ka_params.
 *
 * Expected numbers come from the facts sheet (§2), not from the code:
 * defaults 7,200,000 ms / 1,000 ms / 5 / 5; KeepAliveTime and
 * KeepAliveInterval 1..0xFFFFFFFF ms, TcpMaxDataRetransmissions
 * 0..0xFFFFFFFF, PPTPTcpMaxDataRetransmissions 0..0xFF.  Line numbers are
 * counted by hand in the fixtures under data/.
 */
#include <glib.h>
#include <string.h>

#include "kasim/ka_params.h"
#include "kasim/ka_profile.h"
#include "kasim/ka_reg.h"

#define DEF_TIME 7200000u
#define DEF_INTVL 1000u
#define DEF_RETRANS 5u
#define DEF_PPTP 5u

#define V5 "Windows Registry Editor Version 5.00\n"
#define TCPIP "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
#define KEY "[" TCPIP "]\n"

static const char *const names[] = {"KeepAliveTime", "KeepAliveInterval",
                                    "TcpMaxDataRetransmissions", "PPTPTcpMaxDataRetransmissions"};

static ka_params *win(ka_profile_id id) { return ka_params_new(ka_profile_get(id)); }

static guint64 get(const ka_params *p, const char *name) {
  guint64 v = 0;
  g_assert_true(ka_params_get(p, name, &v));
  return v;
}

static void assert_values(const ka_params *p, guint64 time, guint64 intvl, guint64 retrans,
                          guint64 pptp) {
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, time);
  g_assert_cmpuint(get(p, "KeepAliveInterval"), ==, intvl);
  g_assert_cmpuint(get(p, "TcpMaxDataRetransmissions"), ==, retrans);
  g_assert_cmpuint(get(p, "PPTPTcpMaxDataRetransmissions"), ==, pptp);
}

static guint8 *load(const char *fixture, gsize *len) {
  char *path = g_test_build_filename(G_TEST_DIST, "data", fixture, NULL);
  char *contents = NULL;
  GError *error = NULL;
  g_file_get_contents(path, &contents, len, &error);
  g_assert_no_error(error);
  g_free(path);
  return (guint8 *)contents;
}

static bool apply_file(ka_params *p, const char *fixture, GPtrArray *notes, GError **error) {
  gsize len;
  guint8 *data = load(fixture, &len);
  bool ok = ka_reg_apply(p, fixture, data, len, notes, error);
  g_free(data);
  return ok;
}

static bool apply_text(ka_params *p, const char *text, GPtrArray *notes, GError **error) {
  return ka_reg_apply(p, "t.reg", (const guint8 *)text, strlen(text), notes, error);
}

/* Applies text that must be accepted. */
static void apply_ok(ka_params *p, const char *text, GPtrArray *notes) {
  GError *error = NULL;
  g_assert_true(apply_text(p, text, notes, &error));
  g_assert_no_error(error);
}

static bool has_note(const GPtrArray *notes, const char *text) {
  for (guint k = 0; k < notes->len; k++)
    if (strcmp(g_ptr_array_index(notes, k), text) == 0)
      return true;
  return false;
}

/* ---- the regedit 5.00 fixture ------------------------------------------- */

static void test_v5_values(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_10_1709);
  GError *error = NULL;
  g_assert_true(apply_file(p, "reg-v5-utf16.reg", NULL, &error));
  g_assert_no_error(error);
  /* 0x000493e0 = 300000; the Interfaces subkey's 0x0001d4c0 (120000),
   * later in the file, must not win. */
  assert_values(p, 300000, 1000, 0, 0);
  for (size_t k = 0; k < G_N_ELEMENTS(names); k++)
    g_assert_true(ka_params_is_set(p, names[k]));
  ka_params_free(p);
}

static void test_v5_legacy_count_zero(void) {
  /* facts §2: 2000/XP/2003 probe max(TcpMax.., PPTP..), 0 = no probes;
   * Vista and later: 10, fixed. */
  static const struct {
    ka_profile_id id;
    guint32 count;
  } cases[] = {{KA_PROFILE_WINDOWS_2000, 0},
               {KA_PROFILE_WINDOWS_XP, 0},
               {KA_PROFILE_WINDOWS_2003, 0},
               {KA_PROFILE_WINDOWS_VISTA, 10}};
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    ka_params *p = win(cases[k].id);
    g_assert_cmpuint(ka_params_keepcnt(p), ==, cases[k].id == KA_PROFILE_WINDOWS_VISTA ? 10 : 5);
    GError *error = NULL;
    g_assert_true(apply_file(p, "reg-v5-utf16.reg", NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(ka_params_keepcnt(p), ==, cases[k].count);
    g_assert_cmpint(ka_params_keepidle(p), ==, G_GINT64_CONSTANT(300) * 1000000000);
    ka_params_free(p);
  }
}

static void test_v5_notes(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  g_assert_true(apply_file(p, "reg-v5-utf16.reg", notes, NULL));
  const char *want[] = {
    "reg-v5-utf16.reg:4: ignored \"NV Hostname\": not a keep-alive value",
    "reg-v5-utf16.reg:5: ignored \"DataBasePath\": not a keep-alive value",
    "reg-v5-utf16.reg:8: ignored \"Hostname\": not a keep-alive value",
    "reg-v5-utf16.reg:13: ignored \"SearchList\": not a keep-alive value",
    "reg-v5-utf16.reg:17: ignored \"EnableICMPRedirect\": not a keep-alive value",
    "reg-v5-utf16.reg:22: ignored \"EnableDHCP\" under [" TCPIP
    "\\Interfaces\\{4d36e972-e325-11ce-bfc1-08002be10318}]: outside " TCPIP,
    "reg-v5-utf16.reg:23: ignored \"KeepAliveTime\" under [" TCPIP
    "\\Interfaces\\{4d36e972-e325-11ce-bfc1-08002be10318}]: outside " TCPIP,
  };
  g_assert_cmpuint(notes->len, ==, G_N_ELEMENTS(want));
  for (size_t k = 0; k < G_N_ELEMENTS(want); k++)
    g_assert_cmpstr(g_ptr_array_index(notes, k), ==, want[k]);
  g_ptr_array_unref(notes);
  ka_params_free(p);
}

/* ---- the REGEDIT4 fixture ----------------------------------------------- */

static void test_regedit4(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  GError *error = NULL;
  g_assert_true(apply_file(p, "reg-regedit4.reg", notes, &error));
  g_assert_no_error(error);
  assert_values(p, 60000, DEF_INTVL, DEF_RETRANS, DEF_PPTP); /* 0xea60 = 60000 */
  g_assert_false(ka_params_is_set(p, "KeepAliveInterval"));
  /* 0x80 in the file is the euro sign only in Windows-1252 (not Latin-1). */
  g_assert_cmpuint(notes->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(notes, 0), ==,
                  "reg-regedit4.reg:6: ignored \"Beschreibung\": not a keep-alive value");
  g_assert_cmpstr(g_ptr_array_index(notes, 1), ==,
                  "reg-regedit4.reg:7: ignored \"Budget \xe2\x82\xac\": not a keep-alive value");
  g_ptr_array_unref(notes);
  ka_params_free(p);
}

/* ---- broken files: error, line, and nothing changed --------------------- */

typedef struct broken {
  const char *fixture;
  int code;
  const char *prefix; /* the message starts with it */
  const char *needle; /* and contains it */
} broken;

static const broken broken_files[] = {
  {"reg-bad-header.reg", KA_REG_ERROR_HEADER,
   "reg-bad-header.reg:1: ", "not a .reg export: first line must be"},
  {"reg-dword-7-digits.reg", KA_REG_ERROR_SYNTAX, "reg-dword-7-digits.reg:6: ", "8 hex digits"},
  {"reg-unterminated-string.reg", KA_REG_ERROR_SYNTAX,
   "reg-unterminated-string.reg:7: ", "unterminated string"},
  {"reg-value-before-key.reg", KA_REG_ERROR_SYNTAX,
   "reg-value-before-key.reg:4: ", "before any [KEY]"},
  {"reg-time-as-string.reg", KA_REG_ERROR_VALUE,
   "reg-time-as-string.reg:6: ", "KeepAliveTime must be a REG_DWORD (found REG_SZ)"},
  {"reg-time-zero.reg", KA_REG_ERROR_VALUE,
   "reg-time-zero.reg:4: ", "KeepAliveTime: 0 ms is out of range 1..4294967295 ms"},
  {"reg-odd-utf16.reg", KA_REG_ERROR_ENCODING, "reg-odd-utf16.reg: ", "odd number of bytes"},
};

static void test_broken(gconstpointer data) {
  const broken *b = data;
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  g_assert_true(ka_params_set_value(p, "KeepAliveTime", 123456, NULL));
  g_assert_true(ka_params_set_value(p, "TcpMaxDataRetransmissions", 3, NULL));
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(notes, g_strdup("earlier note"));
  GError *error = NULL;
  g_assert_false(apply_file(p, b->fixture, notes, &error));
  g_assert_error(error, KA_REG_ERROR, b->code);
  g_assert_true(g_str_has_prefix(error->message, b->prefix));
  g_assert_nonnull(strstr(error->message, b->needle));
  /* Each fixture sets KeepAliveInterval to 2000 or has ignored values
   * before the bad line: neither may survive the error. */
  assert_values(p, 123456, DEF_INTVL, 3, DEF_PPTP);
  g_assert_true(ka_params_is_set(p, "KeepAliveTime"));
  g_assert_false(ka_params_is_set(p, "KeepAliveInterval"));
  g_assert_cmpuint(notes->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(notes, 0), ==, "earlier note");
  g_clear_error(&error);
  g_ptr_array_unref(notes);
  ka_params_free(p);
}

/* ---- deletions ----------------------------------------------------------- */

static void test_delete_value(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  apply_ok(p, V5 KEY "\"KeepAliveTime\"=dword:000493e0\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 300000);
  apply_ok(p, V5 KEY "\"KeepAliveTime\"=-\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, DEF_TIME);
  g_assert_false(ka_params_is_set(p, "KeepAliveTime"));
  /* In one file, in order: set, delete, set again. */
  apply_ok(p,
           V5 KEY "\"KeepAliveInterval\"=dword:000007d0\n\"KeepAliveInterval\"=-\n"
                  "\"KeepAliveTime\"=-\n\"KeepAliveTime\"=dword:0000ea60\n",
           NULL);
  g_assert_cmpuint(get(p, "KeepAliveInterval"), ==, DEF_INTVL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 60000);
  ka_params_free(p);
}

static void test_delete_key(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  apply_ok(p,
           V5 KEY "\"KeepAliveTime\"=dword:000493e0\n\"KeepAliveInterval\"=dword:000007d0\n"
                  "\"TcpMaxDataRetransmissions\"=dword:00000000\n"
                  "\"PPTPTcpMaxDataRetransmissions\"=dword:00000000\n",
           NULL);
  apply_ok(p, V5 "[-" TCPIP "]\n\"KeepAliveTime\"=dword:00000001\n", notes);
  assert_values(p, DEF_TIME, DEF_INTVL, DEF_RETRANS, DEF_PPTP);
  for (size_t k = 0; k < G_N_ELEMENTS(names); k++)
    g_assert_false(ka_params_is_set(p, names[k]));
  g_assert_cmpuint(notes->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(notes, 0), ==,
                  "t.reg:3: ignored \"KeepAliveTime\": it follows the deletion [-" TCPIP
                  "], not a key");
  /* Re-creating the key after deleting it applies again. */
  apply_ok(p, V5 "[-" TCPIP "]\n" KEY "\"KeepAliveTime\"=dword:00000001\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 1);
  g_ptr_array_unref(notes);
  ka_params_free(p);
}

static void test_delete_ancestor_and_other(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  apply_ok(p, V5 KEY "\"KeepAliveTime\"=dword:000493e0\n", NULL);
  apply_ok(p,
           V5 "[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters]\n"
              "[-" TCPIP "\\Interfaces]\n",
           notes);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 300000);
  g_assert_cmpuint(notes->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(notes, 1), ==,
                  "t.reg:3: ignored deletion [-" TCPIP "\\Interfaces]: outside " TCPIP);
  /* Deleting Services\Tcpip deletes its Parameters subkey too. */
  apply_ok(p, V5 "[-HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip]\n", notes);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, DEF_TIME);
  g_ptr_array_unref(notes);
  ka_params_free(p);
}

/* ---- key spellings ------------------------------------------------------- */

static void test_key_spellings(void) {
  static const char *const keys[] = {
    "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]",
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Tcpip\\Parameters]",
    "[hklm\\system\\controlset002\\services\\tcpip\\parameters]",
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CURRENTCONTROLSET\\SERVICES\\TCPIP\\PARAMETERS]",
  };
  for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
    ka_params *p = win(KA_PROFILE_WINDOWS_XP);
    char *text = g_strconcat(V5, keys[k], "\n\"keepalivetime\"=dword:000493E0\n", NULL);
    apply_ok(p, text, NULL);
    g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 300000);
    g_free(text);
    ka_params_free(p);
  }
}

static void test_key_not_target(void) {
  static const char *const keys[] = {
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet01\\Services\\Tcpip\\Parameters]",
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet0001\\Services\\Tcpip\\Parameters]",
    "[HKEY_CURRENT_USER\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]",
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters]",
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip]",
    "[" TCPIP "\\Interfaces\\{4d36e972-e325-11ce-bfc1-08002be10318}]",
  };
  for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
    ka_params *p = win(KA_PROFILE_WINDOWS_XP);
    GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
    char *text = g_strconcat(V5, keys[k], "\n\"KeepAliveTime\"=dword:000493e0\n", NULL);
    apply_ok(p, text, notes);
    g_assert_cmpuint(get(p, "KeepAliveTime"), ==, DEF_TIME);
    g_assert_cmpuint(notes->len, ==, 1);
    g_assert_true(
      g_str_has_prefix(g_ptr_array_index(notes, 0), "t.reg:3: ignored \"KeepAliveTime\" under "));
    g_free(text);
    g_ptr_array_unref(notes);
    ka_params_free(p);
  }
}

/* ---- line endings, encodings -------------------------------------------- */

static char *crlf(const char *text) {
  char **parts = g_strsplit(text, "\n", -1);
  char *out = g_strjoinv("\r\n", parts);
  g_strfreev(parts);
  return out;
}

static void test_line_endings(void) {
  const char *good = V5 "\n; comment\n" KEY "\"KeepAliveInterval\"=hex(4):d0,07,\\\n"
                        "  00,00\n\"KeepAliveTime\"=dword:0000ea60\n";
  const char *bad = V5 KEY "\"SearchList\"=hex(7):61,00,\\\n  62,00,\\\n  00,zz\n";
  for (int variant = 0; variant < 2; variant++) {
    char *g = variant ? crlf(good) : g_strdup(good);
    char *b = variant ? crlf(bad) : g_strdup(bad);
    ka_params *p = win(KA_PROFILE_WINDOWS_XP);
    apply_ok(p, g, NULL);
    assert_values(p, 60000, 2000, DEF_RETRANS, DEF_PPTP);
    GError *error = NULL;
    g_assert_false(apply_text(p, b, NULL, &error));
    g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_SYNTAX);
    g_assert_true(g_str_has_prefix(error->message, "t.reg:5: bad hex byte 'zz'"));
    g_clear_error(&error);
    g_free(g);
    g_free(b);
    ka_params_free(p);
  }
}

static void test_encodings(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GError *error = NULL;
  /* UTF-8 with a BOM */
  apply_ok(p, "\xef\xbb\xbf" V5 KEY "\"KeepAliveTime\"=dword:0000ea60\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 60000);
  /* trailing blanks after the header */
  apply_ok(p, "REGEDIT4  \t\r\n" KEY "\"KeepAliveTime\"=dword:00000064\r\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 100);

  /* UTF-16LE with an unpaired high surrogate on line 2 */
  static const guint8 surrogate[] = {0xFF, 0xFE, 'R', 0, 'E', 0, 'G',  0, 'E',  0,    'D', 0,
                                     'I',  0,    'T', 0, '4', 0, '\n', 0, 0x00, 0xD8, 'x', 0};
  g_assert_false(ka_reg_apply(p, "s.reg", surrogate, sizeof surrogate, NULL, &error));
  g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_ENCODING);
  g_assert_true(g_str_has_prefix(error->message, "s.reg:2: invalid UTF-16"));
  g_clear_error(&error);

  /* UTF-16LE saved without its BOM: NUL bytes in 8-bit text */
  static const guint8 no_bom[] = {'R', 0, 'E', 0, 'G', 0, 'E', 0};
  g_assert_false(ka_reg_apply(p, "n.reg", no_bom, sizeof no_bom, NULL, &error));
  g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_ENCODING);
  g_assert_true(g_str_has_prefix(error->message, "n.reg:1: NUL byte"));
  g_clear_error(&error);

  /* 0x81 is one of the five bytes Windows-1252 leaves undefined */
  const char *undefined = "REGEDIT4\r\n" KEY "\"Note\"=\"caf\xe9 \x81\"\r\n";
  g_assert_false(apply_text(p, undefined, NULL, &error));
  g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_ENCODING);
  g_assert_cmpstr(error->message, ==, "t.reg:3: byte 0x81 is not Windows-1252 text");
  g_clear_error(&error);

  /* empty input */
  g_assert_false(ka_reg_apply(p, "e.reg", NULL, 0, NULL, &error));
  g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_HEADER);
  g_assert_true(g_str_has_prefix(error->message, "e.reg:1: not a .reg export"));
  g_clear_error(&error);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 100);
  ka_params_free(p);
}

/* ---- value types and ranges ---------------------------------------------- */

static void test_hex4_is_dword(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  /* little-endian: e0 93 04 00 = 0x000493e0 = 300000 */
  apply_ok(p, V5 KEY "\"KeepAliveTime\"=hex(4):e0,93,04,00\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 300000);
  ka_params_free(p);
}

static void test_wrong_types(void) {
  static const struct {
    const char *data, *found;
  } cases[] = {
    {"\"7200000\"", "(found REG_SZ)"},
    {"hex:e0,93,04,00", "(found REG_BINARY)"},
    {"hex(b):e0,93,04,00,00,00,00,00", "(found REG_QWORD)"},
    {"hex(2):31,00,00,00", "(found REG_EXPAND_SZ)"},
    {"hex(7):31,00,00,00,00,00", "(found REG_MULTI_SZ)"},
    {"hex(5):00,04,93,e0", "(found REG_DWORD_BIG_ENDIAN)"},
    {"hex(4):e0,93,04", "of 4 bytes (found hex(4) with 3)"},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    ka_params *p = win(KA_PROFILE_WINDOWS_XP);
    char *text = g_strconcat(V5, KEY, "\"KeepAliveTime\"=", cases[k].data, "\n", NULL);
    GError *error = NULL;
    g_assert_false(apply_text(p, text, NULL, &error));
    g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_VALUE);
    g_assert_true(g_str_has_prefix(error->message, "t.reg:3: KeepAliveTime must be a REG_DWORD"));
    g_assert_nonnull(strstr(error->message, cases[k].found));
    g_assert_cmpuint(get(p, "KeepAliveTime"), ==, DEF_TIME);
    g_clear_error(&error);
    g_free(text);
    ka_params_free(p);
  }
}

static void test_ranges(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GError *error = NULL;
  apply_ok(p,
           V5 KEY "\"KeepAliveTime\"=dword:FFFFFFFF\n"
                  "\"PPTPTcpMaxDataRetransmissions\"=dword:000000ff\n"
                  "\"TcpMaxDataRetransmissions\"=dword:ffffffff\n"
                  "\"KeepAliveInterval\"=dword:00000001\n",
           NULL);
  assert_values(p, 4294967295u, 1, 4294967295u, 255);
  /* facts §2: above 255 counts as 255 */
  g_assert_cmpuint(ka_params_keepcnt(p), ==, 255);
  g_assert_false(
    apply_text(p, V5 KEY "\"PPTPTcpMaxDataRetransmissions\"=dword:00000100\n", NULL, &error));
  g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_VALUE);
  g_assert_true(g_str_has_prefix(error->message, "t.reg:3: PPTPTcpMaxDataRetransmissions: 256"));
  g_clear_error(&error);
  g_assert_false(apply_text(p, V5 KEY "\"KeepAliveInterval\"=dword:00000000\n", NULL, &error));
  g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_VALUE);
  g_clear_error(&error);
  assert_values(p, 4294967295u, 1, 4294967295u, 255);
  ka_params_free(p);
}

static void test_later_lines_win(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  apply_ok(p,
           V5 KEY "\"KeepAliveTime\"=dword:000493e0\n[HKEY_CURRENT_USER\\Software]\n"
                  "\"x\"=\"y\"\n" KEY "\"KEEPALIVETIME\"=dword:0000ea60\n",
           NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 60000);
  ka_params_free(p);
}

static void test_unknown_and_default_values(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  apply_ok(p,
           V5 KEY "\"Hostname\"=\"lab-pc\"\n@=\"x\"\n\"Na\\\"me\"=-\n"
                  "[HKEY_CURRENT_USER\\Software\\Test]\n@=dword:00000001\n",
           notes);
  g_assert_cmpuint(notes->len, ==, 4);
  g_assert_true(has_note(notes, "t.reg:3: ignored \"Hostname\": not a keep-alive value"));
  g_assert_true(has_note(notes, "t.reg:4: ignored @: not a keep-alive value"));
  g_assert_true(has_note(notes, "t.reg:5: ignored \"Na\"me\": not a keep-alive value"));
  g_assert_true(has_note(notes, "t.reg:7: ignored @ under [HKEY_CURRENT_USER\\Software\\Test]: "
                                "outside " TCPIP));
  assert_values(p, DEF_TIME, DEF_INTVL, DEF_RETRANS, DEF_PPTP);
  /* notes may be NULL */
  apply_ok(p, V5 KEY "\"Hostname\"=\"lab-pc\"\n\"KeepAliveTime\"=dword:00000064\n", NULL);
  g_assert_cmpuint(get(p, "KeepAliveTime"), ==, 100);
  g_ptr_array_unref(notes);
  ka_params_free(p);
}

/* ---- syntax errors --------------------------------------------------------- */

static void test_syntax_errors(void) {
  static const struct {
    const char *text;
    const char *prefix;
  } cases[] = {
    {V5 KEY "\"KeepAliveTime\"=dword:0000ea600\n", "t.reg:3: dword: needs exactly 8"},
    {V5 KEY "\"KeepAliveTime\"=dword:0000ea6g\n", "t.reg:3: dword: needs exactly 8"},
    {V5 KEY "\"KeepAliveTime\" dword:0000ea60\n", "t.reg:3: expected '='"},
    {V5 KEY "\"KeepAliveTime=dword:0000ea60\n", "t.reg:3: unterminated value name"},
    {V5 KEY "\"X\"=hex:zz\n", "t.reg:3: bad hex byte 'zz'"},
    {V5 KEY "\"X\"=hex:0a,\n", "t.reg:3: expected a hex byte after ','"},
    {V5 KEY "\"X\"=hex:0a 0b\n", "t.reg:3: expected ','"},
    {V5 KEY "\"X\"=hex(7):0a,\\\n", "t.reg:3: '\\' continues the value past the end"},
    {V5 KEY "\"X\"=hex(q):0a\n", "t.reg:3: bad value type"},
    {V5 KEY "\"X\"=qword:0a\n", "t.reg:3: unknown value"},
    {V5 KEY "\"X\"=\n", "t.reg:3: missing value after '='"},
    {V5 KEY "\"X\"=\"a\" b\n", "t.reg:3: unexpected text after the value"},
    {V5 "\n[HKEY_LOCAL_MACHINE\\SYSTEM\n", "t.reg:3: unterminated '['"},
    {V5 "[]\n", "t.reg:2: empty key name"},
    {V5 KEY "KeepAliveTime=dword:0000ea60\n", "t.reg:3: expected [KEY]"},
    {V5 "\"X\"=-\n", "t.reg:2: value before any [KEY] line"},
    {"Windows Registry Editor Version 5.0\n" KEY, "t.reg:1: not a .reg export"},
    {"\n" V5 KEY, "t.reg:1: not a .reg export"},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    ka_params *p = win(KA_PROFILE_WINDOWS_XP);
    GError *error = NULL;
    g_assert_false(apply_text(p, cases[k].text, NULL, &error));
    g_assert_nonnull(error);
    if (!g_str_has_prefix(error->message, cases[k].prefix))
      g_error("case %zu: '%s' does not start with '%s'", k, error->message, cases[k].prefix);
    g_assert_true(error->code == KA_REG_ERROR_SYNTAX || error->code == KA_REG_ERROR_HEADER);
    g_clear_error(&error);
    ka_params_free(p);
  }
}

static void test_comments_and_blanks(void) {
  ka_params *p = win(KA_PROFILE_WINDOWS_XP);
  apply_ok(p,
           V5 "; header comment\n\n  " KEY "\t\"KeepAliveTime\" = dword:0000ea60 ; 60 s\n"
              "\"KeepAliveInterval\"=hex(4):\\\n  e8,03,00,00 ; 1 s\n",
           NULL);
  assert_values(p, 60000, 1000, DEF_RETRANS, DEF_PPTP);
  g_assert_true(ka_params_is_set(p, "KeepAliveInterval"));
  ka_params_free(p);
}

/* ---- non-Windows profiles ---------------------------------------------------- */

static void test_non_windows(void) {
  static const struct {
    ka_profile_id id;
    const char *message;
  } cases[] = {
    {KA_PROFILE_LINUX, "x.reg: profile linux has no registry; set its sysctls with --set "
                       "(e.g. net.ipv4.tcp_keepalive_time=600)"},
    {KA_PROFILE_FREEBSD, "x.reg: profile freebsd has no registry; set its sysctls with --set "
                         "(e.g. net.inet.tcp.keepidle=600000)"},
  };
  const char *text = V5 KEY "\"KeepAliveTime\"=dword:000493e0\n";
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    ka_params *p = ka_params_new(ka_profile_get(cases[k].id));
    ka_params *before = ka_params_copy(p);
    GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    g_assert_false(ka_reg_apply(p, "x.reg", (const guint8 *)text, strlen(text), notes, &error));
    g_assert_error(error, KA_REG_ERROR, KA_REG_ERROR_PROFILE);
    g_assert_cmpstr(error->message, ==, cases[k].message);
    g_assert_cmpuint(notes->len, ==, 0);
    size_t n;
    const ka_param_info *t = ka_params_table(ka_params_profile(p), &n);
    for (size_t i = 0; i < n; i++)
      g_assert_cmpuint(get(p, t[i].name), ==, get(before, t[i].name));
    g_clear_error(&error);
    g_ptr_array_unref(notes);
    ka_params_free(before);
    ka_params_free(p);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/reg/v5-utf16/values", test_v5_values);
  g_test_add_func("/reg/v5-utf16/legacy-count-zero", test_v5_legacy_count_zero);
  g_test_add_func("/reg/v5-utf16/notes", test_v5_notes);
  g_test_add_func("/reg/regedit4", test_regedit4);
  for (size_t k = 0; k < G_N_ELEMENTS(broken_files); k++) {
    char *path = g_strdup_printf("/reg/broken/%s", broken_files[k].fixture);
    g_test_add_data_func(path, &broken_files[k], test_broken);
    g_free(path);
  }
  g_test_add_func("/reg/delete/value", test_delete_value);
  g_test_add_func("/reg/delete/key", test_delete_key);
  g_test_add_func("/reg/delete/ancestor-and-other", test_delete_ancestor_and_other);
  g_test_add_func("/reg/key/spellings", test_key_spellings);
  g_test_add_func("/reg/key/not-target", test_key_not_target);
  g_test_add_func("/reg/line-endings", test_line_endings);
  g_test_add_func("/reg/encodings", test_encodings);
  g_test_add_func("/reg/types/hex4-is-dword", test_hex4_is_dword);
  g_test_add_func("/reg/types/wrong", test_wrong_types);
  g_test_add_func("/reg/ranges", test_ranges);
  g_test_add_func("/reg/later-lines-win", test_later_lines_win);
  g_test_add_func("/reg/notes/unknown-and-default", test_unknown_and_default_values);
  g_test_add_func("/reg/syntax-errors", test_syntax_errors);
  g_test_add_func("/reg/comments-and-blanks", test_comments_and_blanks);
  g_test_add_func("/reg/non-windows", test_non_windows);
  return g_test_run();
}
