/* Tender record (see tender.h). */
#include "core/tender.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/bid.h"
#include "core/json_check.h"
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
static const char *const date_keys[] = {"documents", "qa",           "submission",
                                        "opening",   "award_notice", NULL};

static bf_result text_field(json_t *o, const char *key, const char *field, size_t max,
                            bool required, bf_error *err)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v))
        return required ? bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field)
                        : BF_OK;
    if (!json_is_string(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be a string", field);
    if (text_utf8_length(json_string_value(v), json_string_length(v)) > max)
        return bf_fail(err, BF_ERR_INVALID, "too_long", field,
                       "%s is too long: at most %zu characters", field, max);
    if (required && json_string_length(v) == 0)
        return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field);
    return BF_OK;
}

static bf_result date_field(json_t *o, const char *key, const char *field, bf_error *err)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v))
        return BF_OK;
    return json_check_date(v, field, err);
}

/* The message tail of an unknown field. */
#define NOT_A_FIELD "is not a field of a tender record"

static bf_result only_keys(json_t *o, const char *parent, const char *const *keys, bf_error *err)
{
    return json_check_keys(o, keys, parent, NOT_A_FIELD, err);
}

static bf_result check_dates(json_t *dates, bf_error *err)
{
    if (!json_is_object(dates))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "dates", "dates must be an object");
    bf_result r = only_keys(dates, "dates", date_keys, err);
    const char *prev = NULL, *prev_key = NULL;
    for (size_t i = 0; r == BF_OK && date_keys[i]; i++) {
        char field[40];
        json_check_path_key(field, sizeof(field), "dates", date_keys[i]);
        if ((r = date_field(dates, date_keys[i], field, err)) != BF_OK)
            break;
        const char *d = json_string_value(json_object_get(dates, date_keys[i]));
        if (d == NULL)
            continue;
        if (prev != NULL && strcmp(d, prev) < 0)
            r = bf_fail(err, BF_ERR_INVALID, "out_of_order", field,
                        "%s (%s) must not be before %s (%s)", field, d, prev_key, prev);
        prev = d;
        prev_key = date_keys[i];
    }
    return r;
}

static bf_result check_tasks(json_t *tasks, bf_error *err)
{
    static const char *const keys[] = {"step", "owner", "due", "done", NULL};
    if (!json_is_array(tasks) || json_array_size(tasks) > 100)
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "tasks",
                       "tasks must be an array of at most 100 tasks");
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t)
    {
        char at[40], field[60];
        bf_result r = json_check_item(t, "tasks", i, keys, NOT_A_FIELD, at, sizeof(at), err);
        json_check_path_key(field, sizeof(field), at, "step");
        if (r == BF_OK)
            r = text_field(t, "step", field, 200, true, err);
        json_check_path_key(field, sizeof(field), at, "owner");
        if (r == BF_OK)
            r = text_field(t, "owner", field, 100, false, err);
        json_check_path_key(field, sizeof(field), at, "due");
        if (r == BF_OK)
            r = date_field(t, "due", field, err);
        json_t *done = json_object_get(t, "done");
        json_check_path_key(field, sizeof(field), at, "done");
        if (r == BF_OK && done != NULL)
            r = json_check_bool(done, field, err);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

static bf_result check_opening(json_t *record, bf_error *err)
{
    static const char *const keys[] = {"bidder", "price", "note", NULL};
    if (!json_is_array(record) || json_array_size(record) > 100)
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "opening_record",
                       "opening_record must be an array of at most 100 bidders");
    size_t i;
    json_t *b;
    json_array_foreach(record, i, b)
    {
        char at[48], field[64];
        bf_result r =
            json_check_item(b, "opening_record", i, keys, NOT_A_FIELD, at, sizeof(at), err);
        json_check_path_key(field, sizeof(field), at, "bidder");
        if (r == BF_OK)
            r = text_field(b, "bidder", field, 200, true, err);
        json_check_path_key(field, sizeof(field), at, "note");
        if (r == BF_OK)
            r = text_field(b, "note", field, 1000, false, err);
        if (r != BF_OK)
            return r;
        json_check_path_key(field, sizeof(field), at, "price");
        json_t *price = json_object_get(b, "price");
        if (price == NULL)
            return bf_fail(err, BF_ERR_INVALID, "required", field,
                           "%s is required: the price read out (fen)", field);
        if (!json_is_integer(price))
            return bf_fail(err, BF_ERR_INVALID, "wrong_type", field,
                           "%s must be a whole number of fen", field);
        if (json_integer_value(price) < 0)
            return bf_fail(err, BF_ERR_INVALID, "negative", field, "%s must not be negative",
                           field);
    }
    return BF_OK;
}

