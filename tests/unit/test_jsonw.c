/*
 * test_jsonw.c - the streaming JSON writer (src/base/jsonw.c):
 *   - commas and colons in nested objects and arrays, raw values;
 *   - string escapes: quotes, backslashes, every control character;
 *   - invalid UTF-8 becomes U+FFFD, valid multi-byte text passes as is;
 *   - reals print exactly as jansson prints them with the API's precision
 *     (random doubles, integers, tiny and huge exponents), non-finite as
 *     null;
 *   - random documents: the writer's text parses with jansson to the same
 *     value jansson itself would have produced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static void test_structure(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    struct jsonw w;
    jw_init(&w, &sb);
    jw_obj(&w);
    jw_kint(&w, "a", 1);
    jw_key(&w, "b");
    jw_arr(&w);
    jw_int(&w, -2);
    jw_arr(&w);
    jw_arr_end(&w);
    jw_obj(&w);
    jw_obj_end(&w);
    jw_null(&w);
    jw_bool(&w, 1);
    jw_bool(&w, 0);
    jw_arr_end(&w);
    jw_kstr(&w, "c", NULL);
    jw_key(&w, "d");
    jw_raw(&w, "{\"x\":[1,2]}", 11);
    jw_kstr(&w, "e", "");
    jw_obj_end(&w);
    assert_string_equal(sb.buf,
                        "{\"a\":1,\"b\":[-2,[],{},null,true,false],\"c\":null,\"d\":{\"x\":[1,2]},"
                        "\"e\":\"\"}");
    /* a second document into the same buffer starts clean */
    strbuf_reset(&sb);
    jw_init(&w, &sb);
    jw_arr(&w);
    jw_int(&w, INT64_MIN);
    jw_int(&w, INT64_MAX);
    jw_arr_end(&w);
    assert_string_equal(sb.buf, "[-9223372036854775808,9223372036854775807]");
    strbuf_release(&sb);
    (void)state;
}

static void test_strings(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    char all[32];
    int i;
    json_quote(&sb, "a\"b\\c/d", 7);
    assert_string_equal(sb.buf, "\"a\\\"b\\\\c/d\"");
    strbuf_reset(&sb);
    for (i = 0; i < 31; i++)
        all[i] = (char)(i + 1);
    json_quote(&sb, all, 31);
    assert_string_equal(sb.buf,
                        "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r"
                        "\\u000E\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                        "\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F\"");
    /* an embedded NUL is a character like the others */
    strbuf_reset(&sb);
    json_quote(&sb, "a\0b", 3);
    assert_string_equal(sb.buf, "\"a\\u0000b\"");
    /* Chinese, 4-byte and DEL pass as they are */
    strbuf_reset(&sb);
    json_quote(&sb, "杭州\xF0\x9F\x98\x80\x7f", 11);
    assert_string_equal(sb.buf, "\"杭州\xF0\x9F\x98\x80\x7f\"");
    /* invalid UTF-8: a lone continuation, a cut sequence, an overlong
     * form, a surrogate: each bad byte is U+FFFD */
    strbuf_reset(&sb);
    json_quote(&sb, "x\x80y\xE6\x9Dz\xC0\xAF\xED\xA0\x80", 11);
    {
        json_error_t e;
        json_t *v = json_loadb(sb.buf, sb.len, JSON_DECODE_ANY, &e);
        assert_non_null(v);
        assert_true(json_is_string(v));
        assert_non_null(strstr(json_string_value(v), "x\xEF\xBF\xBDy"));
        assert_non_null(strstr(json_string_value(v), "z\xEF\xBF\xBD"));
        json_decref(v);
    }
    strbuf_release(&sb);
    (void)state;
}

/* Long strings, mostly escapes or mostly plain, into buffers that already
 * hold text: the writer grows the buffer as it goes. */
static void test_long_strings(void **state)
{
    static const char *const pieces[] = { "\"", "\\", "\x01", "杭", "a", "\n", "\xF0\x9F\x98\x80" };
    size_t sizes[] = { 1, 7, 100, 4096, 100000 }, k, i;
    for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        struct strbuf text = STRBUF_INIT, sb = STRBUF_INIT;
        json_t *ref;
        char *ref_text;
        for (i = 0; text.len < sizes[k]; i++)
            strbuf_addstr(&text, pieces[(i * 7 + k) % 7]);
        strbuf_addstr(&sb, "prefix ");
        json_quote(&sb, text.buf, text.len);
        ref = json_stringn(text.buf, text.len);
        ref_text = json_dumps(ref, DUMP_FLAGS | JSON_ENCODE_ANY);
        assert_non_null(ref_text);
        assert_int_equal(sb.len, 7 + strlen(ref_text));
        assert_memory_equal(sb.buf, "prefix ", 7);
        assert_string_equal(sb.buf + 7, ref_text);
        free(ref_text);
        json_decref(ref);
        strbuf_release(&text);
        strbuf_release(&sb);
    }
    (void)state;
}

