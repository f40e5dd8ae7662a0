/* Unit tests of src/core/pricing.c: the discount levels of the quotation
 * settings, and their checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/pricing.h"

static void levels_follow_the_thresholds(void **state)
{
    (void)state;
    json_t *rules = pricing_default_rules();
    assert_int_equal(pricing_discount_levels(0, rules), 0);
    assert_int_equal(pricing_discount_levels(1000, rules), 0); /* at 10 %: the salesperson's */
    assert_int_equal(pricing_discount_levels(1001, rules), 1); /* above: the manager */
    assert_int_equal(pricing_discount_levels(2000, rules), 1);
    assert_int_equal(pricing_discount_levels(2001, rules), 2); /* above 20 %: the director too */
    assert_int_equal(pricing_discount_levels(10000, rules), 2);
    assert_false(pricing_sales_see_cost(rules));
    json_decref(rules);
    rules =
        json_pack("{s:b, s:[f, i, i]}", "sales_see_cost", 1, "discount_levels_above", 5.5, 15, 30);
    assert_int_equal(pricing_discount_levels(550, rules), 0);
    assert_int_equal(pricing_discount_levels(551, rules), 1);
    assert_int_equal(pricing_discount_levels(3001, rules), 3);
    assert_true(pricing_sales_see_cost(rules));
    json_decref(rules);
}

static void thresholds_must_ascend(void **state)
{
    (void)state;
    bf_error err = {0};
    json_t *rules = json_pack("{s:[i, i]}", "discount_levels_above", 20, 10);
    assert_int_equal(pricing_rules_validate(rules, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "discount_levels_above[1]");
    json_decref(rules);
    rules = json_pack("{s:[i]}", "discount_levels_above", 101);
    assert_int_equal(pricing_rules_validate(rules, &err), BF_ERR_INVALID);
    json_decref(rules);
    rules = json_pack("{s:[]}", "discount_levels_above"); /* no approvals at all */
    assert_int_equal(pricing_rules_validate(rules, &err), BF_OK);
    assert_int_equal(pricing_discount_levels(10000, rules), 0);
    json_decref(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels_follow_the_thresholds),
        cmocka_unit_test(thresholds_must_ascend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
