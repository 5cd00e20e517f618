/* ks_cmd_run.c - `kasim run SCENARIO`: simulate on the native engine or
 * ns-3, then write summary.json, trace.jsonl and (with --pcap)
 * capture.pcap into the output folder, all atomically, and tell the user
 * who died when and why. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>

#include "ks_backend.h"
#include "ks_engine.h"
#include "ks_afile.h"
#include "ks_cli.h"
#include "ks_format.h"
#include "ks_runner.h"
#include "ks_scenario.h"
#include "ks_shard.h"
#include "ks_sweep_comm.h"

#ifdef KASIM_HAVE_MPI
#include <mpi.h>
#endif

/* Whether the progress bar was drawn, so its line can be ended. */
typedef struct bar {
  gboolean shown;
} bar;

static void on_progress(ka_time now, ka_time end, void *ud) {
  ((bar *)ud)->shown = TRUE;
  int width = 40, done = end > 0 ? (int)((double)now / (double)end * width) : width;
  g_autofree char *n = ks_format_human(now), *e = ks_format_human(end);
  fprintf(stderr, "\r[%-*.*s] %3d%%  %s of %s virtual ", width, done,
          "########################################", done * 100 / width, n, e);
}

/* --- The live paced mode (--pace X): the front of a classroom. ---------
 * Every segment put on the wire, every loss with its reason, every give-up
 * with the error the application sees and every scenario event is printed
 * as it happens, one line each, on stdout.  On a terminal a status line on
 * stderr shows the virtual clock running through idle stretches, and keys
 * on stdin steer the run (ks_engine.h's live control). */
typedef struct live {
  const ks_scenario *sc;
  ks_pace_ctl ctl;
  gboolean status; /* stderr is a terminal: the status line */
  gboolean keys;   /* stdin is a terminal: keys, unbuffered */
  gboolean status_shown;
  struct termios saved;
  ka_time clock, end;
} live;

static live *the_live; /* for the signal handler and atexit */
static struct sigaction live_old_int, live_old_term;

/* The first Ctrl-C ends the run at the current event, keeping what was
 * written; the handler it replaced (ks_afile's) takes a second one. */
static void on_live_signal(int sig) {
  (void)sig;
  if (the_live)
    the_live->ctl.stop = 1;
  sigaction(SIGINT, &live_old_int, NULL);
  sigaction(SIGTERM, &live_old_term, NULL);
}

static void live_restore_terminal(void) {
  if (the_live && the_live->keys) {
    tcsetattr(STDIN_FILENO, TCSANOW, &the_live->saved);
    the_live->keys = FALSE;
  }
}

static const char *seg_text(guint kind) {
  static const char *const t[] = {
    "handshake", "data", "retransmission", "ACK", "keep-alive probe", "keep-alive ACK", "RST"};
  return kind < G_N_ELEMENTS(t) ? t[kind] : ks_net_seg_kind_name(kind);
}

static const char *drop_text(const char *what) {
  static const char *const t[][2] = {{"link_down", "the link is down"},
                                     {"loss", "random loss on the link"},
                                     {"middlebox", "the middlebox forgot the connection"},
                                     {"crashed", "the host has crashed"},
                                     {"no_state", "no such connection there: RST back"},
                                     {"closed", "the socket is closed"}};
  for (size_t i = 0; what && i < G_N_ELEMENTS(t); i++)
    if (strcmp(what, t[i][0]) == 0)
      return t[i][1];
  return what ? what : "?";
}

static const char *host_name(const ks_scenario *sc, guint i) {
  return i < sc->hosts->len ? ((ks_host_spec *)sc->hosts->pdata[i])->name : "?";
}

static const char *target_name(const ks_scenario *sc, const ks_trace_event *ev) {
  int kind = ks_net_event_of(ev->what);
  if (kind < 0)
    return "?";
  switch (ks_net_event_target((ks_event_kind)kind)) {
  case KS_TARGET_LINK:
    return ev->target < sc->links->len ? ((ks_link_spec *)sc->links->pdata[ev->target])->name : "?";
  case KS_TARGET_HOST: return host_name(sc, ev->target);
  default:
    return sc->middleboxes && ev->target < sc->middleboxes->len
             ? ((ks_middlebox_spec *)sc->middleboxes->pdata[ev->target])->name
             : "?";
  }
}

