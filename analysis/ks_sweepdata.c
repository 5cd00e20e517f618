/* ks_sweepdata.c - sweep.json read back; see ks_sweepdata.h. */
#include "ks_sweepdata.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "ks_metrics.h"

/* A grid value as text: strings as they are, numbers as JSON writes them,
 * so that "300" and 300 name the same value. */
static char *value_text(JsonNode *n) {
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return NULL;
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_STRING)
    return g_strdup(json_node_get_string(n));
  if (t == G_TYPE_INT64)
    return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
  if (t == G_TYPE_DOUBLE) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup(g_ascii_dtostr(buf, sizeof buf, json_node_get_double(n)));
  }
  return NULL;
}

static double metric(JsonObject *m, const char *name) {
  JsonNode *n = json_object_get_member(m, name);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return NAN;
  GType t = json_node_get_value_type(n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE ? json_node_get_double(n) : NAN;
}

void ks_sweepdata_free(ks_sweepdata *s) {
  if (s == NULL)
    return;
  for (guint i = 0; i < s->n_params; i++) {
    g_free(s->names[i]);
    g_ptr_array_unref(s->values[i]);
  }
  g_free(s->names);
  g_free(s->values);
  if (s->combos) {
    for (guint i = 0; i < s->combos->len; i++)
      g_free(g_array_index(s->combos, ks_sweepdata_combo, i).idx);
    g_array_unref(s->combos);
  }
  if (s->cells) {
    for (guint i = 0; i < s->cells->len; i++)
      g_free(g_array_index(s->cells, ks_sweepdata_cell, i).idx);
    g_array_unref(s->cells);
  }
  g_free(s);
}

#define FAIL(...)                                                  \
  do {                                                             \
    g_autofree char *msg_ = g_strdup_printf(__VA_ARGS__);          \
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: %s", path, msg_); \
    goto fail;                                                     \
  } while (0)

/* One CSV line's fields, RFC 4180 quotes undone. */
static char **csv_split(const char *line) {
  GPtrArray *f = g_ptr_array_new();
  GString *cur = g_string_new(NULL);
  gboolean q = FALSE;
  for (const char *c = line;; c++) {
    if (q && *c == '"' && c[1] == '"')
      g_string_append_c(cur, '"'), c++;
    else if (*c == '"')
      q = !q;
    else if ((*c == ',' && !q) || *c == '\0') {
      g_ptr_array_add(f, g_strdup(cur->str));
      g_string_truncate(cur, 0);
      if (*c == '\0')
        break;
    } else
      g_string_append_c(cur, *c);
  }
  g_string_free(cur, TRUE);
  g_ptr_array_add(f, NULL);
  return (char **)g_ptr_array_free(f, FALSE);
}

static double csv_number(const char *v) {
  if (v == NULL || *v == '\0')
    return NAN;
  if (strcmp(v, "inf") == 0)
    return INFINITY;
  if (strcmp(v, "-inf") == 0)
    return -INFINITY;
  return g_ascii_strtod(v, NULL);
}

/* stats.csv beside sweep.json, when there is one: its parameter columns
 * must be sweep.json's, in order, and each value one of the grid's. */
static gboolean load_stats(ks_sweepdata *s, const char *dir, GError **error) {
  g_autofree char *path = g_build_filename(dir, "stats.csv", NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return TRUE; /* an older sweep: the averaged heatmap */
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_auto(GStrv) head = csv_split(lines[0]);
  guint n = g_strv_length(head);
  int col[4] = {-1, -1, -1, -1};
  static const char *const want[4] = {"detection_n", "detection_p95_s", "false_giveup_rate",
                                      "overhead_bytes_per_s"};
  for (guint i = 0; i < n; i++)
    for (int w = 0; w < 4; w++)
      if (strcmp(head[i], want[w]) == 0)
        col[w] = (int)i;
  gboolean ok = n > s->n_params && strcmp(head[0], "index") == 0;
  for (guint k = 0; ok && k < s->n_params; k++)
    ok = strcmp(head[k + 1], s->names[k]) == 0;
  for (int w = 0; ok && w < 4; w++)
    ok = col[w] >= 0;
  if (!ok) {
    g_set_error(error, KS_METRICS_ERROR, 0,
                "%s: line 1: not the columns of the sweep.json beside it", path);
    return FALSE;
  }
  s->combos = g_array_new(FALSE, TRUE, sizeof(ks_sweepdata_combo));
  for (guint l = 1; lines[l] && lines[l][0]; l++) {
    g_auto(GStrv) f = csv_split(lines[l]);
    if (g_strv_length(f) != n) {
      g_set_error(error, KS_METRICS_ERROR, 0, "%s: line %u: %u fields, not %u", path, l + 1,
                  g_strv_length(f), n);
      return FALSE;
    }
    ks_sweepdata_combo c = {.idx = g_new0(guint, s->n_params)};
    for (guint k = 0; k < s->n_params; k++) {
      guint j = 0;
      while (j < s->values[k]->len && strcmp(s->values[k]->pdata[j], f[k + 1]) != 0)
        j++;
      if (j == s->values[k]->len) {
        g_set_error(error, KS_METRICS_ERROR, 0, "%s: line %u: %s=%s is not in the grid", path,
                    l + 1, s->names[k], f[k + 1]);
        g_free(c.idx);
        return FALSE;
      }
      c.idx[k] = j;
    }
    c.detection_n = csv_number(f[col[0]]);
    c.detection_p95_s = csv_number(f[col[1]]);
    c.false_giveup_rate = csv_number(f[col[2]]);
    c.overhead = csv_number(f[col[3]]);
    g_array_append_val(s->combos, c);
  }
  return TRUE;
}

ks_sweepdata *ks_sweepdata_load(const char *dir, GError **error) {
  g_autofree char *path = g_build_filename(dir, "sweep.json", NULL);
  JsonParser *p = json_parser_new();
  ks_sweepdata *s = g_new0(ks_sweepdata, 1);
  s->cells = g_array_new(FALSE, TRUE, sizeof(ks_sweepdata_cell));
  GError *e = NULL;
  if (!json_parser_load_from_file(p, path, &e)) {
    g_set_error(error, KS_METRICS_ERROR, 0, "%s: %s", path, e->message);
    g_error_free(e);
    goto fail_quiet;
  }
  JsonNode *root = json_parser_get_root(p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    FAIL("not a JSON object");
  JsonObject *o = json_node_get_object(root);
  JsonNode *gn = json_object_get_member(o, "grid");
  JsonNode *cn = json_object_get_member(o, "cells");
  if (gn == NULL || !JSON_NODE_HOLDS_OBJECT(gn))
    FAIL("no \"grid\" object");
  if (cn == NULL || !JSON_NODE_HOLDS_ARRAY(cn))
    FAIL("no \"cells\" array");
  JsonObject *grid = json_node_get_object(gn);
  /* json-glib keeps members in document order: the axes' order. */
  GList *names = json_object_get_members(grid);
  s->n_params = g_list_length(names);
  s->names = g_new0(char *, s->n_params + 1);
  s->values = g_new0(GPtrArray *, s->n_params + 1);
  guint k = 0;
  for (GList *l = names; l; l = l->next, k++) {
    s->names[k] = g_strdup(l->data);
    s->values[k] = g_ptr_array_new_with_free_func(g_free);
  }
  g_list_free(names);
  if (s->n_params == 0)
    FAIL("grid: no parameters");
  for (k = 0; k < s->n_params; k++) {
    JsonNode *vn = json_object_get_member(grid, s->names[k]);
    if (!JSON_NODE_HOLDS_ARRAY(vn) || json_array_get_length(json_node_get_array(vn)) == 0)
      FAIL("grid: \"%s\" is not a list of values", s->names[k]);
    JsonArray *va = json_node_get_array(vn);
    for (guint i = 0; i < json_array_get_length(va); i++) {
      char *t = value_text(json_array_get_element(va, i));
      if (t == NULL)
        FAIL("grid: \"%s\"[%u] is not a string or number", s->names[k], i);
      g_ptr_array_add(s->values[k], t);
    }
  }
  JsonArray *cells = json_node_get_array(cn);
  for (guint i = 0; i < json_array_get_length(cells); i++) {
    JsonNode *en = json_array_get_element(cells, i);
    if (!JSON_NODE_HOLDS_OBJECT(en))
      FAIL("cells[%u]: not an object", i);
    JsonObject *c = json_node_get_object(en);
    JsonNode *pn = json_object_get_member(c, "params");
    JsonNode *mn = json_object_get_member(c, "metrics");
    if (pn == NULL || !JSON_NODE_HOLDS_OBJECT(pn))
      FAIL("cells[%u]: no \"params\" object", i);
    if (mn == NULL || !JSON_NODE_HOLDS_OBJECT(mn))
      FAIL("cells[%u]: no \"metrics\" object", i);
    ks_sweepdata_cell cell = {0};
    g_array_append_val(s->cells, cell);
    ks_sweepdata_cell *cp = &g_array_index(s->cells, ks_sweepdata_cell, s->cells->len - 1);
    cp->idx = g_new0(guint, s->n_params);
    JsonObject *params = json_node_get_object(pn);
    for (k = 0; k < s->n_params; k++) {
      g_autofree char *v = value_text(json_object_get_member(params, s->names[k]));
      if (v == NULL)
        FAIL("cells[%u]: params: no value for \"%s\"", i, s->names[k]);
      guint j = 0;
      while (j < s->values[k]->len && strcmp(s->values[k]->pdata[j], v) != 0)
        j++;
      if (j == s->values[k]->len)
        FAIL("cells[%u]: params: %s=%s is not in the grid", i, s->names[k], v);
      cp->idx[k] = j;
    }
    JsonNode *sn = json_object_get_member(c, "seed");
    if (sn && JSON_NODE_HOLDS_VALUE(sn) && json_node_get_value_type(sn) == G_TYPE_INT64)
      cp->seed = (guint64)json_node_get_int(sn);
    JsonObject *m = json_node_get_object(mn);
    cp->latency_p50_s = metric(m, "latency_p50_s");
    cp->latency_mean_s = metric(m, "latency_mean_s");
    cp->probe_bytes_per_s = metric(m, "probe_bytes_per_s");
    cp->false_giveups = metric(m, "false_giveups");
    cp->closed = metric(m, "closed");
    cp->connections = metric(m, "connections");
    if (isnan(cp->probe_bytes_per_s))
      FAIL("cells[%u]: metrics: no \"probe_bytes_per_s\" number", i);
  }
  if (s->cells->len == 0)
    FAIL("no cells");
  g_object_unref(p);
  if (!load_stats(s, dir, error)) {
    ks_sweepdata_free(s);
    return NULL;
  }
  return s;
fail:
fail_quiet:
  g_object_unref(p);
  ks_sweepdata_free(s);
  return NULL;
}

void ks_sweepdata_points(const ks_sweepdata *s, guint px, guint py, ks_sweepdata_point *out) {
  guint nx = s->values[px]->len, ny = py == px ? 1 : s->values[py]->len;
  double *p50 = g_new0(double, nx *ny), *fg = g_new0(double, nx *ny);
  double *per_conn = g_new0(double, nx *ny);
  guint *n50 = g_new0(guint, nx * ny), *nfg = g_new0(guint, nx * ny);
  guint *npc = g_new0(guint, nx * ny);
  for (guint i = 0; i < nx * ny; i++)
    out[i] = (ks_sweepdata_point){.p50_s = NAN,
                                  .bytes_per_s = 0,
                                  .bytes_per_conn_s = NAN,
                                  .false_giveups = NAN};
  for (guint i = 0; i < s->cells->len; i++) {
    const ks_sweepdata_cell *c = &g_array_index(s->cells, ks_sweepdata_cell, i);
    guint at = (py == px ? 0 : c->idx[py]) * nx + c->idx[px];
    ks_sweepdata_point *o = &out[at];
    o->cells++;
    o->bytes_per_s += c->probe_bytes_per_s;
    if (!isnan(c->latency_p50_s))
      p50[at] += c->latency_p50_s, n50[at]++;
    if (!isnan(c->false_giveups))
      fg[at] += c->false_giveups, nfg[at]++;
    if (!isnan(c->connections) && c->connections > 0)
      per_conn[at] += c->probe_bytes_per_s / c->connections, npc[at]++;
  }
  for (guint i = 0; i < nx * ny; i++) {
    ks_sweepdata_point *o = &out[i];
    if (o->cells == 0) {
      o->bytes_per_s = NAN;
      continue;
    }
    o->bytes_per_s /= o->cells;
    if (n50[i])
      o->p50_s = p50[i] / n50[i];
    if (nfg[i])
      o->false_giveups = fg[i] / nfg[i];
    if (npc[i])
      o->bytes_per_conn_s = per_conn[i] / npc[i];
  }
  g_free(p50);
  g_free(fg);
  g_free(per_conn);
  g_free(n50);
  g_free(nfg);
  g_free(npc);
}
