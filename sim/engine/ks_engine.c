/* ks_engine.c - see ks_engine.h. */
#include "ks_engine.h"

#include <errno.h>
#include <time.h>

/* The wall clock is read once per this many events (a power of two)... */
#define KS_PROGRESS_EVERY 4096u
/* ...and the progress hook called at most once per this many ns. */
#define KS_PROGRESS_NS INT64_C(100000000)
/* Paced sleeps are cut into pieces this long so that progress reports and
 * ks_engine_stop() from them still happen during a long idle stretch. */
#define KS_SLEEP_SLICE_NS INT64_C(100000000)

#define KS_FLAG_STOP 1u  /* ks_engine_stop() was called */
#define KS_FLAG_PACED 2u /* pacing this run: the anchor is valid */

struct ks_engine {
  ks_wheel *wheel;
  ka_time now;
  guint64 events;
  gboolean running;
  /* KS_FLAG_STOP and KS_FLAG_PACED: in one word, so that the event loop
   * tests both with one load and one branch. */
  guint32 flags;
  ka_time end; /* of the current run, for the progress hook */
  GRand *rand;

  double pace;   /* virtual seconds per wall second; 0 = flat out */
  gint64 wall0;  /* pacing anchor: this wall instant ... */
  ka_time virt0; /* ... corresponds to this virtual one */

  ks_pace_ctl *ctl; /* live control of a paced run, or NULL */
  gboolean held;    /* paused since the last poll: the anchor is the clock */

  ks_progress_cb progress;
  void *progress_ud;
  /* Wall ns of the last report, or of set_progress; not reset per run, so
   * a caller running many short runs still gets reports, and no more. */
  gint64 progress_last;
};

