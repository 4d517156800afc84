/*
 * server.c - the HTTP server on libmicrohttpd: start-up (store, taxonomy,
 * scoring, index), the life of one request (limits, routing,
 * authentication, body, handler, reply), metrics and the access log, and
 * the graceful shutdown on SIGTERM/SIGINT.
 *
 * The life of a request, as libmicrohttpd calls us:
 *   - the URI logger (before headers) allocates the request with the raw
 *     target, so every byte of it goes through url.c;
 *   - the first access-handler call (headers read) checks the connection
 *     limit, header size, target, route, credentials, role and CSRF, and
 *     the declared body size. A refusal of a request with a body is sent
 *     at once (and the connection closed: the body is not read); one
 *     without a body waits for the last call, like any reply;
 *   - the calls with body bytes stream them into the JSON buffer or the
 *     multipart parser, checking size and the request deadline;
 *   - the last call (no more bytes) runs the handler and queues the reply.
 * Queuing on the last call, never the first, is what keeps keep-alive:
 * libmicrohttpd closes the connection after a reply queued before it has
 * read the request whole.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "chain/taxonomy.h"
#include "http/api.h"
#include "index/index.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/region.h"
#include "registry/value.h"
#include "store/store.h"

/* Body bytes read and dropped after a request was refused mid-body before
 * the connection is cut without a reply. */
#define DISCARD_MAX (16u * 1024 * 1024)

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one request ---- */

struct req_state {
    struct api_req r;
    int started;          /* the first access-handler call happened */
    int counted;          /* in_flight was incremented */
    int expect_body;      /* Content-Length > 0 or chunked */
    uint64_t declared;    /* Content-Length, 0 unknown */
    double t_reply;       /* when the reply was queued */
    uint64_t discarded;   /* body bytes dropped after a refusal */
    uint64_t bytes_out;
};

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *con)
{
    struct req_state *s = xcalloc(1, sizeof(*s));
    s->r.srv = cls;
    s->r.conn = con;
    s->r.target = xstrdup(uri ? uri : "");
    s->r.resp_fd = -1;
    s->r.t0 = now_mono();
    strbuf_init(&s->r.body, 0);
    return s;
}

static enum api_method method_of(const char *m)
{
    static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                         "OPTIONS" };
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(m, names[i]))
            return (enum api_method)i;
    return M_OTHER;
}

static void client_address(struct api_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->remote, sizeof(r->remote), "?");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, r->remote,
                  sizeof(r->remote));
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
                  r->remote, sizeof(r->remote));
}

struct header_size {
    size_t bytes, count;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct header_size *h = cls;
    (void)kind;
    h->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
    h->count++;
    return MHD_YES;
}

/* Who is calling: a Bearer token, else the session cookie. 0 when the
 * caller is known or anonymous; -1 after an error reply. The check writes
 * nothing (it may run inside a read transaction, and must not wait behind
 * an import holding the write lock): what it would write (last seen, an
 * expired session) is written when the request is done (write_back). */
