/* ks_cmd_run.c - `kasim run SCENARIO`: simulate on the native engine or
 * ns-3, then write summary.json, trace.jsonl and (with --pcap)
 * capture.pcap into the output folder, all atomically, and tell the user
 * who died when and why. */
#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ks_backend.h"
#include "ks_cli.h"
#include "ks_format.h"
#include "ks_runner.h"
#include "ks_scenario.h"

/* Whether the progress bar was drawn, so its line can be ended. */
typedef struct bar {
  gboolean shown;
} bar;

static void on_progress(ka_time now, ka_time end, void *ud) {
  ((bar *)ud)->shown = TRUE;
  int width = 40, done = end > 0 ? (int)((double)now / (double)end * width) : width;
  g_autofree char *n = ks_format_human(now), *e = ks_format_human(end);
  fprintf(stderr, "\r[%-*.*s] %3d%%  %s of %s virtual ", width, done,
          "########################################", done * 100 / width, n, e);
}

static int cmp_time(const void *a, const void *b) {
  ka_time x = *(const ka_time *)a, y = *(const ka_time *)b;
  return (x > y) - (x < y);
}

/* Per group: how many died, of what, and when (first, median, last).
 * One pass over the connections, each into its group's and reason's
 * bucket: a pass per group and reason cost groups x reasons x
 * connections, hours for 10,000 groups. */
typedef struct bucket {
  GArray *times; /* ka_time */
  const char *error;
} bucket;

static void print_human(const ks_scenario *sc, const ks_backend *b, const void *w,
                        const char *out_dir) {
  g_autofree char *vt = ks_format_human(b->now(w));
  g_autofree char *events = ks_format_count(b->events(w));
  printf("kasim run: %s%s%s, %s of virtual time, %s %s\n", sc->name, b->stack ? " on " : "",
         b->stack ? b->stack : "", vt, events, ks_plural(b->events(w), "event", "events"));
  enum { REASONS = KA_CLOSE_RESET_BY_PEER + 1 };
  guint n_groups = sc->groups->len;
  bucket *buckets = g_new0(bucket, (gsize)n_groups * REASONS);
  guint32 n = b->conn_count(w);
  for (guint32 i = 0; i < n; i++) {
    ks_conn_result r = {0};
    b->conn_result(w, i, &r);
    if (r.group >= n_groups || (guint)r.reason >= REASONS)
      continue;
    bucket *k = &buckets[(gsize)r.group * REASONS + r.reason];
    if (k->times == NULL)
      k->times = g_array_new(FALSE, FALSE, sizeof(ka_time));
    g_array_append_val(k->times, r.closed_at);
    k->error = r.error;
  }
  for (guint gi = 0; gi < n_groups; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    for (int k = KA_CLOSE_NONE; k < REASONS; k++) {
      bucket *bk = &buckets[(gsize)gi * REASONS + k];
      GArray *times = bk->times;
      if (times == NULL)
        continue;
      g_array_sort(times, cmp_time);
      if (k == KA_CLOSE_NONE) {
        printf("  %s: %u of %u alive at the end\n", g->name, times->len, g->count);
      } else {
        g_autofree char *first = ks_format_seconds(g_array_index(times, ka_time, 0));
        g_autofree char *med = ks_format_seconds(g_array_index(times, ka_time, times->len / 2));
        g_autofree char *last = ks_format_seconds(g_array_index(times, ka_time, times->len - 1));
        if (times->len == 1)
          printf("  %s: closed at %s s by %s (%s)\n", g->name, first,
                 ka_close_reason_name((ka_close_reason)k), bk->error);
        else
          printf("  %s: %u closed by %s (%s), first at %s s, median %s s, last %s s\n", g->name,
                 times->len, ka_close_reason_name((ka_close_reason)k), bk->error, first, med,
                 last);
      }
      g_array_free(times, TRUE);
    }
  }
  g_free(buckets);
  printf("Results in %s/\n", out_dir);
}

/* The exit status for problems of the machine rather than of the input:
 * memory for the world, a full disk, an I/O error (docs/limits.md). */
#define KS_EXIT_SYSTEM 3

/* Whether --out DIR can hold the run's files, before anything is loaded or
 * made: an existing DIR must be a folder where files can be created; a
 * missing one, creatable in its nearest existing parent.  Both are tried
 * with a hidden folder made and removed at once (access() says yes to root
 * on a read-only mount or in /proc). */
