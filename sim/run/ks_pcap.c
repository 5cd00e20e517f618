/* ks_pcap.c - pcapng captures of a run, one per side; see ks_pcap.h.  The
 * blocks are laid out here (pcapng, draft-ietf-opsawg-pcapng): a Section
 * Header, one Interface Description (raw IPv4, nanosecond timestamps) and
 * an Enhanced Packet per segment, little-endian. */
#include "ks_pcap.h"

#include <string.h>

/* Payload octets are zeros: a probe's garbage octet is 0x00 (facts §6) and
 * data contents do not matter to keep-alive.  Snap data beyond this is cut,
 * as a capture with a snap length would be. */
#define SNAPLEN 1500u
#define LINKTYPE_RAW 101u

typedef struct pending {
  ka_time t;
  ks_segment seg;
  gboolean resolved;
  char *comment; /* NULL: none */
} pending;

struct ks_pcap {
  FILE *f;
  gboolean client; /* whose side */
  guint16 ip_id;
  ks_pcap_ends_fn ends;
  const void *ends_ud;
  GQueue queue;  /* pending*, in trace order */
  GQueue forged; /* ks_segment*: middlebox RSTs on their way to this side */
};

static void le16(GByteArray *b, guint16 v) {
  guint8 x[2] = {(guint8)v, (guint8)(v >> 8)};
  g_byte_array_append(b, x, 2);
}

static void le32(GByteArray *b, guint32 v) {
  le16(b, (guint16)v);
  le16(b, (guint16)(v >> 16));
}

static void pad4(GByteArray *b) {
  static const guint8 zero[4] = {0};
  g_byte_array_append(b, zero, (4 - b->len % 4) % 4);
}

static void option(GByteArray *b, guint16 code, const void *v, guint16 len) {
  le16(b, code);
  le16(b, len);
  g_byte_array_append(b, v, len);
  pad4(b);
}

/* Wraps `body` as a block of `type` (its total length before and after)
 * and writes it. */
static void block(ks_pcap *p, guint32 type, GByteArray *body) {
  pad4(body);
  guint32 total = body->len + 12;
  GByteArray *b = g_byte_array_sized_new(total);
  le32(b, type);
  le32(b, total);
  g_byte_array_append(b, body->data, body->len);
  le32(b, total);
  fwrite(b->data, 1, b->len, p->f);
  g_byte_array_unref(b);
}

ks_pcap *ks_pcap_new(FILE *stream, gboolean client, ks_pcap_ends_fn ends, const void *ends_ud,
                     GError **error) {
  ks_pcap *p = g_new0(ks_pcap, 1);
  p->f = stream;
  p->client = client;
  p->ends = ends;
  p->ends_ud = ends_ud;
  g_queue_init(&p->queue);
  g_queue_init(&p->forged);
  /* Section Header Block. */
  GByteArray *b = g_byte_array_new();
  le32(b, 0x1A2B3C4D); /* byte-order magic */
  le16(b, 1);
  le16(b, 0);
  le32(b, 0xFFFFFFFF); /* section length: not given */
  le32(b, 0xFFFFFFFF);
  static const char appl[] = "kasim " KASIM_VERSION;
  option(b, 4, appl, sizeof appl - 1); /* shb_userappl */
  const char *about = client ? "kasim: what the client hosts send and receive; virtual time 0 is "
                               "2000-01-01 00:00:00 UTC; lost segments carry a comment saying why"
                             : "kasim: what the server hosts send and receive; virtual time 0 is "
                               "2000-01-01 00:00:00 UTC; lost segments carry a comment saying why";
  option(b, 1, about, (guint16)strlen(about)); /* opt_comment */
  le32(b, 0);                                  /* opt_endofopt */
  block(p, 0x0A0D0D0A, b);
  g_byte_array_set_size(b, 0);
  /* Interface Description Block: raw IPv4, nanoseconds. */
  le16(b, LINKTYPE_RAW);
  le16(b, 0);
  le32(b, SNAPLEN);
  const char *name = client ? "client side" : "server side";
  option(b, 2, name, (guint16)strlen(name)); /* if_name */
  const guint8 tsresol = 9;
  option(b, 9, &tsresol, 1); /* if_tsresol: 10^-9 s */
  le32(b, 0);
  block(p, 1, b);
  g_byte_array_unref(b);
  if (ferror(stream)) {
    g_set_error(error, g_quark_from_static_string("ks-pcap-error-quark"), 0,
                "cannot start the capture: write error");
    g_free(p);
    return NULL;
  }
  return p;
}

