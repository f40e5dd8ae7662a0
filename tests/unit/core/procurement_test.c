/* Unit tests of src/core/procurement.c: the legal conditions of the five
 * procurement methods (seed 001, 4.1.1), the 10% add-on limit of single
 * source, the three-bidder rule of a tender, and every validation error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/procurement.h"

/* Advice for the facts written as JSON text; fails the test on error. */
static json_t *advise(const char *facts_text)
{
    json_error_t jerr;
    json_t *facts = json_loads(facts_text, 0, &jerr);
    assert_non_null(facts);
    json_t *out = NULL;
    bf_error err;
    bf_error_clear(&err);
    bf_result r = procurement_advise(facts, &out, &err);
    if (r != BF_OK)
        fail_msg("%s: %s %s %s", facts_text, err.code, err.field, err.message);
    json_decref(facts);
    assert_non_null(out);
    return out;
}

/* The entry of method id in advice. */
static json_t *method(json_t *advice, const char *id)
{
    json_t *methods = json_object_get(advice, "methods");
    size_t i;
    json_t *m;
    json_array_foreach(methods, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "method")), id) == 0)
            return m;
    }
    fail_msg("no method %s", id);
    return NULL;
}

static bool allowed(json_t *advice, const char *id)
{
    json_t *v = json_object_get(method(advice, id), "allowed");
    assert_true(json_is_boolean(v));
    return json_is_true(v);
}

/* Whether condition i of method id is met. */
static bool met(json_t *advice, const char *id, size_t i)
{
    json_t *c = json_array_get(json_object_get(method(advice, id), "conditions"), i);
    assert_non_null(c);
    return json_is_true(json_object_get(c, "met"));
}

static const char *recommended(json_t *advice)
{
    return json_string_value(json_object_get(advice, "recommended")); /* NULL when null */
}

static size_t warning_count(json_t *advice)
{
    return json_array_size(json_object_get(advice, "warnings"));
}

/* The warning with code, or NULL. */
static json_t *warning(json_t *advice, const char *code)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(advice, "warnings"), i, w)
    {
        if (strcmp(json_string_value(json_object_get(w, "code")), code) == 0)
            return w;
    }
    return NULL;
}

/* Every method allowed, in the order of procurement_methods. */
static void assert_allowed(json_t *advice, bool pub, bool inv, bool neg, bool single, bool inq)
{
    assert_int_equal(allowed(advice, "public_tender"), pub);
    assert_int_equal(allowed(advice, "invited_tender"), inv);
    assert_int_equal(allowed(advice, "competitive_negotiation"), neg);
    assert_int_equal(allowed(advice, "single_source"), single);
    assert_int_equal(allowed(advice, "inquiry"), inq);
}

static void methods_list_is_the_laws(void **state)
{
    (void)state;
    const char *expected[] = {"public_tender", "invited_tender", "competitive_negotiation",
                              "single_source", "inquiry"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(procurement_methods[i], expected[i]);
    assert_null(procurement_methods[5]);
}

static void no_facts_means_public_tender(void **state)
{
    (void)state;
    json_t *a = advise("{}");
    json_t *methods = json_object_get(a, "methods");
    assert_int_equal(json_array_size(methods), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *m = json_array_get(methods, i);
        assert_string_equal(json_string_value(json_object_get(m, "method")),
                            procurement_methods[i]);
        json_t *name = json_object_get(m, "name");
        assert_true(json_string_length(json_object_get(name, "zh")) > 0);
        assert_true(json_string_length(json_object_get(name, "en")) > 0);
        json_t *c0 = json_array_get(json_object_get(m, "conditions"), 0);
        assert_true(json_string_length(json_object_get(json_object_get(c0, "text"), "zh")) > 0);
        assert_true(json_string_length(json_object_get(json_object_get(c0, "text"), "en")) > 0);
    }
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(method(a, "single_source"), "name"), "zh")),
                        "单一来源采购");
    /* Condition counts follow the seed: 2 (invited), 4 (negotiation), 3
     * (single source), 1 (inquiry); public tender: default + three bidders. */
    assert_int_equal(json_array_size(json_object_get(method(a, "public_tender"), "conditions")), 2);
    assert_int_equal(json_array_size(json_object_get(method(a, "invited_tender"), "conditions")),
                     2);
    assert_int_equal(
        json_array_size(json_object_get(method(a, "competitive_negotiation"), "conditions")), 4);
    assert_int_equal(json_array_size(json_object_get(method(a, "single_source"), "conditions")), 3);
    assert_int_equal(json_array_size(json_object_get(method(a, "inquiry"), "conditions")), 1);

    assert_allowed(a, true, false, false, false, false);
    assert_true(met(a, "public_tender", 0));
    assert_true(met(a, "public_tender", 1));
    assert_string_equal(recommended(a), "public_tender");
    assert_int_equal(warning_count(a), 0);
    json_decref(a);

    /* null is the same as absent */
    a = advise("{\"urgent\": null, \"amount\": null, \"bidders\": null}");
    assert_allowed(a, true, false, false, false, false);
    assert_string_equal(recommended(a), "public_tender");
    json_decref(a);
}

