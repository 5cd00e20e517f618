/* sweep_stub.c - the one symbol of analysis/sweep/ks_sweep.c that ks_tune.c
 * and ks_sweep_grid.c use, so that fuzz_tune and fuzz_grid link those files
 * without the whole sweep (runs, metrics, plots, MPI).  The same quark
 * name: messages are identical. */
#include <glib.h>

GQuark ks_sweep_error_quark(void);

GQuark ks_sweep_error_quark(void) { return g_quark_from_static_string("ks-sweep-error-quark"); }
