/*
 * xlsx_read_bench.c - how fast the streaming XLSX reader goes, and how much
 * memory it needs, on an enterprise-register-shaped workbook.
 *
 *   xlsx_read_bench FILE.xlsx [SHEET]
 *       read every row; print rows, cells, bytes of text, seconds, rows/s
 *   xlsx_read_bench --generate FILE.xlsx ROWS [--shared] [--pooled]
 *       write a test workbook with libxlsxwriter: a merged title row, a
 *       header, then ROWS rows of 20 columns (unique Chinese names, long
 *       business scopes, money, dates, counts, booleans). Default is
 *       constant_memory mode (inline strings, little memory to write);
 *       --shared writes a shared strings table instead (libxlsxwriter then
 *       keeps the whole sheet in memory: about 3 GB for a million rows).
 *       Scopes, addresses, phones and e-mails are unique per row, the worst
 *       case for the shared strings table; --pooled draws them from pools
 *       of 1000, leaving only names and credit codes unique.
 *
 * Peak memory: run under /usr/bin/time -v and read "Maximum resident set
 * size". The reader's own figure is the point; the generator's is not.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "registry/xlsx_read.h"

static const char *const words[] = {
    "软件开发", "信息技术咨询服务", "数据处理和存储支持服务", "人工智能应用软件开发",
    "集成电路设计", "云计算装备技术服务", "物联网技术研发", "互联网数据服务",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "医学研究和试验发展",
    "智能机器人的研发", "数字文化创意软件开发", "网络与信息安全软件开发", "工业互联网数据服务",
    "第二类医疗器械销售", "货物进出口", "广告设计、代理", "会议及展览服务",
};
static const char *const districts[] = { "西湖", "余杭", "滨江", "拱墅", "上城", "萧山" };
static const char *const suffixes[] = { "科技有限公司", "网络技术有限公司", "生物医药有限公司",
                                        "智能科技有限公司", "信息技术股份有限公司" };
static const char *const statuses[] = { "存续", "在业", "注销", "吊销，未注销", "迁出" };

static unsigned long long rng_state = 88172645463325252ull;

static unsigned next_rand(void)
{
    /* xorshift64: reproducible data without depending on rand()'s quality */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state >> 32);
}

/* Texts of the columns that are unique per row unless --pooled. */
static void row_texts(unsigned long r, char *scope, size_t scope_len, char *phone, char *email,
                      char *addr)
{
    size_t len = 0;
    int k, nw = 6 + (int)(next_rand() % 10);
    for (k = 0; k < nw && len + 200 < scope_len; k++)
        len += (size_t)snprintf(scope + len, scope_len - len, "%s%s", k ? "；" : "",
                                words[next_rand() % 18]);
    snprintf(phone, 32, "0571-8%07u", next_rand() % 10000000);
    snprintf(email, 64, "contact%lu@example.cn", r);
    snprintf(addr, 128, "浙江省杭州市西湖区文三路%u号%u室", next_rand() % 900, next_rand() % 2000);
}

