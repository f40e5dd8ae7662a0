/* A deal's forecast category chosen by its owner — or a manager who sees
 * the deal, or an admin — (PUT /opportunities/{id}/forecast): pipeline,
 * best case, commit or omitted, with the reason, kept on the deal beside the
 * stage's default and audited; null goes back to the default.
 * docs/reports.md. */
#include "api/api.h"

#include <string.h>

#include "http/response.h"

typedef struct choice {
    const char *category, *reason;
    record *opp;
} choice;

static bf_result choose_in_tx(api_call *call, void *ctx)
{
    choice *c = ctx;
    const playbook *pb;
    bf_result r = opportunity_load_id(call, call->req->params[0], &c->opp, &pb);
    if (r != BF_OK)
        return r;
    if (strcmp(record_text(c->opp, "status"), "open") != 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the opportunity is %s; only an open deal is forecast",
                       record_text(c->opp, "status"));
    /* The owner's call (or a manager's who sees the deal, or an admin's). */
    const char *owner = record_text(c->opp, "owner_id");
    if (call->who->role != ROLE_ADMIN && call->who->role != ROLE_MANAGER &&
        (owner == NULL || strcmp(owner, call->who->user_id) != 0))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", "category",
                       "the deal's owner chooses its forecast category (or a manager)");
    int64_t version = c->opp->version;
    json_t *old_v =
        api_keep(call, json_pack("{s:s, s:s?, s:s?}", "forecast_category",
                                 record_text(c->opp, "forecast_category"), "forecast_override",
                                 record_text(c->opp, "forecast_override"), "forecast_reason",
                                 record_text(c->opp, "forecast_reason")));
    record_set_text(c->opp, "forecast_override", c->category);
    record_set_text(c->opp, "forecast_reason", c->category ? c->reason : NULL);
    if ((r = opportunity_set_in_funnel(call, c->opp, pb, false)) != BF_OK ||
        (r = store_record_update(call->app->store, call->arena, c->opp, version, &call->err)) !=
            BF_OK)
        return r;
    json_t *new_v =
        api_keep(call, json_pack("{s:s, s:s?, s:s?}", "forecast_category",
                                 record_text(c->opp, "forecast_category"), "forecast_override",
                                 c->category, "forecast_reason", c->category ? c->reason : NULL));
    if (old_v == NULL || new_v == NULL)
        return BF_ERR_NOMEM;
    return api_audit(call, "forecast", "opportunities", c->opp->id, old_v, new_v);
}

bf_result opportunity_forecast_put(api_call *call, const api_route *route)
{
    choice c = {0};
    json_t *body;
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require_deal_writer(call, "the forecast category");
    if (r == BF_OK)
        r = api_body_as(call, route->body, &body);
    if (r != BF_OK)
        return r;
    c.category = json_string_value(json_object_get(body, "category"));
    c.reason = json_string_value(json_object_get(body, "reason"));
    if (c.category && c.reason == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "reason",
                       "a forecast category chosen for a deal needs a reason");
    if ((r = api_transaction(call, choose_in_tx, &c)) != BF_OK)
        return r;
    return api_respond_record(call, 200, c.opp);
}
