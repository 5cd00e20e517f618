/* ks_validate_kernel.c - a scenario on the real Linux TCP stack.
 *
 * Three network namespaces, client - router - server, joined by two veth
 * pairs:
 *
 *   client 198.51.100.2 (c0) -- (r0) 198.51.100.1  router  192.0.2.1 (r1) -- (s0) 192.0.2.2 server
 *
 * Addresses are from the documentation ranges and exist only inside these
 * namespaces; the names carry kasim's PID, so parallel runs do not clash.
 * The scenario's one link is the path through the router, and is cut
 * there: a blackhole route for the far end's address drops the segments
 * silently (no ICMP comes back, and both hosts' own links stay up).  A
 * crashed server is blackholed both ways for good; a rebooted server is a
 * fresh namespace behind the same address, whose stack answers a probe of
 * the old connection with an RST.
 *
 * The sockets are real: kasim itself creates them inside the namespaces
 * (setns(2) around socket(), which binds a socket to its namespace for
 * life), sets SO_KEEPALIVE and the scenario's options on them, and keeps a
 * blocking recv() pending on each client socket in its own thread to learn
 * the errno.  libpcap captures on the client's veth for the probes, the
 * answers and the RSTs, with the kernel's time stamps.  Virtual time is
 * wall time: the timeline is played by the main thread.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ks_validate.h"

#define CLIENT_IP "198.51.100.2"
#define ROUTER_CLIENT_IP "198.51.100.1"
#define SERVER_IP "192.0.2.2"
#define ROUTER_SERVER_IP "192.0.2.1"
#define PORT_BASE 5000
#define NETNS_DIR "/run/netns"
/* Names are "ksv<pid>-c"; a namespace of this form whose process is gone is
 * a leftover of a killed run and is removed. */
#define NS_PREFIX "ksv"

typedef struct kconn {
  guint32 id;
  guint group;
  int fd;  /* the client's socket */
  int sfd; /* the server's accepted socket; -1 after a reboot */
  guint16 cport;
  GThread *thread;
  int done;                   /* atomic: the recv() returned */
  int err;                    /* its errno; 0 for end of stream */
  gint64 done_rt;             /* CLOCK_REALTIME ns when it returned */
  int later_recv, later_send; /* after a failed recv: the next recv's and
                                 send's errno; 0 = recv returned 0 / send
                                 succeeded */
} kconn;

typedef struct kpkt {
  ka_time t; /* scenario time */
  guint32 conn;
  gboolean from_client;
  guint8 flags;
  guint32 seq;
  guint32 len;
} kpkt;

typedef struct kv {
  ks_scenario *sc;
  const ks_val_kernel_opts *opts;
  ks_val_run *run;
  char *prefix;
  char *ns_c, *ns_r, *ns_s;
  GPtrArray *made; /* char*: namespaces to remove */
  guint reboots;
  int self_ns;    /* our own network namespace */
  int *listeners; /* per group, in the server namespace */
  guint n_groups;
  kconn *conns;
  guint n;
  pcap_t *pcap;
  GArray *pkts; /* kpkt */
  gboolean netem;
  gboolean down_to_server, down_to_client, crashed;
  gboolean bh_server, bh_client; /* blackhole routes in place */
  sigset_t sigs;
  int signal;
  gint64 t0_mono, t0_rt; /* ns */
  gint64 ts_scale;       /* pcap time stamp fraction to ns: 1 or 1000 */
  guint client_host;
} kv;

static gint64 clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (gint64)ts.tv_sec * KA_NS_PER_S + ts.tv_nsec;
}

/* --- The kernel's jiffies. ----------------------------------------------- */

/* The number after `key` in `text` (its first occurrence), or -1. */
static gint64 timer_list_value(const char *text, const char *key) {
  const char *p = strstr(text, key);
  if (p == NULL)
    return -1;
  p += strlen(key);
  while (*p == ' ' || *p == ':')
    p++;
  gint64 v = g_ascii_strtoll(p, NULL, 10);
  return v > 0 ? v : -1;
}

/* The jiffies counter at monotonic instant t0 and how far into its tick t0
 * fell, from the text of /proc/timer_list (kernel/time/timer_list.c), read
 * shortly before t0: "now at N nsecs" (ktime_get, CLOCK_MONOTONIC),
 * "jiffies: J" then, and a CPU's ".last_tick : L nsecs", a tick on the
 * grid every TICK_NSEC the counter moves on.  FALSE when the text is
 * missing (the file needs root) or does not parse. */
