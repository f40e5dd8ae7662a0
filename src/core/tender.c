/* Tender record (see tender.h). */
#include "core/tender.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/bid.h"
#include "core/schema.h"
#include "core/procurement.h"
#include "core/text.h"

/* The ten bid steps (标书制作十步) of the Huayu method. */
static const char *const bid_steps[] = {
    "通读招标文件两遍，列出疑问并书面澄清",
    "确定投标负责人，组建投标小组并分工",
    "制定投标策略",
    "制定标书编写计划与模板：目录对应评分标准，细到三级标题",
    "分工编写标书",
    "小组评审与部门评审",
    "根据评审意见修改完善",
    "打印样稿，逐页校对",
    "装订、盖章、密封",
    "述标准备与演练",
    NULL,
};

static const char *const results[] = {"pending", "won", "lost", "failed", "cancelled", NULL};
const char *const tender_date_keys[] = {"documents", "qa",           "submission",
                                        "opening",   "award_notice", NULL};

/* The key dates' names, in the order of tender_date_keys. */
static const char *const date_labels[][2] = {
    {"发售标书", "Tender documents out"},
    {"答疑澄清", "Questions answered"},
    {"投标截止", "Bids due"},
    {"开标", "Bids opened"},
    {"中标公示", "Award announced"},
};

const char *tender_date_label(const char *key, const char *lang)
{
    bool en = lang != NULL && strcmp(lang, "en") == 0;
    for (size_t i = 0; key != NULL && tender_date_keys[i]; i++)
        if (strcmp(tender_date_keys[i], key) == 0)
            return date_labels[i][en];
    return key;
}

/* The results' names, in the order of results. */
static const char *const result_labels[][2] = {
    {"进行中", "Pending"},   {"中标", "Won"},         {"未中标", "Lost"},
    {"流标/废标", "Failed"}, {"已取消", "Cancelled"},
};

const char *tender_result_label(const char *result, const char *lang)
{
    bool en = lang != NULL && strcmp(lang, "en") == 0;
    for (size_t i = 0; result != NULL && results[i]; i++)
        if (strcmp(results[i], result) == 0)
            return result_labels[i][en];
    return result;
}

/* The key dates follow one another: none is before the one above it. */
static bf_result check_dates(json_t *dates, const char *path, bf_error *err)
{
    const char *prev = NULL, *prev_key = NULL;
    for (size_t i = 0; tender_date_keys[i]; i++) {
        const char *d = json_string_value(json_object_get(dates, tender_date_keys[i]));
        if (d == NULL)
            continue;
        if (prev != NULL && strcmp(d, prev) < 0) {
            char field[64];
            schema_path_key(field, sizeof(field), path, tender_date_keys[i]);
            return bf_fail(err, BF_ERR_INVALID, "out_of_order", field,
                           "%s (%s) must not be before %s (%s)", field, d, prev_key, prev);
        }
        prev = d;
        prev_key = tender_date_keys[i];
    }
    return BF_OK;
}

static const schema date_members[] = {
    {.name = "documents", .kind = SCHEMA_DATE, .doc = "Tender documents out"},
    {.name = "qa", .kind = SCHEMA_DATE, .doc = "Questions answered"},
    {.name = "submission", .kind = SCHEMA_DATE, .doc = "Bids due"},
    {.name = "opening", .kind = SCHEMA_DATE, .doc = "Bids opened"},
    {.name = "award_notice", .kind = SCHEMA_DATE, .doc = "Award announced"},
    {0},
};

static const schema task_members[] = {
    {.name = "step", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 200},
    {.name = "owner", .kind = SCHEMA_TEXT, .max = 100},
    {.name = "due", .kind = SCHEMA_DATE},
    {.name = "done", .kind = SCHEMA_BOOL},
    {0},
};

static const schema task = {.kind = SCHEMA_OBJECT, .members = task_members};

