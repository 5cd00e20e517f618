/* ks_validate.c - the model's side of a validation, the record both sides
 * are reduced to, the tolerance and the comparison.  The kernel's side is
 * in ks_validate_kernel.c. */
#include "ks_validate.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "ks_sockopt.h"
#include "ks_world.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-validate-error-quark, ks_validate_error)
// clang-format on

/* --- The record. -------------------------------------------------------- */

ks_val_run *ks_val_run_new(guint32 n_conns) {
  ks_val_run *run = g_new0(ks_val_run, 1);
  run->conns = g_ptr_array_new();
  run->notes = g_ptr_array_new_with_free_func(g_free);
  run->faults = g_ptr_array_new_with_free_func(g_free);
  for (guint32 i = 0; i < n_conns; i++) {
    ks_val_conn *c = g_new0(ks_val_conn, 1);
    c->id = i;
    c->last_rx = KA_TIME_NEVER;
    c->closed_at = KA_TIME_NEVER;
    c->probes = g_array_new(FALSE, TRUE, sizeof(ks_val_probe));
    g_ptr_array_add(run->conns, c);
  }
  return run;
}

void ks_val_run_free(ks_val_run *run) {
  if (run == NULL)
    return;
  for (guint i = 0; i < run->conns->len; i++) {
    ks_val_conn *c = run->conns->pdata[i];
    g_array_free(c->probes, TRUE);
    g_free(c->error);
    g_free(c->reason);
    g_free(c->later);
    g_free(c);
  }
  g_ptr_array_free(run->conns, TRUE);
  g_ptr_array_free(run->notes, TRUE);
  g_ptr_array_free(run->faults, TRUE);
  g_free(run);
}

static ka_time since(const ks_val_conn *c, ka_time t) {
  return c->last_rx == KA_TIME_NEVER ? t : t - c->last_rx;
}

void ks_val_conn_rx(ks_val_conn *c, ka_time t, gboolean rst) {
  if (c->closed_at != KA_TIME_NEVER)
    return;
  if (rst) {
    /* Not an answer and not a receive for the clock: the RST ends the
     * connection, and its time is measured from the receive before it. */
    c->rst_received = TRUE;
    return;
  }
  if (c->chain > 0) {
    ks_val_probe *p = &g_array_index(c->probes, ks_val_probe, c->probes->len - 1);
    if (!p->answered) {
      p->answered = TRUE;
      c->answered++;
    }
  }
  c->last_rx = t;
  c->chain = 0;
}

void ks_val_conn_probe(ks_val_conn *c, ka_time t) {
  if (c->closed_at != KA_TIME_NEVER)
    return;
  c->chain++;
  ks_val_probe p = {.t = t, .since_rx = since(c, t), .chain = c->chain};
  g_array_append_val(c->probes, p);
}

void ks_val_conn_rst_sent(ks_val_conn *c, ka_time t) {
  (void)t;
  c->rst_sent = TRUE;
}

void ks_val_conn_close(ks_val_conn *c, ka_time t, const char *error) {
  if (c->closed_at != KA_TIME_NEVER)
    return;
  c->closed_at = t;
  c->close_since_rx = since(c, t);
  c->close_chain = c->chain;
  c->error = g_strdup(error);
}

/* --- What can be validated. --------------------------------------------- */

