/*
 * xlsx_read.c - the streaming XLSX reader (API in xlsx_read.h, design notes
 * in docs/internals/xlsx.md).
 *
 * Enterprise exports reach a million rows, so a worksheet is never inflated
 * or parsed as a whole: its zip entry is inflated in chunks straight into
 * expat's input buffer, and the parser is suspended at every </row> so that
 * next() hands out exactly one row. What stays in memory is the shared
 * strings table (one byte arena plus an offset per string), the styles'
 * date flags and one row.
 *
 * The file comes from outside, so everything it can make us do is bounded:
 * bytes inflated per part (counted, not taken from the zip directory),
 * shared string count and bytes, cell and row sizes, columns, row numbers,
 * XML nesting depth and the size of a single XML token. DTDs are refused,
 * which rules out entity expansion tricks. Expat checks that the text is
 * well-formed UTF-8, so every cell we hand out is valid UTF-8.
 *
 * Layers, bottom up: a zip directory index over minizip (from a file or an
 * in-memory buffer), part streams that count what they inflate, a generic
 * "parse this part with these handlers" loop for the small parts (rels,
 * workbook, styles, shared strings), and the worksheet state machine.
 */
#include "registry/xlsx_read.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unzip.h>

#include "base/alloc.h"
#include "base/error.h"
#include "base/strbuf.h"

#define XML_CHUNK          (64u * 1024u)
/* A start tag or comment longer than this is not a spreadsheet; expat would
 * otherwise rescan the growing token on every chunk. */
#define XML_MAX_TOKEN      (16u * 1024u * 1024u)
#define XML_MAX_DEPTH      64
#define XLSX_MAX_ROW       1048576u        /* Excel's last row */
#define XLSX_MAX_ENTRIES   65536u          /* zip entries we index */
#define XLSX_MAX_SHEETS    4096u
#define XLSX_MAX_RELS      10000u          /* a workbook's: its sheets and a few more */
#define XLSX_MAX_NUMFMTS   65536u
#define XLSX_MAX_XFS       (1024u * 1024u)
/* Names and targets we keep a copy of (Excel's sheet names stop at 31
 * characters): without a cap, a compressible workbook.xml could make us
 * copy gigabytes of "names". */
#define XLSX_MAX_NAME      4096u
#define NO_TEXT            ((size_t)-1)

static size_t part_limit = XLSX_MAX_PART_BYTES;
static size_t sst_max_count = XLSX_MAX_SHARED_STRINGS;
static size_t sst_max_bytes = XLSX_MAX_SHARED_BYTES;

void xlsx_set_part_limit(size_t bytes)
{
    part_limit = bytes ? bytes : XLSX_MAX_PART_BYTES;
}

void xlsx_set_shared_limits(size_t count, size_t bytes)
{
    /* Never above the defaults: the offsets are 32-bit. */
    sst_max_count = count && count < XLSX_MAX_SHARED_STRINGS ? count : XLSX_MAX_SHARED_STRINGS;
    sst_max_bytes = bytes && bytes < XLSX_MAX_SHARED_BYTES ? bytes : XLSX_MAX_SHARED_BYTES;
}

/* ------------------------------------------------------------------------
 * zip access: minizip over a file or a memory buffer, plus a directory index
 */

