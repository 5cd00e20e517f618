/* ks_net.c - the network's rules for both engines; see ks_net.h. */
#include "ks_net.h"

#include <string.h>

#include "ks_failure.h"

/* --- Names. ------------------------------------------------------------- */

static const char *const seg_kind_names[KS_SEG_COUNT_] = {
  [KS_SEG_HANDSHAKE] = "handshake",
  [KS_SEG_DATA] = "data",
  [KS_SEG_RETRANSMISSION] = "retransmission",
  [KS_SEG_ACK] = "ack",
  [KS_SEG_KEEPALIVE] = "keepalive",
  [KS_SEG_KEEPALIVE_ACK] = "keepalive_ack",
  [KS_SEG_RST] = "rst",
};

static const char *const trace_kind_names[KS_TRACE_COUNT_] = {
  [KS_TRACE_SEND] = "send",   [KS_TRACE_DELIVER] = "deliver", [KS_TRACE_DROP] = "drop",
  [KS_TRACE_TIMER] = "timer", [KS_TRACE_CLOSE] = "close",     [KS_TRACE_SCENARIO] = "scenario",
};

/* Each timeline event: its name in scenarios and traces, what it targets,
 * and how the loader reads it (ks_net.h). */
static const struct {
  const char *name;
  ks_event_target target;
  gboolean direction; /* may name one direction of its link */
  gboolean bare;      /* `NAME: target`, no other parameter */
} events[KS_EV_COUNT_] = {
  [KS_EV_LINK_DOWN] = {"link_down", KS_TARGET_LINK, TRUE, TRUE},
  [KS_EV_LINK_UP] = {"link_up", KS_TARGET_LINK, TRUE, TRUE},
  [KS_EV_LOSS] = {"loss", KS_TARGET_LINK, FALSE, FALSE},
  [KS_EV_PEER_CRASH] = {"peer_crash", KS_TARGET_HOST, FALSE, TRUE},
  [KS_EV_PEER_REBOOT] = {"peer_reboot", KS_TARGET_HOST, FALSE, TRUE},
  [KS_EV_APP_HANG] = {"app_hang", KS_TARGET_HOST, FALSE, TRUE},
  [KS_EV_MIDDLEBOX_TIMEOUT] = {"middlebox_timeout", KS_TARGET_MIDDLEBOX, FALSE, FALSE},
};

const char *ks_net_seg_kind_name(guint kind) {
  return kind < G_N_ELEMENTS(seg_kind_names) ? seg_kind_names[kind] : "?";
}

const char *ks_net_trace_kind_name(guint kind) {
  return kind < G_N_ELEMENTS(trace_kind_names) ? trace_kind_names[kind] : "?";
}

static int name_index(const char *const *names, size_t n, const char *s, gsize len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
      return (int)i;
  return -1;
}

int ks_net_seg_kind_of(const char *name, gsize len) {
  return name_index(seg_kind_names, G_N_ELEMENTS(seg_kind_names), name, len);
}

int ks_net_trace_kind_of(const char *name, gsize len) {
  return name_index(trace_kind_names, G_N_ELEMENTS(trace_kind_names), name, len);
}

const char *ks_net_event_name(guint kind) {
  return kind < G_N_ELEMENTS(events) ? events[kind].name : "?";
}

int ks_net_event_of(const char *name) {
  for (guint k = 0; k < G_N_ELEMENTS(events); k++)
    if (strcmp(events[k].name, name) == 0)
      return (int)k;
  return -1;
}

ks_event_target ks_net_event_target(ks_event_kind kind) { return events[kind].target; }
gboolean ks_net_event_has_direction(ks_event_kind kind) { return events[kind].direction; }
gboolean ks_net_event_is_bare(ks_event_kind kind) { return events[kind].bare; }

/* --- State. ------------------------------------------------------------- */

ks_net *ks_net_new(guint n_hosts, guint n_links, guint n_mbs, guint n_paths) {
  ks_net *n = g_new0(ks_net, 1);
  n->n_hosts = n_hosts;
  n->n_links = n_links;
  n->n_mbs = n_mbs;
  n->n_paths = n_paths;
  /* One element at least, so that no array is NULL. */
  n->hosts = g_new0(ks_net_host, n_hosts ? n_hosts : 1);
  n->links = g_new0(ks_net_link, n_links ? n_links : 1);
  n->mbs = g_new0(ks_net_mb, n_mbs ? n_mbs : 1);
  n->paths = g_new0(ks_net_path, n_paths ? n_paths : 1);
  for (guint i = 0; i < n_paths; i++)
    n->paths[i].failures = ks_failure_log_new();
  return n;
}

void ks_net_free(ks_net *n) {
  if (n == NULL)
    return;
  for (guint i = 0; i < n->n_paths; i++) {
    g_free(n->paths[i].hops);
    ks_failure_log_free(n->paths[i].failures);
  }
  g_free(n->paths);
  g_free(n->mbs);
  g_free(n->links);
  g_free(n->hosts);
  g_free(n);
}

