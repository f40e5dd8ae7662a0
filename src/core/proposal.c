/* The review of a proposal (see proposal.h). */
#include "core/proposal.h"

#include <string.h>

static const schema defect_mark_members[] = {
    {.name = "absent",
     .kind = SCHEMA_BOOL,
     .flags = SCHEMA_REQUIRED,
     .doc = "true: the reviewer found the proposal free of this defect"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 500, .doc = "What was found or changed"},
    {0}};

static const schema defect_mark = {.kind = SCHEMA_OBJECT, .members = defect_mark_members};

static const schema review_members[] = {
    {.name = "defects",
     .kind = SCHEMA_MAP,
     .item = &defect_mark,
     .doc = "By defect id (the playbook's proposal_defects): absent or not, with a note"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 2000, .doc = "The reviewer's summary"},
    {0}};

const schema proposal_review_schema = {
    .name = "ProposalReviewForm",
    .kind = SCHEMA_OBJECT,
    .members = review_members,
    .doc = "The review of a proposal against the playbook's common defects (方案评审)"};

/* The first key of marks that items (n of them) does not name, or NULL. */
static const char *unknown_of(json_t *marks, const template_def *items, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(marks, key, v)
    {
        bool known = false;
        for (size_t i = 0; !known && i < n; i++)
            known = items[i].id && strcmp(items[i].id, key) == 0;
        if (!known)
            return key;
    }
    return NULL;
}

/* {total, <flag>: how many are marked flag, open: the others, passed}. */
static json_t *evaluate(json_t *marks, const char *flag, const template_def *items, size_t n)
{
    json_t *open = json_array();
    size_t marked = 0;
    for (size_t i = 0; open && i < n; i++) {
        json_t *mark = json_object_get(marks, items[i].id);
        if (json_is_true(json_object_get(mark, flag)))
            marked++;
        else if (json_array_append_new(open, json_string(items[i].id)) != 0) {
            json_decref(open);
            return NULL;
        }
    }
    return open ? json_pack("{s:I, s:I, s:o, s:b}", "total", (json_int_t)n, flag,
                            (json_int_t)marked, "open", open, "passed", n > 0 && marked == n)
                : NULL;
}

const char *proposal_review_unknown(json_t *form, const template_def *defects, size_t n)
{
    return unknown_of(json_object_get(form, "defects"), defects, n);
}

json_t *proposal_review_evaluate(json_t *form, const template_def *defects, size_t n)
{
    return evaluate(json_object_get(form, "defects"), "absent", defects, n);
}

static const schema condition_mark_members[] = {
    {.name = "met",
     .kind = SCHEMA_BOOL,
     .flags = SCHEMA_REQUIRED,
     .doc = "true: the condition holds"},
    {.name = "evidence", .kind = SCHEMA_TEXT, .max = 500, .doc = "What shows it"},
    {0}};

static const schema condition_mark = {.kind = SCHEMA_OBJECT, .members = condition_mark_members};

static const schema conditions_members[] = {
    {.name = "conditions",
     .kind = SCHEMA_MAP,
     .item = &condition_mark,
     .doc = "By condition id (the playbook's buying_conditions): met or not, with evidence"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 2000},
    {0}};

const schema buying_conditions_schema = {
    .name = "BuyingConditionsForm",
    .kind = SCHEMA_OBJECT,
    .members = conditions_members,
    .doc = "The check of the customer's buying conditions (客户购买条件确认表)"};

const char *buying_conditions_unknown(json_t *form, const template_def *conditions, size_t n)
{
    return unknown_of(json_object_get(form, "conditions"), conditions, n);
}

json_t *buying_conditions_evaluate(json_t *form, const template_def *conditions, size_t n)
{
    return evaluate(json_object_get(form, "conditions"), "met", conditions, n);
}
