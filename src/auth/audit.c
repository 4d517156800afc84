/*
 * audit.c - the audit trail (see audit.h): checks what goes into a row,
 * turns filters into a store query, and writes rows out as JSON. The rows
 * themselves are in src/store/store_audit.c.
 */
#include "auth/audit.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth_internal.h"
#include "store/store.h"

const char *audit_err_field(int code)
{
    static const char *const fields[] = {
        [AUDIT_E_BAD_ACTION - AUDIT_E_BAD_ACTION] = "action",
        [AUDIT_E_BAD_ENTITY - AUDIT_E_BAD_ACTION] = "entity",
        [AUDIT_E_BAD_ENTITY_ID - AUDIT_E_BAD_ACTION] = "entity_id",
        [AUDIT_E_BAD_BEFORE - AUDIT_E_BAD_ACTION] = "before",
        [AUDIT_E_BAD_AFTER - AUDIT_E_BAD_ACTION] = "after",
        [AUDIT_E_BAD_USER - AUDIT_E_BAD_ACTION] = "user",
        [AUDIT_E_BAD_REMOTE - AUDIT_E_BAD_ACTION] = "remote",
        [AUDIT_E_BAD_SINCE - AUDIT_E_BAD_ACTION] = "since",
        [AUDIT_E_BAD_UNTIL - AUDIT_E_BAD_ACTION] = "until",
        [AUDIT_E_BAD_LIMIT - AUDIT_E_BAD_ACTION] = "limit",
        [AUDIT_E_BAD_OFFSET - AUDIT_E_BAD_ACTION] = "offset",
        [AUDIT_E_BAD_BEFORE_ID - AUDIT_E_BAD_ACTION] = "before_id",
    };
    if (!audit_err_is_invalid(code))
        return NULL;
    return fields[code - AUDIT_E_BAD_ACTION];
}

void audit_actor_cli(struct audit_actor *a, char *name_buf, size_t size)
{
    const char *login = getenv("USER");
    char who[64];
    size_t i, n = 0;

    if (!login || !*login)
        login = getlogin();
    if (!login || !*login) {
        struct passwd *pw = getpwuid(geteuid());
        login = pw ? pw->pw_name : NULL;
    }
    /* Keep only characters that read safely in a log line. */
    for (i = 0; login && login[i] && n + 1 < sizeof(who); i++) {
        unsigned char c = (unsigned char)login[i];
        if (isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@')
            who[n++] = (char)c;
    }
    who[n] = 0;
    snprintf(name_buf, size, "cli:%s", n ? who : "?");
    a->user_id = 0;
    a->user = name_buf;
    a->remote = "cli";
}

/* [a-z0-9] plus the characters in extra, 1..max bytes. */
static int word_ok(const char *s, size_t max, const char *extra)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= max)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c)))
            return 0;
    }
    return 1;
}

static int text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && auth_text_ok(s, n);
}

/* Printable ASCII without spaces: an address, "cli" or "-". */
static int remote_ok(const char *s)
{
    size_t n;
    for (n = 0; s[n]; n++)
        if (n >= AUDIT_REMOTE_MAX || s[n] <= ' ' || s[n] > '~')
            return 0;
    return 1;
}

static int json_ok(const char *s, int code, const char *what, struct error *err)
{
    size_t n = strlen(s);
    json_error_t je;
    json_t *v;

    if (n > AUDIT_VALUE_MAX)
        return error_code(err, code, "audit: the %s value is %zu bytes, at most %u are allowed",
                          what, n, AUDIT_VALUE_MAX);
    v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v)
        return error_code(err, code, "audit: the %s value is not JSON: %s", what, je.text);
    json_decref(v);
    return 0;
}

