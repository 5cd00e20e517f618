/* ks_world.c - building a world from a scenario, its timeline, running it
 * and reading the results.  See ks_world.h; the network is in
 * ks_world_net.c and the endpoints' TCP in ks_world_tcp.c.
 *
 * A world copies what it needs from the scenario: the scenario may be
 * freed once ks_world_new() has returned.
 */
#include "ks_world_priv.h"

#include "ks_mem.h"
#include "ks_sockopt.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-world-error-quark, ks_world_error)
// clang-format on

_Thread_local ks_world *ksw_current;

/* --- Sockets: one ka_cfg per (group, side). ----------------------------- */

static gboolean make_cfg(const ks_host_spec *host, const ks_net_host *nh, const ks_group_spec *gs,
                         gboolean keepalive, ka_cfg *out, GError **error) {
  ka_sock *s = ka_sock_new(host->params, KA_SOCK_STREAM, 0);
  gboolean ok = TRUE;
  if (keepalive) {
    int rc = ka_sock_set_int(s, KA_OPT_SO_KEEPALIVE, 1);
    if (rc != 0) {
      g_set_error(error, ks_world_error_quark(), 0, "group %s: SO_KEEPALIVE refused on %s: %s",
                  gs->name, host->name, ka_profile_errname(ka_sock_profile(s), rc));
      ok = FALSE;
    }
    for (guint i = 0; ok && gs->sockopts != NULL && i < gs->sockopts->len; i++) {
      const ks_sockopt_spec *o = &g_array_index(gs->sockopts, ks_sockopt_spec, i);
      GError *e = NULL;
      if (!ks_sockopt_apply(s, o->name, o->value, &e)) {
        g_set_error(error, ks_world_error_quark(), 0, "group %s on %s: %s", gs->name, host->name,
                    e->message);
        g_error_free(e);
        ok = FALSE;
      }
    }
  }
  if (ok) {
    ka_sock_cfg(s, out);
    out->jiffies.uptime = nh->uptime;
  }
  ka_sock_free(s);
  return ok;
}

static gboolean build_groups(ks_world *w, const ks_scenario *sc, GError **error) {
  guint64 total = 0;
  w->n_groups = sc->groups ? sc->groups->len : 0;
  w->groups = g_new0(ks_group, w->n_groups ? w->n_groups : 1);
  for (guint i = 0; i < w->n_groups; i++) {
    const ks_group_spec *gs = g_ptr_array_index(sc->groups, i);
    ks_group *g = &w->groups[i];
    if (gs->client >= sc->hosts->len || gs->server >= sc->hosts->len) {
      g_set_error(error, ks_world_error_quark(), 0, "group %s: no such host", gs->name);
      return FALSE;
    }
    g->first = (guint32)total;
    g->count = gs->count;
    total += gs->count;
    if (total > G_MAXUINT32) {
      g_set_error(error, ks_world_error_quark(), 0, "more than %u connections", G_MAXUINT32);
      return FALSE;
    }
    g->host[KSW_CLIENT] = gs->client;
    g->host[KSW_SERVER] = gs->server;
    /* The client's socket reports unless only the server keeps alive. */
    g->result_side = gs->keepalive == KS_KEEPALIVE_SERVER ? KSW_SERVER : KSW_CLIENT;
    for (int side = 0; side < 2; side++) {
      guint h = g->host[side];
      gboolean ka = (gs->keepalive &
                     (side == KSW_CLIENT ? KS_KEEPALIVE_CLIENT : KS_KEEPALIVE_SERVER)) != 0;
      if (!make_cfg(g_ptr_array_index(sc->hosts, h), &w->net->hosts[h], gs, ka, &g->cfg[side],
                    error))
        return FALSE;
    }
    g->connect_at = gs->connect_at;
    g->spread = gs->connect_spread;
    g->traffic = gs->traffic;
    g->period = gs->period;
    g->req = gs->request_bytes;
    g->resp = gs->response_bytes;
    g->start = gs->traffic_start;
    g->stop = gs->traffic_stop;
  }
  w->n_conns = (guint32)total;
  return TRUE;
}

/* --- The timeline. ------------------------------------------------------- */

/* One timeline entry per firing; the timer is re-armed for the next. */
static void timeline_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  static const ks_net_hooks hooks = {.reboot = ksw_host_reboot, .mb_rearm = ksw_mb_rearm};
  ks_world *w = ksw_current;
  (void)t;
  ks_net_apply(w->net, &w->events[w->next_event++], ks_engine_now(w->engine), &hooks, w);
  if (w->next_event < w->n_events)
    ks_engine_at(w->engine, &w->timeline, w->events[w->next_event].at);
}

