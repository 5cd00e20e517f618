/* ks_pcap.h - segments of a run as a capture Wireshark reads.
 *
 * libpcap writes the file (raw IPv4 link type, nanosecond timestamps of
 * virtual time); this module only lays out the IPv4 and TCP headers with
 * their checksums, so Wireshark's TCP analysis (keep-alive, keep-alive
 * ACK, retransmission) works on it as on a real capture.
 */
#ifndef KASIM_KS_PCAP_H
#define KASIM_KS_PCAP_H

#include <glib.h>
#include <stdio.h>
#include <kasim/ka_time.h>

#include "ks_net.h"

typedef struct ks_pcap ks_pcap;

/* The addresses of connection `conn`'s two ends, as its engine gives them
 * (the native one: ks_world_conn_endpoints, with the world as `ud`). */
typedef void (*ks_pcap_ends_fn)(const void *ud, guint32 conn, guint32 *client_ip,
                                guint16 *client_port, guint32 *server_ip, guint16 *server_port);

/* Writes to an open stream (an atomic ks_afile's); NULL on failure. */
ks_pcap *ks_pcap_new(FILE *stream, ks_pcap_ends_fn ends, const void *ends_ud, GError **error);
/* One packet at time t.  The stream stays open. */
void ks_pcap_write(ks_pcap *p, ka_time t, const ks_segment *seg);
/* Flushes libpcap's buffer; does not close the stream. */
void ks_pcap_free(ks_pcap *p);

#endif
