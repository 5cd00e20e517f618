/* test_capacity.c - the closed-form figures of ks_capacity against
 * arithmetic done by hand from the facts sheet (keepalive-facts.md §2, §4,
 * §6) and the wire sizes of test_metrics.c. */
#include <math.h>

#include "ks_capacity.h"

/* A socket with SO_KEEPALIVE on, as an application that wants it does,
 * with one host setting applied. */
static void cfg_for(const char *profile, const char *const *sets, ka_cfg *out) {
  const ka_profile *p = ka_profile_find(profile);
  g_assert_nonnull(p);
  ka_params *params = ka_params_new(p);
  for (; sets && *sets; sets++) {
    GError *e = NULL;
    g_assert_true(ka_params_set_assignment(params, *sets, &e));
    g_assert_no_error(e);
  }
  ka_sock *s = ka_sock_new(params, KA_SOCK_STREAM, 0);
  g_assert_cmpint(ka_sock_set_int(s, KA_OPT_SO_KEEPALIVE, 1), ==, 0);
  ka_sock_cfg(s, out);
  ka_sock_free(s);
  ka_params_free(params);
}

/* The brief's example: 2,000,000 Vista clients, KeepAliveTime 300,000 ms.
 * Vista: interval 1 s, 10 probes (facts §2), 1-octet probes (facts §6).
 *   probes/s  = 2,000,000 / 300          = 6666.67
 *   bytes/s   = 6666.67 x (84 + 84)      = 1,120,000 (8.96 Mbit/s)
 *   IP bytes  = 6666.67 x (41 + 40)      = 540,000
 *   worst     = 300 + 10 x 1             = 310 s; best 310 - 300 = 10 s;
 *   mean      = 310 - 300/2              = 160 s
 *   storm     = 6666.67/s, from 10 s to 310 s after the outage
 *   reboot    = the next probe is reset (RFC 9293 3.10.7.1): worst 300 s,
 *               best 0, mean 150 s, 6666.67/s from 0 to 300 s after it
 *   flap 30 s: window 30 - 9 x 1 = 21 s, 21/300 = 7%, 140,000 killed,
 *              2,000,000 x 1/300 = 6666.67 of them after it heals. */
static void test_vista_2m(void) {
  const char *sets[] = {"KeepAliveTime=300000", NULL};
  ka_cfg cfg;
  cfg_for("windows-vista", sets, &cfg);
  ks_capacity c;
  ks_capacity_compute(&cfg, 2e6, KA_S(30), &c);
  g_assert_true(c.probing);
  g_assert_cmpuint(c.cnt, ==, 10);
  g_assert_cmpuint(c.probe_payload, ==, 1);
  g_assert_cmpuint(c.probe_wire, ==, 84);
  g_assert_cmpuint(c.ack_wire, ==, 84);
  g_assert_cmpfloat_with_epsilon(c.probes_per_s, 2e6 / 300, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.wire_bytes_per_s, 1120000, 1e-6);
  g_assert_cmpfloat_with_epsilon(c.ip_bytes_per_s, 540000, 1e-6);
  g_assert_cmpfloat_with_epsilon(c.detect_worst_s, 310, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.detect_best_s, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.detect_mean_s, 160, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.storm_rate_per_s, 2e6 / 300, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.storm_start_s, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.storm_len_s, 300, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.reboot_worst_s, 300, 1e-9);
  g_assert_cmpfloat(c.reboot_best_s, ==, 0);
  g_assert_cmpfloat_with_epsilon(c.reboot_mean_s, 150, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.flap_fraction, 0.07, 1e-12);
  g_assert_cmpfloat_with_epsilon(c.flap_killed, 140000, 1e-6);
  g_assert_cmpfloat_with_epsilon(c.flap_window_s, 21, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.flap_after_heal, 2e6 / 300, 1e-9);
}

