/* ks_pcap.c - IPv4/TCP packets for libpcap. */
/* libpcap's headers use the BSD types u_int and u_char. */
#define _DEFAULT_SOURCE 1
#include "ks_pcap.h"

#include <pcap/pcap.h>
#include <string.h>

struct ks_pcap {
  pcap_t *dead;
  pcap_dumper_t *dumper;
  guint16 ip_id;
  ks_pcap_ends_fn ends;
  const void *ends_ud;
};

/* Payload octets are zeros: a probe's garbage octet is 0x00 (facts §6) and
 * data contents do not matter to keep-alive.  Snap data beyond this is cut,
 * as a capture with a snap length would be. */
#define SNAPLEN 1500u

ks_pcap *ks_pcap_new(FILE *stream, ks_pcap_ends_fn ends, const void *ends_ud, GError **error) {
  ks_pcap *p = g_new0(ks_pcap, 1);
  p->ends = ends;
  p->ends_ud = ends_ud;
  p->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
  p->dumper = p->dead ? pcap_dump_fopen(p->dead, stream) : NULL;
  if (p->dumper == NULL) {
    g_set_error(error, g_quark_from_static_string("ks-pcap-error-quark"), 0,
                "cannot start the capture: %s", p->dead ? pcap_geterr(p->dead) : "libpcap");
    if (p->dead)
      pcap_close(p->dead);
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

void ks_pcap_write(ks_pcap *p, ka_time t, const ks_segment *seg) {
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
  struct pcap_pkthdr h = {
    .ts = {.tv_sec = (time_t)(t / KA_NS_PER_S), .tv_usec = (suseconds_t)(t % KA_NS_PER_S)},
    .caplen = (bpf_u_int32)caplen,
    .len = (bpf_u_int32)total,
  };
  pcap_dump((unsigned char *)p->dumper, &h, pkt);
}

void ks_pcap_free(ks_pcap *p) {
  if (p == NULL)
    return;
  pcap_dump_flush(p->dumper);
  /* pcap_dump_close would fclose the caller's stream: the afile owns it,
   * and libpcap's dumper is that very stream, so nothing else is held. */
  pcap_close(p->dead);
  g_free(p);
}
