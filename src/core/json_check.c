/* Shared checks of JSON request bodies (see json_check.h). */
#include "core/json_check.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Room for a path in a message; bf_error.field keeps its first 63 bytes. */
#define PATH_CAP 96

void json_check_path_key(char *out, size_t cap, const char *parent, const char *key)
{
    if (parent == NULL)
        parent = ""; /* a key of the body itself */
    if (snprintf(out, cap, "%s%s%s", parent, parent[0] ? "." : "", key) < 0)
        out[0] = '\0';
}

void json_check_path_index(char *out, size_t cap, const char *parent, size_t i)
{
    if (snprintf(out, cap, "%s[%zu]", parent, i) < 0)
        out[0] = '\0';
}

json_t *json_check_member(json_t *obj, const char *parent, const char *key, char *field, size_t cap)
{
    json_check_path_key(field, cap, parent, key);
    return json_object_get(obj, key);
}

bool json_check_one_of(const char *s, const char *const *values)
{
    for (size_t i = 0; values[i] != NULL; i++)
        if (strcmp(s, values[i]) == 0)
            return true;
    return false;
}

bool json_check_id_valid(const char *s)
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

bf_result json_check_required(json_t *v, const char *field, bf_error *err)
{
    if (v == NULL || json_is_null(v))
        return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field);
    return BF_OK;
}

bf_result json_check_object(json_t *v, const char *field, bf_error *err)
{
    if (!json_is_object(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be an object", field);
    return BF_OK;
}

bf_result json_check_string(json_t *v, const char *field, bf_error *err)
{
    if (!json_is_string(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be a string", field);
    return BF_OK;
}

bf_result json_check_keys(json_t *obj, const char *const *allowed, const char *parent,
                          const char *what, bf_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!json_check_one_of(key, allowed)) {
            char path[PATH_CAP];
            json_check_path_key(path, sizeof(path), parent, key);
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", path, "%s %s", path, what);
        }
    }
    return BF_OK;
}

bf_result json_check_item(json_t *v, const char *parent, size_t i, const char *const *allowed,
                          const char *what, char *at, size_t cap, bf_error *err)
{
    json_check_path_index(at, cap, parent, i);
    bf_result r = json_check_object(v, at, err);
    return r != BF_OK ? r : json_check_keys(v, allowed, at, what, err);
}

bf_result json_check_text(json_t *v, const char *field, size_t max_chars, bf_error *err)
{
    bf_result r = json_check_string(v, field, err);
    if (r != BF_OK)
        return r;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (memchr(s, '\0', len) != NULL)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", field,
                       "%s must not contain NUL characters", field);
    size_t chars = text_utf8_length(s, len);
    if (chars == 0)
        return bf_fail(err, BF_ERR_INVALID, "required", field, "%s must not be empty", field);
    if (chars > max_chars)
        return bf_fail(err, BF_ERR_INVALID, "too_long", field, "%s has more than %zu characters",
                       field, max_chars);
    return BF_OK;
}

bf_result json_check_date(json_t *v, const char *field, bf_error *err)
{
    if (!json_is_string(v) || !text_date_valid(json_string_value(v)))
        return bf_fail(err, BF_ERR_INVALID, "invalid_date", field, "%s must be a date YYYY-MM-DD",
                       field);
    return BF_OK;
}

bf_result json_check_bool(json_t *v, const char *field, bf_error *err)
{
    if (!json_is_boolean(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be true or false", field);
    return BF_OK;
}

bf_result json_check_int(json_t *v, const char *field, json_int_t min, json_int_t max,
                         json_int_t *out, bf_error *err)
{
    if (!json_is_integer(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be an integer", field);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", field,
                       "%s must be between %" JSON_INTEGER_FORMAT " and %" JSON_INTEGER_FORMAT,
                       field, min, max);
    *out = n;
    return BF_OK;
}
