/* Unit tests of src/core/profile.c: the six-factor target-customer profile
 * (seed 002), its rules and the profile form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/profile.h"

#define YUAN_WAN 1000000LL /* 1万元 in fen */

static const profile_facts unknown_facts = {-1, -1, -1, NULL, NULL, NULL, -1, NULL};

/* The factor of result with id. */
static json_t *factor_of(json_t *result, const char *id)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(result, "factors"), i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0)
            return f;
    }
    fail_msg("no factor %s", id);
    return NULL;
}

static long long points_of(json_t *result, const char *id)
{
    return json_integer_value(json_object_get(factor_of(result, id), "points"));
}

static const char *reason_of(json_t *result, const char *id, const char *lang)
{
    return json_string_value(
        json_object_get(json_object_get(factor_of(result, id), "reason"), lang));
}

static void assert_score(json_t *result, const char *value, long long hundredths, const char *grade)
{
    json_t *score = json_object_get(result, "score");
    assert_string_equal(json_string_value(json_object_get(score, "value")), value);
    assert_int_equal(json_integer_value(json_object_get(score, "hundredths")), hundredths);
    assert_string_equal(json_string_value(json_object_get(result, "grade")), grade);
}

/* "unknown" as a comma-separated string, for one assertion. */
static void assert_unknown(json_t *result, const char *expected)
{
    char got[128] = "";
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(result, "unknown"), i, id)
    {
        size_t n = strlen(got);
        snprintf(got + n, sizeof(got) - n, "%s%s", i ? "," : "", json_string_value(id));
    }
    assert_string_equal(got, expected);
}

static void default_rules_are_valid(void **state)
{
    (void)state;
    json_t *rules = profile_default_rules();
    assert_non_null(rules);
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(profile_rules_validate(rules, &err), BF_OK);
    /* weights 25 + 15 + 15 + 15 + 10 + 20 = 100 */
    json_t *factors = json_object_get(rules, "factors");
    assert_int_equal(json_array_size(factors), 6);
    json_t *size = json_array_get(factors, 0);
    assert_int_equal(json_integer_value(json_object_get(size, "revenue_min")), 2000 * YUAN_WAN);
    assert_int_equal(json_integer_value(json_object_get(size, "gross_profit_min")), 300 * YUAN_WAN);
    json_decref(rules);
}

/* A distributor that fits well.
 *   size: 35 employees >= 20 (distribution) +40; sales 2500万 >= 2000万 +30;
 *         gross profit 280万 < 300万 +0                                  -> 70
 *   ownership private 100, business distribution 100,
 *   systems "用友财务软件，库房用 Excel": 财务 -> finance +40 (库房 is not 库存) -> 40,
 *   branches 2 -> with 100, plan within_year 70.
 *   score = 25×70 + 15×100 + 15×100 + 15×40 + 10×100 + 20×70
 *         = 1750 + 1500 + 1500 + 600 + 1000 + 1400 = 7750 hundredths = 77.50 -> B (60 <= 77.5 < 80)
 */
static void distributor_scores_b(void **state)
{
    (void)state;
    profile_facts f = {35,        2500 * YUAN_WAN, 280 * YUAN_WAN,
                       "private", "distribution",  "用友财务软件，库房用 Excel",
                       2,         "within_year"};
    json_t *r = profile_evaluate(&f, NULL);
    assert_non_null(r);
    assert_score(r, "77.50", 7750, "B");
    assert_int_equal(points_of(r, "size"), 70);
    assert_int_equal(points_of(r, "ownership"), 100);
    assert_int_equal(points_of(r, "business_type"), 100);
    assert_int_equal(points_of(r, "existing_systems"), 40);
    assert_int_equal(points_of(r, "branches"), 100);
    assert_int_equal(points_of(r, "purchase_plan"), 70);
    assert_unknown(r, "");
    assert_string_equal(reason_of(r, "size", "zh"),
                        "人员 35 人（分销批发企业门槛 20 人）：达标 +40；"
                        "上年度销售额 2500万元（门槛 2000万元）：达标 +30；"
                        "年毛利 280万元（门槛 300万元）：未达标 +0");
    assert_string_equal(reason_of(r, "size", "en"),
                        "35 employees (threshold 20 for distribution): met +40; "
                        "last year's sales CNY 25,000,000 (threshold CNY 20,000,000): met +30; "
                        "gross profit CNY 2,800,000 (threshold CNY 3,000,000): not met +0");
    assert_string_equal(reason_of(r, "existing_systems", "zh"), "已在使用：财务软件 +40");
    assert_string_equal(reason_of(r, "branches", "en"), "2 branches");
    json_t *size = factor_of(r, "size");
    assert_int_equal(json_integer_value(json_object_get(size, "weight")), 25);
    assert_string_equal(json_string_value(json_object_get(json_object_get(size, "name"), "zh")),
                        "企业规模");
    json_decref(r);
}