static int generate(const char *path, unsigned long rows, int shared, int pooled)
{
    lxw_workbook_options opt = { .constant_memory = shared ? LXW_FALSE : LXW_TRUE,
                                 .tmpdir = NULL,
                                 .use_zip64 = LXW_TRUE };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws;
    lxw_format *date_fmt, *cn_date_fmt, *money_fmt, *title_fmt;
    static const char *const header[20] = {
        "企业名称", "统一社会信用代码", "法定代表人", "注册资本(万元)", "成立日期", "登记状态",
        "国标行业", "所属区域", "经营范围", "参保人数", "是否高新", "融资轮次", "联系电话",
        "邮箱", "网址", "注册地址", "核准日期", "营业期限", "专利数", "备注",
    };
    char buf[2048], scope[2048], phone[32], email[64], addr[128];
    static char pool[1000][2048 + 32 + 64 + 128];
    unsigned long r;
    int c;
    if (pooled) {
        unsigned long k;
        for (k = 0; k < 1000; k++) {
            char *p = pool[k];
            row_texts(k, p, 2048, p + 2048, p + 2048 + 32, p + 2048 + 32 + 64);
        }
    }
    if (!wb) {
        fprintf(stderr, "cannot create %s\n", path);
        return 1;
    }
    ws = workbook_add_worksheet(wb, "企业名单");
    date_fmt = workbook_add_format(wb);
    format_set_num_format(date_fmt, "yyyy-mm-dd");
    cn_date_fmt = workbook_add_format(wb);
    format_set_num_format(cn_date_fmt, "yyyy\"年\"m\"月\"d\"日\"");
    money_fmt = workbook_add_format(wb);
    format_set_num_format(money_fmt, "#,##0.00");
    title_fmt = workbook_add_format(wb);
    format_set_bold(title_fmt);
    worksheet_merge_range(ws, 0, 0, 0, 19, "杭州市西湖区企业名录（测试数据）", title_fmt);
    for (c = 0; c < 20; c++)
        worksheet_write_string(ws, 1, (lxw_col_t)c, header[c], NULL);
    for (r = 0; r < rows; r++) {
        lxw_row_t row = (lxw_row_t)(r + 2);
        lxw_datetime dt = { 1990 + (int)(next_rand() % 34), 1 + (int)(next_rand() % 12),
                            1 + (int)(next_rand() % 28), 0, 0, 0 };
        const char *sc = scope, *ph = phone, *em = email, *ad = addr;
        if (pooled) {
            const char *p = pool[next_rand() % 1000];
            sc = p, ph = p + 2048, em = p + 2048 + 32, ad = p + 2048 + 32 + 64;
        } else {
            row_texts(r, scope, sizeof(scope), phone, email, addr);
        }
        snprintf(buf, sizeof(buf), "杭州%s%s%lu%s", districts[next_rand() % 6],
                 words[next_rand() % 18], r, suffixes[next_rand() % 5]);
        worksheet_write_string(ws, row, 0, buf, NULL);
        snprintf(buf, sizeof(buf), "91330106MA2%07lu", r % 10000000);
        worksheet_write_string(ws, row, 1, buf, NULL);
        worksheet_write_string(ws, row, 2, r % 3 ? "张伟" : "李娜", NULL);
        worksheet_write_number(ws, row, 3, (next_rand() % 100000) / 10.0, money_fmt);
        worksheet_write_datetime(ws, row, 4, &dt, date_fmt);
        worksheet_write_string(ws, row, 5, statuses[next_rand() % 5], NULL);
        snprintf(buf, sizeof(buf), "I65%02u", next_rand() % 100);
        worksheet_write_string(ws, row, 6, buf, NULL);
        worksheet_write_number(ws, row, 7, 330106, NULL);
        worksheet_write_string(ws, row, 8, sc, NULL);
        worksheet_write_number(ws, row, 9, next_rand() % 500, NULL);
        worksheet_write_boolean(ws, row, 10, (int)(next_rand() % 2), NULL);
        worksheet_write_string(ws, row, 11, r % 7 ? "A轮" : "天使轮", NULL);
        worksheet_write_string(ws, row, 12, ph, NULL);
        worksheet_write_string(ws, row, 13, em, NULL);
        worksheet_write_string(ws, row, 14, "https://www.example.cn", NULL);
        worksheet_write_string(ws, row, 15, ad, NULL);
        worksheet_write_datetime(ws, row, 16, &dt, cn_date_fmt);
        worksheet_write_string(ws, row, 17, "长期", NULL);
        worksheet_write_number(ws, row, 18, next_rand() % 50, NULL);
        if (r % 5 == 0)
            worksheet_write_string(ws, row, 19, "重点企业", NULL);
    }
    if (workbook_close(wb) != LXW_NO_ERROR) {
        fprintf(stderr, "cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_read(const char *path, const char *sheet)
{
    struct error err = ERROR_INIT;
    struct table_row row;
    struct table_reader *r;
    unsigned long long rows = 0, cells = 0, bytes = 0;
    double t0 = now(), secs;
    int rc;
    size_t i;
    r = xlsx_open(path, sheet, &err);
    if (!r) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    while ((rc = table_next(r, &row, &err)) == 1) {
        rows++;
        cells += row.ncells;
        for (i = 0; i < row.ncells; i++)
            bytes += row.cells[i].len;
    }
    secs = now() - t0;
    if (rc < 0)
        fprintf(stderr, "%s\n", err.msg);
    printf("%s: %llu rows, %llu cells, %llu text bytes, %.2f s, %.0f rows/s\n", r->source, rows,
           cells, bytes, secs, secs > 0 ? (double)rows / secs : 0.0);
    table_free(r);
    return rc < 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "--generate")) {
        int i, shared = 0, pooled = 0;
        for (i = 4; i < argc; i++) {
            if (!strcmp(argv[i], "--shared"))
                shared = 1;
            else if (!strcmp(argv[i], "--pooled"))
                pooled = 1;
        }
        return generate(argv[2], strtoul(argv[3], NULL, 10), shared, pooled);
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s FILE.xlsx [SHEET]\n"
                        "       %s --generate FILE.xlsx ROWS [--shared] [--pooled]\n",
                argv[0], argv[0]);
        return 2;
    }
    return bench_read(argv[1], argc > 2 ? argv[2] : NULL);
}
