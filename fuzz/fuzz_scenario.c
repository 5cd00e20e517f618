/* fuzz_scenario.c - libFuzzer harness: the scenario loader on any bytes.
 *
 * The input is a scenario file, loaded from memory with
 * ks_scenario_load_data() and the default limits (the reg_bytes limit
 * lowered to 64 KiB so that a registry path to a large file stays cheap).
 * A load either returns a scenario or one message; either way everything
 * is freed, so LeakSanitizer sees a leak.  What the harness also checks,
 * since a wrong answer is a finding too:
 *  - a message is one line with no control character (ks_escape);
 *  - a scenario's events are sorted, within its duration, and as many as
 *    the limit allows; every index names an existing host, link or group.
 * Registry paths are relative to sim/tests/data (scripts/fuzz runs the
 * harness from the repository's top folder), so that the seeds from there
 * name real .reg files. */
#include <stdint.h>
#include <string.h>

#include "ks_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_scenario(const ks_scenario *sc, const ks_limits *lim) {
  guint64 conns = 0;
  for (guint i = 0; i < sc->groups->len; i++) {
    const ks_group_spec *g = sc->groups->pdata[i];
    if (g->client >= sc->hosts->len || g->server >= sc->hosts->len || g->client == g->server)
      __builtin_trap();
    if (g->connect_at + g->connect_spread > sc->duration)
      __builtin_trap();
    conns += g->count;
  }
  if (conns > lim->connections || sc->duration <= 0 || sc->duration > lim->duration)
    __builtin_trap();
  if (sc->events->len > lim->events)
    __builtin_trap();
  for (guint i = 0; i < sc->events->len; i++) {
    const ks_event_spec *ev = &g_array_index(sc->events, ks_event_spec, i);
    if (ev->at < 0 || ev->at > sc->duration)
      __builtin_trap();
    if (i > 0 && g_array_index(sc->events, ks_event_spec, i - 1).at > ev->at)
      __builtin_trap();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ks_limits lim;
  ks_limits_init(&lim);
  lim.reg_bytes = 64 << 10;
  GError *error = NULL;
  ks_scenario *sc = ks_scenario_load_data("sim/tests/data/fuzz.yaml", (const char *)data, size,
                                          NULL, &lim, &error);
  if (sc != NULL) {
    check_scenario(sc, &lim);
    ks_scenario_free(sc);
  } else {
    for (const char *p = error->message; *p; p++)
      if ((unsigned char)*p < 0x20 || *p == 0x7f)
        __builtin_trap(); /* a raw control character reached a message */
    g_error_free(error);
  }
  return 0;
}
