/* ks_sweep.c - the plan of a sweep, its folder, its cells (each run, its
 * cell.json and the record the merge takes from it) and the merged
 * sweep.json, sweep.csv and stats.csv.  The worker processes that run the
 * cells are ks_sweep_pool.c's.  See ks_sweep.h and docs/sweep.md. */
#define _GNU_SOURCE /* flock(), syncfs() */
#include "ks_sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "ks_afile.h"
#include "ks_json.h"
#include "ks_metrics.h"
#include "ks_runner.h"
#include "ks_scenario.h"
#include "ks_stats.h"
#include "ks_sweep_priv.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-sweep-error-quark, ks_sweep_error)
// clang-format on

#define MANIFEST "sweep-args.json"

/* ---- files -------------------------------------------------------------- */

/* The built document as a file's text: numbers in their shortest
 * round-trip form, as every other JSON file of a run (ks_json.h), and a
 * line end.  Consumes the builder. */
static char *builder_text(JsonBuilder *b) {
  char *text = ks_json_finish(b);
  char *out = g_strconcat(text, "\n", NULL);
  g_free(text);
  return out;
}

/* A file renamed into place when whole; synced to disk first unless
 * `sync` is FALSE (the caller syncs several at once). */
static gboolean write_atomic(const char *dir, const char *name, const char *text, gboolean sync,
                             GError **error) {
  ks_afile *f = ks_afile_open(dir, name, error);
  if (f == NULL)
    return FALSE;
  if (!sync)
    ks_afile_no_sync(f);
  fputs(text, ks_afile_stream(f));
  return ks_afile_commit(f, error);
}

static void set_errno_error(GError **error, const char *path, int err) {
  g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED, "%s: %s", path, g_strerror(err));
}

/* A cell's cell.json, written as ".NAME.part" and renamed into place,
 * not synced: the cell's folder was made whole by its run (ks_outdir.h),
 * and a kill leaves cell.json whole or absent (a crash of the machine may
 * leave it empty).  A sweep takes a cell as complete only when its
 * cell.json parses, and runs it again otherwise.  Not write_atomic: a
 * folder made a moment ago holds no other writer's temporary, so
 * ks_afile's scan for stale ones, its unique name and its lock are work
 * every cell would pay for nothing (docs/performance.md). */
static gboolean write_new(const char *dir, const char *name, const GString *text, GError **error) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *part_name = g_strdup_printf(".%s.part", name);
  g_autofree char *part = g_build_filename(dir, part_name, NULL);
  int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return set_errno_error(error, path, errno), FALSE;
  gsize done = 0;
  int err = 0;
  while (done < text->len && err == 0) {
    ssize_t n = write(fd, text->str + done, text->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      err = n < 0 ? errno : ENOSPC;
    else
      done += (gsize)n;
  }
  if (close(fd) != 0 && err == 0)
    err = errno;
  if (err == 0 && rename(part, path) != 0)
    err = errno;
  if (err != 0) {
    unlink(part);
    return set_errno_error(error, path, err), FALSE;
  }
  return TRUE;
}

/* Removes a cell folder and what is in it; a missing one is fine. */
static gboolean rm_rf(const char *path, GError **error) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? TRUE : (set_errno_error(error, path, errno), FALSE);
  if (S_ISDIR(st.st_mode)) {
    GDir *d = g_dir_open(path, 0, NULL);
    if (d == NULL)
      return set_errno_error(error, path, errno), FALSE;
    gboolean ok = TRUE;
    for (const char *name; ok && (name = g_dir_read_name(d)) != NULL;) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      ok = rm_rf(child, error);
    }
    g_dir_close(d);
    if (!ok)
      return FALSE;
    if (rmdir(path) != 0)
      return set_errno_error(error, path, errno), FALSE;
    return TRUE;
  }
  if (unlink(path) != 0)
    return set_errno_error(error, path, errno), FALSE;
  return TRUE;
}

static gboolean file_exists(const char *dir, const char *name) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/* ---- text ---------------------------------------------------------------- */

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_field(GString *csv, const char *v) {
  if (strpbrk(v, ",\"\r\n") == NULL) {
    g_string_append(csv, v);
    return;
  }
  g_string_append_c(csv, '"');
  for (; *v; v++) {
    if (*v == '"')
      g_string_append_c(csv, '"');
    g_string_append_c(csv, *v);
  }
  g_string_append_c(csv, '"');
}

/* The shortest text that reads back as the same double, without an
 * exponent unless the number is huge or tiny: 120, 2.5, 0.001, 1e+20.
 * When a decimal of 15 digits or fewer reads back as v, %.15g is that
 * decimal with the fewest digits (DBL_DIG), so the fewest digits are 15,
 * 16 or 17's first fit; a plain number has no exponent at 17 digits. */
static void csv_double(GString *csv, double v) {
  static const char *const fmts[] = {"%.15g", "%.16g", "%.17g"};
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean plain = v == 0 || (fabs(v) >= 1e-4 && fabs(v) < 1e17);
  for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++) {
    g_ascii_formatd(buf, sizeof buf, fmts[i], v);
    if (g_ascii_strtod(buf, NULL) == v && (!plain || strchr(buf, 'e') == NULL))
      break;
  }
  g_string_append(csv, buf);
}

/* A string as json-glib writes it, in quotes: printable ASCII but for the
 * quote and the backslash goes as it is, anything else as json-glib
 * escapes it. */
static void json_quote(GString *out, const char *v) {
  const char *p = v;
  while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
    p++;
  if (*p == '\0') {
    g_string_append_c(out, '"');
    g_string_append_len(out, v, p - v);
    g_string_append_c(out, '"');
    return;
  }
  JsonNode *n = json_node_new(JSON_NODE_VALUE);
  json_node_set_string(n, v);
  char *q = json_to_string(n, FALSE);
  g_string_append(out, q);
  g_free(q);
  json_node_unref(n);
}

/* A finite double as the JSON files of a run write it (json, when not
 * NULL: ks_json_format_double) and as the CSV files do (csv, when not
 * NULL: csv_double), formatted once: the two differ only by the ".0" of
 * a whole number in JSON, and for a plain number that the shortest form
 * writes with an exponent. */
static void double_texts(double v, GString *json, GString *csv) {
  static const char *const fmts[] = {"%.15g", "%.16g", "%.17g"};
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++) {
    g_ascii_formatd(buf, sizeof buf, fmts[i], v);
    if (g_ascii_strtod(buf, NULL) == v)
      break;
  }
  gboolean e = strchr(buf, 'e') != NULL;
  if (json) {
    g_string_append(json, buf);
    if (!e && strchr(buf, '.') == NULL)
      g_string_append(json, ".0");
  }
  if (csv && e && (v == 0 || (fabs(v) >= 1e-4 && fabs(v) < 1e17)))
    csv_double(csv, v);
  else if (csv)
    g_string_append(csv, buf);
}

/* An integer, without printf's machinery (a merge writes millions). */
static void append_int(GString *out, gint64 v) {
  char buf[24], *p = buf + sizeof buf;
  guint64 u = v < 0 ? -(guint64)v : (guint64)v;
  do
    *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  g_string_append_len(out, p, buf + sizeof buf - p);
}

/* Each column's name and each of its values as JSON strings and CSV
 * fields, made once per sweep for every cell.json, sweep.json and CSV
 * row. */
typedef struct texts {
  GPtrArray *col_json, *col_csv; /* char*, per column */
  GPtrArray *val_json, *val_csv; /* per column, a GPtrArray of char* per value */
} texts;

