/*
 * test_import.c - the importer's own structures (registry/import.c): the
 * street search in addresses and the set of USCCs seen in a file. The
 * import itself is tested end to end (tests/e2e/cases/1xxx).
 *
 * Includes the .c to reach the statics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "registry/import.c"

/* What street_in_address() must return: the longest street name of the
 * county in the address, the first such in table order, found by strstr. */
static const struct region *street_naive(const struct region *county, const char *address)
{
    const struct street_list *l;
    const struct region *best = NULL;
    size_t i, best_len = 0;
    pthread_once(&streets_once, streets_build);
    l = hashmap_get(&streets_by_county, county->code, strlen(county->code));
    for (i = 0; l && i < l->n; i++) {
        const struct region *r = l->streets[i].r;
        size_t len = strlen(r->name);
        assert_ptr_equal(r->parent, county);
        if (len > best_len && strstr(address, r->name)) {
            best = r;
            best_len = len;
        }
    }
    return best;
}

/* Every street of every county, alone, inside an address, after another
 * street's name, and cut short: the fast search agrees with the plain one. */
static void test_street_in_address(void **state)
{
    size_t i, n = region_count(), checked = 0;
    char addr[1024];
    const struct region *prev = NULL;
    for (i = 0; i < n; i++) {
        const struct region *r = region_at(i);
        const struct region *county = r->parent;
        size_t len;
        if (r->level != REGION_STREET || !county)
            continue;
        len = strlen(r->name);
        snprintf(addr, sizeof(addr), "%s%s文三路90号", county->full_name, r->name);
        assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        assert_non_null(street_in_address(county, addr));
        snprintf(addr, sizeof(addr), "%s", r->name);
        assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        if (prev && prev->parent == county) {
            snprintf(addr, sizeof(addr), "%s%s%s88号", county->full_name, prev->name, r->name);
            assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        }
        /* the name without its last character */
        snprintf(addr, sizeof(addr), "%s%.*s路1号", county->name, (int)(len > 3 ? len - 3 : 0),
                 r->name);
        assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        prev = r;
        checked++;
    }
    assert_true(checked > 30000);
    /* more characters than the fast search tracks */
    {
        const struct region *county = region_find_code("330106");
        struct strbuf sb = STRBUF_INIT;
        int k;
        assert_non_null(county);
        for (k = 0; k < 200; k++)
            strbuf_addstr(&sb, "路");
        strbuf_addstr(&sb, "西溪街道");
        assert_ptr_equal(street_in_address(county, sb.buf), street_naive(county, sb.buf));
        assert_non_null(street_in_address(county, sb.buf));
        strbuf_release(&sb);
    }
}

static void test_uscc_set(void **state)
{
    struct uscc_set set;
    char code[USCC_LEN + 1];
    size_t i;
    memset(&set, 0, sizeof(set));
    assert_int_equal(uscc_set_put(&set, "91330106MA2AXK0C3Q", 2), 0);
    assert_int_equal(uscc_set_put(&set, "91330106MA2B7LQ526", 3), 0);
    assert_int_equal(uscc_set_put(&set, "91330106MA2AXK0C3Q", 9), 2);
    /* the first row stays the one named */
    assert_int_equal(uscc_set_put(&set, "91330106MA2AXK0C3Q", 12), 2);
    /* codes that differ in one character only, across growth */
    for (i = 0; i < 100000; i++) {
        snprintf(code, sizeof(code), "9133%014zu", i);
        assert_int_equal(uscc_set_put(&set, code, 100 + i), 0);
    }
    for (i = 0; i < 100000; i += 997) {
        snprintf(code, sizeof(code), "9133%014zu", i);
        assert_int_equal(uscc_set_put(&set, code, 1), 100 + i);
    }
    assert_int_equal(uscc_set_put(&set, "YYYYYYYYYYYYYYYYYY", 5), 0);
    assert_int_equal(uscc_set_put(&set, "000000000000000000", 6), 0);
    assert_int_equal(uscc_set_put(&set, "YYYYYYYYYYYYYYYYYY", 7), 5);
    assert_int_equal(uscc_set_put(&set, "000000000000000000", 8), 6);
    free(set.slots);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_street_in_address),
        cmocka_unit_test(test_uscc_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
