/*
 * fuzz_query.c - libFuzzer target for the screening query parser
 * (src/index/query.c).
 *
 * Beyond crashes and leaks: whatever parses must print a canonical form
 * that parses again to the same canonical form (format is a fixed point),
 * and an error must carry a "position N: " message or one of the two
 * whole-query errors (too long, bad today). The chain taxonomy is the
 * embedded default, loaded once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "chain/taxonomy.h"
#include "index/query.h"

static struct taxonomy *tax;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct query_env env = { NULL, "2024-06-01" };
    struct query *q = NULL, *q2 = NULL;
    struct error err = ERROR_INIT;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    char *s;

    if (!tax && taxonomy_load_default(&tax, &err) < 0)
        abort();
    /* The first byte chooses whether a taxonomy is there, the rest is the query. */
    if (size && data[0] == 0xff) {
        data++;
        size--;
    } else {
        env.taxonomy = tax;
    }
    s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    if (query_parse(s, &env, &q, &err) < 0) {
        if (q || !err.msg[0])
            abort();
        if (strncmp(err.msg, "position ", 9) != 0 && strncmp(err.msg, "query is too long", 17) != 0)
            abort();
        free(s);
        return 0;
    }
    query_format(q, &a);
    if (!utf8_valid(a.buf, a.len))
        abort();
    if (query_parse(a.buf, &env, &q2, &err) < 0) {
        fprintf(stderr, "canonical form does not parse: '%s' -> '%s': %s\n", s, a.buf, err.msg);
        abort();
    }
    query_format(q2, &b);
    if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) {
        fprintf(stderr, "canonical form is not stable: '%s' -> '%s' -> '%s'\n", s, a.buf, b.buf);
        abort();
    }
    if (q->nclauses != q2->nclauses || q->sort != q2->sort || q->sort_asc != q2->sort_asc)
        abort();
    query_free(q);
    query_free(q2);
    strbuf_release(&a);
    strbuf_release(&b);
    free(s);
    return 0;
}
