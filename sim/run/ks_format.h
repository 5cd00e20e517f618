/* ks_format.h - durations and counts for people: "7210 s (2 h 0 min 10 s)",
 * "1,234,567"; the run layer's sentences and every command's text. */
#ifndef KASIM_KS_FORMAT_H
#define KASIM_KS_FORMAT_H

#include <glib.h>
#include <kasim/ka_time.h>

/* Seconds with millisecond precision, trailing zeros dropped: "7210",
 * "0.2", "924.6". */
char *ks_format_seconds(ka_time t);
/* "2 h 0 min 10 s", "1 d 3 h", "350 ms". */
char *ks_format_human(ka_time t);

/* A count with ',' between thousands, the one style of every command's
 * text: "1,234,567". */
char *ks_format_count(guint64 n);
/* `one` when n is 1, else `many`: "1 idle connection", "2 idle connections". */
const char *ks_plural(guint64 n, const char *one, const char *many);

#endif