static char *quoted(const char *v, gboolean csv) {
  GString *s = g_string_new(NULL);
  if (csv)
    csv_field(s, v);
  else
    json_quote(s, v);
  return g_string_free(s, FALSE);
}

static texts *texts_new(const ks_sweep_plan *s) {
  texts *t = g_new0(texts, 1);
  t->col_json = g_ptr_array_new_with_free_func(g_free);
  t->col_csv = g_ptr_array_new_with_free_func(g_free);
  t->val_json = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  t->val_csv = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  for (guint i = 0; i < s->cols->len; i++) {
    const ks_sweep_col *c = s->cols->pdata[i];
    g_ptr_array_add(t->col_json, quoted(c->name, FALSE));
    g_ptr_array_add(t->col_csv, quoted(c->name, TRUE));
    GPtrArray *vj = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *vc = g_ptr_array_new_with_free_func(g_free);
    for (guint j = 0; j < c->values->len; j++) {
      g_ptr_array_add(vj, quoted(c->values->pdata[j], FALSE));
      g_ptr_array_add(vc, quoted(c->values->pdata[j], TRUE));
    }
    g_ptr_array_add(t->val_json, vj);
    g_ptr_array_add(t->val_csv, vc);
  }
  return t;
}

static void texts_free(texts *t) {
  if (t == NULL)
    return;
  g_ptr_array_unref(t->col_json);
  g_ptr_array_unref(t->col_csv);
  g_ptr_array_unref(t->val_json);
  g_ptr_array_unref(t->val_csv);
  g_free(t);
}

static const char *val_json(const texts *t, guint col, guint j) {
  return ((GPtrArray *)t->val_json->pdata[col])->pdata[j];
}
static const char *val_csv(const texts *t, guint col, guint j) {
  return ((GPtrArray *)t->val_csv->pdata[col])->pdata[j];
}

/* Which value of each column combination c has. */
static void combo_values(const ks_sweep_plan *s, guint64 c, guint *value_at) {
  guint m = s->cols->len;
  for (guint i = s->axes->len; i-- > 0;) {
    const ks_sweep_axis *a = s->axes->pdata[i];
    guint j = (guint)(c % a->n);
    c /= a->n;
    for (guint k = a->cols->len; k-- > 0;)
      value_at[--m] = j;
  }
}

/* ---- the sweep ---------------------------------------------------------- */

static void keep_free(struct keep *kp);

void ks_sweep_plan_free(ks_sweep_plan *s) {
  if (s == NULL)
    return;
  if (s->lock_fd >= 0)
    close(s->lock_fd);
  g_free(s->scenario_path);
  g_free(s->scenario_name);
  g_free(s->scenario_sha256);
  if (s->cols)
    g_ptr_array_free(s->cols, TRUE);
  if (s->axes)
    g_ptr_array_free(s->axes, TRUE);
  g_free(s->out_dir);
  ks_scenario_src_free(s->src);
  keep_free(s->kept);
  texts_free(s->texts);
  g_free(s);
}

GPtrArray *ks_sweep_columns(const ks_sweep_plan *s) { return s->cols; }

/* The scenario with these --set values, on the sweep's engine; the
 * loader's "--set NAME=VALUE:" prefix becomes "--grid NAME=VALUE:". */
static gboolean check_sets(const ks_sweep_plan *s, char **sets, GError **error) {
  GError *e = NULL;
  ks_scenario *sc = ks_scenario_src_load(s->src, sets, &e);
  gboolean ok = sc != NULL && s->backend->check(sc, 0, &e);
  if (sc)
    ks_scenario_free(sc);
  if (ok)
    return TRUE;
  const char *msg = e->message;
  if (g_str_has_prefix(msg, "--set ") && g_str_has_prefix(msg + 6, "SIO_KEEPALIVE_VALS=") &&
      strchr(msg, ';') == NULL)
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,
                "--grid %s (separate values that hold commas with ';')", msg + 6);
  else if (g_str_has_prefix(msg, "--set "))
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "--grid %s", msg + 6);
  else
    g_set_error_literal(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, msg);
  g_error_free(e);
  return FALSE;
}

char **ks_sweep_cell_sets(const ks_sweep_plan *s, guint64 k) {
  return ks_sweep_combo_sets(s, k / s->seeds);
}

guint64 ks_sweep_cell_seed(const ks_sweep_plan *s, guint64 k) {
  return s->seed_base + k % s->seeds;
}

char *ks_sweep_cell_dir(const ks_sweep_plan *s, guint64 k) {
  char **sets = ks_sweep_cell_sets(s, k);
  GString *key = g_string_new(NULL);
  for (char **p = sets; *p; p++)
    g_string_append_printf(key, "%s\n", *p);
  g_strfreev(sets);
  char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)key->str, key->len);
  g_string_free(key, TRUE);
  char *dir = g_strdup_printf("cells/%.12s-%" G_GUINT64_FORMAT, sum, ks_sweep_cell_seed(s, k));
  g_free(sum);
  return dir;
}

ks_sweep_plan *ks_sweep_plan_new(const ks_sweep_args *args, GError **error) {
  ks_sweep_plan *s = g_new0(ks_sweep_plan, 1);
  s->lock_fd = -1;
  s->worker_leak_check = TRUE;
  s->scenario_path = g_strdup(args->scenario_path);
  s->seeds = args->seeds;
  s->seed_base = args->seed_base;
  s->pcap = args->pcap;
  s->compress = args->compress;
  s->backend = args->backend;
  char **sets = NULL;
  char *text = NULL;
  gsize len = 0;
  if (args->grids == NULL || args->grids[0] == NULL) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,
                "at least one --grid NAME=VALUE,VALUE,... is required");
    goto fail;
  }
  if (s->seeds == 0) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "--seeds must be at least 1");
    goto fail;
  }
  if (s->seed_base > G_MAXUINT64 - (s->seeds - 1)) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID,
                "--seed-base %" G_GUINT64_FORMAT ": the last seed would overflow", s->seed_base);
    goto fail;
  }
  if (!ks_sweep_plan_parse_grids(s, args->grids, error))
    goto fail;
  s->cells = s->combos * s->seeds;

  /* The scenario itself, then every value, then every combination; the
   * file is parsed once, for these checks and every cell's run. */
  GError *e = NULL;
  s->src = ks_scenario_src_new(args->scenario_path, NULL, 0, NULL, &e);
  ks_scenario *sc = s->src ? ks_scenario_src_load(s->src, NULL, &e) : NULL;
  if (sc == NULL) {
    g_set_error_literal(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, e->message);
    g_error_free(e);
    goto fail;
  }
  s->scenario_name = g_strdup(sc->name);
  ks_scenario_free(sc);
  if (!check_sets(s, NULL, error))
    goto fail;
  if (!g_file_get_contents(args->scenario_path, &text, &len, &e)) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_INVALID, "%s", e->message);
    g_error_free(e);
    goto fail;
  }
  s->scenario_sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
  /* Each value of an axis (its zipped columns together), then every
   * combination. */
  sets = g_new0(char *, s->cols->len + 1);
  for (guint i = 0; i < s->axes->len; i++) {
    const ks_sweep_axis *a = s->axes->pdata[i];
    for (guint j = 0; j < a->n; j++) {
      char **one = g_new0(char *, a->cols->len + 1);
      for (guint c = 0; c < a->cols->len; c++) {
        const ks_sweep_col *col = a->cols->pdata[c];
        one[c] = g_strdup_printf("%s=%s", col->name, (const char *)col->values->pdata[j]);
      }
      gboolean ok = check_sets(s, one, error);
      g_strfreev(one);
      if (!ok)
        goto fail;
    }
  }
  for (guint64 c = 0; s->axes->len > 1 && c < s->combos; c++) {
    ks_sweep_combo_sets_into(s, c, sets);
    gboolean ok = check_sets(s, sets, error);
    for (guint i = 0; i < s->cols->len; i++)
      g_clear_pointer(&sets[i], g_free);
    if (!ok)
      goto fail;
  }
  g_free(sets);
  g_free(text);
  s->out_dir = args->out_dir ? g_strdup(args->out_dir)
                             : g_strdup_printf("out/%s-sweep", s->scenario_name);
  s->texts = texts_new(s);
  return s;
