/* ks_shard.c - see ks_shard.h.
 *
 * What rank 0 receives from each other rank, in one stream of messages:
 *   its spool's records, whole records in messages of up to CHUNK octets,
 *   then an empty message;
 *   its connections' results in id order, packed (below) with their rows
 *   of connections.csv, in messages of about CHUNK octets, then an empty
 *   message.
 * A spool record is its key (t, epoch, lane: 16 octets in this machine's
 * order) and its trace line, '\n' included; ranks on machines of another
 * byte order are not supported.
 */
#include "ks_shard.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* What one message holds at most: few messages, and bounded memory. */
#define CHUNK (1u << 20)

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-shard-error-quark, ks_shard_error)
// clang-format on

gboolean ks_shard_check(const ks_scenario *sc, guint size, GError **error) {
  ks_net *n = ks_scenario_net_new(sc, 0, NULL);
  if (n == NULL)
    return TRUE; /* no path somewhere: the world's own error says it */
  gboolean ok = TRUE;
  guint64 *carried = g_new0(guint64, n->n_links ? n->n_links : 1);
  guint *first_group = g_new0(guint, n->n_links ? n->n_links : 1);
  for (guint gi = 0; gi < n->n_paths && gi < sc->groups->len; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    for (guint h = 0; h < n->paths[gi].n_hops; h++) {
      guint l = n->paths[gi].hops[h].link;
      if (carried[l] == 0)
        first_group[l] = gi;
      carried[l] += g->count;
    }
  }
  for (guint l = 0; ok && l < n->n_links; l++) {
    if (n->links[l].bps == 0 || carried[l] < 2)
      continue;
    const ks_link_spec *ls = sc->links->pdata[l];
    const ks_group_spec *g = sc->groups->pdata[first_group[l]];
    g_set_error(error, KS_SHARD_ERROR, 0,
                "the scenario's connections interact, so they cannot be split over %u "
                "processes: link %s has a bandwidth (%" G_GUINT64_FORMAT
                " bit/s) and carries %" G_GUINT64_FORMAT
                " connections (group %s%s), whose segments wait for each other on its "
                "transmitter; run it in one process (without mpirun), or leave the link's "
                "bandwidth out",
                size, ls->name, n->links[l].bps, carried[l], g->name,
                carried[l] > g->count ? " and others" : "");
    ok = FALSE;
  }
  g_free(carried);
  g_free(first_group);
  ks_net_free(n);
  return ok;
}

/* --- Spools. -------------------------------------------------------------- */

enum { KEY_OCTETS = 16 };

static void key_pack(guint8 *p, const ks_order_key *k) {
  memcpy(p, &k->t, 8);
  memcpy(p + 8, &k->epoch, 4);
  memcpy(p + 12, &k->lane, 4);
}

static void key_unpack(const guint8 *p, ks_order_key *k) {
  memcpy(&k->t, p, 8);
  memcpy(&k->epoch, p + 8, 4);
  memcpy(&k->lane, p + 12, 4);
}

FILE *ks_shard_spool_new(GError **error) {
  char *path = NULL;
  GError *e = NULL;
  int fd = g_file_open_tmp("kasim-spool-XXXXXX", &path, &e);
  FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
  if (path)
    g_unlink(path); /* gone with the process, whatever happens */
  if (f == NULL) {
    if (e == NULL)
      g_set_error(&e, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
                  g_strerror(errno));
    if (fd >= 0)
      close(fd);
    g_set_error(error, KS_SHARD_ERROR, 0, "a temporary file for the trace (TMPDIR): %s",
                e->message);
    g_error_free(e);
  }
  g_free(path);
  return f;
}

void ks_shard_spool_key(FILE *spool, const ks_order_key *key) {
  guint8 k[KEY_OCTETS];
  key_pack(k, key);
  fwrite(k, 1, sizeof k, spool);
}

/* --- Streams from the other ranks, and rank 0's own spool. ----------------- */

