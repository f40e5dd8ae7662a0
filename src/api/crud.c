/* Generic handlers for resources: list, create, read, update, delete. The
 * field tables of core/resource.c drive them; resource rules come in as
 * hooks. Every write is one transaction: a request that fails writes nothing. */
#include "api/api.h"

#include <string.h>

#include "http/response.h"

static const char *path_id(api_call *call)
{
    return call->req->nparams > 0 ? call->req->params[0] : "";
}

/* The role may write records of the resource this way (403 otherwise). */
static bf_result require_write(api_call *call, const resource_spec *spec, access_write how)
{
    if (access_may_write(call->who->role, spec, how))
        return BF_OK;
    static const char *const verbs[] = {"create", "change", "delete"};
    return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL, "a %s user may not %s %s",
                   access_role_name(call->who->role), verbs[how], spec->name);
}

/* A body may not name a field the caller does not see: to a partner,
 * internal fields do not exist. */
static bf_result check_hidden_input(api_call *call, const resource_spec *spec, json_t *body)
{
    for (size_t i = 0; i < spec->nfields; i++)
        if (access_field_hidden(call->who, &spec->fields[i]) &&
            json_object_get(body, spec->fields[i].name) != NULL)
            return bf_fail(&call->err, BF_ERR_INVALID, "unknown_field", spec->fields[i].name,
                           "%s has no field %s", spec->singular, spec->fields[i].name);
    return BF_OK;
}

/* Fails with unknown_reference unless the caller sees the record id of
 * target (a hidden one answers exactly as a missing one). */
static bf_result check_visible(api_call *call, const field_spec *f, const resource_spec *target,
                               const char *id)
{
    bool visible = false;
    bf_result r =
        store_record_visible(call->app->store, call->who, target, id, &visible, &call->err);
    if (r != BF_OK)
        return r;
    if (!visible)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", f->name, "%s names no %s",
                       f->name, target->singular);
    return BF_OK;
}

/* Whether field i of rec holds what it held in before (NULL: a new record). */
static bool reference_kept(const record *rec, const record *before, size_t i)
{
    if (before == NULL)
        return false;
    const field_value *a = &rec->values[i], *b = &before->values[i];
    bool a_null = a->null || a->s == NULL, b_null = b->null || b->s == NULL;
    return a_null == b_null && (a_null || strcmp(a->s, b->s) == 0);
}

/* Every record a new or changed record refers to, alone or in a list, must
 * be one the caller sees; one that is hidden is answered as if it did not
 * exist. Checked before the resource's own rules, which would otherwise
 * tell something of a hidden record ("works for another account"). A
 * reference a change leaves as it was tells nothing new: a partner changes
 * the activity a colleague it cannot read owns. */
