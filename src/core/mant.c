/* MANT, the funnel gate (seed 004): the form, its completeness computed
 * from the data and the account's buying centre, and the checklist items
 * derived from it (see mant.h). */
#include "core/mant.h"

#include <stdio.h>
#include <string.h>

#include "core/deal_facts.h"
#include "core/schema.h"

/* Appends the string s to the array arr; false on no memory. */
static bool push_text(json_t *arr, const char *s)
{
    return json_array_append_new(arr, json_string(s)) == 0;
}

#define NEEDS_MAX 5
#define NEEDS_COMPLETE_MIN 3

static const schema mant_money_members[] = {
    {.name = "budget",
     .kind = SCHEMA_INT,
     .max = 1000000000000000LL, /* as the deal's budget field */
     .doc = "The budget, in fen (分): the deal's budget, written there and read from there"},
    {.name = "source", .kind = SCHEMA_TEXT, .max = 200, .doc = "Where the money comes from"},
    {.name = "approved", .kind = SCHEMA_BOOL, .doc = "The budget is approved"},
    {.name = "in_place", .kind = SCHEMA_BOOL, .doc = "The money is in place"},
    {0},
};

static const schema mant_need = {.kind = SCHEMA_TEXT, .max = 500};

static const schema mant_time_members[] = {
    {.name = "tender_month", .kind = SCHEMA_MONTH, .doc = "Month of the tender, YYYY-MM"},
    {.name = "go_live", .kind = SCHEMA_DATE, .doc = "Planned go-live date"},
    {0},
};

static const schema mant_members[] = {
    {.name = "money", .kind = SCHEMA_OBJECT, .members = mant_money_members},
    {.name = "needs",
     .kind = SCHEMA_ARRAY,
     .min = 1,
     .max = NEEDS_MAX,
     .item = &mant_need,
     .doc = "The customer's main needs, 3 to 5 make the part complete"},
    {.name = "time", .kind = SCHEMA_OBJECT, .members = mant_time_members},
    {.name = "facts",
     .ref = &deal_facts_schema,
     .doc = "Shared facts written to their home (the deal, its contacts), not kept in the form"},
    {0},
};

const schema mant_form_schema = {
    .name = "MantForm",
    .kind = SCHEMA_OBJECT,
    .members = mant_members,
    .doc = "MANT: money, needs and time-scale (authority comes from the account's contacts)"};

bf_result mant_validate(json_t *in, json_t **out, bf_error *err)
{
    return schema_check(&mant_form_schema, in, out, err);
}

/* {"complete": missing is empty, "missing": missing}; steals missing. */
static json_t *mant_part(json_t *missing)
{
    if (missing == NULL)
        return NULL;
    return json_pack("{s:b, s:o}", "complete", json_array_size(missing) == 0, "missing", missing);
}

static json_t *mant_money(json_t *form)
{
    json_t *money = schema_get(form, "money");
    json_t *missing = json_array();
    if (missing == NULL)
        return NULL;
    json_t *b = schema_get(money, "budget");
    bool ok = true;
    if (!json_is_integer(b) || json_integer_value(b) <= 0)
        ok &= push_text(missing, "budget");
    if (schema_get_text(money, "source") == NULL)
        ok &= push_text(missing, "source");
    if (!json_is_true(schema_get(money, "approved")))
        ok &= push_text(missing, "approved");
    if (!json_is_true(schema_get(money, "in_place")))
        ok &= push_text(missing, "in_place");
    if (!ok) {
        json_decref(missing);
        return NULL;
    }
    return mant_part(missing);
}

static json_t *mant_authority_part(const mant_authority *au)
{
    static const char *const keys[] = {"approvers", "decision_makers", "evaluators", "coaches"};
    const char *const *lists[4] = {NULL, NULL, NULL, NULL};
    if (au != NULL) {
        lists[0] = au->approvers;
        lists[1] = au->decision_makers;
        lists[2] = au->evaluators;
        lists[3] = au->coaches;
    }
    json_t *missing = json_array();
    json_t *part = mant_part(missing);
    if (part == NULL)
        return NULL;
    bool complete = true;
    for (size_t k = 0; k < 4; k++) {
        json_t *names = json_array();
        if (names == NULL || json_object_set_new(part, keys[k], names) != 0)
            goto nomem;
        for (size_t i = 0; lists[k] != NULL && lists[k][i] != NULL; i++) {
            if (lists[k][i][0] == '\0')
                continue;
            if (!push_text(names, lists[k][i]))
                goto nomem;
        }
        if (json_array_size(names) == 0) {
            complete = false;
            if (!push_text(missing, keys[k]))
                goto nomem;
        }
    }
    if (json_object_set_new(part, "complete", json_boolean(complete)) != 0)
        goto nomem;
    return part;
nomem:
    json_decref(part);
    return NULL;
}

