/*
 * csv_read.c - the streaming CSV reader (see csv_read.h, and
 * docs/internals/csv.md for the detection rules and limits).
 *
 * Three layers, each resumable at any byte so that nothing depends on where
 * the read buffer happens to end:
 *
 *   source   raw bytes from a file descriptor (a fixed read buffer) or
 *            from memory; `in` is the window of bytes not yet decoded.
 *   decoder  turns raw bytes into UTF-8 text. UTF-8 input is validated and
 *            handed on in place (no copy); UTF-16 and GB18030 go through
 *            iconv into a conversion buffer. A character cut by the end of
 *            the window stays in the window for the next read. An invalid
 *            byte is not reported at once: the text before it is handed on
 *            first, so that the parser knows which record the byte is in.
 *   parser   an RFC 4180 state machine that copies each field into the
 *            row buffer (so the decoder may reuse its buffers at will) and
 *            NUL-terminates it. Unquoted runs are scanned with a byte table,
 *            quoted runs with memchr.
 *
 * Blank records are held back until a non-blank one follows, so that the
 * blank lines at the end of a file never reach the importer while those in
 * the middle keep their record numbers.
 */
#include "registry/csv_read.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/utf8.h"

#define CSV_BUFFER_DEFAULT ((size_t)1 << 20)
#define CSV_SNIFF_BYTES ((size_t)64 * 1024)
#define CSV_CONV_MIN 64  /* room for any converted character */

enum csv_enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE, ENC_GB18030 };

static const char *const enc_names[] = { "UTF-8", "UTF-16LE", "UTF-16BE", "GB18030" };

enum dec_error { DEC_NONE, DEC_INVALID, DEC_NUL, DEC_TRUNCATED };

enum parse_state { ST_FIELD_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_IN_QUOTED };

struct csv_reader {
    struct table_reader base;  /* first: the reader is handed out as this */
    char *name;
    size_t bufsize;

    /* source */
    int fd;                     /* -1 for memory */
    const unsigned char *mem;
    size_t mem_len;
    unsigned char *raw;         /* the read buffer (files only) */
    size_t raw_cap;
    const unsigned char *in;    /* raw bytes not yet decoded */
    size_t in_len;
    uint64_t in_off;            /* file offset of in[0] */
    int src_eof;                /* nothing after in[in_len) */

    /* decoder */
    enum csv_enc enc;
    int ascii_so_far;           /* UTF-8 was assumed only because all seen was ASCII */
    iconv_t cd;
    char *conv;
    size_t conv_cap;
    const char *dtext;          /* decoded text not yet handed to the parser */
    size_t dlen;
    enum dec_error dec_err;     /* found at dec_err_off, reported once dtext is used up */
    uint64_t dec_err_off;
    unsigned char dec_err_byte;

    /* parser */
    const char *text;
    size_t text_len, text_pos;
    char sep;
    unsigned char special[256]; /* bytes that end an unquoted run */
    uint64_t sep_word;          /* sep in each of eight bytes */
    enum parse_state state;
    int skip_lf;                /* the last record ended with CR: skip one LF */
    int at_eof, failed;
    size_t rec;                 /* number of the record being parsed */
    char *rowbuf;               /* the fields, each NUL-terminated */
    size_t row_len, row_cap;
    size_t field_start;
    size_t *offs;               /* field i is rowbuf + offs[i], lens[i] bytes */
    size_t *lens;
    size_t nfields, fields_cap;
    struct cell *cells;
    size_t ncells, cells_cap;
    size_t row_no;              /* record number of the parsed row */

    /* blank records held back: nblank of them from blank_rec on, and
     * held_row = 1 when the parsed row behind them is still to be given */
    size_t nblank, blank_rec;
    int held_row;

    char failmsg[ERROR_MSG_MAX];
};

/* ---- small helpers ---- */

