/*
 * api.h - what the parts of the HTTP server share (internal to src/http/):
 * the server's state, a request and its response, the route table, the
 * helpers every handler uses (parameters, JSON bodies, errors), and the
 * handlers themselves, one file per resource (h_*.c).
 *
 * A handler only parses its input, calls the core library and renders the
 * result (CONVENTIONS.md #2): no SQL, no socket. It runs on a worker
 * thread once the whole request has arrived, with the caller already
 * authenticated and allowed by the route table, and must set exactly one
 * response through api_reply_* or api_error.
 *
 * Errors are always {"error":{"code","message","field"}} (field null when
 * the problem is not about one input) with a 4xx for anything the client
 * can fix; a 500 means a bug or a broken store, never bad input.
 */
#ifndef MAGNET_HTTP_API_H
#define MAGNET_HTTP_API_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "http/http.h"

struct MHD_Connection;
struct store;
struct index;
struct taxonomy;
struct score_model;

/* ---- URLs (url.c) ---- */

#define URL_MAX_SEGMENTS 16
#define URL_MAX_ARGS 32
#define URL_MAX_ARG_BYTES 4096  /* one decoded key or value */

struct url_arg {
    char *key, *value;   /* decoded, valid UTF-8, no NUL (owned) */
};

struct url {
    char *path;                        /* decoded path (owned) */
    char *segs[URL_MAX_SEGMENTS];      /* decoded segments of the path (owned) */
    size_t nsegs;
    struct url_arg args[URL_MAX_ARGS];
    size_t nargs;
};

/* Parse a request target "/a/b%20c?x=1&y=%E4%B8%AD". Segments are decoded
 * one by one (so %2F stays inside its segment), '+' is a space in the
 * query only. Refused (-1, err->code = the HTTP status, the message says
 * why; *field the parameter when one is to blame): a target not starting
 * with '/', bad %-escapes, a decoded NUL or control character, invalid
 * UTF-8, more than URL_MAX_SEGMENTS segments or URL_MAX_ARGS
 * parameters, a parameter longer than URL_MAX_ARG_BYTES, or one given
 * twice. */
int url_parse(const char *target, struct url *out, const char **field, struct error *err);
void url_release(struct url *u);
/* The value of parameter key, or NULL. */
const char *url_arg(const struct url *u, const char *key);

/* ---- JSON bodies (json.c) ---- */

/* Parse a request body: a JSON object, nested at most max_depth deep, no
 * duplicate keys, valid UTF-8 without NUL. -1 with err (code 400). */
int api_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out,
                   struct error *err);

/* Field checks for request bodies: each returns 0 and the value, or -1
 * with err->msg saying what is wrong (the caller answers 400 naming the
 * field). Absent or null optional fields leave *out untouched. */
int api_body_string(json_t *obj, const char *key, int required, size_t max_bytes,
                    const char **out, struct error *err);
int api_body_bool(json_t *obj, const char *key, int *out, struct error *err);
int api_body_int(json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                 struct error *err);
/* The first key of obj not in allowed (NULL-terminated), or NULL. */
const char *api_body_unknown(json_t *obj, const char *const *allowed);

/* ---- query parameters (params.c) ---- */

/* A problem with the request: the status, error code and field of the
 * reply. */
struct api_problem {
    int status;
    const char *code;        /* "invalid_parameter", ... */
    char field[64];
    char message[512];
};

/* limit and offset of a paginated list: limit 1..max_page (default
 * def_limit), offset 0..max_offset. */
int api_page_parse(const struct url *u, size_t def_limit, size_t max_page, size_t max_offset,
                   size_t *limit, size_t *offset, struct api_problem *p);
/* A whole number parameter in [min, max]; absent leaves *out. */
int api_int_param(const struct url *u, const char *key, int64_t min, int64_t max,
                  int64_t *out, struct api_problem *p);
/* A boolean parameter: 1/0/true/false/yes/no; absent leaves *out. */
int api_bool_param(const struct url *u, const char *key, int *out, struct api_problem *p);

/* The screening parameters of GET /api/enterprises and its export:
 * q, sort (capital|score|founded|staff|patents, -asc for ascending),
 * limit, offset, facets, explain (and extra, one more allowed key, or NULL);
 * any other parameter is refused. The query string handed to the engine is
 * q plus " sort:SORT" (owned by out). */
struct api_screen_params {
    char *q;                 /* owned */
    size_t limit, offset;
    uint32_t facets;
    int explain;
};
int api_screen_params_parse(const struct url *u, size_t max_page, const char *extra,
                            struct api_screen_params *out, struct api_problem *p);
void api_screen_params_release(struct api_screen_params *s);