static gboolean check_out_dir(const char *dir, GError **error) {
  g_autofree char *shown = ks_escape(dir);
  g_autofree char *at = g_strdup(dir);
  struct stat st;
  gboolean exists = stat(at, &st) == 0;
  while (!exists && (errno == ENOENT || errno == ENOTDIR)) {
    char *parent = g_path_get_dirname(at);
    gboolean top = strcmp(parent, at) == 0;
    g_free(at);
    at = parent;
    if (top)
      break;
    exists = stat(at, &st) == 0;
  }
  if (!exists) {
    int err = errno;
    g_set_error(error, KS_CLI_ERROR, 0, "--out %s: %s", shown, g_strerror(err));
    return FALSE;
  }
  if (!S_ISDIR(st.st_mode)) {
    g_autofree char *which = ks_escape(at);
    if (strcmp(at, dir) == 0)
      g_set_error(error, KS_CLI_ERROR, 0, "--out %s: not a folder (a file is there)", shown);
    else
      g_set_error(error, KS_CLI_ERROR, 0, "--out %s: %s is not a folder", shown, which);
    return FALSE;
  }
  g_autofree char *probe = g_build_filename(at, ".kasim-out-XXXXXX", NULL);
  if (g_mkdtemp(probe) == NULL) {
    int err = errno;
    g_set_error(error, KS_CLI_ERROR, 0, "--out %s: cannot create anything %s: %s", shown,
                strcmp(at, dir) == 0 ? "in it" : "there", g_strerror(err));
    return FALSE;
  }
  g_rmdir(probe);
  return TRUE;
}

int ks_cmd_run(int argc, char **argv) {
  g_autofree char *out_dir = NULL, *engine = NULL, *seed_text = NULL;
  g_auto(GStrv) sets = NULL, limit_sets = NULL;
  gboolean pcap = FALSE;
  double pace = 0;
  GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (default out/NAME)", "DIR"},
    {"seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Random seed (default: the scenario's)", "N"},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
     "A registry value, sysctl or socket option for every host or group", "NAME=VALUE"},
    {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "Also write capture.pcap", NULL},
    {"pace", 0, 0, G_OPTION_ARG_DOUBLE, &pace,
     "Virtual seconds per real second (default: as fast as possible)", "X"},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &engine, "native (default) or ns3", "NAME"},
    {"limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &limit_sets,
     "Raise a limit on what a scenario may ask for (docs/limits.md)", "NAME=VALUE"},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new("SCENARIO - simulate a scenario");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  guint64 seed = 0;
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0, argc < 2 ? "a scenario file is required"
                                                  : "unexpected argument '%s'", argv[2]),
        ok = FALSE;
  const ks_backend *b = ok ? ks_cli_engine_find(engine, &error) : NULL;
  ok = b != NULL;
  /* GLib reads "nan", "inf" and 1e999 as doubles. */
  if (ok && !(isfinite(pace) && pace >= 0))
    g_set_error(&error, KS_CLI_ERROR, 0, "--pace %g: must be a finite number, 0 or more "
                "(virtual seconds per real second)", pace), ok = FALSE;
  if (ok && seed_text &&
      !g_ascii_string_to_unsigned(seed_text, 10, 0, G_MAXUINT64, &seed, NULL))
    g_set_error(&error, KS_CLI_ERROR, 0, "--seed %s: not a whole number", seed_text), ok = FALSE;
  ks_limits limits;
  ok = ok && ks_limits_init_env(&limits, &error);
  for (guint i = 0; ok && limit_sets && limit_sets[i]; i++)
    ok = ks_limits_set(&limits, limit_sets[i], "--limit", &error);
  if (ok && out_dir)
    ok = check_out_dir(out_dir, &error);
  ks_scenario *sc = ok ? ks_scenario_load_data(argv[1], NULL, 0, sets, &limits, &error) : NULL;
  /* What the engine cannot run is refused before anything is written. */
  if (sc != NULL && !b->check(sc, pace, &error))
    g_clear_pointer(&sc, ks_scenario_free);
  if (sc == NULL) {
    ks_cli_print_error("run", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  if (seed_text == NULL)
    seed = sc->seed;
  gboolean out_given = out_dir != NULL;
  if (out_dir == NULL)
    out_dir = g_build_filename("out", sc->name, NULL);
  /* The runner draws the bar's last state once the run is over. */
  bar shown = {FALSE};
  ks_runner_opts opts = {.backend = b, .pcap = pcap, .pace = pace};
  if (isatty(STDERR_FILENO))
    opts.progress = on_progress, opts.progress_ud = &shown;
  void *w = ks_runner_run_scenario(sc, seed, out_dir, &opts, &error);
  if (shown.shown)
    fputc('\n', stderr);
  int status = 0;
  if (w) {
    print_human(sc, b, w, out_dir);
    b->world_free(w);
  } else {
    /* The folder's fault is the user's to fix (2); the machine's is 3;
     * anything else would be kasim's own (1). */
    gboolean out = g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_OUT);
    status = out || g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_REFUSED)
               ? KS_EXIT_USAGE
             : g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_SYSTEM) ? KS_EXIT_SYSTEM
                                                                               : 1;
    g_autofree char *msg = ks_escape(error->message);
    g_autofree char *dir = ks_escape(out_dir);
    if (out)
      fprintf(stderr, "kasim run: %s%s%s%s\n", out_given ? "--out " : "", out_given ? dir : "",
              out_given ? ": " : "", msg);
    else
      fprintf(stderr, "kasim run: %s\n", msg);
    g_error_free(error);
  }
  ks_scenario_free(sc);
  return status;
}
