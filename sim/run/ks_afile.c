/* ks_afile.c - atomic output files. */
#include "ks_afile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ks_afile {
  char *final_path, *tmp_path;
  FILE *stream;
  int slot;
  gboolean synced; /* by ks_afile_sync, and nothing written since */
};

/* The signal handler may only touch async-signal-safe state: a fixed table
 * of temporary paths, each a C string that stays valid while registered. */
#define MAX_OPEN 16
static const char *volatile open_tmp[MAX_OPEN];

static void on_signal(int sig) {
  for (int i = 0; i < MAX_OPEN; i++)
    if (open_tmp[i])
      unlink(open_tmp[i]);
  signal(sig, SIG_DFL);
  _exit(128 + sig);
}

void ks_afile_install_signal_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static void fail(GError **error, const char *path, int err) {
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", path, g_strerror(err));
}

ks_afile *ks_afile_open(const char *dir, const char *name, GError **error) {
  ks_afile *f = g_new0(ks_afile, 1);
  f->final_path = g_build_filename(dir, name, NULL);
  g_autofree char *tmp_name = g_strdup_printf(".%s.XXXXXX", name);
  f->tmp_path = g_build_filename(dir, tmp_name, NULL);
  int fd = g_mkstemp(f->tmp_path);
  if (fd < 0) {
    fail(error, f->final_path, errno);
    g_free(f->final_path);
    g_free(f->tmp_path);
    g_free(f);
    return NULL;
  }
  /* mkstemp makes the file private (0600); an output file is as readable
   * as any other the user writes. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  f->stream = fdopen(fd, "w");
  if (f->stream == NULL) {
    int err = errno;
    close(fd);
    unlink(f->tmp_path);
    fail(error, f->final_path, err);
    g_free(f->final_path);
    g_free(f->tmp_path);
    g_free(f);
    return NULL;
  }
  f->slot = -1;
  for (int i = 0; i < MAX_OPEN; i++)
    if (open_tmp[i] == NULL) {
      open_tmp[i] = f->tmp_path;
      f->slot = i;
      break;
    }
  return f;
}

FILE *ks_afile_stream(ks_afile *f) { return f->stream; }
const char *ks_afile_path(const ks_afile *f) { return f->final_path; }
const char *ks_afile_tmp_path(const ks_afile *f) { return f->tmp_path; }

static void afile_free(ks_afile *f) {
  if (f->slot >= 0)
    open_tmp[f->slot] = NULL;
  g_free(f->final_path);
  g_free(f->tmp_path);
  g_free(f);
}

/* Flushes and syncs once: what ks_afile_sync did, commit does not redo. */
static int afile_sync(ks_afile *f) {
  if (f->synced)
    return 0;
  errno = 0;
  if (fflush(f->stream) != 0 || ferror(f->stream) || fsync(fileno(f->stream)) != 0)
    return errno ? errno : EIO;
  f->synced = TRUE;
  return 0;
}

gboolean ks_afile_sync(ks_afile *f, GError **error) {
  int err = afile_sync(f);
  if (err != 0)
    fail(error, f->final_path, err);
  return err == 0;
}

gboolean ks_afile_commit(ks_afile *f, GError **error) {
  int err = afile_sync(f);
  if (fclose(f->stream) != 0 && err == 0)
    err = errno;
  if (err == 0 && rename(f->tmp_path, f->final_path) != 0)
    err = errno;
  if (err != 0) {
    fail(error, f->final_path, err);
    unlink(f->tmp_path);
  } else {
    /* The rename itself outlives a crash of the machine only once the
     * folder is synced too. */
    g_autofree char *dir = g_path_get_dirname(f->final_path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)fsync(dfd);
      close(dfd);
    }
  }
  afile_free(f);
  return err == 0;
}

void ks_afile_abort(ks_afile *f) {
  if (f == NULL)
    return;
  fclose(f->stream);
  unlink(f->tmp_path);
  afile_free(f);
}
