/* ks_wheel.c - see ks_wheel.h for why this is a wheel.
 *
 * Layout.  Times are mapped to uint64 (plus 2^63, so that negative times
 * still order correctly) and cut into digits, one per level, from the
 * bottom; their widths are set in one place, KS_BITS_0 .. KS_BITS_6 below,
 * and everything else about the levels is derived from them.  Level L
 * holds the timers whose expiry agrees with the cursor `cur` on every digit
 * above L and differs at digit L; the slot is that digit.  Level-0 slots
 * are 1 ns wide, so all the timers in one have the same expiry and need no
 * sorting.
 *
 * Why those widths.  The cost of a wheel is the moves: a timer is re-filed
 * one level down or more each time its slot comes up, until it sits alone
 * in the lowest occupied slot and can be taken from there (see settle()),
 * and every move stores to the timer, which with a million timers is a
 * cache miss.  Level 2 has 4.2 ms slots spanning 8.6 s, the bulk of a
 * network simulation; when its lowest slot holds several timers it is not
 * cascaded but sorted, once, into the run (see settle() and run_fill()),
 * so that a timer armed up to 8.6 s ahead is filed once and popped, with
 * no move at all (one move if it crosses an 8.6 s boundary, filed in level
 * 3 until cur gets there).  Level 1 (256 ns slots spanning 4.2 ms) only
 * takes timers armed into the run's own slot after it was sorted.  So the
 * moves left are the boundary crossings, which a wider level 2 makes rarer
 * at the price of more slot headers; cascading level 2 into level 1 would
 * instead move every timer at least once.  And slots as wide as 4.2 ms
 * gather many timers each, so that arming touches the ends of a few
 * hundred slot arrays for timers up to seconds ahead, not of thousands.
 *
 * Slots are numbered level by level from the bottom, so one bitmap of all
 * the slots, with a summary bit per non-zero word and a top word with a
 * bit per non-zero summary word, finds the lowest occupied slot of the
 * lowest occupied level: it is simply the lowest set bit, three
 * count-trailing-zeros away.
 *
 * Why the order is exact.  A timer's slot is a function of its expiry and
 * `cur` only, so timers with equal expiries always share a slot; a slot
 * keeps arrival order and a cascade re-files it front to back, so they keep
 * their arm order all the way down to level 0.  And since a timer's digit
 * at its level is above cur's while the higher digits are equal, no level
 * ever wraps: the earliest timer lies in the lowest occupied slot of the
 * lowest occupied level, found from the bitmap without stepping through
 * idle slots.
 *
 * The run is ordered by a stable sort of the slot's entries on expiry
 * (their tags first, then, where tags are equal, the rest of the expiry),
 * and a slot's entries are in arm order, so equal expiries keep their arm
 * order there too; timers armed into the run's slot later go to levels 0
 * and 1, and lose ties to the run, which holds only earlier arms.
 *
 * Why slots are arrays of timer pointers and not intrusive lists.
 * Cascading a list is pointer chasing, one cache miss after the other; an
 * array hands the CPU the next addresses early, and we prefetch them.  A
 * cancel leaves a hole: O(1) (a binary search in the run, see
 * run_unfile()), and holes are squeezed out when a slot would otherwise
 * grow.
 *
 * Why an entry is 8 bytes: the pointer, with 16 bits of the expiry in its
 * unused top bits (the tag).  With a million timers the wheel is bound by
 * memory traffic, and the entries are most of it besides the timers: each
 * is written when armed, read by the sort and copied when its array grows,
 * so the whole expiry beside the pointer (16-byte entries) would double
 * all three.  The pointer alone would make the sort load every timer, at
 * random, a second time besides the pop.
 * The tag is what the sort needs: the expiry's bits 6 to 21, the top 16 of
 * the 22 below level 2's digit.  So the sort reads the slot's array alone,
 * front to back, and a timer is loaded from memory once, by its pop,
 * prefetched a few dozen pops ahead.  Timers whose tags tie (expiries
 * within the same 64 ns) are put in order at the pop, from their timers,
 * by then in the cache (run_order_ties()).  A user-space address has 47
 * or 48 significant bits on x86-64 and arm64; ks_timer_init() aborts on a
 * timer stored above 2^48, as it would under arm64 MTE's tagged pointers.
 *
 * Why there is an `early` array.  Looking ahead (next_expiry, or a pop
 * whose limit is below the earliest timer) may cascade `cur` past `now`.  A
 * timer armed between `now` and `cur` can no longer be filed relative to
 * `cur`; it goes to a small sorted side array instead, all of which comes
 * before anything in the wheel.  The gap only opens after a look-ahead and
 * closes at the next pop from the wheel, so that array is almost always
 * empty and its O(k) insertion does not matter.
 */
#include "ks_wheel.h"

#include <glib.h>
#include <string.h>

/* The levels: the width in bits of each one's digit, from the bottom.
 * The one place they are set (see "Why those widths" above); the digits'
 * shifts, the slot numbers and the tables below are derived from them, and
 * the _Static_asserts after the tables check what the rest of this file
 * takes for granted. */
#define KS_LEVELS 7
#define KS_BITS_0 8
#define KS_BITS_1 14
#define KS_BITS_2 11
#define KS_BITS_3 8
#define KS_BITS_4 8
#define KS_BITS_5 8
#define KS_BITS_6 7

/* Where level L's digit starts in a (biased) time. */
#define KS_SHIFT_0 0
#define KS_SHIFT_1 (KS_SHIFT_0 + KS_BITS_0)
#define KS_SHIFT_2 (KS_SHIFT_1 + KS_BITS_1)
#define KS_SHIFT_3 (KS_SHIFT_2 + KS_BITS_2)
#define KS_SHIFT_4 (KS_SHIFT_3 + KS_BITS_3)
#define KS_SHIFT_5 (KS_SHIFT_4 + KS_BITS_4)
#define KS_SHIFT_6 (KS_SHIFT_5 + KS_BITS_5)

/* Level L's first slot number: levels are numbered from the bottom, one
 * slot per value of the digit. */
#define KS_BASE_0 0
#define KS_BASE_1 (KS_BASE_0 + (1 << KS_BITS_0))
#define KS_BASE_2 (KS_BASE_1 + (1 << KS_BITS_1))
#define KS_BASE_3 (KS_BASE_2 + (1 << KS_BITS_2))
#define KS_BASE_4 (KS_BASE_3 + (1 << KS_BITS_3))
#define KS_BASE_5 (KS_BASE_4 + (1 << KS_BITS_4))
#define KS_BASE_6 (KS_BASE_5 + (1 << KS_BITS_5))
#define KS_NSLOTS_WHEEL (KS_BASE_6 + (1 << KS_BITS_6))

