/* ka_time.h - virtual time as the model sees it.
 *
 * The model never reads a clock: every call that depends on time is handed
 * `now`, an int64 count of nanoseconds of virtual time.  int64 ns covers 292
 * years, far beyond any keep-alive horizon (the largest KeepAliveTime,
 * 0xFFFFFFFF ms, is 49.7 days).
 */
#ifndef KASIM_KA_TIME_H
#define KASIM_KA_TIME_H

#include <stdint.h>

typedef int64_t ka_time;

#define KA_TIME_NEVER INT64_MAX
#define KA_NS_PER_MS INT64_C(1000000)
#define KA_NS_PER_S INT64_C(1000000000)

#define KA_MS(x) ((ka_time)(x)*KA_NS_PER_MS)
#define KA_S(x) ((ka_time)(x)*KA_NS_PER_S)

#endif
