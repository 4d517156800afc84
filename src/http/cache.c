/*
 * cache.c - rendered replies kept for as long as the store has not
 * changed: each entry carries the store's change-log sequence it was made
 * at, and a request that finds another sequence makes the reply afresh.
 * Every write to enterprises, their history and their chain nodes adds to
 * the change log (store.h), whichever process made it, so an entry can
 * never outlive the data it shows.
 *
 * A direct-mapped table (a key has one slot; a newer key takes it) with
 * striped locks: constant memory, no eviction bookkeeping.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hashmap.h"
#include "http/api.h"

#define STRIPES 256
#define KEY_MAX 64

struct slot {
    char key[KEY_MAX];
    int64_t seq;
    char *text;       /* NULL: empty */
    size_t len;
};

struct reply_cache {
    struct slot *slots;
    size_t mask;
    pthread_mutex_t locks[STRIPES];
};

struct reply_cache *reply_cache_new(size_t slots)
{
    struct reply_cache *c;
    size_t n = 1, i;
    if (!slots)
        return NULL;
    while (n < slots)
        n <<= 1;
    c = xcalloc(1, sizeof(*c));
    c->slots = xcalloc(n, sizeof(*c->slots));
    c->mask = n - 1;
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

void reply_cache_free(struct reply_cache *c)
{
    size_t i;
    if (!c)
        return;
    for (i = 0; i <= c->mask; i++)
        free(c->slots[i].text);
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->slots);
    free(c);
}

char *reply_cache_get(struct reply_cache *c, const char *key, int64_t seq, size_t *len)
{
    size_t i, klen = strlen(key);
    struct slot *s;
    char *out = NULL;
    if (!c || klen >= KEY_MAX)
        return NULL;
    i = hashmap_hash(key, klen) & c->mask;
    s = &c->slots[i];
    pthread_mutex_lock(&c->locks[i % STRIPES]);
    if (s->text && s->seq == seq && !strcmp(s->key, key)) {
        out = xmalloc(s->len + 1);
        memcpy(out, s->text, s->len + 1);
        *len = s->len;
    }
    pthread_mutex_unlock(&c->locks[i % STRIPES]);
    return out;
}

void reply_cache_put(struct reply_cache *c, const char *key, int64_t seq, const char *text,
                     size_t len)
{
    size_t i, klen = strlen(key);
    struct slot *s;
    char *copy, *old;
    if (!c || klen >= KEY_MAX)
        return;
    copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    i = hashmap_hash(key, klen) & c->mask;
    s = &c->slots[i];
    pthread_mutex_lock(&c->locks[i % STRIPES]);
    old = s->text;
    memcpy(s->key, key, klen + 1);
    s->seq = seq;
    s->text = copy;
    s->len = len;
    pthread_mutex_unlock(&c->locks[i % STRIPES]);
    free(old);
}
