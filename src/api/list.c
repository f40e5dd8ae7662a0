/* List parameters and cursors: ?limit, ?cursor, ?sort, ?q and one filter per
 * filterable field (?owner=…, dates also ?expected_close_from/_to=…, numbers
 * ?amount_min/_max=…); what has an owner also ?team=, deals ?stalled_days=. */
#include "api/api.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"

#define LIST_DEFAULT_LIMIT 50

typedef struct parse_ctx {
    api_call *call;
    const resource_spec *spec;
    list_query *q;
    const char *cursor;
    const char *sort;
    const char *skip; /* names of parameters that are not the list's (an export's), or NULL */
    bf_result r;
} parse_ctx;

static bool is_range_field(const field_spec *f)
{
    return f->type == FIELD_DATE || f->type == FIELD_DATETIME;
}

/* A number filtered by ?name_min= and ?name_max= (an amount in fen, a count). */
static bool is_number_field(const field_spec *f)
{
    return FIELD_IS_NUMBER(f->type);
}

static bf_result add_filter(parse_ctx *pc, int field, list_op op, const char *key,
                            const char *value)
{
    list_query *q = pc->q;
    const field_spec *f = &pc->spec->fields[field];
    if (q->nfilters == LIST_MAX_FILTERS)
        return bf_fail(&pc->call->err, BF_ERR_INVALID, "too_many_filters", key, "too many filters");
    list_filter *lf = &q->filters[q->nfilters];
    lf->field = field;
    lf->op = op;
    lf->text = value;
    if (f->type == FIELD_DATE && !text_date_valid(value))
        return bf_fail(&pc->call->err, BF_ERR_INVALID, "invalid_date", key,
                       "%s must be a date YYYY-MM-DD", key);
    if (f->type == FIELD_DATETIME) {
        char utc[32];
        if (!text_datetime_normalize(value, utc, sizeof(utc)) &&
            !(text_date_valid(value) && snprintf(utc, sizeof(utc), "%sT00:00:00Z", value) > 0))
            return bf_fail(&pc->call->err, BF_ERR_INVALID, "invalid_datetime", key,
                           "%s must be a date or an ISO 8601 time", key);
        if (op == LIST_LTE && text_date_valid(value))
            snprintf(utc, sizeof(utc), "%sT23:59:59Z", value);
        if ((lf->text = arena_strdup(pc->call->arena, utc)) == NULL)
            return BF_ERR_NOMEM;
    }
    if (is_number_field(f)) {
        char *end;
        errno = 0;
        long long n = strtoll(value, &end, 10);
        if (*value == '\0' || *end != '\0' || errno || n < 0)
            return bf_fail(&pc->call->err, BF_ERR_INVALID, "invalid_value", key,
                           "%s must be a whole number%s", key,
                           f->type == FIELD_MONEY ? " of fen (分)" : "");
        lf->num = n;
    }
    if (f->type == FIELD_BOOL) {
        bool yes = strcmp(value, "true") == 0 || strcmp(value, "1") == 0;
        if (!yes && strcmp(value, "false") != 0 && strcmp(value, "0") != 0)
            return bf_fail(&pc->call->err, BF_ERR_INVALID, "invalid_value", key,
                           "%s must be true or false", key);
        lf->num = yes;
    }
    if (f->type == FIELD_ENUM) {
        bool ok = false;
        for (size_t i = 0; f->values[i] && !ok; i++)
            ok = strcmp(f->values[i], value) == 0;
        if (!ok)
            return bf_fail(&pc->call->err, BF_ERR_INVALID, "invalid_value", key,
                           "%s is not a valid %s", value, f->name);
    }
    q->nfilters++;
    return BF_OK;
}

/* ?stalled_days=N: open deals whose stage has not changed for N days or
 * more (the stalled report's rule), as the moment their stage came before. */
