/* Bulk actions (批量操作) on the records of a list: POST /api/v1/<resource>/bulk
 * with the records by id or by the list's query, and what to do to them —
 * transfer to another owner (deals and accounts), add or remove tags. Every
 * record goes through the rules of the action done to it alone (the
 * transfer's of transfer.c, a PATCH's of crud.c), in one transaction: all of
 * them change, or none. A record the caller may not change is listed with
 * why (422 bulk_refused); one they do not see is "not_found", as one that
 * does not exist. */
#include <string.h>

#include "api/api.h"
#include "http/response.h"

/* A bulk action's request, what it found and what it did. */
typedef struct bulk {
    const resource_spec *spec;
    json_t *body;
    const char *action;
    bool transfer, add;
    const char *owner_id, *reason;
    json_t *tags;     /* the tag actions' */
    const char **ids; /* the records, each once, in the order asked */
    size_t n;
    json_t *results; /* {id, status, version} of each */
    json_t *refused; /* {id, code, message} of each refused */
    size_t changed;
} bulk;

/* Whether r refuses one record (the others are still checked), rather than
 * the request (a failure of the store: nothing more is tried). */
static bool refuses_record(bf_result r)
{
    return r == BF_ERR_INVALID || r == BF_ERR_FORBIDDEN || r == BF_ERR_NOT_FOUND ||
           r == BF_ERR_CONFLICT || r == BF_ERR_STALE;
}

/* Lists the record id as refused, with why (call->err) in the request's
 * language. */
static bf_result refuse(api_call *call, bulk *b, const char *id)
{
    json_t *e = json_pack("{s:s, s:s, s:s}", "id", id, "code",
                          call->err.code[0] ? call->err.code : "refused", "message",
                          http_error_text(call->req, b->spec->name, &call->err));
    if (e != NULL && call->err.field[0] != '\0')
        json_object_set_new(e, "field", json_string(call->err.field));
    memset(&call->err, 0, sizeof(call->err));
    return e != NULL && json_array_append_new(b->refused, e) == 0 ? BF_OK : BF_ERR_NOMEM;
}

/* The ids of the body, each once (ids), or those of the records the list
 * finds with the query of the body, read page by page (at most API_BULK_MAX:
 * 422 naming query beyond). */
static bf_result bulk_ids(api_call *call, bulk *b)
{
    b->ids = arena_calloc(call->arena, API_BULK_MAX + 1, sizeof(*b->ids));
    if (b->ids == NULL)
        return BF_ERR_NOMEM;
    json_t *ids = json_object_get(b->body, "ids");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        bool again = false;
        for (size_t k = 0; k < b->n && !again; k++)
            again = strcmp(b->ids[k], id) == 0;
        if (!again)
            b->ids[b->n++] = id;
    }
    if (ids != NULL)
        return BF_OK;
    list_query q;
    bf_result r = list_query_from_text(
        call, b->spec, json_string_value(json_object_get(b->body, "query")), "query", &q);
    q.who = call->who;
    q.limit = LIST_MAX_LIMIT;
    for (bool more = true; r == BF_OK && more;) {
        record_page page;
        if ((r = store_record_list(call->app->store, call->arena, &q, &page, &call->err)) != BF_OK)
            break;
        for (size_t k = 0; k < page.n && b->n <= API_BULK_MAX; k++)
            b->ids[b->n++] = page.items[k]->id;
        if (b->n > API_BULK_MAX)
            return bf_fail_args(&call->err, BF_ERR_INVALID, "too_many", "query",
                                BF_ARGS(BF_NUM("max", API_BULK_MAX)),
                                "the query finds more than %d %s: narrow it", API_BULK_MAX,
                                b->spec->name);
        more = page.more && page.n > 0;
        if (more)
            list_query_continue(&q, page.items[page.n - 1]);
    }
    return r;
}

/* The tags rec has after the action: *now NULL when they stay as they are. */
static bf_result tags_after(api_call *call, const bulk *b, const record *rec, json_t **now)
{
    const char *text = record_text(rec, "tags");
    json_t *had = api_keep(call, json_loads(text ? text : "[]", 0, NULL));
    json_t *out = api_keep(call, json_array());
    if (out == NULL)
        return BF_ERR_NOMEM;
    if (!json_is_array(had) && (had = api_keep(call, json_array())) == NULL)
        return BF_ERR_NOMEM;
    bool changed = false;
    size_t i, k;
    json_t *t, *x;
    json_array_foreach(had, i, t)
    {
        bool drop = false;
        json_array_foreach(b->tags, k, x)
        {
            drop = drop || (!b->add && json_equal(t, x));
        }
        changed = changed || drop;
        if (!drop && json_array_append(out, t) != 0)
            return BF_ERR_NOMEM;
    }
    json_array_foreach(b->tags, k, x)
    {
        bool has = false;
        json_array_foreach(had, i, t)
        {
            has = has || json_equal(t, x);
        }
        if (b->add && !has) {
            changed = true;
            if (json_array_append(out, x) != 0)
                return BF_ERR_NOMEM;
        }
    }
    if (json_array_size(out) > TAGS_MAX)
        return bf_fail_args(&call->err, BF_ERR_INVALID, "too_many", "tags",
                            BF_ARGS(BF_NUM("max", TAGS_MAX)),
                            "the %s would carry more than %d tags", rec->spec->singular, TAGS_MAX);
    *now = changed ? out : NULL;
    return BF_OK;
}

