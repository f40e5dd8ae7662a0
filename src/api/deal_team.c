/* Who works a deal: its sales owner, the members of its team (consultants,
 * managers, implementation) and the channel partners registered on it (报备).
 * The deal's owner (S), a manager or an admin change them; each change is in
 * the audit log. A partner user sees only its own company's registration. */
#include <string.h>

#include "api/api.h"
#include "http/response.h"

static json_t *members_json(const deal_member *m, size_t n, const char *only)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (only != NULL && strcmp(m[i].id, only) != 0)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s?}", "id", m[i].id, "name", m[i].name,
                              "added_at", m[i].added_at, m[i].role ? "role" : "kind",
                              m[i].role ? m[i].role : "partner", "added_by", m[i].added_by);
        if (o && m[i].display_name)
            json_object_set_new(o, "display_name", json_string(m[i].display_name));
        json_array_append_new(arr, o);
    }
    return arr;
}

static bf_result respond_team(api_call *call, const record *opp, int status)
{
    deal_member *members, *partners;
    size_t nm, np;
    store *st = call->app->store;
    bf_result r = store_member_list(st, call->arena, opp->id, &members, &nm, &call->err);
    if (r == BF_OK)
        r = store_partner_list(st, call->arena, opp->id, &partners, &np, &call->err);
    if (r != BF_OK)
        return r;
    const char *only = NULL;
    if (call->who->role == ROLE_PARTNER)
        only = call->who->partner_id ? call->who->partner_id : "";
    json_t *body =
        json_pack("{s:s, s:s?, s:s?, s:o, s:o}", "opportunity_id", opp->id, "owner_id",
                  record_text(opp, "owner_id"), "owner", record_text(opp, "owner"), "members",
                  members_json(members, nm, NULL), "partners", members_json(partners, np, only));
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, status, body);
    return BF_OK;
}

/* Loads the deal id (404 when not visible) and checks the caller may staff
 * it (403). */
static bf_result load_for_staffing_id(api_call *call, const char *id, record **opp)
{
    const playbook *pb;
    bf_result r = opportunity_load_id(call, id, opp, &pb);
    if (r == BF_ERR_CONFLICT)
        r = BF_OK; /* the playbook does not matter here */
    if (r != BF_OK)
        return r;
    if (!access_may_staff_deal(call->who, record_text(*opp, "owner_id")))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "only the deal's sales owner, a manager or an admin change who works it");
    return BF_OK;
}

/* The same for the deal of the path. */
static bf_result load_for_staffing(api_call *call, record **opp)
{
    return load_for_staffing_id(call, call->req->nparams > 0 ? call->req->params[0] : "", opp);
}

bf_result deal_team_get(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK && r != BF_ERR_CONFLICT)
        return r;
    return respond_team(call, opp, 200);
}

/* A change of the deal team with its audit entry. */
typedef struct team_change {
    const record *opp;
    const char *action;
    json_t *values;
    bf_result (*fn)(api_call *call, const record *opp, void *ctx);
    void *ctx;
} team_change;

static bf_result change_in_tx(api_call *call, void *ctx)
{
    team_change *c = ctx;
    bf_result r = c->fn(call, c->opp, c->ctx);
    return r == BF_OK ? api_audit(call, c->action, "opportunities", c->opp->id, NULL, c->values)
                      : r;
}

/* Runs a change of the deal team in one transaction with its audit entry
 * (values is stolen). */
static bf_result change(api_call *call, const record *opp, const char *action, json_t *values,
                        bf_result (*fn)(api_call *call, const record *opp, void *ctx), void *ctx)
{
    if (api_keep(call, values) == NULL)
        return BF_ERR_NOMEM;
    team_change c = {opp, action, values, fn, ctx};
    return api_transaction(call, change_in_tx, &c);
}

/* Who put_member puts on the deal, and as what. */
typedef struct member_put_ctx {
    const char *user_id, *role;
} member_put_ctx;

