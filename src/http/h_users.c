/*
 * h_users.c - user management for admins: list, create, read, change
 * (role and department, password, disabled) and unlock. auth.h checks
 * every value, hashes passwords, refuses to lock the last admin out and
 * writes the audit rows; a PATCH of several fields is one transaction.
 */
#include <string.h>

#include "http/api.h"
#include "store/store.h"

struct users_ctx {
    json_t *items;
    uint64_t total;
    size_t limit, offset;
};

static int user_row(const struct auth_user *u, void *vctx)
{
    struct users_ctx *c = vctx;
    uint64_t i = c->total++;
    if (i >= c->offset && i < c->offset + c->limit)
        json_array_append_new(c->items, api_user_json(u));
    return 0;
}

void h_users_list(struct api_req *r)
{
    struct users_ctx c;
    struct api_problem p;
    struct error err = ERROR_INIT;

    memset(&c, 0, sizeof(c));
    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 100, r->srv->max_page, 1000000, &c.limit, &c.offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    c.items = json_array();
    if (auth_user_each(r->st, user_row, &c, &err) < 0) {
        json_decref(c.items);
        api_auth_error(r, &err);
        return;
    }
    api_reply_json(r, 200, api_page_json(c.items, c.total, c.limit, c.offset));
}

/* Reply with user name as it is now (status 200 or 201). */
static void reply_user(struct api_req *r, const char *name, int status)
{
    struct auth_user u;
    struct error err = ERROR_INIT;
    int rc = auth_user_get(r->st, name, &u, &err);
    if (rc < 0) {
        api_auth_error(r, &err);
        return;
    }
    if (rc == 0) {
        api_error(r, 404, "not_found", "name", "no user named '%.64s'", name);
        return;
    }
    api_reply_json(r, status, api_user_json(&u));
}

void h_user_create(struct api_req *r)
{
    static const char *const allowed[] = { "name", "role", "dept", "password", NULL };
    json_t *body = api_body(r);
    const char *name = NULL, *role_text = NULL, *dept = NULL, *password = NULL, *unknown;
    struct error err = ERROR_INIT;
    enum auth_role role;

    if (!body)
        return;
    if ((unknown = api_body_unknown(body, allowed)) != NULL) {
        api_error(r, 400, "invalid", unknown,
                  "unknown field '%.64s' (name, role, dept, password)", unknown);
        goto out;
    }
    if (api_body_string(body, "name", 1, 1024, &name, &err) != 0 ||
        api_body_string(body, "role", 1, 64, &role_text, &err) != 0 ||
        api_body_string(body, "dept", 0, 4096, &dept, &err) != 0 ||
        api_body_string(body, "password", 1, 4096, &password, &err) != 0) {
        api_error(r, 400, "invalid",
                  strstr(err.msg, "'role'")       ? "role"
                  : strstr(err.msg, "'dept'")     ? "dept"
                  : strstr(err.msg, "'password'") ? "password"
                                                  : "name",
                  "%s", err.msg);
        goto out;
    }
    if (auth_role_parse(role_text, &role, &err) != 0) {
        api_auth_error(r, &err);
        goto out;
    }
    if (auth_user_add(r->st, &r->actor, name, role, dept && *dept ? dept : NULL, password,
                      auth_now(), NULL, &err) != 0) {
        api_auth_error(r, &err);
        goto out;
    }
    reply_user(r, name, 201);
out:
    json_decref(body);
}

void h_user_get(struct api_req *r)
{
    reply_user(r, api_param(r, "name"), 200);
}

void h_user_update(struct api_req *r)
{
    static const char *const allowed[] = { "role", "dept", "password", "disabled", NULL };
    json_t *body = api_body(r);
    const char *name = api_param(r, "name");
    const char *role_text = NULL, *dept = NULL, *password = NULL, *unknown;
    struct error err = ERROR_INIT;
    struct auth_user u;
    enum auth_role role;
    int disabled = -1, rc;
    int64_t now = auth_now();

    if (!body)
        return;
    if ((unknown = api_body_unknown(body, allowed)) != NULL) {
        api_error(r, 400, "invalid", unknown,
                  "unknown field '%.64s' (role, dept, password, disabled)", unknown);
        goto out;
    }
    if (api_body_string(body, "role", 0, 64, &role_text, &err) != 0) {
        api_error(r, 400, "invalid", "role", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "dept", 0, 4096, &dept, &err) != 0) {
        api_error(r, 400, "invalid", "dept", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "password", 0, 4096, &password, &err) != 0) {
        api_error(r, 400, "invalid", "password", "%s", err.msg);
        goto out;
    }
    if (api_body_bool(body, "disabled", &disabled, &err) != 0) {
        api_error(r, 400, "invalid", "disabled", "%s", err.msg);
        goto out;
    }
    if (!role_text && !dept && !password && disabled < 0) {
        api_error(r, 400, "invalid", NULL,
                  "nothing to change: give role, dept, password or disabled");
        goto out;
    }
    rc = auth_user_get(r->st, name, &u, &err);
    if (rc <= 0) {
        if (rc < 0)
            api_auth_error(r, &err);
        else
            api_error(r, 404, "not_found", "name", "no user named '%.64s'", name);
        goto out;
    }
    role = u.role;
    if (role_text && auth_role_parse(role_text, &role, &err) != 0) {
        api_auth_error(r, &err);
        goto out;
    }
    /* every change and its audit row, or none */
    if (store_begin(r->st, &err) != 0) {
        api_internal(r, "starting the write", &err);
        goto out;
    }
    if ((role_text || dept) &&
        auth_user_set_role(r->st, &r->actor, u.name, role,
                           dept ? (*dept ? dept : NULL)
                           : role == AUTH_ROLE_DEPT && u.dept[0] ? u.dept
                                                                : NULL,
                           now, &err) != 0)
        goto fail;
    if (password && auth_user_passwd(r->st, &r->actor, u.name, password, now, &err) != 0)
        goto fail;
    if (disabled >= 0 && disabled != u.disabled &&
        auth_user_set_disabled(r->st, &r->actor, u.name, disabled, now, &err) != 0)
        goto fail;
    if (store_commit(r->st, &err) != 0)
        goto fail;
    reply_user(r, u.name, 200);
    goto out;
fail:
    store_rollback(r->st);
    api_auth_error(r, &err);
out:
    json_decref(body);
}

void h_user_unlock(struct api_req *r)
{
    struct error err = ERROR_INIT;
    if (auth_unlock(r->st, &r->actor, api_param(r, "name"), auth_now(), &err) != 0) {
        api_auth_error(r, &err);
        return;
    }
    api_reply_empty(r, 204);
}