static gboolean read_jiffies(const char *text, gint64 t0, int hz, guint64 *jiffies0,
                             ka_time *subtick) {
  if (text == NULL || hz <= 0)
    return FALSE;
  gint64 now = timer_list_value(text, "now at"), j = timer_list_value(text, "\njiffies");
  gint64 last = timer_list_value(text, ".last_tick");
  if (now < 0 || j < 0 || last < 0)
    return FALSE;
  gint64 tick = (KA_NS_PER_S + hz / 2) / hz; /* TICK_NSEC */
  /* The counter became j at the last grid point at or before `now`. */
  gint64 edge = now - (((now - last) % tick) + tick) % tick;
  gint64 d = t0 - edge, k = d >= 0 ? d / tick : -((-d + tick - 1) / tick);
  *jiffies0 = (guint64)j + (guint64)k;
  *subtick = d - k * tick;
  return TRUE;
}

/* --- Signals. ----------------------------------------------------------- */

static gboolean interrupted(kv *v, GError **error) {
  if (v->signal == 0) {
    struct timespec zero = {0, 0};
    int s = sigtimedwait(&v->sigs, NULL, &zero);
    if (s > 0)
      v->signal = s;
  }
  if (v->signal != 0) {
    if (error != NULL && *error == NULL)
      g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_INTERRUPTED, "interrupted by SIG%s",
                  sigabbrev_np(v->signal) ? sigabbrev_np(v->signal) : "?");
    return TRUE;
  }
  return FALSE;
}

/* Sleeps until scenario time t; FALSE when a signal came first. */
static gboolean wait_until(kv *v, ka_time t, GError **error) {
  for (;;) {
    if (interrupted(v, error))
      return FALSE;
    gint64 left = v->t0_mono + t - clock_ns(CLOCK_MONOTONIC);
    if (left <= 0)
      return TRUE;
    struct timespec ts = {left / KA_NS_PER_S, left % KA_NS_PER_S};
    int s = sigtimedwait(&v->sigs, NULL, &ts);
    if (s > 0)
      v->signal = s;
  }
}

/* --- Commands and namespaces. ------------------------------------------- */

static gboolean run_argv(kv *v, const char *const *argv, GError **error) {
  if (v->opts->verbose) {
    g_autofree char *line = g_strjoinv(" ", (char **)argv);
    fprintf(stderr, "+ %s\n", line);
  }
  g_autofree char *err = NULL;
  int status = 0;
  GError *e = NULL;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                    NULL, NULL, NULL, &err, &status, &e)) {
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED, "%s: %s", argv[0], e->message);
    g_error_free(e);
    return FALSE;
  }
  if (!g_spawn_check_wait_status(status, NULL)) {
    g_autofree char *line = g_strjoinv(" ", (char **)argv);
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED, "'%s' failed: %s", line,
                g_strstrip(err));
    return FALSE;
  }
  return TRUE;
}

/* spawn_cmd(v, error, "ip", "-n", ns, ..., NULL) */
static gboolean spawn_cmd(kv *v, GError **error, ...) G_GNUC_NULL_TERMINATED;
static gboolean spawn_cmd(kv *v, GError **error, ...) {
  GPtrArray *argv = g_ptr_array_new();
  va_list ap;
  va_start(ap, error);
  for (const char *a = va_arg(ap, const char *); a != NULL; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  gboolean ok = run_argv(v, (const char *const *)argv->pdata, error);
  g_ptr_array_free(argv, TRUE);
  return ok;
}

static gboolean enter_ns(kv *v, const char *ns, GError **error) {
  if (v->opts->verbose)
    fprintf(stderr, "+ setns %s\n", ns);
  g_autofree char *path = g_build_filename(NETNS_DIR, ns, NULL);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    int e = errno;
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED, "entering namespace %s: %s", ns,
                g_strerror(e));
    if (fd >= 0)
      close(fd);
    return FALSE;
  }
  close(fd);
  return TRUE;
}

static void leave_ns(kv *v) {
  if (setns(v->self_ns, CLONE_NEWNET) != 0)
    g_error("kasim validate: cannot return to the original network namespace: %s",
            g_strerror(errno));
}

/* Writes a sysctl of a namespace (/proc/sys/net is per namespace, looked up
 * through the writer's own). */
static gboolean set_sysctl(kv *v, const char *ns, const char *name, guint64 value, GError **error) {
  if (!enter_ns(v, ns, error))
    return FALSE;
  g_autofree char *rel = g_strdup(name);
  g_strdelimit(rel, ".", '/');
  g_autofree char *path = g_build_filename("/proc/sys", rel, NULL);
  FILE *f = fopen(path, "w");
  gboolean ok = f != NULL && fprintf(f, "%" G_GUINT64_FORMAT "\n", value) > 0;
  if (f != NULL && fclose(f) != 0)
    ok = FALSE;
  int e = errno;
  leave_ns(v);
  if (!ok)
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED,
                "%s=%" G_GUINT64_FORMAT " in %s: %s", name, value, ns, g_strerror(e));
  if (v->opts->verbose && ok)
    fprintf(stderr, "+ [%s] sysctl %s=%" G_GUINT64_FORMAT "\n", ns, name, value);
  return ok;
}

/* The host's keep-alive sysctls, as the scenario gives them (defaults or
 * `settings`). */
