/* Unit tests of src/core/selection.c: the selection scoring table (选型评分表). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/selection.h"

/* Validates text, which must pass, and evaluates it. */
static json_t *evaluate(const char *text)
{
    json_t *in = json_loads(text, 0, NULL);
    assert_non_null(in);
    json_t *form = NULL;
    bf_error err;
    bf_error_clear(&err);
    if (selection_validate(in, &form, &err) != BF_OK)
        fail_msg("unexpected: %s %s %s", err.field, err.code, err.message);
    json_t *out = selection_evaluate(form);
    assert_non_null(out);
    json_decref(form);
    json_decref(in);
    return out;
}

static void assert_points(json_t *p, const char *value, long long hundredths)
{
    assert_string_equal(json_string_value(json_object_get(p, "value")), value);
    assert_int_equal(json_integer_value(json_object_get(p, "hundredths")), hundredths);
}

static void assert_vendor(json_t *out, size_t i, const char *name, bool us, const char *value,
                          long long hundredths, int rank)
{
    json_t *v = json_array_get(json_object_get(out, "vendors"), i);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "name")), name);
    assert_int_equal(json_is_true(json_object_get(v, "us")), us);
    assert_points(json_object_get(v, "total"), value, hundredths);
    assert_int_equal(json_integer_value(json_object_get(v, "rank")), rank);
}

/* Weights business 20, price 30, technical 40, service 10; total = Σ w × s / 10.
 *   我方:   20×8 + 30×7.5 + 40×9 + 10×8.5  = 160 + 225 + 360 + 85   = 830 / 10 = 83.00
 *   甲公司: 20×9 + 30×8 + 40×8.25 + 10×9   = 180 + 240 + 330 + 90   = 840 / 10 = 84.00
 *   乙公司: 20×7 + 30×9.5 + 40×8 + 10×7.35 = 140 + 285 + 320 + 73.5 = 818.5 / 10 = 81.85
 *   ranks 甲 1, 我方 2, 乙 3; gap 84.00 − 83.00 = 1.00 */
static void we_are_second(void **state)
{
    (void)state;
    json_t *out = evaluate(
        "{\"criteria\": ["
        "{\"id\": \"business\", \"name\": \"商务\", \"weight\": 20},"
        "{\"id\": \"price\", \"name\": \"价格\", \"weight\": 30},"
        "{\"id\": \"technical\", \"name\": \"技术\", \"weight\": 40},"
        "{\"id\": \"service\", \"name\": \"服务\", \"weight\": 10}],"
        "\"vendors\": ["
        "{\"name\": \"我方\", \"us\": true, \"scores\": {\"business\": 8, \"price\": 7.5,"
        " \"technical\": 9, \"service\": 8.5}},"
        "{\"name\": \"乙公司\", \"scores\": {\"service\": 7.35, \"business\": 7, \"price\": 9.5,"
        " \"technical\": 8}},"
        "{\"name\": \"甲公司\", \"us\": false, \"scores\": {\"business\": 9, \"price\": 8,"
        " \"technical\": 8.25, \"service\": 9}}]}");
    assert_vendor(out, 0, "甲公司", false, "84.00", 8400, 1);
    assert_vendor(out, 1, "我方", true, "83.00", 8300, 2);
    assert_vendor(out, 2, "乙公司", false, "81.85", 8185, 3);
    assert_string_equal(json_string_value(json_object_get(out, "leader")), "甲公司");
    assert_int_equal(json_integer_value(json_object_get(out, "us_rank")), 2);
    assert_points(json_object_get(out, "gap_to_leader"), "1.00", 100);
    json_decref(out);
}

/* Ties share a rank and are ordered by name; the next rank skips (1, 1, 3).
 *   weights a 50, b 50
 *   Alpha: 50×8 + 50×6 = 700 / 10 = 70.00     Beta: 50×6 + 50×8 = 70.00
 *   Us:    50×10 + 50×10 = 100.00             Zeta: 50×0 + 50×0 = 0.00
 *   order Us 100 (1), Alpha 70 (2), Beta 70 (2), Zeta 0 (4); we lead, gap 0.00 */
