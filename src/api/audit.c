/* The audit log: every write appends who, when, which record and the values
 * before and after, in the write's own transaction; GET /api/v1/audit reads
 * it per record (or whole, for an admin). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/response.h"

/* Room json_dumpb is first given: most texts fit, and are dumped once. */
#define JSON_TEXT_GUESS 2048

/* Not json_dumps: when one of its allocations fails, jansson (2.14) can
 * leave a key out of an object and answer the broken text; json_dumpb into a
 * buffer allocates nothing for the text. It answers the length the text
 * needs: a text longer than the first buffer is dumped again into one of
 * that size. */
const char *api_json_text(api_call *call, json_t *v, size_t flags)
{
    if (v == NULL)
        return NULL;
    char *text = arena_alloc(call->arena, JSON_TEXT_GUESS);
    size_t n = text ? json_dumpb(v, text, JSON_TEXT_GUESS - 1, flags) : 0;
    if (n == 0)
        return NULL;
    if (n >= JSON_TEXT_GUESS - 1) {
        size_t first = n;
        text = arena_alloc(call->arena, first + 1);
        if (text == NULL || (n = json_dumpb(v, text, first, flags)) != first)
            return NULL;
    }
    text[n] = '\0';
    return text;
}

bf_result api_audit_text(api_call *call, const char *action, const char *resource, const char *id,
                         const char *old_values, const char *new_values)
{
    audit_entry e = {
        .actor = call->actor,
        .action = action,
        .resource = resource,
        .record_id = id,
        .old_values = old_values,
        .new_values = new_values,
        .address = http_client_address(call->req),
    };
    return store_audit_append(call->app->store, &e, &call->err);
}

bf_result api_audit(api_call *call, const char *action, const char *resource, const char *id,
                    json_t *old_values, json_t *new_values)
{
    const char *old_text = api_json_text(call, old_values, JSON_COMPACT | JSON_SORT_KEYS);
    const char *new_text = api_json_text(call, new_values, JSON_COMPACT | JSON_SORT_KEYS);
    if ((old_values && old_text == NULL) || (new_values && new_text == NULL))
        return BF_ERR_NOMEM;
    return api_audit_text(call, action, resource, id, old_text, new_text);
}

bf_result api_audit_diff(json_t *before, json_t *after, json_t **old_out, json_t **new_out)
{
    json_t *o = json_object(), *n = json_object();
    if (o == NULL || n == NULL) {
        json_decref(o);
        json_decref(n);
        return BF_ERR_NOMEM;
    }
    const char *key;
    json_t *v;
    json_object_foreach(after, key, v)
    {
        if (strcmp(key, "version") == 0 || strcmp(key, "updated_at") == 0)
            continue;
        json_t *was = json_object_get(before, key);
        if (was != NULL && json_equal(was, v))
            continue;
        json_object_set(o, key, was ? was : json_null());
        json_object_set(n, key, v);
    }
    json_object_foreach(before, key, v)
    {
        if (json_object_get(after, key) == NULL) {
            json_object_set(o, key, v);
            json_object_set_new(n, key, json_null());
        }
    }
    *old_out = o;
    *new_out = n;
    return BF_OK;
}

/* The resource a record id names, by its prefix ("opp_…"), or NULL. */
static const resource_spec *resource_of_id(const char *id)
{
    const char *us = strchr(id, '_');
    if (us == NULL)
        return NULL;
    size_t n = (size_t)(us - id);
    for (size_t i = 0; resource_all[i] != NULL; i++)
        if (strlen(resource_all[i]->id_prefix) == n &&
            memcmp(resource_all[i]->id_prefix, id, n) == 0)
            return resource_all[i];
    return NULL;
}

static json_t *parse_values(const char *text)
{
    if (text == NULL)
        return json_null();
    json_t *v = json_loads(text, 0, NULL);
    return v ? v : json_string(text);
}

static json_t *entry_json(const audit_entry *e)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "seq", json_integer(e->seq));
    json_object_set_new(o, "at", json_string(e->at));
    json_object_set_new(o, "actor", json_string(e->actor));
    json_object_set_new(o, "action", json_string(e->action));
    json_object_set_new(o, "resource", e->resource ? json_string(e->resource) : json_null());
    json_object_set_new(o, "record_id", e->record_id ? json_string(e->record_id) : json_null());
    json_object_set_new(o, "old", parse_values(e->old_values));
    json_object_set_new(o, "new", parse_values(e->new_values));
    json_object_set_new(o, "address", e->address ? json_string(e->address) : json_null());
    return o;
}

bf_result audit_list(api_call *call, const api_route *route)
{
    (void)route;
    bf_result r = api_require(call, ACCESS_READ_AUDIT);
    if (r != BF_OK)
        return r;
    audit_query q = {.record_id = http_query(call->req, "record_id"),
                     .action = http_query(call->req, "action"),
                     .actor = http_query(call->req, "actor"),
                     .limit = 50};
    if (q.record_id == NULL) {
        if ((r = api_require(call, ACCESS_READ_AUDIT_ALL)) != BF_OK)
            return r;
    } else if (!access_may(call->who->role, ACCESS_READ_AUDIT_ALL)) {
        const resource_spec *spec = resource_of_id(q.record_id);
        if (spec == NULL)
            return bf_fail(&call->err, BF_ERR_NOT_FOUND, NULL, NULL, "no record with id %s",
                           q.record_id);
        if ((r = api_require_visible(call, spec, q.record_id)) != BF_OK)
            return r;
        /* Who logged in when, and from where, is the user's own business
         * and the admin's: not a colleague's. */
        q.without_credentials =
            call->who->user_id == NULL || strcmp(q.record_id, call->who->user_id) != 0;
    }
    const char *limit = http_query(call->req, "limit");
    if (limit != NULL) {
        char *end;
        long n = strtol(limit, &end, 10);
        if (*limit == '\0' || *end != '\0' || n < 1 || n > LIST_MAX_LIMIT)
            return bf_fail_args(&call->err, BF_ERR_INVALID, "out_of_range", "limit",
                                BF_ARGS(BF_NUM("min", 1), BF_NUM("max", LIST_MAX_LIMIT)),
                                "limit must be a whole number from 1 to %d", LIST_MAX_LIMIT);
        q.limit = (int)n;
    }
    const char *cursor = http_query(call->req, "cursor");
    if (cursor != NULL) {
        char *end;
        long long n = strtoll(cursor, &end, 10);
        if (*cursor == '\0' || *end != '\0' || n < 1)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_cursor", "cursor",
                           "cursor is not one this server gave out");
        q.after_seq = n;
    }
    audit_entry *items;
    size_t n;
    bool more;
    if ((r = store_audit_list(call->app->store, call->arena, &q, &items, &n, &more, &call->err)) !=
        BF_OK)
        return r;
    json_t *body = json_object(), *arr = json_array();
    if (body == NULL || arr == NULL) {
        json_decref(body);
        json_decref(arr);
        return BF_ERR_NOMEM;
    }
    json_object_set_new(body, "items", arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, entry_json(&items[i]));
    json_object_set_new(body, "next_cursor",
                        more && n > 0 ? json_sprintf("%lld", (long long)items[n - 1].seq)
                                      : json_null());
    json_object_set_new(body, "limit", json_integer(q.limit));
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
