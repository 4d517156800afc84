/*
 * config.c - the server's settings: one table of every setting with its
 * type, default, bounds and help, read from a config file, the
 * environment and the command line (http.h says in which order).
 *
 * The table is also what docs/api.md documents; tests/api checks a few
 * values end to end (a small upload limit, a small page size).
 */
#include "http/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

enum setting_type { ST_STR, ST_INT, ST_SIZE, ST_SECONDS, ST_BOOL };

struct setting {
    const char *key;
    enum setting_type type;
    const char *def;
    int64_t min, max;
    const char *help;
};

#define KIB 1024LL
#define MIB (1024LL * 1024)
#define GIB (1024LL * 1024 * 1024)

static const struct setting settings[HS_COUNT_] = {
    [HS_LISTEN] = { "listen", ST_STR, "127.0.0.1:8080", 0, 0,
                    "address and port to listen on" },
    [HS_DB] = { "db", ST_STR, "magnet.db", 0, 0, "the store (SQLite file)" },
    [HS_HOME] = { "home", ST_STR, "", 0, 0,
                  "home district, a region code or name (chain maps, gap nodes)" },
    [HS_CHAINS] = { "chains", ST_STR, "", 0, 0, "taxonomy directory (empty: built in)" },
    [HS_SCORING] = { "scoring", ST_STR, "", 0, 0, "scoring model file (empty: built in)" },
    [HS_WEB_DIR] = { "web_dir", ST_STR, "", 0, 0,
                     "directory of the web UI's static files (empty or missing: none)" },
    [HS_DATA_DIR] = { "data_dir", ST_STR, "", 0, 0,
                      "where uploads, rejects and exports go (empty: DB.files)" },
    [HS_THREADS] = { "threads", ST_INT, "0", 0, 256,
                     "worker threads (0: two per CPU, at least 4)" },
    [HS_STORE_CACHE] = { "store_cache", ST_SIZE, "64M", 1 * MIB, 16 * GIB,
                          "SQLite page cache of each store connection (one per worker)" },
    [HS_STORE_MMAP] = { "store_mmap", ST_SIZE, "2G", 0, 64 * GIB,
                         "read the store through a memory map of up to this size (0: plain reads)" },
    [HS_ENT_CACHE] = { "ent_cache", ST_INT, "16384", 0, 16777216,
                        "enterprise replies kept until the store changes (0: none)" },
    [HS_MAX_CONNECTIONS] = { "max_connections", ST_INT, "256", 1, 100000,
                             "open connections; more get 503" },
    [HS_MAX_HEADER_BYTES] = { "max_header_bytes", ST_SIZE, "16K", 1 * KIB, 1 * MIB,
                              "request line and headers; more get 431" },
    [HS_MAX_BODY_BYTES] = { "max_body_bytes", ST_SIZE, "1M", 1 * KIB, 64 * MIB,
                            "a JSON request body; more get 413" },
    [HS_MAX_UPLOAD_BYTES] = { "max_upload_bytes", ST_SIZE, "256M", 1 * KIB, 64 * GIB,
                              "an import upload; more get 413" },
    [HS_REQUEST_TIMEOUT] = { "request_timeout", ST_SECONDS, "60", 1, 86400,
                             "seconds for a request to arrive whole; slower get 408" },
    [HS_IDLE_TIMEOUT] = { "idle_timeout", ST_SECONDS, "30", 1, 86400,
                          "seconds an idle keep-alive connection stays open" },
    [HS_MAX_PAGE_SIZE] = { "max_page_size", ST_INT, "1000", 1, 10000,
                           "largest limit= of a paginated list" },
    [HS_MAX_JSON_DEPTH] = { "max_json_depth", ST_INT, "16", 2, 512,
                            "nesting of a JSON request body" },
    [HS_EXPORT_MAX_ROWS] = { "export_max_rows", ST_INT, "100000", 1, 1000000,
                             "rows of one screening export" },
    [HS_MAX_JOBS] = { "max_jobs", ST_INT, "2", 1, 64,
                      "imports running at once; more get 503" },
    [HS_JOB_KEEP] = { "job_keep", ST_INT, "100", 1, 100000,
                      "finished import jobs remembered (with their rejects)" },
    [HS_SHUTDOWN_TIMEOUT] = { "shutdown_timeout", ST_SECONDS, "30", 0, 3600,
                              "seconds to let requests and imports finish on SIGTERM" },
    [HS_COOKIE_SECURE] = { "cookie_secure", ST_BOOL, "off", 0, 1,
                           "mark the session cookie Secure (set it behind TLS)" },
    [HS_ACCESS_LOG] = { "access_log", ST_BOOL, "on", 0, 1,
                        "one line per request on standard error" },
    [HS_SESSION_IDLE] = { "session_idle", ST_SECONDS, "1800", 60, 30 * 86400,
                          "a session ends after this long without a request" },
    [HS_SESSION_ABSOLUTE] = { "session_absolute", ST_SECONDS, "43200", 60, 365 * 86400,
                              "a session ends this long after login" },
    [HS_LOGIN_FAIL_MAX] = { "login_fail_max", ST_INT, "5", 1, 1000,
                            "failed logins of one name before it is locked" },
    [HS_LOGIN_ADDR_FAIL_MAX] = { "login_addr_fail_max", ST_INT, "20", 1, 100000,
                                 "failed logins from one address before it is locked" },
    [HS_LOGIN_FAIL_WINDOW] = { "login_fail_window", ST_SECONDS, "900", 1, 86400,
                               "seconds over which failed logins count" },
    [HS_LOGIN_LOCKOUT] = { "login_lockout", ST_SECONDS, "900", 1, 86400,
                           "seconds a locked name or address stays locked" },
    [HS_ARGON2_M_KIB] = { "argon2_m_kib", ST_INT, "19456", 8, 4 * 1024 * 1024,
                          "argon2id memory per password hash, KiB" },
    [HS_ARGON2_T] = { "argon2_t", ST_INT, "2", 1, 64, "argon2id passes" },
};