fail:
  g_free(sets);
  g_free(text);
  ks_sweep_plan_free(s);
  return NULL;
}
/* The grid as {"NAME": ["V1", "V2"], ...}, in the order it was given
 * (zipped columns one after the other), then "axes": [["NAME"], ["NAME2",
 * "ZIPPED"], ...], which columns vary together. */
static void json_grid(JsonBuilder *b, const ks_sweep_plan *s) {
  json_builder_set_member_name(b, "grid");
  json_builder_begin_object(b);
  for (guint i = 0; i < s->cols->len; i++) {
    const ks_sweep_col *a = s->cols->pdata[i];
    json_builder_set_member_name(b, a->name);
    json_builder_begin_array(b);
    for (guint j = 0; j < a->values->len; j++)
      json_builder_add_string_value(b, a->values->pdata[j]);
    json_builder_end_array(b);
  }
  json_builder_end_object(b);
  json_builder_set_member_name(b, "axes");
  json_builder_begin_array(b);
  for (guint i = 0; i < s->axes->len; i++) {
    const ks_sweep_axis *a = s->axes->pdata[i];
    json_builder_begin_array(b);
    for (guint c = 0; c < a->cols->len; c++)
      json_builder_add_string_value(b, ((ks_sweep_col *)a->cols->pdata[c])->name);
    json_builder_end_array(b);
  }
  json_builder_end_array(b);
}

/* ---- the folder --------------------------------------------------------- */

static char *manifest_json(const ks_sweep_plan *s) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "kasim_version");
  json_builder_add_string_value(b, KASIM_VERSION);
  json_builder_set_member_name(b, "scenario");
  json_builder_add_string_value(b, s->scenario_name);
  json_builder_set_member_name(b, "scenario_sha256");
  json_builder_add_string_value(b, s->scenario_sha256);
  json_builder_set_member_name(b, "pcap");
  json_builder_add_boolean_value(b, s->pcap);
  /* Only when asked: a sweep begun before --compress existed resumes. */
  if (s->compress) {
    json_builder_set_member_name(b, "compress");
    json_builder_add_boolean_value(b, TRUE);
  }
  json_builder_set_member_name(b, "engine");
  json_builder_add_string_value(b, s->backend->name);
  json_builder_end_object(b);
  return builder_text(b);
}

/* Which of the manifest's members differ, as the user would name them. */
static char *manifest_diff(const char *old_text, const char *new_text) {
  static const struct {
    const char *key, *what;
  } keys[] = {{"kasim_version", "kasim version"},
              {"scenario", "scenario name"},
              {"scenario_sha256", "scenario file contents"},
              {"pcap", "--pcap"},
              {"compress", "--compress"},
              {"engine", "--engine"}};
  JsonParser *po = json_parser_new(), *pn = json_parser_new();
  GString *diff = g_string_new(NULL);
  gboolean older = FALSE;
  if (json_parser_load_from_data(po, old_text, -1, NULL) &&
      json_parser_load_from_data(pn, new_text, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT(json_parser_get_root(po))) {
    JsonObject *o = json_node_get_object(json_parser_get_root(po));
    JsonObject *n = json_node_get_object(json_parser_get_root(pn));
    /* Before cells were named by what they are, the grid was part of a
     * sweep's identity. */
    older = json_object_has_member(o, "grid");
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
      JsonNode *a = json_object_get_member(o, keys[i].key);
      JsonNode *b = json_object_get_member(n, keys[i].key);
      /* Either may lack a member written only when asked (compress). */
      char *ta = a ? json_to_string(a, FALSE) : NULL, *tb = b ? json_to_string(b, FALSE) : NULL;
      if (g_strcmp0(ta, tb) != 0)
        g_string_append_printf(diff, "%s%s", diff->len ? ", " : "", keys[i].what);
      g_free(ta);
      g_free(tb);
    }
  }
  if (diff->len == 0)
    g_string_append(diff, older ? "an older kasim sweep, whose cells are named by number"
                                : "its " MANIFEST " is not kasim's");
  g_object_unref(po);
  g_object_unref(pn);
  return g_string_free(diff, FALSE);
}

/* The lock is the out folder's own flock: no file to create or leave
 * behind.  Workers inherit the descriptor, so a folder stays locked until
 * the last worker of a killed sweep has gone; a new sweep waits a moment
 * for that. */
static gboolean lock_dir(ks_sweep_plan *s, GError **error) {
  s->lock_fd = open(s->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->lock_fd < 0)
    return set_errno_error(error, s->out_dir, errno), FALSE;
  for (int tries = 0; flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0; tries++) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return set_errno_error(error, s->out_dir, errno), FALSE;
    if (tries == 100) {
      g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_BUSY,
                  "%s: another kasim sweep is working in this folder", s->out_dir);
      return FALSE;
    }
    g_usleep(20000);
  }
  return TRUE;
}

gboolean ks_sweep_prepare(ks_sweep_plan *s, GError **error) {
  if (g_file_test(s->out_dir, G_FILE_TEST_EXISTS) && !g_file_test(s->out_dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_MISMATCH, "--out %s: not a folder",
                s->out_dir);
    return FALSE;
  }
  if (g_mkdir_with_parents(s->out_dir, 0755) != 0)
    return set_errno_error(error, s->out_dir, errno), FALSE;
  if (!lock_dir(s, error))
    return FALSE;
  g_autofree char *want = manifest_json(s);
  g_autofree char *path = g_build_filename(s->out_dir, MANIFEST, NULL);
  g_autofree char *have = NULL;
  if (g_file_get_contents(path, &have, NULL, NULL)) {
    if (strcmp(have, want) == 0)
      return TRUE;
    g_autofree char *diff = manifest_diff(have, want);
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_MISMATCH,
                "%s holds a sweep started with other arguments (%s); resume it with the same "
                "ones, or choose another --out",
                s->out_dir, diff);
    return FALSE;
  }
  /* No manifest: the folder must hold nothing of anyone's (hidden
   * temporaries of a sweep killed while starting are fine). */
  GDir *d = g_dir_open(s->out_dir, 0, NULL);
  if (d == NULL)
    return set_errno_error(error, s->out_dir, errno), FALSE;
  const char *name, *other = NULL;
  while ((name = g_dir_read_name(d)) != NULL && other == NULL)
    if (name[0] != '.')
      other = name;
  if (other) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_MISMATCH,
                "%s is not empty (%s) and holds no sweep; choose another --out", s->out_dir, other);
    g_dir_close(d);
    return FALSE;
  }
  g_dir_close(d);
  g_autofree char *cells = g_build_filename(s->out_dir, "cells", NULL);
  if (g_mkdir_with_parents(cells, 0755) != 0)
    return set_errno_error(error, cells, errno), FALSE;
  /* The manifest last: a folder with one was fully set up. */
  return write_atomic(s->out_dir, MANIFEST, want, TRUE, error);
}