static gboolean host_sysctls(kv *v, const char *ns, guint host, GError **error) {
  static const char *const names[] = {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl",
                                      "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_retries2"};
  const ks_host_spec *h = v->sc->hosts->pdata[host];
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    guint64 value;
    if (ka_params_get(h->params, names[i], &value) && !set_sysctl(v, ns, names[i], value, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean add_ns(kv *v, const char *name, GError **error) {
  if (!spawn_cmd(v, error, "ip", "netns", "add", name, NULL))
    return FALSE;
  g_ptr_array_add(v->made, g_strdup(name));
  return spawn_cmd(v, error, "ip", "-n", name, "link", "set", "lo", "up", NULL);
}

static gboolean add_netem(kv *v, const char *dev, GError **error) {
  g_autofree char *us = g_strdup_printf("%" G_GINT64_FORMAT "us",
                                        ((const ks_link_spec *)v->sc->links->pdata[0])->delay /
                                          1000);
  return spawn_cmd(v, error, "tc", "-n", v->ns_r, "qdisc", "add", "dev", dev, "root", "netem",
                   "delay", us, NULL);
}

static guint server_host(const kv *v) {
  return ((const ks_group_spec *)v->sc->groups->pdata[0])->server;
}

/* The server namespace with its veth pair to the router. */
static gboolean make_server(kv *v, GError **error) {
  g_free(v->ns_s);
  v->ns_s = g_strdup_printf("%s-s%u", v->prefix, v->reboots);
  return add_ns(v, v->ns_s, error) &&
         spawn_cmd(v, error, "ip", "-n", v->ns_s, "link", "add", "s0", "type", "veth", "peer",
                   "name", "r1", "netns", v->ns_r, NULL) &&
         spawn_cmd(v, error, "ip", "-n", v->ns_r, "addr", "add", ROUTER_SERVER_IP "/24", "dev",
                   "r1", NULL) &&
         spawn_cmd(v, error, "ip", "-n", v->ns_r, "link", "set", "r1", "up", NULL) &&
         spawn_cmd(v, error, "ip", "-n", v->ns_s, "addr", "add", SERVER_IP "/24", "dev", "s0",
                   NULL) &&
         spawn_cmd(v, error, "ip", "-n", v->ns_s, "link", "set", "s0", "up", NULL) &&
         spawn_cmd(v, error, "ip", "-n", v->ns_s, "route", "add", "default", "via",
                   ROUTER_SERVER_IP, NULL) &&
         host_sysctls(v, v->ns_s, server_host(v), error) &&
         (!v->netem || add_netem(v, "r1", error));
}

static gboolean make_topology(kv *v, GError **error) {
  v->ns_c = g_strdup_printf("%s-c", v->prefix);
  v->ns_r = g_strdup_printf("%s-r", v->prefix);
  if (!add_ns(v, v->ns_c, error) || !add_ns(v, v->ns_r, error) ||
      !spawn_cmd(v, error, "ip", "-n", v->ns_c, "link", "add", "c0", "type", "veth", "peer", "name",
                 "r0", "netns", v->ns_r, NULL) ||
      !spawn_cmd(v, error, "ip", "-n", v->ns_c, "addr", "add", CLIENT_IP "/24", "dev", "c0",
                 NULL) ||
      !spawn_cmd(v, error, "ip", "-n", v->ns_c, "link", "set", "c0", "up", NULL) ||
      !spawn_cmd(v, error, "ip", "-n", v->ns_c, "route", "add", "default", "via", ROUTER_CLIENT_IP,
                 NULL) ||
      !spawn_cmd(v, error, "ip", "-n", v->ns_r, "addr", "add", ROUTER_CLIENT_IP "/24", "dev", "r0",
                 NULL) ||
      !spawn_cmd(v, error, "ip", "-n", v->ns_r, "link", "set", "r0", "up", NULL) ||
      !set_sysctl(v, v->ns_r, "net.ipv4.ip_forward", 1, error) ||
      !host_sysctls(v, v->ns_c, v->client_host, error))
    return FALSE;
  ks_link_spec *link = v->sc->links->pdata[0];
  if (link->delay > 0) {
    /* netem on the router's two egress sides gives each direction the
     * link's one-way delay. */
    GError *e = NULL;
    v->netem = add_netem(v, "r0", &e);
    if (!v->netem) {
      g_clear_error(&e);
      GError *ignored = NULL;
      spawn_cmd(v, &ignored, "modprobe", "sch_netem", NULL);
      g_clear_error(&ignored);
      v->netem = add_netem(v, "r0", &e);
    }
    if (!v->netem) {
      g_ptr_array_add(v->run->notes,
                      g_strdup_printf("link delays are 0 in this validation: netem is not "
                                      "available here (%s); the model runs with delay 0 too, "
                                      "instead of link '%s''s %.3f ms",
                                      e->message, link->name, (double)link->delay / KA_NS_PER_MS));
      g_clear_error(&e);
      link->delay = 0;
    } else {
      g_ptr_array_add(v->run->notes,
                      g_strdup_printf("link '%s''s delay of %.3f ms is netem on the router, each "
                                      "direction",
                                      link->name, (double)link->delay / KA_NS_PER_MS));
    }
  }
  return make_server(v, error);
}

/* Namespaces left behind by a kasim that was killed (SIGKILL cannot be
 * caught): ksv<pid>-* whose process no longer exists. */
static void remove_stale(kv *v) {
  DIR *d = opendir(NETNS_DIR);
  if (d == NULL)
    return;
  GPtrArray *stale = g_ptr_array_new_with_free_func(g_free);
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strncmp(e->d_name, NS_PREFIX, strlen(NS_PREFIX)) != 0)
      continue;
    char *end = NULL;
    guint64 pid = g_ascii_strtoull(e->d_name + strlen(NS_PREFIX), &end, 10);
    if (end == e->d_name + strlen(NS_PREFIX) || *end != '-' || pid == 0 || pid > G_MAXINT)
      continue;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
      g_ptr_array_add(stale, g_strdup(e->d_name));
  }
  closedir(d);
  for (guint i = 0; i < stale->len; i++) {
    GError *ignored = NULL;
    spawn_cmd(v, &ignored, "ip", "netns", "del", (const char *)stale->pdata[i], NULL);
    g_clear_error(&ignored);
  }
  g_ptr_array_free(stale, TRUE);
}

/* --- Sockets. ----------------------------------------------------------- */

static const struct {
  const char *name;
  int level, opt;
} kopts[] = {
  {"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE},   {"TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE},
  {"TCP_KEEPALIVE", IPPROTO_TCP, TCP_KEEPIDLE}, {"TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL},
  {"TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT},    {"TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT},
};

/* SO_KEEPALIVE=1, then the group's options in order, as the model's
 * sockets get them.  A refusal by the kernel of an option the model
 * accepted is a difference in itself. */
static void apply_sockopts(kv *v, int fd, const ks_group_spec *g, const char *side) {
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0)
    g_ptr_array_add(v->run->faults, g_strdup_printf("group %s (%s): SO_KEEPALIVE=1: the kernel "
                                                    "refuses it with %s",
                                                    g->name, side, strerrorname_np(errno)));
  for (guint i = 0; g->sockopts != NULL && i < g->sockopts->len; i++) {
    const ks_sockopt_spec *o = &g_array_index(g->sockopts, ks_sockopt_spec, i);
    gint64 value;
    size_t k = 0;
    while (k < G_N_ELEMENTS(kopts) && g_ascii_strcasecmp(kopts[k].name, o->name) != 0)
      k++;
    if (k == G_N_ELEMENTS(kopts) ||
        !g_ascii_string_to_signed(o->value, 10, G_MININT, G_MAXINT, &value, NULL)) {
      g_ptr_array_add(v->run->faults, g_strdup_printf("group %s (%s): %s=%s: the model accepts "
                                                      "it, kasim cannot set it on a real socket",
                                                      g->name, side, o->name, o->value));
      continue;
    }
    int iv = (int)value;
    if (setsockopt(fd, kopts[k].level, kopts[k].opt, &iv, sizeof iv) != 0)
      g_ptr_array_add(v->run->faults,
                      g_strdup_printf("group %s (%s): %s=%s: the model accepts it, the kernel "
                                      "refuses it with %s",
                                      g->name, side, o->name, o->value, strerrorname_np(errno)));
    else if (v->opts->verbose)
      fprintf(stderr, "+ group %s (%s): setsockopt %s=%d\n", g->name, side, kopts[k].name, iv);
  }
}

static int make_socket(kv *v, const char *ns, GError **error) {
  if (!enter_ns(v, ns, error))
    return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int e = errno;
  leave_ns(v);
  if (fd < 0)
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED, "socket() in %s: %s", ns,
                g_strerror(e));
  return fd;
}

