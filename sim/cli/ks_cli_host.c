/* ks_cli_host.c - a host from --profile, --registry and --set. */
#include <stdio.h>
#include <string.h>

#include "ks_cli.h"
#include "ks_limits.h"
#include "ks_sockopt.h"

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-cli-error-quark, ks_cli_error)
// clang-format on

/* Messages echo what the user wrote (a file's keys, an option's value):
 * its control characters are escaped, so that it stays one line and sends
 * the terminal no escape sequence. */
void ks_cli_print_error(const char *cmd, const GError *error) {
  g_autofree char *msg = ks_escape(error->message);
  fprintf(stderr, "kasim%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", msg);
}

static gboolean load_registry(ks_cli_host *host, const char *path, GError **error) {
  gsize len = 0;
  ks_limits limits;
  if (!ks_limits_init_env(&limits, error))
    return FALSE;
  /* Read no more than the limit: --registry /dev/zero fails at once. */
  GError *e = NULL;
  gchar *data = ks_read_file_limited(path, limits.reg_bytes, "reg_bytes", &len, &e);
  if (data == NULL) {
    if (g_error_matches(e, KS_LIMITS_ERROR, KS_LIMITS_ERROR_READ))
      g_set_error(error, KS_CLI_ERROR, 0, "--registry %s: cannot read it: %s", path, e->message);
    else
      g_propagate_error(error, g_steal_pointer(&e));
    g_clear_error(&e);
    return FALSE;
  }
  gboolean ok = ka_reg_apply(host->params, path, (const guint8 *)data, len, host->notes, error);
  g_free(data);
  return ok;
}

static gboolean apply_set(ks_cli_host *host, const char *assignment, GError **error) {
  const char *eq = strchr(assignment, '=');
  if (eq && eq != assignment) {
    g_autofree char *name = g_strndup(assignment, (gsize)(eq - assignment));
    if (ks_sockopt_is_known(name)) {
      gboolean ok = ks_sockopt_apply(host->sock, name, eq + 1, error);
      if (ok)
        g_ptr_array_add(host->sockopts, g_strdup(assignment));
      return ok;
    }
  }
  GError *e = NULL;
  if (ka_params_set_assignment(host->params, assignment, &e))
    return TRUE;
  g_set_error(error, KS_CLI_ERROR, 0, "--set %s", e->message);
  g_error_free(e);
  return FALSE;
}

ks_cli_host *ks_cli_host_new(const char *profile, const char *registry_file, char **sets,
                             GError **error) {
  const ka_profile *p = ka_profile_find(profile);
  if (p == NULL) {
    g_set_error(error, KS_CLI_ERROR, 0, "--profile %s: unknown profile (one of: %s)",
                profile ? profile : "(missing)", ka_profile_names());
    return NULL;
  }
  ks_cli_host *host = g_new0(ks_cli_host, 1);
  host->profile = p;
  host->params = ka_params_new(p);
  host->notes = g_ptr_array_new_with_free_func(g_free);
  host->sockopts = g_ptr_array_new_with_free_func(g_free);
  host->sock = ka_sock_new(host->params, KA_SOCK_STREAM, 0);
  ka_sock_set_state(host->sock, KA_SOCK_STATE_CONNECTED);
  /* An application that wants keep-alive turns it on: RFC 1122 makes it
   * off by default.  --set SO_KEEPALIVE=0 undoes this. */
  int rc = ka_sock_set_int(host->sock, KA_OPT_SO_KEEPALIVE, 1);
  g_assert(rc == 0);
  if (registry_file && !load_registry(host, registry_file, error))
    goto fail;
  for (; sets && *sets; sets++)
    if (!apply_set(host, *sets, error))
      goto fail;
  return host;
fail:
  ks_cli_host_free(host);
  return NULL;
}

void ks_cli_host_free(ks_cli_host *host) {
  if (host == NULL)
    return;
  ka_sock_free(host->sock);
  ka_params_free(host->params);
  g_ptr_array_unref(host->notes);
  g_ptr_array_unref(host->sockopts);
  g_free(host);
}
