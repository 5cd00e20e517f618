/* ks_world.h - the network around the connections: hosts running a
 * profile's TCP, links with delay, bandwidth, loss and failures,
 * middleboxes with idle timeouts, and application traffic, all driven by
 * ks_engine in virtual time.  Every keep-alive and retransmission decision
 * is taken by model/'s ka_conn, and every rule of the network (timeline,
 * middleboxes, failures) by ks_net: this module only moves segments.
 */
#ifndef KASIM_KS_WORLD_H
#define KASIM_KS_WORLD_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_backend.h"
#include "ks_net.h"
#include "ks_scenario.h"

typedef struct ks_world ks_world;

/* Builds hosts, links and connections.  --set values were applied by the
 * scenario loader.  Fails (domain ks-world-error) when a group's hosts have
 * no path of links between them, or a socket option is refused. */
ks_world *ks_world_new(const ks_scenario *sc, guint64 seed, GError **error);
/* One shard of a run spread over `shards` processes: the same world,
 * simulating only the connections whose id is `shard` modulo `shards`
 * (every timeline event still applies).  Each connection runs as it does
 * in the whole world when no two connections share a link with a
 * bandwidth (ks_shard_check); results are for those connections only. */
ks_world *ks_world_new_shard(const ks_scenario *sc, guint64 seed, guint shard, guint shards,
                             GError **error);
void ks_world_free(ks_world *w);

/* Every segment and timer event goes to fn (NULL: none).  Call before
 * ks_world_run. */
void ks_world_set_trace(ks_world *w, ks_trace_fn fn, void *ud);
/* Paced mode and progress, passed to the engine. */
void ks_world_set_pace(ks_world *w, double virtual_seconds_per_second);
/* Live control of a paced run (ks_engine.h). */
void ks_world_set_pace_ctl(ks_world *w, ks_pace_ctl *ctl);
void ks_world_set_progress(ks_world *w, void (*cb)(ka_time now, ka_time end, void *ud), void *ud);

/* Runs until the scenario's duration or until nothing can happen. */
void ks_world_run(ks_world *w);

guint32 ks_world_conn_count(const ks_world *w);
void ks_world_conn_result(const ks_world *w, guint32 id, ks_conn_result *out);
ka_time ks_world_now(const ks_world *w);
/* After the run: read the results as of `t`, no earlier than the clock
 * (a shard whose own events ended before the other shards' did). */
void ks_world_set_end(ks_world *w, ka_time t);
guint64 ks_world_events(const ks_world *w);

/* The native engine, for ks_runner (ks_backend.h). */
extern const ks_backend ks_world_backend;

/* The addresses the pcap writer gives the two ends of a connection. */
void ks_world_conn_endpoints(const ks_world *w, guint32 id, guint32 *client_ip,
                             guint16 *client_port, guint32 *server_ip, guint16 *server_port);

#endif
