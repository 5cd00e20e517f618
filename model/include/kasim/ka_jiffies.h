/* ka_jiffies.h - a Linux host's tick clock and the timer wheel that fires
 * its timers late.
 *
 * Linux keeps TCP's keep-alive and retransmission timers in the timer wheel
 * of kernel/time/timer.c, which counts in jiffies (HZ a second) and, since
 * Linux 4.8, does not cascade: a timer is filed at the level its timeout
 * falls in, and its expiry is rounded up to that level's granularity, 8^level
 * jiffies (facts §4).  The levels start at 63 x 8^(level - 1) jiffies, so
 * the rounding grows with the timeout: at HZ 250 a 4 s idle fires up to
 * 256 ms late and the default 7200 s one up to about 131 s late.  Where a
 * timer lands in its step depends on the jiffies counter when it is armed,
 * which is why a host carries its uptime: jiffies = INITIAL_JIFFIES +
 * uptime x HZ.
 *
 * Times here are the model's ka_time, the same clock as `now` everywhere
 * else; the host had been up `uptime` at time 0.
 */
#ifndef KASIM_KA_JIFFIES_H
#define KASIM_KA_JIFFIES_H

#include <stdbool.h>
#include <stdint.h>

#include "ka_time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ka_jiffies {
  uint32_t hz;    /* CONFIG_HZ: 100, 250, 300 or 1000; 0: timers fire when due */
  ka_time uptime; /* how long the host had been up at time 0 */
} ka_jiffies;

/* Whether hz is one Linux offers (CONFIG_HZ_100/250/300/1000), or 0. */
bool ka_jiffies_hz_valid(uint32_t hz);

/* The jiffies counter at `t`, as a 64-bit kernel's: INITIAL_JIFFIES, five
 * minutes short of 2^32, plus the ticks since boot. */
uint64_t ka_jiffies_at(const ka_jiffies *j, ka_time t);
/* When the counter becomes `jiffy` (the tick's first nanosecond). */
ka_time ka_jiffies_time(const ka_jiffies *j, uint64_t jiffy);
/* A duration in jiffies, rounded up (msecs_to_jiffies; whole seconds, as
 * the keep-alive settings are, convert exactly). */
uint64_t ka_jiffies_from(uint32_t hz, ka_time d);

/* The jiffy at which a timer armed when the counter reads `clk`, to expire
 * `delta` jiffies later, fires: calc_wheel_index() and calc_index() of
 * kernel/time/timer.c. */
uint64_t ka_jiffies_bucket(uint32_t hz, uint64_t clk, uint64_t delta);
/* When a timer armed at `now` for `delta` jiffies fires (hz > 0): at the
 * tick of its bucket.  The timer softirq runs it a few microseconds to
 * milliseconds after that tick; the model does not add that. */
ka_time ka_jiffies_timer(const ka_jiffies *j, ka_time now, uint64_t delta);

/* How late a timer of `delta` jiffies can fire, over every arming instant:
 * its firing comes between delta and delta + the level's granularity
 * jiffies after it was armed.  *earliest and *latest in ka_time. */
void ka_jiffies_window(uint32_t hz, uint64_t delta, ka_time *earliest, ka_time *latest);

#ifdef __cplusplus
}
#endif
#endif
