/* Saved views (保存的视图, docs/lists.md): a list's query string and columns
 * kept by a user under a name. Each user keeps their own; a manager shares
 * one with a team of their tree, an admin with any team. Only the owner (or
 * an admin) changes or deletes one; a view's query is checked against its
 * list's parameters, so that it always opens. */
#include <string.h>

#include "api/api.h"

static bool is_owner(api_call *call, const record *view)
{
    const char *owner = record_text(view, "owner_id");
    return call->who->role == ROLE_ADMIN ||
           (owner && call->who->user_id && strcmp(owner, call->who->user_id) == 0);
}

/* Whether the caller may share with team: an admin with any, a manager with
 * their own and those below it. */
static bf_result may_share(api_call *call, const char *team, bool *ok)
{
    *ok = call->who->role == ROLE_ADMIN;
    if (*ok || call->who->role != ROLE_MANAGER || call->who->team_id == NULL)
        return BF_OK;
    return store_team_within(call->app->store, call->who->team_id, team, ok, &call->err);
}

static bf_result view_check(api_call *call, record *rec, const record *before)
{
    if (before == NULL && record_text(rec, "owner_id") == NULL) {
        record_set_text(rec, "owner_id", call->who->user_id);
        record_set_text(rec, "owner", call->who->name);
    }
    if (!is_owner(call, before ? before : rec))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", before ? NULL : "owner_id",
                       before ? "only its owner changes a saved view"
                              : "a saved view is its creator's");
    const char *team = record_text(rec, "shared_team_id");
    const char *was = before ? record_text(before, "shared_team_id") : NULL;
    bool ok = true;
    bf_result r = BF_OK;
    if (team && !(was && strcmp(team, was) == 0))
        r = may_share(call, team, &ok);
    if (r == BF_OK && !ok)
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", "shared_team_id",
                       "a view is shared by a manager with a team of their tree, or by an admin");
    const resource_spec *list = resource_by_name(record_text(rec, "resource"));
    const char *query = record_text(rec, "query");
    if (r == BF_OK && list && query)
        r = list_query_check(call, list, query, "query");
    return r;
}

static bf_result view_before_delete(api_call *call, const record *view)
{
    return is_owner(call, view) ? BF_OK
                                : bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                                          "only its owner deletes a saved view");
}

const resource_hooks view_hooks = {view_check, NULL, NULL, view_before_delete};
