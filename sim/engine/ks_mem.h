/* ks_mem.h - big arrays on transparent huge pages.
 *
 * Why.  An event touches the state of the connection it belongs to, and
 * with a million connections those touches land at random over a hundred
 * megabytes or more.  With 4 KiB pages almost every one of them is on a
 * page whose translation the TLB no longer holds (an AMD Zen 4 core keeps
 * 3,072 of them: 12 MiB), so each event pays a page-table walk on top of
 * its cache miss, and in a virtual machine that walk is two-dimensional.
 * With 2 MiB pages the same TLB covers 6 GiB (the gain, measured, is in
 * docs/performance-log.md).
 *
 * The pages are asked for with madvise(MADV_HUGEPAGE): where the system's
 * policy (/sys/kernel/mm/transparent_hugepage/enabled) is "madvise" that
 * is what makes them huge, under "always" they are huge anyway, and under
 * "never" they stay small; nothing else changes.  Only arrays of at least
 * 2 MiB are given them; smaller ones come from malloc.
 */
#ifndef KASIM_KS_MEM_H
#define KASIM_KS_MEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The size of a huge page, and the size from which arrays get them. */
#define KS_MEM_HUGE ((size_t)2 << 20)

/* `size` zeroed bytes, aligned to 64 (to KS_MEM_HUGE from that size up);
 * NULL if out of memory.  Pages are only made resident when touched. */
void *ks_mem_huge_new0(size_t size);

/* Frees what ks_mem_huge_new0(size) returned, given the same size. */
void ks_mem_huge_free(void *p, size_t size);

#ifdef __cplusplus
}
#endif

#endif