/* Thresholds are minimums ("以上"): 20 employees for a distributor, sales of
 * exactly 2000万 and gross profit of exactly 300万 all meet them -> size 100.
 *   ERP系统 matches "erp" in finance and inventory (+40 +40), "CRM" +20 -> 100.
 *   foreign 80, plan within_6_months 100, branches 0 -> without 30.
 *   score = 25×100 + 15×80 + 15×100 + 15×100 + 10×30 + 20×100
 *         = 2500 + 1200 + 1500 + 1500 + 300 + 2000 = 9000 -> 90.00 -> A */
static void thresholds_are_inclusive(void **state)
{
    (void)state;
    profile_facts f = {20,        2000 * YUAN_WAN,  300 * YUAN_WAN,
                       "foreign", "distribution",   "金蝶 ERP系统 + Salesforce CRM",
                       0,         "within_6_months"};
    json_t *r = profile_evaluate(&f, NULL);
    assert_non_null(r);
    assert_int_equal(points_of(r, "size"), 100);
    assert_int_equal(points_of(r, "existing_systems"), 100);
    assert_int_equal(points_of(r, "branches"), 30);
    assert_string_equal(reason_of(r, "branches", "zh"), "无分支机构");
    assert_score(r, "90.00", 9000, "A");
    json_decref(r);

    /* The same 20 employees at a manufacturer miss its threshold of 50:
     * size 0 + 30 + 30 = 60 -> score 9000 − 25×40 = 8000 -> 80.00, still A (min 80). */
    f.business_type = "manufacture_sale";
    r = profile_evaluate(&f, NULL);
    assert_int_equal(points_of(r, "size"), 60);
    /* business type 90: 8000 − 15×(100 − 90) = 7850 -> 78.50 -> B */
    assert_score(r, "78.50", 7850, "B");
    json_decref(r);
}

/* A restructured manufacturer we know little about.
 *   size: 45 employees < 50 (manufacturing and sales) +0, sales and gross profit unknown -> 0
 *   ownership restructured 20, business manufacture_sale 90,
 *   systems unknown 0, branches 0 -> 30, plan unknown 0.
 *   score = 25×0 + 15×20 + 15×90 + 15×0 + 10×30 + 20×0 = 300 + 1350 + 300 = 1950
 *         -> 19.50 -> D; unknown: size, existing_systems, purchase_plan */
static void unknown_facts_score_zero_and_are_listed(void **state)
{
    (void)state;
    profile_facts f = {45, -1, -1, "restructured", "manufacture_sale", NULL, 0, NULL};
    json_t *r = profile_evaluate(&f, NULL);
    assert_non_null(r);
    assert_score(r, "19.50", 1950, "D");
    assert_unknown(r, "size,existing_systems,purchase_plan");
    assert_int_equal(points_of(r, "size"), 0);
    assert_string_equal(reason_of(r, "purchase_plan", "zh"), "近期采购计划未知，记 0 分");
    assert_string_equal(reason_of(r, "ownership", "en"),
                        "restructured state enterprise: work with it only if it runs on modern "
                        "management rules");
    json_decref(r);

    /* Nothing known at all: every factor 0, all six listed; the employee
     * threshold falls back to the one for other businesses (50). */
    r = profile_evaluate(&unknown_facts, NULL);
    assert_score(r, "0.00", 0, "D");
    assert_unknown(r, "size,ownership,business_type,existing_systems,branches,purchase_plan");
    assert_string_equal(reason_of(r, "size", "en"),
                        "employees unknown (threshold 50 for other business) +0 (business type "
                        "unknown: the threshold for other); last year's sales unknown (threshold "
                        "CNY 20,000,000) +0; gross profit unknown (threshold CNY 3,000,000) +0");
    json_decref(r);
}

