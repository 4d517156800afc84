/*
 * auth.c - the configuration of src/auth/ (argon2id cost, session
 * lifetimes, throttling), its error fields, and the audit actor of a
 * request.
 */
#include "auth/auth_internal.h"

#include <string.h>
#include <time.h>

/* OWASP's argon2id recommendation (m=19 MiB, t=2, p=1); sessions end after
 * 30 minutes idle or 12 hours; 5 failures for a name (20 from an address)
 * within 15 minutes lock it for 15 minutes. */
#define AUTH_DEFAULTS                                                                       \
    {                                                                                       \
        .argon2_m_kib = 19456, .argon2_t = 2, .argon2_p = 1, .session_idle = 30 * 60,       \
        .session_absolute = 12 * 3600, .fail_max = 5, .addr_fail_max = 20,                  \
        .fail_window = 15 * 60, .lockout = 15 * 60, .touch_every = 60,                      \
    }

static struct auth_config config = AUTH_DEFAULTS;

void auth_config_default(struct auth_config *c)
{
    static const struct auth_config defaults = AUTH_DEFAULTS;
    *c = defaults;
}

int auth_config_check(const struct auth_config *c, struct error *err)
{
    if (c->argon2_p < 1 || c->argon2_p > 16)
        return error_code(err, AUTH_E_CONFIG, "argon2 parallelism must be from 1 to 16");
    if (c->argon2_m_kib < 8 * c->argon2_p || c->argon2_m_kib > 4u * 1024 * 1024)
        return error_code(err, AUTH_E_CONFIG,
                          "argon2 memory must be from %u KiB (8 per lane) to 4 GiB",
                          8 * c->argon2_p);
    if (c->argon2_t < 1 || c->argon2_t > 100)
        return error_code(err, AUTH_E_CONFIG, "argon2 passes must be from 1 to 100");
    if (c->session_idle < 60 || c->session_idle > 30 * 86400)
        return error_code(err, AUTH_E_CONFIG,
                          "session idle timeout must be from 60 seconds to 30 days");
    if (c->session_absolute < c->session_idle || c->session_absolute > 365 * 86400)
        return error_code(err, AUTH_E_CONFIG,
                          "session lifetime must be at least the idle timeout and at most a year");
    if (c->fail_max < 1 || c->fail_max > 1000 || c->addr_fail_max < 1 ||
        c->addr_fail_max > 100000)
        return error_code(err, AUTH_E_CONFIG,
                          "failures before lockout must be from 1 to 1000 (per name) and "
                          "1 to 100000 (per address)");
    if (c->fail_window < 1 || c->fail_window > 86400 || c->lockout < 1 || c->lockout > 86400)
        return error_code(err, AUTH_E_CONFIG,
                          "failure window and lockout must be from 1 second to a day");
    if (c->touch_every < 0 || c->touch_every > 3600)
        return error_code(err, AUTH_E_CONFIG, "touch interval must be from 0 to 3600 seconds");
    return 0;
}

int auth_configure(const struct auth_config *c, struct error *err)
{
    if (auth_config_check(c, err) != 0)
        return -1;
    config = *c;
    /* A session's idle time counts from its last write: keep the writes
     * frequent enough that a short idle timeout is not cut much shorter. */
    if (config.touch_every > config.session_idle / 4)
        config.touch_every = config.session_idle / 4;
    return 0;
}

const struct auth_config *auth_config(void)
{
    return &config;
}

int64_t auth_now(void)
{
    return (int64_t)time(NULL);
}

const char *auth_err_field(int code)
{
    switch (code) {
    case AUTH_E_BAD_NAME: return "name";
    case AUTH_E_BAD_ROLE: return "role";
    case AUTH_E_BAD_DEPT: return "dept";
    case AUTH_E_BAD_PASSWORD: return "password";
    case AUTH_E_BAD_LABEL: return "label";
    case AUTH_E_BAD_EXPIRES: return "expires";
    case AUTH_E_BAD_ID: return "id";
    case AUTH_E_BAD_REMOTE: return "remote";
    default: return NULL;
    }
}

void auth_actor(struct audit_actor *a, const struct auth_principal *p, const char *remote)
{
    a->user_id = p ? p->user.id : 0;
    a->user = p ? p->user.name : "-";
    a->remote = remote && *remote ? remote : "-";
}

int auth_audit(struct store *st, const struct audit_actor *by, const char *action,
               const char *entity, const char *entity_id, const char *before, const char *after,
               int64_t now, struct error *err)
{
    struct audit_entry e = { action, entity, entity_id, before, after };
    if (audit_record(st, by, &e, now, NULL, err) != 0) {
        if (err && err->code == AUDIT_E_STORE)
            err->code = AUTH_E_STORE;
        return -1;
    }
    return 0;
}
