/* The review of a proposal: unknown defects, and what passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/proposal.h"

static const template_def defects[] = {{.id = "structure"}, {.id = "evidence"}, {.id = "language"}};

static void unknown_defects_are_named(void **state)
{
    (void)state;
    json_t *form = json_loads("{\"defects\": {\"structure\": {\"absent\": true}, \"weather\": "
                              "{\"absent\": true}}}",
                              0, NULL);
    assert_string_equal(proposal_review_unknown(form, defects, 3), "weather");
    json_object_del(json_object_get(form, "defects"), "weather");
    assert_null(proposal_review_unknown(form, defects, 3));
    json_decref(form);
}

static void passes_only_with_every_defect_absent(void **state)
{
    (void)state;
    json_t *none = proposal_review_evaluate(NULL, defects, 3);
    assert_false(json_is_true(json_object_get(none, "passed")));
    assert_int_equal(json_array_size(json_object_get(none, "open")), 3);
    json_decref(none);
    json_t *form = json_loads("{\"defects\": {\"structure\": {\"absent\": true}, \"evidence\": "
                              "{\"absent\": false, \"note\": \"第三章缺案例\"}, \"language\": "
                              "{\"absent\": true}}}",
                              0, NULL);
    json_t *r = proposal_review_evaluate(form, defects, 3);
    assert_int_equal(json_integer_value(json_object_get(r, "absent")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "open"), 0)),
                        "evidence");
    assert_false(json_is_true(json_object_get(r, "passed")));
    json_decref(r);
    json_object_set_new(json_object_get(json_object_get(form, "defects"), "evidence"), "absent",
                        json_true());
    r = proposal_review_evaluate(form, defects, 3);
    assert_true(json_is_true(json_object_get(r, "passed")));
    assert_int_equal(json_array_size(json_object_get(r, "open")), 0);
    json_decref(r);
    /* A playbook without defects has nothing to pass. */
    r = proposal_review_evaluate(form, defects, 0);
    assert_false(json_is_true(json_object_get(r, "passed")));
    json_decref(r);
    json_decref(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_defects_are_named),
        cmocka_unit_test(passes_only_with_every_defect_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