static void live_status(live *l) {
  if (!l->status)
    return;
  g_autofree char *now = ks_format_human(l->clock), *end = ks_format_human(l->end);
  fprintf(stderr, "\r\033[K%s %s of %s  x%g  ", l->ctl.paused ? "PAUSED" : "  >>  ", now, end,
          l->ctl.pace);
  if (l->keys)
    fputs("[space] pause  [+/-] speed  [s] skip ahead  [q] stop", stderr);
  fflush(stderr);
  l->status_shown = TRUE;
}

/* One line per event: what went on the wire, what was lost and why, who
 * gave up with which error, what the scenario did. */
static void live_event(const ks_trace_event *ev, void *ud) {
  live *l = ud;
  const ks_scenario *sc = l->sc;
  char line[256];
  g_autofree char *t = ks_format_seconds(ev->t);
  const ks_segment *seg = ev->seg;
  switch (ev->kind) {
  case KS_TRACE_SEND:
    g_snprintf(line, sizeof line, "%12s s  conn %-5u %s (%s) sends %s%s%s, %u byte%s", t, seg->conn,
               host_name(sc, ev->host), seg->from_client ? "client" : "server", seg_text(seg->kind),
               ev->what && strcmp(ev->what, "middlebox") == 0 ? " forged by the middlebox" : "", "",
               seg->len, seg->len == 1 ? "" : "s");
    break;
  case KS_TRACE_DROP:
    g_snprintf(line, sizeof line, "%12s s  conn %-5u LOST: the %s %s: %s", t, seg->conn,
               seg->from_client ? "client's" : "server's", seg_text(seg->kind),
               drop_text(ev->what));
    break;
  case KS_TRACE_CLOSE:
    if (ev->what && strcmp(ev->what, "reset_by_peer") == 0)
      g_snprintf(line, sizeof line,
                 "%12s s  conn %-5u %s is RESET by its peer: the application "
                 "sees %s",
                 t, ev->target, host_name(sc, ev->host), ev->error ? ev->error : "?");
    else
      g_snprintf(line, sizeof line, "%12s s  conn %-5u %s GIVES UP (%s): the application sees %s",
                 t, ev->target, host_name(sc, ev->host), ev->what ? ev->what : "?",
                 ev->error ? ev->error : "?");
    break;
  case KS_TRACE_SCENARIO:
    g_snprintf(line, sizeof line, "%12s s  scenario: %s %s", t, ev->what ? ev->what : "?",
               target_name(sc, ev));
    break;
  default: /* arrivals and timers: the sends and their fates tell it */ return;
  }
  if (l->status_shown)
    fputs("\r\033[K", stderr), fflush(stderr);
  puts(line);
  fflush(stdout);
  l->clock = ev->t;
  live_status(l);
}

/* Keys, read without waiting, about ten times a second. */
static void live_keys(live *l) {
  struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
  char c;
  while (l->keys && poll(&p, 1, 0) > 0 && read(STDIN_FILENO, &c, 1) == 1) {
    switch (c) {
    case ' ':
    case 'p': l->ctl.paused = !l->ctl.paused; break;
    case '+':
    case '=': l->ctl.pace = MIN(l->ctl.pace * 2, 1e9); break;
    case '-':
    case '_': l->ctl.pace = MAX(l->ctl.pace / 2, 1e-3); break;
    case 's':
    case 'n':
    case '\t': l->ctl.skip = 1; break;
    case 'q':
    case 3: l->ctl.stop = 1; break;
    default: break;
    }
  }
}

static void live_progress(ka_time now, ka_time end, void *ud) {
  live *l = ud;
  l->clock = now;
  l->end = end;
  live_keys(l);
  live_status(l);
}

static void live_start(live *l, const ks_scenario *sc, double pace) {
  *l = (live){.sc = sc, .ctl = {.pace = pace}, .end = sc->duration};
  l->status = isatty(STDERR_FILENO);
  the_live = l;
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &l->saved) == 0) {
    struct termios raw = l->saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    l->keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    atexit(live_restore_terminal);
  }
  /* After ks_afile's handlers, which this one hands a second signal to. */
  ks_afile_install_signal_handlers();
  struct sigaction sa = {0};
  sa.sa_handler = on_live_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &live_old_int);
  sigaction(SIGTERM, &sa, &live_old_term);
}