_Static_assert(_Alignof(ks_conn) <= 64, "ks_mem_huge_new0 aligns to 64");

static size_t conns_size(const ks_world *w) { return (size_t)w->n_local * sizeof(ks_conn); }

/* How many of `count` connections from `first` on this world simulates. */
static guint32 owned_count(const ks_world *w, guint32 first, guint32 count) {
  guint32 from = ksw_owned_from(w, first);
  return from - first >= count ? 0 : (count - (from - first) - 1) / w->shards + 1;
}

static size_t flows_size(const ks_world *w, const ks_group *g) {
  return (size_t)owned_count(w, g->first, g->count) * sizeof(ks_flow);
}

/* --- Public API. -------------------------------------------------------- */

ks_world *ks_world_new(const ks_scenario *sc, guint64 seed, GError **error) {
  return ks_world_new_shard(sc, seed, 0, 1, error);
}

ks_world *ks_world_new_shard(const ks_scenario *sc, guint64 seed, guint shard, guint shards,
                             GError **error) {
  g_return_val_if_fail(sc != NULL && shards > 0 && shard < shards, NULL);
  ks_world *w = g_new0(ks_world, 1);
  w->engine = ks_engine_new(seed);
  w->duration = sc->duration;
  w->flight_chunks = g_ptr_array_new_with_free_func(g_free);
  w->shard = shard;
  w->shards = shards;
  w->rng_key = ks_rng_key(seed);

  w->net = ks_scenario_net_new(sc, seed, error);
  if (w->net == NULL || !build_groups(w, sc, error)) {
    ks_world_free(w);
    return NULL;
  }
  w->n_local = owned_count(w, 0, w->n_conns);
  ksw_build_paths(w);

  /* Aligned as ks_conn says (64), and on huge pages from 2 MiB up: every
   * event touches a connection at random (see ks_mem.h). */
  w->conns = ks_mem_huge_new0(conns_size(w));
  if (w->conns == NULL) {
    g_set_error(error, ks_world_error_quark(), 0,
                "out of memory for %u connections (%zu octets each)", w->n_conns, sizeof(ks_conn));
    ks_world_free(w);
    return NULL;
  }
  for (guint i = 0; i < w->n_groups; i++) {
    ks_group *g = &w->groups[i];
    g->flow_first = ksw_owned_from(w, g->first);
    if (g->traffic == KS_TRAFFIC_IDLE || flows_size(w, g) == 0)
      continue;
    g->flows = ks_mem_huge_new0(flows_size(w, g));
    if (g->flows == NULL) {
      g_set_error(error, ks_world_error_quark(), 0,
                  "out of memory for the traffic of %u connections", g->count);
      ks_world_free(w);
      return NULL;
    }
  }
  ksw_conns_init(w);

  w->n_events = sc->events ? sc->events->len : 0;
  if (w->n_events > 0) {
    w->events = g_memdup2(sc->events->data, (gsize)w->n_events * sizeof(ks_event_spec));
    ks_timer_init(&w->timeline);
    ks_timer_set_cb(&w->timeline, timeline_cb);
    ks_engine_at(w->engine, &w->timeline, w->events[0].at);
  }
  return w;
}

void ks_world_free(ks_world *w) {
  if (w == NULL)
    return;
  ks_engine_free(w->engine);
  ksw_free_paths(w);
  for (guint i = 0; w->groups != NULL && i < w->n_groups; i++)
    ks_mem_huge_free(w->groups[i].flows, flows_size(w, &w->groups[i]));
  g_free(w->groups);
  ks_net_free(w->net);
  ks_mem_huge_free(w->conns, conns_size(w));
  g_free(w->events);
  g_ptr_array_unref(w->flight_chunks);
  g_free(w);
}

void ks_world_set_trace(ks_world *w, ks_trace_fn fn, void *ud) {
  w->net->trace = fn;
  w->net->trace_ud = ud;
}

void ks_world_set_pace(ks_world *w, double virtual_seconds_per_second) {
  ks_engine_set_pace(w->engine, virtual_seconds_per_second);
}

void ks_world_set_pace_ctl(ks_world *w, ks_pace_ctl *ctl) {
  ks_engine_set_pace_ctl(w->engine, ctl);
}

void ks_world_set_progress(ks_world *w, void (*cb)(ka_time now, ka_time end, void *ud), void *ud) {
  ks_engine_set_progress(w->engine, cb, ud);
}

