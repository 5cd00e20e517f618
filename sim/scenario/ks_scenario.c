/* ks_scenario.c - reading a scenario file (the format is docs/scenarios.md).
 *
 * The YAML is read with libyaml (pkg-config yaml-0.1).  Debian's
 * libyaml-dev is the reference C parser for YAML 1.1, it is small, and its
 * document API keeps the start mark (line and column) of every node, which
 * each message here needs: "FILE:LINE:COLUMN: what is wrong", pointing at
 * the offending node.  The file is loaded whole with yaml_parser_load() and
 * the node tree is walked against the schema below.  libyaml resolves no
 * types, so every scalar arrives as text and this file decides what is a
 * number, a duration, a bandwidth or a name.
 *
 * Sections are read in dependency order whatever their order in the file:
 * duration, hosts, links, middleboxes, groups, timeline; then --set; then
 * every group's socket options are tried on a model socket of the
 * keep-alive side's profile, so that a value fails here exactly where the
 * modelled OS would fail it.  The first problem ends the load.
 */
#include "ks_scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ks_limits.h"
#include "ks_sockopt.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-scenario-error-quark, ks_scenario_error)
// clang-format on

/* A flap expands into two events per cycle; more cycles than this is
 * almost certainly a typo in `period` and would only slow the run down. */
#define MAX_FLAP_CYCLES 100000u

/* ---- durations and other quantities ------------------------------------ */

typedef struct unit {
  const char *suffix;
  guint64 scale;
} unit;

static const unit duration_units[] = {
  {"ns", 1},
  {"us", 1000},
  {"ms", 1000000},
  {"s", 1000000000},
  {"m", G_GUINT64_CONSTANT(60000000000)},
  {"h", G_GUINT64_CONSTANT(3600000000000)},
  {"d", G_GUINT64_CONSTANT(86400000000000)},
};

/* Bits per second; "/s" may follow.  The prefix letter may be of either
 * case (nobody means millibits). */
static const unit bandwidth_units[] = {
  {"bit", 1},
  {"kbit", 1000},
  {"mbit", 1000000},
  {"gbit", 1000000000},
};

typedef enum qty_status {
  QTY_OK,
  QTY_SYNTAX,    /* not NUMBER UNIT */
  QTY_NO_UNIT,   /* a number without a unit */
  QTY_NOT_WHOLE, /* a fraction of the smallest unit */
  QTY_OVERFLOW
} qty_status;

/* Reads one "DIGITS[.DIGITS]UNIT" at *sp, exactly (no floating point), and
 * advances *sp past it.  The longest matching unit wins ("ms" over "m"). */
static qty_status parse_quantity(const char **sp, const unit *units, size_t n_units,
                                 gboolean nocase, guint64 *out) {
  const char *s = *sp;
  guint64 whole = 0, frac = 0, frac_scale = 1;
  if (!g_ascii_isdigit(*s))
    return QTY_SYNTAX;
  for (; g_ascii_isdigit(*s); s++) {
    guint d = (guint)(*s - '0');
    if (whole > (G_MAXUINT64 - d) / 10)
      return QTY_OVERFLOW;
    whole = whole * 10 + d;
  }
  if (*s == '.') {
    s++;
    if (!g_ascii_isdigit(*s))
      return QTY_SYNTAX;
    for (; g_ascii_isdigit(*s); s++) {
      if (frac_scale >= G_GUINT64_CONSTANT(1000000000))
        return QTY_NOT_WHOLE; /* more than nine decimals */
      frac = frac * 10 + (guint64)(*s - '0');
      frac_scale *= 10;
    }
  }
  if (*s == '\0')
    return QTY_NO_UNIT;
  size_t best = n_units, best_len = 0;
  for (size_t u = 0; u < n_units; u++) {
    size_t len = strlen(units[u].suffix);
    if (len > best_len && (nocase ? g_ascii_strncasecmp(s, units[u].suffix, len)
                                  : strncmp(s, units[u].suffix, len)) == 0) {
      best = u;
      best_len = len;
    }
  }
  if (best == n_units)
    return QTY_SYNTAX;
  guint64 scale = units[best].scale;
  /* whole*scale + frac*scale/frac_scale, exactly: frac < 10^9 and
   * scale % frac_scale < 10^9, so frac*r stays below 10^18. */
  guint64 q = scale / frac_scale, r = scale % frac_scale;
  if ((frac * r) % frac_scale != 0)
    return QTY_NOT_WHOLE;
  if (whole > G_MAXUINT64 / scale)
    return QTY_OVERFLOW;
  guint64 frac_part = frac * q + frac * r / frac_scale;
  if (frac_part > G_MAXUINT64 - whole * scale)
    return QTY_OVERFLOW;
  *out = whole * scale + frac_part;
  *sp = s + best_len;
  return QTY_OK;
}

/* Durations may be compound, as in Go: "1h30m", "2h5m10.5s". */
static qty_status parse_duration(const char *text, ka_time *out) {
  const char *s = text;
  guint64 total = 0;
  if (s == NULL || *s == '\0')
    return QTY_SYNTAX;
  while (*s) {
    guint64 part;
    qty_status st = parse_quantity(&s, duration_units, G_N_ELEMENTS(duration_units), FALSE, &part);
    if (st == QTY_NO_UNIT && s != text)
      return QTY_SYNTAX; /* "1h30": only a whole bare number is "no unit" */
    if (st != QTY_OK)
      return st;
    if (part >= (guint64)KA_TIME_NEVER - total)
      return QTY_OVERFLOW; /* KA_TIME_NEVER itself means "never" */
    total += part;
  }
  *out = (ka_time)total;
  return QTY_OK;
}

gboolean ks_duration_parse(const char *text, ka_time *out) {
  ka_time t;
  if (parse_duration(text, &t) != QTY_OK)
    return FALSE;
  *out = t;
  return TRUE;
}

static qty_status parse_bandwidth(const char *text, guint64 *out) {
  const char *s = text;
  qty_status st = parse_quantity(&s, bandwidth_units, G_N_ELEMENTS(bandwidth_units), TRUE, out);
  if (st != QTY_OK)
    return st;
  if (strcmp(s, "/s") == 0 || g_ascii_strcasecmp(s, "ps") == 0)
    s += strlen(s);
  return *s == '\0' ? QTY_OK : QTY_SYNTAX;
}

/* A plain decimal number such as "350" or "1.5": what people write when
 * they forget the unit. */
static gboolean is_bare_number(const char *text) {
  if (!g_ascii_isdigit(*text) && !(*text == '.' && g_ascii_isdigit(text[1])))
    return FALSE;
  char *end;
  g_ascii_strtod(text, &end);
  return *end == '\0';
}

/* ---- the loader and its messages --------------------------------------- */

/* Where a group's load comes from: the group, and what sets its rate (the
 * periodic traffic's period, the bulk traffic). */
typedef struct group_marks {
  yaml_mark_t group, traffic;
} group_marks;

typedef struct loader {
  const char *path; /* as given, for messages */
  const char *buf;  /* the file's bytes, for reader-error offsets */
  gsize len;
  yaml_document_t *doc;
  ks_scenario *sc;
  const ks_limits *lim;
  GHashTable *link_of_pair; /* "a b" host indices -> link index + 1 */
  /* Each section's names -> index + 1, so that a reference is found in
   * constant time however many hosts or groups there are. */
  GHashTable *host_index, *link_index, *mbox_index, *group_index;
  guint *island;       /* per host: a representative of the hosts it reaches by links */
  GArray *group_marks; /* group_marks, per group: where its load is named */
  double *ka_per_s;    /* per group: keep-alive exchanges per second per connection */
  char **sets;         /* --set assignments, as given */
  GArray *undo;        /* set_path's changes to the document, to take back (doc_change) */
  GError **error;
} loader;

/* A node that a --set put in the document carries, instead of a place in
 * the file, the assignment's index in its mark's line, from SET_LINE up:
 * a problem the loader finds in it names the assignment, not the file.
 * No file the loader reads has that many lines. */
#define SET_LINE ((size_t)1 << 30)

/* Sets the loader's one error code with `msg`, its control characters
 * escaped (ks_escape). */
static void set_error(GError **error, const char *msg) {
  g_autofree char *shown = ks_escape(msg);
  g_set_error_literal(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID, shown);
}

G_GNUC_PRINTF(3, 4)
static gboolean fail_at(loader *L, const yaml_mark_t *m, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* Keys and values are echoed: a newline or a terminal's escape codes in
   * them must not reach the terminal as such. */
  char *full;
  if (m->line >= SET_LINE)
    full = g_strdup_printf("--set %s: %s", L->sets[m->line - SET_LINE], msg);
  else
    full = g_strdup_printf("%s:%zu:%zu: %s", L->path, m->line + 1, m->column + 1, msg);
  set_error(L->error, full);
  g_free(full);
  g_free(msg);
  return FALSE;
}

#define fail(L, n, ...) fail_at((L), &(n)->start_mark, __VA_ARGS__)

G_GNUC_PRINTF(3, 4)
static gboolean fail_set(loader *L, const char *assignment, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_autofree char *full = g_strdup_printf("--set %s: %s", assignment, msg);
  set_error(L->error, full);
  g_free(msg);
  return FALSE;
}

/* A limit of ks_limits.h was passed at `m`: the message names the limit
 * and how to raise it. */
G_GNUC_PRINTF(4, 5)
static gboolean fail_limit(loader *L, const yaml_mark_t *m, const char *name, const char *fmt,
                           ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_autofree char *hint = ks_limits_hint(name);
  return fail_at(L, m, "%s (the limit %s; %s)", msg, name, hint);
}

static yaml_node_t *node(loader *L, int id) { return yaml_document_get_node(L->doc, id); }
static const char *text(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static gboolean is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return FALSE;
  const char *t = text(n);
  return *t == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
         strcmp(t, "NULL") == 0;
}

/* "a mapping", "a list", "nothing", "'abc'"; free it. */
static char *describe(const yaml_node_t *n) {
  switch (n->type) {
  case YAML_MAPPING_NODE: return g_strdup("a mapping");
  case YAML_SEQUENCE_NODE: return g_strdup("a list");
  default: return is_null(n) ? g_strdup("nothing (null)") : g_strdup_printf("'%s'", text(n));
  }
}

static gboolean expect_map(loader *L, const yaml_node_t *n, const char *what) {
  if (n->type == YAML_MAPPING_NODE)
    return TRUE;
  g_autofree char *got = describe(n);
  return fail(L, n, "%s must be a mapping (KEY: VALUE, ...), not %s", what, got);
}

static gboolean expect_seq(loader *L, const yaml_node_t *n, const char *what) {
  if (n->type == YAML_SEQUENCE_NODE)
    return TRUE;
  g_autofree char *got = describe(n);
  return fail(L, n, "%s must be a list (- ...), not %s", what, got);
}

/* A non-null scalar. */
static gboolean expect_scalar(loader *L, const yaml_node_t *n, const char *what) {
  if (n->type == YAML_SCALAR_NODE && !is_null(n))
    return TRUE;
  g_autofree char *got = describe(n);
  return fail(L, n, "%s must be a single value, not %s", what, got);
}

static char *join(const char *const *names) {
  GString *s = g_string_new(NULL);
  for (size_t i = 0; names[i]; i++)
    g_string_append_printf(s, "%s%s", i ? ", " : "", names[i]);
  return g_string_free(s, FALSE);
}

/* Every key of `map` is a scalar, appears once and, when `allowed` is not
 * NULL, is one of allowed[] (NULL-terminated).  `nocase` for names that are
 * case-insensitive (registry values, socket options). */
