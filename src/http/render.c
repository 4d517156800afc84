/*
 * render.c - the XLSX/CSV table of ranked entries (a screening export),
 * with the columns of `magnet list export`. The JSON of lists is
 * index/list_json.h, shared with `magnet list ... --json`.
 */
#include <string.h>

#include "http/api.h"
#include "index/list.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/table_write.h"
#include "registry/value.h"

/* ---- the table of ranked entries ---- */

enum { TC_RANK, TC_NAME, TC_USCC, TC_SCORE, TC_REGION_CODE, TC_REGION, TC_INDUSTRY,
       TC_INDUSTRY_NAME, TC_CAPITAL, TC_FOUNDED, TC_STATUS, TC_STAFF, TC_PATENTS, TC_TAGS,
       TC_ROUND, TC_COUNT };

/* The columns of `magnet list export`, so the two files look alike. */
static const char *const theaders[TC_COUNT] = {
    "排名", "企业名称", "统一社会信用代码", "得分", "行政区划代码", "所在地区", "国标行业",
    "行业名称", "注册资本(折合人民币万元)", "成立日期", "登记状态", "参保人数", "专利数", "企业资质",
    "融资轮次",
};

static void set_text(struct cell *c, struct strbuf *sb)
{
    c->type = sb->len ? CELL_STRING : CELL_EMPTY;
    c->text = sb->buf;
    c->len = sb->len;
}

static void set_number(struct cell *c, struct strbuf *sb, double v)
{
    set_text(c, sb);
    if (sb->len) {
        c->type = CELL_NUMBER;
        c->number = v;
    }
}

int render_entries_table(const char *path, const char *sheet, int csv_bom,
                         const struct list_entry *e, size_t n, struct error *err)
{
    struct table_writer *w = table_writer_open(path, sheet, csv_bom, err);
    struct strbuf text[TC_COUNT];
    struct cell cells[TC_COUNT];
    size_t i, k;
    int rc = 0;

    if (!w)
        return -1;
    for (k = 0; k < TC_COUNT; k++)
        strbuf_init(&text[k], 0);
    if (table_writer_header(w, theaders, TC_COUNT, err) != 0)
        rc = -1;
    for (i = 0; rc == 0 && i < n; i++) {
        const struct list_entry *x = &e[i];
        memset(cells, 0, sizeof(cells));
        for (k = 0; k < TC_COUNT; k++) {
            strbuf_reset(&text[k]);
            cells[k].text = "";
        }
        strbuf_addf(&text[TC_RANK], "%u", x->rank);
        set_number(&cells[TC_RANK], &text[TC_RANK], (double)x->rank);
        list_field_text(x, LF_NAME, &text[TC_NAME]);
        set_text(&cells[TC_NAME], &text[TC_NAME]);
        strbuf_addstr(&text[TC_USCC], x->uscc);
        set_text(&cells[TC_USCC], &text[TC_USCC]);
        strbuf_addf(&text[TC_SCORE], "%d", x->score);
        set_number(&cells[TC_SCORE], &text[TC_SCORE], (double)x->score);
        strbuf_addstr(&text[TC_REGION_CODE], x->region);
        set_text(&cells[TC_REGION_CODE], &text[TC_REGION_CODE]);
        if (x->region[0] && region_find_code(x->region))
            strbuf_addstr(&text[TC_REGION], region_find_code(x->region)->full_name);
        set_text(&cells[TC_REGION], &text[TC_REGION]);
        strbuf_addstr(&text[TC_INDUSTRY], x->industry);
        set_text(&cells[TC_INDUSTRY], &text[TC_INDUSTRY]);
        if (x->industry[0] && industry_find_code(x->industry))
            strbuf_addstr(&text[TC_INDUSTRY_NAME], industry_find_code(x->industry)->name);
        set_text(&cells[TC_INDUSTRY_NAME], &text[TC_INDUSTRY_NAME]);
        if (x->capital_cny != SCORE_UNKNOWN)
            strbuf_addf(&text[TC_CAPITAL], "%.2f", (double)x->capital_cny / 1e6);
        set_number(&cells[TC_CAPITAL], &text[TC_CAPITAL], (double)x->capital_cny / 1e6);
        if (x->founded != SCORE_UNKNOWN) {
            char d[11];
            query_days_date(x->founded, d);
            strbuf_addstr(&text[TC_FOUNDED], d);
            set_text(&cells[TC_FOUNDED], &text[TC_FOUNDED]);
            cells[TC_FOUNDED].type = CELL_DATE;
        }
        strbuf_addstr(&text[TC_STATUS], value_status_label((enum ent_status)x->status));
        set_text(&cells[TC_STATUS], &text[TC_STATUS]);
        if (x->staff != SCORE_UNKNOWN)
            strbuf_addf(&text[TC_STAFF], "%lld", (long long)x->staff);
        set_number(&cells[TC_STAFF], &text[TC_STAFF], (double)x->staff);
        if (x->patents != SCORE_UNKNOWN)
            strbuf_addf(&text[TC_PATENTS], "%lld", (long long)x->patents);
        set_number(&cells[TC_PATENTS], &text[TC_PATENTS], (double)x->patents);
        if (x->tags)
            list_field_text(x, LF_TAGS, &text[TC_TAGS]);
        set_text(&cells[TC_TAGS], &text[TC_TAGS]);
        if (x->round[0]) {
            char label[48];
            value_round_label(x->round, label, sizeof(label));
            strbuf_addstr(&text[TC_ROUND], label);
        }
        set_text(&cells[TC_ROUND], &text[TC_ROUND]);
        if (table_writer_row(w, cells, TC_COUNT, err) != 0)
            rc = -1;
    }
    for (k = 0; k < TC_COUNT; k++)
        strbuf_release(&text[k]);
    if (rc != 0) {
        table_writer_abort(w);
        return -1;
    }
    return table_writer_close(w, err);
}