struct memfile {
    const unsigned char *data;
    size_t len;
    size_t pos;
};

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *filename, int mode)
{
    struct memfile *m = opaque;
    (void)filename;
    if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) != ZLIB_FILEFUNC_MODE_READ)
        return NULL;
    m->pos = 0;
    return m;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    struct memfile *m = stream;
    size_t n = m->len - m->pos;
    (void)opaque;
    if (n > size)
        n = size;
    if (n) {
        memcpy(buf, m->data + m->pos, n);
        m->pos += n;
    }
    return (uLong)n;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque, (void)stream, (void)buf, (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((struct memfile *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
    struct memfile *m = stream;
    size_t base;
    (void)opaque;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
    case ZLIB_FILEFUNC_SEEK_CUR: base = m->pos; break;
    case ZLIB_FILEFUNC_SEEK_END: base = m->len; break;
    default: return -1;
    }
    if (off > m->len - base)
        return -1;
    m->pos = base + (size_t)off;
    return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
    (void)opaque, (void)stream;
    return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
    (void)opaque, (void)stream;
    return 0;
}

struct zip_entry {
    char *name;           /* as stored, without a leading '/' */
    unz64_file_pos pos;
    uint64_t size;        /* declared uncompressed size: a hint, never trusted */
};

enum part_kind { PART_OTHER = 0, PART_WORKSHEET, PART_CHARTSHEET };

struct rel {
    char *id;
    char *type;           /* the last segment of the Type URI: "worksheet", "styles"... */
    char *target;         /* resolved zip entry name, NULL for external targets */
};

struct sheet_info {
    char *name;
    char *rid;
    int hidden;
    const struct rel *rel; /* NULL until the workbook rels are read */
};

/* An opened workbook: the zip, its directory and what workbook.xml says. */
struct book {
    unzFile uf;
    struct memfile mem;
    char *display;        /* file name for messages */
    struct zip_entry *entries;
    size_t nentries, alloc_entries;
    char *wb_part;        /* "xl/workbook.xml" */
    struct sheet_info *sheets;
    size_t nsheets, alloc_sheets;
    struct rel *rels;     /* the workbook's relationships */
    size_t nrels, alloc_rels;
    int date1904;
    int part_open;        /* a zip entry is open for reading */
};

static int book_fail(const struct book *b, struct error *err, const char *fmt, ...)
    MAGNET_PRINTF(3, 4);

static int book_fail(const struct book *b, struct error *err, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error_set(err, "%s: %s", b->display, msg);
}

/* OPC part names compare case-insensitively (ASCII). The directory is
 * sorted once so that a lookup per relationship stays cheap however many
 * entries and relationships a hostile file brings. */
static int entry_cmp(const void *a, const void *b)
{
    return strcasecmp(((const struct zip_entry *)a)->name, ((const struct zip_entry *)b)->name);
}

static const struct zip_entry *book_entry(const struct book *b, const char *name)
{
    struct zip_entry key;
    if (!b->nentries)
        return NULL;
    key.name = (char *)(name[0] == '/' ? name + 1 : name);
    return bsearch(&key, b->entries, b->nentries, sizeof(*b->entries), entry_cmp);
}

static int book_index(struct book *b, struct error *err)
{
    char name[1024];
    int rc = unzGoToFirstFile(b->uf);
    while (rc == UNZ_OK) {
        unz_file_info64 info;
        struct zip_entry *e;
        if (unzGetCurrentFileInfo64(b->uf, &info, name, sizeof(name), NULL, 0, NULL, 0) != UNZ_OK)
            return book_fail(b, err, "corrupt zip directory");
        if (info.size_filename < sizeof(name)) {
            if (b->nentries >= XLSX_MAX_ENTRIES)
                return book_fail(b, err, "more than %u entries in the zip: not a workbook",
                                 XLSX_MAX_ENTRIES);
            ALLOC_GROW(b->entries, b->nentries + 1, b->alloc_entries);
            e = &b->entries[b->nentries];
            if (unzGetFilePos64(b->uf, &e->pos) != UNZ_OK)
                return book_fail(b, err, "corrupt zip directory");
            e->name = xstrdup(name[0] == '/' ? name + 1 : name);
            e->size = info.uncompressed_size;
            b->nentries++;
        }
        rc = unzGoToNextFile(b->uf);
    }
    if (rc != UNZ_END_OF_LIST_OF_FILE)
        return book_fail(b, err, "corrupt zip directory (error %d)", rc);
    if (b->nentries)
        qsort(b->entries, b->nentries, sizeof(*b->entries), entry_cmp);
    return 0;
}

static int bomb_error(const struct book *b, const char *part, struct error *err)
{
    return book_fail(b, err, "zip part '%s' expands past %zu bytes: refusing (zip bomb?)", part,
                     part_limit);
}

static int part_open(struct book *b, const struct zip_entry *e, struct error *err)
{
    unz_file_info64 info;
    if (e->size > part_limit)
        return bomb_error(b, e->name, err);
    if (unzGoToFilePos64(b->uf, &e->pos) != UNZ_OK ||
        unzGetCurrentFileInfo64(b->uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return book_fail(b, err, "zip part '%s' cannot be found: corrupt zip", e->name);
    if (info.flag & 1)
        return book_fail(b, err, "zip part '%s' is encrypted", e->name);
    if (info.compression_method != 0 && info.compression_method != Z_DEFLATED)
        return book_fail(b, err, "zip part '%s' uses compression method %lu, which is not supported",
                         e->name, (unsigned long)info.compression_method);
    if (unzOpenCurrentFile(b->uf) != UNZ_OK)
        return book_fail(b, err, "zip part '%s' cannot be opened: corrupt zip", e->name);
    b->part_open = 1;
    return 0;
}

/* Inflate up to cap bytes; *total counts what this part has produced so far,
 * which is what the zip bomb check trusts. 0 at the end, -1 on error. */
static int part_read(struct book *b, const struct zip_entry *e, void *buf, unsigned cap,
                     size_t *total, struct error *err)
{
    int n = unzReadCurrentFile(b->uf, buf, cap);
    if (n < 0)
        return book_fail(b, err, "zip part '%s' is corrupt (inflate error %d)", e->name, n);
    *total += (size_t)n;
    if (*total > part_limit)
        return bomb_error(b, e->name, err);
    return n;
}

/* Close the open part; with check, report a CRC mismatch (only meaningful
 * once the part has been read to the end). */
static int part_close(struct book *b, const struct zip_entry *e, int check, struct error *err)
{
    int rc;
    if (!b->part_open)
        return 0;
    b->part_open = 0;
    rc = unzCloseCurrentFile(b->uf);
    if (check && rc == UNZ_CRCERROR)
        return book_fail(b, err, "zip part '%s' is corrupt (CRC mismatch)", e->name);
    if (check && rc != UNZ_OK)
        return book_fail(b, err, "zip part '%s' is corrupt (error %d)", e->name, rc);
    return 0;
}

/* ------------------------------------------------------------------------
 * XML plumbing shared by every part
 */

struct xml_ctx {
    XML_Parser p;
    const char *display;  /* file name (or source) for messages */
    const char *part;
    struct error fail;    /* set by a handler that stopped the parse */
    int failed;
    int depth;
};

static void xml_fail(struct xml_ctx *c, const char *fmt, ...) MAGNET_PRINTF(2, 3);

static void xml_fail(struct xml_ctx *c, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    if (c->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error_set(&c->fail, "%s: %s line %lu: %s", c->display, c->part,
              (unsigned long)XML_GetCurrentLineNumber(c->p), msg);
    c->failed = 1;
    XML_StopParser(c->p, XML_FALSE);
}

/* Entering an element: 0 to go on, -1 when the parse has been stopped. */
static int xml_enter(struct xml_ctx *c)
{
    if (c->failed)
        return -1;
    if (++c->depth > XML_MAX_DEPTH) {
        xml_fail(c, "elements nested deeper than %d levels", XML_MAX_DEPTH);
        return -1;
    }
    return 0;
}

static void XMLCALL xml_on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                   const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    xml_fail(ud, "a DOCTYPE is not allowed in a workbook part");
}

static const XML_Memory_Handling_Suite xml_memsuite = { xmalloc, xrealloc, free };

/* ud must start with a struct xml_ctx. */
static XML_Parser xml_create(struct xml_ctx *ctx, XML_StartElementHandler start,
                             XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    /* Our allocator aborts on OOM, the house rule, so expat never sees NULL. */
    XML_Parser p = XML_ParserCreate_MM(NULL, &xml_memsuite, NULL);
    if (!p) {
        fprintf(stderr, "magnet: out of memory (XML parser)\n");
        abort();
    }
    XML_SetUserData(p, ctx);
    XML_SetElementHandler(p, start, end);
    if (text)
        XML_SetCharacterDataHandler(p, text);
    XML_SetStartDoctypeDeclHandler(p, xml_on_doctype);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    ctx->p = p;
    return p;
}

/* The message for a failed XML_ParseBuffer/XML_ResumeParser. */
static int xml_error(struct xml_ctx *c, struct error *err)
{
    if (c->failed) {
        if (err)
            *err = c->fail;
        return -1;
    }
    return error_set(err, "%s: %s line %lu, column %lu: %s", c->display, c->part,
                     (unsigned long)XML_GetCurrentLineNumber(c->p),
                     (unsigned long)XML_GetCurrentColumnNumber(c->p) + 1,
                     XML_ErrorString(XML_GetErrorCode(c->p)));
}

/* After a chunk was consumed: is expat holding an unfinished token that has
 * grown past XML_MAX_TOKEN? */
static int xml_token_check(struct xml_ctx *c, size_t fed, struct error *err)
{
    XML_Index at = XML_GetCurrentByteIndex(c->p);
    size_t last = at > 0 ? (size_t)at : 0;
    if (fed > last && fed - last > XML_MAX_TOKEN)
        return error_set(err, "%s: %s line %lu: an XML token longer than %u bytes", c->display,
                         c->part, (unsigned long)XML_GetCurrentLineNumber(c->p), XML_MAX_TOKEN);
    return 0;
}

/* Parse a whole part with the given handlers (ctx is the user data). */
static int xml_parse_part(struct book *b, const struct zip_entry *e, struct xml_ctx *ctx,
                          XML_StartElementHandler start, XML_EndElementHandler end,
                          XML_CharacterDataHandler text, struct error *err)
{
    size_t total = 0;
    int rc = -1;
    XML_Parser p;
    ctx->display = b->display;
    ctx->part = e->name;
    p = xml_create(ctx, start, end, text);
    if (part_open(b, e, err) < 0)
        goto out;
    for (;;) {
        void *buf = XML_GetBuffer(p, XML_CHUNK);
        int n;
        if (!buf) {
            xml_error(ctx, err);
            goto out;
        }
        n = part_read(b, e, buf, XML_CHUNK, &total, err);
        if (n < 0)
            goto out;
        if (XML_ParseBuffer(p, n, n == 0) != XML_STATUS_OK) {
            xml_error(ctx, err);
            goto out;
        }
        if (n == 0)
            break;
        if (xml_token_check(ctx, total, err) < 0)
            goto out;
    }
    rc = part_close(b, e, 1, err);
out:
    part_close(b, e, 0, NULL);
    XML_ParserFree(p);
    ctx->p = NULL;
    return rc;
}

/* The local part of a qualified name: "x:row" -> "row". Namespaces are not
 * checked, which accepts both transitional and strict OOXML. */
static inline const char *local_name(const char *n)
{
    const char *p;
    for (p = n; *p; p++)  /* names are short: cheaper than a strchr() call */
        if (*p == ':')
            return p + 1;
    return n;
}

static const char *find_attr(const XML_Char **atts, const char *name)
{
    size_t i;
    for (i = 0; atts[i]; i += 2) {
        if (!strncmp(atts[i], "xmlns", 5) && (atts[i][5] == ':' || !atts[i][5]))
            continue;
        if (!strcmp(local_name(atts[i]), name))
            return atts[i + 1];
    }
    return NULL;
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Excel drops leading and trailing white space of a <t> unless it says
 * xml:space="preserve"; a <t> of white space only is kept (it separates
 * rich-text runs). Applies to sb->buf[from..len). */
static void trim_text(struct strbuf *sb, size_t from)
{
    size_t b = from, e = sb->len;
    while (b < e && is_xml_space(sb->buf[b]))
        b++;
    if (b == e)
        return;
    while (e > b && is_xml_space(sb->buf[e - 1]))
        e--;
    if (b > from)
        memmove(sb->buf + from, sb->buf + b, e - b);
    strbuf_setlen(sb, from + (e - b));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* OOXML writes characters XML cannot carry as _xHHHH_ ("_x000D_" for a
 * carriage return, "_x005F_" for a literal "_x"). Decode them in place; the
 * UTF-8 is never longer than the escape. NUL and surrogates stay escaped. */
static void decode_escapes(struct strbuf *sb, size_t from)
{
    char *s = sb->buf;
    size_t i = from, o = from, n = sb->len;
    if (!memchr(s + from, '_', n - from))
        return;
    while (i < n) {
        if (s[i] == '_' && i + 6 < n && s[i + 1] == 'x' && s[i + 6] == '_') {
            int h0 = hexval(s[i + 2]), h1 = hexval(s[i + 3]), h2 = hexval(s[i + 4]),
                h3 = hexval(s[i + 5]);
            if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
                unsigned cp = (unsigned)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
                if (cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
                    if (cp < 0x80) {
                        s[o++] = (char)cp;
                    } else if (cp < 0x800) {
                        s[o++] = (char)(0xC0 | cp >> 6);
                        s[o++] = (char)(0x80 | (cp & 0x3F));
                    } else {
                        s[o++] = (char)(0xE0 | cp >> 12);
                        s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                        s[o++] = (char)(0x80 | (cp & 0x3F));
                    }
                    i += 7;
                    continue;
                }
            }
        }
        s[o++] = s[i++];
    }
    strbuf_setlen(sb, o);
}

/* ------------------------------------------------------------------------
 * part names and relationships
 */

/* Resolve a relationship target against the folder of the part that owns
 * the relationships ("xl/"): "worksheets/sheet1.xml", "/xl/worksheets/..."
 * and "../xl/..." all become a zip entry name. Caller frees. */
static char *resolve_target(const char *base_dir, const char *target)
{
    struct strbuf raw = STRBUF_INIT, out = STRBUF_INIT;
    const char *t;
    size_t i, seg;
    if (target[0] != '/')
        strbuf_addstr(&raw, base_dir);
    /* Targets are URIs: undo percent-encoding ("my%20sheet.xml"). */
    for (t = target; *t; t++) {
        int h1, h2;
        if (*t == '%' && (h1 = hexval(t[1])) >= 0 && (h2 = hexval(t[2])) >= 0 && (h1 | h2)) {
            strbuf_addch(&raw, h1 << 4 | h2);
            t += 2;
        } else {
            strbuf_addch(&raw, *t == '\\' ? '/' : *t);
        }
    }
    /* Normalise the segments: drop "" and ".", let ".." pop. */
    for (i = 0; i <= raw.len; i = seg + 1) {
        size_t n;
        seg = i;
        while (seg < raw.len && raw.buf[seg] != '/')
            seg++;
        n = seg - i;
        if (n == 0 || (n == 1 && raw.buf[i] == '.'))
            continue;
        if (n == 2 && raw.buf[i] == '.' && raw.buf[i + 1] == '.') {
            char *slash;
            slash = memrchr(out.buf, '/', out.len);
            strbuf_setlen(&out, slash ? (size_t)(slash - out.buf) : 0);
            continue;
        }
        if (out.len)
            strbuf_addch(&out, '/');
        strbuf_add(&out, raw.buf + i, n);
    }
    strbuf_release(&raw);
    return strbuf_detach(&out, NULL);
}

/* "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels"; base dir "xl/". */
static char *rels_part_for(const char *part, char **base_dir)
{
    const char *slash = strrchr(part, '/');
    size_t dirlen = slash ? (size_t)(slash - part) + 1 : 0;
    struct strbuf sb = STRBUF_INIT;
    strbuf_add(&sb, part, dirlen);
    *base_dir = xstrndup(part, dirlen);
    strbuf_addf(&sb, "_rels/%s.rels", part + dirlen);
    return strbuf_detach(&sb, NULL);
}

struct rels_parse {
    struct xml_ctx ctx;
    const char *base_dir;
    struct rel *rels;
    size_t nrels, alloc;
};

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct rels_parse *rp = ud;
    const char *id, *type, *target, *mode, *slash;
    struct rel *r;
    if (xml_enter(&rp->ctx) < 0 || strcmp(local_name(name), "Relationship"))
        return;
    id = find_attr(atts, "Id");
    type = find_attr(atts, "Type");
    target = find_attr(atts, "Target");
    mode = find_attr(atts, "TargetMode");
    if (!id || !type || !target)
        return;
    if (strlen(id) > XLSX_MAX_NAME || strlen(type) > XLSX_MAX_NAME ||
        strlen(target) > XLSX_MAX_NAME) {
        xml_fail(&rp->ctx, "a relationship longer than %u bytes", XLSX_MAX_NAME);
        return;
    }
    if (rp->nrels >= XLSX_MAX_RELS) {
        xml_fail(&rp->ctx, "more than %u relationships", XLSX_MAX_RELS);
        return;
    }
    ALLOC_GROW(rp->rels, rp->nrels + 1, rp->alloc);
    r = &rp->rels[rp->nrels++];
    r->id = xstrdup(id);
    slash = strrchr(type, '/');
    r->type = xstrdup(slash ? slash + 1 : type);
    r->target = mode && !strcmp(mode, "External") ? NULL : resolve_target(rp->base_dir, target);
}

static void XMLCALL xml_leave(void *ud, const XML_Char *name)
{
    struct xml_ctx *c = ud;
    (void)name;
    c->depth--;
}

static void rels_free(struct rel *rels, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        free(rels[i].id);
        free(rels[i].type);
        free(rels[i].target);
    }
    free(rels);
}

/* Read the relationships of part (missing rels part: 0 relationships). */
static int read_rels(struct book *b, const char *part, struct rel **out, size_t *nout,
                     size_t *alloc, struct error *err)
{
    struct rels_parse rp;
    char *base_dir;
    char *rels_name = rels_part_for(part, &base_dir);
    const struct zip_entry *e = book_entry(b, rels_name);
    int rc = 0;
    memset(&rp, 0, sizeof(rp));
    rp.base_dir = base_dir;
    if (e)
        rc = xml_parse_part(b, e, &rp.ctx, rels_start, xml_leave, NULL, err);
    *out = rp.rels;
    *nout = rp.nrels;
    *alloc = rp.alloc;
    free(rels_name);
    free(base_dir);
    return rc;
}

/* [Content_Types].xml: the fallback way to find the workbook part. */
struct ctypes_parse {
    struct xml_ctx ctx;
    char *workbook;
};

static void XMLCALL ctypes_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct ctypes_parse *cp = ud;
    const char *part, *type;
    if (xml_enter(&cp->ctx) < 0 || strcmp(local_name(name), "Override") || cp->workbook)
        return;
    part = find_attr(atts, "PartName");
    type = find_attr(atts, "ContentType");
    if (part && type && strlen(part) <= XLSX_MAX_NAME && strstr(type, ".main+xml") &&
        (strstr(type, "spreadsheetml") || strstr(type, "ms-excel")))
        cp->workbook = resolve_target("", part);
}

/* ------------------------------------------------------------------------
 * workbook.xml
 */

struct wb_parse {
    struct xml_ctx ctx;
    struct book *b;
};

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct wb_parse *wp = ud;
    struct book *b = wp->b;
    const char *ln = local_name(name);
    if (xml_enter(&wp->ctx) < 0)
        return;
    if (!strcmp(ln, "workbookPr")) {
        const char *v = find_attr(atts, "date1904");
        b->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
    } else if (!strcmp(ln, "sheet")) {
        const char *sname = find_attr(atts, "name");
        const char *rid = find_attr(atts, "id"); /* r:id */
        const char *state = find_attr(atts, "state");
        struct sheet_info *si;
        if (!sname || !rid) {
            xml_fail(&wp->ctx, "a <sheet> without a name or r:id");
            return;
        }
        if (strlen(sname) > XLSX_MAX_NAME || strlen(rid) > XLSX_MAX_NAME) {
            xml_fail(&wp->ctx, "a sheet name longer than %u bytes", XLSX_MAX_NAME);
            return;
        }
        if (b->nsheets >= XLSX_MAX_SHEETS) {
            xml_fail(&wp->ctx, "more than %u sheets", XLSX_MAX_SHEETS);
            return;
        }
        ALLOC_GROW(b->sheets, b->nsheets + 1, b->alloc_sheets);
        si = &b->sheets[b->nsheets++];
        si->name = xstrdup(sname);
        si->rid = xstrdup(rid);
        si->hidden = state && strcmp(state, "visible") != 0;
        si->rel = NULL;
    }
}

