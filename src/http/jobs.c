/*
 * jobs.c - imports uploaded over HTTP, run as background jobs.
 *
 * One worker thread runs the jobs one after the other (SQLite has one
 * writer: two imports at once would only wait for each other), with its
 * own store connection: import_file() (one transaction: all or nothing),
 * then classify_run() on what the batch wrote, then
 * an index refresh so the next query sees the new enterprises. Progress
 * (rows read) is visible while it runs; the result (counts, the first
 * errors and warnings) and the rejected rows (a CSV with row numbers and
 * reasons) afterwards.
 *
 * Each job has a directory DATA_DIR/job-ID holding the upload, under the
 * client's file name (so the batch's provenance names it), and the
 * rejects file. Jobs live in memory: at most max_jobs waiting or running
 * (more get 503), and the job_keep newest finished ones are remembered;
 * older ones are forgotten with their directory. The store's batches
 * (GET /api/batches) are the permanent record.
 *
 * The import's audit row is written inside the import's own transaction,
 * just before it commits (import_options.before_commit): an import is never
 * committed without it. The batch row records the user too. The
 * classification that follows commits on its own (classify_run.h) and gets
 * its own audit row when it has ended (classify_audit.h).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/utf8.h"
#include "chain/classify.h"
#include "chain/classify_audit.h"
#include "chain/classify_run.h"
#include "http/api.h"
#include "index/index.h"
#include "registry/import.h"
#include "store/store.h"

#define ISSUES_SHOWN 100

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_REJECTED, JOB_FAILED };
static const char *const state_names[] = { "queued", "running", "done", "rejected", "failed" };

struct job {
    int64_t id;
    char dir[4300];
    char path[4600];          /* the upload, under its file name */
    char rejects[4600];
    char file[256];           /* the client's file name */
    uint64_t size;
    struct job_options opt;
    char user[AUDIT_USER_MAX + 1];
    char remote[AUDIT_REMOTE_MAX + 1];
    int64_t user_id;
    _Atomic int state;
    atomic_size_t rows;       /* progress */
    int64_t created, started, finished;
    json_t *result;           /* when finished */
    char error[ERROR_MSG_MAX + 64];
    int64_t rejected;
};

struct jobs {
    struct api_server *srv;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job **list;        /* oldest first */
    size_t n, alloc;
    int64_t next_id;
    int stop;
    int thread_started;
    pthread_t thread;
    atomic_int running;
};

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[8192];
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void job_free(struct job *j)
{
    if (!j)
        return;
    json_decref(j->result);
    free(j);
}

static json_t *issues_json(const struct import_result *r, const struct import_issue *is,
                           size_t n)
{
    json_t *a = json_array();
    size_t i;
    for (i = 0; i < n && i < ISSUES_SHOWN; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s}", "row",
                                           (json_int_t)is[i].row, "column", is[i].column,
                                           "column_letter", is[i].col_letter, "value",
                                           is[i].value, "message", is[i].message));
    (void)r;
    return a;
}

static void progress(size_t rows, void *ctx)
{
    atomic_store(&((struct job *)ctx)->rows, rows);
}

