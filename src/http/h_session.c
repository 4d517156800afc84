/*
 * h_session.c - logging in and out, who am I, and the open sessions.
 *
 * Login (POST /api/session) answers with the session cookie (HttpOnly,
 * SameSite=Strict, Secure when cookie_secure is on) and, in the body,
 * the CSRF token the client must send as X-CSRF-Token with every
 * state-changing request made with that cookie. auth.h does the rest:
 * argon2id, throttling and lockout, expiry, the audit rows.
 *
 * A user changes their own password with POST /api/session/password:
 * the old one must be right (a wrong one counts as a failed login for the
 * name, so this route cannot be used to guess around the lockout), and
 * every other session of the user ends - the calling one stays open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"

json_t *api_user_json(const struct auth_user *u)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *o;
    auth_user_json(&sb, u);
    o = json_loadb(sb.buf, sb.len, 0, NULL);
    strbuf_release(&sb);
    return o ? o : json_object();
}

void h_session_login(struct api_req *r)
{
    static const char *const allowed[] = { "name", "password", NULL };
    json_t *body = api_body(r);
    const char *name = NULL, *password = NULL, *unknown;
    struct error err = ERROR_INIT;
    struct auth_session s;
    char cookie[AUTH_COOKIE_MAX];
    json_t *o;

    if (!body)
        return;
    if ((unknown = api_body_unknown(body, allowed)) != NULL) {
        api_error(r, 400, "invalid", unknown, "unknown field '%.64s' (name, password)", unknown);
        goto out;
    }
    if (api_body_string(body, "name", 1, 1024, &name, &err) != 0) {
        api_error(r, 400, "invalid", "name", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "password", 1, 4096, &password, &err) != 0) {
        api_error(r, 400, "invalid", "password", "%s", err.msg);
        goto out;
    }
    memset(&s, 0, sizeof(s));
    if (auth_login(r->st, name, password, r->remote, auth_now(), &s, &err) != 0) {
        api_auth_error(r, &err);
        if (err.code == AUTH_E_LOCKED) {
            char ra[32];
            snprintf(ra, sizeof(ra), "%lld", (long long)(s.retry_after > 0 ? s.retry_after : 1));
            api_add_header(r, "Retry-After", ra);
        }
        goto out;
    }
    if (auth_cookie_format(cookie, sizeof(cookie), s.id, s.expires - s.created,
                           (int)r->srv->cfg->num[HS_COOKIE_SECURE]) < 0) {
        api_internal(r, "making the session cookie", NULL);
        goto out;
    }
    o = json_object();
    json_object_set_new(o, "user", api_user_json(&s.user));
    json_object_set_new(o, "csrf", json_string(s.csrf));
    json_object_set_new(o, "expires", api_time_json(s.expires));
    json_object_set_new(o, "idle_expires", api_time_json(s.idle_expires));
    api_reply_json(r, 200, o);
    api_add_header(r, "Set-Cookie", cookie);
out:
    json_decref(body);
}

void h_session_password(struct api_req *r)
{
    static const char *const allowed[] = { "old_password", "new_password", NULL };
    json_t *body = api_body(r);
    const char *old_password = NULL, *new_password = NULL, *unknown;
    struct error err = ERROR_INIT;
    int64_t keep = r->who.via == AUTH_VIA_SESSION ? r->who.cred_id : 0, retry_after = 0;
    json_t *o;

    if (!body)
        return;
    if ((unknown = api_body_unknown(body, allowed)) != NULL) {
        api_error(r, 400, "invalid", unknown,
                  "unknown field '%.64s' (old_password, new_password)", unknown);
        goto out;
    }
    if (api_body_string(body, "old_password", 1, 4096, &old_password, &err) != 0) {
        api_error(r, 400, "invalid", "old_password", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "new_password", 1, 4096, &new_password, &err) != 0) {
        api_error(r, 400, "invalid", "new_password", "%s", err.msg);
        goto out;
    }
    if (auth_password_change(r->st, &r->actor, r->who.user.name, old_password, new_password,
                             keep, auth_now(), &retry_after, &err) != 0) {
        if (err.code == AUTH_E_DENIED) {
            /* 403, not 401: the caller is logged in, only the old password is wrong */
            api_error(r, 403, "wrong_password", "old_password", "%s", err.msg);
        } else if (err.code == AUTH_E_BAD_PASSWORD) {
            api_error(r, 400, "invalid", "new_password", "%s", err.msg);
        } else {
            api_auth_error(r, &err);
            if (err.code == AUTH_E_LOCKED) {
                char ra[32];
                snprintf(ra, sizeof(ra), "%lld",
                         (long long)(retry_after > 0 ? retry_after : 1));
                api_add_header(r, "Retry-After", ra);
            }
        }
        goto out;
    }
    o = json_object();
    json_object_set_new(o, "user", api_user_json(&r->who.user));
    json_object_set_new(o, "via", json_string(r->who.via == AUTH_VIA_TOKEN ? "token"
                                                                           : "session"));
    /* auth_password_change does not say how many sessions it ended: say
     * which one it kept (null: a token caller, every session ended) */
    json_object_set_new(o, "kept_session", keep ? json_integer((json_int_t)keep) : json_null());
    api_reply_json(r, 200, o);