static gboolean make_listeners(kv *v, GError **error) {
  for (guint gi = 0; gi < v->n_groups; gi++) {
    const ks_group_spec *g = v->sc->groups->pdata[gi];
    int fd = make_socket(v, v->ns_s, error);
    if (fd < 0)
      return FALSE;
    v->listeners[gi] = fd;
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(PORT_BASE + gi),
                            .sin_addr.s_addr = htonl(INADDR_ANY)};
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* accept() copies the listener's options (sk_clone). */
    if (g->keepalive & KS_KEEPALIVE_SERVER)
      apply_sockopts(v, fd, g, "server");
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
      g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED, "listening on port %d: %s",
                  PORT_BASE + gi, g_strerror(errno));
      return FALSE;
    }
  }
  return TRUE;
}

static gpointer recv_main(gpointer data) {
  kconn *c = data;
  char b;
  ssize_t r;
  do
    r = recv(c->fd, &b, 1, 0);
  while (r > 0); /* the server never writes; data would only be read on */
  c->err = r < 0 ? errno : 0;
  c->done_rt = clock_ns(CLOCK_REALTIME);
  if (r < 0) {
    /* What later calls get.  The connection is gone, so the send puts
     * nothing on the wire. */
    c->later_recv = recv(c->fd, &b, 1, MSG_DONTWAIT) < 0 ? errno : 0;
    c->later_send = send(c->fd, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? errno : 0;
  }
  g_atomic_int_set(&c->done, 1);
  return NULL;
}

static gboolean connect_one(kv *v, kconn *c, GError **error) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT_BASE + c->group)};
  inet_pton(AF_INET, SERVER_IP, &a.sin_addr);
  /* A path that is down at connect time must not hang the run. */
  struct timeval tmo = {3, 0}, none = {0, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof tmo);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED,
                "conn %u: connect() to the server: %s (validation needs a working path at "
                "connect_at)",
                c->id, g_strerror(errno));
    return FALSE;
  }
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  struct pollfd p = {.fd = v->listeners[c->group], .events = POLLIN};
  if (poll(&p, 1, 3000) != 1 || (c->sfd = accept4(p.fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED,
                "conn %u: the server did not accept the connection", c->id);
    return FALSE;
  }
  struct sockaddr_in me;
  socklen_t len = sizeof me;
  getsockname(c->fd, (struct sockaddr *)&me, &len);
  c->cport = ntohs(me.sin_port);
  c->thread = g_thread_new("kasim-recv", recv_main, c);
  return TRUE;
}

