/*
 * response.c - what handlers use to read a request and set its reply:
 * parameters, headers, the JSON body, JSON and file replies, and the one
 * error shape {"error":{"code","message","field"}}.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "index/index.h"
#include "http/api.h"

const char *api_param(const struct api_req *r, const char *name)
{
    const char *p;
    size_t n = strlen(name), k = 0;
    if (!r->route)
        return NULL;
    for (p = r->route->pattern; (p = strchr(p, ':')) != NULL; p++) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
        if (len == n && !memcmp(p + 1, name, n))
            return k < API_MAX_PARAMS ? r->params[k] : NULL;
        k++;
    }
    return NULL;
}

int api_id_param(struct api_req *r, const char *name, int64_t *out)
{
    const char *v = api_param(r, name);
    char *end;
    long long n;
    if (!v || !*v || *v < '0' || *v > '9' || strlen(v) > 18) {
        api_error(r, 400, "invalid_parameter", name, "%s must be a positive whole number",
                  name);
        return -1;
    }
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || *end || n <= 0) {
        api_error(r, 400, "invalid_parameter", name, "%s must be a positive whole number",
                  name);
        return -1;
    }
    *out = n;
    return 0;
}

int api_export_format(struct api_req *r)
{
    const char *f = api_arg(r, "format");
    if (!f || !strcmp(f, "xlsx"))
        return 0;
    if (!strcmp(f, "csv"))
        return 1;
    api_error(r, 400, "invalid_parameter", "format", "format must be xlsx or csv");
    return -1;
}

const char *api_arg(const struct api_req *r, const char *key)
{
    return url_arg(&r->url, key);
}

const char *api_header_in(const struct api_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static void reply_reset(struct api_req *r)
{
    size_t i;
    free(r->resp);
    r->resp = NULL;
    r->resp_len = 0;
    if (r->resp_fd >= 0)
        close(r->resp_fd);
    r->resp_fd = -1;
    for (i = 0; i < r->nheaders; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    r->nheaders = 0;
    r->error_code = NULL;
}

void api_reply_text(struct api_req *r, int status, const char *content_type, const char *text,
                    size_t len)
{
    reply_reset(r);
    r->status = status;
    r->content_type = content_type;
    r->resp = xmalloc(len + 1);
    memcpy(r->resp, text, len);
    r->resp[len] = '\0';
    r->resp_len = len;
}

void api_reply_strbuf(struct api_req *r, int status, struct strbuf *sb)
{
    reply_reset(r);
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    r->resp = strbuf_detach(sb, &r->resp_len);
}

void api_reply_json(struct api_req *r, int status, json_t *o)
{
    /* 15 significant digits: 7086.24135, not 7086.2413500000002 */
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    reply_reset(r);
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    if (!s) {
        r->status = 500;
        s = xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"cannot render the "
                    "reply\",\"field\":null}}");
    }
    r->resp_len = strlen(s);
    r->resp = s;
}

void api_reply_fd(struct api_req *r, int status, const char *content_type, int fd,
                  uint64_t size)
{
    reply_reset(r);
    r->status = status;
    r->content_type = content_type;
    r->resp_fd = fd;
    r->resp_fd_size = size;
}

void api_reply_empty(struct api_req *r, int status)
{
    reply_reset(r);
    r->status = status;
    r->content_type = NULL;
}

void api_add_header(struct api_req *r, const char *name, const char *value)
{
    if (r->nheaders == API_MAX_HEADERS)
        return;
    r->headers[r->nheaders][0] = xstrdup(name);
    r->headers[r->nheaders][1] = xstrdup(value);
    r->nheaders++;
}

void api_error(struct api_req *r, int status, const char *code, const char *field,
               const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    json_t *e;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", msg, "field",
                  field && *field ? json_string(field) : json_null());
    if (!e) /* a message cut inside a UTF-8 sequence: say less rather than nothing */
        e = json_pack("{s:{s:s, s:s, s:n}}", "error", "code", code, "message", code, "field");
    api_reply_json(r, status, e);
    r->error_code = code;
}

void api_problem_reply(struct api_req *r, const struct api_problem *p)
{
    api_error(r, p->status ? p->status : 400, p->code ? p->code : "invalid_parameter",
              p->field, "%s", p->message);
}

void api_internal(struct api_req *r, const char *what, const struct error *err)
{
    /* SQLite has one writer: a write that waited its whole busy timeout
     * behind a long one (an import) is worth retrying, not a bug. */
    if (err && (strstr(err->msg, "database is locked") || strstr(err->msg, "database is busy"))) {
        api_error(r, 503, "unavailable", NULL,
                  "the store is busy with another write (an import?); try again shortly");
        api_add_header(r, "Retry-After", "2");
        return;
    }
    fprintf(stderr, "magnet serve: %s %s: %s: %s\n", r->method_text,
            r->url.path ? r->url.path : "?", what, err && err->msg[0] ? err->msg : "failed");
    api_error(r, 500, "internal", NULL, "%s failed; the server log has the details", what);
}