/* Keywords: ASCII ones need word boundaries and ignore case; blank text is unknown. */
static void software_keywords(void **state)
{
    (void)state;
    profile_facts f = unknown_facts;
    f.existing_systems = "enterprise WeChat only"; /* "erp" inside "enterprise" is no match */
    json_t *r = profile_evaluate(&f, NULL);
    assert_int_equal(points_of(r, "existing_systems"), 0);
    assert_string_equal(reason_of(r, "existing_systems", "en"),
                        "no management software recognised in use");
    assert_unknown(r, "size,ownership,business_type,branches,purchase_plan");
    json_decref(r);

    f.existing_systems = "进销存（管家婆），客户关系靠 Excel";
    r = profile_evaluate(&f, NULL); /* inventory 40 + crm 20 = 60 */
    assert_int_equal(points_of(r, "existing_systems"), 60);
    assert_string_equal(reason_of(r, "existing_systems", "en"),
                        "in use: inventory/ERP +40, CRM +20");
    json_decref(r);

    f.existing_systems = "  \n";
    r = profile_evaluate(&f, NULL);
    assert_unknown(r, "size,ownership,business_type,existing_systems,branches,purchase_plan");
    json_decref(r);
}

/* Custom rules: two factors; signal points above 100 are capped.
 *   ownership (weight 30): government 55 -> 30×55 = 1650
 *   existing_systems (weight 70): 财务 100 + CRM 100 = 200, capped 100 -> 70×100 = 7000
 *   score 8650 -> 86.50; grades Top >= 90, Rest >= 0 -> Rest */
static void custom_rules(void **state)
{
    (void)state;
    const char *text =
        "{\"factors\": ["
        "{\"id\": \"ownership\", \"name\": {\"zh\": \"性质\", \"en\": \"Ownership\"}, \"weight\": "
        "30,"
        " \"points\": {\"private\": 100, \"foreign\": 100, \"joint_venture\": 100,"
        " \"state_owned\": 60, \"government\": 55, \"restructured\": 0, \"other\": 10}},"
        "{\"id\": \"existing_systems\", \"name\": {\"zh\": \"软件\", \"en\": \"Software\"},"
        " \"weight\": 70, \"signals\": ["
        "{\"id\": \"fin\", \"name\": {\"zh\": \"财务\", \"en\": \"finance\"},"
        " \"keywords\": [\"财务\"], \"points\": 100},"
        "{\"id\": \"crm\", \"name\": {\"zh\": \"CRM\", \"en\": \"CRM\"},"
        " \"keywords\": [\"crm\"], \"points\": 100}]}],"
        "\"grades\": [{\"grade\": \"Top\", \"min\": 90}, {\"grade\": \"Rest\", \"min\": 0}]}";
    json_t *rules = json_loads(text, 0, NULL);
    assert_non_null(rules);
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(profile_rules_validate(rules, &err), BF_OK);
    profile_facts f = unknown_facts;
    f.ownership = "government";
    f.existing_systems = "财务软件和 CRM";
    json_t *r = profile_evaluate(&f, rules);
    assert_score(r, "86.50", 8650, "Rest");
    assert_int_equal(points_of(r, "existing_systems"), 100);
    assert_string_equal(reason_of(r, "existing_systems", "zh"),
                        "已在使用：财务 +100、CRM +100（封顶 100 分）");
    assert_int_equal(json_array_size(json_object_get(r, "factors")), 2);
    assert_unknown(r, "");
    json_decref(r);
    json_decref(rules);
}