static void column_name(size_t col, char out[8])
{
    char tmp[8];
    size_t n = 0, i;

    col++;
    while (col && n < 7) {
        col--;
        tmp[n++] = (char)('A' + col % 26);
        col /= 26;
    }
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static int fail(struct csv_reader *r, struct error *err, const char *fmt, ...) MAGNET_PRINTF(3, 4);

/* Record the message so that later calls repeat it: the reader cannot go on. */
static int fail(struct csv_reader *r, struct error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->failmsg, sizeof(r->failmsg), fmt, ap);
    va_end(ap);
    r->failed = 1;
    return error_set(err, "%s", r->failmsg);
}

static int has_high_byte(const unsigned char *p, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= p[i];
    return (acc & UINT64_C(0x8080808080808080)) != 0;
}

/* ---- source ---- */

static void src_consume(struct csv_reader *r, size_t n)
{
    r->in += n;
    r->in_len -= n;
    r->in_off += n;
}

/* Add raw bytes after the undecoded ones until there are at least `want`
 * (at most raw_cap) or the input ends. Each read asks for at most bufsize
 * bytes, so a small bufsize splits the input everywhere. */
static int src_more(struct csv_reader *r, size_t want, struct error *err)
{
    if (r->fd < 0) {
        size_t avail = r->mem_len - (size_t)(r->in - r->mem);
        size_t n = r->in_len + r->bufsize;
        if (n < want)
            n = want;
        r->in_len = n < avail ? n : avail;
        r->src_eof = r->in_len == avail;
        return 0;
    }
    if (want > r->raw_cap)
        want = r->raw_cap;
    if (r->in != r->raw) {
        memmove(r->raw, r->in, r->in_len);
        r->in = r->raw;
    }
    while (r->in_len < want && !r->src_eof) {
        size_t room = r->raw_cap - r->in_len;
        ssize_t n;
        if (room > r->bufsize)
            room = r->bufsize;
        n = read(r->fd, r->raw + r->in_len, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(r, err, "read error at byte offset %llu: %s",
                        (unsigned long long)(r->in_off + r->in_len), strerror(errno));
        }
        if (n == 0)
            r->src_eof = 1;
        r->in_len += (size_t)n;
    }
    return 0;
}

/* ---- detection ---- */

/* Bytes at [0, n) decode as GB18030 up to the returned offset (n when all
 * do; a character cut by the end counts as good unless at_eof). */
static size_t gb18030_good_prefix(iconv_t cd, const unsigned char *p, size_t n, int at_eof)
{
    char out[4096];
    char *ib = (char *)(uintptr_t)p;
    size_t il = n;

    iconv(cd, NULL, NULL, NULL, NULL);
    while (il) {
        char *ob = out;
        size_t ol = sizeof(out);
        if (iconv(cd, &ib, &il, &ob, &ol) == (size_t)-1) {
            if (errno == E2BIG)
                continue;
            if (errno == EINVAL && !at_eof)
                return n;
            break;
        }
    }
    iconv(cd, NULL, NULL, NULL, NULL);
    return n - il;
}

/* Multibyte characters in valid UTF-8. GB18030 text almost never holds
 * even one run of bytes that reads as UTF-8 multibyte characters, so three
 * of them before the first bad byte mean a UTF-8 file with a bad byte, to
 * be reported as such, rather than a GB18030 file. */
static size_t multibyte_count(const unsigned char *p, size_t n)
{
    size_t i, count = 0;
    for (i = 0; i < n; i++)
        count += p[i] >= 0xC0;
    return count;
}

/* UTF-16 without a BOM shows itself by zero bytes on one side of most ASCII
 * characters (separators, digits, codes). */