#define KS_EARLY KS_NSLOTS_WHEEL
#define KS_NSLOTS (KS_EARLY + 1)
/* Not a slot: what settle() returns for "the run". */
#define KS_RUN (KS_NSLOTS + 1)
#define KS_NWORDS (KS_NSLOTS_WHEEL / 64)
#define KS_NSUMMARY ((KS_NWORDS + 63) / 64)
#define KS_NONE UINT32_MAX

#define KS_BIAS (UINT64_C(1) << 63)
#define KS_MIN_CAP 8u
/* Up to this a slot keeps its array when it empties: re-growing small
 * arrays on every turn of their level would cost more than the memory. */
#define KS_KEEP_CAP 16u
/* How far ahead a cascade prefetches the timers it reads. */
#define KS_PREFETCH 16u
/* How far ahead a pop from the run prefetches the timer it will return:
 * the sort does not read the timers (see the tags), so this is the only
 * thing that brings them in.  A tuning, not a bound: it must cover a miss
 * to memory with the events in between, with room for a slower memory,
 * and the figure is not sensitive (docs/performance-log.md). */
#define KS_RUN_PREFETCH 32u
/* A level-2 slot this small is sorted by insertion, larger ones by
 * counting (see run_sort()), and from KS_LSD_MIN entries by two counting
 * passes: where their fixed cost (summing 2 x 256 buckets) is repaid. */
#define KS_SMALL_SORT 24u
#define KS_LSD_MIN 160u
#define KS_LEVEL2 2u
/* An entry: the timer's address below bit KS_TAG_SHIFT, and above it the
 * tag, KS_TAG_BITS bits of the expiry from bit KS_TAG_LOW up: the top of
 * the 22 bits below level 2's digit, what the run sorts on. */
#define KS_TAG_SHIFT 48u
#define KS_TAG_BITS 16u
#define KS_TAG_LOW 6u
#define KS_ADDR_MASK ((UINT64_C(1) << KS_TAG_SHIFT) - 1)
/* Counting passes on the tag: one of up to KS_MSD_BITS, or two of
 * KS_LSD_BITS. */
#define KS_MSD_BITS 13u
#define KS_LSD_BITS (KS_TAG_BITS / 2)
#define KS_HIST (1u << (KS_MSD_BITS > KS_LSD_BITS ? KS_MSD_BITS : KS_LSD_BITS))
/* Levels 0 and 1 are the slots below this (a multiple of 64). */
#define KS_LEVEL2_FIRST ((unsigned)KS_BASE_2)

/* Rare paths kept out of line so that the hot ones stay small. */
#if defined(__GNUC__)
#define KS_NOINLINE __attribute__((noinline))
#else
#define KS_NOINLINE
#endif

/* For the helpers that only prefetch.  GCC counts a prefetch as no side
 * effect, so a helper it has not inlined yet is "pure" to it, and a call
 * whose result is unused is dead: GCC 12 at -O3 deleted every prefetch of
 * the pop's fast path this way (its cddce pass), silently.  Inlined first,
 * the prefetch stays. */
#if defined(__GNUC__)
#define KS_PREFETCHER static inline __attribute__((always_inline))
#else
#define KS_PREFETCHER static inline
#endif

/* An external definition (ks_wheel.h declares it without `inline`) that
 * LTO must inline wherever it sees a call: see ks_wheel_pop(). */
#if defined(__GNUC__)
#define KS_POP_INLINE inline __attribute__((always_inline))
#else
#define KS_POP_INLINE
#endif

_Static_assert(KS_NSLOTS < KS_TIMER_UNARMED_, "slot numbers must fit where_");
_Static_assert(KS_NSLOTS_WHEEL % 64 == 0, "whole bitmap words");
_Static_assert(KS_NSUMMARY <= 64, "one word of summary bits");
_Static_assert(sizeof(ks_timer) == 16 && _Alignof(ks_timer) == 16,
               "a timer lies within one cache line");
_Static_assert(KS_HIST >= 2u << KS_LSD_BITS, "sort_lsd() keeps two histograms");
_Static_assert(KS_TIMER_MAX_CBS <= UINT16_MAX + 1u, "callback indices must fit cb_");

/* A level: how to turn an expiry into one of its slot numbers. */
typedef struct ks_place {
  uint8_t shift; /* of the level's digit */
  uint8_t bits;  /* in the digit */
  uint16_t base; /* the level's first slot number, a multiple of 64 */
  uint32_t mask; /* of the digit */
} ks_place;

/* KS_SHIFT_, KS_BITS_ or KS_BASE_ (F) of level `l`, where `l` is a
 * constant expression: for the tables' initialisers. */