/* ---- rules validation: every error names its field ---- */

static json_t *factor_at(json_t *rules, size_t i)
{
    return json_array_get(json_object_get(rules, "factors"), i);
}

static void expect_rules_error(json_t *rules, const char *field, const char *code)
{
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(profile_rules_validate(rules, &err), BF_ERR_INVALID);
    if (strcmp(err.field, field) != 0 || strcmp(err.code, code) != 0)
        fail_msg("expected %s %s, got %s %s (%s)", field, code, err.field, err.code, err.message);
    json_decref(rules);
}

static void rules_errors(void **state)
{
    (void)state;
    json_t *r;

    expect_rules_error(json_array(), "", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(r, "version", json_integer(2));
    expect_rules_error(r, "version", "unknown_field");

    r = profile_default_rules();
    json_object_del(r, "factors");
    expect_rules_error(r, "factors", "required");

    r = profile_default_rules();
    json_object_set_new(r, "factors", json_object());
    expect_rules_error(r, "factors", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(r, "factors", json_array());
    expect_rules_error(r, "factors", "too_few");

    r = profile_default_rules();
    json_array_append(json_object_get(r, "factors"), factor_at(r, 0));
    expect_rules_error(r, "factors", "too_many");

    r = profile_default_rules();
    json_array_set_new(json_object_get(r, "factors"), 1, json_string("ownership"));
    expect_rules_error(r, "factors[1]", "wrong_type");

    r = profile_default_rules();
    json_object_del(factor_at(r, 1), "id");
    expect_rules_error(r, "factors[1].id", "required");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 1), "id", json_integer(1));
    expect_rules_error(r, "factors[1].id", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 1), "id", json_string("industry"));
    expect_rules_error(r, "factors[1].id", "invalid_value");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 2), "id", json_string("ownership"));
    expect_rules_error(r, "factors[2].id", "duplicate");

    r = profile_default_rules(); /* signals belong to existing_systems only */
    json_object_set_new(factor_at(r, 1), "signals", json_array());
    expect_rules_error(r, "factors[1].signals", "unknown_field");

    r = profile_default_rules();
    json_object_del(factor_at(r, 1), "name");
    expect_rules_error(r, "factors[1].name", "required");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 1), "name", json_string("企业性质"));
    expect_rules_error(r, "factors[1].name", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(json_object_get(factor_at(r, 1), "name"), "ja", json_string("x"));
    expect_rules_error(r, "factors[1].name.ja", "unknown_field");

    r = profile_default_rules();
    json_object_del(json_object_get(factor_at(r, 1), "name"), "en");
    expect_rules_error(r, "factors[1].name.en", "required");

    r = profile_default_rules();
    json_object_set_new(json_object_get(factor_at(r, 1), "name"), "zh", json_string(""));
    expect_rules_error(r, "factors[1].name.zh", "required");

    r = profile_default_rules();
    json_object_del(factor_at(r, 1), "weight");
    expect_rules_error(r, "factors[1].weight", "required");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 1), "weight", json_real(15.0));
    expect_rules_error(r, "factors[1].weight", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 1), "weight", json_integer(0));
    expect_rules_error(r, "factors[1].weight", "out_of_range");

    r = profile_default_rules(); /* 25 + 16 + 15 + 15 + 10 + 20 = 101 */
    json_object_set_new(factor_at(r, 1), "weight", json_integer(16));
    expect_rules_error(r, "factors", "weights_sum");

    r = profile_default_rules();
    json_object_del(json_object_get(factor_at(r, 1), "points"), "private");
    expect_rules_error(r, "factors[1].points.private", "required");

    r = profile_default_rules();
    json_object_set_new(json_object_get(factor_at(r, 1), "points"), "cooperative",
                        json_integer(50));
    expect_rules_error(r, "factors[1].points.cooperative", "unknown_field");

    r = profile_default_rules();
    json_object_set_new(json_object_get(factor_at(r, 2), "points"), "service", json_integer(101));
    expect_rules_error(r, "factors[2].points.service", "out_of_range");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 4), "points", json_array());
    expect_rules_error(r, "factors[4].points", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(json_object_get(factor_at(r, 5), "points"), "soon", json_integer(1));
    expect_rules_error(r, "factors[5].points.soon", "unknown_field");

    r = profile_default_rules();
    json_object_del(json_object_get(factor_at(r, 0), "employees_min"), "processing");
    expect_rules_error(r, "factors[0].employees_min.processing", "required");

    r = profile_default_rules();
    json_object_set_new(json_object_get(factor_at(r, 0), "employees_min"), "service",
                        json_integer(-1));
    expect_rules_error(r, "factors[0].employees_min.service", "out_of_range");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 0), "revenue_min", json_string("2000万"));
    expect_rules_error(r, "factors[0].revenue_min", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 0), "gross_profit_min", json_integer(-5));
    expect_rules_error(r, "factors[0].gross_profit_min", "out_of_range");

    r = profile_default_rules(); /* 40 + 30 + 20 = 90 */
    json_object_set_new(json_object_get(factor_at(r, 0), "points"), "gross_profit",
                        json_integer(20));
    expect_rules_error(r, "factors[0].points", "points_sum");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 3), "signals", json_array());
    expect_rules_error(r, "factors[3].signals", "too_few");

    r = profile_default_rules();
    json_object_del(factor_at(r, 3), "signals");
    expect_rules_error(r, "factors[3].signals", "required");

    r = profile_default_rules();
    json_object_set_new(factor_at(r, 3), "points", json_object());
    expect_rules_error(r, "factors[3].points", "unknown_field");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(factor_at(r, 3), "signals"), 1), "id",
                        json_string("finance"));
    expect_rules_error(r, "factors[3].signals[1].id", "duplicate");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(factor_at(r, 3), "signals"), 1), "id",
                        json_string("Inventory"));
    expect_rules_error(r, "factors[3].signals[1].id", "invalid_value");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(factor_at(r, 3), "signals"), 2), "weight",
                        json_integer(1));
    expect_rules_error(r, "factors[3].signals[2].weight", "unknown_field");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(factor_at(r, 3), "signals"), 0), "keywords",
                        json_array());
    expect_rules_error(r, "factors[3].signals[0].keywords", "too_few");

    r = profile_default_rules();
    json_array_set_new(
        json_object_get(json_array_get(json_object_get(factor_at(r, 3), "signals"), 0), "keywords"),
        2, json_integer(7));
    expect_rules_error(r, "factors[3].signals[0].keywords[2]", "wrong_type");

    r = profile_default_rules();
    json_array_set_new(
        json_object_get(json_array_get(json_object_get(factor_at(r, 3), "signals"), 0), "keywords"),
        0, json_string(""));
    expect_rules_error(r, "factors[3].signals[0].keywords[0]", "required");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(factor_at(r, 3), "signals"), 2), "points",
                        json_integer(120));
    expect_rules_error(r, "factors[3].signals[2].points", "out_of_range");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(factor_at(r, 3), "signals"), 2), "name",
                        json_null());
    expect_rules_error(r, "factors[3].signals[2].name", "required");

    /* grades */
    r = profile_default_rules();
    json_object_del(r, "grades");
    expect_rules_error(r, "grades", "required");

    r = profile_default_rules();
    json_object_set_new(r, "grades", json_array());
    expect_rules_error(r, "grades", "too_few");

    r = profile_default_rules();
    json_array_set_new(json_object_get(r, "grades"), 0, json_integer(80));
    expect_rules_error(r, "grades[0]", "wrong_type");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(r, "grades"), 0), "label", json_string("x"));
    expect_rules_error(r, "grades[0].label", "unknown_field");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(r, "grades"), 1), "grade", json_string("A"));
    expect_rules_error(r, "grades[1].grade", "duplicate");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(r, "grades"), 1), "grade",
                        json_string("很长很长的等级名字"));
    expect_rules_error(r, "grades[1].grade", "too_long");

    r = profile_default_rules();
    json_object_del(json_array_get(json_object_get(r, "grades"), 2), "min");
    expect_rules_error(r, "grades[2].min", "required");

    r = profile_default_rules();
    json_object_set_new(json_array_get(json_object_get(r, "grades"), 0), "min", json_integer(120));
    expect_rules_error(r, "grades[0].min", "out_of_range");

    r = profile_default_rules(); /* B 80 after A 80 */
    json_object_set_new(json_array_get(json_object_get(r, "grades"), 1), "min", json_integer(80));
    expect_rules_error(r, "grades[1].min", "not_descending");

    r = profile_default_rules(); /* D starts at 10: scores below 10 would have no grade */
    json_object_set_new(json_array_get(json_object_get(r, "grades"), 3), "min", json_integer(10));
    expect_rules_error(r, "grades[3].min", "invalid_value");
}

