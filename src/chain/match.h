/*
 * match.h - a multi-pattern matcher for UTF-8 text: every occurrence of
 * every pattern, in one pass over the text (Aho-Corasick).
 *
 * Patterns are byte strings (UTF-8), matched exactly as bytes after the
 * caller's own normalisation (the classifier folds width and case before
 * adding patterns and before scanning text). A match is reported only on
 * character boundaries: a pattern never matches starting or ending inside
 * a multi-byte character (UTF-8 guarantees this for valid patterns on valid
 * text; the matcher does not need to check, but must not crash on invalid
 * text either).
 *
 * Precisely: text and patterns are read as sequences of characters, each a
 * valid UTF-8 sequence (strict: no overlongs, no surrogates, nothing above
 * U+10FFFF) or else a single byte, and a pattern matches where its
 * characters appear in the text's. For valid patterns this is plain byte
 * matching on any text, valid or not; a pattern that is itself invalid
 * (say the last two bytes of 中) matches only bytes that stand alone in the
 * text, never the inside of a character.
 *
 * Build once (match_add for each pattern, then match_compile), then scan
 * from any number of threads: a compiled matcher is read-only.
 *
 * How it works and what it costs: docs/internals/match.md.
 */
#ifndef MAGNET_CHAIN_MATCH_H
#define MAGNET_CHAIN_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct matcher;

#define MATCH_MAX_PATTERN 256    /* bytes */
#define MATCH_MAX_PATTERNS 1000000

struct matcher *match_new(void);
void match_free(struct matcher *m);

/* Add a pattern with the caller's id (any value; ids need not be unique or
 * dense). Empty patterns and patterns longer than MATCH_MAX_PATTERN are
 * refused (-1, err says which). The same bytes added twice with different
 * ids report both ids. */
int match_add(struct matcher *m, const char *pattern, size_t len, uint32_t id,
              struct error *err);

/* Freeze the automaton; no match_add after this (it fails), and a second
 * match_compile fails too. Fails only for pattern sets too large for
 * 32-bit offsets. A matcher with no patterns compiles and matches nothing. */
int match_compile(struct matcher *m, struct error *err);

struct match_hit {
    uint32_t id;     /* the pattern's id */
    uint32_t start;  /* byte offset of the first byte of the occurrence */
    uint32_t len;    /* pattern length in bytes */
};

/* Report every occurrence (overlapping ones too) by calling fn in order of
 * their end offset (ties: longer first; the ids of one pattern in the order
 * they were added). fn returns non-zero to stop the scan early; match_scan
 * returns the number of hits reported, the one that stopped it included.
 * fn may be NULL to only count. Texts longer than 4 GiB are refused
 * (returns 0), as is any scan before match_compile. */
size_t match_scan(const struct matcher *m, const char *text, size_t len,
                  int (*fn)(const struct match_hit *hit, void *ctx), void *ctx);

/* Number of patterns and the memory the compiled automaton uses (0 before
 * match_compile): about 170 bytes a pattern for the chain keywords. */
size_t match_pattern_count(const struct matcher *m);
size_t match_memory(const struct matcher *m);

#endif
