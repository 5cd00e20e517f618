/* ks_sweep_pool.c - the worker processes of a sweep: `jobs` of them,
 * forked once, each taking cell numbers from the sweep over a pipe and
 * answering with each cell's record over another.  See ks_sweep.h
 * (ks_sweep_run_cells) and docs/sweep.md, "Parallel on one machine".
 *
 * Long-lived workers, not a process per cell: a fork, the child's first
 * touch of every page it shares with the sweep and its first allocations
 * cost a one-connection cell more than its run (bench/bench_sweep.c), and
 * a worker that runs many cells reuses its memory as `kasim run` would.
 * Nor a message per cell: waking the other process costs such a cell a
 * tenth of its run on this machine.  A worker sends its answers when it
 * has run every cell it holds or every FLUSH_US, and the sweep keeps each
 * worker holding about twice the cells it runs in that time, so that it
 * never waits between two cells and the last cells still spread over
 * every worker.
 *
 * A worker that dies (a crash, a kill) takes the cell it was running with
 * it: the sweep says so and counts it failed, counts the cells it had
 * finished (their cell.json is there) as run, puts the cells it had not
 * started back in the queue and starts another worker for them.  The
 * sweep itself goes on.
 */
#define _DEFAULT_SOURCE /* prctl() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define KS_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KS_HAVE_LSAN 1
#endif
#endif
#ifdef KS_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "ks_afile.h"
#include "ks_sweep.h"
#include "ks_sweep_priv.h"

/* A worker's answers go to the sweep at least this often (microseconds). */
#define FLUSH_US 20000
/* The most cells a worker holds: their numbers fill one page, the least a
 * pipe holds (Linux shrinks a user's pipes to one page past
 * pipe-user-pages-soft), so the sweep never waits to send them. */
#define MAX_HELD 512

/* What a worker says after each cell: its number, whether it is complete,
 * and the record's length; the record follows. */
typedef struct answer {
  guint64 k;
  guint32 ok;
  guint32 len;
} answer;

typedef struct worker {
  pid_t pid;
  int cmd;        /* the sweep writes cell numbers here */
  int res;        /* and reads the answers here (non-blocking) */
  GArray *held;   /* guint64: sent, not yet answered, in the order sent */
  GByteArray *in; /* what was read of the answers so far */
} worker;

/* ---- a worker ----------------------------------------------------------- */

