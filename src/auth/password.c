/*
 * password.c - passwords: the policy check, argon2id hashing and
 * verification (libargon2's encoded form carries salt and parameters, so
 * a hash made under an older cost still verifies and can be upgraded).
 */
#include "auth/auth_internal.h"

#include <argon2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"

#define SALT_LEN 16
#define HASH_LEN 32

int auth_password_check(const char *password, const char *name, struct error *err)
{
    size_t n = password ? strlen(password) : 0;
    size_t chars;

    if (n > AUTH_PASSWORD_MAX)
        return error_code(err, AUTH_E_BAD_PASSWORD,
                          "the password is %zu bytes long, at most %d are allowed", n,
                          AUTH_PASSWORD_MAX);
    if (!auth_text_ok(password ? password : "", n))
        return error_code(err, AUTH_E_BAD_PASSWORD,
                          "the password must be UTF-8 text without control characters");
    chars = utf8_length(password ? password : "", n);
    if (chars < AUTH_PASSWORD_MIN)
        return error_code(err, AUTH_E_BAD_PASSWORD,
                          "the password is %zu characters long, at least %d are needed", chars,
                          AUTH_PASSWORD_MIN);
    if (name && !strcasecmp(name, password))
        return error_code(err, AUTH_E_BAD_PASSWORD, "the password must not be the user name");
    return 0;
}

/* Memory x passes of every argon2 run, so that a test can check that a
 * login for an unknown name does the same work as one with a wrong
 * password (rather than timing them on a shared machine). */
static _Atomic unsigned long long work_done;

unsigned long long auth_password_work(void)
{
    return work_done;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], struct error *err)
{
    const struct auth_config *c = auth_config();
    unsigned char salt[SALT_LEN];
    size_t need = argon2_encodedlen(c->argon2_t, c->argon2_m_kib, c->argon2_p, SALT_LEN, HASH_LEN,
                                    Argon2_id);
    int rc;

    if (need > AUTH_HASH_MAX)
        return error_code(err, AUTH_E_CONFIG, "argon2 parameters make a too long hash");
    if (auth_random_bytes(salt, sizeof(salt), err) != 0)
        return -1;
    work_done += (unsigned long long)c->argon2_m_kib * c->argon2_t;
    rc = argon2id_hash_encoded(c->argon2_t, c->argon2_m_kib, c->argon2_p, password,
                               strlen(password), salt, SALT_LEN, HASH_LEN, out, AUTH_HASH_MAX);
    if (rc != ARGON2_OK)
        return error_code(err, AUTH_E_STORE, "argon2id: %s", argon2_error_message(rc));
    return 0;
}

int auth_password_verify(const char *encoded, const char *password)
{
    unsigned v, m, t, p;
    if (!encoded || strncmp(encoded, "$argon2id$", 10) != 0 || !password)
        return 0;
    if (sscanf(encoded, "$argon2id$v=%u$m=%u,t=%u,p=%u$", &v, &m, &t, &p) == 4)
        work_done += (unsigned long long)m * t;
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

/* 1 when encoded was made with other parameters than the configured ones. */
int auth_password_outdated(const char *encoded)
{
    const struct auth_config *c = auth_config();
    unsigned v, m, t, p;
    if (sscanf(encoded, "$argon2id$v=%u$m=%u,t=%u,p=%u$", &v, &m, &t, &p) != 4)
        return 1;
    return v != ARGON2_VERSION_NUMBER || m != c->argon2_m_kib || t != c->argon2_t ||
           p != c->argon2_p;
}
