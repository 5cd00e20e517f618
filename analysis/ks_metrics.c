/* ks_metrics.c - a run folder's numbers; see ks_metrics.h for every
 * definition. */
#include "ks_metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ks_lines.h"
#include "ks_trace.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-metrics-error-quark, ks_metrics_error)
// clang-format on

guint ks_wire_bytes(guint payload) {
  guint frame = 14 + 20 + 20 + payload; /* Ethernet header, IPv4, TCP */
  if (frame < 60)
    frame = 60;              /* the minimum frame before the FCS: short ones are padded */
  return frame + 4 + 8 + 12; /* FCS, preamble+SFD, inter-frame gap */
}

guint ks_ip_bytes(guint payload) { return 20 + 20 + payload; }

double ks_percentile(const GArray *sorted, double p) {
  if (sorted == NULL || sorted->len == 0)
    return NAN;
  double rank = ceil(p / 100.0 * sorted->len);
  guint i = rank < 1 ? 0 : (guint)rank - 1;
  if (i >= sorted->len)
    i = sorted->len - 1;
  return g_array_index(sorted, double, i);
}

/* Give-ups are counted in one-second bins, BINS of them at a time: a run
 * longer than that (12 days) is read again for each further stretch, so
 * that the bins never take more than 4 MiB. */
#define BINS (1u << 20)

static void ending_free(gpointer p) {
  ks_ending *e = p;
  ks_dist_free(e->closed_at_s);
  g_free(e);
}

static void group_free(gpointer p) {
  ks_group_metrics *g = p;
  g_free(g->name);
  g_free(g->profile);
  g_free(g->ka_profile);
  ks_dist_free(g->latency);
  g_ptr_array_unref(g->endings);
  g_free(g);
}

void ks_metrics_free(ks_run_metrics *m) {
  if (m == NULL)
    return;
  g_free(m->scenario);
  ks_dist_free(m->latency);
  if (m->groups)
    g_ptr_array_unref(m->groups);
  g_free(m->trace_level);
  g_free(m);
}

/* --- summary.json, checked member by member: a folder that is not a run
 * must give one clear line, never a json-glib critical. -------------------- */

typedef struct reader {
  const char *path;
  GError **error;
  gboolean failed;
} reader;

static void bad(reader *r, const char *where, const char *what) {
  if (!r->failed)
    g_set_error(r->error, KS_METRICS_ERROR, 0, "%s: %s%s%s", r->path, where ? where : "",
                where ? ": " : "", what);
  r->failed = TRUE;
}

static JsonNode *member(reader *r, JsonObject *o, const char *where, const char *name) {
  JsonNode *n = o ? json_object_get_member(o, name) : NULL;
  if (n == NULL) {
    g_autofree char *what = g_strdup_printf("no \"%s\" (not written by kasim run)", name);
    bad(r, where, what);
  }
  return n;
}

