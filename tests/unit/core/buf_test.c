/* Unit tests of src/core/buf.c: escaping text for HTML, and the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"

static void html_escapes_what_html_reads(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 1024);
    assert_int_equal(buf_append_html(&b, "<a href=\"x\" title='y'>甲&乙</a>"), BF_OK);
    assert_string_equal(buf_cstr(&b),
                        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;甲&amp;乙&lt;/a&gt;");
    assert_int_equal(buf_append_html(&b, NULL), BF_OK); /* nothing */
    buf small;
    buf_init(&small, a, 8);
    assert_int_equal(buf_append_html(&small, "<<<"), BF_ERR_TOO_LARGE); /* 12 bytes */
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(html_escapes_what_html_reads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