/* ---- a cell's record --------------------------------------------------- */

/* What the merge takes from a cell: its metrics as its cell.json has them
 * (each an integer, a double or null, in ks_metrics_foreach_scalar's
 * order) and its detected connections' latencies, sorted.  A worker sends
 * it with its answer for the cell (ks_sweep_pool.c) and the sweep keeps it
 * for the merge, up to KEEP_BYTES of them; a cell run before, or whose
 * record was not kept, is read back from its cell.json instead.  The
 * numbers are the same either way: cell.json's read back exactly.  One
 * allocation: the counts, the values, the latencies, then the types. */
typedef union rec_val {
  gint64 i;
  double d;
} rec_val;

typedef struct rec {
  guint32 n, n_lat;
  rec_val v[];
} rec;

/* A million one-connection cells' records; past it, the merge reads the rest
 * back from their cell.json. */
#define KEEP_BYTES ((gsize)256 << 20)

static gsize rec_size(guint32 n, guint32 n_lat) {
  return sizeof(rec) + n * sizeof(rec_val) + n_lat * sizeof(double) + n;
}
static double *rec_lat(const rec *r) { return (double *)&r->v[r->n]; }
static guint8 *rec_type(const rec *r) { return (guint8 *)(rec_lat(r) + r->n_lat); }

static rec *rec_alloc(guint32 n, const rec_val *v, const guint8 *type, const double *lat,
                      guint32 n_lat) {
  rec *r = g_malloc(rec_size(n, n_lat));
  r->n = n;
  r->n_lat = n_lat;
  memcpy(r->v, v, n * sizeof *v);
  if (n_lat)
    memcpy(rec_lat(r), lat, n_lat * sizeof *lat);
  memcpy(rec_type(r), type, n);
  return r;
}

/* A run's metrics as they go into cell.json; each name, and a NUL, to
 * `names`.  With its latencies when they are exact (n_lat 0 otherwise:
 * cell.json holds their histogram, which the merge reads back). */
typedef struct scalars {
  GString *names;
  GArray *v;     /* rec_val */
  GByteArray *t; /* 'i', 'd', 'n' */
} scalars;

static void on_scalar(const char *name, gboolean is_int, guint64 count, double value, void *ud) {
  scalars *x = ud;
  g_string_append_len(x->names, name, (gssize)strlen(name) + 1);
  rec_val v = {0};
  guint8 t = 'n';
  if (is_int)
    v.i = (gint64)count, t = 'i';
  else if (!isnan(value) && !isinf(value))
    v.d = value, t = 'd';
  g_array_append_val(x->v, v);
  g_byte_array_append(x->t, &t, 1);
}

static rec *rec_of_metrics(const ks_run_metrics *m, GString *names) {
  scalars x = {names, g_array_new(FALSE, FALSE, sizeof(rec_val)), g_byte_array_new()};
  ks_metrics_foreach_scalar(m, on_scalar, &x);
  gboolean exact = ks_dist_exact(m->latency);
  rec *r = rec_alloc(x.v->len, (const rec_val *)x.v->data, x.t->data,
                     exact ? ks_dist_values(m->latency) : NULL,
                     exact ? (guint32)ks_dist_count(m->latency) : 0);
  g_array_free(x.v, TRUE);
  g_byte_array_free(x.t, TRUE);
  return r;
}

/* From a cell.json's "metrics" read back; each name, and a NUL, to
 * `names`.  NULL when a member is not a number or null. */
static rec *rec_of_json(JsonObject *m, GString *names) {
  guint32 n = json_object_get_size(m);
  rec_val *v = g_new0(rec_val, MAX(n, 1));
  guint8 *type = g_new0(guint8, MAX(n, 1));
  GList *members = json_object_get_members(m);
  guint32 i = 0;
  for (GList *l = members; l; l = l->next, i++) {
    JsonNode *node = json_object_get_member(m, l->data);
    g_string_append_len(names, l->data, (gssize)strlen(l->data) + 1);
    GType t = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;
    if (JSON_NODE_HOLDS_NULL(node))
      type[i] = 'n';
    else if (t == G_TYPE_INT64)
      type[i] = 'i', v[i].i = json_node_get_int(node);
    else if (t == G_TYPE_DOUBLE)
      type[i] = 'd', v[i].d = json_node_get_double(node);
    else
      break;
  }
  g_list_free(members);
  rec *r = i == n ? rec_alloc(n, v, type, NULL, 0) : NULL;
  g_free(v);
  g_free(type);
  return r;
}

/* The records the workers sent, by this rank's cell number (k - rank) /
 * size, and the names their metrics have (the first's). */
typedef struct keep {
  guint rank, size;
  GByteArray *names;
  rec **recs;
  guint64 n;
  gsize bytes;
} keep;

static void keep_free(keep *kp) {
  if (kp == NULL)
    return;
  for (guint64 i = 0; i < kp->n; i++)
    g_free(kp->recs[i]);
  g_free(kp->recs);
  if (kp->names)
    g_byte_array_free(kp->names, TRUE);
  g_free(kp);
}

void ks_sweep_keep_start(ks_sweep_plan *s, guint rank, guint size) {
  keep_free(s->kept);
  keep *kp = s->kept = g_new0(keep, 1);
  kp->rank = rank;
  kp->size = size;
  kp->n = rank < s->cells ? (s->cells - rank + size - 1) / size : 0;
  kp->recs = g_new0(rec *, kp->n);
}

/* Its record, as ks_sweep_cell_work put it after the answer: the names'
 * length, the names, the record; a length of 0 for none. */
void ks_sweep_keep(ks_sweep_plan *s, guint64 k, const guint8 *data, gsize len) {
  keep *kp = s->kept;
  guint32 names_len;
  if (kp == NULL || k % kp->size != kp->rank || len < sizeof names_len)
    return;
  memcpy(&names_len, data, sizeof names_len);
  const guint8 *names = data + sizeof names_len, *r = names + names_len;
  gsize r_len = len - sizeof names_len - names_len;
  if (names_len == 0 || kp->bytes + r_len > KEEP_BYTES)
    return;
  if (kp->names == NULL) {
    kp->names = g_byte_array_new();
    g_byte_array_append(kp->names, names, names_len);
  } else if (kp->names->len != names_len || memcmp(kp->names->data, names, names_len) != 0) {
    return; /* the merge reads it back, and says what is wrong */
  }
  guint64 i = k / kp->size;
  g_free(kp->recs[i]);
  kp->recs[i] = g_memdup2(r, r_len);
  kp->bytes += r_len;
}

/* Cell k's record if the sweep kept it (not owned). */
static const rec *kept_rec(const ks_sweep_plan *s, guint64 k) {
  const keep *kp = s->kept;
  if (kp == NULL || k % kp->size != kp->rank)
    return NULL;
  return kp->recs[k / kp->size];
}

/* ---- cells -------------------------------------------------------------- */

/* The metrics' members, one to a line at `indent`, as json-glib writes
 * them (`names` holds each name and a NUL), and with csv their fields of
 * a CSV row, each after a comma. */