static void run_job(struct jobs *js, struct job *j)
{
    struct api_server *s = js->srv;
    struct import_options opt;
    struct import_result res;
    struct error err = ERROR_INIT;
    struct store *st = NULL;
    struct classifier *cl = NULL;
    struct classify_run_stats cs;
    struct audit_actor who = { j->user_id, j->user, j->remote };
    struct import_audit ia = { &who, j->file, 0 };
    json_t *out;
    int rc, classified = 0;

    memset(&res, 0, sizeof(res));
    if (store_open(s->cfg->str[HS_DB], STORE_OPEN_EXISTING, &st, &err) != 0) {
        snprintf(j->error, sizeof(j->error), "%s", err.msg);
        atomic_store(&j->state, JOB_FAILED);
        return;
    }
    memset(&opt, 0, sizeof(opt));
    opt.sheet = j->opt.sheet[0] ? j->opt.sheet : NULL;
    opt.skip_invalid = j->opt.skip_invalid;
    opt.rejects_path = j->rejects;
    opt.dry_run = j->opt.dry_run;
    opt.user = j->user;
    opt.today = s->today_text;
    opt.progress = progress;
    opt.progress_ctx = j;
    opt.before_commit = import_audit_hook;
    opt.before_commit_ctx = &ia;
    rc = import_file(st, j->path, &opt, &res, &err);
    if (rc < 0) {
        snprintf(j->error, sizeof(j->error), "%s", err.msg);
        import_result_release(&res);
        store_close(st);
        atomic_store(&j->state, JOB_FAILED);
        return;
    }
    /* classify what the batch wrote; a failure leaves the import in place */
    if (rc == 0 && res.written && res.batch && j->opt.classify) {
        struct classify_run_options copt = { res.batch, 2, NULL, NULL };
        struct error aerr = ERROR_INIT;
        if (classifier_new(s->tax, &cl, &err) != 0) {
            snprintf(j->error, sizeof(j->error), "imported, but not classified: %s", err.msg);
        } else {
            /* classify_run() may have committed pages before failing: the
             * audit row says what ran either way */
            if (classify_run(st, cl, &copt, &cs, &err) == 0)
                classified = 1;
            else
                snprintf(j->error, sizeof(j->error), "imported, but not classified: %s",
                         err.msg);
            if (classify_audit(st, &who, s->tax, &copt, &cs, classified ? NULL : &err, 0,
                               &aerr) != 0)
                fprintf(stderr, "magnet serve: import job %lld: the audit row of the "
                                "classification was not written: %s\n",
                        (long long)j->id, aerr.msg);
        }
        classifier_free(cl);
    }
    out = json_object();
    json_object_set_new(out, "source", json_string(res.source ? res.source : j->file));
    json_object_set_new(out, "sha256", json_string(res.sha256));
    json_object_set_new(out, "batch", res.batch ? json_integer(res.batch) : json_null());
    json_object_set_new(out, "written", json_boolean(res.written));
    json_object_set_new(out, "dry_run", json_boolean(j->opt.dry_run));
    json_object_set_new(out, "header_row", json_integer((json_int_t)res.header_row));
    json_object_set_new(out, "rows", json_integer(res.counts.rows));
    json_object_set_new(out, "inserted", json_integer(res.counts.inserted));
    json_object_set_new(out, "updated", json_integer(res.counts.updated));
    json_object_set_new(out, "unchanged", json_integer(res.counts.unchanged));
    json_object_set_new(out, "rejected", json_integer(res.counts.rejected));
    json_object_set_new(out, "errors_total", json_integer((json_int_t)res.nerrors));
    json_object_set_new(out, "warnings_total", json_integer((json_int_t)res.nwarnings));
    json_object_set_new(out, "errors", issues_json(&res, res.errors, res.errors_kept));
    json_object_set_new(out, "warnings", issues_json(&res, res.warnings, res.warnings_kept));
    json_object_set_new(out, "classified",
                        classified ? json_pack("{s:I, s:I, s:I}", "enterprises",
                                               (json_int_t)cs.enterprises, "placed",
                                               (json_int_t)cs.placed, "placements",
                                               (json_int_t)cs.rows)
                                   : json_null());
    j->rejected = res.counts.rejected;
    if (rc == 1 && !j->rejected)
        j->rejected = (int64_t)res.nerrors;
    if (res.written) {
        pthread_mutex_lock(&s->refresh_lock);
        if (index_refresh(s->ix, st, &err) < 0)
            fprintf(stderr, "magnet serve: import job %lld: index refresh: %s\n",
                    (long long)j->id, err.msg);
        else
            api_index_note(s);
        pthread_mutex_unlock(&s->refresh_lock);
    }
    j->result = out;
    import_result_release(&res);
    store_close(st);
    atomic_store(&j->state, rc == 0 ? JOB_DONE : JOB_REJECTED);
}

/* Forget the oldest finished jobs past job_keep. Called with the lock. */
static void prune(struct jobs *js)
{
    size_t keep = (size_t)js->srv->cfg->num[HS_JOB_KEEP], finished = 0, i, k;
    for (i = 0; i < js->n; i++)
        if (atomic_load(&js->list[i]->state) >= JOB_DONE)
            finished++;
    for (i = 0, k = 0; i < js->n; i++) {
        struct job *j = js->list[i];
        if (finished > keep && atomic_load(&j->state) >= JOB_DONE) {
            remove_dir(j->dir);
            job_free(j);
            finished--;
            continue;
        }
        js->list[k++] = j;
    }
    js->n = k;
}