/* ---- multipart/form-data (multipart.c) ---- */

#define MULTIPART_MAX_FIELDS 16
#define MULTIPART_MAX_FIELD_BYTES 4096

struct multipart;
struct multipart_field {
    char name[64];
    char *value;   /* owned, text fields only */
};

/* A streaming parser for one request body. The part named file_field is
 * written to file_path as it arrives (at most one such part); other parts
 * are kept as fields of at most MULTIPART_MAX_FIELD_BYTES. */
struct multipart *multipart_new(const char *content_type, const char *file_field,
                                const char *file_path, struct error *err);
/* Feed the next bytes. -1 with err (code 400, or 413) on a malformed body. */
int multipart_feed(struct multipart *m, const char *data, size_t len, struct error *err);
/* After the last byte: -1 when the body ended early. */
int multipart_finish(struct multipart *m, struct error *err);
/* The file part: 1 with its client file name and size when there was one. */
int multipart_file(const struct multipart *m, const char **filename, uint64_t *size);
const char *multipart_field(const struct multipart *m, const char *name);
/* The first text field whose name is not in known (NULL-terminated), or NULL. */
const char *multipart_unknown(const struct multipart *m, const char *const *known);
void multipart_free(struct multipart *m);

/* ---- the server ---- */

/* A pool of store connections (a connection is one thread's at a time). */
struct store_pool;
struct store_pool *store_pool_new(const char *path, size_t max, int64_t cache_kib,
                                  int64_t mmap_bytes, struct error *err);
struct store *store_pool_get(struct store_pool *p, struct error *err);
void store_pool_put(struct store_pool *p, struct store *st);
/* Close every connection (each checkpoints). */
void store_pool_free(struct store_pool *p);

struct jobs;   /* import jobs (jobs.c) */

/* Rendered replies valid for one store change-log sequence (cache.c). */
struct reply_cache;
/* A cache of about slots entries; 0 slots: NULL, which every call takes
 * as a cache that never hits. */
struct reply_cache *reply_cache_new(size_t slots);
void reply_cache_free(struct reply_cache *c);
/* A copy (caller frees) of the reply cached for key at seq, or NULL. */
char *reply_cache_get(struct reply_cache *c, const char *key, int64_t seq, size_t *len);
void reply_cache_put(struct reply_cache *c, const char *key, int64_t seq, const char *text,
                     size_t len);

struct api_server {
    const struct http_config *cfg;
    struct taxonomy *tax;
    struct score_model *sm;
    struct index *ix;
    char home[10];              /* resolved code, "" none */
    int64_t today;              /* days since 1970 */
    char today_text[11];
    char data_dir[4096];
    char web_root[4096];        /* realpath of web_dir, "" none */
    struct store_pool *pool;
    pthread_mutex_t refresh_lock;
    struct jobs *jobs;
    struct reply_cache *ent_cache;  /* GET /api/enterprises/:uscc replies */
    int64_t started;            /* unix seconds */
    atomic_int connections;     /* open now */
    atomic_int in_flight;       /* requests being handled now */
    atomic_int stopping;
    size_t max_page;
    /* the index's size and sequence, noted after each build or refresh
     * (under refresh_lock), for /healthz and /metrics without the index lock */
    _Atomic uint64_t ix_docs;
    _Atomic int64_t ix_seq;
};

/* Note the index's size and sequence; call with refresh_lock held (or
 * before the server starts). */
void api_index_note(struct api_server *s);

/* The request and its response. */
#define API_MAX_PARAMS 4
#define API_MAX_HEADERS 8

enum api_method { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS, M_OTHER };

struct route;

struct api_req {
    struct api_server *srv;
    struct MHD_Connection *conn;
    char *target;                  /* the request target as received (owned) */
    enum api_method method;
    char method_text[16];
    struct url url;
    const struct route *route;     /* NULL: no route (static file or 404) */
    int route_index;               /* for metrics: index in the table, or a pseudo route */
    const char *params[API_MAX_PARAMS];  /* values of :name segments, in pattern order */
    char remote[64];
    double t0;                     /* monotonic seconds at arrival */
    double deadline;

    /* the body */
    struct strbuf body;
    uint64_t body_bytes;
    struct multipart *mp;
    char upload_path[4200];        /* "" none */
    int upload_kept;               /* a job took the upload file */

    /* the caller */
    struct store *st;              /* from the pool, for the whole request */
    struct auth_principal who;
    int authed;                    /* who is set */
    struct audit_actor actor;

