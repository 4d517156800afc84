/*
 * test_value.c - the value parsers (registry/value.c): every accepted form
 * and every rejection with its message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/value.h"

/* ---- helpers ---- */

static struct cell str_cell(const char *s)
{
    struct cell c;
    c.type = *s ? CELL_STRING : CELL_EMPTY;
    c.text = s;
    c.len = strlen(s);
    c.number = 0;
    return c;
}

static struct cell num_cell(double x, const char *text)
{
    struct cell c;
    c.type = CELL_NUMBER;
    c.text = text;
    c.len = strlen(text);
    c.number = x;
    return c;
}

static void money_ok(const char *s, enum money_unit unit, int64_t cents, const char *cur)
{
    struct money m;
    struct error e = ERROR_INIT;
    int rc = value_parse_money(s, strlen(s), unit, &m, &e);
    if (rc != 1)
        fail_msg("money '%s': rc %d: %s", s, rc, e.msg);
    if (m.cents != cents || strcmp(m.currency, cur) != 0)
        fail_msg("money '%s': %lld %s, expected %lld %s", s, (long long)m.cents, m.currency,
                 (long long)cents, cur);
}

static void money_bad(const char *s, const char *want)
{
    struct money m;
    struct error e = ERROR_INIT;
    int rc = value_parse_money(s, strlen(s), MONEY_UNIT_WAN, &m, &e);
    if (rc != -1)
        fail_msg("money '%s': rc %d, expected an error", s, rc);
    assert_string_equal(e.msg, want);
}

static void money_blank(const char *s)
{
    struct money m;
    if (value_parse_money(s, strlen(s), MONEY_UNIT_WAN, &m, NULL) != 0)
        fail_msg("money '%s' is not blank", s);
}

/* ---- blanks ---- */

static void test_blank(void **state)
{
    static const char *const blank[] = {
        "", " ", "\u3000", "-", "--", "---", "—", "——", "－", "–", "/", "／", "\\", "无", "暂无",
        "未知", "不详", "null", "NULL", "Null", "none", "N/A", "n/a", "NA", "#N/A", "（空）",
        " - ", "未公开", "未披露",
    };
    static const char *const not_blank[] = { "0", "a", "无锡", "-5", "NAN1", "空调", "?!" };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(blank) / sizeof(blank[0]); i++)
        if (!value_is_blank(blank[i], strlen(blank[i])))
            fail_msg("'%s' should be blank", blank[i]);
    for (i = 0; i < sizeof(not_blank) / sizeof(not_blank[0]); i++)
        if (value_is_blank(not_blank[i], strlen(not_blank[i])))
            fail_msg("'%s' should not be blank", not_blank[i]);
    assert_false(value_is_blank("\xFF", 1));
}

/* ---- money ---- */

