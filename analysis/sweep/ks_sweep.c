/* ks_sweep.c - the cells of a sweep, their folders, the worker processes
 * that run them, and the merged sweep.json and sweep.csv.  See ks_sweep.h
 * and docs/sweep.md. */
#define _DEFAULT_SOURCE /* flock(), prctl() */
#include "ks_sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define KS_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KS_HAVE_LSAN 1
#endif
#endif
#ifdef KS_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "ks_afile.h"
#include "ks_json.h"
#include "ks_metrics.h"
#include "ks_runner.h"
#include "ks_scenario.h"
#include "ks_stats.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-sweep-error-quark, ks_sweep_error)
// clang-format on

#define MANIFEST "sweep-args.json"

/* ---- the metrics of a cell ---------------------------------------------- */

/* Numbers in their shortest round-trip form, as every other JSON file of a
 * run (ks_json.h). */
static char *json_text(JsonNode *root) {
  char *text = ks_json_node_to_text(root, TRUE);
  char *out = g_strconcat(text, "\n", NULL);
  g_free(text);
  return out;
}

static char *builder_text(JsonBuilder *b) {
  JsonNode *root = json_builder_get_root(b);
  char *text = json_text(root);
  json_node_unref(root);
  g_object_unref(b);
  return text;
}

/* ---- files -------------------------------------------------------------- */

static gboolean write_atomic(const char *dir, const char *name, const char *text, GError **error) {
  ks_afile *f = ks_afile_open(dir, name, error);
  if (f == NULL)
    return FALSE;
  fputs(text, ks_afile_stream(f));
  return ks_afile_commit(f, error);
}

static void set_errno_error(GError **error, const char *path, int err);

/* A cell's own record (cell.json): written under a hidden temporary name and renamed into place, like
 * write_atomic, but not synced to disk.  A kill at any moment still leaves
 * it whole or absent (the page cache survives the process); only a crash
 * of the machine could leave it empty, and the cell is then redone.
 * Syncing it (and two more files it replaced) cost a 1,000-cell sweep of a one-connection
 * scenario more than its simulations did (bench/bench_sweep.c). */
static gboolean write_quick(const char *dir, const char *name, const char *text, GError **error) {
  g_autofree char *tmp_name = g_strdup_printf(".%s.XXXXXX", name);
  g_autofree char *tmp = g_build_filename(dir, tmp_name, NULL);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return set_errno_error(error, path, errno), FALSE;
  size_t len = strlen(text), done = 0;
  while (done < len) {
    ssize_t n = write(fd, text + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      unlink(tmp);
      return set_errno_error(error, path, n < 0 ? err : ENOSPC), FALSE;
    }
    done += (size_t)n;
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    int err = errno;
    unlink(tmp);
    return set_errno_error(error, path, err), FALSE;
  }
  return TRUE;
}

static void set_errno_error(GError **error, const char *path, int err) {
  g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED, "%s: %s", path, g_strerror(err));
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

/* ---- the sweep ---------------------------------------------------------- */

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
  g_free(s);
}

GPtrArray *ks_sweep_columns(const ks_sweep_plan *s) { return s->cols; }

/* The scenario with these --set values, on the sweep's engine; the
 * loader's "--set NAME=VALUE:" prefix becomes "--grid NAME=VALUE:". */
static gboolean check_sets(const ks_sweep_plan *s, char **sets, GError **error) {
  GError *e = NULL;
  ks_scenario *sc = ks_scenario_load(s->scenario_path, sets, &e);
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

  /* The scenario itself, then every value, then every combination. */
  GError *e = NULL;
  ks_scenario *sc = ks_scenario_load(args->scenario_path, NULL, &e);
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
  return write_atomic(s->out_dir, MANIFEST, want, error);
}

/* ---- cells -------------------------------------------------------------- */

