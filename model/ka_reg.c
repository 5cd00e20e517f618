/* ka_reg.c - applying a regedit export (.reg) to ka_params.
 *
 * The grammar is what regedit writes and imports (KB 310516; Wine
 * programs/regedit/regproc.c; facts §2).  The text is decoded to UTF-8
 * first, then read line by line; every line is checked even when its key
 * does not matter, so a damaged file is reported rather than half applied.
 * Work happens on a copy of the parameters and on a private list of notes;
 * both reach the caller only when the whole file is good, which is how
 * "params unchanged on error" is kept without undo logic.
 */
#include "kasim/ka_reg.h"

#include <stdarg.h>
#include <string.h>

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ka-reg-error-quark, ka_reg_error)
// clang-format on

#define TCPIP_PARAMETERS \
  "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"

/* Registry type numbers, as hex(N) spells them (winnt.h). */
enum {
  REG_SZ_ = 1,
  REG_BINARY_ = 3,
  REG_DWORD_ = 4,
};

/* ---- messages ---------------------------------------------------------- */

G_GNUC_PRINTF(5, 6)
static bool fail(GError **error, int code, const char *filename, guint line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, KA_REG_ERROR, code, "%s:%u: %s", filename, line, what);
  g_free(what);
  return false;
}

/* ---- decoding to UTF-8 --------------------------------------------------- */

static guint line_of_offset(const guint8 *data, gsize offset) {
  guint line = 1;
  for (gsize i = 0; i < offset; i++)
    line += data[i] == '\n';
  return line;
}

static guint line_of_unit(const gunichar2 *units, gsize index) {
  guint line = 1;
  for (gsize i = 0; i < index; i++)
    line += units[i] == '\n';
  return line;
}

/* What regedit saves by default.  A trailing NUL is tolerated because some
 * tools write the terminator of the wide string they exported. */
static char *decode_utf16le(const char *filename, const guint8 *data, gsize len, GError **error) {
  if (len % 2 != 0) {
    g_set_error(error, KA_REG_ERROR, KA_REG_ERROR_ENCODING,
                "%s: UTF-16LE text with an odd number of bytes (%" G_GSIZE_FORMAT
                " after the byte-order mark): the file is truncated or not UTF-16",
                filename, len);
    return NULL;
  }
  gsize n = len / 2;
  gunichar2 *units = g_new(gunichar2, n + 1);
  for (gsize i = 0; i < n; i++)
    units[i] = (gunichar2)(data[2 * i] | (data[2 * i + 1] << 8));
  while (n > 0 && units[n - 1] == 0)
    n--;
  char *text = NULL;
  const gunichar2 *nul = NULL;
  for (gsize i = 0; i < n && nul == NULL; i++)
    if (units[i] == 0)
      nul = &units[i];
  if (nul != NULL) {
    fail(error, KA_REG_ERROR_ENCODING, filename, line_of_unit(units, (gsize)(nul - units)),
         "NUL character in the text");
  } else {
    glong read = 0;
    GError *conv = NULL;
    text = g_utf16_to_utf8(units, (glong)n, &read, NULL, &conv);
    /* With items_read given, GLib reports a lone surrogate at the very end
     * as success with a short count, not as an error. */
    if (text == NULL || (gsize)read != n) {
      fail(error, KA_REG_ERROR_ENCODING, filename, line_of_unit(units, (gsize)read),
           "invalid UTF-16 (%s)", conv ? conv->message : "unpaired surrogate at the end");
      g_clear_pointer(&text, g_free);
    }
    g_clear_error(&conv);
  }
  g_free(units);
  return text;
}

static char *decode_utf8(const char *filename, const guint8 *data, gsize len, GError **error) {
  const char *end;
  if (!g_utf8_validate_len((const char *)data, len, &end)) {
    fail(error, KA_REG_ERROR_ENCODING, filename,
         line_of_offset(data, (gsize)((const guint8 *)end - data)),
         "invalid UTF-8 or a NUL byte after a UTF-8 byte-order mark");
    return NULL;
  }
  return g_strndup((const char *)data, len);
}