static gboolean check_keys(loader *L, const yaml_node_t *map, const char *const *allowed,
                           const char *where, gboolean nocase) {
  /* Keys already seen: compared one by one in a small mapping, looked up
   * in a hash set in a large one, so that a file of 200,000 hosts is
   * checked in linear time.  Case-insensitive names go in folded. */
  enum { SMALL = 8 };
  gsize n = (gsize)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
  g_autoptr(GHashTable)
    seen = n > SMALL ? g_hash_table_new_full(g_str_hash, g_str_equal, nocase ? g_free : NULL, NULL)
                     : NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(L, p->key);
    if (k->type != YAML_SCALAR_NODE || is_null(k)) {
      g_autofree char *got = describe(k);
      return fail(L, k, "a key in %s must be a name, not %s", where, got);
    }
    if (allowed) {
      size_t i;
      for (i = 0; allowed[i]; i++)
        if (strcmp(allowed[i], text(k)) == 0)
          break;
      if (allowed[i] == NULL) {
        g_autofree char *list = join(allowed);
        return fail(L, k, "unknown key '%s' in %s (allowed: %s)", text(k), where, list);
      }
    }
    gboolean twice = FALSE;
    if (seen) {
      char *key = nocase ? g_ascii_strdown(text(k), -1) : (char *)text(k);
      twice = !g_hash_table_add(seen, key);
    } else {
      for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p && !twice; q++) {
        const char *prev = text(node(L, q->key));
        twice = nocase ? g_ascii_strcasecmp(prev, text(k)) == 0 : strcmp(prev, text(k)) == 0;
      }
    }
    if (twice)
      return fail(L, k, "'%s' is given twice in %s", text(k), where);
  }
  return TRUE;
}

/* The value of `key` in a checked mapping, or NULL. */
static yaml_node_t *get(loader *L, const yaml_node_t *map, const char *key) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
    if (strcmp(text(node(L, p->key)), key) == 0)
      return node(L, p->value);
  return NULL;
}

static yaml_node_t *require(loader *L, const yaml_node_t *map, const yaml_node_t *anchor,
                            const char *key, const char *where) {
  yaml_node_t *v = get(L, map, key);
  if (v == NULL)
    fail(L, anchor, "%s needs '%s'", where, key);
  return v;
}

/* "3650d", "90s", "1500ns": the largest unit that divides it. */
static char *format_duration(ka_time t) {
  for (size_t u = G_N_ELEMENTS(duration_units); u-- > 0;)
    if ((guint64)t % duration_units[u].scale == 0)
      return g_strdup_printf("%" G_GUINT64_FORMAT "%s", (guint64)t / duration_units[u].scale,
                             duration_units[u].suffix);
  return g_strdup_printf("%" G_GINT64_FORMAT "ns", t);
}

static gboolean get_duration(loader *L, const yaml_node_t *n, const char *what, gboolean allow_zero,
                             ka_time *out) {
  if (n->type != YAML_SCALAR_NODE || is_null(n)) {
    g_autofree char *got = describe(n);
    return fail(L, n, "%s must be a duration such as 350s, 4m or 1.5h, not %s", what, got);
  }
  const char *t = text(n);
  switch (parse_duration(t, out)) {
  case QTY_OK:
    if (*out == 0 && !allow_zero)
      return fail(L, n, "%s must be more than 0", what);
    /* No time of the scenario is longer than its longest virtual time, so
     * that any two or three of them add up within the clock. */
    if ((guint64)*out > (guint64)L->lim->duration) {
      g_autofree char *max = format_duration(L->lim->duration);
      return fail_limit(L, &n->start_mark, "duration", "%s: '%s' is longer than %s", what, t, max);
    }
    return TRUE;
  case QTY_NO_UNIT:
    return fail(L, n, "%s: '%s' has no unit; a duration needs a unit: ms, s, m, h or d (e.g. %ss)",
                what, t, t);
  case QTY_NOT_WHOLE: return fail(L, n, "%s: '%s' is not a whole number of nanoseconds", what, t);
  case QTY_OVERFLOW: {
    g_autofree char *max = format_duration(L->lim->duration);
    return fail_limit(L, &n->start_mark, "duration",
                      "%s: '%s' is longer than %s (and than a 64-bit nanosecond clock holds)", what,
                      t, max);
  }
  default:
    if (t[0] == '-')
      return fail(L, n, "%s: '%s' is negative; a duration is 0 or more", what, t);
    if (is_bare_number(t))
      return fail(L, n, "%s: '%s' has no unit; a duration needs a unit: ms, s, m, h or d", what, t);
    return fail(L, n,
                "%s: '%s' is not a duration (a number with ns, us, ms, s, m, h or d, such "
                "as 350s, 4m, 1.5h or 1h30m)",
                what, t);
  }
}

static gboolean get_uint(loader *L, const yaml_node_t *n, const char *what, guint64 min,
                         guint64 max, guint64 *out) {
  if (!expect_scalar(L, n, what))
    return FALSE;
  const char *t = text(n);
  if (t[0] == '-' && g_ascii_string_to_signed(t, 10, G_MININT64, -1, NULL, NULL))
    return fail(L, n, "%s: %s is negative; it must be at least %" G_GUINT64_FORMAT, what, t, min);
  guint64 v;
  if (!g_ascii_string_to_unsigned(t, 10, 0, G_MAXUINT64, &v, NULL))
    return fail(L, n, "%s: '%s' is not a whole number", what, t);
  if (v < min)
    return fail(L, n, "%s: %s is too small; it must be at least %" G_GUINT64_FORMAT, what, t, min);
  if (v > max)
    return fail(L, n, "%s: %s is too large; it must be at most %" G_GUINT64_FORMAT, what, t, max);
  *out = v;
  return TRUE;
}

/* A number in [lo, hi], each end open or closed. */
static gboolean get_number(loader *L, const yaml_node_t *n, const char *what, double lo,
                           gboolean lo_open, double hi, gboolean hi_open, double *out) {
  if (!expect_scalar(L, n, what))
    return FALSE;
  const char *t = text(n);
  char *end;
  double v = g_ascii_strtod(t, &end);
  if (end == t || *end != '\0' || !isfinite(v))
    return fail(L, n, "%s: '%s' is not a number", what, t);
  if (v < lo || (lo_open && v == lo) || v > hi || (hi_open && v == hi))
    return fail(L, n, "%s: %s is outside %s%g, %g%s", what, t, lo_open ? "(" : "[", lo, hi,
                hi_open ? ")" : "]");
  *out = v;
  return TRUE;
}

static gboolean get_text(loader *L, const yaml_node_t *n, const char *what, const char **out) {
  if (!expect_scalar(L, n, what))
    return FALSE;
  *out = text(n);
  return TRUE;
}

/* One of choices[] (NULL-terminated); *out is its index. */
static gboolean get_choice(loader *L, const yaml_node_t *n, const char *what,
                           const char *const *choices, int *out) {
  if (!expect_scalar(L, n, what))
    return FALSE;
  for (int i = 0; choices[i]; i++)
    if (strcmp(choices[i], text(n)) == 0) {
      *out = i;
      return TRUE;
    }
  g_autofree char *list = join(choices);
  return fail(L, n, "%s: unknown value '%s' (one of: %s)", what, text(n), list);
}

/* A scalar as text for the model, with YAML 1.1 booleans as 1 and 0. */
static const char *value_text(const yaml_node_t *n) {
  static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char *const no[] = {"false", "False", "FALSE", "no", "No",
                                   "NO",    "off",   "Off",   "OFF"};
  if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
      if (strcmp(text(n), yes[i]) == 0)
        return "1";
      if (strcmp(text(n), no[i]) == 0)
        return "0";
    }
  }
  return text(n);
}

/* Every spec struct starts with its name. */
static const char *name_of(gconstpointer spec) { return *(char *const *)spec; }

/* The names in `arr`, the first 20 of them when there are more: a
 * message stays one readable line. */
static char *names_of(const GPtrArray *arr) {
  enum { SHOWN = 20 };
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < arr->len && i < SHOWN; i++)
    g_string_append_printf(s, "%s%s", i ? ", " : "", name_of(arr->pdata[i]));
  if (arr->len > SHOWN)
    g_string_append_printf(s, ", ... (%u in all)", arr->len);
  return g_string_free(s, FALSE);
}

/* A section (a mapping, or the groups' list) holds at most `max` entries:
 * the first one past it is named. */
static gboolean check_count(loader *L, const yaml_node_t *n, guint64 max, const char *limit,
                            const char *what) {
  gsize len;
  const yaml_node_t *past;
  if (n->type == YAML_MAPPING_NODE) {
    len = (gsize)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    past = len > max ? node(L, n->data.mapping.pairs.start[max].key) : NULL;
  } else {
    len = (gsize)(n->data.sequence.items.top - n->data.sequence.items.start);
    past = len > max ? node(L, n->data.sequence.items.start[max]) : NULL;
  }
  if (past == NULL)
    return TRUE;
  return fail_limit(L, &past->start_mark, limit, "%s: %zu of them, more than %" G_GUINT64_FORMAT,
                    what, len, max);
}

/* Names of hosts, links, middleboxes and groups are printed as they are
 * (the run's report, the live mode, plots), so they may hold no character
 * a terminal acts on: what ks_escape would change. */
static gboolean check_name(loader *L, const yaml_node_t *n, const char *what) {
  g_autofree char *shown = ks_escape(text(n));
  if (strcmp(shown, text(n)) == 0)
    return TRUE;
  return fail(L, n,
              "%s name '%s' holds a control character or invalid UTF-8; names are printed "
              "as they are",
              what, shown);
}

/* The name index of a section's array. */
static GHashTable *index_of(loader *L, const GPtrArray *arr) {
  return arr == L->sc->hosts    ? L->host_index
         : arr == L->sc->links  ? L->link_index
         : arr == L->sc->groups ? L->group_index
                                : L->mbox_index;
}

/* Appends `spec` (whose name is set) to its section and indexes its name. */
static void add_named(loader *L, GPtrArray *arr, gpointer spec) {
  g_ptr_array_add(arr, spec);
  g_hash_table_insert(index_of(L, arr), (gpointer)name_of(spec), GUINT_TO_POINTER(arr->len));
}

static int find_named(loader *L, const GPtrArray *arr, const char *name) {
  return (int)GPOINTER_TO_UINT(g_hash_table_lookup(index_of(L, arr), name)) - 1;
}

/* A name that must be in `arr` ("host", "link", "middlebox"). */
static gboolean get_ref(loader *L, const yaml_node_t *n, const char *what, const GPtrArray *arr,
                        const char *kind, guint *out) {
  if (!expect_scalar(L, n, what))
    return FALSE;
  int i = find_named(L, arr, text(n));
  if (i < 0) {
    g_autofree char *list = names_of(arr);
    return fail(L, n, "%s: unknown %s '%s' (%s%s here: %s)", what, kind, text(n), kind,
                g_str_has_suffix(kind, "x") ? "es" : "s", arr->len ? list : "none");
  }
  *out = (guint)i;
  return TRUE;
}

/* ---- freeing ----------------------------------------------------------- */

static void host_free(gpointer p) {
  ks_host_spec *h = p;
  g_free(h->name);
  if (h->params)
    ka_params_free(h->params);
  if (h->notes)
    g_ptr_array_unref(h->notes);
  g_free(h);
}

static void link_free(gpointer p) {
  ks_link_spec *l = p;
  g_free(l->name);
  g_free(l);
}

static void middlebox_free(gpointer p) {
  ks_middlebox_spec *m = p;
  g_free(m->name);
  g_free(m->kind);
  g_free(m);
}

static void sockopt_clear(gpointer p) {
  ks_sockopt_spec *o = p;
  g_free(o->name);
  g_free(o->value);
}

static void group_free(gpointer p) {
  ks_group_spec *g = p;
  g_free(g->name);
  if (g->sockopts)
    g_array_unref(g->sockopts);
  g_free(g);
}

void ks_scenario_free(ks_scenario *sc) {
  if (sc == NULL)
    return;
  g_free(sc->path);
  g_free(sc->name);
  g_free(sc->description);
  g_ptr_array_unref(sc->hosts);
  g_ptr_array_unref(sc->links);
  g_ptr_array_unref(sc->middleboxes);
  g_ptr_array_unref(sc->groups);
  g_array_unref(sc->events);
  g_free(sc);
}

/* ---- top level --------------------------------------------------------- */

/* The scenario's name becomes a folder (out/NAME), so it is kept simple. */
static gboolean valid_name(const char *s) {
  if (!g_ascii_isalnum(*s))
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_' && *s != '.')
      return FALSE;
  return TRUE;
}

