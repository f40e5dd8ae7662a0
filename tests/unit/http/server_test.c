/* Unit tests of src/http/server.c: response headers are never dropped
 * silently, and the body length a request announces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/server.h"

static void the_header_beyond_the_limit_is_an_error(void **state)
{
    (void)state;
    http_request req = {0};
    for (int i = 0; i < HTTP_MAX_HEADERS; i++)
        assert_true(http_set_header(&req, "X-Test", "1"));
    assert_false(req.headers_overflow);
    assert_false(http_set_header(&req, "X-One-Too-Many", "1"));
    assert_true(req.headers_overflow);
    assert_int_equal(req.nheaders, HTTP_MAX_HEADERS);
}

static void an_in_process_request_announces_its_body(void **state)
{
    (void)state;
    http_local local = {0};
    http_request req = {.local = &local};
    arena *a = arena_new(0);
    assert_non_null(a);
    buf_init(&req.body, a, 100);
    uint64_t n = 7;
    assert_false(http_has_body(&req, &n));
    assert_int_equal(n, 0);
    assert_int_equal(buf_append_str(&req.body, "{\"a\":1}"), BF_OK);
    assert_true(http_has_body(&req, &n));
    assert_int_equal(n, 7);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_header_beyond_the_limit_is_an_error),
        cmocka_unit_test(an_in_process_request_announces_its_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
