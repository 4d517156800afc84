/*
 * routes.c - the route table: every endpoint of the API, its handler and
 * the roles that may call it. This table is the single list of what
 * exists: the router matches against it, /metrics labels by it, `magnet
 * serve --routes` prints it, tests/api walks its role matrix, and a test
 * checks that the OpenAPI document (openapi.c) has exactly these routes.
 *
 * Roles (auth.h): admin manages users and reads the audit log; staff
 * (招商专员) does the work - imports, lists; leader (区领导) reads and
 * exports; dept (部门/街道) and viewer read.
 */
#include <stdio.h>
#include <string.h>

#include "http/api.h"

#define READERS AUTH_ANY_USER
#define EXPORTERS (AUTH_ADMIN | AUTH_STAFF | AUTH_LEADER)
#define WRITERS (AUTH_ADMIN | AUTH_STAFF)


const struct route api_routes[] = {
    /* the service */
    { "GET", "/healthz", h_healthz, AUTH_PUBLIC, 0, "liveness and readiness" },
    { "GET", "/metrics", h_metrics, AUTH_PUBLIC, 0, "Prometheus metrics" },
    { "GET", "/api/openapi.json", h_openapi, AUTH_PUBLIC, 0, "this API's OpenAPI document" },

    /* sessions and the caller */
    { "POST", "/api/session", h_session_login, AUTH_PUBLIC, R_BODY, "log in" },
    { "GET", "/api/session", h_session_get, AUTH_ANY_USER, 0, "who am I" },
    { "DELETE", "/api/session", h_session_logout, AUTH_ANY_USER, 0, "log out" },
    { "POST", "/api/session/password", h_session_password, AUTH_ANY_USER, R_BODY,
      "change my own password (ends my other sessions)" },
    { "GET", "/api/sessions", h_sessions_list, AUTH_ANY_USER, 0,
      "open sessions (mine; an admin's: everyone's)" },
    { "DELETE", "/api/sessions/:id", h_session_revoke, AUTH_ANY_USER, 0, "end a session" },

    /* users and tokens */
    { "GET", "/api/users", h_users_list, AUTH_ADMIN, 0, "users" },
    { "POST", "/api/users", h_user_create, AUTH_ADMIN, R_BODY, "create a user" },
    { "GET", "/api/users/:name", h_user_get, AUTH_ADMIN, 0, "one user" },
    { "PATCH", "/api/users/:name", h_user_update, AUTH_ADMIN, R_BODY,
      "change a user's role, password or disabled state" },
    { "POST", "/api/users/:name/unlock", h_user_unlock, AUTH_ADMIN, 0,
      "lift a login lockout" },
    { "GET", "/api/tokens", h_tokens_list, AUTH_ANY_USER, 0,
      "API tokens (mine; an admin's: everyone's)" },
    { "POST", "/api/tokens", h_token_create, AUTH_ANY_USER, R_BODY, "create an API token" },
    { "DELETE", "/api/tokens/:id", h_token_revoke, AUTH_ANY_USER, 0, "revoke an API token" },

    /* the audit trail */
    { "GET", "/api/audit", h_audit_list, AUTH_ADMIN, R_READ, "the audit log" },

    /* enterprises and screening */
    { "GET", "/api/enterprises", h_screen, READERS, R_INDEX, "screen enterprises" },
    { "GET", "/api/enterprises/export", h_screen_export, EXPORTERS, R_INDEX,
      "export a screening result as XLSX or CSV" },
    { "GET", "/api/enterprises/:uscc", h_enterprise_get, READERS, R_READ,
      "one enterprise with its chains and recent history" },
    { "GET", "/api/enterprises/:uscc/history", h_enterprise_history, READERS, R_READ,
      "an enterprise's change history" },

    /* imports */
    { "GET", "/api/imports", h_imports_list, WRITERS, 0, "import jobs of this server" },
    { "POST", "/api/imports", h_import_create, WRITERS, R_UPLOAD,
      "upload an XLSX or CSV file to import" },
    { "GET", "/api/imports/:id", h_import_get, WRITERS, 0, "an import job: progress, result" },
    { "GET", "/api/imports/:id/rejects", h_import_rejects, WRITERS, 0,
      "the rejected rows of an import, as CSV" },
    { "GET", "/api/batches", h_batches_list, EXPORTERS, 0,
      "import batches recorded in the store (provenance)" },

    /* industry chains */
    { "GET", "/api/chains", h_chains_list, READERS, R_INDEX,
      "the chain taxonomy with enterprise counts" },
    { "GET", "/api/chains/:track", h_chain_get, READERS, R_INDEX,
      "one track and its nodes with counts" },
    { "GET", "/api/chains/:track/map", h_chain_map, READERS, R_INDEX,
      "the chain map of a track for the home district" },

    /* saved lists */
    { "GET", "/api/lists", h_lists_list, READERS, R_READ, "saved lists" },
    { "POST", "/api/lists", h_list_create, WRITERS, R_BODY | R_INDEX,
      "save a screening query as a list with a snapshot" },
    { "GET", "/api/lists/:name", h_list_get, READERS, R_READ, "a list and its snapshot" },
    { "GET", "/api/lists/:name/diff", h_list_diff, READERS, R_INDEX,
      "a list's snapshot against its query now" },
    { "GET", "/api/lists/:name/export", h_list_export, EXPORTERS, 0,
      "a list's snapshot as XLSX or CSV" },
    { "DELETE", "/api/lists/:name", h_list_delete, WRITERS, 0, "remove a list" },

    /* statistics */
    { "GET", "/api/stats", h_stats, READERS, R_INDEX,
      "enterprise counts by status, province, section, track" },
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

void http_routes_json(struct strbuf *out)
{
    size_t i;
    int role;
    strbuf_addstr(out, "[\n");
    for (i = 0; i < api_nroutes; i++) {
        const struct route *r = &api_routes[i];
        int first = 1;
        strbuf_addf(out, "  {\"method\": \"%s\", \"pattern\": \"%s\", \"public\": %s, "
                         "\"roles\": [",
                    r->method, r->pattern, r->roles & AUTH_PUBLIC ? "true" : "false");
        for (role = 0; role < AUTH_ROLE_COUNT_; role++) {
            if (!auth_role_allows(r->roles, (enum auth_role)role))
                continue;
            strbuf_addf(out, "%s\"%s\"", first ? "" : ", ",
                        auth_role_name((enum auth_role)role));
            first = 0;
        }
        strbuf_addf(out, "], \"body\": \"%s\", \"summary\": \"%s\"}%s\n",
                    r->flags & R_UPLOAD ? "multipart" : r->flags & R_BODY ? "json" : "none",
                    r->summary, i + 1 < api_nroutes ? "," : "");
    }
    strbuf_addstr(out, "]\n");
}
