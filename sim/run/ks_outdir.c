/* ks_outdir.c - output folders replaced whole; see ks_outdir.h. */
#define _GNU_SOURCE /* renameat2 and RENAME_EXCHANGE */
#include "ks_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct ks_outdir {
  char *dir; /* DIR, without a trailing slash */
  char *parent, *base;
  char *staging;      /* PARENT/.BASE.kasim-tmp; NULL in place */
  char *staging_name; /* .BASE.kasim-tmp */
  int staging_fd;     /* the staging folder, flock()ed; -1 */
  GPtrArray *owned;   /* char*: the set's names */
  char *marker;
  GPtrArray *kept; /* char*: in place, written by the caller */
  gboolean committed;
  gboolean no_sync; /* ks_outdir_no_sync */
};

static void fail(GError **error, const char *path, int err) {
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", path, g_strerror(err));
}

static gboolean in_list(GPtrArray *names, const char *name) {
  for (guint i = 0; names && i < names->len; i++)
    if (strcmp(names->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* A set's file, or a temporary of one (a killed writer's). */
static gboolean is_owned(const ks_outdir *d, const char *name) {
  for (guint i = 0; i < d->owned->len; i++)
    if (strcmp(name, d->owned->pdata[i]) == 0 || ks_afile_is_tmp_of(name, d->owned->pdata[i]))
      return TRUE;
  return FALSE;
}

/* Removes folder `name` of `pfd` and the files in it; 0, or the errno
 * (ENOTEMPTY when it holds a folder, which is not ours to remove). */
static int remove_flat(int pfd, const char *name) {
  int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
  if (dir == NULL) {
    int err = errno;
    if (fd >= 0)
      close(fd);
    return err;
  }
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    struct stat st;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
        fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
      continue;
    unlinkat(fd, e->d_name, 0);
  }
  closedir(dir);
  return unlinkat(pfd, name, AT_REMOVEDIR) == 0 ? 0 : errno;
}

/* Whether DIR can be swapped whole: missing, or a real folder on its
 * parent's file system holding no folder. */
static gboolean swappable(const ks_outdir *d) {
  struct stat st, pst;
  if (lstat(d->dir, &st) != 0)
    return errno == ENOENT;
  if (!S_ISDIR(st.st_mode) || stat(d->parent, &pst) != 0 || pst.st_dev != st.st_dev)
    return FALSE;
  int fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
  if (dir == NULL) {
    if (fd >= 0)
      close(fd);
    return FALSE;
  }
  gboolean flat = TRUE;
  for (struct dirent *e; flat && (e = readdir(dir)) != NULL;) {
    struct stat es;
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      flat = fstatat(fd, e->d_name, &es, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(es.st_mode);
  }
  closedir(dir);
  return flat;
}

static void busy(const ks_outdir *d, GError **error) {
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
              "%s: another kasim run is writing this folder (its files are in %s)", d->dir,
              d->staging);
}

/* An earlier run's staging folder: a killed run's (unlocked) is removed,
 * a running one's (locked) refuses this run. */
static gboolean clear_staging(const ks_outdir *d, int pfd, GError **error) {
  int fd = openat(pfd, d->staging_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? TRUE : (fail(error, d->staging, errno), FALSE);
  int err = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0)
    err = EWOULDBLOCK;
  else
    err = remove_flat(pfd, d->staging_name);
  close(fd);
  if (err == EWOULDBLOCK)
    busy(d, error);
  else if (err == ENOTEMPTY)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s: left by a killed run, it holds a folder that is not kasim's; remove it",
                d->staging);
  else if (err != 0 && err != ENOENT)
    fail(error, d->staging, err);
  return err == 0 || err == ENOENT;
}

/* Makes the staging folder and locks it: 1; 0 when the parent folder
 * takes no new folder (not writable by this user, while DIR is): then the
 * files go into DIR itself; -1 with an error.  Between its mkdir and its
 * lock another run may take it for a killed run's and remove it: then the
 * name no longer points at the folder locked, and it is made again. */
