/* ks_sockopt.c - socket options by name, through the model's option API. */
#include "ks_sockopt.h"

#include <string.h>

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-sockopt-error-quark, ks_sockopt_error)
// clang-format on

static const struct {
  const char *name;
  ka_opt opt;
} sockopt_names[] = {
  {"SO_KEEPALIVE", KA_OPT_SO_KEEPALIVE},         {"TCP_KEEPIDLE", KA_OPT_TCP_KEEPIDLE},
  {"TCP_KEEPALIVE", KA_OPT_TCP_KEEPIDLE}, /* Windows' and macOS's name */
  {"TCP_KEEPINTVL", KA_OPT_TCP_KEEPINTVL},       {"TCP_KEEPCNT", KA_OPT_TCP_KEEPCNT},
  {"TCP_USER_TIMEOUT", KA_OPT_TCP_USER_TIMEOUT},
};

static gboolean parse_int(const char *name, const char *text, gint64 min, gint64 max, gint64 *out,
                          GError **error) {
  if (!g_ascii_string_to_signed(text, 10, min, max, out, NULL)) {
    g_set_error(error, KS_SOCKOPT_ERROR, 0,
                "%s=%s: not a whole number in %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, name, text,
                min, max);
    return FALSE;
  }
  return TRUE;
}

static gboolean os_refused(const ka_sock *sock, const char *what, const char *value, int rc,
                           GError **error) {
  const ka_profile *p = ka_sock_profile(sock);
  g_set_error(error, KS_SOCKOPT_ERROR, 0, "%s=%s: %s refuses it with %s (%d): %s", what, value,
              ka_profile_name(p), ka_profile_errname(p, rc), ka_profile_errnum(p, rc),
              ka_strerror(rc));
  return FALSE;
}

static gboolean apply_sio(ka_sock *sock, const char *value, GError **error) {
  gchar **parts = g_strsplit(value, ",", -1);
  guint32 vals[3];
  gboolean ok = g_strv_length(parts) == 3;
  for (int i = 0; ok && i < 3; i++) {
    guint64 v;
    ok = g_ascii_string_to_unsigned(g_strstrip(parts[i]), 10, 0, G_MAXUINT32, &v, NULL);
    vals[i] = (guint32)v;
  }
  g_strfreev(parts);
  if (!ok) {
    g_set_error(error, KS_SOCKOPT_ERROR, 0,
                "SIO_KEEPALIVE_VALS=%s: expected onoff,keepalivetime_ms,keepaliveinterval_ms",
                value);
    return FALSE;
  }
  guint8 in[KA_WIN_TCP_KEEPALIVE_SIZE];
  for (int i = 0; i < 3; i++) { /* u_long fields, little-endian */
    guint32 le = GUINT32_TO_LE(vals[i]);
    memcpy(in + 4 * i, &le, 4);
  }
  uint32_t returned = 0;
  int rc = ka_sock_wsaioctl(sock, KA_WIN_SIO_KEEPALIVE_VALS, in, sizeof in, NULL, 0, &returned);
  return rc == 0 ? TRUE : os_refused(sock, "SIO_KEEPALIVE_VALS", value, rc, error);
}

gboolean ks_sockopt_is_known(const char *name) {
  if (g_ascii_strcasecmp(name, "SIO_KEEPALIVE_VALS") == 0)
    return TRUE;
  for (size_t i = 0; i < G_N_ELEMENTS(sockopt_names); i++)
    if (g_ascii_strcasecmp(name, sockopt_names[i].name) == 0)
      return TRUE;
  return FALSE;
}

gboolean ks_sockopt_apply(ka_sock *sock, const char *name, const char *value, GError **error) {
  if (g_ascii_strcasecmp(name, "SIO_KEEPALIVE_VALS") == 0)
    return apply_sio(sock, value, error);
  for (size_t i = 0; i < G_N_ELEMENTS(sockopt_names); i++) {
    if (g_ascii_strcasecmp(name, sockopt_names[i].name) != 0)
      continue;
    gint64 v;
    if (!parse_int(name, value, G_MININT32, G_MAXINT32, &v, error))
      return FALSE;
    int rc = ka_sock_set_int(sock, sockopt_names[i].opt, (int)v);
    return rc == 0 ? TRUE : os_refused(sock, name, value, rc, error);
  }
  g_set_error(error, KS_SOCKOPT_ERROR, 0, "%s: not a socket option", name);
  return FALSE;
}