/* --- The path. ---------------------------------------------------------- */

static gboolean blackhole(kv *v, const char *ip, gboolean *have, gboolean want, GError **error) {
  if (*have == want)
    return TRUE;
  g_autofree char *dst = g_strdup_printf("%s/32", ip);
  if (!spawn_cmd(v, error, "ip", "-n", v->ns_r, "route", want ? "add" : "del", "blackhole", dst,
                 NULL))
    return FALSE;
  *have = want;
  return TRUE;
}

static gboolean apply_routes(kv *v, GError **error) {
  return blackhole(v, SERVER_IP, &v->bh_server, v->down_to_server || v->crashed, error) &&
         blackhole(v, CLIENT_IP, &v->bh_client, v->down_to_client || v->crashed, error);
}

/* The server reboots: its namespace is cut off (the router's end of its
 * veth pair goes, and the server's end with it), its sockets vanish
 * without a word (SO_LINGER 0 into an isolated stack), and a fresh
 * namespace takes its address. */
static gboolean reboot_server(kv *v, GError **error) {
  if (!spawn_cmd(v, error, "ip", "-n", v->ns_r, "link", "del", "r1", NULL))
    return FALSE;
  struct linger hard = {1, 0};
  for (guint i = 0; i < v->n; i++)
    if (v->conns[i].sfd >= 0) {
      setsockopt(v->conns[i].sfd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      close(v->conns[i].sfd);
      v->conns[i].sfd = -1;
    }
  for (guint gi = 0; gi < v->n_groups; gi++)
    if (v->listeners[gi] >= 0) {
      close(v->listeners[gi]);
      v->listeners[gi] = -1;
    }
  if (!spawn_cmd(v, error, "ip", "netns", "del", v->ns_s, NULL))
    return FALSE;
  g_ptr_array_remove_index(v->made, v->made->len - 1);
  v->reboots++;
  return make_server(v, error);
}

static gboolean play_event(kv *v, const ks_event_spec *e, GError **error) {
  const ks_link_spec *l = e->target < v->sc->links->len ? v->sc->links->pdata[e->target] : NULL;
  /* Which way client -> server runs on the link. */
  gboolean a_is_client = l != NULL && l->a == v->client_host;
  gboolean to_server = e->direction == KS_DIR_BOTH ||
                       (e->direction == KS_DIR_A_TO_B) == a_is_client;
  gboolean to_client = e->direction == KS_DIR_BOTH || !to_server;
  switch (e->kind) {
  case KS_EV_LINK_DOWN:
  case KS_EV_LINK_UP:
    if (to_server)
      v->down_to_server = e->kind == KS_EV_LINK_DOWN;
    if (to_client)
      v->down_to_client = e->kind == KS_EV_LINK_DOWN;
    return apply_routes(v, error);
  case KS_EV_PEER_CRASH: v->crashed = TRUE; return apply_routes(v, error);
  case KS_EV_PEER_REBOOT: return reboot_server(v, error);
  default:
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED,
                "timeline event of line %d cannot be played on the kernel", e->line);
    return FALSE;
  }
}

/* --- Capture. ----------------------------------------------------------- */