static gboolean is_number(JsonNode *n) {
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return FALSE;
  GType t = json_node_get_value_type(n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

/* A number, or NAN for null when null is allowed. */
static double num(reader *r, JsonObject *o, const char *where, const char *name,
                  gboolean nullable) {
  JsonNode *n = member(r, o, where, name);
  if (n == NULL)
    return NAN;
  if (nullable && JSON_NODE_HOLDS_NULL(n))
    return NAN;
  if (!is_number(n)) {
    g_autofree char *what = g_strdup_printf("\"%s\" is not a number", name);
    bad(r, where, what);
    return NAN;
  }
  return json_node_get_double(n);
}

static const char *str(reader *r, JsonObject *o, const char *where, const char *name,
                       gboolean nullable) {
  JsonNode *n = member(r, o, where, name);
  if (n == NULL)
    return NULL;
  if (nullable && JSON_NODE_HOLDS_NULL(n))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    g_autofree char *what = g_strdup_printf("\"%s\" is not a string", name);
    bad(r, where, what);
    return NULL;
  }
  return json_node_get_string(n);
}

static gboolean boolean(reader *r, JsonObject *o, const char *where, const char *name) {
  JsonNode *n = member(r, o, where, name);
  if (n == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
    g_autofree char *what = g_strdup_printf("\"%s\" is not true or false", name);
    bad(r, where, what);
    return FALSE;
  }
  return json_node_get_boolean(n);
}

static const char *const reason_names[] = {NULL, "keepalive_timeout", "retransmission_timeout",
                                           "user_timeout", "reset_by_peer"};

const char *ks_metrics_reason_name(guint8 reason) {
  return reason < G_N_ELEMENTS(reason_names) ? reason_names[reason] : NULL;
}

/* The KS_REASON_* of a close_reason; G_MAXUINT8 for an unknown one. */
static guint8 reason_code(const char *s) {
  if (s == NULL)
    return KS_REASON_NONE;
  for (guint i = 1; i < G_N_ELEMENTS(reason_names); i++)
    if (strcmp(s, reason_names[i]) == 0)
      return (guint8)i;
  return G_MAXUINT8;
}

static guint8 reason_of(reader *r, const char *where, const char *s) {
  guint8 code = reason_code(s);
  if (code != G_MAXUINT8)
    return code;
  bad(r, where, "unknown \"close_reason\"");
  return KS_REASON_NONE;
}

/* --- One connection at a time. ------------------------------------------ */

/* A connection as either file has it; its strings live as long as the
 * call that is handed it. */
typedef struct row {
  guint32 id;
  const char *group, *profile, *side, *error, *failure; /* error, failure: NULL for none */
  double closed_at_s, failure_at_s;                     /* NAN: none */
  guint8 reason;
  guint64 sent, answered, middleboxes;
  gboolean recovered, false_giveup;
} row;

typedef void (*row_fn)(const row *r, void *ud);

/* The story's candidates, in the order the rule tries them last to first. */
enum { CAND_ASKED, CAND_CLOSE, CAND_FAILURE, CAND_FALSE_GIVEUP, CAND_DETECTED, N_CAND };

typedef struct loader {
  ks_run_metrics *m;
  GHashTable *groups; /* name -> index into m->groups */
  guint last;         /* the previous row's group: rows come grouped */
  gint64 asked;       /* the story asked for; -1: the rule */
  ks_conn_metrics cand[N_CAND];
  gboolean have[N_CAND];
  guint64 closes;                         /* closes with a reason so far */
  gboolean groups_binned, endings_binned; /* past KS_DIST_EXACT_MAX */
  guint32 *bins;                          /* give-ups per second from second w0 */
  guint64 w0, n_bins;
  double first_close, last_close; /* whole seconds of the first and last give-up */
  gboolean later;                 /* a give-up after the bins' stretch */
  GArray *conn_group;             /* an older run's trace: each connection's group (guint) */
} loader;

static guint group_of(loader *L, const char *name, const char *profile) {
  ks_run_metrics *m = L->m;
  if (L->last < m->groups->len &&
      strcmp(((ks_group_metrics *)m->groups->pdata[L->last])->name, name) == 0)
    return L->last;
  gpointer gi;
  if (!g_hash_table_lookup_extended(L->groups, name, NULL, &gi)) {
    ks_group_metrics *g = g_new0(ks_group_metrics, 1);
    g->name = g_strdup(name);
    g->profile = g_strdup(profile);
    g->latency = ks_dist_new();
    if (L->groups_binned)
      ks_dist_bin(g->latency);
    g->latency_p50_s = NAN;
    g->endings = g_ptr_array_new_with_free_func(ending_free);
    g_ptr_array_add(m->groups, g);
    gi = GUINT_TO_POINTER(m->groups->len - 1);
    g_hash_table_insert(L->groups, g->name, gi);
  }
  return L->last = GPOINTER_TO_UINT(gi);
}

/* Held exactly while the run has at most KS_DIST_EXACT_MAX of them, then
 * binned: every group's with the run's (ks_metrics.h). */
static void add_latency(loader *L, ks_group_metrics *g, double lat) {
  ks_dist_add(L->m->latency, lat);
  ks_dist_add(g->latency, lat);
  if (!L->groups_binned && !ks_dist_exact(L->m->latency)) {
    for (guint i = 0; i < L->m->groups->len; i++)
      ks_dist_bin(((ks_group_metrics *)L->m->groups->pdata[i])->latency);
    L->groups_binned = TRUE;
  }
}

static void add_ending(loader *L, ks_group_metrics *g, const row *r) {
  ks_ending *e = NULL;
  for (guint i = 0; i < g->endings->len && e == NULL; i++) {
    ks_ending *x = g->endings->pdata[i];
    if (x->reason == r->reason && g_strcmp0(x->error, r->error) == 0)
      e = x;
  }
  if (e == NULL) {
    e = g_new0(ks_ending, 1);
    e->reason = r->reason;
    e->error = g_intern_string(r->error);
    e->closed_at_s = ks_dist_new();
    if (L->endings_binned)
      ks_dist_bin(e->closed_at_s);
    g_ptr_array_add(g->endings, e);
  }
  ks_dist_add(e->closed_at_s, r->closed_at_s);
  if (++L->closes > KS_DIST_EXACT_MAX && !L->endings_binned) {
    for (guint i = 0; i < L->m->groups->len; i++) {
      GPtrArray *es = ((ks_group_metrics *)L->m->groups->pdata[i])->endings;
      for (guint k = 0; k < es->len; k++)
        ks_dist_bin(((ks_ending *)es->pdata[k])->closed_at_s);
    }
    L->endings_binned = TRUE;
  }
}

/* A give-up into its second's bin, if the bins cover it. */
static void count_giveup(loader *L, double t) {
  double s = floor(t);
  if (s < (double)L->w0)
    return;
  if (s >= (double)(L->w0 + L->n_bins)) {
    L->later = TRUE;
    return;
  }
  guint32 *v = &L->bins[(guint64)s - L->w0];
  if (++*v > L->m->peak_giveups_per_s)
    L->m->peak_giveups_per_s = *v;
}

static void giveup_only(const row *r, void *ud) {
  if (r->reason != KS_REASON_NONE && !isnan(r->closed_at_s))
    count_giveup(ud, r->closed_at_s);
}

static ks_conn_metrics conn_of(const row *r, guint group) {
  return (ks_conn_metrics){.id = r->id,
                           .group = group,
                           .failure_at_s = r->failure_at_s,
                           .closed_at_s = r->closed_at_s,
                           .false_giveup = r->false_giveup,
                           .recovered = r->recovered,
                           .client_side = g_strcmp0(r->side, "client") == 0,
                           .reason = r->reason,
                           .failure = g_intern_string(r->failure),
                           .error = g_intern_string(r->error)};
}

/* One connection into the run's and its group's counts. */
static void add_row(const row *r, void *ud) {
  loader *L = ud;
  ks_run_metrics *m = L->m;
  guint gi = group_of(L, r->group, r->profile);
  ks_group_metrics *g = m->groups->pdata[gi];
  if (L->conn_group)
    g_array_append_val(L->conn_group, gi);
  gboolean closed = !isnan(r->closed_at_s), failed = !isnan(r->failure_at_s);
  g->connections++;
  m->probes_sent += r->sent;
  m->probes_answered += r->answered;
  g->probes_sent += r->sent;
  g->probes_answered += r->answered;
  m->closed += closed;
  g->closed += closed;
  switch (r->reason) {
  case KS_REASON_KEEPALIVE: m->keepalive_timeouts++; break;
  case KS_REASON_RETRANSMISSION: m->retransmission_timeouts++; break;
  case KS_REASON_USER_TIMEOUT: m->user_timeouts++; break;
  case KS_REASON_RESET: m->resets++; break;
  default: break;
  }
  m->failed += failed;
  g->failed += failed;
  m->false_giveups += r->false_giveup;
  g->false_giveups += r->false_giveup;
  gboolean detected = failed && closed && !r->false_giveup;
  if (detected) {
    m->detected++;
    g->detected++;
    add_latency(L, g, r->closed_at_s - r->failure_at_s);
  }
  if (failed && !closed)
    r->recovered ? m->survived_failures++ : m->undetected++;
  if (r->middleboxes > 0) {
    m->middlebox_conns++;
    m->middlebox_survivors += !closed && !failed;
  }
  if (r->reason != KS_REASON_NONE && closed) {
    add_ending(L, g, r);
    double s = floor(r->closed_at_s);
    if (isnan(L->first_close) || s < L->first_close)
      L->first_close = s;
    if (isnan(L->last_close) || s > L->last_close)
      L->last_close = s;
    count_giveup(L, r->closed_at_s);
  }
  /* The story's candidates: the first of each kind. */
  gboolean is[N_CAND] = {[CAND_ASKED] = (gint64)r->id == MAX(L->asked, 0),
                         [CAND_CLOSE] = closed,
                         [CAND_FAILURE] = failed,
                         [CAND_FALSE_GIVEUP] = r->false_giveup,
                         [CAND_DETECTED] = detected};
  for (int k = 0; k < N_CAND; k++)
    if (is[k] && !L->have[k]) {
      L->cand[k] = conn_of(r, gi);
      L->have[k] = TRUE;
    }
}

/* --- connections.csv: a large run's connections (docs/output.md). ------- */

/* Splits one line into at most `max` fields as RFC 4180 says (quotes
 * around a field, doubled inside it), in place; how many, or -1 for a
 * quote left open or more than `max`. */
static int csv_split(char *line, char **out, int max) {
  char *p = line;
  for (int n = 0;; n++) {
    if (n == max)
      return -1;
    char *start = p, *w = p;
    if (*p == '"') {
      start = w = ++p;
      for (;;) {
        if (*p == '\0')
          return -1;
        if (*p == '"') {
          if (p[1] == '"') {
            *w++ = '"';
            p += 2;
            continue;
          }
          p++;
          break;
        }
        *w++ = *p++;
      }
      if (*p != ',' && *p != '\0')
        return -1;
    } else {
      while (*p && *p != ',')
        p++;
      w = p;
    }
    char end = *p;
    *w = '\0';
    out[n] = start;
    if (end == '\0')
      return n + 1;
    p++;
  }
}

static const char *const csv_columns[] = {"id",        "group",        "profile",
                                          "side",      "closed_at_s",  "close_reason",
                                          "error",     "probes_sent",  "probes_answered",
                                          "last_rx_s", "failure_at_s", "failure",
                                          "recovered", "false_giveup", "middleboxes"};

/* Seconds as kasim writes them, the exact decimal of a nanosecond count
 * ("7210.04000064"): the whole count, then one division, which rounds the
 * exact quotient once, to the same double strtod gives (both are the
 * nearest to the decimal) while the count is below 2^53 (104 days).  Any
 * other text goes through strtod. */
static gboolean csv_seconds(const char *s, gboolean nullable, double *v) {
  if (*s == '\0') {
    *v = NAN;
    return nullable;
  }
  guint64 sec = 0, frac = 0;
  int digits = 0;
  const char *p = s;
  while (g_ascii_isdigit(*p) && p - s < 9)
    sec = sec * 10 + (guint64)(*p++ - '0');
  if (p > s && *p == '.')
    for (p++; g_ascii_isdigit(*p) && digits < 9; digits++)
      frac = frac * 10 + (guint64)(*p++ - '0');
  if (p > s && *p == '\0') {
    for (int k = digits; k < 9; k++)
      frac *= 10;
    guint64 ns = sec * 1000000000u + frac;
    if (ns < (G_GUINT64_CONSTANT(1) << 53)) {
      *v = (double)ns / 1e9;
      return TRUE;
    }
  }
  char *end;
  *v = g_ascii_strtod(s, &end);
  return *end == '\0' && isfinite(*v);
}

/* A count: digits, or anything strtod reads as a finite number. */
static gboolean csv_count(const char *s, guint64 *u) {
  const char *p = s;
  guint64 v = 0;
  while (g_ascii_isdigit(*p) && p - s < 18)
    v = v * 10 + (guint64)(*p++ - '0');
  if (p > s && *p == '\0') {
    *u = v;
    return TRUE;
  }
  double d;
  if (!csv_seconds(s, FALSE, &d))
    return FALSE;
  *u = d > 0 ? (guint64)d : 0;
  return TRUE;
}

static gboolean csv_bool(const char *s, gboolean *b) {
  *b = strcmp(s, "true") == 0;
  return *b || strcmp(s, "false") == 0;
}

/* Every row, in one pass, a line at a time; *rows: how many. */
static gboolean csv_rows(const char *path, row_fn fn, void *ud, guint32 *rows, GError **error) {
  ks_lines *f = ks_lines_open(path);
  if (f == NULL) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: %s (summary.json lists no connections: a large "
                "run keeps them there)",
                path, g_strerror(errno));
    return FALSE;
  }
  enum { COLS = G_N_ELEMENTS(csv_columns) };
  char *c[COLS];
  char *line;
  gsize len;
  guint64 n = 0;
  gboolean ok = TRUE;
  reader rd = {.path = path, .error = error};
  char where[48]; /* the line, for a message: written when one is needed */
#define WHERE (g_snprintf(where, sizeof where, "line %" G_GUINT64_FORMAT, n), where)
  while (ok && (line = ks_lines_next(f, &len)) != NULL) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    n++;
    if (csv_split(line, c, COLS) != COLS) {
      bad(&rd, WHERE, "not 15 comma-separated fields");
      ok = FALSE;
      break;
    }
    if (n == 1) {
      for (guint k = 0; k < COLS && ok; k++)
        if (strcmp(c[k], csv_columns[k]) != 0)
          bad(&rd, WHERE, "not connections.csv's header"), ok = FALSE;
      continue;
    }
    row r = {.group = c[1], .profile = c[2], .side = c[3]};
    guint64 id;
    double last_rx;
    ok = csv_count(c[0], &id) && csv_seconds(c[4], TRUE, &r.closed_at_s) &&
         csv_count(c[7], &r.sent) && csv_count(c[8], &r.answered) &&
         csv_seconds(c[9], TRUE, &last_rx) && csv_seconds(c[10], TRUE, &r.failure_at_s) &&
         csv_count(c[14], &r.middleboxes) && csv_bool(c[12], &r.recovered) &&
         csv_bool(c[13], &r.false_giveup);
    if (!ok) {
      bad(&rd, WHERE, "a number or a true/false is not one");
      break;
    }
    if (id != n - 2 || id > G_MAXUINT32) {
      bad(&rd, WHERE, "\"id\" is not the connection's index");
      ok = FALSE;
      break;
    }
    r.id = (guint32)id;
    r.reason = *c[5] ? reason_code(c[5]) : KS_REASON_NONE;
    if (r.reason == G_MAXUINT8) {
      bad(&rd, WHERE, "unknown \"close_reason\"");
      ok = FALSE;
      break;
    }
    r.error = *c[6] ? c[6] : NULL;
    r.failure = *c[11] ? c[11] : NULL;
    fn(&r, ud);
  }
  if (ok && ks_lines_failed(f))
    bad(&rd, NULL, ks_lines_failed(f)), ok = FALSE;
  if (ok && n == 0)
    bad(&rd, NULL, "empty (no header)"), ok = FALSE;