#define KS_OF_LEVEL(F, l) \
  ((l) == 0   ? F##0      \
   : (l) == 1 ? F##1      \
   : (l) == 2 ? F##2      \
   : (l) == 3 ? F##3      \
   : (l) == 4 ? F##4      \
   : (l) == 5 ? F##5      \
              : F##6)
#define KS_PLACE(l)                                                                \
  {                                                                                \
    KS_OF_LEVEL(KS_SHIFT_, l), KS_OF_LEVEL(KS_BITS_, l), KS_OF_LEVEL(KS_BASE_, l), \
      (1u << KS_OF_LEVEL(KS_BITS_, l)) - 1                                         \
  }
/* The level whose digit holds bit `b` of a time. */
#define KS_LEVEL_OF_BIT(b) \
  ((b) < KS_SHIFT_1   ? 0  \
   : (b) < KS_SHIFT_2 ? 1  \
   : (b) < KS_SHIFT_3 ? 2  \
   : (b) < KS_SHIFT_4 ? 3  \
   : (b) < KS_SHIFT_5 ? 4  \
   : (b) < KS_SHIFT_6 ? 5  \
                      : 6)
/* The level of slot number `id`. */
#define KS_LEVEL_OF_SLOT(id) \
  ((id) < KS_BASE_1   ? 0    \
   : (id) < KS_BASE_2 ? 1    \
   : (id) < KS_BASE_3 ? 2    \
   : (id) < KS_BASE_4 ? 3    \
   : (id) < KS_BASE_5 ? 4    \
   : (id) < KS_BASE_6 ? 5    \
                      : 6)
#define KS_PLACE_OF_BIT(b) KS_PLACE(KS_LEVEL_OF_BIT(b))
#define KS_LEVEL_OF_PAGE(p) KS_LEVEL_OF_SLOT((p)*256)
/* Table entries M(i), M(i + 1), ...: 4, 8, 16 or 64 of them. */
#define KS_REP4(M, i) M(i), M((i) + 1), M((i) + 2), M((i) + 3)
#define KS_REP8(M, i) KS_REP4(M, i), KS_REP4(M, (i) + 4)
#define KS_REP16(M, i) KS_REP8(M, i), KS_REP8(M, (i) + 8)
#define KS_REP64(M, i) \
  KS_REP16(M, i), KS_REP16(M, (i) + 16), KS_REP16(M, (i) + 32), KS_REP16(M, (i) + 48)

/* The level a timer goes to, by the highest bit in which its expiry
 * differs from cur. */
static const ks_place place_by_msb[64] = {KS_REP64(KS_PLACE_OF_BIT, 0)};

/* The level of a slot number (not KS_EARLY), by 256-slot page.  As many
 * entries as there are pages, which the _Static_assert below checks. */
#define KS_NPAGES ((KS_NSLOTS_WHEEL + 255) / 256)
static const uint8_t level_by_page[] = {
  KS_REP64(KS_LEVEL_OF_PAGE, 0),
  KS_REP8(KS_LEVEL_OF_PAGE, 64),
  KS_REP4(KS_LEVEL_OF_PAGE, 72),
  KS_LEVEL_OF_PAGE(76),
};

/* One ks_place per level, for slot_start(). */
static const ks_place place_by_level[] = {
  KS_PLACE(0), KS_PLACE(1), KS_PLACE(2), KS_PLACE(3), KS_PLACE(4), KS_PLACE(5), KS_PLACE(6),
};

_Static_assert(KS_SHIFT_6 + KS_BITS_6 == 64, "the digits cover a 64-bit time");
_Static_assert(sizeof place_by_level / sizeof place_by_level[0] == KS_LEVELS,
               "a ks_place for every level");
_Static_assert(sizeof level_by_page == KS_NPAGES, "a level for every page of slots");
_Static_assert(KS_BASE_1 % 256 == 0 && KS_BASE_2 % 256 == 0 && KS_BASE_3 % 256 == 0 &&
                 KS_BASE_4 % 256 == 0 && KS_BASE_5 % 256 == 0 && KS_BASE_6 % 256 == 0,
               "every level starts a page of level_by_page, and a bitmap word");
_Static_assert(KS_TAG_LOW + KS_TAG_BITS == KS_SHIFT_2,
               "the tag is the top of the bits below level 2's digit");
_Static_assert(KS_LEVEL2_FIRST % 64 == 0, "low_levels_empty() tests whole bitmap words");
/* The comments here and in ks_wheel.h give the levels' slot widths and
 * spans as times (level 2's slots are 2^22 ns, 4.2 ms): change them with
 * the widths. */
_Static_assert(KS_SHIFT_1 == 8 && KS_SHIFT_2 == 22 && KS_SHIFT_3 == 33 && KS_SHIFT_4 == 41,
               "level 1: 256 ns slots; level 2: 4.2 ms slots over 8.6 s; level 3: 37 min");

typedef uint64_t ks_entry;

typedef struct ks_slot {
  ks_entry *v;   /* in arm order; 0: a hole left by a cancel */
  uint32_t head; /* entries before it have been popped */
  uint32_t len;
  uint32_t cap;
  /* Holes between head and len.  Counted, rather than the live entries,
   * so that a push (the commonest operation) updates no count: a slot is
   * empty exactly when len is 0 (emptying resets it, slot_reset()). */
  uint32_t holes;
} ks_slot;

static inline uint32_t slot_live(const ks_slot *s) { return s->len - s->head - s->holes; }

struct ks_wheel {
  uint64_t cur; /* biased; every timer in a level is filed relative to it */
  ka_time now;
  size_t count;
  uint64_t cascades;
  uint64_t top;                  /* bit per word of summary: not 0 */
  uint64_t summary[KS_NSUMMARY]; /* bit per word of occupied: not 0 */
  uint64_t occupied[KS_NWORDS];  /* bit per slot: it has a live entry */
  ks_slot slots[KS_NSLOTS];
  /* The run (see run_fill()): the level-2 slot it was sorted from, KS_NONE
   * while it is empty, and that slot's entries in expiry order, in `run`. */
  uint32_t run_src;
  uint32_t run_head; /* entries before it have been popped */
  uint32_t run_len;
  /* Entries before it are in exact order: a group of equal tags that
   * reaches up to here has been put in order (run_order_ties()). */
  uint32_t run_ordered;
  uint32_t run_live; /* entries that are not holes */
  /* No timer in levels 0 and 1, nor in the early array, expires before it
   * (biased), so that a pop can take the run's front up to it without
   * looking there.  Lowered by every arm, whatever its level: a timer in
   * level 2 or above comes after the whole run anyway, so it lowers the
   * bound to no effect, and one test on every arm is cheaper than knowing
   * the level there.  An early timer comes before the run's front, so it
   * sends every pop to pop_general() until the early array is empty.
   * Cascades need not lower it (with a run, they only move timers down
   * from level 1, already under the bound); reset by run_fill() and
   * pop_general(), neither of which runs with early timers pending. */
  uint64_t low_bound;
  uint32_t sortcap;
  /* The run, then as many again for the sort, then KS_RUN_PREFETCH for
   * run_prefetch(): 2 * sortcap + KS_RUN_PREFETCH. */
  ks_entry *run;
  uint32_t hist[KS_HIST];
};

static inline uint64_t to_u(ka_time t) { return (uint64_t)t + KS_BIAS; }

static inline ka_time from_u(uint64_t u) {
  /* Spelled out so that no out-of-range conversion is involved. */
  return u >= KS_BIAS ? (ka_time)(u - KS_BIAS) : (ka_time)u - INT64_MAX - 1;
}

/* A filed timer's biased expiry: what it was filed by. */
static inline uint64_t timer_u(const ks_timer *t) { return to_u(t->expires_); }

static inline ks_timer *entry_timer(ks_entry e) {
  return (ks_timer *)(uintptr_t)(e & KS_ADDR_MASK);
}

static inline ks_entry entry_make(ks_timer *t, uint64_t ue) {
  return (uint64_t)(uintptr_t)t | (ue >> KS_TAG_LOW & ((1u << KS_TAG_BITS) - 1)) << KS_TAG_SHIFT;
}

static inline uint32_t entry_tag(ks_entry e) { return (uint32_t)(e >> KS_TAG_SHIFT); }

/* A hole in the run: the address cleared, the tag kept, so that the run's
 * tags stay in order for run_unfile()'s search. */
static inline ks_entry entry_hole(ks_entry e) { return e & ~KS_ADDR_MASK; }

/* One line per timer: ks_timer is 16 bytes and 16-aligned, so it never
 * straddles two, and one prefetch covers it without a test.  A hole
 * (NULL) is prefetched harmlessly: prefetches do not fault. */
KS_PREFETCHER void prefetch_timer(const ks_timer *t) { __builtin_prefetch(t, 1); }

static inline unsigned ctz64(uint64_t x) { return (unsigned)__builtin_ctzll(x); }

/* The slot for expiry `ue` given cur (ue >= cur). */
static inline uint32_t slot_for(uint64_t ue, uint64_t cur) {
  /* | 1: ue == cur goes to level 0 like any difference in bit 0. */
  const ks_place *p = &place_by_msb[63 - __builtin_clzll((ue ^ cur) | 1)];
  return p->base + ((uint32_t)(ue >> p->shift) & p->mask);
}

static inline unsigned slot_level(uint32_t id) { return level_by_page[id >> 8]; }

/* The first instant covered by slot `id`, given cur. */
static inline uint64_t slot_start(uint64_t cur, uint32_t id) {
  const ks_place *p = &place_by_level[slot_level(id)];
  unsigned above = p->shift + p->bits;
  uint64_t high = above >= 64 ? 0 : cur >> above << above;
  return high | (uint64_t)(id - p->base) << p->shift;
}

static inline void mark(ks_wheel *w, uint32_t id) {
  w->occupied[id / 64] |= UINT64_C(1) << (id % 64);
  w->summary[id / 4096] |= UINT64_C(1) << (id / 64 % 64);
  w->top |= UINT64_C(1) << (id / 4096);
}

static inline void unmark(ks_wheel *w, uint32_t id) {
  uint64_t *word = &w->occupied[id / 64];
  *word &= ~(UINT64_C(1) << (id % 64));
  if (*word == 0) {
    uint64_t *sum = &w->summary[id / 4096];
    *sum &= ~(UINT64_C(1) << (id / 64 % 64));
    if (*sum == 0)
      w->top &= ~(UINT64_C(1) << (id / 4096));
  }
}

/* The lowest occupied slot, which belongs to the lowest occupied level;
 * KS_NONE if the wheel proper is empty.  Three count-trailing-zeros. */
static inline uint32_t lowest_slot(const ks_wheel *w) {
  unsigned i, word;
  if (w->top == 0)
    return KS_NONE;
  i = ctz64(w->top);
  word = i * 64 + ctz64(w->summary[i]);
  return word * 64 + ctz64(w->occupied[word]);
}

/* Drops holes and popped entries, keeping order. */
static void slot_compact(ks_slot *s) {
  uint32_t j = 0;
  for (uint32_t i = s->head; i < s->len; i++) {
    ks_entry e = s->v[i];
    if (e == 0)
      continue;
    s->v[j] = e;
    entry_timer(e)->idx_ = j++;
  }
  s->head = 0;
  s->len = j;
  s->holes = 0;
}

/* Makes room for one more entry.  Compacting first when at most half the
 * array is live keeps a slot that is drained at the front and refilled at
 * the back (zero-delay events) from growing without bound, and pays for
 * itself: it frees at least cap/2 entries. */
static KS_NOINLINE void slot_reserve(ks_slot *s) {
  if (slot_live(s) <= s->cap / 2) {
    slot_compact(s);
    if (s->len < s->cap)
      return;
  }
  if (s->cap > UINT32_MAX / 2)
    g_error("ks_wheel: more than 2^31 timers in one slot");
  s->cap = s->cap != 0 ? s->cap * 2 : KS_MIN_CAP;
  s->v = g_renew(ks_entry, s->v, s->cap);
}

/* Called when the last live entry leaves.  Most slots are used once per
 * turn of their level (a level-2 slot comes round every 8.6 s, a level-3
 * one every 37 min), so an array kept until then is memory held for
 * nothing: big ones go back to malloc, which hands them to whichever slot
 * grows next.  Small ones stay, since re-growing them would cost more. */
static KS_NOINLINE void slot_release(ks_slot *s) {
  g_free(s->v);
  s->v = NULL;
  s->cap = 0;
}

static inline void slot_reset(ks_slot *s) {
  s->head = 0;
  s->len = 0;
  s->holes = 0;
  if (G_UNLIKELY(s->cap > KS_KEEP_CAP))
    slot_release(s);
}

/* How far past a slot's end a push prefetches.  Arms spread over many
 * slots at once (a few hundred 4.2 ms slots for timers up to seconds
 * ahead), each filled front to back, eight entries to a cache line: every
 * eighth arm starts a line that was last touched long ago (its memory was
 * another slot's array, sorted and freed since), and the core's stream
 * prefetchers do not follow hundreds of interleaved streams, so the store
 * into that line would wait for it to be read.  So each push asks for the
 * line two ahead (16 entries of 8 bytes), which is written many arms
 * later.  Every push, without a test for "first entry of a line": that
 * branch goes one way in eight, unpredictably, and costs more than the
 * prefetches it saves.  Near the end of the array it prefetches past it,
 * which is harmless (a prefetch does not fault) and cheaper than a bound.
 * What it must never prefetch is the line just written: a prefetch of a
 * line with a store to it still pending waits for that store. */
#define KS_TAIL_AHEAD 16u

KS_PREFETCHER void prefetch_tail(const ks_slot *s) {
  /* An address, not a pointer: past the array's end there is no object. */
  uintptr_t at = (uintptr_t)s->v + (s->len + KS_TAIL_AHEAD) * sizeof(ks_entry);
  __builtin_prefetch((const void *)at, 1);
}

static void slot_push_grow(ks_wheel *w, uint32_t id, ks_timer *t, ks_entry e);

/* Files `t`, whose entry is `e`, at the end of slot `id`. */
static inline void slot_push(ks_wheel *w, uint32_t id, ks_timer *t, ks_entry e) {
  ks_slot *s = &w->slots[id];
  if (G_UNLIKELY(s->len == s->cap)) {
    slot_push_grow(w, id, t, e); /* a tail call keeps callers leaves */
    return;
  }
  s->v[s->len] = e;
  prefetch_tail(s);
  t->where_ = (uint16_t)id;
  t->idx_ = s->len++;
  if (t->idx_ == 0)
    mark(w, id);
}

static KS_NOINLINE void slot_push_grow(ks_wheel *w, uint32_t id, ks_timer *t, ks_entry e) {
  slot_reserve(&w->slots[id]);
  slot_push(w, id, t, e);
}

/* Keeps the live entries of the early array sorted by expiry; inserting
 * after equal expiries keeps FIFO.  Holes carry no expiry: they are moved
 * up like later timers, which keeps the live ones in order. */
static KS_NOINLINE void early_insert(ks_wheel *w, ks_timer *t, uint64_t ue) {
  ks_slot *s = &w->slots[KS_EARLY];
  uint32_t i;

  if (s->len == s->cap)
    slot_reserve(s);
  for (i = s->len; i > s->head && (s->v[i - 1] == 0 || timer_u(entry_timer(s->v[i - 1])) > ue);
       i--) {
    s->v[i] = s->v[i - 1];
    if (s->v[i] != 0)
      entry_timer(s->v[i])->idx_ = i;
  }
  s->v[i] = entry_make(t, ue);
  t->where_ = KS_EARLY;
  t->idx_ = i;
  s->len++;
}

static inline void file_timer(ks_wheel *w, ks_timer *t, uint64_t ue) {
  if (ue < w->low_bound)
    w->low_bound = ue;
  if (G_UNLIKELY(ue < w->cur)) {
    early_insert(w, t, ue);
    return;
  }
  slot_push(w, slot_for(ue, w->cur), t, entry_make(t, ue));
}

/* Called when a slot loses its last live entry. */
static inline void slot_emptied(ks_wheel *w, uint32_t id) {
  slot_reset(&w->slots[id]);
  if (id != KS_EARLY)
    unmark(w, id);
}

/* Leaves a hole where `t` is in the run.  The run is in tag order, holes
 * included (entry_hole()), so a binary search finds its tag's group and a
 * scan of that finds the timer.  The run keeps no index per timer: writing
 * one into every timer would cost the sort a cache miss a timer.  Rare: a
 * timer cancelled or re-armed in the last 4.2 ms before it fires. */
static KS_NOINLINE void run_unfile(ks_wheel *w, ks_timer *t) {
  uint32_t tag = entry_tag(entry_make(t, timer_u(t)));
  uint32_t lo = w->run_head, hi = w->run_len;

  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (entry_tag(w->run[mid]) < tag)
      lo = mid + 1;
    else
      hi = mid;
  }
  while (entry_timer(w->run[lo]) != t)
    lo++;
  w->run[lo] = entry_hole(w->run[lo]);
}