    /* the response */
    int status;                    /* 0: none yet */
    char *resp;                    /* owned body, or NULL */
    size_t resp_len;
    const char *content_type;
    int resp_fd;                   /* a file body (owned), or -1 */
    uint64_t resp_fd_size;
    char *headers[API_MAX_HEADERS][2];  /* owned name, value */
    size_t nheaders;
    const char *error_code;        /* of an error reply, for the access log */
    int queued;
    int close;                     /* answer early and close (body not read) */
    int reading;                   /* in a read transaction (R_READ) */
};

/* Route flags. */
#define R_INDEX 1u    /* refresh the index before the handler */
#define R_UPLOAD 2u   /* multipart body streamed to a file (max_upload_bytes) */
#define R_BODY 4u     /* a JSON body is expected */
#define R_READ 8u     /* the handler only reads the store: it runs in one read
                       * transaction (one state, one WAL read lock) */

struct route {
    const char *method;            /* "GET", "POST", ... */
    const char *pattern;           /* "/api/enterprises/:uscc" */
    void (*handler)(struct api_req *r);
    auth_role_mask roles;          /* who may call it (AUTH_PUBLIC: anyone) */
    unsigned flags;
    const char *summary;
};

extern const struct route api_routes[];
extern const size_t api_nroutes;

/* Match method and path: 0 and *route (params filled) when found; 404
 * when no pattern matches the path; 405 when one does but not for this
 * method (allow gets "GET, POST"). */
int router_match(const char *method, const struct url *u, const struct route **route,
                 int *index, const char **params, char *allow, size_t allow_size);

/* ---- helpers for handlers (response.c) ---- */

/* The value of :name in the route's pattern. */
const char *api_param(const struct api_req *r, const char *name);
/* The value of query parameter key, or NULL. */
const char *api_arg(const struct api_req *r, const char *key);
/* A request header, or NULL. */
const char *api_header_in(const struct api_req *r, const char *name);

/* Reply with JSON: o is stolen. */
void api_reply_json(struct api_req *r, int status, json_t *o);
/* Reply with JSON text already made (copied). */
/* A JSON reply written with jsonw: takes sb's buffer (sb is left empty). */
void api_reply_strbuf(struct api_req *r, int status, struct strbuf *sb);
void api_reply_text(struct api_req *r, int status, const char *content_type, const char *text,
                    size_t len);
/* Reply with an open file (fd is owned by the response from now on). */
void api_reply_fd(struct api_req *r, int status, const char *content_type, int fd,
                  uint64_t size);
void api_reply_empty(struct api_req *r, int status);
/* Add a response header (copied). */
void api_add_header(struct api_req *r, const char *name, const char *value);
/* Reply {"error":{"code","message","field"}}. field may be NULL. */
void api_error(struct api_req *r, int status, const char *code, const char *field,
               const char *fmt, ...) MAGNET_PRINTF(5, 6);
void api_problem_reply(struct api_req *r, const struct api_problem *p);
/* Map a store/library error: 500 with a generic message (the detail goes
 * to the log, not to the client). */
void api_internal(struct api_req *r, const char *what, const struct error *err);
/* Map an auth.h or audit.h error code to the right reply. */
void api_auth_error(struct api_req *r, const struct error *err);

/* Parse the JSON body (R_BODY routes): the object, or NULL after a reply
 * (400 malformed, 415 wrong content type, 400 missing). */
json_t *api_body(struct api_req *r);

/* Bring the index up to date with the store (every write of this server
 * does it before answering; reads do it first). 0, or -1 after a reply. */
int api_refresh(struct api_req *r);

/* The store of this request (from the pool). */
static inline struct store *api_store(struct api_req *r)
{
    return r->st;
}

/* Make a file name in the data directory: DIR/PREFIX-RANDOM.EXT (out of
 * size bytes). */
int api_data_path(struct api_server *s, const char *prefix, const char *ext, char *out,
                  size_t size, struct error *err);

/* Content-Disposition for a download (ASCII fallback plus RFC 5987 UTF-8). */
void api_attachment(struct api_req *r, const char *filename);
/* Reply with the export just written at path (an XLSX, or a CSV when csv),
 * as a download named filename with X-Magnet-Rows: rows. The file is
 * unlinked at once (the open descriptor keeps it until it is sent). */
void api_reply_export(struct api_req *r, const char *path, int csv, const char *filename,
                      int64_t rows);

/* ---- metrics (metrics.c) ---- */

void metrics_init(size_t nroutes);
void metrics_record(int route_index, const char *method, int status, double seconds,
                    uint64_t bytes_out);
/* The Prometheus text exposition of every metric. */
void metrics_render(struct api_server *s, struct strbuf *out);

/* Pseudo route indexes for metrics. */
#define ROUTE_STATIC (-2)
#define ROUTE_NONE (-1)

/* ---- static files (static.c) ---- */

