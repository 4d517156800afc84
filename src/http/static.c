/*
 * static.c - the web UI's static files, from web_dir when it is set.
 *
 * Safety: the path is the decoded, checked one (url.c); a segment that is
 * empty, "." or "..", starts with a dot (hidden files) or holds a
 * backslash is refused, and the file's real path (symbolic links
 * resolved) must lie inside the web directory's. Only regular files are
 * served.
 *
 * Caching: an ETag from size and modification time and Last-Modified;
 * If-None-Match answers 304. HTML is revalidated on every load
 * ("no-cache") so a new release shows at once; other assets may be cached
 * for an hour. A path without an extension that is not a file gets
 * index.html, so the UI's own routes survive a reload.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/api.h"

static const struct {
    const char *ext, *type;
} mime_types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".htm", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json; charset=utf-8" },
    { ".map", "application/json; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" },
    { ".gif", "image/gif" },
    { ".webp", "image/webp" },
    { ".ico", "image/x-icon" },
    { ".woff", "font/woff" },
    { ".woff2", "font/woff2" },
    { ".ttf", "font/ttf" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".csv", "text/csv; charset=utf-8" },
    { ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
    { ".pdf", "application/pdf" },
    { ".wasm", "application/wasm" },
};

const char *static_mime_type(const char *name)
{
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    size_t i;
    if (dot && (!slash || dot > slash))
        for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
            if (!strcasecmp(dot, mime_types[i].ext))
                return mime_types[i].type;
    return "application/octet-stream";
}

/* 0 when every segment of the decoded path is acceptable. */
static int path_ok(const struct url *u)
{
    size_t i;
    for (i = 0; i < u->nsegs; i++) {
        const char *s = u->segs[i];
        if (!*s)
            return i + 1 == u->nsegs ? 0 : -1; /* only a trailing slash may be empty */
        if (s[0] == '.' || strchr(s, '\\') || strchr(s, '/') || strchr(s, ':'))
            return -1;
    }
    return 0;
}

/* Open root + rel if it is a regular file inside root. */
static int open_inside(const char *root, const char *rel, struct stat *sb)
{
    char path[8192], *real;
    size_t rl = strlen(root);
    int fd;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >= sizeof(path))
        return -1;
    real = realpath(path, NULL);
    if (!real)
        return -1;
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0')) {
        free(real);
        return -1;
    }
    fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(real);
    if (fd < 0)
        return -1;
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

int static_serve(struct api_req *r)
{
    const char *root = r->srv->web_root;
    const char *rel = r->url.path + 1, *inm;
    char relbuf[4200], etag[64], lm[64];
    struct stat sb;
    struct tm tm;
    int fd;

    if (path_ok(&r->url) != 0) {
        api_error(r, 404, "not_found", NULL, "no such resource");
        return 1;
    }
    if (!*rel || rel[strlen(rel) - 1] == '/') {
        snprintf(relbuf, sizeof(relbuf), "%sindex.html", rel);
        rel = relbuf;
    }
    fd = open_inside(root, rel, &sb);
    if (fd < 0 && !strchr(r->url.segs[r->url.nsegs - 1], '.')) {
        /* A route of the UI itself gets index.html - but only a path that
         * names nothing: a refused one (a link out, a directory) is 404. */
        char path[8400];
        struct stat lsb;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) < sizeof(path) &&
            lstat(path, &lsb) != 0 && errno == ENOENT) {
            rel = "index.html";
            fd = open_inside(root, rel, &sb);
        }
    }
    if (fd < 0)
        return 0;
    snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)sb.st_size,
             (unsigned long long)sb.st_mtime);
    gmtime_r(&sb.st_mtime, &tm);
    strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    inm = api_header_in(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
        close(fd);
        api_reply_empty(r, 304);
    } else {
        api_reply_fd(r, 200, static_mime_type(rel), fd, (uint64_t)sb.st_size);
    }
    api_add_header(r, MHD_HTTP_HEADER_ETAG, etag);
    api_add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lm);
    api_add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                   strstr(static_mime_type(rel), "text/html") ? "no-cache"
                                                               : "public, max-age=3600");
    return 1;
}