static int make_staging(ks_outdir *d, int pfd, GError **error) {
  for (int tries = 0; tries < 3; tries++) {
    if (!clear_staging(d, pfd, error))
      return -1;
    if (mkdirat(pfd, d->staging_name, 0755) != 0) {
      if (errno == EEXIST)
        continue;
      return 0;
    }
    int fd = openat(pfd, d->staging_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat a, b;
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
        fstatat(pfd, d->staging_name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev) {
      d->staging_fd = fd;
      /* The folder DIR will be: as DIR was. */
      struct stat old;
      if (lstat(d->dir, &old) == 0)
        fchmod(fd, old.st_mode & 07777);
      ks_afile_watch_dir(d->staging);
      return 1;
    }
    if (fd >= 0)
      close(fd);
  }
  busy(d, error);
  return -1;
}

ks_outdir *ks_outdir_new(const char *dir, const char *const *owned, const char *marker,
                         gboolean in_place, GError **error) {
  ks_outdir *d = g_new0(ks_outdir, 1);
  d->staging_fd = -1;
  d->dir = g_strdup(dir);
  for (size_t n = strlen(d->dir); n > 1 && d->dir[n - 1] == '/'; n--)
    d->dir[n - 1] = '\0';
  d->parent = g_path_get_dirname(d->dir);
  d->base = g_path_get_basename(d->dir);
  d->owned = g_ptr_array_new_with_free_func(g_free);
  for (; owned && *owned; owned++)
    g_ptr_array_add(d->owned, g_strdup(*owned));
  d->marker = g_strdup(marker);
  d->kept = g_ptr_array_new_with_free_func(g_free);
  gboolean named = strcmp(d->base, ".") != 0 && strcmp(d->base, "..") != 0 &&
                   strcmp(d->base, "/") != 0;
  if (named) {
    if (g_mkdir_with_parents(d->parent, 0755) != 0) {
      fail(error, d->parent, errno);
      goto no;
    }
    d->staging_name = g_strdup_printf(".%s.kasim-tmp", d->base);
    d->staging = g_build_filename(d->parent, d->staging_name, NULL);
    /* A parent this user cannot read or write: the files go into DIR. */
    int pfd = open(d->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    gboolean ok = pfd < 0 || (!in_place && swappable(d) ? make_staging(d, pfd, error) >= 0
                                                        : clear_staging(d, pfd, error));
    if (pfd >= 0)
      close(pfd);
    if (!ok)
      goto no;
  }
  if (d->staging_fd < 0) {
    g_clear_pointer(&d->staging, g_free);
    if (g_mkdir_with_parents(d->dir, 0755) != 0) {
      fail(error, d->dir, errno);
      goto no;
    }
    for (guint i = 0; i < d->owned->len; i++)
      ks_afile_clean_stale(d->dir, d->owned->pdata[i]);
  }
  return d;
no:
  ks_outdir_free(d);
  return NULL;
}

const char *ks_outdir_path(const ks_outdir *d) { return d->staging ? d->staging : d->dir; }
gboolean ks_outdir_staged(const ks_outdir *d) { return d->staging != NULL; }

void ks_outdir_keep(ks_outdir *d, const char *name) { g_ptr_array_add(d->kept, g_strdup(name)); }

/* An earlier set's files in DIR that this one does not write, the marker
 * first: from here until the new marker is in place DIR holds no
 * complete set. */
static gboolean remove_old(const ks_outdir *d, int dfd, GPtrArray *written, GError **error) {
  if (unlinkat(dfd, d->marker, 0) != 0 && errno != ENOENT) {
    g_autofree char *p = g_build_filename(d->dir, d->marker, NULL);
    fail(error, p, errno);
    return FALSE;
  }
  for (guint i = 0; i < d->owned->len; i++) {
    const char *name = d->owned->pdata[i];
    if (in_list(written, name) || in_list(d->kept, name))
      continue;
    if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT) {
      g_autofree char *p = g_build_filename(d->dir, name, NULL);
      fail(error, p, errno);
      return FALSE;
    }
  }
  return TRUE;
}

static void sync_fd(const ks_outdir *d, int fd) {
  if (fd >= 0 && !d->no_sync)
    (void)fsync(fd);
}

void ks_outdir_no_sync(ks_outdir *d) { d->no_sync = TRUE; }

/* The staged files moved into DIR one by one, the marker last, when the
 * folders cannot be swapped. */
static gboolean move_in(ks_outdir *d, int pfd, GPtrArray *written, GError **error) {
  int dfd = openat(pfd, d->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 && errno == ENOENT && mkdirat(pfd, d->base, 0755) == 0)
    dfd = openat(pfd, d->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    fail(error, d->dir, errno);
    return FALSE;
  }
  gboolean ok = remove_old(d, dfd, written, error);
  for (guint i = 0; ok && i < written->len; i++)
    if (renameat(d->staging_fd, written->pdata[i], dfd, written->pdata[i]) != 0) {
      g_autofree char *p = g_build_filename(d->dir, (char *)written->pdata[i], NULL);
      fail(error, p, errno);
      ok = FALSE;
    }
  sync_fd(d, dfd);
  close(dfd);
  return ok;
}

/* Links DIR's files that are not the set's into the staging folder.
 * 1: done; 0: cannot (a folder, or no hard links here): move_in instead;
 * -1: an error. */
static int carry_over(ks_outdir *d, int pfd, GError **error) {
  int fd = openat(pfd, d->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
  if (dir == NULL) {
    if (fd >= 0)
      close(fd);
    return 0;
  }
  int r = 1;
  for (struct dirent *e; r == 1 && (e = readdir(dir)) != NULL;) {
    struct stat st;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || is_owned(d, e->d_name))
      continue;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) /* gone meanwhile: nothing to keep */
        r = 0;
      continue;
    }
    if (S_ISDIR(st.st_mode) || linkat(fd, e->d_name, d->staging_fd, e->d_name, 0) != 0) {
      if (!S_ISDIR(st.st_mode) && errno == EEXIST) {
        g_autofree char *p = g_build_filename(d->staging, e->d_name, NULL);
        fail(error, p, errno);
        r = -1;
      } else {
        r = 0;
      }
    }
  }
  closedir(dir);
  return r;
}

