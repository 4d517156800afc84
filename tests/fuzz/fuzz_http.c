/*
 * fuzz_http.c - libFuzzer target for what the HTTP server parses from a
 * request before any handler runs (src/http/): the request target (path
 * segments and query parameters, url.c), the parameters built from it
 * (pagination, screening: params.c), the router, JSON bodies (json.c)
 * and multipart uploads (multipart.c).
 *
 * Input: the request target, a newline, then the body. A target that does
 * not start with '/' is taken as a query string for /api/enterprises. The
 * body goes to the JSON parser, and to the multipart parser (boundary
 * "BOUNDARY") in chunks whose sizes come from the target's length.
 *
 * Beyond crashes and leaks: whatever url_parse accepts is valid UTF-8
 * without control characters, within the segment and parameter limits,
 * with no parameter twice; a parsed body is an object; screening
 * parameters are within their bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "http/api.h"
#include "index/exec.h"

static void check_text(const char *s)
{
    size_t i, n = strlen(s);
    if (!utf8_valid(s, n))
        abort();
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            abort();
}

static void target(const char *t)
{
    struct url u;
    const char *field = NULL, *params[API_MAX_PARAMS];
    struct error err = ERROR_INIT;
    struct api_problem p;
    struct api_screen_params sp;
    const struct route *route;
    size_t i, k, limit, offset;
    int index;
    char allow[64];

    if (url_parse(t, &u, &field, &err) != 0) {
        if (!err.msg[0] || (err.code != 400 && err.code != 404))
            abort();
        return;
    }
    if (u.nsegs > URL_MAX_SEGMENTS || u.nargs > URL_MAX_ARGS)
        abort();
    check_text(u.path);
    for (i = 0; i < u.nsegs; i++)
        check_text(u.segs[i]);
    for (i = 0; i < u.nargs; i++) {
        check_text(u.args[i].key);
        check_text(u.args[i].value);
        for (k = 0; k < i; k++)
            if (!strcmp(u.args[i].key, u.args[k].key))
                abort();
    }
    memset(&p, 0, sizeof(p));
    if (api_page_parse(&u, 50, 1000, 1000000, &limit, &offset, &p) == 0) {
        if (limit < 1 || limit > 1000 || offset > 1000000)
            abort();
    } else if (p.status != 400 || !p.message[0]) {
        abort();
    }
    memset(&p, 0, sizeof(p));
    if (api_screen_params_parse(&u, 1000, "format", &sp, &p) == 0) {
        if (sp.limit < 1 || sp.limit > SCREEN_MAX_LIMIT || sp.offset > SCREEN_MAX_OFFSET ||
            !sp.q || !utf8_valid(sp.q, strlen(sp.q)))
            abort();
        api_screen_params_release(&sp);
    } else if (p.status != 400 || !p.message[0]) {
        abort();
    }
    index = 0;
    k = (size_t)router_match("GET", &u, &route, &index, params, allow, sizeof(allow));
    if (k == 0 && (!route || index < 0 || (size_t)index >= api_nroutes))
        abort();
    url_release(&u);
}

static void body(const uint8_t *data, size_t size, size_t chunk)
{
    json_t *o = NULL;
    struct error err = ERROR_INIT;
    struct multipart *m;
    size_t off;

    if (api_json_parse((const char *)data, size, 16, &o, &err) == 0) {
        static const char *const allowed[] = { "name", "query", "note", "replace", NULL };
        const char *s = NULL;
        int b = 0;
        int64_t n = 0;
        if (!json_is_object(o))
            abort();
        api_body_string(o, "name", 1, 64, &s, &err);
        api_body_string(o, "query", 0, 4096, &s, &err);
        api_body_bool(o, "replace", &b, &err);
        api_body_int(o, "limit", 1, 100, &n, &err);
        api_body_unknown(o, allowed);
        json_decref(o);
    } else if (!err.msg[0]) {
        abort();
    }

    m = multipart_new("multipart/form-data; boundary=BOUNDARY", "file", "/dev/null", &err);
    if (!m)
        abort();
    for (off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (multipart_feed(m, (const char *)data + off, n, &err) != 0)
            break;
    }
    if (off >= size && multipart_finish(m, &err) == 0) {
        const char *fn;
        uint64_t fsize;
        if (multipart_file(m, &fn, &fsize) && fsize > size)
            abort();
    }
    multipart_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - data) : size;
    char *t = malloc(tlen + 32);
    if (!t)
        abort();
    if (tlen && data[0] == '/') {
        memcpy(t, data, tlen);
        t[tlen] = '\0';
    } else {
        memcpy(t, "/api/enterprises?", 17);
        memcpy(t + 17, data, tlen);
        t[17 + tlen] = '\0';
    }
    if (!memchr(data, '\0', tlen))
        target(t);
    free(t);
    if (nl)
        body(nl + 1, size - tlen - 1, tlen % 7 + 1 + (tlen > 40 ? 4096 : 0));
    return 0;
}
