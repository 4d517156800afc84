/*
 * http.h - the HTTP JSON API server (`magnet serve`): its settings and
 * the call that runs it. Everything else of src/http/ is internal
 * (api.h); docs/api.md is the user's manual and the OpenAPI document
 * (GET /api/openapi.json) the contract.
 *
 * Settings come from, in increasing precedence: the built-in defaults, a
 * config file (--config FILE: "key = value" lines), the environment
 * (MAGNET_ plus the key in upper case: MAGNET_LISTEN, MAGNET_DB, ...) and
 * the command line. Each setting remembers where its value came from, for
 * `magnet serve --print-config` and the log line at start.
 */
#ifndef MAGNET_HTTP_HTTP_H
#define MAGNET_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

enum http_setting {
    HS_LISTEN = 0,          /* "127.0.0.1:8080", "[::1]:8080", ":8080" */
    HS_DB,                  /* the store */
    HS_HOME,                /* home district (code or name) */
    HS_CHAINS,              /* taxonomy directory, "" built in */
    HS_SCORING,             /* scoring model file, "" built in */
    HS_WEB_DIR,             /* static files of the web UI, "" none */
    HS_DATA_DIR,            /* uploads, rejects and exports; "" = DB + ".files" */
    HS_THREADS,             /* worker threads, 0 = 2 per CPU (at least 4) */
    HS_STORE_CACHE,         /* SQLite page cache per store connection */
    HS_STORE_MMAP,          /* memory map of the store file, per connection */
    HS_ENT_CACHE,           /* enterprise replies cached (entries), 0 none */
    HS_MAX_CONNECTIONS,
    HS_MAX_HEADER_BYTES,    /* request line plus headers */
    HS_MAX_BODY_BYTES,      /* a JSON request body */
    HS_MAX_UPLOAD_BYTES,    /* a multipart import upload */
    HS_REQUEST_TIMEOUT,     /* seconds for a request to arrive whole */
    HS_IDLE_TIMEOUT,        /* seconds a keep-alive connection may idle */
    HS_MAX_PAGE_SIZE,       /* the largest limit= of any list */
    HS_MAX_JSON_DEPTH,      /* nesting of a JSON request body */
    HS_EXPORT_MAX_ROWS,     /* rows of a screening export */
    HS_MAX_JOBS,            /* imports running at once */
    HS_JOB_KEEP,            /* finished import jobs remembered */
    HS_SHUTDOWN_TIMEOUT,    /* seconds to let requests and imports finish on SIGTERM */
    HS_COOKIE_SECURE,       /* mark the session cookie Secure (behind TLS) */
    HS_ACCESS_LOG,          /* one line per request on stderr */
    HS_SESSION_IDLE,        /* auth_config: seconds */
    HS_SESSION_ABSOLUTE,
    HS_LOGIN_FAIL_MAX,
    HS_LOGIN_ADDR_FAIL_MAX,
    HS_LOGIN_FAIL_WINDOW,
    HS_LOGIN_LOCKOUT,
    HS_ARGON2_M_KIB,
    HS_ARGON2_T,
    HS_COUNT_
};

struct http_config {
    char *str[HS_COUNT_];      /* the value as text (owned), for every setting */
    int64_t num[HS_COUNT_];    /* the value as a number, for numeric settings */
    char *origin[HS_COUNT_];   /* "default", "FILE:LINE", "env MAGNET_X", "flag" (owned) */
};

/* Defaults. */
void http_config_init(struct http_config *c);
void http_config_release(struct http_config *c);

/* The setting called key ("max_body_bytes"), or -1. */
int http_setting_find(const char *key);
const char *http_setting_key(enum http_setting s);
const char *http_setting_help(enum http_setting s);

/* Set key to value (sizes take K/M/G suffixes, booleans on/off/true/false/
 * 1/0, durations a number of seconds or with s/m/h). -1 with err naming
 * the key and the allowed range. origin is copied. */
int http_config_set(struct http_config *c, const char *key, const char *value,
                    const char *origin, struct error *err);
/* "key = value" lines; # comments and blank lines ignored. An unknown key
 * or a bad value is an error naming FILE:LINE. */
int http_config_load_file(struct http_config *c, const char *path, struct error *err);
/* MAGNET_<KEY> for every setting that is set and not empty. */
int http_config_load_env(struct http_config *c, struct error *err);
/* Every setting with its value and origin, as a JSON object. */
void http_config_json(const struct http_config *c, struct strbuf *out);

/* Split a listen address into host and port: "127.0.0.1:8080",
 * "[::1]:8080", ":8080" (all interfaces), "8080". */
int http_listen_parse(const char *s, char *host, size_t host_size, int *port,
                      struct error *err);

/* Open the store, build the index, listen, and serve until SIGTERM or
 * SIGINT; then stop accepting, let in-flight requests (and, for at most
 * shutdown_timeout seconds, running imports) finish, and close the store
 * (which checkpoints it). ready (may be NULL) is called once listening,
 * with the port (useful with port 0). Returns 0, or -1 with err. */
int http_serve(const struct http_config *c, void (*ready)(int port, void *ctx), void *ctx,
               struct error *err);

/* The route table as JSON: [{"method","pattern","roles":[...],"public"}]
 * (`magnet serve --routes`; the role-matrix test walks it). */
void http_routes_json(struct strbuf *out);

/* The OpenAPI 3.1 document served at /api/openapi.json (NUL-terminated,
 * static). */
const char *http_openapi_document(size_t *len);

#endif