static bf_result check_references_visible(api_call *call, const record *rec, const record *before)
{
    for (size_t i = 0; i < rec->spec->nfields; i++) {
        const field_spec *f = &rec->spec->fields[i];
        if ((f->type != FIELD_REF && f->type != FIELD_REF_LIST) || rec->values[i].null ||
            rec->values[i].s == NULL || reference_kept(rec, before, i))
            continue;
        const resource_spec *target = resource_by_name(f->ref);
        if (f->type == FIELD_REF) {
            bf_result r = check_visible(call, f, target, rec->values[i].s);
            if (r != BF_OK)
                return r;
            continue;
        }
        json_t *ids = api_keep(call, json_loads(rec->values[i].s, 0, NULL));
        if (!json_is_array(ids)) /* out of memory: unchecked references must not pass */
            return bf_fail(&call->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
        size_t k;
        json_t *id;
        json_array_foreach(ids, k, id)
        {
            bf_result r = check_visible(call, f, target, json_string_value(id));
            if (r != BF_OK)
                return r;
        }
    }
    return BF_OK;
}

bf_result crud_list(api_call *call, const api_route *route)
{
    list_query q;
    bf_result r = list_query_from_request(call, route->spec, &q);
    if (r != BF_OK)
        return r;
    q.who = call->who;
    record_page page;
    if ((r = store_record_list(call->app->store, call->arena, &q, &page, &call->err)) != BF_OK)
        return r;
    /* The page is written straight into the answer (record_append_json),
     * without a tree of JSON objects: most of a list's time went there. */
    const char *next =
        page.more && page.n > 0 ? list_cursor_after(call, &q, page.items[page.n - 1]) : NULL;
    buf *out = &call->req->out;
    out->len = 0;
    api_owner_cache owners = {.n = 0};
    r = buf_append_str(out, "{\"items\":[");
    for (size_t i = 0; i < page.n && r == BF_OK; i++) {
        if (i > 0)
            r = buf_append(out, ",", 1);
        if (r == BF_OK)
            r = record_append_json(out, page.items[i], api_field_hidden, call->who);
        if (r == BF_OK)
            r = api_append_allowed_actions(call, out, page.items[i], &owners);
    }
    if (r == BF_OK)
        r = buf_append_str(out, "],\"next_cursor\":");
    if (r == BF_OK && next != NULL)
        r = buf_printf(out, "\"%s\"", next); /* base64url: nothing to escape */
    else if (r == BF_OK)
        r = buf_append_str(out, "null");
    if (r == BF_OK)
        r = buf_printf(out, ",\"limit\":%d}", q.limit);
    if (r != BF_OK) {
        out->len = 0;
        return r;
    }
    http_respond_json_written(call->req, 200);
    return BF_OK;
}

/* The audit entry of a write: the fields that changed, old and new. A
 * create's are the fields it set, written straight from the record. */
static bf_result audit_write(api_call *call, const char *action, const record *before,
                             const record *after)
{
    if (before == NULL) {
        const char *set = record_set_fields_text(call->arena, after);
        return set ? api_audit_text(call, action, after->spec->name, after->id, NULL, set)
                   : BF_ERR_NOMEM;
    }
    const resource_spec *spec = after ? after->spec : before->spec;
    json_t *old_j = before ? api_keep(call, record_to_json(before)) : NULL;
    json_t *new_j = after ? api_keep(call, record_to_json(after)) : NULL;
    if ((before && old_j == NULL) || (after && new_j == NULL))
        return BF_ERR_NOMEM;
    json_t *old_diff = old_j, *new_diff = new_j;
    if (before && after) {
        bf_result r = api_audit_diff(old_j, new_j, &old_diff, &new_diff);
        if (r != BF_OK)
            return r;
        /* api_keep releases what it cannot keep: neither may be used then. */
        bool kept_old = api_keep(call, old_diff) != NULL || old_diff == NULL;
        bool kept_new = api_keep(call, new_diff) != NULL || new_diff == NULL;
        if (!kept_old || !kept_new)
            return BF_ERR_NOMEM;
    }
    return api_audit(call, action, spec->name, after ? after->id : before->id, old_diff, new_diff);
}

bf_result api_owner_name(api_call *call, const resource_spec *spec, const char *user_id,
                         const char **name)
{
    record *user;
    bf_error ignored;
    if (store_record_get(call->app->store, call->arena, &resource_users, user_id, &user,
                         &ignored) != BF_OK)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "owner_id",
                       "owner_id names no user");
    access_role role;
    if (!record_field_const(user, "active")->i)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "owner_id",
                       "owner_id names a user who is no longer active");
    if (spec != &resource_activities &&
        (!access_role_parse(record_text(user, "role"), &role) || !access_may_own_deals(role)))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "owner_id",
                       "owner_id names a %s user, who cannot own %s", record_text(user, "role"),
                       spec->name);
    *name = record_text(user, "name");
    return BF_OK;
}

/* Who owns a new record: the user its owner_id names (see api_owner_name),
 * else the creator (a partner's and the command line's records have none).
 * The owner's login name is kept beside the id. */
