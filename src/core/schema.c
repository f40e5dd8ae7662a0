/* Declared JSON bodies: validation, normalization and JSON Schema (see
 * schema.h). */
#include "core/schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Room for a path; bf_error.field keeps its first 127 bytes. */
#define PATH_CAP 128

void schema_path_key(char *out, size_t cap, const char *parent, const char *key)
{
    if (parent == NULL)
        parent = ""; /* a key of the body itself */
    if (snprintf(out, cap, "%s%s%s", parent, parent[0] ? "." : "", key) < 0)
        out[0] = '\0';
}

void schema_path_index(char *out, size_t cap, const char *parent, size_t i)
{
    if (snprintf(out, cap, "%s[%zu]", parent, i) < 0)
        out[0] = '\0';
}

void schema_path_format(char *out, size_t cap, const char *path, const char *fmt, ...)
{
    if (path == NULL)
        path = "";
    int n = snprintf(out, cap, "%s%s", path, path[0] ? "." : "");
    if (n < 0 || (size_t)n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(out + n, cap - (size_t)n, fmt, ap) < 0)
        out[n] = '\0';
    va_end(ap);
}

bool schema_one_of(const char *s, const char *const *values)
{
    for (size_t i = 0; values[i] != NULL; i++)
        if (strcmp(s, values[i]) == 0)
            return true;
    return false;
}

bool schema_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool schema_hundredths(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n > INT64_MAX / 100 || n < INT64_MIN / 100)
            return false;
        *out = n * 100;
        return true;
    }
    double d = json_real_value(v);
    if (!json_is_real(v) || !isfinite(d) || fabs(d) > 1e12)
        return false;
    /* JSON reals arrive as doubles: 8.35 is 835 hundredths give or take a
     * rounding error far below 1e-6, while 8.351 is not. */
    double scaled = d * 100;
    double h = floor(scaled + 0.5);
    if (fabs(scaled - h) > 1e-6)
        return false;
    *out = (int64_t)h;
    return true;
}

json_t *schema_get(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_null(v) ? NULL : v;
}

const char *schema_get_text(json_t *obj, const char *key)
{
    const char *s = json_string_value(schema_get(obj, key));
    return s != NULL && s[0] != '\0' ? s : NULL;
}

const schema *schema_member(const schema *s, const char *name)
{
    if (s->kind != SCHEMA_OBJECT || s->members == NULL)
        return NULL;
    for (const schema *m = s->members; m->name != NULL; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

static const schema text_pair_members[] = {
    {.name = "zh", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 100, .doc = "中文"},
    {.name = "en", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 100, .doc = "English"},
    {0},
};

const schema schema_text_pair = {.name = "TextPair",
                                 .kind = SCHEMA_OBJECT,
                                 .members = text_pair_members,
                                 .doc = "A text in Chinese and English"};

json_t *schema_text_pair_new(const char *zh, const char *en)
{
    return json_pack("{s:s, s:s}", "zh", zh, "en", en);
}

/* The schema a member follows: its named body, or itself. */
static const schema *followed(const schema *s)
{
    while (s->ref != NULL)
        s = s->ref;
    return s;
}

static bf_result fail_nomem(bf_error *err)
{
    return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
}

static bf_result fail_type(const char *path, const char *what, bf_error *err)
{
    if (path[0] == '\0')
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "the body must be %s", what);
    return bf_fail(err, BF_ERR_INVALID, "wrong_type", path, "%s must be %s", path, what);
}

/* ---- scalars ---- */

static bf_result check_text(const schema *s, json_t *v, const char *path, json_t **out,
                            bf_error *err)
{
    if (!json_is_string(v))
        return fail_type(path, "a string", err);
    const char *p = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(p, '\0', n) != NULL)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                       "%s must not contain NUL characters", path);
    if (!text_utf8_valid(p, n, NULL))
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path, "%s must be UTF-8 text", path);
    if (s->kind == SCHEMA_TEXT)
        p = text_trim(p, &n);
    if (n == 0) {
        *out = NULL; /* blank: not given */
        return BF_OK;
    }
    size_t chars = text_utf8_length(p, n);
    if (s->max > 0 && chars > (size_t)s->max)
        return bf_fail_args(err, BF_ERR_INVALID, "too_long", path, BF_ARGS(BF_NUM("max", s->max)),
                            "%s has more than %lld characters", path, (long long)s->max);
    if (chars < (size_t)s->min)
        return bf_fail_args(err, BF_ERR_INVALID, "too_short", path, BF_ARGS(BF_NUM("min", s->min)),
                            "%s needs at least %lld characters", path, (long long)s->min);
    *out = json_stringn(p, n);
    return *out ? BF_OK : fail_nomem(err);
}

