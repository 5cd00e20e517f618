/* ks_sweep_comm.h - the few collective steps a sweep spread over Open MPI
 * ranks needs, and their one-process stand-ins when kasim was built
 * without MPI or was not started by mpirun.
 *
 * MPI is started only when the process was launched by Open MPI's mpirun
 * (OMPI_COMM_WORLD_SIZE is set): a plain `kasim sweep` never touches MPI,
 * since a singleton MPI_Init starts Open MPI's runtime for nothing.
 */
#ifndef KASIM_KS_SWEEP_COMM_H
#define KASIM_KS_SWEEP_COMM_H

#include <glib.h>

typedef struct ks_comm {
  guint rank, size; /* 0 and 1 without MPI */
  gboolean mpi;     /* MPI_Init was called: ks_comm_finish must be too */
} ks_comm;

/* TRUE when kasim was built with MPI. */
gboolean ks_comm_available(void);

/* Starts MPI when launched by mpirun.  Fails (nothing started) when mpirun
 * asks for several ranks of a kasim built without MPI: each rank would
 * otherwise run the whole sweep. */
gboolean ks_comm_init(ks_comm *c, int *argc, char ***argv, GError **error);
/* Every rank gets rank 0's `v`. */
int ks_comm_bcast(const ks_comm *c, int v);
/* Every rank gets the sum over ranks of each of v[0..n-1], in place. */
void ks_comm_sum(const ks_comm *c, guint64 *v, int n);
/* MPI_Finalize when MPI was started.  Idempotent. */
void ks_comm_finish(ks_comm *c);

#endif
