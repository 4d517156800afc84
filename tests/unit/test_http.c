/*
 * test_http.c - the HTTP server's parsers and tables (src/http/): request
 * targets, the router and the route table, query parameters, JSON
 * bodies, the streaming multipart parser (fed in every chunk size),
 * settings and MIME types. The server as a whole is tested against the
 * real binary in tests/api/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "http/api.h"
#include "http/http.h"
#include "index/exec.h"

static int parse(const char *t, struct url *u, struct error *err)
{
    const char *field;
    error_clear(err);
    return url_parse(t, u, &field, err);
}

static void test_url(void **state)
{
    struct url u;
    struct error err = ERROR_INIT;
    (void)state;
    assert_int_equal(parse("/api/lists/%E8%A5%BF%E6%B9%96?q=a+b&limit=5&empty=&flag", &u, &err),
                     0);
    assert_string_equal(u.path, "/api/lists/西湖");
    assert_int_equal(u.nsegs, 3);
    assert_string_equal(u.segs[2], "西湖");
    assert_string_equal(url_arg(&u, "q"), "a b");
    assert_string_equal(url_arg(&u, "limit"), "5");
    assert_string_equal(url_arg(&u, "empty"), "");
    assert_string_equal(url_arg(&u, "flag"), "");
    assert_null(url_arg(&u, "none"));
    url_release(&u);

    /* %2F stays inside its segment; '+' is a space only in the query */
    assert_int_equal(parse("/a%2Fb/c+d", &u, &err), 0);
    assert_int_equal(u.nsegs, 2);
    assert_string_equal(u.segs[0], "a/b");
    assert_string_equal(u.segs[1], "c+d");
    url_release(&u);

    assert_int_equal(parse("/", &u, &err), 0);
    assert_int_equal(u.nsegs, 1);
    assert_string_equal(u.segs[0], "");
    url_release(&u);

    /* refusals, each with a reason and a status */
    assert_int_equal(parse("api/x", &u, &err), -1);
    assert_int_equal(err.code, 400);
    assert_int_equal(parse("/a?q=%FF", &u, &err), -1);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(parse("/a?q=%00", &u, &err), -1);
    assert_non_null(strstr(err.msg, "control"));
    assert_int_equal(parse("/a%0a", &u, &err), -1);
    assert_int_equal(parse("/a?q=%4", &u, &err), -1);
    assert_non_null(strstr(err.msg, "hex"));
    assert_int_equal(parse("/a?q=%zz", &u, &err), -1);
    assert_int_equal(parse("/a?q=1&q=2", &u, &err), -1);
    assert_non_null(strstr(err.msg, "twice"));
    assert_int_equal(parse("/a?=1", &u, &err), -1);
    assert_int_equal(parse("/a#frag", &u, &err), -1);
    assert_int_equal(parse("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &u, &err), -1);
    assert_int_equal(err.code, 404);
    {
        char t[200];
        size_t i, n = 0;
        n += (size_t)snprintf(t, sizeof(t), "/a?");
        for (i = 0; i < URL_MAX_ARGS + 1; i++)
            n += (size_t)snprintf(t + n, sizeof(t) - n, "%c%c=1&", 'a' + (int)(i / 26),
                                  'a' + (int)(i % 26));
        assert_int_equal(parse(t, &u, &err), -1);
        assert_non_null(strstr(err.msg, "more than"));
    }
}

static void test_router(void **state)
{
    struct url u;
    struct error err = ERROR_INIT;
    const struct route *r;
    const char *params[API_MAX_PARAMS];
    char allow[64];
    int index;
    (void)state;

    assert_int_equal(parse("/api/enterprises/91330106MA2AXK0C3Q", &u, &err), 0);
    assert_int_equal(router_match("GET", &u, &r, &index, params, allow, sizeof(allow)), 0);
    assert_string_equal(r->pattern, "/api/enterprises/:uscc");
    assert_string_equal(params[0], "91330106MA2AXK0C3Q");
    assert_int_equal(router_match("HEAD", &u, &r, &index, params, allow, sizeof(allow)), 0);
    assert_int_equal(router_match("DELETE", &u, &r, &index, params, allow, sizeof(allow)), 405);
    assert_string_equal(allow, "GET, HEAD");
    url_release(&u);

    /* a literal segment beats a parameter */
    assert_int_equal(parse("/api/enterprises/export", &u, &err), 0);
    assert_int_equal(router_match("GET", &u, &r, &index, params, allow, sizeof(allow)), 0);
    assert_string_equal(r->pattern, "/api/enterprises/export");
    url_release(&u);

    /* a sub-resource of /api/session, for signed-in users only, with a body */
    assert_int_equal(parse("/api/session/password", &u, &err), 0);
    assert_int_equal(router_match("POST", &u, &r, &index, params, allow, sizeof(allow)), 0);
    assert_string_equal(r->pattern, "/api/session/password");
    assert_int_equal(r->roles, AUTH_ANY_USER);
    assert_true(r->flags & R_BODY);
    assert_int_equal(router_match("GET", &u, &r, &index, params, allow, sizeof(allow)), 405);
    assert_string_equal(allow, "POST");
    url_release(&u);

    assert_int_equal(parse("/api/lists", &u, &err), 0);
    assert_int_equal(router_match("PUT", &u, &r, &index, params, allow, sizeof(allow)), 405);
    assert_string_equal(allow, "GET, HEAD, POST");
    url_release(&u);

    assert_int_equal(parse("/api/lists/a/b/c", &u, &err), 0);
    assert_int_equal(router_match("GET", &u, &r, &index, params, allow, sizeof(allow)), 404);
    url_release(&u);
    assert_int_equal(parse("/api/lists/", &u, &err), 0);  /* an empty parameter */
    assert_int_equal(router_match("GET", &u, &r, &index, params, allow, sizeof(allow)), 404);
    url_release(&u);
}

/* The route table: unique (method, pattern), every handler set, roles
 * known, writes never public except login. */
static void test_route_table(void **state)
{
    size_t i, k;
    (void)state;
    assert_true(api_nroutes > 30);
    for (i = 0; i < api_nroutes; i++) {
        const struct route *r = &api_routes[i];
        assert_non_null(r->handler);
        assert_non_null(r->summary);
        assert_true(r->pattern[0] == '/');
        assert_true(r->roles != 0);
        for (k = 0; k < i; k++)
            assert_false(!strcmp(api_routes[k].method, r->method) &&
                         !strcmp(api_routes[k].pattern, r->pattern));
        if (strcmp(r->method, "GET") != 0 && (r->roles & AUTH_PUBLIC))
            assert_string_equal(r->pattern, "/api/session");
        if (!strncmp(r->pattern, "/api/users", 10) || !strcmp(r->pattern, "/api/audit"))
            assert_int_equal(r->roles, AUTH_ADMIN);
    }
}

static void test_params(void **state)
{
    struct url u;
    struct error err = ERROR_INIT;
    struct api_problem p;
    struct api_screen_params sp;
    size_t limit, offset;
    int64_t n = 7;
    int b = 0;
    (void)state;

    assert_int_equal(parse("/x?limit=20&offset=3&n=-5&b=yes", &u, &err), 0);
    memset(&p, 0, sizeof(p));
    assert_int_equal(api_page_parse(&u, 50, 100, 1000, &limit, &offset, &p), 0);
    assert_int_equal(limit, 20);
    assert_int_equal(offset, 3);
    assert_int_equal(api_int_param(&u, "n", -10, 10, &n, &p), 0);
    assert_int_equal(n, -5);
    assert_int_equal(api_int_param(&u, "n", 0, 10, &n, &p), -1);
    assert_string_equal(p.field, "n");
    assert_int_equal(api_bool_param(&u, "b", &b, &p), 0);
    assert_int_equal(b, 1);
    url_release(&u);

    assert_int_equal(parse("/x?limit=101", &u, &err), 0);
    assert_int_equal(api_page_parse(&u, 50, 100, 1000, &limit, &offset, &p), -1);
    assert_int_equal(p.status, 400);
    assert_string_equal(p.field, "limit");
    url_release(&u);
    assert_int_equal(parse("/x?limit=+5", &u, &err), 0);
    assert_int_equal(api_page_parse(&u, 50, 100, 1000, &limit, &offset, &p), -1);
    url_release(&u);
    assert_int_equal(parse("/x", &u, &err), 0);
    assert_int_equal(api_page_parse(&u, 50, 10, 1000, &limit, &offset, &p), 0);
    assert_int_equal(limit, 10);  /* the default never exceeds the maximum */
    url_release(&u);

    assert_int_equal(parse("/x?q=status:active&sort=capital-asc&facets=status,tag&explain=1",
                           &u, &err),
                     0);
    assert_int_equal(api_screen_params_parse(&u, 1000, NULL, &sp, &p), 0);
    assert_string_equal(sp.q, "status:active sort:capital-asc");
    assert_int_equal(sp.facets, (1u << FACET_STATUS) | (1u << FACET_TAG));
    assert_int_equal(sp.explain, 1);
    assert_int_equal(sp.limit, SCREEN_DEFAULT_LIMIT);
    api_screen_params_release(&sp);
    url_release(&u);

    assert_int_equal(parse("/x?sort=name", &u, &err), 0);
    assert_int_equal(api_screen_params_parse(&u, 1000, NULL, &sp, &p), -1);
    assert_string_equal(p.field, "sort");
    url_release(&u);
    assert_int_equal(parse("/x?format=csv", &u, &err), 0);
    assert_int_equal(api_screen_params_parse(&u, 1000, NULL, &sp, &p), -1);
    assert_string_equal(p.field, "format");
    assert_int_equal(api_screen_params_parse(&u, 1000, "format", &sp, &p), 0);
    api_screen_params_release(&sp);
    url_release(&u);
}

static void test_json_body(void **state)
{
    struct error err = ERROR_INIT;
    json_t *o;
    const char *s = NULL;
    int64_t n = 0;
    int b = 0;
    static const char *const allowed[] = { "name", "n", "b", NULL };
    char deep[100];
    (void)state;

    assert_int_equal(api_json_parse("{\"name\":\"西湖\",\"n\":5,\"b\":true}", 32, 16, &o, &err),
                     0);
    assert_int_equal(api_body_string(o, "name", 1, 64, &s, &err), 0);
    assert_string_equal(s, "西湖");
    assert_int_equal(api_body_int(o, "n", 1, 10, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_int_equal(api_body_int(o, "n", 6, 10, &n, &err), -1);
    assert_int_equal(api_body_bool(o, "b", &b, &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(api_body_string(o, "n", 0, 64, &s, &err), -1);
    assert_non_null(strstr(err.msg, "string"));
    assert_int_equal(api_body_string(o, "missing", 1, 64, &s, &err), -1);
    assert_non_null(strstr(err.msg, "required"));
    assert_null(api_body_unknown(o, allowed));
    json_decref(o);

    assert_int_equal(api_json_parse("{\"x\":1}", 7, 16, &o, &err), 0);
    assert_string_equal(api_body_unknown(o, allowed), "x");
    json_decref(o);

    assert_int_equal(api_json_parse("[1]", 3, 16, &o, &err), -1);
    assert_int_equal(api_json_parse("{\"a\":1,\"a\":2}", 13, 16, &o, &err), -1);
    assert_int_equal(api_json_parse("{\"a\":", 5, 16, &o, &err), -1);
    assert_non_null(strstr(err.msg, "malformed"));
    assert_int_equal(api_json_parse("{\"a\":\"\xff\"}", 9, 16, &o, &err), -1);
    assert_int_equal(api_json_parse("{\"a\":\"\\u0000\"}", 14, 16, &o, &err), -1);
    assert_int_equal(api_json_parse("", 0, 16, &o, &err), -1);
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    assert_int_equal(api_json_parse(deep, 80, 16, &o, &err), -1);
    assert_non_null(strstr(err.msg, "deeper"));
    /* brackets inside strings do not count */
    assert_int_equal(api_json_parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[\"}", 30, 2, &o, &err), 0);
    json_decref(o);
}

static const char mp_body[] =
    "preamble\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"skip_invalid\"\r\n\r\n"
    "true\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"名单.csv\"\r\n"
    "Content-Type: text/csv\r\n\r\n"
    "a,b\r\n--XyY\r\n\r\n--X1,2\r\n"
    "--XyZ--\r\n"
    "epilogue";

static void test_multipart(void **state)
{
    char path[] = "/tmp/test_http_mpXXXXXX";
    int fd = mkstemp(path);
    size_t chunk, off, len = sizeof(mp_body) - 1;
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    for (chunk = 1; chunk <= len; chunk++) {
        struct error err = ERROR_INIT;
        struct multipart *m = multipart_new("multipart/form-data; boundary=\"XyZ\"", "file",
                                            path, &err);
        const char *fn;
        uint64_t size;
        char got[64] = "";
        FILE *f;
        assert_non_null(m);
        for (off = 0; off < len; off += chunk)
            assert_int_equal(
                multipart_feed(m, mp_body + off, len - off < chunk ? len - off : chunk, &err), 0);
        assert_int_equal(multipart_finish(m, &err), 0);
        assert_int_equal(multipart_file(m, &fn, &size), 1);
        assert_string_equal(fn, "名单.csv");
        assert_int_equal(size, 20);
        assert_string_equal(multipart_field(m, "skip_invalid"), "true");
        multipart_free(m);
        f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fread(got, 1, sizeof(got) - 1, f), 20);
        fclose(f);
        assert_string_equal(got, "a,b\r\n--XyY\r\n\r\n--X1,2");
    }
    unlink(path);
}

static void test_multipart_refused(void **state)
{
    struct error err = ERROR_INIT;
    struct multipart *m;
    static const char two[] = "--B\r\nContent-Disposition: form-data; name=\"file\"; "
                              "filename=\"a\"\r\n\r\nx\r\n--B\r\nContent-Disposition: "
                              "form-data; name=\"file\"; filename=\"b\"\r\n\r\ny\r\n--B--";
    static const char nodisp[] = "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--";
    static const char cut[] = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx";
    (void)state;
    assert_null(multipart_new("application/json", "file", "/dev/null", &err));
    assert_int_equal(err.code, 415);
    assert_null(multipart_new("multipart/form-data", "file", "/dev/null", &err));
    assert_int_equal(err.code, 400);

    m = multipart_new("multipart/form-data; boundary=B", "file", "/dev/null", &err);
    assert_int_equal(multipart_feed(m, two, sizeof(two) - 1, &err), -1);
    assert_non_null(strstr(err.msg, "more than one"));
    multipart_free(m);

    m = multipart_new("multipart/form-data; boundary=B", "file", "/dev/null", &err);
    assert_int_equal(multipart_feed(m, nodisp, sizeof(nodisp) - 1, &err), -1);
    multipart_free(m);

    m = multipart_new("multipart/form-data; boundary=B", "file", "/dev/null", &err);
    assert_int_equal(multipart_feed(m, cut, sizeof(cut) - 1, &err), 0);
    assert_int_equal(multipart_finish(m, &err), -1);
    multipart_free(m);
}

static void test_config(void **state)
{
    struct http_config c;
    struct error err = ERROR_INIT;
    char host[64], path[] = "/tmp/test_http_cfgXXXXXX";
    int port = 0, fd;
    FILE *f;
    (void)state;

    http_config_init(&c);
    assert_string_equal(c.str[HS_LISTEN], "127.0.0.1:8080");
    assert_int_equal(c.num[HS_MAX_BODY_BYTES], 1024 * 1024);
    assert_string_equal(c.origin[HS_LISTEN], "default");
    assert_int_equal(http_config_set(&c, "max_upload_bytes", "10M", "flag", &err), 0);
    assert_int_equal(c.num[HS_MAX_UPLOAD_BYTES], 10 * 1024 * 1024);
    assert_int_equal(http_config_set(&c, "request_timeout", "2m", "flag", &err), 0);
    assert_int_equal(c.num[HS_REQUEST_TIMEOUT], 120);
    assert_int_equal(http_config_set(&c, "cookie_secure", "on", "flag", &err), 0);
    assert_int_equal(c.num[HS_COOKIE_SECURE], 1);
    assert_int_equal(http_config_set(&c, "max_page_size", "0", "flag", &err), -1);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(http_config_set(&c, "max_body_bytes", "lots", "flag", &err), -1);
    assert_int_equal(http_config_set(&c, "no_such", "1", "flag", &err), -1);

    fd = mkstemp(path);
    f = fdopen(fd, "w");
    fprintf(f, "# comment\n\nlisten = 127.0.0.1:9999\nhome = \"330106\"\nthreads=3\n");
    fclose(f);
    assert_int_equal(http_config_load_file(&c, path, &err), 0);
    assert_string_equal(c.str[HS_LISTEN], "127.0.0.1:9999");
    assert_string_equal(c.str[HS_HOME], "330106");
    assert_int_equal(c.num[HS_THREADS], 3);
    assert_non_null(strstr(c.origin[HS_THREADS], ":5"));
    /* the environment comes after the file */
    setenv("MAGNET_THREADS", "5", 1);
    assert_int_equal(http_config_load_env(&c, &err), 0);
    assert_int_equal(c.num[HS_THREADS], 5);
    assert_string_equal(c.origin[HS_THREADS], "env MAGNET_THREADS");
    unsetenv("MAGNET_THREADS");
    f = fopen(path, "w");
    fprintf(f, "listen 127.0.0.1:1\n");
    fclose(f);
    assert_int_equal(http_config_load_file(&c, path, &err), -1);
    assert_non_null(strstr(err.msg, ":1: "));
    unlink(path);
    http_config_release(&c);

    assert_int_equal(http_listen_parse("127.0.0.1:8080", host, sizeof(host), &port, &err), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(http_listen_parse("[::1]:0", host, sizeof(host), &port, &err), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(http_listen_parse(":81", host, sizeof(host), &port, &err), 0);
    assert_string_equal(host, "");
    assert_int_equal(http_listen_parse("127.0.0.1:99999", host, sizeof(host), &port, &err), -1);
    assert_int_equal(http_listen_parse("localhost:http", host, sizeof(host), &port, &err), -1);
}

static void test_mime_and_openapi(void **state)
{
    size_t len;
    const char *doc;
    json_t *o;
    (void)state;
    assert_string_equal(static_mime_type("index.html"), "text/html; charset=utf-8");
    assert_string_equal(static_mime_type("a/b/app.JS"), "text/javascript; charset=utf-8");
    assert_string_equal(static_mime_type("x.svg"), "image/svg+xml");
    assert_string_equal(static_mime_type("noext"), "application/octet-stream");
    assert_string_equal(static_mime_type("dir.d/noext"), "application/octet-stream");
    doc = http_openapi_document(&len);
    o = json_loadb(doc, len, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "openapi")), "3.1.0");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_route_table),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_multipart_refused),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_mime_and_openapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
