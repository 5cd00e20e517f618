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

static int cmp_double(gconstpointer a, gconstpointer b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void group_free(gpointer p) {
  ks_group_metrics *g = p;
  g_free(g->name);
  g_free(g->profile);
  g_free(g->ka_profile);
  g_array_unref(g->latencies_s);
  g_free(g);
}

void ks_metrics_free(ks_run_metrics *m) {
  if (m == NULL)
    return;
  g_free(m->scenario);
  if (m->latencies_s)
    g_array_unref(m->latencies_s);
  if (m->giveups_per_s)
    g_array_unref(m->giveups_per_s);
  if (m->groups)
    g_ptr_array_unref(m->groups);
  if (m->conns)
    g_array_unref(m->conns);
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

static guint8 reason_of(reader *r, const char *where, const char *s) {
  static const char *const names[] = {"keepalive_timeout", "retransmission_timeout", "user_timeout",
                                      "reset_by_peer"};
  if (s == NULL)
    return KS_REASON_NONE;
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (strcmp(s, names[i]) == 0)
      return (guint8)(i + 1);
  bad(r, where, "unknown \"close_reason\"");
  return KS_REASON_NONE;
}

/* One connection into the run's and its group's counts. */
static void add_conn(ks_run_metrics *m, GHashTable *groups, ks_conn_metrics cm, guint i,
                     const char *group, const char *profile, const char *side, double sent,
                     double answered, double mbs) {
  cm.id = i;
  cm.client_side = g_strcmp0(side, "client") == 0;
  gpointer gi;
  if (!g_hash_table_lookup_extended(groups, group, NULL, &gi)) {
    ks_group_metrics *g = g_new0(ks_group_metrics, 1);
    g->name = g_strdup(group);
    g->profile = g_strdup(profile);
    g->latencies_s = g_array_new(FALSE, FALSE, sizeof(double));
    g_ptr_array_add(m->groups, g);
    gi = GUINT_TO_POINTER(m->groups->len - 1);
    g_hash_table_insert(groups, g->name, gi);
  }
  cm.group = GPOINTER_TO_UINT(gi);
  ks_group_metrics *g = m->groups->pdata[cm.group];
  g->connections++;
  m->probes_sent += (guint64)sent;
  m->probes_answered += (guint64)answered;
  gboolean closed = !isnan(cm.closed_at_s), failed = !isnan(cm.failure_at_s);
  m->closed += closed;
  switch (cm.reason) {
  case KS_REASON_KEEPALIVE: m->keepalive_timeouts++; break;
  case KS_REASON_RETRANSMISSION: m->retransmission_timeouts++; break;
  case KS_REASON_USER_TIMEOUT: m->user_timeouts++; break;
  case KS_REASON_RESET: m->resets++; break;
  default: break;
  }
  m->failed += failed;
  m->false_giveups += cm.false_giveup;
  g->false_giveups += cm.false_giveup;
  if (failed && closed && !cm.false_giveup) {
    double lat = cm.closed_at_s - cm.failure_at_s;
    m->detected++;
    g->detected++;
    g_array_append_val(m->latencies_s, lat);
    g_array_append_val(g->latencies_s, lat);
  }
  if (failed && !closed)
    cm.recovered ? m->survived_failures++ : m->undetected++;
  if (mbs > 0) {
    m->middlebox_conns++;
    m->middlebox_survivors += !closed && !failed;
  }
  g_array_append_val(m->conns, cm);
}

/* --- connections.csv: a large run's connections (docs/output.md). ------- */

/* Splits one line into fields as RFC 4180 says (quotes around a field,
 * doubled inside it); FALSE on a quote left open. */
static gboolean csv_split(char *line, GPtrArray *out) {
  g_ptr_array_set_size(out, 0);
  char *p = line;
  for (;;) {
    char *start = p, *w = p;
    if (*p == '"') {
      start = w = ++p;
      for (;;) {
        if (*p == '\0')
          return FALSE;
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
        return FALSE;
    } else {
      while (*p && *p != ',')
        p++;
      w = p;
    }
    char end = *p;
    *w = '\0';
    g_ptr_array_add(out, start);
    if (end == '\0')
      return TRUE;
    p++;
  }
}

static const char *const csv_columns[] = {"id",        "group",        "profile",
                                          "side",      "closed_at_s",  "close_reason",
                                          "error",     "probes_sent",  "probes_answered",
                                          "last_rx_s", "failure_at_s", "failure",
                                          "recovered", "false_giveup", "middleboxes"};

static gboolean csv_num(const char *s, gboolean nullable, double *v) {
  if (*s == '\0') {
    *v = NAN;
    return nullable;
  }
  char *end;
  *v = g_ascii_strtod(s, &end);
  return *end == '\0' && isfinite(*v);
}

/* Reads every row in one pass, a line at a time: memory for the
 * connections' records only, never the file. */
static gboolean load_csv(ks_run_metrics *m, GHashTable *groups, const char *path, GError **error) {
  ks_lines *f = ks_lines_open(path);
  if (f == NULL) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: %s (summary.json lists no connections: a large "
                "run keeps them there)",
                path, g_strerror(errno));
    return FALSE;
  }
  GPtrArray *fields = g_ptr_array_new();
  char *line;
  gsize len;
  guint row = 0;
  gboolean ok = TRUE;
  reader r = {.path = path, .error = error};
  while (ok && (line = ks_lines_next(f, &len)) != NULL) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    char where[48];
    g_snprintf(where, sizeof where, "line %u", row + 1);
    if (!csv_split(line, fields) || fields->len != G_N_ELEMENTS(csv_columns)) {
      bad(&r, where, "not 15 comma-separated fields");
      ok = FALSE;
      break;
    }
    if (row++ == 0) {
      for (guint k = 0; k < fields->len && ok; k++)
        if (strcmp(fields->pdata[k], csv_columns[k]) != 0)
          bad(&r, where, "not connections.csv's header"), ok = FALSE;
      continue;
    }
    char **c = (char **)fields->pdata;
    ks_conn_metrics cm = {0};
    double id, sent, answered, mbs, last_rx;
    ok = csv_num(c[0], FALSE, &id) && csv_num(c[4], TRUE, &cm.closed_at_s) &&
         csv_num(c[7], FALSE, &sent) && csv_num(c[8], FALSE, &answered) &&
         csv_num(c[9], TRUE, &last_rx) && csv_num(c[10], TRUE, &cm.failure_at_s) &&
         csv_num(c[14], FALSE, &mbs) &&
         (strcmp(c[12], "true") == 0 || strcmp(c[12], "false") == 0) &&
         (strcmp(c[13], "true") == 0 || strcmp(c[13], "false") == 0);
    if (!ok) {
      bad(&r, where, "a number or a true/false is not one");
      break;
    }
    if (id != (double)(row - 2)) {
      bad(&r, where, "\"id\" is not the connection's index");
      ok = FALSE;
      break;
    }
    cm.reason = *c[5] ? reason_of(&r, where, c[5]) : KS_REASON_NONE;
    if (r.failed) {
      ok = FALSE;
      break;
    }
    cm.error = *c[6] ? g_intern_string(c[6]) : NULL;
    cm.failure = *c[11] ? g_intern_string(c[11]) : NULL;
    cm.recovered = strcmp(c[12], "true") == 0;
    cm.false_giveup = strcmp(c[13], "true") == 0;
    add_conn(m, groups, cm, row - 2, c[1], c[2], c[3], sent, answered, mbs);
  }
  if (ok && ks_lines_failed(f))
    bad(&r, NULL, ks_lines_failed(f)), ok = FALSE;
  if (ok && row == 0)
    bad(&r, NULL, "empty (no header)"), ok = FALSE;
  ks_lines_close(f);
  g_ptr_array_unref(fields);
  return ok;
}

static gboolean load_summary(ks_run_metrics *m, const char *path, GError **error) {
  JsonParser *p = json_parser_new();
  GError *e = NULL;
  if (!json_parser_load_from_file(p, path, &e)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: %s", path, e->message);
    g_error_free(e);
    g_object_unref(p);
    return FALSE;
  }
  reader r = {.path = path, .error = error};
  JsonNode *root = json_parser_get_root(p);
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
  if (r.failed) {
    g_object_unref(p);
    return FALSE;
  }
  m->scenario = g_strdup(scen);
  m->seed = seed >= 0 ? (guint64)seed : 0;
  JsonArray *a = cn ? json_node_get_array(cn) : NULL;
  GHashTable *groups = g_hash_table_new(g_str_hash, g_str_equal);
  guint n = a ? json_array_get_length(a) : 0;
  if (cn == NULL) {
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *csv = ks_lines_find(dir, "connections.csv");
    if (!load_csv(m, groups, csv, error))
      r.failed = TRUE;
    n = m->conns->len;
  }
  for (guint i = 0; a && i < n && !r.failed; i++) {
    char where[48];
    g_snprintf(where, sizeof where, "connections[%u]", i);
    JsonNode *en = json_array_get_element(a, i);
    JsonObject *c = JSON_NODE_HOLDS_OBJECT(en) ? json_node_get_object(en) : NULL;
    if (c == NULL) {
      bad(&r, where, "not an object");
      break;
    }
    ks_conn_metrics cm = {0};
    double id = num(&r, c, where, "id", FALSE);
    const char *group = str(&r, c, where, "group", FALSE);
    const char *profile = str(&r, c, where, "profile", FALSE);
    const char *side = str(&r, c, where, "side", FALSE);
    cm.closed_at_s = num(&r, c, where, "closed_at_s", TRUE);
    cm.reason = reason_of(&r, where, str(&r, c, where, "close_reason", TRUE));
    cm.error = g_intern_string(str(&r, c, where, "error", TRUE));
    double sent = num(&r, c, where, "probes_sent", FALSE);
    double answered = num(&r, c, where, "probes_answered", FALSE);
    cm.failure_at_s = num(&r, c, where, "failure_at_s", TRUE);
    cm.failure = g_intern_string(str(&r, c, where, "failure", TRUE));
    cm.recovered = boolean(&r, c, where, "recovered");
    cm.false_giveup = boolean(&r, c, where, "false_giveup");
    double mbs = num(&r, c, where, "middleboxes", FALSE);
    if (r.failed)
      break;
    if (id != (double)i) {
      bad(&r, where, "\"id\" is not the connection's index");
      break;
    }
    add_conn(m, groups, cm, i, group, profile, side, sent, answered, mbs);
  }
  /* The probes every socket put on the wire, counted by the run itself
   * (kasim run since issue 20), whatever its trace level. */
  JsonObject *tot = !r.failed && json_object_has_member(o, "totals") &&
                        JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "totals"))
                      ? json_object_get_object_member(o, "totals")
                      : NULL;
  JsonArray *ga = !r.failed && json_object_has_member(o, "groups") &&
                      JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "groups"))
                    ? json_object_get_array_member(o, "groups")
                    : NULL;
  if (tot && ga && json_object_has_member(tot, "wire_probes")) {
    m->wire_probes = (guint64)num(&r, tot, "totals", "wire_probes", FALSE);
    m->wire_probe_acks = (guint64)num(&r, tot, "totals", "wire_probe_acks", FALSE);
    m->probe_wire_bytes = (guint64)num(&r, tot, "totals", "probe_wire_bytes", FALSE);
    for (guint i = 0; i < json_array_get_length(ga) && !r.failed; i++) {
      JsonNode *gn = json_array_get_element(ga, i);
      JsonObject *go = JSON_NODE_HOLDS_OBJECT(gn) ? json_node_get_object(gn) : NULL;
      const char *name = str(&r, go, "groups", "name", FALSE);
      gpointer gi;
      if (name == NULL || !g_hash_table_lookup_extended(groups, name, NULL, &gi))
        continue; /* a group without connections */
      ks_group_metrics *g = m->groups->pdata[GPOINTER_TO_UINT(gi)];
      g->wire_probes = (guint64)num(&r, go, "groups", "wire_probes", FALSE);
      g->wire_probe_acks = (guint64)num(&r, go, "groups", "wire_probe_acks", FALSE);
      g->probe_wire_bytes = (guint64)num(&r, go, "groups", "probe_wire_bytes", FALSE);
    }
    m->wire_counted = TRUE;
  }
  for (guint i = 0; ga && i < json_array_get_length(ga) && !r.failed; i++) {
    JsonNode *gn = json_array_get_element(ga, i);
    JsonObject *go = JSON_NODE_HOLDS_OBJECT(gn) ? json_node_get_object(gn) : NULL;
    JsonNode *kn = go ? json_object_get_member(go, "keepalive") : NULL;
    gpointer gi;
    const char *name = go && json_object_has_member(go, "name")
                         ? json_object_get_string_member(go, "name")
                         : NULL;
    if (kn == NULL || !JSON_NODE_HOLDS_OBJECT(kn) || name == NULL ||
        !g_hash_table_lookup_extended(groups, name, NULL, &gi))
      continue;
    JsonObject *k = json_node_get_object(kn);
    ks_group_metrics *g = m->groups->pdata[GPOINTER_TO_UINT(gi)];
    g->ka_profile = g_strdup(str(&r, k, "groups[].keepalive", "profile", FALSE));
    g->ka_probing = boolean(&r, k, "groups[].keepalive", "probing");
    g->ka_idle_s = num(&r, k, "groups[].keepalive", "idle_s", FALSE);
    g->ka_intvl_s = num(&r, k, "groups[].keepalive", "interval_s", FALSE);
    g->ka_cnt = (guint32)num(&r, k, "groups[].keepalive", "count", FALSE);
    g->ka_hz = (guint32)num(&r, k, "groups[].keepalive", "hz", FALSE);
    g->ka_known = !r.failed;
  }
  g_hash_table_unref(groups);
  g_object_unref(p);
  if (r.failed)
    return FALSE;
  m->connections = n;
  m->alive = n - m->closed;
  return TRUE;
}

