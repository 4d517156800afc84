/*
 * h_imports.c - imports over HTTP: upload an XLSX or CSV file
 * (multipart/form-data, field "file"; options skip_invalid, dry_run,
 * classify, sheet), follow the job, download its rejected rows; and the
 * store's import batches.
 *
 * Before the job is queued the file is opened and its first row read, so
 * that what is not a table at all - a zip bomb dressed as .xlsx, a binary,
 * a missing sheet - is refused with 422 in the upload's own reply rather
 * than as a failed job later. Row errors are the job's: they need the
 * whole file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/utf8.h"
#include "http/api.h"
#include "registry/table.h"
#include "store/store.h"

/* A boolean form field: 1, 0, or dflt when absent; -1 after a reply. */
static int form_bool(struct api_req *r, const char *name, int dflt)
{
    const char *v = multipart_field(r->mp, name);
    if (!v)
        return dflt;
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes"))
        return 1;
    if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no") ||
        !*v)
        return 0;
    api_error(r, 400, "invalid", name, "%s must be true or false", name);
    return -1;
}

void h_import_create(struct api_req *r)
{
    static const char *const known[] = { "skip_invalid", "dry_run", "classify", "sheet", NULL };
    struct job_options o;
    struct error err = ERROR_INIT;
    struct table_reader *tr;
    struct table_row row;
    const char *filename = NULL, *sheet, *unknown;
    uint64_t size = 0;
    int64_t id = 0;
    char loc[64];

    memset(&o, 0, sizeof(o));
    if (!multipart_file(r->mp, &filename, &size)) {
        api_error(r, 400, "invalid", "file", "no file: send it as the form field 'file'");
        return;
    }
    /* an unknown field is a mistake worth naming */
    if ((unknown = multipart_unknown(r->mp, known)) != NULL) {
        api_error(r, 400, "invalid", unknown,
                  "unknown form field '%.64s' (file, skip_invalid, dry_run, classify, sheet)",
                  unknown);
        return;
    }
    if ((o.skip_invalid = form_bool(r, "skip_invalid", 0)) < 0 ||
        (o.dry_run = form_bool(r, "dry_run", 0)) < 0 ||
        (o.classify = form_bool(r, "classify", 1)) < 0)
        return;
    sheet = multipart_field(r->mp, "sheet");
    if (sheet && *sheet) {
        if (strlen(sheet) >= sizeof(o.sheet) || !utf8_valid(sheet, strlen(sheet))) {
            api_error(r, 400, "invalid", "sheet", "sheet must be UTF-8 text of at most %zu bytes",
                      sizeof(o.sheet) - 1);
            return;
        }
        snprintf(o.sheet, sizeof(o.sheet), "%s", sheet);
    }
    if (size == 0) {
        api_error(r, 422, "unreadable_file", "file", "the file is empty");
        return;
    }
    /* is it a table at all? */
    tr = table_open(r->upload_path, o.sheet[0] ? o.sheet : NULL, &err);
    if (!tr || table_next(tr, &row, &err) < 0) {
        table_free(tr);
        api_error(r, 422, "unreadable_file", "file", "%s", err.msg);
        return;
    }
    table_free(tr);
    if (jobs_submit(r->srv->jobs, r->upload_path, filename, size, &o, &r->actor, &id, &err) !=
        0) {
        if (err.code == 503) {
            api_error(r, 503, "unavailable", NULL, "%s", err.msg);
            api_add_header(r, "Retry-After", "10");
        } else {
            api_internal(r, "queuing the import", &err);
        }
        return;
    }
    r->upload_kept = 1;  /* the job has it now */
    api_reply_json(r, 202, jobs_get_json(r->srv->jobs, id));
    snprintf(loc, sizeof(loc), "/api/imports/%lld", (long long)id);
    api_add_header(r, "Location", loc);
}

void h_imports_list(struct api_req *r)
{
    struct api_problem p;
    size_t limit, offset;
    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 50, r->srv->max_page, 1000000, &limit, &offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    api_reply_json(r, 200, jobs_list_json(r->srv->jobs, limit, offset));
}

void h_import_get(struct api_req *r)
{
    int64_t id;
    json_t *o;
    if (api_id_param(r, "id", &id) != 0)
        return;
    o = jobs_get_json(r->srv->jobs, id);
    if (!o) {
        api_error(r, 404, "not_found", "id", "no import job %lld on this server (jobs are "
                  "remembered until a restart; GET /api/batches has every import)",
                  (long long)id);
        return;
    }
    api_reply_json(r, 200, o);
}

void h_import_rejects(struct api_req *r)
{
    char path[4700], name[300];
    struct stat sb;
    int64_t id;
    int rc, fd;
    if (api_id_param(r, "id", &id) != 0)
        return;
    rc = jobs_rejects(r->srv->jobs, id, path, sizeof(path), name, sizeof(name));
    if (rc < 0) {
        api_error(r, 404, "not_found", "id", "no import job %lld on this server", (long long)id);
        return;
    }
    if (rc == 0) {
        api_error(r, 404, "not_found", "id",
                  "import job %lld has no rejected rows (or has not finished)", (long long)id);
        return;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        api_error(r, 404, "not_found", "id", "the rejects of job %lld are gone", (long long)id);
        return;
    }
    api_reply_fd(r, 200, "text/csv; charset=utf-8", fd, (uint64_t)sb.st_size);
    api_attachment(r, name);
}

struct batches_ctx {
    json_t *items;
    uint64_t total;
    size_t limit, offset;
};

static int batch_row(const struct batch_row *b, void *vctx)
{
    struct batches_ctx *c = vctx;
    uint64_t i = c->total++;
    if (i < c->offset || i >= c->offset + c->limit)
        return 0;
    json_array_append_new(
        c->items,
        json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I}", "id",
                  (json_int_t)b->id, "kind", b->kind ? b->kind : "", "file", b->file, "sha256",
                  b->sha256, "sheet", b->sheet, "user", b->user, "started", b->started,
                  "finished", b->finished, "rows", (json_int_t)b->counts.rows, "inserted",
                  (json_int_t)b->counts.inserted, "updated", (json_int_t)b->counts.updated,
                  "unchanged", (json_int_t)b->counts.unchanged, "rejected",
                  (json_int_t)b->counts.rejected));
    return 0;
}

void h_batches_list(struct api_req *r)
{
    struct batches_ctx c;
    struct api_problem p;
    struct error err = ERROR_INIT;

    memset(&c, 0, sizeof(c));
    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 50, r->srv->max_page, 10000000, &c.limit, &c.offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    c.items = json_array();
    if (store_batch_each(r->st, batch_row, &c, &err) < 0) {
        json_decref(c.items);
        api_internal(r, "reading the batches", &err);
        return;
    }
    api_reply_json(r, 200, api_page_json(c.items, c.total, c.limit, c.offset));
}