void ks_world_run(ks_world *w) {
  ks_world *saved = ksw_current;
  ksw_current = w;
  ks_engine_run(w->engine, w->duration > 0 ? w->duration : KA_TIME_NEVER);
  ksw_current = saved;
}

guint32 ks_world_conn_count(const ks_world *w) { return w->n_conns; }

/* See failure_at and false_giveup in ks_world.h. */
static void conn_failure(const ks_world *w, guint gi, guint32 id, ks_conn_result *out) {
  const ks_group *g = &w->groups[gi];
  const ks_ep *peer = &ksw_conn(w, id)->ep[!g->result_side];
  ka_time now = ks_world_now(w);
  ka_time lost = KA_TIME_NEVER;
  /* A reboot closes the peer's socket with no reason and marks it lost;
   * a socket that had closed before and was then lost is not the reboot's. */
  if (ka_conn_is_closed(&peer->kc) && (peer->u.dead.flags & KSW_DEAD_LOST) &&
      peer->u.dead.reason == KA_CLOSE_NONE)
    lost = peer->u.dead.closed_at;
  ks_failure_judge(w->net->paths[gi].failures, g->connect_at, lost,
                   ksw_mb_lost_at_conn(w, gi, id, now), now, out);
}
ka_time ks_world_now(const ks_world *w) { return MAX(ks_engine_now(w->engine), w->end_at); }
void ks_world_set_end(ks_world *w, ka_time t) { w->end_at = t; }
guint64 ks_world_events(const ks_world *w) { return ks_engine_events(w->engine); }

void ks_world_conn_result(const ks_world *w, guint32 id, ks_conn_result *out) {
  g_return_if_fail(id < w->n_conns && ksw_owns(w, id) && out != NULL);
  guint gi = ksw_group_of(w, id);
  const ks_group *g = &w->groups[gi];
  int side = g->result_side;
  const ks_conn *c = ksw_conn(w, id);
  const ks_ep *ep = &c->ep[side];
  const ka_profile *p = w->net->hosts[g->host[side]].profile;

  *out = (ks_conn_result){
    .id = id,
    .group = gi,
    .client_side = side == KSW_CLIENT,
    .closed_at = KA_TIME_NEVER,
    .reason = KA_CLOSE_NONE,
    .probes_sent = c->probes_sent,
    .probes_answered = c->probes_answered,
    .last_rx = KA_TIME_NEVER,
  };
  if (ka_conn_is_closed(&ep->kc)) {
    const ks_dead *d = &ep->u.dead;
    out->closed_at = d->closed_at;
    out->reason = (ka_close_reason)d->reason;
    out->error = d->err != 0 ? ka_profile_errname(p, d->err) : NULL;
    if (!(d->flags & KSW_DEAD_NEVER_ESTABLISHED))
      out->last_rx = ka_conn_last_rx(&ep->kc);
  } else if (ksw_ep_phase(ep) == KSW_PHASE_ESTABLISHED) {
    out->last_rx = ka_conn_last_rx(&ep->kc);
  } else if (ksw_ep_phase(ep) == KSW_PHASE_SYN_SENT) {
    out->probes_answered = 0; /* it counts SYN retransmissions meanwhile */
  }
  out->middleboxes = w->net->paths[gi].n_mb;
  conn_failure(w, gi, id, out);
}

/* Documentation and benchmarking ranges only (RFC 5737, RFC 2544): these
 * addresses exist only in traces and never leave the process. */
void ks_world_conn_endpoints(const ks_world *w, guint32 id, guint32 *client_ip,
                             guint16 *client_port, guint32 *server_ip, guint16 *server_port) {
  g_return_if_fail(id < w->n_conns);
  const ks_group *g = &w->groups[ksw_group_of(w, id)];
  enum { PORT_FIRST = 49152, PORTS = 65536 - PORT_FIRST };
  /* 198.18.0.0/15: 131072 addresses x 16384 ports; .0.0 is skipped. */
  guint32 ip_index = (id / PORTS) % ((1u << 17) - 1) + 1;
  if (client_ip)
    *client_ip = 0xC6120000u + ip_index; /* 198.18.0.0 */
  if (client_port)
    *client_port = (guint16)(PORT_FIRST + id % PORTS);
  /* 192.0.2.1 ... 192.0.2.254 by server host index (wrapping past 254). */
  if (server_ip)
    *server_ip = 0xC0000200u + (g->host[KSW_SERVER] % 254u) + 1u;
  if (server_port)
    *server_port = 443;
}
