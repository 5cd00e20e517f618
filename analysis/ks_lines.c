/* ks_lines.c - plain or gzip text files, a line at a time; see ks_lines.h. */
#include "ks_lines.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <zlib.h>

struct ks_lines {
  gzFile gz;
  char *buf; /* [start, end) not yet handed out */
  gsize cap, start, end;
  gboolean eof;
  gboolean held; /* buf[start] was overwritten by the last line's NUL */
  char held_ch;  /* ... and held this */
  char *failed;
};

#define CHUNK (1u << 16)

ks_lines *ks_lines_open(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  gzFile gz = gzdopen(fd, "rb");
  if (gz == NULL) {
    close(fd);
    errno = ENOMEM;
    return NULL;
  }
  gzbuffer(gz, 1u << 17);
  ks_lines *l = g_new0(ks_lines, 1);
  l->gz = gz;
  l->cap = 2 * CHUNK;
  l->buf = g_malloc(l->cap + 1);
  return l;
}

char *ks_lines_next(ks_lines *l, gsize *len) {
  if (l->held)
    l->buf[l->start] = l->held_ch, l->held = FALSE;
  gsize scanned = l->start;
  for (;;) {
    char *nl = memchr(l->buf + scanned, '\n', l->end - scanned);
    if (nl != NULL || (l->eof && l->end > l->start)) {
      gsize stop = nl ? (gsize)(nl - l->buf) + 1 : l->end;
      char *line = l->buf + l->start;
      *len = stop - l->start;
      /* The line's NUL goes on the octet after it, the next line's first
       * (kept for the next call) or free space (buf has one beyond cap). */
      if (stop < l->end)
        l->held = TRUE, l->held_ch = l->buf[stop];
      l->buf[stop] = '\0';
      l->start = stop;
      return line;
    }
    if (l->eof || l->failed)
      return NULL;
    /* Move what is left to the front, grow if one line fills the buffer,
     * and read more. */
    gsize left = l->end - l->start;
    memmove(l->buf, l->buf + l->start, left);
    l->start = 0;
    l->end = left;
    scanned = left;
    if (l->cap - l->end < CHUNK) {
      l->cap *= 2;
      l->buf = g_realloc(l->buf, l->cap + 1);
    }
    int n = gzread(l->gz, l->buf + l->end, (unsigned)(l->cap - l->end));
    if (n < 0) {
      int code = 0;
      const char *msg = gzerror(l->gz, &code);
      l->failed = g_strdup(code == Z_ERRNO ? g_strerror(errno) : msg);
      return NULL;
    }
    l->end += (gsize)n;
    if (n == 0) {
      /* gzread returns what it could before a truncated stream's end,
       * then 0 with the error set. */
      int code = 0;
      const char *msg = gzerror(l->gz, &code);
      if (code != Z_OK && code != Z_STREAM_END)
        l->failed = g_strdup(code == Z_ERRNO ? g_strerror(errno) : msg);
      l->eof = TRUE;
      if (l->failed)
        return NULL;
    }
  }
}

const char *ks_lines_failed(ks_lines *l) { return l->failed; }

void ks_lines_close(ks_lines *l) {
  if (l == NULL)
    return;
  gzclose_r(l->gz);
  g_free(l->buf);
  g_free(l->failed);
  g_free(l);
}

char *ks_lines_find(const char *dir, const char *name) {
  char *plain = g_build_filename(dir, name, NULL);
  if (g_file_test(plain, G_FILE_TEST_EXISTS))
    return plain;
  g_autofree char *gz_name = g_strconcat(name, ".gz", NULL);
  char *gz = g_build_filename(dir, gz_name, NULL);
  if (g_file_test(gz, G_FILE_TEST_EXISTS)) {
    g_free(plain);
    return gz;
  }
  g_free(gz);
  return plain;
}
