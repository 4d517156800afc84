/*
 * openapi.c - the OpenAPI 3.1 document of the API, served at
 * GET /api/openapi.json and printed by `magnet serve --openapi`.
 *
 * Written by hand, next to the route table it describes, and kept true by
 * tests/api: the set of (method, path) here must equal the route table
 * (routes.c), and every JSON reply of the API tests is validated against
 * the schema this document gives for its route and status
 * (tests/tools/apicheck.c). Change a route or a reply, change this.
 *
 * The text is JSON with ' for " (so that it reads as JSON in C); the
 * quotes are swapped once, on first use. Hence no apostrophes in the text.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "http/http.h"

/* ---- shared pieces ---- */

#define ERR "'default': {'$ref': '#/components/responses/Error'}"
#define JSON_OK(code, desc, schema)                                                            \
    "'" code "': {'description': '" desc "', 'content': {'application/json': "                 \
    "{'schema': {'$ref': '#/components/schemas/" schema "'}}}}"
#define NO_CONTENT(desc) "'204': {'description': '" desc "'}"
/* an error reply documented for its status (the others fall under ERR) */
#define ERR_REPLY(code, desc)                                                                  \
    "'" code "': {'description': '" desc "', 'content': {'application/json': {'schema': "      \
    "{'$ref': '#/components/schemas/Error'}}}}"
#define SEC_PUBLIC "'security': []"
#define PAGE_PARAMS                                                                            \
    "{'$ref': '#/components/parameters/limit'}, {'$ref': '#/components/parameters/offset'}"
#define PATH_PARAM(name, desc)                                                                 \
    "{'name': '" name "', 'in': 'path', 'required': true, 'description': '" desc "', "         \
    "'schema': {'type': 'string'}}"
#define QUERY_PARAM(name, type, desc)                                                          \
    "{'name': '" name "', 'in': 'query', 'description': '" desc "', 'schema': {'type': '" type \
    "'}}"
#define BODY(schema)                                                                           \
    "'requestBody': {'required': true, 'content': {'application/json': {'schema': "            \
    "{'$ref': '#/components/schemas/" schema "'}}}}"
#define FILE_OK(desc)                                                                          \
    "'200': {'description': '" desc "', 'content': {"                                          \
    "'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': "                    \
    "{'schema': {'type': 'string', 'contentMediaType': "                                       \
    "'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'}}, "                  \
    "'text/csv': {'schema': {'type': 'string'}}}}"
#define FORMAT_PARAM                                                                           \
    "{'name': 'format', 'in': 'query', 'description': 'xlsx (default) or csv (UTF-8 with a "   \
    "BOM for Excel)', 'schema': {'type': 'string', 'enum': ['xlsx', 'csv']}}"

/* nullable scalar types */
#define NSTR "{'type': ['string', 'null']}"
#define NINT "{'type': ['integer', 'null']}"
#define NNUM "{'type': ['number', 'null']}"
#define STR "{'type': 'string'}"
#define INT "{'type': 'integer'}"
#define NUM "{'type': 'number'}"
#define BOOL "{'type': 'boolean'}"
#define REF(s) "{'$ref': '#/components/schemas/" s "'}"
#define ARR(s) "{'type': 'array', 'items': {'$ref': '#/components/schemas/" s "'}}"
#define PAGE(s)                                                                                \
    "{'type': 'object', 'required': ['total', 'limit', 'offset', 'items'], 'properties': {"    \
    "'total': {'type': 'integer'}, 'limit': {'type': 'integer'}, 'offset': {'type': "          \
    "'integer'}, 'items': " ARR(s) "}}"