/* Takes `t` out of its slot, or the run, leaving a hole.  Out of line:
 * re-arming an armed timer is the less common case and would otherwise
 * make every arm save registers it does not need. */
static KS_NOINLINE void unfile(ks_wheel *w, ks_timer *t) {
  uint32_t id = t->where_;
  ks_slot *s;

  t->where_ = KS_TIMER_UNARMED_;
  if (id == w->run_src) {
    run_unfile(w, t);
    if (--w->run_live == 0)
      w->run_src = KS_NONE;
    return;
  }
  s = &w->slots[id];
  s->v[t->idx_] = 0;
  s->holes++;
  if (slot_live(s) == 0)
    slot_emptied(w, id);
}

/* Re-files every timer of a slot one level down or more; the caller has
 * already moved cur to the start of the slot.  Front to back, so that
 * equal expiries keep their order. */
static void cascade(ks_wheel *w, uint32_t id) {
  ks_slot *s = &w->slots[id];
  ks_entry *v = s->v;
  uint32_t len = s->len;
  uint64_t cur = w->cur;

  for (uint32_t i = s->head; i < len; i++) {
    ks_timer *t = entry_timer(v[i]);
    if (i + KS_PREFETCH < len)
      __builtin_prefetch(entry_timer(v[i + KS_PREFETCH]), 1);
    if (t != NULL)
      slot_push(w, slot_for(timer_u(t), cur), t, v[i]); /* same expiry, same tag */
  }
  slot_emptied(w, id);
  w->cascades++;
}