char *ks_validate_unsupported(const ks_scenario *sc) {
  GPtrArray *why = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < sc->hosts->len; i++) {
    const ks_host_spec *h = sc->hosts->pdata[i];
    if (ka_profile_family(h->profile) != KA_FAMILY_LINUX)
      g_ptr_array_add(why, g_strdup_printf("host '%s' runs %s (only linux can be compared with "
                                           "this kernel)",
                                           h->name, ka_profile_name(h->profile)));
  }
  if (sc->hosts->len != 2)
    g_ptr_array_add(why, g_strdup_printf("%u hosts (validation has exactly a client and a "
                                         "server)",
                                         sc->hosts->len));
  if (sc->links->len != 1)
    g_ptr_array_add(why, g_strdup_printf("%u links (validation has exactly one)", sc->links->len));
  for (guint i = 0; i < sc->links->len; i++) {
    const ks_link_spec *l = sc->links->pdata[i];
    if (l->loss > 0)
      g_ptr_array_add(why, g_strdup_printf("loss on link '%s'", l->name));
    if (l->bandwidth_bps > 0)
      g_ptr_array_add(why, g_strdup_printf("a bandwidth on link '%s'", l->name));
  }
  if (sc->middleboxes != NULL && sc->middleboxes->len > 0)
    g_ptr_array_add(why, g_strdup("middleboxes"));
  guint64 conns = 0;
  for (guint i = 0; i < sc->groups->len; i++) {
    const ks_group_spec *g = sc->groups->pdata[i];
    const ks_group_spec *g0 = sc->groups->pdata[0];
    conns += g->count;
    if (g->client != g0->client || g->server != g0->server)
      g_ptr_array_add(why, g_strdup_printf("group '%s' connects other hosts than group '%s'",
                                           g->name, g0->name));
    if (g->keepalive == KS_KEEPALIVE_SERVER)
      g_ptr_array_add(why,
                      g_strdup_printf("group '%s' uses keep-alive on the server only", g->name));
    if (g->traffic != KS_TRAFFIC_IDLE)
      g_ptr_array_add(why,
                      g_strdup_printf("group '%s' has traffic (only idle connections)", g->name));
    if (g->connect_spread > 0)
      g_ptr_array_add(why, g_strdup_printf("group '%s' has a connect_spread", g->name));
  }
  if (conns > KS_VALIDATE_MAX_CONNS)
    g_ptr_array_add(why, g_strdup_printf("%" G_GUINT64_FORMAT " connections (at most %u)", conns,
                                         KS_VALIDATE_MAX_CONNS));
  if (sc->duration > KS_VALIDATE_MAX_DURATION)
    g_ptr_array_add(why, g_strdup_printf("duration %.0f s (it runs in wall time: at most %.0f s)",
                                         (double)sc->duration / KA_NS_PER_S,
                                         (double)KS_VALIDATE_MAX_DURATION / KA_NS_PER_S));
  const ks_group_spec *g0 = sc->groups->len > 0 ? sc->groups->pdata[0] : NULL;
  for (guint i = 0; i < sc->events->len; i++) {
    const ks_event_spec *e = &g_array_index(sc->events, ks_event_spec, i);
    switch (e->kind) {
    case KS_EV_LOSS:
      g_ptr_array_add(why, g_strdup_printf("a loss event (line %d)", e->line));
      break;
    case KS_EV_APP_HANG:
      g_ptr_array_add(why, g_strdup_printf("an app_hang event (line %d)", e->line));
      break;
    case KS_EV_MIDDLEBOX_TIMEOUT:
      g_ptr_array_add(why, g_strdup_printf("a middlebox_timeout event (line %d)", e->line));
      break;
    case KS_EV_PEER_CRASH:
    case KS_EV_PEER_REBOOT:
      if (g0 != NULL && e->target == g0->client)
        g_ptr_array_add(why, g_strdup_printf("the keep-alive host itself crashes or reboots "
                                             "(line %d)",
                                             e->line));
      for (guint k = 0; k < sc->groups->len; k++) {
        const ks_group_spec *g = sc->groups->pdata[k];
        if (g->connect_at >= e->at)
          g_ptr_array_add(why, g_strdup_printf("group '%s' connects after the crash or reboot "
                                               "of line %d",
                                               g->name, e->line));
      }
      break;
    default: break;
    }
  }
  char *out = NULL;
  if (why->len > 0) {
    g_ptr_array_add(why, NULL);
    out = g_strjoinv("; ", (char **)why->pdata);
  }
  g_ptr_array_free(why, TRUE);
  return out;
}

