/* Reports: the funnel (销售漏斗) of a playbook, grouped in the database. */
#include "api/api.h"

#include <string.h>

#include "http/response.h"

/* Weighted amounts are sums of amount x percent: back to fen, rounded half up. */
static json_int_t fen_of_percent(int64_t weighted)
{
    return (json_int_t)((weighted + 50) / 100);
}

bf_result reports_funnel(api_call *call, const api_route *route)
{
    (void)route;
    bf_result r;
    funnel_query q = {
        .playbook = http_query(call->req, "playbook"),
        .currency = http_query(call->req, "currency"),
        .owner = http_query(call->req, "owner"),
    };
    if (q.playbook == NULL || *q.playbook == '\0')
        q.playbook = "ruijie-6";
    if (q.currency == NULL || *q.currency == '\0')
        q.currency = "CNY";
    if (q.owner != NULL && *q.owner == '\0')
        q.owner = NULL;
    const playbook *pb = playbook_set_find(call->app->playbooks, q.playbook);
    if (pb == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_playbook", "playbook",
                       "playbook %s is not loaded", q.playbook);
    funnel_row *rows;
    size_t n;
    if ((r = store_report_funnel(call->app->store, call->arena, &q, &rows, &n, &call->err)) !=
        BF_OK)
        return r;

    json_t *stages = json_array();
    int64_t all_count = 0, all_amount = 0, all_weighted = 0;
    int64_t in_count = 0, in_amount = 0, in_weighted = 0;
    for (size_t i = 0; stages && i < pb->nstages; i++) {
        const stage_def *st = &pb->stages[i];
        funnel_row row = {st->id, 0, 0, 0};
        for (size_t k = 0; k < n; k++)
            if (strcmp(rows[k].stage, st->id) == 0)
                row = rows[k];
        all_count += row.count;
        all_amount += row.amount;
        all_weighted += row.weighted;
        if (st->in_funnel) {
            in_count += row.count;
            in_amount += row.amount;
            in_weighted += row.weighted;
        }
        json_array_append_new(
            stages,
            json_pack("{s:s, s:{s:s, s:s?}, s:i, s:b, s:I, s:I, s:I}", "id", st->id, "name", "zh",
                      st->name.zh, "en", st->name.en, "probability", st->probability, "in_funnel",
                      st->in_funnel, "count", (json_int_t)row.count, "amount",
                      (json_int_t)row.amount, "weighted_amount", fen_of_percent(row.weighted)));
    }
    json_t *body =
        json_pack("{s:s, s:s, s:s?, s:o, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}", "playbook", pb->id,
                  "currency", q.currency, "owner", q.owner, "stages", stages, "totals", "count",
                  (json_int_t)all_count, "amount", (json_int_t)all_amount, "weighted_amount",
                  fen_of_percent(all_weighted), "funnel_totals", "count", (json_int_t)in_count,
                  "amount", (json_int_t)in_amount, "weighted_amount", fen_of_percent(in_weighted));
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