static void metrics_text(GString *json, GString *csv, const rec *r, const char *names,
                         const char *indent) {
  const guint8 *type = rec_type(r);
  for (guint32 i = 0; i < r->n; i++, names += strlen(names) + 1) {
    g_string_append(json, i ? ",\n" : "\n");
    g_string_append(json, indent);
    json_quote(json, names);
    g_string_append(json, " : ");
    if (csv)
      g_string_append_c(csv, ',');
    if (type[i] == 'i') {
      append_int(json, r->v[i].i);
      if (csv)
        append_int(csv, r->v[i].i);
    } else if (type[i] == 'd') {
      double_texts(r->v[i].d, json, csv);
    } else {
      g_string_append(json, "null");
    }
  }
}

/* The run's files in a cell's folder and their sizes, as cell.json's
 * "files": a resumed sweep finds a cell complete only when they are all
 * there with these sizes, so that a crash of the machine (the files are
 * not synced before the end of the sweep) leaves no empty one in a
 * complete cell.  They are summary.json, the files its outputs name, and
 * the captures. */
static gboolean files_text(GString *out, const ks_sweep_plan *s, JsonNode *summary, const char *dir,
                           GError **error) {
  const char *names[5] = {"summary.json"};
  guint n = 1;
  JsonObject *o = JSON_NODE_HOLDS_OBJECT(summary) ? json_node_get_object(summary) : NULL;
  JsonNode *on = o ? json_object_get_member(o, "outputs") : NULL;
  JsonObject *outs = on && JSON_NODE_HOLDS_OBJECT(on) ? json_node_get_object(on) : NULL;
  const char *keys[] = {"connections_file", "trace_file"};
  for (size_t i = 0; outs && i < G_N_ELEMENTS(keys); i++) {
    JsonNode *v = json_object_get_member(outs, keys[i]);
    if (v && JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING)
      names[n++] = json_node_get_string(v);
  }
  guint captures = n;
  if (s->pcap)
    names[n++] = "capture.pcap", names[n++] = "capture-server.pcap";
  g_string_append(out, ",\n  \"files\" : {");
  guint listed = 0;
  for (guint i = 0; i < n; i++) {
    g_autofree char *path = g_build_filename(dir, names[i], NULL);
    struct stat st;
    if (stat(path, &st) != 0) {
      if (errno == ENOENT && i > captures)
        continue; /* the server's capture: the native engine's only */
      return set_errno_error(error, path, errno), FALSE;
    }
    g_string_append(out, listed++ ? ",\n    " : "\n    ");
    json_quote(out, names[i]);
    g_string_append(out, " : ");
    append_int(out, (gint64)st.st_size);
  }
  g_string_append(out, "\n  }");
  return TRUE;
}

/* cell.json, as json-glib would write it: what the cell is (its
 * parameters and seed), what its run measured (every scalar of
 * ks_run_metrics, named as its fields, NaN as null: ks_metrics.h), its
 * detected connections' latencies (their histogram past
 * KS_DIST_EXACT_MAX), for the statistics across seeds, and its files'
 * sizes.  Written after the run: its presence, with the files it names,
 * makes the cell complete. */
static gboolean cell_text(GString *out, const ks_sweep_plan *s, guint64 k, const rec *r,
                          const char *names, const ks_dist *lat, JsonNode *summary, const char *dir,
                          GError **error) {
  const texts *t = s->texts;
  guint *value_at = g_new0(guint, s->cols->len + 1);
  combo_values(s, k / s->seeds, value_at);
  g_string_append(out, "{\n  \"params\" : {");
  for (guint i = 0; i < s->cols->len; i++)
    g_string_append_printf(out, "%s\n    %s : %s", i ? "," : "", (char *)t->col_json->pdata[i],
                           val_json(t, i, value_at[i]));
  g_free(value_at);
  g_string_append_printf(out, "\n  },\n  \"seed\" : %" G_GUINT64_FORMAT ",\n  \"metrics\" : {",
                         ks_sweep_cell_seed(s, k));
  metrics_text(out, NULL, r, names, "    ");
  g_string_append(out, "\n  },\n  \"latencies_s\" : ");
  const double *v = ks_dist_values(lat);
  if (ks_dist_exact(lat) && ks_dist_count(lat) == 0) {
    g_string_append(out, "[]");
  } else if (ks_dist_exact(lat)) {
    g_string_append_c(out, '[');
    for (guint64 i = 0; i < ks_dist_count(lat); i++) {
      g_string_append(out, i ? ",\n    " : "\n    ");
      double_texts(v[i], out, NULL);
    }
    g_string_append(out, "\n  ]");
  } else { /* a histogram, as ks_dist writes it, one level in */
    JsonBuilder *b = json_builder_new();
    ks_dist_to_json(lat, b);
    JsonNode *root = json_builder_get_root(b);
    g_object_unref(b);
    char *text = ks_json_node_to_text(root, TRUE);
    json_node_unref(root);
    for (const char *c = text; *c; c++)
      if (*c == '\n')
        g_string_append(out, "\n  ");
      else
        g_string_append_c(out, *c);
    g_free(text);
  }
  if (!files_text(out, s, summary, dir, error))
    return FALSE;
  g_string_append(out, "\n}\n");
  return TRUE;
}

/* Whether the files cell.json names have their sizes (an older cell.json
 * names none). */
static gboolean files_intact(JsonObject *o, const char *dir) {
  JsonNode *fn = json_object_get_member(o, "files");
  if (fn == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT(fn))
    return FALSE;
  JsonObject *files = json_node_get_object(fn);
  GList *names = json_object_get_members(files);
  gboolean ok = TRUE;
  for (GList *l = names; ok && l; l = l->next) {
    JsonNode *v = json_object_get_member(files, l->data);
    g_autofree char *path = g_build_filename(dir, (char *)l->data, NULL);
    struct stat st;
    ok = JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_INT64 &&
         stat(path, &st) == 0 && st.st_size == json_node_get_int(v);
  }
  g_list_free(names);
  return ok;
}

/* The cell's cell.json when the cell is complete: it says this cell's
 * parameters and seed, and has metrics and latencies; its summary.json
 * and the files it names are there.  NULL otherwise (g_object_unref the
 * parser). */