static void *worker(void *arg)
{
    struct jobs *js = arg;
    for (;;) {
        struct job *next = NULL;
        size_t i;
        pthread_mutex_lock(&js->lock);
        while (!js->stop) {
            for (i = 0; i < js->n && !next; i++)
                if (atomic_load(&js->list[i]->state) == JOB_QUEUED)
                    next = js->list[i];
            if (next)
                break;
            pthread_cond_wait(&js->cond, &js->lock);
        }
        if (js->stop) {
            pthread_mutex_unlock(&js->lock);
            return NULL;
        }
        atomic_store(&next->state, JOB_RUNNING);
        next->started = time(NULL);
        atomic_fetch_add(&js->running, 1);
        pthread_mutex_unlock(&js->lock);

        run_job(js, next);
        unlink(next->path);  /* the batch has the file's SHA-256; the bytes are not kept */

        pthread_mutex_lock(&js->lock);
        next->finished = time(NULL);
        atomic_fetch_sub(&js->running, 1);
        prune(js);
        pthread_mutex_unlock(&js->lock);
    }
}

struct jobs *jobs_new(struct api_server *s)
{
    struct jobs *js = xcalloc(1, sizeof(*js));
    js->srv = s;
    js->next_id = 1;
    pthread_mutex_init(&js->lock, NULL);
    pthread_cond_init(&js->cond, NULL);
    return js;
}

int jobs_running(struct jobs *js)
{
    return atomic_load(&js->running);
}

void jobs_free(struct jobs *js, int64_t timeout)
{
    size_t i;
    int joined = 1;
    if (!js)
        return;
    pthread_mutex_lock(&js->lock);
    js->stop = 1;
    /* jobs that never started will not: say so (their uploads go) */
    for (i = 0; i < js->n; i++)
        if (atomic_load(&js->list[i]->state) == JOB_QUEUED) {
            snprintf(js->list[i]->error, sizeof(js->list[i]->error),
                     "the server stopped before the import started");
            atomic_store(&js->list[i]->state, JOB_FAILED);
        }
    pthread_cond_broadcast(&js->cond);
    pthread_mutex_unlock(&js->lock);
    if (js->thread_started) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += timeout;
        if (pthread_timedjoin_np(js->thread, NULL, &ts) != 0) {
            /* An import still running: its transaction is not committed and
             * goes with the process; the store stays as it was. */
            fprintf(stderr, "magnet serve: an import was still running after the shutdown "
                            "timeout: it is abandoned (nothing of it is written)\n");
            joined = 0;
        }
    }
    if (!joined)
        return;  /* the thread still uses the jobs: leave them to the exit */
    for (i = 0; i < js->n; i++) {
        if (atomic_load(&js->list[i]->state) != JOB_DONE &&
            atomic_load(&js->list[i]->state) != JOB_REJECTED)
            unlink(js->list[i]->path);
        job_free(js->list[i]);
    }
    free(js->list);
    pthread_mutex_destroy(&js->lock);
    pthread_cond_destroy(&js->cond);
    free(js);
}

/* A file name safe to create: the last path component, valid UTF-8, no
 * control characters, not hidden; else a generic one. */
