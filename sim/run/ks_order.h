/* ks_order.h - trace events in one canonical order, whichever process
 * simulated them.
 *
 * The engines dispatch events due at the same nanosecond in the order they
 * were scheduled, which interleaves connections by history: no other
 * process could reproduce it with a part of the connections.  trace.jsonl
 * is written in this order instead (docs/output.md):
 *   1. by virtual time;
 *   2. then by epoch: how many timeline events had been applied when the
 *      event happened (a timeline event's own record opens its epoch);
 *   3. then by lane: the timeline event's record first, then connections
 *      by id;
 *   4. then as the engine dispatched them.
 * A connection's records keep their order, and so do its records and the
 * timeline's, because the engines order the events of one connection and
 * the timeline's alone the same way whatever other connections exist
 * (ties by scheduling order, ks_engine.h).  So a shard of a run that
 * simulates some of the connections writes their records in the same
 * relative order as one process, and shards merge by the key.
 *
 * Records are held, as compact copies of the events, only until the clock
 * moves on: ks_order_add writes out everything of an earlier time first.
 * What is held at once is one instant's records (about 64 octets each).
 */
#ifndef KASIM_KS_ORDER_H
#define KASIM_KS_ORDER_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_net.h"

typedef struct ks_order_key {
  ka_time t;
  guint32 epoch;
  guint32 lane; /* 0: the timeline; 1 + id: connection id */
} ks_order_key;

/* <0, 0, >0 as a sorts before, with, after b. */
int ks_order_key_cmp(const ks_order_key *a, const ks_order_key *b);

/* Writes one event, in order. */
typedef void (*ks_order_sink)(const ks_order_key *key, const ks_trace_event *ev, void *ud);

typedef struct ks_order ks_order;

ks_order *ks_order_new(ks_order_sink sink, void *ud);
/* Every event of the run, in the engine's order: `keep` says whether it is
 * written (the trace level's choice).  Events not kept still count for
 * the epoch. */
void ks_order_add(ks_order *o, const ks_trace_event *ev, gboolean keep);
/* Writes out what is held of times before `now` (a live run's clock moving
 * through an idle stretch), or everything with KA_TIME_NEVER. */
void ks_order_flush(ks_order *o, ka_time now);
/* Timeline events so far. */
guint32 ks_order_epochs(const ks_order *o);
/* Frees what is held without writing it.  NULL is fine. */
void ks_order_free(ks_order *o);

#endif