static void book_release(struct book *b)
{
    size_t i;
    if (b->uf) {
        if (b->part_open)
            unzCloseCurrentFile(b->uf);
        unzClose(b->uf);
    }
    for (i = 0; i < b->nentries; i++)
        free(b->entries[i].name);
    free(b->entries);
    for (i = 0; i < b->nsheets; i++) {
        free(b->sheets[i].name);
        free(b->sheets[i].rid);
    }
    free(b->sheets);
    rels_free(b->rels, b->nrels);
    free(b->wb_part);
    free(b->display);
    memset(b, 0, sizeof(*b));
}

/* What the first bytes say when they are not a zip. */
static int not_zip_error(struct book *b, const unsigned char *head, size_t n, struct error *err)
{
    static const unsigned char ole[4] = { 0xD0, 0xCF, 0x11, 0xE0 };
    if (n >= 4 && !memcmp(head, ole, 4))
        return book_fail(b, err, "is an old .xls workbook or a password-protected file "
                                 "(OLE compound document), not .xlsx: save it as .xlsx without a "
                                 "password");
    return book_fail(b, err, "is not an XLSX file (not a zip archive)");
}

/* Open the zip (from path, or from data/len when path is NULL), index it,
 * find and read the workbook. *b must be zeroed; it must not move while open
 * (minizip keeps a pointer to b->mem). */
