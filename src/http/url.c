/*
 * url.c - the request target: path segments and query parameters,
 * percent-decoded and checked once here, so that no handler sees a NUL, a
 * control character, invalid UTF-8 or a parameter given twice.
 *
 * The raw target comes from the server (not libmicrohttpd's own decoding)
 * so that every byte of it goes through these checks; tests/fuzz/
 * fuzz_http.c feeds it arbitrary input.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/utf8.h"
#include "http/api.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s[0..n) into a new string; plus_space: '+' means ' '. */
static int decode(const char *s, size_t n, int plus_space, char **out, const char *what,
                  struct error *err)
{
    char *d = xmalloc(n + 1);
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                free(d);
                return error_code(err, 400, "%s: a '%%' not followed by two hex digits", what);
            }
            c = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f) {
            free(d);
            return error_code(err, 400, "%s: a control character (byte 0x%02x)", what, c);
        }
        d[k++] = (char)c;
    }
    d[k] = '\0';
    if (!utf8_valid(d, k)) {
        free(d);
        return error_code(err, 400, "%s: not valid UTF-8", what);
    }
    *out = d;
    return 0;
}

void url_release(struct url *u)
{
    size_t i;
    free(u->path);
    for (i = 0; i < u->nsegs; i++)
        free(u->segs[i]);
    for (i = 0; i < u->nargs; i++) {
        free(u->args[i].key);
        free(u->args[i].value);
    }
    memset(u, 0, sizeof(*u));
}

const char *url_arg(const struct url *u, const char *key)
{
    size_t i;
    for (i = 0; i < u->nargs; i++)
        if (!strcmp(u->args[i].key, key))
            return u->args[i].value;
    return NULL;
}

static int parse_query(const char *q, struct url *out, struct error *err)
{
    while (*q) {
        const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q), *eq;
        char *key, *value;
        size_t i;
        if (end == q) {  /* "a=1&&b=2": an empty pair is nothing */
            q = amp ? amp + 1 : end;
            continue;
        }
        eq = memchr(q, '=', (size_t)(end - q));
        if (out->nargs == URL_MAX_ARGS)
            return error_code(err, 400, "more than %d query parameters", URL_MAX_ARGS);
        if (decode(q, (size_t)((eq ? eq : end) - q), 1, &key, "a query parameter name", err))
            return -1;
        if (!*key) {
            free(key);
            return error_code(err, 400, "a query parameter without a name");
        }
        if (strlen(key) > 64) {
            free(key);
            return error_code(err, 400, "a query parameter name longer than 64 bytes");
        }
        /* the message names the parameter: its key is safe to show now */
        if (decode(eq ? eq + 1 : end, eq ? (size_t)(end - eq - 1) : 0, 1, &value, key, err)) {
            free(key);
            return -1;
        }
        if (strlen(value) > URL_MAX_ARG_BYTES) {
            error_code(err, 400, "query parameter '%s' is longer than %d bytes", key,
                       URL_MAX_ARG_BYTES);
            free(key);
            free(value);
            return -1;
        }
        for (i = 0; i < out->nargs; i++)
            if (!strcmp(out->args[i].key, key)) {
                error_code(err, 400, "query parameter '%s' is given twice", key);
                free(key);
                free(value);
                return -1;
            }
        out->args[out->nargs].key = key;
        out->args[out->nargs].value = value;
        out->nargs++;
        q = amp ? amp + 1 : end;
    }
    return 0;
}

int url_parse(const char *target, struct url *out, const char **field, struct error *err)
{
    const char *qm, *p, *end;
    size_t plen;

    memset(out, 0, sizeof(*out));
    *field = NULL;
    if (target[0] != '/')
        return error_code(err, 400, "the request target must start with '/'");
    qm = strchr(target, '?');
    plen = qm ? (size_t)(qm - target) : strlen(target);
    if (strchr(target, '#') && (!qm || strchr(target, '#') < qm))
        return error_code(err, 400, "a fragment ('#') in the request target");
    if (decode(target, plen, 0, &out->path, "the path", err))
        goto fail;
    /* segments of the raw path, each decoded alone */
    p = target + 1;
    end = target + plen;
    while (p <= end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *se = slash ? slash : end;
        if (out->nsegs == URL_MAX_SEGMENTS) {
            error_code(err, 404, "the path has more than %d segments", URL_MAX_SEGMENTS);
            goto fail;
        }
        if (decode(p, (size_t)(se - p), 0, &out->segs[out->nsegs], "the path", err))
            goto fail;
        out->nsegs++;
        if (!slash)
            break;
        p = slash + 1;
    }
    if (qm && parse_query(qm + 1, out, err) != 0)
        goto fail;
    return 0;
fail:
    url_release(out);
    return -1;
}
