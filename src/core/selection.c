/* Selection scoring table (see selection.h). */
#include "core/selection.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_check.h"

#define CRITERIA_MAX 30
#define VENDORS_MAX 30
#define NAME_MAX_CHARS 100
#define PATH_CAP 96
#define KNOWN "is not a known field" /* the message tail of an unknown field */

/* A name of 1..NAME_MAX_CHARS characters without NUL at field f. */
static bf_result check_name(json_t *v, const char *f, bf_error *err)
{
    bf_result r = json_check_required(v, f, err);
    return r != BF_OK ? r : json_check_text(v, f, NAME_MAX_CHARS, err);
}

static bf_result get_array(json_t *in, const char *key, size_t max, json_t **out, bf_error *err)
{
    *out = json_object_get(in, key);
    if (*out == NULL || json_is_null(*out))
        return bf_fail(err, BF_ERR_INVALID, "required", key, "%s is required", key);
    if (!json_is_array(*out))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", key, "%s must be an array", key);
    if (json_array_size(*out) == 0)
        return bf_fail(err, BF_ERR_INVALID, "too_few", key, "%s needs at least one item", key);
    if (json_array_size(*out) > max)
        return bf_fail(err, BF_ERR_INVALID, "too_many", key, "%s has more than %zu items", key,
                       max);
    return BF_OK;
}

/* A score 0..10 with at most two decimals, as hundredths (0..1000). JSON
 * reals arrive as doubles: 8.35 is 835 hundredths give or take a rounding
 * error far below 1e-6, while 8.351 is not. */
static bf_result score_hundredths(json_t *v, const char *f, int *out, bf_error *err)
{
    if (!json_is_number(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f, "%s must be a number", f);
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0 || n > 10)
            return bf_fail(err, BF_ERR_INVALID, "out_of_range", f, "%s must be between 0 and 10",
                           f);
        *out = (int)n * 100;
        return BF_OK;
    }
    double d = json_real_value(v);
    if (!isfinite(d) || d < 0 || d > 10)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", f, "%s must be between 0 and 10", f);
    double scaled = d * 100;
    int h = (int)(scaled + 0.5);
    double off = scaled - h;
    if (off > 1e-6 || off < -1e-6)
        return bf_fail(err, BF_ERR_INVALID, "too_many_decimals", f,
                       "%s may have at most two decimals", f);
    *out = h;
    return BF_OK;
}

static bf_result validate_criteria(json_t *criteria, json_t *out, bf_error *err)
{
    static const char *const keys[] = {"id", "name", "weight", NULL};
    long long sum = 0;
    size_t i;
    json_t *c;
    json_array_foreach(criteria, i, c)
    {
        char p[PATH_CAP], f[PATH_CAP];
        bf_result r = json_check_item(c, "criteria", i, keys, KNOWN, p, sizeof(p), err);
        if (r != BF_OK)
            return r;
        json_t *id = json_check_member(c, p, "id", f, sizeof(f));
        if ((r = json_check_required(id, f, err)) != BF_OK ||
            (r = json_check_string(id, f, err)) != BF_OK)
            return r;
        if (!json_check_id_valid(json_string_value(id)) ||
            strlen(json_string_value(id)) != json_string_length(id))
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", f,
                           "%s must be 1 to 40 lowercase letters, digits, '_' or '-'", f);
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_object_get(json_array_get(criteria, k), "id"), id))
                return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats criterion %s", f,
                               json_string_value(id));
        json_t *name = json_check_member(c, p, "name", f, sizeof(f));
        if ((r = check_name(name, f, err)) != BF_OK)
            return r;
        json_t *w = json_check_member(c, p, "weight", f, sizeof(f));
        json_int_t weight;
        if ((r = json_check_required(w, f, err)) != BF_OK ||
            (r = json_check_int(w, f, 1, 100, &weight, err)) != BF_OK)
            return r;
        sum += weight;
        json_t *item = json_pack("{s:O, s:O, s:O}", "id", id, "name", name, "weight", w);
        if (json_array_append_new(out, item) != 0)
            return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    }
    if (sum != 100)
        return bf_fail(err, BF_ERR_INVALID, "weights_sum", "criteria",
                       "the criteria weights must add up to 100, not %lld", sum);
    return BF_OK;
}