static void invited_tender(void **state)
{
    (void)state;
    json_t *a = advise("{\"special_nature\": true}");
    assert_allowed(a, true, true, false, false, false);
    assert_true(met(a, "invited_tender", 0));
    assert_false(met(a, "invited_tender", 1));
    assert_string_equal(recommended(a), "invited_tender");
    json_decref(a);

    a = advise("{\"tender_cost_disproportionate\": true, \"amount\": 5000000}");
    assert_allowed(a, true, true, false, false, false);
    assert_false(met(a, "invited_tender", 0));
    assert_true(met(a, "invited_tender", 1));
    json_decref(a);

    /* Not allowed: both conditions false, given explicitly. */
    a = advise("{\"special_nature\": false, \"tender_cost_disproportionate\": false}");
    assert_false(allowed(a, "invited_tender"));
    assert_string_equal(recommended(a), "public_tender");
    json_decref(a);
}

static void competitive_negotiation(void **state)
{
    (void)state;
    const char *one_each[] = {
        "{\"no_qualified_bids_before\": true}",
        "{\"technically_complex\": true}",
        "{\"urgent\": true}",
        "{\"price_not_calculable\": true}",
    };
    for (size_t i = 0; i < 4; i++) {
        json_t *a = advise(one_each[i]);
        assert_true(allowed(a, "competitive_negotiation"));
        for (size_t c = 0; c < 4; c++)
            assert_int_equal(met(a, "competitive_negotiation", c), c == i);
        assert_string_equal(recommended(a), "competitive_negotiation");
        json_decref(a);
    }
    /* A tender with no qualified bidder at all counts as "no qualified bid". */
    json_t *a = advise("{\"bidders\": 0}");
    assert_true(allowed(a, "competitive_negotiation"));
    assert_true(met(a, "competitive_negotiation", 0));
    json_decref(a);

    /* Not allowed: a tender with two bidders fails but did get bids; nothing
     * else applies. */
    a = advise("{\"bidders\": 2, \"technically_complex\": false}");
    assert_false(allowed(a, "competitive_negotiation"));
    assert_false(met(a, "competitive_negotiation", 0));
    json_decref(a);
}

static void single_source(void **state)
{
    (void)state;
    json_t *a = advise("{\"only_one_supplier\": true}");
    assert_true(allowed(a, "single_source"));
    assert_true(met(a, "single_source", 0));
    assert_string_equal(recommended(a), "single_source");
    json_decref(a);

    /* One qualified supplier is "only one supplier". */
    a = advise("{\"qualified_suppliers\": 1, \"only_one_supplier\": true}");
    assert_true(met(a, "single_source", 0));
    assert_non_null(warning(a, "few_qualified_suppliers"));
    json_decref(a);
    a = advise("{\"qualified_suppliers\": 1}");
    assert_true(met(a, "single_source", 0));
    json_decref(a);

    /* An unforeseeable emergency: single source and negotiation both allowed;
     * the more competitive negotiation comes first in the law's order. */
    a = advise("{\"urgent\": true}");
    assert_true(allowed(a, "single_source"));
    assert_true(met(a, "single_source", 1));
    assert_string_equal(recommended(a), "competitive_negotiation");
    json_decref(a);

    /* Not allowed: several suppliers, no emergency, no add-on. */
    a = advise("{\"qualified_suppliers\": 5, \"only_one_supplier\": false}");
    assert_false(allowed(a, "single_source"));
    assert_false(met(a, "single_source", 0));
    assert_int_equal(warning_count(a), 0);
    json_decref(a);
}