/* REGEDIT4 files, and 5.00 files someone saved as "ANSI", are in the
 * Windows code page; 1252 is the one of Western installs.  Bytes 1252
 * leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are refused, as iconv
 * refuses them, instead of guessing. */
static char *decode_ansi(const char *filename, const guint8 *data, gsize len, GError **error) {
  const guint8 *nul = memchr(data, 0, len);
  if (nul != NULL) {
    fail(error, KA_REG_ERROR_ENCODING, filename, line_of_offset(data, (gsize)(nul - data)),
         "NUL byte in 8-bit text (UTF-16 without its byte-order mark?)");
    return NULL;
  }
  gsize high = 0;
  while (high < len && data[high] < 0x80)
    high++;
  if (high == len)
    return g_strndup((const char *)data, len);

  gsize read = 0;
  GError *conv = NULL;
  char *text = g_convert((const char *)data, (gssize)len, "UTF-8", "WINDOWS-1252", &read, NULL,
                         &conv);
  if (text != NULL)
    return text;
  if (g_error_matches(conv, G_CONVERT_ERROR, G_CONVERT_ERROR_NO_CONVERSION))
    fail(error, KA_REG_ERROR_ENCODING, filename, line_of_offset(data, high),
         "byte 0x%02X is not ASCII, and this system cannot convert Windows-1252", data[high]);
  else if (read < len)
    fail(error, KA_REG_ERROR_ENCODING, filename, line_of_offset(data, read),
         "byte 0x%02X is not Windows-1252 text", data[read]);
  else
    g_set_error(error, KA_REG_ERROR, KA_REG_ERROR_ENCODING, "%s: %s", filename, conv->message);
  g_error_free(conv);
  return NULL;
}

static char *decode(const char *filename, const guint8 *data, gsize len, GError **error) {
  if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE)
    return decode_utf16le(filename, data + 2, len - 2, error);
  if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
    g_set_error(error, KA_REG_ERROR, KA_REG_ERROR_ENCODING,
                "%s: UTF-16 big-endian text; regedit writes UTF-16LE (byte-order mark FF FE)",
                filename);
    return NULL;
  }
  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    return decode_utf8(filename, data + 3, len - 3, error);
  return decode_ansi(filename, data, len, error);
}

/* ---- which key a line names ---------------------------------------------- */

typedef enum key_relation {
  KEY_OTHER,
  KEY_TARGET,  /* ...\Services\Tcpip\Parameters itself */
  KEY_ANCESTOR /* deleting it deletes the target too */
} key_relation;

/* regedit exports whichever control set the user browsed, so ControlSet001
 * and friends name the same values as CurrentControlSet on most hosts. */
static bool is_control_set(const char *s) {
  if (g_ascii_strcasecmp(s, "CurrentControlSet") == 0)
    return true;
  return g_ascii_strncasecmp(s, "ControlSet", 10) == 0 && strlen(s) == 13 &&
         g_ascii_isdigit(s[10]) && g_ascii_isdigit(s[11]) && g_ascii_isdigit(s[12]);
}

static bool component_matches(guint depth, const char *s) {
  static const char *const path[] = {NULL, "SYSTEM", NULL, "Services", "Tcpip", "Parameters"};
  switch (depth) {
  case 0:
    return g_ascii_strcasecmp(s, "HKEY_LOCAL_MACHINE") == 0 || g_ascii_strcasecmp(s, "HKLM") == 0;
  case 2: return is_control_set(s);
  default: return g_ascii_strcasecmp(s, path[depth]) == 0;
  }
}

static key_relation relation_of(const char *key) {
  char **parts = g_strsplit(key, "\\", -1);
  guint n = g_strv_length(parts), k = 0;
  while (k < n && k < 6 && component_matches(k, parts[k]))
    k++;
  g_strfreev(parts);
  if (k != n)
    return KEY_OTHER;
  /* The bare root cannot be deleted by regedit, so it resets nothing. */
  return n == 6 ? KEY_TARGET : n >= 2 ? KEY_ANCESTOR : KEY_OTHER;
}

/* ---- the parser ---------------------------------------------------------- */

