/* ks_rng.h - each connection's own random numbers, the same in both
 * engines: a counter-based generator keyed by (seed, connection, draw), so
 * that what one connection draws depends on nothing another connection
 * does, nor on which process simulates it (`mpirun kasim run` deals the
 * connections out to ranks; docs/output.md, "Runs over several
 * processes").
 *
 * Draw n of connection c under a seed is
 *     key_c = mix(mix(seed) + gamma (c + 1))
 *     x     = mix(key_c + gamma (n + 1))
 * where mix is SplitMix64's finaliser and gamma its increment, 2^64 / phi
 * (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): key_c is output c of SplitMix64 started at
 * mix(seed), and x is output n of SplitMix64 started at key_c.  SplitMix64
 * passes BigCrush; nothing is stored per connection but how many loss
 * draws it has made (a 32-bit count, in room the native engine's
 * connection record had spare).
 *
 * A connection's draws, by number:
 *   KS_RNG_SPREAD      its connect time within its group's connect_spread,
 *                      spread x (x >> 11) / 2^53;
 *   KS_RNG_ISN_CLIENT  the client's initial sequence number, x >> 32;
 *   KS_RNG_ISN_SERVER  the server's, x >> 32 (ns-3 picks its own ISNs);
 *   KS_RNG_LOSS + k    its k-th segment put on a link whose loss rate is
 *                      strictly between 0 and 1: lost when
 *                      (x >> 11) / 2^53 < rate.
 * Fixed numbers for the first three keep the loss draws of both engines
 * in step although ns-3 draws no ISN.
 */
#ifndef KASIM_KS_RNG_H
#define KASIM_KS_RNG_H

#include <glib.h>

G_BEGIN_DECLS

enum { KS_RNG_SPREAD = 0, KS_RNG_ISN_CLIENT = 1, KS_RNG_ISN_SERVER = 2, KS_RNG_LOSS = 3 };

#define KS_RNG_GAMMA G_GUINT64_CONSTANT(0x9E3779B97F4A7C15)

static inline guint64 ks_rng_mix(guint64 z) {
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* What a run's seed becomes once, for every draw of the run. */
static inline guint64 ks_rng_key(guint64 seed) { return ks_rng_mix(seed); }

static inline guint64 ks_rng_u64(guint64 key, guint32 conn, guint64 n) {
  guint64 k = ks_rng_mix(key + KS_RNG_GAMMA * ((guint64)conn + 1));
  return ks_rng_mix(k + KS_RNG_GAMMA * (n + 1));
}

/* Uniform over [0, 1), in steps of 2^-53. */
static inline double ks_rng_double(guint64 key, guint32 conn, guint64 n) {
  return (double)(ks_rng_u64(key, conn, n) >> 11) * (1.0 / 9007199254740992.0);
}

static inline guint32 ks_rng_u32(guint64 key, guint32 conn, guint64 n) {
  return (guint32)(ks_rng_u64(key, conn, n) >> 32);
}

G_END_DECLS

#endif