/* cell.json: what the cell is (its parameters and seed), what its run
 * measured (every scalar of ks_run_metrics, named as its fields, NaN as
 * null: ks_metrics_to_json) and its detected connections' latencies,
 * sorted, for the statistics across seeds.  Written after the run: its
 * presence, with summary.json's, makes the cell complete. */
static char *cell_json(const ks_sweep_plan *s, guint64 k, const ks_run_metrics *m) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "params");
  json_builder_begin_object(b);
  char **sets = ks_sweep_cell_sets(s, k);
  for (guint i = 0; i < s->cols->len; i++) {
    const ks_sweep_col *a = s->cols->pdata[i];
    json_builder_set_member_name(b, a->name);
    json_builder_add_string_value(b, sets[i] + strlen(a->name) + 1);
  }
  g_strfreev(sets);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "seed");
  json_builder_add_int_value(b, (gint64)ks_sweep_cell_seed(s, k));
  json_builder_set_member_name(b, "metrics");
  ks_metrics_to_json(m, b);
  json_builder_set_member_name(b, "latencies_s");
  ks_dist_to_json(m->latency, b);
  json_builder_end_object(b);
  return builder_text(b);
}

typedef enum cell_state { CELL_NEW, CELL_DONE } cell_state;

/* The cell's record when the cell is complete: its cell.json says this
 * cell's parameters and seed, and has metrics and latencies; its
 * summary.json is there.  NULL otherwise (g_object_unref the parser). */
static JsonParser *cell_load(const ks_sweep_plan *s, guint64 k, const char *dir) {
  g_autofree char *path = g_build_filename(dir, "cell.json", NULL);
  JsonParser *p = json_parser_new();
  if (!json_parser_load_from_file(p, path, NULL) ||
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
  if (same && file_exists(dir, "summary.json"))
    return p;
no:
  g_object_unref(p);
  return NULL;
}

static cell_state cell_check(const ks_sweep_plan *s, guint64 k, const char *dir) {
  JsonParser *p = cell_load(s, k, dir);
  if (p == NULL)
    return CELL_NEW;
  g_object_unref(p);
  return CELL_DONE;
}

static char *cell_abs_dir(const ks_sweep_plan *s, guint64 k) {
  g_autofree char *rel = ks_sweep_cell_dir(s, k);
  return g_build_filename(s->out_dir, rel, NULL);
}

static char *cell_label(const ks_sweep_plan *s, guint64 k) {
  char **sets = ks_sweep_cell_sets(s, k);
  char *joined = g_strjoinv(" ", sets);
  char *label = g_strdup_printf("cell %" G_GUINT64_FORMAT " (%s, seed %" G_GUINT64_FORMAT ")", k,
                                joined, ks_sweep_cell_seed(s, k));
  g_free(joined);
  g_strfreev(sets);
  return label;
}

/* A worker's whole job: the run from scratch, then its metrics into
 * cell.json.  Returns the exit status. */
static int cell_work(const ks_sweep_plan *s, guint64 k) {
  char *dir = cell_abs_dir(s, k);
  GError *error = NULL;
  char **sets = ks_sweep_cell_sets(s, k);
  gboolean ok = rm_rf(dir, &error);
  if (ok && g_mkdir_with_parents(dir, 0755) != 0)
    ok = FALSE, set_errno_error(&error, dir, errno);
  ks_runner_opts opts = {.backend = s->backend, .pcap = s->pcap, .compress = s->compress};
  ok = ok && ks_runner_run(s->scenario_path, sets, ks_sweep_cell_seed(s, k), dir, &opts, &error);
  g_strfreev(sets);
  if (ok) {
    ks_run_metrics *m = ks_metrics_load(dir, &error);
    ok = m != NULL;
    if (ok) {
      char *text = cell_json(s, k, m);
      ks_metrics_free(m);
      ok = write_quick(dir, "cell.json", text, &error);
      g_free(text);
    }
  }
  if (!ok) {
    char *label = cell_label(s, k);
    fprintf(stderr, "kasim sweep: %s: %s\n", label, error->message);
    g_free(label);
    g_error_free(error);
  }
  g_free(dir);
  return ok ? 0 : 1;
}

/* A worker runs a batch of cells one after the other: a fork per cell
 * cost a one-connection scenario several times its run (the child's
 * copy-on-write page faults and its first allocations; bench_sweep.c),
 * while a worker that runs many reuses its memory like `kasim run` would. */
#define MAX_BATCH 32u

typedef struct worker {
  pid_t pid;
  guint64 *ks; /* the batch */
  guint n;
} worker;

static void reap_one(const ks_sweep_plan *s, GArray *workers, ks_sweep_tally *t) {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR)
    ;
  if (pid < 0) { /* cannot happen while workers run; do not spin */
    for (guint i = 0; i < workers->len; i++)
      g_free(g_array_index(workers, worker, i).ks);
    g_array_set_size(workers, 0);
    return;
  }
  for (guint i = 0; i < workers->len; i++) {
    worker *w = &g_array_index(workers, worker, i);
    if (w->pid != pid)
      continue;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      t->ran += w->n;
    } else {
      /* Which of the batch are complete: the others failed (the worker
       * said why, or it was killed). */
      for (guint j = 0; j < w->n; j++) {
        g_autofree char *dir = cell_abs_dir(s, w->ks[j]);
        if (cell_check(s, w->ks[j], dir) == CELL_DONE) {
          t->ran++;
          continue;
        }
        t->failed++;
        if (WIFSIGNALED(status)) {
          char *label = cell_label(s, w->ks[j]);
          fprintf(stderr, "kasim sweep: %s: the worker was killed by signal %d\n", label,
                  WTERMSIG(status));
          g_free(label);
        }
      }
    }
    g_free(w->ks);
    g_array_remove_index_fast(workers, i);
    return;
  }
}

