/* tune_stub.c - the one symbol of analysis/sweep/ks_sweep.c that ks_tune.c
 * uses, so that fuzz_tune links ks_tune.c without the whole sweep (runs,
 * metrics, plots, MPI).  The same quark name: messages are identical. */
#include <glib.h>

GQuark ks_sweep_error_quark(void);

GQuark ks_sweep_error_quark(void) { return g_quark_from_static_string("ks-sweep-error-quark"); }
