/*
 * cmd_show.c - magnet show USCC|NAME: one enterprise, its extra columns,
 * where each of its values came from, and the chain nodes that hold it.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "cli/chain_view.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "ref/uscc.h"
#include "registry/export.h"
#include "store/store.h"

#define MAX_CANDIDATES 20

/* Find the enterprise the user means. Returns 1 found, 0 none, -1 error;
 * on several candidates prints them and returns 0. Shared with the other
 * commands that take USCC|NAME (see cli.h). */
int cli_resolve_ent(const char *cmd, struct store *st, const char *arg, int64_t *id,
                    struct error *err)
{
    char code[USCC_LEN + 1];
    int64_t ids[MAX_CANDIDATES];
    struct strbuf key = STRBUF_INIT;
    int n, i;

    if (uscc_normalize(arg, strlen(arg), code, NULL) == 0)
        return store_ent_find_uscc(st, code, id, err);
    utf8_name_key(arg, strlen(arg), &key);
    n = store_ent_find_name(st, key.buf, NULL, ids, MAX_CANDIDATES, err);
    strbuf_release(&key);
    if (n < 0)
        return -1;
    if (n == 0) {
        n = store_ent_search_name(st, arg, ids, MAX_CANDIDATES, err);
        if (n < 0)
            return -1;
    }
    if (n == 1) {
        *id = ids[0];
        return 1;
    }
    if (n > 1) {
        fprintf(stderr, "magnet %s: '%s' matches %s%d enterprises; give the USCC:\n", cmd, arg,
                n >= MAX_CANDIDATES ? "at least " : "", n);
        for (i = 0; i < n && i < MAX_CANDIDATES; i++) {
            struct ent e;
            if (store_ent_load(st, ids[i], &e, err) == 0) {
                fprintf(stderr, "  %s  %s\n", e.v[F_USCC].set ? e.v[F_USCC].s : "(no USCC)        ",
                        e.v[F_NAME].s);
                ent_release(&e);
            }
        }
    }
    return 0;
}

/* A field's value as a person reads it: money as the registries write it,
 * qualifications and rounds with their Chinese labels. */
static void value_text(const struct ent *e, int f, struct strbuf *sb)
{
    char label[48];
    strbuf_reset(sb);
    if (ent_fields[f].type == FT_MONEY) {
        export_format_money(e->v[f].i, e->v[f].s, sb);
    } else if (f == F_TAGS) {
        export_format_tags(&e->tags, sb);
    } else if (f == F_ROUND) {
        value_round_label(e->v[f].s, label, sizeof(label));
        strbuf_addstr(sb, label);
    } else {
        ent_value_format(e, (enum ent_field)f, sb);
    }
}

/* Print a label padded to `width` terminal columns (CJK characters take two). */
static void print_label(const char *s, int width)
{
    const unsigned char *p = (const unsigned char *)s;
    int cols = 0;
    for (; *p; p++) {
        if (*p < 0x80)
            cols++;
        else if (*p >= 0xE0)
            cols += 2; /* a three- or four-byte sequence: CJK, full width */
    }
    printf("  %s%*s", s, width > cols ? width - cols : 0, "");
}

static int history_print(const struct ent_change_row *c, void *ctx)
{
    int f = ent_field_by_name(c->field);
    (*(int *)ctx)++;
    printf("  %s  batch %lld (%s)  %s: %s -> %s\n", c->at ? c->at : "", (long long)c->batch,
           c->file ? c->file : "", f >= 0 ? ent_fields[f].label : c->field,
           c->old_value ? c->old_value : "(none)", c->new_value ? c->new_value : "");
    return 0;
}

static int history_json(const struct ent_change_row *c, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s?, s:s?, s:I, s:s?, s:s?}", "field", c->field,
                                         "old", c->old_value, "new", c->new_value, "batch",
                                         (json_int_t)c->batch, "file", c->file, "at", c->at));
    return 0;
}

int cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = NULL, *file = NULL, *at = NULL;
    struct store *st;
    struct error err = ERROR_INIT;
    struct ent e;
    struct strbuf sb = STRBUF_INIT;
    int64_t id = 0, batch = 0;
    int json = 0, c, f, rc;
    const struct region *r;
    const struct industry *ind;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet show USCC|NAME [--json] [--db FILE]\n\nShow one enterprise: "
                   "its fields, its extra columns, the batch that\ncreated it and every change "
                   "since, with the file each value came from.\n");
            return EXIT_OK;
        default: return cli_usage_error("show", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("show", "expected one USCC or name");
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, &st, &err) != 0) {
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    rc = cli_resolve_ent("show", st, argv[optind], &id, &err);
    if (rc <= 0) {
        if (rc < 0)
            cli_print_error(&err);
        else
            fprintf(stderr, "magnet show: no single enterprise matches '%s'\n", argv[optind]);
        store_close(st);
        return rc < 0 ? EXIT_FAIL : EXIT_INVALID;
    }
    if (store_ent_load(st, id, &e, &err) != 0 ||
        store_ent_origin(st, id, &batch, &file, &at, &err) != 0) {
        cli_print_error(&err);
        store_close(st);
        return EXIT_FAIL;
    }
    r = e.v[F_REGION].set ? region_find_code(e.v[F_REGION].s) : NULL;
    ind = e.v[F_INDUSTRY].set ? industry_find_code(e.v[F_INDUSTRY].s) : NULL;
    if (json) {
        json_t *o = json_object(), *fields = json_object(), *hist = json_array();
        json_object_set_new(o, "id", json_integer(e.id));
        for (f = 0; f < F_COUNT; f++) {
            if (!e.v[f].set || f == F_EXTRA)
                continue;
            switch (ent_fields[f].type) {
            case FT_INT:
                json_object_set_new(fields, ent_fields[f].name, json_integer(e.v[f].i));
                break;
            case FT_MONEY:
                value_text(&e, f, &sb);
                json_object_set_new(fields, ent_fields[f].name,
                                    json_pack("{s:I, s:s, s:s}", "cents", (json_int_t)e.v[f].i,
                                              "currency", e.v[f].s ? e.v[f].s : "CNY", "text",
                                              sb.buf));
                break;
            case FT_STATUS:
                json_object_set_new(fields, ent_fields[f].name,
                                    json_pack("{s:s, s:s}", "code",
                                              value_status_name((enum ent_status)e.v[f].i),
                                              "text", e.v[f].s ? e.v[f].s : ""));
                break;
            default:
                json_object_set_new(fields, ent_fields[f].name, json_string(e.v[f].s));
                break;
            }
        }
        json_object_set_new(o, "fields", fields);
        if (r)
            json_object_set_new(o, "region_name", json_string(r->full_name));
        if (ind)
            json_object_set_new(o, "industry_name", json_string(ind->name));
        json_object_set_new(o, "extra", e.v[F_EXTRA].set ? json_loads(e.v[F_EXTRA].s, 0, NULL)
                                                         : json_object());
        json_object_set_new(o, "origin", json_pack("{s:I, s:s, s:s}", "batch", (json_int_t)batch,
                                                   "file", file, "at", at));
        store_ent_history(st, id, history_json, hist, &err);
        json_object_set_new(o, "history", hist);
        chain_view_ent(st, id, o, &err);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        printf("%s\n", e.v[F_NAME].s);
        for (f = 0; f < F_COUNT; f++) {
            if (!e.v[f].set || f == F_NAME || f == F_EXTRA)
                continue;
            value_text(&e, f, &sb);
            print_label(ent_fields[f].label, 18);
            printf("%s", sb.buf);
            if (f == F_REGION && r)
                printf("  %s", r->full_name);
            if (f == F_STREET) {
                const struct region *street = region_find_code(e.v[f].s);
                if (street)
                    printf("  %s", street->name);
            }
            if (f == F_INDUSTRY && ind)
                printf("  %s", ind->name);
            if (f == F_STATUS)
                printf(" (%s)", value_status_name((enum ent_status)e.v[f].i));
            printf("\n");
        }
        if (e.v[F_EXTRA].set) {
            json_t *x = json_loads(e.v[F_EXTRA].s, 0, NULL);
            const char *k;
            json_t *v;
            printf("其他列 (kept from the imported files):\n");
            json_object_foreach(x, k, v) printf("  %s: %s\n", k, json_string_value(v));
            json_decref(x);
        }
        printf("created by batch %lld (%s, %s)\n", (long long)batch, file, at);
        chain_view_ent(st, id, NULL, &err);
        {
            int changes = 0;
            printf("history:\n");
            store_ent_history(st, id, history_print, &changes, &err);
            if (!changes)
                printf("  (no changes since)\n");
        }
    }
    strbuf_release(&sb);
    ent_release(&e);
    store_close(st);
    return EXIT_OK;
}