static gboolean commit_staged(ks_outdir *d, GPtrArray *written, GError **error) {
  int pfd = open(d->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0) {
    fail(error, d->parent, errno);
    return FALSE;
  }
  gboolean ok = TRUE, moved = FALSE;
  /* A missing DIR is renamed into being; one made meanwhile is swapped. */
  if (renameat(pfd, d->staging_name, pfd, d->base) == 0) {
    moved = TRUE;
  } else if (errno != ENOTEMPTY && errno != EEXIST) {
    fail(error, d->dir, errno);
    ok = FALSE;
  }
  if (ok && !moved) {
    int c = carry_over(d, pfd, error);
    sync_fd(d, d->staging_fd);
    if (c < 0)
      ok = FALSE;
    else if (c == 1 && renameat2(pfd, d->staging_name, pfd, d->base, RENAME_EXCHANGE) == 0)
      moved = TRUE;
    else if (c == 1 && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      fail(error, d->dir, errno), ok = FALSE;
    /* The earlier folder is under the staging name now; or, when the
     * two could not be swapped, the staging folder is empty. */
    if (ok && !moved)
      ok = move_in(d, pfd, written, error);
    if (ok)
      remove_flat(pfd, d->staging_name);
  }
  sync_fd(d, pfd);
  close(pfd);
  return ok;
}

gboolean ks_outdir_commit(ks_outdir *d, ks_afile **files, guint n, GError **error) {
  GPtrArray *written = g_ptr_array_new_with_free_func(g_free);
  gboolean ok = TRUE;
  /* Every file complete and on disk before anything is renamed: a full
   * disk fails here, with DIR as it was. */
  for (guint i = 0; i < n; i++) {
    g_ptr_array_add(written, g_path_get_basename(ks_afile_path(files[i])));
    if (d->no_sync)
      ks_afile_no_sync(files[i]);
    ok = ok && ks_afile_sync(files[i], error);
  }
  int dfd = ok && !d->staging ? open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (ok && !d->staging && dfd < 0)
    fail(error, d->dir, errno), ok = FALSE;
  if (ok && !d->staging)
    ok = remove_old(d, dfd, written, error);
  if (dfd >= 0)
    close(dfd);
  /* In the staging folder, or in DIR the marker last. */
  for (guint i = 0; i < n; i++) {
    if (ok)
      ok = ks_afile_commit(files[i], error);
    else
      ks_afile_abort(files[i]);
  }
  if (ok && d->staging)
    ok = commit_staged(d, written, error);
  d->committed = ok;
  g_ptr_array_unref(written);
  return ok;
}

void ks_outdir_free(ks_outdir *d) {
  if (d == NULL)
    return;
  /* Only a staging folder this run made and locked is its to remove. */
  if (d->staging_fd >= 0) {
    ks_afile_unwatch_dir();
    if (!d->committed) {
      int pfd = open(d->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (pfd >= 0) {
        remove_flat(pfd, d->staging_name);
        close(pfd);
      }
    }
  }
  if (d->staging_fd >= 0)
    close(d->staging_fd);
  g_free(d->dir);
  g_free(d->parent);
  g_free(d->base);
  g_free(d->staging);
  g_free(d->staging_name);
  g_ptr_array_unref(d->owned);
  g_free(d->marker);
  g_ptr_array_unref(d->kept);
  g_free(d);
}
