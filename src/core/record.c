/* Record parsing, validation and JSON output (see record.h). */
#include "core/record.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/schema.h"
#include "core/text.h"

record *record_new(arena *a, const resource_spec *spec)
{
    record *rec = arena_calloc(a, 1, sizeof(*rec));
    if (rec == NULL)
        return NULL;
    rec->spec = spec;
    rec->values = arena_calloc(a, spec->nfields, sizeof(field_value));
    if (rec->values == NULL)
        return NULL;
    for (size_t i = 0; i < spec->nfields; i++)
        rec->values[i].null = true;
    return rec;
}

static bool enum_has(const char *const *values, const char *s)
{
    for (size_t i = 0; values[i] != NULL; i++)
        if (strcmp(values[i], s) == 0)
            return true;
    return false;
}

static bf_result enum_error(bf_error *err, const field_spec *f)
{
    char allowed[200] = "";
    size_t used = 0;
    for (size_t i = 0; f->values[i] != NULL; i++) {
        int n =
            snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", f->values[i]);
        if (n < 0 || (size_t)n >= sizeof(allowed) - used)
            break;
        used += (size_t)n;
    }
    return bf_fail(err, BF_ERR_INVALID, "invalid_value", f->name, "%s must be one of: %s", f->name,
                   allowed);
}

/* Checks one string value of field f: UTF-8 was checked by the JSON parser;
 * here length in characters and, for ids, their shape. */
static bf_result check_text(const field_spec *f, const char *s, size_t len, int64_t min_chars,
                            int64_t max_chars, bf_error *err)
{
    if (memchr(s, '\0', len) != NULL)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", f->name,
                       "%s must not contain NUL characters", f->name);
    size_t chars = text_utf8_length(s, len);
    if ((int64_t)chars > max_chars)
        return bf_fail_args(
            err, BF_ERR_INVALID, "too_long", f->name, BF_ARGS(BF_NUM("max", max_chars)),
            "%s is too long: %zu characters, at most %lld", f->name, chars, (long long)max_chars);
    if ((int64_t)chars < min_chars)
        return bf_fail_args(err, BF_ERR_INVALID, min_chars == 1 ? "required" : "too_short", f->name,
                            BF_ARGS(BF_NUM("min", min_chars)),
                            "%s must have at least %lld characters", f->name, (long long)min_chars);
    return BF_OK;
}

static bool id_shape_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Parses an integer value (FIELD_INT, FIELD_MONEY) of field f within its
 * range into out->i. */
static bf_result record_parse_integer(const field_spec *f, json_t *v, field_value *out,
                                      bf_error *err)
{
    if (!json_is_integer(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f->name, "%s must be an integer%s",
                       f->name, f->type == FIELD_MONEY ? " number of fen (分)" : "");
    out->i = json_integer_value(v);
    if (f->type == FIELD_MONEY && out->i < 0)
        return bf_fail(err, BF_ERR_INVALID, "negative", f->name, "%s must not be negative",
                       f->name);
    if (out->i < f->min || out->i > f->max)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", f->name,
                       "%s must be between %lld and %lld", f->name, (long long)f->min,
                       (long long)f->max);
    return BF_OK;
}

/* Parses a number with at most two decimals (FIELD_DECIMAL) of field f
 * within its range into out->i, in hundredths. */
static bf_result record_parse_decimal(const field_spec *f, json_t *v, field_value *out,
                                      bf_error *err)
{
    if (!json_is_number(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f->name, "%s must be a number", f->name);
    if (!schema_hundredths(v, &out->i))
        return bf_fail(err, BF_ERR_INVALID, "too_many_decimals", f->name,
                       "%s may have at most two decimals", f->name);
    if (out->i < f->min || out->i > f->max)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", f->name,
                       "%s must be between %lld.%02lld and %lld.%02lld", f->name,
                       (long long)(f->min / 100), (long long)(f->min % 100),
                       (long long)(f->max / 100), (long long)(f->max % 100));
    return BF_OK;
}

/* The JSON number of hundredths h: 1350 -> 13.5, 1300 -> 13. */
static json_t *decimal_json(int64_t h)
{
    return h % 100 == 0 ? json_integer(h / 100) : json_real((double)h / 100.0);
}

/* Parses a string value (text, date, time, enum or reference) of field f
 * into out->s, as stored: text trimmed, times normalized to UTC. */