static char *default_name(const char *path) {
  char *base = g_path_get_basename(path);
  char *dot = strrchr(base, '.');
  if (dot && dot != base && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
    *dot = '\0';
  return base;
}

/* ---- hosts ------------------------------------------------------------- */

static gboolean load_registry(loader *L, ks_host_spec *h, const yaml_node_t *v) {
  const char *rel;
  if (!get_text(L, v, "registry", &rel))
    return FALSE;
  if (!ka_profile_is_windows(h->profile))
    return fail(L, v,
                "registry: host '%s' runs %s, which has no registry; use settings for its "
                "sysctls",
                h->name, ka_profile_name(h->profile));
  char *file;
  if (g_path_is_absolute(rel)) {
    file = g_strdup(rel);
  } else {
    char *dir = g_path_get_dirname(L->path);
    file = strcmp(dir, ".") == 0 ? g_strdup(rel) : g_build_filename(dir, rel, NULL);
    g_free(dir);
  }
  char *data = NULL;
  gsize len = 0;
  GError *e = NULL;
  /* Read no more than the limit: registry: /dev/zero fails at once. */
  data = ks_read_file_limited(file, L->lim->reg_bytes, "reg_bytes", &len, &e);
  gboolean ok = data != NULL;
  if (!ok && g_error_matches(e, KS_LIMITS_ERROR, KS_LIMITS_ERROR_READ))
    fail(L, v, "registry: cannot read %s: %s", file, e->message);
  else if (!ok)
    fail(L, v, "registry: %s", e->message);
  else if (!ka_reg_apply(h->params, file, (const guint8 *)data, len, h->notes, &e))
    ok = fail(L, v, "registry: %s", e->message);
  g_clear_error(&e);
  g_free(data);
  g_free(file);
  return ok;
}

static gboolean load_settings(loader *L, ks_host_spec *h, const yaml_node_t *map) {
  if (!expect_map(L, map, "settings") || !check_keys(L, map, NULL, "settings", TRUE))
    return FALSE;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
    if (!expect_scalar(L, v, text(k)))
      return FALSE;
    GError *e = NULL;
    if (!ka_params_set(h->params, text(k), value_text(v), &e)) {
      gboolean unknown = g_error_matches(e, KA_PARAMS_ERROR, KA_PARAMS_ERROR_UNKNOWN_NAME);
      fail(L, unknown ? k : v, "settings: %s", e->message);
      g_error_free(e);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean load_hosts(loader *L, const yaml_node_t *map) {
  static const char *const keys[] = {"profile", "registry", "settings", NULL};
  if (!expect_map(L, map, "hosts") || !check_count(L, map, L->lim->hosts, "hosts", "hosts") ||
      !check_keys(L, map, NULL, "hosts", FALSE))
    return FALSE;
  if (map->data.mapping.pairs.start == map->data.mapping.pairs.top)
    return fail(L, map, "hosts: a scenario needs hosts (a client and a server at least)");
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
    g_autofree char *where = g_strdup_printf("host '%s'", text(k));
    if (!check_name(L, k, "a host"))
      return FALSE;
    if (!expect_map(L, v, where) || !check_keys(L, v, keys, where, FALSE))
      return FALSE;
    yaml_node_t *pn = require(L, v, k, "profile", where);
    const char *pname;
    if (pn == NULL || !get_text(L, pn, "profile", &pname))
      return FALSE;
    const ka_profile *prof = ka_profile_find(pname);
    if (prof == NULL)
      return fail(L, pn, "profile: unknown profile '%s' (profiles: %s)", pname, ka_profile_names());
    ks_host_spec *h = g_new0(ks_host_spec, 1);
    h->name = g_strdup(text(k));
    h->profile = prof;
    h->params = ka_params_new(prof);
    h->notes = g_ptr_array_new_with_free_func(g_free);
    add_named(L, L->sc->hosts, h);
    /* The registry file first, then settings over it. */
    yaml_node_t *reg = get(L, v, "registry"), *set = get(L, v, "settings");
    if (reg && !load_registry(L, h, reg))
      return FALSE;
    if (set && !load_settings(L, h, set))
      return FALSE;
  }
  return TRUE;
}

/* ---- links ------------------------------------------------------------- */

static char *pair_key(guint a, guint b) { return g_strdup_printf("%u %u", MIN(a, b), MAX(a, b)); }

static gboolean load_links(loader *L, const yaml_node_t *map) {
  static const char *const keys[] = {"between", "delay", "bandwidth", "loss", NULL};
  if (!expect_map(L, map, "links") || !check_count(L, map, L->lim->links, "links", "links") ||
      !check_keys(L, map, NULL, "links", FALSE))
    return FALSE;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
    g_autofree char *where = g_strdup_printf("link '%s'", text(k));
    if (!check_name(L, k, "a link"))
      return FALSE;
    if (!expect_map(L, v, where) || !check_keys(L, v, keys, where, FALSE))
      return FALSE;
    ks_link_spec *l = g_new0(ks_link_spec, 1);
    l->name = g_strdup(text(k));
    add_named(L, L->sc->links, l);

    yaml_node_t *bn = require(L, v, k, "between", where);
    if (bn == NULL || !expect_seq(L, bn, "between"))
      return FALSE;
    if (bn->data.sequence.items.top - bn->data.sequence.items.start != 2)
      return fail(L, bn, "between: a link joins exactly two hosts: [A, B]");
    yaml_node_t *an = node(L, bn->data.sequence.items.start[0]);
    yaml_node_t *bnn = node(L, bn->data.sequence.items.start[1]);
    if (!get_ref(L, an, "between", L->sc->hosts, "host", &l->a) ||
        !get_ref(L, bnn, "between", L->sc->hosts, "host", &l->b))
      return FALSE;
    if (l->a == l->b)
      return fail(L, bnn, "between: a link joins two different hosts, not '%s' with itself",
                  text(bnn));
    char *key = pair_key(l->a, l->b);
    gpointer prev = g_hash_table_lookup(L->link_of_pair, key);
    if (prev) {
      const ks_link_spec *o = L->sc->links->pdata[GPOINTER_TO_UINT(prev) - 1];
      g_free(key);
      return fail(L, bn,
                  "between: '%s' and '%s' are already joined by link '%s'; one link per "
                  "pair of hosts",
                  text(an), text(bnn), o->name);
    }
    g_hash_table_insert(L->link_of_pair, key, GUINT_TO_POINTER(L->sc->links->len));

    yaml_node_t *dn = require(L, v, k, "delay", where);
    if (dn == NULL || !get_duration(L, dn, "delay", TRUE, &l->delay))
      return FALSE;
    yaml_node_t *bw = get(L, v, "bandwidth");
    if (bw) {
      if (!expect_scalar(L, bw, "bandwidth"))
        return FALSE;
      qty_status st = parse_bandwidth(text(bw), &l->bandwidth_bps);
      if (st == QTY_NO_UNIT || (st == QTY_SYNTAX && is_bare_number(text(bw))))
        return fail(L, bw,
                    "bandwidth: '%s' has no unit; a bandwidth needs a unit: bit, kbit, "
                    "Mbit or Gbit (per second)",
                    text(bw));
      if (st == QTY_NOT_WHOLE)
        return fail(L, bw, "bandwidth: '%s' is not a whole number of bits per second", text(bw));
      if (st != QTY_OK)
        return fail(L, bw,
                    "bandwidth: '%s' is not a bandwidth such as 100Mbit, 1.5Gbit or "
                    "64kbit",
                    text(bw));
      if (l->bandwidth_bps == 0)
        return fail(L, bw, "bandwidth must be more than 0 (leave it out for no limit)");
    }
    yaml_node_t *ln = get(L, v, "loss");
    if (ln && !get_number(L, ln, "loss", 0, FALSE, 1, FALSE, &l->loss))
      return FALSE;
  }
  return TRUE;
}

/* The representative of host h's island (union-find, halving the path as
 * it goes). */
static guint island_of(guint *parent, guint h) {
  while (parent[h] != h) {
    parent[h] = parent[parent[h]];
    h = parent[h];
  }
  return h;
}

/* Which hosts can reach which: the engine routes a group over the fewest
 * links between its hosts, through other hosts if need be.  Union-find:
 * linear in the links whatever their order (a chain of links written
 * backwards took one pass per link before). */
static void find_islands(loader *L) {
  guint n = L->sc->hosts->len;
  L->island = g_new(guint, n ? n : 1);
  for (guint h = 0; h < n; h++)
    L->island[h] = h;
  for (guint i = 0; i < L->sc->links->len; i++) {
    const ks_link_spec *l = L->sc->links->pdata[i];
    guint a = island_of(L->island, l->a), b = island_of(L->island, l->b);
    L->island[MAX(a, b)] = MIN(a, b);
  }
  for (guint h = 0; h < n; h++)
    L->island[h] = island_of(L->island, h);
}

/* ---- middleboxes ------------------------------------------------------- */

/* Idle timeouts of established TCP flows, facts §6. */
typedef struct preset {
  const char *name, *kind;
  ka_time idle_timeout;
  ks_expiry_action on_expiry;
} preset;

static const preset presets[] = {
  {"aws-nat", "nat", KA_S(350), KS_EXPIRY_DROP},                 /* AWS NAT gateway */
  {"azure-lb", "load-balancer", KA_S(240), KS_EXPIRY_DROP},      /* 4 min, silent */
  {"azure-lb-rst", "load-balancer", KA_S(240), KS_EXPIRY_RST},   /* "TCP reset on idle" */
  {"azure-nat", "nat", KA_S(240), KS_EXPIRY_DROP},               /* Azure NAT gateway */
  {"gcp-nat", "nat", KA_S(1200), KS_EXPIRY_DROP},                /* Cloud NAT established */
  {"meraki", "nat", KA_S(300), KS_EXPIRY_DROP},                  /* Meraki NAT */
  {"rfc5382", "nat", KA_S(7440), KS_EXPIRY_DROP},                /* RFC 5382 floor */
  {"openwrt", "nat", KA_S(7440), KS_EXPIRY_DROP},                /* OpenWrt conntrack */
  {"linux-conntrack", "firewall", KA_S(432000), KS_EXPIRY_DROP}, /* 5 days */
};

static gboolean load_middleboxes(loader *L, const yaml_node_t *map) {
  static const char *const keys[] = {"preset", "kind", "link", "idle_timeout", "on_expiry", NULL};
  static const char *const kinds[] = {"nat", "firewall", "load-balancer", NULL};
  static const char *const actions[] = {"drop", "rst", NULL};
  if (!expect_map(L, map, "middleboxes") ||
      !check_count(L, map, L->lim->middleboxes, "middleboxes", "middleboxes") ||
      !check_keys(L, map, NULL, "middleboxes", FALSE))
    return FALSE;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
    g_autofree char *where = g_strdup_printf("middlebox '%s'", text(k));
    if (!check_name(L, k, "a middlebox"))
      return FALSE;
    if (!expect_map(L, v, where) || !check_keys(L, v, keys, where, FALSE))
      return FALSE;
    ks_middlebox_spec *m = g_new0(ks_middlebox_spec, 1);
    m->name = g_strdup(text(k));
    m->on_expiry = KS_EXPIRY_DROP;
    add_named(L, L->sc->middleboxes, m);

    const preset *pre = NULL;
    yaml_node_t *pn = get(L, v, "preset");
    if (pn) {
      if (!expect_scalar(L, pn, "preset"))
        return FALSE;
      for (size_t i = 0; i < G_N_ELEMENTS(presets); i++)
        if (strcmp(presets[i].name, text(pn)) == 0)
          pre = &presets[i];
      if (pre == NULL) {
        GString *list = g_string_new(NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(presets); i++)
          g_string_append_printf(list, "%s%s", i ? ", " : "", presets[i].name);
        fail(L, pn, "preset: unknown preset '%s' (presets: %s)", text(pn), list->str);
        g_string_free(list, TRUE);
        return FALSE;
      }
      m->kind = g_strdup(pre->kind);
      m->idle_timeout = pre->idle_timeout;
      m->on_expiry = pre->on_expiry;
    }
    yaml_node_t *kn = pre ? get(L, v, "kind") : require(L, v, k, "kind", where);
    int choice;
    if (!pre && kn == NULL)
      return FALSE;
    if (kn) {
      if (!get_choice(L, kn, "kind", kinds, &choice))
        return FALSE;
      g_free(m->kind);
      m->kind = g_strdup(kinds[choice]);
    }
    yaml_node_t *ln = require(L, v, k, "link", where);
    if (ln == NULL || !get_ref(L, ln, "link", L->sc->links, "link", &m->link))
      return FALSE;
    yaml_node_t *tn = pre ? get(L, v, "idle_timeout") : require(L, v, k, "idle_timeout", where);
    if (!pre && tn == NULL)
      return FALSE;
    if (tn && !get_duration(L, tn, "idle_timeout", FALSE, &m->idle_timeout))
      return FALSE;
    yaml_node_t *en = get(L, v, "on_expiry");
    if (en) {
      if (!get_choice(L, en, "on_expiry", actions, &choice))
        return FALSE;
      m->on_expiry = choice ? KS_EXPIRY_RST : KS_EXPIRY_DROP;
    }
  }
  return TRUE;
}