static bf_result parse_stalled(parse_ctx *pc, const char *value)
{
    char *end;
    errno = 0;
    long days = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || errno || days < 1 || days > 3650)
        return bf_fail_args(&pc->call->err, BF_ERR_INVALID, "out_of_range", "stalled_days",
                            BF_ARGS(BF_NUM("min", 1), BF_NUM("max", 3650)),
                            "stalled_days must be a whole number from 1 to 3650");
    char at[32];
    text_format_utc(time(NULL) - (time_t)days * 86400, at, sizeof(at));
    return (pc->q->stage_before = arena_strdup(pc->call->arena, at)) ? BF_OK : BF_ERR_NOMEM;
}

/* Whether the list of spec filters by tags for the caller (a partner sees
 * none: to them the parameter does not exist). */
static bool takes_tags(api_call *call, const resource_spec *spec)
{
    int tf = resource_tags_field(spec);
    return tf >= 0 && !api_field_hidden(&spec->fields[tf], call->who);
}

/* ?tag=a,b: one more group of tags, any of which a record must carry. */
static bf_result parse_tags(parse_ctx *pc, const char *value)
{
    list_query *q = pc->q;
    api_call *call = pc->call;
    if (q->ntag_groups == LIST_TAG_GROUPS)
        return bf_fail_args(&call->err, BF_ERR_INVALID, "too_many", "tag",
                            BF_ARGS(BF_NUM("max", LIST_TAG_GROUPS)),
                            "tag is given at most %d times", LIST_TAG_GROUPS);
    list_tag_group *g = &q->tag_groups[q->ntag_groups];
    g->n = 0;
    for (const char *p = value; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *tag = text_trim(p, &len);
        p += comma ? (size_t)(comma - p) + 1 : strlen(p);
        if (len == 0)
            continue;
        if (text_utf8_length(tag, len) > TAG_MAX_CHARS)
            return bf_fail_args(&call->err, BF_ERR_INVALID, "too_long", "tag",
                                BF_ARGS(BF_NUM("max", TAG_MAX_CHARS)),
                                "tag names tags of at most %d characters", TAG_MAX_CHARS);
        if (g->n == LIST_TAGS_PER_GROUP)
            return bf_fail_args(&call->err, BF_ERR_INVALID, "too_many", "tag",
                                BF_ARGS(BF_NUM("max", LIST_TAGS_PER_GROUP)),
                                "tag names at most %d tags", LIST_TAGS_PER_GROUP);
        if ((g->tags[g->n++] = arena_strndup(call->arena, tag, len)) == NULL)
            return BF_ERR_NOMEM;
    }
    if (g->n > 0) /* ?tag= with no tag: no filter */
        q->ntag_groups++;
    return BF_OK;
}