static int sniff_utf16(const unsigned char *p, size_t n, enum csv_enc *enc)
{
    size_t i, zero_even = 0, zero_odd = 0, units = n / 2;
    for (i = 0; i + 1 < n; i += 2) {
        zero_even += p[i] == 0;
        zero_odd += p[i + 1] == 0;
    }
    if (units < 2)
        return 0;
    if (zero_odd >= 2 && zero_odd >= units / 8 && zero_even <= zero_odd / 16) {
        *enc = ENC_UTF16LE;
        return 1;
    }
    if (zero_even >= 2 && zero_even >= units / 8 && zero_odd <= zero_even / 16) {
        *enc = ENC_UTF16BE;
        return 1;
    }
    return 0;
}

/* Count separators outside quotes in the first record of the window and
 * pick the most frequent: comma on a tie or when there are none. In UTF-8
 * and GB18030 these ASCII bytes never occur inside a multibyte character;
 * UTF-16 is read in units. */
/* The separator is the one whose count is the same on the most lines among
 * the first SNIFF_LINES (outside quotes), as a table's column count is: a
 * title line above the table ("2024年名单") has none, and commas inside the
 * scope of a tab-separated file vary from line to line. Ties go to the
 * larger count, then to comma. */
#define SNIFF_LINES 20
static char detect_separator(const unsigned char *p, size_t n, enum csv_enc enc)
{
    static const unsigned char seps[3] = { ',', '\t', ';' };
    size_t step = (enc == ENC_UTF16LE || enc == ENC_UTF16BE) ? 2 : 1, i;
    size_t counts[SNIFF_LINES][3];
    size_t lines = 0, k, j, l;
    size_t best_lines = 0, best_count = 0;
    int quoted = 0, best = 0, any = 0;

    memset(counts, 0, sizeof(counts));
    for (i = 0; i + step <= n && lines < SNIFF_LINES; i += step) {
        unsigned c = step == 1 ? p[i]
                     : enc == ENC_UTF16LE ? (unsigned)p[i] | (unsigned)p[i + 1] << 8
                                          : (unsigned)p[i] << 8 | p[i + 1];
        if (c == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (c == '\n')
            lines++;
        else
            for (k = 0; k < 3; k++)
                if (c == seps[k])
                    counts[lines][k]++;
    }
    if (lines < SNIFF_LINES)
        lines++; /* the last, unterminated line */
    for (k = 0; k < 3; k++) {
        /* the most common non-zero count of this separator, and on how many lines */
        for (l = 0; l < lines; l++) {
            size_t cnt = counts[l][k], same = 0;
            if (!cnt)
                continue;
            for (j = 0; j < lines; j++)
                same += counts[j][k] == cnt;
            if (!any || same > best_lines || (same == best_lines && cnt > best_count)) {
                best = (int)k;
                best_lines = same;
                best_count = cnt;
                any = 1;
            }
        }
    }
    return any ? (char)seps[best] : ',';
}

static int open_iconv(struct csv_reader *r, struct error *err)
{
    static const char *const from[] = { NULL, "UTF-16LE", "UTF-16BE", "GB18030" };
    if (r->cd != (iconv_t)-1)
        return 0;
    r->cd = iconv_open("UTF-8", from[r->enc]);
    if (r->cd == (iconv_t)-1)
        return error_set(err, "cannot convert from %s: %s", from[r->enc], strerror(errno));
    return 0;
}

static int detect(struct csv_reader *r, struct error *err)
{
    const unsigned char *p;
    size_t n, good;
    int truncated, sniff_end;

    if (src_more(r, CSV_SNIFF_BYTES, err) < 0)
        return -1;
    /* Exactly the first 64 KiB, however much was read: the decision must
     * not depend on the buffer size. */
    p = r->in;
    n = r->in_len < CSV_SNIFF_BYTES ? r->in_len : CSV_SNIFF_BYTES;
    sniff_end = n == r->in_len && r->src_eof;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        r->enc = ENC_UTF8;
        src_consume(r, 3);
    } else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        r->enc = ENC_UTF16LE;
        src_consume(r, 2);
    } else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        r->enc = ENC_UTF16BE;
        src_consume(r, 2);
    } else if (memchr(p, 0, n) && sniff_utf16(p, n, &r->enc)) {
        /* r->enc set */
    } else {
        good = utf8_check((const char *)p, n, &truncated);
        if (good == n || (truncated && !sniff_end) || multibyte_count(p, good) >= 3) {
            r->enc = ENC_UTF8;
            r->ascii_so_far = !has_high_byte(p, n) && !sniff_end;
        } else {
            /* Not UTF-8: GB18030 when it reads further, else UTF-8 again so
             * that the error names the first byte that is not UTF-8. */
            r->enc = ENC_GB18030;
            if (open_iconv(r, err) < 0)
                return -1;
            if (gb18030_good_prefix(r->cd, p, n, sniff_end) <= good)
                r->enc = ENC_UTF8;
        }
    }
    if (r->enc != ENC_UTF8 && open_iconv(r, err) < 0)
        return -1;
    n = r->in_len < CSV_SNIFF_BYTES ? r->in_len : CSV_SNIFF_BYTES;
    r->sep = detect_separator(r->in, n, r->enc);
    return 0;
}