static void ties_share_a_rank(void **state)
{
    (void)state;
    json_t *out = evaluate("{\"vendors\": ["
                           "{\"name\": \"Zeta\", \"scores\": {\"a\": 0, \"b\": 0.0}},"
                           "{\"name\": \"Beta\", \"scores\": {\"a\": 6, \"b\": 8}},"
                           "{\"name\": \"Alpha\", \"scores\": {\"a\": 8, \"b\": 6}},"
                           "{\"name\": \"Us\", \"us\": true, \"scores\": {\"a\": 10, \"b\": 10}}],"
                           "\"criteria\": [{\"id\": \"a\", \"name\": \"A\", \"weight\": 50},"
                           "{\"id\": \"b\", \"name\": \"B\", \"weight\": 50}]}");
    assert_vendor(out, 0, "Us", true, "100.00", 10000, 1);
    assert_vendor(out, 1, "Alpha", false, "70.00", 7000, 2);
    assert_vendor(out, 2, "Beta", false, "70.00", 7000, 2);
    assert_vendor(out, 3, "Zeta", false, "0.00", 0, 4);
    assert_string_equal(json_string_value(json_object_get(out, "leader")), "Us");
    assert_int_equal(json_integer_value(json_object_get(out, "us_rank")), 1);
    assert_points(json_object_get(out, "gap_to_leader"), "0.00", 0);
    json_decref(out);
}

/* Weights 33 and 67 leave a third decimal, rounded half up for display only.
 *   Us:   33×8.35 + 67×7.00 = 27.555 + 46.9   = 74.455 -> 74.46 (half up)
 *   Them: 33×8.35 + 67×7.01 = 27.555 + 46.967 = 74.522 -> 74.52
 *   (in hundredths × weight: 33×835 + 67×700 = 27555 + 46900 = 74455 thousandths;
 *    33×835 + 67×701 = 27555 + 46967 = 74522 thousandths)
 *   Them ranks first; gap = 74522 − 74455 = 67 thousandths = 0.067 -> 0.07 */
static void thousandths_round_half_up(void **state)
{
    (void)state;
    json_t *out = evaluate("{\"criteria\": [{\"id\": \"x\", \"name\": \"X\", \"weight\": 33},"
                           "{\"id\": \"y\", \"name\": \"Y\", \"weight\": 67}],"
                           "\"vendors\": ["
                           "{\"name\": \"Us\", \"us\": true, \"scores\": {\"x\": 8.35, \"y\": 7}},"
                           "{\"name\": \"Them\", \"scores\": {\"x\": 8.35, \"y\": 7.01}}]}");
    assert_vendor(out, 0, "Them", false, "74.52", 7452, 1);
    assert_vendor(out, 1, "Us", true, "74.46", 7446, 2);
    assert_points(json_object_get(out, "gap_to_leader"), "0.07", 7);
    json_decref(out);
}

/* The normalised form: criteria kept, "us" on every vendor, scores in criteria order. */
static void normalised_form(void **state)
{
    (void)state;
    json_t *in =
        json_loads("{\"criteria\": [{\"id\": \"t\", \"name\": \"技术\", \"weight\": 60},"
                   "{\"id\": \"p\", \"name\": \"价格\", \"weight\": 40}],"
                   "\"vendors\": [{\"name\": \"我方\", \"us\": true,"
                   " \"scores\": {\"p\": 9, \"t\": 8.5}},"
                   "{\"name\": \"对手\", \"us\": null, \"scores\": {\"p\": 7, \"t\": 9}}]}",
                   0, NULL);
    json_t *form = NULL;
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(selection_validate(in, &form, &err), BF_OK);
    char *dump = json_dumps(form, JSON_COMPACT);
    assert_string_equal(dump, "{\"criteria\":[{\"id\":\"t\",\"name\":\"技术\",\"weight\":60},"
                              "{\"id\":\"p\",\"name\":\"价格\",\"weight\":40}],"
                              "\"vendors\":[{\"name\":\"我方\",\"us\":true,"
                              "\"scores\":{\"t\":8.5,\"p\":9}},"
                              "{\"name\":\"对手\",\"us\":false,\"scores\":{\"t\":9,\"p\":7}}]}");
    free(dump);
    json_decref(form);
    json_decref(in);
}