static JsonParser *cell_load(const ks_sweep_plan *s, guint64 k, const char *dir) {
  g_autofree char *path = g_build_filename(dir, "cell.json", NULL);
  JsonParser *p = json_parser_new();
  /* An empty file parses, to no document: a worker killed as it began
   * to write. */
  if (!json_parser_load_from_file(p, path, NULL) || json_parser_get_root(p) == NULL ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
    goto no;
  JsonObject *o = json_node_get_object(json_parser_get_root(p));
  JsonNode *params = json_object_get_member(o, "params");
  JsonNode *seed = json_object_get_member(o, "seed");
  JsonNode *metrics = json_object_get_member(o, "metrics");
  JsonNode *lat = json_object_get_member(o, "latencies_s");
  if (!params || !JSON_NODE_HOLDS_OBJECT(params) || !seed || !JSON_NODE_HOLDS_VALUE(seed) ||
      json_node_get_value_type(seed) != G_TYPE_INT64 ||
      (guint64)json_node_get_int(seed) != ks_sweep_cell_seed(s, k) || !metrics ||
      !JSON_NODE_HOLDS_OBJECT(metrics) || !lat ||
      !(JSON_NODE_HOLDS_ARRAY(lat) || JSON_NODE_HOLDS_OBJECT(lat)))
    goto no;
  JsonObject *po = json_node_get_object(params);
  if (json_object_get_size(po) != s->cols->len)
    goto no;
  char **sets = ks_sweep_cell_sets(s, k);
  gboolean same = TRUE;
  for (guint i = 0; same && i < s->cols->len; i++) {
    const ks_sweep_col *a = s->cols->pdata[i];
    JsonNode *v = json_object_get_member(po, a->name);
    same = v && JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING &&
           strcmp(json_node_get_string(v), sets[i] + strlen(a->name) + 1) == 0;
  }
  g_strfreev(sets);
  if (same && file_exists(dir, "summary.json") && files_intact(o, dir))
    return p;
no:
  g_object_unref(p);
  return NULL;
}

static char *cell_abs_dir(const ks_sweep_plan *s, guint64 k) {
  g_autofree char *rel = ks_sweep_cell_dir(s, k);
  return g_build_filename(s->out_dir, rel, NULL);
}

gboolean ks_sweep_cell_complete(const ks_sweep_plan *s, guint64 k) {
  g_autofree char *dir = cell_abs_dir(s, k);
  if (!file_exists(dir, "cell.json")) /* a new cell, quickly */
    return FALSE;
  JsonParser *p = cell_load(s, k, dir);
  if (p == NULL)
    return FALSE;
  g_object_unref(p);
  return TRUE;
}

char *ks_sweep_cell_label(const ks_sweep_plan *s, guint64 k) {
  char **sets = ks_sweep_cell_sets(s, k);
  char *joined = g_strjoinv(" ", sets);
  char *label = g_strdup_printf("cell %" G_GUINT64_FORMAT " (%s, seed %" G_GUINT64_FORMAT ")", k,
                                joined, ks_sweep_cell_seed(s, k));
  g_free(joined);
  g_strfreev(sets);
  return label;
}

gboolean ks_sweep_cell_work(const ks_sweep_plan *s, guint64 k, GByteArray *out) {
  g_autofree char *dir = cell_abs_dir(s, k);
  GError *error = NULL;
  char **sets = ks_sweep_cell_sets(s, k);
  ks_scenario *sc = NULL;
  JsonNode *summary = NULL;
  ks_run_metrics *m = NULL;
  /* From scratch: the run makes the folder whole (ks_outdir.h). */
  gboolean ok = rm_rf(dir, &error);
  ok = ok && (sc = ks_scenario_src_load(s->src, sets, &error)) != NULL;
  if (ok) {
    ks_runner_opts opts = {.backend = s->backend,
                           .pcap = s->pcap,
                           .compress = s->compress,
                           .no_sync = TRUE,
                           .summary = &summary};
    void *w = ks_runner_run_scenario(sc, ks_sweep_cell_seed(s, k), dir, &opts, &error);
    ok = w != NULL;
    if (w)
      s->backend->world_free(w);
  }
  /* The metrics from the run's summary, not from the file just written. */
  ok = ok && (m = ks_metrics_from_summary(summary, dir, &error)) != NULL;
  if (ok) {
    GString *names = g_string_new(NULL), *text = g_string_sized_new(4096);
    rec *r = rec_of_metrics(m, names);
    ok = cell_text(text, s, k, r, names->str, m->latency, summary, dir, &error) &&
         write_new(dir, "cell.json", text, &error);
    /* The record for the sweep: none when the latencies are binned. */
    guint32 names_len = ok && ks_dist_exact(m->latency) ? (guint32)names->len : 0;
    g_byte_array_append(out, (const guint8 *)&names_len, sizeof names_len);
    if (names_len) {
      g_byte_array_append(out, (const guint8 *)names->str, names_len);
      g_byte_array_append(out, (const guint8 *)r, (guint)rec_size(r->n, r->n_lat));
    }
    g_free(r);
    g_string_free(names, TRUE);
    g_string_free(text, TRUE);
  }
  if (!ok) {
    g_autofree char *label = ks_sweep_cell_label(s, k);
    fprintf(stderr, "kasim sweep: %s: %s\n", label, error->message);
    g_error_free(error);
  }
  ks_metrics_free(m);
  if (summary)
    json_node_unref(summary);
  if (sc)
    ks_scenario_free(sc);
  g_strfreev(sets);
  return ok;
}

/* The cells' files reach the disk once, at the end of the cells (each
 * run skipped its syncs: ks_runner_opts.no_sync). */
void ks_sweep_plan_sync(const ks_sweep_plan *s) {
  int fd = s->lock_fd >= 0 ? s->lock_fd : open(s->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
#ifdef __linux__
  (void)syncfs(fd);
#else
  sync();
#endif
  if (fd != s->lock_fd)
    close(fd);
}

/* ---- sweep.json and sweep.csv ------------------------------------------- */

/* One combination's seeds, gathered as the merge reads its cells. */
typedef struct combo_acc {
  ks_sweep_stat st;
  ks_dist *lat;     /* the detected latencies of every seed; the undetected are st.undetected */
  GArray *overhead; /* double per seed: probe_bytes_per_s / connections */
} combo_acc;

/* The metrics the statistics count, by name. */
enum {
  M_CONNECTIONS,
  M_FAILED,
  M_DETECTED,
  M_UNDETECTED,
  M_SURVIVED,
  M_FALSE_GIVEUPS,
  M_MB_CONNS,
  M_MB_SURVIVORS,
  M_BYTES_PER_S,
  M_COUNTED
};
static const char *const counted[M_COUNTED] = {"connections",       "failed",
                                               "detected",          "undetected",
                                               "survived_failures", "false_giveups",
                                               "middlebox_conns",   "middlebox_survivors",
                                               "probe_bytes_per_s"};

/* What a merge knows across its cells: the metrics' names (the first
 * cell's), where the counted ones are, and the combination it is in. */
typedef struct merger {
  const ks_sweep_plan *s;
  GString *names; /* each name, then a NUL */
  guint n_names;
  gint counted_at[M_COUNTED]; /* index of each, or -1 */
  int kept_names;             /* the kept records' names are the merge's: -1 not yet known, 0, 1 */
  guint *value_at;            /* per column: its value in the combination */
  char *rel;                  /* the combination's folders' name up to the seed ("cells/H-") */
  gsize rel_len;
} merger;

/* Whether a cell's metrics are named as the merge's (the first cell's
 * become them). */
static gboolean same_names(merger *g, const char *names, gsize len) {
  if (g->names->len > 0)
    return g->names->len == len && memcmp(g->names->str, names, len) == 0;
  g_string_append_len(g->names, names, (gssize)len);
  for (int c = 0; c < M_COUNTED; c++)
    g->counted_at[c] = -1;
  guint i = 0;
  for (gsize at = 0; at < len; at += strlen(names + at) + 1, i++)
    for (int c = 0; c < M_COUNTED; c++)
      if (strcmp(names + at, counted[c]) == 0)
        g->counted_at[c] = (gint)i;
  g->n_names = i;
  return TRUE;
}

/* Combination c's values and its folders' name up to the seed. */
static void merger_combo(merger *g, guint64 c) {
  g_free(g->rel);
  g->rel = ks_sweep_cell_dir(g->s, c * g->s->seeds);
  g->rel_len = (gsize)(strrchr(g->rel, '-') + 1 - g->rel);
  combo_values(g->s, c, g->value_at);
}

static guint64 rec_count(const rec *r, gint at) {
  if (at < 0 || (guint32)at >= r->n)
    return 0;
  guint8 t = rec_type(r)[at];
  return t == 'i' ? (guint64)r->v[at].i : t == 'd' ? (guint64)(gint64)r->v[at].d : 0;
}

/* A cell's latencies and counts into its combination's. */
static void acc_add(combo_acc *a, const merger *g, const rec *r, const ks_dist *lat) {
  ks_dist_merge(a->lat, lat);
  ks_sweep_stat *st = &a->st;
  guint64 conns = rec_count(r, g->counted_at[M_CONNECTIONS]);
  st->runs++;
  st->connections += conns;
  st->failed += rec_count(r, g->counted_at[M_FAILED]);
  st->detected += rec_count(r, g->counted_at[M_DETECTED]);
  st->undetected += rec_count(r, g->counted_at[M_UNDETECTED]);
  st->survived_failures += rec_count(r, g->counted_at[M_SURVIVED]);
  st->false_giveups += rec_count(r, g->counted_at[M_FALSE_GIVEUPS]);
  st->middlebox_conns += rec_count(r, g->counted_at[M_MB_CONNS]);
  st->middlebox_survivors += rec_count(r, g->counted_at[M_MB_SURVIVORS]);
  gint at = g->counted_at[M_BYTES_PER_S];
  if (conns > 0 && at >= 0 && (guint32)at < r->n && rec_type(r)[at] != 'n') {
    double bytes = rec_type(r)[at] == 'i' ? (double)r->v[at].i : r->v[at].d;
    double v = bytes / (double)conns;
    g_array_append_val(a->overhead, v);
  }
}

/* The value at rank r of the detected latencies followed by one INFINITY
 * per undetected failure; 0 (below the smallest) is -INFINITY. */
static double acc_rank(const combo_acc *a, gsize r) {
  guint64 nd = ks_dist_count(a->lat);
  return r == 0 ? -INFINITY : r > nd ? INFINITY : ks_dist_rank(a->lat, r);
}

/* A quantile and its interval over the detected and (as "never") the
 * undetected failures. */
static void acc_quantile(const combo_acc *a, double q, double out[3]) {
  gsize n = a->st.detection_n, r, l, u;
  out[0] = out[1] = out[2] = NAN;
  if (n == 0)
    return;
  ks_stats_quantile_ranks(n, q, &r, &l, &u);
  out[0] = acc_rank(a, r);
  out[1] = acc_rank(a, l);
  out[2] = acc_rank(a, u);
}

static void acc_finish(combo_acc *a) {
  ks_sweep_stat *st = &a->st;
  /* The mean is over detected connections only; the undetected count as
   * INFINITY in the quantiles. */
  ks_dist_finish(a->lat);
  guint64 nd = ks_dist_count(a->lat);
  const double *v = ks_dist_values(a->lat);
  if (v != NULL)
    ks_stats_mean_ci(v, nd, &st->detection_mean[0], &st->detection_mean[1], &st->detection_mean[2]);
  else {
    st->detection_mean[0] = ks_dist_mean(a->lat);
    ks_stats_mean_ci_m2(nd, st->detection_mean[0], ks_dist_m2(a->lat), &st->detection_mean[1],
                        &st->detection_mean[2]);
  }
  st->detection_n = nd + st->undetected;
  acc_quantile(a, 0.5, st->detection_p50);
  acc_quantile(a, 0.95, st->detection_p95);
  st->detection_max = st->undetected ? INFINITY : ks_dist_max(a->lat);
  ks_stats_wilson(st->false_giveups, st->connections, &st->false_giveup_rate[0],
                  &st->false_giveup_rate[1], &st->false_giveup_rate[2]);
  ks_stats_wilson(st->detected, st->detected + st->undetected, &st->detected_rate[0],
                  &st->detected_rate[1], &st->detected_rate[2]);
  ks_stats_wilson(st->middlebox_survivors, st->middlebox_conns, &st->survival_rate[0],
                  &st->survival_rate[1], &st->survival_rate[2]);
  ks_stats_mean_ci((const double *)a->overhead->data, a->overhead->len, &st->overhead[0],
                   &st->overhead[1], &st->overhead[2]);
}

/* Cell k's record and latencies: kept, or read back from its cell.json.
 * NULL with the reason when the cell is not complete or not like the
 * others.  Free the record unless *owned is FALSE. */
static const rec *cell_rec(merger *g, guint64 k, ks_dist **lat, gboolean *owned, GError **error) {
  const ks_sweep_plan *s = g->s;
  const rec *r = kept_rec(s, k);
  *owned = FALSE;
  if (r != NULL && g->kept_names < 0) {
    const GByteArray *kn = s->kept->names;
    g->kept_names = same_names(g, (const char *)kn->data, kn->len);
  }
  if (r != NULL && g->kept_names == 1 && r->n == g->n_names) {
    *lat = ks_dist_new();
    for (guint32 i = 0; i < r->n_lat; i++)
      ks_dist_add(*lat, rec_lat(r)[i]);
    ks_dist_finish(*lat);
    return r;
  }
  g_autofree char *dir = cell_abs_dir(s, k);
  g_autofree char *path = g_build_filename(dir, "cell.json", NULL);
  JsonParser *parser = cell_load(s, k, dir);
  if (parser == NULL) {
    g_autofree char *rel = ks_sweep_cell_dir(s, k);
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED,
                "%s/%s is not complete; run the sweep again", s->out_dir, rel);
    return NULL;
  }
  JsonObject *cell = json_node_get_object(json_parser_get_root(parser));
  GError *e = NULL;
  *lat = ks_dist_from_json(json_object_get_member(cell, "latencies_s"), &e);
  if (*lat == NULL) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED,
                "%s: \"latencies_s\": %s; remove the cell's folder and run the sweep again", path,
                e->message);
    g_error_free(e);
    g_object_unref(parser);
    return NULL;
  }
  GString *names = g_string_new(NULL);
  rec *own = rec_of_json(json_object_get_object_member(cell, "metrics"), names);
  if (own == NULL || !same_names(g, names->str, names->len)) {
    g_autofree char *rel = ks_sweep_cell_dir(s, k);
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED,
                "%s: not the metrics of the other cells (another kasim made it?); remove %s/%s "
                "to redo the cell",
                path, s->out_dir, rel);
    g_free(own);
    own = NULL;
    ks_dist_free(*lat);
    *lat = NULL;
  }
  g_string_free(names, TRUE);
  g_object_unref(parser);
  *owned = own != NULL;
  return own;
}

