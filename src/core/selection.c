/* Selection scoring table (see selection.h). */
#include "core/selection.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/schema.h"

#define CRITERIA_MAX 30
#define VENDORS_MAX 30
#define NAME_MAX_CHARS 100
#define PATH_CAP 96

/* Criterion ids are unique and the weights add up to 100. */
static bf_result check_criteria(json_t *criteria, const char *path, bf_error *err)
{
    (void)path;
    long long sum = 0;
    for (size_t i = 0; i < json_array_size(criteria); i++) {
        json_t *c = json_array_get(criteria, i);
        json_t *id = json_object_get(c, "id");
        char f[PATH_CAP];
        snprintf(f, sizeof(f), "criteria[%zu].id", i);
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_object_get(json_array_get(criteria, k), "id"), id))
                return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats criterion %s", f,
                               json_string_value(id));
        sum += json_integer_value(json_object_get(c, "weight"));
    }
    if (sum != 100)
        return bf_fail_args(err, BF_ERR_INVALID, "weights_sum", "criteria",
                            BF_ARGS(BF_NUM("sum", sum)),
                            "the criteria weights must add up to 100, not %lld", sum);
    return BF_OK;
}

/* Vendor i has a unique name and a score for every criterion and nothing
 * else; its scores are put in criteria order. */
static bf_result check_vendor(json_t *vendors, size_t i, json_t *criteria, bf_error *err)
{
    json_t *v = json_array_get(vendors, i);
    json_t *name = json_object_get(v, "name");
    char f[PATH_CAP];
    snprintf(f, sizeof(f), "vendors[%zu].name", i);
    for (size_t k = 0; k < i; k++)
        if (json_equal(json_object_get(json_array_get(vendors, k), "name"), name))
            return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats vendor %s", f,
                           json_string_value(name));
    json_t *scores = json_object_get(v, "scores");
    const char *key;
    json_t *s;
    json_object_foreach(scores, key, s)
    {
        bool known = false;
        for (size_t k = 0; k < json_array_size(criteria) && !known; k++)
            known = strcmp(json_string_value(json_object_get(json_array_get(criteria, k), "id")),
                           key) == 0;
        if (!known) {
            snprintf(f, sizeof(f), "vendors[%zu].scores.%.30s", i, key);
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", f, "%s is not a criterion", f);
        }
    }
    json_t *ordered = json_object();
    json_incref(scores);
    bf_result r = BF_OK;
    if (ordered == NULL || json_object_set_new(v, "scores", ordered) != 0)
        r = bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    for (size_t k = 0; r == BF_OK && k < json_array_size(criteria); k++) {
        const char *id = json_string_value(json_object_get(json_array_get(criteria, k), "id"));
        snprintf(f, sizeof(f), "vendors[%zu].scores.%.30s", i, id);
        s = json_object_get(scores, id);
        if (s == NULL)
            r = bf_fail(err, BF_ERR_INVALID, "required", f, "%s is required", f);
        else if (json_object_set(ordered, id, s) != 0)
            r = bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    }
    json_decref(scores);
    return r;
}

/* Every vendor is checked against the criteria; exactly one is us. */
static bf_result check_vendors(json_t *norm, const char *path, bf_error *err)
{
    (void)path;
    json_t *criteria = json_object_get(norm, "criteria");
    json_t *vendors = json_object_get(norm, "vendors");
    size_t us_count = 0;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < json_array_size(vendors); i++) {
        r = check_vendor(vendors, i, criteria, err);
        if (r == BF_OK && json_is_true(json_object_get(json_array_get(vendors, i), "us")) &&
            ++us_count > 1) {
            char f[PATH_CAP];
            snprintf(f, sizeof(f), "vendors[%zu].us", i);
            r = bf_fail(err, BF_ERR_INVALID, "us_not_unique", f, "%s: only one vendor can be us",
                        f);
        }
    }
    if (r == BF_OK && us_count == 0)
        r = bf_fail(err, BF_ERR_INVALID, "us_missing", "vendors",
                    "one vendor must be marked \"us\": true");
    return r;
}

static const schema score = {
    .kind = SCHEMA_DECIMAL, .max = 1000, .doc = "0..10, at most two decimals"};

