/* ks_sweep.h - `kasim sweep`: one scenario run over the cartesian product
 * of --grid values times seeds, each run ("cell") in its own folder, in
 * worker processes, resumable and extensible, merged into sweep.json,
 * sweep.csv (a row per cell) and stats.csv (a row per combination, with
 * statistics across seeds).  docs/sweep.md describes the folder and files.
 *
 * Cell k: the grids vary like nested loops in the order they were given
 * (the last fastest), and the seed fastest of all:
 *   k = ((i_1 * n_2 + i_2) * ... + i_g) * seeds + (seed - seed_base).
 * Its run goes to OUT/cells/HHHHHHHHHHHH-SEED/ (H: the first 12 hex digits
 * of the SHA-256 of its "NAME=VALUE\n" lines), named by what it is, not by
 * k, so that a sweep with more seeds or more values finds the cells it
 * shares with an earlier one.  A cell is complete when its summary.json
 * is there and its cell.json, written after the run, reads whole, says
 * its parameters and seed (and holds its metrics and latencies) and names
 * the run's files with their sizes as they are; anything less is redone.
 *
 * An axis is one --grid NAME=V1,V2,... and any --zip NAME=W1,W2,... after
 * it: zipped names take their i-th values together.
 */
#ifndef KASIM_KS_SWEEP_H
#define KASIM_KS_SWEEP_H

#include <glib.h>

#include "ks_backend.h"
#include "ks_scenario.h"

#define KS_SWEEP_ERROR (ks_sweep_error_quark())
GQuark ks_sweep_error_quark(void);

typedef enum ks_sweep_error {
  KS_SWEEP_ERROR_INVALID,  /* bad arguments or scenario: exit 2 */
  KS_SWEEP_ERROR_MISMATCH, /* the folder holds another sweep, or other files: exit 2 */
  KS_SWEEP_ERROR_BUSY,     /* another kasim sweep is working in the folder */
  KS_SWEEP_ERROR_FAILED    /* a cell failed, or the folder cannot be written */
} ks_sweep_error;

/* The most cells one sweep may have. */
#define KS_SWEEP_MAX_CELLS 1000000u

typedef struct ks_sweep_args {
  const char *scenario_path;
  char **grids;              /* "NAME=V1,V2,..." (or "NAME=V1;V2;..." when a value holds a comma);
                          "+NAME=..." (--zip) joins the axis before it;
                          "=NAME=VALUE" (--set) is an axis of one value, not split */
  guint seeds;               /* >= 1 */
  guint64 seed_base;         /* the first seed */
  gboolean pcap;             /* every cell also writes capture.pcap */
  gboolean compress;         /* every cell writes trace.jsonl.gz and connections.csv.gz */
  const ks_backend *backend; /* every cell's engine (--engine) */
  const char *out_dir;       /* NULL: out/NAME-sweep */
} ks_sweep_args;

typedef struct ks_sweep_col {
  char *name;        /* a --set NAME or PATH */
  GPtrArray *values; /* char*, as given */
} ks_sweep_col;

typedef struct ks_sweep_axis {
  GPtrArray *cols; /* ks_sweep_col*: one, or several zipped */
  guint n;         /* values per column */
} ks_sweep_axis;

typedef struct ks_sweep_plan {
  char *scenario_path, *scenario_name, *scenario_sha256;
  GPtrArray *axes; /* ks_sweep_axis*, in the order given */
  GPtrArray *cols; /* ks_sweep_col* of every axis, in order (the axes own them) */
  guint seeds;
  guint64 seed_base;
  gboolean pcap, compress;
  const ks_backend *backend;
  char *out_dir;
  guint64 combos; /* product of the axes' sizes */
  guint64 cells;  /* combos * seeds */
  int lock_fd;    /* the out folder, flock()ed by ks_sweep_prepare; -1 */
  /* Under AddressSanitizer each worker checks for leaks before it exits;
   * off when the parent has threads (MPI's), whose stacks a forked worker
   * cannot see.  TRUE from ks_sweep_plan_new. */
  gboolean worker_leak_check;
  ks_scenario_src *src; /* the scenario file, parsed once for every check and cell */
  struct keep *kept;    /* the records of the cells this process ran, for the merge */
  struct texts *texts;  /* the columns' names and values as JSON and CSV text */
} ks_sweep_plan;

