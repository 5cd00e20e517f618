/* ka_jiffies.c - Linux's tick clock and timer wheel; see ka_jiffies.h.
 * The constants and the rounding are kernel/time/timer.c's (Linux 4.8 and
 * later; calc_index() as simplified in 5.19, the same result). */
#include "kasim/ka_jiffies.h"

#include "kasim/ka_options.h"

/* LVL_CLK_SHIFT, LVL_BITS: each level is 64 buckets, 8 times coarser than
 * the one below. */
enum { LVL_CLK_SHIFT = 3, LVL_BITS = 6, LVL_SIZE = 1 << LVL_BITS };

static unsigned lvl_shift(unsigned n) { return n * LVL_CLK_SHIFT; }
static uint64_t lvl_gran(unsigned n) { return (uint64_t)1 << lvl_shift(n); }
/* The first timeout (in jiffies) filed at level n >= 1. */
static uint64_t lvl_start(unsigned n) {
  return (uint64_t)(LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT);
}
/* LVL_DEPTH: one level more above HZ 100, so the wheel spans the same time. */
static unsigned lvl_depth(uint32_t hz) { return hz > 100 ? 9 : 8; }

bool ka_jiffies_hz_valid(uint32_t hz) {
  return hz == 0 || hz == 100 || hz == 250 || hz == 300 || hz == 1000;
}

/* INITIAL_JIFFIES, include/linux/jiffies.h: (unsigned long)(unsigned int)
 * (-300 * HZ), so that a 32-bit counter wraps five minutes after boot. */
static uint64_t initial_jiffies(uint32_t hz) {
  return (uint64_t)(uint32_t)(0u - KA_LINUX_INITIAL_JIFFIES_S * hz);
}

uint64_t ka_jiffies_at(const ka_jiffies *j, ka_time t) {
  uint64_t up = (uint64_t)(t + j->uptime); /* nanoseconds since boot */
  uint64_t ns = (uint64_t)KA_NS_PER_S;
  return initial_jiffies(j->hz) + (up / ns) * j->hz + (up % ns) * j->hz / ns;
}

ka_time ka_jiffies_time(const ka_jiffies *j, uint64_t jiffy) {
  uint64_t ticks = jiffy - initial_jiffies(j->hz); /* since boot */
  uint64_t ns = (uint64_t)KA_NS_PER_S;
  /* The first nanosecond at or after ticks / HZ seconds. */
  uint64_t up = (ticks / j->hz) * ns + ((ticks % j->hz) * ns + j->hz - 1) / j->hz;
  return (ka_time)up - j->uptime;
}

uint64_t ka_jiffies_from(uint32_t hz, ka_time d) {
  uint64_t u = (uint64_t)d, ns = (uint64_t)KA_NS_PER_S;
  uint64_t whole = (u / ns) * hz, part = (u % ns) * hz;
  return whole + part / ns + (part % ns != 0);
}

/* calc_index(): the bucket's expiry, rounded up to the level's
 * granularity, and never the expiry itself ("the timer wheel has to
 * guarantee that a timer does not fire early"). */
static uint64_t calc_index(uint64_t expires, unsigned lvl) {
  return ((expires >> lvl_shift(lvl)) + 1) << lvl_shift(lvl);
}

/* The level calc_wheel_index() files a timeout of `delta` jiffies at. */
static unsigned level_of(uint32_t hz, uint64_t delta) {
  unsigned depth = lvl_depth(hz);
  for (unsigned lvl = 0; lvl + 1 < depth; lvl++)
    if (delta < lvl_start(lvl + 1))
      return lvl;
  return depth - 1;
}

uint64_t ka_jiffies_bucket(uint32_t hz, uint64_t clk, uint64_t delta) {
  unsigned depth = lvl_depth(hz), lvl = level_of(hz, delta);
  uint64_t expires = clk + delta;
  /* WHEEL_TIMEOUT_CUTOFF: "obscene large timeouts" expire at the wheel's
   * capacity. */
  if (delta >= lvl_start(depth))
    expires = clk + (lvl_start(depth) - lvl_gran(depth - 1));
  return calc_index(expires, lvl);
}

ka_time ka_jiffies_timer(const ka_jiffies *j, ka_time now, uint64_t delta) {
  uint64_t clk = ka_jiffies_at(j, now);
  return ka_jiffies_time(j, ka_jiffies_bucket(j->hz, clk, delta));
}

/* n ticks in nanoseconds, rounded up as ka_jiffies_time() rounds. */
static ka_time ticks_ns(uint32_t hz, uint64_t n) {
  uint64_t ns = (uint64_t)KA_NS_PER_S;
  return (ka_time)((n / hz) * ns + ((n % hz) * ns + hz - 1) / hz);
}

void ka_jiffies_window(uint32_t hz, uint64_t delta, ka_time *earliest, ka_time *latest) {
  /* The bucket comes 1 to gran jiffies after the expiry, and the arming
   * instant lies anywhere within its tick: delta to delta + gran ticks. */
  uint64_t gran = lvl_gran(level_of(hz, delta));
  if (delta >= lvl_start(lvl_depth(hz)))
    delta = lvl_start(lvl_depth(hz)) - gran;
  *earliest = ticks_ns(hz, delta);
  *latest = ticks_ns(hz, delta + gran);
}
