/* ks_world_net.c - links, routes, middleboxes and segments in flight.
 *
 * Routing.  A group's client and server talk over the path of links found
 * by a breadth-first search from the client host, links taken in index
 * order: the one link between the two hosts when there is one, otherwise
 * the fewest hops through intermediate hosts acting as routers.  The path
 * is fixed when the world is built (no re-routing around a failed link).
 * No path at all is an error of ks_world_new().  A router forwards
 * silently (no SEND/DELIVER in the trace); a crashed router drops.
 *
 * A link, per direction: a transmitter busy until the previous segment is
 * serialised (40 + payload octets at bandwidth_bps), then the one-way
 * delay.  Everything that can stop a segment is decided when the segment
 * is put on the link, in this order:
 *   1. the direction is down: dropped ("link_down");
 *   2. each middlebox on the link (index order) sees it: dropped when it
 *      finds no state ("middlebox");
 *   3. it occupies the transmitter (a lost segment was still sent);
 *   4. loss: one draw from the segment's connection's own random stream
 *      (ks_rng.h) per segment per link, only while the rate is strictly
 *      between 0 and 1 ("loss").
 * A segment already on the wire when its link goes down still arrives:
 * like a cable pull, the cut stops what is sent afterwards, and bits past
 * it keep going.  This keeps each segment's fate decided at one instant,
 * which makes traces easy to read; the difference is at most one delay.
 *
 * Middleboxes follow ks_net's rules (ks_net.h); this file keeps their
 * states and sends a resetting box's RSTs ("TCP reset on idle").  Those
 * RSTs start at the box's link, cross it (delay, bandwidth, link state,
 * loss) and then the rest of the path to their end.  Their
 * sequence numbers are the senders' SND.NXT, which is what a box that
 * tracks sequence numbers (conntrack does) has seen as long as nothing
 * was lost before it; the simulator reads them instead of storing a copy.
 */
#include "ks_world_priv.h"

#include <string.h>

/* --- Building. ----------------------------------------------------------- */

static void mbst_cb(ks_timer *t, void *ctx);

/* The group's hops, from its ks_net_path, with the states of the
 * middleboxes on each. */
static void build_hops(ks_world *w, guint gi) {
  ks_group *g = &w->groups[gi];
  const ks_net *n = w->net;
  const ks_net_path *path = &n->paths[gi];
  g->n_hops = path->n_hops;
  g->hops = g_new0(ks_hop, path->n_hops);
  for (guint h = 0; h < g->n_hops; h++) {
    ks_hop *hop = &g->hops[h];
    hop->link = path->hops[h].link;
    hop->dir = path->hops[h].dir;
    for (guint m = 0; m < n->n_mbs; m++)
      if (n->mbs[m].link == hop->link)
        hop->n_mb++;
    if (hop->n_mb == 0)
      continue;
    hop->mbs = g_new0(ks_mbblock, hop->n_mb);
    guint k = 0;
    for (guint m = 0; m < n->n_mbs; m++) {
      const ks_net_mb *mb = &n->mbs[m];
      if (mb->link != hop->link)
        continue;
      ks_mbblock *b = &hop->mbs[k++];
      b->group = gi;
      b->mb = m;
      if (mb->on_expiry == KS_EXPIRY_RST) {
        ks_mbst *st = g_new0(ks_mbst, g->count ? g->count : 1);
        for (guint32 i = 0; i < g->count; i++) {
          ks_timer_init(&st[i].timer);
          ks_timer_set_cb(&st[i].timer, mbst_cb);
          st[i].last = -1;
          st[i].conn = g->first + i;
          st[i].mb = (guint16)m;
          st[i].hop = (guint16)h;
        }
        b->states = st;
      } else {
        ka_time *last = g_new(ka_time, g->count ? g->count : 1);
        for (guint32 i = 0; i < g->count; i++)
          last[i] = -1;
        b->states = last;
      }
      g_ptr_array_add(w->mbs[m].blocks, b);
    }
  }
}