/* One source of records or results: a rank's messages, or a file. */
typedef struct source {
  guint rank;    /* 0: the file */
  FILE *file;    /* rank 0's spool */
  guint8 *msg;   /* the current message */
  gsize len, at; /* its size, and what has been read of it */
  gboolean ended;
  char *line; /* a record read from the file */
  size_t line_cap;
  /* A results message: its records left, and where the next one's CSV
   * row length and text are. */
  guint32 left;
  gsize len_at, row_at;
  /* The current record, while merging. */
  gboolean has;
  ks_order_key key;
  const char *text;
  gsize text_len;
} source;

struct ks_shard {
  const ks_shard_comm *comm;
  source *src;            /* [size]; src[0] is rank 0's spool */
  gboolean *records_done; /* per rank: its records are all received */
  gboolean *results_done; /* per rank: its results too */
  GByteArray *out;        /* a rank above 0: the message being filled */
};

ks_shard *ks_shard_new(const ks_shard_comm *comm) {
  ks_shard *s = g_new0(ks_shard, 1);
  s->comm = comm;
  s->src = g_new0(source, comm->size);
  s->records_done = g_new0(gboolean, comm->size);
  s->results_done = g_new0(gboolean, comm->size);
  for (guint r = 0; r < comm->size; r++)
    s->src[r].rank = r;
  s->out = g_byte_array_new();
  return s;
}

void ks_shard_free(ks_shard *s) {
  if (s == NULL)
    return;
  for (guint r = 0; r < s->comm->size; r++) {
    g_free(s->src[r].msg);
    free(s->src[r].line);
  }
  g_free(s->src);
  g_free(s->records_done);
  g_free(s->results_done);
  g_byte_array_unref(s->out);
  g_free(s);
}

/* The next message of the stream, FALSE at its empty last one. */
static gboolean next_message(ks_shard *s, source *src) {
  g_free(src->msg);
  src->msg = s->comm->recv(s->comm->ud, src->rank, &src->len);
  src->at = 0;
  return src->len > 0;
}

/* The source's next record, into src->key and src->text; FALSE after its
 * last. */
static gboolean next_record(ks_shard *s, source *src) {
  if (src->ended)
    return FALSE;
  if (src->file != NULL) {
    guint8 k[KEY_OCTETS];
    ssize_t n;
    if (fread(k, 1, sizeof k, src->file) != sizeof k ||
        (n = getline(&src->line, &src->line_cap, src->file)) <= 0) {
      src->ended = TRUE;
      return FALSE;
    }
    key_unpack(k, &src->key);
    src->text = src->line;
    src->text_len = (gsize)n;
    return TRUE;
  }
  if (src->at >= src->len && !next_message(s, src)) {
    src->ended = TRUE;
    s->records_done[src->rank] = TRUE;
    return FALSE;
  }
  const guint8 *p = src->msg + src->at;
  const guint8 *nl = memchr(p + KEY_OCTETS, '\n', src->len - src->at - KEY_OCTETS);
  g_assert(nl != NULL); /* records are sent whole */
  key_unpack(p, &src->key);
  src->text = (const char *)p + KEY_OCTETS;
  src->text_len = (gsize)(nl + 1 - (p + KEY_OCTETS));
  src->at = (gsize)(nl + 1 - src->msg);
  return TRUE;
}

static void flush_out(ks_shard *s) {
  if (s->out->len > 0)
    s->comm->send(s->comm->ud, s->out->data, s->out->len);
  g_byte_array_set_size(s->out, 0);
}

static void end_stream(ks_shard *s) {
  flush_out(s);
  s->comm->send(s->comm->ud, "", 0);
}

/* --- Results, packed: the fixed part, then the error and the failure,
 *     each NUL-terminated (a NULL one is flagged, not written). ---------- */

enum {
  PACKED_CLIENT = 1u,
  PACKED_RECOVERED = 2u,
  PACKED_FALSE_GIVEUP = 4u,
  PACKED_ERROR = 8u,
  PACKED_FAILURE = 16u
};

