/*
 * multipart.c - a streaming multipart/form-data parser (RFC 7578) for
 * import uploads: the file part goes to disk as it arrives, so an upload
 * costs a few kilobytes of memory whatever its size; the other parts are
 * small text fields.
 *
 * The body is read as if it began with CRLF, so that every delimiter,
 * the first included, is "\r\n--BOUNDARY". Bytes that might be the start
 * of a delimiter are held back until the next chunk says otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "http/api.h"

#define MAX_PART_HEADERS 4096

enum mp_state { MP_PREAMBLE, MP_AFTER_DELIM, MP_HEADERS, MP_DATA, MP_DONE };

struct multipart {
    char delim[80];            /* "\r\n--" + boundary */
    size_t delim_len;
    enum mp_state state;
    struct strbuf pending;     /* bytes not consumed yet */
    const char *file_field;
    const char *file_path;
    FILE *file;                /* open while the file part is written */
    int file_seen;
    char filename[256];
    uint64_t file_size;
    struct multipart_field fields[MULTIPART_MAX_FIELDS];
    size_t nfields;
    /* the part being read */
    int part_is_file;
    struct strbuf value;       /* a text part's value */
    char part_name[64];
};

/* The value of parameter key in a header such as
 * 'form-data; name="file"; filename="a.csv"' (quotes removed). */
static int header_param(const char *h, const char *key, char *out, size_t size)
{
    const char *p = h;
    size_t klen = strlen(key);
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncasecmp(p, key, klen) && p[klen] == '=') {
            const char *v = p + klen + 1, *e;
            size_t n;
            if (*v == '"') {
                v++;
                e = v;
                while (*e && *e != '"') {
                    if (*e == '\\' && e[1])
                        e++;
                    e++;
                }
            } else {
                e = v;
                while (*e && *e != ';' && *e != ' ' && *e != '\t')
                    e++;
            }
            n = (size_t)(e - v);
            if (n >= size)
                return -1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

struct multipart *multipart_new(const char *content_type, const char *file_field,
                                const char *file_path, struct error *err)
{
    struct multipart *m;
    char boundary[80];
    int rc;

    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0) {
        error_code(err, 415, "an upload must be multipart/form-data");
        return NULL;
    }
    rc = header_param(content_type, "boundary", boundary, 71);
    if (rc <= 0 || !boundary[0]) {
        error_code(err, 400, "the multipart/form-data content type has no boundary (or one "
                             "longer than 70 characters)");
        return NULL;
    }
    m = xcalloc(1, sizeof(*m));
    m->delim_len = (size_t)snprintf(m->delim, sizeof(m->delim), "\r\n--%s", boundary);
    m->file_field = file_field;
    m->file_path = file_path;
    strbuf_init(&m->pending, 8192);
    strbuf_addstr(&m->pending, "\r\n");
    return m;
}

void multipart_free(struct multipart *m)
{
    size_t i;
    if (!m)
        return;
    if (m->file)
        fclose(m->file);
    for (i = 0; i < m->nfields; i++)
        free(m->fields[i].value);
    strbuf_release(&m->pending);
    strbuf_release(&m->value);
    free(m);
}

static int emit(struct multipart *m, const char *data, size_t len, struct error *err)
{
    if (!len)
        return 0;
    if (m->part_is_file) {
        if (fwrite(data, 1, len, m->file) != len)
            return error_code(err, 500, "cannot write the upload to disk");
        m->file_size += len;
        return 0;
    }
    if (m->value.len + len > MULTIPART_MAX_FIELD_BYTES)
        return error_code(err, 400, "form field '%s' is longer than %d bytes", m->part_name,
                          MULTIPART_MAX_FIELD_BYTES);
    strbuf_add(&m->value, data, len);
    return 0;
}

static int end_part(struct multipart *m, struct error *err)
{
    if (m->part_is_file) {
        if (fclose(m->file) != 0) {
            m->file = NULL;
            return error_code(err, 500, "cannot write the upload to disk");
        }
        m->file = NULL;
        m->part_is_file = 0;
        return 0;
    }
    if (m->nfields == MULTIPART_MAX_FIELDS)
        return error_code(err, 400, "more than %d form fields", MULTIPART_MAX_FIELDS);
    snprintf(m->fields[m->nfields].name, sizeof(m->fields[m->nfields].name), "%s",
             m->part_name);
    m->fields[m->nfields].value = strbuf_detach(&m->value, NULL);
    m->nfields++;
    return 0;
}

/* Part headers: Content-Disposition tells the field name and whether it
 * is a file. */