/* ---- the profile form ---- */

static void expect_form(const char *text, bf_result want, const char *field, const char *code)
{
    json_t *in = json_loads(text, JSON_ALLOW_NUL, NULL);
    assert_non_null(in);
    json_t *out = NULL;
    bf_error err;
    bf_error_clear(&err);
    bf_result r = profile_form_validate(in, &out, &err);
    if (r != want || strcmp(err.field, field) != 0 || strcmp(err.code, code) != 0)
        fail_msg("%s: expected %d %s %s, got %d %s %s (%s)", text, want, field, code, r, err.field,
                 err.code, err.message);
    if (want == BF_OK)
        assert_non_null(out);
    else
        assert_null(out);
    json_decref(out);
    json_decref(in);
}

static void profile_form(void **state)
{
    (void)state;
    json_t *in =
        json_loads("{\"note\": \"老板说明年上 ERP\", \"purchase_plan\": \"within_year\"}", 0, NULL);
    json_t *out = NULL;
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(profile_form_validate(in, &out, &err), BF_OK);
    char *dump = json_dumps(out, JSON_COMPACT);
    assert_string_equal(dump, "{\"purchase_plan\":\"within_year\",\"note\":\"老板说明年上 ERP\"}");
    free(dump);
    json_decref(out);
    json_decref(in);

    expect_form("{\"purchase_plan\": \"none\", \"note\": null}", BF_OK, "", "");
    expect_form("{\"purchase_plan\": \"later\", \"note\": \"\"}", BF_OK, "", "");
    expect_form("[]", BF_ERR_INVALID, "", "wrong_type");
    expect_form("{\"purchase_plan\": \"none\", \"budget\": 1}", BF_ERR_INVALID, "budget",
                "unknown_field");
    expect_form("{}", BF_ERR_INVALID, "purchase_plan", "required");
    expect_form("{\"purchase_plan\": null}", BF_ERR_INVALID, "purchase_plan", "required");
    expect_form("{\"purchase_plan\": 6}", BF_ERR_INVALID, "purchase_plan", "wrong_type");
    expect_form("{\"purchase_plan\": \"soon\"}", BF_ERR_INVALID, "purchase_plan", "invalid_value");
    expect_form("{\"purchase_plan\": \"none\", \"note\": 5}", BF_ERR_INVALID, "note", "wrong_type");
    expect_form("{\"purchase_plan\": \"none\", \"note\": \"a\\u0000b\"}", BF_ERR_INVALID, "note",
                "invalid_value");
    /* 1001 characters */
    static char big[1200];
    int n = snprintf(big, sizeof(big), "{\"purchase_plan\": \"none\", \"note\": \"");
    memset(big + n, 'x', 1001);
    snprintf(big + n + 1001, sizeof(big) - (size_t)n - 1001, "\"}");
    expect_form(big, BF_ERR_INVALID, "note", "too_long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_rules_are_valid),
        cmocka_unit_test(distributor_scores_b),
        cmocka_unit_test(thresholds_are_inclusive),
        cmocka_unit_test(unknown_facts_score_zero_and_are_listed),
        cmocka_unit_test(software_keywords),
        cmocka_unit_test(custom_rules),
        cmocka_unit_test(rules_errors),
        cmocka_unit_test(profile_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
