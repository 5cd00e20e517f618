/* ks_order.c - see ks_order.h. */
#include "ks_order.h"

/* An event held until its instant is over: the event with its segment
 * copied in (its strings are static names), its key and its place in the
 * engine's order. */
typedef struct held {
  guint32 epoch, lane, n;
  guint8 kind, has_seg;
  guint host, target;
  const char *what, *error;
  ks_segment seg;
} held;

struct ks_order {
  ks_order_sink sink;
  void *ud;
  GArray *held; /* of one instant, t */
  ka_time t;
  guint32 epoch;
  gboolean sorted; /* held is in key order already (the usual case) */
};

int ks_order_key_cmp(const ks_order_key *a, const ks_order_key *b) {
  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  if (a->epoch != b->epoch)
    return a->epoch < b->epoch ? -1 : 1;
  return (a->lane > b->lane) - (a->lane < b->lane);
}

static int held_cmp(const void *x, const void *y) {
  const held *a = x, *b = y;
  if (a->epoch != b->epoch)
    return a->epoch < b->epoch ? -1 : 1;
  if (a->lane != b->lane)
    return a->lane < b->lane ? -1 : 1;
  return (a->n > b->n) - (a->n < b->n);
}

ks_order *ks_order_new(ks_order_sink sink, void *ud) {
  ks_order *o = g_new0(ks_order, 1);
  o->sink = sink;
  o->ud = ud;
  o->held = g_array_new(FALSE, FALSE, sizeof(held));
  o->sorted = TRUE;
  return o;
}

void ks_order_flush(ks_order *o, ka_time now) {
  if (o->held->len == 0 || o->t >= now)
    return;
  if (!o->sorted)
    g_array_sort(o->held, held_cmp);
  for (guint i = 0; i < o->held->len; i++) {
    const held *h = &g_array_index(o->held, held, i);
    ks_order_key key = {.t = o->t, .epoch = h->epoch, .lane = h->lane};
    ks_trace_event ev = {.t = o->t,
                         .kind = (ks_trace_kind)h->kind,
                         .seg = h->has_seg ? &h->seg : NULL,
                         .host = h->host,
                         .what = h->what,
                         .error = h->error,
                         .target = h->target};
    o->sink(&key, &ev, o->ud);
  }
  g_array_set_size(o->held, 0);
  o->sorted = TRUE;
}

void ks_order_add(ks_order *o, const ks_trace_event *ev, gboolean keep) {
  if (ev->kind == KS_TRACE_SCENARIO)
    o->epoch++;
  if (!keep)
    return;
  if (o->held->len > 0 && ev->t != o->t)
    ks_order_flush(o, KA_TIME_NEVER);
  o->t = ev->t;
  held h = {.epoch = o->epoch,
            .lane = ev->kind == KS_TRACE_SCENARIO ? 0
                    : ev->seg                     ? ev->seg->conn + 1
                                                  : ev->target + 1,
            .n = o->held->len,
            .kind = (guint8)ev->kind,
            .has_seg = ev->seg != NULL,
            .host = ev->host,
            .target = ev->target,
            .what = ev->what,
            .error = ev->error};
  if (ev->seg)
    h.seg = *ev->seg;
  if (o->held->len > 0) {
    const held *last = &g_array_index(o->held, held, o->held->len - 1);
    if (held_cmp(last, &h) > 0)
      o->sorted = FALSE;
  }
  g_array_append_val(o->held, h);
}

guint32 ks_order_epochs(const ks_order *o) { return o->epoch; }

void ks_order_free(ks_order *o) {
  if (o == NULL)
    return;
  g_array_unref(o->held);
  g_free(o);
}
