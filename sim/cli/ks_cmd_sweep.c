/* ks_cmd_sweep.c - `kasim sweep SCENARIO --grid NAME=V1,V2 ... --seeds N`:
 * every combination of the grid values times every seed, one run per cell
 * (on the native engine or ns-3) in worker processes, resumable and
 * extensible, merged into sweep.json, sweep.csv and stats.csv; under Open
 * MPI's mpirun the cells are dealt to the ranks (cell k to rank k % size)
 * and rank 0 merges.  docs/sweep.md.
 *
 * `kasim tune` is the same sweep followed by a question: --require
 * constraints and a --minimize (or --maximize) objective over stats.csv's
 * statistics, answered with the settings that meet every constraint,
 * ranked, the Pareto front and its picture.  docs/tuning.md. */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks_afile.h"
#include "ks_backend.h"
#include "ks_cli.h"
#include "ks_sweep.h"
#include "ks_sweep_comm.h"
#include "ks_tune.h"
#include "ks_plot.h"

#define MAX_JOBS 1024u

/* ---- progress and interruption ------------------------------------------ */

typedef struct progress {
  const char *cmd;
  gint64 start_us;       /* when the first cell was started */
  guint64 kept_at_start; /* cells found complete before any ran */
  gboolean started;
} progress;