#undef WHERE
  ks_lines_close(f);
  *rows = n > 0 ? (guint32)(n - 1) : 0;
  return ok;
}

/* --- summary.json's "connections" (runs of at most 10,000 connections,
 * and every run older than connections.csv). ----------------------------- */

static gboolean json_rows(JsonArray *a, const char *path, row_fn fn, void *ud, GError **error) {
  reader rd = {.path = path, .error = error};
  for (guint i = 0; i < json_array_get_length(a); i++) {
    char where[48];
    g_snprintf(where, sizeof where, "connections[%u]", i);
    JsonNode *en = json_array_get_element(a, i);
    JsonObject *c = JSON_NODE_HOLDS_OBJECT(en) ? json_node_get_object(en) : NULL;
    if (c == NULL) {
      bad(&rd, where, "not an object");
      return FALSE;
    }
    row r = {.id = i};
    double id = num(&rd, c, where, "id", FALSE);
    r.group = str(&rd, c, where, "group", FALSE);
    r.profile = str(&rd, c, where, "profile", FALSE);
    r.side = str(&rd, c, where, "side", FALSE);
    r.closed_at_s = num(&rd, c, where, "closed_at_s", TRUE);
    r.reason = reason_of(&rd, where, str(&rd, c, where, "close_reason", TRUE));
    r.error = str(&rd, c, where, "error", TRUE);
    double sent = num(&rd, c, where, "probes_sent", FALSE);
    double answered = num(&rd, c, where, "probes_answered", FALSE);
    r.failure_at_s = num(&rd, c, where, "failure_at_s", TRUE);
    r.failure = str(&rd, c, where, "failure", TRUE);
    r.recovered = boolean(&rd, c, where, "recovered");
    r.false_giveup = boolean(&rd, c, where, "false_giveup");
    double mbs = num(&rd, c, where, "middleboxes", FALSE);
    if (rd.failed)
      return FALSE;
    if (id != (double)i) {
      bad(&rd, where, "\"id\" is not the connection's index");
      return FALSE;
    }
    r.sent = (guint64)sent;
    r.answered = (guint64)answered;
    r.middleboxes = mbs > 0 ? (guint64)mbs : 0;
    fn(&r, ud);
  }
  return TRUE;
}