static bf_result check_enum(const schema *s, json_t *v, const char *path, json_t **out,
                            bf_error *err)
{
    if (!json_is_string(v))
        return fail_type(path, "a string", err);
    if (!schema_one_of(json_string_value(v), s->values)) {
        char list[160] = "";
        size_t used = 0;
        for (size_t i = 0; s->values[i] != NULL && used < sizeof(list); i++) {
            int k = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", s->values[i]);
            if (k < 0)
                break;
            used += (size_t)k;
        }
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path, "%s must be one of: %s", path,
                       list);
    }
    *out = json_incref(v);
    return BF_OK;
}

static bf_result check_integer(const schema *s, json_t *v, const char *path, json_t **out,
                               bf_error *err)
{
    bool money = s->kind == SCHEMA_MONEY;
    if (!json_is_integer(v))
        return fail_type(path, money ? "a whole number of fen (分)" : "an integer", err);
    json_int_t n = json_integer_value(v);
    if (money && n < 0 && s->min >= 0)
        return bf_fail(err, BF_ERR_INVALID, "negative", path,
                       "%s must not be negative (an amount in fen)", path);
    if (n < s->min || n > s->max)
        return bf_fail_args(err, BF_ERR_INVALID, "out_of_range", path,
                            BF_ARGS(BF_NUM("min", s->min), BF_NUM("max", s->max)),
                            "%s must be between %lld and %lld", path, (long long)s->min,
                            (long long)s->max);
    *out = json_incref(v);
    return BF_OK;
}

static bf_result check_decimal(const schema *s, json_t *v, const char *path, json_t **out,
                               bf_error *err)
{
    if (!json_is_number(v))
        return fail_type(path, "a number", err);
    int64_t h;
    double d = json_number_value(v);
    if (!isfinite(d) || d * 100 < (double)s->min - 1e-6 || d * 100 > (double)s->max + 1e-6) {
        char min[32], max[32];
        snprintf(min, sizeof(min), "%lld.%02lld", (long long)(s->min / 100),
                 (long long)(s->min % 100));
        snprintf(max, sizeof(max), "%lld.%02lld", (long long)(s->max / 100),
                 (long long)(s->max % 100));
        return bf_fail_args(err, BF_ERR_INVALID, "out_of_range", path,
                            BF_ARGS(BF_TEXT("min", min), BF_TEXT("max", max)),
                            "%s must be between %s and %s", path, min, max);
    }
    if (!schema_hundredths(v, &h))
        return bf_fail(err, BF_ERR_INVALID, "too_many_decimals", path,
                       "%s may have at most two decimals", path);
    *out = json_incref(v);
    return BF_OK;
}

/* True when m is "YYYY-MM" with a year 1900..2999 and a month 01..12. */
static bool month_valid(const char *m)
{
    if (strlen(m) != 7 || m[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (m[i] < '0' || m[i] > '9'))
            return false;
    int year = (m[0] - '0') * 1000 + (m[1] - '0') * 100 + (m[2] - '0') * 10 + (m[3] - '0');
    int month = (m[5] - '0') * 10 + (m[6] - '0');
    return year >= 1900 && year <= 2999 && month >= 1 && month <= 12;
}

static bf_result check_scalar(const schema *s, json_t *v, const char *path, json_t **out,
                              bf_error *err)
{
    switch (s->kind) {
    case SCHEMA_TEXT:
    case SCHEMA_SECRET:
        return check_text(s, v, path, out, err);
    case SCHEMA_ID:
        if (!json_is_string(v))
            return fail_type(path, "a string", err);
        if (json_string_length(v) != strlen(json_string_value(v)) ||
            !schema_id_valid(json_string_value(v)))
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                           "%s must be 1 to 40 lowercase letters, digits, '_' or '-'", path);
        break;
    case SCHEMA_SLUG:
        if (!json_is_string(v))
            return fail_type(path, "a string", err);
        if (json_string_length(v) != strlen(json_string_value(v)) ||
            !text_slug_valid(json_string_value(v)))
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                           "%s must match ^[a-z0-9][a-z0-9-]{0,47}$, not \"%.60s\"", path,
                           json_string_value(v));
        break;
    case SCHEMA_ENUM:
        return check_enum(s, v, path, out, err);
    case SCHEMA_INT:
    case SCHEMA_MONEY:
        return check_integer(s, v, path, out, err);
    case SCHEMA_DECIMAL:
        return check_decimal(s, v, path, out, err);
    case SCHEMA_ANY:
        if (!json_is_object(v))
            return fail_type(path, path[0] ? "an object" : "a JSON object", err);
        break;
    case SCHEMA_NUMBER:
        if (!json_is_number(v) || !isfinite(json_number_value(v)))
            return fail_type(path, "a number", err);
        break;
    case SCHEMA_BOOL:
        if (!json_is_boolean(v))
            return fail_type(path, "true or false", err);
        break;
    case SCHEMA_DATE:
        if (!json_is_string(v))
            return fail_type(path, "a string", err);
        if (!text_date_valid(json_string_value(v)))
            return bf_fail(err, BF_ERR_INVALID, "invalid_date", path,
                           "%s must be a date YYYY-MM-DD", path);
        break;
    case SCHEMA_MONTH:
        if (!json_is_string(v))
            return fail_type(path, "a string", err);
        if (!month_valid(json_string_value(v)))
            return bf_fail(err, BF_ERR_INVALID, "invalid_month", path, "%s must be a month YYYY-MM",
                           path);
        break;
    default:
        return bf_fail(err, BF_ERR_INTERNAL, NULL, path, "%s: not a scalar schema", path);
    }
    *out = json_incref(v);
    return BF_OK;
}