static gboolean open_capture(kv *v, GError **error) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  if (!enter_ns(v, v->ns_c, error))
    return FALSE;
  v->pcap = pcap_create("c0", errbuf);
  gboolean ok = v->pcap != NULL;
  if (ok) {
    pcap_set_snaplen(v->pcap, 128);
    pcap_set_immediate_mode(v->pcap, 1);
    pcap_set_buffer_size(v->pcap, 4 << 20);
    pcap_set_tstamp_precision(v->pcap, PCAP_TSTAMP_PRECISION_NANO);
    ok = pcap_activate(v->pcap) >= 0;
    if (!ok)
      g_strlcpy(errbuf, pcap_geterr(v->pcap), sizeof errbuf);
    else
      v->ts_scale = pcap_get_tstamp_precision(v->pcap) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
  }
  struct bpf_program prog;
  if (ok && (pcap_compile(v->pcap, &prog, "tcp", 1, PCAP_NETMASK_UNKNOWN) != 0 ||
             pcap_setfilter(v->pcap, &prog) != 0 || pcap_setnonblock(v->pcap, 1, errbuf) != 0)) {
    g_strlcpy(errbuf, pcap_geterr(v->pcap), sizeof errbuf);
    ok = FALSE;
  } else if (ok) {
    pcap_freecode(&prog);
  }
  leave_ns(v);
  if (ok && pcap_datalink(v->pcap) != DLT_EN10MB) {
    g_strlcpy(errbuf, "not an Ethernet device", sizeof errbuf);
    ok = FALSE;
  }
  if (!ok)
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED,
                "capturing on the client's c0: %s", errbuf);
  return ok;
}

