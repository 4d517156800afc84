/*
 * alloc.h - allocation wrappers.
 *
 * Out-of-memory is decided once, here: Magnet is a service and a CLI whose
 * every caller would only report and exit, so the wrappers abort with a
 * message instead of returning NULL. Callers never check for NULL.
 */
#ifndef MAGNET_BASE_ALLOC_H
#define MAGNET_BASE_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Size of nmemb*size, aborting on overflow. */
size_t st_mult(size_t nmemb, size_t size);

/* Grow an array of items to hold at least `need` of them (alloc is the
 * capacity in items, updated). Amortised doubling. */
#define ALLOC_GROW(ptr, need, alloc)                                          \
    do {                                                                      \
        if ((need) > (alloc)) {                                               \
            size_t alloc_grow_n_ = (alloc) ? (alloc) * 2 : 16;                \
            while (alloc_grow_n_ < (need)) alloc_grow_n_ *= 2;                \
            (ptr) = xrealloc((ptr), st_mult(alloc_grow_n_, sizeof(*(ptr))));  \
            (alloc) = alloc_grow_n_;                                          \
        }                                                                     \
    } while (0)

#endif