G_NORETURN static void worker_main(const ks_sweep_plan *s, const guint64 *ks, guint n,
                                   pid_t parent) {
#ifdef __linux__
  /* A worker never outlives its sweep: kill -9 of the sweep ends the
   * workers too (SIGTERM: ks_afile removes their temporaries), so a
   * resumed sweep never meets a cell still being written. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent)
    _exit(1);
#else
  (void)parent;
#endif
  ks_afile_install_signal_handlers();
  int failed = 0;
  for (guint i = 0; i < n; i++)
    failed += cell_work(s, ks[i]) != 0;
#ifdef KS_HAVE_LSAN
  /* _exit skips the end-of-process leak check; run it here. */
  if (s->worker_leak_check)
    __lsan_do_leak_check();
#endif
  /* _exit: the parent's atexit handlers (MPI's among them) are not ours. */
  _exit(failed ? 1 : 0);
}

void ks_sweep_run_cells(const ks_sweep_plan *s, guint rank, guint size, guint jobs,
                        ks_sweep_progress_fn progress, void *ud, ks_sweep_tally *t) {
  guint64 mine = rank < s->cells ? (s->cells - rank + size - 1) / size : 0;
  /* The cells to run: this rank's, not complete. */
  GArray *todo = g_array_new(FALSE, FALSE, sizeof(guint64));
  for (guint64 k = rank; k < s->cells; k += size) {
    g_autofree char *dir = cell_abs_dir(s, k);
    if (cell_check(s, k, dir) == CELL_DONE) {
      t->kept++;
      if (progress)
        progress(t, mine, ud);
    } else {
      g_array_append_val(todo, k);
    }
  }
  /* Batches small enough that every job gets several (the last ones
   * finish together), large enough to spread a fork over many runs. */
  guint64 batch = CLAMP(todo->len / ((guint64)jobs * 4), 1, MAX_BATCH);
  GArray *workers = g_array_new(FALSE, FALSE, sizeof(worker));
  pid_t self = getpid();
  for (guint64 at = 0; at < todo->len; at += batch) {
    guint n = (guint)MIN(batch, todo->len - at);
    while (workers->len >= jobs) {
      reap_one(s, workers, t);
      if (progress)
        progress(t, mine, ud);
    }
    fflush(NULL); /* nothing buffered is written twice */
    guint64 *ks = g_memdup2(&g_array_index(todo, guint64, at), n * sizeof(guint64));
    pid_t pid = fork();
    if (pid == 0)
      worker_main(s, ks, n, self);
    if (pid < 0) {
      for (guint j = 0; j < n; j++) {
        char *label = cell_label(s, ks[j]);
        fprintf(stderr, "kasim sweep: %s: cannot start a worker: %s\n", label, g_strerror(errno));
        g_free(label);
      }
      t->failed += n;
      g_free(ks);
      continue;
    }
    worker w = {.pid = pid, .ks = ks, .n = n};
    g_array_append_val(workers, w);
  }
  while (workers->len > 0) {
    reap_one(s, workers, t);
    if (progress)
      progress(t, mine, ud);
  }
  g_array_free(workers, TRUE);
  g_array_free(todo, TRUE);
}

