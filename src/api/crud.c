/* Generic handlers for resources: list, create, read, update, delete. The
 * field tables of core/resource.c drive them; resource rules come in as
 * hooks. Every write is one transaction: a request that fails writes nothing. */
#include "api/api.h"

#include "http/response.h"

static const char *path_id(api_call *call)
{
    return call->req->nparams > 0 ? call->req->params[0] : "";
}

bf_result crud_list(api_call *call, const api_route *route)
{
    list_query q;
    bf_result r = list_query_from_request(call, route->spec, &q);
    if (r != BF_OK)
        return r;
    record_page page;
    if ((r = store_record_list(call->app->store, call->arena, &q, &page, &call->err)) != BF_OK)
        return r;
    json_t *items = json_array();
    json_t *body = json_object();
    if (items == NULL || body == NULL) {
        json_decref(items);
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    json_object_set_new(body, "items", items);
    for (size_t i = 0; i < page.n; i++)
        if (json_array_append_new(items, record_to_json(page.items[i])) != 0) {
            json_decref(body);
            return BF_ERR_NOMEM;
        }
    const char *next =
        page.more && page.n > 0 ? list_cursor_after(call, &q, page.items[page.n - 1]) : NULL;
    json_object_set_new(body, "next_cursor", next ? json_string(next) : json_null());
    json_object_set_new(body, "limit", json_integer(q.limit));
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

static bf_result create_in_tx(api_call *call, const api_route *route, record *rec)
{
    bf_result r = BF_OK;
    if (route->hooks && route->hooks->check)
        r = route->hooks->check(call, rec, NULL);
    if (r == BF_OK)
        r = store_record_insert(call->app->store, call->arena, rec, &call->err);
    if (r == BF_OK && route->hooks && route->hooks->after_write)
        r = route->hooks->after_write(call, rec, NULL);
    return r;
}

bf_result crud_create(api_call *call, const api_route *route)
{
    json_t *body;
    record *rec;
    bf_result r = api_body(call, &body);
    if (r == BF_OK)
        r = record_from_json(call->arena, route->spec, body, RECORD_CREATE, &rec, &call->err);
    if (r != BF_OK)
        return r;
    store *st = call->app->store;
    if ((r = store_begin(st, &call->err)) != BF_OK)
        return r;
    if ((r = create_in_tx(call, route, rec)) != BF_OK) {
        store_rollback(st);
        return r;
    }
    if ((r = store_commit(st, &call->err)) != BF_OK)
        return r;
    return api_respond_record(call, 201, rec);
}

bf_result crud_get(api_call *call, const api_route *route)
{
    record *rec;
    bf_result r = store_record_get(call->app->store, call->arena, route->spec, path_id(call), &rec,
                                   &call->err);
    if (r != BF_OK)
        return r;
    return api_respond_record(call, 200, rec);
}

static bf_result patch_in_tx(api_call *call, const api_route *route, const record *patch,
                             int64_t expected, record **out)
{
    store *st = call->app->store;
    record *before, *rec;
    bf_result r =
        store_record_get(st, call->arena, route->spec, path_id(call), &before, &call->err);
    if (r != BF_OK)
        return r;
    if (before->version != expected)
        return bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the %s was changed by someone else: version %lld is current, not %lld",
                       route->spec->singular, (long long)before->version, (long long)expected);
    if ((rec = record_new(call->arena, route->spec)) == NULL)
        return BF_ERR_NOMEM;
    *rec = *before;
    if ((rec->values = arena_calloc(call->arena, route->spec->nfields, sizeof(field_value))) ==
        NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < route->spec->nfields; i++)
        rec->values[i] = before->values[i];
    record_apply_patch(rec, patch);
    if (route->hooks && route->hooks->check &&
        (r = route->hooks->check(call, rec, before)) != BF_OK)
        return r;
    if ((r = store_record_update(st, call->arena, rec, expected, &call->err)) != BF_OK)
        return r;
    if (route->hooks && route->hooks->after_write &&
        (r = route->hooks->after_write(call, rec, before)) != BF_OK)
        return r;
    *out = rec;
    return BF_OK;
}

bf_result crud_patch(api_call *call, const api_route *route)
{
    int64_t expected;
    json_t *body;
    record *patch, *rec = NULL;
    bf_result r = api_if_match(call, &expected);
    if (r == BF_OK)
        r = api_body(call, &body);
    if (r == BF_OK)
        r = record_from_json(call->arena, route->spec, body, RECORD_PATCH, &patch, &call->err);
    if (r != BF_OK)
        return r;
    store *st = call->app->store;
    if ((r = store_begin(st, &call->err)) != BF_OK)
        return r;
    if ((r = patch_in_tx(call, route, patch, expected, &rec)) != BF_OK) {
        store_rollback(st);
        return r;
    }
    if ((r = store_commit(st, &call->err)) != BF_OK)
        return r;
    return api_respond_record(call, 200, rec);
}

bf_result crud_delete(api_call *call, const api_route *route)
{
    int64_t expected;
    bf_result r = api_if_match(call, &expected);
    if (r != BF_OK)
        return r;
    r = store_record_delete(call->app->store, route->spec, path_id(call), expected, &call->err);
    if (r != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}