/* The second half of a stable counting pass: given in `h` the count of
 * entries per bucket (their bits from `shift` up, `mask` wide), moves the
 * n entries of `in` to their place in `out`. */
static inline void sort_scatter(const ks_entry *restrict in, uint32_t n, unsigned shift,
                                uint32_t mask, uint32_t *restrict h, ks_entry *restrict out) {
  uint32_t sum = 0;

  for (uint32_t k = 0; k <= mask; k++) {
    uint32_t c = h[k];
    h[k] = sum;
    sum += c;
  }
  for (uint32_t i = 0; i < n; i++)
    out[h[(in[i] >> shift) & mask]++] = in[i];
}

/* The live entries v[head .. len), in arm order, into `out`; with `h`,
 * also counts them by their bits from `shift` up (`mask` wide), the first
 * counting pass fused in.  It reads the slot's array alone, front to back:
 * the tags are in the entries.  `holes` false when the caller knows there
 * are none: the test then disappears from the loop, in the common case
 * of a slot that nothing was cancelled from. */
static inline void entries_collect(const ks_entry *restrict v, uint32_t head, uint32_t len,
                                   bool holes, unsigned shift, uint32_t mask, uint32_t *restrict h,
                                   ks_entry *restrict out) {
  uint32_t k = 0;

  for (uint32_t i = head; i < len; i++) {
    ks_entry e = v[i];
    if (holes && e == 0)
      continue;
    out[k++] = e;
    if (h != NULL)
      h[(e >> shift) & mask]++;
  }
}

/* One stable counting pass of n entries on their bits from `shift` up
 * (`mask` wide), from `in` to `out`. */
static void sort_pass(const ks_entry *restrict in, uint32_t n, unsigned shift, uint32_t mask,
                      uint32_t *restrict h, ks_entry *restrict out) {
  memset(h, 0, (mask + 1) * sizeof *h);
  for (uint32_t i = 0; i < n; i++)
    h[(in[i] >> shift) & mask]++;
  sort_scatter(in, n, shift, mask, h, out);
}

/* Stable insertion sort on the tags of entries that are nearly in order;
 * gives up (false) once it has moved entries `budget` times, where it
 * could go quadratic. */
static bool sort_insert(ks_entry *restrict v, uint32_t n, uint64_t budget) {
  /* The largest tag so far: an insertion leaves it where it was. */
  uint32_t top = n != 0 ? entry_tag(v[0]) : 0;

  for (uint32_t i = 1; i < n; i++) {
    ks_entry e = v[i];
    uint32_t tag = entry_tag(e);
    if (G_LIKELY(tag >= top)) {
      top = tag;
      continue;
    }
    uint32_t j = i;
    do {
      v[j] = v[j - 1];
      j--;
      if (G_UNLIKELY(budget-- == 0))
        return false;
    } while (j > 0 && entry_tag(v[j - 1]) > tag);
    v[j] = e;
  }
  return true;
}

/* Two stable counting passes of KS_LSD_BITS bits each, the low half of
 * the tag first (LSD radix sort): linear whatever the tags.  Both
 * histograms are counted in one read of `in`; then sort_scatter() moves
 * `in` into `tmp` and `tmp` into `out`.  `out` may be `in`: `in` is read
 * through before `out` is written. */
static void sort_lsd(const ks_entry *in, uint32_t n, uint32_t *restrict h, ks_entry *restrict tmp,
                     ks_entry *out) {
  const uint32_t nb = 1u << KS_LSD_BITS, mask = nb - 1;
  uint32_t *restrict lo = h, *restrict hi = h + nb;

  memset(h, 0, 2 * nb * sizeof *h);
  for (uint32_t i = 0; i < n; i++) {
    lo[(in[i] >> KS_TAG_SHIFT) & mask]++;
    hi[(in[i] >> (KS_TAG_SHIFT + KS_LSD_BITS)) & mask]++;
  }
  sort_scatter(in, n, KS_TAG_SHIFT, mask, lo, tmp);
  sort_scatter(tmp, n, KS_TAG_SHIFT + KS_LSD_BITS, mask, hi, out);
}

