/* ks_pcap.h - segments of a run as captures Wireshark reads: pcapng, one
 * file per side of the connections.
 *
 * Each side's file holds what tcpdump on that side's hosts would see: the
 * segments they send, when they send them, and those they receive, when
 * they arrive.  A segment lost on its way carries a comment saying why
 * (pcapng's opt_comment: Wireshark's "Packet comments", tshark's
 * frame.comment), and so does one a middlebox forged.  Timestamps are
 * nanoseconds from KS_PCAP_EPOCH_S: virtual time 0 is 2000-01-01 00:00:00
 * UTC, not 1970.  The IPv4 and TCP headers carry real checksums, so
 * Wireshark's TCP analysis (keep-alive, keep-alive ACK, retransmission)
 * works as on a real capture.
 */
#ifndef KASIM_KS_PCAP_H
#define KASIM_KS_PCAP_H

#include <glib.h>
#include <stdio.h>
#include <kasim/ka_time.h>

#include "ks_net.h"

/* 2000-01-01T00:00:00Z in Unix seconds: where a capture's clock starts. */
#define KS_PCAP_EPOCH_S G_GINT64_CONSTANT(946684800)

typedef struct ks_pcap ks_pcap;

/* The addresses of connection `conn`'s two ends, as its engine gives them
 * (the native one: ks_world_conn_endpoints, with the world as `ud`). */
typedef void (*ks_pcap_ends_fn)(const void *ud, guint32 conn, guint32 *client_ip,
                                guint16 *client_port, guint32 *server_ip, guint16 *server_port);

/* Starts a pcapng capture of the client side (client TRUE) or the server
 * side on an open stream (an atomic ks_afile's); NULL on failure. */
ks_pcap *ks_pcap_new(FILE *stream, gboolean client, ks_pcap_ends_fn ends, const void *ends_ud,
                     GError **error);
/* Feeds one trace event; the capture keeps what its side sees.  A segment
 * its side sent is written once its fate is known (delivered, or lost and
 * why), in the order of the trace. */
void ks_pcap_event(ks_pcap *p, const ks_trace_event *ev);
/* Writes what is still waiting for its fate ("in flight when the run
 * ended") and flushes; does not close the stream. */
void ks_pcap_free(ks_pcap *p);

#endif