/* Linux defaults (facts §4): 7200 / 75 / 9, zero-octet probes.
 *   1000 connections: 1000/7200 = 0.13889 probes/s, x 168 = 23.333 B/s;
 *   worst 7200 + 9 x 75 = 7875 s; best 675 s.
 *   A 10-minute outage: window 600 - 8 x 75 = 0 s: nobody dies;
 *   a 20-minute one: 1200 - 600 = 600 s, 600/7200 of them = 83.33. */
static void test_linux_defaults(void) {
  ka_cfg cfg;
  cfg_for("linux", NULL, &cfg);
  ks_capacity c;
  ks_capacity_compute(&cfg, 1000, KA_S(600), &c);
  g_assert_cmpuint(c.probe_payload, ==, 0);
  g_assert_cmpfloat_with_epsilon(c.probes_per_s, 1000.0 / 7200, 1e-12);
  g_assert_cmpfloat_with_epsilon(c.wire_bytes_per_s, 1000.0 / 7200 * 168, 1e-9);
  /* The worst case on the timer wheel at HZ 250 (facts §4): each timer
   * up to one step of its level late, 131.072 s for the idle, 2.048 s for
   * each of the nine intervals. */
  g_assert_cmpfloat_with_epsilon(c.detect_worst_s, 7875 + 131.072 + 9 * 2.048, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.detect_best_s, 675, 1e-9);
  /* A reboot: the next probe, up to 7200 s after the last receive, plus
   * the idle timer's one step of 131.072 s at HZ 250; half that on
   * average. */
  g_assert_cmpfloat_with_epsilon(c.reboot_worst_s, 7200 + 131.072, 1e-9);
  g_assert_cmpfloat_with_epsilon(c.reboot_mean_s, 3600 + 65.536, 1e-9);
  g_assert_cmpfloat(c.flap_killed, ==, 0);
  ks_capacity_compute(&cfg, 1000, KA_S(1200), &c);
  g_assert_cmpfloat_with_epsilon(c.flap_killed, 1000.0 * 600 / 7200, 1e-9);
  /* An outage longer than idle + 8 x 75 kills everyone. */
  ks_capacity_compute(&cfg, 1000, KA_S(9000), &c);
  g_assert_cmpfloat(c.flap_fraction, ==, 1);
  g_assert_cmpfloat(c.flap_killed, ==, 1000);
}

/* Windows XP with both retransmission counts 0 sends no probes at all
 * (facts §2): nothing on the wire, never detected. */
static void test_xp_never(void) {
  const char *sets[] = {"TcpMaxDataRetransmissions=0", "PPTPTcpMaxDataRetransmissions=0", NULL};
  ka_cfg cfg;
  cfg_for("windows-xp", sets, &cfg);
  ks_capacity c;
  ks_capacity_compute(&cfg, 1e6, 0, &c);
  g_assert_false(c.probing);
  g_assert_cmpfloat(c.probes_per_s, ==, 0);
  g_assert_cmpfloat(c.wire_bytes_per_s, ==, 0);
  g_assert_true(isnan(c.detect_worst_s));
  g_assert_true(isnan(c.storm_rate_per_s));
  /* No probe, so no RST either: a reboot goes unnoticed too. */
  g_assert_true(isnan(c.reboot_worst_s));
}

/* XP defaults: 5 probes (facts §2): worst 7200 + 5 x 1 = 7205 s. */
static void test_xp_defaults(void) {
  ka_cfg cfg;
  cfg_for("windows-xp", NULL, &cfg);
  ks_capacity c;
  ks_capacity_compute(&cfg, 10, 0, &c);
  g_assert_cmpfloat_with_epsilon(c.detect_worst_s, 7205, 1e-9);
  g_assert_cmpfloat(c.flap_killed, ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/capacity/vista-2m", test_vista_2m);
  g_test_add_func("/capacity/linux-defaults", test_linux_defaults);
  g_test_add_func("/capacity/xp-never", test_xp_never);
  g_test_add_func("/capacity/xp-defaults", test_xp_defaults);
  return g_test_run();
}