/* ---- decoder ---- */

/* The message shows the first bad byte only: how many follow it in the
 * buffer depends on where a read ended, and the message must not. */
static void set_dec_error(struct csv_reader *r, enum dec_error kind, size_t at)
{
    r->dec_err = kind;
    r->dec_err_off = r->in_off + at;
    r->dec_err_byte = at < r->in_len ? r->in[at] : 0;
}

static int report_dec_error(struct csv_reader *r, struct error *err)
{
    unsigned long long off = (unsigned long long)r->dec_err_off;

    switch (r->dec_err) {
    case DEC_NUL:
        return fail(r, err, "record %zu: NUL byte at byte offset %llu (a binary file?)", r->rec,
                    off);
    case DEC_TRUNCATED:
        return fail(r, err, "record %zu: the file ends inside a %s character (byte offset %llu)",
                    r->rec, enc_names[r->enc], off);
    default:
        return fail(r, err, "record %zu: bytes not valid %s at byte offset %llu (0x%02X)",
                    r->rec, enc_names[r->enc], off, r->dec_err_byte);
    }
}

/* First NUL character in the window: a zero byte, or in UTF-16 a zero unit
 * (the window always starts on a unit boundary). */
static size_t find_nul(const struct csv_reader *r, size_t n)
{
    const unsigned char *z;
    size_t i;

    if (r->enc == ENC_UTF16LE || r->enc == ENC_UTF16BE) {
        for (i = 0; i + 1 < n; i += 2)
            if (!r->in[i] && !r->in[i + 1])
                return i;
        return n;
    }
    z = memchr(r->in, 0, n);
    return z ? (size_t)(z - r->in) : n;
}

/* All bytes so far were ASCII and now one is not UTF-8: the file may be
 * GB18030 with an ASCII head longer than the sniffed window. Switch when
 * the rest of the window reads as GB18030. ASCII is the same in both. */
static int try_late_gb18030(struct csv_reader *r, size_t at, struct error *err)
{
    r->ascii_so_far = 0;
    r->enc = ENC_GB18030;
    if (open_iconv(r, err) < 0)
        return -1;
    /* Decide on a whole character, wherever the read ended. Nothing of
     * the window has been handed to the parser yet, so it may move. */
    if (r->in_len - at < 4 && src_more(r, at + 4, err) < 0)
        return -1;
    if (gb18030_good_prefix(r->cd, r->in + at, r->in_len - at, r->src_eof) > 0)
        return 1;
    r->enc = ENC_UTF8;
    return 0;
}

