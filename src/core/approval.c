/* Approvals' rules (see approval.h). */
#include "core/approval.h"

#include <stdio.h>
#include <string.h>

const char *const approval_kinds[] = {"override",         "close",    "sales_mode",
                                      "proposal_release", "discount", NULL};
const char *const approval_request_kinds[] = {"override", "close", "sales_mode", "proposal_release",
                                              NULL};
const char *const approval_states[] = {"pending", "approved", "rejected", "withdrawn", NULL};

bool approval_kind_parse(const char *name, approval_kind *out)
{
    for (int i = 0; name != NULL && approval_kinds[i] != NULL; i++)
        if (strcmp(name, approval_kinds[i]) == 0) {
            *out = (approval_kind)i;
            return true;
        }
    return false;
}

int approval_levels_for(int64_t amount, const json_t *levels_from)
{
    int levels = 1;
    for (size_t i = 1; i < json_array_size(levels_from) && levels < APPROVAL_MAX_LEVELS; i++)
        if (amount >= json_integer_value(json_array_get(levels_from, i)))
            levels++;
    return levels;
}

static bf_result levels_rule(json_t *levels_from, const char *path, bf_error *err)
{
    (void)path;
    json_int_t prev = -1;
    for (size_t i = 0; i < json_array_size(levels_from); i++) {
        json_int_t v = json_integer_value(json_array_get(levels_from, i));
        if (i == 0 && v != 0)
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", "levels_from[0]",
                           "the first level decides every amount: levels_from[0] must be 0");
        if (i > 0 && v <= prev) {
            char field[48];
            snprintf(field, sizeof(field), "levels_from[%zu]", i);
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", field,
                           "each level starts at a larger amount than the one before");
        }
        prev = v;
    }
    return BF_OK;
}

static const schema level_from = {.kind = SCHEMA_MONEY, .min = 0, .max = INT64_C(100000000000000)};

static const schema rules_members[] = {
    {.name = "levels_from",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = APPROVAL_MAX_LEVELS,
     .item = &level_from,
     .rule = levels_rule,
     .doc = "From which deal amount (fen) each level of managers decides: the first is 0 (the "
            "manager of the owner's team decides every approval), each next one adds the "
            "manager of the team above for deals of at least that amount"},
    {0}};

const schema approval_rules_schema = {.name = "ApprovalRules",
                                      .kind = SCHEMA_OBJECT,
                                      .members = rules_members,
                                      .doc = "How many levels of managers decide an approval"};

json_t *approval_default_rules(void)
{
    return json_pack("{s:[i]}", "levels_from", 0);
}

bf_result approval_rules_validate(json_t *rules, bf_error *err)
{
    json_t *norm;
    bf_result r = schema_check(&approval_rules_schema, rules, &norm, err);
    json_decref(norm);
    return r;
}
