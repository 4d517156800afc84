/*
 * pool.c - a pool of store connections for the worker threads: a
 * connection serves one request at a time and goes back when the request
 * ends. Connections are opened on demand up to max; a request that finds
 * none free waits for one.
 */
#include <pthread.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "http/api.h"
#include "store/store.h"

struct store_pool {
    char *path;
    size_t max, open;
    int64_t cache_kib;
    int64_t mmap_bytes;
    struct store **free_list;
    size_t nfree;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/* A new connection's settings (best effort: the defaults work too). */
static void configure(struct store_pool *p, struct store *st)
{
    store_set_cache_kib(st, p->cache_kib, NULL);
    store_set_mmap(st, p->mmap_bytes, NULL);
}

struct store_pool *store_pool_new(const char *path, size_t max, int64_t cache_kib,
                                  int64_t mmap_bytes, struct error *err)
{
    struct store_pool *p = xcalloc(1, sizeof(*p));
    struct store *st;
    p->path = xstrdup(path);
    p->max = max ? max : 1;
    p->free_list = xcalloc(p->max, sizeof(*p->free_list));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    /* one connection now: a store that cannot be opened fails the start */
    if (store_open(path, STORE_OPEN_EXISTING, &st, err) != 0) {
        store_pool_free(p);
        return NULL;
    }
    p->cache_kib = cache_kib;
    p->mmap_bytes = mmap_bytes;
    configure(p, st);
    p->free_list[p->nfree++] = st;
    p->open = 1;
    return p;
}

struct store *store_pool_get(struct store_pool *p, struct error *err)
{
    struct store *st = NULL;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->nfree) {
            st = p->free_list[--p->nfree];
            break;
        }
        if (p->open < p->max) {
            p->open++;
            pthread_mutex_unlock(&p->lock);
            if (store_open(p->path, STORE_OPEN_EXISTING, &st, err) != 0) {
                pthread_mutex_lock(&p->lock);
                p->open--;
                pthread_cond_signal(&p->cond);
                pthread_mutex_unlock(&p->lock);
                return NULL;
            }
            configure(p, st);
            return st;
        }
        pthread_cond_wait(&p->cond, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return st;
}

void store_pool_put(struct store_pool *p, struct store *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&p->lock);
    p->free_list[p->nfree++] = st;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void store_pool_free(struct store_pool *p)
{
    size_t i;
    if (!p)
        return;
    for (i = 0; i < p->nfree; i++)
        store_close(p->free_list[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p->free_list);
    free(p->path);
    free(p);
}
