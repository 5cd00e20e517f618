/* ks_validate.h - validation of the model against the real Linux TCP stack
 * (`kasim validate --kernel SCENARIO`, docs/validation.md).
 *
 * The same scenario runs twice: on the native engine (ks_world, virtual
 * time) for the model's prediction, and on the kernel of this machine
 * (network namespaces, real sockets, wall time) for the truth.  Both runs
 * are reduced to the same record per connection, seen from its keep-alive
 * socket: the probes it sent (each as the time since the last segment it
 * received), how many were answered, when it gave up or was reset, whether
 * it sent an RST and the errno a pending recv() got.  ks_validate_compare()
 * prints every quantity side by side with the difference and the
 * tolerance, and counts the differences.
 */
#ifndef KASIM_KS_VALIDATE_H
#define KASIM_KS_VALIDATE_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_scenario.h"

#define KS_VALIDATE_ERROR (ks_validate_error_quark())
GQuark ks_validate_error_quark(void);

typedef enum ks_validate_error {
  KS_VALIDATE_ERROR_UNSUPPORTED, /* the scenario cannot be validated (exit 2) */
  KS_VALIDATE_ERROR_SKIPPED,     /* network namespaces are not permitted here (exit 77) */
  KS_VALIDATE_ERROR_FAILED,      /* the kernel run could not be carried out (exit 3) */
  KS_VALIDATE_ERROR_INTERRUPTED  /* SIGINT, SIGTERM or SIGHUP; `code` below holds it */
} ks_validate_error;

/* Connections a validation may have: each is a real socket pair and a
 * thread with a pending recv(). */
#define KS_VALIDATE_MAX_CONNS 10u
/* Scenarios run in wall time: at most this long. */
#define KS_VALIDATE_MAX_DURATION KA_S(600)

typedef struct ks_val_probe {
  ka_time t;         /* when it left (the run's clock: scenario time) */
  ka_time since_rx;  /* t minus the last segment received before it */
  guint chain;       /* probes sent since that receive, this one included */
  gboolean answered; /* a segment came back before the next probe */
} ks_val_probe;

/* One connection as its keep-alive socket lived it. */
typedef struct ks_val_conn {
  guint32 id;
  guint group;
  ka_time last_rx; /* KA_TIME_NEVER: nothing received yet */
  GArray *probes;  /* ks_val_probe */
  guint answered;
  ka_time closed_at;      /* KA_TIME_NEVER: alive at the end */
  ka_time close_since_rx; /* closed_at minus the last receive before it */
  guint close_chain;      /* probes sent between that receive and the close */
  gboolean rst_sent, rst_received;
  char *error;  /* errno name, e.g. "ETIMEDOUT"; NULL: none */
  char *reason; /* the model's close reason; NULL on the kernel side */
  char *later;  /* what later calls get after the close, "recv X, send Y";
                             shown, not compared (docs/validation.md) */
  guint chain;  /* probes sent since last_rx (recording state) */
} ks_val_conn;

/* A whole run. */
typedef struct ks_val_run {
  /* Kernel side: its jiffies counter at the run's time 0 and how far into
   * that tick time 0 fell (from /proc/timer_list), so that the model's
   * timer wheel can run on the same clock; have_jiffies FALSE when they
   * could not be read. */
  gboolean have_jiffies;
  guint64 jiffies0;
  ka_time subtick;
  GPtrArray *conns;  /* ks_val_conn*, by id */
  GPtrArray *notes;  /* char*: what the run wants the reader to know */
  GPtrArray *faults; /* char*: kernel side only: things that count as
                        differences by themselves (an option the kernel
                        refused although the model accepts it) */
} ks_val_run;

ks_val_run *ks_val_run_new(guint32 n_conns);
void ks_val_run_free(ks_val_run *run);

/* Recording, the same for both runs, so both sides are measured alike.
 * Times are on the run's clock (scenario time, nanoseconds). */
void ks_val_conn_rx(ks_val_conn *c, ka_time t, gboolean rst);
void ks_val_conn_probe(ks_val_conn *c, ka_time t);
void ks_val_conn_rst_sent(ks_val_conn *c, ka_time t);
/* The socket is done (gave up or was reset) at t; error may be NULL. */
void ks_val_conn_close(ks_val_conn *c, ka_time t, const char *error);

/* NULL when the scenario can be validated; else why not (for "kasim
 * validate: not supported for validation: ..."). */
char *ks_validate_unsupported(const ks_scenario *sc);

/* The model's prediction: the scenario on the native engine. */
ks_val_run *ks_validate_model(const ks_scenario *sc, GError **error);

typedef struct ks_val_kernel_opts {
  gboolean verbose; /* print each set-up command and each packet */
  int hz;           /* CONFIG_HZ, to read the jiffies counter at time 0; 0: not read */
} ks_val_kernel_opts;

/* The scenario on the kernel of this machine.  Needs root (CAP_NET_ADMIN,
 * CAP_SYS_ADMIN) and iproute2.  Blocks SIGINT, SIGTERM and SIGHUP while it
 * runs and always removes its namespaces; an interruption returns
 * KS_VALIDATE_ERROR_INTERRUPTED with the signal number in *signal_out.
 * When a link has a delay and netem is not available, the delays are set
 * to 0 in `sc` itself (a note says so), so that the model can then run
 * under the same conditions. */
ks_val_run *ks_validate_kernel(ks_scenario *sc, const ks_val_kernel_opts *opts, int *signal_out,
                               GError **error);

/* What the tolerance of one connection depends on. */
typedef struct ks_val_tolerance {
  int hz;              /* CONFIG_HZ; 0 = unknown: the worst of 100, 250, 300, 1000 */
  gboolean wheel;      /* the model ran the kernel's timer wheel on its jiffies */
  ka_time idle, intvl; /* the keep-alive times of the connection's socket */
  ka_time link_delay;  /* one way, as run */
} ks_val_tolerance;

/* Finds CONFIG_HZ in /boot/config-RELEASE or /proc/config.gz; 0 if neither
 * says.  *source names the file. */
int ks_validate_kernel_hz(char **source);
/* How late (late_out) or early (early_out) the kernel may be for an event
 * `chain` keep-alive timer expiries after the last receive (see
 * docs/validation.md). */
void ks_validate_tolerance(const ks_val_tolerance *tol, guint chain, ka_time *early_out,
                           ka_time *late_out);

/* Puts the model's Linux hosts on the kernel run's clock: hz, and the
 * uptime that gives the kernel's jiffies at time 0 (to the millisecond,
 * the setting's unit).  FALSE, changing nothing, when the kernel run could
 * not read its jiffies or hz is 0. */
gboolean ks_validate_same_clock(ks_scenario *model, const ks_val_run *kernel, int hz);

/* Prints one line per compared quantity and returns the number of
 * differences (0: they agree).  hz as from ks_validate_kernel_hz();
 * `wheel`: the model ran on the kernel's clock (ks_validate_same_clock). */
guint ks_validate_compare(const ks_scenario *sc, const ks_val_run *model, const ks_val_run *kernel,
                          int hz, gboolean wheel, GString *out);

#endif