/* A copy of o without the keys whose value is null ("not given"). */
static json_t *without_nulls(json_t *o)
{
    json_t *copy = json_deep_copy(o);
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(copy, tmp, key, v)
    {
        if (json_is_null(v))
            json_object_del(copy, key);
    }
    json_t *dates = json_object_get(copy, "dates");
    json_object_foreach_safe(dates, tmp, key, v)
    {
        if (json_is_null(v))
            json_object_del(dates, key);
    }
    return copy;
}

static bf_result tender_check(json_t *in, json_t **out, bf_error *err);

bf_result tender_validate(json_t *in, json_t **out, bf_error *err)
{
    if (!json_is_object(in))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "a tender record is an object");
    json_t *clean = without_nulls(in);
    if (clean == NULL)
        return BF_ERR_NOMEM;
    bf_result r = tender_check(clean, out, err);
    json_decref(clean);
    return r;
}

static bf_result tender_check(json_t *in, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"procurement_method", "number", "dates",  "tasks",
                                       "opening_record",     "facts",  "scheme", "result",
                                       "result_note",        NULL};
    if (!json_is_object(in))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "a tender record is an object");
    bf_result r = only_keys(in, "", keys, err);
    json_t *method = json_object_get(in, "procurement_method");
    if (r == BF_OK && method != NULL &&
        (!json_is_string(method) ||
         !json_check_one_of(json_string_value(method), procurement_methods)))
        r = bf_fail(err, BF_ERR_INVALID, "invalid_value", "procurement_method",
                    "procurement_method must be public_tender, invited_tender, "
                    "competitive_negotiation, single_source or inquiry");
    if (r == BF_OK)
        r = text_field(in, "number", "number", 100, false, err);
    if (r == BF_OK)
        r = text_field(in, "result_note", "result_note", 2000, false, err);
    json_t *result = json_object_get(in, "result");
    if (r == BF_OK && result != NULL &&
        (!json_is_string(result) || !json_check_one_of(json_string_value(result), results)))
        r = bf_fail(err, BF_ERR_INVALID, "invalid_value", "result",
                    "result must be pending, won, lost, failed or cancelled");
    json_t *dates = json_object_get(in, "dates");
    if (r == BF_OK && dates != NULL)
        r = check_dates(dates, err);
    json_t *tasks = json_object_get(in, "tasks");
    if (r == BF_OK && tasks != NULL)
        r = check_tasks(tasks, err);
    json_t *opening = json_object_get(in, "opening_record");
    if (r == BF_OK && opening != NULL)
        r = check_opening(opening, err);
    /* The advisor and the simulation validate their own parts, naming fields
     * inside them; a failure is reported under the part's name. */
    json_t *scratch = NULL;
    json_t *facts = json_object_get(in, "facts");
    if (r == BF_OK && facts != NULL) {
        r = procurement_advise(facts, &scratch, err);
        json_decref(scratch);
        scratch = NULL;
        if (r != BF_OK && err) {
            char field[sizeof(err->field)];
            snprintf(field, sizeof(field), "facts%s%.50s", err->field[0] ? "." : "", err->field);
            snprintf(err->field, sizeof(err->field), "%s", field);
        }
    }
    json_t *scheme = json_object_get(in, "scheme");
    if (r == BF_OK && scheme != NULL) {
        r = bid_simulate(scheme, &scratch, err);
        json_decref(scratch);
        if (r != BF_OK && err) {
            char field[sizeof(err->field)];
            snprintf(field, sizeof(field), "scheme%s%.50s", err->field[0] ? "." : "", err->field);
            snprintf(err->field, sizeof(err->field), "%s", field);
        }
    }
    if (r != BF_OK)
        return r;
    json_t *copy = json_deep_copy(in);
    if (copy == NULL)
        return BF_ERR_NOMEM;
    if (tasks == NULL) {
        json_t *defaults = json_array();
        for (size_t i = 0; bid_steps[i]; i++)
            json_array_append_new(defaults,
                                  json_pack("{s:s, s:b}", "step", bid_steps[i], "done", 0));
        json_object_set_new(copy, "tasks", defaults);
    }
    if (result == NULL)
        json_object_set_new(copy, "result", json_string("pending"));
    *out = copy;
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