static int entry_check(const struct audit_actor *who, const struct audit_entry *e,
                       struct error *err)
{
    if (!word_ok(e->action, AUDIT_ACTION_MAX, "._-"))
        return error_code(err, AUDIT_E_BAD_ACTION,
                          "audit: action '%.80s' must be 1 to %d of a-z 0-9 . _ -",
                          e->action ? e->action : "", AUDIT_ACTION_MAX);
    if (!word_ok(e->entity, AUDIT_ENTITY_MAX, "_"))
        return error_code(err, AUDIT_E_BAD_ENTITY,
                          "audit: entity '%.80s' must be 1 to %d of a-z 0-9 _",
                          e->entity ? e->entity : "", AUDIT_ENTITY_MAX);
    if (e->entity_id && !text_ok(e->entity_id, AUDIT_ENTITY_ID_MAX))
        return error_code(err, AUDIT_E_BAD_ENTITY_ID,
                          "audit: entity id must be 1 to %d bytes of UTF-8 text without control "
                          "characters", AUDIT_ENTITY_ID_MAX);
    if (!who || !who->user || !text_ok(who->user, AUDIT_USER_MAX))
        return error_code(err, AUDIT_E_BAD_USER,
                          "audit: the actor's name must be 1 to %d bytes of UTF-8 text",
                          AUDIT_USER_MAX);
    if (who->remote && !remote_ok(who->remote))
        return error_code(err, AUDIT_E_BAD_REMOTE,
                          "audit: remote address must be at most %d printable ASCII characters",
                          AUDIT_REMOTE_MAX);
    if (e->before && json_ok(e->before, AUDIT_E_BAD_BEFORE, "before", err) != 0)
        return -1;
    if (e->after && json_ok(e->after, AUDIT_E_BAD_AFTER, "after", err) != 0)
        return -1;
    return 0;
}

int audit_record(struct store *st, const struct audit_actor *who, const struct audit_entry *e,
                 int64_t now, int64_t *id, struct error *err)
{
    struct store_audit_row r;

    if (entry_check(who, e, err) != 0)
        return -1;
    memset(&r, 0, sizeof(r));
    r.at = now;
    r.user_id = who->user_id > 0 ? who->user_id : 0;
    r.user = who->user;
    r.remote = who->remote && *who->remote ? who->remote : "-";
    r.action = e->action;
    r.entity = e->entity;
    r.entity_id = e->entity_id;
    r.before = e->before;
    r.after = e->after;
    if (store_audit_insert(st, &r, id, err) != 0) {
        if (err)
            err->code = AUDIT_E_STORE;
        return -1;
    }
    return 0;
}

struct query_ctx {
    int (*fn)(const struct audit_row *r, void *ctx);
    void *ctx;
};

static int query_row(const struct store_audit_row *s, void *p)
{
    struct query_ctx *q = p;
    struct audit_row r;
    r.id = s->id;
    r.at = s->at;
    r.user_id = s->user_id;
    r.user = s->user;
    r.remote = s->remote;
    r.action = s->action;
    r.entity = s->entity;
    r.entity_id = s->entity_id;
    r.before = s->before;
    r.after = s->after;
    return q->fn(&r, q->ctx);
}

int audit_query(struct store *st, const struct audit_filter *f,
                int (*fn)(const struct audit_row *r, void *ctx), void *ctx, int64_t *total,
                struct error *err)
{
    struct store_audit_filter sf;
    struct query_ctx q = { fn, ctx };
    int n;

