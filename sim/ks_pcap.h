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

#include "ks_world.h"

typedef struct ks_pcap ks_pcap;

/* Writes to an open stream (an atomic ks_afile's); NULL on failure. */
ks_pcap *ks_pcap_new(FILE *stream, GError **error);
/* One packet as seen by `world` at time t.  The stream stays open. */
void ks_pcap_write(ks_pcap *p, const ks_world *world, ka_time t, const ks_segment *seg);
/* Flushes libpcap's buffer; does not close the stream. */
void ks_pcap_free(ks_pcap *p);

#endif