static void safe_name(const char *in, char *out, size_t size)
{
    const char *base = in, *p;
    size_t n, i;
    for (p = in; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    n = strlen(base);
    snprintf(out, size, "upload");
    if (!n || n >= size || base[0] == '.' || !utf8_valid(base, n))
        return;
    for (i = 0; i < n; i++)
        if ((unsigned char)base[i] < 0x20 || base[i] == 0x7f || base[i] == ':')
            return;
    memcpy(out, base, n + 1);
}

int jobs_submit(struct jobs *js, const char *upload, const char *filename, uint64_t size,
                const struct job_options *o, const struct audit_actor *who, int64_t *id,
                struct error *err)
{
    struct api_server *s = js->srv;
    struct job *j;
    size_t waiting = 0, i;
    char name[200];

    pthread_mutex_lock(&js->lock);
    for (i = 0; i < js->n; i++)
        if (atomic_load(&js->list[i]->state) <= JOB_RUNNING)
            waiting++;
    if (js->stop || waiting >= (size_t)s->cfg->num[HS_MAX_JOBS]) {
        pthread_mutex_unlock(&js->lock);
        return error_code(err, 503, "%s", js->stop ? "the server is shutting down"
                                                   : "too many imports waiting or running; "
                                                     "try again when one has finished");
    }
    j = xcalloc(1, sizeof(*j));
    j->id = js->next_id++;
    pthread_mutex_unlock(&js->lock);

    safe_name(filename, name, sizeof(name));
    snprintf(j->file, sizeof(j->file), "%s", name);
    snprintf(j->dir, sizeof(j->dir), "%s/job-%lld", s->data_dir, (long long)j->id);
    snprintf(j->path, sizeof(j->path), "%s/%s", j->dir, name);
    snprintf(j->rejects, sizeof(j->rejects), "%s/rejects.csv", j->dir);
    if (!strcmp(name, "rejects.csv"))
        snprintf(j->rejects, sizeof(j->rejects), "%s/rejected-rows.csv", j->dir);
    remove_dir(j->dir);  /* a leftover of an earlier run of the server */
    if (mkdir(j->dir, 0700) != 0 || rename(upload, j->path) != 0) {
        error_code(err, 500, "cannot move the upload into %s: %s", j->dir, strerror(errno));
        rmdir(j->dir);
        free(j);
        return -1;
    }
    j->size = size;
    j->opt = *o;
    snprintf(j->user, sizeof(j->user), "%s", who->user ? who->user : "-");
    snprintf(j->remote, sizeof(j->remote), "%s", who->remote ? who->remote : "");
    j->user_id = who->user_id;
    j->created = time(NULL);
    atomic_store(&j->state, JOB_QUEUED);

    pthread_mutex_lock(&js->lock);
    ALLOC_GROW(js->list, js->n + 1, js->alloc);
    js->list[js->n++] = j;
    if (!js->thread_started) {
        if (pthread_create(&js->thread, NULL, worker, js) == 0)
            js->thread_started = 1;
    }
    pthread_cond_signal(&js->cond);
    pthread_mutex_unlock(&js->lock);
    *id = j->id;
    return 0;
}

static json_t *job_json(const struct job *j)
{
    int state = atomic_load(&j->state);
    json_t *o = json_object();
    char url[64];
    json_object_set_new(o, "id", json_integer(j->id));
    json_object_set_new(o, "state", json_string(state_names[state]));
    json_object_set_new(o, "file", json_string(j->file));
    json_object_set_new(o, "size", json_integer((json_int_t)j->size));
    json_object_set_new(o, "user", json_string(j->user));
    json_object_set_new(o, "options",
                        json_pack("{s:b, s:b, s:b, s:o}", "skip_invalid", j->opt.skip_invalid,
                                  "dry_run", j->opt.dry_run, "classify", j->opt.classify,
                                  "sheet", api_str_or_null(j->opt.sheet)));
    json_object_set_new(o, "created", api_time_json(j->created));
    json_object_set_new(o, "started", state >= JOB_RUNNING ? api_time_json(j->started)
                                                           : json_null());
    json_object_set_new(o, "finished", state >= JOB_DONE ? api_time_json(j->finished)
                                                         : json_null());
    json_object_set_new(o, "progress", json_pack("{s:I}", "rows",
                                                 (json_int_t)atomic_load(&j->rows)));
    json_object_set_new(o, "result", state >= JOB_DONE && j->result ? json_incref(j->result)
                                                                    : json_null());
    json_object_set_new(o, "error", state >= JOB_DONE && j->error[0] ? json_string(j->error)
                                                                     : json_null());
    snprintf(url, sizeof(url), "/api/imports/%lld/rejects", (long long)j->id);
    json_object_set_new(o, "rejects_url",
                        state >= JOB_DONE && j->rejected > 0 ? json_string(url) : json_null());
    return o;
}

json_t *jobs_get_json(struct jobs *js, int64_t id)
{
    json_t *o = NULL;
    size_t i;
    pthread_mutex_lock(&js->lock);
    for (i = 0; i < js->n; i++)
        if (js->list[i]->id == id)
            o = job_json(js->list[i]);
    pthread_mutex_unlock(&js->lock);
    return o;
}

json_t *jobs_list_json(struct jobs *js, size_t limit, size_t offset)
{
    json_t *items = json_array();
    size_t i, n;
    pthread_mutex_lock(&js->lock);
    n = js->n;
    /* newest first */
    for (i = offset; i < n && i < offset + limit; i++)
        json_array_append_new(items, job_json(js->list[n - 1 - i]));
    pthread_mutex_unlock(&js->lock);
    return api_page_json(items, n, limit, offset);
}

int jobs_rejects(struct jobs *js, int64_t id, char *path, size_t size, char *name,
                 size_t name_size)
{
    int rc = -1;
    size_t i;
    pthread_mutex_lock(&js->lock);
    for (i = 0; i < js->n; i++) {
        struct job *j = js->list[i];
        if (j->id != id)
            continue;
        rc = 0;
        if (atomic_load(&j->state) >= JOB_DONE && j->rejected > 0 &&
            access(j->rejects, R_OK) == 0) {
            snprintf(path, size, "%s", j->rejects);
            snprintf(name, name_size, "%s.rejects.csv", j->file);
            rc = 1;
        }
    }
    pthread_mutex_unlock(&js->lock);
    return rc;
}