static gint64 wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until_wall(gint64 target) {
  struct timespec ts;
  ts.tv_sec = (time_t)(target / 1000000000);
  ts.tv_nsec = (long)(target % 1000000000);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

ks_engine *ks_engine_new(guint64 seed) {
  ks_engine *e = g_new0(ks_engine, 1);
  /* Both halves: a 64-bit seed must not collide with its low 32 bits. */
  guint32 words[2] = {(guint32)seed, (guint32)(seed >> 32)};

  e->wheel = ks_wheel_new(0);
  e->rand = g_rand_new_with_seed_array(words, G_N_ELEMENTS(words));
  return e;
}

void ks_engine_free(ks_engine *e) {
  if (e == NULL)
    return;
  ks_wheel_free(e->wheel);
  g_rand_free(e->rand);
  g_free(e);
}

ka_time ks_engine_now(const ks_engine *e) { return e->now; }

GRand *ks_engine_rand(ks_engine *e) { return e->rand; }

void ks_engine_at(ks_engine *e, ks_timer *t, ka_time when) {
  g_return_if_fail(ks_timer_has_cb(t));
  /* The wheel's now is ours (a run that stops at `end` advances it
   * there), so its clamp keeps "never in the past" true. */
  ks_wheel_arm(e->wheel, t, when);
}

void ks_engine_cancel(ks_engine *e, ks_timer *t) { ks_wheel_cancel(e->wheel, t); }

guint64 ks_engine_events(const ks_engine *e) { return e->events; }

size_t ks_engine_pending(const ks_engine *e) { return ks_wheel_count(e->wheel); }

void ks_engine_stop(ks_engine *e) { e->flags |= KS_FLAG_STOP; }

static void pace_anchor(ks_engine *e) {
  e->wall0 = wall_ns();
  e->virt0 = e->now;
  if (e->pace > 0)
    e->flags |= KS_FLAG_PACED;
  else
    e->flags &= ~KS_FLAG_PACED;
}

void ks_engine_set_pace(ks_engine *e, double factor) {
  g_return_if_fail(factor >= 0);
  e->pace = factor;
  /* From here on, not retroactively: re-anchor at the current instant. */
  if (e->running)
    pace_anchor(e);
}

void ks_engine_set_pace_ctl(ks_engine *e, ks_pace_ctl *ctl) {
  e->ctl = ctl;
  if (ctl && ctl->pace > 0)
    ks_engine_set_pace(e, ctl->pace);
}

void ks_engine_set_progress(ks_engine *e, ks_progress_cb cb, void *ud) {
  e->progress = cb;
  e->progress_ud = ud;
  e->progress_last = wall_ns();
}

static void progress_tick(ks_engine *e, ka_time clock) {
  gint64 now;

  if (e->progress == NULL)
    return;
  now = wall_ns();
  if (now - e->progress_last < KS_PROGRESS_NS)
    return;
  e->progress_last = now;
  e->progress(clock, e->end, e->progress_ud);
}

/* The virtual clock of a paced run at wall instant `now`: where the anchor
 * says, between the last event and the next one (`cap`). */
static ka_time pace_clock(const ks_engine *e, gint64 now, ka_time cap) {
  double v = (double)e->virt0 + ((double)now - (double)e->wall0) * e->pace;
  if (v > (double)cap)
    v = (double)cap;
  if (v < (double)e->now)
    v = (double)e->now;
  return (ka_time)v;
}

/* Applies the live control before the event due at `target`: a stop, a
 * skip (the clock jumps to it), a pause or a new pace (the anchor moves to
 * the clock as it stands, so that nothing jumps).  Returns the clock. */
static ka_time pace_poll(ks_engine *e, ka_time target) {
  ks_pace_ctl *c = e->ctl;
  gint64 now = wall_ns();
  /* Held by a pause: the clock stands where the pause found it. */
  ka_time clock = e->held ? e->virt0 : pace_clock(e, now, target);
  e->held = FALSE;
  if (c == NULL)
    return clock;
  if (c->stop)
    e->flags |= KS_FLAG_STOP;
  if (c->skip) {
    c->skip = 0;
    c->paused = 0;
    e->virt0 = clock = target;
    e->wall0 = now;
  } else if (c->paused || (c->pace > 0 && c->pace != e->pace)) {
    if (c->pace > 0)
      e->pace = c->pace;
    e->virt0 = clock;
    e->wall0 = now;
    e->held = c->paused;
  }
  c->clock = clock;
  return clock;
}

/* Sleeps until the wall instant at which virtual time `v` is due.
 * Computed in double: `v` may be KA_TIME_NEVER-ish and the anchor negative,
 * and a far target only means sleeping slice after slice. */
static void pace_until(ks_engine *e, ka_time v) {
  /* Paced and not stopped: a stop from the progress hook ends the wait. */
  while ((e->flags & (KS_FLAG_PACED | KS_FLAG_STOP)) == KS_FLAG_PACED) {
    ka_time clock = pace_poll(e, v);
    if (e->flags & KS_FLAG_STOP)
      return;
    gboolean paused = e->ctl && e->ctl->paused;
    double ahead = ((double)v - (double)e->virt0) / e->pace;
    gint64 now = wall_ns();
    double left = (double)e->wall0 + ahead - (double)now;

    if (left <= 0 && !paused)
      return;
    sleep_until_wall(
      now + (!paused && left < (double)KS_SLEEP_SLICE_NS ? (gint64)left : KS_SLEEP_SLICE_NS));
    progress_tick(e, clock);
  }
}

/* In paced mode, waits for the next event due by `end`, or for `end`
 * itself when the next event is later (the clock is about to stop there,
 * so the run should last until then too). */
static void pace_next(ks_engine *e, ka_time end) {
  ka_time next;

  if (ks_wheel_count(e->wheel) == 0)
    return;
  next = ks_wheel_next_expiry(e->wheel);
  pace_until(e, next < end ? next : end);
}

int ks_engine_run(ks_engine *e, ka_time end) {
  guint32 until_tick = KS_PROGRESS_EVERY;
  ks_wheel *w = e->wheel;
  int result;

  g_return_val_if_fail(!e->running, -1);
  e->running = TRUE;
  e->flags = 0;
  e->end = end;
  pace_anchor(e);

  for (;;) {
    ks_timer *t;

    if (G_UNLIKELY(e->flags != 0)) {
      pace_next(e, end);
      if (e->flags & KS_FLAG_STOP)
        break;
    }
    t = ks_wheel_pop(w, end);
    if (t == NULL)
      break;
    e->now = ks_timer_expires(t);
    e->events++;
    ks_timer_get_cb(t)(t, e);
    if (G_UNLIKELY(--until_tick == 0)) {
      until_tick = KS_PROGRESS_EVERY;
      progress_tick(e, e->now);
    }
  }

  if (e->flags & KS_FLAG_STOP) {
    result = KS_RUN_STOPPED;
  } else if (ks_wheel_count(w) != 0) {
    if (end > e->now) {
      e->now = end;
      ks_wheel_advance(w, end);
    }
    result = KS_RUN_END;
  } else {
    result = KS_RUN_DRAINED;
  }
  e->flags = 0;
  e->running = FALSE;
  return result;
}