/* ---- sweep.json and sweep.csv ------------------------------------------- */

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
 * exponent unless the number is huge or tiny: 120, 2.5, 0.001, 1e+20. */
static gboolean fits(char *buf, int p, double v, gboolean plain) {
  char fmt[16];
  snprintf(fmt, sizeof fmt, "%%.%dg", p);
  g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, fmt, v);
  return g_ascii_strtod(buf, NULL) == v && (!plain || strchr(buf, 'e') == NULL);
}

/* The fewest significant digits that fit: more digits never fit worse,
 * so a binary search over 1..17 finds them in five tries. */
static void csv_double(GString *csv, double v) {
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean plain = v == 0 || (fabs(v) >= 1e-4 && fabs(v) < 1e17);
  int lo = 1, hi = 17; /* 17 always fits */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (fits(buf, mid, v, plain))
      hi = mid;
    else
      lo = mid + 1;
  }
  fits(buf, lo, v, plain);
  g_string_append(csv, buf);
}

/* One metric as a CSV field: null is empty.  FALSE for what is not a
 * number, a string or null. */
static gboolean csv_value(GString *csv, JsonNode *n) {
  g_string_append_c(csv, ',');
  if (JSON_NODE_HOLDS_NULL(n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE(n))
    return FALSE;
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_INT64)
    g_string_append_printf(csv, "%" G_GINT64_FORMAT, json_node_get_int(n));
  else if (t == G_TYPE_DOUBLE)
    csv_double(csv, json_node_get_double(n));
  else if (t == G_TYPE_BOOLEAN)
    g_string_append(csv, json_node_get_boolean(n) ? "true" : "false");
  else if (t == G_TYPE_STRING)
    csv_field(csv, json_node_get_string(n));
  else
    return FALSE;
  return TRUE;
}

/* One combination's seeds, gathered as the merge reads its cells. */
typedef struct combo_acc {
  ks_sweep_stat st;
  ks_dist *lat;     /* the detected latencies of every seed; the undetected are st.undetected */
  GArray *overhead; /* double per seed: probe_bytes_per_s / connections */
} combo_acc;

static guint64 metric_count(JsonObject *m, const char *name) {
  JsonNode *n = json_object_get_member(m, name);
  return n && JSON_NODE_HOLDS_VALUE(n) ? (guint64)json_node_get_int(n) : 0;
}

/* A cell's latencies (its values, or its histogram past KS_DIST_EXACT_MAX)
 * and counts into its combination's. */