static int decode_utf8(struct csv_reader *r, struct error *err)
{
    for (;;) {
        size_t nul, good;
        int truncated;

        if (!r->in_len || r->in_len < 4) {
            if (src_more(r, r->in_len + 1, err) < 0)
                return -1;
            if (!r->in_len)
                return 0;
        }
        nul = find_nul(r, r->in_len);
        good = utf8_check((const char *)r->in, nul, &truncated);
        if (r->ascii_so_far && good > 0 && has_high_byte(r->in, good))
            r->ascii_so_far = 0;
        if (good == r->in_len) {
            r->dtext = (const char *)r->in;
            r->dlen = good;
            src_consume(r, good);
            return 1;
        }
        if (good == nul) {
            set_dec_error(r, DEC_NUL, nul);
        } else if (truncated && nul == r->in_len && !r->src_eof) {
            if (good) {
                r->dtext = (const char *)r->in;
                r->dlen = good;
                src_consume(r, good);
                return 1;
            }
            if (src_more(r, r->in_len + 1, err) < 0)
                return -1;
            continue;
        } else if (r->ascii_so_far) {
            int rc = try_late_gb18030(r, good, err);
            if (rc < 0)
                return -1;
            if (rc) {
                r->dtext = (const char *)r->in;
                r->dlen = good;
                src_consume(r, good);
                return good ? 1 : 2;  /* 2: decode again with the new encoding */
            }
            set_dec_error(r, truncated && nul == r->in_len ? DEC_TRUNCATED : DEC_INVALID, good);
        } else {
            set_dec_error(r, truncated && nul == r->in_len ? DEC_TRUNCATED : DEC_INVALID, good);
        }
        r->dtext = (const char *)r->in;
        r->dlen = good;
        src_consume(r, good);
        return good ? 1 : report_dec_error(r, err);
    }
}

static int decode_iconv(struct csv_reader *r, struct error *err)
{
    for (;;) {
        char *ib, *ob;
        size_t il, ol, nul, used, made;
        int e = 0;

        if (!r->in_len || r->in_len < 8) {
            if (src_more(r, r->in_len + 1, err) < 0)
                return -1;
            if (!r->in_len)
                return 0;
        }
        nul = find_nul(r, r->in_len);
        ib = (char *)(uintptr_t)r->in;
        il = nul;
        ob = r->conv;
        ol = r->conv_cap;
        if (iconv(r->cd, &ib, &il, &ob, &ol) == (size_t)-1)
            e = errno;
        used = nul - il;
        made = (size_t)(ob - r->conv);
        if (e == 0 && nul < r->in_len && used == nul)
            set_dec_error(r, DEC_NUL, nul);
        else if (e == EILSEQ)
            set_dec_error(r, DEC_INVALID, used);
        else if (e == EINVAL && (r->src_eof || nul < r->in_len) && !made)
            set_dec_error(r, r->src_eof && nul == r->in_len ? DEC_TRUNCATED : DEC_INVALID, used);
        src_consume(r, used);
        if (made) {
            r->dtext = r->conv;
            r->dlen = made;
            return 1;
        }
        if (r->dec_err)
            return report_dec_error(r, err);
        /* A character cut by the end of the window: read on. */
        if (src_more(r, r->in_len + 1, err) < 0)
            return -1;
    }
}

/* Give the parser its next piece of text: 1, or 0 at the end, or -1. */
static int decode_more(struct csv_reader *r, struct error *err)
{
    int rc;

    for (;;) {
        if (r->dlen) {
            size_t n = r->dlen < r->bufsize ? r->dlen : r->bufsize;
            r->text = r->dtext;
            r->text_len = n;
            r->text_pos = 0;
            r->dtext += n;
            r->dlen -= n;
            return 1;
        }
        if (r->dec_err)
            return report_dec_error(r, err);
        rc = r->enc == ENC_UTF8 ? decode_utf8(r, err) : decode_iconv(r, err);
        if (rc != 1 && rc != 2)
            return rc;
    }
}

/* ---- parser ---- */

#define BYTES_1 UINT64_C(0x0101010101010101)
#define BYTES_80 UINT64_C(0x8080808080808080)

/* The first separator, CR or LF at or after p, or end. Eight bytes at a time
 * while none of them is the separator or below 0x0E (which takes in CR, LF
 * and tab; a rare other control byte only costs the byte loop), then byte
 * by byte. sep_word is the separator in every byte. */
