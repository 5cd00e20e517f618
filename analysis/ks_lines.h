/* ks_lines.h - a run's text files read back a line at a time, whether
 * kasim wrote them plain (trace.jsonl, connections.csv) or compressed
 * with gzip (trace.jsonl.gz, connections.csv.gz: `kasim run --compress`).
 *
 * zlib's gzread tells the two apart by the file's first two octets and
 * passes a plain file through, so every reader handles both with the same
 * loop, in memory bounded by the longest line plus zlib's buffers.
 */
#ifndef KASIM_KS_LINES_H
#define KASIM_KS_LINES_H

#include <glib.h>

typedef struct ks_lines ks_lines;

/* NULL with errno set when the file cannot be opened. */
ks_lines *ks_lines_open(const char *path);
/* The next line, with its '\n' when it has one (the last may not), NUL
 * terminated, valid until the next call; *len its length.  NULL at the
 * end of the file or on an error (ks_lines_failed tells which). */
char *ks_lines_next(ks_lines *l, gsize *len);
/* What went wrong reading (a read error, a damaged or truncated gzip
 * stream), or NULL. */
const char *ks_lines_failed(ks_lines *l);
void ks_lines_close(ks_lines *l);

/* DIR/NAME, or DIR/NAME.gz when only that exists: where a run's file is.
 * DIR/NAME when neither does, for the message that says so (g_free). */
char *ks_lines_find(const char *dir, const char *name);

#endif