static guint32 sum16(const guint8 *b, size_t n, guint32 acc) {
  for (size_t i = 0; i + 1 < n; i += 2)
    acc += (guint32)(b[i] << 8 | b[i + 1]);
  if (n & 1)
    acc += (guint32)(b[n - 1] << 8);
  return acc;
}

static guint16 fold(guint32 acc) {
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  return (guint16)~acc;
}

static void put16(guint8 *b, guint16 v) { b[0] = (guint8)(v >> 8), b[1] = (guint8)v; }
static void put32(guint8 *b, guint32 v) { put16(b, (guint16)(v >> 16)), put16(b + 2, (guint16)v); }

/* One Enhanced Packet Block: the segment's IPv4 and TCP headers, zeros
 * for its payload, and the comment if any. */
static void write_packet(ks_pcap *p, ka_time t, const ks_segment *seg, const char *comment) {
  guint8 pkt[SNAPLEN];
  guint32 cip, sip;
  guint16 cport, sport;
  p->ends(p->ends_ud, seg->conn, &cip, &cport, &sip, &sport);
  guint32 src = seg->from_client ? cip : sip, dst = seg->from_client ? sip : cip;
  guint16 srcp = seg->from_client ? cport : sport, dstp = seg->from_client ? sport : cport;
  size_t total = 40u + seg->len;
  size_t caplen = MIN(total, (size_t)SNAPLEN);
  memset(pkt, 0, caplen);
  guint8 *ip = pkt, *tcp = pkt + 20;
  ip[0] = 0x45;
  put16(ip + 2, (guint16)MIN(total, 0xffffu));
  put16(ip + 4, p->ip_id++);
  ip[6] = 0x40; /* DF */
  ip[8] = 64;
  ip[9] = 6;
  put32(ip + 12, src);
  put32(ip + 16, dst);
  put16(ip + 10, fold(sum16(ip, 20, 0)));
  put16(tcp, srcp);
  put16(tcp + 2, dstp);
  put32(tcp + 4, seg->seq);
  put32(tcp + 8, seg->ack);
  tcp[12] = 5 << 4;
  tcp[13] = seg->flags;
  put16(tcp + 14, seg->window);
  /* The checksum covers the pseudo-header and the whole segment; payload
   * octets are zeros, so only the length matters for them. */
  guint8 pseudo[12];
  put32(pseudo, src);
  put32(pseudo + 4, dst);
  pseudo[8] = 0;
  pseudo[9] = 6;
  put16(pseudo + 10, (guint16)(20 + seg->len));
  put16(tcp + 16, fold(sum16(tcp, 20, sum16(pseudo, 12, 0))));

  guint64 ts = (guint64)(KS_PCAP_EPOCH_S * KA_NS_PER_S) + (guint64)t;
  GByteArray *b = g_byte_array_sized_new(64 + (guint)caplen);
  le32(b, 0); /* interface 0 */
  le32(b, (guint32)(ts >> 32));
  le32(b, (guint32)ts);
  le32(b, (guint32)caplen);
  le32(b, (guint32)total);
  g_byte_array_append(b, pkt, (guint)caplen);
  pad4(b);
  if (comment) {
    option(b, 1, comment, (guint16)MIN(strlen(comment), 0xffffu));
    le32(b, 0);
  }
  block(p, 6, b);
  g_byte_array_unref(b);
}

static gboolean same_seg(const ks_segment *a, const ks_segment *b) {
  return a->conn == b->conn && a->from_client == b->from_client && a->flags == b->flags &&
         a->kind == b->kind && a->seq == b->seq && a->ack == b->ack && a->len == b->len;
}

