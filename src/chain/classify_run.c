/*
 * classify_run.c - bulk classification of the store's enterprises on two
 * threads (see classify_run.h).
 *
 * The work splits into three parts of similar cost: reading rows from
 * SQLite, classifying them, and writing the results to SQLite. A SQLite
 * connection is used by one thread at a time, so the reader thread owns a
 * second connection and does the reading and the classifying; the caller's
 * thread owns st and writes. They exchange pages of results ("chunks")
 * through a small bounded queue, so memory stays flat whatever the store's
 * size and neither thread waits for long on the other.
 *
 * Pages are keyset-paginated (id > last id seen), each its own short read
 * transaction: a read transaction held open for the whole run would keep
 * the WAL from being checkpointed and let it grow by gigabytes.
 */
#include "chain/classify_run.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"

#define PAGE 2048              /* enterprises per chunk */
#define COMMIT_EVERY 65536     /* enterprises per write transaction */
#define NCHUNKS 4

struct out_row {
    uint32_t node;
    int32_t score;
    double confidence;
    size_t ev_off, ev_len;
};

struct chunk {
    struct chunk *next;
    enum store_chain_select sel;
    int64_t after, last;       /* the ids it covers: (after, last] */
    size_t nents;
    int64_t *ids;
    size_t *first;             /* rows of ent i: rows[first[i] .. first[i + 1]) */
    size_t ents_alloc, first_alloc;
    struct out_row *rows;
    size_t nrows, rows_alloc;
    struct strbuf ev;
    int64_t truncated;
    int end;                   /* no more chunks after this one */
};

struct writer;

struct run {
    struct store *st;          /* the writer's connection */
    struct store *rd;          /* the reader's (== st with one thread) */
    const struct classifier *c;
    const struct classify_run_options *opt;
    struct classify_scratch *scratch;
    int threaded;

    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct chunk *free_list;
    struct chunk *full_head, *full_tail;
    int abort;                 /* the writer failed: stop reading */
    struct error rd_err;
    int rd_failed;

    struct chunk *cur;         /* being filled by the reader */
    struct writer *w;          /* with one thread, produce() writes through it */
};

static void chunk_reset(struct chunk *ch)
{
    ch->nents = ch->nrows = 0;
    ch->truncated = 0;
    ch->end = 0;
    ch->after = ch->last = 0;
    strbuf_reset(&ch->ev);
}

static void chunk_free(struct chunk *ch)
{
    free(ch->ids);
    free(ch->first);
    free(ch->rows);
    strbuf_release(&ch->ev);
    free(ch);
}

/* ---- the queue ---- */

static struct chunk *take_free(struct run *r)
{
    struct chunk *ch;
    pthread_mutex_lock(&r->mu);
    while (!r->free_list && !r->abort)
        pthread_cond_wait(&r->cond, &r->mu);
    ch = r->abort ? NULL : r->free_list;
    if (ch)
        r->free_list = ch->next;
    pthread_mutex_unlock(&r->mu);
    if (ch)
        chunk_reset(ch);
    return ch;
}