void api_auth_error(struct api_req *r, const struct error *err)
{
    int c = err->code;
    if (auth_err_is_invalid(c)) {
        api_error(r, 400, "invalid", auth_err_field(c), "%s", err->msg);
        return;
    }
    if (audit_err_is_invalid(c)) {
        api_error(r, 400, "invalid_parameter", audit_err_field(c), "%s", err->msg);
        return;
    }
    switch (c) {
    case AUTH_E_EXISTS: api_error(r, 409, "conflict", "name", "%s", err->msg); return;
    case AUTH_E_NOT_FOUND: api_error(r, 404, "not_found", NULL, "%s", err->msg); return;
    case AUTH_E_DENIED: api_error(r, 401, "unauthorized", NULL, "%s", err->msg); return;
    case AUTH_E_LOCKED: api_error(r, 429, "locked", NULL, "%s", err->msg); return;
    case AUTH_E_CSRF: api_error(r, 403, "csrf", NULL, "%s", err->msg); return;
    case AUTH_E_FORBIDDEN: api_error(r, 403, "forbidden", NULL, "%s", err->msg); return;
    default: api_internal(r, "the account store", err); return;
    }
}

json_t *api_body(struct api_req *r)
{
    const char *ct = api_header_in(r, "Content-Type");
    struct error err = ERROR_INIT;
    json_t *o;
    if (!r->body.len && !ct) {
        api_error(r, 400, "invalid_json", NULL, "a JSON object body is required");
        return NULL;
    }
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        api_error(r, 415, "unsupported_media_type", NULL,
                  "the body must be application/json");
        return NULL;
    }
    if (api_json_parse(r->body.buf, r->body.len,
                       (size_t)r->srv->cfg->num[HS_MAX_JSON_DEPTH], &o, &err) != 0) {
        api_error(r, 400, "invalid_json", NULL, "%s", err.msg);
        return NULL;
    }
    return o;
}

int api_refresh(struct api_req *r)
{
    struct error err = ERROR_INIT;
    int64_t rc;
    pthread_mutex_lock(&r->srv->refresh_lock);
    rc = index_refresh(r->srv->ix, r->st, &err);
    if (rc > 0)
        api_index_note(r->srv);
    pthread_mutex_unlock(&r->srv->refresh_lock);
    if (rc < 0) {
        api_internal(r, "refreshing the index", &err);
        return -1;
    }
    return 0;
}

void api_index_note(struct api_server *s)
{
    atomic_store(&s->ix_docs, index_count(s->ix));
    atomic_store(&s->ix_seq, index_seq(s->ix));
}

int api_data_path(struct api_server *s, const char *prefix, const char *ext, char *out,
                  size_t size, struct error *err)
{
    unsigned char rnd[12];
    char hex[25];
    size_t i;
    int n;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return error_set(err, "no random bytes: %s", strerror(errno));
    for (i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    n = snprintf(out, size, "%s/%s-%s%s", s->data_dir, prefix, hex, ext);
    if (n < 0 || (size_t)n >= size)
        return error_set(err, "the data directory's path is too long");
    return 0;
}

void api_attachment(struct api_req *r, const char *filename)
{
    struct strbuf sb = STRBUF_INIT;
    const unsigned char *p;
    strbuf_addstr(&sb, "attachment; filename=\"");
    for (p = (const unsigned char *)filename; *p; p++)
        strbuf_addch(&sb, *p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\' ? *p : '_');
    strbuf_addstr(&sb, "\"; filename*=UTF-8''");
    for (p = (const unsigned char *)filename; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            strbuf_addch(&sb, *p);
        else
            strbuf_addf(&sb, "%%%02X", *p);
    }
    api_add_header(r, "Content-Disposition", sb.buf);
    strbuf_release(&sb);
}

void api_reply_export(struct api_req *r, const char *path, int csv, const char *filename,
                      int64_t rows)
{
    char text[32];
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unlink(path);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        api_internal(r, "reading the export", NULL);
        return;
    }
    api_reply_fd(r, 200,
                 csv ? "text/csv; charset=utf-8"
                     : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 fd, (uint64_t)sb.st_size);
    api_attachment(r, filename);
    snprintf(text, sizeof(text), "%lld", (long long)rows);
    api_add_header(r, "X-Magnet-Rows", text);
}
