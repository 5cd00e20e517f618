/* ks_limits.c - limits, bounded reads and escaped messages (ks_limits.h;
 * every limit's reason is in docs/limits.md). */
#include "ks_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ks_scenario.h"

// clang-format off
/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-limits-error-quark, ks_limits_error)
// clang-format on
// clang-format on

typedef enum kind { BYTES, COUNT, DURATION } kind;

typedef struct limit {
  const char *name;
  size_t offset;
  guint64 def, ceiling;
  kind kind;
} limit;

#define DAY G_GUINT64_CONSTANT(86400000000000)
#define OFF(f) G_STRUCT_OFFSET(ks_limits, f)

/* The ceilings are what the code itself can hold: a middlebox's index in
 * 16 bits, a count in 32, a file's line numbers below the loader's marks
 * for --set (2^30), three durations added up within 64-bit nanoseconds. */
static const limit limits[] = {
  {"scenario_bytes", OFF(scenario_bytes), 4u << 20, 512u << 20, BYTES},
  {"reg_bytes", OFF(reg_bytes), 16u << 20, 512u << 20, BYTES},
  {"depth", OFF(depth), 32, 1000, COUNT},
  {"nodes", OFF(nodes), 1000000, 100000000, COUNT},
  {"hosts", OFF(hosts), 10000, G_MAXUINT32, COUNT},
  {"links", OFF(links), 10000, G_MAXUINT32, COUNT},
  {"middleboxes", OFF(middleboxes), 10000, G_MAXUINT16, COUNT},
  {"groups", OFF(groups), 10000, G_MAXUINT32, COUNT},
  {"connections", OFF(connections), 100000000, G_MAXUINT32, COUNT},
  {"events", OFF(events), 1000000, G_MAXUINT32, COUNT},
  {"route_hops", OFF(route_hops), 1000000, G_MAXUINT32, COUNT},
  {"rate", OFF(rate), 100000000, G_MAXUINT64, COUNT},
  {"exchanges", OFF(exchanges), G_GUINT64_CONSTANT(10000000000), G_MAXUINT64, COUNT},
  {"duration", OFF(duration), 3650 * DAY, 18250 * DAY, DURATION},
};

static guint64 *field(ks_limits *l, const limit *d) {
  return (guint64 *)G_STRUCT_MEMBER_P(l, d->offset);
}

void ks_limits_init(ks_limits *l) {
  memset(l, 0, sizeof *l);
  for (size_t i = 0; i < G_N_ELEMENTS(limits); i++)
    *field(l, &limits[i]) = limits[i].def;
}

const char *ks_limits_names(void) {
  static char *names; /* built once, never freed */
  if (g_once_init_enter(&names)) {
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(limits); i++)
      g_string_append_printf(s, "%s%s", i ? ", " : "", limits[i].name);
    g_once_init_leave(&names, g_string_free(s, FALSE));
  }
  return names;
}

gboolean ks_limits_set(ks_limits *l, const char *assignment, const char *origin, GError **error) {
  g_autofree char *shown = ks_escape(assignment);
  const char *eq = strchr(assignment, '=');
  const limit *d = NULL;
  for (size_t i = 0; eq && i < G_N_ELEMENTS(limits); i++)
    if (strlen(limits[i].name) == (size_t)(eq - assignment) &&
        strncmp(limits[i].name, assignment, (size_t)(eq - assignment)) == 0)
      d = &limits[i];
  if (d == NULL) {
    g_set_error(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_INVALID,
                "%s %s: expected NAME=VALUE with NAME one of: %s", origin, shown,
                ks_limits_names());
    return FALSE;
  }
  const char *value = eq + 1;
  guint64 v = 0;
  gboolean ok;
  if (d->kind == DURATION) {
    ka_time t = 0;
    ok = ks_duration_parse(value, &t) && t > 0;
    v = (guint64)t;
  } else {
    ok = g_ascii_string_to_unsigned(value, 10, 1, G_MAXUINT64, &v, NULL);
  }
  if (!ok) {
    g_set_error(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_INVALID, "%s %s: %s", origin, shown,
                d->kind == DURATION ? "not a duration with a unit, at most 18250d (e.g. 10000d)"
                                    : "not a whole number from 1 up");
    return FALSE;
  }
  if (v > d->ceiling) {
    if (d->kind == DURATION)
      g_set_error(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_INVALID,
                  "%s %s: at most %" G_GUINT64_FORMAT "d: three such durations added up must "
                  "stay within a 64-bit nanosecond clock",
                  origin, shown, d->ceiling / DAY);
    else
      g_set_error(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_INVALID,
                  "%s %s: at most %" G_GUINT64_FORMAT " (what kasim itself can hold)", origin,
                  shown, d->ceiling);
    return FALSE;
  }
  *field(l, d) = v;
  return TRUE;
}