static const char *scan_unquoted(const char *p, const char *end, uint64_t sep_word,
                                 const unsigned char *special)
{
    while (end - p >= 8) {
        uint64_t w, x;
        memcpy(&w, p, 8);
        x = w ^ sep_word;
        if ((((x - BYTES_1) & ~x) | ((w - BYTES_1 * 0x0E) & ~w)) & BYTES_80)
            break;
        p += 8;
    }
    while (p < end && !special[(unsigned char)*p])
        p++;
    return p;
}

static void set_separator(struct csv_reader *r, char sep)
{
    memset(r->special, 0, sizeof(r->special));
    r->sep = sep;
    r->special[(unsigned char)sep] = 1;
    r->special['\n'] = 1;
    r->special['\r'] = 1;
    r->sep_word = BYTES_1 * (unsigned char)sep;
}

static void row_reserve(struct csv_reader *r, size_t extra)
{
    if (r->row_cap - r->row_len < extra) {
        size_t cap = r->row_cap ? r->row_cap : 4096;
        while (cap - r->row_len < extra)
            cap *= 2;
        r->rowbuf = xrealloc(r->rowbuf, cap);
        r->row_cap = cap;
    }
}

static int field_append(struct csv_reader *r, const char *p, size_t n, struct error *err)
{
    size_t have = r->row_len - r->field_start;
    char col[8];

    if (n > TABLE_MAX_CELL_BYTES - have) {
        column_name(r->nfields, col);
        return fail(r, err, "record %zu: field in column %s is longer than %u bytes", r->rec, col,
                    TABLE_MAX_CELL_BYTES);
    }
    /* Content bytes of the row so far: the buffer less one NUL per field. */
    if (r->row_len - r->nfields + n > TABLE_MAX_ROW_BYTES)
        return fail(r, err, "record %zu: longer than %u bytes", r->rec, TABLE_MAX_ROW_BYTES);
    row_reserve(r, n + 1);
    memcpy(r->rowbuf + r->row_len, p, n);
    r->row_len += n;
    return 0;
}

static int field_begin(struct csv_reader *r, struct error *err)
{
    if (r->nfields >= TABLE_MAX_COLUMNS)
        return fail(r, err, "record %zu: more than %u columns", r->rec, TABLE_MAX_COLUMNS);
    r->field_start = r->row_len;
    return 0;
}

static void field_end(struct csv_reader *r)
{
    if (r->nfields == r->fields_cap) {
        r->fields_cap = r->fields_cap ? r->fields_cap * 2 : 64;
        r->offs = xrealloc(r->offs, st_mult(r->fields_cap, sizeof(*r->offs)));
        r->lens = xrealloc(r->lens, st_mult(r->fields_cap, sizeof(*r->lens)));
    }
    r->offs[r->nfields] = r->field_start;
    r->lens[r->nfields] = r->row_len - r->field_start;
    r->nfields++;
    row_reserve(r, 1);
    r->rowbuf[r->row_len++] = '\0';
}

/* The record is complete: make its cells, dropping trailing empty ones. */
static int record_done(struct csv_reader *r)
{
    size_t n = r->nfields, i;

    while (n && !r->lens[n - 1])
        n--;
    ALLOC_GROW(r->cells, n, r->cells_cap);
    for (i = 0; i < n; i++) {
        struct cell *c = &r->cells[i];
        c->len = r->lens[i];
        c->type = c->len ? CELL_STRING : CELL_EMPTY;
        c->text = c->len ? r->rowbuf + r->offs[i] : "";
        c->number = 0;
    }
    r->ncells = n;
    r->row_no = r->rec++;
    r->state = ST_FIELD_START;
    return 1;
}