/* "12 s", "3 min 05 s", "1 h 02 min" */
static void fmt_eta(char *buf, size_t n, double s) {
  if (!isfinite(s) || s < 0)
    snprintf(buf, n, "?");
  else if (s < 60)
    snprintf(buf, n, "%.0f s", s);
  else if (s < 3600)
    snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
  else
    snprintf(buf, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* Cells done (of this process's), the rate of the cells run now and the
 * time left at that rate. */
static void on_progress(const ks_sweep_tally *t, guint64 mine, void *ud) {
  progress *p = ud;
  guint64 done = t->ran + t->kept + t->failed;
  gint64 now = g_get_monotonic_time();
  if (!p->started && t->ran + t->failed > 0)
    p->started = TRUE;
  if (!p->started) {
    p->start_us = now;
    p->kept_at_start = t->kept;
  }
  double secs = (double)(now - p->start_us) / 1e6;
  double ran = (double)(done - p->kept_at_start);
  double rate = secs > 0 ? ran / secs : 0;
  char eta[32];
  fmt_eta(eta, sizeof eta, rate > 0 ? (double)(mine - done) / rate : NAN);
  fprintf(stderr,
          "\rkasim %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " cells, %.1f cells/s, %s left",
          p->cmd, done, mine, rate, done == mine ? "0 s" : eta);
  if (t->failed)
    fprintf(stderr, " (%" G_GUINT64_FORMAT " failed)", t->failed);
  fputs("\033[K", stderr);
  if (done == mine)
    fputc('\n', stderr);
}

/* Ctrl-C or SIGTERM: say how to resume, then ks_afile's handler removes
 * the temporaries and exits with 128 + the signal.  The message is made
 * before the cells start (a handler may only write(2)). */
static char interrupt_msg[512];
static struct sigaction afile_action;

static void on_interrupt(int sig) {
  ssize_t ignored = write(STDERR_FILENO, interrupt_msg, strlen(interrupt_msg));
  (void)ignored;
  if (afile_action.sa_handler != SIG_DFL && afile_action.sa_handler != SIG_IGN)
    afile_action.sa_handler(sig);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void install_interrupt(const char *cmd, const char *out_dir) {
  snprintf(interrupt_msg, sizeof interrupt_msg,
           "\nkasim %s: interrupted; every finished cell is kept in %s: run the same command "
           "again to resume (it runs only the cells not finished)\n",
           cmd, out_dir);
  ks_afile_install_signal_handlers();
  sigaction(SIGINT, NULL, &afile_action);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* ---- --grid and --zip, in the order given -------------------------------- */

static GPtrArray *grid_args;

static gboolean on_grid(const char *name, const char *value, gpointer data, GError **error) {
  (void)data, (void)error;
  gboolean zip = strcmp(name, "--zip") == 0 || strcmp(name, "-z") == 0;
  gboolean set = strcmp(name, "--set") == 0 || strcmp(name, "-s") == 0;
  g_ptr_array_add(grid_args, g_strconcat(zip ? "+" : set ? "=" : "", value, NULL));
  return TRUE;
}

/* The cores this process may run on (taskset, cgroups, mpirun's binding),
 * not merely the machine's. */
static guint64 usable_cores(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return (guint64)CPU_COUNT(&set);
#endif
  return (guint64)MAX(1, g_get_num_processors());
}

static gboolean parse_count(const char *opt, const char *text, guint64 min, guint64 max,
                            guint64 *out, GError **error) {
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned(text, 10, min, max, out, NULL)) {
    g_set_error(error, KS_CLI_ERROR, 0,
                "%s %s: not a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, opt,
                text, min, max);
    return FALSE;
  }
  return TRUE;
}

static int exit_status(const GError *e) {
  return e->domain == KS_SWEEP_ERROR &&
             (e->code == KS_SWEEP_ERROR_INVALID || e->code == KS_SWEEP_ERROR_MISMATCH)
           ? KS_EXIT_USAGE
           : 1;
}

/* ---- kasim tune: the answer --------------------------------------------- */

static void print_value(ks_tune_metric m, double v) {
  if (isnan(v))
    printf("-");
  else if (isinf(v))
    printf("never");
  else if (m == KS_TUNE_OVERHEAD)
    printf("%.3g B/s", v);
  else if (m >= KS_TUNE_FALSE_GIVEUP_RATE)
    printf("%.2f%%", 100 * v);
  else
    printf("%.4g s", v);
}

static void print_triple(ks_tune_metric m, const ks_sweep_stat *st) {
  double v[3];
  ks_tune_value(st, m, v);
  print_value(m, v[0]);
  if (m != KS_TUNE_DETECTION_MAX && !isnan(v[0]) && (v[1] != v[0] || v[2] != v[0])) {
    printf(" [");
    print_value(m, v[1]);
    printf(", ");
    print_value(m, v[2]);
    printf("]");
  }
}

/* Whether column i's axis has more than one value. */
static gboolean col_varies(const ks_sweep_plan *s, guint i) {
  for (guint a = 0, c = 0; a < s->axes->len; a++) {
    const ks_sweep_axis *ax = s->axes->pdata[a];
    if (i < c + ax->cols->len)
      return ax->n > 1;
    c += ax->cols->len;
  }
  return FALSE;
}

/* A column's name in a label: the last part of a path, unless another
 * varying column ends the same way. */
static const char *short_name(const ks_sweep_plan *s, guint i) {
  const char *name = ((ks_sweep_col *)s->cols->pdata[i])->name;
  const char *tail = strrchr(name, '.') ? strrchr(name, '.') + 1 : name;
  for (guint j = 0; j < s->cols->len; j++) {
    const char *other = ((ks_sweep_col *)s->cols->pdata[j])->name;
    const char *ot = strrchr(other, '.') ? strrchr(other, '.') + 1 : other;
    if (j != i && col_varies(s, j) && strcmp(ot, tail) == 0)
      return name;
  }
  return tail;
}

/* What the varying columns of combination c (all of them when none
 * varies) show, joined: */
typedef enum { COMBO_SETS, COMBO_VALUES, COMBO_NAMES } combo_part;

/* COMBO_SETS "TCP_KEEPIDLE=10 TCP_KEEPCNT=5"; the picture's labels,
 * COMBO_VALUES "45 / 1 / 5" and COMBO_NAMES "TCP_KEEPIDLE / TCP_KEEPINTVL
 * / TCP_KEEPCNT". */
static char *combo_text(const ks_sweep_plan *s, guint64 c, combo_part part) {
  char **sets = ks_sweep_combo_sets(s, c);
  GString *label = g_string_new(NULL);
  gboolean any = FALSE;
  for (guint i = 0; i < s->cols->len; i++)
    any = any || col_varies(s, i);
  for (guint i = 0; i < s->cols->len; i++) {
    if (any && !col_varies(s, i))
      continue;
    const char *v = sets[i] + strlen(((ks_sweep_col *)s->cols->pdata[i])->name) + 1;
    if (label->len)
      g_string_append(label, part == COMBO_SETS ? " " : " / ");
    if (part != COMBO_VALUES)
      g_string_append(label, short_name(s, i));
    if (part == COMBO_SETS)
      g_string_append_c(label, '=');
    if (part != COMBO_NAMES)
      g_string_append(label, v);
  }
  g_strfreev(sets);
  return g_string_free(label, FALSE);
}

/* "links.radio.loss=0.05": the columns with one value, said once. */
static char *fixed_label(const ks_sweep_plan *s) {
  char **sets = ks_sweep_combo_sets(s, 0);
  GString *label = g_string_new(NULL);
  for (guint i = 0; i < s->cols->len; i++)
    if (col_varies(s, i))
      continue;
    else
      g_string_append_printf(label, "%s%s", label->len ? " " : "", sets[i]);
  g_strfreev(sets);
  return g_string_free(label, FALSE);
}

typedef struct rank_ctx {
  const ks_sweep_stat *st;
  ks_tune_metric objective;
  gboolean maximize;
} rank_ctx;

static gint by_objective(gconstpointer x, gconstpointer y, gpointer ud) {
  const rank_ctx *r = ud;
  guint i = *(const guint *)x, j = *(const guint *)y;
  double a[3], b[3];
  ks_tune_value(&r->st[i], r->objective, a);
  ks_tune_value(&r->st[j], r->objective, b);
  double va = r->maximize ? -a[0] : a[0], vb = r->maximize ? -b[0] : b[0];
  if (isnan(va) != isnan(vb))
    return isnan(va) ? 1 : -1;
  if (va != vb && !(isnan(va) && isnan(vb)))
    return va < vb ? -1 : 1;
  return (i > j) - (i < j);
}

/* The answer on stdout, tune.csv and pareto.png/svg in the folder. */
static int tune_answer(const ks_sweep_plan *s, GArray *stats, GPtrArray *cons,
                       ks_tune_metric objective, gboolean maximize) {
  const ks_sweep_stat *st = (const ks_sweep_stat *)stats->data;
  guint n = stats->len;
  gboolean *front = ks_tune_pareto(st, n);
  GArray *ok = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < n; i++) {
    gboolean all = TRUE;
    for (guint c = 0; c < cons->len; c++)
      all = all && ks_tune_meets(&st[i], cons->pdata[c]);
    if (all)
      g_array_append_val(ok, i);
  }
  rank_ctx rc = {st, objective, maximize};
  g_array_sort_with_data(ok, by_objective, &rc);

  printf("\n%s %s", maximize ? "Maximize" : "Minimize", ks_tune_metric_name(objective));
  for (guint c = 0; c < cons->len; c++)
    printf("%s %s", c ? " and" : " subject to", ((ks_tune_constraint *)cons->pdata[c])->text);
  printf(" (each met by its 95%% interval's bound, %u seed%s per setting", s->seeds,
         s->seeds == 1 ? "" : "s");
  g_autofree char *fixed = fixed_label(s);
  if (*fixed)
    printf("; all with %s", fixed);
  printf("):\n");
  if (ok->len == 0)
    printf("  no setting meets every constraint with that confidence\n");
  const ks_tune_metric show[] = {KS_TUNE_DETECTION_P95, KS_TUNE_FALSE_GIVEUP_RATE,
                                 KS_TUNE_OVERHEAD};
  for (guint r = 0; r < ok->len && r < 10; r++) {
    guint i = g_array_index(ok, guint, r);
    g_autofree char *label = combo_text(s, st[i].combo, COMBO_SETS);
    printf("  %u. %s%s\n", r + 1, label, front[i] ? "  (Pareto front)" : "");
    for (size_t m = 0; m < G_N_ELEMENTS(show); m++) {
      printf("       %-18s ", ks_tune_metric_name(show[m]));
      print_triple(show[m], &st[i]);
      printf("\n");
    }
  }
  if (ok->len > 10)
    printf("  ... and %u more (tune.csv)\n", ok->len - 10);
  printf("Pareto front of detection_p95, overhead and false_giveup_rate (all settings):\n");
  for (guint i = 0; i < n; i++) {
    if (!front[i])
      continue;
    g_autofree char *label = combo_text(s, st[i].combo, COMBO_SETS);
    printf("  %s: ", label);
    for (size_t m = 0; m < G_N_ELEMENTS(show); m++) {
      printf("%s%s ", m ? ", " : "", ks_tune_metric_name(show[m]));
      double v[3];
      ks_tune_value(&st[i], show[m], v);
      print_value(show[m], v[0]);
    }
    printf("\n");
  }

  /* tune.csv: stats.csv's index and parameters, whether each constraint
   * is met, all of them, the rank and the front. */
  GString *csv = g_string_new("index");
  GPtrArray *cols = ks_sweep_columns(s);
  for (guint i = 0; i < cols->len; i++)
    g_string_append_printf(csv, ",%s", ((ks_sweep_col *)cols->pdata[i])->name);
  for (guint c = 0; c < cons->len; c++)
    g_string_append_printf(csv, ",require_%u", c + 1);
  g_string_append(csv, ",meets_all,rank,pareto\n");
  guint *rank = g_new0(guint, MAX(n, 1));
  for (guint r = 0; r < ok->len; r++)
    rank[g_array_index(ok, guint, r)] = r + 1;
  for (guint i = 0; i < n; i++) {
    g_string_append_printf(csv, "%" G_GUINT64_FORMAT, st[i].combo);
    char **sets = ks_sweep_combo_sets(s, st[i].combo);
    for (guint c = 0; c < cols->len; c++) {
      const char *v = sets[c] + strlen(((ks_sweep_col *)cols->pdata[c])->name) + 1;
      if (strpbrk(v, ",\"\r\n")) {
        g_string_append_c(csv, ',');
        g_string_append_c(csv, '"');
        for (const char *x = v; *x; x++) {
          if (*x == '"')
            g_string_append_c(csv, '"');
          g_string_append_c(csv, *x);
        }
        g_string_append_c(csv, '"');
      } else {
        g_string_append_printf(csv, ",%s", v);
      }
    }
    g_strfreev(sets);
    for (guint c = 0; c < cons->len; c++)
      g_string_append_printf(csv, ",%s", ks_tune_meets(&st[i], cons->pdata[c]) ? "true" : "false");
    g_string_append_printf(csv, ",%s,", rank[i] ? "true" : "false");
    if (rank[i])
      g_string_append_printf(csv, "%u", rank[i]);
    g_string_append_printf(csv, ",%s\n", front[i] ? "true" : "false");
  }
  GError *error = NULL;
  int status = 0;
  ks_afile *f = ks_afile_open(s->out_dir, "tune.csv", &error);
  if (f) {
    fputs(csv->str, ks_afile_stream(f));
    if (!ks_afile_commit(f, &error))
      f = NULL;
  }
  /* The picture of the front. */
  ks_pareto_point *pts = g_new0(ks_pareto_point, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    pts[i].detection_p95_s = st[i].detection_p95[0];
    pts[i].overhead = st[i].overhead[0];
    pts[i].false_giveup_rate = st[i].false_giveup_rate[0];
    pts[i].front = front[i];
    pts[i].meets = rank[i] > 0;
    pts[i].label = combo_text(s, st[i].combo, COMBO_VALUES);
  }
  ks_plot_images im = {0};
  g_autofree char *names = combo_text(s, 0, COMBO_NAMES);
  gboolean drawn = error == NULL && ks_plot_pareto(s->scenario_name, names, pts, n, &im, &error);
  for (guint i = 0; drawn && i < 2; i++) {
    ks_afile *pf = ks_afile_open(s->out_dir, i ? "pareto.svg" : "pareto.png", &error);
    GBytes *b = i ? im.svg : im.png;
    if (pf == NULL) {
      drawn = FALSE;
      break;
    }
    gsize len;
    const void *data = g_bytes_get_data(b, &len);
    fwrite(data, 1, len, ks_afile_stream(pf));
    drawn = ks_afile_commit(pf, &error);
  }
  ks_plot_images_clear(&im);
  for (guint i = 0; i < n; i++)
    g_free((char *)pts[i].label);
  g_free(pts);
  if (error) {
    ks_cli_print_error("tune", error);
    g_error_free(error);
    status = 1;
  } else {
    printf("Every setting in %s/tune.csv; the front in %s/pareto.png and pareto.svg\n", s->out_dir,
           s->out_dir);
  }
  g_free(rank);
  g_string_free(csv, TRUE);
  g_array_free(ok, TRUE);
  g_free(front);
  return status;
}

/* ---- the command --------------------------------------------------------- */

static int sweep_main(int argc, char **argv, gboolean tune) {
  const char *cmd = tune ? "tune" : "sweep";
  ks_comm comm;
  GError *error = NULL;
  if (!ks_comm_init(&comm, &argc, &argv, &error)) {
    ks_cli_print_error(cmd, error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  g_autofree char *out_dir = NULL, *seeds_text = NULL, *base_text = NULL, *jobs_text = NULL,
                  *engine = NULL, *minimize = NULL, *maximize = NULL;
  g_auto(GStrv) requires = NULL;
  grid_args = g_ptr_array_new_with_free_func(g_free);
  gboolean pcap = FALSE, compress = FALSE;
  GOptionEntry entries[] = {
    {"grid", 'g', 0, G_OPTION_ARG_CALLBACK, NULL,
     "One axis: a --set NAME or PATH of `kasim run` (KeepAliveTime, links.wan.loss, "
     "hosts.c.settings.X, ...) and its values (values with a comma: separate them with ';')",
     "NAME=V1,V2,..."},
    {"zip", 'z', 0, G_OPTION_ARG_CALLBACK, NULL,
     "Joins the --grid before it: its i-th value goes with that axis's i-th value",
     "NAME=W1,W2,..."},
    {"set", 's', 0, G_OPTION_ARG_CALLBACK, NULL,
     "One value for every cell, as `kasim run --set` takes it (a column of one value)",
     "NAME=VALUE"},
    {"seeds", 0, 0, G_OPTION_ARG_STRING, &seeds_text, "Seeds per combination (default 1)", "N"},
    {"seed-base", 0, 0, G_OPTION_ARG_STRING, &base_text, "The first seed (default 1)", "N"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (default out/NAME-sweep)",
     "DIR"},
    {"jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_text,
     "Worker processes (per MPI rank; default: the cores this process may use)", "N"},
    {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "Every cell also writes capture.pcap", NULL},
    {"compress", 0, 0, G_OPTION_ARG_NONE, &compress,
     "Every cell writes trace.jsonl.gz and connections.csv.gz (gzip)", NULL},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &engine, "Every cell's engine: native (default) or ns3",
     "NAME"},
    G_OPTION_ENTRY_NULL, /* kasim tune's three, then the end */
    G_OPTION_ENTRY_NULL,
    G_OPTION_ENTRY_NULL,
    G_OPTION_ENTRY_NULL,
  };
  /* A callback's address in arg_data, without a cast ISO C forbids. */
  GOptionArgFunc grid_fn = on_grid;
  memcpy(&entries[0].arg_data, &grid_fn, sizeof grid_fn);
  memcpy(&entries[1].arg_data, &grid_fn, sizeof grid_fn);
  memcpy(&entries[2].arg_data, &grid_fn, sizeof grid_fn);
  if (tune) {
    GOptionEntry more[] = {
      {"require", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &requires,
       "A constraint, as 'detection_p95 <= 60s' or 'false_giveup_rate <= 1%' (repeatable)",
       "'METRIC OP VALUE'"},
      {"minimize", 0, 0, G_OPTION_ARG_STRING, &minimize,
       "The objective (default overhead): overhead, detection_p95, ...", "METRIC"},
      {"maximize", 0, 0, G_OPTION_ARG_STRING, &maximize, "The objective, to maximize", "METRIC"},
    };
    memcpy(&entries[9], more, sizeof more);
  }
  GOptionContext *ctx = g_option_context_new(
    tune ? "SCENARIO - the settings of a grid that meet constraints, ranked, and the Pareto "
           "front"
         : "SCENARIO - run a scenario over a grid of settings and seeds");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  g_ptr_array_add(grid_args, NULL);
  guint64 seeds = 1, seed_base = 1, jobs = usable_cores();
  jobs = MIN(jobs, MAX_JOBS);
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0,
                argc < 2 ? "a scenario file is required" : "unexpected argument '%s'", argv[2]),
      ok = FALSE;
  ok = ok && parse_count("--seeds", seeds_text, 1, KS_SWEEP_MAX_CELLS, &seeds, &error);
  ok = ok && parse_count("--seed-base", base_text, 0, G_MAXUINT64, &seed_base, &error);
  ok = ok && parse_count("--jobs", jobs_text, 1, MAX_JOBS, &jobs, &error);
  /* kasim tune: the question is checked before anything runs. */
  GPtrArray *cons = g_ptr_array_new_with_free_func((GDestroyNotify)ks_tune_constraint_free);
  ks_tune_metric objective = KS_TUNE_OVERHEAD;
  if (ok && tune) {
    if (minimize && maximize)
      g_set_error(&error, KS_CLI_ERROR, 0, "--minimize and --maximize: choose one"), ok = FALSE;
    const char *obj = maximize ? maximize : minimize;
    if (ok && obj) {
      int m = ks_tune_metric_find(obj, &error);
      if (m < 0) {
        g_prefix_error(&error, "%s %s: ", maximize ? "--maximize" : "--minimize", obj);
        ok = FALSE;
      } else {
        objective = (ks_tune_metric)m;
      }
    }
    for (char **r = requires; ok && r && *r; r++) {
      ks_tune_constraint *c = ks_tune_parse(*r, &error);
      if (c == NULL)
        ok = FALSE;
      else
        g_ptr_array_add(cons, c);
    }
  }
  const ks_backend *backend = ok ? ks_cli_engine_find(engine, &error) : NULL;
  ks_sweep_plan *s = NULL;
  if (backend) {
    ks_sweep_args args = {.scenario_path = argv[1],
                          .grids = (char **)grid_args->pdata,
                          .seeds = (guint)seeds,
                          .seed_base = seed_base,
                          .pcap = pcap,
                          .compress = compress,
                          .backend = backend,
                          .out_dir = out_dir};
    s = ks_sweep_plan_new(&args, &error);
  }
  g_ptr_array_free(grid_args, TRUE);
  grid_args = NULL;
  if (s == NULL) { /* every rank finds the same problem; one says it */
    if (comm.rank == 0)
      ks_cli_print_error(cmd, error);
    g_error_free(error);
    g_ptr_array_free(cons, TRUE);
    ks_comm_finish(&comm);
    return KS_EXIT_USAGE;
  }

  int status = 0;
  if (comm.rank == 0 && !ks_sweep_prepare(s, &error)) {
    ks_cli_print_error(cmd, error);
    status = exit_status(error);
    g_clear_error(&error);
  }
  status = ks_comm_bcast(&comm, status);
  if (status != 0) {
    ks_sweep_plan_free(s);
    g_ptr_array_free(cons, TRUE);
    ks_comm_finish(&comm);
    return status;
  }
  install_interrupt(cmd, s->out_dir);
  s->worker_leak_check = !comm.mpi;

  ks_sweep_tally t = {0};
  progress prog = {.cmd = cmd, .start_us = g_get_monotonic_time()};
  gboolean show = comm.rank == 0 && isatty(STDERR_FILENO);
  ks_sweep_run_cells(s, comm.rank, comm.size, (guint)jobs, show ? on_progress : NULL, &prog, &t);
  /* After every rank's cells: the totals, and what each rank ran. */
  guint64 *sum = g_new0(guint64, 3 + comm.size);
  sum[0] = t.ran, sum[1] = t.kept, sum[2] = t.failed, sum[3 + comm.rank] = t.ran;
  ks_comm_sum(&comm, sum, (int)(3 + comm.size));
  if (t.failed)
    status = 1;
  GArray *stats = NULL;
  if (comm.rank == 0) {
    if (sum[2] > 0) {
      fprintf(stderr,
              "kasim %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
              " cells failed (see above); run the same command again to redo them\n",
              cmd, sum[2], s->cells);
      status = 1;
    } else if (!ks_sweep_merge(s, tune ? &stats : NULL, &error)) {
      ks_cli_print_error(cmd, error);
      g_clear_error(&error);
      status = 1;
    } else {
      printf("kasim %s: %s, %" G_GUINT64_FORMAT " cell%s (%" G_GUINT64_FORMAT
             " combination%s x %u seed%s): %" G_GUINT64_FORMAT " run now",
             cmd, s->scenario_name, s->cells, s->cells == 1 ? "" : "s", s->combos,
             s->combos == 1 ? "" : "s", s->seeds, s->seeds == 1 ? "" : "s", sum[0]);
      if (comm.size > 1) {
        printf(" on %u ranks (", comm.size);
        for (guint r = 0; r < comm.size; r++)
          printf("%s%" G_GUINT64_FORMAT, r ? " + " : "", sum[3 + r]);
        printf(")");
      }
      printf(", %" G_GUINT64_FORMAT " done before\n", sum[1]);
      printf("Results in %s/sweep.json, %s/sweep.csv and %s/stats.csv\n", s->out_dir, s->out_dir,
             s->out_dir);
      if (tune)
        status = tune_answer(s, stats, cons, objective, maximize != NULL);
    }
  }
  if (stats)
    g_array_free(stats, TRUE);
  g_free(sum);
  g_ptr_array_free(cons, TRUE);
  ks_sweep_plan_free(s);
  ks_comm_finish(&comm);
  return status;
}

int ks_cmd_sweep(int argc, char **argv) { return sweep_main(argc, argv, FALSE); }

int ks_cmd_tune(int argc, char **argv) { return sweep_main(argc, argv, TRUE); }