/* Checks everything before anything is written: the scenario loads, every
 * NAME is something `kasim run --set` accepts and every value (and every
 * combination) is accepted, by the loader and by the engine.
 * KS_SWEEP_ERROR_INVALID with a one-line message otherwise. */
ks_sweep_plan *ks_sweep_plan_new(const ks_sweep_args *args, GError **error);
void ks_sweep_plan_free(ks_sweep_plan *s);

guint64 ks_sweep_cell_seed(const ks_sweep_plan *s, guint64 k);
/* "NAME=VALUE" per column, for ks_scenario_load; g_strfreev it. */
char **ks_sweep_cell_sets(const ks_sweep_plan *s, guint64 k);
/* "cells/3f2a9c01bd77-1", relative to the out folder. */
char *ks_sweep_cell_dir(const ks_sweep_plan *s, guint64 k);
/* The columns of all axes, in order (not owned). */
GPtrArray *ks_sweep_columns(const ks_sweep_plan *s);

/* Makes the out folder ready, once per sweep (MPI: on rank 0): refuses
 * (MISMATCH) a folder that holds a sweep started with other arguments, or
 * other files; locks it (BUSY when another sweep holds it); writes
 * sweep-args.json when new.  The lock lasts until the process and the
 * workers it forks have ended. */
gboolean ks_sweep_prepare(ks_sweep_plan *s, GError **error);

typedef struct ks_sweep_tally {
  guint64 ran;    /* cells simulated now */
  guint64 kept;   /* cells found complete */
  guint64 failed; /* cells whose worker failed; each printed a line on stderr */
} ks_sweep_tally;

/* Progress after each cell this process handles. */
typedef void (*ks_sweep_progress_fn)(const ks_sweep_tally *t, guint64 mine, void *ud);

/* Works through the cells k with k % size == rank that are not complete,
 * in order, with `jobs` worker processes (forked once, each taking cells
 * as it finishes the last: ks_sweep_pool.c), and keeps their records for
 * ks_sweep_merge; syncs the folder's file system at the end.  A cell whose
 * worker died is failed, not the sweep.  Adds to *t. */
void ks_sweep_run_cells(ks_sweep_plan *s, guint rank, guint size, guint jobs,
                        ks_sweep_progress_fn progress, void *ud, ks_sweep_tally *t);

/* One combination's statistics across its seeds (docs/sweep.md,
 * docs/output.md "stats.csv"; methods in ks_stats.h).  Triples are
 * {estimate, lower, upper} of a two-sided 95% interval; NAN: no data. */
typedef struct ks_sweep_stat {
  guint64 combo;
  guint64 runs, connections, failed, detected, undetected, survived_failures, false_giveups;
  guint64 middlebox_conns, middlebox_survivors;
  guint64 detection_n;                       /* detected + undetected: failures that held */
  double detection_mean[3];                  /* over detected connections */
  double detection_p50[3], detection_p95[3]; /* undetected count as never (INFINITY) */
  double detection_max;
  double false_giveup_rate[3], detected_rate[3], survival_rate[3];
  double overhead[3]; /* probe bytes/s per connection: mean over seeds */
} ks_sweep_stat;

/* Writes sweep.json, sweep.csv and stats.csv from every cell, in cell
 * order (the records ks_sweep_run_cells kept, the others read back from
 * their cell.json), atomically, then syncs them.  FAILED when a cell is
 * not complete.  With stats: a new GArray of ks_sweep_stat, one per
 * combination. */
gboolean ks_sweep_merge(const ks_sweep_plan *s, GArray **stats, GError **error);

/* The parameters of combination c as "NAME=VALUE" (g_strfreev). */
char **ks_sweep_combo_sets(const ks_sweep_plan *s, guint64 c);
/* The same into sets[0 .. columns], NULL-terminated; the strings are the
 * caller's. */
void ks_sweep_combo_sets_into(const ks_sweep_plan *s, guint64 c, char **sets);

/* Adds the axes of `grids` (ks_sweep_args.grids) to s->axes, s->cols and
 * s->combos (which starts at 1 with no axes), refusing more than
 * KS_SWEEP_MAX_CELLS cells for s->seeds seeds.  Only the text is checked
 * here; KS_SWEEP_ERROR_INVALID with a one-line message naming the option.
 * (ks_sweep_grid.c) */
gboolean ks_sweep_plan_parse_grids(ks_sweep_plan *s, char **grids, GError **error);

#endif
