/* ks_sweep_priv.h - what the sweep's own files share: ks_sweep.c (the
 * plan, the cells, their records, the merge) and ks_sweep_pool.c (the
 * worker processes that run the cells).  Not for other modules. */
#ifndef KASIM_KS_SWEEP_PRIV_H
#define KASIM_KS_SWEEP_PRIV_H

#include <glib.h>

#include "ks_sweep.h"

/* In a worker: runs cell k from scratch (its folder emptied, the run,
 * cell.json) and appends its record for the sweep to `out`; FALSE when
 * the cell failed, its reason printed on stderr. */
gboolean ks_sweep_cell_work(const ks_sweep_plan *s, guint64 k, GByteArray *out);

/* In the sweep: makes room for the records of this rank's cells, then
 * keeps cell k's, as ks_sweep_cell_work put it, for the merge. */
void ks_sweep_keep_start(ks_sweep_plan *s, guint rank, guint size);
void ks_sweep_keep(ks_sweep_plan *s, guint64 k, const guint8 *rec, gsize len);

/* Whether cell k is complete (ks_sweep.h); "cell K (NAME=V ..., seed S)"
 * for messages (g_free it). */
gboolean ks_sweep_cell_complete(const ks_sweep_plan *s, guint64 k);
char *ks_sweep_cell_label(const ks_sweep_plan *s, guint64 k);

/* Syncs the out folder's file system: the cells' files, and the merged
 * ones, written without syncs, reach the disk here. */
void ks_sweep_plan_sync(const ks_sweep_plan *s);

#endif
