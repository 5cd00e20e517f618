/* ks_failure.h - when a connection's path failed, and whether its
 * give-up was false: the rule of failure_at, recovered and false_giveup
 * (ks_conn_result in ks_net.h), in one place for both engines
 * (sim/world/ks_world.c and ns3/engine/ks_ns3_world.cc), which only gather
 * the facts.
 *
 * A group's path is checked after every timeline event; the breaks are
 * kept per group, not per connection, so that a million connections cost
 * one log.
 */
#ifndef KASIM_KS_FAILURE_H
#define KASIM_KS_FAILURE_H

#include <glib.h>

#include "kasim/ka_time.h"
#include "ks_net.h"

G_BEGIN_DECLS

/* The intervals during which a group's path (links, routers, the peer
 * host) was broken, in time order. */
typedef struct ks_failure_log ks_failure_log;

ks_failure_log *ks_failure_log_new(void);
void ks_failure_log_free(ks_failure_log *log);

/* The path is broken at `now` for `cause` (a failure name of ks_conn_result),
 * or whole (NULL): opens or closes the last interval.  Down and up again
 * in the same instant leaves nothing. */
void ks_failure_log_note(ks_failure_log *log, const char *cause, ka_time now);

/* Fills out->failure_at, failure, recovered and false_giveup from the
 * group's log (intervals from connect_at on), the instant the peer's host
 * rebooted while holding the connection (`lost`) and the instant a
 * middlebox of the path dropped its state (`mb_lost`), KA_TIME_NEVER for
 * none; out->closed_at and out->reason must be set.  `now` is the run's
 * end (or the current instant). */
void ks_failure_judge(const ks_failure_log *log, ka_time connect_at, ka_time lost, ka_time mb_lost,
                      ka_time now, ks_conn_result *out);

/* A middlebox's state for one connection is a single `last`: >= 0 the
 * time of the last segment that passed; -1 no state ever; <= -2 the state
 * was dropped, and when (ks_failure_mb_dropped(t) = -2 - t), so that the
 * failure can be dated without a field per connection. */
static inline ka_time ks_failure_mb_dropped(ka_time t) { return -2 - t; }

/* When the state `last` was (or, lazily, is by `now`) dropped, given the
 * box's current timeout; KA_TIME_NEVER while it holds. */
static inline ka_time ks_failure_mb_lost_at(ka_time last, ka_time timeout, ka_time now) {
  if (last <= -2)
    return -2 - last;
  if (last >= 0 && now - last >= timeout)
    return last + timeout;
  return KA_TIME_NEVER;
}

G_END_DECLS

#endif