/* Where the trace grows until the run ends and the folder takes its place. */
static void live_folder(const char *dir, void *ud) {
  (void)ud;
  g_autofree char *shown = ks_escape(dir);
  printf("The trace grows in %s/trace.jsonl until the run ends.\n", shown);
  fflush(stdout);
}

static void live_end(live *l) {
  if (l->status_shown)
    fputs("\r\033[K", stderr), fflush(stderr);
  live_restore_terminal();
  sigaction(SIGINT, &live_old_int, NULL);
  sigaction(SIGTERM, &live_old_term, NULL);
}

static int cmp_time(const void *a, const void *b) {
  ka_time x = *(const ka_time *)a, y = *(const ka_time *)b;
  return (x > y) - (x < y);
}

/* Per group: how many died, of what, and when (first, median, last).
 * Each connection's result goes into its group's and reason's bucket as
 * the runner writes it (ks_runner_opts.on_result, every rank's in a run
 * over several processes): a pass per group and reason cost groups x
 * reasons x connections, hours for 10,000 groups. */
enum { REASONS = KA_CLOSE_RESET_BY_PEER + 1 };

typedef struct bucket {
  GArray *times; /* ka_time; NULL for the alive, only counted */
  guint32 n;
  const char *error;
} bucket;

typedef struct report {
  guint n_groups;
  bucket *buckets; /* [n_groups * REASONS] */
} report;

static void report_add(const ks_conn_result *r, void *ud) {
  report *rep = ud;
  if (r->group >= rep->n_groups || (guint)r->reason >= REASONS)
    return;
  bucket *k = &rep->buckets[(gsize)r->group * REASONS + r->reason];
  k->n++;
  k->error = r->error;
  if (r->reason == KA_CLOSE_NONE)
    return;
  if (k->times == NULL)
    k->times = g_array_new(FALSE, FALSE, sizeof(ka_time));
  g_array_append_val(k->times, r->closed_at);
}

static void print_human(const ks_scenario *sc, const ks_backend *b, const void *w,
                        const ks_runner_stats *st, report *rep, const char *out_dir) {
  g_autofree char *vt = ks_format_human(b->now(w));
  g_autofree char *events = ks_format_count(st->engine_events);
  printf("kasim run: %s%s%s, %s of virtual time, %s %s\n", sc->name, b->stack ? " on " : "",
         b->stack ? b->stack : "", vt, events, ks_plural(st->engine_events, "event", "events"));
  for (guint gi = 0; gi < rep->n_groups; gi++) {
    const ks_group_spec *g = sc->groups->pdata[gi];
    for (int k = KA_CLOSE_NONE; k < REASONS; k++) {
      bucket *bk = &rep->buckets[(gsize)gi * REASONS + k];
      GArray *times = bk->times;
      if (bk->n == 0)
        continue;
      if (k == KA_CLOSE_NONE) {
        printf("  %s: %u of %u alive at the end\n", g->name, bk->n, g->count);
      } else {
        g_array_sort(times, cmp_time);
        g_autofree char *first = ks_format_seconds(g_array_index(times, ka_time, 0));
        g_autofree char *med = ks_format_seconds(g_array_index(times, ka_time, times->len / 2));
        g_autofree char *last = ks_format_seconds(g_array_index(times, ka_time, times->len - 1));
        if (times->len == 1)
          printf("  %s: closed at %s s by %s (%s)\n", g->name, first,
                 ka_close_reason_name((ka_close_reason)k), bk->error);
        else
          printf("  %s: %u closed by %s (%s), first at %s s, median %s s, last %s s\n", g->name,
                 times->len, ka_close_reason_name((ka_close_reason)k), bk->error, first, med, last);
      }
    }
  }
  printf("Results in %s/\n", out_dir);
}

/* --- A run over MPI ranks (ks_shard.h), when mpirun started kasim. ----- */

#ifdef KASIM_HAVE_MPI
enum { SHARD_TAG = 20 };