void ksw_build_paths(ks_world *w) {
  w->tx = g_new0(ks_tx, w->net->n_links ? w->net->n_links : 1);
  w->mbs = g_new0(ks_mb, w->net->n_mbs ? w->net->n_mbs : 1);
  for (guint i = 0; i < w->net->n_mbs; i++)
    w->mbs[i].blocks = g_ptr_array_new();
  for (guint gi = 0; gi < w->n_groups; gi++)
    build_hops(w, gi);
}

void ksw_free_paths(ks_world *w) {
  for (guint gi = 0; w->groups != NULL && gi < w->n_groups; gi++) {
    ks_group *g = &w->groups[gi];
    for (guint h = 0; h < g->n_hops; h++) {
      for (guint k = 0; k < g->hops[h].n_mb; k++)
        g_free(g->hops[h].mbs[k].states);
      g_free(g->hops[h].mbs);
    }
    g_free(g->hops);
  }
  for (guint i = 0; w->mbs != NULL && i < w->net->n_mbs; i++)
    g_ptr_array_unref(w->mbs[i].blocks);
  g_free(w->mbs);
  g_free(w->tx);
}

/* --- The flight pool. ---------------------------------------------------- */

enum { FLIGHT_CHUNK = 256 };

static void flight_cb(ks_timer *t, void *ctx);

static ks_flight *flight_new(ks_world *w) {
  if (w->free_flights == NULL) {
    ks_flight *chunk = g_new(ks_flight, FLIGHT_CHUNK);
    g_ptr_array_add(w->flight_chunks, chunk);
    for (int i = FLIGHT_CHUNK - 1; i >= 0; i--) {
      ks_timer_init(&chunk[i].timer);
      ks_timer_set_cb(&chunk[i].timer, flight_cb);
      chunk[i].next_free = w->free_flights;
      w->free_flights = &chunk[i];
    }
  }
  ks_flight *f = w->free_flights;
  w->free_flights = f->next_free;
  return f;
}

static void flight_free(ks_world *w, ks_flight *f) {
  f->next_free = w->free_flights;
  w->free_flights = f;
}

/* --- Middleboxes. -------------------------------------------------------- */

static int flight_dir(const ks_group *g, const ks_flight *f) {
  int d = g->hops[f->hop].dir;
  return f->seg.from_client ? d : !d;
}

static void put_on_link(ks_world *w, ks_flight *f);

static void inject_rst(ks_world *w, guint gi, guint32 conn, guint hop, guint mb,
                       gboolean from_client, guint32 seq, guint32 ack) {
  ks_group *g = &w->groups[gi];
  ks_flight *f = flight_new(w);
  f->seg = (ks_segment){.conn = conn,
                        .from_client = from_client ? 1 : 0,
                        .flags = KS_TCP_RST | KS_TCP_ACK,
                        .kind = KS_SEG_RST,
                        .seq = seq,
                        .ack = ack,
                        .window = 0,
                        .len = 0};
  f->group = gi;
  f->hop = (guint16)hop;
  f->injected = 1;
  const ks_net_link *l = &w->net->links[g->hops[hop].link];
  ksw_trace(w, KS_TRACE_SEND, &f->seg, ks_net_link_entry(l, flight_dir(g, f)), "middlebox", NULL,
            mb);
  put_on_link(w, f);
}

/* A resetting box's state expired: RSTs to both ends. */
static void mb_reset(ks_world *w, ks_mbst *s) {
  ks_engine_cancel(w->engine, &s->timer);
  guint gi = ksw_group_of(w, s->conn);
  guint32 cs = ksw_snd_nxt(w, gi, s->conn, KSW_CLIENT);
  guint32 ss = ksw_snd_nxt(w, gi, s->conn, KSW_SERVER);
  /* Toward the client first, then toward the server. */
  inject_rst(w, gi, s->conn, s->hop, s->mb, FALSE, ss, cs);
  inject_rst(w, gi, s->conn, s->hop, s->mb, TRUE, cs, ss);
}