static bf_result owner_on_create(api_call *call, record *rec)
{
    if (resource_field_index(rec->spec, "owner_id") < 0)
        return BF_OK;
    const char *id = record_text(rec, "owner_id");
    const char *name = NULL;
    if (id != NULL) {
        bf_result r = api_owner_name(call, rec->spec, id, &name);
        if (r != BF_OK)
            return r;
    } else if (call->who->user_id != NULL && call->who->role != ROLE_PARTNER &&
               (rec->spec == &resource_activities || access_may_own_deals(call->who->role))) {
        id = call->who->user_id;
        name = call->who->name;
    }
    record_set_text(rec, "owner_id", id);
    record_set_text(rec, "owner", name);
    return BF_OK;
}

/* What a create, a patch or a delete does inside its transaction. */
typedef struct write_ctx {
    const api_route *route;
    record *rec;      /* create: the new record; patch: the patch, then the result */
    int64_t expected; /* patch, delete: the version of If-Match */
    const char *id;   /* patch: the record's id (NULL: the path's) */
} write_ctx;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    const api_route *route = ((write_ctx *)ctx)->route;
    record *rec = ((write_ctx *)ctx)->rec;
    bf_result r = check_references_visible(call, rec, NULL);
    if (r == BF_OK)
        r = owner_on_create(call, rec);
    if (r == BF_OK && route->hooks && route->hooks->check)
        r = route->hooks->check(call, rec, NULL);
    if (r == BF_OK)
        r = store_record_insert(call->app->store, call->arena, rec, &call->err);
    if (r == BF_OK && route->hooks && route->hooks->after_write)
        r = route->hooks->after_write(call, rec, NULL);
    if (r == BF_OK)
        r = audit_write(call, "create", NULL, rec);
    return r;
}

bf_result api_create_check(api_call *call, const api_route *route, json_t *body, record **out)
{
    bf_result r = require_write(call, route->spec, ACCESS_CREATE);
    if (r == BF_OK)
        r = check_hidden_input(call, route->spec, body);
    if (r == BF_OK)
        r = record_from_json(call->arena, route->spec, body, RECORD_CREATE, out, &call->err);
    return r;
}

bf_result api_create_write(api_call *call, const api_route *route, record *rec)
{
    write_ctx w = {.route = route, .rec = rec};
    return api_transaction(call, create_in_tx, &w);
}

bf_result api_create_record(api_call *call, const api_route *route, json_t *body, record **out)
{
    record *rec;
    bf_result r = api_create_check(call, route, body, &rec);
    if (r == BF_OK)
        r = api_create_write(call, route, rec);
    if (r == BF_OK)
        *out = rec;
    return r;
}

bf_result crud_create(api_call *call, const api_route *route)
{
    json_t *body;
    record *rec;
    bf_result r = require_write(call, route->spec, ACCESS_CREATE);
    if (r == BF_OK)
        r = api_body(call, &body);
    if (r == BF_OK)
        r = api_create_record(call, route, body, &rec);
    if (r != BF_OK)
        return r;
    return api_respond_record(call, 201, rec);
}

bf_result crud_get(api_call *call, const api_route *route)
{
    record *rec;
    bf_result r = api_require_visible(call, route->spec, path_id(call));
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, route->spec, path_id(call), &rec,
                             &call->err);
    if (r != BF_OK)
        return r;
    return api_respond_record(call, 200, rec);
}

static bf_result patch_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    const api_route *route = w->route;
    const record *patch = w->rec;
    int64_t expected = w->expected;
    record **out = &w->rec;
    store *st = call->app->store;
    record *before, *rec;
    bf_result r = store_record_get(st, call->arena, route->spec, w->id ? w->id : path_id(call),
                                   &before, &call->err);
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
    if ((r = check_references_visible(call, rec, before)) != BF_OK)
        return r;
    if (route->hooks && route->hooks->check &&
        (r = route->hooks->check(call, rec, before)) != BF_OK)
        return r;
    if ((r = store_record_update(st, call->arena, rec, expected, &call->err)) != BF_OK)
        return r;
    if (route->hooks && route->hooks->after_write &&
        (r = route->hooks->after_write(call, rec, before)) != BF_OK)
        return r;
    if ((r = audit_write(call, "update", before, rec)) != BF_OK)
        return r;
    *out = rec;
    return BF_OK;
}

