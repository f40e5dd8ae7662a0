/* Unit tests of src/core/contract.c: payment plans that add up exactly,
 * their states and refusals, with figures computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/contract.h"

static json_t *plan(const char *milestones, int64_t amount, bf_result expect, bf_error *err)
{
    json_error_t jerr;
    json_t *in = json_loads(milestones, 0, &jerr);
    assert_non_null(in);
    json_t *body = json_pack("{s:o}", "milestones", in), *norm = NULL, *out = NULL;
    bf_error_clear(err);
    assert_int_equal(schema_check(&contract_body_schema, body, &norm, err), BF_OK);
    assert_int_equal(contract_plan(norm, amount, "2026-12-05", &out, err), expect);
    json_decref(body);
    json_decref(norm);
    return out;
}

static int64_t at(json_t *out, size_t k, const char *key)
{
    return json_integer_value(
        json_object_get(json_array_get(json_object_get(out, "milestones"), k), key));
}

/* 30 / 60 / 10 % of 11,300,001 fen: 3,390,000.3 -> 3,390,000; 6,780,000.6
 * -> 6,780,001; the last takes what is left, 1,130,000 (10 % would be
 * 1,130,000.1 -> 1,130,000 too: the sum is exact either way here). */
static void percents_add_up_exactly(void **state)
{
    (void)state;
    bf_error err;
    json_t *out = plan("[{\"name\":\"首期款\",\"percent\":30},{\"name\":\"验收款\",\"percent\":60},"
                       "{\"name\":\"尾款\",\"percent\":10}]",
                       11300001, BF_OK, &err);
    assert_int_equal(at(out, 0, "planned"), 3390000);
    assert_int_equal(at(out, 1, "planned"), 6780001);
    assert_int_equal(at(out, 2, "planned"), 1130000);
    assert_int_equal(json_integer_value(json_object_get(out, "planned_total")), 11300001);
    json_decref(out);
    /* Three thirds of 100 fen: 33.33 % each would be 33 + 33 + 33 = 99; with
     * 33.33 + 33.33 + 33.34 the last takes 34. */
    out = plan("[{\"name\":\"a\",\"percent\":33.33},{\"name\":\"b\",\"percent\":33.33},"
               "{\"name\":\"c\",\"percent\":33.34}]",
               100, BF_OK, &err);
    assert_int_equal(at(out, 0, "planned") + at(out, 1, "planned") + at(out, 2, "planned"), 100);
    assert_int_equal(at(out, 2, "planned"), 34);
    json_decref(out);
}

static void states_and_the_first_payment(void **state)
{
    (void)state;
    bf_error err;
    json_t *out = plan("[{\"name\":\"首期款\",\"amount\":300,\"due_on\":\"2026-12-01\","
                       "\"received_on\":\"2026-12-02\"},"
                       "{\"name\":\"验收款\",\"amount\":600,\"due_on\":\"2026-12-04\"},"
                       "{\"name\":\"尾款\",\"amount\":100,\"invoiced_on\":\"2026-12-03\"}]",
                       1000, BF_OK, &err);
    json_t *ms = json_object_get(out, "milestones");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ms, 0), "state")),
                        "received");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ms, 1), "state")),
                        "overdue");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ms, 2), "state")),
                        "invoiced");
    assert_true(json_is_true(json_object_get(out, "first_payment_received")));
    assert_int_equal(json_integer_value(json_object_get(out, "overdue")), 1);
    assert_int_equal(json_integer_value(json_object_get(out, "received_total")), 300);
    assert_int_equal(json_integer_value(json_object_get(out, "outstanding")), 700);
    json_decref(out);
    /* A part received is not the first payment, and a milestone due today is
     * not overdue yet. */
    out = plan("[{\"name\":\"首期款\",\"amount\":300,\"due_on\":\"2026-12-05\","
               "\"received_on\":\"2026-12-05\",\"received_amount\":299},"
               "{\"name\":\"尾款\",\"amount\":700}]",
               1000, BF_OK, &err);
    assert_false(json_is_true(json_object_get(out, "first_payment_received")));
    assert_int_equal(json_integer_value(json_object_get(out, "overdue")), 0);
    json_decref(out);
}

static void bad_plans_name_the_field(void **state)
{
    (void)state;
    bf_error err;
    plan("[{\"name\":\"a\",\"percent\":50}]", 1000, BF_ERR_INVALID, &err);
    assert_string_equal(err.field, "milestones");
    assert_string_equal(err.code, "plan_mismatch");
    plan("[{\"name\":\"a\",\"percent\":50,\"amount\":500}]", 1000, BF_ERR_INVALID, &err);
    assert_string_equal(err.field, "milestones[0].amount");
    plan("[{\"name\":\"a\",\"amount\":1000},{\"name\":\"b\"}]", 1000, BF_ERR_INVALID, &err);
    assert_string_equal(err.field, "milestones[1].amount");
    plan("[{\"name\":\"a\",\"amount\":1000,\"received_amount\":5}]", 1000, BF_ERR_INVALID, &err);
    assert_string_equal(err.field, "milestones[0].received_on");
    plan("[{\"name\":\"a\",\"amount\":1000,\"received_on\":\"2026-12-01\","
         "\"received_amount\":1001}]",
         1000, BF_ERR_INVALID, &err);
    assert_string_equal(err.field, "milestones[0].received_amount");
    /* No plan at all is a contract without one yet. */
    json_t *out = plan("[]", 1000, BF_OK, &err);
    assert_false(json_is_true(json_object_get(out, "first_payment_received")));
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percents_add_up_exactly),
        cmocka_unit_test(states_and_the_first_payment),
        cmocka_unit_test(bad_plans_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
