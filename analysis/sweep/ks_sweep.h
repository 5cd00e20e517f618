/* ks_sweep.h - `kasim sweep`: one scenario run over the cartesian product
 * of --grid values times seeds, each run ("cell") in its own folder, in
 * worker processes, resumable, merged into sweep.json and sweep.csv.
 * docs/sweep.md describes the folder and the files.
 *
 * Cell k: the grids vary like nested loops in the order they were given
 * (the last fastest), and the seed fastest of all:
 *   k = ((i_1 * n_2 + i_2) * ... + i_g) * seeds + (seed - seed_base).
 * Its run goes to OUT/cells/NNNN/ through ks_runner, as `kasim run` would
 * write it, on the sweep's engine.  A cell is complete when its cell.json (parameters and seed)
 * matches, summary.json was renamed into place and metrics.json was
 * written; anything less is redone from scratch.
 */
#ifndef KASIM_KS_SWEEP_H
#define KASIM_KS_SWEEP_H

#include <glib.h>

#include "ks_backend.h"

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
  char **grids;        /* "NAME=V1,V2,..." (or "NAME=V1;V2;..." when a value holds a comma) */
  guint seeds;         /* >= 1 */
  guint64 seed_base;   /* the first seed */
  gboolean pcap;       /* every cell also writes capture.pcap */
  const ks_backend *backend; /* every cell's engine (--engine) */
  const char *out_dir; /* NULL: out/NAME-sweep */
} ks_sweep_args;

typedef struct ks_sweep_axis {
  char *name;
  GPtrArray *values;   /* char*, as given */
} ks_sweep_axis;

typedef struct ks_sweep_plan {
  char *scenario_path, *scenario_name, *scenario_sha256;
  GPtrArray *axes;     /* ks_sweep_axis*, in the order given */
  guint seeds;
  guint64 seed_base;
  gboolean pcap;
  const ks_backend *backend;
  char *out_dir;
  guint64 combos;      /* product of the axes' sizes */
  guint64 cells;       /* combos * seeds */
  int width;           /* digits of a cell folder's name */
  int lock_fd;         /* the out folder, flock()ed by ks_sweep_prepare; -1 */
  /* Under AddressSanitizer each worker checks for leaks before it exits;
   * off when the parent has threads (MPI's), whose stacks a forked worker
   * cannot see.  TRUE from ks_sweep_plan_new. */
  gboolean worker_leak_check;
} ks_sweep_plan;

/* Checks everything before anything is written: the scenario loads, every
 * NAME is something `kasim run --set` accepts and every value (and every
 * combination) is accepted, by the loader and by the engine.
 * KS_SWEEP_ERROR_INVALID with a one-line message otherwise. */
ks_sweep_plan *ks_sweep_plan_new(const ks_sweep_args *args, GError **error);
void ks_sweep_plan_free(ks_sweep_plan *s);

guint64 ks_sweep_cell_seed(const ks_sweep_plan *s, guint64 k);
/* "NAME=VALUE" per axis, for ks_scenario_load; g_strfreev it. */
char **ks_sweep_cell_sets(const ks_sweep_plan *s, guint64 k);
/* "cells/0007", relative to the out folder. */
char *ks_sweep_cell_dir(const ks_sweep_plan *s, guint64 k);

/* Makes the out folder ready, once per sweep (MPI: on rank 0): refuses
 * (MISMATCH) a folder that holds a sweep started with other arguments, or
 * other files; locks it (BUSY when another sweep holds it); writes
 * sweep-args.json when new.  The lock lasts until the process and the
 * workers it forks have ended. */
gboolean ks_sweep_prepare(ks_sweep_plan *s, GError **error);

typedef struct ks_sweep_tally {
  guint64 ran;     /* cells simulated now */
  guint64 kept;    /* cells found complete (or needing only metrics.json) */
  guint64 failed;  /* cells whose worker failed; each printed a line on stderr */
} ks_sweep_tally;

/* Progress after each cell this process handles. */
typedef void (*ks_sweep_progress_fn)(const ks_sweep_tally *t, guint64 mine, void *ud);

/* Works through the cells k with k % size == rank, in order, with up to
 * `jobs` worker processes at a time (one fork per cell).  Adds to *t. */
void ks_sweep_run_cells(const ks_sweep_plan *s, guint rank, guint size, guint jobs,
                        ks_sweep_progress_fn progress, void *ud, ks_sweep_tally *t);

/* Writes sweep.json and sweep.csv from every cell, in cell order,
 * atomically.  FAILED when a cell is not complete. */
gboolean ks_sweep_merge(const ks_sweep_plan *s, GError **error);

#endif
