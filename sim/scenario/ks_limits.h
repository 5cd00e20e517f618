/* ks_limits.h - what kasim does with input it cannot trust: the limits on
 * everything a file can make large, reading a file no larger than a limit,
 * and escaping the text of a message.
 *
 * Every limit has a default that no honest scenario meets (docs/limits.md
 * gives each one, why, and what a scenario near it looks like), so that a
 * hostile or mistaken file is refused at once, with exit status 2 and a
 * located message, instead of hanging or exhausting memory.  A limit can be
 * raised, up to a ceiling where one exists, by NAME=VALUE: `kasim run
 * --limit NAME=VALUE`, or for every command (sweeps and their cells too) the
 * environment variable KASIM_LIMITS="NAME=VALUE,NAME=VALUE".
 */
#ifndef KASIM_KS_LIMITS_H
#define KASIM_KS_LIMITS_H

#include <glib.h>
#include <kasim/ka.h>

#define KS_LIMITS_ERROR (ks_limits_error_quark())
GQuark ks_limits_error_quark(void);

typedef enum ks_limits_error {
  KS_LIMITS_ERROR_INVALID, /* a bad NAME=VALUE */
  KS_LIMITS_ERROR_READ,    /* a file that cannot be read */
  KS_LIMITS_ERROR_TOO_LARGE
} ks_limits_error;

typedef struct ks_limits {
  guint64 scenario_bytes; /* size of a scenario file */
  guint64 reg_bytes;      /* size of a .reg file */
  guint64 depth;          /* YAML nesting: mappings and lists inside each other */
  guint64 nodes;          /* YAML nodes: keys, values, list entries, each alias use */
  guint64 hosts, links, middleboxes, groups;
  guint64 connections; /* the sum of the groups' counts */
  guint64 events;      /* timeline events after flaps are expanded */
  guint64 route_hops;  /* links on all groups' paths, added up */
  guint64 rate;        /* exchanges (traffic and keep-alive) per virtual second */
  guint64 exchanges;   /* exchanges over the whole run, estimated */
  ka_time duration;    /* the longest duration of any kind: virtual time, delays, timeouts */
} ks_limits;

/* The built-in defaults (docs/limits.md). */
void ks_limits_init(ks_limits *l);
/* The defaults, then KASIM_LIMITS from the environment over them.  FALSE
 * with an error naming KASIM_LIMITS when it is malformed. */
gboolean ks_limits_init_env(ks_limits *l, GError **error);
/* Sets one limit from "NAME=VALUE": a whole number (bytes, count) or, for
 * duration, a duration with a unit.  `origin` names where it came from in
 * messages ("--limit", "KASIM_LIMITS"). */
gboolean ks_limits_set(ks_limits *l, const char *assignment, const char *origin, GError **error);
/* "NAME=VALUE,..." as KASIM_LIMITS holds them. */
gboolean ks_limits_set_list(ks_limits *l, const char *list, const char *origin, GError **error);
/* "kasim run --limit NAME=N, or KASIM_LIMITS=NAME=N ...": how to raise
 * limit NAME, for messages; free it. */
char *ks_limits_hint(const char *name);
/* "depth, nodes, ...": the names, for messages and --help. */
const char *ks_limits_names(void);

/* Reads a whole file, but never more than `max` bytes: a larger file (or
 * /dev/zero, a pipe that never ends) fails after max + 1 bytes with
 * "PATH:1:1: larger than MAX bytes (the limit NAME; ...)", `limit_name`
 * naming the limit; one that cannot be read fails with KS_LIMITS_ERROR_READ
 * and only the system's reason ("No such file or directory"), for the
 * caller to say what it was reading.  The data is NUL-terminated; free it
 * with g_free. */
char *ks_read_file_limited(const char *path, guint64 max, const char *limit_name, gsize *len,
                           GError **error);

/* `text` with every character that a terminal would act on written out:
 * control characters (C0, DEL, C1) as \n, \r, \t or \xHH / \u00HH, bytes
 * that are not UTF-8 as \xHH, and the Unicode characters that reorder or
 * hide text (bidirectional overrides and isolates, zero-width marks) as
 * \uHHHH.  Anything else, backslashes too, is kept, so escaping twice
 * changes nothing.  Free the result. */
char *ks_escape(const char *text);

#endif