gboolean ks_limits_set_list(ks_limits *l, const char *list, const char *origin, GError **error) {
  g_auto(GStrv) parts = g_strsplit(list, ",", -1);
  for (guint i = 0; parts[i]; i++) {
    const char *p = g_strstrip(parts[i]);
    if (*p != '\0' && !ks_limits_set(l, p, origin, error))
      return FALSE;
  }
  return TRUE;
}

gboolean ks_limits_init_env(ks_limits *l, GError **error) {
  ks_limits_init(l);
  const char *env = g_getenv("KASIM_LIMITS");
  return env == NULL || ks_limits_set_list(l, env, "KASIM_LIMITS", error);
}

char *ks_limits_hint(const char *name) {
  return g_strdup_printf("kasim run --limit %s=N, or KASIM_LIMITS=%s=N for any command, raises "
                         "it; see docs/limits.md",
                         name, name);
}

/* ---- reading ------------------------------------------------------------ */

char *ks_read_file_limited(const char *path, guint64 max, const char *limit_name, gsize *len,
                           GError **error) {
  g_autofree char *shown = ks_escape(path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    g_set_error_literal(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_READ, g_strerror(err));
    return NULL;
  }
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  /* The fuzz harnesses (fuzz/) load scenarios whose registry paths are
   * made up: a device or a FIFO that blocks (/dev/kmsg, /dev/tty) would
   * stop the fuzzer, so only regular files are read there. */
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    g_set_error_literal(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_READ, "not a regular file");
    return NULL;
  }
#endif
  GByteArray *buf = g_byte_array_new();
  guint8 chunk[65536];
  for (;;) {
    guint64 room = max + 1 - buf->len; /* one byte past the limit tells */
    ssize_t n = read(fd, chunk, (size_t)MIN(room, sizeof chunk));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      g_set_error_literal(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_READ, g_strerror(err));
      break;
    }
    if (n == 0) {
      close(fd);
      *len = buf->len;
      guint8 nul = 0;
      g_byte_array_append(buf, &nul, 1);
      return (char *)g_byte_array_free(buf, FALSE);
    }
    g_byte_array_append(buf, chunk, (guint)n);
    if (buf->len > max) {
      g_autofree char *hint = ks_limits_hint(limit_name);
      g_set_error(error, KS_LIMITS_ERROR, KS_LIMITS_ERROR_TOO_LARGE,
                  "%s:1:1: larger than %" G_GUINT64_FORMAT " bytes (the limit %s; %s)", shown, max,
                  limit_name, hint);
      break;
    }
  }
  close(fd);
  g_byte_array_free(buf, TRUE);
  return NULL;
}

/* ---- escaping ----------------------------------------------------------- */

static gboolean hides_text(gunichar c) {
  return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

char *ks_escape(const char *text) {
  if (text == NULL)
    return g_strdup("(null)");
  GString *s = g_string_sized_new(strlen(text));
  const char *p = text;
  while (*p) {
    guchar b = (guchar)*p;
    if (b < 0x80) {
      if (b == '\n')
        g_string_append(s, "\\n");
      else if (b == '\r')
        g_string_append(s, "\\r");
      else if (b == '\t')
        g_string_append(s, "\\t");
      else if (b < 0x20 || b == 0x7F)
        g_string_append_printf(s, "\\x%02x", b);
      else
        g_string_append_c(s, (char)b);
      p++;
      continue;
    }
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      g_string_append_printf(s, "\\x%02x", b);
      p++;
      continue;
    }
    const char *next = g_utf8_next_char(p);
    if ((c >= 0x80 && c <= 0x9F) || hides_text(c))
      g_string_append_printf(s, "\\u%04x", c);
    else
      g_string_append_len(s, p, next - p);
    p = next;
  }
  return g_string_free(s, FALSE);
}