int http_setting_find(const char *key)
{
    int i;
    for (i = 0; i < HS_COUNT_; i++)
        if (!strcmp(settings[i].key, key))
            return i;
    return -1;
}

const char *http_setting_key(enum http_setting s)
{
    return settings[s].key;
}

const char *http_setting_help(enum http_setting s)
{
    return settings[s].help;
}

/* "16K" -> 16384; "2M"; "1G"; plain bytes. */
static int parse_size(const char *v, int64_t *out)
{
    char *end;
    long long n;
    int64_t mult = 1;
    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno)
        return -1;
    if (*end) {
        switch (toupper((unsigned char)*end)) {
        case 'K': mult = KIB; break;
        case 'M': mult = MIB; break;
        case 'G': mult = GIB; break;
        default: return -1;
        }
        end++;
        if (toupper((unsigned char)*end) == 'B' || toupper((unsigned char)*end) == 'I') {
            /* "16KB", "16KiB" */
            end += toupper((unsigned char)*end) == 'I' && toupper((unsigned char)end[1]) == 'B'
                       ? 2
                       : 1;
        }
        if (*end)
            return -1;
    }
    if (n > INT64_MAX / mult)
        return -1;
    *out = (int64_t)n * mult;
    return 0;
}

/* "30", "30s", "5m", "2h". */
static int parse_seconds(const char *v, int64_t *out)
{
    char *end;
    long long n;
    int64_t mult = 1;
    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno)
        return -1;
    if (*end) {
        switch (*end) {
        case 's': mult = 1; break;
        case 'm': mult = 60; break;
        case 'h': mult = 3600; break;
        case 'd': mult = 86400; break;
        default: return -1;
        }
        if (end[1])
            return -1;
    }
    if (n > INT64_MAX / mult)
        return -1;
    *out = (int64_t)n * mult;
    return 0;
}

static int parse_int(const char *v, int64_t *out)
{
    char *end;
    long long n;
    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || *end)
        return -1;
    *out = n;
    return 0;
}

static int parse_bool(const char *v, int64_t *out)
{
    static const char *const yes[] = { "on", "true", "yes", "1", NULL };
    static const char *const no[] = { "off", "false", "no", "0", NULL };
    int i;
    for (i = 0; yes[i]; i++)
        if (!strcasecmp(v, yes[i])) {
            *out = 1;
            return 0;
        }
    for (i = 0; no[i]; i++)
        if (!strcasecmp(v, no[i])) {
            *out = 0;
            return 0;
        }
    return -1;
}

static void set_value(struct http_config *c, int i, const char *value, int64_t num,
                      const char *origin)
{
    free(c->str[i]);
    free(c->origin[i]);
    c->str[i] = xstrdup(value);
    c->num[i] = num;
    c->origin[i] = xstrdup(origin);
}

int http_config_set(struct http_config *c, const char *key, const char *value,
                    const char *origin, struct error *err)
{
    int i = http_setting_find(key);
    const struct setting *s;
    int64_t num = 0;
    int rc = 0;

    if (i < 0)
        return error_set(err, "'%s' is not a setting (magnet serve --print-config lists them)",
                         key);
    s = &settings[i];
    switch (s->type) {
    case ST_STR:
        if (strlen(value) > 4096)
            return error_set(err, "%s: the value is longer than 4096 bytes", key);
        break;
    case ST_INT: rc = parse_int(value, &num); break;
    case ST_SIZE: rc = parse_size(value, &num); break;
    case ST_SECONDS: rc = parse_seconds(value, &num); break;
    case ST_BOOL: rc = parse_bool(value, &num); break;
    }
    if (rc != 0) {
        static const char *const what[] = { "", "a whole number", "a size such as 512K or 10M",
                                            "a number of seconds (or 5m, 2h)",
                                            "on or off" };
        return error_set(err, "%s: '%s' is not %s", key, value, what[s->type]);
    }
    if (s->type != ST_STR && s->type != ST_BOOL && (num < s->min || num > s->max))
        return error_set(err, "%s: %s is out of range (%lld to %lld)", key, value,
                         (long long)s->min, (long long)s->max);
    set_value(c, i, value, num, origin);
    return 0;
}