static bf_result record_parse_string(arena *a, const field_spec *f, json_t *v, field_value *out,
                                     bf_error *err)
{
    if (!json_is_string(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f->name, "%s must be a string", f->name);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    bf_result r;
    if (f->type == FIELD_TEXT) {
        s = text_trim(s, &len); /* " " is no name: white space is not kept */
        if ((r = check_text(f, s, len, f->min, f->max, err)) != BF_OK)
            return r;
        out->s = arena_strndup(a, s, len);
    } else if (f->type == FIELD_DATE) {
        if (!text_date_valid(s))
            return bf_fail(err, BF_ERR_INVALID, "invalid_date", f->name,
                           "%s must be a date YYYY-MM-DD", f->name);
        out->s = arena_strndup(a, s, len);
    } else if (f->type == FIELD_DATETIME) {
        char utc[32];
        if (!text_datetime_normalize(s, utc, sizeof(utc)))
            return bf_fail(err, BF_ERR_INVALID, "invalid_datetime", f->name,
                           "%s must be an ISO 8601 time such as 2026-01-31T09:30:00Z", f->name);
        out->s = arena_strdup(a, utc);
    } else if (f->type == FIELD_ENUM) {
        if (!enum_has(f->values, s))
            return enum_error(err, f);
        out->s = arena_strndup(a, s, len);
    } else {
        if (!id_shape_valid(s))
            return bf_fail(err, BF_ERR_INVALID, "unknown_reference", f->name,
                           "%s does not name an existing %s", f->name, f->ref);
        out->s = arena_strndup(a, s, len);
    }
    return out->s ? BF_OK : BF_ERR_NOMEM;
}

/* Checks tag i (trimmed) of field f: 1 to TAG_MAX_CHARS characters, no
 * comma (a list's ?tag= separates tags with it) and no control character. */
static bf_result record_check_tag(const field_spec *f, size_t i, const char *s, size_t len,
                                  bf_error *err)
{
    bf_result r = check_text(f, s, len, 1, TAG_MAX_CHARS, err);
    if (r != BF_OK)
        return r;
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f || s[k] == ',')
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", f->name,
                           "%s[%zu] must not hold a comma or a control character", f->name, i);
    return BF_OK;
}

/* Checks item i of a list value of field f and appends it, as stored (text
 * trimmed), to kept. */
static bf_result record_keep_list_item(const field_spec *f, size_t i, json_t *item, json_t *kept,
                                       bf_error *err)
{
    if (!json_is_string(item))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f->name, "%s must be an array of strings",
                       f->name);
    const char *s = json_string_value(item);
    size_t len = json_string_length(item);
    bf_result r = BF_OK;
    if (f->type == FIELD_REF_LIST) {
        if (!id_shape_valid(s))
            r = bf_fail(err, BF_ERR_INVALID, "unknown_reference", f->name,
                        "%s[%zu] does not name an existing %s", f->name, i, f->ref);
    } else if (f->flags & FIELD_TAGS) {
        s = text_trim(s, &len);
        r = record_check_tag(f, i, s, len, err);
        for (size_t k = 0; r == BF_OK && k < json_array_size(kept); k++)
            if (json_string_length(json_array_get(kept, k)) == len &&
                memcmp(json_string_value(json_array_get(kept, k)), s, len) == 0)
                return BF_OK; /* given twice: kept once */
    } else {
        s = text_trim(s, &len);
        r = check_text(f, s, len, 1, 100, err);
    }
    if (r == BF_OK && json_array_append_new(kept, json_stringn(s, len)) != 0)
        r = BF_ERR_NOMEM;
    return r;
}

/* Parses a list value (FIELD_TEXT_LIST, FIELD_REF_LIST) of field f into
 * out->s, the checked items as a compact JSON array. */
static bf_result record_parse_list(arena *a, const field_spec *f, json_t *v, field_value *out,
                                   bf_error *err)
{
    if (!json_is_array(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f->name, "%s must be an array of strings",
                       f->name);
    if ((int64_t)json_array_size(v) > f->max)
        return bf_fail_args(err, BF_ERR_INVALID, "too_many", f->name,
                            BF_ARGS(BF_NUM("max", f->max)), "%s has more than %lld items", f->name,
                            (long long)f->max);
    json_t *kept = json_array(); /* the items as stored: text trimmed */
    if (kept == NULL)
        return BF_ERR_NOMEM;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        bf_result r = record_keep_list_item(f, i, item, kept, err);
        if (r != BF_OK) {
            json_decref(kept);
            return r;
        }
    }
    char *dump = json_dumps(kept, JSON_COMPACT);
    json_decref(kept);
    if (dump == NULL)
        return BF_ERR_NOMEM;
    out->s = arena_strdup(a, dump);
    free(dump);
    return out->s ? BF_OK : BF_ERR_NOMEM;
}