/* --- The model's prediction. -------------------------------------------- */

typedef struct model_ctx {
  const ks_scenario *sc;
  ks_val_run *run;
} model_ctx;

static guint client_host_of(const ks_scenario *sc, guint group) {
  return ((const ks_group_spec *)sc->groups->pdata[group])->client;
}

static void on_model_trace(const ks_trace_event *ev, void *ud) {
  model_ctx *m = ud;
  if (ev->kind == KS_TRACE_CLOSE) {
    if (ev->target >= m->run->conns->len)
      return;
    ks_val_conn *c = m->run->conns->pdata[ev->target];
    if (ev->host == client_host_of(m->sc, c->group))
      ks_val_conn_close(c, ev->t, ev->error);
    return;
  }
  if (ev->seg == NULL || ev->seg->conn >= m->run->conns->len)
    return;
  ks_val_conn *c = m->run->conns->pdata[ev->seg->conn];
  if (ev->kind == KS_TRACE_SEND && ev->seg->from_client && ev->what == NULL) {
    if (ev->seg->kind == KS_SEG_KEEPALIVE)
      ks_val_conn_probe(c, ev->t);
    else if (ev->seg->flags & KS_TCP_RST)
      ks_val_conn_rst_sent(c, ev->t);
  } else if (ev->kind == KS_TRACE_DELIVER && !ev->seg->from_client) {
    ks_val_conn_rx(c, ev->t, (ev->seg->flags & KS_TCP_RST) != 0);
  }
}

static void group_cfg(const ks_scenario *sc, guint group, ka_cfg *cfg);

/* What the model says later calls get after a close of this reason: the
 * connection's own ka_conn, driven to the same end. */
static char *model_later(const ks_scenario *sc, guint group, ka_close_reason reason) {
  ka_cfg cfg;
  group_cfg(sc, group, &cfg);
  ka_conn c;
  ka_action a = {.kind = KA_ACTION_NONE};
  ka_conn_init(&c, NULL, &cfg, 0);
  if (reason == KA_CLOSE_RESET_BY_PEER)
    ka_conn_on_rst(&c, NULL, 0, &a);
  for (int i = 0; i < 100000 && a.kind != KA_ACTION_GIVE_UP; i++) {
    ka_time t = ka_conn_poll_at(&c, NULL);
    if (t == KA_TIME_NEVER)
      break;
    ka_conn_poll(&c, NULL, t, &a);
  }
  if (a.kind != KA_ACTION_GIVE_UP || a.reason != reason)
    return NULL;
  return g_strdup_printf("recv %s, send %s",
                         a.later_recv_eof ? "0 (EOF)"
                                          : ka_profile_errname(cfg.profile, a.err_later),
                         ka_profile_errname(cfg.profile, a.err_later));
}

ks_val_run *ks_validate_model(const ks_scenario *sc, GError **error) {
  ks_world *w = ks_world_new(sc, sc->seed, error);
  if (w == NULL)
    return NULL;
  guint32 n = ks_world_conn_count(w);
  ks_val_run *run = ks_val_run_new(n);
  for (guint32 i = 0; i < n; i++) {
    ks_conn_result r;
    ks_world_conn_result(w, i, &r);
    ((ks_val_conn *)run->conns->pdata[i])->group = r.group;
  }
  model_ctx m = {sc, run};
  ks_world_set_trace(w, on_model_trace, &m);
  ks_world_run(w);
  for (guint32 i = 0; i < n; i++) {
    ks_conn_result r;
    ks_world_conn_result(w, i, &r);
    ks_val_conn *c = run->conns->pdata[i];
    c->reason = g_strdup(ka_close_reason_name(r.reason));
    if (r.reason != KA_CLOSE_NONE)
      c->later = model_later(sc, r.group, r.reason);
    /* The trace is the record; the summary must say the same. */
    g_warn_if_fail(r.probes_sent == c->probes->len);
    g_warn_if_fail(r.probes_answered == c->answered);
    g_warn_if_fail(r.closed_at == c->closed_at);
  }
  ks_world_free(w);
  return run;
}

