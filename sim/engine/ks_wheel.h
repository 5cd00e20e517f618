/* ks_wheel.h - a hierarchical timing wheel with exact, deterministic order.
 *
 * Why a wheel and not a binary heap: a keep-alive timer is pushed back on
 * every segment that shows the peer alive and almost never fires.  The
 * Linux kernel says the same of its own timers (kernel/time/timer.c: "The
 * vast majority of timeout timers (networking, disk I/O ...) are canceled
 * before expiry"), and Varghese & Lauck ("Hashed and Hierarchical Timing
 * Wheels", SOSP 1987) showed that a hierarchy of wheels makes start and
 * stop O(1) and moves the cost to expiry, where it is paid once per level.
 * A heap charges O(log n) cache misses to every re-arm and cancel instead;
 * with 10^7 connections that is the operation that dominates.
 *
 * Unlike Linux since 4.8, this wheel cascades: a simulator cannot fire a
 * timer late, so expiry is exact to the nanosecond.
 *
 * Order is total and deterministic: timers come out by `expires`, and
 * timers with equal `expires` in the order they were (last) armed.  The
 * engine relies on this as its tie-break, so that a scenario replays the
 * same way on every run and every machine.
 *
 * Timers are intrusive: embed a ks_timer in your own struct and get back to
 * it with ks_container_of().  The wheel never allocates per timer.
 */
#ifndef KASIM_KS_WHEEL_H
#define KASIM_KS_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kasim/ka_time.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ks_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

typedef struct ks_wheel ks_wheel;
typedef struct ks_timer ks_timer;

/* Dispatch is by callback, stored in the timer.  The wheel itself never
 * calls it: whoever pops the timer does, passing its own context (the
 * engine passes itself as `ctx`). */
typedef void (*ks_timer_cb)(ks_timer *timer, void *ctx);

/* Public only so that it can be embedded; treat every field as private.
 * 16 bytes on LP64, four to a cache line: the engine holds one per
 * connection, 10^7 of them, and a pop or a re-arm touches the timer, so
 * its size is the wheel's cache footprint.  Hence the callback is not a
 * pointer but a 16-bit index into a table of the callbacks seen so far (a
 * program has a few dozen), and where the timer sits in the wheel is an
 * index, not a pointer, because the wheel keeps its slots as arrays (see
 * ks_wheel.c).  Aligned to its size, so that it never straddles two cache
 * lines: the wheel prefetches one line per timer, without a test. */
#ifdef __cplusplus
#define KS_TIMER_ALIGN_ alignas(16)
#else
#define KS_TIMER_ALIGN_ _Alignas(16)
#endif
struct ks_timer {
  KS_TIMER_ALIGN_ ka_time expires_;
  uint32_t idx_;   /* position in its slot's array */
  uint16_t where_; /* slot number; KS_TIMER_UNARMED_ when not armed */
  uint16_t cb_;    /* index into ks_timer_cbs_; 0: none */
};

/* Distinct callbacks a program may use; ks_timer_set_cb aborts beyond. */
#define KS_TIMER_MAX_CBS 1024u
/* [0] is NULL.  Private: read through ks_timer_get_cb. */
extern ks_timer_cb ks_timer_cbs_[KS_TIMER_MAX_CBS];

#define KS_TIMER_UNARMED_ UINT16_MAX

/* A timer must be initialised once before its first use.  Aborts if the
 * timer lies above 2^48, where the wheel cannot keep its address (no
 * user-space address on x86-64 or arm64 Linux does, without asking). */
void ks_timer_init(ks_timer *t);
/* Thread-safe.  A callback seen for the first time is entered in the
 * table (a short scan under a lock); afterwards it is a scan of the
 * table, which callers on hot paths avoid by setting a timer's callback
 * once and switching it only on rare transitions. */
void ks_timer_set_cb(ks_timer *t, ks_timer_cb cb);

static inline ks_timer_cb ks_timer_get_cb(const ks_timer *t) { return ks_timer_cbs_[t->cb_]; }

/* Whether a callback is set, without the table's load: the engine checks
 * this on every arm. */
static inline bool ks_timer_has_cb(const ks_timer *t) { return t->cb_ != 0; }

static inline bool ks_timer_is_armed(const ks_timer *t) { return t->where_ != KS_TIMER_UNARMED_; }

/* The time the timer was last armed for (after clamping, see
 * ks_wheel_arm); it stays readable after the timer has been popped. */
static inline ka_time ks_timer_expires(const ks_timer *t) { return t->expires_; }

/* `now` is the wheel's time; timers cannot be armed before it. */
ks_wheel *ks_wheel_new(ka_time now);

/* Timers still armed are not touched (they may already be freed): they
 * must be ks_timer_init()ed again before reuse. */
void ks_wheel_free(ks_wheel *w);

/* Arms `t` to expire at `expires`, or moves it there if it is already
 * armed; either way it goes behind every timer already armed for the same
 * time.  An expiry before the wheel's now is clamped to now, and
 * ks_timer_expires() reports the clamped value: the timer fires next,
 * after the timers already due.  O(1), amortised (slot arrays grow by
 * doubling).  The one exception: after a look-ahead (next_expiry, or a
 * pop that returned NULL), timers armed for before the earliest pending
 * one cost O(number of such timers) until the next pop (see ks_wheel.c).
 * Moving an armed timer first takes it out as ks_wheel_cancel() does. */
void ks_wheel_arm(ks_wheel *w, ks_timer *t, ka_time expires);

/* O(1), or O(log k) for a timer due within the 4.2 ms slot being popped
 * (k timers, sorted: a binary search finds it there; re-arming such a
 * timer costs the same); a no-op if `t` is not armed. */
void ks_wheel_cancel(ks_wheel *w, ks_timer *t);

/* The earliest pending expiry, KA_TIME_NEVER if there is none.  It may
 * cascade slots down the wheel (work that the next pop would do anyway),
 * but it never changes ks_wheel_now() nor the order timers come out in. */
ka_time ks_wheel_next_expiry(ks_wheel *w);

/* Removes and returns the earliest timer if it expires at or before
 * `limit`, and advances the wheel's now to its expiry; otherwise returns
 * NULL and leaves now alone. */
ks_timer *ks_wheel_pop(ks_wheel *w, ka_time limit);

/* The expiry of the last timer popped, the `now` given to ks_wheel_new()
 * before the first pop, or the last instant advanced to, whichever is
 * latest. */
ka_time ks_wheel_now(const ks_wheel *w);

/* Moves now forward to `to` (nothing if `to` is not later), for a caller
 * whose clock has passed an instant at which nothing was due: arms before
 * `to` are then clamped to it.  No pending timer may expire before `to`. */
void ks_wheel_advance(ks_wheel *w, ka_time to);

size_t ks_wheel_count(const ks_wheel *w);

/* How many slots have been cascaded to a lower level so far: for tests
 * and benchmarks that check idle time is skipped rather than walked. */
uint64_t ks_wheel_cascades(const ks_wheel *w);

#ifdef __cplusplus
}
#endif

#endif