/* --- trace.jsonl: what went over the wire. ------------------------------ */

typedef struct wire_ctx {
  ks_run_metrics *m;
  const char *path;
  gint64 bad_conn;
} wire_ctx;

static gboolean on_rec(const ks_trace_rec *r, void *ud) {
  wire_ctx *x = ud;
  if (r->ev != KS_TRACE_SEND || (r->kind != KS_SEG_KEEPALIVE && r->kind != KS_SEG_KEEPALIVE_ACK))
    return TRUE;
  if (r->conn < 0 || r->conn >= (gint64)x->m->conns->len) {
    x->bad_conn = r->conn;
    return FALSE;
  }
  const ks_conn_metrics *c = &g_array_index(x->m->conns, ks_conn_metrics, r->conn);
  ks_group_metrics *g = x->m->groups->pdata[c->group];
  guint bytes = ks_wire_bytes(r->len);
  if (r->kind == KS_SEG_KEEPALIVE)
    x->m->wire_probes++, g->wire_probes++;
  else
    x->m->wire_probe_acks++, g->wire_probe_acks++;
  x->m->probe_wire_bytes += bytes;
  g->probe_wire_bytes += bytes;
  return TRUE;
}

static void finish(ks_run_metrics *m) {
  g_array_sort(m->latencies_s, cmp_double);
  for (guint i = 0; i < m->groups->len; i++) {
    ks_group_metrics *g = m->groups->pdata[i];
    g_array_sort(g->latencies_s, cmp_double);
  }
  guint n = m->latencies_s->len;
  m->latency_mean_s = m->latency_p50_s = m->latency_p95_s = m->latency_max_s = NAN;
  if (n > 0) {
    double sum = 0;
    for (guint i = 0; i < n; i++)
      sum += g_array_index(m->latencies_s, double, i);
    m->latency_mean_s = sum / n;
    m->latency_p50_s = ks_percentile(m->latencies_s, 50);
    m->latency_p95_s = ks_percentile(m->latencies_s, 95);
    m->latency_max_s = g_array_index(m->latencies_s, double, n - 1);
  }
  double vt = m->virtual_time_s;
  m->probes_per_s = vt > 0 ? (double)m->wire_probes / vt : 0;
  m->probe_bytes_per_s = vt > 0 ? (double)m->probe_wire_bytes / vt : 0;

  GArray *closes = g_array_new(FALSE, FALSE, sizeof(double));
  for (guint i = 0; i < m->conns->len; i++) {
    const ks_conn_metrics *c = &g_array_index(m->conns, ks_conn_metrics, i);
    if (c->reason != KS_REASON_NONE && !isnan(c->closed_at_s))
      g_array_append_val(closes, c->closed_at_s);
  }
  g_array_sort(closes, cmp_double);
  m->giveups_start_s = NAN;
  if (closes->len > 0) {
    double first = floor(g_array_index(closes, double, 0));
    double last = floor(g_array_index(closes, double, closes->len - 1));
    g_array_set_size(m->giveups_per_s, (guint)(last - first) + 1);
    memset(m->giveups_per_s->data, 0, m->giveups_per_s->len * sizeof(guint32));
    for (guint i = 0; i < closes->len; i++) {
      guint bin = (guint)(floor(g_array_index(closes, double, i)) - first);
      guint32 *v = &g_array_index(m->giveups_per_s, guint32, bin);
      if (++*v > m->peak_giveups_per_s)
        m->peak_giveups_per_s = *v;
    }
    m->giveups_start_s = first;
  }
  g_array_unref(closes);
}