static bool parse_param(void *ctx, const char *key, const char *value)
{
    parse_ctx *pc = ctx;
    api_call *call = pc->call;
    list_query *q = pc->q;
    if (api_names_hold(pc->skip, key, strlen(key)) || strcmp(key, "lang") == 0)
        return true; /* lang: the language of errors (http/response.c) */
    if (strcmp(key, "tag") == 0 && takes_tags(call, pc->spec)) {
        pc->r = parse_tags(pc, value);
        return pc->r == BF_OK;
    }
    if (strcmp(key, "limit") == 0) {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || errno || n < 1 || n > LIST_MAX_LIMIT) {
            pc->r = bf_fail_args(&call->err, BF_ERR_INVALID, "out_of_range", "limit",
                                 BF_ARGS(BF_NUM("min", 1), BF_NUM("max", LIST_MAX_LIMIT)),
                                 "limit must be an integer from 1 to %d", LIST_MAX_LIMIT);
            return false;
        }
        q->limit = (int)n;
        return true;
    }
    if (strcmp(key, "cursor") == 0) {
        pc->cursor = value;
        return true;
    }
    if (strcmp(key, "sort") == 0) {
        pc->sort = value;
        return true;
    }
    if (strcmp(key, "team") == 0 && resource_field_index(pc->spec, "owner_id") >= 0) {
        q->team_id = *value ? value : NULL;
        return true;
    }
    if (pc->spec == &resource_opportunities && strcmp(key, "stalled_days") == 0) {
        pc->r = parse_stalled(pc, value);
        return pc->r == BF_OK;
    }
    if (strcmp(key, "q") == 0) {
        if (strlen(value) > 200) {
            pc->r =
                bf_fail_args(&call->err, BF_ERR_INVALID, "too_long", "q",
                             BF_ARGS(BF_NUM("max_bytes", 200)), "q is too long: at most 200 bytes");
            return false;
        }
        q->search = *value ? value : NULL;
        return true;
    }
    for (size_t i = 0; i < pc->spec->nfields; i++) {
        const field_spec *f = &pc->spec->fields[i];
        if (!(f->flags & FIELD_FILTER))
            continue;
        size_t n = strlen(f->name);
        if (strcmp(key, f->name) == 0) {
            pc->r = add_filter(pc, (int)i, LIST_EQ, key, value);
            return pc->r == BF_OK;
        }
        if (is_range_field(f) && strncmp(key, f->name, n) == 0 &&
            (strcmp(key + n, "_from") == 0 || strcmp(key + n, "_to") == 0)) {
            pc->r = add_filter(pc, (int)i, key[n + 1] == 'f' ? LIST_GTE : LIST_LTE, key, value);
            return pc->r == BF_OK;
        }
        if (is_number_field(f) && strncmp(key, f->name, n) == 0 &&
            (strcmp(key + n, "_min") == 0 || strcmp(key + n, "_max") == 0)) {
            pc->r = add_filter(pc, (int)i, key[n + 2] == 'i' ? LIST_GTE : LIST_LTE, key, value);
            return pc->r == BF_OK;
        }
    }
    pc->r = bf_fail(&call->err, BF_ERR_INVALID, "unknown_parameter", key,
                    "%s is not a parameter of this list", key);
    return false;
}

static bf_result parse_sort(parse_ctx *pc)
{
    list_query *q = pc->q;
    const char *s = pc->sort ? pc->sort : "-created_at";
    q->desc = s[0] == '-';
    if (s[0] == '-' || s[0] == '+')
        s++;
    if (strcmp(s, "created_at") == 0) {
        q->sort_field = LIST_SORT_CREATED;
        return BF_OK;
    }
    int idx = resource_field_index(pc->spec, s);
    if (idx < 0 || !(pc->spec->fields[idx].flags & FIELD_SORT))
        return bf_fail(&pc->call->err, BF_ERR_INVALID, "invalid_sort", "sort", "cannot sort by %s",
                       s);
    q->sort_field = idx;
    return BF_OK;
}

/* A cursor is base64url of the JSON array [sort, value, id]. */
static bf_result parse_cursor(parse_ctx *pc)
{
    api_call *call = pc->call;
    list_query *q = pc->q;
    size_t n = strlen(pc->cursor);
    unsigned char *raw = arena_alloc(call->arena, n + 1);
    size_t raw_len;
    if (raw == NULL)
        return BF_ERR_NOMEM;
    json_t *j = NULL;
    if (sodium_base642bin(raw, n + 1, pc->cursor, n, NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
        j = api_keep(call, json_loadb((const char *)raw, raw_len, 0, NULL));
    const char *sort = pc->sort ? pc->sort : "-created_at";
    if (j == NULL || !json_is_array(j) || json_array_size(j) != 3 ||
        !json_is_string(json_array_get(j, 0)) || !json_is_string(json_array_get(j, 2)))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_cursor", "cursor",
                       "cursor is not one this server gave out");
    if (strcmp(json_string_value(json_array_get(j, 0)), sort) != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_cursor", "cursor",
                       "cursor belongs to another sort order; keep the same sort");
    json_t *v = json_array_get(j, 1);
    q->after = true;
    q->after_id = json_string_value(json_array_get(j, 2));
    if (json_is_integer(v))
        q->after_num = json_integer_value(v);
    else if (json_is_string(v))
        q->after_text = json_string_value(v);
    else
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_cursor", "cursor",
                       "cursor is not one this server gave out");
    return BF_OK;
}