static json_t *mant_needs(json_t *form)
{
    size_t count = 0, i;
    json_t *need;
    json_array_foreach(schema_get(form, "needs"), i, need)
    {
        const char *s = json_string_value(need);
        if (s != NULL && s[0] != '\0')
            count++;
    }
    bool complete = count >= NEEDS_COMPLETE_MIN && count <= NEEDS_MAX;
    json_t *missing = complete ? json_array() : json_pack("[s]", "needs");
    return json_pack("{s:b, s:o, s:I}", "complete", complete, "missing", missing, "count",
                     (json_int_t)count);
}

static json_t *mant_time(json_t *form)
{
    json_t *time = schema_get(form, "time");
    json_t *missing = json_array();
    if (missing == NULL)
        return NULL;
    bool ok = true;
    if (schema_get_text(time, "tender_month") == NULL)
        ok &= push_text(missing, "tender_month");
    if (schema_get_text(time, "go_live") == NULL)
        ok &= push_text(missing, "go_live");
    if (!ok) {
        json_decref(missing);
        return NULL;
    }
    return mant_part(missing);
}

json_t *mant_evaluate(json_t *form, const mant_authority *authority)
{
    json_t *parts = json_pack("{s:o, s:o, s:o, s:o}", "money", mant_money(form), "authority",
                              mant_authority_part(authority), "needs", mant_needs(form), "time",
                              mant_time(form));
    if (parts == NULL)
        return NULL;
    bool complete = true;
    const char *key;
    json_t *part;
    json_object_foreach(parts, key, part)
    {
        complete &= json_is_true(json_object_get(part, "complete"));
    }
    return json_pack("{s:b, s:o}", "complete", complete, "parts", parts);
}

/* ---- MANT items of a stage checklist ---- */

json_t *mant_item_missing(json_t *mant, const char *item_id)
{
    static const struct {
        const char *word, *part;
    } parts[] = {
        {"money", "money"}, {"authority", "authority"}, {"need", "needs"}, {"time", "time"}};
    json_t *all = schema_get(mant, "parts");
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (strstr(item_id, parts[i].word) != NULL)
            return json_deep_copy(schema_get(schema_get(all, parts[i].part), "missing"));
    json_t *missing = json_array(); /* MANT as a whole: the parts not complete */
    const char *key;
    json_t *v;
    json_object_foreach(all, key, v)
    {
        if (missing != NULL && !json_is_true(json_object_get(v, "complete")) &&
            !push_text(missing, key)) {
            json_decref(missing);
            return NULL;
        }
    }
    return missing;
}

/* The words for what a MANT item may lack. */
static const struct mant_label {
    const char *name, *zh, *en;
} mant_labels[] = {
    {"money", "资金", "money"},
    {"authority", "权力（决策圈）", "authority (buying centre)"},
    {"needs", "需求（3–5 条）", "needs (3–5)"},
    {"time", "时间", "time-scale"},
    {"budget", "预算", "budget"},
    {"source", "资金来源", "source of funds"},
    {"approved", "预算审批", "budget approval"},
    {"in_place", "资金到位", "funds in place"},
    {"approvers", "拍板者", "approver"},
    {"decision_makers", "决策者", "decision maker"},
    {"evaluators", "评估者", "evaluator"},
    {"coaches", "教练", "coach"},
    {"tender_month", "招标月份", "tender month"},
    {"go_live", "上线日期", "go-live date"},
};

static const char *mant_label(const char *name, bool zh)
{
    for (size_t i = 0; i < sizeof(mant_labels) / sizeof(mant_labels[0]); i++)
        if (strcmp(mant_labels[i].name, name) == 0)
            return zh ? mant_labels[i].zh : mant_labels[i].en;
    return name;
}

void mant_item_evidence(json_t *missing, const char *lang, char *out, size_t cap)
{
    bool zh = lang == NULL || strcmp(lang, "en") != 0;
    if (json_array_size(missing) == 0) {
        snprintf(out, cap, "%s",
                 zh ? "由MANT表与客户决策圈计算得出"
                    : "Computed from the MANT form and the account's buying centre");
        return;
    }
    int n = snprintf(out, cap, "%s", zh ? "MANT未完整，缺：" : "MANT incomplete, missing: ");
    size_t used = n > 0 && (size_t)n < cap ? (size_t)n : cap;
    for (size_t i = 0; i < json_array_size(missing) && used < cap; i++) {
        const char *name = json_string_value(json_array_get(missing, i));
        n = snprintf(out + used, cap - used, "%s%s",
                     i == 0 ? ""
                     : zh   ? "、"
                            : ", ",
                     mant_label(name ? name : "?", zh));
        used = n > 0 && used + (size_t)n < cap ? used + (size_t)n : cap;
    }
}
