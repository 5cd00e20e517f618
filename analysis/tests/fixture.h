/* fixture.h - a hand-written run folder and sweep folder whose metrics are
 * worked out by hand in test_metrics.c and drawn in test_plot.c.
 *
 * Seven connections over 8000 s of virtual time:
 *   0, 1  group a (windows-vista): link down at 600 s; give-ups at 7210.02
 *         and 7210.52 s (keepalive_timeout): latencies 6610.02, 6610.52;
 *         connection 0 sent 10 one-octet probes, none answered.
 *   2     group b (linux): peer rebooted at 100 s, reset at 100.5 s: 0.5.
 *   3     group b: no failure, false give-up at 13 s after 3 zero-octet
 *         probes, one of them answered (one keep-alive ACK on the wire).
 *   4     group b: failed at 45 s, recovered, open at the end.
 *   5     group b: crosses a middlebox, failed at 50 s, still broken, open.
 *   6     group b: crosses a middlebox, never failed, open.
 */
#ifndef KASIM_TEST_FIXTURE_H
#define KASIM_TEST_FIXTURE_H

#include <glib.h>
#include <glib/gstdio.h>

#define CONN(id, group, profile, closed, reason, error, sent, answered, failure_at, failure, \
             recovered, fg, mbs)                                                             \
  "{\"id\": " #id ", \"group\": \"" group "\", \"profile\": \"" profile                      \
  "\", \"side\": \"client\", \"closed_at_s\": " closed ", \"close_reason\": " reason         \
  ", \"error\": " error ", \"probes_sent\": " #sent ", \"probes_answered\": " #answered      \
  ", \"last_rx_s\": 0.02, \"failure_at_s\": " failure_at ", \"failure\": " failure           \
  ", \"recovered\": " recovered ", \"false_giveup\": " fg ", \"middleboxes\": " #mbs "}"

G_GNUC_UNUSED static const char fixture_summary[] =
  "{\"kasim_version\": \"0.1.0\", \"scenario\": \"fixture\", \"seed\": 1,\n"
  " \"virtual_time_s\": 8000.0, \"events\": 100, \"connections\": [\n" CONN(
    0, "a", "windows-vista", "7210.02", "\"keepalive_timeout\"", "\"WSAENETRESET\"", 10, 0, "600.0",
    "\"link_down\"", "false", "false",
    0) ",\n" CONN(1, "a", "windows-vista", "7210.52", "\"keepalive_timeout\"", "\"WSAENETRESET\"",
                  0, 0, "600.0", "\"link_down\"", "false", "false",
                  0) ",\n" CONN(2, "b", "linux", "100.5", "\"reset_by_peer\"", "\"ECONNRESET\"", 0,
                                0, "100.0", "\"peer_reboot\"", "false", "false",
                                0) ",\n" CONN(3, "b", "linux", "13.0", "\"keepalive_timeout\"",
                                              "\"ETIMEDOUT\"", 3, 1, "null", "null", "false",
                                              "true",
                                              0) ",\n" CONN(4, "b", "linux", "null", "null", "null",
                                                            0, 0, "45.0", "\"link_down\"", "true",
                                                            "false",
                                                            0) ",\n" CONN(5, "b", "linux", "null",
                                                                          "null", "null", 0, 0,
                                                                          "50.0", "\"middlebox\"",
                                                                          "false", "false",
                                                                          1) ",\n" CONN(6, "b",
                                                                                        "linux",
                                                                                        "null",
                                                                                        "null",
                                                                                        "null", 0,
                                                                                        0, "null",
                                                                                        "null",
                                                                                        "false",
                                                                                        "false",
                                                                                        1) "\n],\n \"totals\": {}}\n";

/* Connection 0's story plus what the metrics must skip: a handshake (not
 * a probe), a delivery of a probe (counted once, at its SEND), a timer and
 * a close.  Then connection 3's three probes and one ACK. */
static const char fixture_trace_head[] =
  "{\"t\":0.000000000,\"ev\":\"send\",\"conn\":0,\"dir\":\"c2s\",\"kind\":\"handshake\","
  "\"flags\":\"SYN\",\"seq\":1,\"ack\":0,\"len\":0,\"host\":0}\n"
  "{\"t\":0.010000000,\"ev\":\"deliver\",\"conn\":0,\"dir\":\"c2s\",\"kind\":\"handshake\","
  "\"flags\":\"SYN\",\"seq\":1,\"ack\":0,\"len\":0,\"host\":1}\n"
  "{\"t\":600.000000000,\"ev\":\"scenario\",\"target\":0,\"what\":\"link_down\"}\n";

