/* Unit tests of src/core/tender.c: defaults, date order, the failing public
 * tender and errors named inside the advisor's facts and the scheme. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/tender.h"

static bf_result check(const char *text, json_t **out, bf_error *err)
{
    json_t *in = json_loads(text, 0, NULL);
    assert_non_null(in);
    bf_error_clear(err);
    *out = NULL;
    bf_result r = tender_validate(in, out, err);
    json_decref(in);
    return r;
}

static void defaults_and_evaluation(void **state)
{
    (void)state;
    json_t *t;
    bf_error err;
    assert_int_equal(check("{\"procurement_method\":\"public_tender\",\"number\":\"JN-1\","
                           "\"facts\":null,"
                           "\"opening_record\":[{\"bidder\":\"我方\",\"price\":100},"
                           "{\"bidder\":\"A\",\"price\":90}]}",
                           &t, &err),
                     BF_OK);
    /* No tasks given: the ten bid steps, none done; result pending. */
    assert_int_equal(json_array_size(json_object_get(t, "tasks")), 10);
    assert_string_equal(json_string_value(json_object_get(t, "result")), "pending");
    assert_null(json_object_get(t, "facts")); /* null is "not given" */
    json_t *e = tender_evaluate(t);
    assert_int_equal(json_integer_value(json_object_get(e, "tasks_total")), 10);
    assert_int_equal(json_integer_value(json_object_get(e, "tasks_done")), 0);
    /* Two bidders at a public tender's opening: the tender fails. */
    json_t *w = json_array_get(json_object_get(e, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w, "code")), "tender_fails");
    json_decref(e);
    json_decref(t);
}

static void errors_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *body, *field, *code;
    } cases[] = {
        {"{\"procurement_method\":\"lottery\"}", "procurement_method", "invalid_value"},
        {"{\"dates\":{\"submission\":\"2027-01-25\",\"opening\":\"2027-01-20\"}}", "dates.opening",
         "out_of_order"},
        {"{\"dates\":{\"qa\":\"2027-02-30\"}}", "dates.qa", "invalid_date"},
        {"{\"tasks\":[{\"step\":\"密封\"},\"装订\"]}", "tasks[1]", "wrong_type"},
        {"{\"opening_record\":[{\"bidder\":\"A\"}]}", "opening_record[0].price", "required"},
        {"{\"opening_record\":[{\"bidder\":\"A\",\"price\":-1}]}", "opening_record[0].price",
         "negative"},
        {"{\"result\":\"maybe\"}", "result", "invalid_value"},
        {"{\"colour\":\"red\"}", "colour", "unknown_field"},
        {"{\"scheme\":{\"weights\":{\"business\":10,\"price\":10,\"technical\":10,\"service\":10},"
         "\"bidders\":[]}}",
         "scheme.weights", "weights_sum"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *t;
        bf_error err;
        assert_int_equal(check(cases[i].body, &t, &err), BF_ERR_INVALID);
        assert_null(t);
        assert_string_equal(err.field, cases[i].field);
        assert_string_equal(err.code, cases[i].code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_evaluation),
        cmocka_unit_test(errors_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