static void add_on_ten_percent_boundary(void **state)
{
    (void)state;
    /* Original contract 10,000.00 yuan = 1,000,000 fen; 10% = 100,000 fen.
     * 100,000 * 10 = 1,000,000 <= 1,000,000: allowed. */
    json_t *a = advise(
        "{\"add_on\": true, \"original_contract_amount\": 1000000, \"add_on_amount\": 100000}");
    assert_true(allowed(a, "single_source"));
    assert_true(met(a, "single_source", 2));
    assert_string_equal(recommended(a), "single_source");
    assert_null(warning(a, "add_on_over_limit"));
    json_decref(a);

    /* 100,001 * 10 = 1,000,010 > 1,000,000: one fen over, not allowed. */
    a = advise(
        "{\"add_on\": true, \"original_contract_amount\": 1000000, \"add_on_amount\": 100001}");
    assert_false(allowed(a, "single_source"));
    assert_false(met(a, "single_source", 2));
    assert_string_equal(recommended(a), "public_tender");
    json_t *w = warning(a, "add_on_over_limit");
    assert_non_null(w);
    /* 100,001 fen = 1000.01 yuan; 1,000,000 fen = 10000.00; limit 100,000 fen = 1000.00 */
    assert_string_equal(json_string_value(json_object_get(json_object_get(w, "text"), "en")),
                        "The add-on of 1000.01 yuan exceeds 10% of the original contract's "
                        "10000.00 yuan (at most 1000.00 yuan): it cannot be bought single-source");
    assert_non_null(
        strstr(json_string_value(json_object_get(json_object_get(w, "text"), "zh")), "1000.01 元"));
    json_decref(a);

    /* add_on_amount defaults to amount. Original 1,000,005 fen: 10% is
     * 100,000.5 fen; 100,000 * 10 = 1,000,000 <= 1,000,005 allowed,
     * 100,001 * 10 = 1,000,010 > 1,000,005 not. */
    a = advise("{\"add_on\": true, \"original_contract_amount\": 1000005, \"amount\": 100000}");
    assert_true(met(a, "single_source", 2));
    json_decref(a);
    a = advise("{\"add_on\": true, \"original_contract_amount\": 1000005, \"amount\": 100001}");
    assert_false(met(a, "single_source", 2));
    json_decref(a);
    /* add_on_amount wins over amount. */
    a = advise("{\"add_on\": true, \"original_contract_amount\": 1000000, \"amount\": 900000, "
               "\"add_on_amount\": 100000}");
    assert_true(met(a, "single_source", 2));
    json_decref(a);

    /* No overflow at the int64 edge: original 9223372036854775807;
     * 922337203685477580 * 10 = 9223372036854775800 <= it, allowed;
     * 922337203685477581 * 10 = 9223372036854775810 > it, not. */
    a = advise("{\"add_on\": true, \"original_contract_amount\": 9223372036854775807, "
               "\"add_on_amount\": 922337203685477580}");
    assert_true(met(a, "single_source", 2));
    json_decref(a);
    a = advise("{\"add_on\": true, \"original_contract_amount\": 9223372036854775807, "
               "\"add_on_amount\": 922337203685477581}");
    assert_false(met(a, "single_source", 2));
    json_decref(a);

    /* Within the amount but not an add-on: the condition is not met. */
    a = advise("{\"add_on\": false, \"original_contract_amount\": 1000000, \"amount\": 1}");
    assert_false(met(a, "single_source", 2));
    assert_int_equal(warning_count(a), 0);
    json_decref(a);
}

