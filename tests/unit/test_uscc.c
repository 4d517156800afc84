/*
 * test_uscc.c - the unified social credit code (ref/uscc.c).
 *
 * The published vectors, codes generated here with every check character
 * (including '0', which a check "digit" mindset tends to reject), the
 * forms spreadsheets deliver (full-width, lower case, padded), and the
 * wording of each error, since a person has to act on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/uscc.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int normalize(const char *in, char out[USCC_LEN + 1], struct error *err)
{
    error_clear(err);
    return uscc_normalize(in, strlen(in), out, err);
}

static void expect_ok(const char *in, const char *want)
{
    char out[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    if (normalize(in, out, &err) != 0)
        fail_msg("'%s' rejected: %s", in, err.msg);
    assert_string_equal(out, want);
    assert_string_equal(err.msg, "");
}

static void expect_error(const char *in, const char *msg)
{
    char out[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    if (normalize(in, out, &err) == 0)
        fail_msg("'%s' accepted as %s", in, out);
    if (strcmp(err.msg, msg) != 0)
        fail_msg("'%s': message \"%s\", expected \"%s\"", in, err.msg, msg);
}

static void test_published_vectors(void **state)
{
    (void)state;
    expect_ok("91110000600037341L", "91110000600037341L");
    expect_ok("91350100M000100Y43", "91350100M000100Y43");
    expect_error("91110000600037342L", "check character is 'L', expected 'P'");
    expect_error("91350100M000100Y4A", "check character is 'A', expected '3'");
    /* 'A' is in the alphabet (and an authority code), so this one fails on
     * its check character */
    expect_error("A1110000600037341L", "check character is 'L', expected 'K'");
    assert_int_equal(uscc_check_char("91110000600037341"), 'L');
    assert_int_equal(uscc_check_char("91350100M000100Y4"), '3');
}

/* The check character formula, written out the slow way. */
static char reference_check(const char *s)
{
    long sum = 0, w = 1;
    int i;
    for (i = 0; i < 17; i++) {
        sum += (long)(strchr(alphabet, s[i]) - alphabet) * w;
        w = w * 3 % 31;
    }
    return alphabet[(31 - sum % 31) % 31];
}

static void random_code(char code[USCC_LEN + 1], unsigned *seed)
{
    int i;
    code[0] = "159"[rand_r(seed) % 3];
    code[1] = "123"[rand_r(seed) % 3];
    for (i = 2; i < 8; i++)
        code[i] = (char)('0' + rand_r(seed) % 10);
    for (i = 8; i < 17; i++)
        code[i] = alphabet[rand_r(seed) % 31];
    code[17] = uscc_check_char(code);
    code[18] = '\0';
}

/* Codes generated with every check character, '0' among them, are
 * accepted; every single-character change is caught (the weights are all
 * non-zero modulo the prime 31). */