bf_result list_query_from_request(api_call *call, const resource_spec *spec, list_query *q)
{
    return list_query_from_request_beside(call, spec, NULL, q);
}

bf_result list_query_from_request_beside(api_call *call, const resource_spec *spec,
                                         const char *skip, list_query *q)
{
    memset(q, 0, sizeof(*q));
    q->spec = spec;
    q->limit = LIST_DEFAULT_LIMIT;
    parse_ctx pc = {.call = call, .spec = spec, .q = q, .skip = skip, .r = BF_OK};
    if (!http_query_each(call->req, parse_param, &pc))
        return pc.r;
    bf_result r = parse_sort(&pc);
    if (r == BF_OK && pc.cursor)
        r = parse_cursor(&pc);
    return r;
}

/* Whether every % of text starts a %XX (a stored query string, unlike a
 * request's, is refused when one is broken). */
static bool escapes_whole(const char *text)
{
    for (const char *p = strchr(text, '%'); p; p = strchr(p + 1, '%'))
        if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
            return false;
    return true;
}

/* parse_param, but a cursor is left out. */
static bool check_param(void *ctx, const char *key, const char *value)
{
    return strcmp(key, "cursor") == 0 || parse_param(ctx, key, value);
}

bf_result list_query_check(api_call *call, const resource_spec *spec, const char *text,
                           const char *field)
{
    list_query q;
    return list_query_from_text(call, spec, text, field, &q);
}

bf_result list_query_from_text(api_call *call, const resource_spec *spec, const char *text,
                               const char *field, list_query *q)
{
    memset(q, 0, sizeof(*q));
    q->spec = spec;
    q->limit = LIST_DEFAULT_LIMIT;
    parse_ctx pc = {.call = call, .spec = spec, .q = q, .r = BF_OK};
    if (!escapes_whole(text))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", field,
                       "%s is not a query string (a %%XX is broken)", field);
    if (!http_query_string_each(call->arena, text, check_param, &pc) && pc.r == BF_OK)
        return BF_ERR_NOMEM;
    if (pc.r == BF_OK)
        pc.r = parse_sort(&pc);
    /* The parameter's own message, told of the field it came in. */
    if (pc.r != BF_OK)
        snprintf(call->err.field, sizeof(call->err.field), "%s", field);
    return pc.r;
}

void list_query_continue(list_query *q, const record *last)
{
    q->after = true;
    q->after_id = last->id;
    if (q->sort_field == LIST_SORT_CREATED) {
        q->after_text = last->created_at;
        return;
    }
    const field_value *v = &last->values[q->sort_field];
    /* The same stand-ins for null as the store's ORDER BY (and the cursor's). */
    if (FIELD_IS_INTEGER(q->spec->fields[q->sort_field].type))
        q->after_num = v->null ? -1 : v->i;
    else
        q->after_text = v->null ? "" : v->s;
}

const char *list_cursor_after(api_call *call, const list_query *q, const record *last)
{
    json_t *value;
    if (q->sort_field == LIST_SORT_CREATED) {
        value = json_string(last->created_at);
    } else {
        const field_spec *f = &q->spec->fields[q->sort_field];
        const field_value *v = &last->values[q->sort_field];
        bool numeric = FIELD_IS_INTEGER(f->type);
        /* The same stand-in for null as the store's ORDER BY. */
        value = numeric ? json_integer(v->null ? -1 : v->i) : json_string(v->null ? "" : v->s);
    }
    /* A request without ?sort= continues with the default, which the cursor
     * must repeat verbatim to be accepted. */
    const char *given = http_query(call->req, "sort");
    json_t *j = json_pack("[s, o, s]", given ? given : "-created_at", value, last->id);
    if (j == NULL)
        return NULL;
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (text == NULL)
        return NULL;
    size_t len = strlen(text);
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(call->arena, cap);
    if (out != NULL)
        sodium_bin2base64(out, cap, (const unsigned char *)text, len,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(text);
    return out;
}