static int book_open(struct book *b, const char *path, const void *data, size_t len,
                     const char *display, struct error *err)
{
    unsigned char head[4];
    size_t nhead;
    const struct zip_entry *e;
    struct wb_parse wp;
    b->display = xstrdup(display);
    if (path) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return book_fail(b, err, "cannot open: %s", strerror(errno));
        nhead = fread(head, 1, sizeof(head), f);
        fclose(f);
        if (nhead < 4 || head[0] != 'P' || head[1] != 'K')
            return not_zip_error(b, head, nhead, err);
        b->uf = unzOpen64(path);
    } else {
        zlib_filefunc64_def ff;
        nhead = len < sizeof(head) ? len : sizeof(head);
        if (nhead)
            memcpy(head, data, nhead);
        if (nhead < 4 || head[0] != 'P' || head[1] != 'K')
            return not_zip_error(b, head, nhead, err);
        b->mem.data = data;
        b->mem.len = len;
        ff.zopen64_file = mem_open;
        ff.zread_file = mem_read;
        ff.zwrite_file = mem_write;
        ff.ztell64_file = mem_tell;
        ff.zseek64_file = mem_seek;
        ff.zclose_file = mem_close;
        ff.zerror_file = mem_error;
        ff.opaque = &b->mem;
        b->uf = unzOpen2_64(display, &ff);
    }
    if (!b->uf)
        return book_fail(b, err, "is not a readable zip archive (corrupt or truncated .xlsx?)");
    if (book_index(b, err) < 0)
        return -1;

    /* The package's own relationships name the workbook part; fall back to
     * the content types, then to the conventional name. */
    {
        struct rel *rels = NULL;
        size_t nrels = 0, alloc = 0, i;
        if (read_rels(b, "", &rels, &nrels, &alloc, err) < 0) {
            rels_free(rels, nrels);
            return -1;
        }
        for (i = 0; i < nrels && !b->wb_part; i++)
            if (!strcmp(rels[i].type, "officeDocument") && rels[i].target &&
                book_entry(b, rels[i].target))
                b->wb_part = xstrdup(rels[i].target);
        rels_free(rels, nrels);
    }
    if (!b->wb_part && (e = book_entry(b, "[Content_Types].xml"))) {
        struct ctypes_parse cp;
        memset(&cp, 0, sizeof(cp));
        if (xml_parse_part(b, e, &cp.ctx, ctypes_start, xml_leave, NULL, err) < 0) {
            free(cp.workbook);
            return -1;
        }
        if (cp.workbook && book_entry(b, cp.workbook))
            b->wb_part = cp.workbook;
        else
            free(cp.workbook);
    }
    if (!b->wb_part)
        b->wb_part = xstrdup("xl/workbook.xml");
    e = book_entry(b, b->wb_part);
    if (!e) {
        if (book_entry(b, "content.xml"))
            return book_fail(b, err, "is an OpenDocument spreadsheet (.ods), not .xlsx: save it "
                                     "as .xlsx");
        return book_fail(b, err, "is a zip without a workbook (no %s): not an .xlsx file",
                         b->wb_part);
    }
    memset(&wp, 0, sizeof(wp));
    wp.b = b;
    if (xml_parse_part(b, e, &wp.ctx, wb_start, xml_leave, NULL, err) < 0)
        return -1;
    return 0;
}

/* Read the workbook's relationships and point each sheet at its part. */
static int book_link_sheets(struct book *b, struct error *err)
{
    size_t i, j;
    if (read_rels(b, b->wb_part, &b->rels, &b->nrels, &b->alloc_rels, err) < 0)
        return -1;
    for (i = 0; i < b->nsheets; i++)
        for (j = 0; j < b->nrels && !b->sheets[i].rel; j++)
            if (!strcmp(b->rels[j].id, b->sheets[i].rid))
                b->sheets[i].rel = &b->rels[j];
    return 0;
}

static const struct rel *book_rel_of_type(const struct book *b, const char *type)
{
    size_t i;
    for (i = 0; i < b->nrels; i++)
        if (!strcmp(b->rels[i].type, type) && b->rels[i].target)
            return &b->rels[i];
    return NULL;
}

static int sheet_is_worksheet(const struct sheet_info *si)
{
    return si->rel && !strcmp(si->rel->type, "worksheet");
}

/* ------------------------------------------------------------------------
 * styles.xml: which cell formats are dates
 */

/* Excel's built-in number formats that show a date or a time, including the
 * CJK locale ones (27-36, 50-58) that Chinese Excel uses for 年月日. */
