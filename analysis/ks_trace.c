/* ks_trace.c - trace.jsonl read back line by line; see ks_trace.h. */
#include "ks_trace.h"

#include <json-glib/json-glib.h>

#include "ks_lines.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "7210.020000640" -> nanoseconds, exactly (a double would round). */
static gboolean parse_time(const char *s, size_t len, gint64 *out) {
  gint64 sec = 0, frac = 0;
  size_t i = 0;
  int digits = 0;
  if (len == 0)
    return FALSE;
  for (; i < len && g_ascii_isdigit(s[i]); i++) {
    if (sec > G_MAXINT64 / 10 - 10)
      return FALSE;
    sec = sec * 10 + (s[i] - '0');
  }
  if (i == 0)
    return FALSE;
  if (i < len) {
    if (s[i++] != '.')
      return FALSE;
    for (; i < len && g_ascii_isdigit(s[i]) && digits < 9; i++, digits++)
      frac = frac * 10 + (s[i] - '0');
    if (i != len || digits == 0)
      return FALSE;
  }
  for (; digits < 9; digits++)
    frac *= 10;
  if (sec > G_MAXINT64 / 1000000000 - 1)
    return FALSE;
  *out = sec * 1000000000 + frac;
  return TRUE;
}

static gboolean parse_uint(const char *s, size_t len, guint64 max, guint64 *out) {
  guint64 v = 0;
  if (len == 0)
    return FALSE;
  for (size_t i = 0; i < len; i++) {
    if (!g_ascii_isdigit(s[i]) || v > (max - (guint64)(s[i] - '0')) / 10)
      return FALSE;
    v = v * 10 + (guint64)(s[i] - '0');
  }
  *out = v;
  return TRUE;
}

static void copy_str(char *dst, size_t cap, const char *s, size_t len) {
  len = len < cap - 1 ? len : cap - 1;
  memcpy(dst, s, len);
  dst[len] = '\0';
}

/* One flat object: {"key":value,...} with values numbers or strings
 * without escapes.  Returns a problem description, or NULL. */
static const char *parse_line(const char *p, ks_trace_rec *r) {
  memset(r, 0, sizeof *r);
  r->conn = r->host = r->target = -1;
  r->from_client = -1;
  r->kind = -1;
  gboolean have_t = FALSE, have_ev = FALSE;
  while (*p == ' ')
    p++;
  if (*p++ != '{')
    return "not a JSON object";
  for (;;) {
    if (*p != '"')
      return "expected a key";
    const char *k = ++p;
    while (*p && *p != '"')
      p++;
    if (*p != '"')
      return "unterminated key";
    size_t klen = (size_t)(p - k);
    p++;
    if (*p++ != ':')
      return "expected ':'";
    const char *v;
    size_t vlen;
    gboolean str = *p == '"';
    if (str) {
      v = ++p;
      while (*p && *p != '"' && *p != '\\')
        p++;
      if (*p != '"')
        return "a string with an escape or no end (kasim writes neither)";
      vlen = (size_t)(p - v);
      p++;
    } else {
      v = p;
      while (*p && *p != ',' && *p != '}')
        p++;
      vlen = (size_t)(p - v);
    }
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(k, name, klen) == 0)
    guint64 u = 0;
    if (KEY("t")) {
      if (str || !parse_time(v, vlen, &r->t_ns))
        return "bad \"t\"";
      have_t = TRUE;
    } else if (KEY("ev")) {
      int i = ks_net_trace_kind_of(v, vlen);
      if (!str || i < 0)
        return "unknown \"ev\"";
      r->ev = (ks_trace_kind)i;
      have_ev = TRUE;
    } else if (KEY("kind")) {
      int i = ks_net_seg_kind_of(v, vlen);
      if (!str || i < 0)
        return "unknown \"kind\"";
      r->kind = (gint8)i;
    } else if (KEY("dir")) {
      if (!str || vlen != 3 || (memcmp(v, "c2s", 3) != 0 && memcmp(v, "s2c", 3) != 0))
        return "bad \"dir\"";
      r->from_client = v[0] == 'c';
    } else if (KEY("conn") || KEY("host") || KEY("target")) {
      if (str || !parse_uint(v, vlen, G_MAXUINT32, &u))
        return "bad number";
      if (KEY("conn"))
        r->conn = (gint64)u;
      else if (KEY("host"))
        r->host = (gint64)u;
      else
        r->target = (gint64)u;
    } else if (KEY("seq") || KEY("ack") || KEY("len")) {
      if (str || !parse_uint(v, vlen, G_MAXUINT32, &u))
        return "bad number";
      if (KEY("seq"))
        r->seq = (guint32)u;
      else if (KEY("ack"))
        r->ack = (guint32)u;
      else
        r->len = (guint32)u;
    } else if (KEY("flags")) {
      copy_str(r->flags, sizeof r->flags, v, vlen);
    } else if (KEY("what")) {
      copy_str(r->what, sizeof r->what, v, vlen);
    } else if (KEY("error")) {
      copy_str(r->error, sizeof r->error, v, vlen);
    } /* other keys: a newer kasim's additions, ignored */
#undef KEY
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == '}')
      break;
    return "expected ',' or '}'";
  }
  p++;
  while (*p == ' ' || *p == '\n' || *p == '\r')
    p++;
  if (*p)
    return "text after the object";
  if (!have_t || !have_ev)
    return "no \"t\" or \"ev\"";
  return NULL;
}

