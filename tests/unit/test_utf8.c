/*
 * test_utf8.c - UTF-8 validation and the two normal forms (base/utf8.c).
 *
 * Includes the .c to reach the slow paths, so that the fast paths can be
 * checked against utf8proc on every code point they claim to handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/utf8.c"

static char *clean(const char *s)
{
    static char buf[1024];
    struct strbuf sb = STRBUF_INIT;
    if (utf8_clean(s, strlen(s), &sb) < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    snprintf(buf, sizeof(buf), "%s", sb.buf);
    strbuf_release(&sb);
    return buf;
}

static char *key(const char *s)
{
    static char buf[1024];
    struct strbuf sb = STRBUF_INIT;
    if (utf8_name_key(s, strlen(s), &sb) < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    snprintf(buf, sizeof(buf), "%s", sb.buf);
    strbuf_release(&sb);
    return buf;
}

static void test_valid(void **state)
{
    static const char *const good[] = {
        "", "abc", "杭州", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF",
        "\xEE\x80\x80", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xEF\xBF\xBE",
    };
    static const char *const bad[] = {
        "\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF",
        "\xED\xA0\x80", "\xED\xBF\xBF", "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xFE", "\xC3\x28", "\xE6\x9D",
        "\xE6\x9D\x2C", "abc\xE6",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(utf8_valid(good[i], strlen(good[i])));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(utf8_valid(bad[i], strlen(bad[i])));
    /* NUL is a valid character */
    assert_true(utf8_valid("a\0b", 3));
}

static void test_check(void **state)
{
    int tr;
    (void)state;
    assert_int_equal(utf8_check("abc", 3, &tr), 3);
    assert_int_equal(tr, 0);
    /* 杭 is E6 9D AD: cut after one or two bytes */
    assert_int_equal(utf8_check("ab\xE6\x9D", 4, &tr), 2);
    assert_int_equal(tr, 1);
    assert_int_equal(utf8_check("ab\xE6", 3, &tr), 2);
    assert_int_equal(tr, 1);
    assert_int_equal(utf8_check("ab\xF0\x9F\x98", 5, &tr), 2);
    assert_int_equal(tr, 1);
    /* invalid, not merely cut */
    assert_int_equal(utf8_check("ab\xE6\x28", 4, &tr), 2);
    assert_int_equal(tr, 0);
    assert_int_equal(utf8_check("ab\xED\xA0", 4, &tr), 2);
    assert_int_equal(tr, 0);
    assert_int_equal(utf8_check("ab\xC0", 3, &tr), 2);
    assert_int_equal(tr, 0);
    /* long ASCII runs and CJK runs take the fast loops */
    assert_int_equal(utf8_check("0123456789abcdef杭州西湖区0123456789\x80", 42, NULL), 41);
    assert_int_equal(utf8_check("杭州西湖区杭州西湖区\xE6\x9D", 32, &tr), 30);
    assert_int_equal(tr, 1);
}

