/* ks_afile.h - output files that appear whole or not at all.
 *
 * A file is written under a hidden temporary name in its final folder and
 * renamed into place only when everything the user asked for is ready, so
 * a crash, an error or Ctrl-C never leaves a half-written summary.json or
 * capture.pcap.  Ctrl-C (SIGINT/SIGTERM) also removes the temporaries.
 *
 * A temporary is ".NAME.XXXXXX", flock()ed by the process writing it for
 * as long as it is open.  What SIGKILL leaves behind is unlocked, so the
 * next ks_afile_open of the same NAME in the same folder removes it, and
 * never one that another process is still writing.
 */
#ifndef KASIM_KS_AFILE_H
#define KASIM_KS_AFILE_H

#include <glib.h>
#include <stdio.h>

typedef struct ks_afile ks_afile;

/* Opens DIR/NAME for writing under a temporary name.  NULL with an error
 * naming the path when the folder cannot be written. */
ks_afile *ks_afile_open(const char *dir, const char *name, GError **error);
/* The same, but what is written to the stream is compressed with gzip
 * (zlib's deflate at level KS_AFILE_GZIP_LEVEL) on its way to the file, in
 * bounded memory (zlib's 256 KiB window and two 64 KiB buffers).  The gzip
 * header holds no file name and a modification time of 0 (RFC 1952 2.3.1:
 * "no time stamp is available"), so the same text gives the same file
 * with the same zlib.  `gzip -dc` and zlib's gzread read it. */
ks_afile *ks_afile_open_gzip(const char *dir, const char *name, GError **error);
#define KS_AFILE_GZIP_LEVEL 1
FILE *ks_afile_stream(ks_afile *f);
const char *ks_afile_path(const ks_afile *f); /* the final path */
/* The temporary's path, for a writer that opens its file by name (ns-3's
 * pcap tracing) instead of writing to the stream: what it has written and
 * closed there is what ks_afile_commit renames into place. */
const char *ks_afile_tmp_path(const ks_afile *f);

/* Flushes the stream and syncs the file to disk, without renaming it: a
 * full disk or an I/O error shows here, while the files of an earlier run
 * under the final names are still untouched.  Nothing may be written
 * after it but ks_afile_commit. */
gboolean ks_afile_sync(ks_afile *f, GError **error);
/* From now on "sync" above and below means flush only: neither the file
 * nor, after the rename, its folder is synced to disk.  A kill at any
 * moment still leaves the file whole or absent; a crash of the machine
 * may leave it empty.  For files that something written after them
 * vouches for (a sweep's cells: cell.json), synced later all at once. */
void ks_afile_no_sync(ks_afile *f);
/* Flushes, syncs (unless ks_afile_sync did) and renames into place; frees
 * f in every case. */
gboolean ks_afile_commit(ks_afile *f, GError **error);
/* Removes the temporary; frees f.  NULL is fine. */
void ks_afile_abort(ks_afile *f);

/* Installs the SIGINT/SIGTERM handler that removes open temporaries and
 * exits with 130.  Idempotent. */
void ks_afile_install_signal_handlers(void);

/* A folder of temporaries (ks_outdir.h's staging folder) that the handler
 * removes after the temporaries, when they were all it held; path must
 * stay valid until ks_afile_unwatch_dir.  One at a time. */
void ks_afile_watch_dir(const char *path);
void ks_afile_unwatch_dir(void);

/* Removes DIR/.NAME.XXXXXX temporaries that no process holds (a killed
 * run's); ks_afile_open does it for its NAME. */
void ks_afile_clean_stale(const char *dir, const char *name);
/* Whether a G_FILE_ERROR met writing files is the user's to fix (a
 * folder missing, not writable or not one, a file in the way, a folder
 * that cannot be replaced whole: exit 2) rather than the machine's (a
 * full disk, an I/O error: exit 3; docs/limits.md). */
gboolean ks_afile_error_is_users(const GError *e);
/* Whether `entry` is the name of a temporary of `name`. */
gboolean ks_afile_is_tmp_of(const char *entry, const char *name);

#endif
