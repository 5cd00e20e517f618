/* test_jiffies.c - Linux's tick clock and timer wheel (ka_jiffies.h).
 *
 * Facts §4 gives the wheel's steps at HZ 250 (below 252 ms: 4 ms; below
 * 2.016 s: 32 ms; below 16.128 s: 256 ms; below 129 s: 2.048 s; below
 * 1032 s: 16.4 s; below 8256 s: 131 s), the default first probe up to
 * about 131 s late at HZ 250 and 262 s at HZ 1000, and what a kernel here
 * showed: a 4 s idle firing at 4.202 s, 5 s at 5.194 s, a 1 s interval
 * about 24 ms late.  Buckets are worked out by hand from calc_index():
 * ((expires >> 3 level) + 1) << 3 level. */
#include <kasim/ka.h>

/* Up 300 s at time 0: the counter has just wrapped past 2^32
 * (INITIAL_JIFFIES = 2^32 - 300 HZ on a 64-bit kernel). */
static const ka_jiffies at250 = {.hz = 250, .uptime = KA_S(300)};
#define WRAP ((guint64)1 << 32)

static void test_clock(void) {
  g_assert_cmpuint(ka_jiffies_at(&at250, 0), ==, WRAP);
  g_assert_cmpuint(ka_jiffies_at(&at250, KA_MS(4) - 1), ==, WRAP);
  g_assert_cmpuint(ka_jiffies_at(&at250, KA_MS(4)), ==, WRAP + 1);
  g_assert_cmpint(ka_jiffies_time(&at250, WRAP + 1000), ==, KA_S(4));
  /* Just booted: the counter starts five minutes short of 2^32. */
  const ka_jiffies boot = {.hz = 1000, .uptime = 0};
  g_assert_cmpuint(ka_jiffies_at(&boot, 0), ==, WRAP - 300000);
  g_assert_cmpuint(ka_jiffies_at(&boot, KA_S(300)), ==, WRAP);
  g_assert_cmpint(ka_jiffies_time(&boot, WRAP), ==, KA_S(300));
  /* HZ 300: a tick is 3333333.3 ns; each starts at its first nanosecond. */
  const ka_jiffies at300 = {.hz = 300, .uptime = KA_S(300)};
  g_assert_cmpint(ka_jiffies_time(&at300, WRAP + 1), ==, 3333334);
  g_assert_cmpuint(ka_jiffies_at(&at300, 3333334), ==, WRAP + 1);
  g_assert_cmpuint(ka_jiffies_at(&at300, 3333333), ==, WRAP);
  /* Settings convert exactly; milliseconds round up (msecs_to_jiffies). */
  g_assert_cmpuint(ka_jiffies_from(250, KA_S(7200)), ==, 1800000);
  g_assert_cmpuint(ka_jiffies_from(250, KA_MS(3500)), ==, 875);
  g_assert_cmpuint(ka_jiffies_from(250, KA_MS(1)), ==, 1);
  g_assert_true(ka_jiffies_hz_valid(300));
  g_assert_false(ka_jiffies_hz_valid(200));
}

static void test_buckets(void) {
  /* Level 0 (under 63 jiffies): the next jiffy after the expiry. */
  g_assert_cmpuint(ka_jiffies_bucket(250, 0, 50), ==, 51);
  /* Level 1 (63..503): 8 a step.  250 jiffies (1 s) from 3: 253 -> 256. */
  g_assert_cmpuint(ka_jiffies_bucket(250, 3, 250), ==, 256);
  /* Level 2 (504..4031): 64.  1000 (4 s) from 0: 1000 -> 1024. */
  g_assert_cmpuint(ka_jiffies_bucket(250, 0, 1000), ==, 1024);
  /* Never the expiry itself, even when it is on a step. */
  g_assert_cmpuint(ka_jiffies_bucket(250, 24, 1000), ==, 1088);
  /* Level 5 (258048..2064383): 32768.  7200 s at HZ 250 = 1800000. */
  g_assert_cmpuint(ka_jiffies_bucket(250, 0, 1800000), ==, 1802240);
  /* Past the wheel's capacity (level 8 at HZ > 100 ends at 63 << 21): at
   * its edge, WHEEL_TIMEOUT_MAX. */
  guint64 cutoff = (guint64)63 << 24;
  g_assert_cmpuint(ka_jiffies_bucket(250, 0, cutoff + 5), ==,
                   ka_jiffies_bucket(250, 0, cutoff - ((guint64)1 << 21)));
}

