/* The directory: users, teams and channel partner companies (admin writes,
 * staff read). The generic handlers serve them; these are their rules. */
#include <string.h>

#include "api/api.h"

static bf_result team_check(api_call *call, record *rec, const record *before)
{
    /* Teams form a tree: walking up from the new parent must not come back. */
    const char *parent = record_text(rec, "parent_id");
    for (int depth = 0; parent != NULL && before != NULL; depth++) {
        if (strcmp(parent, rec->id) == 0 || depth > 64)
            return bf_fail(&call->err, BF_ERR_INVALID, "cycle", "parent_id",
                           "a team cannot be inside itself");
        record *up;
        bf_result r = store_record_get(call->app->store, call->arena, &resource_teams, parent, &up,
                                       &call->err);
        if (r == BF_ERR_NOT_FOUND)
            break; /* the reference check names it */
        if (r != BF_OK)
            return r;
        parent = record_text(up, "parent_id");
    }
    return BF_OK;
}

static bf_result user_check(api_call *call, record *rec, const record *before)
{
    (void)before;
    const char *role = record_text(rec, "role");
    const char *partner = record_text(rec, "partner_id");
    bool is_partner = strcmp(role, "partner") == 0;
    if (is_partner && partner == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "partner_id",
                       "a partner user needs partner_id: the company it works for");
    if (!is_partner && partner != NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "partner_id",
                       "only partner users belong to a partner company");
    if (before != NULL && call->who->user_id != NULL &&
        strcmp(before->id, call->who->user_id) == 0 &&
        (strcmp(role, "admin") != 0 || !record_field_const(rec, "active")->i))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "own_account", NULL,
                       "an admin cannot take away their own admin role or deactivate themselves");
    return BF_OK;
}

static bf_result user_after_write(api_call *call, record *rec, const record *before)
{
    /* A deactivated user's sessions end at once (tokens stop working too). */
    if (before != NULL && !record_field_const(rec, "active")->i)
        return store_sessions_end_user(call->app->store, rec->id, NULL, &call->err);
    return BF_OK;
}

const resource_hooks team_hooks = {team_check, NULL, NULL, NULL};
const resource_hooks partner_hooks = {NULL, NULL, NULL, NULL};
const resource_hooks user_hooks = {user_check, user_after_write, NULL, NULL};
