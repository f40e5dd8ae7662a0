/* Transfers (转移负责人): the owner of a deal or an account changes here and
 * nowhere else. An admin may transfer any record; a manager, one whose owner
 * and new owner are both in the manager's team tree (the manager included).
 * The record keeps its stage, checklist, forms, team and history; one audit
 * entry tells who had it, who has it now, and why. */
#include <string.h>

#include "api/api.h"
#include "core/text.h"

bf_result api_in_managers_tree(api_call *call, const char *user_id, bool *in)
{
    *in = false;
    if (user_id == NULL)
        return BF_OK;
    if (call->who->user_id != NULL && strcmp(user_id, call->who->user_id) == 0) {
        *in = true;
        return BF_OK;
    }
    return store_user_in_team_tree(call->app->store, call->who->team_id, user_id, in, &call->err);
}

/* Reads {"owner_id", "reason"}; 422 naming the field otherwise. */
static bf_result read_body(api_call *call, const char **owner_id, const char **reason)
{
    json_t *body;
    bf_result r = api_body_as(call, &body_transfer, &body);
    if (r != BF_OK)
        return r;
    *owner_id = json_string_value(json_object_get(body, "owner_id"));
    *reason = json_string_value(json_object_get(body, "reason"));
    return BF_OK;
}

bf_result api_transfer_in_tx(api_call *call, const resource_spec *spec, const char *id,
                             const char *owner_id, const char *reason, int64_t expected,
                             bool same_ok, record **out, bool *unchanged)
{
    record *rec;
    *unchanged = false;
    bf_result r = store_record_get(call->app->store, call->arena, spec, id, &rec, &call->err);
    if (r != BF_OK)
        return r;
    if (expected >= 0 && rec->version != expected)
        return bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the %s was changed by someone else: version %lld is current, not %lld",
                       spec->singular, (long long)rec->version, (long long)expected);
    const char *old_id = record_text(rec, "owner_id");
    const char *old_name = record_text(rec, "owner");
    if (old_id != NULL && strcmp(old_id, owner_id) == 0) {
        if (!same_ok)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "owner_id",
                           "owner_id already owns this %s", spec->singular);
        *unchanged = true;
        *out = rec;
        return BF_OK;
    }
    if (call->who->role != ROLE_ADMIN) {
        bool old_in, new_in;
        if ((r = api_in_managers_tree(call, old_id, &old_in)) != BF_OK ||
            (r = api_in_managers_tree(call, owner_id, &new_in)) != BF_OK)
            return r;
        if (!old_in || !new_in)
            return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                           "a manager transfers %s between the people of their own team tree; "
                           "ask an admin for others",
                           spec->name);
    }
    const char *name;
    if ((r = api_owner_name(call, spec, owner_id, &name)) != BF_OK)
        return r;
    record_set_text(rec, "owner_id", owner_id);
    record_set_text(rec, "owner", name);
    if ((r = store_record_update(call->app->store, call->arena, rec, rec->version, &call->err)) !=
        BF_OK)
        return r;
    json_t *before =
        api_keep(call, json_pack("{s:s?, s:s?}", "owner_id", old_id, "owner", old_name));
    json_t *after = api_keep(
        call, json_pack("{s:s, s:s, s:s}", "owner_id", owner_id, "owner", name, "reason", reason));
    if (before == NULL || after == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, "transfer", spec->name, rec->id, before, after)) != BF_OK)
        return r;
    *out = rec;
    return BF_OK;
}

bf_result api_transfer_may(api_call *call, const char *owner_id)
{
    if (!access_may_transfer(call->who->role))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "the owner is changed by a manager of the owner's team, or an admin");
    /* The new owner must be someone the caller sees: else as if none. */
    bool visible = false;
    bf_result r = store_record_visible(call->app->store, call->who, &resource_users, owner_id,
                                       &visible, &call->err);
    if (r != BF_OK)
        return r;
    if (!visible)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "owner_id",
                       "owner_id names no user");
    return BF_OK;
}

/* A transfer's request, and the record it answers. */
typedef struct transfer {
    const resource_spec *spec;
    const char *id, *owner_id, *reason;
    int64_t expected;
    record *out;
} transfer;

static bf_result transfer_in_tx(api_call *call, void *ctx)
{
    transfer *t = ctx;
    bool unchanged;
    return api_transfer_in_tx(call, t->spec, t->id, t->owner_id, t->reason, t->expected, false,
                              &t->out, &unchanged);
}

bf_result record_transfer(api_call *call, const api_route *route)
{
    const resource_spec *spec = route->spec;
    const char *id = call->req->params[0];
    const char *owner_id = NULL, *reason = NULL;
    int64_t expected = 0;
    bf_result r = api_require_visible(call, spec, id);
    if (r == BF_OK && !access_may_transfer(call->who->role))
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                    "the owner is changed by a manager of the owner's team, or an admin");
    if (r == BF_OK)
        r = api_if_match(call, &expected);
    if (r == BF_OK)
        r = read_body(call, &owner_id, &reason);
    if (r == BF_OK)
        r = api_transfer_may(call, owner_id);
    if (r != BF_OK)
        return r;
    transfer t = {spec, id, owner_id, reason, expected, NULL};
    if ((r = api_transaction(call, transfer_in_tx, &t)) != BF_OK)
        return r;
    return api_respond_record(call, 200, t.out);
}
