/* ka_error.c - names and messages of the abstract error codes. */
#include "kasim/ka_error.h"

#include <stddef.h>

static const struct {
  const char *name;
  const char *msg;
} err_table[KA_ERR_COUNT_] = {
  [0] = {"OK", "success"},
  [-KA_EINTR] = {"EINTR", "interrupted call"},
  [-KA_EFAULT] = {"EFAULT", "bad address or buffer too small"},
  [-KA_EINVAL] = {"EINVAL", "invalid argument"},
  [-KA_EINPROGRESS] = {"EINPROGRESS", "operation in progress"},
  [-KA_ENOTSOCK] = {"ENOTSOCK", "not a socket"},
  [-KA_ENOPROTOOPT] = {"ENOPROTOOPT", "option not known or not supported by this socket"},
  [-KA_EOPNOTSUPP] = {"EOPNOTSUPP", "operation not supported"},
  [-KA_ENETDOWN] = {"ENETDOWN", "network subsystem is down"},
  [-KA_ENETRESET] = {"ENETRESET", "connection broken by keep-alive while an operation was pending"},
  [-KA_ECONNABORTED] = {"ECONNABORTED", "connection aborted"},
  [-KA_ECONNRESET] = {"ECONNRESET", "connection reset"},
  [-KA_ENOBUFS] = {"ENOBUFS", "no buffer space"},
  [-KA_ENOTCONN] = {"ENOTCONN", "socket not connected"},
  [-KA_ETIMEDOUT] = {"ETIMEDOUT", "connection timed out"},
  [-KA_ENOTINITIALISED] = {"NOTINITIALISED", "WSAStartup was not called"},
  [-KA_EPIPE] = {"EPIPE", "broken pipe: the connection is gone"},
};

static int err_index(int err) { return (err <= 0 && err > -KA_ERR_COUNT_) ? -err : -1; }

const char *ka_strerror(int err) {
  int i = err_index(err);
  return i < 0 ? "unknown error" : err_table[i].msg;
}

const char *ka_err_name(int err) {
  int i = err_index(err);
  return i < 0 ? "EUNKNOWN" : err_table[i].name;
}