/* The action done to the record id; *status what became of it. */
static bf_result act_on(api_call *call, bulk *b, const char *id, const char **status, record **rec)
{
    bf_result r = api_require_visible(call, b->spec, id);
    if (r != BF_OK)
        return r == BF_ERR_NOT_FOUND ? bf_fail(&call->err, r, "not_found", NULL, "no %s with id %s",
                                               b->spec->singular, id)
                                     : r;
    if (b->transfer) {
        bool unchanged;
        r = api_transfer_in_tx(call, b->spec, id, b->owner_id, b->reason, -1, true, rec,
                               &unchanged);
        *status = unchanged ? "unchanged" : "changed";
        return r;
    }
    json_t *now = NULL;
    if ((r = store_record_get(call->app->store, call->arena, b->spec, id, rec, &call->err)) ==
        BF_OK)
        r = tags_after(call, b, *rec, &now);
    *status = now ? "changed" : "unchanged";
    if (r != BF_OK || now == NULL)
        return r;
    json_t *patch = api_keep(call, json_pack("{s:O}", "tags", now));
    return patch ? api_patch_record(call, b->spec, id, patch, rec) : BF_ERR_NOMEM;
}

static bf_result bulk_in_tx(api_call *call, void *ctx)
{
    bulk *b = ctx;
    bf_result r = bulk_ids(call, b);
    for (size_t i = 0; r == BF_OK && i < b->n; i++) {
        const char *status = "unchanged";
        record *rec = NULL;
        r = act_on(call, b, b->ids[i], &status, &rec);
        if (refuses_record(r)) {
            r = refuse(call, b, b->ids[i]);
            continue;
        }
        if (r != BF_OK)
            break;
        b->changed += strcmp(status, "changed") == 0;
        if (json_array_append_new(b->results,
                                  json_pack("{s:s, s:s, s:I}", "id", rec->id, "status", status,
                                            "version", (json_int_t)rec->version)) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK || json_array_size(b->refused) == 0)
        return r;
    /* All or nothing: the transaction is rolled back, each refusal told. */
    size_t refused = json_array_size(b->refused);
    call->error_extra = json_pack("{s:I, s:I, s:O}", "total", (json_int_t)b->n, "refused",
                                  (json_int_t)refused, "records", b->refused);
    return bf_fail_args(&call->err, BF_ERR_INVALID, "bulk_refused",
                        json_object_get(b->body, "ids") ? "ids" : "query",
                        BF_ARGS(BF_NUM("refused", refused), BF_NUM("total", b->n)),
                        "%zu of the %zu %s may not be changed (see records): nothing was changed",
                        refused, b->n, b->spec->name);
}

/* Whether the caller may do the action to records of spec at all (403 or
 * 422 for the whole request). */
static bf_result bulk_may(api_call *call, bulk *b)
{
    if (b->transfer && b->spec != &resource_opportunities && b->spec != &resource_accounts)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "action",
                       "%s have no owner to transfer: their actions are add_tag and remove_tag",
                       b->spec->name);
    if (b->transfer) { /* the new owner, once for all: an active user who may own them */
        const char *name;
        bf_result r = api_transfer_may(call, b->owner_id);
        return r == BF_OK ? api_owner_name(call, b->spec, b->owner_id, &name) : r;
    }
    const resource_spec *tagged;
    bf_result r = api_tagged_resource(call, b->spec->name, "action", &tagged);
    if (r == BF_OK && !access_may_write(call->who->role, b->spec, ACCESS_UPDATE))
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL, "a %s user may not change %s",
                    access_role_name(call->who->role), b->spec->name);
    return r;
}

bf_result bulk_action(api_call *call, const api_route *route)
{
    bulk b = {.spec = route->spec};
    bf_result r = api_body_as(call, &body_bulk, &b.body);
    if (r != BF_OK)
        return r;
    b.action = json_string_value(json_object_get(b.body, "action"));
    b.transfer = strcmp(b.action, "transfer") == 0;
    b.add = strcmp(b.action, "add_tag") == 0;
    b.owner_id = json_string_value(json_object_get(b.body, "owner_id"));
    b.reason = json_string_value(json_object_get(b.body, "reason"));
    b.tags = json_object_get(b.body, "tags");
    if ((r = bulk_may(call, &b)) != BF_OK)
        return r;
    b.results = api_keep(call, json_array());
    b.refused = api_keep(call, json_array());
    if (b.results == NULL || b.refused == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_transaction(call, bulk_in_tx, &b)) != BF_OK)
        return r;
    json_t *answer = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O}", "resource", b.spec->name, "action",
                               b.action, "total", (json_int_t)b.n, "changed", (json_int_t)b.changed,
                               "unchanged", (json_int_t)(b.n - b.changed), "results", b.results);
    if (answer == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, answer);
    return BF_OK;
}
