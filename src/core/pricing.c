/* The rules of quotations (see pricing.h). */
#include "core/pricing.h"

#include <stdio.h>

#include "core/approval.h"
#include "core/quote.h"

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

const char *const quotation_statuses[] = {"draft",    "submitted", "approved", "sent",
                                          "accepted", "rejected",  "expired",  NULL};

static const schema line_members[] = {
    {.name = "product_id",
     .kind = SCHEMA_ID,
     .doc = "A product of the price list: its kind, name, unit, price, tax rate and cost are "
            "the price list's (given ones are not used)"},
    {.name = "kind",
     .kind = SCHEMA_ENUM,
     .values = quote_kinds,
     .doc = "A free line's kind (other when not given)"},
    {.name = "name", .kind = SCHEMA_TEXT, .max = 200, .doc = "A free line's name (required)"},
    {.name = "unit", .kind = SCHEMA_TEXT, .max = 20, .doc = "A free line's unit (项 by default)"},
    {.name = "description", .kind = SCHEMA_TEXT, .max = 500, .doc = "What the line covers"},
    {.name = "quantity",
     .kind = SCHEMA_DECIMAL,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = 100000000,
     .doc = "How many units, 0.01 to 1,000,000 (decimals only where the product allows them)"},
    {.name = "unit_price",
     .kind = SCHEMA_MONEY,
     .min = 0,
     .max = INT64_C(1000000000000000),
     .doc = "A free line's price of one unit without tax, fen"},
    {.name = "ratio",
     .kind = SCHEMA_DECIMAL,
     .min = 0,
     .max = 10000,
     .doc = "A free service_ratio line's percent of the licence value"},
    {.name = "discount",
     .kind = SCHEMA_DECIMAL,
     .min = 0,
     .max = 10000,
     .doc = "The line's discount in percent (0 to 100)"},
    {.name = "tax_rate",
     .kind = SCHEMA_DECIMAL,
     .min = 0,
     .max = 10000,
     .doc = "A free line's VAT rate in percent (13 when not given)"},
    {0}};

static const schema line = {
    .name = "QuotationLine", .kind = SCHEMA_OBJECT, .members = line_members};

static const schema body_members[] = {
    {.name = "title", .kind = SCHEMA_TEXT, .max = 200, .doc = "What is quoted (报价主题)"},
    {.name = "valid_until", .kind = SCHEMA_DATE, .doc = "Valid until (有效期至)"},
    {.name = "payment_terms", .kind = SCHEMA_TEXT, .max = 1000, .doc = "Payment terms (付款方式)"},
    {.name = "delivery_terms",
     .kind = SCHEMA_TEXT,
     .max = 1000,
     .doc = "Delivery and service terms (交付与服务)"},
    {.name = "notes", .kind = SCHEMA_TEXT, .max = 2000, .doc = "Notes (备注)"},
    {.name = "discount",
     .kind = SCHEMA_DECIMAL,
     .min = 0,
     .max = 10000,
     .doc = "Discount on the whole quotation in percent (0 to 100)"},
    {.name = "lines",
     .kind = SCHEMA_ARRAY,
     .min = 0,
     .max = QUOTE_MAX_LINES,
     .item = &line,
     .def = "[]",
     .doc = "The lines, in the order printed"},
    {0}};

const schema quotation_body_schema = {.name = "QuotationBody",
                                      .kind = SCHEMA_OBJECT,
                                      .members = body_members,
                                      .doc = "A quotation as written: its terms and lines"};