typedef struct packed {
  gint64 closed_at, last_rx, failure_at;
  guint32 id, group, probes_sent, probes_answered, middleboxes;
  guint8 reason, flags;
} packed;

static void pack(GByteArray *out, const ks_conn_result *r) {
  packed p = {.closed_at = r->closed_at,
              .last_rx = r->last_rx,
              .failure_at = r->failure_at,
              .id = r->id,
              .group = r->group,
              .probes_sent = r->probes_sent,
              .probes_answered = r->probes_answered,
              .middleboxes = r->middleboxes,
              .reason = (guint8)r->reason,
              .flags = (guint8)((r->client_side ? PACKED_CLIENT : 0) |
                                (r->recovered ? PACKED_RECOVERED : 0) |
                                (r->false_giveup ? PACKED_FALSE_GIVEUP : 0) |
                                (r->error ? PACKED_ERROR : 0) | (r->failure ? PACKED_FAILURE : 0))};
  g_byte_array_append(out, (const guint8 *)&p, sizeof p);
  if (r->error)
    g_byte_array_append(out, (const guint8 *)r->error, (guint)strlen(r->error) + 1);
  if (r->failure)
    g_byte_array_append(out, (const guint8 *)r->failure, (guint)strlen(r->failure) + 1);
}

static const char *unpack_str(source *src) {
  const char *p = (const char *)src->msg + src->at;
  gsize n = strnlen(p, src->len - src->at);
  g_assert(n < src->len - src->at);
  src->at += n + 1;
  return g_intern_string(p);
}

/* Receives and drops the rest of rank r's records (all of them when
 * there was no merge: no trace). */
static void skip_records(ks_shard *s, guint r) {
  if (s->records_done[r])
    return;
  while (next_message(s, &s->src[r]))
    ;
  s->records_done[r] = TRUE;
}

/* A results message: a header (the count of records, the octets of
 * their packed results), the packed results, each record's CSV row length
 * (32 bits), and the rows. */
enum { RESULTS_HEADER = 8 };

void ks_shard_result(ks_shard *s, guint32 id, ks_conn_result *out, const char **row,
                     gsize *row_len) {
  source *src = &s->src[id % s->comm->size];
  g_assert(src->rank != 0);
  skip_records(s, src->rank);
  if (src->left == 0) {
    gboolean more = next_message(s, src);
    g_assert(more && src->len >= RESULTS_HEADER); /* the rank sends all its connections */
    guint32 head[2];
    memcpy(head, src->msg, sizeof head);
    src->left = head[0];
    src->at = RESULTS_HEADER;
    src->len_at = RESULTS_HEADER + head[1];
    src->row_at = src->len_at + 4 * (gsize)head[0];
    g_assert(src->left > 0 && src->row_at <= src->len);
  }
  src->left--;
  guint32 n;
  memcpy(&n, src->msg + src->len_at, sizeof n);
  g_assert(src->row_at + n <= src->len);
  *row = (const char *)src->msg + src->row_at;
  *row_len = n;
  src->len_at += sizeof n;
  src->row_at += n;
  packed p;
  g_assert(src->len - src->at >= sizeof p);
  memcpy(&p, src->msg + src->at, sizeof p);
  src->at += sizeof p;
  g_assert(p.id == id);
  *out = (ks_conn_result){.id = p.id,
                          .group = p.group,
                          .client_side = (p.flags & PACKED_CLIENT) != 0,
                          .closed_at = p.closed_at,
                          .reason = (ka_close_reason)p.reason,
                          .probes_sent = p.probes_sent,
                          .probes_answered = p.probes_answered,
                          .last_rx = p.last_rx,
                          .failure_at = p.failure_at,
                          .recovered = (p.flags & PACKED_RECOVERED) != 0,
                          .false_giveup = (p.flags & PACKED_FALSE_GIVEUP) != 0,
                          .middleboxes = p.middleboxes};
  if (p.flags & PACKED_ERROR)
    out->error = unpack_str(src);
  if (p.flags & PACKED_FAILURE)
    out->failure = unpack_str(src);
}