/* Cell k's object in sweep.json's "cells" (indented as json-glib does)
 * and its row of sweep.csv, from its record. */
static void cell_out(const merger *g, guint64 k, const rec *r, GString *json, GString *csv) {
  const ks_sweep_plan *s = g->s;
  const texts *t = s->texts;
  guint64 seed = ks_sweep_cell_seed(s, k);
  g_string_append(json, "    {\n      \"index\" : ");
  append_int(json, (gint64)k);
  g_string_append(json, ",\n      \"params\" : {");
  append_int(csv, (gint64)k);
  for (guint i = 0; i < s->cols->len; i++) {
    g_string_append(json, i ? ",\n        " : "\n        ");
    g_string_append(json, t->col_json->pdata[i]);
    g_string_append(json, " : ");
    g_string_append(json, val_json(t, i, g->value_at[i]));
    g_string_append_c(csv, ',');
    g_string_append(csv, val_csv(t, i, g->value_at[i]));
  }
  /* Its folder: the combination's "cells/H-", and the seed. */
  GString *rel = g_string_new_len(g->rel, (gssize)g->rel_len);
  append_int(rel, (gint64)seed);
  g_string_append(json, "\n      },\n      \"seed\" : ");
  append_int(json, (gint64)seed);
  g_string_append(json, ",\n      \"run_dir\" : \"");
  g_string_append_len(json, rel->str, (gssize)rel->len);
  g_string_append(json, "\",\n      \"metrics\" : {");
  g_string_append_c(csv, ',');
  append_int(csv, (gint64)seed);
  g_string_append_c(csv, ',');
  g_string_append_len(csv, rel->str, (gssize)rel->len);
  g_string_free(rel, TRUE);
  metrics_text(json, csv, r, g->names->str, "        ");
  g_string_append(json, "\n      }\n    }");
  g_string_append_c(csv, '\n');
}

