/* test_failure.c - failure_at, recovered and false_giveup as ks_world
 * computes them (ks_world.h), on small scenarios whose arithmetic is done
 * by hand below.
 *
 * Common set-up unless a test says otherwise: linux client and server, one
 * link with a 10 ms one-way delay, keep-alive on the client with
 * TCP_KEEPIDLE 60, TCP_KEEPINTVL 10, TCP_KEEPCNT 3 (facts §4: a silent
 * peer is dead at last_rx + 60 + 3 x 10).  The handshake: SYN at 0, SYN-ACK
 * back at the client at 0.020 s, so last_rx = 0.020.  Each probe is answered
 * one round trip (0.020 s) later, which is the next last_rx, so probe k
 * goes out at 60.02 x k: the 9th at 540.18 (answered 540.20), the 10th at
 * 600.20.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ks_world.h"

#define BASE                                                              \
  "name: t\n"                                                             \
  "duration: %s\n"                                                        \
  "hosts:\n"                                                              \
  "  client: {profile: linux, settings: {hz: 0}}\n"                       \
  "  server: {profile: linux, settings: {hz: 0}}\n"                       \
  "%s"                                                                    \
  "links:\n"                                                              \
  "%s"                                                                    \
  "%s"                                                                    \
  "groups:\n"                                                             \
  "  - name: g\n"                                                         \
  "    client: client\n"                                                  \
  "    server: server\n"                                                  \
  "    connect_at: %s\n"                                                  \
  "    sockopts: {TCP_KEEPIDLE: 60, TCP_KEEPINTVL: 10, TCP_KEEPCNT: 3}\n" \
  "%s%s"

#define LAN "  lan: {between: [client, server], delay: 10ms}\n"

typedef struct spec {
  const char *duration, *extra_hosts, *links, *middleboxes, *connect_at, *timeline;
} spec;

/* Runs the scenario; returns connection 0's result. */
static ks_conn_result run(const spec *s) {
  g_autofree char *text = g_strdup_printf(BASE, s->duration ? s->duration : "20m",
                                          s->extra_hosts ? s->extra_hosts : "",
                                          s->links ? s->links : LAN,
                                          s->middleboxes ? s->middleboxes : "",
                                          s->connect_at ? s->connect_at : "0s",
                                          s->timeline ? "timeline:\n" : "",
                                          s->timeline ? s->timeline : "");
  g_autofree char *dir = g_dir_make_tmp("kasim-failure-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "t.yaml", NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  GError *error = NULL;
  ks_scenario *sc = ks_scenario_load(path, NULL, &error);
  g_assert_no_error(error);
  ks_world *w = ks_world_new(sc, 1, &error);
  g_assert_no_error(error);
  ks_world_run(w);
  ks_conn_result r;
  ks_world_conn_result(w, 0, &r);
  ks_world_free(w);
  ks_scenario_free(sc);
  g_unlink(path);
  g_rmdir(dir);
  return r;
}

/* One direction down is enough: the probes arrive, their ACKs do not.
 * Probe 10 at 600.20 is the first unanswered; give-up at 540.20 + 60 +
 * 3 x 10 = 630.20, 30.20 s after the failure at 600. */
static void test_one_way_link_down(void) {
  spec s = {.timeline = "  - {at: 10m, link_down: lan, direction: b_to_a}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_S(600));
  g_assert_cmpstr(r.failure, ==, "link_down");
  g_assert_cmpint(r.closed_at, ==, KA_MS(630200));
  g_assert_cmpint(r.reason, ==, KA_CLOSE_KEEPALIVE_TIMEOUT);
  g_assert_false(r.false_giveup);
  g_assert_false(r.recovered);
}

/* Loss 1 from 600 s to 615 s: probes at 600.20 and 610.20 are lost, the
 * one at 620.20 is answered, the count starts again: it survives, having
 * failed at 600 and recovered. */
static void test_loss_recovered(void) {
  spec s = {.timeline = "  - {at: 10m, loss: {link: lan, rate: 1}}\n"
                        "  - {at: 615s, loss: {link: lan, rate: 0}}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_S(600));
  g_assert_cmpstr(r.failure, ==, "loss");
  g_assert_cmpint(r.closed_at, ==, KA_TIME_NEVER);
  g_assert_true(r.recovered);
  g_assert_false(r.false_giveup);
}

/* Loss 1 from 600 s to 625 s: all three probes (600.20, 610.20, 620.20)
 * are lost and it gives up at 630.20, when the link has been whole for
 * 5.2 s: the path came back before the give-up, a false give-up. */
static void test_came_back_before_giveup(void) {
  spec s = {.timeline = "  - {at: 10m, loss: {link: lan, rate: 1}}\n"
                        "  - {at: 625s, loss: {link: lan, rate: 0}}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_S(600));
  g_assert_cmpint(r.closed_at, ==, KA_MS(630200));
  g_assert_true(r.recovered);
  g_assert_true(r.false_giveup);
}

/* A router of the path crashes: same timings as the link going down (two
 * 5 ms links make the same 20 ms round trip). */
static void test_router_crash(void) {
  spec s = {.extra_hosts = "  router: {profile: linux, settings: {hz: 0}}\n",
            .links = "  a: {between: [client, router], delay: 5ms}\n"
                     "  b: {between: [router, server], delay: 5ms}\n",
            .timeline = "  - {at: 10m, peer_crash: router}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_S(600));
  g_assert_cmpstr(r.failure, ==, "router_crash");
  g_assert_cmpint(r.closed_at, ==, KA_MS(630200));
  g_assert_false(r.false_giveup);
}

/* The peer reboots at 300 s; probe 5 at 300.10 finds no connection and is
 * answered with an RST, back at 300.12 (RFC 9293 3.10.7.1). */
static void test_peer_reboot(void) {
  spec s = {.timeline = "  - {at: 300s, peer_reboot: server}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_S(300));
  g_assert_cmpstr(r.failure, ==, "peer_reboot");
  g_assert_cmpint(r.reason, ==, KA_CLOSE_RESET_BY_PEER);
  g_assert_cmpint(r.closed_at, ==, KA_MS(300120));
  g_assert_false(r.false_giveup);
}

/* Its own host rebooting closes the socket (no reason) but is not a
 * failure of the path; a NAT state that would expire 1000 s after the last
 * probe's ACK (540.19 + 1000 = 1540.19 s, before the run ends at 2400 s)
 * expires after the close and is not reported either. */
static void test_own_reboot_and_late_middlebox(void) {
  spec s = {.duration = "40m",
            .middleboxes = "middleboxes:\n  nat: {kind: nat, link: lan, idle_timeout: 1000s}\n",
            .timeline = "  - {at: 10m, peer_reboot: client}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.closed_at, ==, KA_S(600));
  g_assert_cmpint(r.reason, ==, KA_CLOSE_NONE);
  g_assert_cmpint(r.failure_at, ==, KA_TIME_NEVER);
  g_assert_null(r.failure);
  g_assert_false(r.false_giveup);
  g_assert_cmpuint(r.middleboxes, ==, 1);
}

/* The peer's application hangs but its stack still answers probes: no
 * failure, and the connection lives. */
static void test_app_hang_is_not_failure(void) {
  spec s = {.timeline = "  - {at: 10m, app_hang: server}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_TIME_NEVER);
  g_assert_cmpint(r.closed_at, ==, KA_TIME_NEVER);
}

/* A NAT forgets the flow 50 s after the handshake's last segment passed it
 * (the client's ACK, put on the link at 0.020): failure at 50.020 s; the
 * probes from 60.02 s find no state; give-up at 0.02 + 60 + 30 = 90.02 s. */
static void test_middlebox_drop(void) {
  spec s = {.middleboxes = "middleboxes:\n  nat: {kind: nat, link: lan, idle_timeout: 50s}\n"};
  ks_conn_result r = run(&s);
  g_assert_cmpint(r.failure_at, ==, KA_MS(50020));
  g_assert_cmpstr(r.failure, ==, "middlebox");
  g_assert_cmpint(r.closed_at, ==, KA_MS(90020));
  g_assert_false(r.false_giveup);
}

/* Outages before the group's connect_at (10 s) do not count; one that is
 * still on at 10 s counts from 10 s. */
static void test_before_connect(void) {
  spec a = {.connect_at = "10s",
            .timeline = "  - {at: 5s, link_down: lan}\n  - {at: 8s, link_up: lan}\n"};
  ks_conn_result r = run(&a);
  g_assert_cmpint(r.failure_at, ==, KA_TIME_NEVER);
  spec b = {.connect_at = "10s",
            .timeline = "  - {at: 5s, link_down: lan}\n  - {at: 20s, link_up: lan}\n"};
  r = run(&b);
  g_assert_cmpint(r.failure_at, ==, KA_S(10));
  g_assert_true(r.recovered);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/failure/one-way-link-down", test_one_way_link_down);
  g_test_add_func("/failure/loss-recovered", test_loss_recovered);
  g_test_add_func("/failure/came-back-before-giveup", test_came_back_before_giveup);
  g_test_add_func("/failure/router-crash", test_router_crash);
  g_test_add_func("/failure/peer-reboot", test_peer_reboot);
  g_test_add_func("/failure/own-reboot-and-late-middlebox", test_own_reboot_and_late_middlebox);
  g_test_add_func("/failure/app-hang-is-not-failure", test_app_hang_is_not_failure);
  g_test_add_func("/failure/middlebox-drop", test_middlebox_drop);
  g_test_add_func("/failure/before-connect", test_before_connect);
  return g_test_run();
}
