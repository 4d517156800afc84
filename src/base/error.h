/*
 * error.h - the one error convention.
 *
 * Functions that can fail return 0 (or a non-negative count) on success and
 * a negative value on failure, and fill a caller-provided struct error with
 * a message for a human that names what was wrong and where:
 *
 *     return error_set(err, "row %zu: 注册资本 '%s' is not an amount", row, v);
 *
 * error_set() always returns -1 so it can be returned directly. A NULL err
 * is allowed and discards the message. Library code never exits.
 */
#ifndef MAGNET_BASE_ERROR_H
#define MAGNET_BASE_ERROR_H

#include <stdarg.h>

#define ERROR_MSG_MAX 1024

struct error {
    int code;                 /* optional category, 0 when unused */
    char msg[ERROR_MSG_MAX];  /* NUL-terminated, empty when no error */
};

#define ERROR_INIT { 0, { 0 } }

#if defined(__GNUC__)
#define MAGNET_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MAGNET_PRINTF(f, a)
#endif

/* Set the message and return -1. */
int error_set(struct error *err, const char *fmt, ...) MAGNET_PRINTF(2, 3);
int error_setv(struct error *err, const char *fmt, va_list ap);
/* Same, with a category code. */
int error_code(struct error *err, int code, const char *fmt, ...) MAGNET_PRINTF(3, 4);
/* Prefix the existing message: "file.csv: " + msg. Returns -1. */
int error_prefix(struct error *err, const char *fmt, ...) MAGNET_PRINTF(2, 3);
void error_clear(struct error *err);

#endif
