/* Unit tests of src/core/import_sheet.c: headers, and cells as the request
 * body wants them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/import_sheet.h"

static const import_column *column(const import_sheet_spec *s, const char *header)
{
    const import_column *c = import_column_by_header(s, header);
    if (c == NULL)
        fail_msg("no column %s", header);
    return c;
}

/* The JSON text of a cell's value ("" when empty), or "!code" when refused. */
static const char *value(arena *a, const char *resource, const char *header, const char *text,
                         double number, bool is_number)
{
    const import_sheet_spec *s = import_sheet_find(resource);
    sheet_cell c = {text, number, is_number};
    json_t *v = NULL;
    bf_error err = {0};
    if (import_cell_value(a, s, column(s, header), &c, &v, &err) != BF_OK)
        return arena_printf(a, "!%s", err.code);
    if (v == NULL)
        return "";
    char *j = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(v);
    char *out = arena_strdup(a, j);
    free(j);
    return out;
}

static void headers_in_either_language(void **state)
{
    (void)state;
    const import_sheet_spec *s = import_sheet_find("accounts");
    assert_non_null(s);
    assert_string_equal(column(s, "客户名称")->field, "name");
    assert_string_equal(column(s, " 客户名称* ")->field, "name");
    assert_string_equal(column(s, "客户名称（必填）")->field, "name");
    assert_string_equal(column(s, "account NAME")->field, "name");
    assert_string_equal(column(s, "年营业额（元）")->field, "annual_revenue");
    assert_null(import_column_by_header(s, "客户"));
    assert_null(import_sheet_find("users"));
    char l[8];
    import_column_letters(0, l);
    assert_string_equal(l, "A");
    import_column_letters(27, l);
    assert_string_equal(l, "AB");
}

static void cells_become_body_values(void **state)
{
    (void)state;
    arena *a = arena_new(16 * 1024);
    /* Money: yuan with at most two decimals, into fen, from text or a number. */
    assert_string_equal(value(a, "opportunities", "金额（元）", "¥1,234.5", 0, false), "123450");
    assert_string_equal(value(a, "opportunities", "金额（元）", NULL, 0.1 + 0.2, true), "30");
    assert_string_equal(value(a, "opportunities", "金额（元）", "1.234", 0, false), "!wrong_type");
    assert_string_equal(value(a, "opportunities", "金额（元）", "  ", 0, false), "");
    /* Dates: Excel's serial days, and the ways people type them. */
    assert_string_equal(value(a, "opportunities", "预计成交日期", NULL, 45717, true),
                        "\"2025-03-01\"");
    assert_string_equal(value(a, "opportunities", "预计成交日期", "2026/3/1", 0, false),
                        "\"2026-03-01\"");
    assert_string_equal(value(a, "opportunities", "预计成交日期", "2026年3月1日", 0, false),
                        "\"2026-03-01\"");
    assert_string_equal(value(a, "opportunities", "预计成交日期", "2026-02-30", 0, false),
                        "!invalid_date");
    assert_string_equal(value(a, "opportunities", "预计成交日期", "2026-03/01", 0, false),
                        "!invalid_date");
    /* China time into UTC. */
    assert_string_equal(value(a, "activities", "计划时间", "2026-03-05 14:00", 0, false),
                        "\"2026-03-05T06:00:00Z\"");
    assert_string_equal(value(a, "activities", "计划时间", NULL, 45717.3958333333, true),
                        "\"2025-03-01T01:30:00Z\"");
    assert_string_equal(value(a, "opportunities", "创建时间", "2025-03-01 00:10", 0, false),
                        "\"2025-02-28T16:10:00Z\"");
    /* Choices by Chinese or English label, or value. */
    assert_string_equal(value(a, "contacts", "采购角色", "决策者", 0, false), "\"decision_maker\"");
    assert_string_equal(value(a, "contacts", "采购角色", "coach", 0, false), "\"coach\"");
    assert_string_equal(value(a, "contacts", "Buying role", "decision MAKER", 0, false),
                        "\"decision_maker\"");
    assert_string_equal(value(a, "contacts", "采购角色", "老板", 0, false), "!invalid_value");
    /* Lists, numbers, yes and no. */
    assert_string_equal(value(a, "opportunities", "竞争对手", "华为、新华三, 锐捷；", 0, false),
                        "[\"华为\",\"新华三\",\"锐捷\"]");
    assert_string_equal(value(a, "accounts", "员工人数", NULL, 2300, true), "2300");
    assert_string_equal(value(a, "accounts", "员工人数", "12.5", 0, false), "!wrong_type");
    assert_string_equal(value(a, "contacts", "电话", NULL, 13800138000.0, true), "\"13800138000\"");
    assert_string_equal(value(a, "products", "启用", "否", 0, false), "false");
    assert_string_equal(value(a, "products", "税率（%）", "13.5", 0, false), "13.5");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(headers_in_either_language),
        cmocka_unit_test(cells_become_body_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