static void test_decode_length(void **state)
{
    int32_t cp;
    (void)state;
    assert_int_equal(utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_decode("杭", 3, &cp), 3);
    assert_int_equal(cp, 0x676D);
    assert_int_equal(utf8_decode("\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(utf8_decode("\xF0\x9F\x98", 3, &cp), 0);
    assert_int_equal(utf8_decode("\xC0\x80", 2, &cp), 0);
    assert_int_equal(utf8_decode("", 0, &cp), 0);
    assert_int_equal(utf8_length("", 0), 0);
    assert_int_equal(utf8_length("abc", 3), 3);
    assert_int_equal(utf8_length("杭州ab", 8), 4);
    assert_int_equal(utf8_length("\xF0\x9F\x98\x80x", 5), 2);
}

static void test_clean(void **state)
{
    (void)state;
    assert_string_equal(clean(""), "");
    assert_string_equal(clean("   "), "");
    assert_string_equal(clean("  杭州 云栖（智算）科技有限公司 "), "杭州 云栖（智算）科技有限公司");
    /* full width folded, except the brackets （） and ！，：；？; CJK punctuation kept */
    assert_string_equal(clean("ＡＢＣ（杭州）１２３，ｘ"), "ABC（杭州）123，x");
    assert_string_equal(clean("技术开发，技术服务；软件：是！否？"), "技术开发，技术服务；软件：是！否？");
    assert_string_equal(clean("１．５％＋＃＠＂＇－／＜＝＞＼＾＿｀｜"), "1.5%+#@\"'-/<=>\\^_`|");
    assert_string_equal(clean("技术开发、技术服务。《著作》【品牌】"),
                        "技术开发、技术服务。《著作》【品牌】");
    assert_string_equal(clean("［Ａ］＆｛ｂ｝～"), "[A]&{b}~");
    /* white space: runs to one space, U+3000 and NBSP included, trimmed */
    assert_string_equal(clean("\t杭州\u3000\u3000西湖 \r\n区\xC2\xA0"), "杭州 西湖 区");
    assert_string_equal(clean("a\u2003b\u2028c"), "a b c");
    /* controls and invisible format characters dropped */
    assert_string_equal(clean("a\x01" "b\x7F" "c\xE2\x80\x8B" "d\xEF\xBB\xBF" "e"), "abcde");
    assert_string_equal(clean("\xE2\x80\xAE" "abc\xE2\x80\xAC"), "abc");
    /* NFC */
    assert_string_equal(clean("Cafe\xCC\x81"), "Caf\xC3\xA9");
    assert_string_equal(clean("e\x01\xCC\x81"), "\xC3\xA9");
    /* compatibility characters outside the full-width range stay */
    assert_string_equal(clean("ﬁ ①"), "ﬁ ①");
    assert_string_equal(clean("ｶﾀｶﾅ"), "ｶﾀｶﾅ");
    /* invalid UTF-8: -1 and the buffer as it was */
    {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, "keep");
        assert_int_equal(utf8_clean("ab\xC3\x28", 4, &sb), -1);
        assert_string_equal(sb.buf, "keep");
        assert_int_equal(utf8_clean("杭州ＡＢＣ\xFF", 13, &sb), -1);
        assert_string_equal(sb.buf, "keep");
        assert_int_equal(utf8_clean("é\xFF", 3, &sb), -1);
        assert_string_equal(sb.buf, "keep");
        /* appends */
        assert_int_equal(utf8_clean(" x", 2, &sb), 0);
        assert_string_equal(sb.buf, "keepx");
        strbuf_release(&sb);
    }
}

static void test_name_key(void **state)
{
    (void)state;
    assert_string_equal(key("杭州 云栖（智算）科技有限公司"), "杭州云栖(智算)科技有限公司");
    assert_string_equal(key("杭州云栖(智算)科技有限公司"), "杭州云栖(智算)科技有限公司");
    assert_string_equal(key("杭州云栖【智算】科技〔有限〕公司［x］"), "杭州云栖(智算)科技(有限)公司(x)");
    assert_string_equal(key("Alibaba (China) Co., Ltd."), "alibaba(china)coltd");
    assert_string_equal(key("ＡＬＩＢＡＢＡ（中国）"), "alibaba(中国)");
    assert_string_equal(key("约翰·史密斯•咨询・公司"), "约翰史密斯咨询公司");
    assert_string_equal(key("技术，开发、服务。"), "技术开发服务");
    assert_string_equal(key("“小巨人”\"科技\"'x'「y」"), "小巨人科技xy");
    assert_string_equal(key("\u3000杭州\t西湖\n"), "杭州西湖");
    /* NFKC and full case folding on the slow path */
    assert_string_equal(key("Straße ﬁ"), "strassefi");
    assert_string_equal(key("①号"), "1号");
    assert_string_equal(key("ÉCOLE"), "école");
    assert_string_equal(key("soft\xC2\xAD" "hyphen"), "softhyphen");
    assert_string_equal(key("⑴"), "(1)");
    /* symbols that are not punctuation stay */
    assert_string_equal(key("A&B-C+D"), "a&b-c+d");
    assert_null(key("\xE6\x9D"));
}

/* The fast paths must give exactly what the slow paths give. */
static void test_fast_matches_slow(void **state)
{
    static const int32_t ranges[][2] = {
        { 0x01, 0x7F }, { 0xB7, 0xB7 }, { 0x2014, 0x2026 }, { 0x3000, 0x303F },
        { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xFF00, 0xFF65 },
    };
    static const char *const frames[][2] = { { "", "" }, { "a", "b" }, { " x ", " " },
                                               { "杭", "州" } };
    size_t r, f;
    (void)state;
    for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
        int32_t cp;
        for (cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            for (f = 0; f < sizeof(frames) / sizeof(frames[0]); f++) {
                char in[32];
                struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
                size_t n = strlen(frames[f][0]);
                memcpy(in, frames[f][0], n);
                n += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)in + n);
                memcpy(in + n, frames[f][1], strlen(frames[f][1]));
                n += strlen(frames[f][1]);

                assert_int_equal(utf8_clean(in, n, &a), 0);
                assert_int_equal(clean_slow(in, n, &b), 0);
                if (strcmp(a.buf, b.buf) != 0)
                    fail_msg("utf8_clean U+%04X: fast '%s' slow '%s'", (unsigned)cp, a.buf, b.buf);
                strbuf_reset(&a);
                strbuf_reset(&b);
                assert_int_equal(utf8_name_key(in, n, &a), 0);
                assert_int_equal(name_key_slow(in, n, &b), 0);
                if (strcmp(a.buf, b.buf) != 0)
                    fail_msg("utf8_name_key U+%04X: fast '%s' slow '%s'", (unsigned)cp, a.buf,
                             b.buf);
                strbuf_release(&a);
                strbuf_release(&b);
            }
        }
    }
}

/* Long input takes the heap buffer of the slow path. */
static void test_long_input(void **state)
{
    struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
    size_t i;
    (void)state;
    for (i = 0; i < 2000; i++)
        strbuf_addstr(&in, "Cafe\xCC\x81 ");
    assert_int_equal(utf8_clean(in.buf, in.len, &out), 0);
    assert_int_equal(out.len, 2000 * 6 - 1);
    strbuf_reset(&out);
    assert_int_equal(utf8_name_key(in.buf, in.len, &out), 0);
    assert_int_equal(out.len, 2000 * 5);
    strbuf_release(&in);
    strbuf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_decode_length),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_name_key),
        cmocka_unit_test(test_fast_matches_slow),
        cmocka_unit_test(test_long_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
