/*
 * hashmap.c - open-addressing hash map for byte-string keys (see hashmap.h).
 *
 * Linear probing keeps a lookup to one or two cache lines; the stored
 * 32-bit hash lets a probe skip most key comparisons, and growing never has
 * to rehash a key.
 */
#include "hashmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define HASHMAP_MIN_SLOTS 16

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* Eight bytes at a time: names are short, so the per-call overhead matters
 * more than the quality on long inputs, and multiply-rotate mixing is
 * enough for keys that are not chosen by an attacker to collide (the tables
 * are ours; outside input only ever looks keys up). */
uint32_t hashmap_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xff51afd7ed558ccdULL);
    uint64_t w;

    while (len >= 8) {
        memcpy(&w, p, 8);
        h ^= w * 0x87c37b91114253d5ULL;
        h = rotl64(h, 31) * 0x4cf5ad432745937fULL;
        p += 8;
        len -= 8;
    }
    if (len) {
        w = 0;
        memcpy(&w, p, len);
        h ^= w * 0x87c37b91114253d5ULL;
        h = rotl64(h, 31) * 0x4cf5ad432745937fULL;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return (uint32_t)h;
}

static size_t slots_for(size_t expected)
{
    size_t n = HASHMAP_MIN_SLOTS;
    /* at most 3/4 full */
    while (n - n / 4 < expected + 1)
        n *= 2;
    return n;
}

void hashmap_init(struct hashmap *map, size_t expected)
{
    size_t n = slots_for(expected);
    map->slots = xcalloc(n, sizeof(*map->slots));
    map->mask = n - 1;
    map->count = 0;
}

void hashmap_release(struct hashmap *map)
{
    free(map->slots);
    map->slots = NULL;
    map->mask = 0;
    map->count = 0;
}

static void grow(struct hashmap *map)
{
    size_t old_n = map->slots ? map->mask + 1 : 0;
    size_t n = old_n ? old_n * 2 : HASHMAP_MIN_SLOTS;
    struct hashmap_entry *old = map->slots;
    size_t i;

    map->slots = xcalloc(n, sizeof(*map->slots));
    map->mask = n - 1;
    for (i = 0; i < old_n; i++) {
        size_t j;
        if (!old[i].key)
            continue;
        for (j = old[i].hash & map->mask; map->slots[j].key; j = (j + 1) & map->mask)
            ;
        map->slots[j] = old[i];
    }
    free(old);
}

void *hashmap_get_hashed(const struct hashmap *map, const void *key, size_t len, uint32_t hash)
{
    size_t i;
    if (!map->slots)
        return NULL;
    for (i = hash & map->mask; map->slots[i].key; i = (i + 1) & map->mask) {
        const struct hashmap_entry *e = &map->slots[i];
        if (e->hash == hash && e->len == len && (len == 0 || memcmp(e->key, key, len) == 0))
            return e->value;
    }
    return NULL;
}

void *hashmap_get(const struct hashmap *map, const void *key, size_t len)
{
    return hashmap_get_hashed(map, key, len, hashmap_hash(key, len));
}

void **hashmap_put(struct hashmap *map, const void *key, size_t len, int *added)
{
    uint32_t hash;
    size_t i;

    if (len > UINT32_MAX) {
        fprintf(stderr, "magnet: hashmap key of %zu bytes\n", len);
        abort();
    }
    hash = hashmap_hash(key, len);
    if (!map->slots || map->count + 1 > (map->mask + 1) - (map->mask + 1) / 4)
        grow(map);
    for (i = hash & map->mask; map->slots[i].key; i = (i + 1) & map->mask) {
        struct hashmap_entry *e = &map->slots[i];
        if (e->hash == hash && e->len == len && (len == 0 || memcmp(e->key, key, len) == 0)) {
            if (added)
                *added = 0;
            return &e->value;
        }
    }
    /* an empty key still needs a non-NULL pointer to mark the slot used */
    map->slots[i].key = key ? key : "";
    map->slots[i].len = (uint32_t)len;
    map->slots[i].hash = hash;
    map->slots[i].value = NULL;
    map->count++;
    if (added)
        *added = 1;
    return &map->slots[i].value;
}

const struct hashmap_entry *hashmap_next(const struct hashmap *map, size_t *pos)
{
    if (!map->slots)
        return NULL;
    while (*pos <= map->mask) {
        const struct hashmap_entry *e = &map->slots[(*pos)++];
        if (e->key)
            return e;
    }
    return NULL;
}