/* jw_real against jansson's own text for the same value. */
static void check_real(double d)
{
    struct strbuf sb = STRBUF_INIT;
    struct jsonw w;
    json_t *v = json_real(d);
    char *ref = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    jw_init(&w, &sb);
    jw_real(&w, d);
    if (!ref || strcmp(sb.buf, ref) != 0)
        fail_msg("%.17g: jsonw '%s', jansson '%s'", d, sb.buf, ref ? ref : "(null)");
    free(ref);
    json_decref(v);
    strbuf_release(&sb);
}

static void test_reals(void **state)
{
    static const double fixed[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 7086.24135, 1e15, 1e16,
                                    1e17, 1e21, 1e22, 123456789012345678.0, 1e-5, 1e-7,
                                    2.5e-300, 1.7976931348623157e308, 4.9e-324, 100.0, 72.0 };
    struct strbuf sb = STRBUF_INIT;
    struct jsonw w;
    size_t i;
    uint64_t x = 88172645463325252ull;
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_real(fixed[i]);
    for (i = 0; i < 100000; i++) {
        double d;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (i % 3) {
        case 0: /* any bit pattern */
            memcpy(&d, &x, sizeof(d));
            if (!isfinite(d))
                continue;
            break;
        case 1: /* scores and confidences: a few decimals */
            d = (double)(x % 1000000) / 1000.0;
            break;
        default: /* integers as reals */
            d = (double)(int64_t)(x % 100000000000ull) - 5e10;
            break;
        }
        check_real(d);
    }
    jw_init(&w, &sb);
    jw_arr(&w);
    jw_real(&w, NAN);
    jw_real(&w, INFINITY);
    jw_real(&w, -INFINITY);
    jw_arr_end(&w);
    assert_string_equal(sb.buf, "[null,null,null]");
    strbuf_release(&sb);
    (void)state;
}

/* A random document written both ways: jsonw directly, and as a jansson
 * tree dumped; the texts must parse to equal values. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_text(char *buf, size_t *len)
{
    static const char *const pieces[] = { "a", "\"", "\\", "\n", "\x01", "杭州", "\xE2\x80\xA8",
                                          " ", "\xF0\x9F\x98\x80", "/", "\x1f", "z" };
    size_t n = next() % 8, i;
    *len = 0;
    for (i = 0; i < n; i++) {
        const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
        memcpy(buf + *len, p, strlen(p));
        *len += strlen(p);
    }
    buf[*len] = '\0';
}

static json_t *random_value(struct jsonw *w, int depth)
{
    char text[64];
    size_t len, i, n;
    json_t *v;
    switch (depth > 4 ? next() % 4 : next() % 6) {
    case 0:
        random_text(text, &len);
        jw_strn(w, text, len);
        return json_stringn(text, len);
    case 1: {
        int64_t k = (int64_t)(next() % 2000001) - 1000000;
        jw_int(w, k);
        return json_integer(k);
    }
    case 2: {
        /* exact in 15 digits, so that the parsed value is equal */
        double d = (double)(next() % 100000) / 8.0;
        jw_real(w, d);
        return json_real(d);
    }
    case 3:
        jw_null(w);
        return json_null();
    case 4:
        n = next() % 5;
        jw_arr(w);
        v = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(v, random_value(w, depth + 1));
        jw_arr_end(w);
        return v;
    default:
        n = next() % 5;
        jw_obj(w);
        v = json_object();
        for (i = 0; i < n; i++) {
            char key[16];
            snprintf(key, sizeof(key), "k%zu", i);
            jw_key(w, key);
            json_object_set_new(v, key, random_value(w, depth + 1));
        }
        jw_obj_end(w);
        return v;
    }
}

static void test_random_documents(void **state)
{
    int i;
    for (i = 0; i < 2000; i++) {
        struct strbuf sb = STRBUF_INIT;
        struct jsonw w;
        json_error_t e;
        json_t *ref, *got;
        char *ref_text;
        jw_init(&w, &sb);
        ref = random_value(&w, 0);
        got = json_loadb(sb.buf, sb.len, JSON_DECODE_ANY, &e);
        if (!got)
            fail_msg("document %d does not parse (%s): %s", i, e.text, sb.buf);
        assert_true(json_equal(ref, got));
        /* and byte for byte as jansson writes it */
        ref_text = json_dumps(ref, DUMP_FLAGS | JSON_ENCODE_ANY);
        assert_non_null(ref_text);
        if (strcmp(ref_text, sb.buf) != 0)
            fail_msg("document %d: jsonw '%s', jansson '%s'", i, sb.buf, ref_text);
        free(ref_text);
        json_decref(ref);
        json_decref(got);
        strbuf_release(&sb);
    }
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_reals),
        cmocka_unit_test(test_random_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
