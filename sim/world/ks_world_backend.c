/* ks_world_backend.c - the native engine as ks_runner drives it
 * (ks_backend.h). */
#include "ks_backend.h"
#include "ks_world.h"

/* The native engine runs anything the scenario loader accepts, paced or
 * not.  The wrappers below only give ks_world's functions the backend's
 * opaque world. */
static gboolean native_check(const ks_scenario *sc, double pace, GError **error) {
  (void)sc, (void)pace, (void)error;
  return TRUE;
}

static void *native_new(const ks_scenario *sc, guint64 seed, GError **error) {
  return ks_world_new(sc, seed, error);
}

static void *native_new_shard(const ks_scenario *sc, guint64 seed, guint shard, guint shards,
                              GError **error) {
  return ks_world_new_shard(sc, seed, shard, shards, error);
}

static void native_set_end(void *w, ka_time t) { ks_world_set_end(w, t); }
static void native_free(void *w) { ks_world_free(w); }
static void native_set_trace(void *w, ks_trace_fn fn, void *ud) { ks_world_set_trace(w, fn, ud); }
static void native_set_pace(void *w, double pace) { ks_world_set_pace(w, pace); }

static void native_set_pace_ctl(void *w, ks_pace_ctl *ctl) { ks_world_set_pace_ctl(w, ctl); }

static void native_set_progress(void *w, void (*cb)(ka_time now, ka_time end, void *ud), void *ud) {
  ks_world_set_progress(w, cb, ud);
}

static void native_run(void *w) { ks_world_run(w); }
static guint32 native_conn_count(const void *w) { return ks_world_conn_count(w); }

static void native_conn_result(const void *w, guint32 id, ks_conn_result *out) {
  ks_world_conn_result(w, id, out);
}

static ka_time native_now(const void *w) { return ks_world_now(w); }
static guint64 native_events(const void *w) { return ks_world_events(w); }

static void native_endpoints(const void *w, guint32 conn, guint32 *client_ip, guint16 *client_port,
                             guint32 *server_ip, guint16 *server_port) {
  ks_world_conn_endpoints(w, conn, client_ip, client_port, server_ip, server_port);
}

const ks_backend ks_world_backend = {
  .name = "native",
  .check = native_check,
  .world_new = native_new,
  .world_free = native_free,
  .set_trace = native_set_trace,
  .set_pace = native_set_pace,
  .set_pace_ctl = native_set_pace_ctl,
  .set_progress = native_set_progress,
  .run = native_run,
  .conn_count = native_conn_count,
  .conn_result = native_conn_result,
  .now = native_now,
  .events = native_events,
  .conn_endpoints = native_endpoints,
  .world_new_shard = native_new_shard,
  .set_end = native_set_end,
};
