/* ka_sock.h - the socket option API of each modelled OS, faithfully.
 *
 * getsockopt/setsockopt take the OS's own level and option numbers and
 * byte buffers, and fail exactly where the modelled OS fails: short optlen,
 * unknown options, datagram sockets, no WSAStartup, a connect in progress
 * on Vista+, a connection already timed out or reset.  Where Microsoft's
 * documentation and real Windows disagree (SO_KEEPALIVE's optlen, a
 * negative optlen, option 3 before 1709), the model follows the observed
 * behaviour of each release; docs/model.md gives both.
 *
 * A socket's options resolve, with the host's ka_params, into the ka_cfg
 * that drives ka_conn.
 */
#ifndef KASIM_KA_SOCK_H
#define KASIM_KA_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "ka_conn.h"
#include "ka_params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ka_sock_type { KA_SOCK_STREAM, KA_SOCK_DGRAM } ka_sock_type;

typedef enum ka_sock_state {
  KA_SOCK_STATE_IDLE, /* created, not connected */
  KA_SOCK_STATE_LISTENING,
  KA_SOCK_STATE_CONNECTING, /* connect() in progress */
  KA_SOCK_STATE_CONNECTED,
  KA_SOCK_STATE_TIMED_OUT, /* keep-alive gave up */
  KA_SOCK_STATE_RESET      /* an RST arrived */
} ka_sock_state;

/* Creation flags. */
enum {
  /* Windows: the process never called WSAStartup; every call then fails
   * with WSANOTINITIALISED. */
  KA_SOCK_NO_WSASTARTUP = 1u << 0
};

typedef struct ka_sock ka_sock;

/* A socket on a host whose tunables are `params` (borrowed; must outlive
 * the socket). */
ka_sock *ka_sock_new(const ka_params *params, ka_sock_type type, unsigned flags);
void ka_sock_free(ka_sock *s);

/* accept(): a new connected socket that inherits the listener's keep-alive
 * options (Wine test_accept_inheritance; sk_clone on Linux). */
ka_sock *ka_sock_accept(const ka_sock *listener);

ka_sock_state ka_sock_get_state(const ka_sock *s);
void ka_sock_set_state(ka_sock *s, ka_sock_state state);
const ka_profile *ka_sock_profile(const ka_sock *s);

/* 0 or a negative KA_E* code (ka_profile_errnum gives the OS number).
 * `s` NULL stands for a handle that is not a socket (WSAENOTSOCK /
 * ENOTSOCK).  On failure nothing changes, except where the OS itself
 * writes *optlen (Windows zeroes it for a short TCP option buffer, and
 * leaves a negative one as it was). */
int ka_sock_setsockopt(ka_sock *s, int level, int optname, const void *optval, int optlen);
int ka_sock_getsockopt(const ka_sock *s, int level, int optname, void *optval, int *optlen);

/* WSAIoctl for SIO_KEEPALIVE_VALS (the only control code modelled; others
 * give WSAEOPNOTSUPP).  `in` holds struct tcp_keepalive as three
 * little-endian u_long: onoff, keepalivetime, keepaliveinterval, both in
 * milliseconds.  bytes_returned may be NULL, which real Windows refuses
 * with WSAEFAULT for a non-overlapped call. */
int ka_sock_wsaioctl(ka_sock *s, uint32_t code, const void *in, uint32_t in_len, void *out,
                     uint32_t out_len, uint32_t *bytes_returned);

/* Convenience for engines and the CLI: set an option by symbolic name with
 * an int value, through the same checks as setsockopt. */
int ka_sock_set_int(ka_sock *s, ka_opt opt, int value);

/* The effective settings for ka_conn. */
void ka_sock_cfg(const ka_sock *s, ka_cfg *cfg);

#ifdef __cplusplus
}
#endif
#endif
