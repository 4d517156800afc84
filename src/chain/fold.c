/*
 * fold.c - the width, case and space folding keywords and enterprise text
 * are compared under (see fold.h). It runs over every name and scope of a
 * bulk classification, so it is one pass over bytes with a fast path for
 * ASCII and the three-byte characters of CJK text.
 */
#include "chain/fold.h"

size_t chain_fold(const char *s, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;
    int space = 0;  /* inside a run of white space */

    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            if (c <= 0x20 || c == 0x7F) {
                if (!space)
                    out[n++] = ' ';
                space = 1;
                continue;
            }
            space = 0;
            out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            continue;
        }
        if (c == 0xEF && i + 2 < len) {
            /* U+FF01-FF3F is EF BC 81-BF, U+FF40-FF5E is EF BD 80-9E. */
            unsigned char b1 = p[i + 1], b2 = p[i + 2];
            int cp = -1;
            if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF)
                cp = 0x21 + (b2 - 0x81);
            else if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E)
                cp = 0x60 + (b2 - 0x80);
            if (cp >= 0) {
                space = 0;
                out[n++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
                i += 3;
                continue;
            }
        } else if (c == 0xE3 && i + 2 < len && p[i + 1] == 0x80 && p[i + 2] == 0x80) {
            /* U+3000 ideographic space */
            if (!space)
                out[n++] = ' ';
            space = 1;
            i += 3;
            continue;
        }
        space = 0;
        out[n++] = (char)c;
        i++;
    }
    return n;
}
