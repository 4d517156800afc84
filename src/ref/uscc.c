/*
 * uscc.c - the unified social credit code (see uscc.h).
 *
 * A code arrives from spreadsheets typed, pasted and exported: with spaces
 * around it, in full-width characters from a Chinese input method, in lower
 * case. Those are harmless and folded away; anything else is an error that
 * says which character is wrong, because the person fixing the sheet needs
 * to find it among 18 look-alike characters.
 */
#include "ref/uscc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ref/text.h"

/* The 31 characters of GB 32100-2015, in value order: I O S V Z are left out
 * because they look like 1 0 5 U 2. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int char_value(char c)
{
    const char *p;
    if (c == '\0')
        return -1;
    p = strchr(uscc_alphabet, c);
    return p ? (int)(p - uscc_alphabet) : -1;
}

char uscc_check_char(const char *first17)
{
    int i, v, weight = 1, sum = 0;

    for (i = 0; i < USCC_LEN - 1; i++) {
        v = char_value(first17[i]);
        if (v < 0)
            return '\0';
        sum += v * weight;  /* weights are 3^i mod 31 */
        weight = weight * 3 % 31;
    }
    return uscc_alphabet[(31 - sum % 31) % 31];
}

/* Describe one input character for a message: itself when printable,
 * otherwise its code point or byte. */
static void describe(const char *s, size_t len, int32_t cp, char *buf, size_t cap)
{
    if (cp < 0)
        snprintf(buf, cap, "byte 0x%02X", (unsigned)(unsigned char)s[0]);
    else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        snprintf(buf, cap, "U+%04X", (unsigned)cp);
    else
        snprintf(buf, cap, "'%.*s'", (int)len, s);
}

/* Characters that are invisible but travel with codes copied from web pages
 * and Word: zero-width spaces and joiners, the word joiner, a stray BOM. */
static int is_invisible(int32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD;
}

/* A code Excel stored as a number has lost digits ("9.13301E+17",
 * "913301061234567000"): say so, rather than count characters. */
static int looks_like_excel_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0, exp_digits = 0;
    int dot = 0, exp = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        dot = 1;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        exp = 1;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            exp_digits++;
        if (!exp_digits)
            return 0; /* "…363E": a code ending in E, not an exponent */
    }
    return i == n && digits >= 6 && (dot || exp);
}

static int uscc_check_form(const char *in, size_t len, char out[USCC_LEN + 1], struct error *err);

int uscc_normalize(const char *in, size_t len, char out[USCC_LEN + 1], struct error *err)
{
    char clean[4 * USCC_LEN + 16];
    size_t i, k = 0;
    int32_t cp;

    out[0] = '\0';
    if (!in)
        len = 0;
    /* Drop invisible characters first (short inputs only: a real code is 18
     * characters, so anything long is rejected on its length anyway). */
    if (len < sizeof(clean)) {
        for (i = 0; i < len;) {
            size_t l = ref_utf8_next(in + i, len - i, &cp);
            if (!is_invisible(cp)) {
                memcpy(clean + k, in + i, l);
                k += l;
            }
            i += l;
        }
        in = clean;
        len = k;
    }
    if (uscc_check_form(in, len, out, err) == 0)
        return 0;
    /* Only an input that is not a valid code gets the Excel explanation: a
     * real code such as "9133010656358136E5" must never be refused as one. */
    if (looks_like_excel_number(in, len))
        return error_set(err, "'%.*s' is a number: Excel stored the code as a number and lost its "
                              "last digits; format the column as text (文本) and enter the codes "
                              "again", (int)len, in);
    return -1;
}

/* The form and the check character of the (invisible-free) input. */
static int uscc_check_form(const char *in, size_t len, char out[USCC_LEN + 1], struct error *err)
{
    size_t start = 0, end, i, chars = 0;
    int32_t cp;

    /* trim: find the first and one past the last non-space character */
    while (start < len) {
        size_t l = ref_utf8_next(in + start, len - start, &cp);
        if (!ref_is_space(cp))
            break;
        start += l;
    }
    end = start;
    for (i = start; i < len;) {
        size_t l = ref_utf8_next(in + i, len - i, &cp);
        i += l;
        if (!ref_is_space(cp))
            end = i;
    }
    for (i = start; i < end; chars++)
        i += ref_utf8_next(in + i, end - i, &cp);
    if (chars == 0)
        return error_set(err, "is empty");
    if (chars != USCC_LEN)
        return error_set(err, "has %zu characters, expected %d", chars, USCC_LEN);

    for (i = start, chars = 0; i < end; chars++) {
        size_t l = ref_utf8_next(in + i, end - i, &cp);
        int32_t c = cp;
        if (c >= 0xFF01 && c <= 0xFF5E)  /* full-width ASCII */
            c -= 0xFEE0;
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        if (c <= 0 || c >= 0x80 || char_value((char)c) < 0) {
            char what[32];
            describe(in + i, l, cp, what, sizeof(what));
            out[0] = '\0';
            if (c == 'I' || c == 'O' || c == 'S' || c == 'V' || c == 'Z')
                return error_set(err, "character %zu %s is not allowed (no I, O, S, V or Z)",
                                 chars + 1, what);
            return error_set(err, "character %zu %s is not allowed", chars + 1, what);
        }
        out[chars] = (char)c;
        i += l;
    }
    out[USCC_LEN] = '\0';
    /* the registering authority's region is a GB/T 2260 code: digits */
    for (i = 2; i < 8; i++) {
        if (out[i] < '0' || out[i] > '9') {
            char c = out[i];
            out[0] = '\0';
            return error_set(err,
                             "character %zu '%c' is not allowed in the region code "
                             "(characters 3-8 are digits)",
                             i + 1, c);
        }
    }
    {
        char want = uscc_check_char(out);
        if (out[USCC_LEN - 1] != want) {
            char got = out[USCC_LEN - 1];
            out[0] = '\0';
            return error_set(err, "check character is '%c', expected '%c'", got, want);
        }
    }
    return 0;
}

void uscc_split(const char *uscc, struct uscc_parts *out)
{
    out->authority = uscc[0];
    out->type = uscc[1];
    memcpy(out->region, uscc + 2, 6);
    out->region[6] = '\0';
    memcpy(out->org, uscc + 8, 9);
    out->org[9] = '\0';
    out->check = uscc[17];
}
