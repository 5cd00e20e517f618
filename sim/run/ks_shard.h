/* ks_shard.h - one run spread over processes: `mpirun -np K kasim run`
 * (docs/output.md, "Runs over several processes").
 *
 * Process (rank) r simulates the connections whose id is r modulo K, and
 * applies every timeline event; each connection then runs exactly as in
 * one process, provided that no two connections interact (ks_shard_check)
 * and that each draws from its own random stream (ks_rng.h).  Rank 0 writes
 * the files one process would write, byte for byte: every rank keeps its
 * trace records, in the canonical order (ks_order.h), in a spool file of
 * its own, and rank 0 merges the spools by their keys; the other ranks send
 * their connections' results and rows of connections.csv, which rank 0
 * takes in id order.
 *
 * The messages go through a ks_shard_comm, which the caller implements
 * (`kasim run` with MPI): this layer knows no MPI.
 */
#ifndef KASIM_KS_SHARD_H
#define KASIM_KS_SHARD_H

#include <glib.h>
#include <stdio.h>

#include "ks_backend.h"
#include "ks_order.h"
#include "ks_scenario.h"

#define KS_SHARD_ERROR (ks_shard_error_quark())
GQuark ks_shard_error_quark(void);

/* The messages a sharded run needs.  Every rank calls sum and max at the
 * same points; a rank above 0 sends only to rank 0, which receives a
 * rank's messages in the order they were sent. */
typedef struct ks_shard_comm {
  guint rank, size;
  void *ud;
  void (*sum)(void *ud, guint64 *v, int n); /* each v[i] becomes the sum over ranks */
  void (*max)(void *ud, gint64 *v, int n);  /* each v[i] becomes the maximum */
  void (*send)(void *ud, const void *buf, gsize len);
  void *(*recv)(void *ud, guint from, gsize *len); /* g_free the message */
} ks_shard_comm;

/* Whether the connections of `sc` can be simulated apart, by `size`
 * processes: FALSE, with the reason, when two of them share a link with a
 * bandwidth (each segment waits for the segments before it on that link's
 * transmitter, whatever their connection).  Nothing else couples
 * connections: loss draws come from each connection's stream, and hosts,
 * middleboxes and the timeline act on each connection alone. */
gboolean ks_shard_check(const ks_scenario *sc, guint size, GError **error);

/* A rank's spool: its trace records with their keys, in an unlinked
 * temporary file.  A record is its key, then its trace line ('\n'
 * included), which the caller writes after ks_shard_spool_key. */
FILE *ks_shard_spool_new(GError **error);
void ks_shard_spool_key(FILE *spool, const ks_order_key *key);

typedef struct ks_shard ks_shard;

ks_shard *ks_shard_new(const ks_shard_comm *comm);
void ks_shard_free(ks_shard *s);

/* Writes a connection's row of connections.csv. */
typedef void (*ks_shard_row_fn)(FILE *f, const ks_conn_result *r, void *ud);

/* Ranks above 0: the spool's records, then the results of this rank's
 * connections of the `n` (from the backend's conn_result), each with its
 * row of connections.csv (written by `row` here, beside rank 0's own),
 * to rank 0. */
void ks_shard_send(ks_shard *s, FILE *spool, const ks_backend *b, const void *w, guint32 n,
                   ks_shard_row_fn row, void *row_ud);

/* Rank 0: every rank's records, its own from `spool`, merged into `out`
 * without their keys. */
void ks_shard_merge(ks_shard *s, FILE *spool, FILE *out);
/* Rank 0: the result of connection `id` of a rank above 0 (`id` modulo the
 * size), the ids of each rank asked for in increasing order, and its row
 * of connections.csv (`row_len` octets, valid until the next call).  Its
 * strings are interned (g_intern_string). */
void ks_shard_result(ks_shard *s, guint32 id, ks_conn_result *out, const char **row,
                     gsize *row_len);
/* Rank 0: receives and drops whatever the other ranks still have to send,
 * so that they finish when rank 0 cannot write. */
void ks_shard_drain(ks_shard *s);

#endif
