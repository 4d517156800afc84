/*
 * perm.h - a keyed pseudo-random permutation of [0, n).
 *
 * The generator decides structural facts by rank rather than by chance: row
 * i is a home-district firm when perm(i) < H, a group parent when another
 * permutation puts it below P, and its organisation code is a third
 * permutation of i. That makes counts exact (the calibrated 38 listed firms
 * are exactly 38) and uniqueness a property of the construction (no two rows
 * can share an organisation code), while each row is still computed alone.
 *
 * Construction: a balanced 4-round Feistel network on the smallest even
 * number of bits covering n, with cycle walking to stay inside [0, n). The
 * domain is at most 4n, so on average fewer than 4 steps are walked.
 */
#ifndef MAGNET_GEN_PERM_H
#define MAGNET_GEN_PERM_H

#include <stdint.h>

struct perm {
    uint64_t n;
    unsigned half_bits;  /* each Feistel half has this many bits */
    uint64_t key[4];
};

/* n >= 1, n <= 2^62. */
void perm_init(struct perm *p, uint64_t n, uint64_t seed, uint64_t purpose);
uint64_t perm_forward(const struct perm *p, uint64_t x);  /* x < n */
uint64_t perm_inverse(const struct perm *p, uint64_t y);  /* y < n */

#endif