/* ---- containers ---- */

/* The collector of schema_check_all on this thread, or NULL: while one is
 * set, a part that fails is reported to it and left out, and the walk goes
 * on. */
typedef struct collector {
    void (*report)(void *ctx, const bf_error *fault);
    void *ctx;
    size_t count;
} collector;

static _Thread_local collector *collecting;

/* r, or BF_OK once a validation failure was handed to the collector. */
static bf_result collected(bf_result r, const bf_error *err)
{
    if (r != BF_ERR_INVALID || collecting == NULL || err == NULL)
        return r;
    collecting->count++;
    collecting->report(collecting->ctx, err);
    return BF_OK;
}

/* The value of a member that is absent, null or blank: its default, else
 * nothing (or "required"). */
static bf_result absent_member(const schema *m, const char *path, bool blank, json_t **out,
                               bf_error *err)
{
    *out = NULL;
    if (m->flags & SCHEMA_REQUIRED) {
        if (blank)
            return bf_fail(err, BF_ERR_INVALID, "required", path, "%s must not be empty", path);
        return bf_fail(err, BF_ERR_INVALID, "required", path, "%s is required", path);
    }
    if (m->def == NULL)
        return BF_OK;
    *out = json_loads(m->def, JSON_DECODE_ANY, NULL);
    return *out ? BF_OK : fail_nomem(err);
}

static bf_result check_object(const schema *s, json_t *v, const char *path, json_t **out,
                              bf_error *err)
{
    if (!json_is_object(v))
        return fail_type(path, path[0] ? "an object" : "a JSON object", err);
    char at[PATH_CAP];
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (schema_member(s, key) == NULL) {
            schema_path_key(at, sizeof(at), path, key);
            bf_result r =
                bf_fail(err, BF_ERR_INVALID, "unknown_field", at, "%s is not a known field", at);
            if (collected(r, err) != BF_OK)
                return r;
        }
    }
    json_t *o = json_object();
    if (o == NULL)
        return fail_nomem(err);
    for (const schema *m = s->members; m->name != NULL; m++) {
        schema_path_key(at, sizeof(at), path, m->name);
        json_t *given = json_object_get(v, m->name), *norm = NULL;
        bf_result r;
        if (json_is_null(given) && (m->flags & SCHEMA_CLEARS)) {
            r = (norm = json_null()) ? BF_OK : fail_nomem(err);
        } else if (given == NULL || json_is_null(given)) {
            r = absent_member(m, at, false, &norm, err);
        } else {
            r = schema_check_at(m, given, at, &norm, err);
            if (r == BF_OK && norm == NULL)
                r = absent_member(m, at, true, &norm, err);
        }
        r = collected(r, err);
        if (r == BF_OK && norm != NULL && json_object_set_new(o, m->name, norm) != 0)
            r = fail_nomem(err);
        if (r != BF_OK) {
            json_decref(o);
            return r;
        }
    }
    *out = o;
    return BF_OK;
}