static void mbst_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  ks_world *w = ksw_current;
  ks_mbst *s = ks_container_of(t, ks_mbst, timer);
  const ks_net_mb *mb = &w->net->mbs[s->mb];
  ka_time due = ks_net_mb_due(mb, s->last);
  if (due == KA_TIME_NEVER)
    return;
  if (ks_engine_now(w->engine) < due) { /* activity since: the lazy timer moves */
    ks_engine_at(w->engine, t, due);
    return;
  }
  ksw_trace(w, KS_TRACE_TIMER, NULL, G_MAXUINT, "middlebox_idle", NULL, s->conn);
  ks_net_mb_forget(mb, &s->last);
  mb_reset(w, s);
}

/* TRUE when the segment may pass. */
static gboolean mb_pass(ks_world *w, const ks_mbblock *b, const ks_flight *f) {
  const ks_net_mb *mb = &w->net->mbs[b->mb];
  const ks_group *g = &w->groups[b->group];
  guint32 i = f->seg.conn - g->first;
  ka_time now = ks_engine_now(w->engine);
  gboolean syn = (f->seg.flags & KS_TCP_SYN) != 0;

  if (mb->on_expiry != KS_EXPIRY_RST)
    return !(ks_net_mb_pass(mb, &((ka_time *)b->states)[i], now, syn) & KS_MB_DROP);
  ks_mbst *s = &((ks_mbst *)b->states)[i];
  guint v = ks_net_mb_pass(mb, &s->last, now, syn);
  if (v & KS_MB_EXPIRED)
    mb_reset(w, s);
  if (v & KS_MB_OPENED)
    ks_engine_at(w->engine, &s->timer, now + mb->timeout);
  return !(v & KS_MB_DROP);
}

void ksw_mb_rearm(void *world, guint m) {
  ks_world *w = world;
  ka_time timeout = w->net->mbs[m].timeout;
  const GPtrArray *blocks = w->mbs[m].blocks;
  for (guint k = 0; k < blocks->len; k++) {
    const ks_mbblock *b = g_ptr_array_index(blocks, k);
    ks_mbst *st = b->states;
    for (guint32 i = 0; i < w->groups[b->group].count; i++)
      if (st[i].last >= 0)
        ks_engine_at(w->engine, &st[i].timer, st[i].last + timeout);
  }
}

ka_time ksw_mb_lost_at_conn(const ks_world *w, guint gi, guint32 conn, ka_time now) {
  const ks_group *g = &w->groups[gi];
  guint32 i = conn - g->first;
  ka_time lost = KA_TIME_NEVER;
  for (guint h = 0; h < g->n_hops; h++)
    for (guint k = 0; k < g->hops[h].n_mb; k++) {
      const ks_mbblock *b = &g->hops[h].mbs[k];
      const ks_net_mb *mb = &w->net->mbs[b->mb];
      ka_time last = mb->on_expiry == KS_EXPIRY_RST ? ((const ks_mbst *)b->states)[i].last
                                                    : ((const ka_time *)b->states)[i];
      ka_time t = ks_failure_mb_lost_at(last, mb->timeout, now);
      lost = t < lost ? t : lost;
    }
  return lost;
}

/* --- Links. -------------------------------------------------------------- */

static ka_time serialisation(const ks_net_link *l, guint32 len) {
  if (l->bps == 0)
    return 0;
  guint64 bits = ((guint64)KS_HDR_OCTETS + len) * 8u;
  /* Rounded up to the next nanosecond. */
  return (ka_time)((bits * (guint64)KA_NS_PER_S + l->bps - 1) / l->bps);
}