/* A statistic in stats.csv: NAN empty, INFINITY "inf" (pandas and R read
 * both). */
static void csv_stat(GString *csv, double v) {
  g_string_append_c(csv, ',');
  if (isnan(v))
    return;
  if (isinf(v))
    g_string_append(csv, v > 0 ? "inf" : "-inf");
  else
    csv_double(csv, v);
}

static void csv_triple(GString *csv, const double t[3]) {
  for (int i = 0; i < 3; i++)
    csv_stat(csv, t[i]);
}

/* The columns of stats.csv after the parameters; docs/output.md. */
static const char stats_header[] =
  "runs,connections,failed,detected,undetected,survived_failures,false_giveups,"
  "middlebox_conns,middlebox_survivors,detection_n,"
  "detection_mean_s,detection_mean_lo_s,detection_mean_hi_s,"
  "detection_p50_s,detection_p50_lo_s,detection_p50_hi_s,"
  "detection_p95_s,detection_p95_lo_s,detection_p95_hi_s,detection_max_s,"
  "false_giveup_rate,false_giveup_rate_lo,false_giveup_rate_hi,"
  "detected_rate,detected_rate_lo,detected_rate_hi,"
  "survival_rate,survival_rate_lo,survival_rate_hi,"
  "overhead_bytes_per_s,overhead_bytes_per_s_lo,overhead_bytes_per_s_hi";

/* The combination's row of stats.csv (its values: merger_combo's). */
static void stats_row(const merger *g, const ks_sweep_stat *st, GString *csv) {
  g_string_append_printf(csv, "%" G_GUINT64_FORMAT, st->combo);
  for (guint i = 0; i < g->s->cols->len; i++) {
    g_string_append_c(csv, ',');
    g_string_append(csv, val_csv(g->s->texts, i, g->value_at[i]));
  }
  g_string_append_printf(csv,
                         ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                         ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                         ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                         ",%" G_GUINT64_FORMAT,
                         st->runs, st->connections, st->failed, st->detected, st->undetected,
                         st->survived_failures, st->false_giveups, st->middlebox_conns,
                         st->middlebox_survivors, st->detection_n);
  csv_triple(csv, st->detection_mean);
  csv_triple(csv, st->detection_p50);
  csv_triple(csv, st->detection_p95);
  csv_stat(csv, st->detection_max);
  csv_triple(csv, st->false_giveup_rate);
  csv_triple(csv, st->detected_rate);
  csv_triple(csv, st->survival_rate);
  csv_triple(csv, st->overhead);
  g_string_append_c(csv, '\n');
}

/* sweep.json up to its cells: scenario, grid, axes, seeds, as json-glib
 * writes them, and the cells' array opened. */
static GString *json_head(const ks_sweep_plan *s) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "scenario");
  json_builder_add_string_value(b, s->scenario_name);
  json_grid(b, s);
  json_builder_set_member_name(b, "seeds");
  json_builder_add_int_value(b, s->seeds);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  g_object_unref(b);
  char *text = ks_json_node_to_text(root, TRUE);
  json_node_unref(root);
  GString *json = g_string_new(text);
  g_free(text);
  /* "...\n}": the last member goes on with the cells. */
  g_string_truncate(json, json->len - 2);
  g_string_append(json, ",\n  \"cells\" : [\n");
  return json;
}

gboolean ks_sweep_merge(const ks_sweep_plan *s, GArray **stats_out, GError **error) {
  merger g = {.s = s,
              .names = g_string_new(NULL),
              .kept_names = -1,
              .value_at = g_new0(guint, s->cols->len + 1)};
  GString *json = json_head(s), *rows = g_string_new(NULL);
  GString *stats_csv = g_string_new("index");
  for (guint i = 0; i < s->cols->len; i++)
    g_string_append_printf(stats_csv, ",%s", (const char *)s->texts->col_csv->pdata[i]);
  g_string_append_printf(stats_csv, ",%s\n", stats_header);
  GArray *stats = g_array_new(FALSE, TRUE, sizeof(ks_sweep_stat));
  gboolean ok = TRUE;
  combo_acc acc = {.overhead = g_array_new(FALSE, FALSE, sizeof(double))};
  for (guint64 k = 0; ok && k < s->cells; k++) {
    if (k % s->seeds == 0) {
      memset(&acc.st, 0, sizeof acc.st);
      acc.st.combo = k / s->seeds;
      ks_dist_free(acc.lat);
      acc.lat = ks_dist_new();
      g_array_set_size(acc.overhead, 0);
      merger_combo(&g, k / s->seeds);
    }
    ks_dist *lat = NULL;
    gboolean owned;
    const rec *r = cell_rec(&g, k, &lat, &owned, error);
    if (r == NULL) {
      ok = FALSE;
      break;
    }
    acc_add(&acc, &g, r, lat);
    ks_dist_free(lat);
    if (k > 0)
      g_string_append(json, ",\n");
    cell_out(&g, k, r, json, rows);
    if (owned)
      g_free((rec *)r);
    if (k % s->seeds == s->seeds - 1) {
      acc_finish(&acc);
      g_array_append_val(stats, acc.st);
      stats_row(&g, &acc.st, stats_csv);
    }
  }
  ks_dist_free(acc.lat);
  g_array_free(acc.overhead, TRUE);
  g_string_append(json, "\n  ]\n}\n");

  GString *csv = g_string_new("index");
  for (guint i = 0; i < s->cols->len; i++)
    g_string_append_printf(csv, ",%s", (const char *)s->texts->col_csv->pdata[i]);
  g_string_append(csv, ",seed,run_dir");
  for (gsize at = 0; at < g.names->len; at += strlen(g.names->str + at) + 1) {
    g_string_append_c(csv, ',');
    csv_field(csv, g.names->str + at);
  }
  g_string_append_c(csv, '\n');
  g_string_append_len(csv, rows->str, (gssize)rows->len);
  /* Three files, then one sync of them all. */
  ok = ok && write_atomic(s->out_dir, "sweep.csv", csv->str, FALSE, error) &&
       write_atomic(s->out_dir, "stats.csv", stats_csv->str, FALSE, error) &&
       write_atomic(s->out_dir, "sweep.json", json->str, FALSE, error);
  if (ok)
    ks_sweep_plan_sync(s);
  g_string_free(json, TRUE);
  g_string_free(csv, TRUE);
  g_string_free(stats_csv, TRUE);
  g_string_free(rows, TRUE);
  g_string_free(g.names, TRUE);
  g_free(g.value_at);
  g_free(g.rel);
  if (ok && stats_out)
    *stats_out = stats;
  else
    g_array_free(stats, TRUE);
  return ok;
}
