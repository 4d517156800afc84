/*
 * ent.c - the enterprise field table and record helpers (see ent.h).
 */
#include "registry/ent.h"

#include <inttypes.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"

const struct ent_field_info ent_fields[F_COUNT] = {
    { F_USCC, "uscc", "统一社会信用代码", FT_CODE },
    { F_NAME, "name", "企业名称", FT_TEXT },
    { F_FORMER_NAMES, "former_names", "曾用名", FT_TEXT },
    { F_LEGAL_REP, "legal_rep", "法定代表人", FT_TEXT },
    { F_CAPITAL, "capital", "注册资本", FT_MONEY },
    { F_PAID_IN, "paid_in", "实缴资本", FT_MONEY },
    { F_FOUNDED, "founded", "成立日期", FT_DATE },
    { F_STATUS, "status", "登记状态", FT_STATUS },
    { F_ENT_TYPE, "ent_type", "企业类型", FT_TEXT },
    { F_REGION, "region", "行政区划代码", FT_CODE },
    { F_STREET, "street", "街道代码", FT_CODE },
    { F_ADDRESS, "address", "注册地址", FT_TEXT },
    { F_INDUSTRY, "industry", "国标行业", FT_CODE },
    { F_SCOPE, "scope", "经营范围", FT_TEXT },
    { F_STAFF, "staff", "参保人数", FT_INT },
    { F_PATENTS, "patents", "专利数", FT_INT },
    { F_PAT_INVENTION, "patents_invention", "发明专利", FT_INT },
    { F_PAT_UTILITY, "patents_utility", "实用新型专利", FT_INT },
    { F_PAT_DESIGN, "patents_design", "外观设计专利", FT_INT },
    { F_SOFTWARE_CR, "software_copyrights", "软件著作权", FT_INT },
    { F_TRADEMARKS, "trademarks", "商标数", FT_INT },
    { F_TAGS, "tags", "企业资质", FT_TAGS },
    { F_ROUND, "round", "融资轮次", FT_TEXT },
    { F_FUNDING_AMOUNT, "funding_amount", "融资金额", FT_MONEY },
    { F_FUNDING_DATE, "funding_date", "融资日期", FT_DATE },
    { F_WEBSITE, "website", "官网", FT_TEXT },
    { F_PHONE, "phone", "电话", FT_TEXT },
    { F_EMAIL, "email", "邮箱", FT_TEXT },
    { F_EXTRA, "extra", "其他列", FT_JSON },
};

int ent_field_by_name(const char *name)
{
    int f;
    for (f = 0; f < F_COUNT; f++)
        if (!strcmp(ent_fields[f].name, name) || !strcmp(ent_fields[f].label, name))
            return f;
    return -1;
}

/* A block of a record's text; values are bumped off the end. */
struct ent_chunk {
    struct ent_chunk *next;
    size_t size, used;
    char data[];
};

/* Big enough for the text of a typical full row (~700 bytes with a long
 * business scope) in one chunk. */
#define ENT_CHUNK_MIN 1024

void ent_init(struct ent *e)
{
    memset(e, 0, sizeof(*e));
}

static void chunks_free(struct ent_chunk *c)
{
    while (c) {
        struct ent_chunk *next = c->next;
        free(c);
        c = next;
    }
}

void ent_release(struct ent *e)
{
    chunks_free(e->mem);
    ent_init(e);
}

void ent_reset(struct ent *e)
{
    struct ent_chunk *keep = e->mem;
    /* Keep the newest chunk (the largest one: they grow), free the rest. */
    if (keep) {
        chunks_free(keep->next);
        keep->next = NULL;
        keep->used = 0;
    }
    ent_init(e);
    e->mem = keep;
}