/* The sort of run_fill() for more than KS_SMALL_SORT entries, into
 * w->run: stable, on the tags.
 *
 * From KS_LSD_MIN entries: sort_lsd(), linear whatever the tags, with a
 * fixed cost (summing 2 x 2^KS_LSD_BITS buckets) that only a large run
 * repays.  Per entry the path below costs more (its prefix sum runs over 2
 * to 4 buckets an entry, and its insertion check is a branch per entry);
 * KS_LSD_MIN is about where the two cost alike.
 *
 * Below that: one counting pass on the top `b` bits, with 2 to 4 buckets
 * an entry (up to 2^KS_MSD_BITS), then insertion sort, which moves an
 * entry only within its bucket: expiries spread over the slot (the usual
 * case) leave most buckets with one entry or none, so that is one pass, a
 * check and a few moves.  Fewer buckets, one or two an entry, cost less to
 * sum but leave more entries out of order, and the check that finds them
 * is a branch the CPU cannot predict.  Where entries crowd into a few
 * buckets insertion could go quadratic: past 8 moves an entry it gives
 * up, for sort_lsd(). */
static void run_sort(ks_wheel *w, const ks_slot *s, uint32_t n) {
  uint32_t *restrict h = w->hist;
  ks_entry *restrict run = w->run;
  ks_entry *restrict tmp = w->run + w->sortcap;
  bool holes = s->len - s->head != n;
  unsigned b, shift;
  uint32_t mask;

  if (n >= KS_LSD_MIN) {
    if (!holes) {
      sort_lsd(s->v + s->head, n, h, tmp, run);
      return;
    }
    entries_collect(s->v, s->head, s->len, true, 0, 0, NULL, run);
    sort_lsd(run, n, h, tmp, run);
    return;
  }
  /* 2n < 2^b <= 4n */
  b = MIN(33 - (unsigned)__builtin_clz(n), KS_MSD_BITS);
  shift = 64 - b;
  mask = (1u << b) - 1;
  memset(h, 0, (mask + 1) * sizeof *h);
  if (holes)
    entries_collect(s->v, s->head, s->len, true, shift, mask, h, tmp);
  else
    entries_collect(s->v, s->head, s->len, false, shift, mask, h, tmp);
  sort_scatter(tmp, n, shift, mask, h, run);
  if (G_LIKELY(sort_insert(run, n, 8 * (uint64_t)n)))
    return;
  /* tmp still holds the entries in arm order (insertion gave up midway,
   * with an entry out of the run). */
  memcpy(run, tmp, n * sizeof *run);
  sort_lsd(run, n, h, tmp, run);
}

/* The timer of the run's entry `k`; NULL: a hole. */
static inline ks_timer *run_timer(const ks_wheel *w, uint32_t k) { return entry_timer(w->run[k]); }

/* Whether two entries have the same tag. */
static inline bool entries_tie(ks_entry a, ks_entry b) { return (a ^ b) >> KS_TAG_SHIFT == 0; }

/* Whether the run's entry `h`, which is not its last, starts or goes on
 * a group of equal tags not yet put in order (run_order_ties()).  Ties
 * are rare (expiries within the same 64 ns), so a pop compares its entry
 * with the next one, and only a tie costs more: cheaper than finding the
 * groups ahead of time, which takes a scan of the whole run. */
static inline bool run_tie_next(const ks_wheel *w, uint32_t h) {
  return G_UNLIKELY(entries_tie(w->run[h], w->run[h + 1])) && h + 1 >= w->run_ordered;
}

/* Puts the group of equal tags at the run's head in order: by the expiry
 * bits below the tag, stably, i.e. in arm order where those are equal
 * too.  Its timers were prefetched for their pops (run_prefetch()), so
 * reading their expiries here costs little; holes sort first.  While
 * sorted, the entries carry those low bits where the tag was; the group's
 * tag is put back after, so that the run stays in tag order. */
static KS_NOINLINE void run_order_ties(ks_wheel *w) {
  const uint32_t low_mask = (1u << KS_TAG_LOW) - 1;
  ks_entry *run = w->run + w->run_head;
  ks_entry *tmp = w->run + w->sortcap;
  ks_entry tag = entry_hole(run[0]);
  uint32_t m = 1;

  while (w->run_head + m < w->run_len && entries_tie(run[m], run[0]))
    m++;
  for (uint32_t k = 0; k < m; k++) {
    ks_timer *t = entry_timer(run[k]);
    tmp[k] = (t != NULL ? timer_u(t) & low_mask : 0) << KS_TAG_SHIFT | (run[k] & KS_ADDR_MASK);
  }
  if (m <= KS_SMALL_SORT) {
    sort_insert(tmp, m, UINT64_MAX); /* m is small: no budget */
    memcpy(run, tmp, m * sizeof *run);
  } else {
    sort_pass(tmp, m, KS_TAG_SHIFT, low_mask, w->hist, run);
  }
  for (uint32_t k = 0; k < m; k++)
    run[k] = tag | (run[k] & KS_ADDR_MASK);
  w->run_ordered = w->run_head + m;
}

/* Called with the run's new head after a pop: the timer KS_RUN_PREFETCH
 * pops ahead, so that its cache miss overlaps the events before it.
 * Without a bound: near the run's end this reads the entries after it
 * (the array has KS_RUN_PREFETCH more, zeroed when allocated), a
 * previous run's or the sort's, and prefetching their timers is harmless
 * (a prefetch does not fault), KS_RUN_PREFETCH times a run: cheaper than
 * a test on every pop. */
KS_PREFETCHER void run_prefetch(const ks_wheel *w, uint32_t head) {
  prefetch_timer(run_timer(w, head + KS_RUN_PREFETCH));
}

/* Sorts the live entries of level-2 slot `id` by tag into the run,
 * stably; the caller has already moved cur to the start of the slot.  The
 * entries agree with cur on every bit from 22 up, so the tag, bits 6 to
 * 21, orders them but for ties, and a stable sort leaves equal tags in arm
 * order; the pop puts each group of equal tags in expiry order when it
 * reaches it (run_order_ties()).  Insertion sort for a few, otherwise a
 * counting sort (run_sort()).
 *
 * The run is a copy of the slot's entries, and the slot is left empty.  A
 * timer in the run keeps the slot number it was armed with, and while the
 * run lasts nothing else is filed in `id` (its digit is cur's), so where_
 * == run_src means "in the run"; a cancel finds the entry by its tag
 * (run_unfile()).  Each entry is written when armed and read by this
 * sort; between being armed and being popped a timer is not read at all,
 * unless it is cascaded. */
