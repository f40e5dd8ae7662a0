/* Unit tests of src/core/deal_facts.c: the shared facts taken out of a
 * worksheet and shown in it, and MAN's answers following MANT's data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/deal_facts.h"
#include "core/mant.h"
#include "core/qualification.h"

static json_t *J(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (j == NULL)
        fprintf(stderr, "bad test JSON: %s: %s\n", jerr.text, text);
    assert_non_null(j);
    return j;
}

static void assert_json(json_t *got, const char *want_text)
{
    json_t *want = J(want_text);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
        fprintf(stderr, "got  %s\nwant %s\n", g, want_text);
        free(g);
    }
    assert_true(json_equal(got, want));
    json_decref(want);
}

static void take_moves_facts_out_of_the_form(void **state)
{
    (void)state;
    json_t *form = J("{\"money\": {\"budget\": 500, \"source\": \"自筹\"},"
                     " \"facts\": {\"competitors\": [\"华为\"], \"budget\": 700}}");
    json_t *facts = deal_facts_take(form);
    /* The "facts" member wins over MANT's money.budget. */
    assert_json(facts, "{\"budget\": 700, \"competitors\": [\"华为\"]}");
    assert_json(form, "{\"money\": {\"source\": \"自筹\"}}");
    json_decref(facts);
    json_decref(form);

    form = J("{\"motive\": \"旧系统\"}");
    facts = deal_facts_take(form);
    assert_json(facts, "{}");
    assert_json(form, "{\"motive\": \"旧系统\"}");
    json_decref(facts);
    json_decref(form);
}

static void null_clears_a_fact(void **state)
{
    (void)state;
    /* The body's null is kept through validation: it clears, not "not given". */
    json_t *body = J("{\"budget\": null, \"expected_close\": null, \"competitors\": null}");
    json_t *norm = NULL;
    bf_error err = {0};
    assert_int_equal(schema_check(&deal_facts_schema, body, &norm, &err), BF_OK);
    assert_json(norm, "{\"budget\": null, \"expected_close\": null, \"competitors\": null}");
    json_t *form = json_pack("{s:O}", "facts", norm);
    json_t *facts = deal_facts_take(form);
    /* A list null is the empty list; the budget and the date stay null. */
    assert_json(facts, "{\"budget\": null, \"expected_close\": null, \"competitors\": []}");
    assert_json(form, "{}");
    json_decref(facts);
    json_decref(form);
    json_decref(norm);
    json_decref(body);
    /* Left out stays left out. */
    body = J("{\"decision_makers\": []}");
    assert_int_equal(schema_check(&deal_facts_schema, body, &norm, &err), BF_OK);
    assert_json(norm, "{\"decision_makers\": []}");
    json_decref(norm);
    json_decref(body);
    /* The OpenAPI document says a member may be null. */
    json_t *doc = schema_to_json(&deal_facts_schema, false);
    assert_json(
        json_object_get(json_object_get(json_object_get(doc, "properties"), "budget"), "type"),
        "[\"integer\", \"null\"]");
    json_decref(doc);
}

static void show_puts_the_home_budget_in_mant(void **state)
{
    (void)state;
    json_t *facts = J("{\"budget\": 900, \"competitors\": []}");
    json_t *form = J("{\"money\": {\"budget\": 1, \"source\": \"自筹\"}}");
    assert_true(deal_facts_show(form, "mant", facts));
    assert_json(form, "{\"money\": {\"budget\": 900, \"source\": \"自筹\"}}");
    json_decref(form);
    json_decref(facts);
    facts = J("{\"budget\": null}");
    form = J("{\"money\": {\"budget\": 1}}");
    assert_true(deal_facts_show(form, "mant", facts));
    assert_json(form, "{\"money\": {}}");
    /* Other worksheets keep their data as it is. */
    json_t *w = J("{\"budget\": \"约 800 万\"}");
    assert_true(deal_facts_show(w, "5w2p", facts));
    assert_json(w, "{\"budget\": \"约 800 万\"}");
    assert_true(deal_facts_show(NULL, "mant", facts));
    json_decref(w);
    json_decref(form);
    json_decref(facts);
}

static const char *const approvers[] = {"王总", NULL};
static const char *const makers[] = {"李处", NULL};
static const char *const evaluators[] = {"张工", NULL};
static const char *const coaches[] = {"周工", NULL};
static const char *const none[] = {NULL};