typedef enum key_state {
  AT_NO_KEY,  /* before the first key line */
  AT_TARGET,  /* inside ...\Tcpip\Parameters */
  AT_OTHER,   /* inside some other key */
  AT_DELETION /* after a [-KEY] line: values have no key to go to */
} key_state;

typedef struct reg_parser {
  const char *filename;
  ka_params *work;  /* a copy; assigned to the caller's params on success */
  GPtrArray *notes; /* this call's notes; handed over on success */
  char **lines;
  guint n_lines;
  guint i; /* index of the current line; its number is i + 1 */
  key_state state;
  char *key; /* the current key as written, for notes */
} reg_parser;

typedef enum data_kind { DATA_DELETE, DATA_SZ, DATA_DWORD, DATA_HEX } data_kind;

typedef struct reg_data {
  data_kind kind;
  guint32 type;  /* for DATA_HEX: N of hex(N), REG_BINARY for hex: */
  guint32 dword; /* for DATA_DWORD */
  GByteArray *bytes;
} reg_data;

static guint line_no(const reg_parser *rp) { return rp->i + 1; }

G_GNUC_PRINTF(3, 4)
static bool syntax(const reg_parser *rp, GError **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fail(error, KA_REG_ERROR_SYNTAX, rp->filename, line_no(rp), "%s", what);
  g_free(what);
  return false;
}

G_GNUC_PRINTF(3, 4)
static void note(reg_parser *rp, guint line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_ptr_array_add(rp->notes, g_strdup_printf("%s:%u: %s", rp->filename, line, what));
  g_free(what);
}

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static bool at_end(const char *p) { return *p == '\0' || *p == ';'; }

/* After a value only blanks or a ; comment may follow, as in Wine. */
static bool expect_end(const reg_parser *rp, const char *p, GError **error) {
  p = skip_ws(p);
  if (!at_end(p))
    return syntax(rp, error, "unexpected text after the value: '%s'", p);
  return true;
}

/* A "..." token.  Only \\ and \" are escapes; any other backslash is kept
 * as written, as regedit writes paths in REG_SZ data unescaped by mistake
 * often enough that refusing them would reject real exports. */
static bool parse_quoted(const reg_parser *rp, const char **pp, GString *out, const char *what,
                         GError **error) {
  const char *p = *pp + 1;
  for (; *p != '"'; p++) {
    if (*p == '\0')
      return syntax(rp, error, "unterminated %s: no closing '\"'", what);
    if (*p == '\\' && (p[1] == '\\' || p[1] == '"'))
      p++;
    g_string_append_c(out, *p);
  }
  *pp = p + 1;
  return true;
}

static bool has_prefix_ci(const char *p, const char *prefix) {
  return g_ascii_strncasecmp(p, prefix, strlen(prefix)) == 0;
}

static bool parse_dword(const reg_parser *rp, const char *p, reg_data *d, GError **error) {
  size_t n = 0;
  while (g_ascii_isxdigit(p[n]))
    n++;
  if (n != 8 || !(p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == ';')) {
    size_t tok = strcspn(p, " \t;");
    return syntax(rp, error, "dword: needs exactly 8 hex digits, found '%.*s'", (int)tok, p);
  }
  d->kind = DATA_DWORD;
  d->dword = 0;
  for (size_t k = 0; k < 8; k++)
    d->dword = d->dword << 4 | (guint32)g_ascii_xdigit_value(p[k]);
  return expect_end(rp, p + 8, error);
}

static bool next_continuation(reg_parser *rp, const char **pp, GError **error) {
  if (*skip_ws(*pp + 1) != '\0')
    return syntax(rp, error, "text after the '\\' that continues the line");
  if (rp->i + 1 >= rp->n_lines)
    return syntax(rp, error, "'\\' continues the value past the end of the file");
  rp->i++;
  *pp = rp->lines[rp->i];
  return true;
}

/* aa,bb,... with "\" after a comma continuing on the next line.  Errors
 * name the physical line they are on, which may be a continuation line. */
