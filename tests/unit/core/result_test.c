/* Unit tests of src/core/result.c: an error's code, field and message, and
 * the values it names for the catalogue of messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/result.h"

static void fail_fills_the_error(void **state)
{
    (void)state;
    bf_error e;
    assert_int_equal(bf_fail(&e, BF_ERR_INVALID, "too_long", "name", "%s is too long", "name"),
                     BF_ERR_INVALID);
    assert_string_equal(e.code, "too_long");
    assert_string_equal(e.field, "name");
    assert_string_equal(e.message, "name is too long");
    bf_fail(&e, BF_ERR_NOT_FOUND, NULL, NULL, "gone");
    assert_string_equal(e.code, "not_found");
    assert_string_equal(e.field, "");
    assert_int_equal(bf_fail(NULL, BF_ERR_BUSY, NULL, NULL, "x"), BF_ERR_BUSY);
}

static void args_are_kept_by_name(void **state)
{
    (void)state;
    bf_error e;
    bf_fail_args(&e, BF_ERR_INVALID, "bulk_refused", "ids",
                 BF_ARGS(BF_NUM("refused", 2), BF_NUM("total", -5), BF_TEXT("name", "张三"),
                         BF_PHRASE("why", "yes_no")),
                 "2 of 5");
    assert_string_equal(bf_error_arg_get(&e, "refused")->value, "2");
    assert_string_equal(bf_error_arg_get(&e, "total")->value, "-5");
    assert_string_equal(bf_error_arg_get(&e, "name")->value, "张三");
    assert_false(bf_error_arg_get(&e, "name")->phrase);
    assert_true(bf_error_arg_get(&e, "why")->phrase);
    assert_null(bf_error_arg_get(&e, "max"));
    /* one of the same name is replaced */
    bf_error_arg_add(&e, BF_NUM("total", 7));
    assert_string_equal(bf_error_arg_get(&e, "total")->value, "7");
    /* a later failure names only its own */
    bf_fail(&e, BF_ERR_INVALID, "required", "name", "name is required");
    assert_null(bf_error_arg_get(&e, "refused"));
    assert_string_equal(e.args[0].name, "");
}

static void args_are_bounded(void **state)
{
    (void)state;
    bf_error e;
    bf_fail(&e, BF_ERR_INVALID, "x", NULL, "x");
    static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g"};
    for (size_t i = 0; i < 7; i++)
        bf_error_arg_add(&e, BF_NUM(names[i], i));
    assert_non_null(bf_error_arg_get(&e, "e"));
    assert_null(bf_error_arg_get(&e, "f")); /* beyond BF_ERROR_ARGS */
    /* a long text is cut at a whole character */
    char text[200];
    memset(text, 0, sizeof(text));
    for (size_t i = 0; i + 3 < sizeof(text); i += 3)
        memcpy(text + i, "长", 3);
    bf_fail_args(&e, BF_ERR_INVALID, "x", NULL, BF_ARGS(BF_TEXT("v", text)), "x");
    const char *v = bf_error_arg_get(&e, "v")->value;
    assert_true(strlen(v) < sizeof(e.args[0].value));
    assert_int_equal(strlen(v) % 3, 0);
    assert_int_equal(strncmp(v, text, strlen(v)), 0);
    /* no name, no arg */
    bf_fail(&e, BF_ERR_INVALID, "x", NULL, "x");
    bf_error_arg_add(&e, BF_NUM(NULL, 1));
    bf_error_arg_add(&e, BF_NUM("", 1));
    bf_error_arg_add(NULL, BF_NUM("a", 1));
    assert_string_equal(e.args[0].name, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fail_fills_the_error),
        cmocka_unit_test(args_are_kept_by_name),
        cmocka_unit_test(args_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
