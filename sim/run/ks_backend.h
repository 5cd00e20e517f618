/* ks_backend.h - a simulation engine as ks_runner drives it, so that one
 * writer makes the files of docs/output.md, and one report, whichever
 * engine ran: the native one (sim/world) or ns-3 (ns3/engine).  The run
 * layer knows no engine: each implements this interface, and the command
 * line's engine registry (sim/cli) names them.
 *
 * Both engines already share the scenario, the trace events and the
 * per-connection results (ks_net.h); a backend is their functions over
 * an opaque world, plus what differs: what the engine refuses, and how
 * capture.pcap is made.
 */
#ifndef KASIM_KS_BACKEND_H
#define KASIM_KS_BACKEND_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_pcap.h"
#include "ks_scenario.h"
#include "ks_net.h"

/* Live control of a paced run: pause, speed, skip, stop (defined in
 * sim/engine/ks_engine.h; the run layer only passes it on). */
typedef struct ks_pace_ctl ks_pace_ctl;

typedef struct ks_backend {
  const char *name;  /* as --engine names it, and sweep-args.json records it */
  const char *stack; /* whose TCP/IP stack, for reports ("ns-3"); NULL: kasim's own */

  /* Whether the engine can run `sc` at `pace` (virtual seconds per real
   * second; 0: as fast as possible).  FALSE with a one-line reason the
   * user must act on (`kasim run` exits with 2), before anything is
   * written. */
  gboolean (*check)(const ks_scenario *sc, double pace, GError **error);

  /* As ks_world_new, ks_world_free, ... for the native engine. */
  void *(*world_new)(const ks_scenario *sc, guint64 seed, GError **error);
  void (*world_free)(void *w);
  void (*set_trace)(void *w, ks_trace_fn fn, void *ud);
  void (*set_pace)(void *w, double pace);          /* NULL: check refuses pace > 0 */
  void (*set_pace_ctl)(void *w, ks_pace_ctl *ctl); /* NULL: no live control */
  /* NULL: the engine cannot tell how far it is, and no bar is drawn. */
  void (*set_progress)(void *w, void (*cb)(ka_time now, ka_time end, void *ud), void *ud);
  void (*run)(void *w);
  guint32 (*conn_count)(const void *w);
  void (*conn_result)(const void *w, guint32 id, ks_conn_result *out);
  ka_time (*now)(const void *w);
  guint64 (*events)(const void *w);

  /* capture.pcap, one of two ways; exactly one of these is set.
   *  - From the trace (the native engine, whose segments are not packets):
   *    the runner writes what the client host sends and receives with
   *    ks_pcap, at the addresses conn_endpoints gives (its `ud` is the
   *    world).
   *  - By the engine itself (ns-3's pcap tracing writes a file by name):
   *    set_pcap, before run, names the file, which is complete when run
   *    returns; the runner points it at capture.pcap's temporary, so it
   *    is renamed into place with the other files. */
  ks_pcap_ends_fn conn_endpoints;
  gboolean (*set_pcap)(void *w, const char *path, GError **error);

  /* A run spread over processes (ks_shard.h); both NULL: the engine runs
   * whole runs only.  world_new_shard builds the world of shard `shard`
   * of `shards`, which simulates the connections whose id is `shard`
   * modulo `shards` and applies every timeline event; conn_result is then
   * valid for those ids only.  set_end, after the run, makes now() and the
   * results read as of `t` (the latest clock of all shards, no earlier
   * than this one's). */
  void *(*world_new_shard)(const ks_scenario *sc, guint64 seed, guint shard, guint shards,
                           GError **error);
  void (*set_end)(void *w, ka_time t);
} ks_backend;

#endif