static bool parse_hex_list(reg_parser *rp, const char *p, GByteArray *out, GError **error) {
  enum { START, NEED_BYTE, AFTER_BYTE } st = START;
  for (;;) {
    p = skip_ws(p);
    if (st == AFTER_BYTE) {
      if (at_end(p))
        return true;
      if (*p != ',')
        return syntax(rp, error, "expected ',' between hex bytes, found '%s'", p);
      p++;
      st = NEED_BYTE;
    } else if (*p == '\\') {
      if (!next_continuation(rp, &p, error))
        return false;
    } else if (at_end(p)) {
      if (st == NEED_BYTE)
        return syntax(rp, error, "expected a hex byte after ','");
      return true;
    } else if (g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]) && !g_ascii_isxdigit(p[2])) {
      guint8 b = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
      g_byte_array_append(out, &b, 1);
      p += 2;
      st = AFTER_BYTE;
    } else {
      size_t tok = strcspn(p, " \t,;\\");
      return syntax(rp, error, "bad hex byte '%.*s' (two hex digits expected)",
                    (int)(tok ? tok : 1), p);
    }
  }
}

/* hex(N): with N in hex, as regedit writes hex(7) or hex(b). */
static bool parse_hex_type(const reg_parser *rp, const char **pp, guint32 *type, GError **error) {
  const char *p = *pp + 4;
  guint32 t = 0;
  size_t n = 0;
  while (g_ascii_isxdigit(p[n]) && n < 8) {
    t = t << 4 | (guint32)g_ascii_xdigit_value(p[n]);
    n++;
  }
  if (n == 0 || p[n] != ')' || p[n + 1] != ':')
    return syntax(rp, error, "bad value type: expected hex(N): with N in hex");
  *type = t;
  *pp = p + n + 2;
  return true;
}

static bool parse_data(reg_parser *rp, const char *p, reg_data *d, GError **error) {
  if (*p == '-') {
    d->kind = DATA_DELETE;
    return expect_end(rp, p + 1, error);
  }
  if (*p == '"') {
    GString *s = g_string_new(NULL);
    bool ok = parse_quoted(rp, &p, s, "string", error) && expect_end(rp, p, error);
    g_string_free(s, TRUE);
    d->kind = DATA_SZ;
    return ok;
  }
  if (has_prefix_ci(p, "dword:"))
    return parse_dword(rp, p + 6, d, error);
  if (has_prefix_ci(p, "hex:") || has_prefix_ci(p, "hex(")) {
    d->kind = DATA_HEX;
    d->type = REG_BINARY_;
    if (p[3] == ':')
      p += 4;
    else if (!parse_hex_type(rp, &p, &d->type, error))
      return false;
    d->bytes = g_byte_array_new();
    return parse_hex_list(rp, p, d->bytes, error);
  }
  if (at_end(p))
    return syntax(rp, error, "missing value after '='");
  return syntax(rp, error, "unknown value: expected \"text\", dword:, hex:, hex(N): or -");
}

static const char *type_name(guint32 type) {
  static const char *const names[] = {"REG_NONE",
                                      "REG_SZ",
                                      "REG_EXPAND_SZ",
                                      "REG_BINARY",
                                      "REG_DWORD",
                                      "REG_DWORD_BIG_ENDIAN",
                                      "REG_LINK",
                                      "REG_MULTI_SZ",
                                      "REG_RESOURCE_LIST",
                                      "REG_FULL_RESOURCE_DESCRIPTOR",
                                      "REG_RESOURCE_REQUIREMENTS_LIST",
                                      "REG_QWORD"};
  return type < G_N_ELEMENTS(names) ? names[type] : NULL;
}

/* hex(4) is how regedit would spell a REG_DWORD it could not print as
 * dword:, so it counts as one when it has the 4 bytes a DWORD has. */
static bool as_dword(const reg_data *d, guint32 *v) {
  if (d->kind == DATA_DWORD) {
    *v = d->dword;
    return true;
  }
  if (d->kind == DATA_HEX && d->type == REG_DWORD_ && d->bytes->len == 4) {
    const guint8 *b = d->bytes->data;
    *v = (guint32)b[0] | (guint32)b[1] << 8 | (guint32)b[2] << 16 | (guint32)b[3] << 24;
    return true;
  }
  return false;
}