static void test_windows(void) {
  ka_time lo, hi;
  /* The sheet's steps at HZ 250, one timeout in each level. */
  static const struct {
    ka_time delay, step;
  } steps[] = {
    {KA_MS(200), KA_MS(4)},  {KA_S(1), KA_MS(32)},      {KA_S(4), KA_MS(256)},
    {KA_S(75), KA_MS(2048)}, {KA_S(600), KA_MS(16384)}, {KA_S(7200), KA_MS(131072)},
  };
  for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
    ka_jiffies_window(250, ka_jiffies_from(250, steps[i].delay), &lo, &hi);
    g_assert_cmpint(lo, ==, steps[i].delay);
    g_assert_cmpint(hi - lo, ==, steps[i].step);
  }
  /* Where each level begins (facts §4: below 252 ms, 2.016 s, 16.128 s). */
  ka_jiffies_window(250, 62, &lo, &hi);
  g_assert_cmpint(hi - lo, ==, KA_MS(4));
  ka_jiffies_window(250, 63, &lo, &hi);
  g_assert_cmpint(hi - lo, ==, KA_MS(32));
  ka_jiffies_window(250, 503, &lo, &hi);
  g_assert_cmpint(hi - lo, ==, KA_MS(32));
  ka_jiffies_window(250, 504, &lo, &hi);
  g_assert_cmpint(hi - lo, ==, KA_MS(256));
  /* The default first probe: up to 262 s late at HZ 1000. */
  ka_jiffies_window(1000, 7200000, &lo, &hi);
  g_assert_cmpint(hi - lo, ==, KA_MS(262144));
  /* What the kernel here showed falls inside the windows. */
  ka_jiffies_window(250, 1000, &lo, &hi);
  g_assert_cmpint(lo, <=, KA_MS(4202));
  g_assert_cmpint(KA_MS(4202), <=, hi);
  ka_jiffies_window(250, 1250, &lo, &hi);
  g_assert_cmpint(lo, <=, KA_MS(5194));
  g_assert_cmpint(KA_MS(5194), <=, hi);
}

/* A timer armed mid-tick fires at its bucket's tick, not a whole number of
 * ticks after arming: 1 s armed 1 ms into jiffy 0 fires at jiffy 256. */
static void test_timer(void) {
  g_assert_cmpint(ka_jiffies_timer(&at250, KA_MS(1), 250), ==, KA_MS(1024));
  /* Over every phase, the firing stays inside the window. */
  ka_time lo, hi;
  ka_jiffies_window(250, 18750, &lo, &hi); /* 75 s */
  for (ka_time up = 0; up < KA_S(10); up += KA_MS(37) + 1) {
    ka_jiffies j = {.hz = 250, .uptime = up};
    ka_time t = ka_jiffies_timer(&j, KA_S(1), 18750) - KA_S(1);
    g_assert_cmpint(t, >=, lo - KA_MS(4)); /* armed late in its tick */
    g_assert_cmpint(t, <=, hi);
    g_assert_cmpint(t, >, KA_S(75) - KA_MS(4));
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/jiffies/clock", test_clock);
  g_test_add_func("/jiffies/buckets", test_buckets);
  g_test_add_func("/jiffies/windows", test_windows);
  g_test_add_func("/jiffies/timer", test_timer);
  return g_test_run();
}
