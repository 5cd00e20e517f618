/* ks_capacity.h - what N idle connections with given keep-alive settings
 * cost and how fast they notice, in closed form (docs/tuning.md derives
 * every formula; sources in the comments of ks_capacity.c).
 *
 * The model: every connection is idle and healthy, only one end probes,
 * each probe is answered, and the connections' keep-alive phases are
 * spread uniformly over one idle period (steady state, long after they
 * opened).  Round-trip times are neglected against the idle time.
 */
#ifndef KASIM_KS_CAPACITY_H
#define KASIM_KS_CAPACITY_H

#include <glib.h>
#include <kasim/ka.h>

typedef struct ks_capacity {
  double connections;
  gboolean probing;       /* keep-alive on and the profile sends probes */
  double idle_s, intvl_s; /* the effective settings */
  guint32 cnt;
  guint probe_payload;        /* octets: 1 on Windows, 0 elsewhere */
  guint probe_wire, ack_wire; /* octets on Ethernet each (ks_wire_bytes) */
  guint probe_ip, ack_ip;     /* octets of IPv4 datagram each */
  double probes_per_s;        /* N / idle */
  double wire_bytes_per_s;    /* probes_per_s x (probe_wire + ack_wire) */
  double ip_bytes_per_s;      /* probes_per_s x (probe_ip + ack_ip) */
  /* From the last segment received to the give-up (worst), from a failure
   * just before a probe was due (best), and averaged over the phase (mean);
   * NAN: never detected. */
  double detect_worst_s, detect_best_s, detect_mean_s;
  /* How much later Linux's timer wheel can make a give-up (included in
   * worst, half of it in mean); 0 on other profiles or with hz 0. */
  double wheel_slack_s;
  /* The peer rebooted and came back (its host no longer knows the
   * connection): the first probe after the reboot is answered with an
   * RST, so the give-up comes at that probe instead of `cnt` probes
   * later: from the reboot, worst idle (+ the idle timer's wheel slack),
   * best 0, mean idle / 2; the give-ups at N / idle a second (as
   * probes_per_s) from 0 to idle after it.  NAN: no probes. */
  double reboot_worst_s, reboot_best_s, reboot_mean_s;
  /* After a shared, permanent outage at t = 0: give-ups (reconnects) at
   * storm_rate_per_s from storm_start_s for storm_len_s; with phases all
   * aligned (connections opened together and idle since), all N at once. */
  double storm_start_s, storm_len_s, storm_rate_per_s;
  /* An outage of flap_s that then heals: the connections killed anyway,
   * over which window their give-ups come, and how many of those come
   * after the link is back. */
  double flap_s, flap_fraction, flap_killed, flap_window_s;
  double flap_after_heal; /* NAN when the outage outlasts a whole idle period */
} ks_capacity;

/* cfg: the socket's effective settings (ka_sock_cfg). flap: 0 for none. */
void ks_capacity_compute(const ka_cfg *cfg, double connections, ka_time flap, ks_capacity *out);

#endif
