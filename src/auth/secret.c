/*
 * secret.c - the small pieces every secret goes through: random bytes
 * from getrandom(), base64url, SHA-256, constant-time comparison; and the
 * text checks and JSON writing that the rest of src/auth/ shares.
 */
#include "auth/auth_internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/jsonw.h"
#include "base/utf8.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int auth_equal_ct(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    size_t i;
    for (i = 0; i < n; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}

/* Fill buf with n bytes from the kernel's CSPRNG (blocks only until it is
 * seeded, once after boot). */
static int random_bytes(unsigned char *buf, size_t n, struct error *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return error_code(err, AUTH_E_STORE, "getrandom: %s", strerror(errno));
        }
        got += (size_t)r;
    }
    return 0;
}

/* 32 bytes -> 43 characters of base64url without padding. */
static void encode32(const unsigned char in[32], char out[AUTH_SECRET_LEN + 1])
{
    size_t i, o = 0;
    for (i = 0; i + 3 <= 30; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    /* the last 2 bytes: 16 bits in 3 characters */
    {
        uint32_t v = (uint32_t)in[30] << 16 | (uint32_t)in[31] << 8;
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
    }
    out[o] = 0;
}

int auth_random_secret(char out[AUTH_SECRET_LEN + 1], struct error *err)
{
    unsigned char raw[32];
    if (random_bytes(raw, sizeof(raw), err) != 0)
        return -1;
    encode32(raw, out);
    memset(raw, 0, sizeof(raw));
    return 0;
}

int auth_random_bytes(unsigned char *buf, size_t n, struct error *err)
{
    return random_bytes(buf, n, err);
}

int auth_secret_wellformed(const char *s)
{
    size_t i;
    for (i = 0; i < AUTH_SECRET_LEN; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return s[AUTH_SECRET_LEN] == 0;
}

/* SHA256() looks the algorithm up in OpenSSL's provider store on every
 * call (a lock and a hash lookup); every authenticated request hashes its
 * credential, so the algorithm is fetched once. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void auth_sha256(const void *s, size_t len, unsigned char out[32])
{
    pthread_once(&sha256_once, sha256_fetch);
    if (!sha256_md || !EVP_Digest(s, len, out, NULL, sha256_md, NULL))
        SHA256(s, len, out);
}

int auth_text_ok(const char *s, size_t len)
{
    size_t i = 0;
    if (!utf8_valid(s, len))
        return 0;
    while (i < len) {
        int32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            return 0;
        i += n;
    }
    return 1;
}

void auth_json_str(struct strbuf *sb, const char *s)
{
    if (!s)
        strbuf_addstr(sb, "null");
    else
        json_quote(sb, s, strlen(s));
}

void auth_json_time(struct strbuf *sb, int64_t t)
{
    char buf[32];
    if (!t) {
        strbuf_addstr(sb, "null");
        return;
    }
    audit_time_format(t, buf, sizeof(buf));
    strbuf_addf(sb, "\"%s\"", buf);
}

int auth_store_fail(struct error *err)
{
    if (err)
        err->code = AUTH_E_STORE;
    return -1;
}

int auth_tx_begin(struct store *st, int *own, struct error *err)
{
    *own = 0;
    if (store_in_transaction(st))
        return 0;
    if (store_begin(st, err) != 0)
        return auth_store_fail(err);
    *own = 1;
    return 0;
}

int auth_tx_end(struct store *st, int own, int rc, struct error *err)
{
    if (!own)
        return rc;
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (store_commit(st, err) != 0) {
        store_rollback(st);
        return auth_store_fail(err);
    }
    return 0;
}
