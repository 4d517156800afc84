/*
 * auth_internal.h - helpers shared by the files of src/auth/ only:
 * hashing and encoding of secrets, text checks, JSON writing and the
 * "join the caller's transaction or open our own" rule.
 */
#ifndef MAGNET_AUTH_INTERNAL_H
#define MAGNET_AUTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/strbuf.h"
#include "store/store.h"

/* SHA-256 of s[0..len). */
void auth_sha256(const void *s, size_t len, unsigned char out[32]);
/* n random bytes from getrandom(). */
int auth_random_bytes(unsigned char *buf, size_t n, struct error *err);
/* 1 when s is exactly AUTH_SECRET_LEN base64url characters. */
int auth_secret_wellformed(const char *s);

/* 1 when s[0..len) is valid UTF-8 without control characters (C0, DEL, C1). */
int auth_text_ok(const char *s, size_t len);

/* Append s as a JSON string (quoted, escaped); "null" when s is NULL. */
void auth_json_str(struct strbuf *sb, const char *s);
/* Append t as "YYYY-MM-DDTHH:MM:SSZ" quoted, or null when t is 0. */
void auth_json_time(struct strbuf *sb, int64_t t);

/* Open a transaction unless one is open: *own says whether we did. */
int auth_tx_begin(struct store *st, int *own, struct error *err);
/* Finish what auth_tx_begin started: when we own it, commit when rc is
 * 0, else roll back. Returns rc, or -1 when the commit fails. */
int auth_tx_end(struct store *st, int own, int rc, struct error *err);

/* 1 when an encoded hash was made under other argon2 parameters than
 * the configured ones (a login then re-hashes it). */
int auth_password_outdated(const char *encoded);

/* Mark err as a store failure and return -1. */
int auth_store_fail(struct error *err);

/* Write an audit row for an auth event (fills code AUTH_E_STORE on failure). */
int auth_audit(struct store *st, const struct audit_actor *by, const char *action,
               const char *entity, const char *entity_id, const char *before, const char *after,
               int64_t now, struct error *err);

/* A user from the store's row; 0, or -1 when the row's role is unknown. */
int auth_user_from_row(struct auth_user *u, const struct store_user *r);

#endif