/* ---- groups ------------------------------------------------------------ */

static gboolean load_sockopts(loader *L, ks_group_spec *g, const yaml_node_t *map) {
  if (!expect_map(L, map, "sockopts") || !check_keys(L, map, NULL, "sockopts", TRUE))
    return FALSE;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
    if (!ks_sockopt_is_known(text(k)))
      return fail(L, k,
                  "sockopts: unknown socket option '%s' (known: SO_KEEPALIVE, TCP_KEEPIDLE, "
                  "TCP_KEEPALIVE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, "
                  "SIO_KEEPALIVE_VALS)",
                  text(k));
    ks_sockopt_spec o = {.line = (int)v->start_mark.line + 1,
                         .column = (int)v->start_mark.column + 1};
    if (v->type == YAML_SEQUENCE_NODE) { /* SIO_KEEPALIVE_VALS: [1, 30000, 1000] */
      /* Checked before the values are joined: an alias to a long list,
       * used by every group, must not cost its length each time. */
      gsize items = (gsize)(v->data.sequence.items.top - v->data.sequence.items.start);
      if (items > 3)
        return fail(L, v,
                    "%s: a list of %zu values; a socket option takes at most 3 "
                    "(SIO_KEEPALIVE_VALS: [onoff, keepalivetime_ms, keepaliveinterval_ms])",
                    text(k), items);
      GString *s = g_string_new(NULL);
      for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
           i++) {
        yaml_node_t *item = node(L, *i);
        if (!expect_scalar(L, item, text(k))) {
          g_string_free(s, TRUE);
          return FALSE;
        }
        g_string_append_printf(s, "%s%s", s->len ? "," : "", value_text(item));
      }
      o.value = g_string_free(s, FALSE);
    } else {
      if (!expect_scalar(L, v, text(k)))
        return FALSE;
      o.value = g_strdup(value_text(v));
    }
    o.name = g_ascii_strup(text(k), -1);
    g_array_append_val(g->sockopts, o);
  }
  return TRUE;
}

static gboolean load_traffic(loader *L, ks_group_spec *g, const yaml_node_t *v) {
  static const char *const kinds[] = {"idle", "periodic", "bulk", NULL};
  static const char *const idle_keys[] = {"kind", NULL};
  static const char *const periodic_keys[] = {"kind",  "period", "request", "response",
                                              "start", "stop",   NULL};
  static const char *const bulk_keys[] = {"kind", "segment", "start", "stop", NULL};
  static const char *const *const keys_of[] = {idle_keys, periodic_keys, bulk_keys};
  g->traffic = KS_TRAFFIC_IDLE;
  g->traffic_start = 0;
  g->traffic_stop = KA_TIME_NEVER;
  int kind;
  const yaml_node_t *map = NULL;
  if (v->type == YAML_SCALAR_NODE) { /* traffic: idle */
    if (!get_choice(L, v, "traffic", kinds, &kind))
      return FALSE;
  } else {
    if (!expect_map(L, v, "traffic"))
      return FALSE;
    yaml_node_t *kn = require(L, v, v, "kind", "traffic");
    if (kn == NULL || !get_choice(L, kn, "kind", kinds, &kind))
      return FALSE;
    g_autofree char *where = g_strdup_printf("%s traffic", kinds[kind]);
    if (!check_keys(L, v, keys_of[kind], where, FALSE))
      return FALSE;
    map = v;
  }
  g->traffic = (ks_traffic_kind)kind;
  guint64 u;
  yaml_node_t *n;
  switch (g->traffic) {
  case KS_TRAFFIC_PERIODIC:
    n = map ? get(L, map, "period") : NULL;
    if (n == NULL)
      return fail(L, v, "periodic traffic needs 'period'");
    g_array_index(L->group_marks, group_marks, L->group_marks->len - 1).traffic = n->start_mark;
    if (!get_duration(L, n, "period", FALSE, &g->period))
      return FALSE;
    g->request_bytes = 100;
    g->response_bytes = 100;
    if ((n = get(L, map, "request")) != NULL) {
      if (!get_uint(L, n, "request", 1, G_MAXUINT32, &u))
        return FALSE;
      g->request_bytes = (guint32)u;
    }
    if ((n = get(L, map, "response")) != NULL) {
      if (!get_uint(L, n, "response", 0, G_MAXUINT32, &u))
        return FALSE;
      g->response_bytes = (guint32)u;
    }
    break;
  case KS_TRAFFIC_BULK:
    g_array_index(L->group_marks, group_marks, L->group_marks->len - 1).traffic = v->start_mark;
    g->request_bytes = 1460;
    if (map && (n = get(L, map, "segment")) != NULL) {
      if (!get_uint(L, n, "segment", 1, 65535, &u))
        return FALSE;
      g->request_bytes = (guint32)u;
    }
    break;
  default: return TRUE;
  }
  if (map == NULL)
    return TRUE;
  yaml_node_t *sn = get(L, map, "start"), *en = get(L, map, "stop");
  if (sn) {
    if (!get_duration(L, sn, "start", TRUE, &g->traffic_start))
      return FALSE;
    if (g->traffic_start > L->sc->duration)
      return fail(L, sn, "start: the traffic would start after the scenario ends (duration)");
  }
  if (en) {
    if (!get_duration(L, en, "stop", TRUE, &g->traffic_stop))
      return FALSE;
    if (g->traffic_stop <= g->traffic_start)
      return fail(L, en, "stop: the traffic must stop after it starts");
  }
  return TRUE;
}

static gboolean load_group(loader *L, const yaml_node_t *v, guint64 *total) {
  static const char *const keys[] = {"name",      "count",    "client",     "server",
                                     "keepalive", "sockopts", "connect_at", "connect_spread",
                                     "traffic",   NULL};
  static const char *const sides[] = {"client", "server", "both", NULL};
  if (!expect_map(L, v, "a group") || !check_keys(L, v, keys, "a group", FALSE))
    return FALSE;
  ks_group_spec *g = g_new0(ks_group_spec, 1);
  g->sockopts = g_array_new(FALSE, TRUE, sizeof(ks_sockopt_spec));
  g_array_set_clear_func(g->sockopts, sockopt_clear);
  g->count = 1;
  g->keepalive = KS_KEEPALIVE_CLIENT;
  g->traffic_stop = KA_TIME_NEVER;
  g_ptr_array_add(L->sc->groups, g);
  group_marks gm = {.group = v->start_mark, .traffic = v->start_mark};
  g_array_append_val(L->group_marks, gm);

  yaml_node_t *n = require(L, v, v, "name", "a group");
  const char *name;
  if (n == NULL || !get_text(L, n, "name", &name))
    return FALSE;
  if (!check_name(L, n, "a group"))
    return FALSE;
  if (find_named(L, L->sc->groups, name) >= 0)
    return fail(L, n, "name: there is already a group '%s'", name);
  g->name = g_strdup(name);
  g_hash_table_insert(L->group_index, g->name, GUINT_TO_POINTER(L->sc->groups->len));
  g_autofree char *where = g_strdup_printf("group '%s'", name);

  guint64 u;
  if ((n = get(L, v, "count")) != NULL) {
    if (!get_uint(L, n, "count", 1, G_MAXUINT64, &u))
      return FALSE;
    /* Both below 2^64: u is, and *total is at most the limit, < 2^32. */
    if (u > L->lim->connections || *total + u > L->lim->connections)
      return fail_limit(L, &n->start_mark, "connections",
                        "count: %s connections%s, more than %" G_GUINT64_FORMAT
                        " connections in all",
                        text(n), *total ? " with the groups before" : "", L->lim->connections);
    g->count = (guint)u;
  }
  if (*total + g->count > L->lim->connections)
    return fail_limit(L, &v->start_mark, "connections",
                      "a group: more than %" G_GUINT64_FORMAT " connections in all",
                      L->lim->connections);
  *total += g->count;
  yaml_node_t *cn = require(L, v, v, "client", where);
  if (cn == NULL || !get_ref(L, cn, "client", L->sc->hosts, "host", &g->client))
    return FALSE;
  yaml_node_t *sn = require(L, v, v, "server", where);
  if (sn == NULL || !get_ref(L, sn, "server", L->sc->hosts, "host", &g->server))
    return FALSE;
  if (g->client == g->server)
    return fail(L, sn, "server: the client and the server must be different hosts");
  if (L->island[g->client] != L->island[g->server])
    return fail(L, sn, "server: no path of links joins '%s' and '%s'", text(cn), text(sn));
  int side;
  if ((n = get(L, v, "keepalive")) != NULL) {
    if (!get_choice(L, n, "keepalive", sides, &side))
      return FALSE;
    g->keepalive = (ks_keepalive_side)(side + 1);
  }
  if ((n = get(L, v, "sockopts")) != NULL && !load_sockopts(L, g, n))
    return FALSE;
  yaml_node_t *an = get(L, v, "connect_at");
  if (an && !get_duration(L, an, "connect_at", TRUE, &g->connect_at))
    return FALSE;
  yaml_node_t *spn = get(L, v, "connect_spread");
  if (spn && !get_duration(L, spn, "connect_spread", TRUE, &g->connect_spread))
    return FALSE;
  if (g->connect_at > L->sc->duration || g->connect_spread > L->sc->duration - g->connect_at)
    return fail(L, spn ? spn : an,
                "%s: the connections would be made after the scenario ends "
                "(connect_at + connect_spread > duration)",
                spn ? "connect_spread" : "connect_at");
  if ((n = get(L, v, "traffic")) != NULL && !load_traffic(L, g, n))
    return FALSE;
  return TRUE;
}

static gboolean load_groups(loader *L, const yaml_node_t *seq) {
  if (!expect_seq(L, seq, "groups") || !check_count(L, seq, L->lim->groups, "groups", "groups"))
    return FALSE;
  if (seq->data.sequence.items.start == seq->data.sequence.items.top)
    return fail(L, seq, "groups: a scenario needs at least one group of connections");
  guint64 total = 0;
  for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++)
    if (!load_group(L, node(L, *i), &total))
      return FALSE;
  return TRUE;
}

/* ---- timeline ---------------------------------------------------------- */

/* A timeline entry's actions: every event kind of ks_net.h by its name,
 * and "flap", which the loader expands into link_down/link_up pairs, in
 * the order messages list them.  kind_of[i] is the action's kind, -1 for
 * flap; `names` ends with NULL. */
enum { N_ACTIONS = KS_EV_COUNT_ + 1 };
static void timeline_actions(const char *names[N_ACTIONS + 1], int kind_of[N_ACTIONS]) {
  guint n = 0;
  for (guint k = 0; k < KS_EV_COUNT_; k++) {
    kind_of[n] = (int)k;
    names[n++] = ks_net_event_name(k);
    if (k == KS_EV_LINK_UP) {
      kind_of[n] = -1;
      names[n++] = "flap";
    }
  }
  names[n] = NULL;
}

