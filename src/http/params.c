/*
 * params.c - query parameters shared by several routes: pagination
 * (limit/offset with a maximum page size), numbers and booleans, and the
 * screening parameters (q, sort, limit, offset, facets, explain).
 *
 * Pure functions of a parsed URL, so tests/fuzz/fuzz_http.c can drive
 * them with arbitrary query strings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "http/api.h"
#include "index/exec.h"
#include "index/query.h"

static int problem(struct api_problem *p, const char *field, const char *fmt, ...)
    MAGNET_PRINTF(3, 4);

static int problem(struct api_problem *p, const char *field, const char *fmt, ...)
{
    va_list ap;
    p->status = 400;
    p->code = "invalid_parameter";
    snprintf(p->field, sizeof(p->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole decimal number without sign, spaces or a leading '+'. */
static int parse_uint(const char *s, unsigned long long *out)
{
    char *end;
    unsigned long long v;
    if (!*s || *s < '0' || *s > '9' || strlen(s) > 19)
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int api_int_param(const struct url *u, const char *key, int64_t min, int64_t max,
                  int64_t *out, struct api_problem *p)
{
    const char *v = url_arg(u, key);
    unsigned long long n;
    int neg = 0;
    if (!v)
        return 0;
    if (*v == '-' && min < 0) {
        neg = 1;
        v++;
    }
    if (parse_uint(v, &n) != 0 || n > (unsigned long long)INT64_MAX)
        return problem(p, key, "'%s' must be a whole number from %lld to %lld", key,
                       (long long)min, (long long)max);
    if ((neg ? -(int64_t)n : (int64_t)n) < min || (neg ? -(int64_t)n : (int64_t)n) > max)
        return problem(p, key, "'%s' must be from %lld to %lld", key, (long long)min,
                       (long long)max);
    *out = neg ? -(int64_t)n : (int64_t)n;
    return 0;
}

int api_bool_param(const struct url *u, const char *key, int *out, struct api_problem *p)
{
    const char *v = url_arg(u, key);
    if (!v)
        return 0;
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !*v)
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
        *out = 0;
    else
        return problem(p, key, "'%s' must be true or false", key);
    return 0;
}

int api_page_parse(const struct url *u, size_t def_limit, size_t max_page, size_t max_offset,
                   size_t *limit, size_t *offset, struct api_problem *p)
{
    int64_t l = (int64_t)(def_limit < max_page ? def_limit : max_page), o = 0;
    if (api_int_param(u, "limit", 1, (int64_t)max_page, &l, p) != 0 ||
        api_int_param(u, "offset", 0, (int64_t)max_offset, &o, p) != 0)
        return -1;
    *limit = (size_t)l;
    *offset = (size_t)o;
    return 0;
}

void api_screen_params_release(struct api_screen_params *s)
{
    free(s->q);
    memset(s, 0, sizeof(*s));
}

int api_screen_params_parse(const struct url *u, size_t max_page, const char *extra,
                            struct api_screen_params *out, struct api_problem *p)
{
    const char *const known[] = { "q", "sort", "limit", "offset", "facets", "explain",
                                  extra ? extra : "q", NULL };
    const char *q = url_arg(u, "q"), *sort = url_arg(u, "sort"), *facets = url_arg(u, "facets");
    struct strbuf sb = STRBUF_INIT;
    struct error err = ERROR_INIT;
    size_t i, k;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < u->nargs; i++) {
        for (k = 0; known[k] && strcmp(known[k], u->args[i].key); k++)
            ;
        if (!known[k])
            return problem(p, u->args[i].key,
                           "unknown parameter '%.64s' (q, sort, limit, offset, facets, explain)",
                           u->args[i].key);
    }
    if (q && strlen(q) > QUERY_MAX_BYTES)
        return problem(p, "q", "the query is longer than %d bytes", QUERY_MAX_BYTES);
    if (api_page_parse(u, SCREEN_DEFAULT_LIMIT, max_page < SCREEN_MAX_LIMIT ? max_page
                                                                           : SCREEN_MAX_LIMIT,
                       SCREEN_MAX_OFFSET, &out->limit, &out->offset, p) != 0)
        return -1;
    if (api_bool_param(u, "explain", &out->explain, p) != 0)
        return -1;
    if (facets && *facets && screen_facets_parse(facets, &out->facets, &err) != 0)
        return problem(p, "facets", "%s", err.msg);
    strbuf_addstr(&sb, q ? q : "");
    if (sort && *sort) {
        static const char *const fields[] = { "capital", "score", "founded", "staff",
                                              "patents", NULL };
        size_t n = strlen(sort);
        const char *base_end = n > 4 && !strcmp(sort + n - 4, "-asc") ? sort + n - 4
                                                                       : sort + n;
        for (k = 0; fields[k]; k++)
            if (strlen(fields[k]) == (size_t)(base_end - sort) &&
                !strncmp(fields[k], sort, (size_t)(base_end - sort)))
                break;
        if (!fields[k]) {
            strbuf_release(&sb);
            return problem(p, "sort",
                           "sort must be capital, score, founded, staff or patents, "
                           "optionally with -asc (e.g. capital-asc)");
        }
        if (q && strstr(q, "sort:")) {
            strbuf_release(&sb);
            return problem(p, "sort", "the query has a sort: term already; give one or the other");
        }
        strbuf_addf(&sb, "%ssort:%s", sb.len ? " " : "", sort);
    }
    out->q = strbuf_detach(&sb, NULL);
    return 0;
}
