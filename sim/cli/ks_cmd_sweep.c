/* ks_cmd_sweep.c - `kasim sweep SCENARIO --grid NAME=V1,V2 ... --seeds N`:
 * every combination of the grid values times every seed, one run per cell
 * (on the native engine or ns-3) in worker processes, resumable, merged
 * into sweep.json and sweep.csv; under Open MPI's mpirun the cells are
 * dealt to the ranks (cell k to rank k % size) and rank 0 merges.
 * docs/sweep.md. */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "ks_afile.h"
#include "ks_backend.h"
#include "ks_cli.h"
#include "ks_sweep.h"
#include "ks_sweep_comm.h"

#define MAX_JOBS 1024u

static void on_progress(const ks_sweep_tally *t, guint64 mine, void *ud) {
  (void)ud;
  guint64 done = t->ran + t->kept + t->failed;
  fprintf(stderr, "\rkasim sweep: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " cells",
          done, mine);
  if (t->failed)
    fprintf(stderr, " (%" G_GUINT64_FORMAT " failed)", t->failed);
  if (done == mine)
    fputc('\n', stderr);
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
    g_set_error(error, KS_CLI_ERROR, 0, "%s %s: not a whole number from %" G_GUINT64_FORMAT
                " to %" G_GUINT64_FORMAT, opt, text, min, max);
    return FALSE;
  }
  return TRUE;
}

static int exit_status(const GError *e) {
  return e->domain == KS_SWEEP_ERROR && (e->code == KS_SWEEP_ERROR_INVALID ||
                                         e->code == KS_SWEEP_ERROR_MISMATCH)
             ? KS_EXIT_USAGE
             : 1;
}

int ks_cmd_sweep(int argc, char **argv) {
  ks_comm comm;
  GError *error = NULL;
  if (!ks_comm_init(&comm, &argc, &argv, &error)) {
    ks_cli_print_error("sweep", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  g_autofree char *out_dir = NULL, *seeds_text = NULL, *base_text = NULL, *jobs_text = NULL,
                  *engine = NULL;
  g_auto(GStrv) grids = NULL;
  gboolean pcap = FALSE;
  GOptionEntry entries[] = {
    {"grid", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &grids,
     "A --set NAME of `kasim run` and its values, one axis of the grid (values with a comma: "
     "separate them with ';')", "NAME=V1,V2,..."},
    {"seeds", 0, 0, G_OPTION_ARG_STRING, &seeds_text, "Seeds per combination (default 1)", "N"},
    {"seed-base", 0, 0, G_OPTION_ARG_STRING, &base_text, "The first seed (default 1)", "N"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (default out/NAME-sweep)",
     "DIR"},
    {"jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_text,
     "Worker processes (per MPI rank; default: the cores this process may use)", "N"},
    {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "Every cell also writes capture.pcap", NULL},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &engine, "Every cell's engine: native (default) or ns3",
     "NAME"},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(
      "SCENARIO - run a scenario over a grid of settings and seeds");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  guint64 seeds = 1, seed_base = 1, jobs = usable_cores();
  jobs = MIN(jobs, MAX_JOBS);
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0, argc < 2 ? "a scenario file is required"
                                                  : "unexpected argument '%s'", argv[2]),
        ok = FALSE;
  ok = ok && parse_count("--seeds", seeds_text, 1, KS_SWEEP_MAX_CELLS, &seeds, &error);
  ok = ok && parse_count("--seed-base", base_text, 0, G_MAXUINT64, &seed_base, &error);
  ok = ok && parse_count("--jobs", jobs_text, 1, MAX_JOBS, &jobs, &error);
  const ks_backend *backend = ok ? ks_cli_engine_find(engine, &error) : NULL;
  ks_sweep_plan *s = NULL;
  if (backend) {
    ks_sweep_args args = {.scenario_path = argv[1], .grids = grids, .seeds = (guint)seeds,
                          .seed_base = seed_base, .pcap = pcap, .backend = backend,
                          .out_dir = out_dir};
    s = ks_sweep_plan_new(&args, &error);
  }
  if (s == NULL) { /* every rank finds the same problem; one says it */
    if (comm.rank == 0)
      ks_cli_print_error("sweep", error);
    g_error_free(error);
    ks_comm_finish(&comm);
    return KS_EXIT_USAGE;
  }

  int status = 0;
  if (comm.rank == 0 && !ks_sweep_prepare(s, &error)) {
    ks_cli_print_error("sweep", error);
    status = exit_status(error);
    g_clear_error(&error);
  }
  status = ks_comm_bcast(&comm, status);
  if (status != 0) {
    ks_sweep_plan_free(s);
    ks_comm_finish(&comm);
    return status;
  }
  ks_afile_install_signal_handlers();
  s->worker_leak_check = !comm.mpi;

  ks_sweep_tally t = {0};
  gboolean progress = comm.rank == 0 && isatty(STDERR_FILENO);
  ks_sweep_run_cells(s, comm.rank, comm.size, (guint)jobs, progress ? on_progress : NULL, NULL,
                     &t);
  /* After every rank's cells: the totals, and what each rank ran. */
  guint64 *sum = g_new0(guint64, 3 + comm.size);
  sum[0] = t.ran, sum[1] = t.kept, sum[2] = t.failed, sum[3 + comm.rank] = t.ran;
  ks_comm_sum(&comm, sum, (int)(3 + comm.size));
  if (t.failed)
    status = 1;
  if (comm.rank == 0) {
    if (sum[2] > 0) {
      fprintf(stderr,
              "kasim sweep: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
              " cells failed (see above); run the same command again to redo them\n",
              sum[2], s->cells);
      status = 1;
    } else if (!ks_sweep_merge(s, &error)) {
      ks_cli_print_error("sweep", error);
      g_clear_error(&error);
      status = 1;
    } else {
      printf("kasim sweep: %s, %" G_GUINT64_FORMAT " cell%s (%" G_GUINT64_FORMAT
             " combination%s x %u seed%s): %" G_GUINT64_FORMAT " run now",
             s->scenario_name, s->cells, s->cells == 1 ? "" : "s", s->combos,
             s->combos == 1 ? "" : "s", s->seeds, s->seeds == 1 ? "" : "s", sum[0]);
      if (comm.size > 1) {
        printf(" on %u ranks (", comm.size);
        for (guint r = 0; r < comm.size; r++)
          printf("%s%" G_GUINT64_FORMAT, r ? " + " : "", sum[3 + r]);
        printf(")");
      }
      printf(", %" G_GUINT64_FORMAT " done before\n", sum[1]);
      printf("Results in %s/sweep.json and %s/sweep.csv\n", s->out_dir, s->out_dir);
    }
  }
  g_free(sum);
  ks_sweep_plan_free(s);
  ks_comm_finish(&comm);
  return status;
}