bf_result crud_patch(api_call *call, const api_route *route)
{
    int64_t expected;
    json_t *body;
    record *patch;
    bf_result r = api_require_visible(call, route->spec, path_id(call));
    if (r == BF_OK)
        r = require_write(call, route->spec, ACCESS_UPDATE);
    if (r == BF_OK)
        r = api_if_match(call, &expected);
    if (r == BF_OK)
        r = api_body(call, &body);
    if (r == BF_OK)
        r = check_hidden_input(call, route->spec, body);
    if (r == BF_OK && resource_field_index(route->spec, "owner_id") >= 0 &&
        (json_object_get(body, "owner_id") || json_object_get(body, "owner")))
        r = bf_fail(&call->err, BF_ERR_INVALID, "read_only",
                    json_object_get(body, "owner_id") ? "owner_id" : "owner",
                    "the owner changes only by a transfer: POST /api/v1/%s/%s/transfer, by a "
                    "manager of the owner's team or an admin",
                    route->spec->name, path_id(call));
    if (r == BF_OK)
        r = record_from_json(call->arena, route->spec, body, RECORD_PATCH, &patch, &call->err);
    if (r != BF_OK)
        return r;
    write_ctx w = {.route = route, .rec = patch, .expected = expected};
    if ((r = api_transaction(call, patch_in_tx, &w)) != BF_OK)
        return r;
    return api_respond_record(call, 200, w.rec);
}

bf_result api_patch_record(api_call *call, const resource_spec *spec, const char *id, json_t *body,
                           record **out)
{
    const api_route *route = NULL;
    for (const api_route *r = api_route_table(); r->method != NULL && route == NULL; r++)
        if (r->kind == ROUTE_PATCH && r->spec == spec)
            route = r;
    record *patch, *before;
    bf_result r = route ? BF_OK : BF_ERR_INTERNAL;
    if (r == BF_OK)
        r = record_from_json(call->arena, spec, body, RECORD_PATCH, &patch, &call->err);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, spec, id, &before, &call->err);
    if (r != BF_OK)
        return r;
    write_ctx w = {.route = route, .rec = patch, .expected = before->version, .id = id};
    if ((r = api_transaction(call, patch_in_tx, &w)) != BF_OK)
        return r;
    *out = w.rec;
    return BF_OK;
}

static bf_result delete_in_tx(api_call *call, void *ctx)
{
    const api_route *route = ((write_ctx *)ctx)->route;
    int64_t expected = ((write_ctx *)ctx)->expected;
    store *st = call->app->store;
    record *before;
    bf_result r =
        store_record_get(st, call->arena, route->spec, path_id(call), &before, &call->err);
    if (r == BF_OK && route->hooks && route->hooks->before_delete)
        r = route->hooks->before_delete(call, before);
    if (r == BF_OK)
        r = store_record_delete(st, route->spec, path_id(call), expected, &call->err);
    if (r == BF_OK && route->hooks && route->hooks->after_delete)
        r = route->hooks->after_delete(call, before);
    if (r == BF_OK)
        r = audit_write(call, "delete", before, NULL);
    return r;
}

bf_result crud_delete(api_call *call, const api_route *route)
{
    int64_t expected;
    bf_result r = api_require_visible(call, route->spec, path_id(call));
    if (r == BF_OK)
        r = require_write(call, route->spec, ACCESS_DELETE);
    if (r == BF_OK)
        r = api_if_match(call, &expected);
    if (r != BF_OK)
        return r;
    write_ctx w = {.route = route, .expected = expected};
    if ((r = api_transaction(call, delete_in_tx, &w)) != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}
