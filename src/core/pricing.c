/* The rules of quotations (see pricing.h). */
#include "core/pricing.h"

#include <stdio.h>

#include "core/approval.h"

static bf_result thresholds_rule(json_t *norm, const char *path, bf_error *err)
{
    (void)path;
    int64_t prev = -1;
    size_t i;
    json_t *v;
    json_array_foreach(norm, i, v)
    {
        int64_t h = 0;
        schema_hundredths(v, &h);
        if (h <= prev) {
            char field[64];
            snprintf(field, sizeof(field), "discount_levels_above[%zu]", i);
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", field,
                           "each level starts above a larger discount than the one before");
        }
        prev = h;
    }
    return BF_OK;
}

static const schema threshold = {.kind = SCHEMA_DECIMAL, .min = 0, .max = 10000};

static const schema rules_members[] = {
    {.name = "sales_see_cost",
     .kind = SCHEMA_BOOL,
     .def = "false",
     .doc = "Sales and consultants see the price list's costs and a quotation's margin "
            "(managers and admins always do, partners never)"},
    {.name = "discount_levels_above",
     .kind = SCHEMA_ARRAY,
     .min = 0,
     .max = APPROVAL_MAX_LEVELS,
     .item = &threshold,
     .rule = thresholds_rule,
     .def = "[10, 20]",
     .doc = "Discounts in percent, ascending: a quotation whose discount off the list price is "
            "above the k-th needs k levels of managers to approve it (the owner's manager, then "
            "the manager above); at or below the first, none"},
    {0}};

const schema pricing_rules_schema = {.name = "QuotationRules",
                                     .kind = SCHEMA_OBJECT,
                                     .members = rules_members,
                                     .doc = "Who sees costs, and who approves which discount"};

json_t *pricing_default_rules(void)
{
    return json_pack("{s:b, s:[i, i]}", "sales_see_cost", 0, "discount_levels_above", 10, 20);
}

bf_result pricing_rules_validate(json_t *rules, bf_error *err)
{
    json_t *norm;
    bf_result r = schema_check(&pricing_rules_schema, rules, &norm, err);
    json_decref(norm);
    return r;
}

int pricing_discount_levels(int64_t discount, const json_t *rules)
{
    const json_t *above = json_object_get(rules, "discount_levels_above");
    int levels = 0;
    size_t i;
    json_t *v;
    json_array_foreach(above, i, v)
    {
        int64_t h;
        if (schema_hundredths(v, &h) && discount > h)
            levels++;
    }
    return levels;
}

bool pricing_sales_see_cost(const json_t *rules)
{
    return json_is_true(json_object_get(rules, "sales_see_cost"));
}