/* --- The two sides. ------------------------------------------------------ */

/* The results message of the records packed in `recs`, their rows'
 * lengths in `lens` and their rows in `rows`; all three emptied. */
static void send_results(ks_shard *s, GByteArray *recs, GArray *lens, FILE **rows, char **text,
                         size_t *text_len) {
  fclose(*rows);
  guint32 head[2] = {lens->len, recs->len};
  g_byte_array_set_size(s->out, 0);
  g_byte_array_append(s->out, (const guint8 *)head, sizeof head);
  g_byte_array_append(s->out, recs->data, recs->len);
  g_byte_array_append(s->out, (const guint8 *)lens->data, lens->len * 4);
  g_byte_array_append(s->out, (const guint8 *)*text, (guint)*text_len);
  flush_out(s);
  free(*text);
  g_byte_array_set_size(recs, 0);
  g_array_set_size(lens, 0);
  *rows = open_memstream(text, text_len);
  g_assert(*rows != NULL);
}

void ks_shard_send(ks_shard *s, FILE *spool, const ks_backend *b, const void *w, guint32 n,
                   ks_shard_row_fn row, void *row_ud) {
  guint size = s->comm->size;
  if (spool != NULL) {
    guint8 k[KEY_OCTETS];
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    rewind(spool);
    while (fread(k, 1, sizeof k, spool) == sizeof k && (len = getline(&line, &cap, spool)) > 0) {
      if (s->out->len + sizeof k + (gsize)len > CHUNK)
        flush_out(s);
      g_byte_array_append(s->out, k, sizeof k);
      g_byte_array_append(s->out, (const guint8 *)line, (guint)len);
    }
    free(line);
  }
  end_stream(s);
  /* The rows are written here, in parallel with rank 0's own. */
  GByteArray *recs = g_byte_array_new();
  GArray *lens = g_array_new(FALSE, FALSE, sizeof(guint32));
  char *text = NULL;
  size_t text_len = 0;
  FILE *rows = open_memstream(&text, &text_len);
  g_assert(rows != NULL);
  for (guint32 id = s->comm->rank; id < n; id += size) {
    ks_conn_result r;
    b->conn_result(w, id, &r);
    pack(recs, &r);
    long before = ftell(rows);
    row(rows, &r, row_ud);
    guint32 len = (guint32)(ftell(rows) - before);
    g_array_append_val(lens, len);
    if (recs->len + (gsize)ftell(rows) >= CHUNK)
      send_results(s, recs, lens, &rows, &text, &text_len);
    if (id > G_MAXUINT32 - size)
      break;
  }
  if (lens->len > 0)
    send_results(s, recs, lens, &rows, &text, &text_len);
  fclose(rows);
  free(text);
  g_byte_array_unref(recs);
  g_array_unref(lens);
  end_stream(s);
}

void ks_shard_merge(ks_shard *s, FILE *spool, FILE *out) {
  guint size = s->comm->size;
  s->src[0].file = spool;
  if (spool)
    rewind(spool);
  else
    s->src[0].ended = TRUE;
  for (guint r = 0; r < size; r++)
    s->src[r].has = next_record(s, &s->src[r]);
  for (;;) {
    source *best = NULL;
    for (guint r = 0; r < size; r++)
      if (s->src[r].has && (best == NULL || ks_order_key_cmp(&s->src[r].key, &best->key) < 0))
        best = &s->src[r];
    if (best == NULL)
      break;
    fwrite(best->text, 1, best->text_len, out);
    best->has = next_record(s, best);
  }
  s->src[0].file = NULL;
}

void ks_shard_drain(ks_shard *s) {
  for (guint r = 1; r < s->comm->size; r++) {
    skip_records(s, r);
    while (!s->results_done[r])
      if (!next_message(s, &s->src[r]))
        s->results_done[r] = TRUE;
  }
}