static gboolean acc_add(combo_acc *a, JsonObject *m, JsonNode *lat, const char *path,
                        GError **error) {
  GError *e = NULL;
  ks_dist *d = ks_dist_from_json(lat, &e);
  if (d == NULL) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED,
                "%s: \"latencies_s\": %s; remove the cell's folder and run the sweep again", path,
                e->message);
    g_error_free(e);
    return FALSE;
  }
  ks_dist_merge(a->lat, d);
  ks_dist_free(d);
  ks_sweep_stat *st = &a->st;
  guint64 conns = metric_count(m, "connections");
  st->runs++;
  st->connections += conns;
  st->failed += metric_count(m, "failed");
  st->detected += metric_count(m, "detected");
  st->undetected += metric_count(m, "undetected");
  st->survived_failures += metric_count(m, "survived_failures");
  st->false_giveups += metric_count(m, "false_giveups");
  st->middlebox_conns += metric_count(m, "middlebox_conns");
  st->middlebox_survivors += metric_count(m, "middlebox_survivors");
  JsonNode *bytes = json_object_get_member(m, "probe_bytes_per_s");
  if (conns > 0 && bytes && JSON_NODE_HOLDS_VALUE(bytes)) {
    double v = json_node_get_double(bytes) / (double)conns;
    g_array_append_val(a->overhead, v);
  }
  return TRUE;
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

static gboolean merge_cell(const ks_sweep_plan *s, guint64 k, JsonBuilder *b, GString *csv,
                           GPtrArray *names, combo_acc *acc, GError **error) {
  g_autofree char *rel = ks_sweep_cell_dir(s, k);
  g_autofree char *dir = cell_abs_dir(s, k);
  JsonParser *parser = cell_load(s, k, dir);
  if (parser == NULL) {
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED,
                "%s/%s is not complete; run the sweep again", s->out_dir, rel);
    return FALSE;
  }
  g_autofree char *path = g_build_filename(dir, "cell.json", NULL);
  JsonObject *cell = json_node_get_object(json_parser_get_root(parser));
  JsonObject *m = json_object_get_object_member(cell, "metrics");
  if (!acc_add(acc, m, json_object_get_member(cell, "latencies_s"), path, error)) {
    g_object_unref(parser);
    return FALSE;
  }
  char **sets = ks_sweep_cell_sets(s, k);
  guint64 seed = ks_sweep_cell_seed(s, k);

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "index");
  json_builder_add_int_value(b, (gint64)k);
  json_builder_set_member_name(b, "params");
  json_builder_begin_object(b);
  g_string_append_printf(csv, "%" G_GUINT64_FORMAT, k);
  for (guint i = 0; i < s->cols->len; i++) {
    const ks_sweep_col *a = s->cols->pdata[i];
    const char *value = sets[i] + strlen(a->name) + 1;
    json_builder_set_member_name(b, a->name);
    json_builder_add_string_value(b, value);
    g_string_append_c(csv, ',');
    csv_field(csv, value);
  }
  json_builder_end_object(b);
  json_builder_set_member_name(b, "seed");
  json_builder_add_int_value(b, (gint64)seed);
  json_builder_set_member_name(b, "run_dir");
  json_builder_add_string_value(b, rel);
  g_string_append_printf(csv, ",%" G_GUINT64_FORMAT ",%s", seed, rel);
  /* The metrics as the cell has them, in their order; every cell has the
   * same ones (the first cell's make the CSV columns). */
  json_builder_set_member_name(b, "metrics");
  json_builder_begin_object(b);
  gboolean ok = TRUE;
  GList *members = json_object_get_members(m);
  if (names->len == 0)
    for (GList *l = members; l; l = l->next)
      g_ptr_array_add(names, g_strdup(l->data));
  guint i = 0;
  for (GList *l = members; ok && l; l = l->next, i++) {
    JsonNode *n = json_object_get_member(m, l->data);
    if (i >= names->len || strcmp(names->pdata[i], l->data) != 0 || !csv_value(csv, n)) {
      ok = FALSE;
      break;
    }
    json_builder_set_member_name(b, l->data);
    json_builder_add_value(b, json_node_copy(n));
  }
  g_list_free(members);
  if (ok && i != names->len)
    ok = FALSE;
  if (!ok)
    g_set_error(error, KS_SWEEP_ERROR, KS_SWEEP_ERROR_FAILED,
                "%s: not the metrics of the other cells (another kasim made it?); remove %s/%s "
                "to redo the cell",
                path, s->out_dir, rel);
  json_builder_end_object(b);
  json_builder_end_object(b);
  g_string_append_c(csv, '\n');
  g_strfreev(sets);
  g_object_unref(parser);
  return ok;
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