static void give_free(struct run *r, struct chunk *ch)
{
    pthread_mutex_lock(&r->mu);
    ch->next = r->free_list;
    r->free_list = ch;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

static void push_full(struct run *r, struct chunk *ch)
{
    pthread_mutex_lock(&r->mu);
    ch->next = NULL;
    if (r->full_tail)
        r->full_tail->next = ch;
    else
        r->full_head = ch;
    r->full_tail = ch;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

static struct chunk *pop_full(struct run *r)
{
    struct chunk *ch;
    pthread_mutex_lock(&r->mu);
    while (!r->full_head)
        pthread_cond_wait(&r->cond, &r->mu);
    ch = r->full_head;
    r->full_head = ch->next;
    if (!r->full_head)
        r->full_tail = NULL;
    pthread_mutex_unlock(&r->mu);
    return ch;
}

/* ---- reading and classifying ---- */

static int on_row(const struct chain_ent_row *row, void *ctx)
{
    struct run *r = ctx;
    struct chunk *ch = r->cur;
    struct classify_input in = { row->name, row->name_len, row->scope, row->scope_len,
                                 row->industry };
    struct classify_result res;
    size_t i;

    classify_ent(r->c, r->scratch, &in, &res);
    ALLOC_GROW(ch->ids, ch->nents + 1, ch->ents_alloc);
    ALLOC_GROW(ch->first, ch->nents + 2, ch->first_alloc);
    ch->ids[ch->nents] = row->id;
    ch->first[ch->nents] = ch->nrows;
    for (i = 0; i < res.nnodes; i++) {
        const struct classify_node *n = &res.nodes[i];
        struct out_row *o;
        if (!n->placed)
            continue;
        ALLOC_GROW(ch->rows, ch->nrows + 1, ch->rows_alloc);
        o = &ch->rows[ch->nrows++];
        o->node = n->index;
        o->score = n->score;
        o->confidence = n->confidence;
        o->ev_off = ch->ev.len;
        classify_evidence_json(n, &ch->ev);
        o->ev_len = ch->ev.len - o->ev_off;
    }
    ch->nents++;
    ch->first[ch->nents] = ch->nrows;
    ch->truncated += res.truncated;
    ch->last = row->id;
    return 0;
}

/* Read, classify and hand over every page; the last chunk has end set.
 * Returns 0, or -1 with r->rd_err set. */
static int produce(struct run *r, int (*deliver)(struct run *r, struct chunk *ch))
{
    static const enum store_chain_select all[] = { CHAIN_SELECT_ALL };
    static const enum store_chain_select batch[] = { CHAIN_SELECT_CREATED, CHAIN_SELECT_UPDATED };
    const enum store_chain_select *phases = r->opt->batch ? batch : all;
    size_t nphases = r->opt->batch ? 2 : 1, p;
    int rc = 0;

    for (p = 0; p < nphases && rc == 0; p++) {
        int64_t after = 0;
        for (;;) {
            struct chunk *ch = take_free(r);
            int n;
            if (!ch) {
                rc = -1;  /* the writer gave up; its error is the one to report */
                break;
            }
            ch->sel = phases[p];
            ch->after = after;
            r->cur = ch;
            n = store_chain_ents(r->rd, phases[p], r->opt->batch, after, PAGE, on_row, r,
                                 &r->rd_err);
            if (n < 0) {
                r->rd_failed = 1;
                give_free(r, ch);
                rc = -1;
                break;
            }
            if (n == 0) {
                give_free(r, ch);
                break;
            }
            after = ch->last;
            if (deliver(r, ch) != 0) {
                rc = -1;
                break;
            }
            if ((size_t)n < PAGE)
                break;
        }
    }
    return rc;
}

/* ---- writing ---- */

struct writer {
    struct run *r;
    struct classify_run_stats *stats;
    int64_t pending;       /* enterprises in the open transaction */
    int64_t last_all;      /* CHAIN_SELECT_ALL: the last id covered so far */
    int in_tx;
    struct chain_node_row *nodes;
    size_t nodes_alloc;
    struct error err;
    int failed;
};

static int write_chunk(struct writer *w, struct chunk *ch)
{
    struct run *r = w->r;
    const struct taxonomy *t = classifier_taxonomy(r->c);
    int known_empty = ch->sel == CHAIN_SELECT_ALL;
    size_t i, k;

    if (!w->in_tx) {
        if (store_begin(r->st, &w->err) != 0)
            return -1;
        w->in_tx = 1;
    }
    if (known_empty) {
        if (store_chain_clear_range(r->st, ch->after, ch->last, &w->err) != 0 ||
            store_change_log(r->st, 0, ch->after, ch->last, &w->err) != 0)
            return -1;
        w->last_all = ch->last;
    } else if (w->pending == 0 &&
               store_change_log(r->st, r->opt->batch, 0, 0, &w->err) != 0) {
        return -1;  /* once per transaction: the index reloads the batch's enterprises */
    }
    for (i = 0; i < ch->nents; i++) {
        size_t a = ch->first[i], b = ch->first[i + 1];
        ALLOC_GROW(w->nodes, b - a + 1, w->nodes_alloc);
        for (k = a; k < b; k++) {
            const struct out_row *o = &ch->rows[k];
            w->nodes[k - a] = (struct chain_node_row){ t->nodes[o->node].full_id,
                                                       o->score / 100.0, o->confidence,
                                                       ch->ev.buf + o->ev_off, o->ev_len };
        }
        if (store_chain_replace(r->st, ch->ids[i], w->stats->taxonomy_id, w->nodes, b - a,
                                known_empty, &w->err) != 0)
            return -1;
        w->stats->placed += b > a;
    }
    w->stats->enterprises += (int64_t)ch->nents;
    w->stats->rows += (int64_t)ch->nrows;
    w->stats->truncated += ch->truncated;
    w->pending += (int64_t)ch->nents;
    if (w->pending >= COMMIT_EVERY) {
        w->in_tx = 0;
        w->pending = 0;
        if (store_commit(r->st, &w->err) != 0)
            return -1;
    }
    if (r->opt->progress)
        r->opt->progress(w->stats->enterprises, r->opt->progress_ctx);
    return 0;
}

static int finish_writes(struct writer *w)
{
    struct run *r = w->r;
    if (!r->opt->batch) {
        /* Enterprises past the last one read no longer exist. */
        if (!w->in_tx) {
            if (store_begin(r->st, &w->err) != 0)
                return -1;
            w->in_tx = 1;
        }
        if (store_chain_clear_range(r->st, w->last_all, INT64_MAX, &w->err) != 0 ||
            store_change_log(r->st, 0, w->last_all, INT64_MAX, &w->err) != 0)
            return -1;
    }
    if (w->in_tx) {
        w->in_tx = 0;
        if (store_commit(r->st, &w->err) != 0)
            return -1;
    }
    return 0;
}

/* One thread: write each chunk as soon as it is classified. */
static int deliver_inline(struct run *r, struct chunk *ch)
{
    struct writer *w = r->w;
    int rc = write_chunk(w, ch);
    give_free(r, ch);
    if (rc != 0)
        w->failed = 1;
    return rc;
}

static int deliver_queue(struct run *r, struct chunk *ch)
{
    push_full(r, ch);
    return 0;
}

static void *reader_main(void *arg)
{
    struct run *r = arg;
    struct chunk *end;
    produce(r, deliver_queue);
    /* The end marker: a chunk with no enterprises. Wait for one even after
     * an abort, so the writer always gets it. */
    pthread_mutex_lock(&r->mu);
    while (!r->free_list)
        pthread_cond_wait(&r->cond, &r->mu);
    end = r->free_list;
    r->free_list = end->next;
    pthread_mutex_unlock(&r->mu);
    chunk_reset(end);
    end->end = 1;
    push_full(r, end);
    return NULL;
}

/* Two threads: the reader thread reads and classifies, this one writes. */
static int run_threaded(struct run *r, struct error *err)
{
    struct writer *w = r->w;
    pthread_t tid;

    if (pthread_create(&tid, NULL, reader_main, r) != 0)
        return error_set(err, "classify: cannot start a thread");
    for (;;) {
        struct chunk *ch = pop_full(r);
        int end = ch->end;
        if (!end && !w->failed && write_chunk(w, ch) != 0) {
            /* Stop the reader; keep taking chunks until its end marker. */
            w->failed = 1;
            pthread_mutex_lock(&r->mu);
            r->abort = 1;
            pthread_cond_broadcast(&r->cond);
            pthread_mutex_unlock(&r->mu);
        }
        give_free(r, ch);
        if (end)
            break;
    }
    pthread_join(tid, NULL);
    return 0;
}

int classify_run(struct store *st, const struct classifier *c, const struct classify_run_options *opt,
                 struct classify_run_stats *stats, struct error *err)
{
    const struct taxonomy *t = classifier_taxonomy(c);
    struct run r;
    struct writer w;
    struct chunk *chunks[NCHUNKS];
    int i, rc = 0;

    memset(stats, 0, sizeof(*stats));
    memset(&r, 0, sizeof(r));
    memset(&w, 0, sizeof(w));
    if (store_chain_taxonomy(st, t->hash, t->source, (int64_t)t->ntracks, (int64_t)t->nnodes,
                             &stats->taxonomy_id, err) != 0)
        return -1;
    r.st = st;
    r.c = c;
    r.opt = opt;
    r.threaded = opt->threads != 1;
    w.r = &r;
    w.stats = stats;
    if (r.threaded) {
        if (store_open(store_path(st), STORE_OPEN_EXISTING, &r.rd, err) != 0)
            return error_prefix(err, "classify: second connection: ");
    } else {
        r.rd = st;
    }
    r.scratch = classify_scratch_new(c);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cond, NULL);
    for (i = 0; i < NCHUNKS; i++) {
        chunks[i] = xcalloc(1, sizeof(struct chunk));
        chunks[i]->ev = (struct strbuf)STRBUF_INIT;
        chunks[i]->next = r.free_list;
        r.free_list = chunks[i];
    }

    r.w = &w;
    if (r.threaded)
        rc = run_threaded(&r, err);
    else if (produce(&r, deliver_inline) != 0 && !w.failed && !r.rd_failed)
        rc = error_set(err, "classify: stopped");

    if (rc == 0 && !w.failed && r.rd_failed) {
        *err = r.rd_err;
        rc = -1;
    }
    if (rc == 0 && w.failed) {
        *err = w.err;
        rc = -1;
    }
    if (rc == 0 && finish_writes(&w) != 0) {
        *err = w.err;
        rc = -1;
    }
    if (rc != 0 && w.in_tx)
        store_rollback(st);

    for (i = 0; i < NCHUNKS; i++)
        chunk_free(chunks[i]);
    free(w.nodes);
    classify_scratch_free(r.scratch);
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cond);
    if (r.threaded)
        store_close(r.rd);
    return rc;
}