static bf_result parse_value(arena *a, const field_spec *f, json_t *v, field_value *out,
                             bf_error *err)
{
    out->present = true;
    out->null = false;
    switch (f->type) {
    case FIELD_BOOL:
        if (!json_is_boolean(v))
            return bf_fail(err, BF_ERR_INVALID, "wrong_type", f->name, "%s must be true or false",
                           f->name);
        out->i = json_is_true(v);
        return BF_OK;
    case FIELD_INT:
    case FIELD_MONEY:
        return record_parse_integer(f, v, out, err);
    case FIELD_DECIMAL:
        return record_parse_decimal(f, v, out, err);
    case FIELD_TEXT:
    case FIELD_DATE:
    case FIELD_DATETIME:
    case FIELD_ENUM:
    case FIELD_REF:
        return record_parse_string(a, f, v, out, err);
    case FIELD_TEXT_LIST:
    case FIELD_REF_LIST:
        return record_parse_list(a, f, v, out, err);
    }
    return BF_ERR_INTERNAL;
}

static bf_result apply_default(arena *a, const field_spec *f, field_value *out)
{
    if (f->def == NULL)
        return BF_OK;
    out->present = true;
    out->null = false;
    if (FIELD_IS_INTEGER(f->type)) {
        out->i = strtoll(f->def, NULL, 10);
    } else {
        out->s = arena_strdup(a, f->def);
        if (out->s == NULL)
            return BF_ERR_NOMEM;
    }
    return BF_OK;
}

bf_result record_from_json(arena *a, const resource_spec *spec, json_t *obj, record_mode mode,
                           record **out, bf_error *err)
{
    if (!json_is_object(obj))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "the body must be a JSON object");
    record *rec = record_new(a, spec);
    if (rec == NULL)
        return BF_ERR_NOMEM;

    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        /* Metadata the server owns may be echoed back by clients that PATCH
         * what they read; any other value of them is refused. */
        if (strcmp(key, "id") == 0 || strcmp(key, "version") == 0 ||
            strcmp(key, "created_at") == 0 || strcmp(key, "updated_at") == 0)
            return bf_fail(err, BF_ERR_INVALID, "read_only", key,
                           "%s is set by the server and cannot be written", key);
        int idx = resource_field_index(spec, key);
        if (idx < 0)
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", key, "%s has no field %s",
                           spec->singular, key);
        const field_spec *f = &spec->fields[idx];
        if (f->flags & FIELD_READONLY)
            return bf_fail(err, BF_ERR_INVALID, "read_only", key,
                           "%s is derived by the server and cannot be written", key);
        if (mode == RECORD_PATCH && (f->flags & FIELD_CREATE_ONLY))
            return bf_fail(err, BF_ERR_INVALID, "read_only", key,
                           "%s can only be set when the %s is created", key, spec->singular);
        if (json_is_null(v)) {
            if (f->flags & FIELD_REQUIRED)
                return bf_fail(err, BF_ERR_INVALID, "required", key, "%s is required", key);
            rec->values[idx].present = true;
            rec->values[idx].null = true;
            continue;
        }
        bf_result r = parse_value(a, f, v, &rec->values[idx], err);
        if (r != BF_OK)
            return r;
    }

    if (mode == RECORD_CREATE) {
        for (size_t i = 0; i < spec->nfields; i++) {
            const field_spec *f = &spec->fields[i];
            field_value *fv = &rec->values[i];
            if (!fv->present || fv->null) {
                bf_result r = apply_default(a, f, fv);
                if (r != BF_OK)
                    return r;
            }
            if ((f->flags & FIELD_REQUIRED) && (!fv->present || fv->null))
                return bf_fail(err, BF_ERR_INVALID, "required", f->name, "%s is required", f->name);
        }
    }
    *out = rec;
    return BF_OK;
}

void record_apply_patch(record *base, const record *patch)
{
    BF_ASSERT(base->spec == patch->spec);
    for (size_t i = 0; i < base->spec->nfields; i++)
        if (patch->values[i].present)
            base->values[i] = patch->values[i];
}