static const char *lost_why(const char *what) {
  static const char *const t[][2] = {
    {"link_down", "kasim: LOST on its way: a link of the path is down"},
    {"loss", "kasim: LOST on its way: random loss on a link of the path"},
    {"middlebox", "kasim: DROPPED by a middlebox on the path: it has forgotten this "
                  "connection (idle timeout)"},
    {"crashed", "kasim: LOST: the receiving host has crashed"},
    {"no_state", "kasim: reached the peer, which has no such connection: it answers RST"},
    {"closed", "kasim: reached the peer after its socket closed"}};
  for (size_t i = 0; what && i < G_N_ELEMENTS(t); i++)
    if (strcmp(what, t[i][0]) == 0)
      return t[i][1];
  return "kasim: LOST on its way";
}

static void flush_resolved(ks_pcap *p) {
  pending *q;
  while ((q = g_queue_peek_head(&p->queue)) != NULL && q->resolved) {
    g_queue_pop_head(&p->queue);
    write_packet(p, q->t, &q->seg, q->comment);
    g_free(q->comment);
    g_free(q);
  }
}

static void enqueue(ks_pcap *p, ka_time t, const ks_segment *seg, gboolean resolved,
                    const char *comment) {
  pending *q = g_new0(pending, 1);
  q->t = t;
  q->seg = *seg;
  q->resolved = resolved;
  q->comment = g_strdup(comment);
  g_queue_push_tail(&p->queue, q);
}

/* The oldest send of this side still waiting for its fate. */
static pending *waiting(ks_pcap *p, const ks_segment *seg) {
  for (GList *l = p->queue.head; l; l = l->next) {
    pending *q = l->data;
    if (!q->resolved && same_seg(&q->seg, seg))
      return q;
  }
  return NULL;
}

static gboolean take_forged(ks_pcap *p, const ks_segment *seg) {
  for (GList *l = p->forged.head; l; l = l->next)
    if (same_seg(l->data, seg)) {
      g_free(l->data);
      g_queue_delete_link(&p->forged, l);
      return TRUE;
    }
  return FALSE;
}

void ks_pcap_event(ks_pcap *p, const ks_trace_event *ev) {
  const ks_segment *seg = ev->seg;
  if (seg == NULL)
    return;
  gboolean mine = (seg->from_client != 0) == p->client; /* sent from this side */
  gboolean forged = ev->what && strcmp(ev->what, "middlebox") == 0;
  switch (ev->kind) {
  case KS_TRACE_SEND:
    if (forged && !mine) /* toward this side, from a middlebox */
      g_queue_push_tail(&p->forged, g_memdup2(seg, sizeof *seg));
    else if (mine && !forged)
      enqueue(p, ev->t, seg, FALSE, NULL);
    break;
  case KS_TRACE_DELIVER:
    if (mine) {
      pending *q = waiting(p, seg);
      if (q)
        q->resolved = TRUE;
    } else {
      enqueue(p, ev->t, seg, TRUE,
              take_forged(p, seg) ? "kasim: forged by a middlebox on the path, not sent by "
                                    "the peer"
                                  : NULL);
    }
    break;
  case KS_TRACE_DROP:
    if (mine) {
      pending *q = waiting(p, seg);
      if (q) {
        q->resolved = TRUE;
        q->comment = g_strdup(lost_why(ev->what));
      }
    } else if (ev->what && (strcmp(ev->what, "no_state") == 0 || strcmp(ev->what, "closed") == 0)) {
      /* It reached this side's host, which had no socket for it. */
      enqueue(p, ev->t, seg, TRUE,
              strcmp(ev->what, "closed") == 0
                ? "kasim: arrived after this host's socket closed"
                : "kasim: arrived at a host with no such connection: it answers RST");
    } else {
      take_forged(p, seg);
    }
    break;
  default: return;
  }
  flush_resolved(p);
}

void ks_pcap_free(ks_pcap *p) {
  if (p == NULL)
    return;
  for (GList *l = p->queue.head; l; l = l->next) {
    pending *q = l->data;
    if (!q->resolved) {
      q->resolved = TRUE;
      q->comment = g_strdup("kasim: in flight when the run ended");
    }
  }
  flush_resolved(p);
  g_queue_clear_full(&p->forged, g_free);
  fflush(p->f);
  g_free(p);
}
