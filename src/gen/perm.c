/*
 * perm.c - keyed permutation of [0, n) by a Feistel network with cycle
 * walking (see perm.h).
 */
#include "gen/perm.h"

#include "gen/dist.h"

void perm_init(struct perm *p, uint64_t n, uint64_t seed, uint64_t purpose)
{
    unsigned bits = 2;
    int i;
    p->n = n;
    while (bits < 62 && ((uint64_t)1 << bits) < n)
        bits += 2;
    p->half_bits = bits / 2;
    for (i = 0; i < 4; i++)
        p->key[i] = dist_mix64(dist_mix64(seed + 0x243f6a8885a308d3ULL * (purpose + 1)) + (uint64_t)i);
}

static uint64_t round_fn(uint64_t half, uint64_t key, uint64_t mask)
{
    return dist_mix64(half ^ key) & mask;
}

static uint64_t feistel(const struct perm *p, uint64_t x)
{
    uint64_t mask = ((uint64_t)1 << p->half_bits) - 1;
    uint64_t l = x >> p->half_bits, r = x & mask;
    int i;
    for (i = 0; i < 4; i++) {
        uint64_t t = l ^ round_fn(r, p->key[i], mask);
        l = r;
        r = t;
    }
    return (l << p->half_bits) | r;
}

static uint64_t feistel_inv(const struct perm *p, uint64_t y)
{
    uint64_t mask = ((uint64_t)1 << p->half_bits) - 1;
    uint64_t l = y >> p->half_bits, r = y & mask;
    int i;
    for (i = 3; i >= 0; i--) {
        uint64_t t = r ^ round_fn(l, p->key[i], mask);
        r = l;
        l = t;
    }
    return (l << p->half_bits) | r;
}

uint64_t perm_forward(const struct perm *p, uint64_t x)
{
    do
        x = feistel(p, x);
    while (x >= p->n);
    return x;
}

uint64_t perm_inverse(const struct perm *p, uint64_t y)
{
    do
        y = feistel_inv(p, y);
    while (y >= p->n);
    return y;
}
