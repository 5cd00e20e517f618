/* ks_outdir.c - output folders replaced whole; see ks_outdir.h. */
#define _GNU_SOURCE /* renameat2 (RENAME_EXCHANGE, RENAME_NOREPLACE) and statx */
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
  char *dir; /* DIR, without a trailing slash, its symbolic links followed */
  char *parent, *base;
  char *staging;      /* PARENT/.BASE.kasim-tmp; NULL in place */
  char *staging_name; /* .BASE.kasim-tmp */
  char *old_name;     /* .BASE.kasim-old: DIR between two renames */
  int staging_fd;     /* the staging folder, flock()ed; -1 */
  GPtrArray *owned;   /* char*: the set's names */
  char *marker;
  GPtrArray *kept; /* char*: in place, written by the caller */
  gboolean committed;
  gboolean no_sync; /* ks_outdir_no_sync */
};

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

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

/* The names in folder `fd`, read through a descriptor of their own so
 * that the caller may change the folder while it goes through them. */
static GPtrArray *names_in(int fd) {
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  int own = openat(fd, ".", DIR_FLAGS);
  DIR *dir = own >= 0 ? fdopendir(own) : NULL;
  if (dir == NULL) {
    if (own >= 0)
      close(own);
    return names;
  }
  for (struct dirent *e; (e = readdir(dir)) != NULL;)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      g_ptr_array_add(names, g_strdup(e->d_name));
  closedir(dir);
  /* Sorted: the same folder is gone through in the same order. */
  g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
  return names;
}

/* Removes `name` of `pfd` and everything in it: 0 or the first errno. */
static int remove_tree(int pfd, const char *name) {
  int fd = openat(pfd, name, DIR_FLAGS);
  if (fd < 0)
    return errno == ENOTDIR ? (unlinkat(pfd, name, 0) == 0 ? 0 : errno) : errno;
  GPtrArray *names = names_in(fd);
  for (guint i = 0; i < names->len; i++)
    remove_tree(fd, names->pdata[i]);
  g_ptr_array_unref(names);
  close(fd);
  return unlinkat(pfd, name, AT_REMOVEDIR) == 0 ? 0 : errno;
}

/* Renames without replacing (the file systems that cannot promise that
 * take the plain rename, the name checked free just before). */
static void move_over(int from, const char *name, int to) {
  if (renameat2(from, name, to, name, RENAME_NOREPLACE) != 0 && errno == EINVAL)
    renameat(from, name, to, name);
}

/* Empties folder `from` into `to`, the same folder's other version: the
 * set's files (at the top) go; what `to` holds as the same file goes;
 * what `to` lacks is moved there; what `to` holds as another file is
 * moved over it when `from_wins` (`from` was DIR until a moment ago, and
 * what changed there since the files were linked is the newer) and goes
 * otherwise.  So nothing is lost that only `from` holds. */
static int settle_named(const ks_outdir *d, int fpfd, const char *fname, int tpfd,
                        const char *tname, gboolean top, gboolean from_wins);

static void settle(const ks_outdir *d, int from, int to, gboolean top, gboolean from_wins) {
  GPtrArray *names = names_in(from);
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    struct stat fs, ts;
    if (fstatat(from, name, &fs, AT_SYMLINK_NOFOLLOW) != 0)
      continue;
    gboolean dir = S_ISDIR(fs.st_mode);
    if (top && !dir && is_owned(d, name)) {
      unlinkat(from, name, 0);
    } else if (fstatat(to, name, &ts, AT_SYMLINK_NOFOLLOW) != 0) {
      move_over(from, name, to);
    } else if (dir && S_ISDIR(ts.st_mode)) {
      settle_named(d, from, name, to, name, FALSE, from_wins);
    } else if (!dir && !S_ISDIR(ts.st_mode)) {
      if (fs.st_dev == ts.st_dev && fs.st_ino == ts.st_ino)
        unlinkat(from, name, 0);
      else if (from_wins)
        renameat(from, name, to, name);
      else
        unlinkat(from, name, 0);
    }
    /* A folder on one side and a file on the other: left for the user. */
  }
  g_ptr_array_unref(names);
}

