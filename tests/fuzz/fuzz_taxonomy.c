/*
 * fuzz_taxonomy.c - libFuzzer target for the .chain loader
 * (chain/taxonomy.c), parsing from memory: as one file, and as a bundle of
 * files. When the bytes load, the taxonomy is checked for what the loader
 * promises (every node has a rule, every term is folded, non-empty and
 * within the matcher's limit, term ids number the terms once) and a
 * classifier is built from it and run over the same bytes as name and
 * scope, which exercises the matcher with patterns nobody would write.
 *
 * A rejection must come with a message that names the place ("fuzz:LINE:"
 * or "fuzz:"), since that message is all a district's editor gets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/classify.h"
#include "chain/match.h"
#include "chain/taxonomy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_term(const struct tax_term *t, unsigned char *seen, size_t nterms)
{
    if (!t->key_len || t->key_len > MATCH_MAX_PATTERN || strlen(t->key) != t->key_len ||
        !*t->text || t->id >= nterms || seen[t->id]++)
        abort();
}

static void check(const struct taxonomy *t, const char *text, size_t len)
{
    unsigned char *seen = calloc(t->nterms + 1, 1);
    struct classifier *c;
    struct classify_scratch *s;
    struct classify_input in = { text, len / 2, text + len / 2, len - len / 2, "6520" };
    struct classify_result r;
    struct error err = ERROR_INIT;
    size_t i, k, placed = 0;

    if (!seen)
        abort();
    for (i = 0; i < t->nnodes; i++) {
        const struct tax_node *n = &t->nodes[i];
        if (!n->ncodes && !n->nkeywords && !n->nname_keywords)
            abort();
        if (n->threshold <= 0 || n->track >= t->ntracks || taxonomy_node(t, n->full_id) != n)
            abort();
        for (k = 0; k < n->nkeywords; k++)
            check_term(&n->keywords[k], seen, t->nterms);
        for (k = 0; k < n->nname_keywords; k++)
            check_term(&n->name_keywords[k], seen, t->nterms);
        for (k = 0; k < n->nexcludes; k++)
            check_term(&n->excludes[k], seen, t->nterms);
    }
    for (i = 0; i < t->nterms; i++)
        if (!seen[i])
            abort();
    free(seen);
    if (classifier_new(t, &c, &err) != 0)
        abort();  /* a loaded taxonomy always builds */
    s = classify_scratch_new(c);
    classify_ent(c, s, &in, &r);
    for (i = 0; i < r.nnodes; i++) {
        if (r.nodes[i].confidence < 0 || r.nodes[i].confidence >= 1 ||
            r.nodes[i].placed != (r.nodes[i].score >= r.nodes[i].node->threshold))
            abort();
        placed += (size_t)r.nodes[i].placed;
        if (i && r.nodes[i].index <= r.nodes[i - 1].index)
            abort();
    }
    if (placed != r.nplaced)
        abort();
    classify_scratch_free(s);
    classifier_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tax_file f = { "fuzz", (const char *)data, size };
    struct taxonomy *t = NULL;
    struct error err = ERROR_INIT;

    if (taxonomy_load_files(&f, 1, NULL, &t, &err) == 0) {
        check(t, (const char *)data, size);
        taxonomy_free(t);
    } else if (strncmp(err.msg, "fuzz:", 5) != 0) {
        fprintf(stderr, "message without its place: %s\n", err.msg);
        abort();
    }
    /* The same bytes as a bundle: the separator lines name the files. */
    if (taxonomy_load_bundle((const char *)data, size, "bundle", &t, &err) == 0) {
        check(t, (const char *)data, size);
        taxonomy_free(t);
    }
    return 0;
}