static const schema opening_members[] = {
    {.name = "bidder", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 200},
    {.name = "price",
     .kind = SCHEMA_MONEY,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "The price read out, fen"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 1000},
    {0},
};

static const schema opening = {.kind = SCHEMA_OBJECT, .members = opening_members};

static const schema tender_members[] = {
    {.name = "procurement_method", .kind = SCHEMA_ENUM, .values = procurement_methods},
    {.name = "number", .kind = SCHEMA_TEXT, .max = 100, .doc = "The tender's number"},
    {.name = "dates", .kind = SCHEMA_OBJECT, .members = date_members, .rule = check_dates},
    {.name = "tasks",
     .kind = SCHEMA_ARRAY,
     .max = 100,
     .item = &task,
     .doc = "The bid tasks; the ten bid steps when left out"},
    {.name = "opening_record",
     .kind = SCHEMA_ARRAY,
     .max = 100,
     .item = &opening,
     .doc = "Every bidder and its price read out at the opening"},
    {.name = "facts", .ref = &procurement_facts_schema},
    {.name = "scheme", .ref = &bid_simulation_schema},
    {.name = "result", .kind = SCHEMA_ENUM, .values = results, .def = "\"pending\""},
    {.name = "result_note", .kind = SCHEMA_TEXT, .max = 2000},
    {0},
};

const schema tender_form_schema = {
    .name = "TenderForm",
    .kind = SCHEMA_OBJECT,
    .members = tender_members,
    .doc = "Tender record: method, number, key dates, bid tasks, opening record, result, the "
           "facts for the procurement advisor and the scheme for the bid simulation"};

bf_result tender_validate(json_t *in, json_t **out, bf_error *err)
{
    bf_result r = schema_check(&tender_form_schema, in, out, err);
    if (r != BF_OK || json_object_get(*out, "tasks") != NULL)
        return r;
    json_t *defaults = json_array();
    for (size_t i = 0; defaults != NULL && bid_steps[i]; i++)
        if (json_array_append_new(defaults,
                                  json_pack("{s:s, s:b}", "step", bid_steps[i], "done", 0)) != 0)
            json_decref(defaults), defaults = NULL;
    if (defaults == NULL || json_object_set_new(*out, "tasks", defaults) != 0) {
        json_decref(*out);
        *out = NULL;
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    return BF_OK;
}

json_t *tender_evaluate(json_t *tender)
{
    json_t *warnings = json_array();
    json_t *advice = json_null(), *simulation = json_null();
    bf_error err;
    json_t *facts = json_object_get(tender, "facts");
    if (facts != NULL && procurement_advise(facts, &advice, &err) != BF_OK)
        advice = json_null();
    json_t *scheme = json_object_get(tender, "scheme");
    if (scheme != NULL && bid_simulate(scheme, &simulation, &err) != BF_OK)
        simulation = json_null();
    size_t done = 0, total = 0, i;
    json_t *t;
    json_array_foreach(json_object_get(tender, "tasks"), i, t)
    {
        total++;
        done += json_is_true(json_object_get(t, "done"));
    }
    const char *method = json_string_value(json_object_get(tender, "procurement_method"));
    size_t bidders = json_array_size(json_object_get(tender, "opening_record"));
    if (method && strcmp(method, "public_tender") == 0 && bidders > 0 && bidders < 3)
        json_array_append_new(
            warnings,
            json_pack(
                "{s:s, s:{s:s, s:s}}", "code", "tender_fails", "text", "zh",
                "公开招标的合格投标人不足三家，招标失败（废标），须依法重新招标或变更采购方式。",
                "en",
                "A public tender with fewer than three qualified bidders fails; it must be "
                "re-run or the procurement method changed as the law allows."));
    return json_pack("{s:O, s:o, s:o, s:I, s:I, s:o}", "tender", tender, "advice", advice,
                     "simulation", simulation, "tasks_done", (json_int_t)done, "tasks_total",
                     (json_int_t)total, "warnings", warnings);
}