/* Waits for `req` without Open MPI's busy polling: a rank that is ahead
 * (done with its connections, or waiting for rank 0 to write the files)
 * would otherwise spin on a core the others need, which costs a run on a
 * shared machine more than it saves.  A few quick tests first, then naps
 * of 0.2 ms. */
static void mpi_wait(MPI_Request *req) {
  int done = 0;
  for (int i = 0; !done; i++) {
    MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (!done && i >= 16)
      g_usleep(200);
  }
}

static void mpi_sum(void *ud, guint64 *v, int n) {
  (void)ud;
  MPI_Request req;
  MPI_Iallreduce(MPI_IN_PLACE, v, n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD, &req);
  mpi_wait(&req);
}

static void mpi_max(void *ud, gint64 *v, int n) {
  (void)ud;
  MPI_Request req;
  MPI_Iallreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD, &req);
  mpi_wait(&req);
}

static void mpi_send(void *ud, const void *buf, gsize len) {
  (void)ud;
  MPI_Request req;
  MPI_Isend(buf, (int)len, MPI_BYTE, 0, SHARD_TAG, MPI_COMM_WORLD, &req);
  mpi_wait(&req);
}

static void *mpi_recv(void *ud, guint from, gsize *len) {
  (void)ud;
  MPI_Status st;
  int n = 0, ready = 0;
  for (int i = 0; !ready; i++) {
    MPI_Iprobe((int)from, SHARD_TAG, MPI_COMM_WORLD, &ready, &st);
    if (!ready && i >= 16)
      g_usleep(200);
  }
  MPI_Get_count(&st, MPI_BYTE, &n);
  void *buf = g_malloc(n > 0 ? (gsize)n : 1);
  MPI_Recv(buf, n, MPI_BYTE, (int)from, SHARD_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  *len = (gsize)n;
  return buf;
}
#endif

/* The ranks' messages for ks_runner (NULL: one process). */
static const ks_shard_comm *shard_comm(const ks_comm *comm, ks_shard_comm *out) {
  if (comm->size < 2)
    return NULL;
#ifdef KASIM_HAVE_MPI
  *out = (ks_shard_comm){.rank = comm->rank,
                         .size = comm->size,
                         .sum = mpi_sum,
                         .max = mpi_max,
                         .send = mpi_send,
                         .recv = mpi_recv};
  return out;
#else
  (void)out;
  return NULL; /* ks_comm_init refuses several ranks without MPI */
#endif
}

/* --trace: all, none, failures or conn=LIST (ids and ranges A-B, commas
 * between); ids are checked against the scenario once it is loaded. */
static gboolean parse_trace(const char *text, ks_runner_opts *o, GArray *ids, GError **error) {
  static const struct {
    const char *name;
    ks_trace_level level;
  } names[] = {{"all", KS_TRACE_LEVEL_ALL},
               {"none", KS_TRACE_LEVEL_NONE},
               {"failures", KS_TRACE_LEVEL_FAILURES}};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (strcmp(text, names[i].name) == 0) {
      o->trace = names[i].level;
      return TRUE;
    }
  g_autofree char *shown = ks_escape(text);
  if (strncmp(text, "conn=", 5) != 0 || text[5] == '\0') {
    g_set_error(error, KS_CLI_ERROR, 0,
                "--trace %s: must be all, none, failures or conn=LIST "
                "(connection ids and ranges, as in conn=0,7,100-199)",
                shown);
    return FALSE;
  }
  g_auto(GStrv) parts = g_strsplit(text + 5, ",", -1);
  for (guint i = 0; parts[i]; i++) {
    guint64 lo, hi;
    g_auto(GStrv) ends = g_strsplit(parts[i], "-", 2);
    gboolean ok = ends[0] && g_ascii_string_to_unsigned(ends[0], 10, 0, G_MAXUINT32, &lo, NULL);
    hi = lo;
    if (ok && ends[1])
      ok = g_ascii_string_to_unsigned(ends[1], 10, 0, G_MAXUINT32, &hi, NULL) && hi >= lo;
    if (!ok) {
      g_set_error(error, KS_CLI_ERROR, 0,
                  "--trace %s: '%s' is not a connection id or a range "
                  "A-B (as in conn=0,7,100-199)",
                  shown, parts[i]);
      return FALSE;
    }
    if (hi - lo > 100000000) {
      g_set_error(error, KS_CLI_ERROR, 0, "--trace %s: range '%s' is too long", shown, parts[i]);
      return FALSE;
    }
    for (guint64 c = lo; c <= hi; c++) {
      guint32 v = (guint32)c;
      g_array_append_val(ids, v);
    }
  }
  o->trace = KS_TRACE_LEVEL_CONNS;
  return TRUE;
}

/* The exit status for problems of the machine rather than of the input:
 * memory for the world, a full disk, an I/O error (docs/limits.md). */
#define KS_EXIT_SYSTEM 3

/* Whether --out DIR can hold the run's files, before anything is loaded or
 * made: an existing DIR must be a folder where files can be created; a
 * missing one, creatable in its nearest existing parent.  Both are tried
 * by making a file there (access() says yes to root on a read-only mount
 * or in /proc). */
static gboolean check_out_dir(const char *dir, GError **error) {
  g_autofree char *shown = ks_escape(dir);
  g_autofree char *at = g_strdup(dir);
  struct stat st;
  gboolean exists = stat(at, &st) == 0;
  while (!exists && (errno == ENOENT || errno == ENOTDIR)) {
    char *parent = g_path_get_dirname(at);
    gboolean top = strcmp(parent, at) == 0;
    g_free(at);
    at = parent;
    if (top)
      break;
    exists = stat(at, &st) == 0;
  }
  if (!exists) {
    int err = errno;
    g_set_error(error, KS_CLI_ERROR, 0, "--out %s: %s", shown, g_strerror(err));
    return FALSE;
  }
  if (!S_ISDIR(st.st_mode)) {
    g_autofree char *which = ks_escape(at);
    if (strcmp(at, dir) == 0)
      g_set_error(error, KS_CLI_ERROR, 0, "--out %s: not a folder (a file is there)", shown);
    else
      g_set_error(error, KS_CLI_ERROR, 0, "--out %s: %s is not a folder", shown, which);
    return FALSE;
  }
  /* An unnamed file, which a kill cannot leave behind; where the file
   * system has none, a hidden folder made and removed at once. */
  int fd = open(at, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  int err = errno;
  if (fd >= 0) {
    close(fd);
    return TRUE;
  }
  g_autofree char *probe = g_build_filename(at, ".kasim-out-XXXXXX", NULL);
  if ((err == EOPNOTSUPP || err == EISDIR) && g_mkdtemp(probe) != NULL) {
    g_rmdir(probe);
    return TRUE;
  }
  if (err == EOPNOTSUPP || err == EISDIR)
    err = errno;
  g_set_error(error, KS_CLI_ERROR, 0, "--out %s: cannot create anything %s: %s", shown,
              strcmp(at, dir) == 0 ? "in it" : "there", g_strerror(err));
  return FALSE;
}

int ks_cmd_run(int argc, char **argv) {
  g_autofree char *out_dir = NULL, *engine = NULL, *seed_text = NULL, *pace_text = NULL,
                  *trace_text = NULL;
  g_auto(GStrv) sets = NULL, limit_sets = NULL;
  gboolean pcap = FALSE, compress = FALSE, in_place = FALSE;
  double pace = 0; /* not given: as fast as possible */
  GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output folder (default out/NAME)", "DIR"},
    {"seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Random seed (default: the scenario's)", "N"},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
     "A registry value, sysctl or socket option for every host or group", "NAME=VALUE"},
    {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "Also write capture.pcap", NULL},
    {"pace", 0, 0, G_OPTION_ARG_STRING, &pace_text,
     "Live: X virtual seconds per real second, events printed as they happen (default: "
     "as fast as possible, silently)",
     "X"},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &engine, "native (default) or ns3", "NAME"},
    {"trace", 0, 0, G_OPTION_ARG_STRING, &trace_text,
     "What trace.jsonl holds: all, none, failures or conn=LIST (default: all up to " G_STRINGIFY(
       KS_RUNNER_FULL_MAX) " connections, failures above)",
     "LEVEL"},
    {"compress", 0, 0, G_OPTION_ARG_NONE, &compress,
     "Write trace.jsonl.gz and connections.csv.gz (gzip) instead of trace.jsonl and "
     "connections.csv",
     NULL},
    {"in-place", 0, 0, G_OPTION_ARG_NONE, &in_place,
     "Rename the files into DIR one by one, for a folder that cannot be replaced whole "
     "(docs/output.md)",
     NULL},
    {"limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &limit_sets,
     "Raise a limit on what a scenario may ask for (docs/limits.md)", "NAME=VALUE"},
    G_OPTION_ENTRY_NULL,
  };
  GError *error = NULL;
  /* Under mpirun: one rank of a run over several processes. */
  ks_comm comm;
  if (!ks_comm_init(&comm, &argc, &argv, &error)) {
    ks_cli_print_error("run", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  GOptionContext *ctx = g_option_context_new("SCENARIO - simulate a scenario");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  guint64 seed = 0;
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0,
                argc < 2 ? "a scenario file is required" : "unexpected argument '%s'", argv[2]),
      ok = FALSE;
  const ks_backend *b = ok ? ks_cli_engine_find(engine, &error) : NULL;
  ok = b != NULL;
  /* GLib reads "nan", "inf" and 1e999 as doubles. */
  /* 0 and below are refused alike: leaving --pace out is how to run flat out. */
  if (ok && pace_text) {
    char *end = NULL;
    pace = g_ascii_strtod(pace_text, &end);
    if (end == pace_text || *end != '\0' || !isfinite(pace) || !(pace > 0))
      g_set_error(&error, KS_CLI_ERROR, 0,
                  "--pace %s: must be a number above 0 (virtual "
                  "seconds per real second; leave --pace out to run as fast as possible)",
                  pace_text),
        ok = FALSE;
  }
  gboolean paced = ok && pace_text != NULL;
  if (paced && compress)
    g_set_error(&error, KS_CLI_ERROR, 0,
                "--compress and --pace: a live run writes trace.jsonl as it happens, to be "
                "followed; leave one out"),
      ok = FALSE;
  if (ok && seed_text && !g_ascii_string_to_unsigned(seed_text, 10, 0, G_MAXUINT64, &seed, NULL))
    g_set_error(&error, KS_CLI_ERROR, 0, "--seed %s: not a whole number", seed_text), ok = FALSE;
  ks_runner_opts opts = {.backend = b,
                         .pcap = pcap,
                         .pace = pace,
                         .compress = compress,
                         .in_place = in_place};
  g_autoptr(GArray) trace_ids = g_array_new(FALSE, FALSE, sizeof(guint32));
  if (ok && trace_text)
    ok = parse_trace(trace_text, &opts, trace_ids, &error);
  ks_limits limits;
  ok = ok && ks_limits_init_env(&limits, &error);
  for (guint i = 0; ok && limit_sets && limit_sets[i]; i++)
    ok = ks_limits_set(&limits, limit_sets[i], "--limit", &error);
  if (ok && out_dir && comm.rank == 0) /* the files are rank 0's */
    ok = check_out_dir(out_dir, &error);
  ks_scenario *sc = ok ? ks_scenario_load_data(argv[1], NULL, 0, sets, &limits, &error) : NULL;
  /* What the engine cannot run is refused before anything is written. */
  if (sc != NULL && !b->check(sc, pace, &error))
    g_clear_pointer(&sc, ks_scenario_free);
  if (sc != NULL && opts.trace == KS_TRACE_LEVEL_CONNS) {
    guint64 total = 0;
    for (guint gi = 0; gi < sc->groups->len; gi++)
      total += ((ks_group_spec *)sc->groups->pdata[gi])->count;
    for (guint i = 0; i < trace_ids->len; i++)
      if (g_array_index(trace_ids, guint32, i) >= total) {
        g_autofree char *shown = ks_escape(trace_text);
        g_set_error(&error, KS_CLI_ERROR, 0,
                    "--trace %s: no connection %u (the scenario has "
                    "%" G_GUINT64_FORMAT ", numbered from 0)",
                    shown, g_array_index(trace_ids, guint32, i), total);
        g_clear_pointer(&sc, ks_scenario_free);
        break;
      }
    opts.trace_conns = (const guint32 *)trace_ids->data;
    opts.n_trace_conns = trace_ids->len;
  }
  /* Every rank starts the run, or none: each says whether it can, and
   * says why not where rank 0 could (the same words on every rank, as a
   * rule) or on rank 0. */
  guint64 cannot[2] = {sc == NULL, comm.rank == 0 && sc == NULL};
  ks_comm_sum(&comm, cannot, 2);
  if (sc != NULL && cannot[0] > 0) {
    g_set_error(&error, KS_CLI_ERROR, 0,
                "another process of the run could not start it (its message above)");
    g_clear_pointer(&sc, ks_scenario_free);
  }
  if (sc == NULL) {
    if (comm.rank == 0 || cannot[1] == 0)
      ks_cli_print_error("run", error);
    g_error_free(error);
    ks_comm_finish(&comm);
    return KS_EXIT_USAGE;
  }
  ks_shard_comm shard;
  opts.shard = shard_comm(&comm, &shard);
  if (seed_text == NULL)
    seed = sc->seed;
  gboolean out_given = out_dir != NULL;
  if (out_dir == NULL)
    out_dir = g_build_filename("out", sc->name, NULL);
  /* The runner draws the bar's last state once the run is over. */
  bar shown = {FALSE};
  ks_runner_stats stats;
  opts.stats = &stats;
  report rep = {.n_groups = sc->groups->len};
  rep.buckets = g_new0(bucket, (gsize)rep.n_groups * REASONS);
  opts.on_result = report_add, opts.result_ud = &rep;
  live lv;
  if (paced) {
    live_start(&lv, sc, pace);
    opts.pace_ctl = &lv.ctl;
    opts.on_event = live_event, opts.event_ud = &lv;
    opts.on_folder = live_folder;
    opts.progress = live_progress, opts.progress_ud = &lv;
  } else if (isatty(STDERR_FILENO) && comm.rank == 0) {
    opts.progress = on_progress, opts.progress_ud = &shown;
  }
  void *w = ks_runner_run_scenario(sc, seed, out_dir, &opts, &error);
  if (paced)
    live_end(&lv);
  if (shown.shown)
    fputc('\n', stderr);
  int status = 0;
  if (w) {
    if (paced && lv.ctl.stop) {
      g_autofree char *at = ks_format_seconds(b->now(w));
      printf("Interrupted at %s s of virtual time: the files hold the run up to there.\n", at);
      status = 130;
    }
    if (comm.rank == 0) {
      print_human(sc, b, w, &stats, &rep, out_dir);
      g_autofree char *left = ks_runner_left_out(&stats);
      if (left)
        printf("Left out: %s.\n", left);
    }
    b->world_free(w);
  } else {
    /* The folder's fault is the user's to fix (2); the machine's is 3;
     * anything else would be kasim's own (1). */
    gboolean out = g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_OUT);
    gboolean refused = g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_REFUSED);
    gboolean peer = g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_PEER);
    status = out || refused ? KS_EXIT_USAGE
             : peer || g_error_matches(error, KS_RUNNER_ERROR, KS_RUNNER_ERROR_SYSTEM)
               ? KS_EXIT_SYSTEM
               : 1;
    g_autofree char *msg = ks_escape(error->message);
    g_autofree char *dir = ks_escape(out_dir);
    /* Rank 0 says it all; another rank only what happened to it alone.
     * A message that names the folder first gets only "--out " before. */
    gboolean named = g_str_has_prefix(msg, dir) && msg[strlen(dir)] == ':';
    if (comm.rank == 0 || !(refused || peer))
      fprintf(stderr, "kasim run: %s%s%s%s\n", out && out_given ? "--out " : "",
              out && out_given && !named ? dir : "", out && out_given && !named ? ": " : "", msg);
    g_error_free(error);
  }
  for (gsize i = 0; i < (gsize)rep.n_groups * REASONS; i++)
    if (rep.buckets[i].times)
      g_array_free(rep.buckets[i].times, TRUE);
  g_free(rep.buckets);
  ks_scenario_free(sc);
  ks_comm_finish(&comm);
  return status;
}
