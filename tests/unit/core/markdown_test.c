/* Unit tests of src/core/markdown.c: tables and emphasis become HTML, raw
 * HTML and unsafe links do not, and an escaped value reads back as itself
 * whatever Markdown it looks like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/markdown.h"

static const char *html_of(arena *a, const char *md)
{
    const char *out;
    size_t n;
    assert_int_equal(markdown_to_html(a, md, strlen(md), &out, &n), BF_OK);
    assert_int_equal(strlen(out), n);
    return out;
}

static void tables_and_emphasis(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    const char *h = html_of(
        a, "# 报价\n\n| 名称 | 金额 |\n|---|---:|\n| 财务模块 | 1,000.00 |\n\n**粗** *斜*\n");
    assert_non_null(strstr(h, "<h1>报价</h1>"));
    assert_non_null(strstr(h, "<th>名称</th>"));
    assert_non_null(strstr(h, "<td align=\"right\">1,000.00</td>"));
    assert_non_null(strstr(h, "<strong>粗</strong> <em>斜</em>"));
    arena_free(a);
}

static void raw_html_and_unsafe_links_never_pass(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    const char *h = html_of(a, "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x "
                               "onerror=alert(1)>\n");
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<img"));
    assert_null(strstr(h, "javascript:"));
    arena_free(a);
}

/* Whatever a value holds, escaped it reads back as a paragraph of itself. */
static void escaped_values_read_as_themselves(void **state)
{
    (void)state;
    static const struct {
        const char *value, *html;
    } cases[] = {
        {"# 不是标题", "<p># 不是标题</p>\n"},
        {"- 不是列表", "<p>- 不是列表</p>\n"},
        {"1. 不是列表", "<p>1. 不是列表</p>\n"},
        {"a | b | c", "<p>a | b | c</p>\n"},
        {"**不粗** _不斜_ `不是代码`", "<p>**不粗** _不斜_ `不是代码`</p>\n"},
        {"[链接](javascript:x)", "<p>[链接](javascript:x)</p>\n"},
        {"<b>标签</b> & \"引号\"", "<p>&lt;b&gt;标签&lt;/b&gt; &amp; &quot;引号&quot;</p>\n"},
        {"第一行\n第二行", "<p>第一行<br />\n第二行</p>\n"},
        {"C:\\路径\\", "<p>C:\\路径\\</p>\n"},
    };
    arena *a = arena_new(16384);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf b;
        buf_init(&b, a, 4096);
        assert_int_equal(markdown_escape(&b, cases[i].value, strlen(cases[i].value)), BF_OK);
        const char *h = html_of(a, buf_cstr(&b));
        if (strcmp(h, cases[i].html) != 0)
            fail_msg("%s: got %s", cases[i].value, h);
    }
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_and_emphasis),
        cmocka_unit_test(raw_html_and_unsafe_links_never_pass),
        cmocka_unit_test(escaped_values_read_as_themselves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
