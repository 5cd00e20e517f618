/* ks_format.c - durations and counts for people. */
#include "ks_format.h"

#include <string.h>

char *ks_format_seconds(ka_time t) {
  gboolean neg = t < 0;
  guint64 ns = neg ? (guint64)(-(t + 1)) + 1 : (guint64)t;
  guint64 ms = (ns + 500000) / 1000000; /* to the nearest millisecond */
  char *s = g_strdup_printf("%s%" G_GUINT64_FORMAT ".%03u", neg ? "-" : "", ms / 1000,
                            (unsigned)(ms % 1000));
  char *end = s + strlen(s) - 1;
  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  return s;
}

char *ks_format_human(ka_time t) {
  if (t < KA_S(1))
    return g_strdup_printf("%" G_GINT64_FORMAT " ms", t / KA_NS_PER_MS);
  gint64 s = t / KA_NS_PER_S;
  gint64 d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
  GString *out = g_string_new(NULL);
  if (d)
    g_string_append_printf(out, "%" G_GINT64_FORMAT " d ", d);
  if (d || h)
    g_string_append_printf(out, "%" G_GINT64_FORMAT " h ", h);
  if (d || h || m)
    g_string_append_printf(out, "%" G_GINT64_FORMAT " min ", m);
  g_string_append_printf(out, "%" G_GINT64_FORMAT " s", sec);
  return g_string_free(out, FALSE);
}

char *ks_format_count(guint64 n) {
  char digits[32];
  g_snprintf(digits, sizeof digits, "%" G_GUINT64_FORMAT, n);
  size_t len = strlen(digits);
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      g_string_append_c(s, ',');
    g_string_append_c(s, digits[i]);
  }
  return g_string_free(s, FALSE);
}

const char *ks_plural(guint64 n, const char *one, const char *many) { return n == 1 ? one : many; }