static bool wrong_type(const reg_parser *rp, guint line, const ka_param_info *info,
                       const reg_data *d, GError **error) {
  if (d->kind == DATA_HEX && d->type == REG_DWORD_)
    return fail(error, KA_REG_ERROR_VALUE, rp->filename, line,
                "%s must be a REG_DWORD of 4 bytes (found hex(4) with %u)", info->name,
                d->bytes->len);
  guint32 type = d->kind == DATA_SZ ? REG_SZ_ : d->type;
  const char *tn = type_name(type);
  if (tn != NULL)
    return fail(error, KA_REG_ERROR_VALUE, rp->filename, line, "%s must be a REG_DWORD (found %s)",
                info->name, tn);
  return fail(error, KA_REG_ERROR_VALUE, rp->filename, line,
              "%s must be a REG_DWORD (found registry type 0x%x)", info->name, type);
}

static bool apply_known(reg_parser *rp, guint line, const ka_param_info *info, const reg_data *d,
                        GError **error) {
  if (d->kind == DATA_DELETE) {
    ka_params_reset(rp->work, info->name);
    return true;
  }
  guint32 v;
  if (!as_dword(d, &v))
    return wrong_type(rp, line, info, d, error);
  GError *range = NULL;
  if (!ka_params_set_value(rp->work, info->name, v, &range)) {
    fail(error, KA_REG_ERROR_VALUE, rp->filename, line, "%s", range->message);
    g_error_free(range);
    return false;
  }
  return true;
}

/* `shown` is the name as a note prints it: "Name" in quotes, or @. */
static bool apply_value(reg_parser *rp, guint line, const char *name, const char *shown,
                        const reg_data *d, GError **error) {
  const ka_param_info *info;
  switch (rp->state) {
  case AT_TARGET:
    info = name ? ka_params_info(ka_params_profile(rp->work), name) : NULL;
    if (info != NULL)
      return apply_known(rp, line, info, d, error);
    note(rp, line, "ignored %s: not a keep-alive value", shown);
    return true;
  case AT_OTHER:
    note(rp, line, "ignored %s under [%s]: outside " TCPIP_PARAMETERS, shown, rp->key);
    return true;
  case AT_DELETION:
  default:
    note(rp, line, "ignored %s: it follows the deletion [-%s], not a key", shown, rp->key);
    return true;
  }
}

static bool parse_value_line(reg_parser *rp, const char *p, GError **error) {
  guint line = line_no(rp);
  if (rp->state == AT_NO_KEY)
    return syntax(rp, error, "value before any [KEY] line");
  GString *name = NULL;
  if (*p == '@') {
    p++;
  } else {
    name = g_string_new(NULL);
    if (!parse_quoted(rp, &p, name, "value name", error)) {
      g_string_free(name, TRUE);
      return false;
    }
  }
  char *shown = name ? g_strdup_printf("\"%s\"", name->str) : g_strdup("@");
  reg_data d = {0};
  bool ok;
  p = skip_ws(p);
  if (*p != '=')
    ok = syntax(rp, error, "expected '=' after the value name %s", shown);
  else
    ok = parse_data(rp, skip_ws(p + 1), &d, error) &&
         apply_value(rp, line, name ? name->str : NULL, shown, &d, error);
  if (d.bytes != NULL)
    g_byte_array_unref(d.bytes);
  g_free(shown);
  if (name != NULL)
    g_string_free(name, TRUE);
  return ok;
}

static void reset_all(ka_params *params) {
  size_t n;
  const ka_param_info *t = ka_params_table(ka_params_profile(params), &n);
  for (size_t k = 0; k < n; k++)
    ka_params_reset(params, t[k].name);
}

/* The last ']' closes the key: key names may contain ']' themselves. */
static bool parse_key_line(reg_parser *rp, const char *p, GError **error) {
  const char *close = strrchr(p, ']');
  if (close == NULL)
    return syntax(rp, error, "unterminated '[': no closing ']'");
  if (*skip_ws(close + 1) != '\0')
    return syntax(rp, error, "unexpected text after ']': '%s'", skip_ws(close + 1));
  bool deletion = p[1] == '-';
  const char *start = p + 1 + deletion;
  if (start >= close)
    return syntax(rp, error, "empty key name");
  g_free(rp->key);
  rp->key = g_strndup(start, (gsize)(close - start));
  key_relation rel = relation_of(rp->key);
  if (!deletion) {
    rp->state = rel == KEY_TARGET ? AT_TARGET : AT_OTHER;
    return true;
  }
  rp->state = AT_DELETION;
  if (rel == KEY_OTHER)
    note(rp, line_no(rp), "ignored deletion [-%s]: outside " TCPIP_PARAMETERS, rp->key);
  else
    reset_all(rp->work);
  return true;
}