static void inquiry(void **state)
{
    (void)state;
    json_t *a = advise("{\"standard_goods\": true, \"amount\": 80000}");
    assert_allowed(a, true, false, false, false, true);
    assert_true(met(a, "inquiry", 0));
    assert_string_equal(recommended(a), "inquiry");
    json_decref(a);

    a = advise("{\"standard_goods\": false}");
    assert_false(allowed(a, "inquiry"));
    assert_false(met(a, "inquiry", 0));
    json_decref(a);
}

static void fewer_than_three_bidders_fail(void **state)
{
    (void)state;
    /* Two qualified bidders: the tender fails; public and invited tender are
     * barred for this run even though invited tender's condition is met;
     * nothing else applies, so no recommendation (re-tender or change). */
    json_t *a = advise("{\"bidders\": 2, \"special_nature\": true}");
    assert_allowed(a, false, false, false, false, false);
    assert_false(met(a, "public_tender", 1));
    assert_true(met(a, "invited_tender", 0));
    assert_null(recommended(a));
    assert_true(json_is_null(json_object_get(a, "recommended")));
    assert_int_equal(warning_count(a), 1);
    json_t *w = warning(a, "tender_fails");
    assert_non_null(w);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_object_get(w, "text"), "zh")), "废标"));
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(w, "text"), "en")),
                           "Only 2 qualified bidder(s)"));
    json_decref(a);

    /* Two bidders, but the need is urgent: negotiation. */
    a = advise("{\"bidders\": 2, \"urgent\": true}");
    assert_allowed(a, false, false, true, true, false);
    assert_string_equal(recommended(a), "competitive_negotiation");
    json_decref(a);

    /* No qualified bidder: fails, and negotiation's first condition is met. */
    a = advise("{\"bidders\": 0}");
    assert_allowed(a, false, false, true, false, false);
    assert_non_null(warning(a, "tender_fails"));
    assert_string_equal(recommended(a), "competitive_negotiation");
    json_decref(a);

    /* Three is enough. */
    a = advise("{\"bidders\": 3, \"qualified_suppliers\": 2}");
    assert_allowed(a, true, false, false, false, false);
    assert_true(met(a, "public_tender", 1));
    assert_null(warning(a, "tender_fails"));
    assert_null(warning(a, "few_qualified_suppliers")); /* the run itself counts */
    assert_string_equal(recommended(a), "public_tender");
    json_decref(a);
}

static void few_qualified_suppliers_warn(void **state)
{
    (void)state;
    json_t *a = advise("{\"qualified_suppliers\": 2}");
    assert_allowed(a, true, false, false, false, false);
    assert_string_equal(recommended(a), "public_tender");
    assert_int_equal(warning_count(a), 1);
    json_t *w = warning(a, "few_qualified_suppliers");
    assert_non_null(w);
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(w, "text"), "en")),
                           "Only 2 supplier(s)"));
    json_decref(a);

    a = advise("{\"qualified_suppliers\": 3}");
    assert_int_equal(warning_count(a), 0);
    json_decref(a);
}

static void recommendation_follows_the_laws_order(void **state)
{
    (void)state;
    json_t *a = advise("{\"special_nature\": true, \"standard_goods\": true, \"urgent\": true}");
    assert_allowed(a, true, true, true, true, true);
    assert_string_equal(recommended(a), "invited_tender");
    json_decref(a);

    a = advise("{\"only_one_supplier\": true, \"standard_goods\": true}");
    assert_string_equal(recommended(a), "single_source");
    json_decref(a);
}