static void expect_error(const char *text, const char *field, const char *code)
{
    json_t *in = json_loads(text, JSON_ALLOW_NUL, NULL);
    if (in == NULL)
        fail_msg("bad test JSON: %s", text);
    json_t *out = NULL;
    bf_error err;
    bf_error_clear(&err);
    bf_result r = selection_validate(in, &out, &err);
    if (r != BF_ERR_INVALID || strcmp(err.field, field) != 0 || strcmp(err.code, code) != 0)
        fail_msg("%s: expected %s %s, got %d %s %s (%s)", text, field, code, r, err.field, err.code,
                 err.message);
    assert_null(out);
    json_decref(in);
}

#define C2                                                                                         \
    "\"criteria\": [{\"id\": \"t\", \"name\": \"技术\", \"weight\": 60},"                        \
    "{\"id\": \"p\", \"name\": \"价格\", \"weight\": 40}]"
#define US "{\"name\": \"我方\", \"us\": true, \"scores\": {\"t\": 8, \"p\": 9}}"

static void validation_errors(void **state)
{
    (void)state;
    expect_error("[]", "", "wrong_type");
    expect_error("{" C2 ", \"vendors\": [" US "], \"date\": 1}", "date", "unknown_field");
    expect_error("{\"vendors\": [" US "]}", "criteria", "required");
    expect_error("{\"criteria\": {}, \"vendors\": [" US "]}", "criteria", "wrong_type");
    expect_error("{\"criteria\": [], \"vendors\": [" US "]}", "criteria", "too_few");
    expect_error("{\"criteria\": [1], \"vendors\": []}", "criteria[0]", "wrong_type");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\", \"weight\": 100, \"note\": 1}]}",
                 "criteria[0].note", "unknown_field");
    expect_error("{\"criteria\": [{\"name\": \"T\", \"weight\": 100}]}", "criteria[0].id",
                 "required");
    expect_error("{\"criteria\": [{\"id\": 7, \"name\": \"T\", \"weight\": 100}]}",
                 "criteria[0].id", "wrong_type");
    expect_error("{\"criteria\": [{\"id\": \"Tech Fit\", \"name\": \"T\", \"weight\": 100}]}",
                 "criteria[0].id", "invalid_value");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\", \"weight\": 50},"
                 "{\"id\": \"t\", \"name\": \"U\", \"weight\": 50}]}",
                 "criteria[1].id", "duplicate");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"weight\": 100}]}", "criteria[0].name",
                 "required");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"\", \"weight\": 100}]}",
                 "criteria[0].name", "required");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": [\"T\"], \"weight\": 100}]}",
                 "criteria[0].name", "wrong_type");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"a\\u0000b\", \"weight\": 100}]}",
                 "criteria[0].name", "invalid_value");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\"}]}", "criteria[0].weight",
                 "required");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\", \"weight\": 99.5}]}",
                 "criteria[0].weight", "wrong_type");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\", \"weight\": 0}]}",
                 "criteria[0].weight", "out_of_range");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\", \"weight\": 101}]}",
                 "criteria[0].weight", "out_of_range");
    expect_error("{\"criteria\": [{\"id\": \"t\", \"name\": \"T\", \"weight\": 60},"
                 "{\"id\": \"p\", \"name\": \"P\", \"weight\": 30}], \"vendors\": [" US "]}",
                 "criteria", "weights_sum");
    expect_error("{" C2 "}", "vendors", "required");
    expect_error("{" C2 ", \"vendors\": \"我方\"}", "vendors", "wrong_type");
    expect_error("{" C2 ", \"vendors\": []}", "vendors", "too_few");
    expect_error("{" C2 ", \"vendors\": [" US ", 3]}", "vendors[1]", "wrong_type");
    expect_error("{" C2 ", \"vendors\": [" US ", {\"name\": \"X\", \"price\": 1,"
                 " \"scores\": {\"t\": 1, \"p\": 1}}]}",
                 "vendors[1].price", "unknown_field");
    expect_error("{" C2 ", \"vendors\": [{\"us\": true, \"scores\": {\"t\": 8, \"p\": 9}}]}",
                 "vendors[0].name", "required");
    expect_error("{" C2 ", \"vendors\": [" US ", " US "]}", "vendors[1].name", "duplicate");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": \"yes\","
                 " \"scores\": {\"t\": 8, \"p\": 9}}]}",
                 "vendors[0].us", "wrong_type");
    expect_error("{" C2 ", \"vendors\": [" US ", {\"name\": \"X\", \"us\": true,"
                 " \"scores\": {\"t\": 1, \"p\": 1}}]}",
                 "vendors[1].us", "us_not_unique");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"X\", \"scores\": {\"t\": 1, \"p\": 1}}]}",
                 "vendors", "us_missing");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true}]}", "vendors[0].scores",
                 "required");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true, \"scores\": [8, 9]}]}",
                 "vendors[0].scores", "wrong_type");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true,"
                 " \"scores\": {\"t\": 8, \"p\": 9, \"s\": 5}}]}",
                 "vendors[0].scores.s", "unknown_field");
    expect_error("{" C2
                 ", \"vendors\": [{\"name\": \"我方\", \"us\": true, \"scores\": {\"t\": 8}}]}",
                 "vendors[0].scores.p", "required");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true,"
                 " \"scores\": {\"t\": \"8\", \"p\": 9}}]}",
                 "vendors[0].scores.t", "wrong_type");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true,"
                 " \"scores\": {\"t\": 11, \"p\": 9}}]}",
                 "vendors[0].scores.t", "out_of_range");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true,"
                 " \"scores\": {\"t\": 8, \"p\": -0.5}}]}",
                 "vendors[0].scores.p", "out_of_range");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true,"
                 " \"scores\": {\"t\": 10.01, \"p\": 9}}]}",
                 "vendors[0].scores.t", "out_of_range");
    expect_error("{" C2 ", \"vendors\": [{\"name\": \"我方\", \"us\": true,"
                 " \"scores\": {\"t\": 8.125, \"p\": 9}}]}",
                 "vendors[0].scores.t", "too_many_decimals");

    /* 31 criteria, 31 vendors */
    char text[8192];
    int n = snprintf(text, sizeof(text), "{\"criteria\": [");
    for (int i = 0; i < 31; i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      "%s{\"id\": \"c%d\", \"name\": \"C\", \"weight\": 1}", i ? "," : "", i);
    snprintf(text + n, sizeof(text) - (size_t)n, "]}");
    expect_error(text, "criteria", "too_many");
    n = snprintf(text, sizeof(text), "{" C2 ", \"vendors\": [");
    for (int i = 0; i < 31; i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      "%s{\"name\": \"V%d\", \"scores\": {\"t\": 1, \"p\": 1}}", i ? "," : "", i);
    snprintf(text + n, sizeof(text) - (size_t)n, "]}");
    expect_error(text, "vendors", "too_many");

    /* a name of 101 characters */
    char name[128];
    memset(name, 'n', 101);
    name[101] = '\0';
    snprintf(text, sizeof(text),
             "{" C2 ", \"vendors\": [{\"name\": \"%s\", \"us\": true,"
             " \"scores\": {\"t\": 8, \"p\": 9}}]}",
             name);
    expect_error(text, "vendors[0].name", "too_long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(we_are_second),
        cmocka_unit_test(ties_share_a_rank),
        cmocka_unit_test(thousandths_round_half_up),
        cmocka_unit_test(normalised_form),
        cmocka_unit_test(validation_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
