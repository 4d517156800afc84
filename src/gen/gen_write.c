/*
 * gen_write.c - writing generated rows: the block pipeline that spreads row
 * generation over threads while keeping the output order, the CSV writer
 * (own buffering, one write(2) per block), and the file sink.
 *
 * Pipeline: block b (rows b*B .. b*B+B-1) belongs to worker b mod T and goes
 * into slot b mod K (K = 2T). A worker may fill slot s for block b once the
 * consumer has taken block b-K; the consumer takes blocks strictly in order.
 * Output therefore never depends on the number of threads or on timing.
 */
#include "gen/gen_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"

struct pipeline {
    const struct gen *g;
    gen_render_fn render;
    uint64_t nblocks;
    unsigned nthreads, nslots;
    struct strbuf *slot;
    uint64_t *ready;      /* ready[s] = b + 1 when slot s holds block b */
    uint64_t consumed;    /* blocks handed to consume() */
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

struct worker_arg {
    struct pipeline *p;
    unsigned index;
};

static void block_rows(const struct pipeline *p, uint64_t b, uint64_t *first, uint64_t *end)
{
    uint64_t n = gen_count(p->g);
    *first = b * GEN_BLOCK_ROWS;
    *end = *first + GEN_BLOCK_ROWS < n ? *first + GEN_BLOCK_ROWS : n;
}

static void *worker_main(void *arg_)
{
    struct worker_arg *arg = arg_;
    struct pipeline *p = arg->p;
    struct gen_ent *scratch = xmalloc(sizeof(*scratch));
    struct strbuf cells = STRBUF_INIT;
    uint64_t b;

    for (b = arg->index; b < p->nblocks; b += p->nthreads) {
        unsigned s = (unsigned)(b % p->nslots);
        uint64_t first, end;
        pthread_mutex_lock(&p->mu);
        while (!p->stop && b >= p->consumed + p->nslots)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        pthread_mutex_unlock(&p->mu);
        block_rows(p, b, &first, &end);
        strbuf_reset(&p->slot[s]);
        p->render(p->g, first, end, scratch, &cells, &p->slot[s]);
        pthread_mutex_lock(&p->mu);
        p->ready[s] = b + 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    strbuf_release(&cells);
    free(scratch);
    return NULL;
}

int gen_pipeline(const struct gen *g, gen_render_fn render, gen_consume_fn consume, void *ctx,
                 struct error *err)
{
    struct pipeline p;
    pthread_t tid[GEN_MAX_THREADS];
    struct worker_arg args[GEN_MAX_THREADS];
    unsigned t, started = 0, s;
    uint64_t b;
    int rc = 0;

    memset(&p, 0, sizeof(p));
    p.g = g;
    p.render = render;
    p.nblocks = (gen_count(g) + GEN_BLOCK_ROWS - 1) / GEN_BLOCK_ROWS;
    p.nthreads = (unsigned)g->opt.threads;
    if (p.nthreads < 1)
        p.nthreads = 1;
    if (p.nthreads > GEN_MAX_THREADS)
        p.nthreads = GEN_MAX_THREADS;
    p.nslots = 2 * p.nthreads;
    p.slot = xcalloc(p.nslots, sizeof(*p.slot));
    p.ready = xcalloc(p.nslots, sizeof(*p.ready));
    for (s = 0; s < p.nslots; s++)
        strbuf_init(&p.slot[s], 0);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);

    for (t = 0; t < p.nthreads; t++) {
        args[t].p = &p;
        args[t].index = t;
        if (pthread_create(&tid[t], NULL, worker_main, &args[t])) {
            rc = error_set(err, "cannot start a generator thread");
            break;
        }
        started++;
    }
    for (b = 0; rc == 0 && b < p.nblocks; b++) {
        unsigned si = (unsigned)(b % p.nslots);
        uint64_t first, end;
        pthread_mutex_lock(&p.mu);
        while (p.ready[si] != b + 1)
            pthread_cond_wait(&p.cv, &p.mu);
        pthread_mutex_unlock(&p.mu);
        block_rows(&p, b, &first, &end);
        rc = consume(ctx, &p.slot[si], first, end, err);
        pthread_mutex_lock(&p.mu);
        p.consumed = b + 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
    }
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    for (s = 0; s < p.nslots; s++)
        strbuf_release(&p.slot[s]);
    free(p.slot);
    free(p.ready);
    return rc;
}

/* ---- CSV ---- */

static int needs_quotes(const char *s, size_t n)
{
    /* memchr is vectorised; four passes beat one byte loop */
    return memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n);
}