static int at_end_of_input(struct csv_reader *r, struct error *err)
{
    char col[8];

    r->at_eof = 1;
    switch (r->state) {
    case ST_QUOTED:
        column_name(r->nfields, col);
        return fail(r, err,
                    "record %zu: the quoted field in column %s is never closed "
                    "(the file ends inside it)",
                    r->rec, col);
    case ST_UNQUOTED:
    case ST_QUOTE_IN_QUOTED:
        field_end(r);
        return record_done(r);
    default:
        if (r->nfields)
            return record_done(r);
        return 0;
    }
}

/* Parse one record into r->cells: 1, 0 at the end of the file, -1. */
static int parse_record(struct csv_reader *r, struct error *err)
{
    const unsigned char *special = r->special;
    const char sep = r->sep;

    r->row_len = 0;
    r->nfields = 0;
    r->state = ST_FIELD_START;
    if (r->at_eof)
        return 0;
    for (;;) {
        const char *p, *end, *q;
        int rc;

        if (r->text_pos == r->text_len) {
            rc = decode_more(r, err);
            if (rc < 0)
                return -1;
            if (rc == 0)
                return at_end_of_input(r, err);
            continue;
        }
        p = r->text + r->text_pos;
        end = r->text + r->text_len;
        if (r->skip_lf) {
            r->skip_lf = 0;
            if (*p == '\n') {
                r->text_pos++;
                continue;
            }
        }
        switch (r->state) {
        case ST_FIELD_START:
            if (*p == '"') {
                if (field_begin(r, err) < 0)
                    return -1;
                r->state = ST_QUOTED;
                r->text_pos++;
            } else if (*p == sep) {
                if (field_begin(r, err) < 0)
                    return -1;
                field_end(r);
                r->text_pos++;
            } else if (*p == '\n' || *p == '\r') {
                r->skip_lf = *p == '\r';
                r->text_pos++;
                return record_done(r);
            } else {
                if (field_begin(r, err) < 0)
                    return -1;
                r->state = ST_UNQUOTED;
            }
            break;
        case ST_UNQUOTED:
            q = scan_unquoted(p, end, r->sep_word, special);
            if (q > p && field_append(r, p, (size_t)(q - p), err) < 0)
                return -1;
            if (q == end) {
                r->text_pos = r->text_len;
                break;
            }
            r->text_pos = (size_t)(q - r->text) + 1;
            field_end(r);
            if (*q == sep) {
                r->state = ST_FIELD_START;
            } else {
                r->skip_lf = *q == '\r';
                return record_done(r);
            }
            break;
        case ST_QUOTED:
            q = memchr(p, '"', (size_t)(end - p));
            if (!q)
                q = end;
            if (q > p && field_append(r, p, (size_t)(q - p), err) < 0)
                return -1;
            r->text_pos = (size_t)(q - r->text);
            if (q < end) {
                r->text_pos++;
                r->state = ST_QUOTE_IN_QUOTED;
            }
            break;
        case ST_QUOTE_IN_QUOTED:
            if (*p == '"') {
                /* "" inside quotes is one quote */
                if (field_append(r, p, 1, err) < 0)
                    return -1;
                r->text_pos++;
                r->state = ST_QUOTED;
            } else if (*p == sep) {
                field_end(r);
                r->text_pos++;
                r->state = ST_FIELD_START;
            } else if (*p == '\n' || *p == '\r') {
                field_end(r);
                r->skip_lf = *p == '\r';
                r->text_pos++;
                return record_done(r);
            } else {
                /* Text after the closing quote ("ab"c): kept, as Excel does. */
                r->state = ST_UNQUOTED;
            }
            break;
        }
    }
}

/* ---- the table_reader ---- */

static void give_row(struct csv_reader *r, struct table_row *row)
{
    row->row = r->row_no;
    row->ncells = r->ncells;
    row->cells = r->cells;
}