/* --- trace.jsonl: what went over the wire (runs before issue 20). ------- */

typedef struct wire_ctx {
  ks_run_metrics *m;
  const GArray *conn_group;
  gint64 bad_conn;
} wire_ctx;

static gboolean on_rec(const ks_trace_rec *r, void *ud) {
  wire_ctx *x = ud;
  if (r->ev != KS_TRACE_SEND || (r->kind != KS_SEG_KEEPALIVE && r->kind != KS_SEG_KEEPALIVE_ACK))
    return TRUE;
  if (r->conn < 0 || r->conn >= (gint64)x->conn_group->len) {
    x->bad_conn = r->conn;
    return FALSE;
  }
  ks_group_metrics *g = x->m->groups->pdata[g_array_index(x->conn_group, guint, r->conn)];
  guint bytes = ks_wire_bytes(r->len);
  if (r->kind == KS_SEG_KEEPALIVE)
    x->m->wire_probes++, g->wire_probes++;
  else
    x->m->wire_probe_acks++, g->wire_probe_acks++;
  x->m->probe_wire_bytes += bytes;
  g->probe_wire_bytes += bytes;
  return TRUE;
}

/* --- The whole run. ------------------------------------------------------ */

static JsonObject *object_member(JsonObject *o, const char *k) {
  JsonNode *n = o ? json_object_get_member(o, k) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *array_member(JsonObject *o, const char *k) {
  JsonNode *n = o ? json_object_get_member(o, k) : NULL;
  return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

/* A number summary.json holds, or NAN. */
static double opt_num(JsonObject *o, const char *k) {
  JsonNode *n = o ? json_object_get_member(o, k) : NULL;
  return is_number(n) ? json_node_get_double(n) : NAN;
}

/* Every group's summary.json record, by name: its wire counts, its
 * keep-alive settings, its exact median latency. */
static void read_groups(reader *r, loader *L, JsonArray *ga) {
  ks_run_metrics *m = L->m;
  for (guint i = 0; ga && i < json_array_get_length(ga) && !r->failed; i++) {
    JsonNode *gn = json_array_get_element(ga, i);
    JsonObject *go = JSON_NODE_HOLDS_OBJECT(gn) ? json_node_get_object(gn) : NULL;
    JsonNode *nn = go ? json_object_get_member(go, "name") : NULL;
    const char *name = nn && JSON_NODE_HOLDS_VALUE(nn) &&
                           json_node_get_value_type(nn) == G_TYPE_STRING
                         ? json_node_get_string(nn)
                         : NULL;
    if (m->wire_counted && name == NULL)
      bad(r, "groups", "no \"name\" (not written by kasim run)");
    gpointer gi;
    if (name == NULL || !g_hash_table_lookup_extended(L->groups, name, NULL, &gi))
      continue; /* a group without connections */
    ks_group_metrics *g = m->groups->pdata[GPOINTER_TO_UINT(gi)];
    if (m->wire_counted) {
      g->wire_probes = (guint64)num(r, go, "groups", "wire_probes", FALSE);
      g->wire_probe_acks = (guint64)num(r, go, "groups", "wire_probe_acks", FALSE);
      g->probe_wire_bytes = (guint64)num(r, go, "groups", "probe_wire_bytes", FALSE);
    }
    double p50 = opt_num(go, "latency_p50_s");
    if (!ks_dist_exact(g->latency) && !isnan(p50) && opt_num(go, "detected") == g->detected)
      g->latency_p50_s = p50;
    JsonObject *k = object_member(go, "keepalive");
    if (k == NULL)
      continue;
    g->ka_profile = g_strdup(str(r, k, "groups[].keepalive", "profile", FALSE));
    g->ka_probing = boolean(r, k, "groups[].keepalive", "probing");
    g->ka_idle_s = num(r, k, "groups[].keepalive", "idle_s", FALSE);
    g->ka_intvl_s = num(r, k, "groups[].keepalive", "interval_s", FALSE);
    g->ka_cnt = (guint32)num(r, k, "groups[].keepalive", "count", FALSE);
    g->ka_hz = (guint32)num(r, k, "groups[].keepalive", "hz", FALSE);
    g->ka_known = !r->failed;
  }
}

/* The figures every connection has been counted into. */
static void finish(loader *L, JsonObject *tot) {
  ks_run_metrics *m = L->m;
  ks_dist_finish(m->latency);
  m->latency_mean_s = ks_dist_mean(m->latency);
  m->latency_p50_s = ks_dist_percentile(m->latency, 50);
  m->latency_p95_s = ks_dist_percentile(m->latency, 95);
  m->latency_max_s = ks_dist_max(m->latency);
  m->latency_exact = ks_dist_exact(m->latency);
  /* Past the exact budget, kasim run's own percentiles, which it took
   * from every connection, when they are of the same connections. */
  double p50 = opt_num(tot, "latency_p50_s"), p95 = opt_num(tot, "latency_p95_s");
  if (!m->latency_exact && !isnan(p50) && !isnan(p95) && opt_num(tot, "detected") == m->detected) {
    m->latency_p50_s = p50;
    m->latency_p95_s = p95;
    m->latency_exact = TRUE;
  }
  for (guint i = 0; i < m->groups->len; i++) {
    ks_group_metrics *g = m->groups->pdata[i];
    ks_dist_finish(g->latency);
    if (isnan(g->latency_p50_s))
      g->latency_p50_s = ks_dist_percentile(g->latency, 50);
    for (guint k = 0; k < g->endings->len; k++)
      ks_dist_finish(((ks_ending *)g->endings->pdata[k])->closed_at_s);
  }
  double vt = m->virtual_time_s;
  m->probes_per_s = vt > 0 ? (double)m->wire_probes / vt : 0;
  m->probe_bytes_per_s = vt > 0 ? (double)m->probe_wire_bytes / vt : 0;
  m->giveups_start_s = L->first_close;
  m->giveups_span_s = isnan(L->first_close) ? 0 : (guint32)(L->last_close - L->first_close) + 1;
  /* The story: the connection asked for, or the most instructive one (a
   * detection, then a false give-up, then any failure, then any close). */
  int k = N_CAND - 1;
  while (L->asked < 0 && k > CAND_ASKED && !L->have[k])
    k--;
  if (L->asked >= 0)
    k = CAND_ASKED;
  m->story = L->cand[k];
}

ks_run_metrics *ks_metrics_load(const char *run_dir, GError **error) {
  return ks_metrics_load_conn(run_dir, -1, error);
}

/* The metrics of the run in run_dir whose summary.json's document is
 * `root` (`path` names it in messages). */
static ks_run_metrics *from_summary(JsonNode *root, const char *path, const char *run_dir,
                                    gint64 conn, GError **error);

ks_run_metrics *ks_metrics_load_conn(const char *run_dir, gint64 conn, GError **error) {
  g_autofree char *path = g_build_filename(run_dir, "summary.json", NULL);
  if (!g_file_test(run_dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: no such folder", run_dir);
    return NULL;
  }
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: not a run folder (kasim run writes summary.json and trace.jsonl there)",
                run_dir);
    return NULL;
  }
  JsonParser *p = json_parser_new();
  GError *e = NULL;
  if (!json_parser_load_from_file(p, path, &e)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: %s", path, e->message);
    g_error_free(e);
    g_object_unref(p);
    return NULL;
  }
  ks_run_metrics *m = from_summary(json_parser_get_root(p), path, run_dir, conn, error);
  g_object_unref(p);
  return m;
}

ks_run_metrics *ks_metrics_from_summary(JsonNode *summary, const char *run_dir, GError **error) {
  g_autofree char *path = g_build_filename(run_dir, "summary.json", NULL);
  return from_summary(summary, path, run_dir, -1, error);
}

static ks_run_metrics *from_summary(JsonNode *root, const char *path, const char *run_dir,
                                    gint64 conn, GError **error) {
  ks_run_metrics *m = g_new0(ks_run_metrics, 1);
  m->latency = ks_dist_new();
  m->groups = g_ptr_array_new_with_free_func(group_free);
  loader L = {.m = m,
              .groups = g_hash_table_new(g_str_hash, g_str_equal),
              .asked = conn,
              .first_close = NAN,
              .last_close = NAN};
  reader r = {.path = path, .error = error};
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
  if (o == NULL)
    bad(&r, NULL, "not a JSON object");
  const char *scen = str(&r, o, NULL, "scenario", FALSE);
  double seed = num(&r, o, NULL, "seed", FALSE);
  m->virtual_time_s = num(&r, o, NULL, "virtual_time_s", FALSE);
  /* A large run lists its connections in connections.csv only. */
  JsonNode *cn = o && json_object_has_member(o, "connections")
                   ? json_object_get_member(o, "connections")
                   : NULL;
  if (cn && !JSON_NODE_HOLDS_ARRAY(cn))
    bad(&r, NULL, "\"connections\" is not an array");
  JsonObject *tot = r.failed ? NULL : object_member(o, "totals");
  JsonArray *ga = r.failed ? NULL : array_member(o, "groups");
  /* The probes every socket put on the wire, counted by the run itself
   * (kasim run since issue 20), whatever its trace level; an older run's
   * trace is read for them, by each connection's group. */
  m->wire_counted = tot && ga && json_object_has_member(tot, "wire_probes");
  if (!m->wire_counted)
    L.conn_group = g_array_new(FALSE, FALSE, sizeof(guint));
  JsonObject *outs = r.failed ? NULL : object_member(o, "outputs");
  JsonNode *ln = outs ? json_object_get_member(outs, "trace_level") : NULL;
  if (ln && JSON_NODE_HOLDS_VALUE(ln) && json_node_get_value_type(ln) == G_TYPE_STRING)
    m->trace_level = g_strdup(json_node_get_string(ln));
  if (!r.failed) {
    m->scenario = g_strdup(scen);
    m->seed = seed >= 0 ? (guint64)seed : 0;
    /* Give-ups come before the end of the run: its seconds, in bins. */
    double vt = m->virtual_time_s;
    L.n_bins = vt >= 0 && vt < BINS ? (guint64)vt + 1 : BINS;
    L.bins = g_new0(guint32, L.n_bins);
    JsonArray *a = cn ? json_node_get_array(cn) : NULL;
    guint32 n = a ? json_array_get_length(a) : 0;
    g_autofree char *csv = a ? NULL : ks_lines_find(run_dir, "connections.csv");
    if (a ? !json_rows(a, path, add_row, &L, error) : !csv_rows(csv, add_row, &L, &n, error))
      r.failed = TRUE;
    /* Give-ups past the bins' stretch: the rows again, a stretch at a time. */
    for (L.w0 = L.n_bins; !r.failed && L.later && (double)L.w0 <= L.last_close; L.w0 += BINS) {
      L.n_bins = BINS;
      memset(L.bins, 0, sizeof(guint32) * BINS);
      guint32 again;
      if (a ? !json_rows(a, path, giveup_only, &L, error)
            : !csv_rows(csv, giveup_only, &L, &again, error))
        r.failed = TRUE;
    }
    m->connections = n;
    m->alive = n - m->closed;
  }
  if (!r.failed && m->wire_counted) {
    m->wire_probes = (guint64)num(&r, tot, "totals", "wire_probes", FALSE);
    m->wire_probe_acks = (guint64)num(&r, tot, "totals", "wire_probe_acks", FALSE);
    m->probe_wire_bytes = (guint64)num(&r, tot, "totals", "probe_wire_bytes", FALSE);
  }
  if (!r.failed)
    read_groups(&r, &L, ga);
  if (!r.failed && conn >= (gint64)m->connections) {
    if (m->connections == 0)
      g_set_error(error, KS_METRICS_ERROR, 0,
                  "--conn %" G_GINT64_FORMAT ": the run has no connections", conn);
    else
      g_set_error(error, KS_METRICS_ERROR, 0,
                  "--conn %" G_GINT64_FORMAT ": the run has connections 0 to %u", conn,
                  m->connections - 1);
    r.failed = TRUE;
  }
  if (!r.failed && !m->wire_counted) {
    g_autofree char *trace = ks_lines_find(run_dir, "trace.jsonl");
    if (!g_file_test(trace, G_FILE_TEST_IS_REGULAR)) {
      g_set_error(error, KS_METRICS_ERROR, 0,
                  "%s: not a run folder (kasim run writes summary.json and trace.jsonl there)",
                  run_dir);
      r.failed = TRUE;
    } else {
      wire_ctx x = {.m = m, .conn_group = L.conn_group, .bad_conn = -1};
      if (!ks_trace_read(trace, on_rec, &x, error))
        r.failed = TRUE;
      else if (x.bad_conn != -1) {
        g_set_error(error, KS_METRICS_ERROR, 0,
                    "%s: a probe of connection %" G_GINT64_FORMAT
                    ", which summary.json does not list",
                    trace, x.bad_conn);
        r.failed = TRUE;
      }
    }
  }
  if (!r.failed)
    finish(&L, tot);
  g_free(L.bins);
  if (L.conn_group)
    g_array_unref(L.conn_group);
  g_hash_table_unref(L.groups);
  if (r.failed) {
    ks_metrics_free(m);
    return NULL;
  }
  return m;
}

/* --- JSON for sweeps. ---------------------------------------------------- */

void ks_metrics_foreach_scalar(const ks_run_metrics *m, ks_metrics_scalar_fn fn, void *ud) {
#define I(k, v) fn(k, TRUE, (guint64)(v), 0, ud)
#define D(k, v) fn(k, FALSE, 0, v, ud)
  I("connections", m->connections);
  I("closed", m->closed);
  I("alive", m->alive);
  I("keepalive_timeouts", m->keepalive_timeouts);
  I("retransmission_timeouts", m->retransmission_timeouts);
  I("user_timeouts", m->user_timeouts);
  I("resets", m->resets);
  I("failed", m->failed);
  I("detected", m->detected);
  I("undetected", m->undetected);
  I("survived_failures", m->survived_failures);
  I("false_giveups", m->false_giveups);
  I("middlebox_conns", m->middlebox_conns);
  I("middlebox_survivors", m->middlebox_survivors);
  D("latency_mean_s", m->latency_mean_s);
  D("latency_p50_s", m->latency_p50_s);
  D("latency_p95_s", m->latency_p95_s);
  D("latency_max_s", m->latency_max_s);
  I("probes_sent", m->probes_sent);
  I("probes_answered", m->probes_answered);
  I("wire_probes", m->wire_probes);
  I("wire_probe_acks", m->wire_probe_acks);
  I("probe_wire_bytes", m->probe_wire_bytes);
  D("virtual_time_s", m->virtual_time_s);
  D("probes_per_s", m->probes_per_s);
  D("probe_bytes_per_s", m->probe_bytes_per_s);
  D("giveups_start_s", m->giveups_start_s);
  I("peak_giveups_per_s", m->peak_giveups_per_s);
#undef I
#undef D
}

static void json_scalar(const char *name, gboolean is_int, guint64 count, double value, void *ud) {
  JsonBuilder *b = ud;
  json_builder_set_member_name(b, name);
  if (is_int)
    json_builder_add_int_value(b, (gint64)count);
  else if (isnan(value) || isinf(value))
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, value);
}

void ks_metrics_to_json(const ks_run_metrics *m, JsonBuilder *b) {
  json_builder_begin_object(b);
  ks_metrics_foreach_scalar(m, json_scalar, b);
  json_builder_end_object(b);
}
