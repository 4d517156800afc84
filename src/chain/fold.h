/*
 * fold.h - the one text folding the classifier compares under: keywords
 * are folded this way when the taxonomy is loaded, enterprise names and
 * scopes right before they are scanned, so the two always agree.
 *
 * Why not utf8_name_key: that key drops punctuation and white space, which
 * would let a keyword match across the boundary of two scope items
 * ("软件销售；售后服务" must not contain "销售售后"), and it allocates.
 * This fold never allocates and never makes text longer, so a scan buffer
 * the size of the input always suffices.
 */
#ifndef MAGNET_CHAIN_FOLD_H
#define MAGNET_CHAIN_FOLD_H

#include <stddef.h>

/* Fold s[0..len) into out (room for len bytes; out may not overlap s) and
 * return the folded length (<= len):
 *   - full-width ASCII U+FF01-FF5E to ASCII (so （ ） become ( ) too),
 *   - ASCII letters to lower case,
 *   - every run of white space (ASCII, U+3000) and control characters to
 *     one space.
 * Everything else, invalid UTF-8 included, is copied unchanged. The text
 * utf8_clean() stores is already width-folded, so on stored text this is
 * in effect a lower-casing pass; folding keeps the classifier right on text
 * that did not come through the importer (the evaluation set, the API). */
size_t chain_fold(const char *s, size_t len, char *out);

#endif
