/*
 * role.c - the five roles, their names, and the bitmask a route table
 * uses to say who may call a route.
 */
#include "auth/auth.h"

#include <string.h>

static const struct {
    const char *name, *zh;
} roles[AUTH_ROLE_COUNT_] = {
    [AUTH_ROLE_ADMIN] = { "admin", "管理员" },
    [AUTH_ROLE_STAFF] = { "staff", "招商专员" },
    [AUTH_ROLE_LEADER] = { "leader", "区领导" },
    [AUTH_ROLE_DEPT] = { "dept", "部门/街道" },
    [AUTH_ROLE_VIEWER] = { "viewer", "只读用户" },
};

static int valid(enum auth_role r)
{
    return (int)r >= 0 && (int)r < AUTH_ROLE_COUNT_;
}

int auth_role_allows(auth_role_mask mask, enum auth_role role)
{
    if (mask & AUTH_PUBLIC)
        return 1;
    if (!valid(role))
        return 0;
    return (mask & AUTH_ROLE_BIT(role)) != 0;
}

const char *auth_role_name(enum auth_role role)
{
    if (role == AUTH_ROLE_NONE)
        return "none";
    return valid(role) ? roles[role].name : "?";
}

const char *auth_role_label_zh(enum auth_role role)
{
    if (role == AUTH_ROLE_NONE)
        return "未登录";
    return valid(role) ? roles[role].zh : "?";
}

int auth_role_parse(const char *name, enum auth_role *out, struct error *err)
{
    int i;
    for (i = 0; i < AUTH_ROLE_COUNT_; i++)
        if (name && !strcmp(name, roles[i].name)) {
            *out = (enum auth_role)i;
            return 0;
        }
    return error_code(err, AUTH_E_BAD_ROLE,
                      "role '%.40s' is not one of admin, staff, leader, dept, viewer",
                      name ? name : "");
}

void auth_role_mask_format(auth_role_mask mask, char *out, size_t size)
{
    size_t n = 0;
    int i;

    if (!size)
        return;
    out[0] = 0;
    if (mask & AUTH_PUBLIC) {
        snprintf(out, size, "public");
        return;
    }
    if ((mask & AUTH_ANY_USER) == AUTH_ANY_USER) {
        snprintf(out, size, "any user");
        return;
    }
    if (!(mask & AUTH_ANY_USER)) {
        snprintf(out, size, "nobody");
        return;
    }
    for (i = 0; i < AUTH_ROLE_COUNT_; i++) {
        int w;
        if (!(mask & AUTH_ROLE_BIT(i)))
            continue;
        w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", roles[i].name);
        if (w < 0 || (size_t)w >= size - n)
            return;
        n += (size_t)w;
    }
}