static bf_result check_array(const schema *s, json_t *v, const char *path, json_t **out,
                             bf_error *err)
{
    if (!json_is_array(v))
        return fail_type(path, "an array", err);
    size_t n = json_array_size(v);
    bf_result size = BF_OK;
    if (n < (size_t)s->min)
        size = bf_fail_args(err, BF_ERR_INVALID, "too_few", path,
                            BF_ARGS(BF_NUM("min", s->min ? s->min : 1)),
                            n == 0 ? "%s needs at least one item" : "%s needs at least %lld items",
                            path, (long long)s->min);
    else if (s->max > 0 && n > (size_t)s->max)
        size = bf_fail_args(err, BF_ERR_INVALID, "too_many", path, BF_ARGS(BF_NUM("max", s->max)),
                            "%s has more than %lld items", path, (long long)s->max);
    if (size != BF_OK && collected(size, err) != BF_OK)
        return size;
    json_t *a = json_array();
    if (a == NULL)
        return fail_nomem(err);
    for (size_t i = 0; i < n; i++) {
        char at[PATH_CAP];
        schema_path_index(at, sizeof(at), path, i);
        json_t *e = json_array_get(v, i), *norm = NULL;
        bf_result r = json_is_null(e)
                          ? bf_fail(err, BF_ERR_INVALID, "required", at, "%s is required", at)
                          : schema_check_at(s->item, e, at, &norm, err);
        if (r == BF_OK && norm == NULL)
            r = bf_fail(err, BF_ERR_INVALID, "required", at, "%s must not be empty", at);
        r = collected(r, err);
        if (r == BF_OK && norm != NULL && json_array_append_new(a, norm) != 0)
            r = fail_nomem(err);
        if (r != BF_OK) {
            json_decref(a);
            return r;
        }
    }
    *out = a;
    return BF_OK;
}

static bf_result check_map(const schema *s, json_t *v, const char *path, json_t **out,
                           bf_error *err)
{
    if (!json_is_object(v))
        return fail_type(path, "an object", err);
    if (s->max > 0 && json_object_size(v) > (size_t)s->max)
        return bf_fail_args(err, BF_ERR_INVALID, "too_many", path, BF_ARGS(BF_NUM("max", s->max)),
                            "%s has more than %lld keys", path, (long long)s->max);
    json_t *o = json_object();
    if (o == NULL)
        return fail_nomem(err);
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        char at[PATH_CAP];
        schema_path_key(at, sizeof(at), path, key);
        json_t *norm = NULL;
        bf_result r = json_is_null(val) ? BF_OK : schema_check_at(s->item, val, at, &norm, err);
        r = collected(r, err);
        if (r == BF_OK && norm != NULL && json_object_set_new(o, key, norm) != 0)
            r = fail_nomem(err);
        if (r != BF_OK) {
            json_decref(o);
            return r;
        }
    }
    *out = o;
    return BF_OK;
}

static bf_result check_kind(const schema *s, json_t *v, const char *path, json_t **out,
                            bf_error *err)
{
    switch (s->kind) {
    case SCHEMA_OBJECT:
        return check_object(s, v, path, out, err);
    case SCHEMA_ARRAY:
        return check_array(s, v, path, out, err);
    case SCHEMA_MAP:
        return check_map(s, v, path, out, err);
    default:
        return check_scalar(s, v, path, out, err);
    }
}