json_t *record_to_json(const record *rec)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int bad = 0;
    bad |= json_object_set_new(o, "id", json_string(rec->id ? rec->id : ""));
    for (size_t i = 0; i < rec->spec->nfields; i++) {
        const field_spec *f = &rec->spec->fields[i];
        const field_value *v = &rec->values[i];
        json_t *j;
        if (v->null) {
            j = (f->type == FIELD_TEXT_LIST || f->type == FIELD_REF_LIST) ? json_array()
                                                                          : json_null();
        } else if (f->type == FIELD_BOOL) {
            j = json_boolean(v->i);
        } else if (f->type == FIELD_INT || f->type == FIELD_MONEY) {
            j = json_integer(v->i);
        } else if (f->type == FIELD_DECIMAL) {
            j = decimal_json(v->i);
        } else if (f->type == FIELD_TEXT_LIST || f->type == FIELD_REF_LIST) {
            j = json_loads(v->s ? v->s : "[]", 0, NULL);
            if (j == NULL)
                j = json_array();
        } else {
            j = json_string(v->s ? v->s : "");
        }
        bad |= json_object_set_new(o, f->name, j);
    }
    bad |= json_object_set_new(o, "version", json_integer(rec->version));
    bad |=
        json_object_set_new(o, "created_at", json_string(rec->created_at ? rec->created_at : ""));
    bad |=
        json_object_set_new(o, "updated_at", json_string(rec->updated_at ? rec->updated_at : ""));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Appends s as a JSON string: quotes, and escapes for the quote, the
 * backslash and control characters (UTF-8 passes as it is). */
static bf_result append_json_string(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    bf_result r = buf_append(b, "\"", 1);
    const char *run = s;
    for (; r == BF_OK && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        r = buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        const char *short_form = c == '"'    ? "\\\""
                                 : c == '\\' ? "\\\\"
                                 : c == '\n' ? "\\n"
                                 : c == '\r' ? "\\r"
                                 : c == '\t' ? "\\t"
                                 : c == '\b' ? "\\b"
                                 : c == '\f' ? "\\f"
                                             : NULL;
        char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0'};
        if (r == BF_OK)
            r = buf_append_str(b, short_form ? short_form : u);
    }
    if (r == BF_OK)
        r = buf_append(b, run, (size_t)(s - run));
    return r == BF_OK ? buf_append(b, "\"", 1) : r;
}

/* Appends the value v of field f as JSON (lists are kept as JSON text). */
static bf_result append_json_value(buf *b, const field_spec *f, const field_value *v)
{
    if (f->type == FIELD_BOOL)
        return buf_append_str(b, v->i ? "true" : "false");
    if (f->type == FIELD_DECIMAL) {
        int64_t units = v->i / 100, cents = v->i % 100;
        const char *sign = v->i < 0 && units == 0 ? "-" : "";
        if (cents < 0)
            cents = -cents;
        if (cents == 0)
            return buf_printf(b, "%" PRId64, units);
        if (cents % 10 == 0)
            return buf_printf(b, "%s%" PRId64 ".%" PRId64, sign, units, cents / 10);
        return buf_printf(b, "%s%" PRId64 ".%02" PRId64, sign, units, cents);
    }
    if (FIELD_IS_INTEGER(f->type)) {
        char digits[24];
        int n = snprintf(digits, sizeof(digits), "%" PRId64, v->i);
        return buf_append(b, digits, (size_t)n);
    }
    if (f->type == FIELD_TEXT_LIST || f->type == FIELD_REF_LIST)
        return buf_append_str(b, v->s);
    return append_json_string(b, v->s);
}

