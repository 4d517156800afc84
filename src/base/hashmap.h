/*
 * hashmap.h - a hash map from byte-string keys to pointers.
 *
 * Open addressing with linear probing over a power-of-two table, kept at
 * most three quarters full. The map does not copy keys: a key must stay
 * valid and unchanged for as long as it is in the map (the usual case is a
 * key that points into the value it maps to, or into a table loaded once).
 * That keeps an entry at 24 bytes, which matters for tables of 100k names.
 *
 * Not thread-safe for writes; any number of readers may share a map that
 * is no longer written to.
 */
#ifndef MAGNET_BASE_HASHMAP_H
#define MAGNET_BASE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct hashmap_entry {
    const char *key;  /* NULL marks an empty slot */
    uint32_t len;
    uint32_t hash;
    void *value;
};

struct hashmap {
    struct hashmap_entry *slots;  /* NULL until the first put */
    size_t mask;                  /* number of slots - 1 */
    size_t count;
};

#define HASHMAP_INIT { NULL, 0, 0 }

/* Size the map for about `expected` keys, so that loading a table of known
 * size never rehashes. */
void hashmap_init(struct hashmap *map, size_t expected);
/* Free the slots (not the keys or values); the map is empty afterwards. */
void hashmap_release(struct hashmap *map);

/* The hash used by the map, exposed so callers can precompute it. */
uint32_t hashmap_hash(const void *key, size_t len);

/* The value for key, or NULL when absent. */
void *hashmap_get(const struct hashmap *map, const void *key, size_t len);
/* Same with a hash from hashmap_hash(). */
void *hashmap_get_hashed(const struct hashmap *map, const void *key, size_t len, uint32_t hash);

/* Find or add key and return the address of its value, so a caller can
 * insert, replace or chain in one probe. *added (when not NULL) says whether
 * the key is new; a new key's value is NULL. The address is valid until the
 * next put. Keys longer than 4 GiB are refused (the program aborts): no
 * caller has a reason for one. */
void **hashmap_put(struct hashmap *map, const void *key, size_t len, int *added);

/* Iterate: start with *pos = 0; returns the next occupied entry or NULL. */
const struct hashmap_entry *hashmap_next(const struct hashmap *map, size_t *pos);

#endif
