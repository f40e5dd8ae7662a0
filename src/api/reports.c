/* Reports: the funnel (销售漏斗) of a playbook — of every open deal, or of
 * those expected to close in a window of months — and the stalled deals,
 * of one owner or team or all, grouped in the database over the deals the
 * user sees. The manager's reports are report_forecast.c's and
 * report_analytics.c's. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/health.h"
#include "core/text.h"
#include "http/response.h"

/* Weighted amounts are sums of amount x percent: back to fen, rounded half up. */
static json_int_t fen_of_percent(int64_t weighted)
{
    return (json_int_t)((weighted + 50) / 100);
}

/* The funnel as a file: a row per stage. */
static const export_column funnel_columns[] = {
    {"name", "阶段", "Stage", EXPORT_TEXT},
    {"probability", "赢率（%）", "Probability (%)", EXPORT_INT},
    {"count", "商机数", "Deals", EXPORT_INT},
    {"amount", "金额", "Amount", EXPORT_FEN},
    {"weighted_amount", "加权金额", "Weighted amount", EXPORT_FEN},
};
static const export_table funnel_tables[] = {
    {"stages", "销售漏斗", "Funnel", funnel_columns,
     sizeof(funnel_columns) / sizeof(funnel_columns[0])},
};
static const export_spec funnel_export = {"销售漏斗", "funnel", funnel_tables, 1};

/* The owner a funnel asks for: a user id, or (as before ids) the owner's
 * login name; a window of close dates reads owners by id only. */
static bf_result funnel_owner(api_call *call, funnel_query *q, bool window)
{
    const char *owner = q->owner;
    if (owner == NULL)
        return BF_OK;
    report_names names;
    bf_result r = api_report_names(call, &names);
    if (r != BF_OK)
        return r;
    if (api_report_person(&names, owner) != NULL) {
        q->owner = NULL;
        q->owner_id = owner;
        return BF_OK;
    }
    if (!window)
        return BF_OK;
    user_login u;
    bf_error e = {0};
    r = store_user_by_name(call->app->store, call->arena, owner, &u, &e);
    if (r != BF_OK && r != BF_ERR_NOT_FOUND) {
        call->err = e;
        return r;
    }
    q->owner = NULL;
    q->owner_id = r == BF_OK ? u.who.user_id : owner; /* nobody's: no deal */
    return BF_OK;
}

/* The funnel's rows of the deals expected to close from..to, from the
 * summary by month (migration 36). */
static bf_result funnel_of_window(api_call *call, const funnel_query *fq, const char *from,
                                  const char *to, funnel_row **out, size_t *n)
{
    cube_query q = {.who = fq->who,
                    .cube = CUBE_FUNNEL,
                    .currency = fq->currency,
                    .playbook = fq->playbook,
                    .from = from,
                    .to = to,
                    .owner_id = fq->owner_id,
                    .team_id = fq->team_id,
                    .fold = 1u << 1}; /* the months added up */
    cube_row *rows;
    size_t nrows;
    bf_result r = store_report_cube(call->app->store, call->arena, &q, &rows, &nrows, &call->err);
    if (r != BF_OK)
        return r;
    funnel_row *f = arena_calloc(call->arena, nrows ? nrows : 1, sizeof(*f));
    if (f == NULL)
        return BF_ERR_NOMEM;
    *n = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t k = 0;
        while (k < *n && strcmp(f[k].stage, rows[i].dims[3]) != 0)
            k++;
        if (k == *n)
            f[(*n)++].stage = rows[i].dims[3];
        f[k].count += rows[i].sums[0];
        f[k].amount += rows[i].sums[1];
        f[k].weighted += rows[i].sums[2];
        if (strcmp(rows[i].dims[4], "0") == 0) {
            f[k].pre_count += rows[i].sums[0];
            f[k].pre_amount += rows[i].sums[1];
            f[k].pre_weighted += rows[i].sums[2];
        }
    }
    *out = f;
    return BF_OK;
}

/* The funnel's query: ruijie-6 and CNY by default, an empty owner or team
 * none. */
static funnel_query funnel_params(api_call *call)
{
    funnel_query q = {
        .playbook = http_query(call->req, "playbook"),
        .currency = http_query(call->req, "currency"),
        .owner = http_query(call->req, "owner"),
        .team_id = http_query(call->req, "team"),
        .who = call->who,
    };
    if (q.playbook == NULL || *q.playbook == '\0')
        q.playbook = "ruijie-6";
    if (q.currency == NULL || *q.currency == '\0')
        q.currency = "CNY";
    if (q.owner != NULL && *q.owner == '\0')
        q.owner = NULL;
    if (q.team_id != NULL && *q.team_id == '\0')
        q.team_id = NULL;
    return q;
}

