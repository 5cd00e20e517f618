/* ks_capacity.c - closed-form keep-alive cost and detection.
 *
 * Sources for each step:
 *  - an idle connection sends its first probe `idle` after the last
 *    segment it received, and an answered probe counts as a receive, so a
 *    healthy connection probes once per idle period (RFC 1122 4.2.3.6;
 *    facts §4, tcp_keepalive_timer; facts §2 for Windows);
 *  - each probe is answered by one zero-length ACK (RFC 9293 3.10.7.4);
 *  - probe payload: 1 octet (0x00) on Windows, none elsewhere (facts §6);
 *  - octets on the wire: ks_wire_bytes() (IEEE 802.3, RFC 791, RFC 9293);
 *  - a silent peer is declared dead idle + count x interval after the
 *    last receive (facts §2, §4, §5); computed by driving model/'s
 *    ka_conn, so TCP_USER_TIMEOUT and the time-based BSD rule come out as
 *    the engine has them;
 *  - a rebooted peer has no such connection, and a host answers any
 *    segment for a connection it does not have, but an RST, with an RST
 *    (RFC 9293 3.5.2 and 3.10.7.1; RFC 1122 4.2.3.6 on keep-alive), which
 *    the prober accepts (its sequence number is the probe's ACK, RCV.NXT)
 *    and closes on: reset by peer, WSAECONNRESET or ECONNRESET (facts §3).
 */
#include "ks_capacity.h"

#include <math.h>

#include "ks_metrics.h"

/* Worst-case detection: a ka_conn that never hears anything, polled until
 * it gives up, as `kasim explain` does.  Counts past `cap` probes follow
 * the time-based rule instead of looping a billion times. */
static double worst_case(const ka_cfg *on_wheel, double *slack_s) {
  enum { CAP = 100000 };
  /* The rules' give-up; *slack_s: how much later Linux's timer wheel can
   * make it. */
  ka_cfg exact = *on_wheel;
  exact.jiffies.hz = 0;
  const ka_cfg *cfg = &exact;
  *slack_s = 0;
  ka_conn c;
  ka_conn_init(&c, NULL, cfg, 0);
  unsigned probes = 0;
  for (ka_time at; (at = ka_conn_poll_at(&c, NULL)) != KA_TIME_NEVER;) {
    ka_action a;
    if (!ka_conn_poll(&c, NULL, at, &a))
      continue;
    if (a.kind == KA_ACTION_GIVE_UP) {
      *slack_s = ka_conn_wheel_slack(on_wheel, probes) / 1e9;
      return at / 1e9;
    }
    if (++probes == CAP)
      return (cfg->idle + (ka_time)cfg->cnt * cfg->intvl) / 1e9;
  }
  return NAN;
}

void ks_capacity_compute(const ka_cfg *cfg, double n, ka_time flap, ks_capacity *out) {
  *out = (ks_capacity){.connections = n};
  out->probing = cfg->enabled && !cfg->never_probes;
  out->idle_s = cfg->idle / 1e9;
  out->intvl_s = cfg->intvl / 1e9;
  out->cnt = cfg->cnt;
  out->probe_payload = ka_profile_probe_payload(cfg->profile);
  out->probe_wire = ks_wire_bytes(out->probe_payload);
  out->ack_wire = ks_wire_bytes(0);
  out->probe_ip = ks_ip_bytes(out->probe_payload);
  out->ack_ip = ks_ip_bytes(0);
  out->flap_s = flap / 1e9;
  out->detect_worst_s = out->detect_best_s = out->detect_mean_s = NAN;
  out->reboot_worst_s = out->reboot_best_s = out->reboot_mean_s = NAN;
  out->storm_start_s = out->storm_len_s = out->storm_rate_per_s = NAN;
  if (!out->probing || !(out->idle_s > 0))
    return;
  out->probes_per_s = n / out->idle_s;
  out->wire_bytes_per_s = out->probes_per_s * (out->probe_wire + out->ack_wire);
  out->ip_bytes_per_s = out->probes_per_s * (out->probe_ip + out->ack_ip);
  /* A reboot u seconds after the last receive is met by the next probe,
   * idle - u later (the peer is assumed back by then), plus what the
   * wheel adds to the idle timer. */
  double idle_slack = ka_conn_wheel_slack(cfg, 0) / 1e9;
  out->reboot_worst_s = out->idle_s + idle_slack;
  out->reboot_best_s = 0;
  out->reboot_mean_s = out->idle_s / 2 + idle_slack / 2;
  double rules = worst_case(cfg, &out->wheel_slack_s);
  if (isnan(rules))
    return;
  /* The give-up is tied to the last receive, so a failure u seconds after
   * it (u uniform in [0, idle)) is noticed rules - u later; Linux's timer
   * wheel adds up to wheel_slack_s, half of it on average (a timer lands
   * uniformly within its level's step). */
  out->detect_worst_s = rules + out->wheel_slack_s;
  out->detect_best_s = rules - out->idle_s;
  if (out->detect_best_s < 0)
    out->detect_best_s = 0;
  out->detect_mean_s = rules - out->idle_s / 2 + out->wheel_slack_s / 2;
  /* A shared outage: each connection gives up worst - u after it, so the
   * give-ups are as uniform as the phases: N per idle period. */
  out->storm_start_s = out->detect_best_s;
  out->storm_len_s = out->idle_s;
  out->storm_rate_per_s = n / out->idle_s;
  if (flap > 0) {
    /* Killed: those whose first probe falls in the outage early enough
     * that all `cnt` probes, an interval apart, go out before it heals:
     * a window of D - (cnt - 1) x interval of each idle period.  Their
     * give-ups come at the same rate as after a permanent outage, and
     * those in the window's last interval come after the link is back. */
    double w = out->flap_s - (out->cnt > 0 ? out->cnt - 1 : 0) * out->intvl_s;
    if (w < 0)
      w = 0;
    out->flap_fraction = w >= out->idle_s ? 1 : w / out->idle_s;
    out->flap_killed = n * out->flap_fraction;
    out->flap_window_s = w < out->idle_s ? w : out->idle_s;
    double late = w < out->intvl_s ? w : out->intvl_s;
    out->flap_after_heal = out->flap_fraction >= 1 ? NAN : n * late / out->idle_s;
  }
}