static void add_event(loader *L, const ks_event_spec *ev) {
  g_array_append_val(L->sc->events, *ev);
}

/* Room for `more` events in all, aliases and flaps included: a file of a
 * few kilobytes can otherwise ask for billions (2,999 aliases to one long
 * flap). */
static gboolean room_for_events(loader *L, const yaml_node_t *n, guint64 more) {
  guint64 have = L->sc->events->len;
  if (more <= L->lim->events && have <= L->lim->events - more)
    return TRUE;
  return fail_limit(L, &n->start_mark, "events",
                    "the timeline would hold %" G_GUINT64_FORMAT " events after flaps are "
                    "expanded, more than %" G_GUINT64_FORMAT,
                    have + MIN(more, G_MAXUINT32), L->lim->events);
}

/* a + b for times of the scenario (both >= 0), saturating at
 * KA_TIME_NEVER instead of wrapping. */
static ka_time time_add(ka_time a, ka_time b) {
  return b > KA_TIME_NEVER - a ? KA_TIME_NEVER : a + b;
}

static gboolean check_time(loader *L, const yaml_node_t *n, ka_time t) {
  if (t > L->sc->duration)
    return fail(L, n, "this would happen after the scenario ends (duration); it would never run");
  return TRUE;
}

static gboolean load_flap(loader *L, const yaml_node_t *v, ks_event_spec *ev) {
  static const char *const keys[] = {"link", "period", "duty", "duration", NULL};
  if (!expect_map(L, v, "flap") || !check_keys(L, v, keys, "flap", FALSE))
    return FALSE;
  yaml_node_t *ln = require(L, v, v, "link", "flap");
  if (ln == NULL || !get_ref(L, ln, "link", L->sc->links, "link", &ev->target))
    return FALSE;
  ka_time period, length;
  double duty;
  yaml_node_t *pn = require(L, v, v, "period", "flap");
  if (pn == NULL || !get_duration(L, pn, "period", FALSE, &period))
    return FALSE;
  yaml_node_t *dn = require(L, v, v, "duty", "flap");
  if (dn == NULL || !get_number(L, dn, "duty", 0, TRUE, 1, TRUE, &duty))
    return FALSE;
  yaml_node_t *tn = require(L, v, v, "duration", "flap");
  if (tn == NULL || !get_duration(L, tn, "duration", FALSE, &length))
    return FALSE;
  /* duty < 1 and period < 2^63: the product stays below 2^63 in double
   * too, and is compared before it is converted. */
  double down_ns = floor(duty * (double)period + 0.5);
  if (!(down_ns >= 1) || !(down_ns < (double)period))
    return fail(L, dn, "duty: %g of %" G_GINT64_FORMAT " ns rounds to no down or no up time", duty,
                period);
  ka_time down = (ka_time)down_ns;
  guint64 cycles = (guint64)(length / period) + (length % period != 0);
  if (cycles > MAX_FLAP_CYCLES)
    return fail(L, pn, "period: %" G_GUINT64_FORMAT " cycles in the flap's duration; at most %u",
                cycles, MAX_FLAP_CYCLES);
  ka_time start = ev->at; /* at most the scenario's duration, checked */
  if (length > L->sc->duration - start)
    return fail(L, tn, "duration: the flap would go on after the scenario ends");
  if (!room_for_events(L, v, 2 * cycles))
    return FALSE;
  /* Down for duty*period at the start of each period; the link is up again
   * when the flap ends.  end = start + length <= duration, checked above;
   * c * period < length for every cycle, so t < end; t + down saturates
   * rather than wrap before MIN brings it back to end. */
  ka_time end = start + length;
  for (guint64 c = 0; c < cycles; c++) {
    ka_time t = start + (ka_time)c * period;
    ev->at = t;
    ev->kind = KS_EV_LINK_DOWN;
    add_event(L, ev);
    ev->at = MIN(time_add(t, down), end);
    ev->kind = KS_EV_LINK_UP;
    add_event(L, ev);
  }
  return TRUE;
}

static gboolean load_event(loader *L, const yaml_node_t *v) {
  static const char *const dirs[] = {"both", "a_to_b", "b_to_a", NULL};
  static const char *const loss_keys[] = {"link", "rate", NULL};
  static const char *const mbox_keys[] = {"middlebox", "idle_timeout", NULL};
  const char *actions[N_ACTIONS + 1];
  int kind_of[N_ACTIONS];
  timeline_actions(actions, kind_of);
  const char *keys[N_ACTIONS + 3] = {"at", "direction"};
  memcpy(keys + 2, actions, sizeof actions);
  if (!expect_map(L, v, "a timeline entry") || !check_keys(L, v, keys, "a timeline entry", FALSE))
    return FALSE;
  int action = -1;
  yaml_node_t *an = NULL;
  for (int i = 0; actions[i]; i++) {
    yaml_node_t *n = get(L, v, actions[i]);
    if (n == NULL)
      continue;
    if (action >= 0)
      return fail(L, n, "a timeline entry does one thing: both '%s' and '%s' are given",
                  actions[action], actions[i]);
    action = i;
    an = n;
  }
  if (action < 0) {
    g_autofree char *list = join(actions);
    return fail(L, v, "a timeline entry needs one of: %s", list);
  }
  ks_event_spec ev = {.line = (int)v->start_mark.line + 1};
  yaml_node_t *at = require(L, v, v, "at", "a timeline entry");
  if (at == NULL || !get_duration(L, at, "at", TRUE, &ev.at) || !check_time(L, at, ev.at))
    return FALSE;
  int kind = kind_of[action];
  yaml_node_t *dn = get(L, v, "direction");
  if (dn) {
    if (kind >= 0 && !ks_net_event_has_direction((ks_event_kind)kind))
      return fail(L, dn, "direction: only link_down, link_up and flap have a direction");
    int d;
    if (!get_choice(L, dn, "direction", dirs, &d))
      return FALSE;
    ev.direction = (ks_direction)d;
  }
  if (kind < 0)
    return load_flap(L, an, &ev);
  ev.kind = (ks_event_kind)kind;
  if (ks_net_event_is_bare(ev.kind)) {
    static const char *const what[] =
      {[KS_TARGET_LINK] = "link", [KS_TARGET_HOST] = "host", [KS_TARGET_MIDDLEBOX] = "middlebox"};
    ks_event_target tk = ks_net_event_target(ev.kind);
    GPtrArray *targets = tk == KS_TARGET_LINK   ? L->sc->links
                         : tk == KS_TARGET_HOST ? L->sc->hosts
                                                : L->sc->middleboxes;
    if (!get_ref(L, an, actions[action], targets, what[tk], &ev.target))
      return FALSE;
  } else if (ev.kind == KS_EV_LOSS) {
    if (!expect_map(L, an, "loss") || !check_keys(L, an, loss_keys, "loss", FALSE))
      return FALSE;
    yaml_node_t *ln = require(L, an, an, "link", "loss");
    if (ln == NULL || !get_ref(L, ln, "link", L->sc->links, "link", &ev.target))
      return FALSE;
    yaml_node_t *rn = require(L, an, an, "rate", "loss");
    if (rn == NULL || !get_number(L, rn, "rate", 0, FALSE, 1, FALSE, &ev.rate))
      return FALSE;
  } else {
    g_assert(ev.kind == KS_EV_MIDDLEBOX_TIMEOUT);
    if (!expect_map(L, an, "middlebox_timeout") ||
        !check_keys(L, an, mbox_keys, "middlebox_timeout", FALSE))
      return FALSE;
    yaml_node_t *mn = require(L, an, an, "middlebox", "middlebox_timeout");
    if (mn == NULL || !get_ref(L, mn, "middlebox", L->sc->middleboxes, "middlebox", &ev.target))
      return FALSE;
    yaml_node_t *tn = require(L, an, an, "idle_timeout", "middlebox_timeout");
    if (tn == NULL || !get_duration(L, tn, "idle_timeout", FALSE, &ev.duration))
      return FALSE;
  }
  if (!room_for_events(L, v, 1))
    return FALSE;
  add_event(L, &ev);
  return TRUE;
}

static gint compare_events(gconstpointer a, gconstpointer b, gpointer ud) {
  const ks_event_spec *ev = (const ks_event_spec *)((GArray *)ud)->data;
  guint i = *(const guint *)a, j = *(const guint *)b;
  if (ev[i].at != ev[j].at)
    return ev[i].at < ev[j].at ? -1 : 1;
  return i < j ? -1 : i > j; /* file order for ties */
}

static void sort_events(ks_scenario *sc) {
  guint n = sc->events->len;
  GArray *order = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);
  for (guint i = 0; i < n; i++)
    g_array_append_val(order, i);
  g_array_sort_with_data(order, compare_events, sc->events);
  GArray *sorted = g_array_sized_new(FALSE, FALSE, sizeof(ks_event_spec), n);
  for (guint i = 0; i < n; i++)
    g_array_append_val(sorted,
                       g_array_index(sc->events, ks_event_spec, g_array_index(order, guint, i)));
  g_array_unref(order);
  g_array_unref(sc->events);
  sc->events = sorted;
}

static gboolean load_timeline(loader *L, const yaml_node_t *seq) {
  if (is_null(seq))
    return TRUE;
  if (!expect_seq(L, seq, "timeline"))
    return FALSE;
  for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++)
    if (!load_event(L, node(L, *i)))
      return FALSE;
  return TRUE;
}

/* ---- --set ------------------------------------------------------------- */

static gboolean apply_set(loader *L, const char *assignment) {
  ks_scenario *sc = L->sc;
  const char *eq = strchr(assignment, '=');
  if (eq == NULL || eq == assignment || eq[1] == '\0')
    return fail_set(L, assignment, "expected NAME=VALUE");
  g_autofree char *name = g_strndup(assignment, (gsize)(eq - assignment));
  const char *value = eq + 1;
  if (ks_sockopt_is_known(name)) {
    for (guint i = 0; i < sc->groups->len; i++) {
      ks_group_spec *g = sc->groups->pdata[i];
      ks_sockopt_spec o = {.name = g_ascii_strup(name, -1), .value = g_strdup(value)};
      g_array_append_val(g->sockopts, o);
    }
    return TRUE;
  }
  guint applied = 0;
  for (guint i = 0; i < sc->hosts->len; i++) {
    ks_host_spec *h = sc->hosts->pdata[i];
    if (ka_params_info(h->profile, name) == NULL)
      continue;
    GError *e = NULL;
    if (!ka_params_set(h->params, name, value, &e)) {
      fail_set(L, assignment, "host '%s': %s", h->name, e->message);
      g_error_free(e);
      return FALSE;
    }
    applied++;
  }
  if (applied)
    return TRUE;
  /* Say what the hosts here do have. */
  GPtrArray *names = g_ptr_array_new();
  for (guint i = 0; i < sc->hosts->len; i++) {
    size_t n;
    const ka_param_info *t = ka_params_table(((ks_host_spec *)sc->hosts->pdata[i])->profile, &n);
    for (size_t k = 0; k < n; k++) {
      gboolean seen = FALSE;
      for (guint j = 0; j < names->len && !seen; j++)
        seen = strcmp(names->pdata[j], t[k].name) == 0;
      if (!seen)
        g_ptr_array_add(names, (gpointer)t[k].name);
    }
  }
  g_ptr_array_add(names, NULL);
  g_autofree char *list = join((const char *const *)names->pdata);
  g_ptr_array_free(names, TRUE);
  return fail_set(L, assignment,
                  "no host here has '%s' and it is not a socket option (the hosts "
                  "have: %s; socket options: SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPALIVE, "
                  "TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, SIO_KEEPALIVE_VALS)",
                  name, list);
}

/* ---- routes ------------------------------------------------------------ */

/* Breadth-first search over the links, in link index order so that the
 * search is deterministic: the fewest links, ties to the lower link
 * index.  One search from a host serves every group with that client. */
typedef struct router {
  const ks_scenario *sc;
  guint *adj_off, *adj; /* each host's links */
  guint *via;           /* per host: the link it was reached by; G_MAXUINT unseen */
  guint *queue;
  guint from; /* the last search's start; G_MAXUINT: none yet */
} router;

