/* ks_ns3_backend.c - the ns3 engine as sim/run/ks_runner.c drives it (sim/
 * ks_backend.h): what it refuses, and ks_ns3_world's functions over the
 * backend's opaque world.  The runner writes the files and the report, as
 * for the native engine. */
#include "ks_backend.h"
#include "ks_ns3.h"

static gboolean ns3_check(const ks_scenario *sc, double pace, GError **error) {
  if (pace > 0) {
    g_set_error(error, KS_NS3_ERROR, KS_NS3_ERROR_UNSUPPORTED,
                "not supported on the ns3 engine: --pace (ns-3's real-time scheduler runs at "
                "one virtual second per second only)");
    return FALSE;
  }
  return ks_ns3_check(sc, error);
}

static void *ns3_new(const ks_scenario *sc, guint64 seed, GError **error) {
  return ks_ns3_world_new(sc, seed, error);
}

static void ns3_free(void *w) { ks_ns3_world_free(w); }
static void ns3_set_trace(void *w, ks_trace_fn fn, void *ud) { ks_ns3_world_set_trace(w, fn, ud); }

static gboolean ns3_set_pcap(void *w, const char *path, GError **error) {
  return ks_ns3_world_set_pcap(w, path, error);
}

static void ns3_run(void *w) { ks_ns3_world_run(w); }
static guint32 ns3_conn_count(const void *w) { return ks_ns3_world_conn_count(w); }

static void ns3_conn_result(const void *w, guint32 id, ks_conn_result *out) {
  ks_ns3_world_conn_result(w, id, out);
}

static ka_time ns3_now(const void *w) { return ks_ns3_world_now(w); }
static guint64 ns3_events(const void *w) { return ks_ns3_world_events(w); }

/* No pace (ns3_check refuses it) and no progress: a progress event in
 * ns-3's scheduler would change the events it counts. */
static const ks_backend backend = {
  .name = "ns3",
  .stack = "ns-3",
  .check = ns3_check,
  .world_new = ns3_new,
  .world_free = ns3_free,
  .set_trace = ns3_set_trace,
  .run = ns3_run,
  .conn_count = ns3_conn_count,
  .conn_result = ns3_conn_result,
  .now = ns3_now,
  .events = ns3_events,
  .set_pcap = ns3_set_pcap,
};

const ks_backend *ks_ns3_backend(GError **error) {
  (void)error;
  return &backend;
}
