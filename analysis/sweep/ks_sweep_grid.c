/* ks_sweep_grid.c - a sweep's --grid, --zip and --set arguments as axes
 * of values, and a combination's NAME=VALUE lines.  Only text: the values
 * are checked against the scenario by ks_sweep_plan_new, so that this part
 * is fuzzed on its own (fuzz/fuzz_grid.c). */
#include <string.h>

#include "ks_sweep.h"

static void col_free(gpointer p) {
  ks_sweep_col *c = p;
  g_free(c->name);
  g_ptr_array_free(c->values, TRUE);
  g_free(c);
}

static void axis_free(gpointer p) {
  ks_sweep_axis *a = p;
  g_ptr_array_free(a->cols, TRUE);
  g_free(a);
}

/* "NAME=V1,V2,..."; with a ';' anywhere the values are split at ';'
 * instead, so SIO_KEEPALIVE_VALS=1,30000,1000;1,60000,1000 works (a single
 * such value ends with ';').  `opt` is the option's name for messages. */
static ks_sweep_col *parse_grid(const char *opt, const char *arg, gboolean single, gboolean zip,
                                GError **error) {
  const char *eq = strchr(arg, '=');
  if (eq == NULL || eq == arg || eq[1] == '\0') {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "%s %s: expected %s", opt, arg,
                single ? "NAME=VALUE" : "NAME=VALUE,VALUE,...");
    return NULL;
  }
  ks_sweep_col *a = g_new0(ks_sweep_col, 1);
  a->name = g_strndup(arg, (gsize)(eq - arg));
  a->values = g_ptr_array_new_with_free_func(g_free);
  if (single) { /* --set: one value, commas and all */
    g_ptr_array_add(a->values, g_strdup(eq + 1));
    return a;
  }
  const char *sep = strchr(eq + 1, ';') ? ";" : ",";
  g_auto(GStrv) parts = g_strsplit(eq + 1, sep, -1);
  guint n = g_strv_length(parts);
  if (*sep == ';' && n > 1 && parts[n - 1][0] == '\0')
    n--; /* a trailing ';' */
  for (guint i = 0; i < n; i++) {
    const char *v = parts[i];
    const char *problem = NULL;
    if (v[0] == '\0')
      problem = "an empty value";
    /* A zipped column may repeat a value (the same setting for two
     * profiles): the axis's first column tells its values apart. */
    for (guint j = 0; problem == NULL && !zip && j < a->values->len; j++)
      if (strcmp(a->values->pdata[j], v) == 0)
        problem = "a value is listed twice";
    if (problem) {
      g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "%s %s: %s", opt, arg, problem);
      col_free(a);
      return NULL;
    }
    g_ptr_array_add(a->values, g_strdup(v));
  }
  return a;
}

gboolean ks_sweep_plan_parse_grids(ks_sweep_plan *s, char **grids, GError **error) {
  if (s->axes == NULL) {
    s->axes = g_ptr_array_new_with_free_func(axis_free);
    s->cols = g_ptr_array_new();
    s->combos = 1;
  }
  for (char **g = grids; *g; g++) {
    gboolean zip = (*g)[0] == '+', set = (*g)[0] == '=';
    int skip = zip || set;
    const char *opt = zip ? "--zip" : set ? "--set" : "--grid";
    ks_sweep_col *c = parse_grid(opt, *g + skip, set, zip, error);
    if (c == NULL)
      return FALSE;
    for (guint i = 0; i < s->cols->len; i++)
      if (strcmp(((ks_sweep_col *)s->cols->pdata[i])->name, c->name) == 0) {
        g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "%s %s: %s is given twice", opt,
                    *g + skip, c->name);
        col_free(c);
        return FALSE;
      }
    ks_sweep_axis *a;
    if (zip) {
      if (s->axes->len == 0) {
        g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,
                    "--zip %s: a --zip joins the --grid before it, and there is none", *g + 1);
        col_free(c);
        return FALSE;
      }
      a = s->axes->pdata[s->axes->len - 1];
      if (c->values->len != a->n) {
        g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,
                    "--zip %s: %u value%s, but the --grid it joins (%s) has %u", *g + 1,
                    c->values->len, c->values->len == 1 ? "" : "s",
                    ((ks_sweep_col *)a->cols->pdata[0])->name, a->n);
        col_free(c);
        return FALSE;
      }
    } else {
      a = g_new0(ks_sweep_axis, 1);
      a->cols = g_ptr_array_new_with_free_func(col_free);
      a->n = c->values->len;
      g_ptr_array_add(s->axes, a);
      s->combos *= a->n;
    }
    g_ptr_array_add(a->cols, c);
    g_ptr_array_add(s->cols, c);
    if (s->combos * s->seeds > KS_SWEEP_MAX_CELLS) {
      g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,
                  "more than %u cells (grid values times seeds)", KS_SWEEP_MAX_CELLS);
      return FALSE;
    }
  }
  return TRUE;
}

void ks_sweep_combo_sets_into(const ks_sweep_plan *s, guint64 combo, char **sets) {
  guint m = s->cols->len;
  for (guint i = s->axes->len; i-- > 0;) {
    const ks_sweep_axis *a = s->axes->pdata[i];
    guint64 j = combo % a->n;
    combo /= a->n;
    for (guint c = a->cols->len; c-- > 0;) {
      const ks_sweep_col *col = a->cols->pdata[c];
      sets[--m] = g_strdup_printf("%s=%s", col->name, (const char *)col->values->pdata[j]);
    }
  }
  sets[s->cols->len] = NULL;
}

char **ks_sweep_combo_sets(const ks_sweep_plan *s, guint64 c) {
  char **sets = g_new0(char *, s->cols->len + 1);
  ks_sweep_combo_sets_into(s, c, sets);
  return sets;
}
