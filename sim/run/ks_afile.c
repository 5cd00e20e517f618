/* ks_afile.c - atomic output files. */
#define _GNU_SOURCE /* fopencookie: a FILE that compresses */
#include "ks_afile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* A gzip stream between the caller's FILE and the file's: what the
 * caller writes is deflated into `out` and written to `raw`. */
typedef struct gz_sink {
  z_stream z;
  FILE *raw;
  int err; /* errno of the first failure; 0 */
  gboolean finished;
  unsigned char out[1 << 16];
} gz_sink;

struct ks_afile {
  char *final_path, *tmp_path;
  FILE *stream; /* what the caller writes to */
  FILE *raw;    /* the file itself: stream, or under gz's */
  gz_sink *gz;  /* NULL: not compressed */
  int slot;
  gboolean synced;  /* by ks_afile_sync, and nothing written since */
  gboolean no_sync; /* ks_afile_no_sync: flushed, never fsync()ed */
};

/* The signal handler may only touch async-signal-safe state: a fixed table
 * of temporary paths, each a C string that stays valid while registered. */
#define MAX_OPEN 16
static const char *volatile open_tmp[MAX_OPEN];
static const char *volatile watched_dir;

static void on_signal(int sig) {
  for (int i = 0; i < MAX_OPEN; i++)
    if (open_tmp[i])
      unlink(open_tmp[i]);
  if (watched_dir)
    rmdir(watched_dir);
  signal(sig, SIG_DFL);
  _exit(128 + sig);
}

void ks_afile_watch_dir(const char *path) { watched_dir = path; }
void ks_afile_unwatch_dir(void) { watched_dir = NULL; }

void ks_afile_install_signal_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

gboolean ks_afile_error_is_users(const GError *e) {
  if (e->domain != G_FILE_ERROR)
    return FALSE;
  switch (e->code) {
  case G_FILE_ERROR_ACCES:
  case G_FILE_ERROR_PERM:
  case G_FILE_ERROR_ROFS:
  case G_FILE_ERROR_NOTDIR:
  case G_FILE_ERROR_NOENT:
  case G_FILE_ERROR_EXIST:
  case G_FILE_ERROR_ISDIR:
  case G_FILE_ERROR_NAMETOOLONG:
  case G_FILE_ERROR_LOOP:
  case G_FILE_ERROR_INVAL:
  case G_FILE_ERROR_NXIO:
  case G_FILE_ERROR_NODEV: return TRUE;
  default: return FALSE;
  }
}

static void fail(GError **error, const char *path, int err) {
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", path, g_strerror(err));
}

/* ".NAME." and g_mkstemp's six letters or digits. */
gboolean ks_afile_is_tmp_of(const char *entry, const char *name) {
  size_t n = strlen(name);
  if (entry[0] != '.' || strncmp(entry + 1, name, n) != 0 || entry[n + 1] != '.' ||
      strlen(entry + n + 2) != 6)
    return FALSE;
  for (const char *p = entry + n + 2; *p; p++)
    if (!g_ascii_isalnum(*p))
      return FALSE;
  return TRUE;
}

void ks_afile_clean_stale(const char *dir, const char *name) {
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (d == NULL) {
    if (dfd >= 0)
      close(dfd);
    return;
  }
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (!ks_afile_is_tmp_of(e->d_name, name))
      continue;
    /* Unlocked: its writer is gone.  Removed only if the name still
     * points at the file that was checked. */
    int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat a, b;
    if (fd < 0)
      continue;
    if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        fstatat(dfd, e->d_name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev)
      unlinkat(dfd, e->d_name, 0);
    close(fd);
  }
  closedir(d);
}

/* The gzip stream's write: deflates into `out`, writes what comes out. */
static ssize_t gz_write(void *cookie, const char *buf, size_t size) {
  gz_sink *g = cookie;
  g->z.next_in = (Bytef *)buf;
  g->z.avail_in = (uInt)size; /* at most the FILE's buffer */
  while (g->err == 0 && g->z.avail_in > 0) {
    g->z.next_out = g->out;
    g->z.avail_out = sizeof g->out;
    if (deflate(&g->z, Z_NO_FLUSH) == Z_STREAM_ERROR)
      g->err = EIO;
    size_t n = sizeof g->out - g->z.avail_out;
    if (n > 0 && fwrite(g->out, 1, n, g->raw) != n)
      g->err = errno ? errno : EIO;
  }
  if (g->err) {
    errno = g->err;
    return -1;
  }
  return (ssize_t)size;
}

