/* ks_ns3.h - kasim scenarios on ns-3's TCP/IP stack: the C API the rest of
 * kasim uses (`kasim run --engine ns3`).
 *
 * The interface mirrors sim/world/ks_world.h function for function (new, set_trace,
 * run, conn_count, conn_result, now, events, free), with the same result
 * and trace types, so that whatever reports on a native world reports on
 * an ns-3 one: ks_ns3_backend() hands them to sim/run/ks_runner.c, the one
 * writer of a run's files.  Hosts become ns-3 nodes with the internet
 * stack, links point-to-point links, every socket a
 * kasim::KeepAliveTcpSocket (ns3/plugin/keepalive-tcp-socket.h), so every
 * keep-alive decision is still the model's; everything else is ns-3's own
 * TCP.  docs/ns3.md says what maps to what and why results may differ
 * from the native engine.
 *
 * ns-3 keeps one global simulator: at most one ks_ns3_world exists at a
 * time, and a process runs one after another.
 *
 * When kasim is built without ns-3, these functions exist and fail with
 * KS_NS3_ERROR_UNAVAILABLE.
 */
#ifndef KASIM_KS_NS3_H
#define KASIM_KS_NS3_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_scenario.h"
#include "ks_net.h"

G_BEGIN_DECLS

#define KS_NS3_ERROR (ks_ns3_error_quark())
GQuark ks_ns3_error_quark(void);

typedef enum ks_ns3_error {
  KS_NS3_ERROR_UNAVAILABLE, /* kasim was built without ns-3 */
  KS_NS3_ERROR_UNSUPPORTED, /* "not supported on the ns3 engine: ..." */
  KS_NS3_ERROR_FAILED       /* building the simulation failed */
} ks_ns3_error;

/* Most connections the ns3 engine builds: each is a pair of full ns-3 TCP
 * sockets (some kilobytes each, against the native engine's 120 octets). */
#define KS_NS3_MAX_CONNS 10000u

/* TRUE when kasim was built with ns-3; *version (may be NULL) gets its
 * version, "3.37", or NULL. */
gboolean ks_ns3_available(const char **version);

/* Whether the ns3 engine can run the scenario as written.  FALSE with
 * KS_NS3_ERROR_UNSUPPORTED and "not supported on the ns3 engine: WHAT" for
 * anything ns-3 cannot express here (never a silent approximation). */
gboolean ks_ns3_check(const ks_scenario *sc, GError **error);

typedef struct ks_ns3_world ks_ns3_world;

/* Builds the ns-3 simulation: nodes, links, static routes along the same
 * paths the native engine takes, listeners, and the timeline.  Runs
 * ks_ns3_check() first.  The scenario may be freed afterwards. */
ks_ns3_world *ks_ns3_world_new(const ks_scenario *sc, guint64 seed, GError **error);
void ks_ns3_world_free(ks_ns3_world *w);

/* As ks_world_set_trace: SEND, DELIVER, DROP (link_down, loss, middlebox,
 * crashed), TIMER, CLOSE and SCENARIO events. */
void ks_ns3_world_set_trace(ks_ns3_world *w, ks_trace_fn fn, void *ud);
/* ns-3's own pcap tracing (as PointToPointHelper::EnablePcap: link type
 * PPP, nanosecond timestamps) of the first group's client host, on its
 * device toward the server, written to `path`.  Call before
 * ks_ns3_world_run; the file is complete (closed) when it returns. */
gboolean ks_ns3_world_set_pcap(ks_ns3_world *w, const char *path, GError **error);

/* Runs until the scenario's duration. */
void ks_ns3_world_run(ks_ns3_world *w);

guint32 ks_ns3_world_conn_count(const ks_ns3_world *w);
void ks_ns3_world_conn_result(const ks_ns3_world *w, guint32 id, ks_conn_result *out);
ka_time ks_ns3_world_now(const ks_ns3_world *w);
/* Events ns-3's scheduler executed (Simulator::GetEventCount). */
guint64 ks_ns3_world_events(const ks_ns3_world *w);

/* The ns3 engine for ks_runner (sim/run/ks_backend.h), which writes its runs'
 * files as it writes the native engine's.  Without ns-3: NULL and
 * KS_NS3_ERROR_UNAVAILABLE, "built without ns-3". */
typedef struct ks_backend ks_backend;
const ks_backend *ks_ns3_backend(GError **error);

G_END_DECLS

#endif