G_GNUC_UNUSED static char *fixture_trace(void) {
  GString *t = g_string_new(fixture_trace_head);
  for (int i = 0; i < 10; i++) {
    g_string_append_printf(t,
                           "{\"t\":%d.020000000,\"ev\":\"timer\",\"conn\":0,\"host\":0,"
                           "\"what\":\"keepalive\"}\n",
                           7200 + i);
    g_string_append_printf(t,
                           "{\"t\":%d.020000000,\"ev\":\"send\",\"conn\":0,\"dir\":\"c2s\","
                           "\"kind\":\"keepalive\",\"flags\":\"ACK\",\"seq\":0,\"ack\":2,"
                           "\"len\":1,\"host\":0}\n",
                           7200 + i);
    g_string_append_printf(t,
                           "{\"t\":%d.020000000,\"ev\":\"drop\",\"conn\":0,\"dir\":\"c2s\","
                           "\"kind\":\"keepalive\",\"flags\":\"ACK\",\"seq\":0,\"ack\":2,"
                           "\"len\":1,\"host\":0,\"what\":\"link_down\"}\n",
                           7200 + i);
  }
  g_string_append(t, "{\"t\":7210.020000640,\"ev\":\"close\",\"conn\":0,\"host\":0,"
                     "\"what\":\"keepalive_timeout\",\"error\":\"WSAENETRESET\"}\n");
  for (int i = 0; i < 3; i++)
    g_string_append_printf(t,
                           "{\"t\":1%d.000000000,\"ev\":\"send\",\"conn\":3,\"dir\":\"c2s\","
                           "\"kind\":\"keepalive\",\"flags\":\"ACK\",\"seq\":0,\"ack\":2,"
                           "\"len\":0,\"host\":0}\n",
                           i);
  g_string_append(t, "{\"t\":10.005000000,\"ev\":\"send\",\"conn\":3,\"dir\":\"s2c\","
                     "\"kind\":\"keepalive_ack\",\"flags\":\"ACK\",\"seq\":2,\"ack\":1,"
                     "\"len\":0,\"host\":1}\n");
  return g_string_free(t, FALSE);
}

/* A run folder with the fixture; the caller removes it (fixture_rm). */
G_GNUC_UNUSED static char *fixture_run(void) {
  char *dir = g_dir_make_tmp("kasim-fixture-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_autofree char *s = g_build_filename(dir, "summary.json", NULL);
  g_autofree char *t = g_build_filename(dir, "trace.jsonl", NULL);
  g_autofree char *trace = fixture_trace();
  g_assert_true(g_file_set_contents(s, fixture_summary, -1, NULL));
  g_assert_true(g_file_set_contents(t, trace, -1, NULL));
  return dir;
}

/* A sweep over two parameters, two seeds per grid point (metrics as
 * ks_metrics_to_json writes them):
 *   KeepAliveTime 60s, KeepAliveInterval 1s:   p50 70 and 72; bytes/s 2.8, 3.0
 *   KeepAliveTime 300s, KeepAliveInterval 1s:  p50 310 and null; 0.56, 0.58
 *   KeepAliveTime 60s, KeepAliveInterval 10s:  p50 160, 164; 2.8, 2.8; 1 and 3 false
 *   KeepAliveTime 300s, KeepAliveInterval 10s: null and null; 0.5, 0.7
 * every cell with 10 connections. */
#define CELL(ka, ki, seed, p50, bytes, fg)                                                  \
  "{\"params\": {\"KeepAliveTime\": \"" ka "\", \"KeepAliveInterval\": \"" ki "\"}, "       \
  "\"seed\": " #seed ", \"run_dir\": \"cells/x\", \"metrics\": {\"latency_p50_s\": " p50    \
  ", \"latency_mean_s\": " p50 ", \"probe_bytes_per_s\": " bytes ", \"false_giveups\": " fg \
  ", \"closed\": 10, \"connections\": 10}}"

G_GNUC_UNUSED static const char fixture_sweep_json[] =
  "{\"grid\": {\"KeepAliveTime\": [\"60s\", \"300s\"], \"KeepAliveInterval\": [\"1s\", "
  "\"10s\"]},\n \"cells\": [\n" CELL("60s", "1s", 1, "70", "2.8", "0") ",\n" CELL(
    "60s", "1s", 2, "72", "3.0",
    "0") ",\n" CELL("300s", "1s", 1, "310", "0.56",
                    "0") ",\n" CELL("300s", "1s", 2, "null", "0.58",
                                    "0") ",\n" CELL("60s", "10s", 1, "160", "2.8",
                                                    "1") ",\n" CELL("60s", "10s", 2, "164", "2.8",
                                                                    "3") ",\n" CELL("300s", "10s",
                                                                                    1, "null",
                                                                                    "0.5",
                                                                                    "0") ",\n" CELL("300s",
                                                                                                    "10s",
                                                                                                    2,
                                                                                                    "null",
                                                                                                    "0.7",
                                                                                                    "0") "\n]}\n";

G_GNUC_UNUSED static char *fixture_sweep(void) {
  char *dir = g_dir_make_tmp("kasim-sweep-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_autofree char *s = g_build_filename(dir, "sweep.json", NULL);
  g_assert_true(g_file_set_contents(s, fixture_sweep_json, -1, NULL));
  return dir;
}

/* Removes a folder and the plain files in it. */
G_GNUC_UNUSED static void fixture_rm(const char *dir) {
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  for (const char *n; (n = g_dir_read_name(d));) {
    g_autofree char *p = g_build_filename(dir, n, NULL);
    g_unlink(p);
  }
  g_dir_close(d);
  g_rmdir(dir);
}

#endif