/* --- Tolerance. --------------------------------------------------------- */

static int hz_from_text(const char *text) {
  const char *p = strstr(text, "\nCONFIG_HZ=");
  if (p == NULL)
    return 0;
  guint64 hz = 0;
  g_autofree char *num = g_strndup(p + 11, strcspn(p + 11, "\n"));
  if (!g_ascii_string_to_unsigned(num, 10, 24, 10000, &hz, NULL))
    return 0;
  return (int)hz;
}

int ks_validate_kernel_hz(char **source) {
  struct utsname u;
  *source = NULL;
  if (uname(&u) == 0) {
    g_autofree char *path = g_strdup_printf("/boot/config-%s", u.release);
    g_autofree char *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
      int hz = hz_from_text(text);
      if (hz > 0) {
        *source = g_steal_pointer(&path);
        return hz;
      }
    }
  }
  /* /proc/config.gz (CONFIG_IKCONFIG_PROC), through gzip. */
  const char *argv[] = {"gzip", "-dc", "/proc/config.gz", NULL};
  g_autofree char *text = NULL;
  int status = 0;
  if (g_file_test("/proc/config.gz", G_FILE_TEST_EXISTS) &&
      g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                   NULL, NULL, &text, NULL, &status, NULL) &&
      g_spawn_check_wait_status(status, NULL)) {
    int hz = hz_from_text(text);
    if (hz > 0) {
      *source = g_strdup("/proc/config.gz");
      return hz;
    }
  }
  return 0;
}

/* The timer wheel (kernel/time/timer.c): a timer `d` jiffies away goes to
 * the level whose range holds d; levels start at 63 << 3(n-1) jiffies and
 * have a granularity of 8^n jiffies, and the expiry is rounded up to it. */
static guint64 wheel_granularity(guint64 d) {
  guint64 gran = 1, start = 63;
  for (int level = 0; level < 8 && d >= start; level++) {
    gran *= 8;
    start = level == 0 ? 63 * 8 : start * 8;
  }
  return gran;
}

/* How late one timer of length T may fire, at a given HZ: the wheel's
 * rounding, one jiffy for the tick edge at which it was armed, and 10 ms
 * for the softirq that runs it (ksoftirqd on a busy machine) and the
 * capture's time stamp. */
static ka_time late_one(int hz, ka_time T) {
  guint64 jiffy = KA_NS_PER_S / (guint64)hz;
  guint64 d = ((guint64)T + jiffy - 1) / jiffy;
  return (ka_time)((wheel_granularity(d) + 1) * jiffy) + KA_MS(10);
}

static ka_time late_of(int hz, ka_time T) {
  static const int common[] = {100, 250, 300, 1000};
  if (hz > 0)
    return late_one(hz, T);
  ka_time worst = 0;
  for (size_t i = 0; i < G_N_ELEMENTS(common); i++) {
    ka_time l = late_one(common[i], T);
    worst = l > worst ? l : worst;
  }
  return worst;
}

void ks_validate_tolerance(const ks_val_tolerance *tol, guint chain, ka_time *early_out,
                           ka_time *late_out) {
  if (tol->wheel) {
    /* Both fire on the same wheel and the same jiffies: one jiffy either
     * way (time 0 is placed to the millisecond, a receive is stamped in
     * whole jiffies), plus 10 ms: late, per timer, for the softirq that
     * runs it; early, once, for the receive the time is counted from,
     * which the kernel may see in another jiffy than the model when its
     * softirq and the capture's stamp are late; and a round trip of link
     * delay. */
    ka_time jiffy = KA_NS_PER_S / tol->hz;
    *early_out = jiffy + KA_MS(10);
    *late_out = jiffy + (ka_time)chain * KA_MS(10) + 2 * tol->link_delay;
    return;
  }
  /* The first timer after a receive is the idle timer, or a lazy re-check
   * armed for an interval that happens to expire after the idle time. */
  ka_time first = late_of(tol->hz, tol->idle > tol->intvl ? tol->idle : tol->intvl);
  ka_time late = first + (ka_time)(chain > 1 ? chain - 1 : 0) * late_of(tol->hz, tol->intvl);
  *late_out = late + 2 * tol->link_delay;
  /* Early: the receive is time-stamped in whole jiffies (rcv_tstamp), so
   * the deadline can fall up to one jiffy before the wall-clock one. */
  *early_out = (tol->hz > 0 ? KA_NS_PER_S / tol->hz : KA_MS(10)) + KA_MS(1);
}

