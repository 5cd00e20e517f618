/* ks_ns3_stub.c - the ns3 engine's C API when kasim is built without ns-3:
 * every entry point says so (KS_NS3_ERROR_UNAVAILABLE), so that the rest
 * of kasim needs no #ifdef. */
#include "ks_ns3.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-ns3-error-quark, ks_ns3_error)
// clang-format on

static void unavailable(GError **error) {
  g_set_error(error, KS_NS3_ERROR, KS_NS3_ERROR_UNAVAILABLE,
              "--engine ns3: this kasim was built without ns-3 (install libns3-dev and g++, "
              "then configure again)");
}

gboolean ks_ns3_available(const char **version) {
  if (version != NULL)
    *version = NULL;
  return FALSE;
}

gboolean ks_ns3_check(const ks_scenario *sc, GError **error) {
  (void)sc;
  unavailable(error);
  return FALSE;
}

ks_ns3_world *ks_ns3_world_new(const ks_scenario *sc, guint64 seed, GError **error) {
  (void)sc, (void)seed;
  unavailable(error);
  return NULL;
}

void ks_ns3_world_free(ks_ns3_world *w) { (void)w; }

void ks_ns3_world_set_trace(ks_ns3_world *w, ks_trace_fn fn, void *ud) {
  (void)w, (void)fn, (void)ud;
  g_return_if_reached();
}

gboolean ks_ns3_world_set_pcap(ks_ns3_world *w, const char *path, GError **error) {
  (void)w, (void)path;
  unavailable(error);
  return FALSE;
}

void ks_ns3_world_run(ks_ns3_world *w) {
  (void)w;
  g_return_if_reached();
}

guint32 ks_ns3_world_conn_count(const ks_ns3_world *w) {
  (void)w;
  g_return_val_if_reached(0);
}

void ks_ns3_world_conn_result(const ks_ns3_world *w, guint32 id, ks_conn_result *out) {
  (void)w, (void)id, (void)out;
  g_return_if_reached();
}

ka_time ks_ns3_world_now(const ks_ns3_world *w) {
  (void)w;
  g_return_val_if_reached(0);
}

guint64 ks_ns3_world_events(const ks_ns3_world *w) {
  (void)w;
  g_return_val_if_reached(0);
}

const ks_backend *ks_ns3_backend(GError **error) {
  unavailable(error);
  return NULL;
}