static bf_result validate_vendor(json_t *vendors, size_t i, json_t *criteria, json_t *out,
                                 bf_error *err)
{
    static const char *const keys[] = {"name", "us", "scores", NULL};
    json_t *v = json_array_get(vendors, i);
    char p[PATH_CAP], f[PATH_CAP];
    bf_result r = json_check_item(v, "vendors", i, keys, KNOWN, p, sizeof(p), err);
    if (r != BF_OK)
        return r;
    json_t *name = json_check_member(v, p, "name", f, sizeof(f));
    if ((r = check_name(name, f, err)) != BF_OK)
        return r;
    for (size_t k = 0; k < i; k++)
        if (json_equal(json_object_get(json_array_get(vendors, k), "name"), name))
            return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats vendor %s", f,
                           json_string_value(name));
    json_t *us = json_check_member(v, p, "us", f, sizeof(f));
    if (us != NULL && !json_is_null(us) && (r = json_check_bool(us, f, err)) != BF_OK)
        return r;
    json_t *scores = json_check_member(v, p, "scores", f, sizeof(f));
    if ((r = json_check_required(scores, f, err)) != BF_OK ||
        (r = json_check_object(scores, f, err)) != BF_OK)
        return r;
    const char *key;
    json_t *s;
    json_object_foreach(scores, key, s)
    {
        bool known = false;
        size_t k;
        json_t *c;
        json_array_foreach(criteria, k, c)
        {
            if (strcmp(json_string_value(json_object_get(c, "id")), key) == 0)
                known = true;
        }
        if (!known) {
            snprintf(f, sizeof(f), "%.50s.scores.%.30s", p, key);
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", f, "%s is not a criterion", f);
        }
    }
    json_t *norm_scores = json_object();
    json_t *item =
        json_pack("{s:O, s:b, s:o}", "name", name, "us", json_is_true(us), "scores", norm_scores);
    if (json_array_append_new(out, item) != 0)
        return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    size_t k;
    json_t *c;
    json_array_foreach(criteria, k, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        snprintf(f, sizeof(f), "%.50s.scores.%.30s", p, id);
        s = json_object_get(scores, id);
        if ((r = json_check_required(s, f, err)) != BF_OK)
            return r;
        int h;
        if ((r = score_hundredths(s, f, &h, err)) != BF_OK)
            return r;
        if (json_object_set(norm_scores, id, s) != 0)
            return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    }
    return BF_OK;
}

bf_result selection_validate(json_t *in, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"criteria", "vendors", NULL};
    *out = NULL;
    if (!json_is_object(in))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "the body must be a JSON object");
    bf_result r = json_check_keys(in, keys, "", "is not a known field", err);
    if (r != BF_OK)
        return r;
    json_t *criteria, *vendors;
    if ((r = get_array(in, "criteria", CRITERIA_MAX, &criteria, err)) != BF_OK)
        return r;
    json_t *norm = json_pack("{s:[], s:[]}", "criteria", "vendors");
    if (norm == NULL)
        return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    json_t *norm_criteria = json_object_get(norm, "criteria");
    json_t *norm_vendors = json_object_get(norm, "vendors");
    if ((r = validate_criteria(criteria, norm_criteria, err)) != BF_OK ||
        (r = get_array(in, "vendors", VENDORS_MAX, &vendors, err)) != BF_OK)
        goto fail;
    size_t us_count = 0;
    for (size_t i = 0; i < json_array_size(vendors); i++) {
        if ((r = validate_vendor(vendors, i, norm_criteria, norm_vendors, err)) != BF_OK)
            goto fail;
        if (json_is_true(json_object_get(json_array_get(vendors, i), "us")) && ++us_count > 1) {
            char f[PATH_CAP];
            snprintf(f, sizeof(f), "vendors[%zu].us", i);
            r = bf_fail(err, BF_ERR_INVALID, "us_not_unique", f, "%s: only one vendor can be us",
                        f);
            goto fail;
        }
    }
    if (us_count == 0) {
        r = bf_fail(err, BF_ERR_INVALID, "us_missing", "vendors",
                    "one vendor must be marked \"us\": true");
        goto fail;
    }
    *out = norm;
    return BF_OK;
fail:
    json_decref(norm);
    return r;
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
            int h = 0;
            json_t *s = json_object_get(scores, json_string_value(json_object_get(c, "id")));
            score_hundredths(s, "", &h, NULL); /* validated: cannot fail */
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