static void router_init(router *r, const ks_scenario *sc) {
  guint n_hosts = sc->hosts->len, n_links = sc->links ? sc->links->len : 0;
  r->sc = sc;
  r->adj_off = g_new0(guint, n_hosts + 1);
  r->adj = g_new(guint, 2 * (gsize)n_links + 1);
  r->via = g_new(guint, n_hosts + 1);
  r->queue = g_new(guint, n_hosts + 1);
  r->from = G_MAXUINT;
  for (guint i = 0; i < n_links; i++) {
    const ks_link_spec *l = g_ptr_array_index(sc->links, i);
    r->adj_off[l->a + 1]++;
    r->adj_off[l->b + 1]++;
  }
  for (guint h = 0; h < n_hosts; h++)
    r->adj_off[h + 1] += r->adj_off[h];
  guint *fill = g_memdup2(r->adj_off, (n_hosts + 1) * sizeof(guint));
  for (guint i = 0; i < n_links; i++) {
    const ks_link_spec *l = g_ptr_array_index(sc->links, i);
    r->adj[fill[l->a]++] = i;
    r->adj[fill[l->b]++] = i;
  }
  g_free(fill);
}

static void router_clear(router *r) {
  g_free(r->adj_off);
  g_free(r->adj);
  g_free(r->via);
  g_free(r->queue);
}

/* Searches from `from` until `to` is reached (G_MAXUINT: every host).  A
 * host's `via` does not depend on where the search stops. */
static void router_search(router *r, guint from, guint to) {
  guint n_hosts = r->sc->hosts->len, head = 0, tail = 0;
  for (guint i = 0; i < n_hosts; i++)
    r->via[i] = G_MAXUINT;
  r->via[from] = G_MAXUINT - 1;
  r->queue[tail++] = from;
  r->from = from;
  while (head < tail && (to == G_MAXUINT || r->via[to] == G_MAXUINT)) {
    guint h = r->queue[head++];
    for (guint k = r->adj_off[h]; k < r->adj_off[h + 1]; k++) {
      const ks_link_spec *l = g_ptr_array_index(r->sc->links, r->adj[k]);
      guint other = l->a == h ? l->b : l->a;
      if (r->via[other] != G_MAXUINT)
        continue;
      r->via[other] = r->adj[k];
      r->queue[tail++] = other;
    }
  }
}

/* The path of the last search to `to` into `hops` (NULL: only counted);
 * its length, or -1 when `to` was not reached. */
static gint64 router_path(const router *r, guint to, GArray *hops) {
  if (hops)
    g_array_set_size(hops, 0);
  if (to != r->from && r->via[to] == G_MAXUINT)
    return -1;
  gint64 n = 0;
  for (guint h = to; h != r->from; n++) {
    const ks_link_spec *l = g_ptr_array_index(r->sc->links, r->via[h]);
    guint prev = l->a == h ? l->b : l->a;
    ks_net_hop hop = {.link = r->via[h], .dir = l->a == prev ? 0 : 1};
    if (hops)
      g_array_append_val(hops, hop);
    h = prev;
  }
  /* Found from the server back: reversed into client-to-server order. */
  for (guint i = 0; hops && i < hops->len / 2; i++) {
    ks_net_hop t = g_array_index(hops, ks_net_hop, i);
    g_array_index(hops, ks_net_hop, i) = g_array_index(hops, ks_net_hop, hops->len - 1 - i);
    g_array_index(hops, ks_net_hop, hops->len - 1 - i) = t;
  }
  return n;
}

gboolean ks_scenario_route(const ks_scenario *sc, guint from, guint to, GArray *hops) {
  router r;
  router_init(&r, sc);
  router_search(&r, from, to);
  gboolean ok = router_path(&r, to, hops) >= 0;
  router_clear(&r);
  return ok;
}

/* Group indices ordered by client host (then index): one search per
 * client serves all its groups. */
static gint compare_client(gconstpointer a, gconstpointer b, gpointer ud) {
  const ks_scenario *sc = ud;
  guint i = *(const guint *)a, j = *(const guint *)b;
  guint ci = ((const ks_group_spec *)sc->groups->pdata[i])->client;
  guint cj = ((const ks_group_spec *)sc->groups->pdata[j])->client;
  if (ci != cj)
    return ci < cj ? -1 : 1;
  return i < j ? -1 : i > j;
}

static guint *groups_by_client(const ks_scenario *sc) {
  guint n = sc->groups ? sc->groups->len : 0;
  guint *order = g_new(guint, n + 1);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data(order, (gint)n, sizeof(guint), compare_client, (gpointer)sc);
  return order;
}

/* ---- socket options, tried on the model -------------------------------- */

/* As the engine makes them: SO_KEEPALIVE on, then the options in order,
 * on a socket of the keep-alive side's host (after --set). */
static gboolean check_sockopts(loader *L, guint gi) {
  const ks_group_spec *g = L->sc->groups->pdata[gi];
  for (int side = KS_KEEPALIVE_CLIENT; side <= KS_KEEPALIVE_SERVER; side++) {
    if (!(g->keepalive & side))
      continue;
    guint hi = side == KS_KEEPALIVE_CLIENT ? g->client : g->server;
    const ks_host_spec *h = L->sc->hosts->pdata[hi];
    ka_sock *s = ka_sock_new(h->params, KA_SOCK_STREAM, 0);
    GError *e = NULL;
    gboolean ok = ks_sockopt_apply(s, "SO_KEEPALIVE", "1", &e);
    if (!ok) {
      g_autofree char *msg = g_strdup_printf("%s: group '%s': host '%s' cannot turn keep-alive "
                                             "on: %s",
                                             L->path, g->name, h->name, e->message);
      set_error(L->error, msg);
    }
    for (guint i = 0; ok && i < g->sockopts->len; i++) {
      const ks_sockopt_spec *o = &g_array_index(g->sockopts, ks_sockopt_spec, i);
      if (ks_sockopt_apply(s, o->name, o->value, &e))
        continue;
      ok = FALSE;
      if (o->line > 0) {
        yaml_mark_t m = {.line = (size_t)o->line - 1, .column = (size_t)o->column - 1};
        fail_at(L, &m, "sockopts: %s (on host '%s' of group '%s')", e->message, h->name, g->name);
      } else { /* ks_sockopt's message starts with NAME=VALUE already */
        g_autofree char *a = g_strdup_printf("%s=%s", o->name, o->value);
        const char *msg = e->message;
        if (g_str_has_prefix(msg, a) && g_str_has_prefix(msg + strlen(a), ": "))
          msg += strlen(a) + 2;
        fail_set(L, a, "%s (on host '%s' of group '%s')", msg, h->name, g->name);
      }
    }
    if (ok) { /* what its probes cost: see check_load */
      ka_cfg cfg;
      ka_sock_cfg(s, &cfg);
      if (cfg.enabled && !cfg.never_probes && cfg.idle > 0)
        L->ka_per_s[gi] += 1e9 / (double)cfg.idle;
    }
    g_clear_error(&e);
    ka_sock_free(s);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* "every 1ns", "every 30s". */
static char *every(ka_time t) {
  g_autofree char *d = format_duration(t);
  return g_strdup_printf("every %s", d);
}

/* What running the scenario would cost, refused when it cannot finish:
 * the links on every group's path (memory: each is kept per group), and
 * the exchanges of traffic and keep-alive, per virtual second and over
 * the run (time: a period of 1 ns is a billion exchanges per virtual
 * second).  Estimates from above: a request and its answer, a bulk
 * segment and its ACK, a keep-alive probe and its answer each count as
 * one exchange; bulk traffic sends one segment per round trip. */
static const char *plural_s(guint n) { return n == 1 ? "" : "s"; }

static gboolean check_load(loader *L) {
  const ks_scenario *sc = L->sc;
  router r;
  router_init(&r, sc);
  guint *order = groups_by_client(sc);
  GArray *route = g_array_new(FALSE, FALSE, sizeof(ks_net_hop));
  guint64 hops = 0;
  double rate = 0, exchanges = 0;
  gboolean ok = TRUE;
  for (guint k = 0; ok && k < sc->groups->len; k++) {
    guint gi = order[k];
    const ks_group_spec *g = sc->groups->pdata[gi];
    const group_marks *gm = &g_array_index(L->group_marks, group_marks, gi);
    if (r.from != g->client)
      router_search(&r, g->client, G_MAXUINT);
    gint64 n = router_path(&r, g->server, route);
    if (n < 0) /* the loader checked that a path exists; --set cannot break it */
      n = 0;
    hops += (guint64)n;
    if (hops > L->lim->route_hops) {
      ok = fail_limit(L, &gm->group, "route_hops",
                      "group '%s': its path of %" G_GINT64_FORMAT " links makes %" G_GUINT64_FORMAT
                      " links on the groups' paths in all, more than %" G_GUINT64_FORMAT,
                      g->name, n, hops, L->lim->route_hops);
      break;
    }
    /* Per connection: exchanges per virtual second, and over the run. */
    double per_s = 0, per_run = 0;
    const yaml_mark_t *at = &gm->group;
    g_autofree char *what = NULL;
    ka_time from = MAX(g->traffic_start, g->connect_at);
    ka_time until = MIN(g->traffic_stop, sc->duration);
    double span = until > from ? (double)(until - from) : 0;
    if (g->traffic == KS_TRAFFIC_PERIODIC) {
      per_s = 1e9 / (double)g->period;
      per_run = span / (double)g->period;
      at = &gm->traffic;
      g_autofree char *e = every(g->period);
      what = g_strdup_printf("a request %s", e);
    } else if (g->traffic == KS_TRAFFIC_BULK) {
      double rtt = 0;
      for (guint h = 0; h < route->len; h++) {
        const ks_link_spec *l = sc->links->pdata[g_array_index(route, ks_net_hop, h).link];
        rtt += 2 * (double)l->delay;
        if (l->bandwidth_bps)
          rtt += ((double)g->request_bytes + 40) * 8 * 1e9 / (double)l->bandwidth_bps;
      }
      at = &gm->traffic;
      if (rtt < 1) {
        ok = fail_at(L, at,
                     "bulk traffic of group '%s' crosses links with no delay and no "
                     "bandwidth limit: each segment would be answered at the instant it is sent, "
                     "without end (give a link a delay or a bandwidth)",
                     g->name);
        break;
      }
      per_s = 1e9 / rtt;
      per_run = span / rtt;
      what = g_strdup_printf("bulk traffic with a round trip of %.3g s", rtt / 1e9);
    }
    if (L->ka_per_s[gi] > 0) {
      per_s += L->ka_per_s[gi];
      per_run += (double)(sc->duration - g->connect_at) / 1e9 * L->ka_per_s[gi];
      if (what == NULL)
        what = g_strdup_printf("keep-alive probes every %.3g s", 1 / L->ka_per_s[gi]);
    }
    if (what == NULL)
      what = g_strdup("nothing");
    rate += per_s * g->count;
    exchanges += per_run * g->count;
    const char *plural = plural_s(g->count);
    if (rate > (double)L->lim->rate) {
      g_autofree char *all = k ? g_strdup_printf(" (%.3g with the groups before it)", rate)
                               : g_strdup("");
      ok = fail_limit(L, at, "rate",
                      "group '%s': %s on %u connection%s makes %.3g exchanges per virtual "
                      "second%s, more than %" G_GUINT64_FORMAT,
                      g->name, what, g->count, plural, per_s * g->count, all, L->lim->rate);
    } else if (exchanges > (double)L->lim->exchanges) {
      g_autofree char *all = k ? g_strdup_printf(" (%.3g with the groups before it)", exchanges)
                               : g_strdup("");
      ok = fail_limit(L, at, "exchanges",
                      "group '%s': %s on %u connection%s makes about %.3g exchanges over the "
                      "run%s, more than %" G_GUINT64_FORMAT,
                      g->name, what, g->count, plural, per_run * g->count, all, L->lim->exchanges);
    }
  }
  g_array_unref(route);
  g_free(order);
  router_clear(&r);
  return ok;
}

/* ---- the file ---------------------------------------------------------- */

static gboolean syntax_error(loader *L, const yaml_parser_t *parser) {
  yaml_mark_t m = parser->problem_mark;
  if (parser->error == YAML_READER_ERROR) { /* the mark is not set: find the offset */
    m.line = m.column = 0;
    for (gsize i = 0; i < parser->problem_offset && i < L->len; i++) {
      if (L->buf[i] == '\n')
        m.line++, m.column = 0;
      else if (((guchar)L->buf[i] & 0xC0) != 0x80)
        m.column++;
    }
  }
  const char *problem = parser->problem ? parser->problem : "cannot parse";
  if (parser->context)
    return fail_at(L, &m, "YAML syntax error: %s (%s at line %zu, column %zu)", problem,
                   parser->context, parser->context_mark.line + 1, parser->context_mark.column + 1);
  return fail_at(L, &m, "YAML syntax error: %s", problem);
}

static const char *const root_keys[] = {"name",  "description", "duration", "seed",     "hosts",
                                        "links", "middleboxes", "groups",   "timeline", NULL};

static gboolean load_root(loader *L, const yaml_node_t *root) {
  ks_scenario *sc = L->sc;
  if (!expect_map(L, root, "a scenario") || !check_keys(L, root, root_keys, "a scenario", FALSE))
    return FALSE;
  yaml_node_t *n;
  const char *t;
  if ((n = get(L, root, "name")) != NULL) {
    if (!get_text(L, n, "name", &t))
      return FALSE;
    if (!valid_name(t))
      return fail(L, n,
                  "name: '%s' must be letters, digits, '-', '_' or '.', starting with a "
                  "letter or digit (it names the output folder)",
                  t);
    sc->name = g_strdup(t);
  } else {
    sc->name = default_name(L->path);
  }
  if ((n = get(L, root, "description")) != NULL && !is_null(n)) {
    if (!get_text(L, n, "description", &t))
      return FALSE;
    sc->description = g_strdup(t);
  }
  n = require(L, root, root, "duration", "a scenario");
  if (n == NULL || !get_duration(L, n, "duration", FALSE, &sc->duration))
    return FALSE;
  if ((n = get(L, root, "seed")) != NULL && !get_uint(L, n, "seed", 0, G_MAXUINT64, &sc->seed))
    return FALSE;
  if ((n = require(L, root, root, "hosts", "a scenario")) == NULL || !load_hosts(L, n))
    return FALSE;
  if ((n = require(L, root, root, "links", "a scenario")) == NULL || !load_links(L, n))
    return FALSE;
  find_islands(L);
  if ((n = get(L, root, "middleboxes")) != NULL && !is_null(n) && !load_middleboxes(L, n))
    return FALSE;
  if ((n = require(L, root, root, "groups", "a scenario")) == NULL || !load_groups(L, n))
    return FALSE;
  if ((n = get(L, root, "timeline")) != NULL && !load_timeline(L, n))
    return FALSE;
  return TRUE;
}

/* ---- --set PATH=VALUE ---------------------------------------------------- */

/* Whether an assignment names a place in the scenario (hosts.client.profile)
 * rather than a setting or socket option of every host or group: its first
 * dot-separated part is a top-level key.  A sysctl such as
 * net.ipv4.tcp_keepalive_time is not. */
static gboolean is_path(const char *assignment) {
  size_t n = strcspn(assignment, ".=");
  if (assignment[n] != '.')
    return FALSE;
  for (size_t i = 0; root_keys[i]; i++)
    if (strlen(root_keys[i]) == n && strncmp(root_keys[i], assignment, n) == 0)
      return TRUE;
  return FALSE;
}

/* One change set_path made to a node of the document: the item or pair
 * value at `index` was `old` (a replaced value), or, with old == 0, the
 * mapping had `index` pairs (pairs were appended).  Nodes are named by id,
 * not by address: adding a node may move them all. */
typedef struct doc_change {
  int node;
  gsize index;
  int old;
} doc_change;

static void note_change(loader *L, int node_id, gsize index, int old) {
  doc_change c = {node_id, index, old};
  g_array_append_val(L->undo, c);
}

static int add_scalar(loader *L, guint k, const char *value) {
  int id = yaml_document_add_scalar(L->doc, NULL, (yaml_char_t *)value, -1,
                                    YAML_PLAIN_SCALAR_STYLE);
  if (id)
    node(L, id)->start_mark.line = SET_LINE + k;
  return id;
}

/* The child of mapping `map` under `key`, or of sequence `map` at index
 * `key` or with `name: key`; 0 when there is none. */
static int child(loader *L, int map, const char *key, int **slot) {
  yaml_node_t *n = node(L, map);
  if (n->type == YAML_MAPPING_NODE) {
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
      yaml_node_t *kn = node(L, p->key);
      if (kn->type == YAML_SCALAR_NODE && strcmp(text(kn), key) == 0) {
        *slot = &p->value;
        return p->value;
      }
    }
    return 0;
  }
  gsize len = (gsize)(n->data.sequence.items.top - n->data.sequence.items.start);
  guint64 i;
  if (g_ascii_string_to_unsigned(key, 10, 0, G_MAXUINT64, &i, NULL)) {
    if (i >= len)
      return 0;
    *slot = &n->data.sequence.items.start[i];
    return **slot;
  }
  for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    yaml_node_t *e = node(L, *it);
    if (e->type != YAML_MAPPING_NODE)
      continue;
    int name;
    int *unused;
    if ((name = child(L, *it, "name", &unused)) != 0 && node(L, name)->type == YAML_SCALAR_NODE &&
        strcmp(text(node(L, name)), key) == 0) {
      *slot = it;
      return *it;
    }
  }
  return 0;
}

