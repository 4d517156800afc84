/*
 * jsonw.h - a streaming JSON writer into a strbuf.
 *
 * jansson builds a tree of nodes (a malloc per value) and then serialises
 * it; on hot paths (one enterprise's detail, ~60 values, tens of thousands
 * of times a second) that costs more than the database reads. This writer
 * appends the text directly: the caller says object/array/key/value in
 * order and the writer places the commas and colons.
 *
 * The output is always valid JSON text: strings are escaped, invalid UTF-8
 * becomes U+FFFD, non-finite numbers become null. Nesting is limited to
 * JSONW_MAX_DEPTH (a programming error beyond it: abort).
 */
#ifndef MAGNET_BASE_JSONW_H
#define MAGNET_BASE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

#define JSONW_MAX_DEPTH 64

struct jsonw {
    struct strbuf *sb;
    int depth;
    uint64_t started;   /* bit d: the container at depth d has a member */
    int after_key;      /* a key was written: the next value needs no comma */
};

void jw_init(struct jsonw *w, struct strbuf *sb);

void jw_obj(struct jsonw *w);
void jw_obj_end(struct jsonw *w);
void jw_arr(struct jsonw *w);
void jw_arr_end(struct jsonw *w);

/* A member's name inside an object; the value follows. */
void jw_key(struct jsonw *w, const char *key);

void jw_str(struct jsonw *w, const char *s);        /* NULL: null */
void jw_strn(struct jsonw *w, const char *s, size_t len);
void jw_int(struct jsonw *w, int64_t v);
void jw_real(struct jsonw *w, double v);             /* as api_reply_json prints it */
void jw_bool(struct jsonw *w, int v);
void jw_null(struct jsonw *w);
/* Text that is already one JSON value (from our own serialiser). */
void jw_raw(struct jsonw *w, const char *json, size_t len);

/* key + value in one call. */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kint(struct jsonw *w, const char *key, int64_t v);

/* Append s as a quoted, escaped JSON string (NULL: null) to sb. */
void json_quote(struct strbuf *sb, const char *s, size_t len);

#endif
