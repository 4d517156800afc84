/*
 * h_tokens.c - API tokens for scripts: list, create (the secret is shown
 * once, in the reply), revoke. A user manages their own; an admin anyone's
 * (and may create one for another user with "user").
 */
#include <string.h>

#include "http/api.h"

struct tokens_ctx {
    json_t *items;
    uint64_t total;
    size_t limit, offset;
};

static int token_row(const struct auth_token_info *t, void *vctx)
{
    struct tokens_ctx *c = vctx;
    uint64_t i = c->total++;
    if (i >= c->offset && i < c->offset + c->limit) {
        struct strbuf sb = STRBUF_INIT;
        json_t *o;
        auth_token_json(&sb, t);
        o = json_loadb(sb.buf, sb.len, 0, NULL);
        strbuf_release(&sb);
        json_array_append_new(c->items, o ? o : json_object());
    }
    return 0;
}

void h_tokens_list(struct api_req *r)
{
    struct tokens_ctx c;
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
            if (rc <= 0) {
                if (rc < 0)
                    api_auth_error(r, &err);
                else
                    api_error(r, 404, "not_found", "user", "no user named '%.64s'", who);
                return;
            }
            user_id = u.id;
        }
    } else if (who && strcmp(who, r->who.user.name) != 0) {
        api_error(r, 403, "forbidden", "user", "only an admin may see others' tokens");
        return;
    }
    c.items = json_array();
    if (auth_token_each(r->st, user_id, token_row, &c, &err) < 0) {
        json_decref(c.items);
        api_auth_error(r, &err);
        return;
    }
    api_reply_json(r, 200, api_page_json(c.items, c.total, c.limit, c.offset));
}

void h_token_create(struct api_req *r)
{
    static const char *const allowed[] = { "label", "expires", "user", NULL };
    json_t *body = api_body(r), *v, *o;
    const char *label = NULL, *user = NULL, *unknown;
    struct error err = ERROR_INIT;
    char token[AUTH_TOKEN_LEN + 1];
    int64_t expires = 0, id = 0, now = auth_now();

    if (!body)
        return;
    if ((unknown = api_body_unknown(body, allowed)) != NULL) {
        api_error(r, 400, "invalid", unknown, "unknown field '%.64s' (label, expires, user)",
                  unknown);
        goto out;
    }
    if (api_body_string(body, "label", 0, 4096, &label, &err) != 0) {
        api_error(r, 400, "invalid", "label", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "user", 0, 1024, &user, &err) != 0) {
        api_error(r, 400, "invalid", "user", "%s", err.msg);
        goto out;
    }
    v = json_object_get(body, "expires");
    if (v && !json_is_null(v)) {
        /* a time ("2025-12-31", "2025-12-31T00:00:00Z") or unix seconds */
        if (json_is_integer(v)) {
            expires = json_integer_value(v);
        } else if (!json_is_string(v) ||
                   audit_time_parse(json_string_value(v), &expires, &err) != 0) {
            api_error(r, 400, "invalid", "expires",
                      "expires must be a date (YYYY-MM-DD), a time (YYYY-MM-DDTHH:MM:SSZ) or "
                      "unix seconds");
            goto out;
        }
        if (expires <= now) {
            api_error(r, 400, "invalid", "expires", "expires must be in the future");
            goto out;
        }
    }
    if (user && strcmp(user, r->who.user.name) != 0 && r->who.user.role != AUTH_ROLE_ADMIN) {
        api_error(r, 403, "forbidden", "user", "only an admin may create tokens for others");
        goto out;
    }
    if (auth_token_create(r->st, &r->actor, user ? user : r->who.user.name, label, expires, now,
                          &id, token, &err) != 0) {
        api_auth_error(r, &err);
        goto out;
    }
    o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "user", json_string(user ? user : r->who.user.name));
    json_object_set_new(o, "label", api_str_or_null(label));
    json_object_set_new(o, "expires", api_time_json(expires));
    api_reply_json(r, 201, o);
out:
    json_decref(body);
}

void h_token_revoke(struct api_req *r)
{
    struct error err = ERROR_INIT;
    int64_t id;
    int rc;
    if (api_id_param(r, "id", &id) != 0)
        return;
    rc = auth_token_revoke(r->st, &r->actor, id,
                           r->who.user.role == AUTH_ROLE_ADMIN ? 0 : r->who.user.id,
                           auth_now(), &err);
    if (rc < 0) {
        api_auth_error(r, &err);
        return;
    }
    if (rc == 0) {
        api_error(r, 404, "not_found", "id", "no active token %lld%s", (long long)id,
                  r->who.user.role == AUTH_ROLE_ADMIN ? "" : " of yours");
        return;
    }
    api_reply_empty(r, 204);
}