/* Settles folder `fname` of `fpfd` into folder `tname` of `tpfd` and
 * removes it: 0, or ENOTEMPTY when something in it could not be settled. */
static int settle_named(const ks_outdir *d, int fpfd, const char *fname, int tpfd,
                        const char *tname, gboolean top, gboolean from_wins) {
  int from = openat(fpfd, fname, DIR_FLAGS), to = openat(tpfd, tname, DIR_FLAGS);
  if (from >= 0 && to >= 0)
    settle(d, from, to, top, from_wins);
  if (from >= 0)
    close(from);
  if (to >= 0)
    close(to);
  return unlinkat(fpfd, fname, AT_REMOVEDIR) == 0 ? 0 : errno;
}

/* Settles folder `name` beside DIR into DIR (above). */
static int settle_into_dir(const ks_outdir *d, int pfd, const char *name, gboolean from_wins) {
  return settle_named(d, pfd, name, pfd, d->base, TRUE, from_wins);
}

static void busy(const ks_outdir *d, GError **error) {
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
              "%s: another kasim run is writing this folder (its files are in %s)", d->dir,
              d->staging);
}

/* What a killed run left beside DIR.  Its staging folder, unlocked: its
 * files go, and whatever of the user's it holds that DIR does not goes
 * into DIR (it was killed after the swap, before the earlier folder was
 * emptied); a locked one refuses this run.  The earlier folder between
 * two renames (a file system without RENAME_EXCHANGE): back under DIR's
 * name if DIR is missing, else settled into DIR. */
static gboolean clear_killed(const ks_outdir *d, int pfd, GError **error) {
  int fd = openat(pfd, d->staging_name, DIR_FLAGS);
  if (fd < 0 && errno != ENOENT) {
    fail(error, d->staging, errno);
    return FALSE;
  }
  struct stat st;
  gboolean has_dir = fstatat(pfd, d->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
  int err = 0;
  if (fd >= 0) {
    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
      err = EWOULDBLOCK;
    else
      err = has_dir ? settle_into_dir(d, pfd, d->staging_name, FALSE)
                    : remove_tree(pfd, d->staging_name);
    close(fd);
  }
  if (err == EWOULDBLOCK) {
    busy(d, error);
    return FALSE;
  }
  if (err != 0 && err != ENOENT) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s: left by a killed run, it holds files that differ from %s's: look at "
                "them and remove it",
                d->staging, d->base);
    return FALSE;
  }
  if (fstatat(pfd, d->old_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
    if (!has_dir)
      renameat(pfd, d->old_name, pfd, d->base);
    else
      settle_into_dir(d, pfd, d->old_name, TRUE);
  }
  return TRUE;
}

/* The mount `name` of `fd` is on (0 when it cannot be told), and its
 * type in *mode: a bind mount of a folder of the same file system has
 * its parent's st_dev, so the mount's id is what tells it. */
static guint64 mount_of(int fd, const char *name, mode_t *mode) {
  struct statx sx;
  if (statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, STATX_TYPE | STATX_MNT_ID, &sx) != 0)
    return 0;
  if (mode)
    *mode = sx.stx_mode;
  if (sx.stx_mask & STATX_MNT_ID)
    return sx.stx_mnt_id;
  return ((guint64)sx.stx_dev_major << 32 | sx.stx_dev_minor) | (guint64)1 << 63;
}

/* Why DIR cannot be replaced whole, or NULL.  `probe` is set to a file
 * of the user's (a path inside DIR) when it holds one: whether its file
 * system makes hard links is tried on it once the staging folder is
 * there. */
