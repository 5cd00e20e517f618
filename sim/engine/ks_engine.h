/* ks_engine.h - the discrete-event core: a virtual clock, a timing wheel
 * of pending events and a seeded random generator.
 *
 * An event is a ks_timer (see ks_wheel.h) embedded in the caller's struct;
 * when it is due the engine calls its callback as cb(timer, engine), with
 * the clock already set to the event's time.  Events due at the same
 * nanosecond run in the order they were scheduled, so a run depends on
 * nothing but the seed and the scenario: no wall clock, no addresses, no
 * hash order.  (The wall clock is read only to pace a run and to rate-limit
 * progress reports; neither changes what happens in virtual time.)
 *
 * Single-threaded: every function, including ks_engine_stop(), must be
 * called from the thread running the engine, typically from a callback.
 */
#ifndef KASIM_KS_ENGINE_H
#define KASIM_KS_ENGINE_H

#include <glib.h>
#include <signal.h>

#include "kasim/ka_time.h"
#include "ks_wheel.h"

G_BEGIN_DECLS

typedef struct ks_engine ks_engine;

typedef void (*ks_progress_cb)(ka_time now, ka_time end, void *ud);

/* What ks_engine_run() stopped on. */
typedef enum ks_run_result {
  KS_RUN_DRAINED = 0, /* no event left; the clock is at the last one */
  KS_RUN_END = 1,     /* events remain after `end`; the clock is at `end` */
  KS_RUN_STOPPED = 2  /* ks_engine_stop(); the clock is at that event */
} ks_run_result;

/* The clock starts at 0.  The random generator is GLib's GRand (Mersenne
 * Twister) seeded with both halves of `seed`. */
ks_engine *ks_engine_new(guint64 seed);

/* Events still pending are dropped, not run; their timers are left as
 * they are (see ks_wheel_free). */
void ks_engine_free(ks_engine *e);

ka_time ks_engine_now(const ks_engine *e);

/* A seeded generator for the engine's users (tests, benchmarks).  The
 * world does not use it: each connection draws from its own stream
 * (sim/net/ks_rng.h). */
GRand *ks_engine_rand(ks_engine *e);

/* Schedules `t` (which must have a callback) at `when`, or moves it there
 * if it is already pending; it runs after every event already scheduled
 * for the same time.  A time before now means now: the event runs after
 * those already due, never in the past. */
void ks_engine_at(ks_engine *e, ks_timer *t, ka_time when);

/* A no-op if `t` is not pending. */
void ks_engine_cancel(ks_engine *e, ks_timer *t);

/* Events dispatched since the engine was created. */
guint64 ks_engine_events(const ks_engine *e);

/* Events scheduled and not yet dispatched. */
size_t ks_engine_pending(const ks_engine *e);

/* Dispatches events in order while the next one is due at or before `end`.
 * The clock never passes `end`: a lone event far in the future does not
 * drag it there.  When events remain after `end` the clock stops at `end`
 * (so that a scenario lasts exactly as long as asked); when the queue
 * drains first, it stays at the last event's time.  It never moves back.
 * Returns a ks_run_result.  Not reentrant: do not call it from a
 * callback. */
int ks_engine_run(ks_engine *e, ka_time end);

/* Makes ks_engine_run() return after the current callback, with the clock
 * at the current event.  Events still pending stay scheduled; a later
 * ks_engine_run() carries on.  Meant for event and progress callbacks;
 * outside a run it does nothing (the next run starts afresh). */
void ks_engine_stop(ks_engine *e);

/* Paces the run: virtual time advances by `factor` seconds per wall
 * second (1.0 = real time), the engine sleeping on CLOCK_MONOTONIC until
 * each event is due.  0 (the default) runs as fast as possible.  If the
 * callbacks cannot keep up, the engine runs flat out until it has caught
 * up; it never skips events. */
void ks_engine_set_pace(ks_engine *e, double factor);

/* Live control of a paced run (a presenter's keyboard, a signal
 * handler): the engine reads it before each event and in every slice of a
 * paced sleep (a tenth of a second at most), so it may be written from a
 * progress callback or a signal handler at any time. */
typedef struct ks_pace_ctl {
  volatile double pace;         /* virtual s per wall s; a change above 0
                                   takes effect from the current clock */
  volatile sig_atomic_t paused; /* the virtual clock stands still */
  volatile sig_atomic_t skip;   /* go to the next event at once (an idle
                                   stretch skipped); the engine clears it */
  volatile sig_atomic_t stop;   /* end the run after the current event, as
                                   ks_engine_stop() does */
  ka_time clock;                /* out: the virtual clock as it runs
                                   between events, for a display */
} ks_pace_ctl;

/* Attaches `ctl` (NULL: none) to a paced run.  ctl->pace, when above 0,
 * overrides ks_engine_set_pace()'s factor. */
void ks_engine_set_pace_ctl(ks_engine *e, ks_pace_ctl *ctl);

/* `cb` is called from ks_engine_run() at most about ten times per wall
 * second, with the current clock and the run's `end`; in a paced run the
 * clock runs on smoothly between events (it does not stop at the last
 * one through an idle stretch).  NULL turns it off.
 * The wall clock is only read every few thousand events, so the hook
 * costs nothing measurable. */
void ks_engine_set_progress(ks_engine *e, ks_progress_cb cb, void *ud);

G_END_DECLS

#endif
