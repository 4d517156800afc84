/*
 * fold.c - the width, case and space folding keywords and enterprise text
 * are compared under (see fold.h). It runs over every name and scope of a
 * bulk classification, so it is one pass over bytes with a fast path for
 * ASCII and the three-byte characters of CJK text.
 */
#include "chain/fold.h"

#include <string.h>

/* Bytes the fold may change: controls, white space, ASCII upper case, DEL,
 * and the lead bytes of U+3000 (E3) and of U+FF01-FF5E (EF). Everything else
 * (all of CJK, whose lead bytes are E4-E9) is copied in runs. */
static inline int special(unsigned char c)
{
    return c <= 0x20 || (unsigned char)(c - 'A') < 26 || c == 0x7F || c == 0xE3 || c == 0xEF;
}

size_t chain_fold(const char *s, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;
    int space = 0;  /* the last byte written is a space from a run of white space */

    while (i < len) {
        size_t j = i;
        unsigned char c;
        while (j < len && !special(p[j]))
            j++;
        if (j > i) {
            memcpy(out + n, p + i, j - i);
            n += j - i;
            space = 0;
            i = j;
            if (i == len)
                break;
        }
        c = p[i];
        if (c <= 0x20 || c == 0x7F) {
            if (!space)
                out[n++] = ' ';
            space = 1;
            i++;
        } else if (c < 0x80) {
            out[n++] = (char)(c + ('a' - 'A'));
            space = 0;
            i++;
        } else if (c == 0xE3 && i + 2 < len && p[i + 1] == 0x80 && p[i + 2] == 0x80) {
            /* U+3000 ideographic space */
            if (!space)
                out[n++] = ' ';
            space = 1;
            i += 3;
        } else {
            /* U+FF01-FF3F is EF BC 81-BF, U+FF40-FF5E is EF BD 80-9E. */
            int cp = -1;
            if (c == 0xEF && i + 2 < len) {
                unsigned char b1 = p[i + 1], b2 = p[i + 2];
                if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF)
                    cp = 0x21 + (b2 - 0x81);
                else if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E)
                    cp = 0x60 + (b2 - 0x80);
            }
            space = 0;
            if (cp >= 0) {
                out[n++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
                i += 3;
            } else {
                out[n++] = (char)c;  /* another E3 or EF character: its bytes follow */
                i++;
            }
        }
    }
    return n;
}