out:
    json_decref(body);
}

void h_session_get(struct api_req *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "user", api_user_json(&r->who.user));
    json_object_set_new(o, "via", json_string(r->who.via == AUTH_VIA_TOKEN ? "token"
                                                                           : "session"));
    json_object_set_new(o, "expires", r->who.via == AUTH_VIA_SESSION
                                          ? api_time_json(r->who.expires)
                                          : json_null());
    api_reply_json(r, 200, o);
}

void h_session_logout(struct api_req *r)
{
    const char *cookie = api_header_in(r, "Cookie");
    char sid[AUTH_SECRET_LEN + 1], clear[AUTH_COOKIE_MAX];
    struct error err = ERROR_INIT;

    if (r->who.via != AUTH_VIA_SESSION || !cookie || !auth_cookie_parse(cookie, sid)) {
        api_error(r, 400, "bad_request", NULL,
                  "no session to end: an API token is revoked with DELETE /api/tokens/ID");
        return;
    }
    if (auth_logout(r->st, sid, r->remote, auth_now(), &err) < 0) {
        api_auth_error(r, &err);
        return;
    }
    api_reply_empty(r, 204);
    if (auth_cookie_format(clear, sizeof(clear), NULL, 0,
                           (int)r->srv->cfg->num[HS_COOKIE_SECURE]) >= 0)
        api_add_header(r, "Set-Cookie", clear);
}

struct sessions_ctx {
    json_t *items;
    uint64_t total;
    size_t limit, offset;
    int64_t current;
};

static int session_row(const struct auth_session_info *s, void *vctx)
{
    struct sessions_ctx *c = vctx;
    uint64_t i = c->total++;
    if (i < c->offset || i >= c->offset + c->limit)
        return 0;
    json_array_append_new(
        c->items, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:b}", "id", (json_int_t)s->row_id,
                            "user", s->user ? s->user : "", "remote",
                            s->remote ? s->remote : "", "created", api_time_json(s->created),
                            "last_seen", api_time_json(s->last_seen), "expires",
                            api_time_json(s->expires), "current", s->row_id == c->current));
    return 0;
}

void h_sessions_list(struct api_req *r)
{
    struct sessions_ctx c;
    struct api_problem p;
    struct error err = ERROR_INIT;
    int64_t user_id = r->who.user.id;
    const char *who = api_arg(r, "user");

    memset(&c, 0, sizeof(c));
    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 100, r->srv->max_page, 1000000, &c.limit, &c.offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (r->who.user.role == AUTH_ROLE_ADMIN) {
        user_id = 0;
        if (who) {
            struct auth_user u;
            int rc = auth_user_get(r->st, who, &u, &err);
            if (rc < 0) {
                api_auth_error(r, &err);
                return;
            }
            if (rc == 0) {
                api_error(r, 404, "not_found", "user", "no user named '%.64s'", who);
                return;
            }
            user_id = u.id;
        }
    } else if (who && strcmp(who, r->who.user.name) != 0) {
        api_error(r, 403, "forbidden", "user", "only an admin may see others' sessions");
        return;
    }
    c.items = json_array();
    c.current = r->who.via == AUTH_VIA_SESSION ? r->who.cred_id : 0;
    if (auth_session_each(r->st, user_id, auth_now(), session_row, &c, &err) < 0) {
        json_decref(c.items);
        api_auth_error(r, &err);
        return;
    }
    api_reply_json(r, 200, api_page_json(c.items, c.total, c.limit, c.offset));
}

void h_session_revoke(struct api_req *r)
{
    struct error err = ERROR_INIT;
    int64_t id;
    int rc;
    if (api_id_param(r, "id", &id) != 0)
        return;
    rc = auth_session_revoke(r->st, &r->actor, id,
                             r->who.user.role == AUTH_ROLE_ADMIN ? 0 : r->who.user.id,
                             auth_now(), &err);
    if (rc < 0) {
        api_auth_error(r, &err);
        return;
    }
    if (rc == 0) {
        api_error(r, 404, "not_found", "id", "no open session %lld%s", (long long)id,
                  r->who.user.role == AUTH_ROLE_ADMIN ? "" : " of yours");
        return;
    }
    api_reply_empty(r, 204);
}
