/*
 * router.c - matching a request against the route table (routes.c).
 *
 * A pattern is a path of literal segments and ":name" segments; a
 * parameter matches any one non-empty segment. When several patterns
 * match a path, the one with the most literal segments wins (so
 * /api/enterprises/export is not taken for a USCC). HEAD is answered by
 * the GET route. A path that matches for another method only gets 405
 * with the methods it has.
 */
#include <stdio.h>
#include <string.h>

#include "http/api.h"

/* Literal segments of pattern when it matches u, else -1; params filled. */
static int match(const char *pattern, const struct url *u, const char **params)
{
    const char *p = pattern + 1;
    size_t seg = 0, np = 0;
    int literals = 0;

    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (seg >= u->nsegs)
            return -1;
        if (p[0] == ':') {
            if (!u->segs[seg][0])
                return -1;
            if (np < API_MAX_PARAMS)
                params[np++] = u->segs[seg];
        } else {
            if (strlen(u->segs[seg]) != n || memcmp(u->segs[seg], p, n) != 0)
                return -1;
            literals++;
        }
        seg++;
        if (!slash)
            break;
        p = slash + 1;
    }
    return seg == u->nsegs ? literals : -1;
}

int router_match(const char *method, const struct url *u, const struct route **route,
                 int *index, const char **params, char *allow, size_t allow_size)
{
    const char *want = strcmp(method, "HEAD") ? method : "GET";
    const char *tmp[API_MAX_PARAMS];
    int best = -1;
    size_t i, len = 0;

    *route = NULL;
    *index = ROUTE_NONE;
    allow[0] = '\0';
    for (i = 0; i < api_nroutes; i++) {
        int lit = match(api_routes[i].pattern, u, tmp);
        if (lit > best)
            best = lit;
    }
    if (best < 0)
        return 404;
    for (i = 0; i < api_nroutes; i++) {
        int lit = match(api_routes[i].pattern, u, tmp);
        if (lit != best)
            continue;
        if (!strcmp(api_routes[i].method, want)) {
            *route = &api_routes[i];
            *index = (int)i;
            memcpy(params, tmp, sizeof(tmp));
            return 0;
        }
        if (!strstr(allow, api_routes[i].method)) {
            int n = snprintf(allow + len, allow_size - len, "%s%s", len ? ", " : "",
                             api_routes[i].method);
            if (n > 0 && (size_t)n < allow_size - len)
                len += (size_t)n;
            if (!strcmp(api_routes[i].method, "GET") && len + 6 < allow_size) {
                len += (size_t)snprintf(allow + len, allow_size - len, ", HEAD");
            }
        }
    }
    return 405;
}
