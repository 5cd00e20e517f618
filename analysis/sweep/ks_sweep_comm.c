/* ks_sweep_comm.c - collectives over Open MPI, or over one process.  See
 * ks_sweep_comm.h. */
#include "ks_sweep_comm.h"

#include <stdlib.h>

#ifdef KASIM_HAVE_MPI
#include <mpi.h>
#endif

gboolean ks_comm_available(void) {
#ifdef KASIM_HAVE_MPI
  return TRUE;
#else
  return FALSE;
#endif
}

gboolean ks_comm_init(ks_comm *c, int *argc, char ***argv, GError **error) {
  c->rank = 0;
  c->size = 1;
  c->mpi = FALSE;
  const char *size = g_getenv("OMPI_COMM_WORLD_SIZE");
  if (size == NULL)
    return TRUE;
#ifdef KASIM_HAVE_MPI
  int rank = 0, n = 1;
  if (MPI_Init(argc, argv) != MPI_SUCCESS) {
    g_set_error(error, g_quark_from_static_string("ks-comm-error-quark"), 0,
                "MPI_Init failed under mpirun");
    return FALSE;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  c->rank = (guint)rank;
  c->size = (guint)n;
  c->mpi = TRUE;
  return TRUE;
#else
  (void)argc;
  (void)argv;
  if (strtol(size, NULL, 10) > 1) {
    g_set_error(error, g_quark_from_static_string("ks-comm-error-quark"), 0,
                "started by mpirun with %s ranks, but this kasim was built without MPI "
                "(install libopenmpi-dev and rebuild)",
                size);
    return FALSE;
  }
  return TRUE;
#endif
}

int ks_comm_bcast(const ks_comm *c, int v) {
#ifdef KASIM_HAVE_MPI
  if (c->mpi)
    MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
#else
  (void)c;
#endif
  return v;
}

void ks_comm_sum(const ks_comm *c, guint64 *v, int n) {
#ifdef KASIM_HAVE_MPI
  if (c->mpi)
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
#else
  (void)c;
  (void)v;
  (void)n;
#endif
}

void ks_comm_finish(ks_comm *c) {
#ifdef KASIM_HAVE_MPI
  if (c->mpi)
    MPI_Finalize();
#endif
  c->mpi = FALSE;
}