/* --- Comparison. -------------------------------------------------------- */

static void group_cfg(const ks_scenario *sc, guint group, ka_cfg *cfg) {
  const ks_group_spec *g = sc->groups->pdata[group];
  const ks_host_spec *h = sc->hosts->pdata[g->client];
  ka_sock *s = ka_sock_new(h->params, KA_SOCK_STREAM, 0);
  ka_sock_set_int(s, KA_OPT_SO_KEEPALIVE, 1);
  for (guint i = 0; g->sockopts != NULL && i < g->sockopts->len; i++) {
    const ks_sockopt_spec *o = &g_array_index(g->sockopts, ks_sockopt_spec, i);
    ks_sockopt_apply(s, o->name, o->value, NULL);
  }
  ka_sock_cfg(s, cfg);
  ka_sock_free(s);
}

static double secs(ka_time t) { return (double)t / KA_NS_PER_S; }

#define LABEL_W 34

static guint line_time(GString *out, const char *label, gboolean have_m, ka_time m, gboolean have_k,
                       ka_time k, const ks_val_tolerance *tol, guint chain) {
  if (!have_m && !have_k) {
    g_string_append_printf(out, "  %-*s model %10s  kernel %10s  %-31s ok\n", LABEL_W, label,
                           "alive", "alive", "");
    return 0;
  }
  if (!have_m || !have_k) {
    char a[32] = "-", b[32] = "-";
    if (have_m)
      g_snprintf(a, sizeof a, "%.3f", secs(m));
    if (have_k)
      g_snprintf(b, sizeof b, "%.3f", secs(k));
    g_string_append_printf(out, "  %-*s model %10s  kernel %10s  %-31s DIFFERENT\n", LABEL_W, label,
                           a, b, "");
    return 1;
  }
  ka_time early, late;
  ks_validate_tolerance(tol, chain, &early, &late);
  ka_time diff = k - m;
  gboolean ok = diff >= -early && diff <= late;
  g_autofree char *d = g_strdup_printf("diff %+.3f tol -%.3f/+%.3f", secs(diff), secs(early),
                                       secs(late));
  g_string_append_printf(out, "  %-*s model %10.3f  kernel %10.3f  %-31s %s\n", LABEL_W, label,
                         secs(m), secs(k), d, ok ? "ok" : "DIFFERENT");
  return ok ? 0 : 1;
}

static guint line_text(GString *out, const char *label, const char *m, const char *k) {
  gboolean ok = g_strcmp0(m, k) == 0;
  g_string_append_printf(out, "  %-*s model %10s  kernel %10s  %-31s %s\n", LABEL_W, label, m, k,
                         "", ok ? "ok" : "DIFFERENT");
  return ok ? 0 : 1;
}

static guint line_count(GString *out, const char *label, guint m, guint k) {
  char a[16], b[16];
  g_snprintf(a, sizeof a, "%u", m);
  g_snprintf(b, sizeof b, "%u", k);
  return line_text(out, label, a, b);
}