/* The end of the gzip stream: what deflate holds, and the trailer. */
static int gz_finish(gz_sink *g) {
  for (int r = Z_OK; g->err == 0 && !g->finished;) {
    g->z.next_out = g->out;
    g->z.avail_out = sizeof g->out;
    r = deflate(&g->z, Z_FINISH);
    if (r == Z_STREAM_ERROR)
      g->err = EIO;
    size_t n = sizeof g->out - g->z.avail_out;
    if (n > 0 && fwrite(g->out, 1, n, g->raw) != n)
      g->err = errno ? errno : EIO;
    g->finished = r == Z_STREAM_END;
  }
  return g->err;
}

static int gz_close(void *cookie) {
  gz_sink *g = cookie;
  deflateEnd(&g->z);
  g_free(g);
  return 0;
}

static ks_afile *afile_open(const char *dir, const char *name, gboolean gzip, GError **error) {
  ks_afile_clean_stale(dir, name);
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
  /* Held until the file is closed: ks_afile_clean_stale leaves it be. */
  (void)flock(fd, LOCK_EX | LOCK_NB);
  f->raw = fdopen(fd, "w");
  if (f->raw != NULL && gzip) {
    static const cookie_io_functions_t io = {.write = gz_write, .close = gz_close};
    gz_sink *g = g_new0(gz_sink, 1);
    g->raw = f->raw;
    /* 15 + 16: a gzip wrapper with deflate's default header (no name,
     * time 0, RFC 1952); memLevel 8 as zlib's default. */
    if (deflateInit2(&g->z, KS_AFILE_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      g_free(g);
      errno = ENOMEM;
    } else if ((f->stream = fopencookie(g, "w", io)) == NULL) {
      deflateEnd(&g->z);
      g_free(g);
    } else {
      f->gz = g;
      setvbuf(f->stream, NULL, _IOFBF, 1 << 16);
      setvbuf(f->raw, NULL, _IOFBF, 1 << 16);
    }
  } else {
    f->stream = f->raw;
  }
  if (f->stream == NULL) {
    int err = errno;
    if (f->raw)
      fclose(f->raw);
    else
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

ks_afile *ks_afile_open(const char *dir, const char *name, GError **error) {
  return afile_open(dir, name, FALSE, error);
}

ks_afile *ks_afile_open_gzip(const char *dir, const char *name, GError **error) {
  return afile_open(dir, name, TRUE, error);
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
  if (f->gz && (fflush(f->stream) != 0 || ferror(f->stream) || gz_finish(f->gz) != 0))
    return f->gz->err ? f->gz->err : errno ? errno : EIO;
  if (fflush(f->raw) != 0 || ferror(f->raw) || (!f->no_sync && fsync(fileno(f->raw)) != 0))
    return errno ? errno : EIO;
  f->synced = TRUE;
  return 0;
}

/* Closes the streams: the caller's (which frees the gzip state), then the
 * file's; the first error's errno, or 0. */
static int afile_close(ks_afile *f) {
  int err = 0;
  if (f->gz && fclose(f->stream) != 0)
    err = errno;
  if (fclose(f->raw) != 0 && err == 0)
    err = errno;
  f->gz = NULL;
  return err;
}

void ks_afile_no_sync(ks_afile *f) { f->no_sync = TRUE; }

gboolean ks_afile_sync(ks_afile *f, GError **error) {
  int err = afile_sync(f);
  if (err != 0)
    fail(error, f->final_path, err);
  return err == 0;
}

gboolean ks_afile_commit(ks_afile *f, GError **error) {
  int err = afile_sync(f);
  /* Renamed while still open, so still locked: ks_afile_clean_stale in
   * another process cannot take it between the close and the rename. */
  if (err == 0 && rename(f->tmp_path, f->final_path) != 0)
    err = errno;
  int cerr = afile_close(f);
  if (err == 0 && cerr != 0) {
    err = cerr;
    unlink(f->final_path);
  }
  if (err != 0) {
    fail(error, f->final_path, err);
    unlink(f->tmp_path);
  } else if (!f->no_sync) {
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
  unlink(f->tmp_path);
  afile_close(f);
  afile_free(f);
}