static bf_result put_member(api_call *call, const record *opp, void *ctx)
{
    const member_put_ctx *m = ctx;
    bf_result r =
        store_member_put(call->app->store, opp->id, m->user_id, m->role, call->actor, &call->err);
    /* Implementation put on a won deal whose handover waits receives it. */
    if (r != BF_OK || m->role == NULL || strcmp(m->role, "implementation") != 0 ||
        strcmp(record_text(opp, "status"), "won") != 0)
        return r;
    handover h;
    r = store_handover_get(call->app->store, call->arena, opp->id, &h, &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return BF_OK; /* won before handovers were kept */
    return r == BF_OK && h.acknowledged_at == NULL ? api_notify_handover(call, opp, m->user_id) : r;
}

/* PUT /opportunities/{opportunity_id}/team/{user_id} but its answer: the
 * body is the request's, or given (raw, not yet checked). */
static bf_result member_put(api_call *call, const char *opportunity_id, const char *user_id,
                            json_t *raw, record **opp_out)
{
    record *opp, *user;
    json_t *body;
    bf_result r = load_for_staffing_id(call, opportunity_id, &opp);
    if (r == BF_OK && raw == NULL)
        r = api_body_as(call, &body_deal_member, &body);
    else if (r == BF_OK && (r = schema_check(&body_deal_member, raw, &body, &call->err)) == BF_OK &&
             api_keep(call, body) == NULL)
        r = BF_ERR_NOMEM;
    if (r != BF_OK)
        return r;
    json_t *role = json_object_get(body, "role");
    r = store_record_get(call->app->store, call->arena, &resource_users, user_id, &user,
                         &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, NULL, "user", "no user with id %s", user_id);
    if (r != BF_OK)
        return r;
    if (strcmp(record_text(user, "role"), "partner") == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "partner_user", "user",
                       "partner users come with their company: register the partner instead");
    json_t *values = json_pack("{s:s, s:s, s:s}", "user_id", user_id, "name",
                               record_text(user, "name"), "role", json_string_value(role));
    member_put_ctx m = {user_id, json_string_value(role)};
    if ((r = change(call, opp, "member_put", values, put_member, &m)) != BF_OK)
        return r;
    *opp_out = opp;
    return BF_OK;
}

bf_result deal_member_put(api_call *call, const api_route *route)
{
    (void)route;
    record *opp = NULL;
    bf_result r = member_put(call, call->req->nparams > 0 ? call->req->params[0] : "",
                             call->req->params[1], NULL, &opp);
    return r == BF_OK ? respond_team(call, opp, 200) : r;
}

bf_result api_deal_member_put(api_call *call, const char *opportunity_id, const char *user_id,
                              json_t *body)
{
    record *opp = NULL;
    return member_put(call, opportunity_id, user_id, body, &opp);
}

static bf_result delete_member(api_call *call, const record *opp, void *ctx)
{
    (void)ctx;
    return store_member_delete(call->app->store, opp->id, call->req->params[1], &call->err);
}

bf_result deal_member_delete(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    bf_result r = load_for_staffing(call, &opp);
    if (r == BF_OK)
        r = change(call, opp, "member_delete", json_pack("{s:s}", "user_id", call->req->params[1]),
                   delete_member, NULL);
    if (r != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}

static bf_result register_partner(api_call *call, const record *opp, void *ctx)
{
    return store_partner_register(call->app->store, opp->id, call->req->params[1], call->actor, ctx,
                                  &call->err);
}

bf_result deal_partner_put(api_call *call, const api_route *route)
{
    (void)route;
    record *opp, *partner;
    bf_result r = load_for_staffing(call, &opp);
    if (r != BF_OK)
        return r;
    const char *partner_id = call->req->params[1];
    r = store_record_get(call->app->store, call->arena, &resource_partners, partner_id, &partner,
                         &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, NULL, "partner", "no partner with id %s",
                       partner_id);
    if (r != BF_OK)
        return r;
    deal_member *registered;
    size_t n;
    r = store_partner_list(call->app->store, call->arena, opp->id, &registered, &n, &call->err);
    for (size_t i = 0; r == BF_OK && i < n; i++)
        if (strcmp(registered[i].id, partner_id) == 0)
            return respond_team(call, opp, 200); /* registered already: nothing changes */
    if (r == BF_OK)
        r = change(
            call, opp, "partner_register",
            json_pack("{s:s, s:s}", "partner_id", partner_id, "name", record_text(partner, "name")),
            register_partner, NULL);
    if (r != BF_OK)
        return r;
    return respond_team(call, opp, 201);
}

static bf_result unregister_partner(api_call *call, const record *opp, void *ctx)
{
    (void)ctx;
    return store_partner_unregister(call->app->store, opp->id, call->req->params[1], &call->err);
}

bf_result deal_partner_delete(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    bf_result r = load_for_staffing(call, &opp);
    if (r == BF_OK)
        r = change(call, opp, "partner_unregister",
                   json_pack("{s:s}", "partner_id", call->req->params[1]), unregister_partner,
                   NULL);
    if (r != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}
