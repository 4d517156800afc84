/*
 * textidx.h - the exact substring index over enterprise names and business
 * scopes: which documents contain a pattern, for patterns of any length,
 * one and two Chinese characters included.
 *
 * A document is a uint32 id (the store's row id; 0 is not used) with one
 * text. A pattern P matches document d iff P occurs as a byte substring of
 * chain_fold(text(d)), the same answer as SQL instr(fold(text), P) > 0.
 * P itself is NOT folded here: the caller passes it folded (the query
 * parser does), so an upper-case or full-width pattern matches nothing.
 *
 * Layout (docs/internals/textidx.md): a list of documents per distinct
 * code point (unigram) and per distinct pair of adjacent code points
 * (bigram) of the folded text, Elias-Fano coded, or a roaring bitmap for
 * the frequent ones. One- and two-character patterns are answered by one
 * list, exactly; longer ones by the AND of their bigrams, then verified
 * against the stored text. Invalid UTF-8 bytes count as characters of
 * their own, so the answers stay exact on any bytes.
 *
 * Texts are stored in one of two forms chosen at creation: TEXTIDX_PLAIN,
 * one arena record per document holding the folded text (and what it
 * takes to give the original back) (names), or TEXTIDX_PIECES, each text
 * cut after its separators (；;，,、。) into pieces that are interned in a
 * dictionary, so that a document is a few varint piece ids (business
 * scopes, written from a standard catalogue). PIECES keeps a list per
 * dictionary piece instead of grams inside pieces: a pattern without a
 * separator is answered exactly by OR-ing the lists of the pieces whose
 * folded text contains it (one scan of the folded dictionary); grams
 * cover only text outside the dictionary.
 *
 * Threads: the query functions (candidates, search, verify, contains, get,
 * memory, validate) only read and may run in any number of threads at
 * once. put, build and set change the index and need the caller's
 * exclusive lock.
 */
#ifndef MAGNET_INDEX_TEXTIDX_H
#define MAGNET_INDEX_TEXTIDX_H

#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

#include "base/error.h"
#include "base/strbuf.h"

enum textidx_kind { TEXTIDX_PLAIN, TEXTIDX_PIECES };

struct textidx;

struct textidx *textidx_new(enum textidx_kind kind);
void textidx_free(struct textidx *ti);

/* Bulk phase: record the text of doc (any order). A second put of the same
 * doc replaces its text; a put after textidx_build() is a textidx_set().
 * text may be NULL only with len 0 (an empty text, which is not the same
 * as no text: the empty pattern matches it). */
void textidx_put(struct textidx *ti, uint32_t doc, const char *text, size_t len);

/* Build the posting lists of everything put so far with nthreads threads
 * (1 when < 1). After this the index is searchable. A second call does
 * nothing: later changes go through textidx_set(). */
void textidx_build(struct textidx *ti, int nthreads);

/* After build: replace the text of one doc (or remove it when text is
 * NULL), updating the lists incrementally. Before build it only records
 * the text. */
void textidx_set(struct textidx *ti, uint32_t doc, const char *text, size_t len);

/* A superset of the matching docs, cheap. *exact (may be NULL) is set to 1
 * when the set is exactly the matching set: patterns of one or two
 * characters, and patterns one of whose grams no document has. An empty
 * pattern matches every doc with a text. Caller frees with
 * roaring_bitmap_free. Never NULL. */
roaring_bitmap_t *textidx_candidates(const struct textidx *ti, const char *pat, size_t len,
                                     int *exact);

/* The docs that match. When within is not NULL only docs in within are
 * considered (and only those are verified). Caller frees. Never NULL. */
roaring_bitmap_t *textidx_search(const struct textidx *ti, const char *pat, size_t len,
                                 const roaring_bitmap_t *within);

/* Keep in *bm only the docs that really match (verify a candidate set in
 * place). Docs without a text are dropped. */
void textidx_verify(const struct textidx *ti, const char *pat, size_t len, roaring_bitmap_t *bm);

/* 1 when doc's folded text contains pat, else 0 (0 for a doc without text). */
int textidx_contains(const struct textidx *ti, uint32_t doc, const char *pat, size_t len);

/* Append doc's original text to out; returns 1, or 0 (out unchanged) when
 * the doc has no text. */
int textidx_get(const struct textidx *ti, uint32_t doc, struct strbuf *out);

/* Bytes held, by part. text: the document records and their locator array
 * (and the bytes of replaced records not yet reclaimed); dict: the piece
 * dictionary, raw and folded, and the list of docs of each piece;
 * unigram/bigram: the gram lists (Elias-Fano bytes; roaring's containers
 * and headers, malloc overhead estimated); other: the gram hash tables,
 * bookkeeping, and list bytes left over by changes after the build.
 * npieces counts dictionary pieces, nunigrams/nbigrams distinct grams. */
struct textidx_mem {
    size_t docs, text_bytes, dict_bytes, unigram_bytes, bigram_bytes, other_bytes;
    size_t npieces, nunigrams, nbigrams;
};
void textidx_memory(const struct textidx *ti, struct textidx_mem *out);

/* Check every invariant: records decode, the dictionary finds each of its
 * pieces, and (after build) the lists hold exactly the grams of the
 * stored texts. Slow (rescans everything); for tests. 0 or -1 with err. */
int textidx_validate(const struct textidx *ti, struct error *err);

/* Largest doc id that has ever had a text, 0 when none. */
uint32_t textidx_max_doc(const struct textidx *ti);

#endif