bf_result reports_funnel(api_call *call, const api_route *route)
{
    (void)route;
    bf_result r;
    funnel_query q = funnel_params(call);
    const char *owner = q.owner, *from, *to; /* owner: as asked, echoed */
    const playbook *pb = playbook_set_find(call->app->playbooks, q.playbook);
    if (pb == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_playbook", "playbook",
                       "playbook %s is not loaded", q.playbook);
    if ((r = api_report_window(call, &from, &to)) != BF_OK ||
        (r = funnel_owner(call, &q, from != NULL)) != BF_OK)
        return r;
    funnel_row *rows;
    size_t n;
    r = from ? funnel_of_window(call, &q, from, to, &rows, &n)
             : store_report_funnel(call->app->store, call->arena, &q, &rows, &n, &call->err);
    if (r != BF_OK)
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
        "{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:b, s:o, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, "
        "s:{s:I, s:I, s:I}}",
        "playbook", pb->id, "currency", q.currency, "owner", owner, "team", q.team_id, "from", from,
        "to", to, "mant_gate", mant, "stages", stages, "totals", "count", (json_int_t)all[0],
        "amount", (json_int_t)all[1], "weighted_amount", fen_of_percent(all[2]), "funnel_totals",
        "count", (json_int_t)in[0], "amount", (json_int_t)in[1], "weighted_amount",
        fen_of_percent(in[2]), "pre_funnel", "count", (json_int_t)pre[0], "amount",
        (json_int_t)pre[1], "weighted_amount", fen_of_percent(pre[2]));
    return api_respond_export(call, body, &funnel_export);
}

/* The stalled deals as a file: a row per deal. */
static const export_column stalled_columns[] = {
    {"name", "商机", "Deal", EXPORT_TEXT},
    {"owner", "负责人", "Owner", EXPORT_TEXT},
    {"playbook", "方法论", "Playbook", EXPORT_TEXT},
    {"stage", "阶段", "Stage", EXPORT_TEXT},
    {"amount", "金额", "Amount", EXPORT_FEN},
    {"currency", "币种", "Currency", EXPORT_TEXT},
    {"stage_since", "进入阶段时间", "In stage since", EXPORT_TEXT},
};
static const export_table stalled_tables[] = {
    {"items", "停滞商机", "Stalled deals", stalled_columns,
     sizeof(stalled_columns) / sizeof(stalled_columns[0])},
};
static const export_spec stalled_export = {"停滞商机", "stalled-deals", stalled_tables, 1};

bf_result reports_stalled(api_call *call, const api_route *route)
{
    (void)route;
    const char *d = http_query(call->req, "days");
    long days = HEALTH_STALLED_DAYS; /* stalled: as deal health says */
    if (d != NULL) {
        char *end;
        days = strtol(d, &end, 10);
        if (*d == '\0' || *end != '\0' || days < 1 || days > 3650)
            return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "days",
                           "days must be a whole number from 1 to 3650");
    }
    char before[32];
    text_format_utc(time(NULL) - (time_t)days * 86400, before, sizeof(before));
    const char *owner = http_query(call->req, "owner"), *team = http_query(call->req, "team");
    stalled_query q = {.who = call->who,
                       .before = before,
                       .owner_id = owner && *owner ? owner : NULL,
                       .team_id = team && *team ? team : NULL,
                       .limit = 50};
    stalled_deal *deals;
    size_t n;
    bf_result r = store_report_stalled(call->app->store, call->arena, &q, &deals, &n, &call->err);
    if (r != BF_OK)
        return r;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:I, s:s, s:s}", "id", deals[i].id, "name",
                             deals[i].name, "owner", deals[i].owner, "playbook", deals[i].playbook,
                             "stage", deals[i].stage, "amount", (json_int_t)deals[i].amount,
                             "currency", deals[i].currency, "stage_since", deals[i].since));
    return api_respond_export(call,
                              json_pack("{s:i, s:s?, s:s?, s:o}", "days", (int)days, "owner",
                                        q.owner_id, "team", q.team_id, "items", items),
                              &stalled_export);
}