static const schema criterion_members[] = {
    {.name = "id", .kind = SCHEMA_ID, .flags = SCHEMA_REQUIRED},
    {.name = "name", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = NAME_MAX_CHARS},
    {.name = "weight", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 100},
    {0},
};

static const schema criterion = {.kind = SCHEMA_OBJECT, .members = criterion_members};

static const schema vendor_members[] = {
    {.name = "name", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = NAME_MAX_CHARS},
    {.name = "us", .kind = SCHEMA_BOOL, .def = "false", .doc = "This vendor is us"},
    {.name = "scores",
     .kind = SCHEMA_MAP,
     .flags = SCHEMA_REQUIRED,
     .max = CRITERIA_MAX,
     .item = &score,
     .doc = "A score for every criterion id"},
    {0},
};

static const schema vendor = {.kind = SCHEMA_OBJECT, .members = vendor_members};

static const schema selection_members[] = {
    {.name = "criteria",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = CRITERIA_MAX,
     .item = &criterion,
     .doc = "Weights sum to 100",
     .rule = check_criteria},
    {.name = "vendors",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = VENDORS_MAX,
     .item = &vendor,
     .doc = "Exactly one is us"},
    {0},
};

const schema selection_form_schema = {
    .name = "SelectionForm",
    .kind = SCHEMA_OBJECT,
    .members = selection_members,
    .rule = check_vendors,
    .doc = "Selection scoring table (选型评分表): criteria with weights and every vendor's "
           "scores"};

bf_result selection_validate(json_t *in, json_t **out, bf_error *err)
{
    return schema_check(&selection_form_schema, in, out, err);
}

/* A vendor's exact total in thousandths of a point. */
typedef struct ranked {
    json_t *vendor;
    long long exact;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->exact != y->exact)
        return x->exact > y->exact ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x->vendor, "name")),
                  json_string_value(json_object_get(y->vendor, "name")));
}

/* {"value": "83.25", "hundredths": 8325} of thousandths, rounded half up. */
static json_t *points_json(long long thousandths)
{
    long long h = (thousandths + 5) / 10;
    char value[32];
    snprintf(value, sizeof(value), "%lld.%02lld", h / 100, h % 100);
    return json_pack("{s:s, s:I}", "value", value, "hundredths", (json_int_t)h);
}

json_t *selection_evaluate(json_t *form)
{
    json_t *criteria = json_object_get(form, "criteria");
    json_t *vendors = json_object_get(form, "vendors");
    size_t n = json_array_size(vendors);
    ranked *rs = calloc(n ? n : 1, sizeof(*rs));
    if (rs == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(vendors, i);
        json_t *scores = json_object_get(v, "scores");
        rs[i].vendor = v;
        size_t k;
        json_t *c;
        json_array_foreach(criteria, k, c)
        {
            int64_t h = 0;
            json_t *s = json_object_get(scores, json_string_value(json_object_get(c, "id")));
            schema_hundredths(s, &h); /* validated: cannot fail */
            rs[i].exact += (long long)json_integer_value(json_object_get(c, "weight")) * h;
        }
    }
    qsort(rs, n, sizeof(*rs), ranked_cmp);
    json_t *out = json_object(), *list = json_array();
    bool ok = out && list && json_object_set(out, "vendors", list) == 0;
    json_decref(list);
    long long us_exact = 0;
    int us_rank = 0, rank = 0;
    for (size_t i = 0; ok && i < n; i++) {
        if (i == 0 || rs[i].exact != rs[i - 1].exact)
            rank = (int)i + 1;
        bool us = json_is_true(json_object_get(rs[i].vendor, "us"));
        if (us) {
            us_rank = rank;
            us_exact = rs[i].exact;
        }
        json_t *item =
            json_pack("{s:O, s:b, s:o, s:i}", "name", json_object_get(rs[i].vendor, "name"), "us",
                      us, "total", points_json(rs[i].exact), "rank", rank);
        ok = json_array_append_new(list, item) == 0;
    }
    ok = ok && n > 0 &&
         json_object_set(out, "leader", json_object_get(rs[0].vendor, "name")) == 0 &&
         json_object_set_new(out, "us_rank", json_integer(us_rank)) == 0 &&
         json_object_set_new(out, "gap_to_leader", points_json(rs[0].exact - us_exact)) == 0;
    free(rs);
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}
