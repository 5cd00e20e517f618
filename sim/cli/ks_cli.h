/* ks_cli.h - what the kasim sub-commands share: failing cleanly, and
 * building a host (profile, tunables, one socket's options) from the
 * command line. */
#ifndef KASIM_KS_CLI_H
#define KASIM_KS_CLI_H

#include <glib.h>
#include <kasim/ka.h>

/* Exit status for bad input (command line, files, values). */
#define KS_EXIT_USAGE 2

#define KS_CLI_ERROR (ks_cli_error_quark())
GQuark ks_cli_error_quark(void);

/* Prints "kasim: MESSAGE" on stderr as one line. */
void ks_cli_print_error(const char *cmd, const GError *error);

/* A host as the command line describes it. */
typedef struct ks_cli_host {
  const ka_profile *profile;
  ka_params *params;
  ka_sock *sock;       /* one connected stream socket with SO_KEEPALIVE=1
                          unless the command line said otherwise */
  GPtrArray *notes;    /* char*: what was ignored, and why */
  GPtrArray *sockopts; /* char*: socket options applied, as given */
} ks_cli_host;

/* Builds the host: registry file first (if any), then each --set in order.
 * A --set NAME is a registry value or sysctl of the profile, or a socket
 * option (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
 * TCP_USER_TIMEOUT, SIO_KEEPALIVE_VALS=onoff,time_ms,interval_ms) applied
 * through the model's own option API, so it fails exactly where the OS
 * would. */
ks_cli_host *ks_cli_host_new(const char *profile, const char *registry_file, char **sets,
                             GError **error);
void ks_cli_host_free(ks_cli_host *host);

/* The engine --engine NAME names: "native" (also for NULL) or "ns3".
 * NULL with a one-line error for an unknown name, or for ns3 when kasim
 * was built without ns-3. */
typedef struct ks_backend ks_backend;
const ks_backend *ks_cli_engine_find(const char *name, GError **error);

int ks_cmd_profiles(int argc, char **argv);
int ks_cmd_explain(int argc, char **argv);
int ks_cmd_run(int argc, char **argv);
int ks_cmd_sweep(int argc, char **argv);
int ks_cmd_plot(int argc, char **argv);
int ks_cmd_capacity(int argc, char **argv);
int ks_cmd_validate(int argc, char **argv);
int ks_cmd_report(int argc, char **argv);

#endif