/* A copy of s[0..len) with a NUL, in e's memory. */
static char *ent_strndup(struct ent *e, const char *s, size_t len)
{
    struct ent_chunk *c = e->mem;
    char *p;
    if (!c || c->size - c->used < len + 1) {
        size_t size = c ? 2 * c->size : ENT_CHUNK_MIN;
        if (size < len + 1)
            size = len + 1;
        c = xmalloc(sizeof(*c) + size);
        c->size = size;
        c->used = 0;
        c->next = e->mem;
        e->mem = c;
    }
    p = c->data + c->used;
    c->used += len + 1;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static void set_s(struct ent *e, enum ent_field f, const char *s, size_t len)
{
    e->v[f].s = ent_strndup(e, s, len);
    e->v[f].len = len;
}

void ent_unset(struct ent *e, enum ent_field f)
{
    e->v[f].s = NULL;
    e->v[f].len = 0;
    e->v[f].i = 0;
    e->v[f].set = 0;
    if (f == F_TAGS)
        memset(&e->tags, 0, sizeof(e->tags));
}

void ent_set_text(struct ent *e, enum ent_field f, const char *s, size_t len)
{
    ent_unset(e, f);
    set_s(e, f, s, len);
    e->v[f].set = 1;
}

void ent_set_name_key(struct ent *e, const char *key, size_t len)
{
    e->name_key = ent_strndup(e, key, len);
    e->name_key_len = len;
}

void ent_set_int(struct ent *e, enum ent_field f, int64_t i)
{
    ent_unset(e, f);
    e->v[f].i = i;
    e->v[f].set = 1;
}

void ent_set_money(struct ent *e, enum ent_field f, const struct money *m)
{
    ent_unset(e, f);
    e->v[f].i = m->cents;
    set_s(e, f, m->currency, strlen(m->currency));
    e->v[f].set = 1;
}

void ent_set_status(struct ent *e, enum ent_status st, const char *text, size_t len)
{
    ent_set_text(e, F_STATUS, text, len);
    e->v[F_STATUS].i = st;
}

void ent_set_tags(struct ent *e, const struct tag_set *tags)
{
    struct strbuf sb = STRBUF_INIT;
    ent_unset(e, F_TAGS);
    e->tags = *tags;
    ent_tags_format(tags, &sb);
    set_s(e, F_TAGS, sb.buf, sb.len);
    strbuf_release(&sb);
    e->v[F_TAGS].i = tags->mask;
    e->v[F_TAGS].set = 1;
}

void ent_tags_format(const struct tag_set *t, struct strbuf *out)
{
    int tag, first = 1;
    for (tag = 0; tag < TAG_COUNT; tag++) {
        if (!(t->mask & (1u << tag)))
            continue;
        if (!first)
            strbuf_addch(out, ',');
        first = 0;
        strbuf_addstr(out, value_tag_name((enum ent_tag)tag));
        if (t->date[tag][0])
            strbuf_addf(out, ":%s", t->date[tag]);
        else if (t->year[tag])
            strbuf_addf(out, ":%d", t->year[tag]);
    }
}

int ent_tags_parse(const char *s, struct tag_set *out)
{
    memset(out, 0, sizeof(*out));
    while (*s) {
        const char *end = strchr(s, ','), *colon;
        char name[32];
        size_t n = end ? (size_t)(end - s) : strlen(s);
        enum ent_tag tag;
        colon = memchr(s, ':', n);
        if ((colon ? (size_t)(colon - s) : n) >= sizeof(name))
            return -1;
        memcpy(name, s, colon ? (size_t)(colon - s) : n);
        name[colon ? (size_t)(colon - s) : n] = '\0';
        if (value_tag_from_name(name, &tag) != 0)
            return -1;
        out->mask |= 1u << tag;
        if (colon) {
            size_t vl = n - (size_t)(colon - s) - 1;
            if (vl == 10) {
                memcpy(out->date[tag], colon + 1, 10);
                out->date[tag][10] = '\0';
                out->year[tag] = (int16_t)strtol(colon + 1, NULL, 10);
            } else if (vl == 4) {
                out->year[tag] = (int16_t)strtol(colon + 1, NULL, 10);
            } else {
                return -1;
            }
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

void ent_value_format(const struct ent *e, enum ent_field f, struct strbuf *out)
{
    const struct ent_value *v = &e->v[f];
    if (!v->set)
        return;
    switch (ent_fields[f].type) {
    case FT_INT:
        strbuf_addf(out, "%" PRId64, v->i);
        break;
    case FT_MONEY:
        strbuf_addf(out, "%" PRId64 ".%02d %s", v->i / 100, (int)(v->i % 100),
                    v->s ? v->s : "CNY");
        break;
    default:
        if (v->s)
            strbuf_addstr(out, v->s);
        break;
    }
}

int ent_value_equal(const struct ent *a, const struct ent *b, enum ent_field f)
{
    const struct ent_value *x = &a->v[f], *y = &b->v[f];
    if (x->set != y->set)
        return 0;
    if (!x->set)
        return 1;
    switch (ent_fields[f].type) {
    case FT_INT:
        return x->i == y->i;
    case FT_MONEY:
    case FT_STATUS:
        if (x->i != y->i)
            return 0;
        break;
    default:
        break;
    }
    if (!x->s || !y->s)
        return x->s == y->s;
    return x->len == y->len && !memcmp(x->s, y->s, x->len);
}