gboolean ks_validate_same_clock(ks_scenario *model, const ks_val_run *kernel, int hz) {
  if (!kernel->have_jiffies || hz <= 0)
    return FALSE;
  /* The model's counter reads INITIAL_JIFFIES + uptime x HZ (ka_jiffies.h):
   * the uptime whose ticks bring it to the kernel's reading, plus the part
   * of the tick already gone. */
  const ka_jiffies boot = {.hz = (uint32_t)hz, .uptime = 0};
  ka_time up = ka_jiffies_time(&boot, kernel->jiffies0) + kernel->subtick;
  guint64 ms = (guint64)((up + KA_NS_PER_MS / 2) / KA_NS_PER_MS);
  for (guint i = 0; i < model->hosts->len; i++) {
    ks_host_spec *h = model->hosts->pdata[i];
    if (ka_profile_family(h->profile) != KA_FAMILY_LINUX)
      continue;
    if (!ka_params_set_value(h->params, "hz", (guint64)hz, NULL) ||
        !ka_params_set_value(h->params, "uptime", ms, NULL))
      return FALSE;
  }
  return TRUE;
}

guint ks_validate_compare(const ks_scenario *sc, const ks_val_run *model, const ks_val_run *kernel,
                          int hz, gboolean wheel, GString *out) {
  guint diffs = 0;
  for (guint i = 0; i < kernel->faults->len; i++) {
    g_string_append_printf(out, "  %s: DIFFERENT\n", (const char *)kernel->faults->pdata[i]);
    diffs++;
  }
  const ks_link_spec *link = sc->links->pdata[0];
  for (guint i = 0; i < model->conns->len && i < kernel->conns->len; i++) {
    const ks_val_conn *m = model->conns->pdata[i], *k = kernel->conns->pdata[i];
    const ks_group_spec *g = sc->groups->pdata[m->group];
    ka_cfg cfg;
    group_cfg(sc, m->group, &cfg);
    ks_val_tolerance tol = {.hz = hz,
                            .wheel = wheel,
                            .idle = cfg.idle,
                            .intvl = cfg.intvl,
                            .link_delay = link->delay};
    g_string_append_printf(out, "conn %u (group %s): the model says ", m->id, g->name);
    if (m->closed_at != KA_TIME_NEVER)
      g_string_append_printf(out, "%s at %.3f s\n", m->reason, secs(m->closed_at));
    else
      g_string_append(out, "alive at the end\n");
    guint np = MAX(m->probes->len, k->probes->len);
    for (guint j = 0; j < np; j++) {
      gboolean hm = j < m->probes->len, hk = j < k->probes->len;
      const ks_val_probe *pm = hm ? &g_array_index(m->probes, ks_val_probe, j) : NULL;
      const ks_val_probe *pk = hk ? &g_array_index(k->probes, ks_val_probe, j) : NULL;
      g_autofree char *label = g_strdup_printf("probe %u, s after last receive", j + 1);
      diffs += line_time(out, label, hm, hm ? pm->since_rx : 0, hk, hk ? pk->since_rx : 0, &tol,
                         hm ? pm->chain : pk->chain);
    }
    diffs += line_count(out, "probes sent", m->probes->len, k->probes->len);
    diffs += line_count(out, "probes answered", m->answered, k->answered);
    gboolean cm = m->closed_at != KA_TIME_NEVER, ck = k->closed_at != KA_TIME_NEVER;
    diffs += line_time(out, "give-up, s after last receive", cm, m->close_since_rx, ck,
                       k->close_since_rx, &tol, (cm ? m->close_chain : k->close_chain) + 1);
    diffs += line_text(out, "RST sent", m->rst_sent ? "yes" : "no", k->rst_sent ? "yes" : "no");
    diffs += line_text(out, "errno", m->error ? m->error : "none", k->error ? k->error : "none");
    if (m->later != NULL || k->later != NULL)
      diffs += line_text(out, "later calls", m->later ? m->later : "-", k->later ? k->later : "-");
  }
  if (model->conns->len != kernel->conns->len) {
    g_string_append_printf(out, "  connections: model %u, kernel %u: DIFFERENT\n",
                           model->conns->len, kernel->conns->len);
    diffs++;
  }
  return diffs;
}
