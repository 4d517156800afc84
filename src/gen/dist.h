/*
 * dist.h - the generator's random numbers: a per-row PRNG and integer-only
 * distributions.
 *
 * Why integer-only: `magnet gen` promises byte-identical output for the same
 * arguments on any machine. libm's exp/log/pow are not correctly rounded on
 * every platform and compilers may fuse multiply-adds differently, so a
 * threshold test on a double can flip on one row out of millions between two
 * machines. Every quantity here is an integer or a fixed-point number; the
 * only tables (normal quantiles, powers of two) are constants computed once
 * offline with 30-digit arithmetic.
 *
 * Fixed point: "q16" values carry 16 fractional bits (65536 = 1.0). Normal
 * deviates are in q16 standard deviations; log2 quantities in q16 bits.
 *
 * The PRNG is splitmix64 (Steele, Lea, Flood 2014): a 64-bit counter stepped
 * by the golden-ratio increment and passed through a strong mixer. Each row
 * gets its own stream, seeded from (seed, row, purpose), so rows can be
 * generated in any order and on any thread with identical results.
 */
#ifndef MAGNET_GEN_DIST_H
#define MAGNET_GEN_DIST_H

#include <stdint.h>

#define Q16_ONE 65536
#define Q16(x) ((int32_t)((x) * 65536.0 + ((x) < 0 ? -0.5 : 0.5)))  /* constants only */

struct rng {
    uint64_t state;
};

static inline uint64_t dist_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A stream for one row and one purpose (see enum in model.c). */
static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t row, uint64_t purpose)
{
    r->state = dist_mix64(dist_mix64(seed ^ 0x6a09e667f3bcc909ULL) + row * 0x9e3779b97f4a7c15ULL +
                          purpose * 0xd1b54a32d192ed03ULL);
}

static inline uint64_t rng_next(struct rng *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return dist_mix64(r->state);
}

/* High 64 bits of the 128-bit product a*b, in portable 32-bit pieces. */
static inline uint64_t dist_mulhi64(uint64_t a, uint64_t b)
{
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    uint64_t cross = (lo_lo >> 32) + (uint32_t)hi_lo + lo_hi;
    return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

/* Uniform in [0, n), n > 0, by multiply-high (Lemire) rather than a slow
 * 64-bit division; the bias is below n / 2^64: invisible. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return dist_mulhi64(rng_next(r), n);
}

/* Uniform in [lo, hi], lo <= hi. */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* 1 with probability per_million / 1e6. */
static inline int rng_chance(struct rng *r, uint32_t per_million)
{
    return rng_below(r, 1000000) < per_million;
}

/* Standard normal deviate in q16, by inverse CDF with linear interpolation
 * over 1024 quantiles; the two outermost bins are stretched to +-3.9 sd. */
int32_t dist_normal(struct rng *r);

/* 2^(x / 65536), x in q16 bits, as an integer (floored); saturates at 2^62,
 * 0 when the value is below 1. */
uint64_t dist_exp2(int64_t x_q16);

/* Index drawn from cumulative weights cum[0..n) (cum[n-1] = total > 0):
 * the first i with u < cum[i]. */
uint32_t dist_pick(struct rng *r, const uint64_t *cum, uint32_t n);

#endif