static int start_part(struct multipart *m, const char *headers, struct error *err)
{
    const char *line = headers;
    char name[64] = "", filename[256] = "";
    int disposition = 0;

    while (*line) {
        const char *eol = strstr(line, "\r\n");
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        if (n > 20 && !strncasecmp(line, "Content-Disposition:", 20)) {
            char h[MAX_PART_HEADERS];
            memcpy(h, line, n);
            h[n] = '\0';
            if (header_param(h, "name", name, sizeof(name)) <= 0 || !name[0])
                return error_code(err, 400, "a form part without a name (or one longer "
                                            "than 63 bytes)");
            if (header_param(h, "filename", filename, sizeof(filename)) < 0)
                return error_code(err, 400, "a file name longer than 255 bytes");
            disposition = 1;
        }
        line += n + (eol ? 2 : 0);
    }
    if (!disposition)
        return error_code(err, 400, "a form part without Content-Disposition");
    snprintf(m->part_name, sizeof(m->part_name), "%s", name);
    strbuf_reset(&m->value);
    if (!strcmp(name, m->file_field)) {
        if (m->file_seen)
            return error_code(err, 400, "more than one '%s' part", m->file_field);
        m->file = fopen(m->file_path, "wb");
        if (!m->file)
            return error_code(err, 500, "cannot store the upload");
        m->file_seen = 1;
        m->part_is_file = 1;
        snprintf(m->filename, sizeof(m->filename), "%s", filename);
    } else if (filename[0]) {
        return error_code(err, 400, "unexpected file in form field '%s' (the file goes in '%s')",
                          name, m->file_field);
    }
    return 0;
}

int multipart_feed(struct multipart *m, const char *data, size_t len, struct error *err)
{
    size_t pos = 0;
    struct strbuf *p = &m->pending;

    if (m->state == MP_DONE)
        return 0;  /* the epilogue is ignored */
    strbuf_add(p, data, len);
    for (;;) {
        const char *base = p->buf + pos;
        size_t avail = p->len - pos;
        if (m->state == MP_PREAMBLE || m->state == MP_DATA) {
            const char *d = memmem(base, avail, m->delim, m->delim_len);
            if (!d) {
                /* keep what could be the beginning of a delimiter */
                size_t keep = m->delim_len - 1, out = avail > keep ? avail - keep : 0;
                if (m->state == MP_DATA && emit(m, base, out, err) != 0)
                    return -1;
                pos += out;
                break;
            }
            if (m->state == MP_DATA) {
                if (emit(m, base, (size_t)(d - base), err) != 0 || end_part(m, err) != 0)
                    return -1;
            }
            pos += (size_t)(d - base) + m->delim_len;
            m->state = MP_AFTER_DELIM;
        } else if (m->state == MP_AFTER_DELIM) {
            if (avail < 2)
                break;
            if (base[0] == '-' && base[1] == '-') {
                m->state = MP_DONE;
                pos = p->len;
                break;
            }
            /* transport padding (spaces, tabs) may precede the CRLF */
            if (base[0] == ' ' || base[0] == '\t') {
                pos++;
                continue;
            }
            if (base[0] != '\r' || base[1] != '\n')
                return error_code(err, 400, "malformed multipart body: a boundary not "
                                            "followed by CRLF");
            pos += 2;
            m->state = MP_HEADERS;
        } else if (m->state == MP_HEADERS) {
            const char *e = memmem(base, avail, "\r\n\r\n", 4);
            const char *z = memchr(base, '\0', e ? (size_t)(e - base) : avail);
            char h[MAX_PART_HEADERS + 1];
            if (z)
                return error_code(err, 400, "malformed multipart body: a NUL in part headers");
            if (!e) {
                if (avail > MAX_PART_HEADERS)
                    return error_code(err, 400, "multipart part headers longer than %d bytes",
                                      MAX_PART_HEADERS);
                break;
            }
            if ((size_t)(e - base) > MAX_PART_HEADERS)
                return error_code(err, 400, "multipart part headers longer than %d bytes",
                                  MAX_PART_HEADERS);
            memcpy(h, base, (size_t)(e - base));
            h[e - base] = '\0';
            if (start_part(m, h, err) != 0)
                return -1;
            pos += (size_t)(e - base) + 4;
            m->state = MP_DATA;
        } else {
            pos = p->len;
            break;
        }
    }
    /* drop what was consumed */
    if (pos) {
        memmove(p->buf, p->buf + pos, p->len - pos);
        strbuf_setlen(p, p->len - pos);
    }
    return 0;
}

int multipart_finish(struct multipart *m, struct error *err)
{
    if (m->state != MP_DONE)
        return error_code(err, 400, "the multipart body ended before its closing boundary");
    return 0;
}

int multipart_file(const struct multipart *m, const char **filename, uint64_t *size)
{
    if (!m->file_seen)
        return 0;
    *filename = m->filename;
    *size = m->file_size;
    return 1;
}

const char *multipart_field(const struct multipart *m, const char *name)
{
    size_t i;
    for (i = 0; i < m->nfields; i++)
        if (!strcmp(m->fields[i].name, name))
            return m->fields[i].value;
    return NULL;
}

const char *multipart_unknown(const struct multipart *m, const char *const *known)
{
    size_t i, k;
    for (i = 0; i < m->nfields; i++) {
        for (k = 0; known[k] && strcmp(known[k], m->fields[i].name); k++)
            ;
        if (!known[k])
            return m->fields[i].name;
    }
    return NULL;
}