static void test_money(void **state)
{
    (void)state;
    money_ok("500万元人民币", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("500万人民币", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("500 万人民币", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("1,000.5万美元", MONEY_UNIT_WAN, 1000500000, "USD");
    money_ok("5000000元", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("300(万元)", MONEY_UNIT_YUAN, 300000000, "CNY");
    money_ok("300（万元）", MONEY_UNIT_YUAN, 300000000, "CNY");
    money_ok("1.2亿元", MONEY_UNIT_WAN, 12000000000, "CNY");
    money_ok("1.2亿", MONEY_UNIT_WAN, 12000000000, "CNY");
    money_ok("人民币500万元", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("500万(元)", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("USD 100万", MONEY_UNIT_WAN, 100000000, "USD");
    money_ok("100万港元", MONEY_UNIT_WAN, 100000000, "HKD");
    money_ok("100万港币", MONEY_UNIT_WAN, 100000000, "HKD");
    money_ok("50万欧元", MONEY_UNIT_WAN, 50000000, "EUR");
    money_ok("1000万日元", MONEY_UNIT_WAN, 1000000000, "JPY");
    money_ok("0", MONEY_UNIT_WAN, 0, "CNY");
    money_ok("0万元", MONEY_UNIT_WAN, 0, "CNY");
    money_ok("５００万元", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("１，０００．５万美元", MONEY_UNIT_WAN, 1000500000, "USD");
    /* bare numbers take the column's unit */
    money_ok("500", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("500", MONEY_UNIT_YUAN, 50000, "CNY");
    money_ok("500", MONEY_UNIT_YI, 5000000000000, "CNY");
    money_ok("500", 0, 500000000, "CNY");
    money_ok("500.123456", MONEY_UNIT_WAN, 500123456, "CNY");
    money_ok("RMB 500", MONEY_UNIT_WAN, 500000000, "CNY");
    /* a currency after the number is the unit */
    money_ok("500美元", MONEY_UNIT_WAN, 50000, "USD");
    money_ok("$1,234.56", MONEY_UNIT_YUAN, 123456, "USD");
    money_ok("￥100万", MONEY_UNIT_WAN, 100000000, "CNY");
    money_ok("100万元整", MONEY_UNIT_WAN, 100000000, "CNY");
    money_ok("100 万 元 人民币", MONEY_UNIT_WAN, 100000000, "CNY");
    money_ok("人民币500万元人民币", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("3千万元", MONEY_UNIT_WAN, 3000000000, "CNY");
    money_ok("2百万美元", MONEY_UNIT_WAN, 200000000, "USD");
    money_ok("5千元", MONEY_UNIT_WAN, 500000, "CNY");
    money_ok("50万英镑", MONEY_UNIT_WAN, 50000000, "GBP");
    money_ok("10万新加坡元", MONEY_UNIT_WAN, 10000000, "SGD");
    money_ok("+500", MONEY_UNIT_WAN, 500000000, "CNY");
    money_ok("0.5万", MONEY_UNIT_WAN, 500000, "CNY");
    money_ok("000123", MONEY_UNIT_YUAN, 12300, "CNY");
    money_ok("1.000000000000000000000000", MONEY_UNIT_YUAN, 100, "CNY");
    money_bad("1.000000000000000000000001", "'1.000000000000000000000001' has too many digits");
    /* rounding to cents, half away from zero */
    money_ok("0.005", MONEY_UNIT_YUAN, 1, "CNY");
    money_ok("0.0049", MONEY_UNIT_YUAN, 0, "CNY");
    money_ok("1.125元", MONEY_UNIT_WAN, 113, "CNY");
    money_ok("1.124元", MONEY_UNIT_WAN, 112, "CNY");
    money_ok("0.00000000000000000000001", MONEY_UNIT_YUAN, 0, "CNY");
    /* the largest amounts */
    money_ok("92233720368547758.07元", MONEY_UNIT_WAN, INT64_MAX, "CNY");
    money_bad("92233720368547758.08元", "'92233720368547758.08元' is too large an amount");
    money_bad("1000000000万亿", "'1000000000万亿' is too large an amount");
    money_bad("12345678901234567890", "'12345678901234567890' has too many digits");

    money_blank("");
    money_blank("-");
    money_blank("—");
    money_blank("--");
    money_blank("/");
    money_blank("无");

    money_bad("-500万", "'-500万' is negative");
    money_bad("万元", "'万元' is not an amount of money");
    money_bad("五百万", "'五百万' is not an amount of money");
    money_bad("500万元/年", "'500万元/年' is not an amount of money: unknown unit or currency '/年'");
    money_bad("500 300", "'500 300' holds two numbers");
    money_bad("100-500万", "'100-500万' is not an amount of money: unknown unit or currency '-500万'");
    money_bad("500万美元人民币", "'500万美元人民币' names two currencies");
    money_bad("(500)", "'(500)': a bracketed number is not an amount");
    money_ok("1.5e6", MONEY_UNIT_YUAN, 150000000, "CNY");
    money_ok("1.5E+7", MONEY_UNIT_YUAN, 1500000000, "CNY");
    money_ok("12345E-2", MONEY_UNIT_YUAN, 12345, "CNY");
    money_ok("1E-3", MONEY_UNIT_YUAN, 0, "CNY");
    money_ok("1E-99", MONEY_UNIT_YUAN, 0, "CNY");
    money_ok("0E+999", MONEY_UNIT_YUAN, 0, "CNY");
    money_bad("1E+30", "'1E+30' is too large an amount");
    money_bad("1e99", "'1e99' is too large an amount");
    money_bad("1.5e", "'1.5e' is not an amount of money: unknown unit or currency 'e'");
    money_bad("500XYZ", "'500XYZ' is not an amount of money: unknown unit or currency 'XYZ'");
    money_bad("1.2.3", "'1.2.3' is not an amount of money: unknown unit or currency '.3'");
    money_bad("\xFF", "'\xFF' is not an amount of money");
}

static void test_header_unit(void **state)
{
    (void)state;
    assert_int_equal(value_header_money_unit("注册资本(万元)"), MONEY_UNIT_WAN);
    assert_int_equal(value_header_money_unit("注册资本（万元）"), MONEY_UNIT_WAN);
    assert_int_equal(value_header_money_unit("注册资本（元）"), MONEY_UNIT_YUAN);
    assert_int_equal(value_header_money_unit("融资金额(亿元)"), MONEY_UNIT_YI);
    assert_int_equal(value_header_money_unit("注册资本(万美元)"), MONEY_UNIT_WAN);
    assert_int_equal(value_header_money_unit("注册资本"), 0);
    assert_int_equal(value_header_money_unit(NULL), 0);
}

/* ---- dates ---- */

static void date_ok(struct cell c, const char *want)
{
    char out[11];
    struct error e = ERROR_INIT;
    int rc = value_parse_date(&c, "2024-06-30", out, &e);
    if (rc != 1)
        fail_msg("date '%s': rc %d: %s", c.text, rc, e.msg);
    assert_string_equal(out, want);
}

static void date_bad(struct cell c, const char *want)
{
    char out[11];
    struct error e = ERROR_INIT;
    int rc = value_parse_date(&c, "2024-06-30", out, &e);
    if (rc != -1)
        fail_msg("date '%s': rc %d (%s), expected an error", c.text, rc, out);
    assert_string_equal(e.msg, want);
}

static void test_date(void **state)
{
    struct cell c;
    char out[11];
    (void)state;
    date_ok(str_cell("2019-03-05"), "2019-03-05");
    date_ok(str_cell("2019/3/5"), "2019-03-05");
    date_ok(str_cell("2019.3.5"), "2019-03-05");
    date_ok(str_cell("2019-3-5"), "2019-03-05");
    date_ok(str_cell("2019年3月5日"), "2019-03-05");
    date_ok(str_cell("2019年03月05日"), "2019-03-05");
    date_ok(str_cell("2019 年 3 月 5 日"), "2019-03-05");
    date_ok(str_cell("2019年3月5号"), "2019-03-05");
    date_ok(str_cell("2019年3月5"), "2019-03-05");
    date_ok(str_cell("20190305"), "2019-03-05");
    date_ok(str_cell("2019-03-05 00:00:00"), "2019-03-05");
    date_ok(str_cell("2019-03-05T00:00:00"), "2019-03-05");
    date_ok(str_cell("2019-03-05T08:30:00+08:00"), "2019-03-05");
    date_ok(str_cell("2019-03-05 00:00:00.000"), "2019-03-05");
    date_ok(str_cell("2019/3/5 0:00"), "2019-03-05");
    date_ok(str_cell("２０１９－０３－０５"), "2019-03-05");
    date_ok(str_cell(" 2019-03-05 "), "2019-03-05");
    date_ok(str_cell("2020-02-29"), "2020-02-29");
    date_ok(str_cell("2000-02-29"), "2000-02-29");
    date_ok(str_cell("1800-01-01"), "1800-01-01");
    date_ok(str_cell("2024-06-30"), "2024-06-30");
    /* Excel serials in text: 20000..80000 */
    date_ok(str_cell("43529"), "2019-03-05");
    date_ok(str_cell("20000"), "1954-10-03");
    /* Excel serials as numbers, with the 1900 leap-year bug */
    date_ok(num_cell(43529, "43529"), "2019-03-05");
    date_ok(num_cell(43529.75, "43529.75"), "2019-03-05");
    date_ok(num_cell(1, "1"), "1900-01-01");
    date_ok(num_cell(59, "59"), "1900-02-28");
    date_ok(num_cell(61, "61"), "1900-03-01");
    date_ok(num_cell(36526, "36526"), "2000-01-01");
    date_ok(num_cell(20190305, "20190305"), "2019-03-05");
    /* CELL_DATE: the text, else the serial */
    c = num_cell(43529, "2019-03-05");
    c.type = CELL_DATE;
    date_ok(c, "2019-03-05");
    c.text = "2019-03-05 12:00:00";
    c.len = strlen(c.text);
    date_ok(c, "2019-03-05");
    c.text = "";
    c.len = 0;
    c.type = CELL_DATE;
    assert_int_equal(value_parse_date(&c, NULL, out, NULL), 0);
    c.text = "garbage";
    c.len = 7;
    date_ok(c, "2019-03-05");

    /* blanks */
    c = str_cell("");
    assert_int_equal(value_parse_date(&c, NULL, out, NULL), 0);
    c = str_cell("—");
    assert_int_equal(value_parse_date(&c, NULL, out, NULL), 0);
    /* no today: no future check */
    c = str_cell("2100-01-01");
    assert_int_equal(value_parse_date(&c, NULL, out, NULL), 1);
    assert_string_equal(out, "2100-01-01");

    date_bad(str_cell("2019-02-30"), "'2019-02-30' is not a date: February 2019 has no day 30");
    date_bad(str_cell("2019-02-29"), "'2019-02-29' is not a date: February 2019 has no day 29");
    date_bad(str_cell("1900-02-29"), "'1900-02-29' is not a date: February 1900 has no day 29");
    date_bad(str_cell("2019-13-01"), "'2019-13-01' is not a date: there is no month 13");
    date_bad(str_cell("2019-00-10"), "'2019-00-10' is not a date: there is no month 0");
    date_bad(str_cell("2019-04-31"), "'2019-04-31' is not a date: April 2019 has no day 31");
    date_bad(str_cell("2019-04-00"), "'2019-04-00' is not a date: April 2019 has no day 0");
    date_bad(str_cell("1799-12-31"), "'1799-12-31': the year 1799 is before 1800");
    date_bad(str_cell("2024-07-01"), "'2024-07-01' is in the future (today is 2024-06-30)");
    date_bad(str_cell("2019"), "'2019' is not a date (a number must be YYYYMMDD or an Excel serial "
                               "between 20000 and 80000)");
    date_bad(str_cell("19999"), "'19999' is not a date (a number must be YYYYMMDD or an Excel "
                                "serial between 20000 and 80000)");
    date_bad(str_cell("80001"), "'80001' is not a date (a number must be YYYYMMDD or an Excel "
                                "serial between 20000 and 80000)");
    date_bad(str_cell("20191305"), "'20191305' is not a date: there is no month 13");
    date_bad(str_cell("2019-3/5"), "'2019-3/5' is not a date");
    date_bad(str_cell("19-3-5"), "'19-3-5' is not a date: a two-digit year is ambiguous; write "
                                 "the year in full (2019-03-05)");
    date_bad(str_cell("05/03/2019"), "'05/03/2019' is not a date: with the year last, the "
                                     "day-first and the month-first readings differ; write it "
                                     "as 2019-03-05");
    date_bad(str_cell("2019-03"), "'2019-03' is not a date: it has no day (a month, not a "
                                  "date)");
    date_bad(str_cell("2019年3月"), "'2019年3月' is not a date: it has no day (a month, not a date)");
    date_bad(str_cell("2019-03-05abc"), "'2019-03-05abc' is not a date");
    date_bad(str_cell("2019-03-05 noon"), "'2019-03-05 noon' is not a date");
    date_bad(str_cell("二〇一九年三月五日"), "'二〇一九年三月五日' is not a date");
    date_bad(str_cell("2019-003-05"), "'2019-003-05' is not a date");
    date_bad(num_cell(60, "60"), "'60' is not a date: Excel serial 60 is 29 February 1900, which "
                                 "did not exist");
    date_bad(num_cell(0, "0"), "'0' is not a date (Excel serial numbers run from 1 to 2958465)");
    date_bad(num_cell(-5, "-5"), "'-5' is not a date (Excel serial numbers run from 1 to 2958465)");
    date_bad(num_cell(2958466, "2958466"),
             "'2958466' is not a date (Excel serial numbers run from 1 to 2958465)");
    date_bad(num_cell(12958466, "12958466"), "'12958466' is not a date: there is no month 84");
    date_bad(num_cell(46000, "46000"), "'46000' is in the future (today is 2024-06-30)");
    c = str_cell("TRUE");
    c.type = CELL_BOOL;
    date_bad(c, "'TRUE' is not a date");
    c = str_cell("#VALUE!");
    c.type = CELL_ERROR;
    date_bad(c, "'#VALUE!' is not a date");
    c = str_cell("#N/A");
    c.type = CELL_ERROR;
    assert_int_equal(value_parse_date(&c, NULL, out, NULL), 0);
}

static void test_today(void **state)
{
    char out[11];
    (void)state;
    setenv("MAGNET_TODAY", "2023-01-02", 1);
    value_today(out);
    assert_string_equal(out, "2023-01-02");
    setenv("MAGNET_TODAY", "garbage", 1);
    value_today(out);
    assert_int_equal(strlen(out), 10);
    assert_true(strcmp(out, "2024-01-01") > 0);
    unsetenv("MAGNET_TODAY");
}

/* ---- status ---- */

static void status_ok(const char *s, enum ent_status want)
{
    enum ent_status st;
    struct error e = ERROR_INIT;
    int rc = value_parse_status(s, strlen(s), &st, &e);
    if (rc != 1)
        fail_msg("status '%s': rc %d: %s", s, rc, e.msg);
    if (st != want)
        fail_msg("status '%s': %s, expected %s", s, value_status_name(st),
                 value_status_name(want));
}

static void test_status(void **state)
{
    enum ent_status st;
    struct error e = ERROR_INIT;
    (void)state;
    status_ok("存续", STATUS_ACTIVE);
    status_ok("在业", STATUS_ACTIVE);
    status_ok("在营", STATUS_ACTIVE);
    status_ok("开业", STATUS_ACTIVE);
    status_ok("在册", STATUS_ACTIVE);
    status_ok("正常", STATUS_ACTIVE);
    status_ok("存续（在营、开业、在册）", STATUS_ACTIVE);
    status_ok("存续(在营、开业、在册)", STATUS_ACTIVE);
    status_ok("在营（开业）企业", STATUS_ACTIVE);
    status_ok("存续/在业", STATUS_ACTIVE);
    status_ok(" 存续 ", STATUS_ACTIVE);
    status_ok("迁入", STATUS_ACTIVE);
    status_ok("经营异常", STATUS_ACTIVE);
    status_ok("注销", STATUS_CANCELLED);
    status_ok("已注销", STATUS_CANCELLED);
    status_ok("吊销，已注销", STATUS_CANCELLED);
    status_ok("吊销,已注销", STATUS_CANCELLED);
    status_ok("吊销", STATUS_REVOKED);
    status_ok("吊销，未注销", STATUS_REVOKED);
    status_ok("吊销未注销", STATUS_REVOKED);
    status_ok("迁出", STATUS_MOVED_OUT);
    status_ok("停业", STATUS_SUSPENDED);
    status_ok("歇业", STATUS_SUSPENDED);
    status_ok("清算", STATUS_LIQUIDATING);
    status_ok("撤销", STATUS_OTHER);
    status_ok("责令关闭", STATUS_OTHER);
    status_ok("Active", STATUS_ACTIVE);
    status_ok("in business", STATUS_ACTIVE);
    status_ok("CANCELLED", STATUS_CANCELLED);
    status_ok("canceled", STATUS_CANCELLED);
    status_ok("revoked", STATUS_REVOKED);
    status_ok("moved out", STATUS_MOVED_OUT);
    status_ok("moved-out", STATUS_MOVED_OUT);
    status_ok("suspended", STATUS_SUSPENDED);
    status_ok("liquidating", STATUS_LIQUIDATING);
    status_ok("other", STATUS_OTHER);
    status_ok("（注销）", STATUS_CANCELLED);

    assert_int_equal(value_parse_status("", 0, &st, &e), 0);
    assert_int_equal(st, STATUS_UNKNOWN);
    assert_int_equal(value_parse_status("-", 1, &st, &e), 0);
    assert_int_equal(value_parse_status("营业中啦", strlen("营业中啦"), &st, &e), -1);
    assert_string_equal(e.msg, "'营业中啦' is not a registration status");
    assert_int_equal(value_parse_status("存续/注销", strlen("存续/注销"), &st, &e), -1);
    assert_string_equal(e.msg, "'存续/注销' is not a registration status");
    assert_int_equal(value_parse_status("()", 2, &st, &e), -1);
    assert_string_equal(e.msg, "'()' is not a registration status");
    assert_int_equal(value_parse_status("\xFF", 1, &st, &e), -1);

    assert_string_equal(value_status_name(STATUS_MOVED_OUT), "moved-out");
    assert_string_equal(value_status_label(STATUS_REVOKED), "吊销");
    assert_string_equal(value_status_name((enum ent_status)99), "unknown");
    assert_int_equal(value_status_from_name("moved-out", &st), 0);
    assert_int_equal(st, STATUS_MOVED_OUT);
    assert_int_equal(value_status_from_name("存续", &st), 0);
    assert_int_equal(st, STATUS_ACTIVE);
    assert_int_equal(value_status_from_name("在业", &st), 0);
    assert_int_equal(st, STATUS_ACTIVE);
    assert_int_equal(value_status_from_name("nonsense", &st), -1);
    for (st = STATUS_UNKNOWN; st <= STATUS_OTHER; st++) {
        enum ent_status back;
        assert_int_equal(value_status_from_name(value_status_name(st), &back), 0);
        assert_int_equal(back, st);
        assert_int_equal(value_status_from_name(value_status_label(st), &back), 0);
        assert_int_equal(back, st);
    }
}

/* ---- counts ---- */

static void count_ok(struct cell c, int64_t want)
{
    int64_t v;
    struct error e = ERROR_INIT;
    int rc = value_parse_count(&c, &v, &e);
    if (rc != 1)
        fail_msg("count '%s': rc %d: %s", c.text, rc, e.msg);
    assert_int_equal(v, want);
}

static void count_bad(struct cell c, const char *msg)
{
    int64_t v;
    struct error e = ERROR_INIT;
    int rc = value_parse_count(&c, &v, &e);
    if (rc != -1)
        fail_msg("count '%s': rc %d, expected an error", c.text, rc);
    assert_string_equal(e.msg, msg);
}

static void test_count(void **state)
{
    struct cell c;
    int64_t v;
    (void)state;
    count_ok(str_cell("12"), 12);
    count_ok(str_cell("0"), 0);
    count_ok(str_cell("1,234"), 1234);
    count_ok(str_cell("12人"), 12);
    count_ok(str_cell("约50"), 50);
    count_ok(str_cell("约 50 人"), 50);
    count_ok(str_cell("50.0"), 50);
    count_ok(str_cell("５０"), 50);
    count_ok(str_cell("1.2万"), 12000);
    count_ok(str_cell("1.2万人"), 12000);
    count_ok(str_cell("50余人"), 50);
    count_ok(str_cell("50人以上"), 50);
    count_ok(str_cell("100+"), 100);
    count_ok(num_cell(42, "42"), 42);
    count_ok(num_cell(0, "0"), 0);

    c = str_cell("-");
    assert_int_equal(value_parse_count(&c, &v, NULL), 0);
    c = str_cell("");
    assert_int_equal(value_parse_count(&c, &v, NULL), 0);

    count_bad(str_cell("12.5"), "'12.5' is not a whole number");
    count_bad(str_cell("-3"), "'-3' is negative");
    count_bad(str_cell("50-99人"), "'50-99人' is a range, not a count");
    count_bad(str_cell("50~99"), "'50~99' is a range, not a count");
    count_bad(str_cell("五十"), "'五十' is not a count");
    count_bad(str_cell("12 apples"), "'12 apples' is not a count");
    count_bad(str_cell("1234567890123456789"), "'1234567890123456789' is too large");
    count_bad(str_cell("1011191111000328万"), "'1011191111000328万' is too large");
    count_bad(num_cell(1.5, "1.5"), "'1.5' is not a whole number");
    count_bad(num_cell(-1, "-1"), "'-1' is not a count");
    c = str_cell("2019-03-05");
    c.type = CELL_DATE;
    count_bad(c, "'2019-03-05' is not a count");
}

/* ---- tags ---- */

static struct tag_set tags_of(const char *s, char *unknown, size_t ulen, int want_rc)
{
    struct tag_set ts;
    struct error e = ERROR_INIT;
    int rc = value_parse_tags(s, strlen(s), &ts, unknown, ulen, &e);
    if (rc != want_rc)
        fail_msg("tags '%s': rc %d: %s", s, rc, e.msg);
    return ts;
}

#define BIT(t) (1u << (t))

static void tag_is(const char *s, uint32_t mask)
{
    char unknown[256];
    struct tag_set ts = tags_of(s, unknown, sizeof(unknown), 1);
    if (ts.mask != mask || unknown[0])
        fail_msg("tags '%s': mask 0x%x unknown '%s', expected 0x%x", s, ts.mask, unknown, mask);
}

static void test_tags(void **state)
{
    char unknown[256];
    struct tag_set ts;
    enum ent_tag t;
    const uint32_t giant = BIT(TAG_LITTLEGIANT) | BIT(TAG_SPECIALISED);
    (void)state;

    tag_is("国家高新技术企业", BIT(TAG_HIGHTECH));
    tag_is("高新技术企业", BIT(TAG_HIGHTECH));
    tag_is("国家级高新技术企业", BIT(TAG_HIGHTECH));
    tag_is("国家高新", BIT(TAG_HIGHTECH));
    tag_is("国高企", BIT(TAG_HIGHTECH));
    tag_is("高企", BIT(TAG_HIGHTECH));
    tag_is("科技型中小企业", BIT(TAG_TECHSME));
    tag_is("专精特新", BIT(TAG_SPECIALISED));
    tag_is("省级专精特新", BIT(TAG_SPECIALISED));
    tag_is("专精特新中小企业", BIT(TAG_SPECIALISED));
    tag_is("省级专精特新中小企业", BIT(TAG_SPECIALISED));
    tag_is("国家级专精特新\"小巨人\"企业", giant);
    tag_is("专精特新“小巨人”", giant);
    tag_is("专精特新「小巨人」企业", giant);
    tag_is("小巨人", giant);
    tag_is("国家级专精特新", giant);
    tag_is("瞪羚企业", BIT(TAG_GAZELLE));
    tag_is("瞪羚", BIT(TAG_GAZELLE));
    tag_is("独角兽企业", BIT(TAG_UNICORN));
    tag_is("A股上市", BIT(TAG_LISTED));
    tag_is("港股上市", BIT(TAG_LISTED));
    tag_is("上市公司", BIT(TAG_LISTED));
    tag_is("A股上市公司", BIT(TAG_LISTED));
    tag_is("已上市", BIT(TAG_LISTED));
    tag_is("新三板", BIT(TAG_NEEQ));
    tag_is("新三板挂牌", BIT(TAG_NEEQ));
    tag_is("挂牌企业", BIT(TAG_NEEQ));
    tag_is("hightech, GAZELLE", BIT(TAG_HIGHTECH) | BIT(TAG_GAZELLE));
    tag_is("国家高新技术企业、专精特新", BIT(TAG_HIGHTECH) | BIT(TAG_SPECIALISED));
    tag_is("高新技术企业；瞪羚企业/独角兽|上市公司，挂牌企业,科小 小巨人",
           BIT(TAG_HIGHTECH) | BIT(TAG_GAZELLE) | BIT(TAG_UNICORN) | BIT(TAG_LISTED) |
               BIT(TAG_NEEQ) | BIT(TAG_TECHSME) | giant);

    /* years */
    ts = tags_of("高新技术企业(2021)；瞪羚企业", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.mask, BIT(TAG_HIGHTECH) | BIT(TAG_GAZELLE));
    assert_int_equal(ts.year[TAG_HIGHTECH], 2021);
    assert_int_equal(ts.year[TAG_GAZELLE], 0);
    ts = tags_of("小巨人 2022年", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.mask, giant);
    assert_int_equal(ts.year[TAG_LITTLEGIANT], 2022);
    assert_int_equal(ts.year[TAG_SPECIALISED], 0);
    ts = tags_of("国家高新技术企业（2021年认定）、科技型中小企业2020年度", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.year[TAG_HIGHTECH], 2021);
    assert_int_equal(ts.year[TAG_TECHSME], 2020);
    ts = tags_of("2019年高新技术企业", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.year[TAG_HIGHTECH], 2019);
    ts = tags_of("高新技术企业(2021-12-20)", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.year[TAG_HIGHTECH], 2021);
    assert_string_equal(ts.date[TAG_HIGHTECH], "2021-12-20");
    ts = tags_of("高新技术企业（2021年12月20日认定）", unknown, sizeof(unknown), 1);
    assert_string_equal(ts.date[TAG_HIGHTECH], "2021-12-20");
    /* the latest certification wins */
    ts = tags_of("高新技术企业(2021)、高新技术企业(2018)", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.year[TAG_HIGHTECH], 2021);

    /* unknown qualifications are kept, not errors */
    ts = tags_of("准独角兽、高新技术企业、省级高新技术企业、雏鹰企业(2020)", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.mask, BIT(TAG_HIGHTECH));
    assert_string_equal(unknown, "准独角兽、省级高新技术企业、雏鹰企业(2020)");
    ts = tags_of("准瞪羚", unknown, sizeof(unknown), 1);
    assert_int_equal(ts.mask, 0);
    assert_string_equal(unknown, "准瞪羚");
    /* whole tokens only when the buffer is short */
    ts = tags_of("雏鹰企业、准独角兽", unknown, 16, 1);
    assert_string_equal(unknown, "雏鹰企业");
    ts = tags_of("雏鹰企业", NULL, 0, 1);
    assert_int_equal(ts.mask, 0);

    /* blanks */
    ts = tags_of("", unknown, sizeof(unknown), 0);
    assert_int_equal(ts.mask, 0);
    ts = tags_of("无", unknown, sizeof(unknown), 0);
    ts = tags_of("、、", unknown, sizeof(unknown), 0);
    assert_int_equal(value_parse_tags("\xFF", 1, &ts, unknown, sizeof(unknown), NULL), -1);

    /* names */
    assert_string_equal(value_tag_name(TAG_LITTLEGIANT), "littlegiant");
    assert_string_equal(value_tag_label(TAG_HIGHTECH), "国家高新技术企业");
    assert_string_equal(value_tag_name(TAG_COUNT), "unknown");
    for (t = 0; t < TAG_COUNT; t++) {
        enum ent_tag back;
        assert_int_equal(value_tag_from_name(value_tag_name(t), &back), 0);
        assert_int_equal(back, t);
        assert_int_equal(value_tag_from_name(value_tag_label(t), &back), 0);
        assert_int_equal(back, t);
    }
    assert_int_equal(value_tag_from_name("高企", &t), 0);
    assert_int_equal(t, TAG_HIGHTECH);
    assert_int_equal(value_tag_from_name("小巨人", &t), 0);
    assert_int_equal(t, TAG_LITTLEGIANT);
    assert_int_equal(value_tag_from_name("高企、瞪羚", &t), -1);
    assert_int_equal(value_tag_from_name("准独角兽", &t), -1);
}

/* ---- rounds ---- */

static void round_ok(const char *s, const char *want)
{
    char out[16];
    struct error e = ERROR_INIT;
    int rc = value_parse_round(s, strlen(s), out, &e);
    if (rc != 1)
        fail_msg("round '%s': rc %d: %s", s, rc, e.msg);
    if (strcmp(out, want) != 0)
        fail_msg("round '%s': '%s', expected '%s'", s, out, want);
}

static void test_round(void **state)
{
    char out[16];
    struct error e = ERROR_INIT;
    (void)state;
    round_ok("种子轮", "seed");
    round_ok("天使轮", "angel");
    round_ok("天使+轮", "angel+");
    round_ok("Pre-A轮", "pre-a");
    round_ok("PreA", "pre-a");
    round_ok("pre A", "pre-a");
    round_ok("Pre-A+轮", "pre-a+");
    round_ok("A轮", "a");
    round_ok("A+轮", "a+");
    round_ok("A++轮", "a++");
    round_ok("Ａ＋轮", "a+");
    round_ok("Pre-B轮", "pre-b");
    round_ok("B轮", "b");
    round_ok("B+轮", "b+");
    round_ok("C轮", "c");
    round_ok("C+轮", "c+");
    round_ok("D轮", "d");
    round_ok("E轮", "e");
    round_ok("F轮", "f");
    round_ok("J轮", "j");
    round_ok("Series A", "a");
    round_ok("A轮融资", "a");
    round_ok("天使轮融资", "angel");
    round_ok("Pre-IPO", "pre-ipo");
    round_ok("IPO", "ipo");
    round_ok("IPO上市", "ipo");
    round_ok("战略融资", "strategic");
    round_ok("战略投资", "strategic");
    round_ok("股权融资", "equity");
    round_ok("定向增发", "placement");
    round_ok("新三板定增", "placement");
    round_ok("并购", "m&a");
    round_ok("被收购", "m&a");
    round_ok("新三板", "neeq");
    round_ok("已上市", "listed");
    round_ok("上市后", "post-ipo");
    round_ok("债权融资", "debt");
    round_ok("股权转让", "transfer");
    round_ok("angel", "angel");

    assert_int_equal(value_parse_round("", 0, out, &e), 0);
    assert_int_equal(value_parse_round("-", 1, out, &e), 0);
    assert_int_equal(value_parse_round("未披露", strlen("未披露"), out, &e), 0);
    assert_int_equal(value_parse_round("K轮", strlen("K轮"), out, &e), -1);
    assert_string_equal(e.msg, "'K轮' is not a funding round");
    assert_int_equal(value_parse_round("C轮及以后", strlen("C轮及以后"), out, &e), -1);
    assert_string_equal(e.msg, "'C轮及以后' is not a funding round");
    assert_int_equal(value_parse_round("A+++", 4, out, &e), -1);
    assert_int_equal(value_parse_round("pre-", 4, out, &e), -1);
    assert_int_equal(value_parse_round("\xFF", 1, out, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank),   cmocka_unit_test(test_money),
        cmocka_unit_test(test_header_unit), cmocka_unit_test(test_date),
        cmocka_unit_test(test_today),   cmocka_unit_test(test_status),
        cmocka_unit_test(test_count),   cmocka_unit_test(test_tags),
        cmocka_unit_test(test_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