static void stats_row(const ks_sweep_plan *s, const ks_sweep_stat *st, GString *csv) {
  g_string_append_printf(csv, "%" G_GUINT64_FORMAT, st->combo);
  char **sets = ks_sweep_combo_sets(s, st->combo);
  for (guint i = 0; i < s->cols->len; i++) {
    g_string_append_c(csv, ',');
    csv_field(csv, sets[i] + strlen(((ks_sweep_col *)s->cols->pdata[i])->name) + 1);
  }
  g_strfreev(sets);
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

static void csv_param_header(const ks_sweep_plan *s, GString *csv) {
  for (guint i = 0; i < s->cols->len; i++) {
    g_string_append_c(csv, ',');
    csv_field(csv, ((ks_sweep_col *)s->cols->pdata[i])->name);
  }
}

gboolean ks_sweep_merge(const ks_sweep_plan *s, GArray **stats_out, GError **error) {
  GString *rows = g_string_new(NULL);
  GString *stats_csv = g_string_new("index");
  csv_param_header(s, stats_csv);
  g_string_append_printf(stats_csv, ",%s\n", stats_header);
  GArray *stats = g_array_new(FALSE, TRUE, sizeof(ks_sweep_stat));
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "scenario");
  json_builder_add_string_value(b, s->scenario_name);
  json_grid(b, s);
  json_builder_set_member_name(b, "seeds");
  json_builder_add_int_value(b, s->seeds);
  json_builder_set_member_name(b, "cells");
  json_builder_begin_array(b);
  gboolean ok = TRUE;
  combo_acc acc = {.overhead = g_array_new(FALSE, FALSE, sizeof(double))};
  for (guint64 k = 0; ok && k < s->cells; k++) {
    if (k % s->seeds == 0) {
      memset(&acc.st, 0, sizeof acc.st);
      acc.st.combo = k / s->seeds;
      ks_dist_free(acc.lat);
      acc.lat = ks_dist_new();
      g_array_set_size(acc.overhead, 0);
    }
    ok = merge_cell(s, k, b, rows, names, &acc, error);
    if (ok && k % s->seeds == s->seeds - 1) {
      acc_finish(&acc);
      g_array_append_val(stats, acc.st);
      stats_row(s, &acc.st, stats_csv);
    }
  }
  ks_dist_free(acc.lat);
  g_array_free(acc.overhead, TRUE);
  json_builder_end_array(b);
  json_builder_end_object(b);
  char *json = builder_text(b);

  GString *csv = g_string_new("index");
  csv_param_header(s, csv);
  g_string_append(csv, ",seed,run_dir");
  for (guint i = 0; i < names->len; i++) {
    g_string_append_c(csv, ',');
    csv_field(csv, names->pdata[i]);
  }
  g_string_append_c(csv, '\n');
  g_string_append_len(csv, rows->str, (gssize)rows->len);
  ok = ok && write_atomic(s->out_dir, "sweep.csv", csv->str, error) &&
       write_atomic(s->out_dir, "stats.csv", stats_csv->str, error) &&
       write_atomic(s->out_dir, "sweep.json", json, error);
  g_free(json);
  g_string_free(csv, TRUE);
  g_string_free(stats_csv, TRUE);
  g_string_free(rows, TRUE);
  g_ptr_array_free(names, TRUE);
  if (ok && stats_out)
    *stats_out = stats;
  else
    g_array_free(stats, TRUE);
  return ok;
}