/* procurement_advise must fail with BF_ERR_INVALID, code and field. */
static void expect_invalid(const char *facts_text, const char *code, const char *field)
{
    json_error_t jerr;
    json_t *facts = json_loads(facts_text, JSON_DECODE_ANY, &jerr);
    assert_non_null(facts);
    json_t *out = (json_t *)&jerr; /* a sentinel: must stay untouched */
    bf_error err;
    bf_error_clear(&err);
    bf_result r = procurement_advise(facts, &out, &err);
    json_decref(facts);
    if (r != BF_ERR_INVALID || strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0)
        fail_msg("%s: got %d %s [%s], want %s [%s]", facts_text, r, err.code, err.field, code,
                 field);
    assert_ptr_equal(out, (json_t *)&jerr);
    assert_true(strlen(err.message) > 0);
}

static void validation_errors(void **state)
{
    (void)state;
    /* The facts themselves */
    expect_invalid("[]", "wrong_type", "");
    expect_invalid("\"facts\"", "wrong_type", "");
    bf_error err;
    json_t *out = NULL;
    assert_int_equal(procurement_advise(NULL, &out, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "wrong_type");
    assert_null(out);

    expect_invalid("{\"budget\": 1}", "unknown_field", "budget");
    expect_invalid("{\"urgent\": true, \"Urgent\": true}", "unknown_field", "Urgent");

    /* Integers: wrong type and out of range */
    const char *ints[] = {"amount", "qualified_suppliers", "original_contract_amount",
                          "add_on_amount", "bidders"};
    char text[128];
    for (size_t i = 0; i < 5; i++) {
        snprintf(text, sizeof(text), "{\"%s\": \"12\"}", ints[i]);
        expect_invalid(text, "wrong_type", ints[i]);
        snprintf(text, sizeof(text), "{\"%s\": 1.5}", ints[i]);
        expect_invalid(text, "wrong_type", ints[i]);
        snprintf(text, sizeof(text), "{\"%s\": true}", ints[i]);
        expect_invalid(text, "wrong_type", ints[i]);
        snprintf(text, sizeof(text), "{\"%s\": -1}", ints[i]);
        expect_invalid(text, "out_of_range", ints[i]);
    }
    /* An original contract of zero is no contract. */
    expect_invalid("{\"original_contract_amount\": 0}", "out_of_range", "original_contract_amount");

    /* Booleans */
    const char *bools[] = {"only_one_supplier",
                           "urgent",
                           "special_nature",
                           "tender_cost_disproportionate",
                           "technically_complex",
                           "price_not_calculable",
                           "no_qualified_bids_before",
                           "standard_goods",
                           "add_on"};
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        snprintf(text, sizeof(text), "{\"%s\": 1}", bools[i]);
        expect_invalid(text, "wrong_type", bools[i]);
        snprintf(text, sizeof(text), "{\"%s\": \"true\"}", bools[i]);
        expect_invalid(text, "wrong_type", bools[i]);
    }

    /* An add-on needs the original contract and its own amount. */
    expect_invalid("{\"add_on\": true, \"add_on_amount\": 1}", "required",
                   "original_contract_amount");
    expect_invalid("{\"add_on\": true, \"original_contract_amount\": 1000}", "required",
                   "add_on_amount");

    /* "Only one supplier" must agree with the count. */
    expect_invalid("{\"only_one_supplier\": true, \"qualified_suppliers\": 2}", "invalid_value",
                   "only_one_supplier");
    expect_invalid("{\"only_one_supplier\": true, \"qualified_suppliers\": 0}", "invalid_value",
                   "only_one_supplier");
    expect_invalid("{\"only_one_supplier\": false, \"qualified_suppliers\": 1}", "invalid_value",
                   "only_one_supplier");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(methods_list_is_the_laws),
        cmocka_unit_test(no_facts_means_public_tender),
        cmocka_unit_test(invited_tender),
        cmocka_unit_test(competitive_negotiation),
        cmocka_unit_test(single_source),
        cmocka_unit_test(add_on_ten_percent_boundary),
        cmocka_unit_test(inquiry),
        cmocka_unit_test(fewer_than_three_bidders_fail),
        cmocka_unit_test(few_qualified_suppliers_warn),
        cmocka_unit_test(recommendation_follows_the_laws_order),
        cmocka_unit_test(validation_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
