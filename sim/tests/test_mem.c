/* test_mem.c - big arrays on huge pages: zeroed, aligned, advised, freed. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ks_mem.h"

/* The VmFlags line of the mapping of /proc/self/smaps that holds `p`, or
 * NULL if no mapping does. */
static char *vm_flags_of(const void *p) {
  char *text = NULL;
  char **lines;
  char *flags = NULL;
  gboolean inside = FALSE, found = FALSE;

  g_assert_true(g_file_get_contents("/proc/self/smaps", &text, NULL, NULL));
  lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l != NULL && flags == NULL; l++) {
    unsigned long lo, hi;
    if (sscanf(*l, "%lx-%lx ", &lo, &hi) == 2 && strchr(*l, '-') < strchr(*l, ' ')) {
      inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
      found |= inside;
    } else if (inside && g_str_has_prefix(*l, "VmFlags:")) {
      flags = g_strdup(*l + strlen("VmFlags:"));
    }
  }
  g_strfreev(lines);
  g_free(text);
  if (found && flags == NULL)
    flags = g_strdup("");
  return flags;
}

static gboolean has_flag(const char *flags, const char *flag) {
  char **words = g_strsplit_set(flags, " \t", -1);
  gboolean yes = g_strv_contains((const char *const *)words, flag);
  g_strfreev(words);
  return yes;
}

static gboolean all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0)
      return FALSE;
  return TRUE;
}

static void test_small(void) {
  size_t n = 1000;
  unsigned char *p = ks_mem_huge_new0(n);

  g_assert_nonnull(p);
  g_assert_cmpuint((uintptr_t)p % 64, ==, 0);
  g_assert_true(all_zero(p, n));
  memset(p, 0xab, n); /* writable, and ASan checks the bounds */
  ks_mem_huge_free(p, n);
  ks_mem_huge_free(NULL, n);
  p = ks_mem_huge_new0(0); /* a valid pointer to nothing */
  g_assert_nonnull(p);
  ks_mem_huge_free(p, 0);
}

/* From 2 MiB up: aligned to a huge page, zeroed, advised (the "hg" flag
 * of the mapping, proc(5): MADV_HUGEPAGE), and unmapped when freed. */
static void test_big(void) {
  size_t n = 3 * KS_MEM_HUGE + 12345;
  unsigned char *p = ks_mem_huge_new0(n);
  char *flags;

  g_assert_nonnull(p);
  g_assert_cmpuint((uintptr_t)p % KS_MEM_HUGE, ==, 0);
  g_assert_true(all_zero(p, n));
  memset(p, 0xab, n);
  flags = vm_flags_of(p + n - 1);
  g_assert_nonnull(flags);
  if (!has_flag(flags, "hg") &&
      g_file_test("/sys/kernel/mm/transparent_hugepage", G_FILE_TEST_IS_DIR))
    g_error("the array's mapping lacks MADV_HUGEPAGE: VmFlags:%s", flags);
  g_free(flags);
  ks_mem_huge_free(p, n);
  flags = vm_flags_of(p);
  /* The range may already hold something else (GLib's own allocations),
   * but not our advised mapping. */
  g_assert_true(flags == NULL || !has_flag(flags, "hg"));
  g_free(flags);
}

/* Exactly 2 MiB: the first size on huge pages. */
static void test_threshold(void) {
  unsigned char *p = ks_mem_huge_new0(KS_MEM_HUGE);
  unsigned char *q = ks_mem_huge_new0(KS_MEM_HUGE - 1);
  g_assert_cmpuint((uintptr_t)p % KS_MEM_HUGE, ==, 0);
  p[KS_MEM_HUGE - 1] = 1;
  q[KS_MEM_HUGE - 2] = 1;
  ks_mem_huge_free(p, KS_MEM_HUGE);
  ks_mem_huge_free(q, KS_MEM_HUGE - 1);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mem/small", test_small);
  g_test_add_func("/mem/big", test_big);
  g_test_add_func("/mem/threshold", test_threshold);
  return g_test_run();
}
