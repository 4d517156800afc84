/*
 * uscc.h - the unified social credit code, GB 32100-2015.
 *
 * 18 characters from the alphabet 0-9 A-H J-N P-R T U W-Y (no I O S V Z):
 *   [0]    registration authority (1 机构编制, 5 民政, 9 工商/市场监管, ...)
 *   [1]    entity type under that authority (9-1: 1 企业, 2 个体工商户, 3 农民专业合作社)
 *   [2-7]  the region code of the registering authority (GB/T 2260)
 *   [8-16] the organisation code (GB 11714)
 *   [17]   check character: 31 - (sum of value(c[i]) * 3^i mod 31) mod 31
 */
#ifndef MAGNET_REF_USCC_H
#define MAGNET_REF_USCC_H

#include <stddef.h>

#include "base/error.h"

#define USCC_LEN 18

/* Normalise in (trim spaces, full-width to ASCII, lower to upper case) and
 * validate the form and the check character. On success writes the 18
 * characters and a NUL to out and returns 0; otherwise -1 with a message
 * saying why ("has 17 characters", "character 5 'I' is not allowed",
 * "check character is 'L', expected '3'").
 *
 * Characters are counted from 1. Besides the alphabet, characters 3-8 (the
 * region code) must be digits. Only in[0..len) is read, NULs included; out
 * is "" on failure. */
int uscc_normalize(const char *in, size_t len, char out[USCC_LEN + 1], struct error *err);

/* The check character for the first 17 characters, or '\0' when one of them
 * is outside the alphabet. */
char uscc_check_char(const char *first17);

struct uscc_parts {
    char authority;    /* '9' */
    char type;         /* '1' */
    char region[7];    /* "330106" */
    char org[10];      /* 9-character organisation code */
    char check;
};

/* Split a valid code (as produced by uscc_normalize). */
void uscc_split(const char *uscc, struct uscc_parts *out);

#endif