static KS_NOINLINE void run_fill(ks_wheel *w, uint32_t id) {
  ks_slot *s = &w->slots[id];
  uint32_t n = slot_live(s);

  if (w->sortcap < n) {
    g_free(w->run);
    w->sortcap = MAX(n, 2 * w->sortcap);
    w->run = g_new0(ks_entry, 2 * (size_t)w->sortcap + KS_RUN_PREFETCH);
  }
  if (n <= KS_SMALL_SORT) {
    entries_collect(s->v, s->head, s->len, true, 0, 0, NULL, w->run);
    sort_insert(w->run, n, UINT64_MAX); /* n is small: no budget */
  } else {
    run_sort(w, s, n);
  }
  w->low_bound = UINT64_MAX; /* levels 0 and 1 are empty: see settle() */
  w->run_head = 0;
  w->run_len = n;
  w->run_ordered = 0;
  w->run_live = n;
  w->run_src = id;
  for (uint32_t k = 0; k < n && k < KS_RUN_PREFETCH; k++)
    prefetch_timer(run_timer(w, k));
  slot_emptied(w, id);
  w->cascades++;
}

/* The expiry at the run's front, skipping holes (each is skipped once),
 * with the front's group of equal tags, if it is one, put in order. */
static inline uint64_t run_front(ks_wheel *w) {
  for (;;) {
    if (w->run_head + 1 < w->run_len && run_tie_next(w, w->run_head))
      run_order_ties(w);
    if (run_timer(w, w->run_head) != NULL)
      return timer_u(run_timer(w, w->run_head));
    w->run_head++;
  }
}

/* Pops `t`, the run's front, whose biased expiry is `ue`. */
static inline ks_timer *run_pop(ks_wheel *w, ks_timer *t, uint64_t ue) {
  w->run_head++;
  run_prefetch(w, w->run_head);
  t->where_ = KS_TIMER_UNARMED_;
  w->count--;
  /* cur stays at or below the run's front (see settle()). */
  w->now = from_u(ue);
  if (--w->run_live == 0)
    w->run_src = KS_NONE;
  return t;
}

/* Pops the run's front if it is due by `ulimit`. */
static inline ks_timer *run_take(ks_wheel *w, uint64_t ulimit) {
  uint64_t ue = run_front(w);

  if (ue > ulimit)
    return NULL;
  return run_pop(w, run_timer(w, w->run_head), ue);
}

/* A lone timer in the lowest slot is the earliest one: take it where it
 * is.  That saves the last move or two of nearly every timer when timers
 * are sparse, and all of them for a single far-away one.  In level 0 all
 * timers of a slot are due at once, so the head is the one. */
static inline bool takes_from(const ks_wheel *w, uint32_t id) {
  return id < KS_BASE_1 || slot_live(&w->slots[id]) == 1;
}

/* The slot's first live entry, skipping holes (each is skipped once). */
static inline ks_timer *slot_front(ks_slot *s) {
  while (s->v[s->head] == 0) {
    s->head++;
    s->holes--;
  }
  return entry_timer(s->v[s->head]);
}

/* Nothing in levels 0 and 1, the slots below KS_LEVEL2_FIRST: no bit in
 * top for a summary word before KS_LEVEL2_FIRST's, and none in that word
 * for a bitmap word before KS_LEVEL2_FIRST's. */
static inline bool low_levels_empty(const ks_wheel *w) {
  return (w->top & ((UINT64_C(1) << (KS_LEVEL2_FIRST / 4096)) - 1)) == 0 &&
         (w->summary[KS_LEVEL2_FIRST / 4096] &
          ((UINT64_C(1) << (KS_LEVEL2_FIRST % 4096 / 64)) - 1)) == 0;
}

/* Finds the earliest timer, cascading as needed but never moving cur past
 * `ulimit`.  Returns its slot (KS_EARLY and KS_RUN included), or KS_NONE
 * if the wheel is empty or the earliest timer is known to lie beyond
 * `ulimit`; the caller still compares the timer's own expiry with the
 * limit.
 *
 * The run.  When the lowest occupied slot is a level-2 slot (4.2 ms wide)
 * with several timers, it is not cascaded into level 1 but sorted into the
 * run, from which pops then take timers in order, front to back.  While
 * the run lasts, cur stays at or below its front, and levels 0 and 1 hold
 * only timers armed after it was made (they were empty when it was made:
 * its slot was the lowest); so on equal expiries the run goes first, and
 * a pop takes whichever of the run's front and the lowest slot is
 * earlier.  Every other level-2 slot, and everything above, comes after
 * the whole run. */
static KS_NOINLINE uint32_t settle(ks_wheel *w, uint64_t ulimit) {
  if (w->slots[KS_EARLY].len != 0)
    return KS_EARLY;
  for (;;) {
    uint32_t id = lowest_slot(w);
    uint64_t start;

    if (w->run_live != 0) {
      uint64_t front = run_front(w);
      if (id == KS_NONE || slot_level(id) >= KS_LEVEL2)
        return KS_RUN;
      if (takes_from(w, id))
        return timer_u(slot_front(&w->slots[id])) < front ? id : KS_RUN;
      start = slot_start(w->cur, id);
      if (front < start)
        return KS_RUN;
    } else {
      if (id == KS_NONE || takes_from(w, id))
        return id;
      start = slot_start(w->cur, id);
    }
    if (start > ulimit)
      return KS_NONE;
    w->cur = start;
    if (slot_level(id) == KS_LEVEL2)
      run_fill(w, id); /* only with the run empty: see above */
    else
      cascade(w, id);
  }
}

void ks_timer_init(ks_timer *t) {
  /* Here and not in every arm: a timer is not moved once it is in use. */
  if (G_UNLIKELY((uint64_t)(uintptr_t)t >> KS_TAG_SHIFT != 0))
    g_error("ks_wheel: timer at %p: an entry keeps 48 bits of a timer's address", (void *)t);
  t->expires_ = 0;
  t->idx_ = 0;
  t->where_ = KS_TIMER_UNARMED_;
  t->cb_ = 0;
}

ks_timer_cb ks_timer_cbs_[KS_TIMER_MAX_CBS];
/* Entries below it are filled and never change; written under the lock,
 * read without it (a release store after the entry is in place). */
static unsigned cbs_count = 1;
static GMutex cbs_lock;

static unsigned cb_find(ks_timer_cb cb, unsigned n) {
  for (unsigned i = 1; i < n; i++)
    if (ks_timer_cbs_[i] == cb)
      return i;
  return 0;
}