/* Serve GET/HEAD path from the web directory: 1 when a reply was set
 * (a file, 304, or an error), 0 when there is no such file (the caller
 * answers 404). */
int static_serve(struct api_req *r);
/* The MIME type of a file name by its extension. */
const char *static_mime_type(const char *name);

/* ---- import jobs (jobs.c) ---- */

struct job_options {
    int skip_invalid;   /* import the valid rows, reject the others */
    int dry_run;        /* validate and count only */
    int classify;       /* place the imported enterprises in chain nodes */
    char sheet[256];    /* XLSX sheet, "" the first */
};

struct jobs *jobs_new(struct api_server *s);
/* Queue an import of the uploaded file (moved into the job's directory
 * under filename, made safe). -1 with err->code 503 when max_jobs are
 * waiting or running, 500 when the file cannot be moved. */
int jobs_submit(struct jobs *j, const char *upload, const char *filename, uint64_t size,
                const struct job_options *o, const struct audit_actor *who, int64_t *id,
                struct error *err);
/* A job as JSON, or NULL when there is no such job. */
json_t *jobs_get_json(struct jobs *j, int64_t id);
/* A page of jobs, newest first. */
json_t *jobs_list_json(struct jobs *j, size_t limit, size_t offset);
/* The rejects file of job id: 1 with its path and a download name, 0 when
 * the job has none (yet), -1 when there is no such job. */
int jobs_rejects(struct jobs *j, int64_t id, char *path, size_t size, char *name,
                 size_t name_size);
/* Wait up to timeout seconds for running jobs, then free what is done. */
void jobs_free(struct jobs *j, int64_t timeout);
int jobs_running(struct jobs *j);

/* ---- the OpenAPI document (openapi.c) ---- */

/* ---- handlers, one file per resource ---- */

/* h_system.c */
void h_healthz(struct api_req *r);
void h_metrics(struct api_req *r);
void h_openapi(struct api_req *r);
/* h_session.c */
void h_session_login(struct api_req *r);
void h_session_get(struct api_req *r);
void h_session_logout(struct api_req *r);
void h_sessions_list(struct api_req *r);
void h_session_revoke(struct api_req *r);
void h_session_password(struct api_req *r);
/* h_users.c */
void h_users_list(struct api_req *r);
void h_user_create(struct api_req *r);
void h_user_get(struct api_req *r);
void h_user_update(struct api_req *r);
void h_user_unlock(struct api_req *r);
/* h_tokens.c */
void h_tokens_list(struct api_req *r);
void h_token_create(struct api_req *r);
void h_token_revoke(struct api_req *r);
/* h_audit.c */
void h_audit_list(struct api_req *r);
/* h_enterprises.c */
void h_screen(struct api_req *r);
void h_screen_export(struct api_req *r);
void h_enterprise_get(struct api_req *r);
void h_enterprise_history(struct api_req *r);
/* h_imports.c */
void h_imports_list(struct api_req *r);
void h_import_create(struct api_req *r);
void h_import_get(struct api_req *r);
void h_import_rejects(struct api_req *r);
void h_batches_list(struct api_req *r);
/* h_chains.c */
void h_chains_list(struct api_req *r);
void h_chain_get(struct api_req *r);
void h_chain_map(struct api_req *r);
/* h_lists.c */
void h_lists_list(struct api_req *r);
void h_list_create(struct api_req *r);
void h_list_get(struct api_req *r);
void h_list_diff(struct api_req *r);
void h_list_export(struct api_req *r);
void h_list_delete(struct api_req *r);
/* h_stats.c */
void h_stats(struct api_req *r);

/* render.c: the XLSX/CSV table of ranked entries (the columns of `magnet
 * list export`). The JSON of lists is index/list_json.h. */
struct list_entry;
int render_entries_table(const char *path, const char *sheet, int csv_bom,
                         const struct list_entry *e, size_t n, struct error *err);

/* "xlsx" (default) or "csv" from the format parameter: 0 or 1, or -1
 * after a reply (h_enterprises.c). */
int api_export_format(struct api_req *r);
/* A numeric :id path parameter: 0 and *out, or -1 after a reply. */
int api_id_param(struct api_req *r, const char *name, int64_t *out);

/* auth_user_json() as a JSON value (h_session.c). */
json_t *api_user_json(const struct auth_user *u);

/* Small JSON helpers. */
json_t *api_str_or_null(const char *s);
/* unix seconds -> "YYYY-MM-DDTHH:MM:SSZ"; 0 -> null. */
json_t *api_time_json(int64_t t);
/* A page wrapper: {"total", "limit", "offset", "items"} (items stolen). */
json_t *api_page_json(json_t *items, uint64_t total, size_t limit, size_t offset);

#endif
