/*
 * fuzz_ref.c - libFuzzer target for the reference-table parsers: the
 * credit code normaliser, region names and addresses, industry text.
 *
 * The same bytes go to every parser, as a length-delimited buffer where the
 * API takes one and NUL-terminated (cut at the first NUL) where it takes a
 * string. None may crash, read out of bounds or take unbounded time; a few
 * cheap invariants are checked on the way (abort() makes a finding).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ref/industry.h"
#include "ref/region.h"
#include "ref/uscc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char out[USCC_LEN + 1], errbuf[256];
    struct error err = ERROR_INIT;
    const struct region *found[8], *r, *zj;
    const struct industry *ind;
    size_t n, i;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    if (uscc_normalize((const char *)data, size, out, &err) == 0) {
        /* what it accepts is canonical and accepted again unchanged */
        char again[USCC_LEN + 1];
        if (strlen(out) != USCC_LEN || uscc_check_char(out) != out[USCC_LEN - 1] ||
            uscc_normalize(out, USCC_LEN, again, NULL) != 0 || strcmp(again, out) != 0)
            abort();
    } else if (err.msg[0] == '\0') {
        abort();  /* a refusal always says why */
    }
    (void)uscc_check_char(s);  /* stops at the NUL */

    n = region_find_name(s, NULL, 0, found, 8);
    for (i = 0; i < n && i < 8; i++)
        if (!found[i] || !found[i]->full_name)
            abort();
    zj = region_find_code("33");
    n = region_find_name(s, zj, REGION_COUNTY, found, 8);
    for (i = 0; i < n && i < 8; i++)
        if (!region_is_within(found[i], zj) || found[i]->level != REGION_COUNTY)
            abort();
    r = region_from_address(s);
    if (r && region_find_code(r->code) != r)
        abort();
    (void)region_find_code(s);

    errbuf[0] = 'x';
    ind = industry_parse(s, errbuf, sizeof(errbuf));
    if (!ind && errbuf[0] == '\0')
        abort();
    if (ind && industry_find_code(ind->code) != ind)
        abort();
    (void)industry_find_code(s);
    (void)industry_find_name(s, NULL, 0);

    free(s);
    return 0;
}