static gboolean write_full(int fd, const void *buf, size_t len) {
  for (size_t done = 0; done < len;) {
    ssize_t n = write(fd, (const char *)buf + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    done += (size_t)n;
  }
  return TRUE;
}

/* Runs the cells the sweep sends until it closes the pipe. */
G_NORETURN static void worker_main(const ks_sweep_plan *s, int cmd, int res, pid_t parent) {
#ifdef __linux__
  /* A worker never outlives its sweep: kill -9 of the sweep ends the
   * workers too (SIGTERM: ks_afile removes their temporaries), so a
   * resumed sweep never meets a cell still being written. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent)
    _exit(1);
#else
  (void)parent;
#endif
  ks_afile_install_signal_handlers();
  GByteArray *out = g_byte_array_new();
  GArray *queue = g_array_new(FALSE, FALSE, sizeof(guint64));
  guint8 part[sizeof(guint64)]; /* a cell number cut by a read */
  gsize n_part = 0, next = 0;
  gint64 flushed = g_get_monotonic_time();
  for (;;) {
    if (next == queue->len) {
      /* Nothing left to run: the answers go, then the next cells come. */
      if (out->len && !write_full(res, out->data, out->len))
        break; /* the sweep is gone */
      g_byte_array_set_size(out, 0);
      flushed = g_get_monotonic_time();
      g_array_set_size(queue, 0);
      next = 0;
      guint8 buf[4096];
      ssize_t n;
      while ((n = read(cmd, buf, sizeof buf)) < 0 && errno == EINTR)
        ;
      if (n <= 0)
        break; /* the sweep closed the pipe: done */
      for (ssize_t i = 0; i < n; i++) {
        part[n_part++] = buf[i];
        if (n_part == sizeof part) {
          guint64 k;
          memcpy(&k, part, sizeof k);
          g_array_append_val(queue, k);
          n_part = 0;
        }
      }
      continue;
    }
    guint64 k = g_array_index(queue, guint64, next++);
    gsize at = out->len;
    answer a = {.k = k};
    g_byte_array_set_size(out, (guint)(at + sizeof a));
    a.ok = ks_sweep_cell_work(s, k, out);
    a.len = (guint32)(out->len - at - sizeof a);
    memcpy(out->data + at, &a, sizeof a);
    if (g_get_monotonic_time() - flushed >= FLUSH_US) {
      if (!write_full(res, out->data, out->len))
        break;
      g_byte_array_set_size(out, 0);
      flushed = g_get_monotonic_time();
    }
  }
  g_byte_array_free(out, TRUE);
  g_array_free(queue, TRUE);
#ifdef KS_HAVE_LSAN
  /* _exit skips the end-of-process leak check; run it here. */
  if (s->worker_leak_check)
    __lsan_do_leak_check();
#endif
  /* _exit: the parent's atexit handlers (MPI's among them) are not ours. */
  _exit(0);
}

/* ---- the sweep's side --------------------------------------------------- */

typedef struct pool {
  ks_sweep_plan *s;
  GArray *workers; /* worker */
  GArray *todo;    /* guint64: the cells to run, in order */
  guint64 next;    /* todo's first cell not yet sent */
  GArray *again;   /* guint64: cells a dead worker had not started */
  ks_sweep_tally *t;
  ks_sweep_progress_fn progress;
  void *ud;
  guint64 mine;
  pid_t self;
  gint64 start_us;  /* when the first worker started */
  guint64 answered; /* cells answered since */
} pool;

static guint64 left_to_send(const pool *p) { return p->again->len + (p->todo->len - p->next); }

static guint64 take_cell(pool *p) {
  if (p->again->len > 0) {
    guint64 k = g_array_index(p->again, guint64, p->again->len - 1);
    g_array_set_size(p->again, p->again->len - 1);
    return k;
  }
  return g_array_index(p->todo, guint64, p->next++);
}

static void report(pool *p) {
  if (p->progress)
    p->progress(p->t, p->mine, p->ud);
}

/* How many cells a worker should hold: twice what it runs between two
 * answers (FLUSH_US), at least 2 (the one it runs and the next), and at
 * the end no more than its share of what is left. */
static guint held_target(const pool *p) {
  guint d = 2;
  guint nw = MAX(p->workers->len, 1);
  if (p->answered > 0) {
    double us_per_cell = (double)(g_get_monotonic_time() - p->start_us) * nw / (double)p->answered;
    d = (guint)MIN((double)MAX_HELD, 2.0 * FLUSH_US / MAX(us_per_cell, 1.0) + 1);
  }
  guint64 share = (left_to_send(p) + nw - 1) / nw;
  return (guint)MAX(2, MIN(d, MAX(share, 1)));
}

/* Sends the worker cells up to held_target(), in one write; with none
 * left to send, closes its pipe once it holds none, which ends it.  (The
 * pipe never fills: what the worker has not read yet, and what is sent,
 * are cells it holds, at most MAX_HELD.) */
static void feed(pool *p, worker *w) {
  guint want = held_target(p);
  if (w->cmd >= 0 && w->held->len < want && left_to_send(p) > 0) {
    guint n = (guint)MIN(want - w->held->len, left_to_send(p));
    guint64 *ks = g_new(guint64, n);
    for (guint i = 0; i < n; i++)
      ks[i] = take_cell(p);
    if (write_full(w->cmd, ks, n * sizeof *ks)) {
      g_array_append_vals(w->held, ks, n);
    } else { /* it died: the end of its answers says so */
      g_array_append_vals(p->again, ks, n);
      close(w->cmd);
      w->cmd = -1;
    }
    g_free(ks);
  }
  if (w->cmd >= 0 && w->held->len == 0 && left_to_send(p) == 0) {
    close(w->cmd);
    w->cmd = -1;
  }
}

/* Forks a worker; FALSE when the system will not. */
static gboolean start_worker(pool *p) {
  int cmd[2], res[2];
  if (pipe(cmd) != 0)
    return FALSE;
  if (pipe(res) != 0) {
    close(cmd[0]);
    close(cmd[1]);
    return FALSE;
  }
  fflush(NULL); /* nothing buffered is written twice */
  pid_t pid = fork();
  if (pid == 0) {
    /* The other workers' pipes are theirs alone: a copy here would keep
     * one alive after the sweep closed it. */
    for (guint i = 0; i < p->workers->len; i++) {
      const worker *o = &g_array_index(p->workers, worker, i);
      if (o->cmd >= 0)
        close(o->cmd);
      close(o->res);
    }
    close(cmd[1]);
    close(res[0]);
    worker_main(p->s, cmd[0], res[1], p->self);
  }
  int err = errno;
  close(cmd[0]);
  close(res[1]);
  if (pid < 0) {
    close(cmd[1]);
    close(res[0]);
    errno = err;
    return FALSE;
  }
  fcntl(res[0], F_SETFL, fcntl(res[0], F_GETFL) | O_NONBLOCK);
  fcntl(cmd[1], F_SETFD, FD_CLOEXEC);
  fcntl(res[0], F_SETFD, FD_CLOEXEC);
  if (p->start_us == 0)
    p->start_us = g_get_monotonic_time();
  worker w = {.pid = pid,
              .cmd = cmd[1],
              .res = res[0],
              .held = g_array_new(FALSE, FALSE, sizeof(guint64)),
              .in = g_byte_array_new()};
  g_array_append_val(p->workers, w);
  feed(p, &g_array_index(p->workers, worker, p->workers->len - 1));
  return TRUE;
}

/* The answers read so far: each ends the first cell the worker holds. */
static void take_answers(pool *p, worker *w) {
  gsize at = 0;
  guint done = 0;
  while (w->in->len - at >= sizeof(answer)) {
    answer a;
    memcpy(&a, w->in->data + at, sizeof a);
    if (w->in->len - at - sizeof a < a.len)
      break; /* the rest is on its way */
    const guint8 *rec = w->in->data + at + sizeof a;
    at += sizeof a + a.len;
    if (done >= w->held->len || g_array_index(w->held, guint64, done) != a.k)
      continue; /* cannot happen: answers come in the order sent */
    done++;
    p->answered++;
    if (a.ok) {
      ks_sweep_keep(p->s, a.k, rec, a.len);
      p->t->ran++;
    } else {
      p->t->failed++; /* the worker said why */
    }
    report(p);
  }
  g_array_remove_range(w->held, 0, done);
  g_byte_array_remove_range(w->in, 0, (guint)at);
  feed(p, w);
}

/* Counts every cell left as failed: no worker can be started for it. */
static void fail_the_rest(pool *p, int err) {
  while (left_to_send(p) > 0) {
    guint64 k = take_cell(p);
    g_autofree char *label = ks_sweep_cell_label(p->s, k);
    fprintf(stderr, "kasim sweep: %s: cannot start a worker: %s\n", label, g_strerror(err));
    p->t->failed++;
    report(p);
  }
}

/* A worker's answers ended: it has exited or died.  Of the cells it held,
 * those whose cell.json it wrote are run (their answers were lost with
 * it), the next one failed (it was running it), and the others go to
 * another worker.  Every death ends at least one cell (a worker holds
 * cells from its start), so replacing it always comes to an end. */
static void bury(pool *p, guint i) {
  worker *w = &g_array_index(p->workers, worker, i);
  int status = 0;
  while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
    ;
  gboolean blamed = FALSE;
  for (guint j = 0; j < w->held->len; j++) {
    guint64 k = g_array_index(w->held, guint64, j);
    if (blamed) {
      g_array_append_val(p->again, k);
      continue;
    }
    if (ks_sweep_cell_complete(p->s, k)) {
      p->t->ran++; /* the merge reads its record back */
    } else {
      g_autofree char *label = ks_sweep_cell_label(p->s, k);
      if (WIFSIGNALED(status))
        fprintf(stderr, "kasim sweep: %s: the worker was killed by signal %d\n", label,
                WTERMSIG(status));
      else
        fprintf(stderr, "kasim sweep: %s: the worker exited with status %d\n", label,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      p->t->failed++;
      blamed = TRUE;
    }
    report(p);
  }
  if (w->cmd >= 0)
    close(w->cmd);
  close(w->res);
  g_array_free(w->held, TRUE);
  g_byte_array_free(w->in, TRUE);
  g_array_remove_index_fast(p->workers, i);
  if (left_to_send(p) > 0 && !start_worker(p) && p->workers->len == 0)
    fail_the_rest(p, errno);
}

/* Reads what a worker has written; FALSE at the end of its answers. */
static gboolean drain(worker *w) {
  guint8 buf[65536];
  for (;;) {
    ssize_t n = read(w->res, buf, sizeof buf);
    if (n > 0) {
      g_byte_array_append(w->in, buf, (guint)n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

void ks_sweep_run_cells(ks_sweep_plan *s, guint rank, guint size, guint jobs,
                        ks_sweep_progress_fn progress, void *ud, ks_sweep_tally *t) {
  pool p = {.s = s,
            .workers = g_array_new(FALSE, FALSE, sizeof(worker)),
            .todo = g_array_new(FALSE, FALSE, sizeof(guint64)),
            .again = g_array_new(FALSE, FALSE, sizeof(guint64)),
            .t = t,
            .progress = progress,
            .ud = ud,
            .mine = rank < s->cells ? (s->cells - rank + size - 1) / size : 0,
            .self = getpid()};
  ks_sweep_keep_start(s, rank, size);
  /* The cells to run: this rank's, not complete. */
  for (guint64 k = rank; k < s->cells; k += size) {
    if (ks_sweep_cell_complete(s, k)) {
      t->kept++;
      report(&p);
    } else {
      g_array_append_val(p.todo, k);
    }
  }
  /* A worker that died must not take the sweep with it when the sweep
   * writes to its pipe. */
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, &old_pipe);
  guint n = (guint)MIN((guint64)jobs, p.todo->len);
  for (guint i = 0; i < n; i++)
    if (!start_worker(&p))
      break;
  if (p.workers->len == 0)
    fail_the_rest(&p, errno);
  struct pollfd *fds = g_new(struct pollfd, MAX(n, 1));
  while (p.workers->len > 0) {
    guint nw = p.workers->len;
    for (guint i = 0; i < nw; i++)
      fds[i] = (struct pollfd){.fd = g_array_index(p.workers, worker, i).res, .events = POLLIN};
    if (poll(fds, nw, -1) < 0) {
      if (errno == EINTR)
        continue;
      g_error("kasim sweep: poll: %s", g_strerror(errno)); /* cannot happen */
    }
    /* From the last, so that burying one (the last takes its place, a new
     * one goes at the end) leaves the places still to look at as they
     * were. */
    for (guint i = nw; i-- > 0;) {
      if (fds[i].revents == 0)
        continue;
      worker *w = &g_array_index(p.workers, worker, i);
      gboolean open = drain(w);
      take_answers(&p, w);
      if (!open)
        bury(&p, i);
    }
  }
  sigaction(SIGPIPE, &old_pipe, NULL);
  g_free(fds);
  g_array_free(p.workers, TRUE);
  g_array_free(p.todo, TRUE);
  g_array_free(p.again, TRUE);
  ks_sweep_plan_sync(s);
}
