/* Unit tests of src/api/pdf_doc.c: a Markdown document as a PDF — a file
 * that starts and ends as a PDF does, one page for a letter, more for a table
 * longer than a page (tests/api/test_document_formats.py reads the text
 * back with pdftotext), and text a user typed — markup, control characters,
 * broken UTF-8 — set as it is without failing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/pdf_doc.h"
#include "core/buf.h"

static bool has(const pdf_doc *d, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= d->len; i++)
        if (memcmp(d->data + i, s, n) == 0)
            return true;
    return false;
}

static void looks_like_a_pdf(const pdf_doc *d)
{
    assert_true(d->len > 100);
    assert_memory_equal(d->data, "%PDF-", 5);
    assert_true(has(d, "%%EOF"));
}

static void a_letter_is_one_page(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    static const char md[] =
        "# 拜访函\n\n尊敬的 **王总** 与 *李工*：\n\n- 第一项\n- 第二项\n\n"
        "1. one\n2. two\n\n| 名称 | 金额 |\n|---|---:|\n| 财务模块 | 1,000.00 |\n"
        "\n> 引用\n\n---\n\n    code\n";
    pdf_doc d;
    bf_error err = {0};
    pdf_doc_options opt = {.title = "Visit letter", .lang = "en"};
    assert_int_equal(pdf_from_markdown(a, md, sizeof(md) - 1, &opt, &d, &err), BF_OK);
    looks_like_a_pdf(&d);
    assert_int_equal(d.pages, 1);
    assert_true(has(&d, "/Title (Visit letter)"));
    arena_free(a);
}

static void a_long_table_runs_over_pages(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    buf md;
    buf_init(&md, a, 1 << 20);
    assert_int_equal(buf_append_str(&md, "# 报价明细\n\n| 序号 | 产品／服务 | 说明 | 金额 |\n"
                                         "|---:|---|---|---:|\n"),
                     BF_OK);
    for (int i = 1; i <= 150; i++)
        assert_int_equal(buf_printf(&md,
                                    "| %d | 软件许可 %d | 含实施、培训与一年运维服务，"
                                    "按合同约定分期交付 | %d,000.00 |\n",
                                    i, i, i),
                         BF_OK);
    pdf_doc d;
    bf_error err = {0};
    pdf_doc_options opt = {.title = "商务报价书"};
    assert_int_equal(pdf_from_markdown(a, md.data, md.len, &opt, &d, &err), BF_OK);
    looks_like_a_pdf(&d);
    assert_true(d.pages > 3);
    arena_free(a);
}

static void typed_text_is_set_as_it_is(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    /* Pango markup, entities, quotes, control characters, broken UTF-8, a
     * cell far wider than the page and a word longer than a line. */
    static const char md[] =
        "# <b>甲</b> & \"乙\"\n\n<span foreground=\"red\">丙</span> &amp; '丁'\x01\x07\x1b 戊 "
        "\xff\xfe\xc3 己\n\n| a | b |\n|---|---|\n| "
        "ThisIsAVeryLongWordWithoutAnySpaceThatCannotBeBrokenAtAWordBoundaryAtAllEverReally"
        "ThisIsAVeryLongWordWithoutAnySpace | \x02 |\n";
    pdf_doc d;
    bf_error err = {0};
    pdf_doc_options opt = {.title = "标题 <i>\x02\xff"};
    assert_int_equal(pdf_from_markdown(a, md, sizeof(md) - 1, &opt, &d, &err), BF_OK);
    looks_like_a_pdf(&d);
    assert_int_equal(d.pages, 1);
    /* Nothing at all is still a page. */
    assert_int_equal(pdf_from_markdown(a, "", 0, NULL, &d, &err), BF_OK);
    looks_like_a_pdf(&d);
    assert_int_equal(d.pages, 1);
    arena_free(a);
}

static void a_row_taller_than_a_page_is_split(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    buf md;
    buf_init(&md, a, 1 << 20);
    assert_int_equal(buf_append_str(&md, "| 项目 | 说明 |\n|---|---|\n| 甲 | "), BF_OK);
    for (int i = 0; i < 600; i++) /* some 6,000 characters in one cell */
        assert_int_equal(buf_append_str(&md, "长单元格里的文字。"), BF_OK);
    assert_int_equal(buf_append_str(&md, " |\n| 乙 | 短 |\n"), BF_OK);
    pdf_doc d;
    bf_error err = {0};
    assert_int_equal(pdf_from_markdown(a, md.data, md.len, NULL, &d, &err), BF_OK);
    looks_like_a_pdf(&d);
    assert_true(d.pages >= 3);
    arena_free(a);
}

static void deep_nesting_keeps_a_column(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    buf md;
    buf_init(&md, a, 1 << 20);
    for (int i = 0; i < 40; i++) /* lists in lists, each a level deeper */
        assert_int_equal(buf_printf(&md, "%*s- 第 %d 层：嵌套的列表项，文字照常换行而不越出页面\n",
                                    2 * i, "", i),
                         BF_OK);
    assert_int_equal(buf_append_str(&md, "\n"), BF_OK);
    for (int i = 0; i < 40; i++)
        assert_int_equal(buf_append_str(&md, "> "), BF_OK);
    assert_int_equal(buf_append_str(&md, "引用中的引用\n"), BF_OK);
    pdf_doc d;
    bf_error err = {0};
    assert_int_equal(pdf_from_markdown(a, md.data, md.len, NULL, &d, &err), BF_OK);
    looks_like_a_pdf(&d);
    assert_true(d.pages >= 1);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_letter_is_one_page),
        cmocka_unit_test(a_long_table_runs_over_pages),
        cmocka_unit_test(typed_text_is_set_as_it_is),
        cmocka_unit_test(a_row_taller_than_a_page_is_split),
        cmocka_unit_test(deep_nesting_keeps_a_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