/* Puts VALUE at PATH in the document (docs/scenarios.md, "--set"): a
 * missing last key, or a missing mapping on the way, is added; an existing
 * value is replaced.  The loader then checks it as if the file said so. */
static gboolean set_path(loader *L, guint k) {
  const char *assignment = L->sets[k];
  const char *eq = strchr(assignment, '=');
  if (eq == NULL || eq[1] == '\0')
    return fail_set(L, assignment, "expected PATH=VALUE");
  g_autofree char *path = g_strndup(assignment, (gsize)(eq - assignment));
  g_auto(GStrv) parts = g_strsplit(path, ".", -1);
  yaml_node_t *root = yaml_document_get_root_node(L->doc);
  if (root == NULL || root->type != YAML_MAPPING_NODE)
    return TRUE; /* the loader says what is wrong with the file */
  int cur = (int)(root - L->doc->nodes.start) + 1;
  g_autoptr(GString) here = g_string_new(NULL); /* the path up to cur */
  for (guint i = 0; parts[i]; i++) {
    gboolean last = parts[i + 1] == NULL;
    const char *part = parts[i];
    if (*part == '\0')
      return fail_set(L, assignment, "an empty part in the path");
    yaml_node_t *n = node(L, cur);
    if (n->type == YAML_SCALAR_NODE) {
      g_autofree char *got = describe(n);
      return fail_set(L, assignment, "'%s' is %s, which has no '%s'", here->str, got, part);
    }
    int *slot = NULL;
    int next = child(L, cur, part, &slot);
    if (next == 0 && node(L, cur)->type == YAML_SEQUENCE_NODE) {
      gsize len = (gsize)(node(L, cur)->data.sequence.items.top -
                          node(L, cur)->data.sequence.items.start);
      return fail_set(L, assignment,
                      "'%s' has %zu entries, none at '%s' (an index from 0, or "
                      "an entry's name)",
                      here->str, len, part);
    }
    if (next == 0 && i < 2) {
      /* A section or an entry of one (a host, a link, ...) is never made
       * by --set: a misspelt name must not become a new host. */
      yaml_node_t *m = node(L, cur);
      GString *names = g_string_new(NULL);
      for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        g_string_append_printf(names, "%s%s", names->len ? ", " : "",
                               (const char *)node(L, p->key)->data.scalar.value);
      if (i == 0)
        fail_set(L, assignment, "the scenario has no '%s' (it has: %s)", part, names->str);
      else
        fail_set(L, assignment, "'%s' has no '%s' (it has: %s)", here->str, part, names->str);
      g_string_free(names, TRUE);
      return FALSE;
    }
    if (next == 0) { /* a new key of an entry, or of a mapping in one */
      yaml_node_t *m = node(L, cur);
      note_change(L, cur, (gsize)(m->data.mapping.pairs.top - m->data.mapping.pairs.start), 0);
      int key = add_scalar(L, k, part);
      int value = last ? add_scalar(L, k, eq + 1)
                       : yaml_document_add_mapping(L->doc, NULL, YAML_FLOW_MAPPING_STYLE);
      if (!key || !value || !yaml_document_append_mapping_pair(L->doc, cur, key, value))
        return fail_set(L, assignment, "out of memory");
      node(L, value)->start_mark.line = SET_LINE + k;
      g_string_append_printf(here, "%s%s", i ? "." : "", part);
      cur = value;
      continue;
    }
    if (last) {
      if (node(L, next)->type != YAML_SCALAR_NODE) {
        g_autofree char *got = describe(node(L, next));
        return fail_set(L, assignment,
                        "'%s' is %s; --set replaces one value (set one of its "
                        "keys instead)",
                        path, got);
      }
      int value = add_scalar(L, k, eq + 1);
      if (!value)
        return fail_set(L, assignment, "out of memory");
      /* Adding a node may move the node array: find the slot again. */
      child(L, cur, part, &slot);
      yaml_node_t *c = node(L, cur);
      gsize at = c->type == YAML_MAPPING_NODE
                   ? (gsize)((yaml_node_pair_t *)((char *)slot -
                                                  offsetof(yaml_node_pair_t, value)) -
                             c->data.mapping.pairs.start)
                   : (gsize)(slot - c->data.sequence.items.start);
      note_change(L, cur, at, *slot);
      *slot = value;
    }
    g_string_append_printf(here, "%s%s", i ? "." : "", part);
    cur = next;
  }
  return TRUE;
}

/* The file's shape, with libyaml's event parser, before its loader builds
 * the tree: nesting deeper than the limit (the loader's time grows with
 * the square of the depth: 400 KB of '[' took minutes), and more nodes
 * than the limit, aliases counted at each use.  Syntax errors are left to
 * the loader, which reports them the same way. */