    memset(&sf, 0, sizeof(sf));
    if (f->entity && !word_ok(f->entity, AUDIT_ENTITY_MAX, "_"))
        return error_code(err, AUDIT_E_BAD_ENTITY, "entity '%.80s' must be 1 to %d of a-z 0-9 _",
                          f->entity, AUDIT_ENTITY_MAX);
    if (f->entity_id && !text_ok(f->entity_id, AUDIT_ENTITY_ID_MAX))
        return error_code(err, AUDIT_E_BAD_ENTITY_ID,
                          "entity id must be 1 to %d bytes of UTF-8 text", AUDIT_ENTITY_ID_MAX);
    if (f->user && !text_ok(f->user, AUDIT_USER_MAX))
        return error_code(err, AUDIT_E_BAD_USER, "user must be 1 to %d bytes of UTF-8 text",
                          AUDIT_USER_MAX);
    if (f->since < 0)
        return error_code(err, AUDIT_E_BAD_SINCE, "since must not be before 1970");
    if (f->until < 0)
        return error_code(err, AUDIT_E_BAD_UNTIL, "until must not be before 1970");
    if (f->since && f->until && f->until <= f->since)
        return error_code(err, AUDIT_E_BAD_UNTIL, "until must be after since");
    if (f->limit < 0 || f->limit > AUDIT_LIMIT_MAX)
        return error_code(err, AUDIT_E_BAD_LIMIT, "limit must be from 1 to %d", AUDIT_LIMIT_MAX);
    if (f->offset < 0 || f->offset > 1000000000)
        return error_code(err, AUDIT_E_BAD_OFFSET, "offset must be from 0 to 1000000000");
    if (f->before_id < 0)
        return error_code(err, AUDIT_E_BAD_BEFORE_ID, "before_id must be a positive row id");
    sf.entity = f->entity;
    sf.entity_id = f->entity_id;
    sf.user = f->user;
    sf.since = f->since;
    sf.until = f->until;
    sf.before_id = f->before_id;
    sf.offset = f->offset;
    sf.limit = f->limit ? f->limit : AUDIT_LIMIT_DEFAULT;
    if (total && store_audit_count(st, &sf, total, err) != 0)
        goto fail;
    n = store_audit_query(st, &sf, query_row, &q, err);
    if (n < 0)
        goto fail;
    return n;
fail:
    if (err)
        err->code = AUDIT_E_STORE;
    return -1;
}

void audit_row_json(struct strbuf *sb, const struct audit_row *r)
{
    strbuf_addf(sb, "{\"id\":%lld,\"at\":", (long long)r->id);
    auth_json_time(sb, r->at);
    if (r->user_id)
        strbuf_addf(sb, ",\"user_id\":%lld", (long long)r->user_id);
    else
        strbuf_addstr(sb, ",\"user_id\":null");
    strbuf_addstr(sb, ",\"user\":");
    auth_json_str(sb, r->user);
    strbuf_addstr(sb, ",\"remote\":");
    auth_json_str(sb, r->remote);
    strbuf_addstr(sb, ",\"action\":");
    auth_json_str(sb, r->action);
    strbuf_addstr(sb, ",\"entity\":");
    auth_json_str(sb, r->entity);
    strbuf_addstr(sb, ",\"entity_id\":");
    auth_json_str(sb, r->entity_id);
    /* before/after were checked to be JSON when written: embed them. */
    strbuf_addstr(sb, ",\"before\":");
    strbuf_addstr(sb, r->before ? r->before : "null");
    strbuf_addstr(sb, ",\"after\":");
    strbuf_addstr(sb, r->after ? r->after : "null");
    strbuf_addch(sb, '}');
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int i, v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int audit_time_parse(const char *s, int64_t *out, struct error *err)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    size_t n = s ? strlen(s) : 0;
    int y, mo, d, h = 0, mi = 0, se = 0;

    if (n >= 1 && n <= 12 && strspn(s, "0123456789") == n) {
        char *end;
        unsigned long long v;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end || v > 253402300799ull)
            goto bad;
        *out = (int64_t)v;
        return 0;
    }
    if (n != 10 && n != 19 && n != 20)
        goto bad;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        goto bad;
    if (n >= 19) {
        if ((s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) || s[13] != ':' ||
            digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
            goto bad;
        if (n == 20 && s[19] != 'Z')
            goto bad;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        se > 59)
        goto bad;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        goto bad;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
bad:
    return error_code(err, AUDIT_E_BAD_SINCE,
                      "'%.40s' is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or unix "
                      "seconds", s ? s : "");
}

void audit_time_format(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, size, "%lld", (long long)t);
        return;
    }
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
