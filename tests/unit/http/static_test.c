/* Unit tests of src/http/static.c: which file answers a path, and the paths
 * that could leave the directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "http/static.h"

static void files_and_client_routes(void **state)
{
    (void)state;
    assert_string_equal(http_static_file_of("/"), "/index.html");
    assert_string_equal(http_static_file_of("/index.html"), "/index.html");
    assert_string_equal(http_static_file_of("/assets/app-1a2b.js"), "/assets/app-1a2b.js");
    assert_string_equal(http_static_file_of("/opportunities/opp_1"), "/index.html");
    assert_string_equal(http_static_file_of("/assets/"), "/index.html");
}

static void paths_out_of_the_directory(void **state)
{
    (void)state;
    const char *bad[] = {"",           "index.html",     "/..",        "/../secret.txt",
                         "/assets/..", "/./index.html",  "/.env",      "//secret.txt",
                         "/a//b.js",   "/assets\\..\\x", "/a/.hidden", NULL};
    for (size_t i = 0; bad[i] != NULL; i++)
        assert_null(http_static_file_of(bad[i]));
}

static void content_types(void **state)
{
    (void)state;
    assert_string_equal(http_static_content_type("/index.html"), "text/html; charset=utf-8");
    assert_string_equal(http_static_content_type("/assets/a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(http_static_content_type("/a.d/file"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_and_client_routes),
        cmocka_unit_test(paths_out_of_the_directory),
        cmocka_unit_test(content_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
