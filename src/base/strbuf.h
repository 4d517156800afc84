/*
 * strbuf.h - the one growable string buffer.
 *
 * Invariants: buf is never NULL (an empty strbuf points at a shared empty
 * string until first growth) and is always NUL-terminated at buf[len].
 * The buffer may hold NUL bytes inside [0, len).
 *
 * For anything that comes from outside, set a cap with strbuf_init_cap():
 * strbuf_add_checked() then refuses to grow past it ("toobig") instead of
 * letting a hostile input eat the memory.
 */
#ifndef MAGNET_BASE_STRBUF_H
#define MAGNET_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

struct strbuf {
    size_t alloc;  /* bytes allocated, 0 while buf points at the empty string */
    size_t len;    /* bytes used, not counting the terminating NUL */
    size_t cap;    /* hard maximum for strbuf_add_checked(), 0 = none */
    char *buf;
};

extern char strbuf_empty_[];
#define STRBUF_INIT { 0, 0, 0, strbuf_empty_ }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_init_cap(struct strbuf *sb, size_t cap);
void strbuf_release(struct strbuf *sb);
/* Take the buffer away: caller frees; sb is re-initialised. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb) { strbuf_setlen(sb, 0); }

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) MAGNET_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Append while respecting sb->cap; returns -1 with a message when the
 * result would exceed it (sb is left unchanged). */
int strbuf_add_checked(struct strbuf *sb, const void *data, size_t len, struct error *err);
/* Remove leading and trailing ASCII whitespace. */
void strbuf_trim(struct strbuf *sb);

#endif