static guint32 rd32(const u_char *p) {
  return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static void on_packet(u_char *ud, const struct pcap_pkthdr *h, const u_char *p) {
  kv *v = (kv *)ud;
  if (h->caplen < 14 + 20 || p[12] != 0x08 || p[13] != 0x00)
    return;
  const u_char *ip = p + 14;
  guint ihl = (ip[0] & 0x0f) * 4u, tot = (guint)ip[2] << 8 | ip[3];
  if ((ip[0] >> 4) != 4 || ip[9] != IPPROTO_TCP || h->caplen < 14 + ihl + 20 || tot < ihl + 20)
    return;
  const u_char *tcp = ip + ihl;
  guint doff = (tcp[12] >> 4) * 4u;
  guint16 sport = (guint16)(tcp[0] << 8 | tcp[1]), dport = (guint16)(tcp[2] << 8 | tcp[3]);
  struct in_addr client;
  inet_pton(AF_INET, CLIENT_IP, &client);
  gboolean from_client = memcmp(ip + 12, &client, 4) == 0;
  guint16 cport = from_client ? sport : dport;
  guint32 id = G_MAXUINT32;
  for (guint i = 0; i < v->n; i++)
    if (v->conns[i].cport == cport && v->conns[i].thread != NULL)
      id = i;
  if (id == G_MAXUINT32)
    return;
  kpkt k = {
    /* The kernel's CLOCK_REALTIME stamp; tv_usec holds ns when the
     * precision is PCAP_TSTAMP_PRECISION_NANO. */
    .t = (gint64)h->ts.tv_sec * KA_NS_PER_S + (gint64)h->ts.tv_usec * v->ts_scale - v->t0_rt,
    .conn = id,
    .from_client = from_client,
    .flags = tcp[13],
    .seq = rd32(tcp + 4),
    .len = tot >= ihl + doff ? tot - ihl - doff : 0,
  };
  if (v->opts->verbose)
    fprintf(stderr, "  %10.6f conn %u %s flags 0x%02x seq %u len %u\n", (double)k.t / KA_NS_PER_S,
            id, from_client ? "c->s" : "s->c", k.flags, k.seq, k.len);
  g_array_append_val(v->pkts, k);
}

static void drain_capture(kv *v) {
  int r;
  do
    r = pcap_dispatch(v->pcap, -1, on_packet, (u_char *)v);
  while (r > 0);
}

/* The record of each connection from its packets and its recv(). */
static void build_record(kv *v, ka_time end) {
  for (guint i = 0; i < v->n; i++) {
    kconn *kc = &v->conns[i];
    ks_val_conn *c = v->run->conns->pdata[i];
    c->group = kc->group;
    ka_time done_at = KA_TIME_NEVER;
    const char *err = NULL;
    if (kc->done_rt != 0 && kc->done_rt - v->t0_rt <= end) {
      done_at = kc->done_rt - v->t0_rt;
      err = kc->err != 0 ? strerrorname_np(kc->err) : "EOF";
    }
    guint32 snd_nxt = 0;
    gboolean have_isn = FALSE;
    for (guint j = 0; j < v->pkts->len; j++) {
      const kpkt *k = &g_array_index(v->pkts, kpkt, j);
      if (k->conn != i || k->t > end)
        continue;
      if (!k->from_client) {
        ks_val_conn_rx(c, k->t, (k->flags & 0x04) != 0);
        if (k->flags & 0x04)
          ks_val_conn_close(c, k->t, err);
        continue;
      }
      if (k->flags & 0x02) { /* SYN */
        snd_nxt = k->seq + 1;
        have_isn = TRUE;
      } else if (k->flags & 0x04) { /* RST */
        ks_val_conn_rst_sent(c, k->t);
        ks_val_conn_close(c, k->t, err);
      } else if (have_isn && !(k->flags & 0x01) && k->len <= 1 && k->seq == snd_nxt - 1) {
        ks_val_conn_probe(c, k->t); /* SEG.SEQ = SND.NXT - 1 */
      } else if (have_isn && k->seq + k->len > snd_nxt) {
        snd_nxt = k->seq + k->len + ((k->flags & 0x01) ? 1 : 0);
      }
    }
    if (done_at != KA_TIME_NEVER)
      ks_val_conn_close(c, done_at, err);
    if (done_at != KA_TIME_NEVER && kc->err != 0)
      c->later = g_strdup_printf("recv %s, send %s",
                                 kc->later_recv ? strerrorname_np(kc->later_recv) : "0 (EOF)",
                                 kc->later_send ? strerrorname_np(kc->later_send) : "OK");
  }
}

/* --- The run. ----------------------------------------------------------- */

static void stop_conns(kv *v) {
  for (guint i = 0; i < v->n; i++)
    if (v->conns[i].thread != NULL) {
      shutdown(v->conns[i].fd, SHUT_RDWR);
      g_thread_join(v->conns[i].thread);
      v->conns[i].thread = NULL;
    }
}

static void teardown(kv *v) {
  struct linger hard = {1, 0};
  stop_conns(v);
  for (guint i = 0; i < v->n; i++) {
    if (v->conns[i].fd >= 0) {
      setsockopt(v->conns[i].fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      close(v->conns[i].fd);
    }
    if (v->conns[i].sfd >= 0) {
      setsockopt(v->conns[i].sfd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      close(v->conns[i].sfd);
    }
  }
  for (guint gi = 0; gi < v->n_groups; gi++)
    if (v->listeners[gi] >= 0)
      close(v->listeners[gi]);
  if (v->pcap != NULL)
    pcap_close(v->pcap);
  for (guint i = v->made->len; i-- > 0;) {
    GError *e = NULL;
    if (!spawn_cmd(v, &e, "ip", "netns", "del", (const char *)v->made->pdata[i], NULL)) {
      fprintf(stderr, "kasim validate: warning: %s\n", e->message);
      g_error_free(e);
    }
  }
}

typedef struct action {
  ka_time at;
  int order;   /* connects before timeline events at the same time */
  guint group; /* connect */
  const ks_event_spec *ev;
} action;

static int cmp_action(const void *a, const void *b) {
  const action *x = a, *y = b;
  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return x->order - y->order;
}

static gboolean netns_permitted(char **why) {
  pid_t pid = fork();
  if (pid == 0)
    _exit(unshare(CLONE_NEWNET) == 0 ? 0 : (errno & 0xff));
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    *why = g_strdup_printf("fork: %s", g_strerror(errno));
    return FALSE;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return TRUE;
  *why = g_strdup_printf("unshare(CLONE_NEWNET): %s",
                         WIFEXITED(status) ? g_strerror(WEXITSTATUS(status)) : "crashed");
  return FALSE;
}

static gboolean play(kv *v, GError **error) {
  GArray *acts = g_array_new(FALSE, FALSE, sizeof(action));
  for (guint gi = 0; gi < v->n_groups; gi++) {
    const ks_group_spec *g = v->sc->groups->pdata[gi];
    action a = {.at = g->connect_at, .order = 0, .group = gi};
    g_array_append_val(acts, a);
  }
  for (guint i = 0; i < v->sc->events->len; i++) {
    action a = {.at = g_array_index(v->sc->events, ks_event_spec, i).at,
                .order = 1,
                .ev = &g_array_index(v->sc->events, ks_event_spec, i)};
    g_array_append_val(acts, a);
  }
  /* Stable: events keep their file order (ks_scenario sorted them). */
  for (guint i = 0; i < acts->len; i++)
    g_array_index(acts, action, i).order = g_array_index(acts, action, i).order * 100000 + (int)i;
  g_array_sort(acts, cmp_action);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < acts->len; i++) {
    const action *a = &g_array_index(acts, action, i);
    if (!(ok = wait_until(v, a->at, error)))
      break;
    if (a->ev != NULL) {
      ok = play_event(v, a->ev, error);
      continue;
    }
    for (guint j = 0; ok && j < v->n; j++)
      if (v->conns[j].group == a->group)
        ok = connect_one(v, &v->conns[j], error);
  }
  g_array_free(acts, TRUE);
  return ok && wait_until(v, v->sc->duration, error);
}

ks_val_run *ks_validate_kernel(ks_scenario *sc, const ks_val_kernel_opts *opts, int *signal_out,
                               GError **error) {
  *signal_out = 0;
  g_autofree char *why = NULL;
  if (!netns_permitted(&why)) {
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_SKIPPED,
                "network namespaces not permitted here (%s)", why);
    return NULL;
  }
  g_autofree char *ip = g_find_program_in_path("ip");
  if (ip == NULL) {
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED,
                "'ip' (iproute2) is not installed");
    return NULL;
  }
  kv v = {.sc = sc, .opts = opts, .self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)};
  if (v.self_ns < 0) {
    g_set_error(error, KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_FAILED, "/proc/self/ns/net: %s",
                g_strerror(errno));
    return NULL;
  }
  v.prefix = g_strdup_printf(NS_PREFIX "%d", (int)getpid());
  v.made = g_ptr_array_new_with_free_func(g_free);
  v.n_groups = sc->groups->len;
  v.listeners = g_new(int, v.n_groups);
  for (guint gi = 0; gi < v.n_groups; gi++)
    v.listeners[gi] = -1;
  v.client_host = ((const ks_group_spec *)sc->groups->pdata[0])->client;
  for (guint gi = 0; gi < v.n_groups; gi++)
    v.n += ((const ks_group_spec *)sc->groups->pdata[gi])->count;
  v.conns = g_new0(kconn, v.n);
  v.run = ks_val_run_new(v.n);
  v.pkts = g_array_new(FALSE, FALSE, sizeof(kpkt));
  for (guint gi = 0, id = 0; gi < v.n_groups; gi++)
    for (guint k = 0; k < ((const ks_group_spec *)sc->groups->pdata[gi])->count; k++, id++)
      v.conns[id] = (kconn){.id = id, .group = gi, .fd = -1, .sfd = -1};

  sigset_t old;
  sigemptyset(&v.sigs);
  sigaddset(&v.sigs, SIGINT);
  sigaddset(&v.sigs, SIGTERM);
  sigaddset(&v.sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &v.sigs, &old);

  struct utsname u;
  if (uname(&u) == 0)
    g_ptr_array_add(v.run->notes, g_strdup_printf("kernel: %s %s, namespaces %s-c, -r, -s0",
                                                  u.sysname, u.release, v.prefix));
  remove_stale(&v);
  GError *e = NULL;
  gboolean ok = !interrupted(&v, &e) && make_topology(&v, &e) && !interrupted(&v, &e);
  if (!ok && v.made->len == 0 && e != NULL && e->code == KS_VALIDATE_ERROR_FAILED &&
      (strstr(e->message, "not permitted") || strstr(e->message, "Permission denied"))) {
    /* unshare() works but /run/netns cannot be made (a container without
     * mount rights): namespaces are not permitted here either. */
    GError *skip = g_error_new(KS_VALIDATE_ERROR, KS_VALIDATE_ERROR_SKIPPED,
                               "network namespaces not permitted here (%s)", e->message);
    g_error_free(e);
    e = skip;
  }
  ok = ok && make_listeners(&v, &e);
  for (guint i = 0; ok && i < v.n; i++) {
    const ks_group_spec *g = sc->groups->pdata[v.conns[i].group];
    if ((v.conns[i].fd = make_socket(&v, v.ns_c, &e)) < 0)
      ok = FALSE;
    else if (g->keepalive & KS_KEEPALIVE_CLIENT)
      apply_sockopts(&v, v.conns[i].fd, g, "client");
  }
  ok = ok && open_capture(&v, &e) && !interrupted(&v, &e);
  if (ok) {
    /* Read before time 0, so that reading does not delay the run. */
    g_autofree char *timer_list = NULL;
    g_file_get_contents("/proc/timer_list", &timer_list, NULL, NULL);
    v.t0_mono = clock_ns(CLOCK_MONOTONIC);
    v.t0_rt = clock_ns(CLOCK_REALTIME);
    v.run->have_jiffies = read_jiffies(timer_list, v.t0_mono, opts->hz, &v.run->jiffies0,
                                       &v.run->subtick);
    ok = play(&v, &e);
  }
  if (ok) {
    /* Every packet up to the end is in the capture's ring already (it is
     * taken on the transmit and receive paths themselves). */
    drain_capture(&v);
    stop_conns(&v);
    build_record(&v, sc->duration);
  }
  teardown(&v);
  /* A signal that came during the teardown still counts, and wins over
   * an error it may have caused. */
  if (interrupted(&v, NULL)) {
    ok = FALSE;
    g_clear_error(&e);
    interrupted(&v, &e);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  *signal_out = v.signal;
  close(v.self_ns);
  g_free(v.prefix);
  g_free(v.ns_c);
  g_free(v.ns_r);
  g_free(v.ns_s);
  g_ptr_array_free(v.made, TRUE);
  g_free(v.listeners);
  g_free(v.conns);
  g_array_free(v.pkts, TRUE);
  if (!ok) {
    ks_val_run_free(v.run);
    g_propagate_error(error, e);
    return NULL;
  }
  return v.run;
}