static const char doc_text[] =
    "{'openapi': '3.1.0',"
    " 'info': {'title': 'Magnet (磁石) API', 'version': '1',"
    "  'description': 'The HTTP JSON API of Magnet, the investment-promotion and "
    "enterprise-service system. Errors are always {error: {code, message, field}}. Lists are "
    "paginated with limit and offset (at most max_page_size, 1000 by default). Authenticate "
    "with the session cookie from POST /api/session (send X-CSRF-Token on POST, PATCH and "
    "DELETE) or with Authorization: Bearer TOKEN. docs/api.md is the manual.'},"
    " 'servers': [{'url': '/'}],"
    " 'security': [{'session': []}, {'bearer': []}],"
    " 'paths': {"

    /* ---- the service ---- */
    "  '/healthz': {'get': {'summary': 'liveness and readiness', 'operationId': 'healthz', "
    SEC_PUBLIC ", 'responses': {" JSON_OK("200", "serving", "Health") ", " JSON_OK(
        "503", "shutting down", "Health") ", " ERR "}}},"
    "  '/metrics': {'get': {'summary': 'Prometheus metrics', 'operationId': 'metrics', "
    SEC_PUBLIC ", 'responses': {'200': {'description': 'the text exposition format', "
    "'content': {'text/plain': {'schema': {'type': 'string'}}}}, " ERR "}}},"
    "  '/api/openapi.json': {'get': {'summary': 'this document', 'operationId': 'openapi', "
    SEC_PUBLIC ", 'responses': {'200': {'description': 'OpenAPI 3.1', 'content': "
    "{'application/json': {'schema': {'type': 'object', 'required': ['openapi', 'paths']}}}}, "
    ERR "}}},"

    /* ---- sessions ---- */
    "  '/api/session': {"
    "   'post': {'summary': 'log in', 'operationId': 'login', " SEC_PUBLIC ", " BODY("Login")
    ", 'responses': {" JSON_OK("200", "logged in; the session cookie is set", "LoginReply")
    ", " ERR "}},"
    "   'get': {'summary': 'who am I', 'operationId': 'me', 'responses': {" JSON_OK(
        "200", "the caller", "Me") ", " ERR "}},"
    "   'delete': {'summary': 'log out', 'operationId': 'logout', 'responses': {" NO_CONTENT(
        "logged out; the cookie is cleared") ", " ERR "}}},"
    "  '/api/session/password': {'post': {'summary': 'change my own password; my other "
    "sessions end, this one stays', 'operationId': 'changePassword', " BODY("PasswordChange")
    ", 'responses': {" JSON_OK("200", "changed", "PasswordChanged") ", " ERR_REPLY(
        "400", "a field missing, unknown or not a string, or the new password fails the "
        "password policy (field new_password)") ", " ERR_REPLY("401", "not logged in") ", "
    ERR_REPLY("403", "wrong_password: the old password is wrong (field old_password; it "
              "counts as a failed login for the name); csrf: a cookie request without "
              "X-CSRF-Token") ", '429': {'description': 'locked: too many failed logins for "
    "the name', 'headers': {'Retry-After': {'description': 'seconds until the lock ends', "
    "'schema': {'type': 'integer'}}}, 'content': {'application/json': {'schema': {'$ref': "
    "'#/components/schemas/Error'}}}}, " ERR "}}},"
    "  '/api/sessions': {'get': {'summary': 'open sessions (mine; an admin: everyone, or "
    "?user=)', 'operationId': 'listSessions', 'parameters': [" PAGE_PARAMS ", " QUERY_PARAM(
        "user", "string", "only this user (admin)") "], 'responses': {" JSON_OK(
        "200", "a page of sessions", "SessionPage") ", " ERR "}}},"
    "  '/api/sessions/{id}': {'delete': {'summary': 'end a session', 'operationId': "
    "'revokeSession', 'parameters': [" PATH_PARAM("id", "the session id from GET /api/sessions")
    "], 'responses': {" NO_CONTENT("ended") ", " ERR "}}},"

    /* ---- users and tokens ---- */
    "  '/api/users': {"
    "   'get': {'summary': 'users (admin)', 'operationId': 'listUsers', 'parameters': ["
    PAGE_PARAMS "], 'responses': {" JSON_OK("200", "a page of users", "UserPage") ", " ERR
    "}},"
    "   'post': {'summary': 'create a user (admin)', 'operationId': 'createUser', " BODY(
        "UserCreate") ", 'responses': {" JSON_OK("201", "created", "User") ", " ERR "}}},"
    "  '/api/users/{name}': {"
    "   'get': {'summary': 'one user (admin)', 'operationId': 'getUser', 'parameters': ["
    PATH_PARAM("name", "the user name") "], 'responses': {" JSON_OK("200", "the user", "User")
    ", " ERR "}},"
    "   'patch': {'summary': 'change role, department, password or disabled (admin)', "
    "'operationId': 'updateUser', 'parameters': [" PATH_PARAM("name", "the user name") "], "
    BODY("UserUpdate") ", 'responses': {" JSON_OK("200", "the user as it is now", "User") ", "
    ERR "}}},"
    "  '/api/users/{name}/unlock': {'post': {'summary': 'lift a login lockout (admin)', "
    "'operationId': 'unlockUser', 'parameters': [" PATH_PARAM("name", "the user name")
    "], 'responses': {" NO_CONTENT("unlocked") ", " ERR "}}},"
    "  '/api/tokens': {"
    "   'get': {'summary': 'API tokens (mine; an admin: everyone, or ?user=)', "
    "'operationId': 'listTokens', 'parameters': [" PAGE_PARAMS ", " QUERY_PARAM(
        "user", "string", "only this user (admin)") "], 'responses': {" JSON_OK(
        "200", "a page of tokens", "TokenPage") ", " ERR "}},"
    "   'post': {'summary': 'create an API token (the secret is shown once)', 'operationId': "
    "'createToken', " BODY("TokenCreate") ", 'responses': {" JSON_OK(
        "201", "created", "TokenCreated") ", " ERR "}}},"
    "  '/api/tokens/{id}': {'delete': {'summary': 'revoke an API token', 'operationId': "
    "'revokeToken', 'parameters': [" PATH_PARAM("id", "the token id") "], 'responses': {"
    NO_CONTENT("revoked") ", " ERR "}}},"

    /* ---- audit ---- */
    "  '/api/audit': {'get': {'summary': 'the audit log, newest first (admin)', "
    "'operationId': 'listAudit', 'parameters': [" PAGE_PARAMS ", " QUERY_PARAM(
        "entity", "string", "user, token, session, list, batch, ...") ", " QUERY_PARAM(
        "entity_id", "string", "which one") ", " QUERY_PARAM("user", "string", "the actor")
    ", " QUERY_PARAM("since", "string", "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or unix seconds")
    ", " QUERY_PARAM("until", "string", "as since; exclusive") ", " QUERY_PARAM(
        "before_id", "integer", "rows older than this id (deep paging)")
    "], 'responses': {" JSON_OK("200", "a page of audit rows", "AuditPage") ", " ERR "}}},"

    /* ---- enterprises ---- */
    "  '/api/enterprises': {'get': {'summary': 'screen enterprises with the query language "
    "(docs/query.md)', 'operationId': 'screen', 'parameters': [{'$ref': "
    "'#/components/parameters/q'}, {'$ref': '#/components/parameters/sort'}, " PAGE_PARAMS
    ", {'$ref': '#/components/parameters/facets'}, " QUERY_PARAM(
        "explain", "boolean", "each item with its score breakdown")
    "], 'responses': {" JSON_OK("200", "the matches, ranked", "ScreenResult") ", " ERR "}}},"
    "  '/api/enterprises/export': {'get': {'summary': 'export a screening result', "
    "'operationId': 'exportScreen', 'parameters': [{'$ref': '#/components/parameters/q'}, "
    "{'$ref': '#/components/parameters/sort'}, " FORMAT_PARAM ", " QUERY_PARAM(
        "limit", "integer", "only the first N (at most 10000); without it every match, at "
        "most export_max_rows") ", " QUERY_PARAM("offset", "integer", "with limit: skip the "
        "first N") "], 'responses': {" FILE_OK("the ranked matches as a file") ", " ERR "}}},"
    "  '/api/enterprises/{uscc}': {'get': {'summary': 'one enterprise: fields, chains, recent "
    "changes', 'operationId': 'getEnterprise', 'parameters': [" PATH_PARAM(
        "uscc", "the 18-character unified social credit code") ", " QUERY_PARAM(
        "explain", "boolean", "add its score and breakdown") "], 'responses': {" JSON_OK(
        "200", "the enterprise", "Enterprise") ", " ERR "}}},"
    "  '/api/enterprises/{uscc}/history': {'get': {'summary': 'the change history, newest "
    "first', 'operationId': 'getEnterpriseHistory', 'parameters': [" PATH_PARAM(
        "uscc", "the USCC") ", " PAGE_PARAMS "], 'responses': {" JSON_OK(
        "200", "a page of changes", "HistoryPage") ", " ERR "}}},"

    /* ---- imports ---- */
    "  '/api/imports': {"
    "   'get': {'summary': 'import jobs of this server, newest first', 'operationId': "
    "'listImports', 'parameters': [" PAGE_PARAMS "], 'responses': {" JSON_OK(
        "200", "a page of jobs", "JobPage") ", " ERR "}},"
    "   'post': {'summary': 'upload an XLSX or CSV file to import (a background job)', "
    "'operationId': 'createImport', 'requestBody': {'required': true, 'content': "
    "{'multipart/form-data': {'schema': {'type': 'object', 'required': ['file'], "
    "'properties': {'file': {'type': 'string', 'contentMediaType': "
    "'application/octet-stream'}, 'skip_invalid': {'type': 'boolean'}, 'dry_run': {'type': "
    "'boolean'}, 'classify': {'type': 'boolean'}, 'sheet': {'type': 'string'}}}}}}, "
    "'responses': {" JSON_OK("202", "queued; follow the Location", "Job") ", " ERR "}}},"
    "  '/api/imports/{id}': {'get': {'summary': 'an import job: progress and result', "
    "'operationId': 'getImport', 'parameters': [" PATH_PARAM("id", "the job id")
    "], 'responses': {" JSON_OK("200", "the job", "Job") ", " ERR "}}},"
    "  '/api/imports/{id}/rejects': {'get': {'summary': 'the rejected rows with their "
    "reasons', 'operationId': 'getImportRejects', 'parameters': [" PATH_PARAM("id", "the job "
    "id") "], 'responses': {'200': {'description': 'CSV: original row number, reasons, the "
    "row', 'content': {'text/csv': {'schema': {'type': 'string'}}}}, " ERR "}}},"
    "  '/api/batches': {'get': {'summary': 'import batches recorded in the store, newest "
    "first', 'operationId': 'listBatches', 'parameters': [" PAGE_PARAMS "], 'responses': {"
    JSON_OK("200", "a page of batches", "BatchPage") ", " ERR "}}},"

    /* ---- chains ---- */
    "  '/api/chains': {'get': {'summary': 'the chain taxonomy with enterprise counts', "
    "'operationId': 'listChains', 'responses': {" JSON_OK("200", "every track and node",
                                                          "Chains") ", " ERR "}}},"
    "  '/api/chains/{track}': {'get': {'summary': 'one track and its nodes', 'operationId': "
    "'getChain', 'parameters': [" PATH_PARAM("track", "its id (ai) or Chinese name")
    "], 'responses': {" JSON_OK("200", "the track", "Track") ", " ERR "}}},"
    "  '/api/chains/{track}/map': {'get': {'summary': 'the chain map for the home district', "
    "'operationId': 'getChainMap', 'parameters': [" PATH_PARAM("track", "its id or name") ", "
    QUERY_PARAM("leaders", "integer", "local leaders per node (0-100, default 5)") ", "
    QUERY_PARAM("candidates", "integer", "candidates per weak node (0-100, default 10)")
    "], 'responses': {" JSON_OK("200", "the map", "ChainMap") ", " ERR "}}},"

    /* ---- lists ---- */
    "  '/api/lists': {"
    "   'get': {'summary': 'saved lists, by name', 'operationId': 'listLists', 'parameters': ["
    PAGE_PARAMS "], 'responses': {" JSON_OK("200", "a page of lists", "ListPage") ", " ERR
    "}},"
    "   'post': {'summary': 'save a query as a list with a snapshot of its matches', "
    "'operationId': 'createList', " BODY("ListCreate") ", 'responses': {" JSON_OK(
        "201", "saved", "ListMeta") ", " JSON_OK("200", "replaced", "ListMeta") ", " ERR
    "}}},"
    "  '/api/lists/{name}': {"
    "   'get': {'summary': 'a list and a page of its snapshot', 'operationId': 'getList', "
    "'parameters': [" PATH_PARAM("name", "the list name") ", " PAGE_PARAMS
    "], 'responses': {" JSON_OK("200", "the list", "ListDetail") ", " ERR "}},"
    "   'delete': {'summary': 'remove a list (its owner or an admin)', 'operationId': "
    "'deleteList', 'parameters': [" PATH_PARAM("name", "the list name") "], 'responses': {"
    NO_CONTENT("removed") ", " ERR "}}},"
    "  '/api/lists/{name}/diff': {'get': {'summary': 'the snapshot against the query now', "
    "'operationId': 'diffList', 'parameters': [" PATH_PARAM("name", "the list name") ", "
    QUERY_PARAM("limit", "integer", "entries kept per section (counts are exact)")
    "], 'responses': {" JSON_OK("200", "added, dropped and changed", "ListDiff") ", " ERR
    "}}},"
    "  '/api/lists/{name}/export': {'get': {'summary': 'the snapshot as a file', "
    "'operationId': 'exportList', 'parameters': [" PATH_PARAM("name", "the list name") ", "
    FORMAT_PARAM "], 'responses': {" FILE_OK("the ranked snapshot") ", " ERR "}}},"

    /* ---- stats ---- */
    "  '/api/stats': {'get': {'summary': 'enterprise counts by status, province, section, "
    "track and qualification', 'operationId': 'stats', 'responses': {" JSON_OK(
        "200", "the counts", "Stats") ", " ERR "}}}"
    " },"

    /* ---- components ---- */
    " 'components': {"
    "  'securitySchemes': {"
    "   'session': {'type': 'apiKey', 'in': 'cookie', 'name': 'magnet_session'},"
    "   'bearer': {'type': 'http', 'scheme': 'bearer', 'description': 'an API token (mgt_...)'}"
    "  },"
    "  'parameters': {"
    "   'limit': {'name': 'limit', 'in': 'query', 'description': 'items per page (1 to "
    "max_page_size)', 'schema': {'type': 'integer', 'minimum': 1}},"
    "   'offset': {'name': 'offset', 'in': 'query', 'description': 'items to skip', "
    "'schema': {'type': 'integer', 'minimum': 0}},"
    "   'q': {'name': 'q', 'in': 'query', 'description': 'the query (docs/query.md), e.g. "
    "region:杭州 track:人工智能 capital>=1000 status:active; empty: every enterprise', "
    "'schema': {'type': 'string', 'maxLength': 4096}},"
    "   'sort': {'name': 'sort', 'in': 'query', 'description': 'capital, score, founded, "
    "staff or patents, with -asc for ascending (default: by score)', 'schema': {'type': "
    "'string'}},"
    "   'facets': {'name': 'facets', 'in': 'query', 'description': 'comma-separated: "
    "province, city, county, section, division, track, node, status, tag, round, year, "
    "capital', 'schema': {'type': 'string'}}"
    "  },"
    "  'responses': {"
    "   'Error': {'description': 'an error: 4xx for what the client can fix, 5xx otherwise', "
    "'content': {'application/json': {'schema': " REF("Error") "}}}"
    "  },"
    "  'schemas': {"
    "   'Error': {'type': 'object', 'required': ['error'], 'properties': {'error': {'type': "
    "'object', 'required': ['code', 'message', 'field'], 'properties': {'code': " STR
    ", 'message': " STR ", 'field': " NSTR "}}}},"
    "   'Health': {'type': 'object', 'required': ['status', 'enterprises', 'index_seq', "
    "'uptime_s'], 'properties': {'status': {'type': 'string', 'enum': ['ok', 'stopping']}, "
    "'enterprises': " INT ", 'index_seq': " INT ", 'uptime_s': " INT "}},"
    "   'Login': {'type': 'object', 'required': ['name', 'password'], 'properties': {'name': "
    STR ", 'password': " STR "}, 'additionalProperties': false},"
    "   'User': {'type': 'object', 'required': ['id', 'name', 'role', 'role_label', 'dept', "
    "'disabled', 'created', 'last_login'], 'properties': {'id': " INT ", 'name': " STR
    ", 'role': {'type': 'string', 'enum': ['admin', 'staff', 'leader', 'dept', 'viewer']}, "
    "'role_label': " STR ", 'dept': " NSTR ", 'disabled': " BOOL ", 'created': " STR
    ", 'last_login': " NSTR "}},"
    "   'LoginReply': {'type': 'object', 'required': ['user', 'csrf', 'expires', "
    "'idle_expires'], 'properties': {'user': " REF("User") ", 'csrf': {'type': 'string', "
    "'description': 'send as X-CSRF-Token on POST, PATCH and DELETE made with the cookie'}, "
    "'expires': " STR ", 'idle_expires': " STR "}},"
    "   'Me': {'type': 'object', 'required': ['user', 'via', 'expires'], 'properties': "
    "{'user': " REF("User") ", 'via': {'type': 'string', 'enum': ['session', 'token']}, "
    "'expires': " NSTR "}},"
    "   'PasswordChange': {'type': 'object', 'required': ['old_password', 'new_password'], "
    "'properties': {'old_password': " STR ", 'new_password': {'type': 'string', "
    "'description': 'at least 8 characters, not the user name'}}, 'additionalProperties': "
    "false},"
    "   'PasswordChanged': {'type': 'object', 'required': ['user', 'via', 'kept_session'], "
    "'properties': {'user': " REF("User") ", 'via': {'type': 'string', 'enum': ['session', "
    "'token']}, 'kept_session': {'type': ['integer', 'null'], 'description': 'the calling "
    "session (its id in GET /api/sessions), which stays open while every other session of "
    "the user ends; null for a token caller (every session ended, tokens stay)'}}},"
    "   'SessionInfo': {'type': 'object', 'required': ['id', 'user', 'remote', 'created', "
    "'last_seen', 'expires', 'current'], 'properties': {'id': " INT ", 'user': " STR
    ", 'remote': " STR ", 'created': " NSTR ", 'last_seen': " NSTR ", 'expires': " NSTR
    ", 'current': " BOOL "}},"
    "   'SessionPage': " PAGE("SessionInfo") ","
    "   'UserPage': " PAGE("User") ","
    "   'UserCreate': {'type': 'object', 'required': ['name', 'role', 'password'], "
    "'properties': {'name': " STR ", 'role': " STR ", 'dept': " NSTR ", 'password': " STR
    "}, 'additionalProperties': false},"
    "   'UserUpdate': {'type': 'object', 'properties': {'role': " STR ", 'dept': " NSTR
    ", 'password': " STR ", 'disabled': " BOOL "}, 'additionalProperties': false},"
    "   'Token': {'type': 'object', 'required': ['id', 'user', 'label', 'created', "
    "'expires', 'last_used', 'revoked'], 'properties': {'id': " INT ", 'user': " STR
    ", 'label': " NSTR ", 'created': " NSTR ", 'expires': " NSTR ", 'last_used': " NSTR
    ", 'revoked': " NSTR "}},"
    "   'TokenPage': " PAGE("Token") ","
    "   'TokenCreate': {'type': 'object', 'properties': {'label': " STR ", 'expires': "
    "{'type': ['string', 'integer'], 'description': 'a date, a time or unix seconds; none: "
    "never'}, 'user': {'type': 'string', 'description': 'another user (admin only)'}}, "
    "'additionalProperties': false},"
    "   'TokenCreated': {'type': 'object', 'required': ['id', 'token', 'user', 'label', "
    "'expires'], 'properties': {'id': " INT ", 'token': {'type': 'string', 'description': "
    "'the secret: shown this once'}, 'user': " STR ", 'label': " NSTR ", 'expires': " NSTR
    "}},"
    "   'AuditRow': {'type': 'object', 'required': ['id', 'at', 'user_id', 'user', 'remote', "
    "'action', 'entity', 'entity_id', 'before', 'after'], 'properties': {'id': " INT
    ", 'at': " STR ", 'user_id': " NINT ", 'user': " STR ", 'remote': " NSTR ", 'action': "
    STR ", 'entity': " STR ", 'entity_id': " NSTR ", 'before': {}, 'after': {}}},"
    "   'AuditPage': {'type': 'object', 'required': ['total', 'limit', 'offset', 'items', "
    "'next_before_id'], 'properties': {'total': " INT ", 'limit': " INT ", 'offset': " INT
    ", 'items': " ARR("AuditRow") ", 'next_before_id': " NINT "}},"
    "   'ScoreLine': {'type': 'object', 'required': ['dimension', 'factor', 'label', 'value', "
    "'points', 'max'], 'properties': {'dimension': " STR ", 'factor': " STR ", 'label': " STR
    ", 'value': " STR ", 'points': " INT ", 'max': " INT "}},"
    "   'ScreenItem': {'type': 'object', 'required': ['uscc', 'name', 'score', 'region', "
    "'industry', 'capital_wan', 'founded', 'status', 'staff', 'patents', 'tags', 'round'], "
    "'properties': {'uscc': " NSTR ", 'name': " STR ", 'score': " INT ", 'region': " NSTR
    ", 'region_name': " STR ", 'industry': " NSTR ", 'industry_name': " STR
    ", 'capital_wan': " NNUM ", 'founded': " NSTR ", 'status': " STR ", 'staff': " NINT
    ", 'patents': " NINT ", 'tags': {'type': 'array', 'items': " STR "}, 'round': " NSTR
    ", 'breakdown': " ARR("ScoreLine") "}},"
    "   'FacetValue': {'type': 'object', 'required': ['key', 'label', 'count'], "
    "'properties': {'key': " STR ", 'label': " STR ", 'count': " INT "}},"
    "   'ScreenResult': {'type': 'object', 'required': ['query', 'total', 'items', "
    "'took_ms', 'limit', 'offset'], 'properties': {'query': {'type': 'string', "
    "'description': 'the query in canonical form'}, 'total': " INT ", 'items': " ARR(
        "ScreenItem") ", 'facets': {'type': 'object', 'additionalProperties': " ARR(
        "FacetValue") "}, 'took_ms': " NUM ", 'limit': " INT ", 'offset': " INT "}},"
    "   'HistoryRow': {'type': 'object', 'required': ['field', 'label', 'batch'], "
    "'properties': {'field': " STR ", 'label': " STR ", 'old': " NSTR ", 'new': " NSTR
    ", 'batch': " INT ", 'file': " NSTR ", 'at': " NSTR "}},"
    "   'HistoryPage': {'type': 'object', 'required': ['total', 'limit', 'offset', 'items', "
    "'uscc'], 'properties': {'total': " INT ", 'limit': " INT ", 'offset': " INT
    ", 'items': " ARR("HistoryRow") ", 'uscc': " STR "}},"
    "   'EntChain': {'type': 'object', 'required': ['node', 'track', 'track_name', 'name', "
    "'stage', 'score', 'confidence', 'evidence'], 'properties': {'node': " STR ", 'track': "
    STR ", 'track_name': " NSTR ", 'name': " NSTR ", 'stage': " NSTR ", 'score': " NUM
    ", 'confidence': " NUM ", 'evidence': {}}},"
    "   'Enterprise': {'type': 'object', 'required': ['id', 'uscc', 'name', 'fields', "
    "'extra', 'origin', 'chains', 'history', 'history_total'], 'properties': {'id': " INT
    ", 'uscc': " STR ", 'name': " STR ", 'fields': {'type': 'object', 'description': 'every "
    "known field by its name (docs/formats.md); money as {cents, currency, text}, status "
    "and round as {code, text}'}, 'region_name': " STR ", 'industry_name': " STR
    ", 'extra': {'type': 'object', 'description': 'columns of the imported files that are "
    "not fields'}, 'origin': {'type': 'object', 'required': ['batch'], 'properties': "
    "{'batch': " INT ", 'file': " NSTR ", 'at': " NSTR "}}, 'chains': " ARR("EntChain")
    ", 'history': " ARR("HistoryRow") ", 'history_total': " INT ", 'score': " REF(
        "ScreenItem") "}},"
    "   'Issue': {'type': 'object', 'required': ['row', 'column', 'column_letter', 'value', "
    "'message'], 'properties': {'row': " INT ", 'column': " STR ", 'column_letter': " STR
    ", 'value': " STR ", 'message': " STR "}},"
    "   'ImportResult': {'type': 'object', 'required': ['source', 'sha256', 'batch', "
    "'written', 'dry_run', 'rows', 'inserted', 'updated', 'unchanged', 'rejected', "
    "'errors_total', 'warnings_total', 'errors', 'warnings', 'classified'], 'properties': "
    "{'source': " STR ", 'sha256': " STR ", 'batch': " NINT ", 'written': " BOOL
    ", 'dry_run': " BOOL ", 'header_row': " INT ", 'rows': " INT ", 'inserted': " INT
    ", 'updated': " INT ", 'unchanged': " INT ", 'rejected': " INT ", 'errors_total': " INT
    ", 'warnings_total': " INT ", 'errors': " ARR("Issue") ", 'warnings': " ARR("Issue")
    ", 'classified': {'type': ['object', 'null'], 'properties': {'enterprises': " INT
    ", 'placed': " INT ", 'placements': " INT "}}}},"
    "   'Job': {'type': 'object', 'required': ['id', 'state', 'file', 'size', 'user', "
    "'options', 'created', 'started', 'finished', 'progress', 'result', 'error', "
    "'rejects_url'], 'properties': {'id': " INT ", 'state': {'type': 'string', 'enum': "
    "['queued', 'running', 'done', 'rejected', 'failed'], 'description': 'rejected: invalid "
    "rows kept the file out (nothing written); failed: the file could not be imported'}, "
    "'file': " STR ", 'size': " INT ", 'user': " STR ", 'options': {'type': 'object', "
    "'required': ['skip_invalid', 'dry_run', 'classify', 'sheet'], 'properties': "
    "{'skip_invalid': " BOOL ", 'dry_run': " BOOL ", 'classify': " BOOL ", 'sheet': " NSTR
    "}}, 'created': " STR ", 'started': " NSTR ", 'finished': " NSTR ", 'progress': "
    "{'type': 'object', 'required': ['rows'], 'properties': {'rows': " INT "}}, 'result': "
    "{'oneOf': [" REF("ImportResult") ", {'type': 'null'}]}, 'error': " NSTR
    ", 'rejects_url': " NSTR "}},"
    "   'JobPage': " PAGE("Job") ","
    "   'Batch': {'type': 'object', 'required': ['id', 'kind', 'rows', 'inserted', "
    "'updated', 'unchanged', 'rejected'], 'properties': {'id': " INT ", 'kind': " STR
    ", 'file': " NSTR ", 'sha256': " NSTR ", 'sheet': " NSTR ", 'user': " NSTR
    ", 'started': " NSTR ", 'finished': " NSTR ", 'rows': " INT ", 'inserted': " INT ", 'updated': " INT
    ", 'unchanged': " INT ", 'rejected': " INT "}},"
    "   'BatchPage': " PAGE("Batch") ","
    "   'TrackNode': {'type': 'object', 'required': ['id', 'node', 'name', 'stage', "
    "'stage_label', 'enterprises'], 'properties': {'id': " STR ", 'node': " STR ", 'name': "
    STR ", 'stage': " STR ", 'stage_label': " STR ", 'enterprises': " INT "}},"
    "   'Track': {'type': 'object', 'required': ['id', 'name', 'kind', 'enterprises', "
    "'nodes'], 'properties': {'id': " STR ", 'name': " STR ", 'kind': {'type': 'string', "
    "'enum': ['chain', 'classification']}, 'enterprises': " INT ", 'nodes': " ARR(
        "TrackNode") "}},"
    "   'Chains': {'type': 'object', 'required': ['taxonomy', 'enterprises', 'tracks'], "
    "'properties': {'taxonomy': {'type': 'object', 'required': ['hash', 'source'], "
    "'properties': {'hash': " STR ", 'source': " STR "}}, 'enterprises': " INT ", 'tracks': "
    ARR("Track") "}},"
    "   'Firms': {'type': 'object', 'required': ['query', 'total', 'items'], 'properties': "
    "{'query': " STR ", 'total': " INT ", 'items': " ARR("ScreenItem") "}},"
    "   'ChainMapNode': {'type': 'object', 'required': ['id', 'name', 'stage', "
    "'stage_label', 'local', 'national', 'lq', 'gap', 'weak', 'leaders', 'candidates'], "
    "'properties': {'id': " STR ", 'name': " STR ", 'stage': " STR ", 'stage_label': " STR
    ", 'local': " INT ", 'national': " INT ", 'lq': " NNUM ", 'gap': " BOOL ", 'weak': " BOOL
    ", 'leaders': " REF("Firms") ", 'candidates': {'oneOf': [" REF("Firms") ", {'type': "
    "'null'}]}}},"
    "   'ChainMap': {'type': 'object', 'required': ['track', 'home', 'local_total', "
    "'national_total', 'weak_nodes', 'gap_nodes', 'nodes', 'took_ms'], 'properties': "
    "{'track': {'type': 'object', 'required': ['id', 'name', 'kind']}, 'home': {'type': "
    "'object', 'required': ['code', 'name']}, 'local_total': " INT ", 'national_total': " INT
    ", 'weak_nodes': " INT ", 'gap_nodes': " INT ", 'nodes': " ARR("ChainMapNode")
    ", 'took_ms': " NUM "}},"
    "   'ListCreate': {'type': 'object', 'required': ['name'], 'properties': {'name': "
    "{'type': 'string', 'description': '1 to 64 characters'}, 'query': {'type': 'string', "
    "'description': 'the screening query; empty: every enterprise'}, 'note': " NSTR
    ", 'replace': " BOOL "}, 'additionalProperties': false},"
    "   'ListMeta': {'type': 'object', 'required': ['name', 'query', 'note', 'user', "
    "'created', 'score_model', 'home', 'today', 'total'], 'properties': {'name': " STR
    ", 'query': " STR ", 'note': " NSTR ", 'user': " NSTR ", 'created': " STR
    ", 'score_model': " STR ", 'home': " NSTR ", 'today': " STR ", 'total': " INT "}},"
    "   'ListPage': " PAGE("ListMeta") ","
    "   'ListEntry': {'type': 'object', 'required': ['ent_id', 'uscc', 'score', 'name', "
    "'region', 'industry', 'founded', 'capital_wan', 'status', 'staff', 'patents', 'tags', "
    "'round'], 'properties': {'rank': " INT ", 'ent_id': " INT ", 'uscc': " NSTR
    ", 'score': " INT ", 'name': " STR ", 'region': " NSTR ", 'industry': " NSTR
    ", 'founded': " NSTR ", 'capital_wan': " NNUM ", 'status': " STR ", 'staff': " NINT
    ", 'patents': " NINT ", 'tags': {'type': 'array', 'items': " STR "}, 'round': " NSTR
    ", 'region_name': " STR ", 'industry_name': " STR "}},"
    "   'ListDetail': {'allOf': [" REF("ListMeta") ", {'type': 'object', 'required': "
    "['limit', 'offset', 'items'], 'properties': {'limit': " INT ", 'offset': " INT
    ", 'items': " ARR("ListEntry") "}}]},"
    "   'FieldChange': {'type': 'object', 'required': ['field', 'label', 'old', 'new', "
    "'old_text', 'new_text'], 'properties': {'field': " STR ", 'label': " STR ", 'old': {}, "
    "'new': {}, 'old_text': " STR ", 'new_text': " STR "}},"
    "   'ListDiff': {'type': 'object', 'required': ['name', 'query', 'saved', 'now', "
    "'score_model_changed', 'home_changed', 'counts', 'added', 'dropped', 'changed', "
    "'limit'], 'properties': {'name': " STR ", 'query': " STR ", 'saved': " REF("ListMeta")
    ", 'now': {'type': 'object', 'required': ['score_model', 'home', 'today', 'total']}, "
    "'score_model_changed': " BOOL ", 'home_changed': " BOOL ", 'counts': {'type': "
    "'object', 'required': ['added', 'dropped', 'changed', 'unchanged'], 'properties': "
    "{'added': " INT ", 'dropped': " INT ", 'changed': " INT ", 'unchanged': " INT "}}, "
    "'added': " ARR("ListEntry") ", 'dropped': {'type': 'array', 'items': {'type': "
    "'object', 'required': ['then', 'exists', 'now', 'fails', 'changes'], 'properties': "
    "{'then': " REF("ListEntry") ", 'exists': " BOOL ", 'fails': {'type': 'array', 'items': "
    STR "}, 'changes': " ARR("FieldChange") "}}}, 'changed': {'type': 'array', 'items': "
    "{'type': 'object', 'required': ['then', 'now', 'changes'], 'properties': {'then': "
    REF("ListEntry") ", 'now': " REF("ListEntry") ", 'changes': " ARR("FieldChange")
    "}}}, 'limit': " INT "}},"
    "   'Stats': {'type': 'object', 'required': ['total', 'index_seq', 'home', 'status', "
    "'province', 'section', 'track', 'tag', 'took_ms'], 'properties': {'total': " INT
    ", 'index_seq': " INT ", 'home': " NSTR ", 'status': " ARR("FacetValue")
    ", 'province': " ARR("FacetValue") ", 'section': " ARR("FacetValue") ", 'track': " ARR(
        "FacetValue") ", 'tag': " ARR("FacetValue") ", 'took_ms': " NUM "}}"
    "  }"
    " }"
    "}";

static char *doc;
static size_t doc_len;
static pthread_once_t doc_once = PTHREAD_ONCE_INIT;

static void make_doc(void)
{
    size_t i;
    doc_len = sizeof(doc_text) - 1;
    doc = xmalloc(doc_len + 1);
    for (i = 0; i <= doc_len; i++)
        doc[i] = doc_text[i] == '\'' ? '"' : doc_text[i];
}

const char *http_openapi_document(size_t *len)
{
    pthread_once(&doc_once, make_doc);
    if (len)
        *len = doc_len;
    return doc;
}
