/*
 * cmd_stats.c - magnet stats: counts by status, province and industry
 * section; and magnet batches: the import batches.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/value.h"
#include "store/store.h"

struct group_ctx {
    json_t *obj;       /* key -> {"name", "count"} in insertion order */
    int kind;
};

static void add_group(const char *key, int64_t n, void *vctx)
{
    struct group_ctx *g = vctx;
    const char *k = key, *name = "";
    char section[2] = { 0, 0 };
    json_t *cur;

    if (g->kind == GROUP_STATUS) {
        enum ent_status stv = (enum ent_status)strtol(key, NULL, 10);
        k = value_status_name(stv);
        name = value_status_label(stv);
    } else if (g->kind == GROUP_PROVINCE) {
        const struct region *r = key[0] ? region_find_code(key) : NULL;
        k = key[0] ? key : "unknown";
        name = r ? r->name : "未知";
    } else {
        const struct industry *ind = key[0] ? industry_find_code(key) : NULL;
        section[0] = ind ? ind->section : 0;
        k = ind ? section : "unknown";
        ind = ind ? industry_find_code(section) : NULL;
        name = ind ? ind->name : "未知";
    }
    cur = json_object_get(g->obj, k);
    if (cur)
        json_object_set_new(cur, "count",
                            json_integer(json_integer_value(json_object_get(cur, "count")) + n));
    else
        json_object_set_new(g->obj, k, json_pack("{s:s, s:I}", "name", name, "count",
                                                 (json_int_t)n));
}

static int cmp_count(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
    return (x < y) - (x > y);
}

static void print_group(const char *title, json_t *obj)
{
    const char *k;
    json_t *v, **arr;
    size_t n = json_object_size(obj), i = 0;
    arr = xcalloc(n ? n : 1, sizeof(*arr));
    json_object_foreach(obj, k, v) {
        json_object_set_new(v, "key", json_string(k));
        arr[i++] = v;
    }
    qsort(arr, n, sizeof(*arr), cmp_count);
    printf("%s:\n", title);
    for (i = 0; i < n; i++)
        printf("  %-10s %-24s %10lld\n", json_string_value(json_object_get(arr[i], "key")),
               json_string_value(json_object_get(arr[i], "name")),
               (long long)json_integer_value(json_object_get(arr[i], "count")));
    free(arr);
}

int cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *const titles[] = { "status", "province", "industry_section" };
    const char *db = NULL;
    struct store *st;
    struct error err = ERROR_INIT;
    int json = 0, c, g;
    json_t *out;
    int64_t total;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet stats [--json] [--db FILE]\n\nEnterprise counts by status, "
                   "province and industry section.\n");
            return EXIT_OK;
        default: return cli_usage_error("stats", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("stats", "unexpected argument '%s'", argv[optind]);
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, &st, &err) != 0) {
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    total = store_ent_count(st, &err);
    if (total < 0) {
        cli_print_error(&err);
        store_close(st);
        return EXIT_FAIL;
    }
    out = json_object();
    json_object_set_new(out, "total", json_integer(total));
    for (g = 0; g < 3; g++) {
        struct group_ctx ctx = { json_object(), g };
        if (store_ent_group_count(st, (enum store_group)g, add_group, &ctx, &err) != 0) {
            cli_print_error(&err);
            json_decref(ctx.obj);
            json_decref(out);
            store_close(st);
            return EXIT_FAIL;
        }
        json_object_set_new(out, titles[g], ctx.obj);
    }
    if (json) {
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        printf("enterprises: %lld\n", (long long)total);
        for (g = 0; g < 3; g++)
            print_group(titles[g], json_object_get(out, titles[g]));
    }
    json_decref(out);
    store_close(st);
    return EXIT_OK;
}

static int batch_print(const struct batch_row *b, void *ctx)
{
    json_t *arr = ctx;
    if (arr) {
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I}",
                           "id", (json_int_t)b->id, "kind", b->kind, "file", b->file, "sha256",
                           b->sha256, "sheet", b->sheet, "user", b->user, "started", b->started,
                           "finished", b->finished, "rows", (json_int_t)b->counts.rows,
                           "inserted", (json_int_t)b->counts.inserted, "updated",
                           (json_int_t)b->counts.updated, "unchanged",
                           (json_int_t)b->counts.unchanged, "rejected",
                           (json_int_t)b->counts.rejected));
        return 0;
    }
    printf("%5lld  %s  %-30s rows %lld: +%lld ~%lld =%lld x%lld  sha256 %.12s\n",
           (long long)b->id, b->started ? b->started : "", b->file ? b->file : "",
           (long long)b->counts.rows, (long long)b->counts.inserted, (long long)b->counts.updated,
           (long long)b->counts.unchanged, (long long)b->counts.rejected,
           b->sha256 ? b->sha256 : "");
    return 0;
}

int cmd_batches(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = NULL;
    struct store *st;
    struct error err = ERROR_INIT;
    int json = 0, c, rc;
    json_t *arr = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet batches [--json] [--db FILE]\n\nThe import batches, newest "
                   "first: file, sha256, time and counts\n(+inserted ~updated =unchanged "
                   "xrejected).\n");
            return EXIT_OK;
        default: return cli_usage_error("batches", "unknown option");
        }
    }
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, &st, &err) != 0) {
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    if (json)
        arr = json_array();
    rc = store_batch_each(st, batch_print, arr, &err);
    if (rc < 0)
        cli_print_error(&err);
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    }
    store_close(st);
    return rc < 0 ? EXIT_FAIL : EXIT_OK;
}