static void put_on_link(ks_world *w, ks_flight *f) {
  const ks_group *g = &w->groups[f->group];
  const ks_hop *hop = &g->hops[f->hop];
  const ks_net_link *l = &w->net->links[hop->link];
  int dir = flight_dir(g, f);
  guint entry = ks_net_link_entry(l, dir);
  ka_time now = ks_engine_now(w->engine);

  if (l->down[dir]) {
    ksw_trace(w, KS_TRACE_DROP, &f->seg, entry, "link_down", NULL, hop->link);
    flight_free(w, f);
    return;
  }
  if (!f->injected) {
    for (guint k = 0; k < hop->n_mb; k++) {
      if (!mb_pass(w, &hop->mbs[k], f)) {
        ksw_trace(w, KS_TRACE_DROP, &f->seg, entry, "middlebox", NULL, hop->mbs[k].mb);
        flight_free(w, f);
        return;
      }
    }
  }
  f->injected = 0;
  ka_time *busy = &w->tx[hop->link].busy_until[dir];
  ka_time start = *busy > now ? *busy : now;
  ka_time done = start + serialisation(l, f->seg.len);
  *busy = done;
  if (l->loss > 0 &&
      (l->loss >= 1 ||
       ks_rng_double(w->rng_key, f->seg.conn,
                     KS_RNG_LOSS + ksw_conn(w, f->seg.conn)->loss_draws++) < l->loss)) {
    ksw_trace(w, KS_TRACE_DROP, &f->seg, entry, "loss", NULL, hop->link);
    flight_free(w, f);
    return;
  }
  ks_engine_at(w->engine, &f->timer, done + l->delay);
}

/* The segment reached the far end of the link it was crossing. */
static void flight_cb(ks_timer *t, void *ctx) {
  (void)ctx;
  ks_world *w = ksw_current;
  ks_flight *f = ks_container_of(t, ks_flight, timer);
  const ks_group *g = &w->groups[f->group];
  const ks_net_link *l = &w->net->links[g->hops[f->hop].link];
  guint exit_host = ks_net_link_entry(l, !flight_dir(g, f));
  gboolean last = f->seg.from_client ? f->hop + 1u == g->n_hops : f->hop == 0;

  if (w->net->hosts[exit_host].crashed) {
    ksw_trace(w, KS_TRACE_DROP, &f->seg, exit_host, "crashed", NULL, exit_host);
    flight_free(w, f);
    return;
  }
  if (!last) { /* a router forwards it */
    f->hop = (guint16)(f->seg.from_client ? f->hop + 1 : f->hop - 1);
    put_on_link(w, f);
    return;
  }
  ksw_arrive(w, f->group, &f->seg);
  flight_free(w, f);
}

void ksw_send(ks_world *w, guint gi, guint32 conn, int side, guint8 flags, guint8 kind, guint32 seq,
              guint32 ack, guint32 len) {
  const ks_group *g = &w->groups[gi];
  ks_flight *f = flight_new(w);
  f->seg = (ks_segment){.conn = conn,
                        .from_client = side == KSW_CLIENT ? 1 : 0,
                        .flags = flags,
                        .kind = kind,
                        .seq = seq,
                        .ack = ack,
                        .window = (flags & KS_TCP_RST) ? 0 : KS_WINDOW,
                        .len = len};
  f->group = gi;
  f->hop = (guint16)(side == KSW_CLIENT ? 0 : g->n_hops - 1);
  f->injected = 0;
  /* ksw_arrive reads the receiving endpoint at least a link delay from
   * now, many events later.  In an idle connection that is the server's
   * end, untouched since the last keep-alive cycle (see ks_conn): fetch
   * it now so that the arrival does not wait for memory. */
  __builtin_prefetch(&ksw_conn(w, conn)->ep[!side]);
  ksw_trace(w, KS_TRACE_SEND, &f->seg, g->host[side], NULL, NULL, g->hops[f->hop].link);
  put_on_link(w, f);
}
