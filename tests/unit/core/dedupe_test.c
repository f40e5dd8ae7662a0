/* Unit tests of src/core/dedupe.c: the keys duplicates are found by. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/dedupe.h"

static void key_is(arena *a, const char *name, const char *want)
{
    char *k = dedupe_name_key(a, name);
    assert_non_null(k);
    assert_string_equal(k, want);
}

static void names_typed_differently_have_one_key(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    assert_non_null(a);
    const char *same[] = {"江南市第一人民医院", "江南市 第一人民医院", "江南市第一人民医院　",
                          "（江南市）第一人民医院", "[江南市]第一人民医院"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        key_is(a, same[i], "江南市第一人民医院");

    key_is(a, "杭州云栖科技有限责任公司", "杭州云栖科技有限公司");
    key_is(a, "杭州云栖科技（集团）有限公司", "杭州云栖科技集团有限公司");
    key_is(a, "ＡＢＣ　Ｓｏｆｔ", "abcsoft");
    key_is(a, "ABC Soft Co., Ltd.", "abcsoftcoltd");
    key_is(a, "abc·soft", "abcsoft");
    key_is(a, "【华东】 电网", "华东电网");
    key_is(a, "  （ ）  ", "");

    /* Different names stay different. */
    char *one = dedupe_name_key(a, "江南市第一人民医院");
    char *two = dedupe_name_key(a, "江南市第二人民医院");
    assert_string_not_equal(one, two);

    /* A byte that is not UTF-8 is kept, not lost. */
    key_is(a,
           "ab\xff"
           "c",
           "ab\xff"
           "c");
    arena_free(a);
}

static void credit_codes_are_normalised_and_checked(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    assert_non_null(a);
    char *c = dedupe_credit_code_normalize(a, " 91350100m000100y43 ");
    assert_string_equal(c, "91350100M000100Y43");
    assert_true(dedupe_credit_code_valid(c));
    c = dedupe_credit_code_normalize(a, "９１１１００００８０２１００４３３Ｂ");
    assert_string_equal(c, "91110000802100433B");
    assert_true(dedupe_credit_code_valid(c));

    assert_false(dedupe_credit_code_valid("91350100M000100Y44")); /* wrong check */
    assert_false(dedupe_credit_code_valid("91350100M000100Y4"));  /* 17 characters */
    assert_false(dedupe_credit_code_valid("91350100I000100Y43")); /* I is not used */
    assert_false(dedupe_credit_code_valid(""));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_typed_differently_have_one_key),
        cmocka_unit_test(credit_codes_are_normalised_and_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
