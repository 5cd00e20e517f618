/* ks_outdir.h - a run's output folder replaced whole: after a kill at any
 * moment it holds the previous run's complete files or this run's (or,
 * for a moment on some file systems, none), never a mix of the two and
 * never a half-written file under a final name.
 *
 * The files are written into a staging folder beside DIR,
 * ".NAME.kasim-tmp", which the writing process holds flock()ed, and when
 * all of them are complete and synced the two folders swap names in one
 * step (renameat2's RENAME_EXCHANGE: ext4, XFS, Btrfs, tmpfs and others).
 * A missing DIR is simply renamed into being.  Where names cannot be
 * exchanged (NFS, for one) DIR is renamed aside to ".NAME.kasim-old" and
 * the staging folder into its place: between the two renames there is no
 * DIR, the "none" above.  A symbolic link DIR is followed: the folder
 * swapped is its target, and the link keeps pointing at the new one.
 *
 * What DIR holds that a run does not write (`kasim plot`'s pictures, a
 * report, the user's notes and folders) is hard-linked into the new
 * folder before the swap, folders made anew, so it stays as the same
 * files.  Then the earlier folder is emptied: its run's files go, what
 * the new folder holds as the same file goes, and what changed in DIR
 * while the files were linked (a picture written meanwhile) is moved
 * over, so nothing of the user's is lost.
 *
 * DIR is refused (G_FILE_ERROR_INVAL, naming the reason) where it cannot
 * be replaced whole: it is the current folder or holds it (the shell
 * would be left in the removed one), a mount point, or holds one; its
 * parent takes no new folder; its file system makes no hard links to
 * keep the user's files.  The caller may then ask for in_place: the files
 * go into DIR itself under temporary names (ks_afile.h) and are renamed
 * into place one by one, the marker (summary.json) removed first and
 * renamed last; a kill during those renames can leave new files beside
 * old ones, without the marker.
 *
 * A staging folder left by a killed run is unlocked: the next run into
 * the same DIR removes its run files and settles the rest into DIR as
 * above, except that DIR's version of a file wins (so a file deleted from
 * DIR since may come back; none is lost).  An earlier folder left between
 * two renames goes back to DIR's name, or is settled into it.  A locked
 * staging folder means another process is writing DIR, and the run is
 * refused rather than mixed with it.
 */
#ifndef KASIM_KS_OUTDIR_H
#define KASIM_KS_OUTDIR_H

#include <glib.h>

#include "ks_afile.h"

typedef struct ks_outdir ks_outdir;

/* Prepares DIR (made with its parents when missing) for a set of files.
 * `owned`: every name the set may hold (NULL-terminated), which the new
 * set replaces whether or not it writes them; `marker`, one of them, is
 * the file whose presence says the set is complete.  in_place: write into
 * DIR itself (above).  NULL with a G_FILE_ERROR naming the path, and
 * G_FILE_ERROR_INVAL when DIR cannot be replaced whole. */
ks_outdir *ks_outdir_new(const char *dir, const char *const *owned, const char *marker,
                         gboolean in_place, GError **error);
/* Where the files are to be opened: the staging folder, or DIR. */
const char *ks_outdir_path(const ks_outdir *d);
/* Whether the files go to a staging folder (FALSE: into DIR itself). */
gboolean ks_outdir_staged(const ks_outdir *d);
/* In place only: `name` is written by the caller at its final name (a
 * live trace), so it is not an earlier set's file to remove.  Staged,
 * such a file is written in the staging folder and moves with it. */
void ks_outdir_keep(ks_outdir *d, const char *name);

/* Commits without syncing the files or the folders to disk
 * (ks_afile_no_sync): a sweep's cells. */
void ks_outdir_no_sync(ks_outdir *d);

/* Syncs `files` (opened with ks_afile_open* in ks_outdir_path, the
 * marker's last), then makes them DIR's set as above; frees them in every
 * case.  FALSE with an error, and DIR as it was, when a file cannot be
 * synced (a full disk) or the folder cannot be changed. */
gboolean ks_outdir_commit(ks_outdir *d, ks_afile **files, guint n, GError **error);
/* Removes the staging folder unless committed; frees d.  NULL is fine. */
void ks_outdir_free(ks_outdir *d);

#endif