static bool parse_line(reg_parser *rp, GError **error) {
  const char *p = skip_ws(rp->lines[rp->i]);
  switch (*p) {
  case '\0':
  case ';': return true;
  case '[': return parse_key_line(rp, p, error);
  case '"':
  case '@': return parse_value_line(rp, p, error);
  default: return syntax(rp, error, "expected [KEY], \"Name\"=value, @=value or a ; comment");
  }
}

static bool check_header(const reg_parser *rp, GError **error) {
  if (rp->n_lines > 0) {
    char *first = g_strchomp(g_strdup(rp->lines[0]));
    bool ok = strcmp(first, "Windows Registry Editor Version 5.00") == 0 ||
              strcmp(first, "REGEDIT4") == 0;
    g_free(first);
    if (ok)
      return true;
  }
  return fail(error, KA_REG_ERROR_HEADER, rp->filename, 1,
              "not a .reg export: first line must be \"Windows Registry Editor Version 5.00\" "
              "or \"REGEDIT4\"");
}

static char **split_lines(const char *text, guint *n) {
  char **lines = g_strsplit(text, "\n", -1);
  *n = g_strv_length(lines);
  /* The newline ending the last line does not start another one; without
   * this a '\' on the last line would continue onto nothing silently. */
  if (*n > 0 && lines[*n - 1][0] == '\0') {
    g_free(lines[*n - 1]);
    lines[--*n] = NULL;
  }
  for (guint k = 0; k < *n; k++) {
    size_t l = strlen(lines[k]);
    if (l > 0 && lines[k][l - 1] == '\r')
      lines[k][l - 1] = '\0';
  }
  return lines;
}

static bool refuse_profile(const ka_profile *profile, const char *filename, GError **error) {
  size_t n;
  const ka_param_info *idle = &ka_params_table(profile, &n)[0];
  g_set_error(error, KA_REG_ERROR, KA_REG_ERROR_PROFILE,
              "%s: profile %s has no registry; set its sysctls with --set (e.g. %s=%s)", filename,
              ka_profile_name(profile), idle->name, idle->unit == KA_UNIT_MS ? "600000" : "600");
  return false;
}

bool ka_reg_apply(ka_params *params, const char *filename, const guint8 *data, gsize len,
                  GPtrArray *notes, GError **error) {
  g_return_val_if_fail(params != NULL && filename != NULL, false);
  g_return_val_if_fail(data != NULL || len == 0, false);
  g_return_val_if_fail(error == NULL || *error == NULL, false);

  if (!ka_profile_is_windows(ka_params_profile(params)))
    return refuse_profile(ka_params_profile(params), filename, error);
  char *text = decode(filename, data ? data : (const guint8 *)"", len, error);
  if (text == NULL)
    return false;

  reg_parser rp = {.filename = filename,
                   .work = ka_params_copy(params),
                   .notes = g_ptr_array_new_with_free_func(g_free),
                   .state = AT_NO_KEY};
  rp.lines = split_lines(text, &rp.n_lines);
  g_free(text);

  bool ok = check_header(&rp, error);
  for (rp.i = 1; ok && rp.i < rp.n_lines; rp.i++)
    ok = parse_line(&rp, error);

  if (ok) {
    ka_params_assign(params, rp.work);
    for (guint k = 0; notes != NULL && k < rp.notes->len; k++)
      g_ptr_array_add(notes, g_steal_pointer(&rp.notes->pdata[k]));
  }
  g_ptr_array_unref(rp.notes);
  g_strfreev(rp.lines);
  g_free(rp.key);
  ka_params_free(rp.work);
  return ok;
}
