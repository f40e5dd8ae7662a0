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

const char *proposal_review_unknown(json_t *form, const template_def *defects, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(form, "defects"), key, v)
    {
        bool known = false;
        for (size_t i = 0; !known && i < n; i++)
            known = defects[i].id && strcmp(defects[i].id, key) == 0;
        if (!known)
            return key;
    }
    return NULL;
}

json_t *proposal_review_evaluate(json_t *form, const template_def *defects, size_t n)
{
    json_t *open = json_array();
    json_t *marks = json_object_get(form, "defects");
    size_t absent = 0;
    for (size_t i = 0; open && i < n; i++) {
        json_t *mark = json_object_get(marks, defects[i].id);
        if (json_is_true(json_object_get(mark, "absent")))
            absent++;
        else if (json_array_append_new(open, json_string(defects[i].id)) != 0) {
            json_decref(open);
            return NULL;
        }
    }
    return open ? json_pack("{s:I, s:I, s:o, s:b}", "total", (json_int_t)n, "absent",
                            (json_int_t)absent, "open", open, "passed", n > 0 && absent == n)
                : NULL;
}