bf_result record_append_json(buf *b, const record *rec,
                             bool (*hidden)(const field_spec *f, const void *ctx), const void *ctx)
{
    bf_result r = buf_append_str(b, "{\"id\":");
    if (r == BF_OK)
        r = append_json_string(b, rec->id ? rec->id : "");
    for (size_t i = 0; i < rec->spec->nfields && r == BF_OK; i++) {
        const field_spec *f = &rec->spec->fields[i];
        const field_value *v = &rec->values[i];
        if (hidden != NULL && hidden(f, ctx))
            continue;
        bool list = f->type == FIELD_TEXT_LIST || f->type == FIELD_REF_LIST;
        r = buf_append(b, ",", 1);
        if (r == BF_OK)
            r = append_json_string(b, f->name);
        if (r == BF_OK)
            r = buf_append(b, ":", 1);
        if (r != BF_OK)
            break;
        if (v->null)
            r = buf_append_str(b, list ? "[]" : "null");
        else if (list)
            /* Lists are stored as the JSON text the API wrote; anything else
             * reads as empty, as record_to_json has it. */
            r = buf_append_str(b, v->s && v->s[0] == '[' && v->s[strlen(v->s) - 1] == ']' ? v->s
                                                                                          : "[]");
        else if (FIELD_IS_INTEGER(f->type))
            r = append_json_value(b, f, v);
        else
            r = append_json_string(b, v->s ? v->s : "");
    }
    if (r == BF_OK)
        r = buf_printf(b, ",\"version\":%" PRId64 ",\"created_at\":", rec->version);
    if (r == BF_OK)
        r = append_json_string(b, rec->created_at ? rec->created_at : "");
    if (r == BF_OK)
        r = buf_append_str(b, ",\"updated_at\":");
    if (r == BF_OK)
        r = append_json_string(b, rec->updated_at ? rec->updated_at : "");
    return r == BF_OK ? buf_append(b, "}", 1) : r;
}

static bool value_set(const field_spec *f, const field_value *v)
{
    if (v->null || !v->present)
        return false;
    if (f->type == FIELD_TEXT_LIST || f->type == FIELD_REF_LIST)
        return v->s != NULL && strcmp(v->s, "[]") != 0;
    return FIELD_IS_INTEGER(f->type) || f->type == FIELD_BOOL || v->s != NULL;
}

/* The fields of a spec in name order, as indexes; sorted once per thread. */
typedef struct name_order {
    const resource_spec *spec;
    unsigned char index[64];
} name_order;

static const unsigned char *fields_by_name(const resource_spec *spec)
{
    static _Thread_local name_order orders[16];
    size_t slot = 0;
    while (slot < 16 && orders[slot].spec != NULL && orders[slot].spec != spec)
        slot++;
    BF_ASSERT(slot < 16 && spec->nfields <= sizeof(orders[0].index));
    name_order *o = &orders[slot];
    if (o->spec == spec)
        return o->index;
    for (size_t i = 0; i < spec->nfields; i++) { /* insertion sort by name */
        size_t k = i;
        while (k > 0 && strcmp(spec->fields[o->index[k - 1]].name, spec->fields[i].name) > 0) {
            o->index[k] = o->index[k - 1];
            k--;
        }
        o->index[k] = (unsigned char)i;
    }
    o->spec = spec;
    return o->index;
}

const char *record_set_fields_text(arena *a, const record *rec)
{
    const resource_spec *spec = rec->spec;
    const unsigned char *order = fields_by_name(spec);
    size_t n = spec->nfields;
    buf b;
    buf_init(&b, a, (size_t)64 << 20);
    bf_result r = buf_reserve(&b, 1024); /* room for most records at once */
    if (r == BF_OK)
        r = buf_append(&b, "{", 1);
    const char *sep = "";
    for (size_t k = 0; k < n && r == BF_OK; k++) {
        const field_spec *f = &spec->fields[order[k]];
        const field_value *v = &rec->values[order[k]];
        if (!value_set(f, v))
            continue;
        r = buf_append_str(&b, sep);
        if (r == BF_OK)
            r = append_json_string(&b, f->name);
        if (r == BF_OK)
            r = buf_append(&b, ":", 1);
        if (r == BF_OK)
            r = append_json_value(&b, f, v);
        sep = ",";
    }
    if (r == BF_OK)
        r = buf_append(&b, "}", 1);
    return r == BF_OK ? buf_cstr(&b) : NULL;
}

field_value *record_field(record *rec, const char *name)
{
    int idx = resource_field_index(rec->spec, name);
    BF_ASSERT(idx >= 0);
    return &rec->values[idx];
}

const field_value *record_field_const(const record *rec, const char *name)
{
    int idx = resource_field_index(rec->spec, name);
    BF_ASSERT(idx >= 0);
    return &rec->values[idx];
}

const char *record_text(const record *rec, const char *name)
{
    const field_value *v = record_field_const(rec, name);
    return v->null ? NULL : v->s;
}

void record_set_text(record *rec, const char *name, const char *s)
{
    field_value *v = record_field(rec, name);
    v->present = true;
    v->null = s == NULL;
    v->s = s;
}

void record_set_int(record *rec, const char *name, int64_t v)
{
    field_value *fv = record_field(rec, name);
    fv->present = true;
    fv->null = false;
    fv->i = v;
}