static void test_generated_codes(void **state)
{
    unsigned seed = 20240601;
    int seen[31] = { 0 }, i, pos, k, zero = 0;
    char code[USCC_LEN + 1], out[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    (void)state;

    for (i = 0; i < 20000; i++) {
        random_code(code, &seed);
        assert_int_equal(code[17], reference_check(code));
        seen[strchr(alphabet, code[17]) - alphabet]++;
        if (normalize(code, out, &err) != 0)
            fail_msg("generated %s rejected: %s", code, err.msg);
        assert_string_equal(out, code);
        if (code[17] == '0')
            zero++;
        if (i % 50 == 0) {
            pos = rand_r(&seed) % 17;
            for (k = 0; k < 31; k++) {
                char bad[USCC_LEN + 1];
                memcpy(bad, code, sizeof(bad));
                if (alphabet[k] == code[pos])
                    continue;
                if (pos >= 2 && pos < 8 && (alphabet[k] < '0' || alphabet[k] > '9'))
                    continue;  /* refused for another reason */
                bad[pos] = alphabet[k];
                assert_int_equal(normalize(bad, out, &err), -1);
                assert_non_null(strstr(err.msg, "check character"));
            }
        }
    }
    for (k = 0; k < 31; k++)
        assert_true(seen[k] > 0);
    assert_true(zero > 100);
}

/* A fixed code that ends in 0, built by trying org codes. */
static void test_check_char_zero(void **state)
{
    char code[USCC_LEN + 1] = "91330106MA2XXXXX0";
    int k;
    (void)state;

    for (k = 0; k < 31; k++) {
        code[16] = alphabet[k];
        if (uscc_check_char(code) == '0')
            break;
    }
    assert_true(k < 31);
    code[17] = '0';
    code[18] = '\0';
    expect_ok(code, code);
}

static void test_input_forms(void **state)
{
    (void)state;
    expect_ok("  91110000600037341L  ", "91110000600037341L");
    expect_ok("\t91110000600037341L\r\n", "91110000600037341L");
    expect_ok("91110000600037341l", "91110000600037341L");
    expect_ok("91350100m000100y43", "91350100M000100Y43");
    /* full-width digits and letters, as typed with a Chinese input method */
    expect_ok("９１１１００００６０００３７３４１Ｌ", "91110000600037341L");
    expect_ok("９１３５０１００ｍ０００１００ｙ４３", "91350100M000100Y43");
    /* the ideographic space around it */
    expect_ok("\xE3\x80\x80" "91110000600037341L" "\xE3\x80\x80", "91110000600037341L");
    expect_ok("\xC2\xA0" "91110000600037341L", "91110000600037341L");
}

static void test_errors(void **state)
{
    char out[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    (void)state;

    expect_error("", "is empty");
    expect_error("   ", "is empty");
    expect_error("9111000060003734", "has 16 characters, expected 18");
    expect_error("91110000600037341", "has 17 characters, expected 18");
    expect_error("91110000600037341L0", "has 19 characters, expected 18");
    expect_error("9111 0000600037341L", "has 19 characters, expected 18");
    expect_error("91I10000600037341L",
                 "character 3 'I' is not allowed (no I, O, S, V or Z)");
    expect_error("9111000060003734OL",
                 "character 17 'O' is not allowed (no I, O, S, V or Z)");
    expect_error("91110000600037341Z",
                 "character 18 'Z' is not allowed (no I, O, S, V or Z)");
    expect_error("9111000060003734-L", "character 17 '-' is not allowed");
    expect_error("9111000060003734名L", "character 17 '名' is not allowed");
    expect_error("\xFF" "1110000600037341L", "character 1 byte 0xFF is not allowed");
    expect_error("9\x01" "110000600037341L", "character 2 U+0001 is not allowed");
    expect_error("911A0000600037341L",
                 "character 4 'A' is not allowed in the region code (characters 3-8 are digits)");
    /* out is emptied on failure */
    memcpy(out, "xxxxxxxxxxxxxxxxxx", sizeof(out));
    assert_int_equal(normalize("123", out, &err), -1);
    assert_string_equal(out, "");
    /* a NUL inside the given length is a character like any other */
    assert_int_equal(uscc_normalize("9111000060003734\0L", 18, out, &err), -1);
    assert_string_equal(err.msg, "character 17 U+0000 is not allowed");
    /* the length is honoured: the rest of the string is not read */
    assert_int_equal(uscc_normalize("91110000600037341Lxyz", 18, out, &err), 0);
    assert_string_equal(out, "91110000600037341L");
    assert_int_equal(uscc_normalize(NULL, 0, out, &err), -1);
    /* a NULL error is allowed */
    assert_int_equal(uscc_normalize("1", 1, out, NULL), -1);
}

static void test_check_char_edges(void **state)
{
    (void)state;
    assert_int_equal(uscc_check_char("9111000060003734"), '\0');   /* 16: stops at NUL */
    assert_int_equal(uscc_check_char("91110000600037I41"), '\0');
    assert_int_equal(uscc_check_char("91110000600037a41"), '\0');  /* raw: no folding */
    assert_int_equal(uscc_check_char(""), '\0');
}

static void test_split(void **state)
{
    struct uscc_parts p;
    (void)state;

    uscc_split("91330106MA2AXXXX0X", &p);
    assert_int_equal(p.authority, '9');
    assert_int_equal(p.type, '1');
    assert_string_equal(p.region, "330106");
    assert_string_equal(p.org, "MA2AXXXX0");
    assert_int_equal(p.check, 'X');
}

/* Codes pasted from web pages carry invisible characters; codes Excel kept
 * as numbers have lost digits and must be explained, but a real code that
 * happens to end in "E" plus digits is still a code. */
static void test_invisible_and_excel_numbers(void **state)
{
    char out[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    (void)state;
    static const char pasted[] = "\xE2\x80\x8B" "91110000600037341L" "\xEF\xBB\xBF";
    assert_int_equal(uscc_normalize(pasted, strlen(pasted), out, &err), 0);
    assert_string_equal(out, "91110000600037341L");
    assert_int_equal(uscc_normalize("9.13301061234568e+17", 20, out, &err), -1);
    assert_non_null(strstr(err.msg, "Excel stored the code as a number"));
    assert_int_equal(uscc_normalize("913301061234567000.0", 20, out, &err), -1);
    assert_non_null(strstr(err.msg, "number"));
    /* ends in E: not an exponent; reported on its own terms */
    assert_int_equal(uscc_normalize("91141002563581363F", 18, out, &err), -1);
    assert_null(strstr(err.msg, "Excel"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_generated_codes),
        cmocka_unit_test(test_check_char_zero),
        cmocka_unit_test(test_input_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_check_char_edges),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_invisible_and_excel_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
