/* Unit tests of src/core/docx.c: a Markdown document's Word parts, the
 * text escaped for XML, control characters dropped, tables and headings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/docx.h"

static const char *part(const docx_parts *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0) {
            assert_int_equal(strlen(p->texts[i]), p->lens[i]);
            return p->texts[i];
        }
    fail_msg("no part %s", name);
    return NULL;
}

static void parts_of_a_document(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    static const char md[] = "# 报价书\n\n尊敬的 **王总** 与 *李工*：\n\n- 第一项\n- 第二项\n\n"
                             "| 名称 | 金额 |\n|---|---|\n| 财务模块 | 1,000.00 |\n";
    docx_parts p;
    assert_int_equal(docx_from_markdown(a, md, sizeof(md) - 1, "报价书 <草稿>", &p), BF_OK);
    assert_int_equal(p.n, 7);
    const char *doc = part(&p, "word/document.xml");
    assert_non_null(strstr(doc, "<w:pStyle w:val=\"Heading1\"/>"));
    assert_non_null(strstr(doc, "<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">王总</w:t>"));
    assert_non_null(strstr(doc, "<w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">李工</w:t>"));
    assert_non_null(strstr(doc, "• "));
    assert_non_null(strstr(doc, "<w:tblHeader/>"));
    assert_non_null(strstr(doc, ">财务模块<"));
    assert_non_null(strstr(part(&p, "word/header1.xml"), "报价书 &lt;草稿&gt;"));
    assert_non_null(strstr(part(&p, "word/styles.xml"), "w:eastAsia=\"SimSun\""));
    assert_non_null(strstr(part(&p, "word/footer1.xml"), " PAGE "));
    arena_free(a);
}

static void typed_text_cannot_break_the_xml(void **state)
{
    (void)state;
    arena *a = arena_new(64 * 1024);
    static const char md[] = "甲 \\<w:p\\> & \"乙\" '丙'\x01\x0b 丁\n\n<script>x</script>\n";
    docx_parts p;
    assert_int_equal(docx_from_markdown(a, md, sizeof(md) - 1, "标题\x02", &p), BF_OK);
    const char *doc = part(&p, "word/document.xml");
    assert_non_null(strstr(doc, "甲 &lt;w:p&gt; &amp; &quot;乙&quot; &apos;丙&apos; 丁"));
    assert_null(strchr(doc, '\x01'));
    assert_null(strchr(doc, '\x0b'));
    assert_null(strstr(doc, "script"));                        /* raw HTML left out */
    assert_null(strchr(part(&p, "word/header1.xml"), '\x02')); /* the title too */
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parts_of_a_document),
        cmocka_unit_test(typed_text_cannot_break_the_xml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