static int builtin_date_format(unsigned id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

/* A custom format is a date when it has a y, m, d, h or s outside quoted
 * text, [brackets] (colours, locales, conditions), escapes (\x), padding
 * (_x) and fill (*x) - 'yyyy"年"m"月"d"日"' is a date, '0.00"m"' is not. */
static int format_code_is_date(const char *code)
{
    const char *p;
    for (p = code; *p; p++) {
        char c = *p;
        if (c == '"') {
            p = strchr(p + 1, '"');
            if (!p)
                return 0;
        } else if (c == '[') {
            p = strchr(p + 1, ']');
            if (!p)
                return 0;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (!p[1])
                return 0;
            p++;
        } else if (!strncasecmp(p, "general", 7)) {
            p += 6;
        } else {
            c = (char)(c | 0x20);
            if (c == 'y' || c == 'm' || c == 'd' || c == 'h' || c == 's')
                return 1;
        }
    }
    return 0;
}

struct numfmt {
    unsigned id;
    int is_date;
};

struct styles_parse {
    struct xml_ctx ctx;
    struct numfmt *fmts;
    size_t nfmts, alloc_fmts;
    unsigned *xf_fmt;     /* cellXfs[i].numFmtId */
    size_t nxf, alloc_xf;
    int in_numfmts, in_cellxfs;  /* depth of the open container, 0 outside */
};

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct styles_parse *sp = ud;
    const char *ln = local_name(name);
    unsigned long id;
    if (xml_enter(&sp->ctx) < 0)
        return;
    /* Only the direct children of <styleSheet>: <dxfs> and <cellStyleXfs>
     * hold numFmt and xf elements too, and they must not count. */
    if (sp->ctx.depth == 2) {
        if (!strcmp(ln, "numFmts"))
            sp->in_numfmts = 2;
        else if (!strcmp(ln, "cellXfs"))
            sp->in_cellxfs = 2;
    } else if (sp->ctx.depth == 3 && sp->in_numfmts && !strcmp(ln, "numFmt")) {
        const char *code = find_attr(atts, "formatCode");
        if (parse_uint(find_attr(atts, "numFmtId"), 0xFFFFFFFFul, &id) < 0 || !code)
            return;
        if (sp->nfmts >= XLSX_MAX_NUMFMTS) {
            xml_fail(&sp->ctx, "more than %u number formats", XLSX_MAX_NUMFMTS);
            return;
        }
        ALLOC_GROW(sp->fmts, sp->nfmts + 1, sp->alloc_fmts);
        sp->fmts[sp->nfmts].id = (unsigned)id;
        sp->fmts[sp->nfmts].is_date = format_code_is_date(code);
        sp->nfmts++;
    } else if (sp->ctx.depth == 3 && sp->in_cellxfs && !strcmp(ln, "xf")) {
        if (parse_uint(find_attr(atts, "numFmtId"), 0xFFFFFFFFul, &id) < 0)
            id = 0;
        if (sp->nxf >= XLSX_MAX_XFS) {
            xml_fail(&sp->ctx, "more than %u cell formats", XLSX_MAX_XFS);
            return;
        }
        ALLOC_GROW(sp->xf_fmt, sp->nxf + 1, sp->alloc_xf);
        sp->xf_fmt[sp->nxf++] = (unsigned)id;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct styles_parse *sp = ud;
    (void)name;
    if (sp->ctx.depth == sp->in_numfmts)
        sp->in_numfmts = 0;
    if (sp->ctx.depth == sp->in_cellxfs)
        sp->in_cellxfs = 0;
    sp->ctx.depth--;
}

/* ------------------------------------------------------------------------
 * the reader
 */

enum cell_kind {
    CK_NUMBER,   /* t="n" or no t */
    CK_SHARED,   /* t="s" */
    CK_STR,      /* t="str": a formula's string result */
    CK_INLINE,   /* t="inlineStr" */
    CK_BOOL,     /* t="b" */
    CK_ERROR,    /* t="e" */
    CK_ISODATE   /* t="d" */
};

struct sheet_parse {
    struct xml_ctx ctx;       /* first: it is the expat user data */
    int in_data;              /* depth of <sheetData>, 0 outside */
    int in_row, in_cell, in_is, in_rph;
    int collect;              /* inside a <v>, or a <t> of an <is> */
    int t_preserve;
    size_t t_start;
    size_t row, prev_row;     /* Excel row numbers */
    size_t col, next_col;
    enum cell_kind kind;
    int date_style, have_value;
    struct strbuf rowtext;    /* NUL-separated texts of this row's cells; the current
                                 cell's <v> or <is> text is collected at its end */
    size_t vstart;            /* where the current cell's text starts in rowtext */
    struct cell *cells;
    size_t *textoff;          /* offset of cells[i].text in rowtext, or NO_TEXT */
    size_t ncells, alloc_cells, alloc_off;
    size_t row_bytes;
    int ready;                /* a row is complete: the parser is suspended */
    int suspended, final_fed, done, failed;
    size_t fed;               /* bytes inflated into the parser */
    const struct zip_entry *part;
};

struct xlsx_reader {
    struct table_reader base; /* first: the table_reader * is a struct xlsx_reader * */
    struct book book;
    char *source;             /* "book.xlsx!Sheet1" */
    unsigned char *xf_date;   /* per cellXfs index: 1 for a date format */
    size_t nxf;
    char *sst;                /* shared strings, each NUL-terminated, back to back */
    uint32_t *sst_off;        /* nsst + 1 offsets into sst */
    size_t nsst;
    struct sheet_parse sp;
    struct error fail;        /* the error that stopped the reader */
};

static int numfmt_cmp(const void *a, const void *b)
{
    unsigned x = ((const struct numfmt *)a)->id, y = ((const struct numfmt *)b)->id;
    return x < y ? -1 : x > y;
}

static int load_styles(struct xlsx_reader *x, struct error *err)
{
    struct book *b = &x->book;
    const struct rel *r = book_rel_of_type(b, "styles");
    const struct zip_entry *e = r ? book_entry(b, r->target) : NULL;
    struct styles_parse sp;
    size_t i;
    int rc;
    if (!e)
        return 0;  /* no styles: no dates, every number is a number */
    memset(&sp, 0, sizeof(sp));
    rc = xml_parse_part(b, e, &sp.ctx, styles_start, styles_end, NULL, err);
    if (rc == 0) {
        x->nxf = sp.nxf;
        x->xf_date = xcalloc(sp.nxf ? sp.nxf : 1, 1);
        if (sp.nfmts)
            qsort(sp.fmts, sp.nfmts, sizeof(*sp.fmts), numfmt_cmp);
        for (i = 0; i < sp.nxf; i++) {
            /* A numFmts entry overrides a built-in id of the same number. */
            struct numfmt key = { sp.xf_fmt[i], 0 };
            const struct numfmt *f =
                sp.nfmts ? bsearch(&key, sp.fmts, sp.nfmts, sizeof(*sp.fmts), numfmt_cmp) : NULL;
            x->xf_date[i] = (unsigned char)(f ? f->is_date : builtin_date_format(sp.xf_fmt[i]));
        }
    }
    free(sp.fmts);
    free(sp.xf_fmt);
    return rc;
}

/* ---- shared strings ---- */

struct sst_parse {
    struct xml_ctx ctx;
    struct xlsx_reader *x;
    size_t hint_max;
    int in_si, in_rph, collect, preserve;
    size_t t_start;
    struct strbuf cur;
    struct strbuf arena;
    uint32_t *off;
    size_t n, alloc;
};

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct sst_parse *sp = ud;
    const char *ln = local_name(name);
    if (xml_enter(&sp->ctx) < 0)
        return;
    if (sp->ctx.depth == 1 && !strcmp(ln, "sst")) {
        /* Size the offsets from uniqueCount, but believe it only as far as
         * the part could really hold that many strings. */
        unsigned long count;
        if (parse_uint(find_attr(atts, "uniqueCount"), 0xFFFFFFFFul, &count) == 0) {
            if (count > sp->hint_max)
                count = sp->hint_max;
            ALLOC_GROW(sp->off, count + 1, sp->alloc);
        }
    } else if (sp->ctx.depth == 2 && !strcmp(ln, "si")) {
        sp->in_si = 1;
        strbuf_reset(&sp->cur);
    } else if (sp->in_si && !strcmp(ln, "rPh")) {
        sp->in_rph++;  /* phonetic guide: not part of the text */
    } else if (sp->in_si && !sp->in_rph && !strcmp(ln, "t")) {
        const char *space = find_attr(atts, "space");
        sp->collect = 1;
        sp->preserve = space && !strcmp(space, "preserve");
        sp->t_start = sp->cur.len;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    struct sst_parse *sp = ud;
    const char *ln = local_name(name);
    if (sp->ctx.failed)
        return;
    if (sp->collect && !strcmp(ln, "t")) {
        sp->collect = 0;
        if (!sp->preserve)
            trim_text(&sp->cur, sp->t_start);
    } else if (sp->in_si && !strcmp(ln, "rPh")) {
        sp->in_rph--;
    } else if (sp->in_si && sp->ctx.depth == 2) {
        sp->in_si = 0;
        decode_escapes(&sp->cur, 0);
        if (sp->n >= sst_max_count) {
            xml_fail(&sp->ctx, "more than %zu shared strings: refusing", sst_max_count);
            return;
        }
        if (sp->arena.len - sp->n + sp->cur.len > sst_max_bytes) {  /* arena has n NULs */
            xml_fail(&sp->ctx, "shared strings take more than %zu bytes: refusing",
                     sst_max_bytes);
            return;
        }
        ALLOC_GROW(sp->off, sp->n + 2, sp->alloc);
        sp->off[sp->n++] = (uint32_t)sp->arena.len;
        strbuf_add(&sp->arena, sp->cur.buf, sp->cur.len + 1);  /* with its NUL */
    }
    sp->ctx.depth--;
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
    struct sst_parse *sp = ud;
    if (!sp->collect || sp->ctx.failed)
        return;
    if (sp->cur.len + (size_t)len > TABLE_MAX_CELL_BYTES) {
        xml_fail(&sp->ctx, "shared string %zu is longer than %u bytes", sp->n,
                 TABLE_MAX_CELL_BYTES);
        return;
    }
    strbuf_add(&sp->cur, s, (size_t)len);
}

static int load_shared_strings(struct xlsx_reader *x, struct error *err)
{
    struct book *b = &x->book;
    const struct rel *r = book_rel_of_type(b, "sharedStrings");
    const struct zip_entry *e;
    struct sst_parse sp;
    size_t len;
    int rc;
    /* A missing table is not fatal: a sheet without t="s" cells reads fine,
     * and one with them fails naming the cell. */
    if (!r || !(e = book_entry(b, r->target)))
        return 0;
    memset(&sp, 0, sizeof(sp));
    strbuf_init(&sp.cur, 0);
    strbuf_init(&sp.arena, 0);
    sp.x = x;
    /* "<si><t/></si>" is 12 bytes: no part holds more strings than that. */
    sp.hint_max = (size_t)(e->size / 12);
    if (sp.hint_max > sst_max_count)
        sp.hint_max = sst_max_count;
    rc = xml_parse_part(b, e, &sp.ctx, sst_start, sst_end, sst_text, err);
    strbuf_release(&sp.cur);
    if (rc < 0) {
        strbuf_release(&sp.arena);
        free(sp.off);
        return -1;
    }
    ALLOC_GROW(sp.off, sp.n + 1, sp.alloc);
    sp.off[sp.n] = (uint32_t)sp.arena.len;
    x->nsst = sp.n;
    /* Give back the doubling slack: this table lives as long as the reader. */
    x->sst_off = xrealloc(sp.off, (sp.n + 1) * sizeof(*sp.off));
    x->sst = strbuf_detach(&sp.arena, &len);
    x->sst = xrealloc(x->sst, len + 1);
    return 0;
}

/* ---- numbers and dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic:
 * 400-year cycles of 146097 days, years starting in March so the leap day
 * falls at the end). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    long era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
    long era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long)yoe + era * 400 + (*m <= 2);
}

static char *put_num(char *p, unsigned long v, int width)
{
    int i;
    for (i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static size_t format_datetime(char *out, long y, unsigned m, unsigned d, long secs)
{
    char *p = out;
    p = put_num(p, (unsigned long)y, 4);
    *p++ = '-';
    p = put_num(p, m, 2);
    *p++ = '-';
    p = put_num(p, d, 2);
    if (secs) {
        *p++ = ' ';
        p = put_num(p, (unsigned long)(secs / 3600), 2);
        *p++ = ':';
        p = put_num(p, (unsigned long)(secs / 60 % 60), 2);
        *p++ = ':';
        p = put_num(p, (unsigned long)(secs % 60), 2);
    }
    *p = '\0';
    return (size_t)(p - out);
}

/* An Excel serial as "YYYY-MM-DD[ HH:MM:SS]"; 0 when it is no date
 * (negative, past 9999-12-31, not finite). The 1900 system counts the
 * 29 February 1900 that never was (serial 60, shown as Excel shows it);
 * serials 1-59 are one day off from 61 onward because of it. */
static size_t serial_to_text(double serial, int date1904, char out[24])
{
    long days, y, secs;
    unsigned m, d;
    double whole;
    if (!(serial >= 0) || serial >= 2958466.0)
        return 0;
    whole = floor(serial);
    days = (long)whole;
    secs = lround((serial - whole) * 86400.0);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    if (date1904) {
        civil_from_days(days_from_civil(1904, 1, 1) + days, &y, &m, &d);
    } else if (days == 60) {
        y = 1900, m = 2, d = 29;
    } else {
        civil_from_days(days_from_civil(1899, 12, days < 60 ? 31 : 30) + days, &y, &m, &d);
    }
    if (y > 9999)
        return 0;
    return format_datetime(out, y, m, d, secs);
}

static int parse_digits(const char **s, const char *end, int n, unsigned *out)
{
    unsigned v = 0;
    int i;
    if (end - *s < n)
        return -1;
    for (i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (unsigned)(c - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

/* t="d": "2023-01-15", "2023-01-15T10:30:00", with optional fraction and
 * zone (ignored: the wall time is what the user typed). */
static int parse_iso_date(const char *s, size_t len, int date1904, double *serial, char out[24],
                          size_t *outlen)
{
    const char *p = s, *end = s + len;
    unsigned y, mo, d, hh = 0, mi = 0, ss = 0;
    static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    long days, secs;
    double frac = 0;
    if (parse_digits(&p, end, 4, &y) < 0 || p == end || *p++ != '-' ||
        parse_digits(&p, end, 2, &mo) < 0 || p == end || *p++ != '-' ||
        parse_digits(&p, end, 2, &d) < 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return -1;
    if (p < end && (*p == 'T' || *p == ' ')) {
        p++;
        if (parse_digits(&p, end, 2, &hh) < 0 || p == end || *p++ != ':' ||
            parse_digits(&p, end, 2, &mi) < 0)
            return -1;
        if (p < end && *p == ':') {
            p++;
            if (parse_digits(&p, end, 2, &ss) < 0)
                return -1;
            if (p < end && *p == '.') {
                double scale = 0.1;
                for (p++; p < end && *p >= '0' && *p <= '9'; p++, scale /= 10)
                    frac += (*p - '0') * scale;
            }
        }
        if (hh > 23 || mi > 59 || ss > 59)
            return -1;
        if (p < end && *p == 'Z') {
            p++;
        } else if (p < end && (*p == '+' || *p == '-')) {
            unsigned zh, zm;
            p++;
            if (parse_digits(&p, end, 2, &zh) < 0)
                return -1;
            if (p < end && *p == ':')
                p++;
            if (p < end && parse_digits(&p, end, 2, &zm) < 0)
                return -1;
        }
    }
    if (p != end)
        return -1;
    days = days_from_civil((long)y, mo, d);
    secs = (long)hh * 3600 + (long)mi * 60 + (long)ss;
    if (date1904)
        days -= days_from_civil(1904, 1, 1);
    else if ((days -= days_from_civil(1899, 12, 30)) < 61)
        days--;
    *serial = (double)days + ((double)secs + frac) / 86400.0;
    *outlen = format_datetime(out, (long)y, mo, d, secs);
    return 0;
}

/* 1 when s is exactly what %.15g prints for its value: a plain decimal of
 * at most 15 significant digits, no superfluous zeros, and an exponent in
 * %g's fixed-notation range. Most numbers Excel writes are, and then the
 * text is used as it is, sparing a printf and a parse. */
static int number_is_canonical(const char *s, size_t len)
{
    size_t i = 0, ib, intlen, fb, sig, zeros = 0;
    if (i < len && s[i] == '-')
        i++;
    ib = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    intlen = i - ib;
    if (intlen == 0 || (intlen > 1 && s[ib] == '0'))
        return 0;
    if (i == len)
        return intlen <= 15 && !(ib == 1 && s[ib] == '0');  /* not "-0" */
    if (s[i++] != '.')
        return 0;
    fb = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i != len || i == fb || s[len - 1] == '0')
        return 0;
    if (s[ib] == '0') {
        while (s[fb + zeros] == '0')
            zeros++;
        if (zeros > 3)  /* %g goes to exponent form below 1e-4 */
            return 0;
        sig = len - fb - zeros;
    } else {
        sig = intlen + (len - fb);
    }
    return sig <= 15;
}

/* The value of a canonical number (see above) without strtod(): at most 15
 * digits fit a double exactly, and so does 10^k for k <= 22, so one
 * division gives the correctly rounded result. */
static double canonical_value(const char *s, size_t len)
{
    static const double p10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    uint64_t m = 0;
    int frac = -1;
    size_t i = s[0] == '-';
    double d;
    for (; i < len; i++) {
        if (s[i] == '.') {
            frac = 0;
            continue;
        }
        m = m * 10 + (uint64_t)(s[i] - '0');
        if (frac >= 0)
            frac++;
    }
    d = (double)m;
    if (frac > 0)
        d /= p10[frac];
    return s[0] == '-' ? -d : d;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as d. */
static size_t format_number(double d, char out[32])
{
    int prec, n = 0;
    if (d == 0) {
        out[0] = '0';
        out[1] = '\0';
        return 1;
    }
    for (prec = 15; prec <= 17; prec++) {
        n = snprintf(out, 32, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    return (size_t)n;
}

/* A <v> number: digits, sign, point and exponent only (strtod alone would
 * take "inf", "nan" and hex). s is NUL-terminated at len. */
static int parse_number(const char *s, size_t len, double *out)
{
    size_t i;
    char *end;
    if (!len)
        return -1;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return -1;
    }
    *out = strtod(s, &end);
    if (end != s + len || !isfinite(*out))
        return -1;
    return 0;
}

/* ---- the worksheet state machine ---- */

static void cell_fail(struct xlsx_reader *x, const char *fmt, ...) MAGNET_PRINTF(2, 3);

static void cell_fail(struct xlsx_reader *x, const char *fmt, ...)
{
    struct sheet_parse *s = &x->sp;
    char msg[ERROR_MSG_MAX], col[8];
    va_list ap;
    if (s->ctx.failed)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    table_column_name(s->col, col);
    error_set(&s->ctx.fail, "%s: row %zu, cell %s%zu: %s", x->source, s->row, col, s->row, msg);
    s->ctx.failed = 1;
    XML_StopParser(s->ctx.p, XML_FALSE);
}

static void row_fail(struct xlsx_reader *x, size_t row, const char *fmt, ...) MAGNET_PRINTF(3, 4);

static void row_fail(struct xlsx_reader *x, size_t row, const char *fmt, ...)
{
    struct sheet_parse *s = &x->sp;
    char msg[ERROR_MSG_MAX];
    va_list ap;
    if (s->ctx.failed)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error_set(&s->ctx.fail, "%s: row %zu: %s", x->source, row, msg);
    s->ctx.failed = 1;
    XML_StopParser(s->ctx.p, XML_FALSE);
}

static void row_start(struct xlsx_reader *x, const XML_Char **atts)
{
    struct sheet_parse *s = &x->sp;
    const char *r = find_attr(atts, "r");
    unsigned long n;
    if (r) {
        if (parse_uint(r, 0xFFFFFFFFul, &n) < 0 || n == 0) {
            row_fail(x, s->prev_row + 1, "row number '%.40s' is not a number", r);
            return;
        }
    } else {
        n = s->prev_row + 1;  /* rows without r follow the previous one */
    }
    if (n > XLSX_MAX_ROW) {
        row_fail(x, n, "past Excel's last row (%u)", XLSX_MAX_ROW);
        return;
    }
    if (n <= s->prev_row) {
        row_fail(x, n, n == s->prev_row ? "appears twice" : "comes after row %zu: rows out of order",
                 s->prev_row);
        return;
    }
    s->row = s->prev_row = n;
    s->in_row = 1;
    s->ncells = 0;
    s->col = s->next_col = 0;
    s->row_bytes = 0;
    strbuf_reset(&s->rowtext);
}

/* "C7" -> column 2. -1 when there are no letters or too many. */
static int parse_col_ref(const char *r, size_t *col)
{
    size_t v = 0, n = 0;
    for (; (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z'); r++, n++) {
        if (n >= 3)
            return -1;
        v = v * 26 + (size_t)((*r | 0x20) - 'a' + 1);
    }
    if (!n)
        return -1;
    *col = v - 1;
    return 0;
}

static void cell_start(struct xlsx_reader *x, const XML_Char **atts)
{
    struct sheet_parse *s = &x->sp;
    const char *ref = NULL, *type = NULL, *style = NULL;
    size_t i, col;
    if (!s->in_row) {
        xml_fail(&s->ctx, "a <c> cell outside a <row>");
        return;
    }
    for (i = 0; atts[i]; i += 2) {
        const char *a = atts[i];
        if (a[0] && !a[1]) {
            if (a[0] == 'r')
                ref = atts[i + 1];
            else if (a[0] == 't')
                type = atts[i + 1];
            else if (a[0] == 's')
                style = atts[i + 1];
        } else if (strchr(a, ':') && strncmp(a, "xmlns", 5)) {
            const char *ln = local_name(a);
            if (!strcmp(ln, "r"))
                ref = atts[i + 1];
            else if (!strcmp(ln, "t"))
                type = atts[i + 1];
            else if (!strcmp(ln, "s"))
                style = atts[i + 1];
        }
    }
    if (ref) {
        if (parse_col_ref(ref, &col) < 0 || col >= TABLE_MAX_COLUMNS) {
            s->col = s->next_col;
            cell_fail(x, "cell reference '%.40s' is not a column within A..XFD", ref);
            return;
        }
        if (col < s->next_col) {
            char prev[8];
            table_column_name(s->next_col - 1, prev);
            s->col = col;
            cell_fail(x, "comes after cell %s%zu: cells out of order", prev, s->row);
            return;
        }
    } else {
        col = s->next_col;  /* cells without r follow the previous one */
        if (col >= TABLE_MAX_COLUMNS) {
            s->col = col;
            cell_fail(x, "more than %u columns", TABLE_MAX_COLUMNS);
            return;
        }
    }
    s->col = col;
    s->next_col = col + 1;
    if (!type || !strcmp(type, "n")) {
        s->kind = CK_NUMBER;
    } else if (!strcmp(type, "s")) {
        s->kind = CK_SHARED;
    } else if (!strcmp(type, "str")) {
        s->kind = CK_STR;
    } else if (!strcmp(type, "inlineStr")) {
        s->kind = CK_INLINE;
    } else if (!strcmp(type, "b")) {
        s->kind = CK_BOOL;
    } else if (!strcmp(type, "e")) {
        s->kind = CK_ERROR;
    } else if (!strcmp(type, "d")) {
        s->kind = CK_ISODATE;
    } else {
        cell_fail(x, "unknown cell type t=\"%.20s\"", type);
        return;
    }
    s->date_style = 0;
    if (style && x->nxf) {
        unsigned long st;
        if (parse_uint(style, 0xFFFFFFFFul, &st) == 0 && st < x->nxf)
            s->date_style = x->xf_date[st];
    }
    /* Cells skipped by r come back empty. */
    ALLOC_GROW(s->cells, col + 1, s->alloc_cells);
    ALLOC_GROW(s->textoff, col + 1, s->alloc_off);
    for (i = s->ncells; i <= col; i++) {
        s->cells[i].type = CELL_EMPTY;
        s->cells[i].text = "";
        s->cells[i].len = 0;
        s->cells[i].number = 0;
        s->textoff[i] = NO_TEXT;
    }
    s->ncells = col + 1;
    s->in_cell = 1;
    s->have_value = 0;
    s->vstart = s->rowtext.len;
}

/* Give the current cell a text copied into the row buffer. */
static void cell_set_text(struct sheet_parse *s, enum cell_type type, const char *text, size_t len)
{
    struct cell *c = &s->cells[s->col];
    c->type = type;
    c->len = len;
    s->textoff[s->col] = s->rowtext.len;
    strbuf_add(&s->rowtext, text, len);
    strbuf_addch(&s->rowtext, '\0');
}

/* The value's text, collected at rowtext[vstart..], already is the cell's
 * text: keep it where it is. */
static void cell_keep_text(struct sheet_parse *s, enum cell_type type)
{
    struct cell *c = &s->cells[s->col];
    c->type = type;
    c->len = s->rowtext.len - s->vstart;
    s->textoff[s->col] = s->vstart;
    strbuf_addch(&s->rowtext, '\0');
}

static void cell_end(struct xlsx_reader *x)
{
    struct sheet_parse *s = &x->sp;
    struct cell *c = &s->cells[s->col];
    struct strbuf *rt = &s->rowtext;
    size_t start = s->vstart, n;
    char *v, buf[32];
    unsigned long idx;
    double d;
    s->in_cell = 0;
    s->collect = 0;
    if (!s->have_value)
        return;  /* <c> without <v>: empty (a formula never calculated, a styled blank) */
    if (s->kind == CK_STR || s->kind == CK_INLINE) {
        decode_escapes(rt, start);
        cell_keep_text(s, CELL_STRING);
        goto done;
    }
    /* Every other kind is a short token: trim it, NUL-terminate it in place. */
    v = rt->buf + start;
    n = rt->len - start;
    while (n && is_xml_space(*v))
        v++, n--;
    while (n && is_xml_space(v[n - 1]))
        n--;
    if (!n) {
        strbuf_setlen(rt, start);
        return;  /* <v></v>: empty */
    }
    if (v != rt->buf + start)
        memmove(rt->buf + start, v, n);
    v = rt->buf + start;
    strbuf_setlen(rt, start + n);
    switch (s->kind) {
    case CK_SHARED:
        if (parse_uint(v, 0xFFFFFFFFul, &idx) < 0 || idx >= x->nsst) {
            cell_fail(x, "shared string index '%.20s' out of range (%zu shared strings)", v,
                      x->nsst);
            return;
        }
        strbuf_setlen(rt, start);
        c->type = CELL_STRING;
        c->text = x->sst + x->sst_off[idx];
        c->len = x->sst_off[idx + 1] - x->sst_off[idx] - 1;
        break;
    case CK_BOOL:
        if ((n == 1 && v[0] == '1') || (n == 4 && !strcmp(v, "true"))) {
            c->type = CELL_BOOL, c->text = "TRUE", c->len = 4, c->number = 1;
        } else if ((n == 1 && v[0] == '0') || (n == 5 && !strcmp(v, "false"))) {
            c->type = CELL_BOOL, c->text = "FALSE", c->len = 5, c->number = 0;
        } else {
            cell_fail(x, "'%.40s' is not a boolean (0 or 1)", v);
            return;
        }
        strbuf_setlen(rt, start);
        break;
    case CK_ERROR:
        cell_keep_text(s, CELL_ERROR);
        break;
    case CK_ISODATE:
        if (parse_iso_date(v, n, x->book.date1904, &d, buf, &n) < 0) {
            cell_fail(x, "'%.40s' is not an ISO 8601 date", v);
            return;
        }
        c->number = d;
        strbuf_setlen(rt, start);
        cell_set_text(s, CELL_DATE, buf, n);
        break;
    case CK_NUMBER: {
        int canonical = number_is_canonical(v, n);
        if (canonical) {
            d = canonical_value(v, n);
        } else if (parse_number(v, n, &d) < 0) {
            cell_fail(x, "'%.40s' is not a number", v);
            return;
        }
        if (d == 0)
            d = 0;  /* no "-0" */
        c->number = d;
        if (s->date_style && (n = serial_to_text(d, x->book.date1904, buf)) != 0) {
            strbuf_setlen(rt, start);
            cell_set_text(s, CELL_DATE, buf, n);
        } else if (canonical) {
            cell_keep_text(s, CELL_NUMBER);
        } else {
            n = format_number(d, buf);
            strbuf_setlen(rt, start);
            cell_set_text(s, CELL_NUMBER, buf, n);
        }
        break;
    }
    case CK_STR:
    case CK_INLINE:
        break;
    }
done:
    s->row_bytes += c->len;
    if (s->row_bytes > TABLE_MAX_ROW_BYTES)
        row_fail(x, s->row, "longer than %u bytes", TABLE_MAX_ROW_BYTES);
}

static void row_end(struct xlsx_reader *x)
{
    struct sheet_parse *s = &x->sp;
    size_t i;
    s->in_row = 0;
    while (s->ncells && s->cells[s->ncells - 1].type == CELL_EMPTY)
        s->ncells--;
    if (!s->ncells)
        return;  /* nothing in it: as if the row were absent */
    /* Texts were appended to a growing buffer; point at them only now. */
    for (i = 0; i < s->ncells; i++)
        if (s->textoff[i] != NO_TEXT)
            s->cells[i].text = s->rowtext.buf + s->textoff[i];
    s->ready = 1;
    XML_StopParser(s->ctx.p, XML_TRUE);
}

/* The sheet parser's user data is &x->sp.ctx, like every other parser's,
 * so the shared handlers (DOCTYPE refusal) work; get back to the reader. */
static struct xlsx_reader *reader_of(void *ud)
{
    return (struct xlsx_reader *)(void *)((char *)ud - offsetof(struct xlsx_reader, sp));
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx_reader *x = reader_of(ud);
    struct sheet_parse *s = &x->sp;
    const char *ln;
    if (xml_enter(&s->ctx) < 0)
        return;
    ln = local_name(name);
    if (!s->in_data) {
        if (!strcmp(ln, "sheetData"))
            s->in_data = s->ctx.depth;
        return;
    }
    switch (ln[0]) {
    case 'c':
        if (!ln[1])
            cell_start(x, atts);
        break;
    case 'v':
        if (!ln[1] && s->in_cell && !s->in_is) {
            strbuf_setlen(&s->rowtext, s->vstart);
            s->collect = 1;
            s->have_value = 1;
        }
        break;
    case 'r':
        if (!strcmp(ln, "row"))
            row_start(x, atts);
        else if (s->in_is && !strcmp(ln, "rPh"))
            s->in_rph++;
        break;
    case 'i':
        if (s->in_cell && !strcmp(ln, "is")) {
            strbuf_setlen(&s->rowtext, s->vstart);
            s->in_is = 1;
            s->have_value = 1;
        }
        break;
    case 't':
        if (!ln[1] && s->in_is && !s->in_rph) {
            const char *space = find_attr(atts, "space");
            s->collect = 1;
            s->t_preserve = space && !strcmp(space, "preserve");
            s->t_start = s->rowtext.len;
        }
        break;
    }
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    struct xlsx_reader *x = reader_of(ud);
    struct sheet_parse *s = &x->sp;
    const char *ln;
    if (s->ctx.failed)
        return;
    if (s->in_data) {
        if (s->ctx.depth == s->in_data) {
            s->in_data = 0;
        } else {
            ln = local_name(name);
            switch (ln[0]) {
            case 'v':
                if (!ln[1] && !s->in_is)
                    s->collect = 0;
                break;
            case 't':
                if (!ln[1] && s->collect && s->in_is) {
                    s->collect = 0;
                    if (!s->t_preserve)
                        trim_text(&s->rowtext, s->t_start);
                }
                break;
            case 'i':
                if (!strcmp(ln, "is"))
                    s->in_is = 0, s->collect = 0;
                break;
            case 'r':
                if (!strcmp(ln, "row")) {
                    if (s->in_row)
                        row_end(x);
                } else if (s->in_rph && !strcmp(ln, "rPh")) {
                    s->in_rph--;
                }
                break;
            case 'c':
                if (!ln[1] && s->in_cell)
                    cell_end(x);
                break;
            }
        }
    }
    s->ctx.depth--;
}

static void XMLCALL sheet_text(void *ud, const XML_Char *txt, int len)
{
    struct xlsx_reader *x = reader_of(ud);
    struct sheet_parse *s = &x->sp;
    if (!s->collect || s->ctx.failed)
        return;
    if (s->rowtext.len - s->vstart + (size_t)len > TABLE_MAX_CELL_BYTES) {
        cell_fail(x, "text longer than %u bytes", TABLE_MAX_CELL_BYTES);
        return;
    }
    strbuf_add(&s->rowtext, txt, (size_t)len);
}

static int reader_fail(struct xlsx_reader *x, struct error *err)
{
    x->sp.failed = 1;
    if (err)
        *err = x->fail;
    return -1;
}

static int xlsx_next(struct table_reader *r, struct table_row *row, struct error *err)
{
    struct xlsx_reader *x = (struct xlsx_reader *)r;
    struct sheet_parse *s = &x->sp;
    if (s->failed) {
        if (err)
            *err = x->fail;
        return -1;
    }
    if (s->done)
        return 0;
    s->ready = 0;
    for (;;) {
        enum XML_Status st;
        if (s->suspended) {
            s->suspended = 0;
            st = XML_ResumeParser(s->ctx.p);
        } else if (s->final_fed) {
            /* The whole part went through: only now can the CRC be checked. */
            if (part_close(&x->book, s->part, 1, &x->fail) < 0)
                return reader_fail(x, err);
            s->done = 1;
            return 0;
        } else {
            void *buf = XML_GetBuffer(s->ctx.p, XML_CHUNK);
            int n;
            if (!buf) {
                xml_error(&s->ctx, &x->fail);
                return reader_fail(x, err);
            }
            n = part_read(&x->book, s->part, buf, XML_CHUNK, &s->fed, &x->fail);
            if (n < 0)
                return reader_fail(x, err);
            if (n == 0)
                s->final_fed = 1;
            st = XML_ParseBuffer(s->ctx.p, n, n == 0);
        }
        if (st == XML_STATUS_ERROR) {
            xml_error(&s->ctx, &x->fail);
            return reader_fail(x, err);
        }
        if (st == XML_STATUS_SUSPENDED) {
            s->suspended = 1;
            if (s->ready) {
                row->row = s->row;
                row->ncells = s->ncells;
                row->cells = s->cells;
                return 1;
            }
            continue;
        }
        if (!s->final_fed && xml_token_check(&s->ctx, s->fed, &x->fail) < 0)
            return reader_fail(x, err);
    }
}

static void xlsx_free(struct table_reader *r)
{
    struct xlsx_reader *x = (struct xlsx_reader *)r;
    if (!x)
        return;
    if (x->sp.ctx.p)
        XML_ParserFree(x->sp.ctx.p);
    strbuf_release(&x->sp.rowtext);
    free(x->sp.cells);
    free(x->sp.textoff);
    book_release(&x->book);
    free(x->source);
    free(x->xf_date);
    free(x->sst);
    free(x->sst_off);
    free(x);
}

static const struct sheet_info *choose_sheet(struct xlsx_reader *x, const char *want,
                                             struct error *err)
{
    struct book *b = &x->book;
    size_t i;
    if (!want) {
        for (i = 0; i < b->nsheets; i++)
            if (sheet_is_worksheet(&b->sheets[i]) && !b->sheets[i].hidden)
                return &b->sheets[i];
        for (i = 0; i < b->nsheets; i++)
            if (sheet_is_worksheet(&b->sheets[i]))
                return &b->sheets[i];
        book_fail(b, err, "the workbook has no worksheet");
        return NULL;
    }
    for (i = 0; i < b->nsheets; i++)
        if (!strcmp(b->sheets[i].name, want))
            break;
    if (i == b->nsheets)  /* Excel's sheet names are unique regardless of case */
        for (i = 0; i < b->nsheets; i++)
            if (!strcasecmp(b->sheets[i].name, want))
                break;
    if (i == b->nsheets) {
        struct strbuf names = STRBUF_INIT;
        for (i = 0; i < b->nsheets && names.len < ERROR_MSG_MAX; i++)
            strbuf_addf(&names, "%s'%s'", i ? ", " : "", b->sheets[i].name);
        book_fail(b, err, "no sheet named '%s' (sheets: %s)", want,
                  b->nsheets ? names.buf : "none");
        strbuf_release(&names);
        return NULL;
    }
    if (!b->sheets[i].rel) {
        book_fail(b, err, "sheet '%s' has no part in the workbook relationships", want);
        return NULL;
    }
    if (!sheet_is_worksheet(&b->sheets[i])) {
        book_fail(b, err, "sheet '%s' is a %s, not a worksheet", want, b->sheets[i].rel->type);
        return NULL;
    }
    return &b->sheets[i];
}

static struct table_reader *reader_open(struct xlsx_reader *x, const char *want, struct error *err)
{
    struct book *b = &x->book;
    const struct sheet_info *si;
    struct sheet_parse *s = &x->sp;
    if (book_link_sheets(b, err) < 0 || !(si = choose_sheet(x, want, err)))
        goto fail;
    {
        struct strbuf src = STRBUF_INIT;
        strbuf_addf(&src, "%s!%s", b->display, si->name);
        x->source = strbuf_detach(&src, NULL);
    }
    x->base.source = x->source;
    s->part = book_entry(b, si->rel->target);
    if (!s->part) {
        book_fail(b, err, "sheet '%s' is missing its part '%s'", si->name, si->rel->target);
        goto fail;
    }
    if (load_styles(x, err) < 0 || load_shared_strings(x, err) < 0)
        goto fail;
    s->ctx.display = x->source;
    s->ctx.part = s->part->name;
    xml_create(&s->ctx, sheet_start, sheet_end, sheet_text);
    if (part_open(b, s->part, err) < 0)
        goto fail;
    return &x->base;
fail:
    xlsx_free(&x->base);
    return NULL;
}

static struct xlsx_reader *reader_new(void)
{
    struct xlsx_reader *x = xcalloc(1, sizeof(*x));
    x->base.next = xlsx_next;
    x->base.free = xlsx_free;
    strbuf_init(&x->sp.rowtext, 0);
    return x;
}

struct table_reader *xlsx_open(const char *path, const char *sheet, struct error *err)
{
    struct xlsx_reader *x = reader_new();
    x->base.source = path;
    if (book_open(&x->book, path, NULL, 0, path, err) < 0) {
        xlsx_free(&x->base);
        return NULL;
    }
    return reader_open(x, sheet, err);
}

struct table_reader *xlsx_open_mem(const void *data, size_t len, const char *name,
                                   const char *sheet, struct error *err)
{
    struct xlsx_reader *x = reader_new();
    if (!name)
        name = "<memory>";
    x->base.source = name;
    if (book_open(&x->book, NULL, data, len, name, err) < 0) {
        xlsx_free(&x->base);
        return NULL;
    }
    return reader_open(x, sheet, err);
}

static int list_names(struct book *b, void (*fn)(const char *name, void *ctx), void *ctx)
{
    size_t i;
    for (i = 0; i < b->nsheets; i++)
        fn(b->sheets[i].name, ctx);
    return (int)b->nsheets;
}

int xlsx_sheet_names(const char *path, void (*fn)(const char *name, void *ctx), void *ctx,
                     struct error *err)
{
    struct book b;
    int rc;
    memset(&b, 0, sizeof(b));
    rc = book_open(&b, path, NULL, 0, path, err);
    if (rc == 0)
        rc = list_names(&b, fn, ctx);
    book_release(&b);
    return rc;
}

int xlsx_sheet_names_mem(const void *data, size_t len, const char *name,
                         void (*fn)(const char *name, void *ctx), void *ctx, struct error *err)
{
    struct book b;
    int rc;
    memset(&b, 0, sizeof(b));
    rc = book_open(&b, NULL, data, len, name ? name : "<memory>", err);
    if (rc == 0)
        rc = list_names(&b, fn, ctx);
    book_release(&b);
    return rc;
}