ks_run_metrics *ks_metrics_load(const char *run_dir, GError **error) {
  g_autofree char *summary = g_build_filename(run_dir, "summary.json", NULL);
  g_autofree char *trace = ks_lines_find(run_dir, "trace.jsonl");
  if (!g_file_test(run_dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: no such folder", run_dir);
    return NULL;
  }
  if (!g_file_test(summary, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: not a run folder (kasim run writes summary.json and trace.jsonl there)",
                run_dir);
    return NULL;
  }
  ks_run_metrics *m = g_new0(ks_run_metrics, 1);
  m->latencies_s = g_array_new(FALSE, FALSE, sizeof(double));
  m->giveups_per_s = g_array_new(FALSE, TRUE, sizeof(guint32));
  m->groups = g_ptr_array_new_with_free_func(group_free);
  m->conns = g_array_new(FALSE, FALSE, sizeof(ks_conn_metrics));
  if (!load_summary(m, summary, error)) {
    ks_metrics_free(m);
    return NULL;
  }
  /* An older run counted its probes in the trace only. */
  if (!m->wire_counted && !g_file_test(trace, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: not a run folder (kasim run writes summary.json and trace.jsonl there)",
                run_dir);
    ks_metrics_free(m);
    return NULL;
  }
  wire_ctx x = {.m = m, .path = trace, .bad_conn = -1};
  if (!m->wire_counted && !ks_trace_read(trace, on_rec, &x, error)) {
    ks_metrics_free(m);
    return NULL;
  }
  if (x.bad_conn != -1) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: a probe of connection %" G_GINT64_FORMAT ", which summary.json does not list",
                trace, x.bad_conn);
    ks_metrics_free(m);
    return NULL;
  }
  finish(m);
  return m;
}