void http_config_init(struct http_config *c)
{
    int i;
    memset(c, 0, sizeof(*c));
    for (i = 0; i < HS_COUNT_; i++) {
        struct error err = ERROR_INIT;
        if (http_config_set(c, settings[i].key, settings[i].def, "default", &err) != 0)
            abort(); /* a bad default is a bug the first test catches */
    }
}

void http_config_release(struct http_config *c)
{
    int i;
    for (i = 0; i < HS_COUNT_; i++) {
        free(c->str[i]);
        free(c->origin[i]);
    }
    memset(c, 0, sizeof(*c));
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

int http_config_load_file(struct http_config *c, const char *path, struct error *err)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t alloc = 0, lineno = 0;
    ssize_t got;
    int rc = 0;

    if (!f)
        return error_set(err, "%s: cannot open the config file: %s", path, strerror(errno));
    while ((got = getline(&line, &alloc, f)) >= 0) {
        char *s, *eq, *key, *value, origin[600];
        lineno++;
        if ((size_t)got != strlen(line)) {
            rc = error_set(err, "%s:%zu: a NUL byte in the line", path, lineno);
            break;
        }
        s = trim(line);
        if (!*s || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (!eq) {
            rc = error_set(err, "%s:%zu: expected 'key = value'", path, lineno);
            break;
        }
        *eq = '\0';
        key = trim(s);
        value = trim(eq + 1);
        if (strlen(value) >= 2 && value[0] == '"' && value[strlen(value) - 1] == '"') {
            value[strlen(value) - 1] = '\0';
            value++;
        }
        snprintf(origin, sizeof(origin), "%s:%zu", path, lineno);
        if (http_config_set(c, key, value, origin, err) != 0) {
            rc = error_prefix(err, "%s:%zu: ", path, lineno);
            break;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

int http_config_load_env(struct http_config *c, struct error *err)
{
    int i;
    for (i = 0; i < HS_COUNT_; i++) {
        char name[64], origin[80];
        const char *v;
        size_t k;
        snprintf(name, sizeof(name), "MAGNET_%s", settings[i].key);
        for (k = 7; name[k]; k++)
            name[k] = (char)toupper((unsigned char)name[k]);
        v = getenv(name);
        if (!v || !*v)
            continue;
        snprintf(origin, sizeof(origin), "env %s", name);
        if (http_config_set(c, settings[i].key, v, origin, err) != 0)
            return error_prefix(err, "%s: ", name);
    }
    return 0;
}

void http_config_json(const struct http_config *c, struct strbuf *out)
{
    int i;
    strbuf_addch(out, '{');
    for (i = 0; i < HS_COUNT_; i++) {
        const char *p;
        strbuf_addf(out, "%s\n  \"%s\": {\"value\": ", i ? "," : "", settings[i].key);
        if (settings[i].type == ST_STR) {
            strbuf_addch(out, '"');
            for (p = c->str[i]; *p; p++) {
                if (*p == '"' || *p == '\\')
                    strbuf_addf(out, "\\%c", *p);
                else if ((unsigned char)*p < 0x20)
                    strbuf_addf(out, "\\u%04x", *p);
                else
                    strbuf_addch(out, *p);
            }
            strbuf_addch(out, '"');
        } else if (settings[i].type == ST_BOOL) {
            strbuf_addstr(out, c->num[i] ? "true" : "false");
        } else {
            strbuf_addf(out, "%lld", (long long)c->num[i]);
        }
        strbuf_addstr(out, ", \"from\": \"");
        for (p = c->origin[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                strbuf_addf(out, "\\%c", *p);
            else if ((unsigned char)*p >= 0x20)
                strbuf_addch(out, *p);
        }
        strbuf_addf(out, "\", \"help\": \"%s\"}", settings[i].help);
    }
    strbuf_addstr(out, "\n}\n");
}

int http_listen_parse(const char *s, char *host, size_t host_size, int *port,
                      struct error *err)
{
    const char *colon, *p;
    long v;
    char *end;

    host[0] = '\0';
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return error_set(err, "listen: '%s': expected [IPv6]:PORT", s);
        if ((size_t)(close - s - 1) >= host_size)
            return error_set(err, "listen: '%s': the address is too long", s);
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        p = close + 2;
    } else if ((colon = strrchr(s, ':')) != NULL) {
        if ((size_t)(colon - s) >= host_size)
            return error_set(err, "listen: '%s': the address is too long", s);
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        p = colon + 1;
    } else {
        p = s;
    }
    if (!isdigit((unsigned char)*p))
        return error_set(err, "listen: '%s': expected HOST:PORT (e.g. 127.0.0.1:8080)", s);
    errno = 0;
    v = strtol(p, &end, 10);
    if (errno || *end || v < 0 || v > 65535)
        return error_set(err, "listen: '%s': the port must be a number from 0 to 65535", s);
    *port = (int)v;
    return 0;
}
