/* Unit tests of src/core/sheet.c: CSV in the encodings Chinese spreadsheets
 * are saved in, quoting, and what cannot be read. (XLSX workbooks are read
 * in tests/api/test_sheet_import.py, written there by openpyxl.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/sheet.h"

static const char *cell(const sheet_table *t, size_t r, size_t c)
{
    const char *s = sheet_at(t, r, c)->text;
    return s ? s : "";
}

static void read_ok(arena *a, const char *data, size_t len, sheet_table *t)
{
    bf_error err = {0};
    bf_result r = sheet_read(a, data, len, t, &err);
    if (r != BF_OK)
        fail_msg("sheet_read: %s", err.message);
}

static void expect_hospital(const sheet_table *t, const char *encoding)
{
    assert_string_equal(t->format, "csv");
    assert_string_equal(t->encoding, encoding);
    assert_int_equal(t->rows, 2);
    assert_int_equal(t->cols, 2);
    assert_string_equal(cell(t, 0, 0), "客户名称");
    assert_string_equal(cell(t, 0, 1), "行业");
    assert_string_equal(cell(t, 1, 0), "江南医院");
    assert_string_equal(cell(t, 1, 1), "医疗");
}

static void csv_in_every_encoding(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    sheet_table t;
    const char utf8[] = "客户名称,行业\r\n江南医院,医疗\r\n";
    read_ok(a, utf8, sizeof(utf8) - 1, &t);
    expect_hospital(&t, "utf-8");

    const char bom[] = "\xEF\xBB\xBF客户名称,行业\n江南医院,医疗\n";
    read_ok(a, bom, sizeof(bom) - 1, &t);
    expect_hospital(&t, "utf-8-bom");

    const char gbk[] = "\xbf\xcd\xbb\xa7\xc3\xfb\xb3\xc6\x2c\xd0\xd0\xd2\xb5\x0d\x0a\xbd\xad\xc4"
                       "\xcf\xd2\xbd\xd4\xba\x2c\xd2\xbd\xc1\xc6\x0d\x0a";
    read_ok(a, gbk, sizeof(gbk) - 1, &t);
    expect_hospital(&t, "gb18030");

    const char utf16[] = "\xff\xfe\xa2\x5b\x37\x62\x0d\x54\xf0\x79\x2c\x00\x4c\x88\x1a\x4e\x0d"
                         "\x00\x0a\x00\x5f\x6c\x57\x53\x3b\x53\x62\x96\x2c\x00\x3b\x53\x97\x75"
                         "\x0d\x00\x0a\x00";
    read_ok(a, utf16, sizeof(utf16) - 1, &t);
    expect_hospital(&t, "utf-16");
    arena_free(a);
}

static void csv_quoting_and_blank_cells(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    sheet_table t;
    const char text[] = "名称,备注,金额\n"
                        "\"北京,海淀\",\"第一行\n第二行\",100.5\n"
                        ",\"他说\"\"好\"\"\",\n";
    read_ok(a, text, sizeof(text) - 1, &t);
    assert_int_equal(t.rows, 3);
    assert_string_equal(cell(&t, 1, 0), "北京,海淀");
    assert_string_equal(cell(&t, 1, 1), "第一行\n第二行");
    assert_string_equal(cell(&t, 1, 2), "100.5");
    assert_null(sheet_at(&t, 2, 0)->text);
    assert_string_equal(cell(&t, 2, 1), "他说\"好\"");
    assert_null(sheet_at(&t, 2, 2)->text);
    assert_null(sheet_at(&t, 9, 9)->text); /* beyond the table */
    arena_free(a);
}

static void what_cannot_be_read(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    sheet_table t;
    bf_error err = {0};
    const char xls[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest of an old workbook";
    assert_int_equal(sheet_read(a, xls, sizeof(xls) - 1, &t, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "file");
    assert_non_null(strstr(err.message, ".xls"));

    const char zip[] = "PK\x03\x04 not really a workbook";
    assert_int_equal(sheet_read(a, zip, sizeof(zip) - 1, &t, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "file");

    /* \x80 alone is in no encoding read here. */
    const char bad[] = "a,b\n\x80\x80\x80\xff,c\n";
    assert_int_equal(sheet_read(a, bad, sizeof(bad) - 1, &t, &err), BF_ERR_INVALID);

    read_ok(a, "", 0, &t);
    assert_int_equal(t.rows, 0);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_in_every_encoding),
        cmocka_unit_test(csv_quoting_and_blank_cells),
        cmocka_unit_test(what_cannot_be_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
