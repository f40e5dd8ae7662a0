/* Approvals' rules: levels by amount, and the check of the setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/approval.h"

static void kinds_parse_by_name(void **state)
{
    (void)state;
    approval_kind k;
    assert_true(approval_kind_parse("override", &k));
    assert_int_equal(k, APPROVAL_OVERRIDE);
    assert_true(approval_kind_parse("sales_mode", &k));
    assert_int_equal(k, APPROVAL_SALES_MODE);
    assert_true(approval_kind_parse("discount", &k));
    assert_int_equal(k, APPROVAL_DISCOUNT);
    assert_false(approval_kind_parse("rebate", &k));
    assert_false(approval_kind_parse(NULL, &k));
    /* A discount is asked by submitting a quotation, not on a deal's route. */
    for (size_t i = 0; approval_request_kinds[i]; i++)
        assert_string_not_equal(approval_request_kinds[i], "discount");
}

static void levels_follow_the_amount(void **state)
{
    (void)state;
    json_t *from = json_pack("[i, I, I]", 0, (json_int_t)100000000, (json_int_t)1000000000);
    assert_int_equal(approval_levels_for(0, from), 1);
    assert_int_equal(approval_levels_for(99999999, from), 1);
    assert_int_equal(approval_levels_for(100000000, from), 2); /* at the threshold */
    assert_int_equal(approval_levels_for(999999999, from), 2);
    assert_int_equal(approval_levels_for(5000000000, from), 3);
    json_decref(from);
    /* No setting, or one level: always one. */
    assert_int_equal(approval_levels_for(5000000000, NULL), 1);
    json_t *one = json_pack("[i]", 0);
    assert_int_equal(approval_levels_for(5000000000, one), 1);
    json_decref(one);
}

static void the_setting_is_checked(void **state)
{
    (void)state;
    json_t *def = approval_default_rules();
    bf_error err;
    assert_int_equal(approval_rules_validate(def, &err), BF_OK);
    json_decref(def);
    struct {
        const char *json;
        const char *field;
    } bad[] = {
        {"{\"levels_from\": [5]}", "levels_from[0]"},
        {"{\"levels_from\": [0, 10, 10]}", "levels_from[2]"},
        {"{\"levels_from\": [0, 10, 5]}", "levels_from[2]"},
        {"{\"levels_from\": []}", "levels_from"},
        {"{\"levels_from\": [0, 1, 2, 3, 4, 5]}", "levels_from"},
        {"{\"levels_from\": [0, 1.5]}", "levels_from[1]"},
        {"{}", "levels_from"},
        {"{\"levels_from\": [0], \"x\": 1}", "x"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = json_loads(bad[i].json, 0, NULL);
        assert_non_null(v);
        assert_int_equal(approval_rules_validate(v, &err), BF_ERR_INVALID);
        assert_string_equal(err.field, bad[i].field);
        json_decref(v);
    }
    json_t *good = json_loads("{\"levels_from\": [0, 100, 1000]}", 0, NULL);
    assert_int_equal(approval_rules_validate(good, &err), BF_OK);
    json_decref(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_parse_by_name),
        cmocka_unit_test(levels_follow_the_amount),
        cmocka_unit_test(the_setting_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