void ks_net_trace_emit(const ks_net *n, ka_time now, ks_trace_kind kind, const ks_segment *seg,
                       guint host, const char *what, const char *error, guint target) {
  ks_trace_event ev = {
    .t = now,
    .kind = kind,
    .seg = seg,
    .host = host,
    .what = what,
    .error = error,
    .target = target,
  };
  n->trace(&ev, n->trace_ud);
}

/* --- The timeline. ------------------------------------------------------- */

static void set_link(ks_net_link *l, ks_direction d, guint8 down) {
  if (d != KS_DIR_B_TO_A)
    l->down[0] = down;
  if (d != KS_DIR_A_TO_B)
    l->down[1] = down;
}

void ks_net_apply(ks_net *n, const ks_event_spec *ev, ka_time now, const ks_net_hooks *hooks,
                  void *ud) {
  gboolean on_host = events[ev->kind].target == KS_TARGET_HOST;
  ks_net_trace(n, now, KS_TRACE_SCENARIO, NULL, on_host ? ev->target : G_MAXUINT,
               ks_net_event_name(ev->kind), NULL, ev->target);
  switch (ev->kind) {
  case KS_EV_LINK_DOWN:
  case KS_EV_LINK_UP:
    g_return_if_fail(ev->target < n->n_links);
    set_link(&n->links[ev->target], ev->direction, ev->kind == KS_EV_LINK_DOWN);
    break;
  case KS_EV_LOSS:
    g_return_if_fail(ev->target < n->n_links);
    n->links[ev->target].loss = ev->rate;
    break;
  case KS_EV_PEER_CRASH:
    g_return_if_fail(ev->target < n->n_hosts);
    n->hosts[ev->target].crashed = 1;
    if (hooks->crash)
      hooks->crash(ud, ev->target);
    break;
  case KS_EV_PEER_REBOOT:
    g_return_if_fail(ev->target < n->n_hosts);
    n->hosts[ev->target].hung = 0; /* its applications start afresh */
    if (hooks->reboot)
      hooks->reboot(ud, ev->target);
    break;
  case KS_EV_APP_HANG:
    g_return_if_fail(ev->target < n->n_hosts);
    n->hosts[ev->target].hung = 1;
    break;
  case KS_EV_MIDDLEBOX_TIMEOUT:
    g_return_if_fail(ev->target < n->n_mbs);
    n->mbs[ev->target].timeout = ev->duration;
    /* A dropping box checks lazily against the current timeout; a
     * resetting one must not wait for timers armed with the old one. */
    if (n->mbs[ev->target].on_expiry == KS_EXPIRY_RST && hooks->mb_rearm)
      hooks->mb_rearm(ud, ev->target);
    break;
  case KS_EV_COUNT_: g_return_if_reached();
  }
  ks_net_note_breaks(n, now);
}

const char *ks_net_path_broken(const ks_net *n, guint pi) {
  const ks_net_path *p = &n->paths[pi];
  for (guint h = 0; h < p->n_hops; h++) {
    const ks_net_link *l = &n->links[p->hops[h].link];
    if (l->down[0] || l->down[1])
      return "link_down";
    if (l->loss >= 1)
      return "loss";
    /* The host this hop leads to, client to server: a router unless last. */
    guint exit = ks_net_link_entry(l, !p->hops[h].dir);
    if (h + 1 < p->n_hops && n->hosts[exit].crashed)
      return "router_crash";
  }
  if (n->hosts[p->host[!p->result_side]].crashed)
    return "peer_crash";
  return NULL;
}

/* Failures are dated from the timeline, per group rather than per
 * connection: after every event each group's path is checked once (see
 * ks_failure.h). */
void ks_net_note_breaks(ks_net *n, ka_time now) {
  for (guint i = 0; i < n->n_paths; i++)
    ks_failure_log_note(n->paths[i].failures, ks_net_path_broken(n, i), now);
}

/* --- Middleboxes. ------------------------------------------------------- */

guint ks_net_mb_pass(const ks_net_mb *mb, ka_time *last, ka_time now, gboolean syn) {
  guint verdict = 0;
  /* Due this very instant: a resetting box's timer has not run yet. */
  if (*last >= 0 && now - *last >= mb->timeout) {
    ks_net_mb_forget(mb, last);
    verdict |= KS_MB_EXPIRED;
  }
  if (*last < 0) {
    if (!syn)
      return verdict | KS_MB_DROP;
    verdict |= KS_MB_OPENED;
  }
  *last = now; /* a resetting box's timer stays where it is (lazy) */
  return verdict;
}

void ks_net_mb_forget(const ks_net_mb *mb, ka_time *last) {
  *last = ks_failure_mb_dropped(*last + mb->timeout);
}