static int csv_next(struct table_reader *tr, struct table_row *row, struct error *err)
{
    struct csv_reader *r = (struct csv_reader *)tr;
    int rc;

    if (r->failed)
        return error_set(err, "%s", r->failmsg);
    for (;;) {
        if (r->nblank && r->held_row) {
            row->row = r->blank_rec++;
            row->ncells = 0;
            row->cells = r->cells;
            r->nblank--;
            return 1;
        }
        if (r->held_row) {
            r->held_row = 0;
            give_row(r, row);
            return 1;
        }
        rc = parse_record(r, err);
        if (rc < 0 && !r->failed) {
            r->failed = 1;
            snprintf(r->failmsg, sizeof(r->failmsg), "%s", err ? err->msg : "read error");
        }
        if (rc <= 0) {
            r->nblank = 0;  /* blank records at the end are dropped */
            return rc;
        }
        if (r->ncells == 0) {
            if (!r->nblank++)
                r->blank_rec = r->row_no;
            continue;
        }
        r->held_row = 1;
    }
}

static void csv_free(struct table_reader *tr)
{
    struct csv_reader *r = (struct csv_reader *)tr;
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    free(r->raw);
    free(r->conv);
    free(r->rowbuf);
    free(r->offs);
    free(r->lens);
    free(r->cells);
    free(r->name);
    free(r);
}

static struct csv_reader *reader_new(const char *name, const struct csv_options *opts)
{
    struct csv_reader *r = xcalloc(1, sizeof(*r));
    r->base.next = csv_next;
    r->base.free = csv_free;
    r->name = xstrdup(name ? name : "");
    r->base.source = r->name;
    r->bufsize = opts && opts->buffer_size ? opts->buffer_size : CSV_BUFFER_DEFAULT;
    r->fd = -1;
    r->cd = (iconv_t)-1;
    r->rec = 1;
    return r;
}

static struct table_reader *reader_start(struct csv_reader *r, struct error *err)
{
    if (detect(r, err) < 0) {
        csv_free(&r->base);
        return NULL;
    }
    r->conv_cap = r->bufsize < CSV_CONV_MIN ? CSV_CONV_MIN : r->bufsize;
    if (r->enc != ENC_UTF8 || r->ascii_so_far)
        r->conv = xmalloc(r->conv_cap);
    set_separator(r, r->sep);
    return &r->base;
}

struct table_reader *csv_open_opts(const char *path, const struct csv_options *opts,
                                   struct error *err)
{
    struct csv_reader *r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_set(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    r = reader_new(path, opts);
    r->fd = fd;
    r->raw_cap = r->bufsize > CSV_SNIFF_BYTES ? r->bufsize : CSV_SNIFF_BYTES;
    r->raw = xmalloc(r->raw_cap);
    r->in = r->raw;
    if (!reader_start(r, err)) {
        error_prefix(err, "%s: ", path);
        return NULL;
    }
    return &r->base;
}

struct table_reader *csv_open(const char *path, struct error *err)
{
    return csv_open_opts(path, NULL, err);
}

struct table_reader *csv_open_mem_opts(const void *data, size_t len, const char *name,
                                       const struct csv_options *opts, struct error *err)
{
    struct csv_reader *r = reader_new(name, opts);
    r->mem = data ? data : (const unsigned char *)"";
    r->mem_len = data ? len : 0;
    r->in = r->mem;
    return reader_start(r, err) ? &r->base : NULL;
}

struct table_reader *csv_open_mem(const void *data, size_t len, const char *name,
                                  struct error *err)
{
    return csv_open_mem_opts(data, len, name, NULL, err);
}

static const struct csv_reader *as_csv(const struct table_reader *tr)
{
    return tr && tr->next == csv_next ? (const struct csv_reader *)tr : NULL;
}

const char *csv_encoding(const struct table_reader *tr)
{
    const struct csv_reader *r = as_csv(tr);
    return r ? enc_names[r->enc] : NULL;
}

char csv_separator(const struct table_reader *tr)
{
    const struct csv_reader *r = as_csv(tr);
    return r ? r->sep : '\0';
}