static void csv_field(struct strbuf *out, const char *s, size_t n)
{
    size_t i, start = 0;
    if (!needs_quotes(s, n)) {
        strbuf_add(out, s, n);
        return;
    }
    strbuf_addch(out, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"') {
            strbuf_add(out, s + start, i + 1 - start);
            strbuf_addch(out, '"');
            start = i + 1;
        }
    }
    strbuf_add(out, s + start, n - start);
    strbuf_addch(out, '"');
}

static void render_csv(const struct gen *g, uint64_t first, uint64_t end, struct gen_ent *e,
                       struct strbuf *cells, struct strbuf *out)
{
    size_t off[GEN_NCOLS + 1];
    uint64_t i;
    int c;
    strbuf_grow(out, (end - first) * 640);
    for (i = first; i < end; i++) {
        gen_ent_make(g, i, e, 1);
        strbuf_reset(cells);
        gen_ent_cells(e, cells, off);
        for (c = 0; c < GEN_NCOLS; c++) {
            if (c)
                strbuf_addch(out, ',');
            csv_field(out, cells->buf + off[c], off[c + 1] - off[c]);
        }
        strbuf_addch(out, '\n');
    }
}

struct sink_ctx {
    const struct gen_sink *sink;
};

static int consume_to_sink(void *ctx, const struct strbuf *block, uint64_t first, uint64_t end,
                           struct error *err)
{
    struct sink_ctx *sc = ctx;
    return sc->sink->write(sc->sink->ctx, block->buf, block->len, err);
}

int gen_write_csv(const struct gen *g, const struct gen_sink *sink, struct error *err)
{
    struct strbuf head = STRBUF_INIT;
    struct sink_ctx sc = { sink };
    int c, rc;
    for (c = 0; c < GEN_NCOLS; c++) {
        if (c)
            strbuf_addch(&head, ',');
        strbuf_addstr(&head, gen_columns[c]);
    }
    strbuf_addch(&head, '\n');
    rc = sink->write(sink->ctx, head.buf, head.len, err);
    strbuf_release(&head);
    if (rc)
        return rc;
    return gen_pipeline(g, render_csv, consume_to_sink, &sc, err);
}

/* ---- files ---- */

struct fd_sink {
    int fd;
    const char *path;
};

static int fd_write(void *ctx, const void *buf, size_t len, struct error *err)
{
    struct fd_sink *fs = ctx;
    const char *p = buf;
    while (len) {
        ssize_t w = write(fs->fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return error_set(err, "%s: write failed: %s", fs->path, strerror(errno));
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

typedef int (*sink_writer_fn)(const struct gen *g, const struct gen_sink *sink, struct error *err);

static int write_file(const struct gen *g, const char *path, sink_writer_fn fn, struct error *err)
{
    struct fd_sink fs;
    struct gen_sink sink;
    int rc;
    fs.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    fs.path = path;
    if (fs.fd < 0)
        return error_set(err, "%s: cannot create: %s", path, strerror(errno));
    sink.write = fd_write;
    sink.ctx = &fs;
    rc = fn(g, &sink, err);
    if (close(fs.fd) && !rc)
        rc = error_set(err, "%s: close failed: %s", path, strerror(errno));
    return rc;
}

int gen_write_csv_file(const struct gen *g, const char *path, struct error *err)
{
    return write_file(g, path, gen_write_csv, err);
}

int gen_write_edges_file(const struct gen *g, const char *path, struct error *err)
{
    return write_file(g, path, gen_write_edges, err);
}
