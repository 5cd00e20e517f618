/* fuzz_grid.c - libFuzzer harness: the axes of `kasim sweep` and `kasim
 * tune` (ks_sweep_plan_parse_grids), as the command line hands them over.
 *
 * The first byte is the number of seeds less one; the rest is split at
 * newlines into at most 8 arguments: "+NAME=..." is a --zip, "=NAME=..." a
 * --set, anything else a --grid.  The values themselves reach the scenario
 * loader as `--set NAME=VALUE`, which fuzz_set covers.
 *
 * Besides memory safety: a refusal is one line; an accepted grid has a
 * name and at least one value in every column, no empty value, the
 * columns of an axis the same number of values, distinct values in an
 * axis's first column, names given once, as many
 * combinations as the product of the axes and at most KS_SWEEP_MAX_CELLS
 * cells; and combination c's NAME=VALUE lines are the values its mixed-
 * radix digits pick, the last axis fastest. */
#include <stdint.h>
#include <string.h>

#include "ks_sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_combo(const ks_sweep_plan *s, guint64 c) {
  char **sets = ks_sweep_combo_sets(s, c);
  guint k = s->cols->len;
  for (guint i = s->axes->len; i-- > 0;) {
    const ks_sweep_axis *a = s->axes->pdata[i];
    guint64 j = c % a->n;
    c /= a->n;
    for (guint m = a->cols->len; m-- > 0;) {
      const ks_sweep_col *col = a->cols->pdata[m];
      char *want = g_strconcat(col->name, "=", (const char *)col->values->pdata[j], NULL);
      if (k == 0 || strcmp(sets[--k], want) != 0)
        __builtin_trap();
      g_free(want);
    }
  }
  if (k != 0 || sets[s->cols->len] != NULL)
    __builtin_trap();
  g_strfreev(sets);
}

static void check_plan(const ks_sweep_plan *s) {
  guint64 combos = 1;
  GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < s->axes->len; i++) {
    const ks_sweep_axis *a = s->axes->pdata[i];
    if (a->n == 0 || a->cols->len == 0)
      __builtin_trap();
    combos *= a->n;
    for (guint m = 0; m < a->cols->len; m++) {
      const ks_sweep_col *col = a->cols->pdata[m];
      if (col->name[0] == '\0' || strchr(col->name, '=') || col->values->len != a->n ||
          !g_hash_table_add(names, col->name))
        __builtin_trap();
      GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
      for (guint j = 0; j < a->n; j++) {
        const char *v = col->values->pdata[j];
        if (v[0] == '\0' || (m == 0 && !g_hash_table_add(seen, (gpointer)v)))
          __builtin_trap();
      }
      g_hash_table_destroy(seen);
    }
  }
  g_hash_table_destroy(names);
  if (combos != s->combos || combos * s->seeds > KS_SWEEP_MAX_CELLS)
    __builtin_trap();
  check_combo(s, 0);
  check_combo(s, s->combos / 2);
  check_combo(s, s->combos - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  char *text = g_strndup((const char *)data + 1, size - 1); /* stops at a NUL, as argv would */
  char **args = g_strsplit(text, "\n", 9);
  if (g_strv_length(args) > 8) { /* the 9th holds the rest: dropped */
    g_free(args[8]);
    args[8] = NULL;
  }
  ks_sweep_plan s = {.seeds = 1u + data[0]};
  GError *error = NULL;
  if (ks_sweep_plan_parse_grids(&s, args, &error)) {
    if (s.axes->len > 0)
      check_plan(&s);
  } else if (error == NULL || error->message[0] == '\0' || strchr(error->message, '\n'))
    __builtin_trap();
  g_clear_error(&error);
  if (s.cols)
    g_ptr_array_free(s.cols, TRUE);
  if (s.axes)
    g_ptr_array_free(s.axes, TRUE);
  g_strfreev(args);
  g_free(text);
  return 0;
}