static char *why_not_whole(const ks_outdir *d, int fd, const char *rel, guint64 mnt, char **probe) {
  GPtrArray *names = names_in(fd);
  char *why = NULL;
  for (guint i = 0; why == NULL && i < names->len; i++) {
    const char *name = names->pdata[i];
    mode_t mode = 0;
    guint64 at = rel == NULL && is_owned(d, name) ? 0 : mount_of(fd, name, &mode);
    if (at == 0)
      continue;
    g_autofree char *path = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
    if (at != mnt) {
      why = g_strdup_printf("it holds a mount point, %s", path);
    } else if (S_ISDIR(mode)) {
      int sub = openat(fd, name, DIR_FLAGS);
      if (sub < 0) {
        why = g_strdup_printf("its folder %s cannot be read: %s", path, g_strerror(errno));
      } else {
        why = why_not_whole(d, sub, path, mnt, probe);
        close(sub);
      }
    } else if (*probe == NULL) {
      *probe = g_steal_pointer(&path);
    }
  }
  g_ptr_array_unref(names);
  return why;
}

/* Why DIR, which exists, cannot be swapped, or NULL. */
static char *why_not_swapped(const ks_outdir *d, int pfd, char **probe) {
  struct stat st, cwd;
  if (fstatat(pfd, d->base, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return NULL;
  guint64 mnt = mount_of(pfd, d->base, NULL);
  if (mnt != mount_of(pfd, "", NULL))
    return g_strdup("it is a mount point");
  /* The shell that started the run would be left in the earlier folder,
   * removed. */
  g_autofree char *here = g_get_current_dir();
  g_autofree char *real = realpath(d->dir, NULL);
  if (stat(".", &cwd) == 0 && cwd.st_dev == st.st_dev && cwd.st_ino == st.st_ino)
    return g_strdup("it is the current folder");
  if (real && (g_str_has_prefix(here, real) && here[strlen(real)] == '/'))
    return g_strdup("the current folder is inside it");
  int fd = openat(pfd, d->base, DIR_FLAGS);
  if (fd < 0)
    return g_strdup_printf("it cannot be read: %s", g_strerror(errno));
  char *why = why_not_whole(d, fd, NULL, mnt, probe);
  close(fd);
  return why;
}

/* Makes the staging folder and locks it: 1; 0 when the parent folder
 * is not this user's to add to (errno says why); -1 with an error.  Between its
 * mkdir and its lock another run may take it for a killed run's and
 * remove it: then the name no longer points at the folder locked, and it
 * is made again. */
static int make_staging(ks_outdir *d, int pfd, GError **error) {
  for (int tries = 0; tries < 3; tries++) {
    if (!clear_killed(d, pfd, error))
      return -1;
    if (mkdirat(pfd, d->staging_name, 0755) != 0) {
      if (errno == EEXIST)
        continue;
      if (errno == EACCES || errno == EPERM)
        return 0;
      fail(error, d->staging, errno);
      return -1;
    }
    int fd = openat(pfd, d->staging_name, DIR_FLAGS);
    struct stat a, b;
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
        fstatat(pfd, d->staging_name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev) {
      d->staging_fd = fd;
      /* The folder DIR will be: as DIR was. */
      struct stat old;
      if (fstatat(pfd, d->base, &old, AT_SYMLINK_NOFOLLOW) == 0)
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

static void refuse(const ks_outdir *d, const char *why, GError **error) {
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
              "%s: kasim replaces a run's folder whole, so that a killed run never leaves "
              "two runs' files mixed, and cannot replace this one: %s; write the run into a "
              "folder of its own, or pass --in-place to have its files renamed in one by one",
              d->dir, why);
}

/* DIR with its symbolic links followed, the last one's target included:
 * the folder swapped is the real one, and the link keeps pointing at it. */
static char *follow(const char *dir, GError **error) {
  char *path = g_strdup(dir);
  for (int hops = 0;; hops++) {
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
      return path;
    g_autofree char *to = hops < 40 ? g_file_read_link(path, NULL) : NULL;
    if (to == NULL) {
      fail(error, dir, ELOOP);
      g_free(path);
      return NULL;
    }
    g_autofree char *from = g_path_get_dirname(path);
    g_free(path);
    path = g_path_is_absolute(to) ? g_strdup(to) : g_build_filename(from, to, NULL);
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
      path[n - 1] = '\0';
  }
}

/* DIR's parent, readable if it may be (to be synced), else only to be
 * entered: -1 with errno. */
static int open_parent(const ks_outdir *d) {
  int fd = open(d->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 ? fd : open(d->parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Makes the staging folder beside DIR, or refuses with the reason. */
static gboolean prepare_whole(ks_outdir *d, int pfd, GError **error) {
  g_autofree char *probe = NULL;
  g_autofree char *why = why_not_swapped(d, pfd, &probe);
  if (why) {
    refuse(d, why, error);
    return FALSE;
  }
  int made = make_staging(d, pfd, error);
  if (made == 0) {
    g_autofree char *w = g_strdup_printf("its parent folder takes no new folder (%s)",
                                         g_strerror(errno));
    refuse(d, w, error);
  }
  if (made <= 0)
    return FALSE;
  /* The user's files are kept by hard links into the new folder. */
  if (probe) {
    int dfd = openat(pfd, d->base, DIR_FLAGS);
    /* Named as a temporary of the marker's: a killed run's is removed. */
    g_autofree char *tmp = g_strdup_printf(".%s.kslink", d->marker);
    gboolean linked = dfd >= 0 && linkat(dfd, probe, d->staging_fd, tmp, 0) == 0;
    int err = errno;
    if (dfd >= 0)
      close(dfd);
    if (!linked) {
      g_autofree char *w = g_strdup_printf("its files (%s) cannot be kept by hard links (%s)",
                                           probe, g_strerror(err));
      refuse(d, w, error);
      return FALSE;
    }
    unlinkat(d->staging_fd, tmp, 0);
  }
  return TRUE;
}

ks_outdir *ks_outdir_new(const char *dir, const char *const *owned, const char *marker,
                         gboolean in_place, GError **error) {
  ks_outdir *d = g_new0(ks_outdir, 1);
  d->staging_fd = -1;
  d->owned = g_ptr_array_new_with_free_func(g_free);
  for (; owned && *owned; owned++)
    g_ptr_array_add(d->owned, g_strdup(*owned));
  d->marker = g_strdup(marker);
  d->kept = g_ptr_array_new_with_free_func(g_free);
  g_autofree char *given = g_strdup(dir);
  for (size_t n = strlen(given); n > 1 && given[n - 1] == '/'; n--)
    given[n - 1] = '\0';
  if ((d->dir = follow(given, error)) == NULL)
    goto no;
  d->parent = g_path_get_dirname(d->dir);
  d->base = g_path_get_basename(d->dir);
  gboolean named = strcmp(d->base, ".") != 0 && strcmp(d->base, "..") != 0 &&
                   strcmp(d->base, "/") != 0;
  if (!named && !in_place) {
    refuse(d,
           strcmp(d->base, ".") == 0    ? "it is the current folder"
           : strcmp(d->base, "..") == 0 ? "the current folder is inside it"
                                        : "it is the root folder",
           error);
    goto no;
  }
  if (named) {
    if (g_mkdir_with_parents(d->parent, 0755) != 0) {
      fail(error, d->parent, errno);
      goto no;
    }
    d->staging_name = g_strdup_printf(".%s.kasim-tmp", d->base);
    d->old_name = g_strdup_printf(".%s.kasim-old", d->base);
    d->staging = strcmp(d->parent, ".") == 0 ? g_strdup(d->staging_name)
                                             : g_build_filename(d->parent, d->staging_name, NULL);
    int pfd = open_parent(d);
    if (pfd < 0) {
      fail(error, d->parent, errno);
      goto no;
    }
    gboolean ok = in_place ? clear_killed(d, pfd, error) : prepare_whole(d, pfd, error);
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

static void sync_fd(const ks_outdir *d, int fd) {
  if (fd >= 0 && !d->no_sync)
    (void)fsync(fd);
}

void ks_outdir_no_sync(ks_outdir *d) { d->no_sync = TRUE; }

/* In place: an earlier set's files in DIR that this one does not write,
 * the marker first: from here until the new marker is in place DIR holds
 * no complete set. */
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

/* Links what folder `from` holds (at the top, but the set's files) into
 * `to`, folders made anew with their modes and times: the user's files
 * stay in the new folder, as the same files. */
static gboolean link_tree(const ks_outdir *d, int from, int to, const char *rel, GError **error) {
  GPtrArray *names = names_in(from);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < names->len; i++) {
    const char *name = names->pdata[i];
    struct stat st;
    if ((rel == NULL && is_owned(d, name)) || fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue; /* gone meanwhile: nothing to keep */
    g_autofree char *path = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
    int err = 0;
    if (!S_ISDIR(st.st_mode)) {
      if (linkat(from, name, to, name, 0) != 0)
        err = errno;
    } else if (mkdirat(to, name, 0700) != 0) {
      err = errno;
    } else {
      int f = openat(from, name, DIR_FLAGS), t = openat(to, name, DIR_FLAGS);
      if (f < 0 || t < 0)
        err = errno;
      else
        ok = link_tree(d, f, t, path, error);
      if (t >= 0) {
        struct timespec times[2] = {st.st_atim, st.st_mtim};
        fchmod(t, st.st_mode & 07777);
        futimens(t, times);
        sync_fd(d, t);
        close(t);
      }
      if (f >= 0)
        close(f);
    }
    if (err != 0) {
      g_autofree char *p = g_build_filename(d->dir, path, NULL);
      fail(error, p, err);
      ok = FALSE;
    }
  }
  g_ptr_array_unref(names);
  return ok;
}

static gboolean commit_staged(ks_outdir *d, GError **error) {
  int pfd = open_parent(d);
  if (pfd < 0) {
    fail(error, d->parent, errno);
    return FALSE;
  }
  gboolean ok = TRUE;
  /* A missing DIR is renamed into being; one made meanwhile is swapped. */
  if (renameat(pfd, d->staging_name, pfd, d->base) != 0) {
    if (errno != ENOTEMPTY && errno != EEXIST) {
      fail(error, d->dir, errno);
      ok = FALSE;
    }
    int dfd = ok ? openat(pfd, d->base, DIR_FLAGS) : -1;
    if (ok && dfd < 0)
      fail(error, d->dir, errno), ok = FALSE;
    ok = ok && link_tree(d, dfd, d->staging_fd, NULL, error);
    if (dfd >= 0)
      close(dfd);
    sync_fd(d, d->staging_fd);
    if (ok && renameat2(pfd, d->staging_name, pfd, d->base, RENAME_EXCHANGE) == 0) {
      /* The earlier folder is under the staging name now. */
      sync_fd(d, pfd);
      settle_into_dir(d, pfd, d->staging_name, TRUE);
    } else if (ok && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
      /* No exchange here: two renames, between which DIR is missing. */
      if (renameat(pfd, d->base, pfd, d->old_name) != 0) {
        fail(error, d->dir, errno);
        ok = FALSE;
      } else if (renameat(pfd, d->staging_name, pfd, d->base) != 0) {
        fail(error, d->dir, errno);
        renameat(pfd, d->old_name, pfd, d->base);
        ok = FALSE;
      } else {
        sync_fd(d, pfd);
        settle_into_dir(d, pfd, d->old_name, TRUE);
      }
    } else if (ok) {
      fail(error, d->dir, errno);
      ok = FALSE;
    }
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
    ok = commit_staged(d, error);
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
      int pfd = open_parent(d);
      if (pfd >= 0) {
        remove_tree(pfd, d->staging_name);
        close(pfd);
      }
    }
    close(d->staging_fd);
  }
  g_free(d->dir);
  g_free(d->parent);
  g_free(d->base);
  g_free(d->staging);
  g_free(d->staging_name);
  g_free(d->old_name);
  g_ptr_array_unref(d->owned);
  g_free(d->marker);
  g_ptr_array_unref(d->kept);
  g_free(d);
}