/* A line about another connection than `only` (>= 0), told without
 * parsing it: its "conn" is another number.  Lines without one (scenario
 * events) are not. */
static gboolean other_conn(const char *line, gint64 only) {
  const char *p = only < 0 ? NULL : strstr(line, "\"conn\":");
  if (p == NULL)
    return FALSE;
  gint64 v = 0;
  for (p += 7; g_ascii_isdigit(*p) && v <= G_MAXUINT32; p++)
    v = v * 10 + (*p - '0');
  return v != only;
}

/* Every line, or with only >= 0 every line but other connections'. */
static gboolean read_trace(const char *path, gint64 only, ks_trace_rec_fn fn, void *ud,
                           GError **error) {
  ks_lines *f = ks_lines_open(path);
  if (f == NULL) {
    int e = errno;
    /* A run made with --trace none has none (docs/output.md). */
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: %s%s", path, g_strerror(e),
                e == ENOENT ? " (a run made with --trace none has no trace: run it again with "
                              "--trace all, or --trace conn=N for one connection)"
                            : "");
    return FALSE;
  }
  char *line;
  gsize len;
  guint64 n = 0;
  gboolean ok = TRUE;
  while ((line = ks_lines_next(f, &len)) != NULL) {
    n++;
    if ((len == 1 && line[0] == '\n') || other_conn(line, only))
      continue;
    ks_trace_rec r;
    const char *problem = parse_line(line, &r);
    if (problem) {
      g_set_error(error, KS_METRICS_ERROR, 0, "%s:%" G_GUINT64_FORMAT ": %s", path, n, problem);
      ok = FALSE;
      break;
    }
    if (!fn(&r, ud))
      break;
  }
  if (ok && ks_lines_failed(f)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: read error (%s)", path, ks_lines_failed(f));
    ok = FALSE;
  }
  ks_lines_close(f);
  return ok;
}

gboolean ks_trace_read(const char *path, ks_trace_rec_fn fn, void *ud, GError **error) {
  return read_trace(path, -1, fn, ud, error);
}

/* --- One connection. ----------------------------------------------------- */

typedef struct tl_ctx {
  guint32 conn;
  GArray *recs;
} tl_ctx;

static gboolean tl_collect(const ks_trace_rec *r, void *ud) {
  tl_ctx *c = ud;
  if (r->ev == KS_TRACE_SCENARIO || r->conn == (gint64)c->conn)
    g_array_append_val(c->recs, *r);
  return TRUE;
}

static GPtrArray *names_of(JsonObject *o, const char *key) {
  JsonNode *n = o ? json_object_get_member(o, key) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n))
    return NULL;
  JsonArray *a = json_node_get_array(n);
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *e = json_array_get_element(a, i);
    g_ptr_array_add(out, g_strdup(JSON_NODE_HOLDS_VALUE(e) &&
                                      json_node_get_value_type(e) == G_TYPE_STRING
                                    ? json_node_get_string(e)
                                    : "?"));
  }
  return out;
}

/* summary.json's "network": every name, and the group's path.  Missing or
 * malformed: nothing, and the picture falls back to indices. */
