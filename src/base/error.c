/*
 * error.c - filling struct error (see error.h).
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

int error_setv(struct error *err, const char *fmt, va_list ap)
{
    if (err)
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return -1;
}

int error_set(struct error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(err, fmt, ap);
    va_end(ap);
    return -1;
}

int error_code(struct error *err, int code, const char *fmt, ...)
{
    va_list ap;
    if (err)
        err->code = code;
    va_start(ap, fmt);
    error_setv(err, fmt, ap);
    va_end(ap);
    return -1;
}

int error_prefix(struct error *err, const char *fmt, ...)
{
    char old[ERROR_MSG_MAX];
    size_t n;
    va_list ap;
    if (!err)
        return -1;
    memcpy(old, err->msg, sizeof(old));
    old[sizeof(old) - 1] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    n = strlen(err->msg);
    snprintf(err->msg + n, sizeof(err->msg) - n, "%s", old);
    return -1;
}

void error_clear(struct error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
