/* ks_sockopt.h - socket options by name, as scenarios and --set give them:
 * SO_KEEPALIVE, TCP_KEEPIDLE (or TCP_KEEPALIVE), TCP_KEEPINTVL,
 * TCP_KEEPCNT, TCP_USER_TIMEOUT and SIO_KEEPALIVE_VALS=onoff,time_ms,
 * interval_ms.  Each goes through the model's own getsockopt/setsockopt/
 * WSAIoctl, so a value fails exactly where the modelled OS fails it. */
#ifndef KASIM_KS_SOCKOPT_H
#define KASIM_KS_SOCKOPT_H

#include <glib.h>
#include <kasim/ka.h>

#define KS_SOCKOPT_ERROR (ks_sockopt_error_quark())
GQuark ks_sockopt_error_quark(void);

/* TRUE when NAME is one of the socket options above (any case). */
gboolean ks_sockopt_is_known(const char *name);

/* Applies NAME=VALUE to the socket.  Returns FALSE with the OS's error
 * name and number when the model refuses it, or when NAME is unknown. */
gboolean ks_sockopt_apply(ka_sock *sock, const char *name, const char *value, GError **error);

#endif