static KS_NOINLINE unsigned cb_register(ks_timer_cb cb) {
  unsigned i;

  g_mutex_lock(&cbs_lock);
  i = cb_find(cb, cbs_count);
  if (i == 0) {
    if (cbs_count == KS_TIMER_MAX_CBS)
      g_error("ks_wheel: more than %u distinct timer callbacks", KS_TIMER_MAX_CBS - 1);
    i = cbs_count;
    ks_timer_cbs_[i] = cb;
    __atomic_store_n(&cbs_count, i + 1, __ATOMIC_RELEASE);
  }
  g_mutex_unlock(&cbs_lock);
  return i;
}

void ks_timer_set_cb(ks_timer *t, ks_timer_cb cb) {
  unsigned i = 0;

  if (cb != NULL) {
    i = cb_find(cb, __atomic_load_n(&cbs_count, __ATOMIC_ACQUIRE));
    if (i == 0)
      i = cb_register(cb);
  }
  t->cb_ = (uint16_t)i;
}

ks_wheel *ks_wheel_new(ka_time now) {
  ks_wheel *w = g_new0(ks_wheel, 1);
  w->run_src = KS_NONE;
  w->low_bound = UINT64_MAX;
  w->cur = to_u(now);
  w->now = now;
  return w;
}

void ks_wheel_free(ks_wheel *w) {
  if (w == NULL)
    return;
  for (unsigned i = 0; i < KS_NSLOTS; i++)
    g_free(w->slots[i].v);
  g_free(w->run);
  g_free(w);
}

static inline void arm_unarmed(ks_wheel *w, ks_timer *t, ka_time expires) {
  if (G_UNLIKELY(expires < w->now))
    expires = w->now;
  t->expires_ = expires;
  file_timer(w, t, to_u(expires));
}

static KS_NOINLINE void rearm(ks_wheel *w, ks_timer *t, ka_time expires) {
  unfile(w, t);
  arm_unarmed(w, t, expires);
}

void ks_wheel_arm(ks_wheel *w, ks_timer *t, ka_time expires) {
  if (G_UNLIKELY(ks_timer_is_armed(t))) {
    rearm(w, t, expires);
    return;
  }
  w->count++;
  arm_unarmed(w, t, expires);
}

void ks_wheel_cancel(ks_wheel *w, ks_timer *t) {
  if (!ks_timer_is_armed(t))
    return;
  unfile(w, t);
  w->count--;
}

ka_time ks_wheel_next_expiry(ks_wheel *w) {
  uint32_t id = settle(w, UINT64_MAX);
  if (id == KS_NONE)
    return KA_TIME_NEVER;
  return id == KS_RUN ? from_u(run_front(w)) : slot_front(&w->slots[id])->expires_;
}

/* Pops the first live entry of slot `id` (not the run) if it is due by
 * `ulimit`. */
static inline ks_timer *take(ks_wheel *w, uint32_t id, uint64_t ulimit) {
  ks_slot *s = &w->slots[id];
  ks_timer *t = slot_front(s);
  uint64_t ue = timer_u(t);

  if (ue > ulimit)
    return NULL;
  s->v[s->head++] = 0;
  t->where_ = KS_TIMER_UNARMED_;
  w->count--;
  /* Every timer left in the wheel is at or after ue, so filing relative
   * to it stays valid (see settle()); early timers are all before cur. */
  if (id < KS_EARLY)
    w->cur = ue;
  w->now = from_u(ue);
  if (slot_live(s) == 0)
    slot_emptied(w, id);
  /* Timers taken where they are come one slot after the other: prefetch
   * the next slot's first, so that its cache misses overlap this event
   * (the run prefetches further ahead, see run_prefetch()). */
  if (id < KS_EARLY) {
    uint32_t next = lowest_slot(w);
    if (next != KS_NONE)
      prefetch_timer(entry_timer(w->slots[next].v[w->slots[next].head]));
  }
  return t;
}

static KS_NOINLINE ks_timer *pop_slow(ks_wheel *w, uint64_t ulimit) {
  uint32_t id = settle(w, ulimit);
  if (id == KS_NONE)
    return NULL;
  return id == KS_RUN ? run_take(w, ulimit) : take(w, id, ulimit);
}

/* Everything but the commonest case, see ks_wheel_pop(). */
static KS_NOINLINE ks_timer *pop_general(ks_wheel *w, uint64_t ulimit) {
  /* The common cases in line and without calls; the rest in settle(). */
  if (G_LIKELY(w->slots[KS_EARLY].len == 0)) {
    if (w->run_live != 0) {
      uint32_t id;
      if (low_levels_empty(w)) {
        w->low_bound = UINT64_MAX;
        return run_take(w, ulimit);
      }
      /* A timer armed into the run's 4.2 ms after it was made:
       * whichever is earlier, ties to the run (see settle()). */
      id = lowest_slot(w);
      w->low_bound = slot_start(w->cur, id);
      if (takes_from(w, id))
        return timer_u(slot_front(&w->slots[id])) < run_front(w) ? take(w, id, ulimit)
                                                                 : run_take(w, ulimit);
    } else {
      uint32_t id = lowest_slot(w);
      if (id == KS_NONE)
        return NULL;
      if (G_LIKELY(takes_from(w, id)))
        return take(w, id, ulimit);
    }
  }
  return pop_slow(w, ulimit);
}

/* The commonest case by far in a busy simulation: the run's front, with
 * nothing early and nothing in levels 0 and 1 due before it (a timer armed
 * into the run's 4.2 ms since it was sorted: one test, see low_bound), no
 * hole to skip and more behind it.  Kept apart and small, so that it
 * needs no register saved and no call but the prefetch's loads: with the
 * general path inlined, every pop would save and restore the registers
 * that only the general path needs.
 *
 * And inlined into its callers when the build links with LTO, as the
 * benchmarks' build does (docs/performance.md): in the engine's loop that
 * saves the call and the reloads around it.  Forced, because GCC's own
 * choice comes and goes with unrelated edits to the caller. */
KS_POP_INLINE ks_timer *ks_wheel_pop(ks_wheel *w, ka_time limit) {
  uint64_t ulimit = to_u(limit);

  if (G_LIKELY(w->run_live > 1)) {
    uint32_t h = w->run_head;
    ks_timer *t = run_timer(w, h);
    uint64_t ue;

    /* run_live > 1: there is an entry after h. */
    if (G_LIKELY(t != NULL && !run_tie_next(w, h)) &&
        (ue = timer_u(t), G_LIKELY(ue <= ulimit && ue <= w->low_bound)))
      return run_pop(w, t, ue);
  }
  return pop_general(w, ulimit);
}

ka_time ks_wheel_now(const ks_wheel *w) { return w->now; }

void ks_wheel_advance(ks_wheel *w, ka_time to) {
  if (to <= w->now)
    return;
  g_return_if_fail(to <= ks_wheel_next_expiry(w));
  w->now = to;
}

size_t ks_wheel_count(const ks_wheel *w) { return w->count; }

uint64_t ks_wheel_cascades(const ks_wheel *w) { return w->cascades; }