static gboolean check_shape(loader *L) {
  yaml_parser_t parser;
  yaml_event_t ev;
  guint64 depth = 0, nodes = 0;
  gboolean ok = TRUE, done = FALSE;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)L->buf, L->len);
  while (ok && !done && yaml_parser_parse(&parser, &ev)) {
    switch (ev.type) {
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      if (++depth > L->lim->depth)
        ok = fail_limit(L, &ev.start_mark, "depth",
                        "lists and mappings nested more than %" G_GUINT64_FORMAT " deep",
                        L->lim->depth);
      /* fall through */
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
      if (ok && ++nodes > L->lim->nodes)
        ok = fail_limit(L, &ev.start_mark, "nodes",
                        "more than %" G_GUINT64_FORMAT " keys, values and list entries "
                        "(aliases counted at each use)",
                        L->lim->nodes);
      break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: depth--; break;
    case YAML_STREAM_END_EVENT: done = TRUE; break;
    default: break;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return ok;
}

/* A scenario file read, checked for its shape and parsed into a YAML
 * document once (ks_scenario.h). */
struct ks_scenario_src {
  char *path;
  ks_limits lim;
  yaml_document_t doc;
};

/* Takes back what set_path did to the document: its values and pairs as
 * they were (last change first), then the nodes it added, freed as
 * yaml_document_delete frees a node. */
static void undo_sets(yaml_document_t *doc, GArray *undo, gsize nodes) {
  for (guint i = undo->len; i-- > 0;) {
    const doc_change *c = &g_array_index(undo, doc_change, i);
    yaml_node_t *n = yaml_document_get_node(doc, c->node);
    if (n->type == YAML_MAPPING_NODE && c->old == 0)
      n->data.mapping.pairs.top = n->data.mapping.pairs.start + c->index;
    else if (n->type == YAML_MAPPING_NODE)
      n->data.mapping.pairs.start[c->index].value = c->old;
    else
      n->data.sequence.items.start[c->index] = c->old;
  }
  g_array_set_size(undo, 0);
  while ((gsize)(doc->nodes.top - doc->nodes.start) > nodes) {
    yaml_node_t *n = --doc->nodes.top;
    free(n->tag);
    if (n->type == YAML_SCALAR_NODE)
      free(n->data.scalar.value);
    else if (n->type == YAML_SEQUENCE_NODE)
      free(n->data.sequence.items.start);
    else if (n->type == YAML_MAPPING_NODE)
      free(n->data.mapping.pairs.start);
  }
}

void ks_scenario_src_free(ks_scenario_src *src) {
  if (src == NULL)
    return;
  yaml_document_delete(&src->doc);
  g_free(src->path);
  g_free(src);
}

ks_scenario_src *ks_scenario_src_new(const char *path, const char *data, gsize len,
                                     const ks_limits *limits, GError **error) {
  g_return_val_if_fail(path != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  ks_scenario_src *src = g_new0(ks_scenario_src, 1);
  src->path = g_strdup(path);
  if (limits) {
    src->lim = *limits;
  } else {
    GError *e = NULL;
    if (!ks_limits_init_env(&src->lim, &e)) {
      set_error(error, e->message);
      g_error_free(e);
      ks_scenario_src_free(src);
      return NULL;
    }
  }
  char *buf = NULL;
  if (data == NULL) {
    GError *e = NULL;
    buf = ks_read_file_limited(path, src->lim.scenario_bytes, "scenario_bytes", &len, &e);
    if (buf == NULL) {
      g_autofree char *msg = g_error_matches(e, KS_LIMITS_ERROR, KS_LIMITS_ERROR_READ)
                               ? g_strdup_printf("%s: cannot read it: %s", path, e->message)
                               : g_strdup(e->message);
      set_error(error, msg);
      g_error_free(e);
      ks_scenario_src_free(src);
      return NULL;
    }
  } else if (len > src->lim.scenario_bytes) {
    g_autofree char *hint = ks_limits_hint("scenario_bytes");
    g_autofree char *msg = g_strdup_printf("%s:1:1: larger than %" G_GUINT64_FORMAT
                                           " bytes (the limit "
                                           "scenario_bytes; %s)",
                                           path, src->lim.scenario_bytes, hint);
    set_error(error, msg);
    ks_scenario_src_free(src);
    return NULL;
  }
  loader L = {.path = path, .buf = buf ? buf : data, .len = len, .lim = &src->lim, .error = error};
  yaml_parser_t parser;
  yaml_document_t extra;
  gboolean ok = FALSE;
  if (!check_shape(&L))
    goto out;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)L.buf, L.len);
  if (!yaml_parser_load(&parser, &src->doc)) {
    syntax_error(&L, &parser);
    yaml_parser_delete(&parser);
    goto out;
  }
  L.doc = &src->doc;
  yaml_node_t *root = yaml_document_get_root_node(&src->doc);
  if (root == NULL) {
    yaml_mark_t m = {0};
    fail_at(&L, &m,
            "the file is empty; a scenario needs at least duration, hosts, links and "
            "groups");
  } else if (!yaml_parser_load(&parser, &extra)) {
    syntax_error(&L, &parser);
  } else {
    yaml_node_t *second = yaml_document_get_root_node(&extra);
    if (second)
      fail(&L, second, "a scenario file holds one YAML document; remove this one or the '---'");
    else
      ok = TRUE;
    yaml_document_delete(&extra);
  }
  yaml_parser_delete(&parser);
out:
  g_free(buf);
  if (!ok) { /* a document libyaml could not load is left empty */
    ks_scenario_src_free(src);
    return NULL;
  }
  return src;
}

ks_scenario *ks_scenario_src_load(ks_scenario_src *src, char **sets, GError **error) {
  g_return_val_if_fail(src != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  ks_scenario *sc = g_new0(ks_scenario, 1);
  sc->path = g_strdup(src->path);
  sc->seed = 1;
  sc->hosts = g_ptr_array_new_with_free_func(host_free);
  sc->links = g_ptr_array_new_with_free_func(link_free);
  sc->middleboxes = g_ptr_array_new_with_free_func(middlebox_free);
  sc->groups = g_ptr_array_new_with_free_func(group_free);
  sc->events = g_array_new(FALSE, TRUE, sizeof(ks_event_spec));

  loader L = {.path = src->path,
              .doc = &src->doc,
              .sc = sc,
              .lim = &src->lim,
              .error = error,
              .sets = sets,
              .undo = g_array_new(FALSE, FALSE, sizeof(doc_change)),
              .link_of_pair = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
              .host_index = g_hash_table_new(g_str_hash, g_str_equal),
              .link_index = g_hash_table_new(g_str_hash, g_str_equal),
              .mbox_index = g_hash_table_new(g_str_hash, g_str_equal),
              .group_index = g_hash_table_new(g_str_hash, g_str_equal),
              .group_marks = g_array_new(FALSE, TRUE, sizeof(group_marks))};
  /* --set PATH=VALUE changes the document for this load only. */
  gsize nodes = (gsize)(src->doc.nodes.top - src->doc.nodes.start);
  gboolean ok = TRUE;
  for (guint k = 0; ok && sets && sets[k]; k++)
    if (is_path(sets[k]))
      ok = set_path(&L, k);
  ok = ok && load_root(&L, yaml_document_get_root_node(&src->doc));
  for (guint i = 0; ok && sets && sets[i]; i++)
    if (!is_path(sets[i]))
      ok = apply_set(&L, sets[i]);
  L.ka_per_s = g_new0(double, sc->groups->len + 1);
  for (guint i = 0; ok && i < sc->groups->len; i++)
    ok = check_sockopts(&L, i);
  ok = ok && check_load(&L);
  undo_sets(&src->doc, L.undo, nodes);
  g_array_unref(L.undo);
  g_hash_table_unref(L.link_of_pair);
  g_hash_table_unref(L.host_index);
  g_hash_table_unref(L.link_index);
  g_hash_table_unref(L.mbox_index);
  g_hash_table_unref(L.group_index);
  g_array_unref(L.group_marks);
  g_free(L.ka_per_s);
  g_free(L.island);
  if (!ok) {
    ks_scenario_free(sc);
    return NULL;
  }
  sort_events(sc);
  return sc;
}

ks_scenario *ks_scenario_load_data(const char *path, const char *data, gsize len, char **sets,
                                   const ks_limits *limits, GError **error) {
  ks_scenario_src *src = ks_scenario_src_new(path, data, len, limits, error);
  if (src == NULL)
    return NULL;
  ks_scenario *sc = ks_scenario_src_load(src, sets, error);
  ks_scenario_src_free(src);
  return sc;
}

ks_scenario *ks_scenario_load(const char *path, char **sets, GError **error) {
  return ks_scenario_load_data(path, NULL, 0, sets, NULL, error);
}

static gboolean build_path(const ks_scenario *sc, guint gi, ks_net *n, router *r,
                           const guint *mbs_on_link, GArray *route, GError **error) {
  const ks_group_spec *gs = g_ptr_array_index(sc->groups, gi);
  const ks_host_spec *hf = g_ptr_array_index(sc->hosts, gs->client);
  const ks_host_spec *ht = g_ptr_array_index(sc->hosts, gs->server);
  ks_net_path *p = &n->paths[gi];
  if (gs->client == gs->server) {
    g_set_error(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID,
                "group %s: client and server are the same host (%s)", gs->name, hf->name);
    return FALSE;
  }
  if (r->from != gs->client)
    router_search(r, gs->client, G_MAXUINT);
  if (router_path(r, gs->server, route) < 0) {
    g_set_error(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID,
                "group %s: no path of links between hosts %s and %s", gs->name, hf->name, ht->name);
    return FALSE;
  }
  /* Engines keep a hop's index in 16 bits. */
  if (route->len > G_MAXUINT16) {
    g_set_error(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID,
                "group %s: a path of more than %u links", gs->name, G_MAXUINT16);
    return FALSE;
  }
  p->host[0] = gs->client;
  p->host[1] = gs->server;
  /* The client's socket reports unless only the server keeps alive. */
  p->result_side = gs->keepalive == KS_KEEPALIVE_SERVER ? 1 : 0;
  p->n_hops = route->len;
  p->hops = g_memdup2(route->data, route->len * sizeof(ks_net_hop));
  for (guint h = 0; h < p->n_hops; h++)
    p->n_mb += mbs_on_link[p->hops[h].link];
  return TRUE;
}

/* How long a Linux host had been up, when the scenario does not say:
 * uniform over 30 days in whole milliseconds (the unit of the setting, so
 * that either engine can be handed it), which moves its jiffies counter
 * over every phase of the timer wheel's coarsest level at any HZ.  From a
 * generator of its own, keyed by the seed and the host, so that no other
 * draw of the run changes. */
static ka_time draw_uptime(guint64 seed, guint host) {
  guint32 key[4] = {(guint32)seed, (guint32)(seed >> 32), host, 0x6a696666u /* "jiff" */};
  GRand *r = g_rand_new_with_seed_array(key, G_N_ELEMENTS(key));
  guint64 ms = (guint64)g_rand_double_range(r, 0, 30.0 * 86400 * 1000);
  g_rand_free(r);
  return KA_MS(ms);
}

ks_net *ks_scenario_net_new(const ks_scenario *sc, guint64 seed, GError **error) {
  guint n_links = sc->links ? sc->links->len : 0;
  guint n_mbs = sc->middleboxes ? sc->middleboxes->len : 0;
  guint n_groups = sc->groups ? sc->groups->len : 0;
  /* Engines keep a middlebox's index in 16 bits. */
  if (n_mbs > G_MAXUINT16) {
    g_set_error(error, KS_SCENARIO_ERROR, KS_SCENARIO_ERROR_INVALID, "more than %u middleboxes",
                G_MAXUINT16);
    return NULL;
  }
  ks_net *n = ks_net_new(sc->hosts->len, n_links, n_mbs, n_groups);
  for (guint i = 0; i < n->n_hosts; i++) {
    const ks_host_spec *h = g_ptr_array_index(sc->hosts, i);
    n->hosts[i].profile = h->profile ? h->profile : ka_params_profile(h->params);
    if (ka_profile_family(n->hosts[i].profile) == KA_FAMILY_LINUX)
      n->hosts[i].uptime = ka_params_is_set(h->params, "uptime")
                             ? ka_params_jiffies(h->params).uptime
                             : draw_uptime(seed, i);
  }
  for (guint i = 0; i < n_links; i++) {
    const ks_link_spec *ls = g_ptr_array_index(sc->links, i);
    n->links[i] = (ks_net_link){.a = ls->a,
                                .b = ls->b,
                                .delay = ls->delay,
                                .bps = ls->bandwidth_bps,
                                .loss = ls->loss};
  }
  for (guint i = 0; i < n_mbs; i++) {
    const ks_middlebox_spec *ms = g_ptr_array_index(sc->middleboxes, i);
    n->mbs[i] = (ks_net_mb){.link = ms->link,
                            .timeout = ms->idle_timeout,
                            .on_expiry = ms->on_expiry};
  }
  guint *mbs_on_link = g_new0(guint, n_links + 1);
  for (guint m = 0; m < n_mbs; m++)
    mbs_on_link[n->mbs[m].link]++;
  GArray *route = g_array_new(FALSE, FALSE, sizeof(ks_net_hop));
  router r;
  router_init(&r, sc);
  guint *order = groups_by_client(sc);
  gboolean ok = TRUE;
  for (guint k = 0; ok && k < n_groups; k++)
    ok = build_path(sc, order[k], n, &r, mbs_on_link, route, error);
  g_free(order);
  router_clear(&r);
  g_array_unref(route);
  g_free(mbs_on_link);
  if (!ok) {
    ks_net_free(n);
    return NULL;
  }
  ks_net_note_breaks(n, 0); /* a link may lose everything from the start */
  return n;
}
