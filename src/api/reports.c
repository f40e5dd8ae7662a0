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
        .who = call->who,
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

    /* Deals of a MANT playbook whose MANT is not complete are pre-funnel and
     * shown apart, as are deals in stages outside the funnel. */
    bool mant = playbook_uses(pb, "MANT");
    json_t *stages = json_array();
    int64_t all[3] = {0}, in[3] = {0}, pre[3] = {0};
    for (size_t i = 0; stages && i < pb->nstages; i++) {
        const stage_def *st = &pb->stages[i];
        funnel_row row = {.stage = st->id};
        for (size_t k = 0; k < n; k++)
            if (strcmp(rows[k].stage, st->id) == 0)
                row = rows[k];
        int64_t p_count = mant ? row.pre_count : 0, p_amount = mant ? row.pre_amount : 0;
        int64_t p_weighted = mant ? row.pre_weighted : 0;
        all[0] += row.count;
        all[1] += row.amount;
        all[2] += row.weighted;
        if (st->in_funnel) {
            in[0] += row.count - p_count;
            in[1] += row.amount - p_amount;
            in[2] += row.weighted - p_weighted;
            pre[0] += p_count;
            pre[1] += p_amount;
            pre[2] += p_weighted;
        } else {
            pre[0] += row.count;
            pre[1] += row.amount;
            pre[2] += row.weighted;
        }
        json_t *pre_json =
            mant ? json_pack("{s:I, s:I, s:I}", "count", (json_int_t)p_count, "amount",
                             (json_int_t)p_amount, "weighted_amount", fen_of_percent(p_weighted))
                 : json_null();
        json_array_append_new(stages,
                              json_pack("{s:s, s:{s:s, s:s?}, s:i, s:b, s:I, s:I, s:I, s:o}", "id",
                                        st->id, "name", "zh", st->name.zh, "en", st->name.en,
                                        "probability", st->probability, "in_funnel", st->in_funnel,
                                        "count", (json_int_t)row.count, "amount",
                                        (json_int_t)row.amount, "weighted_amount",
                                        fen_of_percent(row.weighted), "mant_incomplete", pre_json));
    }
    json_t *body = json_pack(
        "{s:s, s:s, s:s?, s:b, s:o, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
        "playbook", pb->id, "currency", q.currency, "owner", q.owner, "mant_gate", mant, "stages",
        stages, "totals", "count", (json_int_t)all[0], "amount", (json_int_t)all[1],
        "weighted_amount", fen_of_percent(all[2]), "funnel_totals", "count", (json_int_t)in[0],
        "amount", (json_int_t)in[1], "weighted_amount", fen_of_percent(in[2]), "pre_funnel",
        "count", (json_int_t)pre[0], "amount", (json_int_t)pre[1], "weighted_amount",
        fen_of_percent(pre[2]));
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