static int authenticate(struct api_req *r)
{
    const char *authz = api_header_in(r, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie;
    char sid[AUTH_SECRET_LEN + 1];
    struct error err = ERROR_INIT;
    int64_t now = auth_now();
    int rc;

    if (authz) {
        const char *t = authz;
        if (strncasecmp(t, "Bearer ", 7) != 0) {
            api_error(r, 401, "unauthorized", NULL,
                      "the Authorization header must be 'Bearer TOKEN'");
            api_add_header(r, "WWW-Authenticate", "Bearer");
            return -1;
        }
        t += 7;
        while (*t == ' ')
            t++;
        rc = auth_token_verify(r->st, t, now, &r->who, &err);
        if (rc < 0) {
            api_internal(r, "checking the token", &err);
            return -1;
        }
        if (rc == 0) {
            api_error(r, 401, "unauthorized", NULL,
                      "the API token is unknown, expired or revoked");
            api_add_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return -1;
        }
        r->authed = 1;
        return 0;
    }
    cookie = api_header_in(r, MHD_HTTP_HEADER_COOKIE);
    if (cookie && auth_cookie_parse(cookie, sid)) {
        rc = auth_session_verify(r->st, sid, now, &r->who, &err);
        if (rc < 0) {
            api_internal(r, "checking the session", &err);
            return -1;
        }
        r->authed = rc == 1;
    }
    return 0;
}

static int state_changing(enum api_method m)
{
    return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

/* The checks of the first call. Sets a reply when the request is refused. */
static void first_call(struct req_state *s, const char *method)
{
    struct api_req *r = &s->r;
    struct api_server *srv = r->srv;
    const struct http_config *cfg = srv->cfg;
    struct header_size hs = { 0, 0 };
    const char *field = NULL, *cl, *te;
    struct error err = ERROR_INIT;
    char allow[64];
    int rc;

    atomic_fetch_add(&srv->in_flight, 1);
    s->counted = 1;
    snprintf(r->method_text, sizeof(r->method_text), "%s", method);
    r->method = method_of(method);
    client_address(r);
    cl = api_header_in(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    te = api_header_in(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (cl) {
        char *end;
        errno = 0;
        s->declared = strtoull(cl, &end, 10);
        if (errno || *end || !*cl)
            s->declared = UINT64_MAX;
    }
    s->expect_body = (cl && s->declared > 0) || te != NULL;
    r->deadline = r->t0 + (double)cfg->num[HS_REQUEST_TIMEOUT];

    if (atomic_load(&srv->stopping)) {
        api_error(r, 503, "unavailable", NULL, "the server is shutting down");
        api_add_header(r, "Retry-After", "5");
        r->close = 1;  /* and let the connection go */
        return;
    }
    if (atomic_load(&srv->connections) > cfg->num[HS_MAX_CONNECTIONS]) {
        api_error(r, 503, "unavailable", NULL,
                  "too many connections (more than %lld); try again shortly",
                  (long long)cfg->num[HS_MAX_CONNECTIONS]);
        api_add_header(r, "Retry-After", "1");
        r->close = 1;
        return;
    }
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &hs);
    if (hs.bytes + strlen(r->target) + strlen(method) > (size_t)cfg->num[HS_MAX_HEADER_BYTES]) {
        api_error(r, 431, "headers_too_large", NULL,
                  "the request line and headers exceed %lld bytes",
                  (long long)cfg->num[HS_MAX_HEADER_BYTES]);
        return;
    }
    if (r->method == M_OTHER) {
        api_error(r, 405, "method_not_allowed", NULL, "method %s is not supported", method);
        return;
    }
    if (url_parse(r->target, &r->url, &field, &err) != 0) {
        api_error(r, err.code ? err.code : 400, err.code == 404 ? "not_found" : "bad_request",
                  field, "%s", err.msg);
        return;
    }
    rc = router_match(method, &r->url, &r->route, &r->route_index, r->params, allow,
                      sizeof(allow));
    if (rc == 405) {
        if (r->method == M_OPTIONS) {
            api_reply_empty(r, 204);
            api_add_header(r, "Allow", allow);
            return;
        }
        api_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here (allowed: %s)",
                  method, allow);
        api_add_header(r, "Allow", allow);
        return;
    }
    if (rc == 404) {
        /* a static file, unless it is an API path */
        if ((r->method == M_GET || r->method == M_HEAD) && srv->web_root[0] &&
            strncmp(r->url.path, "/api/", 5) != 0 && strcmp(r->url.path, "/api") != 0) {
            r->route_index = ROUTE_STATIC;
            return;  /* served on the last call */
        }
        api_error(r, 404, "not_found", NULL, "no such resource: %s", r->url.path);
        return;
    }

    /* authentication and authorisation */
    if (!(r->route->roles & AUTH_PUBLIC)) {
        r->st = store_pool_get(srv->pool, &err);
        if (!r->st) {
            api_internal(r, "opening the store", &err);
            return;
        }
        /* a read-only route: one read transaction from here to the reply,
         * the credential check included */
        if (r->route->flags & R_READ) {
            if (store_read_begin(r->st, &err) != 0) {
                api_internal(r, "beginning a read", &err);
                return;
            }
            r->reading = 1;
        }
        if (authenticate(r) != 0)
            return;
        if (!r->authed) {
            api_error(r, 401, "unauthorized", NULL,
                      "log in first (POST /api/session) or send 'Authorization: Bearer "
                      "TOKEN'");
            return;
        }
        if (!auth_role_allows(r->route->roles, r->who.user.role)) {
            api_error(r, 403, "forbidden", NULL, "role '%s' may not %s %s",
                      auth_role_name(r->who.user.role), r->route->method, r->route->pattern);
            return;
        }
        if (state_changing(r->method) && r->who.via == AUTH_VIA_SESSION &&
            !auth_csrf_check(&r->who, api_header_in(r, "X-CSRF-Token"))) {
            api_error(r, 403, "csrf", NULL,
                      "a request made with the session cookie needs the X-CSRF-Token header "
                      "(the csrf value login returned)");
            return;
        }
    } else if (r->route->flags & (R_BODY | R_INDEX | R_UPLOAD)) {
        r->st = store_pool_get(srv->pool, &err);
        if (!r->st) {
            api_internal(r, "opening the store", &err);
            return;
        }
    }
    auth_actor(&r->actor, r->authed ? &r->who : NULL, r->remote);

    /* the body */
    if (r->route->flags & R_UPLOAD) {
        if (s->declared != 0 && s->declared > (uint64_t)cfg->num[HS_MAX_UPLOAD_BYTES]) {
            api_error(r, 413, "payload_too_large", NULL, "the upload exceeds %lld bytes",
                      (long long)cfg->num[HS_MAX_UPLOAD_BYTES]);
            r->close = 1;
            return;
        }
        if (api_data_path(srv, "upload", ".part", r->upload_path, sizeof(r->upload_path),
                          &err) != 0) {
            api_internal(r, "making an upload file", &err);
            return;
        }
        r->mp = multipart_new(api_header_in(r, MHD_HTTP_HEADER_CONTENT_TYPE), "file",
                              r->upload_path, &err);
        if (!r->mp) {
            r->upload_path[0] = '\0';
            api_error(r, err.code, err.code == 415 ? "unsupported_media_type" : "bad_request",
                      NULL, "%s", err.msg);
            return;
        }
    } else if (s->declared != 0 && s->declared > (uint64_t)cfg->num[HS_MAX_BODY_BYTES]) {
        api_error(r, 413, "payload_too_large", NULL, "the request body exceeds %lld bytes",
                  (long long)cfg->num[HS_MAX_BODY_BYTES]);
        r->close = 1;
        return;
    }
}

static void body_data(struct req_state *s, const char *data, size_t len)
{
    struct api_req *r = &s->r;
    const struct http_config *cfg = r->srv->cfg;
    struct error err = ERROR_INIT;
    uint64_t limit = (uint64_t)cfg->num[r->mp ? HS_MAX_UPLOAD_BYTES : HS_MAX_BODY_BYTES];

    if (now_mono() > r->deadline) {
        api_error(r, 408, "timeout", NULL, "the request did not arrive within %lld seconds",
                  (long long)cfg->num[HS_REQUEST_TIMEOUT]);
        r->close = 1;
        return;
    }
    r->body_bytes += len;
    if (r->body_bytes > limit) {
        api_error(r, 413, "payload_too_large", NULL, "the %s exceeds %llu bytes",
                  r->mp ? "upload" : "request body", (unsigned long long)limit);
        r->close = 1;
        return;
    }
    if (r->mp) {
        if (multipart_feed(r->mp, data, len, &err) != 0) {
            if (err.code == 500)
                api_internal(r, "storing the upload", &err);
            else
                api_error(r, err.code ? err.code : 400, "bad_request", NULL, "%s", err.msg);
            r->close = 1;
        }
        return;
    }
    if (r->route && (r->route->flags & R_BODY))
        strbuf_add(&r->body, data, len);
}

/* The last call: everything has arrived. */
static void last_call(struct req_state *s)
{
    struct api_req *r = &s->r;
    struct error err = ERROR_INIT;

    if (r->route_index == ROUTE_STATIC) {
        if (!static_serve(r))
            api_error(r, 404, "not_found", NULL, "no such resource: %s", r->url.path);
        return;
    }
    if (r->mp && multipart_finish(r->mp, &err) != 0) {
        api_error(r, 400, "bad_request", NULL, "%s", err.msg);
        return;
    }
    if ((r->route->flags & R_INDEX) && api_refresh(r) != 0)
        return;
    r->route->handler(r);
    if (r->reading)
        store_read_end(r->st);  /* the reply is made: let writers' pages go */
    if (!r->status)
        api_error(r, 500, "internal", NULL, "the handler set no reply");
}

static enum MHD_Result queue(struct req_state *s)
{
    struct api_req *r = &s->r;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    size_t i;

    if (r->resp_fd >= 0) {
        resp = MHD_create_response_from_fd64(r->resp_fd_size, r->resp_fd);
        r->resp_fd = -1; /* the response owns it now */
        s->bytes_out = r->resp_fd_size;
    } else if (r->resp) {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
        s->bytes_out = r->resp_len;
        r->resp = NULL; /* the response frees it */
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->route_index != ROUTE_STATIC) {
        int has_cc = 0;
        for (i = 0; i < r->nheaders; i++)
            if (!strcasecmp(r->headers[i][0], "Cache-Control"))
                has_cc = 1;
        if (!has_cc)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    for (i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(r->conn, (unsigned int)r->status, resp);
    MHD_destroy_response(resp);
    r->queued = 1;
    s->t_reply = now_mono();
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct req_state *s = *con_cls;
    (void)url;
    (void)version;
    if (!s) {  /* no URI logger call: cannot happen with our options */
        s = uri_logger(cls, url, con);
        *con_cls = s;
    }
    if (!s->started) {
        s->started = 1;
        first_call(s, method);
        /* refuse at once only what would make us read a body we do not want */
        if (s->r.status && (s->r.close || s->expect_body)) {
            s->r.close = 1;
            return queue(s);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* libmicrohttpd takes a reply only before the body or after it:
         * once refused, the rest of the body is read and dropped (up to
         * DISCARD_MAX, then the connection is closed without a reply) and
         * the refusal goes out on the last call. */
        if (!s->r.status)
            body_data(s, upload_data, *upload_data_size);
        else if ((s->discarded += *upload_data_size) > DISCARD_MAX)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (s->r.queued)
        return MHD_YES;
    if (!s->r.status)
        last_call(s);
    return queue(s);
}

static void access_log(const struct req_state *s, double seconds)
{
    const struct api_req *r = &s->r;
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the path is decoded and checked, or the raw target when it was refused */
    fprintf(stderr, "%s %s %s %.200s %d %llu %.1fms %s%s%s\n", when, r->remote,
            r->method_text[0] ? r->method_text : "-", r->url.path ? r->url.path : "(bad target)",
            r->status, (unsigned long long)s->bytes_out, seconds * 1000,
            r->authed ? r->who.user.name : "-", r->error_code ? " " : "",
            r->error_code ? r->error_code : "");
}

/* What the credential check left to write: a session's or token's last
 * use (at most once a minute each) or an expired session's deletion. An
 * import may hold the write lock for minutes: this waits briefly, and when
 * the lock stays taken it is simply left for a later request (missing one
 * minute's touch costs nothing). */
static void write_back(struct api_req *r)
{
    struct error err = ERROR_INIT;
    int rc;
    if (!r->who.touch_due && !r->who.stale_session)
        return;
    store_set_busy_ms(r->st, 100);
    rc = auth_write_back(r->st, &r->who, auth_now(), &err);
    if (rc != 0 && !store_was_busy(r->st))
        fprintf(stderr, "magnet serve: recording the last use of %s's credential: %s\n",
                r->who.user.name[0] ? r->who.user.name : "a", err.msg);
    store_set_busy_ms(r->st, STORE_BUSY_MS);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct api_server *srv = cls;
    struct req_state *s = *con_cls;
    struct api_req *r;
    size_t i;
    (void)con;
    (void)toe;
    if (!s)
        return;
    r = &s->r;
    if (s->started) {
        double seconds = (s->t_reply ? s->t_reply : now_mono()) - r->t0;
        metrics_record(r->route_index, r->method_text, r->status, seconds, s->bytes_out);
        if (srv->cfg->num[HS_ACCESS_LOG])
            access_log(s, seconds);
    }
    if (r->st) {
        if (r->reading)
            store_read_end(r->st);
        write_back(r);
        store_pool_put(srv->pool, r->st);
    }
    multipart_free(r->mp);
    if (r->upload_path[0] && !r->upload_kept)
        unlink(r->upload_path);
    url_release(&r->url);
    strbuf_release(&r->body);
    free(r->resp);
    if (r->resp_fd >= 0)
        close(r->resp_fd);
    for (i = 0; i < r->nheaders; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    free(r->target);
    if (s->counted)
        atomic_fetch_sub(&srv->in_flight, 1);
    free(s);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct api_server *srv = cls;
    (void)con;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&srv->connections, 1);
    else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
        atomic_fetch_sub(&srv->connections, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fprintf(stderr, "magnet serve: libmicrohttpd: ");
    vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ---- */

static int resolve_home(const char *home, char out[10], struct error *err)
{
    const struct region *rg;
    size_t n;
    out[0] = '\0';
    if (!home || !*home)
        return 0;
    if (!(rg = region_resolve(home, &n)))
        return error_set(err, "home: region '%s' is %s", home,
                         n ? "ambiguous: give its code" : "unknown");
    snprintf(out, 10, "%s", rg->code);
    return 0;
}

static int make_dir(const char *path, struct error *err)
{
    struct stat st;
    if (mkdir(path, 0700) == 0)
        return 0;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return error_set(err, "data_dir: cannot create %s: %s", path, strerror(errno));
}

/* What an earlier run left in the data directory (it was killed, or it
 * stopped with jobs remembered in memory): only our own names go. */
static void clean_data_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[8400];
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strncmp(n, "upload-", 7) && strncmp(n, "export-", 7) && strncmp(n, "list-", 5) &&
            strncmp(n, "job-", 4))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, n);
        if (!strncmp(n, "job-", 4)) {
            DIR *jd = opendir(p);
            struct dirent *je;
            char q[8700];
            if (!jd)
                continue;
            while ((je = readdir(jd)) != NULL)
                if (strcmp(je->d_name, ".") && strcmp(je->d_name, "..")) {
                    snprintf(q, sizeof(q), "%s/%s", p, je->d_name);
                    unlink(q);
                }
            closedir(jd);
            rmdir(p);
        } else {
            unlink(p);
        }
    }
    closedir(d);
}

static int configure_auth(const struct http_config *c, struct error *err)
{
    struct auth_config a;
    auth_config_default(&a);
    a.session_idle = c->num[HS_SESSION_IDLE];
    a.session_absolute = c->num[HS_SESSION_ABSOLUTE];
    a.fail_max = (int)c->num[HS_LOGIN_FAIL_MAX];
    a.addr_fail_max = (int)c->num[HS_LOGIN_ADDR_FAIL_MAX];
    a.fail_window = c->num[HS_LOGIN_FAIL_WINDOW];
    a.lockout = c->num[HS_LOGIN_LOCKOUT];
    a.argon2_m_kib = (uint32_t)c->num[HS_ARGON2_M_KIB];
    a.argon2_t = (uint32_t)c->num[HS_ARGON2_T];
    return auth_configure(&a, err);
}

/* Load what the handlers share and build the index. */
static int server_open(struct api_server *s, const struct http_config *c, struct error *err)
{
    struct index_options opt;
    struct store *st;
    int64_t days;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = (size_t)c->num[HS_THREADS];

    memset(s, 0, sizeof(*s));
    s->cfg = c;
    s->started = time(NULL);
    s->max_page = (size_t)c->num[HS_MAX_PAGE_SIZE];
    pthread_mutex_init(&s->refresh_lock, NULL);
    if (configure_auth(c, err) != 0)
        return -1;
    if (resolve_home(c->str[HS_HOME], s->home, err) != 0)
        return -1;
    value_today(s->today_text);
    s->today = query_date_days(s->today_text, &days) == 0 ? days : 0;
    if ((c->str[HS_CHAINS][0] ? taxonomy_load_dir(c->str[HS_CHAINS], &s->tax, err)
                              : taxonomy_load_default(&s->tax, err)) != 0)
        return error_prefix(err, "chains: ");
    if (score_model_load(c->str[HS_SCORING][0] ? c->str[HS_SCORING] : NULL, &s->sm, err) != 0)
        return error_prefix(err, "scoring: ");
    if (c->str[HS_WEB_DIR][0]) {
        char *rp = realpath(c->str[HS_WEB_DIR], NULL);
        struct stat sb;
        if (rp && stat(rp, &sb) == 0 && S_ISDIR(sb.st_mode))
            snprintf(s->web_root, sizeof(s->web_root), "%s", rp);
        else
            fprintf(stderr, "magnet serve: web_dir %s is not a directory: no web UI\n",
                    c->str[HS_WEB_DIR]);
        free(rp);
    }
    if (!threads)
        threads = ncpu > 2 ? (size_t)ncpu * 2 : 4;
    s->pool = store_pool_new(c->str[HS_DB], threads + (size_t)c->num[HS_MAX_JOBS] + 2,
                             c->num[HS_STORE_CACHE] / 1024, c->num[HS_STORE_MMAP], err);
    if (!s->pool)
        return -1;
    /* the data directory once the store is known to be there */
    if (c->str[HS_DATA_DIR][0])
        snprintf(s->data_dir, sizeof(s->data_dir), "%s", c->str[HS_DATA_DIR]);
    else
        snprintf(s->data_dir, sizeof(s->data_dir), "%s.files", c->str[HS_DB]);
    if (make_dir(s->data_dir, err) != 0)
        return -1;
    clean_data_dir(s->data_dir);
    st = store_pool_get(s->pool, err);
    if (!st)
        return -1;
    memset(&opt, 0, sizeof(opt));
    opt.taxonomy = s->tax;
    opt.scoring = s->sm;
    opt.home = s->home[0] ? s->home : NULL;
    opt.today = s->today;
    if (index_build(st, &opt, &s->ix, err) != 0) {
        store_pool_put(s->pool, st);
        return -1;
    }
    store_pool_put(s->pool, st);
    api_index_note(s);
    s->ent_cache = reply_cache_new((size_t)c->num[HS_ENT_CACHE]);
    s->jobs = jobs_new(s);
    metrics_init(api_nroutes);
    return 0;
}

static void server_close(struct api_server *s, int64_t job_timeout)
{
    if (s->jobs)
        jobs_free(s->jobs, job_timeout);
    index_free(s->ix);
    reply_cache_free(s->ent_cache);
    store_pool_free(s->pool);   /* closing checkpoints the WAL */
    score_model_free(s->sm);
    taxonomy_free(s->tax);
    pthread_mutex_destroy(&s->refresh_lock);
}

static int listen_addr(const struct http_config *c, struct sockaddr_storage *ss,
                       struct error *err)
{
    char host[128];
    int port;
    memset(ss, 0, sizeof(*ss));
    if (http_listen_parse(c->str[HS_LISTEN], host, sizeof(host), &port, err) != 0)
        return -1;
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return error_set(err, "listen: '%s' is not an IPv6 address", host);
        return 0;
    }
    {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (!host[0] || !strcmp(host, "*"))
            a->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (!strcmp(host, "localhost"))
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return error_set(err, "listen: '%s' is not an IPv4 address (use [::1] for IPv6)",
                             host);
    }
    return 0;
}

int http_serve(const struct http_config *c, void (*ready)(int port, void *ctx), void *ctx,
               struct error *err)
{
    struct api_server srv;
    struct MHD_Daemon *d;
    struct sockaddr_storage ss;
    sigset_t set, old;
    const union MHD_DaemonInfo *info;
    unsigned int threads = (unsigned int)c->num[HS_THREADS], flags;
    size_t mem_limit;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double stop_at;
    int sig = 0, port = 0;

    if (listen_addr(c, &ss, err) != 0)
        return -1;
    /* Signals are taken by sigwait() below: block them before any thread
     * starts, so that every thread inherits the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    signal(SIGPIPE, SIG_IGN);

    if (server_open(&srv, c, err) != 0) {
        server_close(&srv, 0);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    if (!threads)
        threads = ncpu > 2 ? (unsigned int)ncpu * 2 : 4;
    /* libmicrohttpd keeps the request line and headers in this pool with
     * its read buffer: room for our own header limit (checked with a JSON
     * 431 in first_call) and more, so that it is ours that answers. */
    mem_limit = (size_t)c->num[HS_MAX_HEADER_BYTES] + 16 * 1024;
    if (mem_limit < 32 * 1024)
        mem_limit = 32 * 1024;  /* it is cleared for every request: no bigger than needed */
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)c->num[HS_MAX_CONNECTIONS] + 16 * threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)c->num[HS_IDLE_TIMEOUT], MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem_limit,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_URI_LOG_CALLBACK, uri_logger, &srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, &srv, MHD_OPTION_END);
    if (!d) {
        error_set(err, "cannot listen on %s: %s", c->str[HS_LISTEN],
                  errno ? strerror(errno) : "libmicrohttpd refused to start");
        server_close(&srv, 0);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        port = info->port;
    if (ready)
        ready(port, ctx);

    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "magnet serve: %s: stopping (in-flight requests finish, store "
                    "checkpointed)\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    atomic_store(&srv.stopping, 1);
    {
        MHD_socket ls = MHD_quiesce_daemon(d);
        if (ls != MHD_INVALID_SOCKET)
            close(ls);
    }
    stop_at = now_mono() + (double)c->num[HS_SHUTDOWN_TIMEOUT];
    while (atomic_load(&srv.in_flight) > 0 && now_mono() < stop_at) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    server_close(&srv, (int64_t)(stop_at - now_mono() > 0 ? stop_at - now_mono() : 0));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return 0;
}
