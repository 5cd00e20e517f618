/* ka_error.h - error codes of the keep-alive model.
 *
 * Every model function that can fail returns 0 or a negative KA_E* code, as
 * libuv does.  The codes are abstract: the same KA_ETIMEDOUT is WSAETIMEDOUT
 * (10060) on a Windows profile, ETIMEDOUT (110) on Linux and ETIMEDOUT (60)
 * on FreeBSD and macOS.  ka_profile_errnum() and ka_profile_errname() give
 * the number and name the modelled OS would show; the host's <errno.h> is
 * never used because kasim models systems other than the one it runs on.
 */
#ifndef KASIM_KA_ERROR_H
#define KASIM_KA_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ka_err {
  KA_OK = 0,
  KA_EINTR = -1,
  KA_EFAULT = -2,
  KA_EINVAL = -3,
  KA_EINPROGRESS = -4,
  KA_ENOTSOCK = -5,
  KA_ENOPROTOOPT = -6,
  KA_EOPNOTSUPP = -7,
  KA_ENETDOWN = -8,
  KA_ENETRESET = -9,
  KA_ECONNABORTED = -10,
  KA_ECONNRESET = -11,
  KA_ENOBUFS = -12,
  KA_ENOTCONN = -13,
  KA_ETIMEDOUT = -14,
  KA_ENOTINITIALISED = -15, /* Winsock only: WSAStartup was not called */
  KA_EPIPE = -16,           /* send on a connection that is gone (POSIX) */
  KA_ERR_COUNT_ = 17        /* one past the last code, negated */
} ka_err;

/* A short English description of an abstract code ("connection timed out"). */
const char *ka_strerror(int err);

/* The abstract name without any OS prefix ("ETIMEDOUT"). */
const char *ka_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
