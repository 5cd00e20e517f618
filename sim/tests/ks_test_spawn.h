/* ks_test_spawn.h - running a program from a test and reading what it
 * printed, as every test of the kasim command does. */
#ifndef KASIM_KS_TEST_SPAWN_H
#define KASIM_KS_TEST_SPAWN_H

#include <glib.h>
#include <sys/wait.h>

/* Runs argv (searched in PATH) with envp (NULL: this environment) and
 * returns its exit status, or 128 + the signal that ended it. */
static inline int ks_test_spawn_env(const char *const *argv, char **envp, char **out, char **err) {
  GError *error = NULL;
  int wait = 0;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                             &wait, &error));
  g_assert_no_error(error);
  return WIFEXITED(wait) ? WEXITSTATUS(wait) : 128 + WTERMSIG(wait);
}

static inline int ks_test_spawn(const char *const *argv, char **out, char **err) {
  return ks_test_spawn_env(argv, NULL, out, err);
}

static inline void ks_test_rm_rf(const char *dir) {
  const char *argv[] = {"rm", "-rf", dir, NULL};
  g_autofree char *o = NULL, *e = NULL;
  ks_test_spawn(argv, &o, &e);
}

#endif