bf_result schema_check_at(const schema *s, json_t *v, const char *path, json_t **out, bf_error *err)
{
    *out = NULL;
    const schema *own = s;
    s = followed(s);
    size_t faults = collecting ? collecting->count : 0;
    bf_result r = check_kind(s, v, path, out, err);
    /* A rule looks at a whole node: not at one whose parts were left out. */
    bool whole = collecting == NULL || collecting->count == faults;
    for (const schema *n = own; r == BF_OK && whole && *out != NULL; n = n->ref) {
        if (n->rule != NULL)
            r = n->rule(*out, path, err);
        if (n == s)
            break;
    }
    if (r != BF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

bf_result schema_check(const schema *s, json_t *in, json_t **out, bf_error *err)
{
    bf_result r = schema_check_at(s, in, "", out, err);
    if (r == BF_OK && *out == NULL)
        return fail_type("", "a JSON object", err);
    return r;
}

size_t schema_check_all(const schema *s, json_t *in,
                        void (*report)(void *ctx, const bf_error *fault), void *ctx)
{
    collector c = {report, ctx, 0};
    collector *outer = collecting;
    collecting = &c;
    json_t *out = NULL;
    bf_error err;
    bf_error_clear(&err);
    bf_result r = schema_check(s, in, &out, &err);
    collecting = outer;
    json_decref(out);
    if (r != BF_OK) {
        c.count++;
        report(ctx, &err);
    }
    return c.count;
}

/* ---- JSON Schema ---- */

static json_t *ref_json(const char *name)
{
    char ref[128];
    snprintf(ref, sizeof(ref), "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", ref);
}

static bool put(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

static bool object_json(const schema *s, json_t *o, bool by_ref)
{
    json_t *props = json_object(), *required = json_array();
    bool ok = put(o, "type", json_string("object")) && put(o, "properties", props) &&
              put(o, "additionalProperties", json_false());
    for (const schema *m = s->members; ok && m->name != NULL; m++) {
        ok = put(props, m->name, schema_to_json(m, by_ref));
        if (ok && (m->flags & SCHEMA_REQUIRED))
            ok = json_array_append_new(required, json_string(m->name)) == 0;
    }
    if (ok && json_array_size(required) > 0)
        return put(o, "required", required);
    json_decref(required);
    return ok;
}

static bool scalar_json(const schema *s, json_t *o)
{
    switch (s->kind) {
    case SCHEMA_TEXT:
    case SCHEMA_SECRET:
        return put(o, "type", json_string("string")) &&
               (s->max == 0 || put(o, "maxLength", json_integer(s->max))) &&
               put(o, "minLength", json_integer(s->min > 0 ? s->min : 1));
    case SCHEMA_ID:
        return put(o, "type", json_string("string")) &&
               put(o, "pattern", json_string("^[a-z0-9_-]{1,40}$"));
    case SCHEMA_SLUG:
        return put(o, "type", json_string("string")) &&
               put(o, "pattern", json_string("^[a-z0-9][a-z0-9-]{0,47}$"));
    case SCHEMA_ENUM: {
        json_t *values = json_array();
        for (size_t i = 0; values && s->values[i]; i++)
            json_array_append_new(values, json_string(s->values[i]));
        return put(o, "type", json_string("string")) && put(o, "enum", values);
    }
    case SCHEMA_INT:
    case SCHEMA_MONEY:
        return put(o, "type", json_string("integer")) && put(o, "minimum", json_integer(s->min)) &&
               put(o, "maximum", json_integer(s->max)) &&
               (s->kind != SCHEMA_MONEY || put(o, "format", json_string("fen")));
    case SCHEMA_DECIMAL:
        return put(o, "type", json_string("number")) &&
               put(o, "minimum", json_real((double)s->min / 100)) &&
               put(o, "maximum", json_real((double)s->max / 100)) &&
               put(o, "multipleOf", json_real(0.01));
    case SCHEMA_NUMBER:
        return put(o, "type", json_string("number"));
    case SCHEMA_ANY:
        return put(o, "type", json_string("object"));
    case SCHEMA_BOOL:
        return put(o, "type", json_string("boolean"));
    case SCHEMA_DATE:
        return put(o, "type", json_string("string")) && put(o, "format", json_string("date"));
    case SCHEMA_MONTH:
        return put(o, "type", json_string("string")) &&
               put(o, "pattern", json_string("^[12][0-9]{3}-(0[1-9]|1[0-2])$"));
    default:
        return false;
    }
}

json_t *schema_to_json(const schema *s, bool by_ref)
{
    const schema *body = followed(s);
    if (body != s && body->name != NULL && by_ref)
        return ref_json(body->name);
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    bool ok;
    switch (body->kind) {
    case SCHEMA_OBJECT:
        ok = object_json(body, o, by_ref);
        break;
    case SCHEMA_ARRAY:
        ok = put(o, "type", json_string("array")) &&
             put(o, "items", schema_to_json(body->item, by_ref)) &&
             (body->min == 0 || put(o, "minItems", json_integer(body->min))) &&
             (body->max == 0 || put(o, "maxItems", json_integer(body->max)));
        break;
    case SCHEMA_MAP:
        ok = put(o, "type", json_string("object")) &&
             put(o, "additionalProperties", schema_to_json(body->item, by_ref)) &&
             (body->max == 0 || put(o, "maxProperties", json_integer(body->max)));
        break;
    default:
        ok = scalar_json(body, o);
    }
    json_t *type = json_object_get(o, "type");
    if (ok && (s->flags & (SCHEMA_NULLABLE | SCHEMA_CLEARS)) && json_is_string(type))
        ok = put(o, "type", json_pack("[O, s]", type, "null"));
    const char *doc = s->doc ? s->doc : body->doc;
    if (ok && doc != NULL)
        ok = put(o, "description", json_string(doc));
    if (ok && s->def != NULL)
        ok = put(o, "default", json_loads(s->def, JSON_DECODE_ANY, NULL));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
