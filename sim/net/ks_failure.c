/* ks_failure.c - see ks_failure.h. */
#include "ks_failure.h"

typedef struct ks_break {
  ka_time from, to; /* to: KA_TIME_NEVER while it lasts */
  const char *cause;
} ks_break;

struct ks_failure_log {
  GArray *breaks; /* ks_break */
};

ks_failure_log *ks_failure_log_new(void) {
  ks_failure_log *log = g_new(ks_failure_log, 1);
  log->breaks = g_array_new(FALSE, FALSE, sizeof(ks_break));
  return log;
}

void ks_failure_log_free(ks_failure_log *log) {
  if (log == NULL)
    return;
  g_array_unref(log->breaks);
  g_free(log);
}

void ks_failure_log_note(ks_failure_log *log, const char *cause, ka_time now) {
  GArray *a = log->breaks;
  ks_break *last = a->len ? &g_array_index(a, ks_break, a->len - 1) : NULL;
  gboolean was = last != NULL && last->to == KA_TIME_NEVER;

  if (cause != NULL && !was) {
    ks_break b = {.from = now, .to = KA_TIME_NEVER, .cause = cause};
    g_array_append_val(a, b);
  } else if (cause == NULL && was) {
    if (last->from == now) /* down and up in the same instant: nothing broke */
      g_array_set_size(a, a->len - 1);
    else
      last->to = now;
  }
}

/* The first break that reaches past `t0`, from t0 on. */
static ka_time first_break(const ks_failure_log *log, ka_time t0, const char **cause) {
  for (guint i = 0; i < log->breaks->len; i++) {
    const ks_break *b = &g_array_index(log->breaks, ks_break, i);
    if (b->to > t0) {
      *cause = b->cause;
      return b->from > t0 ? b->from : t0;
    }
  }
  return KA_TIME_NEVER;
}

static gboolean broken_at(const ks_failure_log *log, ka_time t) {
  for (guint i = 0; i < log->breaks->len; i++) {
    const ks_break *b = &g_array_index(log->breaks, ks_break, i);
    if (b->from <= t && t < b->to)
      return TRUE;
  }
  return FALSE;
}

void ks_failure_judge(const ks_failure_log *log, ka_time connect_at, ka_time lost, ka_time mb_lost,
                      ka_time now, ks_conn_result *out) {
  const char *cause = NULL;
  ka_time at = first_break(log, connect_at, &cause);

  if (lost < at)
    at = lost, cause = "peer_reboot";
  if (mb_lost < at)
    at = mb_lost, cause = "middlebox";
  if (at > out->closed_at || at > now)
    at = KA_TIME_NEVER, cause = NULL;
  out->failure_at = at;
  out->failure = cause;
  gboolean own = out->reason == KA_CLOSE_KEEPALIVE_TIMEOUT ||
                 out->reason == KA_CLOSE_RETRANSMISSION_TIMEOUT ||
                 out->reason == KA_CLOSE_USER_TIMEOUT;
  ka_time end = out->closed_at < now ? out->closed_at : now;
  gboolean whole = !broken_at(log, end) && lost > end && mb_lost > end;
  out->recovered = at != KA_TIME_NEVER && whole;
  out->false_giveup = own && whole;
}