static void load_network(ks_timeline *tl, const char *run_dir, guint32 group) {
  g_autofree char *path = g_build_filename(run_dir, "summary.json", NULL);
  JsonParser *p = json_parser_new();
  if (json_parser_load_from_file(p, path, NULL) &&
      JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
    JsonObject *root = json_node_get_object(json_parser_get_root(p));
    JsonNode *nn = json_object_get_member(root, "network");
    JsonObject *net = nn && JSON_NODE_HOLDS_OBJECT(nn) ? json_node_get_object(nn) : NULL;
    JsonNode *gn = net ? json_object_get_member(net, "groups") : NULL;
    JsonArray *groups = gn && JSON_NODE_HOLDS_ARRAY(gn) ? json_node_get_array(gn) : NULL;
    JsonNode *g = groups && group < json_array_get_length(groups)
                    ? json_array_get_element(groups, group)
                    : NULL;
    JsonObject *go = g && JSON_NODE_HOLDS_OBJECT(g) ? json_node_get_object(g) : NULL;
    if (go) {
      tl->hosts = names_of(net, "hosts");
      tl->links = names_of(net, "links");
      tl->middleboxes = names_of(net, "middleboxes");
      tl->path_hosts = names_of(go, "hosts");
      tl->path_links = names_of(go, "links");
      tl->path_middleboxes = names_of(go, "middleboxes");
    }
  }
  g_object_unref(p);
}

/* Why the trace has nothing of connection `conn`, from the level the run
 * wrote it at, and how to get it. */
static void no_trace(GError **error, const char *run_dir, const char *level, guint32 conn,
                     gboolean file) {
  const char *why = !file ? "the run wrote no trace.jsonl (--trace none)"
                    : g_strcmp0(level, "conn") == 0
                      ? "the run traced only the connections its --trace "
                        "conn= listed"
                    : g_strcmp0(level, "failures") == 0
                      ? "it showed no sign of trouble, and the run's trace "
                        "(--trace failures, the default above 10,000 "
                        "connections) keeps only those that did"
                      : "trace.jsonl has none of its events";
  g_set_error(error, KS_METRICS_ERROR, KS_METRICS_ERROR_NO_TRACE,
              "%s: no events of connection %u to draw: %s; run it again with --trace conn=%u",
              run_dir, conn, why, conn);
}

ks_timeline *ks_timeline_load(const char *run_dir, const ks_run_metrics *m, GError **error) {
  if (m->connections == 0) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: the run has no connections", run_dir);
    return NULL;
  }
  const ks_conn_metrics *c = &m->story;
  g_autofree char *trace = ks_lines_find(run_dir, "trace.jsonl");
  if (m->trace_level && !g_file_test(trace, G_FILE_TEST_EXISTS)) {
    no_trace(error, run_dir, m->trace_level, c->id, FALSE);
    return NULL;
  }
  const ks_group_metrics *g = m->groups->pdata[c->group];
  ks_timeline *tl = g_new0(ks_timeline, 1);
  tl->scenario = g_strdup(m->scenario);
  tl->conn = c->id;
  tl->group = g_strdup(g->name);
  tl->profile = g_strdup(g->profile);
  tl->client_side = c->client_side;
  tl->failure_at_s = c->failure_at_s;
  tl->closed_at_s = c->closed_at_s;
  tl->false_giveup = c->false_giveup;
  tl->failure = c->failure;
  tl->error = c->error;
  tl->close_reason = ks_metrics_reason_name(c->reason);
  tl->recs = g_array_new(FALSE, FALSE, sizeof(ks_trace_rec));
  load_network(tl, run_dir, c->group);
  tl_ctx ctx = {.conn = tl->conn, .recs = tl->recs};
  if (!read_trace(trace, tl->conn, tl_collect, &ctx, error)) {
    ks_timeline_free(tl);
    return NULL;
  }
  guint own = 0;
  for (guint i = 0; i < tl->recs->len; i++)
    own += g_array_index(tl->recs, ks_trace_rec, i).ev != KS_TRACE_SCENARIO;
  /* A trace that holds part of the runs' connections may hold none of
   * this one: say so rather than draw an empty story. */
  if (own == 0 && m->trace_level && strcmp(m->trace_level, "all") != 0) {
    no_trace(error, run_dir, m->trace_level, c->id, TRUE);
    ks_timeline_free(tl);
    return NULL;
  }
  tl->partial = g_strcmp0(m->trace_level, "failures") == 0;
  return tl;
}

void ks_timeline_free(ks_timeline *tl) {
  if (tl == NULL)
    return;
  g_free(tl->scenario);
  g_free(tl->group);
  g_free(tl->profile);
  g_array_unref(tl->recs);
  GPtrArray **names[] = {&tl->hosts,      &tl->links,      &tl->middleboxes,
                         &tl->path_hosts, &tl->path_links, &tl->path_middleboxes};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    g_clear_pointer(names[i], g_ptr_array_unref);
  g_free(tl);
}