static void man_follows_mant(void **state)
{
    (void)state;
    mant_authority full = {approvers, makers, evaluators, coaches};
    mant_authority empty = {none, none, none, none};
    json_t *hand = J("{\"money\": {\"answer\": \"no\"}, \"authority\": {\"answer\": \"no\"},"
                     " \"need\": {\"answer\": \"yes\", \"evidence\": \"见过\"}}");

    /* MANT complete: MAN is M+A+N whatever was said by hand. */
    json_t *form = J("{\"money\": {\"budget\": 100, \"source\": \"财政\", \"approved\": true,"
                     " \"in_place\": true}, \"needs\": [\"一\", \"二\", \"三\"],"
                     " \"time\": {\"tender_month\": \"2027-01\", \"go_live\": \"2027-06-30\"}}");
    json_t *mant = mant_evaluate(form, &full);
    assert_true(json_is_true(json_object_get(mant, "complete")));
    json_t *man = man_from_facts(hand, mant);
    json_t *res = evaluation_result(man, NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(res, "man"), "class")),
                        "M+A+N");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(man, "need"), "evidence")), "见过");
    json_t *src = man_answer_sources(mant);
    assert_json(src, "{\"money\": \"facts\", \"authority\": \"facts\", \"need\": \"facts\"}");
    json_decref(src);
    json_decref(res);
    json_decref(man);
    json_decref(mant);
    json_decref(form);

    /* MANT's money part not complete: the form's answers stand, a "no" as
     * well as a "yes" (MAN is the looser test); no part comes from the data. */
    json_t *yes = J("{\"money\": {\"answer\": \"yes\"}, \"authority\": {\"answer\": \"yes\"},"
                    " \"need\": {\"answer\": \"yes\"}}");
    form = J("{\"money\": {\"budget\": 100}, \"needs\": [\"一\", \"二\", \"三\"]}");
    mant = mant_evaluate(form, &empty);
    man = man_from_facts(yes, mant);
    assert_true(json_equal(man, yes));
    json_decref(man);
    man = man_from_facts(hand, mant);
    assert_json(man, "{\"money\": {\"answer\": \"no\"}, \"authority\": {\"answer\": \"no\"},"
                     " \"need\": {\"answer\": \"yes\", \"evidence\": \"见过\"}}");
    src = man_answer_sources(mant);
    assert_json(src, "{\"money\": \"form\", \"authority\": \"form\", \"need\": \"facts\"}");
    json_decref(src);
    json_decref(man);
    /* Never saved: the parts the data answers. */
    man = man_from_facts(NULL, mant);
    assert_json(man, "{\"need\": {\"answer\": \"yes\"}}");
    json_decref(man);
    json_decref(mant);
    json_decref(form);
    json_decref(yes);
    json_decref(hand);
}

static void w5p2_counts_shared_facts(void **state)
{
    (void)state;
    json_t *facts = J("{\"budget\": 800, \"competitors\": [], \"decision_makers\": [\"李处\"],"
                      " \"expected_close\": null}");
    json_t *r = w5p2_evaluate(NULL, facts);
    /* The budget and the decision maker answer their questions; an empty
     * list and a null do not. */
    assert_int_equal(json_integer_value(json_object_get(r, "answered")), 2);
    json_t *q = json_array_get(json_object_get(r, "questions"), 5);
    assert_string_equal(json_string_value(json_object_get(q, "id")), "budget");
    assert_string_equal(json_string_value(json_object_get(q, "shared")), "budget");
    assert_int_equal(json_integer_value(json_object_get(q, "fact")), 800);
    q = json_array_get(json_object_get(r, "questions"), 4);
    assert_true(json_is_null(json_object_get(q, "fact")));
    /* A question no fact answers names none. */
    q = json_array_get(json_object_get(r, "questions"), 0);
    assert_true(json_is_null(json_object_get(q, "shared")));
    json_decref(r);
    json_decref(facts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_moves_facts_out_of_the_form),  cmocka_unit_test(null_clears_a_fact),
        cmocka_unit_test(show_puts_the_home_budget_in_mant), cmocka_unit_test(man_follows_mant),
        cmocka_unit_test(w5p2_counts_shared_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
