/* ks_mem.c - see ks_mem.h. */
#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
#include "ks_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KS_MEM_SMALL_ALIGN 64u

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

void *ks_mem_huge_new0(size_t size) {
  size_t len;
  uintptr_t raw, at;
  void *p;

  if (size < KS_MEM_HUGE) {
    len = round_up(size != 0 ? size : 1, KS_MEM_SMALL_ALIGN);
    p = aligned_alloc(KS_MEM_SMALL_ALIGN, len);
    if (p != NULL)
      memset(p, 0, len);
    return p;
  }
  len = round_up(size, KS_MEM_HUGE);
  if (len < size || len > SIZE_MAX - KS_MEM_HUGE)
    return NULL;
  /* One huge page more than needed, then the unaligned ends cut off: mmap
   * only promises 4 KiB alignment, and a huge page must be aligned. */
  p = mmap(NULL, len + KS_MEM_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  raw = (uintptr_t)p;
  at = round_up(raw, KS_MEM_HUGE);
  if (at != raw)
    munmap(p, at - raw);
  munmap((void *)(at + len), raw + KS_MEM_HUGE - at); /* never empty */
  /* Advice: where it is refused (policy "never", old kernels) the array
   * is still there, on small pages. */
  (void)madvise((void *)at, len, MADV_HUGEPAGE);
  return (void *)at; /* zeroed: fresh anonymous pages */
}

void ks_mem_huge_free(void *p, size_t size) {
  if (p == NULL)
    return;
  if (size < KS_MEM_HUGE)
    free(p);
  else
    munmap(p, round_up(size, KS_MEM_HUGE));
}