/* --- JSON for sweeps. ---------------------------------------------------- */

static void jnum(JsonBuilder *b, const char *k, double v) {
  json_builder_set_member_name(b, k);
  if (isnan(v) || isinf(v))
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, v);
}

static void jint(JsonBuilder *b, const char *k, guint64 v) {
  json_builder_set_member_name(b, k);
  json_builder_add_int_value(b, (gint64)v);
}

void ks_metrics_to_json(const ks_run_metrics *m, JsonBuilder *b) {
  json_builder_begin_object(b);
  jint(b, "connections", m->connections);
  jint(b, "closed", m->closed);
  jint(b, "alive", m->alive);
  jint(b, "keepalive_timeouts", m->keepalive_timeouts);
  jint(b, "retransmission_timeouts", m->retransmission_timeouts);
  jint(b, "user_timeouts", m->user_timeouts);
  jint(b, "resets", m->resets);
  jint(b, "failed", m->failed);
  jint(b, "detected", m->detected);
  jint(b, "undetected", m->undetected);
  jint(b, "survived_failures", m->survived_failures);
  jint(b, "false_giveups", m->false_giveups);
  jint(b, "middlebox_conns", m->middlebox_conns);
  jint(b, "middlebox_survivors", m->middlebox_survivors);
  jnum(b, "latency_mean_s", m->latency_mean_s);
  jnum(b, "latency_p50_s", m->latency_p50_s);
  jnum(b, "latency_p95_s", m->latency_p95_s);
  jnum(b, "latency_max_s", m->latency_max_s);
  jint(b, "probes_sent", m->probes_sent);
  jint(b, "probes_answered", m->probes_answered);
  jint(b, "wire_probes", m->wire_probes);
  jint(b, "wire_probe_acks", m->wire_probe_acks);
  jint(b, "probe_wire_bytes", m->probe_wire_bytes);
  jnum(b, "virtual_time_s", m->virtual_time_s);
  jnum(b, "probes_per_s", m->probes_per_s);
  jnum(b, "probe_bytes_per_s", m->probe_bytes_per_s);
  jnum(b, "giveups_start_s", m->giveups_start_s);
  jint(b, "peak_giveups_per_s", m->peak_giveups_per_s);
  json_builder_end_object(b);
}
